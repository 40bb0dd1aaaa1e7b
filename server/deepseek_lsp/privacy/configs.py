"""Patterns for secrets in configuration and code: XML, YAML, C macros, name and value pairs,
Gradle, SQL, passwords piped into a command, and assignments to a secret's name."""

from __future__ import annotations

import re
from functools import lru_cache

from .assignments import (
    _assigned,
    _builder_literal,
    _fallback_literal,
    _joined_parts,
    _let_literal,
    _named_literal,
    _paired_value,
    _setter_literal,
    _spaced_property,
)
from .commands import _ECHOED, _PIPED_INTO, _TWICE
from .lists import (
    _COMMA_LIST,
    _HEREDOC_LIST,
    _SIGIL_WORD_LIST,
    _TABLE,
    _WORD_LIST,
    _YAML_MAP,
    HEREDOC_OPENER,
    SIGIL_OPENER,
    WORD_LIST_OPENER,
)
from .markdown import MARKDOWN_PREFILTERS
from .values import (
    _ASSIGNED_NAME,
    _CLI_ARGUMENT,
    _LINES_TO_VALUE,
    _SECRET_NAME,
    _SECRET_NAME_ONLY,
    _SHELL_WORD,
    REDACTED,
    Replacement,
    _cli_argument,
    _is_placeholder,
    _multiline_value,
    _piped_password,
    _piped_word,
)

#: YAML's block scalar: ``password: |`` (or ``>-``), the value on the more indented line below
#: it. One word there too: a block of text (a script, a policy) is not a secret. A ``#`` inside
#: the word is the word's (a block scalar has no comments): ``Zq8Wn3Rt#6Yp1Lm5K`` went out. The indented
#: one-word lines after it are the value wrapped (a token as a secret store writes it; YAML has
#: no entry of a bare word), or keys one a line: only its first line was redacted, the rest
#: went out; blank lines between them too (those past the first blank line went out).
_YAML_BLOCK = re.compile(
    r"""(?ix)("""
    + _ASSIGNED_NAME
    + r"""["']?[ \t]*:[ \t]*([|>][+-]?[1-9]?[+-]?)[ \t]*(?:\#[^\r\n]*)?\r?\n(?:[ \t]*\r?\n)*[ \t]+)
    ([^\s"'`{}\#][^\s"'`{}]{5,}(?:\r?\n(?:[ \t]*\r?\n)*[ \t]+[^\s"'`{}\#:][^\s"'`{}:]*(?=[ \t]*(?:\r?\n|\Z)))*)(?=[ \t]*(?:\r?\n|\Z))
    """
)
#: A block scalar's header line under a secret's name (its indent group 1), as :data:`_YAML_BLOCK`'s.
_BLOCK_HEADER = re.compile(
    r"""(?ix)([\ \t]*)(?:-[\ \t]+)?["']?(?:[\w-]+\.)*(?:""" + _ASSIGNED_NAME
    + r""")["']?[\ \t]*:(?:[\ \t]+[&!][^\s\#]*)*[\ \t]*[|>][+-]?[1-9]?[+-]?[\ \t]*(?:\#[^\r\n]*)?\r?\n"""
)


def block_scalar_continued(text: str, before: str, keep_lines: bool) -> str:
    """``text`` with its first lines redacted where they go on with a block scalar of words
    under a secret's name in ``before`` (``api_keys: |`` then a key a line): a prompt's window
    or suffix starting below the name line (the name found up to 64 kB up, see
    ``open_list_head``) sent the keys, which look like nothing alone."""
    nl = text.find("\n")
    if nl < 0:
        nl = len(text)
    joined = before + text[:nl] + "\n"  # the seam's line whole
    opener = None
    for found in _YAML_BLOCK_OPENER.finditer(joined):  # the last one's line may be the header
        opener = found
    if opener is None:
        return text
    header = _BLOCK_HEADER.match(joined, joined.rfind("\n", 0, opener.start()) + 1)
    if header is None:
        return text
    return _block_below(text, joined, header, nl, keep_lines)


