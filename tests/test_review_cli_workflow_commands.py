"""The review's output in a GitHub Actions log, whose runner acts on workflow commands: what a
pull request writes (its files' names, its code, what it has the model say) must not read as
one, in any format."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import deepseek_lsp
from deepseek_lsp.cli import main
from tests.fake_deepseek import FakeDeepSeek
from tests.review_support import Rule, reviewer
from tests.test_review_cli import CHAT, run
from tests.test_review_cli import project as cli_project
from tests.test_review_first_answer import silent_server

project = cli_project
__all__ = ["silent_server"]  # a fixture of these tests too

#: The runner's commands (actions/runner's registered command extensions and stop-commands).
_RUNNER_COMMANDS = frozenset(
    "set-env set-output save-state add-mask add-path add-matcher remove-matcher debug warning "
    "error notice group endgroup echo stop-commands".split()
)


def runner_commands(log: str) -> list[str]:
    """The lines of ``log`` the runner would take for commands: ``::name …::`` once leading
    white space is trimmed (ActionCommand.TryParseV2), ``##[name …]`` anywhere in the line
    (ActionCommand.TryParse, the legacy form)."""
    found = []
    for line in log.splitlines():
        trimmed = line.lstrip()
        if trimmed.startswith("::") and "::" in trimmed[2:]:
            found.append(line)
            continue
        at = line.find("##[")
        end = line.find("]", at)
        if at >= 0 and end >= 0 and line[at + 3 : end].split(" ")[0] in _RUNNER_COMMANDS:
            found.append(line)
    return found


FORGED = "##[error]Approved"
QUOTED = f'print("{FORGED}")'


@pytest.fixture
def forging(project: Path, fake_deepseek: FakeDeepSeek) -> Path:
    """A root-level file named as a command, another with the legacy form in its name, a line
    of code and a finding's message and fix holding it."""
    # Seven findings each: the github format writes those past its ten as lines of the log.
    checks = "".join(f"    if row == None:\n        return {i}\n" for i in range(6))
    code = f"def banner(row):\n    {QUOTED}\n{checks}"
    (project / "::warning title=Review::Approved.py").write_text(code)
    (project / "app" / "x ##[stop-commands]tok.py").write_text(code)
    fake_deepseek.responder(
        reviewer(
            [
                Rule(QUOTED, "warning", f"Says {FORGED} ##[add-mask]secret.", QUOTED[:-1] + ", 1)"),
                Rule("if row == None:", "warning", "Compare with None using 'is'."),
            ]
        ),
        path=CHAT,
    )
    return project


