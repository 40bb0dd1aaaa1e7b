"""Quoted values in a secret's place that are words, not a secret: a message about one, prose,
a format string's fields, a setting's word or a mask, validation rules, a colour, the key a
secret is stored under, a field's name or the assigned name again."""

from __future__ import annotations

import re

from .values import _SECRET_NAME_ONLY

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


#: A format string's fields alone (``'%s:%s'``, ``'{0}:{1}'``): how a value is built, not one.
_FORMAT_ONLY = re.compile(r"(?:%[-+ #0]*\d*(?:\.\d+)?[sdifrxXeEgGcab]|\{[^{}]*\}|[^\w\s%{}])+")


#: A quoted value that is a type's name (a schema's ``"token": "string"``), a setting's word
#: (fetch's ``credentials: "same-origin"``, Laravel's casts: ``'password' => 'hashed'``, Cognito's
#: token validity's unit: ``"AccessToken": "minutes"``), or a
#: mask (``"********"``, ``"[Redacted]"``, ``"**GDPR COMPLIANT**"``), or a placeholder in angle
#: brackets (``"<your-secret-key>"``, a README's or a sample configuration's).
_SETTING_OR_MASK = re.compile(
    r"(?i:string|number|boolean|secretstr|secretbytes|unknown|same-origin|include|omit|required|optional"
    r"|enabled|disabled|hidden|\[redacted\]|<redacted>|hashed|encrypted(?::\w+)?|seconds|minutes|hours|days)"
    r"|\*{3,}|\*\*[^*\r\n]+\*\*|<[^<>\r\n]+>"
)
#: Validation rules joined by ``|`` (Laravel's ``'password' => 'required|string|min:8|confirmed'``):
#: each a lower-case rule's name, its arguments after a ``:``; one at least a rule for any field.
_VALIDATION_RULE = re.compile(r"[a-z_]+(?::[^|]*)?")
_COMMON_RULES = frozenset(("required", "nullable", "sometimes", "bail", "confirmed", "string", "min", "max", "between"))


def _is_validation_rules(value: str) -> bool:
    rules = value.split("|")
    return (
        len(rules) >= 2
        and all(_VALIDATION_RULE.fullmatch(rule) for rule in rules)
        and any(rule.partition(":")[0] in _COMMON_RULES for rule in rules)
    )


#: Words of a sentence, not of a passphrase: a value of three words or more holding one of
#: them is prose (pino's ``secret: 'will be redacted'``, ``'please hide me'``).
_FUNCTION_WORDS = frozenset(
    ("a", "an", "the", "is", "are", "was", "be", "will", "as", "this", "that", "these", "me", "please", "not", "to", "of", "it")
)


def _is_prose(value: str) -> bool:
    # A sentence's punctuation is no symbol of a secret: botocore's examples' ``"nextToken": "A
    # dynamically generated value, used for paginating results."`` went out as ``[REDACTED]``.
    words = [w.rstrip(".,;:!?") for w in value.split()]
    return len(words) >= 3 and all(w.isalpha() for w in words) and any(w.lower() in _FUNCTION_WORDS for w in words)


#: Words joined by dots, the first lower-case (``com.example.app.accessToken``, ``auth.token.v2``).
_DOTTED_NAME = re.compile(r"[a-z][a-z0-9_-]*(?:\.[A-Za-z][A-Za-z0-9_-]*)+")


#: A field's name ending in ``Token`` (a paginator's ``"input_token": "NextToken"``, ``nextPageToken``):
#: words, the first lower- or upper-case, no digit. A token is no such word.
_TOKEN_FIELD = re.compile(r"(?:[a-z]+|[A-Z][a-z]+)(?:[A-Z][a-z]+)*Token")
_IDENTIFIER_CHARS = re.compile(r"[A-Za-z][A-Za-z_-]*")
_NOT_A_LETTER = re.compile(r"[^a-z]")


def same_letters(a: str, b: str) -> bool:
    """Whether two names are one, whatever their case and separators (``PasswordReset`` and
    ``password-reset``, ``StateCredentials`` and ``state_credentials``)."""
    return _NOT_A_LETTER.sub("", a.lower()) == _NOT_A_LETTER.sub("", b.lower())


