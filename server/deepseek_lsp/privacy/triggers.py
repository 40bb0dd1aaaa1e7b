"""The cheap first look: the words that may introduce a secret, the lines of a text worth
running the patterns over, and running them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

try:
    import ahocorasick
except ImportError:  # no wheel for this platform: the strings are searched one at a time
    ahocorasick = None

from .assignments import _assignment
from .configs import PREFILTERS
from .lists import XML_CHILD_LINE
from .values import Replacement, _line_start
from .vendor_keys import DISCORD_TRIGGER, DOPPLER_TRIGGER, TELEGRAM_TRIGGER, VENDOR_TRIGGERS

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
    *("bearer", "token", "://", "secret", "passw", "passphrase", "pwd", "psw", "credential"),
    *("api_key", "api-key", "apikey", "access_key", "access-key", "accesskey"),
    *("private_key", "private-key", "privatekey"),
    *("api key", "access key", "private key"),  # a README's words (``- API key: …``, ``| API key |``)
    # A key given to a call that signs or encrypts (``jwt.encode(payload, "…")``, ``hmac.new(b"…"``).
    *("jwt.", "hmac.new(", "createhmac(", "fernet(", "aes.new(", "cookieparser("),
    *("whsec_", "gr1348941", "npm_", "hf_", "hvs.", "hvb.", "hvr.", "xapp-", "accountkey", "_auth"),
    *("pypi-", '"auth"', "sig="),  # webhook URLs are found by their "://"
    *VENDOR_TRIGGERS,  # each a search (~0.07 ms over 120 kB), as the other vendors' above
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
    *('-oauth"', "npmauthident", "/t/"),  # Composer's auth.json, Yarn's ident, conda's channel token
    "cookie",  # a session cookie (``Cookie: sessionid=...``; curl's ``-b`` has "curl")
    *("\ttrue\t/", "\tfalse\t/"),  # a cookie jar's line (Netscape's format: its flag, its path)
    # HTTPie's ``--auth``, ``echo user:pass | base64``, Redis's ``AUTH`` after its prompt,
    # ``vault login`` (an ``expect`` script's password prompt has "passw"). Each string is a
    # search of the window (~0.07 ms over 120 kB): those sharing a word are patterns below.
    *("--auth", "| base64", "> auth ", "vault login"),
    "rclone",  # ``rclone config create … pass X``, ``rclone obscure X``
    # A credential's constructor (``HTTPDigestAuth(``, requests' ``auth=(``, Redis's ``->auth(``),
    # PHP's ``new PDO(``, ``mysqli`` and ``ftp_login(``, a login's (``server.login(``, ``FTP(``,
    # JDBC's ``getConnection(``, Go's ``smtp.PlainAuth(``, MySQLdb's ``connect(``): their names
    # say nothing of a password (``ssh2_auth_password`` has "passw"). (``NetworkCredential`` has
    # "credential", ``HTTPBasicAuth`` "basic", ``PasswordAuthentication`` "passw".)
    *("auth(", "auth=(", "auth = (", "pdo(", "mysqli", "ftp_login", "login(", "ftp(", "ftp_tls("),
    *("getconnection(", "mysqldb.connect(", "pymysql.connect("),
)
#: ``pass`` as a name, not Python's statement (a trigger on every ``pass`` line made most of a
#: Python window suspect: 0.5 -> 11 ms a request): ``_pass``, ``pass:``, ``"pass"``, Go's
#: ``dbPass := ...`` or one aligned with its neighbours. One search, not a find for each form.
_PASS_NAME = re.compile(r"pass(?:(?<=_pass)|(?<=[a-z0-9]-pass)[ \t]|[:=\"']| [=:]|  )")
#: The names of keys that sign or encrypt (see _SECRET_WORDS), a WEP key (nmcli's ``wep-key0``),
#: WireGuard's ``PresharedKey``, a Tailscale key, lower-cased: one search, re skipping to each ``key``.
#: And a neutral ``"Key"`` in a JSON section named for one (``"Jwt": {"Key": …}``, ``"Jwt:Key"``).
_KEY_NAME = re.compile(
    r"key(?:(?<=master_key)|(?<=masterkey)|(?<=encryption_key)|(?<=encryptionkey)|(?<=license_key)"
    r"|(?<=licensekey)|(?<=app_key)|(?<=appkey)|(?<=wep-key)|(?<=presharedkey)|(?<=tskey)-"
    r"|(?<=signingkey)|(?<=signing_key)|(?<=hmackey)|(?<=hmac_key)|(?<=jwtkey)|(?<=jwt_key)|(?<=jwt__key))"
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
#: GitLab's tokens, lower-cased: one search for all their kinds, re skipping to each ``gl``.
_GITLAB_TOKEN = re.compile(r"gl(?:pat|dt|rtr?|ptt|oas|cbt|ft|imt|agent|soat|ffct)-")
#: ``pw`` ending a name (``pw``, ``db_pw``, ``adminPw``), lower-cased; ``pswd`` is a string's.
_PW_NAME = re.compile(r"pw(?![a-z0-9])")
#: A name ending in ``key`` given a long quoted word (``STRIPE_KEY = "…"``, ``mapboxKey: '…'``),
#: lower-cased: re skipping to each ``key``.
_NAMED_KEY_VALUE = re.compile(r"""key["'\]]?[ \t]*(?::=|=>|=|:)[ \t]*["'`][\w+/=-]{16}""")
#: The triggers that are patterns, not strings.
_TRIGGER_PATTERNS = (DISCORD_TRIGGER, DOPPLER_TRIGGER, TELEGRAM_TRIGGER, _GITLAB_TOKEN, _PW_NAME, _PASS_NAME, _KEY_NAME, *_KEY_AND_LOGIN_WORDS, _HASH_AFTER_NAME, *_ORACLE_LOGONS, _CURLRC_USER, _CURLRC_SHORT_USER, _NAMED_KEY_VALUE)


def _automaton(words: Sequence[str]) -> Any:
    automaton = ahocorasick.Automaton()
    for word in words:
        automaton.add_word(word, len(word))
    automaton.make_automaton()
    return automaton


#: The string triggers, found in one pass over a text (Aho-Corasick): searched one at a time,
#: the ~130 of them were ~a fifth of a prompt's CPU time at a new position, each a search of the
#: same text (the snippets, the suffix, the seams around the cursor). None without the library.
_TRIGGER_SEARCH = _automaton(_TRIGGERS) if ahocorasick is not None else None


def _trigger_starts(low: str, lo: int, hi: int) -> list[int]:
    """Where the string triggers start in ``low[lo:hi]`` (positions in ``low``). Each line
    holding one has a start: overlapping ones are all found, or only the first of each run,
    which is on the same line (no trigger holds a line break)."""
    if _TRIGGER_SEARCH is not None:
        return [end - size + 1 for end, size in _TRIGGER_SEARCH.iter(low, lo, hi)]
    starts: list[int] = []
    for trigger in _TRIGGERS:
        at = low.find(trigger, lo, hi)
        while at >= 0:
            starts.append(at)
            at = low.find(trigger, at + len(trigger), hi)
    return starts


def _holds_string_trigger(low: str) -> bool:
    if _TRIGGER_SEARCH is not None:
        return next(_TRIGGER_SEARCH.iter(low), None) is not None
    return any(trigger in low for trigger in _TRIGGERS)


def has_trigger(text: str) -> bool:
    """Whether ``text`` holds a word that may introduce a secret (what :func:`redact` looks
    around). Text without one may be passed to :func:`redact` as ``clean``."""
    low = text.lower()
    return _holds_string_trigger(low) or any(pattern.search(low) is not None for pattern in _TRIGGER_PATTERNS)


#: Case-sensitive words a secret's pattern starts with, looked for apart from the triggers:
#: lower-cased, they are in too much code (``msg.``, ``task``, ``each``).
_CASED_TRIGGERS = ("SG.", "SK", "AC")


@lru_cache(maxsize=32)
def _may_hold_secret(text: str) -> bool:
    """Whether a few lines where two texts redacted apart meet may hold a secret across them
    (kept by the text: the seam at the cursor is asked about twice a request, see
    ``redaction._line_matches``)."""
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
        starts += _trigger_starts(low, lo, hi)
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
        last = _last_char(low, begin, end)
        if last in _LIST_OPENERS or (
            "~w" in low[at:end] and _OPEN_SIGIL.search(low, at, end) is not None
        ):
            # A list opened on it (``API_KEYS = [``, ``tokens:``): its item lines are one span
            # with it, however many (each item is the name's value).
            end = _ITEM_LINES.match(low, end).end()
        elif (opened := _OPEN_ITEMS.search(low, at, _line_end(low, end))) is not None:
            # A list or map whose first item is on the line that opens it and which that line
            # does not close (Clojure's ``(def api-keys {:prod "…"``, on the line below its name
            # too): its item lines are one span with it.
            end = _ITEM_LINES.match(low, opened.end()).end()
        elif last == ">" and _XML_OPEN.search(low, _line_start(low, at), end) is not None:
            # An XML element alone on its line (``<apiKeys>``): its children's lines below it.
            end = _XML_CHILD_LINES.match(low, end).end()
        elif _HEREDOC_HEAD.search(low, at, end) is not None:
            # A heredoc or a multi-line string opened on it (``API_KEYS = <<~KEYS``, ``= """``):
            # its lines of one word (a key a line) are the name's value, however many.
            end = _WORD_LINES.match(low, end).end()
        # A YAML key alone (``api_keys:``, ``api_keys: &keys``): its mapping's lines, more
        # indented, are its value.
        mapping = _YAML_KEY_BLOCK.match(low, _line_start(low, at))
        if mapping is not None:
            end = max(end, mapping.end())
        # An INI option (``api_keys =``, its first key on the line or not): its lines of one
        # word, more indented, are its value continued (configparser's multi-line values).
        continued = _INI_KEY_BLOCK.match(low, _line_start(low, at))
        if continued is not None:
            end = max(end, continued.end())
        # A TOML or INI table's name (``[api_keys]``): its lines up to the next table's. A
        # Markdown table's row or a heading (``| Service | Token |``, ``## API keys``): its rows,
        # or its items, below it.
        table = _TABLE_BLOCK.match(low, _line_start(low, at))
        if table is not None:
            end = max(end, table.end())
        wanted = 2  # then the lines after it, up to the second that is not blank
        while end < len(low) and wanted:
            nl = low.find("\n", end)
            stop = len(low) if nl < 0 else nl + 1
            wanted -= bool(low[end:stop].strip())
            end = stop
        if spans and begin <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], end))
        else:
            spans.append((begin, end))
    return spans


