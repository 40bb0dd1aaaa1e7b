// The status bar item (src/statusBar.ts): which status is shown for the file being edited.
import * as assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { notRunningPrompt, StatusBar, UsageJSON } from '../../src/statusBar';
import { showUsage } from '../../src/usage';
import { stub, switchEditor, window } from './vscode-stub';

const A = 'file:///proj/a.py';
const B = 'file:///proj/b.py';

function shown(bar: StatusBar): string {
  return `${bar.item.text} | ${(bar.item.tooltip as { value: string }).value}`;
}

beforeEach(() => {
  stub.activeUri = undefined;
  stub.editorListeners = [];
});

test("a file's failed review, reviewed again with success: its Warning is no longer shown", () => {
  switchEditor(A);
  const bar = new StatusBar();
  bar.setLifecycle('running');
  // The server (review/feature.py _report): the review of a.py failed...
  bar.setStatus({ kind: 'Warning', message: 'review of a.py failed: timed out. Save again to retry.', feature: 'review', uri: A });
  assert.match(shown(bar), /warning/);
  // ...then, saved again ("DeepSeek: Review Current File", no typing in between), it succeeded:
  // the server clears that file's own problem with a Normal review status.
  bar.setStatus({ kind: 'Normal', message: '', feature: 'review', uri: '' });
  assert.doesNotMatch(shown(bar), /failed|warning/i, shown(bar));
  switchEditor(B);
  switchEditor(A);
  assert.doesNotMatch(shown(bar), /failed|warning/i, shown(bar));
  bar.dispose();
});

test("a review paused for the whole server (key rejected) is shown on the file whose last review failed", () => {
  switchEditor(A);
  const bar = new StatusBar();
  bar.setLifecycle('running');
  bar.setStatus({ kind: 'Warning', message: 'review of a.py failed: timed out. Save again to retry.', feature: 'review', uri: A });
  bar.setStatus({ kind: 'Error', message: 'review paused: the API key was rejected', feature: 'review', uri: '' });
  assert.match(shown(bar), /API key was rejected/, shown(bar));
  bar.dispose();
});

test("another file's failed review stays kept for that file, and an excluded file stays Inactive", () => {
  switchEditor(A);
  const bar = new StatusBar();
  bar.setLifecycle('running');
  bar.setStatus({ kind: 'Warning', message: 'review of a.py failed: timed out.', feature: 'review', uri: A });
  switchEditor(B);
  // b.py is excluded: Inactive for it; then typing elsewhere makes completion Normal again.
  bar.setStatus({ kind: 'Inactive', message: 'excluded by deepseek.exclude', feature: 'completion', uri: B });
  bar.setStatus({ kind: 'Normal', message: '', feature: 'completion', uri: '' });
  assert.match(shown(bar), /excluded/, shown(bar));
  switchEditor(A);
  assert.match(shown(bar), /review of a\.py failed/, shown(bar));
  bar.dispose();
});

/** Makes a notebook on `uri` the active notebook editor (undefined: none). */
function stubNotebook(uri: string | undefined): void {
  (window as { activeNotebookEditor: unknown }).activeNotebookEditor = uri ? { notebook: { uri: { toString: () => uri } } } : undefined;
}

const noCommands = { log() {}, setKey() {}, restart() {} };

test('clicking the red item of a server that was not found: the usage quick pick says Error and why, not "Normal"', async () => {
  switchEditor(A);
  const bar = new StatusBar();
  bar.setLifecycle('starting');
  const why = 'deepseek-lsp was not found. Tried: /opt/py/bin/python -m deepseek_lsp: not found';
  bar.setLifecycle('failed', why);
  stub.quickPicks = [];
  // As extension.ts calls it: no server, so no usage.
  await showUsage(async () => undefined, () => bar.displayed, noCommands);
  const first = stub.quickPicks[0].items[0];
  assert.match(first.label, /Status: Error/, first.label);
  assert.equal(first.detail, why);
  bar.dispose();
});

test("the usage quick pick shows the status of the file being edited, as the item does, not another file's", async () => {
  switchEditor(A);
  const bar = new StatusBar();
  bar.setLifecycle('running');
  const usage: UsageJSON = {
    today: { day: '2025-01-02', models: {}, total: {} },
    month: { month: '2025-01', models: {}, total: {} },
    // The server's last word: about b.py, excluded (typed in a moment ago, in another group).
    status: { kind: 'Inactive', message: 'b.py matches an exclusion pattern; nothing is sent', feature: 'completion', uri: B },
  };
  stub.quickPicks = [];
  await showUsage(
    async () => {
      bar.setUsage(usage);
      return usage;
    },
    () => bar.displayed,
    noCommands,
  );
  assert.doesNotMatch(shown(bar), /exclusion/);
  const first = stub.quickPicks[0].items[0];
  assert.match(first.label, /Status: Normal/, `${first.label} ${first.detail}`);
  bar.dispose();
});

test('"Review Current File" in an untrusted workspace says why there is no server, without a "Restart Server" that does nothing', () => {
  const untrusted = notRunningPrompt('untrusted', '');
  assert.match(untrusted.message, /not trusted/);
  assert.ok(!untrusted.actions.includes('Restart Server'), untrusted.actions.join());
  assert.ok(untrusted.actions.includes('Manage Workspace Trust'));
  // A server that was not found: the reason, not only "not running".
  const why = 'deepseek-lsp was not found. Tried: python3 -m deepseek_lsp: not found.';
  const failed = notRunningPrompt('failed', why);
  assert.ok(failed.message.includes(why), failed.message);
  assert.ok(failed.actions.includes('Restart Server'));
});

test('a notebook made small enough: once its cells get suggestions again, it is no longer shown Inactive', () => {
  const NB = 'file:///proj/big.ipynb';
  const CELL = 'vscode-notebook-cell:/proj/big.ipynb#W1sZmlsZQ%3D%3D';
  stubNotebook(NB);
  switchEditor(CELL);
  const bar = new StatusBar();
  bar.setLifecycle('running');
  bar.setStatus({ kind: 'Inactive', message: 'big.ipynb#cells is larger than 1000000 bytes; nothing is sent', feature: 'completion', uri: `${NB}#cells` });
  assert.match(shown(bar), /larger than/);
  // The big cells deleted: the server turns completion Normal again and answers the cell.
  bar.setStatus({ kind: 'Normal', message: '', feature: 'completion', uri: '' });
  bar.settled(CELL, NB); // as extension.ts's provideInlineCompletionItems middleware calls it
  assert.doesNotMatch(shown(bar), /larger than/, shown(bar));
  stubNotebook(undefined);
  bar.dispose();
});
