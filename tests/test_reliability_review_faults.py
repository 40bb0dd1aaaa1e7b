"""Backend faults during REVIEWS, over the real server (pytest-lsp, save → review), counted.

For every fault of the matrix: the number of chat requests the fake received (429/500/503 retried
exactly ``review.maxRetries`` times honouring Retry-After; 400/401/402/422 never retried; an
unusable answer — blank or invalid JSON, a cut or broken stream, an answer far larger than asked —
retried exactly once; a stall past the deadline not retried), one status for the user however
often they save, no finding published from an answer that was not wholly received, completions
still answered meanwhile, and reviews working again once the backend does (no restart).

Connection refused and DNS failures cannot be counted at the fake, so they are counted from the
server's own debug log (one "retry i/n" line per retry).
"""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types

from tests import harness
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import eventually, inline_params, lsp_session, open_doc, refused_url, server_env
from tests.review_support import Rule, reviewer, track_publishes
from tests.server_fork import CONSTANTS

CHAT = "/chat/completions"
FIM = "/beta/completions"
URI = "file:///ws/store.py"
MAX_RETRIES = 2
#: A review's time limit, retries included, in every row but the stall one: no other row is
#: about the limit. At 1.5 s a loaded machine read the first 200 kB answer (~0.3 s idle) and
#: waited its backoff (0.25-0.5 s) past it, and the retry was rightly left out: ('huge', 1, 1).
REVIEW_LIMIT_S = 30.0
#: The stall row's limit: its keep-alive lines (5 s) outlast it, and the review ends unretried.
STALL_LIMIT_S = 1.5
DOC = '''import sqlite3


def find(rows, sku):
    for row in rows:
        if row == None:
            continue
        if row[0] == sku:
            return row
    return None


def total(items):
    return sum(i.price for i in items) / len(items)
'''
RULES = (
    Rule("if row == None:", "warning", "Compare with None using 'is'.", "if row is None:"),
    Rule("/ len(items)", "warning", "Divides by zero for an empty list.", None),
)
GOOD_MESSAGES = {r.message for r in RULES}
#: How long a review's end, its findings or its status are waited for: as long as a review may
#: take. 10 s went by at load 20 on 2 cores (three requests of a 429 row, each through a
#: starved server and fake).
WAIT_S = REVIEW_LIMIT_S
SETTINGS: dict[str, Any] = {
    "review": {"mode": "onSave", "maxRetries": MAX_RETRIES, "timeoutS": REVIEW_LIMIT_S},
    # No row is about the completions' limit: at 1 s a loaded machine's fake answered past it,
    # the request was abandoned (rightly), and "completions still work" read [] (1 run in 6 at
    # load 14-21), or a first token past half of it turned the completion status slow.
    "completion": {"debounce": 0, "prefetch": False, "cache": False, "timeoutS": REVIEW_LIMIT_S},
}
RETRY_LINE = re.compile(r"retry (\d+)/(\d+) in")
#: The servers' back-off between tries, where no Retry-After sets it: 5-10 ms a first retry
#: instead of 0.25-0.5 s (a user's). What is counted here is the tries, not how long apart
#: (tests/test_model_retry_backoff.py): the 10 retries of the matrix and the 4 of the
#: unreachable rounds waited ~4.6 s of it in all.
FAST_BACKOFF = {CONSTANTS: json.dumps({"deepseek_lsp.model.retry:BASE_DELAY_S": 0.01})}

