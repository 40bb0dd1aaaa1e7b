"""The prefetch of what comes after a suggestion is prepared once the suggestion's answer is
made, not before: its preparation (the suggestion counted, the context copied, the state
looked up, ~0.2 ms of CPU) ran in the request's handler, on every answer's way out
(tests/bench/bench_overhead.py: the server's overhead per request)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.completing import FIM, Completing
from tests.fake_deepseek import FakeDeepSeek
from tests.test_completion_cache_paths import answered


async def test_the_answer_is_made_before_its_prefetch_is_prepared(
    fake_deepseek: FakeDeepSeek, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_deepseek.responder(lambda body: "x + 1" if str(body["prompt"]).endswith("a = ") else "\n    return a", path=FIM)
    completing = Completing(fake_deepseek, debounce=0)
    fetching = completing.completion.fetching
    prepared: list[str] = []
    prepare = fetching.prefetch

    def spy(req: Any, fim: Any, ctx: Any, shown: str) -> None:
        prepared.append(shown)
        prepare(req, fim, ctx, shown)

    monkeypatch.setattr(fetching, "prefetch", spy)
    try:
        uri = "file:///w/a.py"
        completing.open(uri, "def f(x):\n    a = \n")
        assert await completing.inline(uri, 1, 8) == ["x + 1"]
        assert prepared == []  # the answer first
        await answered(completing, fake_deepseek, 2)
        assert prepared == ["x + 1"]  # then its prefetch, sent as before
        assert str(fake_deepseek.requests_to(FIM)[-1].json["prompt"]).endswith("a = x + 1")
    finally:
        await completing.stop()


async def test_a_key_typed_as_the_answer_goes_out_keeps_its_prefetch(fake_deepseek: FakeDeepSeek) -> None:
    """The editor's next key (the suggestion's first character, typed through) already read when
    the answer went out: the prefetch, prepared a turn later, took the document with that key
    for the one the suggestion was made for, and waited for a state no accept makes; the
    typed-through request's own prefetch then asked the model again (two billed for one)."""
    fake_deepseek.responder(
        lambda body: "x + 1" if str(body["prompt"]).endswith("a = ") else "\n    return a", path=FIM
    )
    completing = Completing(fake_deepseek, debounce=0)
    try:
        uri = "file:///w/a.py"
        completing.open(uri, "def f(x):\n    a = \n")
        assert await completing.inline(uri, 1, 8) == ["x + 1"]
        completing.insert(uri, 1, 8, "x")  # handled before the loop's next turn
        assert await completing.inline(uri, 1, 9) == [" + 1"]
        await answered(completing, fake_deepseek, 2)
        completing.insert(uri, 1, 9, " + 1")  # the rest accepted
        assert await completing.inline(uri, 1, 13) == ["\n    return a"]
        assert len(fake_deepseek.requests_to(FIM)) == 2
    finally:
        await completing.stop()
