"""Answers a request can be given without asking the backend: typing through a suggestion
shown, or joining the answer in flight (or prefetched) that what was typed since agrees with."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace

from ..config import CompletionSettings
from .cache import CompletionCache, Pending, typed_through
from .docstring_opener import whole_docstring
from .fetching import Fetcher
from .health import BackendHealth
from .postprocess import postprocess, within_closed_calls
from .request import Request, Suggestion


class HeldAnswers:
    """Typing-through and in-flight reuse, which need no context at all."""

    def __init__(
        self, cache: CompletionCache, fetching: Fetcher, health: BackendHealth, seq: dict[tuple[str, str], int]
    ) -> None:
        self.cache = cache
        self.fetching = fetching
        self.health = health
        #: The newest request's number per (document, method), the feature's.
        self._seq = seq

    async def serve(
        self,
        req: Request,
        seq: int,
        slot: tuple[str, str],
        c: CompletionSettings,
        tail: str,
        finish: Callable[[list[str]], list[Suggestion]],
    ) -> list[Suggestion] | None:
        """Typing-through and in-flight reuse, which need no context at all. They hold one
        choice, so an explicit request (the user cycling through choices) asks for several."""
        if not c.cache or req.inserted or req.invoked:
            return None
        doc = req.doc
        uri = doc.uri
        held = self.cache.through(uri, doc.data, req.offset, method=req.method)
        if held is not None:
            rest, typed_into = held
            self._agreed(uri, typed_into)
            self.fetching.prefetch_soon(req, seq, rest, tail)
            return finish([rest])
        reuse = self.cache.in_flight(uri, doc.data, req.offset, req.multiline, method=req.method)
        if reuse is None:
            return None
        pending, skip = reuse
        # Asked of the request's own registry: a prefetch cut by time has left its own once
        # served (CompletionCache.in_flight), and was counted as a request joined.
        path = "inflight" if pending is self.cache.pending.get(uri) else "prefetch"
        # What was typed as the document has it: ``skip`` counts it in the stream, whose
        # line breaks may be LF where the document's (and the choices') are CRLF.
        typed = req.data[pending.anchor.prefix_len : req.offset]
        pending.waiters += 1
        try:
            # A block still streaming shows its complete lines at once: after an accept,
            # the next line is worth more now than the whole block half a second later.
            lines = await pending.complete_lines(skip) if pending.post is not None else None
            if lines is not None:
                early = self._early_lines(pending, typed, lines)
                if early is not None:
                    pending.waiters -= 1
                    pending.shown = True  # it streams on for the next accept to take
                    if self._seq.get(slot) != seq:
                        return []
                    self.cache.hits[path] += 1
                    self._agreed(uri, skip > 0)
                    return finish([early])
            choices = await asyncio.shield(pending.future)
        except asyncio.CancelledError:
            pending.waiters -= 1
            # Its own request was cancelled before, so nothing else closes the stream: it
            # ran to its end, every token billed, with nobody waiting. (A prefetch's is left
            # alone there: the user leaving its way stops it.)
            self.fetching.cancel_later(uri, pending)
            raise
        if self._seq.get(slot) != seq:
            return []
        if pending.failed and path == "prefetch":
            # A prefetch's failure is told to nobody: the request after the accept showed
            # nothing (counted as a prefetch hit) where asking itself, it gets an answer or
            # says what is wrong. Not while a failure paused completions.
            return [] if self.health.paused.now() else None
        # What was typed agreed with the raw stream; the choices are post-processed (a
        # leading line break and indent dropped, say), so only those that still begin
        # with it can be cut there (cutting the others gave "n x * 2" for "return x * 2").
        streamed = pending.text.encode("utf-8", "surrogatepass")
        rests = []
        for choice in choices:
            data = choice.encode("utf-8", "surrogatepass")
            through = typed_through(data, typed)
            if through is not None and data[through:].strip():
                rests.append(data[through:].decode("utf-8", "ignore"))
        if not rests and choices and skip and pending.post is not None:
            # The filters reshaped the start the user typed: the rest of the raw answer,
            # filtered where the cursor is now, is still the model's answer for here.
            ctx = pending.post.get()
            now = replace(ctx, prefix=ctx.prefix + typed.decode("utf-8", "ignore"))
            rest = postprocess(streamed[skip:].decode("utf-8", "ignore"), now)
            # None: the filters keep nothing of it (only line breaks were left after what
            # was typed); stripped, it failed the request.
            rests = [rest] if rest is not None and rest.strip() else []
        if not rests and skip:
            return None  # nothing of it fits what was typed: ask for this state itself
        self.cache.hits[path] += 1
        if rests:
            self._agreed(uri, skip > 0)
            self.fetching.prefetch_soon(req, seq, rests[0], tail)
        return finish(rests)

    def _agreed(self, uri: str, typed_into: bool) -> None:
        """An answer served: of use if the user typed into it. Shown again where it was asked
        (the cursor back at its place, a menu's request joining the inline one's at the same
        key) it is not, and that ended the debounce's backoff: with a completion menu beside
        the inline suggestions, each key's second request did."""
        if typed_into:
            self.health.debouncer.agreed(uri)

    @staticmethod
    def _early_lines(pending: Pending, typed: bytes, lines: str) -> str | None:
        """Post-processed complete lines of a block still streaming, past what was typed; None
        when the filters keep nothing of them or change what was typed."""
        text = (typed + lines.encode("utf-8", "surrogatepass")).decode("utf-8", "ignore")
        ctx = pending.post.get()
        kept = postprocess(text, ctx)
        if not kept:
            return None
        kept_bytes = kept.encode("utf-8", "surrogatepass")
        if not kept_bytes.startswith(typed):
            return None
        # The stream may stop at the next line (the time limit): what is on screen closes the
        # calls it opens, as a block cut there does; those the typed lines opened are the user's.
        now = replace(ctx, prefix=ctx.prefix + typed.decode("utf-8", "ignore"))
        rest = within_closed_calls(kept_bytes[len(typed) :].decode("utf-8", "ignore"), now)
        if pending.docstring is not None and rest.strip():
            # A docstring opened: its lines so far closed as the answer will be (shown open,
            # an accept left the rest of the file in the string until the stream ended).
            quote, before = pending.docstring
            typed_text = typed.decode("utf-8", "ignore")
            whole = whole_docstring(typed_text + rest, quote, before)
            if whole is not None and whole.startswith(typed_text):
                rest = whole[len(typed_text) :]
        return rest if rest.strip() else None
