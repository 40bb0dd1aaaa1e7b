--- The server's copy of each buffer, kept in step where Neovim's own client lets it drift:
---
--- - A buffer renamed without a write (`:file new.py`, a file manager's rename through
---   `nvim_buf_set_name`): Neovim sends its edits under the new URI, which the server never
---   opened, until the next write: no completions until then.
--- - A filetype set after the server attached (`:set ft=markdown` on an untyped file): the
---   document kept the languageId it was opened with, so `completion.languages` and the
---   language's context did not follow.
--- - A 'fileformat' changed after the server attached (`:set ff=dos`): only the lines edited from
---   then on came with the new line ends, so the server's copy, and the prompts made of it, had
---   both.
--- - Buffers without a name: Neovim gives every one the URI `file://`. A second one opened
---   replaced the first's text on the server, and the first got no (or wrong) suggestions.
local util = require("deepseek_lsp.util")

local api = vim.api

local M = {}

--- The filetype each served buffer's document was opened with (its languageId).
---@type table<integer, string>
local opened_ft = {}

--- Buffers may_serve() refused for want of a name: the server starts for them once they have one.
--- Not cleared on BufWipeout: `:write name` in a buffer without one fires it for that buffer too.
---@type table<integer, true>
local refused = {}

--- A buffer's name before a rename (BufFilePre), read at BufFilePost.
---@type table<integer, string>
local name_before = {}

local function get_clients(filter)
  return (vim.lsp.get_clients or vim.lsp.get_active_clients)(filter)
end

---@param bufnr integer
---@return vim.lsp.Client[]
local function our_clients(bufnr)
  return get_clients({ name = util.NAME, bufnr = bufnr })
end

--- Whether a buffer other than ``bufnr`` without a name is served: only one can be, as they
--- all share the URI `file://`.
---@param bufnr integer
---@return boolean
local function other_nameless_served(bufnr)
  -- Uninitialized clients too: the first buffer is attached while the server starts.
  for _, client in ipairs(get_clients({ name = util.NAME, _uninitialized = true })) do
    for b in pairs(client.attached_buffers or {}) do
      if b ~= bufnr and api.nvim_buf_is_valid(b) and api.nvim_buf_get_name(b) == "" then
        return true
      end
    end
  end
  return false
end

--- Whether the server may serve ``bufnr`` (on top of buftype and filetypes). A buffer without
--- a name needs a filetype: the empty buffer Neovim starts with is no file (setup() run late,
--- as lazy.nvim does, started the server for it and sent what was typed there).
---@param bufnr integer
---@return boolean
function M.may_serve(bufnr)
  if api.nvim_buf_get_name(bufnr) ~= "" then
    return true
  end
  if vim.bo[bufnr].filetype ~= "" and not other_nameless_served(bufnr) then
    return true
  end
  refused[bufnr] = true
  return false
end

--- Why ``bufnr`` is not served (for :DeepSeekStatus), or nil. The status said only "not the
--- current buffer" in a terminal or a buffer of a type setup() leaves out, as if it should be.
---@param bufnr integer
---@param filetypes string[]? setup()'s filetypes
---@return string?
function M.why_not_served(bufnr, filetypes)
  if #our_clients(bufnr) > 0 then
    return nil
  end
  local buftype = vim.bo[bufnr].buftype
  if buftype ~= "" then
    return ("it is not a file (buftype=%s)"):format(buftype)
  end
  local ft = vim.bo[bufnr].filetype
  if filetypes and not vim.tbl_contains(filetypes, ft) then
    return ("its filetype %q is not in setup()'s filetypes (%s)"):format(ft, table.concat(filetypes, ", "))
  end
  if api.nvim_buf_get_name(bufnr) ~= "" then
    return nil
  end
  if vim.bo[bufnr].filetype == "" then
    return "it has no name and no filetype: a name (:w name) or a filetype (:set ft=...) serves it"
  end
  if other_nameless_served(bufnr) then
    return "another buffer without a name is served (they all have the URI file://): :w name or :file name serves this one"
  end
end

local function language_id(client, bufnr)
  local ft = vim.bo[bufnr].filetype
  if type(client._get_language_id) == "function" then -- 0.11
    local ok, id = pcall(client._get_language_id, client, bufnr)
    if ok and type(id) == "string" then
      return id
    end
  end
  local get = client.config and client.config.get_language_id -- 0.10
  if type(get) == "function" then
    local ok, id = pcall(get, bufnr, ft)
    if ok and type(id) == "string" then
      return id
    end
  end
  return ft
end

--- The buffer's text as Neovim's client sends it (its line ends, its last newline).
local function full_text(bufnr)
  if type(vim.lsp._buf_get_full_text) == "function" then
    return vim.lsp._buf_get_full_text(bufnr)
  end
  local eol = ({ dos = "\r\n", mac = "\r" })[vim.bo[bufnr].fileformat] or "\n"
  local text = table.concat(api.nvim_buf_get_lines(bufnr, 0, -1, true), eol)
  return vim.bo[bufnr].eol and text .. eol or text
