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

--- How a child that ended did, in words.
---@param code integer|nil the job's exit code (128 + N: killed by signal N); nil: not told
local function ended_how(code)
  if code == nil then
    return "its channel closed, and its exit not told 5 s later"
  end
  if code > 128 then
    return ("killed by signal %d (exit code %d)"):format(code - 128, code)
  end
  return ("exit code %d"):format(code)
end

-- Neovim's log, the parent's and the child's (a channel closed on a bad message is said there).
local LOG = vim.env.NVIM_LOG_FILE or (vim.fn.stdpath("log") .. "/log")

--- The last lines written to Neovim's log after byte ``from``, or "nothing".
---@param from integer
local function log_since(from)
  local f = io.open(LOG, "rb")
  if not f then
    return "nothing"
  end
  f:seek("set", from)
  local lines = vim.split(f:read("*a") or "", "\n", { trimempty = true })
  f:close()
  if #lines == 0 then
    return "nothing"
  end
  return table.concat(vim.list_slice(lines, math.max(1, #lines - 9)), " | ")
end

--- Lua opening a terminal buffer (`true`: no shell and no rc file) and waiting until its job
--- has ended. Wiped while its job was still between fork and exec, a terminal killed the
--- Neovim that opened it (0.11.4): the pty's child took the hangup while it still had Neovim's
--- signal handlers, which passed the SIGHUP on to Neovim ("Caught deadly signal 'SIGHUP'",
--- exit code 1). A CI run lost its child so, right after the e2e's terminal step wiped one.
M.TERMINAL = "vim.cmd.terminal('true'); vim.fn.jobwait({ vim.bo.channel }, 5000)"

--- Start a child Neovim with ``init`` as its config; exits the script when it cannot start.
--- Returns ``child``, ``lua(code, ...)`` (nvim_exec_lua, vim.NIL as nil), ``input(keys)`` and
--- ``wait_for(what, fn, timeout)``: poll ``fn`` (run here) until it returns a truthy value,
--- raising at the caller after ``timeout`` ms (``default_timeout`` when nil) with the last
--- detail ``fn`` gave. ``child``: ``pid()``, ``lost()``, ``restart()``, ``stop()``. ``wrap``: a
--- command the child runs under (its words before Neovim's).
function M.start(init, default_timeout, wrap)
  local argv = vim.list_extend(vim.deepcopy(wrap or {}), { vim.v.progpath, "--embed", "--headless", "--clean", "-u", init, "-i", "NONE" })
  -- The child now: its channel, its exit code once it has ended, and the last of what it wrote
  -- on stderr. Once it is gone every request fails with "Invalid channel" alone (a CI run lost
  -- 44 steps so, with no word why).
  local cur

  local function spawn()
    local this = { stderr_tail = {} }
    this.chan = vim.fn.jobstart(argv, {
      rpc = true,
      stderr_buffered = false,
      on_stderr = function(_, data)
        for _, line in ipairs(data or {}) do
          if line ~= "" then
            table.insert(this.stderr_tail, line)
            if #this.stderr_tail > 20 then
              table.remove(this.stderr_tail, 1)
            end
          end
        end
      end,
      on_exit = function(_, code)
        this.code = code
      end,
    })
    if this.chan <= 0 then
      M.out("FAIL start: could not start the child Neovim")
      os.exit(1)
    end
    this.pid = vim.fn.jobpid(this.chan)
    local log = uv.fs_stat(LOG)
    this.log_from = log and log.size or 0
    cur = this
  end
  spawn()

  --- How ``this`` child ended and its last stderr, once its exit is told (up to 5 s after its
  --- channel closed).
  local function gone(this)
    vim.wait(5000, function()
      return this.code ~= nil
    end, 20)
    return ("%s; its last stderr: %s; Neovim's log since it started: %s"):format(
      ended_how(this.code), #this.stderr_tail > 0 and table.concat(this.stderr_tail, " | ") or "nothing", log_since(this.log_from))
  end

  local function request(method, ...)
    local this = cur
    local ok, result = pcall(vim.rpcrequest, this.chan, method, ...)
    if not ok then
      if this.code ~= nil or tostring(result):find("Invalid channel", 1, true) then
        error(("%s (the child Neovim ended: %s)"):format(tostring(result), gone(this)), 0)
      end
      error(result, 0)
    end
    return result
  end

  local child = {}

  function child.pid()
    return cur.pid
  end

  --- nil while the child runs (it answers); once it has ended, how, and its last stderr.
  function child.lost()
    local this = cur
    -- nvim_get_mode is answered at once, even while the child waits for a key.
    if this.code == nil and pcall(vim.rpcrequest, this.chan, "nvim_get_mode") then
      return nil
    end
    return gone(this)
  end

  --- A new child in place of this one (ended, or ended here).
  function child.restart()
    pcall(vim.fn.jobstop, cur.chan)
    spawn()
  end

  function child.stop()
    pcall(vim.rpcnotify, cur.chan, "nvim_command", "qall!")
    vim.fn.jobwait({ cur.chan }, 5000)
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

--- The steps of a script, run one after another with ``child``: each prints one PASS, FAIL or
--- SKIP line (``opts.out``, default M.out). ``opts.only``: texts; then only the first step and
--- those whose name holds one of them run. ``opts.on_new_child()``: sets up a new child as the
--- steps expect it. Returns ``run``: ``run.step(name, fn)`` (returns whether it passed),
--- ``run.aborted`` (true: the steps left are skipped) and ``run.summary()``.
function M.steps(child, opts)
  local out = opts.out or M.out
  local run = { passed = 0, failed = 0, lost = 0, aborted = false }
  local seen = 0

  function run.step(name, fn)
    seen = seen + 1
    local wanted = not opts.only or seen == 1
    for _, text in ipairs(opts.only or {}) do
      wanted = wanted or name:find(text, 1, true) ~= nil
    end
    if not wanted then
      return true
    end
    if run.aborted then
      out("SKIP " .. name .. " (an earlier step that it needs failed)")
      run.failed = run.failed + 1
      return false
    end
    local started = M.now_ms()
    local ok, err = xpcall(fn, debug.traceback)
    local took = ("%.1fs"):format((M.now_ms() - started) / 1000)
    -- A child gone fails the step that lost it (its checks may have passed before it went),
    -- and only that one: the next steps get a new child.
    local lost = child.lost()
    if lost then
      err = ("the child Neovim ended during this step: %s; the next steps run in a new one%s"):format(
        lost, ok and "" or ("\n     " .. tostring(err)))
      ok = false
      run.lost = run.lost + 1
    end
    if ok then
      run.passed = run.passed + 1
      out(("PASS %s (%s)"):format(name, took))
    else
      run.failed = run.failed + 1
      out(("FAIL %s (%s): %s"):format(name, took, tostring(err)))
    end
    if lost then
      child.restart()
      local set_up, why = pcall(opts.on_new_child)
      if not set_up then
        out("FAIL setting up a new child Neovim: " .. tostring(why))
        run.aborted = true
      end
    end
    return ok
  end

  function run.summary()
    local text = ("%d passed, %d failed"):format(run.passed, run.failed)
    if run.lost > 0 then
      text = text .. ("; the child Neovim ended %d time%s and was started again"):format(run.lost, run.lost == 1 and "" or "s")
    end
    return text
  end

  return run
end

return M
