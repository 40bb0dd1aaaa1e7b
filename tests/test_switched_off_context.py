"""A file the user switched completions off for (its folder's ``completion.enable`` false, its
language off in ``completion.languages``) is never sent: not as the file being written, nor
as the context of a completion in another folder or language (end to end, from the prompts
the fake DeepSeek server received).

Only the file itself was kept back: its definitions (an open tab, an imported file) and the
lines of its recent edits went into the prompts of every other folder's files."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path
from typing import Any

from lsprotocol import types

from deepseek_lsp.timeouts import within
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import eventually, inline_params, insert, lsp_session, open_doc, server_env
from tests.test_context_prompts import write_files

FIM = "/beta/completions"
COMPLETION: dict[str, Any] = {"debounce": 0, "prefetch": False, "cache": False, "contextTimeoutMs": 2000}
WINDOW: dict[str, Any] = {"completion": COMPLETION, "review": {"mode": "off"}}


async def prompt_at_end(client: Any, fake: FakeDeepSeek, uri: str, text: str) -> str:
    lines = text.split("\n")
    await client.text_document_inline_completion_async(inline_params(uri, len(lines) - 1, len(lines[-1]), invoked=True))
    return str(fake.requests_to(FIM)[-1].json["prompt"])


async def inactive(client: Any, uri: str) -> dict[str, Any]:
    return await eventually(
        lambda: next((s for s in reversed(client.statuses) if s.get("uri") == uri and s["kind"] == "Inactive"), None)
    )


async def test_a_folder_with_completions_off_gives_no_context_to_another_folder(tmp_path: Path) -> None:
    app, client_code = tmp_path / "app", tmp_path / "client_code"
    write_files(tmp_path, {
        "app/helpers.py": "def app_scale(x, factor=2):\n    return x * factor\n",
        "client_code/pricing.py": "def client_margin(x, rate=0.37):\n    return x * rate\n",
    })  # fmt: skip
    pricing = "def client_margin(x, rate=0.37):\n    return x * rate\n"
    main = "def main(x):\n    total = app_scale(x) + client_margin(x)\n    return "
    with FakeDeepSeek() as fake:
        fake.responder(lambda body: "total", path=FIM)
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path / "state"))
        async with lsp_session(env, settings=WINDOW, folders=[str(app), str(client_code)]) as client:
            off = {**WINDOW, "completion": {**COMPLETION, "enable": False}}
            client.set_configuration({"deepseek": off}, scope_uri=client_code.as_uri())
            client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
            theirs = (client_code / "pricing.py").as_uri()
            open_doc(client, theirs, pricing)
            assert "folder" in (await inactive(client, theirs))["message"]
            # Worked on: the edit's lines were a recent edit for the other folder's prompts.
            insert(client, theirs, 2, 2, 0, "CLIENT_SECRET_RATE = 0.37  # the edit\n")
            open_doc(client, (app / "helpers.py").as_uri(), "def app_scale(x, factor=2):\n    return x * factor\n")
            ours = (app / "main.py").as_uri()
            open_doc(client, ours, main)
            sent = await prompt_at_end(client, fake, ours, main)
    assert "def app_scale(x, factor=2)" in sent  # the context works: the open tab of its own folder
    assert "client_margin(x, rate" not in sent and "CLIENT_SECRET_RATE" not in sent, sent
    assert all("CLIENT_SECRET_RATE" not in str(r.json) and "rate=0.37" not in str(r.json) for r in fake.requests)


async def test_a_language_with_completions_off_gives_no_context_to_another(tmp_path: Path) -> None:
    """TypeScript switched off (``completion.languages: {"typescript": false}``) after a while
    of writing it: a JavaScript file's prompt carried the TypeScript files it imports and the
    TypeScript tabs open beside it."""
    write_files(tmp_path, {
        "ws/legacy.ts": "export function legacyScale(x: number, factor: number): number {\n  return x * factor * 1.37;\n}\n",
        "ws/util.js": "export function utilScale(x, factor) {\n  return x * factor;\n}\n",
    })  # fmt: skip
    ws = tmp_path / "ws"
    tab = "export function tabScale(a: number, b: number): number {\n  return a * b * 7.77;\n}\n"
    app = 'import { legacyScale } from "./legacy";\nimport { utilScale } from "./util";\n\nconst y = legacyScale(1, 2) + utilScale(1, 2) + tabScale(1, 2) + '
    with FakeDeepSeek() as fake:
        fake.responder(lambda body: "1", path=FIM)
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path / "state"))
        async with lsp_session(env, settings=WINDOW, root=str(ws)) as client:
            theirs = (ws / "tab.ts").as_uri()
            open_doc(client, theirs, tab, language="typescript")
            await prompt_at_end(client, fake, theirs, tab)  # written in a while, then turned off
            off = {**WINDOW, "completion": {**COMPLETION, "languages": {"typescript": False}}}
            client.set_configuration({"deepseek": off})
            client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
            assert "typescript" in (await inactive(client, theirs))["message"]
            ours = (ws / "app.js").as_uri()
            open_doc(client, ours, app, language="javascript")
            sent = await prompt_at_end(client, fake, ours, app)
    assert "function utilScale(x, factor)" in sent  # an imported JavaScript file
    assert "legacyScale(x: number" not in sent and "1.37" not in sent, sent
    assert "tabScale(a: number" not in sent and "7.77" not in sent, sent


async def test_a_folder_turned_off_mid_session_leaves_the_prompts_kept_context(tmp_path: Path) -> None:
    """A prompt's snippets are kept while the cursor stays in its window: the definitions of a
    folder turned off a moment ago were sent again with them, for up to 30 s."""
    app, client_code = tmp_path / "app", tmp_path / "client_code"
    pricing = "def client_margin(x, rate=0.37):\n    return x * rate\n"
    main = "def main(x):\n    total = client_margin(x)\n    return "
    write_files(tmp_path, {"app/main.py": main, "client_code/pricing.py": pricing})
    with FakeDeepSeek() as fake:
        fake.responder(lambda body: "total", path=FIM)
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path / "state"))
        async with lsp_session(env, settings=WINDOW, folders=[str(app), str(client_code)]) as client:
            theirs, ours = (client_code / "pricing.py").as_uri(), (app / "main.py").as_uri()
            open_doc(client, theirs, pricing)
            open_doc(client, ours, main)
            assert "def client_margin(x, rate=0.37)" in await prompt_at_end(client, fake, ours, main)
            off = {**WINDOW, "completion": {**COMPLETION, "enable": False}}
            client.set_configuration({"deepseek": off}, scope_uri=client_code.as_uri())
            client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
            await inactive(client, theirs)
            sent = await prompt_at_end(client, fake, ours, main)
    assert "client_margin(x, rate" not in sent, sent


async def test_a_folder_with_reviews_off_gives_no_context_to_another_folders_review(tmp_path: Path) -> None:
    """``review.mode: off`` in the protocol library's folder: the review of the server in the
    other folder was sent the library's ``send_request_async`` all the same, found by name in
    the workspace's symbol table."""
    from tests.review_support import reviewer
    from tests.test_workspace_symbols import PROTOCOL, age, table_of, write

    app, lib = tmp_path / "app", tmp_path / "lib"
    server = SERVER_CODE
    write(app, {"lsp/server.py": server})
    write(lib, {"protocol/rpc.py": PROTOCOL})
    age(tmp_path)
    with FakeDeepSeek() as fake:
        fake.responder(reviewer(()), path="/chat/completions")
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path / "state"))
        window = {**WINDOW, "review": {"mode": "onCommand"}}
        async with lsp_session(env, settings=window, folders=[str(app), str(lib)]) as client:
            client.set_configuration({"deepseek": {**window, "review": {"mode": "off"}}}, scope_uri=lib.as_uri())
            client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
            ours = (app / "lsp/server.py").as_uri()
            open_doc(client, ours, server)
            assert (await table_of(client, 2))["files"] == 2

            async def review(uri: str) -> Any:
                return await client.workspace_execute_command_async(
                    types.ExecuteCommandParams(command="deepseek.reviewFile", arguments=[uri])
                )

            theirs = (lib / "protocol/rpc.py").as_uri()
            open_doc(client, theirs, PROTOCOL)
            # Once the folder's settings are in: its own file is refused.
            await within(review_until_off(review, theirs), 10)
            assert (await review(ours))["ok"]
            sent = fake.requests_to("/chat/completions")[-1].json["messages"][-1]["content"]
    assert "await self.protocol.send_request_async" in sent
    assert "def send_request_async(self, method: str" not in sent, sent


