// Text with addresses as a tooltip's Markdown (src/markdownText.ts).
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { textWithLinks } from '../../src/markdownText';

test("an address ending a clause is a link to itself, the words after it text with their spaces", () => {
  const reason = 'Set baseUrl to http://127.0.0.1:11434/v1: Ollama and vLLM serve the OpenAI API under /v1.';
  assert.equal(
    textWithLinks(reason),
    'Set baseUrl to [http://127.0.0.1:11434/v1](http://127.0.0.1:11434/v1): ' +
      'Ollama and vLLM serve the OpenAI API under /v1.',
  );
});

test('an address before a comma, and one in brackets, keep their punctuation out', () => {
  assert.equal(
    textWithLinks('top up at https://platform.deepseek.com, then retry (see https://x.org/a_b).'),
    'top up at [https://platform.deepseek.com](https://platform.deepseek.com), then retry ' +
      '(see [https://x.org/a\\_b](https://x.org/a_b)).',
  );
});

test("text's Markdown and icon syntax reads as the text itself", () => {
  assert.equal(
    textWithLinks('# not a heading: *a* $(error) <b>x</b> 1. &nbsp;\n  - next'),
    '\\# not a heading: \\*a\\* \\$(error) \\<b\\>x\\</b\\> 1. \\&nbsp;\n\n\\- next',
  );
});
