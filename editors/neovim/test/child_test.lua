-- The e2e driver (child.lua) when its child Neovim ends mid-run: the step that lost it fails
-- saying how it ended, and the next steps run in a new child. A CI run lost its child once and
-- every one of the 44 steps after failed with "Invalid channel: 3" alone.
--
--   nvim --headless --clean -l editors/neovim/test/child_test.lua   (run.sh runs it first)

local here = vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h")
package.path = here .. "/?.lua;" .. package.path
local driver = require("child")

local child, lua = driver.start("NONE", 5000)
local printed, set_up = {}, 0
local run = driver.steps(child, {
  out = function(line)
    printed[#printed + 1] = line
  end,
  on_new_child = function()
    set_up = set_up + 1
    lua("vim.g.set_up = ...", set_up)
  end,
})

run.step("its child is killed", function()
  vim.uv.kill(child.pid(), "sigkill")
  lua("return 1")
end)
run.step("the next step, in a new child set up as the steps expect", function()
  assert(lua("return vim.g.set_up") == 1, "vim.g.set_up = " .. tostring(lua("return vim.g.set_up")))
end)
run.step("its child quits and its checks pass", function()
  pcall(lua, "vim.cmd('qall!')")
end)
run.step("the step after that one, in a third child", function()
  assert(lua("return vim.g.set_up") == 2, "vim.g.set_up = " .. tostring(lua("return vim.g.set_up")))
end)

local failures = 0
local function check(what, ok)
  driver.out((ok and "PASS " or "FAIL ") .. "driver: " .. what)
  if not ok then
    failures = failures + 1
    if failures == 1 then
      driver.out("     printed:\n     " .. table.concat(printed, "\n     "))
    end
  end
end

local function line(n)
  return printed[n] or ""
end
check("a step that lost its child fails, saying it was killed by signal 9", line(1):match("^FAIL its child is killed") ~= nil
  and line(1):find("killed by signal 9 (exit code 137)", 1, true) ~= nil)
check("the step after it passes in a new child", line(2):match("^PASS the next step") ~= nil)
check("a child that quits fails its step (exit code 0) though its checks passed", line(3):match("^FAIL its child quits") ~= nil
  and line(3):find("exit code 0", 1, true) ~= nil)
check("the step after that passes too", line(4):match("^PASS the step after that one") ~= nil)
check("the summary counts the losses", run.summary() == "2 passed, 2 failed; the child Neovim ended 2 times and was started again")
child.stop()
os.exit(failures)
