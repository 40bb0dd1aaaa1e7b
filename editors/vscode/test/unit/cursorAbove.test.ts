// The cursor after accepting a suggestion that leaves blocks open inside `{}` (src/cursorAbove.ts):
// at the end of the suggestion's last line, the editor's `}` on the line below.
import * as assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import type * as vscode from 'vscode';
import {
  CURSOR_ABOVE_COMMAND,
  cursorAboveKeptCloser,
  placeCursorAbove,
  withCursorAboveKeptCloser,
  type CursorAboveArgs,
} from '../../src/cursorAbove';
import { withoutRewrittenTail } from '../../src/keptTail';
import { Position, Selection, stub } from './vscode-stub';

const ACCEPT = 'deepseek.completionAccepted';
const URI = 'file:///w/shop.js';

interface At {
  line: number;
  character: number;
}

const offsetOf = (text: string, at: At) =>
  text.split('\n').slice(0, at.line).reduce((n, l) => n + l.length + 1, 0) + at.character;

const documentOf = (text: string) =>
  ({
    uri: { toString: () => URI },
    lineAt: (line: number) => ({ text: text.split('\n')[line] }),
  }) as unknown as vscode.TextDocument;

function itemAt(text: string, insertText: string, start: At, end: At = start) {
  const server = { title: 'DeepSeek: accepted', command: ACCEPT, arguments: [{ id: '7', uri: URI }] };
  const item = { insertText, range: { start, end }, command: server } as unknown as vscode.InlineCompletionItem;
  return { item: withCursorAboveKeptCloser(item, documentOf(text), ACCEPT), server };
}

/** The editor after the accept of `insertText` (as VS Code applies it: the range replaced, the
 * cursor at the insert's end, then the item's command) and the key `x` typed. */
async function acceptThenType(text: string, insertText: string, start: At, end: At = start) {
  const { item } = itemAt(text, insertText, start, end);
  const doc = text.slice(0, offsetOf(text, start)) + insertText + text.slice(offsetOf(text, end));
  const lines = insertText.split('\n');
  const last = lines.length - 1;
  const endAt = new Position(start.line + last, (last ? 0 : start.character) + lines[last].length);
  const editor = {
    document: documentOf(doc),
    selection: new Selection(endAt, endAt),
    get selections() {
      return [this.selection];
    },
  };
  stub.editor = editor;
  const command = item.command!;
  if (command.command === CURSOR_ABOVE_COMMAND) {
    await placeCursorAbove(command.arguments![0] as CursorAboveArgs);
  } else {
    stub.commandsRun.push(command.command);
  }
  const cursor = offsetOf(doc, editor.selection.active);
  return doc.slice(0, cursor) + 'x' + doc.slice(cursor);
}

afterEach(() => {
  stub.editor = undefined;
  stub.commandsRun = [];
});

test('a class left open inside "{}": the next key ends its last line, the "}" below', async () => {
  const opened = '\n    constructor(items) {\n        this.items = items;\n';
  const typed = await acceptThenType('class Shop {}', opened, { line: 0, character: 12 });
  assert.equal(typed, 'class Shop {\n    constructor(items) {\n        this.items = items;x\n}');
  // The server still hears of the accept.
  assert.deepEqual(stub.commandsRun, [ACCEPT]);
});

test('an indented "{ | }" whose blanks the item replaces, and a one-line insert', async () => {
  const text = 'class A {\n    run() { }\n}';
  const body = '\n        if (ok) {\n            go();\n    ';
  const typed = await acceptThenType(text, body, { line: 1, character: 11 }, { line: 1, character: 12 });
  assert.equal(typed, 'class A {\n    run() {\n        if (ok) {\n            go();x\n    }\n}');
  const one = await acceptThenType('f() {}', 'go(\n', { line: 0, character: 5 });
  assert.equal(one, 'f() {go(x\n}');
});

test('CRLF: the same lines', () => {
  const where = cursorAboveKeptCloser('\r\n    a() {\r\n        b();\r\n', { line: 0, character: 3 }, '}');
  assert.deepEqual(where, { accepted: { line: 3, character: 0 }, target: { line: 2, character: 12 } });
});

test('an insert that takes the "}" or has nothing after it leaves the cursor at its end', async () => {
  const closing = '\n    constructor() {}\n}';
  assert.equal(await acceptThenType('class Shop {}', closing, { line: 0, character: 12 }, { line: 0, character: 13 }),
    'class Shop {\n    constructor() {}\n}x');
  assert.equal(await acceptThenType('if a:', '\n    go()\n', { line: 0, character: 5 }), 'if a:\n    go()\nx');
  assert.equal(await acceptThenType('f() {  ', 'go();\n', { line: 0, character: 5 }), 'f() {go();\nx  ');
  assert.equal(cursorAboveKeptCloser('go();', { line: 0, character: 0 }, '}'), undefined);
});

// The extension makes an item that writes the "}" again an insertion before it (keptTail.ts),
// first: a body that closes all it opens then ends with its line break too, and goes the same way.
test('a body closing all it opens, its "}" kept by keptTail: the next key ends its last line', async () => {
  const text = 'class Shop {}';
  const start = { line: 0, character: 12 };
  const range = { start, end: { line: 0, character: 13 }, isSingleLine: true,
    with: (change: { end: At }) => ({ start, end: change.end }) };
  const item = { insertText: '\n    constructor() {}\n}', range } as unknown as vscode.InlineCompletionItem;
  const kept = withoutRewrittenTail(item, documentOf(text), start as vscode.Position);
  assert.equal(kept.insertText, '\n    constructor() {}\n');
  assert.equal(await acceptThenType(text, kept.insertText as string, start, kept.range!.end),
    'class Shop {\n    constructor() {}x\n}');
});

test("another provider's item, or one made ours already, is left as it is", () => {
  const other = { insertText: 'a;\n', range: { start: { line: 0, character: 5 }, end: { line: 0, character: 5 } },
    command: { title: '', command: 'other.accept' } } as unknown as vscode.InlineCompletionItem;
  assert.equal(withCursorAboveKeptCloser(other, documentOf('f() {}'), ACCEPT).command!.command, 'other.accept');
  const { item, server } = itemAt('f() {}', 'a;\n', { line: 0, character: 5 });
  const again = withCursorAboveKeptCloser(item, documentOf('f() {}'), ACCEPT);
  assert.equal(again.command!.command, CURSOR_ABOVE_COMMAND);
  assert.deepEqual((again.command!.arguments![0] as CursorAboveArgs).then, server);
});

test('a key typed before the command ran (the cursor moved on): the cursor stays', async () => {
  const { item } = itemAt('f() {}', 'a;\n', { line: 0, character: 5 });
  const moved = new Position(1, 1);
  stub.editor = { document: documentOf('f() {a;\nx}'), selection: new Selection(moved, moved), selections: [0] };
  await placeCursorAbove(item.command!.arguments![0] as CursorAboveArgs);
  assert.deepEqual((stub.editor as { selection: Selection }).selection.active, moved);
  assert.deepEqual(stub.commandsRun, [ACCEPT]);
});
