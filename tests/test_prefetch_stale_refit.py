"""A prefetch whose prompt, the suggestion appended, goes past the budget is fitted again from
the document: when the document moved on before the prefetch ran (a key read as the answer went
out), that was a state neither shown nor reached, the suggestion inserted before what was typed
since. Typed through the suggestion, it is fitted at the state the accept makes; moved on
otherwise, no prefetch goes."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.completing import FIM, Completing
from tests.fake_deepseek import FakeDeepSeek
from tests.harness import eventually
from tests.test_completion_cache_paths import answered

#: Lines enough above the cursor that the prompt fills the budget, the suggestion then past it.
ABOVE = "".join(f"value_{i} = compute({i}, 'label number {i}')\n" for i in range(2000))
BELOW = "".join(f"other_{i} = {i}\n" for i in range(200))
TEXT = ABOVE + "def f(x):\n    a = \n    return a\n" + BELOW
LINE = ABOVE.count("\n") + 1


#: A suggestion longer than the room the prompt leaves in the budget.
SHOWN = "x + " + " + ".join(f"value_{i}" for i in range(40))


def _answer(body: dict) -> str:
    return SHOWN if str(body["prompt"]).endswith("a = ") else "\n    b = a"


async def test_a_prefetch_refitted_after_an_edit_elsewhere_sends_nothing(
    fake_deepseek: FakeDeepSeek, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The edit read between the answer and its prefetch's first step (the edit's own cancel
    of unreachable prefetches ran before the prefetch was registered)."""
    fake_deepseek.responder(_answer, path=FIM)
    completing = Completing(fake_deepseek, debounce=0, max_prompt_tokens=256, single_line_max_tokens=256)
    fetching = completing.completion.fetching
    held: list[tuple[Any, ...]] = []
    monkeypatch.setattr(fetching, "prefetch_after_answer", lambda *args: held.append(args))
    try:
        uri = "file:///w/a.py"
        completing.open(uri, TEXT)
        assert await completing.inline(uri, LINE, 8) == [SHOWN]
        completing.insert(uri, TEXT.count("\n"), 0, "EDITED = 1\n")
        fetching.prefetch(*held[0])
        assert await eventually(lambda: not any(fetching.prefetch_tasks.values()), timeout=10.0)
        await asyncio.sleep(0.05)
        prompts = [str(r.json["prompt"]) + str(r.json["suffix"]) for r in fake_deepseek.requests_to(FIM)]
        assert len(prompts) == 1
        assert fetching.stats.prefetches == 0
    finally:
        await completing.stop()


async def test_a_key_typed_through_before_the_refitted_prefetch_fits_the_accepted_state(
    fake_deepseek: FakeDeepSeek,
) -> None:
    fake_deepseek.responder(_answer, path=FIM)
    completing = Completing(fake_deepseek, debounce=0, max_prompt_tokens=256, single_line_max_tokens=256)
    try:
        uri = "file:///w/a.py"
        completing.open(uri, TEXT)
        assert await completing.inline(uri, LINE, 8) == [SHOWN]
        completing.insert(uri, LINE, 8, "x")  # the suggestion's first character, typed through
        await answered(completing, fake_deepseek, 2)
        prefetch = fake_deepseek.requests_to(FIM)[-1].json
        assert str(prefetch["prompt"]).endswith("    a = " + SHOWN)
        assert str(prefetch["suffix"]).startswith("\n    return a")
        completing.insert(uri, LINE, 9, SHOWN[1:])
        assert await completing.inline(uri, LINE, 8 + len(SHOWN)) == ["\n    b = a"]
        assert len(fake_deepseek.requests_to(FIM)) == 2
    finally:
        await completing.stop()
