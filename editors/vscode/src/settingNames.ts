// The server's settings as VS Code names them: the server's messages name a setting by its key
// in the server's section ("Set baseUrl to ...", "completion.model"), which is how Neovim's and
// Emacs' configurations write it; VS Code's settings UI and settings.json know it as
// "deepseek.baseUrl". The extension knows its own keys (package.json), so it says them here;
// the server's words stay shared by every client.

import { SECTION } from './settings';

/** The command a tooltip's link runs to open the Settings editor at one setting. */
export const OPEN_SETTING_COMMAND = 'workbench.action.openSettings';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A matcher of the keys in a message. A key of one lowercase word ("backend", "exclude",
 * "prices") is a setting only when quoted ('backend'): "the backend's latency" is about the
 * model server. A dotted or camelCase key is one wherever it stands alone (not inside
 * "deepseek.review.again", "DEEPSEEK_BASE_URL", a path (/docs/baseUrl, C:\cfg\baseUrl) or
 * "completion.debounceMinMs" for "completion.debounce"); settingPieces leaves an address's
 * query and fragment alone too.
 */
export function settingMatcher(keys: readonly string[]): RegExp | undefined {
  const sorted = [...keys].sort((a, b) => b.length - a.length).map(escapeRegExp);
  const distinct = sorted.filter((k) => /[.A-Z]/.test(k));
  const alternatives = [
    ...(distinct.length
      ? [`(?<![\\w.$/\\\\-])(${distinct.join('|')})(?![\\w$/\\\\-]|\\.\\w)`]
      : []),
    ...(sorted.length ? [`(?<=')(${sorted.join('|')})(?=')`] : []),
  ];
  return alternatives.length ? new RegExp(alternatives.join('|'), 'g') : undefined;
}

/** The pieces of `text`: plain text, and the settings it names as VS Code's full names. */
export interface Piece {
  text: string;
  /** The setting this piece names (its text), as VS Code's full name. */
  setting?: string;
}

/** An http(s) address: it ends at a space or at what cannot be in one unquoted. */
export const ADDRESS = /https?:\/\/[^\s<>()[\]"'`]+/g;

/**
 * A problem of the environment's settings, from the variable's name to the line's end
 * (config._naming_variables: "DEEPSEEK_BASE_URL: invalid URL ... for 'baseUrl'"): its key is
 * the variable's, and the Settings editor, where a link would lead, has nothing set.
 */
const ENVIRONMENT_PROBLEM = /\bDEEPSEEK_[A-Z0-9_]+: .*/g;

/** Where in `text` a key names no VS Code setting: within an address (its path, query or
 * fragment) or an environment variable's problem. */
function notSettings(text: string): [number, number][] {
  return [...text.matchAll(ADDRESS), ...text.matchAll(ENVIRONMENT_PROBLEM)].map((m) => [
    m.index ?? 0,
    (m.index ?? 0) + m[0].length,
  ]);
}

export function settingPieces(text: string, matcher: RegExp | undefined): Piece[] {
  const pieces: Piece[] = [];
  const skipped = matcher ? notSettings(text) : [];
  let from = 0;
  for (const match of matcher ? text.matchAll(matcher) : []) {
    const key = match[1] ?? match[2];
    const at = match.index ?? 0;
    if (skipped.some(([start, end]) => start <= at && at < end)) {
      continue;
    }
    const setting = `${SECTION}.${key}`;
    pieces.push({ text: text.slice(from, at) }, { text: setting, setting });
    from = at + match[0].length;
  }
  pieces.push({ text: text.slice(from) });
  return pieces.filter((p) => p.text);
}

/** `text` with the settings it names as VS Code names them. */
export function withSettingNames(text: string, matcher: RegExp | undefined): string {
  return settingPieces(text, matcher).map((p) => p.text).join('');
}

/** A Markdown link opening the Settings editor at `setting` (in a trusted MarkdownString, or a
 * notification's message, which runs command links). */
export function settingLink(setting: string): string {
  const args = encodeURIComponent(JSON.stringify([setting]));
  return `[${setting}](command:${OPEN_SETTING_COMMAND}?${args})`;
}

/** `text` for a notification: each setting it names as VS Code's, a link opening it (VS Code's
 * notifications run command links). The rest is shown as it is but for its own links: a
 * model server's error body, quoted in the server's messages, could hold a
 * [Fix it](command:...) that ran any command when clicked; a zero-width space after its "]"
 * leaves it text. */
export function withSettingLinks(text: string, matcher: RegExp | undefined): string {
  const pieces = settingPieces(text, matcher);
  const unlinked = (text: string) => text.replace(/\](?=\()/g, ']\u200b');
  return pieces.map((p) => (p.setting ? settingLink(p.setting) : unlinked(p.text))).join('');
}