#: An INI option's line under a secret's name (its indent group 1), a word after its ``=`` or not.
_INI_OPTION = (
    r"""([ \t]*)(?:""" + _ASSIGNED_NAME + r""")[ \t]*[=:][ \t]*(?:(?:""" + re.escape(REDACTED)
    + r"""|[^\s"'`{}\#;<%\[\](),$&|*!@\\][^\s"'`{}()\[\]<>,;]*)[ \t]*)?\r?\n"""
)
_INI_HEADER = re.compile(r"(?ix)" + _INI_OPTION)
#: A line of an INI value's continuation (one word, indented) or a blank one, as a seam cuts it.
_WORD_LINE = re.compile(r"""[ \t]*(?:[^\s"'`{}\#;=:()]+[ \t]*)?\r?\n""")
#: How far up from a prompt's seam the option a continued value is under is looked for.
INI_LINES_UP = 256


def ini_value_continued(text: str, before: str, keep_lines: bool) -> str:
    """``text`` with its first lines redacted where they go on with an INI value of keys under
    a secret's name in ``before`` (``api_keys =`` then a key a line): a prompt's window or
    suffix starting below the name line sent the keys past the first."""
    nl = text.find("\n")
    if nl < 0:
        nl = len(text)
    joined = before + text[:nl] + "\n"
    at, end = joined.rfind("\n", 0, len(joined) - 1) + 1, len(joined)
    for _ in range(INI_LINES_UP):
        header = _INI_HEADER.match(joined, at)
        if header is not None and header.end() == end:
            return _block_below(text, joined, header, nl, keep_lines)
        if at == 0 or _WORD_LINE.fullmatch(joined, at, end) is None:
            return text
        at, end = joined.rfind("\n", 0, at - 1) + 1, at
    return text


def _block_below(text: str, joined: str, header: re.Match[str], nl: int, keep_lines: bool) -> str:
    """``text``'s first lines redacted where they are the lines of one word under ``header``, a
    line of ``joined`` (the text before ``text`` and its first line)."""
    lines = _block_lines(len(header.group(1)))
    if header.end() == len(joined):
        start = nl + 1  # the seam's line is the header: the block is all below it
    elif lines.fullmatch(joined, header.end()) is not None:
        start = 0  # the block's lines from the header down to the seam's, each a word or blank
    else:
        return text
    end = lines.match(text, nl + 1).end() if nl < len(text) else len(text)
    return _redacted_lines(text, start, end, keep_lines)


#: A line break as a text writes it.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _redacted_lines(text: str, start: int, end: int, breaks: bool) -> str:
    """``text`` with the lines ``text[start:end]`` redacted as one value (a block scalar's or a
    continued INI value's keys), the blanks and line breaks around them kept, and those between
    them where ``breaks``, as the text writes them: a CRLF file's were written ``\n``, its lines
    then ending in both (``\n\r\n``)."""
    found = text[start:end]
    lead = start + len(found) - len(found.lstrip(" \t\r\n"))
    tail = start + len(found.rstrip(" \t\r\n"))
    if tail <= lead:
        return text
    kept = "".join(_LINE_BREAK.findall(text, lead, tail)) if breaks else ""
    return text[:lead] + REDACTED + kept + text[tail:]


@lru_cache(maxsize=64)
def _block_lines(indent: int) -> re.Pattern[str]:
    """Lines of a block scalar of words whose header is indented by ``indent``: one word a line,
    indented further, or blank; the last one perhaps cut by the text's end."""
    further = r"[ \t]{" + str(indent + 1) + "}"
    return re.compile(r"""(?:[ \t]*(?:\r?\n|\Z)|""" + further + r"""[ \t]*[^\s"'`{}\#:][^\s"'`{}:]*[ \t]*(?:\r?\n|\Z))*""")


