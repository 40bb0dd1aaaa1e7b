// A stand-in for the `vscode` module, enough for the extension's pure modules (serverCommand.ts,
// usage.ts) to run under `node --test` without VS Code. Tests set `stub.*` to steer it.

export const stub: {
  config: Record<string, unknown>;
  /** Language-specific values (`"[markdown]": {...}` in settings.json), by language id, then full key. */
  languageConfig: Record<string, Record<string, unknown>>;
  /** The defaults contributed in package.json, which get() answers for an unset setting. */
  defaults: Record<string, unknown>;
  workspaceFolders: { name?: string; uri: { fsPath: string; scheme: string } }[] | undefined;
  quickPicks: { items: { label: string; description?: string; detail?: string }[]; options: unknown }[];
  /** The active editor's document URI (a string), for statusBar.ts. */
  activeUri: string | undefined;
  /** Fires window.onDidChangeActiveTextEditor's listeners. */
  editorListeners: ((editor: unknown) => void)[];
  /** The active editor itself, for lateSuggestions.ts (its document, selections); over activeUri. */
  editor: unknown;
  /** The commands run, by id. */
  commandsRun: string[];
  /** Fires window.onDidChangeTextEditorOptions's listeners. */
  optionsListeners: ((e: { textEditor: unknown }) => void)[];
  /** window.visibleTextEditors. */
  visibleEditors: unknown[];
} = {
  config: {},
  languageConfig: {},
  defaults: {},
  workspaceFolders: undefined,
  quickPicks: [],
  activeUri: undefined,
  editorListeners: [],
  editor: undefined,
  commandsRun: [],
  optionsListeners: [],
  visibleEditors: [],
};

/** A text editor on `uri` as statusBar.ts sees it. */
export function fakeEditor(uri: string): { document: { uri: { scheme: string; path: string; toString(): string } } } {
  return { document: { uri: { scheme: uri.split(':')[0], path: uri.replace(/^[a-z-]+:\/\//, '/'), toString: () => uri } } };
}

/** Makes `uri` the active editor and tells the listeners, as VS Code does on switching editors. */
export function switchEditor(uri: string | undefined): void {
  stub.activeUri = uri;
  for (const listener of stub.editorListeners) {
    listener(uri === undefined ? undefined : fakeEditor(uri));
  }
}

export enum QuickPickItemKind {
  Separator = -1,
  Default = 0,
}

export const workspace = {
  onDidChangeTextDocument() {
    return new Disposable();
  },
  get workspaceFolders() {
    return stub.workspaceFolders;
  },
  getConfiguration(section: string, scope?: unknown) {
    // A language's own value wins over the plain one, as in VS Code, when the scope names a language.
    const languageId = (scope as { languageId?: string } | null | undefined)?.languageId;
    const own = (full: string) => (languageId !== undefined ? stub.languageConfig[languageId] ?? {} : {})[full];
    return {
      get<T>(key: string, fallback?: T): T | undefined {
        const full = `${section}.${key}`;
        if (own(full) !== undefined) {
          return own(full) as T;
        }
        return full in stub.config ? (stub.config[full] as T) : full in stub.defaults ? (stub.defaults[full] as T) : fallback;
      },
      inspect<T>(key: string): { defaultValue?: T; globalValue?: T; globalLanguageValue?: T; languageIds?: string[] } {
        const full = `${section}.${key}`;
        const languageIds = Object.keys(stub.languageConfig).filter((id) => full in stub.languageConfig[id]);
        return {
          defaultValue: stub.defaults[full] as T,
          globalValue: stub.config[full] as T,
          globalLanguageValue: own(full) as T,
          languageIds: languageIds.length ? languageIds : undefined,
        };
      },
    };
  },
};

export const window = {
  get activeTextEditor() {
    if (stub.editor !== undefined) {
      return stub.editor;
    }
    return stub.activeUri === undefined ? undefined : fakeEditor(stub.activeUri);
  },
  onDidChangeTextEditorSelection() {
    return new Disposable();
  },
  get visibleTextEditors() {
    return stub.visibleEditors;
  },
  onDidChangeTextEditorOptions(listener: (e: { textEditor: unknown }) => void) {
    stub.optionsListeners.push(listener);
    return new Disposable();
  },
  activeNotebookEditor: undefined as unknown,
  createStatusBarItem() {
    return { name: '', text: '', tooltip: undefined as unknown, command: '', backgroundColor: undefined as unknown, show() {}, dispose() {} };
  },
  onDidChangeActiveTextEditor(listener: (editor: unknown) => void) {
    stub.editorListeners.push(listener);
    return new Disposable();
  },
  onDidChangeActiveNotebookEditor() {
    return new Disposable();
  },
  async showQuickPick(items: { label: string }[], options: unknown): Promise<undefined> {
    stub.quickPicks.push({ items: items as never, options });
    return undefined;
  },
};

export const commands = {
  async executeCommand(command: string): Promise<undefined> {
    stub.commandsRun.push(command);
    return undefined;
  },
};

export enum InlineCompletionTriggerKind {
  Invoked = 0,
  Automatic = 1,
}

export class CancellationTokenSource {
  private listeners: (() => void)[] = [];
  readonly token = {
    isCancellationRequested: false,
    onCancellationRequested: (listener: () => void) => {
      this.listeners.push(listener);
      return new Disposable();
    },
  };
  cancel(): void {
    if (!this.token.isCancellationRequested) {
      this.token.isCancellationRequested = true;
      this.listeners.forEach((l) => l());
    }
  }
  dispose(): void {}
}

// Referenced by statusBar.ts.
export enum StatusBarAlignment {
  Left = 1,
  Right = 2,
}
export class Disposable {
  static from(): Disposable {
    return new Disposable();
  }
  dispose(): void {}
}
export class ThemeColor {
  constructor(readonly id: string) {}
}
export class MarkdownString {
  value = '';
  appendMarkdown(text: string): this {
    this.value += text;
    return this;
  }
  appendText(text: string): this {
    this.value += text;
    return this;
  }
}

// Referenced by joinedUndo.ts.
export class Position {
  constructor(readonly line: number, readonly character: number) {}
}
// Referenced by cursorAbove.ts.
export class Selection {
  constructor(readonly anchor: Position, readonly active: Position) {}
  get isEmpty(): boolean {
    return this.anchor.line === this.active.line && this.anchor.character === this.active.character;
  }
}
export const Uri = {
  parse: (value: string) => ({ toString: () => value }),
};
