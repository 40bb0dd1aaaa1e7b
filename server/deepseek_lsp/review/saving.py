"""Which saves review a file: one of code in a language the server knows, not too large to
send nor generated (each said once per file); an auto-save once the typing pauses.
"""

from __future__ import annotations

import asyncio
import logging

from lsprotocol import types

from ..documents import Document
from ..features import Services
from .generated import generated
from .outcome_status import _basename

log = logging.getLogger(__name__)


#: Saves the editor made on its own (``files.autoSave`` afterDelay, onFocusChange).
_AUTO_SAVES = (types.TextDocumentSaveReason.AfterDelay, types.TextDocumentSaveReason.FocusOut)


class SaveTriggers:
    """A save's review, or why not (a part of ``ReviewFeature``, which sets these)."""

    services: Services
    _save_reasons: dict[str, int]
    _quiet: dict[str, asyncio.TimerHandle]

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
