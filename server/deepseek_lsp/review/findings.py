"""Findings placed on the text: their ids and fingerprints, placing a whole answer's findings
(dropping what cannot be shown), and following them through the user's edits.

A finding that cannot be placed is dropped rather than shown in the wrong place.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..documents import net_edits
from .answer import RawFinding, at_least, severity_rank
from .fixes import _fix_base, _reindented, adapt_fix
from .placing import Placer, _in_backticks

# -- placed findings ------------------------------------------------------------------------------


def fingerprint(code: str, message: str) -> str:
    """What "ignore this finding" remembers: the code and what was said about it."""
    code = _in_backticks(code) or code  # the same code, whether the model put it in backticks
    normalized = " ".join(code.split()) + "\x00" + " ".join(message.lower().split())
    return hashlib.sha256(normalized.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Finding:
    """A finding placed on the text: ``start``/``end`` are byte offsets in the current document."""

    id: str
    severity: str
    message: str
    code: str
    start: int
    end: int
    fix: str | None  # replacement for [start, end), indentation already adapted
    confidence: float
    unit: str
    fingerprint: str
    #: For a fix of several lines replacing one line's code: the whitespace before ``start`` on
    #: that line, which the fix's later lines are indented from (see ``adapt_fix``); else None.
    fix_base: str | None = None
    #: The unit's kind (``units.Unit.kind``: function, method, class, module, chunk), "" unknown.
    unit_kind: str = ""

    def moved(self, start: int, end: int) -> Finding:
        return replace(self, start=start, end=end)


@dataclass
class PlacementStats:
    placed: int = 0
    unplaced: int = 0
    low_confidence: int = 0
    below_severity: int = 0
    ignored: int = 0

    def add(self, other: PlacementStats) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


class _PlacedFromOtherLines:
    """The spans a finding's code was placed at for another line than ``hint`` (looked up per
    candidate: a list built per finding made a generated file's thousands quadratic)."""

    def __init__(self, placed: dict[tuple[int, int], set[int | None]], hint: int | None) -> None:
        self.placed, self.hint = placed, hint

    def __contains__(self, span: object) -> bool:
        hints = self.placed.get(span)  # type: ignore[call-overload]
        return bool(hints) and hints != {self.hint}


#: A finding with the line ranges, name and kind of the unit it is about.
Located = tuple[RawFinding, Sequence[tuple[int, int]], str, str]


def place_findings(
    placer: Placer,
    found: Iterable[Located],
    *,
    min_confidence: float,
    min_severity: str,
    ignored: set[str] | frozenset[str] = frozenset(),
) -> tuple[list[Finding], PlacementStats]:
    """Place (finding, unit line ranges, unit name, unit kind); drop and count what cannot be shown."""
    stats = PlacementStats()
    out: list[Finding] = []
    taken: dict[str, int] = {}
    ids: set[str] = set()
    places: set[tuple[int, int, str]] = set()
    #: Where each fingerprint was placed, and from which line hints.
    placed_at: dict[str, dict[tuple[int, int], set[int | None]]] = {}
    for raw, prefer, unit_name, unit_kind in found:
        if raw.unplaced:  # (see ``flights._owned``)
            stats.unplaced += 1
            continue
        if raw.confidence < min_confidence:
            stats.low_confidence += 1
            continue
        if not at_least(raw.severity, min_severity):
            stats.below_severity += 1
            continue
        fp = fingerprint(raw.code, raw.message)
        if fp in ignored:
            stats.ignored += 1
            continue
        # The same finding said of another line is about another occurrence of the same code
        # (two bare ``except:`` in one function): with hints a few lines off, both took the
        # first and one was dropped as a repeat. Said of the same line, it is a repeat.
        spans = placed_at.setdefault(fp, {})
        span = placer.place(raw.code, raw.line, prefer, _PlacedFromOtherLines(spans, raw.line))
        if span is None:
            stats.unplaced += 1
            continue
        spans.setdefault(span, set()).add(raw.line)
        # Same fingerprint twice in a file (duplicated code): ids stay unique and stable.
        n = taken.get(fp, 0)
        taken[fp] = n + 1
        finding_id = fp[:12] if n == 0 else f"{fp[:12]}-{n}"
        if finding_id in ids or (span[0], span[1], raw.message) in places:
            continue  # two units' answers reported the same thing at the same place
        ids.add(finding_id)
        places.add((span[0], span[1], raw.message))
        stats.placed += 1
        fix = adapt_fix(placer.doc, span[0], span[1], raw.code, raw.suggestion)
        out.append(
            Finding(
                id=finding_id,
                severity=raw.severity,
                message=raw.message,
                code=raw.code,
                start=span[0],
                end=span[1],
                fix=fix,
                confidence=raw.confidence,
                unit=unit_name,
                fingerprint=fp,
                fix_base=_fix_base(placer.doc, span[0], span[1], fix),
                unit_kind=unit_kind,
            )
        )
    out.sort(key=lambda f: (f.start, severity_rank(f.severity)))
    return out, stats


