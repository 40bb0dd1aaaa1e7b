"""The usage ledger: costs, estimates for cancelled requests, persistence, corruption, budget."""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import subprocess
import sys
import textwrap
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from deepseek_lsp.model import (
    BudgetExceeded,
    ChatRequest,
    EndpointConfig,
    FimRequest,
    Ledger,
    ModelClient,
    PriceTable,
    TokenCounter,
    Usage,
)
from deepseek_lsp.model.errors import DeadlineExceeded
from deepseek_lsp.model.ledger import DB_NAME, WRITE_DELAY_S, state_dir
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.test_review_first_answer import hanging_connection, silent_listener

# Tuesday 2026-06-02 12:00 UTC: off-peak. 02:00 the same day: peak.
OFF_PEAK = datetime(2026, 6, 2, 12, tzinfo=timezone.utc).timestamp()
PEAK = datetime(2026, 6, 2, 2, tzinfo=timezone.utc).timestamp()


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def make(tmp_path: Path, now: float = OFF_PEAK, **kw: object) -> Ledger:
    return Ledger(tmp_path / DB_NAME, clock=Clock(now), **kw)  # type: ignore[arg-type]


def test_ok_request_records_hit_miss_split_and_cost(tmp_path: Path) -> None:
    with make(tmp_path) as ledger:
        rec = ledger.record(
            feature="completion",
            model="deepseek-flash",
            usage=Usage(
                prompt_tokens=1000,
                completion_tokens=20,
                cache_hit_tokens=768,
                cache_miss_tokens=232,
            ),
            ttft_s=0.2,
            total_s=0.4,
        )
        assert rec.cost == pytest.approx((768 * 0.003 + 232 * 0.15 + 20 * 0.60) / 1e6)
        assert rec.outcome == "ok" and not rec.estimated and rec.priced
        peak = ledger.record(
            feature="completion",
            model="deepseek-flash",
            usage=Usage(1000, 20, 768, 232),
            ts=PEAK,
        )
        assert peak.cost == pytest.approx(2 * rec.cost)
        summary = ledger.summary()
    flash = summary["session"]["models"]["deepseek-flash"]
    assert flash["requests"] == 2
    assert flash["cache_hit_tokens"] == 1536 and flash["cache_miss_tokens"] == 464
    assert flash["output_tokens"] == 40
    assert flash["cost_usd"] == pytest.approx(3 * rec.cost)
    assert summary["today"]["models"]["deepseek-flash"]["requests"] == 2
    assert summary["today"]["day"] == "2026-06-02"


def test_unknown_model_is_free_and_flagged(tmp_path: Path) -> None:
    with make(tmp_path) as ledger:
        rec = ledger.record(feature="completion", model="local-model", usage=Usage(10, 10, 0, 10))
        assert rec.cost == 0 and not rec.priced
        assert ledger.summary()["unpriced_models"] == ["local-model"]


async def test_ok_request_through_the_client(fake_deepseek: FakeDeepSeek, tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / DB_NAME)
    config = EndpointConfig(base_url=fake_deepseek.url, api_key=DEFAULT_KEY)
    req = FimRequest(prompt="p" * 2000, suffix="s", model="deepseek-flash")
    async with ModelClient(config, ledger) as client:
        loop = asyncio.get_running_loop()
        await client.fim(req, loop.time() + 5)
        await client.fim(req, loop.time() + 5)
    first, second = ledger.recent
    usage = fake_deepseek.requests[-1].usage
    assert usage is not None
    assert second.cache_hit_tokens == usage["prompt_cache_hit_tokens"] > 0
    assert second.cache_miss_tokens == usage["prompt_cache_miss_tokens"]
    assert second.prompt_tokens == usage["prompt_tokens"]
    assert not second.estimated and second.outcome == "ok"
    when = datetime.fromtimestamp(second.ts, timezone.utc)
    assert second.cost == pytest.approx(
        PriceTable().cost(
            "deepseek-flash",
            second.cache_hit_tokens,
            second.cache_miss_tokens,
            second.completion_tokens,
            when,
        )
    )
    assert first.cache_hit_tokens == 0
    ledger.close()


