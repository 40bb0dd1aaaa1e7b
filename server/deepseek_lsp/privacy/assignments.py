"""A value a name says is a secret (``password = "…"``, ``("API_KEY", "…")``): redacted unless it is
code, a format string's fields, prose, a mask or a placeholder (:mod:`.words` says which quoted
values are words)."""

from __future__ import annotations

import re

from .values import (
    _REFERENCE,
    _SECRET_LIKE,
    _SECRET_NAME_ONLY,
    NO_CREDENTIAL_TOKEN,
    REDACTED,
    _is_placeholder,
    _line_start,
    _mixed_case,
    no_credential_before,
)
from .words import _is_words, same_letters

#: A setter's name (``setPassword``, ``set_api_key``).
_SETTER = re.compile(r"set(?=[A-Z_])")


def _setter_literal(match: re.Match[str]) -> str:
    """A Groovy DSL's or a setter's literal (group 3 the call's opening): with brackets, only a
    setter's (``setPassword("X")``, ``password.set("X")``): ``getToken("github-app")`` names one."""
    opening = match.group(3)
    if "(" in opening and not opening.startswith(".set") and not _SETTER.match(match.group(2)):
        return match.group(0)
    return _named_literal(match)


#: A method's name that reads or checks a secret, not one that gives it (``getToken("github-app")``,
#: ``isPassword("…")``, ``issueToken(user)``): its argument names the secret or is a test's value.
_NOT_A_SETTER = re.compile(
    r"(?:get|is|has|find|load|read|fetch|lookup|resolve|retrieve|request|check|verify|validate|assert|expect"
    r"|should|matches|compare|contains|hash|encode|decode|encrypt|decrypt|sign|mask|parse|generate|create"
    r"|issue|revoke|reset|clear|remove|delete|rotate|require|to|new)(?=[A-Z_0-9])"
)


def _builder_literal(match: re.Match[str]) -> str:
    """A builder's or a setter's only literal (group 2 the method's name): as a named literal,
    unless the method reads or checks the secret."""
    if _NOT_A_SETTER.match(match.group(2)):
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


def _let_literal(match: re.Match[str]) -> str:
    """RSpec's ``let(:name) { "..." }`` (group 3 the name): as a named literal, unless the name
    says the value is about a secret (``let(:token_type) { "bearer" }``)."""
    return match.group(0) if _METADATA_NAME.search(match.group(3)) else _named_literal(match)


#: One literal of a secret written in parts (see :func:`_joined_parts`), its quote and text.
_PART = re.compile(r"""(["'])([^"'\r\n]*)\1""")


def _joined_parts(match: re.Match[str]) -> str:
    """A secret written as literals joined by ``+`` or ``.`` (``let(:password) { "pass" +
    "word123" }``, ``$password = 'hunter' . '2pass';``; group 1 all before the first, the last
    group the parts): judged as the one value they make, each part redacted. Only the first was
    looked at, and a short one (``"pass"``) left them all to go out. Groups 2 and 3: the name,
    a ``let``'s or an assignment's."""
    head, parts = match.group(1), match.group(match.re.groups)
    value = "".join(m.group(2) for m in _PART.finditer(parts))
    if _assigned(value, match.group(2) or match.group(3), "", '"', value, None) == value:
        return match.group(0)
    return head + _PART.sub(lambda m: m.group(1) + (REDACTED if m.group(2) else "") + m.group(1), parts)


#: A lookup of the environment right before a secret's name: ``getenv("``, ``os.environ.get("``,
#: Laravel's ``env('``, Ruby's ``ENV.fetch("`` and ``ENV["``, PHP's ``$_ENV['``, Node's
#: ``process.env.``, Vite's ``import.meta.env.``, Deno's ``env.get("``, .NET's
#: ``GetEnvironmentVariable("``, Swift's ``environment["``.
_ENV_LOOKUP = re.compile(
    r"""(?:\b(?i:getenv)|GetEnvironmentVariable|\benviron\.(?:get|setdefault)|\benv|\bENV\.fetch|\benv\.get)\([ \t]*["']?\Z"""
    r"""|(?:\$_ENV|\$_SERVER|\benviron(?:ment)?|\bENV)\[[ \t]*["']\Z"""
    r"""|\b(?:process|import\.meta)\.env(?:\.|\[[ \t]*["'])\Z"""
)
#: How far before a name its lookup is looked for.
_ENV_LOOKUP_CHARS = 40


