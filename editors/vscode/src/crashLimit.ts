/**
 * Restart the server after a crash, but not more than `max` times in `windowMs`: a server that
 * dies at start-up (a broken install, a bad interpreter) would otherwise restart forever.
 */
export class CrashLimit {
  private times: number[] = [];

  constructor(
    private readonly max = 3,
    private readonly windowMs = 180_000,
  ) {}

  /** Records a crash at `now`; true when the server may be restarted after it. */
  allows(now: number = Date.now()): boolean {
    this.times = [...this.times.filter((t) => now - t < this.windowMs), now];
    return this.times.length <= this.max;
  }

  /**
   * The user restarted the server ("DeepSeek: Restart Server", as the give-up message tells
   * them to): the crashes before it no longer count. Kept, the first crash after their fix
   * was taken for the fifth and the server was given up on at once.
   */
  reset(): void {
    this.times = [];
  }
}
