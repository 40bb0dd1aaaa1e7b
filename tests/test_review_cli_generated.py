"""``deepseek-lsp review`` of a folder leaves out generated and minified files, as a save in the
editor does (a ``DO NOT EDIT`` protoc module and a 300 kB one-line bundle were sent whole to the
large model), says how many in its closing line, and reviews such a file when it is named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.fake_deepseek import FakeDeepSeek
from tests.review_support import reviewer
from tests.test_review_cli import CHAT, run
from tests.test_review_cli import project as cli_project
from tests.test_review_cli_ci import commit, sent_text
from tests.test_review_generated import CODE, MINIFIED, PROTOC, ROW

#: The project of tests/test_review_cli.py: app/inventory.py and app/util.js, one commit on main.
project = cli_project
SKIPPED = "2 generated files skipped (name a file on the command line to review it)"


@pytest.fixture
def generated_project(project: Path, fake_deepseek: FakeDeepSeek) -> Path:
    """The project with a protoc module, a minified bundle and a hand-written file beside them."""
    (project / "app" / "items_pb2.py").write_text(PROTOC)
    (project / "app" / "app.js").write_text(MINIFIED)
    (project / "app" / "hand.py").write_text(CODE)
    fake_deepseek.responder(reviewer([ROW]), path=CHAT)
    return project


def test_a_folders_generated_files_are_not_sent_and_the_summary_counts_them(
    generated_project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "app", "--fail-on", "never")
    assert code == 0, err
    sent = sent_text(fake_deepseek)
    assert "File: app/hand.py" in sent and "File: app/inventory.py" in sent
    assert "items_pb2" not in sent and "function f0" not in sent
    # Counted once at the end, not a line each (a Go module's hundreds of .pb.go files).
    assert "items_pb2.py" not in out and "app.js" not in out
    assert out.rstrip().splitlines()[-1].endswith(SKIPPED)
    assert "3 files reviewed" in out and "not reviewed" not in out

    code, out, _ = run(capsys, "app", "--format", "json", "--fail-on", "never")
    files = {f["path"]: f for f in json.loads(out)["files"]}
    assert files["app/items_pb2.py"]["skipped"] == 'generated (marked "DO NOT EDIT")'
    assert files["app/app.js"]["skipped"] == "generated (minified, with lines of 1000 characters or more)"
    assert files["app/hand.py"]["skipped"] is None and len(files["app/hand.py"]["findings"]) == 1

    code, out, _ = run(capsys, "app", "--format", "github", "--fail-on", "never")
    assert "Not reviewed" not in out and out.rstrip().splitlines()[-1].endswith(SKIPPED)


def test_a_generated_file_named_on_the_command_line_is_reviewed(
    generated_project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "app/items_pb2.py", "app/hand.py", "--format", "json", "--fail-on", "never")
    assert code == 0, err
    files = {f["path"]: f for f in json.loads(out)["files"]}
    assert files["app/items_pb2.py"]["skipped"] is None
    assert [f["message"] for f in files["app/items_pb2.py"]["findings"]] == [ROW.message]
    assert "File: app/items_pb2.py" in sent_text(fake_deepseek)


def test_changed_leaves_out_a_changed_generated_file_unless_it_is_named(
    generated_project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str]
) -> None:
    commit(generated_project, "generated files")
    pb2 = generated_project / "app" / "items_pb2.py"
    pb2.write_text(PROTOC.replace("return 1", "return 2"))
    code, out, err = run(capsys, "--changed", "--fail-on", "never")
    assert code == 0, err
    assert fake_deepseek.requests_to(CHAT) == []
    assert out.rstrip().endswith("1 generated file skipped (name a file on the command line to review it)")

    code, out, err = run(capsys, "--changed", "app/items_pb2.py", "--format", "json", "--fail-on", "never")
    assert code == 0, err
    assert [f["path"] for f in json.loads(out)["files"]] == ["app/items_pb2.py"]
    assert "File: app/items_pb2.py" in sent_text(fake_deepseek)
