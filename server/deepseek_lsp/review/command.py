"""The Review File and Review Again commands' answer: the review's counts and cost, or why
the file was not reviewed (closed, excluded, off, too large, the editor's settings or the
endpoint not usable, stopped by the user).
"""

from __future__ import annotations

import asyncio
import weakref
from typing import Any

from ..features import Paused, Services
from ..privacy import is_excluded
from .publishing import _FileState


class ReviewCommand:
    """The review commands' answers (a part of ``ReviewFeature``, which sets these)."""

    services: Services
    _files: dict[str, _FileState]
    _paused: Paused
    _failed: dict[str, str]
    _stopped_by_user: weakref.WeakSet[asyncio.Task[Any]]

    def _refused(self, uri: str) -> str:
        """Why the document ``uri`` is not reviewed now, or ""."""
        doc = self.services.documents.get(uri)
        if doc is None:
            return "the file was closed before its review ended"
        if is_excluded(uri, self.settings.exclude):
            return "this file is excluded from review by the exclude setting"
        if self._mode(uri) == "off":
            return "code review is off (review.mode)"
        too_large = self._too_large(doc)
        if too_large:
            return too_large
        if self._no_code(doc):
            return "this notebook has no code cells to review"
        return ""

    async def run_command(self, uri: str, *, force: bool) -> dict[str, Any]:
        doc, _ = self._view(uri)  # from a notebook's cell: the whole notebook
        if doc is None:
            return {"ok": False, "reason": "document is not open"}
        uri = doc.uri
        # The reason is the answer; both editors show it (a message as well said it twice).
        refused = self._refused(uri)
        if refused:
            return {"ok": False, "reason": refused}
        task = self.schedule(uri, force=force)
        try:
            outcome = await asyncio.shield(task)
        except asyncio.CancelledError:
            if task.cancelled():
                if task in self._stopped_by_user:
                    return {"ok": False, "reason": "cancelled"}
                # Closed, turned off or excluded meanwhile: "superseded by a newer review" was
                # said of a review that nothing replaced.
                return {"ok": False, "reason": self._refused(uri) or "superseded by a newer review"}
            raise
        if outcome is None:
            reason = (
                self._failed.get(uri)
                or self._paused.now()
                or self._refused(uri)
                or self._unsettled()
                or self._unsendable()
                or "not reviewed"
            )
            return {"ok": False, "reason": reason}
        return {
            "ok": not outcome.errors,
            "findings": len(self._files.get(uri, _FileState()).tracked),
            "unitsSent": outcome.units_sent,
            "units": outcome.units,
            "summary": " ".join(outcome.summaries),
            "problems": outcome.problems,
            "errors": [e.user_message for e in outcome.errors],
            # A review is the large model's work: what each save costs was only in the totals.
            "costUsd": outcome.cost_usd,
            # Requests a gateway billed without saying what: left out of costUsd.
            "unknownCost": outcome.unknown_cost,
            # The part of costUsd estimated at the model's list price (see Ledger.price).
            "estimatedUsd": outcome.estimated_usd,
        }

    def _unsettled(self) -> str:
        """Why a review waits for the editor's settings (see ``_review_now``), or ""."""
        if not self.services.configured.is_set():
            return "the editor's settings have not arrived"
        if self.services.settings_unknown:
            return f"not sent: {self.services.settings_unknown}; review the file again to ask the editor for them again"
        return ""

    def _unsendable(self) -> str:
        """Why no review can be sent to the endpoint the settings name (a plain http:// one
        refused, a base URL that is none), or "". The Review File command answered "not
        reviewed" for it, which both editors show as it is: the way out was in the status only."""
        models = self.services.models
        if getattr(models, "client", None) is not None:
            return ""
        return getattr(models, "config_error", "") or "no model client is configured"
