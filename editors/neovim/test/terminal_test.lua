-- The e2e's terminal step (driver.TERMINAL) when the pty's child is slow between fork and exec:
-- a terminal wiped then killed the Neovim that opened it (0.11.4; a CI run lost its child so).
-- strace holds that window open: it delays the pty child's second setsid() (Neovim's own, after
-- the child took the pty and before it reset Neovim's signal handlers) by 300 ms.
--
--   nvim --headless --clean -l editors/neovim/test/terminal_test.lua   (run.sh runs it)

local here = vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h")
package.path = here .. "/?.lua;" .. package.path
local driver = require("child")

if vim.fn.executable("strace") == 0 then
  driver.out("SKIP terminal: no strace here to hold the pty child's fork-to-exec window open")
  os.exit(0)
end
local HOLD = { "strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=setsid", "-e", "inject=setsid:delay_exit=300000:when=2" }
local TRIALS = 3

--- How many of TRIALS children, ``opened`` then the terminal wiped at once, died; and how.
local function wiped_after(opened)
  local died, how = 0, nil
  for _ = 1, TRIALS do
    local child, lua = driver.start("NONE", 5000, HOLD)
    pcall(lua, opened)
    pcall(lua, "vim.cmd('bwipeout!')")
    -- The held setsid() ends 300 ms later; a SIGHUP passed on is handled at once.
    vim.wait(1000)
    local lost = child.lost()
    if lost then
      died, how = died + 1, lost
    end
    child.stop()
  end
  return died, how
end

local at_once, how = wiped_after("vim.cmd.terminal('true')")
if at_once == 0 then
  -- Nothing to compare with: strace could not delay the call, or Neovim no longer dies of it
  -- (then driver.TERMINAL's wait is no longer needed).
  driver.out(("SKIP terminal: none of %d Neovims died of a terminal wiped at once"):format(TRIALS))
  os.exit(0)
end
local e2e_way = wiped_after(driver.TERMINAL)
local ok = e2e_way == 0
driver.out(("%s terminal: the e2e's terminal wiped: %d of %d Neovims died (wiped at once: %d of %d, %s)"):format(
  ok and "PASS" or "FAIL", e2e_way, TRIALS, at_once, TRIALS, how))
os.exit(ok and 0 or 1)
