// The DeepSeek extension: starts deepseek-lsp, hands it the settings and the API key, shows its
// status and cost, and adds the commands. Completions and review come from the server through
// vscode-languageclient (inline completion and code actions are built into v11).

import * as readline from 'node:readline';
import * as vscode from 'vscode';
import {
  CancellationToken,
  CloseAction,
  ErrorAction,
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  MessageType,
  ServerOptions,
  ShowMessageNotification,
  ShowMessageParams,
  State,
  TransportKind,
} from 'vscode-languageclient/node';
import { isKeyRejectedMessage, isNoKeyMessage, keyClearedMessage, keyInputProblem, noKeyPrompt } from './apiKey';
import { AskAfterRestart, DocAt } from './askAfterRestart';
import { afterClose, CrashLimit } from './crashLimit';
import { CURSOR_ABOVE_COMMAND, placeCursorAbove, withCursorAboveKeptCloser } from './cursorAbove';
import { CURSOR_NOTIFICATION, CursorMoves, Place } from './cursorMoves';
import { CYCLE_COMMANDS, CYCLING_CONTEXT, CycledItems } from './cycledItems';
import { EDITOR_INDENTATION, IndentationSync } from './indentation';
import { withoutRewrittenTail } from './keptTail';
import { hasItems, LateSuggestions } from './lateSuggestions';
import { OpenNotices } from './notices';
import { redacting } from './redact';
import {
  notSentReport,
  REVIEW_SOURCE,
  reviewReport,
  SENT_SCHEMES,
  unignoredText,
  unignoreArguments,
  withoutFindingIds,
} from './review';
import { installCommand, resolveServer, shownCommandLine, workspaceCwd } from './serverCommand';
import { ServerStderr } from './serverLog';
import { settingMatcher, withSettingLinks, withSettingNames } from './settingNames';
import { firstItem, SHOWN_NOTIFICATION, ShownParams, shownParams } from './shownItems';
import {
  isOurSection,
  keyInSettings,
  needsKeyPrompt,
  SECTION,
  serverKeys,
  serverSettings,
  subSection,
  toggleReport,
  toggleTarget,
  userValue,
} from './settings';
import { CompletionStatsJSON, notRunningPrompt, notSentReason, ServerStatus, StatusBar, UsageJSON } from './statusBar';
import { applyIntoTheAcceptsUndo } from './joinedUndo';
import { typedAtSeveralCursors } from './severalCursors';
import { Soon } from './soon';
import { SuggestedDocuments } from './undoneAccepts';
import { showUsage } from './usage';

const SECRET_KEY = 'deepseek.apiKey';
/** The user ran "Clear API Key" and has set none since (kept over restarts of VS Code). */
const KEY_CLEARED_STATE = 'deepseek.keyCleared';
const STATUS_NOTIFICATION = 'deepseek/status';
/** LSP has no willSave for notebooks: the server hears why a notebook is saved from this. */
const WILL_SAVE_NOTEBOOK = 'deepseek/willSaveNotebook';
const USAGE_REQUEST = 'deepseek/usage';
/** The session's suggestions shown, accepted and their latency, for the status bar's tooltip. */
const STATS_REQUEST = 'deepseek/completionStats';
const SERVER_REVIEW_COMMAND = 'deepseek.reviewFile';
/** The ignored review findings of a file's project shown again (an Ignore clicked by mistake had no way back). */
const SERVER_UNIGNORE_COMMAND = 'deepseek.review.unignoreAll';
const ACCEPT_COMMAND = 'deepseek.completionAccepted';
const USAGE_POLL_MS = 60_000;
const USAGE_SOON_MS = 1_500;
/** The settings that make a file Inactive (excluded, language off, too large, off in its folder). */
const FILE_STATUS_SETTINGS = ['exclude', 'completion.languages', 'completion.maxFileBytes', 'completion.enable'];

/** Python logging's default-style line: `2026-01-02 03:04:05,678 INFO name: message`. */

let ext: DeepSeekExtension | undefined;

function docAt(document: vscode.TextDocument): DocAt {
  return { uri: document.uri.toString(), version: document.version };
}

function readLines(input: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  readline.createInterface({ input, crlfDelay: Infinity, terminal: false, historySize: 0 }).on('line', onLine);
}

export async function activate(context: vscode.ExtensionContext): Promise<DeepSeekApi> {
  ext = new DeepSeekExtension(context);
  context.subscriptions.push(ext);
  await ext.activate();
  return ext.api();
}

export async function deactivate(): Promise<void> {
  await ext?.stopClient();
}

/** What activate() returns (other extensions and tests may use it). */
export interface DeepSeekApi {
  readonly client: LanguageClient | undefined;
  usage(): Promise<UsageJSON | undefined>;
}

/**
 * The extension says itself, once and with what to do, that its server did not start or gave
 * up after crashes. The client's own notifications about it, forced past revealOutputChannelOn,
 * came on top of that for every restart ("couldn't create connection to server", "Restarting
 * server failed", one each): a server dying as it started left about a dozen notifications.
 * They still go to the log.
 */
class DeepSeekClient extends LanguageClient {
  /** The client restarted a crashed server and that start failed: it will not try again. */
  onRestartFailed?: (error: unknown) => void;

