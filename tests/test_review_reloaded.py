"""A file reloaded from disk while its review runs (a formatter run in a terminal, ``git
checkout``): the editor sends the new text as one change from the first line that differs to
the last (VS Code; Emacs and Sublime send the whole text, taken as the same change). Every
finding in between went, those of functions the reload left as they were too, and nothing said
why; the findings of the functions the reload changed are of code no longer there."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.fake_deepseek import FakeDeepSeek
from tests.harness import eventually, lsp_session, open_doc
from tests.review_support import INVENTORY_RULES, reviewed_units, reviewer
from tests.server_fork import CONSTANTS
from tests.test_review_lsp import CHAT, INVENTORY, SETTINGS, URI, diagnostics, env, save

#: What a formatter or a checkout made of the file: a line added at the top and at the end,
#: and the ``== None`` comparison the review flags fixed.
RELOADED = "# formatted\n" + INVENTORY.replace("if row == None:", "if row is None:") + "\n# end\n"


@asynccontextmanager
async def held_review(
    fake: FakeDeepSeek, tmp_path: Path, editor: str = "visual_studio_code", constants: dict[str, float] | None = None
) -> AsyncIterator[LanguageClient]:
    """A session of ``editor`` that opened INVENTORY and saved it, its review's answer held once
    its findings began; ``constants``: the server's module constants set (see server_fork)."""
    fake.responder(reviewer(INVENTORY_RULES), path=CHAT)
    extra = {CONSTANTS: json.dumps(constants)} if constants else {}
    async with lsp_session({**env(fake, tmp_path), **extra}, settings=SETTINGS, editor=editor) as client:
        open_doc(client, URI, INVENTORY)
        fake.pause_after("findings")
        save(client)
        assert await fake.wait_paused_async()
        yield client


def reload_change(style: str) -> types.TextDocumentContentChangeEvent:
    """The reload as the editor sends it: VS Code's lines from the first that differs to the
    last; Emacs' (eglot) the whole text."""
    if style == "emacs":
        return types.TextDocumentContentChangeWholeDocument(text=RELOADED)
    old, new = INVENTORY.split("\n"), RELOADED.split("\n")
    head = next(i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b)
    tail = next(i for i, (a, b) in enumerate(zip(reversed(old), reversed(new), strict=False)) if a != b)
    return types.TextDocumentContentChangePartial(
        range=types.Range(start=types.Position(line=head, character=0), end=types.Position(line=len(old) - tail, character=0)),
        text="".join(line + "\n" for line in new[head : len(new) - tail]),
    )


def shown(client: object, uri: str = URI) -> dict[str, str]:
    """Each finding's first message line, with the code its range covers in the reloaded text."""
    lines = RELOADED.split("\n")
    out = {}
    for d in diagnostics(client, uri):  # type: ignore[arg-type]
        r = d.range
        assert r.start.line == r.end.line, d
        out[d.message.split("\n")[0]] = lines[r.start.line][r.start.character : r.end.character]
    return out


@pytest.mark.parametrize("style", ["vscode", "emacs"])
async def test_the_findings_of_code_a_reload_left_as_it_was_stay_on_it(
    fake_deepseek: FakeDeepSeek, tmp_path: Path, style: str
) -> None:
    async with held_review(fake_deepseek, tmp_path) as client:
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=URI, version=2),
                content_changes=[reload_change(style)],
            )
        )
        await asyncio.sleep(0.3)
        fake_deepseek.resume()
        expected = {
            INVENTORY_RULES[1].message: INVENTORY_RULES[1].needle,
            INVENTORY_RULES[2].message: INVENTORY_RULES[2].needle,
            INVENTORY_RULES[3].message: INVENTORY_RULES[3].needle,
        }
        assert await eventually(lambda: shown(client) == expected, timeout=10), shown(client)
        # (The fixed comparison's finding is not shown: its function changed, reviewed at the next save.)


