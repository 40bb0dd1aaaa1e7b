"""``deepseek-lsp review`` as CI runs it: reports written to files, fatal backend errors, .gitignore
with submodules, ``--changed`` on a branch, Ctrl+C, a read-only state directory."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest

from deepseek_lsp.config import build_settings
from deepseek_lsp.documents import Document
from deepseek_lsp.languages import LanguageRegistry
from deepseek_lsp.model import ModelClient, retry
from deepseek_lsp.model.errors import ConnectError
from deepseek_lsp.model.types import StreamResult
from deepseek_lsp.review.cache import ReviewCache
from deepseek_lsp.review.engine import ReviewEngine
from deepseek_lsp.review.first_answer import FirstAnswerFirst
from deepseek_lsp.review.report import FileResult
from deepseek_lsp.review.reviewing import review_targets, stops_the_run
from deepseek_lsp.review.sarif import to_sarif
from deepseek_lsp.review.targets import Target
from tests.fake_deepseek import FakeDeepSeek
from tests.harness import cli_command
from tests.review_support import INVENTORY_RULES, reviewed_units, reviewer, settings_for
from tests.test_review_cli import CHAT, SCHEMA, git, run, use_fake
from tests.test_review_cli import project as cli_project

#: The project of tests/test_review_cli.py: app/inventory.py and app/util.js to review, a
#: .gitignore'd generated/out.py, an excluded config/secrets.py, one commit.
project = cli_project
#: A module whose query pastes its input: the critical finding of INVENTORY_RULES.
INVENTORY_CODE_WITH_A_CRITICAL = (
    "def find(db, sku):\n"
    "    return db.execute(f\"SELECT sku, name, quantity, price FROM items WHERE sku = '{sku}'\")\n"
)

def commit(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", message)


def sent_text(fake: FakeDeepSeek) -> str:
    return "\n".join(r.json["messages"][-1]["content"] for r in fake.requests_to(CHAT))


def test_a_text_report_written_to_a_file_has_no_color_codes(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Run in a terminal with ``-o review.txt``: the file was colored for the terminal, its
    severities wrapped in escape codes (``\\x1b[1;31mcritical\\x1b[0m``) that grep and CI logs
    then showed raw."""
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    target = tmp_path / "review.txt"
    code, out, _ = run(capsys, "app/inventory.py", "-o", str(target))
    assert code == 1 and out == ""
    report = target.read_text()
    assert "\033[" not in report
    assert ": critical: SQL injection" in report


def test_files_left_after_a_fatal_backend_error_are_not_reported_as_reviewed(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str]
) -> None:
    """After a 402 (empty balance) the remaining files are not sent: they were listed as
    reviewed, with no findings, no error and not skipped, and the text report counted them."""
    fake_deepseek.fault("status", count=None, path=CHAT, status=402)
    code, out, err = run(capsys, "app", "--format", "json", "-j", "1")
    assert code == 2 and "402" in err
    files = {f["path"]: f for f in json.loads(out)["files"]}
    assert len(fake_deepseek.requests_to(CHAT)) == 1  # the first file only
    # The one sent and refused is not reviewed either (it was "reviewed (1 with errors)").
    assert all("402" in (f["skipped"] or "") and not f["errors"] for f in files.values())
    code, out, _ = run(capsys, "app", "-j", "1")
    assert code == 2 and out.splitlines()[-1].startswith("0 files reviewed, ")



@pytest.mark.parametrize("status", [401, 402])
def test_a_stop_is_said_once_in_a_ci_log_and_on_stderr_when_the_report_goes_to_a_file(
    project: Path, fake_deepseek: FakeDeepSeek, tmp_path: Path, status: int
) -> None:
    """The command as a CI job runs it, stdout and stderr piped to the job's log: a rejected
    key or an empty balance was said three times there (the sent file's error line, "4 files
    not reviewed: ..." and stderr), and the file refused counted as "1 file reviewed (1 with
    errors)". With the report sent to a file, stderr is what the user reads: said there."""
    for i in range(3):
        (project / "app" / f"step_{i}.py").write_text(f"def step_{i}(x):\n    return x\n")
    fake_deepseek.fault("status", count=None, path=CHAT, status=status)
    command, env = cli_command(["review", "app", "-j", "1"], dict(os.environ))
    logged = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=120)
    said = f"({status})"
    assert logged.returncode == 2 and (logged.stdout + logged.stderr).count(said) == 1, logged
    assert "5 files not reviewed: " in logged.stdout
    assert logged.stdout.splitlines()[-1].startswith("0 files reviewed, ")
    with open(tmp_path / "review.txt", "w") as report:
        filed = subprocess.run(
            command, cwd=project, env=env, stdout=report, stderr=subprocess.PIPE, text=True, timeout=120
        )
    assert filed.returncode == 2 and filed.stderr.count(said) == 1, filed.stderr
    assert (tmp_path / "review.txt").read_text().count(said) == 1


