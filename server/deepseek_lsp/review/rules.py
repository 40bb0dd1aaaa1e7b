"""Which documents the editor's reviews take, and why not: the file's review.mode and the
exclusions, the size limit, a notebook without code, generated code or a dependency's (each
said once per file),
and the editor's settings or the endpoint not usable.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path, PurePath

from ..context import env_workspace_roots
from ..documents import Document
from ..features import Services
from ..gitignore import git_ignored
from ..model.errors import review_file_command
from ..privacy import is_excluded, uri_to_path
from ..status import Status
from .changed_hunks import lock_file, without_grammar
from .code_languages import is_code_language
from .generated import generated_why, in_conflict
from .outcome_status import basename
from .targets import LINGUIST, dependency_folder, marked_generated

log = logging.getLogger(__name__)

#: The editors' language ids of text that is nothing else (VS Code's for a ``.txt``, a ``README``
#: with no extension, a ``.log``; Neovim's filetypes, none for a name it does not know).
_PLAIN_TEXT = frozenset({"", "plaintext", "text", "log"})


def _ignored(path: Path, roots: list[Path]) -> bool:
    resolved = path.resolve()
    return resolved in git_ignored([resolved], [r.resolve() for r in roots])


class ReviewRules:
    """The checks a review, a save and the review commands go by; they read the services'
    settings of now, so they hold nothing of their own."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def mode(self, uri: str) -> str:
        """review.mode for this file: its folder's in a multi-root workspace, else the window's."""
        return self.services.settings_for(uri).review.mode

    def reviewable(self, doc: Document) -> bool:
        return self.mode(doc.uri) != "off" and not is_excluded(doc.uri, self.services.settings.exclude)

    def too_large(self, doc: Document) -> str:
        """Why ``doc`` is never sent (completion.maxFileBytes bounds what leaves the machine,
        for reviews too: a save of a large generated file used to be reviewed in full)."""
        limit = self.services.settings.completion.max_file_bytes
        if len(doc) > limit:
            return f"{basename(doc.uri)} is larger than {limit} bytes; nothing is sent"
        return ""

    def no_code(self, doc: Document) -> bool:
        """A notebook without code cells: nothing to review, and no cell to show a finding in
        (its combined document's URI is no file the editor knows)."""
        notebooks = self.services.notebooks
        return (
            notebooks is not None
            and notebooks.is_combined(doc.uri)
            and not notebooks.code_cells(doc.uri)
        )

    def is_code(self, doc: Document) -> bool:
        """Whether a save reviews ``doc``: a file in a language the server knows (by its grammar,
        or code_languages' list of those without one), or a notebook, as ``deepseek-lsp review``
        picks a folder's files, or (``review.otherLanguages``) configuration and markup it has no
        grammar for, by its changed lines. Notes, data and lock files
        (a README, ``package-lock.json``) were reviewed, and paid for, on every save; the
        review command still takes any file, as the command line takes a file it is named."""
        notebooks = self.services.notebooks
        return (
            doc.language is not None
            or is_code_language(doc.language_id)
            or (notebooks is not None and notebooks.is_combined(doc.uri))
            or (self.services.settings_for(doc.uri).review.other_languages and without_grammar(doc))
        )

    def not_code(self, doc: Document) -> str:
        """Why a save does not review ``doc``, which ``is_code`` leaves out, as the user is told."""
        name = basename(doc.uri)
        if without_grammar(doc):
            why = "has no grammar and review.otherLanguages is off"
        else:
            language = (doc.language_id or "").lower()
            what = "a lock file" if lock_file(name) else "plain text" if language in _PLAIN_TEXT else language
            why = f"is {what}, not code"
        return f"Not reviewed on save: {name} {why}; {review_file_command()} reviews it all the same."

    def tell_too_large(self, uri: str, reason: str) -> None:
        """Say once per file that its saves are not reviewed. Left to the completions' Inactive
        status, a user with completions off (or off for the language) saved a large file and
        saw no word at all: no diagnostic read as a clean review."""
        log.debug("not reviewing %s: %s", uri, reason)
        self.services.status.tell_once(
            f"review:too-large:{uri}",
            f"Not reviewed: {reason} (the completion.maxFileBytes setting bounds reviews too).",
            3,
        )

    def generated(self, doc: Document, marked: str = "") -> bool:
        """Whether ``doc`` is generated or minified (``marked`` so by git's attributes), which
        a save does not review, by the command line's rule (one too large to send judged by its
        header); said once per file. A 300 kB one-line bundle, a ``Code generated ... DO NOT
        EDIT.`` file went whole to the large model on every save, for findings nobody would act
        on in code nobody edits."""
        why = generated_why(basename(doc.uri), doc.data, whole=not self.too_large(doc), marked=marked)
        if why:
            self._not_on_save(doc, "generated", f"generated ({why})")
        return bool(why)

    async def marked_generated(self, doc: Document) -> bool:
        """Whether .gitattributes marks ``doc`` ``linguist-generated`` (an OpenAPI client, GraphQL
        types: no header of their own), which a save does not review, as ``deepseek-lsp review``
        of a folder leaves it out; said once per file. Its saves sent it whole."""
        if not doc.uri.startswith("file:"):
            return False
        path = Path(uri_to_path(doc.uri))
        # Off the event loop: git is asked, from the file's folder (its name relative to it).
        if not await asyncio.to_thread(marked_generated, path.parent, [path]):
            return False
        return self.generated(doc, LINGUIST)

    def in_conflict(self, doc: Document) -> bool:
        """Whether ``doc`` still holds git's conflict markers, which a save does not review;
        said once per file. A save mid-resolution sent both sides' code, the markers flagged,
        for findings about code the resolution was about to drop."""
        found = in_conflict(doc.data, lambda: doc.tree)
        if found:
            self._not_on_save(doc, "conflict", "left in conflict (git's <<<<<<< lines still in it): resolve it and save again")
        return found

    def dependency(self, doc: Document) -> bool:
        """Whether ``doc`` is in a dependency's folder (``site-packages``, ``node_modules``),
        which a save does not review; said once per file. A print() added there while
        debugging sent the whole file, never reviewed before, to the review model."""
        roots = env_workspace_roots(self.services.workspace_folders)
        folder = dependency_folder(PurePath(uri_to_path(doc.uri)), roots)
        if folder:
            self._not_on_save(
                doc, "dependency",
                f"in {folder} (a dependency's code, which `deepseek-lsp review` of a folder leaves out too)",
            )
        return bool(folder)

    async def git_ignored(self, doc: Document) -> bool:
        """Whether ``doc`` is a file its .gitignore rules leave out (build output, generated
        code), which a save does not review, as ``deepseek-lsp review`` of a folder leaves it
        out; said once per file. A save of ``build/lib/app.py`` sent all of it."""
        if not doc.uri.startswith("file:"):
            return False
        roots = env_workspace_roots(self.services.workspace_folders)
        # Off the event loop: git is asked.
        if not await asyncio.to_thread(_ignored, Path(uri_to_path(doc.uri)), roots):
            return False
        self._not_on_save(doc, "ignored", "ignored by git (a .gitignore rule names it)")
        return True

    def _not_on_save(self, doc: Document, kind: str, why: str) -> None:
        log.debug("not reviewing %s on save: %s", doc.uri, why)
        message = f"Not reviewed on save: {basename(doc.uri)} is {why}; {review_file_command()} reviews it all the same."
        self.services.status.tell_once(f"review:{kind}:{doc.uri}", message, 3)
        self.tell_status(doc.uri, message)

    def tell_status(self, uri: str, message: str) -> None:
        """Say in the status (VS Code's tooltip, ``:DeepSeekStatus``) why a save of ``uri`` sent
        nothing; the pop-up comes once per file, and a later save looked like a clean review.
        Not over a problem being told (a rejected key, another file's failed review): VS Code
        keeps a file's review status until the next status of the same file ends it."""
        status = self.services.status
        if status.current.kind == "Normal":
            status.set(Status("Normal", message, "review", uri))

    def refused(self, uri: str) -> str:
        """Why the document ``uri`` is not reviewed now, or ""."""
        doc = self.services.documents.get(uri)
        if doc is None:
            return "the file was closed before its review ended"
        if is_excluded(uri, self.services.settings.exclude):
            return "this file is excluded from review by the exclude setting"
        if self.mode(uri) == "off":
            return "code review is off (review.mode)"
        too_large = self.too_large(doc)
        if too_large:
            return too_large
        if self.no_code(doc):
            return "this notebook has no code cells to review"
        return ""

    def unsettled(self) -> str:
        """Why a review waits for the editor's settings (see ``ReviewFeature._review_now``), or ""."""
        if not self.services.configured.is_set():
            return "the editor's settings have not arrived"
        if self.services.settings_unknown:
            return f"not sent: {self.services.settings_unknown}; review the file again to ask the editor for them again"
        return ""

    def unsendable(self) -> str:
        """Why no review can be sent to the endpoint the settings name (a plain http:// one
        refused, a base URL that is none), or "". The Review File command answered "not
        reviewed" for it, which both editors show as it is: the way out was in the status only."""
        models = self.services.models
        if getattr(models, "client", None) is not None:
            return ""
        return getattr(models, "config_error", "") or "no model client is configured"
