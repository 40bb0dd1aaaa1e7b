"""The editor's settings as they arrive: initializationOptions, the answers to
``workspace/configuration`` (the window's and, in a multi-root workspace, each folder's) and
what ``didChangeConfiguration`` pushes; merged into :class:`~.config.Settings` with their
problems told once."""

from __future__ import annotations

import asyncio
import logging
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from lsprotocol import types

from .config import SECTION, Settings, build_settings, folder_part, unwrap_section, without_repeats
from .status import Status
from .timeouts import within

if TYPE_CHECKING:
    from .server import DeepSeekServer

log = logging.getLogger(__name__)
#: How long the editor may take to answer workspace/configuration before the server goes on
#: with the settings it has.
CONFIGURATION_TIMEOUT_S = 5.0
#: How long a later answer is still waited for and applied (a loaded machine's editor took
#: 5-10 s), and the editor's silence told only then where settings are known.
CONFIGURATION_LATE_S = 20.0
#: How the status that completions wait for the editor's settings begins (BackendHealth.unsettled).
WAITING_FOR_SETTINGS = "completions not sent: "
#: The ``tell_once`` key of a pull that got no answer.
SETTINGS_UNANSWERED = "config:unanswered"
#: The ``tell_once`` keys of the settings' problems (other ``config:`` keys are the features').
SETTINGS_PROBLEM = "config:setting:"


def configuration_items(folders: list[str]) -> list[types.ConfigurationItem]:
    """The window's ``deepseek`` section, then each folder's (VS Code answers a folder's with its
    ``.vscode/settings.json`` over the window's)."""
    return [
        types.ConfigurationItem(section=SECTION),
        *(types.ConfigurationItem(section=SECTION, scope_uri=folder) for folder in folders),
    ]


