--- deepseek-lsp for Neovim: DeepSeek inline completions (ghost text) and code review on save.
---
---   require("deepseek_lsp").setup({ settings = { completion = { debounce = "adaptive" } } })
---
--- The language server does the work; this plugin configures it (`vim.lsp.config` +
--- `vim.lsp.enable` on 0.11+, `vim.lsp.start` on 0.10), shows its completions (the built-in
--- `vim.lsp.inline_completion` on 0.12+, extmark ghost text on 0.10/0.11), and adds commands,
--- a statusline component and `:checkhealth deepseek_lsp`.
local util = require("deepseek_lsp.util")
local ghost = require("deepseek_lsp.ghost")
local macro = require("deepseek_lsp.macro")
local document = require("deepseek_lsp.document")
local state = require("deepseek_lsp.state")
local config = require("deepseek_lsp.config")
local server_cmd = require("deepseek_lsp.server_cmd")
local settings_sync = require("deepseek_lsp.settings_sync")
local server = require("deepseek_lsp.server")
local status = require("deepseek_lsp.status")
local keymaps = require("deepseek_lsp.keymaps")
local attach = require("deepseek_lsp.attach")
local actions = require("deepseek_lsp.actions")
local float = require("deepseek_lsp.float")
local usage = require("deepseek_lsp.usage")
local review = require("deepseek_lsp.review")
local status_report = require("deepseek_lsp.status_report")
local restart = require("deepseek_lsp.restart")
local commands = require("deepseek_lsp.commands")
local toggle = require("deepseek_lsp.toggle")

local api = vim.api
local NAME = util.NAME

local M = {}

-- The plugin's functions, where users' configs and statuslines have called them since the
-- plugin was one file.
M.STATUS_NOTIFICATION = status.NOTIFICATION
M.USAGE_REQUEST = usage.REQUEST
M.STATS_REQUEST = status_report.REQUEST
M.REVIEW_COMMAND = review.COMMAND
M.UNIGNORE_COMMAND = review.UNIGNORE
M.defaults = config.defaults
M.section = config.section
M.capabilities = server.capabilities
M.lsp_config = server.lsp_config
M.resolved_cmd = server.resolved_cmd
M.start_problem = server.start_problem
M.accept = actions.accept
M.accept_word = actions.accept_word
M.accept_line = actions.accept_line
M.next = actions.next
M.prev = actions.prev
M.dismiss = actions.dismiss
M.suggest = actions.suggest
M.visible = actions.visible
M.status = status.status
M.buffer_status = status.buffer_status
M.statusline = status.statusline
M.show = float.show
M.usage_lines = usage.usage_lines
M.usage = usage.usage
M.show_usage = usage.show_usage
M.review_report = review.review_report
M.review = review.review
M.unignore = review.unignore
M.status_lines = status_report.status_lines
M.show_status = status_report.show_status
M.restart = restart.restart
M.toggle = toggle.toggle
M.create_commands = commands.create

--- Fields that live in the modules that use them, read and set here as before (a test shortens
--- ANSWER_GIVE_UP_MS, :checkhealth reads _mode and _start_failed, a config reads config).
local FIELDS = {
  config = { config, "current" },
  _mode = { state, "mode" },
  _status = { state, "status" },
  _file_status = { state, "file_status" },
  _last_status = { state, "last_status" },
  _start_failed = { state, "start_failed" },
  _crashed = { state, "crashed" },
  _restart_timer = { state, "restart_timer" },
  _setup_done = { state, "setup_done" },
  ANSWER_WAIT_MS = { float, "ANSWER_WAIT_MS" },
  ANSWER_GIVE_UP_MS = { float, "ANSWER_GIVE_UP_MS" },
}
setmetatable(M, {
  __index = function(_, k)
    local f = FIELDS[k]
    if f then
      return f[1][f[2]]
    end
  end,
  __newindex = function(t, k, v)
    local f = FIELDS[k]
    if f then
      f[1][f[2]] = v
    else
      rawset(t, k, v)
    end
  end,
})

