-- Exploration of real typing in Neovim (explore.sh starts the fake and sets the environment):
-- each scenario of EXPLORE_PLAN (a JSON list of { file, from, to, accept, pairs }) removes lines
-- from..to of an original in EXPLORE_DIR, then retypes them key by key in a child Neovim with the
-- plugin and its filetype's own indent, accepting a suggestion whenever what it shows is what
-- the original holds (whole with <Tab>, by line or by word), with an autopair mapping or not
-- (`{`, `(`, `[`, quotes, Enter between `{}`, and `end` after Enter on a `do`/`then`/`function`
-- line; a closer the mapping put on the line below is moved onto, not typed again). Then the end
-- state is compared with the original, undone to the start and redone, and
-- saved (a review finding's quick fix applied). One JSON line per scenario goes to EXPLORE_OUT.

local here = vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h")
package.path = here .. "/?.lua;" .. package.path
local driver = require("child")
local out = driver.out
local child, lua, input, wait_for = driver.start(here .. "/minimal_init.lua", 8000)
local DIR = assert(vim.env.EXPLORE_DIR, "EXPLORE_DIR")
local WORK = assert(vim.env.EXPLORE_WORK, "EXPLORE_WORK")
local URL = assert(vim.env.DEEPSEEK_BASE_URL, "DEEPSEEK_BASE_URL")
local plan = vim.json.decode(table.concat(vim.fn.readfile(assert(vim.env.EXPLORE_PLAN)), "\n"))
local results = {}
local _ = child

lua([[
  _G.X = {}
  vim.notify = function() end
  function X.snap()
    local g = require("deepseek_lsp.ghost")
    local pos = vim.api.nvim_win_get_cursor(0)
    local lines = vim.api.nvim_buf_get_lines(0, 0, -1, false)
    local off = 0
    for i = 1, pos[1] - 1 do off = off + #lines[i] + 1 end
    local cur = g.current(0)
    local item
    if cur then
      local r = cur.item.range
      local start
      if r then
        start = 0
        for i = 1, r.start.line do start = start + #lines[i] + 1 end
        start = start + vim.str_byteindex(lines[r.start.line + 1], "utf-16", r.start.character, false)
      end
      item = { text = cur.text, start = start, display = cur.display }
    end
    return { text = table.concat(lines, "\n"), cursor = off + pos[2], row = pos[1], col = pos[2],
             busy = g.busy(0), item = item, mode = vim.api.nvim_get_mode().mode,
             tick = vim.api.nvim_buf_get_changedtick(0) }
  end
  function X.pairs_on()
    local function nxt() local l, c = vim.api.nvim_get_current_line(), vim.fn.col(".") return l:sub(c, c) end
    local function prev() local l, c = vim.api.nvim_get_current_line(), vim.fn.col(".") return l:sub(c - 1, c - 1) end
    for open, close in pairs({ ["("] = ")", ["["] = "]", ["{"] = "}" }) do
      vim.keymap.set("i", open, open .. close .. "<Left>", { buffer = 0 })
      vim.keymap.set("i", close, function() return nxt() == close and "<Right>" or close end, { buffer = 0, expr = true })
    end
    for _, q in ipairs({ '"', "'" }) do
      vim.keymap.set("i", q, function()
        if nxt() == q then return "<Right>" end
        if prev():match("[%w\\]") or q == "'" and prev():match("%w") then return q end
        return q .. q .. "<Left>"
      end, { buffer = 0, expr = true })
    end
    local ft = vim.bo.filetype
    vim.keymap.set("i", "<CR>", function()
      local l, c = vim.api.nvim_get_current_line(), vim.fn.col(".")
      if l:sub(c - 1, c) == "{}" or l:sub(c - 1, c) == "()" or l:sub(c - 1, c) == "[]" then return "<CR><Esc>O" end
      local before = l:sub(1, c - 1)
      local after = l:sub(c)
      if after:match("^%s*$") and (ft == "ruby" or ft == "lua") then
        local opens = before:match("%f[%w]do%s*$") or before:match("%f[%w]do%s*|[^|]*|%s*$")
          or before:match("%f[%w]then%s*$") or before:match("%f[%w]function%s*[%w_.:]*%b()%s*$")
          or (ft == "ruby" and (before:match("^%s*def%s") or before:match("^%s*class%s") or before:match("^%s*module%s")))
        if opens then
          -- vim-endwise: only where the next line at this indent is not already the end.
          local row = vim.fn.line(".")
          local ind = before:match("^%s*")
          local nextl = vim.fn.getline(row + 1)
          if not (nextl:match("^" .. ind .. "end") and #nextl:match("^%s*") == #ind) then
            return "<CR>end<Esc>O"
          end
        end
      end
      return "<CR>"
    end, { buffer = 0, expr = true })
  end
]])

local trace = vim.env.EXPLORE_TRACE and io.open(vim.env.EXPLORE_TRACE, "a")
local function note(...)
  if trace then
    trace:write(table.concat(vim.tbl_map(function(v) return type(v) == "string" and v or vim.inspect(v) end, { ... }), " ") .. "\n")
    trace:flush()
  end
end

local function snap()
  return lua("return X.snap()")
end

local function requests()
  local body = vim.fn.system({ "curl", "-s", URL .. "/_fake/requests" })
  local ok, list = pcall(vim.json.decode, body)
  if not ok then
    return 0, 0
  end
  local fim, chat = 0, 0
  for _, r in ipairs(list) do
    if r.path:find("chat") then chat = chat + 1 else fim = fim + 1 end
  end
  return fim, chat
end

local function key_of(ch)
  if ch == "\n" then return "<CR>" end
  if ch == "<" then return "<lt>" end
  if ch == "\t" then return "<C-v><Tab>" end
  if ch == "\\" then return "<Bslash>" end
  if ch == "|" then return "<Bar>" end
  return ch
end

--- Waits until the key took effect and the suggestion it brings (if any) is in.
local function settle(before)
  local s
  local t0 = driver.now_ms()
  repeat
    vim.wait(5)
    s = snap()
  until (s.tick ~= before.tick or s.cursor ~= before.cursor or s.mode ~= before.mode) or driver.now_ms() - t0 > 1000
  -- Keys an accept feeds (a closer's <Del>, then the paste) come after the first change: wait
  -- for a state that holds, and for the suggestion asked there.
  t0 = driver.now_ms()
  local last = s
  while driver.now_ms() - t0 < 3000 do
    vim.wait(25)
    s = snap()
    local same = s.tick == last.tick and s.cursor == last.cursor and s.mode == last.mode
    if same and not s.busy and lua("return vim.fn.getchar(1) == 0") then
      break
    end
    last = s
  end
  note("  ->", s.row, s.col, vim.split(s.text, "\n")[s.row], s.item and s.item.text or "")
  return s
end

local function common(a, b)
  local n = math.min(#a, #b)
  local i = 0
  while i < n and a:byte(i + 1) == b:byte(i + 1) do i = i + 1 end
  return i
end

--- ``text`` with its tabs as the spaces of 8-column stops (what the user sees).
local function expanded(text)
  return (text:gsub("[^\n]*", function(line)
    local out = ""
    for ch in line:gmatch(".") do
      out = out .. (ch == "\t" and (" "):rep(8 - #out % 8) or ch)
    end
    return out
  end))
end

local function line_of(text, at)
  local s = text:sub(1, at)
  local _, n = s:gsub("\n", "")
  return n + 1
end

--- Presses ``key`` (undo, redo) until the buffer holds ``text``: how many, and whether it did.
local function walk(key, text)
  local n = 0
  while snap().text ~= text and n < 400 do
    input(key)
    n = n + 1
    vim.wait(5)
  end
  return n, snap().text == text
end

local function run(sc, index)
  local original = table.concat(vim.fn.readfile(DIR .. "/" .. sc.file), "\n")
  local lines = vim.split(original, "\n", { plain = true })
  local P = table.concat(vim.list_slice(lines, 1, sc.from - 1), "\n") .. (sc.from > 1 and "\n" or "")
  local R = table.concat(vim.list_slice(lines, sc.from, sc.to), "\n")
  local S = sc.to < #lines and ("\n" .. table.concat(vim.list_slice(lines, sc.to + 1), "\n")) or ""
  assert(P .. R .. S == original)
  local dir = ("%s/%02d"):format(WORK, index)
  vim.fn.mkdir(dir, "p")
  local path = dir .. "/" .. sc.file
  vim.fn.writefile(vim.split(P .. S, "\n", { plain = true }), path)
  local r = { file = sc.file, from = sc.from, to = sc.to, accept = sc.accept, pairs = sc.pairs, keys = 0,
              accepts = 0, wrong_shown = 0, divergences = {}, indent_fixes = 0, shown = 0, notes = {} }
  local fim0, chat0 = requests()
  input("<Esc>")
  lua("vim.cmd('silent! %bwipeout!')")
  lua("vim.cmd.edit(...)", path)
  wait_for("attach", function()
    return lua("return #vim.lsp.get_clients({ bufnr = 0, name = 'deepseek_lsp' }) > 0")
  end, 15000)
  local tabs = R:find("\n\t") ~= nil or R:sub(1, 1) == "\t"
  lua("vim.bo.expandtab = ...; vim.bo.autoindent = true", not tabs)
  if sc.sw then lua("vim.bo.shiftwidth = ...", sc.sw) end
  if sc.pairs then lua("X.pairs_on()") end
  lua("vim.api.nvim_win_set_cursor(0, { ..., 0 })", sc.from)
  local start_text = P .. S
  input("i")
  local s = settle({ tick = -1, cursor = -1, mode = "n" })
  local want = P .. R
  local accept_key = ({ whole = "<Tab>", line = "<M-C-Right>", word = "<M-Right>" })[sc.accept]
  local guard = 0
  while guard < 6000 do
    guard = guard + 1
    local c = s.cursor
    local head = s.text:sub(1, c)
    if head ~= want:sub(1, c) then
      -- The line's indent (an indent script's): set as the original has it, counted apart.
      local n = common(head, want)
      local ls = head:sub(1, n):match(".*\n()") or 1
      local cur_line = head:sub(ls)
      local want_rest = want:sub(ls)
      local want_line = want_rest:match("^[^\n]*")
      if cur_line:match("^%s*") ~= want_line:match("^%s*") and cur_line:gsub("^%s*", "") == want_line:sub(1, #cur_line:gsub("^%s*", "") + #want_line:match("^%s*")):gsub("^%s*", "") then
        r.indent_fixes = r.indent_fixes + 1
        note("indent fix", line_of(head, ls), vim.inspect(cur_line), vim.inspect(want_line))
        local row = line_of(head, ls)
        lua([[local row, ind = ...
          local l = vim.api.nvim_buf_get_lines(0, row - 1, row, false)[1]
          local old = #l:match("^%s*")
          local col = vim.api.nvim_win_get_cursor(0)[2]
          vim.api.nvim_buf_set_text(0, row - 1, 0, row - 1, old, { ind })
          vim.api.nvim_win_set_cursor(0, { row, math.max(0, col - old + #ind) })]], row, want_line:match("^%s*"))
        s = settle(s)
      else
        note("divergence", n, vim.inspect(head:sub(-30)), vim.inspect(want:sub(n - 20, n + 20)))
        table.insert(r.divergences, { at_line = line_of(want, n + 1), got = head:sub(math.max(1, n - 40), n + 40),
                                      want = want:sub(math.max(1, n - 40), n + 40), last = r.last_action })
        -- Set right: the original up to where it went wrong, what followed the cursor after.
        local rest = s.text:sub(c + 1)
        lua([[local text, row, col = ...
          vim.api.nvim_buf_set_lines(0, 0, -1, false, vim.split(text, "\n", { plain = true }))
          vim.api.nvim_win_set_cursor(0, { row, col })]], want:sub(1, n) .. rest, line_of(want, n), #(want:sub(1, n):match("[^\n]*$")))
        s = settle(s)
        if #r.divergences > 20 then
          table.insert(r.notes, "gave up after 20 divergences")
          break
        end
      end
    elseif c >= #want then
      break
    else
      local it = s.item
      local took = false
      if it then
        r.shown = r.shown + 1
        local start = it.start or c
        local predicted = s.text:sub(1, start) .. it.text
        -- ``min_typed``: the user types that many characters of a line before taking a
        -- suggestion (an accept mode "typed" takes none: every key typed, suggestions shown).
        local typed_here = #(s.text:sub(1, c):match("[^\n]*$"):gsub("^%s+", ""))
        local willing = sc.accept ~= "typed" and typed_here >= (sc.min_typed or 0)
        local right = #predicted > c and original:sub(1, #predicted) == predicted
        if willing and right then
          note("accept", c, it.text, "line:", s.text:sub(1, c):match("[^\n]*$"))
          input(accept_key)
          r.accepts = r.accepts + 1
          r.last_action = sc.accept .. " accept of " .. vim.inspect(it.text)
          s = settle(s)
          took = true
        elseif not right then
          r.wrong_shown = r.wrong_shown + 1
          -- Wrong as seen too (not only a tab for eight spaces of the same columns)?
          local seen = expanded(predicted)
          if expanded(original):sub(1, #seen) ~= seen then
            r.wrong_seen = (r.wrong_seen or 0) + 1
          end
          if #r.notes < 30 then
            table.insert(r.notes, { line = line_of(want, c), wrong = it.text, want = original:sub(start + 1, start + #it.text + 20) })
          end
        end
      end
      local after = s.text:sub(c + 1)
      local below = sc.pairs and (after:match("^\n([ \t]*[%)%]}][^\n]*)") or after:match("^\n([ \t]*end%f[^%w_][^\n]*)"))
      -- (One the mapping put there: past the part's end, the file's own lines follow.)
      local mapped = below and #after - #S >= #below + 1
      if not took and mapped and want:sub(c + 1, c + 1 + #below) == "\n" .. below then
        -- The closer an autopair mapping put on the line below is the original's: a user
        -- moves onto it rather than typing it again (which leaves the mapping's one over).
        note("onto the closer below", c, below)
        input("<Down><End>")
        r.keys = r.keys + 2
        r.last_action = "<Down><End> onto " .. vim.inspect(below)
        s = settle(s)
        took = true
      end
      if not took then
        local ch = want:sub(c + 1, c + 1)
        local key = key_of(ch)
        note("key", c, key, it and ("shown " .. vim.inspect(it.text)) or "")
        input(key)
        r.keys = r.keys + 1
        r.last_action = "key " .. key
        s = settle(s)
        if ch == "\n" then
          -- The original's indent, not the autoindent's: backspace over what is too much.
          local target = want:sub(c + 2):match("^[ \t]*")
          local line = s.text:sub(1, s.cursor):match("[^\n]*$")
          -- One <BS> at a time: 'softtabstop' (Ruby's 2) takes several blanks at once.
          while line:match("^[ \t]+$") and target:sub(1, #line) ~= line do
            input("<BS>")
            r.keys = r.keys + 1
            s = settle(s)
            line = s.text:sub(1, s.cursor):match("[^\n]*$")
          end
        end
      end
    end
  end
  input("<Esc>")
  wait_for("normal mode", function() return snap().mode == "n" end)
  local final = snap().text
  r.equal = final == original
  if not r.equal then
    local n = common(final, original)
    r.end_diff = { at_line = line_of(original, n + 1), got = final:sub(math.max(1, n - 60), n + 60),
                   want = original:sub(math.max(1, n - 60), n + 60) }
  end
  -- Undo to the start, redo to the end.
  local undos, redos
  undos, r.undo_to_start = walk("u", start_text)
  if not r.undo_to_start then
    local t = snap().text
    local n = common(t, start_text)
    r.undo_diff = { at_line = line_of(start_text, n + 1), got = t:sub(math.max(1, n - 60), n + 60),
                    want = start_text:sub(math.max(1, n - 60), n + 60) }
  end
  redos, r.redo_to_end = walk("<C-r>", final)
  r.undos, r.redos = undos, redos
  r.fim_requests, r.review_requests = requests()
  r.fim_requests, r.review_requests = r.fim_requests - fim0, r.review_requests - chat0
  -- Save: the review's finding and its quick fix.
  if sc.finding then
    lua("vim.cmd('silent write')")
    local ok, diags = pcall(wait_for, "the review's finding", function()
      local d = lua([[local out = {}
        for _, d in ipairs(vim.diagnostic.get(0)) do
          if d.source == "deepseek-review" then table.insert(out, { lnum = d.lnum, msg = d.message }) end
        end
        return #out > 0 and out or nil]])
      return d
    end, 20000)
    r.review = ok and diags or ("no finding: " .. tostring(diags))
    if ok then
      lua("vim.api.nvim_win_set_cursor(0, { ..., 0 })", diags[1].lnum + 1)
      lua([[vim.lsp.buf.code_action({ apply = true, context = { only = { "quickfix" } },
        filter = function(a) return a.title == "Apply DeepSeek fix" end })]])
      local fixed = pcall(wait_for, "the fix", function()
        return snap().text:find(sc.finding, 1, true) ~= nil
      end, 5000)
      r.fix_applied = fixed
      local left = pcall(wait_for, "no finding left", function()
        return lua([[for _, d in ipairs(vim.diagnostic.get(0)) do
          if d.source == "deepseek-review" then return false end end return true]])
      end, 5000)
      r.finding_gone = left
    end
  end
  r.last_action = nil
  return r
end

for i, sc in ipairs(plan) do
  local ok, r = xpcall(run, debug.traceback, sc, i)
  if not ok then
    r = { file = sc.file, from = sc.from, accept = sc.accept, pairs = sc.pairs, error = tostring(r) }
    pcall(input, "<Esc>")
  end
  table.insert(results, r)
  out(vim.json.encode(r))
end
vim.fn.writefile({ vim.json.encode(results) }, vim.env.EXPLORE_OUT or (WORK .. "/results.json"))
if vim.env.EXPLORE_REQUESTS then
  vim.fn.system({ "curl", "-s", "-o", vim.env.EXPLORE_REQUESTS, URL .. "/_fake/requests" })
end
vim.fn.jobstop(child)
os.exit(0)
