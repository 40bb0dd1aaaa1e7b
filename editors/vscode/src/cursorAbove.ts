// Where the cursor goes after accepting a suggestion that leaves blocks open inside `{}`.
//
// The server's item for a body that leaves blocks open (a class's `{`, a method's header still to
// write) between `{` and the editor's auto-closed `}` ends with a line break and the `{` line's
// indent, so that the `}` stays after it, on a line of its own. VS Code leaves the cursor at the
// insert's end, before that `}`: the next key went there (`x}`), not where the user goes on
// writing. The accept's command puts it at the end of the insert's last written line, as after
// a suggestion that ends there (Copilot's), the `}` below. Not a snippet's `$0`: VS Code accepts
// a snippet item whole on a word or line accept, and indents its lines again by the cursor
// line's indent (the server's text has them already).

import * as vscode from 'vscode';

/** The command an item's accept runs instead of the server's, which it then runs. */
export const CURSOR_ABOVE_COMMAND = 'deepseek.cursorAboveKeptCloser';

interface At {
  line: number;
  character: number;
}

/** Where the accept of `insertText` from `start` leaves the cursor and where it belongs: the end
 * of the text's last written line, when the text ends with a line break and blanks before
 * `after`, what its range leaves on the line, not blank (the closers kept after it). */
export function cursorAboveKeptCloser(
  insertText: string,
  start: At,
  after: string,
): { accepted: At; target: At } | undefined {
  if (!/\n[ \t]*$/.test(insertText) || !after.trim()) {
    return undefined;
  }
  const lines = insertText.split(/\r\n|\r|\n/);
  const last = lines.length - 1;
  const accepted = { line: start.line + last, character: lines[last].length };
  const above = (last === 1 ? start.character : 0) + lines[last - 1].length;
  return { accepted, target: { line: accepted.line - 1, character: above } };
}

export interface CursorAboveArgs {
  uri: string;
  accepted: At;
  target: At;
  /** The server's accept command, run after. */
  then?: vscode.Command;
}

/** `item` with an accept that moves the cursor (see `cursorAboveKeptCloser`) and then runs the
 * server's command `accept`; any other item as it is. */
export function withCursorAboveKeptCloser(
  item: vscode.InlineCompletionItem,
  document: vscode.TextDocument,
  accept: string,
): vscode.InlineCompletionItem {
  const { insertText, range, command } = item;
  if (typeof insertText !== 'string' || !range || command?.command !== accept) {
    return item;
  }
  const after = document.lineAt(range.end.line).text.slice(range.end.character);
  const where = cursorAboveKeptCloser(insertText, range.start, after);
  if (!where) {
    return item;
  }
  const args: CursorAboveArgs = { uri: document.uri.toString(), ...where, then: command };
  item.command = { title: command.title, command: CURSOR_ABOVE_COMMAND, arguments: [args] };
  return item;
}

/** The accept's command: the cursor to the target where the accept left it at its end (no key
 * or other edit since), then the server's command. */
export async function placeCursorAbove(args: CursorAboveArgs | undefined): Promise<unknown> {
  if (!args) {
    return undefined;
  }
  const editor = vscode.window.activeTextEditor;
  const at = editor?.selection;
  const { accepted, target } = args;
  if (
    editor?.document.uri.toString() === args.uri &&
    editor.selections.length === 1 &&
    at?.isEmpty &&
    at.active.line === accepted.line &&
    at.active.character === accepted.character
  ) {
    const to = new vscode.Position(target.line, target.character);
    editor.selection = new vscode.Selection(to, to);
  }
  const then = args.then;
  return then ? vscode.commands.executeCommand(then.command, ...(then.arguments ?? [])) : undefined;
}