--- Configure and enable the server. Call once (again to change options).
---@param opts deepseek.Options?
function M.setup(opts)
  if vim.fn.has("nvim-0.10") ~= 1 then
    util.notify_user("deepseek_lsp needs Neovim 0.10 or later", vim.log.levels.ERROR)
    return
  end
  -- A wrong type used to come out as a stack trace on each file opened or attached, or as no
  -- server and no word: say what is wrong, and use the default for it.
  local problems
  opts, problems = config.validate(opts or {})
  if #problems > 0 then
    util.notify_user("setup(): " .. table.concat(problems, "; ") .. " (the defaults are used for these)", vim.log.levels.ERROR)
  end
  local old_section = vim.deepcopy(config.section())
  server_cmd.forget() -- installed since the last setup()?
  state.start_failed, state.crashed = nil, nil -- mended since?
  local keys_given = opts.keymaps
  config.current = vim.tbl_deep_extend("force", vim.deepcopy(config.defaults), opts)
  if keys_given == false then
    config.current.keymaps = false
  end
  if opts.settings ~= nil then
    config.current.settings = opts.settings -- replace, do not merge with the (empty) default
  end
  local c = config.current

  local inline = c.inline
  if inline == "auto" then
    inline = util.builtin_inline() and "builtin" or "ghost"
  elseif inline == "builtin" and not util.builtin_inline() then
    inline = "ghost"
  elseif inline == false then
    inline = "off"
  end
  local old_mode = state.mode
  state.mode = inline
  ghost.config.debounce = c.debounce
  ghost.config.auto_trigger = c.auto_trigger
  ghost.config.hl_group = c.hl_group

  api.nvim_set_hl(0, "DeepSeekSuggestion", { link = "Comment", default = true })
  api.nvim_set_hl(0, "DeepSeekSuggestionCount", { link = "NonText", default = true })

  local group = api.nvim_create_augroup("deepseek_lsp", { clear = true })
  api.nvim_create_autocmd("LspAttach", {
    group = group,
    callback = function(args)
      local client = vim.lsp.get_client_by_id(args.data and args.data.client_id or -1)
      if client and client.name == NAME then
        attach.on_attach(client, args.buf)
      end
    end,
  })
  api.nvim_create_autocmd("LspDetach", {
    group = group,
    callback = function(args)
      local client = vim.lsp.get_client_by_id(args.data and args.data.client_id or -1)
      if client and client.name == NAME then
        ghost.detach(args.buf)
        keymaps.del(args.buf)
        document.detached(args.buf)
      end
    end,
  })
  api.nvim_create_autocmd("LspProgress", { group = group, callback = status.on_progress })
  api.nvim_create_autocmd("ColorScheme", {
    group = group,
    callback = function()
      api.nvim_set_hl(0, "DeepSeekSuggestion", { link = "Comment", default = true })
      api.nvim_set_hl(0, "DeepSeekSuggestionCount", { link = "NonText", default = true })
    end,
  })

  if c.commands then
    commands.create()
  end
  macro.setup()
  document.setup(group, server.start_for)

  -- The first file the server would start for: say so if its command is not there (once).
  local cmd_checked = false
  api.nvim_create_autocmd("FileType", {
    group = group,
    callback = function(args)
      if cmd_checked or vim.bo[args.buf].buftype ~= "" then
        return
      end
      if c.filetypes and not vim.tbl_contains(c.filetypes, args.match) then
        return
      end
      cmd_checked = true
      local problem = server.start_problem()
      if problem then
        util.notify_user(
          problem .. ": no completions or reviews (" .. util.install_command() .. ", or set cmd in setup(); see :checkhealth deepseek_lsp)",
          vim.log.levels.WARN
        )
      end
    end,
  })

  if vim.lsp.config and vim.lsp.enable then
    -- vim.lsp.config(NAME, cfg) merges into what is there: an option left out of a later
    -- setup() (filetypes, lsp fields) kept its earlier value. Replace our part each time, over
    -- what the user configured for NAME themselves before the first setup().
    local configs = rawget(vim.lsp.config, "_configs")
    if state.user_lsp_config == nil then
      state.user_lsp_config = vim.deepcopy(type(configs) == "table" and configs[NAME] or {})
    end
    local ours = server.lsp_config()
    ours.on_exit = server.chain(server.on_exit, (config.current.lsp or {}).on_exit, state.user_lsp_config.on_exit)
    ours.on_init = server.chain(server.offer_menu, (config.current.lsp or {}).on_init, state.user_lsp_config.on_init)
    -- The command found on PATH is only a default: a `cmd` the user gave Neovim for this server
    -- (vim.lsp.config("deepseek_lsp", {cmd = ...}) before setup(), or an lsp/deepseek_lsp.lua
    -- on the runtimepath) was replaced by it. setup({cmd = ...}) still wins over both.
    local default = c.cmd == nil and not (c.lsp and c.lsp.cmd)
    if default then
      ours.cmd = nil
    end
    if type(configs) == "table" then
      vim.lsp.config[NAME] = vim.tbl_deep_extend("force", state.user_lsp_config, ours)
    else
      vim.lsp.config(NAME, ours)
    end
    if default and vim.lsp.config[NAME].cmd == nil then
      vim.lsp.config(NAME, { cmd = server_cmd.default() })
    end
    -- Wrapped as Neovim resolves it, so that a root_dir from an lsp/deepseek_lsp.lua still decides.
    local resolved = vim.lsp.config[NAME]
    vim.lsp.config(NAME, { root_dir = server.served_root_dir(resolved.root_dir, resolved.root_markers) })
    vim.lsp.enable(NAME)
  else
    api.nvim_create_autocmd("FileType", {
      group = group,
      callback = function(args)
        server.start_legacy(args.buf)
      end,
    })
    for _, buf in ipairs(api.nvim_list_bufs()) do
      if api.nvim_buf_is_loaded(buf) and vim.bo[buf].filetype ~= "" then
        server.start_legacy(buf)
      end
    end
  end
  api.nvim_create_autocmd("FileType", {
    group = group,
    callback = function(args)
      server.attach_now(args.buf)
    end,
  })
  if not c.filetypes then
    -- Servers start on FileType, which never fires for a file whose type
    -- is not detected: those files got no server although filetypes = nil means "all".
    api.nvim_create_autocmd({ "BufReadPost", "BufNewFile" }, {
      group = group,
      callback = function(args)
        vim.schedule(function()
          if api.nvim_buf_is_valid(args.buf) and vim.bo[args.buf].filetype == "" and api.nvim_buf_get_name(args.buf) ~= "" then
            server.start_legacy(args.buf)
          end
        end)
      end,
    })
  end
  -- A running server gets new settings (setup() again "to change options"): it pulls them on
  -- workspace/didChangeConfiguration, and the client answers from client.settings.
  local settings = server.lsp_config().settings
  if not vim.deep_equal(config.section(), old_section) then
    state.file_status = {} -- new settings (exclusions, languages...): what was said of files may be over
  end
  for _, client in ipairs((vim.lsp.get_clients or vim.lsp.get_active_clients)({ name = NAME })) do
    if not util.is_stopped(client) then
      settings_sync.give(client, settings)
      if client.initialized then
        server.offer_menu(client) -- inline = false gives the menu back; inline on takes it
      end
      -- The buffers it is attached to take the new keymaps and inline mode now: they were set
      -- on attach only, so `inline = false` left the ghost text on and a new accept key unmapped.
      for bufnr in pairs(client.attached_buffers or {}) do
        if api.nvim_buf_is_valid(bufnr) then
          attach.reattach(client, bufnr, old_mode)
        end
      end
    end
  end
  state.setup_done = true
end

return M
