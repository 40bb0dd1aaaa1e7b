"""A finding's suggestion made into the text its quick fix writes: re-indented to where the
code was found, cut to the part of its line it replaces, and refused where it would break it.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from ..documents import Document
from ..languages import LanguageError
from ..privacy import REDACTED
from .placing import _IDENT, _in_backticks, quotes_as_prompted

if TYPE_CHECKING:
    from .findings import Finding


def adapt_fix(
    doc: Document, start: int, end: int, excerpt: str, suggestion: str | None
) -> str | None:
    """The suggestion re-indented to where the excerpt was found.

    The range starts at the excerpt's first non-blank character, so the suggestion's first line
    loses its indentation. Later lines keep their indentation relative to the excerpt's (the
    model may have quoted the code dedented, or re-indented it), mapped onto the real one.
    """
    if suggestion is None or " ".join(suggestion.split()) == " ".join(excerpt.split()):
        return None
    if REDACTED in suggestion:
        return None  # applying it would write the placeholder over the user's real secret
    placed = doc.data[start:end].decode("utf-8", "replace")
    if REDACTED in excerpt and quotes_as_prompted(doc, start, end, excerpt):
        # Quoted as the model saw it, the secret redacted: read as the code found, so the
        # fix of the secret itself (``token = os.environ["TOKEN"]``) replaces it. It was
        # refused, the quote not being the text, and such a finding had no fix. The span is
        # the quote only where the prompt showed it so: a placeholder read as any text took
        # ``""\n    if not debug:\n    token = `` for the secret, from the line above.
        excerpt = _unredacted(excerpt, placed) or excerpt
    if _in_backticks(excerpt) and "".join(placed.split()) == "".join(_in_backticks(excerpt).split()):
        excerpt = _in_backticks(excerpt)  # found without the backticks the model put around it
    if "".join(placed.split()) != "".join(excerpt.split()):
        return None  # the quote was shortened ("..."): the replacement would not fit the span
    if _in_backticks(suggestion) and not _in_backticks(placed):
        suggestion = _in_backticks(suggestion)
    suggestion = _within_line(doc, start, end, placed, suggestion)
    if " ".join(suggestion.split()) == " ".join(excerpt.split()):
        return None
    if _repeats_neighbours(doc, start, end, excerpt, suggestion) or _breaks_its_line(doc, start, end, suggestion):
        return None
    lines = suggestion.split("\n")
    first_line = doc.line_at(start)
    quoted = excerpt.split("\n")
    # The suggestion's lines as indented as the quote's: the model copies the code with its
    # indentation (as the prompt shows it) and may write the suggestion from column 0, or the
    # other way round. Read in the quote's indentation, the fix put ``except OSError:`` of a
    # ``try:`` around an indented line at column 0, out of the function.
    q0, s0 = _indent_of(quoted[0]), _indent_of(lines[0])
    aligned = all(not line.strip() or line.startswith(s0) for line in lines)
    if q0 != s0 and lines[0].strip() and aligned:
        lines = [q0 + line[len(s0) :] if line.strip() else line for line in lines]
    k = next((i for i in range(1, len(quoted)) if quoted[i].strip()), None)
    if k is not None:
        model_base = _indent_of(quoted[k])
        # The document line that quoted line k is: found by its characters, not by counting
        # lines (the quote was matched with whitespace squeezed, and may leave out a blank
        # line: the fix then took a blank line's indentation and moved code out of its block).
        line = _line_of_nth_char(doc, start, placed, len("".join("\n".join(quoted[:k]).split())))
        if line is None:
            return None
        real_base = _indent_of(doc.line_text(line))
    else:
        model_base = _indent_of(quoted[0])
        before = doc.data[doc.line_start(first_line) : start].decode("utf-8", "replace")
        if before.strip() and any(line.strip() for line in lines[1:]):
            # Code stands before the quote on its line (``if path: data = read(path)``): no
            # indentation of the fix's later lines is right there, and the fix wrote
            # ``if path: try:`` (as ``_reindented`` withdraws it once code is typed there).
            return None
        real_base = before
        if _written_as_the_file(lines[1:], model_base, real_base):
            model_base = real_base
    unit = real_base[:1] or _file_indent(doc)
    out = [lines[0].lstrip()]
    for line in lines[1:]:
        if not line.strip():
            out.append("")
            continue
        # Only the file's own indentation is kept as the model wrote it: a fix written with four
        # spaces a level for a tab-indented line (or with tabs in a file of spaces) was put in
        # as ``\t    return err``, indented with both.
        extra = _indent_of(line)[len(model_base) :]
        if (
            line.startswith(model_base)
            and len(_indent_of(line)) >= len(model_base)
            and (not unit or extra[:1] in ("", unit))
        ):
            out.append(real_base + line[len(model_base) :])
            continue
        # Measured in columns: the quote copied with the file's tabs and the suggestion written
        # with spaces, four spaces counted as four tabs (``try:`` five tabs deep for two).
        width = max(0, _columns(_indent_of(line)) - _columns(model_base) + _columns(real_base))
        tabs, spaces = divmod(width, _TAB_COLUMNS) if unit == "\t" else (0, width)
        indent = "\t" * tabs + " " * spaces
        out.append(indent + line.lstrip())
    # The document's own line break: a multi-line fix in a CRLF file left bare LFs in it. The
    # last line has none (no final newline, as Windows editors save by default): the line
    # before it tells.
    eol = doc.data[doc.line_end(first_line) : doc.line_end(first_line, with_eol=True)]
    if not eol and first_line > 0:
        eol = doc.data[doc.line_end(first_line - 1) : doc.line_end(first_line - 1, with_eol=True)]
    return (eol.decode() or "\n").join(out).rstrip()


def _within_line(doc: Document, start: int, end: int, placed: str, suggestion: str) -> str:
    """The part of a whole-line suggestion that replaces the quoted part of the line.

    Models quote the code a finding is about (``user == None``) and suggest the corrected line
    (``if user is None:``): put in place of the quote, the fix wrote ``if if user is None::``.
    A one-line suggestion that begins with the line's text before the quote and ends with its
    text after it is such a line; anything else is the replacement of the quote itself.
    """
    fix = suggestion.strip()
    if "\n" in placed or "\n" in fix:
        return suggestion
    line = doc.line_at(start)
    before = doc.data[doc.line_start(line) : start].decode("utf-8", "replace").strip()
    after = doc.data[end : doc.line_end(line)].decode("utf-8", "replace").strip()
    # One side alone must hold a word (``return``; not a lone ``)``, which a replacement of
    # ``len(x)`` in ``print(len(x))`` ends with too), and each must end at a word's edge.
    if not (before and after) and not _IDENT.search(before + after):
        return suggestion
    after = _code_after(doc, after, fix)
    middle = fix[len(before) : len(fix) - len(after)]
    if (
        middle.strip()
        and fix.startswith(before)
        and fix.endswith(after)
        and not (before and _IDENT.match(before[-1]) and _IDENT.match(middle[0]))
        and not (after and _IDENT.match(after[0]) and _IDENT.match(middle[-1]))
    ):
        return middle.strip()
    return suggestion


def _code_after(doc: Document, after: str, fix: str) -> str:
    """``after`` (the line's text after the quote), or its code before a trailing comment that
    the suggested line leaves out: models suggest the corrected line without its comment, and
    the suggestion was put in place of the quote whole (``if if row is None::  # no row``)."""
    if fix.endswith(after):
        return after
    spec = doc.language.spec if doc.language is not None else None
    for token in (spec.line_comment,) if spec is not None and spec.line_comment else ("#", "//"):
        at = after.find(token)
        if at >= 0 and fix.endswith(after[:at].rstrip()):
            return after[:at].rstrip()
    return after


def _repeats_neighbours(doc: Document, start: int, end: int, excerpt: str, suggestion: str) -> bool:
    """Whether the suggestion holds a line of code next to the quote that the quote does not
    (the whole function rewritten for a finding on one of its lines, a ``with`` block taking
    in the next line): put in place of the quote, that line would be there twice."""
    quoted = {" ".join(line.split()) for line in excerpt.split("\n")}
    suggested = {" ".join(line.split()) for line in suggestion.split("\n")} - quoted
    if not suggested:
        return False
    first, last = doc.line_at(start), doc.line_at(max(start, end - 1))
    for line, step in ((first - 1, -1), (last + 1, 1)):
        while 0 <= line < doc.line_count and not doc.line_bytes(line).strip():
            line += step  # the nearest line of code that way
        if not 0 <= line < doc.line_count:
            continue
        text = " ".join(doc.line_text(line).split())
        # A line with a word: a lone ``}`` or ``)`` is in many a fix that adds a block.
        if _IDENT.search(text) and text in suggested:
            return True
    return False


def _breaks_its_line(doc: Document, start: int, end: int, fix: str) -> bool:
    """Whether a one-line fix turns its line, code that parses on its own, into code that does
    not: a corrected line that also rewrote the code before the quote (``f = open(path)``
    quoted as ``open(path)``, the suggestion ``with open(path) as f:``) was put in place of
    the quote, and wrote ``f = with open(path) as f:``. A line that does not parse alone (a
    block's header, part of a longer statement) tells nothing."""
    line = doc.line_at(start)
    if doc.language is None or "\n" in fix.strip() or doc.line_at(end) != line:
        return False
    try:
        parser = doc.language.shared_parser
    except LanguageError:
        return False
    head = doc.data[doc.line_start(line) : start].lstrip()
    tail = doc.data[end : doc.line_end(line)]

    def broken(code: bytes) -> bool:
        return parser.parse(head + code + tail).root_node.has_error

    return not broken(doc.data[start:end]) and broken(fix.strip().encode("utf-8", "surrogatepass"))


def _indent_before(data: bytes, offset: int) -> str | None:
    """The whitespace from the start of ``offset``'s line to it; None when code comes first."""
    head = data[data.rfind(b"\n", 0, offset) + 1 : offset]
    return None if head.strip() else head.decode("utf-8", "replace")


def _fix_base(doc: Document, start: int, end: int, fix: str | None) -> str | None:
    """``Finding.fix_base``: only a one-line quote's fix takes its later lines' indentation from
    the text before the code (a longer quote's from its own lines, which no edit leaves)."""
    if fix is None or "\n" not in fix or b"\n" in doc.data[start:end]:
        return None
    return _indent_before(doc.data, start)


def _reindented(finding: Finding, data: bytes, start: int) -> Finding:
    """``finding`` with its fix's later lines indented for its line as it is now: the user put
    the line in a new block, its code untouched, and the fix wrote ``try:`` in the block and
    ``except`` outside it. A fix that cannot be moved so is no longer offered."""
    old = finding.fix_base
    if old is None or finding.fix is None:
        return finding
    now = _indent_before(data, start)
    if now == old:
        return finding
    first, *rest = finding.fix.split("\n")
    if now is None or any(line.strip() and not line.startswith(old) for line in rest):
        return replace(finding, fix=None, fix_base=None)
    lines = [first] + [now + line[len(old) :] if line.strip() else line for line in rest]
    return replace(finding, fix="\n".join(lines), fix_base=now)


def _line_of_nth_char(doc: Document, start: int, placed: str, n: int) -> int | None:
    """The document line holding the non-whitespace character number ``n`` (from 0) of
    ``placed`` (the text at byte ``start``), when that character begins its line; else None."""
    seen = 0
    for i, ch in enumerate(placed):
        if ch.isspace():
            continue
        if seen == n:
            offset = start + len(placed[:i].encode("utf-8"))
            line = doc.line_at(offset)
            head = doc.data[doc.line_start(line) : offset]
            return line if not head.strip() else None
        seen += 1
    return None


def _written_as_the_file(later: list[str], model_base: str, real_base: str) -> bool:
    """Whether a one-line quote's fix has its later lines indented as the file is, not from the
    quote: the model quoted the line without its indentation and wrote the next lines as the
    prompt shows the code. Read from the quote, ``except`` of a ``try:`` went into the try's
    block and Python no longer compiled the file: taken where that reading returns to a level
    no line opened and this one does not, or where only this one goes a level at a time."""
    body = [line for line in later if line.strip()]
    if not body or len(model_base) >= len(real_base) or not real_base.startswith(model_base):
        return False
    if not all(line.startswith(real_base) for line in body) or not _levels_close(real_base, body):
        return False
    if not _levels_close(model_base, body):
        return True
    # Both read soundly: the file's when it puts the next line one level deeper, where the
    # quote's put it several (``if n is None:`` then ``continue`` five tabs deep for three).
    step = _indent_of(body[0])[len(real_base) :]
    return step == "\t" or (not step.strip(" ") and 2 <= len(step) <= 4)


def _levels_close(first: str, lines: list[str]) -> bool:
    """Whether each of ``lines``, after a first line indented ``first``, is as deep as a line
    before it or deeper than all: a line between two levels closes none (Python refuses it)."""
    open_levels = [_columns(first)]
    for line in lines:
        column = _columns(_indent_of(line))
        if column > open_levels[-1]:
            open_levels.append(column)
            continue
        while open_levels and column < open_levels[-1]:
            open_levels.pop()
        if not open_levels or column != open_levels[-1]:
            return False
    return True


_INDENTED = re.compile(rb"^[ \t]+\S", re.M)


def _file_indent(doc: Document) -> str:
    """What the file's first indented line of code is indented with ("" for none)."""
    m = _INDENTED.search(doc.data)
    return m.group()[:1].decode() if m else ""


def _unredacted(excerpt: str, placed: str) -> str | None:
    """``excerpt`` with each redaction placeholder replaced by the text it stands for in
    ``placed`` (the code it was found as, whitespace aside), or None where they differ."""
    words = [r"\s*".join(re.escape(w) for w in part.split()) for part in excerpt.split(REDACTED)]
    found = re.fullmatch(r"\s*" + r"\s*(.+?)\s*".join(words) + r"\s*", placed, re.S)
    if found is None:
        return None
    secrets = iter(found.groups())
    return re.sub(re.escape(REDACTED), lambda _: next(secrets), excerpt)


def _indent_of(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


#: Columns a tab stands for where a suggestion's indentation is measured against the file's.
_TAB_COLUMNS = 4


def _columns(indent: str) -> int:
    return len(indent.expandtabs(_TAB_COLUMNS))
