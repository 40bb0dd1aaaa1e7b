// The server's initializer `;` applied into the accept's undo step (src/joinedUndo.ts).
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import type * as vscode from 'vscode';
import type { ApplyWorkspaceEditParams } from 'vscode-languageclient/node';
import { applyIntoTheAcceptsUndo, INITIALIZER_SEMICOLON_LABEL } from '../../src/joinedUndo';

const URI = 'file:///ws/vec.cpp';

function semicolon(version: number, label = INITIALIZER_SEMICOLON_LABEL, newText = ';'): ApplyWorkspaceEditParams {
  const at = { line: 6, character: 5 };
  const edits = [{ range: { start: at, end: at }, newText }];
  return { label, edit: { documentChanges: [{ textDocument: { uri: URI, version }, edits }] } };
}

/** An editor on URI at `version` recording its edits and their undo options. */
function editor(version: number, accepts = true) {
  const made: { inserts: [vscode.Position, string][]; options: unknown }[] = [];
  const e = {
    document: { uri: { toString: () => URI }, version },
    edit: async (build: (b: { insert(p: vscode.Position, t: string): void }) => void, options: unknown) => {
      const inserts: [vscode.Position, string][] = [];
      build({ insert: (p, t) => inserts.push([p, t]) });
      made.push({ inserts, options });
      return accepts;
    },
  };
  return { e: e as unknown as vscode.TextEditor, made };
}

test("the initializer's ; goes into the accept's undo step, in the editor at the edit's version", async () => {
  const { e, made } = editor(7);
  assert.deepEqual(await applyIntoTheAcceptsUndo(semicolon(7), [e]), { applied: true });
  assert.equal(made.length, 1);
  const [[at, text]] = made[0].inserts;
  assert.deepEqual([at.line, at.character, text], [6, 5, ';']);
  assert.deepEqual(made[0].options, { undoStopBefore: false, undoStopAfter: true });
  // The editor refusing it (changed meanwhile) is said so.
  assert.deepEqual(await applyIntoTheAcceptsUndo(semicolon(7), [editor(7, false).e]), { applied: false });
});

test('any other edit, another version or no editor on the document: the client applies it as before', async () => {
  const { e, made } = editor(8);
  assert.equal(await applyIntoTheAcceptsUndo(semicolon(7), [e]), undefined, 'the user typed meanwhile');
  assert.equal(await applyIntoTheAcceptsUndo(semicolon(8), []), undefined, 'no editor shows it');
  assert.equal(await applyIntoTheAcceptsUndo(semicolon(8, 'Rename'), [e]), undefined, 'another edit');
  assert.equal(await applyIntoTheAcceptsUndo(semicolon(8, INITIALIZER_SEMICOLON_LABEL, 'x'), [e]), undefined);
  const unversioned = { label: INITIALIZER_SEMICOLON_LABEL, edit: { changes: { [URI]: [] } } };
  assert.equal(await applyIntoTheAcceptsUndo(unversioned, [e]), undefined);
  assert.equal(made.length, 0);
});
