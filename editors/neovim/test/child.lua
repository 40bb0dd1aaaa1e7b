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
  -- How the child ended and the last of what it wrote on stderr: once it is gone, every step
  -- after fails with "Invalid channel" alone (a CI run lost 44 steps so, with no word why).
  local ended, stderr_tail = nil, {}
  local child = vim.fn.jobstart({ vim.v.progpath, "--embed", "--headless", "--clean", "-u", init, "-i", "NONE" }, {
    rpc = true,
    stderr_buffered = false,
    on_stderr = function(_, data)
      for _, line in ipairs(data or {}) do
        if line ~= "" then
          table.insert(stderr_tail, line)
          if #stderr_tail > 20 then
            table.remove(stderr_tail, 1)
          end
        end
      end
    end,
    on_exit = function(_, code)
      -- 128 + N: killed by signal N (139: a crash, SIGSEGV).
      ended = ("exit code %d"):format(code)
    end,
  })
  if child <= 0 then
    M.out("FAIL start: could not start the child Neovim")
    os.exit(1)
  end

  local function request(method, ...)
    local ok, result = pcall(vim.rpcrequest, child, method, ...)
    if not ok then
      if ended or tostring(result):find("Invalid channel", 1, true) then
        error(("%s (the child Neovim ended: %s; its last stderr: %s)"):format(
          tostring(result), ended or "not yet told", table.concat(stderr_tail, " | ")), 0)
      end
      error(result, 0)
    end
    return result
  end

  local function lua(code, ...)
    local result = request("nvim_exec_lua", code, { ... })
    if result == vim.NIL then
      return nil
    end
    return result
  end

  local function input(keys)
    request("nvim_input", keys)
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
