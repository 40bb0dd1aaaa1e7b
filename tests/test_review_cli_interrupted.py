"""``deepseek-lsp review`` stopped by Ctrl+C (a CI job cancelled: GitHub's runner sends SIGINT)
while a request is under way: what the provider billed for it is in the usage ledger."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest

from deepseek_lsp.cli import main
from tests.fake_deepseek import FakeDeepSeek
from tests.test_review_cli import CHAT
from tests.test_review_cli import project as cli_project
from tests.test_review_cli_ci import interrupted

#: app/inventory.py and app/util.js to review (tests/test_review_cli.py).
project = cli_project


def test_ctrl_c_keeps_the_request_under_way_in_the_usage_ledger(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two files, one at a time: Ctrl+C while the first one's request waited for its answer.
    The file waiting its turn was stopped at once, the run went on to close the ledger, and
    only then did the request under way end, its record (the prompt the provider bills) too
    late to be written: `deepseek-lsp usage` said 0 requests, $0, and a daily budget shared
    by the runs in a cached state folder never counted it."""
    code, _, err = interrupted(project, fake_deepseek, ["review", "app", "-j", "1"])
    assert code == 130, err
    assert len(fake_deepseek.requests_to(CHAT)) == 1
    assert main(["usage", "--json"]) == 0
    today = json.loads(capsys.readouterr().out)["today"]["total"]
    assert (today["requests"], today["cancelled"], today["estimated"]) == (1, 1, 1), today
    assert today["cost_usd"] > 0  # its prompt, as the provider bills it


def test_a_sigterm_stops_the_run_as_ctrl_c_does_with_its_usage_saved(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str]
) -> None:
    """``docker stop``, a GitLab job cancelled or out of time: the SIGTERM killed the run at
    once (status -15), the request under way in no ledger ('usage': 0 requests, $0)."""
    code, _, err = interrupted(project, fake_deepseek, ["review", "app", "-j", "1"], signal.SIGTERM)
    assert code == 143, err
    assert err.strip().splitlines()[-1] == "deepseek-lsp review: terminated"
    assert main(["usage", "--json"]) == 0
    today = json.loads(capsys.readouterr().out)["today"]["total"]
    assert (today["requests"], today["cancelled"]) == (1, 1), today
