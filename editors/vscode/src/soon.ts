// One call of `run` soon, however often it is asked for: at the soonest time asked. Keeping the
// first timer alone, an undo's fetch of the counts 1.5 s on held back a Warning's asked in 0.1 s.

export class Soon {
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** When (Date.now()) the pending call runs. */
  private due = Infinity;

  constructor(private readonly run: () => void) {}

  request(delayMs: number): void {
    const due = Date.now() + delayMs;
    if (this.timer !== undefined && this.due <= due) {
      return;
    }
    this.cancel();
    this.due = due;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.due = Infinity;
      this.run();
    }, delayMs);
  }

  cancel(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.due = Infinity;
  }
}
