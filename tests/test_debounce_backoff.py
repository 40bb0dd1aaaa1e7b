"""The adaptive debounce backs off while the model predicts nothing the user types: the requests
a newer key hangs up on are counted, each document's apart, and an answer used again (typed
through, joined, accepted) ends it."""

from __future__ import annotations

import asyncio
import statistics

import pytest
from lsprotocol import types

from deepseek_lsp.completion import debounce
from deepseek_lsp.completion.debounce import Debouncer
from tests.completing import FIM, Completing
from tests.fake_deepseek import FakeDeepSeek
from tests.harness import eventually

pytestmark = pytest.mark.usefixtures("state_dir")


def hung_up_on(debouncer: Debouncer, uri: str, n: int) -> None:
    """``n`` requests for ``uri`` in a row hung up on before any answer was of use."""
    for _ in range(n):
        debouncer.cancelled(uri)


def waits(completing: Completing, uri: str) -> tuple[float, float]:
    """The wait mid-word in ``uri`` without the backoff, and with the settings' backoff."""
    c = completing.services.settings.completion
    def wait(backoff: int) -> float:
        delay = completing.completion.debouncer.delay
        return delay(uri, "x = abcd", "", c.debounce_min_ms, c.debounce_max_ms, backoff)

    return wait(0), wait(c.debounce_backoff)


async def hang_up_on_keys(
    completing: Completing, fake: FakeDeepSeek, uri: str, line: int, char: int, keys: str
) -> list[list[str]]:
    """``keys`` typed at (line, char), each key's request on its way when the next comes; what
    each request answered."""
    tasks = []
    for i, key in enumerate(keys):
        sent = len(fake.requests_to(FIM))
        completing.insert(uri, line, char + i, key)
        tasks.append(asyncio.ensure_future(completing.inline(uri, line, char + i + 1)))
        await eventually(lambda sent=sent: len(fake.requests_to(FIM)) == sent + 1, timeout=2.0)
    return await asyncio.gather(*tasks)


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
        answers = await hang_up_on_keys(completing, fake_deepseek, uri, 0, 4, "abcd")
        assert answers == [[], [], [], ["zq_other()"]]  # shown, but the user types on
        debouncer = feature.debouncer
        assert debouncer.unused_in_a_row(uri) == 3
        # The cadence of this test's keys is the 100 ms floor; the latency the 200 ms measured.
        assert waits(completing, uri) == (pytest.approx(0.05), pytest.approx(0.2))

        assert await completing.inline(uri, 1, 4) == ["compute(a)"]
        completing.insert(uri, 1, 4, "c")
        assert await completing.inline(uri, 1, 5) == ["ompute(a)"]  # typed through: no request
        assert debouncer.unused_in_a_row(uri) == 0
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
        hung_up_on(feature.debouncer, uri, 3)
        first = asyncio.ensure_future(completing.inline(uri, 0, 4))
        await eventually(lambda: len(fake_deepseek.requests_to(FIM)) == 1, timeout=2.0)
        completing.insert(uri, 0, 4, "c")  # before any of the answer came
        assert await completing.inline(uri, 0, 5) == ["ompute(a)"]
        assert await first == []
        assert len(fake_deepseek.requests_to(FIM)) == 1
        assert feature.debouncer.unused_in_a_row(uri) == 0
    finally:
        await completing.stop()


async def test_requests_hung_up_on_by_a_close_or_a_new_model_are_no_misprediction(
    fake_deepseek: FakeDeepSeek,
) -> None:
    """Only the typing's hang-ups say the model predicts nothing typed: a file closed, or the
    settings changing the model, while an answer is on its way said the same, and two of them
    after two mispredictions put the wait while typing into the backoff. Another model starts
    with no count of the old one's; a file opened again starts with none of its closed text's."""
    fake_deepseek.responder(lambda body: "compute(a)", path=FIM)
    fake_deepseek.set_latency(ttft=1.0)
    completing = Completing(fake_deepseek, debounce=0)
    try:
        debouncer = completing.completion.debouncer
        for n, name in enumerate(("a", "b")):
            uri = f"file:///w/{name}.py"
            doc = completing.open(uri, "y = \n")
            hung_up_on(debouncer, uri, 2)
            asking = asyncio.ensure_future(completing.inline(uri, 0, 4))
            await eventually(lambda n=n: len(fake_deepseek.requests_to(FIM)) == n + 1, timeout=2.0)
            if name == "a":
                completing.close(doc)  # its count forgotten, and the close's hang-up not counted
            else:
                completing.configure(model="deepseek-other")
            assert completing.completion.stats.backend_cancelled == n + 1
            assert debouncer.unused_in_a_row(uri) == 0
            assert await asking == []
    finally:
        await completing.stop()


