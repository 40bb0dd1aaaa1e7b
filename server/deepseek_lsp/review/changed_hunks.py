"""Files with no grammar that a save reviews all the same, by the lines changed in them.

SQL, a Dockerfile, a Makefile, HTML, CSS, TOML, YAML: code and configuration written by hand
that the server has no tree-sitter grammar for. Their saves were never reviewed, though a
``DROP TABLE`` without a ``WHERE`` or a ``curl | sh`` in a Dockerfile is what a review is for.
With no functions to cut them by, such a file is cut into chunks at blank lines (see
``units.chunk_lines``) and a save sends only the chunks whose code changed (since the last
commit, see ``OpenedTexts``): a one-line edit of a 2,000-line manifest sends one chunk, not
the manifest, and a save of the committed text sends nothing. Chunks reviewed before answer from
the cache.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path, PurePosixPath

from ..documents import Document, utf8_source
from ..gitignore import git, git_bytes
from ..languages import uri_basename
from ..privacy import uri_to_path
from .removed import Removal, removals
from .renames import moved_source, staged_source
from .units import extract_units

#: By extension (lower case), the editor's language id (VS Code's, and Neovim's filetype where it
#: differs: ``make``), and whole file names.
EXTENSIONS = frozenset(
    {
        ".sql", ".html", ".htm", ".css", ".scss", ".sass", ".less", ".toml", ".yaml", ".yml",
        ".mk", ".mak", ".dockerfile", ".containerfile", ".zsh", ".ksh", ".tf", ".hcl", ".proto",
        ".graphql", ".gql",
    }
)
LANGUAGE_IDS = frozenset(
    {
        "sql", "dockerfile", "makefile", "make", "html", "css", "scss", "sass", "less", "toml", "yaml",
        "terraform", "hcl", "proto", "proto3", "graphql",
    }
)
FILENAMES = frozenset({"dockerfile", "containerfile", "makefile", "gnumakefile"})
#: Lock files are written by tools, never by hand (``pnpm-lock.yaml``, ``Cargo.lock`` in TOML,
#: ``.terraform.lock.hcl``): "lock" last in the name, in YAML, JSON, HCL or TOML if anything.
#: A "lock" anywhere in it left out a migration adding a row lock, a lock screen's page.
_LOCK = re.compile(r"(?:^|[-_.])lock(?:\.(?:ya?ml|json|hcl|toml))?$", re.I)


def without_grammar(doc: Document) -> bool:
    """Whether ``doc`` is hand-written code or configuration the server has no grammar for."""
    if doc.language is not None:
        return False
    name = uri_basename(doc.uri)
    return named_without_grammar(name) or (
        (doc.language_id or "").lower() in LANGUAGE_IDS and not _LOCK.search(name)
    )


def lock_file(name: str) -> bool:
    """Whether a file named ``name`` is a lock file, which no save reviews."""
    return bool(_LOCK.search(name))


def named_without_grammar(name: str) -> bool:
    """Whether a file named ``name`` is such code by its name (a grammar's files aside)."""
    if lock_file(name):
        return False
    lower = name.lower()
    if lower in FILENAMES or lower.startswith(("dockerfile.", "containerfile.", "makefile.")):
        return True
    return PurePosixPath(lower).suffix in EXTENSIONS


def changed_lines(before: str, after: Document) -> set[int]:
    """The lines of ``after``'s chunks whose code ``before`` does not hold, wherever it sat.

    By the chunks' fingerprints, not a line diff: the chunks are cut by their own text (see
    ``units.chunk_lines``), so code left alone makes the same chunks, and the comparison takes
    linear time. difflib's line diff took 11 s on the event loop for 22 edits spread over a
    660 kB YAML file, and 12 s for one sorted.
    """
    known = {unit.fingerprint() for unit in extract_units(Document(after.uri, before, language=after.language)).units}
    return {
        line
        for unit in extract_units(after).units
        if unit.fingerprint() not in known
        for lo, hi in unit.lines
        for line in range(lo, hi + 1)
    }


def committed_text(path: Path) -> str | None:
    """``path``'s text in the last commit; "" for a file new to its repository (untracked, not
    ignored: all of it is a change); None outside a repository, or for an ignored file."""
    folder = path.parent
    committed = revision_text(folder, f"HEAD:./{path.name}")
    if committed is None:
        source = staged_source(path)  # a ``git mv`` not yet committed
        committed = None if source is None else revision_text(folder, f"HEAD:{source}")
    if committed is not None:
        return committed
    inside = git(folder, "rev-parse", "--is-inside-work-tree")
    if inside is None or inside.returncode != 0 or inside.stdout.strip() != "true":
        return None
    ignored = git(folder, "check-ignore", "-q", "--", path.name)
    if ignored is None or ignored.returncode == 0:
        return None
    source = moved_source(path)  # moved as git was not told (an editor's rename)
    moved = None if source is None else revision_text(folder, f"HEAD:{source}")
    return "" if moved is None else moved


def revision_text(folder: Path, spec: str) -> str | None:
    """The text of git's ``spec`` (``REV:path``), or None when git has none."""
    # As checked out (``--filters``: git-crypt's smudge, line ends, working-tree-encoding) and
    # decoded as the editor does (a UTF-16 file by its byte order mark): the stored form read
    # as UTF-8 differed everywhere, and a one-line edit sent the whole file.
    shown = git_bytes(folder, "cat-file", "--filters", spec)
    if shown is None or shown.returncode != 0:
        return None
    return utf8_source(shown.stdout).decode("utf-8-sig", "replace")  # (the editor drops a BOM)


#: How long a save waits for git to tell the committed text it is measured from (seconds).
GIT_WAIT_S = 5.0


class OpenedTexts:
    """What each file's saves' changes are measured from: its text in git's last commit (a
    file new to the repository: none), as a pull request shows its changes; outside a
    repository, the text the editor opened it with. A grammarless file's saves send the chunks
    changed since (measured from the opened text alone, a SQL file written in an untitled buffer
    and saved as one, or changed in an earlier session, had nothing changed and was never
    reviewed; chunks reviewed before answer from the cache); every file's review is shown the
    lines deleted since (see ``removed``)."""

    def __init__(self) -> None:
        #: The document's opened bytes while they are what changes count from (the document's
        #: own, shared: a decoded copy of every open file's text cost 24 MB with 100 files of
        #: 5,000 lines open, RSS 142 -> 166 MB in bench_memory), else git's text.
        self._texts: dict[str, str | bytes] = {}
        self._asking: dict[str, asyncio.Task[None]] = {}
        #: The files with no grammar, by the language the editor opened them in.
        self._grammarless: set[str] = set()
        #: The files whose changes count from git's last commit (the others' from their opening).
        self._in_git: set[str] = set()

    def opened(self, doc: Document) -> None:
        self._texts[doc.uri] = doc.data
        self._in_git.discard(doc.uri)
        if without_grammar(doc):
            self._grammarless.add(doc.uri)
        else:
            self._grammarless.discard(doc.uri)
        path = uri_to_path(doc.uri) if doc.uri.startswith("file:") else ""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return  # (a test's feature without a server)
        if path:
            self._forget_asking(doc.uri)
            self._asking[doc.uri] = asyncio.ensure_future(self._ask_git(doc.uri, Path(path)))

    async def _ask_git(self, uri: str, path: Path) -> None:
        # Off the event loop: git reads the index and the commit.
        committed = await asyncio.to_thread(committed_text, path)
        self._asking.pop(uri, None)
        opened = self._texts.get(uri)
        if committed is not None and opened is not None:
            self._in_git.add(uri)
            if committed.encode("utf-8", "surrogatepass") != opened:
                self._texts[uri] = committed

    def reloaded(self, doc: Document) -> None:
        """``doc`` reloaded from disk: a ``git checkout`` moved the commit its changes count from
        (the file's text as opened is kept where git has none)."""
        if doc.uri in self._in_git:
            self.opened(doc)

    def _forget_asking(self, uri: str) -> None:
        task = self._asking.pop(uri, None)
        if task is not None:
            task.cancel()

    def forget(self, uri: str) -> None:
        self._texts.pop(uri, None)
        self._grammarless.discard(uri)
        self._in_git.discard(uri)
        self._forget_asking(uri)

    def halt(self) -> None:
        for uri in list(self._asking):
            self._forget_asking(uri)

    async def changed(self, snapshot: Document) -> set[int] | None:
        """The lines to send for a save of ``snapshot`` (None: not such a file, review it whole)."""
        if snapshot.uri not in self._grammarless:
            return None
        return await self.changed_since(snapshot)

    def since(self, uri: str) -> str:
        """What ``changed_since`` counted ``uri``'s changes from, as a question to the user says
        it (asked after it: git may not have answered before)."""
        return "git's last commit" if uri in self._in_git else "the file was opened"

    async def changed_since(self, snapshot: Document) -> set[int] | None:
        """The lines of ``snapshot``'s units (any file's) whose code changed since (None: not known)."""
        before = await self._before(snapshot)
        if before is None:
            return None
        # Off the event loop: a 660 kB file's chunks take half a second.
        return await asyncio.to_thread(changed_lines, before, snapshot)

    async def removed(self, snapshot: Document) -> list[Removal]:
        """The lines of ``snapshot``'s units deleted since (see ``removed.removals``)."""
        before = await self._before(snapshot)
        if before is None:
            return []
        # Off the event loop: the text before is parsed, and the two compared.
        return await asyncio.to_thread(removals, before, snapshot)

    async def _before(self, snapshot: Document) -> str | None:
        asking = self._asking.get(snapshot.uri)
        if asking is not None:
            # A save right after the open (VS Code's Save As of an untitled buffer opens the file
            # and saves it at once) counted from the text opened: nothing changed, never
            # reviewed. A git that does not answer in time leaves the opened text.
            await asyncio.wait({asking}, timeout=GIT_WAIT_S)
        before = self._texts.get(snapshot.uri)
        return before.decode("utf-8", "replace") if isinstance(before, bytes) else before
