// One status bar item: the server's status (deepseek/status) and today's cost (deepseek/usage).

import * as vscode from 'vscode';
import { afterKeyCleared } from './apiKey';
import { textWithLinks } from './markdownText';
import { counted } from './plural';
import { NOTEBOOK_CELL_SCHEME, SENT_SCHEMES } from './review';
import { OPEN_SETTING_COMMAND, settingMatcher, withSettingNames } from './settingNames';
import { SECTION } from './settings';
import { Waiting } from './waiting';

/** What the server appends to a notebook's URI for the document of its cells. */
const NOTEBOOK_SUFFIX = '#cells';

export type Kind = 'Normal' | 'Warning' | 'Error' | 'Inactive';

export interface ServerStatus {
  kind: Kind;
  message: string;
  feature?: string;
  uri?: string;
}

/** The extension's own view of the server process, shown while no server status applies. */
export type Lifecycle = 'starting' | 'running' | 'stopped' | 'failed' | 'untrusted';

export interface TotalsJSON {
  requests?: number;
  ok?: number;
  errors?: number;
  cancelled?: number;
  /** Requests closed before their usage came: their token figures counted by the server, not reported. */
  estimated?: number;
  prompt_tokens?: number;
  cache_hit_tokens?: number;
  cache_miss_tokens?: number;
  output_tokens?: number;
  cost_usd?: number;
  /** Requests a gateway billed without saying what: not in cost_usd. */
  unknown_cost?: number;
  /** The part of cost_usd estimated at the model's DeepSeek list price (the gateway told none). */
  estimated_usd?: number;
  mean_ttft_s?: number | null;
  mean_latency_s?: number | null;
  /** Of the prompt tokens, the share the provider's cache held (null without prompts). */
  cache_hit_share?: number | null;
}

export interface ScopeJSON {
  day?: string;
  month?: string;
  models: Record<string, TotalsJSON>;
  total: TotalsJSON;
  /** Per feature (completion, prefetch, review): what each cost, apart. */
  features?: Record<string, TotalsJSON>;
}

export interface UsageJSON {
  today: ScopeJSON;
  month: ScopeJSON;
  session?: ScopeJSON;
  unpriced_models?: string[];
  unknown_cost_models?: string[];
  unknown_cost_hint?: string;
  estimated_cost_models?: string[];
  estimated_cost_hint?: string;
  /** What the token figures marked "~" are: sent when totals count `estimated` requests. */
  estimated_tokens_hint?: string;
  budget?: {
    daily_usd: number;
    spent_today_usd: number;
    remaining_usd: number;
    under_way_usd?: number;
    estimated_usd?: number;
  } | null;
  path?: string | null;
  status?: ServerStatus;
}

/** The server's completion counters of the session (`deepseek/completionStats`). */
export interface CompletionStatsJSON {
  requests?: number;
  shown?: number;
  accepted?: number;
  acceptanceRate?: number | null;
  /** Accepts undone (Ctrl+Z right after), taken out of ``accepted``. */
  undone?: number;
  latencyMs?: { p50?: number | null };
}

/**
 * The session's suggestions as the tooltip says them: accepted over shown (the extension tells
 * the server of each answer VS Code is given for the text as it is), or over the requests from
 * a server that counted none shown. No counts before a request was answered: after one failed
 * (a wrong key, a wrong base URL) it said "0 suggestions accepted (of 0 requests)", as if there
 * had been nothing to count, where the model's failed requests are what there is to tell.
 */
