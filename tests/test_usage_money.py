"""The money a user is shown: `deepseek-lsp usage` and `deepseek/usage` after real requests
(the fake server's usage reports), small sums, and models that have no price."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from deepseek_lsp.model import EndpointConfig, FimRequest, Ledger, ModelClient, PriceTable
from deepseek_lsp.model.ledger import DB_NAME
from deepseek_lsp.usage_feature import print_usage
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
    assert "1 requests" in today
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
