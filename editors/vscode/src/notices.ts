// Error messages about the server, one of a kind open at a time.

/**
 * Each change of `deepseek.server.*` restarts the server, and the Settings editor writes a path
 * as it is typed: every pause in typing "/home/me/.venv/bin/python" stacked another "was not
 * found" notification. A message of a kind still open (neither answered nor closed) says what a
 * new one would; the status bar item has the latest reason.
 */
export class OpenNotices {
  private readonly open = new Set<string>();

  /** `show()`'s message unless one of `kind` is open; undefined then. */
  show<T>(kind: string, show: () => Thenable<T>): Promise<T | undefined> {
    if (this.open.has(kind)) {
      return Promise.resolve(undefined);
    }
    this.open.add(kind);
    return Promise.resolve(show()).finally(() => this.open.delete(kind));
  }
}
