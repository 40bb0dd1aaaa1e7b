"""Code review in the editor: diagnostics on save, quick fixes, ignore, review again.

Findings are kept per open document as byte spans in its current text. Every change moves them
(or drops those whose code the change touched) before the diagnostics are republished with the
document's version, so a diagnostic always points at the code it is about.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import attrs
from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from ..config import Settings
from ..console import counted
from ..context import env_workspace_roots, label_path
from ..documents import Document, Edit
from ..features import ASKED_CONFIGURATION_WAIT_S, Feature, Paused, Services
from ..model.errors import BudgetExceeded, ModelError
from ..notebooks import CellSpan
from ..privacy import file_path, is_excluded, uri_to_path
from ..status import Status
from ..timeouts import within
from ..usage_feature import endpoint_fields, format_cost
from .answer import at_least, severity_rank
from .cache import ReviewCache
from .engine import ReviewEngine
from .findings import Finding, follow_edits, follow_span, with_kept
from .flights import ReviewOutcome
from .generated import generated
from .in_cells import InCell, Limbo, back_in_cells, in_cells
from .keys import answer_settings
from .projects import project_of
from .tracked import Change, TrackedFindings, Undoable
from .units import Unit

if TYPE_CHECKING:
    from pygls.lsp.server import LanguageServer

log = logging.getLogger(__name__)

SOURCE = "deepseek-review"
CMD_REVIEW_FILE = "deepseek.reviewFile"
CMD_REVIEW_AGAIN = "deepseek.review.again"
CMD_IGNORE = "deepseek.review.ignore"
#: The findings ignored in a file's project shown again: an "Ignore" clicked by mistake (it
#: sits below "Apply") held for good, with no way back but deleting the cache's database.
CMD_UNIGNORE_ALL = "deepseek.review.unignoreAll"
_SEVERITY = {
    "critical": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "info": types.DiagnosticSeverity.Information,
}
#: A fix this short is shown in the diagnostic itself; longer ones only through the quick fix.
_INLINE_FIX_CHARS = 80
#: Saves the editor made on its own (``files.autoSave`` afterDelay, onFocusChange).
_AUTO_SAVES = (types.TextDocumentSaveReason.AfterDelay, types.TextDocumentSaveReason.FocusOut)
_tokens = itertools.count(1)
#: How long a review waits for the editor to create its progress token before it goes on
#: without progress: an editor that never answered held the review (and Review File) for good.
PROGRESS_CREATE_TIMEOUT_S = 2.0
#: Diagnostics only moved by keys are published once the keys pause this long, and this long
#: after the first such key at the latest (see ``_publish_moves_later``).
MOVES_QUIET_S = 0.3
MOVES_LATEST_S = 1.0


def _diagnostic(doc: Document, f: Finding) -> types.Diagnostic:
    message = f.message
    if f.fix is not None:
        fix = f.fix.strip()
        message += (
            f"\nSuggested fix: {fix}"
            if "\n" not in fix and len(fix) <= _INLINE_FIX_CHARS
            else "\nA suggested fix is available as a quick fix."
        )
    return types.Diagnostic(
        range=doc.range_of(f.start, f.end),
        message=message,
        severity=_SEVERITY[f.severity],
        code=f.id,
        source=SOURCE,
        # The id only, which code actions and Ignore go by (``code`` has it too). The
        # fingerprint, which no editor and no request of the server's reads, was a fifth of
        # each diagnostic's JSON, sent again at each publish of every finding.
        data={"id": f.id},
    )


@dataclass
class _FileState:
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
    #: The publish of diagnostics only moved by keys, put off (see ``_publish_moves_later``),
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


class ReviewFeature(Feature):
    #: A notebook is reviewed as its combined document; diagnostics go back to its cells.
    serves_notebooks = True

    def __init__(self, services: Services) -> None:
        super().__init__(services)
        self._files: dict[str, _FileState] = {}
        self._tasks: dict[str, asyncio.Task[ReviewOutcome | None]] = {}
        #: The document and its edit count each running review was asked for.
        self._asked: dict[str, tuple[Document, int]] = {}
        #: Reviews the user stopped from the editor's progress notification.
        self._stopped_by_user: weakref.WeakSet[asyncio.Task[Any]] = weakref.WeakSet()
        #: Reviews replaced by a newer one that have not let go yet (see ``schedule``).
        self._superseded: set[asyncio.Task[ReviewOutcome | None]] = set()
        #: Why the editor is saving each document (``textDocument/willSave``), until its didSave.
        self._save_reasons: dict[str, int] = {}
        #: Auto-saved documents waiting for a pause in their edits before they are reviewed.
        self._quiet: dict[str, asyncio.TimerHandle] = {}
        self._cache: ReviewCache | None = None
        self._engine: ReviewEngine | None = None
        #: Why reviews are off (a rejected key, no balance), and until when.
        self._paused = Paused()
        self._publish: Callable[[types.PublishDiagnosticsParams], None] = lambda params: None
        self._server: LanguageServer | None = None

    # -- wiring ----------------------------------------------------------------------------------

    @property
    def engine(self) -> ReviewEngine:
        if self._engine is None:
            self._cache = ReviewCache.default(
                on_problem=lambda message: self.services.tell_storage_problem("review:cache", message)
            )
            self._engine = ReviewEngine(
                self._cache, max_concurrency=self.settings.review.max_concurrency, registry=self.services.registry
            )
        return self._engine

    def register(self, server: LanguageServer) -> None:
        self._server = server
        self._publish = server.text_document_publish_diagnostics

        @server.feature(
            types.TEXT_DOCUMENT_CODE_ACTION,
            types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
        )
        def code_action(
            ls: LanguageServer, params: types.CodeActionParams
        ) -> list[types.CodeAction]:
            return self.code_actions(params)

        # Command handlers' annotations are evaluated by pygls at call time: no names that exist
        # only for type checkers there.
        @server.command(CMD_REVIEW_FILE)
        async def review_file(ls: Any, *args: Any) -> dict[str, Any]:
            return await self.run_command(_uri_argument(args, CMD_REVIEW_FILE), force=False)

        @server.command(CMD_REVIEW_AGAIN)
        async def review_again(ls: Any, *args: Any) -> dict[str, Any]:
            return await self.run_command(_uri_argument(args, CMD_REVIEW_AGAIN), force=True)

        @server.command(CMD_IGNORE)
        def ignore(ls: Any, *args: Any) -> bool:
            uri = _uri_argument(args, CMD_IGNORE)
            if len(args) < 2 or not isinstance(args[1], (str, int)):
                raise JsonRpcInvalidParams(message=f"{CMD_IGNORE} takes the file's URI and the finding's id")
            return self.ignore(uri, str(args[1]))

        @server.command(CMD_UNIGNORE_ALL)
        def unignore_all(ls: Any, *args: Any) -> int:
            # The file (or folder) whose project's findings to show again; an editor of an
            # older version sends none.
            return self.unignore_all(_uri_argument(args, CMD_UNIGNORE_ALL) if args and args[0] else None)

    def halt(self) -> None:
        for handle in self._quiet.values():
            handle.cancel()
        for state in self._files.values():
            if state.moves_timer is not None:
                state.moves_timer.cancel()
        self._quiet.clear()
        for task in [*self._tasks.values(), *self._superseded]:
            task.cancel()
        if self._engine is not None:
            self._engine.halt()

    async def stop(self) -> None:
        self.halt()
        await asyncio.gather(*self._tasks.values(), *self._superseded, return_exceptions=True)
        if self._engine is not None:
            await self._engine.stop()
        if self._cache is not None:
            self._cache.close()

    # -- document events --------------------------------------------------------------------------

    def _reviewable(self, doc: Document) -> bool:
        return self._mode(doc.uri) != "off" and not is_excluded(
            doc.uri, self.settings.exclude
        )

    def _mode(self, uri: str) -> str:
        """review.mode for this file: its folder's in a multi-root workspace, else the window's."""
        return self.services.settings_for(uri).review.mode

    def document_opened(self, doc: Document) -> None:
        # Whatever was reviewed before (in this editor, another one, or on the command line)
        # shows at once and costs nothing. Files opened before the configuration arrived are
        # shown again by settings_changed if the review settings turn out different. Not a
        # file too large to be reviewed: parsing a 3.7 MB one for cached findings blocked the
        # server for 6 s.
        if self._reviewable(doc) and not self._too_large(doc):
            self._show_cached(doc)

    def _too_large(self, doc: Document) -> str:
        """Why ``doc`` is never sent (completion.maxFileBytes bounds what leaves the machine,
        for reviews too: a save of a large generated file used to be reviewed in full)."""
        limit = self.settings.completion.max_file_bytes
        if len(doc) > limit:
            return f"{_basename(doc.uri)} is larger than {limit} bytes; nothing is sent"
        return ""

    def _no_code(self, doc: Document) -> bool:
        """A notebook without code cells: nothing to review, and no cell to show a finding in
        (its combined document's URI is no file the editor knows)."""
        notebooks = self.services.notebooks
        return (
            notebooks is not None
            and notebooks.is_combined(doc.uri)
            and not notebooks.code_cells(doc.uri)
        )

    def _code(self, doc: Document) -> bool:
        """Whether a save reviews ``doc``: a file in a language the server knows, or a notebook,
        as ``deepseek-lsp review`` picks a folder's files. Notes, data and lock files (a README,
        a YAML manifest, ``package-lock.json``) were reviewed, and paid for, on every save; the
        review command still takes any file, as the command line takes a file it is named."""
        notebooks = self.services.notebooks
        return doc.language is not None or (notebooks is not None and notebooks.is_combined(doc.uri))

    def document_will_save(self, doc: Document, reason: int) -> None:
        self._save_reasons[doc.uri] = reason

    def document_saved(self, doc: Document) -> None:
        reason = self._save_reasons.pop(doc.uri, None)
        self._end_wait(doc.uri)
        if (
            self._mode(doc.uri) == "onSave"
            and self._code(doc)
            and self._reviewable(doc)
            and not self._no_code(doc)
        ):
            too_large = self._too_large(doc)
            if too_large:
                self._tell_too_large(doc.uri, too_large)
                return
            if self._generated(doc):
                return
            delay = self.settings.review.auto_save_delay_ms / 1000
            if reason in _AUTO_SAVES and delay > 0:
                # Saved by the editor after a pause in typing, or as focus left it: reviewed
                # once the user has stopped for a while. Reviewed at every save, each half-
                # written function was sent, and each save cancelled the review under way.
                self._wait_quiet(doc.uri, delay)
                return
            # A manual save, or an editor that never says why it saves (Neovim, Helix).
            self.schedule(doc.uri, on_save=True)

    def _tell_too_large(self, uri: str, reason: str) -> None:
        """Say once per file that its saves are not reviewed. Left to the completions' Inactive
        status, a user with completions off (or off for the language) saved a large file and
        saw no word at all: no diagnostic read as a clean review."""
        log.debug("not reviewing %s: %s", uri, reason)
        self.services.status.tell_once(
            f"review:too-large:{uri}",
            f"Not reviewed: {reason} (the completion.maxFileBytes setting bounds reviews too).",
            3,
        )

    def _generated(self, doc: Document) -> bool:
        """Whether ``doc`` is generated or minified, which a save does not review; said once per
        file. A 300 kB one-line bundle, a ``Code generated ... DO NOT EDIT.`` file went whole to
        the large model on every save, for findings nobody would act on in code nobody edits."""
        why = generated(_basename(doc.uri), doc.data)
        if why:
            log.debug("not reviewing %s on save: %s", doc.uri, why)
            self.services.status.tell_once(
                f"review:generated:{doc.uri}",
                f"Not reviewed on save: {_basename(doc.uri)} is generated ({why}); "
                "the Review File command reviews it all the same.",
                3,
            )
        return bool(why)

    def _wait_quiet(self, uri: str, delay: float) -> None:
        self._end_wait(uri)
        self._quiet[uri] = asyncio.get_running_loop().call_later(delay, self._quiet_over, uri)

    def _end_wait(self, uri: str) -> None:
        handle = self._quiet.pop(uri, None)
        if handle is not None:
            handle.cancel()

    def _quiet_over(self, uri: str) -> None:
        self._quiet.pop(uri, None)
        if uri in self.services.documents:
            # The checks of a save are made again by _review, with the settings of now.
            self.schedule(uri, on_save=True)

    def document_changed(self, doc: Document) -> None:
        if doc.uri in self._quiet:  # still typing: the pause starts again
            self._wait_quiet(doc.uri, self.settings.review.auto_save_delay_ms / 1000)
        state = self._files.get(doc.uri)
        if state is None:
            return
        edits = doc.edits_since(state.edit_count)
        if edits is None:  # too many edits to replay: forget rather than point at wrong code
            state.findings = []
            if not self._too_large(doc):
                # A "replace all", or typing with a cursor on each of hundreds of lines: the
                # cached review places the findings of the unchanged code anew (all of the
                # file's went, until the next save).
                state.edit_count = doc.edit_count
                self._show_cached(doc)
        elif len(edits) == 1 and edits[0].start_line >= 0 and not self._cells(doc):
            # A key: only the findings near it are looked at again (see tracked.py).
            edit = edits[0]
            change = state.tracked.follow(edit, doc.data, lambda f: _diagnostic(doc, f))
            state.edit_count = doc.edit_count
            back = state.undoable.follow(edit, doc.data) if state.undoable is not None else None
            if back:  # the text they were on is back as it was
                state.findings = [*state.findings, *self._as_now(doc.uri, back)]
                change = Change.CHANGED
            if back is None and state.tracked.dropped:
                old = doc.replaced()
                state.undoable = None if old is None else Undoable(edit, old, state.tracked.dropped)
            elif back is None or back:
                state.undoable = None
            if change is Change.CHANGED:
                self._publish_state(doc, state)
            elif change is Change.MOVED or state.moves_timer is not None:
                self._publish_moves_later(doc.uri, state)
            return
        else:
            before = state.findings
            state.findings, _ = follow_edits(before, edits, doc.data)
            self._follow_cells(doc, state, before, edits)
        state.edit_count = doc.edit_count
        self._publish_state(doc, state)

    def _publish_moves_later(self, uri: str, state: _FileState) -> None:
        """Publish diagnostics the keys only moved once the keys pause (at the latest a while
        after the first): editors move what they show along with the text they edit, and an
        Enter above 700 findings sent all of them again, 195 kB of JSON for each key."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop (a feature driven by hand): at once
            doc = self.services.documents.get(uri)
            if doc is not None:
                self._publish_state(doc, state)
            return
        now = loop.time()
        if state.moves_timer is None:
            state.moves_since = now
        else:
            state.moves_timer.cancel()
        at = min(now + MOVES_QUIET_S, state.moves_since + MOVES_LATEST_S)
        state.moves_timer = loop.call_at(at, self._publish_moves, uri, state)

    def _publish_moves(self, uri: str, state: _FileState) -> None:
        state.moves_timer = None
        doc = self.services.documents.get(uri)
        if doc is not None and self._files.get(uri) is state and state.edit_count == doc.edit_count:
            self._publish_state(doc, state)

    def _follow_cells(
        self, doc: Document, state: _FileState, before: list[Finding], edits: list[Edit]
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
            doc, self._cells(doc), state.findings, dropped, edits, restructures != state.restructures, limbo
        )
        state.restructures = restructures
        if back:
            # Not one ignored, or below the settings, since it went.
            found = [*state.findings, *self._as_now(doc.uri, back)]
            state.findings = sorted(found, key=lambda f: (f.start, severity_rank(f.severity)))

    def document_closed(self, doc: Document) -> None:
        self._forget(doc.uri)
        self._clear_status(doc.uri)

    def _clear_status(self, uri: str) -> None:
        current = self.services.status.current
        if current.feature == "review" and current.uri == uri:
            # Its failed review is no longer anyone's concern (the Warning stayed for good).
            self.services.status.set(Status("Normal", "", "review"))

    def settings_changed(self, old: Settings, new: Settings) -> None:
        # allowHttp and fimBaseUrl too: a review refused for plain http:// kept its Error status
        # after the user allowed it (tests/test_security_transport.py).
        endpoint = endpoint_fields(old) != endpoint_fields(new)
        if old.review != new.review or endpoint:
            if (self._paused.reason or endpoint) and self.services.status.current.feature == "review":
                self.services.status.set(Status("Normal", "", "review"))
            self._paused.clear()
            self.services.status.forget("review:")
        if self._engine is not None:
            self._engine.set_concurrency(new.review.max_concurrency)
        if (answer_settings(old) != answer_settings(new) or endpoint) and new.review.mode != "off":
            # A review under way is no longer the one to show (see _review): it ran on to its
            # end, paid for and never shown. The new model reviews those files instead.
            for uri, task in list(self._tasks.items()):
                if not task.done():
                    self.schedule(uri)
        if old.review == new.review and old.exclude == new.exclude:
            return
        same_answers = answer_settings(old) == answer_settings(new)
        for doc in self.services.documents:
            if self._reviewable(doc) and not self._too_large(doc):
                self._show_cached(doc, keep_edited=same_answers)
            else:
                self._forget(doc.uri)
                self._clear_status(doc.uri)  # "Save again to retry" no longer applies

    def _forget(self, uri: str) -> None:
        """Cancel the file's review (or the wait for one) and clear its diagnostics."""
        self._end_wait(uri)
        self._save_reasons.pop(uri, None)
        task = self._tasks.pop(uri, None)
        self._asked.pop(uri, None)
        if task is not None:
            task.cancel()
        state = self._files.pop(uri, None)
        if state is not None:
            if state.moves_timer is not None:
                state.moves_timer.cancel()
            # What was published, only: a notebook without code cells had nothing shown, and
            # its combined document's URI is no file the editor knows.
            for shown in state.published:
                self._publish(types.PublishDiagnosticsParams(uri=shown, diagnostics=[]))

    def _view(self, uri: str) -> tuple[Document | None, CellSpan | None]:
        """The document behind a URI the editor names: a notebook cell's is its notebook's
        combined document, with where the cell is in it."""
        notebooks = self.services.notebooks
        target = notebooks.locate(uri) if notebooks is not None else None
        if target is None:
            return self.services.documents.get(uri), None
        span = next((c for c in notebooks.code_cells(target.doc.uri) if c.uri == uri), None)
        return target.doc, span

    # -- reviewing --------------------------------------------------------------------------------

    def _show_cached(self, doc: Document, *, keep_edited: bool = False) -> None:
        """Show the cached review of ``doc``; with ``keep_edited``, the findings shown in units
        edited since their review (not in the cache as they are now) stay too."""
        try:
            # Parsed only to find the reviewed units: opening many files must not push the
            # trees of the files being edited out of the store's few.
            with doc.transient_tree():
                findings, missing = self.engine.cached_review(
                    doc,
                    self.settings,
                    ignored=self._ignored(doc.uri),
                    roots=env_workspace_roots(self.services.workspace_folders),
                )
        except Exception:  # showing old findings is a nicety, never a failure
            log.exception("could not read cached review of %s", doc.uri)
            return
        state = self._files.get(doc.uri)
        if keep_edited and state is not None and state.edit_count == doc.edit_count:
            # A setting changed (minConfidence, a timeout): the findings of every function
            # edited since its review went, until the next save reviewed it again.
            spans = None if missing is None else _unit_spans(doc, missing)
            findings = with_kept(findings, [f for f in self._as_now(doc.uri, state.findings) if _starts_in(f, spans)])
        state = self._files.setdefault(doc.uri, _FileState())
        state.findings = findings
        state.edit_count = doc.edit_count
        self._publish_state(doc, state, force=True)

    def schedule(self, uri: str, *, force: bool = False, on_save: bool = False) -> asyncio.Task[ReviewOutcome | None]:
        """Start reviewing ``uri``; a review still running for it is cancelled (its HTTP request
        is closed, so the provider stops generating)."""
        doc = self.services.documents.get(uri)
        previous = self._tasks.get(uri)
        asked = self._asked.get(uri)
        if (
            on_save
            and previous is not None
            and not previous.done()
            and doc is not None
            and asked is not None
            and asked[0] is doc
            and asked[1] == doc.edit_count
        ):
            # Saved again with nothing changed (``:w`` out of habit): the review under way is
            # of this very text. Restarting it paid for its request again, and a user saving
            # more often than a review takes never saw one.
            log.debug("%s saved again unchanged: the review under way of this text goes on", uri)
            return previous
        self._tasks.pop(uri, None)
        replaced: asyncio.Task[ReviewOutcome | None] | None = None
        if previous is not None and not previous.done():
            if force:
                previous.cancel()  # "review again" asks anew: nothing of the old one is kept
            else:
                # Cancelled by the new review once it has taken over the requests it wants
                # too (those for the functions the user did not touch since): cancelled here,
                # they were closed and sent again, paid twice.
                replaced = previous
                self._superseded.add(previous)
                previous.add_done_callback(self._superseded.discard)
        task = asyncio.ensure_future(self._review(uri, force=force, on_save=on_save, replaces=replaced))
        if replaced is not None:
            # Cancelled before its first step (a save and a close handled in one turn of the
            # loop), the new review never runs its ``finally``: the review it replaces ran on
            # to its end for a file no longer open, every token billed.
            task.add_done_callback(lambda _: replaced.cancel())
        self._tasks[uri] = task
        if doc is not None:
            self._asked[uri] = (doc, doc.edit_count)
        else:
            self._asked.pop(uri, None)

        def done(t: asyncio.Task[ReviewOutcome | None]) -> None:
            if self._tasks.get(uri) is t:
                self._tasks.pop(uri, None)
                self._asked.pop(uri, None)

        task.add_done_callback(done)
        return task

    def _refused(self, uri: str) -> str:
        """Why the document ``uri`` is not reviewed now, or ""."""
        doc = self.services.documents.get(uri)
        if doc is None:
            return "the file was closed before its review ended"
        if is_excluded(uri, self.settings.exclude):
            return "this file is excluded from review by the exclude setting"
        if self._mode(uri) == "off":
            return "code review is off (review.mode)"
        too_large = self._too_large(doc)
        if too_large:
            return too_large
        if self._no_code(doc):
            return "this notebook has no code cells to review"
        return ""

    async def run_command(self, uri: str, *, force: bool) -> dict[str, Any]:
        doc, _ = self._view(uri)  # from a notebook's cell: the whole notebook
        if doc is None:
            return {"ok": False, "reason": "document is not open"}
        uri = doc.uri
        # The reason is the answer; both editors show it (a message as well said it twice).
        refused = self._refused(uri)
        if refused:
            return {"ok": False, "reason": refused}
        task = self.schedule(uri, force=force)
        try:
            outcome = await asyncio.shield(task)
        except asyncio.CancelledError:
            if task.cancelled():
                if task in self._stopped_by_user:
                    return {"ok": False, "reason": "cancelled"}
                # Closed, turned off or excluded meanwhile: "superseded by a newer review" was
                # said of a review that nothing replaced.
                return {"ok": False, "reason": self._refused(uri) or "superseded by a newer review"}
            raise
        if outcome is None:
            return {"ok": False, "reason": self._paused.now() or self._refused(uri) or "not reviewed"}
        return {
            "ok": not outcome.errors,
            "findings": len(self._files.get(uri, _FileState()).tracked),
            "unitsSent": outcome.units_sent,
            "units": outcome.units,
            "summary": " ".join(outcome.summaries),
            "problems": outcome.problems,
            "errors": [e.user_message for e in outcome.errors],
            # A review is the large model's work: what each save costs was only in the totals.
            "costUsd": outcome.cost_usd,
            # Requests a gateway billed without saying what: left out of costUsd.
            "unknownCost": outcome.unknown_cost,
            # The part of costUsd estimated at the model's list price (see Ledger.price).
            "estimatedUsd": outcome.estimated_usd,
        }

    async def _review(
        self,
        uri: str,
        *,
        force: bool,
        on_save: bool = False,
        replaces: asyncio.Task[ReviewOutcome | None] | None = None,
    ) -> ReviewOutcome | None:
        """Review ``uri``; the review it ``replaces`` is cancelled once this one has taken
        over that review's requests it wants, or has ended without."""

        def let_go() -> None:
            if replaces is not None and not replaces.done():
                replaces.cancel()

        try:
            return await self._review_now(uri, force=force, on_save=on_save, on_claimed=let_go)
        finally:
            let_go()

    async def _review_now(
        self, uri: str, *, force: bool, on_save: bool, on_claimed: Callable[[], None]
    ) -> ReviewOutcome | None:
        # A save racing the first configuration pull would review with the default settings:
        # a file the user's exclusion globs name, or with review.mode onCommand, was sent when
        # the editor took over a second to answer. A review is in no hurry: it waits for the
        # settings, goes without them never, and checks the file again with them.
        await self.services.wait_configured(timeout=ASKED_CONFIGURATION_WAIT_S)
        if not self.services.configured.is_set():
            log.warning("not reviewing %s: the editor's settings have not arrived", uri)
            return None
        if self.services.settings_unknown:
            # The editor never answered the pull: the defaults went instead, and a review was
            # sent past the user's daily budget, or of a file their exclusions name.
            await self.services.pull_settings()
            if self.services.settings_unknown:
                self.services.status.set(
                    Status("Warning", f"review of {_basename(uri)} not sent: {self.services.settings_unknown}. Save again to "
                           "ask for them again.", "review", uri)
                )
                return None
        doc = self.services.documents.get(uri)
        if doc is None or self._paused.now():
            return None
        if not self._reviewable(doc) or self._no_code(doc):
            return None
        too_large = self._too_large(doc)
        if too_large:  # grown past the limit since the save, or saved before the settings came
            self._tell_too_large(uri, too_large)
            return None
        if on_save and (self._mode(doc.uri) != "onSave" or self._generated(doc)):
            return None
        models = self.services.models
        client = getattr(models, "client", None)
        if client is None:
            reason = getattr(models, "config_error", "") or "no model client is configured"
            self.services.status.set(Status("Error", f"review: {reason}", "review"))
            return None
        settings = self.settings
        engine = self.engine
        # A snapshot: the user keeps typing while the model thinks.
        # From the bytes: ``doc.text`` turns a lone surrogate (3 bytes) into three U+FFFD (9),
        # and the findings, placed in the snapshot's offsets, landed 6 bytes off on the live
        # document, their quick fix editing the wrong code.
        snapshot = Document(
            doc.uri, doc.data.decode("utf-8", "surrogatepass"), language=doc.language, encoding=doc.encoding
        )
        edit_count = doc.edit_count
        task = asyncio.current_task()

        def stop() -> None:
            # The task's HTTP requests are closed, so the provider stops generating; units
            # already answered stay cached and the findings shown are the earlier review's.
            if task is not None and not task.done():
                self._stopped_by_user.add(task)
                task.cancel()

        progress = _Progress(self._server, f"DeepSeek review: {_basename(uri)}", on_cancel=stop)
        await progress.begin()
        waiting: list[Status] = []  # the status saying the review waits for the budget

        def budget_wait(message: str | None) -> None:
            # Said in the progress and the status (what the editors show of the server): the
            # progress read "0/3 request(s)" for minutes, the budget named nowhere.
            progress.waiting(message)
            status = self.services.status
            if message is not None:
                waiting[:] = [Status("Warning", f"review of {_basename(uri)} {message}", "review", uri)]
                status.set(waiting[0])
            elif waiting and status.current == waiting.pop():
                status.set(Status("Normal", "", "review"))

        roots = env_workspace_roots(self.services.workspace_folders)
        try:
            outcome = await engine.review(
                client,
                snapshot,
                settings,
                # As the command line names it: the absolute path told the provider the user's
                # home folder and how their disk is laid out.
                path=label_path(uri_to_path(uri), roots),
                use_cache=not force,
                ignored=self._ignored(uri),
                roots=roots,
                symbols=self.services.symbols,
                # A folder whose reviews are off is sent for no other folder's review either.
                switched_off=lambda where: self._mode(where) == "off",
                on_progress=progress.report,
                share=True,
                on_claimed=on_claimed,
                on_budget=budget_wait,
            )
        except asyncio.CancelledError:
            progress.end("cancelled")
            raise
        except Exception as exc:  # a review bug must not take the server down
            log.exception("review of %s failed", uri)
            progress.end("failed")
            self.services.status.set(Status("Warning", f"review failed: {exc}", "review", uri))
            return None
        finally:
            # Stopped or replaced while it waited: the wait is no one's now (it stayed said).
            budget_wait(None)
        self._cost(outcome, settings)
        progress.end(_ended(outcome))
        self._report(outcome, uri)
        current = self.services.documents.get(uri)
        if current is None or self._mode(uri) == "off":
            return outcome
        # Closed and reopened meanwhile, or edited too much to replay: place the results anew.
        # So too when the user switched the model (or thinking, redaction) meanwhile: the
        # old model's answer was shown as the review, over the new model's cached one.
        edits = current.edits_since(edit_count) if current is doc else None
        if edits is None or answer_settings(settings) != answer_settings(self.settings):
            findings, _ = engine.cached_findings(
                current, self.settings, ignored=self._ignored(uri), roots=roots
            )
        else:
            findings, _ = follow_edits(outcome.findings, edits, current.data)
            state = self._files.get(uri)
            if outcome.unanswered and state is not None and state.edit_count == current.edit_count:
                # Units whose request failed were not reviewed: their findings shown before
                # stay (a failed "review again" cleared the whole file, a failed save the
                # functions it sent, with "Save again to retry" as the only word).
                spans = [follow_span(a, b, edits) for a, b in _unit_spans(snapshot, outcome.unanswered)]
                findings = with_kept(findings, [f for f in state.findings if _starts_in(f, spans)])
        state = self._files.setdefault(uri, _FileState())
        state.findings = self._as_now(uri, findings)
        state.edit_count = current.edit_count
        self._publish_state(current, state, force=True)
        return outcome

    def _cost(self, outcome: ReviewOutcome, settings: Settings) -> None:
        """What the review's own requests cost (``outcome.cost_usd``), priced as the usage
        ledger prices them (a gateway's learned rate included: a gateway that reports no cost
        showed no figure while the usage view had one), with those of unknown cost counted in
        ``outcome.unknown_cost``; no figure for a model without a price that told none (a
        self-hosted one)."""
        ledger = getattr(self.services.models, "ledger", None)
        if ledger is None:
            return
        model = settings.review.model
        each = [ledger.price(model, u) for u in outcome.usage]
        if not ledger.prices.known(model) and not any(p.priced or p.unknown for p in each):
            return
        outcome.cost_usd = sum(p.cost for p in each)
        outcome.unknown_cost = sum(p.unknown for p in each)
        outcome.estimated_usd = sum(p.cost for p in each if p.estimated)

    def _as_now(self, uri: str, findings: list[Finding]) -> list[Finding]:
        """The findings of ``uri`` the settings and ignores let through now: a review that began
        before the user ignored a finding or raised minSeverity published them all the same."""
        r = self.settings.review
        ignored = self._ignored(uri)
        return [
            f
            for f in findings
            if f.fingerprint not in ignored
            and f.confidence >= r.min_confidence
            and at_least(f.severity, r.min_severity)
        ]

    def _report(self, outcome: ReviewOutcome, uri: str) -> None:
        status = self.services.status
        fatal = outcome.fatal
        if fatal is not None:
            self._paused.pause(fatal, fatal.user_message)
            status.set(Status("Error", f"review paused: {fatal.user_message}", "review"))
            status.tell_once(f"review:{fatal.kind_told}", fatal.user_message, 1)
            return
        if outcome.errors:
            error: ModelError = outcome.errors[0]
            # Its retries are spent: nothing reviews the file again until it is saved again.
            message = error.final_message
            name = _basename(uri)
            left = _left_unreviewed(outcome)
            if isinstance(error, BudgetExceeded):
                # Not sent, and saving again at once is refused again: "Raise the daily budget
                # setting to continue. Save again to retry" read as two ways out.
                if left:
                    text = f"review of {name} incomplete, {left}: {message} Then save the file again to review them."
                else:
                    text = f"review of {name} not sent: {message} Then save the file again to review it."
            elif left:
                text = f"review of {name} incomplete, {left}: {message} Save again to retry."
            else:
                text = f"review of {name} failed: {message} Save again to retry."
            status.set(Status("Warning", text, "review", uri))
            return
        if outcome.problems:
            status.set(Status("Warning", f"review: {outcome.problems[0]}", "review", uri))
            return
        # Only this file's own problem clears: another file's failed review stays shown (a
        # good review of b.py hid a.py's failure, and a.py looked reviewed and clean).
        current = status.current
        if current.feature == "review" and current.kind != "Normal" and current.uri in ("", uri):
            status.set(Status("Normal", "", "review"))
        elif current.feature == "config" and current.kind == "Error" and outcome.requests:
            # The missing key's (a refused endpoint sends nothing): a gateway in front of
            # DeepSeek that adds the key answered, yet the Error stayed over a clean file.
            status.set(Status("Normal", "", "review"))
        if outcome.stats.unplaced:
            log.info("review of %s: %s could not be placed", uri, counted(outcome.stats.unplaced, "finding"))

    # -- diagnostics ------------------------------------------------------------------------------

    def diagnostics(self, doc: Document, findings: list[Finding]) -> list[types.Diagnostic]:
        return [_diagnostic(doc, f) for f in findings]

    def _publish_state(self, doc: Document, state: _FileState, *, force: bool = False) -> None:
        if state.moves_timer is not None:  # what it waited to publish goes now
            state.moves_timer.cancel()
            state.moves_timer = None
        diagnostics = state.tracked.diagnostics(lambda f: _diagnostic(doc, f))
        placed = self._placed(doc, diagnostics)
        cells = self._cells(doc)
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
                    d.code,
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
            self._publish(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version)
            )

    def _cells(self, doc: Document) -> list[CellSpan]:
        notebooks = self.services.notebooks
        return notebooks.code_cells(doc.uri) if notebooks is not None else []

    def _placed(
        self, doc: Document, diagnostics: list[types.Diagnostic]
    ) -> dict[str, tuple[list[types.Diagnostic], int | None]]:
        """The diagnostics and version by the URI the editor shows them under: a notebook's go
        to the cells they start in, in the cells' own lines (none on a cell's header line or
        in a markdown cell, which the editor shows as prose)."""
        cells = self._cells(doc)
        if not cells:
            # A notebook without code cells shows nothing: its URI is no file the editor has.
            return {} if self._no_code(doc) else {doc.uri: (diagnostics, doc.version)}
        placed: dict[str, tuple[list[types.Diagnostic], int | None]] = {
            cell.uri: ([], cell.version) for cell in cells
        }
        for d in diagnostics:
            cell = next((c for c in cells if c.holds(d.range.start.line)), None)
            if cell is not None:
                placed[cell.uri][0].append(attrs.evolve(d, range=cell.to_cell(d.range, doc)))
        return placed

    # -- code actions and commands ----------------------------------------------------------------

    def code_actions(self, params: types.CodeActionParams) -> list[types.CodeAction]:
        only = params.context.only
        if only and not any(kind in ("", types.CodeActionKind.QuickFix) for kind in only):
            # Asked for other kinds (organize imports, fix all on save). Zed's
            # code_actions_on_format ran every action answered (until zed#20847): each format
            # applied the DeepSeek fixes, and could ignore findings for good and review again.
            return []
        uri = params.text_document.uri
        doc, cell = self._view(uri)
        state = self._files.get(doc.uri) if doc is not None else None
        if doc is None or state is None or not len(state.tracked):
            return []
        if doc.uri != uri and cell is None:
            return []  # a notebook's markdown cell
        wanted = {
            str(d.code)
            for d in params.context.diagnostics
            if d.source == SOURCE and d.code is not None
        }
        rng = cell.to_doc(params.range) if cell is not None else params.range
        lo, hi = doc.offset_at(rng.start), doc.offset_at(rng.end)
        findings = state.tracked.about(wanted, lo, hi)
        if wanted and state.moves_timer is not None:
            # Lines added since the editor was last told: it shows the diagnostics moved with
            # the text, but sends them at their old lines. Asked at the cursor, the finding
            # whose code is there now is the one meant (Neovim's "gra" on a moved finding
            # offered the fix of the finding below it, and applied it there).
            here = state.tracked.about((), lo, hi)
            findings = [f for f in findings if f in here] or here or findings
        actions: list[types.CodeAction] = []
        by_id = {str(d.code): d for d in self.diagnostics(doc, findings)}
        for f in findings:
            # Several findings here (overlapping code, one line): the menu listed "Apply
            # DeepSeek fix" and "Ignore this DeepSeek finding" once for each, with nothing to
            # tell which finding each one was for.
            about = f": {_short(f.message)}" if len(findings) > 1 else ""
            diagnostic = by_id[f.id]
            if cell is not None:
                diagnostic = attrs.evolve(diagnostic, range=cell.to_cell(diagnostic.range, doc))
            # A fix is an edit of the cell's text: not of code beyond it.
            fixable = cell is None or (
                cell.holds(doc.position_at(f.start).line) and cell.holds(doc.position_at(f.end).line)
            )
            if f.fix is not None and fixable:
                actions.append(
                    types.CodeAction(
                        title=f"Apply DeepSeek fix{about}",
                        kind=types.CodeActionKind.QuickFix,
                        diagnostics=[diagnostic],
                        is_preferred=True,
                        edit=self._fix_edit(doc, f, cell),
                    )
                )
            actions.append(
                types.CodeAction(
                    title=f"Ignore this DeepSeek finding{about}",
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diagnostic],
                    command=types.Command(
                        title="Ignore this DeepSeek finding",
                        command=CMD_IGNORE,
                        arguments=[uri, f.id],
                    ),
                )
            )
        if findings:
            actions.append(
                types.CodeAction(
                    title="Review this file again with DeepSeek",
                    kind=types.CodeActionKind.QuickFix,
                    command=types.Command(
                        title="Review this file again", command=CMD_REVIEW_AGAIN, arguments=[uri]
                    ),
                )
            )
        return actions

    def _fix_edit(
        self, doc: Document, finding: Finding, cell: CellSpan | None = None
    ) -> types.WorkspaceEdit:
        rng = doc.range_of(finding.start, finding.end)
        uri, version = (cell.uri, cell.version) if cell is not None else (doc.uri, doc.version)
        edit = types.TextEdit(
            range=cell.to_cell(rng, doc) if cell is not None else rng, new_text=finding.fix or ""
        )
        caps = getattr(self._server, "client_capabilities", None)
        ws_edit = caps.workspace.workspace_edit if caps and caps.workspace else None
        if ws_edit is not None and ws_edit.document_changes:
            # Versioned: a client whose text moved on since refuses the edit instead of
            # applying it to the wrong code.
            return types.WorkspaceEdit(
                document_changes=[
                    types.TextDocumentEdit(
                        text_document=types.OptionalVersionedTextDocumentIdentifier(
                            uri=uri, version=version
                        ),
                        edits=[edit],
                    )
                ]
            )
        return types.WorkspaceEdit(changes={uri: [edit]})

    def _project(self, uri: str) -> str:
        """The project whose ignores apply to the file (or folder) ``uri`` (see ``projects``)."""
        path = file_path(uri)
        if path is None:  # an untitled buffer: among the others of its scheme
            return uri.split(":", 1)[0] + ":"
        return project_of(path, env_workspace_roots(self.services.workspace_folders))

    def _ignored(self, uri: str) -> frozenset[str]:
        return self.engine.cache.ignored(self._project(uri))

    def unignore_all(self, uri: str | None = None) -> int:
        """Forget the findings ignored in the project of ``uri`` (a file, a notebook's cell or a
        folder; without one, the projects of the workspace's folders and open files) and show
        them again in its open files (from the cache: nothing is sent); how many there were."""
        if uri is not None:
            doc, _ = self._view(uri)
            projects = {self._project(doc.uri if doc is not None else uri)}
        else:
            projects = {self._project(u) for u in self.services.workspace_folders}
            projects |= {self._project(d.uri) for d in self.services.documents}
        count = sum(self.engine.cache.unignore_all(project) for project in sorted(projects))
        for shown in list(self._files):
            doc = self.services.documents.get(shown)
            if doc is None or self._project(shown) not in projects:
                continue
            if self._reviewable(doc) and not self._too_large(doc):
                self._show_cached(doc, keep_edited=True)
        return count

    def ignore(self, uri: str, finding_id: str) -> bool:
        doc, _ = self._view(uri)
        state = self._files.get(doc.uri) if doc is not None else None
        finding = next((f for f in state.findings if f.id == finding_id), None) if state else None
        if doc is None or state is None or finding is None:
            return False
        project = self._project(doc.uri)
        self.engine.cache.ignore(finding.fingerprint, finding.message, project=project)
        # Every occurrence of the same code and message goes, here and in the project's other
        # open files (another project's stay: it is not theirs the user judged).
        for other_uri, other in self._files.items():
            if self._project(other_uri) != project:
                continue
            kept = [f for f in other.findings if f.fingerprint != finding.fingerprint]
            if len(kept) != len(other.findings):
                other.findings = kept
                doc = self.services.documents.get(other_uri)
                if doc is not None:
                    self._publish_state(doc, other)
        return True