def _last_char(text: str, begin: int, end: int) -> str:
    """The last character of ``text[begin:end]`` that is no blank (a line break's), "" if none. Its
    last three characters alone were read: a CRLF line's ``[ \r\n`` or ``> \r\n`` after a blank
    (``<apiKeys> ``, ``API_KEYS = [ ``, two blanks in an LF one) held none, and the items past the
    span's two lines went out."""
    while end > begin and text[end - 1] in " \t\r\n":
        end -= 1
    return text[end - 1] if end > begin else ""


#: The last character of a line that opens a list (or goes on with its items).
_LIST_OPENERS = frozenset("[({:,")
#: An Elixir sigil of words its line opens and does not close (``@api_keys ~w|``, ``~w/key``, a
#: word or two after it): its words below went out past the span's two lines.
_OPEN_SIGIL = re.compile(r"""~w(?:([/|"'])(?:(?!\1)[^\n])*|[\[({<][^\])}>\n]*)\n""")
#: Lines that may be a list's items: a literal first, YAML's ``- ``, a comment or blank (a blank
#: one saved with CRLF too), a bare key's literal (``prod: '…'``, ``prod => '…'``, Ruby's
#: ``:prod => '…'``), a word list's words (Ruby's ``%w[``, Perl's ``qw(``, Elixir's ``~w(``, a YAML
#: flow list's over lines with their commas; of 8 characters or more, a digit among them, as a
#: key's; or redacted already, by a list seen across a prompt's seam): each ended the span, the
#: items below it went out.
_ITEM_LINES = re.compile(
    r"""(?:[ \t]*(?:["'][^\n]*|-[ \t][^\n]*|(?://|#)[^\n]*|\r|:?[\w$-]+[ \t]*(?::|=>|=)[ \t]*["'][^\n]*|:[\w$.-]+[ \t]+["'][^\n]*|\[[\w$.@:-]+\]=[^\n]*"""
    r"""|(?:\[redacted\]|[\w+/=.~-](?=[^\n]*\d)[\w+/=.~-]{7,})(?:[ \t]+(?:\[redacted\]|[\w+/=.~-]{8,}))*,?(?:[ \t]+#[^\n]*)?[ \t]*\r?)?\n)*"""
)