  override error(message: string, data?: unknown, showNotification?: boolean | 'force'): void {
    super.error(message, data, showNotification === 'force' ? false : showNotification);
    // The client's own text for it; with it hidden the user saw only "stopped" in the status bar.
    if (message === 'Restarting server failed') {
      this.onRestartFailed?.(data);
    }
  }
}

interface ClientRef {
  client?: LanguageClient;
  /** The server got as far as running once: a crash later is restarted, one at start is not. */
  ran?: boolean;
  /** The stderr of the server process running now (the client restarts a crashed one). */
  stderr?: ServerStderr;
}

class DeepSeekExtension implements vscode.Disposable {
  private readonly output: vscode.LogOutputChannel;
  private readonly log: vscode.LogOutputChannel;
  private readonly statusBar = new StatusBar();
  private readonly lateSuggestions = new LateSuggestions();
  private readonly askAfterRestart = new AskAfterRestart(
    () => void vscode.commands.executeCommand('editor.action.inlineSuggest.trigger'),
  );
  /** The item shown once the user cycles with the keys (VS Code tells only the first). */
  private readonly cycle = new CycledItems<ShownParams>(
    (a, b) => a.item.insertText === b.item.insertText,
    (params) => this.tellShown(params),
  );
  /** The documents given a suggestion: an undo there may take an accept out of the counts. */
  private readonly suggestedDocs = new SuggestedDocuments();
  /** The cursor leaving a suggestion with no edit, told to the server (its prefetch stopped). */
  private readonly cursorMoves = new CursorMoves((params) => {
    const client = this.client;
    if (client?.isRunning()) {
      client.sendNotification(CURSOR_NOTIFICATION, params).catch((err) => {
        this.log.debug(`${CURSOR_NOTIFICATION}: ${err instanceof Error ? err.message : String(err)}`);
      });
    }
  });
  private readonly indentation = new IndentationSync(
    (params) => {
      this.client?.sendNotification(EDITOR_INDENTATION, params).catch((err) => {
        this.log.debug(`editorIndentation: ${err instanceof Error ? err.message : String(err)}`);
      });
    },
    () => (this.client?.isRunning() ? this.client.code2ProtocolConverter.asUri : undefined),
  );
  private readonly keys: string[];
  private readonly settings: RegExp | undefined;
  private client: LanguageClient | undefined;
  private apiKey: string | undefined;
  /** The key the running server was started with. */
  private serverKey: string | undefined;
  private readonly crashLimit = new CrashLimit();
  private readonly notices = new OpenNotices();
  private usageFailed = new WeakSet<LanguageClient>();
  private statsFailed = new WeakSet<LanguageClient>();
  private restartPending = false;
  /** Start/stop/restart run one after another. */
  private queue: Promise<unknown> = Promise.resolve();
  private pollTimer: NodeJS.Timeout | undefined;
  /** The usage and counts fetched once soon, at the soonest time asked. */
  private readonly usageSoon = new Soon(() => void this.fetchUsage());
  private toldNoKey = false;
  /** No key, by the user's choice: not told of as a problem (see KEY_CLEARED_STATE). */
  private keyCleared = false;
  /** What installs the server where it was last looked for (shown, copied by "How to Install"). */
  private install = installCommand();
  private disposables: vscode.Disposable[] = [];

  constructor(private readonly context: vscode.ExtensionContext) {
    this.output = vscode.window.createOutputChannel('DeepSeek', { log: true });
    this.log = redacting(this.output, () => this.apiKey);
    this.keys = serverKeys(context.extension.packageJSON);
    this.settings = settingMatcher(this.keys);
    this.statusBar.setSettingKeys(this.keys);
  }

  api(): DeepSeekApi {
    const self = this;
    return {
      get client() {
        return self.client;
      },
      usage: () => self.fetchUsage(),
    };
  }

