-- Neovim (0.7+, Debian's) opens the file given as its argument, starts `nn lsp --stdio` with its
-- built-in LSP client, waits for diagnostics and prints them, one per line, then quits.
local root = os.getenv('NN_ROOT')
local file = vim.fn.argv()[1]
vim.cmd('edit ' .. file)
local client = vim.lsp.start_client({
  name = 'nnlang',
  cmd = { 'node', '--import', 'tsx', root .. '/src/cli/main.ts', 'lsp', '--stdio' },
  cmd_cwd = root,
  root_dir = vim.fn.fnamemodify(file, ':p:h'),
})
vim.lsp.buf_attach_client(0, client)
local ok = vim.wait(20000, function() return #vim.diagnostic.get(0) > 0 end, 50)
local out = {}
for _, d in ipairs(vim.diagnostic.get(0)) do
  table.insert(out, string.format('%d:%d %s %s', d.lnum + 1, d.col + 1, tostring(d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code) or ''), d.message:gsub('\n.*', '')))
end
io.stdout:write((ok and 'DIAGNOSTICS\n' or 'TIMEOUT\n') .. table.concat(out, '\n') .. '\n')
vim.lsp.stop_client(client)
vim.cmd('qa!')
