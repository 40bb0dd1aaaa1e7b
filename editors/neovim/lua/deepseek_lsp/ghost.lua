--- Ghost text for Neovim 0.10 / 0.11, which have no inline-completion UI of their own.
---
--- As the user types in insert mode, ask the server for `textDocument/inlineCompletion`
--- (Automatic), cancel the request it replaces, and draw the first item with extmarks: the first
--- line as inline virtual text at the cursor, the other lines as virtual lines below it.
--- Typing characters that match the suggestion keeps it (no new request); anything else clears it
--- and asks again. Accept whole / word / line, cycle (an Invoked request for more choices),
--- dismiss. The server hears `textDocument/didShowCompletion` when the item drawn changes,
--- `textDocument/didPartiallyAcceptCompletion` on word/line accepts, and the item's `command`
--- (via `workspace/executeCommand`) once an item is taken completely.
local util = require("deepseek_lsp.util")
local macro = require("deepseek_lsp.macro")

local api = vim.api
local uv = vim.uv or vim.loop

local M = {}

M.METHOD = "textDocument/inlineCompletion"
M.SHOWN = "textDocument/didShowCompletion"
--- The cursor moved with no edit (LSP tells no such thing): see tell_moved.
M.MOVED = "deepseek/cursorMoved"
M.PARTIAL = "textDocument/didPartiallyAcceptCompletion"
local REQUEST_CANCELLED = -32800
local CONTENT_MODIFIED = -32801
local INVOKED, AUTOMATIC = 1, 2

M.ns = api.nvim_create_namespace("deepseek_lsp.ghost")

M.config = {
  debounce = 30, -- ms; the server debounces too (adaptively)
  auto_trigger = true, -- request while typing; false: only on suggest / next / prev
  hl_group = "DeepSeekSuggestion",
  hl_group_count = "DeepSeekSuggestionCount",
  hide_during_pum = true, -- no ghost text while a completion menu is open (built-in, nvim-cmp, blink.cmp)
}

---@class deepseek.GhostItem
---@field raw table the server's InlineCompletionItem, sent back unchanged in notifications
---@field client_id integer
---@field text string insertText
---@field row integer 0-based row of the item's range
---@field scol integer byte column where the range starts
---@field before string the row's text before `scol` when the item arrived
---@field after string the text after the request's cursor when the item arrived
---@field tail_len integer bytes after the request's cursor that the range replaces (e.g. ")")

---@class deepseek.GhostState
---@field items deepseek.GhostItem[]
---@field index integer
---@field pending? {client: table, id: integer, invoked: boolean}
---@field timer? table
---@field told? table the raw item last told shown (didShowCompletion)
---@field drawn_at? {tick: integer, row: integer, col: integer, client_id: integer} where the last item was drawn, until the cursor leaves it
---@field invoked_done boolean
---@field show_count boolean
---@field cycle_dir? integer
---@field last_key? string
---@field last_error? string
---@field augroup integer

---@type table<integer, deepseek.GhostState>
local states = {}
M._states = states

--- Whether the current window shows a diff (`nvim -d`, `:diffsplit`): no suggestion is asked
--- for there while typing, only on suggest / next / prev. A multi-line one's virtual lines
--- pushed this side's lines down and the two sides no longer lined up.
---@return boolean
function M.diff_window()
  return vim.wo.diff
end

local function in_insert()
  local mode = api.nvim_get_mode().mode
  return mode:sub(1, 1) == "i" or mode:sub(1, 1) == "R"
end

local function redraw_status()
  pcall(vim.cmd, "redrawstatus")
end

--- nvim-cmp and blink.cmp draw their menus in floating windows, which pumvisible() does not
--- see: the ghost text was drawn through their menu, and <Tab> meant two things at once.
--- Read from package.loaded: a plugin the user does not have is never loaded by us.
local function menu_visible()
  if vim.fn.pumvisible() == 1 then
    return true
  end
  local cmp = package.loaded["cmp"]
  if type(cmp) == "table" and type(cmp.visible) == "function" then
    local ok, open = pcall(cmp.visible)
    if ok and open then
      return true
    end
  end
  local blink = package.loaded["blink.cmp"]
  if type(blink) == "table" then
    -- is_menu_visible since blink.cmp 0.8; is_visible before.
    local fn = blink.is_menu_visible or blink.is_visible
    if type(fn) == "function" then
      local ok, open = pcall(fn)
      if ok and open then
        return true
      end
    end
  end
  return false
end

local function hidden_by_menu()
  return M.config.hide_during_pum and menu_visible()
end

local function cursor_of(bufnr)
  local win = api.nvim_get_current_win()
  if api.nvim_win_get_buf(win) ~= bufnr then
    return nil
  end
  -- 'virtualedit' (all, insert) lets the cursor stand past the end of the line. There nothing
  -- applies: a suggestion for the line's end was drawn left of the cursor, and the accept went
  -- in after the spaces that fill the gap ("ret   urn a * b"). Typing fills them; ask then.
  if vim.fn.getcurpos()[4] > 0 then
    return nil
  end
  local pos = api.nvim_win_get_cursor(win)
  return pos[1] - 1, pos[2], win
end

local function split(s)
  return vim.split(s, "\n", { plain = true })
end

