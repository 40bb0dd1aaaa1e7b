// Several cursors: VS Code asks for a suggestion at the first cursor and writes it at every
// cursor whose line reads the same, whatever code surrounds it (add's "return a + b" went into
// mul too). A suggestion is made for one place, so none is asked for while there are several.

import * as vscode from 'vscode';

/** Whether `document`'s editor being typed in (the active one) has more than one cursor. */
export function typedAtSeveralCursors(document: vscode.TextDocument): boolean {
  const editor = vscode.window.activeTextEditor;
  return !!editor && editor.document === document && editor.selections.length > 1;
}
