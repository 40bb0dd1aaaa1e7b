// An accept undone (Ctrl+Z) is taken out of the session's accepted suggestions by the server,
// and a redo puts it back; the status bar's tooltip shows those counts (deepseek/completionStats).
// It fetched them for the minute's poll, an answer with a suggestion or an accept command only:
// a suggestion taken word by word and undone back to where it was still read "accepted" for up
// to a minute. An undo or redo in a document given a suggestion fetches them too (the server
// counts an accept from the text, also one made by typing the suggestion through).

/** vscode.TextDocumentChangeReason's values (the enum is the editor's; this module is plain). */
export const UNDO = 1;
export const REDO = 2;

/** The documents given a suggestion this session: only there can an undo take an accept back. */
export class SuggestedDocuments {
  private readonly uris = new Set<string>();

  suggested(uri: string): void {
    this.uris.add(uri);
  }

  closed(uri: string): void {
    this.uris.delete(uri);
  }

  /** Whether a change of `uri` (its reason, its number of content changes) may have changed the
   * session's counts: an undo or redo of text where a suggestion was given. */
  mayChangeAccepts(uri: string, reason: number | undefined, changes: number): boolean {
    return changes > 0 && (reason === UNDO || reason === REDO) && this.uris.has(uri);
  }
}
