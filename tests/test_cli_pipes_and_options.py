"""The command line as a shell uses it: piped into ``head``, options written after the command."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.fake_deepseek import FakeDeepSeek
from tests.harness import cli_command
from tests.test_cli import DOCTOR_ONE_QUERY_KIND
from tests.test_review_cli import project as cli_project
from tests.test_review_cli import run

#: app/inventory.py (one critical finding, three warnings) and app/util.js, committed, with the
#: fake server's URL and key in the environment.
project = cli_project

def cli(
    args: list[str], cwd: Path, more_env: dict[str, str] | None = None, **kwargs: object
) -> subprocess.CompletedProcess[str]:
    """``deepseek-lsp ARGS`` in a process of its own (forked from the test run's zygote), in
    this process's environment (the project fixture's fake server, key and state folder) with
    ``more_env`` over it."""
    command, env = cli_command(args, {**os.environ, **(more_env or {})})
    return subprocess.run(command, cwd=cwd, env=env, text=True, timeout=120, **kwargs)


def into_a_closed_pipe(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """``deepseek-lsp ARGS | head`` with head gone before the first byte: the pipe's read end
    is closed before the process starts, so every write meets it (no race with a reader)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return cli(args, cwd, stdout=write_end, stderr=subprocess.PIPE)
    finally:
        os.close(write_end)


def test_a_reader_gone_ends_each_command_quietly_with_the_shells_status(project: Path, fake_deepseek: FakeDeepSeek) -> None:
    """``deepseek-lsp usage --json | head`` ended in a BrokenPipeError traceback (doctor's too),
    and ``review | head`` in "unexpected error: BrokenPipeError", exit 2, a failure of the tool.
    Now it ends as a program SIGPIPE ends: nothing said, status 141."""
    for args in (["usage", "--json"], ["usage"], ["review", "app/inventory.py", "--format", "github"]):
        gone = into_a_closed_pipe(args, project)
        assert gone.returncode == 141, (args, gone.returncode, gone.stderr)
        assert "Traceback" not in gone.stderr and "BrokenPipe" not in gone.stderr, gone.stderr
        assert "Exception ignored" not in gone.stderr and "unexpected error" not in gone.stderr
    # A reader that stays gets the whole report, and the verdict, as before.
    read = cli(["review", "app/inventory.py", "--format", "json"], project, capture_output=True)
    assert read.returncode == 1 and json.loads(read.stdout)["totals"]["critical"] == 1


def test_log_options_after_review_are_taken(project: Path, fake_deepseek: FakeDeepSeek, tmp_path: Path) -> None:
    """``deepseek-lsp review src/ --log-level debug --log-file F``, as a CI step is written,
    stopped with "unrecognized arguments" under the server's usage line: the two options were
    taken only before the command. ``--log-level info`` was turned into warning."""
    log = tmp_path / "review.log"
    done = cli(
        ["review", "app/inventory.py", "--no-cache", "--log-level", "debug", "--log-file", str(log)],
        project,
        capture_output=True,
    )
    assert done.returncode == 1, done.stderr  # the critical finding: the review ran
    assert "SQL injection" in done.stdout
    assert " DEBUG deepseek_lsp." in log.read_text()
    assert "sk-fake" not in log.read_text()
    # Before the command, as before.
    before = cli(["--log-level", "error", "review", "app/util.js"], project, capture_output=True)
    assert before.returncode == 0, before.stderr


