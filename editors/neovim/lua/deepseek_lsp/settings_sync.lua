--- The `deepseek` settings on their way to a running server: answered to its
--- workspace/configuration pulls, and sent again when setup() changes them.
local util = require("deepseek_lsp.util")

local M = {}

--- Settings given by setup() again before the server first pulled them, by client id.
---@type table<integer, table>
M.pending = {}
--- Clients whose server has pulled its settings at least once.
---@type table<integer, boolean>
M.pulled = {}

--- The settings go to a running server: answered to its next pull, which the notification asks for.
local function push_settings(client, settings)
  client.settings = settings
  if client.config then
    client.config.settings = settings
  end
  util.notify(client, "workspace/didChangeConfiguration", { settings = settings })
end

--- Why settings wait for the first pull: the server keeps of its initializationOptions (a copy
--- of the settings the client started with) only what that pull does not repeat. Answered with
--- newer settings instead (setup() again as the server starts), a key taken out of them stayed
--- at its old value until Neovim was restarted, since the copy still gave it.
function M.configuration_handler(err, params, ctx, config)
  local result, rerr = vim.lsp.handlers["workspace/configuration"](err, params, ctx, config)
  local id = ctx.client_id
  M.pulled[id] = true
  local pending = M.pending[id]
  if pending then
    M.pending[id] = nil
    vim.schedule(function() -- after this answer has gone
      local client = vim.lsp.get_client_by_id(id)
      if client and not util.is_stopped(client) then
        push_settings(client, pending)
      end
    end)
  end
  return result, rerr
end

--- setup() again with a client running: its server gets the new settings now, or right after
--- its first pull; a server that has not pulled within PULL_WAIT_MS gets them anyway.
local PULL_WAIT_MS = 5000
function M.give(client, settings)
  local id = client.id
  if M.pulled[id] then
    return push_settings(client, settings)
  end
  M.pending[id] = settings
  vim.defer_fn(function()
    if M.pending[id] == settings then
      M.pending[id] = nil
      if not util.is_stopped(client) then
        push_settings(client, settings)
      end
    end
  end, PULL_WAIT_MS)
end

return M