--- Enter typed through a block indents the new line as the editor does (autoindent, an indent
--- script), which may be deeper than the suggestion's next line: `        ` where it goes on
--- with `    }`. The suggestion still holds there (cleared, it was asked again, and the answer
--- knew nothing of it), and so it does while what is typed after that indent is the line's
--- text (`        el` for `    else:`, until the indent script moves it). What is typed of
--- the item is then the text up to that line's own indent and ``retyped``; an accept takes
--- out the ``outdent`` extra columns, as copilot.vim does on a line of blanks.
---@param text string the item's text
---@param typed string the buffer's text from the item's start to the cursor
---@return string? typed, integer outdent, string retyped
local function outdented(text, typed)
  local head, indent, retyped = typed:match("^(.*\n)([ \t]*)([^\n]*)$")
  if not head or text:sub(1, #head) ~= head then
    return nil, 0, ""
  end
  local own = text:match("^[ \t]*", #head + 1)
  local at = #head + #own
  if #indent <= #own or indent:sub(1, #own) ~= own or text:sub(at + 1, at + #retyped) ~= retyped then
    return nil, 0, ""
  end
  return head .. own .. retyped, #indent - #own, retyped
end

--- What an accept of ``text`` (the part of the item it takes) pastes, and how many characters
--- before the cursor it deletes first: the extra indent (see ``outdented``), and what was
--- typed after it, which goes in again at the item's own indent.
---@param v {outdent: integer, retyped: string}
---@param text string
---@return string paste, integer nback
local function with_outdent(v, text)
  if v.outdent == 0 then
    return text, 0
  end
  -- A character with its combining marks is one <Left> and one <Del> (strchars' skipcc).
  return v.retyped .. text, v.outdent + vim.fn.strchars(v.retyped, 1)
end

--- Where the auto-closed characters ``tail`` stand in ``text``'s first line, in their order:
--- the byte offset and length of each; nil when not all of them do.
---@param text string
---@param tail string
---@return {at: integer, len: integer}[]?
local function tail_places(text, tail)
  local first = text:match("^[^\n]*")
  local places, from = {}, 1
  for ch in tail:gmatch("[%z\1-\127\194-\244][\128-\191]*") do
    local at = first:find(ch, from, true)
    if not at then
      return nil
    end
    places[#places + 1] = { at = at, len = #ch }
    from = at + #ch
  end
  return places
end

--- Whether ``text``, of several lines, closes on its first line the brackets the auto-closed
--- ``tail`` closes: the closers it opened nothing for there begin with ``tail``'s. Its last
--- line may end in the same `)` (a method typed through into `()`, its body's last call): read
--- as that, the `)` typed over on the first line stayed in the buffer (`end):)`) when the
--- first line was accepted.
---@param text string
---@param tail string
---@return boolean
local function first_line_closes(text, tail)
  local first = text:match("^[^\n]*")
  local closers = tail:gsub("[^%)%]}]", "")
  if first == text or closers == "" then
    return false
  end
  local depth, unmatched = 0, {}
  for ch in first:gmatch("[%(%[{%)%]}]") do
    if ch:match("[%(%[{]") then
      depth = depth + 1
    elseif depth > 0 then
      depth = depth - 1
    else
      unmatched[#unmatched + 1] = ch
    end
  end
  return table.concat(unmatched):sub(1, #closers) == closers
end

---@class deepseek.GhostView
---@field typed string what was typed of the item's text
---@field remaining string the rest of its text
---@field display string what is drawn of it (the rest, less auto-closed characters it ends with)
---@field tail string the auto-closed characters after the cursor the item replaces
---@field closes string those of them it ends with, left out of ``display`` ("" if none)
---@field places {at: integer, len: integer}[] where those stand in ``display``, when it goes on past them
---@field outdent integer columns of indent an accept takes out (see ``outdented``)
---@field retyped string text typed after that indent, pasted again by an accept

--- Where an item stands at the current cursor: what was typed of it, what remains, what to draw.
---@param bufnr integer
---@param item deepseek.GhostItem
---@param crow integer
---@param ccol integer
---@return deepseek.GhostView?
local function check(bufnr, item, crow, ccol)
  if crow < item.row or crow - item.row > 200 then
    return nil
  end
  local rowline = util.line(bufnr, item.row)
  if rowline:sub(1, item.scol) ~= item.before then
    return nil
  end
  if crow == item.row and ccol < item.scol then
    return nil
  end
  local cur = crow == item.row and rowline or util.line(bufnr, crow)
  -- After the cursor: what followed the request's cursor, less the auto-closed characters the
  -- item replaces that are behind it now (an accept of part of the item, an auto-pair plugin
  -- stepping over its own '"'); those are then part of what was typed.
  local after = cur:sub(ccol + 1)
  local over = #item.after - #after
  if over < 0 or over > item.tail_len or item.after:sub(over + 1) ~= after then
    return nil
  end
  local ok, parts = pcall(api.nvim_buf_get_text, bufnr, item.row, item.scol, crow, ccol, {})
  if not ok then
    return nil
  end
  local typed = table.concat(parts, "\n")
  local outdent, retyped = 0, ""
  if #typed > #item.text or item.text:sub(1, #typed) ~= typed then
    typed, outdent, retyped = outdented(item.text, typed)
    if not typed then
      return nil
    end
  end
  local remaining = item.text:sub(#typed + 1)
  local display = remaining
  -- The range may cover auto-closed characters after the cursor (")"): they stay visible in the
  -- buffer, so do not draw them a second time. Where the item goes on past them
  -- (`wörld".upper()` in `"|"`), it is drawn around them (``places``): drawn whole at the
  -- cursor, the line read `"wörld".upper()"`, and a line accepted left that '"' in it.
  local tail = item.after:sub(over + 1, item.tail_len)
  local places, closes = {}, ""
  if tail ~= "" and #display >= #tail and display:sub(-#tail) == tail and not first_line_closes(display, tail) then
    display, closes = display:sub(1, #display - #tail), tail
  elseif tail ~= "" then
    places = tail_places(display, tail) or {}
  end
  if display == "" then
    return nil
  end
  return {
    typed = typed,
    remaining = remaining,
    display = display,
    tail = tail,
    closes = closes,
    places = places,
    outdent = outdent,
    retyped = retyped,
  }
end

---@param bufnr integer
---@return deepseek.GhostState?, deepseek.GhostItem?, table?
local function current(bufnr)
  local st = states[bufnr]
  if not st or #st.items == 0 then
    return st
  end
  local crow, ccol = cursor_of(bufnr)
  if not crow then
    return st
  end
  local item = st.items[st.index]
  if not item then
    return st
  end
  local v = check(bufnr, item, crow, ccol)
  if not v then
    return st
  end
  return st, item, v
end

local function clear_marks(bufnr)
  if api.nvim_buf_is_valid(bufnr) then
    api.nvim_buf_clear_namespace(bufnr, M.ns, 0, -1)
  end
end

local function stop_timer(st)
  if st.timer and st.timer:is_active() then
    st.timer:stop()
    vim.schedule(redraw_status) -- the statusline's busy mark counts the debounce too
  end
end

local function cancel_pending(st)
  local p = st.pending
  st.pending = nil
  if p then
    util.cancel(p.client, p.id)
    vim.schedule(redraw_status)
  end
end

--- Keep only items that still apply at the cursor (typing-through), the shown one first.
local function prune(bufnr, st)
  local crow, ccol = cursor_of(bufnr)
  if not crow then
    st.items, st.index = {}, 1
    return
  end
  local keep, index, seen = {}, 1, {}
  for i, item in ipairs(st.items) do
    local v = check(bufnr, item, crow, ccol)
    if v and not seen[v.remaining] then
      seen[v.remaining] = true
      keep[#keep + 1] = item
      if i == st.index then
        index = #keep
      end
    end
  end
  st.items, st.index = keep, index
end

--- The suggestion's first line as drawn: the text at the cursor and, where it goes on past
--- auto-closed characters after the cursor (``places``), the pieces between and after them,
--- each at the column right after the buffer's own character; tabs expanded where they land.
---@param line string
---@param places {at: integer, len: integer}[]
---@param ccol integer
---@param startcol integer the cursor's screen column
---@param ts integer 'tabstop'
---@return string head, {col: integer, text: string}[] later
local function first_line_pieces(line, places, ccol, startcol, ts)
  local head, later = nil, {}
  local from, col, width = 1, ccol, startcol
  local function piece(text)
    local shown = util.expand_tabs(text, width, ts)
    width = width + vim.fn.strdisplaywidth(shown)
    if head == nil then
      head = shown
    elseif shown ~= "" then
      later[#later + 1] = { col = col, text = shown }
    end
  end
  for _, place in ipairs(places) do
    piece(line:sub(from, place.at - 1))
    width = width + vim.fn.strdisplaywidth(line:sub(place.at, place.at + place.len - 1))
    from, col = place.at + place.len, col + place.len
  end
  piece(line:sub(from))
  return head, later
end

--- The first line of a suggestion typed through onto an indent deeper than its own (see
--- ``outdented``), as an overlay drawn where an accept puts it: from the item's own indent,
--- over the extra one, the text typed after that first, then the line's text after the
--- cursor (the pieces of the item it goes on past drawn between, as ``first_line_pieces``
--- places them), blanks over what is left of the line.
--- Drawn at the cursor, `return x` stood on Enter's deeper autoindent and the accept moved
--- it left, and the block's next lines, drawn at their own indent, did not line up with it.
--- Neovim 0.12's own inline completion draws an item replacing the indent so, as an overlay
--- from its first changed column. The text after the cursor is in the overlay: an auto-closed
--- `}` (or a suffix) after the cursor kept the line drawn at the cursor, on the deeper indent.
---@param rowline string the cursor's line
---@param ccol integer
---@param v deepseek.GhostView
---@param first string the item's line as drawn, from the cursor on
---@param covered string auto-closed characters after the cursor drawn at the block's end instead
---@param ts integer 'tabstop'
---@return integer col, table virt_text
local function over_indent(rowline, ccol, v, first, covered, ts)
  local col = ccol - v.outdent - #v.retyped
  local startcol = vim.fn.strdisplaywidth(rowline:sub(1, col))
  local retyped = util.expand_tabs(v.retyped, startcol, ts)
  local at = startcol + vim.fn.strdisplaywidth(retyped)
  local head, later = first_line_pieces(first, v.places, ccol, at, ts)
  local chunks = { { retyped }, { head, M.config.hl_group } }
  local width = at + vim.fn.strdisplaywidth(head)
  local function add(text, hl)
    local shown = util.expand_tabs(text, width, ts)
    width = width + vim.fn.strdisplaywidth(shown)
    chunks[#chunks + 1] = { shown, hl }
  end
  local from = ccol + #covered
  for _, piece in ipairs(later) do
    add(rowline:sub(from + 1, piece.col))
    add(piece.text, M.config.hl_group)
    from = piece.col
  end
  add(rowline:sub(from + 1))
  local left = vim.fn.strdisplaywidth(rowline) - width
  if left > 0 then
    chunks[#chunks + 1] = { (" "):rep(left) }
  end
  return col, chunks
end

--- Screen rows of window ``win`` that rows ``from`` to ``to`` of its buffer take, less the
--- virtual lines above ``from`` (above the window's top line, where they are not drawn).
---@return integer
local function text_rows(win, from, to)
  local ok, all = pcall(api.nvim_win_text_height, win, { start_row = from, end_row = to })
  local ok2, above = pcall(api.nvim_win_text_height, win, { start_row = from, end_row = from })
  return (ok and all.all or 0) - (ok2 and above.fill or 0)
end

--- Scroll ``win`` down as little as shows the ``count`` virtual lines drawn below row ``crow``,
--- the cursor's row staying in the window (at its top at most). Neovim scrolls for the cursor
--- only: a block suggested on the window's last line had its other lines below the window,
--- out of sight, until accepted.
---@param win integer
---@param crow integer
---@param count integer
local function reveal(win, crow, count)
  -- Its rows of text: nvim_win_get_height counts a winbar's row too, and the block's last
  -- line was left under the window.
  local height = vim.fn.winheight(win)
  local topline = api.nvim_win_call(win, vim.fn.winsaveview).topline
  local top = topline - 1
  while top < crow and text_rows(win, top, crow) + count > height do
    top = top + 1
  end
  if top ~= topline - 1 then
    api.nvim_win_call(win, function()
      vim.fn.winrestview({ topline = top + 1, topfill = 0 })
    end)
  end
end

--- Draw the selected item; false when there is nothing to draw.
---@param bufnr integer
---@return boolean
function M.render(bufnr)
  clear_marks(bufnr)
  local st = states[bufnr]
  if not st or hidden_by_menu() then
    return false -- an answer that arrives after a menu opened waits for it to close
  end
  prune(bufnr, st)
  local _, item, v = current(bufnr)
  if not item or not v then
    return false
  end
  local crow, ccol, win = cursor_of(bufnr)
  local cfg = M.config
  local ts = vim.bo[bufnr].tabstop
  local lines = split(v.display)
  -- A block that ends with the auto-closed characters after the cursor (`{|}` and a body,
  -- `foo(|)` and `a,\n    b)`): they close its last line, not the first. Drawn there, and the
  -- buffer's own, still after the cursor, covered with blanks as copilot.vim does: the first
  -- line read `function add(a, b) {}` and the block's last line had no `}`.
  local covered = #lines > 1 and v.closes ~= ""
  if covered then
    lines[#lines] = lines[#lines] .. v.closes
  end
  local rowline = util.line(bufnr, crow)
  local startcol = vim.fn.strdisplaywidth(rowline:sub(1, ccol))
  local opts = { hl_mode = "combine", priority = 4096 }
  local count = nil
  if st.show_count and #st.items > 1 then
    count = { (" (%d/%d)"):format(st.index, #st.items), cfg.hl_group_count }
  end
  local head, later = first_line_pieces(lines[1], v.places, ccol, startcol, ts)
  local col = ccol
  if v.outdent > 0 then
    col, opts.virt_text = over_indent(rowline, ccol, v, lines[1], covered and v.closes or "", ts)
    opts.virt_text_pos = "overlay"
    later, covered = {}, false
  elseif head ~= "" or (#lines == 1 and #later == 0) then
    opts.virt_text = { { head, cfg.hl_group } }
    opts.virt_text_pos = "inline"
  end
  for i, piece in ipairs(later) do
    later[i] = {
      col = piece.col,
      opts = {
        hl_mode = "combine",
        priority = 4096,
        virt_text_pos = "inline",
        virt_text = { { piece.text, cfg.hl_group } },
      },
    }
  end
  if #lines > 1 then
    opts.virt_lines = {}
    for i = 2, #lines do
      opts.virt_lines[#opts.virt_lines + 1] = { { util.expand_tabs(lines[i], 0, ts), cfg.hl_group } }
    end
  end
  if count then
    local target = opts.virt_lines and opts.virt_lines[#opts.virt_lines]
      or (#later > 0 and later[#later].opts.virt_text)
      or opts.virt_text
    if not target then
      opts.virt_text, opts.virt_text_pos = {}, "inline"
      target = opts.virt_text
    end
    target[#target + 1] = count
  end
  if api.nvim__ns_set then
    -- Only in the window being typed in: another window on the buffer showed the suggestion
    -- as if it were code.
    pcall(api.nvim__ns_set, M.ns, { wins = { api.nvim_get_current_win() } })
  end
  api.nvim_buf_set_extmark(bufnr, M.ns, crow, col, opts)
  for _, piece in ipairs(later) do
    api.nvim_buf_set_extmark(bufnr, M.ns, crow, piece.col, piece.opts)
  end
  if opts.virt_lines then
    reveal(win, crow, #opts.virt_lines)
  end
  if covered then
    local blanks = (" "):rep(vim.fn.strdisplaywidth(v.closes))
    api.nvim_buf_set_extmark(bufnr, M.ns, crow, ccol, {
      virt_text = { { blanks } },
      virt_text_pos = "overlay",
      hl_mode = "combine",
      priority = 4096,
    })
  end
  -- Told whenever the item drawn changes, cycling back to one included: the server goes on
  -- with the choice shown when the user types through it (it counts a suggestion once).
  st.drawn_at = { tick = api.nvim_buf_get_changedtick(bufnr), row = crow, col = ccol, client_id = item.client_id }
  if st.told ~= item.raw then
    st.told = item.raw
    local client = vim.lsp.get_client_by_id(item.client_id)
    if client then
      util.notify(client, M.SHOWN, { item = item.raw })
    end
  end
  return true
end

--- Forget the suggestion and any request for it.
---@param bufnr integer?
function M.reset(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and api.nvim_get_current_buf() or bufnr
  local st = states[bufnr]
  clear_marks(bufnr)
  if not st then
    return
  end
  stop_timer(st)
  cancel_pending(st)
  st.items, st.index = {}, 1
  st.invoked_done, st.show_count, st.cycle_dir = false, false, nil
end

---@param bufnr integer
---@param raw table
---@param client table
---@param anchor {row: integer, col: integer, line: string}
---@return deepseek.GhostItem?
local function normalize(bufnr, raw, client, anchor)
  if type(raw) ~= "table" then
    return nil
  end
  local text = raw.insertText
  if type(text) == "table" then
    text = text.value -- a snippet: shown and inserted as plain text
  end
  if type(text) ~= "string" or text == "" then
    return nil
  end
  -- A CRLF document's suggestions come with CRLF line ends; buffer lines hold none (Neovim keeps
  -- the line ends in 'fileformat'): a kept "\r" showed as ^M and was saved as "\r\r\n".
  text = text:gsub("\r\n?", "\n")
  local enc = client.offset_encoding or "utf-16"
  local row, scol, ecol = anchor.row, anchor.col, anchor.col
  local range = raw.range
  if type(range) == "table" and range.start and range["end"] then
    if range.start.line ~= anchor.row or range["end"].line ~= anchor.row then
      return nil -- LSP 3.18: the range is on the cursor's line; anything else we cannot place
    end
    scol = util.byte_col(anchor.line, range.start.character, enc)
    ecol = util.byte_col(anchor.line, range["end"].character, enc)
  end
  if scol > anchor.col or ecol < anchor.col then
    return nil
  end
  local typed0 = anchor.line:sub(scol + 1, anchor.col)
  if text:sub(1, #typed0) ~= typed0 then
    return nil
  end
  return {
    raw = raw,
    client_id = client.id,
    text = text,
    row = row,
    scol = scol,
    before = anchor.line:sub(1, scol),
    after = anchor.line:sub(anchor.col + 1),
    tail_len = ecol - anchor.col,
  }
end

local function on_result(bufnr, client, anchor, invoked, err, result)
  local st = states[bufnr]
  if not st then
    return
  end
  if err then
    if err.code ~= REQUEST_CANCELLED and err.code ~= CONTENT_MODIFIED then
      st.last_error = err.message or vim.inspect(err)
    end
    return
  end
  st.last_error = nil
  if not in_insert() or api.nvim_get_current_buf() ~= bufnr then
    return
  end
  local raw_items = type(result) == "table" and (result.items or result) or {}
  local fresh = {}
  for _, raw in ipairs(raw_items) do
    local item = normalize(bufnr, raw, client, anchor)
    if item then
      fresh[#fresh + 1] = item
    end
  end
  if invoked then
    local _, shown_item = current(bufnr)
    local merged = {}
    if shown_item then
      merged[1] = shown_item
    end
    vim.list_extend(merged, fresh)
    st.items, st.index = merged, 1
    prune(bufnr, st)
    st.invoked_done = true
    if st.cycle_dir and #st.items > 1 then
      st.index = (st.index - 1 + st.cycle_dir) % #st.items + 1
    end
    st.show_count = true
    st.cycle_dir = nil
  else
    st.items, st.index = fresh, 1
    st.show_count = false
  end
  M.render(bufnr)
end

--- Ask the server for items at the cursor (Automatic, or Invoked for several choices).
---@param bufnr integer?
---@param invoked boolean?
function M.request(bufnr, invoked)
  bufnr = (bufnr == nil or bufnr == 0) and api.nvim_get_current_buf() or bufnr
  local st = states[bufnr]
  local client = util.get_client(bufnr)
  if not st or not client or util.is_stopped(client) then
    return
  end
  local crow, ccol = cursor_of(bufnr)
  if not crow then
    return
  end
  stop_timer(st)
  cancel_pending(st)
  local line = util.line(bufnr, crow)
  local enc = client.offset_encoding or "utf-16"
  local anchor = { row = crow, col = ccol, line = line }
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    position = { line = crow, character = util.units(line:sub(1, ccol), enc) },
    context = { triggerKind = invoked and INVOKED or AUTOMATIC },
  }
  local id
  local ok, rid = util.request(client, M.METHOD, params, function(err, result)
    local s = states[bufnr]
    if not s or not s.pending or s.pending.id ~= id then
      return -- superseded (and cancelled) by a newer request
    end
    s.pending = nil
    vim.schedule(redraw_status)
    on_result(bufnr, client, anchor, invoked, err, result)
  end, bufnr)
  if ok and rid then
    id = rid
    st.pending = { client = client, id = rid, invoked = invoked and true or false }
    -- The request starts from a timer, after the keystroke's redraw: the statusline's busy
    -- mark ("DeepSeek ...") was never drawn.
    vim.schedule(redraw_status)
  end
end

local function schedule(bufnr)
  local st = states[bufnr]
  if not st then
    return
  end
  local fire = function()
    -- Turned off (:DeepSeekToggle) while the debounce ran: nothing asked.
    if states[bufnr] and in_insert() and api.nvim_get_current_buf() == bufnr and util.completion_on(bufnr) then
      M.request(bufnr, false)
    else
      redraw_status()
    end
  end
  stop_timer(st)
  local delay = tonumber(M.config.debounce) or 0
  if delay <= 0 then
    vim.schedule(fire)
    return
  end
  st.timer = st.timer or uv.new_timer()
  st.timer:start(delay, 0, vim.schedule_wrap(fire))
  vim.schedule(redraw_status)
end

local on_menu -- below: it asks again through on_change

local cmp_hooked = false
--- nvim-cmp tells of its menu through its own event bus, and is often loaded after us (on
--- InsertEnter by lazy.nvim): hooked the first time it is seen loaded.
local function hook_cmp()
  local cmp = package.loaded["cmp"]
  if cmp_hooked or type(cmp) ~= "table" or type(cmp.event) ~= "table" or type(cmp.event.on) ~= "function" then
    return
  end
  cmp_hooked = pcall(function()
    cmp.event:on("menu_opened", function()
      on_menu(true)
    end)
    cmp.event:on("menu_closed", function()
      on_menu(false)
    end)
  end)
end

--- The server hears that ``bufnr``'s cursor is at ``crow``, ``ccol`` (deepseek/cursorMoved).
---@param client vim.lsp.Client?
---@param bufnr integer
---@param crow integer?
---@param ccol integer?
local function notify_moved(client, bufnr, crow, ccol)
  if not client or not crow or util.is_stopped(client) then
    return
  end
  local line = util.line(bufnr, crow)
  util.notify(client, M.MOVED, {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    position = { line = crow, character = util.units(line:sub(1, ccol), client.offset_encoding or "utf-16") },
  })
end

--- The cursor of ``to_buf`` (the buffer now current) is no longer where ``bufnr``'s suggestion was
--- drawn, the text unchanged (a click, the arrow keys, Esc, another buffer): the server hears it
--- (deepseek/cursorMoved), which LSP does not tell, and stops the prefetch of what follows
--- accepting the suggestion, which streamed on, billed, for a place the user left. Told once a
--- suggestion drawn; an edit is heard by the server itself (didChange).
---@param bufnr integer
---@param to_buf integer?
local function tell_moved(bufnr, to_buf)
  local st = states[bufnr]
  local at = st and st.drawn_at
  -- Not while a <C-o> command runs (InsertLeave and CursorMoved fire for it): its cursor sits on
  -- the line's last character only until insert mode comes back, and told so, the server
  -- stopped the prefetch of the place it came back to (<C-o>zz), asked and paid again. Where
  -- <C-o> really moved it is told on the way back (tell_moved_by_ctrl_o).
  if not at or vim.fn.mode(1):sub(1, 2) == "ni" then
    return
  end
  to_buf = to_buf or bufnr
  local crow, ccol = cursor_of(to_buf)
  if to_buf == bufnr then
    if api.nvim_buf_get_changedtick(bufnr) ~= at.tick then
      st.drawn_at = nil
      return
    end
    if crow == at.row and ccol == at.col then
      return
    end
  end
  st.drawn_at = nil
  notify_moved(vim.lsp.get_client_by_id(at.client_id), to_buf, crow, ccol)
end

--- Back from <C-o> elsewhere than where insert mode was left (`<C-o>gg`, `<C-o>k`), the text
--- unchanged: the request under way there was dropped, not cancelled (see ModeChanged), and
--- with no suggestion drawn nothing told the server, which streamed it on to its end, billed,
--- where the new place asked nothing (code after the cursor). It hears the move as a click's.
---@param bufnr integer
---@param left {tick: integer, row: integer, col: integer}?
local function tell_moved_by_ctrl_o(bufnr, left)
  local crow, ccol = cursor_of(bufnr)
  if not left or not crow or api.nvim_buf_get_changedtick(bufnr) ~= left.tick then
    return
  end
  if crow == left.row and ccol == left.col then
    return
  end
  states[bufnr].drawn_at = nil -- told here: on_change has nothing more to tell
  notify_moved(util.get_client(bufnr), bufnr, crow, ccol)
end

local function on_change(bufnr)
  tell_moved(bufnr)
  local st = states[bufnr]
  if not st or not in_insert() then
    return
  end
  local crow, ccol = cursor_of(bufnr)
  if not crow then
    return
  end
  local tick = api.nvim_buf_get_changedtick(bufnr)
  st.insert_at = { tick = tick, row = crow, col = ccol }
  local key = ("%d:%d:%d"):format(tick, crow, ccol)
  if key == st.last_key then
    return -- CursorMovedI right after TextChangedI for the same keystroke
  end
  st.last_key = key
  hook_cmp()
  if hidden_by_menu() then
    M.reset(bufnr)
    return
  end
  -- Typed what the suggestion says: keep showing the rest, no new request.
  if #st.items > 0 and M.render(bufnr) then
    stop_timer(st)
    cancel_pending(st)
    return
  end
  M.reset(bufnr)
  if M.config.auto_trigger and util.completion_on(bufnr) and not M.diff_window() then
    schedule(bufnr)
  end
end

local global_group = nil

--- Back in insert mode after <C-o> (`<C-o>:buffer #` and back, `<C-o>:edit other.py`): a
--- cursor that was at the line's end stands on its last character, where <C-o> put it while
--- the command ran. Neovim moves it back to the end only when that command stayed in the
--- buffer; after another buffer it did not, and the suggestion asked for at the line's end
--- (kept by the server) was not shown, and a key typed went in before that character. Put
--- back there while the buffer is as it was left.
---@param bufnr integer
local function back_from_ctrl_o(bufnr)
  local st = states[bufnr]
  local at = st.ctrl_o
  st.ctrl_o = nil
  local crow, ccol, win = cursor_of(bufnr)
  if not at or not crow or crow ~= at.row or api.nvim_buf_get_changedtick(bufnr) ~= at.tick then
    return
  end
  local line = util.line(bufnr, crow)
  -- On the last character: one left of the end, a character with its combining marks as one.
  if at.col == #line and ccol < at.col and vim.fn.strchars(line:sub(ccol + 1), 1) == 1 then
    api.nvim_win_set_cursor(win, { crow + 1, at.col })
  end
end

--- A menu opened: its items are what the user is looking at. Closed with the text unchanged
--- (<C-e>, a cmp abort): no key would bring the suggestion back, so ask again.
on_menu = function(opened)
  vim.schedule(function()
    local bufnr = api.nvim_get_current_buf()
    local st = states[bufnr]
    if not st or not M.config.hide_during_pum or not in_insert() then
      return
    end
    if opened then
      M.reset(bufnr)
    else
      st.last_key = nil
      on_change(bufnr)
    end
  end)
end

---@param bufnr integer
function M.attach(bufnr)
  if states[bufnr] then
    return
  end
  if not global_group then
    global_group = api.nvim_create_augroup("deepseek_lsp.ghost", { clear = true })
    -- <C-c> leaves insert mode without InsertLeave. From Replace mode and from insert-mode
    -- completion too (R, ic, ix...: "i:*" matched none of them, and the text stayed drawn).
    api.nvim_create_autocmd("ModeChanged", {
      group = global_group,
      pattern = { "i*:*", "R*:*" },
      callback = function()
        local new_mode = (vim.v.event or {}).new_mode or ""
        local c = new_mode:sub(1, 1)
        if c == "i" or c == "R" then
          return -- insert-mode completion (ic, ix), <Insert>: not leaving insert mode
        end
        local buf = api.nvim_get_current_buf()
        local st = states[buf]
        if st then
          if new_mode:sub(1, 2) == "ni" then
            -- <C-o>: one command, then insert mode again; the request under way is dropped,
            -- not cancelled, as on leaving the buffer in insert mode (BufLeave below).
            st.pending = nil
            st.ctrl_o = st.insert_at
          end
          M.reset(buf)
          st.last_key = nil
        end
      end,
    })
    api.nvim_create_autocmd("ModeChanged", {
      group = global_group,
      pattern = { "ni*:i*", "ni*:R*" },
      callback = function()
        vim.schedule(function()
          local buf = api.nvim_get_current_buf()
          if states[buf] and in_insert() then
            local left = states[buf].ctrl_o
            back_from_ctrl_o(buf)
            tell_moved_by_ctrl_o(buf, left)
            on_change(buf)
          end
        end)
      end,
    })
    api.nvim_create_autocmd("User", {
      group = global_group,
      pattern = { "BlinkCmpMenuOpen", "BlinkCmpMenuClose" },
      callback = function(ev)
        on_menu(ev.match == "BlinkCmpMenuOpen")
      end,
    })
  end
  local group = api.nvim_create_augroup("deepseek_lsp.ghost." .. bufnr, { clear = true })
  states[bufnr] = {
    items = {},
    index = 1,
    invoked_done = false,
    show_count = false,
    augroup = group,
  }
  api.nvim_create_autocmd({ "TextChangedI", "CursorMovedI" }, {
    group = group,
    buffer = bufnr,
    callback = function()
      on_change(bufnr)
    end,
  })
  api.nvim_create_autocmd("InsertEnter", {
    group = group,
    buffer = bufnr,
    callback = function()
      -- InsertEnter runs before the mode changes: look once insert mode is on.
      vim.schedule(function()
        on_change(bufnr)
      end)
    end,
  })
  api.nvim_create_autocmd("TextChangedP", {
    group = group,
    buffer = bufnr,
    callback = function()
      if M.config.hide_during_pum then
        M.reset(bufnr)
      end
    end,
  })
  api.nvim_create_autocmd("CursorMoved", {
    group = group,
    buffer = bufnr,
    callback = function()
      tell_moved(bufnr)
    end,
  })
  api.nvim_create_autocmd("WinEnter", {
    group = group,
    buffer = bufnr,
    callback = function()
      -- Another window on this buffer, entered in insert mode (a <Cmd> mapping, a click) with
      -- its cursor where the suggestion is: no key moved the cursor, so nothing drew it in this
      -- window (it is drawn only in the window typed in), and <Tab> inserted it unseen.
      local st = states[bufnr]
      if st and #st.items > 0 and in_insert() then
        M.render(bufnr)
      end
    end,
  })
  api.nvim_create_autocmd("BufEnter", {
    group = group,
    buffer = bufnr,
    callback = function()
      for other in pairs(states) do
        if other ~= bufnr then
          tell_moved(other, bufnr)
        end
      end
    end,
  })
  api.nvim_create_autocmd({ "InsertLeave", "BufLeave" }, {
    group = group,
    buffer = bufnr,
    callback = function(ev)
      if ev.event == "InsertLeave" then
        -- Esc: normal mode's cursor, a column left unless at the line's start.
        vim.schedule(function()
          if states[bufnr] then
            tell_moved(bufnr)
          end
        end)
      end
      local st = states[bufnr]
      if st and ev.event == "BufLeave" and in_insert() then
        -- Left in insert mode (a click in another window, a <Cmd> mapping): the request under
        -- way is dropped here, not cancelled, so that the server keeps its answer (cached)
        -- and coming back shows it. Cancelled, the stream was closed and the model asked
        -- again on the way back. Leaving insert mode still cancels it: you are done there.
        st.pending = nil
      end
      M.reset(bufnr)
      local st = states[bufnr]
      if st then
        st.last_key = nil
      end
    end,
  })
  api.nvim_create_autocmd({ "BufUnload", "BufWipeout" }, {
    group = group,
    buffer = bufnr,
    callback = function()
      M.detach(bufnr)
    end,
  })
  -- Attached while the user is in insert mode here: the server was still starting when they
  -- entered it (a file opened and `o` pressed at once), or the plugin was lazy-loaded by that
  -- very InsertEnter. Its InsertEnter came before us, and no suggestion came until a key.
  vim.schedule(function()
    if states[bufnr] and api.nvim_get_current_buf() == bufnr then
      on_change(bufnr)
    end
  end)
end

---@param bufnr integer
function M.detach(bufnr)
  local st = states[bufnr]
  if not st then
    return
  end
  M.reset(bufnr)
  if st.timer then
    st.timer:stop()
    if not st.timer:is_closing() then
      st.timer:close()
    end
  end
  pcall(api.nvim_del_augroup_by_id, st.augroup)
  states[bufnr] = nil
end

---@param bufnr integer?
---@return boolean
function M.visible(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and api.nvim_get_current_buf() or bufnr
  local _, item = current(bufnr)
  return item ~= nil
end

--- Whether a suggestion is on its way: asked, or to be asked once the debounce ends. Only the
--- request counted, the statusline's busy mark went off for the debounce after each key that
--- cancelled the request before it (30 ms every key, a flicker while typing).
---@param bufnr integer?
---@return boolean
function M.busy(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and api.nvim_get_current_buf() or bufnr
  local st = states[bufnr]
  return st ~= nil and (st.pending ~= nil or (st.timer ~= nil and st.timer:is_active()))
end

--- The item shown and the text still to insert, for tests and integrations.
---@param bufnr integer?
function M.current(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and api.nvim_get_current_buf() or bufnr
  local st, item, v = current(bufnr)
  if not item or not v then
    return nil
  end
  return {
    item = item.raw,
    text = item.text,
    display = v.display,
    index = st.index,
    count = #st.items,
  }
end

local function run_command(item, bufnr)
  local cmd = item.raw.command
  local client = vim.lsp.get_client_by_id(item.client_id)
  if type(cmd) == "table" and cmd.command and client then
    util.request(client, "workspace/executeCommand", {
      command = cmd.command,
      arguments = cmd.arguments,
    }, function() end, bufnr)
  end
end

--- Text to paste once the keys fed by `paste_at_cursor` have deleted what it replaces.
local queued_paste = nil

--- Whether the paste queued goes on with ``cursor_above_closer``.
local queued_above = false

--- Once an accept's text that ends with a line break and the line's indent is in, before the
--- closers the item left after it (a body leaving blocks open between `{` and an auto-closed
--- `}`): the cursor goes from before that `}` to the end of the text's last written line, where
--- the user goes on writing the blocks left open, as after a suggestion that ends there; the
--- next key went before the `}` (`x}`).
---@param win integer
local function cursor_above_closer(win)
  local row, col = unpack(api.nvim_win_get_cursor(win))
  local buf = api.nvim_win_get_buf(win)
  local line = api.nvim_buf_get_lines(buf, row - 1, row, false)[1] or ""
  if row < 2 or not line:sub(1, col):match("^[ \t]*$") or not line:sub(col + 1):match("%S") then
    return
  end
  local above = api.nvim_buf_get_lines(buf, row - 2, row - 1, false)[1]
  -- Insert mode's cursor may stand after the line's last character.
  api.nvim_win_set_cursor(win, { row - 1, #above })
end

--- ``cursor_above_closer`` in the current window: a macro's replay of such an accept (macro.lua).
function M._cursor_above()
  cursor_above_closer(api.nvim_get_current_win())
end

--- Whether accepting ``text``, the end of an item, at a cursor before ``cur``'s column
--- ``end_col`` (past what it replaces) is to end with ``cursor_above_closer``: it holds the line
--- break that puts the closers the item leaves after it on a line below. Not when that line
--- break was typed (Enter, then its indent accepted): the cursor went up a line.
---@param text string
---@param cur string the cursor's line
---@param end_col integer
local function ends_above_closer(text, cur, end_col)
  return text:find("\n[ \t]*$") ~= nil and cur:sub(end_col + 1):match("%S") ~= nil
end

function M._paste_queued()
  local text = queued_paste
  local above = queued_above
  queued_paste, queued_above = nil, false
  if text and text ~= "" then
    api.nvim_paste(text, false, -1)
    if above then
      cursor_above_closer(api.nvim_get_current_win())
    end
  end
end

--- Insert mode: insert ``text`` at the cursor as a paste, after deleting the ``nback``
--- characters before the cursor (an indent deeper than the item's) and the ``ndel`` that
--- follow it. Inserted with nvim_buf_set_text, an accept was no part of the insert
--- that `.` repeats: `.` typed only the keys before it ("ret" for "return a * b"). A paste goes
--- into the redo buffer as text (no autoindent or 'textwidth' on repeat), and <Del> keys do too.
---@param text string
---@param ndel integer
---@param nback integer
---@param above boolean? then ``cursor_above_closer``
local function paste_at_cursor(text, ndel, nback, above)
  if ndel <= 0 and nback <= 0 then
    api.nvim_paste(text, false, -1)
    if above then
      cursor_above_closer(api.nvim_get_current_win())
    end
    return
  end
  -- Keys, not an API delete, so that `.` deletes them too (an auto-closed ")" the item retypes).
  queued_paste, queued_above = text, above or false
  local keys = macro.delete_keys(nback, ndel) .. "<Cmd>lua require('deepseek_lsp.ghost')._paste_queued()<CR>"
  api.nvim_feedkeys(api.nvim_replace_termcodes(keys, true, false, true), "ni", false)
end

--- Whether an accept can go in as a paste: plain insert mode (a paste in Replace mode overwrites
--- the text after the cursor and leaves the cursor where it was).
local function can_paste(win)
  return api.nvim_get_mode().mode:sub(1, 1) == "i" and api.nvim_get_current_win() == win
end

--- Whether the text cannot change now: in an expr mapping (a user's own `<Tab>` that returns the
--- key itself when nothing was accepted, the README's way) a change raised E565 and the
--- suggestion was lost. Making the current window current fails the same way there, and does
--- nothing anywhere else.
local function text_locked()
  return not pcall(api.nvim_set_current_win, api.nvim_get_current_win())
end

--- Run ``call`` (Lua code) as keys right after the mapping that is running, where the text can change.
local function run_after_mapping(call)
  local keys = ("<Cmd>lua require('deepseek_lsp.ghost').%s<CR>"):format(call)
  api.nvim_feedkeys(api.nvim_replace_termcodes(keys, true, false, true), "ni", false)
end

--- Accept the whole suggestion: replace the item's range with its text, cursor at the end.
---@param bufnr integer?
---@return boolean accepted
function M.accept(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and api.nvim_get_current_buf() or bufnr
  local st, item, v = current(bufnr)
  if not st or not item or not v then
    return false
  end
  if text_locked() then
    run_after_mapping(("accept(%d)"):format(bufnr))
    return true
  end
  local crow, ccol, win = cursor_of(bufnr)
  local cur = util.line(bufnr, crow)
  local end_col = math.min(ccol + #v.tail, #cur)
  local lines = split(item.text)
  local above = ends_above_closer(v.remaining, cur, end_col)
  M.reset(bufnr)
  if can_paste(win) then
    -- check() made sure the buffer holds the item's text up to the cursor: the rest goes in.
    local ndel = vim.fn.strchars(cur:sub(ccol + 1, end_col), 1)
    local text, nback = with_outdent(v, v.remaining)
    paste_at_cursor(text, ndel, nback, above)
    macro.accepted(text, ndel, nback, above)
  else
    macro.accepted(nil)
    api.nvim_buf_set_text(bufnr, item.row, item.scol, crow, end_col, lines)
    local row = item.row + #lines - 1
    local col = (#lines == 1 and item.scol or 0) + #lines[#lines]
    api.nvim_win_set_cursor(win, { row + 1, col })
    if above then
      cursor_above_closer(win)
    end
  end
  run_command(item, bufnr)
  return true
end

-- Words as VS Code's language configurations define them (their wordPattern), so a piece taken
-- here is the one VS Code's Ctrl+Right takes in that language: most languages keep its default
-- (editor.wordSeparators' characters and blanks split words; a decimal number is one word), some
-- take a separator into their words (PHP's `$name`, JavaScript's `#private`, CSS's `margin-top`).
local DEFAULT_SEPARATORS = "`~!@#$%^&*()-=+[{]}\\|;:'\",.<>/?"
local NUMBER = "^%-?%d*%.%d[%w_]*"

--- A word matcher for a pattern of the default's shape: a number, or a run of anything but
--- blanks and the default's separators less ``kept``.
---@param kept string separators this language's words may hold
---@return fun(s: string, i: integer): string?
local function separated_by(kept)
  local class = DEFAULT_SEPARATORS
  if kept ~= "" then
    class = class:gsub("[" .. vim.pesc(kept) .. "]", "")
  end
  class = class:gsub("%p", "%%%0")
  local word = "^[^%s" .. class .. "]+"
  return function(s, i)
    return s:match(NUMBER, i) or s:match(word, i)
  end
end

--- A word matcher for CSS, SCSS and Less (VS Code's `(#?-?\d*\.\d\w*%?)|(::?[\w-]*(?=[^,{;]*[,{]))
--- |(([@#.!])?[\w-?]+%?|[@#!.])`, ``$`` taken by SCSS's variables, ``+`` by Less' pseudo-class).
---@param sigils string the characters that may lead a word (or stand alone as one)
---@param pseudo "*"|"+" how many name characters a selector's pseudo-class needs
local function stylesheet(sigils, pseudo)
  local s_class = "[" .. sigils:gsub("%p", "%%%0") .. "]"
  local pseudo_class = "^::?[%w_%-]" .. pseudo
  return function(s, i)
    local m = s:match("^#?%-?%d*%.%d[%w_]*%%?", i)
    if m then
      return m
    end
    m = s:match(pseudo_class, i)
    if m and s:find("^[^,{;]*[,{]", i + #m) then
      return m
    end
    return s:match("^" .. s_class .. "?[%w_%-?]+%%?", i) or s:match("^" .. s_class, i)
  end
end

local JAVASCRIPT = separated_by("#$")
local CPP = separated_by("$")
local MARKUP = separated_by("#%-?")
--- By filetype, the languages whose VS Code word pattern is not the default.
local WORDS = {
  javascript = JAVASCRIPT,
  javascriptreact = JAVASCRIPT,
  typescript = JAVASCRIPT,
  typescriptreact = JAVASCRIPT,
  c = CPP,
  cpp = CPP,
  cuda = CPP,
  php = separated_by("$"),
  html = MARKUP,
  handlebars = MARKUP,
  xml = separated_by("-"),
  xsl = separated_by("-"),
  css = stylesheet("@#.!", "*"),
  scss = stylesheet("@$#.!", "*"),
  less = stylesheet("@#.!", "+"),
}
local DEFAULT_WORD = separated_by("")

--- The next piece of ``s`` a word accept takes, by VS Code's rule (acceptNextWord): a word at
--- its start; else what stands before the next word (`# ` of `# double`), but no further than
--- the end of its first run of blanks (` ` of ` = 1`), which may hold line breaks and the next
--- line's indentation. Users switch between the two editors, and the server counts the pieces.
---@param s string
---@param filetype string? the buffer's, whose language says what a word is
function M.next_word(s, filetype)
  local word_at = WORDS[filetype or ""] or DEFAULT_WORD
  local until_ = #s
  for i = 1, #s do
    local word = word_at(s, i)
    if word and word ~= "" then
      until_ = i == 1 and #word or i - 1
      break
    end
  end
  local _, blanks_end = s:find("%s+")
  if blanks_end and blanks_end < until_ then
    until_ = blanks_end
  end
  return s:sub(1, until_)
end

--- The rest of the current line of ``s``; at a line break, the break plus the next line.
function M.next_line(s)
  if s:sub(1, 1) == "\n" then
    return s:match("^\n[^\n]*")
  end
  return s:match("^[^\n]*")
end

--- Accept the next word or line of the suggestion.
---@param kind "word"|"line"
---@param bufnr integer?
---@return boolean accepted
function M.accept_partial(kind, bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and api.nvim_get_current_buf() or bufnr
  local st, item, v = current(bufnr)
  if not st or not item or not v then
    return false
  end
  local chunk = kind == "word" and M.next_word(v.display, vim.bo[bufnr].filetype) or M.next_line(v.display)
  if not chunk or chunk == "" then
    return false
  end
  if text_locked() then
    run_after_mapping(("accept_partial(%q, %d)"):format(kind, bufnr))
    return true
  end
  local crow, ccol, win = cursor_of(bufnr)
  local text, nback = with_outdent(v, chunk)
  local lines = split(text)
  -- The auto-closed characters the chunk goes past are in it: the buffer's go.
  local ndel, ecol = 0, ccol
  for _, place in ipairs(v.places) do
    if place.at + place.len - 1 <= #chunk then
      ndel, ecol = ndel + 1, ecol + place.len
    end
  end
  -- The last piece goes where a whole accept puts the cursor (as in VS Code, where it is one).
  local last = #chunk >= #v.display
  local above = last and ends_above_closer(chunk, util.line(bufnr, crow), ecol)
  stop_timer(st)
  cancel_pending(st)
  if can_paste(win) then
    paste_at_cursor(text, ndel, nback, above)
    macro.accepted(text, ndel, nback, above)
  else
    macro.accepted(nil)
    local scol = ccol - v.outdent - #v.retyped
    api.nvim_buf_set_text(bufnr, crow, scol, crow, ecol, lines)
    local row = crow + #lines - 1
    local col = (#lines == 1 and scol or 0) + #lines[#lines]
    api.nvim_win_set_cursor(win, { row + 1, col })
    if above then
      cursor_above_closer(win)
    end
  end
  local client = vim.lsp.get_client_by_id(item.client_id)
  if client then
    util.notify(client, M.PARTIAL, {
      item = item.raw,
      -- Of the item's insertText, in UTF-16 code units (what VS Code and Copilot report).
      acceptedLength = util.units(v.typed .. chunk, "utf-16"),
    })
  end
  if last then
    -- Taken piece by piece to the end (auto-closed characters were already in the buffer).
    M.reset(bufnr)
    run_command(item, bufnr)
  else
    M.render(bufnr)
  end
  return true
end

--- Show the next (+1) or previous (-1) suggestion; the first time, ask for several (Invoked).
---@param dir integer
---@param bufnr integer?
function M.cycle(dir, bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and api.nvim_get_current_buf() or bufnr
  local st, item = current(bufnr)
  if not st then
    return
  end
  if not item then
    M.request(bufnr, true)
    return
  end
  if not st.invoked_done then
    M.request(bufnr, true)
    st.cycle_dir = dir
    return
  end
  if #st.items > 1 then
    st.index = (st.index - 1 + dir) % #st.items + 1
  end
  st.show_count = true
  M.render(bufnr)
end

--- Hide the suggestion; true if one was shown.
---@param bufnr integer?
---@return boolean
function M.dismiss(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and api.nvim_get_current_buf() or bufnr
  local shown = M.visible(bufnr)
  M.reset(bufnr)
  return shown
end

return M