def _reads_environment(text: str, at: int) -> bool:
    """Whether the name at ``at`` in ``text`` (or the bracket of its call) is the environment's."""
    return _ENV_LOOKUP.search(text, max(0, at - _ENV_LOOKUP_CHARS), at) is not None


def _fallback_literal(match: re.Match[str]) -> str:
    """A literal a secret's lookup falls back to (``getenv("API_KEY") ?? "..."``): as a named
    literal. A word only where the environment is read: elsewhere it is as often a setting's
    default (``args.password or "interactive"``), there a password (``getenv("DB_PASSWORD") ?:
    "correcthorse"`` went out). Not under a name about a secret (``api_key_selection_expression
    or "$request.header.x-api-key"``)."""
    name = re.match(r"[\w.-]*", match.group(1))
    if name and _METADATA_NAME.search(name.group()):
        return match.group(0)
    if _SECRET_LIKE.search(match.group(match.re.groups)) is None and not _reads_environment(match.string, match.start()):
        return match.group(0)
    return _named_literal(match)


def _paired_value(match: re.Match[str]) -> str:
    """A secret's name and value as a pair of literals (``("password", "...")``) or a macro's:
    group 2 the name. Less sure a name and its value than an assignment: not words or names
    (``("password", "Password")``, ``files_defining("reveal_token", "python")``); a word only as
    the environment's default (``os.getenv("DB_PASSWORD", "correcthorse")``, Laravel's ``env(``)."""
    name, value = match.group(2, match.re.groups)
    if (
        value.lower() == name.lower()
        or _METADATA_NAME.search(name)  # moto's ``.get("NextSigningKeyLength", "RSA_1024_BIT")``
        or any(ch in value for ch in " ./\\")  # words (``"SM2 PRIVATE KEY"``), a file, a path
        or (_SECRET_LIKE.search(value) is None and not _reads_environment(match.string, match.start() + 1))
        or _SECRET_NAME_ONLY.fullmatch(value)
    ):
        return match.group(0)
    return _named_literal(match)


#: (And Python's annotations: typeshed's stubs' ``token: Incomplete``, anyio's ``token: object``.)
_TYPE_NAMES = frozenset(
    (
        *("string", "str", "bytes", "number", "boolean", "bool", "secretstr", "secretbytes", "any", "unknown"),
        *("object", "incomplete", "callable"),
    )
)


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


#: A quoted name's scopes before the name: a type's (CloudFormation's ``"AWS::ApiGateway::ApiKey":
#: "48205d4ffd7feba3"``, cfn-lint's schemas' hashes by type), no variable's.
_QUOTED_SCOPES = re.compile(r"""["'][A-Za-z_]\w*(?:::\w+)*::\Z""")


#: A declaration's keyword before the name: ``class SemanticTokens:`` then its docstring
#: (``"""@since 3.16.0"""``, lsprotocol's, went out as ``[REDACTED]``) is no name and value.
_DECLARATION = re.compile(r"\b(?:class|struct|interface|enum|trait|object|record|protocol|module)[ \t]+\Z")


