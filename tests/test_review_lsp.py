"""Code review end to end: the real server over stdio (pytest-lsp) against the fake DeepSeek."""

from __future__ import annotations

import asyncio
import inspect
import json
import os
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import (
    capabilities,
    eventually,
    lsp_session,
    open_doc,
    server_command,
    server_env,
)
from tests.review_support import (
    INVENTORY_RULES,
    Rule,
    finding_id,
    reviewed_units,
    reviewer,
    track_publishes,
    user_prompt,
)

DATA = Path(__file__).parent / "data" / "review"
INVENTORY = (DATA / "inventory.py").read_text()
URI = "file:///ws/inventory.py"
CHAT = "/chat/completions"
SETTINGS: dict[str, Any] = {"review": {"mode": "onSave", "maxRetries": 1}}


def env(fake: FakeDeepSeek, state: Path) -> dict[str, str]:
    return server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(state))


def position_of(text: str, needle: str) -> tuple[int, int, int, int]:
    """(line, character, end line, end character) of ``needle`` in UTF-16 units, 0-based."""
    i = text.index(needle)
    line = text.count("\n", 0, i)
    col = i - (text.rfind("\n", 0, i) + 1)
    end = i + len(needle)
    end_line = text.count("\n", 0, end)
    end_col = end - (text.rfind("\n", 0, end) + 1)
    return line, col, end_line, end_col


def as_tuple(rng: types.Range) -> tuple[int, int, int, int]:
    return rng.start.line, rng.start.character, rng.end.line, rng.end.character


def save(client: LanguageClient, uri: str = URI) -> None:
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )


def change(
    client: LanguageClient, version: int, rng: types.Range, text: str, uri: str = URI
) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangePartial(range=rng, text=text)],
        )
    )


def at(
    line: int, char: int, end_line: int | None = None, end_char: int | None = None
) -> types.Range:
    return types.Range(
        start=types.Position(line=line, character=char),
        end=types.Position(
            line=line if end_line is None else end_line,
            character=char if end_char is None else end_char,
        ),
    )


def diagnostics(client: LanguageClient, uri: str = URI) -> list[types.Diagnostic]:
    return list(client.diagnostics.get(uri, []))


async def reviewed(client: LanguageClient, count: int, uri: str = URI) -> list[types.Diagnostic]:
    assert await eventually(lambda: len(diagnostics(client, uri)) == count, timeout=10), (
        diagnostics(client, uri)
    )
    return diagnostics(client, uri)


def statuses(client: LanguageClient) -> list[dict[str, str]]:
    """``deepseek/status`` notifications received (pygls hands custom params over as tuples)."""
    return [s if isinstance(s, dict) else s._asdict() for s in client.statuses]  # type: ignore[attr-defined]


def by_message(diags: list[types.Diagnostic]) -> dict[str, types.Diagnostic]:
    return {d.message.split("\n")[0]: d for d in diags}


