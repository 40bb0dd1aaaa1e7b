"""Usage and cost ledger: what every request cost, per session (memory) and per day (the usage
file, shared by every server of the machine: see usage_file.py), and the daily budget's checks
(budget.py).

Records reach the file a moment after they are made (``WRITE_DELAY_S``), together; until then
they count in every read and budget check all the same. What the file cannot take (a lock held
too long, a full disk) stays queued for the next write. Nothing here raises into the caller
except :class:`BudgetExceeded`.

Days are UTC days, like DeepSeek's peak windows: the daily budget resets at 00:00 UTC.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from ..console import counted
from . import learned
from .billing import Billing
from .budget import Budget
from .learned import Rate
from .prices import PriceTable
from .types import Usage
from .usage_file import (
    _COLUMNS,
    _SPENT_ON_DAY,
    _UPSERT,
    DB_NAME,
    Unwritten,
    UsageFile,
    _day,
    _owner_name,
    _transaction,
    state_dir,
)
from .usage_records import Outcome, Priced, Totals, UsageRecord, summed

__all__ = ["DB_NAME", "Ledger", "Outcome", "Priced", "Rate", "Totals", "UsageRecord", "state_dir"]

log = logging.getLogger(__name__)


#: What totals are summed by (a column of the usage file's ``daily``).
Grouping = Literal["model", "feature"]

#: A request's usage reaches the file this long after it is recorded: an SQLite write costs
#: ~0.4 ms on the event loop, which the completion's answer waited for
#: (tests/bench/bench_overhead.py). Records made meanwhile are written together.
WRITE_DELAY_S = 0.25


class Ledger:
    """Records :class:`UsageRecord` s and answers spending questions; prices requests with its
    ``billing`` and holds to its daily ``budget``.

    ``path``: the SQLite file (default ``state_dir()/usage.sqlite3``; ``":memory:"`` for none).
    ``daily_budget``: USD per UTC day, checked by :meth:`Budget.check` before each request.
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
        self._clock = clock
        self._lock = threading.RLock()
        self._write_warned = False
        self.started = clock()
        self.session: dict[str, Totals] = {}
        #: This session's totals per feature (a completion, its prefetch, a review): what a
        #: prefetch cost was in the completions' figures, with no way to tell it.
        self.session_features: dict[str, Totals] = {}
        self.recent: deque[UsageRecord] = deque(maxlen=keep_recent)
        #: This session's spend per UTC day, what the budget goes by when the file cannot be
        #: read (``recent`` keeps the last records only: a long session's spend fell short).
        self._spent_on: dict[str, float] = {}
        self.unpriced: set[str] = set()
        if path is None:
            path = state_dir() / DB_NAME
        self._closed = False
        self.file = UsageFile(
            None if str(path) == ":memory:" else Path(path),
            clock=clock,
            busy_timeout_ms=busy_timeout_ms,
            read_only=read_only,
            lock=self._lock,
            on_new_file=self._new_file,
        )
        #: What is not in the file yet: this ledger's usage rows, and its parts' rows.
        self._unwritten = Unwritten()
        self.billing = Billing(self.file, prices or PriceTable(), self._unwritten, clock=clock, lock=self._lock)
        self.budget = Budget(
            self.file, self.billing, self, self._unwritten, daily_budget, owner=_owner_name(), clock=clock, lock=self._lock
        )
        self._flush_at: asyncio.TimerHandle | None = None
        self._flush_loop: asyncio.AbstractEventLoop | None = None

    @property
    def path(self) -> Path | None:
        """The usage file (None: in memory only)."""
        return self.file.path

    @property
    def read_only(self) -> bool:
        return self.file.read_only

    @property
    def persistent(self) -> bool:
        """False once the file could not be used and usage lives in memory only."""
        return self.file.persistent

    @property
    def problems(self) -> list[str]:
        """What went wrong opening the file, for the user (the server shows each once)."""
        return self.file.problems

    def _new_file(self) -> None:
        """The connection is to a new file (see UsageFile.reopen): what the old one knew is
        written to it."""
        self.budget.new_file()
        self.billing.new_file()
        self.flush_soon()

    def close(self) -> None:
        self.budget.end_all()
        self.flush()
        with self._lock:
            lost = sum(t.requests for t in self._unwritten.usage.values())
            if lost:
                log.warning("usage ledger: the usage of %s could not be saved", counted(lost, "request"))
            self.file.close()
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
            # Taken field by field, with no call: this runs several times for each completion.
            out = self._unwritten
            unsaved, out.usage = out.usage, {}
            adds, out.pending_add = out.pending_add, {}
            dels, out.pending_del = out.pending_del, set()
            billing, out.billed = out.billed, set()
            gateways, out.gateways = out.gateways, set()
            gone, out.gateways_gone = out.gateways_gone, set()
            rates, out.rates = out.rates, {}
        if not (unsaved or adds or dels or billing or gateways or gone or rates):
            return
        rows = [(*key, *(getattr(t, c) for c in _COLUMNS)) for key, t in unsaved.items()]
        added = [(key, self.budget.owner, cost, until) for key, (cost, until) in adds.items()]

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
            self.file.run(write)
        except sqlite3.Error as exc:
            # Kept for the next flush (or close): a lock held past the busy timeout or a full
            # disk is usually gone by then, and a dropped row was spend the budget never saw.
            self._keep_unsaved(unsaved.items())
            self.budget.not_written(adds, dels)
            self.billing.not_written(billing, gateways, gone, rates)
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
                self._unwritten.usage.setdefault(key, Totals()).merge(totals)

    def today_cost(self) -> float:
        """Today's spend across every process sharing the file (this session's if unreadable)."""
        today = _day(self._clock())
        try:
            self.flush()
            rows = self.file.execute(_SPENT_ON_DAY, (today,))
            return float(rows[0][0] or 0.0) + self.unsaved_cost(today)
        except sqlite3.Error:
            return self.session_cost(today)

    def session_cost(self, day: str) -> float:
        """What this process spent on ``day`` (the file aside)."""
        with self._lock:
            return self._spent_on.get(day, 0.0)

    def unsaved_cost(self, day: str) -> float:
        """What this process spent on ``day`` that is not in the file yet."""
        return sum(t.cost_usd for t in self.unsaved_totals(day).values())

    def unsaved_totals(self, day_prefix: str, by: Grouping = "model") -> dict[str, Totals]:
        """Per model (or feature), the records not in the file yet of the days ``day_prefix``
        (a day, or a month) covers."""
        out: dict[str, Totals] = {}
        with self._lock:
            for (day, model, feature), totals in self._unwritten.usage.items():
                if day.startswith(day_prefix):
                    out.setdefault(model if by == "model" else feature, Totals()).merge(totals)
        return out

    def flush_soon(self) -> None:
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
            self.billing.billed(model)
            if not estimated:
                self.billing.learn(model, usage.cost_usd, usage.prompt_tokens + usage.completion_tokens, ts)
        elif usage.cost_unknown:
            # Billed all the same (LiteLLM's stream that told no cost): held to the daily
            # budget from now on, which let a model the price table does not know go unchecked.
            self.billing.billed(model)
        priced = self.billing.price(model, usage, ts)
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
        day = _day(ts)
        with self._lock:
            self.session.setdefault(model, Totals()).add(rec)
            self.session_features.setdefault(feature, Totals()).add(rec)
            self.recent.append(rec)
            self._spent_on[day] = self._spent_on.get(day, 0.0) + rec.cost
            self._unwritten.usage.setdefault((day, model, feature), Totals()).add(rec)
        self.flush_soon()
        return rec

    # -- queries -------------------------------------------------------------------------------

    def _totals(self, day_prefix: str, by: Grouping = "model") -> dict[str, Totals]:
        """Per model (or feature), the totals of the days ``day_prefix`` (a day, or a month)
        covers: the file's, plus what could not be written to it yet."""
        self.flush()
        # A column a file of before lacks (read only, it is not added) reads as 0.
        have = {row[1] for row in self.file.execute("PRAGMA table_info(daily)")}
        cols = ", ".join(f"SUM({c})" if c in have else "0" for c in _COLUMNS)
        column = "model" if by == "model" else "feature"  # a column's name, not a value given
        rows = self.file.execute(
            f"SELECT {column}, {cols} FROM daily WHERE substr(day, 1, ?) = ? GROUP BY {column}",
            (len(day_prefix), day_prefix),
        )
        out: dict[str, Totals] = {}
        for name, *values in rows:
            out[name] = Totals(*(v or 0 for v in values))
        for name, totals in self.unsaved_totals(day_prefix, by).items():
            out.setdefault(name, Totals()).merge(totals)
        return out

    def session_total(self) -> Totals:
        """This session's requests and cost, all models together."""
        with self._lock:
            return summed(self.session.values())

    def summary(self) -> dict[str, Any]:
        """Totals per model for this session, today and this month (UTC)."""
        now = self._clock()
        today = _day(now)
        month = today[:7]

        def by_name(totals: dict[str, Totals]) -> dict[str, Any]:
            return {name: t.as_dict() for name, t in sorted(totals.items())}

        def scope(per_model: dict[str, Totals]) -> dict[str, Any]:
            return {"models": by_name(per_model), "total": summed(per_model.values()).as_dict()}

        with self._lock:
            session = {
                m: Totals(*(getattr(t, c) for c in _COLUMNS)) for m, t in self.session.items()
            }
            features = by_name(self.session_features)
        try:
            today_totals = self._totals(today)
            month_totals = self._totals(month)
            # What prefetches and reviews cost apart from completions, as the file keeps it:
            # the session's alone was told, gone at a restart and unknown to the command line.
            today_features = self._totals(today, "feature")
            month_features = self._totals(month, "feature")
        except sqlite3.Error as exc:
            log.warning("usage ledger: could not read totals (%s)", exc)
            today_totals, month_totals, today_features, month_features = {}, {}, {}, {}
            # No totals read is no "$0 spent": the file counts as unread.
            unread = f"usage ledger: could not read the totals in {self.path} ({exc})"
        else:
            unread = ""
        out: dict[str, Any] = {
            "session": {
                "started": datetime.fromtimestamp(self.started, timezone.utc).isoformat(),
                **scope(session),
                "features": features,
            },
            "today": {"day": today, **scope(today_totals), "features": by_name(today_features)},
            "month": {"month": month, **scope(month_totals), "features": by_name(month_features)},
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
                if not self.billing.prices.known(m) and m not in self.billing.billed_models
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
        daily = self.budget.daily_usd
        if daily:
            # Unread, the spend the budget check goes by (this session's): "spent $0, all of the
            # budget remaining" was shown while completions were refused as over it.
            spent = self.today_cost() if unread else sum(t.cost_usd for t in today_totals.values())
            under_way = self.budget.under_way(self.budget.others_pending().all)
            # Not rounded to 6 places: a day of a few cached completions (under half a
            # millionth of a dollar) read "spent $0.00" next to a total of "<$0.0001".
            out["budget"] = {
                "daily_usd": daily,
                "spent_today_usd": round(spent, 12),
                # The part of it estimated at list prices (see estimated_cost_models).
                "estimated_usd": round(sum(t.estimated_usd for t in today_totals.values()), 12),
                # What new requests may still spend: those under way count at their most, as
                # the budget check counts them. Left out, a review under way had completions
                # refused as over budget while the same view said money remained.
                "remaining_usd": round(max(0.0, daily - spent - under_way), 12),
                "under_way_usd": round(under_way, 12),
            }
        return out
