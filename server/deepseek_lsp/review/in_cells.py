"""A notebook's review findings that follow their code into other cells.

A cell moved, split in two or merged into another leaves the combined document and comes back
as other text: a new cell, the end of the cell above, the same cell elsewhere. The edits drop
the findings of its code (an edit went through it) though the code did not change, and they
were gone until the next save. Those whose lines come back unchanged, in text written by a
change of the notebook's cells, are placed there again. VS Code sends a split or a merge as two
notifications (the cell's text, then the cells), so what a change dropped and wrote is kept for
the change after it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..documents import Document, Edit
from ..notebooks import CellSpan
from .findings import Finding, follow_span


@dataclass(frozen=True)
class InCell:
    """Where a finding was last published: its cell, and the whole lines holding its code."""

    uri: str
    #: The combined document's line of the code's first line.
    line: int
    lines: bytes
    #: Where the code starts in ``lines``, and its length (bytes).
    lead: int
    size: int


@dataclass
class Limbo:
    """What a change of a notebook dropped and wrote, for the change after it."""

    #: ``Document.edit_count`` after that change.
    edit_count: int
    restructured: bool
    dropped: list[tuple[Finding, InCell]] = field(default_factory=list)
    #: Byte spans of the text the change wrote.
    written: list[tuple[int, int]] = field(default_factory=list)


def in_cells(
    doc: Document, cells: Sequence[CellSpan], findings: Sequence[Finding]
) -> dict[str, InCell]:
    """Where each finding of a notebook is, by id (none for a file, or across two cells)."""
    out: dict[str, InCell] = {}
    for f in findings if cells else ():
        first, last = doc.line_at(f.start), doc.line_at(f.end)
        cell = next((c for c in cells if c.holds(first)), None)
        if cell is not None and cell.holds(last):
            lo = doc.line_start(first)
            lines = doc.data[lo : doc.line_end(last)]
            out[f.id] = InCell(cell.uri, first, lines, f.start - lo, f.end - f.start)
    return out


def back_in_cells(
    doc: Document,
    cells: Sequence[CellSpan],
    kept: Sequence[Finding],
    dropped: list[tuple[Finding, InCell]],
    edits: Sequence[Edit],
    restructured: bool,
    previous: Limbo | None,
) -> tuple[list[Finding], Limbo]:
    """The findings that ``edits`` (or the change before them, ``previous``) dropped and whose
    lines they wrote again where they are now; and what this change leaves for the next one.

    Only around a change of the cells (``restructured``, now or before): a line typed or pasted
    again as it was, after a quick fix or an edit of its code, does not bring back a finding.
    """
    wrote = _written(edits)
    # What was dropped, and the text it may be in: by one change, or by this one and the one
    # before, of which one changed the cells.
    tries = [(dropped, wrote)] if restructured else []
    if previous is not None and (restructured or previous.restructured):
        before = [follow_span(lo, hi, edits) for lo, hi in previous.written]
        tries += [(dropped, before), (previous.dropped, wrote)]
    back: list[Finding] = []
    taken = {(f.start, f.end, f.message) for f in kept}
    for lost, spans in tries:
        for f, place in lost:
            if any(b.id == f.id for b in back):
                continue
            at = _found(doc, cells, place, spans, f.message, taken)
            if at is not None:
                taken.add((*at, f.message))
                back.append(f.moved(*at))
    returned = {f.id for f in back}
    left = [(f, place) for f, place in dropped if f.id not in returned]
    return back, Limbo(doc.edit_count, restructured, left, wrote)


def _written(edits: Sequence[Edit]) -> list[tuple[int, int]]:
    """The byte spans, after all ``edits``, of the text they wrote."""
    return [
        follow_span(edit.start_byte, edit.new_end_byte, edits[i + 1 :])
        for i, edit in enumerate(edits)
        if edit.new_end_byte > edit.start_byte
    ]


def _found(
    doc: Document,
    cells: Sequence[CellSpan],
    place: InCell,
    spans: list[tuple[int, int]],
    message: str,
    taken: set[tuple[int, int, str]],
) -> tuple[int, int] | None:
    """Where the finding's lines stand whole in one of ``spans``, in a code cell: in its own
    cell if it is there (a move), else nearest its old line (a split, a merge)."""
    if not place.lines.strip():
        return None
    data, best = doc.data, None
    for lo, hi in spans:
        at = data.find(place.lines, lo, hi)
        while at >= 0:
            start, end = at + place.lead, at + place.lead + place.size
            stop = at + len(place.lines)
            whole = (at == 0 or data[at - 1] in b"\r\n") and (stop == len(data) or data[stop] in b"\r\n")
            line = doc.line_at(start)
            cell = next((c for c in cells if c.holds(line)), None)
            if whole and cell is not None and cell.holds(doc.line_at(end)) and (start, end, message) not in taken:
                key = (cell.uri != place.uri, abs(line - place.line), start)
                if best is None or key < best[0]:
                    best = (key, (start, end))
            at = data.find(place.lines, at + 1, hi)
    return best[1] if best is not None else None
