"""Saves whose review failed only because the server could not be reached, reviewed again once
it answers (a completion's request, a model list: whatever reaches it first).

A model server restarted, a laptop offline for a minute: the save's review met "Cannot reach"
and said "Save again to retry", and that status stayed for good while the same server answered
suggestions again; the saved change went unreviewed until the next save. The review runs again
by itself, once, for a file still open and holding the text that save's review read; one
edited since (its unsaved text is not what was saved: the next save reviews it) has its
"Cannot reach" cleared.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Any

from ..documents import Document
from .flights import ReviewOutcome


def failed_unreached(outcome: ReviewOutcome) -> bool:
    """Whether the review sent requests and every one failed without reaching its server."""
    return bool(
        outcome.errors
        and all(e.unreachable for e in outcome.errors)
        and outcome.unanswered_asked > 0
        and outcome.units_asked <= outcome.unanswered_asked
        and outcome.fatal is None
    )


class UnreachedSaves:
    """The saves waiting for their server, by URI, and the one wait for it to answer."""

    def __init__(
        self, document: Callable[[str], Document | None], review: Callable[[str], Any], clear: Callable[[str], None]
    ) -> None:
        self._document = document
        self._review = review
        self._clear = clear
        #: uri -> the text its save's review read.
        self._saves: dict[str, bytes] = {}
        self._watch: asyncio.Task[None] | None = None
        self._client: Any = None

    def failed(self, uri: str, reviewed: bytes, client: Any) -> None:
        """``uri``'s save review (of the text ``reviewed``) could not reach ``client``'s review
        server. Told by its text, not its edit count: the file open then may be another copy
        than the one saved (closed and opened again, a reload; renamed), whose count starts
        anew."""
        self._saves[uri] = reviewed
        if self._watch is not None and not self._watch.done() and self._client is client:
            return
        if self._watch is not None:
            self._watch.cancel()  # the settings' new client: the old one's server is not asked
        self._client = client
        self._watch = asyncio.ensure_future(self._when_reached(client, time.monotonic()))

    def forget(self, uri: str) -> None:
        """Saved again or reviewed: its wait is over. Not closed: opened again with the text
        saved (Neovim's ``:e``), its saved change went unreviewed though the server answered."""
        self._saves.pop(uri, None)

    async def _when_reached(self, client: Any, failed_at: float) -> None:
        await client.unreached.answer_after(client.config.base, failed_at)
        saves, self._saves = self._saves, {}
        for uri, reviewed in saves.items():
            doc = self._document(uri)
            if doc is None:  # closed
                continue
            if doc.data == reviewed:
                self._review(uri)
            else:
                self._clear(uri)

    def halt(self) -> None:
        if self._watch is not None:
            self._watch.cancel()

    async def stop(self) -> None:
        watch, self._watch = self._watch, None
        if watch is not None:
            watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watch
