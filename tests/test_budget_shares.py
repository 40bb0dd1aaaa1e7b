"""Completions and reviews sharing a small daily budget.

A review's requests each count at their worst case (every prompt token a miss, all of
review.maxOutputTokens generated) while under way. A large file's batches held all of a small
budget that way, and every completion was refused as "nearly reached" for as long as the review
ran, with the day's spend a fraction of the budget. Reviews (which wait for room) now hold half
of what is left at most, one of them always allowed; the day still ends past the budget by one
request's worst case at most."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from deepseek_lsp.model import (
    BudgetExceeded,
    ChatRequest,
    EndpointConfig,
    EstimateCounter,
    FimRequest,
    Ledger,
    ModelClient,
    ModelPrice,
    PriceTable,
    Rates,
)
from deepseek_lsp.model.ledger import DB_NAME
from deepseek_lsp.model.prices import DEFAULT_PRICES
from deepseek_lsp.review.cache import ReviewCache
from deepseek_lsp.review.engine import ReviewEngine
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import eventually, inline_params, lsp_session, open_doc
from tests.review_support import Rule, doc_of, reviewer, settings_for
from tests.test_budget_waits import OFF_PEAK, PRO, spent_in, worst_output_cost
from tests.test_review_lsp import CHAT, diagnostics, env, save

FLASH = "deepseek-v4-flash"
FIM = "/beta/completions"
#: Thirty functions: three review requests (twelve units at most in one).
BIG = "".join(f"def f{i}(x):\n    return x == None or {i}\n\n\n" for i in range(30))


def held_reviews(fake: FakeDeepSeek) -> threading.Event:
    """Review answers wait for the returned event (the fake answers in a thread per request):
    the review stays under way, holding its requests' worst case, until the test lets it end."""
    answer = reviewer([Rule("== None")])
    gate = threading.Event()

    def respond(body: dict[str, Any]) -> str:
        gate.wait(60)
        return answer(body)

    fake.responder(respond, path=CHAT)
    return gate


