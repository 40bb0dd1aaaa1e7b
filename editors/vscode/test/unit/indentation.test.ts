// What the extension tells the server each editor inserts for a level (src/indentation.ts).
import * as assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { IndentationParams, IndentationSync } from '../../src/indentation';
import { stub } from './vscode-stub';

type Options = { insertSpaces?: unknown; tabSize?: unknown; indentSize?: unknown };

function editor(uri: string, options: Options) {
  return { document: { uri: { scheme: uri.split(':')[0], toString: () => uri } }, options };
}

const asUri = (uri: { toString(): string }) => uri.toString();

function sync(running = () => true): { sent: IndentationParams[]; sync: IndentationSync } {
  const sent: IndentationParams[] = [];
  return { sent, sync: new IndentationSync((p) => sent.push(p), () => (running() ? asUri : undefined)) };
}

beforeEach(() => {
  stub.editorListeners = [];
  stub.optionsListeners = [];
  stub.visibleEditors = [];
});

test('a file opened in an editor typing tabs (insertSpaces off) tells the server tabs of 4', () => {
  const { sent, sync: s } = sync();
  stub.editorListeners.forEach((l) => l(editor('file:///p/new.py', { insertSpaces: false, tabSize: 4, indentSize: 4 })));
  assert.deepEqual(sent, [{ textDocument: { uri: 'file:///p/new.py' }, insertSpaces: false, tabSize: 4, indentSize: 4 }]);
  s.dispose();
});

test("'Indent Using Spaces' from the status bar tells the server the new unit", () => {
  const { sent, sync: s } = sync();
  const e = editor('file:///p/a.js', { insertSpaces: false, tabSize: 4, indentSize: 4 });
  e.options = { insertSpaces: true, tabSize: 2, indentSize: 2 };
  stub.optionsListeners.forEach((l) => l({ textEditor: e }));
  assert.deepEqual(sent.map((p) => [p.insertSpaces, p.indentSize]), [[true, 2]]);
  s.dispose();
});

test("an indentSize VS Code reports as 'tabSize' is the tab's width", () => {
  const { sent, sync: s } = sync();
  stub.optionsListeners.forEach((l) => l({ textEditor: editor('untitled:Untitled-1', { insertSpaces: true, tabSize: 8, indentSize: 'tabSize' }) }));
  assert.equal(sent[0]?.indentSize, 8);
  s.dispose();
});

test('the Output pane, a git diff side and a stopped server are told nothing', () => {
  let running = true;
  const { sent, sync: s } = sync(() => running);
  stub.editorListeners.forEach((l) => l(editor('output:extension-output-1', { insertSpaces: true, tabSize: 4 })));
  stub.editorListeners.forEach((l) => l(editor('git:/p/a.py?ref', { insertSpaces: true, tabSize: 4 })));
  stub.editorListeners.forEach((l) => l(undefined));
  running = false;
  stub.editorListeners.forEach((l) => l(editor('file:///p/a.py', { insertSpaces: true, tabSize: 4 })));
  assert.deepEqual(sent, []);
  s.dispose();
});

test('a server that (re)started is told every shown editor', () => {
  const { sent, sync: s } = sync();
  stub.visibleEditors = [
    editor('file:///p/a.py', { insertSpaces: false, tabSize: 4, indentSize: 4 }),
    editor('file:///p/Makefile', { insertSpaces: false, tabSize: 8, indentSize: 8 }),
  ];
  s.tellAll();
  assert.deepEqual(sent.map((p) => p.textDocument.uri), ['file:///p/a.py', 'file:///p/Makefile']);
  s.dispose();
});

test("a notebook cell's editor typing tabs is told by the cell's URI (the server reads it for its notebook)", () => {
  const { sent, sync: s } = sync();
  const cell = 'vscode-notebook-cell:/p/analysis.ipynb#W1sZmlsZQ%3D%3D';
  stub.editorListeners.forEach((l) => l(editor(cell, { insertSpaces: false, tabSize: 4, indentSize: 4 })));
  assert.deepEqual(sent, [{ textDocument: { uri: cell }, insertSpaces: false, tabSize: 4, indentSize: 4 }]);
  s.dispose();
});

test("a restarted server is told the active editor last: a notebook's cells are one document to it", () => {
  // The cell typed in indents with tabs, the one below it (its own detected indentation) with
  // spaces: told after, the spaces were what the server applied to the whole notebook.
  const { sent, sync: s } = sync();
  const typedIn = editor('vscode-notebook-cell:/p/a.ipynb#c1', { insertSpaces: false, tabSize: 4, indentSize: 4 });
  const below = editor('vscode-notebook-cell:/p/a.ipynb#c2', { insertSpaces: true, tabSize: 4, indentSize: 4 });
  stub.visibleEditors = [typedIn, below];
  stub.editor = typedIn;
  try {
    s.tellAll();
  } finally {
    stub.editor = undefined;
  }
  assert.deepEqual(sent.map((p) => [p.textDocument.uri, p.insertSpaces]), [
    ['vscode-notebook-cell:/p/a.ipynb#c2', true],
    ['vscode-notebook-cell:/p/a.ipynb#c1', false],
  ]);
  s.dispose();
});
