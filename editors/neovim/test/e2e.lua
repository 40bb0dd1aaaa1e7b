-- End-to-end test of the Neovim plugin against the real server and a fake DeepSeek.
--
--   nvim --headless --clean -u editors/neovim/test/minimal_init.lua -l editors/neovim/test/e2e.lua
--
-- (run.sh starts the fake and sets the environment). A script run with -l cannot type into
-- insert mode itself: its keys are only processed once the script returns, and feedkeys with
-- "x" leaves insert mode again. So this script drives a second, embedded Neovim over RPC (the
-- way mini.test and plenary do): keys go in with nvim_input and are handled by the child's
-- real input loop (insert mode, mappings, TextChangedI...), state is read with nvim_exec_lua.
-- Prints one PASS/FAIL line per step on stdout and exits with the number of failures.

local uv = vim.uv or vim.loop
local here = vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h")
package.path = here .. "/?.lua;" .. package.path
local driver = require("child")
local init = here .. "/minimal_init.lua"
local STEP_TIMEOUT = tonumber(vim.env.DEEPSEEK_E2E_STEP_TIMEOUT_MS or "") or 15000
local out, now_ms = driver.out, driver.now_ms

-- -- the child editor -----------------------------------------------------------------------------

local child, lua, input, wait_for = driver.start(init, STEP_TIMEOUT)

local function check(cond, msg)
  if not cond then
    error(msg, 2)
  end
end

-- setup() in the child again: the test's own options (as minimal_init.lua gives them), with
-- `extra` over them and `settings` over their server settings. Returns { ok, err } of the call.
local function setup_again(extra, settings)
  return lua("return E2E.setup_again(...)", extra or vim.empty_dict(), settings or vim.empty_dict())
end

-- DEEPSEEK_E2E_ONLY=text: the first step (the attach) and the steps whose name holds the text.
local only = vim.env.DEEPSEEK_E2E_ONLY ~= "" and vim.split(vim.env.DEEPSEEK_E2E_ONLY or "", "|", { plain = true }) or nil
-- Set below, once what a new child needs is defined.
local on_new_child
local run = driver.steps(child, {
  only = only,
  on_new_child = function()
    on_new_child()
  end,
})
local step = run.step

