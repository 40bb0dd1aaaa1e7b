// What the server gets for workspace/configuration (section "deepseek"): the values the user
// set, as one nested object in the server's camelCase keys. Keys only the extension reads
// (server.*, trace.*) are left out, and so are unset keys, so the server's own defaults and its
// environment (DEEPSEEK_BASE_URL...) apply to them; the defaults contributed in package.json
// document the server's defaults.

import * as vscode from 'vscode';

export const SECTION = 'deepseek';
/** Read by the extension only; the server would report them as unknown settings. */
const CLIENT_ONLY = ['server.', 'trace.'];

export function serverKeys(packageJSON: any): string[] {
  const props = packageJSON?.contributes?.configuration?.properties ?? {};
  return Object.keys(props)
    .filter((k) => k.startsWith(`${SECTION}.`))
    .map((k) => k.slice(SECTION.length + 1))
    .filter((k) => !CLIENT_ONLY.some((prefix) => k.startsWith(prefix)));
}

interface Inspected {
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
  globalLanguageValue?: unknown;
  workspaceLanguageValue?: unknown;
  workspaceFolderLanguageValue?: unknown;
}

function isSet(i: Inspected | undefined): boolean {
  if (!i) {
    return false;
  }
  return [
    i.globalValue,
    i.workspaceValue,
    i.workspaceFolderValue,
    i.globalLanguageValue,
    i.workspaceLanguageValue,
    i.workspaceFolderLanguageValue,
  ].some((v) => v !== undefined);
}

function setPath(target: Record<string, any>, key: string, value: unknown): void {
  const parts = key.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    if (typeof node[part] !== 'object' || node[part] === null) {
      node[part] = {};
    }
    node = node[part];
  }
  node[parts[parts.length - 1]] = value;
}

/** The user's settings for the server, for one scope (a folder or document URI, or none). */
export function serverSettings(keys: string[], scope?: vscode.Uri): Record<string, unknown> {
  const cfg = vscode.workspace.getConfiguration(SECTION, scope ?? null);
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    if (isSet(cfg.inspect(key))) {
      const value = cfg.get(key);
      if (value !== undefined && value !== null) {
        setPath(out, key, value);
      }
    }
  }
  if (keys.includes('completion.enable')) {
    foldLanguageEnable(out, enableByLanguage(scope));
  }
  return out;
}

/**
 * `deepseek.completion.enable` as each language that has its own sets it at `scope`
 * (`"[markdown]": {"deepseek.completion.enable": false}`), resolved by VS Code: a language's
 * value wins over the plain one of any scope, as for editor.* settings.
 */
export function enableByLanguage(scope?: vscode.Uri): Record<string, boolean> {
  const ids = vscode.workspace.getConfiguration(SECTION, scope ?? null).inspect('completion.enable')?.languageIds ?? [];
  const out: Record<string, boolean> = {};
  for (const languageId of ids) {
    const value = vscode.workspace.getConfiguration(SECTION, { uri: scope, languageId }).get('completion.enable');
    if (typeof value === 'boolean') {
      out[languageId] = value;
    }
  }
  return out;
}

/**
 * Puts the languages' own `completion.enable` into the `completion.languages` table the server
 * is sent (LSP's workspace/configuration has no language scope, and the server already keeps
 * that per-language switch): a language is on when its `enable` and the table both say so.
 * The plain `enable` off with a language turning it on becomes `enable` on, every other
 * language off. `settings` (the server's nested object) is changed in place.
 */
export function foldLanguageEnable(settings: Record<string, any>, byLanguage: Record<string, boolean>): void {
  const completion = settings.completion ?? {};
  const enable = completion.enable ?? true;
  const languages = completion.languages ?? {};
  // A wrong type is the server's to report (with what it uses instead); nothing to fold into.
  if (typeof enable !== 'boolean' || typeof languages !== 'object' || Array.isArray(languages)) {
    return;
  }
  const differing = Object.keys(byLanguage).filter((id) => byLanguage[id] !== enable);
  if (!differing.length) {
    return;
  }
  const table: Record<string, unknown> = enable ? { ...languages } : { '*': false };
  for (const id of differing) {
    table[id] = enable ? false : languageEnabled(languages, id);
  }
  settings.completion = { ...completion, enable: true, languages: table };
}

/** Where "Toggle Completions" writes `completion.enable`: where the value in force comes from. */
export function toggleTarget(i: Inspected | undefined): { target: 'folder' | 'workspace' | 'global'; inLanguage: boolean } {
  // A language's own value (any scope) wins over every plain one: flipping a plain one changed nothing.
  if (i?.workspaceFolderLanguageValue !== undefined) {
    return { target: 'folder', inLanguage: true };
  }
  if (i?.workspaceLanguageValue !== undefined) {
    return { target: 'workspace', inLanguage: true };
  }
  if (i?.globalLanguageValue !== undefined) {
    return { target: 'global', inLanguage: true };
  }
  const target = i?.workspaceFolderValue !== undefined ? 'folder' : i?.workspaceValue !== undefined ? 'workspace' : 'global';
  return { target, inLanguage: false };
}

/** A sub-section such as "deepseek.completion" out of the full object. */
export function subSection(all: Record<string, unknown>, section: string): unknown {
  if (section === SECTION) {
    return all;
  }
  let node: any = all;
  for (const part of section.slice(SECTION.length + 1).split('.')) {
    node = node && typeof node === 'object' ? node[part] : undefined;
  }
  return node ?? null;
}

export function isOurSection(section: string | undefined): section is string {
  return section === SECTION || (section?.startsWith(`${SECTION}.`) ?? false);
}

