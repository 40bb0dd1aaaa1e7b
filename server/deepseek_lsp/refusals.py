"""Whether a refusal of a completion's or a review's request is every request's (the settings':
a gateway's 403, a 400 or 422 naming nothing of the request's own) or one file's (a content rule
in words not known here, a gateway's firewall reading that file's code), and so what it pauses:
one rule for both features, each keeping its own (a review's refusal says nothing of the
completion model's access)."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Literal

from .model.errors import ModelError, refuses_every_request

#: What a refusal pauses: nothing (the next key asks again), its file's completions, or all.
Scope = Literal["", "file", "all"]

#: Words holding a digit (a request id, a time, a count): two refusals differing only there are
#: the same refusal.
_VARYING = re.compile(r"\w*\d\w*")


def _told(error: ModelError) -> tuple[int | None, str]:
    return error.status, _VARYING.sub("#", error.provider_message or "")


@dataclass
class _Refusal:
    told: tuple[int | None, str]
    uri: str
    #: When (time.monotonic) it came.
    at: float


@dataclass
class RefusedAlike:
    """A refusal every request with the settings may meet (``refuses_every_request``) pauses
    the file whose request met it: before any request with the settings was answered, at once;
    after one, at the second in a row there with no answer between. Completions in every file
    pause once the same refusal (its status and words) came for two files' requests: one file's
    refused content cost every file's completions for a minute, as did two different refusals
    in a row. Each was sent again at every key (a review at every save)."""

    #: A request with the settings of the time was answered.
    answered: bool = False
    #: The first refusal since the last answer (or the settings' change).
    first: _Refusal | None = None
    #: Files whose completions are paused, until when (time.monotonic).
    files: dict[str, float] = field(default_factory=dict)
    #: ``first`` paused every file's: met again (the request trying again), it does so again.
    everywhere: bool = False

    def settings_changed(self) -> None:
        self.answered, self.first, self.everywhere = False, None, False
        self.files.clear()

    def answer(self, uri: str = "") -> None:
        """A request (for ``uri``, where known) was answered."""
        # A file's pause stays: another file's answer says nothing of its content; its own
        # (a review asked for, the file mended) lifts it.
        self.answered, self.first, self.everywhere = True, None, False
        self.files.pop(uri, None)

    def file_paused(self, uri: str) -> bool:
        until = self.files.get(uri)
        if until is None:
            return False
        if time.monotonic() < until:
            return True
        del self.files[uri]  # one request tries again
        return False

    def pauses(self, error: ModelError, uri: str, pause_s: float) -> Scope:
        """What ``error``, met by a request for ``uri`` ('': not known, nothing), pauses; a
        file's pause (``pause_s`` long) is kept here."""
        if not uri or error.disables_feature or not refuses_every_request(error):
            return ""
        told, came = _told(error), error.came_at if error.came_at is not None else time.monotonic()
        first = self.first
        if first is None or first.told != told:
            self.first, self.everywhere = _Refusal(told, uri, came), False
            scope: Scope = "" if self.answered else "file"
        elif error.sent_at is not None and error.sent_at < first.at:
            return ""  # requests in flight together (a prefetch and the next key's) met one refusal
        else:
            scope = "all" if self.everywhere or uri != first.uri else "file"
            self.everywhere = scope == "all"
        if scope == "file":
            self.files[uri] = time.monotonic() + pause_s
        return scope
