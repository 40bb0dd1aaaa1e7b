"""The usage ledger and the review cache survive crashes, corruption and sharing.

* ``kill -9`` in the middle of a burst of writes (a real process writing through the real
  classes, several times over): the files pass ``PRAGMA integrity_check`` and every row written
  before the last one the writer reported is still there.
* A corrupted usage file and review cache at server start: the server starts and works, each
  file is set aside and rebuilt, with one message each (not one per request), and the new files
  record what follows.
* Two real server processes (two editor windows) sharing one DEEPSEEK_LSP_STATE_DIR, doing
  completions and reviews at the same time: both files intact, and the day's totals in the file
  equal the sum of the two sessions (and the requests the fake received).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types

from tests import harness
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import eventually, inline_params, insert, lsp_session, open_doc, server_env
from tests.review_support import Rule, reviewer

FIM = "/beta/completions"
CHAT = "/chat/completions"
ROOT = Path(__file__).resolve().parents[1]

WRITER = textwrap.dedent(
    """
    import sys
    from deepseek_lsp.model.ledger import Ledger
    from deepseek_lsp.model.types import Usage
    from deepseek_lsp.review.cache import ReviewCache
    from deepseek_lsp.review.findings import RawFinding

    ledger = Ledger(sys.argv[1])
    cache = ReviewCache(sys.argv[2])
    start = int(sys.argv[3])
    i = start
    while True:
        ledger.record(feature="completion", model=f"m{i % 4}", usage=Usage(10, 1, 5, 5), total_s=0.01)
        cache.put(f"unit-{i}", [RawFinding("warning", f"x{i} = 1", "m" * 200, None, 0.9, 1)], "m")
        i += 1
        if i % 25 == 0:
            print(i - start, flush=True)  # both writes of every row so far are committed
    """
)


def integrity(path: Path) -> str:
    db = sqlite3.connect(path)
    try:
        return db.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        db.close()


def ledger_requests(path: Path) -> int:
    db = sqlite3.connect(path)
    try:
        return int(db.execute("SELECT COALESCE(SUM(requests), 0) FROM daily").fetchone()[0])
    finally:
        db.close()


def review_rows(path: Path) -> int:
    db = sqlite3.connect(path)
    try:
        return int(db.execute("SELECT COUNT(*) FROM reviews").fetchone()[0])
    finally:
        db.close()


def test_kill_9_in_the_middle_of_a_burst_of_writes(tmp_path: Path) -> None:
    usage, reviews = tmp_path / "usage.sqlite3", tmp_path / "review-cache.sqlite"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "server")}
    in_ledger = in_cache = 0  # rows known to be in each file
    for round_no, kill_after in enumerate((100, 475, 250)):
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(usage), str(reviews), str(in_cache)],
            stdout=subprocess.PIPE, env=env, text=True,
        )
        assert proc.stdout is not None
        reported = 0
        for line in proc.stdout:
            reported = int(line)
            if reported >= kill_after:
                break
        # Mid-burst: the writer is busy writing the next rows right now.
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        assert integrity(usage) == "ok", round_no
        assert integrity(reviews) == "ok", round_no
        # Nothing that was reported written is lost. Rows after it may be there too: the writer
        # goes on until the signal lands (34 rows once, on a loaded CI machine).
        assert in_ledger + reported <= ledger_requests(usage) <= in_ledger + reported + 250, round_no
        assert in_cache + reported <= review_rows(reviews) <= in_cache + reported + 250, round_no
        in_ledger, in_cache = ledger_requests(usage), review_rows(reviews)
    # Reopened by the real classes: no file was considered damaged, and writing goes on.
    assert not [p for p in tmp_path.iterdir() if ".corrupt-" in p.name]
    from deepseek_lsp.model.ledger import Ledger
    from deepseek_lsp.model.types import Usage

    ledger = Ledger(usage)
    ledger.record(feature="review", model="m0", usage=Usage(1, 1, 0, 1))
    assert ledger.summary()["today"]["total"]["requests"] == in_ledger + 1
    ledger.close()


@pytest.fixture
def server_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "server.log"
    monkeypatch.setattr(harness, "SERVER", [*harness.SERVER, "--log-file", str(path)])
    return path


def damaged_database(path: Path) -> None:
    """A real SQLite file whose pages were then overwritten in the middle (a bad disk)."""
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE t (x TEXT)")
    db.executemany("INSERT INTO t VALUES (?)", [("y" * 500,)] * 200)
    db.commit()
    db.close()
    with open(path, "r+b") as f:
        f.seek(8192)
        f.write(b"\xff" * 8192)


def read(path: Path) -> str:
    return path.read_text() if path.exists() else ""


async def test_corrupted_files_at_start_are_set_aside_with_one_message(tmp_path: Path, server_log: Path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    (state / "usage.sqlite3").write_bytes(b"this is not a database at all " * 300)
    cache = state / "review-cache.sqlite"
    damaged_database(cache)
    with FakeDeepSeek() as fake:
        fake.responder(lambda body: "value_ok", path=FIM)
        fake.responder(reviewer([Rule("if rows == None:", "warning", "Use is None.")]), path=CHAT)
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(state))
        settings = {"completion": {"debounce": 0, "prefetch": False}, "review": {"mode": "onSave"}}
        async with lsp_session(env, settings=settings) as client:
            uri = "file:///ws/f.py"
            open_doc(client, uri, "def f(rows):\n    if rows == None:\n        return 1\n    x = \n")
            for i in range(3):
                insert(client, uri, 2 + i, 3, 8 + i, "y")
                result = await client.text_document_inline_completion_async(inline_params(uri, 3, 9 + i, invoked=True))
                assert result.items
            for _ in range(2):
                client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
                await asyncio.sleep(0)
            assert await eventually(lambda: len(client.diagnostics.get(uri, [])) == 1, timeout=10)
            usage = await client.protocol.send_request_async("deepseek/usage", {})
            cache_messages = [m.message for m in client.messages if "review cache" in m.message]
            ledger_messages = [m.message for m in client.messages if "usage ledger" in m.message]
    assert usage.session.total.requests == len(fake.requests_to(FIM)) + len(fake.requests_to(CHAT))
    # One message each, shown to the user (the ledger's is opened before the editor is
    # connected: its message waits for it), and the ledger's in the log too.
    log_text = read(server_log)
    assert "moved it to usage.sqlite3.corrupt-" in log_text
    assert len(ledger_messages) == 1 and "moved it to usage.sqlite3.corrupt-" in ledger_messages[0]
    assert len(cache_messages) == 1 and "moved it to review-cache.sqlite.corrupt-" in cache_messages[0]
    aside = sorted(p.name for p in state.iterdir() if ".corrupt-" in p.name)
    assert any(n.startswith("usage.sqlite3.corrupt-") for n in aside)
    assert any(n.startswith("review-cache.sqlite.corrupt-") for n in aside)
    # The new files are sound and hold what this session did.
    assert integrity(state / "usage.sqlite3") == "ok" and integrity(cache) == "ok"
    assert ledger_requests(state / "usage.sqlite3") == usage.session.total.requests
    assert review_rows(cache) >= 1


def _progress(client: Any, kind: type) -> int:
    return sum(isinstance(r, kind) for rs in client.progress_reports.values() for r in rs)


async def _editor_window(
    fake_url: str, state: Path, name: str, completions: int, saves: int
) -> dict[str, Any]:
    env = server_env(fake_url, api_key=DEFAULT_KEY, state_dir=str(state))
    settings = {"completion": {"debounce": 0, "prefetch": False, "cache": False}, "review": {"mode": "onSave"}}
    async with lsp_session(env, settings=settings) as client:
        code = "def f_{n}(rows):\n    if rows == None:\n        return {n}\n"
        uri = f"file:///ws/{name}.py"
        open_doc(client, uri, "".join(code.format(n=f"{name}{i}") for i in range(saves)) + "x = \n")
        last = saves * 3
        for i in range(completions):
            insert(client, uri, 2 + i, last, 4 + i, "z")
            await client.text_document_inline_completion_async(inline_params(uri, last, 5 + i))
            if i < saves:  # a review running alongside the typing
                client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
        # Wait until no review is running: every begun $/progress has ended.
        assert await eventually(lambda: _progress(client, types.WorkDoneProgressEnd) >= 1, timeout=15)
        assert await eventually(
            lambda: _progress(client, types.WorkDoneProgressBegin) == _progress(client, types.WorkDoneProgressEnd),
            timeout=15,
        )
        usage = await client.protocol.send_request_async("deepseek/usage", {})
    return {"requests": usage.session.total.requests, "cost": usage.session.total.cost_usd}


async def test_two_servers_share_the_files_without_corrupting_them(tmp_path: Path) -> None:
    state = tmp_path / "state"
    with FakeDeepSeek() as fake:
        fake.responder(lambda body: "value_ok", path=FIM)
        fake.responder(reviewer([Rule("if rows == None:", "warning", "Use is None.")]), path=CHAT)
        fake.set_latency(ttft=0.002)
        started = time.monotonic()
        a, b = await asyncio.gather(
            _editor_window(fake.url, state, "alpha", completions=60, saves=6),
            _editor_window(fake.url, state, "beta", completions=60, saves=6),
        )
        elapsed = time.monotonic() - started
    sent = len(fake.requests_to(FIM)) + len(fake.requests_to(CHAT))
    usage, cache = state / "usage.sqlite3", state / "review-cache.sqlite"
    assert integrity(usage) == "ok" and integrity(cache) == "ok"
    assert not [p for p in state.iterdir() if ".corrupt-" in p.name]
    in_file = ledger_requests(usage)
    assert in_file == a["requests"] + b["requests"] == sent, (in_file, a, b, sent, elapsed)
    db = sqlite3.connect(usage)
    cost = db.execute("SELECT SUM(cost_usd) FROM daily").fetchone()[0]
    db.close()
    assert cost == pytest.approx(a["cost"] + b["cost"])
    assert review_rows(cache) >= 2
