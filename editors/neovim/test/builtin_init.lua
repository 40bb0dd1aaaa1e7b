-- The child editor of builtin_completion.lua: the server attached with Neovim's own client and
-- its own completion menu (vim.lsp.completion), as `:help lsp-completion` sets it up. No plugin.
vim.opt.swapfile = false
vim.opt.shadafile = "NONE"
vim.o.expandtab = true
vim.o.shiftwidth = 4
vim.o.completeopt = "menuone,noselect,popup" -- as `:help lsp-completion` advises

local cmd = vim.split(vim.env.DEEPSEEK_LSP_CMD or "deepseek-lsp", " ", { trimempty = true })
local deepseek = { completion = { debounce = 0, prefetch = false }, review = { mode = "off" } }

vim.api.nvim_create_autocmd("FileType", {
  pattern = "python",
  callback = function(ev)
    vim.bo[ev.buf].indentexpr = "" -- the test types exact text
    vim.lsp.start({
      name = "deepseek_builtin",
      cmd = cmd,
      root_dir = vim.fn.getcwd(),
      settings = { deepseek = deepseek },
      init_options = { deepseek = deepseek },
      on_attach = function(client, bufnr)
        vim.lsp.completion.enable(true, client.id, bufnr, { autotrigger = true })
      end,
    })
  end,
})

_G.B = {}
function B.client()
  return vim.lsp.get_clients({ bufnr = 0, name = "deepseek_builtin" })[1]
end
function B.state()
  local pos = vim.api.nvim_win_get_cursor(0)
  return { line = vim.api.nvim_get_current_line(), col = pos[2], pum = vim.fn.pumvisible() }
end
function B.accepted()
  local c = B.client()
  local r = c and c:request_sync("deepseek/completionStats", vim.empty_dict(), 3000, 0)
  return r and r.result and r.result.accepted or 0
end
