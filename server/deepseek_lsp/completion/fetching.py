"""The backend calls of completion requests: the one in flight per document, which a newer
request may join, and the prefetches of what comes after accepting a suggestion.

Each fetch runs in its own task so that a newer keystroke can reuse it; a request that loses the
race (a newer one for the same document, or ``$/cancelRequest``) closes the stream after a grace
period unless a newer request is waiting on it.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from ..config import EXTRA_CHOICE_TEMPERATURES
from ..documents import Document, Edit
from ..features import Services
from ..model import prompt_read
from ..model.errors import DeadlineExceeded, ModelError
from ..model.types import FimRequest, Usage
from ..prompts import FimPrompt
from .block_rest import MORE_ASKED, ended_at_a_sentence, rest_tokens, stopped_inside
from .cache import HEAD, Anchor, CompletionCache, Pending
from .comment_lines import comment_end
from .docstring_opener import docstring_end
from .events import Stats
from .health import BackendHealth
from .line_tail import line_parts
from .postprocess import (
    LaterContext,
    PostContext,
    answered_as_chat,
    chat_fence_readable,
    dedupe_choices,
    opens_as_chat,
    postprocess,
    says_only_prose,
    within_closed_calls,
    without_cut_line,
)
from .prompting import PromptBuilder
from .request import Request, choices_wanted

log = logging.getLogger(__name__)

CANCEL_GRACE_S = 0.05
#: How long a stream the editor hung up on waits for the file's next request to come and join
#: it, at most: VS Code sends it after its own debounce (50 ms after the key, as long as the
#: grace was), later where the editor or the host is slow. Its arrival ends the wait.
NEXT_REQUEST_WAIT_S = 0.5
#: The ledger's name for the prefetches' requests.
PREFETCH_FEATURE = "prefetch"

T = TypeVar("T")


@contextlib.contextmanager
def _counted(counts: Counter[str], key: str) -> Iterator[None]:
    """``key`` counted once more in ``counts`` for the block's time (gone from it at 0)."""
    counts[key] += 1
    try:
        yield
    finally:
        counts[key] -= 1
        if not counts[key]:
            del counts[key]


async def _result_or_error(aw: Awaitable[T]) -> T | Exception:
    """``await aw``, its exception returned rather than raised (as ``gather`` with
    ``return_exceptions``); a cancel still raises."""
    try:
        return await aw
    except Exception as exc:
        return exc


#: Where a block's text so far ends all it needs, None: not yet (see Fetcher._stream_one).
_Ended = Callable[[str], int | None]


@dataclass(frozen=True)
class _Rest:
    """How the rest of a block cut at its tokens is asked for (see Fetcher._rest_of)."""

    #: The prompt asking for it from the block's whole lines so far (None: the block is done).
    prompt: Callable[[str], FimPrompt | None]
    #: Where the block's text ends (a comment's closer or last line, a docstring's closer),
    #: None where it cannot be told as it streams (a macro's body): the stream is left there.
    ended: _Ended | None


class _CutAtLimit(str):
    """A block's complete lines when a limit (its tokens, the time) cut it."""

    __slots__ = ()


class _CutByTime(_CutAtLimit):
    """A block's lines so far when the time limit came (see :meth:`Fetcher._stream_one`): what
    a slow moment let through, not the answer, which a later request may get whole."""

    __slots__ = ()


class _RestUnanswered(_CutByTime):
    """A block's lines so far when asking for its rest failed (the server overloaded, the time
    limit): shown, as a block cut by time is, and as it not kept as the answer."""

    __slots__ = ()


def _after(head: str, ended: _Ended | None) -> _Ended | None:
    """``ended`` for the rest of a block whose lines so far are ``head``: a comment's rest is
    left where the comment ends, read with the lines before it (its first line is no longer
    the answer's)."""
    if ended is None:
        return None

    def rest_ended(text: str) -> int | None:
        end = ended(head + text)
        return None if end is None else max(0, end - len(head))

    return rest_ended


def _as_answer(text: str, ctx: PostContext) -> str | None:
    """``text`` post-processed; a block cut at a limit first down to where its calls are closed."""
    if isinstance(text, _CutAtLimit):
        text = within_closed_calls(text, ctx)
    return postprocess(text, ctx)


def edit_ends(edits: Sequence[Edit]) -> list[int]:
    """Where each of a didChange's changes ends in the text they all make (each is in the text
    the ones before it left), the last change's first."""
    ends: list[int] = []
    for e in edits:
        grown = e.new_end_byte - e.old_end_byte
        ends = [end + grown if end >= e.old_end_byte else e.new_end_byte if end > e.start_byte else end for end in ends]
        ends.append(e.new_end_byte)
    return ends[::-1]


