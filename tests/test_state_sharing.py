"""State shared on disk by several processes (two editor windows, an editor and the review CLI)
and kept for long sessions: the review cache and the usage ledger.

* A write that fails for want of space is not corruption: the review cache, with the findings
  the user chose to ignore, stays where it is.
* Two processes opening a new review cache at once both get it.
* Files holding the user's code are the user's alone.
* A server that keeps a ledger open while another process sets the file aside (it found it
  damaged at its start) writes on in the new file: its spend still counts in the day's total.
* Two that meet the same damage keep the new file the first one started, and a window's
  requests under way hold the budget in the new file as in the old.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from deepseek_lsp.model.ledger import DB_NAME, Ledger
from deepseek_lsp.model.types import Usage
from deepseek_lsp.review.answer import RawFinding
from deepseek_lsp.review.cache import FILENAME, ReviewCache

ROOT = Path(__file__).resolve().parents[1]
FINDING = RawFinding("warning", "x = load()", "Unchecked.", "x = load() or {}", 0.7, 3)
PROJECT = "/work/app"


def test_a_full_disk_keeps_the_review_cache_and_the_ignored_findings(tmp_path: Path) -> None:
    path = tmp_path / FILENAME
    messages: list[str] = []
    cache = ReviewCache(path, on_problem=messages.append)
    cache.put("k", [FINDING], "m")
    cache.ignore("fp1", "Unchecked.", project=PROJECT)
    # The disk fills up: the next write that needs a page gets SQLITE_FULL ("database or disk
    # is full"), as SQLite reports a full disk.
    pages = cache._db.execute("PRAGMA page_count").fetchone()[0]
    cache._db.execute(f"PRAGMA max_page_count = {pages}")
    cache.put("big", [RawFinding("warning", "y = 2", "z" * 100_000, None, 0.5, 1)], "m")
    # Nothing was wrong with the file: what it holds is still there, nothing was set aside,
    # and the user is not told it was unreadable.
    assert cache.ignored(PROJECT) == frozenset({"fp1"})
    assert cache.get("k") == [FINDING]
    assert not [p for p in tmp_path.iterdir() if ".corrupt-" in p.name]
    assert not [m for m in messages if "unreadable" in m]
    cache.close()
    again = ReviewCache(path)
    assert again.ignored(PROJECT) == frozenset({"fp1"})  # the ignored finding stays ignored
    assert again.get("k") == [FINDING]
    again.close()


def test_two_processes_opening_a_new_review_cache_at_once_both_keep_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two editor windows (or a window and a CI review) starting on a new state folder: the
    second one looks for the schema row after the first looked and before it wrote it. The
    moment is forced with SQLite's statement trace; each cache runs in its own thread, on its
    own connection, as two processes would."""
    path = tmp_path / FILENAME
    real_connect = sqlite3.connect
    b_looked, a_wrote = threading.Event(), threading.Event()

    def connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        db = real_connect(*args, **kwargs)
        me = threading.current_thread().name
        wrote = False

        def trace(sql: str) -> None:
            nonlocal wrote
            if me == "A":
                if wrote:
                    a_wrote.set()  # A's schema row is committed (autocommit)
                elif "INTO meta" in sql:
                    b_looked.wait(5)
                    wrote = True
            elif me == "B" and "INTO meta" in sql:
                b_looked.set()  # B read the meta table and is about to write its row
                a_wrote.wait(5)

        db.set_trace_callback(trace)
        return db

    monkeypatch.setattr(sqlite3, "connect", connect)
    caches: dict[str, ReviewCache] = {}
    messages: list[str] = []

    def open_cache() -> None:
        caches[threading.current_thread().name] = ReviewCache(path, on_problem=messages.append)

    threads = [threading.Thread(target=open_cache, name=name) for name in ("A", "B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    monkeypatch.undo()
    assert messages == []  # neither was told "reviews will not be remembered"
    assert caches["A"].path == caches["B"].path == path
    caches["B"].put("k", [FINDING], "m")
    caches["B"].ignore("fp", "Unchecked.", project=PROJECT)
    assert caches["A"].get("k") == [FINDING]  # one shared file
    assert caches["A"].ignored(PROJECT) == frozenset({"fp"})
    for cache in caches.values():
        cache.close()


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_the_review_cache_holding_code_is_readable_by_its_user_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cache keeps the lines each finding quotes and its suggested fix: the user's code.
    With the usual umask (022) SQLite made it, its WAL and shared-memory files readable by
    every account on the machine."""
    monkeypatch.setenv("DEEPSEEK_LSP_STATE_DIR", str(tmp_path / "state"))
    old = os.umask(0o022)
    try:
        cache = ReviewCache.default()
        cache.put("k", [RawFinding("error", 'API_TOKEN = "s3cr3t"', "Hard-coded token.")], "m")
        files = sorted((tmp_path / "state").glob(f"{FILENAME}*"))
        assert {p.name for p in files} >= {FILENAME, f"{FILENAME}-wal"}
        modes = {p.name: oct(stat.S_IMODE(p.stat().st_mode)) for p in files}
        assert all(int(mode, 8) & 0o077 == 0 for mode in modes.values()), modes
        cache.close()
    finally:
        os.umask(old)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_a_review_cache_made_readable_by_an_older_version_is_made_private(
    tmp_path: Path,
) -> None:
    path = tmp_path / FILENAME
    ReviewCache(path).close()
    path.chmod(0o644)
    cache = ReviewCache(path)
    assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0
    cache.close()


SET_ASIDE = textwrap.dedent(
    """
    import sys
    from deepseek_lsp.model.ledger import Ledger
    ledger = Ledger(sys.argv[1])  # a second editor window starting
    print(ledger.problems)
    ledger.close()
    """
)


def test_a_ledger_set_aside_by_another_process_is_followed_by_the_one_still_writing(
    tmp_path: Path,
) -> None:
    """Window A has kept the ledger open for months when a page of its old history goes bad
    (a bad block). A never reads that page; window B, starting, checks the file, finds it
    damaged, sets it aside and starts a new one. A's spend from then on went on into the file
    set aside: B's daily budget, and ``deepseek-lsp usage``, never saw it."""
    path = tmp_path / DB_NAME
    now = time.time()
    a = Ledger(path)
    for day in range(1, 200):  # the history of a ledger in use for months
        for feature in range(10):
            a.record(feature=f"f{feature}", model="deepseek-v4-pro", usage=Usage(1000, 100, 0, 1000), ts=now - day * 86400)
    a.flush()
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    pages, page_size = (db.execute(f"PRAGMA {p}").fetchone()[0] for p in ("page_count", "page_size"))
    db.close()
    with open(path, "r+b") as f:  # a page of months-old rows goes bad
        f.seek(page_size * (pages // 3))
        f.write(b"\xff" * page_size)
    assert a.today_cost() == 0.0  # A reads today's rows only: it does not notice
    started = subprocess.run(
        [sys.executable, "-c", SET_ASIDE, str(path)],
        capture_output=True, text=True, timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT / "server")},
    )
    assert "moved it to" in started.stdout, started.stderr  # B set the damaged file aside
    spent = a.record(feature="review", model="deepseek-v4-pro", usage=Usage(200_000, 8_000, 0, 200_000)).cost
    a.flush()
    assert spent > 0
    with Ledger(path, read_only=True) as usage:  # ``deepseek-lsp usage``, B's budget check
        assert usage.today_cost() == pytest.approx(spent)
    assert a.today_cost() == pytest.approx(spent)
    a.close()


def test_a_windows_requests_under_way_hold_the_budget_in_the_file_another_window_started(
    tmp_path: Path,
) -> None:
    """Window B, starting, found the ledger damaged, set it aside and started a new one while
    a review of window A was under way: the review's reservation was in the old file only, and
    B's budget check no longer counted it (its worst case could be spent twice)."""
    path = tmp_path / DB_NAME
    a = Ledger(path, daily_budget=5.0)
    release = a.budget.reserve("deepseek-v4-pro", 200_000, 8_000, within_s=120, waits=True)
    with Ledger(path, daily_budget=5.0, read_only=True) as usage:
        held = usage.summary()["budget"]["under_way_usd"]
    assert held > 0
    for tail in ("", "-wal", "-shm"):  # B sets the file aside, as it does a damaged one
        if Path(f"{path}{tail}").exists():
            os.replace(f"{path}{tail}", f"{path}.corrupt-1{tail}")
    b = Ledger(path, daily_budget=5.0)
    a.budget.check("deepseek-v4-pro")  # A's next check opens the file B started
    assert b.summary()["budget"]["under_way_usd"] == pytest.approx(held)
    release()
    a.flush()
    assert b.summary()["budget"]["under_way_usd"] == 0
    a.close()
    b.close()


class _DamageMetMidWrite:
    """A connection whose next write meets the file's damage after another process (``other``)
    has set the file aside and started a new one: the file was the same when the write began."""

    def __init__(self, conn: sqlite3.Connection, other: Any) -> None:
        self.conn, self.other = conn, other

    def executemany(self, sql: str, *args: Any) -> sqlite3.Cursor:
        if self.other is not None and "INSERT" in sql:
            self.other()
            self.other = None
            raise sqlite3.DatabaseError("database disk image is malformed")
        return self.conn.executemany(sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.conn, name)


def test_two_windows_meeting_the_same_damage_keep_the_file_the_first_one_started(tmp_path: Path) -> None:
    """Both windows meet a damaged ledger at their next write. B set it aside first and started
    a new file, which holds B's spend from then on; A's write, begun on the old file, failed as
    damaged, and A set aside the file at the path: B's new one. B's spend was then in no total,
    ``deepseek-lsp usage``'s nor the daily budget's."""
    path = tmp_path / DB_NAME
    a = Ledger(path)
    a.record(feature="completion", model="deepseek-v4-pro", usage=Usage(1000, 100, 0, 1000))
    a.flush()
    b_spent = 0.0

    def b_sets_it_aside_and_starts_anew() -> None:
        nonlocal b_spent
        for tail in ("", "-wal", "-shm"):
            if Path(f"{path}{tail}").exists():
                os.replace(f"{path}{tail}", f"{path}.corrupt-1{tail}")
        with Ledger(path) as b:
            b_spent = b.record(feature="review", model="deepseek-v4-pro", usage=Usage(200_000, 8_000, 0, 200_000)).cost

    a.file.conn = _DamageMetMidWrite(a.file.conn, b_sets_it_aside_and_starts_anew)  # type: ignore[assignment]
    a_spent = a.record(feature="completion", model="deepseek-v4-pro", usage=Usage(3000, 300, 0, 3000)).cost
    a.flush()
    assert b_spent > 0 and a_spent > 0
    with Ledger(path, read_only=True) as usage:
        assert usage.today_cost() == pytest.approx(b_spent + a_spent)
    aside = [p.name for p in tmp_path.glob(f"{DB_NAME}.corrupt-*") if not p.name.endswith(("-wal", "-shm"))]
    assert aside == [f"{DB_NAME}.corrupt-1"]  # B's alone: the file B started was not set aside
    a.close()


REVIEW_CACHE_START = textwrap.dedent(
    """
    import sys
    from deepseek_lsp.review.cache import ReviewCache
    ReviewCache(sys.argv[1], on_problem=print).close()  # a second editor window's first review
    """
)


def test_a_finding_ignored_after_another_process_rebuilt_the_review_cache_stays_ignored(
    tmp_path: Path,
) -> None:
    """As for the ledger: window B finds the shared review cache damaged and starts a new one;
    the finding the user then ignores in window A went into the file set aside, and came back
    at the next start."""
    path = tmp_path / FILENAME
    a = ReviewCache(path)
    for i in range(300):
        a.put(f"unit-{i}", [RawFinding("warning", f"x{i} = 1", "m" * 200, None, 0.9, 1)], "m")
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    pages, page_size = (db.execute(f"PRAGMA {p}").fetchone()[0] for p in ("page_count", "page_size"))
    db.close()
    with open(path, "r+b") as f:  # a page of old reviews goes bad; A does not read it
        f.seek(page_size * (pages // 2))
        f.write(b"\xff" * page_size)
    started = subprocess.run(
        [sys.executable, "-c", REVIEW_CACHE_START, str(path)],
        capture_output=True, text=True, timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT / "server")},
    )
    assert "moved it to" in started.stdout, started.stderr
    a.ignore("fp-after", "Unchecked.", project=PROJECT)
    a.put("unit-new", [FINDING], "m")
    a.close()
    again = ReviewCache(path)  # the next start, or window B
    assert again.ignored(PROJECT) == frozenset({"fp-after"})
    assert again.get("unit-new") == [FINDING]
    again.close()
