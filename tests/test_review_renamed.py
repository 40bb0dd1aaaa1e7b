"""A file renamed (VS Code's Explorer, F2 on the file) while its save's review runs: VS Code tells
of it as a close of the old URI and an open of the new one with the same text, in either order,
and with ``workspace/didRenameFiles``, which the server registers for (Neovim 0.11 sends none). The close cancelled the review under way
(its request closed half answered, paid for), and the new name showed nothing until the next
save, which paid for the same review again."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types

from tests.fake_deepseek import FakeDeepSeek
from tests.harness import eventually, lsp_session, open_doc
from tests.review_support import INVENTORY_RULES, reviewer
from tests.test_review_lsp import (
    CHAT,
    INVENTORY,
    URI,
    as_tuple,
    diagnostics,
    env,
    position_of,
    save,
    statuses,
)
from tests.test_review_reloaded import RELOADED, held_review

NEW_URI = "file:///ws/stock.py"


def close(client: object, uri: str) -> None:
    client.text_document_did_close(  # type: ignore[attr-defined]
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )



async def quick_fix_edit(client: Any, uri: str, diag: types.Diagnostic) -> types.TextDocumentEdit:
    """The first quick fix's edit for ``diag``, checked to edit ``uri`` (the file's name now)."""
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diag.range,
            context=types.CodeActionContext(diagnostics=[diag]),
        )
    )
    fix = (actions or [])[0]
    assert isinstance(fix, types.CodeAction) and fix.edit is not None
    [edit] = fix.edit.document_changes or []
    assert isinstance(edit, types.TextDocumentEdit) and edit.text_document.uri == uri
    return edit


@pytest.mark.parametrize("order", ["close-open", "open-close"])
async def test_a_file_renamed_while_its_review_runs_shows_the_findings_under_its_new_name(
    fake_deepseek: FakeDeepSeek, tmp_path: Path, order: str
) -> None:
    async with held_review(fake_deepseek, tmp_path) as client:
        if order == "close-open":
            close(client, URI)
            open_doc(client, NEW_URI, INVENTORY)
        else:
            open_doc(client, NEW_URI, INVENTORY)
            close(client, URI)
        await asyncio.sleep(0.8)  # past the 0.5 s a closed file's review waits to be taken on
        fake_deepseek.resume()
        expected = sorted(position_of(INVENTORY, r.needle) for r in INVENTORY_RULES[:4])
        assert await eventually(
            lambda: sorted(as_tuple(d.range) for d in diagnostics(client, NEW_URI)) == expected, timeout=10
        ), diagnostics(client, NEW_URI)
        assert diagnostics(client, URI) == []
        [request] = fake_deepseek.requests_to(CHAT)
        assert request.completed and not request.disconnected
        # Its quick fix edits the file under its new name.
        diag = next(d for d in diagnostics(client, NEW_URI) if d.message.startswith(INVENTORY_RULES[2].message))
        await quick_fix_edit(client, NEW_URI, diag)
        # Saved under its new name, it is answered from what the review paid for: nothing sent.
        save(client, NEW_URI)
        await asyncio.sleep(1.0)
        assert len(fake_deepseek.requests_to(CHAT)) == 1


async def test_two_files_with_the_same_text_share_one_request_and_each_shows_its_findings(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """A file copied (``cp inventory.py stock.py``), both open and saved while the first one's
    review runs: the second takes the answers of the first's request (the same units' cache
    keys), each placed on its own file, under its own URI, with its own quick fixes."""
    async with held_review(fake_deepseek, tmp_path) as client:
        open_doc(client, NEW_URI, INVENTORY)
        save(client, NEW_URI)
        await asyncio.sleep(0.5)
        fake_deepseek.resume()
        expected = sorted(position_of(INVENTORY, r.needle) for r in INVENTORY_RULES[:4])
        for uri in (URI, NEW_URI):
            assert await eventually(
                lambda uri=uri: sorted(as_tuple(d.range) for d in diagnostics(client, uri)) == expected, timeout=10
            ), (uri, diagnostics(client, uri))
        await asyncio.sleep(0.5)
        assert len(fake_deepseek.requests_to(CHAT)) == 1
        for uri in (URI, NEW_URI):
            diag = next(d for d in diagnostics(client, uri) if d.message.startswith(INVENTORY_RULES[0].message))
            edit = await quick_fix_edit(client, uri, diag)
            assert as_tuple(edit.edits[0].range) == as_tuple(diag.range)


async def test_a_new_file_under_the_old_name_shows_its_own_findings_while_the_renamed_ones_review_runs(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """``inventory.py`` renamed to ``stock.py`` while its review runs, then a new
    ``inventory.py`` written and saved (a shim importing from the new module): its findings
    went to ``stock.py`` (the rename was remembered by name, not by review), placed on
    another text, and ``inventory.py`` showed nothing."""
    async with held_review(fake_deepseek, tmp_path) as client:
        close(client, URI)
        open_doc(client, NEW_URI, INVENTORY)
        await asyncio.sleep(0.8)
        shim = "from stock import *\n\n\ndef first(row):\n    if row == None:\n        return 0\n    return row[0]\n"
        open_doc(client, URI, shim)
        save(client, URI)
        want = [position_of(shim, INVENTORY_RULES[0].needle)]
        assert await eventually(lambda: [as_tuple(d.range) for d in diagnostics(client, URI)] == want, timeout=10), (
            diagnostics(client, URI),
            diagnostics(client, NEW_URI),
        )
        assert diagnostics(client, NEW_URI) == []
        fake_deepseek.resume()
        expected = sorted(position_of(INVENTORY, r.needle) for r in INVENTORY_RULES[:4])
        assert await eventually(
            lambda: sorted(as_tuple(d.range) for d in diagnostics(client, NEW_URI)) == expected, timeout=10
        ), diagnostics(client, NEW_URI)
        assert [as_tuple(d.range) for d in diagnostics(client, URI)] == want


async def test_neovims_saveas_while_the_review_runs_shows_the_findings_under_the_new_name_paid_once(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """``:saveas stock.py`` while the save's review of ``inventory.py`` runs: Neovim tells of
    it at the write as a close of the old name, an open of the new one and a save of it."""
    async with held_review(fake_deepseek, tmp_path, editor="neovim") as client:
        close(client, URI)
        open_doc(client, NEW_URI, INVENTORY)
        save(client, NEW_URI)
        await asyncio.sleep(0.5)
        await resumed_shows_its_findings(client, fake_deepseek, NEW_URI)
        await asyncio.sleep(0.5)
        assert diagnostics(client, URI) == []
        assert len(fake_deepseek.requests_to(CHAT)) == 1


async def test_a_file_renamed_while_its_review_runs_is_named_by_its_new_name_in_its_status_and_progress(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """The review of ``inventory.py`` renamed to ``stock.py`` meanwhile, its request timing out:
    the failure is told of the file by the name it has now, and its progress, still titled
    "DeepSeek review: inventory.py" to its end, is ended and begun again under the new name."""
    fake_deepseek.responder(reviewer(INVENTORY_RULES), path=CHAT)
    settings = {"review": {"mode": "onSave", "maxRetries": 0, "timeoutS": 3}}
    async with lsp_session(env(fake_deepseek, tmp_path), settings=settings) as client:
        open_doc(client, URI, INVENTORY)
        fake_deepseek.pause_after("findings")
        save(client)
        assert await fake_deepseek.wait_paused_async()
        close(client, URI)
        open_doc(client, NEW_URI, INVENTORY)

        def told() -> list[str]:
            return [s["message"] for s in statuses(client) if "review of" in s.get("message", "")]

        assert await eventually(lambda: bool(told()), timeout=10), statuses(client)
        assert "stock.py" in told()[-1] and "inventory.py" not in told()[-1], told()

        def begun() -> list[tuple[str, str]]:
            return [
                (str(token), r.title)
                for token, reports in client.progress_reports.items()
                for r in reports
                if isinstance(r, types.WorkDoneProgressBegin)
            ]

        def ended() -> bool:
            return len(begun()) > 1 and all(
                isinstance(r[-1], types.WorkDoneProgressEnd) for r in client.progress_reports.values()
            )

        assert await eventually(ended, timeout=5), client.progress_reports
        assert [title for _, title in begun()] == ["DeepSeek review: inventory.py", "DeepSeek review: stock.py"]
        assert begun()[-1][0].endswith(NEW_URI)
        fake_deepseek.resume()


def did_rename(client: Any, old: str, new: str) -> None:
    client.workspace_did_rename_files(types.RenameFilesParams(files=[types.FileRename(old_uri=old, new_uri=new)]))


async def resumed_shows_its_findings(client: Any, fake: FakeDeepSeek, uri: str) -> None:
    """The held review let go: INVENTORY's findings shown under ``uri``, none under its old name."""
    await asyncio.sleep(0.3)
    fake.resume()
    expected = sorted(position_of(INVENTORY, r.needle) for r in INVENTORY_RULES[:4])
    assert await eventually(
        lambda: sorted(as_tuple(d.range) for d in diagnostics(client, uri)) == expected, timeout=10
    ), diagnostics(client, uri)
    assert diagnostics(client, URI) == []


