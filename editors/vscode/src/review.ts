// "DeepSeek: Review Current File": what it says of the server's answer.

/** The server's answer to deepseek.reviewFile (review/feature.py run_command). */
export interface ReviewAnswer {
  ok?: boolean;
  findings?: number;
  reason?: string;
  errors?: string[];
  /** The review went through but is not whole (an answer cut at its token limit, not JSON). */
  problems?: string[];
}

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
    const found = n === 0 ? 'no findings' : `${n} finding${n === 1 ? '' : 's'}`;
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
