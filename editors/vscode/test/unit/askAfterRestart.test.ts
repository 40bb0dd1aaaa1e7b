// The key typed while the server restarted asks once it is back (src/askAfterRestart.ts).
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { AskAfterRestart } from '../../src/askAfterRestart';

const URI = 'file:///ws/app.py';

function asker(): { ask: AskAfterRestart; asked: () => number } {
  let asked = 0;
  return { ask: new AskAfterRestart(() => (asked += 1)), asked: () => asked };
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
