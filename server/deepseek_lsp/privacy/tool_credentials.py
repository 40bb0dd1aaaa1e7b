"""Tools' credentials in their own shapes, which no secret's name announces: Composer's tokens
under a host's name (its ``auth.json``, which the default ``exclude`` does not name: an
``auth.json`` is as often a locale's strings), Yarn's ``npmAuthIdent`` and Yarn 1's
``_authToken`` written without ``=``, a session cookie, conda's channel token."""

from __future__ import annotations

import re

from .values import _REFERENCE, REDACTED, Replacement

#: Composer's ``auth.json`` sections whose every key is a host and every value its token
#: (``"gitlab-token": {"gitlab.example.com": "…"}``; ``bearer``, the OAuth ones); a host's
#: value that is an object (``{"username": …, "token": …}``) is left to its names.
_COMPOSER_SECTION = re.compile(
    r'("(?:github-oauth|gitlab-oauth|gitlab-token|forgejo-token|bearer)"\s*:\s*\{)([^{}]*?)(?=\}|\Z)'
)
#: A host's name and its token inside such a section: a host has a dot (OpenAPI's ``"bearer":
#: {"type": "http", "scheme": "bearer"}`` has none).
_HOST_TOKEN = re.compile(r'("[\w-]+(?:\.[\w-]+)+"\s*:\s*")([^"\s]{6,})(?=")')


def _composer_tokens(match: re.Match[str]) -> str:
    def token(host: re.Match[str]) -> str:
        return host.group(0) if _REFERENCE.fullmatch(host.group(2)) else host.group(1) + REDACTED

    return match.group(1) + _HOST_TOKEN.sub(token, match.group(2))


def _reference_or_secret(match: re.Match[str]) -> str:
    """The secret (the last group) replaced, unless it names a variable (``${NPM_TOKEN}``)."""
    secret = match.group(match.re.groups)
    return match.group(0) if _REFERENCE.fullmatch(secret) else match.group(1) + REDACTED


TOOL_CREDENTIAL_PATTERNS: tuple[tuple[re.Pattern[str], Replacement], ...] = (
    (_COMPOSER_SECTION, _composer_tokens),
    # Yarn 2+'s ``npmAuthIdent: "user:password"`` (base64 of it too): the name says no secret.
    (re.compile(r"""((?i:npmAuthIdent)["']?[ \t]*:[ \t]*(["']?)[^\s"':]+:)([^\s"']{4,})(?=\2)"""), _reference_or_secret),
    # Yarn 1's ``.yarnrc``: ``"//host/:_authToken" "…"``, a space where ``.npmrc`` has ``=``.
    # (A registry's URL is short: from each ``//`` of a long line, the search ran to its end.)
    (re.compile(r"""(["']?//[^\s"'/]{1,253}(?:/[^\s"'/]{0,253}){0,8}?/:_authToken["']?[ \t]+(["']?))([^\s"']{6,})(?=\2)"""), _reference_or_secret),
    # A session cookie (a login: whoever sends it is the user), copied from a browser into a
    # ``Cookie:`` or ``Set-Cookie:`` header, curl's ``-b``, a test's cookies: ``sessionid``,
    # ``PHPSESSID``, ``JSESSIONID``, ``connect.sid``, ``_session_id``, ``remember_token``. A value
    # with a digit (not a variable's name) of 12 characters at least, in a header's first 256
    # characters (from each ``-b`` of a long line the search ran to its end: quadratic).
    (
        re.compile(
            r"""(?i)((?:\bcookies?\b|(?<!\S)(?:-b|--cookie))[^\r\n]{0,256}?[\s;"'{,:(]["']?"""
            r"""(?:[\w.-]*sess(?:ion)?(?:[_.-]?id)?|[\w.]*sid|[\w.-]*remember[\w.-]*|[\w.-]*auth[\w.-]*)["']?[ \t]*[=:][ \t]*["']?)"""
            r"""((?=[^\s;,"'&]*\d)[A-Za-z0-9%._~+/-]{12,}={0,2})"""
        ),
        _reference_or_secret,
    ),
    # conda's token in a channel's URL (``https://conda.anaconda.org/t/<token>/channel``). The
    # host is matched once and "conda" looked for in it (``[\w.-]*conda[\w.-]*`` tried every
    # split of a long word holding "conda" often: 33 s on a 100 kB line).
    (re.compile(r"(://(?=[\w.-]*?conda)[\w.-]+(?::\d+)?/t/)([\w-]{8,})(?=/)"), _reference_or_secret),
)
