-- Driving an embedded child Neovim over RPC, for the end-to-end scripts (e2e.lua,
-- builtin_completion.lua). A script run with -l cannot type into insert mode itself: its keys
-- are only processed once the script returns. The child's real input loop handles keys sent
-- with nvim_input (insert mode, mappings, TextChangedI...); its state is read with nvim_exec_lua.

local uv = vim.uv or vim.loop

local M = {}

function M.out(s)
  io.stdout:write(s .. "\n")
  io.stdout:flush()
end

function M.now_ms()
  return uv.hrtime() / 1e6
end

--- Start a child Neovim with ``init`` as its config; exits the script when it cannot start.
--- Returns ``lua(code, ...)`` (nvim_exec_lua, vim.NIL as nil), ``input(keys)`` and
--- ``wait_for(what, fn, timeout)``: poll ``fn`` (run here) until it returns a truthy value,
--- raising at the caller after ``timeout`` ms (``default_timeout`` when nil) with the last
--- detail ``fn`` gave.
function M.start(init, default_timeout)
  local child = vim.fn.jobstart({ vim.v.progpath, "--embed", "--headless", "--clean", "-u", init, "-i", "NONE" }, {
    rpc = true,
    stderr_buffered = false,
  })
  if child <= 0 then
    M.out("FAIL start: could not start the child Neovim")
    os.exit(1)
  end

  local function lua(code, ...)
    local result = vim.rpcrequest(child, "nvim_exec_lua", code, { ... })
    if result == vim.NIL then
      return nil
    end
    return result
  end

  local function input(keys)
    vim.rpcrequest(child, "nvim_input", keys)
  end

  local function wait_for(what, fn, timeout)
    local deadline = M.now_ms() + (timeout or default_timeout)
    local last
    while true do
      local ok, value, detail = pcall(fn)
      if ok and value and value ~= vim.NIL then
        return value
      end
      last = ok and detail or value
      if M.now_ms() > deadline then
        error(("timed out waiting for %s%s"):format(what, last ~= nil and (" (last: " .. vim.inspect(last) .. ")") or ""), 2)
      end
      vim.wait(20)
    end
  end

  return child, lua, input, wait_for
end

return M
