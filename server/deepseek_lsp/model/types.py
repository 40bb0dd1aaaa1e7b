"""Plain data passed between the client, the backends, the SSE parser and the ledger."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ChatRequest", "FimRequest", "StreamResult", "Usage", "header_cost"]


#: More tokens than any one request can have: a count above it is a proxy's garbage, not usage.
#: Kept as it was, it could not be saved (SQLite's integers stop at 2**63) and took the other
#: requests' usage written with it down too; a JSON 1e999 (infinity) raised from the stream.
MAX_TOKENS = 10**9


def _int(value: Any) -> int:
    try:
        number = max(0, int(value))
    except (TypeError, ValueError, OverflowError):
        return 0
    return number if number <= MAX_TOKENS else 0


def _cost(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None  # absent, or not a figure (a proxy's garbage bills nothing)
    return float(value) if math.isfinite(value) and value >= 0 else None


def header_cost(value: str | None) -> float | None:
    """A cost a response header gives (LiteLLM's ``x-litellm-response-cost``, in USD), or None
    for none or one that is no figure."""
    if value is None:
        return None
    try:
        return _cost(float(value.strip()))
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Usage:
    """Billed token counts. ``cache_hit_tokens + cache_miss_tokens == prompt_tokens``."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    cache_hit_tokens: int = 0
    cache_miss_tokens: int = 0
    reasoning_tokens: int = 0
    #: What the provider says the request cost, in USD (OpenRouter's ``usage.cost``, in its
    #: credits of one dollar): a gateway's own bill, its discounts and routing included.
    cost_usd: float | None = None
    #: The request went through a gateway that bills it but said nothing of what it cost
    #: (LiteLLM's stream without ``include_cost_in_streaming_usage``): not free, unknown.
    cost_unknown: bool = False
    #: The report has a cache-hit count, 0 included (DeepSeek's fields, ``cached_tokens``,
    #: llama-server's ``cache_n``): the server tells hits, so a request closed before its
    #: report is estimated with those its prompt shares (see prefix_hits). Not compared: it
    #: says where the figures came from, not what was billed.
    tells_hits: bool = field(default=False, compare=False)

    @classmethod
    def from_api(cls, raw: Mapping[str, Any], timings: Mapping[str, Any] | None = None) -> Usage:
        """Read any of the shapes seen in the wild.

        DeepSeek: ``prompt_cache_hit_tokens``/``prompt_cache_miss_tokens``; newer answers and other
        OpenAI-compatible servers: ``prompt_tokens_details.cached_tokens``; llama-server's OpenAI
        endpoints: ``cache_n`` of the chunk's ``timings`` alone. Missing cache data means every
        prompt token was a miss, which is what the provider bills.
        """
        prompt = _int(raw.get("prompt_tokens"))
        completion = _int(raw.get("completion_tokens"))
        details = raw.get("prompt_tokens_details")
        raw_hit, raw_miss = raw.get("prompt_cache_hit_tokens"), raw.get("prompt_cache_miss_tokens")
        told = True
        if raw_hit is not None or raw_miss is not None:
            hit, miss = _int(raw_hit), _int(raw_miss)
            if not prompt:
                prompt = hit + miss
            # One of the two left out (a proxy, an older answer): the rest of the prompt is
            # the other. A missing miss count billed the prompt's misses at $0.
            elif raw_miss is None:
                hit = min(hit, prompt)
                miss = prompt - hit
            elif raw_hit is None:
                miss = min(miss, prompt)
                hit = prompt - miss
        elif isinstance(details, Mapping) and details.get("cached_tokens") is not None:
            hit = min(prompt, _int(details.get("cached_tokens")))
            miss = prompt - hit
        elif timings is not None and timings.get("cache_n") is not None:
            hit = min(prompt, _int(timings.get("cache_n")))
            miss = prompt - hit
        else:
            hit, miss, told = 0, prompt, False
        completion_details = raw.get("completion_tokens_details")
        reasoning = (
            _int(completion_details.get("reasoning_tokens"))
            if isinstance(completion_details, Mapping)
            else 0
        )
        return cls(prompt, completion, hit, miss, reasoning, _cost(raw.get("cost")), tells_hits=told)


@dataclass(slots=True)
class FimRequest:
    """A fill-in-the-middle completion. ``extra`` is (filename, text) context for llama.cpp."""

    prompt: str
    suffix: str = ""
    max_tokens: int = 64
    stop: list[str] = field(default_factory=list)
    temperature: float = 0.0
    model: str = "deepseek-flash"
    feature: str = "completion"
    extra: Sequence[tuple[str, str]] = ()
    # Set by the prompt builder (it counted anyway); used to bill a cancelled request.
    estimated_prompt_tokens: int | None = None


@dataclass(slots=True)
class ChatRequest:
    """A chat request. ``thinking`` False sends ``thinking: {type: disabled}`` (V4 defaults on)."""

    messages: list[dict[str, Any]]
    model: str = "deepseek-v4-pro"
    max_tokens: int = 2048
    json_mode: bool = False
    thinking: bool = False
    stream: bool = True
    feature: str = "review"
    temperature: float | None = None
    reasoning_effort: str | None = None  # low|high|max, only sent when thinking
    estimated_prompt_tokens: int | None = None


@dataclass(slots=True)
class StreamResult:
    """The outcome of one request.

    ``finish_reason`` is the provider's (``stop``, ``length``, ``content_filter``...) or None when
    the consumer stopped early. ``from_chat`` marks completion text produced by a chat model (it
    may carry Markdown fences; post-processing strips them). ``overrun`` means the server sent far
    more than ``max_tokens`` and the client cut the stream (finish_reason is then ``length``).
    """

    text: str = ""
    finish_reason: str | None = None
    usage: Usage | None = None
    ttft_s: float | None = None
    total_s: float = 0.0
    from_chat: bool = False
    reasoning: str = ""
    overrun: bool = False

    @property
    def filtered(self) -> bool:
        """The provider's content filter cut the answer: do not show it."""
        return self.finish_reason == "content_filter"
