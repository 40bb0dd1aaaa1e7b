"""The window of a prompt keeps its start when the cursor moves a few lines within it.

DeepSeek's prefix cache serves a prompt up to its first difference from an earlier one, in
64-token units. The window before the cursor was laid out from the cursor alone: walked back
over the budget, then snapped to a round line. After a move of a few lines (a line fixed
above, then back), the walk ended elsewhere and the snap often found another round line: all
the prompt after the file's head missed the cache, the lines both windows hold included.
"""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types

from deepseek_lsp.context import Indexer
from deepseek_lsp.documents import Document, DocumentStore
from deepseek_lsp.line_tokens import LineTokens
from deepseek_lsp.prompts import SNAP_SHARE, FimPrompt
from tests.fake_deepseek import CACHE_UNIT_TOKENS, DEFAULT_KEY, FakeDeepSeek, approx_tokens
from tests.harness import inline_params, lsp_session, open_doc, server_env
from tests.test_completion_e2e import ready
from tests.test_prompt_typing_session import FIM, REGISTRY, prompt_for, store_module


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n")


async def test_moving_up_a_few_lines_keeps_the_prompt_a_cache_hit(tmp_path: Path) -> None:
    """Typed at a method's last line, then asked at the line ends 1 to 28 lines above, one
    after the other, as a user going back up to fix something: each prompt is the first's up
    to its cursor (the file's head and the window's lines above it), and the fake's usage
    bills it as a hit but for the cursor's line and the last 64-token unit. Before, the moves
    of 24, 26 and 28 lines started the window elsewhere: 0 tokens of ~1,560 hit. (Asked twice
    at the first place: the second prompt is the one compared, whenever the file's index is
    made.)"""
    text = store_module()
    uri = "file:///ws/store.py"
    lines = text.split("\n")
    first = line_of(text, "def method_100") + 2
    ups = range(2, 30, 2)
    with FakeDeepSeek() as fake:
        fake.responder(lambda body: "", path=FIM)
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path))
        settings = {"completion": {"debounce": 0, "prefetch": False, "cache": False}}
        async with lsp_session(env, settings=settings) as client:
            await ready(client)  # counted by the tokenizer from the first request on
            open_doc(client, uri, text)
            for up in (0, 0, *ups):
                line = first - up
                await client.text_document_inline_completion_async(inline_params(uri, line, len(lines[line])))
        records = fake.requests_to(FIM)
    assert len(records) == 2 + len(ups)
    start = records[1].json["prompt"]
    moved, missed = [], []
    for up, rec in zip(ups, records[2:], strict=True):
        prompt = rec.json["prompt"]
        cursor_line = prompt.rpartition("\n")[2]
        if not start.startswith(prompt[: len(prompt) - len(cursor_line)]):
            moved.append(up)
        if rec.usage["prompt_cache_hit_tokens"] < approx_tokens(prompt) - approx_tokens(cursor_line) - CACHE_UNIT_TOKENS:
            missed.append((up, rec.usage["prompt_cache_hit_tokens"], approx_tokens(prompt)))
    assert (moved, missed) == ([], [])


def prompt_at(doc: Document, line: int, budget: int, kept_start: int | None) -> FimPrompt:
    """The prompt at the end of ``line``, the last prompt's window start ``kept_start``."""
    offset = doc.offset_at(types.Position(line, len(doc.line_text(line))))
    return prompt_for(doc, offset, budget, LineTokens(), Indexer(REGISTRY), kept_start)


def opened(text: str) -> Document:
    return DocumentStore(REGISTRY).open("file:///ws/store.py", text, "python", 1)


def test_a_kept_window_never_goes_over_the_budget_nor_under_three_quarters_of_it() -> None:
    """Moved far up, the window from the old start would hold a few lines: the walk from the
    cursor lays it out again. Moved down past what the budget holds, likewise."""
    text = store_module()
    doc = opened(text)
    line = line_of(text, "def method_100") + 2
    budget = 1000
    before = prompt_at(doc, line, budget, None)
    for moved in (-120, -80, -40, -8, 8, 40, 80):
        fresh = prompt_at(doc, line + moved, budget, None)
        kept = prompt_at(doc, line + moved, budget, before.window_start)
        assert kept.prompt_tokens + kept.suffix_tokens <= budget, moved
        prefix_budget = budget - budget // 10
        assert kept.prompt_tokens >= prefix_budget - prefix_budget // SNAP_SHARE - 40, moved
        if kept.window_start != before.window_start:
            assert kept == fresh, moved  # not kept: as if there were no last prompt


def test_a_start_that_is_no_line_start_any_more_is_not_kept() -> None:
    """Text inserted above the last window shifts the offsets: a start that now falls inside
    a line is not kept (the window would begin mid-line)."""
    text = store_module()
    doc = opened(text)
    line = line_of(text, "def method_100") + 2
    before = prompt_at(doc, line, 1000, None)
    inside = before.window_start + 3
    assert prompt_at(doc, line - 4, 1000, inside) == prompt_at(doc, line - 4, 1000, None)