async def test_save_publishes_findings_on_the_quoted_code(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    # The fake reports every line number five lines off, as models do.
    fake_deepseek.responder(reviewer(INVENTORY_RULES, line_offset=-5), path=CHAT)
    async with lsp_session(env(fake_deepseek, tmp_path), settings=SETTINGS) as client:
        assert client.init_result.capabilities.code_action_provider is not None  # type: ignore[attr-defined]
        open_doc(client, URI, INVENTORY)
        save(client)
        diags = by_message(await reviewed(client, 4))
        for rule in INVENTORY_RULES[:4]:
            d = diags[rule.message]
            assert as_tuple(d.range) == position_of(INVENTORY, rule.needle)
            assert d.source == "deepseek-review"
            # What code actions go by, and nothing more: each publish sends it for every finding
            # (and no code: VS Code shows it after the message).
            assert d.data == {"id": finding_id(d)} and d.code is None
        assert diags[INVENTORY_RULES[1].message].severity == types.DiagnosticSeverity.Error
        assert diags[INVENTORY_RULES[0].message].severity == types.DiagnosticSeverity.Warning
        assert "Suggested fix: if row is None:" in diags[INVENTORY_RULES[0].message].message
        # A $/progress report ran while the review was in flight.
        reports = [r for rs in client.progress_reports.values() for r in rs]
        assert isinstance(reports[0], types.WorkDoneProgressBegin)
        # Its token names the document (the title only its file name): Neovim's statusline
        # said [reviewing] in another folder's file of the same name.
        assert [str(t).partition(":")[2] for t in client.progress_reports] == [URI]
        assert (
            isinstance(reports[-1], types.WorkDoneProgressEnd)
            and reports[-1].message.startswith("4 findings, $")  # and what it cost
        )


async def test_second_save_sends_only_the_changed_function(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    fake_deepseek.responder(reviewer(INVENTORY_RULES), path=CHAT)
    async with lsp_session(env(fake_deepseek, tmp_path), settings=SETTINGS) as client:
        publishes = track_publishes(client)
        open_doc(client, URI, INVENTORY)
        save(client)
        await reviewed(client, 4)
        line, col, _, _ = position_of(INVENTORY, "total += item.quantity")
        change(client, 2, at(line, col + len("total += ")), "1.0 * ")
        save(client)
        assert await eventually(lambda: len(fake_deepseek.requests_to(CHAT)) == 2, timeout=10)
        assert reviewed_units(fake_deepseek.requests_to(CHAT)[1].json) == ["total_value"]
        # The second review's diagnostics (document version 2) keep the unchanged functions' findings.
        assert await eventually(
            lambda: publishes and publishes[-1].version == 2 and len(publishes[-1].diagnostics) == 4
        )
        save(client)  # nothing changed: nothing is sent
        await asyncio.sleep(0.5)
        assert len(fake_deepseek.requests_to(CHAT)) == 2


class Buffer:
    """The editor's copy of a document: edits are applied here and sent as didChange."""

    def __init__(self, client: LanguageClient, text: str, uri: str = URI) -> None:
        self.client, self.text, self.uri, self.version = client, text, uri, 1
        open_doc(client, uri, text)

    def position(self, offset: int) -> types.Position:
        # The test documents are ASCII: UTF-16 units are characters.
        line = self.text.count("\n", 0, offset)
        return types.Position(line=line, character=offset - (self.text.rfind("\n", 0, offset) + 1))

    def offset(self, position: types.Position) -> int:
        lines = self.text.split("\n")
        return sum(len(line) + 1 for line in lines[: position.line]) + position.character

    def replace(self, start: int, end: int, new: str) -> None:
        self.version += 1
        change(
            self.client,
            self.version,
            types.Range(start=self.position(start), end=self.position(end)),
            new,
            self.uri,
        )
        self.text = self.text[:start] + new + self.text[end:]

    def apply(self, edit: types.TextEdit | Any) -> None:
        self.replace(self.offset(edit.range.start), self.offset(edit.range.end), edit.new_text)


@pytest.mark.parametrize("editor", ["visual_studio_code", "neovim@v0.11", "emacs"])
async def test_a_findings_id_goes_in_data_and_not_in_code(
    fake_deepseek: FakeDeepSeek, tmp_path: Path, editor: str
) -> None:
    """Helix, eglot, Zed and Sublime show a diagnostic's code after its message: every finding
    ended with 'deepseek-review(745172cf4b5e)'. Code actions go by the id in data (or, from a
    client that drops data, by message and range: tests/test_generic_clients.py)."""
    fake_deepseek.responder(reviewer(INVENTORY_RULES), path=CHAT)
    session = lsp_session(env(fake_deepseek, tmp_path), settings=SETTINGS, editor=editor)
    async with session as client:
        open_doc(client, URI, INVENTORY)
        save(client)
        diags = await reviewed(client, 4)
        ids = [d.data["id"] for d in diags if isinstance(d.data, dict)]
        assert len(set(ids)) == 4 and all(re.fullmatch("[0-9a-f]{12}", i) for i in ids)
        assert [d.code for d in diags] == [None] * 4
        diag = by_message(diags)[INVENTORY_RULES[2].message]
        # Asked over the whole file with one diagnostic: that finding's actions only.
        actions = await client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=URI),
                range=at(0, 0, INVENTORY.count("\n"), 0),
                context=types.CodeActionContext(diagnostics=[diag]),
            )
        )
        assert [a.title for a in actions or []] == [
            "Apply DeepSeek fix",
            "Ignore this DeepSeek finding",
            "Review this file again with DeepSeek",
        ]
        ignore = types.ExecuteCommandParams(
            command="deepseek.review.ignore", arguments=[URI, finding_id(diag)]
        )
        assert await client.workspace_execute_command_async(ignore)
        assert INVENTORY_RULES[2].message not in by_message(await reviewed(client, 3))