def _assignment(match: re.Match[str]) -> str:
    # Only the few characters before the name: from each name on a long line, a search back to
    # the line's start made the pattern quadratic.
    if _BATCH_PROMPT.search(match.string, max(0, match.start() - 16), match.start()):
        return match.group(0)
    if _ARN_SERVICE.search(match.string, max(0, match.start() - 24), match.start()):
        return match.group(0)
    if _DECLARATION.search(match.string, max(0, match.start() - 16), match.start()):
        return match.group(0)
    if _QUOTED_SCOPES.search(match.string, max(0, match.start() - 64), match.start()):
        return match.group(0)
    # A kebab-case name's word before the ``token`` the name was read as (gcloud's
    # ``--page-token="…"``): a listing's page.
    if no_credential_before(match.string, match.start(1)):
        return match.group(0)
    if match.group(5) is not None and _bare_value_is_code(match):
        return match.group(0)
    if _code_below_comment(match):
        return match.group(0)
    return _assigned(match.group(0), *match.groups(), at=match)


#: A comment's mark before a name on its line (``# password:``, ``// the token:``, `` * secret:``,
#: a trailing ``  # api_key:``); not a C preprocessor's ``#define``.
_COMMENT_BEFORE = re.compile(r"[ \t]*(?:\*|--|;)|.*?(?:#(?!(?:define|undef|if|ifn?def|elif|pragma)\b)|//|/\*|<!--)")
#: The rest of a value's line when the value is alone on it: a list's comma, a statement's end.
_ALONE_AFTER = re.compile(r"[ \t]*[,;)\]}]?[ \t]*(?:\r?\n|\Z)")
_NOTHING_AFTER = re.compile(r"[ \t]*(?:\r?\n|\Z)")
#: Before a value alone on its line: its indentation and a literal's prefix (``r"``, ``@"``).
_ALONE_BEFORE = re.compile(r"(?i)[ \t]*(?:[rbuf]{1,2}|u8|l|@\$?|\$@?)?")
_COMMENT_MARK = re.compile(r"[ \t]*(?:#|//|--|\*)")
#: A passphrase's words run together with no digit (``correcthorsebatterystaple``): eight lower-case
#: letters or more, alone on their line, are no code's (``continue`` is a keyword; ``endforeach``,
#: ``endfunction`` and the like end a block).
_RUN_TOGETHER = re.compile(r"(?!end)[a-z]{8,}")


def _code_below_comment(match: re.Match[str]) -> bool:
    """Whether the value found on the line below a name is code, the name in a comment and that
    line not: a comment ending in ``password:`` (a heading, a sentence) and the code under it
    (``@dataclass``, a docstring, a dict's ``"key": [],``) went out as ``[REDACTED]``. A value
    there is a word with a digit alone on its line (a note's ``# password:`` then ``S3cr3t77``),
    or a passphrase's words run together (``correcthorsebatterystaple``)."""
    sep = match.group(2)
    below = sep.rfind("\n")
    if below < 0 or sep[:below].rstrip("\r").endswith("\\"):
        return False  # on the name's line, or a line continued after ``\``
    text, start = match.string, match.start()
    line = _line_start(text, start)
    if _COMMENT_BEFORE.match(text[max(line, start - 200) : start]) is None:
        return False
    if _COMMENT_MARK.match(sep, below + 1):
        return False  # the line below is commented too (``#   "..."``): a value, as its name's
    value = match.group(4) if match.group(3) else match.group(5)
    looks_like_value = (
        bool(value)
        and (any(ch.isdigit() for ch in value) or (not match.group(3) and _RUN_TOGETHER.fullmatch(value) is not None))
        and not any(ch.isspace() for ch in value)
    )
    # Unquoted and with nothing after it, a passphrase's run of letters: a list's quoted word
    # (``"settings",``) is code.
    after = _ALONE_AFTER if any(ch.isdigit() for ch in value) else _NOTHING_AFTER
    alone = _ALONE_BEFORE.fullmatch(sep, below + 1) and after.match(text, match.end())
    return not (looks_like_value and alone)