export function sessionLine(stats: CompletionStatsJSON | undefined, session: TotalsJSON | undefined): string {
  const parts: string[] = [];
  if (stats && (stats.requests || stats.accepted)) {
    const accepted = counted(stats.accepted, 'suggestion') + ' accepted';
    parts.push(
      stats.shown
        ? `${accepted} of ${stats.shown} shown` +
            (stats.acceptanceRate != null ? ` (${Math.round(stats.acceptanceRate * 100)} %)` : '')
        : `${accepted} (of ${counted(stats.requests, 'request')})`,
    );
    if (stats.undone) {
      parts[parts.length - 1] += `, ${stats.undone} undone`;
    }
    const p50 = stats.latencyMs?.p50;
    if (p50 != null) {
      // Answers from the server's cache take a fraction of a millisecond: not "0 ms".
      parts.push(`latency p50 ${p50 < 1 ? '<1' : Math.round(p50)} ms`);
    }
  }
  if (session?.errors) {
    parts.push(`${counted(session.errors, 'request')} to the model failed`);
  }
  if (session) {
    parts.push(formatTotalCost(session));
  }
  return parts.length ? `This session: ${parts.join(' · ')}` : '';
}

/** A request keeps the spinner at most this long past the server's own timeout. */
const WAIT_CAP_MARGIN_MS = 2000;

function completionTimeoutMs(): number {
  const s = vscode.workspace.getConfiguration(SECTION).get<number>('completion.timeoutS', 5);
  return (typeof s === 'number' && s > 0 && Number.isFinite(s) ? s : 5) * 1000;
}

const ICONS: Record<Kind, string> = {
  Normal: '$(sparkle)',
  Warning: '$(warning)',
  Error: '$(error)',
  Inactive: '$(circle-slash)',
};

export function formatCost(usd: number | undefined): string {
  const v = usd ?? 0;
  if (v === 0) {
    return '$0.00';
  }
  if (v < 0.0001) {
    return '<$0.0001';
  }
  return v < 0.01 ? `$${v.toFixed(4)}` : `$${v.toFixed(2)}`;
}

/**
 * What requests cost, as the server's `deepseek-lsp usage` says it: requests a gateway billed
 * without saying what (a LiteLLM stream) are "unknown", never "$0.00", which read as free; a
 * figure estimated in part at list prices reads "~$0.02", not as the gateway's bill.
 */
export function formatTotalCost(t: TotalsJSON | undefined): string {
  const figure = t?.estimated_usd ? `~${formatCost(t.cost_usd)}` : formatCost(t?.cost_usd);
  if (!t?.unknown_cost) {
    return figure;
  }
  return t.cost_usd ? `${figure} + unknown` : 'cost unknown';
}

/**
 * What "Review Current File" says when there is no server to ask, and its buttons. In an
 * untrusted workspace it said "not running" with "Restart Server", which did nothing there (the
 * server never starts untrusted) and logged nothing.
 */
export function notRunningPrompt(lifecycle: Lifecycle, reason: string): { message: string; actions: string[] } {
  switch (lifecycle) {
    case 'untrusted':
      return {
        message: 'DeepSeek: this workspace is not trusted, so the language server (a program from your settings) does not start. Trust the workspace to use completions and review.',
        actions: ['Manage Workspace Trust'],
      };
    case 'starting':
      return { message: 'DeepSeek: the language server is still starting; try again in a moment.', actions: ['Show Log'] };
    case 'failed':
      return { message: `DeepSeek: the language server is not running. ${reason}`, actions: ['Restart Server', 'Show Log'] };
    default:
      return { message: 'DeepSeek: the language server is not running.', actions: ['Restart Server', 'Show Log'] };
  }
}

/** What the documents of a scheme the server is never sent are, said in the status. */
const NOT_SENT: Record<string, string> = {
  output: 'the Output pane',
  'vscode-userdata': "VS Code's own settings",
  git: 'a git revision',
  vscode: "one of VS Code's own documents",
};

/**
 * Why the server never hears of a document of this URI scheme (the client's documentSelector
 * takes files, untitled documents and notebook cells), or undefined. The status bar said
 * "Normal", "Ready." on them: as if suggestions were to come there.
 */
export function notSentReason(scheme: string): string | undefined {
  if (SENT_SCHEMES.includes(scheme) || scheme === NOTEBOOK_CELL_SCHEME) {
    return undefined;
  }
  const what = NOT_SENT[scheme] ?? `a "${scheme}:" document`;
  return `Completions are off for this document: it is ${what}, which is never sent to DeepSeek. They work in files and untitled documents.`;
}

