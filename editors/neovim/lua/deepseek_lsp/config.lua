--- setup()'s options: their defaults, what each must be, and the ones in force.
local M = {}

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
  --- Create :DeepSeekUsage, :DeepSeekReview, :DeepSeekUnignore, :DeepSeekStatus, :DeepSeekToggle,
  --- :DeepSeekRestart.
  commands = true,
  --- Extra fields merged into the vim.lsp config (capabilities, on_attach, handlers...).
  lsp = {},
}

--- The options in force (the defaults until setup()).
M.current = vim.deepcopy(M.defaults)

--- The `deepseek` section of the settings, whichever way it was given.
---@return table
function M.section()
  local s = M.current.settings or {}
  if type(s.deepseek) == "table" then
    return s.deepseek
  end
  return s
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
function M.validate(opts)
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

return M
