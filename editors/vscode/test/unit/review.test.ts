// "DeepSeek: Review Current File" (src/review.ts): what it says of the server's answer.
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { notSentReport, reviewReport, unignoredText, unignoreArguments, withoutFindingIds } from '../../src/review';

test('a review whose answer was cut short does not say "no findings" alone: it warns that it is incomplete', () => {
  // review/command.py ReviewCommand.run: ok (no request failed), but the model's answer ended at its
  // token limit and part of the file went unreviewed.
  const answer = {
    ok: true,
    findings: 0,
    problems: ["the model's answer was incomplete (length); valid findings were kept"],
    errors: [],
  };
  const report = reviewReport('cut.py', answer, false);
  assert.equal(report?.kind, 'warning');
  assert.match(report!.text, /cut\.py: no findings; the model's answer was incomplete/);
  // A whole review stays a passing status bar message.
  assert.deepEqual(reviewReport('calc.py', { ok: true, findings: 2, problems: [], errors: [] }, false), {
    kind: 'status',
    text: 'DeepSeek review of calc.py: 2 findings',
  });
  assert.equal(reviewReport('calc.py', { ok: false, reason: 'document is not open' }, false)?.kind, 'warning');
});

test('a review under way when the server restarts (Set/Clear API Key, Restart Server) says so, not "superseded by a newer review"', () => {
  // What the server answers as it shuts down (it cancels its reviews), and what the client
  // rejects a pending request with when the connection goes.
  for (const answer of [
    { ok: false, reason: 'superseded by a newer review' },
    { ok: false, reason: 'Pending response rejected since connection got disposed' },
  ]) {
    const report = reviewReport('slow.py', answer, true);
    assert.equal(report?.kind, 'warning');
    assert.doesNotMatch(report!.text, /superseded|disposed/);
    assert.match(report!.text, /slow\.py was stopped: the language server restarted/);
  }
});

test('"Review Current File" on a document the server is never sent (a git revision, the user settings.json) says why, not "document is not open"', () => {
  for (const scheme of ['git', 'vscode-userdata', 'vscode-vfs']) {
    const report = notSentReport('calc.py', scheme);
    assert.equal(report?.kind, 'warning', scheme);
    assert.match(report!.text, new RegExp(`calc\\.py is a "${scheme}:" document`));
    assert.match(report!.text, /Open the file itself/);
    assert.doesNotMatch(report!.text, /not open/);
  }
  // Files, untitled documents and notebook cells are sent: their review goes to the server.
  for (const scheme of ['file', 'untitled', 'vscode-notebook-cell']) {
    assert.equal(notSentReport('calc.py', scheme), undefined, scheme);
  }
});

test('"Show Ignored Review Findings Again" names the project of the file being edited, not every project the user opened', () => {
  // The server's deepseek.review.unignoreAll shows again the findings ignored in the project of
  // the file it is given; given none, every workspace folder's.
  const file = 'file:///work/shop/app.py';
  const notebook = 'file:///work/shop/analysis.ipynb';
  const folders = ['file:///work/shop', 'file:///work/billing'];
  assert.deepEqual(unignoreArguments(file, notebook, folders), [file]);
  assert.deepEqual(unignoreArguments(undefined, notebook, folders), [notebook]);
  assert.deepEqual(unignoreArguments(undefined, undefined, ['file:///work/shop']), ['file:///work/shop']);
  assert.deepEqual(unignoreArguments(undefined, undefined, folders), []);
  assert.equal(unignoredText(2, true), 'DeepSeek: 2 ignored findings shown again in this project');
  assert.equal(unignoredText(1, false), 'DeepSeek: 1 ignored finding shown again in the workspace');
  assert.equal(unignoredText(null, true), 'DeepSeek: 0 ignored findings shown again in this project');
});

test('a review finding is shown without its id hash; its data (the way back to its fixes) is kept', () => {
  // What vscode-languageclient makes of publishing.py's diagnostic: VS Code showed
  // "deepseek-review(745172cf4b5e)" in the hover and the Problems panel.
  class ProtocolDiagnostic {
    data = { id: '745172cf4b5e' };
    constructor(public source: string, public code: unknown) {}
  }
  const review = new ProtocolDiagnostic('deepseek-review', '745172cf4b5e');
  const other = new ProtocolDiagnostic('Pylance', 'reportUndefinedVariable');
  const shown = withoutFindingIds([review, other]);
  assert.equal(shown[0].code, undefined);
  assert.ok(shown[0] instanceof ProtocolDiagnostic, 'the client\'s own object, which it sends back with its data');
  assert.deepEqual(shown[0].data, { id: '745172cf4b5e' });
  // Another extension's diagnostic keeps its code (a link to its rule's documentation).
  assert.equal(shown[1].code, 'reportUndefinedVariable');
});
