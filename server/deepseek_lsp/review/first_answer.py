"""A review run's requests go one at a time until the endpoint has taken one: a rejected key
(401), an empty balance (402) or a wrong model name (400) is every request's answer for the run,
and each file reviewed at once (``--jobs``), and each batch of a large file, sent its request to
meet it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..model.errors import DeadlineExceeded, ModelError, NotConnected
from ..model.types import ChatRequest, StreamResult

if TYPE_CHECKING:  # the module is the review command's; the client is made there
    from ..model import ModelClient


class NotSent(ModelError):
    """A request held back, then not sent: the run's first met ``refused``, which it would
    have met too."""

    disables_feature = True

    def __init__(self, refused: ModelError) -> None:
        super().__init__(
            refused.message, method=refused.method, url=refused.url, status=refused.status
        )
        self.refused = refused

    @property
    def user_message(self) -> str:
        return self.refused.user_message

    @property
    def cli_message(self) -> str:
        return self.refused.cli_message


class NoFirstAnswer(DeadlineExceeded):
    """The run's first request had no status within its whole time limit: the server takes
    connections and answers none (a proxy in the way, a model server stuck). Each file after
    it waited out its own limit to fail the same way (40 files at 120 s, ``--jobs`` 4: 22
    minutes), so it stops the run, as a server never reached does."""

    disables_feature = True

    def __init__(self, late: DeadlineExceeded, limit_s: float, model: str = "") -> None:
        super().__init__(late.message, method=late.method, url=late.url, status=late.status)
        if isinstance(late, NotConnected):
            late.limited(limit_s, "review.timeoutS")
        self.late = late
        self.limit_s = limit_s
        self.model = model

    @property
    def cli_message(self) -> str:
        if isinstance(self.late, NotConnected):  # no server took it: none was loading a model
            return self.late.user_message
        limit = round(self.limit_s, 1)
        said = (
            f"{self.provider} did not answer the run's first request within {limit:g} s "
            "(review.timeoutS), not even with a status: "
        )
        if self.provider == "DeepSeek":
            return said + "run the review again later, or raise review.timeoutS in --settings."
        # A server loading the model answers nothing until it is loaded, and Ollama gives the
        # load up when its request is cancelled: run again, the next run's limit ended it too.
        model = self.model or "MODEL"
        return said + (
            "a model server still loading the model says nothing until it is loaded (Ollama "
            "stops a load its request gave up: a run again starts it anew). Load it before the "
            f"review (Ollama: ollama run {model} \"\"), or raise review.timeoutS in --settings."
        )


class FirstAnswerFirst:
    """``client``'s ``chat_with_retry``, one request at a time until ``client.answered`` (the
    first answer's status, not its whole answer: the files after it wait that long only), or
    until one ends in an error ``stops`` does not say every request would meet. Once one is
    refused by an error ``stops`` says every request would meet, or had no status within its
    time limit (:class:`NoFirstAnswer`), those that waited raise :class:`NotSent`."""

    def __init__(self, client: ModelClient, stops: Callable[[ModelError], bool]) -> None:
        self._client = client
        self._stops = stops
        self._turn = asyncio.Lock()
        self._refused: ModelError | None = None
        #: A request held its turn and ended without a refusal of the run's: each file went
        #: alone after it, a server that never answers taking each file's time limit in turn.
        self._open = False

    @property
    def client(self) -> ModelClient:
        """The client the requests go out on."""
        return self._client

    @property
    def refused(self) -> ModelError | None:
        """The refusal that stopped the run (the request that met it raised it itself)."""
        return self._refused

    async def chat_with_retry(
        self, req: ChatRequest, deadline: float, max_retries: int = 2, **options: Any
    ) -> StreamResult:
        client = self._client
        if self._open or client.answered.is_set():
            return await client.chat_with_retry(req, deadline, max_retries, **options)
        loop = asyncio.get_running_loop()
        queued = loop.time()
        await self._turn.acquire()
        holding = [True]

        def release() -> None:
            if holding[0]:
                holding[0] = False
                self._turn.release()

        watch = asyncio.ensure_future(client.answered.wait())
        watch.add_done_callback(lambda done: None if done.cancelled() else release())
        if self._open:
            release()
        try:
            if self._refused is not None:
                raise NotSent(self._refused)
            # The wait for the turn is not taken from the request's own time.
            deadline += loop.time() - queued
            sent = loop.time()
            try:
                return await client.chat_with_retry(req, deadline, max_retries, **options)
            except DeadlineExceeded as exc:
                if client.answered.is_set():  # a status came: the answer was only slow
                    self._open = True
                    raise
                self._refused = NoFirstAnswer(exc, deadline - sent, req.model)
                raise self._refused from exc
            except ModelError as exc:
                if self._stops(exc):
                    self._refused = exc
                else:
                    self._open = True
                raise
            except Exception:
                self._open = True
                raise
        finally:
            watch.cancel()
            release()
