--- What the plugin's modules share while Neovim runs: the inline completion mode in force,
--- what the server last said, and why it is not running.
local M = {}

--- "builtin" (0.12's vim.lsp.inline_completion) | "ghost" (this plugin's extmarks) | "off"
---@type string?
M.mode = nil

--- The last `deepseek/status`, by client id.
---@type table<integer, {kind: string, message: string, feature: string, uri: string, time: integer}>
M.status = {}
--- Per client, the files the server said get no completions (uri -> Inactive status: excluded,
--- too large, language off). The server has one status, which moves on with the next file used:
--- back in an excluded file after typing in another, the statusline no longer said [off].
---@type table<integer, table<string, table>>
M.file_status = {}
M.last_status = nil
--- Per client, the reviews under way: the server's `$/progress` token -> its title ("DeepSeek
--- review: <file name>"). A review by the large model runs for seconds to a minute, and the
--- statusline said nothing meanwhile.
---@type table<integer, table<string, string>>
M.reviews = {}
--- The server's `window/showMessage` texts, the latest last (the last few), and how many came:
--- a review's report that one of them already said is not said again.
---@type string[]
M.shown = {}
M.shown_count = 0

--- Why the server is not started any more: it exited before it answered `initialize`. A broken
--- install (a missing dependency, a Python too old) fails so on every file opened, and each
--- start added a "Client deepseek_lsp quit with exit code 1" and no word why.
---@type string?
M.start_failed = nil

--- Why the server that ran stopped (a crash mid-session), until it runs again.
---@type string?
M.crashed = nil

--- The timer of the :DeepSeekRestart under way (stopping the old server, then waiting for the new one).
---@type uv.uv_timer_t?
M.restart_timer = nil

M.setup_done = false

--- What the user configured for the server themselves (vim.lsp.config) before the first setup().
---@type table?
M.user_lsp_config = nil

return M
