"""What replaces a secret a pattern matched, and the checks on a value (a placeholder, a
variable passed on, a user's name again) those replacements make."""

from __future__ import annotations

import base64
import functools
import re
from collections.abc import Callable
from itertools import pairwise

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
#: an ``ENCRYPTION_KEY``, a token's ``SigningKey``, ``HMAC_KEY``, .NET's ``Jwt__Key`` (the
#: environment's name of ``Jwt:Key``); a product's ``LICENSE_KEY``.)
#: (Their first letters first, as one class: each word's alternative, case-insensitive, is
#: entered at every character of every name, and most characters start none of them.)
_SECRET_WORDS = (
    r"(?=[ACEHJLMPST])"
    r"(?:SECRET|PASSWORD|PASSWD|PASSPHRASE|PWD|TOKEN(?!I[SZ])|API[_-]?KEY|ACCESS[_-]?KEY|PRIVATE[_-]?KEY|CREDENTIALS?"
    r"|(?:MASTER|ENCRYPTION|LICENSE|APP|SIGNING|HMAC)_?KEY|JWT_{0,2}KEY)"
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
    # What ``pw`` and ``pswd`` are short for: Go's ``pw := "..."``, ``DB_PW=...``, ``adminPw``.
    |(?:[A-Z0-9_]*_)?(?:PW|PSWD?)(?![A-Z0-9_])|(?-i:[A-Za-z0-9]*[a-z0-9](?:Pw|Pswd?))(?![A-Za-z0-9_])
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


def _names_placeholder(value: str) -> bool:
    """Whether ``value`` is a usage line's word for a value (``API_KEY``, ``TOKEN``, ``...``), not
    a key of capitals alone (``QWHDKSLAPZMXNCBVTRYE``: see :func:`random_letters`)."""
    return _PLACEHOLDER.fullmatch(value) is not None and not random_letters(value)


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


#: A value that is itself a secret's name (``("password", "confirm_password")``).
_SECRET_NAME_ONLY = re.compile(r"(?ix)" + _ASSIGNED_NAME)


#: What a secret has and a word or a name has not: a digit or a symbol.
_SECRET_LIKE = re.compile(r"[\d!@#$%^&*+=~?]")


#: A value that names where the secret comes from, not it: a shell's, a .env file's, a batch
#: file's or PowerShell's variable (``$DB_PASSWORD``, ``%DB_PASSWORD%``, ``$env:DB_PASSWORD``), a
#: command's output (``$(cat /run/secrets/db)``), Symfony's ``%env(DB_PASSWORD)%``. One case a name: ``$ecretPassw0rd`` is a password.
_REFERENCE = re.compile(
    r"\$(?:[A-Z_][A-Z0-9_]*|[a-z_][a-z0-9_]*|\{[^{}]*\}|\([^()]*\)|(?i:env):\w+)|%[A-Za-z_]\w*%|%env\((?:[\w-]+:)*[A-Za-z_]\w*\)%"
)


def _names_piped(value: str, literal: bool) -> bool:
    """Whether a value piped in names the password (a variable, a placeholder), not is it;
    ``literal``: single-quoted, where ``'$ecret'`` is no variable."""
    return (_REFERENCE.fullmatch(value) is not None and not literal) or _names_placeholder(value)


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
    if value.startswith(("%", "{", "<")) or _is_template(value) or _names_placeholder(value):
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
    if group == "bare" and bare_needs_symbol and _SECRET_LIKE.search(value) is None and not random_letters(value):
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


#: A token that is no credential: a page's, a change's or a lock's, a request's idempotency
#: (botocore's examples' ``"NextToken": "57r3EXAMPLE…"``, ``"ChangeToken": "abcd12f2-…"``,
#: ``"LockToken": "7f36cb30-…"``), where a listing resumes.
_NO_CREDENTIAL_WORD = r"(?:next|page|continuation|pagination|change|lock|idempotency|cancellation|sync|starting|resume)"
NO_CREDENTIAL_TOKEN = re.compile(r"(?i)" + _NO_CREDENTIAL_WORD + r"[_-]?tokens?\Z")
#: Such a word and a ``-`` right before a name read as ``token`` alone (gcloud's ``--page-token``,
#: the AWS CLI's ``--starting-token``, ``--next-token``: each value went out as ``[REDACTED]``).
_NO_CREDENTIAL_BEFORE = re.compile(r"(?i)(?<![a-z])" + _NO_CREDENTIAL_WORD + r"-\Z")


def no_credential_before(text: str, at: int) -> bool:
    """Whether a token's name at ``at`` in ``text`` is a listing's (see _NO_CREDENTIAL_BEFORE)."""
    return _NO_CREDENTIAL_BEFORE.search(text, max(0, at - 16), at) is not None


#: A flag's value that is a setting, not a secret: ``name=value`` pairs (``--secret-key
#: id=x,src=...``), a number (a count, a size).
_SETTING_VALUE = re.compile(r"[\w.-]+=|\d+\Z")


def _secret_flag(match: re.Match[str]) -> str:
    """A key's or a token's flag value (see _prose_safe_argument), unless a setting."""
    if _SETTING_VALUE.match(match.group(_argument_group(match))) or NO_CREDENTIAL_TOKEN.search(match.group(1).rstrip()):
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


#: Letter pairs common in words and names: the 150 most frequent in the words of the standard
#: library's identifiers (87 % of their pairs). Capitals run together from words are mostly
#: these (``READWRITEEXECUTE``); a random key's capitals a fifth of the time.
_COMMON_PAIRS = frozenset(
    """AB AC AD AG AI AL AM AN AP AR AS AT BA BE BJ BL BU CA CE CH CK CL CO CT DA DE DI DO EA EC ED EE
    EF EL EM EN EP ER ES ET EX FA FF FI FO FR GE GS HA HE HI HO IC ID IE IF IG IL IM IN IO IR IS IT KE
    LA LE LF LI LL LO LS LT LU MA ME MO MP NA NC ND NE NG NI NO NS NT OB OC OD OL OM ON OP OR OS OT OU
    OW PA PE PL PO PP PR PT RA RE RG RI RM RN RO RR RS RT RU RY SA SE SH SI SO SP SS ST SU TA TE TH TI
    TO TR TS TT TU TY UE UL UM UN UP UR US UT VA VE WI XT YP""".split()
)


def random_letters(value: str) -> bool:
    """Whether ``value`` is capitals alone shaped as a random key (``QWHDKSLAPZMXNCBVTRYE``), not
    words run together (``PYTHONIOENCODING``) nor a pattern (``MVMVMV…``): 16 letters or more,
    10 of them different, fewer than half its letter pairs common in words. (With no digit nor
    lower-case letter, only its letters tell a key from a constant.)"""
    if len(value) < 16 or not (value.isascii() and value.isalpha() and value.isupper()) or len(set(value)) < 10:
        return False
    return _rare_pairs(value)


def random_mixed_letters(value: str) -> bool:
    """Whether ``value`` is letters alone of both cases shaped as a random key (``kQwErTyUiOpAsDfG``),
    not a name's words (``UIWebViewDelegate``): 16 letters or more, a quarter of them in each
    case, its case changing at one letter in four at least, its runs of small letters no longer
    than twice its runs of capitals on average (a name's words are a capital, then small letters),
    fewer than half its letter pairs common in words. (A list of such keys went out whole: no
    digit.) 98 % of random keys of 40 letters, 88 % of 16; 10 of 10,397 such words in the
    installed packages' code."""
    if len(value) < 16 or not (value.isascii() and value.isalpha()) or not _mixed_case(value):
        return False
    changes = sum(a.isupper() != b.isupper() for a, b in pairwise(value))
    small = _SMALL_RUN.findall(value)
    capitals = _CAPITAL_RUN.findall(value)
    # Mean run lengths compared without dividing: sum(small) / len(small) <= 2 * sum(capitals) / len(capitals).
    short_runs = sum(map(len, small)) * len(capitals) <= 2 * sum(map(len, capitals)) * len(small)
    return changes * 4 >= len(value) and short_runs and _rare_pairs(value.upper())


_SMALL_RUN = re.compile(r"[a-z]+")
_CAPITAL_RUN = re.compile(r"[A-Z]+")


def _rare_pairs(letters: str) -> bool:
    """Whether fewer than half the pairs of ``letters`` (capitals) are common in words."""
    common = sum(letters[i : i + 2] in _COMMON_PAIRS for i in range(len(letters) - 1))
    return common * 2 < len(letters) - 1


def _mixed_case(value: str) -> bool:
    """Upper and lower case letters a quarter of the letters each at least, as in a random key;
    a name's words (``WindowsServer2022Datacenter``) have an upper-case letter each."""
    upper = sum(ch.isupper() for ch in value)
    lower = sum(ch.islower() for ch in value)
    return min(upper, lower) * 4 >= upper + lower


#: A pattern's replacement: a template, a function of the match, or None for an assignment.
Replacement = str | Callable[[re.Match[str]], str] | None


def _line_start(text: str, at: int) -> int:
    # A ``\r`` only after the last ``\n``: in a text without one the search for it ran back to
    # the text's start from each trigger's line, 40 ms over 9,000 lines.
    nl = text.rfind("\n", 0, at)
    return max(nl, text.rfind("\r", nl + 1, at)) + 1


def _is_template(value: str) -> bool:
    # A Helm or envsubst template names where the value comes from: code, not a secret.
    return "{{" in value or "${" in value
