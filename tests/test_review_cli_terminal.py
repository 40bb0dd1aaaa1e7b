"""``deepseek-lsp``, ``review`` and ``doctor`` as a user meets them in a terminal: the server
started by hand, colors a user turned off, what a failed run tells to do, files that cannot be
read, paths ``--changed`` cannot see."""

from __future__ import annotations

import io
import json
import os
import platform
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from deepseek_lsp.doctor import run_doctor
from deepseek_lsp.documents import Document
from deepseek_lsp.review.report import FileResult
from deepseek_lsp.review.reviewing import _Bar
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import cli_command, server_env
from tests.review_support import Rule, reviewer
from tests.test_review_cli import CHAT, git, run
from tests.test_review_cli import project as cli_project

#: app/inventory.py (one critical finding, three warnings) and app/util.js, committed.
project = cli_project

def add_steps(project: Path, count: int) -> None:
    for i in range(count):
        (project / "app" / f"step_{i}.py").write_text(f"def step_{i}(x):\n    return x + {i}\n")


@pytest.mark.parametrize("variable", ["NO_COLOR", "TERM"])
def test_a_terminal_asked_for_no_escape_codes_gets_none(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    """NO_COLOR (no-color.org) was ignored: severities came wrapped in escape codes all the
    same; a TERM=dumb terminal (Emacs' compilation buffer) showed them raw."""
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    code, out, _ = run(capsys, "app/inventory.py")
    assert code == 1 and "\033[1;31mcritical\033[0m" in out  # a terminal's colors, as before

    monkeypatch.setenv(variable, "1" if variable == "NO_COLOR" else "dumb")
    code, out, _ = run(capsys, "app/inventory.py")
    assert code == 1 and "\033[" not in out
    assert ": critical: SQL injection" in out


def test_a_dumb_terminal_gets_no_progress_bar_it_cannot_redraw() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    result = FileResult("app/x.py", Document("file:///x.py", ""))
    shown = {}
    for term in ("xterm", "dumb"):
        stream = Tty()
        bar = _Bar(2, stream, env={"TERM": term})
        bar.update(result)
        bar.close()
        shown[term] = stream.getvalue()
    assert "1/2 files" in shown["xterm"] and shown["dumb"] == ""


@pytest.mark.parametrize(
    ("status", "editor_only"),
    [
        (429, "requests will resume shortly"),
        (500, "it will be retried later"),
        (402, "try again every minute"),
    ],
)
def test_a_failed_run_does_not_promise_the_editors_retries(
    project: Path,
    fake_deepseek: FakeDeepSeek,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    status: int,
    editor_only: str,
) -> None:
    """Its retries spent, the run ends: "it will be retried later", "requests will resume
    shortly", "AI features ... resume by themselves" were the editor's, false once the command
    has exited. And each request's failure was a line of its own, the same line again."""
    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps({"review": {"maxRetries": 0}}))
    fake_deepseek.fault("status", count=None, path=CHAT, status=status)
    code, out, err = run(capsys, "app/inventory.py", "--settings", str(settings))
    assert code == 2
    assert editor_only not in out + err
    assert "run the review again" in out
    if status == 402:  # it stops the run: the file is one of those it left unreviewed
        assert out.count("1 file not reviewed: ") == 1 and "error:" not in out
    else:
        assert out.count("app/inventory.py: error:") == 1
    requests = len(fake_deepseek.requests_to(CHAT))
    if requests > 1 and status != 402:  # a 402 stops the run after the first refusal
        assert f"(in {requests} requests)" in out


