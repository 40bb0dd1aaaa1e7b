"""A request's stop sequences applied to its answer as it streams in.

A server should end the answer at the first stop sequence and leave it out; one that drops the
field (a proxy, an OpenAI-compatible layer that knows no ``stop``) or leaves the model's
end-of-text marker in the text (a FIM template's ``<|endoftext|>``) does not, and the marker
was shown in the suggestion. Cutting here too changes nothing where the server honours them.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["StopScan"]


class StopScan:
    """Feed the deltas in order; each returns the text to pass on. A delta's tail that may be
    the start of a stop sequence is held back until the next delta tells (or :meth:`flush`)."""

    def __init__(self, stops: Iterable[str]) -> None:
        self._stops = tuple(s for s in stops if s)
        self._held = ""
        self.stopped = False  # a stop sequence came: nothing more is to be passed on

    def feed(self, delta: str) -> str:
        if self.stopped:
            return ""
        text = self._held + delta
        found = [i for i in (text.find(s) for s in self._stops) if i >= 0]
        if found:
            self.stopped = True
            self._held = ""
            return text[: min(found)]
        keep = self._partial_tail(text)
        self._held = text[len(text) - keep :] if keep else ""
        return text[: len(text) - keep]

    def flush(self) -> str:
        """What was held back, at the answer's end: no stop sequence came after all."""
        held, self._held = self._held, ""
        return held

    def _partial_tail(self, text: str) -> int:
        """The length of ``text``'s longest tail that is a stop sequence's start."""
        longest = 0
        for stop in self._stops:
            for size in range(min(len(stop) - 1, len(text)), longest, -1):
                if stop.startswith(text[len(text) - size :]):
                    longest = size
                    break
        return longest
