"""The adaptive debounce backs off while the model predicts nothing the user types: the requests
a newer key hangs up on are counted, and an answer used again (typed through) ends it."""

from __future__ import annotations

import asyncio

import pytest

from tests.completing import FIM, Completing
from tests.fake_deepseek import FakeDeepSeek
from tests.harness import eventually

pytestmark = pytest.mark.usefixtures("state_dir")


async def test_requests_hung_up_on_unused_lengthen_the_wait_until_one_is_typed_through(
    fake_deepseek: FakeDeepSeek,
) -> None:
    fake_deepseek.responder(
        lambda body: "compute(a)" if body["prompt"].endswith("y = ") else "zq_other()", path=FIM
    )
    fake_deepseek.set_latency(ttft=0.2)
    completing = Completing(fake_deepseek, debounce=0)
    try:
        feature, uri = completing.completion, "file:///w/a.py"
        completing.open(uri, "x = \ny = \n")
        tasks = []
        for i, key in enumerate("abcd"):  # each key's request is on its way when the next comes
            completing.insert(uri, 0, 4 + i, key)
            tasks.append(asyncio.ensure_future(completing.inline(uri, 0, 5 + i)))
            await eventually(lambda n=i + 1: len(fake_deepseek.requests_to(FIM)) == n, timeout=2.0)
        answers = await asyncio.gather(*tasks)
        assert answers == [[], [], [], ["zq_other()"]]  # shown, but the user types on
        debouncer, c = feature.debouncer, completing.services.settings.completion
        assert debouncer.unused_in_a_row == 3
        # The cadence of this test's keys is the 100 ms floor; the latency the 200 ms measured.
        as_before = debouncer.delay("x = abcd", "", c.debounce_min_ms, c.debounce_max_ms, 0)
        backed_off = debouncer.delay("x = abcd", "", c.debounce_min_ms, c.debounce_max_ms, c.debounce_backoff)
        assert (as_before, backed_off) == (pytest.approx(0.05), pytest.approx(0.2))

        assert await completing.inline(uri, 1, 4) == ["compute(a)"]
        completing.insert(uri, 1, 4, "c")
        assert await completing.inline(uri, 1, 5) == ["ompute(a)"]  # typed through: no request
        assert debouncer.unused_in_a_row == 0
    finally:
        await completing.stop()


async def test_an_answer_the_typing_agrees_with_after_the_wait_ends_the_backoff(
    fake_deepseek: FakeDeepSeek,
) -> None:
    """The key typed while the previous request's answer was on its way agrees with it: the
    request that waited out its debounce serves that answer (no new request), which is as much
    an answer used as a join before the wait; the backoff it was in ends there too."""
    fake_deepseek.responder(lambda body: "compute(a)", path=FIM)
    fake_deepseek.set_latency(ttft=0.2)
    completing = Completing(fake_deepseek, debounce_min_ms=400, debounce_max_ms=400)
    try:
        feature, uri = completing.completion, "file:///w/a.py"
        completing.open(uri, "y = \n")
        feature.debouncer.unused_in_a_row = 3  # three requests before were hung up on unused
        first = asyncio.ensure_future(completing.inline(uri, 0, 4))
        await eventually(lambda: len(fake_deepseek.requests_to(FIM)) == 1, timeout=2.0)
        completing.insert(uri, 0, 4, "c")  # before any of the answer came
        assert await completing.inline(uri, 0, 5) == ["ompute(a)"]
        assert await first == []
        assert len(fake_deepseek.requests_to(FIM)) == 1
        assert feature.debouncer.unused_in_a_row == 0
    finally:
        await completing.stop()


async def test_requests_hung_up_on_by_a_close_or_a_new_model_are_no_misprediction(
    fake_deepseek: FakeDeepSeek,
) -> None:
    """Only the typing's hang-ups say the model predicts nothing typed: a file closed, or the
    settings changing the model, while an answer is on its way said the same, and two of them
    after two mispredictions put the wait while typing into the backoff. Another model starts
    with no count of the old one's."""
    fake_deepseek.responder(lambda body: "compute(a)", path=FIM)
    fake_deepseek.set_latency(ttft=1.0)
    completing = Completing(fake_deepseek, debounce=0)
    try:
        debouncer = completing.completion.debouncer
        for n, name in enumerate(("a", "b")):
            uri = f"file:///w/{name}.py"
            doc = completing.open(uri, "y = \n")
            debouncer.unused_in_a_row = 2
            asking = asyncio.ensure_future(completing.inline(uri, 0, 4))
            await eventually(lambda n=n: len(fake_deepseek.requests_to(FIM)) == n + 1, timeout=2.0)
            if name == "a":
                completing.close(doc)
                assert debouncer.unused_in_a_row == 2
            else:
                completing.configure(model="deepseek-other")
                assert debouncer.unused_in_a_row == 0
            assert await asking == []
    finally:
        await completing.stop()