async def test_edits_move_findings_and_quick_fixes_apply(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    fake_deepseek.responder(reviewer(INVENTORY_RULES), path=CHAT)
    async with lsp_session(env(fake_deepseek, tmp_path), settings=SETTINGS) as client:
        publishes = track_publishes(client)
        buffer = Buffer(client, INVENTORY)
        save(client)
        before = {finding_id(d): as_tuple(d.range) for d in await reviewed(client, 4)}
        # Two new lines above everything: every finding moves down two lines.
        top = buffer.text.index("from __future__")
        buffer.replace(top, top, "# Copyright the warehouse team.\n# Licensed under MIT.\n")
        first = min(r[0] for r in before.values()) + 2
        assert await eventually(
            lambda: diagnostics(client) and diagnostics(client)[0].range.start.line == first
        )
        moved = {finding_id(d): as_tuple(d.range) for d in diagnostics(client)}
        assert moved == {k: (a + 2, b, c + 2, d) for k, (a, b, c, d) in before.items()}
        assert publishes[-1].version == 2  # diagnostics carry the document version they fit
        # Typing inside the quoted code of one finding removes just that one.
        at_eq = buffer.text.index("if row == None:") + len("if row ")
        buffer.replace(at_eq, at_eq + 2, "is")
        await reviewed(client, 3)
        assert INVENTORY_RULES[0].message not in by_message(diagnostics(client))
        assert publishes[-1].version == 3

        diag = by_message(diagnostics(client))[INVENTORY_RULES[2].message]
        actions = await client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=URI),
                range=diag.range,
                context=types.CodeActionContext(diagnostics=[diag]),
            )
        )
        # (lsprotocol reads a CodeAction that carries a command back as a Command: titles only.)
        titles = [a.title for a in actions or []]
        assert titles == [
            "Apply DeepSeek fix",
            "Ignore this DeepSeek finding",
            "Review this file again with DeepSeek",
        ]
        fix = actions[0]
        assert isinstance(fix, types.CodeAction) and fix.kind == types.CodeActionKind.QuickFix
        assert fix.edit is not None
        (doc_edit,) = fix.edit.document_changes or []
        assert isinstance(doc_edit, types.TextDocumentEdit)
        assert doc_edit.text_document.version == 3  # refused by the editor if the text moved on
        (edit,) = doc_edit.edits
        expected = buffer.text.replace(
            "if self.available(sku) > count:", "if self.available(sku) >= count:"
        )
        buffer.apply(edit)
        assert buffer.text == expected
        await reviewed(client, 2)  # the fixed code's finding is gone


async def test_ignore_is_remembered_across_a_server_restart(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    fake_deepseek.responder(reviewer(INVENTORY_RULES), path=CHAT)
    async with lsp_session(env(fake_deepseek, tmp_path), settings=SETTINGS) as client:
        open_doc(client, URI, INVENTORY)
        save(client)
        diag = by_message(await reviewed(client, 4))[INVENTORY_RULES[3].message]
        ok = await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="deepseek.review.ignore", arguments=[URI, finding_id(diag)])
        )
        assert ok is True
        await reviewed(client, 3)
    # A new server: the cache shows the other findings at once, without asking the model again.
    async with lsp_session(env(fake_deepseek, tmp_path), settings=SETTINGS) as client:
        open_doc(client, URI, INVENTORY)
        diags = by_message(await reviewed(client, 3))
        assert INVENTORY_RULES[3].message not in diags
        # Reviewing again from scratch still leaves the ignored finding out.
        result = await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="deepseek.review.again", arguments=[URI])
        )
        assert result["findings"] == 3 and result["unitsSent"] == 8
    assert len(fake_deepseek.requests_to(CHAT)) == 2
    # Ignored by mistake: every ignored finding comes back, from the cache, nothing sent.
    async with lsp_session(env(fake_deepseek, tmp_path), settings=SETTINGS) as client:
        open_doc(client, URI, INVENTORY)
        await reviewed(client, 3)
        count = await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="deepseek.review.unignoreAll", arguments=[])
        )
        assert count == 1
        assert INVENTORY_RULES[3].message in by_message(await reviewed(client, 4))
    assert len(fake_deepseek.requests_to(CHAT)) == 2


async def test_a_finding_shown_again_while_a_review_runs_stays_shown_when_it_ends(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """A review leaves out the findings ignored when it ends, not those ignored when it began:
    shown again meanwhile (:DeepSeekUnignore, "Ignore" clicked by mistake), the finding went
    away as the review landed, its code unchanged, and its quick fix with it (Neovim's e2e
    'Apply DeepSeek fix' found nothing to apply at a loaded host)."""
    fake_deepseek.responder(reviewer(INVENTORY_RULES), path=CHAT)
    off_by_one = INVENTORY_RULES[2].message
    async with lsp_session(env(fake_deepseek, tmp_path), settings=SETTINGS) as client:
        published = track_publishes(client)
        open_doc(client, URI, INVENTORY)
        save(client)
        diag = by_message(await reviewed(client, 4))[off_by_one]
        ok = await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="deepseek.review.ignore", arguments=[URI, finding_id(diag)])
        )
        assert ok is True
        await reviewed(client, 3)
        # A new function saved: its request held while the user shows the ignored one again.
        fake_deepseek.pause_after("")
        end = INVENTORY.count("\n")
        change(client, 2, at(end, 0), "\n\ndef spare():\n    return 1\n")
        save(client)
        assert await fake_deepseek.wait_paused_async()
        count = await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="deepseek.review.unignoreAll", arguments=[URI])
        )
        assert count == 1
        assert off_by_one in by_message(await reviewed(client, 4))
        before = len(published)
        fake_deepseek.resume()
        assert await eventually(lambda: len(published) > before, timeout=10)  # the review's
        assert off_by_one in by_message(diagnostics(client)), [d.message for d in diagnostics(client)]
        assert len(fake_deepseek.requests_to(CHAT)) == 2