def test_a_stop_is_said_on_stderr_when_the_report_is_thrown_away(
    project: Path, fake_deepseek: FakeDeepSeek
) -> None:
    """A CI step that keeps the exit status only (``deepseek-lsp review app > /dev/null``):
    stdout, a character device and no terminal, was taken for the job's log, and the rejected
    key went unsaid; the step failed with exit 2 and not a word of why."""
    fake_deepseek.fault("status", count=None, path=CHAT, status=401)
    command, env = cli_command(["review", "app", "-j", "1"], dict(os.environ))
    run = subprocess.run(
        command, cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        text=True, timeout=120,
    )
    assert run.returncode == 2 and run.stderr.count("(401)") == 1, run.stderr


def test_a_stop_is_said_on_stderr_when_the_report_is_piped_to_another_command(
    project: Path, fake_deepseek: FakeDeepSeek
) -> None:
    """``deepseek-lsp review app | grep critical`` in a CI job: stdout a pipe and stderr the
    job's log, taken for the log's two pipes, so the rejected key was said in the report alone,
    which grep dropped; the pipeline's status is grep's, and the job passed with not a word
    of why nothing was reviewed."""
    fake_deepseek.fault("status", count=None, path=CHAT, status=401)
    command, env = cli_command(["review", "app", "-j", "1"], dict(os.environ))
    grep = subprocess.Popen(["grep", "critical"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert grep.stdin is not None
    try:
        run = subprocess.run(
            command, cwd=project, env=env, stdout=grep.stdin, stderr=subprocess.PIPE, text=True, timeout=120
        )
    finally:
        grep.stdin.close()
        assert grep.stdout is not None
        grep.stdout.read()
        grep.wait(timeout=30)
    assert run.returncode == 2 and run.stderr.count("(401)") == 1, run.stderr


def test_a_github_report_thrown_away_still_says_the_stop_on_stderr(
    project: Path, fake_deepseek: FakeDeepSeek
) -> None:
    """``--format github > /dev/null``: the stop was left to the report's annotation, which
    went nowhere; stderr said nothing, and the step failed with exit 2 alone."""
    fake_deepseek.fault("status", count=None, path=CHAT, status=401)
    command, env = cli_command(["review", "app", "-j", "1", "--format", "github"], dict(os.environ))
    run = subprocess.run(
        command, cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        text=True, timeout=120,
    )
    assert run.returncode == 2 and run.stderr.count("(401)") == 1, run.stderr


def test_a_rejected_key_is_sent_once_though_files_are_reviewed_at_once(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str]
) -> None:
    """A wrong key and ``--jobs`` 4 (the default): each file reviewed at once sent its request
    (a large file each of its batches) and met the same 401, though a 401 is every request's
    answer for the run. One is sent; the other files are not reviewed, and say why once."""
    for i in range(5):
        (project / "app" / f"step_{i}.py").write_text(f"def step_{i}(x):\n    return x\n")
    fake_deepseek.fault("status", count=None, path=CHAT, status=401)
    code, out, err = run(capsys, "app", "--format", "json")
    assert code == 2 and err.count("rejected the API key (401)") == 1
    assert len(fake_deepseek.requests_to(CHAT)) == 1
    files = list(json.loads(out)["files"])
    assert len(files) == 7 and all("401" in (f["skipped"] or "") and not f["errors"] for f in files)


@pytest.mark.parametrize("jobs", ["1", "4"])
def test_a_server_never_reached_stops_the_run_after_the_first_file(
    project: Path,
    fake_deepseek: FakeDeepSeek,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    refused: str,
    jobs: str,
) -> None:
    """A wrong base URL, or a CI job without network: every file waited out its own retries to
    fail the same way (a connect timeout: minutes each), and the log repeated the error for
    every file. The files after the first are not sent, and say why, once; a file the cache
    answers whole is still reported. With ``--jobs`` 4, the three sent with the first each
    waited out their retries too."""
    # Back-offs of 10 ms, not 0.5-1 s: what is pinned is which files are sent, not how long
    # the first waits between its tries (a second or two of each run, twice a test).
    monkeypatch.setattr(retry, "BASE_DELAY_S", 0.01)
    assert run(capsys, "app/util.js")[0] == 0  # reviewed before: in the cache
    for i in range(4):
        (project / "app" / f"step_{i}.py").write_text(f"def step_{i}(x):\n    return x\n")
    monkeypatch.setenv("DEEPSEEK_BASE_URL", f"{refused}/v1")
    code, out, err = run(capsys, "app", "-j", jobs, "--format", "json")
    assert code == 2 and err.count("Cannot reach 127.0.0.1") == 1
    files = {f["path"]: f for f in json.loads(out)["files"]}
    unsent = ["app/inventory.py", *(f"app/step_{i}.py" for i in range(4))]
    assert unsent == [p for p, f in files.items() if f["skipped"]]
    assert all(files[p]["skipped"].startswith("Cannot reach") for p in unsent)
    assert files["app/util.js"]["skipped"] is None and files["app/util.js"]["errors"] == []
    code, out, _ = run(capsys, "app", "-j", "1")
    assert "5 files not reviewed: Cannot reach 127.0.0.1" in out and "app/step_0.py" not in out
    assert out.splitlines()[-1].startswith("1 file reviewed, ")
    assert out.splitlines()[-1].endswith("; 5 files not reviewed")


async def test_a_server_lost_after_it_answered_does_not_stop_the_run(tmp_path: Path) -> None:
    """Once the server has answered in this run, a file it then cannot be reached for is a
    blip, not a wrong URL: the files after it are still sent."""

    class Flaky:
        def __init__(self) -> None:
            self.calls = 0

        async def chat_with_retry(self, req: object, deadline: float, max_retries: int = 2, **_: object) -> StreamResult:
            self.calls += 1
            if self.calls == 2:
                raise ConnectError("connection reset", url="https://api.deepseek.com/chat/completions")
            return StreamResult(text='{"findings": []}', finish_reason="stop")

    files = []
    for i in range(4):
        files.append(tmp_path / f"m{i}.py")
        files[-1].write_text(f"def f{i}():\n    return {i}\n")
    settings, _ = build_settings(env={"DEEPSEEK_API_KEY": "k"})
    client = Flaky()
    cache = ReviewCache(tmp_path / "reviews.sqlite")
    try:
        results, fatal = await review_targets(
            [Target(p) for p in files], settings, LanguageRegistry.load(), jobs=1, use_cache=True,
            root=tmp_path, client=client, engine=ReviewEngine(cache), stream=io.StringIO(),
        )
    finally:
        cache.close()
    assert fatal is None and client.calls == 4
    assert [bool(r.errors) for r in results] == [False, True, False, False]
    assert not any(r.skipped for r in results)

async def test_files_reviewed_at_once_wait_for_the_first_answer_s_status_only(
    fake_deepseek: FakeDeepSeek, client: ModelClient, tmp_path: Path
) -> None:
    """The other side of sending one request until the endpoint takes one: with a good key the
    files after the first go out as its answer begins (its status says the key and balance
    do), not once it is read whole: a run of ``--jobs`` 4 is not one file's review slower."""
    files = []
    for i in range(4):
        files.append(tmp_path / f"m{i}.py")
        files[-1].write_text(f"def f{i}():\n    return {i}\n")
    fake_deepseek.responder(lambda body: '{"findings": []}', path=CHAT)
    fake_deepseek.pause_after("findings")  # the first answer, held halfway
    cache = ReviewCache(tmp_path / "reviews.sqlite")
    review = asyncio.ensure_future(review_targets(
        [Target(p) for p in files], settings_for(fake_deepseek), LanguageRegistry.load(), jobs=4,
        use_cache=False, root=tmp_path, client=FirstAnswerFirst(client, stops_the_run),
        engine=ReviewEngine(cache), stream=io.StringIO(),
    ))
    try:
        assert await fake_deepseek.wait_paused_async()
        for _ in range(250):
            if len(fake_deepseek.requests_to(CHAT)) == 4:
                break
            await asyncio.sleep(0.02)
        assert len(fake_deepseek.requests_to(CHAT)) == 4 and fake_deepseek.paused.is_set()
    finally:
        fake_deepseek.resume()
        results, fatal = await review
        cache.close()
    assert fatal is None and not any(r.errors or r.skipped for r in results)


def test_a_review_that_never_ran_is_not_a_successful_sarif_run(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A base URL the client refuses: nothing is reviewed and the command exits 2, but the SARIF
    log said ``executionSuccessful: true`` with no results, which code scanning reads as a clean
    run (and closes every open alert)."""
    monkeypatch.setenv("DEEPSEEK_BASE_URL", "http://example.com/v1")
    code, out, err = run(capsys, "app", "--format", "sarif")
    assert code == 2 and "Refusing plain http://" in err
    log = json.loads(out)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    (invocation,) = log["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    (note,) = invocation["toolExecutionNotifications"]
    assert note["level"] == "error" and "Refusing plain http://" in note["message"]["text"]
    assert fake_deepseek.requests_to(CHAT) == []


@pytest.fixture
def with_submodule(project: Path, tmp_path: Path) -> Path:
    """The project with a git submodule, and a .gitignore'd generated file."""
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "helpers.py").write_text("def helper():\n    return 1\n")
    git(lib, "init", "-q", "-b", "main")
    commit(lib, "lib")
    git(project, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(lib), "vendor/lib")
    commit(project, "submodule")
    return project


def test_gitignore_still_applies_in_a_repository_with_a_submodule(
    with_submodule: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str]
) -> None:
    """git check-ignore stops at the first path in a submodule ("is in submodule"): every
    .gitignore'd file of the project (generated/out.py here, build output in real ones) was
    then reviewed and paid for."""
    code, out, err = run(capsys, ".", "--format", "json", "--fail-on", "never")
    assert code == 0, err
    paths = {f["path"] for f in json.loads(out)["files"]}
    assert "generated/out.py" not in paths
    assert {"app/inventory.py", "vendor/lib/helpers.py"} <= paths
    assert "out.py" not in sent_text(fake_deepseek)


