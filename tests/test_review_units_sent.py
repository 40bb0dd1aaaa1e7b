"""The review's JSON report counts as sent only the units whose request went out: a run stopped
by its first request's refusal (a wrong key) holds the other requests back, and a spent daily
budget refuses each before it goes; their units were counted in ``unitsSent``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deepseek_lsp.review.prompt import BATCH_MAX_UNITS
from tests.fake_deepseek import FakeDeepSeek
from tests.test_review_cli import CHAT, run
from tests.test_review_cli import project as cli_project

project = cli_project

#: 40 functions: 4 requests of at most BATCH_MAX_UNITS units.
BIG = "".join(f"def f{i}(x):\n    return x + {i}\n\n" for i in range(40))


def test_units_held_back_after_a_refusal_are_not_counted_as_sent(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "app" / "big.py").write_text(BIG)
    fake_deepseek.fault("status", count=None, path=CHAT, status=401)
    code, out, _ = run(capsys, "app/big.py", "app/util.js", "--format", "json", "--jobs", "1")
    assert code == 2 and len(fake_deepseek.requests_to(CHAT)) == 1
    files = {f["path"]: f for f in json.loads(out)["files"]}
    # The first request's units went out (and met the 401); the three held back did not.
    assert files["app/big.py"]["unitsSent"] == BATCH_MAX_UNITS, files["app/big.py"]
    assert files["app/util.js"]["unitsSent"] == 0, files["app/util.js"]


def test_units_refused_by_a_spent_budget_are_not_counted_as_sent(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "app" / "big.py").write_text(BIG)
    assert run(capsys, "app/util.js", "--fail-on", "never")[0] == 0  # spends something today
    sent = len(fake_deepseek.requests_to(CHAT))
    monkeypatch.setenv("DEEPSEEK_DAILY_BUDGET_USD", "0.000001")
    code, out, _ = run(capsys, "app/big.py", "--format", "json", "--no-cache")
    assert code == 2 and len(fake_deepseek.requests_to(CHAT)) == sent
    (file,) = json.loads(out)["files"]
    assert file["units"] == 40 and file["unitsSent"] == 0, file
