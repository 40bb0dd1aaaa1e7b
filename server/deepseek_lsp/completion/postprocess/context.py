"""What the post-processing filters know about the document around the cursor."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING

from ._brackets import _scan_closable_brackets
from ._syntax import _SYNTAX, _syntax_for, syntax_name
from ._tab_columns import eight_column_tabs
from ._text import _leading_ws

if TYPE_CHECKING:
    from ._scanner import _BracketScanner

#: The lines above the cursor whose alignment tells a tab's columns.
_TAB_LOOK = 100
#: A language's line comments besides those its scanner reads: PHP's `#` (not an attribute's
#: `#[`), which ended no header (`if ($x > 1) # more than one`, Enter: its `{` shown alone).
_OTHER_LINE_COMMENTS = {"php": (r"#(?!\[)",)}


@dataclass(frozen=True)
class PostContext:
    """What the filters know about the document around the cursor."""

    prefix: str  # text before the cursor; may be only a window of the document
    suffix: str  # text after the cursor
    indent_unit: str = "    "  # one level of the document's indentation: spaces or a tab
    single_line: bool = False
    #: A block asked for the comment the cursor's line is (`# TODO: `): code after its lines is cut.
    comment_only: bool = False
    from_chat: bool = False  # the text came from a chat backend (fences, prose, echoes)
    language: str | None = None
    min_length: int = 1  # non-whitespace characters a suggestion needs to be worth showing
    #: Where in ``prefix`` a scan for open brackets may start (outside strings and comments),
    #: and the brackets open there, outermost first: known from the syntax tree, it spares
    #: scanning the whole window. The default scans all of ``prefix``.
    bracket_scan_from: int = 0
    open_before_scan: tuple[str, ...] = ()
    #: The scanner's state at ``bracket_scan_from`` where the document was read from its start
    #: (no grammar: see scan_states.py; copied, not fed); None: code.
    scan_state: _BracketScanner | None = None
    #: In a notebook cell, the line that starts the next cell (``# %%``, see notebooks.py).
    cell_marker: str | None = None
    #: False when the document has no indented line to tell its unit by (a new file):
    #: ``indent_unit`` is then a guess, and the model's own indentation is kept.
    indent_known: bool = True
    #: Columns of a tab where the document mixes tabs and spaces (GNU style: levels of two
    #: spaces, a tab for each eight columns); 0 where a tab is one level.
    tab_width: int = 0
    #: What the editor inserts for a level and the columns of its tab, where the document's
    #: lines are all led by tabs and the editor's levels are narrower than a tab (Vim's
    #: noexpandtab, 'shiftwidth' 4, 'tabstop' 8): a tab may be one level (a kernel-style file)
    #: or two (a file written in that editor). None elsewhere.
    editor_levels: tuple[str, int] | None = None
    #: The language's own sign that a line opens a block, besides brackets and colons
    #: (``block_opener`` of its language.toml: Ruby's `def`, Lua's `then`, the shell's `; do`).
    block_opener: str | None = None
    #: Whether the document's own tree reads the cursor in its prose (see _document_prose),
    #: with the lengths of ``prefix`` and ``suffix`` it was read for: a context replaced with
    #: the cursor moved (text typed through) parses its window instead. None: no tree read.
    prose_by_tree: tuple[int, int, bool] | None = None

    @cached_property
    def block_opener_re(self) -> re.Pattern[str] | None:
        return re.compile(self.block_opener) if self.block_opener else None

    @cached_property
    def trailing_comment_re(self) -> re.Pattern[str]:
        """A comment at the end of a line in this language (Lua's ``--`` too)."""
        known = syntax_name(self.language) in _SYNTAX
        tokens = set(_syntax_for(self.language).line_comments) if known else {"#", "//"}
        if not tokens:
            return re.compile(r"(?!)")  # prose: none (an empty alternative matched any text)
        marks = [*map(re.escape, sorted(tokens)), *_OTHER_LINE_COMMENTS.get(self.language or "", ())]
        # Tried only where a run of whitespace starts, and its whitespace never given back: tried
        # at each space of a line of them, each taking the rest, 8,192 spaces took 0.3 s.
        return re.compile(r"(?<!\s)\s++(?:" + "|".join(marks) + r").*$")

    @cached_property
    def line_prefix(self) -> str:
        """The cursor line up to the cursor."""
        return self.prefix.rpartition("\n")[2]

    @cached_property
    def line_suffix(self) -> str:
        """The cursor line from the cursor on."""
        return self.suffix.partition("\n")[0]

    @cached_property
    def indentation(self) -> str:
        """The cursor line's indentation, as the document has it."""
        return _leading_ws(self.line_prefix)

    @cached_property
    def previous_line(self) -> str | None:
        """The last non-blank line above the cursor line, if the prefix window has one."""
        end = len(self.prefix) - len(self.line_prefix) - 1
        while end > 0:
            start = self.prefix.rfind("\n", 0, end) + 1
            line = self.prefix[start:end]
            if line.strip():
                return line
            end = start - 1
        return None

    @cached_property
    def tab_size(self) -> int:
        # A tab counts as one level of the document's indentation when widths are compared.
        if self.tab_width:
            return self.tab_width
        unit = self.indent_unit
        if unit and "\t" not in unit:
            return len(unit)
        return 8 if eight_column_tabs(self.recent_lines(_TAB_LOOK)) else 4

    @cached_property
    def unit_width(self) -> int:
        return self.width(self.indent_unit) or 4

    def width(self, ws: str) -> int:
        """Columns taken by leading whitespace."""
        return sum(self.tab_size if c == "\t" else 1 for c in ws)

    def render_indent(self, columns: int) -> str:
        """Whitespace of that width in the document's own characters. Where levels are
        narrower than a tab (Vim's noexpandtab, 'shiftwidth' 4, 'tabstop' 8) and the cursor's
        line is led by a tab, a tab for each tab's columns: in spaces under that tab, Python
        refused the block's dedent back to it (TabError)."""
        columns = max(0, columns)
        if "\t" in self.indent_unit or (self.tab_width and "\t" in self.indentation):
            return "\t" * (columns // self.tab_size) + " " * (columns % self.tab_size)
        return " " * columns

    @property
    def lf(self) -> PostContext:
        """This context with CRLF line breaks made LF, as the filters read it."""
        # Not cached on itself: a context holding itself is a reference cycle, which only the
        # garbage collector frees, in one pause every few hundred completions.
        if "\r" not in self.prefix and "\r" not in self.suffix:
            return self
        return self._lf_copy

    @cached_property
    def _lf_copy(self) -> PostContext:
        return replace(
            self,
            prefix=self.prefix.replace("\r\n", "\n"),
            suffix=self.suffix.replace("\r\n", "\n"),
            bracket_scan_from=len(self.prefix[: self.bracket_scan_from].replace("\r\n", "\n")),
        )

    @cached_property
    def brackets_after_prefix(
        self,
    ) -> tuple[
        tuple[str, ...], _BracketScanner, tuple[str, ...], str, tuple[tuple[str, str], ...], int, tuple[int, ...]
    ]:
        """The brackets the prefix left open and the suffix does not close (innermost last),
        the scanner's state right after the prefix, the open brackets that the rest of the
        cursor line closes (innermost last), the innermost bracket open after the prefix
        (closed by the suffix or not; "" for none), every bracket open after the prefix
        with what closes it, innermost last, and where in the prefix the innermost opened
        (-1: none, or before the scan; see :func:`_scan_closable_brackets`), and where each
        of those opened (innermost last, -1 before the scan): scanning a
        window is ~0.2 ms, the same for every filter run and every choice of a request."""
        return _scan_closable_brackets(self)

    def warm(self) -> None:
        """Work out now what every run of the filters needs (called while the backend works)."""
        ctx = self.lf
        ctx.brackets_after_prefix  # noqa: B018
        ctx.previous_line  # noqa: B018
        ctx.indentation  # noqa: B018
        ctx.line_suffix  # noqa: B018

    def recent_lines(self, count: int) -> list[str]:
        """Up to ``count`` whole lines just above the cursor line, oldest first."""
        end = len(self.prefix) - len(self.line_prefix) - 1
        lines: list[str] = []
        while end >= 0 and len(lines) < count:
            start = self.prefix.rfind("\n", 0, end) + 1
            lines.append(self.prefix[start:end])
            end = start - 1
        return lines[::-1]


class LaterContext:
    """A :class:`PostContext` made when first asked for, warmed (:meth:`PostContext.warm`):
    the completion feature asks for it once the request is sent, so the ~0.4 ms it takes
    overlaps the model's work instead of delaying the request."""

    __slots__ = ("_ctx", "_make")

    def __init__(self, make: Callable[[], PostContext]) -> None:
        self._make = make
        self._ctx: PostContext | None = None

    @classmethod
    def of(cls, ctx: PostContext) -> LaterContext:
        later = cls(lambda: ctx)
        later._ctx = ctx
        return later

    def get(self) -> PostContext:
        if self._ctx is None:
            ctx = self._make()
            ctx.warm()
            self._ctx = ctx
        return self._ctx


Filter = Callable[[str, PostContext], "str | None"]
