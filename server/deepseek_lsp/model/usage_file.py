"""The usage file: the SQLite database the ledger keeps its accounts in (see ledger.py).

The SQLite file keeps one row per (UTC day, model, feature) with running sums, so it stays small
however many completions are made. Several servers (one per editor window) share it: sqlite's own
locking, one short autocommit UPSERT per request, WAL mode and a busy timeout keep them from
corrupting it or waiting on each other for long. Writes are synchronous (well under a millisecond):
a background writer would make the budget check lag behind the spending. The requests under way
are in the file too (table ``pending``), so that each process's budget check counts the others'.

A file that cannot be read as a database is renamed aside (``usage.sqlite3.corrupt-<ts>``) and
rebuilt, with one log message. If the state directory is unusable the ledger keeps working in
memory. An older deepseek-lsp's file gets the columns it lacks (``_add_columns``) and goes on
being written by it. What the figures mean is the ledger's.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar

import platformdirs

from ..process import process_alive
from ..storage import file_id, looks_damaged, open_shared
from . import learned
from .learned import Rate
from .usage_records import Totals

log = logging.getLogger(__name__)
T = TypeVar("T")

DB_NAME = "usage.sqlite3"
SCHEMA_VERSION = 1


def state_dir() -> Path:
    """``$DEEPSEEK_LSP_STATE_DIR``, else the platform's user state directory."""
    env = os.environ.get("DEEPSEEK_LSP_STATE_DIR")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_state_dir("deepseek-lsp", appauthor=False))


_COLUMNS = [f.name for f in fields(Totals)]

