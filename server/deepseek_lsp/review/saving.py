"""Which saves review a file: one of code in a language the server knows, not too large to
send nor generated (each said once per file); an auto-save once the typing pauses.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from lsprotocol import types

from ..documents import Document
from ..features import Services
from .rules import ReviewRules

log = logging.getLogger(__name__)

#: Saves the editor made on its own (``files.autoSave`` afterDelay, onFocusChange).
_AUTO_SAVES = (types.TextDocumentSaveReason.AfterDelay, types.TextDocumentSaveReason.FocusOut)
#: How long after the disk was found holding a file's text its ``didSave`` may still come: the
#: editor sends it once the write is done (milliseconds); none by then, the save failed (or a
#: participant cancelled it) after its ``willSave``.
SAVE_LATE_S = 3.0


class SaveTriggers:
    """Turns the editor's saves into reviews (``review``, given the saved file's URI): why each
    document is being saved, and the auto-saved ones waiting for a pause in their edits."""

    def __init__(self, services: Services, rules: ReviewRules, review: Callable[[str], object]) -> None:
        self.services = services
        self.rules = rules
        self.review = review
        #: Why the editor is saving each document (``textDocument/willSave``), until its didSave.
        self.reasons: dict[str, int] = {}
        #: Auto-saved documents waiting for a pause in their edits before they are reviewed.
        self.quiet: dict[str, asyncio.TimerHandle] = {}
        #: Each ``willSave``'s number (told apart from the next one's), and the wait for the
        #: ``didSave`` of a document found written (see ``written``).
        self._will_saves = 0
        self._asked: dict[str, int] = {}
        self._late: dict[str, asyncio.TimerHandle] = {}
        #: The open files whose saves were said not to be reviewed (see ``_not_code``).
        self._told_not_code: set[str] = set()

    def will_save(self, doc: Document, reason: int) -> None:
        self.reasons[doc.uri] = reason
        self._will_saves += 1
        self._asked[doc.uri] = self._will_saves

    def written(self, uri: str, otherwise: Callable[[], None]) -> bool:
        """Whether ``uri`` is being saved (a ``willSave``, no ``didSave`` yet), its text found
        on disk; then ``otherwise`` runs if its ``didSave`` has not come SAVE_LATE_S later,
        the ``willSave`` forgotten: a save that failed was taken for one under way for good,
        and every later reload of the file (a ``git checkout``) went unreviewed."""
        if uri not in self.reasons:
            return False
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return True  # (a test's feature without a server)
        self._stop_late(uri)
        self._late[uri] = loop.call_later(SAVE_LATE_S, self._never_saved, uri, self._asked.get(uri), otherwise)
        return True

    def saved(self, doc: Document) -> None:
        reason = self.reasons.pop(doc.uri, None)
        self._asked.pop(doc.uri, None)
        self._stop_late(doc.uri)
        self._end_wait(doc.uri)
        rules = self.rules
        if (
            rules.mode(doc.uri) == "onSave"
            and rules.is_code(doc)
            and rules.reviewable(doc)
            and not rules.no_code(doc)
        ):
            if rules.generated(doc) or rules.dependency(doc) or rules.in_conflict(doc):
                return
            if rules.too_large(doc):
                # Told by the review at once, once git's attributes have said whether it is
                # generated: a large API client they mark was told "larger than" at each save.
                self.review(doc.uri)
                return
            delay = self.services.settings.review.auto_save_delay_ms / 1000
            if reason in _AUTO_SAVES and delay > 0:
                # Saved by the editor after a pause in typing, or as focus left it: reviewed
                # once the user has stopped for a while. Reviewed at every save, each half-
                # written function was sent, and each save cancelled the review under way.
                self._wait_quiet(doc.uri, delay)
                return
            # A manual save, or an editor that never says why it saves (Neovim, Helix).
            self.review(doc.uri)
        elif rules.mode(doc.uri) == "onSave" and rules.reviewable(doc) and not rules.is_code(doc):
            self._not_code(doc)

    def _not_code(self, doc: Document) -> None:
        """Say why a save of ``doc`` (notes, a log, data) sends nothing: a user who saved a text
        file expecting a review saw no word at all. In the editor's log once while it is open,
        and in the status (VS Code's tooltip, ``:DeepSeekStatus``) at each save; not in a
        pop-up, which every Markdown or text file saved would bring."""
        message = self.rules.not_code(doc)
        self.rules.tell_status(doc.uri, message)
        if doc.uri not in self._told_not_code:
            self._told_not_code.add(doc.uri)
            log.info("%s", message)

    def typing(self, uri: str) -> None:
        """An edit of ``uri``: the pause its auto-save waits for starts again."""
        if uri in self.quiet:
            self._wait_quiet(uri, self.services.settings.review.auto_save_delay_ms / 1000)

    def forget(self, uri: str) -> None:
        self._end_wait(uri)
        self._told_not_code.discard(uri)
        self._stop_late(uri)
        self.reasons.pop(uri, None)
        self._asked.pop(uri, None)

    def halt(self) -> None:
        for handle in [*self.quiet.values(), *self._late.values()]:
            handle.cancel()
        self.quiet.clear()
        self._late.clear()

    def _stop_late(self, uri: str) -> None:
        handle = self._late.pop(uri, None)
        if handle is not None:
            handle.cancel()

    def _never_saved(self, uri: str, asked: int | None, otherwise: Callable[[], None]) -> None:
        self._late.pop(uri, None)
        if uri in self.reasons and self._asked.get(uri) == asked:
            del self.reasons[uri]
            self._asked.pop(uri, None)
            otherwise()

    def _wait_quiet(self, uri: str, delay: float) -> None:
        self._end_wait(uri)
        self.quiet[uri] = asyncio.get_running_loop().call_later(delay, self._quiet_over, uri)

    def _end_wait(self, uri: str) -> None:
        handle = self.quiet.pop(uri, None)
        if handle is not None:
            handle.cancel()

    def _quiet_over(self, uri: str) -> None:
        self.quiet.pop(uri, None)
        if uri in self.services.documents:
            # The checks of a save are made again by the review, with the settings of now.
            self.review(uri)
