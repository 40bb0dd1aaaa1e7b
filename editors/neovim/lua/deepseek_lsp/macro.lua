--- Accepts inside a recorded macro (`q`). A register records the keys typed, not what a
--- mapping did with them: an accept was recorded as its key (`<Tab>`), and `@q` replayed a
--- plain Tab, since no suggestion is shown while a macro runs. Once the recording stops, each
--- accept key in the register is replaced by keys that insert the text it accepted.
local api = vim.api

local M = {}

---@class deepseek.MacroPress
---@field key string the key as the register holds it
---@field nth integer which occurrence of ``key`` in the recording it is
---@field keys? string what replays the accept

local ns = api.nvim_create_namespace("deepseek_lsp.macro")
--- The keys typed since the recording started, as vim.on_key gives them: which occurrence of
--- `<Tab>` an accept was. The register may hold other Tabs too (a jump with <C-i>, a
--- completion on the command line, a Tab typed with no suggestion), which stay as they are.
---@type string[]
local typed = {}
---@type deepseek.MacroPress[]
local presses = {}
---@type deepseek.MacroPress?
local pressed = nil

local function recording()
  return vim.fn.reg_recording() ~= ""
end

local function count(s, key)
  local n, pos = 0, 1
  while true do
    local _, e = s:find(key, pos, true)
    if not e then
      return n
    end
    n, pos = n + 1, e + 1
  end
end

--- One of the accept keys was pressed while recording. vim.on_key reports a key after its
--- mapping ran: what was typed so far is what came before this key.
---@param lhs string
function M.pressed(lhs)
  pressed = nil
  if not recording() then
    return
  end
  local key = api.nvim_replace_termcodes(lhs, true, true, true)
  pressed = { key = key, nth = count(table.concat(typed), key) + 1 }
end

--- The key just pressed fell back to what it does without a suggestion: it stays as recorded.
function M.fell_back()
  pressed = nil
end

--- A Lua string literal of ``s`` made of printable ASCII only: raw bytes in a register are
--- keys (0x80 starts a special key, a newline ends the command line), and "<" would start one
--- once the keys are translated ("<CR>" in the suggested code).
local function lua_literal(s)
  return '"' .. s:gsub('[%c"<\\\128-\255]', function(c)
    return ("\\%03d"):format(c:byte())
  end) .. '"'
end

--- Insert-mode keys that delete the ``nback`` characters before the cursor and the ``ndel``
--- after it, as one insert: `.` and a macro repeat them. <BS> deleted as many as
--- 'softtabstop' and 'smarttab' said (a whole indent level), and a plain <Left> ended the
--- insert that `.` repeats; <C-g>U<Left> does neither.
---@param nback integer
---@param ndel integer
---@return string
function M.delete_keys(nback, ndel)
  return ("<C-g>U<Left>"):rep(nback) .. ("<Del>"):rep(nback + ndel)
end

--- The accept of the key just pressed inserted ``text`` after deleting the ``nback`` characters
--- before the cursor and the ``ndel`` after it; nil text: it went in some other way (Replace
--- mode), and the key stays as recorded.
---@param text string?
---@param ndel integer?
---@param nback integer?
---@param above boolean? the accept then moved the cursor above the closers it left (ghost.lua)
function M.accepted(text, ndel, nback, above)
  local press = pressed
  pressed = nil
  if not press or not recording() or not text then
    return
  end
  presses[#presses + 1] = press
  -- A paste, as the accept itself was: no autoindent or 'textwidth' on replay either.
  local keys = M.delete_keys(nback or 0, ndel or 0)
    .. ("<Cmd>lua vim.api.nvim_paste(%s, false, -1)<CR>"):format(lua_literal(text))
  if above then
    -- Without it the replay's next keys went before the `}` the accept had put below them.
    keys = keys .. "<Cmd>lua require('deepseek_lsp.ghost')._cursor_above()<CR>"
  end
  press.keys = api.nvim_replace_termcodes(keys, true, true, true)
end

--- ``recorded`` (the keys of this recording) with each accept key replaced by its replay keys.
---@param recorded string
---@param list deepseek.MacroPress[]
---@return string
function M.rewrite(recorded, list)
  local by_nth = {}
  for _, press in ipairs(list) do
    by_nth[press.key] = by_nth[press.key] or {}
    by_nth[press.key][press.nth] = press.keys
  end
  local out, pos = {}, 1
  local seen = {}
  while pos <= #recorded do
    -- The accept key that comes next in the register, of the kinds pressed.
    local best_s, best_e, best_key
    for key in pairs(by_nth) do
      local s, e = recorded:find(key, pos, true)
      if s and (not best_s or s < best_s) then
        best_s, best_e, best_key = s, e, key
      end
    end
    if not best_s then
      break
    end
    seen[best_key] = (seen[best_key] or 0) + 1
    out[#out + 1] = recorded:sub(pos, best_s - 1)
    out[#out + 1] = by_nth[best_key][seen[best_key]] or recorded:sub(best_s, best_e)
    pos = best_e + 1
  end
  out[#out + 1] = recorded:sub(pos)
  return table.concat(out)
end

--- RecordingLeave: the register is written after the event, so rewrite it just after.
function M.finish()
  local list = presses
  presses, pressed, typed = {}, nil, {}
  vim.on_key(nil, ns)
  local ev = vim.v.event or {}
  local regname = ev.regname
  local recorded = ev.regcontents
  if type(recorded) == "table" then
    recorded = table.concat(recorded, "\n")
  end
  if type(regname) ~= "string" or regname == "" or type(recorded) ~= "string" then
    return
  end
  if #list == 0 then
    return
  end
  local rewritten = M.rewrite(recorded, list)
  vim.schedule(function()
    local ok, current = pcall(vim.fn.getreg, regname)
    if not ok or type(current) ~= "string" then
      return
    end
    -- qA appends to register a: only this recording's part is rewritten.
    if #current < #recorded or current:sub(#current - #recorded + 1) ~= recorded then
      return
    end
    pcall(vim.fn.setreg, regname:lower(), current:sub(1, #current - #recorded) .. rewritten, "c")
  end)
end

--- Listen for recordings (each setup() clears the group first).
function M.setup()
  local group = api.nvim_create_augroup("deepseek_lsp.macro", { clear = true })
  api.nvim_create_autocmd("RecordingEnter", {
    group = group,
    callback = function()
      presses, pressed, typed = {}, nil, {}
      vim.on_key(function(_, keys)
        if keys and keys ~= "" then
          typed[#typed + 1] = keys
        end
      end, ns)
    end,
  })
  api.nvim_create_autocmd("RecordingLeave", {
    group = group,
    callback = function()
      M.finish()
    end,
  })
end

return M
