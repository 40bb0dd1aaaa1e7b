"""Reviews and auto-save: an editor saving after every pause (VS Code's ``files.autoSave``
``afterDelay`` or ``onFocusChange``) had every half-written function reviewed, and each save
cancelled the review under way and sent its unchanged functions again, paid twice; a user
pausing more often than a review takes never saw one finish.

An auto-save (``willSave`` reason AfterDelay or FocusOut) is reviewed once the document has been
quiet for ``review.autoSaveDelayMs``; a manual save, or a client that sends no ``willSave``, at
once. A new review of a file takes over the requests under way for functions it would send
unchanged instead of cancelling and sending them again."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from pathlib import Path

import pytest
from lsprotocol import types

from deepseek_lsp.config import build_settings
from deepseek_lsp.review import engine as review_engine
from tests.fake_deepseek import FakeDeepSeek, RecordedRequest
from tests.harness import eventually, lsp_session, open_doc
from tests.review_support import Rule, reviewed_units, reviewer, user_prompt
from tests.test_review_after_edits import CHAT, Editor
from tests.test_review_lsp import at, change, env, reviewed, save

pytestmark = pytest.mark.usefixtures("state_dir")

ROW = Rule("if row == None:", "warning", "Compare with None using 'is'.", "if row is None:")
THREE = (
    "def alpha(row):\n    if row == None:\n        return 1\n    return 2\n\n\n"
    "def beta(row):\n    if row == None:\n        return 3\n    return 4\n\n\n"
    "def gamma(row):\n    if row == None:\n        return 5\n    return 6\n"
)
AUTO = types.TextDocumentSaveReason.AfterDelay
FOCUS = types.TextDocumentSaveReason.FocusOut
MANUAL = types.TextDocumentSaveReason.Manual
#: The real server's pause before an auto-save is reviewed: long enough that no bound is a race
#: on a loaded machine (at 0.8 s, auto-saves 0.3 s apart could stretch into two pauses, and a
#: manual save's review, at once, had 0.6 s to reach the fake).
AUTO_SAVE_S = 3.0


def auto_save_delay(editor: Editor, seconds: float) -> None:
    s = editor.services.settings
    editor.services.settings = replace(s, review=replace(s.review, auto_save_delay_ms=int(seconds * 1000)))


def saved(editor: Editor, reason: types.TextDocumentSaveReason | None) -> None:
    """The editor's save: ``willSave`` with its reason (none from Neovim, Helix), then ``didSave``."""
    doc = editor.services.documents.get(editor.uri)
    assert doc is not None
    if reason is not None:
        editor.review.document_will_save(doc, reason)
    editor.review.document_saved(doc)


def edit_gamma(editor: Editor, text: str) -> None:
    """Typing in ``gamma``: its last line becomes ``return <text>``."""
    end = editor.text.rindex("\n")
    start = editor.text.rindex("return ", 0, end) + len("return ")
    editor.replace(start, end, text)


def asked_for(fake: FakeDeepSeek, name: str) -> list[RecordedRequest]:
    return [r for r in fake.requests_to(CHAT) if name in reviewed_units(r.json)]


