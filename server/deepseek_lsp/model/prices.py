"""Prices per model, with DeepSeek's peak and off-peak rates.

Prices change between DeepSeek's documentation snapshots, so the defaults below are only a starting
point: :meth:`PriceTable.from_config` takes the user's table and keeps going on bad entries (each
problem becomes a message, the entry falls back to the default or is dropped). Billing always comes
from ``usage``; this table only turns token counts into dollars.

Config shape (every part optional)::

    {"models": {"deepseek-flash": {"off_peak": {"cache_hit": 0.003, "cache_miss": 0.15,
                                                "output": 0.60},
                                   "peak": [0.006, 0.30, 1.20]},
                "my-alias": "deepseek-v4-pro"},
     "peak_windows": [{"start": "01:00", "end": "04:00", "days": "mon-fri"}]}

Rates are USD per 1M tokens, as ``{cache_hit, cache_miss, output}`` or a 3-item list in that order.
A model without ``peak`` costs the same at all times. Windows are in UTC, ``end`` exclusive; a
window with ``end`` before ``start`` runs past midnight (days refer to the day it is in).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from ..config import snake

__all__ = [
    "DEFAULT_PEAK_WINDOWS",
    "DEFAULT_PRICES",
    "ModelPrice",
    "PeakWindow",
    "PriceTable",
    "Rates",
    "list_price",
]


@dataclass(frozen=True, slots=True)
class Rates:
    """USD per 1M tokens."""

    cache_hit: float
    cache_miss: float
    output: float

    def dollars(self, hit: int, miss: int, output: int) -> float:
        """USD for one request's tokens at these rates."""
        return (hit * self.cache_hit + miss * self.cache_miss + output * self.output) / 1e6


@dataclass(frozen=True, slots=True)
class ModelPrice:
    off_peak: Rates
    peak: Rates

    @classmethod
    def flat(cls, rates: Rates) -> ModelPrice:
        return cls(rates, rates)


_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEKDAYS = frozenset(range(5))


@dataclass(frozen=True, slots=True)
class PeakWindow:
    start_minute: int  # minutes after 00:00 UTC
    end_minute: int  # exclusive
    weekdays: frozenset[int] = WEEKDAYS  # 0 = Monday

    def contains(self, when: datetime) -> bool:
        if when.weekday() not in self.weekdays:
            return False
        minute = when.hour * 60 + when.minute
        if self.start_minute <= self.end_minute:
            return self.start_minute <= minute < self.end_minute
        return minute >= self.start_minute or minute < self.end_minute


DEFAULT_PEAK_WINDOWS: tuple[PeakWindow, ...] = (
    PeakWindow(1 * 60, 4 * 60),
    PeakWindow(6 * 60, 10 * 60),
)

_FLASH = ModelPrice(off_peak=Rates(0.003, 0.15, 0.60), peak=Rates(0.006, 0.30, 1.20))
_PRO = ModelPrice(off_peak=Rates(0.022, 0.66, 1.98), peak=Rates(0.044, 1.32, 3.96))

# Newest documentation snapshot. deepseek-v4-flash is the accepted alias of deepseek-flash.
DEFAULT_PRICES: Mapping[str, ModelPrice] = {
    "deepseek-flash": _FLASH,
    "deepseek-v4-flash": _FLASH,
    "deepseek-v4-pro": _PRO,
}


def list_price(model: str) -> ModelPrice | None:
    """DeepSeek's own price of ``model`` as a gateway may name it (``deepseek-v4-pro``, a
    LiteLLM route's ``deepseek/deepseek-v4-pro``, OpenRouter's ``…:nitro``); None for another
    provider's model, whose price nothing here knows."""
    name = model.lower()
    return DEFAULT_PRICES.get(name) or DEFAULT_PRICES.get(name.rpartition("/")[2].partition(":")[0])


