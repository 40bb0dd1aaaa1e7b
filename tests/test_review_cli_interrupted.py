"""``deepseek-lsp review`` stopped by Ctrl+C (a CI job cancelled: GitHub's runner sends SIGINT)
while a request is under way: what the provider billed for it is in the usage ledger."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from deepseek_lsp.cli import main
from tests.fake_deepseek import FakeDeepSeek
from tests.harness import cli_command
from tests.test_review_cli import CHAT
from tests.test_review_cli import project as cli_project

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
    fake_deepseek.set_latency(ttft=30)
    command, env = cli_command(["review", "app", "-j", "1"], dict(os.environ))
    proc = subprocess.Popen(command, cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while not fake_deepseek.requests_to(CHAT) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert fake_deepseek.requests_to(CHAT), "the review never started"
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130, err
    assert len(fake_deepseek.requests_to(CHAT)) == 1
    assert main(["usage", "--json"]) == 0
    today = json.loads(capsys.readouterr().out)["today"]["total"]
    assert (today["requests"], today["cancelled"], today["estimated"]) == (1, 1, 1), today
    assert today["cost_usd"] > 0  # its prompt, as the provider bills it
