"""Redaction of a prompt's window and suffix skips the trigger search in lines whose 32-line
block is known to hold no trigger (``LineCounter.clean``): what is searched, and that what is
sent stays what a search of the whole text sends."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lsprotocol import types

from deepseek_lsp.documents import Document
from deepseek_lsp.line_tokens import LineTokens
from deepseek_lsp.privacy import redaction, triggers
from deepseek_lsp.prompts import WINDOW_STEP, build_fim_prompt, whole_lines

AWS = "AKIAQQQQQQQQQQQQQQQQ"


def _count(text: str) -> int:
    return len(text) // 3 + 1


def _searched(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The text each trigger search of ``redact`` looks at (outside the ranges it is told are clean)."""
    seen: list[str] = []
    search = redaction._suspect_spans

    def spying(low: str, clean: list[tuple[int, int]] | tuple[()] = ()) -> list[tuple[int, int]]:
        seen.extend(low[a:b] for a, b in (triggers._outside(clean, len(low)) if clean else [(0, len(low))]))
        return search(low, clean)

    monkeypatch.setattr(redaction, "_suspect_spans", spying)
    return seen


def _counted(doc: Document) -> LineTokens:
    counts = LineTokens()
    asyncio.run(counts.fill(doc, _count, lambda: 0.0))
    return counts


def test_a_prompt_at_a_new_position_searches_no_line_of_a_block_known_clean(monkeypatch: pytest.MonkeyPatch) -> None:
    """At a jump every block around the cursor is known clean (idle counting looked at them):
    the suffix (~4 kB in the 10,000-line bench) and the window's cut blocks were searched
    whole, 4/5 of the trigger search of a request at a new position."""
    doc = Document("file:///w/a.py", "".join(f"value_{i} = compute(value_{i - 1}, {i})\n" for i in range(400)))
    counts = _counted(doc)
    searched = _searched(monkeypatch)
    cursor = 7 * WINDOW_STEP + 11  # inside a block: the window's top and its end cut blocks
    offset = doc.line_end(cursor) - 3
    fim = build_fim_prompt(doc, offset, budget=3000, suffix_share=0.4, count=_count, line_tokens=counts.counter(doc, _count))
    assert fim.suffix.count("\n") > WINDOW_STEP and fim.window_start % WINDOW_STEP
    cursor_line = doc.data[doc.line_start(cursor) : doc.line_end(cursor, with_eol=True)].decode().lower()
    cut = offset - doc.line_start(cursor)
    # The cursor's line, cut in two: each part is searched (a prefix of a clean line may hold a
    # trigger: ``pw`` of ``pwx``), and the line whole before the suffix (a word cut in two at
    # its start is no trigger: ``do|cker login -p …``), nothing else.
    assert searched == [cursor_line[:cut], cursor_line, cursor_line[cut:]]


