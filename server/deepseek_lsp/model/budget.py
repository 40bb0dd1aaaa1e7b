"""The daily budget's side of :class:`~.ledger.Ledger`: today's spend, the requests under
way held at the most they may cost (in every process sharing the usage file), and the check
that refuses a request once the two reach the budget."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, TypeVar

from .errors import BudgetExceeded
from .learned import Rate
from .prices import PriceTable
from .usage_file import (
    _PENDING_OF_OTHERS,
    _SPENT_ON_DAY,
    PENDING_GRACE_S,
    PENDING_TTL_S,
    WAITS_SUFFIX,
    UsageFile,
    _day,
    _transaction,
    _UnderWay,
)
from .usage_records import Totals

T = TypeVar("T")


def _nothing() -> None:
    return None


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


class BudgetChecks:
    """Part of :class:`~.ledger.Ledger` (see the module's docstring)."""

    prices: PriceTable
    daily_budget: float | None
    billing_models: set[str]
    _spent_on: dict[str, float]
    file: UsageFile
    _owner: str
    _in_flight: dict[str, tuple[float, float]]
    _pending_add: dict[str, tuple[float, float]]
    _pending_del: set[str]
    _release_waiters: set[asyncio.Future[None]]
    _clock: Callable[[], float]
    _lock: threading.RLock

    if TYPE_CHECKING:  # the other parts of Ledger

        def flush(self) -> None:
            ...

        def _flush_soon(self) -> None:
            ...

        def _unsaved_cost(self, day: str) -> float:
            ...

        def _unsaved_totals(self, day_prefix: str) -> dict[str, Totals]:
            ...

        def _read_billing(self) -> None:
            ...

        def _release_dead(self) -> None:
            ...

        def learned_rate(self, model: str) -> Rate | None:
            ...

    def today_cost(self) -> float:
        """Today's spend across every process sharing the file (this session's if unreadable)."""
        today = _day(self._clock())
        try:
            self.flush()
            rows = self.file.execute(_SPENT_ON_DAY, (today,))
            return float(rows[0][0] or 0.0) + self._unsaved_cost(today)
        except sqlite3.Error:
            return self._session_cost(today)

    def _session_cost(self, day: str) -> float:
        """What this process spent on ``day`` (the file aside)."""
        with self._lock:
            return self._spent_on.get(day, 0.0)

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
                waiting = others.waiting + sum(c for k, (c, _) in self._in_flight.items() if k.endswith(WAITS_SUFFIX))
            if waiting > 0 and waiting + waiting_most > (self.daily_budget - spent) / 2:
                raise self._refusal(spent, pending)

    def _refusal(self, spent: float, pending: float) -> BudgetExceeded:
        """The refusal, saying how much of ``spent`` is estimated at list prices."""
        assert self.daily_budget is not None
        day = _day(self._clock())
        try:  # on the connection as it is: inside _claim's transaction too
            row = self.file.conn.execute("SELECT SUM(estimated_usd) FROM daily WHERE day = ?", (day,)).fetchone()
            estimated = float(row[0] or 0.0)
        except sqlite3.Error:  # unreadable, or a read-only file of an older version
            estimated = 0.0
        estimated += sum(t.estimated_usd for t in self._unsaved_totals(day).values())
        return BudgetExceeded(spent, self.daily_budget, pending=pending, estimated=estimated)

    def _under_way(self, others_pending: float) -> float:
        """What the requests under way may cost at most: the other processes' (``others_pending``)
        and this one's."""
        with self._lock:
            return others_pending + sum(most for most, _ in self._in_flight.values())

    def _others_pending(self) -> _UnderWay:
        """What the other processes' requests under way may cost (0 if the file cannot say)."""
        self._release_dead()
        try:
            rows = self.file.execute(_PENDING_OF_OTHERS, (self._owner, self._clock()))
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
            self.file.run(lambda conn: self._claim(conn, key, most, until))
        except sqlite3.Error:  # written with the next flush that can (see flush)
            if waits:  # checked as the file would have, with what this process knows (the
                # file is locked or unwritable: no second wait for it on the event loop)
                self._refuse_over_budget(self._session_cost(_day(now)), _UnderWay(), most)
            with self._lock:
                self._pending_add[key] = (most, until)
        with self._lock:
            self._in_flight[key] = (most, until)

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

