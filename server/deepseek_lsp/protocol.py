"""pygls' protocol with what this server changes in it: documents kept once, the protocol's
answers before initialize and after shutdown, no futures left behind, stdin read by the event loop."""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
import uuid
from collections.abc import Callable, Generator
from concurrent.futures import Future
from typing import Any

from cattrs import Converter
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.protocol import JsonRPCProtocol, LanguageServerProtocol, default_converter, lsp_method

from .inspection import DEBUG_STATE_REQUEST, DOCUMENT_STATE_REQUEST
from .startup import EditorActivity

log = logging.getLogger(__name__)

#: How many ids of requests let go unanswered are known, for their late answers.
_DROPPED_KEPT = 256
#: An answer to one of the server's requests that did not fit it, its waiter already told.
_ANSWER_TOLD = object()
#: Requests no user makes (tests and bug reports asking what the server holds): the start's
#: work put off until the editor is quiet does not wait for them to stop.
_UNSEEN_BY_USERS = frozenset({DEBUG_STATE_REQUEST, DOCUMENT_STATE_REQUEST})


@functools.cache
def converter() -> Converter:
    """pygls' converter, one a process: cattrs writes a message type's hooks the first time a
    converter meets it, and pygls makes a converter for each server. Shared, the servers a
    process runs after the first (the in-process tests', those forked from the tests' zygote,
    which makes them all before forking) find them made."""
    return default_converter()


def _forward_only(method: str) -> Callable[[Any, Any], Generator[Any, Any, None]]:
    """A built-in handler for ``method`` that passes its params on to the user handler and keeps
    nothing itself (pygls' own ones store the documents in its workspace: see Protocol)."""

    @lsp_method(method)
    def forward(self: LanguageServerProtocol, params: Any) -> Generator[Any, Any, None]:
        if (handler := self.fm.features.get(method)) is not None:
            yield handler, (params,), None

    return forward


