"""The review engine shared by the editor and the command line.

One call reviews one document snapshot: its units are looked up in the persisted cache by
content hash, only the missing ones are sent (several small ones per request, large files split
across requests), every finding is placed on the exact code it quotes, and complete answers are
cached per unit so an unchanged unit is never paid for twice.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..config import Settings
from ..console import counted
from ..documents import Document
from ..languages import LanguageRegistry
from ..model import prompt_read
from ..model.client import ModelClient
from ..model.errors import (
    BudgetExceeded,
    ConfigError,
    DeadlineExceeded,
    MalformedResponse,
    ModelError,
)
from ..model.tokens import Counter, EstimateCounter
from ..model.types import ChatRequest, StreamResult, Usage
from ..privacy import uri_to_path
from ..workspace_symbols import WorkspaceSymbols
from .answer import RawFinding, parse_answer
from .cache import ReviewCache
from .file_records import FileRecords
from .findings import Finding, Located, place_findings
from .first_answer import FirstAnswerFirst, NotSent
from .fitting import fit_units, prompt_tokens, too_large_text
from .flights import (
    BudgetWait,
    ChatClient,
    Progress,
    ReviewOutcome,
    _Answer,
    _Batch,
    _budget_watch,
    _cut_text,
    _Flight,
    _from_cache,
    _owned,
    _problem_text,
    _take,
    _to_cache,
)
from .imported import MAX_IMPORTED_SIGNATURES, Imported, ImportReader, _used_by
from .keys import _cache_key
from .placing import Placer
from .prepared import prepare
from .prompt import batch_units, build_messages
from .removed import Removal
from .units import FileUnits, Unit, extract_units

log = logging.getLogger(__name__)


class ReviewEngine:
    """Stateless apart from the cache, the requests under way and a per-process import index
    (``imports``); safe to share."""

    def __init__(
        self,
        cache: ReviewCache,
        *,
        max_concurrency: int = 4,
        registry: LanguageRegistry | None = None,
        file_records: bool = False,
    ) -> None:
        self.cache = cache
        #: The editor session's languages, their queries compiled already (a registry of its
        #: own compiled them again, on the event loop, at the first review of a session).
        self.imports = ImportReader(registry)
        #: With ``file_records``, a file's units and keys are recorded by its text, so that a
        #: review of the same text answered whole from the cache needs no parse (see
        #: ``records``). The command line's: it parses every file only for that; an editor has
        #: the trees anyway.
        self.records = FileRecords(cache, self.imports) if file_records else None
        self._limit = asyncio.Semaphore(max(1, max_concurrency))
        self._limit_size = max(1, max_concurrency)
        #: The requests under way, by the cache key of each unit they review.
        self._flights: dict[str, _Flight] = {}
        #: How many requests have ended: one that ended since a review looked in the cache
        #: may have answered units it missed there (see ``_answered_meanwhile``).
        self._ended = 0
        #: The requests :meth:`halt` cancelled, for :meth:`stop` to wait for.
        self._halted: list[asyncio.Task[Any]] = []
        #: Since when the backend cannot be reached, the request whose retries go on then (see
        #: on_send in _review_batch; the others' are not sent), and when it claimed them (a
        #: save after may claim them anew).
        self._retrier: tuple[float, list[bool], float] | None = None

    def set_concurrency(self, n: int) -> None:
        # In-flight requests keep the old semaphore; new ones queue on the new one.
        if max(1, n) != self._limit_size:
            self._limit_size = max(1, n)
            self._limit = asyncio.Semaphore(self._limit_size)

    def cached_findings(
        self,
        doc: Document,
        settings: Settings,
        *,
        ignored: frozenset[str] = frozenset(),
        roots: Sequence[Path] = (),
    ) -> tuple[list[Finding], bool]:
        """Findings of the units already reviewed, without sending anything (``roots`` as
        ``review``'s: the files the document imports are read as it reads them).

        Returns the findings and whether every unit was in the cache.
        """
        findings, missing = self.cached_review(doc, settings, ignored=ignored, roots=roots)
        return findings, missing == []

    def cached_review(
        self,
        doc: Document,
        settings: Settings,
        *,
        ignored: frozenset[str] = frozenset(),
        roots: Sequence[Path] = (),
    ) -> tuple[list[Finding], list[Unit] | None]:
        """``cached_findings``, with the units not in the cache instead of whether there are
        any (None: none is; the file was not even parsed)."""
        if self.cache.is_empty():
            # Nothing reviewed yet (a fresh install, a new cache): no need to parse the file.
            return [], None
        file_units = extract_units(doc)
        lang = doc.language.name if doc.language else None
        imports = self.imports.read(doc, uri_to_path(doc.uri), file_units.units, roots, settings)
        imported = imports.signatures if imports is not None else []
        found: list[Located] = []
        missing: list[Unit] = []
        for unit in file_units.units:
            key, legacy = _cache_key(unit, settings, lang, file_units, imported)
            hit = self.cache.get_or_legacy(key, legacy, settings.review.model)
            if hit is None:
                missing.append(unit)
                continue
            found.extend(_from_cache(hit, unit))
        findings, _ = place_findings(
            Placer(doc),
            found,
            min_confidence=settings.review.min_confidence,
            min_severity=settings.review.min_severity,
            ignored=ignored,
        )
        return findings, missing

    async def review(
        self,
        client: ChatClient,
        doc: Document,
        settings: Settings,
        *,
        path: str | None = None,
        use_cache: bool = True,
        fresh_since: float | None = None,
        lines: Iterable[int] | None = None,
        send_lines: Iterable[int] | None = None,
        ignored: frozenset[str] = frozenset(),
        roots: Sequence[Path] = (),
        symbols: WorkspaceSymbols | None = None,
        on_progress: Progress | None = None,
        share: bool = False,
        on_claimed: Callable[[], None] | None = None,
        switched_off: Callable[[str], bool] | None = None,
        on_budget: BudgetWait | None = None,
        removed: Sequence[Removal] = (),
    ) -> ReviewOutcome:
        """Review ``doc`` (a snapshot: it must not change while this runs).

        ``lines`` limits the review to the units touching those 0-based lines (``--changed``);
        ``send_lines`` sends only those units, the others answered from the cache or left out
        (a save of a file with no grammar: its changed lines, see ``changed_hunks``);
        ``use_cache=False`` re-sends every unit (the results still refresh the cache) but those
        the cache was given an answer for at or after ``fresh_since`` (``time.time()``: a run's
        start, its own answers: a copy of a module in a ``--no-cache`` run was paid twice).
        ``removed``: the lines a change deleted (see ``removed.removals``), shown under the
        units that held them; a unit answered with them answers its code without them too.

        With ``share``, a unit whose request is under way for another review (the same cache
        key: the same code, signatures and settings) is not sent again: this review waits for
        that request's answer. A request goes on while any review waits for it, and is
        cancelled when none does. ``on_claimed`` runs once this review has taken the requests
        it wants, before any of them can end: the moment to cancel a review this one
        replaces, whose requests for unchanged code it has just taken over. ``on_budget`` is
        told while its requests wait for room in the daily budget, and once none does.
        """
        path = path or uri_to_path(doc.uri)
        records = self.records
        if records is not None and use_cache:
            quick = await asyncio.to_thread(
                lambda: records.review(records.key(doc, settings, roots), doc, settings, lines, ignored, roots)
            )
            if quick is not None:
                if on_claimed is not None:
                    on_claimed()
                return quick
        outcome = ReviewOutcome()
        ended = self._ended
        # Off the event loop (see prepared): ``doc`` is this review's own snapshot.
        prepared = await asyncio.to_thread(
            prepare, self.cache, self.imports, doc, path, settings,
            use_cache=use_cache, fresh_since=fresh_since, lines=lines, send_lines=send_lines, removed=removed,
            roots=roots,
        )
        file_units, imports, imported, lang = prepared.file_units, prepared.imports, prepared.imported, prepared.lang
        found, pending = prepared.found, prepared.pending
        outcome.units = prepared.counted
        # Asked in this run, by another file's request: counted as asked, as joining it is.
        outcome.units_asked = len(prepared.shared)
        outcome.shared_unit_ids.update(id(u) for u in prepared.shared)
        placer = Placer(doc)
        if pending:
            outcome.units_asked += len(pending)
            answered: set[int] = set()
            #: Each request this review waits for: its flight, and this review's units in it
            #: (None: the flight is this review's own, of these very units).
            waits: list[tuple[_Flight, list[tuple[Unit, str]] | None]] = []
            claimed: list[_Flight] = []
            tasks: list[asyncio.Future[None]] = []
            watch: Callable[[], None] | None = None
            try:
                # Asked before the flights are looked at: from there to their claim nothing may
                # run (see ``on_claimed``), and a review saved twice meanwhile sent its request
                # twice while the review server was asked what it is.
                room = await _review_room(client, settings)
                meanwhile = self._answered_meanwhile(pending, ended, use_cache, fresh_since) if share else {}
                joined: dict[int, tuple[_Flight, list[tuple[Unit, str]]]] = {}
                to_send: list[tuple[Unit, str]] = []
                for unit, key in pending:
                    # Not caching: the answer under way is as fresh as one asked now.
                    flight = self._flights.get(key) if share else None
                    # Only a request to this client: the review made anew after the user changed
                    # the endpoint or key (a hanging server, a rejected key) joined the old
                    # one's, and hung or failed with it, the new endpoint never asked.
                    if flight is not None and not flight.task.done() and flight.client is client:
                        joined.setdefault(id(flight), (flight, []))[1].append((unit, key))
                    elif key in meanwhile:
                        # Its twin's request ended (and left ``_flights``) after this review
                        # looked in the cache: a copied module's 8 units were sent twice.
                        found.extend(_from_cache(meanwhile[key], unit))
                        answered.add(id(unit))
                        outcome.shared_unit_ids.add(id(unit))
                    else:
                        to_send.append((unit, key))
                waits.extend(joined.values())
                if room is not None and to_send:
                    fitted, too_large = fit_units(
                        doc, path, file_units, [u for u, _ in to_send], room, _counter(client),
                        redact_secrets=settings.redact_secrets,
                    )
                    if too_large:
                        outcome.problems.append(
                            too_large_text(too_large, settings.review.model, room, uri_to_path(doc.uri))
                        )
                        outcome.units_asked -= len(too_large)
                        outcome.too_large = len(too_large)
                else:
                    fitted = batch_units([u for u, _ in to_send])
                if to_send:
                    keys = {id(u): k for u, k in to_send}
                    batches = [_Batch(b, [keys[id(u)] for u in b], room) for b in fitted]
                    # Gathered once for all the requests (the files are read once), then each
                    # request carries those its own units use: every request carried the first
                    # twelve of all, paid for where unused, and a later request lacked the ones
                    # its units call.
                    extra = self.imports.signatures(
                        doc,
                        imports,
                        [u for u, _ in to_send],
                        settings,
                        symbols,
                        limit=MAX_IMPORTED_SIGNATURES * len(batches),
                        switched_off=switched_off,
                    )
                    for batch in batches:
                        flight = self._start(client, doc, path, file_units, batch, settings, extra, placer)
                        waits.append((flight, None))
                # Claimed before anything can run: a review this one replaces lets go of its
                # requests only after this one has taken those it wants (see ``on_claimed``).
                for flight, _ in waits:
                    flight.waiters += 1
                    claimed.append(flight)
                if on_claimed is not None:
                    on_claimed()
                done = 0
                if on_progress:
                    on_progress(0, len(waits))
                if on_budget is not None:
                    watch = _budget_watch([f for f, _ in waits], on_budget)
                    for flight, _ in waits:
                        flight.watchers.add(watch)

                async def run(flight: _Flight, wanted: list[tuple[Unit, str]] | None) -> None:
                    nonlocal done
                    try:
                        # Shielded: this review stopping must not stop a request another wants.
                        answer = await asyncio.shield(flight.task)
                        _take(answer, flight.batch, wanted, outcome, found, answered)
                    finally:
                        done += 1
                        if on_progress:
                            on_progress(done, len(waits))

                tasks = [asyncio.ensure_future(run(f, w)) for f, w in waits]
                for task in asyncio.as_completed(tasks):
                    await task
                    if outcome.fatal is not None:
                        break  # a rejected key or empty balance fails every other batch too
                    if not answered and any(e.unreachable for e in outcome.errors):
                        # No batch reached the backend: each of the others went on to its own
                        # retries against it (a save of 40 functions: 19-27 connects).
                        break
            finally:
                for task in tasks:
                    task.cancel()
                if watch is not None:
                    for flight in claimed:
                        flight.watchers.discard(watch)
                await asyncio.gather(*tasks, return_exceptions=True)
                await self._release(claimed)
            outcome.unanswered = [u for u, _ in pending if id(u) not in answered]
            self._answer_without_removed(pending, answered, settings, lang, file_units, imported)
        elif on_claimed is not None:
            on_claimed()
        findings, stats = place_findings(
            placer,
            found,
            min_confidence=settings.review.min_confidence,
            min_severity=settings.review.min_severity,
            ignored=ignored,
        )
        outcome.findings = findings
        outcome.stats.add(stats)
        if records is not None and not outcome.unanswered and not outcome.errors:
            records.record(doc, path, file_units, imports if lines is None else None, settings, roots)
        return outcome

    def _answered_meanwhile(
        self, pending: Sequence[tuple[Unit, str]], ended: int, use_cache: bool, fresh_since: float | None
    ) -> dict[str, list[RawFinding]]:
        """The cache's answers, by key, to ``pending``'s units that a request ending since
        ``ended`` (``_ended`` when the review looked in the cache) gave; what the review may take
        as it takes the cache's (``use_cache``, ``fresh_since`` as ``review``'s)."""
        if self._ended == ended or not (use_cache or fresh_since is not None):
            return {}
        return self.cache.get_many([k for _, k in pending], since=None if use_cache else fresh_since)

    def _answer_without_removed(
        self,
        pending: Sequence[tuple[Unit, str]],
        answered: set[int],
        settings: Settings,
        lang: str | None,
        file_units: FileUnits,
        imported: Sequence[Imported],
    ) -> None:
        """Keep each answer of a unit shown its deleted lines as the answer for its code alone:
        once the deletion is committed it is shown none, and the unit was reviewed again."""
        model = settings.review.model
        for unit, key in pending:
            if not unit.removed or id(unit) not in answered:
                continue
            plain, _ = _cache_key(replace(unit, removed=()), settings, lang, file_units, imported)
            hit = self.cache.get(key)
            if hit is not None and self.cache.get(plain) is None:
                self.cache.put(plain, hit, model)

    def _start(
        self,
        client: ChatClient,
        doc: Document,
        path: str,
        file_units: FileUnits,
        batch: _Batch,
        settings: Settings,
        extra: list[tuple[str, str]],
        placer: Placer,
    ) -> _Flight:
        """Send ``batch``'s request, for whichever reviews come to want it."""

        async def fly() -> _Answer:
            answer = _Answer()
            try:
                answer.answered = await self._review_batch(
                    client, doc, path, file_units, batch, settings, extra, placer, answer.outcome, answer.owned, flight
                )
            finally:
                if flight.budget_waits:  # ended while waiting: no longer does
                    flight.budget_waits.clear()
                    for watch in list(flight.watchers):
                        watch()
            return answer

        flight = _Flight(batch, asyncio.ensure_future(fly()), client)
        for key in batch.keys:
            self._flights[key] = flight

        flight.task.add_done_callback(lambda _: self._end(flight))
        return flight

    def _end(self, flight: _Flight) -> None:
        self._ended += 1
        self._drop(flight)

    async def _release(self, flights: Iterable[_Flight]) -> None:
        """A review no longer waits for ``flights``: those no other review waits for are
        cancelled (their HTTP requests closed, so the provider stops generating)."""
        unwanted = []
        for flight in flights:
            flight.waiters -= 1
            if flight.waiters <= 0 and not flight.task.done():
                # Out of the registry at once: a review starting before the cancellation has
                # landed must send its own request, not wait for one being cancelled.
                self._drop(flight)
                flight.task.cancel()
                unwanted.append(flight.task)
        await asyncio.gather(*unwanted, return_exceptions=True)

    def _drop(self, flight: _Flight) -> None:
        for key in flight.batch.keys:
            if self._flights.get(key) is flight:
                del self._flights[key]

    def halt(self) -> None:
        """Cancel every request under way, awaiting nothing (see :meth:`stop`)."""
        tasks = {id(f.task): f.task for f in self._flights.values()}
        self._halted.extend(tasks.values())
        self._flights.clear()
        for task in tasks.values():
            task.cancel()

    async def stop(self) -> None:
        """Cancel every request under way (the server is shutting down)."""
        self.halt()
        halted, self._halted = self._halted, []
        await asyncio.gather(*halted, return_exceptions=True)

    async def _review_batch(
        self,
        client: ChatClient,
        doc: Document,
        path: str,
        file_units: FileUnits,
        batch: _Batch,
        settings: Settings,
        extra: list[tuple[str, str]],
        placer: Placer,
        outcome: ReviewOutcome,
        owned_out: list[tuple[RawFinding, Unit]],
        flight: _Flight | None = None,
    ) -> list[Unit]:
        """Review one batch; the units an answer came for (none when the request failed or its
        answer was unusable or incomplete). ``flight``: the one it is sent for, told of waits
        for the daily budget."""
        r = settings.review
        messages = build_messages(
            doc,
            path,
            file_units,
            batch.units,
            redact_secrets=settings.redact_secrets,
            extra_signatures=_used_by(batch.units, extra),
        )
        if batch.room is not None and prompt_tokens(messages, _counter(client)) > batch.room.tokens:
            # The signatures its units use past their share of the room: the code read whole
            # and the instructions kept matter more than what it calls.
            messages = build_messages(
                doc, path, file_units, batch.units, redact_secrets=settings.redact_secrets, with_signatures=False
            )
        request = ChatRequest(
            messages=messages,
            model=r.model,
            max_tokens=r.max_output_tokens,
            json_mode=True,
            thinking=r.thinking,
            feature="review",
        )
        loop = asyncio.get_running_loop()
        outcome.requests += 1
        started = time.monotonic()
        # Every unusable answer the client asked again after was paid for: the review's
        # cost counts them, as the usage ledger does.
        billed: list[Usage] = []
        handed: list[bool] = []
        model_client = _model_client(client)
        asked = time.monotonic()

        def on_send() -> None:
            # A request met the backend unreachable since this one was asked: this one would
            # meet it too (a save of 40 functions: 19-27 connects). One request's retries go on
            # (a connect that failed once is worth another: a blip of the network), not all.
            # Its own server's (a completion's fimBaseUrl met refused is not the review's).
            found = model_client.chat_unreached(request) if model_client is not None else None
            met, since = found if found is not None else (None, None)
            if met is not None and since is not None and met.came_at is not None and met.came_at >= asked:
                retrier = self._retrier
                # Another request asked no later than it was claimed retries for all.
                taken = retrier is not None and retrier[0] == since and retrier[1] is not handed
                if not handed or (taken and retrier is not None and asked <= retrier[2]):
                    raise _not_tried(met)
                if retrier is None or retrier[1] is not handed:
                    self._retrier = (since, handed, time.monotonic())
            handed.append(True)

        try:
            result = await client.chat_with_retry(
                request,
                loop.time() + r.timeout_s,
                max_retries=r.max_retries,
                billed=billed,
                # Held only while sent: a request waiting for the daily budget holds none.
                slot=self._limit,
                on_wait=flight.on_wait() if flight is not None else None,
                on_send=on_send,
            )
        except MalformedResponse as exc:
            # Retried once already by the client; keep whatever valid findings it holds.
            outcome.usage.extend(billed)
            partial = exc.partial if isinstance(exc.partial, StreamResult) else None
            parsed = parse_answer(partial.text if partial else "")
            outcome.problems.append(_problem_text(exc, parsed.findings))
            owned_out.extend(_owned(parsed.findings, batch.units, placer))
            # Not an answer about these units (blank, prose, cut short): the findings shown
            # of them stay, as after a failed request. Counted as answered, "review again"
            # answered blank cleared every diagnostic of the file and said "ok".
            return []
        except ModelError as exc:
            if isinstance(exc, DeadlineExceeded):
                exc.limited(r.timeout_s, "review.timeoutS")
            log.info("review request for %s failed: %s", path, exc)
            outcome.usage.extend(billed)
            outcome.errors.append(exc)
            if _held_back(exc):
                handed.clear()
            return []
        finally:
            # Cancelled too: a request cancelled while it waited its turn never went out.
            if handed:
                outcome.sent_unit_ids.update(id(u) for u in batch.units)
        log.debug(
            "review of %s of %s took %.1fs",
            counted(len(batch.units), "unit"),
            path,
            time.monotonic() - started,
        )
        outcome.usage.extend(billed)
        if result.usage is not None:
            outcome.usage.append(result.usage)
            if batch.room is not None and (model_client := _model_client(client)) is not None:
                estimated = prompt_tokens(messages, _counter(client))
                prompt_read.review_counted(model_client, r.model, batch.room, estimated, result.usage)
        if result.finish_reason == "length" and not result.overrun and len(batch.units) > 1:
            # The findings of these units ran past max_tokens. Not cached, the same units went
            # out together again on every save and were cut again, paid each time: each half
            # is reviewed on its own instead (its findings replace the cut ones).
            half = len(batch.units) // 2
            halves = [
                _Batch(batch.units[:half], batch.keys[:half], batch.room),
                _Batch(batch.units[half:], batch.keys[half:], batch.room),
            ]
            parts = await asyncio.gather(
                *(
                    self._review_batch(
                        client, doc, path, file_units, h, settings, extra, placer, outcome, owned_out, flight
                    )
                    for h in halves
                )
            )
            return [u for units in parts for u in units]
        parsed = parse_answer(result.text)
        owned = _owned(parsed.findings, batch.units, placer)
        owned_out.extend(owned)
        if not parsed.usable or result.finish_reason not in (None, "stop"):
            # Not cached: the next save asks again rather than remembering half an answer.
            if result.finish_reason == "length" and not result.overrun:
                # A lone unit's findings past the limit (no halves to send it in): "incomplete
                # (answer is not valid JSON)" named neither the cause nor the way out, and each
                # save paid for the same cut answer again.
                outcome.problems.append(_cut_text(batch.units, r.max_output_tokens))
            else:
                outcome.problems.append(
                    f"the model's answer was incomplete ({parsed.problem or result.finish_reason}); "
                    "valid findings were kept"
                )
            return []  # what it did not get to stays shown (see above)
        if parsed.invalid_items:
            log.info("review of %s: %s ignored", path, counted(parsed.invalid_items, "malformed finding"))
        per_unit: dict[int, list[RawFinding]] = {id(u): [] for u in batch.units}
        for raw, unit in owned:
            per_unit[id(unit)].append(_to_cache(raw, unit))
        for unit, key in zip(batch.units, batch.keys, strict=True):
            self.cache.put(key, per_unit[id(unit)], r.model)
        return batch.units


