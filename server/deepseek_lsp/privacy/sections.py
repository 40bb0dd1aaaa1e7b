"""A secret under a neutral key in a JSON section whose name says what it is: .NET's
``appsettings.json`` ``"Jwt": {"Key": "…", "Issuer": "me"}`` (bound as ``Jwt:Key``), and
Composer's ``auth.json`` (``composer.json``'s ``config``) sections whose every key is a host and
every value its token (``"github-oauth": {"github.com": "…", …}``), and Terraform's JSON
variables (``"db_password": {"type": "string", "default": "…"}``). No name on the key's line
says it is a secret, and the section's may be lines above it. And a session cookie's object over
lines (Playwright's storageState, a HAR's cookies, Selenium's): its value lines below its name."""

from __future__ import annotations

import re
from collections.abc import Callable

from .assignments import _assigned
from .tool_credentials import _COOKIE_NAME
from .values import _ASSIGNED_NAME, _REFERENCE, REDACTED

#: The neutral key and its value (to the text's end: a prompt's window ends at the cursor). .NET's
#: ``"Key"``: a JSON ``"key"`` is as often an object's name (S3's ``"key": "signed-2065c468-…"``).
_KEY_VALUE = re.compile(r'"Key"\s*:\s*"((?:[^"\\\r\n]|\\.)*)(?:"|\Z)')
#: A section's name whose key signs, encrypts or authenticates (``Jwt``, ``JwtSettings``,
#: ``Authentication``, ``DataEncryption``; ``Stripe`` has none: its ``SecretKey`` says it).
_SECRET_SECTION_WORD = re.compile(r"(?i)jwt|token|signing|crypt|hmac|secret|auth|api|licen[cs]e|master|credential|captcha|webhook")
#: A section's opening (its name looked at apart: a search for the words inside each quoted
#: text was quadratic in its length).
_SECTION = re.compile(r'"([^"\\\r\n]+)"\s*:\s*\{')
#: The same key under its section's name flattened (``"Jwt:Key": "…"``, a ``secrets.json``'s, Azure's;
#: not a scope's ``::``: CloudFormation's ``"AWS::PaymentCryptography::Key"`` is a type's name).
_FLAT_KEY_VALUE = re.compile(r'"([^"\\\r\n]+?)(?<!:)(?::|__)[Kk]ey"\s*:\s*"((?:[^"\\\r\n]|\\.)*)(?:"|\Z)')
#: What a section's body is read as: strings (skipped whole: a brace inside one is text) and braces.
_BODY_TOKEN = re.compile(r'"(?:[^"\\\r\n]|\\.)*"|[{}]')
#: How much of the text around is read for a section's name above and a value's end below.
_ABOVE_CHARS = 4096
_BELOW_CHARS = 256
#: The end of the text before looked at for a key whose value the text may start inside of.
_SEAM_CHARS = 256


def _section_end(text: str, start: int, stop: int | None = None) -> int:
    """Where the object whose body starts at ``start`` ends (its ``}``), or the text's end
    (``stop``, where given)."""
    depth = 1
    for m in _BODY_TOKEN.finditer(text, start, len(text) if stop is None else stop):
        if m.group() == "{":
            depth += 1
        elif m.group() == "}":
            depth -= 1
            if depth == 0:
                return m.start()
    return len(text)


def _section_ends(text: str) -> Callable[[int], int]:
    """:func:`_section_end` of ``text`` for many starts, each token read once: each section read
    on its own to its end, a line of sections opened and never closed (``"api_key": {"x"``
    repeated, 20 kB) took 1.1 s. A token's next one is the same whichever start it was reached
    from, so the readings from two starts join at their first common token, and where a token's
    ``{`` closes (:data:`closes`) is known once for every reading through it."""
    first: dict[int, int] = {}  # a position -> the start of the first token at or after it (-1: none)
    after: dict[int, int] = {}  # a token's start -> its end
    weight: dict[int, int] = {}  # a token's start -> +1 ``{``, -1 ``}``, 0 a string
    closes: dict[int, int] = {}  # a token's start -> the ``}`` at or after it closing one more than it opens (-1: none)

    def token_at(at: int) -> int:
        if at not in first:
            m = _BODY_TOKEN.search(text, at)
            first[at] = -1 if m is None else m.start()
            if m is not None and m.start() not in after:
                after[m.start()] = m.end()
                weight[m.start()] = {"{": 1, "}": -1}.get(m.group(), 0)
        return first[at]

    def closing(token: int) -> int:
        return -1 if token < 0 else closes[token]

    def section_end(start: int) -> int:
        chain = []
        token = token_at(start)
        while token >= 0 and token not in closes:
            chain.append(token)
            token = token_at(after[token])
        for token in reversed(chain):
            if weight[token] < 0:
                closes[token] = token
                continue
            end = closing(token_at(after[token]))
            if weight[token] > 0 and end >= 0:
                end = closing(token_at(after[end]))  # its own ``}``, then the one after it
            closes[token] = end
        end = closing(token_at(start))
        return len(text) if end < 0 else end

    return section_end


