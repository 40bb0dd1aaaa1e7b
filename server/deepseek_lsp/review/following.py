"""A file's findings through the user's edits: a key looks again only at the findings near it
(and brings back those its undo restores), other edits are replayed on them all, and a
notebook's code moved between cells keeps its findings.
"""

from __future__ import annotations

from collections.abc import Callable

from ..documents import Document, Edit
from ..features import Services
from .answer import severity_rank
from .findings import Finding, follow_edits
from .ignores import Ignores
from .in_cells import back_in_cells
from .publishing import FileState, Publisher
from .rules import ReviewRules
from .tracked import Change, Undoable


class EditFollower:
    """Keeps each file's findings on their code as the user edits it, and republishes them;
    where the edits cannot be replayed, ``show_cached`` places the cached review anew."""

    def __init__(
        self,
        services: Services,
        publisher: Publisher,
        ignores: Ignores,
        rules: ReviewRules,
        show_cached: Callable[[Document], None],
    ) -> None:
        self.services = services
        self.publisher = publisher
        self.ignores = ignores
        self.rules = rules
        self.show_cached = show_cached

    def document_changed(self, doc: Document) -> None:
        publisher = self.publisher
        state = publisher.files.get(doc.uri)
        if state is None:
            return
        edits = doc.edits_since(state.edit_count)
        if edits is None:  # too many edits to replay: forget rather than point at wrong code
            state.findings = []
            if not self.rules.too_large(doc):
                # A "replace all", or typing with a cursor on each of hundreds of lines: the
                # cached review places the findings of the unchanged code anew (all of the
                # file's went, until the next save).
                state.edit_count = doc.edit_count
                self.show_cached(doc)
        elif len(edits) == 1 and edits[0].start_line >= 0 and not publisher.cells(doc):
            # A key: only the findings near it are looked at again (see tracked.py).
            edit = edits[0]
            change = state.tracked.follow(edit, doc.data, lambda f: publisher.diagnostic(doc, f))
            state.edit_count = doc.edit_count
            back = state.undoable.follow(edit, doc.data) if state.undoable is not None else None
            if back:  # the text they were on is back as it was
                state.findings = [*state.findings, *self.ignores.let_through(doc.uri, back)]
                change = Change.CHANGED
            if back is None and state.tracked.dropped:
                old = doc.replaced()
                state.undoable = None if old is None else Undoable(edit, old, state.tracked.dropped)
            elif back is None or back:
                state.undoable = None
            if change is Change.CHANGED:
                publisher.publish(doc, state)
            elif change is Change.MOVED or state.moves_timer is not None:
                publisher.publish_moves_later(doc.uri, state)
            return
        else:
            before = state.findings
            state.findings, _ = follow_edits(before, edits, doc.data)
            self._follow_cells(doc, state, before, edits)
        state.edit_count = doc.edit_count
        publisher.publish(doc, state)

    def _follow_cells(
        self, doc: Document, state: FileState, before: list[Finding], edits: list[Edit]
    ) -> None:
        """Bring back the findings of a notebook's code that a move, split or merge of its cells
        took to other lines (``back_in_cells``): it is unchanged, and they went until the next
        save."""
        notebooks = self.services.notebooks
        if notebooks is None or not notebooks.is_combined(doc.uri):
            return
        kept = {f.id for f in state.findings}
        dropped = [(f, state.in_cells[f.id]) for f in before if f.id not in kept and f.id in state.in_cells]
        restructures = notebooks.restructures(doc.uri)
        limbo = state.limbo if state.limbo is not None and state.limbo.edit_count == state.edit_count else None
        back, state.limbo = back_in_cells(
            doc, self.publisher.cells(doc), state.findings, dropped, edits, restructures != state.restructures, limbo
        )
        state.restructures = restructures
        if back:
            # Not one ignored, or below the settings, since it went.
            found = [*state.findings, *self.ignores.let_through(doc.uri, back)]
            state.findings = sorted(found, key=lambda f: (f.start, severity_rank(f.severity)))
