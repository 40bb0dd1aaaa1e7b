"""Usage and cost ledger: what every request cost, per session (memory) and per day (SQLite).

The SQLite file keeps one row per (UTC day, model, feature) with running sums, so it stays small
however many completions are made. Several servers (one per editor window) share it: sqlite's own
locking, one short autocommit UPSERT per request, WAL mode and a busy timeout keep them from
corrupting it or waiting on each other for long. Writes are synchronous (well under a millisecond):
a background writer would make the budget check lag behind the spending. The requests under way
are in the file too (table ``pending``), so that each process's budget check counts the others'.

A file that cannot be read as a database is renamed aside (``usage.sqlite3.corrupt-<ts>``) and
rebuilt, with one log message. If the state directory is unusable the ledger keeps working in
memory. Nothing here raises into the caller except :class:`BudgetExceeded`.

Days are UTC days, like DeepSeek's peak windows: the daily budget resets at 00:00 UTC.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import sqlite3
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal, TypeVar

import platformdirs

from ..console import counted
from ..process import process_alive
from ..storage import file_id, looks_damaged, open_shared
from . import learned
from .errors import BudgetExceeded
from .learned import Rate
from .prices import PriceTable
from .types import Usage

__all__ = ["DB_NAME", "Ledger", "Outcome", "Priced", "Rate", "Totals", "UsageRecord", "state_dir"]

log = logging.getLogger(__name__)
T = TypeVar("T")

Outcome = Literal["ok", "cancelled", "error"]
DB_NAME = "usage.sqlite3"
SCHEMA_VERSION = 1


def state_dir() -> Path:
    """``$DEEPSEEK_LSP_STATE_DIR``, else the platform's user state directory."""
    env = os.environ.get("DEEPSEEK_LSP_STATE_DIR")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_state_dir("deepseek-lsp", appauthor=False))


@dataclass(frozen=True, slots=True)
class UsageRecord:
    ts: float  # unix time
    feature: str
    model: str
    prompt_tokens: int
    cache_hit_tokens: int
    cache_miss_tokens: int
    completion_tokens: int
    ttft_s: float | None
    total_s: float
    outcome: Outcome
    estimated: bool  # counted by us (no usage report), not billed figures
    cost: float  # USD
    priced: bool  # False: the model has no price, cost is 0
    #: Billed, but what it cost is not known (no report, no price, no rate learned): its 0 is
    #: no "free" (see Usage.cost_unknown).
    cost_unknown: bool = False
    #: ``cost`` is an estimate at the model's list price (see Priced.estimated).
    cost_estimated: bool = False


@dataclass(frozen=True, slots=True)
class Priced:
    """What one request cost as the ledger counts it (see :meth:`Ledger.price`)."""

    cost: float  # USD
    #: False: no report, no price, no rate learned: ``cost`` is 0, free or ``unknown``.
    priced: bool
    #: Billed, but nothing here says what (see Usage.cost_unknown): its 0 is no "free".
    unknown: bool = False
    #: ``cost`` is our estimate at DeepSeek's list price of the model: a gateway billed it
    #: without saying what, and no rate of the model was learned.
    estimated: bool = False


@dataclass(slots=True)
class Totals:
    requests: int = 0
    ok: int = 0
    cancelled: int = 0
    errors: int = 0
    estimated: int = 0
    prompt_tokens: int = 0
    cache_hit_tokens: int = 0
    cache_miss_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    #: Requests of unknown cost: ``cost_usd`` is what the others cost.
    unknown_cost: int = 0
    #: The part of ``cost_usd`` that is estimated at list prices (see Priced.estimated).
    estimated_usd: float = 0.0
    ttft_sum: float = 0.0
    ttft_n: int = 0
    latency_sum: float = 0.0

    def add(self, rec: UsageRecord) -> None:
        self.requests += 1
        self.ok += rec.outcome == "ok"
        self.cancelled += rec.outcome == "cancelled"
        self.errors += rec.outcome == "error"
        self.estimated += rec.estimated
        self.prompt_tokens += rec.prompt_tokens
        self.cache_hit_tokens += rec.cache_hit_tokens
        self.cache_miss_tokens += rec.cache_miss_tokens
        self.output_tokens += rec.completion_tokens
        self.cost_usd += rec.cost
        self.unknown_cost += rec.cost_unknown
        if rec.cost_estimated:
            self.estimated_usd += rec.cost
        if rec.ttft_s is not None:
            self.ttft_sum += rec.ttft_s
            self.ttft_n += 1
        self.latency_sum += rec.total_s

    def merge(self, other: Totals) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("ttft_sum", "ttft_n", "latency_sum"):
            del out[key]
        out["mean_ttft_s"] = round(self.ttft_sum / self.ttft_n, 4) if self.ttft_n else None
        out["mean_latency_s"] = (
            round(self.latency_sum / self.requests, 4) if self.requests else None
        )
        return out


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
#: :meth:`Ledger.reserve`): a window counting only its own let another's spend the same budget.
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
#: see :meth:`Ledger.reserve`). In the id, not a column of its own: a deepseek-lsp of before
#: writes four values to the table, and a fifth column would have failed its every write.
WAITS_SUFFIX = ":waits"

