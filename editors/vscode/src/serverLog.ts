import type * as vscode from 'vscode';

/** A line of the server's Python logging on stderr: time stamp, level, message. */
const PY_LOG_LINE = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d[,.]\d+ (DEBUG|INFO|WARNING|ERROR|CRITICAL) (.*)$/;

/**
 * Where the server's stderr lines go in the log. The server logs to stderr and, once
 * initialized, through window/logMessage too: its formatted stderr lines then stay at debug
 * level (no duplicates). Before that (a start-up failure) warnings and errors are shown as such;
 * other lines (a traceback) are shown as they are.
 *
 * Per server process, not per client: the language client restarts a crashed server itself,
 * and the new process's start-up errors (why it crashed again) went to debug level, hidden,
 * because the first process had got as far as window/logMessage.
 */
export class ServerStderr {
  private viaLsp = false;

  constructor(private readonly channel: vscode.LogOutputChannel) {}

  /** The client's state: a process starting logs only to stderr until it is running. */
  running(isRunning: boolean): void {
    this.viaLsp = isRunning;
  }

  line(line: string): void {
    const m = PY_LOG_LINE.exec(line);
    if (!m) {
      if (line.trim()) {
        // Tracebacks, and warnings of libraries without a handler (printed bare).
        this.channel.appendLine(line);
      }
      return;
    }
    const [, level, rest] = m;
    if (this.viaLsp || level === 'DEBUG' || level === 'INFO') {
      this.channel.debug(`[stderr] ${level} ${rest}`);
    } else if (level === 'WARNING') {
      this.channel.warn(rest);
    } else {
      this.channel.error(rest);
    }
  }
}