/**
 * Whether to tell a user without an API key that one is needed: not when the endpoints are
 * others than DeepSeek's (Ollama, vLLM, llama.cpp usually need none). The settings are the
 * values the user set, undefined when unset: VS Code's get() answers an unset setting with its
 * contributed default (DeepSeek's URL), and DEEPSEEK_BASE_URL, which the server then uses, was
 * never looked at (a self-hosted endpoint set there was told to set a key).
 */
/**
 * Whether a URL's host is DeepSeek's (deepseek.com or a host under it), as the server's
 * config.deepseek_host reads it: a gateway whose name or path merely held "deepseek.com"
 * (https://llm.corp/proxy/api.deepseek.com/v1, deepseek.company.net) was asked for a key the
 * server, the review CLI and doctor never ask it for.
 */
export function deepSeekHost(url: string): boolean {
  const parsed = parsedUrl(url);
  if (!parsed) {
    return false; // the server refuses it as a setting, with its own message
  }
  const host = hostOf(parsed);
  return host === 'deepseek.com' || host.endsWith('.deepseek.com');
}

/** A URL setting as the server reads it (a scheme-less host taken as https), undefined if none. */
function parsedUrl(url: string): URL | undefined {
  try {
    return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `https://${url}`);
  } catch {
    return undefined;
  }
}

/** The host as httpx sends it: a fully qualified name's trailing dot is the same host. */
function hostOf(url: URL): string {
  return url.hostname.toLowerCase().replace(/\.$/, '');
}

export function needsKeyPrompt(
  baseUrlSetting: unknown,
  env: NodeJS.ProcessEnv,
  fimBaseUrlSetting?: unknown,
  backendSetting?: unknown,
): boolean {
  // The server drops the spaces around a key: one of spaces alone is none.
  if (env.DEEPSEEK_API_KEY?.trim()) {
    return false;
  }
  const given = (setting: unknown, name: string): string =>
    (typeof setting === 'string' && setting.trim()) || env[name]?.trim() || '';
  const atDeepSeek = (url: string): boolean => !url || deepSeekHost(url);
  const base = given(baseUrlSetting, 'DEEPSEEK_BASE_URL');
  const fim = given(fimBaseUrlSetting, 'DEEPSEEK_FIM_BASE_URL');
  // As the server's LlamaCppBackend.chat: with baseUrl left at DeepSeek's, llama.cpp's reviews
  // go to fimBaseUrl's server too, and nothing to DeepSeek (its key was asked for all the same).
  const llamaCpp = given(backendSetting, 'DEEPSEEK_BACKEND') === 'llamacpp-infill';
  const reviews = llamaCpp && fim && atDeepSeek(base) ? fim : base;
  // As the server's auth.key_for: DEEPSEEK_FIM_API_KEY goes to fimBaseUrl's host and port, a
  // request there carries it whatever the server.
  const fimKeyed = !!fim && !!env.DEEPSEEK_FIM_API_KEY?.trim();
  const keyless = (url: string): boolean =>
    atDeepSeek(url) && !(fimKeyed && hostPort(url || DEFAULT_BASE_URL) === hostPort(fim));
  return keyless(reviews) || keyless(fim || base);
}

const DEFAULT_BASE_URL = 'https://api.deepseek.com';

/** `host:port` of a URL (the scheme's port where none is written), as auth._host_port reads it. */
function hostPort(url: string): string {
  const parsed = parsedUrl(url);
  if (!parsed) {
    return url;
  }
  const port = parsed.port || { 'http:': '80', 'https:': '443' }[parsed.protocol] || '';
  return `${hostOf(parsed)}:${port}`;
}

/** The value the user set for `key` (any scope), undefined when it only has its default. */
export function userValue(key: string, scope?: vscode.Uri): unknown {
  const cfg = vscode.workspace.getConfiguration(SECTION, scope ?? null);
  return isSet(cfg.inspect(key)) ? cfg.get(key) : undefined;
}

/** Whether `completion.languages` lets `languageId` have completions (the server's Settings.language_enabled). */
export function languageEnabled(languages: unknown, languageId: string): boolean {
  const table = languages && typeof languages === 'object' ? (languages as Record<string, unknown>) : {};
  if (languageId in table) {
    return !!table[languageId];
  }
  return '*' in table ? !!table['*'] : true;
}

/** What "Toggle Completions" says, and whether as a notification (with "Open Settings"). */
export interface ToggleReport {
  text: string;
  notify: boolean;
}

/**
 * What "Toggle Completions" says once `completion.enable` is `nowOn`, in a document of
 * `languageId` (undefined: no editor), `where` being " in this folder" or "". It said "on" in
 * a Markdown file that `completion.languages` keeps off, where nothing then came.
 */
export function toggleReport(nowOn: boolean, languageId: string | undefined, languages: unknown, where = ''): ToggleReport {
  const state = nowOn ? 'on' : 'off';
  if (languageId === undefined || languageEnabled(languages, languageId)) {
    return { text: `DeepSeek completions ${state}${where}`, notify: false };
  }
  const byLanguages = `"deepseek.completion.languages" turns them off for ${languageId}`;
  return nowOn
    ? { text: `DeepSeek completions are on${where}, but not in this ${languageId} file: ${byLanguages}.`, notify: true }
    : { text: `DeepSeek completions are off${where} (in this ${languageId} file they already were: ${byLanguages}).`, notify: true };
}

/** "deepseek.apiKey" as written in a settings file (no setting of the extension's: never sent), or undefined. */
export function keyInSettings(): string | undefined {
  const value = vscode.workspace.getConfiguration(SECTION).get<unknown>('apiKey');
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}
