--- :checkhealth deepseek_lsp
local M = {}

local util = require("deepseek_lsp.util")

local health = vim.health or require("health")
local start = health.start or health.report_start
local ok = health.ok or health.report_ok
local warn = health.warn or health.report_warn
local err = health.error or health.report_error
local info = health.info or health.report_info

local function resolve_cmd(cmd)
  if type(cmd) ~= "table" or type(cmd[1]) ~= "string" then
    return nil
  end
  local exe = vim.fn.exepath(cmd[1])
  return exe ~= "" and exe or nil
end

--- The server's problems with the settings in force (a bad value, an unknown key), each told
--- once in a message when given: gone from sight, :checkhealth said all was well while a
--- setting was ignored.
---@param client vim.lsp.Client
local function settings_problems(client)
  if util.is_stopped(client) or not client.initialized then
    return
  end
  local res
  if util.has_011 then
    res = client:request_sync("deepseek/debugState", {}, 2000)
  else
    res = client.request_sync("deepseek/debugState", {}, 2000)
  end
  local problems = res and not res.err and type(res.result) == "table" and res.result.settingsProblems
  if type(problems) ~= "table" then
    info("settings: the server did not say whether it took them (busy, or an older server)")
  elseif #problems == 0 then
    ok("settings: the server took them all")
  else
    for _, problem in ipairs(problems) do
      warn("settings: " .. tostring(problem), { "Fix it in setup({ settings = ... }) and call setup() again" })
    end
  end
end

