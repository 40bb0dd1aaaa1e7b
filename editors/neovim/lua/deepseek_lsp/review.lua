--- :DeepSeekReview and :DeepSeekUnignore: a review of the buffer now, and the findings ignored
--- in its project shown again.
local util = require("deepseek_lsp.util")
local state = require("deepseek_lsp.state")
local status = require("deepseek_lsp.status")
local document = require("deepseek_lsp.document")
local config = require("deepseek_lsp.config")

local api = vim.api

local M = {}

M.COMMAND = "deepseek.reviewFile"
M.UNIGNORE = "deepseek.review.unignoreAll"
M.SOURCE = "deepseek-review"

--- What to say of the server's answer to `deepseek.reviewFile` (review/command.py), and at
--- which level; nil for an answer that says nothing.
---@param result table?
---@return string?, integer?
function M.review_report(result)
  if type(result) ~= "table" then
    return nil
  end
  local function joined(list)
    return type(list) == "table" and #list > 0 and table.concat(vim.tbl_map(tostring, list), "; ") or nil
  end
  if result.ok then
    local found = util.counted(result.findings or 0, "finding")
    -- A review that is not whole (an answer cut at review.maxOutputTokens, not JSON) is no clean
    -- bill: "0 findings" alone hid that part of the file went unreviewed.
    local problems = joined(result.problems)
    if problems then
      return "review: " .. found .. "; " .. problems, vim.log.levels.WARN
    end
    return "review: " .. found, vim.log.levels.INFO
  end
  local why = result.reason and tostring(result.reason) or joined(result.errors)
  if why then
    return "review: " .. why, vim.log.levels.WARN
  end
  return nil
end

--- `textDocument/publishDiagnostics`: the review's findings without their `code`, the finding's
--- id (a hash): Neovim shows a code at the end of the float ("[745172cf4b5e]") and at the start
--- of each virtual line. The server reads the id from `data` too, which quick fixes send back.
function M.without_ids(err, result, ctx, cfg)
  for _, d in ipairs(type(result) == "table" and type(result.diagnostics) == "table" and result.diagnostics or {}) do
    if d.source == M.SOURCE and type(d.data) == "table" and d.data.id == d.code then
      d.code = nil
    end
  end
  return vim.lsp.handlers["textDocument/publishDiagnostics"](err, result, ctx, cfg)
end

--- How long a review asked for while the server starts waits for it to attach the buffer.
local START_WAIT_MS = 30000
--- How often that wait looks whether the server failed to start.
local POLL_MS = 100

--- Whether the server is on its way to ``bufnr``: :DeepSeekRestart under way, a client not yet
--- initialized, or none yet for a file it will serve (Neovim starts it a moment after the file
--- opens, seconds on a busy machine).
---@param bufnr integer
---@return boolean
local function starting(bufnr)
  if state.restart_timer and not state.restart_timer:is_closing() then
    return true
  end
  local client = util.get_client(nil)
  if client then
    return not client.initialized and not util.is_stopped(client)
  end
  return state.setup_done and not state.start_failed and not state.crashed
    and document.why_not_served(bufnr, config.current.filetypes) == nil
end

--- Why no server will come for ``bufnr``: it exited as it started, crashed, or its command is no
--- program. (server.lua requires this module: asked here when needed.)
---@param bufnr integer
---@return string?
local function not_running(bufnr)
  local server = require("deepseek_lsp.server")
  local is_file = vim.bo[bufnr].buftype == "" and api.nvim_buf_get_name(bufnr) ~= ""
  return server.not_running(is_file and server.start_problem())
end

