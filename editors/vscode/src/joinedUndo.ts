// The server's `;` after an accepted initializer's `}` (server: completion/closer_semicolon.py),
// applied into the accept's own undo step.
import * as vscode from 'vscode';
import type { ApplyWorkspaceEditParams, ApplyWorkspaceEditResult } from 'vscode-languageclient/node';

/** The label the server gives that edit (and no other). */
export const INITIALIZER_SEMICOLON_LABEL = "DeepSeek: the initializer's ;";

/** The one insert at a position of one document's version that edit is, if `params` is it. */
export function initializerSemicolon(
  params: ApplyWorkspaceEditParams,
): { uri: string; version: number; line: number; character: number; text: string } | undefined {
  const changes = params.edit.documentChanges;
  if (params.label !== INITIALIZER_SEMICOLON_LABEL || changes?.length !== 1) {
    return undefined;
  }
  const [change] = changes;
  if (!('textDocument' in change) || typeof change.textDocument.version !== 'number') {
    return undefined;
  }
  if (change.edits.length !== 1) {
    return undefined;
  }
  const [edit] = change.edits;
  const { start, end } = edit.range;
  if (!('newText' in edit) || edit.newText !== ';') {
    return undefined;
  }
  if (start.line !== end.line || start.character !== end.character) {
    return undefined;
  }
  const { uri, version } = change.textDocument;
  return { uri, version, line: start.line, character: start.character, text: edit.newText };
}

/**
 * Applies the initializer's `;` in the editor showing its document, without an undo stop before
 * it: through workspace.applyEdit it was an undo step of its own, so one Ctrl+Z took the `;`
 * back and left the accepted entries with a `}` lacking it (a compile error), a second one the
 * entries. Undefined (the client's own handling) for any other edit, or where no editor shows
 * that document at that version (the user typed meanwhile).
 */
export async function applyIntoTheAcceptsUndo(
  params: ApplyWorkspaceEditParams,
  editors: readonly vscode.TextEditor[] = vscode.window.visibleTextEditors,
): Promise<ApplyWorkspaceEditResult | undefined> {
  const insert = initializerSemicolon(params);
  if (!insert) {
    return undefined;
  }
  const uri = vscode.Uri.parse(insert.uri).toString();
  const editor = editors.find(
    (e) => e.document.uri.toString() === uri && e.document.version === insert.version,
  );
  if (!editor) {
    return undefined;
  }
  const at = new vscode.Position(insert.line, insert.character);
  // TextEditor.edit is refused if the document changed since the version read above.
  const applied = await editor.edit((builder) => builder.insert(at, insert.text), {
    undoStopBefore: false,
    undoStopAfter: true,
  });
  return { applied };
}
