"""Text for the terminal, whatever its encoding."""

from __future__ import annotations

from typing import TextIO


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
    reviewed" read as a tool that had not counted."""
    return f"{n} {word if n == 1 else plural or word + 's'}"
