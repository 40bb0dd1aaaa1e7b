"""``deepseek-lsp review`` given settings it cannot use: said, naming each one, and no review."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deepseek_lsp.config import build_settings
from tests.fake_deepseek import FakeDeepSeek
from tests.test_review_cli import CHAT, run
from tests.test_review_cli import project as cli_project

#: The project of tests/test_review_cli.py: app/inventory.py and app/util.js, one commit.
project = cli_project


def test_invalid_settings_stop_the_run_with_exit_2_naming_each_setting_and_value(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The run went on with the defaults and exit 0: a CI job passed with a severity gate, a
    model or a budget other than the one written, its typo only in a log nobody reads."""
    settings = tmp_path / "review-settings.json"
    settings.write_text(json.dumps({"review": {"minSeverity": "severe", "modle": "deepseek-v4-flash"}}))
    code, out, err = run(capsys, "app", "--settings", str(settings), "--format", "json")
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert f"deepseek-lsp review: settings ({settings}): invalid value 'severe' for 'review.minSeverity' " in lines[0]
    assert "one of 'critical', 'warning', 'info'" in lines[0]
    assert lines[1] == f"deepseek-lsp review: settings ({settings}): unknown setting 'review.modle'"
    assert lines[-1] == "deepseek-lsp review: nothing reviewed: correct the setting(s) above and run it again"
    # What this run did not do is not said as if it did it ("using the default 'info'").
    assert "using" not in err
    assert fake_deepseek.requests_to(CHAT) == []
    # Corrected, the same command runs.
    settings.write_text(json.dumps({"review": {"minSeverity": "warning"}}))
    code, out, err = run(capsys, "app", "--settings", str(settings), "--format", "json")
    assert code == 1 and "settings" not in err and json.loads(out)["totals"]["critical"] == 1


def test_an_invalid_environment_variable_is_named_as_the_environments(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A budget mistyped in the CI job's variables ran the review with no budget at all."""
    monkeypatch.setenv("DEEPSEEK_DAILY_BUDGET_USD", "5 dollars")
    code, _, err = run(capsys, "app/util.js")
    assert code == 2
    assert err.splitlines()[0] == (
        "deepseek-lsp review: settings (environment): DEEPSEEK_DAILY_BUDGET_USD: invalid value "
        "'5 dollars' for 'dailyBudgetUsd' (a number, 0 or more)"
    )
    assert fake_deepseek.requests_to(CHAT) == []


def test_a_whole_number_default_is_shown_as_written_not_in_exponent_form() -> None:
    """The editor's and doctor's message read "using the default 1e+06" for maxFileBytes."""
    _, problems = build_settings({"completion": {"maxFileBytes": -5}, "review": {"maxOutputTokens": 0}}, env={})
    assert problems == [
        "invalid value -5 for 'completion.maxFileBytes' (a whole number, 0 or more); using the default 1000000",
        "'review.maxOutputTokens' must be more than 0; using 4096",
    ]


def test_a_vs_code_settings_json_is_told_how_its_keys_are_written(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """``--settings .vscode/settings.json`` (flat ``deepseek.*`` keys) was run with every one of
    them ignored: the default model, exit 0."""
    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps({"deepseek.review.model": "deepseek-v4-flash", "editor.fontSize": 14}))
    code, _, err = run(capsys, "app", "--settings", str(settings))
    assert code == 2 and fake_deepseek.requests_to(CHAT) == []
    assert (
        'deepseek-lsp review: settings: write "deepseek.review.model" (VS Code\'s settings.json) as '
        '{"review": {"model": "…"}}'
    ) in err.splitlines()
