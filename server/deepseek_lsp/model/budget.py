"""The daily budget of :class:`~.ledger.Ledger`: the requests under way held at the most they
may cost (in every process sharing the usage file), and the check that refuses a request once
they and today's spend reach the budget."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Protocol

from ..timeouts import within
from .billing import Billing
from .errors import BudgetExceeded
from .usage_file import (
    _OWNERS_OF_OTHERS,
    _PENDING_OF_OTHERS,
    _SPENT_ON_DAY,
    DEAD_SWEEP_S,
    PENDING_GRACE_S,
    PENDING_TTL_S,
    WAITS_SUFFIX,
    Unwritten,
    UsageFile,
    _day,
    _died,
    _machine,
    _transaction,
    _UnderWay,
)
from .usage_records import Totals

log = logging.getLogger(__name__)


def _nothing() -> None:
    return None


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


class Spending(Protocol):
    """What the budget needs of the ledger's accounts (:class:`~.ledger.Ledger`)."""

    def flush(self) -> None:
        """Write the records not yet in the usage file (and the budget's rows)."""
        ...

    def flush_soon(self) -> None: ...

    def today_cost(self) -> float:
        """Today's spend across every process sharing the file (this session's if unreadable)."""
        ...

    def session_cost(self, day: str) -> float:
        """What this process spent on ``day`` (the file aside)."""
        ...

    def unsaved_cost(self, day: str) -> float:
        """What this process spent on ``day`` that is not in the file yet."""
        ...

    def unsaved_totals(self, day_prefix: str) -> dict[str, Totals]:
        """Per model, the records not in the file yet of the days ``day_prefix`` covers."""
        ...


