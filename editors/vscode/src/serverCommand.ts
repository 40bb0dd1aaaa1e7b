// Finding the deepseek-lsp server: an explicit command, else `<python> -m deepseek_lsp` once the
// package is known to be importable, else a `deepseek-lsp` executable on PATH.

import { execFile } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';

export interface ServerLaunch {
  command: string;
  args: string[];
  /** How it was found, for the log. */
  origin: string;
  version?: string;
}

/** Not found: what was tried; or `invalid`: a deepseek.server.* setting of the wrong type. */
export type Resolution = { ok: true; launch: ServerLaunch } | { ok: false; tried: string[]; invalid?: string };

const PROBE_TIMEOUT_MS = 20_000;

interface ProbeResult {
  ok: boolean;
  output: string;
}

function probe(command: string, args: string[], cwd: string | undefined): Promise<ProbeResult> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: PROBE_TIMEOUT_MS, cwd, windowsHide: true }, (error, stdout, stderr) => {
      if (!error) {
        resolve({ ok: true, output: String(stdout).trim() });
        return;
      }
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        resolve({ ok: false, output: 'not found' });
      } else if (code === 'EACCES') {
        resolve({ ok: false, output: 'not executable' });
      } else if (error.killed) {
        resolve({ ok: false, output: `no answer within ${PROBE_TIMEOUT_MS / 1000} s` });
      } else {
        const lines = String(stderr).trim().split(/\r?\n/).filter(Boolean);
        resolve({ ok: false, output: lines[lines.length - 1] ?? error.message });
      }
    });
  });
}

/**
 * `~`, `${workspaceFolder}`, `${userHome}` and `${env:NAME}` in values from settings; `~\\` too
 * (Windows' spelling of `~/`).
 */
function expandVariables(value: string): string {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
  let out = value
    .replace(/\$\{workspaceFolder\}/g, () => folder)
    .replace(/\$\{userHome\}/g, () => os.homedir())
    .replace(/\$\{env:([^}]+)\}/g, (_, name: string) => process.env[name] ?? '');
  if (out === '~' || out.startsWith('~/') || out.startsWith('~\\')) {
    out = path.join(os.homedir(), out.slice(1));
  }
  return out;
}

/**
 * A program's path from settings, expanded as expandVariables does, without one pair of
 * surrounding double quotes: Explorer's "Copy as path" quotes the path, and the program was then
 * looked for under a name with quotes ("not found").
 */
export function expandPath(value: string): string {
  let out = value.trim();
  if (out.length >= 2 && out.startsWith('"') && out.endsWith('"')) {
    out = out.slice(1, -1).trim();
  }
  return expandVariables(out);
}

/**
 * The interpreters tried when deepseek.server.pythonPath is empty. Windows has no `python3`
 * (python.org installs `python.exe` and the `py` launcher; `python3` there is at most the
 * Microsoft Store's stub), so it was "not found" for most Windows users.
 */
export function defaultPythons(): string[][] {
  return process.platform === 'win32' ? [['python'], ['py', '-3']] : [['python3']];
}

export function workspaceCwd(): string | undefined {
  return vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri.fsPath;
}

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export async function resolveServer(): Promise<Resolution> {
  const cfg = vscode.workspace.getConfiguration('deepseek');
  const cwd = workspaceCwd();
  // settings.json holds whatever was typed: a wrong type is said, not ignored (a string
  // command fell back to python3 without a word; a non-string pythonPath threw, and the status
  // bar span for good).
  const explicit = cfg.get<unknown>('server.command');
  if (explicit !== undefined && explicit !== null && !(Array.isArray(explicit) && explicit.length === 0)) {
    if (!Array.isArray(explicit) || !explicit.every((x) => typeof x === 'string' && x.trim())) {
      return {
        ok: false,
        tried: [],
        invalid:
          `"deepseek.server.command" must be a list of strings, the program then its arguments ` +
          `(e.g. ["/home/me/.venv/bin/deepseek-lsp"]), not ${shown(explicit)}`,
      };
    }
    // Quotes are taken off the program only: the arguments reach it without a shell, as written.
    const [program, ...rest] = explicit as string[];
    const command = expandPath(program);
    const args = rest.map(expandVariables);
    return { ok: true, launch: { command, args, origin: 'setting deepseek.server.command' } };
  }
  const rawPython = cfg.get<unknown>('server.pythonPath');
  if (rawPython !== undefined && rawPython !== null && typeof rawPython !== 'string') {
    return {
      ok: false,
      tried: [],
      invalid: `"deepseek.server.pythonPath" must be a string, the path of a Python (e.g. "/home/me/.venv/bin/python"), not ${shown(rawPython)}`,
    };
  }
  const tried: string[] = [];
  const configured = (rawPython ?? '').trim();
  const candidates = configured ? [[expandPath(configured)]] : defaultPythons();
  for (const [python, ...pre] of candidates) {
    const check = await probe(
      python,
      [...pre, '-c', 'import deepseek_lsp, sys; sys.stdout.write(deepseek_lsp.__version__)'],
      cwd,
    );
    const shownCommand = [python, ...pre].join(' ');
    if (check.ok) {
      return {
        ok: true,
        launch: {
          command: python,
          args: [...pre, '-m', 'deepseek_lsp'],
          origin: configured ? 'setting deepseek.server.pythonPath' : `${shownCommand} on PATH`,
          version: check.output,
        },
      };
    }
    tried.push(`${shownCommand} -m deepseek_lsp: ${check.output}`);
  }
  if (!configured) {
    // pipx and `uv tool install` put the command on PATH without making the module importable.
    const exe = await probe('deepseek-lsp', ['--version'], cwd);
    if (exe.ok) {
      return {
        ok: true,
        launch: {
          command: 'deepseek-lsp',
          args: [],
          origin: 'deepseek-lsp on PATH',
          version: exe.output.replace(/^deepseek-lsp\s*/, ''),
        },
      };
    }
    tried.push(`deepseek-lsp: ${exe.output}`);
  }
  return { ok: false, tried };
}
