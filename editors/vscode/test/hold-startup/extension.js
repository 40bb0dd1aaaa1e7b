// Test-only extension of the VS Code e2e: activated at '*', it holds VS Code's eager activations
// (and so every onStartupFinished one, the DeepSeek extension's) while the file named by
// DEEPSEEK_E2E_HOLD_STARTUP exists, 60 s at most. A step creates the file, reloads the window,
// types while the DeepSeek extension is not active yet, then deletes it.
const fs = require('fs');

exports.activate = async () => {
  const gate = process.env.DEEPSEEK_E2E_HOLD_STARTUP;
  const until = Date.now() + 60000;
  while (gate && fs.existsSync(gate) && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};
