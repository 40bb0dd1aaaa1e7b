-- End-to-end test of the completion-menu path (textDocument/completion) in Neovim's own client,
-- without the plugin: what Neovim 0.11 users get from `vim.lsp.completion` (and what any client
-- without inline completion gets). Run by run.sh after e2e.lua, with the same fake DeepSeek.
--
-- Neovim 0.11 inserts a plain-text item only up to its first blank and ignores an edit's range
-- past the cursor; these steps fail with items of that shape (one word of the suggestion; ")"
-- typed twice; "\r" left in a dos buffer).

local here = vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h")
package.path = here .. "/?.lua;" .. package.path
local driver = require("child")
local out = driver.out
local child, lua, input, wait_for = driver.start(here .. "/builtin_init.lua", 15000)

local failures = 0
local function step(name, fn)
  input("<Esc>") -- each step starts in normal mode, whatever the last one left
  vim.wait(50)
  local ok, err = pcall(fn)
  out((ok and "PASS " or "FAIL ") .. "builtin completion: " .. name .. (ok and "" or ("\n     " .. tostring(err))))
  if not ok then
    failures = failures + 1
  end
end

local function open(name, lines, crlf)
  local dir = vim.fn.tempname()
  vim.fn.mkdir(dir, "p")
  local path = dir .. "/" .. name
  local f = assert(io.open(path, "wb"))
  f:write(table.concat(lines, crlf and "\r\n" or "\n") .. (crlf and "\r\n" or "\n"))
  f:close()
  lua("vim.cmd.cd(...)", dir)
  lua("vim.cmd.edit(...)", path)
  wait_for("the client to initialize", function()
    return lua("local c = B.client(); return c and c.initialized")
  end, 30000)
end

--- Pick the menu's first item and confirm it (<C-n> <C-y>), then leave insert mode.
--- ``confirm``: the key after <C-n> instead of <C-y>.
local function take_first(confirm)
  wait_for("the completion menu", function()
    local s = lua("return B.state()")
    return s.pum == 1, s
  end)
  input("<C-n>")
  vim.wait(100)
  input(confirm or "<C-y>")
  vim.wait(300)
  local s = lua("return B.state()")
  input("<Esc>")
  vim.wait(100)
  return s
end

local function line(n)
  return lua("return vim.api.nvim_buf_get_lines(0, ...)", n - 1, n, false)[1]
end

open("calc.py", {
  "def mul(a, b):",
  "    ",
  "    return total",
  "",
  "",
  "def show(xs, price):",
  "    ",
  "    ",
  "",
  "",
  "def sub(a, b):",
  "    ",
})

step("a suggestion typed after a space is inserted whole, not up to its first blank", function()
  lua("vim.api.nvim_win_set_cursor(0, { 2, 4 })")
  input("A")
  input("total = ") -- the space asks (a trigger character)
  local s = take_first()
  if s.line ~= "    total = compute(a, b)" then
    error(("line is %q"):format(s.line))
  end
end)

step("the accept reached the server (the item's command)", function()
  wait_for("completionStats.accepted >= 1", function()
    return lua("return B.accepted()") >= 1
  end, 5000)
end)

step("before an auto-closed ')' the ')' is not typed twice", function()
  lua("vim.api.nvim_win_set_cursor(0, { 7, 4 })")
  input("A")
  input("print()<Left>") -- "(" asks; the cursor goes back inside the pair, as auto-pairs leave it
  vim.wait(200)
  input("<C-x><C-o>")
  take_first()
  if line(7) ~= "    print(len(xs))" then
    error(("line is %q"):format(line(7)))
  end
end)

step("'$' and '}' in a suggestion arrive as typed (snippet syntax escaped)", function()
  lua("vim.api.nvim_win_set_cursor(0, { 8, 4 })")
  input("A")
  input("label = ")
  take_first()
  if line(8) ~= "    label = f'${price:.2f}'" then
    error(("line is %q"):format(line(8)))
  end
end)

step("a block for an empty body keeps the file's indentation on every line", function()
  lua("vim.api.nvim_win_set_cursor(0, { 12, 4 })")
  input("A")
  vim.wait(100)
  input("<C-x><C-o>")
  take_first()
  local got = { line(12), line(13) }
  if not vim.deep_equal(got, { "    diff = a - b", "    return diff" }) then
    error("lines are " .. vim.inspect(got))
  end
end)

step("a line longer than its label: <C-y> inserts it whole; <C-n> then <Esc> leaves no '…'", function()
  open("pairs.py", { "def run(pairs):", "    ", "", "", "def again(pairs):", "    ", "" })
  local want = "    totals = [compute(x, y) for x, y in pairs if x is not None and y > 0]"
  lua("vim.api.nvim_win_set_cursor(0, { 2, 4 })")
  input("A")
  input("totals")
  vim.wait(100)
  input("<C-x><C-o>")
  take_first()
  if line(2) ~= want then
    error(("taken with <C-y>, line 2 is %q"):format(line(2)))
  end
  -- Selected, then left (<Esc>, or a key typed on): Vim keeps the item's word, which was the
  -- label, cut with its "…", in the code and the rest of the line lost.
  lua("vim.api.nvim_win_set_cursor(0, { 6, 4 })")
  input("A")
  input("totals")
  vim.wait(100)
  input("<C-x><C-o>")
  take_first("<Esc>")
  if line(6) ~= "    totals" then
    error(("selected and left, line 6 is %q"):format(line(6)))
  end
end)

step("in a fileformat=dos buffer, a block leaves no carriage return", function()
  open("dos.py", { "def sub(a, b):", "    ", "" }, true)
  if lua("return vim.bo.fileformat") ~= "dos" then
    error("the buffer is not fileformat=dos")
  end
  lua("vim.api.nvim_win_set_cursor(0, { 2, 4 })")
  input("A")
  vim.wait(100)
  input("<C-x><C-o>")
  take_first()
  local lines = lua("return vim.api.nvim_buf_get_lines(0, 0, -1, false)")
  if lines[2] ~= "    diff = a - b" or lines[3] ~= "    return diff" then
    error("lines are " .. vim.inspect(lines))
  end
end)

out(("builtin completion: %d failure(s)"):format(failures))
child.stop()
os.exit(failures)
