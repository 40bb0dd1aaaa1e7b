// Several cursors: no suggestion is asked for (src/severalCursors.ts).
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import * as vscode from 'vscode';
import { typedAtSeveralCursors } from '../../src/severalCursors';
import { stub } from './vscode-stub';

const document = { version: 3 } as unknown as vscode.TextDocument;
const other = { version: 1 } as unknown as vscode.TextDocument;

test('two cursors in the document asked about: no suggestion (VS Code would write the first cursor\'s at each)', () => {
  try {
    stub.editor = { document, selections: [{}, {}] };
    assert.equal(typedAtSeveralCursors(document), true);
    stub.editor = { document, selections: [{}] };
    assert.equal(typedAtSeveralCursors(document), false);
  } finally {
    stub.editor = undefined;
  }
});

test('several cursors in another document (a diff, another group focused) leave this one\'s suggestions alone', () => {
  try {
    stub.editor = { document: other, selections: [{}, {}, {}] };
    assert.equal(typedAtSeveralCursors(document), false);
    stub.editor = undefined;
    assert.equal(typedAtSeveralCursors(document), false);
  } finally {
    stub.editor = undefined;
  }
});
