"""A file's findings as the editor's diagnostics: each finding's diagnostic, what is kept of a
file's findings, and publishing them (to a notebook's cells, only what changed, the moves keys
made put off until the keys pause).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import attrs
from lsprotocol import types

from ..documents import Document
from ..features import Services
from ..notebooks import CellSpan
from .findings import Finding
from .in_cells import InCell, Limbo, in_cells
from .tracked import TrackedFindings, Undoable

SOURCE = "deepseek-review"


_SEVERITY = {
    "critical": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "info": types.DiagnosticSeverity.Information,
}
#: A fix this short is shown in the diagnostic itself; longer ones only through the quick fix.
_INLINE_FIX_CHARS = 80


#: Diagnostics only moved by keys are published once the keys pause this long, and this long
#: after the first such key at the latest (see ``Publisher.publish_moves_later``).
MOVES_QUIET_S = 0.3
MOVES_LATEST_S = 1.0


def message_of(f: Finding) -> str:
    """A finding's diagnostic's message: with its fix when the fix is short."""
    if f.fix is None:
        return f.message
    fix = f.fix.strip()
    if "\n" not in fix and len(fix) <= _INLINE_FIX_CHARS:
        return f"{f.message}\nSuggested fix: {fix}"
    return f"{f.message}\nA suggested fix is available as a quick fix."


def as_diagnostic(doc: Document, f: Finding) -> types.Diagnostic:
    """A finding's diagnostic, without a code: clients show a code after the message, a hash
    ending every finding (eglot's 'deepseek-review [745172cf4b5e]: ...', VS Code's
    'deepseek-review(745172cf4b5e)') that tells the user nothing. Code actions go by the id in
    data, or, from a client that drops data, by message and range (``QuickFixes``)."""
    return types.Diagnostic(
        range=doc.range_of(f.start, f.end),
        message=message_of(f),
        severity=_SEVERITY[f.severity],
        source=SOURCE,
        # The id only, which code actions and Ignore go by. The fingerprint, which no editor
        # and no request of the server's reads, was a fifth of each diagnostic's JSON, sent
        # again at each publish of every finding.
        data={"id": f.id},
    )


def finding_id(diagnostic: types.Diagnostic) -> str | None:
    """The finding a diagnostic is of: its data's id, or, from a client that drops data, its
    code (which a server before this one sent, and a plugin of ours may send back)."""
    data = diagnostic.data
    found = data.get("id") if isinstance(data, dict) else None
    if isinstance(found, str) and found:
        return found
    return str(diagnostic.code) if diagnostic.code is not None else None


@dataclass
class FileState:
    tracked: TrackedFindings = field(default_factory=TrackedFindings)
    #: ``Document.edit_count`` the findings' byte offsets refer to.
    edit_count: int = 0
    #: What was last published, by the URI it went to (a notebook's cells, or the document).
    published: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)
    #: A notebook's findings by id, where they were last published (``back_in_cells``).
    in_cells: dict[str, InCell] = field(default_factory=dict)
    #: What a notebook's last change dropped and wrote, and its cells' restructures seen.
    limbo: Limbo | None = None
    restructures: int = 0
    #: The publish of diagnostics only moved by keys, put off (see ``Publisher.publish_moves_later``),
    #: and when the first of those keys came (the loop's time).
    moves_timer: asyncio.TimerHandle | None = None
    moves_since: float = 0.0
    #: The findings the latest keys dropped, brought back should those keys be undone.
    undoable: Undoable | None = None

    @property
    def findings(self) -> list[Finding]:
        return self.tracked.findings()

    @findings.setter
    def findings(self, findings: list[Finding]) -> None:
        self.tracked = TrackedFindings(findings)
        self.undoable = None  # findings anew: those dropped before are no longer theirs


class Publisher:
    """Publishes each open file's findings as the editor's diagnostics (``send``: the server's
    ``textDocument/publishDiagnostics``, set once the feature is registered) and holds what
    each file shows (``files``)."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.files: dict[str, FileState] = {}
        #: Files that have shown findings since they were opened (a reload's close and open
        #: aside): only their reloads are reviewed (see ReviewFeature._reloaded).
        self.shown: set[str] = set()
        self.send: Callable[[types.PublishDiagnosticsParams], None] = lambda params: None

    def publish_moves_later(self, uri: str, state: FileState) -> None:
        """Publish diagnostics the keys only moved once the keys pause (at the latest a while
        after the first): editors move what they show along with the text they edit, and an
        Enter above 700 findings sent all of them again, 195 kB of JSON for each key."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop (a feature driven by hand): at once
            doc = self.services.documents.get(uri)
            if doc is not None:
                self.publish(doc, state)
            return
        now = loop.time()
        if state.moves_timer is None:
            state.moves_since = now
        else:
            state.moves_timer.cancel()
        at = min(now + MOVES_QUIET_S, state.moves_since + MOVES_LATEST_S)
        state.moves_timer = loop.call_at(at, self.publish_moves, uri, state)

    def publish_moves(self, uri: str, state: FileState) -> None:
        state.moves_timer = None
        doc = self.services.documents.get(uri)
        if doc is not None and self.files.get(uri) is state and state.edit_count == doc.edit_count:
            self.publish(doc, state)

    def diagnostic(self, doc: Document, f: Finding) -> types.Diagnostic:
        return as_diagnostic(doc, f)

    def diagnostics(self, doc: Document, findings: list[Finding]) -> list[types.Diagnostic]:
        return [self.diagnostic(doc, f) for f in findings]

    def publish(self, doc: Document, state: FileState, *, force: bool = False) -> None:
        if state.moves_timer is not None:  # what it waited to publish goes now
            state.moves_timer.cancel()
            state.moves_timer = None
        diagnostics = state.tracked.diagnostics(lambda f: self.diagnostic(doc, f))
        if diagnostics:
            self.shown.add(doc.uri)
        placed = self._placed(doc, diagnostics)
        cells = self.cells(doc)
        state.in_cells = in_cells(doc, cells, state.findings) if cells else {}
        if force:  # findings anew (a review, the cache): nothing lost to bring back
            state.limbo = None
            notebooks = self.services.notebooks
            state.restructures = notebooks.restructures(doc.uri) if notebooks is not None else 0
        for uri in state.published.keys() - placed.keys():  # a cell deleted since
            placed[uri] = ([], None)
        for uri, (diagnostics, version) in placed.items():
            shape = [
                (
                    finding_id(d),
                    d.range.start.line,
                    d.range.start.character,
                    d.range.end.line,
                    d.range.end.character,
                )
                for d in diagnostics
            ]
            if not force and shape == state.published.get(uri):
                continue  # the offsets moved but no position did (an edit earlier on the line)
            state.published[uri] = shape
            self.send(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version)
            )

    def view(self, uri: str) -> tuple[Document | None, CellSpan | None]:
        """The document behind a URI the editor names: a notebook cell's is its notebook's
        combined document, with where the cell is in it."""
        notebooks = self.services.notebooks
        target = notebooks.locate(uri) if notebooks is not None else None
        if target is None:
            return self.services.documents.get(uri), None
        span = next((c for c in notebooks.code_cells(target.doc.uri) if c.uri == uri), None)
        return target.doc, span

    def cells(self, doc: Document) -> list[CellSpan]:
        notebooks = self.services.notebooks
        return notebooks.code_cells(doc.uri) if notebooks is not None else []

    def forget(self, uri: str) -> None:
        """Stop showing ``uri``'s findings: the diagnostics published for it are cleared."""
        state = self.files.pop(uri, None)
        if state is not None:
            if state.moves_timer is not None:
                state.moves_timer.cancel()
            # What was published, only: a notebook without code cells had nothing shown, and
            # its combined document's URI is no file the editor knows.
            for shown in state.published:
                self.send(types.PublishDiagnosticsParams(uri=shown, diagnostics=[]))

    def halt(self) -> None:
        for state in self.files.values():
            if state.moves_timer is not None:
                state.moves_timer.cancel()

    def _placed(
        self, doc: Document, diagnostics: list[types.Diagnostic]
    ) -> dict[str, tuple[list[types.Diagnostic], int | None]]:
        """The diagnostics and version by the URI the editor shows them under: a notebook's go
        to the cells they start in, in the cells' own lines (none on a cell's header line or
        in a markdown cell, which the editor shows as prose)."""
        cells = self.cells(doc)
        if not cells:
            # A notebook without code cells shows nothing: its URI is no file the editor has.
            notebooks = self.services.notebooks
            no_code = notebooks is not None and notebooks.is_combined(doc.uri)
            return {} if no_code else {doc.uri: (diagnostics, doc.version)}
        placed: dict[str, tuple[list[types.Diagnostic], int | None]] = {
            cell.uri: ([], cell.version) for cell in cells
        }
        for d in diagnostics:
            cell = next((c for c in cells if c.holds(d.range.start.line)), None)
            if cell is not None:
                placed[cell.uri][0].append(attrs.evolve(d, range=cell.to_cell(d.range, doc)))
        return placed
