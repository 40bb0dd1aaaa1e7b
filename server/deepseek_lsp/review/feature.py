"""Code review in the editor: diagnostics on save, quick fixes, ignore, review again.

Findings are kept per open document as byte spans in its current text. Every change moves them
(or drops those whose code the change touched) before the diagnostics are republished with the
document's version, so a diagnostic always points at the code it is about.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from ..config import Settings
from ..console import counted
from ..context import env_workspace_roots, label_path
from ..documents import Document
from ..features import ASKED_CONFIGURATION_WAIT_S, Feature, Paused, Services
from ..privacy import uri_to_path
from ..status import Status
from ..usage_feature import endpoint_fields
from .actions import (
    CMD_IGNORE,
    CMD_REVIEW_AGAIN,
    CMD_REVIEW_FILE,
    CMD_UNIGNORE_ALL,
    QuickFixes,
    _uri_argument,
)
from .cache import ReviewCache
from .changed_hunks import OpenedTexts
from .command import ReviewCommand
from .engine import ReviewEngine, _counter
from .findings import with_kept
from .first_save import FirstSaves
from .flights import ReviewOutcome
from .following import EditFollower
from .ignores import Ignores
from .keys import answer_settings
from .landing import Landing, starts_in, unit_spans
from .outcome_status import OutcomeStatus, basename, last_word
from .progress import _Progress
from .publishing import FileState, Publisher
from .reloads import Reloads
from .rules import ReviewRules
from .saving import SaveTriggers
from .unreached_saves import UnreachedSaves, failed_unreached

if TYPE_CHECKING:
    from pygls.lsp.server import LanguageServer

log = logging.getLogger(__name__)


def _on_loop(tell: Callable[[str], None]) -> Callable[[str], None]:
    """``tell`` run on the event loop running now (if any; call it there), whichever thread
    calls it later: the review cache tells of its file's problems from the thread that opens
    it, too."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return tell
    return lambda message: loop.call_soon_threadsafe(tell, message)


#: The files (and folders) whose renames the editor tells of: any on disk.
_EVERY_FILE = types.FileOperationRegistrationOptions(
    filters=[types.FileOperationFilter(pattern=types.FileOperationPattern(glob="**/*"), scheme="file")]
)


