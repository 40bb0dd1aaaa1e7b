// The API key cut out of everything written to the DeepSeek output channel.

import type * as vscode from 'vscode';

/**
 * `text` without `key`, as written and as a JSON string holds it: the verbose LSP trace shows the
 * initialize request's parameters JSON-encoded, and there a key holding `"` or `\` (the
 * server accepts any printable ASCII: a self-hosted proxy's generated key) was spelled
 * otherwise and went to the log in clear.
 */
export function scrubKey(text: string, key: string | undefined): string {
  if (!key) {
    return text;
  }
  let out = text;
  for (const form of new Set([key, JSON.stringify(key).slice(1, -1)])) {
    if (out.includes(form)) {
      out = out.split(form).join('***');
    }
  }
  return out;
}

/** The output channel, with the API key cut out of every line written through it. */
export function redacting(channel: vscode.LogOutputChannel, secret: () => string | undefined): vscode.LogOutputChannel {
  const scrub = (value: unknown): unknown => (typeof value === 'string' ? scrubKey(value, secret()) : value);
  return new Proxy(channel, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') {
        return value;
      }
      return (...args: unknown[]) => (value as (...a: unknown[]) => unknown).apply(target, args.map(scrub));
    },
  });
}
