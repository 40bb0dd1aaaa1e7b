"""Completion-menu items (``textDocument/completion``) for clients without inline completion.

What Neovim 0.11's own client does with an item, measured in the real editor, decides the
shape; Helix and eglot accept the same shape:

- a plain-text item inserts only ``newText`` up to its first blank (``total = compute(a,``),
  and its edit is never applied: only a snippet item is inserted whole. So the item is a
  snippet when the client can take one;
- the edit's range is not honoured past the cursor, so the line's auto-closed characters
  (``)``) were typed twice: the item inserts up to the cursor only and leaves them;
- a snippet's continuation lines get the cursor line's indentation added (``adjustIndentation``,
  also Helix's and VS Code's rule), so they are sent relative to it;
- ``\\r\\n`` came out as ``^M`` (buffers keep lines, not line ends): line breaks are ``\\n``.
"""

from __future__ import annotations

import re
import unicodedata

from lsprotocol import types

from ..documents import Document
from ..notebooks import CellTarget
from .events import SentItems, accept_command
from .request import Suggestion

_SNIPPET_SPECIAL = re.compile(r"([\\$}])")
#: A label's widest, in columns: Neovim's popup menu is as wide as its widest label, and with
#: the kind and the detail ("Text", "DeepSeek") beside it, this fits an 80-column terminal.
LABEL_CHARS = 60
#: The characters of the word a menu item replaces (JavaScript's ``$`` too).
_WORD_CHARS = re.compile(r"[\w$]*")
#: In a shell script, those Emacs' shell modes take into a symbol as well (``--colo``,
#: ``notes.tx``): eglot drops an item whose filterText the symbol typed does not begin.
_WORD_CHARS_BY_LANGUAGE = {"bash": re.compile(r"[\w$!%*+,\-.:^~]*")}


def _text_lines(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if line.strip()]


_ZWJ = "\u200d"


def _is_regional(ch: str) -> bool:
    return "\U0001f1e6" <= ch <= "\U0001f1ff"


def _glyphs(line: str) -> list[tuple[str, int]]:
    """``line`` as the glyphs a terminal shows and the columns each takes: East Asian wide
    characters two, a tab two (Neovim's popup menu shows it as two spaces), marks and
    variation selectors none (they join the glyph before, as the characters an emoji's
    zero-width joiners join do, and a flag's second regional indicator its first)."""
    out: list[tuple[str, int]] = []
    for ch in line:
        joins = ch == _ZWJ or unicodedata.category(ch) in ("Mn", "Me", "Cf")
        if out and (joins or out[-1][0].endswith(_ZWJ)):
            out[-1] = (out[-1][0] + ch, out[-1][1])
        elif out and _is_regional(ch) and len(out[-1][0]) == 1 and _is_regional(out[-1][0]):
            out[-1] = (out[-1][0] + ch, 2)
        else:
            wide = ch == "\t" or unicodedata.east_asian_width(ch) in "WF"
            out.append((ch, 2 if wide else 1))
    return out


def _width(line: str) -> int:
    return sum(w for _, w in _glyphs(line))


def _cut(line: str, room: int) -> str:
    """``line`` within ``room`` columns (a Chinese comment's characters take two: cut at 60
    characters, its label was 110 columns wide), ``…`` where it was cut, no glyph cut in two."""
    glyphs = _glyphs(line)
    if sum(w for _, w in glyphs) <= room:
        return line
    kept, used = [], 1
    for glyph, width in glyphs:
        if used + width > room:
            break
        kept.append(glyph)
        used += width
    return "".join(kept) + "…"


def first_line(text: str) -> str:
    """The first line with anything on it (what clients filter the menu by)."""
    return next(iter(_text_lines(text)), "")


def label(text: str) -> str:
    """The menu's label: the first line with anything on it (a suggestion starting with a line
    break showed as ``^@`` and its whole text on one line), ``…`` when more lines follow."""
    lines = _text_lines(text)
    if len(lines) < 2 or _width(lines[0]) > LABEL_CHARS - 2:
        return _cut(lines[0] if lines else "", LABEL_CHARS)  # cut, its own … says more follows
    return lines[0] + " …"


