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
from .usage_file import DEAD_SWEEP_S, Unwritten, UsageFile
from .usage_records import Priced


class Billing:
    """How the ledger prices a request (``prices``, the price table, which the settings
    replace), and what it learned of providers that bill: the models billed, the rates billed
    per token, the endpoints that are gateways. Shared with the other processes through
    ``file``: what it learns goes to ``unwritten``, which the ledger writes to the file."""

    def __init__(
        self,
        file: UsageFile,
        prices: PriceTable,
        unwritten: Unwritten,
        *,
        clock: Callable[[], float],
        lock: threading.RLock,
    ) -> None:
        self.file = file
        self.prices = prices
        self._unwritten = unwritten
        self._clock = clock
        self._lock = lock
        #: Models whose provider told what a request cost (see :meth:`Ledger.record`): not free,
        #: whatever the price table says.
        self.billed_models: set[str] = set(file.billed_models())
        #: Endpoints seen to be a gateway that bills (see :meth:`saw_gateway`), every process's.
        self.gateways: set[str] = file.gateways() or set()
        #: Per model a provider billed, what it cost per token (see :meth:`learned_rate`): the
        #: file's at opening (every process's), with this one's since.
        self._rates: dict[str, Rate] = file.rates()
        self._next_read = 0.0  # time.monotonic() of the next read of what others learned

    def saw_gateway(self, base_url: str) -> None:
        """The endpoint at ``base_url`` is a gateway that bills (see :meth:`is_gateway`)."""
        with self._lock:
            if base_url not in self.gateways:
                self.gateways.add(base_url)
                self._unwritten.gateways.add(base_url)
            self._unwritten.gateways_gone.discard(base_url)

    def saw_no_gateway(self, base_url: str) -> None:
        """The endpoint at ``base_url`` answered a whole request with neither a cost nor a
        gateway's headers: what billed there before is gone (a LiteLLM proxy's port now a free
        server's), and its requests cancelled before their headers are free again."""
        with self._lock:
            if base_url in self.gateways:
                self.gateways.discard(base_url)
                self._unwritten.gateways.discard(base_url)
                self._unwritten.gateways_gone.add(base_url)

    def is_gateway(self, base_url: str) -> bool:
        """Whether the endpoint at ``base_url`` was seen to be a gateway that bills, by any
        process sharing the file: a request to it that could not tell (cancelled before its
        answer's headers) is billed all the same, not free."""
        self.read()
        with self._lock:
            return base_url in self.gateways

    def learned_rate(self, model: str) -> Rate | None:
        """What ``model`` was billed per token as its provider reported it, None if it never
        reported a cost (or only $0: OpenRouter's ``:free`` models), or none for
        ``learned.FORGET_S`` (the gateway's prices may have changed since)."""
        with self._lock:
            rate = self._rates.get(model)
        return rate if rate is not None and rate.fresh(self._clock()) else None

    def learn(self, model: str, cost: float, tokens: int, when: float) -> None:
        if cost <= 0 or tokens <= 0:
            return
        seen = Rate.billed(cost, tokens, when)
        with self._lock:
            for rates in (self._rates, self._unwritten.rates):
                rates[model] = rates.get(model, Rate()).plus(seen)

    def billed(self, model: str) -> None:
        """``model``'s provider bills it: not free, whatever the price table says."""
        with self._lock:
            if model not in self.billed_models:
                self.billed_models.add(model)
                self._unwritten.billed.add(model)

    def price(self, model: str, usage: Usage, ts: float | None = None) -> Priced:
        """What a request of ``model`` with ``usage`` costs at ``ts`` (by default now), as
        :meth:`Ledger.record` counts it: what the provider said, else the price table's, else the
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
        if not (usage.cost_unknown or model in self.billed_models):
            return Priced(0.0, False)
        estimate = self.prices.list_cost(model, hit, miss, output, when)
        if estimate is None:  # another provider's model: nothing here can tell
            return Priced(0.0, False, unknown=True)
        return Priced(estimate, True, estimated=True)

    def read(self) -> None:
        """What the other processes sharing the file learned of the models billed (read at
        opening only, a window open all day held a gateway model at $0 that another window had
        seen billed), at most every ``DEAD_SWEEP_S``."""
        if time.monotonic() < self._next_read:
            return
        self._next_read = time.monotonic() + DEAD_SWEEP_S
        with self._lock:
            billed, rates = self.file.billed_models(), self.file.rates()
            self.billed_models |= billed
            in_file = self.file.gateways()
            if in_file is not None:  # the file's word (another window saw one go), and this one's unsaved
                self.gateways = (in_file | self._unwritten.gateways) - self._unwritten.gateways_gone
            for model, rate in self._unwritten.rates.items():  # could not be written yet
                if model in rates:  # (else what this process knows is all there is)
                    rates[model] = rates[model].plus(rate)
            for model, rate in rates.items():  # never older than what this process knows
                if rate.seen >= self._rates.get(model, Rate()).seen:
                    self._rates[model] = rate

    def not_written(self, billed: set[str], gateways: set[str], gone: set[str], rates: dict[str, Rate]) -> None:
        """What the ledger took to write (see ``Unwritten``) could not be written: kept for the
        next write (a gateway seen again since is no longer gone)."""
        with self._lock:
            out = self._unwritten
            out.billed.update(billed)
            out.gateways.update(gateways)
            out.gateways_gone.update(gone - self.gateways)
            for model, rate in rates.items():
                out.rates[model] = out.rates.get(model, Rate()).plus(rate)

    def new_file(self) -> None:
        """The usage file is a new one (see UsageFile.reopen): all this process knows is to be
        written to it, and what it holds already is known from now on."""
        with self._lock:
            out = self._unwritten
            out.billed |= self.billed_models
            out.gateways |= self.gateways
            out.rates.clear()
            out.rates.update(self._rates)
        self.billed_models.update(self.file.billed_models())
        self.gateways.update(self.file.gateways() or ())
