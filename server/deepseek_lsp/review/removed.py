"""What a change deleted from each review unit, so the review of that unit is shown it.

A deleted check, lock release or ``await`` leaves code that reads well alone: the unit was
reviewed (its text changed) but the model saw only what was left, as a reviewer reading a
file instead of the pull request's diff. The deleted lines are measured from git's last commit
(``OpenedTexts``) or a ``--changed`` run's base, and go under the unit that held them:

- a definition's deleted lines (a whole one deleted too: its callers' keys change by its
  signature already) to the definition of the same kind and name now;
- module-level code's and a grammarless file's chunks' (a Dockerfile's ``USER app`` paragraph)
  to the nearest such code above where they were, else below: chunks are cut by their text,
  and a whole deleted chunk left every other one as it was, so nothing was reviewed.

Lines deleted, not replaced: a changed line's old text beside its new one cost tokens and
read to the model as code (a caller flagged for the old signature of what it calls); a line
deleted here and added elsewhere was moved.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from ..documents import Document
from .answer import RawFinding
from .line_diff import line_opcodes
from .units import Unit, extract_units

#: Past this many differing lines on either side (after the common start and end are set
#: aside) no deletion is measured: a file rewritten whole has no deletions worth showing.
MAX_DIFFERING_LINES = 4000
_EOL = re.compile(r"\r\n|\r|\n")
#: The kinds of code not named by a definition: placed by where the deletion was.
_LOOSE = ("module", "chunk")


@dataclass(frozen=True)
class Removal:
    """Lines deleted from the unit ``kind`` ``name`` had; ``at``: the line of the new text
    they were deleted above (0-based)."""

    kind: str
    name: str
    at: int
    lines: tuple[str, ...]
    #: A line of the new text the unit kept (None: none kept, the whole unit deleted): it finds
    #: the unit when it was renamed in the same change (``add`` now ``add_item``), or one of
    #: two of the same name (a property's getter and setter).
    kept: int | None = None


def removals(before: str, after: Document) -> list[Removal]:
    """The non-blank lines of ``before`` that ``after`` deleted, by the unit holding them."""
    # Cut as the document counts lines (not at a form feed or U+2028, as splitlines does): the
    # lines are matched to its units' by number.
    old = _EOL.split(before)
    new = _EOL.split(after.text)
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end = 0
    while end < min(len(old), len(new)) - start and old[-1 - end] == new[-1 - end]:
        end += 1
    old_mid, new_mid = old[start : len(old) - end], new[start : len(new) - end]
    if not old_mid or max(len(old_mid), len(new_mid)) > MAX_DIFFERING_LINES:
        return []
    owners: dict[int, Unit] = {}
    for unit in extract_units(Document(after.uri, before, language=after.language)).units:
        for lo, hi in unit.lines:
            owners.update(dict.fromkeys(range(lo, hi + 1), unit))
    grouped: dict[tuple[str, str, int, int | None], list[str]] = {}
    # By their text without indentation: a guard deleted and its body dedented (``if item in
    # items:`` gone, ``items.remove(item)`` kept) is one line deleted, not three replaced.
    opcodes = line_opcodes([line.strip() for line in old_mid], [line.strip() for line in new_mid])
    # A line deleted here and added elsewhere was moved, not deleted.
    added = {line.strip() for tag, _, _, j1, j2 in opcodes if tag in ("insert", "replace") for line in new_mid[j1:j2]}
    kept = _KeptLines(start, len(new) - len(old), len(old) - end, opcodes)
    for tag, i1, i2, j1, j2 in opcodes:
        if tag not in ("delete", "replace"):
            continue
        block = [line.strip() for line in old_mid[i1:i2]]
        # A common line (``return None``, ``}``) written anywhere else says nothing of where it
        # went: moved only with a line of its own that moved too, as part of a block.
        block_moved = any(line in added and not _common(line) for line in block)
        for i in range(i1, i2):
            text = old_mid[i]
            if tag == "replace" and _edited(text, new_mid[j1:j2], (i2 - i1) * (j2 - j1)):
                continue  # a line edited: the model reads what it is now
            unit = owners.get(start + i)
            stripped = text.strip()
            if not stripped or unit is None:
                continue
            if stripped in added and (block_moved or not _common(stripped)):
                continue
            held = None if unit.kind in _LOOSE else kept.first(unit)
            grouped.setdefault((unit.kind, unit.name, start + j1, held), []).append(text.rstrip())
    return [Removal(kind, name, at, tuple(lines), held) for (kind, name, at, held), lines in grouped.items()]


#: Words that say nothing of which code a line is: a line of them alone (``return None``,
#: ``break;``, ``} else {``, ``end``) is found in any function.
_COMMON_WORDS = frozenset(
    "return none null nil undefined true false pass break continue else elif end do then fi done "
    "try finally default self this super yield await async new".split()
)
_WORD = re.compile(r"[^\W\d]\w*|\d+")
#: A line with fewer than this many characters of words other than those is common.
_OWN_CHARS = 3


def _common(line: str) -> bool:
    """Whether ``line`` (stripped) is one so common that its text written elsewhere does not
    make it moved: punctuation, keywords and literals, a one-letter name at most."""
    own = sum(len(w) for w in _WORD.findall(line) if w.lower() not in _COMMON_WORDS)
    return own < _OWN_CHARS


#: Past this many pairs of lines in one block replaced, each old line counts as edited:
#: comparing every pair costs their product (a rewritten function, not a line deleted).
MAX_REPLACED_PAIRS = 10_000
#: How alike an old line and a new one are to be one line edited (difflib's own cutoff).
_EDITED_RATIO = 0.6


def _edited(old: str, new: Sequence[str], pairs: int) -> bool:
    """Whether ``old``, in a block replaced by ``new``, is one of them edited rather than a line
    deleted where others were written (``lock.release()`` deleted, a ``print(item)`` written on
    its line: difflib pairs them as one line replaced, and the release was shown to no one)."""
    if pairs > MAX_REPLACED_PAIRS:
        return True
    written = [line.strip() for line in new]
    return bool(difflib.get_close_matches(old.strip(), written, n=1, cutoff=_EDITED_RATIO))


class _KeptLines:
    """Where the old text's lines that a change left alone are in the new text."""

    def __init__(self, start: int, shift: int, suffix: int, opcodes: Sequence[tuple[str, int, int, int, int]]) -> None:
        self._start, self._shift, self._suffix = start, shift, suffix
        self._equal = [(start + i1, start + i2, j1 - i1) for tag, i1, i2, j1, _ in opcodes if tag == "equal"]

    def new_line(self, old: int) -> int | None:
        if old < self._start:
            return old
        if old >= self._suffix:
            return old + self._shift
        return next((old + moved for lo, hi, moved in self._equal if lo <= old < hi), None)

    def first(self, unit: Unit) -> int | None:
        """The first line of ``unit`` (of the old text) that the new text kept, by its number there."""
        return next(
            (n for lo, hi in unit.lines for old in range(lo, hi + 1) if (n := self.new_line(old)) is not None),
            None,
        )


