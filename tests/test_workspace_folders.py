"""Workspace folders changing at run time, multi-root and nested workspaces, and which documents
each feature serves: from an audit, each test failed before its fix."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from lsprotocol import types

from deepseek_lsp import symbol_crawler, symbol_store
from deepseek_lsp.config import DEFAULT_EXCLUDE
from deepseek_lsp.workspace_symbols import WorkspaceSymbols
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import eventually, lsp_session, open_doc, server_env
from tests.review_support import reviewer
from tests.test_workspace_symbols import (
    PROTOCOL,
    REGISTRY,
    SERVER,
    after_near_listing,
    age,
    crawler_for,
    prompt_at_end,
    settle,
    symbol_table,
    table_of,
    write,
)

CHAT = "/chat/completions"
COMPLETION_SETTINGS: dict[str, Any] = {"completion": {"debounce": 0, "prefetch": False}, "review": {"mode": "off"}}


def change_folders(client: Any, added: tuple[Path, ...] = (), removed: tuple[Path, ...] = ()) -> None:
    client.workspace_did_change_workspace_folders(
        types.DidChangeWorkspaceFoldersParams(
            event=types.WorkspaceFoldersChangeEvent(
                added=[types.WorkspaceFolder(uri=p.as_uri(), name=p.name) for p in added],
                removed=[types.WorkspaceFolder(uri=p.as_uri(), name=p.name) for p in removed],
            )
        )
    )


def reopen(client: Any, uri: str, text: str) -> None:
    client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    open_doc(client, uri, text)


async def test_a_folder_added_at_run_time_is_crawled_without_opening_a_file_of_it(tmp_path: Path) -> None:
    """The user adds the protocol library's folder to the workspace (VS Code's "Add Folder to
    Workspace", Neovim's ``add_workspace_folder``) while editing the server that calls it: its
    files joined the symbol table only once some file was opened afterwards, and until then the
    completions in the open file lacked the member's definition."""
    app, lib = tmp_path / "app", tmp_path / "lib"
    write(app, {"lsp/server.py": SERVER})
    write(lib, {"protocol/rpc.py": PROTOCOL})
    age(tmp_path)
    with FakeDeepSeek() as fake:
        fake.script("method, params)")
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path / "state"))
        async with lsp_session(env, settings=COMPLETION_SETTINGS, folders=[str(app)]) as client:
            uri = (app / "lsp/server.py").as_uri()
            open_doc(client, uri, SERVER)
            assert (await table_of(client, 1))["files"] == 1

            change_folders(client, added=(lib,))
            assert (await table_of(client, 2))["files"] == 2
            prompt = await prompt_at_end(client, fake, uri, SERVER)
    assert "def send_request_async(self, method: str, params: object = None)" in prompt


async def test_a_removed_folders_files_leave_the_table_and_free_the_file_limit(tmp_path: Path) -> None:
    """``workspaceIndexFiles: 3``; a folder of vendored code filled the table, then the user
    removed it and added the library the open file calls. The removed folder's files stayed in
    the table, counted against the limit, so the library's were never indexed and the prompt
    lacked the member's definition."""
    app, vendored, lib = tmp_path / "app", tmp_path / "vendored", tmp_path / "lib"
    write(app, {"lsp/server.py": SERVER})
    write(vendored, {f"v{i}.py": f"def vendored_{i}(): pass\n" for i in range(4)})
    write(lib, {"protocol/rpc.py": PROTOCOL})
    age(tmp_path)
    settings = {**COMPLETION_SETTINGS, "completion": {**COMPLETION_SETTINGS["completion"], "workspaceIndexFiles": 3}}
    with FakeDeepSeek() as fake:
        fake.script("method, params)")
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path / "state"))
        async with lsp_session(env, settings=settings, folders=[str(app), str(vendored)]) as client:
            uri = (app / "lsp/server.py").as_uri()
            open_doc(client, uri, SERVER)
            assert (await table_of(client, 3))["files"] == 3

            change_folders(client, added=(lib,), removed=(vendored,))
            reopen(client, uri, SERVER)  # a file opened: the crawl starts even before the fix
            assert (await table_of(client, 2))["files"] == 2
            prompt = await prompt_at_end(client, fake, uri, SERVER)
    assert "def send_request_async(self, method: str, params: object = None)" in prompt
    assert "vendored_" not in prompt


