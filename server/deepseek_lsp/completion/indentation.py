"""The indentation unit of a document: what a suggestion's lines are re-indented by."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any, NamedTuple

from ..documents import Document
from .events import field_of
from .multiline import BLOCK_OPENERS, opens_block
from .postprocess import has_block_comments, heredoc_word, is_shell
from .postprocess._layout_alignment import YAML_LANGUAGES

_BLOCK_OPENERS_BYTES = tuple(o.encode() for o in BLOCK_OPENERS)
#: Where blocks are braces (the C family), a line ending with `(` or `[` breaks a call's
#: arguments or a list, whose continuation indent is no level: LLVM's and Google's C++ break
#: a declaration after `(` four columns in, their levels two (Java's eight for four).
_BRACE_OPENERS_BYTES = tuple(o for o in _BLOCK_OPENERS_BYTES if o not in (b"(", b"["))
_CONTINUES_BYTES = (b",", b"&&", b"||", b"+", b"\\")
#: How a block comment's continuation line starts (`` * text``, `` */``), wherever the comment
#: began (`` x = 1; /* a note``); code so led continues a product, which is no level either.
_COMMENT_STARS = (b"* ", b"*\t", b"*/")
#: The indentation unit of a document with no indented line yet, where the language's own
#: formatter or style guide sets one (gofmt, PEP 8, rustfmt) or make itself (a recipe is led
#: by a tab: a new Makefile's first recipe kept the model's spaces, "missing separator");
#: elsewhere the model's is kept. Keyed by the grammar's name, else the client's language id
#: (Makefiles have no grammar: VS Code's "makefile", Neovim's and Helix's "make").
DEFAULT_INDENT = {"go": "\t", "python": "    ", "rust": "    ", "makefile": "\t", "make": "\t"}
#: A line of code ending with a name that is no keyword opening a body (`else`, `do`): in the
#: languages whose statements end with a sign, the head of a declaration going on below.
_HEAD_WITHOUT_END = re.compile(rb"(?<![\w.])(?!(?:else|do|try|finally)$)[A-Za-z_]\w*$")
#: The widest step read as a level: a tab's eight columns. Wider is levels at once or
#: alignment: ICU's unumberformatter.h, its enums' members four spaces in but for two twelve
#: in, had a lone step of twelve near a new enum for its unit, and the model's four-space
#: members were shown twelve columns in, a level each.
_WIDEST_LEVEL = 8
#: The client tells what its editor inserts for a level in a document (Neovim's plugin: Vim's
#: 'expandtab', 'shiftwidth' and 'tabstop'), on opening it and when that changes:
#: ``{textDocument: {uri}, insertSpaces, tabSize, indentSize}``.
EDITOR_INDENTATION_NOTIFICATION = "deepseek/editorIndentation"
#: Wider than this, a level or a tab is no setting anyone uses: the notification is ignored.
_MAX_COLUMNS = 32
#: Languages whose syntax refuses a tab in indentation, whatever the editor inserts: YAML
#: (tabs are no indentation: a new file's block came in tabs, a parse error), F#
#: (FS1161 unless ``#indent "off"``), Nim and Elm (both refuse them), Haskell (GHC's
#: default -Wtabs warns at each). By grammar name or client language id (VS Code's Docker
#: Compose, GitHub Actions and Ansible files are YAML under their own ids).
NO_TAB_INDENT = YAML_LANGUAGES | frozenset("fsharp nim elm haskell".split())


class EditorIndent(NamedTuple):
    """What an editor inserts for a level, as :func:`detect_indentation` gives it (a unit and
    the columns of a tab where levels of spaces are written a tab for each tab's columns), and
    a level's columns: its spaces where the language refuses tabs."""

    unit: str
    tab_width: int
    level: int

    def for_language(self, language: str) -> tuple[str, int]:
        # Neovim's compound filetypes are their first part's language (a Compose file is
        # ``yaml.docker-compose``, an Ansible playbook ``yaml.ansible``): they came in tabs.
        if language.partition(".")[0] in NO_TAB_INDENT:
            return " " * self.level, 0
        return self.unit, self.tab_width


def editor_indentation(params: Any) -> tuple[str, EditorIndent] | None:
    """The document's URI and what its editor inserts for a level; None for a malformed
    notification. Spaces; a tab where a level is a tab wide; else levels of spaces written a
    tab for each tab's columns (Vim's ``noexpandtab`` with a narrower 'shiftwidth')."""
    document = field_of(params, "textDocument")
    uri = field_of(document, "uri") if document is not None else None
    spaces, tab, level = (field_of(params, key) for key in ("insertSpaces", "tabSize", "indentSize"))
    if level is None:
        level = tab
    if not isinstance(uri, str) or not isinstance(spaces, bool):
        return None
    if not all(isinstance(n, int) and not isinstance(n, bool) and 0 < n <= _MAX_COLUMNS for n in (tab, level)):
        return None
    if spaces:
        return uri, EditorIndent(" " * level, 0, level)
    if level == tab:
        return uri, EditorIndent("\t", 0, level)
    return uri, EditorIndent(" " * level, tab, level)


def detect_indentation(doc: Document, around_line: int) -> tuple[str, int]:
    """The indentation unit of the code around ``around_line`` ("" when no line is indented),
    and the columns of a tab where the code mixes tabs and spaces (else 0).

    The unit is tabs, or the most common step after a line that opens a block (every step
    counts only when no such line is near). Steps into docstrings used to win: textwrap.py's
    examples indent by two in a four-space file, and the model's correct lines were
    re-indented by two. GNU style (Emacs' default for C) indents by two and writes each eight
    columns as a tab: one tab-led line made the unit a tab, and correct two-space lines were
    re-indented as tabs. The lines inside a block comment are no code: the one-column steps
    of a license header's `` * `` lines made the unit one space, and a correct four-space
    body was re-indented by one space a level."""
    language = doc.language
    block_comments = has_block_comments(language.name if language else doc.language_id)
    # A shell heredoc's lines are text (a usage message's options led by four spaces in a
    # tab-indented script): read as code, they made the unit four spaces before the first
    # tab-led line was typed, and the unit, kept, wrote the model's tab levels in spaces.
    heredocs = is_shell(language.name if language else doc.language_id)
    heredoc_end: bytes | None = None
    # Decoding each line for the language's own openers doubled the cost of a look (~1 ms):
    # only where it has some.
    own_openers = language is not None and bool(language.spec.block_opener)
    lo = max(0, around_line - 200)
    after_opener: Counter[int] = Counter()
    anywhere: Counter[int] = Counter()
    # Above the range, the widths are not known: its first line is where they start, not a
    # step from column 0 (below a 300-row table that one step of twelve was the only vote).
    prev: int | None = None if lo else 0
    prev_opens = prev_continues = prev_leaves_open = False
    tabs = level_tabs = narrow_spaces = False
    in_comment = False
    for raw in doc.lines_bytes(lo, around_line + 50):
        body = raw.strip()
        if heredoc_end is not None:
            heredoc_end = None if body == heredoc_end else heredoc_end
            continue
        if not body:
            continue
        if heredocs and not body.startswith(b"#"):
            word = heredoc_word(body.decode("utf-8", "replace"))
            heredoc_end = word.encode() if word else None
        if block_comments and (in_comment or body.startswith(b"/*") or body == b"*" or body.startswith(_COMMENT_STARS)):
            # A block comment's lines align under its `/*`, and a comment on a line of its own
            # may align with the trailing comments above (forty columns in): no level.
            if in_comment or body.startswith(b"/*"):
                in_comment = body.find(b"*/", 0 if in_comment else 2) < 0
            continue
        lead = raw[: len(raw) - len(raw.lstrip(b" \t"))]
        if lead.startswith(b"\t"):
            tabs = True
            # A line going on with one left open (a prototype's parameters, `f(a,` then tabs
            # to a column) is aligned, no level: the file aligns in tabs, but where no other
            # tab-led line is near, read as its levels' they made a header of struct bodies
            # in four spaces "tabs", and a typedef's suggested members were re-levelled so.
            level_tabs = level_tabs or not (prev_continues or prev_leaves_open)
        elif len(lead) in (2, 4, 6) and b"\t" not in lead and not body.startswith((b"*", b"/", b"#")):
            narrow_spaces = True  # code (not a comment's ` * ` line) less than a tab deep
        width = len(lead.expandtabs(8))
        if body.startswith((b"| ", b"& ")) and body.endswith(b"{"):
            # A union's member opening a brace (Prettier: `  | {`): its body steps from the
            # `{`. Only then: OCaml's variants and matches (`  | Int of int`) are a level's
            # lines, and counted two deeper they made a two-space file's unit four.
            width += 2
        if prev is not None and prev < width <= prev + _WIDEST_LEVEL and not prev_continues:
            (after_opener if prev_opens else anywhere)[width - prev] += 1
        prev = width
        # The language's own signs too: under shell's `then` and `else`, Vim's four-column
        # levels were outvoted by one-tab function bodies.
        prev_opens = body.endswith(_BRACE_OPENERS_BYTES if block_comments else _BLOCK_OPENERS_BYTES) or (
            own_openers and opens_block(body.decode("utf-8", "replace"), language)
        )
        # A line under one that leaves a list or a condition open is aligned, not a level
        # (`def f(a,` then `      b):` made the unit six spaces).
        prev_continues = not prev_opens and body.endswith(_CONTINUES_BYTES)
        # So is one under a declaration's head that no sign ends (libxml2's `XMLPUBFUN void
        # XMLCALL` over `\t\t\txmlFreePattern(...)`, where statements end with a `;`): its
        # tabs made the unit a tab, and a typedef's four-space members were shown in tabs.
        prev_leaves_open = not prev_opens and (
            body.endswith((b"(", b"["))
            or body.count(b"(") > body.count(b")")
            or (block_comments and _HEAD_WITHOUT_END.search(body) is not None)
        )
    votes = after_opener or anywhere
    step = votes.most_common(1)[0][0] if votes else 0
    if tabs:
        # Mixed only when the levels are narrower than a tab: a tab-indented file with a few
        # space-indented lines is still indented by tabs. Its tabs are eight columns where lines
        # led by a few spaces stand beside them (bzcmp's `    case` under `do`, `\t    OPTIONS=`
        # under `then`): read as four, right lines written so were re-levelled in four-column
        # tabs, `\t    exit 1` to `\t\t\texit 1` (twenty-four columns for twelve).
        if narrow_spaces:
            return (" " * step, 8) if 0 < step < 8 else ("\t", 8)
        return ("\t", 0) if level_tabs or step else ("", 0)
    return " " * step, 0
