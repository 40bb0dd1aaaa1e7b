"""A review's findings brought onto the text open when it ends: the user kept typing (or the
file was reloaded from disk) while the model thought.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..config import Settings
from ..documents import Document
from .engine import ReviewEngine
from .findings import Finding, follow_edits, follow_span, with_kept, with_net_change
from .flights import ReviewOutcome
from .keys import answer_settings
from .publishing import FileState
from .reanchored import reanchored
from .units import Unit


class Landing:
    """Places a finished review's findings on the file's current text (``engine``, ``settings``
    and ``document`` give the feature's as they are at the review's end). The findings the
    user ignored are among them: left out as they are shown (see ``Ignores.let_through``)."""

    def __init__(
        self,
        engine: Callable[[], ReviewEngine],
        settings: Callable[[], Settings],
        document: Callable[[str], Document | None],
    ) -> None:
        self._engine, self._settings, self._document = engine, settings, document

    async def findings(
        self,
        outcome: ReviewOutcome,
        snapshot: Document,
        doc: Document,
        edit_count: int,
        current: Document,
        settings: Settings,
        shown: FileState | None,
        roots: list[Path],
    ) -> list[Finding] | None:
        """The findings of ``outcome`` (a review of ``snapshot``, taken of ``doc`` at
        ``edit_count`` with ``settings``) on ``current``, with those ``shown`` before in units
        it left unanswered; None once ``current`` is no longer the file open."""
        # Closed and reopened meanwhile, or edited too much to replay: place the results anew.
        # So too when the user switched the model (or thinking, redaction) meanwhile: the
        # old model's answer was shown as the review, over the new model's cached one.
        edits = current.edits_since(edit_count) if current is doc else None
        if current.uri != doc.uri:
            # Renamed meanwhile, opened with the text it was closed with (see reloads): its
            # edits before the close, then the new name's. The cache's answer alone missed a
            # unit whose imports another folder reads another way.
            before, after = doc.edits_since(edit_count), current.edits_since(0)
            edits = None if before is None or after is None else [*before, *after]
        if edits is None or answer_settings(settings) != answer_settings(self._settings()):
            return await self._placed_again(current, [], [], b"", [], roots)
        findings, _ = follow_edits(outcome.findings, edits, current.data)
        findings = with_net_change(outcome.findings, findings, snapshot.data, current.data, edits)
        if outcome.unanswered and shown is not None and shown.edit_count == current.edit_count:
            # Units whose request failed were not reviewed: their findings shown before
            # stay (a failed "review again" cleared the whole file, a failed save the
            # functions it sent, with "Save again to retry" as the only word).
            spans = [follow_span(a, b, edits) for a, b in unit_spans(snapshot, outcome.unanswered)]
            findings = with_kept(findings, [f for f in shown.findings if starts_in(f, spans)])
        if {f.id for f in outcome.findings} - {f.id for f in findings}:
            # Dropped by the edits since: a reload from disk took every finding between
            # its first and last changed line, of functions it left as they were too.
            return await self._placed_again(current, findings, outcome.findings, snapshot.data, edits, roots)
        return findings

    async def _placed_again(
        self,
        current: Document,
        followed: list[Finding],
        reviewed: list[Finding],
        old: bytes,
        edits: list[Any],
        roots: list[Path],
    ) -> list[Finding] | None:
        """``followed`` with the findings :func:`reanchored` brings back onto ``current`` (the
        cache's alone, with no ``reviewed``), worked out off the event loop; None once
        ``current`` is no longer the file open."""
        uri = current.uri
        engine, settings = self._engine(), self._settings()
        again = await reanchored(engine, followed, reviewed, old, edits, current, settings, roots=roots)
        if self._document(uri) is not current:
            return None
        if again is None:  # edited too much meanwhile to follow: placed on the text as it is
            again, _ = engine.cached_findings(current, settings, roots=roots)
        return again


def unit_spans(doc: Document, units: list[Unit]) -> list[tuple[int, int]]:
    """The byte spans of the units' lines in ``doc``."""
    return [(doc.line_start(lo), doc.line_end(hi)) for unit in units for lo, hi in unit.lines]


def starts_in(finding: Finding, spans: list[tuple[int, int]] | None) -> bool:
    """Whether the finding's code starts in one of the spans (None: anywhere)."""
    return spans is None or any(lo <= finding.start <= hi for lo, hi in spans)
