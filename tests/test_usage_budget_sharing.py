"""The daily budget shared by several processes: two editor windows, or a window and the
``deepseek-lsp review`` CLI, each with its own server and ledger on the same usage file.

Each process counted only its own requests under way against the budget (in memory), and a
request that had just ended was in no file for a quarter of a second: another process saw
neither, and sent its own requests into a budget already spent."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from deepseek_lsp.model import (
    BudgetExceeded,
    ChatRequest,
    EndpointConfig,
    EstimateCounter,
    Ledger,
    ModelClient,
    PriceTable,
    Usage,
)
from deepseek_lsp.model import budget as budget_module
from deepseek_lsp.model.ledger import DB_NAME
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek

OFF_PEAK = datetime(2026, 6, 2, 12, tzinfo=timezone.utc).timestamp()


def window(tmp_path: Path, budget: float) -> Ledger:
    """One editor window's ledger (its own connection and memory, as in its own process)."""
    return Ledger(tmp_path / DB_NAME, clock=lambda: OFF_PEAK, daily_budget=budget)


async def test_requests_under_way_in_another_window_count_against_the_budget(tmp_path: Path) -> None:
    a, b = window(tmp_path, 0.01), window(tmp_path, 0.01)
    try:
        release_a = a.budget.reserve("deepseek-v4-pro", 0, 3000)  # $0.00594 at most
        b.budget.check()  # $0.00594 of $0.01: room for one more
        release_b = b.budget.reserve("deepseek-v4-pro", 0, 3000)
        with pytest.raises(BudgetExceeded) as info:  # was let through: A saw only its own
            a.budget.check()
        assert info.value.pending == pytest.approx(2 * 0.00594)
        # A's request ends: its cost is recorded (written to the file a moment later).
        release_a()
        a.record(feature="review", model="deepseek-v4-pro", usage=Usage(0, 3000, 0, 0))
        with pytest.raises(BudgetExceeded):  # was let through: in no file, no longer reserved
            b.budget.check()
        release_b()
        b.record(feature="review", model="deepseek-v4-pro", usage=Usage(0, 1000, 0, 0))
        await asyncio.sleep(0.4)  # both written
        assert a.today_cost() == pytest.approx(b.today_cost()) == pytest.approx(0.00792)
        # Nothing is left counted as under way once recorded: the spend alone decides.
        a.budget.daily_usd = b.budget.daily_usd = 0.008
        a.budget.check()
        b.budget.check()
    finally:
        a.close()
        b.close()


def test_two_windows_checking_the_budget_at_the_same_moment_do_not_both_send(tmp_path: Path) -> None:
    """Each window's check passed before the other had written its request under way, so
    both went out, each alone at the most the budget lets through: $0.01 let $0.024 be spent."""
    a, b = window(tmp_path, 0.01), window(tmp_path, 0.01)
    try:
        a.budget.check()
        b.budget.check()  # the same moment, in the other process: nothing under way yet
        a.budget.reserve("deepseek-v4-pro", 0, 6000)  # $0.01188 at most: all of the budget
        with pytest.raises(BudgetExceeded) as info:
            b.budget.reserve("deepseek-v4-pro", 0, 6000)  # not sent
        assert info.value.spent == 0
        assert info.value.pending == pytest.approx(0.01188)
        a.close()  # A's request is taken back (its window closed): B's next one goes
        b.budget.check()  # the refused one holds nothing
        b.budget.reserve("deepseek-v4-pro", 0, 6000)
    finally:
        a.close()
        b.close()


def test_a_window_that_closed_with_requests_under_way_does_not_hold_the_budget(tmp_path: Path) -> None:
    a, b = window(tmp_path, 0.01), window(tmp_path, 0.01)
    a.budget.reserve("deepseek-v4-pro", 0, 3000)
    a.close()  # its server stopped (the editor closed): those requests will never be recorded
    b.budget.reserve("deepseek-v4-pro", 0, 3000)
    b.budget.check()
    b.close()


