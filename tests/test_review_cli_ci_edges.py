"""``deepseek-lsp review`` as demanding CI jobs run it: a clone of one branch, a change that
deletes files named on the command line, the GitHub log's closing line after failed requests."""

from __future__ import annotations

import errno
import http.server
import json
import os
import re
import resource
import shlex
import stat
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from deepseek_lsp.cli import main
from deepseek_lsp.documents import Document
from deepseek_lsp.languages import LanguageRegistry
from deepseek_lsp.review.answer import RawFinding
from deepseek_lsp.review.findings import place_findings
from deepseek_lsp.review.github import to_github
from deepseek_lsp.review.placing import Placer
from deepseek_lsp.review.report import FileResult, to_text
from deepseek_lsp.review.sarif import to_sarif
from tests.fake_deepseek import FakeDeepSeek
from tests.harness import IMPORT_PATH, cli_command
from tests.review_support import reviewed_units
from tests.test_review_cli import CHAT, git, run, use_fake
from tests.test_review_cli import project as cli_project
from tests.test_review_cli_ci import commit

#: The project of tests/test_review_cli.py: app/inventory.py and app/util.js, one commit on main.
project = cli_project


def feature_branch(project: Path) -> None:
    """A branch off main that edits total_value and deletes app/util.js."""
    git(project, "checkout", "-q", "-b", "feature")
    path = project / "app" / "inventory.py"
    path.write_text(path.read_text().replace("        total += item.quantity", "        total += 1.0 * item.quantity"))
    git(project, "rm", "-q", "app/util.js")
    commit(project, "feature")


def clone_of_feature(project: Path, folder: Path, *options: str) -> None:
    """A CI job's clone of the feature branch (``feature_branch``), as its checkout makes it."""
    subprocess.run(
        ["git", "clone", "-q", *options, "--branch", "feature", "--no-local", project.as_uri(), str(folder)],
        check=True,
        capture_output=True,
    )


def fetch_as_told(capsys: pytest.CaptureFixture[str], folder: Path, suggested: str, base: str) -> None:
    """Run the fetch a message told, then ``--changed --base base``: the feature's change alone."""
    subprocess.run(shlex.split(suggested), cwd=folder, check=True, capture_output=True)
    code, out, err = run(capsys, "--changed", "--base", base, "--format", "json", "--fail-on", "never")
    assert code == 0, err
    assert [f["path"] for f in json.loads(out)["files"]] == ["app/inventory.py"]