-- Helpers evaluated in the child (again in each new one).
local function install_helpers()
  lua([[
  _G.E2E = {}
  E2E.notes = {}
  function E2E.setup_again(extra, settings)
    local c = require("deepseek_lsp").config
    local own = { completion = { debounce = 0 }, review = { mode = "onSave" }, logLevel = "debug" }
    local ok, err = pcall(require("deepseek_lsp").setup, vim.tbl_extend("force",
      { cmd = c.cmd, debounce = 10, settings = vim.tbl_extend("force", own, settings or {}) }, extra or {}))
    return { ok = ok, err = err and tostring(err) }
  end
  vim.notify = function(msg, level) table.insert(E2E.notes, tostring(msg)) end
  -- Reviews begun per file URI (the server's progress tokens end in it): what a save's review
  -- is told by, begun after the save.
  E2E.reviews_begun = {}
  vim.api.nvim_create_autocmd("LspProgress", { pattern = "begin", callback = function(args)
    local token = vim.tbl_get(args, "data", "params", "token")
    local uri = type(token) == "string" and token:match("^deepseek%-review%-%d+:(.+)$")
    if uri then
      E2E.reviews_begun[uri] = (E2E.reviews_begun[uri] or 0) + 1
    end
  end })
  function E2E.client()
    return vim.lsp.get_clients({ bufnr = 0, name = "deepseek_lsp" })[1]
  end
  function E2E.ghost()
    local ns = require("deepseek_lsp.ghost").ns
    local marks = vim.api.nvim_buf_get_extmarks(0, ns, 0, -1, { details = true })
    local m = marks[1]
    if not m then return nil end
    local d = m[4]
    local text, extra = {}, {}
    for _, chunk in ipairs(d.virt_text or {}) do
      table.insert(chunk[2] == "DeepSeekSuggestion" and text or extra, chunk[1])
    end
    local lines = {}
    for _, l in ipairs(d.virt_lines or {}) do
      local parts = {}
      for _, chunk in ipairs(l) do table.insert(parts, chunk[1]) end
      table.insert(lines, table.concat(parts))
    end
    return { row = m[2], col = m[3], text = table.concat(text), extra = table.concat(extra), pos = d.virt_text_pos,
             hl = d.virt_text and d.virt_text[1] and d.virt_text[1][2], lines = lines,
             current = require("deepseek_lsp.ghost").current() }
  end
  function E2E.stats()
    local c = E2E.client()
    local r = c and c:request_sync("deepseek/completionStats", vim.empty_dict(), 3000, 0)
    return r and r.result
  end
  function E2E.state()
    local pos = vim.api.nvim_win_get_cursor(0)
    return { mode = vim.api.nvim_get_mode().mode, row = pos[1] - 1, col = pos[2],
             line = vim.api.nvim_get_current_line() }
  end
  --- The text of buffer line ``lnum`` as window ``win`` draws it (virtual text included).
  function E2E.drawn(win, lnum)
    vim.cmd("redraw")
    local pos = vim.fn.screenpos(win, lnum, 1)
    if pos.row == 0 then return nil end
    local info = vim.fn.getwininfo(win)[1]
    local cells = {}
    for col = info.wincol, info.wincol + info.width - 1 do
      cells[#cells + 1] = vim.fn.screenstring(pos.row, col)
    end
    return table.concat(cells)
  end
  function E2E.info_float()
    for _, win in ipairs(vim.api.nvim_list_wins()) do
      local buf = vim.api.nvim_win_get_buf(win)
      if vim.bo[buf].filetype == "deepseek_lsp_info" then
        local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
        vim.api.nvim_win_close(win, true)
        return lines
      end
    end
  end
]])
end
install_helpers()

local function ghost()
  return lua("return E2E.ghost()")
end

local function state()
  return lua("return E2E.state()")
end

local function stats()
  return lua("return E2E.stats()")
end

local function wait_ghost(expected, what)
  return wait_for(what or ("ghost text " .. vim.inspect(expected)), function()
    local g = ghost()
    if g and g.text == expected then
      return g
    end
    return nil, g
  end)
end

local function wait_line(row, expected)
  return wait_for("line " .. (row + 1) .. " = " .. vim.inspect(expected), function()
    local line = lua("return vim.api.nvim_buf_get_lines(0, ..., ... + 1, false)[1]", row)
    if line == expected then
      return true
    end
    return nil, line
  end)
end

--- Waits until the current buffer's lines are ``want``.
local function wait_buffer(want, what)
  return wait_for(what, function()
    local lines = lua("return vim.api.nvim_buf_get_lines(0, 0, -1, false)")
    return vim.deep_equal(lines, want), lines
  end)
end

local function normal_mode()
  input("<Esc>")
  wait_for("normal mode", function()
    local s = state()
    return s.mode == "n", s.mode
  end)
end

--- Waits until the server is attached to the current buffer (a file just opened).
local function wait_attached(what, timeout)
  wait_for(what or "the client to attach", function()
    return lua("return E2E.client() ~= nil")
  end, timeout or 10000)
end

--- Types "ret" at the end of line `row` + 1 (a body's "    ") in insert mode, with no indent of
--- Neovim's own: where the fake's answer is "urn a * b".
local function type_ret(row)
  lua("vim.bo.indentexpr = ''; vim.bo.autoindent = false")
  lua("vim.api.nvim_win_set_cursor(0, { ..., 4 })", row + 1)
  input("A")
  input("ret")
end

--- `type_ret`, then waits for the suggestion it brings.
local function suggest_on(row)
  type_ret(row)
  return wait_ghost("urn a * b")
end

--- `type_ret(row)`, then whether a suggestion is being asked for (its debounce running, the
--- request under way, or it shown) once the child has seen the last key.
local function asks_while_typing(row)
  type_ret(row)
  return wait_for("the keys seen", function()
    return lua([[
      local st = require("deepseek_lsp.ghost")._states[vim.api.nvim_get_current_buf()]
      local pos = vim.api.nvim_win_get_cursor(0)
      local key = ("%d:%d:%d"):format(vim.api.nvim_buf_get_changedtick(0), pos[1] - 1, pos[2])
      if st and st.last_key == key then
        return { asking = (st.timer ~= nil and st.timer:is_active()) or st.pending ~= nil
          or #vim.api.nvim_buf_get_extmarks(0, require("deepseek_lsp.ghost").ns, 0, -1, {}) > 0 }
      end
    ]])
  end).asking
end

--- Runs `fn` with automatic suggestions off; they come back on whatever `fn` raises.
local function without_auto_trigger(fn)
  lua("require('deepseek_lsp.ghost').config.auto_trigger = false")
  local ok, err = pcall(fn)
  lua("require('deepseek_lsp.ghost').config.auto_trigger = true")
  if not ok then
    error(err, 0)
  end
end

-- -- the fake DeepSeek's control endpoint (plain HTTP over luv: no curl needed) -------------------

local function fake_control(name, payload)
  local host, port = (vim.env.DEEPSEEK_BASE_URL or ""):match("^http://([%d%.]+):(%d+)")
  assert(host, "DEEPSEEK_BASE_URL is not a local http:// URL: " .. tostring(vim.env.DEEPSEEK_BASE_URL))
  local body = vim.json.encode(payload or vim.empty_dict())
  local request = table.concat({
    ("POST /_fake/%s HTTP/1.1"):format(name),
    ("Host: %s:%s"):format(host, port),
    "Content-Type: application/json",
    ("Content-Length: %d"):format(#body),
    "Connection: close",
    "",
    body,
  }, "\r\n")
  local tcp = uv.new_tcp()
  local chunks, done, failed = {}, false, nil
  tcp:connect(host, tonumber(port), function(err)
    if err then
      failed, done = err, true
      return
    end
    tcp:write(request)
    tcp:read_start(function(rerr, chunk)
      if rerr then
        failed, done = rerr, true
      elseif chunk then
        chunks[#chunks + 1] = chunk
      else
        done = true
      end
    end)
  end)
  vim.wait(5000, function()
    return done
  end, 10)
  if not tcp:is_closing() then
    tcp:close()
  end
  local text = table.concat(chunks)
  assert(not failed and text:match("^HTTP/1%.%d 200"), ("fake control %s: %s"):format(name, tostring(failed or text)))
  return text:match("\r\n\r\n(.*)$")
end

--- The prompts the fake was sent for completions (FIM), oldest first.
local function fake_prompts()
  local prompts = {}
  for _, r in ipairs(vim.json.decode(fake_control("requests"))) do
    if r.path == "/beta/completions" and type(r.json) == "table" and type(r.json.prompt) == "string" then
      prompts[#prompts + 1] = r.json.prompt
    end
  end
  return prompts
end

--- Sends ``signal`` to the server process, a child of the child Neovim; returns its pid (0: not found).
local function signal_server(signal)
  return lua([[
    for _, pid in ipairs(vim.api.nvim_get_proc_children(vim.fn.getpid())) do
      local p = vim.api.nvim_get_proc(pid)
      if p and (p.name or ''):match('python') or (p and (p.name or ''):match('deepseek')) then
        vim.uv.kill(pid, ...)
        return pid
      end
    end
    return 0
  ]], signal)
end

-- -- the scenario ----------------------------------------------------------------------------------

local dir = vim.fn.tempname()
vim.fn.mkdir(dir, "p")
local file = dir .. "/sample.py"
local sample = {
  "def add(a, b):",
  "    return a + b",
  "",
  "",
  "def ratio(a, b):",
  "    return a / b",
  "",
  "",
  "def mul(a, b):",
  "    ",
}
vim.fn.writefile(sample, file)
local LAST = #sample - 1 -- 0-based row of "    "
local RATIO = 5 -- 0-based row of "    return a / b"

--- Leaves the sample saved and opens a new file ``name`` of the test folder holding ``lines``.
---@return string path
local function open_new(name, lines)
  normal_mode()
  lua("vim.cmd('silent write')")
  local path = dir .. "/" .. name
  vim.fn.writefile(lines, path)
  lua("vim.cmd.edit(...)", path)
  return path
end

--- Runs `fn` in a new file (`open_new`), then goes back to the sample file, whatever `fn` raises.
local function in_new_file(name, lines, fn)
  local other = open_new(name, lines)
  local ok, err = pcall(fn)
  normal_mode()
  lua("vim.cmd('silent! write')")
  lua("vim.cmd('silent! bwipeout! ' .. vim.fn.fnameescape(...))", other)
  lua("vim.cmd.edit(...)", file)
  check(ok, err)
end

out(("e2e: Neovim %s, server via %s, fake at %s"):format(
  tostring(vim.version()),
  vim.env.DEEPSEEK_LSP_CMD or "deepseek-lsp",
  tostring(vim.env.DEEPSEEK_BASE_URL)
))

--- Opens the sample file and waits until the client has attached and initialized.
local function open_sample()
  lua("vim.cmd.edit(...)", file)
  -- Python's indent script would re-indent typed lines; the test types exact text.
  lua("vim.bo.indentexpr = ''; vim.bo.autoindent = false; vim.bo.expandtab = true")
  return wait_for("the client to attach and initialize", function()
    return lua([[
      local c = E2E.client()
      if c and c.initialized then return { id = c.id, enc = c.offset_encoding } end
    ]])
  end, 30000)
end

-- A new child (the last one ended) starts where the attach step leaves the first one.
function on_new_child()
  install_helpers()
  open_sample()
end

local attached = step("attach: open a Python file, deepseek_lsp client starts and initializes", function()
  local info = open_sample()
  out(("     client %d, position encoding %s"):format(info.id, info.enc))
end)
run.aborted = not attached

step("helpers: UTF-16 / byte conversions for non-ASCII text", function()
  local r = lua([[
    local u = require("deepseek_lsp.util")
    return { u.units("aé😀", "utf-16"), u.units("aé😀", "utf-32"), u.units("aé😀", "utf-8"),
             u.byte_col("aé😀x", 4, "utf-16"), u.byte_col("aé😀x", 3, "utf-32") }
  ]])
  check(vim.deep_equal(r, { 4, 3, 7, 7, 7 }), "got " .. vim.inspect(r))
end)

step("ghost text: typing in insert mode shows the fake's suggestion as inline virt_text", function()
  lua("vim.api.nvim_win_set_cursor(0, { ..., 4 })", LAST + 1)
  input("A")
  input("ret")
  local g = wait_ghost("urn a * b")
  check(g.row == LAST and g.col == 7, ("extmark at %d:%d, expected %d:7"):format(g.row, g.col, LAST))
  check(g.pos == "inline", "virt_text_pos " .. tostring(g.pos))
  check(g.hl == "DeepSeekSuggestion", "highlight " .. tostring(g.hl))
  local s = state()
  check(s.mode == "i" and s.line == "    ret", "state " .. vim.inspect(s))
end)

step("accept: <Tab> inserts the suggestion and leaves the cursor at its end", function()
  input("<Tab>")
  wait_line(LAST, "    return a * b")
  local s = state()
  check(s.mode == "i" and s.col == #"    return a * b", "state after accept " .. vim.inspect(s))
  local g = ghost()
  check(g == nil or g.text ~= "urn a * b", "the accepted suggestion is still drawn")
end)

step("server: counted the shown item (didShowCompletion) and the accept (deepseek.completionAccepted)", function()
  local last
  local ok = pcall(wait_for, "completionStats", function()
    last = stats()
    return last and last.shown >= 1 and last.accepted >= 1, last
  end, 3000)
  check(ok, "deepseek/completionStats after one shown + accepted item: " .. vim.inspect(last))
end)

--- Waits until completionStats, since ``before``, counts one suggestion more shown and accepted,
--- and none more partly accepted (one taken in pieces to its end is accepted, not partly).
local function wait_one_accepted(before)
  wait_for("completionStats: one suggestion shown and accepted", function()
    local st = stats()
    return st
      and st.shown == before.shown + 1
      and st.accepted == before.accepted + 1
      and st.partiallyAccepted == before.partiallyAccepted, st
  end, 3000)
end

step("partial accept: word then line, over non-ASCII text, before an auto-closed ')'; counted as one suggestion", function()
  normal_mode()
  local line = 'msg = fmt("héllo", )'
  lua("vim.api.nvim_buf_set_lines(0, -1, -1, false, { ... })", line)
  local row = lua("return vim.api.nvim_buf_line_count(0) - 1")
  local before = stats()
  lua("vim.api.nvim_win_set_cursor(0, { ..., select(2, ...) })", row + 1, #line - 1)
  input("i") -- insert before ")": InsertEnter asks for a suggestion
  -- The server's range covers the ")" and the item ends with it; only the new text is drawn.
  local g = wait_ghost('"wörld"')
  -- Esc and back in: asked again, another item for the same suggestion, drawn again.
  normal_mode()
  input("a")
  g = wait_ghost('"wörld"', "the suggestion drawn again after Esc and a")
  check(g.col == #line - 1, "extmark col " .. g.col)
  check(g.current and g.current.text == '"wörld")', "insertText " .. vim.inspect(g.current and g.current.text))
  input("<M-Right>")
  wait_line(row, 'msg = fmt("héllo", ")')
  wait_ghost('wörld"', "ghost text of the rest after accepting a word")
  wait_for("completionStats: one suggestion shown, partly accepted", function()
    local st = stats()
    return st and st.shown == before.shown + 1 and st.partiallyAccepted == before.partiallyAccepted + 1, st
  end, 3000)
  input("<M-C-Right>")
  wait_line(row, 'msg = fmt("héllo", "wörld")')
  local s = state()
  check(s.col == #'msg = fmt("héllo", "wörld"', "cursor col " .. s.col)
  -- Taken to its end, a word and then the line: accepted, no longer partly (it was counted
  -- shown twice, and partly accepted once a part).
  wait_one_accepted(before)
end)

step("word accepts over CJK and an emoji ('价格 😀 total'), typed through its first word: each piece whole, the cursor after it; taken to its end, counted accepted once", function()
  normal_mode()
  local line = 'tip = "价'
  lua("vim.api.nvim_buf_set_lines(0, -1, -1, false, { ... })", line)
  local row = lua("return vim.api.nvim_buf_line_count(0) - 1")
  local before = stats()
  lua("vim.api.nvim_win_set_cursor(0, { ..., select(2, ...) })", row + 1, #line)
  input("A")
  wait_ghost('格 😀 total"')
  -- Typed through its first character and blank, then taken word by word.
  input("格 ")
  wait_ghost('😀 total"')
  local taken = line .. "格 "
  for _, piece in ipairs({ "😀", " ", "total", '"' }) do
    input("<M-Right>")
    taken = taken .. piece
    wait_line(row, taken)
    local s = state()
    check(s.col == #taken, ("cursor col %d after %q, want %d"):format(s.col, piece, #taken))
  end
  wait_one_accepted(before)
  normal_mode()
  lua("vim.api.nvim_buf_set_lines(0, ..., ... + 1, false, {})", row)
end)

step("a suggestion going on past an auto-closed quote: drawn around the quote, not before it; word and line accepts leave no quote twice", function()
  normal_mode()
  local line, want = 'shout = ""', 'shout = "wörld".upper()'
  lua("vim.api.nvim_buf_set_lines(0, -1, -1, false, { ... })", line)
  local row = lua("return vim.api.nvim_buf_line_count(0) - 1")
  local win = lua("return vim.api.nvim_get_current_win()")
  local function drawn(r)
    return (lua("return E2E.drawn(...)", win, r + 1) or ""):gsub("%s+$", "")
  end
  local function drawn_as(r, what)
    wait_for(what .. " drawn as " .. vim.inspect(want), function()
      local d = drawn(r)
      return d == want, d
    end)
  end
  lua("vim.api.nvim_win_set_cursor(0, { ..., select(2, ...) })", row + 1, #line - 1)
  input("i")
  -- The server's range covers the '"' after the cursor, and the item goes on past it: drawn
  -- at the cursor whole, the line read 'shout = "wörld".upper()"'.
  drawn_as(row, "the suggestion")
  input("<M-C-Right>")
  -- The line's '"' was left after the line accepted: 'shout = "wörld".upper()"'.
  wait_line(row, want)
  -- Again, a word at a time (the line above would be the same line: it goes first).
  normal_mode()
  lua("vim.api.nvim_buf_set_lines(0, ..., ... + 1, false, { select(2, ...) })", row, line)
  lua("vim.api.nvim_win_set_cursor(0, { ..., select(2, ...) })", row + 1, #line - 1)
  input("i")
  drawn_as(row, "the suggestion asked again")
  input("<M-Right>")
  wait_line(row, 'shout = "wörld"')
  drawn_as(row, "the rest after a word")
  input("<M-Right>")
  wait_line(row, 'shout = "wörld".')
  drawn_as(row, "the rest after the quote and the dot")
  input("<Tab>")
  wait_line(row, want)
  local s = state()
  check(s.row == row and s.col == #want, "cursor " .. vim.inspect(s))
  normal_mode()
  lua("vim.api.nvim_buf_set_lines(0, ..., ... + 1, false, {})", row)
end)

step("a word accept takes a comment's '# ' as one piece, then its words, as VS Code's Ctrl+Right does (it took '#' alone, then ' double')", function()
  normal_mode()
  local line = "twice = n * 2  "
  lua("vim.api.nvim_buf_set_lines(0, -1, -1, false, { ... })", line)
  local row = lua("return vim.api.nvim_buf_line_count(0) - 1")
  lua("vim.api.nvim_win_set_cursor(0, { ..., select(2, ...) })", row + 1, #line)
  input("A")
  wait_ghost("# double the count")
  input("<M-Right>")
  wait_line(row, line .. "# ")
  wait_ghost("double the count", "the rest after the comment's '# '")
  input("<M-Right>")
  wait_line(row, line .. "# double")
  wait_ghost(" the count", "the rest after the comment's first word")
  input("<M-Right>")
  wait_line(row, line .. "# double ")
  input("<Tab>")
  wait_line(row, line .. "# double the count")
  normal_mode()
  lua("vim.api.nvim_buf_set_lines(0, ..., ... + 1, false, {})", row)
end)

step("a word accept takes the buffer's language's words, as VS Code's wordPattern does: PHP's '$price' and CSS's 'margin-top' whole (they took '$', then 'price'; 'gin', then '-')", function()
  in_new_file("words.php", { "<?php", "$total " }, function()
    lua("vim.api.nvim_win_set_cursor(0, { 2, 0 })")
    input("A")
    wait_ghost("= $price * $qty;")
    input("<M-Right>")
    wait_line(1, "$total = ")
    input("<M-Right>")
    wait_line(1, "$total = $price")
    wait_ghost(" * $qty;", "the rest after PHP's '$price'")
    input("<Tab>")
    wait_line(1, "$total = $price * $qty;")
  end)
  in_new_file("words.css", { "a {", "  mar", "}" }, function()
    lua("vim.api.nvim_win_set_cursor(0, { 2, 0 })")
    input("A")
    wait_ghost("gin-top: 4px;")
    input("<M-Right>")
    wait_line(1, "  margin-top")
    wait_ghost(": 4px;", "the rest after CSS's 'margin-top'")
    input("<Tab>")
    wait_line(1, "  margin-top: 4px;")
  end)
end)

step("a quote the user typed (no auto-pair closed it), at a line's end and before an auto-closed ')': word and line accepts leave one quote and one ')'", function()
  --- Types ``keys`` into a new last line ``line`` at byte ``col`` once the suggestion ``first``
  --- shows, and returns what the line then reads.
  local function accepted(line, col, first, keys)
    normal_mode()
    lua("vim.api.nvim_buf_set_lines(0, -1, -1, false, { ... })", line)
    local row = lua("return vim.api.nvim_buf_line_count(0) - 1")
    lua("vim.api.nvim_win_set_cursor(0, { ..., select(2, ...) })", row + 1, col)
    input(col >= #line and "A" or "i")
    wait_ghost(first)
    for _, key in ipairs(keys) do
      local before = lua("return vim.api.nvim_get_current_line()")
      input(key)
      wait_for("the line to change after " .. key, function()
        local now = lua("return vim.api.nvim_get_current_line()")
        return now ~= before and now, now
      end)
    end
    local got = lua("return vim.api.nvim_buf_get_lines(0, ..., ... + 1, false)[1]", row)
    normal_mode()
    lua("vim.api.nvim_buf_set_lines(0, ..., ... + 1, false, {})", row)
    return got
  end
  local want = 'msg = fmt("héllo", "wörld")'
  local open = 'msg = fmt("héllo", ")'
  -- The server took the ')' for the string's text and put it back after its own '")'.
  local got = accepted(open, #open - 1, 'wörld"', { "<M-Right>", "<M-Right>" })
  check(got == want, "two words: " .. vim.inspect(got))
  got = accepted(open, #open - 1, 'wörld"', { "<M-C-Right>" })
  check(got == want, "a line: " .. vim.inspect(got))
  got = accepted('shout = "', #'shout = "', 'wörld".upper()', { "<M-Right>", "<M-Right>", "<M-Right>", "<M-Right>" })
  check(got == 'shout = "wörld".upper()', "four words at the line's end: " .. vim.inspect(got))
end)

step("multi-line on the window's last line: the window scrolls as little as shows the block's other lines, at the buffer's end and mid-buffer, with a winbar too", function()
  local lines = {}
  for i = 1, 40 do
    lines[i] = ("x%d = %d"):format(i, i)
  end
  vim.list_extend(lines, { "def sub(a, b):", "    ", "", "def sub(a, b):", "    ", "", "y = 1" })
  in_new_file("bottom.py", lines, function()
    wait_attached()
    lua("vim.bo.indentexpr = ''; vim.bo.autoindent = false")
    --- The window's rows of text as drawn, top first (below its winbar).
    local function rows()
      return lua([[
        vim.cmd("redraw")
        local info = vim.fn.getwininfo(vim.api.nvim_get_current_win())[1]
        local out = {}
        for r = info.winrow + info.winbar, info.winrow + info.winbar + info.height - 1 do
          local cells = {}
          for c = info.wincol, info.wincol + info.width - 1 do cells[#cells + 1] = vim.fn.screenstring(r, c) end
          out[#out + 1] = (table.concat(cells):gsub("%s+$", ""))
        end
        return out
      ]])
    end
    -- A winbar (breadcrumbs, a file name) takes a row of the window's height: the block's
    -- last line was left under the window.
    for _, case in ipairs({ { 45, "" }, { 42, "" }, { 45, "%f" }, { 42, "%f" } }) do
      local lnum = case[1]
      normal_mode()
      lua("vim.wo.winbar = ...; vim.api.nvim_buf_set_lines(0, 0, -1, false, select(2, ...))", case[2], lines)
      -- The block's `    ` line on the window's last row.
      lua("vim.api.nvim_win_set_cursor(0, { ..., 0 }); vim.cmd('normal! zb')", lnum)
      local top = lua("return vim.fn.line('w0')")
      input("A")
      wait_ghost("diff = a - b")
      local shown = wait_for(("the block's last line in the window (winbar %q)"):format(case[2]), function()
        local r = rows()
        return r[#r] == "    return diff" and r, r
      end, 3000)
      check(shown[#shown - 1] == "    diff = a - b", "rows " .. vim.inspect(shown))
      -- Scrolled by one line: the block has one line below the cursor's.
      check(lua("return vim.fn.line('w0')") == top + 1, "top line " .. lua("return vim.fn.line('w0')"))
      input("<Tab>")
      wait_line(lnum, "    return diff")
      local s = state()
      check(s.row == lnum and lua("return vim.fn.line('w$')") >= lnum + 1, "cursor not in view " .. vim.inspect(s))
    end
  end)
end)

--- A new line `choice = ` (the fake answers a choice a temperature there), the cursor at its end
--- in insert mode; its row.
local function at_a_choice_line()
  lua("vim.api.nvim_buf_set_lines(0, -1, -1, false, { 'choice = ' })")
  local row = lua("return vim.api.nvim_buf_line_count(0) - 1")
  lua("vim.api.nvim_win_set_cursor(0, { ..., 9 })", row + 1)
  input("A")
  wait_for("insert mode", function()
    return state().mode == "i"
  end)
  return row
end

step("cycle: next/prev ask with triggerKind Invoked and switch between 3 choices", function()
  normal_mode()
  without_auto_trigger(function()
    local row = at_a_choice_line()
    check(ghost() == nil, "a suggestion showed although auto_trigger is off")
    input("<M-]>")
    local g = wait_ghost("pick(1)")
    check(g.current.count == 3, "expected 3 choices, got " .. tostring(g.current.count))
    check(g.extra == " (1/3)", "count hint " .. vim.inspect(g.extra))
    input("<M-]>")
    wait_ghost("pick(2)")
    input("<M-[>")
    wait_ghost("pick(1)")
    input("<M-[>")
    wait_ghost("pick(3)", "wrap-around to the last choice")
    input("<Tab>")
    wait_line(row, "choice = pick(3)")
  end)
end)

step("cycle: the choice cycled to is the one the server goes on with once typed through and asked again (its second, and back at the first, its first)", function()
  -- The server serves a choice typed through from what it holds, the newest first: it went on
  -- with the first choice where the user had cycled to the second. The plugin tells it each
  -- item it draws (didShowCompletion), cycling back included.
  for _, case in ipairs({ { keys = { "<M-]>" }, shown = "pick(2)" }, { keys = { "<M-]>", "<M-[>" }, shown = "pick(1)" } }) do
    normal_mode()
    without_auto_trigger(function()
      local row = at_a_choice_line()
      input("<M-]>")
      wait_ghost("pick(1)")
      for _, key in ipairs(case.keys) do
        input(key)
      end
      wait_ghost(case.shown)
      input("p")
      wait_ghost(case.shown:sub(2))
      -- Asked again where the user is (as after Esc and back): the server's answer.
      lua("require('deepseek_lsp.ghost').reset(0); require('deepseek_lsp.ghost').request(0)")
      wait_ghost(case.shown:sub(2), "the server's answer: the rest of " .. case.shown)
      input("<Tab>")
      wait_line(row, "choice = " .. case.shown)
    end)
  end
end)

step("dismiss: <C-]> hides the suggestion, then <Tab> falls back to a plain Tab", function()
  normal_mode()
  lua("vim.api.nvim_buf_set_lines(0, -1, -1, false, { '    re' })")
  local row = lua("return vim.api.nvim_buf_line_count(0) - 1")
  lua("vim.api.nvim_win_set_cursor(0, { ..., 5 })", row + 1)
  input("A")
  input("t")
  wait_ghost("urn a * b")
  input("<C-]>")
  wait_for("the ghost text to go", function()
    return ghost() == nil
  end, 3000)
  input("<Tab>")
  wait_line(row, "    ret ")
  normal_mode()
  lua("vim.api.nvim_buf_set_lines(0, ..., ... + 1, false, {})", row)
end)

step("multi-line: first line inline, the rest as virt_lines; accept line, then the rest", function()
  normal_mode()
  lua("vim.api.nvim_buf_set_lines(0, -1, -1, false, { '', '', 'def sub(a, b):', '    ' })")
  local row = lua("return vim.api.nvim_buf_line_count(0) - 1")
  lua("vim.api.nvim_win_set_cursor(0, { ..., 4 })", row + 1)
  input("A")
  local g = wait_ghost("diff = a - b")
  check(vim.deep_equal(g.lines, { "    return diff" }), "virt_lines " .. vim.inspect(g.lines))
  input("<M-C-Right>")
  wait_line(row, "    diff = a - b")
  g = wait_for("the second line still shown as a virt_line", function()
    local gh = ghost()
    return gh and gh.text == "" and vim.deep_equal(gh.lines, { "    return diff" }) and gh, gh
  end, 3000)
  input("<Tab>")
  wait_line(row + 1, "    return diff")
  local s = state()
  check(s.row == row + 1 and s.col == #"    return diff", "cursor " .. vim.inspect(s))
end)

step("multi-line before an auto-closed '}' (`{|}` and a body): the buffer's '}' is covered on the first line, after the block's first line if any, and drawn at the block's end; a line accept, then <Tab>, leave one '}'", function()
  in_new_file("add.js", { "function add(a, b) {}" }, function()
    wait_attached()
    -- Levels of two, as the answers' bodies: where no line is indented, a suggestion takes
    -- what the editor inserts (the test's shiftwidth is 4).
    lua("vim.bo.shiftwidth = 2")
    local win = lua("return vim.api.nvim_get_current_win()")
    local function drawn(lnum)
      return ((lua("return E2E.drawn(...)", win, lnum) or ""):gsub("%s+$", ""))
    end
    lua("vim.api.nvim_win_set_cursor(0, { 1, 20 })")
    input("i")
    -- The item replaces the '}' and ends with it: drawn as the accept will make it. The '}'
    -- was left on the first line (`function add(a, b) {}`) and the block's last line was blank.
    local g = wait_for("the block drawn with its '}' last", function()
      local gh = ghost()
      return gh and vim.deep_equal(gh.lines, { "  return a + b;", "}" }) and gh, gh
    end)
    check(g.text == "" and g.row == 0 and g.col == 20, "ghost " .. vim.inspect(g))
    check(drawn(1) == "function add(a, b) {", "line 1 drawn as " .. vim.inspect(drawn(1)))
    input("<M-C-Right>")
    wait_line(1, "  return a + b;}")
    wait_for("the last line, '}', drawn below", function()
      local gh = ghost()
      return gh and vim.deep_equal(gh.lines, { "}" }) and gh, gh
    end)
    check(drawn(2) == "  return a + b;", "line 2 drawn as " .. vim.inspect(drawn(2)))
    input("<Tab>")
    wait_line(2, "}")
    local lines = lua("return vim.api.nvim_buf_get_lines(0, 0, -1, false)")
    check(vim.deep_equal(lines, { "function add(a, b) {", "  return a + b;", "}" }), vim.inspect(lines))
    check(drawn(1) == "function add(a, b) {" and drawn(3) == "}", "drawn " .. vim.inspect({ drawn(1), drawn(2), drawn(3) }))
    -- The block's first line drawn on the header's line, and the '}' covered after it (it read
    -- `function mul(a, b) { // the product}`).
    normal_mode()
    lua("vim.api.nvim_buf_set_lines(0, -1, -1, false, { '', 'function mul(a, b) {}' })")
    lua("vim.api.nvim_win_set_cursor(0, { 5, 20 })")
    input("i")
    g = wait_ghost(" // the product")
    check(vim.deep_equal(g.lines, { "  return a * b;", "}" }), "virt_lines " .. vim.inspect(g.lines))
    check(drawn(5) == "function mul(a, b) { // the product", "line 5 drawn as " .. vim.inspect(drawn(5)))
    input("<Tab>")
    wait_line(6, "}")
    lines = lua("return vim.api.nvim_buf_get_lines(0, 4, -1, false)")
    check(vim.deep_equal(lines, { "function mul(a, b) { // the product", "  return a * b;", "}" }), vim.inspect(lines))
  end)
end)

step("an empty object literal's braces in a .ts file (`const o = {|}`): its members drawn over lines above the buffer's '}', and accepted there", function()
  in_new_file("obj.ts", { "const o = {}" }, function()
    wait_attached()
    lua("vim.bo.shiftwidth = 2")
    local since = #vim.json.decode(fake_control("requests"))
    local started = vim.uv.hrtime()
    lua("vim.api.nvim_win_set_cursor(0, { 1, 11 })")
    input("i")
    local g = wait_for("the members drawn with the '}' last", function()
      local gh = ghost()
      if gh and vim.deep_equal(gh.lines, { "  name: 'x',", "  size: 2,", "}" }) then
        return gh
      end
      -- What was asked, and when: a line's limit (48 tokens, a stop at the line's end), or nothing yet.
      local asked = {}
      for i, r in ipairs(vim.json.decode(fake_control("requests"))) do
        if i > since and type(r.json) == "table" then
          table.insert(asked, { max_tokens = r.json.max_tokens, stop = r.json.stop, prompt_end = type(r.json.prompt) == "string" and r.json.prompt:sub(-12) })
        end
      end
      return nil, { ghost = gh, asked = asked, after_s = (vim.uv.hrtime() - started) / 1e9 }
    end, 30000) -- the first TypeScript file's request waits for its queries compiled: 6.5 s at load 20
    check(g.text == "" and g.row == 0 and g.col == 11, "ghost " .. vim.inspect(g))
    input("<Tab>")
    wait_buffer({ "const o = {", "  name: 'x',", "  size: 2,", "}" }, "the members accepted above the '}'")
  end)
end)

step("a docstring opened, a letter typed into it while its answer still streams: drawn closed, as the answer will be, and accepted so (its lines so far were drawn open, the accept leaving the body in the string)", function()
  local header, body = "def double(x):", "    return x * 2"
  in_new_file("double.py", { header, '    """', body }, function()
    wait_attached()
    lua("vim.bo.indentexpr = ''")
    -- Held after its last line of text, before the closing quotes.
    fake_control("pause_after", { marker = "to use.\n" })
    local ok, err = pcall(function()
      lua("vim.api.nvim_win_set_cursor(0, { 2, 7 })")
      input("A")
      wait_for("the answer's stream held after 'to use.'", function()
        return vim.json.decode(fake_control("paused")).paused
      end, 10000)
      -- The server reads the chunks sent before the hold at once; no event tells it did.
      vim.wait(300)
      input("D")
      local g = wait_for("the rest drawn with the docstring's closing quotes", function()
        local gh = ghost()
        return gh and gh.text == "ouble x." and gh.lines[#gh.lines] == '    """' and gh, gh
      end)
      check(vim.deep_equal(g.lines, { "", "    Returns twice x, for the caller", "    to use.", '    """' }), "ghost " .. vim.inspect(g))
      input("<Tab>")
      wait_buffer({ header, '    """Double x.', "", "    Returns twice x, for the caller", "    to use.", '    """', body }, "the docstring accepted closed")
    end)
    fake_control("resume")
    check(ok, err)
  end)
end)

step("typing through a block: Enter's autoindent deeper than the suggestion's next line keeps the suggestion, and so does typing its text there; the accept takes the extra indent out; '.' repeats it", function()
  in_new_file("clamp.py", { "def clamp(x):", "    ", "", "def clamp(x):", "    " }, function()
    wait_attached()
    lua("vim.bo.indentexpr = ''; vim.bo.autoindent = true; vim.bo.expandtab = true")
    lua("vim.api.nvim_win_set_cursor(0, { 2, 4 })")
    input("A")
    wait_ghost("if x < 0:")
    input("if x <lt> 0:<CR>")
    wait_ghost("    return 0", "the suggestion's next line, typed through the line break")
    -- Enter after `return 0` indents as that line is (8 columns); the suggestion goes on at 4.
    -- The suggestion was cleared there and asked again (the answer knew nothing of it).
    input("    return 0<CR>")
    local g = wait_ghost("return x", "the suggestion's last line on the deeper autoindent")
    -- Drawn where the accept puts it, over the extra indent: it stood on the deeper indent
    -- (`        return x`), and the accept moved it left.
    local win = lua("return vim.api.nvim_get_current_win()")
    local function drawn(lnum)
      return ((lua("return E2E.drawn(...)", win, lnum) or ""):gsub("%s+$", ""))
    end
    check(drawn(4) == "    return x", "line 4 drawn as " .. vim.inspect(drawn(4)))
    check(g.row == 3 and g.col == 4 and g.pos == "overlay" and #g.lines == 0, "ghost " .. vim.inspect(g))
    -- Typed after that indent, the line's text still types through it.
    input("r")
    g = wait_ghost("eturn x", "the rest after 'r' typed on the deeper indent")
    check(drawn(4) == "    return x", "line 4 drawn as " .. vim.inspect(drawn(4)) .. " after 'r'")
    input("<M-Right>")
    wait_line(3, "    return")
    wait_ghost(" x", "the rest after a word accepted")
    input("<Tab>")
    wait_line(3, "    return x")
    local s = state()
    check(s.row == 3 and s.col == #"    return x", "cursor " .. vim.inspect(s))
    local block = { "    if x < 0:", "        return 0", "    return x" }
    local lines = lua("return vim.api.nvim_buf_get_lines(0, 1, 4, false)")
    check(vim.deep_equal(lines, block), vim.inspect(lines))
    normal_mode()
    lua("vim.api.nvim_win_set_cursor(0, { 7, 4 })")
    input(".")
    vim.wait(300)
    lines = lua("return vim.api.nvim_buf_get_lines(0, 6, -1, false)")
    check(vim.deep_equal(lines, block), "after '.': " .. vim.inspect(lines))
  end)
end)

--- In a new file ``name`` of ``header`` and an empty body, with autoindent, types the fake's
--- block for it through its first two lines: the cursor on Enter's indent, deeper than the
--- block's next line. Then runs ``fn``.
local function through_block(name, header, fn)
  in_new_file(name, { header, "    " }, function()
    wait_attached()
    lua("vim.bo.indentexpr = ''; vim.bo.autoindent = true; vim.bo.expandtab = true")
    lua("vim.api.nvim_win_set_cursor(0, { 2, 4 })")
    input("A")
    wait_ghost("if x < 0:")
    input("if x <lt> 0:<CR>    return 0<CR>")
    fn()
  end)
end

step("typing through a block: text typed on the deeper autoindent that holds a combining accent ('é' as e and U+0301) goes back to the item's indent whole", function()
  through_block("accent.py", "def accent(x):", function()
    wait_ghost("e\u{301} = x", "the last line on the deeper autoindent")
    input("e\u{301}")
    wait_ghost(" = x", "the rest after the accented letter")
    local drawn = lua("return E2E.drawn(vim.api.nvim_get_current_win(), 4)"):gsub("%s+$", "")
    check(drawn == "    e\u{301} = x", "line 4 drawn as " .. vim.inspect(drawn))
    input("<Tab>")
    -- Counted as two characters, the keys went one column too far left: '   é = x'.
    wait_line(3, "    e\u{301} = x")
  end)
end)

step("typing through a block onto a deeper autoindent: the rest of the block is drawn as the accept inserts it, its lines in line with each other", function()
  through_block("limit.py", "def limit(x):", function()
    local g = wait_ghost("y = x", "the block's third line on the deeper autoindent")
    check(vim.deep_equal(g.lines, { "    return y" }), "virt_lines " .. vim.inspect(g.lines))
    -- Line 4 and the virtual line below it, as the window shows them.
    local rows = lua([[
      vim.cmd("redraw")
      local win = vim.api.nvim_get_current_win()
      local row, info = vim.fn.screenpos(win, 4, 1).row, vim.fn.getwininfo(win)[1]
      local out = {}
      for r = row, row + 1 do
        local cells = {}
        for c = info.wincol, info.wincol + info.width - 1 do cells[#cells + 1] = vim.fn.screenstring(r, c) end
        out[#out + 1] = (table.concat(cells):gsub("%s+$", ""))
      end
      return out
    ]])
    -- It read `        y = x` above `    return y`.
    check(vim.deep_equal(rows, { "    y = x", "    return y" }), "drawn " .. vim.inspect(rows))
    input("<Tab>")
    wait_line(4, "    return y")
    local lines = lua("return vim.api.nvim_buf_get_lines(0, 1, -1, false)")
    check(vim.deep_equal(lines, { "    if x < 0:", "        return 0", "    y = x", "    return y" }), vim.inspect(lines))
  end)
end)

step("typing through a block onto a deeper autoindent before an auto-closed '}': the line is drawn where the accept puts it, the '}' covered and drawn at the block's end", function()
  in_new_file("sign.js", { "function sign(x) {}" }, function()
    wait_attached()
    lua("vim.bo.indentexpr = ''; vim.bo.autoindent = true; vim.bo.expandtab = true; vim.bo.shiftwidth = 2")
    lua("vim.api.nvim_win_set_cursor(0, { 1, 18 })")
    input("i")
    wait_for("the block before the '}'", function()
      local gh = ghost()
      return gh and #gh.lines == 5 and gh, gh
    end)
    -- Enter's autoindent gives 2 columns, the inner line has 4: typed; Enter after it gives 4
    -- where the block goes on with `  }` at 2, the editor's '}' after the cursor.
    input("<CR>  if (x <lt> 0) {<CR>  return -1;<CR>")
    local g = wait_for("the inner block's '}' on the deeper autoindent", function()
      local gh = ghost()
      return gh and gh.row == 3 and vim.deep_equal(gh.lines, { "  return 1;", "}" }) and gh, gh
    end)
    check(state().line == "    }", "line 4 " .. vim.inspect(state().line))
    local drawn = lua("return E2E.drawn(vim.api.nvim_get_current_win(), 4)"):gsub("%s+$", "")
    -- It read `    }`, where the accept gives `  }`, out of line with the `  if`.
    check(drawn == "  }", "line 4 drawn as " .. vim.inspect(drawn))
    input("<Tab>")
    wait_line(5, "}")
    local lines = lua("return vim.api.nvim_buf_get_lines(0, 0, -1, false)")
    local want = { "function sign(x) {", "  if (x < 0) {", "    return -1;", "  }", "  return 1;", "}" }
    check(vim.deep_equal(lines, want), vim.inspect(lines))
  end)
end)

--- In a new C# buffer with autoindent alone and an autopair mapping for `{`: types ``keys`` on
--- line ``row`` (`A<CR>{` after `namespace App`) and waits for the suggestion that leaves blocks
--- open (a class, its method's header).
local function open_blocks_ghost(row, keys, header)
  wait_attached()
  lua("vim.bo.indentexpr = ''; vim.bo.cindent = false; vim.bo.smartindent = false")
  lua("vim.bo.autoindent = true")
  lua([[vim.keymap.set("i", "{", "{}<Left>", { buffer = 0 })]])
  lua("vim.api.nvim_win_set_cursor(0, { ..., 0 })", row)
  input(keys)
  wait_for("the class and its method's header", function()
    local gh = ghost()
    return gh and vim.tbl_contains(gh.lines, header or "        public static void PrintJson()") and gh, gh
  end)
end

step("blocks a suggestion leaves open, accepted inside an autopair's '{}' and '{ | }': the cursor goes to the end of its last line, the '}' on a line below (the next key went after the '}', '}x', then before it, 'x}')", function()
  -- "{ | }": the item replaces the blank before the "}" (the accept deletes it first, then pastes).
  for i, keys in ipairs({ "{", "{  <Left>" }) do
    in_new_file(("Prog%d.cs"):format(i), { "using System;", "", "namespace App" }, function()
      open_blocks_ghost(3, "A<CR>" .. keys)
      input("<Tab>")
      wait_line(7, "}")
      input("x")
      wait_line(6, "        public static void PrintJson()x")
      local lines = lua("return vim.api.nvim_buf_get_lines(0, 0, -1, false)")
      -- The blank typed before the cursor stays.
      local want = { "using System;", "", "namespace App", i == 1 and "{" or "{ ",
                     "    public static class Main", "    {", "        public static void PrintJson()x", "}" }
      check(vim.deep_equal(lines, want), keys .. ": " .. vim.inspect(lines))
    end)
  end
end)

-- Each key in its own class, each case asked of the fake afresh: a repeat is served from the
-- server's exact cache, and whether the `(` then finds the suggestion is the cache's business
-- (tests/test_completion_cache_paths.py), not the plugin's.
local PAREN_CLASSES = { { "<M-C-Right>", "Event" }, { "<M-Right>", "Span" }, { "<Tab>", "Slot" } }
local PAREN_BODY = { "    def __init__(self, start, end):", "        self.start = start", "        self.end = max(start, end)" }

step("a multi-line suggestion typed through into an autopair's '()': accepted by line, word or whole, the ')' its first line goes past is the buffer's (a line accept left 'end):)', a word accept a ')' on the next line)", function()
  local bad = {}
  for _, case in ipairs(PAREN_CLASSES) do
    local key, class = case[1], case[2]
    -- Every key tried, each one's failure reported.
    local ok, err = pcall(in_new_file, class:lower() .. ".py", { ("class %s(object):"):format(class), "" }, function()
      wait_attached()
      lua("vim.bo.indentexpr = ''; vim.bo.autoindent = true")
      lua([[vim.keymap.set("i", "(", "()<Left>", { buffer = 0 })]])
      lua("vim.api.nvim_win_set_cursor(0, { 2, 0 })")
      input("A")
      wait_ghost(PAREN_BODY[1], "the method on the blank line")
      -- Key by key, as typed: the item stays shown as it is typed through.
      local typed = ""
      for ch in ("    def __init__("):gmatch(".") do
        input(ch)
        typed = typed .. ch
        wait_line(1, typed .. (ch == "(" and ")" or ""))
        vim.wait(30)
      end
      wait_for("the method, typed through into '()'", function()
        local g = ghost()
        return g and g.lines[1] == PAREN_BODY[2], g
      end)
      -- A word accept takes the line in pieces, the last one its '):' with the line break and
      -- the next line's indent (VS Code's rule: what stands before the next word).
      local want = key == "<Tab>" and PAREN_BODY
        or key == "<M-Right>" and { PAREN_BODY[1], (PAREN_BODY[2]:match("^%s*")) }
        or { PAREN_BODY[1] }
      local get = "return vim.api.nvim_buf_get_lines(0, 0, -1, false)"
      for _ = 1, key == "<M-Right>" and 8 or 1 do
        local before = lua(get)
        if before[2] == PAREN_BODY[1] then
          break
        end
        input(key)
        wait_for(key .. " taking a piece", function()
          local now = lua(get)
          return not vim.deep_equal(now, before), now
        end)
      end
      table.insert(want, 1, ("class %s(object):"):format(class))
      wait_for(key .. ": the accept", function()
        local lines = lua(get)
        return vim.deep_equal(lines, want), lines
      end, 3000)
    end)
    if not ok then
      bad[#bad + 1] = tostring(err)
    end
  end
  check(#bad == 0, table.concat(bad, "\n"))
end)

step("blocks a suggestion leaves open, accepted line by line inside an autopair's '{}': the last line's accept puts the next key at the end of its last line, as a whole accept does (it went before the '}': 'x}')", function()
  in_new_file("Lines.cs", { "namespace App" }, function()
    open_blocks_ghost(1, "A<CR>{")
    input("<M-C-Right>")
    wait_line(2, "    public static class Main}")
    input("<M-C-Right>")
    wait_line(3, "    {}")
    input("<M-C-Right>")
    wait_line(4, "        public static void PrintJson()}")
    input("<M-C-Right>")
    wait_line(5, "}")
    input("x")
    wait_for("the x", function()
      local got = lua("return vim.api.nvim_buf_get_lines(0, 0, -1, false)")
      local want = { "namespace App", "{", "    public static class Main", "    {",
                     "        public static void PrintJson()x", "}" }
      return vim.deep_equal(got, want), got
    end, 3000)
  end)
end)

step("blocks a suggestion leaves open, its line break typed (no autoindent) and its indent accepted: the cursor stays on the line typed, before the '}' (it went up a line)", function()
  in_new_file("Typed.cs", { "namespace App", "{", "    namespace Inner", "}" }, function()
    open_blocks_ghost(3, "A<CR>{", "            static void Print()")
    for _ = 1, 3 do
      input("<M-C-Right>")
    end
    wait_line(6, "            static void Print()}")
    without_auto_trigger(function()
      lua("vim.bo.autoindent = false")
      input("<CR>")
      wait_line(7, "}")
      input("<Tab>")
      wait_line(7, "    }")
      input("x")
      wait_for("the x", function()
        local got = lua("return vim.api.nvim_buf_get_lines(0, 6, 9, false)")
        return vim.deep_equal(got, { "            static void Print()", "    x}", "}" }), got
      end, 3000)
    end)
  end)
end)

step("blocks a suggestion leaves open, accepted in a macro inside an autopair's '{}': '@a' puts the next key at the end of its last line too, as the accept did (it went before the '}': 'x}')", function()
  in_new_file("Macro.cs", { "namespace App", "", "namespace App" }, function()
    open_blocks_ghost(1, "qaA<CR>{")
    input("<Tab>")
    wait_line(5, "}")
    input("x<Esc>q")
    wait_for("the recording to stop", function()
      return lua("return vim.fn.reg_recording()") == "", lua("return vim.fn.reg_recording()")
    end, 3000)
    vim.wait(100)
    local block = { "namespace App", "{", "    public static class Main", "    {",
                    "        public static void PrintJson()x", "}" }
    without_auto_trigger(function()
      lua("vim.api.nvim_win_set_cursor(0, { 8, 0 })")
      input("@a")
      wait_for("the macro's block", function()
        local got = lua("return vim.api.nvim_buf_get_lines(0, 0, -1, false)")
        local want = vim.list_extend(vim.list_extend(vim.deepcopy(block), { "" }), block)
        return vim.deep_equal(got, want), got
      end, 3000)
    end)
  end)
end)

--- In a new C# file, types Enter, `{` and Enter after `Task.Run(() =>` with autoindent alone
--- (no indenter: the cursor stays at the brace's column), then accepts what comes and returns
--- the buffer's lines; ``pairs``: with a simple autopair mapping (`{` gives `{}`, Enter between
--- them opens a line).
local function allman_lambda(name, pairs)
  local lines
  in_new_file(name, { "class Jobs", "{", "    void Run()", "    {", "        Task.Run(() =>", "    }", "}" }, function()
    wait_attached()
    lua("vim.bo.indentexpr = ''; vim.bo.cindent = false; vim.bo.smartindent = false; vim.bo.autoindent = true")
    if pairs then
      lua([[
        vim.keymap.set("i", "{", "{}<Left>", { buffer = 0 })
        vim.keymap.set("i", "<CR>", function()
          local l, col = vim.api.nvim_get_current_line(), vim.fn.col(".")
          return l:sub(col - 1, col) == "{}" and "<CR><Esc>O" or "<CR>"
        end, { buffer = 0, expr = true })
      ]])
    end
    lua("vim.api.nvim_win_set_cursor(0, { 5, 0 })")
    input("A<CR>{<CR>")
    local g = wait_ghost("Work();", "the lambda's first statement")
    local want = pairs and { "            Done();" } or { "            Done();", "        });" }
    check(vim.deep_equal(g.lines, want), "virt_lines " .. vim.inspect(g.lines))
    input("<Tab>")
    wait_line(7, "            Done();")
    lines = lua("return vim.api.nvim_buf_get_lines(0, 0, -1, false)")
  end)
  return lines
end

step("an Allman lambda's body typed under its lone '{' with autoindent alone: its closer stays under the '{' (it went a level left, as did the next statement), none doubled with an autopair's", function()
  local head = { "class Jobs", "{", "    void Run()", "    {", "        Task.Run(() =>", "        {", "        Work();", "            Done();" }
  local lines = allman_lambda("Jobs.cs", false)
  check(vim.deep_equal(lines, vim.list_extend(vim.deepcopy(head), { "        });", "    }", "}" })), vim.inspect(lines))
  lines = allman_lambda("PairedJobs.cs", true)
  check(vim.deep_equal(lines, vim.list_extend(vim.deepcopy(head), { "        }", "    }", "}" })), vim.inspect(lines))
end)

step("an object initializer's entries accepted above the '}' the editor put below: the model's ';' goes after that '}' by the server's edit, undone with the accept", function()
  local head = { "class A", "{", "    void F()", "    {", "        var p = new Point", "        {" }
  local tail = { "    }", "}" }
  in_new_file("Init.cs", vim.list_extend(vim.list_extend(vim.deepcopy(head), { "            ", "        }" }), tail), function()
    wait_attached()
    lua("vim.bo.indentexpr = ''; vim.bo.autoindent = false; vim.bo.expandtab = true")
    lua("vim.api.nvim_win_set_cursor(0, { 7, 0 })")
    input("A")
    local g = wait_ghost("X = 1,", "the initializer's entries")
    check(vim.deep_equal(g.lines, { "            Y = 2," }), "virt_lines " .. vim.inspect(g.lines))
    input("<Tab>")
    wait_line(8, "        };")
    local body = { "            X = 1,", "            Y = 2," }
    local lines = lua("return vim.api.nvim_buf_get_lines(0, 0, -1, false)")
    local want = vim.list_extend(vim.list_extend(vim.deepcopy(head), vim.list_extend(vim.deepcopy(body), { "        };" })), tail)
    check(vim.deep_equal(lines, want), vim.inspect(lines))
    -- One undo takes the `;` back with the accept (the insert's undo block holds both).
    input("<Esc>u")
    wait_line(7, "        }")
    lines = lua("return vim.api.nvim_buf_get_lines(0, 0, -1, false)")
    want = vim.list_extend(vim.list_extend(vim.deepcopy(head), { "            ", "        }" }), tail)
    check(vim.deep_equal(lines, want), "after u: " .. vim.inspect(lines))
  end)
end)

step("an object initializer's entries accepted above a statement: the server's ';' after the '}' there too (the C# parser read the '}' and the next line as one expression, and none came)", function()
  local head = { "class A", "{", "    void F()", "    {", "        var p = new Point", "        {" }
  local tail = { "        Show(p);", "    }", "}" }
  in_new_file("InitAbove.cs", vim.list_extend(vim.list_extend(vim.deepcopy(head), { "            ", "        }" }), tail), function()
    wait_attached()
    lua("vim.bo.indentexpr = ''; vim.bo.autoindent = false; vim.bo.expandtab = true")
    lua("vim.api.nvim_win_set_cursor(0, { 7, 0 })")
    input("A")
    wait_ghost("X = 1,", "the initializer's entries")
    input("<Tab>")
    wait_line(8, "        };")
    local body = { "            X = 1,", "            Y = 2,", "        };" }
    local lines = lua("return vim.api.nvim_buf_get_lines(0, 0, -1, false)")
    check(vim.deep_equal(lines, vim.list_extend(vim.list_extend(vim.deepcopy(head), body), tail)), vim.inspect(lines))
  end)
end)

step("an object initializer's entries accepted with Enter typed at once: the server's ';', asked for the text before the Enter, is not put into the new line", function()
  local head = { "class A", "{", "    void F()", "    {", "        var p = new Point", "        {" }
  local tail = { "    }", "}" }
  in_new_file("InitRace.cs", vim.list_extend(vim.list_extend(vim.deepcopy(head), { "            ", "        }" }), tail), function()
    wait_attached()
    lua("vim.bo.indentexpr = ''; vim.bo.autoindent = false; vim.bo.expandtab = true")
    lua("vim.api.nvim_win_set_cursor(0, { 7, 0 })")
    input("A")
    wait_ghost("X = 1,", "the initializer's entries")
    -- Enter in the same keys as the Tab: typed before the server's edit comes. Unversioned
    -- (Neovim declares no documentChanges), that edit put its ';' at the '}''s old place,
    -- now the new line's (a ';' in the entries, the '}' still without one).
    input("<Tab><CR>")
    wait_line(9, "        }")
    vim.wait(1000)
    local lines = lua("return vim.api.nvim_buf_get_lines(0, 0, -1, false)")
    local body = { "            X = 1,", "            Y = 2,", "" }
    local want = vim.list_extend(vim.list_extend(vim.deepcopy(head), vim.list_extend(vim.deepcopy(body), { "        }" })), tail)
    check(vim.deep_equal(lines, want), vim.inspect(lines))
  end)
end)

--- In a new file ``name`` of ``header`` and a body line, types "ret" there with the fake taking
--- 0.8 s to answer; while the model is asked, ``leave()`` leaves the buffer in insert mode, and
--- once the answer has come ``back()`` comes back and checks what is shown. The model must have
--- been asked once: the stream closed on leaving, it was asked again on coming back.
--- ``prepare()``, before the typing, may return what undoes it.
---@param t {leave: function, back: function, prepare?: function}
local function away_while_asked(name, header, t)
  in_new_file(name, { header, "    " }, function()
    wait_attached()
    lua("vim.bo.indentexpr = ''; vim.bo.autoindent = false")
    local undo = t.prepare and t.prepare()
    local place = vim.pesc(header) .. "\n    ret$"
    local function asked()
      local n = 0
      for _, prompt in ipairs(fake_prompts()) do
        n = n + (prompt:match(place) and 1 or 0)
      end
      return n
    end
    fake_control("latency", { ttft = 0.8 })
    local ok, err = pcall(function()
      lua("vim.api.nvim_win_set_cursor(0, { 2, 4 })")
      input("A")
      input("ret")
      wait_for("the request to reach the model", function()
        return asked() == 1
      end)
      t.leave()
      vim.wait(1200) -- the answer has come by now, unless the stream was closed
      t.back()
    end)
    fake_control("latency", { ttft = 0 })
    if undo then
      undo()
    end
    check(ok, err)
    check(asked() == 1, ("the model was asked %d times"):format(asked()))
  end)
end

step("leaving the buffer in insert mode while a suggestion is on its way (a click in another window, a <Cmd> mapping): back there, it shows without asking the model again", function()
  -- A header of its own: the server keeps the answers it had for other steps' prompts.
  local other
  away_while_asked("leave.py", "def product(a, b):", {
    prepare = function()
      other = lua("local b = vim.api.nvim_create_buf(true, false); vim.cmd('rightbelow vsplit'); vim.api.nvim_win_set_buf(0, b); vim.cmd('wincmd p'); return b")
      return function()
        lua("vim.api.nvim_buf_delete(..., { force = true })", other)
      end
    end,
    leave = function()
      input("<Cmd>wincmd w<CR>")
      wait_for("the other buffer", function()
        return lua("return vim.api.nvim_get_current_buf()") == other
      end)
    end,
    back = function()
      input("<Cmd>wincmd w<CR>")
      wait_ghost("urn a * b", "the suggestion back in the buffer")
    end,
  })
end)

step("leaving the buffer in insert mode with <C-o>:buffer # while a suggestion is on its way: back there, the cursor is at the line's end where it was, the suggestion shown there without asking the model again", function()
  local here_buf
  away_while_asked("back.py", "def times(a, b):", {
    leave = function()
      here_buf = lua("return vim.api.nvim_get_current_buf()")
      input("<C-o>:buffer #<CR>")
      wait_for("the alternate buffer", function()
        return lua("return vim.api.nvim_get_current_buf()") ~= here_buf
      end)
    end,
    back = function()
      input("<C-o>:buffer #<CR>")
      wait_for("back in insert mode", function()
        local s = state()
        return lua("return vim.api.nvim_get_current_buf()") == here_buf and s.mode == "i", s
      end)
      -- Neovim's own <C-o> put the cursor on the 't' (`    re|t`): the answer, for the line's
      -- end, was not shown, and a key typed went in before the 't'.
      wait_for("the cursor at the line's end", function()
        local s = state()
        return s.row == 1 and s.col == 7, s
      end, 3000)
      wait_ghost("urn a * b", "the suggestion back in the buffer")
      local drawn = lua("return E2E.drawn(vim.api.nvim_get_current_win(), 2)"):gsub("%s+$", "")
      check(drawn == "    return a * b", "line 2 drawn as " .. vim.inspect(drawn))
      input("<Tab>")
      wait_line(1, "    return a * b")
    end,
  })
end)

step("typing through a block in a tab-indented file: the line on Enter's deeper tab drawn over the extra tab, the accept leaves one, one 'u' undoes the whole insert", function()
  local body = { "def other(y):", "\tif y:", "\t\treturn 1", "\treturn 2", "", "def clamp(x):", "\t" }
  in_new_file("tabs.py", body, function()
    wait_attached()
    lua("vim.bo.indentexpr = ''; vim.bo.autoindent = true; vim.bo.expandtab = false; vim.bo.tabstop = 4; vim.bo.shiftwidth = 4")
    lua("vim.cmd('let &undolevels = &undolevels')") -- break the undo sequence
    lua("vim.api.nvim_win_set_cursor(0, { 7, 1 })")
    input("A")
    wait_ghost("if x < 0:")
    -- <Tab> accepts: a tab typed is <C-v><Tab>.
    input("if x <lt> 0:<CR><C-v><Tab>return 0<CR>")
    local g = wait_ghost("return x", "the last line on the deeper tab")
    check(g.col == 1 and g.pos == "overlay", "ghost " .. vim.inspect(g))
    local drawn = lua("return E2E.drawn(vim.api.nvim_get_current_win(), 9)"):gsub("%s+$", "")
    check(drawn == "    return x", "line 9 drawn as " .. vim.inspect(drawn))
    input("<Tab>")
    wait_line(8, "\treturn x")
    normal_mode()
    input("u")
    wait_for("one 'u' to undo the insert", function()
      local lines = lua("return vim.api.nvim_buf_get_lines(0, 0, -1, false)")
      return vim.deep_equal(lines, body), lines
    end, 3000)
  end)
end)

step("a file whose only tab-led line is the blank one typed on, with noexpandtab: the block's lines in tabs ('expandtab', 'shiftwidth', 'tabstop' told to the server), not in Python's four spaces (a TabError)", function()
  in_new_file("bound.py", { "def bound(x):", "\t" }, function()
    wait_attached()
    -- Over what Python's ftplugin set (expandtab, shiftwidth 4): told on OptionSet.
    lua("vim.bo.indentexpr = ''; vim.bo.autoindent = true; vim.bo.expandtab = false; vim.bo.tabstop = 4; vim.bo.shiftwidth = 4")
    lua("vim.api.nvim_win_set_cursor(0, { 2, 1 })")
    input("A")
    wait_ghost("if x < 0:")
    input("<Tab>")
    wait_line(3, "\treturn x")
    local lines = lua("return vim.api.nvim_buf_get_lines(0, 0, -1, false)")
    -- It read `\tif x < 0:`, `        return 0`, `    return x`.
    check(vim.deep_equal(lines, { "def bound(x):", "\tif x < 0:", "\t\treturn 0", "\treturn x" }), vim.inspect(lines))
  end)
end)

step("review on save: :w publishes a deepseek-review diagnostic on 'return a / b' (line 6)", function()
  normal_mode()
  lua("vim.cmd('silent write')")
  local d = wait_for("a deepseek-review diagnostic", function()
    local diags = lua([[
      local out = {}
      for _, d in ipairs(vim.diagnostic.get(0)) do
        if d.source == "deepseek-review" then
          table.insert(out, { lnum = d.lnum, col = d.col, end_col = d.end_col, message = d.message, severity = d.severity })
        end
      end
      return out
    ]])
    return diags[1], lua("return E2E.notes")
  end, 30000)
  check(d.lnum == RATIO, ("diagnostic on line %d, expected %d"):format(d.lnum + 1, RATIO + 1))
  check(d.col == 4 and d.end_col == 16, ("diagnostic columns %d-%d, expected 4-16"):format(d.col, d.end_col))
  check(d.message:find("Division by zero", 1, true), "message " .. d.message)
end)

step("'Ignore this DeepSeek finding' hides it; :DeepSeekUnignore shows it again, from the cache", function()
  local function division()
    local n = 0
    for _, d in ipairs(lua("return vim.tbl_map(function(d) return d.message end, vim.diagnostic.get(0))")) do
      if d:find("Division by zero", 1, true) then
        n = n + 1
      end
    end
    return n
  end
  lua("vim.api.nvim_win_set_cursor(0, { ..., 8 })", RATIO + 1)
  lua([[vim.lsp.buf.code_action({
    apply = true,
    context = { only = { "quickfix" } },
    filter = function(a) return a.title:find("^Ignore this DeepSeek finding") ~= nil end,
  })]])
  wait_for("the ignored finding's diagnostic to go", function()
    return division() == 0
  end, 5000)
  lua("E2E.notes = {}")
  lua("vim.cmd('DeepSeekUnignore')")
  wait_for("the finding shown again", function()
    return division() == 1
  end, 5000)
  local note = wait_for("a notification", function()
    for _, n in ipairs(lua("return E2E.notes")) do
      if n:find("shown again", 1, true) then
        return n
      end
    end
  end, 5000)
  check(note:find("1 ignored finding shown again", 1, true), "notification " .. note)
end)

step("quick fix: vim.lsp.buf.code_action applies 'Apply DeepSeek fix'", function()
  lua("vim.api.nvim_win_set_cursor(0, { ..., 8 })", RATIO + 1)
  lua([[vim.lsp.buf.code_action({
    apply = true,
    context = { only = { "quickfix" } },
    filter = function(a) return a.title == "Apply DeepSeek fix" end,
  })]])
  wait_line(RATIO, "    return a / b if b else 0.0")
end)

local function review_diagnostics()
  return lua([[
    local out = {}
    for _, d in ipairs(vim.diagnostic.get(0)) do
      if d.source == "deepseek-review" then
        table.insert(out, ("%d:%d-%d:%d %s"):format(d.lnum + 1, d.col, d.end_lnum + 1, d.end_col, d.message))
      end
    end
    return out
  ]])
end

step("server: the fixed finding's diagnostic goes once its quick fix is applied", function()
  wait_for("no deepseek-review diagnostic (Neovim sent the fix as a minimal edit)", function()
    local left = review_diagnostics()
    return #left == 0, left
  end, 3000)
end)

--- The first notification since E2E.notes was emptied that speaks of a review.
local function review_note(timeout)
  return wait_for("a review notification", function()
    local notes = lua("return E2E.notes")
    for _, n in ipairs(notes) do
      if n:find("review", 1, true) then
        return n
      end
    end
    return nil, notes
  end, timeout)
end

step(":e! of a file with a finding, nothing changed on disk: the finding is still shown", function()
  in_new_file("ratio_reload.py", { "def ratio(a, b):", "    return a / b", "" }, function()
    wait_attached()
    local function findings()
      return lua([[
        local out = {}
        for _, d in ipairs(vim.diagnostic.get(0)) do
          if d.source == "deepseek-review" then table.insert(out, d.lnum) end
        end
        return out
      ]])
    end
    lua("vim.cmd('silent write')")
    wait_for("the finding", function()
      local f = findings()
      return #f == 1, f
    end, 30000)
    lua("vim.cmd('edit!')")
    -- Neovim reloads as a close and an open: what the server does with them has had its time.
    vim.wait(1500)
    wait_for("the finding after :e!", function()
      local f = findings()
      return vim.deep_equal(f, { 1 }), f
    end, 5000)
  end)
end)

step(":saveas while the file's review runs: the finding is shown in the file saved as, on its line, with nothing said", function()
  normal_mode()
  local path = dir .. "/ratio_saveas.py"
  local src = dir .. "/ratio_src.py"
  -- Its own text: a review of a text reviewed before answers from the cache at once.
  vim.fn.writefile({ "def ratio_saved_as(a, b):", "    return a / b", "" }, src)
  lua("vim.cmd.edit(...)", src)
  lua("E2E.notes = {}")
  local ok, err = pcall(function()
    wait_attached()
    fake_control("fault", { kind = "stall", seconds = 3, count = 1, path = "/chat/completions" })
    lua("vim.cmd('silent write')")
    vim.wait(500) -- the review under way (its answer stalled 3 s)
    check(#lua("return vim.diagnostic.get(0)") == 0, "the review had ended before :saveas")
    lua("vim.cmd('silent saveas ' .. vim.fn.fnameescape(...))", path)
    local lines = wait_for("the finding in the file saved as", function()
      local got = lua([[
        local out = {}
        for _, d in ipairs(vim.diagnostic.get(0)) do
          if d.source == "deepseek-review" then table.insert(out, d.lnum) end
        end
        return { name = vim.fn.expand("%:t"), lines = out }
      ]])
      return got.name == "ratio_saveas.py" and #got.lines > 0 and got.lines, got
    end, 15000)
    check(vim.deep_equal(lines, { 1 }), "findings on lines " .. vim.inspect(lines))
    check(#lua("return E2E.notes") == 0, "said: " .. vim.inspect(lua("return E2E.notes")))
  end)
  lua("vim.cmd('silent! bwipeout! ' .. vim.fn.fnameescape(...))", path)
  lua("vim.cmd('silent! bwipeout! ' .. vim.fn.fnameescape(...))", src)
  lua("vim.cmd.edit(...)", file)
  check(ok, err)
end)

step(":bufdo editing and saving 6 files at once: each is reviewed, its finding shown in its own buffer, nothing said", function()
  normal_mode()
  local names = {}
  for i = 1, 6 do
    local p = dir .. ("/many_%d.py"):format(i)
    vim.fn.writefile({ ("def ratio_%d(a, b):"):format(i), "    return a / b", "" }, p)
    lua("vim.cmd('silent badd ' .. vim.fn.fnameescape(...))", p)
    names[#names + 1] = p
  end
  lua("E2E.notes = {}")
  local ok, err = pcall(function()
    lua([[vim.cmd('silent bufdo if expand("%:t") =~# "^many_" | call append(line("$"), "x = 1") | update | endif')]])
    wait_for("a finding on line 2 of each of the 6 files", function()
      local got = lua([[
        local out = {}
        for _, b in ipairs(vim.api.nvim_list_bufs()) do
          local name = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(b), ":t")
          if name:match("^many_") then
            local lines = {}
            for _, d in ipairs(vim.diagnostic.get(b)) do
              if d.source == "deepseek-review" then table.insert(lines, d.lnum) end
            end
            out[name] = lines
          end
        end
        return out
      ]])
      for i = 1, 6 do
        if not vim.deep_equal(got[("many_%d.py"):format(i)], { 1 }) then
          return nil, got
        end
      end
      return true
    end, 30000)
    check(#lua("return E2E.notes") == 0, "said: " .. vim.inspect(lua("return E2E.notes")))
  end)
  for _, p in ipairs(names) do
    lua("vim.cmd('silent! bwipeout! ' .. vim.fn.fnameescape(...))", p)
  end
  lua("vim.cmd.edit(...)", file)
  check(ok, err)
end)

step(":DeepSeekReview reviews the buffer now and reports the result", function()
  lua("E2E.notes = {}")
  lua("vim.cmd('DeepSeekReview')")
  local note = review_note(20000)
  check(note:find("0 finding", 1, true), "notification " .. note)
  wait_for("the review's diagnostics to be replaced (none left)", function()
    local left = review_diagnostics()
    return #left == 0, left
  end, 3000)
  -- A review that is not whole (an answer cut at its token limit) is a warning that says so, not
  -- "2 findings"; a failed one says why at warning level, not "0 findings; <error>" as news.
  local cut = lua([[return { require("deepseek_lsp").review_report({ ok = true, findings = 2,
    problems = { "the model's answer about check ran past review.maxOutputTokens" } }) }]])
  check(cut[1] == "review: 2 findings; the model's answer about check ran past review.maxOutputTokens"
    and cut[2] == vim.log.levels.WARN, "a cut review reported as: " .. vim.inspect(cut))
  local failed = lua([[return { require("deepseek_lsp").review_report({ ok = false, findings = 0,
    errors = { "rate limited: try again in a minute" } }) }]])
  check(failed[1] == "review: rate limited: try again in a minute" and failed[2] == vim.log.levels.WARN,
    "a failed review reported as: " .. vim.inspect(failed))
end)

--- :DeepSeekReview, then :bd of the file while its review runs (and ``reopen``: :e of it again
--- at once, Neovim giving it its buffer number back): the notifications of the review.
local function review_then_close(reopen)
  normal_mode()
  local closed = dir .. "/closed_mid_review.py"
  -- A text of its own: a review the cache holds sends nothing and ends at once.
  vim.fn.writefile({ "def closed_ratio(a, b):", "    return a / b  # " .. vim.fn.reltimestr(vim.fn.reltime()) }, closed)
  lua("vim.cmd('silent edit ' .. vim.fn.fnameescape(...))", closed)
  wait_attached()
  lua("E2E.notes = {}")
  fake_control("latency", { ttft = 2 })
  local ok, err = pcall(function()
    local asked = #vim.tbl_filter(function(r) return r.path == "/chat/completions" end, vim.json.decode(fake_control("requests")))
    lua("vim.cmd('DeepSeekReview')")
    wait_for("the review's request", function()
      local n = #vim.tbl_filter(function(r) return r.path == "/chat/completions" end, vim.json.decode(fake_control("requests")))
      return n > asked
    end, 10000)
    lua("vim.cmd('bdelete!')")
    if reopen then
      lua("vim.cmd('silent edit ' .. vim.fn.fnameescape(...))", closed)
    end
    -- The server's answer to the review comes once it has ended (the fake's 2 s, and some).
    vim.wait(5000, function() return false end)
  end)
  fake_control("latency", { ttft = 0 })
  check(ok, err)
  local notes = lua("return E2E.notes")
  lua("vim.cmd('silent buffer ' .. vim.fn.fnameescape(...))", file)
  -- The file reopened stayed loaded, and attached: ':checkhealth' said "attached to 2 buffers"
  -- steps later (and a restart started the server for it too).
  lua("vim.cmd('silent! bwipeout! ' .. vim.fn.fnameescape(...))", closed)
  return vim.tbl_filter(function(n) return n:find("review", 1, true) ~= nil end, notes)
end

step(":DeepSeekReview, then :bd of the file while its review runs: no warning when the answer comes ('review: the file was closed before its review ended', or 'document is not open', for a buffer the user closed)", function()
  local told = review_then_close(false)
  check(#told == 0, "told after the buffer was closed: " .. vim.inspect(told))
end)

step(":DeepSeekReview, then :bd and :e of the file again while its review runs: no warning of the closed one's review", function()
  local told = review_then_close(true)
  check(#told == 0, "told of the review of the buffer closed: " .. vim.inspect(told))
end)

step(":DeepSeekReview asked while the server starts (:DeepSeekRestart, a file just opened) reviews the file once it is up ('review failed: deepseek-lsp is not attached to this buffer' before)", function()
  normal_mode()
  lua("E2E.notes = {}")
  lua("vim.cmd('DeepSeekRestart'); vim.cmd('DeepSeekReview')")
  local note = review_note(30000)
  check(note:find("review: %d+ finding"), "the report: " .. note .. "\n" .. vim.inspect(lua("return E2E.notes")))
  wait_attached()
end)

local STATUSLINE = "return require('deepseek_lsp').statusline()"

--- Saves the current buffer and waits until the review the save starts has begun and ended.
--- A step ending with a save left its review to the steps after: at load it began after the
--- next step had seen the statusline say "DeepSeek", and that step read "DeepSeek [reviewing]"
--- where it expected "DeepSeek ..." or "DeepSeek".
local function write_reviewed()
  local before = lua("return E2E.reviews_begun[vim.uri_from_bufnr(0)] or 0")
  lua("vim.cmd('silent write')")
  wait_for("the save's review to begin and end", function()
    return lua([[local buf, before = vim.api.nvim_get_current_buf(), ...
      local client = E2E.client()
      return (E2E.reviews_begun[vim.uri_from_bufnr(buf)] or 0) > before and client ~= nil
        and not require("deepseek_lsp.status").reviewing(client.id, buf)]], before)
  end, 20000)
end

local function wait_statusline(expected, timeout)
  return wait_for("the statusline " .. vim.inspect(expected), function()
    local sl = lua(STATUSLINE)
    return sl == expected, sl
  end, timeout)
end

--- ``lines`` in place of the sample's line RATIO (a unit the cache has no review of: the save
--- sends it), saved with the fake answering after ``seconds`` (2); ``fn`` runs once the
--- statusline says the review runs. Whatever ``fn`` raises, the line is put back and saved
--- (cached: nothing sent).
local function in_slow_review(lines, fn, seconds)
  normal_mode()
  local line = lua("return vim.api.nvim_buf_get_lines(0, ..., ... + 1, false)[1]", RATIO)
  fake_control("latency", { ttft = seconds or 2 })
  local function reviews_asked()
    local n = 0
    for _, r in ipairs(vim.json.decode(fake_control("requests"))) do
      n = n + (r.path == "/chat/completions" and 1 or 0)
    end
    return n
  end
  local asked = reviews_asked()
  local ok, err = pcall(function()
    lua("local row, new = ...; vim.api.nvim_buf_set_lines(0, row, row + 1, false, new)", RATIO, lines)
    lua("vim.cmd('silent write')")
    -- This save's request under way (not the end of an earlier save's review, from the cache).
    wait_for("the review's request", function()
      return reviews_asked() > asked
    end, 5000)
    wait_statusline("DeepSeek [reviewing]", 5000)
    fn()
  end)
  fake_control("latency", { ttft = 0 })
  lua("local row, n, text = ...; vim.api.nvim_buf_set_lines(0, row, row + n, false, { text })", RATIO, #lines, line)
  local put_back, why = pcall(write_reviewed)
  check(ok, err)
  check(put_back, why)
  -- No Lua error on the way (one in a handler shows only there, and its prompt eats keys).
  local messages = lua("return vim.api.nvim_exec2('messages', { output = true }).output")
  check(not messages:find("Error executing", 1, true) and not messages:find("E5108", 1, true), ":messages\n" .. messages)
end

step("statusline: 'DeepSeek [reviewing]' in the file while its review runs (it said 'DeepSeek', nothing, for the minute a review can take), 'DeepSeek' again after", function()
  check(lua(STATUSLINE) == "DeepSeek", "statusline before: " .. vim.inspect(lua(STATUSLINE)))
  lua([[E2E.told = 0
    vim.api.nvim_create_autocmd("User", { pattern = "DeepSeekStatus", callback = function() E2E.told = E2E.told + 1 end })]])
  in_slow_review({ "    return a / b  # checked" }, function()
    -- Elsewhere it is not this file's review.
    lua("vim.cmd('silent enew')")
    local other = lua(STATUSLINE)
    lua("local scratch = vim.api.nvim_get_current_buf(); vim.cmd('silent buffer #'); vim.cmd.bwipeout(scratch)")
    check(other == "", "statusline in an unnamed buffer: " .. vim.inspect(other))
    wait_statusline("DeepSeek", 20000)
  end)
  check(lua("return E2E.told") >= 2, "User DeepSeekStatus fired " .. lua("return E2E.told") .. " times")
end)

step("statusline: a review of sample.py says 'DeepSeek [reviewing]' in it, not in another folder's sample.py (it was matched by the file's name)", function()
  local twin = dir .. "/other/sample.py"
  vim.fn.mkdir(dir .. "/other", "p")
  vim.fn.writefile({ "def twin(a):", "    return a" }, twin)
  in_slow_review({ "    return a / b  # twin" }, function()
    lua("vim.cmd('silent edit ' .. vim.fn.fnameescape(...))", twin)
    local ok, err = pcall(function()
      wait_attached()
      local there = lua(STATUSLINE)
      check(there == "DeepSeek", "statusline in other/sample.py: " .. vim.inspect(there))
    end)
    lua("local twin = vim.api.nvim_get_current_buf(); vim.cmd('silent buffer #'); vim.cmd.bwipeout(twin)")
    check(ok, err)
    check(lua(STATUSLINE) == "DeepSeek [reviewing]", "statusline back in sample.py: " .. vim.inspect(lua(STATUSLINE)))
    wait_statusline("DeepSeek", 20000)
  end)
end)

step("review: 'x' then 'u' in the finding's code while its review runs: the finding is shown when it ends (the edits were replayed one by one, the 'x' dropped it and it was gone until the next save); its float shows no finding id", function()
  in_slow_review({ "    # b may be 0", "    return a / b" }, function()
    lua("vim.api.nvim_win_set_cursor(0, { ..., 13 })", RATIO + 2)
    input("x")
    wait_line(RATIO + 1, "    return a  b")
    input("u")
    wait_line(RATIO + 1, "    return a / b")
    check(lua(STATUSLINE) == "DeepSeek [reviewing]", "the review ended before the 'u': " .. lua(STATUSLINE))
    local expected = ("%d:4-%d:16 Division by zero when b is 0.\nSuggested fix: return a / b if b else 0.0"):format(RATIO + 2, RATIO + 2)
    wait_for("the finding on 'return a / b' once the review ended", function()
      local shown = review_diagnostics()
      return lua(STATUSLINE) == "DeepSeek" and shown[1] == expected, shown
    end, 20000)
    -- Its float and virtual line say what it is about, not its id (the float ended in
    -- "[745172cf4b5e]", each virtual line began "745172cf4b5e: "); its quick fixes still found.
    local float = lua([[local buf, win = vim.diagnostic.open_float({ scope = "line", pos = ... })
      local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
      vim.api.nvim_win_close(win, true)
      return table.concat(lines, "\n")]], RATIO + 1)
    check(float:find("Division by zero", 1, true) and not float:find("%x%x%x%x%x%x%x%x"), "the float:\n" .. float)
    local titles = lua([[local client = E2E.client()
      local params = vim.lsp.util.make_range_params(0, client.offset_encoding)
      params.context = { diagnostics = vim.lsp.diagnostic.from(vim.diagnostic.get(0, { lnum = ... })) }
      local answer = client:request_sync("textDocument/codeAction", params, 3000, 0)
      return vim.tbl_map(function(a) return a.title end, answer and answer.result or {})]], RATIO + 1)
    check(vim.tbl_contains(titles, "Apply DeepSeek fix"), "the quick fixes: " .. vim.inspect(titles))
  end)
end)

step(":DeepSeekReview on a rejected key: the server's message once, not again as the review's report (the same long text twice)", function()
  normal_mode()
  local line = lua("return vim.api.nvim_buf_get_lines(0, ..., ... + 1, false)[1]", RATIO)
  lua("E2E.notes = {}")
  fake_control("fault", { kind = "status", status = 401, count = 1, path = "/chat/completions" })
  local ok, err = pcall(function()
    lua("vim.api.nvim_buf_set_lines(0, ..., ... + 1, false, { '    return a / b  # keyed' })", RATIO)
    lua("vim.cmd('DeepSeekReview')")
    wait_statusline("DeepSeek [error]", 10000)
    -- The review's answer follows its progress's end: one request more, and it has come.
    lua("E2E.client():request_sync('deepseek/completionStats', vim.empty_dict(), 3000, 0)")
    local said = {}
    for _, note in ipairs(lua("return E2E.notes")) do
      if note:find("rejected the API key", 1, true) then
        said[#said + 1] = note
      end
    end
    check(#said == 1, "the rejected key said " .. #said .. " times: " .. vim.inspect(lua("return E2E.notes")))
  end)
  -- A review setting changed lifts the pause a rejected key puts on reviews (the settings put
  -- back at once may reach the server as no change at all).
  setup_again({}, { review = { mode = "onSave", minConfidence = 0.55 } })
  local lifted, why = pcall(wait_statusline, "DeepSeek", 10000)
  setup_again()
  lua("local row, text = ...; vim.api.nvim_buf_set_lines(0, row, row + 1, false, { text })", RATIO, line)
  local put_back, unsaved = pcall(write_reviewed)
  check(ok, err)
  check(lifted, why)
  check(put_back, unsaved)
end)

step(":DeepSeekUsage shows today's cost and tokens", function()
  lua("vim.cmd('DeepSeekUsage')")
  local lines = wait_for("the usage float", function()
    return lua("return E2E.info_float()")
  end, 5000)
  local text = table.concat(lines, "\n")
  check(text:find("Today", 1, true) and text:find("%$%d"), "usage float:\n" .. text)
  local requests = tonumber((text:match("Today[^\n]-%$[%d.]+%s+([%d,]+) requests?") or "0"):gsub(",", ""), 10)
  check(requests and requests > 0, "no requests counted today:\n" .. text)
  out("     " .. lines[1])
  -- A short completion's spend (a few millionths of a dollar) is not shown as nothing spent.
  local small = lua([[return require("deepseek_lsp").usage_lines({
    today = { day = "2026-01-02", total = { cost_usd = 0.000002, requests = 1 }, models = {} },
  })[1] ]])
  check(small:find("<$0.0001", 1, true), "a spend under $0.0001 shown as: " .. small)
  -- Nor a budget under a cent as none ("$0.00").
  local budget = lua([[return require("deepseek_lsp").usage_lines({
    budget = { daily_usd = 0.005, remaining_usd = 0.0042 },
  })[1] ]])
  check(budget == "Daily budget: $0.0050, remaining $0.0042", "a $0.005 budget shown as: " .. budget)
  -- What requests in flight hold is named, or spent and remaining fall short of the budget.
  local held = lua([[return require("deepseek_lsp").usage_lines({
    budget = { daily_usd = 1, remaining_usd = 0.25, under_way_usd = 0.5 },
  })[1] ]])
  check(held == "Daily budget: $1.0000, up to $0.5000 in requests under way, remaining $0.2500", "a budget with requests under way shown as: " .. held)
  -- Requests a gateway billed without saying what (a LiteLLM stream) are no free ones.
  local unknown = lua([[return require("deepseek_lsp").usage_lines({
    today = { day = "2026-01-02", total = { cost_usd = 0, requests = 2, unknown_cost = 2 },
              models = { ["gpt-4o"] = { cost_usd = 0, requests = 2, unknown_cost = 2 } } },
    unknown_cost_models = { "gpt-4o" },
    unknown_cost_hint = "set include_cost_in_streaming_usage",
  })]])
  check(unknown[1]:find("Today (2026-01-02, UTC): cost unknown  2 requests", 1, true), "unknown cost shown as: " .. unknown[1])
  check(unknown[2]:find("gpt%-4o%s+cost unknown"), "a model of unknown cost shown as: " .. unknown[2])
  check(unknown[3]:find("^Cost unknown for requests to gpt%-4o: .*include_cost_in_streaming_usage"), "no word why: " .. unknown[3])
  -- Estimated at a list price (a gateway that told no cost): "~", and the budget says how much.
  local estimated = lua([[return require("deepseek_lsp").usage_lines({
    today = { day = "2026-01-02", total = { cost_usd = 0.03, requests = 2, estimated_usd = 0.03 },
              models = { ["deepseek/deepseek-v4-pro"] = { cost_usd = 0.03, requests = 2, estimated_usd = 0.03 } } },
    budget = { daily_usd = 1, spent_today_usd = 0.03, remaining_usd = 0.97, estimated_usd = 0.03 },
    estimated_cost_models = { "deepseek/deepseek-v4-pro" },
    estimated_cost_hint = "estimated at DeepSeek's list price; set include_cost_in_streaming_usage",
  })]])
  check(estimated[1]:find("Today (2026-01-02, UTC): ~$0.0300  2 requests", 1, true), "estimated cost shown as: " .. estimated[1])
  check(estimated[2]:find("deepseek/deepseek%-v4%-pro%s+~%$0%.0300"), "a model of estimated cost shown as: " .. estimated[2])
  check(estimated[3] == "Daily budget: $1.0000, spent ~$0.0300 ($0.0300 of it estimated), remaining $0.9700", "budget shown as: " .. estimated[3])
  check(estimated[4]:find("^Cost estimated %(~%) for requests to deepseek/deepseek%-v4%-pro: .*list price"), "no word why: " .. estimated[4])
  -- What completions, their prefetches and reviews cost, told apart.
  local features = lua([[return require("deepseek_lsp").usage_lines({
    today = { day = "2026-01-02", total = { cost_usd = 0.05, requests = 3 }, models = {},
              features = { review = { cost_usd = 0.049, requests = 1 }, prefetch = { cost_usd = 0.0002, requests = 1 },
                           completion = { cost_usd = 0.0008, requests = 1 } } },
  })]])
  check(features[2] == "  by feature: completion $0.0008 (1 request), prefetch $0.0002 (1 request), review $0.0490 (1 request)",
    "features shown as: " .. tostring(features[2]))
  -- The share of the prompts the provider's cache held, beside its count.
  local share = lua([[return require("deepseek_lsp").usage_lines({
    today = { day = "2026-01-02", models = {}, total = { cost_usd = 0.001, requests = 3, prompt_tokens = 6535,
              cache_hit_tokens = 3072, cache_hit_share = 0.4701, output_tokens = 20 } },
  })[1] ]])
  check(share:find("6,535 tokens in (3,072 cached, 47 %)  20 out", 1, true), "the cache's share shown as: " .. share)
  -- Token figures of requests closed before their usage came, counted by the server: "~", how
  -- many, and what "~" means (they read as DeepSeek's report).
  local closed = lua([[return require("deepseek_lsp").usage_lines({
    today = { day = "2026-01-02", total = { cost_usd = 0.003, requests = 3, estimated = 1, prompt_tokens = 6010,
              cache_hit_tokens = 5056, cache_hit_share = 0.8413, output_tokens = 24 },
              models = { ["deepseek-v4-flash"] = { cost_usd = 0.001, requests = 2, estimated = 1, prompt_tokens = 4010, output_tokens = 14 } } },
    month = { month = "2026-01", models = {}, total = { cost_usd = 0.003, requests = 3, prompt_tokens = 6010,
              cache_hit_tokens = 5056, cache_hit_share = 0.8413, output_tokens = 24 } },
    estimated_tokens_hint = "token figures counting requests closed before their usage came",
  })]])
  check(closed[1]:find("  3 requests (1 estimated)  ~6,010 tokens in (~5,056 cached, ~84 %)  ~24 out", 1, true), "estimated tokens shown as: " .. closed[1])
  check(closed[2]:find("  2 req (1 estimated)  ~4,010 in  ~14 out", 1, true), "a model's estimated tokens shown as: " .. closed[2])
  check(closed[3]:find("  3 requests  6,010 tokens in (5,056 cached, 84 %)  24 out", 1, true), "reported tokens shown as: " .. closed[3])
  check(closed[4] == "Estimated (~): token figures counting requests closed before their usage came", "no word why: " .. tostring(closed[4]))
end)

step("counts are said in words: 1 request, 1 token, 2 requests (not 1 requests, 1 finding(s))", function()
  local today = lua([[return require("deepseek_lsp").usage_lines({
    today = { day = "2026-01-02", total = { cost_usd = 0.01, requests = 1, prompt_tokens = 1 }, models = {} },
    month = { month = "2026-01", total = { cost_usd = 0.02, requests = 2, prompt_tokens = 12345 }, models = {} },
  })]])
  check(today[1]:find("  1 request  1 token in ", 1, true), "one request shown as: " .. today[1])
  check(today[2]:find("  2 requests  12,345 tokens in ", 1, true), "two requests shown as: " .. today[2])
  local server = lua([[
    for _, l in ipairs(require("deepseek_lsp").status_lines({ requests = 1, shown = 1, accepted = 0, partiallyAccepted = 0, latencyMs = {} })) do
      if l:find("^Server: ") then return l end
    end
  ]])
  check(server and server:find("^Server: 1 request, "), "the status float's counters: " .. tostring(server))
  -- An accept undone is said, beside the accepts it was taken out of.
  server = lua([[
    for _, l in ipairs(require("deepseek_lsp").status_lines({ requests = 2, shown = 2, accepted = 1, undone = 1, partiallyAccepted = 0, latencyMs = {} })) do
      if l:find("^Server: ") then return l end
    end
  ]])
  check(server and server:find("1 accepted (1 undone), 0 partly", 1, true), "the undone accept: " .. tostring(server))
  local said = lua([[local u = require("deepseek_lsp.util")
    return { u.counted(1, "finding"), u.counted(0, "finding"), u.counted(2, "buffer"), u.counted(nil, "ignored finding") }]])
  check(vim.deep_equal(said, { "1 finding", "0 findings", "2 buffers", "0 ignored findings" }), vim.inspect(said))
end)

step(":DeepSeekStatus shows the client's state; statusline() names it", function()
  lua("vim.cmd('DeepSeekStatus')")
  local lines = wait_for("the status float", function()
    return lua("return E2E.info_float()")
  end, 5000)
  local text = table.concat(lines, "\n")
  check(text:find("running", 1, true) and text:find("position encoding", 1, true), "status float:\n" .. text)
  check(text:find("ghost text", 1, true), "status float:\n" .. text)
  local sl = lua("return require('deepseek_lsp').statusline()")
  check(type(sl) == "string" and sl:find("DeepSeek", 1, true), "statusline " .. vim.inspect(sl))
end)

step("statusline: 'DeepSeek ...' from the keystroke on while a suggestion is on its way, through the debounce (it read 'DeepSeek' between the keys, and flickered on every key typed)", function()
  normal_mode()
  -- No review under way ('[reviewing]' goes before '...'): the steps before wait for their
  -- saves' reviews to end.
  wait_statusline("DeepSeek", 20000)
  local before = lua("return require('deepseek_lsp.ghost').config.debounce")
  -- A debounce long enough that the keys are seen well before the request goes.
  lua("require('deepseek_lsp.ghost').config.debounce = 2000")
  lua("vim.api.nvim_buf_set_lines(0, -1, -1, false, { '    ' })")
  local row = lua("return vim.api.nvim_buf_line_count(0) - 1")
  local ok, err = pcall(function()
    check(asks_while_typing(row), "no suggestion asked for after 'ret'")
    local sl = lua("return require('deepseek_lsp').statusline()")
    check(sl == "DeepSeek ...", "statusline() while the debounce runs: " .. vim.inspect(sl))
    wait_ghost("urn a * b")
    sl = lua("return require('deepseek_lsp').statusline()")
    check(sl == "DeepSeek", "statusline() with the suggestion shown: " .. vim.inspect(sl))
  end)
  lua("require('deepseek_lsp.ghost').config.debounce = ...", before)
  normal_mode()
  lua("vim.api.nvim_buf_set_lines(0, ..., ... + 1, false, {})", row)
  check(ok, err)
end)

step(":DeepSeekStatus in a narrow Neovim: the float is tall enough for its wrapped lines", function()
  local columns = lua("return vim.o.columns")
  lua("vim.o.columns = 40")
  local ok, fit = pcall(wait_for, "the status float", function()
    return lua([[
      for _, win in ipairs(vim.api.nvim_list_wins()) do
        if vim.bo[vim.api.nvim_win_get_buf(win)].filetype == "deepseek_lsp_info" then
          local fit = { rows = vim.api.nvim_win_text_height(win, {}).all, height = vim.api.nvim_win_get_height(win) }
          vim.api.nvim_win_close(win, true)
          return fit
        end
      end
      if not E2E.asked then
        E2E.asked = true
        vim.cmd("DeepSeekStatus")
      end
    ]])
  end, 5000)
  lua("vim.o.columns = ...; E2E.asked = nil", columns)
  check(ok, fit)
  check(fit.height >= fit.rows, ("the float is %d rows high for %d rows of text: the last ones are cut off"):format(fit.height, fit.rows))
end)

--- The text of the info float (:DeepSeekStatus, :DeepSeekUsage), left open; nil without one.
local function float_lines()
  return lua([[
    for _, win in ipairs(vim.api.nvim_list_wins()) do
      local buf = vim.api.nvim_win_get_buf(win)
      if vim.bo[buf].filetype == "deepseek_lsp_info" then
        return table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), "\n")
      end
    end
  ]])
end

step(":DeepSeekStatus with a server slow to answer (under load): says its counters are not there yet, then shows them when it answers", function()
  normal_mode()
  -- A stopped server process answers nothing until it is continued: a busy one, for as long as it takes.
  check(signal_server("sigstop") > 0, "the server process was not found among Neovim's children")
  local ok, err = pcall(function()
    lua("vim.cmd('DeepSeekStatus')")
    local text = wait_for("the status float", float_lines, 5000)
    check(text:find("Server: counters not available yet: the server has not answered in 1.5 s", 1, true), "the status float while the server does not answer:\n" .. text)
    check(text:find("running", 1, true), "the status float while the server does not answer:\n" .. text)
  end)
  signal_server("sigcont")
  local ok2, err2 = pcall(wait_for, "the counters in the float once the server answers", function()
    local text = float_lines()
    return text and text:find("Server: %d+ requests?") ~= nil, text
  end, 10000)
  lua("E2E.info_float()") -- closes it
  check(ok, err)
  check(ok2, err2)
end)

step(":DeepSeekUsage with a server that does not answer: says it waits, then that it has not answered, then shows the usage when it does", function()
  normal_mode()
  -- It opened its float with the answer only: a busy (here stopped) server's usage showed nothing.
  lua("require('deepseek_lsp').ANSWER_GIVE_UP_MS = 3000")
  check(signal_server("sigstop") > 0, "the server process was not found among Neovim's children")
  local ok, err = pcall(function()
    lua("vim.cmd('DeepSeekUsage')")
    local text = wait_for("the usage float while the server does not answer", float_lines, 5000)
    check(text:find("Usage not available yet: the server has not answered in 1.5 s (busy, or starting); shown here when it does", 1, true), "the usage float:\n" .. text)
    wait_for("the usage float to say the server has not answered in 3 s", function()
      local now = float_lines()
      return now and now:find("has not answered in 3 s: busy with a long task, or stuck (:DeepSeekRestart restarts it)", 1, true) ~= nil, now
    end, 5000)
  end)
  signal_server("sigcont")
  lua("require('deepseek_lsp').ANSWER_GIVE_UP_MS = 10000")
  local ok2, err2 = pcall(wait_for, "the usage in the float once the server answers", function()
    local text = float_lines()
    return text and text:find("Today (", 1, true) ~= nil, text
  end, 10000)
  lua("E2E.info_float()") -- closes it
  check(ok, err)
  check(ok2, err2)
  -- A client that is stopping refuses the request and never calls its handler: said, not silence.
  local said = lua([[
    local got
    require("deepseek_lsp.util").ask({ request = function() return false end }, "deepseek/usage", {}, function(e) got = e end)
    return got
  ]])
  check(said == "the server did not take the request (it is stopping or restarting)", "a refused request: " .. tostring(said))
end)

step(":DeepSeekStatus in a terminal and in a buffer of a type setup() leaves out: says why it is not served", function()
  normal_mode()
  lua("vim.cmd('silent write')")
  local function status()
    return table.concat(lua("return require('deepseek_lsp').status_lines(nil)"), "\n")
  end
  -- Its job ended before the buffer is wiped (driver.TERMINAL says why), and no shell: the
  -- user's interactive one read ~/.bashrc (here pyenv init and rehash, 47 processes).
  lua(driver.TERMINAL)
  local text = status()
  lua("vim.cmd('bwipeout!')")
  check(text:find("not served: it is not a file (buftype=terminal)", 1, true), "in a terminal:\n" .. text)
  local r = setup_again({ filetypes = { "go" } })
  local ok, err = pcall(function()
    check(r.ok, "setup(): " .. tostring(r.err))
    wait_for("the client to leave the Python buffer", function()
      return lua("return E2E.client() == nil")
    end, 5000)
    text = status()
    check(text:find([[not served: its filetype "python" is not in setup()'s filetypes (go)]], 1, true), "in a Python buffer with filetypes = { 'go' }:\n" .. text)
  end)
  setup_again()
  wait_attached("the client back in the Python buffer")
  check(ok, err)
end)

step("a suggestion left (Esc): the prefetch of what follows accepting it is stopped", function()
  -- LSP tells no cursor move: the plugin says it (deepseek/cursorMoved). Before, the prefetch
  -- streamed on to its end, billed, for a place the user had left.
  local function prefetches()
    local found = {}
    for _, r in ipairs(vim.json.decode(fake_control("requests"))) do
      local prompt = type(r.json) == "table" and r.json.prompt
      if r.path == "/beta/completions" and type(prompt) == "string" and prompt:match("def moved%(a, b%):\n    return a %* b$") then
        found[#found + 1] = r
      end
    end
    return found
  end
  in_new_file("moved_away.py", { "def moved(a, b):", "    ", "", "x = 1" }, function()
    wait_attached()
    -- Slow to answer: the prefetch is still under way when the cursor leaves (answered, it
    -- ends "completed", not "disconnected").
    fake_control("latency", { ttft = 4 })
    local ok, err = pcall(function()
      suggest_on(1)
      wait_for("the prefetch to reach the model", function()
        return #prefetches() == 1
      end)
      -- Esc: no request follows (a key in insert mode moving the cursor asks again there,
      -- which stopped it already); the cursor a column left of the suggestion's place.
      normal_mode()
      local r = wait_for("the prefetch to end", function()
        local p = prefetches()[1]
        return (p.disconnected or p.completed) and p, p
      end, 10000)
      check(r.disconnected and not r.completed, "the prefetch streamed on to its end: " .. vim.inspect(r))
    end)
    fake_control("latency", { ttft = 0 })
    check(ok, err)
  end)
end)

step("a suggestion shown, <C-o>zz: the prefetch of what follows accepting it streams on (the cursor is back where it was)", function()
  -- Neovim fires InsertLeave for <C-o> too, the cursor on the line's last character while the
  -- command is typed: told as a move a column left (Esc's), the server stopped the prefetch,
  -- and the model was asked (and paid) again for it after <C-o>zz.
  local function prefetches()
    local found = {}
    for _, r in ipairs(vim.json.decode(fake_control("requests"))) do
      local prompt = type(r.json) == "table" and r.json.prompt
      if r.path == "/beta/completions" and type(prompt) == "string" and prompt:match("def scrolled%(a, b%):\n    return a %* b$") then
        found[#found + 1] = r
      end
    end
    return found
  end
  in_new_file("ctrl_o_zz.py", { "def scrolled(a, b):", "    ", "", "x = 1" }, function()
    wait_attached()
    -- Slow to answer: the prefetch is still under way during the <C-o> command.
    fake_control("latency", { ttft = 3 })
    local ok, err = pcall(function()
      suggest_on(1)
      wait_for("the prefetch to reach the model", function()
        return #prefetches() == 1
      end)
      input("<C-o>")
      wait_for("<C-o>'s pending command", function()
        return lua("return vim.fn.mode(1)") == "niI"
      end)
      -- A person's pause before the command: the plugin's scheduled InsertLeave work has run.
      vim.wait(300)
      input("zz")
      wait_for("back in insert mode", function()
        return state().mode == "i"
      end)
      local r = wait_for("the prefetch to end", function()
        local p = prefetches()[1]
        return (p.disconnected or p.completed) and p, p
      end, 10000)
      check(r.completed and not r.disconnected, "the prefetch was stopped by <C-o>zz: " .. vim.inspect(r))
      check(#prefetches() == 1, ("the prefetch asked again: %d requests"):format(#prefetches()))
    end)
    fake_control("latency", { ttft = 0 })
    check(ok, err)
  end)
end)

step("<C-o> moving the cursor while a request is on its way: the request for the place left is stopped", function()
  -- <C-o> drops the request under way without cancelling it (coming back to the place shows
  -- its answer), and LSP tells no cursor move: moved by <C-o>gg to a line's start with code
  -- after it (where the server asks nothing), the request for "    ret" streamed on to its end,
  -- billed, for a place the user had left.
  local place = "def moved_by%(a, b%):\n    ret$"
  local function asked()
    local found = {}
    for _, r in ipairs(vim.json.decode(fake_control("requests"))) do
      local prompt = type(r.json) == "table" and r.json.prompt
      if r.path == "/beta/completions" and type(prompt) == "string" and prompt:match(place) then
        found[#found + 1] = r
      end
    end
    return found
  end
  in_new_file("ctrl_o_moved.py", { "def moved_by(a, b):", "    ", "", "x = 1" }, function()
    wait_attached()
    lua("vim.bo.indentexpr = ''; vim.bo.autoindent = false")
    -- Slow to answer: still under way when the cursor leaves (answered, it ends "completed").
    fake_control("latency", { ttft = 4 })
    local ok, err = pcall(function()
      lua("vim.api.nvim_win_set_cursor(0, { 2, 4 })")
      input("A")
      input("ret")
      wait_for("the request to reach the model", function()
        return #asked() == 1
      end)
      input("<C-o>gg")
      wait_for("back in insert mode on line 1", function()
        local s = state()
        return s.mode == "i" and s.row == 0, s
      end)
      local r = wait_for("the request to end", function()
        local p = asked()[1]
        return (p.disconnected or p.completed) and p, p
      end, 10000)
      check(r.disconnected and not r.completed, "the request streamed on to its end: " .. vim.inspect(r))
    end)
    fake_control("latency", { ttft = 0 })
    check(ok, err)
  end)
end)

--- The text of ':checkhealth deepseek_lsp' (its buffer wiped after).
local function health_text()
  return lua([[
    vim.cmd("checkhealth deepseek_lsp")
    local lines = vim.api.nvim_buf_get_lines(0, 0, -1, false)
    vim.cmd("bwipeout!")
    return table.concat(lines, "\n")
  ]])
end

step(":checkhealth deepseek_lsp: version, server found, key present (not printed), attached", function()
  -- A file closed with :bd and opened again with :e (the same buffer number) is counted once
  -- while open, and not at all once closed again (the text checked below: 1 buffer).
  local again = dir .. "/bd_then_e.py"
  vim.fn.writefile({ "x = 1" }, again)
  lua("vim.cmd('silent edit ' .. vim.fn.fnameescape(...))", again)
  wait_attached()
  lua("vim.cmd('bdelete'); vim.cmd('silent edit ' .. vim.fn.fnameescape(...))", again)
  wait_attached("the client to attach to the file opened again")
  local reopened = health_text()
  lua("vim.cmd('bdelete')")
  local text = health_text()
  lua("vim.cmd('silent! bwipeout ' .. vim.fn.fnameescape(...))", again)
  lua("vim.cmd('silent buffer ' .. vim.fn.fnameescape(...))", file)
  check(reopened:find("attached to 2 buffers[, ]"), "after :bd and :e (this file and sample.py):\n" .. reopened)
  check(text:find("Neovim 0%.1%d"), "no Neovim version:\n" .. text)
  check(text:find("server command:", 1, true), "server command not found:\n" .. text)
  check(text:find("API key: set", 1, true), "API key not reported:\n" .. text)
  local key = vim.env.DEEPSEEK_API_KEY or ""
  check(key == "" or not text:find(key, 1, true), "the API key is printed in :checkhealth")
  check(text:find("attached to 1 buffer[, ]"), "client not attached (or not to 1 buffer):\n" .. text)
  check(not text:find("ERROR", 1, true), "errors in checkhealth:\n" .. text)
  -- :checkhealth's text with settings and the server's lsp.cmd_env changed for one run.
  local function health_with(settings, cmd_env)
    return lua([[
      local settings, cmd_env = ...
      local plugin = require("deepseek_lsp")
      local saved_settings, saved_lsp, saved_env = plugin.config.settings, plugin.config.lsp, vim.env.DEEPSEEK_API_KEY
      plugin.config.settings = vim.tbl_extend("force", saved_settings or {}, settings)
      if next(cmd_env) then
        plugin.config.lsp = vim.tbl_extend("force", saved_lsp or {}, { cmd_env = cmd_env })
      end
      if cmd_env.DEEPSEEK_API_KEY then
        -- The key must be found in cmd_env alone, not in Neovim's own environment.
        vim.env.DEEPSEEK_API_KEY = nil
      end
      vim.cmd("checkhealth deepseek_lsp")
      local lines = vim.api.nvim_buf_get_lines(0, 0, -1, false)
      vim.cmd("bwipeout!")
      plugin.config.settings, plugin.config.lsp, vim.env.DEEPSEEK_API_KEY = saved_settings, saved_lsp, saved_env
      return table.concat(lines, "\n")
    ]], settings, cmd_env or {})
  end
  -- A key given to the server in lsp.cmd_env only (not in Neovim's environment) is a key set.
  text = health_with({}, { DEEPSEEK_API_KEY = "sk-only-in-cmd-env-0123" })
  check(text:find("API key: set (DEEPSEEK_API_KEY in lsp.cmd_env)", 1, true), "key in cmd_env not seen:\n" .. text)
  check(not text:find("sk-only-in-cmd-env", 1, true), "the API key is printed in :checkhealth")
  -- Completions sent to another server (fimBaseUrl): both endpoints, neither's password.
  local base = vim.env.DEEPSEEK_BASE_URL
  text = health_with({ fimBaseUrl = "http://me:fim-pass-123@127.0.0.1:11434/v1?token=q-secret " })
  check(text:find("endpoint: " .. base .. " (reviews)", 1, true), "the review endpoint:\n" .. text)
  check(text:find("completion endpoint: http://127.0.0.1:11434/v1 (fimBaseUrl)", 1, true), "the completion endpoint:\n" .. text)
  check(not text:find("fim-pass-123", 1, true) and not text:find("q-secret", 1, true), "a URL's password is printed:\n" .. text)
  text = health_with({ fimBaseUrl = base .. "/" })
  check(text:find("endpoint: " .. base .. "\n", 1, true) and not text:find("completion endpoint", 1, true), "fimBaseUrl the same as baseUrl:\n" .. text)
  -- A key pasted into a URL setting (alone, or after the URL): never printed, as the server's
  -- problem hides it (the endpoint lines printed it whole).
  local pasted = "3f9a8c7d2e1b4a5f6c7d8e9f0a1b2c3d4e5f6a7b"
  for _, url in ipairs({ pasted, "http://127.0.0.1:8000/v1 " .. pasted, "Bearer " .. pasted }) do
    text = health_with({ fimBaseUrl = url })
    check(not text:find(pasted:sub(1, 12), 1, true) and not text:find(pasted:sub(-12), 1, true), "a key pasted into fimBaseUrl is printed:\n" .. text)
    check(text:find("completion endpoint: (hidden: it looks like a key) (fimBaseUrl)", 1, true), "the hidden endpoint:\n" .. text)
  end
  -- The completion server's own key (fimApiKey): set or not, and where from, never its value.
  text = health_with({ fimBaseUrl = "http://127.0.0.1:8000/v1", fimApiKey = " fim-key-secret-4711 " })
  check(text:find("completion server key: set (in settings.fimApiKey, sent to 127.0.0.1:8000 only)", 1, true), "fimApiKey in settings:\n" .. text)
  check(not text:find("fim-key-secret", 1, true), "the completion server's key is printed:\n" .. text)
  text = health_with({ fimBaseUrl = "http://127.0.0.1:8000/v1" })
  check(text:find("completion server key: not set", 1, true), "no fimApiKey:\n" .. text)
  text = health_with({ fimBaseUrl = "http://127.0.0.1:8000/v1" }, { DEEPSEEK_FIM_API_KEY = "fim-only-in-cmd-env-42" })
  check(text:find("completion server key: set (DEEPSEEK_FIM_API_KEY in lsp.cmd_env, sent to 127.0.0.1:8000 only)", 1, true), "fim key in cmd_env:\n" .. text)
  check(not text:find("fim-only-in-cmd-env", 1, true), "the completion server's key is printed:\n" .. text)
  -- A fimApiKey with no fimBaseUrl goes to no server: said, not taken for a working setup.
  text = health_with({ fimApiKey = "fim-key-secret-4711" })
  check(text:find("completion server key: set (in settings.fimApiKey) but fimBaseUrl is not", 1, true), "fimApiKey without fimBaseUrl:\n" .. text)
  check(not text:find("fim-key-secret", 1, true), "the completion server's key is printed:\n" .. text)
  -- No key, DeepSeek's host however written (a fully qualified name's trailing dot, capitals
  -- and a port, an ideographic full stop, a user and password): the server asks a key of it, as for
  -- DeepSeek's URL; all but the port's were told "fine for a self-hosted server" here.
  local spellings = { "https://api.deepseek.com./v1", "https://API.DeepSeek.com:443", "https://api.deepseek\227\128\130com", "https://me:pass@api.deepseek.com/v1" }
  for _, url in ipairs(spellings) do
    text = health_with({ baseUrl = url }, { DEEPSEEK_API_KEY = "" })
    check(text:find("ERROR API key: not set", 1, true), "no key for " .. url .. ":\n" .. text)
  end
  text = health_with({ baseUrl = "http://127.0.0.1:8000/v1" }, { DEEPSEEK_API_KEY = "" })
  check(text:find("API key: not set (fine for a self-hosted server", 1, true), "no key, a server of one's own:\n" .. text)
  -- As the server's no_key_for_deepseek: a key of spaces alone is none, DeepSeek's host written
  -- with a trailing dot is DeepSeek's, and DEEPSEEK_FIM_API_KEY is the key of a request to
  -- fimBaseUrl's host, DeepSeek's too (each was told the other way round).
  local function key_line(settings, cmd_env)
    return health_with(settings, cmd_env):match("[^\n]*API key: [^\n]*") or ""
  end
  for _, case in ipairs({
    { { baseUrl = "https://api.deepseek.com" }, { DEEPSEEK_API_KEY = "   " } },
    { { baseUrl = "https://api.deepseek.com", apiKey = "  " }, { DEEPSEEK_API_KEY = " " } },
    { { baseUrl = "https://api.deepseek.com./v1" }, { DEEPSEEK_API_KEY = " " } },
  }) do
    local line = key_line(case[1], case[2])
    check(line:find("ERROR API key: not set", 1, true), "no key for DeepSeek not an error: " .. line .. " " .. vim.inspect(case[1]))
  end
  local line = key_line(
    { baseUrl = "http://127.0.0.1:9/v1", fimBaseUrl = "https://api.deepseek.com/beta" },
    { DEEPSEEK_API_KEY = " ", DEEPSEEK_FIM_API_KEY = "sk-fim-at-deepseek-0123" }
  )
  check(line:find("API key: not set (", 1, true) and not line:find("ERROR", 1, true), "fimApiKey at DeepSeek's FIM taken for no key: " .. line)
end)

step(":checkhealth deepseek_lsp with a bad setting: a warning naming it and the default used (all OK before, the message gone from sight), none once set right", function()
  normal_mode()
  local function health()
    return lua([[
      vim.cmd("checkhealth deepseek_lsp")
      local lines = vim.api.nvim_buf_get_lines(0, 0, -1, false)
      vim.cmd("bwipeout!")
      return table.concat(lines, "\n")
    ]])
  end
  local text
  local ok, err = pcall(function()
    setup_again({}, { completion = { debounce = "fast" }, review = { mode = "sometimes" } })
    wait_for("the bad settings' warnings in :checkhealth", function()
      text = health()
      return text:find("WARNING settings: invalid value 'fast' for 'completion.debounce'", 1, true)
        and text:find("WARNING settings: invalid value 'sometimes' for 'review.mode'", 1, true), text
    end, 10000)
  end)
  setup_again() -- the test's own settings
  check(ok, err)
  wait_for("no settings warning once set right", function()
    text = health()
    return text:find("OK settings: the server took them all", 1, true) and not text:find("WARNING settings", 1, true), text
  end, 10000)
end)

step(":help deepseek_lsp (or deepseek), each command's (:help :DeepSeekStatus), each setup() option's and each key's open the plugin's help (E149: Sorry, no help for deepseek); the tags shipped are what :helptags makes", function()
  normal_mode()
  local missing = lua([[
    local tags = { "deepseek_lsp", "deepseek", "deepseek_lsp-setup", "deepseek_lsp-keymaps", "deepseek_lsp-commands",
      "deepseek_lsp-statusline", "deepseek_lsp-health", "deepseek_lsp-settings", "deepseek_lsp-off" }
    for name in pairs(vim.api.nvim_get_commands({})) do
      if name:match("^DeepSeek") then table.insert(tags, ":" .. name) end
    end
    for name in pairs(require("deepseek_lsp.config").defaults) do table.insert(tags, "deepseek_lsp-opt-" .. name) end
    for name in pairs(require("deepseek_lsp.config").defaults.keymaps) do table.insert(tags, "deepseek_lsp-" .. name) end
    local win, missing = vim.api.nvim_get_current_win(), {}
    for _, tag in ipairs(tags) do
      local ok, err = pcall(vim.cmd, "help " .. tag)
      if not ok or vim.fn.expand("%:t") ~= "deepseek_lsp.txt" then
        table.insert(missing, tag .. ": " .. tostring(err or vim.fn.expand("%:t")))
      end
      if vim.bo.buftype == "help" then vim.cmd("close") end
      vim.api.nvim_set_current_win(win)
    end
    table.sort(missing)
    return missing
  ]])
  check(#missing == 0, "no help for:\n" .. table.concat(missing, "\n"))
  -- The tags file shipped (a plugin added to 'runtimepath' by hand gets no :helptags run).
  local doc = vim.fn.fnamemodify(here, ":h") .. "/doc"
  local fresh = vim.fn.tempname()
  vim.fn.mkdir(fresh, "p")
  vim.fn.writefile(vim.fn.readfile(doc .. "/deepseek_lsp.txt", "b"), fresh .. "/deepseek_lsp.txt", "b")
  vim.cmd.helptags(vim.fn.fnameescape(fresh))
  local made, shipped = vim.fn.readfile(fresh .. "/tags"), vim.fn.readfile(doc .. "/tags")
  vim.fn.delete(fresh, "rf")
  check(vim.deep_equal(made, shipped), "doc/tags is not what :helptags makes (run :helptags editors/neovim/doc)")
end)

step("status: a file's own Inactive (an excluded .env) is not shown in the other buffers", function()
  local env = dir .. "/.env"
  vim.fn.writefile({ "TOKEN=1" }, env)
  -- The Python file's review still running back there (the save made to leave it ran on past
  -- the return under load, and the step read its [reviewing] as the .env's leaking): in the
  -- .env, its own [off]; back, that review's [reviewing], then nothing once it ends.
  in_slow_review({ "    return a / b  # env" }, function()
    lua("vim.cmd.edit(...)", env)
    wait_for("the .env file's Inactive status", function()
      local s = lua("return require('deepseek_lsp').status()")
      return s and s.kind == "Inactive" and s, s
    end, 10000)
    local here = lua(STATUSLINE)
    check(here == "DeepSeek [off]", "statusline in .env: " .. vim.inspect(here))
    lua("vim.cmd.edit(...)", file)
    -- Its own review, not the .env's [off]: what the user saved is under review.
    local back = lua(STATUSLINE)
    check(back == "DeepSeek [reviewing]", "statusline back in the Python file: " .. vim.inspect(back))
    wait_statusline("DeepSeek", 20000)
  end, 5) -- still under way on the way back, however long the .env's status takes at load
end)

step("status: back in the excluded .env after typing in another file, the statusline still says [off]", function()
  normal_mode()
  local env = dir .. "/.env"
  lua("vim.cmd.edit(...)", env)
  wait_for("[off] in the .env file", function()
    local sl = lua("return require('deepseek_lsp').statusline()")
    return sl == "DeepSeek [off]", sl
  end, 10000)
  lua("vim.cmd.edit(...)", file)
  lua("vim.api.nvim_buf_set_lines(0, -1, -1, false, { '    re' })")
  local row = lua("return vim.api.nvim_buf_line_count(0) - 1")
  lua("vim.api.nvim_win_set_cursor(0, { ..., 5 })", row + 1)
  input("A")
  input("t")
  wait_ghost("urn a * b")
  -- Completing in the Python file turns the server's (one) status back to Normal.
  wait_for("a Normal status", function()
    local s = lua("return require('deepseek_lsp').status()")
    return s and s.kind == "Normal", s
  end, 5000)
  normal_mode()
  lua("vim.api.nvim_buf_set_lines(0, ..., ... + 1, false, {})", row)
  lua("vim.cmd('silent write')")
  lua("vim.cmd.edit(...)", env)
  local sl = lua("return require('deepseek_lsp').statusline()")
  lua("vim.cmd('DeepSeekStatus')")
  local lines = wait_for("the status float", function()
    return lua("return E2E.info_float()")
  end, 5000)
  lua("vim.cmd.edit(...)", file)
  check(sl == "DeepSeek [off]", "statusline back in the .env file: " .. vim.inspect(sl))
  local text = table.concat(lines, "\n")
  check(text:find("this file: Inactive", 1, true), ":DeepSeekStatus in the .env file:\n" .. text)
end)

step("CRLF: a multi-line accept in a fileformat=dos buffer inserts no carriage return", function()
  normal_mode()
  lua("vim.cmd('silent write')")
  local dos = dir .. "/dos.py"
  local f = assert(io.open(dos, "wb"))
  f:write("def sub(a, b):\r\n    \r\n")
  f:close()
  lua("vim.cmd.edit(...)", dos)
  local ok, err = pcall(function()
    check(lua("return vim.bo.fileformat") == "dos", "fileformat " .. tostring(lua("return vim.bo.fileformat")))
    lua("vim.api.nvim_win_set_cursor(0, { 2, 4 })")
    input("A")
    wait_ghost("diff = a - b")
    input("<Tab>")
    wait_line(2, "    return diff")
    local lines = lua("return vim.api.nvim_buf_get_lines(0, 0, -1, false)")
    -- The server sends CRLF line ends for a CRLF document; a kept "\r" showed as ^M and was
    -- written as "\r\r\n".
    check(vim.deep_equal(lines, { "def sub(a, b):", "    diff = a - b", "    return diff" }), vim.inspect(lines))
    normal_mode()
    lua("vim.cmd('silent write')")
    local written = table.concat(vim.fn.readfile(dos, "b"), "\n")
    check(not written:find("\r\r"), "written: " .. vim.inspect(written))
  end)
  lua("vim.cmd('silent! write')")
  lua("vim.cmd.edit(...)", file)
  if not ok then
    error(err, 0)
  end
end)

step("split: the suggestion is drawn only in the window being typed in", function()
  normal_mode()
  lua("vim.api.nvim_buf_set_lines(0, -1, -1, false, { '' })")
  local lnum = lua("return vim.api.nvim_buf_line_count(0)")
  lua("vim.cmd('vsplit')")
  local other = lua("return vim.fn.win_getid(vim.fn.winnr('#'))")
  local here_win = lua("return vim.api.nvim_get_current_win()")
  lua("vim.api.nvim_win_call(..., function() vim.cmd('normal! G') end)", other)
  local ok, err = pcall(function()
    lua("vim.api.nvim_win_set_cursor(0, { ..., 0 })", lnum)
    input("A")
    input("    ret")
    wait_ghost("urn a * b")
    local mine = lua("return E2E.drawn(...)", here_win, lnum)
    local theirs = lua("return E2E.drawn(...)", other, lnum)
    check(mine and mine:find("return a * b", 1, true), "typed-in window: " .. vim.inspect(mine))
    -- The other window shows the buffer's text only (it showed the suggestion as code).
    check(theirs and theirs:find("ret", 1, true) and not theirs:find("urn a", 1, true), "other window: " .. vim.inspect(theirs))
  end)
  normal_mode()
  lua("vim.cmd('only')")
  lua("vim.api.nvim_buf_set_lines(0, ... - 1, ..., false, {})", lnum)
  if not ok then
    error(err, 0)
  end
end)

step("split of one buffer, both cursors before the same auto-closed ')': in the other window, gone to in insert mode (a <Cmd> mapping, a click), the suggestion is drawn, and <Tab> takes what is drawn (nothing was drawn there, and <Tab> inserted it unseen)", function()
  normal_mode()
  local line = 'msg = fmt("héllo", )'
  lua("vim.api.nvim_buf_set_lines(0, -1, -1, false, { ... })", line)
  local lnum = lua("return vim.api.nvim_buf_line_count(0)")
  lua("vim.api.nvim_win_set_cursor(0, { ..., select(2, ...) })", lnum, #line - 1)
  lua("vim.cmd('split')") -- the new window's cursor where this one's is
  local a = lua("return vim.api.nvim_get_current_win()")
  local b = lua("return vim.fn.win_getid(vim.fn.winnr('#'))")
  local ok, err = pcall(function()
    input("i")
    wait_ghost('"wörld"')
    input("<Cmd>wincmd w<CR>")
    wait_for("in the other window, still in insert mode, at the same place", function()
      local s = lua("return { win = vim.api.nvim_get_current_win(), mode = vim.api.nvim_get_mode().mode, pos = vim.api.nvim_win_get_cursor(0) }")
      return s.win == b and s.mode == "i" and s.pos[2] == #line - 1 and s, s
    end)
    wait_for("the suggestion drawn in the window gone to", function()
      local d = lua("return E2E.drawn(...)", b, lnum)
      return d and d:find('"wörld")', 1, true) and d, d
    end, 5000)
    local left = lua("return E2E.drawn(...)", a, lnum)
    check(left and not left:find("wörld", 1, true), "still drawn in the window left: " .. vim.inspect(left))
    input("<Tab>")
    wait_line(lnum - 1, 'msg = fmt("héllo", "wörld")')
  end)
  normal_mode()
  lua("vim.cmd('only')")
  lua("vim.api.nvim_buf_set_lines(0, ... - 1, ..., false, {})", lnum)
  check(ok, err)
end)

step("diff mode (nvim -d, :diffsplit): no suggestion while typing (its virtual lines pushed one side's lines out of line), one when asked", function()
  normal_mode()
  lua("vim.cmd('silent write')")
  local left, right = dir .. "/diff_left.py", dir .. "/diff_right.py"
  vim.fn.writefile({ "def mul(a, b):", "    ", "x = 1" }, left)
  vim.fn.writefile({ "def mul(a, b):", "    ", "x = 2" }, right)
  lua("vim.cmd.edit(...)", left)
  lua("vim.cmd('vertical diffsplit ' .. vim.fn.fnameescape(...))", right)
  local ok, err = pcall(function()
    wait_attached()
    check(not asks_while_typing(1), "a suggestion asked for while typing in a diff window")
    local status = table.concat(lua("return require('deepseek_lsp').status_lines(nil)"), "\n")
    check(status:find("shows a diff", 1, true), ":DeepSeekStatus:\n" .. status)
    input("<M-\\>")
    wait_ghost("urn a * b", "the suggestion asked for with <M-\\>")
  end)
  normal_mode()
  lua("vim.cmd('diffoff!'); vim.cmd('only'); vim.cmd('silent! bwipeout! ' .. vim.fn.fnameescape(...))", right)
  lua("vim.cmd('silent! bwipeout! ' .. vim.fn.fnameescape(...))", left)
  lua("vim.cmd.edit(...)", file)
  check(ok, err)
end)

step(":DeepSeekToggle: no suggestion while typing in this buffer ([off], said in :DeepSeekStatus), one when asked, none after :DeepSeekRestart; again: back on; vim.g.deepseek_completion = false: off everywhere; 0 (Vimscript's `let g:… = 0`) is off too", function()
  local other = open_new("toggled.py", { "def mul(a, b):", "    " })
  local function retype()
    normal_mode()
    lua("vim.api.nvim_buf_set_lines(0, 1, 2, false, { '    ' })")
  end
  local ok, err = pcall(function()
    wait_attached()
    lua("E2E.notes = {}; vim.cmd('DeepSeekToggle')")
    local notes = table.concat(lua("return E2E.notes"), "\n")
    -- Said once as the plugin's ("DeepSeek: DeepSeek suggestions off" named it twice).
    check(vim.startswith(notes, "DeepSeek: suggestions off in this buffer while typing"), "what :DeepSeekToggle said: " .. notes)
    check(not asks_while_typing(1), "a suggestion asked for while typing in a buffer toggled off")
    -- The new server's client finds the buffer still off.
    retype()
    local old = lua("return E2E.client().id")
    lua("vim.cmd('DeepSeekRestart')")
    wait_for("a new client attached", function()
      local id = lua("local c = E2E.client(); return c and c.initialized and c.id")
      return id and id ~= old, id
    end, 15000)
    check(not asks_while_typing(1), "a suggestion asked for while typing in a buffer toggled off, after :DeepSeekRestart")
    local sl = lua("return require('deepseek_lsp').statusline()")
    check(sl == "DeepSeek [off]", "statusline() in the buffer toggled off: " .. vim.inspect(sl))
    local status = table.concat(lua("return require('deepseek_lsp').status_lines(nil)"), "\n")
    check(status:find("off while typing in this buffer (:DeepSeekToggle", 1, true), ":DeepSeekStatus:\n" .. status)
    input("<M-\\>")
    wait_ghost("urn a * b", "the suggestion asked for with <M-\\> in the buffer toggled off")
    retype()
    lua("E2E.notes = {}; vim.cmd('DeepSeekToggle')")
    check(lua("return E2E.notes")[1] == "DeepSeek: suggestions on in this buffer", "what :DeepSeekToggle said: " .. vim.inspect(lua("return E2E.notes")))
    check(lua("return require('deepseek_lsp').statusline()") == "DeepSeek", "statusline() once toggled on again")
    type_ret(1)
    wait_ghost("urn a * b", "the suggestion while typing once toggled on again")
    retype()
    lua("vim.b.deepseek_completion = nil; vim.g.deepseek_completion = false")
    check(not asks_while_typing(1), "a suggestion asked for while typing with vim.g.deepseek_completion = false")
    -- Vimscript's way (copilot.vim's `let b:copilot_enabled = 0`): the number 0 is off too.
    for _, scope in ipairs({ "g", "b" }) do
      retype()
      lua("vim.g.deepseek_completion = nil; vim.cmd('let ' .. ... .. ':deepseek_completion = 0')", scope)
      check(not asks_while_typing(1), ("a suggestion asked for while typing with `let %s:deepseek_completion = 0`"):format(scope))
      check(lua("return require('deepseek_lsp').statusline()") == "DeepSeek [off]", "statusline() with " .. scope .. ":deepseek_completion = 0")
    end
  end)
  lua("vim.g.deepseek_completion = nil")
  normal_mode()
  lua("vim.cmd('silent! bwipeout! ' .. vim.fn.fnameescape(...))", other)
  lua("vim.cmd.edit(...)", file)
  check(ok, err)
end)

step("dot-repeat: '.' after an accept inserts the accepted text again", function()
  normal_mode()
  lua("vim.api.nvim_buf_set_lines(0, -1, -1, false, { '    re', '    re' })")
  local row = lua("return vim.api.nvim_buf_line_count(0) - 2")
  lua("vim.api.nvim_win_set_cursor(0, { ..., 5 })", row + 1)
  input("A")
  input("t")
  wait_ghost("urn a * b")
  input("<Tab>")
  wait_line(row, "    return a * b")
  normal_mode()
  lua("vim.api.nvim_win_set_cursor(0, { ..., 0 })", row + 2)
  input(".")
  vim.wait(300)
  local got = lua("return vim.api.nvim_buf_get_lines(0, ..., ... + 2, false)", row)
  lua("vim.api.nvim_buf_set_lines(0, ..., ... + 2, false, {})", row)
  check(vim.deep_equal(got, { "    return a * b", "    return a * b" }), "after '.': " .. vim.inspect(got))
end)

step("undo: one 'u' after typing and accepting undoes the whole insert; <C-r> redoes it", function()
  normal_mode()
  lua("vim.api.nvim_buf_set_lines(0, -1, -1, false, { '    re' })")
  local row = lua("return vim.api.nvim_buf_line_count(0) - 1")
  lua("vim.cmd('let &undolevels = &undolevels')") -- break the undo sequence
  lua("vim.api.nvim_win_set_cursor(0, { ..., 5 })", row + 1)
  input("A")
  input("t")
  wait_ghost("urn a * b")
  input("<Tab>")
  wait_line(row, "    return a * b")
  input("x")
  wait_line(row, "    return a * bx")
  normal_mode()
  input("u")
  vim.wait(200)
  local after_u = lua("return vim.api.nvim_buf_get_lines(0, ..., ... + 1, false)[1]", row)
  input("<C-r>")
  vim.wait(200)
  local after_r = lua("return vim.api.nvim_buf_get_lines(0, ..., ... + 1, false)[1]", row)
  lua("vim.api.nvim_buf_set_lines(0, ..., ... + 1, false, {})", row)
  check(after_u == "    re" and after_r == "    return a * bx", ("u: %q, <C-r>: %q"):format(tostring(after_u), tostring(after_r)))
end)

step("dot-repeat: a whole accept before an auto-closed ')' and a multi-line accept with autoindent", function()
  normal_mode()
  local line = 'msg = fmt("héllo", )'
  lua("vim.api.nvim_buf_set_lines(0, -1, -1, false, { ..., ... })", line)
  local row = lua("return vim.api.nvim_buf_line_count(0) - 2")
  lua("vim.api.nvim_win_set_cursor(0, { ..., select(2, ...) })", row + 1, #line - 1)
  input("i")
  wait_ghost('"wörld"')
  input("<Tab>")
  wait_line(row, 'msg = fmt("héllo", "wörld")')
  local s = state()
  check(s.col == #'msg = fmt("héllo", "wörld")', "cursor after accept " .. vim.inspect(s))
  normal_mode()
  lua("vim.api.nvim_win_set_cursor(0, { ..., select(2, ...) })", row + 2, #line - 1)
  input(".")
  vim.wait(300)
  local got = lua("return vim.api.nvim_buf_get_lines(0, ..., ... + 2, false)", row)
  lua("vim.api.nvim_buf_set_lines(0, ..., ... + 2, false, {})", row)
  check(got[2] == 'msg = fmt("héllo", "wörld")', "after '.': " .. vim.inspect(got))
  -- a block, autoindent on
  lua("vim.bo.autoindent = true")
  local ok, err = pcall(function()
    lua("vim.api.nvim_buf_set_lines(0, -1, -1, false, { '', '', 'def sub(a, b):', '    ', 'def sub(a, b):', '    ' })")
    local r = lua("return vim.api.nvim_buf_line_count(0) - 3")
    lua("vim.api.nvim_win_set_cursor(0, { ..., 4 })", r + 1)
    input("A")
    wait_ghost("diff = a - b")
    input("<Tab>")
    wait_line(r + 1, "    return diff")
    normal_mode()
    lua("vim.api.nvim_win_set_cursor(0, { ..., 4 })", r + 4)
    input(".")
    vim.wait(300)
    local lines = lua("return vim.api.nvim_buf_get_lines(0, ..., -1, false)", r)
    lua("vim.api.nvim_buf_set_lines(0, ... - 3, -1, false, {})", r)
    check(vim.deep_equal(lines, { "    diff = a - b", "    return diff", "def sub(a, b):", "    diff = a - b", "    return diff" }), vim.inspect(lines))
  end)
  lua("vim.bo.autoindent = false")
  check(ok, err)
end)

step("macro: '@a' replays the accepts recorded with 'qa' (word, whole, before an auto-closed ')'), not plain Tabs", function()
  normal_mode()
  local line = 'msg = fmt("héllo", )'
  lua("vim.api.nvim_buf_set_lines(0, -1, -1, false, { 'x = 1', '    re', ..., 'x = 1', '    re', ... })", line)
  local row = lua("return vim.api.nvim_buf_line_count(0) - 6")
  local ok, err = pcall(function()
    lua("vim.api.nvim_win_set_cursor(0, { ..., 0 })", row + 1)
    input("qa")
    -- A Tab with no suggestion first: it stays a Tab in the register, the accepts do not.
    input("A<Tab>")
    wait_line(row, "x = 1   ")
    input("<Esc>jA")
    input("t")
    wait_ghost("urn a * b")
    input("<M-Right>")
    wait_line(row + 1, "    return")
    wait_ghost(" a * b", "the rest after accepting a word")
    input("<Tab>")
    wait_line(row + 1, "    return a * b")
    input("<Esc>j$i") -- onto the next line, before its ")"
    wait_ghost('"wörld"')
    input("<Tab>")
    wait_line(row + 2, 'msg = fmt("héllo", "wörld")')
    input("<Esc>q")
    wait_for("the recording to stop", function()
      return lua("return vim.fn.reg_recording()") == "", lua("return vim.fn.reg_recording()")
    end, 3000)
    vim.wait(100)
    without_auto_trigger(function()
      lua("vim.api.nvim_win_set_cursor(0, { ..., 0 })", row + 4)
      input("@a")
      wait_for("the macro's three lines", function()
        local got = lua("return vim.api.nvim_buf_get_lines(0, ..., ... + 3, false)", row + 3)
        return vim.deep_equal(got, { "x = 1   ", "    return a * b", 'msg = fmt("héllo", "wörld")' }), got
      end, 3000)
    end)
  end)
  normal_mode()
  lua("vim.api.nvim_buf_set_lines(0, ..., ... + 6, false, {})", row)
  check(ok, err)
end)

step("virtualedit=all: with the cursor past the end of the line, no suggestion left of it, <Tab> inserts no wrong text", function()
  normal_mode()
  lua("vim.wo.virtualedit = 'all'")
  lua("vim.api.nvim_buf_set_lines(0, -1, -1, false, { '    ret' })")
  local row = lua("return vim.api.nvim_buf_line_count(0) - 1")
  lua("vim.api.nvim_win_set_cursor(0, { ..., 6 })", row + 1)
  local ok, err = pcall(function()
    input("4l") -- three columns past the "t"
    input("i")
    wait_for("insert mode in virtual space", function()
      local s = lua("return { mode = vim.api.nvim_get_mode().mode, vcol = vim.fn.virtcol('.') }")
      return s.mode == "i" and s.vcol == 11, s
    end, 3000)
    vim.wait(600) -- time for a suggestion to arrive
    local g = ghost()
    check(g == nil, "a suggestion for '    ret' drawn at column " .. tostring(g and g.col) .. ", left of the cursor: " .. vim.inspect(g and g.text))
    input("<Tab>")
    vim.wait(300)
    local l = lua("return vim.api.nvim_buf_get_lines(0, ..., ... + 1, false)[1]", row)
    check(not l:find("urn a", 1, true), "after <Tab>: " .. vim.inspect(l))
    -- Typed text fills the gap: suggestions come again.
    normal_mode()
    lua("vim.api.nvim_buf_set_lines(0, ..., ... + 1, false, { '    ret' })", row)
    lua("vim.api.nvim_win_set_cursor(0, { ..., 6 })", row + 1)
    input("a")
    wait_ghost("urn a * b")
  end)
  normal_mode()
  lua("vim.wo.virtualedit = ''")
  lua("vim.api.nvim_buf_set_lines(0, ..., ... + 1, false, {})", row)
  check(ok, err)
end)

step("restart: with no suggestion, <Tab> still runs the user's own mapping after the client restarts", function()
  normal_mode()
  lua("vim.cmd('silent write')")
  -- The user's insert-mode <Tab> (a snippet plugin's, say); the plugin's falls back to it.
  lua("vim.keymap.set('i', '<Tab>', 'XX', { desc = 'the user tab' })")
  local function clients()
    return lua("return #vim.lsp.get_clients({ bufnr = 0, name = 'deepseek_lsp' })")
  end
  lua("for _, c in ipairs(vim.lsp.get_clients({ bufnr = 0, name = 'deepseek_lsp' })) do c:stop(true) end")
  wait_for("the client to stop", function()
    return clients() == 0
  end, 10000)
  lua("vim.cmd('edit')")
  wait_for("a new client attached", function()
    return clients() == 1 and lua("return vim.fn.maparg('<Tab>', 'i', false, true).desc or ''"):match("^DeepSeek")
  end, 15000)
  local ok, err = pcall(without_auto_trigger, function()
    lua("vim.api.nvim_buf_set_lines(0, -1, -1, false, { '' })")
    local row = lua("return vim.api.nvim_buf_line_count(0) - 1")
    lua("vim.api.nvim_win_set_cursor(0, { ..., 0 })", row + 1)
    input("A")
    input("<Tab>")
    wait_line(row, "XX")
    normal_mode()
    lua("vim.api.nvim_buf_set_lines(0, ..., ... + 1, false, {})", row)
  end)
  lua("pcall(vim.keymap.del, 'i', '<Tab>')") -- the user's mapping goes, whatever happened
  if not ok then
    error(err, 0)
  end
end)

step("insert mode entered before the server attached (a file opened and `A` pressed at once, lazy-loaded on InsertEnter): a suggestion without another key", function()
  normal_mode()
  lua("vim.cmd('silent write')")
  local late = dir .. "/attached_in_insert.py"
  vim.fn.writefile({ "def mul(a, b):", "    ret" }, late)
  -- Opened without its FileType, which is what starts (or attaches) the server.
  lua("vim.cmd('noautocmd edit ' .. vim.fn.fnameescape(...))", late)
  lua("vim.bo.indentexpr = ''; vim.bo.autoindent = false")
  lua("vim.api.nvim_win_set_cursor(0, { 2, 0 })")
  input("A") -- InsertEnter with no server attached: nothing to ask
  wait_for("insert mode", function()
    return state().mode == "i"
  end)
  check(lua("return E2E.client() == nil"), "the server attached before insert mode")
  lua("vim.bo.filetype = 'python'") -- the server attaches now
  local ok, err = pcall(wait_ghost, "urn a * b", "a suggestion once the server attached, no key typed")
  normal_mode()
  lua("vim.cmd('bwipeout!')")
  lua("vim.cmd.edit(...)", file)
  check(ok, err)
end)

step("a crash mid-session: told once with :DeepSeekRestart, which starts the server again for the open buffers", function()
  normal_mode()
  local function attached()
    return lua([[
      local c = vim.lsp.get_clients({ name = 'deepseek_lsp' })[1]
      return c and c.initialized and not c:is_stopped() and vim.tbl_count(c.attached_buffers) or 0
    ]])
  end
  local before = attached()
  check(before >= 1, "no client attached before the crash")
  lua("E2E.notes = {}")
  -- SIGKILL the server process (an out-of-memory kill, a segfault in a native library).
  local killed = signal_server("sigkill")
  check(killed > 0, "the server process was not found among Neovim's children")
  wait_for("the client to go", function()
    return #lua("return vim.lsp.get_clients({ name = 'deepseek_lsp' })") == 0
  end, 10000)
  wait_for("the crash to be told", function()
    return table.concat(lua("return E2E.notes"), "\n"):find(":DeepSeekRestart", 1, true) ~= nil
  end, 5000)
  local status = table.concat(lua("return require('deepseek_lsp').status_lines(nil)"), "\n")
  check(status:find("stopped unexpectedly", 1, true) and status:find(":DeepSeekRestart", 1, true), ":DeepSeekStatus:\n" .. status)
  -- The message scrolls away; the statusline went blank as if the plugin were not installed.
  local line = lua("return require('deepseek_lsp').statusline()")
  check(line == "DeepSeek [stopped]", "statusline() after the crash: " .. vim.inspect(line))
  lua("vim.cmd('DeepSeekRestart')")
  -- Every open buffer of a type it serves, not only those it served when it crashed.
  local ok = pcall(wait_for, "the server to serve the open buffers again", function()
    return attached() >= before and lua("return E2E.client() ~= nil")
  end, 15000)
  check(ok, ("attached to %d buffers, %d before; notes: %s"):format(attached(), before, vim.inspect(lua("return E2E.notes"))))
  local ours = 0
  for _, note in ipairs(lua("return E2E.notes")) do
    if note:find("stopped unexpectedly", 1, true) then
      ours = ours + 1
    end
  end
  check(ours == 1, "notifications: " .. vim.inspect(lua("return E2E.notes")))
  line = lua("return require('deepseek_lsp').statusline()")
  check(line == "DeepSeek", "statusline() after :DeepSeekRestart: " .. vim.inspect(line))
end)

--- The server's daily budget in dollars (0: none), as it reports it.
local function budget()
  return lua([[
    local r = E2E.client():request_sync("deepseek/usage", vim.empty_dict(), 5000, 0)
    local b = r and r.result and r.result.budget
    return b and b ~= vim.NIL and b.daily_usd or 0
  ]])
end

step(":DeepSeekRestart with the server running: 'restarting…' at once, 'restarted' once the new server has initialized, and no crash warning ('stopped unexpectedly', 'quit with exit code')", function()
  normal_mode()
  -- Each note with whether a server was running (initialized) as it was given.
  lua([[
    E2E.notes, E2E.running_at = {}, {}
    E2E.saved_notify = vim.notify
    vim.notify = function(msg, level)
      local c = vim.lsp.get_clients({ name = "deepseek_lsp" })[1]
      E2E.running_at[#E2E.notes + 1] = c ~= nil and c.initialized == true and not c:is_stopped()
      E2E.saved_notify(msg, level)
    end
  ]])
  local old = lua("return E2E.client().id")
  local ok, err = pcall(function()
    lua("vim.cmd('DeepSeekRestart')")
    local notes = lua("return E2E.notes")
    check(notes[1] == "DeepSeek: deepseek-lsp restarting…", "said at once: " .. vim.inspect(notes))
    wait_for("a new client attached", function()
      local id = lua("local c = E2E.client(); return c and c.initialized and c.id")
      return id and id ~= old, id
    end, 15000)
    wait_for("'restarted'", function()
      local notes = lua("return E2E.notes")
      return vim.tbl_contains(notes, "DeepSeek: deepseek-lsp restarted"), notes
    end, 5000)
  end)
  lua("vim.notify = E2E.saved_notify")
  check(ok, err)
  local notes, running_at = lua("return E2E.notes"), lua("return E2E.running_at")
  for i, note in ipairs(notes) do
    if note == "DeepSeek: deepseek-lsp restarted" then
      check(running_at[i], "'restarted' said before the new server had initialized: " .. vim.inspect(notes))
    end
  end
  for _, note in ipairs(notes) do
    check(not note:find("unexpectedly", 1, true) and not note:find("quit with exit code", 1, true), "notifications: " .. vim.inspect(notes))
  end
  check(lua("return require('deepseek_lsp').statusline()") == "DeepSeek", "statusline() after the restart")
end)

step(":DeepSeekRestart with no open buffer it serves: says it starts with the next such file, not 'restarted'", function()
  normal_mode()
  local r = setup_again({ filetypes = { "go" } })
  local ok, err = pcall(function()
    check(r.ok, "setup(): " .. tostring(r.err))
    wait_for("the client to leave the Python buffer", function()
      return lua("return E2E.client() == nil")
    end, 5000)
    lua("E2E.notes = {}")
    lua("vim.cmd('DeepSeekRestart')")
    wait_for("what :DeepSeekRestart says", function()
      local notes = lua("return E2E.notes")
      return #notes >= 2, notes
    end, 5000)
    local notes = lua("return E2E.notes")
    check(notes[2] == "DeepSeek: deepseek-lsp stopped; it starts again when a file of a type it serves is opened", "notes: " .. vim.inspect(notes))
  end)
  setup_again()
  wait_attached("the client back in the Python buffer")
  check(ok, err)
end)

step("setup() again: a running server gets the new settings (workspace/didChangeConfiguration)", function()
  normal_mode()
  check(budget() == 0, "a budget before: " .. tostring(budget()))
  setup_again(nil, { dailyBudgetUsd = 5 })
  local ok, err = pcall(wait_for, "the server's daily budget to be 5", function()
    local b = budget()
    return b == 5, b
  end, 5000)
  setup_again() -- as the test's own config had it, whatever happened
  check(ok, err)
end)

step("setup() again as the server starts, without a setting it started with: the setting is back to its default", function()
  -- The server had been started with the budget (also in its initializationOptions) and was
  -- not yet asked for its settings: it kept the budget until Neovim was restarted.
  normal_mode()
  local ok, err = pcall(function()
    setup_again(nil, { dailyBudgetUsd = 5 })
    wait_for("the server's daily budget to be 5", function()
      local b = budget()
      return b == 5, b
    end, 5000)
    local old = lua("return E2E.client().id")
    lua([[
      vim.api.nvim_create_autocmd("LspAttach", { once = true, callback = function()
        E2E.setup_again() -- the server has answered initialize, and pulls its settings only now
      end })
      vim.cmd("DeepSeekRestart")
    ]])
    wait_for("the server to run again", function()
      -- A new one: the old one, asked to shut down, is there until it has.
      local id = lua("local c = E2E.client(); return c and c.initialized and c.id")
      return id and id ~= old, id
    end, 15000)
    wait_for("the server's daily budget to be back to none", function()
      local b = budget()
      return b == 0, b
    end, 5000)
  end)
  setup_again() -- as the test's own config had it, whatever happened
  check(ok, err)
end)

step("<C-c> from Replace mode or from <C-x> completion leaves no ghost text behind", function()
  for _, case in ipairs({ { "R", nil }, { "A", "<C-x>" } }) do
    normal_mode()
    -- R over the last "e" types "t"; A appends it.
    local line = case[1] == "R" and "    ree" or "    re"
    lua("vim.api.nvim_buf_set_lines(0, -1, -1, false, { ... })", line)
    local row = lua("return vim.api.nvim_buf_line_count(0) - 1")
    lua("vim.api.nvim_win_set_cursor(0, { ..., 6 })", row + 1)
    input(case[1])
    input("t")
    wait_ghost("urn a * b")
    if case[2] then
      input(case[2])
      wait_for("insert completion mode", function()
        local s = state()
        return s.mode == "ix", s.mode
      end, 3000)
    end
    input("<C-c>") -- no InsertLeave
    wait_for("normal mode", function()
      local s = state()
      return s.mode == "n", s.mode
    end, 3000)
    vim.wait(100)
    local g = ghost()
    lua("vim.api.nvim_buf_set_lines(0, ..., ... + 1, false, {})", row)
    check(g == nil, ("%s%s then <C-c>: ghost text %s left in normal mode"):format(case[1], case[2] or "", vim.inspect(g and g.text)))
  end
end)

step("nvim-cmp / blink.cmp: no ghost text while their menu is open; it comes back when it closes", function()
  -- Neither plugin can be installed here (GitHub is out of reach): stand-ins with the parts of
  -- their API the plugin reads: cmp.visible() and cmp.event:on("menu_opened"/"menu_closed");
  -- blink.cmp's is_menu_visible() and its User BlinkCmpMenuOpen / BlinkCmpMenuClose events.
  lua([[
    E2E.menu_open, E2E.cmp_handlers = false, {}
    package.loaded["cmp"] = {
      visible = function() return E2E.menu_open == "cmp" end,
      event = { on = function(_, name, fn) E2E.cmp_handlers[name] = fn end },
    }
    package.loaded["blink.cmp"] = { is_menu_visible = function() return E2E.menu_open == "blink" end }
    function E2E.menu(which, open)
      E2E.menu_open = open and which or false
      if which == "cmp" then
        local fn = E2E.cmp_handlers[open and "menu_opened" or "menu_closed"]
        if fn then fn({}) end
      else
        vim.api.nvim_exec_autocmds("User", { pattern = open and "BlinkCmpMenuOpen" or "BlinkCmpMenuClose" })
      end
    end
  ]])
  local ok, err = pcall(function()
    for _, which in ipairs({ "cmp", "blink" }) do
      normal_mode()
      lua("vim.api.nvim_buf_set_lines(0, -1, -1, false, { '    re' })")
      local row = lua("return vim.api.nvim_buf_line_count(0) - 1")
      lua("vim.api.nvim_win_set_cursor(0, { ..., 5 })", row + 1)
      input("A")
      input("t")
      wait_ghost("urn a * b")
      lua("E2E.menu(...)", which, true)
      wait_for(which .. ": the ghost text to go as the menu opens", function()
        return ghost() == nil
      end, 3000)
      input("u") -- typed with the menu open
      input("<M-]>") -- and an answer that arrives while it is open (asked for more choices)
      vim.wait(600)
      local g = ghost()
      check(g == nil, which .. ": ghost text " .. vim.inspect(g and g.text) .. " drawn over the open menu")
      lua("E2E.menu(...)", which, false)
      wait_ghost("rn a * b", which .. ": the suggestion back once the menu closed")
      normal_mode()
      lua("vim.api.nvim_buf_set_lines(0, ..., ... + 1, false, {})", row)
    end
  end)
  lua('package.loaded["cmp"], package.loaded["blink.cmp"] = nil, nil')
  if not ok then
    error(err, 0)
  end
end)

step("a global <Tab> mapped after the client attached (a plugin lazy-loaded on InsertEnter) runs with no suggestion", function()
  normal_mode()
  lua("vim.keymap.set('i', '<Tab>', 'YY', { desc = 'a late user tab' })")
  local ok, err = pcall(without_auto_trigger, function()
    lua("vim.api.nvim_buf_set_lines(0, -1, -1, false, { '' })")
    local row = lua("return vim.api.nvim_buf_line_count(0) - 1")
    lua("vim.api.nvim_win_set_cursor(0, { ..., 0 })", row + 1)
    input("A")
    input("<Tab>")
    wait_line(row, "YY")
    normal_mode()
    lua("vim.api.nvim_buf_set_lines(0, ..., ... + 1, false, {})", row)
  end)
  lua("pcall(vim.keymap.del, 'i', '<Tab>')")
  if not ok then
    error(err, 0)
  end
end)

step("accept() / accept_word() from the user's own expr mapping insert the suggestion (no E565)", function()
  normal_mode()
  -- README: keymaps = { accept = false } and call accept() from your own mapping, which returns
  -- the key itself when nothing was accepted: an expr mapping, where the text cannot change.
  lua([[
    vim.keymap.set("i", "<C-l>", function()
      return require("deepseek_lsp").accept() and "" or "<C-l>"
    end, { expr = true, buffer = 0 })
    vim.keymap.set("i", "<C-k>", function()
      return require("deepseek_lsp").accept_word() and "" or "<C-k>"
    end, { expr = true, buffer = 0 })
    vim.v.errmsg = ""
  ]])
  local ok, err = pcall(function()
    lua("vim.api.nvim_buf_set_lines(0, -1, -1, false, { '    re' })")
    local row = lua("return vim.api.nvim_buf_line_count(0) - 1")
    lua("vim.api.nvim_win_set_cursor(0, { ..., 5 })", row + 1)
    input("A")
    input("t")
    wait_ghost("urn a * b")
    input("<C-k>")
    wait_line(row, "    return")
    wait_ghost(" a * b", "the rest after accept_word()")
    input("<C-l>")
    wait_line(row, "    return a * b")
    local s = state()
    check(s.mode == "i" and s.col == #"    return a * b", "state after accept() " .. vim.inspect(s))
    normal_mode()
    lua("vim.api.nvim_buf_set_lines(0, ..., ... + 1, false, {})", row)
  end)
  local errmsg = lua("return vim.v.errmsg")
  lua("pcall(vim.keymap.del, 'i', '<C-l>', { buffer = 0 }); pcall(vim.keymap.del, 'i', '<C-k>', { buffer = 0 })")
  check(ok, err)
  check(errmsg == "", "error: " .. errmsg)
end)

step("setup() with bad options: one clear error naming them, their defaults used, no stack trace", function()
  normal_mode()
  lua("E2E.notes = {}")
  local r = setup_again({ filetypes = "python", inline = "bogus", keymaps = { accept = 1 } })
  local after = lua([[
    local m = require("deepseek_lsp")
    return { mode = m._mode, filetypes = m.config.filetypes or "nil", accept = m.config.keymaps.accept, notes = E2E.notes }
  ]])
  setup_again() -- as the test's own config had it, whatever happened
  check(r.ok, "setup() raised: " .. tostring(r.err))
  local text = table.concat(after.notes, "\n")
  check(#after.notes == 1 and text:find("filetypes", 1, true) and text:find("inline", 1, true)
    and text:find("keymaps.accept", 1, true), "notifications: " .. vim.inspect(after.notes))
  check(after.mode == "ghost" and after.filetypes == "nil" and after.accept == "<Tab>", "config " .. vim.inspect(after))
end)

step("setup() again without an option it had before: the option is back to its default", function()
  normal_mode()
  setup_again({ filetypes = { "lua" } })
  setup_again() -- the test's own config: filetypes = nil, every file
  local ft = lua("return vim.lsp.config.deepseek_lsp.filetypes")
  check(ft == nil, "the server is still limited to the filetypes of an earlier setup(): " .. vim.inspect(ft))
end)

step("setup() again with other keymaps, then inline = false: the open buffers follow at once", function()
  normal_mode()
  local function desc(lhs)
    return lua("return vim.fn.maparg(..., 'i', false, true).desc or ''", lhs)
  end
  local ok, err = pcall(function()
    setup_again({ keymaps = { accept = "<C-l>" } })
    check(desc("<C-l>"):match("^DeepSeek") and not desc("<Tab>"):match("^DeepSeek"),
      ("after setup({keymaps = {accept = '<C-l>'}}): <C-l> %q, <Tab> %q"):format(desc("<C-l>"), desc("<Tab>")))
    lua("vim.api.nvim_buf_set_lines(0, -1, -1, false, { '    re' })")
    local row = lua("return vim.api.nvim_buf_line_count(0) - 1")
    lua("vim.api.nvim_win_set_cursor(0, { ..., 5 })", row + 1)
    input("A")
    input("t")
    wait_ghost("urn a * b")
    input("<C-l>")
    wait_line(row, "    return a * b")
    normal_mode()
    setup_again({ inline = false })
    check(not desc("<C-l>"):match("^DeepSeek"), "inline = false, still mapped: <C-l> " .. desc("<C-l>"))
    lua("vim.api.nvim_buf_set_lines(0, ..., ... + 1, false, { '    re' })", row)
    lua("vim.api.nvim_win_set_cursor(0, { ..., 5 })", row + 1)
    input("A")
    input("t")
    vim.wait(600) -- time for a suggestion to arrive
    local g = ghost()
    normal_mode()
    lua("vim.api.nvim_buf_set_lines(0, ..., ... + 1, false, {})", row)
    check(g == nil, "inline = false, ghost text still drawn: " .. vim.inspect(g and g.text))
  end)
  normal_mode()
  setup_again() -- the test's own config, whatever happened
  check(ok, err)
  check(desc("<Tab>"):match("^DeepSeek"), "<Tab> not mapped again after setup() with the defaults: " .. desc("<Tab>"))
end)

step("completion menus (:help lsp-attach's vim.lsp.completion, nvim-cmp, blink.cmp) are not given the suggestion the ghost text shows; inline = false gives it back", function()
  normal_mode()
  lua("vim.cmd('silent write')")
  local menu_file = dir .. "/menu_sources.py"
  vim.fn.writefile({ "def mul(a, b):", "    " }, menu_file)
  -- What :help lsp-attach suggests, and what nvim-cmp's and blink.cmp's LSP sources test too:
  -- a client with a completionProvider gets asked by the menu.
  lua([[
    E2E.completeopt, E2E.menu_for = vim.o.completeopt, {}
    vim.o.completeopt = "menuone,noselect,popup"
    E2E.menu_au = vim.api.nvim_create_autocmd("LspAttach", { callback = function(args)
      local client = vim.lsp.get_client_by_id(args.data.client_id)
      if client and client:supports_method("textDocument/completion") then
        vim.lsp.completion.enable(true, client.id, args.buf, { autotrigger = true })
        E2E.menu_for[client.name] = true
      end
    end })
  ]])
  local ok, err = pcall(function()
    lua("vim.cmd.edit(...)", menu_file)
    wait_attached()
    type_ret(1)
    wait_ghost("urn a * b")
    input("urn ") -- the space is a trigger character of the server's menu
    wait_ghost("a * b", "the ghost text after a trigger character")
    local menu = lua("return { enabled = E2E.menu_for.deepseek_lsp or false, pum = vim.fn.pumvisible() }")
    normal_mode()
    check(not menu.enabled and menu.pum == 0, "the menu is given the suggestion too: " .. vim.inspect(menu))
    setup_again({ inline = false })
    check(lua("return E2E.client():supports_method('textDocument/completion')"), "inline = false: no menu items")
    setup_again()
    check(not lua("return E2E.client():supports_method('textDocument/completion')"), "ghost text again: menu items too")
  end)
  normal_mode()
  lua("vim.api.nvim_del_autocmd(E2E.menu_au); vim.o.completeopt = E2E.completeopt")
  setup_again()
  lua("vim.cmd('bwipeout!')")
  lua("vim.cmd.edit(...)", file)
  check(ok, err)
end)

step("a file whose type Neovim does not detect gets the server too (filetypes = nil)", function()
  normal_mode()
  local notes = dir .. "/notes.zzz"
  vim.fn.writefile({ "hello" }, notes)
  lua("vim.cmd.edit(...)", notes)
  check(lua("return vim.bo.filetype") == "", "a filetype was detected")
  wait_attached("the client to attach to notes.zzz")
  lua("vim.cmd.edit(...)", file)
end)

step("a second project's file: its root becomes a workspace folder of the one server", function()
  normal_mode()
  local other = vim.fn.tempname()
  vim.fn.mkdir(other .. "/.git", "p")
  vim.fn.writefile({ "y = 2" }, other .. "/b.py")
  lua("vim.cmd.edit(...)", other .. "/b.py")
  local folders = wait_for("the other project among the client's workspace folders", function()
    local info = lua([[
      local c = E2E.client()
      if not c then return nil end
      local names = {}
      for _, f in ipairs(c.workspace_folders or {}) do names[#names + 1] = f.name end
      return { n = #vim.lsp.get_clients({ name = "deepseek_lsp" }), folders = names }
    ]])
    if info and info.n == 1 and vim.tbl_contains(info.folders, other) then
      return info
    end
    return nil, info
  end, 10000)
  check(folders.n == 1, vim.inspect(folders))
  lua("vim.cmd.edit(...)", file)
  vim.fn.delete(other, "rf")
end)

step("the user's buffer-local <Tab> is theirs again once the client detaches", function()
  normal_mode()
  local user = dir .. "/user_tab.py"
  vim.fn.writefile({ "x = 1" }, user)
  -- The user's mapping is there before the client attaches (as an ftplugin's, which runs first).
  lua("vim.cmd('silent write')")
  lua("vim.cmd('noautocmd edit ' .. vim.fn.fnameescape(...))", user)
  lua([[vim.keymap.set("i", "<Tab>", "XX", { buffer = 0, desc = "the user's ftplugin tab" })]])
  lua("vim.bo.filetype = 'python'")
  wait_for("the plugin's <Tab> over the user's", function()
    local d = lua("return vim.fn.maparg('<Tab>', 'i', false, true).desc or ''")
    return d:match("^DeepSeek") ~= nil, d
  end, 10000)
  lua("vim.lsp.buf_detach_client(0, E2E.client().id)")
  local desc = wait_for("the user's <Tab> back", function()
    local d = lua("return vim.fn.maparg('<Tab>', 'i', false, true).desc or ''")
    return d == "the user's ftplugin tab" and d, d
  end, 5000)
  check(desc, "no user mapping")
  lua("vim.cmd('bwipeout!')")
  lua("vim.cmd.edit(...)", file)
end)

--- Types "ret" at the end of ``row`` (0-based, holding "    ") and waits for the fake's "urn a * b".
step(":file renamed.py (a rename without a write): the server follows the buffer, suggestions go on", function()
  normal_mode()
  local before, after = dir .. "/before_rename.py", dir .. "/after_rename.py"
  vim.fn.writefile({ "def mul(a, b):", "    " }, before)
  lua("vim.cmd.edit(...)", before)
  wait_attached()
  -- What file managers do too (nvim_buf_set_name): Neovim sent the edits under the new name,
  -- which the server had never opened, until the next write.
  lua("vim.cmd('file ' .. vim.fn.fnameescape(...))", after)
  suggest_on(1)
  input("<Tab>")
  wait_line(1, "    return a * b")
  normal_mode()
  lua("vim.cmd('silent write')")
  lua("vim.cmd('bwipeout')")
  lua("vim.cmd.edit(...)", file)
end)

step("a filetype set after the server attached (:set ft=markdown, markdown off): no suggestions, [off]", function()
  normal_mode()
  local untyped = dir .. "/typed_later.zzz"
  vim.fn.writefile({ "notes", "    " }, untyped)
  local r = setup_again(nil, { completion = { debounce = 0, languages = { markdown = false } } })
  local ok, err = pcall(function()
    check(r.ok, "setup(): " .. tostring(r.err))
    lua("vim.cmd.edit(...)", untyped)
    check(lua("return vim.bo.filetype") == "", "a filetype was detected")
    wait_attached()
    -- The document kept the languageId it was opened with (none): markdown was completed.
    lua("vim.bo.filetype = 'markdown'")
    type_ret(1)
    wait_for("[off] in the markdown buffer", function()
      local sl = lua("return require('deepseek_lsp').statusline()")
      return sl == "DeepSeek [off]", sl
    end, 5000)
    vim.wait(200)
    check(ghost() == nil, "a suggestion in a markdown buffer: " .. vim.inspect(ghost()))
  end)
  normal_mode()
  lua("vim.cmd('bwipeout!')")
  setup_again()
  lua("vim.cmd.edit(...)", file)
  check(ok, err)
end)

step("two buffers without a name (:enew, :set ft=python): the first keeps its suggestions, the second is served once named", function()
  normal_mode()
  local function new_python(lines)
    lua("vim.cmd('enew'); vim.bo.filetype = 'python'")
    lua("vim.api.nvim_buf_set_lines(0, 0, -1, false, ...)", lines)
    return lua("return vim.api.nvim_get_current_buf()")
  end
  local first = new_python({ "def mul(a, b):", "    " })
  wait_attached("the client to attach to the first")
  -- Both are "file://" to Neovim: the second one's text replaced the first one's on the server.
  local second = new_python({ "x = 1", "y = 2", "", "def mul(a, b):", "    " })
  local second_served = lua("return E2E.client() ~= nil")
  lua("vim.cmd.buffer(...)", first)
  suggest_on(1)
  normal_mode()
  check(not second_served, "the second buffer without a name is served too")
  lua("vim.cmd.buffer(...)", second)
  local status = table.concat(lua("return require('deepseek_lsp').status_lines(nil)"), "\n")
  check(status:find("not served: another buffer without a name is served", 1, true), ":DeepSeekStatus in the second:\n" .. status)
  lua("vim.cmd('silent write ' .. vim.fn.fnameescape(...))", dir .. "/named_later.py")
  wait_attached("the client to attach once it has a name", 5000)
  suggest_on(4)
  normal_mode()
  lua("vim.cmd('bwipeout!')")
  lua("vim.cmd('bwipeout! ' .. ...)", first)
  lua("vim.cmd.edit(...)", file)
end)

step(":set fileformat=dos after the server attached: the server's copy has CRLF on every line, not only on lines edited since", function()
  normal_mode()
  local path = dir .. "/late_dos.py"
  vim.fn.writefile({ "x = 1", "def mul(a, b):", "    " }, path)
  lua("vim.cmd.edit(...)", path)
  wait_attached()
  lua("vim.bo.fileformat = 'dos'")
  suggest_on(2)
  normal_mode()
  local prompt = ""
  for _, p in ipairs(fake_prompts()) do
    if p:find("late_dos.py", 1, true) and p:find("    ret$") then
      prompt = p
    end
  end
  lua("vim.cmd('bwipeout!')")
  lua("vim.cmd.edit(...)", file)
  check(prompt:find("x = 1\r\ndef mul(a, b):\r\n    ret", 1, true), "the prompt: " .. vim.inspect(prompt))
end)

step("a line over 100 kB (minified code, a one-line data file): nothing asked there, [off] and :DeepSeekStatus say why; the next line is served", function()
  normal_mode()
  local path = dir .. "/long_line.py"
  vim.fn.writefile({ "x = [" .. string.rep("1, ", 40000) .. "]", "def mul(a, b):", "    " }, path)
  lua("vim.cmd.edit(...)", path)
  local ok, err = pcall(function()
    wait_attached()
    lua("vim.api.nvim_win_set_cursor(0, { 1, 0 })")
    input("A")
    input("#")
    wait_for("[off] in the long line", function()
      local sl = lua("return require('deepseek_lsp').statusline()")
      return sl == "DeepSeek [off]", sl
    end, 5000)
    local status = table.concat(lua("return require('deepseek_lsp').status_lines(nil)"), "\n")
    check(status:find("this line is 120 kB long", 1, true), ":DeepSeekStatus:\n" .. status)
    normal_mode()
    suggest_on(2)
    check(lua("return require('deepseek_lsp').statusline()") == "DeepSeek", "still [off] on a short line")
  end)
  normal_mode()
  lua("vim.cmd('bwipeout!')")
  lua("vim.cmd.edit(...)", file)
  check(ok, err)
end)

--- Waits until the current buffer's server has loaded its tokenizer. Asked every 1.2 s: the
--- server loads it after 1 s without a message from the editor.
local function wait_tokenizer_loaded()
  local deadline = now_ms() + 40000
  while not lua([[
    local r = E2E.client():request_sync("deepseek/debugState", vim.empty_dict(), 5000, 0)
    return r and r.result and r.result.tokenizerLoaded == true
  ]]) do
    check(now_ms() < deadline, "the server had not loaded its tokenizer after 40 s")
    vim.wait(1200)
  end
end

--- Appends ``line`` to the buffer and types ``key`` at its end (Insert mode, by A: InsertEnter
--- asks at the line as it was, the key again); returns the line's row.
local function type_on_new_line(line, key)
  lua("vim.api.nvim_buf_set_lines(0, -1, -1, false, { ... })", line)
  local row = lua("return vim.api.nvim_buf_line_count(0) - 1")
  lua("vim.api.nvim_win_set_cursor(0, { ..., select(2, ...) })", row + 1, #line)
  input("A")
  input(key)
  return row
end

--- Checks that statusline() reads ``want``, then returns the text of :DeepSeekStatus's float
--- (closed), from Normal mode.
local function statusline_and_float(want)
  local sl = lua("return require('deepseek_lsp').statusline()")
  check(sl == want, "statusline " .. vim.inspect(sl))
  normal_mode()
  lua("vim.cmd('DeepSeekStatus')")
  local lines = wait_for("the status float", function()
    return lua("return E2E.info_float()")
  end, 5000)
  return table.concat(lines, "\n")
end

step("setup() again, then a key before Neovim answered the server's pull of the new settings (busy 0.3 s: a config being sourced): the request goes by them, its [warning] and :DeepSeekStatus telling the new limit ('did not answer within 1.5 s (completion.timeoutS)'; it went by the old 5 s)", function()
  normal_mode()
  local want = "did not answer within 1.5 s (completion.timeoutS)"
  local row
  local ok, err = pcall(function()
    fake_control("fault", { kind = "stall", seconds = 4, count = 1, path = "/beta/completions", prompt_end = "\nslowq" })
    without_auto_trigger(function()
      -- The server has had its first settings (setup() again before that waits for them).
      wait_for("the server's first pull answered", function()
        return lua("return require('deepseek_lsp.settings_sync').pulled[E2E.client().id] == true")
      end)
      -- And has loaded DeepSeek's tokenizer, which it does once the editor is quiet after a
      -- start (an earlier step's restart): the load holds the GIL and stops the server's loop
      -- (0.4 s idle, gaps of 3 to 5 s at load 21); the key asked meanwhile waited 0.66 to
      -- 0.92 s of the 1 s it waits for the settings at load 20, and went by the old ones past it.
      wait_tokenizer_loaded()
      lua("vim.api.nvim_buf_set_lines(0, -1, -1, false, { 'slowq' })")
      row = lua("return vim.api.nvim_buf_line_count(0) - 1")
      lua("vim.api.nvim_win_set_cursor(0, { ..., 4 })", row + 1)
      input("A")
      wait_for("insert mode at the line's end", function()
        local s = state()
        return s.mode == "i" and s.col == 5, s
      end)
      -- One chunk: the setup(), the key's request (its debounce run out), then Neovim busy,
      -- so that the server has the request before Neovim can answer its pull.
      lua([[
        E2E.setup_again(vim.empty_dict(), { completion = { debounce = 0, timeoutS = 1.5 } })
        local ghost = require("deepseek_lsp.ghost")
        ghost.config.auto_trigger = false
        ghost.request(0, false)
        -- As if the key's own events had been seen (setup() renewed the buffer's state):
        -- the cursor event that follows does not take this request back.
        local pos = vim.api.nvim_win_get_cursor(0)
        ghost._states[vim.api.nvim_get_current_buf()].last_key =
          ("%d:%d:%d"):format(vim.api.nvim_buf_get_changedtick(0), pos[1] - 1, pos[2])
        vim.uv.sleep(300)
      ]])
      local st = wait_for("a deepseek/status telling the time limit", function()
        local s = lua("return require('deepseek_lsp').status()")
        return s and type(s.message) == "string" and s.message:find(want, 1, true) and s, s
      end, 10000)
      check(st.kind == "Warning", "status " .. vim.inspect(st))
    end)
    local text = statusline_and_float("DeepSeek [warning]")
    check(text:gsub("\n", " "):find(want, 1, true), "status float:\n" .. text)
  end)
  -- Whatever happened: Normal mode, the line gone, the test's own settings (the 402 step
  -- after this one types on a new line, from Normal mode).
  normal_mode()
  if row then
    lua("vim.api.nvim_buf_set_lines(0, ..., ... + 1, false, {})", row)
  end
  setup_again()
  check(ok, err)
end)

step("status: a 402 from DeepSeek arrives as deepseek/status Error in statusline() and :DeepSeekStatus", function()
  -- Last on purpose: a 402 pauses completions for a minute. One 402 only: builtin_completion.lua
  -- runs next against the same fake. Only for the request at "zzz": at load, the request
  -- InsertEnter asked at "zz" (its key a moment behind "A") took it, the "z" then hung up on
  -- it before its answer was read, and the request at "zzz" was answered (CI: Normal for 10 s).
  -- A real empty account answers that one with its 402 too.
  fake_control("fault", { kind = "status", status = 402, count = 1, path = "/beta/completions", prompt_end = "\nzzz" })
  local since = #vim.json.decode(fake_control("requests"))
  lua("E2E.notes = {}")
  local row = type_on_new_line("zz", "z")
  local st = wait_for("a deepseek/status of kind Error", function()
    local s = lua("return require('deepseek_lsp').status()")
    if s and s.kind == "Error" then
      return s
    end
    -- Which request the 402 went to, if any: what to look at when this times out.
    local took = "none yet"
    for i, r in ipairs(vim.json.decode(fake_control("requests"))) do
      if i > since and vim.tbl_contains(r.faults or {}, "status") then
        took = vim.inspect(type(r.json) == "table" and type(r.json.prompt) == "string" and r.json.prompt:sub(-20))
      end
    end
    return nil, { status = s, the_402_answered = took }
  end, 10000)
  check(st.message:find("402", 1, true), "status message " .. vim.inspect(st.message))
  local text = statusline_and_float("DeepSeek [error]")
  check(text:find("status: Error", 1, true) and text:find("402", 1, true), "status float:\n" .. text)
  local shown = wait_for("the error shown to the user once (window/showMessage)", function()
    local notes = lua("return E2E.notes")
    local n = 0
    for _, note in ipairs(notes) do
      if note:find("402", 1, true) then
        n = n + 1
      end
    end
    return n > 0 and n, notes
  end, 3000)
  check(shown == 1, ("the 402 was shown %d times"):format(shown))
  -- Keys typed while completions are paused tell the user nothing new.
  lua("vim.api.nvim_win_set_cursor(0, { ..., 3 })", row + 1)
  input("A")
  input("z")
  input("z")
  vim.wait(600)
  normal_mode()
  local again = 0
  for _, note in ipairs(lua("return E2E.notes")) do
    if note:find("402", 1, true) then
      again = again + 1
    end
  end
  check(again == 1, ("after two more keys the 402 was shown %d times"):format(again))
end)

step("a cmd the user gave Neovim (vim.lsp.config, lsp/deepseek_lsp.lua) is kept by setup() without cmd", function()
  -- A fresh Neovim for each case (setup() remembers the user's config from its first call).
  local plugin_root = vim.fn.fnamemodify(here, ":h")
  local rtp = vim.fn.tempname()
  vim.fn.mkdir(rtp .. "/lsp", "p")
  vim.fn.writefile({ 'return { cmd = { "/opt/rtp/deepseek-lsp" } }' }, rtp .. "/lsp/deepseek_lsp.lua")
  local function cmd_after(code)
    local script = vim.fn.tempname() .. ".lua"
    local lines = { ("vim.opt.runtimepath:prepend(%q)"):format(plugin_root) }
    vim.list_extend(lines, vim.split(code, "\n"))
    table.insert(lines, "io.stdout:write(vim.json.encode(vim.lsp.config.deepseek_lsp.cmd))")
    vim.fn.writefile(lines, script)
    local r = vim.system({ vim.v.progpath, "--headless", "--clean", "-l", script }, { text = true }):wait(20000)
    check(r.code == 0, "the Neovim run failed: " .. tostring(r.stderr))
    return vim.json.decode(r.stdout)
  end
  local user = 'vim.lsp.config("deepseek_lsp", { cmd = { "/opt/user/deepseek-lsp" } })'
  local got = cmd_after(user .. '\nrequire("deepseek_lsp").setup({})')
  check(vim.deep_equal(got, { "/opt/user/deepseek-lsp" }), "vim.lsp.config's cmd replaced by " .. vim.inspect(got))
  got = cmd_after(("vim.opt.runtimepath:prepend(%q)"):format(rtp) .. '\nrequire("deepseek_lsp").setup({})')
  check(vim.deep_equal(got, { "/opt/rtp/deepseek-lsp" }), "lsp/deepseek_lsp.lua's cmd replaced by " .. vim.inspect(got))
  got = cmd_after(user .. '\nrequire("deepseek_lsp").setup({ cmd = { "/opt/setup/deepseek-lsp" } })')
  check(vim.deep_equal(got, { "/opt/setup/deepseek-lsp" }), "setup()'s cmd lost to " .. vim.inspect(got))
  got = cmd_after('require("deepseek_lsp").setup({})')
  check(type(got) == "table" and type(got[1]) == "string", "no default command: " .. vim.inspect(got))
  vim.fn.delete(rtp, "rf")
end)

--- Runs ``lines`` in a headless Neovim of its own with the plugin on 'runtimepath' and returns
--- what the script wrote to stdout as JSON.
---@param lines string[]
---@param timeout integer ms
local function in_own_nvim(lines, timeout)
  local script = vim.fn.tempname() .. ".lua"
  local head = { ("vim.opt.runtimepath:prepend(%q)"):format(vim.fn.fnamemodify(here, ":h")) }
  vim.fn.writefile(vim.list_extend(head, lines), script)
  local r = vim.system({ vim.v.progpath, "--headless", "--clean", "-l", script }, { text = true }):wait(timeout)
  check(r.code == 0, "the Neovim run failed: " .. tostring(r.stderr))
  return vim.json.decode(r.stdout)
end

step("a server command that is not there: said once on opening a file, and :DeepSeekStatus says why, not 'open a file'", function()
  local py = dir .. "/nocmd.py"
  vim.fn.writefile({ "x = 1" }, py)
  local got = in_own_nvim({
    "local notes = {}",
    "vim.notify = function(msg) notes[#notes + 1] = tostring(msg) end",
    'require("deepseek_lsp").setup({ cmd = { "/nonexistent/deepseek-lsp" } })',
    ("vim.cmd.edit(%q)"):format(py),
    ("vim.cmd.edit(%q)"):format(file), -- a second file: told once, not per file
    "vim.wait(2000, function() return #notes > 0 end)",
    "vim.wait(200)",
    'io.stdout:write(vim.json.encode({ notes = notes, status = require("deepseek_lsp").status_lines(nil) }))',
  }, 20000)
  local told = table.concat(got.notes, "\n")
  check(#got.notes == 1 and told:find("/nonexistent/deepseek-lsp", 1, true), "notifications: " .. vim.inspect(got.notes))
  local status = table.concat(got.status, "\n")
  check(not status:find("open a file", 1, true) and status:find("/nonexistent/deepseek-lsp", 1, true), ":DeepSeekStatus:\n" .. status)
end)

step("no server installed (no deepseek-lsp on PATH, python3 without the module): said once, not 'quit with exit code 1' per file", function()
  local plugin_root = vim.fn.fnamemodify(here, ":h")
  -- PATH holds only a python3 that has no deepseek_lsp, as after installing the plugin alone.
  local bin = dir .. "/nomodule-bin"
  vim.fn.mkdir(bin, "p")
  vim.fn.writefile({ "#!/bin/sh", "echo \"No module named deepseek_lsp\" >&2", "exit 1" }, bin .. "/python3")
  vim.fn.setfperm(bin .. "/python3", "rwxr-xr-x")
  local a, b = dir .. "/nomodule_a.py", dir .. "/nomodule_b.py"
  vim.fn.writefile({ "x = 1" }, a)
  vim.fn.writefile({ "y = 2" }, b)
  local script = vim.fn.tempname() .. ".lua"
  vim.fn.writefile({
    ("vim.opt.runtimepath:prepend(%q)"):format(plugin_root),
    "local notes = {}",
    "vim.notify = function(msg) notes[#notes + 1] = tostring(msg) end",
    'require("deepseek_lsp").setup({})',
    ("vim.cmd.edit(%q)"):format(a),
    "vim.wait(3000, function() return #notes > 0 end)",
    ("vim.cmd.edit(%q)"):format(b),
    "vim.wait(1500)",
    "io.stdout:write(vim.json.encode({ notes = notes }))",
  }, script)
  local r = vim.system({ vim.v.progpath, "--headless", "--clean", "-l", script }, { text = true, env = { PATH = bin } }):wait(20000)
  check(r.code == 0, "the Neovim run failed: " .. tostring(r.stderr))
  local notes = vim.json.decode(r.stdout).notes
  local told = table.concat(notes, "\n")
  -- The repository the plugin is a folder of, which pip installs: "pip install deepseek-lsp"
  -- found no such package (it is not on PyPI).
  local install = "pip install " .. vim.fn.fnamemodify(vim.fn.fnamemodify(plugin_root, ":p:h:h:h"), ":~")
  check(#notes == 1 and told:find(install .. ",", 1, true), "notifications: " .. vim.inspect(notes) .. "\nexpected: " .. install)
end)

--- The messages said since ``since`` (E2E.notes' count) holding ``text``.
local function notes_with(text, since)
  local found = {}
  for i, note in ipairs(lua("return E2E.notes")) do
    if i > since and note:find(text, 1, true) then
      found[#found + 1] = note
    end
  end
  return found
end

step("Ollama (a second fake answering as it): a base URL without /v1, then a model it lacks, each told once naming Ollama, no 'DeepSeek: ' before it, [error] in the statusline; completions back once both are set right", function()
  local ollama = vim.env.DEEPSEEK_E2E_OLLAMA_URL
  check(ollama and ollama ~= "", "run.sh starts the fake Ollama and sets DEEPSEEK_E2E_OLLAMA_URL")
  local function at(base, model)
    local r = setup_again(nil, {
      backend = "openai-suffix", baseUrl = base,
      completion = { model = model, debounce = 0 }, review = { mode = "onSave", model = "qwen2.5-coder:7b" },
    })
    check(r.ok, "setup(): " .. tostring(r.err))
  end
  local ok, err = pcall(in_new_file, "ollama.py", sample, function()
    wait_attached()
    local function typed(what)
      local since = #lua("return E2E.notes")
      lua("vim.api.nvim_buf_set_lines(0, ..., ... + 1, false, { '    ' })", LAST)
      type_ret(LAST)
      wait_for(what, function()
        return #notes_with(what, since) > 0, lua("return E2E.notes")
      end)
      input("<BS><BS><BS>ret") -- more keys while paused: nothing more said
      normal_mode()
      -- A review meets the same server: its own words, one cause (two pop-ups asked for the
      -- same /v1).
      lua("vim.cmd('DeepSeekReview')")
      vim.wait(1500)
      local told, popups = notes_with(what, since), {}
      for _, note in ipairs(told) do
        check(not note:find("DeepSeek: ", 1, true), "a DeepSeek prefix on another server's message: " .. note)
        popups[#popups + 1] = note:find("^LSP%[") and note or nil
      end
      -- The review's own report may say it again (:DeepSeekReview asked), as "review: ...".
      check(#popups == 1, "told " .. #popups .. " times: " .. vim.inspect(told))
      check(lua(STATUSLINE) == "DeepSeek [error]", "statusline " .. vim.inspect(lua(STATUSLINE)))
      return popups[1]
    end
    at(ollama, "qwen2.5-coder:7b")
    -- Said of the completion's /completions or of a review's /chat/completions: baseUrl serves both.
    local said = typed(" to " .. ollama .. "/v1: Ollama, vLLM")
    check(said:find("at 127.0.0.1:", 1, true), "the server not named: " .. said)
    at(ollama .. "/v1", "qwen2.5-coder:14b")
    -- The new settings applied (the pause ends: the statusline's [error] goes) before a key: a
    -- key sooner met the old URL's pause, sent nothing, and nothing was told (2 runs at load).
    wait_statusline("DeepSeek")
    said = typed("ollama pull qwen2.5-coder:14b")
    check(said:find("Ollama at 127.0.0.1:", 1, true), "Ollama not named: " .. said)
    at(ollama .. "/v1", "qwen2.5-coder:7b")
    wait_statusline("DeepSeek") -- as above: the pause ended by the new settings first
    lua("vim.api.nvim_buf_set_lines(0, ..., ... + 1, false, { '    ' })", LAST)
    suggest_on(LAST)
    normal_mode()
    wait_statusline("DeepSeek")
  end)
  setup_again()
  check(ok, err)
end)

step("a server that exits as it starts (a broken install): told once with its exit code, not once per file opened", function()
  local plugin_root = vim.fn.fnamemodify(here, ":h")
  local files = {}
  for i = 1, 3 do
    files[i] = ("%s/broken_%d.py"):format(dir, i)
    vim.fn.writefile({ "x = 1" }, files[i])
  end
  local script = vim.fn.tempname() .. ".lua"
  local lines = {
    ("vim.opt.runtimepath:prepend(%q)"):format(plugin_root),
    "local notes = {}",
    "vim.notify = function(msg) notes[#notes + 1] = tostring(msg) end",
    -- A user's own on_exit still runs.
    "local user_exit, counts = 0, {}",
    'require("deepseek_lsp").setup({ cmd = { "/bin/sh", "-c", "exit 3" }, lsp = { on_exit = function() user_exit = user_exit + 1 end } })',
  }
  for i, f in ipairs(files) do
    lines[#lines + 1] = ("vim.cmd.edit(%q)"):format(f)
    if i == 1 then
      -- Until the first failure is told, then a moment for the other news of that start.
      lines[#lines + 1] = 'vim.wait(10000, function() return table.concat(notes):find("as it started", 1, true) ~= nil end)'
    end
    lines[#lines + 1] = "vim.wait(1000)"
    lines[#lines + 1] = "counts[#counts + 1] = #notes"
  end
  vim.list_extend(lines, {
    'local status = require("deepseek_lsp").status_lines(nil)',
    "io.stdout:write(vim.json.encode({ notes = notes, counts = counts, status = status, user_exit = user_exit }))",
  })
  vim.fn.writefile(lines, script)
  local r = vim.system({ vim.v.progpath, "--headless", "--clean", "-l", script }, { text = true }):wait(20000)
  check(r.code == 0, "the Neovim run failed: " .. tostring(r.stderr))
  local got = vim.json.decode(r.stdout)
  local ours = 0
  for _, note in ipairs(got.notes) do
    if note:find("exited as it started (exit code 3)", 1, true) then
      ours = ours + 1
    end
  end
  -- Neovim's own "quit with exit code 3" comes once for each server started before the first
  -- one's exit was seen; none may come for the files opened after it.
  check(ours == 1 and got.counts[3] == got.counts[1], "notifications for 3 files opened: " .. vim.inspect(got.notes))
  check(got.user_exit >= 1, "the user's on_exit did not run")
  local status = table.concat(got.status, "\n")
  check(status:find("exit code 3", 1, true), ":DeepSeekStatus:\n" .. status)
end)

step(":DeepSeekReview as a file opens with a server that exits as it starts (or a cmd that is no program) says why at once, not 'did not start for this buffer within 30 s' after waiting 30 s", function()
  local file = dir .. "/review_broken.py"
  vim.fn.writefile({ "x = 1" }, file)
  local function review_with(cmd)
    return in_own_nvim({
      "vim.notify = function() end",
      ("require('deepseek_lsp').setup({ cmd = %s })"):format(vim.inspect(cmd)),
      ("vim.cmd.edit(%q)"):format(file),
      "local said, started = nil, vim.uv.now()",
      "require('deepseek_lsp').review(0, function(err) said = err or 'no error' end)",
      "vim.wait(40000, function() return said ~= nil end)",
      "io.stdout:write(vim.json.encode({ said = said or 'nothing', ms = vim.uv.now() - started }))",
    }, 50000)
  end
  local exits = review_with({ "/bin/sh", "-c", "exit 3" })
  check(exits.said:find("exited as it started (exit code 3)", 1, true), ("after %d ms: %s"):format(exits.ms, exits.said))
  local missing = review_with({ dir .. "/no-such-deepseek-lsp" })
  check(missing.said:find("no-such-deepseek-lsp", 1, true), ("after %d ms: %s"):format(missing.ms, missing.said))
end)

step("setup() run late (lazy.nvim): the server starts for the open file, not for an empty [No Name] buffer", function()
  local plugin_root = vim.fn.fnamemodify(here, ":h")
  local py = dir .. "/lazy.py"
  vim.fn.writefile({ "x = 1" }, py)
  local script = vim.fn.tempname() .. ".lua"
  vim.fn.writefile({
    ("vim.opt.runtimepath:prepend(%q)"):format(plugin_root),
    "local started = {}",
    "vim.lsp.start = function(_, opts) started[#started + 1] = vim.api.nvim_buf_get_name(opts.bufnr) end",
    ("vim.cmd.edit(%q)"):format(py),
    "vim.cmd('enew')",
    -- After startup, as a plugin manager loads a plugin on an event: the open buffers get it.
    'require("deepseek_lsp").setup({ cmd = { "/bin/true" } })',
    "vim.wait(300)",
    "io.stdout:write(vim.json.encode({ started = started }))",
  }, script)
  local r = vim.system({ vim.v.progpath, "--headless", "--clean", "-l", script }, { text = true }):wait(20000)
  check(r.code == 0, "the Neovim run failed: " .. tostring(r.stderr))
  local started = vim.json.decode(r.stdout).started
  -- The empty buffer got a server too, and what was typed there went to DeepSeek.
  check(vim.deep_equal(started, { py }), "servers started for: " .. vim.inspect(started))
end)

step(":checkhealth deepseek_lsp with no key and a server that cannot start: errors that say why, no 'open a file'", function()
  local plugin_root = vim.fn.fnamemodify(here, ":h")
  local bin = dir .. "/health-bin"
  vim.fn.mkdir(bin, "p")
  vim.fn.writefile({ "#!/bin/sh", "echo 'No module named deepseek_lsp' >&2", "exit 1" }, bin .. "/python3")
  vim.fn.setfperm(bin .. "/python3", "rwxr-xr-x")
  local py = dir .. "/health.py"
  vim.fn.writefile({ "x = 1" }, py)
  local function health(cmd, settings)
    local script = vim.fn.tempname() .. ".lua"
    vim.fn.writefile({
      ("vim.opt.runtimepath:prepend(%q)"):format(plugin_root),
      "vim.notify = function() end",
      ("require('deepseek_lsp').setup({ cmd = %s, settings = %s })"):format(vim.inspect(cmd), vim.inspect(settings or {}, { newline = " ", indent = "" })),
      ("vim.cmd.edit(%q)"):format(py),
      "vim.wait(1500)",
      "vim.cmd('checkhealth deepseek_lsp')",
      "io.stdout:write(table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\\n'))",
    }, script)
    local env = { PATH = bin, DEEPSEEK_API_KEY = "", DEEPSEEK_BASE_URL = "" }
    local r = vim.system({ vim.v.progpath, "--headless", "--clean", "-l", script }, { text = true, env = env }):wait(20000)
    check(r.code == 0, "the Neovim run failed: " .. tostring(r.stderr))
    return r.stdout
  end
  -- python3 on PATH without the server: the command was "OK", the failure only a warning.
  local text = health({ "python3", "-m", "deepseek_lsp" })
  check(not text:find("OK server command", 1, true), "a server that cannot start is OK:\n" .. text)
  check(text:find("ERROR server command: python3 -m deepseek_lsp", 1, true) and text:find("No module named deepseek_lsp", 1, true), "no error naming why:\n" .. text)
  check(text:find("ERROR API key: not set", 1, true), "the missing key is not an error:\n" .. text)
  -- What to install names this repository, not a package PyPI does not have.
  local install = "pip install " .. vim.fn.fnamemodify(vim.fn.fnamemodify(plugin_root, ":p:h:h:h"), ":~")
  check(text:find(install .. " into the Python that runs it", 1, true) and not text:find("pip install deepseek-lsp", 1, true), "the install advice:\n" .. text)
  -- A self-hosted server on another machine needs no key: no error for a setup that works.
  text = health({ "/nonexistent/deepseek-lsp" }, { backend = "chat", baseUrl = "http://192.168.7.7:8000/v1" })
  check(not text:find("ERROR API key", 1, true) and text:find("API key: not set (fine for a self-hosted server", 1, true), "a self-hosted server without a key:\n" .. text)
  -- Reviews on a self-hosted server, completions from DeepSeek's (fimBaseUrl): DeepSeek wants the key.
  text = health({ "/nonexistent/deepseek-lsp" }, { backend = "chat", baseUrl = "http://192.168.7.7:8000/v1", fimBaseUrl = "https://api.deepseek.com/beta" })
  check(text:find("ERROR API key: not set", 1, true), "completions from DeepSeek without a key:\n" .. text)
  -- llama.cpp with only fimBaseUrl set: reviews go to that llama-server too (baseUrl left at
  -- DeepSeek's), nothing to DeepSeek: the key was an error, and reviews were said to go there.
  text = health({ "/nonexistent/deepseek-lsp" }, { backend = "llamacpp-infill", fimBaseUrl = "http://192.168.7.7:8080" })
  check(not text:find("ERROR API key", 1, true) and text:find("API key: not set (fine for a self-hosted server", 1, true), "llama.cpp's fimBaseUrl alone without a key:\n" .. text)
  check(not text:find("api.deepseek.com", 1, true) and text:find("endpoint: http://192.168.7.7:8080", 1, true), "where llama.cpp's reviews go:\n" .. text)
  -- A command that is not there, with a file open: not "open a file".
  text = health({ "/nonexistent/deepseek-lsp" })
  check(not text:find("Open a file", 1, true), "advice to open a file with one open:\n" .. text)
  check(text:find("not running: the server command `/nonexistent/deepseek-lsp` is not executable", 1, true), "the client section says not why:\n" .. text)
  -- A server that does not answer --version in time (a busy machine): slow, not "exited with 124".
  vim.fn.writefile({ "#!/bin/sh", "exec /usr/bin/tail -f /dev/null" }, bin .. "/slow-server")
  vim.fn.setfperm(bin .. "/slow-server", "rwxr-xr-x")
  text = health({ bin .. "/slow-server" })
  check(text:find("WARNING server command: " .. bin .. "/slow-server", 1, true) and text:find("did not answer within 5 s", 1, true), "a slow --version:\n" .. text)
  check(not text:find("exited with 124", 1, true), "a slow --version is an exit status:\n" .. text)
end)

step("a Neovim nightly whose vim.lsp.inline_completion has no enable()/select(): ghost text, no error on <M-]>", function()
  local plugin_root = vim.fn.fnamemodify(here, ":h")
  local script = vim.fn.tempname() .. ".lua"
  vim.fn.writefile({
    ("vim.opt.runtimepath:prepend(%q)"):format(plugin_root),
    -- The module as a nightly before 0.12 had it: get() and jump() only.
    "vim.lsp.inline_completion = { get = function() end, jump = function() end }",
    'require("deepseek_lsp").setup({ cmd = { "/bin/true" } })',
    'local ok, err = pcall(require("deepseek_lsp").next)',
    'io.stdout:write(vim.json.encode({ mode = require("deepseek_lsp")._mode, next_ok = ok, err = tostring(err) }))',
  }, script)
  local r = vim.system({ vim.v.progpath, "--headless", "--clean", "-l", script }, { text = true }):wait(20000)
  check(r.code == 0, "the Neovim run failed: " .. tostring(r.stderr))
  local got = vim.json.decode(r.stdout)
  check(got.mode == "ghost", "inline mode " .. tostring(got.mode))
  check(got.next_ok, "next(): " .. tostring(got.err))
end)

step("a root_dir from lsp/deepseek_lsp.lua or vim.lsp.config still decides the root (setup() twice)", function()
  local plugin_root = vim.fn.fnamemodify(here, ":h")
  local rtp = vim.fn.tempname()
  vim.fn.mkdir(rtp .. "/lsp", "p")
  vim.fn.writefile({ 'return { root_dir = "/opt/rtp-root" }' }, rtp .. "/lsp/deepseek_lsp.lua")
  local py = dir .. "/rooted.py"
  vim.fn.writefile({ "x = 1" }, py)
  local function roots_after(code)
    local script = vim.fn.tempname() .. ".lua"
    local lines = {
      ("vim.opt.runtimepath:prepend(%q)"):format(plugin_root),
      "local roots = {}",
      "vim.lsp.start = function(cfg) roots[#roots + 1] = tostring(cfg.root_dir) end",
    }
    vim.list_extend(lines, vim.split(code, "\n"))
    vim.list_extend(lines, {
      'require("deepseek_lsp").setup({ cmd = { "/bin/true" } })',
      'require("deepseek_lsp").setup({ cmd = { "/bin/true" } })',
      ("vim.cmd.edit(%q)"):format(py),
      "vim.wait(300)",
      "io.stdout:write(vim.json.encode(roots))",
    })
    vim.fn.writefile(lines, script)
    local r = vim.system({ vim.v.progpath, "--headless", "--clean", "-l", script }, { text = true }):wait(20000)
    check(r.code == 0, "the Neovim run failed: " .. tostring(r.stderr))
    return vim.json.decode(r.stdout)
  end
  local got = roots_after(("vim.opt.runtimepath:prepend(%q)"):format(rtp))
  check(vim.deep_equal(got, { "/opt/rtp-root" }), "lsp/deepseek_lsp.lua's root_dir lost: " .. vim.inspect(got))
  got = roots_after('vim.lsp.config("deepseek_lsp", { root_dir = function(_, on_dir) on_dir("/opt/user-root") end })')
  check(vim.deep_equal(got, { "/opt/user-root" }), "vim.lsp.config's root_dir lost: " .. vim.inspect(got))
  vim.fn.delete(rtp, "rf")
end)

-- -- done --------------------------------------------------------------------------------------------

child.stop()
vim.fn.delete(dir, "rf")
out("e2e: " .. run.summary())
os.exit(run.failed == 0 and 0 or 1)
