"""Files with no grammar that a save reviews all the same, by the lines changed in them.

SQL, a Dockerfile, a Makefile, HTML, CSS, TOML, YAML: code and configuration written by hand
that the server has no tree-sitter grammar for. Their saves were never reviewed, though a
``DROP TABLE`` without a ``WHERE`` or a ``curl | sh`` in a Dockerfile is what a review is for.
With no functions to cut them by, such a file is cut into chunks at blank lines (see
``units.chunk_lines``) and a save sends only the chunks around the lines changed since the
editor opened it: a one-line edit of a 2,000-line manifest sends one chunk, not the manifest,
and a save with nothing changed sends nothing. Chunks reviewed before answer from the cache.
"""

from __future__ import annotations

import difflib
import re
from pathlib import PurePosixPath

from ..documents import Document
from ..languages import uri_basename

#: Lines either side of a change that count as changed: a deleted line's neighbours, and the
#: line whose meaning the next one changed (a YAML key above a new value).
WINDOW_LINES = 2

#: By extension (lower case), the editor's language id, and whole file names.
EXTENSIONS = frozenset(
    {
        ".sql", ".html", ".htm", ".css", ".scss", ".sass", ".less", ".toml", ".yaml", ".yml",
        ".mk", ".dockerfile", ".containerfile", ".zsh", ".ksh", ".tf", ".hcl", ".proto",
        ".graphql", ".gql", ".vue", ".svelte",
    }
)
LANGUAGE_IDS = frozenset(
    {
        "sql", "dockerfile", "makefile", "html", "css", "scss", "sass", "less", "toml", "yaml",
        "terraform", "hcl", "proto", "proto3", "graphql", "vue", "svelte",
    }
)
FILENAMES = frozenset({"dockerfile", "containerfile", "makefile", "gnumakefile"})
#: Lock files are written by tools, never by hand (``pnpm-lock.yaml``, ``Cargo.lock`` in TOML).
_EOL = re.compile(r"\r\n|\r|\n")
_LOCK = re.compile(r"(?:^|[-_.])lock(?:[-_.]|$)", re.I)


def without_grammar(doc: Document) -> bool:
    """Whether ``doc`` is hand-written code or configuration the server has no grammar for."""
    if doc.language is not None:
        return False
    name = uri_basename(doc.uri)
    return named_without_grammar(name) or (
        (doc.language_id or "").lower() in LANGUAGE_IDS and not _LOCK.search(name)
    )


def named_without_grammar(name: str) -> bool:
    """Whether a file named ``name`` is such code by its name (a grammar's files aside)."""
    if _LOCK.search(name):
        return False
    lower = name.lower()
    if lower in FILENAMES or lower.startswith(("dockerfile.", "containerfile.", "makefile.")):
        return True
    return PurePosixPath(lower).suffix in EXTENSIONS


def changed_lines(before: str, after: str, window: int = WINDOW_LINES) -> set[int]:
    """The 0-based lines of ``after`` changed from ``before``, with ``window`` lines either side."""
    # Lines as the document counts them: ``str.splitlines`` also breaks at a form feed or
    # U+2028, and every line number after one was off.
    old, new = _EOL.split(before), _EOL.split(after)
    # The common ends first: a save's edits are a few lines in a long file, and the matcher's
    # work grows with what is left to match.
    head = 0
    while head < min(len(old), len(new)) and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    old_mid, new_mid = old[head : len(old) - tail], new[head : len(new) - tail]
    changed: set[int] = set()
    matcher = difflib.SequenceMatcher(None, old_mid, new_mid, autojunk=False)
    for tag, _, _, lo, hi in matcher.get_opcodes():
        if tag == "equal":
            continue
        # A deletion changes no line of ``after``: the two lines it was between stand for it.
        first, last = (head + lo - 1, head + lo) if lo == hi else (head + lo, head + hi - 1)
        changed.update(range(max(0, first - window), min(len(new), last + window + 1)))
    return changed


class OpenedTexts:
    """The text each grammarless file had when the editor opened it: what its saves' changes
    are measured from (its chunks reviewed since answer from the cache, changed again or not)."""

    def __init__(self) -> None:
        self._texts: dict[str, str] = {}

    def opened(self, doc: Document) -> None:
        if without_grammar(doc):
            self._texts[doc.uri] = doc.text

    def forget(self, uri: str) -> None:
        self._texts.pop(uri, None)

    def changed(self, doc: Document) -> set[int] | None:
        """The lines to send for a save of ``doc`` (None: not such a file, review it whole)."""
        before = self._texts.get(doc.uri)
        if before is None:
            return None
        return changed_lines(before, doc.text)
