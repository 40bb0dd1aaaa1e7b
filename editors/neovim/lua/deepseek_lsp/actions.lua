--- What the keys and commands do to a suggestion: accept it whole, a word or a line of it, show
--- the next or previous one, dismiss it, ask for one now.
local util = require("deepseek_lsp.util")
local ghost = require("deepseek_lsp.ghost")
local state = require("deepseek_lsp.state")

local api = vim.api

local M = {}

-- Each action has two ways: Neovim's own inline completion (0.12+, ``state.mode == "builtin"``)
-- and this plugin's ghost text.
local function action(builtin, own)
  return function()
    if state.mode == "builtin" then
      return builtin()
    end
    return own()
  end
end

--- Accept the shown suggestion; false if there was none (for your own <Tab> mapping).
M.accept = action(function()
  return vim.lsp.inline_completion.get()
end, function()
  return ghost.accept()
end)

M.accept_word = action(function()
  return M.builtin_partial("word")
end, function()
  return ghost.accept_partial("word")
end)

M.accept_line = action(function()
  return M.builtin_partial("line")
end, function()
  return ghost.accept_partial("line")
end)

M.next = action(function()
  return vim.lsp.inline_completion.select({ count = 1 })
end, function()
  return ghost.cycle(1)
end)

M.prev = action(function()
  return vim.lsp.inline_completion.select({ count = -1 })
end, function()
  return ghost.cycle(-1)
end)

function M.dismiss()
  if state.mode == "builtin" then
    -- 0.12 has no dismiss: leaving the completion state is what hides it.
    return false
  end
  return ghost.dismiss()
end

--- Ask now, for several choices (Invoked).
function M.suggest()
  if state.mode == "ghost" then
    return ghost.request(0, true)
  end
end

--- Whether a suggestion is shown in the current buffer (ghost text mode).
function M.visible()
  return state.mode == "ghost" and ghost.visible(0)
end

--- 0.12: accept the next word/line of the built-in suggestion through `get({on_accept})`.
function M.builtin_partial(kind)
  local ic = vim.lsp.inline_completion
  local bufnr = api.nvim_get_current_buf()
  return ic.get({
    on_accept = function(item)
      local text = type(item.insert_text) == "string" and item.insert_text or (item.insert_text or {}).value
      if type(text) ~= "string" then
        return
      end
      local win = api.nvim_get_current_win()
      local cur = api.nvim_win_get_cursor(win)
      local crow, ccol = cur[1] - 1, cur[2]
      local typed = ""
      local ok, start = pcall(function()
        return item.range and item.range.start:to_extmark()
      end)
      if ok and type(start) == "table" and start[1] == crow and start[2] <= ccol then
        typed = util.line(bufnr, crow):sub(start[2] + 1, ccol)
      end
      if text:sub(1, #typed) ~= typed then
        typed = ""
      end
      local rest = text:sub(#typed + 1)
      local chunk = kind == "word" and ghost.next_word(rest, vim.bo[bufnr].filetype) or ghost.next_line(rest)
      if not chunk or chunk == "" then
        return
      end
      local lines = vim.split(chunk, "\n", { plain = true })
      api.nvim_buf_set_text(bufnr, crow, ccol, crow, ccol, lines)
      api.nvim_win_set_cursor(win, { crow + #lines, (#lines == 1 and ccol or 0) + #lines[#lines] })
      local client = vim.lsp.get_client_by_id(item.client_id)
      if client then
        util.notify(client, ghost.PARTIAL, {
          item = { insertText = text, command = item.command },
          acceptedLength = util.units(typed .. chunk, "utf-16"),
        })
      end
    end,
  })
end

return M