#: An INI value continued on lines indented below its name (configparser's multi-line values,
#: setup.cfg's, tox.ini's): ``api_keys =`` then a key a line, or the first on the name's line,
#: blank lines perhaps between. Only the first key was redacted; the others went out. A line
#: of one word of six characters or more each, a digit among them as in a key, none of what
#: code or a mapping writes (quotes, brackets, ``=``, ``:``, a comma, a leading ``.``; the
#: first key below the name is redacted already, as a value on its next line): a Makefile's
#: recipe under ``password:`` is a command of words, a call's arguments below ``token =`` end
#: in commas (msal's ``this.resetPasswordHandlerV2,``: 40 lines of node_modules hidden).
_INI_CONTINUED = re.compile(
    r"(?imx)^" + _INI_OPTION + r"""
    ((?:(?:[ \t]*\r?\n)*[ \t]+(?:""" + re.escape(REDACTED) + r"""|(?=[^\s,]*\d)[^\s"'`{}\#;=:(),.\[\]][^\s"'`{}\#;=:(),\[\]]{5,})[ \t]*\r?(?:\n|\Z))+)"""
)


def _ini_continued(match: re.Match[str]) -> str:
    """The continued lines redacted, up to the first no deeper than the name's line: there the
    block the name is in goes on (Python's next statement), not its value."""
    indent = len(match.group(1))
    lines = match.group(2)
    taken = 0
    for line in lines.splitlines(keepends=True):
        if line.strip() and len(line) - len(line.lstrip(" \t")) <= indent:
            break
        taken += len(line)
    if taken == 0:
        return match.group(0)
    # Its line breaks kept (a replacement knows nothing of ``keep_lines``): the lines after it in
    # the match would move up.
    at = match.start(2) - match.start(0)
    return _redacted_lines(match.group(0), at, at + taken, True)


#: What a text holds for :data:`_YAML_BLOCK` to match: a search far cheaper than the pattern's.
_YAML_BLOCK_OPENER = re.compile(r":[ \t]*[|>]")


#: What may come between an XML element's tag and its text (``<password>\n    X\n</password>``,
#: ``<![CDATA[X]]>``), and between the text and its end tag: blank lines too (a formatter's, a
#: hand-edited file's), where the text went out whole.
_XML_TEXT_START = r"(?:[ \t]*\r?\n)*[ \t]*(?:<!\[CDATA\[)?"
_XML_TEXT_END = r"(?:\]\]>)?(?:[ \t]*\r?\n)*[ \t]*"


def _xml_named_text(match: re.Match[str]) -> str:
    """An element's text that its ``name`` or ``key`` attribute says is a secret, unless a word
    naming one (``<label name="password">Password</label>``, a form's)."""
    value = match.group(match.re.groups)
    if _SECRET_NAME_ONLY.fullmatch(value) or _is_placeholder(value):
        return match.group(0)
    return match.group(1) + REDACTED


def _build_setting(match: re.Match[str]) -> str:
    """An Android build setting's literal (group 4 its quotes, 6 the value), as an assignment's;
    not one starting with ``$``: Groovy's and Kotlin's ``"\\"$apiKey\\""`` is a variable's value."""
    if match.group(6).startswith("$"):
        return match.group(0)
    return _assigned(match.group(0), match.group(1), "", match.group(4), match.group(6), None)


#: A literal a secret falls back to when its lookup finds none: ``$_ENV['DB_PASSWORD'] ??
#: '...'``, ``getenv('DB_PASSWORD') ?: '...'``, ``process.env.API_KEY || "..."``, Python's
#: ``os.getenv("API_KEY") or "..."``, Kotlin's ``?:``, Swift's and C#'s ``??``. The
#: assignment's value is the lookup (code), and the literal after it went out. (A word there
#: is as often a setting's default: only a literal with a digit or a symbol.)
_FALLBACK = re.compile(
    r"""(?ix)(""" + _ASSIGNED_NAME + r"""[\]\)"'`]{0,3}[\ \t]*(?:\?\?|\?:|\|\||\bor\b)[\ \t]*)"""
    r"""(["'`])([^"'`\r\n]{6,}?)(?:\2|\Z)"""
)
#: What a text holds for :data:`_FALLBACK` to match: its operators, found far faster than the
#: pattern's names (a search of the text for each name cost as much as the assignments' own).
_FALLBACK_OPERATOR = re.compile(r"\?\?|\?:|\|\||\bor\b", re.IGNORECASE)