async def test_two_windows_reviewing_at_once_stay_within_the_daily_budget(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """Two windows each review with two batches at once, into a budget that allows one and a
    half requests under way: two were sent in each window."""
    config = EndpointConfig(base_url=fake_deepseek.url, api_key=DEFAULT_KEY)
    messages = [{"role": "user", "content": "review this code:\n" + "x = compute(x, y)\n" * 400}]

    def review() -> ChatRequest:
        return ChatRequest(messages=messages, model="deepseek-v4-pro", max_tokens=200, feature="review")

    with Ledger(":memory:", clock=lambda: OFF_PEAK) as probe:  # what one such request costs
        async with ModelClient(config, probe) as client:
            await client.chat(review(), asyncio.get_running_loop().time() + 10)
        one = probe.today_cost()
    # What each counts for while under way: its prompt (estimated) all missed, 200 tokens out.
    prompt = EstimateCounter().count(messages[0]["content"]) + 4
    most = PriceTable().cost("deepseek-v4-pro", 0, prompt, 200, datetime.fromtimestamp(OFF_PEAK, timezone.utc))
    assert most >= one > 0
    fake_deepseek.reset()
    fake_deepseek.set_latency(ttft=0.3)
    budget = 1.5 * most  # one window alone sends two at once, and no third
    a, b = window(tmp_path, budget), window(tmp_path, budget)
    try:
        async with ModelClient(config, a) as client_a, ModelClient(config, b) as client_b:
            deadline = asyncio.get_running_loop().time() + 10
            results = await asyncio.gather(
                *(c.chat(review(), deadline) for c in (client_a, client_b) for _ in range(2)),
                return_exceptions=True,
            )
        spent = a.today_cost()
    finally:
        a.close()
        b.close()
    assert all(not isinstance(r, BaseException) or isinstance(r, BudgetExceeded) for r in results)
    assert len(fake_deepseek.requests) <= 2, f"{len(fake_deepseek.requests)} requests sent"
    assert spent <= budget + one * 1.01
    assert sum(isinstance(r, BudgetExceeded) for r in results) >= 2


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


async def test_requests_sent_just_before_the_peak_hours_count_at_peak_prices(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """DeepSeek prices a request by when it completes (the ledger records it so). Review batches
    sent at 00:59:50 UTC on a weekday were counted, while under way, at the off-peak rate: three
    fit a budget of three such, all ended in the peak hour at twice the price, and the day's
    spend went past the budget by more than one request."""
    config = EndpointConfig(base_url=fake_deepseek.url, api_key=DEFAULT_KEY)
    fake_deepseek.script(*["findings: none so far, " * 200] * 4)
    fake_deepseek.set_latency(ttft=0.5)
    messages = [{"role": "user", "content": "review x = compute(x, y)"}]

    def review() -> ChatRequest:
        return ChatRequest(messages=messages, model="deepseek-v4-pro", max_tokens=200, feature="review")

    start = datetime(2026, 6, 2, 0, 59, 50, tzinfo=timezone.utc)  # a Tuesday
    prompt = EstimateCounter().count(messages[0]["content"]) + 4
    most_off_peak = PriceTable().cost("deepseek-v4-pro", 0, prompt, 200, start)
    budget = 3 * most_off_peak
    clock = Clock(start.timestamp())
    with Ledger(tmp_path / DB_NAME, clock=clock, daily_budget=budget) as ledger:
        async with ModelClient(config, ledger) as client:
            deadline = asyncio.get_running_loop().time() + 30
            sent = asyncio.gather(
                *(client.chat(review(), deadline) for _ in range(4)), return_exceptions=True
            )
            await asyncio.sleep(0.2)  # all sent, none answered yet
            clock.now += 30  # 01:00:20: the answers come in the peak hour
            results = await sent
        records = list(ledger.recent)
        spent = ledger.today_cost()
    assert all(not isinstance(r, BaseException) or isinstance(r, BudgetExceeded) for r in results)
    assert records and all(
        PriceTable().is_peak(datetime.fromtimestamp(r.ts, timezone.utc)) for r in records
    )
    one = max(r.cost for r in records)
    assert spent <= budget + one * 1.01, f"{len(records)} requests: ${spent:.6f} of ${budget:.6f}"


def test_requests_of_a_window_that_died_stop_counting_after_their_deadline(tmp_path: Path) -> None:
    """An editor that crashed leaves its server no time to take its requests under way back:
    they count in the other windows until their deadline, not for the rest of the day."""
    clock = Clock(OFF_PEAK)
    a = Ledger(tmp_path / DB_NAME, clock=clock, daily_budget=0.01)
    b = Ledger(tmp_path / DB_NAME, clock=clock, daily_budget=0.01)
    try:
        a.budget.reserve("deepseek-v4-pro", 0, 6000, within_s=120)  # $0.01188 at most: over the budget
        with pytest.raises(BudgetExceeded):
            b.budget.check()
        clock.now += 150  # its deadline is past (a was never closed: the process died)
        b.budget.check()
    finally:
        b.close()
        a.close()


def test_a_budget_held_by_requests_under_way_does_not_say_paused_until_midnight(tmp_path: Path) -> None:
    """Refused for what the requests under way may still cost (reviews in this window or
    another), the user was told "AI requests are paused until 00:00 UTC": seconds later, those
    ended cheaper than their most, and completions came back on their own."""
    ledger = window(tmp_path, 0.01)
    try:
        ledger.record(feature="review", model="deepseek-v4-pro", usage=Usage(0, 3000, 0, 0))
        release = ledger.budget.reserve("deepseek-v4-pro", 0, 3000)  # $0.00594 spent, as much held
        with pytest.raises(BudgetExceeded) as info:
            ledger.budget.check()
        message = info.value.user_message
        assert "00:00 UTC" not in message, message
        assert "under way" in message
        release()
        ledger.record(feature="review", model="deepseek-v4-pro", usage=Usage(0, 500, 0, 0))
        ledger.budget.check()  # not paused at all
        ledger.record(feature="review", model="deepseek-v4-pro", usage=Usage(0, 3000, 0, 0))
        with pytest.raises(BudgetExceeded) as info:  # spent: now it is until midnight
            ledger.budget.check()
        assert "paused until 00:00 UTC" in info.value.user_message
    finally:
        ledger.close()


def test_the_remaining_budget_shown_leaves_out_what_the_requests_under_way_may_cost(tmp_path: Path) -> None:
    """The usage view said money remained (budget less today's spend) while completions were
    refused as over budget: the check counts the requests under way (a review here and in
    another window) at their most, the remaining figure did not."""
    a, b = window(tmp_path, 0.02), window(tmp_path, 0.02)
    try:
        a.record(feature="review", model="deepseek-v4-pro", usage=Usage(0, 3000, 0, 0))  # $0.00594
        release_a = a.budget.reserve("deepseek-v4-pro", 0, 3000)
        b.budget.reserve("deepseek-v4-pro", 0, 3000)
        budget = a.summary()["budget"]
        assert budget["spent_today_usd"] == pytest.approx(0.00594)
        assert budget["under_way_usd"] == pytest.approx(2 * 0.00594)
        assert budget["remaining_usd"] == pytest.approx(0.02 - 3 * 0.00594)
        a.budget.reserve("deepseek-v4-pro", 0, 3000)
        assert a.summary()["budget"]["remaining_usd"] == 0
        with pytest.raises(BudgetExceeded):  # as the figure says: nothing left for a new one
            a.budget.check()
        release_a()
        assert a.summary()["budget"]["remaining_usd"] == pytest.approx(0.02 - 3 * 0.00594)
    finally:
        a.close()
        b.close()


_HOLDER = """
import sys, time
from deepseek_lsp.model import Ledger
ledger = Ledger(sys.argv[1], clock=lambda: float(sys.argv[2]), daily_budget=0.01)
ledger.budget.reserve("deepseek-v4-pro", 0, 6000, within_s=120, waits=True)
print("held", flush=True)
sys.stdin.read()  # until the test kills it
"""


def test_a_killed_windows_requests_under_way_stop_holding_the_budget(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A window whose server was killed mid-review (SIGKILL, out of memory) left its review's
    row counting for 130 s: every completion of the other windows was refused meanwhile. The
    row names its process; once that process is gone, the others' next budget check drops it."""
    monkeypatch.setattr(budget_module, "DEAD_SWEEP_S", 0.0)  # each check looks
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(tmp_path / DB_NAME), str(OFF_PEAK)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    other = window(tmp_path, 0.01)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"held\n"
        with pytest.raises(BudgetExceeded) as info:  # alive: its request counts
            other.budget.check()
        assert info.value.held
        holder.kill()
        holder.wait()
        other.budget.check()
        with sqlite3.connect(tmp_path / DB_NAME) as db:
            assert db.execute("SELECT COUNT(*) FROM pending").fetchone()[0] == 0
    finally:
        other.close()
        if holder.poll() is None:
            holder.kill()
            holder.wait()
