"""What the end of a review tells the user: the status (paused, failed, incomplete, clear), its
progress's last word, and what its requests cost.
"""

from __future__ import annotations

import asyncio
import logging

from ..config import Settings
from ..console import counted
from ..features import NotFoundOnce, Paused, Services
from ..model import prompt_read
from ..model.errors import BudgetExceeded, ModelError, names_missing_model, refuses_every_request
from ..privacy import uri_to_path
from ..refusals import RefusedAlike, Scope
from ..status import Status
from ..usage_report import format_cost
from .flights import ReviewOutcome

#: How long a refusal every request may meet (see OutcomeStatus._refusal) pauses a file's
#: reviews, or every file's, before one tries again.
REFUSED_RECHECK_S = 60.0
#: Said after such a refusal's message where it paused one file's reviews.
REFUSED_FILE_PAUSE = (
    "Its reviews on save are paused: one tries again in a minute, other files are reviewed, and "
    "new settings or the review command try at once."
)

log = logging.getLogger(__name__)


def last_word(outcome: ReviewOutcome, shown: int | None = None) -> str:
    """The progress's last word: the findings (``shown``: as many as the file shows now, those
    of units left unreviewed kept), and what the review cost (or that the cache answered it
    whole, for nothing); first, that it failed, or was incomplete (an answer not JSON or cut
    short, units left unreviewed). A failed review ended "1 finding, $0.0000" over the two
    findings kept, read as a review that went well."""
    found = counted(len(outcome.findings) if shown is None else shown, "finding")
    if _none_answered(outcome):
        # Failed: its requests did (as the status says); else answered unusably (not JSON,
        # cut at the token limit, some findings kept), as the status says too.
        found = f"{'failed' if outcome.errors else 'incomplete'}; {found} shown"
    elif left := _left_unreviewed(outcome):
        found = f"incomplete ({left}); {found}"
    if not outcome.units_asked:
        # (An empty file; or none sent, each unit too large for the server's context.)
        return f"{found}, from the cache" if outcome.units and not outcome.unanswered else found
    if outcome.cost_usd is None or not outcome.requests:  # (joined requests another review paid)
        return found
    cost = {"cost_usd": outcome.cost_usd, "unknown_cost": outcome.unknown_cost, "estimated_usd": outcome.estimated_usd}
    return f"{found}, {format_cost(cost)}"


def _left_unreviewed(outcome: ReviewOutcome) -> str:
    """"N of M units not reviewed" when some of the review's requests were answered and others
    failed, else "". A large file's later requests refused by the daily budget read "review of
    big.py not sent" over the findings of its first requests, as if none of it had been."""
    left = len(outcome.unanswered)
    if not left or _none_answered(outcome):
        return ""
    return f"{left} of {outcome.units} units not reviewed"


def _none_answered(outcome: ReviewOutcome) -> bool:
    """Whether units were sent and none got a complete answer. Units not sent for the
    server's context are no failed request: counted as one, a file whose one function was too
    large ended "incomplete; 0 findings shown, from the cache", and one whose other function
    was reviewed "incomplete; 1 finding shown", a review whose requests all failed."""
    return outcome.unanswered_asked > 0 and outcome.units_asked <= outcome.unanswered_asked