@dataclass
class PriceTable:
    models: dict[str, ModelPrice] = field(default_factory=lambda: dict(DEFAULT_PRICES))
    peak_windows: tuple[PeakWindow, ...] = DEFAULT_PEAK_WINDOWS
    # Problems found by from_config, for one message to the user.
    messages: list[str] = field(default_factory=list)
    #: A model without a price costs nothing (a table without DeepSeek's prices: a self-hosted
    #: server). With DeepSeek's, an unknown name may be a new DeepSeek model, billed all the same.
    unknown_models_free: bool = False

    def __post_init__(self) -> None:
        self.models = {name.lower(): price for name, price in self.models.items()}

    def lookup(self, model: str) -> ModelPrice | None:
        return self.models.get(model.lower())

    def known(self, model: str) -> bool:
        """False for models without a price (self-hosted, new names): they are recorded at $0."""
        return model.lower() in self.models

    def free(self, model: str) -> bool:
        """Whether requests to ``model`` cost nothing: priced at 0, or unknown where unknown
        models are free (see :attr:`unknown_models_free`)."""
        price = self.lookup(model)
        if price is None:
            return self.unknown_models_free
        return not any(
            rate for rates in (price.off_peak, price.peak) for rate in (rates.cache_hit, rates.cache_miss, rates.output)
        )

    def is_peak(self, when: datetime) -> bool:
        return any(w.contains(_utc(when)) for w in self.peak_windows)

    def rates(self, model: str, when: datetime) -> Rates | None:
        price = self.lookup(model)
        if price is None:
            return None
        return price.peak if self.is_peak(when) else price.off_peak

    def cost(self, model: str, hit: int, miss: int, output: int, when: datetime) -> float:
        """USD for one request's tokens. Unknown models cost 0 (check :meth:`known`)."""
        rates = self.rates(model, when)
        return 0.0 if rates is None else rates.dollars(hit, miss, output)

    def list_cost(self, model: str, hit: int, miss: int, output: int, when: datetime) -> float | None:
        """USD for one request's tokens at DeepSeek's list price of ``model`` (see
        :func:`list_price`) in this table's peak hours: an estimate for a request a gateway
        billed without saying what. None for a model without a list price."""
        price = list_price(model)
        if price is None:
            return None
        return (price.peak if self.is_peak(when) else price.off_peak).dollars(hit, miss, output)

    @classmethod
    def from_config(
        cls, config: Mapping[str, Any] | None, *, defaults: bool = True
    ) -> PriceTable:
        """``defaults``: start from DeepSeek's prices; without, only the configured models cost
        anything (a self-hosted server), though an alias may still name a DeepSeek model."""
        table = cls() if defaults else cls(models={}, unknown_models_free=True)
        messages = table.messages
        if not config:
            return table
        if not isinstance(config, Mapping):
            messages.append("prices: expected a table of models; using the default prices")
            return table
        raw_config = config
        config = _snake_keys(config)  # offPeak, cacheHit, peakWindows: as every other setting
        models = config.get("models", {})
        if not isinstance(models, Mapping):
            messages.append("prices.models: expected a table; using the default prices")
            models = {}
        # "Per-model prices": a model's entry directly under ``prices`` counts as under ``models``
        # (it was accepted and silently ignored). Its name is the key as written, not snake_cased.
        top = {k: v for k, v in raw_config.items() if snake(str(k)) not in ("models", "peak_windows")}
        # Each entry named where the user wrote it: one written as README shows it, directly
        # under prices, was told as 'prices.models.NAME', a key found in no settings file.
        where = {str(n).lower(): "prices" for n in top} | {str(n).lower(): "prices.models" for n in models}
        if top:
            models = {**_snake_keys({"models": top})["models"], **models}
        aliases: dict[str, str] = {}
        for raw_name, entry in models.items():
            name = str(raw_name).lower()
            if isinstance(entry, str):
                aliases[name] = entry.lower()
                continue
            try:
                table.models[name] = _parse_model_price(entry)
            except ValueError as exc:
                fallback = DEFAULT_PRICES.get(name)
                messages.append(
                    f"{where.get(name, 'prices.models')}.{raw_name}: {exc}; "
                    + ("using the default price" if fallback else "the model will cost $0")
                )
                if fallback is None:
                    table.models.pop(name, None)
                else:  # as told, also without the defaults (a proxy on localhost)
                    table.models[name] = fallback
        resolved: dict[str, ModelPrice] = {}
        for name in aliases:
            # Followed to the end, so an alias of an alias works whatever order the keys are in.
            seen, target = {name}, aliases[name]
            while target in aliases and target not in seen:
                seen.add(target)
                target = aliases[target]
            price = None if target in aliases else table.models.get(target, DEFAULT_PRICES.get(target))
            if price is not None:
                resolved[name] = price
            elif target in aliases:
                messages.append(f"{where.get(name, 'prices.models')}.{name}: the aliases go round in a circle; ignored")
            else:
                messages.append(f"{where.get(name, 'prices.models')}.{name}: alias of unknown model {target!r}; ignored")
        table.models.update(resolved)
        if "peak_windows" in config:
            try:
                table.peak_windows = tuple(_parse_windows(config["peak_windows"]))
            except ValueError as exc:
                messages.append(f"prices.peak_windows: {exc}; using the default peak hours")
        return table


