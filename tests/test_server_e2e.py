"""The real server over stdio: capabilities, document sync under both encodings, settings."""

from __future__ import annotations

import asyncio
import random

import pytest
from lsprotocol import types

from tests.harness import (
    document_state,
    eventually,
    inline_params,
    insert,
    lsp_session,
    open_doc,
    server_env,
)
from tests.test_documents import ClientText, boundaries


async def test_capabilities_advertise_inline_completion_and_incremental_sync(tmp_path) -> None:
    async with lsp_session(server_env("http://127.0.0.1:9", state_dir=str(tmp_path))) as client:
        caps = client.init_result.capabilities  # type: ignore[attr-defined]
        assert caps.inline_completion_provider is not None
        assert caps.completion_provider is not None
        assert caps.text_document_sync.change == types.TextDocumentSyncKind.Incremental
        assert caps.position_encoding == types.PositionEncodingKind.Utf16


@pytest.mark.parametrize("editor,encoding", [("visual_studio_code", "utf-16"), ("neovim", "utf-8")])
async def test_random_incremental_edits_match_the_client(tmp_path, editor: str, encoding: str) -> None:
    rng = random.Random(5)
    uri = "file:///ws/emoji.py"
    client_text = ClientText("def f():\r\n    s = '漢字😀'\r\n    return s\r\n", encoding)
    pieces = ["x", "😀", "名", "\r\n", "\n", "(", "é", "  ", ""]
    async with lsp_session(server_env("http://127.0.0.1:9", state_dir=str(tmp_path)), editor=editor) as client:

        async def ask_and_check() -> dict:
            """A completion request at the end of the text: the server uses (so holds) the
            document's tree, reparsed from the one the edits since updated."""
            end = client_text.position(len(client_text.text))
            await client.text_document_inline_completion_async(inline_params(uri, end.line, end.character, invoked=True))
            state = await document_state(client, uri)
            assert state["text"] == client_text.text
            assert state["treeMatchesFreshParse"] is True
            return state

        open_doc(client, uri, client_text.text)
        # The edits go through the server's tree only while it holds one: the tree is parsed on
        # first use (and a whole-text change drops it). Without these requests nothing of the
        # tree was checked: documentState compared a fresh parse with a fresh parse.
        await ask_and_check()
        version = 1
        for n in range(120):
            valid = boundaries(client_text.text)
            i, j = sorted((rng.choice(valid), rng.choice(valid)))
            if rng.random() < 0.7:
                j = i
            change = client_text.replace(i, j, rng.choice(pieces))
            version += 1
            client.text_document_did_change(
                types.DidChangeTextDocumentParams(
                    text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                    content_changes=[change],
                )
            )
            if n % 10 == 9:
                await ask_and_check()
        state = await document_state(client, uri)
        assert state["encoding"] == encoding
        assert state["text"] == client_text.text
        assert state["version"] == version
        assert state["treeMatchesFreshParse"] is True


async def test_untitled_and_plain_text_documents_are_tracked(tmp_path) -> None:
    async with lsp_session(server_env("http://127.0.0.1:9", state_dir=str(tmp_path))) as client:
        open_doc(client, "untitled:Untitled-1", "notes\n", "plaintext")
        insert(client, "untitled:Untitled-1", 2, 1, 0, "more")
        state = await document_state(client, "untitled:Untitled-1")
        assert state["text"] == "notes\nmore"
        assert state["language"] is None


async def test_bad_setting_is_reported_once_and_the_rest_applies(tmp_path) -> None:
    settings = {"completion": {"debounce": "whenever", "maxPromptTokens": 1500}, "review": {"mode": "sometimes"}}
    async with lsp_session(
        server_env("http://127.0.0.1:9", state_dir=str(tmp_path)), settings=settings
    ) as client:
        open_doc(client, "file:///ws/a.py", "x = 1\n")
        await document_state(client, "file:///ws/a.py")
        assert await eventually(lambda: any("debounce" in m.message for m in client.messages))
        messages = [m.message for m in client.messages]
        assert sum("debounce" in m for m in messages) == 1
        assert sum("review.mode" in m for m in messages) == 1
        # Re-pulling the same configuration does not repeat the message.
        client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
        await document_state(client, "file:///ws/a.py")
        assert sum("debounce" in m.message for m in client.messages) == 1


async def test_api_key_never_reaches_the_client_log(tmp_path) -> None:
    key = "sk-very-secret-key-0123456789"
    async with lsp_session(
        server_env("http://127.0.0.1:9", api_key=key, state_dir=str(tmp_path)),
        settings={"logLevel": "debug"},
    ) as client:
        open_doc(client, "file:///ws/a.py", "x = 1\n")
        await document_state(client, "file:///ws/a.py")
        assert await eventually(lambda: any("configuration" in m.message for m in client.log_messages))
        logged = "\n".join(m.message for m in client.log_messages)
        assert key not in logged and "0123456789" not in logged


