"""Multi-root workspaces: a folder's own settings (its .vscode/settings.json) for its files.

The server asked the editor for the window's settings only: ``deepseek.completion.enable`` false
in one folder's settings went unseen, and that folder's files got (and paid for) suggestions."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types

from deepseek_lsp.config import FOLDER_SETTINGS, Settings, folder_part
from deepseek_lsp.features import Services
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import _to_dict, eventually, inline_params, lsp_session, open_doc, server_env

FIM = "/beta/completions"
WINDOW: dict[str, Any] = {"completion": {"debounce": 0, "prefetch": False}, "review": {"mode": "off"}}
CODE = "def add(a, b):\n    return \n"


def folder_settings(client: Any, folder: Path, settings: dict[str, Any]) -> None:
    """What VS Code answers for the folder: its own values over the window's."""
    client.set_configuration({"deepseek": settings}, scope_uri=folder.as_uri())


async def suggestions(client: Any, uri: str) -> list[str]:
    result = await client.text_document_inline_completion_async(inline_params(uri, 1, 11, invoked=True))
    return [item.insert_text for item in (result.items if result else [])]


async def test_completions_turned_off_in_one_folder_stay_on_in_the_other(tmp_path: Path) -> None:
    app, vendored = tmp_path / "app", tmp_path / "vendored"
    app.mkdir()
    vendored.mkdir()
    with FakeDeepSeek() as fake:
        fake.script("a + b", "a + b")
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path / "state"))
        async with lsp_session(env, settings=WINDOW, folders=[str(app), str(vendored)]) as client:
            folder_settings(client, vendored, {**WINDOW, "completion": {**WINDOW["completion"], "enable": False}})
            # The folder's settings.json edited: VS Code tells the server, which pulls again.
            client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
            theirs, ours = (vendored / "lib.py").as_uri(), (app / "main.py").as_uri()
            open_doc(client, theirs, CODE)
            status = await eventually(
                lambda: next((s for s in reversed(client.statuses) if s.get("uri") == theirs), None)
            )
            assert status["kind"] == "Inactive" and "folder" in status["message"], status
            assert await suggestions(client, theirs) == []
            assert fake.requests_to(FIM) == []
            open_doc(client, ours, CODE)
            assert "a + b" in await suggestions(client, ours)
            # The folder's file stays Inactive on its own: not a state shown for every file.
            assert all(s.get("uri") for s in client.statuses if s["kind"] == "Inactive"), client.statuses


async def test_review_turned_off_in_one_folder_refuses_that_folders_files_only(tmp_path: Path) -> None:
    app, vendored = tmp_path / "app", tmp_path / "vendored"
    app.mkdir()
    vendored.mkdir()
    with FakeDeepSeek() as fake:
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path / "state"))
        window = {**WINDOW, "review": {"mode": "onCommand"}}
        async with lsp_session(env, settings=window, folders=[str(app), str(vendored)]) as client:
            folder_settings(client, vendored, {**window, "review": {"mode": "off"}})
            client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
            theirs, ours = (vendored / "lib.py").as_uri(), (app / "main.py").as_uri()
            open_doc(client, theirs, CODE)
            open_doc(client, ours, CODE)

            async def review(uri: str) -> Any:
                return await client.workspace_execute_command_async(
                    types.ExecuteCommandParams(command="deepseek.reviewFile", arguments=[uri])
                )

            # Asked until the pull that followed the change has been answered.
            async def turned_off() -> Any:
                for _ in range(50):
                    answer = await review(theirs)
                    if "review.mode" in str(answer.get("reason")):
                        return answer
                    await asyncio.sleep(0.1)
                return answer

            off = await turned_off()
            assert off["ok"] is False and "review.mode" in off["reason"], off
            on = await review(ours)
            assert "review.mode" not in str(on.get("reason", "")), on


def test_a_folder_sets_only_whether_its_files_get_suggestions_and_reviews() -> None:
    """A cloned project's .vscode/settings.json sending the key and the code elsewhere: no."""
    part = folder_part(
        {"deepseek": {"baseUrl": "https://evil.example", "completion": {"enable": False, "model": "x"}, "review": {"mode": "off"}}}
    )
    assert part == {"completion": {"enable": False}, "review": {"mode": "off"}}
    assert folder_part({"review": {"other_languages": False}}) == {"review": {"otherLanguages": False}}


def test_a_file_takes_the_settings_of_the_innermost_folder_holding_it() -> None:
    window, outer, inner = Settings(), Settings(log_level="debug"), Settings(log_level="error")
    services = Services(documents=None, registry=None, status=None, settings=window)  # type: ignore[arg-type]
    services.folder_settings = {"file:///ws/mono": outer, "file:///ws/mono/pkg": inner}
    assert services.settings_for("file:///ws/mono/pkg/a.py") is inner
    assert services.settings_for("file:///ws/mono/b.py") is outer
    assert services.settings_for("file:///ws/monolith/c.py") is window
    assert services.settings_for("untitled:Untitled-1") is window