async def test_cancelled_request_is_estimated_with_the_tokenizer(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    counter = TokenCounter()
    ledger = Ledger(tmp_path / DB_NAME)
    config = EndpointConfig(base_url=fake_deepseek.url, api_key=DEFAULT_KEY)
    fake_deepseek.set_latency(per_token=0.02)
    fake_deepseek.script("value = compute(x, y)\n" * 20)
    prompt = "import os\n\ndef main():\n    " * 30
    suffix = "\n\nif __name__ == '__main__':\n    main()\n"
    received = ""
    async with ModelClient(config, ledger, counter) as client:
        loop = asyncio.get_running_loop()
        async with client.stream_fim(
            FimRequest(prompt=prompt, suffix=suffix, max_tokens=200), loop.time() + 5
        ) as s:
            async for delta in s:
                received += delta
                if len(received) >= 12:
                    break
    (rec,) = ledger.recent
    assert rec.outcome == "cancelled" and rec.estimated
    assert rec.prompt_tokens == counter.count(prompt) + counter.count(suffix)
    assert rec.cache_miss_tokens == rec.prompt_tokens and rec.cache_hit_tokens == 0
    assert rec.completion_tokens == counter.count(received)
    assert rec.cost > 0
    summary = ledger.summary()["session"]["total"]
    assert summary["cancelled"] == 1 and summary["estimated"] == 1
    ledger.close()


def test_persisted_and_reread_across_instances(tmp_path: Path) -> None:
    with make(tmp_path) as first:
        first.record(feature="completion", model="deepseek-flash", usage=Usage(100, 10, 64, 36))
        first.record(
            feature="review",
            model="deepseek-v4-pro",
            usage=Usage(5000, 800, 0, 5000),
            outcome="cancelled",
            estimated=True,
        )
        cost = first.today_cost()
    # Another day of the same month.
    with make(tmp_path, now=OFF_PEAK + 86400) as second:
        assert second.summary()["session"]["models"] == {}
        assert second.today_cost() == 0
        second.record(feature="completion", model="deepseek-flash", usage=Usage(100, 10, 0, 100))
        summary = second.summary()
    month = summary["month"]
    assert month["month"] == "2026-06"
    assert month["models"]["deepseek-flash"]["requests"] == 2
    assert month["models"]["deepseek-v4-pro"]["cancelled"] == 1
    assert month["models"]["deepseek-v4-pro"]["estimated"] == 1
    assert summary["today"]["models"]["deepseek-flash"]["requests"] == 1
    assert month["total"]["cost_usd"] == pytest.approx(cost + summary["today"]["total"]["cost_usd"])
    conn = sqlite3.connect(tmp_path / DB_NAME)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


async def test_writes_wait_for_the_answer_then_reach_the_file(tmp_path: Path) -> None:
    """On the event loop a record is written a moment later, several in one go, so the
    completion's answer does not wait for the disk; another process sees it soon after."""
    ledger = make(tmp_path)
    other = make(tmp_path)
    try:
        for _ in range(3):
            ledger.record(feature="completion", model="deepseek-flash", usage=Usage(100, 10, 64, 36))
        assert other.today_cost() == 0  # not yet in the file
        assert ledger.session["deepseek-flash"].requests == 3  # in memory at once
        await asyncio.sleep(WRITE_DELAY_S + 0.2)
        assert other.summary()["today"]["total"]["requests"] == 3
        # A read in the same process never misses its own records, written or not.
        ledger.record(feature="completion", model="deepseek-flash", usage=Usage(100, 10, 64, 36))
        assert ledger.summary()["today"]["total"]["requests"] == 4
    finally:
        ledger.close()
        other.close()


def test_records_made_before_close_are_kept(tmp_path: Path) -> None:
    async def session() -> Ledger:
        ledger = make(tmp_path)
        ledger.record(feature="review", model="deepseek-v4-pro", usage=Usage(5000, 800, 0, 5000))
        return ledger  # its loop ends before the write was due

    ledger = asyncio.run(session())
    ledger.record(feature="completion", model="deepseek-flash", usage=Usage(100, 10, 64, 36))
    ledger.close()
    with make(tmp_path) as again:
        assert again.summary()["today"]["total"]["requests"] == 2


def test_corrupted_file_is_set_aside_and_rebuilt(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / DB_NAME
    path.write_bytes(b"this is not a database at all" * 200)
    with caplog.at_level(logging.WARNING, logger="deepseek_lsp.model.ledger"):
        with make(tmp_path) as ledger:
            ledger.record(feature="completion", model="deepseek-flash", usage=Usage(1, 1, 0, 1))
            assert ledger.summary()["today"]["total"]["requests"] == 1
    aside = list(tmp_path.glob(f"{DB_NAME}.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes().startswith(b"this is not")
    assert len([r for r in caplog.records if "unreadable" in r.getMessage()]) == 1
    with make(tmp_path) as again:  # the rebuilt file is healthy
        assert again.summary()["today"]["total"]["requests"] == 1


def test_damaged_database_pages_are_detected(tmp_path: Path) -> None:
    with make(tmp_path) as ledger:
        for i in range(50):
            ledger.record(feature=f"f{i}", model="deepseek-flash", usage=Usage(1, 1, 0, 1))
    path = tmp_path / DB_NAME
    data = bytearray(path.read_bytes())
    for i in range(1024, len(data)):  # keep the header, scramble every page
        data[i] = (data[i] * 7 + 13) & 0xFF
    path.write_bytes(bytes(data))
    with make(tmp_path) as ledger:  # must not raise
        ledger.record(feature="completion", model="deepseek-flash", usage=Usage(1, 1, 0, 1))
        assert ledger.summary()["today"]["total"]["requests"] >= 1
    assert list(tmp_path.glob(f"{DB_NAME}.corrupt-*"))


def test_unusable_directory_falls_back_to_memory(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with Ledger(blocker / "sub" / DB_NAME) as ledger:
        ledger.record(feature="completion", model="deepseek-flash", usage=Usage(1, 1, 0, 1))
        summary = ledger.summary()
        assert summary["today"]["total"]["requests"] == 1
        assert summary["path"] is None and summary["problems"]  # no file claimed


WRITER = textwrap.dedent(
    """
    import sys
    from deepseek_lsp.model import Ledger, Usage
    ledger = Ledger(sys.argv[1])
    for _ in range(int(sys.argv[2])):
        ledger.record(feature="completion", model="deepseek-flash", usage=Usage(10, 1, 0, 10))
    ledger.close()
    """
)


def test_two_processes_share_the_file(tmp_path: Path) -> None:
    path = tmp_path / DB_NAME
    n = 200
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(n)], stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    for p in procs:
        _, err = p.communicate(timeout=60)
        assert p.returncode == 0, err.decode()
    with Ledger(path) as ledger:
        total = ledger.summary()["today"]["total"]
    assert total["requests"] == 2 * n
    assert total["prompt_tokens"] == 2 * n * 10


@pytest.mark.parametrize(
    "reported",
    [{"prompt_cache_hit_tokens": 200}, {"prompt_cache_miss_tokens": 800}],
    ids=["hits-only", "misses-only"],
)
def test_an_answer_with_one_cache_count_bills_the_rest_of_the_prompt(
    tmp_path: Path, reported: dict[str, int]
) -> None:
    # A proxy (or an older answer) that reports one of the two counts: the prompt's other
    # tokens were billed all the same, and the budget must see them.
    usage = Usage.from_api({"prompt_tokens": 1000, "completion_tokens": 10, **reported})
    with make(tmp_path) as ledger:
        rec = ledger.record(feature="completion", model="deepseek-flash", usage=usage)
        today = ledger.summary()["today"]["total"]
    assert (rec.cache_hit_tokens, rec.cache_miss_tokens) == (200, 800)
    assert (today["cache_hit_tokens"], today["cache_miss_tokens"]) == (200, 800)
    when = datetime.fromtimestamp(OFF_PEAK, timezone.utc)
    assert today["cost_usd"] == pytest.approx(PriceTable().cost("deepseek-flash", 200, 800, 10, when))


def test_garbage_token_counts_from_a_proxy_lose_no_usage(tmp_path: Path) -> None:
    with make(tmp_path) as ledger:
        ledger.record(feature="completion", model="deepseek-flash", usage=Usage(100, 10, 0, 100))
        for raw in ('{"prompt_tokens": 1e999, "completion_tokens": 3}',
                    '{"prompt_tokens": 100000000000000000000000, "completion_tokens": 3}'):
            usage = Usage.from_api(json.loads(raw))  # json reads 1e999 as infinity
            ledger.record(feature="completion", model="deepseek-flash", usage=usage)
        ledger.flush()
    # Every request is in the file, the good one's tokens and cost among them, and the day's
    # spend is not an absurd figure that refuses every request until midnight.
    with make(tmp_path) as again:
        today = again.summary()["today"]["total"]
        assert today["requests"] == 3
        assert today["output_tokens"] == 16
        assert 0 < again.today_cost() < 0.01


def test_budget(tmp_path: Path) -> None:
    clock = Clock(OFF_PEAK)
    with Ledger(tmp_path / DB_NAME, clock=clock, daily_budget=0.01) as ledger:
        ledger.budget.check()
        ledger.record(feature="review", model="deepseek-v4-pro", usage=Usage(0, 3000, 0, 0))
        ledger.budget.check()  # 3000 * 1.98 / 1e6 = $0.00594
        ledger.record(feature="review", model="deepseek-v4-pro", usage=Usage(0, 3000, 0, 0))
        with pytest.raises(BudgetExceeded) as info:
            ledger.budget.check()
        assert info.value.spent == pytest.approx(0.01188)
        assert ledger.summary()["budget"]["remaining_usd"] == 0
        clock.now += 86400  # a new UTC day
        ledger.budget.check()
        ledger.budget.daily_usd = None
    with Ledger(tmp_path / DB_NAME, clock=Clock(OFF_PEAK), daily_budget=0.01) as other:
        with pytest.raises(BudgetExceeded):  # the spend is shared through the file
            other.budget.check()


def test_a_write_that_meets_a_locked_file_is_kept_and_saved_later(tmp_path: Path) -> None:
    """Another process holding the write lock past the busy timeout (or a full disk) used to
    lose the requests recorded meanwhile: the file and the daily budget never saw them."""
    clock = Clock(OFF_PEAK)
    ledger = Ledger(tmp_path / DB_NAME, clock=clock, daily_budget=0.005, busy_timeout_ms=50)
    other = sqlite3.connect(tmp_path / DB_NAME, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        ledger.record(feature="review", model="deepseek-v4-pro", usage=Usage(0, 3000, 0, 0))
        assert ledger.summary()["today"]["total"]["requests"] == 1
        with pytest.raises(BudgetExceeded):  # $0.00594 spent, though not in the file yet
            ledger.budget.check()
    finally:
        other.execute("COMMIT")
        other.close()
    ledger.close()  # the lock is gone: closing saves it
    with make(tmp_path) as again:
        today = again.summary()["today"]["total"]
        assert today["requests"] == 1 and today["cost_usd"] == pytest.approx(0.00594)


class FullDisk:
    """A connection whose writes fail as on a full disk, while ``full``."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.full = True

    def _check(self, sql: str) -> None:
        if self.full and "INSERT" in sql:
            raise sqlite3.OperationalError("database or disk is full")

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
        self._check(sql)
        return self.conn.execute(sql, *args)

    def executemany(self, sql: str, *args: Any) -> sqlite3.Cursor:
        self._check(sql)
        return self.conn.executemany(sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.conn, name)


def test_failed_writes_are_retried_with_the_next_one_and_counted_once(tmp_path: Path) -> None:
    ledger = make(tmp_path)
    disk = FullDisk(ledger.file.conn)
    ledger.file.conn = disk  # type: ignore[assignment]
    for _ in range(3):
        ledger.record(feature="completion", model="deepseek-flash", usage=Usage(100, 10, 0, 100))
    disk.full = False
    ledger.record(feature="review", model="deepseek-v4-pro", usage=Usage(100, 10, 0, 100))
    ledger.close()
    with make(tmp_path) as again:
        models = again.summary()["today"]["models"]
    assert models["deepseek-flash"]["requests"] == 3
    assert models["deepseek-flash"]["prompt_tokens"] == 300
    assert models["deepseek-v4-pro"]["requests"] == 1


class UnreadableTotals(FullDisk):
    """The day's rows cannot be read any more (a disk error): writes still go."""

    def _check(self, sql: str) -> None:
        if self.full and sql.lstrip().startswith("SELECT") and "FROM daily" in sql:
            raise sqlite3.OperationalError("disk I/O error")


def test_the_budget_shown_when_the_totals_cannot_be_read_is_the_one_the_check_goes_by(tmp_path: Path) -> None:
    """The usage view said "spent $0.0000, remaining" all of the budget while every completion
    was refused as over it: unread, the budget check goes by this session's spend, and the
    view said nothing was spent."""
    ledger = make(tmp_path, daily_budget=0.10)
    spent = ledger.record(feature="review", model="deepseek-v4-pro", usage=Usage(150_000, 8_000, 0, 150_000)).cost
    assert spent > 0.10
    ledger.file.conn = UnreadableTotals(ledger.file.conn)  # type: ignore[assignment]
    with pytest.raises(BudgetExceeded):
        ledger.budget.check("deepseek-v4-pro")
    summary = ledger.summary()
    assert summary["problems"] and summary["path"] is None  # the view says the file was unread
    assert summary["budget"]["spent_today_usd"] == pytest.approx(spent)
    assert summary["budget"]["remaining_usd"] == 0
    ledger.file.conn.full = False  # type: ignore[attr-defined]
    ledger.close()


def test_a_long_sessions_spend_is_all_counted_when_the_file_cannot_be_read(tmp_path: Path) -> None:
    """Unread, the budget went by the last records kept in memory (``keep_recent``, 1,000 by
    default): past them, a long session's earlier spend was forgotten and requests went out
    past the budget."""
    ledger = make(tmp_path, daily_budget=0.10, keep_recent=2)
    costs = [
        ledger.record(feature="review", model="deepseek-v4-pro", usage=Usage(50_000, 2_000, 0, 50_000)).cost
        for _ in range(3)
    ]
    ledger.file.conn = UnreadableTotals(ledger.file.conn)  # type: ignore[assignment]
    assert ledger.today_cost() == pytest.approx(sum(costs))
    with pytest.raises(BudgetExceeded):  # the last two alone are under the budget
        ledger.budget.check("deepseek-v4-pro")
    ledger.file.conn.full = False  # type: ignore[attr-defined]
    ledger.close()


def test_read_only_ledger_reads_a_file_it_may_not_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read-only home or snapshot: the file was opened for writing, failed, and the reader
    reported an empty ledger in memory as if nothing had been spent."""
    with make(tmp_path) as ledger:
        ledger.record(feature="review", model="deepseek-v4-pro", usage=Usage(0, 3000, 0, 0))
    connect = sqlite3.connect

    def read_only_folder(target: str, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        if "immutable=1" not in str(target):  # what a folder without write access allows
            raise sqlite3.OperationalError("unable to open database file")
        return connect(target, *args, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", read_only_folder)
    with Ledger(tmp_path / DB_NAME, clock=Clock(OFF_PEAK), read_only=True) as reader:
        summary = reader.summary()
    assert summary["today"]["total"]["requests"] == 1
    assert summary["path"] == str(tmp_path / DB_NAME) and summary["problems"] == []
    monkeypatch.setattr(sqlite3, "connect", connect)
    (tmp_path / "elsewhere" / DB_NAME).mkdir(parents=True)  # no database at all
    with Ledger(tmp_path / "elsewhere" / DB_NAME, read_only=True) as reader:
        summary = reader.summary()
    assert summary["path"] is None and "cannot read" in summary["problems"][0]


def test_state_dir_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DEEPSEEK_LSP_STATE_DIR", str(tmp_path / "state"))
    assert state_dir() == tmp_path / "state"
    with Ledger() as ledger:
        assert ledger.path == tmp_path / "state" / DB_NAME
    assert (tmp_path / "state" / DB_NAME).exists()
    monkeypatch.delenv("DEEPSEEK_LSP_STATE_DIR")
    assert "deepseek-lsp" in str(state_dir())


async def test_requests_sent_together_do_not_all_pass_the_daily_budget(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """A review sends its batches four at a time (review.maxConcurrency). Each checked the
    budget before any of them was billed, so all four went out and the day's spend ended at
    several times the budget. Requests under way now count (at their most) against it: what
    goes past the budget is at most one request, as when they are sent one after another."""
    config = EndpointConfig(base_url=fake_deepseek.url, api_key=DEFAULT_KEY)
    fake_deepseek.set_latency(ttft=0.3)
    messages = [{"role": "user", "content": "review this code:\n" + "x = compute(x, y)\n" * 400}]

    def review() -> ChatRequest:
        return ChatRequest(messages=messages, model="deepseek-v4-pro", max_tokens=200, feature="review")

    with Ledger(":memory:") as probe:  # what one such request costs now
        async with ModelClient(config, probe) as client:
            await client.chat(review(), asyncio.get_running_loop().time() + 10)
        one = probe.today_cost()
    assert one > 0
    fake_deepseek.reset()
    fake_deepseek.set_latency(ttft=0.3)
    budget = 1.5 * one
    with Ledger(tmp_path / DB_NAME, daily_budget=budget) as ledger:
        async with ModelClient(config, ledger) as client:
            deadline = asyncio.get_running_loop().time() + 10
            results = await asyncio.gather(
                *(client.chat(review(), deadline) for _ in range(4)), return_exceptions=True
            )
        spent = ledger.today_cost()
    refused = [r for r in results if isinstance(r, BudgetExceeded)]
    assert all(not isinstance(r, BaseException) or isinstance(r, BudgetExceeded) for r in results)
    assert len(fake_deepseek.requests) <= 2 and len(refused) >= 2
    assert spent <= budget + one * 1.01
    assert "in requests under way" in refused[0].user_message  # why, with $ spent below it


def test_one_request_billed_far_dearer_a_token_does_not_hold_the_budget_for_every_request(tmp_path: Path) -> None:
    """A gateway's report of a cent for one token (a per-request fee, a proxy's garbage count)
    made the dearest rate a cent a token: every request then held prompt and token limit at
    that rate, $20 for a 2000-token review, and a $1 budget refused them all with $0.01 spent."""
    model = "vendor/coder"
    with Ledger(tmp_path / DB_NAME, daily_budget=1.0) as ledger:
        for _ in range(10):  # what the model costs: $2 per million tokens
            ledger.record(feature="review", model=model, usage=Usage(1000, 0, 0, 1000, cost_usd=0.002))
        ledger.record(feature="review", model=model, usage=Usage(1, 0, 0, 1, cost_usd=0.01))
        release = ledger.budget.reserve(model, 1000, 1000)  # held at 8 times the mean at most
        ledger.budget.check(model)  # the next request still goes
        assert 0 < ledger.summary()["budget"]["under_way_usd"] < 0.1
        release()


def test_a_window_open_all_day_holds_a_gateway_model_at_what_another_window_saw_it_billed(tmp_path: Path) -> None:
    """What a model was billed was read from the usage file at start only: a window opened
    before another one saw the gateway's model billed sent its requests unchecked by the
    daily budget and held at $0, however much the day had spent on it."""
    model = "vendor/coder"
    gateway = PriceTable.from_config(None, defaults=False)  # a model without a price is free
    with (
        Ledger(tmp_path / DB_NAME, prices=gateway, daily_budget=0.01) as early,
        Ledger(tmp_path / DB_NAME, prices=gateway) as other,
    ):
        other.record(feature="review", model=model, usage=Usage(1000, 100, 0, 1000, cost_usd=0.011))
        other.flush()
        with pytest.raises(BudgetExceeded):
            early.budget.check(model)
        early.budget.daily_usd = 1.0
        early.budget.check(model)
        release = early.budget.reserve(model, 1000, 100)
        assert early.summary()["budget"]["under_way_usd"] == pytest.approx(0.011)
        release()


async def test_a_request_never_answered_is_estimated_and_one_never_connected_costs_nothing(
    tmp_path: Path,
) -> None:
    """What is decided for a request with no status: sent whole to a server that then said
    nothing, it may have been taken and billed (DeepSeek bills by a ``usage`` such a request
    never reports), so it is counted at an estimate; one whose connection was never taken
    went nowhere and costs nothing."""
    ledger = Ledger(tmp_path / DB_NAME)
    request = ChatRequest(messages=[{"role": "user", "content": "def f(x): return x\n" * 20}], model="deepseek-v4-pro")
    with hanging_connection() as hanging, silent_listener() as (silent_url, _):
        for url in (silent_url, hanging):
            config = EndpointConfig(base_url=url, api_key=DEFAULT_KEY)
            async with ModelClient(config, ledger) as client:
                with pytest.raises(DeadlineExceeded):
                    await client.chat(request, asyncio.get_running_loop().time() + 1.0)
    silent, never_connected = ledger.recent
    assert silent.estimated and silent.cost > 0 and silent.cache_miss_tokens > 100
    assert not never_connected.estimated and never_connected.cost == 0
    assert never_connected.prompt_tokens == 0
    ledger.close()