async def test_warm_up_waits_for_settings_and_needs_a_key(tmp_path) -> None:
    from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek

    with FakeDeepSeek() as fake:
        # The key in initializationOptions, the endpoint only in the workspace settings (as the
        # VS Code extension sends them): the connection is opened to the user's endpoint.
        env = server_env(None, state_dir=str(tmp_path))
        del env["DEEPSEEK_API_KEY"]
        async with lsp_session(env, init_options={"apiKey": DEFAULT_KEY}, settings={"baseUrl": fake.url}):
            assert await eventually(lambda: fake.requests_to("/models"))
            assert all(r.authorized for r in fake.requests)
        fake.reset()
        vscode = types.ClientInfo(name="Visual Studio Code")
        # No key, and a base URL of one's own with the backend left at deepseek (a LiteLLM or
        # vLLM gateway that adds the key, or takes none): asked, as the CLI's review and doctor
        # ask it. It said "no API key" (a pop-up and an Error status) for a setup that works.
        with FakeDeepSeek(api_key=None) as gateway:
            async with lsp_session(env, settings={"baseUrl": gateway.url}, client_info=vscode) as client:
                assert await eventually(lambda: gateway.requests_to("/models"))
                await asyncio.sleep(0.3)
                assert not any("key" in m.message for m in client.messages)
                assert not any(s["kind"] == "Error" for s in client.statuses)
        # One that does want a key (the fake): said at start, by its 401, as the CLI says it.
        async with lsp_session(env, settings={"baseUrl": fake.url}, client_info=vscode) as client:
            assert await eventually(lambda: any("asks for a key (401) and none is set" in m.message for m in client.messages))
            assert not any("no API key" in m.message for m in client.messages)
            assert await eventually(lambda: client.statuses and client.statuses[-1]["kind"] == "Error")
        fake.reset()
        # DeepSeek's own host surely wants one: said, and nothing sent there.
        deepseek = {"baseUrl": "https://api.deepseek.com"}
        async with lsp_session(env, settings=deepseek, client_info=vscode) as client:
            assert await eventually(lambda: any("no API key" in m.message for m in client.messages))
            told = next(m.message for m in client.messages if "no API key" in m.message)
            # What works in every editor; not a VS Code setting the extension does not forward.
            assert "DEEPSEEK_API_KEY" in told and "'DeepSeek: Set API Key'" in told
            assert "deepseek.apiKey" not in told
            # The status bar says so too (it said Normal until a completion was refused), and
            # the key given later puts it back to Normal.
            assert await eventually(
                lambda: client.statuses and client.statuses[-1]["kind"] == "Error"
                and "no API key" in client.statuses[-1]["message"]
            )
            client.set_configuration({"deepseek": {"baseUrl": fake.url, "apiKey": DEFAULT_KEY}})
            client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
            assert await eventually(lambda: client.statuses[-1]["kind"] == "Normal")
            assert await eventually(lambda: fake.requests_to("/models"))
            assert all(r.authorized for r in fake.requests)


async def test_a_buffer_without_a_name_is_served_without_an_error(tmp_path) -> None:
    """Neovim's unnamed buffers are all "file://": reading its empty path raised, and the editor
    showed "Error in server" on opening and on every edit."""
    async with lsp_session(server_env("http://127.0.0.1:9", state_dir=str(tmp_path))) as client:
        open_doc(client, "file://", "x = 1\n")
        insert(client, "file://", 2, 1, 0, "y = 2")
        state = await document_state(client, "file://")
        assert state["text"] == "x = 1\ny = 2"
        result = await client.text_document_inline_completion_async(inline_params("file://", 1, 5))
        assert result is not None
        await asyncio.sleep(0.2)
        assert not [m.message for m in client.messages if m.type == types.MessageType.Error]


async def test_the_log_level_setting_decides_what_the_editor_is_sent(tmp_path) -> None:
    """logLevel was read and then never applied: "debug" showed no more, "error" no less."""
    env = server_env("http://127.0.0.1:9", state_dir=str(tmp_path))
    async with lsp_session(env, settings={"logLevel": "debug"}) as client:
        open_doc(client, "file:///ws/a.py", "x = 1\n")
        await client.text_document_inline_completion_async(inline_params("file:///ws/a.py", 0, 5))
        assert await eventually(lambda: any(m.type == types.MessageType.Log for m in client.log_messages))
    async with lsp_session(env, settings={"logLevel": "error"}) as client:
        open_doc(client, "file:///ws/a.py", "x = 1\n")
        await document_state(client, "file:///ws/a.py")  # the settings are in by now
        seen = len(client.log_messages)
        await client.text_document_inline_completion_async(inline_params("file:///ws/a.py", 0, 5))
        await asyncio.sleep(0.3)
        later = client.log_messages[seen:]
        assert not [m.message for m in later if m.type in (types.MessageType.Info, types.MessageType.Log)]


