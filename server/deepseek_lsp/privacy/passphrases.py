"""A passphrase: words with no digit, after a password's name (``password = correct horse
battery staple`` in an INI or .env file, ``password: purple monkey dishwasher`` in YAML, a
note's ``# password:`` with the words on the line below). A word at a time, the value rules
took the first word of an INI line for the password and sent the rest; the rest of the forms
went out whole, taken for prose."""

from __future__ import annotations

import re

from .values import REDACTED

#: Words that make a line prose or code, not a passphrase (``password: must be at least 8
#: characters``, ``# password: see the vault``, ``password = secret if x else y``).
_NOT_PASSPHRASE = frozenset(
    (
        *("a", "an", "the", "is", "are", "be", "was", "must", "should", "will", "can", "may", "to", "of"),
        *("for", "from", "in", "on", "at", "by", "with", "as", "your", "you", "our", "their", "its", "this"),
        *("that", "it", "see", "use", "set", "enter", "not", "no", "and", "or", "if", "else", "then", "when"),
        *("required", "optional", "none", "null", "true", "false", "here", "there", "same", "only", "any"),
        *("do", "does", "we", "has", "have", "contains", "stored", "hashed", "field", "value", "string"),
        *("user", "users", "password", "passwords", "empty", "default", "ask", "prompt", "read", "get"),
        *("return", "import", "raise", "yield", "await", "pass", "def", "class", "echo", "print", "end"),
        *("all", "each", "every", "some", "but", "so", "than", "into", "out", "up", "over", "about"),
        # A sample's placeholder (``password: please change me``).
        *("please", "change", "me", "changeme", "replace", "todo", "fixme", "placeholder", "example"),
        # nsswitch.conf's sources (``passwd: files systemd``, in every Linux system's /etc).
        *("files", "compat", "systemd", "sss", "ldap", "nis", "nisplus", "winbind", "altfiles", "extrausers"),
    )
)
#: A password's name at its line's start (a few words before it: ``# wifi password:``), in a
#: comment or not (``#``, ``//``, ``;``), unquoted or in quotes, an ``export`` or ``set`` before
#: it; its ``=`` or ``:``; then words to the line's end, on its line or alone on the next (a
#: YAML block scalar's, ``password: >`` then the words),
#: commented as the name's line (code below a comment's heading is code), a comment after
#: them. Not ``pass``: a mode's (``PASS: pass through mode``). The words may go on over lines
#: (uncommented): a YAML folded or plain scalar's, an INI value's indented further than its
#: name's line (blank lines between too, as YAML and configparser read them: a folded scalar's
#: paragraph break sent the words below it), after a ``\`` (a properties file's), or inside
#: quotes (``"correct horse`` then ``battery staple"``); each line's rest went out, no
#: password's name on it.
_PASSPHRASE = re.compile(
    r"""(?imx)^(
        (?P<indent>[ \t]*)(?P<mark>(?:\#|//|;)[ \t]*)?(?:(?:export|set)[ \t]+)?["']?
        (?:[\w.-]+[ \t]+){0,3}[\w.-]*?(?:password|passwd|passphrase|pwd)["']?[ \t]*[:=][ \t]*
        (?:(?P<block>[|>][+-]?[1-9]?[+-]?[ \t]*)?\r?\n(?(block)(?:[ \t]*\r?\n)*)[ \t]*(?(mark)(?P=mark)|)[ \t]*)?
        (?P<quote>["'](?=[A-Za-z[]))?
    )
    (?P<words>(?:\[REDACTED\]|[A-Za-z][A-Za-z'-]*)(?:(?:[ \t]+|"""
    r"""(?(mark)(?!)|(?:[ \t]*\\\r?\n[ \t]*|(?(quote)[ \t]*\r?\n[ \t]*|\r?\n(?:[ \t]*\r?\n)*(?P=indent)[ \t]+))))[A-Za-z][A-Za-z'-]*){1,11})"""
    r"""(?:(?(quote)(?P=quote))(?P<after>[ \t]*(?:(?<=[ \t])(?:\#|;|//)[^\r\n]*)?)(?=\r?$)"""
    # Or a line going on (its ``\``, inside quotes a line break) where the text ends: a prompt's
    # suffix cut there, the next line's words out of it (its first words went out).
    r"""|(?P<cut>[ \t]*(?:\\|(?(quote)|(?!)))\r?\n?\Z))"""
)
#: Where a passphrase's words go on to the next line (see :data:`_PASSPHRASE`), blank lines
#: between (each one's placeholder would have been a line of the value it is not).
_LINE_BREAK = re.compile(r"[ \t]*\\?\r?\n(?:[ \t]*\r?\n)*[ \t]*")