class ReviewFeature(Feature):
    """The reviews under way, one per file, and the parts it calls: which files are reviewed
    (``rules``), which saves review them (``saves``), the findings shown (``publisher``) and
    kept through edits (``following``), quick fixes, ignores, the commands' answer and the
    status a review's end sets."""

    #: A notebook is reviewed as its combined document; diagnostics go back to its cells.
    serves_notebooks = True

    def __init__(self, services: Services) -> None:
        super().__init__(services)
        self._tasks: dict[str, asyncio.Task[ReviewOutcome | None]] = {}
        #: The document and its edit count each running review was asked for.
        self._asked: dict[str, tuple[Document, int]] = {}
        #: Reviews the user stopped from the editor's progress notification.
        self._stopped_by_user: weakref.WeakSet[asyncio.Task[Any]] = weakref.WeakSet()
        #: Reviews a save started (a command's answer is the closed buffer's: see document_closed).
        self._of_saves: weakref.WeakSet[asyncio.Task[Any]] = weakref.WeakSet()
        #: Reviews of files renamed while they ran: the URI each one's findings go to now. By
        #: review, not by old name: a new file saved under the old name had its findings shown
        #: under the new one, placed on another text.
        self._moved: dict[asyncio.Task[ReviewOutcome | None], str] = {}
        #: Each running review's progress, begun again under the file's new name at a rename.
        self._progress: weakref.WeakKeyDictionary[asyncio.Task[Any], _Progress] = weakref.WeakKeyDictionary()
        #: Reviews replaced by a newer one that have not let go yet (see ``schedule``).
        self._superseded: set[asyncio.Task[ReviewOutcome | None]] = set()
        #: Those of them cancelled already (see ``_let_go``).
        self._let_go_of: weakref.WeakSet[asyncio.Task[Any]] = weakref.WeakSet()
        self._cache: ReviewCache | None = None
        self._engine: ReviewEngine | None = None
        #: The engine being made in a thread (see _with_engine), and who makes it.
        self._engine_making: asyncio.Future[ReviewEngine] | None = None
        self._engine_lock = threading.Lock()
        #: Why each document's last review ended on an error of the server's own, for the
        #: Review File command's answer (it said "not reviewed"); gone when the next one starts.
        self._failed: dict[str, str] = {}
        #: Why reviews are off (a rejected key, no balance), and until when.
        self._paused = Paused()
        #: Files as committed (else as opened): what a grammarless one's saves send, and the
        #: lines a review is shown as deleted.
        self._opened = OpenedTexts()
        self._server: LanguageServer | None = None
        self.rules = ReviewRules(services)
        self.publisher = Publisher(services)
        self.first_saves = FirstSaves(services)
        self.saves = SaveTriggers(services, self.rules, lambda uri: self.schedule(uri, on_save=True))
        self.ignores = Ignores(services, self.publisher, lambda: self.engine.cache, self._reshow)
        self.following = EditFollower(services, self.publisher, self.ignores, self.rules, self._show_cached)
        self.quick_fixes = QuickFixes(self.publisher, self._client_capabilities)
        self.command = ReviewCommand(self, self.rules, self.publisher, self._paused)
        self.outcome = OutcomeStatus(services, self._paused)
        self.reloads = Reloads(lambda uri: self.services.documents.get(uri), self._reloaded)
        self.unreached_saves = UnreachedSaves(
            lambda uri: self.services.documents.get(uri), lambda uri: self.schedule(uri, on_save=True), self._clear_status
        )
        self.landing = Landing(
            lambda: self.engine, lambda: self.settings, lambda uri: self.services.documents.get(uri)
        )

    # -- wiring ----------------------------------------------------------------------------------

    def _client_capabilities(self) -> Any:
        return getattr(self._server, "client_capabilities", None)

    @property
    def engine(self) -> ReviewEngine:
        if self._engine is not None:
            return self._engine
        return self._make_engine(_on_loop(self._tell_cache_problem))

    def _make_engine(self, told: Callable[[str], None]) -> ReviewEngine:
        with self._engine_lock:
            if self._engine is None:
                self._cache = ReviewCache.default(on_problem=told)
                self._engine = ReviewEngine(
                    self._cache, max_concurrency=self.settings.review.max_concurrency, registry=self.services.registry
                )
            return self._engine

    def _tell_cache_problem(self, message: str) -> None:
        self.services.tell_storage_problem("review:cache", message)

    def _with_engine(self, then: Callable[[], None]) -> None:
        """``then`` once the engine is made. The first time, it is made in a thread: its cache's
        file (sqlite: made or opened, its journal set, old entries pruned) took 10-75 ms of
        waiting on the disk on the event loop, in the way of the first file's open and of the
        suggestion asked for right after."""
        if self._engine is not None:
            then()
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop (a feature used on its own): at once
            self.engine  # noqa: B018 - makes it
            then()
            return
        if self._engine_making is None:
            self._engine_making = loop.run_in_executor(None, self._make_engine, _on_loop(self._tell_cache_problem))

        def made(future: asyncio.Future[ReviewEngine]) -> None:
            if future.cancelled():
                return
            if (exc := future.exception()) is not None:  # made again, and told, at the next use
                log.warning("could not open the review cache: %s", exc)
                return
            then()

        self._engine_making.add_done_callback(made)

    def register(self, server: LanguageServer) -> None:
        self._server = server
        self.publisher.send = server.text_document_publish_diagnostics

        @server.feature(
            types.TEXT_DOCUMENT_CODE_ACTION,
            types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
        )
        def code_action(
            ls: LanguageServer, params: types.CodeActionParams
        ) -> list[types.CodeAction]:
            return self.quick_fixes.code_actions(params)

        # Command handlers' annotations are evaluated by pygls at call time: no names that exist
        # only for type checkers there.
        @server.feature(types.WORKSPACE_DID_RENAME_FILES, _EVERY_FILE)
        def did_rename_files(ls: LanguageServer, params: types.RenameFilesParams) -> None:
            for renamed in params.files:
                self.files_renamed(renamed.old_uri, renamed.new_uri)

        @server.feature(types.WORKSPACE_WILL_RENAME_FILES, _EVERY_FILE)
        def will_rename_files(ls: LanguageServer, params: types.RenameFilesParams) -> None:
            # Before the rename: VS Code's didRenameFiles may come after the close and the
            # open, which may be more than REOPEN_GRACE_S apart. Nothing to edit: null.
            for renamed in params.files:
                for was, now in self._renamed_names(renamed.old_uri, renamed.new_uri).items():
                    if self.services.documents.get(was) is not None or was in self.reloads.closing():
                        self.reloads.expect(was, now)

        @server.command(CMD_REVIEW_FILE)
        async def review_file(ls: Any, *args: Any) -> dict[str, Any]:
            return await self.command.run(_uri_argument(args, CMD_REVIEW_FILE), force=False)

        @server.command(CMD_REVIEW_AGAIN)
        async def review_again(ls: Any, *args: Any) -> dict[str, Any]:
            return await self.command.run(_uri_argument(args, CMD_REVIEW_AGAIN), force=True)

        @server.command(CMD_IGNORE)
        def ignore(ls: Any, *args: Any) -> bool:
            uri = _uri_argument(args, CMD_IGNORE)
            if len(args) < 2 or not isinstance(args[1], (str, int)):
                raise JsonRpcInvalidParams(message=f"{CMD_IGNORE} takes the file's URI and the finding's id")
            return self.ignores.ignore(uri, str(args[1]))

        @server.command(CMD_UNIGNORE_ALL)
        def unignore_all(ls: Any, *args: Any) -> int:
            # The file (or folder) whose project's findings to show again; an editor of an
            # older version sends none.
            return self.ignores.unignore_all(_uri_argument(args, CMD_UNIGNORE_ALL) if args and args[0] else None)

    def halt(self) -> None:
        self.saves.halt()
        self._opened.halt()
        self.publisher.halt()
        self.reloads.halt()
        self.unreached_saves.halt()
        for task in [*self._tasks.values(), *self._superseded, *self.outcome.telling]:
            task.cancel()
        if self._engine is not None:
            self._engine.halt()

    async def stop(self) -> None:
        self.halt()
        await asyncio.gather(
            *self._tasks.values(), *self._superseded, *self.outcome.telling, *self.reloads.tasks(), return_exceptions=True
        )
        if self._engine_making is not None:  # its cache, made meanwhile, is closed below
            await asyncio.gather(self._engine_making, return_exceptions=True)
        await self.unreached_saves.stop()
        if self._engine is not None:
            await self._engine.stop()
        if self._cache is not None:
            self._cache.close()

    # -- document events --------------------------------------------------------------------------

    def stopped_by_user(self, task: asyncio.Task[Any]) -> bool:
        return task in self._stopped_by_user

    def failure(self, uri: str) -> str:
        return self._failed.get(uri, "")

    def document_opened(self, doc: Document) -> None:
        self._opened.opened(doc)
        # Reloaded or renamed (see reloads.REOPEN_GRACE_S, RENAME_UNTOLD_S): its review goes
        # on, and shows on the new text, under the new name.
        went_on = self.reloads.opened(doc)
        if went_on is not None:
            old, closed = went_on
            self._go_on(closed.review, old, doc.uri, shown=closed.shown)
        # Whatever was reviewed before (in this editor, another one, or on the command line)
        # shows at once and costs nothing. Files opened before the configuration arrived are
        # shown again by settings_changed if the review settings turn out different. Not a
        # file too large to be reviewed: parsing a 3.7 MB one for cached findings blocked the
        # server for 6 s.
        if self.rules.reviewable(doc) and not self.rules.too_large(doc):
            self._with_engine(lambda: self._show_cached_if_open(doc))

    def _show_cached_if_open(self, doc: Document) -> None:
        if self.services.documents.get(doc.uri) is doc:
            self._show_cached(doc)

    def document_changed(self, doc: Document) -> None:
        self.saves.typing(doc.uri)  # still typing: an auto-save's pause starts again
        self.following.document_changed(doc)
        self.reloads.changed(doc)

    def document_will_save(self, doc: Document, reason: int) -> None:
        self.saves.will_save(doc, reason)

    def document_saved(self, doc: Document) -> None:
        self.reloads.saved(doc)
        self.saves.saved(doc)

    def _reloaded(self, doc: Document) -> None:
        """Reviewed as a save, measured from git's last commit as it is now (a checkout moved
        it)."""
        count = doc.edit_count

        def never_saved() -> None:
            # No didSave after all (the save failed): reviewed as the reload it is, if the text
            # is still the disk's.
            if self.services.documents.get(doc.uri) is doc and doc.edit_count == count:
                self._reloaded(doc)

        if self.saves.written(doc.uri, never_saved):
            # An auto-save's write met before its didSave: that save reviews it, after its quiet
            # wait (taken as a reload, it was reviewed at once and the save's wait was lost).
            return
        self._opened.reloaded(doc)
        if doc.uri not in self.publisher.shown:
            # Only a file whose findings were shown: a checkout reloads every open file, and
            # each one's changed functions were sent, unasked (the first-save question asks
            # of a file above 30,000 tokens, not of ten files below it), for findings the user
            # may never look at. Its next save reviews it.
            log.info("%s was reloaded with no findings shown: reviewed at its next save", doc.uri)
            return
        self.saves.saved(doc)

    def document_closed(self, doc: Document) -> None:
        self._opened.forget(doc.uri)
        task = self._tasks.get(doc.uri)
        # A save's only: Review File's answer goes to the buffer that asked, which is gone (a
        # Neovim user's :bd then :e was told of the closed one's review).
        if task is not None and not task.done() and task in self._of_saves:
            del self._tasks[doc.uri]
            self._asked.pop(doc.uri, None)
        else:
            task = None
        shown = doc.uri in self.publisher.shown
        # Kept while the file may open again (see reloads): it grew by every file ever opened.
        self.publisher.shown.discard(doc.uri)
        renamed = self.reloads.renamed_to(doc, reviewing=task is not None or shown)
        if renamed is not None:
            # Opened under its new name already (VS Code's order of a rename, at times; Neovim's
            # ``:e stock.py`` then ``:bd #``).
            self._go_on(task, doc.uri, renamed.uri, shown=shown)
            if task is None and shown:
                # Its review ended after the new name opened: shown under the old one, gone at
                # its close, and none under the new one till its next save.
                self._with_engine(lambda: self._show_cached_if_open(renamed))
            task = None
        self.reloads.closed(doc, task, shown=shown)
        self._forget(doc.uri)
        self._clear_status(doc.uri)

    def files_renamed(self, old: str, new: str) -> None:
        """The editor's ``workspace/didRenameFiles`` (VS Code's Explorer): ``old``, a file or a
        folder, is ``new`` now. A save's review under way of a file renamed goes on for its new
        name, the close and the open however far apart (the text alone pairs them within
        ``REOPEN_GRACE_S``: VS Code may close the old name seconds later, and the review was
        cancelled, paid for, nothing shown under either name)."""
        documents = self.services.documents
        self.first_saves.renamed(old, new)
        for was, now in self._renamed_names(old, new).items():
            opened = documents.get(now) is not None
            if documents.get(was) is None:  # closed already
                closed = self.reloads.take(was) if opened else None
                if closed is not None:
                    self._go_on(closed.review, was, now, shown=closed.shown)
                elif not opened and was in self.reloads.closing():
                    self.reloads.expect(was, now)
                continue
            task = self._tasks.get(was)
            if not opened:
                self.reloads.expect(was, now)  # (taken on at the close: see document_closed)
            elif task is not None and not task.done() and task in self._of_saves:
                del self._tasks[was]
                self._asked.pop(was, None)
                self._go_on(task, was, now, shown=was in self.publisher.shown)

    def _renamed_names(self, old: str, new: str) -> dict[str, str]:
        """``old`` (a file or a folder) renamed ``new``: the new name of each file it names
        whose review runs or was just closed."""
        head, to = old.rstrip("/") + "/", new.rstrip("/") + "/"
        return {old: new} | {u: to + u[len(head) :] for u in [*self._tasks, *self.reloads.closing()] if u.startswith(head)}

    def _go_on(self, task: asyncio.Task[ReviewOutcome | None] | None, old: str, uri: str, *, shown: bool) -> None:
        """``task``, the save's review of ``old`` just closed, goes on for ``uri`` (the same file
        opened again, or under a new name), and shows there, unless a review of its own runs;
        ``shown``: ``old``'s findings were shown, so ``uri``'s are (whatever ``task`` is)."""
        if old != uri:
            self.first_saves.renamed(old, uri)
        if shown:
            self.publisher.shown.add(uri)
        if task is None or task.done():
            return
        own = self._tasks.get(uri)
        if own is not None and not own.done():
            task.cancel()
            return
        self._tasks[uri] = task
        if old != uri:
            log.info("%s renamed to %s while its review ran: shown under its new name", old, uri)
            self._moved[task] = uri
            if (progress := self._progress.get(task)) is not None:
                progress.renamed(f"DeepSeek review: {basename(uri)}", uri)

        def done(t: asyncio.Task[ReviewOutcome | None]) -> None:
            if self._tasks.get(uri) is t:
                del self._tasks[uri]
            self._moved.pop(t, None)

        task.add_done_callback(done)

    def _clear_status(self, uri: str) -> None:
        # Its failed review is no longer anyone's concern (the Warning stayed for good).
        self.outcome.over(uri)

    def settings_changed(self, old: Settings, new: Settings) -> None:
        # allowHttp and fimBaseUrl too: a review refused for plain http:// kept its Error status
        # after the user allowed it (tests/test_security_transport.py).
        endpoint = endpoint_fields(old) != endpoint_fields(new)
        if old.review != new.review or endpoint:
            files_paused = self.outcome.settings_changed()
            if (self._paused.reason or endpoint or files_paused) and self.services.status.current.feature == "review":
                self.services.status.set(Status("Normal", "", "review"))
            self._paused.clear()
            self.services.status.forget("review:")
        if endpoint:
            # As completions do (BackendHealth.backend_changed): a 404 met once before is not
            # the new endpoint's, nor the first of a pair once the user changed something.
            self.outcome.not_found.forget()
        if self._engine is not None:
            self._engine.set_concurrency(new.review.max_concurrency)
        if (answer_settings(old) != answer_settings(new) or endpoint) and new.review.mode != "off":
            # A review under way is no longer the one to show (see _review): it ran on to its
            # end, paid for and never shown. The new model reviews those files instead.
            for uri, task in list(self._tasks.items()):
                if not task.done():
                    # A save's review again as a save's: taken as one the user asked for, it
                    # skipped the first-save question open (and its "Only my changes"), and
                    # sent the whole of a large file unasked. Not "saved again unchanged":
                    # the text is, the settings are not.
                    self._asked.pop(uri, None)
                    self.schedule(uri, on_save=task in self._of_saves)
        if old.review == new.review and old.exclude == new.exclude:
            return
        same_answers = answer_settings(old) == answer_settings(new)
        for doc in self.services.documents:
            if self.rules.reviewable(doc) and not self.rules.too_large(doc):
                self._show_cached(doc, keep_edited=same_answers)
            else:
                self._forget(doc.uri)
                self._clear_status(doc.uri)  # "Save again to retry" no longer applies

    def _forget(self, uri: str) -> None:
        """Cancel the file's review (or the wait for one) and clear its diagnostics."""
        self.saves.forget(uri)
        self._failed.pop(uri, None)
        task = self._tasks.pop(uri, None)
        self._asked.pop(uri, None)
        if task is not None:
            task.cancel()
        self.publisher.forget(uri)

    # -- reviewing --------------------------------------------------------------------------------

    def _reshow(self, doc: Document) -> None:
        """Show ``doc``'s cached review again, its findings in code edited since kept (its
        project's ignores are gone)."""
        if self.rules.reviewable(doc) and not self.rules.too_large(doc):
            self._show_cached(doc, keep_edited=True)

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
                    ignored=self.ignores.ignored(doc.uri),
                    roots=env_workspace_roots(self.services.workspace_folders),
                )
        except Exception:  # showing old findings is a nicety, never a failure
            log.exception("could not read cached review of %s", doc.uri)
            return
        files = self.publisher.files
        state = files.get(doc.uri)
        if keep_edited and state is not None and state.edit_count == doc.edit_count:
            # A setting changed (minConfidence, a timeout): the findings of every function
            # edited since its review went, until the next save reviewed it again.
            spans = None if missing is None else unit_spans(doc, missing)
            findings = with_kept(findings, [f for f in self.ignores.let_through(doc.uri, state.findings) if starts_in(f, spans)])
        state = files.setdefault(doc.uri, FileState())
        state.findings = findings
        state.edit_count = doc.edit_count
        self.publisher.publish(doc, state, force=True)

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
        if on_save:
            self._of_saves.add(task)
        if replaced is not None:
            # Cancelled before its first step (a save and a close handled in one turn of the
            # loop), the new review never runs its ``finally``: the review it replaces ran on
            # to its end for a file no longer open, every token billed.
            task.add_done_callback(lambda _: self._let_go(replaced))
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

    async def _nothing_changed(self, uri: str) -> None:
        """End a save's review that sends nothing, its code as git's last commit (or the
        editor's opening) has it, as a review the cache answers whole ends: its progress's last
        word, and this file's review problem told before over. Said nothing, a Dockerfile's
        save showed no progress and left its earlier failed review's warning standing."""
        progress = _Progress(self._server, f"DeepSeek review: {basename(uri)}", uri=uri)
        await progress.begin()
        self.outcome.report(ReviewOutcome(), uri)
        state = self.publisher.files.get(uri)
        shown = counted(len(state.tracked) if state is not None else 0, "finding")
        progress.end(f"{shown}, nothing changed since {self._opened.since(uri)}")

    def _let_go(self, replaced: asyncio.Task[ReviewOutcome | None]) -> None:
        """Cancel a review a newer one replaced, once: cancelled again as the newer one ended
        (at its first step: the file closed), its letting go of its requests, which awaits
        their end, was cut short, and a request no review waited for stayed open, billed."""
        if not replaced.done() and replaced not in self._let_go_of:
            self._let_go_of.add(replaced)
            replaced.cancel()

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
            if replaces is not None:
                self._let_go(replaces)

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
                    Status("Warning", f"review of {basename(uri)} not sent: {self.services.settings_unknown}. Save again to "
                           "ask for them again.", "review", uri)
                )
                return None
        doc = self.services.documents.get(uri)
        if doc is None or self._paused.now():
            return None
        # A file's own refusal spares its saves, not a review asked for (the file mended).
        if on_save and self.outcome.file_paused(uri):
            return None
        rules = self.rules
        if not rules.reviewable(doc) or rules.no_code(doc):
            return None
        if on_save and (
            rules.mode(doc.uri) != "onSave" or rules.generated(doc) or rules.dependency(doc) or rules.in_conflict(doc)
        ):
            return None
        if on_save and (await rules.marked_generated(doc) or await rules.git_ignored(doc)):
            return None
        too_large = rules.too_large(doc)
        if too_large:  # its save's (generated told first), grown past the limit, or asked for
            rules.tell_too_large(uri, too_large)
            return None
        client = getattr(self.services.models, "client", None)
        if client is None:
            self.services.status.set(Status("Error", f"review: {rules.unsendable()}", "review"))
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
        send_lines = await self._opened.changed(snapshot) if on_save else None
        removed = await self._opened.removed(snapshot)
        roots = env_workspace_roots(self.services.workspace_folders)
        if on_save and send_lines is None:
            # A large file never reviewed: asked first (see first_save).
            chosen = await self.first_saves.choose(
                self._server, engine, snapshot, settings, _counter(client),
                lambda: self._opened.changed_since(snapshot),
                since=lambda: self._opened.since(uri),
                path=label_path(uri_to_path(uri), roots), roots=roots, ignored=self.ignores.ignored(uri),
            )
            if chosen is False or asyncio.current_task() in self._superseded:
                return None  # (superseded: the newer save goes by the same answer)
            send_lines = chosen
        if send_lines is not None and not rules.is_code(doc):
            return None  # its review.otherLanguages turned off since the save
        if send_lines is not None and not (send_lines or removed):
            # A file with no grammar saved as committed (its reviewed chunks were shown at its
            # opening): nothing to send, said as a grammar file's review from the cache ends.
            await self._nothing_changed(uri)
            return None
        task = asyncio.current_task()

        def named() -> str:
            """The file's URI now: renamed meanwhile, its new one (see ``_go_on``)."""
            return self._moved.get(task, uri) if task is not None else uri

        def stop() -> None:
            # The task's HTTP requests are closed, so the provider stops generating; units
            # already answered stay cached and the findings shown are the earlier review's.
            if task is not None and not task.done():
                self._stopped_by_user.add(task)
                task.cancel()

        self._failed.pop(uri, None)
        self.unreached_saves.forget(uri)
        progress = _Progress(self._server, f"DeepSeek review: {basename(uri)}", on_cancel=stop, uri=uri)
        if task is not None:
            self._progress[task] = progress
        await progress.begin()
        waiting: list[Status] = []  # the status saying the review waits for the budget

        def budget_wait(message: str | None) -> None:
            # Said in the progress and the status (what the editors show of the server): the
            # progress read "0/3 request(s)" for minutes, the budget named nowhere.
            progress.waiting(message)
            status = self.services.status
            if message is not None:
                waiting[:] = [Status("Warning", f"review of {basename(named())} {message}", "review", named())]
                status.set(waiting[0])
            elif waiting and status.current == waiting.pop():
                status.set(Status("Normal", "", "review"))

        try:
            outcome = await engine.review(
                client,
                snapshot,
                settings,
                # As the command line names it: the absolute path told the provider the user's
                # home folder and how their disk is laid out.
                path=label_path(uri_to_path(uri), roots),
                use_cache=not force,
                send_lines=send_lines,
                removed=removed,
                # None left out here: those ignored when it ends are (``let_through``), not
                # those ignored when it began. Shown again meanwhile (:DeepSeekUnignore), a
                # finding went as the review landed, its code unchanged, its quick fix with it.
                roots=roots,
                symbols=self.services.symbols,
                # A folder whose reviews are off is sent for no other folder's review either.
                switched_off=lambda where: rules.mode(where) == "off",
                on_progress=progress.report,
                # "Review again" asks anew: not the request under way it was asked about.
                share=not force,
                on_claimed=on_claimed,
                on_budget=budget_wait,
            )
        except asyncio.CancelledError:
            progress.end("cancelled")
            raise
        except Exception as exc:  # a review bug must not take the server down
            uri = named()
            log.exception("review of %s failed", uri)
            progress.end("failed")
            # A bug of ours, not the user's doing: "review failed: KeyError('x')" said neither
            # which file nor where to look.
            self._failed[uri] = (
                f"the review of {basename(uri)} failed on an error in deepseek-lsp ({exc!r}); "
                "the server's log has the details (please report it)"
            )
            self.services.status.set(Status("Warning", self._failed[uri], "review", uri))
            return None
        finally:
            # Stopped or replaced while it waited: the wait is no one's now (it stayed said).
            budget_wait(None)
        # Renamed meanwhile (maybe more than once): shown under the name it has now.
        uri = named()
        self.outcome.cost(outcome, settings)
        if on_save and failed_unreached(outcome) and self.services.documents.get(uri) is not None:
            self.unreached_saves.failed(uri, snapshot.data, client)
        if not on_save:
            self.first_saves.reviewed_all(uri)
        # Ended with the count the file shows; ended whatever happens here: a progress never
        # ended spins in the editor for good.
        shown = len(self.ignores.let_through(uri, outcome.findings))
        try:
            self.outcome.report(outcome, uri)
            self.outcome.tell_prompt_cut(outcome, settings)
            current = self.services.documents.get(uri)
            if current is None or rules.mode(uri) == "off":
                return outcome
            findings = await self.landing.findings(
                outcome, snapshot, doc, edit_count, current, settings, self.publisher.files.get(uri), roots
            )
            if findings is None:
                return outcome  # closed meanwhile
            state = self.publisher.files.setdefault(uri, FileState())
            state.findings = self.ignores.let_through(uri, findings)
            state.edit_count = current.edit_count
            shown = len(state.tracked)
            progress.end(last_word(outcome, shown))  # before the diagnostics, as it always came
            self.publisher.publish(current, state, force=True)
            return outcome
        finally:
            progress.end(last_word(outcome, shown))  # (once: a second end sends nothing)
