// The server's setting names said as VS Code's (src/settingNames.ts), in pop-ups and the tooltip.
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import packageJSON from '../../package.json';
import { textWithLinks } from '../../src/markdownText';
import {
  settingLink,
  settingMatcher,
  withSettingLinks,
  withSettingNames,
} from '../../src/settingNames';
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
    withSettingNames(
      "invalid value 'x' for 'completion.debounce' (a number); " +
        "'completion.debounceMinMs' exceeds 'completion.debounceMaxMs'",
      matcher,
    ),
    "invalid value 'x' for 'deepseek.completion.debounce' (a number); " +
      "'deepseek.completion.debounceMinMs' exceeds 'deepseek.completion.debounceMaxMs'",
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

test("a setting the environment gave is the variable's: no link to VS Code's setting of that name", () => {
  // config._naming_variables' words: the variable had the typo, the Settings editor has no
  // baseUrl set (the server names the variable for that very reason).
  for (const text of [
    "settings: DEEPSEEK_BASE_URL: invalid URL 'ftp://x' for 'baseUrl'; using the default",
    "settings: DEEPSEEK_COMPLETION_MODEL: invalid value 3 for 'completion.model' (a string); using the default",
  ]) {
    assert.equal(withSettingNames(text, matcher), text);
    assert.equal(withSettingLinks(text, matcher), text);
  }
  // Named next to the variable as either place to look: still VS Code's setting too.
  assert.equal(
    withSettingNames("check 'baseUrl' or DEEPSEEK_BASE_URL", matcher),
    "check 'deepseek.baseUrl' or DEEPSEEK_BASE_URL",
  );
  // One problem per line: the next line's setting is the editor's.
  assert.equal(
    withSettingNames("DEEPSEEK_BACKEND: invalid value for 'backend'\ninvalid value for 'backend'", matcher),
    "DEEPSEEK_BACKEND: invalid value for 'backend'\ninvalid value for 'deepseek.backend'",
  );
});

test("a key within an address's query or fragment, or a Windows path, stays in it", () => {
  for (const text of [
    'Ollama at http://h:1/v1?x=baseUrl has no /completions',
    'see https://h/docs#completion.model and http://h/?q=allowHttp',
    'cannot read C:\\cfg\\baseUrl',
  ]) {
    assert.equal(withSettingNames(text, matcher), text);
  }
  assert.equal(
    textWithLinks('Ollama at http://h:1/v1?x=baseUrl: set baseUrl', matcher),
    'Ollama at [http://h:1/v1?x=baseUrl](http://h:1/v1?x=baseUrl): set ' +
      '[deepseek.baseUrl](command:workbench.action.openSettings?%5B%22deepseek.baseUrl%22%5D)',
  );
});

// VS Code's notifications make a link of [text](target) for these schemes and run a command
// link when clicked (vs/workbench/common/notifications.ts, LINK_REGEX).
const NOTIFICATION_LINK =
  /\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^)\s]+)(?: (["'])(.+?)(\3))?\)/gi;

test("a pop-up's only links are the settings it names: the model server's words make none", () => {
  // An endpoint's error body is quoted in the server's message (up to 300 characters): a link
  // in it ran any command with any arguments when clicked (a terminal's input, say).
  const said =
    'The model server at 127.0.0.1:8000 refused the request (400: [Fix it](command:' +
    'workbench.action.terminal.sendSequence?%7B%22text%22%3A%22x%22%7D) ' +
    'or see [docs](https://evil.example/)). Set baseUrl to http://127.0.0.1:8000/v1';
  const shown = withSettingLinks(said, matcher);
  assert.deepEqual(
    [...shown.matchAll(NOTIFICATION_LINK)].map((m) => m[2]),
    ['command:workbench.action.openSettings?%5B%22deepseek.baseUrl%22%5D'],
  );
  // The words read as they were (a zero-width space between "]" and "(").
  assert.equal(
    shown.replace(/\u200b/g, ''),
    said.replace('Set baseUrl', `Set ${settingLink('deepseek.baseUrl')}`),
  );
});
