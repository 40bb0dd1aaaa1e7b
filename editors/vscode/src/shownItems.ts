// What the server hears of a suggestion shown in VS Code, which its stable API never tells (its
// "shown" callback is a proposed API that marketplace extensions cannot use).
//
// The server counts the session's suggestions shown (textDocument/didShowCompletion, as the
// Neovim plugin sends it when it draws one) and the tooltip says the accepted over the shown: in
// VS Code it said them over the requests, most of which the next key cancels. VS Code draws the
// first item of an answer it is still waiting for, for the text and the cursor as they are; one
// it cancelled (a key since) it drops. The server counts a suggestion once however often it is
// told (the same text at the same place), so an answer given again at the same place adds none.

import type * as vscode from 'vscode';

/** The server's didShowCompletion; the item is told by its accept command's arguments. */
export const SHOWN_NOTIFICATION = 'textDocument/didShowCompletion';

export interface ShownParams {
  item: { insertText: string; command: { title: string; command: string; arguments: unknown[] } };
}

/** The notification's params for an item that carries the server's accept command, else
 * undefined (an item of another provider's, or with no id to tell it by). */
export function shownParams(
  item: { insertText?: unknown; command?: vscode.Command },
  accept: string,
): ShownParams | undefined {
  const command = item.command;
  const args = command?.arguments;
  if (command?.command !== accept || !Array.isArray(args) || !args.length) {
    return undefined;
  }
  const insertText = typeof item.insertText === 'string' ? item.insertText : '';
  const title = command.title ?? '';
  return { item: { insertText, command: { title, command: accept, arguments: args } } };
}

/** The item VS Code draws of an answer: its first. */
export function firstItem(
  result: vscode.InlineCompletionItem[] | vscode.InlineCompletionList | null | undefined,
): vscode.InlineCompletionItem | undefined {
  return (Array.isArray(result) ? result : result?.items)?.[0];
}
