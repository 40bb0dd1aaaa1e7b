// A suggestion VS Code stopped waiting for, asked again once it comes (src/lateSuggestions.ts).
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import * as vscode from 'vscode';
import { LateSuggestions } from '../../src/lateSuggestions';
import { stub } from './vscode-stub';

const position = { isEqual: (other: unknown) => other === position } as unknown as vscode.Position;
const document = { version: 3 } as unknown as vscode.TextDocument;
const automatic = { triggerKind: vscode.InlineCompletionTriggerKind.Automatic } as vscode.InlineCompletionContext;
const invoked = { triggerKind: vscode.InlineCompletionTriggerKind.Invoked } as vscode.InlineCompletionContext;
const item = { insertText: 'urn a + b' } as vscode.InlineCompletionItem;

/** A request VS Code cancels while the answer is on its way (the edit long before: it gave up). */
async function askedAndGivenUp(late: LateSuggestions, context: vscode.InlineCompletionContext): Promise<string[]> {
  const vscodeGivesUp = new vscode.CancellationTokenSource();
  const kinds: string[] = [];
  await late.provide(document, position, context, vscodeGivesUp.token, async (_d, _p, ctx, own) => {
    kinds.push(vscode.InlineCompletionTriggerKind[ctx.triggerKind]);
    vscodeGivesUp.cancel();
    assert.equal(own.isCancellationRequested, false, 'the server is not told to stop');
    return [item];
  });
  return kinds;
}

test('an answer VS Code gave up on is asked again once, as the automatic request it was; not again if that one is given up on too', async () => {
  stub.editor = { document, selections: [{}], selection: { isEmpty: true, active: position } };
  stub.commandsRun = [];
  const late = new LateSuggestions();
  try {
    late.suggestAsked(document, position); // VS Code opened its suggest widget there instead
    assert.deepEqual(await askedAndGivenUp(late, automatic), ['Automatic']);
    assert.deepEqual(stub.commandsRun, ['editor.action.inlineSuggest.trigger']);
    // The trigger's request, cancelled in its turn: asking again would go on for as long as
    // VS Code cancels, one request to the server each time.
    assert.deepEqual(await askedAndGivenUp(late, invoked), ['Automatic']);
    assert.deepEqual(stub.commandsRun, ['editor.action.inlineSuggest.trigger']);
  } finally {
    late.dispose();
    stub.editor = undefined;
  }
});
