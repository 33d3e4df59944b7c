-- Drives Neovim's built-in LSP client (vim.lsp, Neovim 0.7 or later) against `hearth-lsp --stdio`, as
-- test/editors/neovim.test.ts runs it: `nvim --headless -u NONE -i NONE -n -c 'luafile complete.lua'`.
-- It starts the server the way a user's config does, opens a file, waits for the server's model to be
-- ready, asks for completion at a cursor, stops the server, and writes what happened as JSON to
-- $HEARTH_OUTPUT; then it quits (exit code 1 when something failed). Everything it waits on is an
-- event (the model's status, the response, the server's exit); $HEARTH_WAIT_MS only bounds each wait.
--
-- Environment: HEARTH_LSP (the hearth-lsp command), HEARTH_SETTINGS (JSON of the `hearth` settings),
-- HEARTH_INIT_OPTIONS (JSON of initializationOptions, or empty for none), HEARTH_DOCUMENT (the file to
-- open), HEARTH_FILETYPE, HEARTH_LINE and HEARTH_CHARACTER (the cursor, 0-based as in LSP).

local wait_ms = tonumber(os.getenv('HEARTH_WAIT_MS'))
local report = { logs = {} }

local function env_json(name)
  local text = os.getenv(name)
  if text == nil or text == '' then
    return nil
  end
  return vim.fn.json_decode(text)
end

local function wait_for(what, condition)
  if not vim.wait(wait_ms, condition, 10) then
    error('timed out waiting for ' .. what)
  end
end

local function run()
  vim.cmd('edit ' .. vim.fn.fnameescape(os.getenv('HEARTH_DOCUMENT')))
  local bufnr = vim.api.nvim_get_current_buf()
  vim.bo[bufnr].filetype = os.getenv('HEARTH_FILETYPE')

  local status = nil
  local exit_code = nil
  local client_id = vim.lsp.start_client({
    name = 'hearth',
    cmd = { os.getenv('HEARTH_LSP'), '--stdio' },
    root_dir = vim.fn.fnamemodify(os.getenv('HEARTH_DOCUMENT'), ':h'),
    settings = { hearth = env_json('HEARTH_SETTINGS') },
    init_options = env_json('HEARTH_INIT_OPTIONS'),
    handlers = {
      ['hearth/serverStatus'] = function(_, result)
        if result.state == 'ready' or result.state == 'error' then
          status = result
        end
      end,
      ['window/logMessage'] = function(_, result)
        table.insert(report.logs, result.message)
      end,
    },
    on_exit = function(code)
      exit_code = code
    end,
  })
  if client_id == nil then
    error('vim.lsp.start_client did not start hearth-lsp')
  end
  vim.lsp.buf_attach_client(bufnr, client_id)

  wait_for("the model's status", function()
    return status ~= nil
  end)
  report.status = status
  report.completionProvider = vim.lsp.get_client_by_id(client_id).server_capabilities.completionProvider ~= nil
  if not report.completionProvider then
    -- Neovim would wait out the whole request for a method the server does not offer.
    error('the server advertised no completionProvider')
  end

  -- As in insert mode, the cursor may stand after the line's last character.
  vim.o.virtualedit = 'onemore'
  vim.api.nvim_win_set_cursor(0, { tonumber(os.getenv('HEARTH_LINE')) + 1, tonumber(os.getenv('HEARTH_CHARACTER')) })
  local params = vim.lsp.util.make_position_params()
  report.position = params.position
  local responses, failure = vim.lsp.buf_request_sync(bufnr, 'textDocument/completion', params, wait_ms)
  if responses == nil then
    error('textDocument/completion: ' .. tostring(failure))
  end
  local response = responses[client_id] or {}
  report.error = response.err
  report.completion = response.result

  vim.lsp.stop_client(client_id)
  wait_for("the server's exit", function()
    return exit_code ~= nil
  end)
  report.exitCode = exit_code
end

local ok, failure = pcall(run)
if not ok then
  report.failure = tostring(failure)
end
vim.fn.writefile({ vim.fn.json_encode(report) }, os.getenv('HEARTH_OUTPUT'))
vim.cmd(ok and 'qall!' or 'cquit! 1')
