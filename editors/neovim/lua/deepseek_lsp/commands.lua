--- The user commands (setup's `commands = true`).
local usage = require("deepseek_lsp.usage")
local review = require("deepseek_lsp.review")
local status_report = require("deepseek_lsp.status_report")
local restart = require("deepseek_lsp.restart")
local toggle = require("deepseek_lsp.toggle")

local api = vim.api

local M = {}

function M.create()
  api.nvim_create_user_command("DeepSeekUsage", function()
    usage.show_usage()
  end, { desc = "DeepSeek: today's and this month's cost and tokens" })
  api.nvim_create_user_command("DeepSeekReview", function()
    review.review(0)
  end, { desc = "DeepSeek: review the current buffer now" })
  api.nvim_create_user_command("DeepSeekUnignore", function()
    review.unignore(0)
  end, { desc = "DeepSeek: show the review findings ignored in this buffer's project again" })
  api.nvim_create_user_command("DeepSeekStatus", function()
    status_report.show_status()
  end, { desc = "DeepSeek: server and completion status" })
  api.nvim_create_user_command("DeepSeekToggle", function()
    toggle.toggle(0)
  end, { desc = "DeepSeek: suggestions while typing off in this buffer, or on again" })
  api.nvim_create_user_command("DeepSeekRestart", function()
    restart.restart()
  end, { desc = "DeepSeek: stop the language server and start it again for the open buffers" })
end

return M
