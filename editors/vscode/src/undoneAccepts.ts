// An accept undone (Ctrl+Z) is taken out of the session's accepted suggestions by the server,
// and a redo puts it back; the status bar's tooltip shows those counts (deepseek/completionStats).
// It fetched them for the minute's poll, an answer with a suggestion or an accept only: a
// suggestion taken word by word and undone back to where it was still read "accepted" for up
// to a minute. An undo or redo now fetches them too.

/** vscode.TextDocumentChangeReason's values (the enum is the editor's; this module is plain). */
export const UNDO = 1;
export const REDO = 2;

/** Whether a document change may have changed the session's counts: an undo or redo of text,
 * once a suggestion was accepted this session (before, no count can change). */
export function mayChangeAccepts(reason: number | undefined, changes: number, acceptsSeen: boolean): boolean {
  return acceptsSeen && changes > 0 && (reason === UNDO || reason === REDO);
}
