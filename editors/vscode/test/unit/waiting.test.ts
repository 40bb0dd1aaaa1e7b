// The status bar's spinner (src/waiting.ts): on while a suggestion is awaited, without flicker.
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { HOLD_MS, SHOW_AFTER_MS, Timers, Waiting } from '../../src/waiting';

/** Timers on a clock the test moves. */
class Clock implements Timers {
  now = 0;
  private pending = new Map<number, { at: number; fn: () => void }>();
  private seq = 0;
  set(fn: () => void, ms: number): unknown {
    this.pending.set(++this.seq, { at: this.now + ms, fn });
    return this.seq;
  }
  clear(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      const due = [...this.pending.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) {
        break;
      }
      this.pending.delete(due[0]);
      this.now = due[1].at;
      due[1].fn();
    }
    this.now = end;
  }
}

/** A Waiting and the spinner's states over time ("on@150", "off@900"). */
function setup(capMs = 7000): { w: Waiting<string>; clock: Clock; changes: string[] } {
  const clock = new Clock();
  const changes: string[] = [];
  const w: Waiting<string> = new Waiting<string>(
    () => changes.push(`${w.showing ? 'on' : 'off'}@${clock.now}`),
    () => capMs,
    clock,
  );
  return { w, clock, changes };
}

test('an answer quicker than the show delay (the cache, an excluded file) draws no spinner', () => {
  const { w, clock, changes } = setup();
  const done = w.begin('a.py');
  clock.advance(SHOW_AFTER_MS - 20);
  done(false);
  clock.advance(2000);
  assert.deepEqual(changes, []);
  assert.equal(w.showing, undefined);
});

test('a slow answer: the spinner shows after the delay and goes at the answer', () => {
  const { w, clock, changes } = setup();
  const done = w.begin('a.py');
  clock.advance(1500);
  assert.equal(w.showing, 'a.py');
  done(false);
  assert.deepEqual(changes, [`on@${SHOW_AFTER_MS}`, 'off@1500']);
});

test('typing: each key cancels the request and the next asks again, one spinner throughout', () => {
  const { w, clock, changes } = setup();
  let done = w.begin('a.py');
  for (let key = 0; key < 10; key++) {
    clock.advance(100); // a key every 100 ms...
    done(true);
    clock.advance(30); // ...and VS Code's debounce before it asks again
    done = w.begin('a.py');
  }
  clock.advance(900);
  done(false);
  assert.deepEqual(changes, [`on@${SHOW_AFTER_MS}`, `off@${10 * 130 + 900}`]);
});

test('a request cancelled with none after it (Escape, the cursor moved): off after the hold', () => {
  const { w, clock, changes } = setup();
  const done = w.begin('a.py');
  clock.advance(1000);
  done(true);
  assert.equal(w.showing, 'a.py');
  clock.advance(HOLD_MS);
  assert.deepEqual(changes, [`on@${SHOW_AFTER_MS}`, `off@${1000 + HOLD_MS}`]);
});

test('a request never answered keeps the spinner no longer than the cap', () => {
  const { w, clock, changes } = setup(7000);
  w.begin('a.py');
  clock.advance(60_000);
  assert.deepEqual(changes, [`on@${SHOW_AFTER_MS}`, 'off@7000']);
});

test('the server stopped: the spinner goes at once, and a late answer changes nothing', () => {
  const { w, clock, changes } = setup();
  const done = w.begin('a.py');
  clock.advance(500);
  w.reset();
  done(false);
  clock.advance(10_000);
  assert.deepEqual(changes, [`on@${SHOW_AFTER_MS}`, 'off@500']);
});

test('two requests in flight: the spinner stays until the last is answered', () => {
  const { w, clock, changes } = setup();
  const first = w.begin('a.py');
  const second = w.begin('b.py');
  clock.advance(300);
  assert.equal(w.showing, 'b.py');
  first(false);
  assert.equal(w.showing, 'b.py');
  clock.advance(200);
  second(false);
  assert.deepEqual(changes, [`on@${SHOW_AFTER_MS}`, 'off@500']);
});

test('a request cancelled before the show delay with none after it (Escape) draws no spinner', () => {
  // Nothing is awaited once it is cancelled: the spinner came on at the delay, during the
  // hold, and went 250 ms later, for a suggestion the user had just turned away.
  const { w, clock, changes } = setup();
  const done = w.begin('a.py');
  clock.advance(50);
  done(true);
  clock.advance(2000);
  assert.deepEqual(changes, []);
});

test('a request taking over a held wait older than the show delay shows the spinner at once', () => {
  const { w, clock, changes } = setup();
  const first = w.begin('a.py');
  clock.advance(100);
  first(true);
  clock.advance(100); // the show delay passes during the hold, with nothing in flight
  assert.deepEqual(changes, []);
  const second = w.begin('a.py');
  assert.equal(w.showing, 'a.py');
  clock.advance(500);
  second(false);
  assert.deepEqual(changes, ['on@200', 'off@700']);
});