#: A value with no digit that is a word of code: a keyword or a literal (``let token =
#: undefined;``), or a statement (the next line's ``return``, after ``if x in TOKENS:``).
_CODE_WORDS = frozenset(
    (
        *("undefined", "unknown", "nullptr", "return", "continue", "import", "raise", "yield", "await", "break", "pass", "lambda"),
        *("function", "typeof", "instanceof", "async"),  # JavaScript's ``x.renderToken = function (...``
    )
)
#: An identifier without a digit: a generated secret has digits; a variable most often none.
_IDENTIFIER = re.compile(r"[A-Za-z_$]+")
#: An identifier of words, camelCase or snake_case (``storedJwt``, ``current_token``).
_CAMEL_CASE = re.compile(r"[a-z][A-Z]")
#: A constant's name, capitals joined by ``_`` (``FG_DEFAULT``, ``_DEFAULT_REFRESH_TIMEOUT``), no
#: digit: a pygments style's ``Token: FG_DEFAULT``, a dict's value; a password is not written so.
_CONSTANT = re.compile(r"_*[A-Z]+(?:_[A-Z][A-Z0-9]*)+|_+[A-Z]+")
_SNAKE_CASE = re.compile(r"[a-z]_+[a-z]")
#: A class's name (``TokenBase``, ``_TokenGenerator``, ``Keyword``): capitalised words, no digit.
_CLASS_NAME = re.compile(r"_?[A-Z][A-Za-z]*[a-z][A-Za-z]*")
#: A secret's word with more words after it in a class's name: a type for one (``TokenBase``,
#: ``ResourceOwnerPasswordCredentialsGrant``, ``FileWebIdentityTokenLoader``), no password; one
#: ending in it may be (an INI file's ``PASSWORD = SuperSecret``), but for a key pair's half
#: (cryptography's ``EllipticCurvePrivateKey``).
_SECRET_IN_CLASS = re.compile(r"(?:Token|Password|Passphrase|Secret|Credentials?|Key)[A-Z][a-z]|[A-Za-z](?:Private|Public)Key\Z")
#: An infix operator after a value: an expression (``Token = Ignore + PlainToken``, a type's
#: ``number | string``), an arrow function's parameter (``x.tokenCodePoints = string => {``), a
#: comparison (``credentials: state === 'anonymous'``). Not a shell's ``&&`` or ``||`` after ``TOKEN=...``.
_INFIX_AFTER = re.compile(r"[ \t]+(?:[-+*/%^]|\|(?!\|)|&(?!&)|\?[:?]|=>|[=!]==?)[ \t]")
#: Before a name: an attribute of an object (``self.token = nextchar``) or the last target of
#: a tuple (``exposed, token = result``): code.
_CODE_TARGET = re.compile(r"(?:\b(?:self|this|cls)\.|,[ \t]*(?:\w+\.)*)\Z")
#: The rest of a value's line that is more code or prose: neither blank nor a comment.
_MORE_ON_LINE = re.compile(r"[ \t]*[^\s#/;]")
_WORD_AFTER = re.compile(r"[ \t]+[A-Za-z]")
#: A .env file's or a properties file's assignment (``REDIS_PASSWORD=null``, ``db.user=app``);
#: an empty one too (``AWS_SECRET_ACCESS_KEY=``); not base64 (``c2VjcmV0==``) nor a password with an
#: ``=`` (``Sup3r=S3cret``).
_NEXT_ASSIGNMENT = re.compile(r"(?:[A-Z_][A-Z0-9_]*|[a-z]+(?:\.[a-z][\w-]*)+)=(?!=)")
#: A type, nullable (Kotlin's ``token: String?``, ``(password: CharArray?)``) or before a
#: declaration's value or delegate (``val password: CharArray = ...``, ``by lazy``) or a type's
#: body after the type it conforms to (Swift's ``struct TokenResponse: Decodable {``); no digit,
#: as a password has (``{password: Hunter2, ...}``).
_TYPE = re.compile(r"[A-Z][A-Za-z_.]*\??")
_AFTER_TYPE = re.compile(r"[ \t]*(?:=(?!=)|by[ \t]|\{)")


