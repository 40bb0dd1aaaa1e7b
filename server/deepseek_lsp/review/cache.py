"""The persisted review store: findings by unit hash, and the findings the user ignored.

One SQLite file shared by the editor and the command line (WAL, so a CI run and an open editor
can both use it), under the same state directory as the usage ledger. A file that SQLite
cannot read is moved aside and rebuilt; reviews are only a cache, so losing them costs money
but never correctness.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..model.ledger import state_dir
from ..storage import file_id, is_busy, looks_damaged, make_private, open_shared
from .answer import RawFinding

log = logging.getLogger(__name__)

FILENAME = "review-cache.sqlite"
SCHEMA_VERSION = 1
#: Least recently used reviews go first once the cache holds this many units...
MAX_ENTRIES = 50_000
#: ... or this many bytes of findings JSON.
MAX_BYTES = 64_000_000
#: Records of whole files (see ``get_file``) kept, least recently used going first.
MAX_FILE_RECORDS = 5_000
#: A long-lived process (an editor open for weeks) prunes every this many writes, not only when
#: the file is opened: the bounds held only across restarts before.
PRUNE_EVERY = 256

_SCHEMA = """
CREATE TABLE IF NOT EXISTS reviews (
    key TEXT PRIMARY KEY,
    findings TEXT NOT NULL,
    model TEXT NOT NULL,
    created REAL NOT NULL,
    used REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS reviews_used ON reviews(used);
-- Ignored before ignores belonged to a project (see ``ignored``); only read, and written by an
-- older version still running.
CREATE TABLE IF NOT EXISTS ignored (
    fingerprint TEXT PRIMARY KEY,
    message TEXT NOT NULL,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS ignored_in (
    project TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    message TEXT NOT NULL,
    created REAL NOT NULL,
    PRIMARY KEY (project, fingerprint)
);
-- When each project last had its ignored findings shown again: the older ignores up to then
-- no longer hold there.
CREATE TABLE IF NOT EXISTS shown_again (project TEXT PRIMARY KEY, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    key TEXT PRIMARY KEY,
    record TEXT NOT NULL,
    used REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS files_used ON files(used);
"""


#: Keys in one query: SQLite's limit of bound values was 999 before 3.32.
_KEYS_PER_QUERY = 500


def _findings(payload: str) -> list[RawFinding] | None:
    try:
        items = json.loads(payload)
    except ValueError:
        return None
    return [f for f in (_finding(item) for item in items) if f is not None]


def _finding(item: Any) -> RawFinding | None:
    if isinstance(item, dict) and "unplaced" in item:
        found = RawFinding.from_json(item["unplaced"])
        return None if found is None else replace(found, unplaced=True)
    return RawFinding.from_json(item)


def _item(finding: RawFinding) -> dict[str, Any]:
    """A finding as its row holds it; one that could not be placed wrapped, so that an older
    version sharing the file, which reads no code in it, skips it rather than show it."""
    return {"unplaced": finding.to_json()} if finding.unplaced else finding.to_json()


class ReviewCache:
    """Thread-safe; every call is short, so callers on the event loop may use it directly."""

    def __init__(
        self,
        path: Path | str | None,
        *,
        on_problem: Callable[[str], None] | None = None,
        max_entries: int = MAX_ENTRIES,
        max_bytes: int = MAX_BYTES,
    ):
        self.path = Path(path) if path is not None else None
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._puts = 0
        self._write_warned = False
        self._on_problem = on_problem or (lambda message: log.warning("%s", message))
        self._lock = threading.Lock()
        self._db = self._open()
        #: The file the connection has open (see ``_run``); None in memory.
        self._opened = file_id(self.path) if self.path is not None else None
        self.prune()

    @classmethod
    def default(cls, **kw: Any) -> ReviewCache:
        """The shared store, next to the usage ledger (``DEEPSEEK_LSP_STATE_DIR`` moves both)."""
        return cls(state_dir() / FILENAME, **kw)

    @classmethod
    def in_memory(cls) -> ReviewCache:
        return cls(None)

    # -- opening ---------------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        target = ":memory:" if self.path is None else str(self.path)
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            make_private(self.path)  # it holds the code findings quote
        db = sqlite3.connect(target, timeout=5.0, check_same_thread=False, isolation_level=None)
        db.execute("PRAGMA busy_timeout = 5000")
        if self.path is not None:
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
            # A damaged file can open fine and fail on the first read of a damaged page.
            check = db.execute("PRAGMA quick_check").fetchone()
            if not check or check[0] != "ok":
                db.close()
                raise sqlite3.DatabaseError(f"integrity check failed: {check[0] if check else '?'}")
        db.executescript(_SCHEMA)
        # OR IGNORE, then read: a process opening the new file at the same moment may have
        # written the row since this one looked (a plain INSERT failed on the key, and that
        # window's reviews went unremembered).
        db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
        row = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        if row[0] != str(SCHEMA_VERSION):
            # A newer or older layout: reviews are only a cache, start over.
            db.execute("DELETE FROM reviews")
            db.execute("DELETE FROM files")
            db.execute("UPDATE meta SET value = ? WHERE key = 'schema'", (str(SCHEMA_VERSION),))
        return db

    def _open(self) -> sqlite3.Connection:
        try:
            return open_shared(self._connect)
        except sqlite3.DatabaseError as exc:
            if self.path is None:
                raise
            if is_busy(exc):
                # Held by another process all along: never move a file that is in use aside.
                self._on_problem(f"review cache busy ({exc}); reviews will not be remembered")
                self.path = None
                return self._connect()
            if not looks_damaged(exc):
                # "unable to open database file", "readonly database": a folder or file this
                # process may not write (a read-only HOME in CI). Nothing is wrong with the
                # file, so nothing is moved aside, and the review goes on without the cache.
                self._on_problem(f"review cache unavailable ({exc}); reviews will not be remembered")
                self.path = None
                return self._connect()
            return self._rebuild(exc)
        except OSError as exc:
            self._on_problem(f"review cache unavailable ({exc}); reviews will not be remembered")
            self.path = None
            return self._connect()

    def _rebuild(self, exc: Exception) -> sqlite3.Connection:
        assert self.path is not None
        aside = self.path.with_name(f"{self.path.name}.corrupt-{int(time.time())}")
        for suffix in ("", "-wal", "-shm"):
            src = Path(str(self.path) + suffix)
            if src.exists():
                try:
                    src.replace(Path(str(aside) + suffix))
                except OSError:
                    src.unlink(missing_ok=True)
        self._on_problem(
            f"review cache was unreadable ({exc}); moved it to {aside.name} and started a new one"
        )
        return self._connect()

    def _run(self, fn: Callable[[sqlite3.Connection], Any]) -> Any:
        with self._lock:
            if self._opened is not None and self.path is not None and file_id(self.path) != self._opened:
                # Another process set the file aside (it found it damaged) and started a new
                # one: what this one wrote (a finding the user ignored) went to the old file.
                log.info("review cache: %s was replaced; opening the new file", self.path)
                self._db.close()
                self._db = self._open()
                self._opened = file_id(self.path) if self.path is not None else None
            try:
                return fn(self._db)
            except sqlite3.DatabaseError as exc:
                if is_busy(exc):
                    log.debug("review cache busy: %s", exc)
                    return None
                if self.path is None:
                    raise
                if not looks_damaged(exc):
                    # A full disk, an I/O error, a file made read-only: nothing is wrong with
                    # what the file holds (the findings the user ignored among it), so it is
                    # not set aside; this call goes without the cache.
                    if not self._write_warned:  # once: a full disk must not flood the log
                        self._write_warned = True
                        log.warning("review cache: could not use %s (%s)", self.path, exc)
                    return None
                self._db.close()
                self._db = self._rebuild(exc)
                self._opened = file_id(self.path)
                return fn(self._db)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- reviews ---------------------------------------------------------------------------------

    def get(self, key: str, *, since: float | None = None) -> list[RawFinding] | None:
        """The findings of a reviewed unit (relative lines), or None when never reviewed (or,
        with ``since``, not reviewed at or after that ``time.time()``)."""

        def q(db: sqlite3.Connection) -> Any:
            row = db.execute(
                "SELECT findings FROM reviews WHERE key = ? AND created >= ?", (key, since or 0.0)
            ).fetchone()
            if row is not None:
                db.execute("UPDATE reviews SET used = ? WHERE key = ?", (time.time(), key))
            return row

        row = self._run(q)
        return None if row is None else _findings(row[0])

    def get_or_legacy(self, key: str, legacy: str | None, model: str) -> list[RawFinding] | None:
        """``get``, or else the findings an older version kept under the unit's ``legacy`` key,
        kept under ``key`` from now on."""
        hit = self.get(key)
        if hit is None and legacy is not None:
            hit = self.get(legacy)
            if hit is not None:
                self.put(key, hit, model)
        return hit

    def get_many(self, keys: Sequence[str], *, since: float | None = None) -> dict[str, list[RawFinding]]:
        """``get`` for each of ``keys`` that was reviewed (``since`` as ``get``'s), in one query
        and one write: a file's units one by one, a write each, were half of a fully cached
        run's time."""
        wanted = list(dict.fromkeys(keys))

        def q(db: sqlite3.Connection) -> list[tuple[str, str]]:
            rows: list[tuple[str, str]] = []
            for start in range(0, len(wanted), _KEYS_PER_QUERY):
                part = wanted[start : start + _KEYS_PER_QUERY]
                marks = ",".join("?" * len(part))
                rows += db.execute(
                    f"SELECT key, findings FROM reviews WHERE key IN ({marks}) AND created >= ?", (*part, since or 0.0)
                ).fetchall()
                db.execute(f"UPDATE reviews SET used = ? WHERE key IN ({marks})", (time.time(), *part))
            return rows

        out: dict[str, list[RawFinding]] = {}
        for key, payload in self._run(q) or []:
            found = _findings(payload)
            if found is not None:
                out[key] = found
        return out

    def put(self, key: str, findings: Iterable[RawFinding], model: str) -> None:
        payload = json.dumps([_item(f) for f in findings])
        now = time.time()

        def q(db: sqlite3.Connection) -> None:
            db.execute(
                "INSERT OR REPLACE INTO reviews VALUES (?, ?, ?, ?, ?)",
                (key, payload, model, now, now),
            )

        self._run(q)
        self._puts += 1
        if self._puts % PRUNE_EVERY == 0:
            self.prune()

    def get_file(self, key: str) -> dict[str, Any] | None:
        """What the last review of a file's exact text and setup found out without asking the
        model (its units and their keys, the files it imports), or None. Only a shortcut: the
        answers themselves are still the units' rows, looked up by those keys."""

        def q(db: sqlite3.Connection) -> Any:
            row = db.execute("SELECT record FROM files WHERE key = ?", (key,)).fetchone()
            if row is not None:
                db.execute("UPDATE files SET used = ? WHERE key = ?", (time.time(), key))
            return row

        row = self._run(q)
        if row is None:
            return None
        try:
            record = json.loads(row[0])
        except ValueError:
            return None
        return record if isinstance(record, dict) else None

    def put_file(self, key: str, record: dict[str, Any]) -> None:
        payload = json.dumps(record, separators=(",", ":"))
        self._run(
            lambda db: db.execute("INSERT OR REPLACE INTO files VALUES (?, ?, ?)", (key, payload, time.time()))
        )

    def prune(self, max_entries: int | None = None, max_bytes: int | None = None) -> None:
        """Drop the least recently used reviews beyond ``max_entries`` or ``max_bytes``."""
        max_entries = self.max_entries if max_entries is None else max_entries
        max_bytes = self.max_bytes if max_bytes is None else max_bytes

        def q(db: sqlite3.Connection) -> None:
            db.execute(
                "DELETE FROM files WHERE key IN (SELECT key FROM files ORDER BY used DESC LIMIT -1 OFFSET ?)",
                (MAX_FILE_RECORDS,),
            )
            count, size = db.execute(
                "SELECT COUNT(*), COALESCE(SUM(LENGTH(findings)), 0) FROM reviews"
            ).fetchone()
            if count > max_entries:
                db.execute(
                    "DELETE FROM reviews WHERE key IN (SELECT key FROM reviews ORDER BY used LIMIT ?)",
                    (count - max_entries,),
                )
                size = db.execute("SELECT COALESCE(SUM(LENGTH(findings)), 0) FROM reviews").fetchone()[0]
            if size > max_bytes:
                # The oldest rows whose running total (before them) is still under the excess.
                db.execute(
                    "DELETE FROM reviews WHERE key IN (SELECT key FROM ("
                    " SELECT key, SUM(LENGTH(findings)) OVER (ORDER BY used, key) - LENGTH(findings)"
                    " AS before FROM reviews) WHERE before < ?)",
                    (size - max_bytes,),
                )

        self._run(q)

    def size_bytes(self) -> int:
        """Bytes of findings JSON held (what ``max_bytes`` bounds)."""
        row = self._run(
            lambda db: db.execute("SELECT COALESCE(SUM(LENGTH(findings)), 0) FROM reviews").fetchone()
        )
        return int(row[0]) if row else 0

    def is_empty(self) -> bool:
        """No review at all (cheaper than ``len``: one row looked at, not all counted)."""
        return self._run(lambda db: db.execute("SELECT 1 FROM reviews LIMIT 1").fetchone()) is None

    def __len__(self) -> int:
        row = self._run(lambda db: db.execute("SELECT COUNT(*) FROM reviews").fetchone())
        return int(row[0]) if row else 0

    # -- ignored findings ------------------------------------------------------------------------
    #
    # An ignore belongs to a project (``projects.project_of``): it hid the same code and message
    # in every project, and showing them again brought back every project's. Those made before
    # (the ``ignored`` table, no project known) still hold in every project, until the user
    # shows a project's ignored findings again: then no longer there, still elsewhere.

    def ignore(self, fingerprint: str, message: str = "", *, project: str) -> None:
        self._run(
            lambda db: db.execute(
                "INSERT OR REPLACE INTO ignored_in VALUES (?, ?, ?, ?)",
                (project, fingerprint, message, time.time()),
            )
        )

    def unignore(self, fingerprint: str, *, project: str) -> None:
        self._run(
            lambda db: db.execute(
                "DELETE FROM ignored_in WHERE project = ? AND fingerprint = ?", (project, fingerprint)
            )
        )

    def unignore_all(self, project: str) -> int:
        """Forget every finding ignored in ``project``; how many there were."""

        def q(db: sqlite3.Connection) -> int:
            count = db.execute("DELETE FROM ignored_in WHERE project = ?", (project,)).rowcount
            older = db.execute(f"SELECT COUNT(*) FROM ignored WHERE {_OLDER_HOLD}", (project,)).fetchone()[0]
            if older:
                db.execute("INSERT OR REPLACE INTO shown_again VALUES (?, ?)", (project, time.time()))
            return int(count) + int(older)

        return self._run(q) or 0

    def ignored(self, project: str) -> frozenset[str]:
        """The fingerprints of the findings ignored in ``project``."""
        rows = self._run(
            lambda db: db.execute(
                f"SELECT fingerprint FROM ignored_in WHERE project = ? "
                f"UNION SELECT fingerprint FROM ignored WHERE {_OLDER_HOLD}",
                (project, project),
            ).fetchall()
        ) or []
        return frozenset(r[0] for r in rows)


#: Whether an ignore made before ignores belonged to a project holds in the project bound to
#: ``?``: made after the project's ignored findings were last shown again (an older version
#: still running in another window writes them there).
_OLDER_HOLD = "created > COALESCE((SELECT at FROM shown_again WHERE project = ?), 0)"
