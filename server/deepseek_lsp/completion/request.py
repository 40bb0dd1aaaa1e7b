"""What a completion request is about, and what it answers."""

from __future__ import annotations

from dataclasses import dataclass, field

from lsprotocol import types

from ..config import CompletionSettings
from ..documents import Document


@dataclass
class Suggestion:
    text: str  # inserted at the cursor
    replace_end: int  # byte offset the insertion replaces up to (auto-closed characters)
    tail: str  # those replaced characters, kept once at the end of the insert
    #: What a completion-menu item inserts at the cursor, the line's closers left in place:
    #: ``text`` up to a closer of the line it types over (menu.py).
    menu_text: str | None = None
    #: The line's closers stay after the insert, which ends with the line break that puts them
    #: on a line of their own (a body leaving blocks open: line_tail.py): a menu snippet keeps it.
    closer_after: bool = False
    #: The choice as held to type through (before it was fitted to the line's tail): what
    #: the editor showing this suggestion tells the server it shows (CompletionCache.shown).
    held: str = ""


@dataclass
class Request:
    doc: Document
    offset: int
    invoked: bool
    inserted: str = ""  # the selected completion item's text not yet in the document
    multiline: bool = False
    #: The block is asked for the sake of the comment the cursor's line is (multiline.py's
    #: comment_goes_on): its line comment's token or its closer (``*/``, ``]]``), "" for none.
    #: The answer ends with the comment, its code after it not shown.
    comment_marker: str = ""
    #: The quote of a Python docstring opened at the cursor (docstring_opener.py), or None.
    docstring: str | None = None
    #: The cursor is in a block of its own with nothing else in it (an empty notebook cell):
    #: what comes is a block, as in an empty function body.
    empty_block: bool = False
    #: Which request method asked: a client may send both for one keystroke (Neovim's inline
    #: completion beside a completion-menu plugin), and each is only stale to its own kind.
    method: str = types.TEXT_DOCUMENT_INLINE_COMPLETION

    #: The text this request is about. Edits replace a document's bytes, never change them, so
    #: this stays what the offsets point into while the document moves on.
    data: bytes = field(init=False)

    def __post_init__(self) -> None:
        self.data = self.doc.data

    @property
    def stale(self) -> bool:
        """The document has changed since: an answer would go where the text no longer is."""
        return self.doc.data is not self.data

    @property
    def slot(self) -> tuple[str, str]:
        """What a newer request makes this one stale: the same document, the same method."""
        return (self.doc.uri, self.method)


def choices_wanted(c: CompletionSettings, invoked: bool) -> int:
    """How many choices a request shows: one for typing; for an explicit request
    ``invokedChoices``, at least one (0, the settings UI's minimum, threw away the one answer
    that was asked for and paid for)."""
    return max(1, c.invoked_choices) if invoked else 1