#: A PowerShell cmdlet's name: a verb, a ``-``, a noun (``Read-Host``, ``ConvertTo-SecureString``).
_CMDLET = re.compile(r"[A-Z][a-z]+(?:To)?-[A-Z][A-Za-z]+")
#: A line continuation and the line breaks and spaces after it, to the value.
_CONTINUATION = re.compile(r"\\\s*\Z")


def _bare_value_is_code(match: re.Match[str]) -> bool:
    """Whether an assignment's unquoted value is code or prose, not a secret: a variable, a
    type, an expression; a word of a sentence (``"pwd: expected bytes"``, ``# First pass:
    determine ...``); the first word of the next line of code after a name ending a line
    (``if key in TOKENS:`` then ``return``)."""
    text, value, sep = match.string, match.group(5), match.group(2)
    end = match.end()
    if value.lower() in _CODE_WORDS:
        return True
    # PowerShell's variable given a cmdlet's result (``$pw = ConvertTo-SecureString ...``,
    # ``$token = Get-AzAccessToken @params``): a call, which went out as ``[REDACTED]``.
    if _CMDLET.fullmatch(value) and match.string[match.start() - 1 : match.start()] == "$":
        return True
    # A line continued after a ``\\`` is one line: its value is read as on the name's line.
    sep = _CONTINUATION.sub("", sep)
    # A nullable type was taken for a value (``accessToken: String?``), and redacted.
    if sep.strip() == ":" and _TYPE.fullmatch(value) and (value[-1] == "?" or _AFTER_TYPE.match(text, end)):
        return True
    if "\n" in sep or "\r" in sep:
        # The next line's assignment after an empty value (a .env file's ``DB_PASSWORD=`` then
        # ``REDIS_PASSWORD=null``, Laravel's own) is no value: it went out as ``[REDACTED]``.
        return _MORE_ON_LINE.match(text, end) is not None or _NEXT_ASSIGNMENT.match(value) is not None
    if _IDENTIFIER.fullmatch(value) is None and _CONSTANT.fullmatch(value) is None:
        return False
    if _INFIX_AFTER.match(text, end) is not None:
        return True
    name = match.group(1)
    # A type named for a secret or for the name itself (``token_handler: TokenBase``,
    # ``state_credentials: StateCredentials``, ``token_loader_cls = FileWebIdentityTokenLoader``).
    if _CLASS_NAME.fullmatch(value) and (
        _SECRET_IN_CLASS.search(value)
        or same_letters(value, name)
    ):
        return True
    # Code's ``a = b``, not a shell's or an .env file's ``NAME=value``; or a member's ``a: b``.
    spaced = "=" in sep and sep != sep.strip()
    if (spaced or sep.strip(" \t\"'") in (":", "=>")) and _CONSTANT.fullmatch(value):
        return True
    # A variable that itself names a secret, passed on (Gradle's ``password = sonatypePassword``,
    # Go's ``cfg.JWTSecret = secret``): it went out as ``[REDACTED]``. A variable's lower case
    # first: an INI file's ``PASSWORD = SuperSecret`` is a value.
    if spaced and value[0].islower() and _SECRET_NAME_ONLY.fullmatch(value):
        return True
    colon = sep.strip(" \t\"'") == ":"
    # A statement's end, or a camelCase variable or type before a list's comma or a call's
    # parenthesis (``token: storedJwt,``), any variable after a key's colon there (a dict's or a
    # signature's: pygments' ``Token: foreground,``, ``"secrets": secrets_map,``); alone,
    # ``password: hunterPass`` may be a password.
    following = text[end : end + 1]
    # (At the text's end nothing follows: ``"" in ",)"`` held, and a window ending at the cursor
    # sent ``password: hunterPass``.)
    before_comma = bool(following) and following in ",)"
    if (spaced or colon) and (following == ";" or (before_comma and (colon or _CAMEL_CASE.search(value)))):
        return True
    # pygments' ``token = Keyword`` in a function: a class or a constant given a variable; an
    # INI file's ``password = Sunshine`` starts its line.
    if spaced and name[:1].islower() and value[0].isupper() and _indented(text, match.start()):
        return True
    if spaced and (_SNAKE_CASE.search(value) or _CODE_TARGET.search(text, max(0, match.start() - 24), match.start())):
        return True
    # A call's keyword argument (``api_key_required=key_req,``, ``token_refresh_headers=headers,``):
    # an .env line ends at its value.
    if sep == "=" and before_comma and (_SNAKE_CASE.search(value) or name.islower()):
        return True
    # A colon then words: a sentence (a message, a comment), not a YAML key's value.
    return sep.strip() == ":" and _WORD_AFTER.match(text, end) is not None


