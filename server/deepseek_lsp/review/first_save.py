"""A save that would send much code never reviewed asks first, saying what it may cost.

A save reviews every unit the cache has no answer for: the first save of a large file (one
never reviewed: checked out, pulled, opened for a one-line fix) sent all of it with no word
before (800 functions: 53,708 tokens, up to $0.07 of DeepSeek V4-Pro at its peak rate). Above
``ASK_ABOVE_TOKENS`` the user is asked, as for any spending they did not ask for: review it
all, or only the code changed since git's last commit (the pull request's view), or nothing
now. The answer holds for the file until the server stops, reopened and renamed too: asked again at every
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
from dataclasses import dataclass, field
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
    return f"{_folder_name(folder, roots)}/{path}" if folder is not None else path


def _folder_name(folder: PurePath, roots: Sequence[PurePath]) -> str:
    """``folder``'s name, with as many of the folders above it as tell it from the other
    ``roots`` (a monorepo's ``frontend/src`` and ``backend/src``: both were "src")."""
    for depth in range(1, len(folder.parts)):
        name = folder.parts[-depth:]
        if sum(r.parts[-depth:] == name for r in roots) < 2:
            return "/".join(name)
    return folder.as_posix()


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
#: The save would send no more than ``ASK_ABOVE_TOKENS``: nothing to ask.
_NO_QUESTION = object()


@dataclass(frozen=True)
class _Answer:
    """The user's latest answer for a file: ``title``, and for "Review all" the models the
    questions it answered named."""

    title: str
    models: frozenset[str] = frozenset()


@dataclass
class _Question:
    """A question open for a file (its estimate first): the model it names, the file's name
    now (renamed while it is open, the answer is the new name's), the save's text, the user's
    answer."""

    model: str
    uri: str
    #: The text of the save it works out: a save of another text (its own code pasted since)
    #: is not sent unasked on its "too little to ask".
    data: bytes
    answer: asyncio.Future[object] = field(init=False)  # (set as it opens: see ``_open``)


@dataclass(frozen=True)
class _Save:
    """What a question works out its estimate from (see ``FirstSaves.choose``)."""

    server: Any
    engine: ReviewEngine
    snapshot: Document
    settings: Settings
    counter: Counter
    changed: Callable[[], Awaitable[set[int] | None]]
    since: Callable[[], str]
    path: str
    #: The file as the question names it (see ``_shown``).
    shown: str
    roots: Sequence[Path]
    ignored: frozenset[str]


class FirstSaves:
    """Asks before a save sends more than ``ASK_ABOVE_TOKENS``, and keeps each file's latest
    answer for the session; one question per file at a time, whose answer every save made
    while it is open (or its estimate worked out) goes by."""

    def __init__(self, services: Services) -> None:
        self.services = services
        #: The open question per file, its estimate included: a task of its own, which a save
        #: superseded by the next one does not take down with it. Held from before the
        #: estimate: two saves made while it was worked out (2 to 5 s) both asked.
        self._asking: dict[str, _Question] = {}
        #: The latest answer per file, which it holds till the server stops (one answer: a
        #: "Not now" after another model's "Review all" was not kept when that model came
        #: back, and the file said "not reviewed on save" was reviewed).
        self._answers: dict[str, _Answer] = {}

    def reviewed_all(self, uri: str) -> None:
        """The whole file was reviewed on the user's command: its saves review their changes
        again, "Not now" no longer holding."""
        if (answer := self._answers.get(uri)) is not None and answer.title == NOT_NOW:
            del self._answers[uri]

    def renamed(self, old: str, new: str) -> None:
        """``old``, a file or a folder, is ``new`` now: its files' answers go with them. Kept
        by name, a file renamed was asked again, and a new file saved under the old name went
        by the answer, "Not now" leaving it unreviewed, unsaid."""
        head, to = old.rstrip("/") + "/", new.rstrip("/") + "/"

        def now(uri: str) -> str:
            return new if uri == old else to + uri[len(head) :]

        for uri in [u for u in self._answers if u == old or u.startswith(head)]:
            self._answers[now(uri)] = self._answers.pop(uri)
        for uri in [u for u in self._asking if u == old or u.startswith(head)]:
            question = self._asking.pop(uri)
            question.uri = now(uri)
            self._asking[question.uri] = question

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
        uri, model = snapshot.uri, settings.review.model
        known: list[set[int] | None] = []

        async def changed_once() -> set[int] | None:
            # (counted once a save: a 660 kB file's chunks take half a second)
            if not known:
                known.append(await changed())
            return known[0]

        while True:
            held = self._answers.get(uri)
            if held is not None and held.title == REVIEW_ALL and model in held.models:
                return None
            if held is not None and held.title == ONLY_CHANGES:
                lines = await changed_once()
                if lines is not None:
                    return lines
            question = self._asking.get(uri)
            if question is None and held is not None and held.title == NOT_NOW:
                # Before the estimate: worked out first, it cost 0.3 s of CPU at each save of
                # a 2,000-function file, to send nothing. Review File takes the answer back.
                return False
            if question is None:
                save = _Save(
                    server, engine, snapshot, settings, counter, changed_once, since,
                    path=path, shown=_shown(uri, path, roots), roots=roots, ignored=ignored,
                )
                question = self._open(_Question(model, uri, snapshot.data), save)
            # Saved again while the question is open (or its estimate worked out): this save
            # (the file's newest text) goes by its answer. Dropped, the edits since were
            # reviewed at no save until the next, and the superseded save's wait was
            # cancelled: the user's answer reviewed nothing.
            answer = await asyncio.shield(question.answer)
            uri = question.uri  # (renamed meanwhile: the answer is kept for its new name)
            if answer is _NO_QUESTION and question.model == model and question.data == snapshot.data:
                return None
            if answer is _CANNOT_ASK:
                lines = await changed_once()
                return False if lines is None else lines
            if answer not in (REVIEW_ALL, ONLY_CHANGES, NOT_NOW, _NO_QUESTION):
                return False  # dismissed: nothing sent, asked again at the next save
            # Answered (kept), or of another model: this save goes by the answer for its own
            # model ("Review all" of deepseek-v4-flash sent the whole file to deepseek-v4-pro,
            # switched to while the question was open, unasked).

    def _open(self, question: _Question, save: _Save) -> _Question:
        """``question``, of ``save``, worked out and asked, open for its file till answered."""
        question.answer = answer = asyncio.ensure_future(self._ask_first(question, save))
        self._asking[question.uri] = question
        answer.add_done_callback(
            lambda _: self._asking.pop(question.uri, None) if self._asking.get(question.uri) is question else None
        )
        return question

    async def _ask_first(self, question: _Question, save: _Save) -> object:
        """The user's answer to ``question``, of ``save`` (kept for the file), ``_NO_QUESTION``
        where it sends too little to ask, or ``_CANNOT_ASK``."""
        model, shown = save.settings.review.model, save.shown
        # Off the event loop: a 10,000-line module's parse, cache look-ups and token counts held
        # it 2 to 5 seconds at each save, every keystroke's completion waiting behind them.
        found = await asyncio.to_thread(
            estimate, save.engine, save.snapshot, save.settings, save.counter,
            path=save.path, roots=save.roots, ignored=save.ignored,
        )
        if found is None:
            return _NO_QUESTION
        lines = await save.changed()
        units = None if lines is None else await asyncio.to_thread(_units_with, save.snapshot, lines)
        asked = found.question(shown, model, units, save.since())
        answer = await _ask(save.server, asked, with_changes=lines is not None)
        uri = question.uri
        if answer is _CANNOT_ASK:
            then = "only the changes are reviewed on save" if lines is not None else "nothing is sent on save"
            self.services.status.tell_once(
                f"review:first-save:{uri}", f"{asked} Not asked ({then}); {review_file_command()} reviews it all.", 3
            )
        elif answer == REVIEW_ALL:
            held = self._answers.get(uri)
            models = held.models if held is not None and held.title == REVIEW_ALL else frozenset()
            self._answers[uri] = _Answer(REVIEW_ALL, models | {model})
        elif answer == ONLY_CHANGES and lines is not None:
            self._answers[uri] = _Answer(ONLY_CHANGES)
        elif answer == NOT_NOW:
            self._answers[uri] = _Answer(NOT_NOW)
            self.services.status.tell_once(
                f"review:not-now:{uri}",
                f"{shown} is not reviewed on save until the server restarts (you chose {NOT_NOW!r}); "
                f"{review_file_command()} reviews it all, and its saves after that review their changes.",
                3,
            )
        else:
            return None  # dismissed, or a title not offered
        return answer


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