# -- following edits ------------------------------------------------------------------------------


def follow_edits(
    findings: Iterable[Finding], edits: Sequence[Any], data: bytes | None = None
) -> tuple[list[Finding], bool]:
    """Move findings through edits (``Edit`` from documents); drop those whose code was touched.

    Returns the surviving findings and whether anything changed. Typing right before or right
    after a finding's code moves it or leaves it; any change inside the code removes it. With the
    new text (``data``), a finding whose fix now stands at its place is dropped too: editors
    may apply a fix as a minimal insertion next to the code rather than a replacement of it.
    """
    out: list[Finding] = []
    changed = False
    for finding in findings:
        followed = follow_one(finding, edits, data)
        changed = changed or followed is not finding
        if followed is not None:
            out.append(followed)
    return out, changed


def with_net_change(
    findings: Iterable[Finding],
    followed: list[Finding],
    old: bytes,
    new: bytes,
    edits: Sequence[Any],
) -> list[Finding]:
    """``followed`` (``findings`` through ``edits``, from ``old`` to ``new``, one by one) and
    those the edits dropped whose code the net change leaves as it was: a character typed into
    it and erased, an edit undone. Replayed one by one, the first edit dropped them and the one
    that took it back did not bring them back. A finding the change's places disagree on
    stays dropped, and so does one that would land where a followed one says the same: of two
    same lines, the first deleted and a line added further down read as one change after the
    first line, whose finding came back onto the second's, shown twice. Nor does one come back
    onto other code of the old text that no edit touched (the same line, unflagged: the model
    told them apart): the net change only reads its own code as left there."""
    kept = {f.id for f in followed}
    places = {(f.start, f.end, f.message) for f in followed}
    late, early = ([edit] for edit in net_edits(old, new))
    back = [
        moved
        for f in findings
        if f.id not in kept
        and (moved := follow_one(f, late, new)) is not None
        and _same_place(moved, follow_one(f, early, new))
        and (moved.start, moved.end, moved.message) not in places
        and _untouched_origin(moved.start, moved.end, edits) in (None, f.start)
    ]
    if not back:
        return followed
    return sorted([*followed, *back], key=lambda f: (f.start, severity_rank(f.severity)))


def _untouched_origin(start: int, end: int, edits: Sequence[Any]) -> int | None:
    """Where the code at ``start``–``end`` of the text after ``edits`` was before them, if no
    edit wrote or touched it; None if one did."""
    for edit in reversed(edits):
        delta = edit.new_end_byte - edit.old_end_byte
        if edit.new_end_byte <= start:
            start -= delta
            end -= delta
        elif edit.start_byte < end:
            return None
    return start


def _same_place(finding: Finding, other: Finding | None) -> bool:
    return other is not None and (other.start, other.end) == (finding.start, finding.end)