def _indented(text: str, at: int) -> bool:
    """Whether only spaces, one at least, come before ``at`` on its line."""
    line = _line_start(text, at)
    return at > line and not text[line:at].strip(" \t")


#: A name saying its value is about a secret, not one: its kind, its format, its size, where it
#: is asked for (``token_type = 'phrase'``, ``TokenFormat = 'relative'``, ``password_policy``), what
#: makes or uses one (ASP.NET Identity's ``PasswordResetTokenProvider = "Default"``), how many
#: (``TOKEN_LIMIT = 100000``).
_ABOUT_A_SECRET = (
    "type", "types", "kind", "format", "name", "names", "len", "length", "size", "count", "field", "header",
    "prefix", "label", "hint", "policy", "mode", "style", "ttl", "lifetime", "expiry", "expires", "timeout",
    "endpoint", "url", "uri", "regex", "pattern", "range", "scope", "scopes", "algorithm", "encoding",
    "provider", "purpose", "limit", "budget", "max", "expression", "spec", "placement",
)
#: After a separator or a camelCase word's boundary: one alternation of the words, compiled once.
_METADATA_NAME = re.compile(r"(?:[_.-]|(?<=[a-z0-9])(?=[A-Z]))(?i:" + "|".join(_ABOUT_A_SECRET) + r")\Z")
#: A value that holds no secret, quoted or not: a placeholder's character again and again
#: (``xxx``, ``XXXXXXXX``, ``----``: a placeholder or a test's filler), an elision (``"eyJ0eXAiO..."``, a doc's
#: example cut short), the word ``password`` in a password's place, an ABNF rule (``1*tchar``),
#: a note where none is set (a masked configuration's ``'fim_api_key': '(not set)'``).
_NO_SECRET = re.compile(
    r"(?i)[ \t]*([x*.#_-])\1{2,}[ \t]*|.*(?:\.\.\.|…).*|password|\d+\*\d*[a-z][\w-]*"
    r"|\((?:not[ \t]+set|unset|none|empty|hidden|masked|redacted)\)"
)
#: A name saying its value is a file's path: ``DB_PASSWORD_FILE``, ``tokenPath``.
_PATH_NAME = re.compile(r"(?:_(?i:file|path|dir)|(?-i:File|Path|Dir))(?![A-Za-z0-9])")


_ODBC_PASSWORD_NAME = re.compile(r"(?i)pwd|password")
#: What a format string's field holds: a name, an index, a conversion, a format spec.
_FORMAT_FIELD_BODY = re.compile(r"[A-Za-z_][\w.]*(?:\[[^\]]*\])?(?:![rsa])?(?::[^{}]*)?|\d*")
_FIELD_NAME = re.compile(r"\w*")
#: A literal's opening that formats its braces, before its quote: Python's ``f"`` (``rf"``),
#: C#'s ``$"`` (``$@"``), a Rust macro's (``format!("``, ``write!(f, "``), C#'s ``string.Format("``,
#: Java's ``String.format("`` and ``MessageFormat.format("``.
_FORMATTING_OPENING = re.compile(
    r"(?:(?<![\w$@])(?:[rR]?[fF]|[fF][rR]|\$@?|@\$)|(?:\w!|\b(?:[Ss]tring|MessageFormat)\.[Ff]ormat)\((?:[ \t]*[\w.&]+,)?[ \t]*)\Z"
)
#: After a literal's closing quote: Python's ``.format(`` (``.format_map(``).
_FORMAT_CALL = re.compile(r"[ \t]*\.format(?:_map)?\(")


