// How the server is found (src/serverCommand.ts), against fake interpreters in a temp dir.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { expandPath, installCommand, resolveServer, shownCommandLine, workspaceCwd } from '../../src/serverCommand';
import { stub } from './vscode-stub';

let bin: string;
const saved = { path: process.env.PATH, platform: process.platform };

/** An executable that answers the probe as a Python with deepseek_lsp 9.9.9 would. */
function fakePython(name: string): string {
  const file = path.join(bin, name);
  fs.writeFileSync(file, '#!/bin/sh\nprintf 9.9.9\n', { mode: 0o755 });
  return file;
}

function setPlatform(platform: string): void {
  Object.defineProperty(process, 'platform', { value: platform, configurable: true });
}

beforeEach(() => {
  bin = fs.mkdtempSync(path.join(os.tmpdir(), 'ds-bin-'));
  process.env.PATH = bin; // only the fakes: no python3, no deepseek-lsp
  stub.config = {};
});

afterEach(() => {
  process.env.PATH = saved.path;
  setPlatform(saved.platform);
  fs.rmSync(bin, { recursive: true, force: true });
});

test('Windows without python3 (a python.org install): the server is found through `python`', async () => {
  setPlatform('win32');
  fakePython('python');
  const r = await resolveServer();
  assert.ok(r.ok, `not found: ${JSON.stringify(r)}`);
  assert.equal(r.launch.command, 'python');
  assert.deepEqual(r.launch.args, ['-m', 'deepseek_lsp']);
  assert.equal(r.launch.version, '9.9.9');
});

test('Windows with only the py launcher: the server runs as `py -3 -m deepseek_lsp`', async () => {
  setPlatform('win32');
  fakePython('py');
  const r = await resolveServer();
  assert.ok(r.ok, `not found: ${JSON.stringify(r)}`);
  assert.equal(r.launch.command, 'py');
  assert.deepEqual(r.launch.args, ['-3', '-m', 'deepseek_lsp']);
});

test('Linux and macOS: the default interpreter stays python3', async () => {
  setPlatform('linux');
  fakePython('python3');
  fakePython('python');
  const r = await resolveServer();
  assert.ok(r.ok);
  assert.equal(r.launch.command, 'python3');
});

test('a pythonPath pasted with quotes (Explorer "Copy as path") is found', async () => {
  const python = fakePython('python');
  stub.config = { 'deepseek.server.pythonPath': `"${python}"` };
  const r = await resolveServer();
  assert.ok(r.ok, `not found: ${JSON.stringify(r)}`);
  assert.equal(r.launch.command, python);
});

test('a server.command whose program is pasted with quotes is run unquoted', async () => {
  const exe = fakePython('deepseek-lsp');
  stub.config = { 'deepseek.server.command': [`"${exe}"`, '--log-file', '${userHome}/x.log', '"a b"'] };
  const r = await resolveServer();
  assert.ok(r.ok);
  assert.equal(r.launch.command, exe);
  assert.deepEqual(r.launch.args, ['--log-file', `${os.homedir()}/x.log`, '"a b"']);
});

test('expandPath: `~\\` (Windows spelling) and ${env:VAR}', () => {
  const home = os.homedir();
  const win = expandPath('~\\venv\\Scripts\\python.exe');
  assert.ok(win.startsWith(home) && !win.includes('~'), win);
  process.env.DS_UNIT_VENV = '/opt/venv';
  try {
    assert.equal(expandPath('${env:DS_UNIT_VENV}/bin/python'), '/opt/venv/bin/python');
  } finally {
    delete process.env.DS_UNIT_VENV;
  }
  assert.equal(expandPath('~/x'), path.join(home, 'x'));
  assert.equal(expandPath('${userHome}/x'), `${home}/x`);
});

test('a pythonPath naming a virtualenv folder (Explorer "Copy Path" on .venv) runs the Python inside it', async () => {
  setPlatform('linux');
  const venv = path.join(bin, '.venv');
  fs.mkdirSync(path.join(venv, 'bin'), { recursive: true });
  const python = path.join(venv, 'bin', 'python');
  fs.writeFileSync(python, '#!/bin/sh\nprintf 9.9.9\n', { mode: 0o755 });
  stub.config = { 'deepseek.server.pythonPath': venv };
  const r = await resolveServer();
  assert.ok(r.ok, `not found: ${JSON.stringify(r)}`);
  assert.equal(r.launch.command, python);
  assert.deepEqual(r.launch.args, ['-m', 'deepseek_lsp']);
});

test('a pythonPath naming a folder with no Python in it says to give the Python itself, not "not executable"', async () => {
  setPlatform('linux');
  const folder = path.join(bin, 'project');
  fs.mkdirSync(folder);
  stub.config = { 'deepseek.server.pythonPath': folder };
  const r = await resolveServer();
  assert.ok(!r.ok);
  assert.equal(r.tried.length, 1);
  assert.match(r.tried[0], /a folder without bin\/python .*set the path of the Python itself/);
  assert.doesNotMatch(r.tried[0], /not executable/);
});

