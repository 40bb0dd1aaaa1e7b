// Text with addresses put into a tooltip (src/markdownText.ts).
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { appendTextWithLinks, MarkdownSink } from '../../src/markdownText';

/** The calls made, in order: ['text', value] or ['md', value]. */
function record(text: string): [string, string][] {
  const calls: [string, string][] = [];
  const sink: MarkdownSink = {
    appendText: (v) => calls.push(['text', v]),
    appendMarkdown: (v) => calls.push(['md', v]),
  };
  appendTextWithLinks(sink, text);
  return calls;
}

test("an address ending a clause is a link to itself, the words after it text (not the link's)", () => {
  const reason = 'Set baseUrl to http://127.0.0.1:11434/v1: Ollama and vLLM serve the OpenAI API under /v1; requests there are paused.';
  assert.deepEqual(record(reason), [
    ['text', 'Set baseUrl to '],
    ['md', '[http://127\\.0\\.0\\.1:11434/v1](http://127.0.0.1:11434/v1)'],
    ['text', ': Ollama and vLLM serve the OpenAI API under /v1; requests there are paused.'],
  ]);
});

test('an address before a comma, and one in brackets, keep their punctuation out', () => {
  assert.deepEqual(record('top up at https://platform.deepseek.com, then retry (see https://x.org/a_b).'), [
    ['text', 'top up at '],
    ['md', '[https://platform\\.deepseek\\.com](https://platform.deepseek.com)'],
    ['text', ', then retry (see '],
    ['md', '[https://x\\.org/a\\_b](https://x.org/a_b)'],
    ['text', ').'],
  ]);
});

test('text without an address is appended as text, whole', () => {
  assert.deepEqual(record('the API key was rejected: http is not an address'), [
    ['text', 'the API key was rejected: http is not an address'],
  ]);
});
