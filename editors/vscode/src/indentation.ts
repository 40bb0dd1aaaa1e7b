// Tells the server what each editor inserts for a level of indentation (its insertSpaces,
// tabSize and indentSize, which editor.detectIndentation and the status bar's "Spaces: 4" set).
// Where no non-blank line of a file tells the server the unit (a new file, one whose only
// tab-led line is the blank one being typed on), it took the language's habit: a Python block
// suggested in four spaces under the tab VS Code typed with insertSpaces off, which Python
// refuses (TabError). The same notification Neovim's plugin sends (deepseek/editorIndentation).

import * as vscode from 'vscode';
import { NOTEBOOK_CELL_SCHEME, SENT_SCHEMES } from './review';

export const EDITOR_INDENTATION = 'deepseek/editorIndentation';

export interface IndentationParams {
  textDocument: { uri: string };
  insertSpaces: boolean;
  tabSize: number;
  indentSize: number;
}

/** The notification's params for `editor`; undefined for a document the server is not sent
 * (the Output pane, a diff's git side) or options not resolved yet. A notebook cell's editor is
 * told too: the server reads it for its notebook (a block under a tab in a cell came in spaces). */
export function indentationParams(
  editor: vscode.TextEditor,
  asUri: (uri: vscode.Uri) => string,
): IndentationParams | undefined {
  const { insertSpaces, tabSize, indentSize } = editor.options;
  // An editor's options are resolved values; 'auto' and 'tabSize' are only ever set, not read.
  if (typeof insertSpaces !== 'boolean' || typeof tabSize !== 'number') {
    return undefined;
  }
  const scheme = editor.document.uri.scheme;
  if (!SENT_SCHEMES.includes(scheme) && scheme !== NOTEBOOK_CELL_SCHEME) {
    return undefined;
  }
  return {
    textDocument: { uri: asUri(editor.document.uri) },
    insertSpaces,
    tabSize,
    indentSize: typeof indentSize === 'number' ? indentSize : tabSize,
  };
}

/**
 * Sends each shown editor's indentation when it becomes active, when its options change, and
 * for every shown editor when a server (re)starts: the server forgets it with the document, and
 * a new process knows nothing.
 */
export class IndentationSync implements vscode.Disposable {
  private readonly watch: vscode.Disposable;

  constructor(
    private readonly send: (params: IndentationParams) => void,
    private readonly asUri: () => ((uri: vscode.Uri) => string) | undefined,
  ) {
    this.watch = vscode.Disposable.from(
      vscode.window.onDidChangeActiveTextEditor((editor) => editor && this.tell(editor)),
      vscode.window.onDidChangeTextEditorOptions((e) => this.tell(e.textEditor)),
    );
  }

  /** Every shown editor's, for a server that just started; the active one's last: a
   * notebook's cell editors are told for one document, the last told standing for all. */
  tellAll(): void {
    const active = vscode.window.activeTextEditor;
    const shown = vscode.window.visibleTextEditors.filter((editor) => editor !== active);
    for (const editor of active ? [...shown, active] : shown) {
      this.tell(editor);
    }
  }

  private tell(editor: vscode.TextEditor): void {
    const asUri = this.asUri();
    const params = asUri && indentationParams(editor, asUri);
    if (params) {
      this.send(params);
    }
  }

  dispose(): void {
    this.watch.dispose();
  }
}