def follow_one(finding: Finding, edits: Sequence[Any], data: bytes | None = None) -> Finding | None:
    """One finding through ``edits`` (see :func:`follow_edits`): None once its code was touched,
    else the finding, the same object when nothing about it changed."""
    start, end = finding.start, finding.end
    beside = False  # an edit ends right before the code or starts right after it
    for edit in edits:
        delta = edit.new_end_byte - edit.old_end_byte
        if edit.old_end_byte <= start:
            beside = beside or edit.old_end_byte == start
            start += delta
            end += delta
        elif edit.start_byte >= end:
            beside = beside or edit.start_byte == end
        else:
            return None
    # Only an edit beside the code can be a fix applied as an insertion: a fix that is a
    # start of the code (``import os`` for ``import os, sys``) "stood at its place" after
    # any keystroke anywhere, and the finding vanished unfixed.
    if beside and data is not None and finding.fix:
        fix = finding.fix.encode("utf-8")
        # Longer than the code: a fix inserted beside it. A shorter one is a start of the
        # code and "stands there" untouched (Enter after ``total = sum(rows) / 1`` dropped
        # the finding about the ``/ 1``).
        if len(fix) > end - start and (
            data[start : start + len(fix)] == fix  # inserted after the code
            or data[max(0, end - len(fix)) : end] == fix  # inserted before it
        ):
            return None
    if beside and data is not None and not _on_word_edges(data, start, end):
        # Typed onto the code's edge, the code is now part of a longer word (``safe_`` +
        # ``eval(value)``): kept, the finding marked part of a name and its fix gave
        # ``safe_ast.literal_eval(value)``.
        return None
    if (start, end) != (finding.start, finding.end):
        finding = finding.moved(start, end)
    if data is not None and finding.fix_base is not None:
        # A tab for four spaces moves nothing yet changes the line's indentation.
        finding = _reindented(finding, data, start)
    return finding


def follow_span(start: int, end: int, edits: Sequence[Any]) -> tuple[int, int]:
    """A byte span of code (a unit) through edits: moved by those before it, grown or shrunk
    by those inside it (it then holds what they wrote)."""
    for edit in edits:
        delta = edit.new_end_byte - edit.old_end_byte
        if edit.old_end_byte <= start and edit.start_byte < start:
            start += delta
            end += delta
        elif edit.start_byte == edit.old_end_byte == start and start < end:
            start += delta  # typed right before the code: not part of it
            end += delta
        elif edit.start_byte <= end:
            start = min(start, edit.start_byte)
            end = max(edit.new_end_byte, end + delta)
    return start, end


def with_kept(findings: Sequence[Finding], kept: Iterable[Finding]) -> list[Finding]:
    """``findings`` and the earlier ones of ``kept`` (already on the current text) that no new
    finding repeats; a kept one whose id a new one took gets the next free one."""
    out = list(findings)
    ids = {f.id for f in out}
    places = {(f.start, f.end, f.message) for f in out}
    for f in kept:
        if (f.start, f.end, f.message) in places:
            continue
        finding_id, n = f.id, 0
        while finding_id in ids:
            n += 1
            finding_id = f"{f.fingerprint[:12]}-{n}"
        ids.add(finding_id)
        places.add((f.start, f.end, f.message))
        out.append(f if finding_id == f.id else replace(f, id=finding_id))
    out.sort(key=lambda f: (f.start, severity_rank(f.severity)))
    return out


def _is_word_byte(b: int) -> bool:
    # Non-ASCII bytes count as word characters, as ``\w`` counts non-ASCII letters.
    return b >= 0x80 or chr(b).isalnum() or b == 0x5F


def _on_word_edges(data: bytes, start: int, end: int) -> bool:
    """Whether ``data[start:end]`` neither continues the word before it nor the one after it."""
    if 0 < start < len(data) and _is_word_byte(data[start - 1]) and _is_word_byte(data[start]):
        return False
    return not (0 < end < len(data) and _is_word_byte(data[end - 1]) and _is_word_byte(data[end]))