def test_the_fetch_a_single_branch_clone_is_told_to_run_makes_the_next_run_work(
    project: Path,
    tmp_path: Path,
    fake_deepseek: FakeDeepSeek,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``git clone --depth=1 --branch feature`` (GitLab's, Jenkins', a script's checkout) fetches
    one branch: the suggested ``git fetch --depth=1 origin main`` only filled FETCH_HEAD, and
    the next run failed with the same message and the same advice."""
    feature_branch(project)
    ci = tmp_path / "ci job"
    clone_of_feature(project, ci, "--depth=1")
    monkeypatch.chdir(ci)
    code, _, err = run(capsys, "--changed", "--base", "origin/main", "--format", "json")
    assert code == 2 and "no revision 'origin/main' in this clone" in err
    (suggested,) = re.findall(r"`(git fetch [^`]+)`", err)
    fetch_as_told(capsys, ci, suggested, "origin/main")
    assert [u for r in fake_deepseek.requests_to(CHAT) for u in reviewed_units(r.json)] == ["total_value"]


def test_a_file_the_change_deleted_named_with_changed_is_said_not_an_error(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str]
) -> None:
    """A CI step passing the change's files (``git diff --name-only origin/main``) names those
    it deleted: the whole run stopped with "no such file or folder" and exit 2."""
    feature_branch(project)
    code, out, err = run(
        capsys, "--changed", "--base", "main", "app/inventory.py", "app/util.js", "--format", "json", "--fail-on", "never"
    )
    assert code == 0, err
    assert "deepseek-lsp review: app/util.js: deleted by the change, nothing to review" in err.splitlines()
    assert [f["path"] for f in json.loads(out)["files"]] == ["app/inventory.py"]
    # A name that is in neither the base nor HEAD is a mistake, as it is without --changed.
    code, _, err = run(capsys, "--changed", "--base", "main", "app/inventory.py", "app/utils.js")
    assert code == 2 and err.strip() == "deepseek-lsp review: no such file or folder: app/utils.js"
    code, _, err = run(capsys, "app/util.js")
    assert code == 2 and "no such file or folder: app/util.js" in err


def test_the_github_logs_closing_line_counts_the_files_whose_requests_failed(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str]
) -> None:
    """It read "1 file(s) reviewed: 0 critical, ..." after every request of the file failed,
    where the text report says "(1 with errors)"."""
    fake_deepseek.fault("status", count=None, path=CHAT, status=500)
    code, out, _ = run(capsys, "app/util.js", "--format", "github", "--settings", str(_no_retries(project)))
    assert code == 2
    assert out.splitlines()[-1] == (
        "1 file reviewed (1 with errors), $0.0000 for 1 request: 0 critical, 0 warnings, 0 info"
    )


def _no_retries(project: Path) -> Path:
    settings = project.parent / "settings.json"
    settings.write_text(json.dumps({"review": {"maxRetries": 0}}))
    return settings


def test_a_closed_stderr_leaves_the_report_on_stdout_readable(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run with ``2>&-``: each message (here "nothing changed against HEAD") was printed into
    the JSON report on stdout, which no parser could then read."""
    monkeypatch.setattr(sys, "stderr", None)
    code = main(["review", "--changed", "--format", "json"])
    out = capsys.readouterr().out
    assert code == 0 and json.loads(out)["files"] == []


def test_a_closed_stdout_is_said_before_anything_is_sent(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run with ``>&-``: the review was sent and paid for, then "unexpected error:
    AttributeError: 'NoneType' object has no attribute 'isatty'"."""
    monkeypatch.setattr(sys, "stdout", None)
    code = main(["review", "app/util.js"])
    err = capsys.readouterr().err
    assert code == 2
    assert err == "deepseek-lsp review: standard output is closed: write the report with --output FILE\n"
    assert fake_deepseek.requests_to(CHAT) == []


def test_nothing_to_review_against_a_base_branch_is_said(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str]
) -> None:
    """A push to main whose job runs ``--changed --base main``: "0 file(s) reviewed", exit 0,
    and nothing on stderr to tell a misconfigured job from a clean change."""
    code, out, err = run(capsys, "--changed", "--base", "main")
    assert code == 0 and out.startswith("0 files reviewed")
    assert err == "deepseek-lsp review: --changed found no file to review against main\n"
    (project / "NOTES.txt").write_text("not in a language the review knows\n")
    code, _, err = run(capsys, "--changed", "--base", "main")
    assert code == 0 and "found no file to review against main" in err
    assert fake_deepseek.requests_to(CHAT) == []



def test_a_folder_with_nothing_to_review_is_said(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str]
) -> None:
    """``review docs -o review.sarif``, a folder of notes and data files (or of files in
    folders never walked into: node_modules, a virtualenv): exit 0 and not a word on the
    terminal, a CI step passed having reviewed nothing, as --changed's empty runs did before
    they were said."""
    (project / "docs" / "node_modules" / "dep").mkdir(parents=True)
    (project / "docs" / "usage.md").write_text("# Usage\n")
    (project / "docs" / "prices.csv").write_text("sku,price\n")
    (project / "docs" / "node_modules" / "dep" / "index.js").write_text("export const x = 1;\n")
    code, out, err = run(capsys, "docs", "-o", "review.sarif")
    assert code == 0 and out == ""
    assert err == (
        "deepseek-lsp review: found no file to review in docs (a folder's files are those "
        "in a language the review parses, outside .gitignore, node_modules and virtualenvs; a "
        "file named is reviewed whatever it is)\n"
    )
    assert fake_deepseek.requests_to(CHAT) == []
    code, out, err = run(capsys, "docs", "app", "--fail-on", "never")
    assert code == 0 and out.startswith("app/inventory.py") and err == ""


def shallow_clone(project: Path, branch: str, into: Path) -> None:
    """As a CI job checks out ``branch``: one commit, then the base branch's tip alone."""
    subprocess.run(
        ["git", "clone", "-q", "--depth=1", "--branch", branch, "--no-local", project.as_uri(), str(into)],
        check=True,
        capture_output=True,
    )
    git(into, "fetch", "-q", "--depth=1", "origin", "main:refs/remotes/origin/main")


def test_a_shallow_clone_without_a_common_commit_says_main_changes_are_reviewed_too(
    project: Path,
    tmp_path: Path,
    fake_deepseek: FakeDeepSeek,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Checked out at the branch's head (not GitHub's merge commit) with main moved on, the
    diff against main's tip holds main's own changes too: reviewed and paid for as the
    branch's, with nothing said."""
    git(project, "checkout", "-q", "-b", "feature")
    path = project / "app" / "inventory.py"
    path.write_text(path.read_text().replace("        total += item.quantity", "        total += 1.0 * item.quantity"))
    commit(project, "feature")
    git(project, "checkout", "-q", "main")
    (project / "app" / "util.js").write_text("export function twice(x) {\n  return x * 2;\n}\nexport const three = 3;\n")
    commit(project, "main moves on")
    shallow_clone(project, "feature", tmp_path / "head")
    monkeypatch.chdir(tmp_path / "head")
    code, out, err = run(capsys, "--changed", "--base", "origin/main", "--format", "json", "--fail-on", "never")
    assert code == 0
    assert sorted(f["path"] for f in json.loads(out)["files"]) == ["app/inventory.py", "app/util.js"]
    assert (
        "deepseek-lsp review: no common commit of HEAD and origin/main in this clone: comparing with "
        "origin/main itself, so what it changed since this branch left it is reviewed too (fetch more "
        "history, e.g. `git fetch --deepen=100 origin`)"
    ) in err.splitlines()
    # The fetch it suggests gives the common commit: the branch's change alone.
    git(tmp_path / "head", "fetch", "-q", "--deepen=100", "origin")
    code, out, err = run(capsys, "--changed", "--base", "origin/main", "--format", "json", "--fail-on", "never")
    assert code == 0 and "no common commit" not in err
    assert [f["path"] for f in json.loads(out)["files"]] == ["app/inventory.py"]
    # A merge of the branch into main (GitHub's refs/pull/N/merge): its diff is the change.
    git(project, "checkout", "-q", "-b", "merge")
    git(project, "-c", "user.email=t@example.com", "-c", "user.name=t", "merge", "-q", "--no-ff", "-m", "merge", "feature")
    git(project, "checkout", "-q", "main")
    shallow_clone(project, "merge", tmp_path / "merge")
    monkeypatch.chdir(tmp_path / "merge")
    code, out, err = run(capsys, "--changed", "--base", "origin/main", "--format", "json", "--fail-on", "never")
    assert code == 0 and "no common commit" not in err
    assert [f["path"] for f in json.loads(out)["files"]] == ["app/inventory.py"]


def test_a_report_that_could_not_be_written_whole_leaves_the_last_one_as_it_was(
    project: Path, fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """A full disk or a file size limit met while writing ``-o review.sarif``: the file held the
    start of the new log, which the upload refused as invalid JSON, and the last run's report
    was lost. (Python ignores SIGXFSZ: the write past the limit fails as a full disk's does.)"""
    report = project / "review.sarif"
    report.write_text("the last run's report\n")
    report.chmod(0o640)
    (tmp_path / "a-file").write_text("")
    limit = 4096

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    env = {
        **os.environ,
        "PYTHONPATH": IMPORT_PATH,
        # No store nor compiled module to write: the limit is for the report alone (a module
        # compiled under it is cut short, and the next interpreter fails to import it).
        "DEEPSEEK_LSP_STATE_DIR": str(tmp_path / "a-file" / "state"),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    env.pop("PYTHONPYCACHEPREFIX", None)
    command = [sys.executable, "-m", "deepseek_lsp", "review", "app/inventory.py", "-o", report.name]
    done = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=120, preexec_fn=small_files)
    assert done.returncode == 2
    assert "deepseek-lsp review: cannot write review.sarif: File too large" in done.stderr
    assert report.read_text() == "the last run's report\n"
    assert sorted(p.name for p in project.iterdir() if p.is_file()) == [".gitignore", "review.sarif"]
    # Within the limit, the report replaces the last one whole, its mode kept.
    done = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert json.loads(report.read_text())["runs"][0]["results"] and len(report.read_bytes()) > limit
    assert stat.S_IMODE(report.stat().st_mode) == 0o640
    # A device is written to as it is, not replaced: the report reaches the pipe.
    done = subprocess.run([*command[:-1], "/dev/stdout", "--format", "json"], cwd=project, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and json.loads(done.stdout)["totals"]["critical"] == 1


@pytest.mark.parametrize("through", ["/dev/stdout", "/proc/self/fd/1", "/dev/fd/1"])
def test_a_report_to_the_standard_output_a_file_takes_goes_after_what_it_holds(
    project: Path, fake_deepseek: FakeDeepSeek, tmp_path: Path, through: str
) -> None:
    """``-o /dev/stdout >> job.log``: the report took the file's place (a new file renamed over
    the link's target), and the log's earlier lines were gone; after them, as a shell writes."""
    log = tmp_path / "job.log"
    log.write_text("an earlier step's line\n")
    # Forked from the zygote: the standard output it is handed is this file, as a new
    # interpreter's would be (a new one's start was most of the test).
    command, env = cli_command(["review", "app/inventory.py", "-o", through], dict(os.environ))
    with log.open("a") as out:
        done = subprocess.run(
            [*command, "--format", "json"], cwd=project, env=env, stdout=out, stderr=subprocess.PIPE,
            text=True, timeout=120,
        )
    assert done.returncode == 1, done.stderr
    earlier, report = log.read_text().split("\n", 1)
    assert earlier == "an earlier step's line"
    assert json.loads(report)["totals"]["critical"] == 1
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".job.log")] == []


@pytest.mark.parametrize("through", ["/dev/fd/{fd}", "/proc/self/fd/{fd}"])
def test_a_descriptor_open_for_reading_only_is_refused_before_the_review_is_paid_for(
    project: Path, fake_deepseek: FakeDeepSeek, tmp_path: Path, through: str
) -> None:
    """``-o /dev/fd/3 3<report.txt`` (a step's redirection the wrong way round): the review was
    sent and paid for, then writing failed ("Bad file descriptor", exit 2), the findings lost.
    Refused first, with what is wrong, no request made; the file the descriptor reads untouched."""
    report = tmp_path / "report.txt"
    report.write_text("the last run's report\n")
    env = {**os.environ, "PYTHONPATH": IMPORT_PATH}
    with report.open("rb") as reading:
        fd = reading.fileno()
        output = through.format(fd=fd)
        done = subprocess.run(
            [sys.executable, "-m", "deepseek_lsp", "review", "app/inventory.py", "-o", output],
            cwd=project, env=env, capture_output=True, text=True, timeout=120, pass_fds=(fd,),
        )
    assert done.returncode == 2, done.stderr
    assert f"cannot write {output}: descriptor {fd} is open for reading only" in done.stderr
    assert fake_deepseek.requests_to(CHAT) == []
    assert report.read_text() == "the last run's report\n"


def test_a_standard_output_open_for_reading_only_is_refused_before_the_review_is_paid_for(
    project: Path, fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """``deepseek-lsp review app 1<report.txt``: the review was sent and paid for, then
    printing it failed ("unexpected error: OSError: [Errno 9] Bad file descriptor")."""
    report = tmp_path / "report.txt"
    report.write_text("the last run's report\n")
    command, env = cli_command(["review", "app/inventory.py"], dict(os.environ))  # forked, as above
    with report.open("rb") as reading:
        done = subprocess.run(command, cwd=project, env=env, stdout=reading, stderr=subprocess.PIPE, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert done.stderr == (
        "deepseek-lsp review: cannot write the report to the standard output: descriptor 1 is open "
        "for reading only; write it with --output FILE\n"
    )
    assert fake_deepseek.requests_to(CHAT) == []
    assert report.read_text() == "the last run's report\n"


@pytest.mark.parametrize("refusal", [errno.EBUSY, errno.EXDEV])
def test_a_report_mounted_on_its_own_is_written_in_place(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, refusal: int
) -> None:
    """``docker run -v $PWD/review.sarif:/src/review.sarif``: the report is a mount point, which
    no rename replaces: "cannot write review.sarif: Device or resource busy", exit 2, every
    finding lost. Any other refusal still leaves the last report as it was."""
    report = project / "review.sarif"
    report.write_text("the last run's report\n")
    renamed = os.replace
    refused = [refusal]

    def mounted(source: str, target: str | Path) -> None:
        if str(target).endswith(".sarif"):
            raise OSError(refused[0], os.strerror(refused[0]))
        renamed(source, target)

    monkeypatch.setattr(os, "replace", mounted)
    code, _, err = run(capsys, "app/inventory.py", "-o", "review.sarif")
    assert code == 1, err
    assert json.loads(report.read_text())["runs"][0]["results"]
    assert sorted(p.name for p in project.iterdir() if p.is_file()) == [".gitignore", "review.sarif"]
    # No file there yet (nothing a rename was refused to replace), or any other refusal: an
    # error, as before.
    code, _, err = run(capsys, "app/inventory.py", "-o", "new.sarif")
    assert code == 2 and "cannot write new.sarif:" in err
    report.write_text("the last run's report\n")
    refused[0] = errno.EACCES
    code, _, err = run(capsys, "app/inventory.py", "-o", "review.sarif")
    assert code == 2 and "cannot write review.sarif: Permission denied" in err
    assert report.read_text() == "the last run's report\n"
    assert not (project / "new.sarif").exists()


def test_another_user_s_report_in_a_sticky_folder_is_written_in_place(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``-o /tmp/review.sarif`` (or a team's shared folder), the file another user's but writable
    by this one: in a sticky folder only its owner may rename over it (EPERM), and the report,
    reviewed and paid for, was lost ("cannot write review.sarif: Operation not permitted"). Written
    in place, without O_CREAT (which fs.protected_regular refuses there). Not sticky: an error,
    as before, the last report as it was."""
    report = project / "review.sarif"
    report.write_text("the last run's report\n")
    renamed, opened = os.replace, os.open
    flags: list[int] = []

    def not_the_owner(source: str, target: str | Path) -> None:
        if str(target).endswith(".sarif"):
            raise PermissionError(errno.EPERM, os.strerror(errno.EPERM))
        renamed(source, target)

    def watched(path: str | Path, flag: int, *args: object, **kwargs: object) -> int:
        if str(path).endswith("review.sarif"):
            flags.append(flag)
        return opened(path, flag, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", not_the_owner)
    monkeypatch.setattr(os, "open", watched)
    project.chmod(0o1777)
    code, _, err = run(capsys, "app/inventory.py", "-o", "review.sarif")
    assert code == 1, err
    assert json.loads(report.read_text())["runs"][0]["results"]
    assert flags and not any(f & os.O_CREAT for f in flags)
    assert sorted(p.name for p in project.iterdir() if p.is_file()) == [".gitignore", "review.sarif"]
    project.chmod(0o755)
    report.write_text("the last run's report\n")
    code, _, err = run(capsys, "app/inventory.py", "-o", "review.sarif")
    assert code == 2 and "cannot write review.sarif: Operation not permitted" in err, err
    assert report.read_text() == "the last run's report\n"


def test_a_report_mounted_into_a_folder_the_user_cannot_write_is_written_in_place(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``docker run --user 1000 -v $PWD/review.sarif:/out/review.sarif``: the file is the
    user's, its folder (made by Docker) root's. No new file can be made beside it, so it can only
    be written in place, as a mount point is; it was refused before any request ("permission
    denied"), and would have failed at the end had it not been. A new file there still is."""
    report = project / "review.sarif"
    report.write_text("the last run's report\n")
    access, mkstemp = os.access, tempfile.mkstemp

    def roots_folder(path: str | Path, mode: int, **kwargs: object) -> bool:
        return False if Path(path).resolve() == project.resolve() and mode & os.W_OK else access(path, mode, **kwargs)

    def no_new_file(*args: object, **kwargs: object) -> tuple[int, str]:
        if Path(str(kwargs.get("dir"))).resolve() == project.resolve():
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
        return mkstemp(*args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(os, "access", roots_folder)
    monkeypatch.setattr(tempfile, "mkstemp", no_new_file)
    code, _, err = run(capsys, "app/inventory.py", "-o", "review.sarif")
    assert code == 1, err
    assert json.loads(report.read_text())["runs"][0]["results"]
    code, out, err = run(capsys, "app/inventory.py", "-o", "new.sarif")
    assert (code, out, err) == (2, "", "deepseek-lsp review: cannot write new.sarif: permission denied\n")


def test_a_report_on_a_file_system_without_modes_is_written(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``-o /media/usb/review.sarif``, a FAT or exFAT drive: it refuses a mode it cannot hold
    (EPERM: its files' mode is the mount's), and the report, reviewed and paid for, was not
    written ("cannot write review.sarif: Operation not permitted", exit 2), where open() and
    write() would have written it."""
    changed = os.chmod

    def fat(path: str | Path, mode: int, **kwargs: object) -> None:
        if str(path).endswith(".tmp"):
            raise PermissionError(errno.EPERM, os.strerror(errno.EPERM))
        changed(path, mode, **kwargs)

    monkeypatch.setattr(os, "chmod", fat)
    (project / "old.sarif").write_text("the last run's report\n")
    for name in ("new.sarif", "old.sarif"):
        code, _, err = run(capsys, "app/inventory.py", "-o", name)
        assert code == 1, err
        assert json.loads((project / name).read_text())["runs"][0]["results"]
    assert sorted(p.name for p in project.iterdir() if p.is_file()) == [".gitignore", "new.sarif", "old.sarif"]


def test_a_report_replaced_keeps_its_owner_and_group(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str]
) -> None:
    """A CI container's root (or a user writing a file of a shared group) replaced a host user's
    report with a file of its own: the user could no longer change or remove it."""
    report = project / "review.sarif"
    report.write_text("the last run's report\n")
    others = [g for g in os.getgroups() if g != os.getgid()]
    if os.geteuid() == 0:
        owner = (4321, 4322)  # root may give it anyone
    elif others:
        owner = (os.getuid(), others[0])  # another user, a group of its own
    else:
        pytest.skip("needs root, or a user in a second group")
    os.chown(report, *owner)
    code, _, err = run(capsys, "app/inventory.py", "-o", "review.sarif")
    assert code == 1, err
    assert json.loads(report.read_text())["runs"][0]["results"]
    assert (report.stat().st_uid, report.stat().st_gid) == owner


def test_a_link_as_the_report_is_checked_where_its_target_is_written_before_any_request(
    project: Path, fake_deepseek: FakeDeepSeek, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``-o review.sarif``, a link into a folder that is not there (a build folder cleaned out):
    the link's own folder was the one checked, the review was made and paid for, and then the
    report, written beside the link's target, could not be."""
    reports = tmp_path / "build" / "reports"
    (project / "review.sarif").symlink_to(reports / "review.sarif")
    code, out, err = run(capsys, "app/inventory.py", "-o", "review.sarif")
    assert code == 2 and out == ""
    assert err == f"deepseek-lsp review: cannot write review.sarif: no folder {str(reports)!r}\n"
    assert fake_deepseek.requests_to(CHAT) == []
    # The folder made, the report is the link's target, the link left a link.
    reports.mkdir(parents=True)
    code, _, err = run(capsys, "app/inventory.py", "-o", "review.sarif")
    assert code == 1, err
    assert (project / "review.sarif").is_symlink()
    assert json.loads((reports / "review.sarif").read_text())["runs"][0]["results"]


def test_a_base_named_as_a_local_branch_a_ci_checkout_lacks_is_told_its_remotes_name(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--base main`` in a CI job's clone, which has no local branch but the one it tests: a
    whole clone was told to check the name (``main`` is right, as ``origin/main``), a shallow
    one to run ``git fetch --unshallow``, after which there was still no ``main`` and the run
    failed again the same way."""
    feature_branch(project)
    whole, shallow = tmp_path / "whole", tmp_path / "shallow"
    clone_of_feature(project, whole)
    clone_of_feature(project, shallow, "--depth=1")
    monkeypatch.chdir(whole)
    code, _, err = run(capsys, "--changed", "--base", "main")
    assert code == 2
    assert err == "deepseek-lsp review: no branch 'main' in this clone, only the remote's: pass --base origin/main\n"
    monkeypatch.chdir(shallow)
    code, _, err = run(capsys, "--changed", "--base", "main")
    assert code == 2 and "--unshallow" not in err
    (suggested,) = re.findall(r"`(git fetch [^`]+)`, then pass --base origin/main$", err.strip())
    subprocess.run(shlex.split(suggested), cwd=shallow, check=True, capture_output=True)
    for folder in (whole, shallow):
        monkeypatch.chdir(folder)
        code, out, err = run(capsys, "--changed", "--base", "origin/main", "--format", "json", "--fail-on", "never")
        assert code == 0, err
        assert [f["path"] for f in json.loads(out)["files"]] == ["app/inventory.py"]
    # A revision that is no local branch's name is still told to deepen the clone.
    git(shallow, "remote", "add", "upstream", project.as_uri())
    for revision in ("HEAD~3", "upstream/main"):
        code, _, err = run(capsys, "--changed", "--base", revision)
        assert code == 2 and "e.g. `git fetch --unshallow`" in err and "origin/" not in err


def test_a_base_named_as_a_branch_a_whole_clone_of_one_branch_lacks_is_told_the_fetch_that_makes_it(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--base main`` in ``git clone --single-branch --branch feature`` (whole, not shallow):
    told only to check the name, which was right; the branch was not fetched."""
    feature_branch(project)
    ci = tmp_path / "one branch"
    clone_of_feature(project, ci, "--single-branch")
    monkeypatch.chdir(ci)
    code, _, err = run(capsys, "--changed", "--base", "main")
    assert code == 2 and "--unshallow" not in err
    (suggested,) = re.findall(r"fetch it \(`(git fetch origin [^`]+)`, then pass --base origin/main\)", err)
    fetch_as_told(capsys, ci, suggested, "origin/main")
    # A misspelt name, in a clone that fetches every branch, is still only told to check it.
    monkeypatch.chdir(project)
    code, _, err = run(capsys, "--changed", "--base", "mian")
    assert code == 2 and "no revision 'mian' in this repository: check the name" in err


def test_a_tag_a_clone_lacks_is_told_the_tag_fetch_that_makes_the_next_run_work(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--base v1.0`` in a shallow clone, or one made with ``--no-tags``, was told to fetch it as
    a branch (``origin v1.0:refs/remotes/origin/v1.0``) and pass ``--base origin/v1.0``."""
    git(project, "tag", "-a", "v1.0", "-m", "release")
    feature_branch(project)
    shallow, whole = tmp_path / "shallow", tmp_path / "whole"
    clone_of_feature(project, shallow, "--depth=1")
    clone_of_feature(project, whole, "--no-tags")
    for folder in (shallow, whole):
        monkeypatch.chdir(folder)
        for named, then in (("v1.0", ""), ("origin/v1.0", ", then pass --base v1.0")):
            code, _, err = run(capsys, "--changed", "--base", named)
            assert code == 2 and "refs/remotes" not in err
            (suggested,) = re.findall(rf"it is origin's tag, fetch it first \(`(git fetch [^`]+ tag v1\.0)`{then}\)$", err.strip())
        fetch_as_told(capsys, folder, suggested, "v1.0")


class _AsksForALogin(http.server.BaseHTTPRequestHandler):
    """A Git host over HTTPS that wants a user and a password (a private repository)."""

    def do_GET(self) -> None:
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="git"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        pass


def test_asking_origin_for_a_tag_never_asks_the_user_for_a_login(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--base v1.0`` missing, origin a private repository over HTTPS: ``git ls-remote`` asked
    GIT_ASKPASS (set by VS Code's terminal, core.askPass, SSH_ASKPASS) for a user and a
    password, a dialog in the editor, though GIT_TERMINAL_PROMPT=0 kept it off the terminal."""
    server = http.server.HTTPServer(("127.0.0.1", 0), _AsksForALogin)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        git(project, "remote", "add", "origin", f"http://127.0.0.1:{server.server_address[1]}/repo.git")
        asked = tmp_path / "asked"
        askpass = tmp_path / "askpass.sh"
        askpass.write_text(f"#!/bin/sh\necho \"$1\" >> '{asked}'\necho someone\n")
        askpass.chmod(0o755)
        monkeypatch.setenv("GIT_ASKPASS", str(askpass))
        monkeypatch.setenv("SSH_ASKPASS", str(askpass))
        code, _, err = run(capsys, "--changed", "--base", "v1.0")
    finally:
        server.shutdown()
        server.server_close()
    assert code == 2 and "no revision 'v1.0' in this repository: check the name" in err
    assert not asked.exists(), asked.read_text()


#: ssh as OpenSSH before 8.4 (RHEL 8's 8.0) asks for a key's passphrase with no terminal (its
#: readpass.c): DISPLAY set, SSH_ASKPASS runs (its default where unset); SSH_ASKPASS_REQUIRE, new
#: in 8.4, is unknown to it.
_OLD_SSH = """#!/bin/sh
if [ -n "$DISPLAY" ] && ! [ -t 0 ]; then
  "${SSH_ASKPASS-/usr/libexec/openssh/ssh-askpass}" "Enter passphrase for key 'id_ed25519': " >/dev/null 2>&1
fi
echo "git@origin: Permission denied (publickey)." >&2
exit 255
"""


def test_asking_an_ssh_origin_for_a_tag_never_asks_for_a_key_s_passphrase(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--base v1.0`` missing, origin over SSH, a key with a passphrase no agent holds, in a
    desktop's terminal (DISPLAY, SSH_ASKPASS set, as RHEL 8's GNOME does): an ssh before 8.4
    knows no SSH_ASKPASS_REQUIRE and, without a terminal, ran SSH_ASKPASS, a dialog the review
    waited on (15 s, then git was killed and the dialog left open)."""
    asked = tmp_path / "asked"
    askpass = tmp_path / "askpass.sh"
    askpass.write_text(f"#!/bin/sh\necho \"$1\" >> '{asked}'\nsleep 30\n")
    askpass.chmod(0o755)
    ssh = tmp_path / "ssh"
    ssh.write_text(_OLD_SSH)
    ssh.chmod(0o755)
    git(project, "remote", "add", "origin", "git@origin.invalid:team/repo.git")
    monkeypatch.setenv("GIT_SSH", str(ssh))
    monkeypatch.delenv("GIT_SSH_COMMAND", raising=False)
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setenv("SSH_ASKPASS", str(askpass))
    code, _, err = run(capsys, "--changed", "--base", "v1.0")
    assert code == 2 and "no revision 'v1.0' in this repository: check the name" in err
    assert not asked.exists(), asked.read_text()


def test_a_base_in_a_repository_without_commits_is_told_there_are_none_yet(
    tmp_path: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--base main`` right after ``git init`` was told to check the name."""
    use_fake(monkeypatch, fake_deepseek, tmp_path / "state")
    folder = tmp_path / "new"
    folder.mkdir()
    git(folder, "init", "-q", "-b", "main")
    monkeypatch.chdir(folder)
    code, _, err = run(capsys, "--changed", "--base", "main")
    assert code == 2
    assert err == (
        "deepseek-lsp review: no revision 'main' in this repository, which has no commits yet: "
        "commit first, or leave out --base to review every file in it as new\n"
    )


def test_a_finding_over_several_lines_is_annotated_on_its_lines_without_columns(tmp_path: Path) -> None:
    """The runner takes columns for one line only ("'col' and 'endColumn' cannot be set if
    'line' and 'endLine' are different values", actions/runner's ValidateLinesAndColumns): a
    finding over two lines was annotated with both, which the runner drops (said in its debug
    log only; runners before that check left the job's run in progress)."""
    text = "def f(rows):\n    for row in rows:\n        if row == None:\n            pass\n"
    path = tmp_path / "mod.py"
    doc = Document(path.as_uri(), text, language=LanguageRegistry.load().get("python"))
    raws = [
        (RawFinding("warning", "for row in rows:\n        if row == None:", "Loop of Nones.", None, 0.9, 2), (), "f", "function"),
        (RawFinding("critical", "if row == None:", "Use is.", None, 0.9, 3), (), "f", "function"),
    ]
    findings, _ = place_findings(Placer(doc), raws, min_confidence=0.5, min_severity="info")
    out = to_github([FileResult(str(path), doc, findings)], root=tmp_path)
    assert out.splitlines()[:2] == [
        "::warning file=mod.py,line=2,endLine=3,title=DeepSeek review%3A warning "
        f"[{findings[0].id}]::Loop of Nones.",
        f"::error file=mod.py,line=3,col=9,endLine=3,endColumn=24,title=DeepSeek review%3A critical [{findings[1].id}]::Use is.",
    ]


def test_a_report_written_in_place_that_does_not_fit_leaves_the_last_one_as_it_was(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A report mounted on its own (written in place, no rename can replace it) met a full disk
    or a file size limit halfway: the file was cut to nothing first, and held the start of the
    new log (invalid JSON to the upload) where the last run's report had been. The room is
    asked for before the last report is touched. (Python ignores SIGXFSZ: a write past the
    limit fails as a full disk's does.)"""
    report = project / "review.sarif"
    report.write_text("the last run's report\n")
    renamed = os.replace
    before = resource.getrlimit(resource.RLIMIT_FSIZE)
    limits = [2048]

    def mounted(source: str, target: str | Path) -> None:
        if str(target).endswith(".sarif"):
            if limits:  # the new log, whole in its temporary, is larger than the limit
                assert os.path.getsize(source) > limits[0]
                resource.setrlimit(resource.RLIMIT_FSIZE, (limits[0], before[1]))
            raise OSError(errno.EBUSY, os.strerror(errno.EBUSY))
        renamed(source, target)

    monkeypatch.setattr(os, "replace", mounted)
    try:
        code, _, err = run(capsys, "app/inventory.py", "-o", "review.sarif")
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, before)
    assert code == 2 and "deepseek-lsp review: cannot write review.sarif: File too large" in err, err
    assert report.read_text() == "the last run's report\n"
    # With room, the report is written in place whole, whether the last one was shorter or
    # longer (nothing of it is left after the new one's end).
    limits.clear()
    for last in ("the last run's report\n", "x" * 100_000):
        report.write_text(last)
        code, _, err = run(capsys, "app/inventory.py", "-o", "review.sarif")
        assert code == 1, err
        assert json.loads(report.read_text())["runs"][0]["results"]
    # A disk that fills up while the room is reserved (ext4 makes the file longer as it finds
    # room): the last report is as it was, with no zeros after it.
    def fills_up(fd: int, offset: int, length: int) -> None:
        os.ftruncate(fd, length // 2)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "posix_fallocate", fills_up, raising=False)
    report.write_text("the last run's report\n")
    code, _, err = run(capsys, "app/inventory.py", "-o", "review.sarif")
    assert code == 2 and "cannot write review.sarif: No space left on device" in err, err
    assert report.read_text() == "the last run's report\n"
    # Nor where the file system cannot reserve room (vfat: glibc's fallback reads the file, open
    # for writing only): nothing is known of the room, and the report is written.

    def cannot_reserve(fd: int, offset: int, length: int) -> None:
        raise OSError(errno.EBADF, os.strerror(errno.EBADF))

    monkeypatch.setattr(os, "posix_fallocate", cannot_reserve, raising=False)
    report.write_text("the last run's report\n")
    code, _, err = run(capsys, "app/inventory.py", "-o", "review.sarif")
    assert code == 1, err
    assert json.loads(report.read_text())["runs"][0]["results"]


def test_a_dash_as_the_output_is_the_standard_output(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str]
) -> None:
    """``-o -`` (as curl's, sort's, most tools'): the report went into a file named ``-`` in the
    current folder, and a pipe (``| jq``) read nothing."""
    code, out, err = run(capsys, "app/inventory.py", "-o", "-", "--format", "json")
    assert code == 1, err
    assert json.loads(out)["totals"]["critical"] == 1
    assert not (project / "-").exists()
    assert "(see the errors in -)" not in err


@pytest.mark.parametrize("to_a_device", [False, True])
def test_another_user_s_link_in_a_sticky_folder_is_not_followed(
    project: Path,
    fake_deepseek: FakeDeepSeek,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    to_a_device: bool,
) -> None:
    """``-o /tmp/review.sarif`` where another user had put a link of that name to a file of this
    user's (``~/.bashrc``): the report replaced the link's target, where the shell's ``>`` (and
    any open()) is refused, fs.protected_symlinks following no other user's link in a sticky
    folder anyone may write. Said before any request; a link of the user's own is followed. One
    to a device or a named pipe (the link's maker reading the report) was followed all the same
    where fs.protected_symlinks is off (as here): only a regular file's target was checked."""
    if os.geteuid() != 0:
        pytest.skip("needs root, to give the link another user")
    mine = tmp_path / "bashrc"
    mine.write_text("export PATH\n")
    link = project / "review.sarif"
    link.symlink_to(os.devnull if to_a_device else mine)
    os.lchown(link, 4321, 4321)
    project.chmod(0o1777)
    try:
        code, out, err = run(capsys, "app/inventory.py", "-o", "review.sarif")
        assert (code, out) == (2, "")
        assert err == "deepseek-lsp review: cannot write review.sarif: another user's link in a sticky folder\n"
        assert fake_deepseek.requests_to(CHAT) == []
        assert mine.read_text() == "export PATH\n" and link.is_symlink()
        os.lchown(link, os.geteuid(), os.getegid())
        code, _, err = run(capsys, "app/inventory.py", "-o", "review.sarif")
        assert code == 1, err
        assert link.is_symlink() and (to_a_device or json.loads(mine.read_text())["runs"][0]["results"])
    finally:
        project.chmod(0o755)


def test_another_user_s_link_to_a_folder_in_a_sticky_folder_is_not_followed(
    project: Path, fake_deepseek: FakeDeepSeek, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``-o /tmp/reports/review.sarif`` where another user had made ``/tmp/reports`` a link to
    a folder of this user's (``~/.config/autostart``): only the last part of the path was
    checked, and the report went into that folder, where the kernel follows no such link."""
    if os.geteuid() != 0:
        pytest.skip("needs root, to give the link another user")
    mine = tmp_path / "autostart"
    mine.mkdir()
    shared = project / "shared"
    shared.mkdir(mode=0o1777)
    shared.chmod(0o1777)  # (the umask took the sticky bit's neighbours)
    link = shared / "reports"
    link.symlink_to(mine, target_is_directory=True)
    os.lchown(link, 4321, 4321)
    code, out, err = run(capsys, "app/inventory.py", "-o", "shared/reports/review.sarif")
    assert (code, out) == (2, "")
    assert err == (
        "deepseek-lsp review: cannot write shared/reports/review.sarif: another user's link in a "
        "sticky folder\n"
    )
    assert fake_deepseek.requests_to(CHAT) == [] and list(mine.iterdir()) == []
    os.lchown(link, os.geteuid(), os.getegid())  # the user's own: followed
    code, _, err = run(capsys, "app/inventory.py", "-o", "shared/reports/review.sarif")
    assert code == 1, err
    assert json.loads((mine / "review.sarif").read_text())["runs"][0]["results"]



def test_a_checkout_git_calls_another_users_still_follows_its_gitignore(
    project: Path,
    fake_deepseek: FakeDeepSeek,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A CI container running as root over a checkout its runner's user owns: git refuses the
    repository ("detected dubious ownership"), and every file its .gitignore leaves out was
    reviewed, sent and paid for (a local settings file with its secrets among them). The
    .gitignore files are read as outside a repository (the repository's own config is not
    trusted); ``--changed``, which needs git's history, says what git refuses and how to trust
    it, where it said the checkout was no repository."""
    with (project / ".gitignore").open("a") as rules:
        rules.write("app/local_settings.py\n")
    local = "def f(row):\n    if row == None:\n        return 0\n"
    (project / "app" / "local_settings.py").write_text(local)
    # git's own stand-in for a repository another user owns
    monkeypatch.setenv("GIT_TEST_ASSUME_DIFFERENT_OWNER", "1")
    code, out, err = run(capsys, "app", "--format", "json", "--fail-on", "never")
    assert code == 0, err
    assert {f["path"] for f in json.loads(out)["files"]} == {"app/inventory.py", "app/util.js"}
    sent = "\n".join(r.json["messages"][-1]["content"] for r in fake_deepseek.requests_to(CHAT))
    assert "local_settings" not in sent
    code, out, err = run(capsys, "--changed", "--format", "github")
    assert code == 2 and out.startswith("::error ") and out.count("\n") == 1 and err == ""
    code, _, err = run(capsys, "--changed")
    assert code == 2 and "is in none" not in err
    assert f"git refuses the repository at {project} as another user's" in err
    assert f"git config --global --add safe.directory {project}" in err


def test_a_refused_checkout_s_own_gitignore_and_config_send_no_excluded_file(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A pull request controls the .gitignore files and, in a cached checkout, may have left a
    config: read as outside a repository, neither unignores what the exclude setting keeps out
    (a negation of config/secrets.py, an excludes file of the repository's own naming)."""
    (project / ".gitignore").write_text("generated/\n.venv/\nnode_modules/\n!config/secrets.py\n")
    (project / "nothing").write_text("")
    git(project, "config", "core.excludesFile", str(project / "nothing"))
    monkeypatch.setenv("GIT_TEST_ASSUME_DIFFERENT_OWNER", "1")
    code, out, err = run(capsys, ".", "--format", "json", "--fail-on", "never")
    assert code == 0, err
    files = {f["path"]: f for f in json.loads(out)["files"]}
    assert files["config/secrets.py"]["skipped"] == "excluded by the exclude setting"
    sent = "\n".join(r.json["messages"][-1]["content"] for r in fake_deepseek.requests_to(CHAT))
    assert "TOKEN" not in sent and "node_modules" not in sent and "out.py" not in sent


def test_a_refused_checkout_still_leaves_out_what_its_info_exclude_lists(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``.git/info/exclude`` holds what one clone leaves out and never commits (a scratch file
    with a token): run as another user (a container as root over the developer's checkout),
    the .gitignore files were followed and it was not, the file reviewed and sent."""
    (project / "app" / "scratch.py").write_text('API_TOKEN_NOTE = "mine"\n\ndef f(row):\n    return row\n')
    (project / ".git" / "info").mkdir(exist_ok=True)
    (project / ".git" / "info" / "exclude").write_text("# local\n/app/scratch.py\n")
    code, out, err = run(capsys, "app", "--format", "json", "--fail-on", "never")
    assert code == 0, err
    assert {f["path"] for f in json.loads(out)["files"]} == {"app/inventory.py", "app/util.js"}
    monkeypatch.setenv("GIT_TEST_ASSUME_DIFFERENT_OWNER", "1")
    code, out, err = run(capsys, "app", "--format", "json", "--fail-on", "never")
    assert code == 0, err
    assert {f["path"] for f in json.loads(out)["files"]} == {"app/inventory.py", "app/util.js"}
    sent = "\n".join(r.json["messages"][-1]["content"] for r in fake_deepseek.requests_to(CHAT))
    assert "scratch" not in sent and "API_TOKEN_NOTE" not in sent


def test_the_safe_directory_command_for_a_refused_checkout_runs_as_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pasted as said, the command trusts the checkout: of a path with a space, unquoted, git
    took its words as more values ("wrong number of arguments")."""
    from deepseek_lsp.review.changed import refused_repository

    checkout = tmp_path / "my projects" / "shop"
    checkout.mkdir(parents=True)
    git(checkout, "init", "-q")
    monkeypatch.setenv("GIT_TEST_ASSUME_DIFFERENT_OWNER", "1")
    said = refused_repository(checkout)
    assert said is not None
    command = said.split("`")[1]
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home)}
    env.pop("GIT_CONFIG_GLOBAL", None)
    subprocess.run(command, shell=True, env=env, check=True, capture_output=True)
    trusted = subprocess.run(
        ["git", "rev-parse", "--show-toplevel"], cwd=checkout, env=env, capture_output=True, text=True
    )
    assert trusted.returncode == 0 and trusted.stdout.strip() == str(checkout)


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("shop\nold\x1b[31m", "shop\\nold\\x1b[31m"),
        # Not UTF-8 (a Latin-1 name): its byte was printed as Python's "\udce9", which the
        # command, pasted, took for six characters of the path: another folder trusted.
        (os.fsdecode(b"caf\xe9 shop"), "$'"),
    ],
)
def test_a_refused_checkout_with_a_control_character_in_its_path_is_named_escaped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, shown: str
) -> None:
    """A checkout's folder named with a line break (or an ESC): git's message quotes it over
    two lines, which were not read as a refusal (the advice lost, "in none"); an ESC was
    printed raw into the terminal. It is named escaped, and the command, pasted into bash,
    trusts it."""
    from deepseek_lsp.review.changed import refused_repository

    checkout = tmp_path / name
    checkout.mkdir()
    git(checkout, "init", "-q")
    monkeypatch.setenv("GIT_TEST_ASSUME_DIFFERENT_OWNER", "1")
    said = refused_repository(checkout)
    assert said is not None and "\n" not in said and "\x1b" not in said, said
    printed = said.encode("utf-8", "backslashreplace")  # as stderr writes it
    command = printed.split(b"`")[1]
    assert shown.encode() in printed and b"\\udc" not in command, printed
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home)}
    env.pop("GIT_CONFIG_GLOBAL", None)
    subprocess.run([b"bash", b"-c", command], env=env, check=True, capture_output=True)
    trusted = subprocess.run(
        ["git", "rev-parse", "--show-toplevel"], cwd=checkout, env=env, capture_output=True
    )
    assert trusted.returncode == 0 and trusted.stdout.strip() == os.fsencode(checkout)


@pytest.mark.parametrize(
    ("where", "commands"),
    [
        # Double quotes: the one quoting cmd.exe and PowerShell (and Git Bash) read alike.
        ("C:/Users/me/my projects/shop", ['"C:/Users/me/my projects/shop"']),
        ("C:/src/shop", ["C:/src/shop"]),
        # $ and ` are PowerShell's in double quotes, % cmd.exe's: one command for each.
        ("C:/it's $5/shop", ['cmd.exe: "C:/it\'s $5/shop"', "PowerShell: 'C:/it''s $5/shop'"]),
        ("D:/100%/shop", ['cmd.exe: "D:/100%/shop"', "PowerShell: 'D:/100%/shop'"]),
        # cmd.exe expands %NAME% inside double quotes too: each % out of them, as ^%.
        ("C:/Users/%USERNAME%/shop", ['cmd.exe: "C:/Users/"^%"USERNAME"^%"/shop"',
                                      "PowerShell: 'C:/Users/%USERNAME%/shop'"]),
        ("C:\\Users\\%USERNAME%\\my shop", ['cmd.exe: "C:\\Users\\\\"^%"USERNAME"^%"\\my shop"',
                                          "PowerShell: 'C:\\Users\\%USERNAME%\\my shop'"]),
        # A comma outside quotes makes PowerShell pass two arguments ("C:/src/a" and "b").
        ("C:/src/a,b", ['"C:/src/a,b"']),
        # PowerShell's quotes are typographic ones too: ’ ends '…', “ and ” end "…".
        ("C:/Kim’s $5", ['cmd.exe: "C:/Kim’s $5"', "PowerShell: 'C:/Kim’’s $5'"]),
        ("C:/my “best” code", ['cmd.exe: "C:/my “best” code"', "PowerShell: 'C:/my “best” code'"]),
    ],
)
def test_the_safe_directory_command_on_windows_is_quoted_for_its_shells(
    where: str, commands: list[str]
) -> None:
    """On Windows the command was quoted for a POSIX shell: cmd.exe takes no single quotes,
    and a path with a space went to git as two values ("wrong number of arguments")."""
    from deepseek_lsp.review.safe_directory import safe_directory_advice

    said = safe_directory_advice(where, windows=True)
    parts = said.split("`")
    got = []
    for before, command in zip(parts[0::2], parts[1::2], strict=False):
        shell = before.split()[-1]
        assert command.startswith("git config --global --add safe.directory "), said
        quoted = command.removeprefix("git config --global --add safe.directory ")
        got.append(f"{shell}: {quoted}" if shell in ("cmd.exe", "PowerShell") else quoted)
    assert got == commands, said


@pytest.mark.parametrize("where", ["its own .git folder", "the folder its .git file names"])
def test_a_refused_checkout_s_exclude_file_that_is_a_named_pipe_is_not_waited_on(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch, where: str,
) -> None:
    """A checkout git refuses (another user's, or a broken ``.git`` an unpacked archive
    brings) whose ``info/exclude`` is a named pipe, or names one through a ``gitdir:`` file:
    git never opens it there, and its read for the review waited for a writer for good (the
    language server's crawl with it, and the server's exit). Its .gitignore still rules."""
    (project / "app" / "scratch.py").write_text("def f(row):\n    return row\n")
    with (project / ".gitignore").open("a") as rules:
        rules.write("app/local_settings.py\n")
    (project / "app" / "local_settings.py").write_text("def g(row):\n    return row\n")
    info = project / ".git" / "info"
    if where == "the folder its .git file names":
        (project / ".git").rename(project / ".real-git")
        (project / ".git").write_text("gitdir: .real-git\n")
        info = project / ".real-git" / "info"
    info.mkdir(exist_ok=True)
    (info / "exclude").unlink(missing_ok=True)
    os.mkfifo(info / "exclude")
    done = threading.Event()

    def writer() -> None:  # failing, the test ends, slow, instead of hanging
        if not done.wait(5.0):
            with open(info / "exclude", "wb"):
                pass

    threading.Thread(target=writer, daemon=True).start()
    monkeypatch.setenv("GIT_TEST_ASSUME_DIFFERENT_OWNER", "1")
    started = time.monotonic()
    try:
        code, out, err = run(capsys, "app", "--format", "json", "--fail-on", "never")
    finally:
        done.set()
    assert time.monotonic() - started < 3.0, "the pipe was read"
    assert code == 0, err
    assert {f["path"] for f in json.loads(out)["files"]} == {
        "app/inventory.py", "app/util.js", "app/scratch.py"
    }


def test_github_and_sarif_columns_agree_in_utf16_units_after_cjk_and_emoji(tmp_path: Path) -> None:
    """GitHub's workflow commands take 1-based ``col`` and ``endColumn`` with no unit said; the
    runner (C#) passes them on as they are, GitHub's own problem matchers (setup-node's ESLint
    and tsc) feed it UTF-16 columns, and code scanning reads SARIF's in UTF-16 units
    (``columnKind`` utf16CodeUnits, which the log says). The github format counted code points:
    after an emoji (two UTF-16 units) its annotation began a column before the SARIF result's
    for the same finding, and ended two before where an emoji is inside it."""
    text = "def f(row):\n    名前 = '🦊🦊'; ok = row == None or '🐍' in row\n    return ok\n"
    path = tmp_path / "mod.py"
    doc = Document(path.as_uri(), text, language=LanguageRegistry.load().get("python"))
    raws = [(RawFinding("warning", "row == None or '🐍' in row", "Use is.", None, 0.9, 2), (), "f", "function")]
    findings, _ = place_findings(Placer(doc), raws, min_confidence=0.5, min_severity="info")
    result = FileResult(str(path), doc, findings)
    line = text.splitlines()[1]
    before = line[: line.index("row == None")]
    col = len(before.encode("utf-16-le")) // 2 + 1
    end = col + len("row == None or '🐍' in row".encode("utf-16-le")) // 2
    # Two emoji before it, one in it: two UTF-16 units each, one code point.
    assert (col, end - col) == (len(before) + 1 + 2, len("row == None or '🐍' in row") + 1)
    [annotation, _] = to_github([result], root=tmp_path).splitlines()
    assert annotation.startswith(f"::warning file=mod.py,line=2,col={col},endLine=2,endColumn={end},"), annotation
    [sarif] = to_sarif([result], root=tmp_path)["runs"][0]["results"]
    region = sarif["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"], region["endLine"], region["endColumn"]) == (2, col, 2, end)
    # The text report, read on a terminal, counts characters (code points), as editors' "Go to".
    assert f"mod.py:2:{len(before) + 1}: warning" in to_text([result])