/** The Output pane has a text editor too (its scheme `output`): it is no file being edited. */
function isOutputPane(editor: vscode.TextEditor | undefined): boolean {
  return editor?.document.uri.scheme === 'output';
}

export class StatusBar implements vscode.Disposable {
  readonly item: vscode.StatusBarItem;
  private lifecycle: Lifecycle = 'starting';
  private lifecycleMessage = '';
  private status: ServerStatus = { kind: 'Normal', message: '' };
  private usage: UsageJSON | undefined;
  private stats: CompletionStatsJSON | undefined;
  /** The inline completion requests in flight (the spinner). */
  readonly waiting = new Waiting<string>(
    () => this.render(),
    () => completionTimeoutMs() + WAIT_CAP_MARGIN_MS,
  );
  /**
   * The last status about each file (Inactive: excluded, too large, language off), shown again
   * when that file is: the server, which is told nothing of the active editor, has moved on to
   * the file typed in since (an excluded file showed Normal once suggestions came elsewhere).
   */
  private readonly fileStatus = new Map<string, ServerStatus>();
  private readonly editorWatch: vscode.Disposable;
  /** The last active editor that is not the Output pane. */
  private lastEditor: vscode.TextEditor | undefined;

  constructor() {
    this.item = vscode.window.createStatusBarItem('deepseek.status', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'DeepSeek';
    this.item.command = 'deepseek.showUsage';
    // A status about one file (Inactive: excluded, too large) is shown while that file is.
    // A notebook's status too, while that notebook is (with no cell focused, no text editor is).
    this.lastEditor = isOutputPane(vscode.window.activeTextEditor) ? undefined : vscode.window.activeTextEditor;
    this.editorWatch = vscode.Disposable.from(
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        if (editor && !isOutputPane(editor)) {
          this.lastEditor = editor;
        }
        this.render();
      }),
      vscode.window.onDidChangeActiveNotebookEditor(() => this.render()),
    );
    this.render();
    this.item.show();
  }

  /**
   * The editor being edited: the active one, except the Output pane (the focus in the log being
   * read), for which it is the editor active before, if still shown.
   */
  get editor(): vscode.TextEditor | undefined {
    const active = vscode.window.activeTextEditor;
    if (!isOutputPane(active)) {
      return active;
    }
    const last = this.lastEditor;
    return last && vscode.window.visibleTextEditors.includes(last) ? last : undefined;
  }

  /** The server's settings in its messages, said as VS Code's (`deepseek.baseUrl`). */
  private settings: RegExp | undefined;

  setSettingKeys(keys: readonly string[]): void {
    this.settings = settingMatcher(keys);
    this.render();
  }

  /** `text`, a message of the server's, with the settings it names as VS Code's. */
  settingNames(text: string): string {
    return withSettingNames(text, this.settings);
  }

  /** The user cleared the API key on purpose ("DeepSeek: Clear API Key"). */
  private keyCleared = false;

  setKeyCleared(cleared: boolean): void {
    this.keyCleared = cleared;
    this.render();
  }

  private shownStatus(): ServerStatus {
    const status = this.statusForEditor();
    return this.keyCleared ? afterKeyCleared(status) : status;
  }

  /** The server's status, unless it is about another file than the one being edited. */
  private statusForEditor(): ServerStatus {
    const focused = vscode.window.activeTextEditor?.document.uri.scheme;
    const notSent = focused === undefined ? undefined : notSentReason(focused);
    if (notSent) {
      // A problem of every file's (the key rejected, the budget spent) still shows: it is
      // what to fix before suggestions come anywhere.
      const everywhere = !this.status.uri && (this.status.kind === 'Error' || this.status.kind === 'Warning');
      return everywhere ? this.status : { kind: 'Inactive', message: notSent };
    }
    const uri = this.status.uri;
    const active = this.editor?.document.uri.toString();
    // A notebook's status is about its cells kept as one document (the server's notebooks.py).
    const notebook = vscode.window.activeNotebookEditor?.notebook.uri.toString();
    const notebookDoc = notebook && `${notebook}${NOTEBOOK_SUFFIX}`;
    if (uri && (uri === active || uri === notebookDoc)) {
      return this.status;
    }
    const kept = (active && this.fileStatus.get(active)) || (notebookDoc && this.fileStatus.get(notebookDoc));
    if (kept) {
      return kept;
    }
    // A status about one file, with that file not the active one (or no editor at all).
    return uri ? { kind: 'Normal', message: '' } : this.status;
  }

  setLifecycle(lifecycle: Lifecycle, message = ''): void {
    this.lifecycle = lifecycle;
    this.lifecycleMessage = message;
    if (lifecycle !== 'running') {
      // A server stopped or restarting answers nothing it was asked.
      this.waiting.reset();
    }
    if (lifecycle === 'starting') {
      this.status = { kind: 'Normal', message: '' };
      this.fileStatus.clear();
    }
    this.render();
  }

  setStatus(status: ServerStatus): void {
    const previous = this.status;
    // The server replaces a file's review status (a failed review) by one about no file only
    // when that file's problem is over (reviewed again with success, closed, settings changed)
    // or a problem of every file's takes over (review paused): kept, the file went on showing
    // "review of a.py failed... Save again to retry" after the retry had succeeded. (A file's
    // completion status, Inactive, is replaced so when another file is typed in: kept.)
    if (
      previous.uri &&
      !status.uri &&
      previous.feature === 'review' &&
      status.feature === 'review' &&
      this.fileStatus.get(previous.uri) === previous
    ) {
      this.fileStatus.delete(previous.uri);
    }
    this.status = { kind: status.kind ?? 'Normal', message: status.message ?? '', feature: status.feature, uri: status.uri };
    if (this.status.uri && this.status.kind === 'Normal' && !this.status.message) {
      // A file's problem is over (its review succeeded after another file's status came):
      // nothing to keep for it. Kept, its empty Normal hid a later problem of every file's
      // (the key rejected) while that file was edited.
      this.fileStatus.delete(this.status.uri);
    } else if (this.status.uri) {
      this.fileStatus.set(this.status.uri, this.status);
    }
    this.render();
  }

  /** The server answered a request about this document without a status about it: what was
   * kept for it no longer holds (a file made small enough, a language turned back on). For a
   * notebook cell, `notebook` is its notebook's URI: the server's status is about the notebook's
   * cells kept as one document, and a notebook made small enough stayed Inactive for good. */
  settled(uri: string, notebook?: string): void {
    let changed = false;
    for (const doc of notebook ? [uri, `${notebook}${NOTEBOOK_SUFFIX}`] : [uri]) {
      if (this.status.uri !== doc && this.fileStatus.delete(doc)) {
        changed = true;
      }
    }
    if (changed) {
      this.render();
    }
  }

  /** Exclusions, languages or the size limit changed: a status kept about a file may no longer hold. */
  forgetFiles(): void {
    this.fileStatus.clear();
    this.render();
  }

  setUsage(usage: UsageJSON): void {
    this.usage = usage;
    if (usage.status && typeof usage.status.kind === 'string') {
      this.setStatus(usage.status);
      return;
    }
    this.render();
  }

  setStats(stats: CompletionStatsJSON): void {
    this.stats = stats;
    this.render();
  }

  get current(): { lifecycle: Lifecycle; status: ServerStatus; usage?: UsageJSON } {
    return { lifecycle: this.lifecycle, status: this.status, usage: this.usage };
  }

  /**
   * The status as the item shows it (for "Show Usage", opened by clicking the item): the server
   * not started (not found, untrusted) and the status about the file being edited. The server's
   * last status alone said "Status: Normal" under a red "deepseek-lsp was not found" item.
   */
  get displayed(): ServerStatus {
    switch (this.lifecycle) {
      case 'starting':
        return { kind: 'Normal', message: 'The DeepSeek language server is starting.' };
      case 'stopped':
        return { kind: 'Inactive', message: this.lifecycleMessage || 'The DeepSeek language server is not running.' };
      case 'failed':
        return { kind: 'Error', message: this.lifecycleMessage || 'The DeepSeek language server could not start.' };
      case 'untrusted':
        return { kind: 'Inactive', message: 'The workspace is not trusted: the language server does not start.' };
      default: {
        const status = this.shownStatus();
        return { ...status, message: this.settingNames(status.message) };
      }
    }
  }

  private render(): void {
    const cost = this.usage ? ` ${formatTotalCost(this.usage.today?.total)}` : '';
    let icon: string;
    let headline: string;
    let reason: string;
    let background: vscode.ThemeColor | undefined;
    switch (this.lifecycle) {
      case 'starting':
        icon = '$(sync~spin)';
        headline = 'starting';
        reason = 'The DeepSeek language server is starting.';
        break;
      case 'stopped':
        icon = '$(debug-disconnect)';
        headline = 'stopped';
        reason = this.lifecycleMessage || 'The DeepSeek language server is not running.';
        break;
      case 'failed':
        icon = '$(error)';
        headline = 'Error';
        reason = this.lifecycleMessage || 'The DeepSeek language server could not start.';
        background = new vscode.ThemeColor('statusBarItem.errorBackground');
        break;
      case 'untrusted':
        icon = '$(shield)';
        headline = 'Inactive';
        reason = 'The workspace is not trusted: the language server does not start.';
        break;
      default: {
        const status = this.shownStatus();
        const kind = status.kind in ICONS ? status.kind : 'Normal';
        icon = ICONS[kind];
        headline = kind;
        reason = status.message || (kind === 'Normal' ? 'Ready.' : '');
        if (kind === 'Error') {
          background = new vscode.ThemeColor('statusBarItem.errorBackground');
        } else if (kind === 'Warning') {
          background = new vscode.ThemeColor('statusBarItem.warningBackground');
        }
      }
    }
    const editorUri = this.editor?.document.uri.toString();
    const waiting = this.lifecycle === 'running' && !!editorUri && this.waiting.showing === editorUri;
    if (waiting) {
      icon = '$(loading~spin)';
    }
    this.item.text = `${icon} DeepSeek${cost}`;
    this.item.backgroundColor = background;
    const tip = new vscode.MarkdownString(undefined, true);
    // The links naming a setting open it; no other command runs from the server's words.
    tip.isTrusted = { enabledCommands: [OPEN_SETTING_COMMAND] };
    tip.appendMarkdown(`**DeepSeek: ${headline}**\n\n`);
    if (reason) {
      tip.appendMarkdown(textWithLinks(reason, this.settings));
      tip.appendMarkdown('\n\n');
    }
    if (waiting) {
      tip.appendMarkdown('Waiting for a suggestion…\n\n');
    }
    const session = sessionLine(this.stats, this.usage?.session?.total);
    if (session) {
      // With real spaces to wrap at: appendText's no-break ones broke the longer line inside
      // its cost ('$0.|0005').
      tip.appendMarkdown(textWithLinks(session));
      tip.appendMarkdown('\n\n');
    }
    if (this.usage) {
      const t = this.usage.today?.total ?? {};
      const m = this.usage.month?.total ?? {};
      tip.appendMarkdown(
        `Today: ${formatTotalCost(t)} (${counted(t.requests, 'request')}) · this month: ${formatTotalCost(m)}\n\n`,
      );
    }
    tip.appendMarkdown('Click for usage per model, to turn completions off or on, the log, the API key.');
    this.item.tooltip = tip;
    this.item.accessibilityInformation = {
      label:
        `DeepSeek ${headline}${reason ? `: ${this.settingNames(reason)}` : ''}` +
        (cost ? `; today ${cost.trim()}` : '') +
        (waiting ? '; waiting for a suggestion' : ''),
    };
  }

  dispose(): void {
    this.waiting.reset();
    this.editorWatch.dispose();
    this.item.dispose();
  }
}
