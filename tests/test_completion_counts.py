"""The counts the editors show (shown, accepted, partly accepted, the acceptance rate) are of
suggestions, not of the items carrying them: the same suggestion is sent again each time the
editor asks at its place (Esc and back into insert mode, the cursor away and back, an undo), and
each of those items was one more shown. The real server over stdio against the fake DeepSeek
server."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types

from deepseek_lsp.completion.events import MAX_SUGGESTIONS
from tests.fake_deepseek import FakeDeepSeek
from tests.harness import inline_params, insert, open_doc
from tests.server_fork import CONSTANTS
from tests.test_completion_e2e import accept, session, stats

FIM = "/beta/completions"

pytestmark = pytest.mark.usefixtures("state_dir")


def raw(item: types.InlineCompletionItem) -> dict[str, Any]:
    """The item as the editor sends it back in its notifications."""
    assert item.command is not None
    return {
        "insertText": item.insert_text,
        "command": {
            "command": item.command.command,
            "arguments": list(item.command.arguments or []),
        },
    }


async def shown_at(client: Any, uri: str, line: int, character: int) -> types.InlineCompletionItem:
    """Ask at the cursor as the editor does and draw the answer's first item."""
    result = await client.text_document_inline_completion_async(inline_params(uri, line, character))
    assert result.items, f"no suggestion at {line}:{character}"
    item = result.items[0]
    client.protocol.notify("textDocument/didShowCompletion", {"item": raw(item)})
    return item


def delete(client: Any, uri: str, version: int, line: int, start: int, end: int) -> None:
    """Undo an insert on one line: the editor sends the text's removal."""
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(types.Position(line, start), types.Position(line, end)),
                    text="",
                )
            ],
        )
    )


def respond(body: dict[str, Any]) -> str:
    prompt: str = body["prompt"]
    if prompt.endswith("x = "):
        return "compute(a, b)"
    return "other(a)" if prompt.endswith("y = ") else ""


async def test_one_suggestion_drawn_again_and_again_then_accepted_is_a_rate_of_one(
    tmp_path: Path,
) -> None:
    """Neovim: the suggestion drawn, Esc and back into insert mode (asked again, drawn again), the
    cursor away and back, accepted, undone, typed through and accepted again: 6 shown and 2
    accepted (33 %) for the one suggestion the user saw and took."""
    with FakeDeepSeek() as fake:
        fake.responder(respond, path=FIM)
        async with session(fake, tmp_path, {"debounce": 0, "prefetch": False}) as client:
            uri = "file:///ws/a.py"
            open_doc(client, uri, "a = b = 1\nx = \ny = \n")
            first = await shown_at(client, uri, 1, 4)
            assert first.insert_text == "compute(a, b)"
            client.protocol.notify(
                "textDocument/didShowCompletion", {"item": raw(first)}
            )  # redrawn
            await shown_at(client, uri, 1, 4)  # Esc, then `a`: asked and drawn again
            away = await client.text_document_inline_completion_async(inline_params(uri, 0, 0))
            assert not away.items  # mid-line: nothing there
            again = await shown_at(client, uri, 1, 4)  # and back
            await accept(client, uri, 2, 1, 4, again)
            counts = await stats(client)
            assert (counts["shown"], counts["accepted"], counts["acceptanceRate"]) == (1, 1, 1.0)

            delete(client, uri, 3, 1, 4, 4 + len(again.insert_text))  # `u`
            await shown_at(client, uri, 1, 4)
            insert(client, uri, 4, 1, 4, "comp")  # typed through
            rest = await shown_at(client, uri, 1, 8)
            assert rest.insert_text == "ute(a, b)"
            await accept(client, uri, 5, 1, 8, rest)
            counts = await stats(client)
            assert (counts["shown"], counts["accepted"], counts["acceptanceRate"]) == (1, 1, 1.0)
            assert counts["requests"] == 6  # each answer still counted for the latencies
            assert counts["latencyMs"]["p50"] is not None


async def test_two_suggestions_shown_and_one_accepted_is_a_rate_of_one_half(tmp_path: Path) -> None:
    """Each drawn twice (the cursor went back to the first), the first accepted."""
    with FakeDeepSeek() as fake:
        fake.responder(respond, path=FIM)
        async with session(fake, tmp_path, {"debounce": 0, "prefetch": False}) as client:
            uri = "file:///ws/a.py"
            open_doc(client, uri, "a = b = 1\nx = \ny = \n")
            await shown_at(client, uri, 1, 4)
            other = await shown_at(client, uri, 2, 4)
            assert other.insert_text == "other(a)"
            await shown_at(client, uri, 2, 4)
            first = await shown_at(client, uri, 1, 4)
            await accept(client, uri, 2, 1, 4, first)
            counts = await stats(client)
            assert (counts["shown"], counts["accepted"], counts["acceptanceRate"]) == (2, 1, 0.5)


