"""The CPU time the test's own thread spends on a piece of work, for tests that bound the
server's work on a pathological input (a long line, a large file).

A wall-clock bound also counts the other processes of a busy machine: on CI's two shared cores
such checks failed at random (five keys in a 20 MB line, 0.1 s of work, took 1.98 s of wall
clock), while the quadratic or byte-by-byte code they guard against costs seconds of CPU."""

from __future__ import annotations

import time
from types import TracebackType


class ThreadCpu:
    """``with ThreadCpu() as cpu: ...``, then ``cpu.seconds``: this thread's CPU time in the
    block (work done in the same thread only: run what is measured there)."""

    seconds = 0.0

    def __enter__(self) -> ThreadCpu:
        self._began = time.thread_time()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.seconds = time.thread_time() - self._began