async def test_each_document_counts_its_own_requests_hung_up_on(fake_deepseek: FakeDeepSeek) -> None:
    """The model mispredicting one file's text says nothing of another's: a file opened after
    three requests hung up on in the one before waited the backoff's longer wait from its first
    key (0.2 s where 0.05 s, here), and a user typing in two files by turns added both files'
    hang-ups up, backing off where neither file had three in a row."""
    fake_deepseek.responder(lambda body: "zq_other()", path=FIM)
    fake_deepseek.set_latency(ttft=0.2)
    completing = Completing(fake_deepseek, debounce=0)
    try:
        debouncer = completing.completion.debouncer
        a, b, fresh = "file:///w/a.py", "file:///w/b.py", "file:///w/fresh.py"
        for uri in (a, b, fresh):
            completing.open(uri, "x = \n")
        # Typed in by turns: two hung up on in each file, three in a row in neither.
        await hang_up_on_keys(completing, fake_deepseek, a, 0, 4, "abc")
        await hang_up_on_keys(completing, fake_deepseek, b, 0, 4, "abc")
        assert (debouncer.unused_in_a_row(a), debouncer.unused_in_a_row(b)) == (2, 2)
        for uri in (a, b):
            assert waits(completing, uri) == (pytest.approx(0.05), pytest.approx(0.05))

        await hang_up_on_keys(completing, fake_deepseek, a, 0, 7, "de")  # a's third
        assert waits(completing, a) == (pytest.approx(0.05), pytest.approx(0.2))
        assert waits(completing, fresh) == (pytest.approx(0.05), pytest.approx(0.05))

        completing.close(completing.services.documents.get(a))
        completing.open(a, "x = \n")
        assert waits(completing, a) == (pytest.approx(0.05), pytest.approx(0.05))
    finally:
        await completing.stop()


async def test_an_explicit_request_hanging_up_on_the_automatic_one_is_no_misprediction(
    fake_deepseek: FakeDeepSeek,
) -> None:
    """Alt+\\ (or Ctrl+Space) while the automatic request's answer is on its way: the user
    asked for choices, the model mispredicted nothing; counted, three such made the wait while
    typing the backoff's."""
    fake_deepseek.responder(lambda body: "compute(a)", path=FIM)
    fake_deepseek.set_latency(ttft=0.5)
    completing = Completing(fake_deepseek, debounce=0)
    try:
        feature, uri = completing.completion, "file:///w/a.py"
        completing.open(uri, "y = \n")
        automatic = asyncio.ensure_future(completing.inline(uri, 0, 4))
        await eventually(lambda: len(fake_deepseek.requests_to(FIM)) == 1, timeout=2.0)
        assert await completing.inline(uri, 0, 4, invoked=True)
        assert await automatic == []
        assert feature.stats.backend_cancelled == 1  # it was hung up on
        assert feature.debouncer.unused_in_a_row(uri) == 0
    finally:
        await completing.stop()


async def test_a_suggestion_shown_again_where_it_was_asked_does_not_end_the_backoff(
    fake_deepseek: FakeDeepSeek,
) -> None:
    """Only an answer typed into was of use. Served again at its own place (the cursor back
    there; the menu's request beside the inline one's at the same key, as Neovim sends with a
    completion menu, joining it) it is not, and it ended the backoff: with a menu, the second
    request of every key did."""
    fake_deepseek.responder(lambda body: "compute(a)", path=FIM)
    fake_deepseek.set_latency(ttft=0.3)
    completing = Completing(fake_deepseek, debounce=0, prefetch=False)
    try:
        feature, uri = completing.completion, "file:///w/a.py"
        completing.open(uri, "y = \n")
        hung_up_on(feature.debouncer, uri, 3)
        inline = asyncio.ensure_future(completing.inline(uri, 0, 4))
        await eventually(lambda: len(fake_deepseek.requests_to(FIM)) == 1, timeout=2.0)
        assert await completing.menu(uri, 0, 4, types.CompletionTriggerKind.TriggerCharacter)
        assert await inline == ["compute(a)"]
        assert feature.debouncer.unused_in_a_row(uri) == 3  # joined at its own place
        assert await completing.inline(uri, 0, 4) == ["compute(a)"]
        assert feature.debouncer.unused_in_a_row(uri) == 3  # served again from what is held
        assert len(fake_deepseek.requests_to(FIM)) == 1
        completing.insert(uri, 0, 4, "c")
        assert await completing.inline(uri, 0, 5) == ["ompute(a)"]
        assert feature.debouncer.unused_in_a_row(uri) == 0  # typed through
    finally:
        await completing.stop()


@pytest.mark.parametrize("gaps", [[0.2], [0.3, 0.1], [0.12, 0.5, 0.09], [0.1, 0.4, 0.2, 0.15], [0.1] * 20, [1.9, 0.1, 0.1, 1.9]])
def test_the_cadence_is_the_median_of_the_gaps_as_statistics_says(gaps: list[float]) -> None:
    # The debounce's own median (statistics is not imported at the start): the same figure.
    assert debounce._median(gaps) == statistics.median(gaps)
