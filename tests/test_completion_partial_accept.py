"""Accepting part of a suggestion (a word, a line) and what the server asks the model for next:
the rest comes from what is held, and speculative requests for states the user left are not
kept streaming. The feature in-process, its model client talking HTTP to the fake DeepSeek
server."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types

from tests.completing import Completing
from tests.fake_deepseek import FakeDeepSeek
from tests.harness import inline_params, insert, open_doc
from tests.test_completion_e2e import accept, session, stats

FIM = "/beta/completions"

pytestmark = pytest.mark.usefixtures("state_dir")  # usage and caches in the test's own folder


async def _eventually(check: Any, timeout: float = 5.0) -> bool:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while loop.time() < end:
        if check():
            return True
        await asyncio.sleep(0.02)
    return bool(check())


async def test_a_word_accepted_from_the_second_choice_is_followed_by_its_rest(fake_deepseek: FakeDeepSeek) -> None:
    """The user asks for choices (Alt+]), picks the second and accepts its first word
    (Ctrl+Right); the editor asks again at the new cursor. Only the first choice was held for
    typing-through: the rest of the one being accepted was asked of the model again (billed,
    after the debounce), and the suggestion turned into whatever that answer said."""
    answers = {0.0: "compute(a, b)", 0.6: "compare(a)", 0.9: "count(b)"}

    def respond(body: dict[str, Any]) -> str:
        return answers.get(body["temperature"], "") if body["prompt"].endswith("x = ") else "nothing_else()"

    fake_deepseek.responder(respond, path=FIM)
    completing = Completing(fake_deepseek, debounce=0, prefetch=False)
    try:
        uri = "file:///w/a.py"
        completing.open(uri, "a = b = 1\nx = \n")
        assert await completing.inline(uri, 1, 4, invoked=True) == ["compute(a, b)", "compare(a)", "count(b)"]
        asked = len(fake_deepseek.requests_to(FIM))
        completing.insert(uri, 1, 4, "compare")  # the word the editor inserted
        assert await completing.inline(uri, 1, 11) == ["(a)"]
        completing.insert(uri, 1, 11, "(")  # and the next one
        assert await completing.inline(uri, 1, 12) == ["a)"]
        assert len(fake_deepseek.requests_to(FIM)) == asked  # nothing asked again
    finally:
        await completing.stop()


async def test_prefetches_for_suggestions_the_cursor_moved_away_from_are_stopped(fake_deepseek: FakeDeepSeek) -> None:
    """Each suggestion shown starts a prefetch of the block after accepting it. The user moves
    the cursor (no edit: arrow keys, a click) and gets a suggestion elsewhere: the earlier
    prefetches could no longer be used (only the newest one is joinable) yet streamed on to
    their end, every token billed, one more with every line visited."""
    fake_deepseek.set_latency(per_token=0.02, chunk_chars=2)  # a block takes seconds
    fake_deepseek.responder(
        lambda body: "compute(a)" if body["stop"] == ["\n"] else "\n" + "w = 1\n" * 150, path=FIM
    )
    completing = Completing(fake_deepseek, debounce=0, prefetch=True)
    try:
        uri = "file:///w/a.py"
        completing.open(uri, "a = 1\nx = \ny = \nz = \n")
        for line in (1, 2, 3):
            assert await completing.inline(uri, line, 4) == ["compute(a)"]
            # The suggestion and its prefetch.
            assert await _eventually(lambda n=2 * line: len(fake_deepseek.requests_to(FIM)) == n)
        prefetches = [r for r in fake_deepseek.requests_to(FIM) if r.json["stop"] != ["\n"]]
        assert len(prefetches) == 3
        for left in prefetches[:2]:
            assert await fake_deepseek.wait_closed_async(left, timeout=2.0)
            assert left.disconnected and not left.completed
        assert not prefetches[2].closed  # the one for where the cursor is streams on
    finally:
        await completing.stop()


async def test_a_prefetch_told_to_wait_is_not_asked_again_with_every_word(fake_deepseek: FakeDeepSeek) -> None:
    """The prefetch for the state after the suggestion got a 429 with Retry-After. Nothing heard
    it: the next word accepted (or character typed through the suggestion) sent the prefetch
    again, and the next, each one refused again, while the server had asked for quiet."""
    fake_deepseek.responder(lambda body: "compute(alpha, beta)" if body["prompt"].endswith("x = ") else "y = 2", path=FIM)
    completing = Completing(fake_deepseek, debounce=0, prefetch=False)
    try:
        uri = "file:///w/a.py"
        completing.open(uri, "alpha = beta = 1\nx = \n")
        assert await completing.inline(uri, 1, 4) == ["compute(alpha, beta)"]
        fake_deepseek.fault("status", count=1, path=FIM, status=429, retry_after=30)
        completing.configure(prefetch=True)
        completing.insert(uri, 1, 4, "compute")  # a word accepted: the prefetch is asked for
        await completing.inline(uri, 1, 11)
        assert await _eventually(lambda: len(fake_deepseek.requests_to(FIM)) == 2)
        assert await _eventually(lambda: fake_deepseek.requests_to(FIM)[1].closed)
        await asyncio.sleep(0.1)
        for at, word in ((11, "(alpha"), (17, ", ")):
            completing.insert(uri, 1, at, word)
            await completing.inline(uri, 1, at + len(word))
            await asyncio.sleep(0.2)
        assert len(fake_deepseek.requests_to(FIM)) == 2  # the 429's Retry-After was heeded
        assert any(s.kind == "Warning" for s in completing.statuses)
    finally:
        await completing.stop()


async def test_menu_accepts_do_not_push_the_acceptance_rate_over_one(tmp_path: Path) -> None:
    """Neovim with the ghost text and a completion-menu plugin (nvim-cmp): an inline item is
    reported shown (didShowCompletion) and accepted; a menu item, which no editor reports as
    shown, is accepted through the same command. Both counted against the inline items shown,
    the acceptance rate read 2.0 (200 %)."""
    with FakeDeepSeek() as fake:
        fake.responder(lambda body: "compute(a, b)", path=FIM)
        async with session(fake, tmp_path, {"debounce": 0, "prefetch": False}) as client:
            uri = "file:///ws/a.py"
            open_doc(client, uri, "a = b = 1\nx = \ny = \n")
            result = await client.text_document_inline_completion_async(inline_params(uri, 1, 4))
            item = result.items[0]
            client.protocol.notify("textDocument/didShowCompletion", {"item": {"insertText": item.insert_text}})
            await accept(client, uri, 2, 1, 4, item)
            menu = await client.text_document_completion_async(
                types.CompletionParams(
                    text_document=types.TextDocumentIdentifier(uri=uri),
                    position=types.Position(2, 4),
                    context=types.CompletionContext(trigger_kind=types.CompletionTriggerKind.TriggerCharacter, trigger_character=" "),
                )
            )
            command = menu.items[0].command
            await client.workspace_execute_command_async(
                types.ExecuteCommandParams(command=command.command, arguments=list(command.arguments))
            )
            counts = await stats(client)
            assert counts["shown"] == 1 and counts["accepted"] == 2
            assert counts["acceptanceRate"] == 1.0  # of the inline items shown, all were accepted


async def test_a_suggestion_taken_word_by_word_to_its_end_is_one_accept(tmp_path: Path) -> None:
    """Neovim 0.12 (and VS Code) report a word or line accept with ``acceptedLength`` in UTF-16
    units and run no command when the parts reach the item's end: a suggestion taken piece by
    piece was never counted accepted, nor followed at once by the next block. Neovim 0.11 runs
    the command after such parts, which must not count it twice; an item drawn again is still
    one suggestion shown."""
    with FakeDeepSeek() as fake:
        fake.responder(lambda body: 'say("🎉 done")' if body["stop"] == ["\n"] else "\nz = 1", path=FIM)
        async with session(fake, tmp_path, {"debounce": 4000, "prefetch": False, "invokedChoices": 1}) as client:
            uri = "file:///ws/a.py"
            open_doc(client, uri, "x = \ny = \n")

            async def take_in_parts(line: int, version: int) -> Any:
                # Asked for (Invoked, one choice): it waits no debounce; the 4 s one is there
                # for the block after the accept to show it skipped.
                result = await client.text_document_inline_completion_async(inline_params(uri, line, 4, invoked=True))
                item = result.items[0]
                assert item.insert_text == 'say("🎉 done")'
                raw = {"insertText": item.insert_text, "command": {"command": item.command.command, "arguments": list(item.command.arguments)}}
                for _ in range(2):  # drawn, hidden by a popup, drawn again
                    client.protocol.notify("textDocument/didShowCompletion", {"item": raw})
                insert(client, uri, version, line, 4, item.insert_text)
                # Python's length is a code point short of the emoji's two UTF-16 units: not yet whole.
                for length in (4, len(item.insert_text), len(item.insert_text) + 1):
                    client.protocol.notify("textDocument/didPartiallyAcceptCompletion", {"item": raw, "acceptedLength": length})
                return item

            await take_in_parts(0, 2)  # Neovim 0.12: no command
            counts = await stats(client)
            # Taken to its end: accepted, no longer one of the suggestions taken only in part.
            assert counts["shown"] == 1 and counts["accepted"] == 1 and counts["partiallyAccepted"] == 0
            # Right after the whole suggestion: the next block at once (no 4 s debounce).
            loop = asyncio.get_running_loop()
            started = loop.time()
            follow = await client.text_document_inline_completion_async(inline_params(uri, 0, 4 + len('say("🎉 done")') + 1))  # UTF-16
            assert loop.time() - started < 3.0  # a loaded host's margin
            assert [i.insert_text for i in follow.items] == ["\nz = 1"]

            item = await take_in_parts(1, 3)  # Neovim 0.11: the command after the parts
            await client.workspace_execute_command_async(
                types.ExecuteCommandParams(command=item.command.command, arguments=list(item.command.arguments))
            )
            counts = await stats(client)
            assert counts["shown"] == 2 and counts["accepted"] == 2 and counts["acceptanceRate"] == 1.0