MAIN_WITH_IMPORT = "import shared_util\n\n\ndef main(rows):\n    total = shared_util.combine(rows)\n    result = \n"


async def test_added_and_removed_workspace_folders_decide_which_imports_are_read(tmp_path) -> None:
    """A folder added to the workspace (VS Code's "Add Folder to Workspace", Neovim's
    ``add_workspace_folder``) is where an absolute import is looked for from then on, for
    completions and reviews; a removed one is read no more."""
    from tests.fake_deepseek import FakeDeepSeek
    from tests.review_support import Rule, reviewer

    app, lib = tmp_path / "app", tmp_path / "lib"
    app.mkdir()
    lib.mkdir()
    (app / "main.py").write_text(MAIN_WITH_IMPORT)
    (lib / "shared_util.py").write_text('def combine(rows):\n    return "LIB_FOLDER_MARKER"\n')
    uri = (app / "main.py").as_uri()
    line = MAIN_WITH_IMPORT.splitlines().index("    result = ")
    folder = types.WorkspaceFolder(uri=lib.as_uri(), name="lib")

    def change(added: list[types.WorkspaceFolder], removed: list[types.WorkspaceFolder]) -> None:
        client.workspace_did_change_workspace_folders(
            types.DidChangeWorkspaceFoldersParams(event=types.WorkspaceFoldersChangeEvent(added=added, removed=removed))
        )

    async def prompt_after_typing(version: int, text: str) -> str:
        insert(client, uri, version, line, 13 + version - 2, text)
        before = len(fake.requests)
        result = await client.text_document_inline_completion_async(
            inline_params(uri, line, 13 + version - 1, invoked=True)
        )
        assert result.items
        return "\n".join(r.json["prompt"] + r.json.get("suffix", "") for r in fake.requests[before:] if r.path == "/beta/completions")

    with FakeDeepSeek() as fake:
        fake.responder(lambda body: "value_ok", path="/beta/completions")
        fake.responder(reviewer([Rule("total = shared_util", "info", "Check rows.")]), path="/chat/completions")
        settings = {"completion": {"debounce": 0, "prefetch": False}, "review": {"mode": "onSave"}}
        fake.api_key = "sk-test-0123456789"
        env = server_env(fake.url, api_key=fake.api_key, state_dir=str(tmp_path / "state"))
        async with lsp_session(env, settings=settings, root=str(app)) as client:
            caps = client.init_result.capabilities  # type: ignore[attr-defined]
            assert caps.workspace.workspace_folders.change_notifications
            open_doc(client, uri, MAIN_WITH_IMPORT)
            assert "LIB_FOLDER_MARKER" not in await prompt_after_typing(2, "a")
            change([folder], [])
            assert "LIB_FOLDER_MARKER" in await prompt_after_typing(3, "b")
            client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
            chats = await eventually(lambda: [r for r in fake.requests if r.path == "/chat/completions"], timeout=15)
            assert "def combine(rows):" in str(chats[0].json)
            change([], [types.WorkspaceFolder(uri=lib.as_uri() + "/", name="lib")])
            assert "LIB_FOLDER_MARKER" not in await prompt_after_typing(4, "c")


async def test_a_key_rejected_at_start_is_said_once_and_in_the_status(tmp_path) -> None:
    """A wrong key (a 401 to the warm-up's model list, the key set) was only logged: the status
    said Normal and nothing popped up until the first suggestion was refused. It is said as a
    missing key is: one message, the Error status; the completion refused after it adds no
    second pop-up, and the right key puts the status back to Normal."""
    from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek

    with FakeDeepSeek() as fake:
        env = server_env(None, state_dir=str(tmp_path))
        env["DEEPSEEK_API_KEY"] = "sk-wrong0123456789"
        settings = {"baseUrl": fake.url, "completion": {"debounce": 0}}
        async with lsp_session(env, settings=settings, client_info=types.ClientInfo(name="Visual Studio Code")) as client:
            assert await eventually(lambda: any("rejected the API key (401)" in m.message for m in client.messages))
            assert await eventually(
                lambda: client.statuses and client.statuses[-1]["kind"] == "Error"
                and "rejected the API key" in client.statuses[-1]["message"]
            )
            open_doc(client, "file:///ws/a.py", "x = \n")
            await client.text_document_inline_completion_async(inline_params("file:///ws/a.py", 0, 4))
            assert await eventually(lambda: fake.requests_to("/beta/completions") or fake.requests_to("/completions"))
            await asyncio.sleep(0.2)
            assert len([m for m in client.messages if "key" in m.message]) == 1, client.messages
            logged = "\n".join(m.message for m in [*client.messages, *client.log_messages])
            assert "sk-wrong0123456789" not in logged
            client.set_configuration({"deepseek": {**settings, "apiKey": DEFAULT_KEY}})
            client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
            assert await eventually(lambda: client.statuses[-1]["kind"] == "Normal")