# (id, fault kind, params, chat requests per save, status kind, reviews paused until new settings)
MATRIX: list[tuple[str, str, dict[str, Any], int, str, bool]] = [
    # A 400 or 422 not for the request's own size or content, before any answer with these
    # settings: every request with them may meet it (a wrong model name); the file's saves
    # paused until they change or a minute passes (every file's at a second file's), as
    # completions (see test_review_refused_alike).
    ("400", "status", {"status": 400}, 1, "Error", True),
    ("401", "status", {"status": 401}, 1, "Error", True),
    ("402", "status", {"status": 402}, 1, "Error", True),
    ("422", "status", {"status": 422}, 1, "Error", True),
    ("429-retry-after", "status", {"status": 429, "retry_after": 0.2}, 1 + MAX_RETRIES, "Warning", False),
    ("500", "status", {"status": 500, "retry_after": 0.05}, 1 + MAX_RETRIES, "Warning", False),
    ("503", "status", {"status": 503, "retry_after": 0.05}, 1 + MAX_RETRIES, "Warning", False),
    # Keep-alive lines past review.timeoutS: the deadline is the whole budget, no retry.
    ("stall", "stall", {"seconds": 5}, 1, "Warning", False),
    # Cut in the middle of the first finding's JSON object.
    ("disconnect", "disconnect", {"after_chunks": 12}, 2, "Warning", False),
    ("malformed-chunk", "malformed", {"after_chunks": 3}, 2, "Warning", False),
    ("blank-json", "blank", {}, 2, "Warning", False),
    ("invalid-json", "invalid_json", {}, 2, "Warning", False),
    ("huge", "huge", {"size": 200_000}, 2, "Warning", False),
]


def read(path: Path) -> str:
    return path.read_text()


def save(client: Any, uri: str = URI) -> None:
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )


async def limit_reviews(client: Any, debug_log: Path, seconds: float) -> None:
    """Give reviews ``seconds`` in all, and wait until the server uses it: told the settings
    changed, it pulls them in its own time, and a save sent meanwhile was reviewed with the old."""
    mark = len(read(debug_log))
    client.set_configuration({"deepseek": {**SETTINGS, "review": {**SETTINGS["review"], "timeoutS": seconds}}})
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    applied = f"'timeout_s': {float(seconds)!r}"
    assert await eventually(lambda: applied in read(debug_log)[mark:], timeout=WAIT_S), applied


def review_troubles(client: Any) -> list[dict[str, str]]:
    return [s for s in client.statuses if s["feature"] == "review" and s["kind"] != "Normal"]


def review_kind(client: Any) -> str | None:
    """The review's status now (the completions' is told apart, by its feature)."""
    kinds = [s["kind"] for s in client.statuses if s["feature"] == "review"]
    return kinds[-1] if kinds else None


def reviews_done(client: Any) -> int:
    """Reviews finished (each reports the end of its ``$/progress``)."""
    return sum(
        isinstance(r, types.WorkDoneProgressEnd) for rs in client.progress_reports.values() for r in rs
    )


def published_messages(publishes: list[types.PublishDiagnosticsParams]) -> list[str]:
    return [d.message.split("\n")[0] for p in publishes for d in p.diagnostics]


async def completion_answers(client: Any, uri: str = "file:///ws/other.py") -> list[str]:
    result = await client.text_document_inline_completion_async(inline_params(uri, 0, 4, invoked=True))
    return [item.insert_text for item in result.items]


