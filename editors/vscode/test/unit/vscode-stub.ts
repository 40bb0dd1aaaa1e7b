// A stand-in for the `vscode` module, enough for the extension's pure modules (serverCommand.ts,
// usage.ts) to run under `node --test` without VS Code. Tests set `stub.*` to steer it.

export const stub: {
  config: Record<string, unknown>;
  workspaceFolders: { uri: { fsPath: string; scheme: string } }[] | undefined;
  quickPicks: { items: { label: string; description?: string; detail?: string }[]; options: unknown }[];
} = { config: {}, workspaceFolders: undefined, quickPicks: [] };

export enum QuickPickItemKind {
  Separator = -1,
  Default = 0,
}

export const workspace = {
  get workspaceFolders() {
    return stub.workspaceFolders;
  },
  getConfiguration(section: string) {
    return {
      get<T>(key: string, fallback?: T): T | undefined {
        const full = `${section}.${key}`;
        return full in stub.config ? (stub.config[full] as T) : fallback;
      },
    };
  },
};

export const window = {
  async showQuickPick(items: { label: string }[], options: unknown): Promise<undefined> {
    stub.quickPicks.push({ items: items as never, options });
    return undefined;
  },
};

export const commands = {
  async executeCommand(): Promise<undefined> {
    return undefined;
  },
};

// Referenced by statusBar.ts (bundled with usage.ts), not used by the tests.
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
export class MarkdownString {}