class EditorSettings:
    def __init__(self, server: DeepSeekServer) -> None:
        self._server = server
        self.init_options: Any = None
        self.client_settings: Any = None
        #: The editor's settings were received once (pulled or pushed): a later pull that fails
        #: keeps them rather than going back to the defaults.
        self.settings_known = False
        #: What the last ``didChangeConfiguration`` carried, for an editor that answers the pull
        #: with nothing (see pull).
        self.pushed_settings: Any = None
        #: Each workspace folder's answer to the pull (multi-root workspaces only).
        self.folder_answers: dict[str, Any] = {}
        #: Pulls started in the background, held until done (the loop keeps weak references).
        self._pulls: set[asyncio.Future[None]] = set()
        #: Each pull's number, and that of the last whose answer was taken: a late answer is
        #: taken only if no newer one was.
        self._pull_count = 0
        self._taken_pull = 0
        #: Pulls finished: their answer applied, or given up (a late one is applied later).
        #: A client that answered a pull knows its settings are in once this counts it.
        self.pulls_done = 0
        #: The problems of the settings in force, told once each: an editor's health check
        #: lists them after their messages have gone from sight.
        self.problems: list[str] = []
        #: Settings changes told (``didChangeConfiguration``) whose pull is under way.
        self._changes = 0

    def build(self) -> tuple[Settings, dict[str, Settings]]:
        """The window's settings and those of each folder whose own differ; their problems are
        told, each once while it stays."""
        env = self._server.env
        settings, problems = build_settings(self.init_options, self.client_settings, env=env)
        folders, folder_problems = self._folder_settings(settings, problems)
        self._tell_problems(list(dict.fromkeys([*problems, *folder_problems])))
        return settings, folders

    def _folder_settings(self, window: Settings, told: list[str]) -> tuple[dict[str, Settings], list[str]]:
        """The settings of each folder whose own (config.FOLDER_SETTINGS) differ from the
        window's, and the problems of their values (an invalid one leaves the window's), each
        not ``told`` of the window's named with its folder: the user looked for a folder's
        bad value in their own settings, where it was not."""
        out: dict[str, Settings] = {}
        problems: list[str] = []
        for folder, answer in self.folder_answers.items():
            part = folder_part(answer)
            if not part:
                continue
            settings, found = build_settings(self.init_options, self.client_settings, part, env=self._server.env)
            name = PurePosixPath(unquote(urlsplit(folder).path)).name or folder
            problems.extend(p if p in told else f"folder '{name}': {p}" for p in found)
            if settings != window:
                out[folder] = settings
        return out, problems

    def _tell_problems(self, problems: list[str]) -> None:
        """One message per invalid setting while it stays; told again if made again later."""
        self.problems = problems
        status = self._server.status
        keys = {f"{SETTINGS_PROBLEM}{problem}" for problem in problems}
        status.keep_told(SETTINGS_PROBLEM, keys)
        for problem in problems:
            status.tell_once(f"{SETTINGS_PROBLEM}{problem}", f"settings: {problem}")

    def can_pull(self) -> bool:
        caps = self._server.client_capabilities
        return bool(caps and caps.workspace and caps.workspace.configuration)

    async def pull(self) -> None:
        """Ask the editor for its settings and apply them (nothing when it cannot be asked)."""
        try:
            await self._pull()
        finally:
            self.pulls_done += 1

    async def _pull(self) -> None:
        if not self.can_pull():
            return
        server = self._server
        # Per folder in a multi-root workspace only: with one folder, its settings are the window's.
        folders = list(server.services.workspace_folders) if len(server.services.workspace_folders) > 1 else []
        self._pull_count += 1
        number = self._pull_count
        asked = asyncio.ensure_future(
            server.workspace_configuration_async(types.ConfigurationParams(items=configuration_items(folders)))
        )
        try:
            # Bounded: an editor answering null (which pygls cannot read, and never resolves)
            # left the server waiting for good, and reviews, which wait for the settings, stopped.
            # Shielded: an answer after the bound is still taken (see _late).
            result = await within(asyncio.shield(asked), CONFIGURATION_TIMEOUT_S)
            result = self._take_folder_answers(result, folders)
            self._taken_pull = number
        except asyncio.CancelledError:
            asked.cancel()  # the shield kept it from the cancellation of this wait
            raise
        except Exception as exc:
            log.warning("workspace/configuration failed: %r", exc)
            late = isinstance(exc, asyncio.TimeoutError) and not asked.done()
            if late:
                self._track(self._late(asked, number, folders))
            else:
                asked.cancel()
            if not unwrap_section(self.pushed_settings):
                if not late or not self.settings_known:
                    # Before any settings reviews are refused: said at once, with why.
                    self._unanswered(exc)
                return
            # The settings the editor pushed are the editor's settings too: dropped, a change
            # made in an editor that cannot answer the pull never applied.
            log.info("using the settings the editor pushed")
            result = self.pushed_settings
        self._apply_answer(result)

    def _apply_answer(self, result: Any) -> None:
        """Take and apply a pull's answer (or the settings pushed in its place)."""
        log.debug("workspace/configuration answered %s", type(result).__name__)
        if not unwrap_section(result) and unwrap_section(self.pushed_settings):
            # No ``deepseek`` section, but settings pushed: Neovim's ``vim.lsp.config`` with
            # ``settings = { completion = ... }`` unwrapped. They were dropped without a word.
            log.info("no 'deepseek' section in the editor's settings; using the settings it pushed")
            result = self.pushed_settings
        self.take(result)
        self._server.apply_settings()

    async def _late(self, asked: asyncio.Future[Any], number: int, folders: list[str]) -> None:
        """An answer that came after CONFIGURATION_TIMEOUT_S, taken unless a newer pull's was: a
        loaded machine's editor answered in 6 s, and the change the user had just made (a
        new base URL) never applied, with a pop-up saying the settings could not be read."""
        try:
            result = await within(asked, CONFIGURATION_LATE_S)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("workspace/configuration: no answer after %.0f s: %r", CONFIGURATION_LATE_S, exc)
            if number > self._taken_pull:
                self._unanswered(exc, CONFIGURATION_TIMEOUT_S + CONFIGURATION_LATE_S)
            return
        if number <= self._taken_pull:
            return
        log.info("workspace/configuration answered late; its settings are applied")
        result = self._take_folder_answers(result, folders)
        self._taken_pull = number
        self._apply_answer(result)

    async def pushed(self, settings: Any) -> None:
        """``didChangeConfiguration``: pull the settings again where the editor can be asked
        (what it pushes may be a part, or nothing); else take what it pushed. Requests that
        come meanwhile wait for the new settings (Services.wait_configured): this runs up to
        the pull's send before a request read after the notification starts (pygls starts
        their tasks in the order they came)."""
        self.pushed_settings = settings
        settled = self._server.services.settled
        self._changes += 1
        settled.clear()
        try:
            if self.can_pull():
                await self.pull()
            else:
                self.take(settings)
                self._server.apply_settings()
        finally:
            self._changes -= 1
            if not self._changes:
                settled.set()

    def _unanswered(self, exc: Exception, waited_s: float | None = None) -> None:
        """Say that the editor's settings could not be read, and what is used instead: those
        it gave before, or in its initializationOptions, kept (a failed pull's folder settings
        were dropped at the next apply); before any, the defaults, which reviews do not go
        with: each review asks for the settings again (see ReviewFeature). A loaded machine's
        editor took over 5 s once, and the session went on with the defaults: no daily
        budget, no exclusions. VS Code's initializationOptions carry only the API key: no
        settings (a file its user excluded, open at start-up, was completed, sent whole)."""
        silent = isinstance(exc, asyncio.TimeoutError)
        # Read at the call, not bound at the definition: a test sets the limit small.
        waited_s = CONFIGURATION_TIMEOUT_S if waited_s is None else waited_s
        why = f"no answer in {waited_s:.0f} s" if silent else repr(exc)
        reason = f"the editor's settings could not be read ({why})"
        if self.settings_known or _carries_settings(self.init_options):
            message = f"settings: {reason}; those it gave before are used"
        elif not silent:
            # An editor that answers with an error (or a null) has no settings to give: waiting
            # for them held every completion for good, where the defaults went before.
            services = self._server.services
            services.settings_unknown, services.settings_refused = reason, True
            message = (
                f"settings: {reason}. Completions use the defaults; reviews are not sent (the "
                "defaults have none of your daily budget or review.mode), and each one asks again"
            )
        else:
            self._server.services.settings_unknown = reason
            message = (
                f"settings: {reason}. Nothing is sent meanwhile (the defaults have none of your "
                "exclusions, daily budget or review.mode); each review, and each suggestion you "
                "ask for, asks for the settings again"
            )
        self._server.status.tell_once(SETTINGS_UNANSWERED, message)

    def pull_soon(self) -> None:
        """:meth:`pull` in the background (from a handler that must not wait)."""
        self._track(self.pull())

    def _track(self, work: Any) -> None:
        task = asyncio.ensure_future(work)
        self._pulls.add(task)
        task.add_done_callback(self._pulls.discard)

    def _take_folder_answers(self, result: Any, folders: list[str]) -> Any:
        """Keep the folders' answers (the items after the first) and return the window's."""
        if folders and isinstance(result, (list, tuple)) and len(result) == len(folders) + 1:
            self.folder_answers = dict(zip(folders, result[1:], strict=True))
            return list(result[:1])
        self.folder_answers = {}
        return result

    def take(self, settings: Any) -> None:
        """The client's settings, pulled or pushed. What they repeat of the initializationOptions
        leaves that layer for good (see config.without_repeats): a setting later taken out of
        them is back to its default."""
        self.client_settings = settings
        self.settings_known = True
        self._server.services.settings_unknown = ""
        self._server.services.settings_refused = False
        status = self._server.status
        status.forget(SETTINGS_UNANSWERED)
        if status.current.message.startswith(WAITING_FOR_SETTINGS):
            # Kept, the warning stood until the next key, the settings long come.
            status.set(Status("Normal", "", "completion"))
        self.init_options = without_repeats(self.init_options, settings)


def _carries_settings(init_options: Any) -> bool:
    """Whether initializationOptions hold settings, not only the API key (VS Code's)."""
    section = unwrap_section(init_options)
    return bool(section) and any(key != "apiKey" for key in section)