class _Progress:
    """``$/progress`` for one review, when the client supports server-initiated progress. It is
    cancellable (a review by the large model can run for a minute): ``on_cancel`` runs when the
    client sends ``window/workDoneProgress/cancel`` for it."""

    def __init__(self, server: Any, title: str, on_cancel: Callable[[], None] | None = None) -> None:
        self._server = server
        self._title = title
        self._token: str | None = None
        self._on_cancel = on_cancel
        self._done = (0, 0)
        self._waiting: str | None = None

    def _supported(self) -> bool:
        caps = getattr(self._server, "client_capabilities", None)
        return bool(caps and caps.window and caps.window.work_done_progress)

    async def begin(self) -> None:
        if self._server is None or not self._supported():
            return
        token = f"deepseek-review-{next(_tokens)}"
        try:
            await within(
                self._server.work_done_progress.create_async(token), PROGRESS_CREATE_TIMEOUT_S
            )
            self._server.work_done_progress.begin(
                token,
                types.WorkDoneProgressBegin(
                    title=self._title, cancellable=self._on_cancel is not None, percentage=0
                ),
            )
        except Exception as exc:  # a client that refuses progress (or never answers) still gets the review
            log.debug("progress refused: %s", exc)
            return
        self._token = token
        # pygls cancels this future on window/workDoneProgress/cancel for the token.
        cancelled = self._server.work_done_progress.tokens.get(token)
        if self._on_cancel is not None and cancelled is not None:
            on_cancel = self._on_cancel
            cancelled.add_done_callback(lambda f: on_cancel() if f.cancelled() else None)

    def report(self, done: int, total: int) -> None:
        self._done = (done, total)
        self._say(self._waiting or _requests_done(done, total))

    def waiting(self, message: str | None) -> None:
        """Say what the review waits for (the daily budget), or, with None, its requests again."""
        self._waiting = message
        self._say(message or _requests_done(*self._done))

    def _say(self, message: str) -> None:
        if self._token is None:
            return
        done, total = self._done
        percentage = int(100 * done / total) if total else 100
        self._send(
            lambda p: p.report(
                self._token, types.WorkDoneProgressReport(message=message, percentage=percentage)
            )
        )

    def end(self, message: str) -> None:
        if self._token is None:
            return
        token = self._token
        self._send(lambda p: p.end(token, types.WorkDoneProgressEnd(message=message)))
        self._token = None
        # pygls keeps every token's future for good: one per review, for the session's life.
        with contextlib.suppress(Exception):
            self._server.work_done_progress.tokens.pop(token, None)

    def _send(self, action: Callable[[Any], None]) -> None:
        try:
            action(self._server.work_done_progress)
        except Exception as exc:
            log.debug("progress update failed: %s", exc)


