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

/** What to do when the server's connection closed without the extension stopping it. */
export type AfterClose = 'leave' | 'restart' | 'give up';

/**
 * `ran`: that server got as far as running; `current`: its client is still the extension's.
 * A server dying as it starts (a broken install) is left stopped: the extension has said it did
 * not start, and each restart of it added the language client's own notifications (about a
 * dozen for one broken install). A client no longer the extension's (its start reported failed)
 * is left too: restarted behind the extension's back, one that then worked ran a second,
 * unmanaged server. Neither counts as a crash.
 */
export function afterClose(ran: boolean, current: boolean, limit: CrashLimit, now: number = Date.now()): AfterClose {
  if (!ran || !current) {
    return 'leave';
  }
  return limit.allows(now) ? 'restart' : 'give up';
}
