"""Whether completions can be asked for, and how the backend is answering them: the
settings that turn a document off, a pause after the backend refused, and the "answering
slowly" Warning judged from first-token times and from waits the next key cut short."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

from ..context import display_path
from ..documents import Document
from ..editor_settings import WAITING_FOR_SETTINGS
from ..features import NotFoundOnce, Paused, Services
from ..model.errors import ModelError, names_missing_model, provider_name, refuses_every_request
from ..model.reachability import Backoff
from ..privacy import is_excluded
from ..refusals import RefusedAlike
from ..status import Kind, Status
from .debounce import Debouncer

log = logging.getLogger(__name__)

#: The backend is slow (status Warning) when its first tokens take this long on average (Tabby's
#: rule): a block's whole stream takes seconds on a healthy backend.
SLOW_ANSWER_S = 5.0
#: Why a document gets no completions: the toggle is off.
TURNED_OFF = "completions are turned off"
#: Turned off by the settings of the file's folder in a multi-root workspace.
FOLDER_TURNED_OFF = "completions are turned off in this folder's settings"
#: A transient failure (a 429, a 500, a broken stream) met after answers is told in a pop-up only
#: if no answer came in this long: the next key's answer 70 ms later left a lasting pop-up on a
#: problem already gone (the status tells the glitch).
GLITCH_GRACE_S = 3.0
#: A rate limit's Warning, its wait over after keys typed meanwhile, waits this long more for
#: their next request to tell whether the limit is over (see _ready_after_the_wait).
RATE_LIMIT_GRACE_S = 2.0
#: A cursor line longer than this (a minified bundle, a one-line data file) gets no suggestion:
#: one there is seldom wanted, and each key typed in a 330 kB line cost ~0.66 s of the server
#: on a loaded machine.
LONG_LINE_BYTES = 100_000
#: How long a refusal every request meets (see RefusedAlike) pauses completions before one
#: request tries again: the user may mend it elsewhere (a gateway's access rule), as a top-up.
REFUSED_RECHECK_S = 60.0
#: Said after such a refusal's message: completions stopped, and what brings them back.
REFUSED_PAUSE = "Completions are paused: one request tries again in a minute, and new settings try at once."
#: The same where one file's requests met it (other files' are still asked).
REFUSED_FILE_PAUSE = (
    "Completions in this file are paused: one request tries again in a minute, other files are "
    "asked, and new settings try at once."
)
#: Said after an unreachable backend's message: the keys typed ask it again now and then.
UNREACHABLE_BACKOFF = "Suggestions try again by themselves; one asked for tries at once."


def _long_line(doc: Document, offset: int) -> str:
    """Why the cursor's line at ``offset`` is too long for a suggestion, or ''."""
    line = doc.line_at(offset)
    size = doc.line_end(line) - doc.line_start(line)
    if size <= LONG_LINE_BYTES:
        return ""
    return (
        f"this line is {round(size / 1000)} kB long (minified code or data?): "
        f"no suggestions on lines over {LONG_LINE_BYTES // 1000} kB"
    )


