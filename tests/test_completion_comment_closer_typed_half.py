"""A Lua block comment's `]]` half typed over (`--[[@as string]|]`, an autopair mapping's
second `]` after the cursor: Neovim's fs.lua typed again): the suggestion typed through, the
model's `]` ends the comment, and the mapping's `]` is the one it types over. It was kept
after it: shown as `]` before the `]`, accepted it read `--[[@as string]]]`. The completion
feature in-process against the fake DeepSeek server, typing through a held suggestion."""

from __future__ import annotations

import pytest
from lsprotocol import types

from tests.completing import FIM, Completing

HEAD = "local M = {}\n\nfunction M.dirname(file)\n  if iswin then\n    "
TAIL = "\n  end\n  return file\nend\n"


@pytest.mark.parametrize(
    ("language", "ext", "typed_line"),
    [
        ("lua", "lua", "file = file:gsub(os_sep, '/') --[[@as string]]"),
        # A control: a call's `)` typed over, the autopair's `)` after the cursor.
        ("lua", "lua", "file = file:gsub(os_sep, '/')"),
        ("python", "py", 'doc = """Dirname."""'),
    ],
)
async def test_a_closer_typed_half_over_leaves_the_line_as_the_suggestion_had_it(
    fake_deepseek, language: str, ext: str, typed_line: str
) -> None:
    head = HEAD if language == "lua" else "def dirname(file):\n    "
    tail = TAIL if language == "lua" else "\n    return file\n"
    c = Completing(fake_deepseek, debounce=0, prefetch=False)
    try:
        uri = f"file:///w/a.{ext}"
        c.open(uri, head + tail, language)
        row, col0 = head.count("\n"), len(head.split("\n")[-1])
        fake_deepseek.responder(lambda body: typed_line if body["prompt"].endswith(head[-5:]) else "", path=FIM)
        assert await c.inline(uri, row, col0) == [typed_line]
        c.insert(uri, row, col0, typed_line)  # typed with the mapping: the closers were there
        line = head.split("\n")[-1] + typed_line
        # The cursor stepped over each closer but the last, as the mapping's closer key does.
        closers = len(typed_line) - len(typed_line.rstrip("])\""))
        for over in range(1, closers):
            col = len(line) - closers + over
            result = await c.completion.inline_completion(
                types.InlineCompletionParams(
                    text_document=types.TextDocumentIdentifier(uri=uri),
                    position=types.Position(row, col),
                    context=types.InlineCompletionContext(trigger_kind=types.InlineCompletionTriggerKind.Automatic),
                )
            )
            for item in result.items:
                assert item.range is not None
                r = item.range
                accepted = line[: r.start.character] + str(item.insert_text) + line[r.end.character :]
                assert accepted == line, (col, item.insert_text)
    finally:
        await c.stop()
