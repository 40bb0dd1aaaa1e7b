// A suggestion VS Code stopped waiting for, shown once it comes.
//
// After a word, VS Code's quick suggestions (editor.quickSuggestions' default for code,
// "offWhenInlineCompletions") wait 750 ms for the ghost text, then cancel its request to open the
// suggest widget instead. With a backend slower than that to its first token, nothing ever
// showed while a word was typed: the request was cancelled, the server stopped the backend's
// answer, and VS Code asked again only at the next key. Here the request goes on while the
// document and the cursor stay as they were; its answer, once in, is asked for again (from the
// server's cache) and shown.

import * as vscode from 'vscode';

type Result = vscode.InlineCompletionItem[] | vscode.InlineCompletionList | null | undefined;
/** vscode-languageclient's ProvideInlineCompletionItemsSignature (not exported by its entry). */
type Next = (
  document: vscode.TextDocument,
  position: vscode.Position,
  context: vscode.InlineCompletionContext,
  token: vscode.CancellationToken,
) => vscode.ProviderResult<vscode.InlineCompletionItem[] | vscode.InlineCompletionList>;

interface Asked {
  document: vscode.TextDocument;
  version: number;
  position: vscode.Position;
}

/** Whether an inline-completion answer carries any suggestion (a list or an array). */
export function hasItems(result: Result): boolean {
  const items = Array.isArray(result) ? result : result?.items;
  return !!items && items.length > 0;
}

function cursorAt(asked: Asked): boolean {
  const editor = vscode.window.activeTextEditor;
  return (
    !!editor &&
    editor.document === asked.document &&
    asked.document.version === asked.version &&
    editor.selections.length === 1 &&
    editor.selection.isEmpty &&
    editor.selection.active.isEqual(asked.position)
  );
}

function samePlace(a: Asked | undefined, b: Asked): boolean {
  return !!a && a.document === b.document && a.version === b.version && a.position.isEqual(b.position);
}

/**
 * VS Code gives up 750 ms after the key pressed: a request cancelled sooner with the text and the
 * cursor as they were was the user's Escape (VS Code then opens its suggest widget too), and
 * that suggestion stays away.
 */
const GIVE_UP_MS = 650;

export class LateSuggestions implements vscode.Disposable {
  /** The place whose answer came after VS Code stopped waiting: asked again by us. */
  private askedAgain: Asked | undefined;
  /** Where VS Code last opened its suggest widget (asked the completion providers). */
  private suggestAt: Asked | undefined;
  private readonly lastEdit = new WeakMap<vscode.TextDocument, number>();
  private readonly edits = vscode.workspace.onDidChangeTextDocument((e) => {
    if (e.contentChanges.length) {
      this.lastEdit.set(e.document, Date.now());
    }
  });

  dispose(): void {
    this.edits.dispose();
  }

  /** VS Code asks the completion providers at the place where it gave up on the ghost text. */
  suggestAsked(document: vscode.TextDocument, position: vscode.Position): void {
    this.suggestAt = { document, version: document.version, position };
  }

  async provide(
    document: vscode.TextDocument,
    position: vscode.Position,
    context: vscode.InlineCompletionContext,
    token: vscode.CancellationToken,
    next: Next,
  ): Promise<Result> {
    const asked: Asked = { document, version: document.version, position };
    const again = this.askedAgain;
    this.askedAgain = undefined;
    if (samePlace(again, asked)) {
      // The trigger command asks as the user would (Invoked: several choices, each paid
      // for); this is the automatic request VS Code gave up on, answered from the cache.
      context = { ...context, triggerKind: vscode.InlineCompletionTriggerKind.Automatic };
    }
    // Cancelled by an edit or a move of the cursor, not by VS Code giving up on it.
    const own = new vscode.CancellationTokenSource();
    let gaveUp = false;
    const onCancel = token.onCancellationRequested(() => {
      gaveUp = Date.now() - (this.lastEdit.get(document) ?? 0) >= GIVE_UP_MS;
      if (!gaveUp) {
        own.cancel(); // the user's Escape: not paid for to the end either
      }
    });
    const watching = [
      vscode.workspace.onDidChangeTextDocument((e) => e.document === document && e.contentChanges.length && own.cancel()),
      vscode.window.onDidChangeTextEditorSelection((e) => e.textEditor.document === document && own.cancel()),
      vscode.window.onDidChangeActiveTextEditor(() => own.cancel()),
    ];
    try {
      const result = await next(document, position, context, own.token);
      if (!token.isCancellationRequested) {
        return result;
      }
      const stillThere = !own.token.isCancellationRequested && cursorAt(asked);
      // Once a place: the trigger's own request given up on in its turn was asked again, and
      // again, for as long as VS Code cancelled it (a request to the server each time).
      const firstTime = !samePlace(again, asked);
      if (gaveUp && stillThere && firstTime && hasItems(result) && samePlace(this.suggestAt, asked)) {
        this.askedAgain = asked;
        void vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
      }
      return undefined;
    } finally {
      watching.forEach((d) => d.dispose());
      onCancel.dispose();
      own.dispose();
    }
  }
}