@pytest.fixture
def debug_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Start the server with ``--log-level debug --log-file`` (lsp_session reads harness.SERVER)."""
    path = tmp_path / "server.log"
    monkeypatch.setattr(harness, "SERVER", [*harness.SERVER, "--log-level", "debug", "--log-file", str(path)])
    return path


def variant(i: int) -> str:
    """The document with its own function names: nothing of it is in the review cache yet."""
    return DOC.replace("def find(", f"def find_{i}(").replace("def total(", f"def total_{i}(")


async def test_review_fault_matrix(tmp_path: Path, debug_log: Path) -> None:
    """One server for the whole matrix (a server start costs seconds on a loaded machine)."""
    figures: dict[str, int] = {}
    with FakeDeepSeek() as fake:
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path / "state"), **FAST_BACKOFF)
        async with lsp_session(env, settings=SETTINGS) as client:
            publishes = track_publishes(client)
            open_doc(client, "file:///ws/other.py", "x = \n")
            for i, (fid, kind, params, per_save, status_kind, paused) in enumerate(MATRIX):
                figures[fid] = await _one_fault(
                    client, fake, publishes, debug_log, i, fid, kind, params, per_save, status_kind, paused
                )
    print("chat requests for two saves under each fault:", figures)


async def _one_fault(
    client: Any,
    fake: FakeDeepSeek,
    publishes: list[types.PublishDiagnosticsParams],
    debug_log: Path,
    i: int,
    fid: str,
    kind: str,
    params: dict[str, Any],
    per_save: int,
    status_kind: str,
    paused: bool,
) -> int:
    uri = f"file:///ws/store_{i}.py"
    fake.reset()
    fake.responder(reviewer(RULES), path=CHAT)
    fake.responder(lambda body: "value_ok", path=FIM)
    if params.get("status") in (400, 422):
        # Set just before, as a wrong model name is: the rows before answered the settings of
        # the time, and a 400 after an answer is its own request's (see OutcomeStatus).
        await limit_reviews(client, debug_log, REVIEW_LIMIT_S - 1 - i)
    fake.fault(kind, count=None, path=CHAT, **params)
    if kind == "stall":
        await limit_reviews(client, debug_log, STALL_LIMIT_S)
    status_mark, message_mark = len(client.statuses), len(client.messages)
    log_mark = len(read(debug_log))
    open_doc(client, uri, variant(i))

    def troubles() -> list[dict[str, str]]:
        # A paused review is the account's trouble, not the file's: it carries no file.
        mine = client.statuses[status_mark:]
        return [s for s in mine if s["feature"] == "review" and s["kind"] != "Normal" and s["uri"] in (uri, "")]

    # Two saves while the backend misbehaves.
    for n in (1, 2):
        before = reviews_done(client)
        save(client, uri)
        if n == 1 or not paused:
            # Each review ends its $/progress after its last attempt.
            assert await eventually(lambda b=before: reviews_done(client) == b + 1, timeout=WAIT_S), fid
            assert len(fake.requests_to(CHAT)) == per_save * n, (fid, n, len(fake.requests_to(CHAT)))
        else:
            # Paused: a save sends nothing. Prove it by waiting for something later.
            assert await completion_answers(client) == ["value_ok"], fid
            assert len(fake.requests_to(CHAT)) == 1, fid
            assert reviews_done(client) == before, fid

    chat = fake.requests_to(CHAT)
    assert all(r.faults == [kind] for r in chat), (fid, [r.faults for r in chat])
    if params.get("retry_after"):
        # Retry-After honoured: never sooner than the server asked.
        gaps = [b.received_at - a.received_at for a, b in itertools.pairwise(chat[:per_save])]
        assert all(g >= params["retry_after"] * 0.9 for g in gaps), (fid, gaps)
    retries_logged = len(RETRY_LINE.findall(read(debug_log)[log_mark:]))
    assert retries_logged == len(chat) - (1 if paused else 2), (fid, retries_logged, len(chat))

    # One status for the user, whatever the number of saves; at most one pop-up.
    found = troubles()
    assert len(found) == 1 and found[0]["kind"] == status_kind, (fid, found)
    popups = [m.message for m in client.messages[message_mark:]]
    assert len(popups) <= 1, (fid, popups)
    if paused:
        assert str(params["status"]) in found[0]["message"]
    assert DEFAULT_KEY not in str(client.statuses[status_mark:])

    # Nothing from an answer that was not wholly and validly received was published.
    mine = [p for p in publishes if p.uri == uri]
    assert published_messages(mine) == [], (fid, published_messages(mine))

    # Completions still work while reviews fail.
    assert await completion_answers(client) == ["value_ok"], fid

    # The backend recovers: the next save reviews normally (a paused review needs new
    # settings, e.g. a new key, as the user is told; an empty balance is tried again a minute
    # later, tests/test_backend_pause.py).
    sent = len(chat)
    fake.reset()
    fake.responder(reviewer(RULES), path=CHAT)
    fake.responder(lambda body: "value_ok", path=FIM)
    if kind == "stall":
        await limit_reviews(client, debug_log, REVIEW_LIMIT_S)
    if paused:
        # Any change of the review settings, each time a new one; a time limit's, which no row
        # after depends on (a retry count's, which the 429 row's requests do, they did).
        limit = REVIEW_LIMIT_S + 1 + i
        client.set_configuration({"deepseek": {**SETTINGS, "review": {**SETTINGS["review"], "timeoutS": limit}}})
        client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
        assert await eventually(lambda: review_kind(client) == "Normal", timeout=WAIT_S), fid
    save(client, uri)
    assert await eventually(lambda: len(client.diagnostics.get(uri, [])) == 2, timeout=WAIT_S), fid
    assert {d.message.split("\n")[0] for d in client.diagnostics[uri]} == GOOD_MESSAGES
    assert len(fake.requests_to(CHAT)) == 1, fid
    assert await eventually(lambda: review_kind(client) == "Normal", timeout=WAIT_S), fid
    client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    return sent


async def test_unreachable_backend_review_retries_within_bound(tmp_path: Path, debug_log: Path) -> None:
    with refused_url() as refused:
        env = server_env(refused, state_dir=str(tmp_path / "state"), **FAST_BACKOFF)
        # A time limit well past the backoffs (~1.5 s in all, a user's): at 1.5 s, a loaded
        # machine's last backoff would end past it, and the last retry was rightly left out.
        settings = {**SETTINGS, "review": {**SETTINGS["review"], "timeoutS": 10}}
        async with lsp_session(env, settings=settings) as client:
            publishes = track_publishes(client)
            open_doc(client, URI, DOC)
            failed = re.compile(r"review request for .* failed")
            for where in ("refused", "dns"):
                if where == "dns":
                    client.set_configuration({"deepseek": {**settings, "baseUrl": "https://no-such-host.invalid"}})
                    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
                    assert await eventually(lambda: "no-such-host" in read(debug_log))
                mark = len(read(debug_log))
                status_mark = len(client.statuses)
                for n in (1, 2):
                    before = reviews_done(client)
                    save(client)
                    # A review is over once it has ended its $/progress, after logging its final
                    # failure. Saved again between the two (a few ms), the save joined the review
                    # under way of the same text, as a save with nothing changed does.
                    assert await eventually(lambda b=before: reviews_done(client) == b + 1, timeout=15), where
                    assert len(failed.findall(read(debug_log)[mark:])) == n, where
                log_text = read(debug_log)[mark:]
                attempts = [int(m.group(1)) for m in RETRY_LINE.finditer(log_text)]
                # Each save: the first attempt plus exactly maxRetries retries (connection errors
                # are worth retrying), never more. A name that does not resolve is told at once:
                # it will not resolve on a retry a second later (3 tries, ~3.9 s, before).
                expected = list(range(1, MAX_RETRIES + 1)) * 2 if where == "refused" else []
                assert attempts == expected, (where, attempts)
                troubles = [s for s in client.statuses[status_mark:] if s["feature"] == "review" and s["kind"] != "Normal"]
                assert len(troubles) <= 1, troubles  # unchanged from the previous round, or one new
                assert review_troubles(client)[-1]["kind"] == "Warning"
                assert "Cannot reach" in client.statuses[-1]["message"], client.statuses[-1]
                if where == "dns":
                    told = client.statuses[-1]["message"]
                    assert "no-such-host.invalid" in told and "not found" in told, told
            assert published_messages(publishes) == []
            # Still answering.
            state = harness._to_dict(await client.protocol.send_request_async("deepseek/debugState", {}))
            assert state["documents"] == 1
