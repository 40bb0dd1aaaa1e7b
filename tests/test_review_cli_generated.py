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


def test_a_generated_file_is_counted_as_generated_whatever_its_size_or_how_it_is_marked(
    generated_project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str]
) -> None:
    """A pull request regenerating a 1.2 MB protoc module, and an API client its repository marks
    ``linguist-generated`` in .gitattributes (GitHub folds such a file in the pull request's
    diff; the generator writes no header). The large one was "not reviewed: larger than
    1000000 bytes", a warning annotation on every pull request touching it; the marked one was
    sent whole, all its functions. Both are counted as generated; named, the marked one is
    reviewed, and one the attributes unmark (``-linguist-generated``) is reviewed too."""
    root = generated_project
    (root / ".gitattributes").write_text("app/api/** linguist-generated=true\napp/api/hand_*.py -linguist-generated\n")
    (root / "app" / "api").mkdir()
    client = "".join(f"def call_{i}(row):\n    if row == None:\n        return {i}\n    return 0\n\n\n" for i in range(40))
    (root / "app" / "api" / "client.py").write_text(client)
    (root / "app" / "api" / "hand_client.py").write_text(CODE)
    large = root / "app" / "large_pb2.py"
    large.write_text(PROTOC + "\n" + "".join(f"TABLE_{i} = {list(range(40))}\n" for i in range(7000)))
    assert large.stat().st_size > 1_000_000
    commit(root, "generated files")
    (root / "app" / "api" / "client.py").write_text(client.replace("return 7", "return 8"))
    (root / "app" / "api" / "hand_client.py").write_text(CODE.replace("return 1", "return 2"))
    large.write_text(large.read_text().replace("TABLE_9 =", "TABLE_9a ="))

    code, out, err = run(capsys, "--changed", "--format", "github", "--fail-on", "never")
    assert code == 0, err
    assert "Not reviewed" not in out and "large_pb2" not in out, out
    assert out.rstrip().endswith(SKIPPED)
    assert "File: app/api/client.py" not in sent_text(fake_deepseek)
    assert "File: app/api/hand_client.py" in sent_text(fake_deepseek)
    code, out, _ = run(capsys, "--changed", "--format", "json", "--fail-on", "never")
    files = {f["path"]: f["skipped"] for f in json.loads(out)["files"]}
    assert files["app/large_pb2.py"] == 'generated (marked "DO NOT EDIT")'
    assert files["app/api/client.py"] == "generated (marked linguist-generated in .gitattributes)"
    assert files["app/api/hand_client.py"] is None

    code, out, _ = run(capsys, "app", "--format", "json", "--fail-on", "never")
    files = {f["path"]: f["skipped"] for f in json.loads(out)["files"]}
    assert files["app/api/client.py"] == "generated (marked linguist-generated in .gitattributes)"

    code, out, _ = run(capsys, "app/api/client.py", "--format", "json", "--fail-on", "never")
    assert json.loads(out)["files"][0]["skipped"] is None
    assert "File: app/api/client.py" in sent_text(fake_deepseek)


def test_a_marked_generated_file_that_is_not_text_is_counted_as_generated(
    generated_project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str]
) -> None:
    """A generated file .gitattributes marks ``linguist-generated`` that is no UTF-8 text (a
    protoc descriptor set checked in as ``.js``, a Latin-1 table) was "not reviewed: binary
    file", a warning annotation on each pull request regenerating it, though the repository
    says it is generated: it is counted as generated, as its text twin is."""
    root = generated_project
    (root / ".gitattributes").write_text("app/gen/** linguist-generated\n")
    (root / "app" / "gen").mkdir()
    (root / "app" / "gen" / "descriptor.js").write_bytes(b"\x0a\x0bitems.proto\x00\x12\x03pkg")
    (root / "app" / "gen" / "table.py").write_bytes("NAMES = ['Zoë']\n".encode("latin-1"))
    (root / "app" / "items_pb2.py").unlink()
    (root / "app" / "app.js").unlink()
    commit(root, "generated files")

    code, out, err = run(capsys, "app", "--format", "github", "--fail-on", "never")
    assert code == 0, err
    assert "Not reviewed" not in out and "descriptor" not in out and "table.py" not in out, out
    assert out.rstrip().endswith(SKIPPED)
    code, out, _ = run(capsys, "app", "--format", "json", "--fail-on", "never")
    files = {f["path"]: f["skipped"] for f in json.loads(out)["files"]}
    assert files["app/gen/descriptor.js"] == files["app/gen/table.py"] == (
        "generated (marked linguist-generated in .gitattributes)"
    )
