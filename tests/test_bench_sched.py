"""The overhead benchmark's split of a round trip (tests/bench/bench_overhead.py) reads the
server's CPU time and run-queue wait from the scheduler: a server's work done on another of its
threads is its CPU time too, and a server that sleeps spends none."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from tests.bench.lsp_client import sched_ns

pytestmark = pytest.mark.skipif(not os.path.exists("/proc/self/task"), reason="Linux's /proc only")

#: Spins a worker thread for 0.3 s of its own CPU time while the main thread sleeps, then says so
#: and keeps the thread alive (a thread gone takes its counters with it) until stdin closes.
CHILD = """
import sys, threading, time
done = threading.Event()
def spin():
    end = time.thread_time() + 0.3
    while time.thread_time() < end:
        pass
    done.set()
    sys.stdin.read()
threading.Thread(target=spin, daemon=True).start()
done.wait()
print("spun", flush=True)
sys.stdin.read()
"""


def _child(code: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )


def test_a_servers_cpu_on_another_thread_is_counted() -> None:
    proc = _child(CHILD)
    try:
        assert proc.stdout is not None and proc.stdout.readline() == "spun\n"
        ran, waited = sched_ns(proc.pid)
        # Only its main thread's counters (/proc/PID/schedstat) read ~0.03 s: start-up alone.
        assert ran >= 0.28e9
        assert waited >= 0
    finally:
        proc.communicate("")


def test_a_sleeping_server_spends_no_cpu() -> None:
    proc = _child("import sys\nprint('up', flush=True)\nsys.stdin.read()\n")
    try:
        assert proc.stdout is not None and proc.stdout.readline() == "up\n"
        before = sched_ns(proc.pid)
        time.sleep(0.2)  # the child waits on its stdin meanwhile
        after = sched_ns(proc.pid)
        assert before[0] > 0  # its start-up
        assert after[0] - before[0] < 0.01e9
    finally:
        proc.communicate("")


def test_a_process_gone_reads_nothing() -> None:
    proc = _child("pass")
    proc.wait()
    assert sched_ns(proc.pid) == (0, 0)
