// The API key never reaches the DeepSeek output channel (src/redact.ts).
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import type * as vscode from 'vscode';
import { redacting } from '../../src/redact';

function fakeChannel(lines: string[]): vscode.LogOutputChannel {
  const write = (line: string) => void lines.push(line);
  return { trace: write, debug: write, info: write, warn: write, error: write, appendLine: write, logLevel: 1 } as unknown as vscode.LogOutputChannel;
}

test('the verbose LSP trace of initialize does not show a key holding a quote or a backslash', () => {
  const key = 'lm-Ab"c\\d$^.*(x)';
  const lines: string[] = [];
  const log = redacting(fakeChannel(lines), () => key);
  // What vscode-jsonrpc writes with "deepseek.trace.server": "verbose" (JSON.stringify of the params).
  const params = { processId: 1, initializationOptions: { apiKey: key } };
  log.trace(`Sending request 'initialize - (0)'.\nParams: ${JSON.stringify(params, null, 4)}`);
  log.info(`a line with the key ${key} as is`);
  for (const line of lines) {
    assert.ok(!line.includes(key) && !line.includes(JSON.stringify(key).slice(1, -1)), line);
  }
  assert.match(lines[0], /"apiKey": "\*\*\*"/);
  assert.equal(lines[1], 'a line with the key *** as is');
  assert.equal(log.logLevel, 1);
});