def _in_format_string(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is inside a literal that fills its braces in: the nearest quote
    before it on its line opens that literal."""
    line = _line_start(text, start)
    opening = max(text.rfind('"', line, start), text.rfind("'", line, start))
    if opening < 0:
        return False  # a configuration file's line: nothing formats it
    if _FORMATTING_OPENING.search(text, line, opening):
        return True
    closing = text.find(text[opening], end)
    return closing >= 0 and _FORMAT_CALL.match(text, closing + 1) is not None


def _format_field(body: str, at: re.Match[str] | None) -> bool:
    """Whether ``{body}`` in ODBC's password braces is a format field code fills in, not the
    password: an index (``{0}``, ``{}``), or any field of a literal that formats (``f"PWD={pw};"``,
    ``"PWD={pw}".format(pw=x)``). Elsewhere (a literal that formats nothing, a configuration
    line) a word is the password, digits or not (``"PWD={hunter};"`` went out), except a template's
    field no password is written as: a secret's name (``{password}``, ``{db_pwd}``, formatted
    later) or a field with format syntax (``{pw!r}``, ``{self.password}``), without a digit.
    ``at``: the match, when the text is known."""
    if not _FORMAT_FIELD_BODY.fullmatch(body):
        return False
    name = _FIELD_NAME.match(body)
    if name is None or not name.group() or name.group().isdigit():
        return True
    if not any(ch.isdigit() for ch in body) and (name.group() != body or _SECRET_NAME_ONLY.fullmatch(body)):
        return True
    return at is None or _in_format_string(at.string, at.start(), at.end())


#: A secret's symbol, which no attribute's, file's, host's or version's name has.
_SECRET_SYMBOL = re.compile(r"[~!%^*?=+#&]")
#: Members read, negated or optionally (``!!this.config.auth.clientSecret``, ``account?.idTokenClaims``).
_MEMBER_CHAIN = re.compile(r"!*[A-Za-z_$][\w$]*(?:\??\.[A-Za-z_$][\w$]*)+")


def _dotted_secret(value: str) -> bool:
    """Whether ``value``, with a dot, is a secret: a secret's symbol in it (not a path's ``~/``),
    or a generated key's digits and mixed case (``aB3cD4.eF5_gH6-iJ7kL8``)."""
    if _MEMBER_CHAIN.fullmatch(value):
        return False
    if "/" not in value and _SECRET_SYMBOL.search(value):
        return True
    return len(value) >= 16 and sum(ch.isdigit() for ch in value) >= 3 and _mixed_case(value)


#: A static member, without a digit (``static::$password``, ``Config::DB_PASSWORD``).
_STATIC_MEMBER = re.compile(r"[A-Za-z_\\][A-Za-z_\\]*(?:::\$?[A-Za-z_]+)+")
_YAML_ANCHOR = re.compile(r"[&*][A-Za-z_][\w.-]*")
#: A YAML tag with its value after it on the line: Ansible Vault's ``!vault |`` (its block is
#: ciphertext), Home Assistant's ``!secret db_password``, CloudFormation's ``!GetAtt X.Y``: the
#: tag went out as ``[REDACTED]``. (``!unsafe '...'``'s literal is redacted as a literal.)
_YAML_TAG = re.compile(r"!{1,2}[A-Za-z][\w.:/-]*")
_VALUE_AFTER_TAG = re.compile(r"[ \t]+\S")
#: Google Cloud's name of a secret (``projects/p/secrets/db/versions/1``, after
#: ``secret_version=`` in gcloud's flags): where it is kept, in any project, not it.
_GCP_SECRET_NAME = re.compile(r"(?:[a-z_]+=)?projects/[^/\s]+/secrets/")
#: An ODBC password's braces that code fills in: a format field inside escaped braces
#: (``f"PWD={{{pw}}}"``, ``"PWD={{{0}}}".format(pw)``: a ``{``, the field, a ``}``), a
#: template's (`` `PWD={${pw}}` ``, PHP's ``"PWD={$pw}"``, ``{{ pw }}``) or printf's (``{%s}``).
_FILLED_BRACES = re.compile(r"\{(?:\{\{[^{}]*\}\}|\$\{[^{}]*\}|\$[A-Za-z_][\w>-]*|%(?:\([\w.]*\))?[sr])\}")


