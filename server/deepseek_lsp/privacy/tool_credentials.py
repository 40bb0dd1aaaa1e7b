"""Tools' credentials in their own shapes, which no secret's name announces (Composer's tokens
under a host's name, in its ``auth.json``, are :mod:`.sections`'): Yarn's ``npmAuthIdent`` and Yarn 1's
``_authToken`` written without ``=``, a session cookie, conda's channel token."""

from __future__ import annotations

import re

from .values import _REFERENCE, REDACTED, Replacement


def _reference_or_secret(match: re.Match[str]) -> str:
    """The secret (the last group) replaced, unless it names a variable (``${NPM_TOKEN}``)."""
    secret = match.group(match.re.groups)
    return match.group(0) if _REFERENCE.fullmatch(secret) else match.group(1) + REDACTED


#: A session cookie's name: ``sessionid``, ``PHPSESSID``, ``JSESSIONID``, ``connect.sid``,
#: ``_session_id``, ``remember_token``, WordPress's ``wordpress_logged_in_…`` and ``wordpress_sec_…``.
#: Not an ``author``'s nor an ``authority``'s (a name, a host: sent as ``[REDACTED]``).
_COOKIE_NAME = (
    r"""(?:[\w.-]*sess(?:ion)?(?:[_.-]?id)?|[\w.]*sid|[\w.-]*remember[\w.-]*|[\w.-]*auth(?!or)[\w.-]*"""
    r"""|[\w.-]*logged[_-]?in[\w.-]*|wordpress_sec[\w-]*)"""
)
#: A session cookie's name and value (see the pattern), after the character that ends the cookie
#: before it: ``name=value`` (a header's, ``"name": "value"``), a call's two arguments (requests'
#: ``cookies.set("sessionid", "…")``, Cypress's ``setCookie``) or an object's name and value
#: (Playwright's ``{"name": "sessionid", "value": "…"}``, Puppeteer's, Selenium's).
_SESSION_COOKIE = re.compile(
    r"""(?P<name>[\s;"'{,:(](?:["']?""" + _COOKIE_NAME + r"""["']?[ \t]*[=:][ \t]*["']?"""
    r"""|(?P<arg>["'])""" + _COOKIE_NAME + r"""(?P=arg)[ \t]*,[ \t]*["']"""
    r"""|["']?name["']?[ \t]*:[ \t]*(?P<field>["'])""" + _COOKIE_NAME
    + r"""(?P=field)[ \t]*,[ \t]*["']?value["']?[ \t]*:[ \t]*["']))"""
    r"""(?P<value>(?=[^\s;,"'&]*\d)[A-Za-z0-9%._~+/-]{12,}={0,2})""",
    re.IGNORECASE,
)


def _cookie(match: re.Match[str]) -> str:
    """A session cookie's name and its value redacted, unless a variable."""
    value = match.group("value")
    return match.group("name") + (value if _REFERENCE.fullmatch(value) else REDACTED)


def _session_cookies(match: re.Match[str]) -> str:
    """The first session cookie after the cookie's word and those after it on its line redacted."""
    return match.group("head") + _cookie(match) + _SESSION_COOKIE.sub(_cookie, match.group("rest"))


TOOL_CREDENTIAL_PATTERNS: tuple[tuple[re.Pattern[str], Replacement], ...] = (
    # Yarn 2+'s ``npmAuthIdent: "user:password"`` (base64 of it too): the name says no secret.
    (re.compile(r"""((?i:npmAuthIdent)["']?[ \t]*:[ \t]*(["']?)[^\s"':]+:)([^\s"']{4,})(?=\2)"""), _reference_or_secret),
    # Yarn 1's ``.yarnrc``: ``"//host/:_authToken" "…"``, a space where ``.npmrc`` has ``=``.
    # (A registry's URL is short: from each ``//`` of a long line, the search ran to its end.)
    (re.compile(r"""(["']?//[^\s"'/]{1,253}(?:/[^\s"'/]{0,253}){0,8}?/:_authToken["']?[ \t]+(["']?))([^\s"']{6,})(?=\2)"""), _reference_or_secret),
    # A session cookie (a login: whoever sends it is the user), copied from a browser into a
    # ``Cookie:`` or ``Set-Cookie:`` header, curl's ``-b``, a test's cookies: ``sessionid``,
    # ``PHPSESSID``, ``JSESSIONID``, ``connect.sid``, ``_session_id``, ``remember_token``. A value
    # with a digit (not a variable's name) of 12 characters at least, in a header's first 256
    # characters (from each ``-b`` of a long line the search ran to its end: quadratic); and
    # every other session cookie after it on the line (the first alone was redacted:
    # ``laravel_session`` after ``_session_id`` went out). The word may end a name
    # (``setCookie(``, ``add_cookies(``, ``set_cookie(``: a test's library; ``cookie_jar``), not
    # start one: ``COOKIE_NAME``'s, ``cookie_opts``' line is settings (their values went out as
    # ``[REDACTED]``: ``AUTH_BACKEND = "accounts.backends.EmailBackend2"``).
    (
        re.compile(
            r"""(?i)(?P<head>(?:cookies?(?:_?jar)?(?![a-z0-9_])|(?<!\S)(?:-b|--cookie))[^\r\n]{0,256}?)"""
            + _SESSION_COOKIE.pattern
            + r"""(?P<rest>[^\r\n]*)"""
        ),
        _session_cookies,
    ),
    # A cookie in Netscape's format (curl's ``-c``, wget's and yt-dlp's cookie jars; curl writes
    # ``#HttpOnly_`` before an HttpOnly one's domain): domain, flag, path, secure, expiry, name,
    # value, tab-separated. Every cookie of a jar is sent, and logins have names of any kind
    # (Google's ``SID``): a value with a digit, of 12 characters at least (a ``theme`` stays).
    (
        re.compile(
            r"(?m)^((?:#HttpOnly_)?[^\s#][^\t\r\n]*\t(?:TRUE|FALSE)\t/[^\t\r\n]*\t(?:TRUE|FALSE)\t-?\d+\t[^\t\r\n]+\t)"
            r"((?=[^\t\r\n]*\d)[^\t\r\n]{12,}?)(?=[ \t]*\r?$)"
        ),
        _reference_or_secret,
    ),
    # conda's token in a channel's URL (``https://conda.anaconda.org/t/<token>/channel``). The
    # host is matched once and "conda" looked for in it (``[\w.-]*conda[\w.-]*`` tried every
    # split of a long word holding "conda" often: 33 s on a 100 kB line).
    (re.compile(r"(://(?=[\w.-]*?conda)[\w.-]+(?::\d+)?/t/)([\w-]{8,})(?=/)"), _reference_or_secret),
)
