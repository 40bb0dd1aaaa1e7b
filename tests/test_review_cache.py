"""The persisted review store: reviews by unit hash, ignored findings, and damaged files."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from deepseek_lsp.review.answer import RawFinding
from deepseek_lsp.review.cache import FILENAME, ReviewCache

FINDING = RawFinding("warning", "x = load()", "Unchecked.", "x = load() or {}", 0.7, 3)
APP, SHOP = "/work/app", "/work/shop"


def test_reviews_and_ignored_findings_persist(tmp_path: Path) -> None:
    path = tmp_path / FILENAME
    cache = ReviewCache(path)
    assert cache.get("k") is None
    cache.put("k", [FINDING], "deepseek-v4-pro")
    cache.put("empty", [], "deepseek-v4-pro")
    cache.ignore("fp1", "Unchecked.", project=APP)
    cache.close()
    again = ReviewCache(path)
    assert again.get("k") == [FINDING]
    assert again.get("empty") == []  # reviewed, nothing found: not the same as never reviewed
    assert again.ignored(APP) == frozenset({"fp1"})
    again.unignore("fp1", project=APP)
    assert again.ignored(APP) == frozenset()
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
    cache.ignore("fp", "m", project=APP)
    cache.close()
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value = '999' WHERE key = 'schema'")
    db.commit()
    db.close()
    again = ReviewCache(path)
    assert again.get("k") is None
    assert again.ignored(APP) == frozenset({"fp"})  # what the user said is kept


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


def test_an_ignore_belongs_to_its_project_and_is_shown_again_there_only(tmp_path: Path) -> None:
    """The same code and message was hidden in every project the user opened, and showing the
    ignored findings again brought back every project's."""
    cache = ReviewCache(tmp_path / FILENAME)
    cache.ignore("fp-both", "Unchecked.", project=APP)
    cache.ignore("fp-both", "Unchecked.", project=SHOP)
    cache.ignore("fp-app", "Unchecked.", project=APP)
    assert cache.ignored(APP) == frozenset({"fp-both", "fp-app"})
    assert cache.ignored(SHOP) == frozenset({"fp-both"})
    assert cache.ignored("/work/other") == frozenset()
    assert cache.unignore_all(APP) == 2
    assert cache.ignored(APP) == frozenset() and cache.ignored(SHOP) == frozenset({"fp-both"})
    assert cache.unignore_all(APP) == 0


def test_ignores_made_before_projects_hold_everywhere_until_a_project_shows_them_again(tmp_path: Path) -> None:
    """An ignore of an earlier version, no project known: still honoured in every project, and
    shown again in the one asked only; one such version still running goes on writing them."""
    path = tmp_path / FILENAME
    ReviewCache(path).close()
    with sqlite3.connect(path) as db:  # as an earlier version wrote them
        db.execute("INSERT INTO ignored VALUES ('fp-old', 'Unchecked.', 1000.0)")
    cache = ReviewCache(path)
    cache.ignore("fp-new", "Unchecked.", project=APP)
    assert cache.ignored(APP) == frozenset({"fp-old", "fp-new"})
    assert cache.ignored(SHOP) == frozenset({"fp-old"})
    assert cache.unignore_all(APP) == 2
    assert cache.ignored(APP) == frozenset() and cache.ignored(SHOP) == frozenset({"fp-old"})
    assert cache.unignore_all(APP) == 0
    with sqlite3.connect(path) as db:  # the earlier version, in another window, since
        db.execute("INSERT INTO ignored VALUES ('fp-later', 'Unchecked.', ?)", (time.time() + 1,))
    assert cache.ignored(APP) == frozenset({"fp-later"})
    assert cache.ignored(SHOP) == frozenset({"fp-old", "fp-later"})
    cache.close()
    assert ReviewCache(path).ignored(APP) == frozenset({"fp-later"})
