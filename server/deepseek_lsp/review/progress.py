"""A review's ``$/progress`` in the editor: cancellable, saying its requests done or what it
waits for in the daily budget.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections.abc import Callable
from typing import Any

from lsprotocol import types

from ..console import counted
from ..timeouts import within

log = logging.getLogger(__name__)


_tokens = itertools.count(1)
#: How long a review waits for the editor to create its progress token before it goes on
#: without progress: an editor that never answered held the review (and Review File) for good.
PROGRESS_CREATE_TIMEOUT_S = 2.0
#: Progresses begun again under a file's new name (see ``_Progress.renamed``), held till begun.
_beginning_again: set[asyncio.Task[None]] = set()


class _Progress:
    """``$/progress`` for one review, when the client supports server-initiated progress. It is
    cancellable (a review by the large model can run for a minute): ``on_cancel`` runs when the
    client sends ``window/workDoneProgress/cancel`` for it."""

    def __init__(
        self, server: Any, title: str, on_cancel: Callable[[], None] | None = None, uri: str = ""
    ) -> None:
        self._server = server
        self._title = title
        self._uri = uri
        self._token: str | None = None
        self._on_cancel = on_cancel
        self._done = (0, 0)
        self._waiting: str | None = None
        #: How it ended, while it is begun again under a new name (see ``renamed``).
        self._ended: str | None = None
        self._again: asyncio.Task[None] | None = None

    def _supported(self) -> bool:
        caps = getattr(self._server, "client_capabilities", None)
        return bool(caps and caps.window and caps.window.work_done_progress)

    async def begin(self) -> None:
        if self._server is None or not self._supported():
            return
        # The document's URI after the number: the title names the file only, and Neovim's
        # statusline said a file was under review where another folder's of that name was.
        token = f"deepseek-review-{next(_tokens)}" + (f":{self._uri}" if self._uri else "")
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

    def renamed(self, title: str, uri: str) -> None:
        """The file was renamed: ended, and begun again under ``title`` (a progress keeps its
        title to its end: the review's was the old name's, the file gone from the editor)."""
        if self._again is not None and not self._again.done():
            self._title, self._uri = title, uri  # (renamed again before it had begun again)
            return
        if self._token is None or self._server is None:
            return
        self.end(f"renamed to {title.rpartition(': ')[2]}")
        self._title, self._uri, self._ended = title, uri, None
        self._again = task = asyncio.ensure_future(self._begin_again())
        _beginning_again.add(task)
        task.add_done_callback(_beginning_again.discard)

    async def _begin_again(self) -> None:
        await self.begin()
        if self._ended is not None:  # the review ended meanwhile
            self.end(self._ended)
        elif self._done != (0, 0) or self._waiting:
            self._say(self._waiting or _requests_done(*self._done))

    def end(self, message: str) -> None:
        if self._again is not None and not self._again.done():
            self._ended = self._ended or message  # (said once it has begun again)
            return
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