_VERSION_RANGE = re.compile(r"[\^~]\d+(?:\.\d+){1,3}(?:-[\w.]+)?")
#: A name for a count of a language model's tokens (``max_new_tokens``, ``PROMPT_TOKENS``).
_TOKEN_COUNT = re.compile(r"(?i)tokens\Z")


def _assigned(
    whole: str,
    name: str,
    sep: str,
    quote: str | None,
    quoted: str | None,
    bare: str | None,
    *,
    at: re.Match[str] | None = None,
) -> str:
    value = (quoted if quote else bare) or ""
    # A number of tokens (``MAX_TOKENS = 128000``, a usage's ``"input_tokens": 1234567``): a
    # language model's count, which went out as ``[REDACTED]``.
    if value.isdigit() and _TOKEN_COUNT.search(name.rstrip()):
        return whole
    # A negative number is a code (winerror's ``TPM_E_KEY_NOT_SIGNING_KEY: Final = -2144795622``).
    if value[:1] == "-" and value[1:].isdigit():
        return whole
    # A package's version range (package.json's ``"jsonwebtoken": "^9.0.0"``): it went out as
    # ``[REDACTED]``.
    if _VERSION_RANGE.fullmatch(value):
        return whole
    if _METADATA_NAME.search(name.rstrip()) or _is_placeholder(value) or _NO_SECRET.fullmatch(value):
        return whole
    if NO_CREDENTIAL_TOKEN.search(name.rstrip()):
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
    if (
        not quote
        and sep.rstrip().endswith(":")
        and at is not None
        and _YAML_TAG.fullmatch(value)
        and _VALUE_AFTER_TAG.match(at.string, at.end())
    ):
        return whole
    if _GCP_SECRET_NAME.match(value):
        return whole
    if quote:
        closing = quote if whole.endswith(quote) else ""  # none at the cursor
        if _is_words(value, name):
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
    # not a format field (``password={password}``, ``PWD={0}``, see _format_field).
    if value[:1] == "{" and value[-1:] == "}" and _ODBC_PASSWORD_NAME.fullmatch(name.strip()):
        if not _format_field(value[1:-1], at) and not _FILLED_BRACES.fullmatch(value):
            return f"{name}{sep}{{{REDACTED}}}"
    # Unquoted code that only names where a secret comes from (a call, an attribute, a generic
    # type's ``Feature<Shape>``, a static member: PHP's ``static::$password``, Laravel's factory's
    # ``'password' => static::$password ??= Hash::make(...)``, C++'s ``Config::kToken``; not a
    # password with ``::`` and a digit in it) stays.
    if any(ch in value for ch in "()[]{}<>") or _STATIC_MEMBER.fullmatch(value):
        return whole
    # A dot: an attribute (``settings.SECRET_KEY``), a file's or a host's name, a version; but
    # Azure's client secrets have dots (and a ``~``), and so may a password or a generated key:
    # each went out as written.
    if "." in value and not _dotted_secret(value):
        return whole
    # A variable of the same name (``self.password = password``, ``password=password,``) or a
    # type (``password: string;``) is code, not a secret.
    if value.lower() == name.lower() or (sep.strip() == ":" and value.lower() in _TYPE_NAMES):
        return whole
    return f"{name}{sep}{REDACTED}"
