// One fetch soon, never later than the soonest asked for (src/soon.ts).
import * as assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import { Soon } from '../../src/soon';

test('a sooner request is not held back by a later one pending', () => {
  // A Warning status asks the counts in 0.1 s; an undo's 1.5 s fetch pending held it back to
  // 1.5 s (the first asked was the only one kept).
  mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  try {
    let runs = 0;
    const soon = new Soon(() => (runs += 1));
    soon.request(1500);
    soon.request(100);
    mock.timers.tick(100);
    assert.equal(runs, 1);
    mock.timers.tick(1500);
    assert.equal(runs, 1, 'once: the later request was served by the sooner fetch');
  } finally {
    mock.timers.reset();
  }
});

test('requests while one is pending make one fetch, at the first due time', () => {
  mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  try {
    let runs = 0;
    const soon = new Soon(() => (runs += 1));
    soon.request(1500);
    mock.timers.tick(1000);
    soon.request(1500);
    mock.timers.tick(500);
    assert.equal(runs, 1);
    mock.timers.tick(2000);
    assert.equal(runs, 1);
    soon.request(100);
    soon.cancel();
    mock.timers.tick(200);
    assert.equal(runs, 1, 'cancelled');
  } finally {
    mock.timers.reset();
  }
});
