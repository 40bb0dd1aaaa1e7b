--- Starting the server: the config given to vim.lsp, which buffers it serves, one server for
--- every project, and what to say when it fails to start or stops.
local util = require("deepseek_lsp.util")
local document = require("deepseek_lsp.document")
local state = require("deepseek_lsp.state")
local config = require("deepseek_lsp.config")
local status = require("deepseek_lsp.status")
local server_cmd = require("deepseek_lsp.server_cmd")
local settings_sync = require("deepseek_lsp.settings_sync")
local review = require("deepseek_lsp.review")

local api = vim.api
local NAME = util.NAME

local M = {}

local function reuse_client(client, config)
  if client.name ~= config.name or util.is_stopped(client) then
    return false
  end
  -- One server for every project: tell it about this project's root, or it takes context
  -- from the first project's folders and never indexes this one.
  local root = config.root_dir
  if type(root) == "string" and root ~= "" then
    local uri = vim.uri_from_fname(root)
    for _, f in ipairs(client.workspace_folders or {}) do
      if f.uri == uri then
        return true
      end
    end
    local folder = { uri = uri, name = root }
    util.notify(client, "workspace/didChangeWorkspaceFolders", { event = { added = { folder }, removed = {} } })
    client.workspace_folders = client.workspace_folders or {}
    table.insert(client.workspace_folders, folder)
  end
  return true
end

function M.on_exit(code, signal, client_id)
  local client = vim.lsp.get_client_by_id(client_id)
  -- Stopped on purpose (:DeepSeekRestart, :LspStop, a forced stop): the server's exit status
  -- after a SIGTERM is 143, which was told as a crash right after the user's own restart.
  local stopping = client ~= nil and client._is_stopping == true
  if client and client.initialized and not stopping and (code ~= 0 or (signal ~= 0 and signal ~= 15)) then
    -- Neovim says only "quit with exit code": the buffers it served had no suggestions and
    -- no reviews from then on, with no word how to get the server back short of a restart
    -- of Neovim (0.11 has no :LspRestart without nvim-lspconfig).
    state.crashed = ("stopped unexpectedly (exit code %d, signal %d)"):format(code, signal or 0)
    vim.schedule(function()
      util.notify_user("deepseek-lsp " .. state.crashed .. ": :DeepSeekRestart starts it again", vim.log.levels.WARN)
      pcall(vim.cmd, "redrawstatus!") -- statusline(): [stopped]
    end)
    return
  end
  -- A signal is someone stopping it (:LspStop, a kill), not a broken install.
  if code == 0 or not client or client.initialized or state.start_failed then
    return
  end
  for _, other in ipairs((vim.lsp.get_clients or vim.lsp.get_active_clients)({ name = NAME })) do
    if other.id ~= client_id and other.initialized and not util.is_stopped(other) then
      return -- running for another project: not a broken install
    end
  end
  local cmd = client.config and client.config.cmd
  local what = type(cmd) == "table" and ("`%s`"):format(table.concat(cmd, " ")) or "deepseek-lsp"
  state.start_failed = ("%s exited as it started (exit code %d)"):format(what, code)
  vim.schedule(function()
    if vim.lsp.config and vim.lsp.enable then
      pcall(vim.lsp.enable, NAME, false)
    end
    util.notify_user(
      state.start_failed .. ": not started again until :DeepSeekRestart or setup() again (run it in a terminal, or see :LspLog, for why)",
      vim.log.levels.WARN
    )
    pcall(vim.cmd, "redrawstatus!") -- statusline(): [stopped]
  end)
end

--- The server's `completionProvider`, by client id, while the plugin keeps it from Neovim.
---@type table<integer, table>
local menu_provider = {}