async def test_failures_do_not_crash_keep_valid_findings_and_pause_on_a_bad_key(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    fake_deepseek.fault("blank", count=2, path=CHAT)
    async with lsp_session(env(fake_deepseek, tmp_path), settings=SETTINGS) as client:
        open_doc(client, URI, INVENTORY)
        save(client)
        assert await eventually(
            lambda: any(s["feature"] == "review" for s in statuses(client)), timeout=10
        )
        status = next(s for s in statuses(client) if s["feature"] == "review")
        assert status["kind"] == "Warning" and "blank" in status["message"]
        assert diagnostics(client) == []
        # Invalid JSON, then (the retry) a partly valid answer: the valid finding is shown.
        partly = {
            "findings": [
                {"severity": "warning", "line": 1, "code": "if row == None:", "message": "Use is."},
                {"severity": "warning", "message": "no code"},
                7,
            ]
        }
        fake_deepseek.script("definitely { not json", json.dumps(partly), path=CHAT)
        result = await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="deepseek.reviewFile", arguments=[URI])
        )
        assert result["findings"] == 1 and result["ok"] is True
        assert by_message(diagnostics(client)).keys() == {"Use is."}
        assert statuses(client)[-1]["kind"] == "Normal"

        # A rejected key is an error, and reviews pause until the configuration changes.
        fake_deepseek.responder(reviewer(INVENTORY_RULES), path=CHAT)
        fake_deepseek.fault("status", count=1, path=CHAT, status=401)
        sent = len(fake_deepseek.requests_to(CHAT))
        await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="deepseek.review.again", arguments=[URI])
        )
        assert statuses(client)[-1]["kind"] == "Error" and "401" in statuses(client)[-1]["message"]
        save(client)
        await asyncio.sleep(0.3)
        assert len(fake_deepseek.requests_to(CHAT)) == sent + 1
        client.set_configuration({"deepseek": {"review": {"mode": "onSave", "maxRetries": 2}}})
        client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
        assert await eventually(lambda: statuses(client)[-1]["kind"] == "Normal")
        result = await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="deepseek.review.again", arguments=[URI])
        )
        assert result["findings"] == 4
        await reviewed(client, 4)


