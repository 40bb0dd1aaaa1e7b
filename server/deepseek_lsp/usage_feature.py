"""The shared model client and usage ledger, rebuilt when the endpoint settings change, and the
``deepseek/usage`` request (plus ``deepseek-lsp usage`` on the terminal) that shows what was spent."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .config import CompletionSettings, Settings
from .endpoint_settings import (
    endpoint_config,
    endpoint_fields,
    make_ledger,
    no_key_for_deepseek,
    price_table,
)
from .features import Feature, Services
from .model import ConfigError, EstimateCounter, Ledger, ModelClient
from .model.errors import key_hint
from .model.tokens import Counter
from .status import Status

if TYPE_CHECKING:
    from pygls.lsp.server import LanguageServer

log = logging.getLogger(__name__)
_ESTIMATE = EstimateCounter()
USAGE_REQUEST = "deepseek/usage"


#: A load of the completion model taking longer than this is shown in the status.
LOAD_TOLD_AFTER_S = 1.0
#: How often, while the model list is awaited, whether a load was sent is looked at.
LOAD_LIST_LOOK_S = 0.25


@dataclass
class Models:
    """What features call: ``client`` (None when the endpoint settings are unusable), ``ledger``."""

    client: ModelClient | None
    ledger: Ledger
    config_error: str = ""
    #: Opens the connection again (the usage feature's warm-up, which owns it); for the
    #: completion feature at the first keystroke after a pause: see :meth:`idle`.
    rewarm: Callable[[], None] = lambda: None

    def idle(self) -> bool:
        """No request for long enough that the connection may be gone: servers close idle
        connections on their own schedule, and the pool drops its own after
        ``keepalive_expiry``; opening one again (TCP, TLS: ~100 ms and more) would then land in
        the first completion's wait."""
        client = self.client
        return client is not None and client.idle_for() >= client.stale_after

    def prompt_budget(self, completion: CompletionSettings) -> int:
        """The prompt tokens a completion may take: the settings', less where the server's
        context would not hold them and the answer (see model.prompt_read)."""
        if self.client is None:
            return completion.max_prompt_tokens
        reading = self.client.prompt_reading
        return reading.room(completion.model, completion.max_prompt_tokens, completion.multi_line_max_tokens)

    @property
    def counter(self) -> Counter:
        """The client's tokenizer once loaded; until then (about a second after start, loaded
        off the event loop) an estimate, so no request ever waits for the tokenizer file."""
        if self.client is not None:
            return self.client.counter_nowait()
        return _ESTIMATE