class Fetcher:
    """The running backend calls of a completion feature, by document."""

    def __init__(
        self,
        services: Services,
        cache: CompletionCache,
        stats: Stats,
        health: BackendHealth,
        prompts: PromptBuilder,
        seq: dict[tuple[str, str], int],
        spawn: Callable[[Coroutine[Any, Any, Any]], asyncio.Task[Any]],
    ) -> None:
        self.services = services
        self.cache = cache
        self.stats = stats
        self.health = health
        self.prompts = prompts
        #: The newest request's number per (document, method), the feature's: a prefetch is
        #: only started for the newest.
        self._seq = seq
        self._spawn = spawn
        #: Running prefetches per document, with what each will answer.
        self.prefetch_tasks: dict[str, dict[asyncio.Task[Any], Pending]] = {}
        #: The document the user was last seen in (an edit, a request, the cursor there): a
        #: prefetch is for it only (see :meth:`user_in`).
        self.active_uri: str | None = None
        self.fetches: dict[str, asyncio.Task[None]] = {}
        #: Per document, the requests under way (from their arrival to their answer), those of
        #: them waiting out their debounce, and the stream hung up on meanwhile that is kept for
        #: them to join (see :meth:`cancel_later`).
        self.under_way: Counter[str] = Counter()
        self.debounce_waits: Counter[str] = Counter()
        self._kept_for_debounce: dict[str, Pending] = {}
        #: Set when the next request (of any document) arrives (see :meth:`cancel_later`).
        self._next_request: asyncio.Event | None = None
        #: The (completion server, model) pairs seen answering a single-line request as a chat
        #: turn (see :meth:`_answers_as_chat`).
        self._chat_turns: set[tuple[str, str]] = set()

    def _server_and_model(self) -> tuple[str, str]:
        client = self.services.models.client
        return (client.config.fim_base if client is not None else "", self.services.settings.completion.model)

    def _answers_as_chat(self) -> bool:
        """Whether this server answers this model's completion requests as chat turns (Ollama
        puts a ``fim-template`` prompt into an instruct model's chat template), as seen once
        (:func:`opens_as_chat`): a single line is then asked for so from the start."""
        return self._server_and_model() in self._chat_turns

    def forget_chat_turns(self) -> None:
        """The endpoint, backend, template or model changed: the server's way of answering is
        seen again (moved from ``fim-template`` to ``openai-suffix``, which Ollama answers as
        FIM, every line went on being asked without its line-break stop, for twice the tokens)."""
        self._chat_turns.clear()

    def cancel_all(self) -> None:
        for uri in list(self.fetches):
            self.cancel(uri, typing=False)
        for tasks in self.prefetch_tasks.values():
            for task in tasks:
                task.cancel()

    def cancel_prefetches(self, uri: str) -> None:
        for task in self.prefetch_tasks.pop(uri, ()):
            task.cancel()

    def user_in(self, uri: str) -> None:
        """The user is in ``uri`` (an edit, a request, the cursor there): the prefetches of
        other documents are for a state whose answer is no longer served, billed for nothing,
        and an answer coming for another (asked before the user left it) starts none."""
        self.active_uri = uri
        for other, tasks in self.prefetch_tasks.items():
            if other != uri:
                for task in tasks:
                    task.cancel()

    def fim_request(
        self,
        fim: FimPrompt,
        multiline: bool,
        temperature: float | None = None,
        *,
        marker: str | None = None,
        chat_turn: bool = False,
    ) -> FimRequest:
        """``chat_turn``: the server answers this model's completion requests as chat turns
        (see :meth:`_answers_as_chat`): a single line is asked with no line-break stop, which
        ended the answer at its fence, and room for the fences and a sentence around it."""
        c = self.services.settings.completion
        stop = ["\n\n\n"] if multiline else [] if chat_turn else ["\n"]
        if marker and multiline:
            # Cells are one blank line apart: "\n\n\n" never ends a block at a cell's end, and
            # the model went on writing the next cell, billed and thrown away (end_of_cell).
            stop.append("\n" + marker)
        single = c.single_line_max_tokens * (2 if chat_turn else 1)
        return FimRequest(
            prompt=fim.prompt,
            suffix=fim.suffix,
            max_tokens=c.multi_line_max_tokens if multiline else single,
            stop=stop,
            temperature=c.temperature if temperature is None else temperature,
            model=c.model,
            feature="completion",
            estimated_prompt_tokens=fim.prompt_tokens + fim.suffix_tokens,
        )

    def start(
        self,
        uri: str,
        anchor: Anchor,
        fim: FimPrompt,
        post: LaterContext,
        req: Request,
        key: str,
        kept: list[str] | None = None,
    ) -> Pending:
        """Ask the backend for the request's choices; ``kept``: the exact cache's answer at the
        settings' own temperature, so only the other choices are asked for."""
        # An explicit request hanging up on the automatic one is the user asking, not the model
        # mispredicting: counted, Alt+\ pressed while a suggestion was on its way lengthened
        # the wait while typing.
        self.cancel(uri, typing=not req.invoked)
        pending = Pending(
            anchor=anchor,
            multiline=req.multiline,
            post=post if req.multiline else None,
            served_to={req.method},
            asked=req.data,
            read_end=max(fim.window_end, req.offset + HEAD),
        )
        if req.docstring is not None:
            pending.docstring = (req.docstring, line_parts(req.doc, req.offset)[0])
        self.cache.pending[uri] = pending
        n = choices_wanted(self.services.settings.completion, req.invoked)
        ended = functools.partial(comment_end, marker=req.comment_marker) if req.comment_marker else None
        rest = self._rest_of(req, fim, post, ended)
        fetch = self._fetch(uri, pending, fim, post, req.multiline, n, key, kept, rest, ended)
        task = asyncio.ensure_future(fetch)
        self.fetches[uri] = task
        task.add_done_callback(lambda t: self.fetches.pop(uri, None) if self.fetches.get(uri) is t else None)
        task.add_done_callback(lambda _: self._settle(pending, self.cache.pending, uri))
        return pending

    @staticmethod
    def _settle(pending: Pending, registry: dict[str, Pending], uri: str) -> None:
        """Once a fetch's task is over: its waiters get an empty answer if it gave none, and it
        is no longer joinable. A task cancelled before its first step (a second request in the
        same turn of the loop cancels the first one's fetch) runs none of its own ``except`` or
        ``finally`` blocks: the first request then waited for good (found by tests/test_fuzz_lsp.py)."""
        if not pending.future.done():
            pending.failed = True
            pending.future.set_result([])
        if registry.get(uri) is pending:
            del registry[uri]

    def cancel(self, uri: str, *, typing: bool = True) -> None:
        """``typing``: hung up on as the user typed on (a newer request, the client's cancel),
        which tells the debouncer the model predicts nothing typed; a file closed or a setting
        changed tells it nothing."""
        task = self.fetches.pop(uri, None)
        if task is not None and not task.done():
            self.stats.backend_cancelled += 1
            if typing:
                self.health.debouncer.cancelled(uri)
            task.cancel()

    def cancel_later(self, uri: str, pending: Pending) -> None:
        """After ``$/cancelRequest``: close the stream unless a newer request waits on it. Only
        the file's own request's: a prefetch a request joined is stopped where the user leaves
        its way (:meth:`drop_unreachable_prefetches`), and kept in the own stream's place it left
        that one with nothing to close it (an explicit menu request beside the inline one that
        joined the prefetch streamed on to its end, billed, once the user stopped)."""
        if self.cache.pending.get(uri) is not pending:
            return

        async def later() -> None:
            if not self.under_way[uri]:
                # Until the next request arrives, not for a fixed grace: VS Code sends it 50 ms
                # after the key that cancelled this one (its own debounce), as long as the grace
                # was, and it found the stream closed whenever the editor or the host was a
                # little slow, and asked the model again for what was streaming (a paid
                # request, and its wait). Another file's request ends the wait too: the user left.
                if self._next_request is None:
                    self._next_request = asyncio.Event()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._next_request.wait(), NEXT_REQUEST_WAIT_S)
            # Kept while a newer request for the document waits out its debounce: its first
            # tokens, come meanwhile, may agree with what was typed, and that request (or the
            # next key's) joins it. Closed at the wait's end, before the first token could tell,
            # a file's first key typed on at 3+ keys a second had each next key ask anew, and
            # nothing was shown for the whole line (the replay's calendar:491, 28 keys). A
            # request that goes on to ask the backend cancels it (``start``). Kept as well while
            # one is on its way to look for an answer to join: come within the grace but slower
            # to get there (its file's neighbours being indexed, a loaded machine), it asked the
            # model again for what was streaming.
            if self.under_way[uri]:
                self._kept_for_debounce[uri] = pending
                if not pending.kept:
                    pending.kept = True
                    pending.future.add_done_callback(lambda _: self._unused_if_unjoined(uri, pending))
            else:
                self._close_if_idle(uri, pending)

        self._spawn(later())

    def streaming(self, uri: str) -> Pending | None:
        """The answer still streaming for the document's own request (not a prefetch), if any."""
        pending = self.cache.pending.get(uri)
        task = self.fetches.get(uri)
        if pending is None or task is None or task.done() or pending.future.done():
            return None
        return pending

    def request_edited(self, doc: Document, cursors: Sequence[int], joinable: bool) -> None:
        """``doc`` edited by the user, the cursor taken to be where one of its changes ended
        (:func:`edit_ends`; a didChange may carry several: multiple cursors, an editor's
        batched keys): the answer
        streaming for its request is closed once no request can use it. The request that asked
        it shows nothing for a text moved on (``Request.stale``), and where the editor sends no
        ``$/cancelRequest`` (Helix, Emacs, Sublime LSP, Kate) it streamed on to its end, billed.

        Kept, as Copilot keeps a request in flight that typing agrees with: typing through what
        it streamed (the next key's request joins it), and an edit past all the prompt read (a
        reload or a formatter changing only the file's end), what was typed through before it
        kept too (:attr:`Pending.typed`): the answer is the one the same place
        asks for now, and the request asked again there joins it (``joinable``: its anchor was
        not moved before this edit, which moved it only for not knowing how far it read).
        Anything else is another question: text before its place changed (an import added above,
        its line deleted, the whole text formatted), or a key or a paste at it other than what
        streamed. Closed at once; after the grace where the file's requests wait out their
        debounce (its next key's, come within it, may still join it where the cursor is not
        where the edit ended), unless one joined it meanwhile."""
        uri = doc.uri
        pending = self.streaming(uri)
        if pending is None:
            return
        if pending.read_unchanged(doc.data):
            if joinable:
                pending.anchor.unmoved(len(doc.data), len(pending.typed))
            return
        # Each change judged, not the last one's end taken for the cursor: a key typed through
        # at its place with a line added past the prompt (another cursor's, in the document's
        # order as Helix sends them) closed it, and the edit below left it moved, unjoinable
        # (CompletionCache.edited), in any order. The rest the prompt read must be as asked.
        moved, pending.anchor.moved = pending.anchor.moved, pending.anchor.moved and not joinable
        for cursor in cursors:
            typed = pending.typed_at(doc.data, cursor)
            if typed is not None and pending.read_unchanged(doc.data, typed):
                pending.typed = typed
                if joinable:
                    pending.anchor.unmoved(len(doc.data), len(typed))
                return
        pending.anchor.moved = moved
        # Typed at its place, it tells the model's guess went elsewhere; an edit before, nothing.
        typing = pending.before_unchanged(doc.data)
        if not self.debounce_waits[uri]:
            self.cancel(uri, typing=typing)
            return
        joined = pending.waiters

        async def later() -> None:
            await asyncio.sleep(CANCEL_GRACE_S)
            if pending.waiters <= joined and self.streaming(uri) is pending:
                self.cancel(uri, typing=typing)

        self._spawn(later())

    def drop_kept_astray(self, uri: str, data: bytes, offset: int) -> None:
        """Close the stream kept for the debounce (``cancel_later``) once what it streamed shows
        it goes elsewhere than what was typed since it was asked: kept on, a block the model got
        wrong streamed to its end, billed, while the user typed on."""
        pending = self._kept_for_debounce.get(uri)
        if pending is not None and pending.astray(data, offset):
            self._close_if_idle(uri, pending)

    def _unused_if_unjoined(self, uri: str, pending: Pending) -> None:
        """A stream kept for the debounce ran to its end with no request joining it: unused as
        one hung up on is (the debounce's back-off, debounce.py), which a model mispredicting
        a file's text would no longer have met."""
        if pending.waiters <= 0 and not pending.shown and not pending.failed:
            self.health.debouncer.cancelled(uri)

    def _close_if_idle(self, uri: str, pending: Pending) -> None:
        idle = pending.waiters <= 0 and not pending.shown
        if idle and not pending.future.done() and self.cache.pending.get(uri) is pending:
            self.cancel(uri)

    async def debounce_wait(self, uri: str, deadline: float) -> bool:
        """Wait until ``deadline`` (the loop's time; True), or until the file's answer in flight
        has more text or has ended (False)."""
        loop = asyncio.get_running_loop()
        pending = self.cache.pending.get(uri)
        if pending is None or pending.future.done():
            await asyncio.sleep(max(0.0, deadline - loop.time()))
            return True
        await pending.grown(max(0.0, deadline - loop.time()))
        return loop.time() >= deadline

    @contextlib.contextmanager
    def asking(self, uri: str) -> Iterator[None]:
        """A request for ``uri`` under way, which may join an answer in flight: a stream hung
        up on meanwhile is closed once no such request is left, unless one joined it -- once
        the next request has come, as the key that cancelled the last one brings a request of
        its own (:meth:`cancel_later`)."""
        if self._next_request is not None:
            self._next_request.set()
            self._next_request = None
        try:
            with _counted(self.under_way, uri):
                yield
        finally:  # its answer, or its cancel (the next key's)
            if not self.under_way[uri] and (kept := self._kept_for_debounce.pop(uri, None)) is not None:
                self.cancel_later(uri, kept)

    def debouncing(self, uri: str) -> contextlib.AbstractContextManager[None]:
        """A request for ``uri`` (under way: :meth:`asking`) waiting out its debounce."""
        return _counted(self.debounce_waits, uri)

    async def _stream_one(
        self,
        fim_req: FimRequest,
        pending: Pending | None,
        single_line: bool,
        on_sent: Callable[[], None] | None = None,
        *,
        raw_cut: bool = False,
        ended: _Ended | None = None,
    ) -> str:
        """One backend answer; in single-line mode it returns once the first line is complete.
        ``raw_cut``: a block cut at its tokens comes as it was streamed, for its rest to be asked
        (see :meth:`_stream_whole`). ``ended``: where the text so far ends all the answer
        needs (a comment's lines: comment_lines.comment_end), answered at once then."""
        models = self.services.models
        asked_at = asyncio.get_running_loop().time()
        deadline = asked_at + self.services.settings.completion.timeout_s
        # While the server loads the model (see ModelClient.load) the answer comes once it is
        # loaded: an error at the usual deadline would only say what the status already does.
        deadline, loading = await models.client.load_deadline(deadline)
        refused = await models.client.load_refusal(fim_req.model, deadline, waits=loading)
        if refused is not None:
            raise refused
        self.stats.backend_requests += 1
        started = time.monotonic()
        parts: list[str] = []
        # A chat model's first line may be a fence or a sentence: its whole (short) answer is
        # read, and post-processing takes the code line out of it (so is a chat turn's, asked
        # with no line-break stop: see fim_request).
        early = single_line and self.services.settings.backend != "chat" and "\n" in fim_req.stop
        epoch = self.health.epoch
        try:
            async with models.client.stream_fim(fim_req, deadline=deadline, on_sent=on_sent) as stream:
                async for delta in stream:
                    parts.append(delta)
                    if pending is not None:
                        pending.add(delta)
                    if early:
                        text = "".join(parts)
                        if "\n" in text.lstrip("\n"):
                            break  # the first line is complete: answer now, stop paying for more
                    elif ended is not None and "\n" in delta and (end := ended(text := "".join(parts))) is not None:
                        # The comment asked for is written: its lines now, not the code after
                        # them to the block's tokens (seconds, billed and cut).
                        parts = [text[:end]]
                        break
        except asyncio.CancelledError:
            if not parts and not loading:
                self.health.cancelled_unanswered(time.monotonic() - started, epoch)
            raise
        except DeadlineExceeded as exc:
            text = "".join(parts)
            if single_line or "\n" not in text.strip("\n"):
                # While the model loads the limit is the load's, which no setting sets.
                exc.limited(deadline - asked_at, None if loading else "completion.timeoutS")
                raise
            # A slow server (a model on the CPU) still writing a block at the time limit: its
            # lines so far are a block cut at a limit, as at the token limit. Nothing was shown,
            # and "did not answer in time" was said at every request.
            lines = text.count("\n")
            log.info("a block still streaming at the time limit: its %d lines so far are used", lines)
            self._answered(stream.result.ttft_s, started, loading)
            return _CutByTime(self._cut(text, pending))
        # How long the backend takes to start answering, not to finish: a block (a prefetch,
        # 256 tokens) streams for a second or more, which as the latency took the debounce to
        # its floor after every prefetch and made the status flip to "answering slowly".
        self._answered(stream.result.ttft_s, started, loading)
        self._learn_reading(fim_req, stream.result.usage)
        text = "".join(parts)
        if stream.result is not None and stream.result.filtered:
            return ""
        if not single_line and stream.result is not None and stream.result.finish_reason == "length":
            return _CutAtLimit(text) if raw_cut else self._cut(text, pending)
        return text

    def _rest_of(self, req: Request, fim: FimPrompt, post: LaterContext, ended: _Ended | None) -> _Rest | None:
        """For a block request, what prompt asks for the rest of a block its answer's token
        limit cut (``lines``, its whole lines so far), None once it stopped outside the block
        asked for (block_rest.py): the prompt sent with the lines appended, fitted again where
        that goes past the budget (as a prefetch's)."""
        if not req.multiline:
            return None

        def rest(lines: str) -> FimPrompt | None:
            if not stopped_inside(lines, req.docstring, post.get(), req.comment_marker):
                return None
            head = lines + "\n"
            tokens = self.services.models.counter.count(head)
            budget = self.services.models.prompt_budget(self.services.settings.completion)
            if fim.prompt_tokens + tokens + fim.suffix_tokens > budget:
                # Refitted from the document, which the user has typed in since: what they typed
                # at the cursor was sent after the rest's start, as if it followed it.
                return None if req.stale else self.prompts.prompt(req, head)
            return replace(fim, prompt=fim.prompt + head, prompt_tokens=fim.prompt_tokens + tokens)

        if ended is None and req.docstring is not None:
            ended = functools.partial(docstring_end, quote=req.docstring)
        return _Rest(rest, ended)

    async def _stream_whole(
        self,
        fim_req: FimRequest,
        pending: Pending | None,
        single_line: bool,
        on_sent: Callable[[], None] | None,
        rest: _Rest | None,
        ended: _Ended | None = None,
    ) -> str:
        """One answer, its rest asked for while its token limit cut it inside the block asked
        for (see :meth:`_rest_of`), from its whole lines, up to MORE_ASKED times; then cut as
        any block is (:meth:`_cut`). Where the stream can be left at the block's end, each rest
        is asked with twice the tokens of the ask before (block_rest.rest_tokens)."""
        if rest is None or single_line:
            return await self._stream_one(fim_req, pending, single_line, on_sent, ended=ended)
        text = await self._stream_one(fim_req, pending, single_line, on_sent, raw_cut=True, ended=ended)
        for asked in range(MORE_ASKED + 1):
            if type(text) is not _CutAtLimit:
                return text
            # Every line it ended, none taken off as waiting for more (a macro's backslash).
            lines = text.rpartition("\n")[0]
            prompt = rest.prompt(lines) if lines.strip() else None
            if prompt is None:
                break
            if asked == MORE_ASKED:
                # Still inside past all its asks: its whole lines (the text's, a macro's continued
                # ones), where the usual cut took the continued ones off to its first line; a
                # comment's or a docstring's (its end told as it streams) to a sentence's end.
                if rest.ended is not None:
                    lines = ended_at_a_sentence(lines)
                if pending is not None:
                    pending.streamed[:] = [lines]
                return _CutAtLimit(lines)
            log.info("a block cut at its tokens inside a docstring or a macro: its rest asked for")
            head = lines + "\n"
            if pending is not None:
                pending.streamed[:] = [head]
            fim_req = replace(
                fim_req,
                prompt=prompt.prompt,
                suffix=prompt.suffix,
                estimated_prompt_tokens=prompt.prompt_tokens + prompt.suffix_tokens,
                max_tokens=rest_tokens(fim_req.max_tokens, rest.ended is not None),
            )
            try:
                more = await self._stream_one(
                    fim_req, pending, single_line, None, raw_cut=True, ended=_after(head, rest.ended)
                )
            except ModelError as exc:
                # The lines already answered are the suggestion: the user waited for them, and
                # a 503 on the rest threw them away with nothing shown. A pause the server
                # asks for is heard, as from a prefetch.
                log.info("the rest of a block not answered (%s): its lines so far are used", exc)
                if exc.retry_after or exc.disables_feature:
                    self.health.failed(exc)
                if pending is not None:
                    pending.streamed[:] = [lines]
                return _RestUnanswered(lines)
            text = type(more)(head + more) if isinstance(more, _CutAtLimit) else head + more
        return self._cut(text, pending) if type(text) is _CutAtLimit else text

    def _learn_reading(self, fim_req: FimRequest, usage: Usage | None) -> None:
        """What the server read of the prompt it answered, learnt off the answer's way (see
        model.prompt_read): Ollama cutting its start, SGLang leaving the suffix out."""
        client = self.services.models.client
        if client is None:
            return
        prompt_read.note(client, fim_req, usage)
        if not prompt_read.to_learn(client, fim_req, usage):
            return

        async def run() -> None:
            c = self.services.settings.completion
            told = await prompt_read.learn(client, fim_req, usage, c.max_prompt_tokens, c.multi_line_max_tokens)
            if told:
                log.warning("%s", told)
                self.services.status.tell_once(f"prompt-read:{fim_req.model}", told, 3)

        self._spawn(run())

    def _answered(self, ttft: float | None, started: float, loading: bool) -> None:
        # A wait for the load says nothing of how fast the server answers.
        first_token = time.monotonic() - started if ttft is None else ttft
        self.health.answered(None if loading else first_token)

    @staticmethod
    def _cut(text: str, pending: Pending | None) -> _CutAtLimit:
        """A block cut at a limit down to its complete lines, and the stream a typing-through
        request reads the same: its rest, read raw, was the half line the limit cut."""
        kept = without_cut_line(text)
        if pending is not None:
            pending.streamed[:] = [kept]
        return _CutAtLimit(kept)

    async def _fetch(
        self,
        uri: str,
        pending: Pending,
        fim: FimPrompt,
        post: LaterContext,
        multiline: bool,
        n: int,
        key: str,
        kept: list[str] | None,
        rest: _Rest | None = None,
        ended: _Ended | None = None,
    ) -> None:
        def sent() -> None:
            asyncio.get_running_loop().call_soon(post.get)

        try:
            doc = self.services.documents.get(uri)
            marker = self.prompts.cell_marker(doc) if doc is not None else None
            chat_turn = not multiline and self._answers_as_chat()

            def asked(chat_turn: bool) -> list[FimRequest]:
                temperatures = [None] if kept is None else []
                temperatures += EXTRA_CHOICE_TEMPERATURES[: n - 1]
                return [
                    self.fim_request(fim, multiline, t, marker=marker, chat_turn=chat_turn)
                    for t in temperatures
                ]

            # The stream a keystroke may join is the one at the settings' temperature: with that
            # answer kept, the others' text is no typing-through of the suggestion shown. Nor
            # a chat turn's, whose text is no continuation of the document.
            joinable = pending if kept is None and not chat_turn else None
            # With the exact cache's answer kept (shown first, whole), no choice asked is shown first.
            texts, all_answered = await self._answers(
                uri, asked(chat_turn), joinable, multiline, sent, rest, ended, first_shown=kept is None
            )
            if not multiline and not chat_turn and self._opened_as_chat(texts, post):
                # Its first line a fence (or a sentence before one): asked again at once, as
                # every later single line to this server and model will be.
                self._chat_turns.add(self._server_and_model())
                pending.streamed.clear()
                texts, all_answered = await self._answers(uri, asked(True), None, multiline, None)
            elif chat_turn and texts and all(says_only_prose(t, post.get()) for t in texts):
                # Sentences with no code: a chat turn still (no FIM answer talks), nothing to
                # show; the next line is asked as a chat turn again.
                texts = ["" for _ in texts]
            elif chat_turn and self._answered_as_fim(texts, post):
                # Code, no fence nor sentence: the fence that made it ask so was a stray one
                # (DeepSeek's FIM closing a block it imagined), not a chat template's; every
                # later line went on without its stop, at twice the tokens, read to the end.
                self._chat_turns.discard(self._server_and_model())
            choices: list[str] = list(kept or [])
            if texts:
                ctx = post.get()
                fresh = [t for t in (_as_answer(x, ctx) for x in texts) if t]
                choices = dedupe_choices(choices + fresh)
            # Not kept as the answer when cut by time: asked again there, the same cut block
            # was shown for the cache's lifetime, though the server would answer it whole.
            whole = not any(isinstance(t, _CutByTime) for t in texts)
            if choices:
                if whole:
                    self.cache.put(key, choices)
                # Every choice, the first one last (the newest is tried first): the user may
                # cycle to another and accept a word of it, and its rest was asked again.
                for choice in reversed(choices):
                    self.cache.remember(uri, pending.anchor, choice, multiline, cut=not whole, served_to=pending.served_to)
            elif all_answered and whole:
                self.cache.put(key, [])  # answered, nothing worth showing: the same question gets the same
            pending.failed = not texts and kept is None
            pending.future.set_result(choices)
        except Exception as exc:  # its waiters get nothing: see _settle, which also unregisters it
            log.warning("completion failed: %r", exc)

    async def _answers(
        self,
        uri: str,
        requests: list[FimRequest],
        joinable: Pending | None,
        multiline: bool,
        sent: Callable[[], None] | None,
        rest: _Rest | None = None,
        ended: _Ended | None = None,
        *,
        first_shown: bool = True,
    ) -> tuple[list[str], bool]:
        """The texts the requests got, and whether every one got one; the errors told
        (:meth:`BackendHealth.failed`). ``first_shown``: the first request's answer is the
        choice shown first (no exact cache's answer kept before it)."""
        # An explicit request's others (cycled to with Alt+]) have their rest asked as the one
        # shown first where the stream is left at the block's end (a comment's, a docstring's):
        # kept to their whole lines, they showed a docstring closed after half its text, a
        # comment ended mid-text. A macro's body, whose rest bills the code after it up to the
        # ask's tokens, is asked for the first only: three choices each asking theirs made up
        # to 12 requests for one Alt+\.
        others_rest = rest if rest is not None and rest.ended is not None else None
        streams = [
            self._stream_whole(
                r,
                joinable if i == 0 else None,
                not multiline,
                sent if i == 0 else None,
                rest if i == 0 and first_shown else others_rest,
                ended,
            )
            for i, r in enumerate(requests)
        ]
        # One stream (every automatic request) is awaited here: gather would run it in a
        # task of its own, two more turns of the loop between the answer and the editor.
        if len(streams) == 1:
            raw = [await _result_or_error(streams[0])]
        else:
            raw = await asyncio.gather(*streams, return_exceptions=True)
        texts = []
        # The choices of one request meet one cause at once: told once (two 404s in one
        # instant are not a 404 met again, see BackendHealth.failed).
        told: set[tuple[str, str | None]] = set()
        for item in raw:
            if isinstance(item, ModelError):
                if (item.kind_told, item.url) not in told:
                    told.add((item.kind_told, item.url))
                    self.health.failed(item, uri)
            elif isinstance(item, BaseException):
                if isinstance(item, asyncio.CancelledError):
                    raise item
                log.warning("completion failed: %r", item)
            else:
                texts.append(item)
        return texts, len(texts) == len(raw)

    def _opened_as_chat(self, texts: list[str], post: LaterContext) -> bool:
        """Whether a single-line answer stopped where a chat turn's answer opens."""
        if not texts or self.services.settings.backend == "chat":
            return False
        return any(opens_as_chat(t, post.get()) for t in texts)

    @staticmethod
    def _answered_as_fim(texts: list[str], post: LaterContext) -> bool:
        """Whether a chat turn's single-line request got code, none of it read as a chat turn's,
        where a chat turn's fence can be told: in a comment, a string or a file of no known
        language, a chat template's answer was taken for code, and the next code line asked
        with its stop again, cut at the fence and asked twice."""
        said = [t for t in texts if t.strip()]
        ctx = post.get()
        if not said or any(answered_as_chat(t, ctx) for t in said):
            return False
        return chat_fence_readable(ctx)

    def prefetch_soon(self, req: Request, seq: int, shown: str, tail: str) -> None:
        """Prefetch after a suggestion served from what we already had (typing-through, a
        pending request, a prefetch), so Tab, Tab, Tab finds every answer ready; once per
        state after the accept, however many keystrokes type through the same suggestion."""
        c = self.services.settings.completion
        if not (c.prefetch and c.cache) or tail or req.inserted:
            return
        doc = req.doc
        after = Anchor.at(doc.data, req.offset, shown.encode("utf-8"))
        if self._prefetched(doc.uri, after):
            return

        async def run() -> None:
            await asyncio.sleep(0)  # the answer goes out first; the prompt is built after
            if self._seq.get(req.slot) != seq or req.stale:
                return
            fim = self.prompts.prompt(req)
            self.prefetch(req, fim, self.prompts.post_context(req, fim), shown)

        self._spawn(run())

    def _prefetched(self, uri: str, anchor: Anchor) -> bool:
        """Whether the state ``anchor`` is being (or was) prefetched already. Not by an answer
        past the cache's lifetime, which is served no more (``in_flight``): back at a suggestion
        asked again once its answers expired, the accept waited for the model."""
        held = self.cache.prefetching.get(uri)
        if held is None or held.anchor != anchor:
            return False
        return not (held.future.done() and self.cache.expired(held.at))

    def prefetch_after_answer(self, req: Request, fim: FimPrompt, ctx: PostContext, shown: str) -> None:
        """:meth:`prefetch`, once the answer that shows ``shown`` is written. Its preparation
        (the suggestion counted, the context copied, the state looked up: ~0.2 ms) ran in the
        handler, before pygls wrote the answer (tests/bench/bench_overhead.py). A turn of the
        loop later, the answer is out; a message read meanwhile (the next key) may have been
        handled: the prefetch goes by the request's text (``Request.data``)."""

        async def run() -> None:
            await asyncio.sleep(0)
            self.prefetch(req, fim, ctx, shown)

        self._spawn(run())

    def prefetch(self, req: Request, fim: FimPrompt, ctx: PostContext, shown: str) -> None:
        """Ask now for what comes after accepting ``shown``, so the next Tab answers from cache."""
        uri = req.doc.uri
        if self.active_uri not in (None, uri):
            return  # the user went on to another file while this one's answer was on its way
        # The request's text, not the document's: a key read before this runs (after the answer,
        # prefetch_after_answer) made it the state after accepting no suggestion ever gets to,
        # and the typed-through request prefetched the same state again.
        anchor = Anchor.at(req.data, req.offset, (req.inserted + shown).encode("utf-8"))
        if self._prefetched(uri, anchor):
            # An explicit request's first choice is the suggestion shown, asked and prefetched
            # before it: that prefetch was sent again.
            return
        # With the suggestion it carries: a prefetch cancelled as the user types on (or
        # answered with no usage) is billed in the ledger by this count, which left out
        # the suggestion's tokens (up to ``multiLineMaxTokens``).
        shown_tokens = self.services.models.counter.count(shown)
        budget = self.services.models.prompt_budget(self.services.settings.completion)
        fits = fim.prompt_tokens + shown_tokens + fim.suffix_tokens <= budget
        # The prompt just sent with the suggestion appended starts as that one did (the
        # provider's cache); when that goes over the budget, the window is fitted again.
        prompt: FimPrompt | None = (
            FimPrompt(
                prompt=fim.prompt + shown,
                suffix=fim.suffix,
                window_start=fim.window_start,
                window_end=fim.window_end,
                prompt_tokens=fim.prompt_tokens + shown_tokens,
                suffix_tokens=fim.suffix_tokens,
            )
            if fits
            else None
        )
        post = replace(ctx, prefix=ctx.prefix + shown, single_line=False)

        # Registered like an in-flight request: the user accepts after a reading delay shorter
        # than the prefetch takes, and the request that follows the accept used to start the
        # very same request again (tests/bench/bench_replay.py saw one duplicate per accept).
        pending = Pending(anchor=anchor, multiline=True, post=LaterContext.of(post))
        self.cache.prefetching[uri] = pending

        async def run() -> None:
            # Let the answer that showed ``shown`` go out first: started from the handler, this
            # task's first step (building and sending a request, ~1 ms) ran before pygls wrote
            # the response (tests/bench/bench_overhead.py).
            await asyncio.sleep(0)
            fitted = prompt if prompt is not None else self._refitted(req, shown)
            if fitted is None:
                self._settle(pending, self.cache.prefetching, uri)
                return
            self.stats.prefetches += 1
            result = ""
            answered = False
            try:
                # In the ledger under its own name: what prefetching costs can be told apart.
                asked = replace(self.fim_request(fitted, True, marker=post.cell_marker), feature=PREFETCH_FEATURE)
                text = await self._stream_one(asked, pending, False)
                result = _as_answer(text, post) or ""
                pending.cut = isinstance(text, _CutByTime)
                answered = True
            except asyncio.CancelledError:
                self.stats.prefetches_stopped += 1
                raise
            except ModelError as exc:
                log.debug("prefetch failed: %s", exc)
                if exc.retry_after or exc.disables_feature:
                    # Heard as from any request (a pause, the status): unheard, the next word
                    # accepted or typed through the suggestion asked again, refused again.
                    self.health.failed(exc)
            finally:
                if not pending.future.done():
                    pending.failed = not answered
                    pending.future.set_result([result] if result else [])
                # A cut block its joiners were given answers their methods no more
                # (Pending.served_to); an error answers nobody.
                if not answered and self.cache.prefetching.get(uri) is pending:
                    del self.cache.prefetching[uri]
            if result:
                self.cache.remember(
                    uri, anchor, result, True, prefetched=True, cut=pending.cut, served_to=pending.served_to
                )

        def settle(_: asyncio.Task[Any]) -> None:
            if not pending.future.done():  # cancelled before its first step
                self._settle(pending, self.cache.prefetching, uri)

        task = self._spawn(run())
        task.add_done_callback(settle)
        running = self.prefetch_tasks.setdefault(uri, {})
        running[task] = pending
        task.add_done_callback(lambda t: running.pop(t, None))

    def _refitted(self, req: Request, shown: str) -> FimPrompt | None:
        """The prefetch's prompt fitted again from the document, at the state accepting
        ``shown`` makes. The document read as it is now: where it moved on since the request
        (a key read as the answer went out), ``shown`` went in before what was typed, a state
        neither shown nor to come (``a = x + 1`` then the typed ``x``). Typed through the
        suggestion, it is fitted past what was typed; moved on otherwise, None: nothing to ask."""
        if not req.stale:
            return self.prompts.prompt(req, shown)
        data, asked = req.doc.data, req.data
        end = req.offset + len(data) - len(asked)
        try:
            typed = data[req.offset : end].decode("utf-8") if end >= req.offset else None
        except UnicodeDecodeError:
            typed = None
        unchanged = data[: req.offset] == asked[: req.offset] and data[end:] == asked[req.offset :]
        if typed is None or not shown.startswith(typed) or not unchanged:
            return None
        rest = shown[len(typed) :]
        # As the request was made (its docstring's autopair quotes left out of the suffix), at the new cursor.
        return self.prompts.prompt(replace(req, offset=end), rest)

    def drop_left_request(self, doc: Document, cursor: int) -> None:
        """Cancel the request streaming for a place of ``doc`` the cursor left with no edit (a
        click, the arrow keys): where the editor sends no ``$/cancelRequest`` for it, it streamed
        on to its end, billed for an answer never shown. Its waiters get no suggestion."""
        pending = self.cache.pending.get(doc.uri)
        if pending is None or pending.future.done() or doc.uri not in self.fetches:
            return
        streamed = pending.text.encode("utf-8", "surrogatepass")
        if not pending.anchor.reachable(doc.data, cursor, streamed):
            self.cancel(doc.uri, typing=False)  # a click says nothing of the model's guess

    def drop_unreachable_prefetches(self, doc: Document, cursor: int) -> None:
        """Cancel prefetches the user has typed away from: their answer would never be shown,
        and each streams on, billed for every token, holding a connection the next request
        then has to open anew."""
        for task, pending in list(self.prefetch_tasks.get(doc.uri, {}).items()):
            if pending.future.done():
                continue
            streamed = pending.text.encode("utf-8", "surrogatepass")
            if not pending.anchor.reachable(doc.data, cursor, streamed):
                task.cancel()
