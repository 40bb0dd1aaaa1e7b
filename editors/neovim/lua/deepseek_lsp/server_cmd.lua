--- The command that starts the server when setup() names none.
local M = {}

--- Whether ``py`` can import the server. A python3 is nearly always on PATH: without the
--- server installed, `python3 -m deepseek_lsp` passed as a command that is there, and each file
--- opened said only "Client deepseek_lsp quit with exit code 1".
local function has_server_module(py)
  local ok, res = pcall(function()
    local probe = "import importlib.util, sys; sys.exit(importlib.util.find_spec('deepseek_lsp') is None)"
    return vim.system({ py, "-c", probe }, { text = true }):wait(5000)
  end)
  return ok and res ~= nil and res.code == 0
end

--- The fallback found by default_cmd(), probed once per setup() (it runs Python).
local python_cmd = nil

--- `deepseek-lsp` if it is on PATH, else a Python that has the server module.
---@return string[]
function M.default()
  if vim.fn.executable("deepseek-lsp") == 1 then
    return { "deepseek-lsp" }
  end
  if python_cmd == nil then
    -- Not installed anywhere: `deepseek-lsp`, which start_problem() reports as missing.
    python_cmd = { "deepseek-lsp" }
    for _, py in ipairs({ "python3", "python" }) do
      if vim.fn.executable(py) == 1 and has_server_module(py) then
        python_cmd = { py, "-m", "deepseek_lsp" }
        break
      end
    end
  end
  return vim.deepcopy(python_cmd)
end

--- Probe again on the next default(): the server may have been installed since.
function M.forget()
  python_cmd = nil
end

return M