#: A paginator's names for where its token is read and written (botocore's ``input_token``,
#: ``output_token``), and a field's path there: ``"Marker"``, ``"DistributionList.NextMarker"``,
#: ``"Contents[-1].Key"``, ``"NextMarker || Contents[-1].Key"``.
_PAGINATION_NAME = re.compile(r"(?i)(?:input|output)_?tokens?\Z")
_FIELD_STEP = r"[A-Za-z_]+(?:\[-?\d+\])?(?:\.[A-Za-z_]+(?:\[-?\d+\])?)*"
_FIELD_PATH = re.compile(_FIELD_STEP + r"(?:[ \t]*\|\|[ \t]*" + _FIELD_STEP + ")*")


def _names_a_field(value: str, name: str) -> bool:
    """Whether a quoted ``value`` is a name, not a secret: a field's ending in ``Token``, a
    paginator's field (``"input_token": "Marker"``), or the name it is assigned to, again in any
    case (an enum's ``PasswordReset: "PasswordReset"``, ``AcquireToken = "acquireToken"``,
    ``PASSWORD_RESET = "password-reset"``)."""
    if _TOKEN_FIELD.fullmatch(value) or (_PAGINATION_NAME.search(name) and _FIELD_PATH.fullmatch(value)):
        return True
    words = re.findall(r"\w+", name)
    return (
        bool(words)
        and _IDENTIFIER_CHARS.fullmatch(value) is not None
        and same_letters(value, words[-1])
    )


#: A colour or a font's style (a pygments style's ``Token: "bold #000080"``, ``"bg:#f8f8f8"``).
_STYLE_PART = re.compile(r"(?:no)?(?:bold|italic|underline|inherit)|(?:bg:|border:)?#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")


def _is_style(value: str) -> bool:
    return all(_STYLE_PART.fullmatch(part) for part in value.split())


def _is_storage_key(value: str) -> bool:
    """Whether ``value`` is a key the secret is stored under, not it: dotted words, one naming a
    secret (Swift's ``tokenKey = "com.example.app.token"``, a keychain's or preferences' key)."""
    return _DOTTED_NAME.fullmatch(value) is not None and any(
        _SECRET_NAME_ONLY.fullmatch(part) for part in value.split(".")
    )


def _is_format_only(value: str) -> bool:
    return ("%" in value or "{" in value) and _FORMAT_ONLY.fullmatch(value) is not None


#: An identifier's words: separated (``client_credentials``, ``msal.cache``) or camelCase
#: (``accountTokenHeader``), a namespace before (``msal:``; one, read one way), a word's digits after its letters (``sha256``).
_IDENTIFIER_WORDS = re.compile(r"(?:[a-z][a-z0-9]*:)?(?:[a-z][a-z0-9]*(?:[_.][a-z][a-z0-9]*)+|[a-z]+(?:[A-Z][a-z]+){2,})")
_WORD_PART = re.compile(r"[A-Z]?[a-z]+[0-9]*|[A-Z]{2,}(?![a-z])")
#: The words of a secret's name: shared with a value, they say nothing (``PASSWORD = "superSecretPassword"``).
_SECRET_NAME_WORDS = frozenset(("password", "passwd", "passphrase", "pass", "secret", "secrets", "token", "tokens", "credential", "credentials", "key", "keys"))


def _names_the_name(value: str, name: str) -> bool:
    """Whether ``value`` is an identifier of words sharing one with ``name`` besides its secret's
    word (an enum's or an event's: ``ACQUIRE_TOKEN_START: "msal:acquireTokenStart"``,
    ``CLIENT_CREDENTIALS_GRANT: "client_credentials"``, ``SHA256_TOKEN_TO_REFRESH: "token_sha256_to_refresh"``):
    a name, not a secret."""
    named = _WORD_PART.findall(name)
    # (A name of three words at least: ``ADMIN_PASSWORD = "admin_rocks"`` may be a password.)
    if len(named) < 3 or not _IDENTIFIER_WORDS.fullmatch(value):
        return False
    words = {part.lower() for part in _WORD_PART.findall(value)} - _SECRET_NAME_WORDS
    return any(len(part) >= 4 and part.lower() in words for part in named)


def _is_words(value: str, name: str) -> bool:
    """Whether a quoted ``value`` assigned to ``name`` is words, not a secret (see the module)."""
    return (
        _is_message(value)
        or _is_prose(value)
        or _is_format_only(value)
        or _is_validation_rules(value)
        or _is_storage_key(value)
        or _names_a_field(value, name)
        or _names_the_name(value, name)
        or _is_style(value)
        or _SETTING_OR_MASK.fullmatch(value) is not None
    )
