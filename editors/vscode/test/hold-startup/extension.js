// Test-only extension of the VS Code e2e: activated at '*', it holds the window's extension host
// while the file named by DEEPSEEK_E2E_HOLD_STARTUP exists (60 s at most), so the DeepSeek
// extension (onStartupFinished) is not active yet. A step creates the file, reloads the window,
// types, then deletes it.
//
// Held synchronously: an activation that awaits held the eager ones, but VS Code starts the
// onStartupFinished activations 10 s after the eager ones began at the latest, and a window under
// load drew its file later than that. A blocked host runs no timer and reads none of the
// window's messages; once it goes on it reads those waiting (the document's keys among them)
// before the DeepSeek extension's activate() runs, which first waits for the host's storage over
// that same connection: the keys came before the activation, as they did in the idle CI.
const fs = require('fs');

exports.activate = () => {
  const gate = process.env.DEEPSEEK_E2E_HOLD_STARTUP;
  const until = Date.now() + 60000;
  const nap = new Int32Array(new SharedArrayBuffer(4));
  while (gate && fs.existsSync(gate) && Date.now() < until) {
    Atomics.wait(nap, 0, 0, 50);
  }
};
