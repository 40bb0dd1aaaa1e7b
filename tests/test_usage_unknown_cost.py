"""Requests a gateway billed without saying what (LiteLLM's streams without
``include_cost_in_streaming_usage``) are of unknown cost in the usage view and `deepseek-lsp
usage`, not $0: they read as free requests."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from deepseek_lsp.endpoint_settings import endpoint_config
from deepseek_lsp.model import BudgetExceeded, Ledger, ModelClient, PriceTable, Usage
from deepseek_lsp.model.ledger import DB_NAME
from deepseek_lsp.model.types import ChatRequest
from deepseek_lsp.model.usage_file import _COLUMNS, _REAL
from deepseek_lsp.usage_report import format_usd, print_usage
from tests.fake_deepseek import FakeDeepSeek
from tests.harness import eventually
from tests.test_selfhosted_answers import ROUTED, ROUTER_KEY, deadline_in, gateway, routed_review
from tests.test_usage_money import _isolated_env

LITELLM = {"x-litellm-version": "1.74.0", "x-litellm-call-id": "5a1f"}


async def cancelled_before_headers(fake: FakeDeepSeek, client: ModelClient, request: ChatRequest) -> None:
    """``request`` sent and cancelled while the fake holds its answer, headers included."""
    release = threading.Event()
    fake.responder(lambda body: "ok" if release.wait(5) else "late", path="/v1/chat/completions")
    sent = len(fake.requests)
    try:
        cancelled = asyncio.ensure_future(client.chat(request, deadline_in(5)))
        assert await eventually(lambda: len(fake.requests) == sent + 1, timeout=5)
        cancelled.cancel()
        with pytest.raises(asyncio.CancelledError):
            await cancelled
    finally:
        release.set()
        await client.aclose()


async def test_a_litellm_stream_that_told_no_cost_is_of_unknown_cost_not_free(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """Every completion and review is streamed, and LiteLLM's proxy tells a stream's cost only
    with ``include_cost_in_streaming_usage``: without it each request was recorded at $0, the
    usage view said "$0.0000" for the day, and nothing said that the proxy billed them."""
    with FakeDeepSeek(api_key=ROUTER_KEY, models=(ROUTED,)) as fake:
        fake.answer_headers = dict(LITELLM)
        settings, ledger = gateway(fake, tmp_path)
        client = ModelClient(endpoint_config(settings), ledger)
        try:
            for _ in range(2):
                await client.chat(routed_review(), deadline_in(5))
        finally:
            await client.aclose()
        summary = ledger.summary()
        ledger.close()
        _isolated_env(monkeypatch, tmp_path, DEEPSEEK_BASE_URL=f"{fake.url}/v1", DEEPSEEK_BACKEND="chat")
        assert print_usage() == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("today (") and "cost unknown, 2 requests" in lines[0], out
    assert f"cost unknown for requests to {ROUTED}" in out and "include_cost_in_streaming_usage" in out, out
    assert "$0.0000" not in out and "counted as $0" not in out, out
    today = summary["today"]
    assert today["total"]["unknown_cost"] == today["models"][ROUTED]["unknown_cost"] == 2
    assert summary["unknown_cost_models"] == [ROUTED]
    assert summary["unpriced_models"] == []  # not "counted as $0": nothing is known of it


async def test_a_litellm_stream_is_priced_when_the_proxy_tells_the_cost_or_prices_name_the_model(
    tmp_path: Path,
) -> None:
    """Known costs stay known: a stream's ``usage.cost`` (the proxy's
    ``include_cost_in_streaming_usage``) is what it cost."""
    with FakeDeepSeek(api_key=ROUTER_KEY, models=(ROUTED,)) as fake:
        fake.answer_headers = dict(LITELLM)
        fake.cost_per_token = 1e-6
        settings, ledger = gateway(fake, tmp_path)
        client = ModelClient(endpoint_config(settings), ledger)
        try:
            await client.chat(routed_review(), deadline_in(5))
        finally:
            await client.aclose()
        summary = ledger.summary()
        ledger.close()
    assert summary["today"]["total"]["unknown_cost"] == 0 and summary["today"]["total"]["cost_usd"] > 0
    assert summary["unknown_cost_models"] == []


def test_a_usage_file_of_before_is_read_and_written_with_its_totals_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """A file written by a deepseek-lsp of before lacks the column of unknown costs: read only
    (`deepseek-lsp usage` before any editor started the new server) and written, its totals
    are those it holds."""
    old = [c for c in _COLUMNS if c != "unknown_cost"]
    columns = ", ".join(f"{c} {'REAL' if c in _REAL else 'INTEGER'} NOT NULL DEFAULT 0" for c in old)
    with sqlite3.connect(tmp_path / DB_NAME) as conn:
        conn.execute(
            f"CREATE TABLE daily (day TEXT NOT NULL, model TEXT NOT NULL, feature TEXT NOT NULL, {columns}, "
            "PRIMARY KEY (day, model, feature)) WITHOUT ROWID"
        )
        conn.execute(
            "INSERT INTO daily (day, model, feature, requests, cost_usd) VALUES (date('now'), 'deepseek-flash', 'completion', 3, 0.5)"
        )
    conn.close()
    _isolated_env(monkeypatch, tmp_path)
    assert print_usage() == 0
    assert "today (" in (out := capsys.readouterr().out) and "$0.5000, 3 requests" in out, out
    with Ledger(tmp_path / DB_NAME) as ledger:
        ledger.record(feature="completion", model="deepseek-flash", usage=Usage(1000, 0, 0, 1000))
        total = ledger.summary()["today"]["total"]
    assert total["requests"] == 4 and total["cost_usd"] > 0.5 and total["unknown_cost"] == 0


LISTED = "deepseek/deepseek-v4-flash"  # a LiteLLM route to a model DeepSeek lists a price for


async def test_a_litellm_stream_that_told_no_cost_is_held_to_the_daily_budget_at_the_model_s_list_price(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """A user on a LiteLLM proxy without ``include_cost_in_streaming_usage`` had no daily
    budget at all: every request was of unknown cost, counted as nothing spent, and its model
    (free to a table without DeepSeek's prices) was never checked. Estimated at DeepSeek's list
    price for its tokens, the first request spends the tiny budget and the next is refused; the
    usage view says the figure is an estimate."""
    budget = 1e-7
    with FakeDeepSeek(api_key=ROUTER_KEY, models=(LISTED,)) as fake:
        fake.answer_headers = dict(LITELLM)
        settings, ledger = gateway(fake, tmp_path, budget=budget)
        review = replace(routed_review(), model=LISTED)
        client = ModelClient(endpoint_config(settings), ledger)
        try:
            await client.chat(review, deadline_in(5))
            with pytest.raises(BudgetExceeded) as refused:
                await client.chat(review, deadline_in(5))
        finally:
            await client.aclose()
        sent = len(fake.requests)
        summary = ledger.summary()
        (rec,) = ledger.recent
        ledger.close()
        _isolated_env(
            monkeypatch, tmp_path, DEEPSEEK_BASE_URL=f"{fake.url}/v1", DEEPSEEK_BACKEND="chat", DEEPSEEK_DAILY_BUDGET_USD=str(budget)
        )
        assert print_usage() == 0
    when = datetime.fromtimestamp(rec.ts, timezone.utc)
    listed = PriceTable().cost("deepseek-v4-flash", rec.cache_hit_tokens, rec.cache_miss_tokens, rec.completion_tokens, when)
    assert sent == 1 and rec.cost == pytest.approx(listed) and listed > budget
    today = summary["today"]
    assert today["total"]["cost_usd"] == today["total"]["estimated_usd"] == pytest.approx(listed)
    assert today["total"]["unknown_cost"] == 0 and summary["unknown_cost_models"] == []
    assert summary["estimated_cost_models"] == [LISTED]
    assert summary["budget"]["spent_today_usd"] == summary["budget"]["estimated_usd"] == pytest.approx(listed)
    out = capsys.readouterr().out
    assert out.splitlines()[0].endswith(f": ~{format_usd(listed)}, 1 request"), out
    assert f"spent ~{format_usd(listed)} ({format_usd(listed)} of it estimated)" in out, out
    assert f"cost estimated for requests to {LISTED}: " in out and "DeepSeek's list price" in out, out
    # The refusal in the status bar says it too: the spend it names is no gateway's bill.
    said = refused.value.user_message
    assert f"reached (~{format_usd(listed)} spent today, {format_usd(listed)} of it estimated at list prices)" in said, said


def test_a_gateway_model_of_unknown_cost_is_held_to_the_budget_and_reserved_at_its_list_price() -> None:
    """Once a gateway billed a model without saying what, its requests under way are held at
    its list price (a review's batches sent together no longer all pass the budget at $0), and
    one without a list price, of unknown cost, is still refused once the budget is spent
    (it was sent as a free model's would be)."""
    table = PriceTable.from_config(None, defaults=False)  # a gateway's: no DeepSeek prices
    with Ledger(":memory:", prices=table, daily_budget=0.01) as ledger:
        for model in (LISTED, "gpt-4o"):
            ledger.record(feature="review", model=model, usage=replace(Usage(100, 10, 0, 100), cost_unknown=True))
        release = ledger.budget.reserve(LISTED, 1000, 1000)
        held = ledger.summary()["budget"]["under_way_usd"]
        release()
        ledger.record(feature="review", model="deepseek-v4-pro", usage=Usage(10, 10, 0, 10, cost_usd=0.02))
        with pytest.raises(BudgetExceeded):
            ledger.budget.check("gpt-4o")
    # Flash's list price for 1000 prompt tokens (all misses) and 1000 out, off-peak or peak.
    assert held == pytest.approx(0.00075) or held == pytest.approx(0.0015), held


@pytest.mark.parametrize("model", [ROUTED, LISTED], ids=["no list price", "list price"])
async def test_a_litellm_request_cancelled_before_its_headers_is_billed_once_the_endpoint_was_seen_to_be_a_gateway(
    tmp_path: Path, model: str
) -> None:
    """Only LiteLLM's ``x-litellm-*`` headers tell that a request went through the proxy: one
    cancelled before they came (a completion overtaken by the next key while the proxy was
    slow to answer) was recorded at $0, as a free request, when its model had not been
    answered before (the completion model, with only reviews answered so far). The endpoint
    seen as a gateway before, also by the process of before (an editor restarted), it is of
    unknown cost, or estimated at the model's list price."""
    other = "openai/gpt-4o-mini"  # the model answered before: another one
    with FakeDeepSeek(api_key=ROUTER_KEY, models=(model, other)) as fake:
        fake.answer_headers = dict(LITELLM)
        settings, ledger = gateway(fake, tmp_path)
        review = replace(routed_review(), model=model)
        client = ModelClient(endpoint_config(settings), ledger)
        try:
            await client.chat(replace(review, model=other), deadline_in(5))
        finally:
            await client.aclose()
            ledger.close()
        _, ledger = gateway(fake, tmp_path)  # the editor started again
        await cancelled_before_headers(fake, ModelClient(endpoint_config(settings), ledger), review)
        (rec,) = ledger.recent
        summary = ledger.summary()
        ledger.close()
    assert rec.outcome == "cancelled" and rec.model == model and rec.prompt_tokens > 0
    totals = summary["today"]["models"][model]
    if model == ROUTED:
        assert rec.cost_unknown and rec.cost == 0 and totals["unknown_cost"] == 1
    else:
        assert rec.cost_estimated and rec.cost > 0 and totals["estimated_usd"] == totals["cost_usd"] == rec.cost
    assert summary["unpriced_models"] == []  # not "counted as $0"


async def test_an_endpoint_that_answers_as_a_free_server_since_is_no_longer_taken_for_a_gateway(
    tmp_path: Path,
) -> None:
    """The mark of a gateway is kept per base URL across restarts: a port a LiteLLM proxy had
    and a free server (llama-server, Ollama) has now would have kept every request cancelled
    before its headers "cost unknown" for good. A whole answer from it with neither a cost nor
    LiteLLM's headers takes the mark away, in the usage file too."""
    other = "openai/gpt-4o-mini"
    with FakeDeepSeek(api_key=ROUTER_KEY, models=(ROUTED, other)) as fake:
        fake.answer_headers = dict(LITELLM)
        settings, ledger = gateway(fake, tmp_path)
        review = replace(routed_review(), model=other)
        client = ModelClient(endpoint_config(settings), ledger)
        try:
            await client.chat(review, deadline_in(5))  # the proxy: a gateway that bills
            fake.answer_headers = {}  # the port is a free server's now
            await client.chat(review, deadline_in(5))
        finally:
            await client.aclose()
            ledger.close()
        _, ledger = gateway(fake, tmp_path)  # the editor started again
        await cancelled_before_headers(fake, ModelClient(endpoint_config(settings), ledger), routed_review())
        (rec,) = ledger.recent
        ledger.close()
    assert rec.outcome == "cancelled" and rec.model == ROUTED and rec.prompt_tokens > 0
    assert not rec.cost_unknown and rec.cost == 0
