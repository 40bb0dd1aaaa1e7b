"""What one request used and cost (:class:`UsageRecord`, :class:`Priced`) and the sums of
many (:class:`Totals`): the ledger's figures, in memory and as the usage file's columns."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from typing import Any, Literal

Outcome = Literal["ok", "cancelled", "error"]


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
    """What one request cost as the ledger counts it (see :meth:`Billing.price`)."""

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
        out["cache_hit_share"] = self.cache_hit_share()
        return out

    def cache_hit_share(self) -> float | None:
        """What the provider's cache held of the prompts: the figure a spend follows (a hit
        costs 2 % of a miss), which the counts alone left to divide by hand. None without one."""
        return round(self.cache_hit_tokens / self.prompt_tokens, 4) if self.prompt_tokens else None


def summed(per_model: Iterable[Totals]) -> Totals:
    """The totals of several models (or days) as one."""
    total = Totals()
    for t in per_model:
        total.merge(t)
    return total