def distinct_label(text: str, taken: dict[str, str]) -> str:
    """``text``'s :func:`label`, or, when an earlier item (``taken``: label to text) has it, that
    label with the first line where ``text`` differs: Emacs takes a candidate by its label
    (eglot's), and choices of one first line were one candidate, the others never offered.
    Within :data:`LABEL_CHARS`, the first line giving up room to the line that differs."""
    first = label(text)
    if first not in taken:
        return first
    lines = _text_lines(text)
    other = _text_lines(taken[first])
    for i, line in enumerate(lines[1:], 1):
        if i < len(other) and other[i] == line:
            continue
        room = LABEL_CHARS - len(" … ")
        head = _cut(lines[0], max(room // 2, room - _width(line)))
        own = f"{head} … {_cut(line, room - _width(head))}"
        if own not in taken:
            return own
    number = f" ({len(taken) + 1})"
    return _cut(first, LABEL_CHARS - _width(number)) + number


def snippet_lines(text: str, cursor_indent: str, *, before_closer: bool = False) -> int:
    """How many lines of ``text`` a snippet item can carry: those before the first line indented
    less than the cursor line, which cannot be said relative to it (Neovim put ``def count``
    one level too deep, inside the method before it), without blank lines at the end.

    ``before_closer``: the line's closer stays after the item (a body between ``{`` and the
    editor's ``}``), and a whole text's last line break, which puts it on a line of its own,
    is kept (dropped, the body read ``return a;}``)."""
    lines = text.split("\n")
    keep = next(
        (i for i in range(1, len(lines)) if lines[i].strip() and not lines[i].startswith(cursor_indent)),
        len(lines),
    )
    whole = keep == len(lines)
    while keep > 1 and not lines[keep - 1].strip():
        keep -= 1
    if before_closer and whole and keep < len(lines):
        keep += 1
    return keep


def as_snippet(text: str, cursor_indent: str, *, before_closer: bool = False) -> str:
    """The first :func:`snippet_lines` of ``text`` as snippet syntax, continuation lines
    relative to ``cursor_indent`` (the client adds it back; blank lines carry none)."""
    lines = text.split("\n")[: snippet_lines(text, cursor_indent, before_closer=before_closer)]
    relative = [lines[0], *("" if not line.strip() else line[len(cursor_indent) :] for line in lines[1:])]
    return _SNIPPET_SPECIAL.sub(r"\\\1", "\n".join(relative))


def selected_word(text: str, own_label: str) -> str | None:
    """The ``insertText`` of a snippet item whose label is not its text (cut with ``…``, more
    lines following, or a line break first). Neovim's own menu (0.11) puts the selected item's
    word into the line, kept there when the menu is left without <C-y> (<Esc>, a key typed
    on); that word was the label, and the line had its ``…`` and lost the rest. Neovim takes
    the keyword ``insertText`` starts with when that is shorter than the label, what Vim's
    completion keeps of a word. Clients apply the ``textEdit`` (LSP: ``insertText`` is
    ignored beside it)."""
    if own_label == text:
        return None
    word = _WORD_CHARS.match(text).group(0)  # type: ignore[union-attr]
    return _SNIPPET_SPECIAL.sub(r"\\\1", word)


def documentation(text: str, markdown: bool = True) -> str | types.MarkupContent:
    """The whole suggestion, fenced, for the menu's documentation popup. The fence is longer
    than any run of backquotes in the text: a suggestion with a code block of its own (a
    README's example, a docstring's) closed ours, and the rest showed as Markdown. A client
    that shows no Markdown (Eglot, Emacs' lsp-mode without markdown-mode) gets the text as it
    is (a string: a client that declares no formats may not take a MarkupContent at all),
    where the fence lines showed as text around the code."""
    if not markdown:
        return text
    fence = "`" * max([3, *(len(run) + 1 for run in re.findall(r"`+", text))])
    return types.MarkupContent(kind=types.MarkupKind.Markdown, value=f"{fence}\n{text}\n{fence}")


def lf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def completion_items(
    suggestions: list[Suggestion],
    doc: Document,
    cell: CellTarget | None,
    offset: int,
    sent: SentItems,
    *,
    snippets: bool,
    markdown_docs: bool,
) -> list[types.CompletionItem]:
    """The menu's items for the suggestions at ``offset``, each replacing the word typed before
    it (``snippets``: the client takes snippets; ``markdown_docs``: and Markdown documentation)."""
    line_start = doc.line_start(doc.line_at(offset))
    before = doc.data[line_start:offset].decode("utf-8", "replace")
    # The word is read backwards from the cursor: ``re.search(r"[\w$]*$", before)`` tried
    # every start in the line, each running to the end of its word, and a line with a long
    # hex string before the cursor (contract bytecode, a digest list) took seconds a key.
    chars = _WORD_CHARS_BY_LANGUAGE.get(doc.language.name if doc.language else "", _WORD_CHARS)
    word_text = chars.match(before[::-1]).group(0)[::-1]  # type: ignore[union-attr]
    word_start = offset - len(word_text.encode("utf-8"))
    indent = before[: len(before) - len(before.lstrip())]
    items: list[types.CompletionItem] = []
    offered: set[str] = set()
    labels: dict[str, str] = {}
    for s in suggestions:
        # Up to the cursor only: the line's auto-closed characters stay (see this module's notes).
        full = word_text + (s.text if s.menu_text is None else s.menu_text)
        text = lf(full)
        # The line's closers stay after the item: a body's last line break (finish) puts
        # them on a line of their own.
        before_closer = s.menu_text is None and (bool(s.tail.strip()) or s.closer_after)
        if snippets:
            # What the snippet carries, also for where the cursor lands (SentItems.add).
            keep = snippet_lines(text, indent, before_closer=before_closer)
            text = "\n".join(text.split("\n")[:keep])
            full = "\n".join(full.split("\n")[:keep]).rstrip("\r")
        if not text[len(word_text) :].strip():
            # It types over the line's closer at once (`foo(|)` with `) + 1`), or the snippet
            # stops before its first line of code (a level out): the item would insert
            # nothing, a blank entry preselected at the top of the menu.
            continue
        if text in offered:
            continue  # choices that differ past the closer insert the same: one item
        offered.add(text)
        i = len(items)
        item_id = sent.add(doc.uri, doc.data, word_start, offset, full, from_menu=True)
        own = distinct_label(text, labels)
        labels[own] = text
        items.append(
            types.CompletionItem(
                label=own,
                kind=types.CompletionItemKind.Text,
                detail="DeepSeek",
                documentation=documentation(text, markdown_docs),
                # The first line, whole, which starts with the word typed (clients match on it).
                filter_text=first_line(text),
                sort_text=f"0000{i}",
                preselect=i == 0,
                insert_text=selected_word(text, own) if snippets else None,
                insert_text_format=types.InsertTextFormat.Snippet if snippets else types.InsertTextFormat.PlainText,
                insert_text_mode=types.InsertTextMode.AdjustIndentation if snippets else types.InsertTextMode.AsIs,
                text_edit=types.TextEdit(
                    range=cell.to_cell(doc.range_of(word_start, offset)) if cell else doc.range_of(word_start, offset),
                    new_text=as_snippet(text, indent, before_closer=before_closer) if snippets else text,
                ),
                command=accept_command(item_id, doc.uri),
            )
        )
    return items