def test_a_deleted_flagged_line_s_twin_does_not_take_its_finding() -> None:
    """Of two same lines the model flagged the first, and the user deleted it while the review
    ran: read line by line, the second looks deleted, and the finding came onto the first's
    twin, which the model did not flag."""
    from types import SimpleNamespace

    from deepseek_lsp.config import Settings
    from deepseek_lsp.documents import Document, Edit
    from deepseek_lsp.review.findings import Finding
    from deepseek_lsp.review.reanchored import _lines_followed, line_edits

    old = b"a = 1\nlock.release()\nlock.release()\nb = 2\n"
    new = b"a = 1\nlock.release()\nb = 2\n"
    flagged = Finding("f1", "warning", "Released twice.", "lock.release()", 6, 20, None, 0.9, "m", "fp")
    copy = Document("file:///x.py", new.decode())
    no_cache = SimpleNamespace(cached_findings=lambda *a, **k: ([], False))
    deleted_first = [Edit(6, 21, 6)]
    assert _lines_followed(no_cache, [flagged], old, copy, deleted_first, Settings(), ()) == []  # type: ignore[arg-type]
    deleted_second = [Edit(21, 36, 21)]
    [kept] = _lines_followed(no_cache, [flagged], old, copy, deleted_second, Settings(), ())  # type: ignore[arg-type]
    assert new[kept.start : kept.end] == b"lock.release()"
    assert line_edits(old, new) == [Edit(21, 36, 21)]


async def test_a_file_neovim_reloads_while_its_review_runs_shows_the_review(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """Neovim reloads a buffer (``:e``, 'autoread' after a formatter or ``git checkout``) as
    didClose then didOpen: the close cancelled the review under way, its requests closed, and
    the reopened file showed nothing of it; now the review goes on, and its findings of the
    functions the reload left as they were are shown on the new text."""
    async with held_review(fake_deepseek, tmp_path, "neovim") as client:
        client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=URI)))
        open_doc(client, URI, RELOADED, version=3)
        await asyncio.sleep(0.3)
        fake_deepseek.resume()
        expected = {
            INVENTORY_RULES[2].message: INVENTORY_RULES[2].needle,
            INVENTORY_RULES[3].message: INVENTORY_RULES[3].needle,
        }
        assert await eventually(lambda: shown(client) == expected, timeout=10), shown(client)
        # (The reload's own review of the functions it changed may follow it, once it settled.)
        request = fake_deepseek.requests_to(CHAT)[0]
        assert request.completed and not request.disconnected


@pytest.mark.usefixtures("state_dir")
async def test_a_review_replaced_by_one_that_ends_at_once_closes_its_request(fake_deepseek: FakeDeepSeek) -> None:
    """Edited and saved again, then closed: the new review ends at its first step (the file is
    gone) and lets go of the one it replaced, then cancelled it a second time as it ended; the
    second cancel cut short the first's letting go of its request, left open, every token billed."""
    from tests.test_review_after_edits import Editor

    fake_deepseek.responder(reviewer(()), path=CHAT)
    fake_deepseek.set_latency(ttft=30.0)
    text = "def f(row):\n    if row == None:\n        return 1\n    return 2\n"
    async with Editor(fake_deepseek, text) as editor:
        review, documents = editor.review, editor.services.documents
        review.document_saved(documents.get(editor.uri))  # type: ignore[arg-type]
        assert await asyncio.to_thread(fake_deepseek.wait_requested, CHAT, 10)
        editor.replace(47, 48, "3")
        review.document_saved(documents.get(editor.uri))  # type: ignore[arg-type]
        review.document_closed(documents.close(editor.uri))  # type: ignore[arg-type]
        [request] = fake_deepseek.requests_to(CHAT)
        assert await asyncio.to_thread(fake_deepseek.wait_closed, request, 10)
        assert review.engine._flights == {}


def on_disk(tmp_path: Path) -> tuple[Path, str]:
    """INVENTORY written in a workspace folder: its path and URI."""
    path = tmp_path / "ws" / "inventory.py"
    path.parent.mkdir()
    path.write_text(INVENTORY)
    return path, path.as_uri()