def _requests_done(done: int, total: int) -> str:
    return f"{done}/{counted(total, 'request')}"


def _ended(outcome: ReviewOutcome) -> str:
    """The progress's last word: the findings, and what the review cost (or that the cache
    answered it whole, for nothing)."""
    found = counted(len(outcome.findings), "finding")
    if not outcome.units_sent:
        return f"{found}, from the cache" if outcome.units else found  # (an empty file)
    if outcome.cost_usd is None or not outcome.requests:  # (joined requests another review paid)
        return found
    cost = {"cost_usd": outcome.cost_usd, "unknown_cost": outcome.unknown_cost, "estimated_usd": outcome.estimated_usd}
    return f"{found}, {format_cost(cost)}"


def _left_unreviewed(outcome: ReviewOutcome) -> str:
    """"N of M units not reviewed" when some of the review's requests were answered and others
    failed, else "". A large file's later requests refused by the daily budget read "review of
    big.py not sent" over the findings of its first requests, as if none of it had been."""
    left = len(outcome.unanswered)
    if not left or outcome.units_sent <= left:
        return ""
    return f"{left} of {outcome.units} units not reviewed"


def _unit_spans(doc: Document, units: list[Unit]) -> list[tuple[int, int]]:
    """The byte spans of the units' lines in ``doc``."""
    return [(doc.line_start(lo), doc.line_end(hi)) for unit in units for lo, hi in unit.lines]


