"""The prefetch of what comes after a suggestion is prepared once the suggestion's answer is
made, not before: its preparation (the suggestion counted, the context copied, the state
looked up, ~0.2 ms of CPU) ran in the request's handler, on every answer's way out
(tests/bench/bench_overhead.py: the server's overhead per request)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from deepseek_lsp.prompts import FimPrompt
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
        assert await _typed_through_and_accepted(completing, fake_deepseek) == ["\n    return a"]
        assert len(fake_deepseek.requests_to(FIM)) == 2
    finally:
        await completing.stop()


async def test_a_key_typed_as_the_answer_goes_out_leaves_a_full_prompt_s_prefetch_asked_of_its_text(
    fake_deepseek: FakeDeepSeek, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the prompt fills the budget (a project's snippets with the window) the prefetch's
    prompt is built anew: the one sent with the suggestion appended does not fit. Built from the
    document once the next key (the suggestion's first character, typed through) was read, the
    model was asked about ``a = x + 1`` followed by that ``x``, and its answer, kept for the
    state after the accept, was the next suggestion shown there."""

    def answer(body: dict[str, Any]) -> str:
        if str(body["prompt"]).endswith("a = "):
            return "x + 1"
        return "\n    return a" if str(body["suffix"]).startswith("\n") else "\n    return a_wrong"

    fake_deepseek.responder(answer, path=FIM)
    completing = Completing(fake_deepseek, debounce=0)
    fetching = completing.completion.fetching
    prefetch = fetching.prefetch

    def full(req: Any, fim: FimPrompt, ctx: Any, shown: str) -> None:
        budget = completing.services.models.prompt_budget(completing.services.settings.completion)
        prefetch(req, replace(fim, prompt_tokens=budget - fim.suffix_tokens), ctx, shown)

    monkeypatch.setattr(fetching, "prefetch", full)
    try:
        assert await _typed_through_and_accepted(completing, fake_deepseek) == ["\n    return a"]
        assert len(fake_deepseek.requests_to(FIM)) == 2  # the prefetch asked once, of the right text
    finally:
        await completing.stop()


async def _typed_through_and_accepted(completing: Completing, fake: FakeDeepSeek) -> list[str]:
    """The suggestions at the end of ``a = x + 1`` once ``x + 1`` was shown at ``a = ``, its
    ``x`` typed as the answer went out, and the rest accepted."""
    uri = "file:///w/a.py"
    completing.open(uri, "def f(x):\n    a = \n")
    assert await completing.inline(uri, 1, 8) == ["x + 1"]
    completing.insert(uri, 1, 8, "x")  # handled before the loop's next turn
    assert await completing.inline(uri, 1, 9) == [" + 1"]
    await answered(completing, fake, 2)
    completing.insert(uri, 1, 9, " + 1")  # the rest accepted
    return await completing.inline(uri, 1, 13)
