"""The model client layer: talking to DeepSeek (or a self-hosted server), counting, pricing and
recording what it costs. See ``client.py`` for the streaming contract."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .backends import BACKENDS, FIM_TEMPLATES, HttpCall, get_backend, render_fim_template
    from .client import ModelClient
    from .endpoint import DEFAULT_BASE_URL, EndpointConfig
    from .errors import (
        AuthenticationError,
        BudgetExceeded,
        ConfigError,
        ConnectError,
        DeadlineExceeded,
        InsufficientBalanceError,
        MalformedResponse,
        ModelError,
        OverloadedError,
        RateLimitError,
        RedirectError,
        RequestError,
        ServerError,
    )
    from .ledger import Ledger, Totals, UsageRecord, state_dir
    from .prices import ModelPrice, PeakWindow, PriceTable, Rates
    from .retry import retrying
    from .sse import ChunkAccumulator, SSEDecoder
    from .stream import ModelStream
    from .tokens import Counter, EstimateCounter, TokenCounter, default_counter
    from .types import ChatRequest, FimRequest, StreamResult, Usage

#: Each name's module, imported at the name's first use: ``deepseek-lsp usage`` reads the
#: ledger alone, and importing this package took in the client, httpx and redaction with it
#: (~0.8 s of CPU for a command that prints a table).
_HOMES = {
    "BACKENDS": "backends",
    "FIM_TEMPLATES": "backends",
    "HttpCall": "backends",
    "get_backend": "backends",
    "render_fim_template": "backends",
    "ModelClient": "client",
    "DEFAULT_BASE_URL": "endpoint",
    "EndpointConfig": "endpoint",
    "AuthenticationError": "errors",
    "BudgetExceeded": "errors",
    "ConfigError": "errors",
    "ConnectError": "errors",
    "DeadlineExceeded": "errors",
    "InsufficientBalanceError": "errors",
    "MalformedResponse": "errors",
    "ModelError": "errors",
    "OverloadedError": "errors",
    "RateLimitError": "errors",
    "RedirectError": "errors",
    "RequestError": "errors",
    "ServerError": "errors",
    "Ledger": "ledger",
    "Totals": "ledger",
    "UsageRecord": "ledger",
    "state_dir": "ledger",
    "ModelPrice": "prices",
    "PeakWindow": "prices",
    "PriceTable": "prices",
    "Rates": "prices",
    "retrying": "retry",
    "ChunkAccumulator": "sse",
    "SSEDecoder": "sse",
    "ModelStream": "stream",
    "Counter": "tokens",
    "EstimateCounter": "tokens",
    "TokenCounter": "tokens",
    "default_counter": "tokens",
    "ChatRequest": "types",
    "FimRequest": "types",
    "StreamResult": "types",
    "Usage": "types",
}

__all__ = [
    "BACKENDS",
    "DEFAULT_BASE_URL",
    "FIM_TEMPLATES",
    "AuthenticationError",
    "BudgetExceeded",
    "ChatRequest",
    "ChunkAccumulator",
    "ConfigError",
    "ConnectError",
    "Counter",
    "DeadlineExceeded",
    "EndpointConfig",
    "EstimateCounter",
    "FimRequest",
    "HttpCall",
    "InsufficientBalanceError",
    "Ledger",
    "MalformedResponse",
    "ModelClient",
    "ModelError",
    "ModelPrice",
    "ModelStream",
    "OverloadedError",
    "PeakWindow",
    "PriceTable",
    "RateLimitError",
    "Rates",
    "RedirectError",
    "RequestError",
    "SSEDecoder",
    "ServerError",
    "StreamResult",
    "TokenCounter",
    "Totals",
    "Usage",
    "UsageRecord",
    "default_counter",
    "get_backend",
    "render_fim_template",
    "retrying",
    "state_dir",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{home}", __name__), name)
    globals()[name] = value  # the next use is a plain lookup
    return value
