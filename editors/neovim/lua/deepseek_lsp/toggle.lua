--- :DeepSeekToggle: suggestions while typing off in one buffer, or on again (copilot.vim's
--- `:Copilot disable` and `b:copilot_enabled`). The buffer's `vim.b.deepseek_completion` holds
--- the choice; asking (suggest, next) still brings one, and reviews go on.
local util = require("deepseek_lsp.util")
local ghost = require("deepseek_lsp.ghost")
local state = require("deepseek_lsp.state")

local api = vim.api

local M = {}

--- Flips whether ``bufnr`` (0: the current buffer) gets suggestions while typing.
---@param bufnr integer?
---@return boolean on whether they are on now
function M.toggle(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and api.nvim_get_current_buf() or bufnr
  local on = not util.completion_on(bufnr)
  vim.b[bufnr].deepseek_completion = on
  if state.mode == "ghost" and not on then
    ghost.reset(bufnr) -- the suggestion shown, and one on its way, go too
  elseif state.mode == "builtin" then
    pcall(vim.lsp.inline_completion.enable, on, { bufnr = bufnr })
  end
  -- notify_user says "DeepSeek: " before it.
  util.notify_user(on and "suggestions on in this buffer"
    or "suggestions off in this buffer while typing (suggest still asks; :DeepSeekToggle turns them on)")
  pcall(vim.cmd, "redrawstatus") -- statusline(): [off]
  return on
end

return M