def _snake_keys(value: Any, names: bool = False) -> Any:
    """Keys in snake_case, camelCase accepted; ``names``: the keys are model names, kept."""
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for k, v in value.items():
            key = str(k) if names else snake(str(k))
            out[key] = _snake_keys(v, names=key == "models" and not names)
        return out
    if isinstance(value, (list, tuple)):
        return [_snake_keys(v) for v in value]
    return value


def _utc(when: datetime) -> datetime:
    # Naive datetimes are taken as UTC: that is what the ledger passes.
    if when.tzinfo is None:
        return when
    return when.astimezone(timezone.utc)


def _rate(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{what} must be a number, got {value!r}")
    number = float(value)
    if not math.isfinite(number) or number < 0:
        raise ValueError(f"{what} must be a non-negative number, got {value!r}")
    return number


_HIT_KEYS = ("cache_hit", "input_cache_hit", "hit")
_MISS_KEYS = ("cache_miss", "input_cache_miss", "miss")


def _parse_rates(value: Any, what: str) -> Rates:
    if isinstance(value, (list, tuple)):
        if len(value) != 3:
            raise ValueError(f"{what} must list 3 prices [cache_hit, cache_miss, output]")
        return Rates(*(_rate(v, what) for v in value))
    if isinstance(value, Mapping):

        def pick(keys: Iterable[str]) -> Any:
            for key in keys:
                if key in value:
                    return value[key]
            raise ValueError(f"{what} lacks {'/'.join(keys)}")

        return Rates(
            _rate(pick(_HIT_KEYS), f"{what}.cache_hit"),
            _rate(pick(_MISS_KEYS), f"{what}.cache_miss"),
            _rate(pick(("output",)), f"{what}.output"),
        )
    raise ValueError(f"{what} must be a table or a list of 3 numbers")


def _parse_model_price(entry: Any) -> ModelPrice:
    if isinstance(entry, (list, tuple)):
        return ModelPrice.flat(_parse_rates(entry, "price"))
    if not isinstance(entry, Mapping):
        raise ValueError("expected a table with off_peak (and optionally peak) prices")
    if "off_peak" not in entry:
        raise ValueError("missing off_peak prices")
    off_peak = _parse_rates(entry["off_peak"], "off_peak")
    peak = _parse_rates(entry["peak"], "peak") if "peak" in entry else off_peak
    return ModelPrice(off_peak, peak)


def _minute(value: Any) -> int:
    if not isinstance(value, str):
        raise ValueError(f"time must be a string 'HH:MM', got {value!r}")
    hh, _, mm = value.partition(":")
    try:
        hour, minute = int(hh), int(mm or 0)
    except ValueError:
        raise ValueError(f"time must be 'HH:MM', got {value!r}") from None
    if not (0 <= hour <= 24 and 0 <= minute < 60) or (hour == 24 and minute):
        raise ValueError(f"time out of range: {value!r}")
    return hour * 60 + minute


def _parse_days(value: Any) -> frozenset[int]:
    if value is None:
        return WEEKDAYS
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)):
        raise ValueError(f"days must be a list like ['mon', 'fri'] or 'mon-fri', got {value!r}")
    days: set[int] = set()
    # "mon,wed,fri" in one string is three days (it was read as Monday alone, by its first
    # three letters); "Mon–Fri" as pasted from a price page has an en dash.
    texts = [part for item in items for part in str(item).lower().replace("–", "-").split(",")]
    for raw in texts:
        text = raw.strip()
        if text in ("all", "daily", "every"):
            days.update(range(7))
            continue
        first, dash, last = text.partition("-")
        try:
            a = _day_index(first)
            b = _day_index(last) if dash else a
        except ValueError:
            raise ValueError(f"unknown day {text!r}") from None
        days.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(b + 1)])
    return frozenset(days)


def _day_index(text: str) -> int:
    """0 for Monday: a day's name or its first three letters or more ('tue', 'thurs')."""
    name = text.strip()
    for index, full in enumerate(_DAY_NAMES):
        if len(name) >= 3 and full.startswith(name):
            return index
    raise ValueError(name)


def _parse_windows(value: Any) -> list[PeakWindow]:
    if not isinstance(value, (list, tuple)):
        raise ValueError("expected a list of {start, end, days} tables")
    windows = []
    for item in value:
        if not isinstance(item, Mapping) or "start" not in item or "end" not in item:
            raise ValueError(f"each window needs start and end, got {item!r}")
        windows.append(
            PeakWindow(_minute(item["start"]), _minute(item["end"]), _parse_days(item.get("days")))
        )
    return windows
