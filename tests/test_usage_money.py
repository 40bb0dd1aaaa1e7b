"""The money a user is shown: `deepseek-lsp usage` and `deepseek/usage` after real requests
(the fake server's usage reports), small sums, and models that have no price."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from deepseek_lsp.model import (
    BudgetExceeded,
    EndpointConfig,
    FimRequest,
    Ledger,
    ModelClient,
    PriceTable,
    Usage,
)
from deepseek_lsp.model.ledger import DB_NAME
from deepseek_lsp.usage_report import print_usage
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek


async def _complete(fake: FakeDeepSeek, ledger: Ledger, model: str, prompt: str) -> None:
    config = EndpointConfig(base_url=fake.url, api_key=DEFAULT_KEY)
    async with ModelClient(config, ledger) as client:
        loop = asyncio.get_running_loop()
        await client.fim(FimRequest(prompt=prompt, suffix="\n", model=model, max_tokens=16), loop.time() + 10)


def _isolated_env(monkeypatch: pytest.MonkeyPatch, state: Path, **env: str) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("DEEPSEEK_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("DEEPSEEK_LSP_STATE_DIR", str(state))
    for name, value in env.items():
        monkeypatch.setenv(name, value)


async def test_usage_command_does_not_show_a_small_spend_as_zero(
    fake_deepseek: FakeDeepSeek, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """One short Flash completion costs a few millionths of a dollar: `deepseek-lsp usage`
    printed "$0.0000" for it (4 decimals), which reads as "nothing was billed" while the
    request count says 1. The editors' own formatter says "<$0.0001"."""
    fake_deepseek.script("x = 1\n")
    with Ledger(tmp_path / DB_NAME) as ledger:
        await _complete(fake_deepseek, ledger, "deepseek-flash", "def f():\n    ")
        (rec,) = ledger.recent
    assert rec.priced and 0 < rec.cost < 0.00005  # rounds to $0.0000
    _isolated_env(monkeypatch, tmp_path)
    assert print_usage() == 0
    out = capsys.readouterr().out
    today = next(line for line in out.splitlines() if line.startswith("today"))
    assert today.endswith(", 1 request")
    assert "$0.0000" not in out, out
    assert "<$0.0001" in today


