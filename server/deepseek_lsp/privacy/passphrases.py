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
#: them. Not ``pass``: a mode's (``PASS: pass through mode``).
_PASSPHRASE = re.compile(
    r"""(?imx)^(
        [ \t]*(?P<mark>(?:\#|//|;)[ \t]*)?(?:(?:export|set)[ \t]+)?["']?
        (?:[\w.-]+[ \t]+){0,3}[\w.-]*?(?:password|passwd|passphrase|pwd)["']?[ \t]*[:=][ \t]*
        (?:(?:[|>][+-]?[1-9]?[+-]?[ \t]*)?\r?\n[ \t]*(?(mark)(?P=mark)|)[ \t]*)?
    )
    (?P<words>(?:\[REDACTED\]|[A-Za-z][A-Za-z'-]*)(?:[ \t]+[A-Za-z][A-Za-z'-]*){1,7})
    (?P<after>[ \t]*(?:(?<=[ \t])(?:\#|;|//)[^\r\n]*)?)(?=\r?$)"""
)


def _passphrase(match: re.Match[str]) -> str:
    words = match.group("words").split()
    # Its first word taken for the password already: the rest too, capitalised as a password
    # manager's passphrase may be (``Correct Horse Battery Staple``); else lower-case words, not
    # a heading's or a label's (``# Password: Reset Link``, ``password: Mot de passe``).
    valued = words[0] == REDACTED
    if valued:
        words = words[1:]
    elif "\n" in match.group(1) and len(words) < 3:
        return match.group(0)  # a comment's words below (``# client error``): three at least
    if not _words_of_passphrase(words, capitalised=valued):
        return match.group(0)
    # A comment after the words (an INI's ``; home``, a .env's ``# home``) stays.
    return match.group(1) + REDACTED + match.group("after")


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