class BackendHealth:
    """The completion feature's status: why a document gets no completions, and whether the
    backend answers, slowly or not at all."""

    def __init__(self, services: Services, debouncer: Debouncer) -> None:
        self.services = services
        #: The first-token times are the debouncer's: it paces requests by them too.
        self.debouncer = debouncer
        self.paused = Paused()
        #: A request waited past the slow threshold (``slow_s``) with no token before the next
        #: key cancelled it, and no answer has come quickly since: typing on, the user got no
        #: answer to time the backend by, so neither suggestions nor the slow Warning.
        self.waited_unanswered = False
        #: Counts the changes of backend (endpoint, key, model): a wait on the one before is
        #: not the current one's.
        self.epoch = 0
        self.stopping = False
        #: A 404 naming no model pauses only where it is the base URL's for good.
        self.not_found = NotFoundOnce()
        #: A refusal every request meets pauses completions (a gateway's 403 at each key).
        self.refused = RefusedAlike()
        #: The status told for each file paused by a refusal of its own (see RefusedAlike).
        self._file_refusals: dict[str, tuple[Kind, str]] = {}
        #: The keys typed while the backend cannot be reached wait out its back-off.
        self.backoff = Backoff()
        #: Ends a Retry-After's Warning when its wait is over (see _ready_after_the_wait).
        self._wait_over: asyncio.TimerHandle | None = None
        #: A key asked for a suggestion during that wait (the user is typing).
        self._asked_in_wait = False
        #: Answers so far, and the pop-up of a glitch waiting for GLITCH_GRACE_S to pass with none.
        self._answers = 0
        self._glitch_told: asyncio.TimerHandle | None = None
        self._glitch = ("", "", "")

    def backend_changed(self) -> None:
        """The endpoint, key or model changed."""
        if self.paused.reason or self._file_refusals:
            # The key or endpoint changed: the problem that turned completions off may be gone.
            self.paused.clear()
            self.services.status.set(Status("Normal", "", "completion"))
        self.services.status.forget("completion:")
        # The old backend's first-token times made the new one "answering slowly": the
        # Warning stayed, then came back after its quick answers, named after it.
        self.debouncer.forget_latencies()
        self.waited_unanswered = False
        self.not_found.forget()
        self.refused.settings_changed()
        self._file_refusals.clear()
        self.backoff.reached()  # another backend: asked at once
        self.epoch += 1
        self._cancel_timer("_wait_over")
        self._cancel_timer("_glitch_told")
        current = self.services.status.current
        if current.feature == "completion" and current.kind == "Warning":
            self.services.status.set(Status("Normal", "", "completion"))

    def inactive_reason(self, doc: Document) -> str:
        """Why the settings give this document no completions, or ''."""
        s = self.services.settings_for(doc.uri)
        if not s.completion.enable:
            return TURNED_OFF if not self.services.settings.completion.enable else FOLDER_TURNED_OFF
        if not s.language_enabled(doc.language_id, doc.language.name if doc.language else None):
            return f"completions are off for {doc.language_id or 'this language'}"
        if is_excluded(doc.uri, s.exclude):
            return f"{display_path(doc.uri)} matches an exclusion pattern; nothing is sent"
        if len(doc) > s.completion.max_file_bytes:
            return f"{display_path(doc.uri)} is larger than {s.completion.max_file_bytes} bytes; nothing is sent"
        return ""

    async def unsettled(self, doc: Document, *, invoked: bool) -> str:
        """Why nothing is sent while the editor's settings are unknown (its pull went unanswered),
        or '': the defaults have none of the user's exclusions, and a file one names, open at
        start-up, was sent whole. A suggestion asked for asks the editor again, as a review does."""
        if self.services.settings_refused:
            return ""
        if self.services.settings_unknown and invoked:
            await self.services.pull_settings()
        reason = self.services.settings_unknown
        if reason:
            message = f"{WAITING_FOR_SETTINGS}{reason}; ask for a suggestion to ask the editor again"
            self.services.status.set(Status("Warning", message, "completion", doc.uri))
        return reason

    def _enabled_in_a_folder(self) -> bool:
        return any(s.completion.enable for s in self.services.folder_settings.values())

    def status_for(self, doc: Document, offset: int | None = None, *, invoked: bool = False) -> str:
        """Why this document (with the cursor at ``offset``; ``invoked``: for a suggestion the
        user asked for) gets no completions (also sent as an Inactive status), or ''."""
        reason = self.inactive_reason(doc) or (_long_line(doc, offset) if offset is not None else "")
        paused = self.paused.now()
        # A file's own refusal spares the keys typed, not an ask (the line mended meanwhile).
        if not reason and not paused and not invoked and self.refused.file_paused(doc.uri):
            told = self._file_refusals.get(doc.uri)
            if told is not None:
                self.services.status.set(Status(told[0], told[1], "completion", doc.uri))
            return told[1] if told is not None else REFUSED_FILE_PAUSE
        if self.backoff.waiting() and self._fim_server_answered():
            # A review's (or any) answer from the same server since: it is back, ask it now
            # (the keys typed waited up to 16 s more).
            self.backoff.reached()
        if not reason and not paused and not invoked and (waiting := self.backoff.waiting()):
            # Typing on while the backend is unreachable: no connect per key (see Backoff).
            self.services.status.set(Status("Warning", waiting, "completion"))
            return waiting
        if not reason and paused:
            self._asked_in_wait = True
            # Shown again where another status replaced it (an excluded file's Inactive): the
            # editor showed nothing wrong while completions stayed off.
            self.services.status.set(Status(self.paused.kind, paused, "completion"))
            return paused
        if reason:
            # Turned off is everyone's state, not this file's (shown for every file), unless a
            # folder of a multi-root workspace turns them on for its own files.
            uri = "" if reason == TURNED_OFF and not self._enabled_in_a_folder() else doc.uri
            self.services.status.set(Status("Inactive", reason, "completion", uri))
        elif refused := getattr(self.services.models, "config_error", ""):
            # The endpoint settings are refused (plain http:// to another host): nothing can be
            # sent. Shown again where an Inactive replaced it, which then turned Normal.
            self.services.status.set(Status("Error", refused, "config"))
        elif self.services.status.current.kind == "Inactive" and self.services.status.current.feature == "completion":
            self.services.status.set(Status("Normal", "", "completion"))
        return reason

    def _fim_server_answered(self) -> bool:
        """Whether the completions' server answered any request since the back-off began."""
        client = self.services.models.client
        if client is None:
            return False
        return client.unreached.answered_since(client.config.fim_base, self.backoff.failed_at)

    def failed(self, exc: ModelError, uri: str = "") -> None:
        """``exc`` met by a request for ``uri`` ('': not known)."""
        status = self.services.status
        passing = self.not_found.passing(exc, self.services.models)  # (its message says so)
        message = exc.user_message
        if exc.unreachable:
            message = f"{message} {UNREACHABLE_BACKOFF}"
            self.backoff.failed(message)
        # In the log too, once per change of what is wrong (a log of why suggestions stopped,
        # for bug reports), not once per keystroke. The message is already free of the key.
        if status.current.message != message:
            log.warning("completion request failed: %s", message)
        if passing:
            # A proxy's 404 of a moment (a backend being replaced) paused completions for a
            # minute: told in the status alone, and the next key asks again.
            status.set(Status("Warning", message, "completion"))
            return
        # A model the server does not have (DeepSeek's 400 "Model Not Exist": retired, or a
        # name mistyped) refuses every key's request alike: each was sent again to meet it.
        refused = self.refused.pauses(exc, uri, REFUSED_RECHECK_S)
        if refused == "file":
            # One file's refused content is not every file's: its keys stop asking, others' not.
            kind: Kind = "Warning" if self.refused.answered else "Error"
            message = f"{message} {REFUSED_FILE_PAUSE}"
            self._file_refusals[uri] = (kind, message)
            status.set(Status(kind, message, "completion", uri))
            if kind == "Error":  # nothing answered yet: likely the settings', told at once
                status.tell_once(f"completion:{exc.kind_told}", message, 1, exc.cause_told)
            return
        if exc.disables_feature or names_missing_model(exc) or refused == "all":
            if exc.disables_feature or names_missing_model(exc):
                self.paused.pause(exc, message)
            else:
                message = f"{message} {REFUSED_PAUSE}"
                self.paused.pause(exc, message, recheck_s=REFUSED_RECHECK_S)
            status.set(Status("Error", message, "completion"))
            status.tell_once(f"completion:{exc.kind_told}", message, 1, exc.cause_told)
        else:
            if exc.retry_after:  # 429 (or 503) with Retry-After: the server asked for quiet
                self.paused.pause(exc, message)
                self._ready_after_the_wait(exc.retry_after, message)
            status.set(Status("Warning", message, "completion"))
            if not refuses_every_request(exc):
                # A first refusal of the settings after answers is told in the status alone: a
                # pop-up comes with the pause, should the next request meet it too.
                # Told under the error's own words: a review's pop-up of the same cause is one.
                self._tell_unless_answered(f"completion:{exc.kind_told}", message, exc.cause_told or exc.user_message)

    def _tell_unless_answered(self, key: str, message: str, cause: str) -> None:
        """The pop-up of a transient failure: at once before any answer (a server not running,
        the settings'), else once GLITCH_GRACE_S passed with no answer and its Warning still
        shown."""
        status = self.services.status
        if not self._answers:
            status.tell_once(key, message, 2, cause)
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            status.tell_once(key, message, 2, cause)
            return
        # The latest failure is told; the grace runs from the first (keys typed on at a dead
        # backend must not put the pop-up off for good).
        self._glitch = (key, message, cause)
        if self._glitch_told is not None:
            return
        answers = self._answers

        def lasted() -> None:
            self._glitch_told = None
            key, message, cause = self._glitch
            current = status.current  # (a review's status may show over the Warning)
            if current.feature == "completion" and current.message != message:
                return  # another state since (Ready again at a Retry-After's end)
            if self._answers == answers and not self.stopping:
                status.tell_once(key, message, 2, cause)

        self._glitch_told = loop.call_later(GLITCH_GRACE_S, lasted)

    def _ready_after_the_wait(self, wait_s: float, message: str) -> None:
        """Shows Normal again once the server's asked-for quiet is over, if its Warning is still
        the status: "requests will resume shortly" stayed until the next key (12 s and more in a
        real VS Code after a 1 s wait), though requests had resumed. Keys typed during the
        wait put it off by RATE_LIMIT_GRACE_S, for their next request to tell: the server
        limiting request after request (a burst of 429s), the status went Normal at each wait's
        end and Warning again at the next key's 429, every 2 s."""
        self._cancel_timer("_wait_over")
        self._asked_in_wait = False
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # (a unit test's call with no loop: nothing to schedule on)
            return

        def over() -> None:
            self._wait_over = None
            current = self.services.status.current
            if current.feature != "completion" or current.message != message or self.paused.now():
                return
            if self._asked_in_wait:
                # Their next request's answer says Normal, its 429 the same Warning again (a
                # new wait); a user who stopped typing meanwhile sees Normal after the grace.
                self._asked_in_wait = False
                self._wait_over = loop.call_later(RATE_LIMIT_GRACE_S, over)
                return
            self.services.status.set(Status("Normal", "", "completion"))

        # Past the pause's own end (time.monotonic, as the loop's clock), never before it.
        self._wait_over = loop.call_later(wait_s + 0.05, over)

    def _cancel_timer(self, name: str) -> None:
        timer: asyncio.TimerHandle | None = getattr(self, name)
        if timer is not None:
            timer.cancel()
            setattr(self, name, None)

    def slow_s(self) -> float:
        """How long a wait for the first token is slow: half the time limit at most. By default
        the limit is SLOW_ANSWER_S (5 s) and no request waits past its limit: no wait, nor any
        first token, was ever counted slow."""
        return min(SLOW_ANSWER_S, self.services.settings.completion.timeout_s / 2)

    def answered(self, first_token: float | None) -> None:
        """The backend answered, its first token after ``first_token`` seconds; None: after a
        wait for the model's load, which says nothing of how fast it answers, but that it does
        (skipped, the failure's Warning and pop-up record outlived the answer)."""
        self.not_found.forget()
        self.refused.answer()
        self.backoff.reached()
        self._answers += 1
        self._cancel_timer("_glitch_told")
        if first_token is not None:
            if first_token <= self.slow_s():
                self.waited_unanswered = False
            self.debouncer.latency(first_token)
        if self.paused.now():
            # An answer to a request sent before the pause's 402 says nothing of a top-up:
            # taken as one, it turned the status Normal and forgot the pop-up, and the same 402
            # popped up again at the recheck.
            return
        # The account's problem told is over, whatever the status shows now (an excluded
        # file's Inactive replaced the Error): kept on record, its words hid the next 402's
        # pop-up, the completions' and the review's alike.
        self.services.status.forget("completion:", ended=True)
        self._judge_speed()

    def cancelled_unanswered(self, waited: float, epoch: int) -> None:
        """A stream cancelled before its first token after ``waited`` seconds. One cancelled
        sooner says nothing (the next key came first); nor does one cancelled because the
        backend was replaced (endpoint, key, model) or the server stops."""
        if waited > self.slow_s() and not self.stopping and epoch == self.epoch:
            self.waited_unanswered = True
            self._judge_speed()

    def _judge_speed(self) -> None:
        status = self.services.status
        if self.waited_unanswered or self.debouncer.average_latency > self.slow_s():
            client = self.services.models.client
            # Named as errors name it: a self-hosted server's slowness is not DeepSeek's.
            who = provider_name(client.config.fim_base if client is not None else None)
            status.set(Status("Warning", f"{who} is answering slowly", "completion"))
        elif status.current.feature in ("completion", "config") and status.current.kind in ("Warning", "Error"):
            # A "config" Error here is the missing key's (a refused endpoint sends nothing): the
            # server answered without it (a gateway adds it), yet the Error stayed for good.
            status.set(Status("Normal", "", "completion"))
            status.forget("completion:")

    def refresh_status(self, recent_uris: Iterable[str]) -> None:
        """The status as the new settings make it, for the document used last: toggling
        completions changed nothing on screen until the next keystroke or opened file. The
        other open files' Inactive is said again first: the editor forgets what it kept of each
        file when these settings change, and an excluded file not typed in since showed Normal.
        ``recent_uris``: the open documents, the one used last last."""
        docs = [doc for uri in recent_uris if (doc := self.services.documents.get(uri)) is not None]
        for doc in docs[:-1]:
            if self.inactive_reason(doc):
                self.status_for(doc)
        if docs:
            self.status_for(docs[-1])
            return
        current = self.services.status.current
        if not self.services.settings.completion.enable:
            self.services.status.set(Status("Inactive", TURNED_OFF, "completion"))
        elif current.kind == "Inactive" and current.feature == "completion":
            self.services.status.set(Status("Normal", "", "completion"))
