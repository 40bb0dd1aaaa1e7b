// Which item VS Code shows after the user cycles (src/cycledItems.ts).
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import packageJSON from '../../package.json';
import { CYCLE_COMMANDS, CYCLING_CONTEXT, CycledItems } from '../../src/cycledItems';

function setup(): { cycle: CycledItems<string>; told: string[] } {
  const told: string[] = [];
  return { cycle: new CycledItems<string>((a, b) => a === b, (item) => told.push(item)), told };
}

test('from an automatic answer: the step waits for the explicit answer, then tells its second item', () => {
  const { cycle, told } = setup();
  cycle.answered(['compute(a, b)'], false);
  cycle.cycled(1); // Alt+]: VS Code asks explicitly first
  assert.deepEqual(told, []);
  cycle.answered(['compute(a, b)', 'compute(b, a)', 'compute(a, a)'], true);
  assert.deepEqual(told, ['compute(b, a)']);
  cycle.cycled(1);
  cycle.cycled(1); // wraps around to the first
  cycle.cycled(-1);
  assert.deepEqual(told, ['compute(b, a)', 'compute(a, a)', 'compute(a, b)', 'compute(a, a)']);
});

test('a new answer keeps the item shown where it is in it, else the first', () => {
  const { cycle, told } = setup();
  cycle.answered(['x', 'y', 'z'], true);
  cycle.cycled(1);
  cycle.answered(['w', 'y'], true); // the item shown, second in the new answer
  cycle.cycled(-1);
  assert.deepEqual(told, ['y', 'w']);
  cycle.answered(['p', 'q'], false); // typed on: another answer
  cycle.cycled(1);
  assert.deepEqual(told, ['y', 'w']); // waits for the explicit answer
  cycle.answered([], true); // nothing came: nothing to tell
  cycle.cycled(1);
  assert.deepEqual(told, ['y', 'w']);
});

test('the cycling keys go to our commands only once they exist (VS Code keeps its own binding before)', () => {
  const bound = (packageJSON.contributes.keybindings as { command: string; when?: string }[])
    .filter((k) => k.command in CYCLE_COMMANDS);
  assert.equal(bound.length, Object.keys(CYCLE_COMMANDS).length);
  for (const k of bound) {
    assert.match(k.when ?? '', new RegExp(`(^|&& )${CYCLING_CONTEXT.replace('.', '\\.')}( &&|$)`), k.command);
  }
});