@asynccontextmanager
async def reviewed_on_disk(fake: FakeDeepSeek, tmp_path: Path) -> AsyncIterator[tuple[LanguageClient, Path, str, int]]:
    """A VS Code session that opened INVENTORY (on disk) and saved it, its 4 findings shown:
    the client, the file's path and URI, and the requests made so far."""
    fake.responder(reviewer(INVENTORY_RULES), path=CHAT)
    path, uri = on_disk(tmp_path)
    async with lsp_session(env(fake, tmp_path / "state"), settings=SETTINGS) as client:
        open_doc(client, uri, INVENTORY)
        save(client, uri)
        assert await eventually(lambda: len(diagnostics(client, uri)) == 4, timeout=10)
        yield client, path, uri, len(fake.requests_to(CHAT))


def replace_text(client: object, uri: str, version: int, text: str) -> None:
    """The document's whole text replaced, as Emacs and Sublime send any change."""
    client.text_document_did_change(  # type: ignore[attr-defined]
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


def _reviewed(fake: FakeDeepSeek) -> list[list[str]]:
    return [sorted(reviewed_units(r.json)) for r in fake.requests_to(CHAT)]


@pytest.mark.parametrize("editor", ["visual_studio_code", "neovim"])
async def test_a_file_reloaded_from_disk_has_its_changed_functions_reviewed_once_it_settles(
    fake_deepseek: FakeDeepSeek, tmp_path: Path, editor: str
) -> None:
    """A formatter run in a terminal (or a ``git checkout``) rewrote the file, and the editor
    reloaded it: no save follows, so the functions it changed went unreviewed, their old
    findings gone, until the user happened to save. Once the reload settles the file is
    reviewed as a save reviews it: the functions it changed alone are sent (the cache answers
    the others), once; VS Code sends the reload as a change, Neovim as a close and an open."""
    fake_deepseek.responder(reviewer(INVENTORY_RULES), path=CHAT)
    path, uri = on_disk(tmp_path)
    async with lsp_session(env(fake_deepseek, tmp_path / "state"), settings=SETTINGS, editor=editor) as client:
        open_doc(client, uri, INVENTORY)
        save(client, uri)
        assert await eventually(lambda: len(diagnostics(client, uri)) == 4, timeout=10)
        first = _reviewed(fake_deepseek)
        path.write_text(RELOADED)
        if editor == "neovim":
            client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
            open_doc(client, uri, RELOADED, version=3)
        else:
            client.text_document_did_change(
                types.DidChangeTextDocumentParams(
                    text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
                    content_changes=[reload_change("vscode")],
                )
            )
        assert await eventually(lambda: len(_reviewed(fake_deepseek)) > len(first), timeout=10)
        await asyncio.sleep(1.5)  # (settled: nothing more is sent)
        again = _reviewed(fake_deepseek)[len(first):]
        sent = sorted(u for units in again for u in units)
        assert sent and len(sent) < len([u for units in first for u in units]), (first, again)
        assert "find_item" in sent, sent  # the function whose comparison the reload fixed
        # The fixed comparison's finding is gone, the others are shown on the new text.
        assert await eventually(lambda: INVENTORY_RULES[0].message not in shown(client, uri), timeout=5)
        assert len(shown(client, uri)) == 3


async def test_typing_to_a_pause_is_no_reload(fake_deepseek: FakeDeepSeek, tmp_path: Path) -> None:
    """Edits the disk does not have (typing, then a pause) are no reload: nothing is sent until
    a save; nor is the text saved and reviewed already, met again by undoing to it."""
    async with reviewed_on_disk(fake_deepseek, tmp_path) as (client, _, uri, told):
        replace_text(client, uri, 2, RELOADED)
        await asyncio.sleep(1.6)
        replace_text(client, uri, 3, INVENTORY)
        await asyncio.sleep(1.6)
        assert len(fake_deepseek.requests_to(CHAT)) == told


async def test_an_auto_save_s_write_before_its_did_save_is_no_reload(fake_deepseek: FakeDeepSeek, tmp_path: Path) -> None:
    """VS Code's auto-save: ``willSave``, the file written, then ``didSave``. A pause of a second
    between the write and ``didSave`` found the disk holding the editor's text, took it for a
    reload and reviewed it at once: the auto-save's quiet wait (``review.autoSaveDelayMs``) was
    skipped, the half-written function paid for."""
    fake_deepseek.responder(reviewer(INVENTORY_RULES), path=CHAT)
    path, uri = on_disk(tmp_path)
    settings = {"review": {"mode": "onSave", "maxRetries": 1, "autoSaveDelayMs": 3000}}
    async with lsp_session(env(fake_deepseek, tmp_path / "state"), settings=settings) as client:
        open_doc(client, uri, INVENTORY)
        save(client, uri)
        assert await eventually(lambda: len(diagnostics(client, uri)) == 4, timeout=10)
        told = len(fake_deepseek.requests_to(CHAT))
        replace_text(client, uri, 2, RELOADED)
        client.text_document_will_save(
            types.WillSaveTextDocumentParams(
                text_document=types.TextDocumentIdentifier(uri=uri), reason=types.TextDocumentSaveReason.AfterDelay
            )
        )
        edited = time.monotonic()
        path.write_text(RELOADED)
        await asyncio.sleep(1.8)  # past the reload's settling, short of the auto-save's wait
        save(client, uri)
        assert await eventually(lambda: len(fake_deepseek.requests_to(CHAT)) > told, timeout=15)
        assert fake_deepseek.requests_to(CHAT)[told].received_at >= edited + 3.0 - 0.05


async def test_a_reload_of_a_file_with_no_findings_shown_waits_for_its_save(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """A checkout reloads every open file: each one's changed functions were sent unasked, for
    findings shown nowhere the user was looking (the first-save question asks only above 30,000
    tokens a file). A file whose review found nothing is reviewed at its next save instead."""
    fake_deepseek.responder(reviewer(()), path=CHAT)
    path, uri = on_disk(tmp_path)
    async with lsp_session(env(fake_deepseek, tmp_path / "state"), settings=SETTINGS) as client:
        open_doc(client, uri, INVENTORY)
        save(client, uri)
        assert await eventually(lambda: len(fake_deepseek.requests_to(CHAT)) > 0, timeout=10)
        await asyncio.sleep(0.5)
        first = len(fake_deepseek.requests_to(CHAT))
        path.write_text(RELOADED)
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
                content_changes=[reload_change("vscode")],
            )
        )
        await asyncio.sleep(2.5)  # past the reload's settling
        assert len(fake_deepseek.requests_to(CHAT)) == first, _reviewed(fake_deepseek)[first:]
        save(client, uri)
        assert await eventually(lambda: len(fake_deepseek.requests_to(CHAT)) > first, timeout=10)
        assert "find_item" in _reviewed(fake_deepseek)[first], _reviewed(fake_deepseek)


async def test_a_reload_after_a_save_that_failed_is_reviewed(fake_deepseek: FakeDeepSeek, tmp_path: Path) -> None:
    """A ``willSave`` with no ``didSave`` after it (the write failed: a read-only file, a full
    disk; or a save participant cancelled it) was taken for a save under way for good: every
    later reload of the file (a ``git checkout``) went unreviewed."""
    async with reviewed_on_disk(fake_deepseek, tmp_path) as (client, path, uri, told):
        client.text_document_will_save(
            types.WillSaveTextDocumentParams(
                text_document=types.TextDocumentIdentifier(uri=uri), reason=types.TextDocumentSaveReason.Manual
            )
        )
        await asyncio.sleep(0.5)  # (no didSave: the write failed)
        path.write_text(RELOADED)
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
                content_changes=[reload_change("vscode")],
            )
        )
        assert await eventually(lambda: len(fake_deepseek.requests_to(CHAT)) > told, timeout=15)
        assert "find_item" in _reviewed(fake_deepseek)[told], _reviewed(fake_deepseek)
        assert await eventually(lambda: INVENTORY_RULES[0].message not in shown(client, uri), timeout=5)
