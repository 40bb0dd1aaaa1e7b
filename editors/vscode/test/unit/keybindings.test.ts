// The keys the extension binds (package.json), as VS Code reads their `when` clauses.
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import packageJSON from '../../package.json';

type Binding = { command: string; key: string; mac?: string; when?: string };
const bindings = packageJSON.contributes.keybindings as Binding[];

test('Ctrl+Right takes the next word of a suggestion whose next part lies past a closer VS Code added', () => {
  // VS Code binds it only with the cursor right before the ghost text: at `split(",|")` with
  // `, 1` shown after the `"`, Ctrl+Right moved the cursor and the rest of the suggestion went.
  const word = bindings.find((b) => b.command === 'editor.action.inlineSuggest.acceptNextWord');
  assert.ok(word, 'no binding of acceptNextWord');
  assert.equal(word.key, 'ctrl+right');
  assert.equal(word.mac, 'cmd+right');
  const when = word.when ?? '';
  assert.match(when, /\binlineSuggestionVisible\b/);
  assert.match(when, /!cursorBeforeGhostText\b/);
  assert.match(when, /!editorReadonly\b/);
});
