// Finding the deepseek-lsp server: an explicit command, else `<python> -m deepseek_lsp` once the
// package is known to be importable, else a `deepseek-lsp` executable on PATH.

import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
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

const SECRET_NAME = /(?:key|token|secret|passw(?:or)?d)/i;

/**
 * The command line as the log and the messages show it, with secrets given on it masked:
 * `["env", "DEEPSEEK_API_KEY=sk-…", "deepseek-lsp"]` (as editors' LSP configs often pass a key)
 * was logged, and shown in "did not start", in clear.
 */
export function shownCommandLine(command: string, args: string[]): string {
  const masked = args.map((arg, i) => {
    const assignment = /^(-{0,2}[A-Za-z_][\w-]*)=(.+)$/s.exec(arg);
    if (assignment && SECRET_NAME.test(assignment[1])) {
      return `${assignment[1]}=***`;
    }
    const flag = i > 0 ? /^--?[\w-]+$/.exec(args[i - 1]) : null;
    return flag && SECRET_NAME.test(flag[0]) ? '***' : arg;
  });
  return [command, ...masked].join(' ');
}

/**
 * Not found: what was tried, and `lacking`, the Python of deepseek.server.pythonPath when it ran
 * but has no deepseek_lsp; or `invalid`: a deepseek.server.* setting of the wrong type.
 */
export type Resolution =
  | { ok: true; launch: ServerLaunch }
  | { ok: false; tried: string[]; invalid?: string; lacking?: string };

/**
 * deepseek-lsp is not on PyPI: `pip install deepseek-lsp` (what was offered, and copied by Copy
 * Install Command) found no such package. pip installs it from a checkout of its repository.
 */
const INSTALL_ARGS = 'install /path/to/deepseek-lsp';

/**
 * The command that installs the server. For the Python of deepseek.server.pythonPath, that
 * Python's own pip: a bare `pip install` (all that was said) installs into whichever Python
 * owns the first pip on PATH, and the server was "not found" again after it.
 */
export function installCommand(python?: string, platform: string = process.platform): string {
  if (!python) {
    return `pip ${INSTALL_ARGS}`;
  }
  // PowerShell (Windows' default terminal) runs a quoted program only after `&`.
  const program = /\s/.test(python) ? `${platform === 'win32' ? '& ' : ''}"${python}"` : python;
  return `${program} -m pip ${INSTALL_ARGS}`;
}

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
 * `~`, `${workspaceFolder}`, `${workspaceFolder:NAME}`, `${userHome}` and `${env:NAME}` in values
 * from settings; `~\\` too (Windows' spelling of `~/`). A multi-root workspace's settings name
 * the folder that has the virtualenv as VS Code's own variables do, `${workspaceFolder:api}`: it
 * was left as written and the Python "not found" under that name. An unknown folder name stays
 * as written, so "Tried:" shows it.
 */
function expandVariables(value: string): string {
  const folders = vscode.workspace.workspaceFolders ?? [];
  const folder = folders[0]?.uri.fsPath ?? '';
  let out = value
    .replace(/\$\{workspaceFolder\}/g, () => folder)
    .replace(/\$\{workspaceFolder:([^}]+)\}/g, (whole, name: string) => folders.find((f) => f.name === name)?.uri.fsPath ?? whole)
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

/**
 * The interpreter inside a virtualenv folder, when pythonPath names the folder itself (what
 * "Copy Path" on `.venv` in the Explorer gives): run as a program, a folder was "not executable",
 * which did not say that the Python inside it was wanted. `value` as it is when it is no folder.
 */
function pythonInFolder(value: string): { python: string; folder?: string } {
  let isFolder = false;
  try {
    isFolder = fs.statSync(value).isDirectory();
  } catch {
    // missing or unreadable: the probe says so
  }
  if (!isFolder) {
    return { python: value };
  }
  const inside = process.platform === 'win32'
    ? [['Scripts', 'python.exe'], ['python.exe']]
    : [['bin', 'python3'], ['bin', 'python']];
  const found = inside.map((parts) => path.join(value, ...parts)).find((file) => fs.existsSync(file));
  return { python: found ?? value, folder: value };
}

/**
 * The first workspace folder on disk. A folder of a multi-root workspace that was moved or
 * deleted stays listed: as the working directory it made every probe and the server's start
 * fail with ENOENT, said as "python3 … not found" of a Python that was there.
 */
export function workspaceCwd(): string | undefined {
  return vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file' && fs.existsSync(f.uri.fsPath))?.uri.fsPath;
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
  let lacking: string | undefined;
  const configured = (rawPython ?? '').trim();
  const given = configured ? pythonInFolder(expandPath(configured)) : undefined;
  const candidates = given ? [[given.python]] : defaultPythons();
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
          origin: !configured
            ? `${shownCommand} on PATH`
            : given?.folder
              ? 'the Python in the folder of setting deepseek.server.pythonPath'
              : 'setting deepseek.server.pythonPath',
          version: check.output,
        },
      };
    }
    const output =
      given?.folder && given.python === given.folder
        ? 'a folder without bin/python (or Scripts\\python.exe) in it: set the path of the Python itself'
        : check.output;
    tried.push(`${shownCommand} -m deepseek_lsp: ${output}`);
    if (given && /No module named/.test(check.output)) {
      lacking = python;
    }
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
  return { ok: false, tried, lacking };
}
