"""``deepseek-lsp review`` given settings it cannot use: said, naming each one, and no review."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deepseek_lsp import doctor as doctor_module
from deepseek_lsp.cli import main
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
    assert lines[1] == (
        f"deepseek-lsp review: settings ({settings}): unknown setting 'review.modle'; did you mean 'review.model'?"
    )
    assert lines[-1] == "deepseek-lsp review: nothing reviewed: correct the settings above and run it again"
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


def test_a_price_the_file_gives_wrongly_stops_the_run_and_is_a_doctor_problem(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A model's prices are read apart from the other settings: two of the three given, review
    ran at the default price (the daily budget counted with it), exit 1 on its findings, and
    doctor said "all good". Both named nothing; the editor tells it as a status.

    In this process, as the other tests here (three processes of their own took 30 s of this
    file's 40 on a loaded machine): nothing of the settings outlives a run of ``main``."""
    settings = tmp_path / "review-settings.json"
    settings.write_text(json.dumps({"prices": {"deepseek-v4-pro": [0.1, 0.2]}}))
    code, out, err = run(capsys, "app", "--settings", str(settings))
    assert code == 2, out + err
    assert err.splitlines()[0] == (
        f"deepseek-lsp review: settings ({settings}): prices.deepseek-v4-pro: price must list "
        "3 prices [cache_hit, cache_miss, output]"
    )
    assert fake_deepseek.requests_to(CHAT) == []
    # The languages taken as checked (test_cli's doctor): compiling every query here, the
    # pool's workers started from this process, was 19 s of a loaded run; the price is the question.
    monkeypatch.setattr(doctor_module, "check_languages", lambda registry, jobs=1: (["python"], []))
    assert main(["doctor", "--settings", str(settings)]) == 1
    doctor = capsys.readouterr().out
    # Named as written (the README's form, directly under prices): it read 'prices.models.…'.
    assert "  ! setting: prices.deepseek-v4-pro: price must list 3 prices" in doctor
    assert "all good" not in doctor
    settings.write_text(json.dumps({"prices": {"models": {"deepseek-v4-pro": [0.1, 0.2]}, "mine": "nowhere"}}))
    assert main(["doctor", "--settings", str(settings)]) == 1
    doctor = capsys.readouterr().out
    assert "  ! setting: prices.models.deepseek-v4-pro: price must list 3 prices" in doctor
    assert "  ! setting: prices.mine: alias of unknown model 'nowhere'" in doctor
    # Written right, with a model of one's own, the same run goes.
    settings.write_text(json.dumps({"prices": {"deepseek-v4-pro": [0.1, 0.2, 0.3], "my-model": [0, 0, 0]}}))
    code, out, _ = run(capsys, "app", "--settings", str(settings), "--format", "json")
    assert code == 1 and json.loads(out)["totals"]["critical"] == 1


def test_settings_that_did_nothing_unsaid_are_named(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """``review.maxConcurrency: 0`` reviewed one request at a time and ``invokedChoices: 5``
    asked for three choices, neither said: the editor now names each with what it uses, and
    a review run stops on them as on any setting it cannot use."""
    _, problems = build_settings({"review": {"maxConcurrency": 0}, "completion": {"invokedChoices": 5}}, env={})
    assert problems == [
        "'completion.invokedChoices' must be at most 3; using 3",
        "'review.maxConcurrency' must be more than 0; using 4",
    ]
    settings = tmp_path / "review-settings.json"
    settings.write_text(json.dumps({"review": {"maxConcurrency": 0}}))
    code, _, err = run(capsys, "app", "--settings", str(settings))
    assert code == 2
    assert f"settings ({settings}): 'review.maxConcurrency' must be more than 0" in err
    assert fake_deepseek.requests_to(CHAT) == []