def with_removals(units: Sequence[Unit], found: Sequence[Removal]) -> list[Unit]:
    """``units`` with the lines deleted from each (``Unit.removed``), as ``removals`` found them."""
    extra: dict[int, list[str]] = {}
    for removal in found:
        if removal.kind in _LOOSE:
            i = _loose_unit(units, removal.at)
        else:
            i = _named_unit(units, removal)
        if i is not None:
            extra.setdefault(i, []).extend(removal.lines)
    return [replace(u, removed=(*u.removed, *extra[i])) if i in extra else u for i, u in enumerate(units)]


def _named_unit(units: Sequence[Unit], removal: Removal) -> int | None:
    """The definition that held the lines: the one of that kind holding a line it kept (renamed
    or not), else the first of its kind and name."""
    held = [
        i for i, u in enumerate(units)
        if u.kind == removal.kind and removal.kept is not None and u.contains_line(removal.kept)
    ]
    if held:
        return held[0]
    return next((i for i, u in enumerate(units) if (u.kind, u.name) == (removal.kind, removal.name)), None)


def _loose_unit(units: Sequence[Unit], at: int) -> int | None:
    """The module-level (or chunk) unit nearest above line ``at``, else the nearest below."""
    placed = [
        (min(hi, at - 1), i) for i, u in enumerate(units) if u.kind in _LOOSE for lo, hi in u.lines if lo < at
    ]
    if placed:
        return max(placed)[1]
    below = [(u.first_line, i) for i, u in enumerate(units) if u.kind in _LOOSE]
    return min(below)[1] if below else None


def at_deletion(raw: RawFinding, units: Sequence[Unit], doc: Document) -> tuple[RawFinding, Unit] | None:
    """``raw`` placed on the code kept where it quotes lines deleted from one of ``units`` (as
    shown, ``- `` first, or not) instead of code of theirs, with the unit: on the unit's line
    nearest its line (above on a tie), that line's code quoted, and no fix (there is no line
    for it to replace). None: it quotes no deleted line. Asked to quote the code above, a
    model may quote the deleted line itself: the finding (the lock never released) was dropped
    as quoting no code there is."""
    quoted = [line.strip() for line in raw.code.splitlines() if line.strip()]
    if not quoted:
        return None
    for unit in units:
        gone = {line.strip() for line in unit.removed}
        if not all(q in gone or _unmarked(q) in gone for q in quoted):
            continue
        kept = [n for lo, hi in unit.lines for n in range(lo, hi + 1) if doc.line_text(n).strip()]
        if not kept:
            return None
        hint = raw.line - 1 if raw.line else kept[-1]
        line = min(kept, key=lambda n: (abs(n - hint), n))
        return replace(raw, code=doc.line_text(line).strip(), suggestion=None, line=line + 1), unit
    return None


def _unmarked(quoted: str) -> str:
    """A quoted line without the ``- `` the prompt shows deleted lines with."""
    return quoted[1:].strip() if quoted.startswith("- ") else quoted
