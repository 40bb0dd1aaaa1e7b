"""The persisted review store: reviews by unit hash, ignored findings, and damaged files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from deepseek_lsp.review.cache import FILENAME, ReviewCache
from deepseek_lsp.review.findings import RawFinding

FINDING = RawFinding("warning", "x = load()", "Unchecked.", "x = load() or {}", 0.7, 3)


def test_reviews_and_ignored_findings_persist(tmp_path: Path) -> None:
    path = tmp_path / FILENAME
    cache = ReviewCache(path)
    assert cache.get("k") is None
    cache.put("k", [FINDING], "deepseek-v4-pro")
    cache.put("empty", [], "deepseek-v4-pro")
    cache.ignore("fp1", "Unchecked.")
    cache.close()
    again = ReviewCache(path)
    assert again.get("k") == [FINDING]
    assert again.get("empty") == []  # reviewed, nothing found: not the same as never reviewed
    assert again.ignored() == frozenset({"fp1"})
    again.unignore("fp1")
    assert again.ignored() == frozenset()
    assert len(again) == 2


def test_default_location_follows_the_state_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEEPSEEK_LSP_STATE_DIR", str(tmp_path / "state"))
    cache = ReviewCache.default()
    assert cache.path == tmp_path / "state" / FILENAME
    cache.put("k", [], "m")
    cache.close()
    assert (tmp_path / "state" / FILENAME).is_file()
    mode = (
        sqlite3.connect(tmp_path / "state" / FILENAME).execute("PRAGMA journal_mode").fetchone()[0]
    )
    assert mode == "wal"


def test_a_damaged_file_is_set_aside_and_rebuilt_with_one_message(tmp_path: Path) -> None:
    path = tmp_path / FILENAME
    path.write_bytes(b"this is not a database, " * 200)
    messages: list[str] = []
    cache = ReviewCache(path, on_problem=messages.append)
    cache.put("k", [FINDING], "m")
    assert cache.get("k") == [FINDING]
    assert len(messages) == 1 and "moved it to" in messages[0]
    aside = [p for p in tmp_path.iterdir() if p.name.startswith(f"{FILENAME}.corrupt-")]
    assert len(aside) == 1 and aside[0].read_bytes().startswith(b"this is not a database")


def test_a_file_from_another_schema_starts_over(tmp_path: Path) -> None:
    path = tmp_path / FILENAME
    cache = ReviewCache(path)
    cache.put("k", [FINDING], "m")
    cache.ignore("fp", "m")
    cache.close()
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value = '999' WHERE key = 'schema'")
    db.commit()
    db.close()
    again = ReviewCache(path)
    assert again.get("k") is None
    assert again.ignored() == frozenset({"fp"})  # what the user said is kept


def test_prune_keeps_the_most_recently_used(tmp_path: Path) -> None:
    cache = ReviewCache(tmp_path / FILENAME)
    for i in range(5):
        cache.put(f"k{i}", [], "m")
    cache.get("k0")  # used again: kept
    cache.prune(max_entries=2)
    assert len(cache) == 2
    assert cache.get("k0") == []


def test_unusable_state_dir_falls_back_to_memory(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    messages: list[str] = []
    cache = ReviewCache(blocker / "sub" / FILENAME, on_problem=messages.append)
    cache.put("k", [], "m")
    assert cache.get("k") == [] and cache.path is None and len(messages) == 1