async def test_a_suggestion_taken_a_word_then_whole_is_accepted_not_partly(tmp_path: Path) -> None:
    """A word taken (the rest sent again at the new cursor, and drawn) is a suggestion partly
    accepted, counted once for both words; taken to its end, it is accepted instead."""
    with FakeDeepSeek() as fake:
        fake.responder(
            lambda body: "compute(alpha, beta)" if body["prompt"].endswith("x = ") else "", path=FIM
        )
        async with session(fake, tmp_path, {"debounce": 0, "prefetch": False}) as client:
            uri = "file:///ws/a.py"
            open_doc(client, uri, "alpha = beta = 1\nx = \n")
            item = await shown_at(client, uri, 1, 4)
            for version, (at, word) in enumerate(((4, "compute"), (11, "(alpha")), start=2):
                insert(client, uri, version, 1, at, word)
                client.protocol.notify(
                    "textDocument/didPartiallyAcceptCompletion",
                    {"item": raw(item), "acceptedLength": at - 4 + len(word)},
                )
            rest = await shown_at(client, uri, 1, 17)
            assert rest.insert_text == ", beta)"
            counts = await stats(client)
            assert (counts["shown"], counts["accepted"], counts["partiallyAccepted"]) == (1, 0, 1)
            await accept(client, uri, 4, 1, 17, rest)  # Tab takes the rest
            counts = await stats(client)
            assert (counts["shown"], counts["accepted"], counts["partiallyAccepted"]) == (1, 1, 0)
            assert counts["acceptanceRate"] == 1.0


#: MAX_SUGGESTIONS (1,024) in the server of the test below: the bound is the question, not its
#: size (1,026 requests over stdio took 36 s of a loaded run).
FEW_SUGGESTIONS = 64


async def test_suggestions_are_remembered_a_bounded_number_at_a_time(tmp_path: Path) -> None:
    """Past MAX_SUGGESTIONS others, the first suggestion is forgotten (memory does not grow with
    the session) and, drawn again, counts again; one sent again meanwhile is kept."""
    assert MAX_SUGGESTIONS > FEW_SUGGESTIONS  # the server's own bound is set smaller, not larger
    lines = FEW_SUGGESTIONS + 2
    bound = json.dumps({"deepseek_lsp.completion.events:MAX_SUGGESTIONS": FEW_SUGGESTIONS})
    with FakeDeepSeek() as fake:
        fake.responder(lambda body: "value()", path=FIM)
        async with session(fake, tmp_path, {"debounce": 0, "prefetch": False}, **{CONSTANTS: bound}) as client:
            uri = "file:///ws/a.py"
            open_doc(client, uri, "".join(f"v{n} = \n" for n in range(lines)))

            def at(n: int) -> Any:
                return shown_at(client, uri, n, len(f"v{n} = "))

            await at(0)
            await at(1)
            for n in range(2, lines):
                await at(n)
                if n % (FEW_SUGGESTIONS // 4) == 0:
                    await at(1)  # sent again: among the most recent
            assert (await stats(client))["shown"] == lines
            await at(1)
            assert (await stats(client))["shown"] == lines
            await at(0)
            assert (await stats(client))["shown"] == lines + 1



async def accept_in_order(client: Any, uri: str, line: int, character: int, item: Any, *, command_first: bool) -> None:
    """Accept ``item`` (document version 2) with its command after its insert, as VS Code does,
    or before it (the Neovim plugin's accept over an auto-closed `)`, pasted after the command)."""
    if not command_first:
        await accept(client, uri, 2, line, character, item)
        return
    await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=item.command.command, arguments=list(item.command.arguments))
    )
    insert(client, uri, 2, line, character, item.insert_text)


@asynccontextmanager
async def _shown(
    tmp_path: Path, answer: Any = respond, text: str = "a = b = 1\nx = \ny = \n", line: int = 1, character: int = 4
) -> AsyncIterator[tuple[Any, str, types.InlineCompletionItem]]:
    """The client, the document holding ``text`` and the suggestion drawn at ``line``:``character``
    (by default at `x = |`, `compute(a, b)`), the fake answering ``answer``."""
    with FakeDeepSeek() as fake:
        fake.responder(answer, path=FIM)
        async with session(fake, tmp_path, {"debounce": 0, "prefetch": False}) as client:
            uri = "file:///ws/a.py"
            open_doc(client, uri, text)
            yield client, uri, await shown_at(client, uri, line, character)


