-- Starts `lhc lsp` for every buffer of filetype `lhw` and attaches it.
--
--   vim.opt.runtimepath:append("/path/to/lhw/editors/nvim")
--   require("lhw.lsp").setup()                      -- `lhc` from PATH
--   require("lhw.lsp").setup({ cmd = { "/path/to/lhc", "lsp" } })
--
-- Works on Neovim 0.7 and later: `vim.lsp.start` where it exists (0.8+), otherwise
-- `vim.lsp.start_client` + `vim.lsp.buf_attach_client` (0.7), reusing one client per
-- project root either way.
local M = {}

-- libuv: `vim.uv` since Neovim 0.10, `vim.loop` before.
local uv = vim.uv or vim.loop

--- The defaults; `setup(opts)` overrides any of them.
M.defaults = {
  -- The server command: `lhc lsp`, speaking LSP on stdin/stdout.
  cmd = { "lhc", "lsp" },
  -- The client's name (shown by :LspInfo and in messages).
  name = "lhw",
  -- Files or directories whose presence marks a project root; the file's own directory is
  -- the root when none is found above it.
  root_markers = { ".git" },
  -- Passed through to the client.
  on_attach = nil,
  on_exit = nil,
  capabilities = nil,
  settings = nil,
}

M.config = vim.deepcopy(M.defaults)

-- Neovim 0.7: the client started for each root directory.
local clients_by_root = {}

local function exists(path)
  return uv.fs_stat(path) ~= nil
end

--- The project root of a buffer: the nearest ancestor holding a root marker.
function M.root_dir(bufnr)
  local name = vim.api.nvim_buf_get_name(bufnr)
  local dir = name ~= "" and vim.fn.fnamemodify(name, ":p:h") or uv.cwd()
  local current = dir
  while current and current ~= "" do
    for _, marker in ipairs(M.config.root_markers) do
      if exists(current .. "/" .. marker) then
        return current
      end
    end
    local parent = vim.fn.fnamemodify(current, ":h")
    if parent == current then
      break
    end
    current = parent
  end
  return dir
end

local warned_missing = false

local function client_config(root)
  return {
    name = M.config.name,
    cmd = M.config.cmd,
    root_dir = root,
    workspace_folders = {
      { uri = vim.uri_from_fname(root), name = root },
    },
    on_attach = M.config.on_attach,
    on_exit = M.config.on_exit,
    capabilities = M.config.capabilities or vim.lsp.protocol.make_client_capabilities(),
    settings = M.config.settings,
  }
end

--- Starts (or reuses) the server for `bufnr` and attaches the buffer to it. Returns the
--- client id, or nil when the server cannot start.
function M.start(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local exe = M.config.cmd[1]
  if vim.fn.executable(exe) ~= 1 then
    if not warned_missing then
      warned_missing = true
      vim.notify(
        ("lhw: the language server `%s` is not executable; build lhc (cargo install --path ." ..
          " in the lhw repository) or pass cmd to require('lhw.lsp').setup()"):format(exe),
        vim.log.levels.ERROR
      )
    end
    return nil
  end
  local root = M.root_dir(bufnr)
  if vim.lsp.start then
    return vim.lsp.start(client_config(root), { bufnr = bufnr })
  end
  local id = clients_by_root[root]
  local client = id and vim.lsp.get_client_by_id(id)
  if not client or client.is_stopped() then
    id = vim.lsp.start_client(client_config(root))
    if not id then
      return nil
    end
    clients_by_root[root] = id
  end
  vim.lsp.buf_attach_client(bufnr, id)
  return id
end

--- Registers the server for the `lhw` filetype (buffers already open included).
function M.setup(opts)
  M.config = vim.tbl_extend("force", vim.deepcopy(M.defaults), opts or {})
  local group = vim.api.nvim_create_augroup("lhw_lsp", { clear = true })
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = "lhw",
    callback = function(args)
      M.start(args.buf)
    end,
    desc = "start lhc lsp for .lhw buffers",
  })
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(buf) and vim.bo[buf].filetype == "lhw" then
      M.start(buf)
    end
  end
end

return M