def one_unit_per_request(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each function its own request, as the functions of a larger file are."""
    monkeypatch.setattr(
        review_engine, "batch_units", lambda units: [[u] for u in sorted(units, key=lambda u: u.first_line)]
    )


async def review_done(editor: Editor) -> None:
    task = editor.review._tasks.get(editor.uri)
    if task is not None:
        await asyncio.wait_for(asyncio.shield(task), 15)


async def test_auto_saves_while_typing_are_reviewed_once_after_the_pause(fake_deepseek: FakeDeepSeek) -> None:
    """Three auto-saves while typing in ``gamma``: one review, of the finished text, once the
    file has been quiet for the delay (not one per save, each cancelling the last)."""
    fake_deepseek.responder(reviewer([ROW]), path=CHAT)
    fake_deepseek.set_latency(ttft=0.3)
    async with Editor(fake_deepseek, THREE) as editor:
        # Saves 0.2 s apart, the pause 3 s: a busy machine stretching a gap into a pause (at
        # 0.5 s it could) would take 15 times as long.
        auto_save_delay(editor, AUTO_SAVE_S)
        for n, reason in enumerate((AUTO, FOCUS, AUTO)):
            edit_gamma(editor, str(60 + n))
            saved(editor, reason)
            last = time.monotonic()
            await asyncio.sleep(0.2)
        assert fake_deepseek.requests_to(CHAT) == []  # still typing
        assert await eventually(lambda: len(fake_deepseek.requests_to(CHAT)) == 1, timeout=AUTO_SAVE_S + 30)
        await review_done(editor)
        (request,) = fake_deepseek.requests_to(CHAT)
        # From the last save: a wait the later saves did not restart ends 0.4 s before this.
        assert request.received_at >= last + AUTO_SAVE_S - 0.05
        assert reviewed_units(request.json) == ["alpha", "beta", "gamma"]
        assert "return 62" in user_prompt(request.json) and "return 61" not in user_prompt(request.json)
        assert request.completed and not request.disconnected
        assert len(editor.diagnostics()) == 3


async def test_a_manual_save_or_a_save_without_will_save_is_reviewed_at_once(fake_deepseek: FakeDeepSeek) -> None:
    fake_deepseek.responder(reviewer([ROW]), path=CHAT)
    async with Editor(fake_deepseek, THREE) as editor:
        auto_save_delay(editor, 30)
        saved(editor, MANUAL)
        assert await eventually(lambda: len(fake_deepseek.requests_to(CHAT)) == 1, timeout=5)
        await review_done(editor)
        edit_gamma(editor, "7")
        saved(editor, None)  # Neovim, Helix: no willSave
        assert await eventually(lambda: len(fake_deepseek.requests_to(CHAT)) == 2, timeout=5)
        await review_done(editor)
        # An auto-save waiting for the pause is overtaken by a manual save.
        edit_gamma(editor, "8")
        saved(editor, AUTO)
        edit_gamma(editor, "9")
        saved(editor, MANUAL)
        assert await eventually(lambda: len(fake_deepseek.requests_to(CHAT)) == 3, timeout=5)
        await review_done(editor)
        assert "return 9" in user_prompt(fake_deepseek.requests_to(CHAT)[-1].json)
        assert len(editor.diagnostics()) == 3


async def test_an_edit_restarts_the_wait_and_closing_the_file_ends_it(fake_deepseek: FakeDeepSeek) -> None:
    fake_deepseek.responder(reviewer([ROW]), path=CHAT)
    async with Editor(fake_deepseek, THREE) as editor:
        auto_save_delay(editor, AUTO_SAVE_S)
        saved(editor, AUTO)
        await asyncio.sleep(0.3)
        edit_gamma(editor, "70")  # typing again, not saved yet
        edited = time.monotonic()
        assert await eventually(lambda: len(fake_deepseek.requests_to(CHAT)) == 1, timeout=AUTO_SAVE_S + 30)
        await review_done(editor)
        (request,) = fake_deepseek.requests_to(CHAT)
        # The pause counted from the edit: the save's own wait ended 0.3 s (or, on a busy
        # machine, more) before this, as the review's arrival would show.
        assert request.received_at >= edited + AUTO_SAVE_S - 0.05
        assert "return 70" in user_prompt(request.json)
        # Auto-saved, then closed before the pause was over (nothing awaited between: the
        # wait cannot end first): nothing is sent.
        auto_save_delay(editor, 0.8)
        edit_gamma(editor, "71")
        saved(editor, AUTO)
        doc = editor.services.documents.close(editor.uri)
        assert doc is not None
        editor.review.document_closed(doc)
        await asyncio.sleep(1.2)
        assert len(fake_deepseek.requests_to(CHAT)) == 1


async def test_a_new_review_takes_over_the_requests_for_unchanged_functions(
    fake_deepseek: FakeDeepSeek, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Saved again after an edit of ``gamma`` while the requests for all three functions were
    streaming: those for ``alpha`` and ``beta`` were cancelled and sent again (paid twice);
    only ``gamma``'s old request is no longer wanted."""
    one_unit_per_request(monkeypatch)
    fake_deepseek.responder(reviewer([ROW]), path=CHAT)
    fake_deepseek.set_latency(ttft=1.0)
    async with Editor(fake_deepseek, THREE) as editor:
        saved(editor, None)
        assert await eventually(lambda: len(fake_deepseek.requests_to(CHAT)) == 3, timeout=5)
        edit_gamma(editor, "66")
        saved(editor, None)
        assert await eventually(lambda: len(fake_deepseek.requests_to(CHAT)) == 4, timeout=5)
        await review_done(editor)
        assert await eventually(lambda: all(r.closed for r in fake_deepseek.requests_to(CHAT)), timeout=5)
        for name in ("alpha", "beta"):
            (request,) = asked_for(fake_deepseek, name)
            assert request.completed and not request.disconnected
        old, new = asked_for(fake_deepseek, "gamma")
        assert old.disconnected and not old.completed
        assert new.completed and "return 66" in user_prompt(new.json)
        assert len(editor.diagnostics()) == 3
        # All of them answered and cached: saving again sends nothing.
        edit_gamma(editor, "66")
        saved(editor, None)
        await review_done(editor)
        assert len(fake_deepseek.requests_to(CHAT)) == 4
        assert len(editor.diagnostics()) == 3


async def test_stopping_the_new_review_stops_the_requests_it_took_over(
    fake_deepseek: FakeDeepSeek, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The user's Cancel in the progress notification still stops everything."""
    one_unit_per_request(monkeypatch)
    fake_deepseek.responder(reviewer([ROW]), path=CHAT)
    fake_deepseek.set_latency(ttft=3.0)
    async with Editor(fake_deepseek, THREE) as editor:
        saved(editor, None)
        assert await eventually(lambda: len(fake_deepseek.requests_to(CHAT)) == 3, timeout=5)
        edit_gamma(editor, "66")
        saved(editor, None)
        assert await eventually(lambda: len(fake_deepseek.requests_to(CHAT)) == 4, timeout=5)
        task = editor.review._tasks[editor.uri]
        editor.review._stopped_by_user.add(task)  # what the progress's Cancel does
        task.cancel()
        assert await eventually(lambda: all(r.closed for r in fake_deepseek.requests_to(CHAT)), timeout=5)
        assert not any(r.completed for r in fake_deepseek.requests_to(CHAT))
        assert editor.diagnostics() == []


async def test_review_again_sends_anew(fake_deepseek: FakeDeepSeek, monkeypatch: pytest.MonkeyPatch) -> None:
    """"Review this file again" asks the model again, even for requests under way."""
    one_unit_per_request(monkeypatch)
    fake_deepseek.responder(reviewer([ROW]), path=CHAT)
    fake_deepseek.set_latency(ttft=1.0)
    async with Editor(fake_deepseek, THREE) as editor:
        saved(editor, None)
        assert await eventually(lambda: len(fake_deepseek.requests_to(CHAT)) == 3, timeout=5)
        result = await asyncio.wait_for(editor.review.command.run(editor.uri, force=True), 15)
        assert result["findings"] == 3
        for name in ("alpha", "beta", "gamma"):
            first, second = asked_for(fake_deepseek, name)
            assert await fake_deepseek.wait_closed_async(first)
            assert first.disconnected and second.completed


async def test_auto_saves_from_vs_code_wait_for_the_pause(fake_deepseek: FakeDeepSeek, tmp_path: Path) -> None:
    """The real server: willSave is asked for (the sync kinds stay as they were) and its reason
    decides when the save is reviewed."""
    fake_deepseek.responder(reviewer([ROW]), path=CHAT)
    uri = "file:///ws/three.py"
    settings = {"review": {"mode": "onSave", "maxRetries": 1, "autoSaveDelayMs": int(AUTO_SAVE_S * 1000)}}
    async with lsp_session(env(fake_deepseek, tmp_path), settings=settings) as client:
        sync = client.init_result.capabilities.text_document_sync  # type: ignore[attr-defined]
        assert isinstance(sync, types.TextDocumentSyncOptions)
        assert sync.will_save and sync.save and sync.open_close
        assert sync.change == types.TextDocumentSyncKind.Incremental
        open_doc(client, uri, THREE)
        for version, typed in ((2, "x"), (3, "y"), (4, "z")):
            change(client, version, at(15, 11, 15, 12), typed, uri=uri)
            client.text_document_will_save(
                types.WillSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri), reason=AUTO)
            )
            save(client, uri)
            last = time.monotonic()
            await asyncio.sleep(0.3)
        await reviewed(client, 3, uri)
        (request,) = fake_deepseek.requests_to(CHAT)
        assert request.received_at >= last + AUTO_SAVE_S - 0.05
        assert "return z" in user_prompt(request.json)