#: A conversion of a literal into the type a secret is kept in, before its ``(``: Rust's
#: ``String::from("...")``, ``SecretString::new(``, ``Some(``, Go's ``[]byte(``, Java's ``new
#: String(``, pydantic's ``SecretStr(``, Python's ``bytes(``, Node's ``Buffer.from(``. The literal
#: inside went out as written: only a literal right after the name was looked at. Only these
#: names: another call's literal argument (``prompt_password("Enter ...")``) is code.
_CONVERSION = r"""(?:new[\ \t]+)?(?-i:(?:Secret(?:String|Box|Vec)?|Zeroizing|String|OsString)::(?:from|new)
    |Some|Ok|Secret(?:Str|Bytes|String)?|String|\[\]byte|\[\]rune|bytes|str|bytearray|Buffer\.from)[\ \t]*"""


#: A JSON string's end and the next one's start, where code has a line break (a raw notebook's
#: source lines, ``"API_KEY = (\\n",`` then ``"    \\"…\\"\\n"``; blank ones between too).
_JSON_STRING_BREAK = r"""(?:\\n"[\ \t]*,[\ \t]*\r?\n[\ \t]*"[\ \t]*)+"""
#: And a ``\n`` escape inside one string (a notebook's source as one string), after a ``(`` or a
#: ``\`` continuation (JSON's ``\\``), not a bare ``=``: ``print("token =\n")`` is a message.
_JSON_LINE_BREAK = r"""(?:\\n(?:"[\ \t]*,[\ \t]*\r?\n[\ \t]*")?[\ \t]*)+"""
#: Where a value starts below its name in a notebook's JSON: after a ``(``, a ``\`` or a bare
#: line break (Julia's ``TOKEN =``, R's ``api_key <-``; inside one string only before an escaped
#: quote), and the escape of the quote after it.
_JSON_BELOW = (
    r"""(?:(?:\\\\|\()[\ \t]*""" + _JSON_LINE_BREAK + "|" + _JSON_STRING_BREAK + r"""|\\n[\ \t]*(?=\\"))(?:\\(?="))?"""
)


#: A literal and more joined to it (see :func:`~.assignments._joined_parts`).
_LITERAL = r"""(?:"[^"\r\n]*"|'[^'\r\n]*')"""
_JOIN = r"""[\ \t]*[+.]\s*"""  # the next part may be on the next line (Ruby's ``"..." +``)
_JOINED = re.compile(
    r"""(?ix)((?:\blet!?\([ \t]*(?::|["'])(""" + _ASSIGNED_NAME + r""")["']?[ \t]*\)[ \t]*(?:\{|do\b)\s*"""
    r"""|(""" + _ASSIGNED_NAME + r""")["'\]]{0,2}[\ \t]*(?::=|=>|=|:)[\ \t]*))"""
    r"""(""" + _LITERAL + r"""(?:""" + _JOIN + _LITERAL + r""")+(?=[\ \t]*(?:[;,)}\]]|\r?\n|\Z|end\b))"""
    # Or parts at the text's end, an operator after them (or a ``let``'s first part alone): a
    # prompt's window ending at the cursor, the next part in the suffix (the parts before it
    # went out).
    r"""|""" + _LITERAL + r"""(?:""" + _JOIN + _LITERAL + r""")*(?=""" + _JOIN + r"""\Z|(?(2)[\ \t]*\Z|(?!))))"""
)
#: What a text holds for :data:`_JOINED` to match, found far faster: two literals joined, or
#: one and maybe an operator at the text's end.
_JOINED_OPERATOR = re.compile(r"""["'][\ \t]*[+.]\s*["']|["'][\ \t]*[+.]?\s*\Z""")


