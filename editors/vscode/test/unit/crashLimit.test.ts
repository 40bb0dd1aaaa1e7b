// When the extension stops restarting a crashing server (src/crashLimit.ts).
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { afterClose, CrashLimit } from '../../src/crashLimit';

test('a server that keeps crashing is restarted 3 times in 3 minutes, then given up on', () => {
  const limit = new CrashLimit();
  const t0 = 1_000_000;
  assert.deepEqual([0, 1, 2, 3].map((i) => limit.allows(t0 + i * 1000)), [true, true, true, false]);
  // Crashes older than 3 minutes no longer count.
  assert.equal(new CrashLimit().allows(t0), true);
  const spaced = new CrashLimit();
  assert.deepEqual([0, 1, 2, 3].map((i) => spaced.allows(t0 + i * 61_000)), [true, true, true, true]);
});

test('after the user restarts the server, one crash is restarted again, not taken for the fifth', () => {
  const limit = new CrashLimit();
  const t0 = 1_000_000;
  for (let i = 0; i < 4; i++) {
    limit.allows(t0 + i * 1000);
  }
  limit.reset(); // "DeepSeek: Restart Server"
  assert.equal(limit.allows(t0 + 10_000), true);
});

test('a server that dies as it starts is left stopped, not restarted with a notification each time', () => {
  const limit = new CrashLimit();
  const t0 = 1_000_000;
  assert.deepEqual([0, 1, 2, 3].map((i) => afterClose(false, true, limit, t0 + i)), ['leave', 'leave', 'leave', 'leave']);
  // Nor is a client the extension has let go (its start reported failed): restarted, it ran on unmanaged.
  assert.equal(afterClose(true, false, limit, t0 + 5), 'leave');
  // Neither counted as a crash: a server that ran is restarted 3 times, then given up on.
  assert.deepEqual([0, 1, 2, 3].map((i) => afterClose(true, true, limit, t0 + 10 + i)), ['restart', 'restart', 'restart', 'give up']);
});
