"""The review engine shared by the editor and the command line.

One call reviews one document snapshot: its units are looked up in the persisted cache by
content hash, only the missing ones are sent (several small ones per request, large files split
across requests), every finding is placed on the exact code it quotes, and complete answers are
cached per unit so an unchanged unit is never paid for twice.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from ..config import Settings
from ..console import counted
from ..context import ContextRequest, Definition, FileIndex, Indexer, found_in_workspace, index_tree
from ..documents import Document
from ..imports import readable_import, resolve_local_imports_cached, sibling_type_files
from ..languages import LanguageRegistry
from ..model.errors import BudgetExceeded, MalformedResponse, ModelError
from ..model.types import ChatRequest, StreamResult, Usage
from ..privacy import file_path, uri_to_path
from ..workspace_symbols import WorkspaceSymbols
from .answer import RawFinding, parse_answer
from .cache import ReviewCache
from .findings import Finding, Located, PlacementStats, fingerprint, place_findings
from .placing import Placer
from .prompt import PROMPT_VERSION, batch_units, build_messages
from .records import (
    RecordedUnit,
    dependencies,
    dependencies_unchanged,
    record_key,
    recorded_units,
)
from .records import to_json as record_json
from .units import FileUnits, Unit, extract_units

log = logging.getLogger(__name__)

#: Signatures from other files of the project that a batch may carry.
MAX_IMPORTED_SIGNATURES = 12
_WORDS = re.compile(r"\w+")
#: Time for the members' lookups in the workspace's files (each file read and parsed once).
WORKSPACE_LOOKUP_S = 0.5
#: Header lines of an imported definition shown as its signature.
#: Lines of an imported definition's header sent at most (a class's outline is its header).
SIGNATURE_MAX_LINES = 12

Progress = Callable[[int, int], None]
#: Told what a review waits for in the daily budget (``BudgetExceeded.waiting_message``), or
#: None once it no longer does.
BudgetWait = Callable[[str | None], None]


class ChatClient(Protocol):
    """What the engine needs of ``model.ModelClient`` (a fake in tests would do as well)."""

    async def chat_with_retry(
        self,
        req: ChatRequest,
        deadline: float,
        max_retries: int = 2,
        *,
        billed: list[Usage] | None = None,
        slot: asyncio.Semaphore | None = None,
        on_wait: Callable[[BudgetExceeded | None, float], None] | None = None,
    ) -> StreamResult: ...


def unit_key(
    unit: Unit, settings: Settings, language: str | None, signatures: Sequence[str] = ()
) -> str:
    """The cache key: the unit's normalized code and everything that changes the answer,
    ``signatures`` (of the file's definitions the unit uses, see ``_signatures_of``) included."""
    parts = (*answer_settings(settings), language or "", unit.fingerprint(), *signatures)
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def answer_settings(settings: Settings) -> tuple[str, ...]:
    """The settings that change what a review says (part of every cache key): a review made
    with others is not the answer for the settings now."""
    r = settings.review
    return (PROMPT_VERSION, r.model, str(r.thinking), str(settings.redact_secrets))


def _signatures_of(file_units: FileUnits, unit: Unit) -> list[str]:
    """The signatures the unit is reviewed with from its own file, as the prompt shows them: a
    caller's findings rest on them ("scale() needs a factor"), and came back from the cache
    after the callee's signature changed. Its body, or where it is, changes nothing here."""
    return [" ".join(s.header.split()) for s in file_units.signatures_for([unit])]


def _cache_key(
    unit: Unit,
    settings: Settings,
    language: str | None,
    file_units: FileUnits,
    imported: Sequence[tuple[str, str]] = (),
) -> tuple[str, str | None]:
    """The unit's cache key, and the key a review of it made before keys sorted the signatures
    (None when that is the same key).

    Sorted: in file order, moving two functions the unit calls (no code changed) made a new
    key, and the unit was reviewed and paid for again. The old key is still read, so the
    reviews cached before are not paid for again either.

    ``imported`` are the signatures of the files the document imports (``_Imports.signatures``):
    those the unit uses are in its key as its own file's are. Left out, a ``git pull`` that
    gave the imported ``scale`` the argument the call passes brought back "scale() takes one
    argument" from the cache for as long as the caller was unchanged."""
    own = _signatures_of(file_units, unit)
    from_imports = [" ".join(line.split()) for line in _used_by([unit], imported)]
    key = unit_key(unit, settings, language, sorted(own + from_imports))
    if from_imports or own == sorted(own):
        return key, None  # (no key made before this one held an imported signature)
    return key, unit_key(unit, settings, language, own)


@dataclass
class ReviewOutcome:
    findings: list[Finding] = field(default_factory=list)
    stats: PlacementStats = field(default_factory=PlacementStats)
    units: int = 0
    units_sent: int = 0
    requests: int = 0
    usage: list[Usage] = field(default_factory=list)
    summaries: list[str] = field(default_factory=list)
    #: Answers that could not be fully used (their valid findings are still shown).
    problems: list[str] = field(default_factory=list)
    #: Requests that failed outright; ``fatal`` when nothing will work until settings change.
    errors: list[ModelError] = field(default_factory=list)
    #: Units sent that got no complete answer (their request failed, was given up after a
    #: fatal error, or was answered blank, not in JSON or cut short): this review says nothing
    #: (or not all) about them, so what was known of them still stands.
    unanswered: list[Unit] = field(default_factory=list)
    #: What its requests cost in USD (set by the editor's review; None: the model has no price).
    cost_usd: float | None = None
    #: Its requests of unknown cost (a gateway billed them without saying what), not in cost_usd.
    unknown_cost: int = 0
    #: The part of cost_usd that is an estimate at the model's list price.
    estimated_usd: float = 0.0

    @property
    def fatal(self) -> ModelError | None:
        return next((e for e in self.errors if e.disables_feature), None)

    @property
    def prompt_tokens(self) -> int:
        return sum(u.prompt_tokens for u in self.usage)

    @property
    def cache_hit_tokens(self) -> int:
        return sum(u.cache_hit_tokens for u in self.usage)


@dataclass
class _Batch:
    units: list[Unit]
    keys: list[str]


@dataclass
class _Answer:
    """What one request (with the halves it may have been split into) said."""

    #: Its requests, usage, problems and errors; its findings' placement counts.
    outcome: ReviewOutcome = field(default_factory=ReviewOutcome)
    #: Each finding with the unit of the batch it is about.
    owned: list[tuple[RawFinding, Unit]] = field(default_factory=list)
    #: The batch's units an answer came for.
    answered: list[Unit] = field(default_factory=list)


@dataclass(eq=False)
class _Flight:
    """A batch's request under way, for every review that wants its units' answers."""

    batch: _Batch
    task: asyncio.Task[_Answer]
    #: The client it was sent with: the cache key holds no endpoint nor API key.
    client: ChatClient | None = None
    #: Reviews waiting for it; the request is cancelled when the last one stops waiting.
    waiters: int = 0
    #: Its requests held back by the daily budget (a batch cut in halves sends two): the
    #: refusal and when the wait gives up; and the reviews to tell of a change in them.
    budget_waits: dict[int, tuple[BudgetExceeded, float]] = field(default_factory=dict)
    watchers: set[Callable[[], None]] = field(default_factory=set)

    def on_wait(self) -> Callable[[BudgetExceeded | None, float], None]:
        """``chat_with_retry``'s ``on_wait`` for one of its requests."""
        token = object()

        def told(exc: BudgetExceeded | None, until: float) -> None:
            if exc is None:
                if self.budget_waits.pop(id(token), None) is None:
                    return
            else:
                self.budget_waits[id(token)] = (exc, until)
            for watch in list(self.watchers):
                watch()

        return told


def _budget_watch(flights: list[_Flight], on_budget: BudgetWait) -> Callable[[], None]:
    """What tells a review of its requests' waits for the daily budget: the one giving up last,
    told on the loop's next turn (a request asking again after a wait and refused at once is no
    change: "waiting" and "going on" flickered every second)."""
    told: list[str | None] = [None]
    scheduled = [False]

    def tell() -> None:
        scheduled[0] = False
        waits = [w for f in flights for w in f.budget_waits.values()]
        message = max(waits, key=lambda w: w[1])[0].waiting_message(max(w[1] for w in waits)) if waits else None
        if message != told[0]:
            told[0] = message
            on_budget(message)

    def watch() -> None:
        if not scheduled[0]:
            scheduled[0] = True
            asyncio.get_running_loop().call_soon(tell)

    return watch


class ReviewEngine:
    """Stateless apart from the cache and a per-process import index; safe to share."""

    def __init__(
        self,
        cache: ReviewCache,
        *,
        max_concurrency: int = 4,
        registry: LanguageRegistry | None = None,
        file_records: bool = False,
    ) -> None:
        self.cache = cache
        #: Whether a file's units and keys are recorded by its text, so that a review of the
        #: same text answered whole from the cache needs no parse (see ``records``). The command
        #: line's: it parses every file only for that; an editor has the trees anyway.
        self._file_records = file_records
        #: The editor session's languages, their queries compiled already (a registry of its
        #: own compiled them again, on the event loop, at the first review of a session).
        self._registry = registry
        self._indexer: Indexer | None = None
        self._limit = asyncio.Semaphore(max(1, max_concurrency))
        self._limit_size = max(1, max_concurrency)
        #: The requests under way, by the cache key of each unit they review.
        self._flights: dict[str, _Flight] = {}
        #: The requests :meth:`halt` cancelled, for :meth:`stop` to wait for.
        self._halted: list[asyncio.Task[Any]] = []

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
        imports = self._read_imports(doc, uri_to_path(doc.uri), file_units.units, roots, settings)
        imported = imports.signatures if imports is not None else []
        found: list[Located] = []
        missing: list[Unit] = []
        for unit in file_units.units:
            hit = self._cached(settings, *_cache_key(unit, settings, lang, file_units, imported))
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

    def _cached(self, settings: Settings, key: str, legacy: str | None) -> list[RawFinding] | None:
        hit = self.cache.get(key)
        if hit is None and legacy is not None:
            hit = self.cache.get(legacy)
            if hit is not None:  # kept under the key used from now on
                self.cache.put(key, hit, settings.review.model)
        return hit

    async def review(
        self,
        client: ChatClient,
        doc: Document,
        settings: Settings,
        *,
        path: str | None = None,
        use_cache: bool = True,
        lines: Iterable[int] | None = None,
        ignored: frozenset[str] = frozenset(),
        roots: Sequence[Path] = (),
        symbols: WorkspaceSymbols | None = None,
        on_progress: Progress | None = None,
        share: bool = False,
        on_claimed: Callable[[], None] | None = None,
        switched_off: Callable[[str], bool] | None = None,
        on_budget: BudgetWait | None = None,
    ) -> ReviewOutcome:
        """Review ``doc`` (a snapshot: it must not change while this runs).

        ``lines`` limits the review to the units touching those 0-based lines (``--changed``);
        ``use_cache=False`` re-sends every unit (the results still refresh the cache).

        With ``share``, a unit whose request is under way for another review (the same cache
        key: the same code, signatures and settings) is not sent again: this review waits for
        that request's answer. A request goes on while any review waits for it, and is
        cancelled when none does. ``on_claimed`` runs once this review has taken the requests
        it wants, before any of them can end: the moment to cancel a review this one
        replaces, whose requests for unchanged code it has just taken over. ``on_budget`` is
        told while its requests wait for room in the daily budget, and once none does.
        """
        path = path or uri_to_path(doc.uri)
        record = self._record_key(doc, settings, roots) if self._file_records and use_cache else None
        if record is not None:
            quick = self._review_from_record(record, doc, settings, lines, ignored, roots)
            if quick is not None:
                if on_claimed is not None:
                    on_claimed()
                return quick
        outcome = ReviewOutcome()
        file_units = extract_units(doc)
        units = file_units.units
        if lines is not None:
            wanted = set(lines)
            units = [u for u in units if any(u.contains_line(n) for n in wanted)]
        outcome.units = len(units)
        lang = doc.language.name if doc.language else None
        found: list[Located] = []
        pending: list[tuple[Unit, str]] = []
        imports = self._read_imports(doc, path, units, roots, settings)
        imported = imports.signatures if imports is not None else []
        for unit in units:
            key, legacy = _cache_key(unit, settings, lang, file_units, imported)
            hit = self._cached(settings, key, legacy) if use_cache else None
            if hit is None:
                pending.append((unit, key))
            else:
                found.extend(_from_cache(hit, unit))
        placer = Placer(doc)
        if pending:
            outcome.units_sent = len(pending)
            answered: set[int] = set()
            #: Each request this review waits for: its flight, and this review's units in it
            #: (None: the flight is this review's own, of these very units).
            waits: list[tuple[_Flight, list[tuple[Unit, str]] | None]] = []
            claimed: list[_Flight] = []
            tasks: list[asyncio.Future[None]] = []
            watch: Callable[[], None] | None = None
            try:
                joined: dict[int, tuple[_Flight, list[tuple[Unit, str]]]] = {}
                to_send: list[tuple[Unit, str]] = []
                for unit, key in pending:
                    flight = self._flights.get(key) if share and use_cache else None
                    # Only a request to this client: the review made anew after the user changed
                    # the endpoint or key (a hanging server, a rejected key) joined the old
                    # one's, and hung or failed with it, the new endpoint never asked.
                    if flight is not None and not flight.task.done() and flight.client is client:
                        joined.setdefault(id(flight), (flight, []))[1].append((unit, key))
                    else:
                        to_send.append((unit, key))
                waits.extend(joined.values())
                if to_send:
                    keys = {id(u): k for u, k in to_send}
                    batches = [
                        _Batch(b, [keys[id(u)] for u in b]) for b in batch_units([u for u, _ in to_send])
                    ]
                    # Gathered once for all the requests (the files are read once), then each
                    # request carries those its own units use: every request carried the first
                    # twelve of all, paid for where unused, and a later request lacked the ones
                    # its units call.
                    extra = self._imported_signatures(
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
            finally:
                for task in tasks:
                    task.cancel()
                if watch is not None:
                    for flight in claimed:
                        flight.watchers.discard(watch)
                await asyncio.gather(*tasks, return_exceptions=True)
                await self._release(claimed)
            outcome.unanswered = [u for u, _ in pending if id(u) not in answered]
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
        if self._file_records and not outcome.unanswered and not outcome.errors:
            self._record(doc, path, file_units, imports if lines is None else None, settings, roots)
        return outcome

    # -- file records -----------------------------------------------------------------------------

    def _record_key(self, doc: Document, settings: Settings, roots: Sequence[Path]) -> str:
        return record_key(doc, answer_settings(settings), roots, settings.exclude)

    def _review_from_record(
        self,
        key: str,
        doc: Document,
        settings: Settings,
        lines: Iterable[int] | None,
        ignored: frozenset[str],
        roots: Sequence[Path],
    ) -> ReviewOutcome | None:
        """The review of ``doc`` from its record and the cache, without a parse; None when
        a parse is needed (no record, an imported file changed, a unit's answer missing)."""
        record = self.cache.get_file(key)
        units = recorded_units(record) if record is not None else None
        if record is None or units is None:
            return None
        deps = record.get("deps")
        if deps is not None and not dependencies_unchanged(doc, deps, roots, settings):
            return None
        if lines is not None:
            wanted = set(lines)
            units = [u for u in units if any(u.contains_line(n) for n in wanted)]
        hits = self.cache.get_many([u.key for u in units])
        found: list[Located] = []
        for unit in units:
            hit = hits.get(unit.key)
            if hit is None and unit.legacy is not None:
                hit = self._cached(settings, unit.key, unit.legacy)
            if hit is None:
                return None
            found.extend(_from_cache(hit, unit))
        outcome = ReviewOutcome(units=len(units))
        outcome.findings, stats = place_findings(
            Placer(doc),
            found,
            min_confidence=settings.review.min_confidence,
            min_severity=settings.review.min_severity,
            ignored=ignored,
        )
        outcome.stats.add(stats)
        return outcome

    def _record(
        self,
        doc: Document,
        path: str,
        file_units: FileUnits,
        imports: _Imports | None,
        settings: Settings,
        roots: Sequence[Path],
    ) -> None:
        """Record ``doc``'s units and keys for the next review of the same text (see ``records``).
        ``imports`` as read for all its units, or None to read them here."""
        units = file_units.units
        if imports is None:
            imports = self._read_imports(doc, path, units, roots, settings)
        if imports is None:
            if doc.language is not None and doc.tree is not None and file_path(doc.uri) is not None and any(
                u.references for u in units
            ):
                return  # the imports could not be read (see ``_read_imports``): keys unsure
            deps = None
        else:
            deps = dependencies(imports.sources, imports.wanted, imports.targets, imports.roots)
        lang = doc.language.name if doc.language else None
        imported = imports.signatures if imports is not None else []
        keyed = [(u, *_cache_key(u, settings, lang, file_units, imported)) for u in units]
        self.cache.put_file(self._record_key(doc, settings, roots), record_json(keyed, deps))

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

        flight.task.add_done_callback(lambda _: self._drop(flight))
        return flight

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
        try:
            result = await client.chat_with_retry(
                request,
                loop.time() + r.timeout_s,
                max_retries=r.max_retries,
                billed=billed,
                # Held only while sent: a request waiting for the daily budget holds none.
                slot=self._limit,
                on_wait=flight.on_wait() if flight is not None else None,
            )
        except MalformedResponse as exc:
            # Retried once already by the client; keep whatever valid findings it holds.
            outcome.usage.extend(billed)
            partial = exc.partial if isinstance(exc.partial, StreamResult) else None
            parsed = parse_answer(partial.text if partial else "")
            outcome.problems.append(_problem_text(exc, parsed.findings))
            owned_out.extend(_owned(parsed.findings, batch.units, placer, outcome.stats))
            # Not an answer about these units (blank, prose, cut short): the findings shown
            # of them stay, as after a failed request. Counted as answered, "review again"
            # answered blank cleared every diagnostic of the file and said "ok".
            return []
        except ModelError as exc:
            log.info("review request for %s failed: %s", path, exc)
            outcome.usage.extend(billed)
            outcome.errors.append(exc)
            return []
        log.debug(
            "review of %s of %s took %.1fs",
            counted(len(batch.units), "unit"),
            path,
            time.monotonic() - started,
        )
        outcome.usage.extend(billed)
        if result.usage is not None:
            outcome.usage.append(result.usage)
        if result.finish_reason == "length" and not result.overrun and len(batch.units) > 1:
            # The findings of these units ran past max_tokens. Not cached, the same units went
            # out together again on every save and were cut again, paid each time: each half
            # is reviewed on its own instead (its findings replace the cut ones).
            half = len(batch.units) // 2
            halves = [
                _Batch(batch.units[:half], batch.keys[:half]),
                _Batch(batch.units[half:], batch.keys[half:]),
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
        if parsed.summary:
            outcome.summaries.append(parsed.summary)
        owned = _owned(parsed.findings, batch.units, placer, outcome.stats)
        owned_out.extend(owned)
        if not parsed.usable or result.finish_reason not in (None, "stop"):
            # Not cached: the next save asks again rather than remembering half an answer.
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

    # -- imported signatures ----------------------------------------------------------------------

    def _read_imports(
        self, doc: Document, path: str, units: Sequence[Unit], roots: Sequence[Path], settings: Settings
    ) -> _Imports | None:
        """The local files this file imports, read once for a review: its cache keys and its
        requests' signatures both come from them (read for each, every imported file was
        looked up twice and the document indexed twice on every save)."""
        doc_path = file_path(doc.uri)
        if doc.language is None or doc.tree is None or doc_path is None:
            return None
        wanted: set[str] = set()
        for unit in units:
            wanted |= unit.references
        if not wanted:
            return None
        if self._indexer is None:
            self._indexer = Indexer(self._registry or LanguageRegistry.load())
        try:
            own = index_tree(doc.language, doc.tree, doc.data, path)
            out: list[tuple[str, str]] = []
            # The same gate as completion context: excluded by either name, or outside every
            # workspace root (the document's folder without one), is not read.
            roots = list(roots) or [doc_path.parent]
            language = doc.language.name
            imported = resolve_local_imports_cached(
                own.import_sources, doc_path, roots, language, doc.language.spec.imports
            )
            indexes = [own]
            targets: list[tuple[Path, Path | None]] = []
            for target in dict.fromkeys([*imported, *sibling_type_files(doc_path, sorted(wanted), language)]):
                real = readable_import(target, roots, settings.exclude)
                targets.append((target, real))
                index = self._indexer.for_file(real, language=doc.language) if real is not None else None
                if index is None:
                    continue
                indexes.append(index)
                for name in sorted(wanted & index.definitions.keys()):
                    for d in index.definitions[name][:1]:
                        out.append((name, f"{_signature(d)}  # {target.name}"))
            return _Imports(own, indexes, out, roots, doc_path, list(own.import_sources), sorted(wanted), targets)
        except (OSError, ValueError) as exc:
            log.debug("imported signatures of %s: %s", path, exc)
            return None

    def _imported_signatures(
        self,
        doc: Document,
        imports: _Imports | None,
        units: Sequence[Unit],
        settings: Settings,
        symbols: WorkspaceSymbols | None = None,
        *,
        limit: int = MAX_IMPORTED_SIGNATURES,
        switched_off: Callable[[str], bool] | None = None,
    ) -> list[tuple[str, str]]:
        """Signatures of definitions in local modules this file imports that the units use,
        then of the members they call that only the workspace's symbol table finds (as a
        completion's context finds them: ``self.protocol.send(`` with the protocol's class
        never imported, when one or two files define ``send``); each with its name, at most
        ``limit``. ``switched_off``: the files whose folder turns reviews off, never read."""
        wanted: set[str] = set()
        for unit in units:
            wanted |= unit.references
        if imports is None or not wanted or self._indexer is None:
            return []
        out = [(name, line) for name, line in imports.signatures if name in wanted][:limit]
        if symbols is None or len(out) >= limit:
            return out
        try:
            # In the order the units use them: the lookups stop after a few members.
            used = dict.fromkeys(w for u in units for w in _WORDS.findall(u.text) if w in wanted)
            req = ContextRequest(
                doc, 0, [], [], imports.roots, settings.exclude, time.monotonic() + WORKSPACE_LOOKUP_S, symbols=symbols
            )
            if switched_off is not None:
                req.switched_off = switched_off
            found, _ = found_in_workspace(
                self._indexer, req, imports.own, imports.indexes, list(used), (0, len(doc.data)), imports.doc_path, imports.roots
            )
            for name, where in found.items():
                for index in where:
                    d = index.definitions[name][0]
                    out.append((name, f"{_signature(d)}  # {Path(d.path).name}"))
        except (OSError, ValueError) as exc:
            log.debug("workspace signatures of %s: %s", imports.doc_path, exc)
        return out[:limit]


@dataclass
class _Imports:
    """What one review read of the files its document imports (see ``_read_imports``)."""

    own: FileIndex
    #: The document's index and those of the imported files that could be read.
    indexes: list[FileIndex]
    #: Every imported definition the units use, by name, in the files' order: the cache keys'
    #: (a unit's key is the same whichever units are reviewed with it), never what the
    #: workspace's symbol table finds, which depends on how far its crawl got and on a time
    #: box (in a key, the same unit would be paid for again and again).
    signatures: list[tuple[str, str]]
    roots: list[Path]
    doc_path: Path
    #: How the imported files were found, for a file's record (see ``records.dependencies``).
    sources: list[str] = field(default_factory=list)
    wanted: list[str] = field(default_factory=list)
    targets: list[tuple[Path, Path | None]] = field(default_factory=list)


def _used_by(units: Sequence[Unit], signatures: Iterable[tuple[str, str]]) -> list[str]:
    """The imported signatures (see ``_imported_signatures``) of the names ``units`` use."""
    wanted = frozenset().union(*(u.references for u in units))
    return [line for name, line in signatures if name in wanted][:MAX_IMPORTED_SIGNATURES]


def _signature(d: Definition) -> str:
    """The definition's header as the tree gives it (decorators and signature), on one line.
    Cut at the first line ending in ``)``, ``{``…, it was ``@lru_cache(maxsize=None)`` alone
    for a cached function, and stopped a TypeScript signature at ``options: {``."""
    header = d.text[: d.header_len] if d.header_len else d.text
    return " ".join(line.strip() for line in header.splitlines()[:SIGNATURE_MAX_LINES] if line.strip())


def _problem_text(exc: MalformedResponse, kept: list[RawFinding]) -> str:
    what = {
        "blank_json": "the model's answer was blank",
        "invalid_json": "the model's answer was not valid JSON",
    }.get(exc.kind, f"the model's answer was unusable ({exc.message})")
    return what + (f"; kept {counted(len(kept), 'valid finding')}" if kept else "")


def _from_cache(hits: list[RawFinding], unit: Unit | RecordedUnit) -> list[Located]:
    out = []
    for raw in hits:
        line = unit.line_at_index(raw.line - 1) + 1 if raw.line else None
        out.append((replace(raw, line=line), unit.lines, unit.name))
    return out


def _to_cache(raw: RawFinding, unit: Unit) -> RawFinding:
    index = unit.index_of_line(raw.line - 1) if raw.line else None
    return replace(raw, line=None if index is None else index + 1)


def _owned(
    findings: Iterable[RawFinding], units: Sequence[Unit], placer: Placer, stats: PlacementStats
) -> list[tuple[RawFinding, Unit]]:
    """Each finding with the unit of the batch it is about: where its code occurs nearest the hint.

    A finding whose code occurs in none of the batch's units is dropped (and counted): it is about
    code the model was shown only as context, or code it made up.
    """
    out: list[tuple[RawFinding, Unit]] = []
    #: Where each finding (by fingerprint) was put, and the line the model said for it.
    claimed: dict[str, list[tuple[int, int | None]]] = {}
    for raw in findings:
        fp = fingerprint(raw.code, raw.message)
        # The same finding said of another line is about another occurrence of the same code
        # (as in ``place_findings``): two bare ``except:`` with hints two lines early both
        # became the first one's line here, and the second was dropped as a repeat.
        avoid = {start for start, hint in claimed.get(fp, ()) if hint != raw.line}
        best: tuple[tuple[bool, int], Unit, int, int] | None = None
        # Looked for in the batch's units only: in a generated file with thousands of copies of
        # the code, the whole text's first 500 held none of a later batch's units.
        for unit in units:
            for start, _ in placer.occurrences_on(raw.code, unit.lines):
                line = placer.doc.line_at(start)
                score = (start in avoid, abs(line + 1 - raw.line) if raw.line else 0)
                if best is None or score < best[0]:
                    best = (score, unit, line, start)
        if best is None:
            stats.unplaced += 1
            continue
        _, unit, line, start = best
        claimed.setdefault(fp, []).append((start, raw.line))
        # The hint becomes where the code really is, so the cached copy points at the right place.
        out.append((replace(raw, line=line + 1), unit))
    return out


def _take(
    answer: _Answer,
    batch: _Batch,
    wanted: list[tuple[Unit, str]] | None,
    outcome: ReviewOutcome,
    found: list[Located],
    answered: set[int],
) -> None:
    """Add what a request said to a review: all of it to the review that sent it (``wanted``
    None), or to one that took it over, the findings of its own units (the same code as the
    batch's, maybe elsewhere in another text), as the cache would give them."""
    said = answer.outcome
    outcome.problems.extend(said.problems)
    outcome.errors.extend(said.errors)
    outcome.summaries.extend(said.summaries)
    if wanted is None:
        outcome.requests += said.requests
        outcome.usage.extend(said.usage)
        outcome.stats.add(said.stats)
        found.extend(_about(answer.owned))
        answered.update(id(u) for u in answer.answered)
        return
    for unit, key in wanted:
        theirs = batch.units[batch.keys.index(key)]
        if any(u is theirs for u in answer.answered):
            relative = [_to_cache(raw, theirs) for raw, u in answer.owned if u is theirs]
            found.extend(_from_cache(relative, unit))
            answered.add(id(unit))


def _about(owned: Iterable[tuple[RawFinding, Unit]]) -> list[Located]:
    return [(raw, unit.lines, unit.name) for raw, unit in owned]