def _secret_values(text: str) -> list[tuple[int, int]]:
    """The (start, end) spans of the values of the neutral keys inside secret sections of ``text``."""
    values: list[tuple[int, int]] = []
    section_end = _section_ends(text)
    read_from, read_to = -1, -1
    for section in _SECTION.finditer(text):
        if _SECRET_SECTION_WORD.search(section.group(1)):
            start = section.end()
            end = section_end(start)
            stop = end if end == len(text) else end + 1
            # A section inside one read already: its keys were found there (no key's value can
            # hold the ``{`` opening a secret section, whose name needs a letter between quotes).
            if read_from <= start and stop <= read_to:
                continue
            read_from, read_to = start, stop
            values += (m.span(1) for m in _KEY_VALUE.finditer(text, start, stop))
    values += (m.span(2) for m in _FLAT_KEY_VALUE.finditer(text) if _SECRET_SECTION_WORD.search(m.group(1)))
    return sorted({(start, end) for start, end in values if start < end and _is_secret(text[start:end])})


#: Composer's sections of hosts' tokens (``bearer``, the OAuth ones); a host's value that is an
#: object (``{"username": …, "token": …}``) is left to its names. Its quotes may be escaped
#: (``COMPOSER_AUTH="{\\"github-oauth\\": …}"`` in a Makefile, a JSON string's command).
_COMPOSER_SECTION = re.compile(r'\\?"(?:github-oauth|gitlab-oauth|gitlab-token|forgejo-token|bearer)\\?"\s*:\s*\{')
#: A host's name and its token inside such a section: a host has a dot (OpenAPI's ``"bearer":
#: {"type": "http", "scheme": "bearer"}`` has none).
_HOST_TOKEN = re.compile(r'\\?"[\w-]+(?:\.[\w-]+)+\\?"\s*:\s*\\?"([^"\s\\]{6,})(?:\\?"|\Z)')
#: What in a text (or the end of the text before it) may open such a section.
_COMPOSER_WORDS = ("-oauth", "-token", "bearer")


def _host_tokens(text: str) -> list[tuple[int, int]]:
    """The (start, end) spans of the tokens under hosts in Composer's sections of ``text``. A
    section's whole body (a section of many hosts: the lines looked at after its name were two,
    and the third host's token went out), each section read once (from the end of the last)."""
    values: list[tuple[int, int]] = []
    at = 0
    while (section := _COMPOSER_SECTION.search(text, at)) is not None:
        end = _section_end(text, section.end())
        values += (m.span(1) for m in _HOST_TOKEN.finditer(text, section.end(), end) if not _REFERENCE.fullmatch(m.group(1)))
        at = max(end, section.end())
    return values


def may_hold_host_tokens(text: str, before: str) -> bool:
    """Whether ``text``, or the text before it, may hold a Composer section (see
    :func:`redact_host_tokens`)."""
    above = before[-_ABOVE_CHARS:]
    if any(word in text or word in above for word in _COMPOSER_WORDS):
        return True
    # A section opened further up is still open only where the text above closes no object (a
    # section's lines are hosts and tokens): most code's does, and is spared the longer search.
    far = before[: len(before) - len(above)]
    return bool(far) and "}" not in above and any(word in far for word in _COMPOSER_WORDS)