def test_log_options_before_or_after_doctor_and_usage_are_taken(
    project: Path, fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """``deepseek-lsp --log-file F --log-level debug doctor`` wrote nothing (neither command set
    logging up), and after the command the options were "unrecognized arguments"."""
    for command, said in ((["doctor", "--timeout", "10"], f"GET {fake_deepseek.url}/models: HTTP 200"), (["usage"], "usage read from ")):
        for where in ("before", "after"):
            log = tmp_path / f"{command[0]}-{where}.log"
            options = ["--log-level", "debug", "--log-file", str(log)]
            args = [*options, *command] if where == "before" else [*command, *options]
            done = cli(args, project, DOCTOR_ONE_QUERY_KIND, capture_output=True)
            assert done.returncode == 0, (args, done.stdout, done.stderr)
            text = log.read_text()
            assert " DEBUG deepseek_lsp." in text and said in text, (args, text)
            assert os.environ["DEEPSEEK_API_KEY"] not in text


def test_a_refused_url_is_named_as_the_setting_is_written(project: Path, fake_deepseek: FakeDeepSeek) -> None:
    """"Refusing plain http:// to example.com (base_url)": no settings table, README or editor
    has a base_url; the setting is baseUrl, and allowHttp is set to true."""
    done = cli(["review", "app/util.js"], project, {"DEEPSEEK_BASE_URL": "http://example.com/v1"}, capture_output=True)
    # Both streams piped, as a CI job's log: said once, in the report ("1 file not reviewed").
    said = done.stdout + done.stderr
    assert done.returncode == 2 and said.count("Refusing plain http:// to example.com (baseUrl)") == 1
    assert "set allowHttp to true" in said and "base_url" not in said
    assert fake_deepseek.requests == []


def test_a_ci_job_allows_plain_http_to_another_host_from_the_environment(project: Path, fake_deepseek: FakeDeepSeek) -> None:
    """A CI job reviewing through a plain-http gateway on another host was told only to "set
    allowHttp", which it could give in a --settings file alone, unsaid. ``127.1`` is such a host
    to the server's loopback check, and still 127.0.0.1 to the connection."""
    remote = {"DEEPSEEK_BASE_URL": fake_deepseek.url.replace("127.0.0.1", "127.1")}
    refused = cli(["review", "app/inventory.py"], project, remote, capture_output=True)
    assert refused.returncode == 2 and fake_deepseek.requests == []
    said = refused.stdout + refused.stderr  # once, in the report (see above)
    assert "DEEPSEEK_ALLOW_HTTP=true" in said and "--settings" in said, said
    allowed = cli(["review", "app/inventory.py"], project, {**remote, "DEEPSEEK_ALLOW_HTTP": "true"}, capture_output=True)
    assert allowed.returncode == 1 and "SQL injection" in allowed.stdout, allowed.stderr
    # A word that is no switch is named with its variable, and nothing is sent.
    before = len(fake_deepseek.requests)
    unclear = cli(["review", "app/inventory.py"], project, {**remote, "DEEPSEEK_ALLOW_HTTP": "sure"}, capture_output=True)
    assert unclear.returncode == 2 and len(fake_deepseek.requests) == before
    assert "DEEPSEEK_ALLOW_HTTP: invalid value 'sure' for 'allowHttp' (true or false)" in unclear.stderr, unclear.stderr


def test_a_report_file_named_sarif_or_json_is_written_in_that_format(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str]
) -> None:
    """``review app -o review.sarif`` without ``--format`` wrote the text report into it: the
    upload to code scanning failed on it, the review paid for. A ``--format`` given still wins.

    In this process, as test_review_cli's runs (the report's format, not the process, is the
    question): five processes of their own took 11.6 s of a loaded run."""
    for name, check in (
        ("review.sarif", lambda text: json.loads(text)["version"] == "2.1.0"),
        ("results.sarif.json", lambda text: json.loads(text)["runs"][0]["tool"]["driver"]["name"] == "deepseek-lsp"),
        ("review.json", lambda text: json.loads(text)["totals"]["critical"] == 1),
        ("review.txt", lambda text: ": critical: SQL injection" in text),
    ):
        code, _out, err = run(capsys, "app/inventory.py", "-o", name)
        assert code == 1, err
        assert check((project / name).read_text()), name
    code, _out, err = run(capsys, "app/inventory.py", "-o", "forced.sarif", "--format", "text")
    assert code == 1 and ": critical: SQL injection" in (project / "forced.sarif").read_text(), err


def test_base_without_changed_is_a_usage_error_not_a_whole_review(project: Path, fake_deepseek: FakeDeepSeek) -> None:
    """``review --base origin/main`` (``--changed`` left out) ignored the base and reviewed,
    and billed, every file of the project, where the branch's changes were meant."""
    done = cli(["review", "--base", "main"], project, capture_output=True)
    assert done.returncode == 2 and done.stdout == ""
    assert "--base main is what --changed compares with: add --changed" in done.stderr
    assert fake_deepseek.requests_to("/chat/completions") == []
    done = cli(["review", "--changed", "--base", "main"], project, capture_output=True)
    assert done.returncode == 0, done.stderr  # nothing changed since main: nothing to review


def test_github_annotations_past_the_runners_ten_a_kind_are_told_and_kept_in_the_log(
    project: Path, fake_deepseek: FakeDeepSeek
) -> None:
    """The runner shows 10 annotations of a kind a step and drops the rest without a word: the
    eleventh and twelfth warnings were nowhere on the pull request, and nothing said so. The
    tenth now says how many more there are, and they are plain lines of the log."""
    (project / "app" / "many.py").write_text(
        "".join(f"def check_{i}(row):\n    if row == None:\n        return {i}\n    return 0\n\n\n" for i in range(12))
    )
    done = cli(["review", "app/many.py", "--format", "github", "--fail-on", "never"], project, capture_output=True)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    warnings = [x for x in lines if x.startswith("::warning ")]
    assert len(warnings) == 10, done.stdout
    assert all("file=app/many.py,line=" in x for x in warnings[:9])
    assert warnings[9].startswith("::warning title=DeepSeek review%3A 3 more::3 more warning annotations")
    at = lines.index("Not shown as annotations (3):")
    rest = lines[at + 1 : at + 4]
    assert all(x.startswith("  app/many.py:") and ": warning: Compare with None using 'is'. [" in x for x in rest), rest
    assert lines[-1].endswith("0 critical, 12 warnings, 0 info")
    # Ten or fewer: every one an annotation, as before.
    few = cli(["review", "app/inventory.py", "--format", "github", "--fail-on", "never"], project, capture_output=True)
    assert sum(x.startswith("::") for x in few.stdout.splitlines()) == 4 and "Not shown" not in few.stdout
