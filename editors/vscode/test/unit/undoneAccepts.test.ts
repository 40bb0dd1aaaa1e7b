// An undo or redo where a suggestion was given fetches the session's counts again
// (src/undoneAccepts.ts).
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { REDO, SuggestedDocuments, UNDO } from '../../src/undoneAccepts';

test('an undo or a redo in a document given a suggestion may change the counts the tooltip shows', () => {
  const docs = new SuggestedDocuments();
  docs.suggested('file:///w/a.py');
  assert.equal(docs.mayChangeAccepts('file:///w/a.py', UNDO, 1), true);
  assert.equal(docs.mayChangeAccepts('file:///w/a.py', REDO, 2), true);
});

test('a document is one to watch once a suggestion was given there, accepted by command or not', () => {
  // The server counts an accept from the text (a suggestion typed through, taken word by word):
  // its undo left '1 accepted' in the tooltip for up to a minute.
  const docs = new SuggestedDocuments();
  assert.equal(docs.mayChangeAccepts('file:///w/a.py', UNDO, 1), false);
  docs.suggested('file:///w/a.py');
  assert.equal(docs.mayChangeAccepts('file:///w/a.py', UNDO, 1), true);
});

test('typing, an undo with no text changed, or an undo in a document never given one changes none', () => {
  const docs = new SuggestedDocuments();
  docs.suggested('file:///w/a.py');
  assert.equal(docs.mayChangeAccepts('file:///w/a.py', undefined, 1), false);
  assert.equal(docs.mayChangeAccepts('file:///w/a.py', UNDO, 0), false);
  assert.equal(docs.mayChangeAccepts('file:///w/b.py', UNDO, 1), false);
  docs.closed('file:///w/a.py');
  assert.equal(docs.mayChangeAccepts('file:///w/a.py', UNDO, 1), false);
});
