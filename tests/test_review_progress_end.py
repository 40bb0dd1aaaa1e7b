"""The last word of a review's ``$/progress`` (what Neovim's statusline, fidget and Helix show
when a review ends): the real server over stdio against the fake DeepSeek."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from deepseek_lsp.review.flights import ReviewOutcome
from deepseek_lsp.review.outcome_status import last_word
from deepseek_lsp.review.units import Unit
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import eventually, lsp_session, open_doc, server_env
from tests.review_support import Rule, reviewer
from tests.test_review_lsp import at, change, diagnostics, save

CHAT = "/chat/completions"
SETTINGS: dict[str, Any] = {"review": {"mode": "onSave", "maxRetries": 1}}
URI = "file:///ws/inventory.py"  # (the default of save, change and diagnostics)
SOURCE = (
    "def alpha(x):\n"
    "    if x == None:\n"
    "        return 1\n"
    "    return 2\n"
    "\n\n"
    "def beta(y):\n"
    "    z = eval(y)\n"
    "    return z\n"
)
RULES = (Rule("x == None", message="Use is None."), Rule("eval(y)", "critical", "eval of input."))


def last_words(client: LanguageClient) -> list[str]:
    return [
        str(r.message)
        for reports in client.progress_reports.values()
        for r in reports
        if isinstance(r, types.WorkDoneProgressEnd)
    ]


@pytest.mark.parametrize(
    ("failure", "said"), [("server error", "failed"), ("not JSON", "incomplete")], ids=["500", "malformed"]
)
async def test_a_failed_review_does_not_end_saying_fewer_findings_than_are_shown(
    fake_deepseek: FakeDeepSeek, tmp_path: Path, failure: str, said: str
) -> None:
    """beta edited and saved, its review failed (a 500, or an answer that is not JSON, each
    asked twice): both findings stay shown, yet the progress ended "1 finding, $0.0000", as a
    review that went well and found one thing less."""
    fake_deepseek.responder(reviewer(RULES), path=CHAT)
    env = server_env(fake_deepseek.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path))
    async with lsp_session(env, settings=SETTINGS) as client:
        open_doc(client, URI, SOURCE)
        save(client)
        assert await eventually(lambda: len(last_words(client)) == 1, timeout=10)
        assert last_words(client)[0].startswith("2 findings, $")
        if failure == "server error":
            fake_deepseek.fault("status", count=None, path=CHAT, status=500)
        else:
            fake_deepseek.responder(lambda body: '{"findings": [{"severity": "crit', path=CHAT)
        change(client, 2, at(8, 4, 8, 12), "return z + 1")
        save(client)
        assert await eventually(lambda: len(last_words(client)) == 2, timeout=20)
        assert len(diagnostics(client)) == 2  # the earlier review's findings stay shown
        assert last_words(client)[1].startswith(f"{said}; 2 findings shown, $"), last_words(client)


def _outcome(units: int, unanswered: int) -> ReviewOutcome:
    unit = Unit(kind="function", name="f", lines=((0, 0),), text="f")
    return ReviewOutcome(units=units, units_asked=units, requests=2, unanswered=[unit] * unanswered)


def test_a_review_with_some_units_unanswered_ends_saying_how_many() -> None:
    outcome = _outcome(units=3, unanswered=1)
    assert last_word(outcome, shown=2) == "incomplete (1 of 3 units not reviewed); 2 findings"
    assert last_word(_outcome(units=3, unanswered=0), shown=2) == "2 findings"
