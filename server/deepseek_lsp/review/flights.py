"""A review's requests: a batch's request under way (shared by every review that wants its
units' answers, told of waits for the daily budget), what it said, and how that is handed to
each review waiting for it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from ..console import counted
from ..model.errors import BudgetExceeded, MalformedResponse, ModelError
from ..model.prompt_read import ReviewRoom
from ..model.types import ChatRequest, StreamResult, Usage
from .answer import RawFinding
from .findings import Finding, Located, PlacementStats, fingerprint
from .placing import Placer
from .records import RecordedUnit
from .removed import at_deletion
from .units import Unit

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
        on_send: Callable[[], None] | None = None,
    ) -> StreamResult: ...


@dataclass
class ReviewOutcome:
    findings: list[Finding] = field(default_factory=list)
    stats: PlacementStats = field(default_factory=PlacementStats)
    #: The units this review covers: the cache's and those asked.
    units: int = 0
    #: Units not answered by the cache, asked of the model (not all went out: see below).
    units_asked: int = 0
    #: The units (their ids) whose request went out: of ``units_asked``, those not held back
    #: after the run's first request was refused, nor refused unsent (a budget reached, an
    #: unusable endpoint). What the report says was sent.
    sent_unit_ids: set[int] = field(default_factory=set)
    #: The units (their ids) answered by a request another review sent for the same code (a
    #: copy of the file in the run): not in ``sent_unit_ids``, where a run's report counted
    #: each copy's units as sent, 16 for one request of 8.
    shared_unit_ids: set[int] = field(default_factory=set)
    requests: int = 0
    usage: list[Usage] = field(default_factory=list)
    #: Answers that could not be fully used (their valid findings are still shown).
    problems: list[str] = field(default_factory=list)
    #: Requests that failed outright; ``fatal`` when nothing will work until settings change.
    errors: list[ModelError] = field(default_factory=list)
    #: Units sent that got no complete answer (their request failed, was given up after a
    #: fatal error, or was answered blank, not in JSON or cut short): this review says nothing
    #: (or not all) about them, so what was known of them still stands.
    unanswered: list[Unit] = field(default_factory=list)
    #: Units not sent, each too large for the server's context (review.fitting): in
    #: ``unanswered`` (what was known of them stands), not in ``units_asked``.
    too_large: int = 0
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
    def unanswered_asked(self) -> int:
        """The units sent that got no complete answer (``unanswered`` less those not sent)."""
        return len(self.unanswered) - self.too_large

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
    #: Where its server cuts a longer prompt: the room its request has (see review.fitting).
    room: ReviewRoom | None = None


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


def _problem_text(exc: MalformedResponse, kept: list[RawFinding]) -> str:
    what = {
        "blank_json": "the model's answer was blank",
        "invalid_json": "the model's answer was not valid JSON",
    }.get(exc.kind, f"the model's answer was unusable ({exc.message})")
    return what + (f"; kept {counted(len(kept), 'valid finding')}" if kept else "")


def _cut_text(units: Sequence[Unit], limit: int) -> str:
    about = ", ".join(u.name for u in units)
    return (
        f"the model's answer about {about} ran past review.maxOutputTokens ({limit} tokens) and was "
        "cut: the findings before the cut are shown; raise review.maxOutputTokens to have it "
        "reviewed whole"
    )


def _from_cache(hits: list[RawFinding], unit: Unit | RecordedUnit) -> list[Located]:
    out = []
    for raw in hits:
        line = unit.line_at_index(raw.line - 1) + 1 if raw.line else None
        out.append((replace(raw, line=line), unit.lines, unit.name, unit.kind))
    return out


def _to_cache(raw: RawFinding, unit: Unit) -> RawFinding:
    index = unit.index_of_line(raw.line - 1) if raw.line else None
    return replace(raw, line=None if index is None else index + 1)


def _owned(findings: Iterable[RawFinding], units: Sequence[Unit], placer: Placer) -> list[tuple[RawFinding, Unit]]:
    """Each finding with the unit of the batch it is about: where its code occurs nearest the hint.

    A finding whose code occurs in none of the batch's units is about code the model was shown
    only as context, or code it made up: marked ``unplaced`` (placing counts it as dropped), with
    the unit its line hint is in (else the first), so that the cache's answer for that unit
    counts it too: a rerun from the cache said nothing of it, another message for the same file.
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
        # Quoting a line deleted from a unit that no longer holds it: about that unit, not
        # another's same code (a lock released in the next function flagged as never released),
        # unless the model numbered that code's very line (a deleted line has no number).
        moved = at_deletion(raw, units, placer.doc)
        if moved is not None and (best is None or (best[1] is not moved[1] and best[0][1] != 0)):
            spans = placer.occurrences_on(moved[0].code, [(moved[0].line - 1,) * 2])
            if spans:
                raw = moved[0]
                best = ((False, 0), moved[1], placer.doc.line_at(spans[0][0]), spans[0][0])
        if best is None:
            hinted = next((u for u in units if raw.line and u.contains_line(raw.line - 1)), units[0])
            out.append((replace(raw, unplaced=True), hinted))
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
    if wanted is None:
        outcome.sent_unit_ids |= said.sent_unit_ids
        outcome.requests += said.requests
        outcome.usage.extend(said.usage)
        outcome.stats.add(said.stats)
        found.extend(_about(answer.owned))
        answered.update(id(u) for u in answer.answered)
        return
    for unit, key in wanted:
        theirs = batch.units[batch.keys.index(key)]
        if id(theirs) in said.sent_unit_ids:
            outcome.shared_unit_ids.add(id(unit))
        if any(u is theirs for u in answer.answered):
            relative = [_to_cache(raw, theirs) for raw, u in answer.owned if u is theirs]
            found.extend(_from_cache(relative, unit))
            answered.add(id(unit))


def _about(owned: Iterable[tuple[RawFinding, Unit]]) -> list[Located]:
    return [(raw, unit.lines, unit.name, unit.kind) for raw, unit in owned]
