"""The language server: wires LSP messages to the document store and the features, nothing more."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Callable
from typing import Any, BinaryIO

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from . import __version__, code_cache, inspection
from . import log as logsetup
from .config import SECTION, build_settings
from .documents import DocumentStore, normalize_encoding
from .editor_settings import EditorSettings
from .features import Feature, Services, register_with_client
from .heap import Collector, Trimmer
from .inspection import DEBUG_STATE_REQUEST, DOCUMENT_STATE_REQUEST
from .languages import LanguageRegistry
from .model.errors import NAMES_ANOTHER_SERVER, tell_client
from .model.tokens import preload_in_background
from .notebooks import Notebooks
from .process import WINDOWS, _process_visible, process_alive
from .protocol import Protocol, converter
from .startup import LATEST_S
from .status import STATUS_NOTIFICATION, Status, StatusReporter
from .timeouts import within
from .transport import is_pipe, serve_pipe, serve_tcp

log = logging.getLogger(__name__)
#: ``{uri, reason}`` of a notebook about to be saved (LSP has no willSave for notebooks): VS
#: Code's extension sends it, so that an auto-saved notebook waits for a pause as a file does.
WILL_SAVE_NOTEBOOK_NOTIFICATION = "deepseek/willSaveNotebook"


class DeepSeekServer(LanguageServer):
    def __init__(self, *, env: dict[str, str] | None = None) -> None:
        super().__init__(
            "deepseek-lsp",
            __version__,
            protocol_cls=Protocol,
            converter_factory=converter,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            # Every notebook, every cell: markdown cells are context for the code cells. Saves
            # too: a saved notebook is reviewed.
            notebook_document_sync=types.NotebookDocumentSyncOptions(
                notebook_selector=[types.NotebookDocumentFilterWithNotebook(notebook="*")],
                save=True,
            ),
        )
        self.env = dict(os.environ if env is None else env)
        self.registry = LanguageRegistry.load()
        self.documents = DocumentStore(self.registry)
        self.notebooks = Notebooks(self.documents)
        self.heap = Trimmer()
        self.documents.on_free = self.heap.freed
        self.collector = Collector()
        self.editor_settings = EditorSettings(self)
        # The environment's problems are told in ``initialize``, where apply_settings builds
        # it again and the editor can show them.
        self.settings, _ = build_settings(env=self.env)
        self.status = StatusReporter(self._send_status, self._show_message)
        self.services = Services(
            documents=self.documents,
            notebooks=self.notebooks,
            registry=self.registry,
            status=self.status,
            settings=self.settings,
            notify=self._notify,
            show_message=self._show_message,
            pull_settings=self.editor_settings.pull,
        )
        self.features: list[Feature] = []
        #: Statuses and messages from before the editor is connected (a refused endpoint in the
        #: environment is found while the server is built): pygls dropped them for want of a
        #: transport, so the user never heard why nothing worked. Sent on ``initialized``.
        self._early: list[Callable[[], None]] | None = []
        #: The process's exit status, from the ``exit`` notification (see transport.py).
        self.exit_code = 0
        #: The log handler that sends to the editor, once it is attached (``logLevel`` sets it).
        self.client_log: logging.Handler | None = None
        self._parent_watch: asyncio.Task[None] | None = None
        #: The start's work that waits for the editor to be quiet (see startup.py).
        self._start_work: asyncio.Task[None] | None = None

    # -- transport -----------------------------------------------------------------------------

    def _start_io_async(self, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
        source = stdin or sys.stdin.buffer
        if is_pipe(source):
            serve_pipe(self, source, stdout or sys.stdout.buffer)
        else:  # a regular file, a terminal, Windows
            super()._start_io_async(stdin, stdout)

    def start_tcp(self, host: str, port: int) -> None:
        serve_tcp(self, host, port)

    # -- plumbing ------------------------------------------------------------------------------

    async def finish_start_when_quiet(self) -> None:
        """The start's work that stops the event loop, done once the editor is quiet (startup.py),
        not in the way of the first open and suggestion: the collection and freeze of the heap
        (~35 ms, 0.2 s at load), what was compiled for the start kept, then DeepSeek's tokenizer
        loaded in a thread (its load holds the GIL, ~0.4 s)."""
        loop = asyncio.get_running_loop()
        times = self.services.start_times

        def loaded() -> None:  # in the tokenizer's thread
            at = times.now()
            with contextlib.suppress(RuntimeError):  # the loop is closed: the server has exited
                loop.call_soon_threadsafe(self.tokenizer_loaded, at)

        latest = self.protocol.activity.now() + LATEST_S
        if not await self.protocol.activity.until_quiet(latest=latest):
            times.mark("quietDeadline")
        self.collector.started()
        # What was compiled for the start (the first run after an install or upgrade) is kept
        # now, not only at exit, which a killed server never reaches.
        code_cache.started()
        code_cache.save()
        times.mark("heapFrozen")
        # A message that came meanwhile goes first.
        if not await self.protocol.activity.until_quiet(latest=latest):
            times.mark("quietDeadline")
        times.mark("tokenizerBegan")
        preload_in_background(loaded)

    def tokenizer_loaded(self, at: float | None = None) -> None:
        self.services.start_times.mark("tokenizerLoaded", at)
        for feature in self.features:
            try:
                feature.tokenizer_loaded()
            except Exception:
                log.exception("%s failed on the tokenizer's load", type(feature).__name__)

    def _notify(self, method: str, params: Any) -> None:
        try:
            self.protocol.notify(method, params)
        except Exception:
            log.debug("could not send %s", method)

    def _later(self, send: Callable[[], None]) -> bool:
        """Keep ``send`` for ``initialized`` if the client is not connected yet."""
        if self._early is not None and getattr(self.protocol, "writer", None) is None:
            self._early.append(send)
            return True
        return False

    def save_usage(self) -> None:
        """Write the usage not yet in the ledger's file (it waits a moment after each request)
        on the way out that skips the features' ``stop``: end of input, ``exit`` without
        ``shutdown``, the editor gone."""
        models = self.services.models
        if models is not None:
            try:
                models.ledger.flush()
            except Exception:
                log.exception("could not save usage")

    def shutdown(self) -> None:
        self.save_usage()
        super().shutdown()

    def report_server_error(self, error: Exception, source: Any) -> None:
        # After shutdown the editor reads nothing more and may have closed the pipe: reporting a
        # failed write by writing again failed in turn, recursively (seconds to exit and
        # megabytes of tracebacks on stderr). The log keeps it.
        if self.protocol._shutdown or self.protocol.exited:
            log.debug("after shutdown or exit: %s", error)
            return
        super().report_server_error(error, source)

    def flush_early(self) -> None:
        early, self._early = self._early or [], None
        for send in early:
            send()

    def _send_status(self, status: Status) -> None:
        if self._early is not None:
            # Not before ``initialized``, even connected: before its InitializeResult a server
            # may send only messages and logs (the settings of initializationOptions were
            # applied, and their status sent, inside ``initialize``).
            self._early.append(lambda: self._send_status(status))
            return
        self._notify(STATUS_NOTIFICATION, status.to_json())

    def _show_message(self, message: str, level: int = 2) -> None:
        if self._later(lambda: self._show_message(message, level)):
            return
        # A message naming the user's own server (Ollama at 127.0.0.1:11434) says who: under
        # "DeepSeek: " it read as DeepSeek's problem.
        said = message if NAMES_ANOTHER_SERVER.match(message) else f"DeepSeek: {message}"
        try:
            self.window_show_message(types.ShowMessageParams(type=types.MessageType(level), message=said))
        except Exception:
            log.debug("could not show message")

    def _send_log(self, level: int, message: str) -> None:
        kind = (
            types.MessageType.Error
            if level >= logging.ERROR
            else types.MessageType.Warning
            if level >= logging.WARNING
            else types.MessageType.Info
            if level >= logging.INFO
            else types.MessageType.Log
        )
        self.window_log_message(types.LogMessageParams(type=kind, message=message))

    def add_feature(self, feature: Feature) -> None:
        self.features.append(feature)

    # -- configuration ---------------------------------------------------------------------------

    def apply_settings(self) -> None:
        settings, folders = self.editor_settings.build()
        logsetup.SECRETS.add_secret(settings.api_key)
        logsetup.SECRETS.add_secret(settings.fim_api_key)
        logsetup.set_level(settings.log_level, self.client_log)
        old = self.settings
        old_folders = self.services.folder_settings
        self.settings = settings
        self.services.settings = settings
        self.services.folder_settings = folders
        if settings != old:
            log.info("configuration: %s", {k: v for k, v in settings.masked().items() if k != "prices"})
            for feature in self.features:
                feature.settings_changed(old, settings)
        if self.services.folder_settings != old_folders:
            log.info("folders with settings of their own: %s", ", ".join(self.services.folder_settings) or "none")
            for feature in self.features:
                feature.folder_settings_changed()

    @property
    def client_capabilities(self) -> types.ClientCapabilities | None:
        return getattr(self.protocol, "client_capabilities", None)

    async def watch_parent(self, pid: int) -> None:
        """Exit when the editor that started us is gone (no orphaned servers after a crash)."""
        while True:
            await asyncio.sleep(PARENT_CHECK_S)
            if process_alive(pid) is False:
                log.info("client process %s is gone; exiting", pid)
                await self.end_now(0)

    async def end_now(self, code: int) -> None:
        """Exit at once, as on shutdown first: the work under way is cancelled, so that what it
        cost is recorded (cut off with the process, a review's billed prompt went unsaid)."""
        self.halt()
        await self.stop_in_time(leave_behind=True)
        self.save_usage()
        os._exit(code)

    async def stop_in_time(self, *, leave_behind: bool = False) -> None:
        """The features stopped (on ``shutdown``, or the editor gone), waiting for the work
        cancelled to end :data:`STOP_TIMEOUT_S` at most: the editor's shutdown waited without a
        bound (the usage not yet written is saved as the process ends all the same).
        ``leave_behind``, on the way out of the process: a stop still waiting at the limit is
        left running, shielded from the limit's cancellation, which waits for what it cancels
        to end: a stop gathering work that had lost its cancellation never did, and a SIGTERM
        never ended the server. Not for ``shutdown``: the shield's turns of the loop let an
        ``exit`` sent without waiting for its answer come first (exit status 1, 5 of 6)."""
        stopping = self.stop_features()
        try:
            await within(asyncio.shield(stopping) if leave_behind else stopping, STOP_TIMEOUT_S)
        except asyncio.TimeoutError:
            # One line, not a traceback: what is said is what held it up.
            log.warning("stopping: gave up after %.0f s waiting for %s", STOP_TIMEOUT_S, _running_tasks())
        except Exception:
            log.exception("could not stop the features")

    def halt(self) -> None:
        """Stop taking work and cancel all of it under way, awaiting nothing: the first thing
        done on the way out. The messages the editor had sent before (a burst of keys the
        server was behind on) were still handled, and the requests' handlers and the features'
        idle work ran on while the features' stops were awaited one by one: on a loaded machine
        the stop overran its time box ("could not stop the features") and a SIGTERM took
        seconds."""
        self.protocol.halted = True
        if self._start_work is not None:
            self._start_work.cancel()
        for future in list(self.protocol._request_futures.values()):
            future.cancel()
        self._halt_features()

    def _halt_features(self) -> None:
        for feature in self.features:
            try:
                feature.halt()
            except Exception:
                log.exception("feature %s failed to halt", type(feature).__name__)

    def end_on_sigterm(self, loop: asyncio.AbstractEventLoop) -> None:
        """SIGTERM (``docker stop``, a supervisor, ``kill``) ends the server as the editor's
        going does. Python's default ended it on the spot: the usage of the requests under way
        and of the last moment (written a little after each request) was lost."""
        if WINDOWS:
            return

        def end() -> None:
            self.halt()  # here, not in the task: before any other callback of the loop runs
            self._ending = asyncio.ensure_future(self.end_now(128 + signal.SIGTERM))

        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signal.SIGTERM, end)

    async def stop_features(self) -> None:
        """Cancel the features' work under way and close their connections and files (on
        ``shutdown``, or when the editor is gone)."""
        # All of them first: while one stop was awaited, the others' work ran on.
        self._halt_features()
        # Last added, first stopped: completions cancelled on the way out record their usage
        # before the usage feature (added first) closes the ledger.
        for feature in reversed(self.features):
            try:
                await feature.stop()
            except Exception:
                log.exception("feature %s failed to stop", type(feature).__name__)


