"""Secrets a Markdown file lists (a README's, a wiki page's, notes): an item naming a secret
(``- **API_KEY**: …``, ``1. API key: `…` ``, ``* `DB_PASSWORD` = …``), the items under a heading
naming secrets (``## API keys`` then ``- prod: …``), and tables (a row naming a secret then its
value, ``| API_KEY | … |``; a column headed by one, ``| Service | Token |``). Each went out: a
name in emphasis or code marks, with spaces, or in a cell was no assignment's.

A value is judged as a list's item is (:func:`.lists._secret_item`): shaped as a key or a password
(8 characters or more, digits in mixed case, …), so the prose and the types a README's tables
hold (``| token | string | The API token |``) stay."""

from __future__ import annotations

import re
from itertools import pairwise

from .lists import _secret_item
from .sections import _redact_values
from .values import _ASSIGNED_NAME, REDACTED, _line_start

#: A name a README gives a secret: an identifier (``API_KEY``, ``db.password``), or words ending
#: in one (``Admin password``, ``API key``, ``Secret access key``), in a case-insensitive
#: verbose pattern.
_NAME = (
    r"""(?:[A-Za-z][\w.-]*[\ \t]+){0,3}(?:"""
    + _ASSIGNED_NAME
    + r"""|(?:api|access|secret|private|license|master|encryption|signing)[\ \t]+keys?)"""
)
_WHOLE_NAME = re.compile(r"(?ix)" + _NAME)
#: Where a list item's text starts: its indent, a quote's ``>``, its bullet or number.
_BULLET = r"""[\ \t]*(?:>[\ \t]*)*(?:[-*+]|\d{1,3}[.)])[\ \t]+"""
#: An item (or a line) naming a secret, then its value alone on the rest of its line: the name in
#: emphasis or code marks (``mark``), a colon inside them (``colon``: ``**API key:**``) or a
#: separator after them (``:``, ``=``, a dash), a note between (``(required)``), the value in
#: backticks or not.
_ITEM = re.compile(
    # (A bullet, a mark or two words first, looked for at once: a line of code or a YAML
    # value ran the name's search.)
    r"""(?imx)^(?=[\ \t>]*(?:[-*+\d]|\*|_|`|[a-z][\w.-]*[\ \t]+[a-z]))(?P<bullet>"""
    + _BULLET
    + r""")?[\ \t]*(?P<mark>\*\*|__|`|\*)?(?P<name>"""
    + _NAME
    + r""")(?:[\ \t]*(?P<colon>:))?(?(mark)(?P=mark))"""
    r"""(?:[\ \t]*\([^()\r\n]{1,40}\))?[\ \t]*(?(colon)|(?::|=|--?|\u2014|\u2013)[\ \t]*)(?P<tick>`?)(?P<value>[^\s`|"',;]{8,})(?P=tick)[\ \t]*(?=\r?$)"""
)
#: A heading naming secrets (group 1) and the list items and blank lines below it (group 2).
_HEADING_LIST = re.compile(
    r"""(?imx)^[\ \t]{0,3}\#{1,6}[\ \t]+(""" + _NAME + r""")[\ \t]*\#*[\ \t]*\r?\n"""
    r"""((?:(?:""" + _BULLET + r"""[^\r\n]*)?[\ \t]*\r?(?:\n|\Z))+)"""
)
#: One item under such a heading: its label (``prod:``, ``**prod** -``) or none, its value
#: (group 2) in backticks (group 1) or not, alone on the rest of its line.
_HEADING_ITEM = re.compile(
    r"""(?m)^"""
    + _BULLET
    + r"""(?:[\w*`.\ -]{1,40}?[\ \t]*(?::|=|--?|\u2014|\u2013)[\ \t]*)?(`?)([^\s`|]{8,})\1[\ \t]*(?=\r?$)"""
)
#: A table's lines, each starting with its ``|``.
_TABLE = re.compile(r"(?m)^[ \t]*\|[^\r\n]*(?:\r?\n[ \t]*\|[^\r\n]*)*")
#: A table's delimiter row, below its header (``|---|:--:|``).
_DELIMITER_ROW = re.compile(r"[ \t]*\|(?:[ \t]*:?-+:?[ \t]*\|)*[ \t]*:?-+:?[ \t]*\|?[ \t]*\r?")
#: A cell's marks around a name or a value: emphasis, code, quotes, a colon after a name.
_MARKS = " \t*_`\"':"


