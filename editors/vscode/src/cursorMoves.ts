// What the server hears of the cursor leaving a suggestion with no edit (a click, the arrow keys,
// another editor focused), which LSP never tells and VS Code asks nothing for: the server then
// stops the prefetch of what follows accepting the suggestion (deepseek/cursorMoved), which
// streamed on, billed, for a place the user had left, and the request still on its way there.
// Told once per suggestion shown or asked; an edit the server hears itself (didChange), and
// typing through a suggestion is no move away.

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

  /** A suggestion is asked for at ``place``: a move away while it streams is told too (VS Code
   * does not always cancel a request the cursor left). */
  asked(place: Place): void {
    this.shownAt = place;
  }

  /** The request asked at ``place`` is answered; ``shown``: with a suggestion to show. */
  answered(place: Place, shown: boolean): void {
    if (shown) {
      this.shownAt = place;
    } else if (this.shownAt && samePlace(this.shownAt, place)) {
      this.shownAt = undefined;
    }
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

function samePlace(a: Place, b: Place): boolean {
  return a.uri === b.uri && a.version === b.version && a.line === b.line && a.character === b.character;
}
