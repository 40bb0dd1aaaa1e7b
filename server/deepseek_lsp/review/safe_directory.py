"""The ``git config --global --add safe.directory`` command that trusts a checkout git refuses as
another user's, quoted for the shell it is pasted into (see ``changed.refused_repository``).
"""

from __future__ import annotations

import os
import re
import shlex

_COMMAND = "git config --global --add safe.directory "
#: What no quoting shows as written: a line break split the advice over two lines, an ESC ran in
#: the terminal; and a byte of a name that is not UTF-8 (os.fsdecode's surrogate), printed as
#: Python's "\udce9", six characters of another path.
_CONTROL = re.compile(r"[\x00-\x1f\x7f\udc80-\udcff]")
#: Special inside double quotes to PowerShell ($, `, and its typographic double quotes, which end
#: the string as " does) or to cmd.exe (%, !): a Windows path holds no double quote.
_WINDOWS_SPECIAL = re.compile(r"[$`%!\u201c\u201d\u201e]")
#: Unquoted alike to both (a comma is PowerShell's array: "C:/a,b" went to git as two values).
_WINDOWS_PLAIN = re.compile(r"[\w:/\\.\-+=@]+")
#: PowerShell's single quotes, typographic ones too: each is doubled inside '…'.
_POWERSHELL_QUOTE = re.compile(r"['\u2018\u2019\u201a\u201b]")


def safe_directory_advice(where: str, *, windows: bool = os.name == "nt") -> str:
    """"if you trust it, `COMMAND`", ``where`` quoted so that the command, pasted as said, runs:
    on Windows for cmd.exe and PowerShell both (one command where one quoting serves both),
    elsewhere for a POSIX shell (bash's ``$'…'`` for a control character)."""
    if not windows:
        return f"if you trust it, `{_COMMAND}{_posix_quoted(where)}`"
    if _WINDOWS_PLAIN.fullmatch(where):
        return f"if you trust it, `{_COMMAND}{where}`"
    if not _WINDOWS_SPECIAL.search(where):
        return f'if you trust it, `{_COMMAND}"{where}"`'
    powershell = "'" + _POWERSHELL_QUOTE.sub(lambda m: m.group() * 2, where) + "'"
    return (
        f"if you trust it, in cmd.exe `{_COMMAND}{_cmd_quoted(where)}` or in PowerShell "
        f"`{_COMMAND}{powershell}`"
    )


#: What cmd.exe expands inside double quotes too: ``%NAME%`` (a lone % it leaves).
_CMD_VARIABLE = re.compile(r"%[^%]+%")


def _cmd_quoted(where: str) -> str:
    """``where`` in double quotes for cmd.exe, each ``%`` of a ``%NAME%`` it would expand
    (``C:/Users/%USERNAME%/shop``: git was told another user's folder) outside them as ``^%``:
    cmd.exe looks the name up with its quotes and caret in it, finds none and leaves it, then
    takes the caret away. Backslashes before a closing quote are doubled, which the program's
    own reading of its command line would take for a quote written out."""
    if not _CMD_VARIABLE.search(where):
        return f'"{where}"'
    parts = where.split("%")
    quoted = [re.sub(r"(\\+)$", r"\1\1", part) for part in parts]
    return '"' + '"^%"'.join(quoted) + '"'


def _posix_quoted(where: str) -> str:
    if not _CONTROL.search(where):
        return shlex.quote(where)
    # bash, zsh and ksh read $'…' (and POSIX sh since its 2024 edition); nothing else quotes a
    # control character without writing it raw.
    inner = where.replace("\\", "\\\\").replace("'", "\\'")
    return "$'" + _CONTROL.sub(lambda m: f"\\x{ord(m.group()) & 0xFF:02x}", inner) + "'"
