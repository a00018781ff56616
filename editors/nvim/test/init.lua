-- A headless Neovim session against `lhc lsp`, driven by tests/editors (neovim.rs):
--
--   nvim --headless --clean -u editors/nvim/test/init.lua
--
-- It loads editors/nvim as a plugin directory, calls require("lhw.lsp").setup() with the
-- server binary given below, opens a .lhw file, waits for the server's diagnostics, asks
-- for hover and definition at one position, writes all of it to a JSON file and quits.
-- It asserts nothing itself: the Rust test reads the JSON. Every step is bounded; on any
-- error the JSON holds the error and Neovim still exits.
--
-- Environment:
--   LHW_NVIM_LHC         the lhc binary (started as `<LHW_NVIM_LHC> lsp`)
--   LHW_NVIM_FILE        the .lhw file to open
--   LHW_NVIM_POSITION    "line:character" (0-based, UTF-16) for hover and definition
--   LHW_NVIM_OUT         where to write the JSON result
--   LHW_NVIM_TIMEOUT_MS  the limit for each wait (default 20000)

-- libuv: `vim.uv` since Neovim 0.10, `vim.loop` before.
local uv = vim.uv or vim.loop
local started = uv.hrtime()
local result = { events = {} }

local function elapsed_ms()
  return math.floor((uv.hrtime() - started) / 1e6)
end

local function event(what)
  table.insert(result.events, ("%d ms: %s"):format(elapsed_ms(), what))
end

local function env(name)
  local value = os.getenv(name)
  if value == nil or value == "" then
    error(("the environment variable %s is not set"):format(name))
  end
  return value
end

local function write_result()
  local path = os.getenv("LHW_NVIM_OUT")
  if not path or path == "" then
    io.stderr:write("LHW_NVIM_OUT is not set; result: " .. vim.inspect(result) .. "\n")
    return
  end
  local file = assert(io.open(path, "w"))
  file:write(vim.json.encode(result))
  file:close()
end

-- The plugin directory is the parent of this file's directory.
local this_file = debug.getinfo(1, "S").source:sub(2)
local plugin_dir = vim.fn.fnamemodify(this_file, ":p:h:h")
vim.opt.runtimepath:prepend(plugin_dir)

-- Every publishDiagnostics notification, as the server sent it.
local published = {}
local publish = vim.lsp.handlers["textDocument/publishDiagnostics"]
vim.lsp.handlers["textDocument/publishDiagnostics"] = function(err, params, ctx, config)
  table.insert(published, params)
  return publish(err, params, ctx, config)
end

local function clients_of(bufnr)
  local list = {}
  if vim.lsp.get_clients then
    list = vim.lsp.get_clients({ bufnr = bufnr })
  else
    for _, client in pairs(vim.lsp.buf_get_clients(bufnr)) do
      table.insert(list, client)
    end
  end
  return list
end

-- The responses of one request, as a list (one entry per client that answered).
local function request(bufnr, method, params, timeout)
  local responses, err = vim.lsp.buf_request_sync(bufnr, method, params, timeout)
  local list = {}
  for client_id, response in pairs(responses or {}) do
    table.insert(list, {
      client_id = client_id,
      result = response.result,
      error = response.error,
    })
  end
  return { responses = list, error = err }
end

local function main()
  local lhc = env("LHW_NVIM_LHC")
  local file = env("LHW_NVIM_FILE")
  local line, character = env("LHW_NVIM_POSITION"):match("^(%d+):(%d+)$")
  if not line then
    error("LHW_NVIM_POSITION must be line:character")
  end
  local timeout = tonumber(os.getenv("LHW_NVIM_TIMEOUT_MS") or "") or 20000
  result.nvim_version = tostring(vim.version().major) .. "." .. tostring(vim.version().minor)
    .. "." .. tostring(vim.version().patch)
  result.api = vim.lsp.start and "vim.lsp.start" or "vim.lsp.start_client"

  require("lhw.lsp").setup({
    cmd = { lhc, "lsp" },
    on_exit = function(code, signal)
      result.server_exit = { code = code, signal = signal }
    end,
  })
  vim.cmd("edit " .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  local uri = vim.uri_from_bufnr(bufnr)
  result.filetype = vim.bo[bufnr].filetype
  result.uri = uri
  event("opened " .. file .. " as filetype " .. result.filetype)

  vim.wait(timeout, function()
    return #clients_of(bufnr) > 0 or result.server_exit ~= nil
  end, 10)
  result.attached = #clients_of(bufnr) > 0 and result.server_exit == nil
  event("client attached: " .. tostring(result.attached))
  if not result.attached then
    return
  end

  local function has_diagnostics()
    for _, params in ipairs(published) do
      if params.uri == uri and #params.diagnostics > 0 then
        return true
      end
    end
    return false
  end
  vim.wait(timeout, function()
    return has_diagnostics() or result.server_exit ~= nil
  end, 10)
  result.diagnostics_arrived = has_diagnostics()
  event("diagnostics arrived: " .. tostring(result.diagnostics_arrived))
  result.published = published
  -- What the editor shows (vim.diagnostic), next to what the server sent.
  result.shown = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    local lsp_data = d.user_data and d.user_data.lsp or {}
    table.insert(result.shown, {
      lnum = d.lnum,
      col = d.col,
      severity = d.severity,
      message = d.message,
      code = d.code or lsp_data.code,
    })
  end

  local position = {
    textDocument = { uri = uri },
    position = { line = tonumber(line), character = tonumber(character) },
  }
  result.hover = request(bufnr, "textDocument/hover", position, timeout)
  event("hover answered")
  result.definition = request(bufnr, "textDocument/definition", position, timeout)
  event("definition answered")
end

-- After startup (so that filetype detection is on); nested, so that `:edit` runs the
-- BufRead and FileType autocommands.
vim.api.nvim_create_autocmd("VimEnter", {
  once = true,
  nested = true,
  callback = function()
    local ok, err = xpcall(main, debug.traceback)
    if not ok then
      result.error = tostring(err)
    end
    -- The server's stderr goes to Neovim's LSP log.
    local log = io.open(vim.lsp.get_log_path(), "r")
    if log then
      result.lsp_log = log:read("*a")
      log:close()
    end
    event("done")
    local written, write_err = pcall(write_result)
    if not written then
      io.stderr:write("could not write the result: " .. tostring(write_err) .. "\n")
    end
    vim.cmd("qall!")
  end,
})
