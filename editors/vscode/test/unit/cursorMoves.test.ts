// The cursor leaving a suggestion with no edit is told to the server (src/cursorMoves.ts).
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { CursorMoves, CursorMovedParams, Place } from '../../src/cursorMoves';

function setup(): { moves: CursorMoves; sent: CursorMovedParams[] } {
  const sent: CursorMovedParams[] = [];
  return { moves: new CursorMoves((p) => sent.push(p)), sent };
}

const at = (line: number, character: number, version = 3, uri = 'file:///a.py'): Place => ({ uri, version, line, character });

test('a click away from a suggestion shown is told once, with where the cursor is', () => {
  const { moves, sent } = setup();
  moves.shown(at(1, 8));
  moves.moved(at(1, 8)); // the selection event of the cursor where it was
  assert.deepEqual(sent, []);
  moves.moved(at(0, 3));
  moves.moved(at(0, 4));
  assert.deepEqual(sent, [{ textDocument: { uri: 'file:///a.py' }, position: { line: 0, character: 3 } }]);
});

test('typing (the version changed) is no move: the server hears the edit itself', () => {
  const { moves, sent } = setup();
  moves.shown(at(1, 8));
  moves.moved(at(1, 9, 4));
  moves.moved(at(0, 0, 4));
  assert.deepEqual(sent, []);
});

test('another editor focused is told with its document; nothing shown, nothing told', () => {
  const { moves, sent } = setup();
  moves.moved(at(0, 0));
  assert.deepEqual(sent, []);
  moves.shown(at(1, 8));
  moves.moved(at(5, 2, 1, 'file:///b.py'));
  assert.deepEqual(sent, [{ textDocument: { uri: 'file:///b.py' }, position: { line: 5, character: 2 } }]);
});

test('a click away while a suggestion is on its way is told: the server stops its stream', () => {
  // VS Code sent no $/cancelRequest for it: it streamed on, billed, for a place the user left.
  const { moves, sent } = setup();
  moves.asked(at(1, 8));
  moves.moved(at(0, 3));
  assert.deepEqual(sent, [{ textDocument: { uri: 'file:///a.py' }, position: { line: 0, character: 3 } }]);
});

test('an answer with nothing to show ends the watch: a move after it is not told', () => {
  const { moves, sent } = setup();
  moves.asked(at(1, 8));
  moves.answered(at(1, 8), false);
  moves.moved(at(0, 3));
  assert.deepEqual(sent, []);
  // A later request's empty answer leaves the suggestion shown at another place watched.
  moves.shown(at(2, 1));
  moves.answered(at(1, 8), false);
  moves.moved(at(0, 3));
  assert.equal(sent.length, 1);
});