async def test_a_removed_folder_is_no_longer_looked_at_on_disk(tmp_path: Path) -> None:
    """An editor that watches no files (Neovim): after a folder left the workspace, the disk
    checks kept listing it, and a file created there joined the symbol table."""
    app, other = tmp_path / "app", tmp_path / "other"
    write(app, {"lsp/server.py": SERVER})
    write(other, {"a.py": "def alpha(): pass\n"})
    age(tmp_path)
    settings = {**COMPLETION_SETTINGS, "completion": {**COMPLETION_SETTINGS["completion"], "workspaceCheckS": 1}}
    with FakeDeepSeek() as fake:
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path / "state"))
        async with lsp_session(env, editor="neovim", settings=settings, folders=[str(app), str(other)]) as client:
            open_doc(client, (app / "lsp/server.py").as_uri(), SERVER)
            assert (await table_of(client, 2))["files"] == 2
            change_folders(client, removed=(other,))
            assert (await table_of(client, 1))["files"] == 1
            await asyncio.sleep(0.3)  # the check after the crawl has taken the folders' times
            write(other, {"b.py": "def beta(): pass\n"})
            await asyncio.sleep(2.5)  # two disk checks
            assert (await symbol_table(client))["files"] == 1


async def test_an_import_resolves_in_the_documents_own_folder_of_a_multi_root_workspace(tmp_path: Path) -> None:
    """Two services side by side in one workspace, each with its own ``config.py``: the
    completions in the second folder's ``main.py`` were sent the first folder's ``Settings``
    (the folders were tried in the workspace's order), fields the code in view has not."""
    billing, shipping = tmp_path / "billing", tmp_path / "shipping"
    write(billing, {"config.py": "class Settings:\n    ledger_currency: str = 'EUR'\n"})
    write(shipping, {"config.py": "class Settings:\n    carrier_api_url: str = 'https://carrier'\n"})
    text = "from config import Settings\n\n\ndef endpoint(settings: Settings) -> str:\n    return settings."
    write(shipping, {"main.py": text})
    age(tmp_path)
    # The context's time box out of the way: which folder's file is read is the question, and
    # on a loaded machine the 80 ms one ran out before any (the prompt had neither, a flaky failure).
    settings = {**COMPLETION_SETTINGS, "completion": {**COMPLETION_SETTINGS["completion"], "contextTimeoutMs": 600_000}}
    with FakeDeepSeek() as fake:
        fake.script("carrier_api_url")
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path / "state"))
        async with lsp_session(env, settings=settings, folders=[str(billing), str(shipping)]) as client:
            uri = (shipping / "main.py").as_uri()
            open_doc(client, uri, text)
            prompt = await prompt_at_end(client, fake, uri, text)
    assert "carrier_api_url: str" in prompt
    assert "ledger_currency" not in prompt


def test_a_folder_nested_in_another_does_not_halve_the_files_indexed(tmp_path: Path) -> None:
    """A monorepo and one of its packages, both workspace folders (VS Code's multi-root
    "root + packages/api"): the package's files were listed once per folder, and the
    duplicates took half the ``workspaceIndexFiles`` places: files of both were left out."""
    write(tmp_path, {"tools/release.py": "def release(): pass\n"})
    write(tmp_path, {f"packages/api/m{i}.py": f"def handler_{i}(): pass\n" for i in range(3)})
    symbols = WorkspaceSymbols(REGISTRY, max_files=4)
    planned = symbols.plan([tmp_path, tmp_path / "packages/api"], DEFAULT_EXCLUDE, [tmp_path / "packages/api/m0.py"], "python")
    assert sorted(p.name for p in planned) == ["m0.py", "m1.py", "m2.py", "release.py"]


REVIEW_SETTINGS: dict[str, Any] = {"review": {"mode": "onSave", "maxRetries": 1}}
NOT_CODE = (
    ("README.md", "# Launch plan\n\nShip the beta on Friday; tell nobody yet.\n", "markdown"),
    ("notes.txt", "call the bank about the overdraft\n", "plaintext"),
    ("package-lock.json", '{"name": "app", "lockfileVersion": 3, "packages": {}}\n', "json"),
    ("deploy.yaml", "replicas: 3\nimage: app:latest\n", "yaml"),
    ("Cargo.lock", "version = 3\n\n[[package]]\nname = \"app\"\n", "toml"),
)