def test_the_block_being_typed_in_and_a_block_with_a_secret_are_searched(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = [f"value_{i} = compute(value_{i - 1}, {i})\n" for i in range(400)]
    lines[9 * WINDOW_STEP + 3] = f"aws = '{AWS}'\n"  # in the suffix's blocks
    doc = Document("file:///w/a.py", "".join(lines))
    counts = _counted(doc)
    cursor = 7 * WINDOW_STEP + 11
    offset = doc.line_end(cursor)
    doc.apply_change(
        types.TextDocumentContentChangePartial(
            range=types.Range(start=doc.position_at(offset), end=doc.position_at(offset)), text="  # x"
        )
    )
    offset += len("  # x")
    searched = _searched(monkeypatch)
    fim = build_fim_prompt(doc, offset, budget=3000, suffix_share=0.4, count=_count, line_tokens=counts.counter(doc, _count))
    assert AWS not in fim.suffix and "aws = '" in fim.suffix
    text = "".join(searched)
    assert f"aws = '{AWS.lower()}'" in text  # the block holding a trigger, searched
    block_above_cursor = doc.data[doc.line_start(7 * WINDOW_STEP) : doc.line_start(cursor)].decode().lower()
    assert block_above_cursor in text  # the block typed in: its flag is gone until looked at again


_LINE = st.sampled_from(
    [
        "x = 1\n", "    return value\n", "\n", "    total += step\n", "token \n", "API_KEY =\n",
        f"    aws = '{AWS}'\n", "QUJDREVGR0hJSktMTU5PUA==\n", "hunter2hunter2\n", "pwx = 1\n",
        "-----BEGIN RSA PRIVATE KEY-----\n", "-----END PRIVATE KEY-----\n", "DB_PASSWORD = 'hunter2hunter2'\n",
        "é = 'ü'\n", "    -u name:x\n", "conn user/\n",
    ]
)


# 60 texts (and 30 edit runs below): 150 and 60 took 7 s at load 20 and caught no breakage of
# the clean flags that these miss (an edit's blocks left flagged fails either way).
@settings(max_examples=60, deadline=None)
@given(
    st.integers(40, 300),
    st.lists(st.tuples(st.floats(0, 1), _LINE), max_size=12),
    st.lists(st.tuples(st.floats(0, 1), st.integers(-1, 12)), min_size=1, max_size=4),
)
def test_a_prompt_searched_around_clean_lines_is_the_prompt_searched_whole(
    size: int, specials: list[tuple[float, str]], cursors: list[tuple[float, int]]
) -> None:
    """Cursors mid-line, at a line's start and end, windows and suffixes cutting blocks: what
    is sent is what the whole text searched sends."""
    lines = ["    total += step\n"] * size
    for where, line in specials:
        lines.insert(int(where * len(lines)), line)
    doc = Document("file:///w/a.py", "".join(lines))
    counts = _counted(doc)
    for where, column in cursors:
        line = int(where * (doc.line_count - 1))
        start, end = doc.line_start(line), doc.line_end(line)
        offset = end if column < 0 else min(end, start + column)
        for budget, share in ((200, 0.1), (3000, 0.4)):
            args = dict(budget=budget, suffix_share=share, count=_count, line_comment="#", path="a.py")
            fast = build_fim_prompt(doc, offset, **args, line_tokens=counts.counter(doc, _count))
            whole = build_fim_prompt(doc, offset, **args, line_tokens=whole_lines(doc, _count))
            assert fast == whole


_EDIT = st.tuples(st.floats(0, 1), st.sampled_from([0, 0, 1, 5, 40, 300]), st.lists(_LINE, max_size=3), st.booleans())


@settings(max_examples=30, deadline=None)
@given(st.integers(40, 250), st.lists(_EDIT, min_size=1, max_size=12), st.floats(0, 1))
def test_blocks_known_clean_then_edited_are_searched_again(
    size: int, edits: list[tuple[float, int, list[str], bool]], where: float
) -> None:
    """Blocks flagged clean, then edited (a secret typed or pasted into them, lines added or
    removed above them, a secret split over a block's edge, an undo putting text back), idle
    counting run between some edits: what is sent stays what the whole text searched sends."""
    doc = Document("file:///w/a.py", "    total += step\n" * size)
    counts = _counted(doc)
    for at, length, lines, idle in edits:
        start = int(at * len(doc.data))
        end = min(len(doc.data), start + length)
        doc.apply_change(
            types.TextDocumentContentChangePartial(
                range=types.Range(start=doc.position_at(start), end=doc.position_at(end)), text="".join(lines)
            )
        )
        if idle:
            asyncio.run(counts.fill(doc, _count, lambda: 0.0))
        offset = doc.line_start(int(where * (doc.line_count - 1)))
        for budget, share in ((200, 0.1), (3000, 0.4)):
            args = dict(budget=budget, suffix_share=share, count=_count, line_comment="#", path="a.py")
            fast = build_fim_prompt(doc, offset, **args, line_tokens=counts.counter(doc, _count))
            whole = build_fim_prompt(doc, offset, **args, line_tokens=whole_lines(doc, _count))
            assert fast == whole
