"""What editors without a plugin of ours (Helix, Zed, Emacs, Sublime LSP, Kate) send, and what
the protocol lets them send: the server must behave by the spec there too."""

from __future__ import annotations

import time
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lsprotocol import types

from deepseek_lsp.documents import Document
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import eventually, lsp_session, open_doc, server_env
from tests.raw_lsp import RawServer
from tests.review_support import INVENTORY_RULES, Rule, finding_id, reviewer, track_publishes
from tests.test_documents import PYTHON, ClientText, boundaries, edit_sequences
from tests.test_review_lifecycle import OVERLAPPING, OVERLAPPING_TEXT
from tests.test_review_lsp import CHAT, INVENTORY, SETTINGS, URI, as_tuple, reviewed, save


def env(fake: FakeDeepSeek, state: Path) -> dict[str, str]:
    return server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(state))


def send_whole_text(client: object, version: int, text: str, *, ranged_over: str | None = None) -> None:
    """A whole-text change: without a range (eglot when it lost track of Emacs' changes,
    Sublime LSP after a revert), or as a range over the whole old text (lsp-mode's
    ``lsp-on-revert``)."""
    if ranged_over is None:
        change: types.TextDocumentContentChangeEvent = types.TextDocumentContentChangeWholeDocument(text=text)
    else:
        lines = ranged_over.split("\n")
        end = types.Position(line=len(lines) - 1, character=len(lines[-1]))
        change = types.TextDocumentContentChangePartial(
            range=types.Range(start=types.Position(line=0, character=0), end=end), text=text
        )
    client.text_document_did_change(  # type: ignore[attr-defined]
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=URI, version=version),
            content_changes=[change],
        )
    )