  async activate(): Promise<void> {
    const reg = (id: string, fn: (...args: any[]) => unknown) =>
      this.disposables.push(vscode.commands.registerCommand(id, fn));
    reg('deepseek.reviewCurrentFile', () => this.reviewCurrentFile());
    reg('deepseek.toggleCompletions', () => this.toggleCompletions());
    reg('deepseek.showUsage', () => this.showUsage());
    reg('deepseek.restartServer', () => this.restart('restart requested'));
    reg('deepseek.setApiKey', () => this.setApiKey());
    reg('deepseek.clearApiKey', () => this.clearApiKey());
    reg('deepseek.showOutput', () => this.output.show(true));
    reg(CURSOR_ABOVE_COMMAND, placeCursorAbove);
    reg('deepseek.showIgnoredFindings', () => this.showIgnoredFindings());
    for (const [id, { builtin, step }] of Object.entries(CYCLE_COMMANDS)) {
      reg(id, async () => {
        this.cycle.cycled(step);
        await vscode.commands.executeCommand(builtin);
      });
    }
    void vscode.commands.executeCommand('setContext', CYCLING_CONTEXT, true);

    const active = vscode.window.activeTextEditor?.document;
    this.askAfterRestart.activated(active && { ...docAt(active), dirty: active.isDirty });
    this.disposables.push(
      this.output,
      this.statusBar,
      this.lateSuggestions,
      this.indentation,
      this.context.secrets.onDidChange(async (e) => {
        if (e.key !== SECRET_KEY) {
          return;
        }
        await this.syncKey();
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (FILE_STATUS_SETTINGS.some((key) => e.affectsConfiguration(`${SECTION}.${key}`))) {
          this.statusBar.forgetFiles();
        }
        if (e.affectsConfiguration('deepseek.server')) {
          void this.restart('deepseek.server settings changed');
        }
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.start()),
      vscode.window.onDidChangeTextEditorSelection((e) => this.cursorMoves.moved(this.placeOf(e.textEditor))),
      vscode.window.onDidChangeActiveTextEditor((editor) => editor && this.cursorMoves.moved(this.placeOf(editor))),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length && e.reason === undefined && e.document === vscode.window.activeTextEditor?.document) {
          this.askAfterRestart.typedInto(docAt(e.document));
        }
        if (this.suggestedDocs.mayChangeAccepts(e.document.uri.toString(), e.reason, e.contentChanges.length)) {
          this.refreshUsageSoon();
        }
      }),
      vscode.workspace.onDidCloseTextDocument((doc) => this.suggestedDocs.closed(doc.uri.toString())),
      vscode.workspace.onWillSaveNotebookDocument((e) => this.notebookWillSave(e)),
    );
    await this.readKey();
    if (!this.apiKey && this.context.globalState.get<boolean>(KEY_CLEARED_STATE, false)) {
      this.setKeyCleared(true);
    }
    // Activation must not wait for the server (its Python start takes a second or two).
    void this.start();
  }

  // -- the server ---------------------------------------------------------------------------------

  private async readKey(): Promise<string | undefined> {
    try {
      this.apiKey = (await this.context.secrets.get(SECRET_KEY)) || undefined;
    } catch (err) {
      this.log.warn(`could not read the API key from the secret storage: ${String(err)}`);
      this.apiKey = undefined;
    }
    // A key set since (here or in another window) ends the choice of having none.
    if (this.apiKey && this.keyCleared) {
      this.setKeyCleared(false);
    }
    return this.apiKey;
  }

  private setKeyCleared(cleared: boolean): void {
    this.keyCleared = cleared;
    this.statusBar.setKeyCleared(cleared);
    if (this.context.globalState.get<boolean>(KEY_CLEARED_STATE, false) !== cleared) {
      void this.context.globalState.update(KEY_CLEARED_STATE, cleared);
    }
  }

  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  start(): Promise<void> {
    return this.serialize(() => this.doStart());
  }

  restart(reason: string): Promise<void> {
    // Set at once: configuration changes racing the stop are not sent to the old server.
    this.restartPending = true;
    return this.serialize(async () => {
      this.log.info(`restarting the server (${reason})`);
      this.crashLimit.reset();
      await this.doStop();
      await this.readKey();
      await this.doStart();
    });
  }

  /** Restart when the stored key differs from the one the server has (set here or in another window). */
  private syncKey(): Promise<void> {
    return this.serialize(async () => {
      await this.readKey();
      if (this.apiKey !== this.serverKey) {
        this.log.info('API key changed; restarting the server');
        await this.doStop();
        await this.doStart();
      }
    });
  }

  stopClient(): Promise<void> {
    return this.serialize(() => this.doStop());
  }

  private async doStop(): Promise<void> {
    this.stopPolling();
    // The old client's state changes are not followed once it is no longer this.client.
    this.askAfterRestart.down();
    const client = this.client;
    this.client = undefined;
    if (!client) {
      return;
    }
    try {
      if (client.needsStop()) {
        await client.stop(3000);
      }
    } catch (err) {
      this.log.warn(`stopping the server: ${String(err)}`);
    }
    try {
      await client.dispose(1000);
    } catch {
      // already stopped
    }
    this.statusBar.setLifecycle('stopped');
  }

  private async doStart(): Promise<void> {
    this.restartPending = false;
    if (this.client) {
      return;
    }
    if (!vscode.workspace.isTrusted) {
      this.log.info('the workspace is not trusted: the language server starts once it is');
      this.statusBar.setLifecycle('untrusted');
      return;
    }
    this.statusBar.setLifecycle('starting');
    const resolution = await resolveServer();
    if (!resolution.ok && resolution.invalid) {
      this.log.error(resolution.invalid);
      this.statusBar.setLifecycle('failed', resolution.invalid);
      void vscode.window
        .showErrorMessage(`DeepSeek: ${resolution.invalid}.`, 'Open Settings')
        .then((choice) => this.onErrorChoice(choice));
      return;
    }
    if (!resolution.ok) {
      const reason = `Tried: ${resolution.tried.join('; ')}`;
      this.log.error(`deepseek-lsp was not found. ${reason}`);
      this.install = installCommand(resolution.lacking);
      this.statusBar.setLifecycle('failed', `deepseek-lsp was not found. ${reason}. Install it with \`${this.install}\`.`);
      void this.explainInstall(reason, resolution.lacking);
      return;
    }
    const { launch } = resolution;
    this.log.info(
      `starting ${shownCommandLine(launch.command, launch.args)} (${launch.origin}` +
        `${launch.version ? `, deepseek-lsp ${launch.version}` : ''})`,
    );
    const serverOptions: ServerOptions = {
      command: launch.command,
      args: launch.args,
      transport: TransportKind.stdio,
      options: { cwd: workspaceCwd(), env: { ...process.env } },
    };
    const viaLsp: ClientRef = {};
    const client = new DeepSeekClient('deepseek', 'DeepSeek', serverOptions, this.clientOptions(viaLsp));
    viaLsp.client = client;
    this.client = client;
    this.serverKey = this.apiKey;
    client.onRestartFailed = (err) => {
      // A start that failed because the new process died is also a crash, which the close
      // handler restarts or gives up on with its own message: only a client left stopped says so.
      if (this.client !== client || client.state === State.Running || client.state === State.Starting) {
        return;
      }
      const message = err instanceof Error ? err.message : String(err);
      this.log.error(`the server stopped and did not start again: ${message}`);
      this.statusBar.setLifecycle('failed', `The server stopped and did not start again: ${message}`);
      void this.notices
        .show('did not start', () =>
          vscode.window.showErrorMessage(
            `DeepSeek: the language server stopped and did not start again: ${message}`,
            'Restart Server',
            'Show Log',
          ),
        )
        .then((choice) => this.onErrorChoice(choice));
    };
    client.onDidChangeState((e) => {
      // Once running, the server logs through window/logMessage as well as to stderr.
      viaLsp.stderr?.running(e.newState === State.Running);
      if (this.client !== client) {
        return;
      }
      if (e.newState === State.Running) {
        viaLsp.ran = true;
        this.statusBar.setLifecycle('running');
        this.indentation.tellAll();
        // Running is set before the client registers its features (the inline completion
        // provider among them); the start under way, which start() returns, ends after them.
        void client.start().then(
          () => {
            if (this.client === client && client.isRunning()) {
              const active = vscode.window.activeTextEditor?.document;
              this.askAfterRestart.up(active && docAt(active));
            }
          },
          () => undefined,
        );
        return;
      }
      this.askAfterRestart.down();
      if (e.newState === State.Starting) {
        this.statusBar.setLifecycle('starting');
      } else if (e.newState === State.Stopped && this.statusBar.current.lifecycle !== 'failed') {
        this.statusBar.setLifecycle('stopped');
      }
    });
    // Registered before start, so it replaces the client's own handler of the server's messages.
    client.onNotification(ShowMessageNotification.type, (params) => this.showServerMessage(params));
    client.onNotification(STATUS_NOTIFICATION, (status: ServerStatus) => {
      if (this.client === client && status && typeof status.kind === 'string') {
        this.statusBar.setStatus(status);
        if (status.kind === 'Error' || status.kind === 'Warning') {
          // The tooltip's session line tells the failed requests: without a fetch it waited
          // for the minute's poll, an answer with a suggestion or an accept.
          this.refreshUsageSoon();
        }
      }
    });
    try {
      await client.start();
    } catch (err) {
      if (this.client === client) {
        this.client = undefined;
      }
      const message = err instanceof Error ? err.message : String(err);
      this.log.error(`the server did not start: ${message}`);
      this.statusBar.setLifecycle('failed', `The server did not start: ${message}`);
      // Not awaited: this runs inside serialize(), and waiting for the user to close the
      // message held up every later restart (a fixed deepseek.server.* setting, "Restart
      // Server", a new API key) and deactivation.
      void this.notices
        .show('did not start', () =>
          vscode.window.showErrorMessage(
            `DeepSeek: the language server (${shownCommandLine(launch.command, launch.args)}) did not start: ${message}`,
            'Show Log',
            'How to Install',
            'Open Settings',
          ),
        )
        .then((choice) => this.onErrorChoice(choice));
      return;
    }
    this.startPolling();
    this.refreshUsageSoon(100);
    this.maybeAskForKey();
  }

  private clientOptions(viaLsp: ClientRef): LanguageClientOptions {
    const keys = this.keys;
    const settingsFor = (scopeUri: string | undefined) =>
      serverSettings(keys, scopeUri ? vscode.Uri.parse(scopeUri) : undefined);
    return {
      // Notebook cells too: the server keeps each notebook as one document (notebook sync), so
      // a cell's suggestions see the cells above it.
      documentSelector: [...SENT_SCHEMES.map((scheme) => ({ scheme })), { notebook: '*' }],
      synchronize: { configurationSection: SECTION },
      outputChannel: this.log,
      traceOutputChannel: this.log,
      stdioOptions: {
        stdout: (input, channel) => readLines(input, (line) => channel.info(line)),
        // Called for each server process the client starts.
        stderr: (input, channel) => {
          const stderr = new ServerStderr(channel);
          viaLsp.stderr = stderr;
          readLines(input, (line) => stderr.line(line));
        },
      },
      // A function: read at every (re)start. Only the key (kept in the secret store, never in
      // the settings): the settings come from workspace/configuration, which the server pulls
      // before it sends anything. Sent here too, they stayed under every later pull, so a
      // setting reset to its default kept its old value until the server restarted.
      initializationOptions: () => (this.apiKey ? { apiKey: this.apiKey } : {}),
      // doStart says why the server did not start: the client's notifications of it (the
      // error's text, "Server initialization failed.") are not shown as well.
      initializationFailedHandler: () => false,
      errorHandler: {
        error: () => ({ action: ErrorAction.Continue }),
        closed: () => {
          const next = afterClose(!!viaLsp.ran, this.client === viaLsp.client, this.crashLimit);
          if (next === 'leave') {
            return { action: CloseAction.DoNotRestart, handled: true };
          }
          if (next === 'restart') {
            this.log.warn('the server stopped unexpectedly; restarting it');
            return { action: CloseAction.Restart, handled: true };
          }
          const message = 'the language server stopped 4 times in 3 minutes; the log has the details.';
          this.log.error(message);
          this.statusBar.setLifecycle('failed', 'The server stopped unexpectedly several times; see the log.');
          // With the way out, which the client's own message (a "Go to output" button) lacked.
          void vscode.window
            .showErrorMessage(`DeepSeek: ${message}`, 'Restart Server', 'Show Log')
            .then((choice) => this.onErrorChoice(choice));
          return { action: CloseAction.DoNotRestart, handled: true };
        },
      },
      middleware: {
        workspace: {
          handleApplyEdit: async (params, next) =>
            (await applyIntoTheAcceptsUndo(params)) ?? next(params, CancellationToken.None),
          didChangeConfiguration: async (_sections, next) => {
            // Not to a server that is being replaced (a deepseek.server.* change restarts it).
            const client = viaLsp.client;
            if (this.restartPending || !client || this.client !== client || !client.isRunning()) {
              return;
            }
            // Without the settings (null): the server pulls them (workspace/configuration). The
            // copy vscode-languageclient pushes holds every key with its default and the
            // extension's own (server.*, trace.*): a server whose pull found no setting set
            // used it instead, reported 'server' and 'trace' as unknown settings and took
            // the default baseUrl over DEEPSEEK_BASE_URL.
            return next(undefined);
          },
          configuration: async (params, token, next) => {
            const ours = params.items.map((item) => isOurSection(item.section));
            if (!ours.some(Boolean)) {
              return next(params, token);
            }
            const others = params.items.filter((_, i) => !ours[i]);
            let otherResults: unknown[] = [];
            if (others.length) {
              const r = await next({ items: others }, token);
              otherResults = Array.isArray(r) ? r : [];
            }
            const answer = params.items.map((item, i) =>
              ours[i] ? subSection(settingsFor(item.scopeUri), item.section!) : otherResults.shift() ?? null,
            );
            // On the next turn: the answer goes to the server before the request it lets ask.
            setTimeout(() => {
              const active = vscode.window.activeTextEditor?.document;
              this.askAfterRestart.settingsGiven(active && docAt(active));
            }, 0);
            return answer;
          },
        },
        // VS Code shows suggestions as ghost text: the server's textDocument/completion fallback
        // would only duplicate them in the suggest widget (and cost a request per keystroke).
        provideCompletionItem: (document, position) => {
          this.lateSuggestions.suggestAsked(document, position);
          return undefined;
        },
        provideInlineCompletionItems: async (document, position, context, token, next) => {
          if (typedAtSeveralCursors(document)) {
            return undefined;
          }
          if (
            context.triggerKind === vscode.InlineCompletionTriggerKind.Invoke &&
            this.askAfterRestart.isAskAfterRestart(document.uri.toString())
          ) {
            // The key typed while the server restarted, asked now: as that key would have.
            context = { ...context, triggerKind: vscode.InlineCompletionTriggerKind.Automatic };
          }
          const done = this.statusBar.waiting.begin(document.uri.toString());
          const askedAt = this.placeOf({ document, selection: new vscode.Selection(position, position) });
          this.cursorMoves.asked(askedAt);
          const result = await this.lateSuggestions
            .provide(document, position, context, token, next)
            .finally(() => done(token.isCancellationRequested));
          for (const item of (Array.isArray(result) ? result : result?.items) ?? []) {
            withoutRewrittenTail(item, document, position);
          }
          if (!token.isCancellationRequested) {
            const notebook = vscode.workspace.notebookDocuments.find((nb) => nb.getCells().some((c) => c.document === document));
            this.statusBar.settled(document.uri.toString(), notebook?.uri.toString());
            const first = firstItem(result);
            this.tellShown(first && shownParams(first, ACCEPT_COMMAND));
            const told = ((Array.isArray(result) ? result : result?.items) ?? [])
              .map((item) => shownParams(item, ACCEPT_COMMAND))
              .filter((params): params is ShownParams => params !== undefined);
            this.cycle.answered(told, context.triggerKind === vscode.InlineCompletionTriggerKind.Invoke);
            this.cursorMoves.answered(askedAt, !!first);
          }
          if (hasItems(result)) {
            this.suggestedDocs.suggested(document.uri.toString());
            this.refreshUsageSoon();
          }
          // After the shown item is told: by its command, which this makes the extension's.
          for (const item of (Array.isArray(result) ? result : result?.items) ?? []) {
            withCursorAboveKeptCloser(item, document, ACCEPT_COMMAND);
          }
          return result;
        },
        executeCommand: async (command, args, next) => {
          if (command === ACCEPT_COMMAND) {
            // Another item than the first (cycled to) was shown too: accepted and never shown,
            // it made the acceptance rate go over 100 %.
            const accepted = { command: { title: '', command, arguments: args } };
            this.tellShown(shownParams(accepted, ACCEPT_COMMAND));
          }
          const result = await next(command, args);
          if (command === ACCEPT_COMMAND || command.startsWith('deepseek.review')) {
            this.refreshUsageSoon();
          }
          return result;
        },
        handleDiagnostics: (uri, diagnostics, next) => {
          next(uri, withoutFindingIds(diagnostics));
          if (diagnostics.some((d) => d.source === REVIEW_SOURCE)) {
            this.refreshUsageSoon();
          }
        },
      },
    };
  }

  /** An editor's cursor as the server names it (the document's URI as sent in didOpen). */
  private placeOf(editor: Pick<vscode.TextEditor, 'document' | 'selection'>): Place {
    const { document } = editor;
    const active = editor.selection.active;
    const uri = this.client ? this.client.code2ProtocolConverter.asUri(document.uri) : document.uri.toString();
    return { uri, version: document.version, line: active.line, character: active.character };
  }

  private tellShown(params: ShownParams | undefined): void {
    const client = this.client;
    if (!params || !client || !client.isRunning()) {
      return;
    }
    client.sendNotification(SHOWN_NOTIFICATION, params).catch((err) => {
      this.log.debug(`didShowCompletion: ${err instanceof Error ? err.message : String(err)}`);
    });
  }

  private async explainInstall(reason: string, lacking: string | undefined): Promise<void> {
    const what = lacking
      ? `the Python of "deepseek.server.pythonPath" has no deepseek-lsp. Install it there with "${this.install}". `
      : `the deepseek-lsp language server was not found. Install it with "${this.install}" ` +
        'and set "deepseek.server.pythonPath" to that Python (or "deepseek.server.command"). ';
    const choice = await this.notices.show('not found', () =>
      vscode.window.showErrorMessage(
        `DeepSeek: ${what}${reason}.`,
        'How to Install',
        'Open Settings',
        'Retry',
      ),
    );
    this.onErrorChoice(choice);
  }

  private onErrorChoice(choice: string | undefined): void {
    switch (choice) {
      case 'How to Install':
        void this.howToInstall();
        break;
      case 'Open Settings':
        void vscode.commands.executeCommand('workbench.action.openSettings', '@ext:deepseek-lsp.deepseek-vscode deepseek.server');
        break;
      case 'Retry':
        void this.restart('retry');
        break;
      case 'Restart Server':
        void this.restart('restart requested');
        break;
      case 'Show Log':
        this.output.show(true);
        break;
    }
  }

  private async howToInstall(): Promise<void> {
    const choice = await vscode.window.showInformationMessage(
      'Install the DeepSeek language server',
      {
        modal: true,
        detail:
          `Install it into a Python 3.10+ environment, from a checkout of its repository (it is not on PyPI):\n\n    ${this.install}\n\n` +
          'Then either run VS Code where that python3 (on Windows python, or py -3) is on PATH, or set "deepseek.server.pythonPath" to the ' +
          'environment\'s python, or "deepseek.server.command" to a full command line. ' +
          'The README has the details.',
      },
      'Copy Install Command',
      'Open README',
    );
    if (choice === 'Copy Install Command') {
      await vscode.env.clipboard.writeText(this.install);
      vscode.window.setStatusBarMessage(`Copied: ${this.install}`, 4000);
    } else if (choice === 'Open README') {
      const readme = vscode.Uri.joinPath(this.context.extensionUri, 'README.md');
      await vscode.commands.executeCommand('markdown.showPreview', readme);
    }
  }

  /**
   * The server's window/showMessage, as the client shows it, except its "no API key": the
   * extension says that itself, with a "Set API Key" button (both came at a first start), and
   * says nothing of it after the user cleared the key on purpose.
   */
  private showServerMessage(params: ShowMessageParams): void {
    if (isNoKeyMessage(params.message)) {
      this.log.info(params.message);
      // Said once, with its buttons: the server's own text came first at a start against a
      // URL of its own (the extension asks only for DeepSeek's), without "Set API Key".
      if (!this.keyCleared && !this.toldNoKey) {
        this.askForKey();
      }
      return;
    }
    if (isKeyRejectedMessage(params.message)) {
      // With the way to fix it that the message names: without the button the user had to
      // find the command, and completions stayed off meanwhile.
      const message = withSettingLinks(params.message, this.settings);
      void vscode.window.showErrorMessage(message, 'Set API Key').then((choice) => {
        if (choice) {
          void this.setApiKey();
        }
      });
      return;
    }
    // The settings it names as VS Code's, each a link opening it (a notification runs command
    // links); its text stays the server's, shared by every editor.
    const message = withSettingLinks(params.message, this.settings);
    const show =
      params.type === MessageType.Error
        ? vscode.window.showErrorMessage
        : params.type === MessageType.Warning
          ? vscode.window.showWarningMessage
          : vscode.window.showInformationMessage;
    void show(message);
  }

  private maybeAskForKey(): void {
    if (this.apiKey || this.toldNoKey || this.keyCleared) {
      return;
    }
    // A self-hosted endpoint (Ollama, vLLM, llama.cpp) usually needs no key; a key written in
    // settings.json says one is meant, wherever it goes (a gateway's): told it is not read.
    const fimBaseUrl = userValue('fimBaseUrl');
    const meant = keyInSettings() !== undefined;
    if (!meant && !needsKeyPrompt(userValue('baseUrl'), process.env, fimBaseUrl, userValue('backend'))) {
      return;
    }
    this.askForKey();
  }

  private askForKey(): void {
    this.toldNoKey = true;
    const written = keyInSettings();
    const prompt = noKeyPrompt(written !== undefined);
    void vscode.window.showWarningMessage(prompt.text, ...prompt.actions).then((choice) => {
      if (choice === 'Move to Secret Storage' && written !== undefined) {
        void this.setApiKey(written);
      } else if (choice) {
        void this.setApiKey();
      }
    });
  }

  /** Auto-saves of a notebook (files.autoSave) wait for a pause in typing before the server
   * reviews them, as a file's do through willSave; without the reason each one was reviewed. */
  private notebookWillSave(e: vscode.NotebookDocumentWillSaveEvent): void {
    const client = this.client;
    if (!client || !client.isRunning()) {
      return;
    }
    const params = { uri: client.code2ProtocolConverter.asUri(e.notebook.uri), reason: e.reason };
    client.sendNotification(WILL_SAVE_NOTEBOOK, params).catch((err) => {
      this.log.debug(`willSaveNotebook: ${err instanceof Error ? err.message : String(err)}`);
    });
  }

  // -- usage ----------------------------------------------------------------------------------------

  private async fetchUsage(): Promise<UsageJSON | undefined> {
    const client = this.client;
    if (!client || !client.isRunning()) {
      return undefined;
    }
    void this.fetchStats(client);
    try {
      const usage = await client.sendRequest<UsageJSON>(USAGE_REQUEST, {});
      if (usage && usage.today) {
        this.statusBar.setUsage(usage);
        return usage;
      }
    } catch (err) {
      if (!this.usageFailed.has(client)) {
        this.usageFailed.add(client);
        this.log.warn(`deepseek/usage failed: ${String(err)}`);
      }
    }
    return undefined;
  }

  private async fetchStats(client: LanguageClient): Promise<void> {
    try {
      const stats = await client.sendRequest<CompletionStatsJSON>(STATS_REQUEST, {});
      if (stats && typeof stats === 'object') {
        this.statusBar.setStats(stats);
      }
    } catch (err) {
      // A server without the request (older) has a tooltip without the counts: said once.
      if (!this.statsFailed.has(client)) {
        this.statsFailed.add(client);
        this.log.debug(`deepseek/completionStats failed: ${String(err)}`);
      }
    }
  }

  private refreshUsageSoon(delay = USAGE_SOON_MS): void {
    this.usageSoon.request(delay);
  }

  private startPolling(): void {
    if (this.pollTimer) {
      clearInterval(this.pollTimer);
    }
    this.pollTimer = setInterval(() => void this.fetchUsage(), USAGE_POLL_MS);
  }

  private stopPolling(): void {
    if (this.pollTimer) {
      clearInterval(this.pollTimer);
      this.pollTimer = undefined;
    }
    this.usageSoon.cancel();
  }

  // -- commands -----------------------------------------------------------------------------------

  private async showUsage(): Promise<void> {
    await showUsage(() => this.fetchUsage(), () => this.statusBar.displayed, {
      log: () => this.output.show(true),
      setKey: () => void this.setApiKey(),
      restart: () => void this.restart('restart requested'),
      trust:
        this.statusBar.current.lifecycle === 'untrusted'
          ? () => void vscode.commands.executeCommand('workbench.trust.manage')
          : undefined,
      toggle: {
        on: vscode.workspace.getConfiguration(SECTION, this.statusBar.editor?.document ?? null).get<boolean>('completion.enable', true),
        run: () => void this.toggleCompletions(),
      },
    }, (text) => this.statusBar.settingNames(text));
  }

  /** `value`: a key to offer in the box (the one written in settings.json), checked as one typed. */
  private async setApiKey(value?: string): Promise<void> {
    const key = await vscode.window.showInputBox({
      value,
      title: 'DeepSeek API key',
      prompt: 'Stored in VS Code\'s secret storage (never in settings) and passed to the language server at start.',
      placeHolder: 'sk-…',
      password: true,
      ignoreFocusOut: true,
      validateInput: keyInputProblem,
    });
    if (key === undefined) {
      return;
    }
    const trimmed = key.trim();
    if (trimmed === this.apiKey) {
      // The server stops asking once a key is rejected, until it gets a key: the same key
      // entered again (made valid on the provider's side meanwhile) was "unchanged" and
      // completions stayed off until a restart.
      if (isKeyRejectedMessage(this.statusBar.current.status.message)) {
        await this.restart('the rejected API key entered again');
        vscode.window.setStatusBarMessage('DeepSeek: trying the API key again', 3000);
        return;
      }
      vscode.window.setStatusBarMessage('DeepSeek: the API key is unchanged', 3000);
      return;
    }
    await this.context.secrets.store(SECRET_KEY, trimmed);
    this.setKeyCleared(false);
    // onDidChange restarts the server too; whichever comes second finds nothing to do.
    await this.syncKey();
    if (keyInSettings() === trimmed) {
      const choice = await vscode.window.showInformationMessage(
        'DeepSeek: the API key is saved in the secret storage. Delete "deepseek.apiKey" from your settings file now.',
        'Open User Settings (JSON)',
      );
      if (choice) {
        void vscode.commands.executeCommand('workbench.action.openSettingsJson');
      }
      return;
    }
    vscode.window.setStatusBarMessage('DeepSeek: API key saved', 3000);
  }

  private async clearApiKey(): Promise<void> {
    let hadKey = true;
    try {
      hadKey = !!(await this.context.secrets.get(SECRET_KEY));
    } catch {
      // unreadable: deleted all the same
    }
    // Before the restart: the new server's "no API key" is then no problem to be told of.
    this.setKeyCleared(true);
    await this.context.secrets.delete(SECRET_KEY);
    await this.syncKey();
    const said = keyClearedMessage(hadKey, process.env);
    if (said.notify) {
      void vscode.window.showInformationMessage(said.text, ...(said.actions ?? [])).then((choice) => {
        if (choice === 'Set API Key') {
          void this.setApiKey();
        }
      });
    } else {
      vscode.window.setStatusBarMessage(said.text, 3000);
    }
  }

  private async toggleCompletions(): Promise<void> {
    // The settings of the file being edited: completion.enable may be its folder's or its language's own.
    const document = this.statusBar.editor?.document;
    const cfg = vscode.workspace.getConfiguration(SECTION, document ?? null);
    const current = cfg.get<boolean>('completion.enable', true);
    // Write where the value in force comes from, so the toggle takes effect.
    const { target, inLanguage } = toggleTarget(cfg.inspect<boolean>('completion.enable'));
    const targets = {
      folder: vscode.ConfigurationTarget.WorkspaceFolder,
      workspace: vscode.ConfigurationTarget.Workspace,
      global: vscode.ConfigurationTarget.Global,
    };
    await cfg.update('completion.enable', !current, targets[target], inLanguage);
    const where = (inLanguage ? ` in ${document?.languageId} files` : '') + (target === 'folder' ? ' in this folder' : '');
    const sent = document && !notSentReason(document.uri.scheme);
    const report = toggleReport(!current, sent ? document.languageId : undefined, cfg.get('completion.languages'), where);
    if (!report.notify) {
      vscode.window.setStatusBarMessage(report.text, 3000);
      return;
    }
    const choice = await vscode.window.showInformationMessage(report.text, 'Open Settings');
    if (choice) {
      void vscode.commands.executeCommand('workbench.action.openSettings', 'deepseek.completion.languages');
    }
  }

  private async reviewCurrentFile(): Promise<void> {
    // Not the Output pane's log, when the focus was there (reading why a review failed).
    const editor = this.statusBar.editor;
    if (!editor) {
      void vscode.window.showInformationMessage('DeepSeek: open a file to review.');
      return;
    }
    const uri = editor.document.uri.toString();
    const name = editor.document.uri.path.split('/').pop() ?? uri;
    const notSent = notSentReport(name, editor.document.uri.scheme);
    if (notSent) {
      void vscode.window.showWarningMessage(notSent.text);
      return;
    }
    const client = this.client;
    if (!client || !client.isRunning()) {
      return this.tellNotRunning();
    }
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: `DeepSeek: reviewing ${name}` },
      async () => {
        try {
          return await client.sendRequest(ExecuteCommandRequest.type, {
            command: SERVER_REVIEW_COMMAND,
            arguments: [uri],
          });
        } catch (err) {
          return { ok: false, reason: err instanceof Error ? err.message : String(err) };
        }
      },
    );
    this.refreshUsageSoon(100);
    // The server asked was stopped while it reviewed (a restart, a new key): what it answered
    // on its way out ("superseded", a dropped connection) is not what happened.
    const report = reviewReport(name, result, this.client !== client || !client.isRunning());
    if (report?.kind === 'status') {
      vscode.window.setStatusBarMessage(withSettingNames(report.text, this.settings), 5000);
    } else if (report) {
      void vscode.window.showWarningMessage(withSettingLinks(report.text, this.settings));
    }
  }

  /** Why the server cannot be asked now, with the ways out. */
  private async tellNotRunning(): Promise<void> {
    const { lifecycle } = this.statusBar.current;
    const prompt = notRunningPrompt(lifecycle, this.statusBar.displayed.message);
    const choice = await vscode.window.showWarningMessage(prompt.message, ...prompt.actions);
    if (choice === 'Restart Server') {
      void this.restart('restart requested');
    } else if (choice === 'Show Log') {
      this.output.show(true);
    } else if (choice === 'Manage Workspace Trust') {
      void vscode.commands.executeCommand('workbench.trust.manage');
    }
  }

  private async showIgnoredFindings(): Promise<void> {
    const client = this.client;
    if (!client || !client.isRunning()) {
      return this.tellNotRunning();
    }
    const args = unignoreArguments(
      this.statusBar.editor?.document.uri.toString(),
      vscode.window.activeNotebookEditor?.notebook.uri.toString(),
      (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.toString()),
    );
    try {
      const count = await client.sendRequest(ExecuteCommandRequest.type, { command: SERVER_UNIGNORE_COMMAND, arguments: args });
      vscode.window.setStatusBarMessage(unignoredText(count, args.length > 0), 5000);
    } catch (err) {
      void vscode.window.showWarningMessage(`DeepSeek: showing the ignored findings failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  dispose(): void {
    void vscode.commands.executeCommand('setContext', CYCLING_CONTEXT, false);
    this.stopPolling();
    for (const d of this.disposables) {
      d.dispose();
    }
    this.disposables = [];
  }
}