@pytest.mark.parametrize("order", ["open-rename-close", "close-rename-open", "rename-close-open", "folder", "will-close-open-did"])
async def test_a_rename_the_client_tells_of_keeps_its_review_however_late_the_other_name_comes(
    fake_deepseek: FakeDeepSeek, tmp_path: Path, order: str
) -> None:
    """VS Code tells of an Explorer rename with ``workspace/didRenameFiles`` once the server
    registers for it, and may close the old name well after it opened the new one: more than
    0.5 s apart, the close cancelled the review under way (its request cut, paid for) and
    nothing showed under either name until the next save paid again."""
    async with held_review(fake_deepseek, tmp_path) as client:
        caps = client.init_result.capabilities  # type: ignore[attr-defined]
        assert caps.workspace.file_operations.did_rename is not None
        new_uri = "file:///ws/lib/inventory.py" if order == "folder" else NEW_URI
        if order == "open-rename-close":
            open_doc(client, NEW_URI, INVENTORY)
            await asyncio.sleep(0.8)
            did_rename(client, URI, NEW_URI)
            close(client, URI)
        elif order == "will-close-open-did":  # told first by willRenameFiles, the request before it
            assert caps.workspace.file_operations.will_rename is not None
            await client.workspace_will_rename_files_async(
                types.RenameFilesParams(files=[types.FileRename(old_uri=URI, new_uri=NEW_URI)])
            )
            close(client, URI)
            await asyncio.sleep(0.8)
            open_doc(client, NEW_URI, INVENTORY)
            did_rename(client, URI, NEW_URI)
        elif order == "close-rename-open":
            close(client, URI)
            did_rename(client, URI, NEW_URI)
            await asyncio.sleep(0.8)
            open_doc(client, NEW_URI, INVENTORY)
        else:
            if order == "folder":  # the file's folder moved: file:///ws -> file:///ws/lib
                did_rename(client, "file:///ws", "file:///ws/lib")
            else:
                did_rename(client, URI, NEW_URI)
            close(client, URI)
            await asyncio.sleep(0.8)
            open_doc(client, new_uri, INVENTORY)
        await resumed_shows_its_findings(client, fake_deepseek, new_uri)
        [request] = fake_deepseek.requests_to(CHAT)
        assert request.completed and not request.disconnected


