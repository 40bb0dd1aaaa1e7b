"""What requests cost as the ledger counts them (see ledger.py): the price table, else what a
provider billed (the models billed, the rates learned per token) and the endpoints seen to be
gateways that bill, each shared with the other processes through the usage file."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone

from .learned import Rate
from .prices import PriceTable
from .types import Usage
from .usage_file import DEAD_SWEEP_S, UsageFile
from .usage_records import Priced


class BillingKnowledge:
    """Part of :class:`~.ledger.Ledger` (see the module's docstring)."""

    prices: PriceTable
    billing_models: set[str]
    gateways: set[str]
    file: UsageFile
    _billing_unsaved: set[str]
    _gateways_unsaved: set[str]
    _gateways_gone: set[str]
    _rates: dict[str, Rate]
    _rates_unsaved: dict[str, Rate]
    _next_billing_read: float
    _clock: Callable[[], float]
    _lock: threading.RLock

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

    def _read_billing(self) -> None:
        """What the other processes sharing the file learned of the models billed (read at
        opening only, a window open all day held a gateway model at $0 that another window had
        seen billed), at most every ``DEAD_SWEEP_S``."""
        if time.monotonic() < self._next_billing_read:
            return
        self._next_billing_read = time.monotonic() + DEAD_SWEEP_S
        with self._lock:
            billed, rates = self.file.billed_models(), self.file.rates()
            self.billing_models |= billed
            in_file = self.file.gateways()
            if in_file is not None:  # the file's word (another window saw one go), and this one's unsaved
                self.gateways = (in_file | self._gateways_unsaved) - self._gateways_gone
            for model, rate in self._rates_unsaved.items():  # could not be written yet
                if model in rates:  # (else what this process knows is all there is)
                    rates[model] = rates[model].plus(rate)
            for model, rate in rates.items():  # never older than what this process knows
                if rate.seen >= self._rates.get(model, Rate()).seen:
                    self._rates[model] = rate
