"""Secrets by their shape in what the server says, not only in what it sends: its log, an
error's text shown to the user (a provider's message, a transport error's), the review CLI's
output. Only the configured keys, ``sk-`` keys and bearer tokens were scrubbed there: a token a
proxy echoed in its error went to the status and the pop-up as written."""

from __future__ import annotations

from .redaction import redact
from .triggers import has_trigger


def redact_message(text: str) -> str:
    """``text`` with every secret the prompts' redaction knows replaced. A message holding none
    of its trigger strings (most log lines) costs that one search."""
    if "PRIVATE KEY" in text or has_trigger(text):
        return redact(text)
    return text
