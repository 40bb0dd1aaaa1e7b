"""Which of the one-line patterns a span of text may match: each pattern's necessary words (one
of them is in every text it matches, read from the pattern itself), found in a span in one pass.
Every one of the ~190 patterns ran over each span holding a trigger (most of a prompt's
redaction at a new position); a span naming a ``token`` needs only the few that may start with
one, not ``curl``'s, ``ldapsearch``'s or a vendor's key's."""

from __future__ import annotations

import hashlib
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

try:
    import ahocorasick
except ImportError:  # no wheel for this platform: every pattern runs, as before
    ahocorasick = None

try:
    from re import _parser as _sre  # Python 3.11 and later
except ImportError:  # pragma: no cover (Python 3.10)
    import sre_parse as _sre  # type: ignore[no-redef]

from .. import code_cache
from .triggers import _apply
from .values import Replacement

#: A set of words one of which is in every match (lower-cased), or None where none is known.
Need = frozenset[str] | None
_REPEATS = (_sre.MAX_REPEAT, _sre.MIN_REPEAT, getattr(_sre, "POSSESSIVE_REPEAT", _sre.MAX_REPEAT))


def _score(need: frozenset[str]) -> tuple[int, int]:
    """How selective a set of words is: its shortest word's length, then how few words it has."""
    return min(len(word) for word in need), -len(need)


def _better(best: Need, need: Need) -> Need:
    if not need:
        return best
    return need if best is None or _score(need) > _score(best) else best


def _necessary(items: Iterable[tuple[Any, Any]]) -> Need:
    """The most selective set of words one of which any text matched by ``items`` (a parsed
    pattern's sequence) holds, lower-cased (a case-sensitive ``AKIA`` is in the lower-cased text
    as ``akia``: a weaker test, never a wrong one)."""
    best: Need = None
    # The texts a run of literals may be (a class of a few characters forks it: ``P[WS]``).
    run: set[str] = set()
    for op, av in items:
        chars = _literal_chars(op, av)
        if chars and len(run or {""}) * len(chars) <= _MAX_RUNS:
            run = {text + ch for text in run or {""} for ch in chars}
            continue
        if run and op is _sre.BRANCH:
            # Each branch's first literals go on with the run (``P(?:W|SWD?)``: ``pw``, ``psw``).
            leads = [_leading(branch) for branch in av[1]]
            if all(leads) and len(run) * sum(map(len, leads)) <= _MAX_RUNS:
                run = {text + lead for text in run for branch in leads for lead in branch}
        if run:  # a literal run ends: its words are one need
            best = _better(best, frozenset(text.lower() for text in run))
            run = set()
        if chars:
            run = set(chars)
            continue
        if op is _sre.SUBPATTERN:
            best = _better(best, _necessary(av[-1]))
        elif op is _sre.BRANCH:
            needs = [_necessary(branch) for branch in av[1]]
            if all(needs):
                best = _better(best, frozenset().union(*needs))  # type: ignore[arg-type]
        elif op in _REPEATS and av[0] >= 1:
            best = _better(best, _necessary(av[2]))
        elif op is _sre.ASSERT:  # a lookaround's text is in the text searched too
            best = _better(best, _necessary(av[1]))
        elif op is getattr(_sre, "ATOMIC_GROUP", None):
            best = _better(best, _necessary(av))
    if run:
        best = _better(best, frozenset(text.lower() for text in run))
    return best


#: How many texts a run of literals may fork into before it is cut.
_MAX_RUNS = 16


def _leading(items: Sequence[tuple[Any, Any]]) -> set[str]:
    """The texts the literals that ``items`` start with may be (none where it starts otherwise)."""
    run = {""}
    for op, av in items:
        chars = _literal_chars(op, av)
        if not chars or len(run) * len(chars) > _MAX_RUNS:
            break
        run = {text + ch for text in run for ch in chars}
    return run - {""}


def _literal_chars(op: Any, av: Any) -> list[str]:
    """The characters a parsed item matches where it is a literal or a class of literals alone."""
    if op is _sre.LITERAL:
        return [chr(av)]
    if op is _sre.IN and all(kind is _sre.LITERAL for kind, _ in av):
        return [chr(code) for _, code in av]
    return []


