"""The language server: wires LSP messages to the document store and the features, nothing more."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import gc
import logging
import os
import signal
import stat
import sys
import threading
from collections.abc import Callable
from typing import Any, BinaryIO

from lsprotocol import types
from pygls.io_ import StdoutWriter, run_async
from pygls.lsp.server import LanguageServer

from . import __version__, code_cache
from . import log as logsetup
from .config import SECTION, Settings, build_settings, folder_part, unwrap_section, without_repeats
from .documents import DocumentStore, normalize_encoding
from .features import Feature, Services, register_with_client
from .heap import Collector, Trimmer
from .languages import LanguageRegistry
from .model.tokens import loaded_counter, preload_in_background
from .notebooks import Notebooks
from .process import WINDOWS, _process_visible, process_alive
from .protocol import Protocol, _PipeReader
from .status import STATUS_NOTIFICATION, Status, StatusReporter
from .timeouts import within

log = logging.getLogger(__name__)
DOCUMENT_STATE_REQUEST = "deepseek/documentState"
DEBUG_STATE_REQUEST = "deepseek/debugState"
#: ``{uri, reason}`` of a notebook about to be saved (LSP has no willSave for notebooks): VS
#: Code's extension sends it, so that an auto-saved notebook waits for a pause as a file does.
WILL_SAVE_NOTEBOOK_NOTIFICATION = "deepseek/willSaveNotebook"
#: How long the editor may take to answer workspace/configuration.
CONFIGURATION_TIMEOUT_S = 5.0
#: The ``tell_once`` key of a pull that got no answer.
SETTINGS_UNANSWERED = "config:unanswered"
#: The ``tell_once`` keys of the settings' problems (other ``config:`` keys are the features').
SETTINGS_PROBLEM = "config:setting:"


def _open_connections(http: Any) -> int:
    """Connections httpx still holds (idle keep-alive ones included); -1 when unknowable."""
    try:
        return sum(1 for c in http._transport._pool.connections if not c.is_closed())
    except AttributeError:
        return -1


def _busy_connections(http: Any) -> tuple[int, int]:
    """Connections checked out of the pool (serving, or leaked), and requests the pool lists
    (queued or not yet closed); -1 when unknowable."""
    try:
        pool = http._transport._pool
        busy = sum(1 for c in pool.connections if not c.is_closed() and not c.is_idle())
        return busy, len(pool._requests)
    except AttributeError:
        return -1, -1


def _rss_bytes() -> int:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class DeepSeekServer(LanguageServer):
    def __init__(self, *, env: dict[str, str] | None = None) -> None:
        super().__init__(
            "deepseek-lsp",
            __version__,
            protocol_cls=Protocol,
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
        self.init_options: Any = None
        self.client_settings: Any = None
        #: The editor's settings were received once (pulled or pushed): a later pull that fails
        #: keeps them rather than going back to the defaults.
        self.settings_known = False
        #: What the last ``didChangeConfiguration`` carried, for an editor that answers the pull
        #: with nothing (see pull_configuration).
        self.pushed_settings: Any = None
        #: Each workspace folder's answer to the pull (multi-root workspaces only).
        self.folder_answers: dict[str, Any] = {}
        #: Pulls started in the background, held until done (the loop keeps weak references).
        self._pulls: set[asyncio.Future[None]] = set()
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
            pull_settings=self.pull_configuration,
        )
        self.features: list[Feature] = []
        #: Statuses and messages from before the editor is connected (a refused endpoint in the
        #: environment is found while the server is built): pygls dropped them for want of a
        #: transport, so the user never heard why nothing worked. Sent on ``initialized``.
        self._early: list[Callable[[], None]] | None = []
        #: The process's exit status, from the ``exit`` notification (see ``_start_io_async``).
        self.exit_code = 0
        #: The log handler that sends to the editor, once it is attached (``logLevel`` sets it).
        self.client_log: logging.Handler | None = None
        self._parent_watch: asyncio.Task[None] | None = None

    # -- transport -----------------------------------------------------------------------------

    def _start_io_async(self, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
        """Serve over stdio, reading with the event loop's own pipe reader.

        pygls reads each header line and each body in its thread pool: three thread hand-offs
        per message, ~1 ms of every request's round trip (tests/bench/bench_overhead.py). A pipe
        (what editors give us) is read by the loop directly; anything else (a regular file, a
        terminal, Windows) keeps pygls' reader.
        """
        source = stdin or sys.stdin.buffer
        try:
            mode = os.fstat(source.fileno()).st_mode
        except (OSError, ValueError, AttributeError):
            mode = 0
        # POSIX only: on Windows the loop can only read overlapped pipes, and an editor's stdin
        # is not one.
        if os.name != "posix" or not (stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)):
            super()._start_io_async(stdin, stdout)
            return
        self._stop_event = threading.Event()
        self.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))

        async def serve() -> None:
            loop = asyncio.get_running_loop()
            self._end_on_sigterm(loop)
            reader = asyncio.StreamReader(limit=1 << 20)
            await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), source)
            await run_async(
                stop_event=self._stop_event,
                reader=_PipeReader(reader),
                protocol=self.protocol,
                logger=log,
                error_handler=self.report_server_error,
            )

        try:
            asyncio.run(serve())
        except BrokenPipeError:
            log.error("Connection to the client is lost; shutting down.")
        except KeyboardInterrupt:
            pass
        except SystemExit as exc:
            # pygls' exit: 0 after shutdown, 1 without one (the protocol says so; the process
            # always ended with 0, so a supervisor could not tell).
            self.exit_code = exc.code if isinstance(exc.code, int) else 1
        finally:
            self.shutdown()

    def start_tcp(self, host: str, port: int) -> None:
        """Serve the first editor to connect over TCP, and end with its connection as over
        stdio. pygls' own let ``exit``'s SystemExit escape the connection's callback: asyncio
        printed it as an unhandled exception with a traceback, and its status was lost."""
        self._stop_event = threading.Event()

        async def serve() -> None:
            self._end_on_sigterm(asyncio.get_running_loop())
            ended = asyncio.get_running_loop().create_future()

            async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
                if ended.done() or getattr(self.protocol, "writer", None) is not None:
                    writer.close()  # one editor a server, as over stdio
                    return
                self.protocol.set_writer(writer)  # type: ignore[arg-type]
                try:
                    await run_async(
                        stop_event=self._stop_event,
                        reader=reader,
                        protocol=self.protocol,
                        logger=log,
                        error_handler=self.report_server_error,
                    )
                except SystemExit as exc:
                    self.exit_code = exc.code if isinstance(exc.code, int) else 1
                finally:
                    if not ended.done():
                        ended.set_result(None)

            try:
                listener = await asyncio.start_server(connection, host, port)
            except OSError as exc:  # the port in use, a host not found or not this machine's
                # One sentence and status 1: asyncio's traceback told the user nothing useful.
                reason = "address already in use" if exc.errno == errno.EADDRINUSE else exc.strerror or exc
                print(f"deepseek-lsp: cannot listen on {host}:{port}: {reason}", file=sys.stderr)
                self.exit_code = 1
                return
            # The port bound, not the one asked for: with ``--port 0`` (any free port) that
            # was "0", and nothing could find the server.
            bound = listener.sockets[0].getsockname()[1] if listener.sockets else port
            log.info("serving on %s:%s", host, bound)
            async with listener:
                await ended

        try:
            asyncio.run(serve())
        except KeyboardInterrupt:
            pass
        finally:
            self.shutdown()

    # -- plumbing ------------------------------------------------------------------------------

    def tokenizer_loaded(self) -> None:
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
        try:
            self.window_show_message(
                types.ShowMessageParams(type=types.MessageType(level), message=f"DeepSeek: {message}")
            )
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
        settings, problems = build_settings(self.init_options, self.client_settings, env=self.env)
        folders, folder_problems = self._folder_settings(settings)
        self._tell_problems(list(dict.fromkeys([*problems, *folder_problems])))
        logsetup.SECRETS.add_secret(settings.api_key)
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

    def _folder_settings(self, window: Settings) -> tuple[dict[str, Settings], list[str]]:
        """The settings of each folder whose own (config.FOLDER_SETTINGS) differ from the
        window's, and the problems of their values (an invalid one leaves the window's)."""
        out: dict[str, Settings] = {}
        problems: list[str] = []
        for folder, answer in self.folder_answers.items():
            part = folder_part(answer)
            if not part:
                continue
            settings, found = build_settings(self.init_options, self.client_settings, part, env=self.env)
            problems.extend(found)
            if settings != window:
                out[folder] = settings
        return out, problems

    def _tell_problems(self, problems: list[str]) -> None:
        """One message per invalid setting while it stays; told again if made again later."""
        keys = {f"{SETTINGS_PROBLEM}{problem}" for problem in problems}
        self.status.keep_told(SETTINGS_PROBLEM, keys)
        for problem in problems:
            self.status.tell_once(f"{SETTINGS_PROBLEM}{problem}", f"settings: {problem}")

    async def pull_configuration(self) -> None:
        caps = self.client_capabilities.workspace if self.client_capabilities else None
        if not (caps and caps.configuration):
            return
        # Per folder in a multi-root workspace only: with one folder, its settings are the window's.
        folders = list(self.services.workspace_folders) if len(self.services.workspace_folders) > 1 else []
        try:
            # Bounded: an editor answering null (which pygls cannot read, and never resolves)
            # left the server waiting for good, and reviews, which wait for the settings, stopped.
            result = await within(
                self.workspace_configuration_async(types.ConfigurationParams(items=configuration_items(folders))),
                CONFIGURATION_TIMEOUT_S,
            )
            result = self._take_folder_answers(result, folders)
        except Exception as exc:
            log.warning("workspace/configuration failed: %r", exc)
            if not unwrap_section(self.pushed_settings):
                self._settings_unanswered(exc)
                return
            # The settings the editor pushed are the editor's settings too: dropped, a change
            # made in an editor that cannot answer the pull never applied.
            log.info("using the settings the editor pushed")
            result = self.pushed_settings
        log.debug("workspace/configuration answered %s", type(result).__name__)
        if not unwrap_section(result) and unwrap_section(self.pushed_settings):
            # No ``deepseek`` section, but settings pushed: Neovim's ``vim.lsp.config`` with
            # ``settings = { completion = ... }`` unwrapped. They were dropped without a word.
            log.info("no 'deepseek' section in the editor's settings; using the settings it pushed")
            result = self.pushed_settings
        self.take_client_settings(result)
        self.apply_settings()

    def _settings_unanswered(self, exc: Exception) -> None:
        """Say that the editor's settings could not be read, and what is used instead: those
        it gave before, or in its initializationOptions, kept (a failed pull's folder settings
        were dropped at the next apply); before any, the defaults, which reviews do not go
        with: each review asks for the settings again (see ReviewFeature). A loaded machine's
        editor took over 5 s once, and the session went on with the defaults: no daily
        budget, no exclusions."""
        why = f"no answer in {CONFIGURATION_TIMEOUT_S:.0f} s" if isinstance(exc, asyncio.TimeoutError) else repr(exc)
        reason = f"the editor's settings could not be read ({why})"
        if self.settings_known or unwrap_section(self.init_options):
            message = f"settings: {reason}; those it gave before are used"
        else:
            self.services.settings_unknown = reason
            message = (
                f"settings: {reason}. Completions use the defaults meanwhile; reviews are not sent "
                "(the defaults have none of your daily budget, exclusions or review.mode), and "
                "each one asks for the settings again"
            )
        self.status.tell_once(SETTINGS_UNANSWERED, message)

    def pull_configuration_soon(self) -> None:
        """:meth:`pull_configuration` in the background (from a handler that must not wait)."""
        task = asyncio.ensure_future(self.pull_configuration())
        self._pulls.add(task)
        task.add_done_callback(self._pulls.discard)

    def _take_folder_answers(self, result: Any, folders: list[str]) -> Any:
        """Keep the folders' answers (the items after the first) and return the window's."""
        if folders and isinstance(result, (list, tuple)) and len(result) == len(folders) + 1:
            self.folder_answers = dict(zip(folders, result[1:], strict=True))
            return list(result[:1])
        self.folder_answers = {}
        return result

    def take_client_settings(self, settings: Any) -> None:
        """The client's settings, pulled or pushed. What they repeat of the initializationOptions
        leaves that layer for good (see config.without_repeats): a setting later taken out of
        them is back to its default."""
        self.client_settings = settings
        self.settings_known = True
        self.services.settings_unknown = ""
        self.status.forget(SETTINGS_UNANSWERED)
        self.init_options = without_repeats(self.init_options, settings)

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
        try:
            await within(self.stop_features(), STOP_TIMEOUT_S)
        except asyncio.TimeoutError:
            # One line, not a traceback: the process ends either way, and what is said is
            # what held it up.
            log.warning("stopping: gave up after %.0f s waiting for %s", STOP_TIMEOUT_S, _running_tasks())
        except Exception:
            log.exception("could not stop the features")
        self.save_usage()
        os._exit(code)

    def halt(self) -> None:
        """Stop taking work and cancel all of it under way, awaiting nothing: the first thing
        done on the way out. The messages the editor had sent before (a burst of keys the
        server was behind on) were still handled, and the requests' handlers and the features'
        idle work ran on while the features' stops were awaited one by one: on a loaded machine
        the stop overran its time box ("could not stop the features") and a SIGTERM took
        seconds."""
        self.protocol.halted = True
        for future in list(self.protocol._request_futures.values()):
            future.cancel()
        self._halt_features()

    def _halt_features(self) -> None:
        for feature in self.features:
            try:
                feature.halt()
            except Exception:
                log.exception("feature %s failed to halt", type(feature).__name__)

    def _end_on_sigterm(self, loop: asyncio.AbstractEventLoop) -> None:
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


def configuration_items(folders: list[str]) -> list[types.ConfigurationItem]:
    """The window's ``deepseek`` section, then each folder's (VS Code answers a folder's with its
    ``.vscode/settings.json`` over the window's)."""
    return [
        types.ConfigurationItem(section=SECTION),
        *(types.ConfigurationItem(section=SECTION, scope_uri=folder) for folder in folders),
    ]


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


def _tree_shape(tree: Any) -> list[tuple[str, int, int]]:
    """Every node's type and byte span, in order: an S-expression alone has no positions, and a
    tree whose edits were recorded at the wrong bytes still printed the same."""
    shape: list[tuple[str, int, int]] = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        shape.append((node.type, node.start_byte, node.end_byte))
        stack.extend(reversed(node.children))
    return shape


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
        ls.protocol.initialized_once = True
        ls.init_options = params.initialization_options
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
        loop = asyncio.get_running_loop()

        def loaded() -> None:
            with contextlib.suppress(RuntimeError):  # the loop is closed: the server has exited
                loop.call_soon_threadsafe(ls.tokenizer_loaded)

        preload_in_background(loaded)
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
            await ls.pull_configuration()
        finally:
            ls.services.configured.set()
        for feature in ls.features:
            await feature.start()
        # Once the settings are pulled, not before: ahead of the pull, the collection (~35 ms)
        # and a first write of the code cache (~20 ms) let a change the editor made meanwhile
        # be pulled first (tests/test_settings_mid_session.py).
        ls.collector.started()
        # What was compiled for the start (the first run after an install or upgrade) is kept
        # now, not only at exit, which a killed server never reaches.
        code_cache.started()
        code_cache.save()

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(
        ls: DeepSeekServer, params: types.DidChangeConfigurationParams
    ) -> None:
        caps = ls.client_capabilities
        ls.pushed_settings = params.settings
        if caps and caps.workspace and caps.workspace.configuration:
            await ls.pull_configuration()
        else:
            ls.take_client_settings(params.settings)
            ls.apply_settings()

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
            ls.pull_configuration_soon()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: DeepSeekServer, params: types.DidOpenTextDocumentParams) -> None:
        td = params.text_document
        old = ls.documents.get(td.uri)
        if old is not None:
            # Opened again without a close (a reload): what was kept for the old text goes
            # (its index, of the same edit count, was served for the new text).
            for feature in ls.features:
                feature.document_closed(old)
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
        """The server's copy of a document, for tests and bug reports (text never leaves the machine)."""
        uri = _param(params, "uri")
        doc = ls.documents.get(str(uri))
        if doc is None:
            return None
        tree_ok = None
        # Only a tree the server holds: ``doc.tree`` parses one on first use, and a fresh parse
        # compared with a fresh parse always matched (the edits' tree updates went unchecked).
        if doc.has_tree and doc.tree is not None and doc.language is not None:
            tree_ok = _tree_shape(doc.tree) == _tree_shape(doc.language.parser().parse(doc.data))
        return {
            "uri": doc.uri,
            "version": doc.version,
            "text": doc.text,
            "language": doc.language.name if doc.language else None,
            "encoding": doc.encoding,
            "treeMatchesFreshParse": tree_ok,
        }

    @server.feature(DEBUG_STATE_REQUEST)
    def debug_state(ls: DeepSeekServer, params: Any) -> dict[str, Any]:
        """Resource counts, for leak tests and bug reports."""
        current = asyncio.current_task()
        tasks = [t for t in asyncio.all_tasks() if t is not current and not t.done()]
        state: dict[str, Any] = {
            "documents": len(ls.documents),
            "tasks": len(tasks),
            "taskNames": sorted({t.get_coro().__qualname__ for t in tasks})[:20],
            "rssBytes": _rss_bytes(),
            "connections": 0,
            "connectionsBusy": 0,
            # Futures pygls holds for requests (and, unless cleaned, for notifications).
            "protocolFutures": len(getattr(ls.protocol, "_request_futures", ())),
            # Cycle collections run right after an answer went out, per generation.
            "collectionsAfterAnswers": list(ls.collector.collections),
            # The tokenizer loads in the background after `initialized`, holding the GIL ~0.5 s.
            "tokenizerLoaded": loaded_counter() is not None,
            # The editor's settings are pulled and applied (or found unavailable): requests
            # before this wait for them, or answer nothing.
            "configured": ls.services.configured.is_set(),
            # Objects out of the collector's way since `initialized` (Collector.started).
            "frozenObjects": gc.get_freeze_count(),
            # attrs' and cattrs' generated code: taken from the cache file / compiled.
            "generatedCode": code_cache.counts(),
        }
        client = ls.services.models.client if ls.services.models else None
        if client is not None:
            state["connections"] = _open_connections(client.http)
            state["connectionsBusy"], state["poolRequests"] = _busy_connections(client.http)
        for feature in ls.features:
            state.update(feature.debug_state())
        return state

    @server.feature(types.EXIT)
    def exit_(ls: DeepSeekServer, *args: Any) -> None:
        # The protocol's exit status: 0 after shutdown, 1 without one. pygls raises it as
        # SystemExit after this handler, which its own reader (stdin not a pipe: always on
        # Windows) swallows: the process ended with 0 whatever happened.
        ls.exit_code = 0 if ls.protocol._shutdown else 1
        ls.protocol.exited = True

    @server.feature(types.SHUTDOWN)
    async def shutdown(ls: DeepSeekServer, *args: Any) -> None:
        await ls.stop_features()