_REAL = {"cost_usd", "estimated_usd", "ttft_sum", "latency_sum"}
_COLUMN_DEFS = ",\n    ".join(
    f"{c} {'REAL' if c in _REAL else 'INTEGER'} NOT NULL DEFAULT 0" for c in _COLUMNS
)
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS daily (
    day TEXT NOT NULL,
    model TEXT NOT NULL,
    feature TEXT NOT NULL,
    {_COLUMN_DEFS},
    PRIMARY KEY (day, model, feature)
) WITHOUT ROWID
"""

#: The requests under way in every process sharing the file, each at the most it may cost (see
#: :meth:`Budget.reserve`): a window counting only its own let another's spend the same budget.
#: ``until``: when the row stops counting, should its process die without taking it back.
_PENDING_SCHEMA = """
CREATE TABLE IF NOT EXISTS pending (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    cost REAL NOT NULL,
    until REAL NOT NULL
) WITHOUT ROWID
"""

#: The models whose provider told what a request cost (see :meth:`Ledger.record`), kept across
#: restarts: in memory only, the first requests after a start to a model without a price went out
#: unchecked by the daily budget, however much that model had been billed that day.
_BILLING_SCHEMA = """
CREATE TABLE IF NOT EXISTS billing (
    model TEXT PRIMARY KEY
) WITHOUT ROWID
"""

#: The endpoints (base URLs, see EndpointConfig.base_of) seen to be a gateway that bills (LiteLLM's
#: proxy, told by its headers; one that reported a cost), kept across restarts: a request
#: to one cancelled before its answer's headers could not tell and was recorded at $0.
_GATEWAY_SCHEMA = """
CREATE TABLE IF NOT EXISTS gateway (
    base_url TEXT PRIMARY KEY
) WITHOUT ROWID
"""

#: The end of a pending row's id for a request that can wait for room in the budget (a review;
#: see :meth:`Budget.reserve`). In the id, not a column of its own: a deepseek-lsp of before
#: writes four values to the table, and a fifth column would have failed its every write.
WAITS_SUFFIX = ":waits"

#: How long a request under way counts in the other processes past its deadline, or at all when
#: it has none: a row left by a process that died (an editor that crashed) then stops counting.
PENDING_GRACE_S = 10.0
PENDING_TTL_S = 900.0

#: How often a budget check looks for rows of processes that died (see ``_release_dead``).
#: How often a budget check looks for rows of processes that died (see ``_release_dead``).
DEAD_SWEEP_S = 2.0
_OWNERS_OF_OTHERS = "SELECT DISTINCT owner FROM pending WHERE owner != ? AND until > ?"


def _machine() -> str:
    """This machine and PID namespace: a process ID only means something inside them (a
    container sharing the state folder has its own)."""
    try:
        namespace = os.stat("/proc/self/ns/pid").st_ino
    except OSError:
        namespace = 0
    return f"{socket.gethostname()}#{namespace}"


def _owner_name() -> str:
    """A ledger's name in the pending table: a new id, then the process and where it runs
    (``id:pid@machine``), so that the others sharing the file can tell once it has died. A row
    of a deepseek-lsp of before is a bare id: it counts until its ``until``."""
    return f"{uuid.uuid4().hex}:{os.getpid()}@{_machine()}"


def _died(owner: str, machine: str) -> bool:
    """Whether ``owner`` names a process of this machine that no longer exists."""
    _, _, where = owner.partition(":")
    pid, _, its_machine = where.partition("@")
    if its_machine != machine or not pid.isdigit():
        return False
    return process_alive(int(pid)) is False


_UPSERT = f"""
INSERT INTO daily (day, model, feature, {", ".join(_COLUMNS)})
VALUES (?, ?, ?, {", ".join("?" for _ in _COLUMNS)})
ON CONFLICT (day, model, feature) DO UPDATE SET
{", ".join(f"{c} = {c} + excluded.{c}" for c in _COLUMNS)}
"""

#: Today's spend in the file, and what the other processes' requests under way may cost: read
#: by the budget check, and again in the transaction that writes a reservation.
_SPENT_ON_DAY = "SELECT SUM(cost_usd) FROM daily WHERE day = ?"
_PENDING_OF_OTHERS = (
    f"SELECT SUM(cost), SUM(CASE WHEN id GLOB '*{WAITS_SUFFIX}' THEN cost ELSE 0 END) "
    "FROM pending WHERE owner != ? AND until > ?"
)


@dataclass
class Unwritten:
    """What a process has for the usage file that it has not written yet: the ledger's usage
    rows, the budget's reservations (``pending`` rows to write, by id: (cost, until), and ids to
    delete) and what billing learned (models billed, gateways seen and gone, rates). One object,
    which the ledger's parts add to, so that one write takes all of it in one transaction (a
    request's usage and the end of its reservation together: the other processes see it either
    under way or spent, never neither)."""

    usage: dict[tuple[str, str, str], Totals] = field(default_factory=dict)
    pending_add: dict[str, tuple[float, float]] = field(default_factory=dict)
    pending_del: set[str] = field(default_factory=set)
    billed: set[str] = field(default_factory=set)
    gateways: set[str] = field(default_factory=set)
    gateways_gone: set[str] = field(default_factory=set)
    rates: dict[str, Rate] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _UnderWay:
    """What requests under way may cost at most: all of them, and those that can wait."""

    all: float = 0.0
    waiting: float = 0.0

    @classmethod
    def of(cls, row: tuple[Any, ...]) -> _UnderWay:
        return cls(float(row[0] or 0.0), float(row[1] or 0.0))


@contextlib.contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """One write transaction, its lock taken at once (``BEGIN IMMEDIATE``), rolled back on any
    exception."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
        raise


class _Corrupt(sqlite3.DatabaseError):
    pass


def _is_corruption(exc: BaseException) -> bool:
    return isinstance(exc, _Corrupt) or looks_damaged(exc)



def _add_columns(conn: sqlite3.Connection) -> None:
    """The ``daily`` columns a file of an older deepseek-lsp lacks (it names its columns when
    it writes: it goes on writing to the file, the new ones left at 0)."""
    have = {row[1] for row in conn.execute("PRAGMA table_info(daily)")}
    for column in _COLUMNS:
        if column not in have:
            kind = "REAL" if column in _REAL else "INTEGER"
            try:
                conn.execute(f"ALTER TABLE daily ADD COLUMN {column} {kind} NOT NULL DEFAULT 0")
            except sqlite3.OperationalError:  # another process opening the file added it first
                if column not in {row[1] for row in conn.execute("PRAGMA table_info(daily)")}:
                    raise


