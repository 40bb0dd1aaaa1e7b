// The server's setting names said as VS Code's (src/settingNames.ts), in pop-ups and the tooltip.
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import packageJSON from '../../package.json';
import { textWithLinks } from '../../src/markdownText';
import { settingMatcher, withSettingLinks, withSettingNames } from '../../src/settingNames';
import { serverKeys } from '../../src/settings';

const keys = serverKeys(packageJSON);
const matcher = settingMatcher(keys);

test("the server's 404 under a base URL without /v1 names deepseek.baseUrl and deepseek.fimBaseUrl", () => {
  // model/errors.py's words, shared with Neovim and Emacs, whose configurations say baseUrl.
  const said =
    'Ollama at http://127.0.0.1:11434 has no /completions (404 page not found). ' +
    'Set baseUrl (or fimBaseUrl, for the completion server) to http://127.0.0.1:11434/v1: Ollama, vLLM, ...';
  assert.equal(
    withSettingNames(said, matcher),
    'Ollama at http://127.0.0.1:11434 has no /completions (404 page not found). ' +
      'Set deepseek.baseUrl (or deepseek.fimBaseUrl, for the completion server) to http://127.0.0.1:11434/v1: Ollama, vLLM, ...',
  );
  assert.equal(
    withSettingNames('no model qwen2.5-coder:1.5b: set completion.model to one (qwen2.5-coder, ...)', matcher),
    'no model qwen2.5-coder:1.5b: set deepseek.completion.model to one (qwen2.5-coder, ...)',
  );
  assert.equal(
    withSettingNames("invalid value 'x' for 'completion.debounce' (a number); 'completion.debounceMinMs' exceeds 'debounceMaxMs'", matcher),
    "invalid value 'x' for 'deepseek.completion.debounce' (a number); 'deepseek.completion.debounceMinMs' exceeds 'debounceMaxMs'",
  );
});

test('words that are no setting stay as they are', () => {
  for (const text of [
    // A one-word key is a setting only when quoted: here it is the model server.
    "the backend's latency; backend 'chat'",
    // Names already VS Code's, command ids, environment variables, a key in a longer word.
    'set deepseek.baseUrl; run deepseek.review.again; DEEPSEEK_BASE_URL; mybaseUrl; baseUrls',
    'see http://host/docs/baseUrl/ and http://host/allowHttp',
    // Not a VS Code setting (the key lives in secret storage): never "deepseek.apiKey".
    'apiKey is empty',
  ]) {
    assert.equal(withSettingNames(text, matcher), text);
  }
  assert.equal(withSettingNames("set 'backend' to chat", matcher), "set 'deepseek.backend' to chat");
  assert.equal(withSettingNames('set baseUrl', undefined), 'set baseUrl');
});

test('a setting named is a link opening it, in a pop-up and in the tooltip', () => {
  const link = '[deepseek.allowHttp](command:workbench.action.openSettings?%5B%22deepseek.allowHttp%22%5D)';
  assert.equal(withSettingLinks('or set allowHttp to true', matcher), `or set ${link} to true`);
  // In the tooltip's Markdown, next to an address linked to itself.
  assert.equal(
    textWithLinks('Set baseUrl to http://h:1/v1: then retry_now', matcher),
    'Set [deepseek.baseUrl](command:workbench.action.openSettings?%5B%22deepseek.baseUrl%22%5D) to ' +
      '[http://h:1/v1](http://h:1/v1): then retry\\_now',
  );
});
