"""``deepseek-lsp review`` against a server of one's own (vLLM, Ollama, llama-server), as a
process on a real git repository: such a server wants no key, and a run none of whose requests
reached it bills nothing, in the JSON and SARIF reports too."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.fake_deepseek import FakeDeepSeek
from tests.harness import cli_command
from tests.review_support import INVENTORY_RULES, reviewer
from tests.test_reliability_review_faults import FAST_BACKOFF
from tests.test_review_cli import CHAT
from tests.test_review_cli import project as cli_project

#: app/inventory.py and app/util.js, committed (see tests/test_review_cli.py).
project = cli_project


def review(project: Path, base_url: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``deepseek-lsp review ARGS`` run in ``project`` with no API key in its environment."""
    clean = {k: v for k, v in os.environ.items() if k != "DEEPSEEK_API_KEY"}
    command, full = cli_command(["review", *args], {**clean, "DEEPSEEK_BASE_URL": base_url, **env})
    return subprocess.run(command, cwd=project, env=full, capture_output=True, text=True, timeout=120)


def test_a_server_of_ones_own_is_reviewed_without_a_key(project: Path, tmp_path: Path) -> None:
    """A vLLM or Ollama on this machine takes no key: the run asked for DEEPSEEK_API_KEY and
    sent nothing, where the server's own doctor check and the editor go ahead."""
    with FakeDeepSeek(api_key=None) as own:
        own.responder(reviewer(INVENTORY_RULES, line_offset=3), path=CHAT)
        done = review(project, own.url, "app/inventory.py", "--format", "json")
        assert "DEEPSEEK_API_KEY" not in done.stderr, done.stderr
        assert done.returncode == 1, done.stderr  # its critical finding
        report = json.loads(done.stdout)
        assert report["totals"]["critical"] == 1
        assert own.requests_to(CHAT) and all(r.headers.get("authorization") is None for r in own.requests_to(CHAT))


def test_deepseek_itself_still_asks_for_the_key(project: Path) -> None:
    done = review(project, "https://api.deepseek.com", "app/inventory.py")
    assert done.returncode == 2
    assert done.stderr == "deepseek-lsp review: set DEEPSEEK_API_KEY (and DEEPSEEK_BASE_URL for another server)\n"


def test_an_empty_key_variable_does_not_stop_a_review_of_a_server_of_ones_own(project: Path) -> None:
    """Set but empty (a CI secret the job was not given), with a vLLM or Ollama of one's own
    that takes no key: the run stopped before any request ("set DEEPSEEK_API_KEY"), where the
    editor's server and doctor ask such a server without one (no_key_for_deepseek)."""
    with FakeDeepSeek(api_key=None) as own:
        own.responder(reviewer(INVENTORY_RULES, line_offset=3), path=CHAT)
        done = review(project, own.url, "app/inventory.py", "--format", "json", DEEPSEEK_API_KEY="")
        assert "DEEPSEEK_API_KEY" not in done.stderr, done.stderr
        assert done.returncode == 1, done.stderr  # its critical finding
        assert own.requests_to(CHAT)


def test_an_empty_key_variable_is_still_said_for_deepseek(project: Path) -> None:
    done = review(project, "https://api.deepseek.com", "app/inventory.py", DEEPSEEK_API_KEY="")
    assert done.returncode == 2 and "DEEPSEEK_API_KEY is set but empty" in done.stderr, done.stderr


def test_an_empty_key_variable_is_said_when_the_own_server_asks_for_one(project: Path) -> None:
    """The control: a gateway that wants a key, the job given an empty one: its 401 says none
    is set (not that a key was rejected)."""
    with FakeDeepSeek() as gateway:
        done = review(project, gateway.url, "app/inventory.py", DEEPSEEK_API_KEY="")
    assert done.returncode == 2, done.stderr
    told = done.stdout + done.stderr
    assert "asks for a key (401) and none is set" in told and "rejected" not in told, told


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_refused_connects_are_not_reported_as_requests_billed(project: Path, refused: str, fmt: str) -> None:
    """Nothing listening: the text report says "no request reached the server (N tries)"; the
    JSON report's usage read ``"requests": 2, "costUsd": 0.0``, a CI dashboard's two requests
    billed nothing."""
    # Back-offs of 10 ms (FAST_BACKOFF), not 0.5-1 s: the tries are counted, not timed.
    done = review(project, refused, "app", "--format", fmt, DEEPSEEK_API_KEY="sk-own-server-0123456789", **FAST_BACKOFF)
    assert done.returncode == 2, done.stderr
    report = json.loads(done.stdout)
    usage = report["usage"] if fmt == "json" else report["runs"][0]["properties"]["usage"]
    assert usage["requests"] >= 1 and usage["notReached"] == usage["requests"], usage
