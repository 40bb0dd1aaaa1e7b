"""A bracket an autopair closed in a comment or a string (`(|)` typed in a JSDoc line, most
autopair plugins pair there too): the suggestion that closes it and goes on types over the
`)`, as in code. The bracket scanner counts no bracket in text, so the `)` went back after
the suggestion's end: `(a broken install) would otherwise restart.)` (crashLimit.ts typed again
in Neovim with an autopair mapping, 354 such suggestions shown in one file)."""

from __future__ import annotations

import pytest

from deepseek_lsp.completion.postprocess import PostContext, kept_tail
from tests.fake_deepseek import FakeDeepSeek
from tests.harness import inline_params, open_doc
from tests.test_completion_e2e import session

_JSDOC = "/**\n * Restart the server, but a server that dies at start-up ()\n */\nexport class CrashLimit {}\n"
_QUOTED = '/**\n * (run "DeepSeek: Restart ")\n */\nexport class CrashLimit {}\n'
_PY = 'def f():\n    log("retrying ()")\n'
_GO = "package p\n\n// Retry calls f again ([])\nfunc Retry() {}\n"
#: A comment holding an apostrophe (`it's`, `can't`) before a quote an autopair closed.
_APOSTROPHE = "def f():\n    # it's read from ''\n    return 1\n"
_QUOTED_PY = "def f():\n    # read from ''\n    return 1\n"


@pytest.mark.parametrize(
    ("name", "language", "text", "row", "col", "answer", "shown"),
    [
        # Closed and gone on past: the autopair's `)` typed over.
        ("a.ts", "typescript", _JSDOC, 1, 59, "a broken install) would otherwise restart forever.",
         "a broken install) would otherwise restart forever."),
        # In a string, its quote after the `)`: both typed over.
        ("a.py", "python", _PY, 1, 19, 'at most 3 times), then stop")', 'at most 3 times), then stop")'),
        # Two pairs, closed in turn.
        ("a.go", "go", _GO, 2, 25, "at most n times]) until it succeeds.", "at most n times]) until it succeeds."),
        # A quote in a comment, closed with the bracket around it (crashLimit.ts's JSDoc).
        ("c.ts", "typescript", _QUOTED, 1, 27, 'Server", as the message tells)', 'Server", as the message tells)'),
        # An apostrophe is no quote: the one before the cursor opens nothing (the `'` came
        # back after the suggestion's end), the one in the suggestion closes nothing (the
        # autopair's `'` was typed over by `user's`).
        ("d.py", "python", _APOSTROPHE, 1, 22, "config.toml' at start-up.", "config.toml' at start-up."),
        ("e.py", "python", _QUOTED_PY, 1, 17, "the user's home", "the user's home'"),
        ("f.py", "python", _QUOTED_PY, 1, 17, "the user's config' first", "the user's config' first"),
        # Not closed by the suggestion: the `)` stays after it.
        ("b.ts", "typescript", _JSDOC, 1, 59, "a broken install", "a broken install)"),
    ],
)
async def test_a_closer_an_autopair_put_in_text_is_typed_over(
    tmp_path, name: str, language: str, text: str, row: int, col: int, answer: str, shown: str
) -> None:
    with FakeDeepSeek() as fake:
        fake.script(answer)
        async with session(fake, tmp_path, {"debounce": 0, "prefetch": False, "cache": False}) as client:
            uri = f"file:///ws/{name}"
            open_doc(client, uri, text, language=language)
            result = await client.text_document_inline_completion_async(inline_params(uri, row, col))
    assert [i.insert_text for i in result.items] == [shown]


def test_a_closer_put_in_a_block_comment_is_typed_over_on_a_later_line() -> None:
    """A block shown in the comment (one asked below it, typed through: crashLimit.ts's
    JSDoc, 207 suggestions shown with `)` after their end): the bracket closes on the
    comment's next line, the quote on the first."""
    ctx = PostContext(prefix='/**\n * (run "DeepSeek: Restart ', suffix='")\n */\nclass C {}\n',
                      language="typescript", indent_unit="  ")
    assert kept_tail('Server", as the message\n * tells them to): counts.', '")', ctx) == ""
    assert kept_tail('Server", as the message\n * tells them to.\n */\nclass D {}', '")', ctx) == ")"
