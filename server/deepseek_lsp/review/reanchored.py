"""A review's findings brought back onto the code it reviewed after a change took them away
wholesale: a file reloaded from disk while its review ran (a formatter run in a terminal, a
``git checkout``) comes as one change from the first line that differs to the last, and every
finding in between went, those of lines the reload left as they were too. Followed instead
through the lines that differ (as if the reload had been typed), and found again by the cache,
as the file's opening shows them (a function moved whole); a finding whose line the reload
changed stays dropped (the next save reviews its function), so nothing lands on code that is no
longer there."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from itertools import accumulate
from pathlib import Path
from typing import Any

from ..config import Settings
from ..documents import Document, Edit
from .answer import severity_rank
from .engine import ReviewEngine
from .findings import Finding, _untouched_origin, follow_edits
from .line_diff import line_opcodes


def line_edits(old: bytes, new: bytes) -> list[Edit]:
    """The lines that differ between ``old`` and ``new`` as edits applied from the last up (each
    in the offsets the ones before it leave), for :func:`follow_edits`."""
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    starts_a = [0, *accumulate(len(line) for line in a)]
    starts_b = [0, *accumulate(len(line) for line in b)]
    edits = []
    for tag, i1, i2, j1, j2 in reversed(line_opcodes(a, b)):
        if tag != "equal":
            start = starts_a[i1]
            edits.append(Edit(start, starts_a[i2], start + starts_b[j2] - starts_b[j1]))
    return edits


def _lines_followed(
    engine: ReviewEngine, reviewed: list[Finding], old: bytes, copy: Document, edits: Sequence[Any],
    settings: Settings, roots: Sequence[Path],
) -> list[Finding]:
    """The ``reviewed`` findings (on ``old``) on ``copy``'s lines left as they were, and the
    cached findings of ``copy``'s unchanged units. Not one that lands on code the ``edits``
    (``old`` to ``copy``, as made) left elsewhere: of two same lines, the flagged one deleted,
    the lines read as the other one deleted and the finding came onto the twin."""
    origin = {f.id: f.start for f in reviewed}
    kept = [
        f
        for f in follow_edits(reviewed, line_edits(old, copy.data), copy.data)[0]
        if _untouched_origin(f.start, f.end, edits) in (None, origin[f.id])
    ]
    placed, _ = engine.cached_findings(copy, settings, roots=roots)
    return [*kept, *placed]


async def reanchored(
    engine: ReviewEngine,
    followed: list[Finding],
    reviewed: list[Finding],
    old: bytes,
    edits: Sequence[Any],
    current: Document,
    settings: Settings,
    *,
    roots: Sequence[Path],
) -> list[Finding] | None:
    """``followed`` (findings moved through ``edits`` onto ``current``'s text) with those of
    ``reviewed`` (placed on ``old``, the text reviewed) that the lines left as they were keep,
    and the cached findings of ``current``'s unchanged units, on ``current``'s text as it is
    when this returns (None: edited too much meanwhile to follow). Worked out off the event
    loop, on a copy: the user types on meanwhile."""
    count = current.edit_count
    copy = Document(
        current.uri, current.data.decode("utf-8", "surrogatepass"), language=current.language, encoding=current.encoding
    )
    found = await asyncio.to_thread(_lines_followed, engine, reviewed, old, copy, edits, settings, roots)
    ids = {f.id for f in followed}
    places = {(f.start, f.end, f.message) for f in followed}
    back: list[Finding] = []
    for f in found:
        if f.id not in ids and (f.start, f.end, f.message) not in places:
            ids.add(f.id)
            places.add((f.start, f.end, f.message))
            back.append(f)
    merged = sorted([*followed, *back], key=lambda f: (f.start, severity_rank(f.severity)))
    since = current.edits_since(count)
    if since is None:
        return None
    return follow_edits(merged, since, current.data)[0] if since else merged
