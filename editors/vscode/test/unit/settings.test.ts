// What the server is sent and when the user is asked for a key (src/settings.ts).
import * as assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { noKeyPrompt } from '../../src/apiKey';
import { keyInSettings, languageEnabled, needsKeyPrompt, serverSettings, toggleReport, toggleTarget, userValue } from '../../src/settings';
import { stub } from './vscode-stub';

beforeEach(() => {
  // As VS Code does: an unset setting reads as its default contributed in package.json.
  stub.defaults = { 'deepseek.baseUrl': 'https://api.deepseek.com' };
  stub.config = {};
  stub.languageConfig = {};
});

test('a self-hosted endpoint set in DEEPSEEK_BASE_URL (deepseek.baseUrl unset) is not told to set an API key', () => {
  const env = { DEEPSEEK_BASE_URL: 'http://localhost:11434/v1' };
  assert.equal(userValue('baseUrl'), undefined);
  assert.equal(needsKeyPrompt(userValue('baseUrl'), env), false);
});

test('DeepSeek itself without a key is told to set one; a key in DEEPSEEK_API_KEY is enough', () => {
  assert.equal(needsKeyPrompt(userValue('baseUrl'), {}), true);
  assert.equal(needsKeyPrompt(userValue('baseUrl'), { DEEPSEEK_API_KEY: 'sk-x' }), false);
  // The setting wins over the environment, as in the server.
  stub.config = { 'deepseek.baseUrl': 'https://api.deepseek.com/v1' };
  assert.equal(needsKeyPrompt(userValue('baseUrl'), { DEEPSEEK_BASE_URL: 'http://localhost:8080' }), true);
  stub.config = { 'deepseek.baseUrl': 'http://127.0.0.1:8080' };
  assert.equal(needsKeyPrompt(userValue('baseUrl'), {}), false);
});

test('a gateway whose name or path merely holds "deepseek.com" is not told to set a key, as the server decides by the host', () => {
  // The server, the review CLI and doctor ask DeepSeek's host alone for a key (deepseek.com or
  // a host under it): these are servers of one's own, a LiteLLM gateway adding the key.
  for (const url of ['https://llm.corp/proxy/api.deepseek.com/v1', 'https://deepseek.company.net/v1', 'https://notdeepseek.com/v1']) {
    stub.config = { 'deepseek.baseUrl': url };
    assert.equal(needsKeyPrompt(userValue('baseUrl'), {}), false, url);
  }
  for (const url of ['https://api.deepseek.com', 'https://API.DeepSeek.com./v1', 'https://deepseek.com:443/v1']) {
    stub.config = { 'deepseek.baseUrl': url };
    assert.equal(needsKeyPrompt(userValue('baseUrl'), {}), true, url);
  }
});

test('llama.cpp with only fimBaseUrl set is not told to set a key: nothing goes to DeepSeek', () => {
  // Its reviews go to the llama-server too (baseUrl left at DeepSeek's): the key was asked for.
  stub.config = { 'deepseek.backend': 'llamacpp-infill', 'deepseek.fimBaseUrl': 'http://localhost:8080' };
  const ask = (env: NodeJS.ProcessEnv): boolean =>
    needsKeyPrompt(userValue('baseUrl'), env, userValue('fimBaseUrl'), userValue('backend'));
  assert.equal(ask({}), false);
  // Another backend's reviews go to baseUrl, DeepSeek's: a key is needed there.
  stub.config = { 'deepseek.backend': 'openai-suffix', 'deepseek.fimBaseUrl': 'http://localhost:11434/v1' };
  assert.equal(ask({}), true);
  // Reviews on a local server, completions from DeepSeek's (fimBaseUrl): DeepSeek wants the key.
  stub.config = {
    'deepseek.backend': 'chat',
    'deepseek.baseUrl': 'http://localhost:8000/v1',
    'deepseek.fimBaseUrl': 'https://api.deepseek.com/beta',
  };
  assert.equal(ask({}), true);
  // The same given in the server's environment.
  stub.config = {};
  assert.equal(ask({ DEEPSEEK_BACKEND: 'llamacpp-infill', DEEPSEEK_FIM_BASE_URL: 'http://localhost:8080' }), false);
});

test('"Toggle Completions" in a file whose language completion.languages turns off says so, not just "on"', () => {
  const languages = { markdown: false };
  const on = toggleReport(true, 'markdown', languages);
  assert.ok(on.notify);
  assert.match(on.text, /on, but not in this markdown file/);
  assert.match(on.text, /deepseek\.completion\.languages/);
  // Turned off there: not as if they had been on in that file.
  const off = toggleReport(false, 'markdown', languages);
  assert.match(off.text, /off .*already were/);
  // Anywhere else, and with no editor, the short status bar message as before.
  assert.deepEqual(toggleReport(true, 'python', languages), { text: 'DeepSeek completions on', notify: false });
  assert.deepEqual(toggleReport(false, undefined, languages), { text: 'DeepSeek completions off', notify: false });
  // A folder's own setting flipped says where.
  assert.equal(toggleReport(false, 'python', {}, ' in this folder').text, 'DeepSeek completions off in this folder');
});

