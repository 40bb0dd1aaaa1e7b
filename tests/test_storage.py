"""Shared SQLite files: a file another process is still creating, or holds for a moment, is
waited for instead of being taken for damaged (and moved aside) or unusable."""

from __future__ import annotations

import sqlite3

import pytest

from deepseek_lsp.storage import is_busy, looks_damaged, open_shared


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
