"""The model client layer: talking to DeepSeek (or a self-hosted server), counting, pricing and
recording what it costs. See ``client.py`` for the streaming contract."""

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