#: A call's argument before the one looked at: a literal, or code without a comma (``$dsn``,
#: ``options.UserName``, ``getenv("DB_USER")``).
_CALL_ARGUMENT = r"""(?:"[^"\r\n]*"|'[^'\r\n]*'|[^\s"',()]+(?:\([^()\r\n]*\))?)"""


#: A secret's name given a heredoc of one line (HCL's ``db_password = <<EOT`` in a ``locals``
#: block, a module's argument or a tfvars file; Ruby's ``<<~PW``, PHP's ``<<<'EOT'``, a shell's
#: ``NAME=$(cat <<EOF`` and ``read -r NAME <<EOF``): the value, alone on the line below, then
#: the terminator (or the text's end: a prompt's suffix cut below the value). The value went
#: out (the name's line has no value, the value's line no name).
#: Not a reference (``${var.db_password}``, ``$DB_PASSWORD``) nor a block of lines (a script).
_HEREDOC_VALUE = re.compile(
    r"""(?imx)(^(?=[^\r\n]*<<)[\ \t]*(?:(?:export[\ \t]+|local[\ \t]+|readonly[\ \t]+|\$)?["']?""" + _ASSIGNED_NAME
    + r"""["']?[\ \t]*(?::?=|:)[\ \t]*(?:\$\([\ \t]*cat[\ \t]+)?
    |read\b[^\r\n<]*?""" + _ASSIGNED_NAME + r"""[\ \t]*)
    <<[-~<]?[\ \t]*(["']?)([A-Za-z_]\w*)\2[^\r\n]*\r?\n[\ \t]*)
    [^\s$`{}][^\r\n]{5,}?(?=[\ \t]*(?:\r?\n[\ \t]*\3\b|\r?\n?\Z))"""
)



def _heredoc_value(match: re.Match[str]) -> str:
    """The heredoc's line judged as the same text quoted on one line is (:func:`_assigned`): a
    help's or a prompt's words, where a token is read from, a description stay. Redacted whole,
    each went out as ``[REDACTED]``, where ``password_help = "Your password must be..."`` did not."""
    head = match.group(1)
    value = match.group(0)[len(head) :]
    named = _SECRET_NAME_ONLY.search(head)
    name = named.group() if named else ""
    if _assigned(f'{name}="{value}"', name, "=", '"', value, None) == f'{name}="{value}"':
        return match.group(0)
    return head + REDACTED


