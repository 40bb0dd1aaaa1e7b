"""Two texts' lines compared as difflib compares them, at a cost that stays small when a large
file changed all over (a formatter run, a rename done with sed, another branch checked out).

difflib's matcher finds the longest common run, then does the same on each side of it; with a
change every few lines it starts again across thousands of lines each time, and a line found
often (a blank one, a lone ``}``) is tried at each of its places: 8.6 s of CPU for a 2,000-line
module whose every function a formatter touched, 128 s for 5,000 lines. Here the lines found
once on each side that keep their order (patience diff's anchors) cut the texts first, and
difflib compares what lies between two anchors; a small comparison is left to difflib alone,
so what it pairs there is what it paired before."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Hashable, Sequence
from difflib import SequenceMatcher
from itertools import pairwise

Opcode = tuple[str, int, int, int, int]

#: Line pairs (old lines times new ones) up to which difflib compares two stretches alone: a
#: few hundredths of a second at most, whatever the lines.
DIFFLIB_PAIRS = 250_000


def line_opcodes(a: Sequence[Hashable], b: Sequence[Hashable]) -> list[Opcode]:
    """``SequenceMatcher(None, a, b, autojunk=False).get_opcodes()``, but for large inputs."""
    out: list[Opcode] = []
    if len(a) * len(b) <= DIFFLIB_PAIRS:
        _difflib(a, b, 0, len(a), 0, len(b), out)
    else:
        _compare(a, b, 0, len(a), 0, len(b), out)
    return _merged(out)


def _compare(a: Sequence[Hashable], b: Sequence[Hashable], alo: int, ahi: int, blo: int, bhi: int, out: list[Opcode]) -> None:
    while alo < ahi and blo < bhi and a[alo] == b[blo]:
        out.append(("equal", alo, alo + 1, blo, blo + 1))
        alo, blo = alo + 1, blo + 1
    tail = 0
    while alo < ahi - tail and blo < bhi - tail and a[ahi - 1 - tail] == b[bhi - 1 - tail]:
        tail += 1
    _middle(a, b, alo, ahi - tail, blo, bhi - tail, out)
    if tail:
        out.append(("equal", ahi - tail, ahi, bhi - tail, bhi))


def _middle(a: Sequence[Hashable], b: Sequence[Hashable], alo: int, ahi: int, blo: int, bhi: int, out: list[Opcode]) -> None:
    if alo == ahi or blo == bhi:
        if alo < ahi or blo < bhi:
            out.append(("delete" if alo < ahi else "insert", alo, ahi, blo, bhi))
        return
    if (ahi - alo) * (bhi - blo) <= DIFFLIB_PAIRS:
        _difflib(a, b, alo, ahi, blo, bhi, out)
        return
    anchors = _anchors(a, b, alo, ahi, blo, bhi)
    if not anchors:
        # No line found once on each side (a run of the same few lines): difflib's pairing,
        # up to what it does in a second or so; past it, all of it replaced.
        if (ahi - alo) * (bhi - blo) <= 4 * DIFFLIB_PAIRS:
            _difflib(a, b, alo, ahi, blo, bhi, out)
        else:
            out.append(("replace", alo, ahi, blo, bhi))
        return
    for (i0, j0), (i1, j1) in pairwise([(alo - 1, blo - 1), *anchors]):
        _compare(a, b, i0 + 1, i1, j0 + 1, j1, out)
        out.append(("equal", i1, i1 + 1, j1, j1 + 1))
    i, j = anchors[-1]
    _compare(a, b, i + 1, ahi, j + 1, bhi, out)


def _difflib(a: Sequence[Hashable], b: Sequence[Hashable], alo: int, ahi: int, blo: int, bhi: int, out: list[Opcode]) -> None:
    matcher = SequenceMatcher(None, a[alo:ahi], b[blo:bhi], autojunk=False)
    out.extend((tag, alo + i1, alo + i2, blo + j1, blo + j2) for tag, i1, i2, j1, j2 in matcher.get_opcodes())


def _anchors(a: Sequence[Hashable], b: Sequence[Hashable], alo: int, ahi: int, blo: int, bhi: int) -> list[tuple[int, int]]:
    """The lines found once in ``a[alo:ahi]`` and once in ``b[blo:bhi]``, as (i, j) pairs, the
    longest run of them whose places go up on both sides."""
    seen_a: dict[Hashable, int] = {}
    for i in range(alo, ahi):
        seen_a[a[i]] = -1 if a[i] in seen_a else i
    seen_b: dict[Hashable, int] = {}
    for j in range(blo, bhi):
        seen_b[b[j]] = -1 if b[j] in seen_b else j
    pairs = [(i, seen_b[line]) for line, i in seen_a.items() if i >= 0 and seen_b.get(line, -1) >= 0]
    pairs.sort()
    return _increasing(pairs)


def _increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest run of ``pairs`` (sorted by their first) whose seconds go up too."""
    tops: list[int] = []  # the smallest last j of a run of each length
    at: list[int] = []  # the index in pairs of that run's last pair
    before: list[int] = [-1] * len(pairs)
    for n, (_, j) in enumerate(pairs):
        k = bisect_left(tops, j)
        if k == len(tops):
            tops.append(j)
            at.append(n)
        else:
            tops[k], at[k] = j, n
        before[n] = at[k - 1] if k else -1
    run: list[tuple[int, int]] = []
    n = at[-1] if at else -1
    while n >= 0:
        run.append(pairs[n])
        n = before[n]
    return run[::-1]


def _merged(ops: list[Opcode]) -> list[Opcode]:
    """Neighbouring opcodes as difflib gives them: one ``equal`` a run, and lines deleted next
    to lines written one ``replace``."""
    merged: list[Opcode] = []
    for tag, i1, i2, j1, j2 in ops:
        if i1 == i2 and j1 == j2:
            continue
        last = merged[-1] if merged else None
        if last is not None and (last[0] == tag or "equal" not in (last[0], tag)):
            merged[-1] = (tag if last[0] == tag else "replace", last[1], i2, last[3], j2)
        else:
            merged.append((tag, i1, i2, j1, j2))
    return merged
