// "DeepSeek: Set API Key" / "Clear API Key": what is accepted as a key and what is said.

import type { ServerStatus } from './statusBar';

/**
 * What the server takes as a key: printable ASCII without spaces (it travels in an HTTP header;
 * the server's config.API_KEY_CHARS). A key outside it was stored and "saved", and the server
 * then refused it ("it is not used") after its restart.
 */
const API_KEY_CHARS = /^[\x21-\x7e]+$/;

/**
 * The key copied with what surrounds it in a file or a request: `"sk-…"` from JSON,
 * `DEEPSEEK_API_KEY=sk-…` from a .env file or a shell profile, `Bearer sk-…` from a curl
 * command. Each is printable ASCII, so it was stored and "saved", and DeepSeek then rejected it
 * (the status bar's "key rejected", with nothing to say why).
 */
function pastedWrapping(v: string): string | undefined {
  if (v.length >= 2 && /^(["'`]).*\1$/s.test(v)) {
    return 'Paste the key without the quotes around it.';
  }
  const assignment = /^(?:export\s+|set\s+|\$env:)?([A-Za-z_][A-Za-z0-9_]*(?:KEY|TOKEN))\s*[=:]/i.exec(v);
  if (assignment) {
    return `Paste only the key, without "${assignment[1]}=".`;
  }
  if (/^Bearer\s/i.test(v)) {
    return 'Paste only the key, without "Bearer ".';
  }
  return undefined;
}

/** Why `value` (as typed or pasted into the input box) is no key, or undefined. */
export function keyInputProblem(value: string): string | undefined {
  const v = value.trim();
  if (!v) {
    return 'Enter a key (use "DeepSeek: Clear API Key" to remove the stored one).';
  }
  const wrapped = pastedWrapping(v);
  if (wrapped) {
    return wrapped;
  }
  if (/\s/.test(v)) {
    return 'An API key has no spaces.';
  }
  if (!API_KEY_CHARS.test(v)) {
    return 'An API key holds only ASCII letters, digits and punctuation: a character pasted with it (a typographic dash or quote, a zero-width space, "…") is not one.';
  }
  return undefined;
}

/**
 * What "Clear API Key" says. The server also takes DEEPSEEK_API_KEY from VS Code's environment:
 * "API key removed" while that key went on being used (and billed) misled; so did it with no key
 * stored at all.
 */
export function keyClearedMessage(
  hadStoredKey: boolean,
  env: NodeJS.ProcessEnv,
): { text: string; notify: boolean; actions?: string[] } {
  const fromEnv = !!env.DEEPSEEK_API_KEY?.trim();
  if (hadStoredKey) {
    // Said as done, with the way back: a passing "API key removed" in the status bar was
    // followed by "no API key is set" warnings, as if something had gone wrong.
    return fromEnv
      ? { text: 'DeepSeek: the stored API key was removed; the server now uses DEEPSEEK_API_KEY from VS Code\'s environment.', notify: true }
      : {
          text: 'DeepSeek: the API key was cleared. Completions and review are off until you set one again with "DeepSeek: Set API Key".',
          notify: true,
          actions: ['Set API Key'],
        };
  }
  return fromEnv
    ? { text: 'DeepSeek: no API key was stored; the server uses DEEPSEEK_API_KEY from VS Code\'s environment (unset it there).', notify: true }
    : { text: 'DeepSeek: no API key was stored', notify: false };
}

/** The server's "no API key" (usage_feature.py, as a message and as a status). */
const NO_KEY = /^(?:DeepSeek: )?no API key\b/;
/** The server's "<provider> asks for a key (401) and none is set" (model/errors.py): a server of
 * one's own is started without the "no API key" above (it may take none), and says this once it
 * does ask for one. */
const KEY_ASKED = /\basks for a key \(401\) and none is set\b/;

/** Whether the server says a key is wanted and none is set. */
export function isNoKeyMessage(text: string): boolean {
  return NO_KEY.test(text) || KEY_ASKED.test(text);
}

/** The server's "<provider> rejected the API key (401)" (model/errors.py AuthenticationError). */
const KEY_REJECTED = /\brejected the API key\b/;

export function isKeyRejectedMessage(text: string): boolean {
  return KEY_REJECTED.test(text);
}

/**
 * The server's "no API key" Error status as shown after the user cleared the key on purpose:
 * their choice, not a fault (the item turned red right after "Clear API Key"). Other statuses
 * are returned as they are.
 */
export function afterKeyCleared(status: ServerStatus): ServerStatus {
  if (status.kind !== 'Error' || !isNoKeyMessage(status.message)) {
    return status;
  }
  return {
    ...status,
    kind: 'Inactive',
    message: 'No API key: you cleared it. Run "DeepSeek: Set API Key" to use completions and review again.',
  };
}

/**
 * What a first start without a key says. `inSettings`: "deepseek.apiKey" is written in a
 * settings file (the server's README names an apiKey setting), which VS Code never passes on: the
 * key lives in its secret storage. That user was told only "no API key is set".
 */
export function noKeyPrompt(inSettings: boolean): { text: string; actions: string[] } {
  if (inSettings) {
    return {
      text:
        'DeepSeek: "deepseek.apiKey" in your settings is not read: VS Code keeps the key in its secret storage ' +
        '(a settings file gets shared, synced and committed). Move it there, then delete that line.',
      actions: ['Move to Secret Storage', 'Set API Key'],
    };
  }
  return { text: 'DeepSeek: no API key is set; completions and review need one.', actions: ['Set API Key'] };
}
