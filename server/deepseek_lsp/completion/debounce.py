"""Adaptive debounce: wait about as long as the user pauses between keys, minus what the backend
will take anyway (Tabby's rule), so fast typists send few requests and slow ones wait little.

Subtracting the latency pays off only while the answer in flight is typed through: once several
requests in a row were hung up on with none of their answers used, the model is not predicting
this text, and the wait while typing counts the cadence alone (tests/bench/bench_mispredict.py).
That count is each document's own: the model predicts one file's text and not another's."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Sequence


def _median(values: Sequence[float]) -> float:
    """``statistics.median`` of a few gaps, without importing ``statistics`` at every start
    (with ``fractions``, ``decimal`` and ``numbers``: ~2 ms of CPU before the initialize answer)."""
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


class Debouncer:
    def __init__(self) -> None:
        self._last_key: dict[str, float] = {}
        self._intervals: deque[float] = deque(maxlen=20)
        self._latencies: deque[float] = deque(maxlen=20)
        #: Per document, backend requests in a row hung up on before any answer was of use.
        #: One count for all made a file's mispredictions slow down the next file opened, and
        #: two files typed in by turns added up each other's.
        self._unused: dict[str, int] = {}

    def keystroke(self, uri: str, now: float | None = None, *, typed: bool = True) -> None:
        """A change to ``uri``; ``typed`` when it looks like a key press (a character, Enter,
        Backspace). Other changes (an accepted suggestion, a paste) end the run: the pause
        before and after them is reading, not typing, and counted as cadence it tripled the
        wait before the first suggestion at a new place (tests/bench/bench_replay.py)."""
        now = time.monotonic() if now is None else now
        if not typed:
            self._last_key.pop(uri, None)
            return
        last = self._last_key.get(uri)
        if last is not None:
            gap = now - last
            if gap < 2.0:  # a longer gap is a pause, not typing cadence
                self._intervals.append(gap)
        self._last_key[uri] = now
        if len(self._last_key) > 1024:
            self._last_key.pop(next(iter(self._last_key)))

    def latency(self, seconds: float) -> None:
        self._latencies.append(seconds)

    def cancelled(self, uri: str) -> None:
        """A backend request for ``uri`` was hung up on: the user typed on before its answer
        was of use."""
        self._unused[uri] = self._unused.pop(uri, 0) + 1
        if len(self._unused) > 1024:
            self._unused.pop(next(iter(self._unused)))

    def agreed(self, uri: str) -> None:
        """An answer for ``uri`` agreed with what the user did (typed through, joined, accepted)."""
        self._unused.pop(uri, None)

    def unused_in_a_row(self, uri: str) -> int:
        return self._unused.get(uri, 0)

    def forget(self, uri: str) -> None:
        """``uri`` was closed: opened again, it is typed in afresh."""
        self._last_key.pop(uri, None)
        self._unused.pop(uri, None)

    def forget_latencies(self) -> None:
        """Another backend (or model) answers from now on: the old one's times are not its,
        nor are the old one's mispredictions."""
        self._latencies.clear()
        self._unused.clear()

    @property
    def average_latency(self) -> float:
        return sum(self._latencies) / len(self._latencies) if self._latencies else 0.0

    def delay(
        self,
        uri: str,
        line_before: str,
        line_after: str,
        min_ms: int,
        max_ms: int,
        backoff_after: int = 0,
    ) -> float:
        """Seconds to wait before asking the backend for ``uri``; ``backoff_after``: after that
        many of its requests in a row hung up on unused, the latency is not subtracted while
        typing (0: always is)."""
        # The median gap: a few pauses at line ends (half a second or more) made the mean
        # cadence, and the wait at every pause point, swing by 100 ms from run to run.
        cadence = _median(self._intervals) if self._intervals else 0.15
        cadence = min(max(cadence, 0.1), 0.4)
        if not line_before.strip() or (not line_after.strip() and line_before[-1:] in " .(,:=[{"):
            factor = 1.0  # a natural pause point: the user likely waits for a suggestion
        elif line_before[-1:].isalnum() or line_before[-1:] == "_":
            factor = 2.0  # mid-word: the next key is likely coming
        else:
            factor = 1.5
        # At a pause point the request goes ahead as before: the suggestion is most wanted there,
        # and it costs one request a pause.
        backing_off = 0 < backoff_after <= self.unused_in_a_row(uri) and factor > 1.0
        wait = cadence * factor - (0.0 if backing_off else self.average_latency)
        return min(max(wait, min_ms / 1000), max_ms / 1000)
