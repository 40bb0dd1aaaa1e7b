"""What never leaves the machine: excluded files, and secret-looking strings inside sent text."""

from __future__ import annotations

import base64
import functools
import itertools
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath
from typing import Any, Literal
from urllib.parse import unquote, urlparse

from cachetools import TTLCache

REDACTED = "[REDACTED]"


def _is_user_and_password(value: str) -> bool:
    """Whether ``value`` is base64 of ``user:password`` (what anyone decodes)."""
    try:
        decoded = base64.b64decode(value + "=" * (-len(value) % 4), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return False
    return ":" in decoded and decoded.isprintable()


def _basic_credentials(match: re.Match[str]) -> str:
    if not _is_user_and_password(match.group(2)):
        return match.group(0)
    return f"{match.group(1)} {REDACTED}"


def _url_password(match: re.Match[str]) -> str:
    """A URL's password, unless a word in its place (``http://joe:password@proxy``: a doc's) or
    its user's name again (``amqp://guest:guest@``: a server's default, the first guess)."""
    if _SECRET_PLACEHOLDER.fullmatch(match.group(2)) or match.group(2) == match.group(1)[3:-1]:
        return match.group(0)
    return match.group(1) + REDACTED + match.group(3)


#: A user's name made of words and numbers (``build-bot-01``, ``svc_deploy_2024``), not a token.
_NAMED_USER = re.compile(r"[A-Za-z]+\d*(?:[_-](?:[A-Za-z]+|\d+))*")


def _url_token(match: re.Match[str]) -> str:
    """A URL's user that is a generated token: letters and at least four digits (most of an
    Azure DevOps PAT's characters are letters), or digits and mixed case, as in a random key."""
    token = match.group(2)
    digits = sum(ch.isdigit() for ch in token)
    if digits == 0 or digits == len(token) or _NAMED_USER.fullmatch(token):
        return match.group(0)
    if digits < 4 and not _mixed_case(token):
        return match.group(0)
    return match.group(1) + REDACTED + match.group(3)


def _docker_auth(match: re.Match[str]) -> str:
    return match.group(1) + REDACTED if _is_user_and_password(match.group(2)) else match.group(0)


def _base64_private_key(match: re.Match[str]) -> str:
    head = match.group(0)[:64]  # "-----BEGIN ... PRIVATE KEY-----" is in the first 48 bytes
    try:
        decoded = base64.b64decode(head[: len(head) // 4 * 4])
    except ValueError:
        return match.group(0)
    return REDACTED if b"PRIVATE KEY" in decoded else match.group(0)  # a certificate is public


# The literal first, its word boundary after: a leading ``\b`` took re's prefix search away
# (1 ms over a 12 kB window of ``SG.`` lines, 0.01 ms so).
_SENDGRID = re.compile(r"SG\.(?<=\bSG\.)[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])")
#: A Twilio API key (``SK`` and 32 hex digits), the same way: "sk" is in every ``task``.
_TWILIO = re.compile(r"SK(?<=\bSK)[0-9a-fA-F]{32}(?![A-Za-z0-9_])")

#: A Twilio auth token after its account's SID (``Client("AC...", "...")``): the SID is an
#: account's name, the token its password (32 hex digits, like many a hash: only after a SID).
_TWILIO_AUTH = re.compile(r"""(AC(?<=\bAC)[0-9a-f]{32}["']?[ \t]*,\s*["'])[0-9a-f]{32}(?=["'])""")

#: An XML element's or attribute's name that says it holds a secret (``dbPassword``, ``api.token``).
_SECRET_NAME = r"[\w.:-]*?(?:password|passwd|passphrase|secret|token|api[_-]?key|access[_-]?key|private[_-]?key)"

#: A word in a name that says it holds a secret.
#: (A framework's key that signs or encrypts: Laravel's ``APP_KEY``, Rails' ``RAILS_MASTER_KEY``,
#: an ``ENCRYPTION_KEY``; a product's ``LICENSE_KEY``.)
_SECRET_WORDS = (
    r"(?:SECRET|PASSWORD|PASSWD|PASSPHRASE|PWD|TOKEN(?!I[SZ])|API[_-]?KEY|ACCESS[_-]?KEY|PRIVATE[_-]?KEY|CREDENTIALS?"
    r"|(?:MASTER|ENCRYPTION|LICENSE|APP)_?KEY)"
)

#: A name an assignment of a secret is to (``DB_PASSWORD``, ``apiKey``, ``smtpPass``), in a
#: case-insensitive verbose pattern. The whole word holding such a word, found by a lookahead:
#: as ``[A-Z0-9_]*WORD[A-Z0-9_]*`` each of its splits was tried, and a 27 kB run of ``pwd``
#: (a minified line, a hash) took 28 s a keystroke; one split, its one hyphen (``api-key``)
#: where the word has it, keep the search linear.
_ASSIGNED_NAME = r"""\b(?:(?=[A-Z0-9_]*?""" + _SECRET_WORDS + r""")[A-Z0-9_]+(?:(?:(?<=API)|(?<=ACCESS)|(?<=PRIVATE))-KEY[A-Z0-9_]*)?(?![A-Z0-9_])
    |(?:[A-Z0-9_]*_)?PASS  # ``pass``, ``SMTP_PASS`` (nodemailer, compose files); not ``bypass``
    # A word run into it (``DBPASS``, ``remotepass``, ``SSHPASS``); not ``compass``, ``surpass``.
    |(?:DB|ROOT|ADMIN|USER|SSH|SMTP|MAIL|FTP|SQL|MYSQL|PG|REDIS|REMOTE|LOCAL|RPC|VNC|WIFI|LDAP|BIND|PROXY|STORE|KEY)PASS(?![A-Z0-9_])
    |(?-i:[A-Za-z0-9]*[a-z0-9]Pass)  # camelCase ``dbPass``, ``smtpPass``; not ``compass``
    )"""


#: Blank lines, then the spaces before a value on its line, each after a comment mark or not.
_LINES_TO_VALUE = r"(?:[ \t]*(?:(?:\#|//|--)[ \t]*)?\r?\n)*[ \t]*(?:(?:\#|//|--)[ \t]*)?"


def _multiline_value(match: re.Match[str]) -> str:
    # As in an assignment on one line: an address is where a secret is asked for.
    value = match.group(3)
    if value.lower().startswith(("http://", "https://")) and "@" not in value:
        return match.group(0)
    return match.group(1) + REDACTED


def _command(name: str, *, continued: bool = False) -> str:
    """``name`` (a command's, as a pattern) and the rest of its line up to a flag, lazily, but
    not past the next command of that name: that one is tried on its own, and from each ``curl``
    in a line of them the scan ran to the line's end (2 s over 27 kB). The same matches.
    ``continued``: and its lines continued after a ``\\`` (``curl -sS \\`` then ``-u name:X``)."""
    rest = r"(?:[^\r\n]|\\\r?\n)" if continued else r"[^\r\n]"
    return rf"{name}(?:(?!{name}){rest})*?"


#: sudo's options before its ``-S``: flags, and those that take a value (``-u app``, ``-g wheel``,
#: ``-p ''``, ``--user=app``), which hid the ``-S`` after them. A value never starts with ``-``:
#: one reading of each option, so the search stays linear.
_SUDO_OPTIONS = (
    r"""(?:[ \t]+(?:-[A-Za-z]*[ugpCDhrtTU][ \t]+(?:'[^'\r\n]*'|"[^"\r\n]*"|[^\s'"-]\S*)"""
    r"""|-[A-Za-z]+|--[A-Za-z][\w-]*(?:=\S*)?))*?"""
)


#: A placeholder in a usage line (``--password PASSWORD``, ``-p PASS``, ``--password …``).
_PLACEHOLDER = re.compile(r"[A-Z][A-Z_]*|\.\.\.|…")


def _cli_password_in_list(match: re.Match[str]) -> str:
    return match.group(0) if _PLACEHOLDER.fullmatch(match.group(4)) else match.group(1) + REDACTED


def _user_password_in_list(match: re.Match[str]) -> str:
    user, password = match.group(4), match.group(5)
    if password.isdigit() or password == user or _PLACEHOLDER.fullmatch(password):
        return match.group(0)  # a user and group id, not a password
    return match.group(1) + REDACTED


def _batch_password(valued: str) -> Callable[[re.Match[str]], str]:
    """The replacement for a tool that takes a password in batch mode, ``-b``, as its last
    positional word (``valued``: its options that take a value)."""
    return functools.partial(_htpasswd, valued=frozenset(valued))


def _htpasswd(match: re.Match[str], valued: frozenset[str] = frozenset("Cr")) -> str:
    """``htpasswd -b [-c] file user password`` (``-nb user password``; ``valued``: bcrypt's cost,
    SHA's rounds), ``mosquitto_passwd -b file user password``: the last word of the command,
    after as many words as the options say."""
    words = list(re.finditer(r"[^\s\"'`()]+", match.group(2)))  # inside its quotes, if any
    flags = ""
    positional: list[re.Match[str]] = []
    skip = False
    for word in words:
        if skip:
            skip = False
        elif word.group().startswith("-") and not positional:
            flags += word.group()[1:]
            skip = bool(flags) and flags[-1] in valued
        else:
            positional.append(word)
    wanted = 2 if "n" in flags else 3
    if "b" not in flags or len(positional) < wanted:
        return match.group(0)
    secret = positional[wanted - 1]
    if secret.group().startswith(("$", "%", "<")) or _PLACEHOLDER.fullmatch(secret.group()):
        return match.group(0)
    # Words after it are prose about the command ("htpasswd -b users admin then reload."), whose
    # next word went out as the password; a command ends there, with a redirection or a comment.
    for word in positional[wanted:]:
        if word.group().startswith("#") or any(ch in word.group() for ch in "<>"):
            break
        if word.group().rstrip(".,:!?").isalpha():
            return match.group(0)
    rest = match.group(2)
    return match.group(1) + rest[: secret.start()] + REDACTED + rest[secret.end() :]


#: A placeholder of words that names a secret, in the place of one (``redis://user:password@``,
#: ``--password my-password``, ``token: 'YOUR-TOKEN'``, ``"your-token-here"``).
_SECRET_PLACEHOLDER = re.compile(
    r"(?i)(?:[a-z]+[_-])*(?:password|passwd|passphrase|pass|pwd|secret|token|(?:api|access|secret)[_-]?key)"
    r"(?:[_-][a-z]+)*"
)


def _is_placeholder(value: str) -> bool:
    """Words naming a secret in a value's place (``my-password``); one word alone
    (``POSTGRES_PASSWORD=secret``) is as often the password a setup really uses."""
    return ("-" in value or "_" in value) and _SECRET_PLACEHOLDER.fullmatch(value) is not None


#: A setter's name (``setPassword``, ``set_api_key``).
_SETTER = re.compile(r"set(?=[A-Z_])")


#: A value that is itself a secret's name (``("password", "confirm_password")``).
_SECRET_NAME_ONLY = re.compile(r"(?ix)" + _ASSIGNED_NAME)


def _setter_literal(match: re.Match[str]) -> str:
    """A Groovy DSL's or a setter's literal (group 3 the call's opening): with brackets, only a
    setter's (``setPassword("X")``, ``password.set("X")``): ``getToken("github-app")`` names one."""
    opening = match.group(3)
    if "(" in opening and not opening.startswith(".set") and not _SETTER.match(match.group(2)):
        return match.group(0)
    return _named_literal(match)


#: A type with its size in its name: a Go struct's field is ``apiKey int64``, a name and a value's shape.
_SIZED_TYPE = re.compile(r"(?:u?int|float|complex)\d*")


def _spaced_property(match: re.Match[str]) -> str:
    """A properties file's ``key value`` (see the pattern): as an assignment's, and prose-safe."""
    value = match.group("bare")
    if value.isdigit() or _SECRET_LIKE.search(value) is None or _SIZED_TYPE.fullmatch(value):
        return match.group(0)
    return _assigned(match.group(0), match.group(1), "", None, None, value)


def _named_literal(match: re.Match[str]) -> str:
    """A quoted value that a name before it, with no assignment between, says is a secret
    (``#define DB_PASSWORD "..."``): group 1 all before the quote, the last two the quote and
    the value. Left or redacted as an assignment's."""
    quote, value = match.group(match.re.groups - 1, match.re.groups)
    return _assigned(match.group(0), match.group(1), "", quote, value, None)


#: What a secret has and a word or a name has not: a digit or a symbol.
_SECRET_LIKE = re.compile(r"[\d!@#$%^&*+=~?]")


def _paired_value(match: re.Match[str]) -> str:
    """A secret's name and value as a pair of literals (``("password", "...")``) or a macro's:
    group 2 the name. Less sure a name and its value than an assignment: not words or names
    (``("password", "Password")``, ``files_defining("reveal_token", "python")``)."""
    name, value = match.group(2, match.re.groups)
    if (
        value.lower() == name.lower()
        or any(ch in value for ch in " ./\\")  # words (``"SM2 PRIVATE KEY"``), a file, a path
        or _SECRET_LIKE.search(value) is None
        or _SECRET_NAME_ONLY.fullmatch(value)
    ):
        return match.group(0)
    return _named_literal(match)


#: A value that names where the secret comes from, not it: a shell's, a .env file's, a batch
#: file's or PowerShell's variable (``$DB_PASSWORD``, ``%DB_PASSWORD%``, ``$env:DB_PASSWORD``), a
#: command's output (``$(cat /run/secrets/db)``). One case a name: ``$ecretPassw0rd`` is a password.
_REFERENCE = re.compile(r"\$(?:[A-Z_][A-Z0-9_]*|[a-z_][a-z0-9_]*|\{[^{}]*\}|\([^()]*\)|(?i:env):\w+)|%[A-Za-z_]\w*%")


def _names_piped(value: str, literal: bool) -> bool:
    """Whether a value piped in names the password (a variable, a placeholder), not is it;
    ``literal``: single-quoted, where ``'$ecret'`` is no variable."""
    return (_REFERENCE.fullmatch(value) is not None and not literal) or _PLACEHOLDER.fullmatch(value) is not None


#: A shell word: quoted, or bare up to a space, a quote or the shell's punctuation.
_SHELL_WORD = r"""(?:"[^"\r\n]*"|'[^'\r\n]*'|[^\s"'`|;&<>()]+)"""


def _piped_word(word: str) -> str:
    """A ``_SHELL_WORD`` piped in as a password, redacted inside its quotes unless it names one."""
    quote = word[0] if word[0] in "'\"" else ""
    value = word[len(quote) : len(word) - len(quote)]
    if not value or _names_piped(value, quote == "'"):
        return word
    return quote + REDACTED + quote


def _piped_password(match: re.Match[str]) -> str:
    """A password piped into a command (its last group), unless a variable or a placeholder."""
    at = match.re.groups
    value = match.group(at)
    if _names_piped(value, match.group(at - 1) == "'"):
        return match.group(0)
    # ``echo -e 'X\nX'``, ``printf 'X\nX\n'``: the password and its confirmation, each
    # redacted, the ``\n`` kept (the shape of the line tells the model what it is).
    parts = (p and REDACTED for p in value.split("\\n"))
    return match.group(0)[: match.start(at) - match.start()] + "\\n".join(parts)


#: A command-line flag's value, quoted or bare, into named groups: in single quotes a shell
#: expands nothing (``'$ecret'`` is a literal), in double quotes or bare a ``$`` is the shell's
#: (or PowerShell's) variable or command output, ``$(cat /run/secrets/sa)`` spaces and all.
#: The quotes may be escaped (a command inside a JSON string): ``-N \\"\\"`` is an empty
#: passphrase, whose backslash went out as ``[REDACTED]``.
_CLI_ARGUMENT = (
    r"""(?:\\?'(?P<single>(?:[^'\\\r\n]|\\(?!'))+)(?:\\?'|\Z)"""
    r'|\\?"(?P<double>(?:[^"\\\r\n]|\\(?!"))+)(?:\\?"|\Z)'
    r"""|(?P<bare>(?![-<{(\[\\])"""
    r"""(?:\$\([^()\r\n]*\)|[^\s"'`;|&<>])+))"""
)


#: Words joined by ``_`` or ``-``, no digit (``your_password``).
_WORDS = re.compile(r"[A-Za-z]+(?:[_-][A-Za-z]+)*")


def _names_a_value(value: str, expanded: bool) -> bool:
    """Whether a command line's ``value`` says where the secret comes from, not what it is: a
    variable (``%SA_PASSWORD%`` in any quotes: cmd expands them in all; ``$...`` where the shell
    expands it), a template (``{{ pass }}``, ``${{ secrets.X }}``), a placeholder, or a field
    that code fills in (``%s``, an f-string's ``{password}``, ``<password>``), in any quotes:
    ``f"sshpass -p '{pw}' ssh"`` is a command line built in code. And a usage line's word for
    the value (``sqlplus username/password@db``, ``-p your_password``)."""
    if expanded and value.startswith("$"):
        return True
    if value.startswith(("%", "{", "<")) or _is_template(value) or _PLACEHOLDER.fullmatch(value):
        return True
    return _WORDS.fullmatch(value) is not None and (
        _SECRET_NAME_ONLY.fullmatch(value) is not None or _is_placeholder(value)
    )


def _argument_group(match: re.Match[str]) -> str:
    """Which of ``_CLI_ARGUMENT``'s groups (a pattern may have ``bare`` alone) holds the value."""
    names = match.re.groupindex
    return next(g for g in ("single", "double", "bare") if g in names and match.group(g) is not None)


def _cli_argument(match: re.Match[str], *, bare_needs_symbol: bool = False) -> str:
    """The match with its ``_CLI_ARGUMENT`` value redacted, unless it names a value.
    ``bare_needs_symbol``: a flag no command name anchors (PowerShell's ``-Password``), or a
    positional password (``net user admin …``), is also prose's (``-Password parameter``):
    unquoted, only a value with a digit or a symbol."""
    group = _argument_group(match)
    value = match.group(group)
    if _names_a_value(value, expanded=group != "single"):
        return match.group(0)
    if group == "bare" and bare_needs_symbol and _SECRET_LIKE.search(value) is None:
        return match.group(0)
    start, end = match.start(group) - match.start(), match.end(group) - match.start()
    whole = match.group(0)
    return whole[:start] + REDACTED + whole[end:]


def _cli_user_password(separator: str) -> Callable[[re.Match[str]], str]:
    """A ``_CLI_ARGUMENT`` replacement for a user and password given as one value
    (``curl -u user:pass``, ``smbclient -U user%pass``): the password after the first
    ``separator`` redacted, unless it names a value; a user alone (asked for the password) stays."""

    def replace(match: re.Match[str]) -> str:
        group = _argument_group(match)
        value = match.group(group)
        user, found, password = value.partition(separator)
        if not found or not password or _names_a_value(password, expanded=group != "single"):
            return match.group(0)
        start = match.start(group) - match.start() + len(user) + 1
        end = match.end(group) - match.start()
        whole = match.group(0)
        return whole[:start] + REDACTED + whole[end:]

    return replace


_SSH_KEYGEN_PASSPHRASE = re.compile(r"(?<!\S)-[NP][ \t]*" + _CLI_ARGUMENT)


def _ssh_keygen_passphrases(match: re.Match[str]) -> str:
    return _SSH_KEYGEN_PASSPHRASE.sub(_cli_argument, match.group(0))


def _mysql_password(match: re.Match[str]) -> str:
    """``mysql -p…`` on a command line (see ``_cli_argument``), or an argument list's ``"-p…"``:
    there no shell reads it, so the value runs to the item's quote and names nothing."""
    listed = match.group("listed")
    if listed is None:
        return _cli_argument(match)
    if listed.startswith(("$", "%", "{", "<", "-")) or _PLACEHOLDER.fullmatch(listed):
        return match.group(0)
    return match.group(0)[: match.start("listed") - match.start()] + REDACTED


def _prose_safe_argument(match: re.Match[str]) -> str:
    return _cli_argument(match, bare_needs_symbol=True)


#: An old Vault token (newer ones, ``hvs.``, have a pattern of their own).
_OLD_VAULT_TOKEN = re.compile(r"s\.[A-Za-z0-9]{24}")


def _vault_token(match: re.Match[str]) -> str:
    """``vault login``'s token: an old token's shape, or a value with a digit or a symbol."""
    if _OLD_VAULT_TOKEN.fullmatch(match.group(_argument_group(match))):
        return _cli_argument(match)
    return _prose_safe_argument(match)


#: A flag's value that is a setting, not a secret: ``name=value`` pairs (``--secret-key
#: id=x,src=...``), a number (a count, a size).
_SETTING_VALUE = re.compile(r"[\w.-]+=|\d+\Z")


def _secret_flag(match: re.Match[str]) -> str:
    """A key's or a token's flag value (see _prose_safe_argument), unless a setting."""
    if _SETTING_VALUE.match(match.group(_argument_group(match))):
        return match.group(0)
    return _prose_safe_argument(match)


#: An Oracle logon's password, after ``user/`` (``scott/tiger@orcl``): bare, up to the ``@`` of
#: the database, or in double quotes (Oracle's own, for a password with symbols in it).
_ORACLE_PASSWORD = r"""(?:"(?P<double>[^"\r\n]+)"|(?P<bare>(?![-<{(\[\\])[^\s@"'`;|&<>/\\,]+))"""
#: ``user/`` before it, in quotes or not (``'sys/...@db as sysdba'``); not ``/`` alone (the
#: operating system's logon) nor ``&user/`` (SQL*Plus's substitution variable).
_ORACLE_USER = r"""\\?["']*[^\s/"'@\\&=]+/"""

#: RMAN's logons on its command line (``rman target sys/...@prod catalog rman/...@rcat``).
_RMAN_LOGON = re.compile(
    r"(?i:(?<![\w-])(?:target|catalog|auxiliary))(?:[ \t]*=[ \t]*|[ \t]+)" + _ORACLE_USER + _ORACLE_PASSWORD
)


def _rman_logons(match: re.Match[str]) -> str:
    return _RMAN_LOGON.sub(_cli_argument, match.group(0))


def _device_secret(match: re.Match[str]) -> str:
    """A network device's password, key or hash (``enable secret 5 $1$...``, Juniper's
    ``"$9$..."``): unlike a shell's, ``$`` starts a hash here; only a whole ``$NAME`` is a
    variable (a template's, an Ansible play's)."""
    group = _argument_group(match)
    value = match.group(group)
    if _names_a_value(value, expanded=False) or _REFERENCE.fullmatch(value):
        return match.group(0)
    # A configuration as the device prints it gives each password's type (``0``, ``7``, ``5``);
    # a line typed without one, a word of letters, is as often prose's.
    untyped = "type" in match.re.groupindex and match.group("type") is None
    if untyped and group == "bare" and _SECRET_LIKE.search(value) is None:
        return match.group(0)
    start, end = match.start(group) - match.start(), match.end(group) - match.start()
    whole = match.group(0)
    return whole[:start] + REDACTED + whole[end:]


#: What may come before SQL*Plus's ``CONNECT`` on its line: nothing, a ``SQL>`` prompt.
_CONNECT_LEAD = re.compile(r"[ \t]*(?:(?:SQL|RMAN)>[ \t]*)?")
#: Characters looked at before a ``CONNECT`` (bounded: a line of them stays linear).
_CONNECT_LOOKBACK = 16


def _sqlplus_connect(match: re.Match[str]) -> str:
    """A SQL*Plus ``CONNECT`` first on its line, or first in a string (a script a program sends
    to ``sqlplus /nolog``): elsewhere the word is prose's or code's."""
    text, start = match.string, match.start()
    lo = max(0, start - _CONNECT_LOOKBACK)
    if not text.endswith(('"', "'", "`", "\\n"), lo, start):
        nl = max(text.rfind("\n", lo, start), text.rfind("\r", lo, start))
        if nl < 0 and lo > 0:
            return match.group(0)
        if _CONNECT_LEAD.fullmatch(text, nl + 1, start) is None:
            return match.group(0)
    return _cli_argument(match)


#: A .pgpass host's characters, and what may not come before it (an address's or a time's
#: earlier field, a path).
_PGPASS_HOST = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.*-")
_PGPASS_HOST_MAX = 255
_NUMBERS = re.compile(r"[\d:]+")


def _pgpass_line(match: re.Match[str]) -> str:
    """A .pgpass line's password: the match starts at the colon after its host."""
    text, at = match.string, match.start()
    lo = max(0, at - _PGPASS_HOST_MAX)
    while at > lo and text[at - 1] in _PGPASS_HOST:
        at -= 1
    if at > 0 and text[at - 1] in ":/":
        return match.group(0)
    if _NUMBERS.fullmatch(text, at, match.end()):
        return match.group(0)  # a date and time (``2024:01:31:12:30``), a ratio
    return _cli_argument(match)


#: SNMP's well-known default communities: published, the first any scanner tries, so no
#: secret; kept, they are what a review should point out.
_DEFAULT_COMMUNITIES = frozenset(("public", "private"))


#: Net-SNMP's flags whose value is a secret: ``-c`` a community, ``-A``/``-X`` v3's passphrases.
_SNMP_SECRET_FLAG = re.compile(r"((?<!\S)-[cAX][ \t]*)" + _CLI_ARGUMENT)


def _snmp_arguments(match: re.Match[str]) -> str:
    return _SNMP_SECRET_FLAG.sub(_snmp_argument, match.group(0))


def _snmp_argument(match: re.Match[str]) -> str:
    """A Net-SNMP tool's community or passphrase (see _cli_argument), unless a default."""
    if match.group(_argument_group(match)).lower() in _DEFAULT_COMMUNITIES:
        return match.group(0)
    return _cli_argument(match)


def _snmp_community(match: re.Match[str]) -> str:
    if match.group("bare").lower() in _DEFAULT_COMMUNITIES:
        return match.group(0)
    return _device_secret(match)


#: Terraform's ``variable "db_password" { default = "..." }``, the default on the block's first
#: line or a later one (nested blocks before it, one level). Over the whole text: the name may
#: be more lines above its default than the patterns look at around a name.
_TERRAFORM_DEFAULT = re.compile(
    r"""(?ix)((?-i:variable)(?<=\bvariable)[\ \t]+"?(""" + _ASSIGNED_NAME + r""")"?[\ \t]*\{
    (?:[^{}]|\{[^{}]*\})*?(?<![\w.-])(?-i:default)[\ \t]*=[\ \t]*)(")([^"\r\n]{6,}?)(?:"|\Z)"""
)
#: The same default as a heredoc (``default = <<EOT``, ``<<-EOT``) of one word: a block of text
#: (a policy, a script) is not a secret, as in YAML's block scalars.
_TERRAFORM_HEREDOC = re.compile(
    r"""(?ix)((?-i:variable)(?<=\bvariable)[\ \t]+"?(?:""" + _ASSIGNED_NAME + r""")"?[\ \t]*\{
    (?:[^{}]|\{[^{}]*\})*?(?<![\w.-])(?-i:default)[\ \t]*=[\ \t]*<<-?(\w+)[\ \t]*\r?\n[\ \t]*)
    ([^\s"'`{}]{6,})(?=[\ \t]*\r?\n[\ \t]*\2\b)"""
)
_TERRAFORM: tuple[tuple[re.Pattern[str], Replacement], ...] = (
    (_TERRAFORM_DEFAULT, _named_literal),
    (_TERRAFORM_HEREDOC, r"\1" + REDACTED),
)

# A prompt's window may start inside a ``variable`` block whose name is further above than the
# text looked at above it (a long description, validation blocks): its ``default`` then has no
# name to say what it is. Decided safely: kept, unless the block says the value is secret
# (``sensitive = true``, Terraform's own mark) or the value's own shape is a secret's. A
# default that is not secret-shaped in a block named ``db_password`` out of sight goes out
# (``"eu-west-1"``, ``"t3.medium"``, ``"Standard_D2s_v3"`` are what most defaults are).
#: A line at column 0 that is not a comment (a block's opener or closing brace in HCL), after
#: its line break: re skips to a literal ``\n`` 10x faster than it tries ``(?m)^`` everywhere.
_TOP_LEVEL_LINE = re.compile(r"\n[^\s#/]")
_HCL_DEFAULT = re.compile(r"""(?m)^([ \t]+default[ \t]*=[ \t]*")([^"\r\n]{6,}?)(?="|$)""")
_HCL_SENSITIVE = re.compile(r"(?m)^[ \t]+sensitive[ \t]*=[ \t]*true\b")
#: What passwords have and identifiers, versions (``1.2.3+build4``), regions, sizes and CIDRs
#: have not.
_PASSWORD_SYMBOL = re.compile(r"[!@#$%^&*~?]")
_EMAIL = re.compile(r"[^@\s]+@[\w-]+(?:\.[\w-]+)+")
_KEY_CHARACTERS = re.compile(r"[A-Za-z0-9+/=_-]{20,}")


def _secret_shaped(value: str) -> bool:
    """A password's shape (letters, digits and a symbol) or a generated key's; not words, an
    address, a template or a reference."""
    if any(ch.isspace() for ch in value) or "{" in value or _REFERENCE.fullmatch(value) or _EMAIL.fullmatch(value):
        return False
    has_letter_and_digit = any(ch.isalpha() for ch in value) and any(ch.isdigit() for ch in value)
    if len(value) >= 8 and has_letter_and_digit and _PASSWORD_SYMBOL.search(value):
        return True
    return has_letter_and_digit and _KEY_CHARACTERS.fullmatch(value) is not None and _mixed_case(value)


def _mixed_case(value: str) -> bool:
    """Upper and lower case letters a quarter of the letters each at least, as in a random key;
    a name's words (``WindowsServer2022Datacenter``) have an upper-case letter each."""
    upper = sum(ch.isupper() for ch in value)
    lower = sum(ch.islower() for ch in value)
    return min(upper, lower) * 4 >= upper + lower


def _first_line_dropped(text: str) -> str:
    # Text above a window starts where a byte count fell, most often inside a line.
    nl = text.find("\n")
    return "" if nl < 0 else text[nl + 1 :]


def _top_level_line(text: str) -> int:
    """Where the first line of ``text`` at column 0 that is not a comment starts, or -1."""
    if text and text[0] not in " \t\r\n#/":
        return 0
    found = _TOP_LEVEL_LINE.search(text)
    return -1 if found is None else found.start() + 1


#: A heredoc's opener at its line's end (``description = <<EOT``, ``<<-EOT``), the text before
#: it on its line; and a line that is an upper-case word alone, a terminator (``EOT``), after its
#: line break (re skips to the ``\n``).
_HEREDOC_OPENER = re.compile(r"(?m)^([^\r\n]*?)<<-?([A-Za-z_]\w*)[ \t]*\r?$")
_LONE_WORD = re.compile(r"\n[ \t]*[A-Z][A-Z0-9_]*[ \t]*(?=\r?\n|\Z)")
_WORD_LINE = re.compile(r"(?m)^[ \t]*([A-Za-z_]\w*)[ \t]*\r?$")
_COLUMN_0 = re.compile(r"(?m)^\S")
_DESCRIPTION_LINE = re.compile(r'(?m)^[ \t]+description[ \t]*=[ \t]*"([^"\r\n]*)"')
_DESCRIPTION_OPENER = re.compile(r"[ \t]*description[ \t]*=[ \t]*")
#: Words of a description that say the value is a password or a key (not ``secret`` or
#: ``token`` alone: "the secret's name", "token lifetime").
_NAMES_A_PASSWORD = re.compile(
    r"(?i)\b(?:pass(?:word|phrase|wd)|pass[ ]phrase|(?:api|access|auth|secret)[ _-]?(?:key|token))s?\b"
)


def _heredocs(text: str) -> tuple[str, list[tuple[int, int]]]:
    """``text`` with its heredocs' lines (text, terminator) that start at column 0 a space to the
    right (same length): at column 0 in a ``variable`` block (``description = <<EOT`` and its
    paragraphs) they were taken for lines outside any block. Lines above a lone upper-case word
    with no opener above it are the text of a heredoc opened above ``text``. And where the
    heredocs that describe are (a ``description``'s, or the one whose opener is unseen)."""
    spans: list[tuple[int, int]] = []
    described: list[tuple[int, int]] = []
    first = _HEREDOC_OPENER.search(text)
    limit = len(text) if first is None else first.start()
    lone = _LONE_WORD.search("\n" + text, 0, limit + 1)  # the first line may be the terminator
    at = 0
    if lone is not None:
        at = lone.end() - 1
        spans.append((0, at))
        described.append((0, at))
    while (opener := _HEREDOC_OPENER.search(text, at)) is not None:
        body = opener.end() + 1
        # Its own word closes it (not a pattern of each word: hundreds of words, compiled).
        at = next((m.end() for m in _WORD_LINE.finditer(text, body) if m.group(1) == opener.group(2)), len(text))
        spans.append((body, at))
        if _DESCRIPTION_OPENER.fullmatch(opener.group(1)):
            described.append((body, at))
    if not spans:
        return text, described
    out: list[str] = []
    done = 0
    for lo, hi in spans:
        out += [text[done:lo], _COLUMN_0.sub(" ", text[lo:hi])]
        done = hi
    out.append(text[done:])
    return "".join(out), described


#: What a block whose name is out of sight says of its ``default``: nothing, that it is
#: ``sensitive``, or (its description) that it is a password or a key.
_Signal = Literal["sensitive", "described"] | None


def _unseen_block(above: str, text: str, after: str) -> tuple[int, _Signal] | None:
    """Where the inside ends, in ``text`` (from a line's start), of a block that ``text`` starts
    inside of and whose opener is not in ``above`` (whole lines above it), and what the block
    says of its defaults; None if ``text`` starts inside no such block. Its inside ends at its
    closing ``}`` at column 0 (in ``text`` or in ``after``, what follows it), which tells the
    lines above it are an HCL block's. A heredoc's lines at column 0 are inside it."""
    if _terraform_block_start(above) >= 0:
        return None  # its opener is in sight (the patterns take it)
    rest = after if text.endswith("\n") else _first_line_dropped(after)
    if not any(part.startswith("}") or "\n}" in part for part in (text, rest)):
        return None  # no closing brace at column 0: most code, spared the heredoc search
    joined = f"{above}{text}\n{rest}"
    masked, described = _heredocs(joined) if "<<" in joined or _LONE_WORD.search(joined) else (joined, [])
    if _top_level_line(masked[: len(above)]) >= 0:
        return None  # no block is open
    inside = masked[len(above) : len(above) + len(text)]
    end = _top_level_line(inside)
    if end >= 0:
        closing = inside[end] == "}"
    else:
        end = len(text)
        tail = masked[len(above) + len(text) + 1 :]
        at = _top_level_line(tail)
        closing = at >= 0 and tail[at] == "}"
    if not closing:
        return None
    if _HCL_SENSITIVE.search(above) is not None or _HCL_SENSITIVE.search(text, 0, end) is not None:
        return end, "sensitive"
    seen = above + text[:end]
    heredoc_text = (joined[lo : min(hi, len(seen))] for lo, hi in described if lo < len(seen))
    descriptions = itertools.chain(heredoc_text, (m.group(1) for m in _DESCRIPTION_LINE.finditer(seen)))
    if any(_NAMES_A_PASSWORD.search(part) for part in descriptions):
        return end, "described"
    return end, None


#: A generated password's characters; a duration's (``720h0m0s``); lower-case words joined by
#: a hyphen (``prod-db-01``, ``eu-west-1``, ``ami-0c55b159cbfafe1f0``), a word and its version
#: (``postgres14``) or capitalised words and numbers (``WindowsServer2022Datacenter``): names.
_PASSWORD_CHARACTERS = re.compile(r"[A-Za-z0-9-]{8,}")
_DURATION = re.compile(r"(?:\d+[a-z]{1,3})+")
_JOINED_NAME = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)+|[a-z]+\d+|(?:[A-Z][a-z]{2,}|\d+)+")


def _password_like(value: str) -> bool:
    """Whether ``value``, in a block whose description names a password or a key, is one though
    not shaped like a password (``hunter2pass99``, ``S3cretPass``): a word of letters and digits;
    not a name, a size (``Standard_D2s_v3``, ``t3.medium``), a duration, a path or an address."""
    return (
        _PASSWORD_CHARACTERS.fullmatch(value) is not None
        and any(ch.isalpha() for ch in value)
        and any(ch.isdigit() for ch in value)
        and _JOINED_NAME.fullmatch(value) is None
        and _DURATION.fullmatch(value) is None
    )


def _unseen_default(signal: _Signal) -> Callable[[re.Match[str]], str]:
    """The replacement of an ``_HCL_DEFAULT`` match in a block whose name is out of sight."""

    def replace(match: re.Match[str]) -> str:
        value = match.group(2)
        if signal == "sensitive" or _secret_shaped(value) or (signal == "described" and _password_like(value)):
            return match.group(1) + REDACTED
        return match.group(0)

    return replace


def _unseen_block_defaults(text: str, before: str, after: str) -> str:
    """``text`` with the ``default``s redacted of a block it starts inside of whose opener is in
    neither ``text`` nor ``before`` (see above). ``before``'s last line goes on in ``text``."""
    cut = _line_start(before, len(before))
    head = before[cut:]
    whole = head + text
    found = _unseen_block(_first_line_dropped(before[:cut]), whole, after)
    if found is None:
        return text
    end, signal = found
    out = _HCL_DEFAULT.sub(_unseen_default(signal), whole[:end]) + whole[end:]
    # A value begun in ``before`` (the cursor inside it) is split_at_secret's to redact.
    return out[len(head) :] if out.startswith(head) else text


#: YAML's block scalar: ``password: |`` (or ``>-``), the value on the more indented line below
#: it. One word there too: a block of text (a script, a policy) is not a secret.
_YAML_BLOCK = re.compile(
    r"""(?ix)("""
    + _ASSIGNED_NAME
    + r"""["']?[ \t]*:[ \t]*([|>][+-]?[1-9]?[+-]?)[ \t]*(?:\#[^\r\n]*)?\r?\n(?:[ \t]*\r?\n)*[ \t]+)
    ([^\s"'`{}\#]{6,})(?=[ \t]*(?:\r?\n|\Z))
    """
)
#: What a text holds for :data:`_YAML_BLOCK` to match: a search far cheaper than the pattern's.
_YAML_BLOCK_OPENER = re.compile(r":[ \t]*[|>]")


#: What may come between an XML element's tag and its text (``<password>\n    X\n</password>``,
#: ``<![CDATA[X]]>``), and between the text and its end tag.
_XML_TEXT_START = r"(?:[ \t]*\r?\n)?[ \t]*(?:<!\[CDATA\[)?"
_XML_TEXT_END = r"(?:\]\]>)?(?:[ \t]*\r?\n)?[ \t]*"


def _xml_named_text(match: re.Match[str]) -> str:
    """An element's text that its ``name`` or ``key`` attribute says is a secret, unless a word
    naming one (``<label name="password">Password</label>``, a form's)."""
    value = match.group(match.re.groups)
    if _SECRET_NAME_ONLY.fullmatch(value) or _is_placeholder(value):
        return match.group(0)
    return match.group(1) + REDACTED


#: A pattern's replacement: a template, a function of the match, or None for an assignment.
Replacement = str | Callable[[re.Match[str]], str] | None

#: printf's format for one password or the same one twice (``'%s\n%s\n'``: a new password and
#: its confirmation, which ``smbpasswd -s`` and ``passwd`` read).
_TWICE = r"""(?:'%s(?:\\n)?(?:%s(?:\\n)?)?'|"%s(?:\\n)?(?:%s(?:\\n)?)?")"""
#: A password's ``echo`` (``-e``: ``'X\nX'`` is the two) or ``printf`` into a command (see the
#: patterns), and the commands that read it from their input, the rest of the line after the pipe.
_ECHOED = r"""(?:\becho[ \t]+(?:-[neE]{1,3}[ \t]+){0,2}|\bprintf[ \t]+(?:""" + _TWICE + r"""[ \t]+)?)"""
_PIPED_INTO = (
    r"""[^|\r\n]*?(?:[ \t]--password-stdin\b|\bpasswd[ \t]+--stdin\b|\bvncpasswd\b"""
    r"""|\bsmbpasswd\b[^|\r\n]*?[ \t]-s\b)"""
)


def _curlrc_user(match: re.Match[str]) -> str:
    """A ``.curlrc`` line's ``user = name:password`` (see ``_cli_user_password``); not a user
    and group's ids (``--user 1000:1000``, a container's), a name given twice (``guest:guest``)
    nor an address (p-map's ``user: 'https://example.com/api/user'``)."""
    user, _, password = match.group(_argument_group(match)).partition(":")
    if password == user or (user.isdigit() and password.isdigit()) or password.startswith("//"):
        return match.group(0)
    return _cli_user_password(":")(match)


# Each pattern keeps the part that tells the model what the line is (a key name, "Bearer") and
# replaces only the secret itself, so the surrounding code still reads naturally.
_PATTERNS: tuple[tuple[re.Pattern[str], Replacement], ...] = (
    # To its END line, not past the next BEGIN line: from each BEGIN without an END the search
    # ran to the text's end (0.7 s over 54 kB of BEGIN lines); the next one is tried on its own.
    (
        re.compile(
            r"-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY( BLOCK)?-----(?:(?!-----BEGIN [A-Z0-9 ]*PRIVATE KEY).)*?"
            r"-----END \1PRIVATE KEY( BLOCK)?-----",
            re.S,
        ),
        "-----BEGIN PRIVATE KEY-----" + REDACTED + "-----END PRIVATE KEY-----",
    ),
    # A block cut short (a prompt window or a snippet ending inside it), to the end of the text:
    # only where key material follows its BEGIN line (after line breaks, ``\n`` escapes, quotes,
    # a snippet's comment marks). A BEGIN line alone is code looking for one (a PEM loader's
    # ``text.startswith("-----BEGIN OPENSSH PRIVATE KEY-----")``): all after it, the code up to
    # the cursor included, was replaced, and the model went on from an END line.
    (
        re.compile(
            r"-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY( BLOCK)?-----"
            r"(?=(?:\s|\\[nr]|[\"'+,#/;*-])*(?:Proc-Type:|[A-Za-z0-9+/=]{16})).*\Z",
            re.S,
        ),
        "-----BEGIN PRIVATE KEY-----" + REDACTED + "-----END PRIVATE KEY-----",
    ),
    # The tail of a key block whose BEGIN line is not in the text: a prompt window that starts
    # inside the block (its base64 lines, then the END line).
    (
        re.compile(
            r"(?m)^[ \t\"']*(?:[A-Za-z0-9+/=]{16,}[ \t\"']*\r?\n)+[ \t\"']*-----END ([A-Z0-9 ]*)PRIVATE KEY( BLOCK)?-----"
        ),
        REDACTED + "-----END PRIVATE KEY-----",
    ),
    # A PEM private key in base64 ("-----BEGIN" is "LS0tLS1CRUdJTi"): a Kubernetes TLS
    # secret's ``tls.key``, a kubeconfig's ``client-key-data``, a key kept in an environment
    # variable. Certificates, encoded alike, stay.
    (re.compile(r"\bLS0tLS1CRUdJTi[A-Za-z0-9+/]{20,}={0,2}"), _base64_private_key),
    # An AWS secret access key after its key ID, in a call's or a list's next literal
    # (``Minio(host, "AKIA...", "...")``, ``("AKIA...", "...")``): 40 characters no name goes with.
    (
        re.compile(r"""((?:AKIA|ASIA)[A-Z0-9]{16}["'][ \t]*,\s*["'])[A-Za-z0-9/+]{40}(?=["'])"""),
        r"\1" + REDACTED,
    ),
    (re.compile(r"\b(AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b"), REDACTED),
    (re.compile(r"\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])"), REDACTED),
    (re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"), REDACTED),
    (re.compile(r"\bgithub_pat_[A-Za-z0-9_]{40,}\b"), REDACTED),
    (re.compile(r"\bxox[abeprs]-[A-Za-z0-9-]{10,}\b"), REDACTED),
    (re.compile(r"\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}\b"), REDACTED),
    (re.compile(r"\b[sr]k_(?:live|test)_[A-Za-z0-9]{16,}\b"), REDACTED),  # Stripe secret, restricted
    (re.compile(r"\bwhsec_[A-Za-z0-9+/=]{24,}"), REDACTED),  # Stripe webhook signing secret
    # GitLab: personal, deploy (``docker login -p gldt-...``), runner, trigger, OAuth app secret.
    (re.compile(r"\bgl(?:pat|dt|rt|ptt|oas)-[A-Za-z0-9_-]{20,}"), REDACTED),
    (re.compile(r"\bnpm_[A-Za-z0-9]{36}\b"), REDACTED),
    (re.compile(r"\bhf_[A-Za-z0-9]{34,}\b"), REDACTED),  # Hugging Face
    (re.compile(r"\bhv[sbr]\.[A-Za-z0-9_-]{24,}"), REDACTED),  # HashiCorp Vault (service, batch, recovery)
    (re.compile(r"\bxapp-[A-Za-z0-9-]{10,}\b"), REDACTED),  # Slack app-level
    # SendGrid: run over the whole text when it holds a case-sensitive "SG." (see redact): as
    # a lower-cased trigger, "sg." is in every ``msg.`` of ordinary code.
    (_SENDGRID, REDACTED),
    (_TWILIO, REDACTED),
    (_TWILIO_AUTH, r"\1" + REDACTED),
    # age's secret keys (Bech32, upper case); Tailscale's auth and API keys.
    (re.compile(r"AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}\b"), REDACTED),
    (re.compile(r"tskey-(?<=\btskey-)[A-Za-z0-9-]{20,}"), REDACTED),
    # minisign's and signify's secret keys: the line after their ``untrusted comment: ... secret
    # key`` line, or the base64 itself, by its algorithms' bytes (``EdScB2``, ``Ed\0\0B2``, ``EdBK``).
    (
        re.compile(r"(?m)^(untrusted comment:(?=[^\r\n]*secret key)[^\r\n]*\r?\n)[A-Za-z0-9+/]{40,}={0,2}"),
        r"\1" + REDACTED,
    ),
    (re.compile(r"RW(?<=\bRW)(?:RTY0Iy|QAAEIy|RCSw)[A-Za-z0-9+/]{100,}={0,2}"), REDACTED),
    # WireGuard's ``PresharedKey = ...`` (its ``PrivateKey`` is a private key's assignment): a
    # key of 32 bytes in base64.
    (re.compile(r"(?m)^([ \t]*PresharedKey[ \t]*=[ \t]*)[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]="), r"\1" + REDACTED),
    (re.compile(r"\bpypi-AgE[A-Za-z0-9_-]{50,}"), REDACTED),  # PyPI upload tokens (a macaroon)
    # The literal first in these, the word boundary after it (see _SENDGRID): ~0.2 ms a
    # keystroke each, as ``\b`` first, over the suspect lines of a large window.
    # Google OAuth: a client secret, an access token, a refresh token.
    (re.compile(r"GOCSPX-(?<=\bGOCSPX-)[A-Za-z0-9_-]{24,}"), REDACTED),
    (re.compile(r"ya29\.(?<=\bya29\.)[A-Za-z0-9_-]{20,}"), REDACTED),
    (re.compile(r"1//0(?<![\w/]1//0)[A-Za-z0-9_-]{30,}"), REDACTED),
    (re.compile(r"key-(?<=\bkey-)[0-9a-f]{32}\b"), REDACTED),  # Mailgun
    (re.compile(r"shp(?<=\bshp)(?:at|ca|pa|ss)_[0-9a-fA-F]{32}\b"), REDACTED),  # Shopify
    (re.compile(r"ATATT3(?<=\bATATT3)[A-Za-z0-9_=-]{50,}"), REDACTED),  # Atlassian API token
    (re.compile(r"dapi(?<=\bdapi)[0-9a-f]{32}(?:-\d+)?\b"), REDACTED),  # Databricks
    (re.compile(r"do(?<=\bdo)[opr]_v1_[0-9a-f]{64}\b"), REDACTED),  # DigitalOcean
    # Incoming webhooks: the URL is the credential (anyone holding it posts to the channel).
    # The host stays, so the code still reads as a webhook call.
    (
        re.compile(r"(hooks\.slack\.com/(?:services|workflows|triggers)/)[A-Za-z0-9_/-]{20,}"),
        r"\1" + REDACTED,
    ),
    (re.compile(r"(discord(?:app)?\.com/api/webhooks/\d+/)[A-Za-z0-9_-]{40,}"), r"\1" + REDACTED),
    # Docker's config.json (and a registry secret's ``.dockerconfigjson``): ``"auth"`` is
    # ``user:password`` in base64, only what decodes to that (a field named auth may hold a mode).
    (re.compile(r"(?i)(\"auth\"\s*:\s*\")([A-Za-z0-9+/]{8,}={0,2})(?=\")"), _docker_auth),
    # An Azure shared access signature (``?sv=...&sig=...``, a SAS URL or token): its ``sig``
    # grants what the token says, for as long as it says (often years).
    (re.compile(r"(?i)([?&;]sig=)[A-Za-z0-9%+/]{20,}(?:={0,2}|(?:%3D){0,2})"), r"\1" + REDACTED),
    # Connection strings (Azure storage, Service Bus): the key part only.
    (re.compile(r"(?i)\b((?:Account|SharedAccess)Key\s*=\s*)[A-Za-z0-9+/=]{20,}"), r"\1" + REDACTED),
    # .npmrc's base64 ``_auth`` (``_authToken`` is caught as a TOKEN assignment), quoted or
    # not (npm reads ``_auth="..."`` as the value in the quotes; that form went out), first on
    # its line, after a registry's ``//host/:``, or echoed into the file (``echo "_auth=..." >>
    # .npmrc``, a CI step's). The literal first, what is before it by a lookbehind: ``^\s*``
    # ran from each line start over all the blank lines below (1,700 of them under a URL in the
    # prompt window cost 90 ms a keystroke), and a ``\S+`` before it from each character of a line.
    (
        re.compile(
            r"""(?m)(_auth(?<![^\s'":]_auth)[ \t]*=[ \t]*(["']?))[A-Za-z0-9+/]{8,}={0,2}(?=\2(?:[ \t]*\r?$|["'`]))"""
        ),
        r"\1" + REDACTED,
    ),
    # A JWT starts a run of base64url, not after its ``-``: from each ``eyJ`` in a run of
    # ``eyJ-eyJ-...`` the first part ran to the run's end (3 s over 108 kB).
    (re.compile(r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\b"), REDACTED),
    (re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9._~+/=-]{16,}"), r"\1 " + REDACTED),
    # "token <value>": a value with a digit and no dot, not code (``var token oauth2.TokenSource``).
    (re.compile(r"(?i)\b(token)\s+(?=[A-Za-z0-9_~+/=-]*\d)[A-Za-z0-9_~+/=-]{16,}"), r"\1 " + REDACTED),
    # The user name may be empty: ``redis://:password@host`` (Redis has no users by default).
    # The password runs to the last ``@`` before the host: one written unescaped
    # (``admin:p@ssw0rd@cluster``, which drivers split at the last ``@``) went out whole.
    # A placeholder (``:${DB_PASSWORD}@``, an f-string's ``:{password}@``, ``:$PGPASSWORD@``) is
    # code, not a password: it went out as ``[REDACTED]``, the variable's name with it.
    (
        re.compile(r"(?i)(://[^:/@\s]*:)(?!(?:\$?\{[^{}\s]*\}|(?-i:\$[A-Z_][A-Z0-9_]*))@)([^/?#\s\"'`]{3,})(@)"),
        _url_password,
    ),
    # A token as a URL's user, no password after it: pip's ``--index-url https://TOKEN@host/simple``
    # (Gemfury's, an Azure DevOps PAT; pip.conf, a requirements file), ``git clone https://TOKEN@``.
    # It went out whole. Only a generated token's shape: a user's name (``git@``, ``john.doe@``,
    # ``VssSessionToken@``, ``build-bot-01@``) stays.
    (re.compile(r"(://)([A-Za-z0-9_-]{16,})(@)(?=[A-Za-z0-9\[])"), _url_token),
    # HTTP Basic credentials: ``user:password`` in base64, which anyone decodes. Only what
    # decodes to that (``Basic authentication`` is a word, not base64 of a user and password).
    (re.compile(r"(?i)\b(basic)\s+([A-Za-z0-9+/]{8,}={0,2})(?![A-Za-z0-9+/=])"), _basic_credentials),
    # .netrc lines, written by a Dockerfile or a CI script (the file itself is excluded), in
    # one line or with ``\n`` escapes: ``machine host login user password secret``.
    (
        re.compile(
            r"(?i)\b((?:machine(?:[ \t]|\\n)+\S+?|default)(?:[ \t]|\\n)+login(?:[ \t]|\\n)+\S+?"
            r"(?:[ \t]|\\n)+password(?:[ \t]|\\n)+)[^\s\"'`\\]+"
        ),
        r"\1" + REDACTED,
    ),
    # .netrc's entries one token a line (``machine host``, ``login user``, ``password secret``),
    # the password line alone in sight: a value with a digit or a symbol (``password hashing``
    # is a line of prose).
    (
        re.compile(r"(?m)^([ \t]*(?:login[ \t]+\S+[ \t]+)?password[ \t]+)(?P<bare>(?![-<{(\[\\])[^\s\"'`\\]+)(?=[ \t]*\r?$)"),
        _prose_safe_argument,
    ),
    # A password hash after its user's name (an htpasswd or shadow line, Traefik's basic auth
    # users with Compose's ``$$``): crypt's ``$apr1$``, bcrypt's ``$2y$``, SHA-crypt's ``$6$``,
    # yescrypt's ``$y$``, ``{SHA}``. Cracked offline, unsalted ``{SHA}`` in seconds: the file
    # is excluded by default, and the line written elsewhere went out.
    (
        re.compile(
            r"""((?<![^\s=,"'`])[\w.@-]+:)(?:\$\$?(?:apr1|2[aby]|[156y])\$\$?[./A-Za-z0-9$=]{8,}|\{SHA\}[A-Za-z0-9+/]{27}=)"""
        ),
        r"\1" + REDACTED,
    ),
    # WordPress's keys and salts (``define('AUTH_KEY', '...')``): 64 random characters, spaces
    # and symbols, that sign its login cookies. Not the sample's ``put your unique phrase here``.
    (
        re.compile(
            r"""(define\(\s*(["'])(?:(?:SECURE_)?AUTH|LOGGED_IN|NONCE)_(?:KEY|SALT)\2\s*,\s*(["']))"""
            r"""(?!put\ your\ unique\ phrase\ here)[^"'\r\n]{16,}(?=\3)"""
        ),
        r"\1" + REDACTED,
    ),
    # A password on a command line (a shell script, a Makefile, a CI step, a Dockerfile's RUN):
    # ``curl -u user:password``, ``mysql -pSECRET``, ``sshpass -p secret``, ``docker login -p
    # secret``, ``--password secret``. The flag stays; a variable (``-p"$DB_PASSWORD"``, a CI's
    # ``${{ secrets.X }}``, ``%PASS%``), a placeholder (``<password>``, ``PASSWORD``) is code.
    # The command's name first, as a literal: re finds it fast (see _SENDGRID).
    (
        re.compile(r"(" + _command(r"curl(?<=\bcurl)\b", continued=True) + r"(?<!\S)(?:-u|--user)(?:[ \t]+|=)?)" + _CLI_ARGUMENT),
        _cli_user_password(":"),
    ),
    # curl's config file (``.curlrc``, ``curl -K file``): an option a line, its dashes left out
    # (``user = "name:password"``, ``--proxy-user name:password``) or not (``-u name:password``;
    # the line of a command continued after a ``\\`` whose ``curl`` is out of sight).
    (re.compile(r"(?m)^([ \t]*(?:-[uU]|(?:--)?(?:proxy-)?user)(?:[ \t]*[=:][ \t]*|[ \t]+))" + _CLI_ARGUMENT), _curlrc_user),
    # rclone's ``config create|update|password NAME … pass X`` (its options as words, plain or
    # obscured: both log in) and ``rclone obscure X``.
    (
        re.compile(
            r"(" + _command(r"rclone[ \t]+config[ \t]+(?:create|update|password)\b")
            + r"(?<!\S)(?:\w*pass(?:word2?)?|client_secret|token)[ \t]+)" + _CLI_ARGUMENT
        ),
        _cli_argument,
    ),
    # Most often inside ``$(…)``: its ``)`` is the shell's.
    (
        re.compile(
            r"""(rclone[ \t]+obscure[ \t]+)(?:'(?P<single>[^'\r\n]+)'|"(?P<double>[^"\r\n]+)"|"""
            r"""(?P<bare>(?![-$])[^\s"'`;|&<>()]+))"""
        ),
        _cli_argument,
    ),
    # ngrok's agent: ``ngrok authtoken X`` (version 2's), and its libraries' calls
    # (pyngrok's ``ngrok.set_auth_token("X")``, Node's ``ngrok.authtoken("X")``).
    (re.compile(r"(ngrok(?<![\w-]ngrok)(?:\.exe)?[ \t]+authtoken[ \t]+)" + _CLI_ARGUMENT), _cli_argument),
    (re.compile(r"""(ngrok\.(?:set_auth_token|authtoken)\([ \t]*)(["'])([^"'\r\n]+)(?=\2)"""), _named_literal),
    # An ODBC connection string's password in braces with a ``;`` in it (``PWD={a;b};``): the
    # assignment's value ends at a ``;``, and the password went out (``}}`` is a ``}`` inside;
    # one without a ``;`` is the assignment's, see _assigned). A ``{`` inside is the password's
    # (``PWD={a{b;c};``, which went out), but not past ``={``: from each ``PWD={`` of a line of
    # them the scan went on to the line's end.
    (
        re.compile(
            r"((?<![\w-])(?i:pwd|password)[ \t]*=[ \t]*\{)(?:[^{};\r\n]|\}\}|(?<!=)\{){0,128};"
            r"(?:[^{}\r\n]|\}\}|(?<!=)\{){0,128}?(?=\}(?!\}))"
        ),
        r"\1" + REDACTED,
    ),
    # ``"-pS3cret"`` in an argument list too (``subprocess.run(["mysql", "-p..."])``); not ``"-p", x``.
    (
        re.compile(
            _command(r"mysql(?<=\bmysql)(?:dump|admin)?\b")
            + r"(?:(?<!\S)-p" + _CLI_ARGUMENT + r"|(?<=[\"'])-p(?P<listed>[^\s\"'`;|&<>]+))"
        ),
        _mysql_password,
    ),
    (re.compile(r"(" + _command(r"redis-cli\b") + r"(?<!\S)-a(?:[ \t]+|=)?)" + _CLI_ARGUMENT), _cli_argument),
    (re.compile(r"(" + _command(r"mongo(?<=\bmongo)(?:sh|dump|restore|import|export)?\b") + r"(?<!\S)-p[ \t]+)" + _CLI_ARGUMENT), _cli_argument),
    # ``-W`` asks for it; ``-w`` is the bind password.
    (
        re.compile(
            r"(" + _command(r"ldap(?<=\bldap)(?:search|modify|add|delete|whoami|passwd|compare|modrdn|exop)\b") + r"(?<!\S)-w[ \t]*)"
            + _CLI_ARGUMENT
        ),
        _cli_argument,
    ),
    # ``openssl enc -k secret`` (a passphrase), ``-K hex`` (the key itself).
    (re.compile(r"(" + _command(r"openssl(?<=\bopenssl)\b") + r"(?<!\S)-[kK][ \t]+)" + _CLI_ARGUMENT), _cli_argument),
    # To the end of the command: a backtick closes one quoted in prose or markdown.
    (re.compile(r"(htpasswd(?<=\bhtpasswd)\b)([^\r\n;|&`]*)"), _htpasswd),
    # Mosquitto's ``mosquitto_passwd -b file user password`` (``-H`` a hash, ``-I`` its iterations).
    (re.compile(r"(mosquitto_passwd(?<=\bmosquitto_passwd)\b)([^\r\n;|&`]*)"), _batch_password("HI")),
    (
        re.compile(r"(" + _command(r"smbclient(?<=\bsmbclient)\b") + r"(?<!\S)(?:-U|--user)(?:[ \t]+|=))" + _CLI_ARGUMENT),
        _cli_user_password("%"),
    ),
    # Windows' ``net use \\host\share /user:name secret`` (``*`` asks for it, ``/x`` is a switch).
    (re.compile(r"(?i)(" + _command(r"net[ \t]+use\b") + r"[ \t]/user:\S+[ \t]+)(?![*/])" + _CLI_ARGUMENT), _cli_argument),
    # An argument list's flag and value, each quoted (``["--password", "S3cret"]``, a JS
    # ``spawn("x", ["--token", "..."])``, curl's ``["-u", "user:pass"]``). Not a variable
    # after the flag, nor docker's ``"-u", "1000:1000"`` or ``"www-data:www-data"``.
    (
        re.compile(
            r"""(?i)((["'])--(?!no-)(?:[a-z0-9]+-)*?(?:password|passwd|pass|passphrase|token|api-?key|(?:client|app|api)-secret)\2"""
            r"""[ \t]*,\s*(["']))(?![$%{<-])([^"'\s]+)(?=\3)"""
        ),
        _cli_password_in_list,
    ),
    (
        re.compile(r"""((["'])-u\2[ \t]*,\s*(["'])([^\s:"'`]*):)(?![$%{<])([^\s"'`]+)(?=\3)"""),
        _user_password_in_list,
    ),
    (re.compile(r"(" + _command(r"sshpass(?<=\bsshpass)\b") + r"(?<!\S)-p(?:[ \t]+|=)?)" + _CLI_ARGUMENT), _cli_argument),
    (
        re.compile(
            "( "
            + _command(r"login\b(?:(?<=docker login)|(?<=podman login)|(?<=nerdctl login)|(?<=registry login)|(?<=\boc login))")
            + r"(?<!\S)-p(?:[ \t]+|=)?)" + _CLI_ARGUMENT
        ),
        _cli_argument,
    ),
    # Info-ZIP's ``zip -P secret`` and ``unzip -P secret`` (not ``gzip``, nor an ``out.zip``
    # before the flag); 7-Zip's ``7z a -psecret``, attached (``-p`` alone asks for it).
    (
        re.compile(
            _command(r"zip\b(?:(?<![\w./-]zip)|(?<=unzip)(?<![\w./-]unzip))") + r"(?<!\S)-P[ \t]+" + _CLI_ARGUMENT
        ),
        _cli_argument,
    ),
    (re.compile(_command(r"7z(?<![\w./-]7z)[ar]?\b") + r"(?<!\S)-p" + _CLI_ARGUMENT), _cli_argument),
    # Oracle's ``sqlplus user/secret@db`` (``sqlldr``, ``expdp``, ``impdp``: the same logon), options before
    # it; ``sqlplus / as sysdba`` and ``sqlplus user@db`` give none.
    (
        re.compile(
            r"(?<![\w-])(?:sqlplus|sqlldr|expdp|impdp)(?:\.exe)?(?:[ \t]+-\w+)*[ \t]+\\?[\"']?[^\s/\"'@\\]+/"
            r"(?P<bare>(?![-<{(\[\\])[^\s@\"'`;|&<>/\\]+)"
        ),
        _cli_argument,
    ),
    # The older ``exp`` and ``imp`` take it too; short words, so only a logon followed by its
    # database or by an Oracle parameter (``imp scott/... file=x.dmp``), not ``exp x/2``.
    (
        re.compile(r"(?:exp|imp)(?<![\w./-]exp)(?<![\w./-]imp)(?:\.exe)?[ \t]+" + _ORACLE_USER + _ORACLE_PASSWORD + r"(?=@|[ \t]+\w+=)"),
        _cli_argument,
    ),
    # Any Oracle tool's ``userid=user/secret`` parameter (``sqlldr``, ``exp``, ``expdp``, a
    # parameter file's ``USERID=system/...@orcl``), anywhere on its line.
    (
        re.compile(r"(?i:userid)=(?<![\w.-].{7})" + _ORACLE_USER + _ORACLE_PASSWORD),
        _cli_argument,
    ),
    # SQL*Plus's and RMAN's ``CONNECT user/secret@db`` (``CONN``; ``CONNECT TARGET sys/...``)
    # in a script, first on its line (after a ``SQL>`` prompt) or a string's: the logon is all
    # the command takes, so it ends the line or is followed by its database or ``AS SYSDBA``
    # ("Connect client/server apps" is prose). ``connect / as sysdba`` gives none.
    (
        re.compile(
            r"(?m)(?:CONN|Conn|conn)(?<![\w.$-].{4})(?:ECT|ect)?(?:[ \t]+(?i:target|catalog|auxiliary))?[ \t]+"
            + _ORACLE_USER
            + _ORACLE_PASSWORD
            + r"""(?=@|[ \t]+(?i:as)[ \t]|[ \t]*(?:;|\\n|["'`]|\r?$))"""
        ),
        _sqlplus_connect,
    ),
    # RMAN's command line, each of its logons.
    (re.compile(r"rman(?<![\w-]rman)(?:\.exe)?\b[^\r\n;|&]*"), _rman_logons),
    # A JDBC URL's Oracle logon (``jdbc:oracle:thin:scott/secret@//host:1521/svc``).
    (re.compile(r"jdbc:oracle:(?:thin|oci8?):" + _ORACLE_USER + _ORACLE_PASSWORD + r"(?=@)"), _cli_argument),
    # RabbitMQ's ``rabbitmqctl add_user name secret`` (``change_password``).
    (
        re.compile(
            _command(r"rabbitmqctl(?<=\brabbitmqctl)\b")
            + r"""(?<!\S)(?:add_user|change_password)[ \t]+(?:"[^"\r\n]*"|'[^'\r\n]*'|[^\s"']+)[ \t]+"""
            + _CLI_ARGUMENT
        ),
        _cli_argument,
    ),
    # ``--password X``, and any tool's with words before it: wget's ``--ftp-password X``
    # (``--http-password``, ``--proxy-password``), ``--admin-password``, ``--db-password``; not
    # one that asks (``--ask-password URL``). The space form: the ``=`` form is an assignment's.
    (re.compile(r"(--(?<![\w-]--)(?!(?:no|ask|prompt)-)(?:[a-z0-9]+-)*pass(?:word|wd|phrase)?[ \t]+)" + _CLI_ARGUMENT), _cli_argument),
    # A key's, a token's or a client secret's flag, the space form (``--api-key X``, ``az storage
    # --account-key X``, ``aws secretsmanager --secret-string X``, ``--auth-token X``): see
    # _secret_flag. Not ``--secret`` alone: Docker's and Podman's name a secret (``--secret id=x``).
    (
        re.compile(
            r"(--(?<![\w-]--)(?!(?:no|ask|prompt)-)(?:[a-z0-9]+-)*(?:api-?key|(?:client|app|api|consumer)-secret"
            r"|(?:account|access|secret|master)-key|secret-string|token|authtoken)[ \t]+)" + _CLI_ARGUMENT
        ),
        _secret_flag,
    ),
    # Tools whose ``-p`` is the password: PsExec, cqlsh, rabbitmqadmin, twine, conan, ``dotnet nuget``
    # (``oc login -p`` is with ``docker login`` below).
    (
        re.compile(
            r"(?<![\w./-])(?:(?:psexec(?:64)?|paexec|cqlsh|rabbitmqadmin|twine|conan)(?:\.exe)?|dotnet[ \t]+nuget)\b"
            r"(?:(?!psexec|paexec|cqlsh|rabbitmqadmin|twine|conan|dotnet)[^\r\n])*?(?<!\S)-p[ \t]+" + _CLI_ARGUMENT
        ),
        _cli_argument,
    ),
    # Windows' ``schtasks ... /ru user /rp X`` (``/u user /p X``; ``*`` asks for it), ``winrs -p:X``.
    (
        re.compile(r"(?i:schtasks)(?:(?!(?i:schtasks))[^\r\n])*?[ \t]/[rR]?[pP][ \t]+(?!\*)" + _CLI_ARGUMENT),
        _cli_argument,
    ),
    (re.compile(r"(?i:winrs)(?:(?!(?i:winrs))[^\r\n])*?(?<!\S)[-/](?i:p|password):" + _CLI_ARGUMENT), _cli_argument),
    # RAR's ``-pX`` and ``-hpX`` (headers too), attached (``-p`` alone asks, ``-p-`` is none).
    (re.compile(_command(r"(?<![\w./-])(?:un)?rar\b") + r"(?<!\S)-h?p" + _CLI_ARGUMENT), _cli_argument),
    # A tool's setting of a secret, its key then its value (``npm config set //host/:_authToken
    # X``, ``yarn config set npmAuthToken X``, ``git config --global github.token X``, ``pulumi
    # config set --secret dbPassword X``, ``dotnet user-secrets set "Db:Password" "X"``, ``netlify
    # env:set API_KEY X``, ``poetry config pypi-token.pypi X``): see _prose_safe_argument. The
    # key's word found by a lookahead: to the key's end, each ``token`` in a run of them was tried
    # again.
    (
        re.compile(
            r"""((?<![\w-])(?:config(?:[ \t]+set)?|user-secrets[ \t]+set|env:set)(?:[ \t]+-{1,2}[\w-]+)*[ \t]+(["']?)"""
            r"""(?=[\w.:/@-]*?(?i:_auth(?![a-z])|password|passwd|token|secret|api[_-]?key|access[_-]?key))[\w.:/@-]+\2[ \t]+)"""
            + _CLI_ARGUMENT
        ),
        _prose_safe_argument,
    ),
    # Composer's and Poetry's ``config http-basic.repo user X``, Composer's ``github-oauth.host X``
    # (``gitlab-oauth``, ``bitbucket-oauth``).
    (
        re.compile(
            r"""(config(?<![\w-]config)(?:[ \t]+-{1,2}[\w-]+)*[ \t]+(?:http-basic\.\S+[ \t]+\S+|[\w-]*-oauth\.\S+)[ \t]+)"""
            + _CLI_ARGUMENT
        ),
        _cli_argument,
    ),
    # MinIO's client: ``mc alias set NAME URL ACCESS_KEY SECRET_KEY`` (``mc config host add``).
    (
        re.compile(r"""(\bmc[ \t]+(?:alias[ \t]+set|config[ \t]+host[ \t]+add)[ \t]+\S+[ \t]+\S+[ \t]+\S+[ \t]+)""" + _CLI_ARGUMENT),
        _cli_argument,
    ),
    # HTTPie's ``http -a user:secret`` (``https``, ``xh``; ``--auth``), as curl's ``-u``.
    (
        re.compile(
            r"(" + _command(r"(?:https?|xh)(?<![\w./:-]http)(?<![\w./:-]https)(?<![\w./:-]xh)(?=[ \t])")
            + r"(?<!\S)(?:-a|--auth)(?:[ \t]+|=))" + _CLI_ARGUMENT
        ),
        _cli_user_password(":"),
    ),
    # An ``expect`` script's answer to a password prompt (``expect "*assword:"`` then ``send
    # "...\r"``, on its line or the next).
    (
        re.compile(
            r"""(expect(?<![\w-]expect)[ \t]+(?:-[\w-]+[ \t]+)*(?:"[^"\r\n]*(?:assword|assphrase)[^"\r\n]*"|'[^'\r\n]*(?:assword|assphrase)[^'\r\n]*'|\S*(?:assword|assphrase)\S*)"""
            r"""(?:[ \t]*\{)?[ \t]*(?:\r?\n[ \t]*)?send[ \t]+(?:--[ \t]+)?")(?![$\[])([^"\\\r\n]+)(?=\\r"|\\n"|")"""
        ),
        r"\1" + REDACTED,
    ),
    # Redis's ``AUTH [user] secret``, in ``redis-cli`` or after its prompt (``127.0.0.1:6379> AUTH``).
    (
        re.compile(
            r"""((?:redis-cli\b(?:(?!redis-cli)[^\r\n])*?[ \t]|\d>[ \t]*)(?:AUTH|auth)[ \t]+(?:[^\s"'<>$%]+[ \t]+(?=[^\s-]))?)"""
            + _CLI_ARGUMENT
        ),
        _cli_argument,
    ),
    # The Vault CLI's ``vault login TOKEN`` (old tokens are ``s.`` and 24 characters); not
    # ``-method=userpass`` and its pairs (assignments).
    (
        re.compile(r"""(vault(?<![\w-]vault)[ \t]+login(?:[ \t]+-[\w-]+(?:=\S*)?)*[ \t]+)(?![\w.-]+=)""" + _CLI_ARGUMENT),
        _vault_token,
    ),
    # keepalived's ``auth_pass secret`` (VRRP's password), first on its line.
    (re.compile(r"(?m)^([ \t]*auth_pass[ \t]+)" + _CLI_ARGUMENT), _cli_argument),
    # GitHub CLI's ``gh secret set NAME --body X`` (``-b X``, ``-bX``; without it, it asks).
    (re.compile(r"(" + _command(r"gh[ \t]+secret[ \t]+set\b") + r"(?<!\S)(?:--body(?:[ \t]+|=)|-b[ \t]*))" + _CLI_ARGUMENT), _cli_argument),
    # Tools whose password flag is their own: Mosquitto's ``-P``, ipmitool's ``-P``, PuTTY's
    # ``pscp``/``plink``/``psftp -pw``, ``x11vnc -passwd``, ``mysqladmin ... password X`` (the new
    # password, a positional command), ``lftp -u user,pass``.
    (re.compile(r"(" + _command(r"mosquitto_(?:pub|sub|rr)\b") + r"(?<!\S)-P[ \t]+)" + _CLI_ARGUMENT), _cli_argument),
    (re.compile(r"(" + _command(r"ipmitool(?<=\bipmitool)\b") + r"(?<!\S)-P[ \t]+)" + _CLI_ARGUMENT), _cli_argument),
    (
        re.compile(r"(" + _command(r"(?:pscp|plink|psftp)(?<![\w-]pscp)(?<![\w-]plink)(?<![\w-]psftp)(?:\.exe)?\b") + r"(?<!\S)-pw[ \t]+)" + _CLI_ARGUMENT),
        _cli_argument,
    ),
    # ``-storepasswd pass file`` too (with one word, the file, it asks for the password).
    (
        re.compile(
            r"(" + _command(r"x11vnc(?<=\bx11vnc)\b")
            + r"(?<!\S)-(?:passwd|storepasswd(?=[ \t]+\S+[ \t]+[^\s-]))[ \t]+)" + _CLI_ARGUMENT
        ),
        _cli_argument,
    ),
    (re.compile(r"(" + _command(r"mysqladmin(?<=\bmysqladmin)\b") + r"(?<!\S)password[ \t]+)" + _CLI_ARGUMENT), _cli_argument),
    (re.compile(r"(" + _command(r"lftp(?<=\blftp)\b") + r"(?<!\S)-u[ \t]+)" + _CLI_ARGUMENT), _cli_user_password(",")),
    # NetworkManager's ``nmcli dev wifi connect SSID password X`` and a connection's
    # ``wifi-sec.psk X`` (``802-11-wireless-security.psk``, a WEP key ``wep-key0``..``3``, LEAP's
    # password; ``802-1x.password``, a private key's, a mobile or PPPoE connection's password, a PIN).
    (
        re.compile(
            r"(" + _command(r"nmcli(?<=\bnmcli)\b")
            + r"(?<!\S)(?:password|(?:wifi-sec|802-11-wireless-security)\.(?:psk|wep-key[0-3]|leap-password)"
            + r"|(?:802-1x|gsm|cdma|pppoe)\.(?:[\w-]*password|pin))[ \t]+)"
            + _CLI_ARGUMENT
        ),
        _cli_argument,
    ),
    # wpa_supplicant.conf's ``psk="..."`` (the passphrase) or ``psk=`` and 64 hex digits (the key
    # derived from it, as good as the passphrase); ``sae_password`` is an assignment's.
    (re.compile(r"""(?m)^([ \t]*psk=)(?:"(?P<double>[^"\r\n]+)"|(?P<bare>[0-9a-fA-F]{64})\b)"""), _cli_argument),
    # Net-SNMP's tools: ``-c community`` (v1, v2c), ``-A`` and ``-X`` (v3's authentication and
    # privacy passphrases); ``public`` and ``private`` stay (see _snmp_community).
    # To the command's end: ``-A auth -X priv`` gives two.
    (
        re.compile(r"snmp(?<![\w-]snmp)(?:bulk)?(?:walk|get|getnext|set|trap|inform|table|status|df|netstat|delta)\b[^\r\n;|&]*"),
        _snmp_arguments,
    ),
    # A password given to ``sudo -S`` as a here-string (``sudo -S cmd <<< "..."``).
    (
        re.compile(
            r"(sudo(?<=\bsudo)" + _SUDO_OPTIONS + r"[ \t]+-[A-Za-z]*S\b(?:(?!sudo)[^\r\n|;&<])*<<<[ \t]*)"
            + _CLI_ARGUMENT
        ),
        _cli_argument,
    ),
    # Java's keytool and jarsigner: ``-storepass``, ``-keypass``, ``-srcstorepass``, ...; not
    # ``-storepass:env NAME`` (where it is kept).
    (re.compile(r"((?<![\w-])-(?:src|dest|new)?(?:store|key)pass[ \t]+)" + _CLI_ARGUMENT), _cli_argument),
    # ``aws configure set aws_secret_access_key ...`` (``--profile x``, ``profile.x.`` before it).
    (
        re.compile(
            r"(?ix)(\baws[\ \t]+configure[\ \t]+set[\ \t]+(?:--profile[\ \t]+\S+[\ \t]+)?(?:[\w-]+\.)*"
            + _ASSIGNED_NAME
            + r"[\ \t]+)"
            + _CLI_ARGUMENT
        ),
        _cli_argument,
    ),
    # SQL Server's ``sqlcmd -U sa -P secret`` (``osql``, ``bcp``: the same flag; ``-p``, lower
    # case, prints statistics; not PowerShell's ``Invoke-Sqlcmd -Password``), ssh-keygen's
    # ``-N`` (new) and ``-P`` (old) passphrases, ``az login -u user -p secret`` (``--password``
    # is any command's, below): each went out whole. A variable stays (see _CLI_ARGUMENT).
    (
        re.compile(r"(" + _command(r"(?<![\w-])(?i:sqlcmd|osql|bcp)(?:\.exe)?\b") + r"(?<!\S)-P[ \t]*)" + _CLI_ARGUMENT),
        _cli_argument,
    ),
    # ssh-keygen's to the command's end: ``-P old -N new`` gives two.
    (re.compile(r"ssh-keygen(?<=\bssh-keygen)\b[^\r\n;|&]*"), _ssh_keygen_passphrases),
    (re.compile(r"(" + _command(r"az(?<=\baz)[ \t]+login\b") + r"(?<!\S)-p(?:[ \t]+|=))" + _CLI_ARGUMENT), _cli_argument),
    # PowerShell's ``-Password 'secret'`` (``Invoke-Sqlcmd``, ``Connect-VIServer``, ``-Password:``):
    # any cmdlet's. Not an expression (``(Read-Host -AsSecureString)``, ``$cred.Password``) nor
    # openssl's ``-password pass:...`` (whose value after ``pass:`` the assignments take).
    (
        re.compile(r"((?<![\w-])-(?i:password)(?::|[ \t]+)(?!(?i:pass|env|file|fd):|stdin\b))" + _CLI_ARGUMENT),
        _prose_safe_argument,
    ),
    # Windows' ``net user admin secret /add`` (``*`` asks for it, ``/x`` is a switch).
    (
        re.compile(r"""((?i:\bnet[ \t]+user)[ \t]+(?:"[^"\r\n]*"|[^\s"/]+)[ \t]+)(?![*/])""" + _CLI_ARGUMENT),
        _prose_safe_argument,
    ),
    # Network devices' configurations (Cisco IOS, NX-OS, ASA; Juniper): a type 0 password is
    # plain text, type 7 and Juniper's ``$9$`` decode with a published table, types 5, 8 and 9
    # are hashes cracked offline: each went out whole. A configuration line, first on its line
    # (after a ``Router(config)#`` prompt, or an Ansible list's ``- ``), its value the line's
    # last word: "username and password are required" is prose. Without its type, a word of
    # letters is a sentence's too ("- enable secret scanning"): see _device_secret.
    (
        re.compile(
            r"""(?mx)(^[\ \t]*(?:-[\ \t]+)?["']?(?:\S+\(config[\w-]*\)\#[\ \t]*)?
            (?:enable(?:[\ \t]+algorithm-type[\ \t]+\S+)?[\ \t]+(?:password|secret)(?:[\ \t]+level[\ \t]+\d+)?
            |username[\ \t]+\S+(?:[\ \t]+(?!(?:password|secret)\b)\S+)*?[\ \t]+(?:password|secret)
            |(?:password|secret)(?=[\ \t]+\d[\ \t]+\S)  # a ``line vty``'s ``password 7 ...``
            |(?:tacacs|radius)-server[\ \t]+(?:host[\ \t]+\S+(?:[\ \t]+(?!key\b)\S+)*?[\ \t]+)?key
            |neighbor[\ \t]+\S+[\ \t]+password
            |key-string
            |ip[\ \t]+ospf[\ \t]+(?:authentication-key|message-digest-key[\ \t]+\d+[\ \t]+md5)
            )(?:[\ \t]+(?P<type>\d))?[\ \t]+)
            (?:"(?P<double>[^"\r\n]+)"|(?P<bare>[^\s"'`]+))(?=[\ \t]*["']?[\ \t]*\r?$)
            """
        ),
        _device_secret,
    ),
    # IOS's ``crypto isakmp key ... address 203.0.113.5`` (an IPsec peer's pre-shared key).
    (
        re.compile(r"(crypto(?<![\w-]crypto)[ \t]+isakmp[ \t]+key[ \t]+(?:[06][ \t]+)?)(?P<bare>\S+)(?=[ \t]+(?:address|hostname)\b)"),
        _device_secret,
    ),
    # A pre-shared key (IOS's keyrings ``pre-shared-key local 0 ...``, ASA's ``ikev1
    # pre-shared-key ...``, Juniper's ``pre-shared-key ascii-text "$9$..."``), Juniper's
    # ``encrypted-password "$6$..."``, ``authentication-key``, a RADIUS ``secret "$9$..."``: the
    # value ends its statement (a ``;``, the line).
    (
        re.compile(
            r"""(?mx)((?:pre-shared-key(?<![\w-].{14})(?:[\ \t]+(?:ascii-text|hexadecimal|local|remote))*(?:[\ \t]+[06])?
            |encrypted-password(?<![\w-].{18})|authentication-key(?<![\w-].{18})|secret(?<![\w-].{6})(?=[\ \t]+"?\$9\$))
            [\ \t]+)
            (?:"(?P<double>[^"\r\n]+)"|(?P<bare>[^\s"'`;]+))(?=[\ \t]*(?:;|["']|\#\#|\r?$))
            """
        ),
        _device_secret,
    ),
    # Juniper marks each secret of a configuration it prints (``secret "$9$..."; ## SECRET-DATA``).
    (re.compile(r'"(?P<double>[^"\r\n]+)"(?=;[ \t]*##[ \t]*SECRET-DATA)'), _device_secret),
    # An SNMP community: the password of SNMPv1 and v2c (``snmp-server community ... RO``, Net-SNMP's
    # ``rocommunity ...``, ``com2sec name source ...``). Not the defaults: see _snmp_community.
    (
        re.compile(
            r"""(?m)(^[ \t]*(?:-[ \t]+)?["']?(?:snmp-server[ \t]+community|(?:ro|rw)community6?|com2sec6?[ \t]+\S+[ \t]+\S+)[ \t]+)"""
            r"""(?P<bare>[^\s"'`]+)(?=[ \t"']|\r?$)"""
        ),
        _snmp_community,
    ),
    # IOS's trap destination, its community after the host (``snmp-server host 10.0.0.5 version
    # 2c COMMUNITY``; v3 names a user there), and Juniper's ``set snmp community X``.
    (
        re.compile(
            r"""(?m)(^[ \t]*(?:-[ \t]+)?["']?snmp-server[ \t]+host[ \t]+\S+(?:[ \t]+(?:traps|informs))?"""
            r"""(?:[ \t]+version[ \t]+(?:1|2c))?(?:[ \t]+vrf[ \t]+\S+)?[ \t]+)"""
            r"""(?!(?:version|traps|informs|vrf)\b)(?P<bare>[^\s"'`]+)(?=[ \t"']|\r?$)"""
        ),
        _snmp_community,
    ),
    (
        re.compile(r"""(?m)(^[ \t]*(?:\S+[#>%][ \t]*)?set[ \t]+snmp[ \t]+community[ \t]+)"?(?P<bare>[^\s"'`;]+)"""),
        _snmp_community,
    ),
    # Redis's ``requirepass ...`` and ``masterauth ...`` (redis.conf, ``redis-server
    # --requirepass ...`` in a compose file's command, ``CONFIG SET requirepass ...``).
    (re.compile(r"((?:requirepass|masterauth)(?<![\w]requirepass)(?<![\w]masterauth)[ \t]+)" + _CLI_ARGUMENT), _cli_argument),
    # A .pgpass line (``host:port:database:user:password``), written by a script or a Dockerfile
    # (the file itself is excluded): the port a number or ``*``, the password the line's end (or
    # a quote's, before a redirection); not a line of more fields (an IPv6 or MAC address, a time)
    # nor a passwd line (``nobody:*:-2:-2:Unprivileged User:/var/empty:...``).
    (
        re.compile(
            r"""(?m):(?<=[\w.*-]:)(?:\d{1,5}|\*):[\w.*-]+:[\w.@*-]+:"""
            r"""(?P<bare>(?![-<{(\[\\])(?:\\[:\\]|[^\s:"'`\\])+)(?=["'`]|\\n|[ \t]*(?:>|\r?$))"""
        ),
        _pgpass_line,
    ),
    # A password piped into ``sudo -S`` (``echo ... | sudo -S apt-get ...``), as into
    # ``docker login --password-stdin`` above.
    (
        re.compile(
            r"""(echo(?<=\becho)[ \t]+(?:-n[ \t]+)?(["']?))(?![$%{<-])([^\s"'`|;&<>]+)"""
            r"""(?=\2[ \t]*\|[ \t]*sudo""" + _SUDO_OPTIONS + r"""[ \t]+-[A-Za-z]*S)"""
        ),
        _piped_password,
    ),
    # XML configuration (Maven's settings.xml, tomcat-users, Spring beans, .NET's web.config):
    # ``<password>...</password>`` and ``<add key="DbPassword" value="..."/>`` went out whole.
    # Not an expression (JSX's ``{value}``) nor a placeholder (``${env.DB_PASSWORD}``), nor text
    # with spaces (a ``<PasswordHint>`` component's words). On the line between the tags too
    # (an IDE's formatting of settings.xml), or in CDATA.
    (
        re.compile(
            r"(?i)(<(" + _SECRET_NAME + r")(?:\s[^<>]*)?>" + _XML_TEXT_START + r")[^\s<>{}]{6,}(?=" + _XML_TEXT_END + r"</\2>)"
        ),
        r"\1" + REDACTED,
    ),
    # Maven's encrypted passwords (``mvn --encrypt-password``): ``<password>{COQLCE6DU6GtcS5P=}
    # </password>`` in settings.xml, and the master password in settings-security.xml's
    # ``<master>{...}</master>``, which Maven encrypts with a key in its own source: anyone
    # decrypts that one, then the others. Both went out (braces are JSX's ``{value}`` above).
    # Base64 with a digit or a ``+/=`` in it, not an expression; Maven 4's ``[name=...]`` first,
    # a note before the braces (Maven's docs: ``Oleg reset this password ... {...}``) too.
    (
        re.compile(
            r"(?i)(<(" + _SECRET_NAME + r"|master)(?:\s[^<>]*)?>" + _XML_TEXT_START
            + r"[^<>{}\r\n]*\{(?:\[[^\[\]{}<>\r\n]*\])?)(?=[A-Za-z]*[0-9+/=])[A-Za-z0-9+/]{12,}={0,2}"
            r"(?=\}(?:\]\]>)?[ \t]*(?:\r?\n[ \t]*)?</\2>)"
        ),
        r"\1" + REDACTED,
    ),
    # A YAML anchor on a secret's value (``x-db-password: &db_password X``, a compose file's,
    # used as ``*db_password`` below): the anchor's name took the value's place, which went out.
    (
        re.compile(
            r"""(?ix)(""" + _ASSIGNED_NAME + r"""["']?[\ \t]*:[\ \t]*&[\w.-]+[\ \t]+)"""
            r"""(?:(["'])([^"'\r\n]+)\2|([^\s"'\#&*|>!%@`][^\s\#]*)(?=[\ \t]*(?:\#|\r?\n|\Z)))"""
        ),
        lambda m: _assigned(m.group(0), m.group(1), "", m.group(2), m.group(3), m.group(4)),
    ),
    # An element an attribute names (Hibernate's ``<property name="hibernate.connection.password">``,
    # Java's XML properties ``<entry key="db.password">``): its text went out whole.
    (
        re.compile(
            r"""(?i)(<([\w.:-]+)\s[^<>]*?\b(?:name|key)\s*=\s*(["'])""" + _SECRET_NAME + r"""\3[^<>]*(?<!/)>"""
            + _XML_TEXT_START + r")([^\s<>{}]{6,})(?=" + _XML_TEXT_END + r"</\2>)"
        ),
        _xml_named_text,
    ),
    (
        re.compile(
            r"""(?i)(\b(?:name|key)\s*=\s*(["'])""" + _SECRET_NAME + r"""\2\s+value\s*=\s*(["']))[^"'{}\r\n]{6,}(?=\3)"""
        ),
        r"\1" + REDACTED,
    ),
    # A C or C++ macro (``#define DB_PASSWORD "..."``, ``L"..."``, ``u8"..."``): no separator, so
    # its value went out unless it had a known token's prefix. A quoted value only, as long as
    # an assignment's: ``#define PASSWORD_MAX_LEN 64`` and ``#define TOKEN_SEP ","`` are code,
    # and a word or a name is a label (OpenSSL's ``#define LN_userPassword "userPassword"``).
    (
        re.compile(
            r"""(?ix)(\#[\ \t]*define[\ \t]+(""" + _ASSIGNED_NAME + r""")[\ \t]+(?:u8|[LuU])?)
            (["'])([^"'\r\n]{6,}?)(?:\3|\Z)"""
        ),
        _paired_value,
    ),
    # A name and its value as a pair of literals, alone in brackets: a tuple or a list
    # (``("password", "...")``), a call's two arguments (``os.environ.setdefault("API_KEY",
    # "...")``, PHP's ``define('DB_PASSWORD', '...')``, ``setProperty("db.password", "...")``).
    # Not the end of a longer list (Django's ``fields = ("username", "password", "last_login")``,
    # a call's arguments one a line: ``join(dir,\n  'tokenizedata',\n  'bad_coding2.py')``).
    # One a line too, with a trailing comma (``(\n    "password",\n    "...",\n)``, a JSON array).
    (
        re.compile(
            r"""(?ix)([(\[]\s*["'](?=[\w.-]+["'][\ \t]*,)((?:\w*[.-])*""" + _ASSIGNED_NAME + r""")["'][\ \t]*,\s*)
            (["'])(?![$%{<-])([^"'\s]{6,})(?:\3(?=\s*,?\s*[)\]])|\Z)"""
        ),
        _paired_value,
    ),
    # Windows' ``[Environment]::SetEnvironmentVariable("DB_PASSWORD", "...", "User")`` (.NET's
    # too): a third argument, the variable's scope, after the pair.
    (
        re.compile(
            r"""(?ix)((?-i:SetEnvironmentVariable)\(\s*(["'])(""" + _ASSIGNED_NAME + r""")\2[\ \t]*,\s*)
            (["'])([^"'\r\n]{6,}?)(?:\4|\Z)"""
        ),
        _named_literal,
    ),
    # An environment list's entry: Kubernetes' ``- name: DB_PASSWORD`` with ``value: ...`` on
    # the next line, an ECS task's ``{"name": "API_KEY", "value": "..."}``.
    (
        re.compile(
            r"""(?ix)((?-i:name)(?<![\w-]name)["']?[\ \t]*:[\ \t]*["']?(?:\w*[.-])*""" + _ASSIGNED_NAME + r"""["']?
            [\ \t]*,?[\ \t]*(?:\r?\n[\ \t]*)?["']?value["']?)([\ \t]*:[\ \t]*)
            (?:(["'])([^"'\r\n]{6,}?)(?:\3|\Z)|((?![$%{<])[^\s"'`,;{}\#]{6,}))"""
        ),
        None,
    ),
    # Gradle's Groovy DSL, a setter called without ``=`` or brackets (``sonatypePassword 'X'``,
    # ``signing.password "X"``, ``setPassword 'X'``) or with them (``setPassword("X")``, Java's
    # ``ds.setPassword("X");``), Kotlin DSL's ``password.set("X")``: first on its line, the
    # literal last. Each went out (only ``password 'X'`` itself, as SQL's, was known).
    (
        re.compile(
            r"""(?ix)((?m:^)[\ \t]*(?:[\w-]+\.)*(""" + _ASSIGNED_NAME + r""")([\ \t]+|[\ \t]*\([\ \t]*|\.set\([\ \t]*))
            (["'])([^"'\r\n]{6,}?)(?=\4[\ \t]*\)?[\ \t]*;?[\ \t]*(?://[^\r\n]*)?\r?(?:\n|\Z))"""
        ),
        _setter_literal,
    ),
    # A properties file's key and value apart by spaces (``signing.password X`` in
    # gradle.properties, ``systemProp.https.proxyPassword X``): a dotted or camelCase key, its
    # value with a digit or a symbol (a line of prose has none), not a path, a number or an
    # operator ending a line of code (``this.federatedTokenFilePath =``, ``refreshToken &&``).
    (
        re.compile(
            r"""(?x)((?m:^)[\ \t]*(?=[\w.-]*(?:\.|[a-z](?-i:[A-Z])))(?:[\w-]+\.)*(?i:""" + _ASSIGNED_NAME + r""")[\ \t]+)"""
            r"""(?P<bare>(?=[^\s"'`()\[\]{}]*[A-Za-z0-9])(?![-<{(\[\\$%/~.=&|+*!?:;,])[^\s"'`()\[\]{}]+)(?=[\ \t]*\r?(?:\n|\Z))"""
        ),
        _spaced_property,
    ),
    # A Dockerfile's ``ENV DB_PASSWORD value``, the form without ``=``.
    (
        re.compile(
            r"""(?ix)((?m:^)[\ \t]*(?-i:ENV)[\ \t]+""" + _ASSIGNED_NAME + r""")([\ \t]+)
            (?:(["'])([^"'\r\n]{6,}?)(?:\3|\Z)|((?![$%{<])[^\s"'`]{6,}))"""
        ),
        None,
    ),
    # Windows' ``setx DB_PASSWORD value`` (``/M`` for the machine's), the same form.
    (
        re.compile(
            r"""(?ix)(\bsetx(?:[\ \t]+/M)?[\ \t]+""" + _ASSIGNED_NAME + r""")([\ \t]+)
            (?:(["'])([^"'\r\n]{6,}?)(?:\3|\Z)|((?![$%{<])[^\s"'`]{6,}))"""
        ),
        None,
    ),
    # SQL: ``CREATE USER app IDENTIFIED BY '...'``, ``ALTER ROLE app WITH PASSWORD '...'``. Each
    # case as a literal, not ``(?i)``: re skips to them, 5x faster. Not a name's end (OpenSSL's
    # ``#define LN_userPassword "userPassword"``) nor a message's words (``"Wrong password " +
    # user``: what follows its quote starts with a space).
    (
        re.compile(
            r"""((?:(?:PASSWORD|Password|password)(?<![\w-].{8})|(?:IDENTIFIED|identified)(?<![\w-].{10})\ (?:BY|by))[ \t]+)"""
            r"""(["'])(?![\s{$%:?<])([^"'\r\n]{6,}?)(?:\2|\Z)"""
        ),
        _named_literal,
    ),
    # PowerShell's ``ConvertTo-SecureString "..." -AsPlainText`` (and ``-String "..."``), the
    # cmdlet's name as written: re skips to it.
    (
        re.compile(
            r"""(ConvertTo-SecureString(?i:(?:[ \t]+-(?:asplaintext|force))*[ \t]+(?:-string[ \t]+)?))"""
            r"""(["'])(?!\$)([^"'\r\n]+?)(?:\2|\Z)"""
        ),
        _named_literal,
    ),
    # A password piped in: PowerShell's ``"..." | ConvertTo-SecureString -AsPlainText``, a
    # shell's ``echo "..." | docker login --password-stdin`` (podman's, helm registry's).
    (
        re.compile(r"""(["'])(?![$(])([^"'\r\n]+?)(?=\1[ \t]*\|[ \t]*(?i:ConvertTo-SecureString)\b)"""),
        _piped_password,
    ),
    # And ``printf`` (``printf '%s' '...'``), into any command that reads a password from its
    # input: ``passwd --stdin user`` (Red Hat's), ``vncpasswd -f``, ``smbpasswd -s``; the last
    # of a subshell's or a group's (``(echo X; echo X) | smbpasswd -s``), whose ``)`` is the
    # shell's, not the password's (it went out as ``[REDACTED]``, the ``)`` with it).
    (
        re.compile(
            r"""(""" + _ECHOED + r"""(["'])?)(?![$%{<-])((?(2)[^\s"'`|;&<>]+|[^\s"'`|;&<>()]+))"""
            r"""(?=(?(2)\2)(?:[ \t]*;?[ \t]*[)}])?[ \t]*\|""" + _PIPED_INTO + ")"
        ),
        _piped_password,
    ),
    # The first of the two (``smbpasswd -s`` and ``passwd`` read the password, then again).
    (
        re.compile(
            r"""([({][ \t]*""" + _ECHOED + r"""(["'])?)(?![$%{<-])((?(2)[^\s"'`|;&<>]+|[^\s"'`|;&<>()]+))"""
            r"""(?=(?(2)\2)[ \t]*;[ \t]*""" + _ECHOED + _SHELL_WORD
            + r"""[ \t]*;?[ \t]*[)}][ \t]*\|""" + _PIPED_INTO + ")"
        ),
        _piped_password,
    ),
    # printf's two (``printf '%s\n%s\n' X X | smbpasswd -s``): the first went out.
    (
        re.compile(
            r"""(\bprintf[ \t]+""" + _TWICE + r"""[ \t]+)(""" + _SHELL_WORD + r""")([ \t]+)(""" + _SHELL_WORD + r""")"""
            r"""(?=[ \t]*\|""" + _PIPED_INTO + ")"
        ),
        lambda m: m.group(1) + _piped_word(m.group(2)) + m.group(3) + _piped_word(m.group(4)),
    ),
    # The same commands' here-strings (``passwd --stdin user <<< ...``, ``vncpasswd -f <<< ...``).
    (
        re.compile(
            r"""((?:passwd[ \t]+--stdin|vncpasswd|--password-stdin)\b(?:(?!passwd|--password-stdin)[^\r\n|;&<])*<<<[ \t]*)"""
            + _CLI_ARGUMENT
        ),
        _cli_argument,
    ),
    # ``openssl passwd -6 ...`` and ``mkpasswd -m sha-512 ...``: the password to hash, last
    # (``-stdin`` reads it). Options with a value (``-salt x``, ``-m sha-512``) before it, not
    # past the next ``mkpasswd`` (from each one in a line of them the options ran to its end).
    (
        re.compile(
            r"""(openssl[ \t]+passwd\b(?:[ \t]+(?:-salt[ \t]+[^\s-]\S*|-(?!salt\b)[\w-]+))*[ \t]+)(?!-)"""
            + _CLI_ARGUMENT
        ),
        _cli_argument,
    ),
    (
        re.compile(
            r"""(mkpasswd\b(?:[ \t]+(?!mkpasswd)(?:-[mSRP][ \t]*(?!mkpasswd)[^\s-]\S*|--(?:method|salt|rounds|password-fd)(?:=|[ \t]+)(?!mkpasswd)\S+|-(?![mSRP]\b|-(?:method|salt|rounds|password-fd)\b)[\w-]+))*[ \t]+)(?!mkpasswd)"""
            + _CLI_ARGUMENT
        ),
        _cli_argument,
    ),
    # A Dockerfile's ``RUN echo "root:secret" | chpasswd``: the password after the user's name;
    # ``echo -n user:secret | base64`` (an HTTP Basic header made by hand), the same.
    (
        re.compile(
            r"""(\becho[ \t]+(?:-[ne]+[ \t]+)?(["']?)[^\s:"'`|]+:)(?!-|//)((?:[^\s"'`|;&<>]|(?!\2)[ \t])+)"""
            r"""(?=\2[ \t]*\|[ \t]*(?:(?:sudo[ \t]+)?chpasswd|base64|openssl[ \t]+base64)\b)"""
        ),
        _piped_password,
    ),
    # .env-style and code assignments whose name says it holds a secret: KEY=..., "password": "...".
    # The separator may be Go's ``:=`` or a PHP/Ruby ``=>``, after an optional type annotation
    # (``password: str = ...``); a quoted value runs to its closing quote, spaces and all, or
    # to the end of the text: a prompt window ends at the cursor, and a secret pasted between
    # the quotes an editor closed (``password="hunter2|"``) has its closing quote after it.
    # The quotes may be Python's triple ones or a JavaScript template's backticks, after a
    # literal's prefix (``b"..."``, ``r'...'``, C#'s ``@"..."``, C++'s ``L"..."``), or an
    # interpolating one (``f"..."``, C#'s ``$"..."``): each went out. The value may be on the
    # next line, in brackets or after a line continuation (``PASSWORD = (\n    "..."\n)``).
    # Not a YAML key, though: under ``credentials:`` the key below (``  password:``) was taken
    # for its value, redacted, and the password after it went out. (Its colon is looked for in
    # the value's first 100 characters: to the value's end, it was looked for again from each
    # name inside the value, 1.3 s over a 27 kB run of ``pwd:``.) The name may be a key
    # assigned a literal (Flask's ``app.config['SECRET_KEY'] = "..."``, ``os.environ["API_KEY"]
    # = "..."``; not a variable: ``env["API_KEY"] = api_key`` is code) or a C array's (``char
    # api_key[] = "..."``), its type Rust's ``&str``: each went out.
    (
        re.compile(
            r"""(?ix)("""
            + _ASSIGNED_NAME
            + r""")
            ((?:(?:["']\]|\[\d*\])(?=\s*=\s*[\w@$]{0,2}["'`])|["'])?(?:[ \t]*:[ \t]*(?:&(?:'static[ \t]+)?)?[A-Za-z_][\w.]*(?:\[[\w.,\ \[\]|]*\])?)?\s*(?::=|=>|[:=])\s*
            (?:[(\\]\s*(?=(?:[rbuf]{1,2}|u8|l|@\$?|\$@?)?["'`]))?
            (?:(?:[rbuf]{1,2}|u8|l|@\$?|\$@?)(?=["']))?)
            (?:("{3}|'{3}|["'`])([^"'\r\n]{6,}?)(?:\3|\Z)|(?!=)((?![^\s"'`,;]{0,100}:(?!\S))[^\s"'`,;]{6,}))
            """
        ),
        None,
    ),
    # The same, with the value alone on the lines of a triple-quoted string or a template
    # (``password = """`` then the secret on the next line): it went out whole. Only one word
    # there: a docstring, SQL or a prompt's text in triple quotes is code. The quotes may open
    # on a line of their own, in brackets (``password = (\n    """``), within the lines
    # redaction looks at around the name. The lines may start with a comment mark: a snippet's
    # (another file's lines, commented).
    (
        re.compile(
            r"""(?ix)("""
            + _ASSIGNED_NAME
            + r"""
            ["']?(?:[ \t]*:[ \t]*[A-Za-z_][\w.]*(?:\[[\w.,\ \[\]|]*\])?)?[ \t]*(?::=|=>|[:=])\s*(?:[(\\]\s*)?
            (?:(?:[rbu]{1,2}|@)(?=["']))?("{3}|'{3}|`)[ \t]*\r?\n"""
            + _LINES_TO_VALUE
            + r""")
            ([^\s"'`{}]{6,})(?=[ \t]*(?:\r?\n"""
            + _LINES_TO_VALUE
            + r""")?(?:\2|\Z))
            """
        ),
        _multiline_value,
    ),
    (_YAML_BLOCK, _multiline_value),
)


_TYPE_NAMES = frozenset(
    ("string", "str", "bytes", "number", "boolean", "bool", "secretstr", "secretbytes", "any", "unknown")
)


#: A word naming a secret, in a quoted value with spaces: a prompt's or a message's text.
_SECRET_WORD = re.compile(r"(?i)(?<!\S)(?:password|passphrase|passwd|passcode|token|secret|key|credentials?)s?(?=[\s:?!.,]|$)")


def _is_message(value: str) -> bool:
    """Whether ``value`` is words about a secret (``"Enter password:"``, ``"Wrong password, try
    again"``), not one: a sentence's punctuation or four words or more. Flask's ``"super secret
    key"`` is a secret."""
    words = value.split()
    if len(words) < 2 or not _SECRET_WORD.search(value):
        return False
    return value.rstrip()[-1] in ":?.!" or ", " in value or len(words) >= 4


#: Where an interpolating literal takes a value from code: a JavaScript template's, a shell's,
#: Kotlin's ``${...}``, Ruby's ``#{...}``, a template engine's ``{{...}}``; in Python's
#: ``f"..."`` and C#'s ``$"..."``, any ``{...}``.
_INTERPOLATION = re.compile(r"\$\{[^{}]*\}|#\{[^{}]*\}|\{\{[^{}]*\}\}")
_FORMAT_FIELD = re.compile(r"\{\{|\}\}|\{[^{}]*\}")
#: A run of a literal part that may be a secret, when it has a digit or is long.
_LITERAL_RUN = re.compile(r"[\w+=~-]{6,}")


def _literal_part(part: str) -> str:
    # A path, an address, a file name or words are how the value is made, not a secret.
    if any(ch in part for ch in "/.\\ \t"):
        return part
    return _LITERAL_RUN.sub(
        lambda m: REDACTED if len(m.group()) >= 20 or any(ch.isdigit() for ch in m.group()) else m.group(), part
    )


def _interpolated(value: str, formatted: bool) -> str | None:
    """``value`` with the secrets in its literal parts redacted, its interpolations kept (an
    ``f"{prefix}XyZ..."`` went out whole, a `` `Bearer ${token}` `` was redacted whole); None
    when nothing in it is interpolated."""
    fields = list((_FORMAT_FIELD if formatted else _INTERPOLATION).finditer(value))
    if all(m.group() in ("{{", "}}") for m in fields):  # none, or escaped braces only
        return None
    out: list[str] = []
    at = 0
    for m in fields:
        out += [_literal_part(value[at : m.start()]), m.group()]
        at = m.end()
    out.append(_literal_part(value[at:]))
    return "".join(out)


#: A batch file's ``set /p NAME=`` (before an assignment's name): what follows the ``=`` is the
#: prompt shown while the user types the value (``Token? ``), not the value.
_BATCH_PROMPT = re.compile(r"""(?i)\bset[ \t]+/p[ \t]+"?\Z""")
#: An ARN's service before the name (``arn:aws:secretsmanager:eu-west-1:123:secret:db-AbCdEf``):
#: the rest is where the secret is kept, not it; it went out as ``[REDACTED]``.
_ARN_SERVICE = re.compile(r"\barn:aws(?:-[a-z]+)*:\Z")
_ARN = re.compile(r"arn:aws(?:-[a-z]+)*:[a-z0-9-]+:")


def _assignment(match: re.Match[str]) -> str:
    # Only the few characters before the name: from each name on a long line, a search back to
    # the line's start made the pattern quadratic.
    if _BATCH_PROMPT.search(match.string, max(0, match.start() - 16), match.start()):
        return match.group(0)
    if _ARN_SERVICE.search(match.string, max(0, match.start() - 24), match.start()):
        return match.group(0)
    if match.group(5) is not None and _bare_value_is_code(match):
        return match.group(0)
    return _assigned(match.group(0), *match.groups())


#: A value with no digit that is a word of code: a keyword or a literal (``let token =
#: undefined;``), or a statement (the next line's ``return``, after ``if x in TOKENS:``).
_CODE_WORDS = frozenset(
    ("undefined", "unknown", "nullptr", "return", "continue", "import", "raise", "yield", "await", "break", "pass")
)
#: An identifier without a digit: a generated secret has digits; a variable most often none.
_IDENTIFIER = re.compile(r"[A-Za-z_$]+")
#: An identifier of words, camelCase or snake_case (``storedJwt``, ``current_token``).
_CAMEL_CASE = re.compile(r"[a-z][A-Z]")
_SNAKE_CASE = re.compile(r"[a-z]_+[a-z]")
#: An infix operator after a value: an expression (``Token = Ignore + PlainToken``, a type's
#: ``number | string``). Not a shell's ``&&`` or ``||`` after ``TOKEN=...``.
_INFIX_AFTER = re.compile(r"[ \t]+(?:[-+*/%^]|\|(?!\|)|&(?!&))[ \t]")
#: Before a name: an attribute of an object (``self.token = nextchar``) or the last target of
#: a tuple (``exposed, token = result``): code.
_CODE_TARGET = re.compile(r"(?:\b(?:self|this|cls)\.|,[ \t]*(?:\w+\.)*)\Z")
#: The rest of a value's line that is more code or prose: neither blank nor a comment.
_MORE_ON_LINE = re.compile(r"[ \t]*[^\s#/;]")
_WORD_AFTER = re.compile(r"[ \t]+[A-Za-z]")


def _bare_value_is_code(match: re.Match[str]) -> bool:
    """Whether an assignment's unquoted value is code or prose, not a secret: a variable, a
    type, an expression; a word of a sentence (``"pwd: expected bytes"``, ``# First pass:
    determine ...``); the first word of the next line of code after a name ending a line
    (``if key in TOKENS:`` then ``return``)."""
    text, value, sep = match.string, match.group(5), match.group(2)
    end = match.end()
    if value.lower() in _CODE_WORDS:
        return True
    if "\n" in sep or "\r" in sep:
        return _MORE_ON_LINE.match(text, end) is not None
    if _IDENTIFIER.fullmatch(value) is None:
        return False
    if _INFIX_AFTER.match(text, end) is not None:
        return True
    # Code's ``a = b``, not a shell's or an .env file's ``NAME=value``; or a member's ``a: b``.
    spaced = "=" in sep and sep != sep.strip()
    colon = sep.strip() == ":"
    # A statement's end, or a camelCase variable or type before a list's comma or a call's
    # parenthesis (``token: storedJwt,``); alone, ``password: hunterPass`` may be a password.
    following = text[end : end + 1]
    if (spaced or colon) and (following == ";" or (following in ",)" and _CAMEL_CASE.search(value))):
        return True
    if spaced and (_SNAKE_CASE.search(value) or _CODE_TARGET.search(text, max(0, match.start() - 24), match.start())):
        return True
    # A colon then words: a sentence (a message, a comment), not a YAML key's value.
    return sep.strip() == ":" and _WORD_AFTER.match(text, end) is not None


#: A name saying its value is about a secret, not one: its kind, its format, its size, where it
#: is asked for (``token_type = 'phrase'``, ``TokenFormat = 'relative'``, ``password_policy``).
_ABOUT_A_SECRET = (
    "type", "types", "kind", "format", "name", "names", "len", "length", "size", "count", "field", "header",
    "prefix", "label", "hint", "policy", "mode", "style", "ttl", "lifetime", "expiry", "expires", "timeout",
    "endpoint", "url", "uri", "regex", "pattern", "range", "scope", "scopes", "algorithm", "encoding",
)
#: After a separator or a camelCase word's boundary: one alternation of the words, compiled once.
_METADATA_NAME = re.compile(r"(?:[_.-]|(?<=[a-z0-9])(?=[A-Z]))(?i:" + "|".join(_ABOUT_A_SECRET) + r")\Z")
#: A format string's fields alone (``'%s:%s'``, ``'{0}:{1}'``): how a value is built, not one.
_FORMAT_ONLY = re.compile(r"(?:%[-+ #0]*\d*(?:\.\d+)?[sdifrxXeEgGcab]|\{[^{}]*\}|[^\w\s%{}])+")


#: A quoted value that is a type's name (a schema's ``"token": "string"``), a setting's word
#: (fetch's ``credentials: "same-origin"``), or a mask (``"********"``, ``"[Redacted]"``,
#: ``"**GDPR COMPLIANT**"``).
_SETTING_OR_MASK = re.compile(
    r"(?i:string|number|boolean|secretstr|secretbytes|unknown|same-origin|include|omit|required|optional"
    r"|enabled|disabled|hidden|\[redacted\]|<redacted>)|\*{3,}|\*\*[^*\r\n]+\*\*"
)
#: A value that holds no secret, quoted or not: a placeholder's character again and again
#: (``xxx``, ``XXXXXXXX``, ``----``: a placeholder or a test's filler), an elision (``"eyJ0eXAiO..."``, a doc's
#: example cut short), the word ``password`` in a password's place, an ABNF rule (``1*tchar``).
_NO_SECRET = re.compile(r"(?i)[ \t]*([x*.#_-])\1{2,}[ \t]*|.*(?:\.\.\.|…).*|password|\d+\*\d*[a-z][\w-]*")
#: Words of a sentence, not of a passphrase: a value of three words or more holding one of
#: them is prose (pino's ``secret: 'will be redacted'``, ``'please hide me'``).
_FUNCTION_WORDS = frozenset(
    ("a", "an", "the", "is", "are", "was", "be", "will", "as", "this", "that", "these", "me", "please", "not", "to", "of", "it")
)


def _is_prose(value: str) -> bool:
    words = value.split()
    return len(words) >= 3 and all(w.isalpha() for w in words) and any(w.lower() in _FUNCTION_WORDS for w in words)


def _is_format_only(value: str) -> bool:
    return ("%" in value or "{" in value) and _FORMAT_ONLY.fullmatch(value) is not None


#: A name saying its value is a file's path: ``DB_PASSWORD_FILE``, ``tokenPath``.
_PATH_NAME = re.compile(r"(?:_(?i:file|path|dir)|(?-i:File|Path|Dir))(?![A-Za-z0-9])")


_ODBC_PASSWORD_NAME = re.compile(r"(?i)pwd|password")
#: What a format string's field holds: a name, an index, a conversion, a format spec.
_FORMAT_FIELD_BODY = re.compile(r"[A-Za-z_][\w.]*(?:\[[^\]]*\])?(?:![rsa])?(?::[^{}]*)?|\d*")


_YAML_ANCHOR = re.compile(r"[&*][A-Za-z_][\w.-]*")
#: An ODBC password's braces that code fills in: a format field inside escaped braces
#: (``f"PWD={{{pw}}}"``, ``"PWD={{{0}}}".format(pw)``: a ``{``, the field, a ``}``), a
#: template's (`` `PWD={${pw}}` ``, PHP's ``"PWD={$pw}"``, ``{{ pw }}``) or printf's (``{%s}``).
_FILLED_BRACES = re.compile(r"\{(?:\{\{[^{}]*\}\}|\$\{[^{}]*\}|\$[A-Za-z_][\w>-]*|%(?:\([\w.]*\))?[sr])\}")


def _assigned(whole: str, name: str, sep: str, quote: str | None, quoted: str | None, bare: str | None) -> str:
    value = (quoted if quote else bare) or ""
    if _METADATA_NAME.search(name.rstrip()) or _is_placeholder(value) or _NO_SECRET.fullmatch(value):
        return whole
    # An address (``token_url = "https://host/oauth/token"``) is where a secret is asked for;
    # credentials inside one (``://user:pass@``) have their own pattern.
    if value.lower().startswith(("http://", "https://")) and "@" not in value:
        return whole
    # So is an ARN (``SECRET_ARN=arn:aws:secretsmanager:...``): a name, in any account.
    if _ARN.match(value):
        return whole
    # Where the secret is kept (Docker's ``POSTGRES_PASSWORD_FILE=/run/secrets/db``), not it.
    if _PATH_NAME.search(name) and any(ch in value for ch in "/\\"):
        return whole
    # ``DB_PASSWORD=$DB_PASSWORD`` passes a variable on: it went out as ``[REDACTED]``.
    if _REFERENCE.fullmatch(value):
        return whole
    # YAML's anchor and alias (``x-db-password: &db_password``, ``password: *db_password``)
    # name a value given elsewhere; each went out as ``[REDACTED]``.
    if not quote and sep.rstrip().endswith(":") and _YAML_ANCHOR.fullmatch(value):
        return whole
    if quote:
        closing = quote if whole.endswith(quote) else ""  # none at the cursor
        if _is_message(value) or _is_prose(value) or _is_format_only(value) or _SETTING_OR_MASK.fullmatch(value):
            return whole
        formatted = sep.lower().endswith(("f", "$", "$@", "@$"))  # the literal's prefix
        kept = _interpolated(value, formatted)
        if kept is not None:
            return f"{name}{sep}{quote}{kept}{closing}" if kept != value else whole
        # An odd run of backslashes before the closing quote ends in that quote's escape (a
        # command line inside a JSON string: ``PASSWORD=\"...\"``), which the string needs.
        escape = "\\" if closing and (len(value) - len(value.rstrip("\\"))) % 2 else ""
        return f"{name}{sep}{quote}{REDACTED}{escape}{closing}"
    # An ODBC connection string's password in braces (``PWD={...};``, for one with symbols),
    # not a format field (``password={password}``, ``PWD={0}``).
    if value[:1] == "{" and value[-1:] == "}" and _ODBC_PASSWORD_NAME.fullmatch(name.strip()):
        if not _FORMAT_FIELD_BODY.fullmatch(value[1:-1]) and not _FILLED_BRACES.fullmatch(value):
            return f"{name}{sep}{{{REDACTED}}}"
    # Unquoted code that only names where a secret comes from (a call, an attribute, a generic
    # type's ``Feature<Shape>``) stays.
    if any(ch in value for ch in "().[]{}<>"):
        return whole
    # A variable of the same name (``self.password = password``, ``password=password,``) or a
    # type (``password: string;``) is code, not a secret.
    if value.lower() == name.lower() or (sep.strip() == ":" and value.lower() in _TYPE_NAMES):
        return whole
    return f"{name}{sep}{REDACTED}"


_EOL = re.compile(r"\r\n|\r|\n")


def _keeping_lines(replacement: Replacement) -> Any:
    """A ``re.sub`` replacement that leaves as many line breaks as the secret it replaces."""

    def repl(match: re.Match[str]) -> str:
        if replacement is None:
            out = _assignment(match)
        else:
            out = replacement(match) if callable(replacement) else match.expand(replacement)
        missing = len(_EOL.findall(match.group(0))) - len(_EOL.findall(out))
        return out + "\n" * max(0, missing)

    return repl


#: The key-block patterns (the first three) span lines and run over the whole text, when it names a
#: private key at all. Every other pattern matches within a line or two and only where one of
#: these strings occurs (case-insensitively); running the regexes over whole prompt windows cost
#: ~9 ms a request (tests/bench/bench_overhead.py), finding these strings costs ~0.1 ms.
_KEY_BLOCK_PATTERNS = 3
_TRIGGERS = (
    *("akia", "asia", "agpa", "aida", "aroa", "anpa", "anva", "aipa", "aiza"),
    *("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "xox", "sk-", "k_live_", "k_test_", "eyj"),
    *("bearer", "token", "://", "secret", "passw", "passphrase", "pwd", "credential"),
    *("api_key", "api-key", "apikey", "access_key", "access-key", "accesskey"),
    *("private_key", "private-key", "privatekey"),
    *("whsec_", "glpat-", "gldt-", "glrt-", "glptt-", "gloas-", "npm_", "hf_", "hvs.", "hvb.", "hvr.", "xapp-", "accountkey", "_auth"),
    *("pypi-", '"auth"', "sig="),  # webhook URLs are found by their "://"
    "<master>",  # Maven's settings-security.xml
    "basic",
    "ls0tls1crudjti",
    *("gocspx-", "ya29.", "1//0", "key-", "shp", "atatt3", "dapi", "_v1_"),
    # A password on a command line: ``curl -u``, ``mysql -p...``, ``sshpass -p``, ``docker login -p``.
    *("curl", " -p"),
    # ``redis-cli -a``, ``ldapsearch -w``, ``openssl enc -k``, ``smbclient -U user%pass``,
    # ``net use ... /user:x pass``, an argument list's ``"-u", "user:pass"``.
    # Each trigger is a search of the whole window (~0.07 ms over 120 kB): few, and precise.
    *("redis-cli", "ldap", "openssl", "smbclient", "/user:", '"-u"', "'-u'"),
    *('"-p', "'-p"),  # mysql's ``["mysql", "-pS3cret"]``
    *("identified by", "convertto-securestring"),  # SQL's ``IDENTIFIED BY '...'``, PowerShell's
    *("storepass", "keypass"),  # keytool's ``-storepass ...``
    *("ssh-keygen", "net user"),  # ``ssh-keygen -N ...``, ``net user admin ...``
    *("sqlplus", "expdp", "impdp", "rabbitmqctl"),  # ``sqlplus user/pass@db``, ``add_user name pass``
    *("auth_key", "auth_salt", "logged_in_", "nonce_"),  # WordPress's ``define('AUTH_KEY', ...)``
    # Oracle's ``sqlldr``, ``userid=user/...``, a JDBC URL's logon (``rman``, ``connect`` and
    # ``exp`` below: as text, they are in "performance", "disconnect", "expect").
    *("sqlldr", "userid=", "jdbc:oracle:"),
    # Network devices (Cisco's ``enable secret``, ``username x password`` have "secret" and
    # "passw"), SNMP communities, Redis's ``requirepass``, a .pgpass line, ``| sudo -S``.
    # ``-key``: ``pre-shared-key``, ``authentication-key``, ``message-digest-key``.
    *("tacacs-server", "radius-server", "key-string", "-key", "isakmp", "community", "com2sec"),
    *("requirepass", "masterauth", ":5432:", ":*:", "pgpass", "| sudo"),
    # PuTTY's ``-pw``, ``lftp -u``, a Wi-Fi ``psk`` (wpa_supplicant's, nmcli's), Net-SNMP's tools
    # and IOS's ``snmp-server host``, ``sudo -S ... <<<``. (Mosquitto's and ipmitool's ``-P`` have
    # " -p"; x11vnc's, mysqladmin's and nmcli's ``passwd``/``password`` have "passw".)
    *("-pw", "lftp", "psk", "snmp", "<<<"),
    *("schtasks", " -hp"),  # ``schtasks /rp ...``, ``rar -hp...`` (``winrs -p:``, ``unrar -p`` have " -p")
    *("http-basic.", "-oauth."),  # Composer's and Poetry's settings
    # HTTPie's ``--auth``, ``echo user:pass | base64``, Redis's ``AUTH`` after its prompt,
    # ``vault login`` (an ``expect`` script's password prompt has "passw"). Each string is a
    # search of the window (~0.07 ms over 120 kB): those sharing a word are patterns below.
    *("--auth", "| base64", "> auth ", "vault login"),
    "rclone",  # ``rclone config create … pass X``, ``rclone obscure X``
)
#: ``pass`` as a name, not Python's statement (a trigger on every ``pass`` line made most of a
#: Python window suspect: 0.5 -> 11 ms a request): ``_pass``, ``pass:``, ``"pass"``, Go's
#: ``dbPass := ...`` or one aligned with its neighbours. One search, not a find for each form.
_PASS_NAME = re.compile(r"pass(?:(?<=_pass)|(?<=[a-z0-9]-pass)[ \t]|[:=\"']| [=:]|  )")
#: The names of keys that sign or encrypt (see _SECRET_WORDS), a WEP key (nmcli's ``wep-key0``),
#: WireGuard's ``PresharedKey``, a Tailscale key, lower-cased: one search, re skipping to each ``key``.
_KEY_NAME = re.compile(
    r"key(?:(?<=master_key)|(?<=masterkey)|(?<=encryption_key)|(?<=encryptionkey)|(?<=license_key)"
    r"|(?<=licensekey)|(?<=app_key)|(?<=appkey)|(?<=wep-key)|(?<=presharedkey)|(?<=tskey)-)"
)
#: minisign's and signify's secret keys by their first bytes, HTTPie's ``-a``, MinIO's ``mc alias
#: set``, lower-cased: a search each, re skipping to its first characters.
_KEY_AND_LOGIN_WORDS = (
    re.compile(r"rw(?:rty0iy|qaaeiy|rcsw)"),
    re.compile(r" -a(?:(?<=http -a)|(?<=https -a)|(?<=xh -a))"),
    re.compile(r"mc (?:alias set|config host)"),
)
#: A password hash after a user's name, lower-cased (see the pattern): one search.
_HASH_AFTER_NAME = re.compile(r":\$\$?(?:apr1|2[aby]|[156y])\$|:\{sha\}")
#: An Oracle tool's logon, lower-cased: ``rman``'s command line, SQL*Plus's ``connect user/``
#: (``conn``), ``exp user/`` and ``imp user/``. A search each, its word first: re skips to it
#: (one search of the four words took 10 ms over a 120 kB window, these 0.5 ms).
_ORACLE_LOGONS = (
    re.compile(r"rman (?<![\w-]rman )"),
    re.compile(r"conn(?<![\w.-]conn)(?:ect)?(?:[ \t]+(?:target|catalog|auxiliary))?[ \t]+\S+/"),
    re.compile(r"exp (?<![\w./-]exp )[ \t]*\S+/"),
    re.compile(r"imp (?<![\w./-]imp )[ \t]*\S+/"),
)
#: A ``.curlrc`` line's user and password (``user = "name:…"``), lower-cased: re skipping to ``user``.
_CURLRC_USER = re.compile(r"""user(?<![\w.]user)[ \t]*[=: \t][ \t]*["']?[^\s"':=]+:[^\s"'/]""")
#: And its ``-u name:…`` (``-U``, the proxy's, lower-cased), also on a command's continued line.
_CURLRC_SHORT_USER = re.compile(r"""-u(?<![^ \t\n]-u)[ \t]+["']?[^\s"':=]+:[^\s"'/]""")
#: The triggers that are patterns, not strings.
_TRIGGER_PATTERNS = (_PASS_NAME, _KEY_NAME, *_KEY_AND_LOGIN_WORDS, _HASH_AFTER_NAME, *_ORACLE_LOGONS, _CURLRC_USER, _CURLRC_SHORT_USER)


def has_trigger(text: str) -> bool:
    """Whether ``text`` holds a word that may introduce a secret (what :func:`redact` looks
    around). Text without one may be passed to :func:`redact` as ``clean``."""
    low = text.lower()
    return (
        any(trigger in low for trigger in _TRIGGERS)
        or any(pattern.search(low) is not None for pattern in _TRIGGER_PATTERNS)
    )


#: Case-sensitive words a secret's pattern starts with, looked for apart from the triggers:
#: lower-cased, they are in too much code (``msg.``, ``task``, ``each``).
_CASED_TRIGGERS = ("SG.", "SK", "AC")


def _may_hold_secret(text: str) -> bool:
    """Whether a few lines where two texts redacted apart meet may hold a secret across them."""
    return has_trigger(text) or any(word in text for word in _CASED_TRIGGERS)


def _outside(clean: Sequence[tuple[int, int]], size: int) -> list[tuple[int, int]]:
    segments: list[tuple[int, int]] = []
    at = 0
    for start, end in sorted(clean):
        if start > at:
            segments.append((at, start))
        at = max(at, end)
    if at < size:
        segments.append((at, size))
    return segments


def _suspect_spans(low: str, clean: Sequence[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """Merged (start, end) spans of the lines of ``low`` (a text lower-cased, positions
    unchanged) holding a trigger, each with the next two lines that are not blank (a secret may
    follow its name on a later line, and its `=` on another: whitespace in the patterns spans
    any number of line breaks). Triggers are not looked for in the ``clean`` ranges."""
    starts: list[int] = []
    for lo, hi in _outside(clean, len(low)) if clean else ((0, len(low)),):
        for trigger in _TRIGGERS:
            at = low.find(trigger, lo, hi)
            while at >= 0:
                starts.append(at)
                at = low.find(trigger, at + len(trigger), hi)
        for pattern in _TRIGGER_PATTERNS:
            starts += (m.start() for m in pattern.finditer(low, lo, hi))
    if not starts:
        return []
    spans: list[tuple[int, int]] = []
    line_end = 0
    for at in sorted(starts):
        # Once a line: its span is the same for each trigger on it, and from each of 36,000 on
        # one line the searches for its ends took 0.2 s.
        if at < line_end:
            continue
        begin = _bracket_line_above(low, _line_start(low, at))
        nl = low.find("\n", at)  # the trigger's own line
        end = len(low) if nl < 0 else nl + 1
        # A command continued after a ``\\`` is one line (``curl -sS \\``, its ``-u name:X``
        # lines below): its triggers all share this span.
        while end < len(low) and _continued(low, end):
            nl = low.find("\n", end)
            end = len(low) if nl < 0 else nl + 1
        line_end = end
        wanted = 2  # then the lines after it, up to the second that is not blank
        while end < len(low) and wanted:
            nl = low.find("\n", end)
            stop = len(low) if nl < 0 else nl + 1
            wanted -= bool(low[end:stop].strip())
            end = stop
        if spans and begin <= spans[-1][1]:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((begin, end))
    return spans


def _line_start(text: str, at: int) -> int:
    # A ``\r`` only after the last ``\n``: in a text without one the search for it ran back to
    # the text's start from each trigger's line, 40 ms over 9,000 lines.
    nl = text.rfind("\n", 0, at)
    return max(nl, text.rfind("\r", nl + 1, at)) + 1


def _continued(text: str, end: int) -> bool:
    """Whether the line ending at ``end`` (after its line break) ends in a ``\\``."""
    stop = end - 1 - (end >= 2 and text[end - 2] == "\r")
    return stop > 0 and text[stop - 1] == "\\"


def _bracket_line_above(text: str, begin: int) -> int:
    """Where the line above ``begin`` starts, when it ends in an opening bracket (blank lines
    between): a name and its value one a line below it (``(\\n    "password",\\n    "...",\\n)``)
    are a pair only with it. Else ``begin``."""
    prev = begin - 1
    while prev >= 0 and text[prev] in " \t\r\n":
        prev -= 1
    return _line_start(text, prev) if prev >= 0 and text[prev] in "([" else begin


def _apply(patterns: Iterable[tuple[re.Pattern[str], Replacement]], text: str, keep_lines: bool) -> str:
    for pattern, replacement in patterns:
        if pattern is _YAML_BLOCK and _YAML_BLOCK_OPENER.search(text) is None:
            continue
        if keep_lines:
            text = pattern.sub(_keeping_lines(replacement), text)
        else:
            text = pattern.sub(replacement if replacement is not None else _assignment, text)
    return text


# -- Kubernetes Secret manifests ---------------------------------------------------------------------
# Their ``data:`` (base64) and ``stringData:`` values sit under neutral keys (``username``,
# ``config.json``, ``.dockerconfigjson``) that no pattern above recognises: they went out whole.
_ANY_SECRET_KIND = re.compile(r"""^kind:[ \t]*["']?Secret\b""", re.M)
_KIND_LINE = re.compile(r"""^kind:[ \t]*["']?([A-Za-z]+)["']?[ \t]*(?:#.*)?$""")
_DOC_SEPARATOR = re.compile(r"^(?:---|\.\.\.)(?:[ \t]|$)")
# Greedy, no lazy part followed by optional spaces: a long line of spaces stays linear.
_TOP_KEY = re.compile(r"""^(?:"[^"]*"|'[^']*'|[^\s#'"-][^:#]*):(?:[ \t]|$)""")
_ENTRY = re.compile(r"""^([ \t]+(?:"[^"]*"|'[^']*'|[^\s#'"][^:#]*):)(?=[ \t]|$)([ \t]*)(.*)$""")
_JSON_SECRET = re.compile(r'"kind"\s*:\s*"Secret"')
_JSON_DATA = re.compile(r'("(?:data|stringData)"\s*:\s*\{)([^{}]*)(\})')
_JSON_VALUE = re.compile(r'("(?:[^"\\\r\n]|\\.)*"\s*:\s*)"(?:[^"\\\r\n]|\\.)*"')


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _is_template(value: str) -> bool:
    # A Helm or envsubst template names where the value comes from: code, not a secret.
    return "{{" in value or "${" in value


#: "-----BEGIN CERTIFICATE" as written and in base64: a TLS secret's ``tls.crt`` and ``ca.crt``
#: are public (and tell the model what the secret is).
_CERTIFICATE = ("-----BEGIN CERTIFICATE", "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS")


def _yaml_docs(lines: list[str]) -> list[list[int]]:
    docs: list[list[int]] = [[]]
    for i, line in enumerate(lines):
        if _DOC_SEPARATOR.match(line.rstrip("\r\n")):
            docs.append([])
        else:
            docs[-1].append(i)
    return docs


def _kind(bodies: Iterable[str]) -> str | None:
    for body in bodies:
        m = _KIND_LINE.match(body.rstrip("\r\n"))
        if m:
            return m.group(1)
    return None


def _seams(text: str, before: str, after: str) -> tuple[str, str]:
    """Where ``text`` meets the text around it: a word (``Secret``) may be cut there."""
    return before[-64:] + text[:64], text[-64:] + after[:64]


class _Manifest:
    """A walk through the lines of a Kubernetes Secret, redacting its data values."""

    def __init__(self, top: str | None = None, entry: int | None = None) -> None:
        self.top = top  # the top-level key the walk is under
        self.entry = entry  # the indentation of the data entry whose value may go on
        self.public = False  # that value is a certificate

    def line(self, body: str) -> str:
        """``body`` (a line without its line break), redacted."""
        if not body.strip() or body.lstrip().startswith("#"):
            return body
        indent = _indent(body)
        if indent == 0:
            self.top = body.split(":", 1)[0].strip() if _TOP_KEY.match(body) else None
            self.entry = None
            return body
        if self.top not in ("data", "stringData"):
            return body
        if self.entry is not None and indent > self.entry:
            # A block scalar's lines (``key: |``), or a value continued on the next lines.
            self.public = self.public or body.lstrip().startswith(_CERTIFICATE)
            return body if self.public or _is_template(body) else body[:indent] + REDACTED
        m = _ENTRY.match(body)
        if m is None:
            return body
        self.entry = indent
        value = m.group(3).rstrip()
        self.public = value.startswith(_CERTIFICATE)
        if not value or self.public or _is_template(value) or value.startswith(("|", ">", "#")):
            return body
        return m.group(1) + (m.group(2) or " ") + REDACTED


# A Secret inside another document: a ``kind: List``'s items (what ``kubectl get secrets -o
# yaml`` prints), an Ansible task's ``definition:``. Its keys start at the column of its ``kind``.
_NESTED_SECRET_KIND = re.compile(r"""^([ \t]*-[ \t]+|[ \t]+)kind:[ \t]*["']?Secret["']?[ \t]*(?:#.*)?$""", re.M)


def _redact_nested_secrets(text: str) -> str:
    """The data values of the Secrets in ``text`` whose ``kind`` line is indented."""
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    for m in _NESTED_SECRET_KIND.finditer(text):
        col = len(m.group(1))
        at = starts.index(m.start())
        first = at
        while first > 0:
            body = lines[first - 1].rstrip("\r\n")
            if body.strip() and _indent(body) < col:
                item = body.lstrip(" \t")
                if item.startswith("-") and _indent(body) + len(item) - len(item[1:].lstrip(" \t")) == col:
                    first -= 1  # the list item's first line: ``- apiVersion: v1``
                break
            first -= 1
        last = at + 1
        while last < len(lines) and (not lines[last].strip() or _indent(lines[last]) >= col):
            last += 1
        walk = _Manifest()
        for i in range(first, last):
            body = lines[i].rstrip("\r\n")
            eol = lines[i][len(body) :]
            lines[i] = body[:col] + walk.line(body[col:]) + eol
    return "".join(lines)


def secret_manifest_head(data: bytes, above_start: int, above: str, window: str) -> str:
    """``above`` (the text of ``data`` from ``above_start`` to a prompt's window) with the
    ``kind`` line and the top-level key of the YAML document it is part of put before it, when
    that is a Kubernetes Secret whose ``kind`` line is further up: a window starting among
    ``data:`` entries more than ``above`` below it sent their values. Looked for only when the
    window starts with an entry (``  password: c2VjcmV0``) and ``above`` names no kind."""
    first = window.split("\n", 1)[0]
    if not above or not first[:1].isspace() or _ENTRY.match(first) is None or "kind:" in above:
        return above
    start = data.rfind(b"\n---", 0, above_start) + 1  # the document's first line
    at = start if data.startswith(b"kind:", start) else data.find(b"\nkind:", start, above_start) + 1
    if at == 0:
        return above
    # To the end of the line ``above`` starts inside of: its tail alone would pass for a key.
    end = data.find(b"\n", above_start)
    lines = data[at : end if end >= 0 else above_start].decode("utf-8", "ignore").splitlines()
    if _kind(lines[:1]) != "Secret":
        return above
    # The walk only needs the last top-level key (``data:``); ``above``'s first line, cut, is dropped.
    top = next((line for line in reversed(lines) if line[:1] not in ("", " ", "\t", "#")), "")
    cut = above if data[above_start - 1 : above_start] in (b"\n", b"") else above.split("\n", 1)[-1]
    return f"{lines[0]}\n{top}\n{cut}"


def _redact_secret_manifests(text: str, before: str = "", after: str = "") -> str:
    """The values under a Kubernetes Secret's ``data:`` and ``stringData:``, in YAML (each
    document, ``---`` apart) or JSON. ``before`` and ``after`` are the text around ``text`` (a
    prompt's window and suffix are redacted apart): a manifest's ``kind`` line may be in the
    other one, and the line ``before`` ends in goes on in ``text``."""
    if "Secret" in text and _JSON_SECRET.search(text):
        text = _JSON_DATA.sub(
            lambda m: m.group(1) + _JSON_VALUE.sub(r'\1"' + REDACTED + '"', m.group(2)) + m.group(3), text
        )
    if "kind:" in text and _NESTED_SECRET_KIND.search(text):
        text = _redact_nested_secrets(text)
    # Most texts naming "Secret" are code (``SecretStr``): a line search spares them the walk.
    parts = (text, before, after, *_seams(text, before, after))
    if not any("Secret" in part and _ANY_SECRET_KIND.search(part) for part in parts):
        return text
    lines = text.splitlines(keepends=True)
    docs = _yaml_docs(lines)
    before_lines = before.splitlines(keepends=True)
    after_lines = after.splitlines(keepends=True)
    # The line the cursor is on, when ``before`` is a prompt's window: it goes on in ``text``
    # (and the last line of a window goes on in ``after``).
    partial = before_lines.pop() if before_lines and not before.endswith(("\n", "\r")) else ""
    before_doc = [before_lines[i] for i in _yaml_docs(before_lines)[-1]] if before_lines else []
    after_doc = [after_lines[i] for i in _yaml_docs(after_lines)[0]] if after_lines else []
    walk = _Manifest()
    for body in before_doc:
        walk.line(body.rstrip("\r\n"))
    for n, doc in enumerate(docs):
        if n:
            walk = _Manifest()
        bodies = [lines[i] for i in doc]
        if n == 0:
            bodies[:1] = [*before_doc, partial + bodies[0]] if bodies else [*before_doc, partial]
        if n == len(docs) - 1 and not text.endswith(("\n", "\r")):
            bodies[-1:] = [bodies[-1] + after_doc[0], *after_doc[1:]] if bodies and after_doc else bodies[-1:]
        elif n == len(docs) - 1:
            bodies += after_doc
        if _kind(bodies) != "Secret":
            continue
        for i in doc:
            line = lines[i]
            body = line.rstrip("\r\n")
            eol = line[len(body) :]
            if i == 0 and partial:
                whole = partial + body
                out = walk.line(whole)
                # The value began before ``text`` (and is redacted there too): none of it here.
                lines[i] = (out[len(partial) :] if out.startswith(partial) else REDACTED) + eol
            else:
                lines[i] = walk.line(body) + eol
    return "".join(lines)


def redact(
    text: str,
    *,
    keep_lines: bool = False,
    clean: Sequence[tuple[int, int]] = (),
    before: str = "",
    after: str = "",
) -> str:
    """Replace secret-looking strings; code that only names a secret (``api_key = get()``) stays.

    ``keep_lines``: a secret spanning several lines (a private key block) leaves as many line
    breaks behind, so the line numbers of the rest of the text do not move. Redact whole texts,
    never line by line: a key block's base64 lines look like nothing on their own.

    ``clean``: (start, end) ranges of whole lines of ``text`` (each starts at a line start and
    ends after a line break or at the end) that :func:`has_trigger` found nothing in: the
    search for triggers skips them (a prompt window is mostly lines checked before). Secrets
    after a trigger elsewhere are still found in them.

    ``before`` and ``after``: the text around ``text`` when it is redacted apart from it (a
    prompt's window and suffix), which may say what ``text`` is part of (a Kubernetes Secret).
    """
    redacted = text
    if "PRIVATE KEY" in redacted:
        redacted = _apply(_PATTERNS[:_KEY_BLOCK_PATTERNS], redacted, keep_lines)
    if "SG." in redacted:
        redacted = _apply(((_SENDGRID, REDACTED),), redacted, keep_lines)
    if "SK" in redacted:
        redacted = _apply(((_TWILIO, REDACTED),), redacted, keep_lines)
    if "AC" in redacted:
        redacted = _apply(((_TWILIO_AUTH, r"\1" + REDACTED),), redacted, keep_lines)
    if "variable" in redacted:
        redacted = _apply(_TERRAFORM, redacted, keep_lines)
    if "default" in redacted or "default" in before[_line_start(before, len(before)) :]:
        redacted = _unseen_block_defaults(redacted, before, after)
    if any("Secret" in part for part in (redacted, before, after, *_seams(redacted, before, after))):
        redacted = _redact_secret_manifests(redacted, before, after)
    if before:
        redacted = _value_below_name(redacted, before)
    if redacted != text:
        clean = ()  # the ranges were positions in the text before these went
    text = redacted
    single = _PATTERNS[_KEY_BLOCK_PATTERNS:]
    low = text.lower()
    if len(low) != len(text):
        # A few characters lower-case to two ("İ"): positions in the lowered text would not be
        # positions in the text. Rare enough to pay for the whole-text patterns.
        return _concatenated(_apply(single, text, keep_lines))
    spans = _suspect_spans(low, clean)
    if not spans:
        return text
    out: list[str] = []
    done = 0
    for begin, end in spans:
        out.append(text[done:begin])
        out.append(_apply(single, text[begin:end], keep_lines))
        done = end
    out.append(text[done:])
    return _concatenated("".join(out))


#: A literal written right after a redacted one, with only spaces and line breaks between:
#: implicit concatenation (``PASSWORD = (\n    "part1"\n    "part2"\n)``, ``"abc" "def"``, a ``\`` between),
#: one secret in parts, of which only the first was redacted. Not a triple-quoted docstring.
_CONCATENATED = re.compile(r"""\[REDACTED\](["'])((?:[\s\\]+\1(?!\1)[^"'\r\n]+(?:\1|\Z))+)""")
_CONCATENATED_PART = re.compile(r"""([\s\\]+["'])[^"'\r\n]+""")


#: A command line's flag before a literal (``docker login -p "..."``): the literals after it are
#: the command's next arguments (``"registry.example.com"``), not parts of the flag's value.
_FLAG_BEFORE = re.compile(r"(?<!\S)--?[A-Za-z][\w-]*[ \t]+\Z")


def _joined_literals(match: re.Match[str]) -> str:
    text, at = match.string, match.start()
    line = _line_start(text, at)
    opening = text.rfind(match.group(1), line, at)
    # No quote before the secret on its line: the one after it opens a literal, it closes none
    # (``AKIA...' '`` went out as ``[REDACTED]'[REDACTED]``).
    if opening < 0 or _FLAG_BEFORE.search(text, max(line, opening - 64), opening):
        return match.group(0)
    return REDACTED + match.group(1) + _CONCATENATED_PART.sub(r"\1" + REDACTED, match.group(2))


def _concatenated(text: str) -> str:
    if REDACTED not in text:
        return text
    return _CONCATENATED.sub(_joined_literals, text)


#: Lines of a prompt's window and of its suffix looked at around the cursor for a secret it is
#: inside of: a value may come a line or two after its name (see :func:`_suspect_spans`).
_SEAM_LINES = 4


#: Characters of each side looked at, at most, where lines are long (a name and what comes
#: between it and its value are shorter): in a minified file's one line, "the last four lines"
#: were the whole prompt window and the 4 kB above it, and every pattern ran over them twice a
#: keystroke (66 ms a key at the end of a 330 kB line).
_SEAM_CHARS = 256
#: Where a value written after the seam may end: it is read to there, never cut inside (the
#: rest of a long value would go out as it is).
_VALUE_END = re.compile(r"""[\s"'`;,)\]}>]""")
#: How far that end is looked for: no secret is longer (a data URL's base64 has no end).
_VALUE_MAX_CHARS = 8192


def _last_lines_start(text: str) -> int:
    """Where the last ``_SEAM_LINES`` lines of ``text`` start (and the command they continue,
    after ``\\``: ``curl`` five lines above its ``-u``), or its last ``_SEAM_CHARS`` characters
    where those lines are longer."""
    lo = len(text)
    for _ in range(_SEAM_LINES):
        lo = _line_start(text, lo - 1)
        if lo == 0:
            break
    floor = len(text) - _SEAM_CHARS
    while lo > max(floor, 0) and _continued(text, lo):
        lo = _line_start(text, lo - 1)
    return max(lo, floor)


def _first_lines_end(text: str) -> int:
    """Where the first ``_SEAM_LINES`` lines of ``text`` end (after their line break), or
    where the word ``_SEAM_CHARS`` characters in ends, where those lines are longer."""
    hi = 0
    for _ in range(_SEAM_LINES):
        nl = text.find("\n", hi, hi + _SEAM_CHARS + 1)
        if nl < 0:
            if len(text) - hi <= _SEAM_CHARS:
                return len(text)
            far = min(len(text), hi + _VALUE_MAX_CHARS)
            end = _VALUE_END.search(text, hi + _SEAM_CHARS, far)
            return far if end is None else end.start()
        hi = nl + 1
    return hi


def _replaced_across(
    joined: str,
    cut: int,
    patterns: Sequence[tuple[re.Pattern[str], Replacement]] | None = None,
    *,
    across: bool = True,
    told_after: bool = False,
) -> Iterator[tuple[re.Match[str], str]]:
    """The matches of ``patterns`` (the one-line ones by default) in ``joined`` that run across
    ``cut`` (where two texts redacted apart meet) with what replaces each, where that differs
    from the match. ``told_after``: also those ending before ``cut``, on its line or the one
    above, known a secret only by what follows it (``<password>X`` then ``</password>``);
    ``across``: False for those alone."""
    line = _line_start(joined, max(0, _line_start(joined, cut) - 1))
    for pattern, replacement in _PATTERNS[_KEY_BLOCK_PATTERNS:] if patterns is None else patterns:
        for m in pattern.finditer(joined):
            if m.start() >= cut:
                break
            if m.end() > cut and not across:
                continue
            if m.end() <= cut and not (told_after and m.end() >= line and _told_after(pattern, m, cut)):
                continue
            out = _keeping_lines(replacement)(m)
            if out != m.group(0):
                yield m, out


def _told_after(pattern: re.Pattern[str], m: re.Match[str], cut: int) -> bool:
    """Whether ``m`` (ending at or before ``cut``) is not found in the text before ``cut`` alone:
    its pattern looked past ``cut`` (an end tag, a closing brace)."""
    alone = pattern.match(m.string, m.start(), cut)
    return alone is None or alone.end() != m.end()


def _terraform_block_start(text: str) -> int:
    """Where the last ``variable`` of ``text`` first on its line is, or -1."""
    at = len(text)
    while (at := text.rfind("variable", 0, at)) >= 0:
        if not text[_line_start(text, at) : at].strip():
            return at
    return -1


def _value_below_name(text: str, before: str) -> str:
    """``text`` with its first lines redacted where they hold the value of a secret named at the
    end of ``before``: a prompt's window starting between ``password = (`` and its value on the
    next line sent the value alone, which looks like nothing on its own."""
    lo = _last_lines_start(before)
    hi = _first_lines_end(text)
    # The word that says what the value is may follow it: ``echo | sudo -S`` after the cursor.
    found = _value_below(before[lo:], text, hi, None) if _may_hold_secret(before[lo:] + text[:hi]) else None
    if found is None and "variable" in before and (block := _terraform_block_start(before)) >= 0:
        found = _value_below(before[block:], text, hi, _TERRAFORM)
    return text if found is None else found


def _value_below(
    tail: str, text: str, hi: int, patterns: Sequence[tuple[re.Pattern[str], Replacement]] | None
) -> str | None:
    joined = tail + text[:hi]
    cut = len(tail)
    for m, out in _replaced_across(joined, cut, patterns):
        name = joined[m.start() : cut]
        # Only a value wholly in ``text``, after a name and separator that stay as written.
        if out.startswith(name):
            return out[len(name) :] + joined[m.end() :] + text[hi:]
    return None


def split_at_secret(window: str, suffix: str) -> tuple[str, str]:
    """``window`` and ``suffix`` (the text before and after the cursor, redacted apart) with a
    secret the cursor is inside of replaced, before the cursor. Each half alone looked like no
    secret (``AKIAQQQQ`` and ``QQQQQQQQQQQQ`` both went out), or the part after the cursor went
    out with the suffix (``-Secret-77"`` of a password being edited). And one the cursor is
    right after, that only what follows says is a secret: ``<password>X|</password>``, where an
    editor that closes tags leaves the cursor as the password is typed."""
    if not window or not suffix:
        return window, suffix
    # Between words the cursor is inside no secret: only one it is after is looked for.
    inside = not (window[-1].isspace() or suffix[0].isspace())
    lo = _last_lines_start(window)
    hi = _first_lines_end(suffix)
    joined = window[lo:] + suffix[:hi]
    found = None
    if _may_hold_secret(joined):
        found = _split_across(window, suffix, lo, hi, None, across=inside)
    if not inside:
        return (window, suffix) if found is None else found
    # A default's line, or a heredoc's below it: the cursor in ``<<EOT\nSup3r|-S3cret\nEOT``.
    line = _line_start(window, len(window))
    if found is None and "default" in window[lo:]:
        block = _terraform_block_start(window)
        if block >= 0:
            found = _split_across(window, suffix, block, hi, _TERRAFORM)
        elif "default" in window[line:] and (unseen := _unseen_block(window[:line], window[line:] + suffix[:hi], suffix[hi:])):
            found = _split_across(window, suffix, line, hi, ((_HCL_DEFAULT, _unseen_default(unseen[1])),))
    return (window, suffix) if found is None else found


def _split_across(
    window: str,
    suffix: str,
    lo: int,
    hi: int,
    patterns: Sequence[tuple[re.Pattern[str], Replacement]] | None,
    *,
    across: bool = True,
) -> tuple[str, str] | None:
    joined = window[lo:] + suffix[:hi]
    cut = len(window) - lo
    for m, out in _replaced_across(joined, cut, patterns, across=across, told_after=True):
        if m.end() <= cut:  # wholly before the cursor: the suffix stays as it is
            return window[:lo] + joined[: m.start()] + out + joined[m.end() : cut], suffix
        # What the replacement ends with as the match does (a closing quote) stays after the cursor.
        keep = 0
        while keep < min(len(out), m.end() - cut) and out[-1 - keep] == joined[m.end() - 1 - keep]:
            keep += 1
        head = joined[: m.start()] + out[: len(out) - keep]
        return window[:lo] + head, joined[m.end() - keep :] + suffix[hi:]
    return None


#: Paths are Windows paths (drives, shares). Module flags, so tests can take the other side.
WINDOWS = os.name == "nt"
#: Whether the file system opens a name in any case: Windows', and macOS' by default (APFS).
CASE_INSENSITIVE_FS = WINDOWS or sys.platform == "darwin"

_URI_DRIVE = re.compile(r"^/[A-Za-z]:(?:/|$)")


def uri_to_path(uri_or_path: str) -> str:
    parsed = urlparse(uri_or_path)
    if parsed.scheme and len(parsed.scheme) > 1:
        path = unquote(parsed.path)  # '' for a URI without one (Neovim's unnamed buffers: file://)
        if WINDOWS:
            # ``file:///c%3A/x`` (VS Code) and ``file:///C:/x`` are ``c:/x``: ``/c:/x`` has no
            # drive on Windows, no file has that name (every workspace folder, import and
            # label was lost). ``file://server/share/x`` is the share's ``//server/share/x``.
            if parsed.scheme == "file" and parsed.netloc and parsed.netloc.lower() != "localhost":
                path = f"//{parsed.netloc}{path}"
            elif _URI_DRIVE.match(path):
                path = path[1:3] + (path[3:] or "/")  # ``d:`` alone is the drive's current folder
        return path
    return uri_or_path


def file_path(uri: str) -> Path | None:
    """The file a ``file:`` URI names; None for other schemes (``untitled:``) and for a
    ``file:`` URI without an absolute path: Neovim's unnamed buffers are ``file://``, whose
    folder was taken for ``.``, the server's working directory (its files were read for
    context and crawled, and every completion request failed)."""
    if not uri.startswith("file:"):
        return None
    path = uri_to_path(uri)
    if not path:
        return None
    found = Path(path)
    return found if found.is_absolute() else None


def is_excluded(uri_or_path: str, globs: Iterable[str]) -> bool:
    """True when the file matches any exclusion glob (``**/`` matches any folder depth).

    A ``file:`` URI (a document the editor opened) is also the file it links to, if it is a
    symlink: ``settings_local.py -> private/secrets.py`` was sent whole, though imports and the
    command line refuse a file excluded by either name. Paths are matched as given."""
    # Asked on every keystroke for the same few files; a dozen globs take ~0.1 ms to match.
    globs = tuple(globs)
    if _is_excluded(uri_or_path, globs):
        return True
    real = _link_target(uri_or_path) if uri_or_path.startswith("file:") else None
    return real is not None and _is_excluded(real, globs)


#: The file each document's URI links to (None: it is no link), kept a few seconds: asked on
#: every keystroke, a ``realpath`` is a ``stat`` per folder of the path.
_targets: TTLCache[str, str | None] = TTLCache(maxsize=1024, ttl=5.0)


_UNKNOWN = object()


def _link_target(uri: str) -> str | None:
    # One lookup: between ``in`` and ``[]`` the entry may expire, a KeyError out of a keystroke.
    known = _targets.get(uri, _UNKNOWN)
    if known is not _UNKNOWN:
        return known  # type: ignore[return-value]
    path = file_path(uri)
    real: str | None = None
    if path is not None:
        try:
            resolved = os.path.realpath(path)
        except (OSError, ValueError):
            resolved = str(path)
        real = resolved if resolved != str(path) else None
    _targets[uri] = real
    return real


_DRIVE = re.compile(r"^/?([A-Za-z]):/")
_BRACES = re.compile(r"\{([^{}]*)\}")


def _expand_braces(glob: str) -> list[str]:
    """VS Code's ``{a,b}`` alternatives, which fnmatch does not know."""
    match = _BRACES.search(glob)
    if match is None or "," not in match.group(1):
        return [glob]
    head, tail = glob[: match.start()], glob[match.end() :]
    return [g for alt in match.group(1).split(",") for g in _expand_braces(head + alt + tail)]


@functools.lru_cache(maxsize=4096)
def _is_excluded(uri_or_path: str, globs: tuple[str, ...]) -> bool:
    path = uri_to_path(uri_or_path).replace("\\", "/")
    # "/c:/x" (a file URI's path) and "C:/x" are the same file; on Windows, and macOS, case
    # does not count: ``Secrets/keys.h`` is the file of ``secrets/keys.h``.
    any_case = _DRIVE.match(path) is not None or CASE_INSENSITIVE_FS
    if any_case:
        path = _DRIVE.sub(lambda m: m.group(1).lower() + ":/", path).lower()
    name = PurePosixPath(path).name
    for glob in (g for raw in globs for g in _expand_braces(raw)):
        g = glob.replace("\\", "/")
        if g.endswith("/"):
            # A folder, as .gitignore names one (``private/``): its files. As a glob it
            # matched no file at all, and the folder's files were sent.
            g += "**"
        if any_case:
            g = _DRIVE.sub(lambda m: m.group(1).lower() + ":/", g).lower()
        bare = g[3:] if g.startswith("**/") else g
        if "/" not in bare:
            if fnmatchcase(name, bare) or fnmatchcase(name.lower(), bare.lower()):
                return True
            continue
        if g.startswith("**/"):
            inner = bare.rstrip("/")
            if inner.endswith("/**"):
                folder = inner[:-3]
                if f"/{folder}/" in f"/{path}" or fnmatchcase(path, f"*/{folder}/*"):
                    return True
            if fnmatchcase(path, f"*/{bare}") or fnmatchcase(path, bare):
                return True
        elif fnmatchcase(path, g) or fnmatchcase(path, f"*/{g}"):
            return True
    return False
