// "DeepSeek: Review Current File": what it says of the server's answer.

import { counted } from './plural';

/** The server's answer to deepseek.reviewFile (review/feature.py run_command). */
export interface ReviewAnswer {
  ok?: boolean;
  findings?: number;
  reason?: string;
  errors?: string[];
  /** The review went through but is not whole (an answer cut at its token limit, not JSON). */
  problems?: string[];
}

/**
 * The schemes of the documents the server is sent (the client's documentSelector), besides the
 * cells of notebooks, which go with their notebook.
 */
export const SENT_SCHEMES = ['file', 'untitled'];
export const NOTEBOOK_CELL_SCHEME = 'vscode-notebook-cell';

/** A result for the status bar for a while, or a warning to be read. */
export interface ReviewReport {
  kind: 'status' | 'warning';
  text: string;
}

/**
 * What to say of the answer about `name`. `serverStopped`: the server that was asked was stopped
 * or restarted while it reviewed ("Restart Server", "Set/Clear API Key", a deepseek.server.*
 * change): it cancels its reviews on shutdown and answered "superseded by a newer review", which
 * none was (or the request failed with "Pending response rejected since connection got disposed").
 */
export function reviewReport(name: string, answer: unknown, serverStopped: boolean): ReviewReport | undefined {
  if (serverStopped) {
    return {
      kind: 'warning',
      text: `DeepSeek review of ${name} was stopped: the language server restarted. Run "DeepSeek: Review Current File" again.`,
    };
  }
  const r = (answer ?? {}) as ReviewAnswer;
  if (r.ok) {
    const n = r.findings ?? 0;
    const found = n === 0 ? 'no findings' : counted(n, 'finding');
    // A review that is not whole is no clean bill: "no findings" alone hid that the model's
    // answer was cut short and part of the file went unreviewed.
    if (r.problems?.length) {
      return { kind: 'warning', text: `DeepSeek review of ${name}: ${found}; ${r.problems.join('; ')}` };
    }
    return { kind: 'status', text: `DeepSeek review of ${name}: ${found}` };
  }
  if (r.reason || r.errors?.length) {
    return { kind: 'warning', text: `DeepSeek review of ${name}: ${r.reason ?? r.errors?.join('; ')}` };
  }
  return undefined;
}

/**
 * Why the document `name` of URI scheme `scheme` cannot be reviewed, or undefined. The server is
 * never sent a git revision (`git:`, the left side of a diff), VS Code's own settings.json
 * (`vscode-userdata:`) or a virtual file: asked to review one, it answered "document is not
 * open", said of the document the user was looking at.
 */
export function notSentReport(name: string, scheme: string): ReviewReport | undefined {
  if (SENT_SCHEMES.includes(scheme) || scheme === NOTEBOOK_CELL_SCHEME) {
    return undefined;
  }
  return {
    kind: 'warning',
    text:
      `DeepSeek reviews files and untitled documents only: ${name} is a "${scheme}:" document ` +
      '(a git revision, VS Code\'s own settings, a virtual file), which is never sent. Open the file itself to review it.',
  };
}

/**
 * What "Show Ignored Review Findings Again" asks of the server (deepseek.review.unignoreAll): an
 * ignore belongs to the project of the file it was clicked in (its repository, or the workspace
 * folder holding it), and only that project's are shown again. The project named is the file
 * being edited's, else the notebook shown's, else the workspace's only folder's; with none of
 * those, no argument: the projects of every workspace folder and open file.
 */
export function unignoreArguments(editor: string | undefined, notebook: string | undefined, folders: readonly string[]): string[] {
  const named = editor ?? notebook ?? (folders.length === 1 ? folders[0] : undefined);
  return named ? [named] : [];
}

/** What to say of its answer, the number of findings shown again. */
export function unignoredText(count: unknown, named: boolean): string {
  const n = Number(count) || 0;
  return `DeepSeek: ${counted(n, 'ignored finding')} shown again in ${named ? 'this project' : 'the workspace'}`;
}

/** The source of the server's review diagnostics (review/publishing.py). */
export const REVIEW_SOURCE = 'deepseek-review';

/**
 * The review diagnostics among `diagnostics` without their code, the finding's id, which VS Code
 * shows after the source in the hover and the Problems panel ("deepseek-review(745172cf4b5e)"),
 * a hash that tells the user nothing. Changed in place: the objects the client made keep their
 * data ({id}), sent back with a code action request, from which the server finds the finding.
 */
export function withoutFindingIds<T extends { source?: string; code?: unknown }>(diagnostics: T[]): T[] {
  for (const d of diagnostics) {
    if (d.source === REVIEW_SOURCE) {
      d.code = undefined;
    }
  }
  return diagnostics;
}
