--- The insert-mode keys (accept, accept a word or a line, next, previous, dismiss, suggest):
--- each does its work while a suggestion is shown, and what it did without us otherwise.
local ghost = require("deepseek_lsp.ghost")
local macro = require("deepseek_lsp.macro")
local state = require("deepseek_lsp.state")
local config = require("deepseek_lsp.config")
local actions = require("deepseek_lsp.actions")

local api = vim.api

local M = {}

local fallbacks = {}
--- The user's own buffer-local mappings that ours replaced, put back when the client detaches.
---@type table<integer, table<string, table>>
local replaced = {}

--- The user's mapping of ``lhs`` that ours stands in front of, looked up when the key is pressed:
--- a buffer-local one we replaced, else the global one. Looked up at attach time instead, a
--- mapping made later (a snippet or completion plugin lazy-loaded on InsertEnter) was never run.
local function user_mapping(bufnr, lhs)
  local own = replaced[bufnr] and replaced[bufnr][lhs]
  if own then
    return own
  end
  local raw = api.nvim_replace_termcodes(lhs, true, true, true)
  for _, m in ipairs(api.nvim_get_keymap("i")) do
    if m.lhsraw == raw and not (m.desc or ""):match("^DeepSeek") then
      return m
    end
  end
end

--- What a key did before we mapped it, as keys an expr mapping can return.
local function make_fallback(bufnr, lhs)
  return function()
    local prev = user_mapping(bufnr, lhs)
    if not prev then
      return lhs
    end
    if prev.callback then
      if prev.expr == 1 then
        local keys = prev.callback()
        return type(keys) == "string" and keys or ""
      end
      fallbacks[#fallbacks + 1] = prev.callback
      return ("<Cmd>lua require('deepseek_lsp.keymaps')._run_fallback(%d)<CR>"):format(#fallbacks)
    end
    local rhs = prev.rhs or ""
    if prev.expr == 1 then
      return vim.fn.eval(rhs)
    end
    api.nvim_feedkeys(api.nvim_replace_termcodes(rhs, true, false, true), prev.noremap == 1 and "ni" or "mi", false)
    return ""
  end
end

function M._run_fallback(i)
  local fn = fallbacks[i]
  fallbacks[i] = nil
  if fn then
    fn()
  end
end

--- ``inserts``: the key accepts text, which a macro being recorded must replay (macro.lua).
local function map(bufnr, lhs, desc, when_shown, inserts)
  if not lhs or lhs == "" then
    return
  end
  local prev = api.nvim_buf_call(bufnr, function()
    return vim.fn.maparg(lhs, "i", false, true)
  end)
  if type(prev) == "table" and prev.buffer == 1 and not (prev.desc or ""):match("^DeepSeek") then
    replaced[bufnr] = replaced[bufnr] or {}
    replaced[bufnr][lhs] = prev
  end
  local fallback = make_fallback(bufnr, lhs)
  vim.keymap.set("i", lhs, function()
    if inserts then
      macro.pressed(lhs)
    end
    local keys = when_shown()
    if keys then
      return keys
    end
    macro.fell_back()
    return fallback()
  end, { buffer = bufnr, expr = true, replace_keycodes = true, silent = true, desc = "DeepSeek: " .. desc })
end

--- Our buffer-local insert mappings go with the client: the next attach (a restarted client)
--- then finds the user's own mapping to fall back to, not ours (Tab lost the user's mapping).
function M.del(bufnr)
  if not api.nvim_buf_is_valid(bufnr) then
    return
  end
  for _, m in ipairs(api.nvim_buf_get_keymap(bufnr, "i")) do
    if (m.desc or ""):match("^DeepSeek") then
      pcall(vim.keymap.del, "i", m.lhs, { buffer = bufnr })
    end
  end
  for _, prev in pairs(replaced[bufnr] or {}) do
    pcall(api.nvim_buf_call, bufnr, function()
      vim.fn.mapset("i", false, prev)
    end)
  end
  replaced[bufnr] = nil
end

function M.set(bufnr)
  local km = config.current.keymaps
  if not km then
    return
  end
  local function cmd(fn)
    return ("<Cmd>lua require('deepseek_lsp').%s()<CR>"):format(fn)
  end
  -- Both ways of showing suggestions cycle through them alike (actions.next / actions.prev).
  map(bufnr, km.next, "next suggestion", function()
    return cmd("next")
  end)
  map(bufnr, km.prev, "previous suggestion", function()
    return cmd("prev")
  end)
  if state.mode == "builtin" then
    local ic = vim.lsp.inline_completion
    map(bufnr, km.accept, "accept suggestion", function()
      return ic.get() and "" or nil
    end)
    map(bufnr, km.accept_word, "accept word", function()
      return actions.builtin_partial("word") and "" or nil
    end)
    map(bufnr, km.accept_line, "accept line", function()
      return actions.builtin_partial("line") and "" or nil
    end)
    return
  end
  map(bufnr, km.accept, "accept suggestion", function()
    return ghost.visible(bufnr) and cmd("accept") or nil
  end, true)
  map(bufnr, km.accept_word, "accept word", function()
    return ghost.visible(bufnr) and cmd("accept_word") or nil
  end, true)
  map(bufnr, km.accept_line, "accept line", function()
    return ghost.visible(bufnr) and cmd("accept_line") or nil
  end, true)
  map(bufnr, km.dismiss, "dismiss suggestion", function()
    return ghost.visible(bufnr) and cmd("dismiss") or nil
  end)
  map(bufnr, km.suggest, "suggest", function()
    return cmd("suggest")
  end)
end

return M
