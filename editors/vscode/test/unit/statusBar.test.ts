// The status bar item (src/statusBar.ts): which status is shown for the file being edited.
import * as assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { notRunningPrompt, sessionLine, StatusBar, UsageJSON } from '../../src/statusBar';
import { firstItem, shownParams } from '../../src/shownItems';
import { showUsage } from '../../src/usage';
import { stub, switchEditor, window } from './vscode-stub';

const A = 'file:///proj/a.py';
const B = 'file:///proj/b.py';

/** The item's text and its tooltip as read: the Markdown's escapes (`\\$`) taken out. */
function shown(bar: StatusBar): string {
  return `${bar.item.text} | ${(bar.item.tooltip as { value: string }).value.replace(/\\(.)/g, '$1')}`;
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

test("a file's good review after another file's failure ends its Warning, keeps the other's, and hides no later problem", () => {
  switchEditor(A);
  const bar = new StatusBar();
  bar.setLifecycle('running');
  bar.setStatus({ kind: 'Warning', message: 'review of a.py failed: timed out. Save again to retry.', feature: 'review', uri: A });
  bar.setStatus({ kind: 'Warning', message: 'review of b.py failed: timed out. Save again to retry.', feature: 'review', uri: B });
  // a.py saved again and reviewed with success: the server (review/outcome_status.py) says
  // a.py's own end, then b.py's failure again, which still stands.
  bar.setStatus({ kind: 'Normal', message: '', feature: 'review', uri: A });
  bar.setStatus({ kind: 'Warning', message: 'review of b.py failed: timed out. Save again to retry.', feature: 'review', uri: B });
  assert.doesNotMatch(shown(bar), /failed|warning/i, shown(bar));
  switchEditor(B);
  assert.match(shown(bar), /review of b\.py failed/, shown(bar));
  // Then the key is rejected, every file's problem: a.py shows it, not a Normal kept for it.
  bar.setStatus({ kind: 'Error', message: 'the API key was rejected', feature: 'config', uri: '' });
  switchEditor(A);
  assert.match(shown(bar), /API key was rejected/, shown(bar));
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

/** A day and month with nothing spent, and the server's last status. */
function emptyUsage(status: UsageJSON['status']): UsageJSON {
  return { today: { day: '2025-01-02', models: {}, total: {} }, month: { month: '2025-01', models: {}, total: {} }, status };
}

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
  // The server's last word: about b.py, excluded (typed in a moment ago, in another group).
  const usage = emptyUsage({ kind: 'Inactive', message: 'b.py matches an exclusion pattern; nothing is sent', feature: 'completion', uri: B });
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

test('a document the server never gets (the Output pane, settings.json, a git revision) is Inactive, saying why, not "Normal", "Ready."', () => {
  switchEditor(A);
  const bar = new StatusBar();
  bar.setLifecycle('running');
  assert.match(shown(bar), /sparkle/);
  for (const [uri, what] of [
    ['output:extension-output-deepseek-lsp.deepseek-vscode-%231-DeepSeek', /Output pane/],
    ['vscode-userdata:/home/me/.config/Code/User/settings.json', /VS Code's own settings/],
    ['git:/proj/a.py?%7B%22ref%22%3A%22HEAD%22%7D', /git revision/],
    ['vscode-vfs://github/me/repo/a.py', /"vscode-vfs:" document/],
  ] as const) {
    switchEditor(uri);
    assert.match(shown(bar), /circle-slash/, uri);
    assert.match(shown(bar), what, shown(bar));
    assert.doesNotMatch(shown(bar), /Ready/);
    assert.equal(bar.displayed.kind, 'Inactive');
  }
  // A problem of every file's is what to fix first: still shown there.
  bar.setStatus({ kind: 'Error', message: 'the API key was rejected', feature: 'completion', uri: '' });
  assert.match(shown(bar), /rejected/);
  switchEditor(A);
  assert.match(shown(bar), /rejected/);
  bar.dispose();
});

test('after "Clear API Key" the server\'s "no API key" shows as Inactive, not as a red Error', () => {
  switchEditor(A);
  const bar = new StatusBar();
  bar.setLifecycle('running');
  const noKey = { kind: 'Error' as const, message: 'no API key: set DEEPSEEK_API_KEY in the server\'s environment', feature: 'config' };
  // At a first start without a key it is an Error (nothing works until one is set).
  bar.setStatus(noKey);
  assert.match(shown(bar), /\$\(error\)/);
  bar.setKeyCleared(true);
  assert.match(shown(bar), /circle-slash/);
  assert.match(shown(bar), /you cleared it/);
  assert.equal(bar.item.backgroundColor, undefined);
  bar.setKeyCleared(false);
  assert.match(shown(bar), /\$\(error\)/);
  bar.dispose();
});

test('at a first start without a key, clicking the red item offers "Set API key" first, not below the empty tables', async () => {
  switchEditor(A);
  const bar = new StatusBar();
  bar.setLifecycle('running');
  const usage = emptyUsage({ kind: 'Error', message: "no API key: set DEEPSEEK_API_KEY in the server's environment", feature: 'config' });
  stub.quickPicks = [];
  await showUsage(async () => (bar.setUsage(usage), usage), () => bar.displayed, noCommands);
  const items = stub.quickPicks[0].items as { label: string; action?: string }[];
  assert.match(items[0].label, /Status: Error/);
  assert.equal((items[0] as { action?: string }).action, 'key');
  assert.match(items[1].label, /Set API key/);
  assert.equal(items.filter((i) => /Set API key/.test(i.label)).length, 1);
  bar.dispose();
});

test("the tooltip counts today's requests in words: 1 request, 2 requests", () => {
  switchEditor(A);
  const bar = new StatusBar();
  bar.setLifecycle('running');
  const day = (requests: number): UsageJSON => ({ today: { day: '2025-01-02', models: {}, total: { requests, cost_usd: 0.01 } } });
  bar.setUsage(day(1));
  assert.match(shown(bar), /\(1 request\)/, shown(bar));
  bar.setUsage(day(1234));
  assert.match(shown(bar), /\(1,234 requests\)/, shown(bar));
  bar.dispose();
});

test('a day of requests a gateway billed without saying what reads "cost unknown" on the item, not $0.00', () => {
  switchEditor(A);
  const bar = new StatusBar();
  bar.setLifecycle('running');
  const usage = emptyUsage({ kind: 'Normal', message: '' });
  usage.today.total = { requests: 2, cost_usd: 0, unknown_cost: 2 };
  usage.month.total = { ...usage.today.total };
  bar.setUsage(usage);
  assert.match(bar.item.text, /DeepSeek cost unknown$/, bar.item.text);
  assert.match(shown(bar), /Today: cost unknown \(2 requests\)/, shown(bar));
  assert.doesNotMatch(shown(bar), /\$0\.00/, shown(bar));
  bar.dispose();
});

test('a day whose cost is estimated in part at list prices reads "~" on the item and in the tooltip', () => {
  switchEditor(A);
  const bar = new StatusBar();
  bar.setLifecycle('running');
  const usage = emptyUsage({ kind: 'Normal', message: '' });
  usage.today.total = { requests: 2, cost_usd: 0.0123, estimated_usd: 0.01 };
  usage.month.total = { ...usage.today.total };
  bar.setUsage(usage);
  assert.match(bar.item.text, /DeepSeek ~\$0\.01$/, bar.item.text);
  assert.match(shown(bar), /Today: ~\$0\.01 \(2 requests\)/, shown(bar));
  bar.dispose();
});

test("the tooltip tells the session's suggestions, their latency and cost", () => {
  switchEditor(A);
  const bar = new StatusBar();
  bar.setLifecycle('running');
  bar.setUsage({
    today: { models: {}, total: { requests: 9, cost_usd: 0.02 } },
    month: { models: {}, total: { cost_usd: 0.5 } },
    session: { models: {}, total: { requests: 5, cost_usd: 0.0012 } },
  });
  // A server that counted none shown: accepted over the requests, no rate.
  bar.setStats({ requests: 5, shown: 0, accepted: 2, acceptanceRate: null, latencyMs: { p50: 231.6 } });
  assert.match(shown(bar), /This session: 2 suggestions accepted \(of 5 requests\) · latency p50 232 ms · \$0\.0012/);
  // A client that reports them (Neovim's plugin) gets the rate.
  bar.setStats({ requests: 8, shown: 4, accepted: 1, acceptanceRate: 0.25, latencyMs: { p50: null } });
  assert.match(shown(bar), /This session: 1 suggestion accepted of 4 shown \(25 %\) · \$0\.0012/);
  bar.setStats({ requests: 3, accepted: 0, latencyMs: { p50: 0.4 } });
  assert.match(shown(bar), /This session: 0 suggestions accepted \(of 3 requests\) · latency p50 <1 ms/);
});

test('the spinner shows while a suggestion of the file being edited is awaited, not of another', async () => {
  switchEditor(A);
  const bar = new StatusBar();
  bar.setLifecycle('running');
  const done = bar.waiting.begin(A);
  await new Promise((resolve) => setTimeout(resolve, 250));
  assert.match(shown(bar), /^\$\(loading~spin\) DeepSeek .*Waiting for a suggestion/s);
  switchEditor(B);
  assert.match(shown(bar), /^\$\(sparkle\) DeepSeek/);
  switchEditor(A);
  done(false);
  assert.match(shown(bar), /^\$\(sparkle\) DeepSeek/);
  assert.doesNotMatch(shown(bar), /Waiting/);
});

test('the spinner goes when the server stops, with a request unanswered', async () => {
  switchEditor(A);
  const bar = new StatusBar();
  bar.setLifecycle('running');
  bar.waiting.begin(A);
  await new Promise((resolve) => setTimeout(resolve, 250));
  assert.match(shown(bar), /loading~spin/);
  bar.setLifecycle('stopped');
  bar.setLifecycle('running');
  assert.doesNotMatch(shown(bar), /loading~spin/);
});

test("an Error's address in the tooltip is a link of its own, the sentence after it is not in it", () => {
  switchEditor(A);
  const bar = new StatusBar();
  bar.setLifecycle('running');
  const message = 'The model server at 127.0.0.1:11434 has no /completions (404: 404 page not found). ' +
    'Set baseUrl to http://127.0.0.1:11434/v1: Ollama serves the OpenAI API under /v1.';
  bar.setStatus({ kind: 'Error', message, feature: 'completion', uri: '' });
  assert.match(shown(bar), /to \[http:\/\/127\.0\.0\.1:11434\/v1\]\(http:\/\/127\.0\.0\.1:11434\/v1\): Ollama serves/, shown(bar));
  bar.dispose();
});

test('after one failed request the tooltip tells the failure, not "0 suggestions accepted (of 0 requests)"', () => {
  // deepseek/completionStats counts no request whose model call failed (a rejected key).
  const stats = { requests: 0, shown: 0, accepted: 0, acceptanceRate: null, latencyMs: { p50: null } };
  const line = sessionLine(stats, { requests: 1, errors: 1, cost_usd: 0 });
  assert.equal(line, 'This session: 1 request to the model failed · $0.00');
  // Nothing asked yet: no counts at all, only the cost.
  assert.equal(sessionLine(stats, { requests: 0, cost_usd: 0 }), 'This session: $0.00');
});

test('the tooltip says the suggestions accepted over those shown, the failures after them', () => {
  const stats = { requests: 9, shown: 4, accepted: 1, acceptanceRate: 0.25, latencyMs: { p50: 120.4 } };
  assert.equal(
    sessionLine(stats, { requests: 6, errors: 2, cost_usd: 0.0123 }),
    'This session: 1 suggestion accepted of 4 shown (25 %) · latency p50 120 ms · 2 requests to the model failed · $0.01',
  );
  // A server that counted none shown (older): over the requests, as before.
  assert.match(sessionLine({ ...stats, shown: 0, acceptanceRate: null }, undefined), /^This session: 1 suggestion accepted \(of 9 requests\)/);
  // Accepts undone (Ctrl+Z) are no accepts: said, the count not being mistaken for a lost one.
  assert.match(sessionLine({ ...stats, undone: 2 }, undefined), /^This session: 1 suggestion accepted of 4 shown \(25 %\), 2 undone ·/);
});

test("the server is told of the first item of an answer, by its accept command's arguments", () => {
  const accept = 'deepseek.completionAccepted';
  const items = [
    { insertText: 'a + b', command: { title: 'accepted', command: accept, arguments: [{ id: '7', uri: 'file:///a.py' }] } },
    { insertText: 'b + a', command: { title: 'accepted', command: accept, arguments: [{ id: '8' }] } },
  ];
  const first = firstItem(items as never);
  assert.deepEqual(shownParams(first!, accept), {
    item: { insertText: 'a + b', command: { title: 'accepted', command: accept, arguments: [{ id: '7', uri: 'file:///a.py' }] } },
  });
  assert.equal(firstItem({ items } as never), items[0]);
  assert.equal(firstItem(undefined), undefined);
  // Another provider's item, or one with nothing to tell it by: nothing sent.
  assert.equal(shownParams({ insertText: 'x', command: { title: '', command: 'other.cmd', arguments: [{ id: '1' }] } }, accept), undefined);
  assert.equal(shownParams({ insertText: 'x', command: { title: '', command: accept, arguments: [] } }, accept), undefined);
  assert.equal(shownParams({ insertText: 'x' }, accept), undefined);
});