def _passphrase(match: re.Match[str]) -> str:
    words = _LINE_BREAK.sub(" ", match.group("words")).split()  # (a line's ``\`` is no word)
    # Its first word taken for the password already: the rest too, capitalised as a password
    # manager's passphrase may be (``Correct Horse Battery Staple``); else lower-case words, not
    # a heading's or a label's (``# Password: Reset Link``, ``password: Mot de passe``).
    valued = words[0] == REDACTED
    if valued:
        words = words[1:]
    elif "\n" in match.group(1) and len(words) < 3 and not match.group("block"):
        # A comment's words below (``# client error``): three at least. A block scalar's two (a
        # prompt's suffix may end after its first line: ``password: >`` then ``correct horse``).
        return match.group(0)
    if not _words_of_passphrase(words, capitalised=valued):
        return match.group(0)
    # Each line's words replaced on their line (a review's line numbers, and a prompt's window
    # starting on the second line, whose name is above it); a comment after them stays (an
    # INI's ``; home``, a .env's ``# home``).
    value = REDACTED + "".join(brk + REDACTED for brk in _LINE_BREAK.findall(match.group("words")))
    if match.group("cut") is not None:
        return match.group(1) + value + match.group("cut")
    return match.group(1) + value + (match.group("quote") or "") + match.group("after")


def words_after(match: re.Match[str], cut: int) -> str | None:
    """What replaces the part of a passphrase's ``match`` after ``cut``, inside its words, where
    the text before ``cut`` went out apart (a prompt's window ending on its first line, in a
    word, or on its second, the name above it): each line's words by the placeholder, its line
    breaks kept. None where ``match`` is no passphrase's, or ``cut`` is not inside its words."""
    if match.re is not _PASSPHRASE or not match.start("words") < cut < match.end("words"):
        return None
    if _passphrase(match) == match.group(0):
        return None
    rest = match.string[cut : match.end("words")]
    pieces = [piece[: len(piece) - len(piece.lstrip())] + REDACTED if piece.strip() else piece for piece in _LINE_BREAK.split(rest)]
    breaks = [*_LINE_BREAK.findall(rest), ""]
    return "".join(piece + brk for piece, brk in zip(pieces, breaks, strict=True)) + match.string[match.end("words") : match.end()]


def _words_of_passphrase(words: list[str], *, capitalised: bool = False) -> bool:
    """Whether ``words`` may be a passphrase: lower-case (``capitalised``: any case), none of the
    words prose or code has."""
    return not any(word.lower() in _NOT_PASSPHRASE or not (capitalised or word.islower()) for word in words)


#: A passphrase between a password's tags (Maven's settings.xml, a Spring bean's), on their line:
#: the XML rule takes one word there (a ``<PasswordHint>``'s text is words) and it went out.
_XML_PASSPHRASE = re.compile(
    r"(?i)(<(password|passphrase|passwd|pwd)>[ \t]*)([a-z][a-z'-]*(?:[ \t]+[a-z][a-z'-]*){1,7})(?=[ \t]*</\2>)"
)


def _xml_passphrase(match: re.Match[str]) -> str:
    words = match.group(3).split()
    return match.group(1) + REDACTED if _words_of_passphrase(words) else match.group(0)


PASSPHRASE_PATTERNS = ((_PASSPHRASE, _passphrase), (_XML_PASSPHRASE, _xml_passphrase))