test('a pythonPath whose Python lacks the package is told to install it with that Python\'s pip, not a bare `pip install`', async () => {
  setPlatform('linux');
  const python = path.join(bin, 'python');
  fs.writeFileSync(python, "#!/bin/sh\necho \"ModuleNotFoundError: No module named 'deepseek_lsp'\" >&2\nexit 1\n", { mode: 0o755 });
  stub.config = { 'deepseek.server.pythonPath': python };
  const r = await resolveServer();
  assert.ok(!r.ok);
  assert.equal(r.lacking, python);
  assert.match(r.tried[0], /No module named 'deepseek_lsp'/);
  assert.equal(installCommand(r.lacking), `${python} -m pip install /path/to/deepseek-lsp`);
  // A path with a space is quoted (with PowerShell's `&` on Windows, its default terminal).
  assert.equal(installCommand('/opt/my env/bin/python', 'linux'), '"/opt/my env/bin/python" -m pip install /path/to/deepseek-lsp');
  assert.equal(installCommand('C:\\Program Files\\Python312\\python.exe', 'win32'), '& "C:\\Program Files\\Python312\\python.exe" -m pip install /path/to/deepseek-lsp');
});

test('a pythonPath that does not exist, or no setting, keeps the general install advice', async () => {
  stub.config = { 'deepseek.server.pythonPath': path.join(bin, 'nope', 'python') };
  const missing = await resolveServer();
  assert.ok(!missing.ok);
  assert.equal(missing.lacking, undefined);
  // A package PyPI does not have was offered, and copied by Copy Install Command: a checkout's path.
  assert.equal(installCommand(missing.lacking), 'pip install /path/to/deepseek-lsp');
  stub.config = {};
  const unset = await resolveServer();
  assert.ok(!unset.ok);
  assert.equal(unset.lacking, undefined);
});

test('a key given on deepseek.server.command is masked where the command line is logged and shown', () => {
  const key = 'sk-0123456789abcdef';
  const shown = shownCommandLine('env', [`DEEPSEEK_API_KEY=${key}`, 'deepseek-lsp', '--log-file', '/tmp/ds.log']);
  assert.equal(shown, 'env DEEPSEEK_API_KEY=*** deepseek-lsp --log-file /tmp/ds.log');
  assert.equal(shownCommandLine('proxy', ['--api-key', key, '--token=abc', 'serve']), 'proxy --api-key *** --token=*** serve');
  // Nothing else is touched: paths, ordinary flags and assignments.
  assert.equal(
    shownCommandLine('/opt/venv/bin/python', ['-m', 'deepseek_lsp', 'PYTHONPATH=/src', '--log-file', '/k/keys.log']),
    '/opt/venv/bin/python -m deepseek_lsp PYTHONPATH=/src --log-file /k/keys.log',
  );
});

test('a multi-root workspace\'s pythonPath names its folder as VS Code does, ${workspaceFolder:NAME}', async () => {
  setPlatform('linux');
  const api = path.join(bin, 'api');
  fs.mkdirSync(path.join(api, '.venv', 'bin'), { recursive: true });
  const python = path.join(api, '.venv', 'bin', 'python');
  fs.writeFileSync(python, '#!/bin/sh\nprintf 9.9.9\n', { mode: 0o755 });
  fs.mkdirSync(path.join(bin, 'web')); // the first folder: the probe's working directory
  stub.workspaceFolders = [
    { name: 'web', uri: { fsPath: path.join(bin, 'web'), scheme: 'file' } },
    { name: 'api', uri: { fsPath: api, scheme: 'file' } },
  ];
  try {
    stub.config = { 'deepseek.server.pythonPath': '${workspaceFolder:api}/.venv/bin/python' };
    const r = await resolveServer();
    assert.ok(r.ok, `not found: ${JSON.stringify(r)}`);
    assert.equal(r.launch.command, python);
    // A folder name that is not in the workspace is shown as written in what was tried.
    stub.config = { 'deepseek.server.pythonPath': '${workspaceFolder:apj}/.venv/bin/python' };
    const wrong = await resolveServer();
    assert.ok(!wrong.ok);
    assert.match(wrong.tried[0], /^\$\{workspaceFolder:apj\}\/\.venv\/bin\/python -m deepseek_lsp: not found/);
  } finally {
    stub.workspaceFolders = undefined;
  }
});

test('a multi-root workspace whose first folder was deleted still finds python3 (it was "not found")', async () => {
  setPlatform('linux');
  fakePython('python3');
  const kept = path.join(bin, 'kept');
  fs.mkdirSync(kept);
  stub.workspaceFolders = [
    { name: 'gone', uri: { fsPath: path.join(bin, 'gone'), scheme: 'file' } },
    { name: 'kept', uri: { fsPath: kept, scheme: 'file' } },
  ];
  try {
    const r = await resolveServer();
    assert.ok(r.ok, `not found: ${JSON.stringify(r)}`);
    assert.equal(r.launch.command, 'python3');
    assert.equal(workspaceCwd(), kept);
  } finally {
    stub.workspaceFolders = undefined;
  }
});