def _open_composer_head(text: str, end: int) -> str:
    """The opening (``"github-oauth": {``) of the Composer section still open at ``end`` of
    ``text``, on a line of its own, or "" where none is: sections do not nest, so only the last
    one opened before ``end`` may be."""
    last = None
    for last in _COMPOSER_SECTION.finditer(text, 0, end):  # noqa: B007 (the last is wanted)
        pass
    if last is None or _section_end(text, last.end(), end) < end:
        return ""
    return last.group() + "\n"


#: How far above a prompt's window a section's opening is looked for: no auth section has more
#: hosts (a long composer.json's sections, 300 mirrors, are 16 kB).
_HEAD_SEARCH_BYTES = 65536
_COMPOSER_BYTES = tuple(word.encode() for word in _COMPOSER_WORDS)
_COMPOSER_SECTION_BYTES = re.compile(_COMPOSER_SECTION.pattern.encode())


def open_section_head(data: bytes, above_start: int) -> str:
    """The opening of the Composer section that ``data`` (a document) is inside of at
    ``above_start`` (where the text looked at above a prompt's window starts), named further
    up, or "": a long composer.json's window and the 4 kB above it were all hosts' lines, and
    their tokens went out (64 of 300)."""
    lo = max(0, above_start - _HEAD_SEARCH_BYTES)
    if above_start <= 0 or not any(data.find(word, lo, above_start) >= 0 for word in _COMPOSER_BYTES):
        return ""
    last = None
    for last in _COMPOSER_SECTION_BYTES.finditer(data, lo, above_start):  # noqa: B007 (the last is wanted)
        pass
    if last is None:
        return ""
    text = data[last.start() : above_start].decode("utf-8", "ignore")
    return _open_composer_head(text, len(text))


#: A session cookie's object written over lines: its name, then its value lines below (no
#: other cookie's name between: Selenium's keys come sorted, ``path``, ``sameSite`` and ``secure``
#: between; Puppeteer's sorted, ten fields; a line limit of six sent those). Nor a line that starts another item or object (a YAML list's ``- name:``, ``{ name:``,
#: ``},``): the value below was the next item's (a deployment's ``- name: AUTH_ENABLED``, ``"true"``,
#: then ``- name: DB_HOST``'s host went out as ``[REDACTED]``). The one-line forms are
#: :mod:`.tool_credentials`'.
_COOKIE_OBJECT = re.compile(
    r"""["']?name["']?[ \t]*:[ \t]*(?P<q>["']?)""" + _COOKIE_NAME + r"""(?P=q)[ \t]*,?[ \t]*\r?\n"""
    # 24 lines: Chrome's cookie has 15 fields; a value further below is another thing's.
    r"""(?:(?![ \t]*["']?name["']?[ \t]*:|[ \t]*-[ \t]|[^\r\n{}]*[{}])[^\r\n]*\r?\n){0,24}?"""
    r"""[ \t]*["']?value["']?[ \t]*:[ \t]*["']?"""
    r"""(?P<value>(?=[^\s;,"'&]*\d)[A-Za-z0-9%._~+/-]{12,}={0,2})""",
    re.IGNORECASE,
)


def _cookie_values(text: str) -> list[tuple[int, int]]:
    """The (start, end) spans of session cookies' values in their objects over lines."""
    return [m.span("value") for m in _COOKIE_OBJECT.finditer(text) if not _REFERENCE.fullmatch(m.group("value"))]


#: Words that say a text holds cookies: their name, or a cookie's own field (a browser's cookies
#: saved as a bare list, Puppeteer's ``page.cookies()``, name no cookie; Playwright's, Selenium's,
#: a HAR's and Chrome's all have ``httpOnly``).
_COOKIE_WORDS = ("ookie", "httpOnly")


def may_hold_cookie_objects(text: str, before: str) -> bool:
    """Whether ``text`` or the end of ``before`` names cookies (see :func:`redact_cookie_objects`)."""
    above = before[-_ABOVE_CHARS:]
    return any(word in text or word in above for word in _COOKIE_WORDS)


def redact_cookie_objects(text: str, before: str = "", after: str = "") -> str:
    """``text`` with session cookies' values in their objects over lines redacted (``before``
    and ``after`` as for :func:`redact_section_keys`)."""
    return _redact_values(text, before, after, _cookie_values)


