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

local api = vim.api
local NAME = util.NAME

local M = {}

M.STATUS_NOTIFICATION = "deepseek/status"
M.USAGE_REQUEST = "deepseek/usage"
M.STATS_REQUEST = "deepseek/completionStats"
M.REVIEW_COMMAND = "deepseek.reviewFile"
M.UNIGNORE_COMMAND = "deepseek.review.unignoreAll"

---@class deepseek.Keymaps
---@field accept string|false
---@field accept_word string|false
---@field accept_line string|false
---@field next string|false
---@field prev string|false
---@field dismiss string|false
---@field suggest string|false

---@class deepseek.Options
M.defaults = {
  --- Command that starts the server; nil: `deepseek-lsp` if it is on PATH, else
  --- `python3 -m deepseek_lsp`.
  cmd = nil,
  --- Filetypes to attach to; nil: every buffer that is a file (`buftype` empty). The server
  --- decides per language and per file whether to complete (settings `completion.languages`,
  --- `exclude`), so all is a sensible default.
  filetypes = nil,
  root_markers = { ".git", ".hg", "pyproject.toml", "package.json", "Cargo.toml", "go.mod" },
  --- The `deepseek` settings section (camelCase keys, as in the VS Code extension), sent as
  --- initializationOptions and answered to workspace/configuration. `{ deepseek = {...} }` works too.
  settings = {},
  --- initializationOptions; nil: `{ deepseek = settings }`.
  init_options = nil,
  --- One server process per Neovim, whatever the project (saves memory); false: one per root.
  single_server = true,
  --- Inline completion UI: "auto" (built-in on 0.12+, ghost text otherwise), "builtin",
  --- "ghost", or false (no inline completions from this plugin).
  inline = "auto",
  --- Client-side debounce (ms) before asking for a completion while typing (ghost text mode).
  --- The server debounces too, adaptively.
  debounce = 30,
  --- Ask automatically while typing (ghost text mode); false: only on suggest / next / prev.
  auto_trigger = true,
  --- Highlight group of the ghost text (defaults to a link to Comment).
  hl_group = "DeepSeekSuggestion",
  --- Insert-mode keys; set one to false to leave it unmapped, or `keymaps = false` for none.
  --- A key with no suggestion shown does what it would without us (the user's mapping, else itself).
  ---@type deepseek.Keymaps|false
  keymaps = {
    accept = "<Tab>",
    accept_word = "<M-Right>",
    accept_line = "<M-C-Right>",
    next = "<M-]>",
    prev = "<M-[>",
    dismiss = "<C-]>",
    suggest = "<M-\\>",
  },
  --- Create :DeepSeekUsage, :DeepSeekReview, :DeepSeekUnignore, :DeepSeekStatus, :DeepSeekRestart.
  commands = true,
  --- Extra fields merged into the vim.lsp config (capabilities, on_attach, handlers...).
  lsp = {},
}

M.config = vim.deepcopy(M.defaults)
M._setup_done = false

---@type table<integer, {kind: string, message: string, feature: string, uri: string, time: integer}>
M._status = {}
--- Per client, the files the server said get no completions (uri -> Inactive status: excluded,
--- too large, language off). The server has one status, which moves on with the next file used:
--- back in an excluded file after typing in another, the statusline no longer said [off].
---@type table<integer, table<string, table>>
M._file_status = {}
M._last_status = nil
M._mode = nil -- "builtin" | "ghost" | "off"

-- -- configuration -------------------------------------------------------------------------------

--- Whether ``py`` can import the server. A python3 is nearly always on PATH: without the
--- server installed, `python3 -m deepseek_lsp` passed as a command that is there, and each file
--- opened said only "Client deepseek_lsp quit with exit code 1".
local function has_server_module(py)
  local ok, res = pcall(function()
    local probe = "import importlib.util, sys; sys.exit(importlib.util.find_spec('deepseek_lsp') is None)"
    return vim.system({ py, "-c", probe }, { text = true }):wait(5000)
  end)
  return ok and res ~= nil and res.code == 0
end

--- The fallback found by default_cmd(), probed once per setup() (it runs Python).
local python_cmd = nil

local function default_cmd()
  if vim.fn.executable("deepseek-lsp") == 1 then
    return { "deepseek-lsp" }
  end
  if python_cmd == nil then
    -- Not installed anywhere: `deepseek-lsp`, which start_problem() reports as missing.
    python_cmd = { "deepseek-lsp" }
    for _, py in ipairs({ "python3", "python" }) do
      if vim.fn.executable(py) == 1 and has_server_module(py) then
        python_cmd = { py, "-m", "deepseek_lsp" }
        break
      end
    end
  end
  return vim.deepcopy(python_cmd)
end

--- The `deepseek` section of the settings, whichever way it was given.
---@return table
function M.section()
  local s = M.config.settings or {}
  if type(s.deepseek) == "table" then
    return s.deepseek
  end
  return s
end

local function status_handler(err, result, ctx)
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
  M._status[ctx.client_id] = entry
  M._last_status = entry
  local files = M._file_status[ctx.client_id] or {}
  M._file_status[ctx.client_id] = files
  if entry.uri ~= "" then
    files[entry.uri] = entry.kind == "Inactive" and entry or nil
  elseif entry.kind == "Normal" and entry.feature == "completion" then
    -- Completions work again while in this buffer: what made this file Inactive is gone.
    files[vim.uri_from_bufnr(api.nvim_get_current_buf())] = nil
  end
  vim.schedule(function()
    pcall(api.nvim_exec_autocmds, "User", { pattern = "DeepSeekStatus", modeline = false, data = entry })
    pcall(vim.cmd, "redrawstatus")
  end)
end

--- Settings given by setup() again before the server first pulled them, by client id.
---@type table<integer, table>
M._pending_settings = {}
--- Clients whose server has pulled its settings at least once.
---@type table<integer, boolean>
M._pulled = {}

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
local function configuration_handler(err, params, ctx, config)
  local result, rerr = vim.lsp.handlers["workspace/configuration"](err, params, ctx, config)
  local id = ctx.client_id
  M._pulled[id] = true
  local pending = M._pending_settings[id]
  if pending then
    M._pending_settings[id] = nil
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
local function give_settings(client, settings)
  local id = client.id
  if M._pulled[id] then
    return push_settings(client, settings)
  end
  M._pending_settings[id] = settings
  vim.defer_fn(function()
    if M._pending_settings[id] == settings then
      M._pending_settings[id] = nil
      if not util.is_stopped(client) then
        push_settings(client, settings)
      end
    end
  end, PULL_WAIT_MS)
end

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

--- Why the server is not started any more: it exited before it answered `initialize`. A broken
--- install (a missing dependency, a Python too old) fails so on every file opened, and each
--- start added a "Client deepseek_lsp quit with exit code 1" and no word why.
---@type string?
M._start_failed = nil

--- Why the server that ran stopped (a crash mid-session), until it runs again.
---@type string?
M._crashed = nil

--- The timer of the :DeepSeekRestart under way (stopping the old server, then waiting for the new one).
---@type uv.uv_timer_t?
M._restart_timer = nil

local function on_exit(code, signal, client_id)
  local client = vim.lsp.get_client_by_id(client_id)
  -- Stopped on purpose (:DeepSeekRestart, :LspStop, a forced stop): the server's exit status
  -- after a SIGTERM is 143, which was told as a crash right after the user's own restart.
  local stopping = client ~= nil and client._is_stopping == true
  if client and client.initialized and not stopping and (code ~= 0 or (signal ~= 0 and signal ~= 15)) then
    -- Neovim says only "quit with exit code": the buffers it served had no suggestions and
    -- no reviews from then on, with no word how to get the server back short of a restart
    -- of Neovim (0.11 has no :LspRestart without nvim-lspconfig).
    M._crashed = ("stopped unexpectedly (exit code %d, signal %d)"):format(code, signal or 0)
    vim.schedule(function()
      util.notify_user("deepseek-lsp " .. M._crashed .. ": :DeepSeekRestart starts it again", vim.log.levels.WARN)
      pcall(vim.cmd, "redrawstatus!") -- statusline(): [stopped]
    end)
    return
  end
  -- A signal is someone stopping it (:LspStop, a kill), not a broken install.
  if code == 0 or not client or client.initialized or M._start_failed then
    return
  end
  for _, other in ipairs((vim.lsp.get_clients or vim.lsp.get_active_clients)({ name = NAME })) do
    if other.id ~= client_id and other.initialized and not util.is_stopped(other) then
      return -- running for another project: not a broken install
    end
  end
  local cmd = client.config and client.config.cmd
  local what = type(cmd) == "table" and ("`%s`"):format(table.concat(cmd, " ")) or "deepseek-lsp"
  M._start_failed = ("%s exited as it started (exit code %d)"):format(what, code)
  vim.schedule(function()
    if vim.lsp.config and vim.lsp.enable then
      pcall(vim.lsp.enable, NAME, false)
    end
    util.notify_user(
      M._start_failed .. ": not started again until :DeepSeekRestart or setup() again (run it in a terminal, or see :LspLog, for why)",
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
local function offer_menu(client)
  local caps = client.server_capabilities
  if type(caps) ~= "table" then
    return
  end
  if M._mode ~= "off" and caps.completionProvider ~= nil then
    menu_provider[client.id] = caps.completionProvider
    caps.completionProvider = nil
  elseif M._mode == "off" and menu_provider[client.id] ~= nil then
    caps.completionProvider = menu_provider[client.id]
    menu_provider[client.id] = nil
  end
end

--- ``first`` then the user's own (a function or a list of them, as vim.lsp.config takes).
local function chain(first, ...)
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
--- answers anyway, but say what this plugin handles). 0.11+ merges a partial table into its
--- defaults (and into `vim.lsp.config("*")`); 0.10 takes the table as the whole set.
function M.capabilities()
  local extra = { textDocument = { inlineCompletion = { dynamicRegistration = false } } }
  if util.has_011 then
    return extra
  end
  return vim.tbl_deep_extend("force", vim.lsp.protocol.make_client_capabilities(), extra)
end

---@return table the config given to vim.lsp.config / vim.lsp.start
function M.lsp_config()
  local c = M.config
  local section = M.section()
  local cfg = {
    name = NAME,
    cmd = c.cmd or default_cmd(),
    filetypes = c.filetypes,
    root_markers = c.root_markers,
    settings = { deepseek = section },
    init_options = c.init_options or { deepseek = section },
    handlers = { [M.STATUS_NOTIFICATION] = status_handler, ["workspace/configuration"] = configuration_handler },
    capabilities = M.capabilities(),
  }
  if c.single_server then
    cfg.reuse_client = reuse_client
  end
  cfg = vim.tbl_deep_extend("force", cfg, c.lsp or {})
  cfg.on_exit = chain(on_exit, (c.lsp or {}).on_exit)
  cfg.on_init = chain(offer_menu, (c.lsp or {}).on_init)
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

-- -- keymaps -------------------------------------------------------------------------------------

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
      return ("<Cmd>lua require('deepseek_lsp')._run_fallback(%d)<CR>"):format(#fallbacks)
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
local function del_keymaps(bufnr)
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

local function set_keymaps(bufnr)
  local km = M.config.keymaps
  if not km then
    return
  end
  local function cmd(fn)
    return ("<Cmd>lua require('deepseek_lsp').%s()<CR>"):format(fn)
  end
  if M._mode == "builtin" then
    local ic = vim.lsp.inline_completion
    map(bufnr, km.accept, "accept suggestion", function()
      return ic.get() and "" or nil
    end)
    map(bufnr, km.accept_word, "accept word", function()
      return M._builtin_partial("word") and "" or nil
    end)
    map(bufnr, km.accept_line, "accept line", function()
      return M._builtin_partial("line") and "" or nil
    end)
    map(bufnr, km.next, "next suggestion", function()
      return cmd("next")
    end)
    map(bufnr, km.prev, "previous suggestion", function()
      return cmd("prev")
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
  map(bufnr, km.next, "next suggestion", function()
    return cmd("next")
  end)
  map(bufnr, km.prev, "previous suggestion", function()
    return cmd("prev")
  end)
  map(bufnr, km.dismiss, "dismiss suggestion", function()
    return ghost.visible(bufnr) and cmd("dismiss") or nil
  end)
  map(bufnr, km.suggest, "suggest", function()
    return cmd("suggest")
  end)
end

-- -- attach ----------------------------------------------------------------------------------------

local function on_attach(client, bufnr)
  document.attached(bufnr)
  if M._mode == "ghost" then
    ghost.attach(bufnr)
  elseif M._mode == "builtin" then
    pcall(vim.lsp.inline_completion.enable, true, { bufnr = bufnr })
  end
  if M._mode ~= "off" then
    set_keymaps(bufnr)
  end
end

--- Undo what on_attach did under ``old_mode`` and do it again as the current config says.
local function reattach_ui(client, bufnr, old_mode)
  ghost.detach(bufnr)
  del_keymaps(bufnr)
  if old_mode == "builtin" and M._mode ~= "builtin" then
    pcall(vim.lsp.inline_completion.enable, false, { bufnr = bufnr })
  end
  on_attach(client, bufnr)
end

local function start_legacy(bufnr)
  -- Neovim 0.10: no vim.lsp.config / vim.lsp.enable.
  if vim.bo[bufnr].buftype ~= "" or M._start_failed or not document.may_serve(bufnr) then
    return
  end
  local c = M.config
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
local function served_root_dir(user_root, markers)
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

--- Start the server for one buffer it does not serve yet, as opening it would have.
local function start_for(bufnr)
  if not (vim.lsp.config and vim.lsp.enable) or vim.bo[bufnr].filetype == "" then
    return start_legacy(bufnr)
  end
  pcall(api.nvim_exec_autocmds, "FileType", { group = "nvim.lsp.enable", buffer = bufnr, modeline = false })
end

local function is_list(v, elem_ok)
  if type(v) ~= "table" then
    return false
  end
  for k, x in pairs(v) do
    if type(k) ~= "number" or not elem_ok(x) then
      return false
    end
  end
  return true
end

local function is_string(x)
  return type(x) == "string" and x ~= ""
end

local function is_boolean(x)
  return type(x) == "boolean"
end

local function is_table(x)
  return type(x) == "table"
end

--- What each option must be: {description, test}.
local CHECKS = {
  cmd = { "a list of strings or a function", function(v)
    return type(v) == "function" or (is_list(v, is_string) and #v > 0)
  end },
  filetypes = { "a list of filetypes", function(v)
    return is_list(v, is_string)
  end },
  root_markers = { "a list of file names", function(v)
    return is_list(v, function(x)
      return is_string(x) or is_list(x, is_string)
    end)
  end },
  settings = { "a table", is_table },
  init_options = { "a table", is_table },
  single_server = { "true or false", is_boolean },
  inline = { '"auto", "builtin", "ghost" or false', function(v)
    return v == false or v == "auto" or v == "builtin" or v == "ghost"
  end },
  debounce = { "a number of milliseconds", function(v)
    return type(v) == "number" and v >= 0
  end },
  auto_trigger = { "true or false", is_boolean },
  hl_group = { "a highlight group name", is_string },
  keymaps = { "a table of keys, or false", function(v)
    return v == false or is_table(v)
  end },
  commands = { "true or false", is_boolean },
  lsp = { "a table", is_table },
}

--- The options with every bad one left out (so its default applies), and what was wrong.
---@return table opts, string[] problems
local function validate(opts)
  if type(opts) ~= "table" then
    return {}, { ("setup() takes a table of options, got %s"):format(type(opts)) }
  end
  local clean, problems = {}, {}
  for k, v in pairs(opts) do
    local check = CHECKS[k]
    if not check then
      problems[#problems + 1] = ("unknown option %s"):format(vim.inspect(k))
    elseif not check[2](v) then
      problems[#problems + 1] = ("%s must be %s, got %s"):format(k, check[1], vim.inspect(v))
    elseif k == "keymaps" and v then
      local keys = {}
      for name, key in pairs(v) do
        if M.defaults.keymaps[name] == nil then
          problems[#problems + 1] = ("unknown keymap %s"):format(vim.inspect(name))
        elseif key ~= false and not is_string(key) then
          problems[#problems + 1] = ("keymaps.%s must be a key or false, got %s"):format(name, vim.inspect(key))
        else
          keys[name] = key
        end
      end
      clean.keymaps = keys
    else
      clean[k] = v
    end
  end
  return clean, problems
end

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
  opts, problems = validate(opts or {})
  if #problems > 0 then
    util.notify_user("setup(): " .. table.concat(problems, "; ") .. " (the defaults are used for these)", vim.log.levels.ERROR)
  end
  local old_section = vim.deepcopy(M.section())
  python_cmd = nil -- installed since the last setup()?
  M._start_failed, M._crashed = nil, nil -- mended since?
  local keymaps = opts.keymaps
  M.config = vim.tbl_deep_extend("force", vim.deepcopy(M.defaults), opts)
  if keymaps == false then
    M.config.keymaps = false
  end
  if opts.settings ~= nil then
    M.config.settings = opts.settings -- replace, do not merge with the (empty) default
  end
  local c = M.config

  local inline = c.inline
  if inline == "auto" then
    inline = util.builtin_inline() and "builtin" or "ghost"
  elseif inline == "builtin" and not util.builtin_inline() then
    inline = "ghost"
  elseif inline == false then
    inline = "off"
  end
  local old_mode = M._mode
  M._mode = inline
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
        on_attach(client, args.buf)
      end
    end,
  })
  api.nvim_create_autocmd("LspDetach", {
    group = group,
    callback = function(args)
      local client = vim.lsp.get_client_by_id(args.data and args.data.client_id or -1)
      if client and client.name == NAME then
        ghost.detach(args.buf)
        del_keymaps(args.buf)
        document.detached(args.buf)
      end
    end,
  })
  api.nvim_create_autocmd("ColorScheme", {
    group = group,
    callback = function()
      api.nvim_set_hl(0, "DeepSeekSuggestion", { link = "Comment", default = true })
      api.nvim_set_hl(0, "DeepSeekSuggestionCount", { link = "NonText", default = true })
    end,
  })

  if c.commands then
    M.create_commands()
  end
  macro.setup()
  document.setup(group, start_for)

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
      local problem = M.start_problem()
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
    if M._user_lsp_config == nil then
      M._user_lsp_config = vim.deepcopy(type(configs) == "table" and configs[NAME] or {})
    end
    local ours = M.lsp_config()
    ours.on_exit = chain(on_exit, (M.config.lsp or {}).on_exit, M._user_lsp_config.on_exit)
    ours.on_init = chain(offer_menu, (M.config.lsp or {}).on_init, M._user_lsp_config.on_init)
    -- The command found on PATH is only a default: a `cmd` the user gave Neovim for this server
    -- (vim.lsp.config("deepseek_lsp", {cmd = ...}) before setup(), or an lsp/deepseek_lsp.lua
    -- on the runtimepath) was replaced by it. setup({cmd = ...}) still wins over both.
    local default = c.cmd == nil and not (c.lsp and c.lsp.cmd)
    if default then
      ours.cmd = nil
    end
    if type(configs) == "table" then
      vim.lsp.config[NAME] = vim.tbl_deep_extend("force", M._user_lsp_config, ours)
    else
      vim.lsp.config(NAME, ours)
    end
    if default and vim.lsp.config[NAME].cmd == nil then
      vim.lsp.config(NAME, { cmd = default_cmd() })
    end
    -- Wrapped as Neovim resolves it, so that a root_dir from an lsp/deepseek_lsp.lua still decides.
    local resolved = vim.lsp.config[NAME]
    vim.lsp.config(NAME, { root_dir = served_root_dir(resolved.root_dir, resolved.root_markers) })
    vim.lsp.enable(NAME)
  else
    api.nvim_create_autocmd("FileType", {
      group = group,
      callback = function(args)
        start_legacy(args.buf)
      end,
    })
    for _, buf in ipairs(api.nvim_list_bufs()) do
      if api.nvim_buf_is_loaded(buf) and vim.bo[buf].filetype ~= "" then
        start_legacy(buf)
      end
    end
  end
  if not c.filetypes then
    -- Servers start on FileType, which never fires for a file whose type
    -- is not detected: those files got no server although filetypes = nil means "all".
    api.nvim_create_autocmd({ "BufReadPost", "BufNewFile" }, {
      group = group,
      callback = function(args)
        vim.schedule(function()
          if api.nvim_buf_is_valid(args.buf) and vim.bo[args.buf].filetype == "" and api.nvim_buf_get_name(args.buf) ~= "" then
            start_legacy(args.buf)
          end
        end)
      end,
    })
  end
  -- A running server gets new settings (setup() again "to change options"): it pulls them on
  -- workspace/didChangeConfiguration, and the client answers from client.settings.
  local settings = M.lsp_config().settings
  if not vim.deep_equal(M.section(), old_section) then
    M._file_status = {} -- new settings (exclusions, languages...): what was said of files may be over
  end
  for _, client in ipairs((vim.lsp.get_clients or vim.lsp.get_active_clients)({ name = NAME })) do
    if not util.is_stopped(client) then
      give_settings(client, settings)
      if client.initialized then
        offer_menu(client) -- inline = false gives the menu back; inline on takes it
      end
      -- The buffers it is attached to take the new keymaps and inline mode now: they were set
      -- on attach only, so `inline = false` left the ghost text on and a new accept key unmapped.
      for bufnr in pairs(client.attached_buffers or {}) do
        if api.nvim_buf_is_valid(bufnr) then
          reattach_ui(client, bufnr, old_mode)
        end
      end
    end
  end
  M._setup_done = true
end

-- -- inline completion actions -----------------------------------------------------------------

-- Each action has two ways: Neovim's own inline completion (0.12+, ``M._mode == "builtin"``)
-- and this plugin's ghost text.
local function action(builtin, own)
  return function()
    if M._mode == "builtin" then
      return builtin()
    end
    return own()
  end
end

--- Accept the shown suggestion; false if there was none (for your own <Tab> mapping).
M.accept = action(function()
  return vim.lsp.inline_completion.get()
end, function()
  return ghost.accept()
end)

M.accept_word = action(function()
  return M._builtin_partial("word")
end, function()
  return ghost.accept_partial("word")
end)

M.accept_line = action(function()
  return M._builtin_partial("line")
end, function()
  return ghost.accept_partial("line")
end)

M.next = action(function()
  return vim.lsp.inline_completion.select({ count = 1 })
end, function()
  return ghost.cycle(1)
end)

M.prev = action(function()
  return vim.lsp.inline_completion.select({ count = -1 })
end, function()
  return ghost.cycle(-1)
end)

function M.dismiss()
  if M._mode == "builtin" then
    -- 0.12 has no dismiss: leaving the completion state is what hides it.
    return false
  end
  return ghost.dismiss()
end

--- Ask now, for several choices (Invoked).
function M.suggest()
  if M._mode == "ghost" then
    return ghost.request(0, true)
  end
end

--- Whether a suggestion is shown in the current buffer (ghost text mode).
function M.visible()
  return M._mode == "ghost" and ghost.visible(0)
end

--- 0.12: accept the next word/line of the built-in suggestion through `get({on_accept})`.
function M._builtin_partial(kind)
  local ic = vim.lsp.inline_completion
  local bufnr = api.nvim_get_current_buf()
  return ic.get({
    on_accept = function(item)
      local text = type(item.insert_text) == "string" and item.insert_text or (item.insert_text or {}).value
      if type(text) ~= "string" then
        return
      end
      local win = api.nvim_get_current_win()
      local cur = api.nvim_win_get_cursor(win)
      local crow, ccol = cur[1] - 1, cur[2]
      local typed = ""
      local ok, start = pcall(function()
        return item.range and item.range.start:to_extmark()
      end)
      if ok and type(start) == "table" and start[1] == crow and start[2] <= ccol then
        typed = util.line(bufnr, crow):sub(start[2] + 1, ccol)
      end
      if text:sub(1, #typed) ~= typed then
        typed = ""
      end
      local rest = text:sub(#typed + 1)
      local chunk = kind == "word" and ghost.next_word(rest) or ghost.next_line(rest)
      if not chunk or chunk == "" then
        return
      end
      local lines = vim.split(chunk, "\n", { plain = true })
      api.nvim_buf_set_text(bufnr, crow, ccol, crow, ccol, lines)
      api.nvim_win_set_cursor(win, { crow + #lines, (#lines == 1 and ccol or 0) + #lines[#lines] })
      local client = vim.lsp.get_client_by_id(item.client_id)
      if client then
        util.notify(client, ghost.PARTIAL, {
          item = { insertText = text, command = item.command },
          acceptedLength = util.units(typed .. chunk, "utf-16"),
        })
      end
    end,
  })
end

-- -- status, usage, review ---------------------------------------------------------------------------

--- The last `deepseek/status` (for a client id, or the latest from any client).
function M.status(client_id)
  if client_id then
    return M._status[client_id]
  end
  return M._last_status
end

--- The status that applies to ``bufnr``: the server's last one unless it is about another file
--- or Normal, else this file's own Inactive (excluded, too large...).
---@return table?
function M.buffer_status(client_id, bufnr)
  local uri = vim.uri_from_bufnr(bufnr)
  local st = M._status[client_id]
  if st and st.uri ~= "" and st.uri ~= uri then
    st = nil -- about another file (that one is excluded, too large...): not this buffer's
  end
  if not st or st.kind == "Normal" then
    st = (M._file_status[client_id] or {})[uri] or st
  end
  return st
end

--- Whether ``bufnr`` would be served but the server crashed or cannot start. Told once in a
--- message, which scrolls away: the statusline went blank as if the plugin were not there.
---@param bufnr integer
---@return boolean
function M._stopped_here(bufnr)
  if not (M._crashed or M._start_failed) then
    return false
  end
  if vim.bo[bufnr].buftype ~= "" or api.nvim_buf_get_name(bufnr) == "" then
    return false
  end
  local fts = M.config.filetypes
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
  local st = M.buffer_status(client.id, bufnr)
  if st and st.kind == "Error" then
    return icon .. " [error]"
  elseif st and st.kind == "Warning" then
    return icon .. " [warning]"
  elseif st and st.kind == "Inactive" then
    return icon .. " [off]"
  end
  if M._mode == "ghost" and ghost.busy(bufnr) then
    return icon .. " ..."
  end
  return icon
end

local function any_client()
  return util.get_client(api.nvim_get_current_buf()) or util.get_client(nil)
end

--- Show lines in a small floating window (or echo them without a UI).
--- Where the info float goes: centred, as wide as its widest line and ``rows`` high.
local function float_place(lines, rows)
  local width = 20
  for _, l in ipairs(lines) do
    width = math.max(width, vim.fn.strdisplaywidth(l))
  end
  width = math.min(width + 2, math.max(20, vim.o.columns - 4))
  local height = math.min(rows or #lines, math.max(1, vim.o.lines - 4))
  return {
    relative = "editor",
    row = math.max(0, math.floor((vim.o.lines - height) / 2) - 1),
    col = math.max(0, math.floor((vim.o.columns - width) / 2)),
    width = width,
    height = height,
  }
end

--- Lines wider than the screen wrap (a long root path, a narrow Neovim): one row per line
--- cut the last lines off.
local function float_fit(win, lines)
  local rows = api.nvim_win_text_height(win, {}).all
  if rows > #lines then
    api.nvim_win_set_config(win, float_place(lines, rows))
  end
end

function M.show(title, lines)
  if #api.nvim_list_uis() == 0 then
    for _, l in ipairs(lines) do
      print(l)
    end
  end
  local buf = api.nvim_create_buf(false, true)
  api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.bo[buf].modifiable = false
  vim.bo[buf].bufhidden = "wipe"
  vim.bo[buf].filetype = "deepseek_lsp_info"
  local win = api.nvim_open_win(buf, true, vim.tbl_extend("force", float_place(lines), {
    style = "minimal",
    border = "rounded",
    title = " " .. title .. " ",
    title_pos = "center",
  }))
  vim.wo[win].wrap = true
  float_fit(win, lines)
  for _, key in ipairs({ "q", "<Esc>" }) do
    vim.keymap.set("n", key, function()
      pcall(api.nvim_win_close, win, true)
    end, { buffer = buf, nowait = true, silent = true })
  end
  api.nvim_create_autocmd("WinLeave", {
    buffer = buf,
    once = true,
    callback = function()
      pcall(api.nvim_win_close, win, true)
    end,
  })
  return buf, win
end

--- New lines for a float M.show() opened, if it is still open.
local function refill(buf, win, lines)
  if not (api.nvim_buf_is_valid(buf) and api.nvim_win_is_valid(win)) then
    return
  end
  vim.bo[buf].modifiable = true
  api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.bo[buf].modifiable = false
  api.nvim_win_set_config(win, float_place(lines))
  float_fit(win, lines)
end

--- Dollars with 4 decimals; a spend too small for them is not "$0.0000" (read as nothing spent).
local function usd(x)
  x = tonumber(x) or 0
  if x > 0 and x < 0.0001 then
    return "<$0.0001"
  end
  return ("$%.4f"):format(x)
end

--- What totals cost: requests a gateway billed without saying what (a LiteLLM stream) are
--- "unknown", never "$0.0000", which read as free, and a figure estimated in part at list
--- prices reads "~$0.0123", not as the gateway's bill (as `deepseek-lsp usage` says it).
local function cost(t)
  local unknown = tonumber(t.unknown_cost) or 0
  local figure = ((tonumber(t.estimated_usd) or 0) > 0 and "~" or "") .. usd(t.cost_usd)
  if unknown == 0 then
    return figure
  end
  return (tonumber(t.cost_usd) or 0) > 0 and (figure .. " + unknown") or "cost unknown"
end

--- Lines describing a `deepseek/usage` answer.
function M.usage_lines(u)
  local lines = {}
  local function scope(label, data)
    if type(data) ~= "table" then
      return
    end
    local t = data.total or {}
    lines[#lines + 1] = ("%s: %s  %s  %s in (%s cached)  %s out"):format(
      label,
      cost(t),
      util.counted(t.requests, "request"),
      util.counted(t.prompt_tokens, "token"),
      util.fmt_int(t.cache_hit_tokens),
      util.fmt_int(t.output_tokens)
    )
    for model, m in pairs(data.models or {}) do
      lines[#lines + 1] = ("  %-22s %s  %s req  %s in  %s out"):format(
        model,
        cost(m),
        util.fmt_int(m.requests),
        util.fmt_int(m.prompt_tokens),
        util.fmt_int(m.output_tokens)
      )
    end
  end
  scope("Today (" .. tostring((u.today or {}).day or "?") .. ")", u.today)
  scope("Month (" .. tostring((u.month or {}).month or "?") .. ")", u.month)
  scope("This session", u.session)
  if type(u.budget) == "table" then
    -- Budgets under a cent are set (a free tier, a test): "$0.00" read as "no budget".
    local under_way = tonumber(u.budget.under_way_usd) or 0
    -- Reserved by requests in flight: without it the remaining figure looked too low.
    local held = under_way > 0 and (", up to %s in requests under way"):format(usd(under_way)) or ""
    -- Spent in part at list prices (a gateway that told no cost): said as the estimate it is.
    local estimated = tonumber(u.budget.estimated_usd) or 0
    local spent = estimated > 0
        and (", spent ~%s (%s of it estimated)"):format(usd(u.budget.spent_today_usd), usd(estimated))
      or ""
    lines[#lines + 1] = ("Daily budget: %s%s%s, remaining %s"):format(
      usd(u.budget.daily_usd),
      spent,
      held,
      usd(u.budget.remaining_usd)
    )
  end
  if type(u.unpriced_models) == "table" and #u.unpriced_models > 0 then
    lines[#lines + 1] = "No price known for: " .. table.concat(u.unpriced_models, ", ")
  end
  if type(u.estimated_cost_models) == "table" and #u.estimated_cost_models > 0 then
    lines[#lines + 1] = "Cost estimated (~) for requests to "
      .. table.concat(u.estimated_cost_models, ", ")
      .. ": "
      -- The server's words (usage_feature.ESTIMATED_COST_HINT): what the estimate is, what to do.
      .. tostring(u.estimated_cost_hint or "billed by a gateway that did not say what; estimated at DeepSeek's list price")
  end
  if type(u.unknown_cost_models) == "table" and #u.unknown_cost_models > 0 then
    lines[#lines + 1] = "Cost unknown for requests to "
      .. table.concat(u.unknown_cost_models, ", ")
      .. ": "
      -- The server's words (usage_feature.UNKNOWN_COST_HINT): what to do, with the settings' names.
      .. tostring(u.unknown_cost_hint or "billed by a gateway that did not say what")
  end
  return lines
end

--- Ask the server for the usage ledger; callback(err, summary).
function M.usage(callback)
  local client = any_client()
  if not client then
    callback("deepseek-lsp is not running")
    return
  end
  util.ask(client, M.USAGE_REQUEST, vim.empty_dict(), callback)
end

--- How long :DeepSeekUsage and :DeepSeekStatus wait for the server's answer before their float
--- opens saying so, and before it says the server has not answered at all.
M.ANSWER_WAIT_MS, M.ANSWER_GIVE_UP_MS = 1500, 10000

--- Ask ``client`` for ``method`` and show the answer in a float titled ``title``, its lines
--- ``lines(err, result)``, or ``lines(nil, nil, note)`` while there is no answer. A server under
--- load answers late: the float opens after M.ANSWER_WAIT_MS saying so, says it again once
--- M.ANSWER_GIVE_UP_MS have gone by without one, and is filled in when the answer comes. (The
--- usage float opened with the answer only: a busy or hung server's :DeepSeekUsage showed nothing.)
local function show_answer(client, method, title, lines)
  local answered, buf, win = false, nil, nil
  local function put(text)
    if buf then
      refill(buf, win, text)
    else
      buf, win = M.show(title, text)
    end
  end
  util.ask(client, method, vim.empty_dict(), function(err, result)
    vim.schedule(function()
      answered = true
      put(lines(err, result))
    end)
  end)
  local function unless_answered(ms, note)
    vim.defer_fn(function()
      if answered then
        return
      end
      -- A server that exits with the request pending never answers it.
      put(lines(nil, nil, util.is_stopped(client) and "the server stopped before it answered (see :DeepSeekStatus)" or note))
    end, ms)
  end
  unless_answered(M.ANSWER_WAIT_MS, ("the server has not answered in %s s (busy, or starting); shown here when it does"):format(M.ANSWER_WAIT_MS / 1000))
  unless_answered(M.ANSWER_GIVE_UP_MS, ("the server has not answered in %s s: busy with a long task, or stuck (:DeepSeekRestart restarts it); shown here if it does"):format(M.ANSWER_GIVE_UP_MS / 1000))
end

function M.show_usage()
  local client = any_client()
  if not client then
    util.notify_user("usage: deepseek-lsp is not running", vim.log.levels.WARN)
    return
  end
  show_answer(client, M.USAGE_REQUEST, "DeepSeek usage", function(err, summary, note)
    if err or note then
      return { ("Usage not available%s: %s"):format(err and "" or " yet", err or note) }
    end
    return M.usage_lines(type(summary) == "table" and summary or {})
  end)
end

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

--- Review a buffer now (`deepseek.reviewFile`); callback(err, result) with the server's answer.
function M.review(bufnr, callback)
  bufnr = (bufnr == nil or bufnr == 0) and api.nvim_get_current_buf() or bufnr
  local client = util.get_client(bufnr)
  callback = callback
    or function(err, result)
      if err then
        util.notify_user("review failed: " .. err, vim.log.levels.WARN)
        return
      end
      local msg, level = M.review_report(result)
      if msg then
        util.notify_user(msg, level)
      end
    end
  if not client then
    callback("deepseek-lsp is not attached to this buffer")
    return
  end
  util.ask(client, "workspace/executeCommand", {
    command = M.REVIEW_COMMAND,
    arguments = { vim.uri_from_bufnr(bufnr) },
  }, callback, bufnr)
end

--- Lines for :DeepSeekStatus: with the server's counters (``deepseek/completionStats``), or
--- ``missing`` saying why they are not there.
---@param stats table?
---@param missing string?
function M.status_lines(stats, missing)
  local lines = {}
  local bufnr = api.nvim_get_current_buf()
  local clients = (vim.lsp.get_clients or vim.lsp.get_active_clients)({ name = NAME })
  if #clients == 0 then
    local c = M.config
    local is_file = vim.bo[bufnr].buftype == "" and api.nvim_buf_get_name(bufnr) ~= ""
    local problem = is_file and M.start_problem()
    if M._start_failed then
      lines[#lines + 1] = ("deepseek-lsp is not running: %s (see :LspLog; :DeepSeekRestart retries)."):format(M._start_failed)
    elseif M._crashed then
      lines[#lines + 1] = ("deepseek-lsp is not running: it %s (see :LspLog; :DeepSeekRestart starts it again)."):format(M._crashed)
    elseif problem then
      lines[#lines + 1] = ("deepseek-lsp is not running: %s (see :checkhealth deepseek_lsp)."):format(problem)
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
    local st = M._status[client.id]
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
    local own = M.buffer_status(client.id, bufnr)
    if own and own ~= st then
      lines[#lines + 1] = ("  this file: %s%s"):format(own.kind, own.message ~= "" and ": " .. own.message or "")
    end
  end
  local why = #clients > 0 and document.why_not_served(bufnr, M.config.filetypes)
  if why then
    -- The statusline is blank there, as in a buffer the plugin does not know: say why.
    lines[#lines + 1] = "  this buffer is not served: " .. why
  end
  local mode = ({ builtin = "built-in vim.lsp.inline_completion", ghost = "ghost text (extmarks)", off = "off" })[M._mode or "off"]
  lines[#lines + 1] = "Inline completions: " .. tostring(mode)
  if M._mode == "ghost" then
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
    lines[#lines + 1] = ("Server: %s, %s shown, %s accepted, %s partly; p50 %s ms"):format(
      util.counted(stats.requests, "request"),
      tostring(stats.shown),
      tostring(stats.accepted),
      tostring(stats.partiallyAccepted),
      tostring(lat.p50 ~= vim.NIL and lat.p50 or "-")
    )
  elseif missing and #clients > 0 then
    lines[#lines + 1] = "Server: counters " .. missing
  end
  return lines
end

function M.show_status()
  local client = any_client()
  if not client then
    M.show("DeepSeek status", M.status_lines(nil))
    return
  end
  -- Without the server's answer the float still opens, saying why the counters are not there
  -- (the line was left out, as if there were none).
  show_answer(client, M.STATS_REQUEST, "DeepSeek status", function(err, stats, note)
    return M.status_lines(not err and stats or nil, err and ("not available: " .. err) or note and ("not available yet: " .. note))
  end)
end

--- Stop the server and start it again for every buffer it serves (and those it served before
--- it crashed or failed to start). What a server that stopped unexpectedly needs: Neovim
--- starts one only when a file's type is set.
function M.restart()
  M._start_failed, M._crashed = nil, nil
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
      local untyped = vim.bo[buf].filetype == "" and not M.config.filetypes and api.nvim_buf_get_name(buf) ~= ""
      if api.nvim_buf_is_loaded(buf) and (untyped or not (vim.lsp.config and vim.lsp.enable)) then
        start_legacy(buf)
      end
    end
    return true
  end
  local function will_serve()
    for _, buf in ipairs(api.nvim_list_bufs()) do
      if api.nvim_buf_is_loaded(buf) and not document.why_not_served(buf, M.config.filetypes) then
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
    if M._start_failed or M._crashed then
      return #clients == 0 -- told as it happened
    end
    if #clients > 0 or will_serve() then
      return false -- a root_dir function starts its client on a later tick
    end
    util.notify_user("deepseek-lsp stopped; it starts again when a file of a type it serves is opened")
    return true
  end
  if M._restart_timer and not M._restart_timer:is_closing() then
    M._restart_timer:close() -- a second :DeepSeekRestart takes over from the first
  end
  util.notify_user("deepseek-lsp restarting…")
  -- The old clients go asynchronously; a new one started before they are gone would be reused.
  local timer = vim.uv.new_timer()
  M._restart_timer = timer
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
  util.ask(client, "workspace/executeCommand", { command = M.UNIGNORE_COMMAND, arguments = arguments }, function(err, result)
    if err then
      util.notify_user("showing ignored findings failed: " .. err, vim.log.levels.WARN)
    else
      local where = named and "this project" or "the workspace"
      util.notify_user(("%s shown again in %s"):format(util.counted(result, "ignored finding"), where))
    end
  end, bufnr)
end

function M.create_commands()
  api.nvim_create_user_command("DeepSeekUsage", function()
    M.show_usage()
  end, { desc = "DeepSeek: today's and this month's cost and tokens" })
  api.nvim_create_user_command("DeepSeekReview", function()
    M.review(0)
  end, { desc = "DeepSeek: review the current buffer now" })
  api.nvim_create_user_command("DeepSeekUnignore", function()
    M.unignore(0)
  end, { desc = "DeepSeek: show the review findings ignored in this buffer's project again" })
  api.nvim_create_user_command("DeepSeekStatus", function()
    M.show_status()
  end, { desc = "DeepSeek: server and completion status" })
  api.nvim_create_user_command("DeepSeekRestart", function()
    M.restart()
  end, { desc = "DeepSeek: stop the language server and start it again for the open buffers" })
end

return M