def _cells(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The (start, end) spans of the cells of the table row ``text[start:end]``, blanks left out:
    the texts between its ``|`` (not an escaped ``\\|``)."""
    bars = [at for at in range(start, end) if text[at] == "|" and text[at - 1 : at] != "\\"]
    if text[bars[-1] + 1 : end].strip():
        bars.append(end)  # no closing ``|``
    cells = []
    for lo, hi in pairwise(bars):
        cell = text[lo + 1 : hi]
        cells.append((lo + 1 + len(cell) - len(cell.lstrip()), hi - len(cell) + len(cell.rstrip())))
    return cells


def _name(cell: str) -> str | None:
    """The secret's name a cell holds (``API_KEY``, ``**API key**``), or None."""
    name = cell.strip(_MARKS)
    return name if _WHOLE_NAME.fullmatch(name) else None


def _value(text: str, start: int, end: int, name: str) -> tuple[int, int] | None:
    """The span of the secret in the cell ``text[start:end]`` under ``name``, its marks left out."""
    marks = len(text[start:end]) - len(text[start:end].lstrip("`\"'"))
    start, end = start + marks, end - marks
    if start >= end or (marks and text[end : end + marks] != text[start - marks : start]):
        return None
    return (start, end) if _secret_item(name, "", text[start:end]) else None


def _table_values(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The secrets of the table ``text[start:end]``: a cell after one naming a secret, or one in a
    column headed by such a name."""
    rows = []
    at = start
    while at < end:
        nl = text.find("\n", at, end)
        stop = end if nl < 0 else nl
        rows.append((at, stop))
        at = stop + 1
    columns: dict[int, str] = {}
    if len(rows) >= 2 and _DELIMITER_ROW.fullmatch(text, *rows[1]):
        columns = {
            i: name
            for i, (lo, hi) in enumerate(_cells(text, *rows[0]))
            if (name := _name(text[lo:hi]))
        }
        rows = rows[2:]
    spans = []
    for row in rows:
        cells = _cells(text, *row)
        for i, (lo, hi) in enumerate(cells):
            name = columns.get(i) or (_name(text[slice(*cells[i - 1])]) if i else None)
            if name and (span := _value(text, lo, hi, name)):
                spans.append(span)
    return spans


def _heading_values(match: re.Match[str]) -> list[tuple[int, int]]:
    name = match.group(1)
    return [
        m.span(2)
        for m in _HEADING_ITEM.finditer(match.string, *match.span(2))
        if _secret_item(name, "", m.group(2))
    ]


def _item_value(match: re.Match[str]) -> tuple[int, int] | None:
    """The item's value's span where it is a secret. A line without Markdown's bullet or marks is
    one only where its name has words (``API key: …``): ``Token: "#ddd0c0",`` is code's."""
    name = match.group("name")
    if not (match.group("bullet") or match.group("mark") or " " in name.strip()):
        return None
    return match.span("value") if _secret_item(name, "", match.group("value")) else None


def _redacted(match: re.Match[str], spans: list[tuple[int, int]]) -> str:
    """``match``'s text with ``spans`` (positions in its string) redacted."""
    text, done = match.string, match.start()
    out = []
    for start, end in spans:
        out += [text[done:start], REDACTED]
        done = end
    return "".join(out) + text[done : match.end()]


#: The patterns, one-line ones whose text (a span) :mod:`.triggers` takes to a table's or a
#: heading's list's end.
MARKDOWN_PATTERNS = (
    (_ITEM, lambda m: _redacted(m, [span] if (span := _item_value(m)) else [])),
    (_HEADING_LIST, lambda m: _redacted(m, _heading_values(m))),
    (_TABLE, lambda m: _redacted(m, _table_values(m.string, *m.span()))),
)


#: What a text holds for each pattern to find a secret (see triggers._apply): a bullet, a mark or a
#: name of words (``API key``, ``Admin password``) for an item; a heading; a table's row. A span of
#: code naming a ``token`` ran them all.
MARKDOWN_PREFILTERS = {
    # (Each alternative after one of a few characters, a line break's, a mark's or a blank: re
    # skips to those; as alternatives at each position, 1 ms over a 10 kB span.)
    _ITEM: re.compile(
        r"(?i)[\n*`_ \t](?:(?<=\n)[ \t>]*(?:[-*+]|\d{1,3}[.)])[ \t]|(?<=[*`])|(?<=_)_"
        r"|(?<=[ \t])(?:api|access|secret|private|license|master|encryption|signing)[ \t]+key"
        # (The name's secret word right before its separator: a ``\w*`` after it was tried to
        # the line's end from each ``token`` of a line of them.)
        r"|(?<=[a-z][ \t])[ \t]*[\w.-]*?(?:pass(?:word|wd|phrase)?|pwd?|secrets?|tokens?|credentials?)[ \t]*"
        r"(?:\([^()\r\n]*\)[ \t]*)?(?:[:=\u2014\u2013]|-(?!>)))"
        r"|\A[ \t>]*(?:[-*+]|\d{1,3}[.)])[ \t]"
    ),
    _HEADING_LIST: re.compile(r"(?m)^[ \t]{0,3}#{1,6}[ \t]"),
    _TABLE: re.compile(r"(?m)^[ \t]*\|"),
}


def _values(text: str) -> list[tuple[int, int]]:
    """Every Markdown secret's span in ``text``, in order."""
    spans = [span for m in _ITEM.finditer(text) if (span := _item_value(m))]
    spans += [span for m in _HEADING_LIST.finditer(text) for span in _heading_values(m)]
    spans += [span for m in _TABLE.finditer(text) for span in _table_values(text, *m.span())]
    return sorted(set(spans))


#: A line that goes on with a Markdown list or table: a row's ``|``, an item's bullet.
_GOES_ON = re.compile(_BULLET + r"|[ \t]*\|")
#: A heading naming a secret, or a table's row naming one (lower-cased text).
_NAMED_ABOVE = re.compile(
    r"(?ix)^[\ \t]{0,3}\#{1,6}[\ \t]+" + _NAME + r"|^[\ \t]*\|[^\r\n]*?(?<![\w.-])" + _NAME, re.M
)


def may_continue_markdown(text: str, before: str, after: str) -> bool:
    """Whether ``text`` may start inside a Markdown list or table of secrets whose heading or
    header is in ``before``, or end inside an item or a row ``after`` goes on with (the cursor
    inside its value)."""
    last = text[_line_start(text, len(text)) :]
    if after and last.strip() and after[:1] not in "\r\n" and _GOES_ON.match(last):
        return True
    if not before:
        return False
    seam = before[_line_start(before, len(before)) :] + text[: text.find("\n") + 1 or len(text)]
    goes_on = _GOES_ON.match(seam) or _GOES_ON.match(
        text.lstrip("\r\n")
    )  # a blank line below a heading too
    return (
        goes_on is not None
        and _NAMED_ABOVE.search(before, max(0, len(before) - _ABOVE_CHARS)) is not None
    )


#: How far above a text its table's header or its list's heading is looked for.
_ABOVE_CHARS = 4096


def redact_markdown_across(text: str, before: str, after: str) -> str:
    """``text`` with the secrets redacted of a Markdown list or table it starts or ends inside of
    (``before`` and ``after`` the text around it: a table's header, a heading, an item's value
    the cursor cuts)."""
    below = after.find("\n") + 1 or len(after)
    return _redact_values(
        text, before, after, _values, above_chars=min(len(before), _ABOVE_CHARS), below_chars=below
    )
