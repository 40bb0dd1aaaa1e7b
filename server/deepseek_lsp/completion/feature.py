"""Inline completions: ``textDocument/inlineCompletion`` and the ``textDocument/completion`` fallback.

The request path, cheapest first: typing-through and in-flight reuse (no context needed,
held.py), then the context and prompt (prompting.py), the exact cache, the adaptive debounce,
and only then the backend. The backend call runs in its own task so a newer keystroke can reuse
it; a request that loses the race (a newer one for the same document, or ``$/cancelRequest``)
closes its stream unless the newer request is waiting on it (fetching.py). The feature wires
these together with the status (health.py), the recent edits (history.py) and the work done
while the user pauses (idle_indexing.py).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from ..config import CompletionSettings, Settings
from ..context import Indexer
from ..documents import Document, Edit
from ..features import ASKED_CONFIGURATION_WAIT_S, Feature, Services
from ..imports import refresh_stale, stale_resolutions
from ..line_tokens import LineTokens
from ..notebooks import CellTarget
from ..privacy import file_path
from ..symbol_crawler import SymbolCrawler
from ..timeouts import within
from ..usage_feature import endpoint_fields
from ..workspace_symbols import WorkspaceSymbols
from . import menu, workspace_files
from .cache import Anchor, CompletionCache, exact_key
from .closer_semicolon import (
    APPLY_TIMEOUT_S,
    EDIT_LABEL,
    CloserBelow,
    SentSemicolons,
    closer_below,
    semicolon_offset,
)
from .debounce import Debouncer
from .events import ACCEPT_COMMAND, SentItem, SentItems, Stats, accept_command, field_of
from .fetching import Fetcher, edit_ends
from .health import BackendHealth
from .held import HeldAnswers
from .history import EditHistory
from .idle_indexing import IdleWork
from .indentation import EDITOR_INDENTATION_NOTIFICATION, editor_indentation
from .line_tail import CLOSERS_ONLY, fit_to_tail, line_parts
from .multiline import comment_goes_on, docstring_at, is_multiline
from .postprocess import LaterContext, PostContext
from .prompting import PromptBuilder
from .request import Request, Suggestion, choices_wanted

if TYPE_CHECKING:
    from pygls.lsp.server import LanguageServer

log = logging.getLogger(__name__)

SHOWN_NOTIFICATION = "textDocument/didShowCompletion"
PARTIAL_NOTIFICATION = "textDocument/didPartiallyAcceptCompletion"
STATS_REQUEST = "deepseek/completionStats"
#: The editor's word that the cursor moved with no edit (a click, the arrow keys, another
#: editor focused), which LSP does not tell: the prefetch for the place left is stopped.
CURSOR_NOTIFICATION = "deepseek/cursorMoved"
#: A menu request this soon after a key pressed where the cursor is comes from typing.
TYPED_INVOKE_S = 1.0
#: How long an automatic request waits for the editor's settings still being pulled at
#: start-up: briefly, the next keystroke asks again (an invoked one waits as a review does).
AUTOMATIC_CONFIGURATION_WAIT_S = 1.0


def _answer_settings(settings: Settings) -> tuple[object, ...]:
    """The settings besides the model and endpoint that shape what an answer is."""
    c = settings.completion
    return (c.temperature, c.single_line_max_tokens, c.multi_line_max_tokens)


def _is_key_press(doc: Document, edit: Edit) -> bool:
    """A change one key press makes: a character or an auto-closed pair, Enter with its
    indentation, Backspace; not an accepted suggestion or a paste."""
    if edit.new_end_byte - edit.start_byte > 256:
        return False
    return len(doc.data[edit.start_byte : edit.new_end_byte].strip()) <= 2


class CompletionFeature(Feature):
    serves_notebooks = True

    def __init__(self, services: Services) -> None:
        super().__init__(services)
        c = services.settings.completion
        self.cache = CompletionCache(c.cache_size, c.cache_ttl_s)
        self.debouncer = Debouncer()
        self.indexer = Indexer(services.registry, compile_in_time_box=False)
        self.symbols = services.symbols = WorkspaceSymbols(services.registry)
        self.line_tokens = LineTokens()
        self._background: set[asyncio.Task[Any]] = set()
        self.idle = IdleWork(services, self.indexer, self.line_tokens, self._spawn)
        self.crawler = SymbolCrawler(services, self.symbols, self.idle.busy_until)
        self._server: LanguageServer | None = None
        self.stats = Stats()
        #: The newest request's number per (document, method). Numbered over the session, not
        #: per document: a slot forgotten on close started again at 1, and a request for the
        #: closed text still waiting out its debounce took the reopened file's first request
        #: for its own, asked about the closed text and showed the answer.
        self._seq: dict[tuple[str, str], int] = {}
        self._last_seq = 0
        self.history = EditHistory()
        self.prompts = PromptBuilder(services, self.indexer, self.symbols, self.line_tokens, self.history, self.idle)
        #: When and where each document's last key press ended.
        self._key_pressed: dict[str, tuple[float, int]] = {}
        #: Each document's edit count at its last change notification, see document_changed.
        self._edit_counts: dict[str, int] = {}
        #: Each document's last whole accept, while a request at where it left the cursor is
        #: the one right after it (see _just_accepted).
        self._accepted_at: dict[str, SentItem] = {}
        #: Each document's last whole accept, while nothing was typed after it: one the document
        #: goes back from is undone (see _edited_after_accept).
        self._undoable: dict[str, SentItem] = {}
        #: Each document's accept undone, while the edits since are at its place: one redone
        #: (Ctrl+Y, Ctrl+R) is accepted again (see _edited_after_accept).
        self._redoable: dict[str, SentItem] = {}
        #: The refresh of stale import resolutions under way (see _refresh_after_answer).
        self._refreshing: asyncio.Task[Any] | None = None
        self._semicolons = SentSemicolons()
        self.items = SentItems(self.stats)
        self.health = BackendHealth(services, self.debouncer)
        self.fetching = Fetcher(services, self.cache, self.stats, self.health, self.prompts, self._seq, self._spawn)
        self.held = HeldAnswers(self.cache, self.fetching, self.health, self._seq)

    # -- lifecycle -------------------------------------------------------------------------------

    def register(self, server: LanguageServer) -> None:
        @server.feature(types.TEXT_DOCUMENT_INLINE_COMPLETION, types.InlineCompletionOptions())
        async def inline_completion(
            ls: LanguageServer, params: types.InlineCompletionParams
        ) -> types.InlineCompletionList:
            try:
                return await self.inline_completion(params)
            finally:
                self._refresh_after_answer()

        @server.feature(
            types.TEXT_DOCUMENT_COMPLETION,
            types.CompletionOptions(trigger_characters=[".", "(", " ", "\n"], resolve_provider=False),
        )
        async def completion(ls: LanguageServer, params: types.CompletionParams) -> types.CompletionList:
            try:
                return await self.completion(params)
            finally:
                self._refresh_after_answer()

        # pygls evaluates a command handler's annotations when it is called: ``LanguageServer``
        # exists here only for type checkers, so ``ls: LanguageServer`` failed every accept with
        # "Invalid Params" (found by tests/bench/bench_replay.py) and nothing was recorded.
        @server.command(ACCEPT_COMMAND)
        def accepted(ls: Any, *args: Any) -> None:
            if not args or field_of(args[0], "id") is None:
                # Listed by Helix's :lsp-workspace-command, run there without arguments: an
                # accept of no item was counted (the acceptance rate went up) without a word.
                raise JsonRpcInvalidParams(message=f"{ACCEPT_COMMAND} is run by the editor when a suggestion is accepted")
            self.accepted(args[0])

        @server.feature(SHOWN_NOTIFICATION)
        def shown(ls: LanguageServer, params: Any) -> None:
            self._shown(self.items.shown(params))

        @server.feature(PARTIAL_NOTIFICATION)
        def partial(ls: LanguageServer, params: Any) -> None:
            # A part taken is of the item shown (an editor may tell no didShow of a choice
            # cycled to): its rest is what typing on goes on with.
            self._shown(self.items.item_of(params))
            self._took_whole(self.items.partially_accepted(params))

        @server.feature(EDITOR_INDENTATION_NOTIFICATION)
        def editor_indentation_changed(ls: LanguageServer, params: Any) -> None:
            told = editor_indentation(params)
            if told is None:
                log.debug("ignored a malformed %s", EDITOR_INDENTATION_NOTIFICATION)
                return
            uri, indent = told
            # A notebook cell's editor: the cells are one document to the prompts, which read
            # it under that document's URI (under the cell's, a block came in the language's
            # spaces below the tab the editor typed: a Python TabError).
            doc, cell = self._target(uri)
            if cell is None:
                # Last told last: a cell's, told before its notebook came, is taken by the
                # notebook's open (_take_cells_indentation) as the last one told of its cells.
                before = self.prompts.editor_indents.pop(uri, None)
                self.prompts.editor_indents[uri] = indent
            elif doc is not None:
                before = self.prompts.editor_indents.get(doc.uri)
                self.prompts.editor_indents[doc.uri] = indent
            else:
                return
            if before != indent:
                # What is held was indented as the editor no longer does (the exact cache's
                # answers are keyed by it, see _suggest).
                self.cache.drop_held(uri if cell is None else doc.uri)

        @server.feature(CURSOR_NOTIFICATION)
        def cursor_moved(ls: LanguageServer, params: Any) -> None:
            self.cursor_moved(params)

        @server.feature(STATS_REQUEST)
        def stats(ls: LanguageServer, params: Any) -> dict[str, Any]:
            return self.stats.to_json(self.cache.hits)

        @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
        def watched_files(ls: LanguageServer, params: types.DidChangeWatchedFilesParams) -> None:
            self.files_changed(params)

        self._server = server

    async def start(self) -> None:
        await workspace_files.watch_files(self._server, self.crawler)

    def files_changed(self, params: types.DidChangeWatchedFilesParams) -> None:
        workspace_files.files_changed(self.crawler, params)

    def halt(self) -> None:
        self.health.stopping = True
        for task in [*self.fetching.fetches.values(), *self._background]:
            task.cancel()
        self.crawler.halt()

    async def stop(self) -> None:
        self.halt()
        await asyncio.gather(*self.fetching.fetches.values(), *self._background, self.crawler.stop(), return_exceptions=True)

    def _refresh_after_answer(self) -> None:
        """The imports a request was given past their time made anew once its answer is out (a
        turn of the loop later, as the prefetch), not in the next request (see imports.cached)."""
        if not stale_resolutions() or self._refreshing is not None:
            return

        async def run() -> None:
            try:
                await asyncio.sleep(0)
                refresh_stale()
            finally:
                self._refreshing = None

        self._refreshing = self._spawn(run())

    def _spawn(self, coro: Any) -> asyncio.Task[Any]:
        """Run ``coro`` as background work, cancelled and awaited when the server stops."""
        task = asyncio.ensure_future(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task

    def settings_changed(self, old: Settings, new: Settings) -> None:
        if tuple(old.exclude) != tuple(new.exclude):
            self.crawler.exclude_changed()
        new_model = (*endpoint_fields(old), old.completion.model) != (*endpoint_fields(new), new.completion.model)
        if new_model:
            self.health.backend_changed()
            self.fetching.forget_chat_turns()
        if new_model or _answer_settings(old) != _answer_settings(new):
            # What the old model or settings answered is not shown for the new ones (an
            # identical prompt now gets another answer), nor what they are answering: a stream
            # left running stored its answer once over, in the cache just emptied.
            self.fetching.cancel_all()
            self.cache.clear()
        if (old.completion.cache_size, old.completion.cache_ttl_s) != (
            new.completion.cache_size,
            new.completion.cache_ttl_s,
        ):
            self.cache.resize(new.completion.cache_size, new.completion.cache_ttl_s)
        if (old.completion.enable, old.completion.languages, old.exclude, old.completion.max_file_bytes) != (
            new.completion.enable,
            new.completion.languages,
            new.exclude,
            new.completion.max_file_bytes,
        ):
            self._drop_turned_off()
            self.health.refresh_status(self.history.recent_docs)

    def workspace_folders_changed(self) -> None:
        self.crawler.folders_changed()

    def folder_settings_changed(self) -> None:
        self._drop_turned_off()
        self.health.refresh_status(self.history.recent_docs)

    def _drop_turned_off(self) -> None:
        """Closes the streams of the files the settings now turn off (the toggle, a language's
        switch, an exclusion, a folder's own): their answer, coming a moment later, was shown as
        ghost text in a file the status already called Inactive, and paid for to its end."""
        for uri in {*self.fetching.fetches, *self.fetching.prefetch_tasks}:
            doc = self.services.documents.get(uri)
            if doc is not None and self.health.inactive_reason(doc):
                self.fetching.cancel(uri, typing=False)
                self.fetching.cancel_prefetches(uri)

    def document_changed(self, doc: Document) -> None:
        self.history.touch(doc.uri)
        self.idle.last_change = time.monotonic()
        edit = doc.recent_edits[-1] if doc.recent_edits else None
        typed = edit is not None and _is_key_press(doc, edit)
        edits = doc.edit_count - self._edit_counts.get(doc.uri, 0)
        # The initializer's `;` the server sent: no key, nor where the cursor is.
        own_at = self._semicolons.came_back(doc, edit, edits)
        own = own_at is not None
        if not own:
            self.debouncer.keystroke(doc.uri, typed=typed)
        if typed and edit is not None and not own:
            self._key_pressed[doc.uri] = (self.idle.last_change, edit.new_end_byte)
        # Before the edits reach the anchors: see Fetcher.request_edited.
        streaming = self.fetching.streaming(doc.uri)
        joinable = streaming is not None and not streaming.anchor.moved
        # Edits far from the cursor are not seen by the typing-through anchors (see edited).
        applied = doc.edits_since(self._edit_counts.get(doc.uri, 0))
        if applied is None:
            self.cache.edited(doc.uri, 0, 0)
        else:
            length = len(doc.data)
            for e in reversed(applied):
                self.cache.edited(doc.uri, e.start_byte, length - e.new_end_byte)
                length -= e.new_end_byte - e.old_end_byte  # the length before it
        if own_at is not None:
            # Its answer prefetched for after the accept is served still: it was asked again.
            self.cache.took_insert(doc.uri, doc.data, own_at, b";")
        if typed:
            # A key pressed: the user is here. Not any change: a log file beside the code,
            # reloaded as the app wrote to it, stopped the prefetches of the file being typed
            # in; a paste or an undo elsewhere is told by the request that follows it.
            self.fetching.user_in(doc.uri)
        self._edit_counts[doc.uri] = doc.edit_count
        if not typed or edits > 1:
            # Not a key press (a paste over everything, a formatter, Convert Indentation's one
            # change per line): the file's indentation may be another now. Kept, the blocks of
            # a file turned from tabs to spaces were still re-indented with tabs.
            self.prompts.forget_indentation(doc.uri)
        # Not for a reload from disk (a log beside the code, as the app writes it): the other
        # files' prompts carry no edit of it, and what was held to type through in the file
        # being typed in went at each reload, the model asked again at the next key.
        if edit is None or self.history.record(doc, applied if applied else [edit], typed=typed):
            self.cache.edited_elsewhere(doc.uri)
        if edit is not None:
            if not own:
                self.fetching.drop_unreachable_prefetches(doc, edit.new_end_byte)
                self.fetching.request_edited(doc, edit_ends(applied or [edit]), joinable)
                self._edited_after_accept(doc, applied if applied else [edit])
        models = self.services.models
        if models is not None and models.idle() and not (self.health.paused.now() or self.health.inactive_reason(doc)):
            models.rewarm()  # the user is back after a pause: see Models.idle

    def _just_typed(self, uri: str, offset: int) -> bool:
        """Whether a key pressed at ``offset`` just now changed the document: a menu request
        then comes from typing, whatever its trigger kind says."""
        pressed = self._key_pressed.get(uri)
        return pressed is not None and pressed[1] == offset and time.monotonic() - pressed[0] < TYPED_INVOKE_S

    def debug_state(self) -> dict[str, Any]:
        in_flight = [*self.cache.pending.values(), *self.cache.prefetching.values()]
        return {
            "completionLinesCounted": self.idle.lines_counted(),
            "workspaceSymbols": self.symbols.stats(),
            # Requests waiting on an answer in flight, their own or one they joined.
            "completionWaiting": sum(p.waiters for p in in_flight if not p.future.done()),
        }

    def tokenizer_loaded(self) -> None:
        self.idle.tokenizer_loaded()

    def document_opened(self, doc: Document) -> None:
        self.history.document_opened(doc)
        self._take_cells_indentation(doc)
        # An open is activity too: idle work waits until files stop opening (a session restore
        # opening a hundred files used to start counting each of them in turn).
        self.idle.last_change = time.monotonic()
        held = self.health.status_for(doc)
        # A pause (a 402, a wrong base URL's 404, a rejected key) ends with a top-up or a
        # setting fixed: the files opened meanwhile are made ready, only the model left alone
        # (they had no other file's definitions until another file was opened).
        if held and self.health.inactive_reason(doc):
            return
        if doc.language is not None:
            self.idle.compile_queries(doc)
        self.idle.count(doc)
        if doc.language is not None and (path := file_path(doc.uri)) is not None:
            self.crawler.request(path, doc.language.name)
        models = self.services.models
        if not held and models is not None and models.idle():
            models.rewarm()

    def _take_cells_indentation(self, doc: Document) -> None:
        """A notebook's code cells' editor indentation told before the server knew them (VS
        Code tells a cell's editor as it becomes active, which may come before the notebook's
        open or the change adding the cell): kept under the cell's URI, no request read it."""
        notebooks = self.services.notebooks
        if notebooks is None or not notebooks.is_combined(doc.uri):
            return
        indents = self.prompts.editor_indents
        cells = {span.uri for span in notebooks.code_cells(doc.uri)}
        told = [indents.pop(uri) for uri in [uri for uri in indents if uri in cells]]
        if told:
            indents[doc.uri] = told[-1]

    def document_saved(self, doc: Document) -> None:
        self.history.document_saved(doc.uri)
        workspace_files.store_names(self.crawler, self.indexer, doc)

    def document_closed(self, doc: Document) -> None:
        self.history.document_closed(doc.uri)
        self.prompts.document_closed(doc.uri)
        self._key_pressed.pop(doc.uri, None)
        self.debouncer.forget(doc.uri)
        self._edit_counts.pop(doc.uri, None)
        self.cache.forget(doc.uri)
        self.indexer.forget(doc.uri)
        self.line_tokens.forget(doc.uri)
        self.fetching.cancel(doc.uri, typing=False)
        self.fetching.cancel_prefetches(doc.uri)  # its answer is for a file no longer open: stop paying for it
        for method in (types.TEXT_DOCUMENT_INLINE_COMPLETION, types.TEXT_DOCUMENT_COMPLETION):
            self._seq.pop((doc.uri, method), None)
        self._accepted_at.pop(doc.uri, None)
        self._undoable.pop(doc.uri, None)
        self._redoable.pop(doc.uri, None)
        self._semicolons.forget(doc.uri)

    # -- events ----------------------------------------------------------------------------------

    def cursor_moved(self, params: Any) -> None:
        """The cursor is at ``params``' position (``deepseek/cursorMoved``): the prefetches for
        states it is no longer on the way to are stopped, as Copilot drops its suggestion when
        the user clicks away, and so is the document's request still streaming for a place it
        left; at the suggestion's place or typing through it, they stream on.
        Malformed or of a document not open: ignored (a notification has no answer to refuse)."""
        uri = field_of(field_of(params, "textDocument"), "uri")
        position = field_of(params, "position")
        line, character = field_of(position, "line"), field_of(position, "character")
        if not isinstance(uri, str) or not all(isinstance(n, int) and n >= 0 for n in (line, character)):
            log.debug("ignored a malformed %s", CURSOR_NOTIFICATION)
            return
        doc, cell = self._target(uri)
        at = types.Position(line, character)
        if doc is None or not (cell or doc).has_line(line):
            return
        self.fetching.user_in(doc.uri)
        cursor = doc.offset_at(cell.to_doc(at) if cell else at)
        self.fetching.drop_unreachable_prefetches(doc, cursor)
        self.fetching.drop_left_request(doc, cursor)

    def _shown(self, item: SentItem | None) -> None:
        """The editor shows ``item``: typing through goes on with its choice, not with the
        newest held (the user cycled to an explicit request's second choice, typed on, and the
        first came back)."""
        if item is not None and item.held is not None:
            self.cache.shown(item.uri, item.held)

    def accepted(self, arg: Any) -> None:
        self._took_whole(self.items.accepted(arg))

    def _took_whole(self, item: SentItem | None) -> None:
        if item is not None:
            self.debouncer.agreed(item.uri)
            # Right after a whole accept the user usually wants the next block, at once.
            self._accepted_at[item.uri] = self._undoable[item.uri] = item
            self._redoable.pop(item.uri, None)
            if item.closer is not None:
                self._semicolon_after_closer(item, item.closer)

    def _just_accepted(self, req: Request) -> bool:
        """Whether the request is at the place the document's last whole accept left the
        cursor, its insert still there before it. An accept undone, the place typed to with
        other text was taken for the accept's: a block asked at once, mid-typing."""
        accepted = self._accepted_at.get(req.doc.uri)
        if accepted is None or accepted.end != req.offset:
            return False
        tail = accepted.insert_tail
        return req.data[req.offset - len(tail) : req.offset] == tail

    def _edited_after_accept(self, doc: Document, edits: list[Edit]) -> None:
        """The user's edits after a whole accept. Back to the document as it was before it
        (Ctrl+Z, `u`, the insert deleted), the accept is undone: still counted as accepted, the
        session showed 100 % for a suggestion thrown away. A key typed at or after its end is
        no longer the moment right after it: typed and taken back with Backspace, the place was
        taken for just accepted, a block asked at once with no debounce. Edits before its end
        are its own insert (which may come after the item's command: the Neovim plugin's accept
        over an auto-closed `)`) or its undo."""
        uri = doc.uri
        item = self._undoable.get(uri)
        if item is not None and item.undone_in(doc.data):
            self.items.undone(item)
            del self._undoable[uri]
            self._accepted_at.pop(uri, None)
            self._redoable[uri] = item
            return
        item = self._redoable.pop(uri, None)
        if item is not None and item.redone_in(doc.data):
            # Redone: the suggestion is in the code again, undoable again (0 accepted before).
            self.items.redone(item)
            self._undoable[uri] = item
            return
        if item is not None and all(item.holds(e.start_byte) for e in edits):
            self._redoable[uri] = item  # a redo in pieces, or text typed where it goes
        for accepts in (self._undoable, self._accepted_at):
            item = accepts.get(uri)
            if item is not None and any(e.start_byte >= item.end for e in edits):
                del accepts[uri]

    def _semicolon_after_closer(self, item: SentItem, closer: CloserBelow) -> None:
        """The `;` the editor's `}` below an accepted initializer lacks, as an edit of its own
        (closer_semicolon.py), where the client applies edits; against the document's version,
        which the client refuses once it has moved on."""
        doc = self.services.documents.get(item.uri)
        offset = semicolon_offset(doc, item.end, closer) if doc is not None else None
        workspace = self._server.client_capabilities.workspace
        if doc is None or offset is None or workspace is None or not workspace.apply_edit:
            return
        edit = types.TextEdit(range=doc.range_of(offset, offset), new_text=";")
        told = workspace.workspace_edit
        if told is not None and told.document_changes and doc.version is not None:
            identifier = types.OptionalVersionedTextDocumentIdentifier(doc.uri, doc.version)
            text_edit = types.TextDocumentEdit(identifier, [edit])
            changes = types.WorkspaceEdit(document_changes=[text_edit])
        else:
            changes = types.WorkspaceEdit(changes={doc.uri: [edit]})
        params = types.ApplyWorkspaceEditParams(edit=changes, label=EDIT_LABEL)
        self._semicolons.sent(doc, offset)
        self._spawn(self._apply(params))

    async def _apply(self, params: types.ApplyWorkspaceEditParams) -> None:
        try:
            result = await within(self._server.workspace_apply_edit_async(params), APPLY_TIMEOUT_S)
        except asyncio.TimeoutError:  # not the builtin on 3.10
            # Its late answer, if any, is dropped by the protocol (_handle_response).
            log.debug("the initializer's ; not applied: no answer in %.0f s", APPLY_TIMEOUT_S)
            return
        except Exception as exc:
            # The client's error or no answer (a closed session): the `;` is left to the user.
            log.debug("the initializer's ; not applied: %s", exc)
            return
        if not result.applied:
            log.debug("the initializer's ; not applied: %s", result.failure_reason)

    # -- LSP entry points ------------------------------------------------------------------------

    def _target(self, uri: str) -> tuple[Document | None, CellTarget | None]:
        """The document a request is about: a notebook cell's is its notebook's combined one
        (None for a markdown cell)."""
        notebooks = self.services.notebooks
        cell = notebooks.locate(uri) if notebooks is not None else None
        if cell is not None:
            return (cell.doc if cell.code else None), cell
        return self.services.documents.get(uri), None

    async def inline_completion(self, params: types.InlineCompletionParams) -> types.InlineCompletionList:
        started = time.perf_counter()
        doc, cell = self._target(params.text_document.uri)
        # A line past the document's last (a client out of step with it): a suggestion there
        # was asked for, billed and placed at the document's end, where the cursor is not. Past
        # a cell's last line, it was written for the next cell's code and placed in this one.
        if doc is None or not (cell or doc).has_line(params.position.line):
            return types.InlineCompletionList(items=[])
        offset = doc.offset_at(cell.to_doc(params.position) if cell else params.position)
        invoked = params.context.trigger_kind == types.InlineCompletionTriggerKind.Invoked
        selected = params.context.selected_completion_info
        req = Request(doc, offset, invoked, empty_block=bool(cell and cell.empty))
        replace_start = offset
        prefix_text = ""
        if selected is not None:
            # The item must extend the selected completion and replace its range.
            replace_start = doc.offset_at(cell.range_to_doc(selected.range).start if cell else selected.range.start)
            typed = doc.data[replace_start:offset].decode("utf-8", "replace")
            if not selected.text.startswith(typed):
                return types.InlineCompletionList(items=[])
            req.inserted = selected.text[len(typed) :]
            prefix_text = selected.text
        suggestions = await self.suggest(req)
        items = []
        for s in suggestions:
            insert = prefix_text + s.text + s.tail if selected is not None else s.text + s.tail
            if selected is None:
                insert = doc.data[replace_start:offset].decode("utf-8", "replace") + insert
            closer = None if cell else closer_below(doc.data, s.replace_end, insert)
            held = None if selected is not None else self.cache.held_entry(doc.uri, doc.data, offset, s.held)
            item_id = self.items.add(
                doc.uri, doc.data, replace_start, s.replace_end, insert,
                from_menu=False, closer=closer, held=held,
            )
            rng = doc.range_of(replace_start, s.replace_end)
            items.append(
                types.InlineCompletionItem(
                    insert_text=insert,
                    range=cell.to_cell(rng) if cell else rng,
                    command=accept_command(item_id, doc.uri),
                )
            )
        self._record_latency(started, bool(items))
        return types.InlineCompletionList(items=items)

    async def completion(self, params: types.CompletionParams) -> types.CompletionList:
        started = time.perf_counter()
        doc, cell = self._target(params.text_document.uri)
        if doc is None or not (cell or doc).has_line(params.position.line):
            return types.CompletionList(is_incomplete=True, items=[])
        offset = doc.offset_at(cell.to_doc(params.position) if cell else params.position)
        # LSP's Invoked also means "triggered by typing an identifier": nvim-cmp, Helix and Zed
        # send it for every word typed. Taken as the user asking (three choices at once, no
        # debounce, no reuse of what is held) it cost three streams a key; right after a key
        # pressed at the cursor it is typing.
        invoked = bool(
            params.context
            and params.context.trigger_kind == types.CompletionTriggerKind.Invoked
            and not self._just_typed(doc.uri, offset)
        )
        req = Request(doc, offset, invoked, method=types.TEXT_DOCUMENT_COMPLETION, empty_block=bool(cell and cell.empty))
        suggestions = await self.suggest(req)
        items = menu.completion_items(
            suggestions,
            doc,
            cell,
            offset,
            self.items,
            snippets=self.services.client_snippets,
            markdown_docs=self.services.client_markdown_docs,
        )
        self._record_latency(started, bool(items))
        # Incomplete: the client must ask again as the user types (each keystroke is a new prompt).
        return types.CompletionList(is_incomplete=True, items=items)

    def _record_latency(self, started: float, answered: bool) -> None:
        self.stats.requests += 1
        if answered:
            self.stats.latencies_ms.append((time.perf_counter() - started) * 1000)
        else:
            self.stats.empty += 1

    # -- the pipeline ----------------------------------------------------------------------------

    async def suggest(self, req: Request) -> list[Suggestion]:
        """Suggestions for the request's cursor; none when the document changed meanwhile
        (an editor asks again for the new text; not every editor drops an answer that came
        after an edit)."""
        times = self.services.start_times
        times.mark("firstRequest")
        with self.idle.answering(), self.fetching.asking(req.doc.uri):
            suggestions = await self._suggest(req)
        times.mark("firstAnswer")
        return [] if req.stale else suggestions

    async def _suggest(self, req: Request) -> list[Suggestion]:
        doc = req.doc
        uri = doc.uri
        slot = req.slot
        self._last_seq += 1
        seq = self._seq[slot] = self._last_seq
        await self.services.wait_configured(
            ASKED_CONFIGURATION_WAIT_S if req.invoked else AUTOMATIC_CONFIGURATION_WAIT_S
        )
        if not self.services.configured.is_set():
            # Not with the defaults meanwhile: the user's exclusions, ``enable: false`` or a
            # self-hosted ``baseUrl`` are in the settings still to come. The next keystroke asks again.
            return []
        if await self.health.unsettled(doc, invoked=req.invoked):
            return []
        # Right after its file opened, the files beside it are being indexed (~50 ms): the
        # request waits for them, as long as its context's time limit at most. Typed at once,
        # at load, ``c.`` went without the class in the next file (the crawl waits for a pause
        # in the typing). The context keeps its whole limit after: taken out of it, a wait
        # that ran to its end left no time to read the file an import names (CI, at load).
        if (path := file_path(uri)) is not None:
            await self.crawler.near_indexed(path, time.monotonic() + self.settings.completion.context_timeout_ms / 1000)
        if req.stale or self.health.status_for(doc, req.offset, invoked=req.invoked) or self.services.models.client is None:
            return []
        # Asked in this document: the others' prefetches are for places the user left.
        self.fetching.user_in(doc.uri)
        # The cursor may have moved with no edit (arrow keys, a click): prefetches for states
        # it is no longer on the way to are never used (only the newest one is joinable) and
        # streamed on, one more billed block with every place a suggestion was shown.
        self.fetching.drop_unreachable_prefetches(doc, req.offset)
        before, after, _ = line_parts(doc, req.offset)
        if after.strip() and not CLOSERS_ONLY.match(after):
            return []  # mid-line only before closers and light punctuation
        tail = after.rstrip() if after.strip() else ""
        # Up to the last closer, not the line's end: the blanks after it (a Markdown hard
        # break's two spaces) are not in the insert, and every accept deleted them.
        replace_end = req.offset + len(tail.encode("utf-8"))
        # A docstring opened (`"|"`, three quotes): the whole of it, as Copilot shows.
        req.docstring = docstring_at(doc, req.offset, before, after)
        req.multiline = req.docstring is not None or is_multiline(
            doc,
            req.offset,
            before,
            after,
            after_accept=self._just_accepted(req),
            empty_block=req.empty_block,
        )
        # A Javadoc's ` * Returns the `, a `# TODO: `: the comment's next lines, as Copilot shows.
        req.comment_marker = "" if req.multiline else comment_goes_on(doc, req.offset, before, after) or ""
        req.multiline = req.multiline or bool(req.comment_marker)
        settings = self.settings
        c = settings.completion

        def finish(texts: list[str], ctx: PostContext | None = None) -> list[Suggestion]:
            return fit_to_tail(texts, req, before, tail, replace_end, ctx, self.prompts)

        # 1. what we already have or is on its way.
        found = await self.held.serve(req, seq, slot, c, tail, finish)
        if found is not None:
            return found

        # 2. context and prompt.
        log.debug("suggest %s@%d multiline=%s", uri, req.offset, req.multiline)
        fim = self.prompts.prompt(req)
        self.services.start_times.mark("firstPrompt")
        log.debug("prompt built: %d tokens", fim.prompt_tokens)
        if self.idle.counted != (doc, self.services.models.counter.count):
            self.idle.count(doc)
        # With what the editor inserts for a level: the answer is indented so where the file
        # does not tell (a new file), and the same prompt after `:set noexpandtab` was served
        # in the spaces of before.
        shape = (c.model, req.multiline, settings.backend, settings.fim_template, self.prompts.editor_indents.get(uri))
        key = exact_key(fim.prompt, fim.suffix, shape)
        kept = self.cache.get(key, count=False) if c.cache else None
        if kept is not None and (hit := self._exact_hit(req, seq, c, (key, kept), tail)) is not None:
            return finish(hit)

        # 3. debounce: not for an explicit request, nor right after an accept.
        if not req.invoked and not self._just_accepted(req):
            delay = self._debounce_s(c, uri, before, after)
            if delay > 0:
                with self.fetching.debouncing(uri):
                    deadline = asyncio.get_running_loop().time() + delay
                    while True:
                        # Woken as the file's answer in flight streams: one agreeing with what
                        # was typed since is shown as it comes, not once the wait is over.
                        over = await self.fetching.debounce_wait(uri, deadline)
                        if self._seq.get(slot) != seq or req.stale:
                            return []
                        # Joining the previous request's answer beats cancelling it to ask again.
                        found = await self.held.serve(req, seq, slot, c, tail, finish)
                        if found is not None:
                            return found
                        self.fetching.drop_kept_astray(uri, doc.data, req.offset)
                        if over:
                            break
        self._accepted_at.pop(uri, None)

        # 4. the backend, in a task a newer keystroke may reuse. How its answer is to be
        # post-processed is worked out while the model works, not before asking it.
        post = LaterContext(lambda: self.prompts.post_context(req, fim))
        anchor = Anchor.at(req.data, req.offset, req.inserted.encode("utf-8"))
        if kept is not None:
            # An explicit request where the choice at the settings' own temperature is kept
            # (the suggestion on screen, or the model's nothing): only the others are asked.
            self.cache.hits["exact"] += 1
        self.services.start_times.mark("firstSent")
        pending = self.fetching.start(uri, anchor, fim, post, req, key, kept)
        pending.waiters += 1
        try:
            choices = await asyncio.shield(pending.future)
        except asyncio.CancelledError:
            pending.waiters -= 1
            self.fetching.cancel_later(uri, pending)
            raise
        pending.waiters -= 1
        if self._seq.get(slot) != seq:
            return []
        choices = choices[: choices_wanted(c, req.invoked)]
        # Not for an answer the document moved on from (it is not shown): the state after
        # accepting it never comes, and the stream would be billed for nothing.
        # Not without the cache: a prefetch's answer is only ever served from it (HeldAnswers), and
        # with ``cache: false`` each one was billed and never shown, the request after the
        # accept sent anew: two requests for every suggestion.
        if choices and c.prefetch and c.cache and not req.inserted and not tail and not req.stale:
            self.fetching.prefetch_after_answer(req, fim, post.get(), choices[0])
        return finish(choices, post.get())

    def _exact_hit(
        self, req: Request, seq: int, c: CompletionSettings, found: tuple[str, list[str]], tail: str
    ) -> list[str] | None:
        """The choices ``hit`` the exact cache holds for the prompt (under ``key``; ``found``
        is both), as many as the request shows; None when they are too few to serve alone."""
        key, hit = found
        wanted = choices_wanted(c, req.invoked)
        # An explicit request asks for several choices, unless the user wants one. Counted
        # only when served: a single kept choice the explicit request asks anew for was
        # counted as a hit beside the requests it sent.
        if wanted == 1 or len(hit) > 1:
            self.cache.hits["exact"] += 1
            if hit:
                # As after any suggestion shown: the Tab that accepts it waited for a request.
                self.fetching.prefetch_soon(req, seq, hit[0], tail)
                # And held to type through, as an answer fetched is: in a file opened again, a
                # `(` typed into an editor's `()` asked the model again for what was on screen.
                anchor = Anchor.at(req.data, req.offset, req.inserted.encode("utf-8"))
                for choice in reversed(hit[:wanted]):
                    # Held as long as the answer lives, from when it was asked: not anew.
                    self.cache.remember(req.doc.uri, anchor, choice, req.multiline, at=self.cache.asked_at(key))
            return hit[:wanted]
        return None

    def _debounce_s(self, c: CompletionSettings, uri: str, before: str, after: str) -> float:
        """How long an automatic request waits for the next key: fixed, or by the typing's cadence."""
        return (
            c.debounce / 1000
            if isinstance(c.debounce, int)
            else self.debouncer.delay(
                uri, before, after, c.debounce_min_ms, c.debounce_max_ms, c.debounce_backoff
            )
        )