async def test_suggestions_keep_coming_while_a_large_file_is_reviewed(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """The real server: a file of three review requests saved, in a budget of two and a half
    requests' worst case. All three went out at once, held $0.02-0.05 of the budget with
    nothing spent, and each suggestion asked for meanwhile was refused ("Daily DeepSeek budget
    ... nearly reached")."""
    gate = held_reviews(fake_deepseek)
    fake_deepseek.responder(lambda body: "return 1", path=FIM)
    budget = 2.5 * worst_output_cost(time.time())
    settings = {
        "dailyBudgetUsd": budget,
        "review": {"mode": "onSave", "maxRetries": 0},
        "completion": {"debounce": 0, "prefetch": False},
    }
    try:
        async with lsp_session(env(fake_deepseek, tmp_path), settings=settings) as client:
            open_doc(client, "file:///ws/big.py", BIG)
            save(client, "file:///ws/big.py")
            assert await eventually(lambda: fake_deepseek.requests_to(CHAT), timeout=10)
            uri = "file:///ws/a.py"
            open_doc(client, uri, "def add(a, b):\n    \n\ndef sub(a, b):\n    \n\ndef mul(a, b):\n    \n")
            answered = []
            for line in (1, 4, 7):
                result = await client.text_document_inline_completion_async(inline_params(uri, line, 4))
                answered.append([i.insert_text for i in result.items] if result else [])
            # Each suggestion came while the review's first request was still under way.
            assert answered == [["return 1"]] * 3
            assert not any(r.answer for r in fake_deepseek.requests_to(CHAT))
            gate.set()
            assert await eventually(
                lambda: len(diagnostics(client, "file:///ws/big.py")) == 30, timeout=20
            )
        assert len(fake_deepseek.requests_to(CHAT)) == 3
        assert spent_in(tmp_path) < budget
    finally:
        gate.set()


async def test_the_day_ends_past_the_budget_by_one_requests_worst_case_at_most(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """Reviews and completions sent together until the budget refuses them, every answer as
    long as its limit lets it be (each request costs about its worst case): completions go
    while reviews are under way, and what is spent passes the budget by one request at most."""
    fake_deepseek.responder(lambda body: "findings: none so far. " * 400, path=CHAT)
    fake_deepseek.responder(lambda body: "return a + b  # " * 100, path=FIM)
    fake_deepseek.set_latency(ttft=0.05)
    code = "review this code:\n" + "x = f(x)\n" * 200
    prefix = "def add(a, b):\n    " * 50
    prices, count = PriceTable(), EstimateCounter().count
    when = datetime.fromtimestamp(OFF_PEAK, timezone.utc)
    # What each counts for while under way (the fake bills fewer prompt tokens than estimated).
    review_most = prices.cost(PRO, 0, count(code) + 4, 1000, when)
    completion_most = prices.cost(FLASH, 0, count(prefix), 256, when)
    budget = 8 * review_most
    config = EndpointConfig(base_url=fake_deepseek.url, api_key=DEFAULT_KEY)
    reviews_under_way = 0
    completions_during_reviews = 0
    with Ledger(tmp_path / DB_NAME, clock=lambda: OFF_PEAK, daily_budget=budget) as ledger:
        async with ModelClient(config, ledger) as client:
            loop = asyncio.get_running_loop()

            async def reviews() -> None:
                nonlocal reviews_under_way
                while True:
                    request = ChatRequest(
                        messages=[{"role": "user", "content": code}],
                        model=PRO,
                        max_tokens=1000,
                        feature="review",
                    )
                    reviews_under_way += 1
                    try:
                        await client.chat_with_retry(request, loop.time() + 10, max_retries=0)
                    except BudgetExceeded:
                        return
                    finally:
                        reviews_under_way -= 1

            async def completions() -> None:
                nonlocal completions_during_reviews
                while True:
                    request = FimRequest(prompt=prefix, model=FLASH, max_tokens=256)
                    during = reviews_under_way > 0
                    try:
                        await client.fim(request, loop.time() + 10)
                    except BudgetExceeded as exc:
                        if not exc.held:
                            return
                        await ledger.budget.until_released(1.0)
                        continue
                    completions_during_reviews += during

            await asyncio.gather(*(reviews() for _ in range(4)), completions())
        spent = ledger.today_cost()
    assert completions_during_reviews >= 5
    assert budget <= spent <= budget + max(review_most, completion_most) * 1.05


async def test_a_review_waiting_for_the_budget_holds_no_review_slot(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """One review at a time (review.maxConcurrency 1). A file's review waiting for room in the
    budget (another window's request under way holds it) kept the slot: the review of another
    file, to a local model that costs nothing, waited behind it until it gave up."""
    fake_deepseek.responder(reviewer([Rule("== None")]), path=CHAT)
    free = PriceTable(models={**DEFAULT_PRICES, "local-coder": ModelPrice.flat(Rates(0, 0, 0))})
    ledger = Ledger(tmp_path / DB_NAME, prices=free, daily_budget=0.01)
    other_window = Ledger(tmp_path / DB_NAME, daily_budget=0.01)
    engine = ReviewEngine(ReviewCache(tmp_path / "review-cache.sqlite"), max_concurrency=1)
    config = EndpointConfig(base_url=fake_deepseek.url, api_key=DEFAULT_KEY)
    try:
        release = other_window.budget.reserve(PRO, 0, 6000, within_s=120)  # all of the budget
        async with ModelClient(config, ledger) as client:
            held = asyncio.ensure_future(
                engine.review(client, doc_of("def f(x):\n    return x == None\n", "a.py"), settings_for(fake_deepseek))
            )
            assert await eventually(lambda: ledger.budget._release_waiters, timeout=10)  # waiting for room
            local = settings_for(fake_deepseek, model="local-coder")
            outcome = await engine.review(client, doc_of("def g(y):\n    return y == None\n", "b.py"), local)
            assert len(outcome.findings) == 1 and not outcome.errors
            assert not held.done()
            release()  # the other window's request ends
            assert len((await held).findings) == 1
    finally:
        other_window.close()
        ledger.close()


def test_another_windows_reviews_count_in_the_reviews_half(tmp_path: Path) -> None:
    """Two windows on one usage file: a review under way in one counts in the half the other
    window's reviews may hold, and neither leaves the completions without room."""
    a = Ledger(tmp_path / DB_NAME, clock=lambda: OFF_PEAK, daily_budget=0.05)
    b = Ledger(tmp_path / DB_NAME, clock=lambda: OFF_PEAK, daily_budget=0.05)
    try:
        a.budget.reserve(PRO, 0, 7000, within_s=120, waits=True)  # $0.01386 at most
        with pytest.raises(BudgetExceeded) as info:  # two such: more than half of $0.05
            b.budget.reserve(PRO, 0, 7000, within_s=120, waits=True)
        assert info.value.held
        b.budget.check(FLASH)
        b.budget.reserve(FLASH, 2000, 256, within_s=5)  # a completion goes
        a.close()  # A's review is taken back: B's goes
        b.budget.reserve(PRO, 0, 7000, within_s=120, waits=True)
    finally:
        a.close()
        b.close()


def test_reviews_keep_to_their_half_while_another_process_holds_the_file(tmp_path: Path) -> None:
    """The usage file locked past the busy timeout (another window writing): the reservation
    is kept for later, and the reviews' half is judged by what this window knows."""
    ledger = Ledger(tmp_path / DB_NAME, clock=lambda: OFF_PEAK, daily_budget=0.05, busy_timeout_ms=20)
    other = sqlite3.connect(tmp_path / DB_NAME, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # holds the write lock
        ledger.budget.reserve(PRO, 0, 7000, within_s=120, waits=True)
        with pytest.raises(BudgetExceeded) as info:
            ledger.budget.reserve(PRO, 0, 7000, within_s=120, waits=True)
        assert info.value.held
        ledger.budget.reserve(FLASH, 2000, 256, within_s=5)  # a completion goes
    finally:
        other.execute("ROLLBACK")
        other.close()
        ledger.close()