def test_a_rejected_key_is_said_once_for_the_files_left_unsent(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A key refused in a project of 2,000 files was 2,000 lines of the same 250 characters,
    each pointing at an editor's plugin, not at the variable the command line reads."""
    add_steps(project, 6)
    monkeypatch.setenv("DEEPSEEK_API_KEY", "sk-wrong-key-0000000000")
    code, out, err = run(capsys, "app", "-j", "1")
    assert code == 2
    # The file sent is one of those the refusal left unreviewed: it read "1 file reviewed (1
    # with errors)" and the refusal twice, its line and the files left's.
    assert out.count("rejected the API key") == 1 and "8 files not reviewed: " in out
    assert out.splitlines()[-1].startswith("0 files reviewed, ")
    assert "check DEEPSEEK_API_KEY" in out and "VS Code" not in out + err
    assert "sk-wrong-key-0000000000" not in out + err


def test_a_spent_daily_budget_stops_the_run_and_says_which_setting_raises_it(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Spent for the day, every file was still tried, each of its requests refused on a line
    of its own (eleven for one file), and "raise the daily budget setting" named none."""
    add_steps(project, 4)
    assert run(capsys, "app", "--fail-on", "never")[0] == 0  # spends something today
    monkeypatch.setenv("DEEPSEEK_DAILY_BUDGET_USD", "0.000001")
    code, out, err = run(capsys, "app", "-j", "1", "--no-cache")
    assert code == 2
    # Once, the file tried with the files left: none of its requests went out either.
    assert out.count("Daily DeepSeek budget of") == 1
    assert "6 files not reviewed: Daily DeepSeek budget" in out
    assert "DEEPSEEK_DAILY_BUDGET_USD" in err and "new AI requests wait" not in out


def test_changed_says_a_path_outside_the_repository_is_not_reviewed(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A file named beside ``.`` but outside the repository was neither reviewed nor
    reported, and the run passed; named first, the run blamed a missing repository while the
    working directory was in one."""
    outside = tmp_path / "elsewhere.py"
    outside.write_text("def elsewhere(row):\n    if row == None:\n        return 0\n")
    code, _, err = run(capsys, "--changed", ".", str(outside))
    assert code == 2 and f"{outside} is outside the git repository at {project}" in err
    code, _, err = run(capsys, "--changed", str(outside))
    assert code == 2 and f"--changed needs a git repository: {outside} is in none" in err
    assert fake_deepseek.requests_to(CHAT) == []


def test_a_misspelt_base_in_a_whole_clone_is_not_told_to_unshallow(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--base mian`` said "fetch it first, e.g. `git fetch --unshallow`", which git refuses
    in a whole clone; the name was wrong."""
    code, _, err = run(capsys, "--changed", "--base", "mian")
    assert code == 2 and "--unshallow" not in err
    assert "no revision 'mian' in this repository: check the name" in err
    git(project, "branch", "develop")
    code, _, err = run(capsys, "--changed", "--base", "origin/develop")
    assert code == 2 and "fetch it (`git fetch origin develop`) or check the name" in err


def test_an_unreadable_or_binary_file_says_why_not_its_encoding(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file this user may not read, and an executable, were both "not readable as UTF-8
    text": the user went looking at the encoding."""
    locked = project / "app" / "locked.py"
    locked.write_text("def f():\n    return 1\n")
    (project / "app" / "tool.py").write_bytes(b"\x7fELF\x02\x01\x01\x00\x00\x00\xc3\x28\x90")
    read_bytes = Path.read_bytes

    def refuse(path: Path) -> bytes:
        if path.name == "locked.py":  # tests run as root, which chmod does not stop
            raise PermissionError(13, "Permission denied", str(path))
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    code, out, err = run(capsys, "app", "app/locked.py", "--fail-on", "never")
    assert code == 0
    assert "app/locked.py: not reviewed: cannot be read (Permission denied)" in out
    assert "app/tool.py: not reviewed: binary file" in out
    assert "UTF-8" not in out + err


def test_doctor_shows_the_masked_key_as_written_whatever_the_terminal_takes(
    fake_deepseek: FakeDeepSeek, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The masked key read ``"sk-\\u20267890"``; on a terminal without "…", it is escaped
    rather than crashing the check."""
    from deepseek_lsp import doctor as doctor_module

    monkeypatch.setattr(doctor_module, "check_languages", lambda registry, jobs=1: (["python"], []))
    monkeypatch.setenv("DEEPSEEK_API_KEY", DEFAULT_KEY)
    monkeypatch.setenv("DEEPSEEK_BASE_URL", fake_deepseek.url)
    out = io.StringIO()
    assert run_doctor(timeout=5, out=out) == 0
    assert '"apiKey": "sk-…cdef"' in out.getvalue()
    raw = io.BytesIO()
    latin1 = io.TextIOWrapper(raw, encoding="latin-1")
    assert run_doctor(timeout=5, out=latin1) == 0
    latin1.flush()
    assert b'"apiKey": "sk-\\u2026cdef"' in raw.getvalue()


def test_review_help_tells_the_exit_statuses_a_ci_step_is_written_against(capsys: pytest.CaptureFixture[str]) -> None:
    from deepseek_lsp.cli import main

    with pytest.raises(SystemExit) as done:
        main(["review", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert done.value.code == 0
    assert "exit status: 0 no finding at or above --fail-on, 1 some, 2 a usage," in out
    assert "130 interrupted" in out


def test_a_state_folder_that_is_a_file_is_said_once_with_what_to_do(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The ledger's warning came in the log's format, "cannot create ... ([Errno 17] File
    exists ...)", and the cache's in a line of its own, for the one cause."""
    blocker = tmp_path / "state-file"
    blocker.write_text("not a folder\n")
    monkeypatch.setenv("DEEPSEEK_LSP_STATE_DIR", str(blocker))
    code, out, err = run(capsys, "app/inventory.py")
    assert code == 1 and ": critical: SQL injection" in out  # reviewed all the same
    assert err.splitlines() == [
        f"deepseek-lsp review: cannot write to the state folder {blocker} (it is a file, not a "
        "folder): usage is counted in memory only and reviews are not remembered; set "
        "DEEPSEEK_LSP_STATE_DIR to a folder you can write"
    ]


def read_until(fd: int, wanted: bytes, timeout: float) -> bytes:
    seen = b""
    deadline = time.monotonic() + timeout
    while wanted not in seen and time.monotonic() < deadline:
        if select.select([fd], [], [], 0.2)[0]:
            try:
                seen += os.read(fd, 4096)
            except OSError:  # the terminal closed: the process is gone
                break
    return seen


#: read()'s number in /proc/PID/task/TID/syscall, by machine.
_READ_SYSCALL = {"x86_64": "0", "aarch64": "63"}


def wait_reading_the_terminal(pid: int, timeout: float = 30) -> None:
    """Until a thread of process ``pid`` is in read() of its descriptor 0, where a fixed 2 s
    stood: most of the test on an idle machine, and at load 24 the read began 1.8 s after the
    hint. Where the kernel does not tell it (another machine, /proc closed), the 2 s."""
    number = _READ_SYSCALL.get(platform.machine())
    deadline = time.monotonic() + timeout
    while number is not None:
        try:
            calls = [Path(task, "syscall").read_text().split()[:2] for task in Path(f"/proc/{pid}/task").iterdir()]
        except OSError:
            break
        if [number, "0x0"] in calls:
            return
        assert time.monotonic() < deadline, f"never read its terminal: {calls}"
        time.sleep(0.02)
    time.sleep(2)


def test_the_server_started_by_hand_in_a_terminal_says_what_it_is_and_ends_on_ctrl_c_or_ctrl_d(tmp_path: Path) -> None:
    """``deepseek-lsp``, as the quick start shows it, waited in silence for LSP messages, and
    Ctrl+C did not end it. On a terminal it says what it is, and both Ctrl+C and Ctrl+D end it;
    an editor's pipe hears nothing."""
    import fcntl  # a terminal's own calls: POSIX only, as the server's terminal is
    import pty
    import termios

    env = server_env(state_dir=str(tmp_path))
    # Bounds on a hang, not on a start: a new interpreter importing the server took 1.4 s of
    # CPU, 17 s at load 30, and one started at load 35-49 outlived the 60 s it was given.
    hang = 300
    for key, status in ((b"\x04", 0), (b"\x03", 130)):  # Ctrl+D, Ctrl+C, as the hint says
        main_fd, child_fd = pty.openpty()
        proc = subprocess.Popen(
            [sys.executable, "-m", "deepseek_lsp"],
            stdin=child_fd,
            stdout=child_fd,
            stderr=child_fd,
            env=env,
            # A terminal of its own, as a shell gives: Ctrl+C is its SIGINT.
            start_new_session=True,
            preexec_fn=lambda fd=child_fd: fcntl.ioctl(fd, termios.TIOCSCTTY, 0),
        )
        os.close(child_fd)
        try:
            said = read_until(main_fd, b"Ctrl+C or Ctrl+D ends it.", hang)
            assert b"this is a language server: your editor starts it" in said
            assert b"deepseek-lsp doctor" in said and b"deepseek-lsp --help" in said
            # Into its read of the terminal, where Ctrl+C did nothing (before it, it ended the
            # start-up with a traceback); the status is the same either way now.
            wait_reading_the_terminal(proc.pid, hang)
            os.write(main_fd, key)
            assert proc.wait(timeout=hang) == status
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            os.close(main_fd)
    piped = subprocess.run(
        [sys.executable, "-m", "deepseek_lsp"], input=b"", capture_output=True, env=env, timeout=hang
    )
    assert b"language server" not in piped.stderr and piped.stdout == b""


def test_changed_without_git_installed_says_so_not_that_there_is_no_repository(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A CI image without git was told its checkout was in no repository."""
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    code, _, err = run(capsys, "--changed")
    assert code == 2
    assert "--changed needs a git repository: no git command was found on PATH" in err
    assert fake_deepseek.requests_to(CHAT) == []


def test_a_failed_run_written_to_a_file_points_at_the_file_for_its_errors(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """With ``-o review.sarif`` the terminal said "see the errors above", above which there
    was nothing."""
    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps({"review": {"maxRetries": 0}}))
    fake_deepseek.fault("status", count=None, path=CHAT, status=500)
    target = tmp_path / "review.sarif"
    code, out, err = run(capsys, "app/inventory.py", "--format", "sarif", "-o", str(target), "--settings", str(settings))
    assert code == 2 and out == ""
    assert f"some reviews did not complete (see the errors in {target})" in err
    assert "had a server error (500)" in target.read_text()


def test_a_named_pipe_in_the_project_does_not_hang_the_run(project: Path, fake_deepseek: FakeDeepSeek) -> None:
    """A named pipe called ``*.py`` was read like a file: the read waited for a writer, and the
    review with it, forever. Walked into, it is passed over; named, it is not reviewed, and
    says why."""
    os.mkfifo(project / "app" / "pipe.py")
    command, env = cli_command(["review", "app", "--format", "json"], dict(os.environ))
    walked = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=60)
    assert walked.returncode == 1, walked.stderr  # inventory.py's critical finding
    assert [f["path"] for f in json.loads(walked.stdout)["files"]] == ["app/inventory.py", "app/util.js"]
    command, env = cli_command(["review", "app/pipe.py"], dict(os.environ))
    named = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=60)
    # Both streams read in one log (a CI job's): said once, in the report.
    assert named.returncode == 0 and "app/pipe.py: not reviewed: not a regular file" in named.stdout
    assert "pipe.py" not in named.stderr


def test_doctor_says_when_the_state_folder_cannot_be_written(
    fake_deepseek: FakeDeepSeek, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Usage (what the daily budget counts) and reviews were kept in memory only, and doctor
    said "all good"."""
    from deepseek_lsp import doctor as doctor_module

    monkeypatch.setattr(doctor_module, "check_languages", lambda registry, jobs=1: (["python"], []))
    monkeypatch.setenv("DEEPSEEK_API_KEY", DEFAULT_KEY)
    monkeypatch.setenv("DEEPSEEK_BASE_URL", fake_deepseek.url)
    monkeypatch.setenv("DEEPSEEK_LSP_STATE_DIR", str(tmp_path / "state"))
    out = io.StringIO()
    assert run_doctor(timeout=5, out=out) == 0
    assert f"state folder: {tmp_path / 'state'}\n" in out.getvalue()
    blocker = tmp_path / "state-file"
    blocker.write_text("")
    monkeypatch.setenv("DEEPSEEK_LSP_STATE_DIR", str(blocker))
    out = io.StringIO()
    assert run_doctor(timeout=5, out=out) == 1
    assert f"! state: cannot write to the state folder {blocker} (it is a file, not a folder)" in out.getvalue()
    assert "all good" not in out.getvalue()


def test_an_endpoint_refused_before_any_request_leaves_each_file_not_reviewed_said_once(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Plain http:// to another machine is refused before anything is sent: the text report
    read "0 file(s) reviewed" and nothing else, a clean run of nothing; and a named file left
    unsent by a stop was told on stderr once more for each file."""
    monkeypatch.setenv("DEEPSEEK_BASE_URL", "http://example.com")
    code, out, err = run(capsys, "app/inventory.py", "app/util.js")
    assert code == 2
    assert "2 files not reviewed: Refusing plain http:// to example.com" in out
    assert err.count("Refusing plain http://") == 1 and "skipped" not in err
    monkeypatch.setenv("DEEPSEEK_BASE_URL", fake_deepseek.url)
    monkeypatch.setenv("DEEPSEEK_API_KEY", "sk-wrong-key-0000000000")
    code, out, err = run(capsys, "app/inventory.py", "app/util.js", "-j", "1")
    assert code == 2 and err.count("rejected the API key") == 1


def test_a_models_escape_codes_do_not_reach_the_terminal(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str]
) -> None:
    """The reviewed code is the model's input, so a comment in a pull request can have it
    write anything in its answer: an escape sequence in a finding's message or fix was printed
    as it was (colors forged, text hidden, OSC 52 set the clipboard of the terminal that ran
    the review), and a fix with a bidirectional override (Trojan Source) was offered."""
    fake_deepseek.responder(
        reviewer(
            [
                Rule(
                    "if row == None:",
                    "warning",
                    "Compare with None\x1b]52;c;cm0gLXJmIH4K\x07 using \x1b[8mhidden\x1b[0m 'is'\x08.",
                    "if row is None:  # \u202eenon si wor",
                ),
                Rule(
                    "if self.available(sku) > count:",
                    "warning",
                    "Off by one.",
                    "if self.available(sku) >= count:\x1b[2K",
                ),
            ]
        ),
        path=CHAT,
    )
    code, out, _ = run(capsys, "app/inventory.py", "--fail-on", "critical")
    assert code == 0
    for control in ("\x1b", "\x07", "\x08", "\u202e"):
        assert control not in out
    assert ": warning: Compare with None]52;c;cm0gLXJmIH4K using [8mhidden[0m 'is'." in out
    assert "fix:" not in out  # neither fix is offered: each would write its controls in the code
    assert ": warning: Off by one. [" in out


def test_a_file_name_with_control_characters_is_shown_escaped(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A pull request names its files: one named ``x\\n::error file=…::…`` wrote a line of its
    own in the text report (the default format, in a CI log), which GitHub Actions ran as a
    workflow command (a forged annotation; ``::stop-commands::`` turns off the real ones), and
    an escape sequence in a name reached the terminal. Shown escaped, as git quotes them."""
    name = "x\n::error file=README.txt,line=1::Approved by the review \x1b[8m.py"
    (project / "app" / name).write_text("def f(row):\n    if row == None:\n        return 0\n")
    (project / "app" / "skip\x1b]0;pwned\x07.py").write_bytes(b"\xff\xfe not UTF-8\n")
    code, out, err = run(capsys, "app", "--fail-on", "never")
    assert code == 0
    assert not [line for line in (out + err).splitlines() if line.startswith("::")]
    assert "\x1b" not in out + err and "\x07" not in out + err
    shown = '"app/x\\n::error file=README.txt,line=1::Approved by the review \\x1b[8m.py"'
    assert f"{shown}:2:5: warning: Compare with None using 'is'." in out
    assert '"app/skip\\x1b]0;pwned\\x07.py": not reviewed: ' in out


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x1c", "\x1e"])
def test_a_file_name_with_a_line_separator_is_shown_escaped(
    project: Path, capsys: pytest.CaptureFixture[str], separator: str
) -> None:
    """U+2028, U+2029 and the information separators break a line for whatever reads the log
    by Python's ``splitlines`` or a browser's view: a name holding one was shown raw, its rest a
    line of its own starting ``::error``. Shown escaped, the name quoted; the github format's
    ``file=`` alone keeps the name as it is, which the runner matches against the diff."""
    name = f"x{separator}::error file=README.txt,line=1::Approved.py"
    (project / "app" / name).write_text("def f(row):\n    if row == None:\n        return 0\n")
    escaped = separator.encode("unicode_escape").decode("ascii")
    shown = f'"app/x{escaped}::error file=README.txt,line=1::Approved.py"'
    _, out, err = run(capsys, "app", "--fail-on", "never")
    assert separator not in out + err
    assert f"{shown}:2:5: warning: Compare with None using 'is'." in out
    _, out, err = run(capsys, "app", "--fail-on", "never", "--format", "github")
    assert separator not in re.sub(r"^::\w+ file=.*?,line=", "", out, flags=re.M) + err
    assert f"::warning file=app/x{separator}%3A%3Aerror file=README.txt%2Cline=1" in out


def test_a_backslash_in_a_name_is_told_from_an_escaped_control_as_git_quotes_them(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file named ``a\\nb.py`` (a backslash, then n) and one named ``a<LF>b.py`` were shown
    alike, ``app/a\\nb.py``: a name needing escapes is quoted, its backslashes doubled."""
    code = "def f(row):\n    if row == None:\n        return 0\n"
    (project / "app" / "a\\nb.py").write_text(code)
    (project / "app" / "a\nb.py").write_text(code)
    (project / "app" / 'say "hi".py').write_text(code)
    _, out, _ = run(capsys, "app", "--fail-on", "never")
    assert '"app/a\\\\nb.py":2:5: warning: Compare with None using \'is\'.' in out
    assert '"app/a\\nb.py":2:5: warning: Compare with None using \'is\'.' in out
    assert '"app/say \\"hi\\".py":2:5: warning: ' in out
    assert "app/inventory.py:" in out  # a plain name as it is


QUOTED = 'print("\x1b]52;c;cm0gLXJmIH4K\x07")'


def test_quoted_code_with_raw_escape_characters_is_shown_escaped(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str]
) -> None:
    """The report quotes the code a finding is on, and the reviewed file is a pull request's:
    a line holding a raw ESC (``print("<ESC>]52;c;…<BEL>")``, OSC 52 setting the clipboard) ran
    in the terminal that printed the report, its fix's line too."""
    (project / "app" / "banner.py").write_text(f"def banner(row):\n    {QUOTED}\n")
    fake_deepseek.responder(
        reviewer([Rule(QUOTED, "warning", "Flushes late.", QUOTED[:-1] + ", flush=True)")]),
        path=CHAT,
    )
    code, out, err = run(capsys, "app/banner.py", "--fail-on", "never")
    assert code == 0 and "\x1b" not in out + err and "\x07" not in out + err
    shown = 'print("\\x1b]52;c;cm0gLXJmIH4K\\x07"'
    assert f"    | {shown})" in out and f"    fix: {shown}, flush=True)" in out


def test_a_fix_keeping_raw_escape_characters_of_the_code_is_escaped_in_github_annotations(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str]
) -> None:
    """The fix of a line holding a raw ESC keeps it (the code had it): the annotation's message
    carried it into the job's log as it was, where the text report escapes it."""
    (project / "app" / "banner.py").write_text(f"def banner(row):\n    {QUOTED}\n")
    fake_deepseek.responder(
        reviewer([Rule(QUOTED, "warning", "Flushes late.", QUOTED[:-1] + ", flush=True)")]),
        path=CHAT,
    )
    code, out, err = run(capsys, "app/banner.py", "--fail-on", "never", "--format", "github")
    assert code == 0 and "\x1b" not in out + err and "\x07" not in out + err
    (annotation,) = [line for line in out.splitlines() if line.startswith("::warning ")]
    fix = 'print("\\x1b]52;c;cm0gLXJmIH4K\\x07", flush=True)'
    assert annotation.endswith(f"::Flushes late.%0ASuggested fix:%0A{fix}")


def test_the_closing_line_says_one_dropped_finding_in_the_singular() -> None:
    """"1 finding could not be placed and were dropped" in every CI log with one misquote."""
    from deepseek_lsp.documents import Document
    from deepseek_lsp.review.findings import PlacementStats
    from deepseek_lsp.review.report import FileResult, to_text

    one = FileResult("a.py", Document("file:///a.py", "x = 1\n"), stats=PlacementStats(unplaced=1))
    two = FileResult("b.py", Document("file:///b.py", "x = 1\n"), stats=PlacementStats(unplaced=1))
    assert to_text([one]).rstrip().endswith("; 1 finding could not be placed and was dropped")
    assert to_text([one, two]).rstrip().endswith("; 2 findings could not be placed and were dropped")
