"""The shared model client and usage ledger, rebuilt when the endpoint settings change, and the
``deepseek/usage`` request (plus ``deepseek-lsp usage`` on the terminal) that shows what was spent."""

from __future__ import annotations

import asyncio
import contextlib
import logging
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
from .usage_report import usage_summary

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
        """The connection again (after a pause), unless a warm-up is under way."""
        if self._warming is None or self._warming.done():
            self._warm(first=False)

    def _warm(self, *, first: bool = True) -> None:
        """Open the connection now, so the first completion does not pay for DNS, TCP and TLS.

        Only once the client's settings are in (before that the endpoint may be the default
        one, not the user's), and never to DeepSeek without a key, which would only earn a 401.
        """
        settings = self.services.settings
        client = self.services.models.client
        if client is None or not self.services.configured.is_set():
            return
        if no_key_for_deepseek(settings):
            if not first:
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
        self._warming = asyncio.ensure_future(client.warm())
        if first:  # (at start: a re-warm after a pause is not said again)
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
