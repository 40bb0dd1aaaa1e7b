"""A back-off for a backend that cannot be reached (nothing listening, a reset, no DNS answer, a
connect that times out): each key typed opened a connection that failed, 17 for a 16-key line,
and a connect timeout held a socket per key. While it lasts, automatic requests are not sent;
a request the user asks for always is (Copilot and Tabby alike), and any answer ends it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

from .endpoint import origin
from .errors import ConnectError, ModelError

#: The first wait after a failed connect, doubled at each failure after it up to LONGEST_S: a
#: server being restarted is asked again within a second, one down for good about four times a
#: minute, and the first key after it is back waits LONGEST_S at most.
FIRST_S = 1.0
LONGEST_S = 16.0


def unreachable(error: BaseException) -> bool:
    """Whether ``error`` says the backend was not reached at all (not a refusal, not a slow answer)."""
    return isinstance(error, ModelError) and error.unreachable


@dataclass
class Backoff:
    """When the next automatic request may try a backend that could not be reached."""

    clock: Callable[[], float] = time.monotonic
    #: Failed connects in a row.
    failures: int = 0
    until: float = 0.0
    #: When (``clock``) the last connect failed.
    failed_at: float = 0.0
    #: What the last failure said (the status shown meanwhile).
    message: str = ""

    def failed(self, message: str) -> float:
        """A connect failed; how long automatic requests now wait."""
        wait = min(LONGEST_S, FIRST_S * 2**self.failures)
        self.failures += 1
        self.failed_at = self.clock()
        self.until = self.failed_at + wait
        self.message = message
        return wait

    def waiting(self) -> str:
        """The last failure's message while the back-off lasts, else ''."""
        return self.message if self.failures and self.clock() < self.until else ""

    @property
    def down(self) -> bool:
        """The last request met an unreachable backend (whether or not its wait is over)."""
        return self.failures > 0

    def reached(self) -> None:
        """The backend answered (whatever it said): no wait for the next request."""
        self.failures, self.until, self.message = 0, 0.0, ""


class UnreachedServers:
    """The servers whose last request could not reach them, each by origin: completions and
    reviews on two servers (``fimBaseUrl``'s, ``baseUrl``'s), the FIM server's refused connect
    stopped a save's requests to a review server that answered."""

    def __init__(self) -> None:
        #: origin -> (the last error met there, when the requests began to meet it).
        self._met: dict[tuple[str, str, int | None], tuple[ModelError, float]] = {}
        #: origin -> when a request there was last answered (time.monotonic).
        self._answered: dict[tuple[str, str, int | None], float] = {}
        #: origin -> the connects there in a row that waited out their whole timeout.
        self._timeouts: dict[tuple[str, str, int | None], int] = {}
        #: origin -> those waiting for it to answer again (see :meth:`answer_after`).
        self._waiting: dict[tuple[str, str, int | None], list[asyncio.Future[None]]] = {}

    def met(self, url: str, error: ModelError, at: float) -> None:
        """A request to ``url`` could not reach its server at ``at`` (time.monotonic)."""
        key = origin(url)
        since = self._met[key][1] if key in self._met else at
        self._met[key] = (error, since)
        # A refusal in between is an answer of the host's: the timeouts in a row start again.
        timed_out = isinstance(error, ConnectError) and error.timed_out
        self._timeouts[key] = self._timeouts.get(key, 0) + 1 if timed_out else 0

    def answered(self, url: str) -> None:
        """``url``'s server answered (whatever it said)."""
        key = origin(url)
        self._met.pop(key, None)
        self._timeouts.pop(key, None)
        self._answered[key] = time.monotonic()
        for waiter in self._waiting.pop(key, ()):
            if not waiter.done():
                waiter.set_result(None)

    async def answer_after(self, url: str, at: float) -> None:
        """Returns once ``url``'s server has answered a request (whatever it said) after ``at``
        (time.monotonic): a failure not recorded as the server's unreached (a reset) must not
        end the wait at once, each retry meeting it again."""
        key = origin(url)
        if self.answered_since(url, at):
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        # Those given up (their reviews closed, the settings changed) go, not piling up.
        self._waiting[key] = [w for w in self._waiting.get(key, ()) if not w.done()] + [waiter]
        await waiter

    def answered_since(self, url: str, at: float) -> bool:
        """Whether ``url``'s server answered a request after ``at`` (time.monotonic)."""
        return self._answered.get(origin(url), -1.0) > at

    def at(self, url: str) -> tuple[ModelError, float] | None:
        """The last error a request to ``url``'s server met and since when, None if answered."""
        return self._met.get(origin(url))

    def timeouts(self, url: str) -> int:
        """The connects to ``url``'s server in a row, with no answer since, that waited out
        their whole timeout (a model list's, a request's): see retry.MAX_CONNECT_TIMEOUTS."""
        return self._timeouts.get(origin(url), 0)
