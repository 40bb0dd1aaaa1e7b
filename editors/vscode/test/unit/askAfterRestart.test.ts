// The key typed while the server restarted asks once it is back (src/askAfterRestart.ts).
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { AskAfterRestart } from '../../src/askAfterRestart';

const URI = 'file:///ws/app.py';

function asker(): { ask: AskAfterRestart; asked: () => number } {
  let asked = 0;
  const ask = new AskAfterRestart(() => (asked += 1));
  // The provider back and the settings given at once, as the tests below mean by "up".
  const up = ask.up.bind(ask);
  ask.up = (active) => {
    up(active);
    ask.settingsGiven(active);
  };
  return { ask, asked: () => asked };
}

test('a key typed while the server restarts asks once its provider is back', () => {
  // It got nothing until the next key: VS Code found no provider, and did not ask again.
  const { ask, asked } = asker();
  ask.up({ uri: URI, version: 3 });
  ask.down();
  ask.typedInto({ uri: URI, version: 4 });
  assert.equal(asked(), 0, 'not while the server is down');
  ask.up({ uri: URI, version: 4 });
  assert.equal(asked(), 1);
  assert.equal(ask.isAskAfterRestart(URI), true, 'sent as the key would have: automatic');
  assert.equal(ask.isAskAfterRestart(URI), false, 'once: Alt+\\ after it is the user asking');
});

test('a key typed during the first start asks too', () => {
  const { ask, asked } = asker();
  ask.typedInto({ uri: URI, version: 2 });
  ask.up({ uri: URI, version: 2 });
  assert.equal(asked(), 1);
});

test('nothing is asked where no key went while down, or the editor moved on', () => {
  const { ask, asked } = asker();
  ask.up({ uri: URI, version: 1 });
  ask.down();
  ask.up({ uri: URI, version: 1 });
  assert.equal(asked(), 0, 'no key typed: no request');
  ask.down();
  ask.typedInto({ uri: URI, version: 2 });
  ask.up({ uri: 'file:///ws/other.py', version: 7 });
  assert.equal(asked(), 0, 'another editor active now: its own keys ask');
  ask.down();
  ask.typedInto({ uri: URI, version: 3 });
  ask.up({ uri: URI, version: 5 });
  assert.equal(asked(), 0, 'typed on since: that key asked itself');
  ask.down();
  ask.up({ uri: URI, version: 5 });
  assert.equal(asked(), 0, 'a key typed before an earlier restart is not asked again');
});

test('keys typed while the server runs ask nothing more', () => {
  const { ask, asked } = asker();
  ask.up(undefined);
  ask.typedInto({ uri: URI, version: 2 });
  ask.down();
  ask.up({ uri: URI, version: 2 });
  assert.equal(asked(), 0);
  assert.equal(ask.isAskAfterRestart(URI), false, "an invoked request is the user's");
});

test('the ask waits for the new server to have its settings, which come after its provider', () => {
  // Asked at the provider's return, before the settings were pulled, the server waited 1 s for
  // them and answered nothing (the real editor at load): no suggestion for that key.
  let asked = 0;
  const ask = new AskAfterRestart(() => (asked += 1));
  ask.up({ uri: URI, version: 3 });
  ask.settingsGiven({ uri: URI, version: 3 });
  ask.down();
  ask.typedInto({ uri: URI, version: 4 });
  ask.up({ uri: URI, version: 4 });
  assert.equal(asked, 0, 'not before the server has its settings');
  ask.typedInto({ uri: URI, version: 5 });
  ask.settingsGiven({ uri: URI, version: 5 });
  assert.equal(asked, 1, 'a key typed before the settings came is asked once they have');
  ask.settingsGiven({ uri: URI, version: 5 });
  assert.equal(asked, 1, 'a later pull (a setting changed) asks nothing');
  ask.down();
  ask.typedInto({ uri: URI, version: 6 });
  ask.settingsGiven({ uri: URI, version: 6 });
  assert.equal(asked, 1, 'the settings before the provider: not yet');
  ask.up({ uri: URI, version: 6 });
  assert.equal(asked, 2);
});

test('keys typed before the extension was active ask once the first server is up', () => {
  // VS Code activates the extension at onStartupFinished, after the eager extensions: keys typed
  // into the file a reload drew before that reached no listener, and got no suggestion in 30 s
  // (the e2e keys-before-activation).
  const { ask, asked } = asker();
  ask.activated({ uri: URI, version: 4, dirty: true });
  ask.up({ uri: URI, version: 4 });
  assert.equal(asked(), 1);
  assert.equal(ask.isAskAfterRestart(URI), true, 'sent as the keys would have: automatic');
});

test('a file not edited before activation (or restored unsaved) asks nothing', () => {
  for (const active of [{ uri: URI, version: 1, dirty: false }, { uri: URI, version: 1, dirty: true }, { uri: URI, version: 3, dirty: false }]) {
    const { ask, asked } = asker();
    ask.activated(active);
    ask.up({ uri: URI, version: active.version });
    assert.equal(asked(), 0, JSON.stringify(active));
  }
  const { ask, asked } = asker();
  ask.activated({ uri: URI, version: 4, dirty: true });
  ask.up({ uri: URI, version: 5 });
  assert.equal(asked(), 0, 'a key typed since asked itself');
});
