"""The Review File and Review Again commands' answer: the review's counts and cost, or why
the file was not reviewed (closed, excluded, off, too large, the editor's settings or the
endpoint not usable, stopped by the user).
"""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

from ..features import Paused
from .flights import ReviewOutcome
from .publishing import FileState, Publisher
from .rules import ReviewRules


class Reviews(Protocol):
    """What the command needs of the reviews under way (``ReviewFeature``)."""

    def schedule(self, uri: str, *, force: bool = False) -> asyncio.Task[ReviewOutcome | None]: ...

    def stopped_by_user(self, task: asyncio.Task[Any]) -> bool: ...

    def failure(self, uri: str) -> str:
        """Why the last review of ``uri`` ended on an error of the server's own, or ""."""
        ...


class ReviewCommand:
    """Runs a review for the command and answers with its outcome or why there is none."""

    def __init__(self, reviews: Reviews, rules: ReviewRules, publisher: Publisher, paused: Paused) -> None:
        self.reviews = reviews
        self.rules = rules
        self.publisher = publisher
        self.paused = paused

    async def run(self, uri: str, *, force: bool) -> dict[str, Any]:
        doc, _ = self.publisher.view(uri)  # from a notebook's cell: the whole notebook
        if doc is None:
            return {"ok": False, "reason": "document is not open"}
        uri = doc.uri
        rules = self.rules
        # The reason is the answer; both editors show it (a message as well said it twice).
        refused = rules.refused(uri)
        if refused:
            return {"ok": False, "reason": refused}
        task = self.reviews.schedule(uri, force=force)
        try:
            outcome = await asyncio.shield(task)
        except asyncio.CancelledError:
            if task.cancelled():
                if self.reviews.stopped_by_user(task):
                    return {"ok": False, "reason": "cancelled"}
                # Closed, turned off or excluded meanwhile: "superseded by a newer review" was
                # said of a review that nothing replaced.
                return {"ok": False, "reason": rules.refused(uri) or "superseded by a newer review"}
            raise
        if outcome is None:
            reason = (
                self.reviews.failure(uri)
                or self.paused.now()
                or rules.refused(uri)
                or rules.unsettled()
                or rules.unsendable()
                or "not reviewed"
            )
            return {"ok": False, "reason": reason}
        return {
            "ok": not outcome.errors,
            "findings": len(self.publisher.files.get(uri, FileState()).tracked),
            # (one file's answer: its units went out, in its own request or one it took over)
            "unitsSent": len(outcome.sent_unit_ids | outcome.shared_unit_ids),
            "units": outcome.units,
            "problems": outcome.problems,
            "errors": [e.user_message for e in outcome.errors],
            # A review is the large model's work: what each save costs was only in the totals.
            "costUsd": outcome.cost_usd,
            # Requests a gateway billed without saying what: left out of costUsd.
            "unknownCost": outcome.unknown_cost,
            # The part of costUsd estimated at the model's list price (see Billing.price).
            "estimatedUsd": outcome.estimated_usd,
        }
