// Whether a suggestion is on its way, for the status bar's spinner (Copilot's shows one too):
// with a slow backend the user saw nothing happen for up to the 5 s timeout.
//
// A "wait" starts with an inline completion request and ends with its answer (or error). VS Code
// cancels the request at every key and asks again after its own debounce: ended at each cancel,
// the spinner went off and on with every key. So a cancelled request with none other in flight
// keeps the wait for HOLD_MS, which the next key's request takes over; and the spinner shows
// only once a wait is SHOW_AFTER_MS old with a request in flight, so that answers from the
// server's cache (a few ms), files it declines and a request cancelled at once draw nothing.

/** Answers quicker than this (the server's cache, an excluded file) show no spinner. */
export const SHOW_AFTER_MS = 150;
/** How long a cancelled request's wait is kept for the next key's request to take over. */
export const HOLD_MS = 400;

export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: Timers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export class Waiting<Doc> {
  private readonly inFlight = new Map<number, Doc>();
  private next = 0;
  /** The document of the newest request of the wait under way (undefined: no wait). */
  private doc: Doc | undefined;
  private shown = false;
  /** The wait grew old enough to show while no request was in flight (held past a cancel). */
  private due = false;
  private showTimer: unknown;
  private holdTimer: unknown;
  private readonly capTimers = new Map<number, unknown>();

  /**
   * `onChange` is called when the spinner should go on or off. `capMs()`: the longest a request
   * keeps it (the server's own timeout and a margin): a server that never answers (hung, or a
   * connection that never says it closed) leaves no spinner for good.
   */
  constructor(
    private readonly onChange: () => void,
    private readonly capMs: () => number,
    private readonly timers: Timers = realTimers,
  ) {}

  /** The document whose suggestion is awaited, if the spinner is to show. */
  get showing(): Doc | undefined {
    return this.shown ? this.doc : undefined;
  }

  /** A request was sent; the returned function ends it (`cancelled`: by a key, Escape...). */
  begin(doc: Doc): (cancelled: boolean) => void {
    const id = ++this.next;
    this.inFlight.set(id, doc);
    this.capTimers.set(id, this.timers.set(() => this.end(id, false), this.capMs()));
    this.clearTimer('holdTimer');
    const switched = this.doc !== undefined && this.doc !== doc;
    this.doc = doc;
    if (this.due) {
      this.show();
    } else if (!this.shown && this.showTimer === undefined) {
      this.showTimer = this.timers.set(() => {
        this.showTimer = undefined;
        // Only cancelled requests so far, held for the next key's: a spinner now would come
        // on after an Escape, for nothing awaited. The next request shows it at once.
        if (this.inFlight.size > 0) {
          this.show();
        } else {
          this.due = true;
        }
      }, SHOW_AFTER_MS);
    } else if (this.shown && switched) {
      this.onChange();
    }
    return (cancelled) => this.end(id, cancelled);
  }

  /** The server stopped or restarts: what it was asked will not be answered. */
  reset(): void {
    for (const id of [...this.inFlight.keys()]) {
      this.timers.clear(this.capTimers.get(id));
    }
    this.inFlight.clear();
    this.capTimers.clear();
    this.finish();
  }

  private end(id: number, cancelled: boolean): void {
    if (!this.inFlight.delete(id)) {
      return;
    }
    this.timers.clear(this.capTimers.get(id));
    this.capTimers.delete(id);
    if (this.inFlight.size > 0) {
      return;
    }
    if (cancelled) {
      this.clearTimer('holdTimer');
      this.holdTimer = this.timers.set(() => {
        this.holdTimer = undefined;
        this.finish();
      }, HOLD_MS);
      return;
    }
    this.finish();
  }

  private show(): void {
    this.due = false;
    this.shown = true;
    this.onChange();
  }

  private finish(): void {
    this.clearTimer('showTimer');
    this.clearTimer('holdTimer');
    this.due = false;
    const was = this.shown;
    this.shown = false;
    this.doc = undefined;
    if (was) {
      this.onChange();
    }
  }

  private clearTimer(which: 'showTimer' | 'holdTimer'): void {
    if (this[which] !== undefined) {
      this.timers.clear(this[which]);
      this[which] = undefined;
    }
  }
}
