// Plain text put into a tooltip's MarkdownString, the web addresses in it links of their own.

/** What a MarkdownString takes text with (VS Code's, or a test's stand-in). */
export interface MarkdownSink {
  appendText(value: string): unknown;
  appendMarkdown(value: string): unknown;
}

// An address ends at a space or at what cannot be in one unquoted; the punctuation closing its
// sentence ("set it to http://host:11434/v1: Ollama ...") is the sentence's.
const ADDRESS = /https?:\/\/[^\s<>()[\]"'`]+/g;
const SENTENCE_END = /[.,:;!?]+$/;

/**
 * Appends `text` as text, each http(s) address in it as a link to itself. appendText writes
 * spaces as `&nbsp;`, which VS Code's renderer does not end an address it links at: the whole
 * rest of a sentence after an address was one link, its target no address at all.
 */
export function appendTextWithLinks(md: MarkdownSink, text: string): void {
  let from = 0;
  for (const match of text.matchAll(ADDRESS)) {
    const address = match[0].replace(SENTENCE_END, '');
    const at = match.index ?? 0;
    if (at > from) {
      md.appendText(text.slice(from, at));
    }
    // Backslashes before punctuation: the link's words are not read as emphasis or a link.
    md.appendMarkdown(`[${address.replace(/[\\`*_{}[\]()#+\-.!|~<>]/g, '\\$&')}](${address})`);
    from = at + address.length;
  }
  if (from < text.length) {
    md.appendText(text.slice(from));
  }
}
