--- Tells the server what Neovim inserts for a level of indentation in each served buffer
--- ('expandtab', 'shiftwidth', 'tabstop'). Where no non-blank line of the file tells it (a new
--- file, one whose only tab-led line is the blank one being typed on) the server took the
--- language's habit: a Python block suggested in four spaces under the tab Vim typed with
--- noexpandtab, which Python refuses (TabError). Sent on attach, when one of those options is
--- set, and on entering insert mode (after a modeline or an EditorConfig file set them, and
--- after the server forgot them with the document: a reload, a rename).
local util = require("deepseek_lsp.util")

local api = vim.api

local M = {}

M.METHOD = "deepseek/editorIndentation"

--- The notification's params for ``bufnr``.
---@param bufnr integer
---@return table
function M.params(bufnr)
  local bo = vim.bo[bufnr]
  local ts = bo.tabstop
  return {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    insertSpaces = bo.expandtab,
    tabSize = ts,
    -- 'shiftwidth' 0 means 'tabstop' (:help shiftwidth()).
    indentSize = bo.shiftwidth > 0 and bo.shiftwidth or ts,
  }
end

---@param bufnr integer
function M.send(bufnr)
  if not api.nvim_buf_is_valid(bufnr) then
    return
  end
  local client = util.get_client(bufnr)
  if client and not util.is_stopped(client) then
    util.notify(client, M.METHOD, M.params(bufnr))
  end
end

local options_group = nil

---@param bufnr integer
function M.attach(bufnr)
  if not options_group then
    options_group = api.nvim_create_augroup("deepseek_lsp.indentation", { clear = true })
    api.nvim_create_autocmd("OptionSet", {
      group = options_group,
      pattern = { "expandtab", "shiftwidth", "tabstop" },
      callback = function()
        M.send(api.nvim_get_current_buf())
      end,
    })
  end
  local group = api.nvim_create_augroup("deepseek_lsp.indentation." .. bufnr, { clear = true })
  api.nvim_create_autocmd("InsertEnter", {
    group = group,
    buffer = bufnr,
    callback = function()
      M.send(bufnr)
    end,
  })
  M.send(bufnr)
end

return M