class UsageFeature(Feature):
    def __init__(self, services: Services) -> None:
        super().__init__(services)
        self._old_clients: list[ModelClient] = []
        self._closing: set[asyncio.Task[None]] = set()
        self._warming: asyncio.Future[bool] | None = None
        self._loading: asyncio.Task[bool] | None = None
        ledger = make_ledger(services.settings)
        self._tell_prices(ledger)
        services.models = self._build(services.settings, ledger)

    def _build(self, settings: Settings, ledger: Ledger) -> Models:
        for message in ledger.problems:
            self.services.tell_storage_problem(f"ledger:{message}", message)
        try:
            client = ModelClient(endpoint_config(settings), ledger)
        except ConfigError as exc:
            self.services.status.set(Status("Error", exc.user_message, "config"))
            self.services.status.tell_once(f"config:endpoint:{exc}", exc.user_message, 1)
            return Models(None, ledger, exc.user_message)
        return Models(client, ledger, rewarm=self._rewarm)

    def register(self, server: LanguageServer) -> None:
        @server.feature(USAGE_REQUEST)
        def usage(ls: LanguageServer, params: Any) -> dict[str, Any]:
            return self.summary()

    def summary(self) -> dict[str, Any]:
        out = usage_summary(self.services.models.ledger)
        out["status"] = self.services.status.current.to_json()
        return out

    async def start(self) -> None:
        self._warm()

    def _rewarm(self) -> None:
        """The connection again, without the tokenizer, unless a warm-up is under way."""
        if self._warming is None or self._warming.done():
            self._warm(tokenizer=False)

    def _warm(self, *, tokenizer: bool = True) -> None:
        """Open the connection now, so the first completion does not pay for DNS, TCP and TLS.

        Only once the client's settings are in (before that the endpoint may be the default
        one, not the user's), and never to DeepSeek without a key, which would only earn a 401.
        """
        settings = self.services.settings
        client = self.services.models.client
        if client is None or not self.services.configured.is_set():
            return
        if no_key_for_deepseek(settings):
            if not tokenizer:
                # A re-warm after a pause: the Error was shown at start-up, and set again here
                # it came back after every pause though answers came (a gateway adds the key).
                return
            said = f"no API key: {key_hint()}"
            self.services.status.tell_once("config:no-key", said)
            # Also in the status bar, as Copilot's "sign in": the message goes by once, and the
            # status said Normal until a completion came back refused. Requests still go out
            # (a gateway may add the key); one that is answered makes the status Normal.
            self.services.status.set(Status("Error", said, "config"))
            return
        self._warming = asyncio.ensure_future(client.warm(tokenizer=tokenizer))
        if tokenizer:  # (at start: a re-warm after a pause is not said again)
            self._warming.add_done_callback(lambda _: self._tell_key_refused(client))
        self._load()

    def _tell_key_refused(self, client: ModelClient) -> None:
        """The warm-up's 401 (no key set where a server of one's own wants one, or a key
        rejected): said as "no API key" is for DeepSeek (a message once, and the status), not
        first at a completion. In the words a refused request's message has: the completion
        refused next adds no second pop-up."""
        refused = client.refused_key
        if refused is None or client is not self.services.models.client:
            return
        self.services.status.tell_once("config:no-key", refused.user_message, cause=refused.cause_told)
        self.services.status.set(Status("Error", refused.user_message, "config"))

    def _load(self) -> None:
        """Have a server on this machine load the completion model now (see ModelClient.load):
        at start, and after a pause, in which Ollama unloads it (keep_alive)."""
        models = self.services.models
        client, ledger = models.client, models.ledger
        if client is None or not client.loads_locally or (self._loading and not self._loading.done()):
            return
        model = self.services.settings.completion.model
        if not ledger.billing.prices.free(model) or model in ledger.billing.billed_models:
            return  # a proxy on this machine to a paid model: no request of our own
        status = self.services.status
        loading = Status("Normal", f"loading {model} on the model server", "completion")

        loop = asyncio.get_running_loop()

        def tell() -> None:  # a load that is quick (the model was loaded) goes untold
            nonlocal told
            if client.load_until > loop.time():
                if status.current.kind == "Normal":
                    status.set(loading)
            elif not task.done():
                # Nor while the model list is awaited (vLLM answers it late while it loads its
                # model, and no load of ours is ever sent to it): told a while after the load
                # is sent. Ollama's list answered late (a busy machine), its load went untold.
                told = loop.call_later(LOAD_LIST_LOOK_S, sent_yet)

        def sent_yet() -> None:
            nonlocal told
            if client.load_until > loop.time():
                told = loop.call_later(LOAD_TOLD_AFTER_S, tell)
            elif not task.done():
                told = loop.call_later(LOAD_LIST_LOOK_S, sent_yet)

        told = loop.call_later(LOAD_TOLD_AFTER_S, tell)
        self._loading = task = client.load(model, after=self._warming)

        def done(_: asyncio.Task[bool]) -> None:
            told.cancel()
            if status.current == loading:
                status.set(Status("Normal", "", "completion"))

        task.add_done_callback(done)

    def _retire(self, client: ModelClient) -> None:
        """Close a replaced client once what runs on it has ended."""
        self._old_clients.append(client)

        async def close() -> None:
            try:
                await client.close_when_unused()
            finally:
                with contextlib.suppress(ValueError):
                    self._old_clients.remove(client)

        self._closing.add(task := asyncio.ensure_future(close()))
        task.add_done_callback(self._closing.discard)

    def halt(self) -> None:
        if self._loading is not None:
            self._loading.cancel()
        for task in list(self._closing):
            task.cancel()

    async def stop(self) -> None:
        models = self.services.models
        self.halt()
        for client in [*self._old_clients, models.client]:
            if client is not None:
                await client.aclose()
        models.ledger.close()

    def _set_prices(self, ledger: Ledger, settings: Settings) -> None:
        """The price table and budget from the settings; what is wrong in them is told once
        (it was told only when the endpoint changed too)."""
        ledger.billing.prices = price_table(settings)
        ledger.budget.daily_usd = settings.daily_budget_usd or None
        self._tell_prices(ledger)

    def _tell_prices(self, ledger: Ledger) -> None:
        for message in ledger.billing.prices.messages:
            self.services.status.tell_once(f"config:prices:{message}", message)

    def settings_changed(self, old: Settings, new: Settings) -> None:
        models = self.services.models
        # Compared field by field: building an EndpointConfig raises ConfigError for a refused
        # endpoint (plain http:// to a remote host), which used to escape from here on every
        # settings change, so that allowHttp could never take effect without a restart.
        if endpoint_fields(old) == endpoint_fields(new):
            if (old.prices, old.daily_budget_usd) != (new.prices, new.daily_budget_usd):
                self._set_prices(models.ledger, new)
            if old.completion.model != new.completion.model:
                self._load()
            return
        current = self.services.status.current
        if current.feature == "config" and current.kind == "Error":
            # A refused endpoint or a missing key: the new settings are judged anew below.
            self.services.status.set(Status("Normal", "", "config"))
        if self._loading is not None:  # the old server's load: the new one loads its own
            self._loading.cancel()
            self._loading = None
        if models.client is not None:
            self._retire(models.client)
        self._set_prices(models.ledger, new)
        self.services.models = self._build(new, models.ledger)
        self._warm()