#: How long a request under way counts in the other processes past its deadline, or at all when
#: it has none: a row left by a process that died (an editor that crashed) then stops counting.
PENDING_GRACE_S = 10.0
PENDING_TTL_S = 900.0

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


#: A request's usage reaches the file this long after it is recorded: an SQLite write costs
#: ~0.4 ms on the event loop, which the completion's answer waited for
#: (tests/bench/bench_overhead.py). Records made meanwhile are written together.
WRITE_DELAY_S = 0.25


def _nothing() -> None:
    return None


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


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


class Ledger:
    """Records :class:`UsageRecord` s and answers spending questions.

    ``path``: the SQLite file (default ``state_dir()/usage.sqlite3``; ``":memory:"`` for none).
    ``daily_budget``: USD per UTC day, checked by :meth:`check_budget` before each request.
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        prices: PriceTable | None = None,
        daily_budget: float | None = None,
        clock: Callable[[], float] = time.time,
        busy_timeout_ms: int = 1000,
        keep_recent: int = 1000,
        read_only: bool = False,
    ) -> None:
        self.prices = prices or PriceTable()
        self.daily_budget = daily_budget
        self._clock = clock
        self._busy_ms = busy_timeout_ms
        self._lock = threading.RLock()
        self._write_warned = False
        self.started = clock()
        self.session: dict[str, Totals] = {}
        self.recent: deque[UsageRecord] = deque(maxlen=keep_recent)
        self.unpriced: set[str] = set()
        #: Models whose provider told what a request cost (see :meth:`record`): not free,
        #: whatever the price table says.
        self.billing_models: set[str] = set()
        #: The most each request under way (sent, not recorded yet) may cost: it counts against
        #: the daily budget until its usage is recorded (see :meth:`reserve`).
        self._in_flight: dict[str, float] = {}
        #: This ledger's rows in the file's ``pending`` table: those to write, and those to
        #: delete (written with the request's usage: other processes see it either under way
        #: or spent, never neither).
        self._owner = _owner_name()
        self._machine = _machine()
        self._next_sweep = 0.0  # time.monotonic() of the next look for dead processes' rows
        self._next_billing_read = 0.0  # time.monotonic() of the next read of what others learned
        self._pending_add: dict[str, tuple[float, float]] = {}  # id: (cost, until)
        self._pending_del: set[str] = set()
        #: Those waiting for a request under way to end (see :meth:`until_released`).
        self._release_waiters: set[asyncio.Future[None]] = set()
        #: What went wrong opening the file, for the user (the server shows each once).
        self.problems: list[str] = []
        if path is None:
            path = state_dir() / DB_NAME
        self.path: Path | None = None if str(path) == ":memory:" else Path(path)
        #: ``read_only``: for commands that only report (``deepseek-lsp usage``): nothing is
        #: created, set aside or written, and a read-only home or snapshot can still be read.
        self.read_only = read_only
        #: False once the file could not be used and usage lives in memory only.
        self.persistent = self.path is not None
        self._closed = False
        self._conn = self._open()
        #: The file the connection has open (device, inode), while it is one that is written.
        self._opened = self._file_id()
        self._unsaved: dict[tuple[str, str, str], Totals] = {}
        self._billing_unsaved: set[str] = set()  # billing_models not in the file yet
        self.billing_models.update(self._billing_in_file())
        #: Endpoints seen to be a gateway that bills (see :meth:`saw_gateway`), every process's.
        self.gateways: set[str] = self._gateways_in_file() or set()
        self._gateways_unsaved: set[str] = set()
        self._gateways_gone: set[str] = set()  # seen free since, not deleted from the file yet
        #: Per model a provider billed, what it cost per token (see :meth:`learned_rate`): the
        #: file's at opening (every process's), with this one's since.
        self._rates: dict[str, Rate] = self._rates_in_file()
        self._rates_unsaved: dict[str, Rate] = {}  # added to _rates, not in the file yet
        self._flush_at: asyncio.TimerHandle | None = None
        self._flush_loop: asyncio.AbstractEventLoop | None = None

    # -- storage ------------------------------------------------------------------------------

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

    def _reopen(self, damaged: BaseException | None = None) -> None:
        """The file at the path, opened again; ``damaged``: the current one is set aside first."""
        self._conn.close()
        if damaged is not None:
            self._set_aside(damaged)
        self._conn = self._open()
        self._opened = self._file_id()
        with self._lock:  # a new file: what the old one knew is written to it
            self._billing_unsaved |= self.billing_models
            self._gateways_unsaved |= self.gateways
            self._rates_unsaved = dict(self._rates)
        self.billing_models.update(self._billing_in_file())
        self.gateways.update(self._gateways_in_file() or ())

    def _billing_in_file(self) -> set[str]:
        """The models the file says were billed (none if it cannot say: a file of an older
        version opened read-only has no such table)."""
        try:
            return {row[0] for row in self._conn.execute("SELECT model FROM billing").fetchall()}
        except sqlite3.Error:
            return set()

    def _gateways_in_file(self) -> set[str] | None:
        """The endpoints the file says are gateways that bill (None if it cannot say)."""
        try:
            return {row[0] for row in self._conn.execute("SELECT base_url FROM gateway").fetchall()}
        except sqlite3.Error:
            return None

    def saw_gateway(self, base_url: str) -> None:
        """The endpoint at ``base_url`` is a gateway that bills (see :meth:`is_gateway`)."""
        with self._lock:
            if base_url not in self.gateways:
                self.gateways.add(base_url)
                self._gateways_unsaved.add(base_url)
            self._gateways_gone.discard(base_url)

    def saw_no_gateway(self, base_url: str) -> None:
        """The endpoint at ``base_url`` answered a whole request with neither a cost nor a
        gateway's headers: what billed there before is gone (a LiteLLM proxy's port now a free
        server's), and its requests cancelled before their headers are free again."""
        with self._lock:
            if base_url in self.gateways:
                self.gateways.discard(base_url)
                self._gateways_unsaved.discard(base_url)
                self._gateways_gone.add(base_url)

    def is_gateway(self, base_url: str) -> bool:
        """Whether the endpoint at ``base_url`` was seen to be a gateway that bills, by any
        process sharing the file: a request to it that could not tell (cancelled before its
        answer's headers) is billed all the same, not free."""
        self._read_billing()
        with self._lock:
            return base_url in self.gateways

    def _rates_in_file(self) -> dict[str, Rate]:
        return learned.read(self._conn)

    def learned_rate(self, model: str) -> Rate | None:
        """What ``model`` was billed per token as its provider reported it, None if it never
        reported a cost (or only $0: OpenRouter's ``:free`` models), or none for
        ``learned.FORGET_S`` (the gateway's prices may have changed since)."""
        with self._lock:
            rate = self._rates.get(model)
        return rate if rate is not None and rate.fresh(self._clock()) else None

    def _learn(self, model: str, cost: float, tokens: int, when: float) -> None:
        if cost <= 0 or tokens <= 0:
            return
        seen = Rate.billed(cost, tokens, when)
        with self._lock:
            for rates in (self._rates, self._rates_unsaved):
                rates[model] = rates.get(model, Rate()).plus(seen)

    def _run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        with self._lock:
            if self._opened is not None and self._file_id() != self._opened:
                # Another process set the file aside (it found it damaged at its start) or it
                # was deleted: this connection would go on writing to a file no other process,
                # budget check or ``usage`` reads. The one at the path now is the shared one.
                log.info("usage ledger: %s was replaced; opening the new file", self.path)
                self._reopen()
            try:
                return work(self._conn)
            except sqlite3.DatabaseError as exc:
                if not _is_corruption(exc) or self.path is None or self.read_only:
                    raise
                # Corrupted under us (disk trouble, a foreign writer): rebuild once, retry.
                self._reopen(damaged=exc)
                return work(self._conn)

    def _execute(self, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        return self._run(lambda conn: conn.execute(sql, tuple(params)).fetchall())

    def close(self) -> None:
        with self._lock:
            # The requests still under way will not be recorded by this process: they no
            # longer hold the other processes' budget.
            self._pending_del.update(k for k in self._in_flight if k not in self._pending_add)
            self._pending_add.clear()
            self._in_flight.clear()
        self.flush()
        with self._lock:
            lost = sum(t.requests for t in self._unsaved.values())
            if lost:
                log.warning("usage ledger: the usage of %s could not be saved", counted(lost, "request"))
            self._conn.close()
            self._closed = True

    def flush(self) -> None:
        """Write the records not yet in the file. Reads and :meth:`close` flush first; after
        :meth:`close` there is nothing to write to (records stay in memory). What cannot be
        written stays queued for the next flush and still counts in reads and the budget."""
        with self._lock:
            if self._closed:
                return
            if self._flush_at is not None:
                self._flush_at.cancel()
                self._flush_at = None
            unsaved, self._unsaved = self._unsaved, {}
            adds, self._pending_add = self._pending_add, {}
            dels, self._pending_del = self._pending_del, set()
            billing, self._billing_unsaved = self._billing_unsaved, set()
            gateways, self._gateways_unsaved = self._gateways_unsaved, set()
            gone, self._gateways_gone = self._gateways_gone, set()
            rates, self._rates_unsaved = self._rates_unsaved, {}
        if not (unsaved or adds or dels or billing or gateways or gone or rates):
            return
        rows = [(*key, *(getattr(t, c) for c in _COLUMNS)) for key, t in unsaved.items()]
        added = [(key, self._owner, cost, until) for key, (cost, until) in adds.items()]

        def write(conn: sqlite3.Connection) -> None:
            # One transaction: all rows or none, so a failed flush can be retried whole without
            # counting anything twice; one wait for the lock, one frame in the WAL. A request's
            # usage and the end of its reservation go together.
            with _transaction(conn):
                conn.executemany(_UPSERT, rows)
                conn.executemany("INSERT OR REPLACE INTO pending VALUES (?, ?, ?, ?)", added)
                conn.executemany("DELETE FROM pending WHERE id = ?", [(k,) for k in dels])
                conn.executemany("INSERT OR IGNORE INTO billing VALUES (?)", [(m,) for m in billing])
                conn.executemany("INSERT OR IGNORE INTO gateway VALUES (?)", [(g,) for g in gateways])
                conn.executemany("DELETE FROM gateway WHERE base_url = ?", [(g,) for g in gone])
                learned.store(conn, rates)
                if added:  # rows a process that died left behind
                    conn.execute("DELETE FROM pending WHERE until < ?", (self._clock(),))

        try:
            self._run(write)
        except sqlite3.Error as exc:
            # Kept for the next flush (or close): a lock held past the busy timeout or a full
            # disk is usually gone by then, and a dropped row was spend the budget never saw.
            self._keep_unsaved(unsaved.items())
            with self._lock:
                # Reservations released meanwhile need no row any more.
                self._pending_add.update((k, v) for k, v in adds.items() if k in self._in_flight)
                self._pending_del.update(dels)
                self._billing_unsaved.update(billing)
                self._gateways_unsaved.update(gateways)
                self._gateways_gone.update(gone - self.gateways)
                for model, rate in rates.items():
                    self._rates_unsaved[model] = self._rates_unsaved.get(model, Rate()).plus(rate)
            if not self._write_warned:  # once: a locked or full disk must not flood the log
                self._write_warned = True
                log.warning("usage ledger: could not save usage (%s); will try again", exc)
            return
        if self._write_warned:
            self._write_warned = False
            log.info("usage ledger: usage that could not be saved earlier is saved now")

    def _keep_unsaved(self, rows: Iterable[tuple[tuple[str, str, str], Totals]]) -> None:
        with self._lock:
            for key, totals in rows:
                self._unsaved.setdefault(key, Totals()).merge(totals)

    def _unsaved_cost(self, day: str) -> float:
        """What this process spent on ``day`` that is not in the file yet."""
        return sum(t.cost_usd for t in self._unsaved_totals(day).values())

    def _unsaved_totals(self, day_prefix: str) -> dict[str, Totals]:
        """Per model, the records not in the file yet of the days ``day_prefix`` (a day, or a
        month) covers."""
        out: dict[str, Totals] = {}
        with self._lock:
            for (day, model, _), totals in self._unsaved.items():
                if day.startswith(day_prefix):
                    out.setdefault(model, Totals()).merge(totals)
        return out

    def _flush_soon(self) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop here (the CLI, a thread): write now
            self.flush()
            return
        with self._lock:
            # A timer of a loop that has ended (asyncio.run returned) never fires: start anew.
            if self._flush_at is None or self._flush_loop is not loop:
                self._flush_loop = loop
                self._flush_at = loop.call_later(WRITE_DELAY_S, self.flush)

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- recording ----------------------------------------------------------------------------

    def record(
        self,
        *,
        feature: str,
        model: str,
        usage: Usage,
        ttft_s: float | None = None,
        total_s: float = 0.0,
        outcome: Outcome = "ok",
        estimated: bool = False,
        ts: float | None = None,
    ) -> UsageRecord:
        """Record one request (cost from the price table at ``ts``, by default now: DeepSeek
        prices a request by the moment it completes). Never raises."""
        ts = self._clock() if ts is None else ts
        if usage.cost_usd is not None and usage.cost_usd > 0:
            # The provider's own bill (a gateway's: OpenRouter): a model without a price here
            # was recorded at $0, and the daily budget never refused it. OpenRouter's ":free"
            # models report 0: free they stay.
            self._billed(model)
            if not estimated:
                self._learn(model, usage.cost_usd, usage.prompt_tokens + usage.completion_tokens, ts)
        elif usage.cost_unknown:
            # Billed all the same (LiteLLM's stream that told no cost): held to the daily
            # budget from now on, which let a model the price table does not know go unchecked.
            self._billed(model)
        priced = self.price(model, usage, ts)
        if not priced.priced and not priced.unknown:
            self.unpriced.add(model)
        rec = UsageRecord(
            ts=ts,
            feature=feature,
            model=model,
            prompt_tokens=usage.prompt_tokens,
            cache_hit_tokens=usage.cache_hit_tokens,
            cache_miss_tokens=usage.cache_miss_tokens,
            completion_tokens=usage.completion_tokens,
            ttft_s=ttft_s,
            total_s=total_s,
            outcome=outcome,
            estimated=estimated,
            cost=priced.cost,
            priced=priced.priced,
            cost_unknown=priced.unknown,
            cost_estimated=priced.estimated,
        )
        with self._lock:
            self.session.setdefault(model, Totals()).add(rec)
            self.recent.append(rec)
            self._unsaved.setdefault((_day(ts), model, feature), Totals()).add(rec)
        self._flush_soon()
        return rec

    def _billed(self, model: str) -> None:
        """``model``'s provider bills it: not free, whatever the price table says."""
        with self._lock:
            if model not in self.billing_models:
                self.billing_models.add(model)
                self._billing_unsaved.add(model)

    def price(self, model: str, usage: Usage, ts: float | None = None) -> Priced:
        """What a request of ``model`` with ``usage`` costs at ``ts`` (by default now), as
        :meth:`record` counts it: what the provider said, else the price table's, else the
        model's learned rate; when a gateway bills it and none of these says what, estimated
        at DeepSeek's list price of the model (the daily budget counts it), else unknown.
        Also for a figure shown of requests already recorded (a review's cost line): one way
        of pricing, so the line and the usage view agree."""
        if usage.cost_usd is not None:
            return Priced(usage.cost_usd, True)
        when = datetime.fromtimestamp(self._clock() if ts is None else ts, timezone.utc)
        hit, miss, output = usage.cache_hit_tokens, usage.cache_miss_tokens, usage.completion_tokens
        if self.prices.known(model):
            return Priced(self.prices.cost(model, hit, miss, output, when), True)
        rate = self.learned_rate(model)
        if rate is not None:
            # No cost came (a request cancelled before its report): billed all the same, at
            # what this model's reports cost a token on average.
            return Priced(rate.mean * (usage.prompt_tokens + usage.completion_tokens), True)
        # A gateway bills it (LiteLLM said so, or the model's reports did): not free.
        if not (usage.cost_unknown or model in self.billing_models):
            return Priced(0.0, False)
        estimate = self.prices.list_cost(model, hit, miss, output, when)
        if estimate is None:  # another provider's model: nothing here can tell
            return Priced(0.0, False, unknown=True)
        return Priced(estimate, True, estimated=True)

    # -- queries -------------------------------------------------------------------------------

    def _totals(self, day_prefix: str) -> dict[str, Totals]:
        """Per model, the totals of the days ``day_prefix`` (a day, or a month) covers: the
        file's, plus what could not be written to it yet."""
        self.flush()
        # A column a file of before lacks (read only, it is not added) reads as 0.
        have = {row[1] for row in self._execute("PRAGMA table_info(daily)")}
        cols = ", ".join(f"SUM({c})" if c in have else "0" for c in _COLUMNS)
        rows = self._execute(
            f"SELECT model, {cols} FROM daily WHERE substr(day, 1, ?) = ? GROUP BY model",
            (len(day_prefix), day_prefix),
        )
        out: dict[str, Totals] = {}
        for model, *values in rows:
            out[model] = Totals(*(v or 0 for v in values))
        for model, totals in self._unsaved_totals(day_prefix).items():
            out.setdefault(model, Totals()).merge(totals)
        return out

    def today_cost(self) -> float:
        """Today's spend across every process sharing the file (this session's if unreadable)."""
        today = _day(self._clock())
        try:
            self.flush()
            rows = self._execute(_SPENT_ON_DAY, (today,))
            return float(rows[0][0] or 0.0) + self._unsaved_cost(today)
        except sqlite3.Error:
            return self._session_cost(today)

    def _session_cost(self, day: str) -> float:
        """What this process spent on ``day`` (the file aside)."""
        with self._lock:
            return sum(r.cost for r in self.recent if _day(r.ts) == day)

    def check_budget(self, model: str | None = None) -> None:
        """Raise :class:`BudgetExceeded` once today's spend, with what the requests under way
        may cost, reached the daily budget. ``model``: the request's; one that costs nothing
        (a self-hosted server's) is never refused: the budget spent at DeepSeek (another window,
        the review CLI, this one before it was pointed at a local server) refused every
        completion of a local model, recorded at $0."""
        if not self.daily_budget or self.daily_budget <= 0:
            return
        if model is not None and not self.prices.known(model):
            self._read_billing()
        if model is not None and self.prices.free(model) and model not in self.billing_models:
            return
        self._refuse_over_budget(self.today_cost(), self._others_pending())

    def _refuse_over_budget(self, spent: float, others: _UnderWay, waiting_most: float = 0.0) -> None:
        """Raise :class:`BudgetExceeded` when ``spent`` today, with what the requests under way
        may cost (the other processes' ``others`` and this one's), reaches the budget.

        ``waiting_most``: what the request to send may cost at most, if it can wait for room
        (a review). Those together hold half of what is left of the budget at most, one of
        them always allowed: a review's batches, each counted at its worst case, held all of a
        small budget, and every completion was refused for them while the day's spend was a
        fraction of it. What goes past the budget stays one request's worst case at most: any
        request goes only while spend and requests under way are below the budget."""
        assert self.daily_budget is not None
        pending = self._under_way(others.all)
        if spent + pending >= self.daily_budget:
            raise self._refusal(spent, pending)
        if waiting_most > 0:
            with self._lock:
                waiting = others.waiting + sum(c for k, c in self._in_flight.items() if k.endswith(WAITS_SUFFIX))
            if waiting > 0 and waiting + waiting_most > (self.daily_budget - spent) / 2:
                raise self._refusal(spent, pending)

    def _refusal(self, spent: float, pending: float) -> BudgetExceeded:
        """The refusal, saying how much of ``spent`` is estimated at list prices."""
        assert self.daily_budget is not None
        day = _day(self._clock())
        try:  # on the connection as it is: inside _claim's transaction too
            row = self._conn.execute("SELECT SUM(estimated_usd) FROM daily WHERE day = ?", (day,)).fetchone()
            estimated = float(row[0] or 0.0)
        except sqlite3.Error:  # unreadable, or a read-only file of an older version
            estimated = 0.0
        estimated += sum(t.estimated_usd for t in self._unsaved_totals(day).values())
        return BudgetExceeded(spent, self.daily_budget, pending=pending, estimated=estimated)

    def _under_way(self, others_pending: float) -> float:
        """What the requests under way may cost at most: the other processes' (``others_pending``)
        and this one's."""
        with self._lock:
            return others_pending + sum(self._in_flight.values())

    def _others_pending(self) -> _UnderWay:
        """What the other processes' requests under way may cost (0 if the file cannot say)."""
        self._release_dead()
        try:
            rows = self._execute(_PENDING_OF_OTHERS, (self._owner, self._clock()))
        except sqlite3.Error:  # unreadable, or a read-only file of an older version
            return _UnderWay()
        return _UnderWay.of(rows[0])

    def _read_billing(self) -> None:
        """What the other processes sharing the file learned of the models billed (read at
        opening only, a window open all day held a gateway model at $0 that another window had
        seen billed), at most every ``DEAD_SWEEP_S``."""
        if time.monotonic() < self._next_billing_read:
            return
        self._next_billing_read = time.monotonic() + DEAD_SWEEP_S
        with self._lock:
            billed, rates = self._billing_in_file(), self._rates_in_file()
            self.billing_models |= billed
            in_file = self._gateways_in_file()
            if in_file is not None:  # the file's word (another window saw one go), and this one's unsaved
                self.gateways = (in_file | self._gateways_unsaved) - self._gateways_gone
            for model, rate in self._rates_unsaved.items():  # could not be written yet
                if model in rates:  # (else what this process knows is all there is)
                    rates[model] = rates[model].plus(rate)
            for model, rate in rates.items():  # never older than what this process knows
                if rate.seen >= self._rates.get(model, Rate()).seen:
                    self._rates[model] = rate

    def _release_dead(self) -> None:
        """Delete the rows of processes of this machine that died (an editor window killed, or
        its server): they held the budget until their ``until``, up to 130 s for a review's,
        and every completion was refused meanwhile. At most every ``DEAD_SWEEP_S``."""
        if self.read_only or time.monotonic() < self._next_sweep:
            return
        self._next_sweep = time.monotonic() + DEAD_SWEEP_S
        try:
            owners = self._execute(_OWNERS_OF_OTHERS, (self._owner, self._clock()))
            dead = [(owner,) for (owner,) in owners if _died(owner, self._machine)]
            if dead:

                def delete(conn: sqlite3.Connection) -> None:
                    with _transaction(conn):
                        conn.executemany("DELETE FROM pending WHERE owner = ?", dead)

                self._run(delete)
                log.info("usage ledger: released the requests under way of %d process(es) that ended", len(dead))
        except sqlite3.Error as exc:  # the next check tries again
            log.debug("usage ledger: could not look for ended processes' rows: %s", exc)

    def reserve(
        self, model: str, prompt_tokens: int, max_tokens: int, *, within_s: float = 0.0, waits: bool = False
    ) -> Callable[[], None]:
        """Count a request being sent against the daily budget until it is recorded; returns
        the call that stops counting it (call it before recording the request). ``within_s``:
        the request ends within that many seconds (its deadline). ``waits``: the request can
        wait for room (a review; see :meth:`_refuse_over_budget`).

        Requests sent together (a review's batches, several completion choices) each passed
        :meth:`check_budget` before any of them was billed: all went out and the day ended at
        several times the budget. Counted at their most (every prompt token a miss, all of
        ``max_tokens`` generated), the next ones wait for the budget to allow them.

        Raises :class:`BudgetExceeded` when another process took what was left of the budget
        since this one's :meth:`check_budget`."""
        if not self.daily_budget or self.daily_budget <= 0:
            return _nothing
        now = self._clock()
        # Priced when it completes, as DeepSeek bills it (see record): one sent just before
        # the peak hours may end in them, at twice the rate. The peak windows last hours, so
        # the rates at both ends of the request's time are the dearest it can meet.
        most = self._most(model, prompt_tokens, max_tokens, (now, now + max(0.0, within_s)))
        if most <= 0:  # a model without a price: nothing to hold, nothing to write
            return _nothing
        key = f"{self._owner}:{uuid.uuid4().hex}{WAITS_SUFFIX if waits else ''}"
        until = now + (within_s + PENDING_GRACE_S if within_s > 0 else PENDING_TTL_S)
        # Now, before the request goes out: the other processes sharing the file (another
        # editor window, the review CLI) count it from their next budget check on.
        self.flush()
        self._release_dead()
        try:
            self._run(lambda conn: self._claim(conn, key, most, until))
        except sqlite3.Error:  # written with the next flush that can (see flush)
            if waits:  # checked as the file would have, with what this process knows (the
                # file is locked or unwritable: no second wait for it on the event loop)
                self._refuse_over_budget(self._session_cost(_day(now)), _UnderWay(), most)
            with self._lock:
                self._pending_add[key] = (most, until)
        with self._lock:
            self._in_flight[key] = most

        def release() -> None:
            with self._lock:
                if self._in_flight.pop(key, None) is None:
                    return
                if self._pending_add.pop(key, None) is None:  # its row is in the file
                    self._pending_del.add(key)
                waiters, self._release_waiters = self._release_waiters, set()
            self._flush_soon()
            # Woken on their loops' next turn: the caller records the request's usage right
            # after this (see ModelStream._end), so a waiter's check counts it as spent.
            for waiter in waiters:
                with contextlib.suppress(RuntimeError):  # its loop has closed
                    waiter.get_loop().call_soon_threadsafe(_wake, waiter)

        return release

    def _most(self, model: str, prompt_tokens: int, max_tokens: int, times: tuple[float, float]) -> float:
        """The most a request of ``model`` may cost, sent and ended within ``times``: every
        prompt token a miss, all of ``max_tokens`` generated (0: nothing to hold)."""
        whens = [datetime.fromtimestamp(t, timezone.utc) for t in times]
        most = max(self.prices.cost(model, 0, prompt_tokens, max_tokens, when) for when in whens)
        if most > 0 or self.prices.known(model):
            return most
        if rate := self.learned_rate(model):
            # A gateway's model without a price here, at the dearest a token of it was billed.
            return rate.most * (prompt_tokens + max_tokens)
        if model in self.billing_models:  # billed without a word of what: at its list price
            return max(self.prices.list_cost(model, 0, prompt_tokens, max_tokens, when) or 0.0 for when in whens)
        return 0.0

    async def until_released(self, timeout: float) -> None:
        """Wait until one of this ledger's requests under way ends, or ``timeout`` seconds
        (those of other processes end unannounced: the caller checks the budget again)."""
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        with self._lock:
            self._release_waiters.add(waiter)
        try:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(waiter, max(0.0, timeout))
        finally:
            with self._lock:
                self._release_waiters.discard(waiter)

    def _claim(self, conn: sqlite3.Connection, key: str, most: float, until: float) -> None:
        """Write a request's reservation if the budget still has room for it, in the
        transaction that checks: two windows whose checks both passed before either had
        written its row both sent, into a budget with room for one (raises BudgetExceeded)."""
        now = self._clock()
        day = _day(now)
        with _transaction(conn):
            spent = float(conn.execute(_SPENT_ON_DAY, (day,)).fetchone()[0] or 0.0)
            others = _UnderWay.of(conn.execute(_PENDING_OF_OTHERS, (self._owner, now)).fetchone())
            self._refuse_over_budget(spent + self._unsaved_cost(day), others, most if key.endswith(WAITS_SUFFIX) else 0.0)
            conn.execute("INSERT OR REPLACE INTO pending VALUES (?, ?, ?, ?)", (key, self._owner, most, until))
            conn.execute("DELETE FROM pending WHERE until < ?", (now,))  # a dead process's

    def summary(self) -> dict[str, Any]:
        """Totals per model for this session, today and this month (UTC)."""
        now = self._clock()
        today = _day(now)
        month = today[:7]

        def scope(per_model: dict[str, Totals]) -> dict[str, Any]:
            total = Totals()
            for t in per_model.values():
                total.merge(t)
            return {
                "models": {m: t.as_dict() for m, t in sorted(per_model.items())},
                "total": total.as_dict(),
            }

        with self._lock:
            session = {
                m: Totals(*(getattr(t, c) for c in _COLUMNS)) for m, t in self.session.items()
            }
        try:
            today_totals = self._totals(today)
            month_totals = self._totals(month)
        except sqlite3.Error as exc:
            log.warning("usage ledger: could not read totals (%s)", exc)
            today_totals, month_totals = {}, {}
            # No totals read is no "$0 spent": the file counts as unread.
            unread = f"usage ledger: could not read the totals in {self.path} ({exc})"
        else:
            unread = ""
        out: dict[str, Any] = {
            "session": {
                "started": datetime.fromtimestamp(self.started, timezone.utc).isoformat(),
                **scope(session),
            },
            "today": {"day": today, **scope(today_totals)},
            "month": {"month": month, **scope(month_totals)},
            # Those still without a price: one priced since (the settings changed) is no
            # longer something to tell the user about. Also those of earlier sessions in the
            # day's and month's totals: after a restart their $0 was shown unexplained.
            "unpriced_models": sorted(
                m
                for m in self.unpriced.union(
                    m
                    for totals in (today_totals, month_totals)
                    for m, t in totals.items()
                    if t.requests and not t.cost_usd and not t.unknown_cost
                )
                if not self.prices.known(m) and m not in self.billing_models
            ),
            # Billed by a gateway that did not say what (see Usage.cost_unknown): the totals'
            # ``unknown_cost`` counts those requests, left out of ``cost_usd``.
            "unknown_cost_models": sorted(
                {m for totals in (session, today_totals, month_totals) for m, t in totals.items() if t.unknown_cost}
            ),
            # Those whose cost is in part our estimate at their list price (the totals'
            # ``estimated_usd``): said, so that the figure is not taken for the gateway's bill.
            "estimated_cost_models": sorted(
                {m for totals in (session, today_totals, month_totals) for m, t in totals.items() if t.estimated_usd}
            ),
            # None: usage is in memory only, ``problems`` says why.
            "path": str(self.path) if self.path and self.persistent and not unread else None,
            "problems": [*self.problems, *([unread] if unread else [])],
            "budget": None,
        }
        if self.daily_budget:
            spent = sum(t.cost_usd for t in today_totals.values())
            under_way = self._under_way(self._others_pending().all)
            # Not rounded to 6 places: a day of a few cached completions (under half a
            # millionth of a dollar) read "spent $0.00" next to a total of "<$0.0001".
            out["budget"] = {
                "daily_usd": self.daily_budget,
                "spent_today_usd": round(spent, 12),
                # The part of it estimated at list prices (see estimated_cost_models).
                "estimated_usd": round(sum(t.estimated_usd for t in today_totals.values()), 12),
                # What new requests may still spend: those under way count at their most, as
                # the budget check counts them. Left out, a review under way had completions
                # refused as over budget while the same view said money remained.
                "remaining_usd": round(max(0.0, self.daily_budget - spent - under_way), 12),
                "under_way_usd": round(under_way, 12),
            }
        return out
