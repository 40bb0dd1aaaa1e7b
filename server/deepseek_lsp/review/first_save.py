"""A save that would send much code never reviewed asks first, saying what it may cost.

A save reviews every unit the cache has no answer for: the first save of a large file (one
never reviewed: checked out, pulled, opened for a one-line fix) sent all of it with no word
before (800 functions: 53,708 tokens, up to $0.07 of DeepSeek V4-Pro at its peak rate). Above
``ASK_ABOVE_TOKENS`` the user is asked, as for any spending they did not ask for: review it
all, or only the code changed since git's last commit (the pull request's view), or nothing
now. The answer holds for the file until the server stops, reopened too: asked again at every
save, the same question came every minute, and a file closed and opened again (a tab closed,
Neovim's ``:bd`` then ``:e``), or whose whole review failed, was asked of again. The Review File
command reviews it all, and once it has, a "Not now" file's saves review their changes. Not
kept across restarts: a review of it all leaves its answers in the cache, so a new session asks
only of code never reviewed. An editor that cannot be asked is told the estimate, and only the
changes are sent.
A model without a known price (a self-hosted server) costs nothing here: never asked.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any, Literal

from lsprotocol import types

from ..config import Settings
from ..documents import Document
from ..features import Services
from ..model.errors import review_file_command
from ..model.prices import list_price
from ..model.tokens import Counter
from ..privacy import uri_to_path
from .engine import ReviewEngine
from .outcome_status import basename
from .prompt import batch_units, build_messages
from .units import extract_units

log = logging.getLogger(__name__)

#: Prompt tokens a save may send unasked (about $0.04 of DeepSeek V4-Pro at its peak rate,
#: every token a cache miss): a file of some 1,500 lines never reviewed.
ASK_ABOVE_TOKENS = 30_000
REVIEW_ALL = "Review all"
ONLY_CHANGES = "Only my changes"
NOT_NOW = "Not now"


@dataclass(frozen=True)
class Estimate:
    """What a review of the units without a cached answer would send."""

    units: int
    tokens: int
    #: At the model's list price at its peak rate, every token a cache miss: at most.
    dollars: float

    def question(self, name: str, model: str, changed: int | None, since: str = "git's last commit") -> str:
        """The question a save asks of the file ``name`` (see ``_shown``), ``changed`` the units
        changed since ``since`` (the last commit; outside a repository, the file's opening)."""
        only = (
            f" {changed} of them changed since {since} ({ONLY_CHANGES!r} reviews those)."
            if changed is not None
            else ""
        )
        return (
            f"Review all of {name} on save? {self.units} functions and blocks were never reviewed: "
            f"about {self.tokens:,} tokens to {model}, up to ${self.dollars:.2f}.{only}"
        )


def estimate(
    engine: ReviewEngine,
    doc: Document,
    settings: Settings,
    counter: Counter,
    *,
    path: str,
    roots: Sequence[Path],
    ignored: frozenset[str],
) -> Estimate | None:
    """What a save of ``doc`` would send, when it is more than ``ASK_ABOVE_TOKENS`` of a
    model with a price (None otherwise)."""
    price = list_price(settings.review.model)
    if price is None or len(doc.data) <= ASK_ABOVE_TOKENS:
        return None  # (a token is a byte at the least: a small file is not even parsed)
    _, missing = engine.cached_review(doc, settings, ignored=ignored, roots=roots)
    if missing is not None and sum(len(u.text) for u in missing) <= ASK_ABOVE_TOKENS:
        return None  # (reviewed: its units are neither extracted again nor counted)
    file_units = extract_units(doc)
    units = file_units.units if missing is None else missing
    if sum(len(u.text) for u in units) <= ASK_ABOVE_TOKENS:
        return None
    # Each text counted once: every request's system prompt is the same, and was tokenized
    # again for each of a large file's few dozen requests.
    counted: dict[str, int] = {}

    def count(text: str) -> int:
        if text not in counted:
            counted[text] = counter.count(text)
        return counted[text]

    tokens = sum(
        count(message["content"])
        for batch in batch_units(units)
        for message in build_messages(doc, path, file_units, batch, redact_secrets=settings.redact_secrets)
    )
    if tokens <= ASK_ABOVE_TOKENS:
        return None
    return Estimate(len(units), tokens, price.peak.dollars(0, tokens, 0))


def _shown(uri: str, path: str, roots: Sequence[PurePath]) -> str:
    """The file as a question names it: by ``path``, its path in its workspace folder, that
    folder's name first where there are several (two folders' ``app/handlers.py`` saved at
    once were asked of as "handlers.py" both, and the user answered not knowing which)."""
    if len(roots) < 2:
        return path if "/" in path else basename(uri)
    file = uri_to_path(uri)
    # As paths, not text: on Windows a folder is C:\work\api and the URI's path c:/work/api/...,
    # and no folder's name was ever shown.
    folder = next((r for r in roots if _within(type(r)(file), r) == path), None)
    return f"{folder.name}/{path}" if folder is not None else path


def _within(file: PurePath, root: PurePath) -> str | None:
    """``file``'s path in ``root`` with slashes (as ``label_path`` writes it), None outside it."""
    try:
        return file.relative_to(root).as_posix()
    except ValueError:
        return None


def _units_with(doc: Document, lines: set[int]) -> int:
    """How many of ``doc``'s units hold one of ``lines``."""
    return sum(1 for u in extract_units(doc).units if any(u.contains_line(n) for n in lines))


#: The editor could not be asked (it declares no ``window/showMessageRequest``, or failed it).
_CANNOT_ASK = object()


class FirstSaves:
    """Asks before a save sends more than ``ASK_ABOVE_TOKENS``, and keeps each file's answer
    for the session; one question per file at a time, whose answer every save made while it is
    open goes by."""

    def __init__(self, services: Services) -> None:
        self.services = services
        #: The open question's answer per file: a task of its own, which a save superseded by
        #: the next one does not take down with it.
        self._asking: dict[str, asyncio.Task[object]] = {}
        #: Files the user answered "Review all" for, with the model the question named: their
        #: saves send every unit without a cached answer, as any save does (its review failed,
        #: they were asked again); another model's cost was never asked (all sent to it).
        self._review_all: dict[str, str] = {}
        self._only_changes: set[str] = set()
        #: Files the user answered "Not now" for: not asked again, nor sent, on save.
        self._not_now: set[str] = set()

    def reviewed_all(self, uri: str) -> None:
        """The whole file was reviewed on the user's command: its saves review their changes
        again, "Not now" no longer holding."""
        self._not_now.discard(uri)

    async def choose(
        self,
        server: Any,
        engine: ReviewEngine,
        snapshot: Document,
        settings: Settings,
        counter: Counter,
        changed: Callable[[], Awaitable[set[int] | None]],
        *,
        since: Callable[[], str] = lambda: "git's last commit",
        path: str,
        roots: Sequence[Path],
        ignored: frozenset[str],
    ) -> set[int] | Literal[False] | None:
        """The lines whose units a save sends (None: every unit without a cached answer, as
        any save; False: none). ``changed``: the lines of the units changed since git's last
        commit, outside a repository since the file was opened (None where there is neither),
        ``since`` which of the two, once ``changed`` has answered."""
        uri = snapshot.uri
        if self._review_all.get(uri) == settings.review.model:
            return None
        if uri in self._only_changes:
            lines = await changed()
            if lines is not None:
                return lines
        open_question = self._asking.get(uri)
        if open_question is not None:
            # Saved again while the question is open: this save (the file's newest text) goes
            # by its answer. Dropped, the edits since were reviewed at no save until the next,
            # and the superseded save's wait was cancelled: the user's answer reviewed nothing.
            answer = await asyncio.shield(open_question)
            return self._chosen(uri, answer, await changed(), _shown(uri, path, roots), settings.review.model)
        if uri in self._not_now:
            # Before the estimate: worked out first, it cost 0.3 s of CPU at each save of a
            # 2,000-function file, to send nothing. Review File takes the answer back.
            return False
        # Off the event loop: a 10,000-line module's parse, cache look-ups and token counts held
        # it 2 to 5 seconds at each save, every keystroke's completion waiting behind them.
        found = await asyncio.to_thread(
            estimate, engine, snapshot, settings, counter, path=path, roots=roots, ignored=ignored
        )
        if found is None:
            return None
        lines = await changed()
        units = None if lines is None else await asyncio.to_thread(_units_with, snapshot, lines)
        shown = _shown(uri, path, roots)
        question = found.question(shown, settings.review.model, units, since())
        asking = asyncio.ensure_future(_ask(server, question, with_changes=lines is not None))
        self._asking[uri] = asking
        asking.add_done_callback(lambda t: self._asking.pop(uri, None) if self._asking.get(uri) is t else None)
        answer = await asyncio.shield(asking)
        if answer is _CANNOT_ASK:
            then = "only the changes are reviewed on save" if lines is not None else "nothing is sent on save"
            self.services.status.tell_once(
                f"review:first-save:{uri}", f"{question} Not asked ({then}); {review_file_command()} reviews it all.", 3
            )
        return self._chosen(uri, answer, lines, shown, settings.review.model)

    def _chosen(
        self, uri: str, answer: object, lines: set[int] | None, shown: str, model: str
    ) -> set[int] | Literal[False] | None:
        """What a save sends by the user's ``answer``, ``lines`` its units changed since git's
        last commit; ``shown``: the file as the question named it."""
        if answer == REVIEW_ALL:
            self._review_all[uri] = model
            return None
        if answer is _CANNOT_ASK:
            return False if lines is None else lines
        if answer == ONLY_CHANGES and lines is not None:
            self._only_changes.add(uri)
            return lines
        if answer == NOT_NOW:
            self._not_now.add(uri)
            self.services.status.tell_once(
                f"review:not-now:{uri}",
                f"{shown} is not reviewed on save until the server restarts (you chose {NOT_NOW!r}); "
                f"{review_file_command()} reviews it all, and its saves after that review their changes.",
                3,
            )
        return False


async def _ask(server: Any, question: str, *, with_changes: bool) -> object:
    """The title of the action the user chose (None: dismissed), or ``_CANNOT_ASK``."""
    caps = getattr(server, "client_capabilities", None)
    window = getattr(caps, "window", None)
    if server is None or window is None or window.show_message is None:
        return _CANNOT_ASK
    titles = [REVIEW_ALL, ONLY_CHANGES, NOT_NOW] if with_changes else [REVIEW_ALL, NOT_NOW]
    params = types.ShowMessageRequestParams(
        type=types.MessageType.Info,
        message=f"DeepSeek: {question}",
        actions=[types.MessageActionItem(title=t) for t in titles],
    )
    try:
        chosen = await server.window_show_message_request_async(params)
    except Exception:  # (an editor that answers it with an error)
        log.debug("window/showMessageRequest failed", exc_info=True)
        return _CANNOT_ASK
    return chosen.title if chosen is not None else None