--- With inline completions drawn (ghost text, or 0.12's own), the server's menu items
--- (`textDocument/completion`, for clients without inline completion) are hidden from
--- Neovim: every completion source that asks each client with a completionProvider (nvim-cmp's
--- cmp-nvim-lsp, blink.cmp, `vim.lsp.completion.enable` from `:help lsp-attach`) showed the
--- suggestion a second time in its menu, which then hid the ghost text, and each such menu
--- request was one more model request. `inline = false` gives the menu back.
---@param client vim.lsp.Client
function M.offer_menu(client)
  local caps = client.server_capabilities
  if type(caps) ~= "table" then
    return
  end
  if state.mode ~= "off" and caps.completionProvider ~= nil then
    menu_provider[client.id] = caps.completionProvider
    caps.completionProvider = nil
  elseif state.mode == "off" and menu_provider[client.id] ~= nil then
    caps.completionProvider = menu_provider[client.id]
    menu_provider[client.id] = nil
  end
end

--- ``first`` then the user's own (a function or a list of them, as vim.lsp.config takes).
function M.chain(first, ...)
  local fns = { first }
  for _, f in ipairs({ ... }) do
    if type(f) == "function" then
      fns[#fns + 1] = f
    elseif type(f) == "table" then
      vim.list_extend(fns, f)
    end
  end
  return function(...)
    for _, fn in ipairs(fns) do
      fn(...)
    end
  end
end

--- Client capabilities: Neovim's, plus inline completion (0.10/0.11 do not declare it; the server
--- answers anyway, but say what this plugin handles), and versioned workspace edits, which
--- Neovim applies (util.apply_workspace_edit) but does not declare: without them the server's
--- edit of an accepted initializer's `;` came unversioned, and with a key typed before it
--- came (<Tab><CR>) it was put at the `}`'s old place, in the new line; versioned, a buffer
--- changed since is left as it is ("newer than edits"). 0.11+ merges a partial table into its
--- defaults (and into `vim.lsp.config("*")`); 0.10 takes the table as the whole set.
function M.capabilities()
  local extra = {
    textDocument = { inlineCompletion = { dynamicRegistration = false } },
    workspace = { workspaceEdit = { documentChanges = true } },
  }
  if util.has_011 then
    return extra
  end
  return vim.tbl_deep_extend("force", vim.lsp.protocol.make_client_capabilities(), extra)
end

---@return table the config given to vim.lsp.config / vim.lsp.start
function M.lsp_config()
  local c = config.current
  local section = config.section()
  local cfg = {
    name = NAME,
    cmd = c.cmd or server_cmd.default(),
    filetypes = c.filetypes,
    root_markers = c.root_markers,
    settings = { deepseek = section },
    init_options = c.init_options or { deepseek = section },
    handlers = {
      [status.NOTIFICATION] = status.handler,
      ["workspace/configuration"] = settings_sync.configuration_handler,
      ["window/showMessage"] = status.show_message,
      ["textDocument/publishDiagnostics"] = review.without_ids,
    },
    capabilities = M.capabilities(),
  }
  if c.single_server then
    cfg.reuse_client = reuse_client
  end
  cfg = vim.tbl_deep_extend("force", cfg, c.lsp or {})
  cfg.on_exit = M.chain(M.on_exit, (c.lsp or {}).on_exit)
  cfg.on_init = M.chain(M.offer_menu, (c.lsp or {}).on_init)
  return cfg
end

--- The command Neovim runs for the server: a `cmd` the user gave vim.lsp.config or an
--- lsp/deepseek_lsp.lua wins over ours when setup() had none.
function M.resolved_cmd()
  if vim.lsp.config and vim.lsp.enable then
    local ok, cfg = pcall(function()
      return vim.lsp.config[NAME]
    end)
    if ok and type(cfg) == "table" and cfg.cmd ~= nil then
      return cfg.cmd
    end
  end
  return M.lsp_config().cmd
end

--- Why the server cannot start, or nil. Neovim writes a command that is not there to its LSP
--- log only: the user saw no suggestions and no word why.
---@return string?
function M.start_problem()
  local cmd = M.resolved_cmd()
  if type(cmd) == "table" and type(cmd[1]) == "string" and vim.fn.executable(cmd[1]) ~= 1 then
    return ("the server command `%s` is not executable"):format(table.concat(cmd, " "))
  end
end

--- Why the server is not running, as :DeepSeekStatus and a review asked for say it, or nil:
--- it exited as it started, crashed, or ``problem`` (M.start_problem()'s) keeps it from starting.
---@param problem string|false|nil
---@return string?
function M.not_running(problem)
  if state.start_failed then
    return ("deepseek-lsp is not running: %s (see :LspLog; :DeepSeekRestart retries)"):format(state.start_failed)
  elseif state.crashed then
    return ("deepseek-lsp is not running: it %s (see :LspLog; :DeepSeekRestart starts it again)"):format(state.crashed)
  elseif problem then
    return ("deepseek-lsp is not running: %s (see :checkhealth deepseek_lsp)"):format(problem)
  end
end

function M.start_legacy(bufnr)
  -- Neovim 0.10: no vim.lsp.config / vim.lsp.enable.
  if vim.bo[bufnr].buftype ~= "" or state.start_failed or not document.may_serve(bufnr) then
    return
  end
  local c = config.current
  if c.filetypes and not vim.tbl_contains(c.filetypes, vim.bo[bufnr].filetype) then
    return
  end
  local cfg = M.lsp_config()
  cfg.root_dir = vim.fs.root(bufnr, c.root_markers or { ".git" })
  local reuse = cfg.reuse_client
  cfg.reuse_client = nil
  cfg.root_markers, cfg.filetypes = nil, nil
  vim.lsp.start(cfg, { bufnr = bufnr, reuse_client = reuse })
end

--- Neovim 0.11 skips a buffer whose config's root_dir function does not call on_dir: the buffers
--- document.may_serve() refuses get no server. The user's own root_dir (a path or a function),
--- else the root markers, decide the root as before.
---@param user_root string|function|nil
---@param markers table?
function M.served_root_dir(user_root, markers)
  return function(bufnr, on_dir)
    if not document.may_serve(bufnr) then
      return
    end
    if type(user_root) == "function" then
      return user_root(bufnr, on_dir)
    end
    on_dir(type(user_root) == "string" and user_root or vim.fs.root(bufnr, markers or { ".git" }))
  end
end

--- Whether ``client`` already serves the project of ``root`` (nil: no project), as Neovim's own
--- reuse of a client judges it (its workspace folders hold that root; none for none).
local function serves_root(client, root)
  local folders = client.workspace_folders or {}
  if root == nil then
    return #folders == 0
  end
  local uri = vim.uri_from_fname(root)
  for _, f in ipairs(folders) do
    if f.uri == uri then
      return true
    end
  end
  return false
end

--- A buffer just given its file type joins the running server now, where Neovim would have it
--- join on the loop's next turn (a root_dir function's start is scheduled): `:bufdo` and
--- `:argdo` load, edit and save each file in one command, and their saves came before the
--- attach and were never told to the server (6 of 6 files saved with `:bufdo ... | update`
--- not reviewed). Only a client initialized that serves the buffer's project already: a new
--- project's folder is still added by Neovim's start.
---@param bufnr integer
function M.attach_now(bufnr)
  if not (vim.lsp.config and vim.lsp.enable) or vim.bo[bufnr].buftype ~= "" or not document.may_serve(bufnr) then
    return
  end
  local cfg = vim.lsp.config[NAME]
  if not cfg or (cfg.filetypes and not vim.tbl_contains(cfg.filetypes, vim.bo[bufnr].filetype)) then
    return
  end
  local user_root = state.user_lsp_config and state.user_lsp_config.root_dir or (config.current.lsp or {}).root_dir
  if type(user_root) == "function" or #(vim.lsp.get_clients({ bufnr = bufnr, name = NAME })) > 0 then
    return
  end
  local root = type(user_root) == "string" and user_root or vim.fs.root(bufnr, cfg.root_markers or { ".git" })
  for _, client in ipairs(vim.lsp.get_clients({ name = NAME })) do
    if client.initialized and not util.is_stopped(client) and serves_root(client, root) then
      vim.lsp.buf_attach_client(bufnr, client.id)
      return
    end
  end
end

--- Start the server for one buffer it does not serve yet, as opening it would have.
function M.start_for(bufnr)
  if not (vim.lsp.config and vim.lsp.enable) or vim.bo[bufnr].filetype == "" then
    return M.start_legacy(bufnr)
  end
  pcall(api.nvim_exec_autocmds, "FileType", { group = "nvim.lsp.enable", buffer = bufnr, modeline = false })
end

return M
