// An undo or redo after an accept fetches the session's counts again (src/undoneAccepts.ts).
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { mayChangeAccepts, REDO, UNDO } from '../../src/undoneAccepts';

test('an undo or a redo after an accept may change the counts the tooltip shows', () => {
  assert.equal(mayChangeAccepts(UNDO, 1, true), true);
  assert.equal(mayChangeAccepts(REDO, 2, true), true);
});

test('typing, an undo with no text changed, or an undo before any accept changes none', () => {
  assert.equal(mayChangeAccepts(undefined, 1, true), false);
  assert.equal(mayChangeAccepts(UNDO, 0, true), false);
  assert.equal(mayChangeAccepts(UNDO, 1, false), false);
});
