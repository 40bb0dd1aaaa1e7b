// An item that writes again the closers it replaces after the cursor, made an insertion at the
// cursor (src/keptTail.ts).
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import type * as vscode from 'vscode';
import { withoutRewrittenTail } from '../../src/keptTail';

interface At {
  line: number;
  character: number;
}

function range(start: At, end: At): vscode.Range {
  return {
    start,
    end,
    isSingleLine: start.line === end.line,
    with: (change: { start?: At; end?: At }) => range(change.start ?? start, change.end ?? end),
  } as unknown as vscode.Range;
}

const documentOf = (text: string) =>
  ({ lineAt: (line: number) => ({ text: text.split('\n')[line] }) }) as unknown as
    vscode.TextDocument;
const cursorAt = (character: number) => ({ line: 0, character }) as vscode.Position;
const onLine = (start: number, end: number) =>
  range({ line: 0, character: start }, { line: 0, character: end });

/** The line after accepting `item` as VS Code applies it: its range replaced by its text. */
function accepted(line: string, item: vscode.InlineCompletionItem): string {
  const { start, end } = item.range!;
  return line.slice(0, start.character) + String(item.insertText) + line.slice(end.character);
}

function suggested(line: string, cursor: number, insertText: string, end: number, start = cursor) {
  const item = { insertText, range: onLine(start, end) };
  const before = accepted(line, item as vscode.InlineCompletionItem);
  const after = withoutRewrittenTail(
    item as vscode.InlineCompletionItem,
    documentOf(line),
    cursorAt(cursor),
  );
  const endAt = after.range!.end.character;
  return { before, after: accepted(line, after), insertText: after.insertText, end: endAt };
}

test("the line's closers written again become an insertion at the cursor, same text", () => {
  for (const [line, cursor, text, end] of [
    ['\tfmt.Println()', 13, 'c.String())', 14],
    ['export function first<T>()', 25, 'items: T[])', 26],
    ['  return <div className="">;', 26, 'greeting">;', 29],
  ] as const) {
    const r = suggested(line, cursor, text, end);
    assert.equal(r.end, cursor, line);
    assert.equal(r.after, r.before, line);
  }
  assert.equal(suggested('\tfmt.Println()', 13, 'c.String())', 14).insertText, 'c.String()');
  assert.equal(suggested('let s = f("")', 11, 'hi")', 13).insertText, 'hi');
  // From the word's start (a selected completion's range): the typed part stays in the text.
  const word = suggested('print(ab)', 8, 'abc)', 9, 6);
  assert.deepEqual([word.insertText, word.after], ['abc', 'print(abc)']);
});

test('an item not ending with the text it replaces, or ending at the cursor, stays', () => {
  // A header typed over the `)`: the accept leaves the line's end as the item says.
  const header = suggested('function first()', 15, 'items: T[]): T {', 16);
  assert.equal(header.insertText, 'items: T[]): T {');
  assert.equal(suggested('f(x);', 2, 'x, y)', 4).insertText, 'x, y)');
  assert.equal(suggested('f()', 2, 'x', 2).insertText, 'x');
  const snippet = { insertText: { value: 'x' }, range: onLine(2, 3) };
  const asIs = withoutRewrittenTail(
    snippet as unknown as vscode.InlineCompletionItem,
    documentOf('f()'),
    cursorAt(2),
  );
  assert.equal(asIs, snippet);
  const noRange = { insertText: 'x)' } as vscode.InlineCompletionItem;
  assert.equal(withoutRewrittenTail(noRange, documentOf('f()'), cursorAt(2)).insertText, 'x)');
});
