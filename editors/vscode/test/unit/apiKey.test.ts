// "DeepSeek: Set API Key" / "Clear API Key" (src/apiKey.ts).
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { afterKeyCleared, isKeyRejectedMessage, isNoKeyMessage, keyClearedMessage, keyInputProblem } from '../../src/apiKey';

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
  assert.equal(keyClearedMessage(true, {}).notify, true);
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

test('"Clear API Key" says the key was cleared and how to set one again, and its "no API key" is no alarm', () => {
  const said = keyClearedMessage(true, {});
  assert.ok(said.notify);
  assert.match(said.text, /API key was cleared/);
  assert.match(said.text, /DeepSeek: Set API Key/);
  assert.deepEqual(said.actions, ['Set API Key']);
  // The restarted server's message and status (usage_feature.py) are recognised...
  const server = 'no API key: set DEEPSEEK_API_KEY in the server\'s environment or the apiKey setting';
  assert.ok(isNoKeyMessage(`DeepSeek: ${server}`));
  assert.ok(!isNoKeyMessage('DeepSeek: the API key was rejected (401)'));
  // ...and the red Error becomes Inactive, saying it was the user's choice.
  const calm = afterKeyCleared({ kind: 'Error', message: server, feature: 'config' });
  assert.equal(calm.kind, 'Inactive');
  assert.match(calm.message, /you cleared it.*Set API Key/);
  // A key rejected is still an Error.
  const rejected = { kind: 'Error' as const, message: 'the API key was rejected (401)', feature: 'completion' };
  assert.deepEqual(afterKeyCleared(rejected), rejected);
});

test('a server of one\'s own that asks for a key and has none is "no API key" too: asked once, calm after a clear', () => {
  // The server no longer says "no API key" at start for a base URL that is not DeepSeek's (a
  // gateway may take none); one that does answers 401, said as below. It was shown as a plain
  // error with no "Set API Key", and after "Clear API Key" turned the status red.
  const server = "The model server at 127.0.0.1:8080 asks for a key (401) and none is set: set DEEPSEEK_API_KEY in the server's environment (VS Code: run 'DeepSeek: Set API Key').";
  assert.ok(isNoKeyMessage(server));
  assert.ok(isNoKeyMessage(`DeepSeek: ${server}`));
  assert.ok(!isKeyRejectedMessage(server));
  const calm = afterKeyCleared({ kind: 'Error', message: server, feature: 'completion' });
  assert.equal(calm.kind, 'Inactive');
});

test('the server\'s "rejected the API key" (DeepSeek\'s or a self-hosted server\'s) is told apart from "no API key"', () => {
  // Its pop-up offers "Set API Key", and the same key entered again restarts the server: it
  // asks nothing more once a key is rejected (model/errors.py AuthenticationError).
  const hint = "set DEEPSEEK_API_KEY in the server's environment (VS Code: run 'DeepSeek: Set API Key').";
  assert.ok(isKeyRejectedMessage(`DeepSeek rejected the API key (401): ${hint}`));
  assert.ok(isKeyRejectedMessage(`The model server at 127.0.0.1 rejected the API key (401): ${hint}`));
  assert.ok(!isKeyRejectedMessage('DeepSeek: no API key is set; completions and review need one.'));
  assert.ok(!isKeyRejectedMessage('DeepSeek answered 429, rate limit reached; requests will resume shortly.'));
});
