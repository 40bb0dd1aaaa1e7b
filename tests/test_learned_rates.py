"""A gateway model's rate learned from its cost reports ages: newer reports decide, and one no
report confirmed for a month is no longer used (see deepseek_lsp.model.learned)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from deepseek_lsp.model import Ledger, PriceTable, Usage
from deepseek_lsp.model.ledger import DB_NAME, UsageRecord
from tests.test_model_ledger import OFF_PEAK, Clock

DAY = 86400.0
MODEL = "vendor/coder"
GATEWAY = PriceTable.from_config(None, defaults=False)  # no price here: the reports are all there is


def ledger_at(tmp_path: Path, clock: Clock) -> Ledger:
    return Ledger(tmp_path / DB_NAME, prices=GATEWAY, clock=clock)


def billed(ledger: Ledger, per_token: float, tokens: int = 2000) -> None:
    half = tokens // 2
    ledger.record(feature="review", model=MODEL, usage=Usage(half, half, 0, half, cost_usd=tokens * per_token))


def cancelled(ledger: Ledger) -> UsageRecord:
    """A request (1000 tokens) cancelled before its cost report, as recorded."""
    usage = Usage(500, 500, 0, 500)
    return ledger.record(feature="review", model=MODEL, usage=usage, outcome="cancelled", estimated=True)


def test_after_the_gateway_changes_its_price_newer_reports_decide(tmp_path: Path) -> None:
    """A month of reports at $1 per million tokens, a week off, then the gateway doubles its
    price: a request cancelled after the first day at the new price was still priced at about
    $1 per million (a day of new reports against a month of old ones)."""
    clock = Clock(OFF_PEAK)
    with ledger_at(tmp_path, clock) as ledger:
        for _ in range(30):
            for _ in range(10):
                billed(ledger, 1e-6)
            clock.now += DAY
        clock.now += 7 * DAY
        for _ in range(10):
            billed(ledger, 2e-6)
        assert cancelled(ledger).cost == pytest.approx(1000 * 2e-6, rel=0.01)


def test_a_rate_no_report_confirmed_for_a_month_is_not_used_also_after_a_restart(tmp_path: Path) -> None:
    """A rate learned months ago priced every request without a report at it, though the
    gateway's prices may have changed since: such a request's cost is unknown (the gateway
    bills the model: not $0), as before the model's first report."""
    clock = Clock(OFF_PEAK)
    with ledger_at(tmp_path, clock) as ledger:
        billed(ledger, 1e-6)
        clock.now += 29 * DAY
        assert cancelled(ledger).cost == pytest.approx(1000 * 1e-6)  # still confirmed recently enough
    clock.now += 2 * DAY
    with ledger_at(tmp_path, clock) as ledger:
        assert ledger.billing.learned_rate(MODEL) is None
        forgotten = cancelled(ledger)
        assert forgotten.cost == 0 and not forgotten.priced and forgotten.cost_unknown
        assert ledger.summary()["unknown_cost_models"] == [MODEL]
        billed(ledger, 3e-6)  # a new report: learned again, at the new price
        assert cancelled(ledger).cost == pytest.approx(1000 * 3e-6)


def test_two_windows_reports_are_merged_in_the_file_newest_weighing_most(tmp_path: Path) -> None:
    """Each window adds its reports to the file's, aged by their time, not overwriting the
    other's: a window that started later reads the rate both learned."""
    clock = Clock(OFF_PEAK)
    with ledger_at(tmp_path, clock) as one, ledger_at(tmp_path, clock) as two:
        billed(one, 1e-6)
        one.flush()
        clock.now += 10 * DAY  # 10 half-lives: the old report weighs 1/1024
        billed(two, 4e-6)
        two.flush()
    with ledger_at(tmp_path, clock) as later:
        rate = later.billing.learned_rate(MODEL)
    assert rate is not None and rate.mean == pytest.approx(4e-6, rel=0.01)


def test_the_untimed_rates_of_a_file_of_before_are_taken_over_and_age_from_then(tmp_path: Path) -> None:
    """The ``billing_rate`` table of before had no time: its rates are kept (the budget would
    hold the model's requests at $0 again until its next report), as learned when taken over."""
    with sqlite3.connect(tmp_path / DB_NAME) as conn:
        conn.execute(
            "CREATE TABLE billing_rate (model TEXT PRIMARY KEY, cost REAL NOT NULL DEFAULT 0, "
            "tokens INTEGER NOT NULL DEFAULT 0, dearest REAL NOT NULL DEFAULT 0) WITHOUT ROWID"
        )
        conn.execute("INSERT INTO billing_rate VALUES (?, ?, ?, ?)", (MODEL, 0.002, 1000, 2e-6))
    conn.close()
    clock = Clock(OFF_PEAK)
    with ledger_at(tmp_path, clock) as ledger:
        assert cancelled(ledger).cost == pytest.approx(1000 * 2e-6)
    clock.now += 31 * DAY
    with ledger_at(tmp_path, clock) as ledger:
        assert not cancelled(ledger).priced
