// Which of an answer's items VS Code shows once the user cycles (Alt+] / Alt+[), which its
// stable API never tells: the "shown" callback (handleDidShowCompletionItem) is still a proposed
// API in VS Code 1.139, refused to marketplace extensions. Told nothing, the server went on with
// the first choice when the user typed through the second, and VS Code showed the first again.
//
// The extension binds the cycling keys to commands of its own that run VS Code's and count the
// steps: VS Code shows the answer's items in the server's order, and a step from an automatic
// answer first asks again explicitly (its first item the one shown), then steps. The arrows of
// the ghost text's hover toolbar run VS Code's commands directly, unseen here: after those the
// first item is told, as before.

/** The extension's commands bound to VS Code's cycling keys, and the VS Code commands they run. */
/** Set once those commands are registered: the keys are bound to them only then. Before the
 * extension activates (onStartupFinished) VS Code's own binding stays, and another provider's
 * suggestion cycles as ever instead of "command not found". */
export const CYCLING_CONTEXT = 'deepseek.cyclingCommands';

export const CYCLE_COMMANDS = {
  'deepseek.inlineSuggest.showNext': { builtin: 'editor.action.inlineSuggest.showNext', step: 1 },
  'deepseek.inlineSuggest.showPrevious': { builtin: 'editor.action.inlineSuggest.showPrevious', step: -1 },
} as const;

export class CycledItems<T> {
  private items: T[] = [];
  private index = 0;
  /** The items are an explicit request's: a step moves among them at once. */
  private explicit = false;
  /** Steps taken while VS Code asks explicitly: taken once its answer is in. */
  private pending = 0;

  constructor(
    private readonly same: (a: T, b: T) => boolean,
    private readonly tell: (item: T) => void,
  ) {}

  /** An answer VS Code shows; ``invoked``: an explicit request's (the user's, or a step's). */
  answered(items: T[], invoked: boolean): void {
    const shown = this.items[this.index];
    const at = shown === undefined ? -1 : items.findIndex((item) => this.same(item, shown));
    this.items = items;
    this.explicit = invoked;
    this.index = Math.max(at, 0);
    const pending = this.pending;
    this.pending = 0;
    if (invoked && pending) {
      this.step(pending);
    }
  }

  /** The user cycled: ``step`` 1 to the next item, -1 to the previous one. */
  cycled(step: number): void {
    if (!this.items.length) {
      return;
    }
    if (this.explicit) {
      this.step(step);
    } else {
      this.pending += step;
    }
  }

  private step(step: number): void {
    const n = this.items.length;
    if (n < 2) {
      return;
    }
    this.index = (((this.index + step) % n) + n) % n;
    this.tell(this.items[this.index]);
  }
}