def pattern_need(pattern: re.Pattern[str]) -> Need:
    """The words one of which is in any text ``pattern`` matches, or None."""
    return _necessary(_sre.parse(pattern.pattern, pattern.flags))


def _source() -> bytes | None:
    """This module's source: what a kept table of needs was made by (None where it cannot be read)."""
    try:
        return Path(__file__).read_bytes()
    except OSError:
        return None


def _valid_needs(value: Any, count: int) -> bool:
    return (
        isinstance(value, list) and len(value) == count
        and all(need is None or (isinstance(need, frozenset) and all(isinstance(w, str) for w in need)) for need in value)
    )


def pattern_needs(patterns: Sequence[re.Pattern[str]]) -> list[Need]:
    """:func:`pattern_need` of each of ``patterns``, kept between runs by the code cache: parsing
    the ~200 patterns again was ~50 ms of every start. Kept under a digest of the patterns, this
    module's source and Python's version (whose parser it reads): a change to any makes them anew."""
    source = _source()
    if source is None:
        return [pattern_need(p) for p in patterns]
    digest = hashlib.blake2b(source, digest_size=16)
    digest.update(sys.version.encode())
    for p in patterns:
        text = p.pattern.encode("utf-8", "surrogatepass")
        digest.update(b"%d:%d:" % (p.flags, len(text)) + text)
    return code_cache.kept_value(
        "privacy.literals.needs", digest.digest(),
        lambda: [pattern_need(p) for p in patterns],
        lambda value: _valid_needs(value, len(patterns)),
    )


class PatternTable:
    """``patterns`` (in order) with the words each needs: :meth:`for_text` those that may match a
    text, in their order."""

    def __init__(
        self,
        patterns: Sequence[tuple[re.Pattern[str], Replacement]],
        prefilters: dict[re.Pattern[str], re.Pattern[str]] | None = None,
    ) -> None:
        self.patterns = tuple(patterns)
        # What a text holds for a pattern to match where its words say too little (a list's
        # ``,``, a table's ``[``): those are skipped by it (see triggers._apply) as by its words.
        self._prefilters = {i: (prefilters or {})[p] for i, (p, _) in enumerate(self.patterns) if p in (prefilters or {})}
        needs = pattern_needs([pattern for pattern, _ in self.patterns])
        self._always = [i for i, need in enumerate(needs) if need is None]
        self._by_word: dict[str, list[int]] = {}
        for i, need in enumerate(needs):
            for word in need or ():
                self._by_word.setdefault(word, []).append(i)
        self._search: Any = None
        if ahocorasick is not None and self._by_word:
            self._search = ahocorasick.Automaton()
            for word in self._by_word:
                self._search.add_word(word, word)
            self._search.make_automaton()

    def indices(self, text: str, after: int = -1) -> list[int]:
        """The positions (in order, past ``after``) of the patterns that may match ``text``.
        Every one in a text not all ASCII: a character there may match another's case-folding
        (``ſ`` matches ``(?i)s``), which the lower-cased text does not show."""
        if self._search is None or not text.isascii():
            return list(range(after + 1, len(self.patterns)))
        chosen = set(self._always)
        for _, word in self._search.iter(text.lower()):
            chosen.update(self._by_word[word])
        return sorted(i for i in chosen if i > after and ((need := self._prefilters.get(i)) is None or need.search(text)))

    def for_text(self, text: str) -> list[tuple[re.Pattern[str], Replacement]]:
        """The patterns that may match ``text``, in their order."""
        return [self.patterns[i] for i in self.indices(text)]

    def apply(self, text: str, keep_lines: bool) -> str:
        """``text`` with every pattern applied in order, as :func:`.triggers._apply` applies them,
        those that cannot match skipped. Chosen again after a replacement: its text may hold what
        a later pattern needs (``[REDACTED]``)."""
        chosen = self.indices(text)
        at = 0
        while at < len(chosen):
            i = chosen[at]
            out = _apply((self.patterns[i],), text, keep_lines)
            if out != text:
                text = out
                chosen, at = self.indices(text, i), 0
            else:
                at += 1
        return text
