// A key typed while the server is down (a restart: "Restart Server", a new API key, a
// deepseek.server.* change, a crash restarted; its start; or before the extension was active)
// got no suggestion until the next key: vscode-languageclient unregisters the inline completion
// provider when the old server stops and registers the new one's only once that server has
// answered `initialize`, so VS Code asked no provider (or the stopping client's, which answers
// nothing: "Client is not running"), and it asks again only at the next key. So the editor a
// key went into meanwhile asks once the provider is back, as that key's own request would have
// (automatic, not as one the user invoked: that one asks for several choices at once and skips
// the back-offs).

/** A document as VS Code has it: its URI and version (the last key's). */
export interface DocAt {
  uri: string;
  version: number;
}

export class AskAfterRestart {
  /** The provider is registered with a running server (not yet at activation). */
  private started = false;
  /** The new server has the editor's settings: its first workspace/configuration answered. */
  private settled = false;
  /** The last key typed while the provider was gone, or the server without its settings. */
  private typed: DocAt | undefined;
  /** The document whose request, invoked by `trigger`, is the ask after the restart. */
  private asking: string | undefined;

  /** `trigger`: asks VS Code for the active editor's inline suggestion now. */
  constructor(private readonly trigger: () => unknown) {}

  /** The server's provider is gone (stopping, restarting, crashed, not started yet). */
  down(): void {
    this.started = false;
    this.settled = false;
  }

  /** A key typed into `doc` (the active editor's). */
  typedInto(doc: DocAt): void {
    if (!this.started || !this.settled) {
      this.typed = doc;
    }
  }

  /**
   * The extension was activated; `active`: the active editor's document then, and whether it
   * has unsaved edits. VS Code activates it at onStartupFinished, after the window's eager
   * extensions: a reload at idle draws the file before that, and keys typed then reached no
   * listener while VS Code asked no provider (there was none), so they got no suggestion until
   * the next key. A document edited since it opened (its version past 1, unsaved) counts as
   * typed into; one restored unsaved by the reload opens at version 1 and asks nothing.
   */
  activated(active: (DocAt & { dirty: boolean }) | undefined): void {
    if (active && active.dirty && active.version > 1 && !this.typed) {
      this.typed = { uri: active.uri, version: active.version };
    }
  }

  /** The provider is back; `active`: the active editor's document now. */
  up(active: DocAt | undefined): void {
    this.started = true;
    this.askIfReady(active);
  }

  /** The server was given its settings (a workspace/configuration answered). Asked before
   * them, an automatic request is answered with nothing: the server waits 1 s for its
   * settings, then leaves it to the next key (the pull came 1.4 s after initialize at load,
   * and the key typed during "Restart Server" got no suggestion in the real editor). */
  settingsGiven(active: DocAt | undefined): void {
    if (!this.settled) {
      this.settled = true;
      this.askIfReady(active);
    }
  }

  /** Asks for `active` where the last key typed while down went and nothing was typed since
   * (a key since asked itself), once the provider is back and the server has its settings. */
  private askIfReady(active: DocAt | undefined): void {
    if (!this.started || !this.settled) {
      return;
    }
    const typed = this.typed;
    this.typed = undefined;
    if (typed && active && typed.uri === active.uri && typed.version === active.version) {
      this.asking = typed.uri;
      this.trigger();
    }
  }

  /** Whether a request VS Code was asked to invoke for `uri` is the ask after the restart (it
   * goes as automatic); read once. */
  isAskAfterRestart(uri: string): boolean {
    const ours = this.asking === uri;
    this.asking = undefined;
    return ours;
  }
}
