"""Text for the terminal, whatever its encoding."""

from __future__ import annotations

import os
import re
from typing import TextIO

#: What a terminal acts on or reorders text by, and no name or finding needs: the C0 and C1
#: controls but whitespace, and the bidirectional embeddings, overrides and isolates.
CONTROLS = "\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u202a-\u202e\u2066-\u2069"
#: One of :data:`CONTROLS`: escaped in a line of code shown, removed from a model's message.
CONTROL = re.compile(f"[{CONTROLS}]")
#: A name's line breaks are all that ``str.splitlines`` (and a browser's log view) breaks at:
#: U+2028 and U+2029 too, after which a name's rest read as a line of its own (``::error``).
_IN_NAMES = re.compile(f"[\t\n\r\x0b\x0c\x85\u2028\u2029{CONTROLS}]")

#: A GitHub Actions workflow command in the legacy form, which the runner takes anywhere in a
#: line of its log (``… ##[error]Approved``; ``::error::`` only at a line's start).
_LEGACY_COMMAND = re.compile(r"##\[(?=[A-Za-z-]+[ \]])")


def shown_name(name: str) -> str:
    """``name`` as git quotes it (core.quotePath aside): with a control, a backslash or a double
    quote, in double quotes, the controls escaped (``\\n``, ``\\x1b``), the backslashes and
    quotes too. A file named ``x\\n::error::…`` wrote a line of its own, which GitHub Actions ran
    as a workflow command, and an escape sequence in a name reached the terminal; unquoted, a
    name with a backslash then ``n`` read as one with a line break. Nor does a name read as a
    command where it begins a line (``./::warning::….py``) or in it (:func:`no_command`)."""
    # Windows names hold no control, no quote, and their backslashes are the separators.
    backslash = "\\" in name and os.sep != "\\"
    if backslash or '"' in name or _IN_NAMES.search(name):
        if os.sep != "\\":
            name = name.replace("\\", "\\\\")
        return '"' + no_command(_IN_NAMES.sub(_escaped, name.replace('"', '\\"'))) + '"'
    shown = no_command(name)
    return "./" + shown if shown.lstrip().startswith("::") else shown


def shown_line(line: str) -> str:
    """One line of a reviewed file (its tabs kept) with its controls escaped: the file may be
    a pull request's, and a raw ESC in the code a finding quotes ran in the terminal."""
    return no_command(CONTROL.sub(_escaped, line))


def no_command(text: str) -> str:
    """``text`` with a legacy workflow command's ``##[`` shown as ``#\\x23[``: a pull request's
    name, code or what it had the model say was run by the runner that printed the review
    (``##[stop-commands]`` turned off the real annotations, ``##[add-mask]`` hid text)."""
    return _LEGACY_COMMAND.sub(r"#\\x23[", text)


def no_command_in_json(text: str) -> str:
    """JSON text whose strings' ``##[`` reads ``##\\u005b``: the same strings to a parser, and
    no command to the runner where the report is printed in a job's log."""
    return text.replace("##[", "##\\u005b")


def _escaped(m: re.Match[str]) -> str:
    return m.group().encode("unicode_escape").decode("ascii")


def showable(text: str, stream: TextIO) -> str:
    """``text`` with what ``stream``'s encoding cannot write escaped (``\\u2192``), as Python
    does on stderr: Windows writes a redirected stdout (``> report.txt``, a CI step's pipe) in
    the ANSI code page, strictly, and a finding saying "→" or quoting a CJK comment raised
    UnicodeEncodeError: the report was lost."""
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        return text.encode(encoding, "backslashreplace").decode(encoding)
    except (LookupError, UnicodeError):
        return text


def counted(n: int, word: str, plural: str | None = None) -> str:
    """``n`` and ``word``, the plural for any number but 1: "1 requests" and "1 file(s)
    reviewed" read as a tool that had not counted. Thousands grouped, as the editors group them."""
    return f"{n:,} {word if n == 1 else plural or word + 's'}"