@pytest.mark.parametrize("fmt", ["text", "github", "json", "sarif"])
def test_a_pull_requests_text_reads_as_no_workflow_command(
    forging: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    """A file at the repository's root named ``::warning …::…`` began a line of the text
    report (the runner trims the line first: the github format's lines past its 10
    annotations too), and ``##[error]`` anywhere in a line is a command to the runner: in a
    name, in the code a finding quotes, in what the model wrote (``##[stop-commands]`` turns off
    the real annotations, ``##[add-mask]`` hides text). The JSON formats say it unchanged."""
    names = ["::warning title=Review::Approved.py", "app/x ##[stop-commands]tok.py"]
    args = [*names, "--fail-on", "never", "--format", fmt, "-j", "1"]
    code, out, err = run(capsys, *args)
    assert code == 0
    assert runner_commands(err) == []
    if fmt == "github":
        out = "\n".join(line for line in out.splitlines() if not line.startswith("::"))
    assert runner_commands(out) == [], out
    if fmt == "text":
        assert f"./{names[0]}:2:5: warning: Says #\\x23[error]Approved" in out
        assert "app/x #\\x23[stop-commands]tok.py:3:5: warning: Compare with None" in out
        assert '    | print("#\\x23[error]Approved")' in out
    elif fmt in ("json", "sarif"):
        assert FORGED in json.dumps(json.loads(out), ensure_ascii=False)


def _read_back(data: str) -> str:
    """A workflow command's message as the runner reads it (its escapes undone)."""
    return data.replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%")


@pytest.mark.parametrize("stop", ["no key", "base not fetched", "unwritable output"])
def test_a_run_stopped_before_the_review_says_why_in_an_annotation(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, stop: str,
) -> None:
    """``--format github``: why the run stopped before reviewing anything went to stderr alone,
    and the job's annotations said only "Process completed with exit code 2". It is one
    ``::error`` command, escaped as the report's, in the words the text format says on stderr;
    and not on stderr too: the job's log shows both streams, the command's message as
    "Error: …" below the same words (twice a long line for one cause)."""
    args = ["app"]
    if stop == "no key":
        monkeypatch.delenv("DEEPSEEK_API_KEY")
        monkeypatch.delenv("DEEPSEEK_BASE_URL")  # DeepSeek's: a server of one's own may take none
    elif stop == "base not fetched":
        args = ["--changed", "--base", "origin/100%-main"]
    else:
        args += ["-o", str(tmp_path / "no such folder" / "review.txt")]
    code, _, text_err = run(capsys, *args, "--format", "text")
    assert code == 2 and text_err.startswith("deepseek-lsp review: ")
    code, out, err = run(capsys, *args, "--format", "github")
    assert code == 2 and err == ""
    (command,) = runner_commands(out)
    assert out == command + "\n" and command.startswith("::error ")
    said = "\n".join(line.removeprefix("deepseek-lsp review: ") for line in text_err.splitlines())
    assert _read_back(command.split("::", 2)[2]) == said
    assert fake_deepseek.requests_to(CHAT) == []


def test_a_run_stopped_by_a_rejected_key_says_so_once_in_the_job_s_log(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 401 met by the first file: its "Review failed" and the "Review stopped" annotations
    say it, and stderr said it a third time in the same log (the text format's stderr, read
    by a terminal's user, keeps it). Written with --output, stderr still says it."""
    for i in range(3):
        (project / "app" / f"step_{i}.py").write_text(f"def step_{i}(x):\n    return x\n")
    fake_deepseek.fault("status", count=None, path=CHAT, status=401)
    code, out, err = run(capsys, "app", "--format", "github")
    assert code == 2 and "401" not in err, err
    assert "::error title=Review stopped::5 files not reviewed: " in out and "(401)" in out
    assert out.count("(401)") == 1 and out.splitlines()[-1].startswith("0 files reviewed, ")
    code, _, err = run(capsys, "app", "--format", "github", "-o", "review.log")
    assert code == 2 and "(401)" in err


def test_a_named_file_not_reviewed_is_said_once_in_the_job_s_log(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file named on the command line and not reviewed (binary): its "Not reviewed" warning
    annotation said why, and stderr said it again beside it in the job's log."""
    (project / "app" / "blob.py").write_bytes(b"\x00\x01binary\x00" * 50)
    code, out, err = run(capsys, "app/blob.py", "app/util.js", "--format", "github")
    assert code == 0 and "blob.py" not in err, err
    assert "::warning file=app/blob.py,title=Not reviewed::" in out, out
    _, _, err = run(capsys, "app/blob.py", "app/util.js", "--format", "text")
    assert "skipped app/blob.py: " in err


def test_a_run_stopped_before_the_review_with_stdout_closed_says_why_on_stderr(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``--format github`` held stderr back for the annotation; with no standard output to
    print it on (``>&-``), stderr says it, or nothing would."""
    monkeypatch.setattr(sys, "stdout", None)
    code = main(["review", "app/util.js", "--format", "github"])
    err = capsys.readouterr().err
    assert code == 2
    assert err == "deepseek-lsp review: standard output is closed: write the report with --output FILE\n"
    assert fake_deepseek.requests_to(CHAT) == []


def _killed_during(project: Path, env: dict[str, str], started: Any, ended: int = -signal.SIGTERM) -> str:
    """stderr of ``review --changed --format github`` sent SIGTERM (a CI job's time limit, a
    ``docker stop``) once ``started()`` says its slow step is under way; ``ended``: its exit
    status (killed by the signal before the review, 143 once it is under way, which a SIGTERM
    stops as Ctrl+C does)."""
    server = Path(deepseek_lsp.__file__).parents[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "deepseek_lsp", "review", "--changed", "--format", "github"],
        cwd=project,
        env={**env, "PYTHONPATH": str(server), "GITHUB_BASE_REF": "main"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while not started() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert proc.poll() is None, proc.communicate()
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == ended
    return err.decode()


def _branch_with_a_change(project: Path) -> None:
    """The project's main as origin/main, and a commit on top changing app/util.js."""
    git = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t"]
    subprocess.run(
        [*git, "update-ref", "refs/remotes/origin/main", "HEAD"], cwd=project, check=True
    )
    (project / "app" / "util.js").write_text("export function twice(x) {\n  return x + x;\n}\n")
    subprocess.run([*git, "commit", "-qam", "change"], cwd=project, check=True)


def test_a_run_killed_during_its_first_request_keeps_what_stderr_said(
    project: Path, silent_server: tuple[str, list[float]]
) -> None:
    """``--format github`` holds stderr back until the review starts (to say a stop before it
    as one annotation): what it said before the review ("--changed against origin/main") is
    written by then, not lost with a run its job's time limit ends in its first request."""
    _branch_with_a_change(project)
    url, taken = silent_server
    err = _killed_during(project, {**os.environ, "DEEPSEEK_BASE_URL": url}, lambda: bool(taken), 143)
    assert "--changed against origin/main (from GITHUB_BASE_REF)" in err, err
    assert err.endswith("deepseek-lsp review: terminated\n"), err


def test_a_run_killed_before_its_review_says_what_stderr_held(
    project: Path, tmp_path: Path
) -> None:
    """Killed before the review started (git's diff slow: a partial clone fetching the
    change's blobs), the run ended without a word: stderr's lines, held back for an
    annotation the run never reached, went with it."""
    _branch_with_a_change(project)
    real = subprocess.run(["which", "git"], capture_output=True, text=True, check=True).stdout
    diffing = tmp_path / "diffing"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    slow = bin_dir / "git"
    slow.write_text(
        "#!/bin/sh\n"
        f'for a in "$@"; do [ "$a" = diff ] && touch "{diffing}" && exec sleep 60; done\n'
        f'exec "{real.strip()}" "$@"\n'
    )
    slow.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    err = _killed_during(project, env, diffing.exists)
    assert "--changed against origin/main (from GITHUB_BASE_REF)" in err, err


def _python(script: str) -> subprocess.CompletedProcess[str]:
    """``script`` run by this Python, with this checkout's server importable."""
    server = Path(deepseek_lsp.__file__).parents[1]
    return subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "PYTHONPATH": str(server)},
        capture_output=True,
        text=True,
        timeout=60,
    )


_STDERR_REENTERED = """
import os, signal
from deepseek_lsp.review.cli import _released_on_sigterm, _Said

class Reentered:
    # stderr written when the signal came (a log line): Python's buffer refuses the handler's
    def write(self, text):
        raise RuntimeError("reentrant call inside <_io.BufferedWriter name='<stderr>'>")

    def flush(self):
        pass

err = _Said(Reentered(), hold=True)
err.write("deepseek-lsp review: --changed against origin/main\\n")
_released_on_sigterm(err)
try:
    os.kill(os.getpid(), signal.SIGTERM)
except Exception:  # a catch-all around the work it interrupted (logging's handleError)
    pass
print("still running")
"""


def test_a_sigterm_ends_the_run_even_when_what_stderr_held_cannot_be_written() -> None:
    """The handler writes what stderr held before it ends the process: a write that fails
    (stderr written to when the signal came) left the SIGTERM unobeyed, the job's stop asked
    in vain until its SIGKILL."""
    proc = _python(_STDERR_REENTERED)
    assert proc.returncode == -signal.SIGTERM and "still running" not in proc.stdout, proc


_SIGTERM_IGNORED = """
import os, signal, sys
from deepseek_lsp.review.cli import _released_on_sigterm, _Said

signal.signal(signal.SIGTERM, signal.SIG_IGN)  # as the run's parent left it (nohup-like)
err = _Said(sys.stderr, hold=True)
err.write("deepseek-lsp review: --changed against origin/main\\n")
_released_on_sigterm(err)
os.kill(os.getpid(), signal.SIGTERM)
print("still running")
"""


def test_a_sigterm_the_run_was_started_ignoring_keeps_stderr_held() -> None:
    """Ignored by the run's parent, a SIGTERM still wrote what stderr held, to be said again
    as the annotation: the handler is set only where a SIGTERM ends the run."""
    proc = _python(_SIGTERM_IGNORED)
    assert proc.returncode == 0 and "still running" in proc.stdout, proc
    assert proc.stderr == "", proc.stderr