def _day(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%d")


class UsageFile:
    """The usage file of a :class:`~.ledger.Ledger` (``path``; None: in memory only): opened,
    set aside when damaged, opened again when another process replaced it; the ledger's
    statements run on it with :meth:`run`. ``lock``: the ledger's, held while the connection
    is used or changed. ``on_new_file``: called once the connection is to a file other than
    the one opened (what the ledger knew of the old one is to be written to it)."""

    def __init__(
        self,
        path: Path | None,
        *,
        clock: Callable[[], float],
        busy_timeout_ms: int,
        read_only: bool,
        lock: threading.RLock,
        on_new_file: Callable[[], None],
    ) -> None:
        self.path = path
        #: ``read_only``: for commands that only report (``deepseek-lsp usage``): nothing is
        #: created, set aside or written, and a read-only home or snapshot can still be read.
        self.read_only = read_only
        #: What went wrong opening the file, for the user (the server shows each once).
        self.problems: list[str] = []
        #: False once the file could not be used and usage lives in memory only.
        self.persistent = path is not None
        self._clock = clock
        self._busy_ms = busy_timeout_ms
        self._lock = lock
        self._on_new_file = on_new_file
        self.conn = self._open()
        #: The file the connection has open (device, inode), while it is one that is written.
        self._opened = self._file_id()

    def _open(self) -> sqlite3.Connection:
        if self.path is None:
            return self._connect(":memory:")
        if self.read_only:
            return self._open_read_only(self.path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            log.warning(
                "usage ledger: cannot create %s (%s); usage kept in memory only",
                self.path.parent,
                exc,
            )
            self.problems.append(f"usage ledger: cannot create {self.path.parent}; usage is kept in memory only")
            self.persistent = False
            return self._connect(":memory:")
        target = str(self.path)
        for attempt in range(2):
            try:
                return open_shared(lambda: self._connect(target))
            except sqlite3.DatabaseError as exc:
                if attempt == 0 and _is_corruption(exc):
                    self._set_aside(exc)
                    continue
                log.warning(
                    "usage ledger: cannot open %s (%s); usage kept in memory only", self.path, exc
                )
                self.problems.append(f"usage ledger: cannot open {self.path}; usage is kept in memory only")
                break
        self.persistent = False
        return self._connect(":memory:")

    def _open_read_only(self, path: Path) -> sqlite3.Connection:
        try:
            exists = path.exists()
        except OSError as exc:  # a folder this user may not look into (another's, 0700)
            self.problems.append(f"usage ledger: cannot read {path} ({exc.strerror or exc})")
            self.persistent = False
            return self._connect(":memory:")
        if not exists:
            # A file where the state folder should be: no process could record anything there
            # (the servers kept their usage in memory), so "$0" would not be "nothing spent".
            blocker = next((p for p in path.parents if p.exists()), None)
            if blocker is not None and not blocker.is_dir():
                self.problems.append(
                    f"usage ledger: cannot read {path}: {blocker} is a file, not a folder "
                    "(check DEEPSEEK_LSP_STATE_DIR)"
                )
                self.persistent = False
            return self._connect(":memory:")  # else nothing recorded yet: nothing wrong
        uri = path.resolve().as_uri()
        error: sqlite3.Error | None = None
        # mode=ro still needs the -shm file of a WAL database, which a read-only folder cannot
        # get; immutable=1 then reads the file as it is (no other writer can be there anyway).
        for target in (f"{uri}?mode=ro", f"{uri}?immutable=1"):
            try:
                return open_shared(lambda t=target: self._connect(t, read_only=True))
            except sqlite3.Error as exc:
                error = exc
        self.problems.append(f"usage ledger: cannot read {path} ({error})")
        self.persistent = False
        return self._connect(":memory:")

    def _connect(self, target: str, *, read_only: bool = False) -> sqlite3.Connection:
        conn = sqlite3.connect(
            target,
            timeout=self._busy_ms / 1000,
            isolation_level=None,  # autocommit: every write is its own short transaction
            check_same_thread=False,
            uri=read_only,
        )
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(self._busy_ms)}")
            if read_only:
                check = conn.execute("PRAGMA quick_check").fetchone()
                if not check or check[0] != "ok":
                    raise _Corrupt(f"integrity check failed: {check[0] if check else '?'}")
                return conn
            if target != ":memory:":
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
                check = conn.execute("PRAGMA quick_check").fetchone()
                if not check or check[0] != "ok":
                    raise _Corrupt(f"integrity check failed: {check[0] if check else '?'}")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                log.warning(
                    "usage ledger %s is from a newer deepseek-lsp (schema %d)", target, version
                )
            conn.execute(_SCHEMA)
            _add_columns(conn)
            conn.execute(_PENDING_SCHEMA)
            conn.execute(_BILLING_SCHEMA)
            conn.execute(_GATEWAY_SCHEMA)
            learned.create_table(conn, self._clock())
            if version < SCHEMA_VERSION:
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except BaseException:
            conn.close()
            raise
        return conn

    def _set_aside(self, exc: BaseException) -> None:
        assert self.path is not None
        aside = self.path.with_name(f"{self.path.name}.corrupt-{int(self._clock())}")
        try:
            os.replace(self.path, aside)
            for tail in ("-wal", "-shm"):
                extra = self.path.with_name(self.path.name + tail)
                if extra.exists():
                    os.replace(extra, aside.with_name(aside.name + tail))
            log.warning(
                "usage ledger %s was unreadable (%s): moved it to %s and started anew",
                self.path,
                exc,
                aside.name,
            )
            self.problems.append(f"usage ledger {self.path} was unreadable: moved it to {aside.name} and started anew")
        except OSError as err:
            log.warning(
                "usage ledger %s is unreadable (%s) and could not be moved (%s)",
                self.path,
                exc,
                err,
            )

    def _file_id(self) -> tuple[int, int] | None:
        if self.path is None or self.read_only or not self.persistent:
            return None
        return file_id(self.path)

    def reopen(self, damaged: BaseException | None = None) -> None:
        """The file at the path, opened again; ``damaged``: the current one is set aside first."""
        self.conn.close()
        # Only the file this connection found damaged: another process meeting the same damage
        # may have set it aside first and started a new one, which holds its usage since (it
        # was set aside in turn, as if damaged too, and that usage lost from every total).
        if damaged is not None and self._file_id() == self._opened:
            self._set_aside(damaged)
        self.conn = self._open()
        self._opened = self._file_id()
        self._on_new_file()

    def close(self) -> None:
        self.conn.close()

    def billed_models(self) -> set[str]:
        """The models the file says were billed (none if it cannot say: a file of an older
        version opened read-only has no such table)."""
        try:
            return {row[0] for row in self.conn.execute("SELECT model FROM billing").fetchall()}
        except sqlite3.Error:
            return set()

    def gateways(self) -> set[str] | None:
        """The endpoints the file says are gateways that bill (None if it cannot say)."""
        try:
            return {row[0] for row in self.conn.execute("SELECT base_url FROM gateway").fetchall()}
        except sqlite3.Error:
            return None

    def rates(self) -> dict[str, Rate]:
        return learned.read(self.conn)

    def run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        with self._lock:
            if self._opened is not None and self._file_id() != self._opened:
                # Another process set the file aside (it found it damaged at its start) or it
                # was deleted: this connection would go on writing to a file no other process,
                # budget check or ``usage`` reads. The one at the path now is the shared one.
                log.info("usage ledger: %s was replaced; opening the new file", self.path)
                self.reopen()
            try:
                return work(self.conn)
            except sqlite3.DatabaseError as exc:
                if not _is_corruption(exc) or self.path is None or self.read_only:
                    raise
                # Corrupted under us (disk trouble, a foreign writer): rebuild once, retry.
                self.reopen(damaged=exc)
                return work(self.conn)

    def execute(self, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        return self.run(lambda conn: conn.execute(sql, tuple(params)).fetchall())