def _not_tried(met: ModelError) -> ModelError:
    """``met`` again for a request not sent: not retried either."""
    again = copy.copy(met)
    again.retryable = False
    return again


def _held_back(error: ModelError) -> bool:
    """Whether ``error`` refused a request before it went out: held back after the run's first
    was refused (:class:`NotSent`), over the daily budget, or for an unusable endpoint."""
    return isinstance(error, NotSent | BudgetExceeded | ConfigError)


async def _review_room(client: ChatClient, settings: Settings) -> prompt_read.ReviewRoom | None:
    """The room a review request has where its server cuts a longer prompt, or None."""
    model_client = _model_client(client)
    if model_client is None:  # (a test's stand-in)
        return None
    review = settings.review
    return await prompt_read.review_room(model_client, review.model, review.max_output_tokens, review.timeout_s)


def _counter(client: ChatClient) -> Counter:
    model_client = _model_client(client)
    return model_client.counter_nowait() if model_client is not None else EstimateCounter()


def _model_client(client: ChatClient) -> ModelClient | None:
    """The client a review's requests go out on: the command line's behind its FirstAnswerFirst
    (taken for a test's stand-in, its reviews were never fitted to the server's context)."""
    if isinstance(client, FirstAnswerFirst):
        client = client.client
    return client if isinstance(client, ModelClient) else None
