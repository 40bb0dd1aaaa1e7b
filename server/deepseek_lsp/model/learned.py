"""What a gateway billed a model per token, learned from its cost reports (OpenRouter's
``usage.cost``, LiteLLM's ``x-litellm-response-cost``), for a model without a price here: the
ledger prices a request whose report did not come (cancelled first) at the mean, and holds a
request under way against the daily budget at :attr:`Rate.most` a token.

Gateways change their prices, so a rate ages: each report weighs half as much after
``HALF_LIFE_S`` (newer reports decide, within about a day after a price change; after a week
without reports the next one replaces the rate), and a rate no report confirmed for
``FORGET_S`` is not used at all (a rate learned months ago, before the gateway changed its
prices, priced every request without a report at the old price, for ever).

Kept in the usage file's ``learned_rate`` table, shared by every process, with the time of the
newest report in it. The table of before, ``billing_rate``, had no time: its rows are taken
over once, as if learned when taken over.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["DEAREST_OVER_MEAN", "FORGET_S", "HALF_LIFE_S", "Rate", "create_table", "read", "store"]

HALF_LIFE_S = 86400.0
FORGET_S = 30 * 86400.0
DEAREST_OVER_MEAN = 8.0

#: ``cost`` and ``tokens`` are the reports' sums weighted as of ``seen`` (unix time of the
#: newest report): aged only when merged with a newer one, so a row needs no rewrite to age.
_SCHEMA = """
CREATE TABLE IF NOT EXISTS learned_rate (
    model TEXT PRIMARY KEY,
    cost REAL NOT NULL,
    tokens REAL NOT NULL,
    dearest REAL NOT NULL,
    seen REAL NOT NULL
) WITHOUT ROWID
"""
_FROM_UNTIMED = "INSERT OR IGNORE INTO learned_rate SELECT model, cost, tokens, dearest, ? FROM billing_rate"
_READ = "SELECT model, cost, tokens, dearest, seen FROM learned_rate"
_WRITE = "INSERT OR REPLACE INTO learned_rate (model, cost, tokens, dearest, seen) VALUES (?, ?, ?, ?, ?)"


@dataclass(frozen=True, slots=True)
class Rate:
    """What a model was billed: ``cost`` USD for ``tokens`` tokens, each report weighted by its
    age at ``seen``, the newest report's time; at most ``dearest`` USD a token in one request.
    Frozen: shared between the ledger's tables and its callers without copies."""

    cost: float = 0.0
    tokens: float = 0.0
    dearest: float = 0.0
    seen: float = 0.0

    @classmethod
    def billed(cls, cost: float, tokens: int, when: float) -> Rate:
        """One report: ``cost`` USD for ``tokens`` tokens at ``when``."""
        return cls(cost, tokens, cost / tokens, when)

    @property
    def mean(self) -> float:
        return self.cost / self.tokens if self.tokens else 0.0

    @property
    def most(self) -> float:
        """The most a token may cost: the dearest seen, within ``DEAREST_OVER_MEAN`` times the
        mean. Output costs 4-5 times a prompt token at most providers (DeepSeek, OpenAI,
        Anthropic): one request billed far dearer a token (a per-request fee, a proxy's
        garbage count of 1 token) held a whole review's worth of budget for every request."""
        return min(self.dearest, DEAREST_OVER_MEAN * self.mean)

    def fresh(self, now: float) -> bool:
        """Whether a report confirmed the rate within ``FORGET_S`` of ``now``."""
        return bool(self.tokens) and now - self.seen <= FORGET_S

    def plus(self, other: Rate) -> Rate:
        """Both, the older one's reports weighing less by the time between them."""
        seen = max(self.seen, other.seen)
        mine, its = self._weight(seen), other._weight(seen)
        cost = self.cost * mine + other.cost * its
        tokens = self.tokens * mine + other.tokens * its
        # The dearest fades with the reports it came from, but is never below the mean: a
        # request held at less than the mean would let the budget be overrun.
        mean = cost / tokens if tokens else 0.0
        return Rate(cost, tokens, max(self.dearest * mine, other.dearest * its, mean), seen)

    def _weight(self, when: float) -> float:
        return 0.5 ** (max(0.0, when - self.seen) / HALF_LIFE_S)


def create_table(conn: sqlite3.Connection, now: float) -> None:
    """The table, with the untimed rates of a file written before it, stamped ``now``."""
    conn.execute(_SCHEMA)
    try:
        conn.execute(_FROM_UNTIMED, (now,))
    except sqlite3.OperationalError:  # no such table: a file of this version or a new one
        pass


def read(conn: sqlite3.Connection) -> dict[str, Rate]:
    """The rates the file holds (none if it cannot say: a file of an older version)."""
    try:
        rows = conn.execute(_READ).fetchall()
    except sqlite3.Error:
        return {}
    return {model: Rate(float(c), float(t), float(d), float(s)) for model, c, t, d, s in rows}


def store(conn: sqlite3.Connection, rates: Mapping[str, Rate]) -> None:
    """Add ``rates`` to the file's, in the caller's transaction (what another process wrote
    meanwhile is merged, not overwritten)."""
    for model, rate in rates.items():
        row = conn.execute(f"{_READ} WHERE model = ?", (model,)).fetchone()
        if row is not None:
            rate = Rate(*(float(v) for v in row[1:])).plus(rate)
        conn.execute(_WRITE, (model, rate.cost, rate.tokens, rate.dearest, rate.seen))
