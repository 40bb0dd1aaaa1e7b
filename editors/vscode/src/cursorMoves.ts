// What the server hears of the cursor leaving a suggestion with no edit (a click, the arrow keys,
// another editor focused), which LSP never tells and VS Code asks nothing for: the server then
// stops the prefetch of what follows accepting the suggestion (deepseek/cursorMoved), which
// streamed on, billed, for a place the user had left. Told once per suggestion shown; an edit
// the server hears itself (didChange), and typing through a suggestion is no move away.

/** The server's notification: the cursor is at ``position`` in ``textDocument``. */
export const CURSOR_NOTIFICATION = 'deepseek/cursorMoved';

export interface Place {
  uri: string;
  /** The document's version: a move with the text unchanged is the user's, not a key typed. */
  version: number;
  line: number;
  character: number;
}

export interface CursorMovedParams {
  textDocument: { uri: string };
  position: { line: number; character: number };
}

export class CursorMoves {
  private shownAt: Place | undefined;

  constructor(private readonly send: (params: CursorMovedParams) => void) {}

  /** A suggestion is shown at ``place`` (the cursor where it was asked). */
  shown(place: Place): void {
    this.shownAt = place;
  }

  /** The cursor of an editor is at ``place`` (a selection change, another editor focused). */
  moved(place: Place): void {
    const at = this.shownAt;
    if (!at) {
      return;
    }
    if (place.uri === at.uri) {
      if (place.version !== at.version) {
        this.shownAt = undefined; // an edit: the server's didChange tells it
        return;
      }
      if (place.line === at.line && place.character === at.character) {
        return;
      }
    }
    this.shownAt = undefined;
    this.send({
      textDocument: { uri: place.uri },
      position: { line: place.line, character: place.character },
    });
  }
}
