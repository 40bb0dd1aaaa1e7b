-- Minimal config for the end-to-end test: this plugin only, pointed at the server under test.
-- The server reads DEEPSEEK_API_KEY / DEEPSEEK_BASE_URL / DEEPSEEK_LSP_STATE_DIR from the
-- environment run.sh sets up. DEEPSEEK_LSP_CMD overrides the command (split on spaces).
local here = vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h")
local plugin_root = vim.fn.fnamemodify(here, ":h")
vim.opt.runtimepath:prepend(plugin_root)
vim.opt.swapfile = false
vim.opt.shadafile = "NONE"
vim.o.expandtab = true
vim.o.shiftwidth = 4

local cmd = nil
if vim.env.DEEPSEEK_LSP_CMD and vim.env.DEEPSEEK_LSP_CMD ~= "" then
  cmd = vim.split(vim.env.DEEPSEEK_LSP_CMD, " ", { trimempty = true })
end

require("deepseek_lsp").setup({
  cmd = cmd,
  debounce = 10,
  settings = {
    completion = { debounce = 0 },
    review = { mode = "onSave" },
    logLevel = "debug",
  },
})
