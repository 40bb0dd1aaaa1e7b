// What the server is sent and when the user is asked for a key (src/settings.ts).
import * as assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { needsKeyPrompt, userValue } from '../../src/settings';
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
