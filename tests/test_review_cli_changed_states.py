"""``deepseek-lsp review --changed`` in the states a working repository passes through: a
merge or rebase stopped at a conflict."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.fake_deepseek import FakeDeepSeek
from tests.harness import cli_command
from tests.review_support import reviewed_units
from tests.test_review_cli import CHAT, git, run
from tests.test_review_cli import project as cli_project
from tests.test_review_cli_ci import commit

#: The project of tests/test_review_cli.py: app/inventory.py and app/util.js, one commit on main.
project = cli_project


def conflicting_branches(project: Path) -> None:
    """main and feature each change ``twice`` in app/util.js; feature also edits inventory.py."""
    util = project / "app" / "util.js"
    git(project, "checkout", "-q", "-b", "feature")
    util.write_text("export function twice(x) {\n  return x + x;\n}\n")
    inventory = project / "app" / "inventory.py"
    inventory.write_text(inventory.read_text().replace("        total += item.quantity", "        total += 1.0 * item.quantity"))
    commit(project, "feature")
    git(project, "checkout", "-q", "main")
    util.write_text("export function twice(x) {\n  return 2 * x;\n}\n")
    commit(project, "main moves on")
    git(project, "checkout", "-q", "feature")


@pytest.mark.parametrize("stopped_at", ["merge", "rebase"])
def test_a_file_left_in_conflict_is_named_not_sent_with_its_markers(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str], stopped_at: str
) -> None:
    """Mid-merge (or mid-rebase), a file git holds unmerged has ``<<<<<<<`` markers and both
    sides' code: it was sent as the change, the model paid to read both versions and the
    markers, and its findings pointed at code that is about to go. It is named as not reviewed,
    with what to do; the files the merge took cleanly are reviewed."""
    conflicting_branches(project)
    stop = subprocess.run(
        ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", stopped_at, "main"],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert stop.returncode != 0 and "<<<<<<<" in (project / "app" / "util.js").read_text()
    code, out, err = run(capsys, "--changed", "--base", "main", "--format", "json", "--fail-on", "never")
    assert code == 0, err
    files = {f["path"]: f for f in json.loads(out)["files"]}
    assert "resolve" in (files["app/util.js"]["skipped"] or "")
    sent = "\n".join(r.json["messages"][-1]["content"] for r in fake_deepseek.requests_to(CHAT))
    assert "<<<<<<<" not in sent and "File: app/util.js" not in sent
    # The rebase's HEAD is main's, the commit it applies staged: its clean edit is the change.
    assert files["app/inventory.py"]["skipped"] is None and "File: app/inventory.py" in sent
    code, out, _ = run(capsys, "--changed", "--base", "main", "--fail-on", "never")
    assert "app/util.js: not reviewed: " in out and "resolve" in out


def test_a_folders_file_left_in_conflict_is_named_not_sent(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str]
) -> None:
    """``review .`` mid-merge sent the conflicted file whole, both sides and the markers."""
    conflicting_branches(project)
    stop = subprocess.run(["git", "merge", "main"], cwd=project, capture_output=True, text=True)
    assert stop.returncode != 0
    code, out, err = run(capsys, "app", "--format", "json", "--fail-on", "never")
    assert code == 0, err
    files = {f["path"]: f for f in json.loads(out)["files"]}
    assert "resolve" in (files["app/util.js"]["skipped"] or "")
    sent = "\n".join(r.json["messages"][-1]["content"] for r in fake_deepseek.requests_to(CHAT))
    assert "<<<<<<<" not in sent and "File: app/util.js" not in sent and "File: app/inventory.py" in sent



def review_changed(project: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    """The command as a CI job runs it, a process of its own: its exit status, JSON report and stderr."""
    command, env = cli_command(["review", "--changed", "--base", "main", "--format", "json", *args], dict(os.environ))
    done = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=120)
    return done.returncode, json.loads(done.stdout), done.stderr


def test_a_link_the_change_adds_is_not_its_target_reviewed_again(
    project: Path, fake_deepseek: FakeDeepSeek
) -> None:
    """A branch adding ``app/current.py -> inventory.py`` (a compatibility alias): git's diff of
    the link is its one line, the target's name, and that line was reviewed in the target,
    which the branch never touched: a request paid for and a finding on unchanged code. With
    the target changed too, the target was reported twice, the link's unit among its findings.
    A link to a folder (``lib -> app``) was named a submodule, by its target's name."""
    git(project, "checkout", "-q", "-b", "feature")
    (project / "app" / "current.py").symlink_to("inventory.py")
    (project / "lib").symlink_to("app")
    commit(project, "aliases")
    code, report, err = review_changed(project)
    assert code == 0 and "submodule" not in err, err
    assert report["files"] == [] and fake_deepseek.requests_to(CHAT) == []
    inventory = project / "app" / "inventory.py"
    inventory.write_text(inventory.read_text().replace("if row == None:", "if row == None:  # not found"))
    commit(project, "edit")
    code, report, err = review_changed(project, "--fail-on", "never")
    assert code == 0, err
    assert [f["path"] for f in report["files"]] == ["app/inventory.py"]
    assert [u for r in fake_deepseek.requests_to(CHAT) for u in reviewed_units(r.json)] == ["find_item"]