SERVER_CODE = (
    "class BaseServer:\n"
    "    def __init__(self, protocol_cls):\n"
    "        self.protocol = protocol_cls(self)\n\n"
    "    async def shutdown(self):\n"
    '        await self.protocol.send_request_async("shutdown")\n'
)


async def review_until_off(review: Any, uri: str) -> Any:
    """The review command's answer for ``uri`` once the folder's settings say reviews are off
    there (the pull after the change has been answered)."""
    answer = await review(uri)
    while "review.mode" not in str(answer.get("reason")):
        await asyncio.sleep(0.05)
        answer = await review(uri)
    return answer


def test_a_windows_path_of_a_folder_with_completions_off_is_off(monkeypatch: Any) -> None:
    """An imported file is a Windows path (``C:\\ws\\client\\pricing.py``), its folder the URI
    VS Code sends (``file:///c%3A/ws/client``): the folder's settings were not found for it,
    and a file of a folder switched off was read for another folder's prompt."""
    from deepseek_lsp import privacy
    from deepseek_lsp.config import Settings
    from deepseek_lsp.documents import DocumentStore
    from deepseek_lsp.features import Services
    from tests.test_context_prompts import REGISTRY

    monkeypatch.setattr(privacy.paths, "WINDOWS", True, raising=False)
    monkeypatch.setattr(privacy.paths, "CASE_INSENSITIVE_FS", True, raising=False)
    services = Services(documents=DocumentStore(REGISTRY), registry=REGISTRY, status=None, settings=Settings())  # type: ignore[arg-type]
    off = replace(Settings(), completion=replace(Settings().completion, enable=False))
    services.folder_settings = {"file:///c%3A/ws/client": off}
    assert services.completions_off("C:\\ws\\client\\pricing.py")
    assert services.completions_off("file:///C:/ws/client/pricing.py")  # Neovim's spelling
    assert not services.completions_off("C:\\ws\\app\\main.py")
