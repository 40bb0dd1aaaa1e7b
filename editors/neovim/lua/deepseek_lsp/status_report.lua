--- :DeepSeekStatus: the server, the buffer and the inline completions as they stand, with the
--- server's counters.
local util = require("deepseek_lsp.util")
local ghost = require("deepseek_lsp.ghost")
local document = require("deepseek_lsp.document")
local state = require("deepseek_lsp.state")
local config = require("deepseek_lsp.config")
local status = require("deepseek_lsp.status")
local server = require("deepseek_lsp.server")
local float = require("deepseek_lsp.float")

local api = vim.api
local NAME = util.NAME

local M = {}

M.REQUEST = "deepseek/completionStats"

--- Lines for :DeepSeekStatus: with the server's counters (``deepseek/completionStats``), or
--- ``missing`` saying why they are not there.
---@param stats table?
---@param missing string?
function M.status_lines(stats, missing)
  local lines = {}
  local bufnr = api.nvim_get_current_buf()
  local clients = (vim.lsp.get_clients or vim.lsp.get_active_clients)({ name = NAME })
  if #clients == 0 then
    local c = config.current
    local is_file = vim.bo[bufnr].buftype == "" and api.nvim_buf_get_name(bufnr) ~= ""
    local problem = is_file and server.start_problem()
    local why = server.not_running(problem)
    if why then
      lines[#lines + 1] = why .. "."
    elseif is_file and c.filetypes and not vim.tbl_contains(c.filetypes, vim.bo[bufnr].filetype) then
      lines[#lines + 1] = ("deepseek-lsp is not running: it starts for %s files (setup's filetypes)."):format(table.concat(c.filetypes, ", "))
    elseif is_file then
      lines[#lines + 1] = "deepseek-lsp is not running: it did not start for this file, or it exited (see :checkhealth deepseek_lsp, :LspLog)."
    else
      lines[#lines + 1] = "deepseek-lsp is not running (open a file to start it)."
    end
  end
  for _, client in ipairs(clients) do
    local bufs = {}
    for b in pairs(client.attached_buffers or {}) do
      bufs[#bufs + 1] = tostring(b)
    end
    table.sort(bufs)
    local version = client.server_info and client.server_info.version or "?"
    lines[#lines + 1] = ("Client %d: %s (deepseek-lsp %s)"):format(
      client.id,
      util.is_stopped(client) and "stopped" or (client.initialized and "running" or "starting"),
      version
    )
    lines[#lines + 1] = ("  position encoding %s, root %s"):format(
      tostring(client.offset_encoding),
      tostring(client.root_dir or (client.config and client.config.root_dir) or "(none)")
    )
    lines[#lines + 1] = ("  attached to buffers: %s%s"):format(
      #bufs > 0 and table.concat(bufs, ", ") or "none",
      (client.attached_buffers or {})[bufnr] and " (current)" or " (not the current buffer)"
    )
    local st = state.status[client.id]
    if st then
      lines[#lines + 1] = ("  status: %s%s%s (%s)"):format(
        st.kind,
        st.message ~= "" and ": " .. st.message or "",
        st.feature ~= "" and " [" .. st.feature .. "]" or "",
        os.date("%H:%M:%S", st.time)
      )
    else
      lines[#lines + 1] = "  status: Normal (nothing reported)"
    end
    local own = status.buffer_status(client.id, bufnr)
    if own and own ~= st then
      lines[#lines + 1] = ("  this file: %s%s"):format(own.kind, own.message ~= "" and ": " .. own.message or "")
    end
  end
  local why = #clients > 0 and document.why_not_served(bufnr, config.current.filetypes)
  if why then
    -- The statusline is blank there, as in a buffer the plugin does not know: say why.
    lines[#lines + 1] = "  this buffer is not served: " .. why
  end
  local mode = ({ builtin = "built-in vim.lsp.inline_completion", ghost = "ghost text (extmarks)", off = "off" })[state.mode or "off"]
  lines[#lines + 1] = "Inline completions: " .. tostring(mode)
  if state.mode ~= "off" and not util.completion_on(bufnr) then
    lines[#lines + 1] = "  off while typing in this buffer (:DeepSeekToggle turns them on; suggest still asks)"
  end
  if state.mode == "ghost" then
    if ghost.diff_window() then
      lines[#lines + 1] = "  this window shows a diff: suggestions only when asked (suggest, next, prev)"
    end
    local s = ghost._states[bufnr]
    if s then
      lines[#lines + 1] = ("  this buffer: %s, %s%s"):format(
        s.pending and "request in flight" or "idle",
        ghost.visible(bufnr) and "suggestion shown" or "no suggestion shown",
        s.last_error and (", last error: " .. s.last_error) or ""
      )
    end
  end
  if type(stats) == "table" then
    local lat = type(stats.latencyMs) == "table" and stats.latencyMs or {}
    lines[#lines + 1] = ("Server: %s, %s shown, %s accepted%s, %s partly; p50 %s ms"):format(
      util.counted(stats.requests, "request"),
      tostring(stats.shown),
      tostring(stats.accepted),
      -- Accepts undone (u right after) are taken out of accepted: said, not lost from the count.
      (tonumber(stats.undone) or 0) > 0 and (" (%d undone)"):format(stats.undone) or "",
      tostring(stats.partiallyAccepted),
      tostring(lat.p50 ~= vim.NIL and lat.p50 or "-")
    )
  elseif missing and #clients > 0 then
    lines[#lines + 1] = "Server: counters " .. missing
  end
  return lines
end

function M.show_status()
  local client = util.any_client()
  if not client then
    float.show("DeepSeek status", M.status_lines(nil))
    return
  end
  -- Without the server's answer the float still opens, saying why the counters are not there
  -- (the line was left out, as if there were none).
  float.show_answer(client, M.REQUEST, "DeepSeek status", function(err, stats, note)
    return M.status_lines(not err and stats or nil, err and ("not available: " .. err) or note and ("not available yet: " .. note))
  end)
end

return M