class Budget:
    """The daily budget (``daily_usd``, USD per UTC day; None: none), checked by :meth:`check`
    before each request and held by the requests under way (:meth:`reserve`), in ``file``,
    where the other processes' requests are too. ``spending`` is the ledger's accounts, which
    write the budget's rows (put in ``unwritten``) along with the usage."""

    def __init__(
        self,
        file: UsageFile,
        billing: Billing,
        spending: Spending,
        unwritten: Unwritten,
        daily_usd: float | None,
        *,
        owner: str,
        clock: Callable[[], float],
        lock: threading.RLock,
    ) -> None:
        self.file = file
        self.billing = billing
        self.spending = spending
        self.daily_usd = daily_usd
        #: This process's rows in the file's ``pending`` table (see ``usage_file._owner_name``).
        self.owner = owner
        self._machine = _machine()
        self._clock = clock
        self._lock = lock
        #: The most each request under way (sent, not recorded yet) may cost, and when it stops
        #: counting in the file: it counts against the daily budget until its usage is recorded
        #: (see :meth:`reserve`).
        self._in_flight: dict[str, tuple[float, float]] = {}
        #: Its rows of the file's ``pending`` table that are not written yet, and those to delete.
        self._unwritten = unwritten
        #: Those waiting for a request under way to end (see :meth:`until_released`).
        self._release_waiters: set[asyncio.Future[None]] = set()
        self._next_sweep = 0.0  # time.monotonic() of the next look for dead processes' rows

    def check(self, model: str | None = None) -> None:
        """Raise :class:`BudgetExceeded` once today's spend, with what the requests under way
        may cost, reached the daily budget. ``model``: the request's; one that costs nothing
        (a self-hosted server's) is never refused: the budget spent at DeepSeek (another window,
        the review CLI, this one before it was pointed at a local server) refused every
        completion of a local model, recorded at $0."""
        if not self.daily_usd or self.daily_usd <= 0:
            return
        billing = self.billing
        if model is not None and not billing.prices.known(model):
            billing.read()
        if model is not None and billing.prices.free(model) and model not in billing.billed_models:
            return
        self._refuse_over_budget(self.spending.today_cost(), self.others_pending())

    def _refuse_over_budget(self, spent: float, others: _UnderWay, waiting_most: float = 0.0) -> None:
        """Raise :class:`BudgetExceeded` when ``spent`` today, with what the requests under way
        may cost (the other processes' ``others`` and this one's), reaches the budget.

        ``waiting_most``: what the request to send may cost at most, if it can wait for room
        (a review). Those together hold half of what is left of the budget at most, one of
        them always allowed: a review's batches, each counted at its worst case, held all of a
        small budget, and every completion was refused for them while the day's spend was a
        fraction of it. What goes past the budget stays one request's worst case at most: any
        request goes only while spend and requests under way are below the budget."""
        assert self.daily_usd is not None
        pending = self.under_way(others.all)
        if spent + pending >= self.daily_usd:
            raise self._refusal(spent, pending)
        if waiting_most > 0:
            with self._lock:
                waiting = others.waiting + sum(c for k, (c, _) in self._in_flight.items() if k.endswith(WAITS_SUFFIX))
            if waiting > 0 and waiting + waiting_most > (self.daily_usd - spent) / 2:
                raise self._refusal(spent, pending)

    def _refusal(self, spent: float, pending: float) -> BudgetExceeded:
        """The refusal, saying how much of ``spent`` is estimated at list prices."""
        assert self.daily_usd is not None
        day = _day(self._clock())
        try:  # on the connection as it is: inside _claim's transaction too
            row = self.file.conn.execute("SELECT SUM(estimated_usd) FROM daily WHERE day = ?", (day,)).fetchone()
            estimated = float(row[0] or 0.0)
        except sqlite3.Error:  # unreadable, or a read-only file of an older version
            estimated = 0.0
        estimated += sum(t.estimated_usd for t in self.spending.unsaved_totals(day).values())
        return BudgetExceeded(spent, self.daily_usd, pending=pending, estimated=estimated)

    def under_way(self, others_pending: float) -> float:
        """What the requests under way may cost at most: the other processes' (``others_pending``)
        and this one's."""
        with self._lock:
            return others_pending + sum(most for most, _ in self._in_flight.values())

    def others_pending(self) -> _UnderWay:
        """What the other processes' requests under way may cost (0 if the file cannot say)."""
        self._release_dead()
        try:
            rows = self.file.execute(_PENDING_OF_OTHERS, (self.owner, self._clock()))
        except sqlite3.Error:  # unreadable, or a read-only file of an older version
            return _UnderWay()
        return _UnderWay.of(rows[0])

    def reserve(
        self, model: str, prompt_tokens: int, max_tokens: int, *, within_s: float = 0.0, waits: bool = False
    ) -> Callable[[], None]:
        """Count a request being sent against the daily budget until it is recorded; returns
        the call that stops counting it (call it before recording the request). ``within_s``:
        the request ends within that many seconds (its deadline). ``waits``: the request can
        wait for room (a review; see :meth:`_refuse_over_budget`).

        Requests sent together (a review's batches, several completion choices) each passed
        :meth:`check` before any of them was billed: all went out and the day ended at
        several times the budget. Counted at their most (every prompt token a miss, all of
        ``max_tokens`` generated), the next ones wait for the budget to allow them.

        Raises :class:`BudgetExceeded` when another process took what was left of the budget
        since this one's :meth:`check`."""
        if not self.daily_usd or self.daily_usd <= 0:
            return _nothing
        now = self._clock()
        # Priced when it completes, as DeepSeek bills it (see record): one sent just before
        # the peak hours may end in them, at twice the rate. The peak windows last hours, so
        # the rates at both ends of the request's time are the dearest it can meet.
        most = self._most(model, prompt_tokens, max_tokens, (now, now + max(0.0, within_s)))
        if most <= 0:  # a model without a price: nothing to hold, nothing to write
            return _nothing
        key = f"{self.owner}:{uuid.uuid4().hex}{WAITS_SUFFIX if waits else ''}"
        until = now + (within_s + PENDING_GRACE_S if within_s > 0 else PENDING_TTL_S)
        # Now, before the request goes out: the other processes sharing the file (another
        # editor window, the review CLI) count it from their next budget check on.
        self.spending.flush()
        self._release_dead()
        try:
            self.file.run(lambda conn: self._claim(conn, key, most, until))
        except sqlite3.Error:  # written with the next flush that can (see Ledger.flush)
            if waits:  # checked as the file would have, with what this process knows (the
                # file is locked or unwritable: no second wait for it on the event loop)
                self._refuse_over_budget(self.spending.session_cost(_day(now)), _UnderWay(), most)
            with self._lock:
                self._unwritten.pending_add[key] = (most, until)
        with self._lock:
            self._in_flight[key] = (most, until)

        def release() -> None:
            with self._lock:
                if self._in_flight.pop(key, None) is None:
                    return
                if self._unwritten.pending_add.pop(key, None) is None:  # its row is in the file
                    self._unwritten.pending_del.add(key)
                waiters, self._release_waiters = self._release_waiters, set()
            self.spending.flush_soon()
            # Woken on their loops' next turn: the caller records the request's usage right
            # after this (see ModelStream._end), so a waiter's check counts it as spent.
            for waiter in waiters:
                with contextlib.suppress(RuntimeError):  # its loop has closed
                    waiter.get_loop().call_soon_threadsafe(_wake, waiter)

        return release

    def _most(self, model: str, prompt_tokens: int, max_tokens: int, times: tuple[float, float]) -> float:
        """The most a request of ``model`` may cost, sent and ended within ``times``: every
        prompt token a miss, all of ``max_tokens`` generated (0: nothing to hold)."""
        billing = self.billing
        prices = billing.prices
        whens = [datetime.fromtimestamp(t, timezone.utc) for t in times]
        most = max(prices.cost(model, 0, prompt_tokens, max_tokens, when) for when in whens)
        if most > 0 or prices.known(model):
            return most
        if rate := billing.learned_rate(model):
            # A gateway's model without a price here, at the dearest a token of it was billed.
            return rate.most * (prompt_tokens + max_tokens)
        if model in billing.billed_models:  # billed without a word of what: at its list price
            return max(prices.list_cost(model, 0, prompt_tokens, max_tokens, when) or 0.0 for when in whens)
        return 0.0

    async def until_released(self, timeout: float) -> None:
        """Wait until one of this ledger's requests under way ends, or ``timeout`` seconds
        (those of other processes end unannounced: the caller checks the budget again)."""
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        with self._lock:
            self._release_waiters.add(waiter)
        try:
            with contextlib.suppress(asyncio.TimeoutError):
                await within(waiter, max(0.0, timeout))  # keeps a cancellation coming with the wake-up
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
            others = _UnderWay.of(conn.execute(_PENDING_OF_OTHERS, (self.owner, now)).fetchone())
            self._refuse_over_budget(
                spent + self.spending.unsaved_cost(day), others, most if key.endswith(WAITS_SUFFIX) else 0.0
            )
            conn.execute("INSERT OR REPLACE INTO pending VALUES (?, ?, ?, ?)", (key, self.owner, most, until))
            conn.execute("DELETE FROM pending WHERE until < ?", (now,))  # a dead process's

    def _release_dead(self) -> None:
        """Delete the rows of processes of this machine that died (an editor window killed, or
        its server): they held the budget until their ``until``, up to 130 s for a review's,
        and every completion was refused meanwhile. At most every ``DEAD_SWEEP_S``."""
        if self.file.read_only or time.monotonic() < self._next_sweep:
            return
        self._next_sweep = time.monotonic() + DEAD_SWEEP_S
        try:
            owners = self.file.execute(_OWNERS_OF_OTHERS, (self.owner, self._clock()))
            dead = [(owner,) for (owner,) in owners if _died(owner, self._machine)]
            if dead:

                def delete(conn: sqlite3.Connection) -> None:
                    with _transaction(conn):
                        conn.executemany("DELETE FROM pending WHERE owner = ?", dead)

                self.file.run(delete)
                log.info("usage ledger: released the requests under way of %d process(es) that ended", len(dead))
        except sqlite3.Error as exc:  # the next check tries again
            log.debug("usage ledger: could not look for ended processes' rows: %s", exc)

    def not_written(self, add: dict[str, tuple[float, float]], delete: set[str]) -> None:
        """The rows the ledger took to write (see ``Unwritten``) could not be written: kept for
        the next write, but for the reservations released meanwhile, which need no row any more."""
        with self._lock:
            self._unwritten.pending_add.update((k, v) for k, v in add.items() if k in self._in_flight)
            self._unwritten.pending_del.update(delete)

    def new_file(self) -> None:
        """The usage file is a new one (see UsageFile.reopen): the requests under way hold the
        budget in it too (their rows were in the old one only, and the other windows' checks
        stopped counting them)."""
        with self._lock:
            self._unwritten.pending_add.update(self._in_flight)

    def end_all(self) -> None:
        """The requests still under way will not be recorded by this process (it is closing
        the ledger): they no longer hold the other processes' budget."""
        with self._lock:
            out = self._unwritten
            out.pending_del.update(k for k in self._in_flight if k not in out.pending_add)
            out.pending_add.clear()
            self._in_flight.clear()
