"""The shape every feature has, and the services the server lends them.

Features see only :class:`Services`, never the server, so each can be built and tested on its own.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from . import privacy
from .config import Settings
from .documents import Document, DocumentStore
from .languages import LanguageRegistry
from .model.errors import ModelError, PathNotFoundError, names_missing_model
from .notebooks import Notebooks
from .privacy import uri_to_path
from .startup import StartTimes
from .status import StatusReporter
from .timeouts import within

if TYPE_CHECKING:
    from pygls.lsp.server import LanguageServer

log = logging.getLogger(__name__)
#: How long the editor may take to answer ``client/registerCapability``.
REGISTRATION_TIMEOUT_S = 3.0


async def register_with_client(server: LanguageServer, registration_id: str, method: str, options: Any) -> bool:
    """Register ``method`` with the client (``client/registerCapability``); a client that
    refuses it is told nothing more: the server works without it. Whether it was taken.

    Bounded: ``initialized`` registers before it pulls the settings, and an editor that never
    answered left them unread for good (every completion waited a second for them, no save was
    reviewed)."""
    try:
        await within(
            server.client_register_capability_async(
                types.RegistrationParams(
                    registrations=[types.Registration(id=registration_id, method=method, register_options=options)]
                )
            ),
            REGISTRATION_TIMEOUT_S,
        )
    except Exception as exc:
        log.debug("registration of %s refused: %r", method, exc)
        return False
    return True


#: How long what the user asked for (an invoked completion, a review of a save) waits for the
#: editor's settings still being pulled at start-up: past the pull's own bounds, as on a loaded
#: machine the pull took over a second and a shortcut pressed meanwhile gave nothing.
ASKED_CONFIGURATION_WAIT_S = 10.0


def _comparable(uri_or_path: str) -> str:
    """A file's or folder's path as another spelling of it compares equal: an imported file's
    Windows path (``C:\\ws\\app\\x.py``) is in the folder VS Code names ``file:///c%3A/ws/app``
    (their folder's settings did not apply to it); on Windows and macOS, whatever the case."""
    path = uri_to_path(uri_or_path).replace("\\", "/").rstrip("/")
    return path.lower() if privacy.paths.CASE_INSENSITIVE_FS or privacy.paths.WINDOWS else path


async def _no_pull() -> None:
    return None


def _set_event() -> asyncio.Event:
    event = asyncio.Event()
    event.set()
    return event


@dataclass
class Services:
    documents: DocumentStore
    registry: LanguageRegistry
    status: StatusReporter
    settings: Settings
    notify: Callable[[str, Any], None] = lambda method, params: None
    show_message: Callable[[str, int], None] = lambda message, level=2: None
    workspace_folders: list[str] = field(default_factory=list)
    #: The client takes snippet completion items (``completionItem.snippetSupport``).
    client_snippets: bool = False
    #: The client shows Markdown in an item's documentation (``completionItem.documentationFormat``).
    client_markdown_docs: bool = False
    #: Filled by the usage feature: the model client and the ledger shared by all features.
    models: Any = None
    #: Filled by the completion feature: the workspace symbol table (``WorkspaceSymbols``),
    #: where reviews look up the members the reviewed code calls, too.
    symbols: Any = None
    #: Set once the client's configuration has been pulled (or found unavailable).
    configured: asyncio.Event = field(default_factory=asyncio.Event)
    #: Clear while the editor is asked for the settings a change it told of
    #: (``didChangeConfiguration``) brings: see wait_configured.
    settled: asyncio.Event = field(default_factory=_set_event)
    #: Why the editor's settings are not known (it never answered the pull), or "": the
    #: settings are then the defaults, which reviews do not go with.
    settings_unknown: str = ""
    #: The editor answered the pull with an error or an answer no settings can be read from:
    #: it has none to give (no later answer will bring exclusions), so completions go with the
    #: defaults as for an editor that cannot be asked; reviews still ask again at each save.
    settings_refused: bool = False
    #: Asks the editor for its settings again (the server's pull).
    pull_settings: Callable[[], Awaitable[None]] = _no_pull
    #: Open notebooks, each mirrored as one document of ``documents`` (for completions only).
    notebooks: Notebooks | None = None
    #: The settings of each folder of a multi-root workspace (folder URI to settings) whose own
    #: settings differ from the window's in what config.FOLDER_SETTINGS lets a folder set.
    folder_settings: dict[str, Settings] = field(default_factory=dict)
    #: When the start's moments came (debugState's ``start``), the first request's stages too.
    start_times: StartTimes = field(default_factory=StartTimes)

    def settings_for(self, uri: str) -> Settings:
        """The settings that apply to the document ``uri``: its folder's, else the window's."""
        if not self.folder_settings:
            return self.settings
        path = _comparable(uri.split("#", 1)[0])
        best, best_len = self.settings, -1
        for folder, settings in self.folder_settings.items():
            # The innermost folder wins (a folder nested in another, both in the workspace).
            root = _comparable(folder)
            if len(root) > best_len and (path == root or path.startswith(f"{root}/")):
                best, best_len = settings, len(root)
        return best

    def completions_off(self, uri_or_path: str) -> bool:
        """Whether the settings turn completions off for this file (its folder's switch or its
        language's; a ``file:`` URI or a path): such a file is never sent, neither as the file
        being written nor as another's context (its definitions, its recent edits reached a
        prompt in another folder or language)."""
        settings = self.settings_for(uri_or_path)
        if not settings.completion.enable:
            return True
        doc = self.documents.get(uri_or_path) or self.documents.by_path(uri_or_path)
        if doc is not None:
            return not settings.language_enabled(doc.language_id, doc.language.name if doc.language else None)
        if not settings.completion.languages:
            return False
        # A file on disk has no language id from the editor: every id its language goes by
        # is asked (``javascriptreact`` off keeps a ``.js`` file out too; better than sent).
        lang = self.registry.for_filename(PurePath(uri_to_path(uri_or_path)).name)
        return lang is not None and not settings.language_enabled(lang.name, *lang.spec.language_ids)

    def tell_storage_problem(self, key: str, message: str) -> None:
        """A problem of the usage ledger's or the review cache's file, told once; one caused by
        the state folder itself (a file, a read-only disk) is told once for both, saying why."""
        from .model.ledger import state_dir
        from .storage import folder_problem, state_folder_message

        folder = state_dir()
        problem = folder_problem(folder)
        if problem is not None:
            self.status.tell_once("storage:state-folder", state_folder_message(folder, problem))
        else:
            self.status.tell_once(key, message)

    async def wait_configured(self, timeout: float = 1.0) -> None:
        """Requests that race the initial configuration pull wait for it, briefly (what the
        user asked for, up to ``ASKED_CONFIGURATION_WAIT_S``); so do those that race the pull
        of a settings change: a key typed right after Neovim's ``setup()`` again went with
        the settings before it (its new time limit, model or ``baseUrl`` not in force)."""
        if self.configured.is_set() and self.settled.is_set():
            return

        async def both() -> None:
            await self.configured.wait()
            await self.settled.wait()

        try:
            await within(both(), timeout)
        except asyncio.TimeoutError:
            pass

    def change_workspace_folders(self, added: list[str], removed: list[str]) -> None:
        """Apply a ``workspace/didChangeWorkspaceFolders`` event; the folders stay in the
        order the client named them (the first holding an import's file wins)."""

        def key(uri: str) -> str:
            # Clients spell one folder differently (`%3A` or `:`, a trailing slash).
            return (uri_to_path(uri) or uri).rstrip("/")

        gone = {key(uri) for uri in removed}
        kept = [uri for uri in self.workspace_folders if key(uri) not in gone]
        have = {key(uri) for uri in kept}
        for uri in added:
            if key(uri) not in have:
                have.add(key(uri))
                kept.append(uri)
        self.workspace_folders = kept


@dataclass
class Paused:
    """Why a feature is off since the backend refused it, and until when: a rejected key until
    the settings change; an empty balance for ``recheck_after_s``, then one request tries again
    (a top-up happens on the provider's site, which the editor never hears of: completions
    stayed off until the editor was restarted)."""

    reason: str = ""
    until: float = math.inf
    #: The status it shows: an Error for the account's problems, a Warning for a server that
    #: asked for a while of quiet (a 429's Retry-After).
    kind: str = "Error"

    def pause(self, error: ModelError, reason: str, *, recheck_s: float | None = None) -> None:
        """``recheck_s``: an Error for that long, then one request tries again (a refusal of
        the settings that may be mended on the server's side, a gateway's access rule)."""
        after = error.recheck_after_s if error.disables_feature else error.retry_after
        if recheck_s is not None:
            after = recheck_s
        self.reason, self.until = reason, (math.inf if after is None else time.monotonic() + after)
        error_kind = error.disables_feature or names_missing_model(error) or recheck_s is not None
        self.kind = "Error" if error_kind else "Warning"

    def now(self) -> str:
        """The reason, or '' once the pause is over."""
        if self.reason and time.monotonic() >= self.until:
            self.clear()
        return self.reason

    def clear(self) -> None:
        self.reason, self.until = "", math.inf


@dataclass
class NotFoundOnce:
    """A 404 naming no model (a path the server does not serve) pauses a feature only where it
    is the base URL's for good: the server's model list (llama-server's health) under the same
    base answered 404 too at the warm-up (a base URL without /v1), or the same 404 came twice
    with no answer between (a server that lists models but serves no /completions). A proxy's
    404 of a moment (a backend being replaced) paused the feature a minute."""

    #: Each endpoint URL whose 404 was met once since the last answer, and when that 404 came
    #: (time.monotonic): one URL alone was kept, and two endpoints refused in turn each read
    #: as a first 404 for good.
    met: dict[str, float] = field(default_factory=dict)

    def forget(self) -> None:
        """An answer, or new endpoint settings: every 404 met once is forgotten."""
        self.met.clear()

    def passing(self, error: ModelError, models: Any) -> bool:
        """Whether ``error`` is such a 404 not known to be for good; marked so (told without a
        pause). ``models``: the services' (the client's warm-up knows the model list's answer,
        and it knows what was answered since, whichever feature asked)."""
        if not isinstance(error, PathNotFoundError) or error.url is None:
            return False
        client = getattr(models, "client", None)
        met_at = self.met.get(error.url)
        # Requests in flight together (a prefetch and the next key's) meet one passing 404.
        in_flight = met_at is not None and error.sent_at is not None and error.sent_at < met_at
        answered = met_at is not None and client is not None and client.served_since(error.url, met_at)
        # DeepSeek's own 404 (a fimBaseUrl without /beta) is the settings', told at the first
        # request, not after a second refused; through the environment's proxy (one that
        # inspects TLS answers for the host) it may be the proxy's of a moment, as anywhere.
        proxied = client is not None and client.behind_proxy(error.url)
        for_good = (
            (error.provider == "DeepSeek" and not proxied)
            or (client is not None and client.base_not_found(error.url))
            or (met_at is not None and not in_flight and not answered)
        )
        if not in_flight:
            # When the 404 came, not when it is told: a review tells it at its end, and what
            # was answered or sent between counted as before it.
            self.met[error.url] = error.came_at if error.came_at is not None else time.monotonic()
        error.passing = not for_good
        return error.passing


class Feature:
    """Hooks a feature may override; all default to doing nothing."""

    #: Gets the events of notebooks' combined documents (see notebooks.py).
    serves_notebooks = False

    def __init__(self, services: Services) -> None:
        self.services = services

    @property
    def settings(self) -> Settings:
        return self.services.settings

    def register(self, server: LanguageServer) -> None:
        """Add this feature's LSP handlers to the server."""

    async def start(self) -> None:
        """Called once the client is initialized and configuration pulled."""

    def halt(self) -> None:
        """Cancel the work under way at once, awaiting nothing: called for every feature before
        any :meth:`stop` is awaited, so that no feature's work runs on while another's stop
        waits (a SIGTERM, the editor gone). :meth:`stop` calls it too."""

    async def stop(self) -> None:
        """Called on shutdown: cancel work, close connections."""

    def settings_changed(self, old: Settings, new: Settings) -> None: ...

    def workspace_folders_changed(self) -> None:
        """``Services.workspace_folders`` changed (folders added to or removed from the
        workspace while the server runs)."""

    def debug_state(self) -> dict[str, Any]:
        """Counts of what this feature holds (caches, pending work), for leak tests."""
        return {}

    def tokenizer_loaded(self) -> None:
        """The DeepSeek tokenizer has finished loading (it loads in the background at start-up;
        until then token counts are estimates)."""

    def folder_settings_changed(self) -> None:
        """The settings a folder of a multi-root workspace sets for its own files changed
        (``Services.folder_settings``)."""

    def document_opened(self, doc: Document) -> None: ...

    def document_changed(self, doc: Document) -> None: ...

    def document_will_save(self, doc: Document, reason: int) -> None:
        """The editor is about to save ``doc``: ``reason`` is a ``TextDocumentSaveReason``
        (1 manual, 2 after a delay, 3 focus out). Editors that do not say send none."""

    def document_saved(self, doc: Document) -> None: ...

    def document_closed(self, doc: Document) -> None: ...
