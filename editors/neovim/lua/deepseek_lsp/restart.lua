--- :DeepSeekRestart: the server stopped and started again for the buffers it serves.
local util = require("deepseek_lsp.util")
local document = require("deepseek_lsp.document")
local state = require("deepseek_lsp.state")
local config = require("deepseek_lsp.config")
local server = require("deepseek_lsp.server")

local api = vim.api
local NAME = util.NAME

local M = {}

--- Stop the server and start it again for every buffer it serves (and those it served before
--- it crashed or failed to start). What a server that stopped unexpectedly needs: Neovim
--- starts one only when a file's type is set.
function M.restart()
  state.start_failed, state.crashed = nil, nil
  local get = vim.lsp.get_clients or vim.lsp.get_active_clients
  -- Asked to shut down, the server saves its usage and exits 0. Forced at once (SIGTERM), it
  -- exited 143, and Neovim said "quit with exit code 143 ... Check log for errors" as for a crash.
  for _, client in ipairs(get({ name = NAME })) do
    if util.has_011 then
      client:stop()
    else
      client.stop()
    end
  end
  local function terminate_all()
    -- stop(true) does nothing once a stop is under way: the process is ended directly.
    for _, client in ipairs(get({ name = NAME })) do
      pcall(function()
        client.rpc.terminate()
      end)
    end
  end
  local function start_all()
    if #get({ name = NAME }) > 0 then
      return false
    end
    if vim.lsp.config and vim.lsp.enable then
      vim.lsp.enable(NAME) -- starts it for every buffer of a type it serves
    end
    for _, buf in ipairs(api.nvim_list_bufs()) do
      local untyped = vim.bo[buf].filetype == "" and not config.current.filetypes and api.nvim_buf_get_name(buf) ~= ""
      if api.nvim_buf_is_loaded(buf) and (untyped or not (vim.lsp.config and vim.lsp.enable)) then
        server.start_legacy(buf)
      end
    end
    return true
  end
  local function will_serve()
    for _, buf in ipairs(api.nvim_list_bufs()) do
      if api.nvim_buf_is_loaded(buf) and not document.why_not_served(buf, config.current.filetypes) then
        return true
      end
    end
    return false
  end
  -- "restarted" waits for the new server's answer to initialize: said when it was only
  -- started, it came seconds before suggestions did (4 s on a busy machine), and a server
  -- that failed as it started had been "restarted" too. Returns true once there is no more to say.
  local function told()
    local clients = get({ name = NAME })
    for _, client in ipairs(clients) do
      if client.initialized and not util.is_stopped(client) then
        util.notify_user("deepseek-lsp restarted")
        return true
      end
    end
    if state.start_failed or state.crashed then
      return #clients == 0 -- told as it happened
    end
    if #clients > 0 or will_serve() then
      return false -- a root_dir function starts its client on a later tick
    end
    util.notify_user("deepseek-lsp stopped; it starts again when a file of a type it serves is opened")
    return true
  end
  if state.restart_timer and not state.restart_timer:is_closing() then
    state.restart_timer:close() -- a second :DeepSeekRestart takes over from the first
  end
  util.notify_user("deepseek-lsp restarting…")
  -- The old clients go asynchronously; a new one started before they are gone would be reused.
  local timer = vim.uv.new_timer()
  state.restart_timer = timer
  local tries, started_at = 0, nil
  local function done(msg)
    timer:stop()
    timer:close()
    if msg then
      util.notify_user(msg, vim.log.levels.WARN)
    end
  end
  timer:start(0, 50, vim.schedule_wrap(function()
    if timer:is_closing() then
      return
    end
    tries = tries + 1
    if started_at then
      if told() then
        done()
      elseif tries - started_at > 600 then
        done(#get({ name = NAME }) > 0 and "deepseek-lsp was started again but has not initialized within 30 s (see :DeepSeekStatus, :LspLog)"
          or "deepseek-lsp stopped, and was not started again for the open buffers (see :DeepSeekStatus)")
      end
      return
    end
    if tries == 80 then
      -- 4 s without exiting after shutdown (it stops its work under way first: 2 s on a busy
      -- machine): a server that hangs.
      terminate_all()
    end
    if start_all() then
      started_at = tries
      if told() then
        done()
      end
    elseif tries > 140 then
      done("deepseek-lsp did not stop within 7 s; not restarted")
    end
  end))
end

return M
