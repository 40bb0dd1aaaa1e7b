// How the server is found (src/serverCommand.ts), against fake interpreters in a temp dir.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { expandPath, resolveServer } from '../../src/serverCommand';
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
