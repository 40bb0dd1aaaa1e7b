"""A save's review that failed only because the backend could not be reached (the model server
restarted, the laptop offline a minute) runs again once that server answers, over the real
server (pytest-lsp) and the fake stopped and started again on its port.

usersim54: after a minute's outage the status said "review of X failed: Cannot reach
127.0.0.1:…: nothing is listening there" for good while suggestions from that very server were
shown again, and the saved change was never reviewed until the next save.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from lsprotocol import types

from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import eventually, insert, lsp_session, open_doc, server_env
from tests.review_support import reviewer
from tests.server_fork import CONSTANTS
from tests.test_reliability_review_faults import (
    CHAT,
    DOC,
    FAST_BACKOFF,
    GOOD_MESSAGES,
    RULES,
    SETTINGS,
    URI,
    WAIT_S,
    completion_answers,
    review_kind,
    save,
)

OTHER = "file:///ws/other.py"


def review_statuses(client: Any) -> list[dict[str, str]]:
    return [s for s in client.statuses if s["feature"] == "review"]


@contextlib.asynccontextmanager
async def saved_while_down(tmp_path: Path) -> AsyncIterator[tuple[Any, FakeDeepSeek]]:
    """A server with two files open; the backend stops, URI is saved and its review fails as
    unreachable; then the backend starts again on the same port."""
    with FakeDeepSeek() as fake:
        fake.responder(reviewer(RULES), path=CHAT)
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path / "state"), **FAST_BACKOFF)
        async with lsp_session(env, settings=SETTINGS) as client:
            open_doc(client, URI, DOC)
            open_doc(client, OTHER, "x = \n")
            fake.stop()
            save(client, URI)
            assert await eventually(lambda: review_kind(client) == "Warning", timeout=WAIT_S)
            assert "Cannot reach" in review_statuses(client)[-1]["message"]
            fake.start()
            yield client, fake


async def test_a_review_failed_unreached_runs_again_once_the_server_answers(tmp_path: Path) -> None:
    async with saved_while_down(tmp_path) as (client, fake):
        assert fake.requests_to(CHAT) == []
        # The user types on in another file: its suggestion comes from that server again.
        assert await completion_answers(client, OTHER) == ["return a + b"]
        assert await eventually(lambda: len(client.diagnostics.get(URI, [])) == 2, timeout=WAIT_S)
        assert {d.message.split("\n")[0] for d in client.diagnostics[URI]} == GOOD_MESSAGES
        assert len(fake.requests_to(CHAT)) == 1
        assert await eventually(lambda: review_kind(client) == "Normal", timeout=WAIT_S)


async def test_a_file_edited_since_its_failed_review_waits_for_its_next_save(tmp_path: Path) -> None:
    """The text the save wrote is no longer what the editor holds: reviewing the unsaved text
    unasked is not what the user saved, so the next save reviews it; but "Cannot reach" is
    over, and said no longer (it stayed for good)."""
    async with saved_while_down(tmp_path) as (client, fake):
        insert(client, URI, 2, 0, 0, "# edited\n")
        assert await completion_answers(client, OTHER) == ["return a + b"]
        assert await eventually(lambda: review_kind(client) == "Normal", timeout=WAIT_S)
        # The first test's review went out in the turn of the answer; a second is ample.
        await asyncio.sleep(1.0)
        assert fake.requests_to(CHAT) == []


#: The saved text's first line, typed before the save: the document's edit count is 1.
TYPED = "import sqlite3\n"
#: Each back-off 2.5-5 s: the review's first try has failed when its progress begins, and its
#: retries leave the editor time to close and open the file again before the review ends.
SLOW_BACKOFF = {CONSTANTS: json.dumps({"deepseek_lsp.model.retry:BASE_DELAY_S": 5.0})}


@contextlib.asynccontextmanager
async def reopened_while_unreached(tmp_path: Path) -> AsyncIterator[tuple[Any, FakeDeepSeek]]:
    """URI typed in (one edit) and saved with the backend down; while its review retries, Neovim
    closes and opens it again with the text saved (``:e``, a reload): a new copy, no edit
    counted. The review fails unreached; then the backend starts again."""
    assert DOC.startswith(TYPED)
    with FakeDeepSeek() as fake:
        fake.responder(reviewer(RULES), path=CHAT)
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path / "state"), **SLOW_BACKOFF)
        settings = {**SETTINGS, "review": {**SETTINGS["review"], "maxRetries": 1}}
        async with lsp_session(env, settings=settings, editor="neovim") as client:
            open_doc(client, URI, DOC[len(TYPED) :])
            open_doc(client, OTHER, "x = \n")
            insert(client, URI, 2, 0, 0, TYPED)
            fake.stop()
            save(client, URI)
            began = lambda: any(  # noqa: E731
                isinstance(r, types.WorkDoneProgressBegin) for rs in client.progress_reports.values() for r in rs
            )
            assert await eventually(began, timeout=WAIT_S)
            client.text_document_did_close(
                types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=URI))
            )
            open_doc(client, URI, DOC, version=3)
            assert await eventually(lambda: review_kind(client) == "Warning", timeout=WAIT_S)
            assert "Cannot reach" in review_statuses(client)[-1]["message"]
            fake.start()
            yield client, fake


async def test_a_file_reopened_while_its_review_could_not_reach_the_server_is_reviewed_when_it_answers(
    tmp_path: Path,
) -> None:
    """The reopened copy holds the text saved, but its edit count (0) was compared with the
    old copy's at the save (1): taken as edited since, the saved change's review was dropped
    when the server answered again, and nothing was shown till the next save."""
    async with reopened_while_unreached(tmp_path) as (client, fake):
        assert await completion_answers(client, OTHER) == ["return a + b"]
        assert await eventually(lambda: len(client.diagnostics.get(URI, [])) == 2, timeout=WAIT_S)
        assert {d.message.split("\n")[0] for d in client.diagnostics[URI]} == GOOD_MESSAGES
        assert len(fake.requests_to(CHAT)) == 1


async def test_a_file_reopened_and_edited_since_its_unreached_review_waits_for_its_next_save(
    tmp_path: Path,
) -> None:
    """The reopened copy edited once: its edit count (1) matched the old copy's at the save, and
    its unsaved text was reviewed unasked when the server answered again."""
    async with reopened_while_unreached(tmp_path) as (client, fake):
        insert(client, URI, 4, 2, 0, "# edited\n")
        assert await completion_answers(client, OTHER) == ["return a + b"]
        assert await eventually(lambda: review_kind(client) == "Normal", timeout=WAIT_S)
        await asyncio.sleep(1.0)
        assert fake.requests_to(CHAT) == []


def cleared(client: Any, uri: str) -> bool:
    """Whether the file's last review Warning was taken back by a status after it: its own
    Normal, or the review's Normal right after it (VS Code keeps each file's status till then)."""
    statuses = client.statuses
    last = max((i for i, s in enumerate(statuses) if s["uri"] == uri and s["kind"] != "Normal"), default=None)
    if last is None:
        return True
    after = statuses[last + 1 :]
    return any(s == {"kind": "Normal", "message": "", "feature": "review", "uri": uri} for s in after) or bool(
        after and after[0] == {"kind": "Normal", "message": "", "feature": "review", "uri": ""}
    )


async def test_cannot_reach_is_taken_back_after_another_status_came_and_went(tmp_path: Path) -> None:
    """The review's "Cannot reach" for store.py, then the completions' own Warning of the same
    outage over it, store.py edited: when the server answered, the edited file's Warning was
    cleared only were it still the status, so it was never taken back, and VS Code, which keeps
    each file's status, showed "review of store.py failed ... Save again to retry" on it for
    good, suggestions coming again. It is taken back, and the status of now said after it."""
    with FakeDeepSeek() as fake:
        fake.responder(reviewer(RULES), path=CHAT)
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path / "state"), **FAST_BACKOFF)
        async with lsp_session(env, settings=SETTINGS) as client:
            open_doc(client, URI, DOC)
            open_doc(client, OTHER, "x = \n")
            fake.stop()
            save(client, URI)
            assert await eventually(lambda: review_kind(client) == "Warning", timeout=WAIT_S)
            assert await completion_answers(client, OTHER) == []
            assert await eventually(lambda: client.statuses[-1]["feature"] == "completion", timeout=WAIT_S)
            assert client.statuses[-1]["kind"] == "Warning" and not cleared(client, URI)
            insert(client, URI, 2, 0, 0, "# edited\n")
            fake.start()
            assert await completion_answers(client, OTHER) == ["return a + b"]
            assert await eventually(lambda: cleared(client, URI), timeout=WAIT_S), client.statuses
            assert await eventually(lambda: client.statuses[-1]["kind"] == "Normal", timeout=WAIT_S)
            await asyncio.sleep(1.0)
            assert fake.requests_to(CHAT) == [] and client.statuses[-1]["kind"] == "Normal"


async def test_a_file_reopened_while_it_waits_for_the_server_is_reviewed_when_it_answers(tmp_path: Path) -> None:
    """Its review failed unreached, then the file closed and opened again with the text saved
    (Neovim's ``:e``, a reload after a checkout undone): the close ended the wait, and the saved
    change went unreviewed till the next save though the server answered again."""
    async with saved_while_down(tmp_path) as (client, fake):
        client.text_document_did_close(
            types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=URI))
        )
        open_doc(client, URI, DOC, version=2)
        assert await completion_answers(client, OTHER) == ["return a + b"]
        assert await eventually(lambda: len(client.diagnostics.get(URI, [])) == 2, timeout=WAIT_S)
        assert len(fake.requests_to(CHAT)) == 1