def test_the_auto_save_delay_setting() -> None:
    settings, problems = build_settings({"review": {"autoSaveDelayMs": 1500}})
    assert settings.review.auto_save_delay_ms == 1500 and problems == []
    assert build_settings({})[0].review.auto_save_delay_ms == 5000
    for bad in ("soon", -1, True, 10_000_000):
        settings, problems = build_settings({"review": {"autoSaveDelayMs": bad}})
        assert settings.review.auto_save_delay_ms == 5000, bad
        assert any("review.autoSaveDelayMs" in p for p in problems), (bad, problems)


async def test_an_auto_saved_notebook_waits_for_the_pause_too(fake_deepseek: FakeDeepSeek, tmp_path: Path) -> None:
    """LSP has no willSave for notebooks: VS Code's extension says why a notebook is saved
    (``deepseek/willSaveNotebook``). Each auto-save of a notebook being typed in was reviewed,
    each review cancelling the one before; it now waits for the pause as a file does, and a
    manual save of the notebook is still reviewed at once."""
    from tests.test_notebooks import (
        NB,
        NOTEBOOK_RULES,
        cell_diagnostics,
        change_params,
        edit,
        reviewed_notebook,
    )

    fake_deepseek.responder(reviewer(list(NOTEBOOK_RULES)), path=CHAT)
    settings = {"review": {"mode": "onSave", "maxRetries": 1, "autoSaveDelayMs": int(AUTO_SAVE_S * 1000)}}

    def notebook_saved(client, reason: types.TextDocumentSaveReason) -> None:
        client.protocol.notify("deepseek/willSaveNotebook", {"uri": NB, "reason": int(reason)})
        client.notebook_document_did_save(
            types.DidSaveNotebookDocumentParams(notebook_document=types.NotebookDocumentIdentifier(uri=NB))
        )

    async with lsp_session(env(fake_deepseek, tmp_path), settings=settings) as client:
        reviewed_notebook(client)
        for version, typed in ((2, "x"), (3, "y"), (4, "z")):
            client.notebook_document_did_change(change_params(version, edit("b", version, (0, 0), (0, 0), typed)))
            notebook_saved(client, AUTO)
            last = time.monotonic()
            await asyncio.sleep(0.3)
        assert await eventually(lambda: cell_diagnostics(client, "a"), timeout=10)
        first = fake_deepseek.requests_to(CHAT)
        assert first and min(r.received_at for r in first) >= last + AUTO_SAVE_S - 0.05
        assert all("zyxtotal = 0" in user_prompt(r.json) for r in first if "total" in user_prompt(r.json))

        client.notebook_document_did_change(change_params(5, edit("b", 5, (0, 0), (0, 0), "w")))
        notebook_saved(client, MANUAL)
        saved_at = time.monotonic()
        assert await eventually(lambda: len(fake_deepseek.requests_to(CHAT)) > len(first), timeout=10)
        assert fake_deepseek.requests_to(CHAT)[-1].received_at < saved_at + AUTO_SAVE_S - 0.5


