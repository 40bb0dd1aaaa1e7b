--- Small helpers shared by the plugin: client lookup, version-independent client calls, and
--- position-encoding arithmetic (Neovim 0.11 negotiates utf-8 with deepseek-lsp, other setups
--- may use utf-16 or utf-32).
local M = {}

M.NAME = "deepseek_lsp"
M.has_011 = vim.fn.has("nvim-0.11") == 1

--- Neovim's own inline completion UI (0.12+), or nil. Nightlies before 0.12 had a module of
--- that name without enable() and select(): taken for the built-in UI, it showed nothing (the
--- enable call failed) and <M-]> raised an error, where the ghost text would have worked.
---@return table?
function M.builtin_inline()
  local ok, ic = pcall(function()
    return vim.lsp.inline_completion
  end)
  if ok and type(ic) == "table" and type(ic.enable) == "function" and type(ic.get) == "function" and type(ic.select) == "function" then
    return ic
  end
end

---@param bufnr integer?
---@return vim.lsp.Client?
function M.get_client(bufnr)
  local get = vim.lsp.get_clients or vim.lsp.get_active_clients
  local filter = { name = M.NAME }
  if bufnr then
    filter.bufnr = bufnr == 0 and vim.api.nvim_get_current_buf() or bufnr
  end
  return get(filter)[1]
end

--- Whether suggestions are asked for while typing in ``bufnr``: `vim.b.deepseek_completion`
--- (`:DeepSeekToggle`) when set, else `vim.g.deepseek_completion`; false or 0 turns them off, as
--- copilot.vim's `b:copilot_enabled` / `g:copilot_enabled` do (Vimscript's `let
--- g:deepseek_completion = 0` reads as the number 0, which Lua takes as true: suggestions stayed
--- on). Asking (suggest, next) still works.
---@param bufnr integer
---@return boolean
function M.completion_on(bufnr)
  local said = vim.b[bufnr].deepseek_completion
  if said == nil then
    said = vim.g.deepseek_completion
  end
  return said ~= false and said ~= 0
end

--- The client of the current buffer, else any: usage and counters are the server's, not a file's.
---@return vim.lsp.Client?
function M.any_client()
  return M.get_client(vim.api.nvim_get_current_buf()) or M.get_client(nil)
end

--- ``client:request`` on 0.11+, ``client.request`` on 0.10.
function M.request(client, method, params, handler, bufnr)
  if M.has_011 then
    return client:request(method, params, handler, bufnr)
  end
  return client.request(method, params, handler, bufnr)
end

--- ``M.request`` whose ``callback(err, result)`` is called once whatever happens, ``err`` a
--- string: a client that is stopping (its transport closing) refuses a request, returning false,
--- and never calls its handler, so a command waiting for the answer said nothing at all.
function M.ask(client, method, params, callback, bufnr)
  local sent = M.request(client, method, params, function(err, result)
    callback(err and (err.message or vim.inspect(err)) or nil, result)
  end, bufnr)
  if not sent then
    callback("the server did not take the request (it is stopping or restarting)")
  end
  return sent
end

function M.notify(client, method, params)
  if M.has_011 then
    return client:notify(method, params)
  end
  return client.notify(method, params)
end

function M.cancel(client, id)
  if not (client and id) then
    return
  end
  if M.has_011 then
    pcall(client.cancel_request, client, id)
  else
    pcall(client.cancel_request, id)
  end
end

function M.is_stopped(client)
  if M.has_011 then
    return client:is_stopped()
  end
  return client.is_stopped()
end

--- Length of a UTF-8 string in units of ``encoding`` (utf-8: bytes, utf-16: code units,
--- utf-32: code points). Invalid bytes count as one unit each.
---@param s string
---@param encoding string?
---@return integer
function M.units(s, encoding)
  if encoding == "utf-8" then
    return #s
  end
  local n, i, len = 0, 1, #s
  while i <= len do
    local b = s:byte(i)
    local w = (b >= 0xF0 and b <= 0xF7) and 4 or (b >= 0xE0 and b < 0xF0) and 3 or (b >= 0xC0 and b < 0xE0) and 2 or 1
    n = n + ((w == 4 and encoding ~= "utf-32") and 2 or 1)
    i = i + w
  end
  return n
end