async def test_a_new_save_cancels_the_review_in_flight(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """Once its function has changed, the request under way is no longer wanted."""
    fake_deepseek.responder(reviewer(ROW_RULES), path=CHAT)
    fake_deepseek.set_latency(ttft=5.0)
    uri = "file:///ws/one.py"
    async with lsp_session(env(fake_deepseek, tmp_path), settings=SETTINGS) as client:
        open_doc(client, uri, ROW_DOC.split("\n\n\n")[0] + "\n")  # f alone
        save(client, uri)
        assert await eventually(lambda: len(fake_deepseek.requests_to(CHAT)) == 1, timeout=10)
        change(client, 2, at(3, 11, 3, 12), "3", uri=uri)  # f's ``return 2``
        save(client, uri)
        first = fake_deepseek.requests_to(CHAT)[0]
        assert await fake_deepseek.wait_closed_async(first, timeout=5)
        assert first.disconnected and not first.completed
        # Only now may answers come quickly: the fake reads its latency while it waits.
        fake_deepseek.set_latency(ttft=0.0)
        await reviewed(client, 1, uri)
        assert "return 3" in user_prompt(fake_deepseek.requests_to(CHAT)[-1].json)


async def test_a_new_save_takes_over_the_request_for_unchanged_code(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """A line added above the functions while their review ran: the request was cancelled
    and the same functions sent again, paid twice (a user saving more often than a review
    takes never saw one). The new review waits for the request under way."""
    fake_deepseek.responder(reviewer(INVENTORY_RULES), path=CHAT)
    fake_deepseek.set_latency(ttft=1.5)
    async with lsp_session(env(fake_deepseek, tmp_path), settings=SETTINGS) as client:
        open_doc(client, URI, INVENTORY)
        save(client)
        assert await eventually(lambda: len(fake_deepseek.requests_to(CHAT)) == 1, timeout=10)
        change(client, 2, at(0, 0), "# edited\n")
        save(client)
        diags = by_message(await reviewed(client, 4))
        first, second = fake_deepseek.requests_to(CHAT)
        assert first.completed and not first.disconnected
        assert reviewed_units(second.json) == ["module level"]  # the comment is in it
        line, col, end_line, end_col = position_of(INVENTORY, INVENTORY_RULES[0].needle)
        assert as_tuple(diags[INVENTORY_RULES[0].message].range) == (line + 1, col, end_line + 1, end_col)


async def test_cancel_in_the_progress_notification_stops_the_review(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """The review's progress shows a Cancel button; pressing it closes the request to the
    model (the provider stops generating), ends the progress as cancelled, publishes nothing,
    and the Review File command that started it answers "cancelled"."""
    fake_deepseek.responder(reviewer(INVENTORY_RULES), path=CHAT)
    fake_deepseek.set_latency(ttft=5.0)
    async with lsp_session(env(fake_deepseek, tmp_path), settings=SETTINGS) as client:
        publishes = track_publishes(client)
        open_doc(client, URI, INVENTORY)
        command = asyncio.ensure_future(
            client.workspace_execute_command_async(
                types.ExecuteCommandParams(command="deepseek.reviewFile", arguments=[URI])
            )
        )
        assert await eventually(lambda: len(fake_deepseek.requests_to(CHAT)) == 1, timeout=10)
        # The server begins the progress before it sends the request, but the two reach the
        # test by two ways (stdio, HTTP) in either order: at a load of 10 or more the request
        # came first (the begin 0.05 s after), and reports[0] was an IndexError.
        assert await eventually(lambda: any(client.progress_reports.values()), timeout=10)
        [(token, reports)] = list(client.progress_reports.items())
        assert isinstance(reports[0], types.WorkDoneProgressBegin) and reports[0].cancellable
        client.window_work_done_progress_cancel(types.WorkDoneProgressCancelParams(token=token))
        first = fake_deepseek.requests_to(CHAT)[0]
        assert await fake_deepseek.wait_closed_async(first, timeout=5)
        assert first.disconnected and not first.completed
        assert (await asyncio.wait_for(command, 5))["reason"] == "cancelled"
        assert isinstance(reports[-1], types.WorkDoneProgressEnd) and reports[-1].message == "cancelled"
        assert not any(p.diagnostics for p in publishes if p.uri == URI)
        # The next review runs as usual.
        fake_deepseek.set_latency(ttft=0.0)
        save(client)
        await reviewed(client, 4)


async def test_on_command_mode_and_excluded_files(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    fake_deepseek.responder(reviewer(INVENTORY_RULES), path=CHAT)
    settings = {"review": {"mode": "onCommand"}}
    async with lsp_session(env(fake_deepseek, tmp_path), settings=settings) as client:
        open_doc(client, URI, INVENTORY)
        save(client)
        secret = "file:///ws/config/credentials.json"
        open_doc(client, secret, '{"token": "abc"}', "json")
        result = await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="deepseek.reviewFile", arguments=[secret])
        )
        assert result == {"ok": False, "reason": "this file is excluded from review by the exclude setting"}
        # The editor shows the reason; a message as well said it twice.
        assert not [m for m in client.messages if "excluded" in m.message]
        assert fake_deepseek.requests_to(CHAT) == []
        result = await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="deepseek.reviewFile", arguments=[URI])
        )
        assert result["findings"] == 4
        assert len(diagnostics(client)) == 4


# -- a review racing the user ---------------------------------------------------------------------

ROW_DOC = "def f(row):\n    if row == None:\n        return 1\n    return 2\n\n\ndef g(items):\n    return sum(items)\n"
ROW_RULES = (Rule("if row == None:", "warning", "Use is None.", "if row is None:"),)


@asynccontextmanager
async def answering_configuration(
    fake: FakeDeepSeek,
    state: Path,
    answer: Callable[[LanguageClient, types.ConfigurationParams], Any],
    init_options: Any = None,
) -> AsyncIterator[LanguageClient]:
    """A session whose editor answers workspace/configuration with ``answer`` (slowly, with
    null...), which ``lsp_session`` does not let a test choose."""
    # Forked from the test run's zygote, as lsp_session's servers are (a new process took ~10 s
    # of each of these tests at load 17).
    environment = env(fake, state)
    client = await ClientServerConfig(server_command=server_command(environment), server_env=environment).start()
    try:

        async def handler(params: types.ConfigurationParams) -> Any:
            result = answer(client, params)
            return await result if inspect.isawaitable(result) else result

        client.protocol.fm.features[types.WORKSPACE_CONFIGURATION] = handler
        await client.initialize_session(
            types.InitializeParams(
                capabilities=capabilities(), process_id=os.getpid(), initialization_options=init_options
            )
        )
        yield client
    finally:
        await client.shutdown_session()
        await client.stop()