#: A bracket opening items on its line and none closing them there: a literal first, or
#: Clojure's keyword then a literal.
_OPEN_ITEMS = re.compile(r"""[\[{(][ \t]*(?::[\w$.-]+[ \t]+)?["'][^\[\]{}()\n]*\n""")


def _line_end(text: str, at: int) -> int:
    """Where the line starting at ``at`` ends, after its line break (the text's end without one)."""
    nl = text.find("\n", at)
    return len(text) if nl < 0 else nl + 1


#: An XML element's start tag ending its line, and the lines of one element each below it (its
#: children: ``<key>…</key>``, ``<add key="prod" value="…"/>``), comments and blank lines between.
_XML_OPEN = re.compile(r"""<[\w.:-]+(?:\s[^<>/\n]*)?>[ \t]*\r?\n""")
_XML_CHILD_LINES = re.compile(r"(?:" + XML_CHILD_LINE + r"\r?\n)*")


#: A heredoc's or a multi-line string's opening at its line's end (``<<~KEYS``, ``<<<'KEYS'``,
#: ``$(cat <<EOF``, ``"""``, a word after the quotes too), and the lines of one word each below it.
_HEREDOC_HEAD = re.compile(r"""(?:<<[-~<]?[ \t]*['"]?\w+['"]?[^\n]{0,40}|(?:\"\"\"|''')[^\s"'`{}()]*)[ \t]*\\?\r?\n""")
_WORD_LINES = re.compile(r"""(?:[ \t]*(?:[^\s"'`{}]+[ \t]*)?\r?\n)*""")