_CONFIG_PATTERNS: tuple[tuple[re.Pattern[str], Replacement], ...] = (
    (_HEREDOC_VALUE, _heredoc_value),
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
            r"(?i)(<(" + _SECRET_NAME + r"|master)(?:\s[^<>]*)?>(?:[ \t]*\r?\n)*[ \t]*(?:<!\[CDATA\[[ \t]*)?"
            # The note starts at its first letter: blanks there, read both as the indent and as
            # the note's, were tried at each split (``<password>`` and 20 kB of tabs: 0.78 s).
            + r"(?:[^<>{}\s][^<>{}\r\n]*)?\{(?:\[[^\[\]{}<>\r\n]*\])?)(?=[A-Za-z]*[0-9+/=])[A-Za-z0-9+/]{12,}={0,2}"
            r"(?=\}(?:\]\]>)?[ \t]*(?:\r?\n[ \t]*)*</\2>)"
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
    # A credential's constructor, the password its second argument after a user's name: .NET's
    # ``new NetworkCredential("deploy", "...")``, Java's ``PasswordAuthentication`` (``"...".
    # toCharArray()``) and ``UsernamePasswordCredentials``, requests' ``HTTPBasicAuth`` and
    # ``auth=("user", "...")``, Go's ``SetBasicAuth``, OkHttp's ``Credentials.basic``, a login's
    # (smtplib's, ftplib's, imaplib's ``server.login("me", "...")``, superagent's ``.auth("me",
    # "...")``); PHP's ``new PDO($dsn, "root", "...")``, ``mysqli``, ``ftp_login`` and
    # ``ssh2_auth_password`` its third, as JDBC's ``DriverManager.getConnection(url, "root",
    # "...")``, Go's ``smtp.PlainAuth("", "me", "...", host)``, MySQLdb's and PyMySQL's
    # ``connect(host, user, "...", db)``, ftplib's ``FTP(host, user, "...")``. No name says what
    # the literal is but the call's: each went out.
    (
        re.compile(
            r"""(?x)((?:(?:(?:NetworkCredential|PasswordAuthentication|UsernamePasswordCredentials?"""
            r"""|HTTP(?:Basic|Digest|Proxy)Auth|BasicAuth|SetBasicAuth|Credentials\.basic|(?:->|\.|(?<=\w):)(?:auth|login))"""
            r"""|\bauth[\ \t]*=[\ \t]*)\("""
            r"""|(?:\bnew[\ \t]+\\?(?:PDO|mysqli)|\b(?:mysqli_connect|ftp_login|ssh2_auth_password|FTP(?:_TLS)?"""
            r"""|DriverManager\.getConnection|smtp\.PlainAuth|(?:MySQLdb|pymysql)\.connect))\([\ \t]*"""
            + _CALL_ARGUMENT + r"""[\ \t]*,)"""
            r"""[\ \t]*""" + _CALL_ARGUMENT + r"""[\ \t]*,[\ \t]*)(["'])([^"'\r\n]{6,}?)(?=\2)"""
        ),
        _named_literal,
    ),
    # Redis's ``AUTH`` from code: phpredis' ``$redis->auth("...")`` (``->auth(["user", "..."])``),
    # Jedis', ioredis' ``.auth("...")``, Lua's ``red:auth("...")`` (a method called with ``:``):
    # the password alone, or last in an array after its user's.
    (
        re.compile(
            r"""((?:->|\.|(?<=\w):)auth\([\ \t]*(?:\[[\ \t]*""" + _CALL_ARGUMENT + r"""[\ \t]*,[\ \t]*)?)(["'])([^"'\r\n]{6,}?)(?=\2[\ \t]*[\])])"""
        ),
        _named_literal,
    ),
    # A builder's setter of a secret, its name without ``set`` (Spring's ``DataSourceBuilder…
    # .password("...")``, openai-java's ``.apiKey("...")``, Spring Security's ``.clientSecret(
    # "...")``) or with ``with`` (Testcontainers' ``.withPassword("...")``), and a setter called
    # with code after it on its line (``config.setPassword("..."); config.setUsername(…)``): the
    # call's only argument a literal. Each went out (the setter's pattern above wants it first
    # and last on its line). The name ends in the secret's word (not ``.tokenStore("...")``).
    (
        re.compile(
            r"""(\.[\ \t]*((?![0-9])[A-Za-z0-9_]*?(?i:password|passwd|passphrase|secret|token|api_?key|access_?key"""
            r"""|private_?key|signing_?key))\([\ \t]*)(["'])([^"'\r\n]{6,}?)(?=\3[\ \t]*\))"""
        ),
        _builder_literal,
    ),
    # Android's build settings: Gradle's ``buildConfigField("String", "API_KEY", "\"...\"")``
    # (``'"..."'``, Groovy's without brackets) and ``resValue("string", "api_key", "...")``: the
    # value a literal inside a literal, after its name as a literal. It went out.
    (
        re.compile(
            r"""(?ix)(\b(?-i:buildConfigField|resValue)[\ \t]*\(?[\ \t]*(["'])\w+\2[\ \t]*,[\ \t]*(["'])"""
            + _ASSIGNED_NAME
            + r"""\3[\ \t]*,[\ \t]*)((["'])(?:\\?["'])?)([^"'\\\r\n]{6,}?)(?=(?:\\?["'])?\5)"""
        ),
        _build_setting,
    ),
    # iOS's Info.plist (and any property list): ``<key>API_KEY</key>`` then ``<string>...</string>``,
    # on the next line; not a build setting's reference (``$(API_KEY)``). It went out.
    (
        re.compile(
            r"(?i)(<key>[ \t]*(?:" + _SECRET_NAME + r")[\w.:-]*[ \t]*</key>\s*<string>[ \t]*)(?!\$)([^\s<>]{6,})(?=[ \t]*</string>)"
        ),
        _xml_named_text,
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
    # RSpec's ``let(:password) { "X" }`` (``let!``, a ``do`` block): a block returning a literal
    # under a secret's name has no separator, and went out. A block of code (``{ create(:user)
    # .password }``, ``{ Faker::Internet.password }``) has no literal alone in it, and stays.
    (
        re.compile(
            r"""(?ix)(\blet!?\([ \t]*(?::|(["']))(""" + _ASSIGNED_NAME + r""")(?(2)\2)[ \t]*\)[ \t]*(?:\{|do\b)\s*)
            (["'])([^"'\r\n]{6,}?)(?=\4\s*(?:\}|end\b))"""
        ),
        _let_literal,
    ),
    # A secret written as literals joined by ``+`` (``.``, PHP's), after its name's ``=``, ``:`` or
    # ``=>`` or in RSpec's ``let`` block (``let(:password) { "pass" + "word123" }``), to the end
    # of the expression: each part went out, or all but the first.
    (_JOINED, _joined_parts),
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
    # Windows' ``setx DB_PASSWORD value`` (``/M`` for the machine's), the same form; and csh's
    # ``setenv NAME value`` (macOS's ``launchctl setenv``), fish's ``set -x NAME value`` (its
    # flags, first on the line; not a command's output, ``(cat file)``).
    (
        re.compile(
            r"""(?ix)((?:\bsetx(?:[\ \t]+/M)?|\b(?-i:setenv)|(?m:^)[\ \t]*(?-i:set)(?:[\ \t]+--?[a-z]+)+)[\ \t]+"""
            + _ASSIGNED_NAME
            + r""")([\ \t]+)
            (?:(["'])([^"'\r\n]{6,}?)(?:\3|\Z)|((?![$%{<(])[^\s"'`]{6,}))"""
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
    # And gcloud's secret's (``gcloud secrets versions add NAME --data-file=- <<< ...``).
    (
        re.compile(
            r"""(secrets[ \t]+(?:create|versions[ \t]+add)\b(?:(?!secrets)[^\r\n|;&<])*?[ \t]--data-file(?:=|[ \t]+)-"""
            r"""(?![\w./-])(?:(?!secrets)[^\r\n|;&<])*<<<[ \t]*)""" + _CLI_ARGUMENT
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
    # A literal a secret falls back to (see the pattern).
    (_FALLBACK, _fallback_literal),
    # A shell's and a compose file's default (``${DB_PASSWORD:-...}``, ``${API_KEY:=...}``):
    # inside a template, which keeps its value as code, it went out.
    (
        re.compile(r"""(?ix)(\$\{""" + _ASSIGNED_NAME + r""":?[-=])([^\s"'`${}]{6,})(?=\})"""),
        lambda m: _assigned(m.group(0), m.group(1), "", None, None, m.group(2)),
    ),
    # .env-style and code assignments whose name says it holds a secret: KEY=..., "password": "...".
    # The separator may be Go's ``:=``, a PHP/Ruby ``=>``, R's ``<-`` or a default's ``||=``,
    # ``??=`` (each went out as written), after an optional type annotation
    # (``password: str = ...``); a quoted value runs to its closing quote, spaces and all, or
    # to the end of the text: a prompt window ends at the cursor, and a secret pasted between
    # the quotes an editor closed (``password="hunter2|"``) has its closing quote after it.
    # The quotes may be Python's triple ones or a JavaScript template's backticks, after a
    # literal's prefix (``b"..."``, ``r'...'``, C#'s ``@"..."``, C++'s ``L"..."``), or an
    # interpolating one (``f"..."``, C#'s ``$"..."``), Ansible's ``!unsafe '...'``: each went out. The value may be on the
    # next line, in brackets or after a line continuation (``PASSWORD = (\n    "..."\n)``), bare
    # too after a ``\`` (a shell's, a Makefile's, Python's ``DB_PASSWORD = \``, the value below).
    # Not a YAML key, though: under ``credentials:`` the key below (``  password:``) was taken
    # for its value, redacted, and the password after it went out. (Its colon is looked for in
    # the value's first 100 characters: to the value's end, it was looked for again from each
    # name inside the value, 1.3 s over a 27 kB run of ``pwd:``.) The name may be a key
    # assigned a literal (Flask's ``app.config['SECRET_KEY'] = "..."``, ``os.environ["API_KEY"]
    # = "..."``; not a variable: ``env["API_KEY"] = api_key`` is code) or a C array's (``char
    # api_key[] = "..."``), its type Rust's ``&str``: each went out. A scope's ``::`` is no
    # separator (``"AWS::SecretsManager::Secret"``: ``:Secret`` went out as ``[REDACTED]``);
    # LDIF's ``userPassword:: <base64>`` is (its value went out). Commented out, the value's
    # line below its name starts with the comment's mark (``# password =`` then ``#     "..."``,
    # `` * password:`` then `` *   ...``): it stood between them, and the value went out.
    (
        re.compile(
            r"""(?ix)("""
            + _ASSIGNED_NAME
            + r""")
            ((?:(?:["']\]|\[\d*\])(?=\s*=\s*[\w@$]{0,2}["'`])|["'])?(?:[ \t]*:[ \t]*(?:&(?:'static[ \t]+)?)?[A-Za-z_][\w.]*(?:\[[\w.,\ \[\]|]*\])?)?\s*(?::=|\?=|=>|::(?=[ \t])|:(?!:)|<<?-(?![->])|\|\|=|\?\?=|=)
            (?:[ \t]*\r?\n[ \t]*(?:\#|//|--|\*)(?![\#/*-])[ \t]*|\s*)
            (?:\\[ \t]*\r?\n\s*|(?:"""+ _CONVERSION + r""")?[(\\]\s*(?=(?:[rbuf]{1,2}|u8|l|@\$?|\$@?)?["'`])
            |(?:"""+ _CONVERSION + r""")?""" + _JSON_BELOW + r"""(?=(?:[rbuf]{1,2}|u8|l|@\$?|\$@?)?["'`]))?
            (?:(?:[rbuf]{1,2}|u8|l|@\$?|\$@?|!unsafe[\ \t]+)(?=["']))?)
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
            ["']?(?:[ \t]*:[ \t]*[A-Za-z_][\w.]*(?:\[[\w.,\ \[\]|]*\])?)?[ \t]*(?::=|=>|::(?=[ \t])|:(?!:)|=)\s*(?:[(\\]\s*)?
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
    (_INI_CONTINUED, _ini_continued),
)

#: Patterns tried only over a text holding what they need, found far faster than the patterns
#: themselves (see triggers._apply).
PREFILTERS: dict[re.Pattern[str], re.Pattern[str]] = {
    _HEREDOC_VALUE: re.compile("<<"),
    _YAML_BLOCK: _YAML_BLOCK_OPENER,
    _FALLBACK: _FALLBACK_OPERATOR,
    _JOINED: _JOINED_OPERATOR,
    _WORD_LIST: WORD_LIST_OPENER,
    _SIGIL_WORD_LIST: SIGIL_OPENER,
    _HEREDOC_LIST: HEREDOC_OPENER,
    _COMMA_LIST: re.compile("[,;]"),
    _YAML_MAP: re.compile(r":(?:[ \t]+[&!][^\s#]*)*[ \t]*(?:#[^\n]*)?\r?\n(?:[ \t]*#[^\n]*\n)*[ \t]"),
    _TABLE: re.compile(r"(?m)^[ \t]*\["),
    **MARKDOWN_PREFILTERS,
}
