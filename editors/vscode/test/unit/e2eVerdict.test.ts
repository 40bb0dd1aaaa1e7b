// The e2e run's closing line and exit status (test/verdict.mjs), as run.sh reports them.
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
// @ts-expect-error: a plain ES module of the e2e harness, without types.
import { verdict } from '../verdict.mjs';

test('a run of the steps E2E_STEPS names, each passing, passes and says how many it left out', () => {
  // E2E_STEPS=open-file: it and the step it needs ran, the other 46 did not. The run printed
  // "2 passed, 0 failed, 46 skipped" and exited 1, which run.sh reported as "E2E FAIL".
  const results = [
    { name: 'activate', ok: true },
    { name: 'open-file', ok: true },
    ...Array.from({ length: 46 }, (_, i) => ({ name: `other-${i}`, ok: false, skipped: true, unselected: true })),
  ];
  assert.deepEqual(verdict(results), {
    line: '2 passed, 0 failed, 0 skipped; 46 of 48 steps not run (E2E_STEPS)',
    exitCode: 0,
  });
});

test('a step skipped because a step it needs failed fails the run', () => {
  const results = [
    { name: 'activate', ok: false },
    { name: 'open-file', ok: false, skipped: true },
    { name: 'other', ok: false, skipped: true, unselected: true },
  ];
  assert.deepEqual(verdict(results), {
    line: '0 passed, 1 failed, 1 skipped; 1 of 3 steps not run (E2E_STEPS)',
    exitCode: 1,
  });
});

test('a full run says nothing of E2E_STEPS, and a run with no step passed fails', () => {
  assert.deepEqual(verdict([{ name: 'a', ok: true }, { name: 'b', ok: true }]), {
    line: '2 passed, 0 failed, 0 skipped',
    exitCode: 0,
  });
  assert.equal(verdict([]).exitCode, 1);
});