class Protocol(LanguageServerProtocol):
    """Keeps pygls from holding a second copy of every document.

    pygls re-splits a document's whole text on every change; our :class:`DocumentStore` does the
    same work incrementally, so the built-in sync handlers only forward to the user handlers.
    """

    _initialize_seen = False
    #: ``exit`` was received: pygls closes stdout right after its handler.
    exited = False
    #: An initialize was answered with a result: another one is refused. (Not ``_initialize_seen``:
    #: one refused for its params, a required ``capabilities`` left out, may be sent again.)
    initialized_once = False
    #: The server is on its way out (SIGTERM, the editor gone): what the editor sends is dropped.
    halted = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: The ids of the requests let go unanswered (send_request), the newest kept.
        self._dropped: dict[Any, None] = {}
        self.activity = EditorActivity()

    def structure_message(self, data: dict[str, Any]) -> Any:
        """Answer a request whose params don't fit its method with an error, not silence.

        pygls logs such a message and drops it, so the editor would wait for an answer forever.
        """
        if "jsonrpc" not in data:
            # An object inside a message (json.loads reads them innermost first), as pygls
            # leaves it: a command's argument ``{"id": []}`` was read as an answer to one of
            # ours, its unhashable id raised, and the request holding it went unanswered.
            return data
        if "method" in data and "params" not in data and self.get_message_type(data["method"]) is None:
            # JSON-RPC lets ``params`` be left out; pygls' untyped message (our own requests, a
            # method it does not know) required it: an unknown notification popped "Error in
            # server: Internal Error" up in the editor, and an unknown request was answered
            # InternalError rather than MethodNotFound.
            data = {**data, "params": None}
        if (
            "id" in data
            and "method" not in data
            and "error" not in data
            and data.get("result") is None
            and isinstance(data["id"], int | str)
            and self._result_types.get(data["id"]) is types.ConfigurationResponse
        ):
            # A whole null for workspace/configuration (a plugin's handler returning nothing):
            # the editor has no settings for the server, as a list of nulls says. Unread, it
            # popped pygls' "Invalid Params" up and read as settings that could not be read.
            data = {**data, "result": [None]}
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            if "jsonrpc" in data and "id" in data and "method" in data:
                self._send_response(
                    data["id"], error=types.ResponseError(code=exc.code, message=f"{exc.message}: {data['method']}")
                )
            elif "id" in data and "method" not in data:
                # An answer to one of our requests that does not fit it (a null for
                # workspace/configuration): pygls dropped it and its waiter waited for good, a
                # settings pull taken for an editor that never answers.
                self._handle_response(data["id"], error=types.ResponseError(code=exc.code, message=exc.message))
                # Its waiter told, and the log: raised, pygls popped "Error in server: Invalid
                # Params" up, which no user can act on (the editor's answer is the editor's).
                log.warning("an answer from the editor that does not fit its request (id %r)", data["id"])
                return _ANSWER_TOLD
            raise

    def handle_message(self, message: Any) -> None:
        """pygls' dispatch, without its ``isinstance`` checks against runtime-checkable
        Protocols (one or two per message, ~0.05 ms each on Python 3.11: a tenth of the time a
        request spends outside its handler). Requests and notifications, what editors send,
        are told apart by their fields; anything else goes the pygls way."""
        if self.halted or message is _ANSWER_TOLD:
            return
        method = getattr(message, "method", None)
        if not self._initialize_seen and method is not None:
            if method == types.INITIALIZE:
                self._initialize_seen = True
            elif method != types.EXIT:
                # The protocol: before initialize, requests get -32002 and notifications are
                # dropped. They used to run with neither the client's capabilities (its
                # position encoding) nor its settings (exclusion globs included).
                if hasattr(message, "id"):
                    self._send_response(
                        message.id,
                        error=types.ResponseError(
                            code=types.ErrorCodes.ServerNotInitialized,
                            message=f"the server is not initialized yet: {method}",
                        ),
                    )
                return
        elif method == types.INITIALIZE and self.initialized_once and hasattr(message, "id"):
            # The protocol: initialize is sent once. A second one ran the handler again: every
            # log line reached the editor twice from then on, and the position encoding of the
            # open documents changed under them.
            self._send_response(
                message.id,
                error=types.ResponseError(
                    code=types.ErrorCodes.InvalidRequest, message="the server is already initialized"
                ),
            )
            return
        if self._shutdown and method not in (None, types.EXIT) and hasattr(message, "id"):
            # The protocol's answer to a request after shutdown; pygls logged and dropped it,
            # and the editor waited for good.
            self._send_response(
                message.id,
                error=types.ResponseError(
                    code=types.ErrorCodes.InvalidRequest, message=f"the server is shutting down: {method}"
                ),
            )
            return
        if (
            method is None
            or getattr(message, "jsonrpc", None) != JsonRPCProtocol.VERSION
            or (self._shutdown and method != types.EXIT)
        ):
            super().handle_message(message)  # responses, and what pygls logs and drops
            return
        ctx = contextvars.copy_context()
        if method not in _UNSEEN_BY_USERS:
            self.activity.received(getattr(message, "id", None))
        if hasattr(message, "id"):
            log.debug("Request %r received", method)
            ctx.run(self._handle_request, message.id, method, message.params)
        else:
            log.debug("Notification %r received", method)
            ctx.run(self._handle_notification, method, message.params)

    def _send_data(self, data: Any) -> None:
        if self.exited:
            # The answers of the requests cancelled on the way out of an ``exit`` without a
            # ``shutdown``: stdout is closed. Each failed write was logged with a traceback and
            # reported to the editor by writing again, recursively (seconds, megabytes).
            log.debug("not sent after exit: %.80s", data)
            return
        super()._send_data(data)

    def _send_response(self, msg_id: Any, result: Any = None, error: Any = None) -> None:
        super()._send_response(msg_id, result, error)
        self.activity.answered(msg_id)
        # The answer is written: a collection the request's allocations made due runs now.
        self._server.collector.answered()

    def send_request(
        self, method: str, params: Any = None, callback: Any = None, msg_id: Any = None
    ) -> Future[Any]:
        """pygls' request, whose future is let go once we stop waiting for it.

        A wait given up (the initializer's `;` edit after 2 s, a configuration pull past its
        time limit) cancels the future, which pygls kept until an answer came: a client that
        never answers left one per accepted initializer for the rest of the session."""
        sent = str(uuid.uuid4()) if msg_id is None else msg_id  # pygls' own default
        future = super().send_request(method, params, callback, sent)
        future.add_done_callback(lambda f: f.cancelled() and self._given_up(sent))
        return future

    def _given_up(self, msg_id: Any) -> None:
        # Not at once: pygls' shutdown cancels the futures while iterating over that dict.
        try:
            asyncio.get_running_loop().call_soon(self._drop_request, msg_id)
        except RuntimeError:
            self._drop_request(msg_id)

    def _drop_request(self, msg_id: Any) -> None:
        if self._request_futures.pop(msg_id, None) is not None:
            self._result_types.pop(msg_id, None)
            self._dropped[msg_id] = None
            if len(self._dropped) > _DROPPED_KEPT:
                del self._dropped[next(iter(self._dropped))]

    def _handle_response(self, msg_id: Any, result: Any = None, error: Any = None) -> None:
        """An answer to one of our requests; one we stopped waiting for is dropped.

        A wait given up (a configuration pull past its time limit, a review cancelled while its
        progress token was being created) cancels the request's future, which pygls keeps: its
        late answer then failed in ``set_result`` and the editor popped up "Error in server:
        CANCELLED: <Future ...>" (tests/test_lifecycle_in_flight.py). Once let go (send_request)
        its late answer is known by its id, not warned of as an unknown one.
        """
        future = self._request_futures.get(msg_id)
        if (future is not None and future.done()) or (future is None and msg_id in self._dropped):
            self._request_futures.pop(msg_id, None)
            self._dropped.pop(msg_id, None)
            log.debug("answer to request %s, no longer awaited", msg_id)
            return
        super()._handle_response(msg_id, result, error)

    def _handle_cancel_notification(self, msg_id: Any) -> None:
        """A cancel of a request answered already is the editor's normal race, not a problem:
        VS Code cancels the previous inline completion at each key, often as its answer goes
        out. pygls warned of each ("Cancel notification for unknown message id") on stderr,
        which VS Code files as an error: one line every ~50 keystrokes (a soak: 158 in 8,000
        keys), all day long."""
        if msg_id not in self._request_futures:
            # Not only "answered": an id never received (a client's bug, or the id sent back as
            # a string, "7" for 7, which matches no request) ends here too; its repr tells.
            log.debug("cancel of request %r: none under way (answered, or never received)", msg_id)
            return
        super()._handle_cancel_notification(msg_id)

    def _check_handler_result(self, future: Any) -> None:
        """pygls' check of a notification's outcome; then forget the notification's future.

        pygls files the future of every notification handled by a coroutine or a generator (our
        didOpen/didChange/didClose below) in ``_request_futures`` under a random id, and nothing
        ever removes it: one Future with its lock, ~1 kB per keystroke, kept for good
        (tests/bench/soak.py found ~25 MB after 20,000 keystrokes; tests/test_reliability_leaks.py
        keeps it fixed). Requests are unaffected: their futures are removed when answered.
        """
        try:
            super()._check_handler_result(future)
        finally:
            # Not at once: this callback also runs inside pygls' shutdown, which cancels the
            # futures while iterating over that very dict.
            try:
                asyncio.get_running_loop().call_soon(self._forget_future, future)
            except RuntimeError:
                self._forget_future(future)

    def _forget_future(self, future: Any) -> None:
        futures = self._request_futures
        for key in [k for k, v in futures.items() if v is future]:
            del futures[key]

    lsp_text_document__did_open = _forward_only(types.TEXT_DOCUMENT_DID_OPEN)
    lsp_text_document__did_change = _forward_only(types.TEXT_DOCUMENT_DID_CHANGE)
    lsp_text_document__did_close = _forward_only(types.TEXT_DOCUMENT_DID_CLOSE)
    lsp_notebook_document__did_open = _forward_only(types.NOTEBOOK_DOCUMENT_DID_OPEN)
    lsp_notebook_document__did_change = _forward_only(types.NOTEBOOK_DOCUMENT_DID_CHANGE)
    lsp_notebook_document__did_close = _forward_only(types.NOTEBOOK_DOCUMENT_DID_CLOSE)


class _PipeReader:
    """pygls' reader interface over an asyncio stream; end of input reads as ``b""``."""

    def __init__(self, stream: asyncio.StreamReader) -> None:
        self._stream = stream

    async def readline(self) -> bytes:
        try:
            return await self._stream.readline()
        except ValueError:  # a "line" over the limit: garbage, dropped like pygls drops it
            return b"?\r\n"

    async def readexactly(self, n: int) -> bytes:
        try:
            return await self._stream.readexactly(n)
        except asyncio.IncompleteReadError:
            return b""
