"""Shared SQLite files: a file another process is still creating, or holds for a moment, is
waited for instead of being taken for damaged (and moved aside) or unusable."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from deepseek_lsp.storage import is_busy, looks_damaged, open_shared, replace_file


def flaky(errors: list[str]):
    calls = []

    def connect() -> str:
        calls.append(1)
        if errors:
            raise sqlite3.DatabaseError(errors.pop(0))
        return "connection"

    return connect, calls


def test_a_file_still_being_created_is_waited_for() -> None:
    connect, calls = flaky(["file is not a database", "database is locked"])
    assert open_shared(connect, first_delay=0.001) == "connection"
    assert len(calls) == 3


def test_a_persistent_error_is_raised_after_the_attempts() -> None:
    connect, calls = flaky(["file is not a database"] * 10)
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        open_shared(connect, attempts=4, first_delay=0.001)
    assert len(calls) == 4


def test_other_errors_are_raised_at_once() -> None:
    connect, calls = flaky(["unable to open database file"])
    with pytest.raises(sqlite3.DatabaseError):
        open_shared(connect, first_delay=0.001)
    assert len(calls) == 1


def test_error_kinds() -> None:
    assert is_busy(sqlite3.OperationalError("database is locked"))
    assert looks_damaged(sqlite3.DatabaseError("file is not a database"))
    assert not is_busy(sqlite3.DatabaseError("file is not a database"))
    assert not looks_damaged(sqlite3.OperationalError("database is locked"))


@pytest.mark.parametrize("where", ["a file", "a folder inside a file"])
def test_an_unusable_state_folder_is_told_once_and_completions_go_on(tmp_path, fake_deepseek, where) -> None:
    """DEEPSEEK_LSP_STATE_DIR naming a file (or a read-only disk, a folder the user may not
    write): the editor popped up two warnings for the one cause, the first not saying why
    ("cannot create …"), the second an errno ("[Errno 17] File exists"), neither saying what to
    do. One message now says why, what is lost and which variable to change."""
    from tests.fake_deepseek import DEFAULT_KEY
    from tests.harness import server_env
    from tests.raw_lsp import RawServer

    afile = tmp_path / "state"
    afile.write_text("not a folder")
    state = afile if where == "a file" else afile / "deepseek-lsp"
    # Forked from the zygote: the state folder is read at the start of main, not at import.
    server = RawServer(server_env(fake_deepseek.url, api_key=DEFAULT_KEY, state_dir=str(state)), forked=True)
    uri = (tmp_path / "add.py").as_uri()
    try:
        server.initialize()
        server.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "python", "version": 1, "text": "def add(a, b):\n    "}})
        answer = server.call("textDocument/inlineCompletion", {
            "textDocument": {"uri": uri}, "position": {"line": 1, "character": 4}, "context": {"triggerKind": 1}}, timeout=20)
        assert answer["result"]["items"][0]["insertText"].strip() == "return a + b"
        usage = server.call("deepseek/usage")["result"]
        assert usage["session"]["total"]["requests"] >= 1  # counted, in memory
        assert "error" not in server.call("shutdown")
        shown = [m["params"]["message"] for m in server.messages if m.get("method") == "window/showMessage"]
    finally:
        server.kill()
    assert len(shown) == 1, shown
    message = shown[0]
    assert str(state) in message and "not a folder" in message
    assert "memory" in message and "reviews" in message and "DEEPSEEK_LSP_STATE_DIR" in message
    assert afile.read_text() == "not a folder"  # nothing of the user's was touched


def test_a_report_whose_mode_cannot_be_set_is_written_and_leaves_no_open_file_nor_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A chmod refused (a file system without modes, FAT's EPERM) leaked the temporary's
    descriptor, and on Windows the open temporary could not be removed; then it failed the
    write, which open() would have made. A write refused still leaves the last file whole."""

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise PermissionError(1, "Operation not permitted")

    target = tmp_path / "report.sarif"
    target.write_text("last report")
    before = set(os.listdir("/proc/self/fd"))
    monkeypatch.setattr(os, "chmod", refuse)
    replace_file(target, b"new report", prefix=".report-", mode=0o644)
    assert target.read_text() == "new report"
    with pytest.raises(TypeError):
        replace_file(target, "not bytes", prefix=".report-", mode=0o644)  # type: ignore[arg-type]
    monkeypatch.undo()
    assert set(os.listdir("/proc/self/fd")) <= before
    assert [p.name for p in tmp_path.iterdir()] == ["report.sarif"]
    assert target.read_text() == "new report"
