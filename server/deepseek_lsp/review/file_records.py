"""A file's record for the command line's reviews: its units and their cache keys by its text,
so that a review of the same text answered whole from the cache needs no parse (see
``records``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from ..config import Settings
from ..documents import Document
from ..privacy import file_path
from .cache import ReviewCache
from .findings import Located, place_findings
from .flights import ReviewOutcome, _from_cache
from .imported import ImportReader, _Imports
from .keys import _cache_key, answer_settings
from .placing import Placer
from .records import dependencies, dependencies_unchanged, record_key, recorded_units
from .records import to_json as record_json
from .units import FileUnits


class FileRecords:
    """Reviews from a file's record in ``cache``, and its recording (the imported files it
    depends on read by ``imports``)."""

    def __init__(self, cache: ReviewCache, imports: ImportReader) -> None:
        self.cache = cache
        self.imports = imports

    def key(self, doc: Document, settings: Settings, roots: Sequence[Path]) -> str:
        return record_key(doc, answer_settings(settings), roots, settings.exclude)

    def review(
        self,
        key: str,
        doc: Document,
        settings: Settings,
        lines: Iterable[int] | None,
        ignored: frozenset[str],
        roots: Sequence[Path],
    ) -> ReviewOutcome | None:
        """The review of ``doc`` from its record and the cache, without a parse; None when
        a parse is needed (no record, an imported file changed, a unit's answer missing)."""
        record = self.cache.get_file(key)
        units = recorded_units(record) if record is not None else None
        if record is None or units is None:
            return None
        deps = record.get("deps")
        if deps is not None and not dependencies_unchanged(doc, deps, roots, settings):
            return None
        if lines is not None:
            wanted = set(lines)
            units = [u for u in units if any(u.contains_line(n) for n in wanted)]
        hits = self.cache.get_many([u.key for u in units])
        found: list[Located] = []
        for unit in units:
            hit = hits.get(unit.key)
            if hit is None and unit.legacy is not None:
                hit = self.cache.get_or_legacy(unit.key, unit.legacy, settings.review.model)
            if hit is None:
                return None
            found.extend(_from_cache(hit, unit))
        outcome = ReviewOutcome(units=len(units))
        outcome.findings, stats = place_findings(
            Placer(doc),
            found,
            min_confidence=settings.review.min_confidence,
            min_severity=settings.review.min_severity,
            ignored=ignored,
        )
        outcome.stats.add(stats)
        return outcome

    def record(
        self,
        doc: Document,
        path: str,
        file_units: FileUnits,
        imports: _Imports | None,
        settings: Settings,
        roots: Sequence[Path],
    ) -> None:
        """Record ``doc``'s units and keys for the next review of the same text (see ``records``).
        ``imports`` as read for all its units, or None to read them here."""
        units = file_units.units
        if imports is None:
            imports = self.imports.read(doc, path, units, roots, settings)
        if imports is None:
            if doc.language is not None and doc.tree is not None and file_path(doc.uri) is not None and any(
                u.references for u in units
            ):
                return  # the imports could not be read (see ``ImportReader.read``): keys unsure
            deps = None
        else:
            deps = dependencies(imports.sources, imports.wanted, imports.targets, imports.roots)
        lang = doc.language.name if doc.language else None
        imported = imports.signatures if imports is not None else []
        keyed = [(u, *_cache_key(u, settings, lang, file_units, imported)) for u in units]
        self.cache.put_file(self.key(doc, settings, roots), record_json(keyed, deps))
