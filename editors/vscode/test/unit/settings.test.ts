// What the server is sent and when the user is asked for a key (src/settings.ts).
import * as assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { languageEnabled, needsKeyPrompt, toggleReport, userValue } from '../../src/settings';
import { stub } from './vscode-stub';

beforeEach(() => {
  // As VS Code does: an unset setting reads as its default contributed in package.json.
  stub.defaults = { 'deepseek.baseUrl': 'https://api.deepseek.com' };
  stub.config = {};
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