def _starts_in(finding: Finding, spans: list[tuple[int, int]] | None) -> bool:
    """Whether the finding's code starts in one of the spans (None: anywhere)."""
    return spans is None or any(lo <= finding.start <= hi for lo, hi in spans)


#: A finding's message in a code action's title is cut to this many characters.
_TITLE_MESSAGE_CHARS = 60


def _short(message: str) -> str:
    if len(message) <= _TITLE_MESSAGE_CHARS:
        return message
    return message[: _TITLE_MESSAGE_CHARS - 1].rsplit(" ", 1)[0].rstrip(" ,.;:") + "…"


def _uri_argument(args: tuple[Any, ...], command: str) -> str:
    """Commands take the URI first; VS Code may wrap it as ``{"uri": ...}`` or pass a list.

    Without one, the request is answered with an error: Helix's ``:lsp-workspace-command``
    lists the server's commands and runs them without arguments, and a result saying "document
    is not open" was shown nowhere (nothing happened, without a word).
    """
    first: Any = args[0] if args else ""
    if isinstance(first, list) and first:
        first = first[0]
    if isinstance(first, dict):
        first = first.get("uri") or first.get("external") or ""
    if not isinstance(first, str) or not first:
        raise JsonRpcInvalidParams(message=f"{command} takes the file's URI as its first argument")
    return first


def _basename(uri: str) -> str:
    # A notebook's combined document is its URI and a fragment: named as the notebook.
    return uri_to_path(uri).rstrip("/").rsplit("/", 1)[-1]
