// The text after the cursor that a suggestion replaces only to write it again, left in place.
//
// The server's item replaces the line's closers after the cursor and ends with those it keeps
// (`c.String())` over the `)` of `fmt.Println(|)`). VS Code types over an auto-closed `)`, `"`
// or `}` only while it is the one it inserted: replaced by the accept, the closer the user typed
// next went in beside it (`fmt.Println(c.String()))`, a TypeScript header's `})`, JSX's
// `className="greeting"></div>"`). As an insertion at the cursor, the accept leaves the same
// text and the editor's own closer.

import type * as vscode from 'vscode';

/** `item` as an insertion at `position` when it ends by writing again the text it replaces after
 * the cursor; otherwise as it is. */
export function withoutRewrittenTail(
  item: vscode.InlineCompletionItem,
  document: vscode.TextDocument,
  position: vscode.Position,
): vscode.InlineCompletionItem {
  const { insertText, range } = item;
  if (typeof insertText !== 'string' || !range?.isSingleLine || range.end.line !== position.line) {
    return item;
  }
  const start = range.start.character;
  const end = range.end.character;
  if (start > position.character || end <= position.character) {
    return item;
  }
  const line = document.lineAt(position.line).text;
  const typed = line.slice(start, position.character);
  const rest = line.slice(position.character, end);
  const rewritten = insertText.startsWith(typed) && insertText.endsWith(rest);
  if (insertText.length < typed.length + rest.length || !rewritten) {
    return item;
  }
  item.insertText = insertText.slice(0, insertText.length - rest.length);
  item.range = range.with({ end: position });
  return item;
}
