// Plain text as a tooltip's Markdown: the web addresses in it links of their own, the settings
// it names links opening them, the lines wrapped between words.

import { ADDRESS, settingLink, settingPieces } from './settingNames';

// The punctuation closing an address's sentence ("set it to http://host:11434/v1: Ollama ...")
// is the sentence's.
const SENTENCE_END = /[.,:;!?]+$/;

/**
 * `text` read as itself in Markdown: what marks up within a line escaped (emphasis, code,
 * links, HTML, icons' $(name)), and a line's first character that would start a heading, a
 * quote or a list. Other punctuation stays as it is (a file's "a.py" in the tooltip).
 */
function escaped(text: string): string {
  return text.replace(/[\\`*_[\]<>&$~|]/g, '\\$&').replace(/^(\s*)([#>+\-=]|\d+[.)])/gm, '$1\\$2');
}

/**
 * `text` as Markdown, each http(s) address in it a link to itself, each setting `settings`
 * finds (settingNames.settingMatcher) a link opening it in the Settings editor.
 * MarkdownString.appendText writes spaces as `&nbsp;`: VS Code's renderer then linked an
 * address on over the whole rest of its sentence (the link's target no address at all), and a
 * long reason broke inside its words ("not foun|d"), having no space to break at. Here the
 * spaces stay spaces.
 */
export function textWithLinks(text: string, settings?: RegExp): string {
  const parts: string[] = [];
  for (const piece of settingPieces(text, settings)) {
    parts.push(piece.setting ? settingLink(piece.setting) : addressesLinked(piece.text));
  }
  // A line's leading spaces would make it a code block; a line break is a paragraph's.
  return parts.join('').replace(/^[ \t]+/gm, '').replace(/\n+/g, '\n\n');
}

function addressesLinked(text: string): string {
  const parts: string[] = [];
  let from = 0;
  for (const match of text.matchAll(ADDRESS)) {
    const address = match[0].replace(SENTENCE_END, '');
    const at = match.index ?? 0;
    parts.push(escaped(text.slice(from, at)), `[${escaped(address)}](${address})`);
    from = at + address.length;
  }
  parts.push(escaped(text.slice(from)));
  return parts.join('');
}
