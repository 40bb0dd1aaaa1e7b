--- The floats :DeepSeekUsage and :DeepSeekStatus open, and filling one in with the server's
--- answer when it comes.
local util = require("deepseek_lsp.util")

local api = vim.api

local M = {}

--- Where the info float goes: centred, as wide as its widest line and ``rows`` high.
local function float_place(lines, rows)
  local width = 20
  for _, l in ipairs(lines) do
    width = math.max(width, vim.fn.strdisplaywidth(l))
  end
  width = math.min(width + 2, math.max(20, vim.o.columns - 4))
  local height = math.min(rows or #lines, math.max(1, vim.o.lines - 4))
  return {
    relative = "editor",
    row = math.max(0, math.floor((vim.o.lines - height) / 2) - 1),
    col = math.max(0, math.floor((vim.o.columns - width) / 2)),
    width = width,
    height = height,
  }
end

--- Lines wider than the screen wrap (a long root path, a narrow Neovim): one row per line
--- cut the last lines off.
local function float_fit(win, lines)
  local rows = api.nvim_win_text_height(win, {}).all
  if rows > #lines then
    api.nvim_win_set_config(win, float_place(lines, rows))
  end
end

--- Show lines in a small floating window (or echo them without a UI).
function M.show(title, lines)
  if #api.nvim_list_uis() == 0 then
    for _, l in ipairs(lines) do
      print(l)
    end
  end
  local buf = api.nvim_create_buf(false, true)
  api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.bo[buf].modifiable = false
  vim.bo[buf].bufhidden = "wipe"
  vim.bo[buf].filetype = "deepseek_lsp_info"
  local win = api.nvim_open_win(buf, true, vim.tbl_extend("force", float_place(lines), {
    style = "minimal",
    border = "rounded",
    title = " " .. title .. " ",
    title_pos = "center",
  }))
  vim.wo[win].wrap = true
  float_fit(win, lines)
  for _, key in ipairs({ "q", "<Esc>" }) do
    vim.keymap.set("n", key, function()
      pcall(api.nvim_win_close, win, true)
    end, { buffer = buf, nowait = true, silent = true })
  end
  api.nvim_create_autocmd("WinLeave", {
    buffer = buf,
    once = true,
    callback = function()
      pcall(api.nvim_win_close, win, true)
    end,
  })
  return buf, win
end

--- New lines for a float M.show() opened, if it is still open.
local function refill(buf, win, lines)
  if not (api.nvim_buf_is_valid(buf) and api.nvim_win_is_valid(win)) then
    return
  end
  vim.bo[buf].modifiable = true
  api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.bo[buf].modifiable = false
  api.nvim_win_set_config(win, float_place(lines))
  float_fit(win, lines)
end

--- How long :DeepSeekUsage and :DeepSeekStatus wait for the server's answer before their float
--- opens saying so, and before it says the server has not answered at all.
M.ANSWER_WAIT_MS, M.ANSWER_GIVE_UP_MS = 1500, 10000

--- Ask ``client`` for ``method`` and show the answer in a float titled ``title``, its lines
--- ``lines(err, result)``, or ``lines(nil, nil, note)`` while there is no answer. A server under
--- load answers late: the float opens after M.ANSWER_WAIT_MS saying so, says it again once
--- M.ANSWER_GIVE_UP_MS have gone by without one, and is filled in when the answer comes. (The
--- usage float opened with the answer only: a busy or hung server's :DeepSeekUsage showed nothing.)
function M.show_answer(client, method, title, lines)
  local answered, buf, win = false, nil, nil
  local function put(text)
    if buf then
      refill(buf, win, text)
    else
      buf, win = M.show(title, text)
    end
  end
  util.ask(client, method, vim.empty_dict(), function(err, result)
    vim.schedule(function()
      answered = true
      put(lines(err, result))
    end)
  end)
  local function unless_answered(ms, note)
    vim.defer_fn(function()
      if answered then
        return
      end
      -- A server that exits with the request pending never answers it.
      put(lines(nil, nil, util.is_stopped(client) and "the server stopped before it answered (see :DeepSeekStatus)" or note))
    end, ms)
  end
  unless_answered(M.ANSWER_WAIT_MS, ("the server has not answered in %s s (busy, or starting); shown here when it does"):format(M.ANSWER_WAIT_MS / 1000))
  unless_answered(M.ANSWER_GIVE_UP_MS, ("the server has not answered in %s s: busy with a long task, or stuck (:DeepSeekRestart restarts it); shown here if it does"):format(M.ANSWER_GIVE_UP_MS / 1000))
end

return M