async def test_a_new_file_under_a_told_renames_old_name_is_not_taken_for_its_reopening(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """``inventory.py`` renamed (told) and a new ``inventory.py`` opened before ``stock.py``
    is: the review under way is the renamed file's, not the new one's."""
    async with held_review(fake_deepseek, tmp_path) as client:
        did_rename(client, URI, NEW_URI)
        close(client, URI)
        shim = "from stock import *\n"
        open_doc(client, URI, shim)
        await asyncio.sleep(0.8)
        open_doc(client, NEW_URI, INVENTORY)
        await resumed_shows_its_findings(client, fake_deepseek, NEW_URI)
        assert len(fake_deepseek.requests_to(CHAT)) == 1


@pytest.mark.parametrize("order", ["close-open", "open-close"])
async def test_a_rename_neovim_tells_as_a_close_and_an_open_seconds_apart_keeps_its_review_paid_once(
    fake_deepseek: FakeDeepSeek, tmp_path: Path, order: str
) -> None:
    """Neovim 0.11 without a plugin tells of a rename by none of ``workspace/*RenameFiles``:
    ``:!mv % stock.py``, ``:bd``, ``:e stock.py`` (or ``:e stock.py`` then ``:bd #``) closes the
    old name and opens the new one as far apart as the commands are typed. Past 0.5 s the close
    cancelled the review under way (its request cut, paid for) and the new name showed nothing
    until its next save paid again."""
    async with held_review(fake_deepseek, tmp_path, editor="neovim") as client:
        if order == "close-open":
            close(client, URI)
            await asyncio.sleep(2.0)
            open_doc(client, NEW_URI, INVENTORY)
        else:
            open_doc(client, NEW_URI, INVENTORY)
            await asyncio.sleep(2.0)
            close(client, URI)
        await resumed_shows_its_findings(client, fake_deepseek, NEW_URI)
        [request] = fake_deepseek.requests_to(CHAT)
        assert request.completed and not request.disconnected
        # Saved under its new name, it is answered from what the review paid for.
        save(client, NEW_URI)
        await asyncio.sleep(1.0)
        assert len(fake_deepseek.requests_to(CHAT)) == 1


async def test_a_file_closed_then_another_file_opened_is_no_rename(fake_deepseek: FakeDeepSeek, tmp_path: Path) -> None:
    """A file closed while its review runs, and another one (another text) opened a second
    later: nothing of the review goes to the other file, and the review is let go of (its
    request closed) once no file with its text has opened (the wait shortened to 3 s here)."""
    other_uri, other = "file:///ws/other.py", "def first(row):\n    return row[0]\n"
    wait = {"deepseek_lsp.review.reloads:RENAME_UNTOLD_S": 3.0}
    async with held_review(fake_deepseek, tmp_path, editor="neovim", constants=wait) as client:
        close(client, URI)
        closed = time.monotonic()
        await asyncio.sleep(1.0)
        open_doc(client, other_uri, other)
        [request] = fake_deepseek.requests_to(CHAT)
        assert await eventually(lambda: request.disconnected, timeout=10), "the closed file's review never let go"
        assert request.disconnected_at is not None and request.disconnected_at - closed > 2.5
        fake_deepseek.resume()
        await asyncio.sleep(0.5)
        assert diagnostics(client, other_uri) == [] and diagnostics(client, URI) == []
        assert len(fake_deepseek.requests_to(CHAT)) == 1


async def test_a_review_ending_between_the_new_names_open_and_the_old_names_close_shows_under_the_new_name(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """Neovim's ``:e stock.py`` then, seconds later, ``:bd inventory.py``, the review ending
    in between: its findings went to the old name, gone at its close, and the new name (opened
    before they were in the cache) showed nothing until its next save."""
    async with held_review(fake_deepseek, tmp_path, editor="neovim") as client:
        open_doc(client, NEW_URI, INVENTORY)
        fake_deepseek.resume()
        assert await eventually(lambda: len(diagnostics(client, URI)) == 4, timeout=10), diagnostics(client, URI)
        await asyncio.sleep(2.0)
        close(client, URI)
        expected = sorted(position_of(INVENTORY, r.needle) for r in INVENTORY_RULES[:4])
        assert await eventually(
            lambda: sorted(as_tuple(d.range) for d in diagnostics(client, NEW_URI)) == expected, timeout=10
        ), diagnostics(client, NEW_URI)
        assert len(fake_deepseek.requests_to(CHAT)) == 1


@pytest.mark.parametrize("text", ["same", "another"])
async def test_a_file_closed_and_opened_again_seconds_later_keeps_its_review_only_with_its_text(
    fake_deepseek: FakeDeepSeek, tmp_path: Path, text: str
) -> None:
    """``:bd`` while the review runs and ``:e inventory.py`` 2 s later: with the text it was
    closed with, the review goes on and shows (it was cancelled at 0.5 s); with another text (a
    ``git checkout`` in a terminal meanwhile) it is a new opening, not Neovim's reload: the
    review of a text gone is let go of at once, as it was, and none is shown."""
    async with held_review(fake_deepseek, tmp_path, editor="neovim") as client:
        close(client, URI)
        await asyncio.sleep(2.0)
        [request] = fake_deepseek.requests_to(CHAT)
        if text == "same":
            open_doc(client, URI, INVENTORY)
            await asyncio.sleep(0.3)
            fake_deepseek.resume()
            assert await eventually(lambda: len(diagnostics(client, URI)) == 4, timeout=10), diagnostics(client, URI)
            assert request.completed and not request.disconnected
        else:
            open_doc(client, URI, RELOADED)
            assert await eventually(lambda: request.disconnected, timeout=3), "the review of the old text went on"
            fake_deepseek.resume()
            await asyncio.sleep(1.0)
            assert diagnostics(client, URI) == []
        assert len(fake_deepseek.requests_to(CHAT)) == 1
