"""Vendors' keys known by a prefix of their own, found bare (passed to a call, in a list, on a
line alone) with no name next to them saying secret. One table gives their patterns, the
strings that make a line worth running them over, and the prefixes a key typed in pieces is
known by at the cursor. Shapes as the gitleaks and detect-secrets rule sets give them."""

from __future__ import annotations

import re

from .values import REDACTED

#: (prefix, what follows it). The prefix is matched as written (case matters), the whole key
#: bounded by characters no key holds on either side. The AI providers' keys may grow longer:
#: their lengths are a least.
VENDOR_KEYS: tuple[tuple[str, str], ...] = (
    ("gsk_", r"[A-Za-z0-9]{52,}"),  # Groq
    ("xai-", r"[A-Za-z0-9_]{80,}"),  # xAI
    ("r8_", r"[A-Za-z0-9]{37}"),  # Replicate (gitleaks allows _ and -; the tokens issued hold neither)
    ("pplx-", r"[A-Za-z0-9]{48,}"),  # Perplexity
    ("nvapi-", r"[A-Za-z0-9_-]{64,}"),  # NVIDIA (build.nvidia.com, NGC)
    ("lsv2_", r"(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}"),  # LangSmith
    ("ntn_", r"[0-9]{11}[A-Za-z0-9]{35}"),  # Notion
    ("lin_api_", r"[A-Za-z0-9]{40}"),  # Linear
    ("PMAK-", r"[a-f0-9]{24}-[a-f0-9]{34}"),  # Postman
    ("pscale_", r"(?:tkn|pw|oauth)_[A-Za-z0-9_=.-]{32,64}"),  # PlanetScale
    ("rubygems_", r"[a-f0-9]{48}"),  # RubyGems
    ("sntryu_", r"[a-f0-9]{64}"),  # Sentry user token
    ("sntrys_", r"eyJ[A-Za-z0-9_=+/-]{50,}"),  # Sentry organization token
    ("glsa_", r"[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}"),  # Grafana service account
    ("pul-", r"[a-f0-9]{40}"),  # Pulumi
    ("dp.", r"(?:ct|pt|st|sa|scim|audit)\.(?:[a-z0-9_-]{2,35}\.)?[A-Za-z0-9]{40,44}"),  # Doppler (a service token: its config first)
    ("sbp_", r"[a-f0-9]{40}"),  # Supabase
    ("dd", r"[pw]_[A-Za-z0-9]{36}"),  # Deno Deploy (ddp_, ddw_)
    ("bkua_", r"[a-f0-9]{40}"),  # Buildkite
    ("xkeysib-", r"[a-f0-9]{64}-[A-Za-z0-9]{16}"),  # Brevo (Sendinblue)
    ("dckr_pat_", r"[A-Za-z0-9_-]{27}"),  # Docker Hub
    ("HRKU-", r"AA[A-Za-z0-9_-]{58}"),  # Heroku
)

#: What comes before a key's prefix or after its end where it is one: no word character, no
#: ``-`` (``my-gsk_...`` is a name), no ``.`` before it (an attribute).
_BEFORE = r"(?<![\w.-])"
_AFTER = r"(?![\w-])"

#: The patterns, the prefix first (re skips to it; see tokens._SENDGRID).
VENDOR_KEY_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(rf"{re.escape(prefix)}(?<={_BEFORE}{re.escape(prefix)}){body}{_AFTER}"), REDACTED)
    for prefix, body in VENDOR_KEYS
)

#: Their prefixes lower-cased, for the triggers (``dd`` and ``dp.`` are in too much code, a
#: ``udp.`` in every line of a network's: Deno's ``ddp_``, ``ddw_``, Doppler's by a pattern).
VENDOR_TRIGGERS: tuple[str, ...] = (
    *(prefix.lower() for prefix, _ in VENDOR_KEYS if prefix not in ("dd", "dp.")),
    *("ddp_", "ddw_"),
)
DOPPLER_TRIGGER = re.compile(r"dp\.(?:ct|pt|st|sa|scim|audit)\.")

#: A Discord bot token: the bot's id in base64 (its digits: ``M``, ``N`` or ``O`` first, a digit
#: among the next characters), a timestamp, an HMAC. No prefix; lower-cased, its dots are the trigger.
DISCORD_TOKEN = (
    re.compile(r"(?<![\w.-])[MNO](?=[A-Za-z\d_-]{0,24}\d)[A-Za-z\d_-]{23,25}\.[A-Za-z\d_-]{6}\.[A-Za-z\d_-]{27,38}(?![\w-])"),
    REDACTED,
)
DISCORD_TRIGGER = re.compile(r"\.[a-z0-9_-]{6}\.[a-z0-9_-]{27}")

#: A Telegram bot's token: its id, ``:``, then 35 characters starting ``AA``.
TELEGRAM_TOKEN = (re.compile(r"(?<![\w:])(\d{8,10}:)AA[A-Za-z0-9_-]{33}(?![\w-])"), r"\1" + REDACTED)
#: Lower-cased, as the triggers look: a bare ``:aa`` is in every hex dump (a certificate's
#: modulus, a MAC address), each then run through every pattern.
TELEGRAM_TRIGGER = re.compile(r":aa(?<=\d:aa)[a-z0-9_-]{33}")  # the literal first: re skips to it

#: The keys typed in pieces known at the cursor by their prefix (see redaction._TYPED_KEY): the
#: prefix, then what follows it in the key, a digit among it. Not ``dp.`` and ``dd``: a name
#: (``dp.layer1``) is typed after them. What follows is the key's own characters where one class
#: gives them (xAI's no ``-``, Replicate's letters and digits: ``xai-grok-3``, ``r8_uniform_01``
#: are names); where the key has parts, letters and digits, or any of a word's where a ``_`` or a
#: ``-`` is among them (``glsa_``'s before its last eight).
_ONE_CLASS = re.compile(r"(\[[^\]]*\])\{\d+,?\d*\}")
#: A ``_`` or a ``-`` in what follows (not a range's ``A-Z``): in a class, or between two.
_WORD_BODY = re.compile(r"_|-\]|\\-|\}-")


def _typed(prefix: str, body: str) -> str:
    one = _ONE_CLASS.fullmatch(body)
    chars = one.group(1) if one else r"[\w-]" if _WORD_BODY.search(body) else "[A-Za-z0-9]"
    return rf"{re.escape(prefix)}(?={chars}*\d){chars}{{4,}}"


TYPED_VENDOR_KEYS = "|".join(_typed(prefix, body) for prefix, body in VENDOR_KEYS if prefix not in ("dp.", "dd"))