#: A YAML key alone on its line (indented by group 1) and the lines below more indented than it
#: (a block scalar's too: ``api_keys: |``, its lines past the second went out).
_YAML_KEY_BLOCK = re.compile(
    r"""([ \t]*)(?:-[ \t]+)?["']?[\w.-]+["']?[ \t]*:(?:[ \t]+[&!][^\s#]*)*(?:[ \t]*[|>][+-]?[1-9]?[+-]?)?[ \t]*(?:#[^\n]*)?\r?\n(?:(?:[ \t]*(?:#[^\n]*)?\r?\n)*\1[ \t]+\S[^\n]*(?:\n|\Z))*"""
)


#: An INI option's line (indented by group 1), perhaps a word after its ``=`` or ``:``, and the
#: lines of one word each below it more indented (blank ones between): its value continued.
_INI_KEY_BLOCK = re.compile(
    r"""([ \t]*)[\w.-]+[ \t]*[=:][ \t]*(?:[^\s"'`{}#;]\S*[ \t]*)?\r?\n(?:(?:[ \t]*\r?\n)*\1[ \t]+(?:\[redacted\]|[^\s"'`{}#;=:()\[\]]+)[ \t]*\r?(?:\n|\Z))*"""
)


#: A TOML or INI table's name alone on its line and the lines below up to the next table's; a
#: Markdown table's lines; a Markdown heading and the list items and blank lines below it. (One
#: pattern: a match each, at each of a window's trigger lines.)
_TABLE_BLOCK = re.compile(
    r"[ \t]*\[[^\[\]\n]*\]\]?[ \t]*(?:[#;][^\n]*)?\r?\n(?:(?![ \t]*\[)[^\n]*\n)*"
    r"|[ \t]*\|[^\n]*\n(?:[ \t]*\|[^\n]*(?:\n|\Z))*"
    r"|[ \t]{0,3}#{1,6}[ \t][^\n]*\n(?:[ \t]*(?:(?:[-*+]|\d{1,3}[.)])[ \t][^\n]*)?\r?(?:\n|\Z))*"
)


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
        needs = PREFILTERS.get(pattern)
        if needs is not None and needs.search(text) is None:
            continue
        if keep_lines:
            text = pattern.sub(_keeping_lines(replacement), text)
        else:
            text = pattern.sub(replacement if replacement is not None else _assignment, text)
    return text