end

--- Neovim's change tracking (internal, so looked up with care): pending edits are sent before
--- the text that holds them, and the name it knows is updated so that the next write does not
--- close and open the document a second time.
local function changetracking()
  local ok, ct = pcall(require, "vim.lsp._changetracking")
  return ok and type(ct) == "table" and ct or nil
end

local function flush(client, bufnr)
  local ct = changetracking()
  if ct and type(ct.flush) == "function" then
    pcall(ct.flush, client, bufnr)
  end
end

--- Close the document the server knows as ``old_uri`` and open the buffer as it is now.
---@param client vim.lsp.Client
---@param bufnr integer
---@param old_uri string
local function reopen(client, bufnr, old_uri)
  flush(client, bufnr)
  util.notify(client, "textDocument/didClose", { textDocument = { uri = old_uri } })
  util.notify(client, "textDocument/didOpen", {
    textDocument = {
      uri = vim.uri_from_bufnr(bufnr),
      languageId = language_id(client, bufnr),
      version = (vim.lsp.util.buf_versions or {})[bufnr] or api.nvim_buf_get_changedtick(bufnr),
      text = full_text(bufnr),
    },
  })
  local ct = changetracking()
  if ct and type(ct._get_and_set_name) == "function" then
    pcall(ct._get_and_set_name, client, bufnr, api.nvim_buf_get_name(bufnr))
  end
  opened_ft[bufnr] = vim.bo[bufnr].filetype
end

--- The client attached to ``bufnr``: its document has the buffer's filetype now.
---@param bufnr integer
function M.attached(bufnr)
  opened_ft[bufnr] = vim.bo[bufnr].filetype
end

---@param bufnr integer
function M.detached(bufnr)
  opened_ft[bufnr] = nil
  name_before[bufnr] = nil
end

--- A buffer refused for want of a name has one now (`:file`, or `:write name`, which names a
--- buffer that has none without a BufFilePost): start the server for it.
---@param bufnr integer
---@param start fun(bufnr: integer)
local function named(bufnr, start)
  if refused[bufnr] and api.nvim_buf_get_name(bufnr) ~= "" then
    refused[bufnr] = nil
    start(bufnr)
  end
end

--- A rename: the server's document follows the buffer (it closes the old URI and opens the
--- new one). A buffer that just got its first name, or lost it, is started or let go.
---@param bufnr integer
---@param start fun(bufnr: integer) starts the server for a buffer it does not serve yet
local function renamed(bufnr, start)
  local old = name_before[bufnr]
  name_before[bufnr] = nil
  local new = api.nvim_buf_get_name(bufnr)
  if old == nil or old == new or vim.bo[bufnr].buftype ~= "" then
    return
  end
  local clients = our_clients(bufnr)
  if #clients == 0 then
    named(bufnr, start)
    return
  end
  for _, client in ipairs(clients) do
    if new == "" and other_nameless_served(bufnr) then
      vim.lsp.buf_detach_client(bufnr, client.id)
    else
      reopen(client, bufnr, vim.uri_from_fname(old))
    end
  end
end

--- A filetype set after the server attached: the document is opened again with its languageId.
---@param bufnr integer
local function filetype_set(bufnr)
  local ft = vim.bo[bufnr].filetype
  for _, client in ipairs(our_clients(bufnr)) do
    local was = opened_ft[bufnr]
    if was ~= nil and was ~= ft and client.initialized then
      reopen(client, bufnr, vim.uri_from_bufnr(bufnr))
    end
  end
end

--- Line ends changed (`:set fileformat=dos`): the document is opened again with the new ones.
---@param bufnr integer
local function fileformat_set(bufnr)
  for _, client in ipairs(our_clients(bufnr)) do
    if client.initialized then
      reopen(client, bufnr, vim.uri_from_bufnr(bufnr))
    end
  end
end

--- The autocommands, in setup()'s augroup.
---@param group integer
---@param start fun(bufnr: integer)
function M.setup(group, start)
  api.nvim_create_autocmd("BufFilePre", {
    group = group,
    callback = function(args)
      name_before[args.buf] = api.nvim_buf_get_name(args.buf)
      for _, client in ipairs(our_clients(args.buf)) do
        flush(client, args.buf) -- under the name the server knows
      end
    end,
  })
  api.nvim_create_autocmd("BufFilePost", {
    group = group,
    callback = function(args)
      renamed(args.buf, start)
    end,
  })
  api.nvim_create_autocmd("BufWritePost", {
    group = group,
    callback = function(args)
      named(args.buf, start)
    end,
  })
  api.nvim_create_autocmd("FileType", {
    group = group,
    callback = function(args)
      filetype_set(args.buf)
    end,
  })
  api.nvim_create_autocmd("OptionSet", {
    group = group,
    pattern = "fileformat",
    callback = function()
      if vim.v.option_type ~= "global" and vim.v.option_old ~= vim.v.option_new then
        fileformat_set(api.nvim_get_current_buf()) -- OptionSet gives no buffer: the option's is current
      end
    end,
  })
end

return M
