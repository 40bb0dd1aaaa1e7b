--- What the server says of itself (`deepseek/status`), per client and per file, and the
--- statusline component made of it.
local util = require("deepseek_lsp.util")
local ghost = require("deepseek_lsp.ghost")
local state = require("deepseek_lsp.state")
local config = require("deepseek_lsp.config")

local api = vim.api

local M = {}

M.NOTIFICATION = "deepseek/status"

--- Tells the statusline, and `User DeepSeekStatus` listeners, of a change.
local function changed(data)
  vim.schedule(function()
    pcall(api.nvim_exec_autocmds, "User", { pattern = "DeepSeekStatus", modeline = false, data = data })
    pcall(vim.cmd, "redrawstatus")
  end)
end

--- Handles `deepseek/status`: kept per client, and per file when it is about one.
function M.handler(err, result, ctx)
  if err or type(result) ~= "table" then
    return
  end
  local entry = {
    kind = result.kind or "Normal",
    message = result.message or "",
    feature = result.feature or "",
    uri = result.uri or "",
    time = os.time(),
  }
  state.status[ctx.client_id] = entry
  state.last_status = entry
  local files = state.file_status[ctx.client_id] or {}
  state.file_status[ctx.client_id] = files
  if entry.uri ~= "" then
    files[entry.uri] = entry.kind == "Inactive" and entry or nil
  elseif entry.kind == "Normal" and entry.feature == "completion" then
    -- Completions work again while in this buffer: what made this file Inactive is gone.
    files[vim.uri_from_bufnr(api.nvim_get_current_buf())] = nil
  end
  changed(entry)
end

--- `window/showMessage`: shown as Neovim (or the user's handler) shows it, and kept.
function M.show_message(err, result, ctx, cfg)
  if type(result) == "table" and type(result.message) == "string" then
    state.shown_count = state.shown_count + 1
    table.insert(state.shown, result.message)
    if #state.shown > 8 then
      table.remove(state.shown, 1)
    end
  end
  return vim.lsp.handlers["window/showMessage"](err, result, ctx, cfg)
end

--- Whether the server showed ``text`` in a message since ``state.shown_count`` was ``since``.
---@param text string
---@param since integer
---@return boolean
function M.said_since(text, since)
  local n = math.min(state.shown_count - since, #state.shown)
  for i = #state.shown - n + 1, #state.shown do
    if state.shown[i]:find(text, 1, true) then
      return true
    end
  end
  return false
end

--- `LspProgress`: keeps the reviews under way (the server's `deepseek-review-` tokens).
function M.on_progress(args)
  local data = args.data or {}
  local params = data.params or {}
  local value = params.value
  if type(params.token) ~= "string" or not params.token:find("^deepseek%-review%-") or type(value) ~= "table" then
    return
  end
  local reviews = state.reviews[data.client_id] or {}
  state.reviews[data.client_id] = reviews
  if value.kind == "begin" then
    reviews[params.token] = tostring(value.title or "")
  elseif value.kind == "end" then
    reviews[params.token] = nil
  else
    return
  end
  changed(state.status[data.client_id])
end

--- Whether a review of ``bufnr``'s file is under way: its progress token ends in the file's
--- URI (`deepseek-review-3:file:///...`). Matched by the file name in the title, another
--- folder's file of that name said `[reviewing]` too; so it still is with a server whose
--- tokens carry no URI.
---@return boolean
function M.reviewing(client_id, bufnr)
  local name = vim.fs.basename(api.nvim_buf_get_name(bufnr))
  if name == "" then
    return false
  end
  local uri = vim.uri_from_bufnr(bufnr)
  for token, title in pairs(state.reviews[client_id] or {}) do
    local reviewed = token:match("^deepseek%-review%-%d+:(.+)$")
    if reviewed == uri or (not reviewed and title:sub(-#name - 2) == ": " .. name) then
      return true
    end
  end
  return false
end

--- The last `deepseek/status` (for a client id, or the latest from any client).
function M.status(client_id)
  if client_id then
    return state.status[client_id]
  end
  return state.last_status
end

--- The status that applies to ``bufnr``: the server's last one unless it is about another file
--- or Normal, else this file's own Inactive (excluded, too large...).
---@return table?
function M.buffer_status(client_id, bufnr)
  local uri = vim.uri_from_bufnr(bufnr)
  local st = state.status[client_id]
  if st and st.uri ~= "" and st.uri ~= uri then
    st = nil -- about another file (that one is excluded, too large...): not this buffer's
  end
  if not st or st.kind == "Normal" then
    st = (state.file_status[client_id] or {})[uri] or st
  end
  return st
end

--- Whether ``bufnr`` would be served but the server crashed or cannot start. Told once in a
--- message, which scrolls away: the statusline went blank as if the plugin were not there.
---@param bufnr integer
---@return boolean
function M._stopped_here(bufnr)
  if not (state.crashed or state.start_failed) then
    return false
  end
  if vim.bo[bufnr].buftype ~= "" or api.nvim_buf_get_name(bufnr) == "" then
    return false
  end
  local fts = config.current.filetypes
  return not fts or vim.tbl_contains(fts, vim.bo[bufnr].filetype)
end

--- A short statusline component: "" when the server is not attached to the current buffer,
--- "[stopped]" when it would be but crashed or cannot start.
---   vim.o.statusline = "%f %=%{v:lua.require'deepseek_lsp'.statusline()} "
---@param opts {icon?: string}?
---@return string
function M.statusline(opts)
  opts = opts or {}
  local icon = opts.icon or "DeepSeek"
  local bufnr = api.nvim_get_current_buf()
  local client = util.get_client(bufnr)
  if not client then
    return M._stopped_here(bufnr) and icon .. " [stopped]" or ""
  end
  -- Before a status: the last one may be the failure of the review this one retries.
  if M.reviewing(client.id, bufnr) then
    return icon .. " [reviewing]"
  end
  local st = M.buffer_status(client.id, bufnr)
  if st and st.kind == "Error" then
    return icon .. " [error]"
  elseif st and st.kind == "Warning" then
    return icon .. " [warning]"
  elseif (st and st.kind == "Inactive") or not util.completion_on(bufnr) then
    return icon .. " [off]"
  end
  if state.mode == "ghost" and ghost.busy(bufnr) then
    return icon .. " ..."
  end
  return icon
end

return M