def test_the_vs_code_extension_lets_a_folder_set_what_the_server_takes_from_a_folder() -> None:
    """VS Code answers a folder's pull with the folder's own value only for settings declared
    ``"scope": "resource"``: window-scoped (the default), a folder's ``completion.enable: false``
    was greyed out in its settings.json and never reached the server."""
    package = json.loads((Path(__file__).parents[1] / "editors/vscode/package.json").read_text(encoding="utf-8"))
    properties = package["contributes"]["configuration"]["properties"]
    per_folder = {
        key.removeprefix("deepseek.")
        for key, spec in properties.items()
        if spec.get("scope") in ("resource", "language-overridable")
    }
    assert per_folder == {f"{group}.{key}" for group, keys in FOLDER_SETTINGS.items() for key in keys}


async def test_other_languages_turned_off_in_one_folder_leaves_its_sql_unreviewed(tmp_path: Path) -> None:
    """``review.otherLanguages`` false in one folder's settings (a vendored schema nobody owns):
    the window's true went for its files too, and each save of its SQL was sent."""
    app, vendored = tmp_path / "app", tmp_path / "vendored"
    app.mkdir()
    vendored.mkdir()
    sql = "SELECT 1;\n"
    with FakeDeepSeek() as fake:
        fake.responder(lambda body: json.dumps({"findings": []}), path="/chat/completions")
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path / "state"))
        window = {**WINDOW, "review": {"mode": "onSave"}}
        async with lsp_session(env, settings=window, folders=[str(app), str(vendored)]) as client:
            folder_settings(client, vendored, {**window, "review": {"mode": "onSave", "otherLanguages": False}})
            client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
            await asyncio.sleep(1.0)  # the pull that followed the change is answered
            for folder in (vendored, app):
                uri = (folder / "schema.sql").as_uri()
                open_doc(client, uri, sql, language="sql")
                await asyncio.sleep(0.3)  # (no repository: measured from the opened text)
                client.text_document_did_change(
                    types.DidChangeTextDocumentParams(
                        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
                        content_changes=[types.TextDocumentContentChangeWholeDocument(text=f"DELETE FROM {folder.name};\n")],
                    )
                )
                client.text_document_did_save(
                    types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
                )
            assert await eventually(lambda: len(fake.requests_to("/chat/completions")) >= 1, timeout=10)
            await asyncio.sleep(1.0)
            prompts = [r.json["messages"][-1]["content"] for r in fake.requests_to("/chat/completions")]
            assert len(prompts) == 1 and "DELETE FROM app;" in prompts[0], prompts


#: A key pasted into a folder's setting: said with the folder's name, the value hidden as a
#: window's is (the pop-up, the log and debugState's settingsProblems).
PASTED_KEY = "3f9a8c7d2e1b4a5f6c7d8e9f0a1b2c3d4e5f6a7b"


@pytest.mark.parametrize(("value", "shown"), [("sometimes", "'sometimes'"), (PASTED_KEY, "(hidden")], ids=["word", "key"])
async def test_a_folder_s_bad_setting_is_said_with_the_folder_s_name(tmp_path: Path, value: str, shown: str) -> None:
    """A value only one folder's .vscode/settings.json has wrong: the problem read as the
    user's own settings' ("invalid value 'sometimes' for 'review.mode'"), where it is not; the
    user looked there. Fixed in the folder, the problem goes from debugState (:checkhealth)."""
    app, vendored = tmp_path / "app", tmp_path / "vendored"
    app.mkdir()
    vendored.mkdir()
    with FakeDeepSeek() as fake:
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path / "state"))
        async with lsp_session(env, settings=WINDOW, folders=[str(app), str(vendored)]) as client:

            async def problems() -> list[str]:
                state = await client.protocol.send_request_async("deepseek/debugState", {})
                return list(_to_dict(state)["settingsProblems"])

            folder_settings(client, vendored, {**WINDOW, "review": {"mode": value}})
            client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
            told = await eventually(lambda: [m.message for m in client.messages if "review.mode" in m.message])
            assert "vendored" in told[0] and shown in told[0], told
            found = await problems()
            assert len(found) == 1 and "vendored" in found[0] and shown in found[0], found
            assert PASTED_KEY not in json.dumps(found) + "".join(m.message for m in client.messages)
            folder_settings(client, vendored, {**WINDOW, "review": {"mode": "onCommand"}})
            client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
            for _ in range(100):
                if not await problems():
                    break
                await asyncio.sleep(0.1)
            assert await problems() == []

