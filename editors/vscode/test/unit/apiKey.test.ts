// "DeepSeek: Set API Key" / "Clear API Key" (src/apiKey.ts).
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { keyClearedMessage, keyInputProblem } from '../../src/apiKey';

test('a key pasted with a character the server refuses (a typographic dash, a zero-width space) is refused in the input box', () => {
  // The server (config.API_KEY_CHARS) takes printable ASCII only: such a key was stored,
  // "API key saved" said, and the restarted server then refused it ("it is not used").
  for (const pasted of ['sk-0123\u2011abcdef', 'sk-0123abcdef\u200b', '\u201csk-0123abcdef\u201d', 'sk-…']) {
    assert.ok(keyInputProblem(pasted), JSON.stringify(pasted));
  }
  // Whitespace and line breaks around a pasted key are dropped, as before.
  assert.equal(keyInputProblem('  sk-0123abcdef\r\n'), undefined);
  assert.equal(keyInputProblem('sk-a"b\\c'), undefined);
  assert.match(keyInputProblem('   ') ?? '', /Enter a key/);
  assert.match(keyInputProblem('sk-01 23') ?? '', /no spaces/);
});

test('"Clear API Key" with DEEPSEEK_API_KEY in the environment does not claim the key is gone', () => {
  const env = { DEEPSEEK_API_KEY: 'sk-from-env' };
  const cleared = keyClearedMessage(true, env);
  assert.ok(cleared.notify);
  assert.match(cleared.text, /DEEPSEEK_API_KEY/);
  const nothing = keyClearedMessage(false, env);
  assert.doesNotMatch(nothing.text, /removed/);
  assert.match(nothing.text, /no API key was stored.*DEEPSEEK_API_KEY/);
  assert.deepEqual(keyClearedMessage(true, {}), { text: 'DeepSeek: API key removed', notify: false });
  assert.doesNotMatch(keyClearedMessage(false, {}).text, /removed/);
});

test('a key pasted with its surroundings (JSON quotes, a .env line, "Bearer ") is refused, saying what to leave out', () => {
  // Each is printable ASCII: it was stored, "API key saved" said, and DeepSeek then answered 401.
  assert.match(keyInputProblem('"sk-0123abcdef"') ?? '', /without the quotes/);
  assert.match(keyInputProblem("'sk-0123abcdef'") ?? '', /without the quotes/);
  assert.match(keyInputProblem('DEEPSEEK_API_KEY=sk-0123abcdef') ?? '', /without "DEEPSEEK_API_KEY="/);
  assert.match(keyInputProblem('export DEEPSEEK_API_KEY="sk-0123abcdef"') ?? '', /without "DEEPSEEK_API_KEY="/);
  assert.match(keyInputProblem('Bearer sk-0123abcdef') ?? '', /without "Bearer "/);
  // Quotes or an equals sign inside a key are the key's own (a self-hosted proxy's generated key).
  assert.equal(keyInputProblem('sk-a"b\'c'), undefined);
  assert.equal(keyInputProblem('c2stMDEyMw=='), undefined);
  assert.equal(keyInputProblem('"sk-0123abcdef'), undefined);
});