test('completion.languages: a language named wins over "*", which wins over the default (on)', () => {
  assert.equal(languageEnabled({ '*': false, python: true }, 'python'), true);
  assert.equal(languageEnabled({ '*': false }, 'go'), false);
  assert.equal(languageEnabled({}, 'go'), true);
  assert.equal(languageEnabled(null, 'go'), true);
});

const KEYS = ['completion.enable', 'completion.languages', 'review.mode'];

test('"[markdown]": {"deepseek.completion.enable": false} reaches the server as Markdown turned off', () => {
  stub.languageConfig = { markdown: { 'deepseek.completion.enable': false } };
  // Before, the server was sent nothing and completed Markdown files.
  assert.deepEqual(serverSettings(KEYS), { completion: { enable: true, languages: { markdown: false } } });
  // With the user's own table kept; a language's enable and its table entry both must say on.
  stub.config = { 'deepseek.completion.languages': { go: false, markdown: true } };
  assert.deepEqual(serverSettings(KEYS), { completion: { enable: true, languages: { go: false, markdown: false } } });
});

test('completions turned off but on for Python ("[python]") reach the server as on in Python files only', () => {
  stub.config = { 'deepseek.completion.enable': false, 'deepseek.completion.languages': { python: false, go: true } };
  stub.languageConfig = { python: { 'deepseek.completion.enable': true }, rust: { 'deepseek.completion.enable': true } };
  // Python stays off by its table entry; Rust is on; Go (on in the table only) stays off with the rest.
  assert.deepEqual(serverSettings(KEYS).completion, { enable: true, languages: { '*': false, python: false, rust: true } });
});

test('a language override equal to the plain setting sends what was sent before', () => {
  stub.config = { 'deepseek.review.mode': 'onCommand' };
  stub.languageConfig = { python: { 'deepseek.completion.enable': true }, markdown: { 'editor.wordWrap': 'on' } };
  assert.deepEqual(serverSettings(KEYS), { review: { mode: 'onCommand' } });
  stub.config = { 'deepseek.completion.enable': false };
  stub.languageConfig = { python: { 'deepseek.completion.enable': false } };
  assert.deepEqual(serverSettings(KEYS), { completion: { enable: false } });
});

test('"Toggle Completions" in a file whose language has its own completion.enable flips that one', () => {
  // Flipping the plain setting changed nothing there: the language's value wins.
  assert.deepEqual(toggleTarget({ globalValue: true, globalLanguageValue: false }), { target: 'global', inLanguage: true });
  assert.deepEqual(toggleTarget({ workspaceFolderValue: false, workspaceLanguageValue: true }), { target: 'workspace', inLanguage: true });
  assert.deepEqual(toggleTarget({ workspaceFolderLanguageValue: true, globalLanguageValue: false }), { target: 'folder', inLanguage: true });
  assert.deepEqual(toggleTarget({ globalValue: true, workspaceFolderValue: false }), { target: 'folder', inLanguage: false });
  assert.deepEqual(toggleTarget(undefined), { target: 'global', inLanguage: false });
});

test('a key written as "deepseek.apiKey" in settings.json: the first start says it is not read and offers to move it', () => {
  // The server's README names an apiKey setting; VS Code never passed it on, and the user was
  // told only "no API key is set".
  stub.config = { 'deepseek.apiKey': '  sk-in-settings \n' };
  assert.equal(keyInSettings(), 'sk-in-settings');
  const said = noKeyPrompt(keyInSettings() !== undefined);
  assert.match(said.text, /"deepseek\.apiKey" in your settings is not read/);
  assert.deepEqual(said.actions, ['Move to Secret Storage', 'Set API Key']);
  // Without it, as before; never the key itself in what is shown.
  assert.ok(!said.text.includes('sk-in-settings'));
  stub.config = { 'deepseek.apiKey': '' };
  assert.equal(keyInSettings(), undefined);
  assert.deepEqual(noKeyPrompt(false).actions, ['Set API Key']);
});

test('a DEEPSEEK_API_KEY of spaces alone is no key, as the server reads it: DeepSeek asks for one', () => {
  // The server drops the spaces around a key: "  " is none, and its first request said "no API
  // key" where the extension had not asked for one.
  assert.equal(needsKeyPrompt(userValue('baseUrl'), { DEEPSEEK_API_KEY: '  ' }), true);
  assert.equal(needsKeyPrompt(userValue('baseUrl'), { DEEPSEEK_API_KEY: ' \n' }), true);
});

test('DEEPSEEK_FIM_API_KEY given for DeepSeek\'s FIM base is the key there, as the server sends it', () => {
  // The server sends fimApiKey to fimBaseUrl's host and port: reviews at the same host carry it
  // too, and no_key_for_deepseek asks for no apiKey; the extension asked for one all the same.
  const env = { DEEPSEEK_FIM_API_KEY: 'sk-x' };
  assert.equal(needsKeyPrompt(userValue('baseUrl'), env, 'https://api.deepseek.com/beta'), false);
  // Reviews at another DeepSeek host than the FIM key's still want the API key.
  stub.config = { 'deepseek.baseUrl': 'https://eu.deepseek.com' };
  assert.equal(needsKeyPrompt(userValue('baseUrl'), env, 'https://api.deepseek.com/beta'), true);
  // A fimApiKey without a fimBaseUrl goes nowhere (the server sends it to no server).
  stub.config = {};
  assert.equal(needsKeyPrompt(userValue('baseUrl'), env), true);
});