async def test_running_cells_does_not_hold_back_an_auto_saved_notebooks_review(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """Running a cell changes only its execution summary (LSP's ``cells.data``): nothing the
    combined document shows. Taken for an edit, each run started the auto-save pause again,
    and a notebook whose cells kept running (Run All, a loop of Shift+Enter) was not
    reviewed until they stopped."""
    from tests.test_notebooks import (
        NB,
        NOTEBOOK_RULES,
        cell,
        cell_diagnostics,
        change_params,
        reviewed_notebook,
    )

    fake_deepseek.responder(reviewer(list(NOTEBOOK_RULES)), path=CHAT)
    settings = {"review": {"mode": "onSave", "maxRetries": 1, "autoSaveDelayMs": 800}}
    # In the initialization options too: the pause is 0.8 s from the first save on.
    async with lsp_session(env(fake_deepseek, tmp_path), settings=settings, init_options=settings) as client:
        reviewed_notebook(client)
        client.protocol.notify("deepseek/willSaveNotebook", {"uri": NB, "reason": int(AUTO)})
        client.notebook_document_did_save(
            types.DidSaveNotebookDocumentParams(notebook_document=types.NotebookDocumentIdentifier(uri=NB))
        )
        # Cells a and b run in turn every 0.25 s, for up to 10 s: the review must go out while
        # they still run (a pause restarted by each run would wait for the last one). Under
        # load a fixed 2 s limit was missed by a slow machine with the right behaviour.
        still_running = False
        for version in range(2, 42):
            if fake_deepseek.requests_to(CHAT):
                still_running = True
                break
            ran = types.NotebookCell(
                kind=cell("a").kind,
                document=cell("a" if version % 2 else "b").document,
                execution_summary=types.ExecutionSummary(execution_order=version, success=True),
            )
            client.notebook_document_did_change(
                change_params(version, types.NotebookDocumentCellChanges(data=[ran]))
            )
            await asyncio.sleep(0.25)
        assert still_running, "no review was sent while the cells kept running"
        assert await eventually(lambda: cell_diagnostics(client, "a"), timeout=10)


async def test_an_auto_saved_file_edited_into_a_conflict_during_the_pause_is_not_reviewed(
    fake_deepseek: FakeDeepSeek,
) -> None:
    """The pause's end makes the save's checks again: git's conflict markers pasted (or a merge
    written over the file) after the auto-save were sent with both sides' code."""
    fake_deepseek.responder(reviewer([ROW]), path=CHAT)
    async with Editor(fake_deepseek, THREE) as editor:
        auto_save_delay(editor, 0.5)
        saved(editor, AUTO)
        conflict = "<<<<<<< HEAD\n        return 5\n=======\n        return 7\n>>>>>>> main\n"
        start = editor.text.index("        return 5\n")
        editor.replace(start, start + len("        return 5\n"), conflict)
        assert await eventually(lambda: not editor.review.saves.quiet, timeout=30)  # the pause over
        await asyncio.sleep(1)  # its review would have asked by now
        assert fake_deepseek.requests_to(CHAT) == []
        # Resolved and auto-saved again: reviewed after the pause, as any auto-save.
        start = editor.text.index("<<<<<<< HEAD\n")
        editor.replace(start, start + len(conflict), "        return 7\n")
        saved(editor, AUTO)
        assert await eventually(lambda: len(fake_deepseek.requests_to(CHAT)) == 1, timeout=30)
        assert "return 7" in user_prompt(fake_deepseek.requests_to(CHAT)[0].json)