async def test_a_save_before_the_editor_settings_arrive_waits_for_them(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """The editor answered workspace/configuration after 2 s; a save meanwhile was reviewed
    with the default settings: a file the user's exclude names went to DeepSeek."""
    fake_deepseek.responder(reviewer(ROW_RULES), path=CHAT)

    async def slow(client: LanguageClient, params: types.ConfigurationParams) -> list[Any]:
        await asyncio.sleep(2.0)
        return [client.get_configuration(section=item.section) for item in params.items]

    async with answering_configuration(fake_deepseek, tmp_path, slow) as client:
        client.set_configuration({"deepseek": {"exclude": ["**/private/**"], "review": {"mode": "onSave"}}})
        private, public = "file:///ws/private/payroll.py", "file:///ws/app.py"
        open_doc(client, private, ROW_DOC)
        open_doc(client, public, ROW_DOC)
        save(client, private)
        save(client, public)
        await reviewed(client, 1, public)  # reviewed once the settings came
        assert all("payroll" not in json.dumps(r.json) for r in fake_deepseek.requests_to(CHAT))
        assert diagnostics(client, private) == []


async def test_an_editor_answering_null_configuration_still_gets_reviews(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """pygls never resolves a null answer to workspace/configuration; the server waited for
    good, and reviews (which wait for the settings) were dropped after 10 s, every one."""
    fake_deepseek.responder(reviewer(ROW_RULES), path=CHAT)
    init = {"review": {"mode": "onSave"}}
    async with answering_configuration(fake_deepseek, tmp_path, lambda client, params: None, init) as client:
        uri = "file:///ws/app.py"
        open_doc(client, uri, ROW_DOC)
        save(client, uri)
        assert await eventually(lambda: len(diagnostics(client, uri)) == 1, timeout=12)


async def test_what_changes_while_a_review_runs_applies_to_its_answer(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """Ignoring a finding, or raising minSeverity, while a review ran: its answer published the
    finding again (until the next save)."""
    fake_deepseek.responder(reviewer(ROW_RULES), path=CHAT)
    uri = "file:///ws/rows.py"
    async with lsp_session(env(fake_deepseek, tmp_path), settings=SETTINGS) as client:
        open_doc(client, uri, ROW_DOC)
        save(client, uri)
        (finding,) = await reviewed(client, 1, uri)
        fake_deepseek.set_latency(ttft=1.0)
        change(client, 2, at(7, 21), " + 0", uri)  # in g(): its unit is asked again
        save(client, uri)
        assert await eventually(lambda: len(fake_deepseek.requests_to(CHAT)) == 2)
        await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="deepseek.review.ignore", arguments=[uri, finding_id(finding)])
        )
        assert await eventually(lambda: not diagnostics(client, uri))
        assert await eventually(lambda: fake_deepseek.requests_to(CHAT)[-1].closed, timeout=5)
        await asyncio.sleep(0.3)
        assert diagnostics(client, uri) == []
    fake_deepseek.reset()
    fake_deepseek.responder(reviewer(ROW_RULES), path=CHAT)
    async with lsp_session(env(fake_deepseek, tmp_path / "b"), settings=SETTINGS) as client:
        fake_deepseek.set_latency(ttft=1.0)
        open_doc(client, uri, ROW_DOC)
        save(client, uri)
        assert await eventually(lambda: len(fake_deepseek.requests_to(CHAT)) >= 1)
        client.set_configuration({"deepseek": {"review": {"mode": "onSave", "minSeverity": "critical"}}})
        client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
        assert await eventually(lambda: all(r.closed for r in fake_deepseek.requests_to(CHAT)), timeout=5)
        await asyncio.sleep(0.3)
        assert diagnostics(client, uri) == []  # a warning, below the new minSeverity


NO_RETRIES = {"review": {"mode": "onSave", "maxRetries": 0}}


async def review_fails(client: Any, fake: FakeDeepSeek, uri: str) -> None:
    """Open ``uri`` (ROW_DOC) and save it while the backend answers 500: its review fails."""
    open_doc(client, uri, ROW_DOC)
    fake.fault("status", count=1, path=CHAT, status=500)
    save(client, uri)
    assert await eventually(lambda: client.statuses and client.statuses[-1]["kind"] == "Warning")


async def test_another_files_good_review_does_not_hide_a_failed_one(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    fake_deepseek.responder(reviewer(ROW_RULES), path=CHAT)
    async with lsp_session(env(fake_deepseek, tmp_path), settings=NO_RETRIES) as client:
        a, b = "file:///ws/a.py", "file:///ws/b.py"
        open_doc(client, b, "def g(x):\n    return x\n")
        await review_fails(client, fake_deepseek, a)
        save(client, b)
        assert await eventually(lambda: len(fake_deepseek.requests_to(CHAT)) == 2)
        await asyncio.sleep(0.5)
        # a.py's review failed and was never redone: it must not look reviewed and clean.
        assert client.statuses[-1]["kind"] == "Warning" and client.statuses[-1]["uri"] == a
        # Its retries are spent; the message says what brings the review back.
        assert "a.py" in client.statuses[-1]["message"] and "Save again" in client.statuses[-1]["message"]
        assert "retried later" not in client.statuses[-1]["message"]
        # Closed, its failure is no longer anyone's concern.
        client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(a)))
        assert await eventually(lambda: client.statuses[-1]["kind"] == "Normal")