def format_usd(amount: float) -> str:
    """4 decimals, as the editors show it; a spend too small for them is not "$0.0000"."""
    if 0 < amount < 0.0001:
        return "<$0.0001"
    return f"${amount:.4f}"


def format_cost(totals: dict[str, Any]) -> str:
    """A scope's or model's cost (``Totals.as_dict``): requests of unknown cost are said, not
    passed off as $0 (a LiteLLM stream that told none read as a free request), and a figure
    estimated in part at list prices reads ``~$…``, not as the gateway's bill."""
    cost, unknown = totals.get("cost_usd", 0), totals.get("unknown_cost", 0)
    figure = f"~{format_usd(cost)}" if totals.get("estimated_usd") else format_usd(cost)
    if not unknown:
        return figure
    return f"{figure} + unknown" if cost else "cost unknown"


_TO_KNOW = (
    "For a LiteLLM proxy set litellm_settings: {include_cost_in_streaming_usage: true}, or give the"
    " model a price in the 'prices' setting"
)
#: What to do about requests of unknown cost, after the models' names.
UNKNOWN_COST_HINT = (
    "billed by a gateway that did not say what, for a model without a DeepSeek list price; not in"
    f" the totals nor the daily budget. {_TO_KNOW}"
)
#: What the estimated costs are and what to do about them, after the models' names.
ESTIMATED_COST_HINT = (
    "billed by a gateway that did not say what; estimated at DeepSeek's list price of the model for"
    f" their tokens, in the totals and the daily budget (~). {_TO_KNOW}"
)


def usage_summary(ledger: Ledger) -> dict[str, Any]:
    """The ledger's summary, with ``unknown_cost_hint`` (``estimated_cost_hint``) when
    requests are of unknown (estimated) cost: the editors show it as it is, so that one text
    says what to do."""
    out = ledger.summary()
    if out["unknown_cost_models"]:
        out["unknown_cost_hint"] = UNKNOWN_COST_HINT
    if out["estimated_cost_models"]:
        out["estimated_cost_hint"] = ESTIMATED_COST_HINT
    return out


def print_usage(as_json: bool = False) -> int:
    from .config import build_settings
    from .console import counted

    settings, problems = build_settings()
    ledger = make_ledger(settings, read_only=True)
    summary = usage_summary(ledger)
    ledger.close()
    log.debug("usage read from %s", summary["path"] or "no ledger")
    # Totals read from no file are no totals: "$0" must not pass for "nothing spent".
    unread = summary["path"] is None
    # A budget variable refused is told: silently, the budget line was just missing.
    for problem in [*problems, *summary["problems"]]:
        print(f"deepseek-lsp usage: {problem}", file=sys.stderr)
    if as_json:
        json.dump({k: v for k, v in summary.items() if k != "session"}, sys.stdout, indent=2)
        print()
        return 1 if unread else 0
    # The day is UTC's, as the budget's and the editors' ("Today (2026-06-02, UTC)"): west of
    # Greenwich, in the evening, "today" was tomorrow's date with no word why.
    today = f"{summary['today']['day']}, UTC"
    for scope, label in (("today", today), ("month", summary["month"]["month"])):
        data = summary[scope]
        total = data["total"]
        print(f"{scope} ({label}): {format_cost(total)}, {counted(total.get('requests', 0), 'request')}")
        for model, t in data["models"].items():
            print(
                f"  {model:<24} {format_cost(t)}  requests {t.get('requests', 0)}"
                f"  prompt hit {t.get('cache_hit_tokens', 0)} miss {t.get('cache_miss_tokens', 0)}"
                f"  output {t.get('output_tokens', 0)}"
            )
    # Unread, nothing spent would be claimed and the whole budget called remaining.
    if (budget := summary["budget"]) and not unread:
        under_way = budget["under_way_usd"]
        more = f", up to {format_usd(under_way)} more in requests under way" if under_way > 0 else ""
        spent = format_usd(budget["spent_today_usd"])
        if budget.get("estimated_usd"):
            spent = f"~{spent} ({format_usd(budget['estimated_usd'])} of it estimated)"
        print(
            f"daily budget: {format_usd(budget['daily_usd'])}, spent {spent}{more},"
            f" remaining {format_usd(budget['remaining_usd'])}"
        )
    if summary["unpriced_models"]:
        print(f"models without a price (counted as $0): {', '.join(summary['unpriced_models'])}")
    if estimated := summary.get("estimated_cost_models"):
        print(f"cost estimated for requests to {', '.join(estimated)}: {summary['estimated_cost_hint']}")
    if unknown := summary.get("unknown_cost_models"):
        print(f"cost unknown for requests to {', '.join(unknown)}: {summary['unknown_cost_hint']}")
    print(f"ledger: {summary['path'] or 'none could be read (see above)'}")
    return 1 if unread else 0