class OutcomeStatus:
    """Tells a review's end in the status, and pauses reviews (``paused``) on an error of the
    account's (a rejected key, no balance)."""

    def __init__(self, services: Services, paused: Paused) -> None:
        self.services = services
        self.paused = paused
        #: The keys the account's problems were told under: an answer forgets these alone, not
        #: a file's "not reviewed" notice, said once per file (``review:too-large:…``).
        self._told: set[str] = set()
        #: A 404 naming no model pauses reviews only where it is the base URL's for good.
        self.not_found = NotFoundOnce()
        #: A refusal every request may meet pauses that file's reviews, or every file's: the
        #: completions' rule (see _refusal), kept apart from theirs.
        self.refused = RefusedAlike()
        #: The status told for each file whose reviews its refusal paused, shown again at a
        #: save that sends nothing.
        self._file_refusals: dict[str, Status] = {}
        #: What is told off a review's way (see tell_prompt_cut), kept until done.
        self.telling: set[asyncio.Task[None]] = set()
        #: The files whose review's problem (failed, incomplete, paused) the status told last.
        self._problems: set[str] = set()

    def settings_changed(self) -> bool:
        """New settings: every refusal's pause is lifted; returns whether a file's was."""
        paused = bool(self._file_refusals)
        self.refused.settings_changed()
        self._file_refusals.clear()
        return paused

    def file_paused(self, uri: str) -> bool:
        """Whether ``uri``'s reviews on save are paused by its own refusal (its status told
        again)."""
        if not self.refused.file_paused(uri):
            self._file_refusals.pop(uri, None)
            return False
        if (told := self._file_refusals.get(uri)) is not None:
            self.services.status.set(told)
        return True

    def cost(self, outcome: ReviewOutcome, settings: Settings) -> None:
        """What the review's own requests cost (``outcome.cost_usd``), priced as the usage
        ledger prices them (a gateway's learned rate included: a gateway that reports no cost
        showed no figure while the usage view had one), with those of unknown cost counted in
        ``outcome.unknown_cost``; no figure for a model without a price that told none (a
        self-hosted one)."""
        ledger = getattr(self.services.models, "ledger", None)
        if ledger is None:
            return
        model = settings.review.model
        each = [ledger.billing.price(model, u) for u in outcome.usage]
        if not ledger.billing.prices.known(model) and not any(p.priced or p.unknown for p in each):
            return
        outcome.cost_usd = sum(p.cost for p in each)
        outcome.unknown_cost = sum(p.unknown for p in each)
        outcome.estimated_usd = sum(p.cost for p in each if p.estimated)

    def _refusal(self, outcome: ReviewOutcome, uri: str) -> tuple[ModelError | None, Scope]:
        """A refusal every request with these settings may meet (a wrong model name's 400, a
        gateway's 403) in a review none of whose requests was answered, and what it pauses:
        each save sent its review to meet it again. The completions' rule (RefusedAlike): before
        any review with the settings was answered, that file's, then every file's at the same
        refusal for another; after one, only the same refusal for two files pauses (Azure's
        content filter's 400 is one request's own). A model the server says it does not have
        (retired, unloaded) pauses them all, answered before or not. A proxy's 404 of a moment
        is this review's failure alone (see NotFoundOnce)."""
        if outcome.units_asked > outcome.unanswered_asked:
            return None, ""
        told = [e for e in outcome.errors if refuses_every_request(e)]
        error = next((e for e in told if names_missing_model(e)), told[0] if told else None)
        if error is None or self.not_found.passing(error, self.services.models):
            return None, ""
        if names_missing_model(error):
            return error, "all"
        return error, self.refused.pauses(error, uri, REFUSED_RECHECK_S)

    def report(self, outcome: ReviewOutcome, uri: str) -> None:
        status = self.services.status
        fatal, scope = outcome.fatal, "all"
        if fatal is None:
            fatal, scope = self._refusal(outcome, uri)
        elif self.not_found.passing(fatal, self.services.models):
            fatal = None  # a proxy's 404 of a moment (see NotFoundOnce)
        if outcome.units_asked > outcome.unanswered_asked:
            self.refused.answer(uri)
            self._file_refusals.pop(uri, None)
        if fatal is not None and scope == "file":
            # One file's refused content is not every file's: its saves stop asking, others' not.
            kind = "Warning" if self.refused.answered else "Error"
            message = f"review of {basename(uri)} paused: {fatal.user_message} {REFUSED_FILE_PAUSE}"
            self._file_refusals[uri] = told = Status(kind, message, "review", uri)
            status.set(told)
            self._problems.add(uri)
            if kind == "Error":  # nothing answered yet: likely the settings', told at once
                self._told.add(key := f"review:{fatal.kind_told}")
                status.tell_once(key, message, 1, fatal.cause_told)
            return
        if fatal is not None and scope == "all":
            # A refusal read as the settings' may be the file's own (a gateway's rule reading
            # its code): one review tries again a while later, not only after new settings.
            settings_read = fatal is not outcome.fatal and not names_missing_model(fatal)
            self.paused.pause(fatal, fatal.user_message, recheck_s=REFUSED_RECHECK_S if settings_read else None)
            status.set(Status("Error", f"review paused: {fatal.user_message}", "review"))
            self._told.add(key := f"review:{fatal.kind_told}")
            status.tell_once(key, fatal.user_message, 1, fatal.cause_told)
            return
        if outcome.units_asked > outcome.unanswered_asked and not self.paused.now():
            # Answered: the account's problem told is over (a top-up). Kept on record, its
            # words hid the next time the balance ran out, this feature's pop-up and the
            # completions' alike (one message, one pop-up while it stands). Not by an answer
            # to a request sent before another review's pause: the problem stands.
            for key in self._told:
                status.forget(key, ended=True)
            self._told.clear()
            self.not_found.forget()
        if outcome.errors:
            error: ModelError = outcome.errors[0]
            # Its retries are spent: nothing reviews the file again until it is saved again.
            message = error.final_message
            name = basename(uri)
            left = _left_unreviewed(outcome)
            if isinstance(error, BudgetExceeded):
                # Not sent, and saving again at once is refused again: "Raise the daily budget
                # setting to continue. Save again to retry" read as two ways out.
                if left:
                    text = f"review of {name} incomplete, {left}: {message} Then save the file again to review them."
                else:
                    text = f"review of {name} not sent: {message} Then save the file again to review it."
            elif left:
                text = f"review of {name} incomplete, {left}: {message} Save again to retry."
            else:
                text = f"review of {name} failed: {message} Save again to retry."
            status.set(Status("Warning", text, "review", uri))
            self._problems.add(uri)
            return
        if outcome.problems:
            # Named: "review: the model's answer was blank" said nothing of which file's.
            status.set(Status("Warning", f"review of {basename(uri)}: {outcome.problems[0]}", "review", uri))
            self._problems.add(uri)
            return
        self.over(uri, reviewed=True)
        current = status.current
        if current.feature == "config" and current.kind == "Error" and outcome.requests:
            # The missing key's (a refused endpoint sends nothing): a gateway in front of
            # DeepSeek that adds the key answered, yet the Error stayed over a clean file.
            status.set(Status("Normal", "", "review"))
        if outcome.stats.unplaced:
            log.info("review of %s: %s could not be placed", uri, counted(outcome.stats.unplaced, "finding"))

    def over(self, uri: str, *, reviewed: bool = False) -> None:
        """``uri``'s review problem is over: reviewed (``reviewed``: a review's problem of no
        file's, a pause, goes too), edited since its failed save's server answered again,
        closed. Only this file's own problem clears: another file's failed review stays shown
        (a good review of b.py hid a.py's failure, and a.py looked reviewed and clean)."""
        status = self.services.status
        current = status.current
        if current.feature == "review" and current.kind != "Normal" and current.uri in (("", uri) if reviewed else (uri,)):
            status.set(Status("Normal", "", "review"))
        elif uri in self._problems:
            # Its problem was told, and another status came since (b.py's failure, a file's
            # Inactive, the completions' Warning of the same outage, come and gone): VS Code,
            # keeping each file's status, showed "review of a.py failed... Save again to retry"
            # on a.py for good. Its own end said, then the status of now, which still stands
            # (and is what an editor showing one status shows).
            status.set(Status("Normal", "", "review", uri))
            status.set(current)
        self._problems.discard(uri)

    def tell_prompt_cut(self, outcome: ReviewOutcome, settings: Settings) -> None:
        """Told once where Ollama cut a review's prompt to its context (see model.prompt_read),
        off the review's way: its findings are not held for the server's answer."""
        client = getattr(self.services.models, "client", None)
        if client is None or not outcome.usage:
            return

        async def tell() -> None:
            told = await prompt_read.review_cut(client, settings.review.model, outcome.usage)
            if told:
                log.warning("%s", told)
                self.services.status.tell_once(f"prompt-read:review:{settings.review.model}", told, 2)

        task = asyncio.ensure_future(tell())
        self.telling.add(task)
        task.add_done_callback(self.telling.discard)


def basename(uri: str) -> str:
    # A notebook's combined document is its URI and a fragment: named as the notebook.
    return uri_to_path(uri).rstrip("/").rsplit("/", 1)[-1]