--- Review a buffer now (`deepseek.reviewFile`); callback(err, result) with the server's answer.
function M.review(bufnr, callback)
  bufnr = (bufnr == nil or bufnr == 0) and api.nvim_get_current_buf() or bufnr
  local client = util.get_client(bufnr)
  local since = state.shown_count
  -- Closed while its review ran (:bd): the server's "the file was closed before its review
  -- ended" or "document is not open" came as a warning about a buffer the user let go, and
  -- still did with the file opened again at once (:e gives it its buffer number back).
  local let_go, unload = false, nil
  if not callback then
    unload = api.nvim_create_autocmd("BufUnload", {
      buffer = bufnr,
      once = true,
      callback = function()
        let_go = true
      end,
    })
  end
  callback = callback
    or function(err, result)
      pcall(api.nvim_del_autocmd, unload)
      if let_go or not api.nvim_buf_is_loaded(bufnr) then
        return
      end
      if err then
        util.notify_user("review failed: " .. err, vim.log.levels.WARN)
        return
      end
      local msg, level = M.review_report(result)
      -- A rejected key, an empty balance: the server has said it in a message during the
      -- review, and the report said the same long text again.
      if msg and status.said_since(msg:gsub("^review: ", ""), since) then
        return
      end
      if msg then
        util.notify_user(msg, level)
      end
    end
  if client and util.is_stopped(client) then
    client = nil -- on its way out (:DeepSeekRestart): a request to it is never answered
  end
  local why = not client and not_running(bufnr)
  if why then
    callback(why)
    return
  end
  if not client and starting(bufnr) then
    -- Asked as the file opened (or during :DeepSeekRestart): "not attached to this buffer"
    -- and no review, for a server a second from answering.
    local done = false
    -- A server exiting as it starts (a broken install) is known in a moment: the wait said
    -- "did not start within 30 s" when they were up, the cause long told.
    local poll = vim.uv.new_timer()
    local function finish()
      done = true
      poll:stop()
      poll:close()
    end
    local id = api.nvim_create_autocmd("LspAttach", {
      buffer = bufnr,
      callback = function(ev)
        local c = vim.lsp.get_client_by_id(ev.data and ev.data.client_id or -1)
        if done or not c or c.name ~= util.NAME then
          return
        end
        vim.schedule(function()
          if not poll:is_closing() then
            finish()
          end
          M.review(bufnr, callback)
        end)
        done = true
        return true
      end,
    })
    local since = vim.uv.now()
    poll:start(POLL_MS, POLL_MS, vim.schedule_wrap(function()
      if done then
        return
      end
      local reason = not_running(bufnr)
      if reason or vim.uv.now() - since >= START_WAIT_MS then
        finish()
        pcall(api.nvim_del_autocmd, id)
        callback(reason or "deepseek-lsp did not start for this buffer within 30 s")
      end
    end))
    return
  end
  if not client then
    callback("deepseek-lsp is not attached to this buffer")
    return
  end
  util.ask(client, "workspace/executeCommand", {
    command = M.COMMAND,
    arguments = { vim.uri_from_bufnr(bufnr) },
  }, callback, bufnr)
end

--- Show the review findings ignored in the buffer's project again ("Ignore this DeepSeek
--- finding" holds in the project it was used in, for good: one clicked by mistake had no way
--- back). The project is the server's: the git repository or workspace folder holding the file.
function M.unignore(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and api.nvim_get_current_buf() or bufnr
  local client = util.get_client(bufnr)
  if not client then
    util.notify_user("deepseek-lsp is not attached to this buffer", vim.log.levels.WARN)
    return
  end
  -- An unnamed buffer names no project: the server takes every workspace folder's.
  local named = api.nvim_buf_get_name(bufnr) ~= ""
  local arguments = named and { vim.uri_from_bufnr(bufnr) } or {}
  util.ask(client, "workspace/executeCommand", { command = M.UNIGNORE, arguments = arguments }, function(err, result)
    if err then
      util.notify_user("showing ignored findings failed: " .. err, vim.log.levels.WARN)
    else
      local where = named and "this project" or "the workspace"
      util.notify_user(("%s shown again in %s"):format(util.counted(result, "ignored finding"), where))
    end
  end, bufnr)
end

return M