--- Byte column (0-based) in ``line`` of a position ``units`` code units in (``encoding``).
---@param line string
---@param units integer
---@param encoding string?
---@return integer
function M.byte_col(line, units, encoding)
  if encoding == "utf-8" then
    return math.min(units, #line)
  end
  local n, i, len = 0, 1, #line
  while i <= len and n < units do
    local b = line:byte(i)
    local w = (b >= 0xF0 and b <= 0xF7) and 4 or (b >= 0xE0 and b < 0xF0) and 3 or (b >= 0xC0 and b < 0xE0) and 2 or 1
    n = n + ((w == 4 and encoding ~= "utf-32") and 2 or 1)
    i = i + w
  end
  return math.min(i - 1, len)
end

---@param bufnr integer
---@param row integer 0-based
---@return string
function M.line(bufnr, row)
  return vim.api.nvim_buf_get_lines(bufnr, row, row + 1, false)[1] or ""
end

--- Expand tabs for virtual text (virtual text has no columns to expand them against).
---@param s string
---@param start_col integer display column the text starts at
---@param ts integer tabstop
function M.expand_tabs(s, start_col, ts)
  if not s:find("\t", 1, true) then
    return s
  end
  ts = ts > 0 and ts or 8
  local out, col = {}, start_col
  for ch in s:gmatch("[%z\1-\127\194-\244][\128-\191]*") do
    if ch == "\t" then
      local n = ts - (col % ts)
      out[#out + 1] = string.rep(" ", n)
      col = col + n
    else
      out[#out + 1] = ch
      col = col + vim.fn.strdisplaywidth(ch) -- wide characters take two columns
    end
  end
  return table.concat(out)
end

--- The command that installs the server. deepseek-lsp is not on PyPI ("pip install
--- deepseek-lsp" found no such package): it installs from the repository this plugin is a folder
--- of (editors/neovim), named where it is, so the line can be pasted into a shell as it is.
function M.install_command()
  local here = debug.getinfo(1, "S").source:gsub("^@", "")
  -- lua/deepseek_lsp/util.lua -> editors/neovim -> the repository's root
  local root = vim.fn.fnamemodify(here, ":p:h:h:h:h:h")
  if vim.fn.filereadable(root .. "/pyproject.toml") == 0 then
    return "pip install <your checkout of the deepseek-lsp repository>"
  end
  local short = vim.fn.fnamemodify(root, ":~")
  if short:match("^[%w/._~+-]+$") then
    return "pip install " .. short
  end
  return "pip install " .. vim.fn.shellescape(root)
end

--- Whether ``word`` is words and numbers joined by ``_ . : / -`` (a model's or a host's name).
local function words_and_numbers(word)
  if not word:match("^[%w_.:/-]+$") then
    return false
  end
  for part in (word .. "-"):gmatch("(.-)[_.:/-]") do
    if not (part:match("^%a+%d*$") or part:match("^%d+%a?$")) then
      return false
    end
  end
  return true
end

--- Whether ``word`` may be a key, as the server's key_shape.key_shaped judges it: 16 or more
--- header characters, not a URL nor words and numbers, with ``sk-`` first, four digits or
--- digits in mixed case.
local function key_shaped(word)
  if #word < 16 or word:find("://", 1, true) or not word:match("^[\33-\126]+$") then
    return false
  end
  if word:sub(1, 3) == "sk-" then
    return true
  end
  if words_and_numbers(word) then
    return false
  end
  local digits = select(2, word:gsub("%d", ""))
  local mixed = word:lower() ~= word and word:upper() ~= word
  return digits >= 4 or (digits > 0 and mixed)
end

--- How a URL setting holding a key is shown, as the server shows it.
M.HIDDEN_KEY = "(hidden: it looks like a key)"

--- ``url`` without userinfo, query or fragment, where secrets hide (``https://user:password@proxy``),
--- and an ``sk-`` key in its path hidden, as the server shows URLs; nothing of one holding a key (pasted into the setting: alone,
--- after the URL, as "Bearer <key>").
---@param url string
---@return string
function M.safe_url(url)
  for word in url:gmatch("%S+") do
    if key_shaped(word) then
      return M.HIDDEN_KEY
    end
  end
  url = url:gsub("[?#].*$", "")
  local scheme, authority, path = url:match("^(%a[%w+.-]*://)([^/]*)(.*)$")
  if not scheme then
    return url
  end
  -- A key glued on as a path segment: only an sk- one, as the server's key_shape.path_without_keys.
  path = path:gsub("[^/]+", function(segment)
    if segment:sub(1, 3) == "sk-" and key_shaped(segment) then
      return "(key hidden)"
    end
  end)
  return scheme .. authority:gsub("^.*@", "") .. path
end

--- Whether ``url``'s host is DeepSeek's (deepseek.com or a host under it), read as the
--- server's config.deepseek_host reads it: after any user info, without its port, a fully
--- qualified name's trailing dot and IDNA's other dots reaching DeepSeek all the same. The
--- server asks for a key wherever this holds; :checkhealth called such a base URL self-hosted.
function M.deepseek_host(url)
  local host = M.host_of(url)
  return host == "deepseek.com" or host:sub(-#".deepseek.com") == ".deepseek.com"
end

--- ``url``'s host as the server compares hosts: after any user info, without its port, in
--- lower case, IDNA's other dots and a fully qualified name's trailing dot read as plain.
function M.host_of(url)
  local authority = url:match("^%a[%w+.-]*://([^/?#]*)") or ""
  local host = authority:gsub("^.*@", ""):gsub(":%d*$", "")
  -- The ideographic, fullwidth and halfwidth ideographic full stops (UTF-8).
  host = host:gsub("\227\128\130", "."):gsub("\239\188\142", "."):gsub("\239\189\161", ".")
  return (host:lower():gsub("%.$", ""))
end

--- A whole number with its thousands grouped: 12,345.
function M.fmt_int(n)
  local s = tostring(math.floor(tonumber(n) or 0))
  return (s:reverse():gsub("(%d%d%d)", "%1,"):reverse():gsub("^,", ""))
end

--- ``n`` and ``word``, its plural for any number but 1: "1 request", "2 requests". "1 requests"
--- and "1 finding(s)" read as a plugin that had not counted.
---@param plural string? when adding "s" is not the plural
function M.counted(n, word, plural)
  n = math.floor(tonumber(n) or 0)
  return M.fmt_int(n) .. " " .. (n == 1 and word or plural or word .. "s")
end

--- ``msg`` with "DeepSeek: " before it, but where it tells of another model server's problem
--- (the server's "Ollama at 127.0.0.1:11434 ...", "The model server at host:port ...", maybe
--- after "review: "): "DeepSeek: review: Ollama at ..." read as DeepSeek's own failure.
function M.notify_user(msg, level)
  local other = msg:gsub("^review: ", ""):match("^%w[%w%.%- ]* at %S+:%d+ ") ~= nil
  vim.notify((other and "" or "DeepSeek: ") .. msg, level or vim.log.levels.INFO, { title = "DeepSeek" })
end

return M