def _is_secret(value: str) -> bool:
    """Whether a neutral key's value is a secret: as an assignment's (not a placeholder, words)."""
    return _assigned(value, "Key", "", '"', value, None) != value


def redact_section_keys(text: str, before: str = "", after: str = "") -> str:
    """``text`` with the values of the neutral keys in secret sections redacted. ``before`` and
    ``after``: the text around it (a prompt's window and suffix are redacted apart), where the
    section's name or the rest of a value the cursor cuts may be."""
    return _redact_values(text, before, after, _secret_values)


def redact_host_tokens(text: str, before: str = "", after: str = "") -> str:
    """``text`` with the tokens under hosts in Composer's sections redacted (``before`` and
    ``after`` as for :func:`redact_section_keys`; a section's opening further up ``before``
    than the text looked at is put before that)."""
    far = len(before) - _ABOVE_CHARS
    head = _open_composer_head(before, far) if far > 0 else ""
    return _redact_values(text, before, after, _host_tokens, head)


def _redact_values(
    text: str,
    before: str,
    after: str,
    values: Callable[[str], list[tuple[int, int]]],
    head: str = "",
    *,
    above_chars: int = _ABOVE_CHARS,
    below_chars: int = _BELOW_CHARS,
) -> str:
    """``text`` with the spans ``values`` finds in it (in the text around it, ``above_chars`` of
    ``before`` and ``below_chars`` of ``after``, joined) redacted; one cut by its start is the
    text before's to redact, one cut by its end is redacted to there."""
    above = head + before[-above_chars:] if above_chars else head
    joined = above + text + after[:below_chars]
    lo, hi = len(above), len(above) + len(text)
    out: list[str] = []
    done = lo
    for start, end in values(joined):
        if end <= lo or start >= hi:
            continue
        begun = start < lo
        start, end = max(start, lo), min(end, hi)
        out.append(joined[done:start])
        # A value begun before ``text`` is redacted there: none of it here.
        out.append("" if begun else REDACTED)
        done = end
    if not out:
        return text
    out.append(joined[done:hi])
    return "".join(out)


#: A JSON string, read whole (a ``${…}`` inside one is no brace of the object).
_JSON_STRING = r'"(?:[^"\\\r\n]|\\.)*"'
#: A Terraform JSON variable (``*.tf.json``) named for a secret, and its ``default`` (group 2)
#: lines below (its type, description, a nested ``validation`` object between) in its object.
_JSON_DEFAULT = re.compile(
    r"""(?ix)"(""" + _ASSIGNED_NAME + r""")"\s*:\s*\{"""
    rf"""(?:{_JSON_STRING}|[^{{}}"]|\{{(?:{_JSON_STRING}|[^{{}}"])*\}})*?"""
    r""""(?-i:default)"\s*:\s*"((?:[^"\\\r\n]|\\.)*)(?:"|\Z)"""
)


def _default_values(text: str) -> list[tuple[int, int]]:
    """The (start, end) spans of the secrets that JSON variables named for one default to."""
    return [
        m.span(2)
        for m in _JSON_DEFAULT.finditer(text)
        if m.group(2) and _assigned(m.group(2), m.group(1), "", '"', m.group(2), None) != m.group(2)
    ]


def may_hold_json_default(text: str, before: str) -> bool:
    """Whether ``text``, or the end of ``before`` with its start (the cursor may cut the word),
    holds a JSON ``"default"`` (see :func:`redact_json_defaults`)."""
    return '"default"' in text or '"default"' in before[-_SEAM_CHARS:] + text[:10]


def redact_json_defaults(text: str, before: str = "", after: str = "") -> str:
    """``text`` with the secrets Terraform's JSON variables default to redacted (``before`` and
    ``after`` as for :func:`redact_section_keys`: the variable's name may be above a window)."""
    return _redact_values(text, before, after, _default_values)


def may_hold_section_key(text: str, before: str) -> bool:
    """Whether ``text``, or the end of ``before`` with its start (the cursor may cut the key's
    name, ``"K|ey": "…"``, or be below it), holds a neutral key."""
    seam = before[-_SEAM_CHARS:] + text[:8]
    return any('ey":' in part or 'ey" :' in part for part in (text, seam))
