"""A small daily budget held only by the requests under way (each counted at its worst case:
every prompt token a miss, all of max_tokens generated): the reviews sent at the same time (a
file's batches, the files ``deepseek-lsp review`` runs at once) refused each other as "nearly
reached" with $0.00 spent, and the refused files failed. They now wait for those under way to
end and go then; once today's spend reaches the budget, the run stops as before."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from deepseek_lsp.model import (
    BudgetExceeded,
    ChatRequest,
    EndpointConfig,
    Ledger,
    ModelClient,
    PriceTable,
    Usage,
)
from deepseek_lsp.model.ledger import DB_NAME
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import eventually
from tests.review_support import ReviewFeatureSession, Rule, reviewer
from tests.test_review_cli import CHAT, project, run  # noqa: F401 - project: a fixture
from tests.test_review_cli_terminal import add_steps

OFF_PEAK = datetime(2026, 6, 2, 12, tzinfo=timezone.utc).timestamp()
PRO = "deepseek-v4-pro"
#: What a review request of the default settings counts for while under way, its prompt aside.
REVIEW_OUTPUT = 4096


def worst_output_cost(when: float) -> float:
    """What a review's max_tokens cost at the dearer of ``when`` and its deadline's rates."""
    prices = PriceTable()
    return max(
        prices.cost(PRO, 0, 0, REVIEW_OUTPUT, datetime.fromtimestamp(t, timezone.utc)) for t in (when, when + 130)
    )


def request(text: str = "x = 1\n") -> ChatRequest:
    messages = [{"role": "user", "content": "review this code:\n" + text}]
    return ChatRequest(messages=messages, model=PRO, max_tokens=REVIEW_OUTPUT, feature="review")


def spent_in(state: Path) -> float:
    with sqlite3.connect(state / DB_NAME) as db:
        return float(db.execute("SELECT SUM(cost_usd) FROM daily").fetchone()[0] or 0.0)


async def test_reviews_sent_together_wait_for_each_other_within_a_small_budget(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """Room for two under way: of four sent at once, two were refused with nothing spent."""
    fake_deepseek.set_latency(ttft=0.3)
    config = EndpointConfig(base_url=fake_deepseek.url, api_key=DEFAULT_KEY)
    budget = 1.5 * worst_output_cost(OFF_PEAK)
    with Ledger(tmp_path / DB_NAME, clock=lambda: OFF_PEAK, daily_budget=budget) as ledger:
        async with ModelClient(config, ledger) as client:
            deadline = asyncio.get_running_loop().time() + 10
            results = await asyncio.gather(
                *(client.chat_with_retry(request(), deadline) for _ in range(4)), return_exceptions=True
            )
        spent = ledger.today_cost()
    assert [type(r).__name__ for r in results if isinstance(r, BaseException)] == []
    assert len(fake_deepseek.requests_to(CHAT)) == 4
    assert 0 < spent < budget
    # Two at a time, as the budget allows: the last two went out once the first had ended.
    arrivals = sorted(r.received_at for r in fake_deepseek.requests_to(CHAT))
    assert arrivals[2] - arrivals[0] >= 0.25


async def test_a_review_held_by_another_windows_request_goes_once_that_request_ends(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """The review CLI's request waits while an editor window's request under way holds the
    budget, and is sent when that one is recorded (for less than it was held at)."""
    budget = 0.01
    editor = Ledger(tmp_path / DB_NAME, clock=lambda: OFF_PEAK, daily_budget=budget)
    cli = Ledger(tmp_path / DB_NAME, clock=lambda: OFF_PEAK, daily_budget=budget)
    try:
        release = editor.budget.reserve(PRO, 0, 6000, within_s=120)  # $0.01188 at most: all of it
        config = EndpointConfig(base_url=fake_deepseek.url, api_key=DEFAULT_KEY)
        async with ModelClient(config, cli) as client:
            loop = asyncio.get_running_loop()
            waiting = asyncio.Event()

            def on_wait(refused: BudgetExceeded | None, _until: float) -> None:
                if refused is not None:
                    waiting.set()

            # Its own time far past the test's bound: a review that sat out its whole time
            # instead of looking again (every second) fails, however busy the machine.
            review = asyncio.ensure_future(client.chat_with_retry(request(), loop.time() + 600, on_wait=on_wait))
            await asyncio.wait_for(waiting.wait(), 30)
            assert not review.done() and not fake_deepseek.requests_to(CHAT)
            release()
            editor.record(feature="review", model=PRO, usage=Usage(1000, 300, 0, 1000))
            editor.flush()
            result = await asyncio.wait_for(review, 60)
        assert result.text and len(fake_deepseek.requests_to(CHAT)) == 1
    finally:
        editor.close()
        cli.close()


async def test_a_review_held_past_its_time_limit_is_refused_rather_than_kept_waiting(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """The wait is bounded by the request's own time: a request under way elsewhere that never
    ends (a window frozen mid-request) does not keep a review waiting forever."""
    budget = 0.01
    editor = Ledger(tmp_path / DB_NAME, clock=lambda: OFF_PEAK, daily_budget=budget)
    cli = Ledger(tmp_path / DB_NAME, clock=lambda: OFF_PEAK, daily_budget=budget)
    try:
        editor.budget.reserve(PRO, 0, 6000, within_s=120)
        config = EndpointConfig(base_url=fake_deepseek.url, api_key=DEFAULT_KEY)
        async with ModelClient(config, cli) as client:
            loop = asyncio.get_running_loop()
            started = loop.time()
            with pytest.raises(BudgetExceeded) as info:
                # Bounded, for a failure instead of a hang: the time limit is what ends the wait.
                await asyncio.wait_for(client.chat_with_retry(request(), started + 1.2), 60)
            waited = loop.time() - started
        assert info.value.held and waited >= 1.1  # it did wait, up to its time
        assert "which did not end in time" in info.value.cli_message
        assert not fake_deepseek.requests_to(CHAT)
    finally:
        editor.close()
        cli.close()


async def test_a_file_saved_under_a_small_budget_is_reviewed_whole(
    fake_deepseek: FakeDeepSeek, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The editor's review of a file of three batches, in a budget with room for two under way:
    "review of big.py not sent: Daily DeepSeek budget of $0.01 nearly reached ($0.00 spent
    today ...)", the refused batches' functions unreviewed until the next save."""
    monkeypatch.setenv("DEEPSEEK_LSP_STATE_DIR", str(tmp_path))
    fake_deepseek.set_latency(ttft=0.3)
    fake_deepseek.responder(reviewer([Rule("== None")]), path=CHAT)
    text = "".join(f"def f{i}(x):\n    return x == None or {i}\n\n\n" for i in range(30))
    async with ReviewFeatureSession(fake_deepseek) as r:
        r.services.models.ledger.budget.daily_usd = 1.5 * worst_output_cost(time.time())
        r.services.documents.open("file:///ws/big.py", text, "python", 1)
        done = await r.review.command.run("file:///ws/big.py", force=True)
        assert done["ok"], done
        assert done["findings"] == 30 and len(fake_deepseek.requests_to(CHAT)) == 3
        # Only the wait was told (the batches waited for each other), no failure.
        assert not any("budget" in s.message and "waiting for room" not in s.message for s in r.statuses)
        assert not r.statuses or r.statuses[-1].kind == "Normal"