PARENT_CHECK_S = 3.0
#: How long the work under way may take to stop when the editor is gone.
STOP_TIMEOUT_S = 2.0


def _running_tasks() -> str:
    """The tasks still running, by their coroutines' names, for a log line."""
    current = asyncio.current_task()
    names = sorted(
        getattr(task.get_coro(), "__qualname__", task.get_name())
        for task in asyncio.all_tasks()
        if task is not current and not task.done()
    )
    return ", ".join(names) or "nothing"


def _param(params: Any, key: str) -> Any:
    """A field of a custom method's params (a dict, or the object pygls makes of one)."""
    return params.get(key) if isinstance(params, dict) else getattr(params, key, None)


def create_server(env: dict[str, str] | None = None) -> DeepSeekServer:
    from .completion.feature import CompletionFeature
    from .review.feature import ReviewFeature
    from .usage_feature import UsageFeature

    server = DeepSeekServer(env=env)
    server.add_feature(UsageFeature(server.services))
    server.add_feature(CompletionFeature(server.services))
    server.add_feature(ReviewFeature(server.services))
    for feature in server.features:
        feature.register(server)
    _register_core(server)
    return server


def _register_core(server: DeepSeekServer) -> None:
    @server.feature(types.INITIALIZE)
    def initialize(ls: DeepSeekServer, params: types.InitializeParams) -> None:
        ls.services.start_times.mark("initialize")
        ls.protocol.initialized_once = True
        ls.editor_settings.init_options = params.initialization_options
        encoding = normalize_encoding(
            ls.protocol.workspace.position_encoding if ls.protocol._workspace else "utf-16"
        )
        ls.documents.encoding = encoding
        ls.services.workspace_folders = [
            f.uri for f in (params.workspace_folders or []) if f.uri
        ] or ([params.root_uri] if params.root_uri else [])
        item_caps = params.capabilities.text_document and params.capabilities.text_document.completion
        item_caps = item_caps and item_caps.completion_item
        # Eglot expands a snippet with yasnippet, which runs the text between two backquotes as
        # Emacs Lisp: a template literal or a shell `cmd` in a suggestion was evaluated in the
        # editor ("[yas] elisp error ... void: total:" left in the code, or whatever Lisp the
        # model wrote run). Its plain-text item inserts the whole text.
        client = params.client_info.name if params.client_info else ""
        tell_client(client)  # the key's advice names the editor's own way of setting it
        ls.services.client_snippets = bool(item_caps and item_caps.snippet_support) and client != "Eglot"
        formats = (item_caps and item_caps.documentation_format) or []
        ls.services.client_markdown_docs = types.MarkupKind.Markdown in formats
        ls.client_log = logsetup.attach_client(ls._send_log, ls.settings.log_level)
        ls.apply_settings()
        if params.process_id and _process_visible(params.process_id):
            ls._parent_watch = asyncio.ensure_future(ls.watch_parent(params.process_id))
        elif params.process_id:
            # Started through ssh, docker exec or a sandbox: the editor's id means nothing here
            # (the server exited 3 s after every start, taking the editor's for a dead one).
            log.info("client process %s is not visible from here; not watching it", params.process_id)
        log.info("deepseek-lsp %s; position encoding %s; languages: %s", __version__, encoding,
                 ", ".join(ls.registry.names()))

    @server.feature(types.INITIALIZED)
    async def initialized(ls: DeepSeekServer, params: types.InitializedParams) -> None:
        ls.services.start_times.mark("initialized")
        caps = ls.client_capabilities
        dyn = caps and caps.workspace and caps.workspace.did_change_configuration
        if dyn and dyn.dynamic_registration:
            # VS Code only sends didChangeConfiguration after it is registered for.
            await register_with_client(
                ls,
                "deepseek-config",
                types.WORKSPACE_DID_CHANGE_CONFIGURATION,
                types.DidChangeConfigurationRegistrationOptions(section=SECTION),
            )
        ls.flush_early()
        try:
            await ls.editor_settings.pull()
        finally:
            ls.services.configured.set()
            ls.services.start_times.mark("configured")
        for feature in ls.features:
            await feature.start()
        ls.services.start_times.mark("started")
        # Once the settings are pulled, not before: ahead of the pull, the collection and a
        # first write of the code cache let a change the editor made meanwhile be pulled first
        # (tests/test_settings_mid_session.py).
        ls._start_work = asyncio.ensure_future(ls.finish_start_when_quiet())

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(
        ls: DeepSeekServer, params: types.DidChangeConfigurationParams
    ) -> None:
        await ls.editor_settings.pushed(params.settings)

    @server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    def did_change_workspace_folders(ls: DeepSeekServer, params: types.DidChangeWorkspaceFoldersParams) -> None:
        # Not a coroutine: pygls starts one on the loop's next turn, after the messages read
        # with this one (a didOpen, a request) were handled with the folders not yet changed.
        # pygls declares change notifications for every server; without this the folders of
        # the initialize request stayed the only ones: imports into an added folder were not
        # followed, and a removed folder's files were still read for context.
        ls.services.change_workspace_folders(
            added=[f.uri for f in params.event.added], removed=[f.uri for f in params.event.removed]
        )
        for feature in ls.features:
            feature.workspace_folders_changed()
        log.info("workspace folders: %s", ", ".join(ls.services.workspace_folders) or "none")
        if ls.services.configured.is_set():
            # An added folder's own settings (completions off there) applied only after the
            # next change of any setting.
            ls.editor_settings.pull_soon()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: DeepSeekServer, params: types.DidOpenTextDocumentParams) -> None:
        td = params.text_document
        old = ls.documents.get(td.uri)
        if old is not None:
            # Opened again without a close (a reload): what was kept for the old text goes
            # (its index, of the same edit count, was served for the new text).
            for feature in ls.features:
                feature.document_closed(old)
        ls.services.start_times.mark("firstOpen")
        doc = ls.documents.open(td.uri, td.text, td.language_id, td.version)
        for feature in ls.features:
            feature.document_opened(doc)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: DeepSeekServer, params: types.DidChangeTextDocumentParams) -> None:
        doc = ls.documents.change(
            params.text_document.uri, params.text_document.version, list(params.content_changes)
        )
        if doc is not None:
            for feature in ls.features:
                feature.document_changed(doc)

    @server.feature(types.TEXT_DOCUMENT_WILL_SAVE)
    def will_save(ls: DeepSeekServer, params: types.WillSaveTextDocumentParams) -> None:
        # Registered, pygls offers ``willSave`` to clients that can send it (VS Code): its
        # reason tells an auto-save from the user's, which the review waits to review.
        doc = ls.documents.get(params.text_document.uri)
        if doc is not None:
            for feature in ls.features:
                feature.document_will_save(doc, params.reason)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: DeepSeekServer, params: types.DidSaveTextDocumentParams) -> None:
        doc = ls.documents.get(params.text_document.uri)
        if doc is not None:
            for feature in ls.features:
                feature.document_saved(doc)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: DeepSeekServer, params: types.DidCloseTextDocumentParams) -> None:
        doc = ls.documents.close(params.text_document.uri)
        if doc is not None:
            for feature in ls.features:
                feature.document_closed(doc)

    def notebook_features(ls: DeepSeekServer) -> list[Feature]:
        return [feature for feature in ls.features if feature.serves_notebooks]

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_OPEN)
    def notebook_did_open(ls: DeepSeekServer, params: types.DidOpenNotebookDocumentParams) -> None:
        old = ls.documents.get(ls.notebooks.combined_uri(params.notebook_document.uri))
        doc = ls.notebooks.open(params)
        for feature in notebook_features(ls):
            if old is not None:
                feature.document_closed(old)
            feature.document_opened(doc)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_CHANGE)
    def notebook_did_change(ls: DeepSeekServer, params: types.DidChangeNotebookDocumentParams) -> None:
        old = ls.documents.get(ls.notebooks.combined_uri(params.notebook_document.uri))
        edits = old.edit_count if old is not None else None
        doc = ls.notebooks.change(params)
        if doc is None:
            return
        if doc is old and doc.edit_count == edits:
            # A cell run (its execution summary), metadata: nothing the document shows. Taken
            # for an edit, each run started an auto-saved notebook's wait for a review again.
            return
        for feature in notebook_features(ls):
            if doc is old:
                feature.document_changed(doc)
            else:  # parsed anew in the language of its first code cell
                if old is not None:
                    feature.document_closed(old)
                feature.document_opened(doc)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_SAVE)
    def notebook_did_save(ls: DeepSeekServer, params: types.DidSaveNotebookDocumentParams) -> None:
        doc = ls.documents.get(ls.notebooks.combined_uri(params.notebook_document.uri))
        if doc is not None:
            for feature in notebook_features(ls):
                feature.document_saved(doc)

    @server.feature(WILL_SAVE_NOTEBOOK_NOTIFICATION)
    def notebook_will_save(ls: DeepSeekServer, params: Any) -> None:
        uri, reason = (_param(params, key) for key in ("uri", "reason"))
        if not isinstance(uri, str) or isinstance(reason, bool) or not isinstance(reason, int):
            return  # a malformed notification: the save is then taken as the user's
        doc = ls.documents.get(ls.notebooks.combined_uri(uri))
        log.debug("notebook %s will be saved (reason %d)", uri, reason)
        if doc is not None:
            for feature in notebook_features(ls):
                feature.document_will_save(doc, reason)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_CLOSE)
    def notebook_did_close(ls: DeepSeekServer, params: types.DidCloseNotebookDocumentParams) -> None:
        doc = ls.notebooks.close(params.notebook_document.uri)
        if doc is not None:
            for feature in notebook_features(ls):
                feature.document_closed(doc)

    @server.feature(DOCUMENT_STATE_REQUEST)
    def document_state(ls: DeepSeekServer, params: Any) -> dict[str, Any] | None:
        return inspection.document_state(ls, str(_param(params, "uri")))

    @server.feature(DEBUG_STATE_REQUEST)
    def debug_state(ls: DeepSeekServer, params: Any) -> dict[str, Any]:
        return inspection.debug_state(ls, heap=_param(params, "heap") is True)

    @server.feature(types.EXIT)
    def exit_(ls: DeepSeekServer, *args: Any) -> None:
        # The protocol's exit status: 0 after shutdown, 1 without one. pygls raises it as
        # SystemExit after this handler, which its own reader (stdin not a pipe: always on
        # Windows) swallows: the process ended with 0 whatever happened.
        ls.exit_code = 0 if ls.protocol._shutdown else 1
        ls.protocol.exited = True

    @server.feature(types.SHUTDOWN)
    async def shutdown(ls: DeepSeekServer, *args: Any) -> None:
        await ls.stop_in_time()
