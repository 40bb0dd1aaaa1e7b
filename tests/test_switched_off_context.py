"""A file the user switched completions off for (its folder's ``completion.enable`` false, its
language off in ``completion.languages``) is never sent: not as the file being written, nor
as the context of a completion in another folder or language (end to end, from the prompts
the fake DeepSeek server received).

Only the file itself was kept back: its definitions (an open tab, an imported file) and the
lines of its recent edits went into the prompts of every other folder's files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lsprotocol import types

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