def test_the_review_cli_reviews_every_file_within_a_small_budget(
    project: Path,  # noqa: F811 - the fixture
    fake_deepseek: FakeDeepSeek,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Eight files four at a time, in a budget that a tenth of is spent: two or three failed
    "nearly reached ($0.0000 spent today, up to $0.02 more in requests under way)", exit 2."""
    add_steps(project, 6)
    fake_deepseek.set_latency(ttft=0.2)
    budget = 1.5 * worst_output_cost(time.time())
    monkeypatch.setenv("DEEPSEEK_DAILY_BUDGET_USD", f"{budget:.6f}")
    code, out, err = run(capsys, "app", "--fail-on", "never")
    assert "budget" not in out + err
    assert code == 0 and "not reviewed" not in out
    assert len(fake_deepseek.requests_to(CHAT)) == 8
    assert spent_in(project.parent / "state") < budget


def test_the_review_cli_stops_when_the_budget_is_spent_during_the_run(
    project: Path,  # noqa: F811 - the fixture
    fake_deepseek: FakeDeepSeek,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Spent after a few files, the requests waiting are refused as spent, the run stops (exit
    2) saying how much was spent, and the files never sent are listed as not reviewed. Before,
    those waiting failed "nearly reached" and every file after was still sent into the budget."""
    add_steps(project, 10)
    state = project.parent / "state"
    assert run(capsys, "app/step_0.py", "--fail-on", "never")[0] == 0
    first = spent_in(state)  # the first such file: the rubric too is a miss in the provider's cache
    assert run(capsys, "app/step_1.py", "--fail-on", "never")[0] == 0
    # Each one after: the rubric and all before the path is a hit (a budget of 3.5 first files
    # held all ten once the rubric took most of the prompt).
    one = spent_in(state) - first
    fake_deepseek.reset()  # the provider's cache too: the run's first file is a first again
    fake_deepseek.responder(reviewer(()), path=CHAT)
    fake_deepseek.set_latency(ttft=0.2)
    budget = spent_in(state) + first + one * 2.5  # today's spend, then room for a few files
    monkeypatch.setenv("DEEPSEEK_DAILY_BUDGET_USD", f"{budget:.8f}")
    steps = [f"app/step_{i}.py" for i in range(10)]
    code, out, _ = run(capsys, *steps, "--no-cache", "--fail-on", "never")
    assert code == 2
    assert "nearly reached" not in out
    sent = len(fake_deepseek.requests_to(CHAT))
    assert 3 <= sent < 10, sent
    assert f"{10 - sent} files not reviewed: Daily DeepSeek budget of" in out
    assert " reached ($0.00" in out and " spent today)" in out
    # Past the budget by one request at most (its worst case), as the budget always allowed.
    assert budget <= spent_in(state) <= budget + worst_output_cost(time.time()) * 1.5


async def test_the_budget_reached_is_told_even_after_a_nearly_reached_was(fake_deepseek: FakeDeepSeek) -> None:
    """One pop-up per kind of error: a brief "nearly reached" (requests under way) used it up,
    and the budget reached later, which stops completions until midnight, was only in the
    status bar."""
    from deepseek_lsp.completion.feature import CompletionFeature
    from deepseek_lsp.config import Settings
    from deepseek_lsp.documents import DocumentStore
    from deepseek_lsp.features import Services
    from deepseek_lsp.status import StatusReporter
    from tests.completing import REGISTRY

    shown: list[str] = []
    status = StatusReporter(lambda s: None, lambda message, level=2: shown.append(message))
    services = Services(DocumentStore(REGISTRY), REGISTRY, status, Settings(base_url=fake_deepseek.url))
    feature = CompletionFeature(services)
    try:
        for error in (
            BudgetExceeded(0.01, 0.05, pending=0.06),
            BudgetExceeded(0.02, 0.05, pending=0.06),  # the same again: not told twice
            BudgetExceeded(0.05, 0.05),
        ):
            feature.health.failed(error)
    finally:
        await feature.stop()
    assert [m.split(" (")[0] for m in shown] == [
        "Daily DeepSeek budget of $0.05 nearly reached",
        "Daily DeepSeek budget of $0.05 reached",
    ]
    # Completions are refused, not held, while requests under way fill the budget: the pop-up
    # says they come back (it said every new request waited).
    assert "suggestions come back" in shown[0] and "AI requests are paused" in shown[1]


class _ProgressShown:
    """An editor's view of ``$/progress``: the messages of each report and the end."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.tokens: dict[str, object] = {}

    async def create_async(self, token: str) -> None:
        return None

    def begin(self, token: str, value: object) -> None:
        return None

    def report(self, token: str, value: Any) -> None:
        self.messages.append(value.message)

    def end(self, token: str, value: Any) -> None:
        self.messages.append(value.message)


async def test_a_review_waiting_for_the_budget_says_so_and_until_when(
    fake_deepseek: FakeDeepSeek, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Held by another window's request under way, a saved file's review said "0/1 request(s)"
    in its progress for as long as it waited, and the status nothing: the user saw a review
    that never ended. Both now say it waits for the budget, and until when at the latest."""
    monkeypatch.setenv("DEEPSEEK_LSP_STATE_DIR", str(tmp_path))
    fake_deepseek.responder(reviewer([Rule("== None")]), path=CHAT)
    uri = "file:///ws/app.py"
    async with ReviewFeatureSession(fake_deepseek) as r:
        budget = 0.9 * worst_output_cost(time.time())
        r.services.models.ledger.budget.daily_usd = budget
        other = Ledger(tmp_path / DB_NAME, daily_budget=budget)  # another window's
        try:
            release = other.budget.reserve(PRO, 0, REVIEW_OUTPUT, within_s=120)
            shown = _ProgressShown()
            capabilities = SimpleNamespace(window=SimpleNamespace(work_done_progress=True), workspace=None)
            r.review._server = SimpleNamespace(client_capabilities=capabilities, work_done_progress=shown)
            r.services.documents.open(uri, "def f(x):\n    return x == None\n", "python", 1)
            review = asyncio.ensure_future(r.review.command.run(uri, force=True))
            # A bound against a hang only: on a loaded machine the review gets there late, not never.
            waiting = await eventually(lambda: [m for m in shown.messages if "daily budget" in m], timeout=30)
            assert waiting and not fake_deepseek.requests_to(CHAT)
            assert waiting[0].startswith("waiting for room in the daily budget of $")
            until = datetime.strptime(waiting[0].split("until ")[1], "%H:%M:%S UTC at the latest")
            expected = datetime.fromtimestamp(time.time() + 120, timezone.utc)
            gap = abs((expected - expected.replace(hour=until.hour, minute=until.minute, second=until.second)).total_seconds())
            assert min(gap, 86400 - gap) < 30, waiting[0]  # the review's time limit from now
            status = r.statuses[-1]
            assert (status.kind, status.uri) == ("Warning", uri) and "app.py waiting for room" in status.message
            release()
            other.flush()
            done = await asyncio.wait_for(review, 10)
        finally:
            other.close()
        assert done["ok"] and done["findings"] == 1
        # Going on, the progress counts its requests again.
        assert shown.messages[shown.messages.index(waiting[0]) + 1 :][:2] == ["0/1 request", "1/1 request"]
        assert r.statuses[-1].kind == "Normal"


async def test_a_review_stopped_while_it_waits_for_the_budget_takes_its_word_back(
    fake_deepseek: FakeDeepSeek, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stopped from its progress while it waited, the review left the status saying it waited."""
    monkeypatch.setenv("DEEPSEEK_LSP_STATE_DIR", str(tmp_path))
    uri = "file:///ws/app.py"
    async with ReviewFeatureSession(fake_deepseek) as r:
        budget = 0.9 * worst_output_cost(time.time())
        r.services.models.ledger.budget.daily_usd = budget
        other = Ledger(tmp_path / DB_NAME, daily_budget=budget)
        try:
            other.budget.reserve(PRO, 0, REVIEW_OUTPUT, within_s=120)
            r.services.documents.open(uri, "def f(x):\n    return x == None\n", "python", 1)
            review = asyncio.ensure_future(r.review.command.run(uri, force=True))
            assert await eventually(lambda: r.statuses and "waiting for room" in r.statuses[-1].message, timeout=30)
            r.review._tasks[uri].cancel()  # what the progress's Cancel does
            assert not (await asyncio.wait_for(review, 10))["ok"]
        finally:
            other.close()
        assert r.statuses[-1].kind == "Normal"


async def test_a_budget_wait_cancelled_as_a_request_ends_stays_cancelled(tmp_path: Path) -> None:
    """A review waiting for room in the budget, superseded (a newer save) in the turn another
    request's end woke it: ``asyncio.wait_for`` (3.11) returned the wake-up and lost the
    cancellation, and the superseded review checked the budget again and was sent, billed."""
    with Ledger(tmp_path / DB_NAME, daily_budget=0.01) as ledger:
        waiting = asyncio.ensure_future(ledger.budget.until_released(5.0))
        await asyncio.sleep(0)  # waiting for a release
        (waiter,) = ledger.budget._release_waiters
        waiter.set_result(None)  # a request under way ended
        waiting.cancel()  # the review superseded, in the same turn
        await asyncio.wait({waiting}, timeout=5)
        assert waiting.cancelled()
