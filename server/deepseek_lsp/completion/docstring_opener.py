'''A Python docstring being opened: the cursor right after one to three quotes on the first
line of a function's or class's body (or of the module, at its top), an autopair's quotes
after it or none (`"|"`, `""|""`, three and three, three alone). Such a suggestion is the
whole docstring, its summary and its closing quotes (as Copilot's), not the rest of one line,
and its accept leaves it closed.'''

from __future__ import annotations

import re
from collections.abc import Callable

#: The line before the cursor: its indent, a prefix (`r`, `u`) and the quotes typed.
_TYPED = re.compile(r"^(?P<indent>[ \t]*)[rRuU]?(?P<quotes>\"{1,3}|'{1,3})$")
#: A function's or class's header, its `:` ending the line (a comment after it left out).
_HEADER = re.compile(r"^\s*(?:async\s+)?(?:def|class)\b.*:\s*(?:#.*)?$")


def opened_docstring(before: str, after: str, header: Callable[[], str]) -> str | None:
    """The quote of a docstring opened on the cursor's line (``before`` and ``after`` it), the
    first line of the body whose header ``header()`` gives (the line of code above, joined
    over its lines, empty at the module's top; read only for a line of quotes), with the
    autopair's closing quotes after the cursor or nothing; None when it is not one."""
    typed = _TYPED.match(before)
    if typed is None:
        return None
    quote = typed["quotes"][0]
    rest = after.rstrip()
    if rest.strip(quote) or len(rest) > 3:
        return None
    above = header()
    if not typed["indent"]:
        # At column 0: the module's docstring when no code stands above it.
        return None if above.strip() else quote
    if not _HEADER.match(above):
        return None
    header_indent = len(above.expandtabs(8)) - len(above.expandtabs(8).lstrip())
    if len(typed["indent"].expandtabs(8)) <= header_indent:
        return None
    return quote


#: A triple-quoted string opened at the line's end where a value goes (`help = """`,
#: `description="""`, `execute(f'''`, `return """`), its prefix letters before it.
_STRING_OPENED = re.compile(r"""(?:[=(,\[{:]|\b(?:return|yield))\s*[rRbBuUfF]{0,2}(\"{3}|'{3})$""")


def opened_string(before: str, after: str) -> str | None:
    """The quote of a triple-quoted string that ``before``, the cursor's line up to it, opens
    at its end where a value goes, with the autopair's closing quotes after the cursor or
    nothing (``after``); None else. Its text is asked for whole down to its closer, as a
    docstring's (and as those whose quotes a backslash ends are): asked for the line alone, the
    first line of its text was shown (nothing where it starts on the next), the string left
    open. (Whether the line starts in a string above, its quotes closing that one, is the
    caller's.)"""
    m = _STRING_OPENED.search(before)
    if m is None or after.strip() not in ("", m[1]):
        return None
    return m[1][0]


def autopair_quotes(suffix: str, quote: str) -> str:
    """The quotes an autopair left after the cursor at the start of ``suffix`` (the rest of
    the cursor's line, when it holds ``quote`` alone), which a docstring's insert replaces."""
    line = suffix.partition("\n")[0].rstrip()
    return "" if line.strip(quote) else line


def whole_docstring(text: str, quote: str, before: str) -> str | None:
    """``text``, the model's answer after ``before`` (the indent and the quotes typed), as the
    insert that leaves the docstring opened and closed, the line's autopair quotes replaced:
    its opening quotes made three (the model's `""Summary` after `"|"`), and its closer kept
    where the model wrote it or added (on a line of its own below a text of many lines, the
    model's partial closer counting on the autopair's quote dropped). None: no triple-quoted
    docstring (a one-quote `"Summary."`), left to the line's own rules. In a CRLF file, in
    the text's line ends (the closer added below its text came after a lone LF)."""
    if "\r\n" not in text:
        return _whole(text, quote, before)
    whole = _whole(text.replace("\r\n", "\n"), quote, before)
    return None if whole is None else whole.replace("\n", "\r\n")


def _whole(text: str, quote: str, before: str) -> str | None:
    """:func:`whole_docstring` of a ``text`` of LF line ends."""
    triple = quote * 3
    typed = len(before) - len(before.rstrip(quote))
    missing = quote * (3 - typed)
    if text.startswith(missing):
        rest = text[len(missing) :]
    elif "\n" in text.strip():
        rest = text  # many lines are no one-quote string: the opener's quotes are missing
    else:
        return None
    end = rest.find(triple)
    if end >= 0:
        return missing + rest[: end + 3] + rest[end + 3 :].rstrip(quote)
    body = rest.rstrip().rstrip(quote)
    last = body.rpartition("\n")[2]
    if "\n" in body and not last.strip():
        return missing + body + triple  # the model's closer line, its quotes cut short
    body = body.rstrip()
    if "\n" not in body:
        return missing + body + triple
    indent = before[: len(before) - len(before.lstrip())]
    return f"{missing}{body}\n{indent}{triple}"


def docstring_end(text: str, quote: str) -> int | None:
    """Where ``text``, a docstring's answer streaming in past its opening quotes (the rest of
    one asked for: fetching.py), has written its closer: the end of the closer's line; None:
    not yet. The code the model writes after it is no part of the suggestion."""
    at = text.find(quote * 3)
    if at < 0:
        return None
    end = text.find("\n", at)
    return None if end < 0 else end