async def test_a_save_reviews_code_as_the_command_line_does_not_notes_data_or_lock_files(tmp_path: Path) -> None:
    """``deepseek-lsp review .`` leaves out notes, data and lock files (a review of them is
    paid for and finds nothing worth it), but a save in the editor reviewed every file: a
    README, a lock file, a YAML manifest each cost a review request on every save. A save now
    reviews what the command line reviews; asked for by name (the command), as a file named on
    the command line, any file is."""
    code_uri = (tmp_path / "app.py").as_uri()
    code = "def total(rows):\n    return sum(r.price for r in rows)\n"
    with FakeDeepSeek() as fake:
        fake.responder(reviewer(()), path=CHAT)
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path / "state"))
        async with lsp_session(env, settings=REVIEW_SETTINGS, root=str(tmp_path)) as client:
            for name, text, language in NOT_CODE:
                uri = (tmp_path / name).as_uri()
                open_doc(client, uri, text, language)
                client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
            open_doc(client, code_uri, code)
            client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=code_uri)))
            assert await eventually(lambda: len(fake.requests_to(CHAT)) >= 1)
            await asyncio.sleep(0.5)  # any other review would be on its way by now
            sent = [r.json["messages"][-1]["content"] for r in fake.requests_to(CHAT)]
            assert len(sent) == 1 and "def total(rows)" in sent[0]

            result = await client.workspace_execute_command_async(
                types.ExecuteCommandParams(command="deepseek.reviewFile", arguments=[(tmp_path / "README.md").as_uri()])
            )
            assert result["ok"], result
            assert "Ship the beta on Friday" in fake.requests_to(CHAT)[-1].json["messages"][-1]["content"]


async def test_a_folder_removed_while_its_crawl_runs_leaves_nothing_behind(tmp_path: Path, monkeypatch: Any) -> None:
    """The folder is removed while the crawl is still parsing its files (a big one, just
    added by mistake): the crawl went on to the end, its files stayed in the table, and its
    folders were looked at on disk ever after."""
    monkeypatch.setattr(symbol_crawler, "SAVE_DELAY_S", 0.05)
    monkeypatch.setattr(symbol_store, "SETTLE_NS", 0)
    app, big = tmp_path / "app", tmp_path / "big"
    write(app, {"main.py": "def main(): pass\n"})
    write(big, {f"pkg{i // 10}/m{i}.py": "".join(f"def f{i}_{j}(): pass\n" for j in range(50)) for i in range(80)})
    crawler = crawler_for(app, tmp_path / "state")
    services = crawler.services
    services.workspace_folders = [app.as_uri(), big.as_uri()]
    crawler.request(app / "main.py", "python")
    for _ in range(2000):
        if crawler.symbols.indexed >= 5:
            break
        await asyncio.sleep(0.001)
    assert 5 <= crawler.symbols.indexed < 81  # mid-way

    services.change_workspace_folders(added=[], removed=[big.as_uri()])
    crawler.folders_changed()
    await settle(crawler)
    assert [p.name for p in crawler.symbols.paths()] == ["main.py"]
    assert crawler.symbols.files_defining("f3_1", "python") == []
    write(big, {"pkg0/new.py": "def brand_new(): pass\n"})
    assert await crawler.check_disk() == 0
    # The new folders' crawl was stored as any other.
    assert "main" in crawler.store.path_for([app], "python").read_text()


async def test_a_folder_removed_while_the_files_near_one_opened_are_listed_leaves_none(
    tmp_path: Path, monkeypatch: Any
) -> None:
    """A file of a second workspace folder opened, the folder removed while the files near it
    are listed (a slow disk): they were indexed all the same under the folders there were, and
    stayed in the table all session, their names counted and sent from outside the workspace."""
    monkeypatch.setattr(symbol_crawler, "SAVE_DELAY_S", 0.05)
    app, lib = tmp_path / "app", tmp_path / "lib"
    write(app, {"main.py": "def main(): pass\n"})
    write(lib, {f"pkg/m{i}.py": f"def lib_{i}(): pass\n" for i in range(4)})
    crawler = crawler_for(app, tmp_path / "state")
    services = crawler.services
    services.workspace_folders = [app.as_uri(), lib.as_uri()]
    crawler.request(app / "main.py", "python")
    await settle(crawler)
    assert crawler.symbols.files_defining("lib_1", "python")

    def remove() -> None:
        services.change_workspace_folders(added=[], removed=[lib.as_uri()])
        crawler.folders_changed()

    after_near_listing(monkeypatch, crawler, remove)
    crawler.request(lib / "pkg/m0.py", "python")
    await settle(crawler)
    assert [p.name for p in crawler.symbols.paths()] == ["main.py"]
    assert crawler.symbols.files_defining("lib_1", "python") == []