async def test_a_files_good_review_ends_its_own_failure_told_though_another_status_came_since(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """a.py's review failed, then b.py's failed too (the status now b.py's), then a.py was saved
    again and reviewed with success: nothing was said, since the status was no longer a.py's,
    and VS Code, which keeps each file's status, showed "review of a.py failed... Save again to
    retry" on a.py for good. Now a.py's own Normal is said, then b.py's failure again, which
    still stands (and is what an editor showing one status shows)."""
    fake_deepseek.responder(reviewer(ROW_RULES), path=CHAT)
    async with lsp_session(env(fake_deepseek, tmp_path), settings=NO_RETRIES) as client:
        a, b = "file:///ws/a.py", "file:///ws/b.py"
        await review_fails(client, fake_deepseek, a)
        open_doc(client, b, ROW_DOC)
        fake_deepseek.fault("status", count=1, path=CHAT, status=500)
        save(client, b)
        assert await eventually(lambda: statuses(client)[-1]["uri"] == b and statuses(client)[-1]["kind"] == "Warning")
        told = len(client.statuses)
        change(client, 2, at(0, 0), "# again\n", uri=a)
        save(client, a)
        assert await eventually(lambda: len(fake_deepseek.requests_to(CHAT)) == 3)
        await asyncio.sleep(0.5)
        after = statuses(client)[told:]
        assert after == [{"kind": "Normal", "message": "", "feature": "review", "uri": a}, statuses(client)[told - 1]], after


async def test_a_finding_after_half_an_emoji_is_on_its_code(fake_deepseek: FakeDeepSeek, tmp_path: Path) -> None:
    """A UTF-16 editor may hold half an emoji (a lone surrogate). The review's snapshot read it
    as three replacement characters (6 bytes more), and the finding was published 6 bytes
    off, on ``ser_input)``: its quick fix would have edited the wrong code."""
    rule = Rule("eval(user_input)", "critical", "eval runs any code.", "ast.literal_eval(user_input)")
    fake_deepseek.responder(reviewer([rule]), path=CHAT)
    text = "label = '\ud83d'\nresult = eval(user_input)\n"
    async with lsp_session(env(fake_deepseek, tmp_path), settings=SETTINGS) as client:
        open_doc(client, URI, text)
        save(client)
        (d,) = await reviewed(client, 1)
        assert as_tuple(d.range) == position_of(text, "eval(user_input)")


async def test_failed_review_warning_clears_when_reviews_are_turned_off(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """A failed review's "Save again to retry" Warning stayed for the session after the user
    turned reviews off (saving again did nothing); closing the file cleared it, this did not."""
    fake_deepseek.responder(reviewer(ROW_RULES), path=CHAT)
    async with lsp_session(env(fake_deepseek, tmp_path), settings=NO_RETRIES) as client:
        await review_fails(client, fake_deepseek, "file:///ws/a.py")
        client.set_configuration({"deepseek": {"review": {"mode": "off"}}})
        client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
        assert await eventually(lambda: client.statuses[-1]["kind"] == "Normal", timeout=3), client.statuses[-1]


async def test_a_review_over_the_daily_budget_says_it_was_not_sent_and_what_to_do(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """The Warning read "review of a.py failed: ... AI requests are paused until 00:00 UTC. Raise
    the daily budget setting to continue. Save again to retry.": saving again was refused again."""
    fake_deepseek.responder(reviewer(ROW_RULES), path=CHAT)
    settings = {**NO_RETRIES, "dailyBudgetUsd": 0.000001}
    async with lsp_session(env(fake_deepseek, tmp_path), settings=settings) as client:
        open_doc(client, "file:///ws/a.py", ROW_DOC)
        save(client, "file:///ws/a.py")
        await reviewed(client, 1, "file:///ws/a.py")  # the first goes: nothing was spent yet
        change(client, 2, at(0, 0), "# reviewed again\n", "file:///ws/a.py")
        save(client, "file:///ws/a.py")
        assert await eventually(lambda: client.statuses and client.statuses[-1]["kind"] == "Warning", timeout=10)
        message = client.statuses[-1]["message"]
        assert message.startswith("review of a.py not sent: Daily DeepSeek budget"), message
        assert "Raise the daily budget setting" in message and "Save again to retry" not in message
        assert len(fake_deepseek.requests_to(CHAT)) == 1


SUM_RULES = (Rule("return sum(items)", "warning", "None for an empty list.", "return sum(items) or 0"),)


async def test_a_fix_applied_while_a_review_runs_is_not_shown_again(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """The editor applied the quick fix as an insertion beside the code (" or 0") while a review
    ran: the finding went at once, then the review's answer put it back on the fixed code, whose
    quick fix now makes ``return sum(items) or 0 or 0``."""
    fake_deepseek.responder(reviewer(SUM_RULES), path=CHAT)
    uri = "file:///ws/rows.py"
    async with lsp_session(env(fake_deepseek, tmp_path), settings={"review": {"mode": "onSave"}}) as client:
        open_doc(client, uri, ROW_DOC)
        save(client, uri)
        await reviewed(client, 1, uri)
        fake_deepseek.set_latency(ttft=1.5)
        again = asyncio.ensure_future(
            client.workspace_execute_command_async(
                types.ExecuteCommandParams(command="deepseek.review.again", arguments=[uri])
            )
        )
        assert await eventually(lambda: len(fake_deepseek.requests_to(CHAT)) >= 2, timeout=10)
        change(client, 2, at(7, 21), " or 0", uri)  # the fix, applied as an insertion
        assert await eventually(lambda: diagnostics(client, uri) == [], timeout=3)
        await asyncio.wait_for(again, 10)
        await asyncio.sleep(0.3)
        assert diagnostics(client, uri) == [], diagnostics(client, uri)


async def test_the_review_names_the_file_by_its_path_in_the_workspace(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """The editor's review sent the file's absolute path (``File: /home/<user>/…``): the
    user's name and disk layout went to the provider, and the command line's review of the
    same file began differently (it names it from the project)."""
    ws = tmp_path / "ws"
    (ws / "app").mkdir(parents=True)
    uri = (ws / "app" / "inventory.py").as_uri()
    fake_deepseek.responder(reviewer(INVENTORY_RULES), path=CHAT)
    async with lsp_session(env(fake_deepseek, tmp_path), settings=SETTINGS, root=str(ws)) as client:
        open_doc(client, uri, INVENTORY)
        save(client, uri)
        await reviewed(client, 4, uri)
        sent = fake_deepseek.requests_to(CHAT)[0].json["messages"][-1]["content"]
        assert sent.startswith("File: app/inventory.py\n")
        assert str(tmp_path) not in json.dumps(fake_deepseek.requests_to(CHAT)[0].json)


async def test_a_review_refused_for_its_rate_limit_promises_no_resumption(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """A 429 with the retries spent: nothing sends the review again until the next save, but
    the status said "requests will resume shortly" (then "Save again to retry")."""
    fake_deepseek.responder(reviewer(ROW_RULES), path=CHAT)
    async with lsp_session(env(fake_deepseek, tmp_path), settings=NO_RETRIES) as client:
        uri = "file:///ws/a.py"
        open_doc(client, uri, ROW_DOC)
        fake_deepseek.fault("status", count=1, path=CHAT, status=429)
        save(client, uri)
        assert await eventually(lambda: client.statuses and client.statuses[-1]["kind"] == "Warning")
        message = client.statuses[-1]["message"]
        assert "rate limit" in message and "Save again" in message, message
        assert "resume shortly" not in message, message


@pytest.mark.parametrize(
    ("client_name", "editor", "said", "unsaid"),
    [
        ("Visual Studio Code", "visual_studio_code", "'DeepSeek: Set API Key'", "setup("),
        ("code-server", "visual_studio_code", "'DeepSeek: Set API Key'", "setup("),
        ("Neovim", "neovim", "setup({ settings = { apiKey = ... } })", "Set API Key"),
        ("helix", "neovim", "apiKey", "Set API Key"),
    ],
)
async def test_a_rejected_key_is_told_how_to_set_one_in_the_editor_at_hand(
    fake_deepseek: FakeDeepSeek,
    tmp_path: Path,
    client_name: str,
    editor: str,
    said: str,
    unsaid: str,
) -> None:
    """The advice named VS Code's command to Neovim's and Helix's users too."""
    fake_deepseek.fault("status", count=1, path=CHAT, status=401)
    async with lsp_session(
        env(fake_deepseek, tmp_path),
        settings=SETTINGS,
        editor=editor,
        client_info=types.ClientInfo(name=client_name),
    ) as client:
        open_doc(client, URI, INVENTORY)
        save(client)
        assert await eventually(
            lambda: any("401" in m.message for m in client.messages), timeout=10
        )
        told = next(m.message for m in client.messages if "401" in m.message)
        assert "DEEPSEEK_API_KEY" in told and said in told and unsaid not in told, told
        assert said in statuses(client)[-1]["message"]
