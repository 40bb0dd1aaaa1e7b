// Unit tests of the extension's pure modules, without VS Code: each test/unit/*.test.ts is
// bundled by esbuild with `vscode` replaced by test/unit/vscode-stub.ts, then run by `node --test`.
// Usage (from editors/vscode): node test/unit/run.mjs
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const tests = fs.readdirSync(here).filter((f) => f.endsWith('.test.ts'));
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'deepseek-vscode-unit-'));
try {
  await esbuild.build({
    entryPoints: tests.map((f) => path.join(here, f)),
    bundle: true,
    outdir: out,
    outExtension: { '.js': '.cjs' },
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    alias: { vscode: path.join(here, 'vscode-stub.ts') },
    logLevel: 'warning',
  });
  const files = fs.readdirSync(out).map((f) => path.join(out, f));
  const run = spawnSync(process.execPath, ['--test', ...files], { stdio: 'inherit' });
  process.exitCode = run.status ?? 1;
} finally {
  fs.rmSync(out, { recursive: true, force: true });
}