@pytest.mark.parametrize("command_first", [False, True])
async def test_an_accept_undone_is_no_accept(tmp_path: Path, command_first: bool) -> None:
    """Accepted, then undone (Ctrl+Z, `u`): the document is back to what it was where the
    suggestion went in, and the session still counted it accepted (1 of 1, 100 %). Whichever
    came first, the item's command or its insert."""
    async with _shown(tmp_path) as (client, uri, item):
        await accept_in_order(client, uri, 1, 4, item, command_first=command_first)
        counts = await stats(client)
        assert (counts["accepted"], counts["undone"]) == (1, 0)
        delete(client, uri, 3, 1, 4, 4 + len(item.insert_text))  # the undo
        counts = await stats(client)
        assert (counts["shown"], counts["accepted"], counts["undone"], counts["acceptanceRate"]) == (1, 0, 1, 0.0)


async def test_an_accept_edited_on_then_deleted_stays_accepted(tmp_path: Path) -> None:
    """The control: the user typed on after the accept, then deleted it all by hand: no undo of
    the accept (the code was used, then rewritten), still accepted."""
    async with _shown(tmp_path) as (client, uri, item):
        await accept(client, uri, 2, 1, 4, item)
        end = 4 + len(item.insert_text)
        insert(client, uri, 3, 1, end, " + 1")
        delete(client, uri, 4, 1, 4, end + 4)
        counts = await stats(client)
        assert (counts["accepted"], counts["undone"]) == (1, 0)


@asynccontextmanager
async def _line_taken(tmp_path: Path) -> AsyncIterator[tuple[Any, str, types.InlineCompletionItem]]:
    """The client, the document and the rest of a block (sent again at the new cursor, another
    item) drawn once its first line was taken (document version 2)."""
    def answer(body: dict[str, Any]) -> str:
        return "total = a + b\n    return total" if body["prompt"].endswith("b):\n    ") else ""

    async with _shown(tmp_path, answer, "def add(a, b):\n    \n") as (client, uri, item):
        insert(client, uri, 2, 1, 4, "total = a + b")  # the line
        client.protocol.notify(
            "textDocument/didPartiallyAcceptCompletion", {"item": raw(item), "acceptedLength": 13}
        )
        rest = await shown_at(client, uri, 1, 17)
        assert rest.insert_text == "\n    return total"
        yield client, uri, rest


async def test_a_block_taken_a_line_then_words_then_its_rest_is_one_accept(tmp_path: Path) -> None:
    """A block taken by line, the rest (sent again at the new cursor, another item) by words,
    then its rest whole: one suggestion shown, partly accepted until its end, then accepted once
    (the control of the counts across items carrying one suggestion)."""
    async with _line_taken(tmp_path) as (client, uri, rest):
        insert(client, uri, 3, 1, 17, "\n    return")  # a word of the rest
        client.protocol.notify(
            "textDocument/didPartiallyAcceptCompletion", {"item": raw(rest), "acceptedLength": 11}
        )
        counts = await stats(client)
        assert (counts["shown"], counts["accepted"], counts["partiallyAccepted"]) == (1, 0, 1)
        last = await shown_at(client, uri, 2, 10)
        await accept(client, uri, 4, 2, 10, last)
        counts = await stats(client)
        assert (counts["shown"], counts["accepted"], counts["partiallyAccepted"]) == (1, 1, 0)


async def test_an_accept_undone_then_redone_is_accepted(tmp_path: Path) -> None:
    """Accepted, undone, then redone (Ctrl+Y, Ctrl+R): the suggestion is in the code again, yet
    the session went on counting it undone (0 accepted of 1 shown)."""
    async with _shown(tmp_path) as (client, uri, item):
        await accept(client, uri, 2, 1, 4, item)
        delete(client, uri, 3, 1, 4, 4 + len(item.insert_text))  # the undo
        insert(client, uri, 4, 1, 4, item.insert_text)  # the redo
        counts = await stats(client)
        assert (counts["shown"], counts["accepted"], counts["undone"], counts["acceptanceRate"]) == (1, 1, 0, 1.0)
        delete(client, uri, 5, 1, 4, 4 + len(item.insert_text))  # undone again
        counts = await stats(client)
        assert (counts["accepted"], counts["undone"]) == (0, 1)


