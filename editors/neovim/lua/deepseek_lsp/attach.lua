--- What a buffer gets when the server attaches to it: its inline completion UI and keys.
local util = require("deepseek_lsp.util")
local ghost = require("deepseek_lsp.ghost")
local document = require("deepseek_lsp.document")
local state = require("deepseek_lsp.state")
local keymaps = require("deepseek_lsp.keymaps")
local indentation = require("deepseek_lsp.indentation")

local M = {}

function M.on_attach(client, bufnr)
  document.attached(bufnr)
  indentation.attach(bufnr)
  if state.mode == "ghost" then
    ghost.attach(bufnr)
  elseif state.mode == "builtin" and util.completion_on(bufnr) then
    pcall(vim.lsp.inline_completion.enable, true, { bufnr = bufnr })
  end
  if state.mode ~= "off" then
    keymaps.set(bufnr)
  end
end

--- Undo what on_attach did under ``old_mode`` and do it again as the current config says.
function M.reattach(client, bufnr, old_mode)
  ghost.detach(bufnr)
  keymaps.del(bufnr)
  if old_mode == "builtin" and state.mode ~= "builtin" then
    pcall(vim.lsp.inline_completion.enable, false, { bufnr = bufnr })
  end
  M.on_attach(client, bufnr)
end

return M
