"""Package managers' credentials in their own files, which the default ``exclude`` does not name
(an ``auth.json`` is as often a locale's strings): Composer's tokens under a host's name, Yarn's
``npmAuthIdent`` and Yarn 1's ``_authToken`` written without ``=``, conda's channel token."""

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
    (re.compile(r"""(["']?//\S+?:_authToken["']?[ \t]+(["']?))([^\s"']{6,})(?=\2)"""), _reference_or_secret),
    # conda's token in a channel's URL (``https://conda.anaconda.org/t/<token>/channel``).
    (re.compile(r"(://[\w.-]*conda[\w.-]*(?::\d+)?/t/)([\w-]{8,})(?=/)"), _reference_or_secret),
)