async def test_an_accept_in_a_notebook_cell_undone_then_redone(tmp_path: Path) -> None:
    """In a notebook's cell, below another: the undo and the redo are told as the cell's
    changes, the counts those of a file (accepted 1 -> undone -> accepted again)."""
    from tests.test_notebooks import CODE, change_params, edit, inline, open_params

    with FakeDeepSeek() as fake:
        fake.responder(respond, path=FIM)
        async with session(fake, tmp_path, {"debounce": 0, "prefetch": False}) as client:
            client.notebook_document_did_open(open_params([("a", "a = b = 1", CODE), ("b", "x = ", CODE)]))
            result = await client.text_document_inline_completion_async(inline("b", 0, 4))
            item = result.items[0]
            client.protocol.notify("textDocument/didShowCompletion", {"item": raw(item)})
            end = 4 + len(item.insert_text)
            client.notebook_document_did_change(change_params(2, edit("b", 2, (0, 4), (0, 4), item.insert_text)))
            await client.workspace_execute_command_async(
                types.ExecuteCommandParams(command=item.command.command, arguments=list(item.command.arguments))
            )
            counts = await stats(client)
            assert (counts["accepted"], counts["undone"]) == (1, 0)
            client.notebook_document_did_change(change_params(3, edit("b", 3, (0, 4), (0, end), "")))
            counts = await stats(client)
            assert (counts["accepted"], counts["undone"]) == (0, 1)
            client.notebook_document_did_change(change_params(4, edit("b", 4, (0, 4), (0, 4), item.insert_text)))
            counts = await stats(client)
            assert (counts["shown"], counts["accepted"], counts["undone"]) == (1, 1, 0)


async def test_the_last_piece_of_a_suggestion_taken_in_pieces_undone_leaves_it_partly_accepted(
    tmp_path: Path,
) -> None:
    """A block taken by line, then its rest whole; the rest undone (Ctrl+Z): its first line is
    still in the code, taken from the suggestion. It was counted neither accepted nor partly
    (0 and 0 of 1 shown, as if thrown away). Redone, it is accepted again."""
    async with _line_taken(tmp_path) as (client, uri, rest):
        await accept(client, uri, 3, 1, 17, rest)
        counts = await stats(client)
        assert (counts["accepted"], counts["partiallyAccepted"]) == (1, 0)
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=4),
                content_changes=[
                    types.TextDocumentContentChangePartial(
                        range=types.Range(types.Position(1, 17), types.Position(2, 16)), text=""
                    )
                ],
            )
        )  # the undo of the rest
        counts = await stats(client)
        assert (counts["shown"], counts["accepted"], counts["partiallyAccepted"], counts["undone"]) == (1, 0, 1, 1)
        insert(client, uri, 5, 1, 17, rest.insert_text)  # redone
        counts = await stats(client)
        assert (counts["accepted"], counts["partiallyAccepted"], counts["undone"]) == (1, 0, 0)


async def test_an_item_kept_through_typing_accepted_then_undone_is_no_accept(tmp_path: Path) -> None:
    """VS Code keeps the item shown while the user types its first characters (no request for
    them), then Tab runs its command over the rest: undone, the document is back to the
    characters typed, not to the item's own start, and the undo was not seen (1 of 1 accepted)."""
    async with _shown(tmp_path) as (client, uri, item):
        typed = item.insert_text[:3]
        for i, ch in enumerate(typed):
            insert(client, uri, 2 + i, 1, 4 + i, ch)
        rest = item.insert_text[3:]
        insert(client, uri, 5, 1, 7, rest)  # Tab: the rest goes in, then its command runs
        await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command=item.command.command, arguments=list(item.command.arguments))
        )
        counts = await stats(client)
        assert (counts["accepted"], counts["undone"]) == (1, 0)
        delete(client, uri, 6, 1, 7, 7 + len(rest))  # Ctrl+Z: the accept's insert goes
        counts = await stats(client)
        assert (counts["shown"], counts["accepted"], counts["undone"]) == (1, 0, 1)


async def test_an_item_kept_through_typing_accepted_then_edited_stays_accepted(tmp_path: Path) -> None:
    """The control: typed through, accepted, typed on after it, then all after the characters
    typed first deleted by hand (the code used, then rewritten): still accepted."""
    async with _shown(tmp_path) as (client, uri, item):
        for i, ch in enumerate(item.insert_text[:3]):
            insert(client, uri, 2 + i, 1, 4 + i, ch)
        insert(client, uri, 5, 1, 7, item.insert_text[3:])
        await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command=item.command.command, arguments=list(item.command.arguments))
        )
        end = 4 + len(item.insert_text)
        insert(client, uri, 6, 1, end, " + 1")
        delete(client, uri, 7, 1, 7, end + 4)
        counts = await stats(client)
        assert (counts["accepted"], counts["undone"]) == (1, 0)
