// Where the server's stderr lines go in the DeepSeek log (src/serverLog.ts).
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import type * as vscode from 'vscode';
import { ServerStderr } from '../../src/serverLog';

function fakeChannel(lines: string[]): vscode.LogOutputChannel {
  const at = (level: string) => (line: string) => void lines.push(`${level}: ${line}`);
  return {
    trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'),
    appendLine: at('line'),
  } as unknown as vscode.LogOutputChannel;
}

const WARNING = '2026-12-02 07:00:00,123 WARNING deepseek_lsp.config: bad setting';
const ERROR = '2026-12-02 07:00:00,124 ERROR deepseek_lsp.server: cannot open the usage database';

test('before the server runs its warnings and errors are shown; once it runs they are debug lines (it logs them over LSP too)', () => {
  const lines: string[] = [];
  const stderr = new ServerStderr(fakeChannel(lines));
  stderr.line(WARNING);
  stderr.running(true);
  stderr.line(ERROR);
  stderr.line('Traceback (most recent call last):');
  stderr.line('');
  assert.deepEqual(lines, [
    'warn: deepseek_lsp.config: bad setting',
    'debug: [stderr] ERROR deepseek_lsp.server: cannot open the usage database',
    'line: Traceback (most recent call last):',
  ]);
});

test('a server process restarted after a crash shows why it fails to start again', () => {
  // The language client restarts a crashed server itself: the first process had got as far as
  // window/logMessage, and the new one's start-up errors were debug lines, hidden.
  const lines: string[] = [];
  const first = new ServerStderr(fakeChannel(lines));
  first.running(true);
  first.running(false); // the crash: the client is starting the server again
  first.line(ERROR);
  const second = new ServerStderr(fakeChannel(lines));
  second.line(ERROR);
  assert.deepEqual(lines, [
    'error: deepseek_lsp.server: cannot open the usage database',
    'error: deepseek_lsp.server: cannot open the usage database',
  ]);
});
