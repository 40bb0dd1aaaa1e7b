"""The cache hits of a request whose usage never came (its stream closed before its report, cut
mid-answer): the provider bills its prompt all the same, and its prefix cache holds what the
prompts sent before it shared with it. A completion one key after the last is that prompt plus
the key; counted all as cache misses (50 times a hit's price for Flash), one closed completion
showed more spent than twenty answered ones."""

from __future__ import annotations

from collections import deque

from .types import Usage

__all__ = ["UNIT_TOKENS", "SentPrompts", "shared_length"]

#: The provider caches a prompt's prefix in units of this many tokens (DeepSeek's documentation):
#: a shared part is a hit up to the last whole unit only.
UNIT_TOKENS = 64
#: The prompts kept per model: a completion's are the last few keys', a review's the other units
#: of the file; as many as fit in ``KEPT_CHARS`` (the newest always), so that a review's long
#: prompts do not hold megabytes.
KEPT = 8
KEPT_CHARS = 256_000


def shared_length(a: str, b: str) -> int:
    """The length of the longest common prefix of ``a`` and ``b``."""
    # Halving by slice comparisons (memcmp), each part compared once: a loop per character took
    # 0.3 ms for a completion's prompt.
    lo, hi = 0, min(len(a), len(b))
    if a[:hi] == b[:hi]:
        return hi
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if a[lo:mid] == b[lo:mid]:
            lo = mid
        else:
            hi = mid
    return lo


class SentPrompts:
    """Per model, the prompts the provider had whole, and whether its reports ever told cache
    hits (a server that tells none, vLLM's, bills none: nothing is estimated as a hit there)."""

    def __init__(self) -> None:
        self._sent: dict[str, deque[str]] = {}
        self._tells_hits: set[str] = set()

    def sent(self, model: str, text: str) -> None:
        """``text``'s prompt reached the provider whole (its prefix may be cached from now)."""
        kept = self._sent.get(model)
        if kept is None:
            kept = self._sent[model] = deque(maxlen=KEPT)
        kept.append(text)
        size = sum(map(len, kept))
        while size > KEPT_CHARS and len(kept) > 1:
            size -= len(kept.popleft())

    def reported(self, model: str, usage: Usage) -> None:
        # A report of 0 hits tells hits too: the first request's, all misses, left the next
        # closed one estimated all misses though its prompt shared the first's.
        if usage.tells_hits or usage.cache_hit_tokens:
            self._tells_hits.add(model)

    def hit_tokens(self, model: str, text: str, prompt_tokens: int) -> int:
        """Of a prompt of ``prompt_tokens`` (``text``), how many the provider's cache likely
        held: its part shared with a prompt sent before, in whole units."""
        kept = self._sent.get(model)
        if not kept or model not in self._tells_hits:
            return 0
        shared = max(shared_length(text, old) for old in kept)
        # Its share of the prompt's characters: the part not shared is the few after the key
        # typed, and the suffix. Counted with the tokenizer, it cost 3 ms of CPU (a completion's
        # 8 kB prompt) on the event loop at each closed request.
        hit = prompt_tokens * shared // max(1, len(text))
        return hit - hit % UNIT_TOKENS
