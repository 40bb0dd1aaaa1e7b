"""What a review works out before it sends anything: the file's units, the files it imports,
and which units the cache answers. Done off the event loop (see ``ReviewEngine.review``): a
10,000-line module's parse, unit extraction and 2,000 cache look-ups held the loop 1.3 s at each
save, every keystroke's completion waiting behind them (bench_review_save_stall.py)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..config import Settings
from ..documents import Document
from .cache import ReviewCache
from .findings import Located
from .flights import _from_cache
from .imported import Imported, ImportReader, _Imports
from .keys import _cache_key
from .removed import Removal, with_removals
from .units import FileUnits, Unit, extract_units


@dataclass
class Prepared:
    """A review's units: ``found`` the cache's findings, ``pending`` the units (with their
    cache keys) to ask about, ``counted`` the units the review is of."""

    file_units: FileUnits
    imports: _Imports | None
    imported: list[Imported]
    lang: str | None
    counted: int
    found: list[Located] = field(default_factory=list)
    pending: list[tuple[Unit, str]] = field(default_factory=list)
    #: Units answered by a request of this run, not by the cache (see ``fresh_since``).
    shared: list[Unit] = field(default_factory=list)


def prepare(
    cache: ReviewCache,
    imports: ImportReader,
    doc: Document,
    path: str,
    settings: Settings,
    *,
    use_cache: bool,
    fresh_since: float | None = None,
    lines: Iterable[int] | None,
    send_lines: Iterable[int] | None,
    removed: Sequence[Removal],
    roots: Sequence[Path],
) -> Prepared:
    """``doc`` (a snapshot no one else reads) split into its units, each answered by the cache
    or left to ask about; see ``ReviewEngine.review`` for the arguments."""
    file_units = extract_units(doc)
    if removed:
        file_units.units = with_removals(file_units.units, removed)
    units = file_units.units
    if lines is not None:
        wanted = set(lines)
        units = [u for u in units if any(u.contains_line(n) for n in wanted)]
    lang = doc.language.name if doc.language else None
    read = imports.read(doc, path, units, roots, settings)
    imported = read.signatures if read is not None else []
    sendable = None if send_lines is None else set(send_lines)
    prepared = Prepared(file_units, read, imported, lang, len(units))
    hits: list[tuple[Unit, str]] = []
    for unit in units:
        key, legacy = _cache_key(unit, settings, lang, file_units, imported)
        if use_cache:
            hit = cache.get_or_legacy(key, legacy, settings.review.model)
        else:
            hit = cache.get(key, since=fresh_since) if fresh_since is not None else None
        if hit is not None:
            prepared.found.extend(_from_cache(hit, unit))
            hits.append((unit, key))
        elif sendable is None or unit.removed or any(unit.contains_line(n) for n in sendable):
            prepared.pending.append((unit, key))
        else:
            prepared.counted -= 1  # unchanged and never reviewed: not this review's
    if fresh_since is not None and hits:
        # A copy of a module looked here after its twin's request of this run answered (one
        # file at a time, a loaded host): its units are that request's, as when it waited for
        # it; read as the cache's, a run's report changed with the timing.
        fresh = cache.get_many([k for _, k in hits], since=fresh_since) if use_cache else None
        prepared.shared = [u for u, k in hits if fresh is None or k in fresh]
    return prepared