function M.check()
  local plugin = require("deepseek_lsp")

  start("Neovim")
  local v = vim.version()
  local version = ("%d.%d.%d"):format(v.major, v.minor, v.patch)
  if vim.fn.has("nvim-0.10") ~= 1 then
    err("Neovim " .. version .. " is too old: deepseek_lsp needs 0.10 or later")
  elseif util.builtin_inline() then
    ok("Neovim " .. version .. ": built-in inline completion (vim.lsp.inline_completion)")
  else
    ok("Neovim " .. version .. ": ghost text drawn by this plugin (no built-in inline completion before 0.12)")
  end
  if not plugin._setup_done then
    warn('setup() was not called', { 'Add require("deepseek_lsp").setup({}) to your config' })
  else
    info("inline completions: " .. tostring(plugin._mode))
  end

  start("Server")
  local cfg = plugin.lsp_config()
  -- The command Neovim will run: the user's own vim.lsp.config or lsp/ file may give it.
  local cmd = plugin._setup_done and plugin.resolved_cmd() or cfg.cmd
  if type(cmd) == "function" then
    info("cmd is a function (a custom transport); not checked")
  else
    local exe = resolve_cmd(cmd)
    if not exe then
      err(("server command not found: %s"):format(table.concat(cmd or {}, " ")), {
        util.install_command() .. " (into a virtualenv on PATH), or set cmd in setup()",
      })
    else
      local found = ("server command: %s (%s)"):format(table.concat(cmd, " "), exe)
      local argv = vim.list_extend(vim.deepcopy(cmd), { "--version" })
      local done, res = pcall(function()
        return vim.system(argv, { text = true }):wait(5000)
      end)
      if done and res and res.code == 0 then
        ok(found)
        ok("version: " .. vim.trim(res.stdout or ""))
      elseif done and res and res.code == 124 and (res.signal or 0) ~= 0 then
        -- Killed at the time limit (vim.system says 124): slow, not broken. A busy machine's
        -- Python start took longer, and "exited with 124" was an error for a server that ran.
        warn(("%s, but `%s` did not answer within 5 s"):format(found, table.concat(argv, " ")), {
          "A slow start (a busy machine, a cold Python): the Client section below says whether it runs",
        })
      elseif done and res then
        -- A python3 without the server (cmd = python3 -m deepseek_lsp) is found on PATH, but the
        -- server cannot start: an OK for the command read as a working install.
        err(("%s, but `%s` exited with %s: %s"):format(found, table.concat(argv, " "), tostring(res.code), vim.trim(res.stderr or "")), {
          util.install_command() .. " into the Python that runs it, or set cmd in setup()",
        })
      else
        ok(found)
      end
    end
  end

  start("DeepSeek API")
  local deepseek_host, host_of = util.deepseek_host, util.host_of
  local section = plugin.section()
  -- The server's environment is Neovim's plus the config's cmd_env (a key given there only was
  -- reported as "not set").
  local cmd_env = plugin.lsp_config().cmd_env
  cmd_env = type(cmd_env) == "table" and cmd_env or {}
  -- A value of spaces alone is none, as the server reads a key.
  local function env(name)
    local v = cmd_env[name]
    if type(v) == "string" and vim.trim(v) ~= "" then
      return v, "lsp.cmd_env"
    end
    v = vim.env[name]
    if v and vim.trim(v) ~= "" then
      return v, "Neovim's environment"
    end
  end
  local function text_setting(camel, snake)
    for _, v in ipairs({ section[camel], section[snake] }) do
      if type(v) == "string" and vim.trim(v) ~= "" then
        return true
      end
    end
    return false
  end
  -- As the server reads a URL setting: an empty text is no value, spaces around it dropped.
  local function url_setting(camel, snake, env_name)
    local given = { section[camel], section[snake], (env(env_name)) }
    for i = 1, 3 do -- not ipairs: it stops at the first of them not given
      if type(given[i]) == "string" and vim.trim(given[i]) ~= "" then
        return vim.trim(given[i])
      end
    end
  end
  local base = url_setting("baseUrl", "base_url", "DEEPSEEK_BASE_URL") or "https://api.deepseek.com"
  -- Completions go to fimBaseUrl when it is set: the line showed baseUrl only, a server that
  -- never gets a completion request.
  local fim = url_setting("fimBaseUrl", "fim_base_url", "DEEPSEEK_FIM_BASE_URL")
  local backend = url_setting("backend", "backend", "DEEPSEEK_BACKEND")
  if fim and deepseek_host(base) and backend == "llamacpp-infill" then
    -- As the server's LlamaCppBackend.chat: with baseUrl left at DeepSeek's, reviews go to the
    -- llama-server too, and nothing to DeepSeek (its key was asked for, as an error).
    base = fim
  end
  if fim and fim:gsub("/+$", "") ~= base:gsub("/+$", "") then
    info("endpoint: " .. util.safe_url(base) .. " (reviews)")
    info("completion endpoint: " .. util.safe_url(fim) .. " (fimBaseUrl)")
  else
    info("endpoint: " .. util.safe_url(base))
  end
  local from_settings = text_setting("apiKey", "api_key")
  local key, key_from = env("DEEPSEEK_API_KEY")
  local fim_key_from = text_setting("fimApiKey", "fim_api_key") and "in settings.fimApiKey" or nil
  if not fim_key_from then
    local fim_key, where = env("DEEPSEEK_FIM_API_KEY")
    if fim_key then
      fim_key_from = ("DEEPSEEK_FIM_API_KEY in %s"):format(where)
    end
  end
  -- As the server's no_key_for_deepseek: DeepSeek alone wants a key, and fimApiKey is the key
  -- of a request to fimBaseUrl's host and port, DeepSeek's too.
  local function port_of(url)
    local authority = (url:match("^%a[%w+.-]*://([^/?#]*)") or ""):gsub("^.*@", "")
    return authority:match(":(%d+)$") or (url:match("^[Hh][Tt][Tt][Pp]:") and "80" or "443")
  end
  local function keyless(url)
    local fim_keyed = fim_key_from and fim and host_of(url) == host_of(fim) and port_of(url) == port_of(fim)
    return deepseek_host(url) and not fim_keyed
  end
  -- Never print the key, not even part of it.
  if from_settings then
    ok("API key: set (in settings.apiKey)")
  elseif key then
    ok(("API key: set (DEEPSEEK_API_KEY in %s)"):format(key_from))
  elseif not (keyless(base) or keyless(fim or base)) then
    -- Only DeepSeek's API refuses every request without one: a self-hosted server on another
    -- machine of the network (vLLM, Ollama) had this error for a setup that works.
    info("API key: not set (fine for a self-hosted server; a gateway such as OpenRouter needs one)")
  else
    err("API key: not set", {
      "export DEEPSEEK_API_KEY=... before starting Neovim (keeps it out of your config)",
    })
  end

  -- The completion server's own key (fimApiKey): the server sends it to fimBaseUrl's host and
  -- port only. Set or not and where from, never the key: a 401 from a vLLM or llama-server
  -- started with --api-key left no way to tell here whether the key reached the server.
  local fim_host = fim and util.safe_url(fim):match("^%a[%w+.-]*://([^/]+)") or nil
  if fim_key_from and fim then
    ok(("completion server key: set (%s, sent to %s only)"):format(fim_key_from, fim_host or util.safe_url(fim)))
  elseif fim_key_from then
    warn(("completion server key: set (%s) but fimBaseUrl is not: it is sent to no server"):format(fim_key_from), {
      "Set fimBaseUrl to the completion server that wants this key, or drop the key",
    })
  elseif fim and not deepseek_host(fim) then
    info("completion server key: not set (fine for a server started without one; vLLM's or llama-server's --api-key wants fimApiKey or DEEPSEEK_FIM_API_KEY)")
  end

  start("Client")
  local clients = (vim.lsp.get_clients or vim.lsp.get_active_clients)({ name = util.NAME })
  local problem = plugin._setup_done and plugin.start_problem()
  if #clients == 0 and plugin._start_failed then
    err("deepseek-lsp is not running: " .. plugin._start_failed, {
      "Run that command in a terminal (or see :LspLog) for its error, then :DeepSeekRestart",
    })
  elseif #clients == 0 and plugin._crashed then
    err("deepseek-lsp is not running: it " .. plugin._crashed, { "See :LspLog for why, then :DeepSeekRestart" })
  elseif #clients == 0 and problem then
    -- "Open a file" was the advice with files open: the command is what keeps it from running.
    err("deepseek-lsp is not running: " .. problem, { "See the Server section above" })
  elseif #clients == 0 then
    warn("deepseek-lsp is not running", { "Open a file; :LspInfo / :checkhealth vim.lsp show why a server did not start" })
  end
  local alt = vim.fn.bufnr("#")
  for _, client in ipairs(clients) do
    local n = vim.tbl_count(client.attached_buffers or {})
    local here = alt > 0 and (client.attached_buffers or {})[alt]
    ok(("client %d %s, attached to %s%s, position encoding %s"):format(
      client.id,
      util.is_stopped(client) and "stopped" or (client.initialized and "running" or "starting"),
      util.counted(n, "buffer"),
      here and " including the buffer you came from" or "",
      tostring(client.offset_encoding)
    ))
    local st = plugin.status(client.id)
    if not st then
      info("last status: none reported (Normal)")
    elseif st.kind == "Error" then
      err(("last status: Error: %s [%s]"):format(st.message, st.feature))
    elseif st.kind == "Warning" then
      warn(("last status: Warning: %s [%s]"):format(st.message, st.feature))
    else
      ok(("last status: %s%s"):format(st.kind, st.message ~= "" and (": " .. st.message) or ""))
    end
    settings_problems(client)
  end
end

return M