async def test_a_self_hosted_models_zero_cost_is_explained_after_a_restart(
    fake_deepseek: FakeDeepSeek, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """A self-hosted model costs $0 (README: "Self-hosted backends cost $0 in the usage view
    unless `prices` says otherwise") and the usage view says why: "Models without a price
    (counted as $0)". Only for requests made since the server started: after a restart (a new
    editor window) today's and the month's requests of that model showed $0.00 with no word
    of it, and `deepseek-lsp usage` never said it."""
    self_hosted = PriceTable.from_config(None, defaults=False)
    with Ledger(tmp_path / DB_NAME, prices=self_hosted) as first:
        await _complete(fake_deepseek, first, "qwen2.5-coder:7b", "def f():\n    " * 20)
        assert first.summary()["unpriced_models"] == ["qwen2.5-coder:7b"]
    with Ledger(tmp_path / DB_NAME, prices=PriceTable.from_config(None, defaults=False)) as second:
        summary = second.summary()
    assert summary["today"]["models"]["qwen2.5-coder:7b"]["requests"] == 1
    assert summary["today"]["total"]["cost_usd"] == 0
    assert summary["unpriced_models"] == ["qwen2.5-coder:7b"]

    _isolated_env(
        monkeypatch, tmp_path, DEEPSEEK_BASE_URL=fake_deepseek.url, DEEPSEEK_BACKEND="openai-suffix"
    )
    assert print_usage() == 0
    out = capsys.readouterr().out
    assert "qwen2.5-coder:7b" in out
    assert "without a price (counted as $0): qwen2.5-coder:7b" in out, out


async def test_a_priced_model_is_not_called_unpriced_after_a_restart(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """The other side of the above: a DeepSeek model that cost something is not listed."""
    with Ledger(tmp_path / DB_NAME) as first:
        await _complete(fake_deepseek, first, "deepseek-flash", "def f():\n    " * 20)
    with Ledger(tmp_path / DB_NAME) as second:
        assert second.summary()["unpriced_models"] == []


# A weekday at noon UTC: off-peak prices.
_NOON = datetime(2026, 6, 2, 12, tzinfo=timezone.utc).timestamp()


def test_the_budget_message_does_not_show_a_small_spend_as_zero(tmp_path: Path) -> None:
    """Requests held by a review under way (a few cents at most) while today's spend is one
    Flash completion (four thousandths of a cent): the user was told "$0.0000 spent today",
    which reads as nothing billed, as `deepseek-lsp usage` did before it said "<$0.0001"."""
    with Ledger(tmp_path / DB_NAME, clock=lambda: _NOON, daily_budget=0.05) as ledger:
        rec = ledger.record(feature="completion", model="deepseek-flash", usage=Usage(1200, 12, 1000, 200))
        assert 0 < rec.cost < 0.00005
        ledger.budget.reserve("deepseek-v4-pro", 60_000, 8192)  # a large review under way
        with pytest.raises(BudgetExceeded) as info:
            ledger.budget.check()
    message = info.value.user_message
    assert "$0.0000" not in message, message
    assert "<$0.0001 spent today" in message, message


def test_the_budget_in_the_usage_answer_does_not_round_a_small_spend_to_zero(tmp_path: Path) -> None:
    """One short completion served from the prefix cache costs a few ten-millionths of a
    dollar: the budget part of `deepseek/usage` rounded it to 0.0 (six places), so the editor
    said "spent $0.00" under a total of "<$0.0001" for the same day."""
    with Ledger(tmp_path / DB_NAME, clock=lambda: _NOON, daily_budget=1.0) as ledger:
        ledger.record(feature="completion", model="deepseek-flash", usage=Usage(100, 0, 100, 0))
        summary = ledger.summary()
    spent = summary["today"]["total"]["cost_usd"]
    assert 0 < spent < 0.0000005
    assert summary["budget"]["spent_today_usd"] == pytest.approx(spent)
    assert summary["budget"]["remaining_usd"] < 1.0


def test_usage_command_says_its_today_is_the_utc_day(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """The daily budget resets at 00:00 UTC and the editors say "Today (<day>, UTC)": the
    command printed a bare date, which in the evening west of Greenwich is tomorrow's."""
    with Ledger(tmp_path / DB_NAME) as ledger:
        ledger.record(feature="completion", model="deepseek-flash", usage=Usage(100, 5, 0, 100))
        day = ledger.summary()["today"]["day"]
    _isolated_env(monkeypatch, tmp_path)
    assert print_usage() == 0
    out = capsys.readouterr().out
    today = next(line for line in out.splitlines() if line.startswith("today"))
    assert today.startswith(f"today ({day}, UTC): "), out
    assert today.endswith(", 1 request")


def test_usage_command_shows_the_daily_budget_the_environment_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """The editors pass ``dailyBudgetUsd``; `deepseek-lsp usage` had no way to be given it and
    showed no budget, nor what the requests under way (an editor window's review) hold of it."""
    with Ledger(tmp_path / DB_NAME) as ledger:
        spent = ledger.record(feature="review", model="deepseek-v4-pro", usage=Usage(0, 3000, 0, 0)).cost
    with Ledger(tmp_path / DB_NAME, daily_budget=1.0) as window:
        window.budget.reserve("deepseek-v4-pro", 0, 3000)  # as much again, under way in a window
        _isolated_env(monkeypatch, tmp_path, DEEPSEEK_DAILY_BUDGET_USD="0.5")
        assert print_usage() == 0
        out = capsys.readouterr().out
        line = next(line for line in out.splitlines() if line.startswith("daily budget"))
        usd = f"${spent:.4f}"
        assert line == f"daily budget: $0.5000, spent {usd}, up to {usd} more in requests under way, remaining ${0.5 - 2 * spent:.4f}"
        assert print_usage(as_json=True) == 0
        budget = json.loads(capsys.readouterr().out)["budget"]
        assert budget["daily_usd"] == 0.5
        assert budget["remaining_usd"] == pytest.approx(0.5 - 2 * spent)
    # A ledger it cannot read: no "remaining $0.5000" of a spend it knows nothing of.
    unreadable = tmp_path / "unreadable"
    (unreadable / DB_NAME).mkdir(parents=True)
    _isolated_env(monkeypatch, unreadable, DEEPSEEK_DAILY_BUDGET_USD="0.5")
    assert print_usage() == 1
    assert "daily budget" not in capsys.readouterr().out


def test_usage_command_tells_a_budget_variable_it_cannot_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    _isolated_env(monkeypatch, tmp_path, DEEPSEEK_DAILY_BUDGET_USD="$5")
    assert print_usage() == 0
    captured = capsys.readouterr()
    assert "DEEPSEEK_DAILY_BUDGET_USD" in captured.err and "daily budget" not in captured.out


def test_usage_json_gives_dollar_figures_without_float_noise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """Three requests of 2.385e-05 each printed ``"cost_usd": 7.154999999999999e-05`` in
    `deepseek-lsp usage --json`: a sum's float noise, which a script or a dashboard shows as it
    is. Rounded to a millionth of a millionth of a dollar, below any token's price."""
    with Ledger(tmp_path / DB_NAME) as ledger:
        costs = [ledger.record(feature="completion", model="deepseek-v4-flash", usage=Usage(100, 37, 0, 11)).cost for _ in range(3)]
    assert repr(sum(costs)) != repr(round(sum(costs), 12))  # the noise is there to round away
    _isolated_env(monkeypatch, tmp_path)
    assert print_usage(as_json=True) == 0
    out = capsys.readouterr().out
    total = json.loads(out)["today"]["total"]["cost_usd"]
    assert total == round(sum(costs), 12) == pytest.approx(sum(costs))
    assert repr(round(sum(costs), 12)) in out and repr(sum(costs)) not in out, out