def test_gitignore_still_applies_when_a_folder_outside_the_repository_is_named(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """``review . ../shared``: check-ignore failed on the path outside the repository and no
    .gitignore rule applied to any file."""
    other = tmp_path / "shared"
    other.mkdir()
    (other / "common.py").write_text("def common():\n    return 1\n")
    code, out, err = run(capsys, ".", str(other), "--format", "json", "--fail-on", "never")
    assert code == 0, err
    paths = {f["path"] for f in json.loads(out)["files"]}
    assert "generated/out.py" not in paths
    assert {"app/inventory.py", "../shared/common.py"} <= paths


def test_a_project_under_a_repository_that_ignores_everything_is_reviewed(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A dotfiles repository around the project (``~`` with ``*`` in its .gitignore): git
    there ignores the project whole, and ``review .`` found nothing to review."""
    git(tmp_path, "init", "-q")
    (tmp_path / ".gitignore").write_text("*\n")
    code, out, err = run(capsys, ".", "--format", "json", "--fail-on", "never")
    assert code == 0, err
    paths = {f["path"] for f in json.loads(out)["files"]}
    assert {"app/inventory.py", "app/util.js"} <= paths
    assert "generated/out.py" not in paths


def test_sarif_gives_a_file_outside_the_root_named_relatively_an_absolute_uri(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``review . ../shared``: the outside file's URI was ``../shared/common.py`` with no base,
    which a viewer resolves against whatever it likes (code scanning: the repository root)."""
    (tmp_path / "repo").mkdir()
    (tmp_path / "shared").mkdir()
    monkeypatch.chdir(tmp_path / "repo")
    path = tmp_path / "shared" / "common.py"
    result = FileResult("../shared/common.py", Document(path.as_uri(), "x = 1\n"), errors=["failed"])
    log = to_sarif([result], root=tmp_path / "repo")
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    (note,) = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert note["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": path.as_uri()}


def test_changed_against_a_branch_that_moved_on_reviews_only_this_branchs_changes(
    tmp_path: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--changed --base main`` on a feature branch after main moved on: what main changed since
    the branch started (a function edited there, a file deleted there) differs from the working
    tree too, and was reviewed and paid for as if this branch had changed it."""
    root = tmp_path / "repo"
    root.mkdir()
    body = "".join(f"def {name}(x):\n    return x + 1\n\n\n" for name in ("alpha", "beta"))
    (root / "mine.py").write_text(body)
    (root / "theirs.py").write_text(body.replace("alpha", "gamma").replace("beta", "delta"))
    (root / "old.py").write_text("def legacy(x):\n    return x\n")
    git(root, "init", "-q", "-b", "main")
    commit(root, "start")
    git(root, "checkout", "-qb", "feature")
    (root / "mine.py").write_text(body.replace("x + 1\n\n\ndef beta", "x + 2\n\n\ndef beta"))
    commit(root, "feature work")
    git(root, "checkout", "-q", "main")
    (root / "theirs.py").write_text((root / "theirs.py").read_text().replace("def delta(x):\n    return x + 1", "def delta(x):\n    return x + 3"))
    (root / "old.py").unlink()
    commit(root, "main moved on")
    git(root, "checkout", "-q", "feature")
    monkeypatch.chdir(root)
    use_fake(monkeypatch, fake_deepseek, tmp_path / "state")
    fake_deepseek.responder(reviewer(()), path=CHAT)
    code, out, err = run(capsys, "--changed", "--base", "main", "--format", "json")
    assert code == 0, err
    units = sorted(u for r in fake_deepseek.requests_to(CHAT) for u in reviewed_units(r.json))
    assert units == ["alpha"]
    assert [f["path"] for f in json.loads(out)["files"]] == ["mine.py"]
    # A base with no common history (a shallow fetch of one commit) is still compared directly.
    orphan = git_output(root, "commit-tree", "-m", "orphan", git_output(root, "write-tree"))
    code, out, err = run(capsys, "--changed", "--base", orphan, "--format", "json")
    assert code == 0, err
    assert json.loads(out)["files"] == []


def git_output(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True)
    return done.stdout.strip()


def interrupted(
    project: Path, fake: FakeDeepSeek, args: list[str], sig: signal.Signals = signal.SIGINT
) -> tuple[int, str, str]:
    """``deepseek-lsp ARGS`` as a process in ``project``, sent ``sig`` once its first review
    request waits for the answer (30 s away): its exit status, stdout and stderr."""
    fake.set_latency(ttft=30)
    command, env = cli_command(args, dict(os.environ))
    proc = subprocess.Popen(command, cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # Until it asks or ends, however long its start takes: a test process's first run
        # waits for the zygote it is forked from to import the server and load the tokenizer,
        # and at load 25 it was still starting after the 30 s this gave it.
        deadline = time.monotonic() + 300
        while not fake.requests_to(CHAT) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert fake.requests_to(CHAT), f"the review never started (exit status {proc.poll()})"
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=120)  # a bound on a hang; it ends in a moment
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    return proc.returncode, out, err


def test_ctrl_c_stops_with_one_line_and_exit_130(
    project: Path, fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """Ctrl+C during a review printed two chained tracebacks (CancelledError, then
    KeyboardInterrupt); shells and CI expect 130 and one line."""
    code, out, err = interrupted(project, fake_deepseek, ["review", "app", "--format", "json"])
    assert code == 130
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1] == "deepseek-lsp review: interrupted"
    assert out == ""  # no half report for a file reader to take as the whole


@contextlib.contextmanager
def read_only_folder(path: Path) -> Iterator[None]:
    """``path`` made read-only, for root as well (which ignores mode bits): ``chattr +i``."""
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o555)
    immutable = False
    if os.geteuid() == 0:
        done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False)
        if done.returncode != 0:
            path.chmod(0o755)
            pytest.skip("chattr +i is not available here")
        immutable = True
    try:
        yield
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(path)], capture_output=True, check=False)
        path.chmod(0o755)


def test_a_read_only_state_folder_reviews_without_the_cache(
    project: Path,
    fake_deepseek: FakeDeepSeek,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """A CI image whose state folder exists but cannot be written (a read-only HOME, a folder made
    by another user): "unexpected error: OperationalError: unable to open database file", exit
    2, nothing reviewed. The usage ledger already fell back to memory; the cache now does too."""
    state = tmp_path / "readonly-state"
    monkeypatch.setenv("DEEPSEEK_LSP_STATE_DIR", str(state))
    with read_only_folder(state):
        code, out, err = run(capsys, "app/inventory.py", "--format", "json")
        assert list(state.iterdir()) == []
    assert code == 1, err  # the critical finding, not a crash
    assert f"cannot write to the state folder {state}" in err and "unexpected error" not in err
    assert "moved it to" not in err  # nothing was damaged, nothing set aside
    assert json.loads(out)["totals"]["critical"] == 1


def test_a_file_named_twice_or_linked_is_reviewed_once(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str]
) -> None:
    """``review /abs/project app`` (a CI script naming the repository and a folder of it), or a
    symlink to a file of the repository: the same file was reviewed, paid for and reported twice."""
    (project / "app" / "inventory_link.py").symlink_to(project / "app" / "inventory.py")
    code, out, _ = run(capsys, str(project / "app"), "app", "--format", "json", "--no-cache")
    paths = [f["path"] for f in json.loads(out)["files"]]
    assert code == 1  # findings
    assert sorted(paths) == sorted(set(paths)) and len(paths) == 2, paths
    assert len(fake_deepseek.requests_to(CHAT)) == 2  # inventory.py and util.js, once each


def test_changed_reviews_only_the_changed_functions_whatever_the_users_git_config(
    tmp_path: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A user's ``diff.interHunkContext`` joins nearby hunks into one, unchanged lines and all:
    the function between two changed ones was reviewed and paid for too."""
    root = tmp_path / "repo"
    root.mkdir()
    body = "".join(f"def {name}(x):\n    return x + 1\n\n\n" for name in ("alpha", "beta", "gamma"))
    (root / "calc.py").write_text(body)
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "diff.interHunkContext", "20")
    commit(root, "start")
    (root / "calc.py").write_text(
        body.replace("alpha(x):\n    return x + 1", "alpha(x):\n    return x + 2").replace("gamma(x):\n    return x + 1", "gamma(x):\n    return x + 3")
    )
    monkeypatch.chdir(root)
    use_fake(monkeypatch, fake_deepseek, tmp_path / "state")
    fake_deepseek.responder(reviewer(()), path=CHAT)
    code, _, err = run(capsys, "--changed", "--base", "HEAD", "--format", "json")
    assert code == 0, err
    units = sorted(u for r in fake_deepseek.requests_to(CHAT) for u in reviewed_units(r.json))
    assert units == ["alpha", "gamma"]


def test_a_text_report_says_which_files_were_not_reviewed_and_why(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file too large, binary or not UTF-8 was left out in silence: only the JSON report
    said so, and a CI log read "1 file(s) reviewed" and passed. The user's own exclusions are
    counted, not listed (a folder of them would fill the log)."""
    (project / "app" / "latin1.py").write_bytes("def caf\xe9():\n    return 1\n".encode("latin-1"))
    code, out, _ = run(capsys, "app/inventory.py", "app/latin1.py", "config/secrets.py", "--fail-on", "never")
    assert code == 0
    assert "app/latin1.py: not reviewed: not readable as UTF-8 text" in out
    assert "config/secrets.py" not in out
    assert out.splitlines()[-1].endswith("; 2 files not reviewed")


def test_a_file_saved_as_utf16_is_reviewed_as_the_editor_reviews_it(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str]
) -> None:
    """Editors open a UTF-16 file by its byte order mark (Visual Studio's "Unicode" saves) and
    the server reviews it from there; the command line skipped it as "not readable as UTF-8
    text", and a CI run passed without a look at it."""
    source = "def average(rows):\n    return sum(rows) / len(rows)\n"
    (project / "app" / "wide.py").write_bytes(source.encode("utf-16"))
    code, out, _ = run(capsys, "app/wide.py", "--format", "json", "--fail-on", "never")
    assert code == 0
    assert [f["skipped"] for f in json.loads(out)["files"]] == [None]
    assert any(
        "return sum(rows) / len(rows)" in m["content"] for r in fake_deepseek.requests_to(CHAT) for m in r.json["messages"]
    )


def test_a_json_report_says_when_the_run_failed(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A CI step that reads the JSON file (to post comments, to gate) saw ``"files": []`` and
    zero totals when the settings were refused before any file was sent: a clean review."""
    code, out, _ = run(capsys, "app", "--format", "json")
    assert code == 1 and json.loads(out)["error"] is None
    fake_deepseek.fault("blank", count=None, path=CHAT)
    code, out, _ = run(capsys, "app/util.js", "--format", "json", "--no-cache")
    assert code == 2 and "did not complete" in json.loads(out)["error"]
    monkeypatch.setenv("DEEPSEEK_BASE_URL", "http://example.com/v1")  # refused: plain http
    code, out, err = run(capsys, "app", "--format", "json")
    report = json.loads(out)
    # Each file says it was not reviewed, and why, as after any error that stops the run.
    assert code == 2 and {f["path"] for f in report["files"]} == {"app/inventory.py", "app/util.js"}
    assert all(f["skipped"] == report["error"] and f["findings"] == [] for f in report["files"])
    assert "Refusing plain http://" in report["error"] and report["error"] in err


def test_changed_in_a_pull_requests_ci_job_compares_with_the_branch_it_targets(
    project: Path, tmp_path: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """As actions/checkout leaves a pull request's job: one commit fetched, a detached HEAD,
    nothing changed against it. ``--changed`` reviewed nothing and the check passed; the base
    branch, not fetched, gave git's bare "bad revision"."""
    git(project, "checkout", "-q", "-b", "feature")
    path = project / "app" / "inventory.py"
    path.write_text(path.read_text().replace("        total += item.quantity", "        total += 1.0 * item.quantity"))
    commit(project, "feature")
    git(project, "checkout", "-q", "main")
    ci = tmp_path / "ci job"
    ci.mkdir()
    git(ci, "init", "-q")
    git(ci, "remote", "add", "origin", project.as_uri())
    git(ci, "fetch", "-q", "--depth=1", "origin", "+refs/heads/feature:refs/remotes/origin/feature")
    git(ci, "checkout", "-q", "--detach", "origin/feature")
    monkeypatch.chdir(ci)
    monkeypatch.setenv("GITHUB_BASE_REF", "main")
    fake_deepseek.responder(reviewer(INVENTORY_RULES), path=CHAT)
    code, _, err = run(capsys, "--changed", "--format", "json")
    assert code == 2 and "no revision 'origin/main' in this clone" in err
    assert "git fetch --depth=1 origin main" in err and fake_deepseek.requests_to(CHAT) == []
    git(ci, "fetch", "-q", "--depth=1", "origin", "main")
    code, out, err = run(capsys, "--changed", "--format", "json")
    assert "--changed against origin/main (from GITHUB_BASE_REF)" in err
    units = sorted(u for r in fake_deepseek.requests_to(CHAT) for u in reviewed_units(r.json))
    assert units == ["total_value"]
    assert [f["path"] for f in json.loads(out)["files"]] == ["app/inventory.py"]
    # An explicit --base still wins; nothing reviewed is said, not passed in silence.
    code, out, err = run(capsys, "--changed", "--base", "HEAD", "--format", "json")
    assert code == 0 and json.loads(out)["files"] == []
    assert "nothing changed against HEAD (to review a branch's commits, pass --base" in err


def test_a_pull_requests_job_reviews_its_commits_not_what_its_build_steps_wrote(
    project: Path, tmp_path: Path, fake_deepseek: FakeDeepSeek, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's workflow in a job whose earlier step wrote code into the checkout (a code
    generator, ``setup.py build_ext --inplace``, a test's fixture) outside .gitignore: the file,
    no part of the pull request, was reviewed as new, paid for, annotated, and its critical
    failed the job. In a pull request's job (its base from ``GITHUB_BASE_REF``) the change is
    its commits: an untracked file is left out, and said."""
    git(project, "checkout", "-q", "-b", "feature")
    path = project / "app" / "inventory.py"
    path.write_text(path.read_text().replace("        total += item.quantity", "        total += 1.0 * item.quantity"))
    commit(project, "feature")
    (project / "app" / "built.py").write_text(INVENTORY_CODE_WITH_A_CRITICAL)
    monkeypatch.setenv("GITHUB_BASE_REF", "main")
    git(project, "update-ref", "refs/remotes/origin/main", "main")
    command, env = cli_command(["review", "--changed", "--format", "github"], dict(os.environ))
    done = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "built.py" not in done.stdout and "File: app/built.py" not in sent_text(fake_deepseek)
    assert "1 untracked file left out" in done.stderr and "app/built.py" in done.stderr
    # Run by hand, with the base named, a new file not yet committed is the change's.
    command, env = cli_command(["review", "--changed", "--base", "main", "--format", "json"], dict(os.environ))
    done = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=120)
    assert "app/built.py" in [f["path"] for f in json.loads(done.stdout)["files"]]