async def test_a_whole_text_change_keeps_the_findings_of_the_code_it_did_not_change(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """Emacs sends the whole text after a revert (lsp-mode: a range over all of it; eglot and
    Sublime LSP: no range) though the server syncs incrementally. Every finding was dropped,
    as if all the code had been rewritten, until the next save."""
    fake_deepseek.responder(reviewer(INVENTORY_RULES), path=CHAT)
    async with lsp_session(env(fake_deepseek, tmp_path), settings=SETTINGS) as client:
        publishes = track_publishes(client)
        open_doc(client, URI, INVENTORY)
        save(client)
        before = {finding_id(d): as_tuple(d.range) for d in await reviewed(client, 4)}
        # The file reverted, unchanged on disk.
        send_whole_text(client, 2, INVENTORY)
        # Nothing changed: nothing need be published (the old code published every finding
        # gone); waited for, then the findings shown are checked.
        await eventually(lambda: publishes[-1].version == 2, timeout=2)
        assert {finding_id(d): as_tuple(d.range) for d in client.diagnostics[URI]} == before
        # Reverted to a version with a comment line above everything: all move down a line.
        text = "# Reverted.\n" + INVENTORY
        send_whole_text(client, 3, text, ranged_over=INVENTORY)
        assert await eventually(lambda: publishes[-1].version == 3, timeout=2)
        moved = {finding_id(d): as_tuple(d.range) for d in client.diagnostics[URI]}
        assert moved == {k: (a + 1, b, c + 1, d) for k, (a, b, c, d) in before.items()}
        # The code of one finding rewritten: that finding goes, the others stay.
        rewritten = text.replace("if row == None:", "if row is None:")
        send_whole_text(client, 4, rewritten)
        assert await eventually(lambda: publishes[-1].version == 4, timeout=2)
        assert len(client.diagnostics[URI]) == 3


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edit_sequences(), st.booleans())
def test_whole_text_changes_become_the_edit_of_what_differs(
    case: tuple[str, str, list[tuple[float, float, str]]], ranged: bool
) -> None:
    """Each change sends the whole text (with a range over all of it, or none): the document
    still matches the client's, its tree a fresh parse, and the edit covers only the bytes
    that differ (characters and CRLF pairs kept whole)."""
    encoding, initial, edits = case
    client = ClientText(initial, encoding)
    doc = Document("file:///t.py", initial, language=PYTHON, encoding=encoding)  # type: ignore[arg-type]
    assert doc.tree is not None
    for a, b, new in edits:
        old = client.text
        valid = boundaries(old)
        i, j = sorted((valid[int(a * (len(valid) - 1))], valid[int(b * (len(valid) - 1))]))
        whole: types.TextDocumentContentChangeEvent = types.TextDocumentContentChangeWholeDocument(
            text=old[:i] + new + old[j:]
        )
        if ranged:
            whole = types.TextDocumentContentChangePartial(
                range=types.Range(start=types.Position(line=0, character=0), end=client.position(len(old))),
                text=old[:i] + new + old[j:],
            )
        client.replace(i, j, new)
        edit = doc.apply_change(whole)
        assert doc.text == client.text
        old_bytes, new_bytes = old.encode("utf-8", "surrogatepass"), client.text.encode("utf-8", "surrogatepass")
        # No more than what was replaced, but for a character or a CRLF pair at either end.
        assert edit.old_end_byte - edit.start_byte <= len(old[i:j].encode("utf-8", "surrogatepass")) + 8
        assert edit.new_end_byte - edit.start_byte <= len(new.encode("utf-8", "surrogatepass")) + 8
        # Whole characters on both sides of the edit (a split one fails to decode).
        for part in (new_bytes[: edit.start_byte], new_bytes[edit.new_end_byte :], old_bytes[edit.old_end_byte :]):
            part.decode("utf-8", "surrogatepass")
        for index in valid[:: max(1, len(valid) // 7)]:
            if index <= len(client.text) and index in boundaries(client.text):
                pos = client.position(index)
                assert doc.position_at(doc.offset_at(pos)) == pos
    fresh = PYTHON.parser().parse(client.text.encode("utf-8"))
    assert str(doc.tree.root_node) == str(fresh.root_node)


def test_messages_without_params_are_answered_by_the_protocol(tmp_path: Path) -> None:
    """JSON-RPC lets a message leave out ``params``. An unknown notification without them
    popped "Error in server: Internal Error" up in the editor (the protocol: ignore it), and an
    unknown request without them was answered InternalError, not MethodNotFound."""
    server = RawServer(server_env("http://127.0.0.1:9", state_dir=str(tmp_path)), forked=True)
    try:
        server.initialize()
        for method in ("$/unknown/notification", "someEditor/didSomething"):
            server.send({"jsonrpc": "2.0", "method": method})
        server.send({"jsonrpc": "2.0", "id": 901, "method": "someEditor/ask"})
        assert server.response(901)["error"]["code"] == types.ErrorCodes.MethodNotFound
        # Our own requests take no params as well as empty ones.
        server.send({"jsonrpc": "2.0", "id": 902, "method": "deepseek/debugState"})
        assert server.response(902)["result"]["documents"] == 0
        time.sleep(0.3)  # the pop-ups, if any, come right after
        shown = [m for m in server.messages if m.get("method") == "window/showMessage"]
        assert shown == []
        assert "error" not in server.call("shutdown")
        server.notify("exit")
        assert server.wait_exit(10) == 0
    finally:
        server.kill()


def test_commands_run_without_their_arguments_are_answered_with_an_error(tmp_path: Path) -> None:
    """Helix's ``:lsp-workspace-command`` lists the server's commands and runs the one picked
    without arguments. A review was answered ``{"ok": false, "reason": "document is not
    open"}``, which Helix shows nowhere (nothing happened, without a word), and an accept of no
    suggestion was counted. An error answer is shown in Helix's status line."""
    server = RawServer(server_env("http://127.0.0.1:9", state_dir=str(tmp_path)), forked=True)
    try:
        server.initialize()
        server.notify("textDocument/didOpen", {"textDocument": {"uri": URI, "languageId": "python", "version": 1, "text": INVENTORY}})
        commands = server.call("deepseek/debugState")  # the server is up
        assert "result" in commands
        for command, arguments in [
            ("deepseek.reviewFile", None),
            ("deepseek.reviewFile", []),
            ("deepseek.review.again", [7]),
            ("deepseek.review.ignore", None),
            ("deepseek.review.ignore", [URI]),
            ("deepseek.completionAccepted", None),
            ("deepseek.completionAccepted", [{}]),
        ]:
            params: dict[str, object] = {"command": command}
            if arguments is not None:
                params["arguments"] = arguments
            answer = server.call("workspace/executeCommand", params)
            assert answer.get("error", {}).get("code") == types.ErrorCodes.InvalidParams, (command, arguments, answer)
            assert command in answer["error"]["message"]
        stats = server.call("deepseek/completionStats")["result"]
        assert stats["accepted"] == 0
        # With its argument a command still answers as before.
        answer = server.call("workspace/executeCommand", {"command": "deepseek.review.ignore", "arguments": [URI, "nope"]})
        assert answer["result"] is False
        assert server.proc.poll() is None
    finally:
        server.kill()


def test_nothing_but_messages_and_logs_is_sent_before_the_initialize_answer(tmp_path: Path) -> None:
    """The protocol lets a server send only window/showMessage, window/logMessage and
    telemetry/event before its InitializeResult. The status of settings given as
    initializationOptions (completions turned off, an endpoint refused) went out before it;
    it now goes once the editor has said ``initialized``."""
    server = RawServer(server_env("http://127.0.0.1:9", state_dir=str(tmp_path)), forked=True)
    try:
        answer = server.call(
            "initialize",
            {"processId": None, "rootUri": None, "capabilities": {}, "initializationOptions": {"completion": {"enable": False}}},
        )
        assert "result" in answer
        allowed = {"window/showMessage", "window/logMessage", "telemetry/event"}
        before = [m["method"] for m in server.messages[: server.messages.index(answer)] if "method" in m]
        assert set(before) <= allowed, before
        server.notify("initialized", {})
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not any(m.get("method") == "deepseek/status" for m in server.messages):
            time.sleep(0.05)
        (status,) = [m["params"] for m in server.messages if m.get("method") == "deepseek/status"]
        assert status["kind"] == "Inactive" and "turned off" in status["message"]
    finally:
        server.kill()


async def test_eglot_gets_plain_text_menu_items_as_yasnippet_runs_backquoted_text_as_lisp(tmp_path: Path) -> None:
    """Eglot with yasnippet declares snippets and expands them with yasnippet, which evaluates
    the text between two backquotes as Emacs Lisp: a template literal in a suggestion left
    "[yas] elisp error ... void: total:" in the code (and any Lisp a model wrote between
    backquotes ran in the editor). Eglot gets the plain text, which it inserts whole; another
    client taking snippets still gets a snippet."""
    answer = "`total: ${total}`;"
    for name, snippet in (("Eglot", False), ("Helix", True)):
        with FakeDeepSeek() as fake:
            fake.script(answer)
            settings = {"completion": {"debounce": 0, "prefetch": False}}
            async with lsp_session(
                env(fake, tmp_path), editor="emacs", settings=settings, snippets=True,
                client_info=types.ClientInfo(name=name),
            ) as client:
                uri = "file:///ws/total.js"
                open_doc(client, uri, "const total = 3;\nconst message = \n", language="javascript")
                result = await client.text_document_completion_async(
                    types.CompletionParams(text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(1, 16))
                )
                (item,) = result.items
                assert item.text_edit is not None
                if snippet:
                    assert item.insert_text_format == types.InsertTextFormat.Snippet
                    assert item.text_edit.new_text == "`total: \\${total\\}`;"
                else:
                    assert item.insert_text_format == types.InsertTextFormat.PlainText
                    assert item.text_edit.new_text == answer
                    # Eglot shows no Markdown: the fence lines showed around the code.
                    assert item.documentation == answer


async def test_a_menu_items_documentation_shows_a_suggestion_with_a_fence_of_its_own_whole(tmp_path: Path) -> None:
    """The documentation popup shows the whole suggestion in a Markdown fence. A suggestion with
    a fence of its own (a README's example, a docstring's) closed ours: the rest of it showed
    as Markdown (its code as prose), not as the text the item inserts."""
    with FakeDeepSeek() as fake:
        fake.script("```python\nprint('hi')\n```\n")
        settings = {"completion": {"debounce": 0, "prefetch": False}}
        async with lsp_session(env(fake, tmp_path), settings=settings, snippets=False) as client:
            uri = "file:///ws/README.md"
            open_doc(client, uri, "# Use\n\nRun it:\n\n", language="markdown")
            result = await client.text_document_completion_async(
                types.CompletionParams(text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(3, 0))
            )
            (item,) = result.items
            assert item.text_edit is not None and "```" in item.text_edit.new_text
            assert isinstance(item.documentation, types.MarkupContent)
            # What a Markdown reader shows: the lines after the opening fence up to the first
            # line starting with as many backquotes, which must be the last.
            fence, body = item.documentation.value.split("\n", 1)
            assert set(fence) == {"`"}
            shown, closing = body.split("\n" + fence, 1)
            assert closing == ""
            assert shown == item.text_edit.new_text


async def test_code_actions_asked_for_other_kinds_are_none_of_ours(fake_deepseek: FakeDeepSeek, tmp_path: Path) -> None:
    """Zed's ``code_actions_on_format`` (``source.organizeImports``, ``source.fixAll``) asks
    with ``only`` and, until zed#20847, ran every action answered: each format applied the
    DeepSeek fixes, and could run the commands that ignore a finding for good and review the
    file again. Only a request that takes quick fixes gets them."""
    fake_deepseek.responder(reviewer(INVENTORY_RULES), path=CHAT)
    async with lsp_session(env(fake_deepseek, tmp_path), settings=SETTINGS) as client:
        open_doc(client, URI, INVENTORY)
        save(client)
        diags = await reviewed(client, 4)
        whole = types.Range(start=types.Position(0, 0), end=types.Position(len(INVENTORY.split("\n")), 0))

        async def titles(only: list[str] | None) -> list[str]:
            actions = await client.text_document_code_action_async(
                types.CodeActionParams(
                    text_document=types.TextDocumentIdentifier(uri=URI),
                    range=whole,
                    context=types.CodeActionContext(diagnostics=diags, only=only),  # type: ignore[arg-type]
                )
            )
            return [a.title for a in actions or []]

        assert await titles(["source.organizeImports"]) == []
        assert await titles(["source.fixAll", "refactor"]) == []
        offered = await titles(None)
        assert "Review this file again with DeepSeek" in offered and len(offered) > 4
        assert await titles(["quickfix"]) == offered
        assert await titles([""]) == offered


async def test_eglot_shows_a_findings_message_without_its_id_and_its_quick_fixes_find_it(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """Eglot declares no ``publishDiagnostics.dataSupport``: each finding came with its id as
    the diagnostic's code, and flymake showed "deepseek-review [745172cf4b5e]: eval runs ..."
    on every finding (Emacs 28's eglot 1.9 as 29's). A code action asked for a diagnostic sent
    back without its data (a client that drops it) finds the finding by message and range:
    of two findings on one line, that one's actions only, not both findings'."""
    fake_deepseek.responder(reviewer(OVERLAPPING), path=CHAT)
    session = lsp_session(env(fake_deepseek, tmp_path), settings=SETTINGS, editor="emacs")
    async with session as client:
        open_doc(client, URI, OVERLAPPING_TEXT)
        save(client)
        diags = await reviewed(client, 2)
        assert [d.code for d in diags] == [None, None]
        cursor = types.Range(start=types.Position(1, 20), end=types.Position(1, 20))

        async def actions(sent: types.Diagnostic) -> list[types.CodeAction]:
            answer = await client.text_document_code_action_async(
                types.CodeActionParams(
                    text_document=types.TextDocumentIdentifier(uri=URI),
                    range=cursor,
                    context=types.CodeActionContext(diagnostics=[sent]),
                )
            )
            return list(answer or [])

        for d in diags:
            # As eglot sends it back (its data kept), and as a client that drops data does.
            for sent in (d, attrs.evolve(d, data=None)):
                got = await actions(sent)
                assert [a.title for a in got] == [
                    "Apply DeepSeek fix",
                    "Ignore this DeepSeek finding",
                    "Review this file again with DeepSeek",
                ], (d.message, sent.data)
                assert got[0].diagnostics is not None and got[0].diagnostics[0].data == d.data
        # A diagnostic whose message the client changed: the findings at the cursor, each named.
        changed = attrs.evolve(diags[0], data=None, message="eval runs any code")
        assert len(await actions(changed)) == 5
        # Ignored as the action found above says (its diagnostic's data: the second finding's).
        ignore = types.ExecuteCommandParams(
            command="deepseek.review.ignore", arguments=[URI, finding_id(diags[1])]
        )
        assert await client.workspace_execute_command_async(ignore)
        (left,) = await reviewed(client, 1)
        assert left.message == diags[0].message


async def test_a_shell_menu_item_replaces_the_word_as_emacs_reads_it(tmp_path: Path) -> None:
    """Eglot keeps a menu item when the text from the start of the symbol at point (Emacs'
    syntax, not the item's range) begins its filterText, and Emacs' shell modes take ``-``,
    ``.``, ``:`` and others into a symbol: after ``ls --colo`` the item replaced ``colo`` and
    was filtered ``color=auto``, which ``--colo`` does not begin: "No match" in Emacs. The
    item replaces ``--colo`` now, which any client filtering by the range reads the same."""
    with FakeDeepSeek() as fake:
        fake.script("r=auto")
        settings = {"completion": {"debounce": 0, "prefetch": False}}
        async with lsp_session(env(fake, tmp_path), editor="emacs", settings=settings) as client:
            uri = "file:///ws/run.sh"
            line = "ls --colo"
            open_doc(client, uri, f"#!/bin/sh\n{line}\n", language="shellscript")
            result = await client.text_document_completion_async(
                types.CompletionParams(
                    text_document=types.TextDocumentIdentifier(uri=uri),
                    position=types.Position(1, len(line)),
                )
            )
            (item,) = result.items
            assert isinstance(item.text_edit, types.TextEdit)
            assert item.text_edit.range.start == types.Position(1, 3)
            assert item.text_edit.new_text == "--color=auto"
            assert item.filter_text is not None and item.filter_text.startswith("--colo")


@pytest.mark.parametrize(("lines", "columns"), [(0, 0), (1, 0), (-1, 0), (0, 4)])
async def test_a_quick_fix_for_one_of_two_same_findings_sent_back_without_data_is_for_that_one(
    fake_deepseek: FakeDeepSeek, tmp_path: Path, lines: int, columns: int
) -> None:
    """Two findings with one message (the same code in two functions), and a client that sends
    the diagnostic back without its data nor a code: the one published at its range is meant,
    not both (their fixes and ignores listed twice, each applying to its own place). Sent back
    at another range than it was published at (a client that moved it with its own edit, or
    keeps it a line off), both were offered again, the wrong one applied where the user picked
    the first: the one published nearest its range is meant."""
    rule = Rule("return x / y", "warning", "Division by zero when y is 0.", "return x / (y or 1)")
    text = "def a(x, y):\n    return x / y\n\n\ndef b(x, y):\n    return x / y\n"
    fake_deepseek.responder(reviewer([rule]), path=CHAT)
    session = lsp_session(env(fake_deepseek, tmp_path), settings=SETTINGS, editor="emacs")
    async with session as client:
        open_doc(client, URI, text)
        save(client)
        diags = sorted(await reviewed(client, 2), key=lambda d: d.range.start.line)
        for d in diags:
            start, end = d.range.start, d.range.end
            sent = attrs.evolve(d, data=None, range=types.Range(
                start=types.Position(start.line + lines, start.character + columns),
                end=types.Position(end.line + lines, end.character + columns),
            ))
            answer = await client.text_document_code_action_async(
                types.CodeActionParams(
                    text_document=types.TextDocumentIdentifier(uri=URI),
                    range=types.Range(start=types.Position(0, 0), end=types.Position(6, 0)),
                    context=types.CodeActionContext(diagnostics=[sent]),
                )
            )
            titles = [a.title for a in answer or []]
            assert titles == [
                "Apply DeepSeek fix",
                "Ignore this DeepSeek finding",
                "Review this file again with DeepSeek",
            ]
            fix = (answer or [])[0]
            assert isinstance(fix, types.CodeAction) and fix.diagnostics is not None
            assert [x.data for x in fix.diagnostics] == [d.data]


async def test_menu_items_whose_first_lines_are_the_same_have_labels_of_their_own(
    tmp_path: Path,
) -> None:
    """Emacs' completion takes a candidate by its label (eglot's proxy, without insertText):
    two choices of one first line ('if x < 0: …') were one candidate, the second never
    offered. A label repeated shows the first line where its suggestion differs."""
    bodies = {
        0.0: "if x < 0:\n        return 0\n    return x",
        0.6: "if x < 0:\n        return -x\n    return x",
        0.9: "if x < 0:\n        raise ValueError(x)\n    return x",
    }

    def respond(body: dict[str, object]) -> str:
        temperature = float(body.get("temperature") or 0.0)  # type: ignore[arg-type]
        return bodies[min(bodies, key=lambda t: abs(t - temperature))]

    with FakeDeepSeek() as fake:
        fake.responder(respond)
        settings = {"completion": {"debounce": 0, "prefetch": False}}
        async with lsp_session(env(fake, tmp_path), editor="emacs", settings=settings) as client:
            uri = "file:///ws/clamp.py"
            open_doc(client, uri, "def clamp(x):\n    \n")
            result = await client.text_document_completion_async(
                types.CompletionParams(
                    text_document=types.TextDocumentIdentifier(uri=uri),
                    position=types.Position(1, 4),
                    context=types.CompletionContext(
                        trigger_kind=types.CompletionTriggerKind.Invoked
                    ),
                )
            )
            labels = [item.label for item in result.items]
            assert sorted(labels) == [
                "if x < 0: …",
                "if x < 0: … raise ValueError(x)",
                "if x < 0: … return -x",
            ], labels
            # What each inserts is still its own whole suggestion, filtered by its first line.
            edits = {
                item.text_edit.new_text
                for item in result.items
                if isinstance(item.text_edit, types.TextEdit)
            }
            assert edits == set(bodies.values())
            assert {item.filter_text for item in result.items} == {"if x < 0:"}
