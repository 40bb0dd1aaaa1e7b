"""What a completion's prompt and a review carry of files changed on disk by something other
than the editor (a ``git checkout``, a code generator, a formatter run in a terminal) while the
user keeps typing in a file that imports them."""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path
from typing import Any

from lsprotocol import types

from deepseek_lsp import symbol_crawler
from deepseek_lsp.completion.feature import CompletionFeature
from deepseek_lsp.completion.request import Request
from deepseek_lsp.config import DEFAULT_EXCLUDE
from deepseek_lsp.documents import Document
from deepseek_lsp.model import EndpointConfig, ModelClient
from deepseek_lsp.privacy import is_excluded
from deepseek_lsp.review.cache import ReviewCache
from deepseek_lsp.review.engine import ReviewEngine
from deepseek_lsp.workspace_symbols import WorkspaceSymbols
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import _to_dict, eventually, lsp_session, open_doc, server_env
from tests.review_support import PYTHON, Rule, reviewer, settings_for, user_prompt
from tests.test_completion_units import _feature_for_prompts
from tests.test_review_engine import CHAT
from tests.test_workspace_symbols import (
    PROTOCOL,
    REGISTRY,
    SERVER,
    _git_repo,
    crawler_for,
    prompt_at_end,
    settle,
    table_of,
    write,
)


def _rewrite(path: Path, text: str) -> None:
    """Write ``text`` as a tool would, its modification time a second on (a stamp that tells)."""
    before = path.stat().st_mtime_ns
    path.write_text(text)
    os.utime(path, ns=(before + 1_000_000_000, before + 1_000_000_000))


def test_an_imported_file_rewritten_on_disk_gives_its_new_signature_to_the_next_prompt(tmp_path: Path) -> None:
    """The prompt's snippets are kept while the cursor stays in the last prompt's window (the
    prefix cache), unless an open document they came from changed. A definition read from a
    file on disk was kept as it was: after a ``git pull`` or a code generator changed the
    imported function's parameters, every prompt for the next 30 s showed the old signature,
    and the model wrote calls with the parameters just removed."""
    helpers = tmp_path / "reports.py"
    helpers.write_text("def build_report(orders, *, currency: str):\n    return orders\n")
    feature = _feature_for_prompts([tmp_path.as_uri()], time_box_ms=5000)
    text = "from reports import build_report\n\n\ndef main(orders):\n    report = build_report("
    doc = feature.services.documents.open((tmp_path / "main.py").as_uri(), text, "python", 1)
    first = feature.prompts.prompt(Request(doc, len(text), False)).prompt
    assert "def build_report(orders, *, currency: str):" in first

    _rewrite(helpers, "def build_report(orders, *, locale: str, rounding: int = 2):\n    return orders\n")
    later = feature.prompts.prompt(Request(doc, len(text), False)).prompt
    assert "def build_report(orders, *, locale: str, rounding: int = 2):" in later
    assert "currency" not in later


def _calling_legacy(tmp_path: Path) -> tuple[Path, CompletionFeature, Document]:
    """legacy.py's function, and main.py's line calling it: the file, the feature, the document."""
    helpers = tmp_path / "legacy.py"
    helpers.write_text("def migrate_accounts(batch_size: int = 100):\n    return batch_size\n")
    feature = _feature_for_prompts([tmp_path.as_uri()], time_box_ms=5000)
    text = "from legacy import migrate_accounts\n\n\ndef main():\n    migrate_accounts("
    return helpers, feature, feature.services.documents.open((tmp_path / "main.py").as_uri(), text, "python", 1)


def _prompt_at_end(feature: CompletionFeature, doc: Document) -> str:
    return feature.prompts.prompt(Request(doc, len(doc.data), False)).prompt


def test_an_imported_file_deleted_on_disk_leaves_the_next_prompt(tmp_path: Path) -> None:
    """A branch switched to one without the module: its definitions were still sent."""
    helpers, feature, doc = _calling_legacy(tmp_path)
    assert "def migrate_accounts(" in _prompt_at_end(feature, doc)
    helpers.unlink()
    assert "def migrate_accounts(" not in _prompt_at_end(feature, doc)


async def test_an_imported_file_deleted_then_made_again_is_in_the_next_prompt(tmp_path: Path) -> None:
    """A branch switched away and back (a file deleted, then created again, as the editor's
    watcher tells): the prompt kept the snippets chosen while the file was missing, none from
    it, as long as the cursor stayed there; the model never saw the function the line calls.
    After a rename away and back, it saw the copy left in the other file, with its old
    parameters."""
    helpers, feature, doc = _calling_legacy(tmp_path)
    assert "def migrate_accounts(batch_size" in _prompt_at_end(feature, doc)

    def told(kind: types.FileChangeType) -> None:
        feature.files_changed(types.DidChangeWatchedFilesParams([types.FileEvent(helpers.as_uri(), kind)]))

    helpers.unlink()
    told(types.FileChangeType.Deleted)
    assert "def migrate_accounts(" not in _prompt_at_end(feature, doc)
    helpers.write_text("def migrate_accounts(tenant: str, *, dry_run: bool = False):\n    return tenant\n")
    told(types.FileChangeType.Created)
    assert "def migrate_accounts(tenant: str, *, dry_run: bool = False):" in _prompt_at_end(feature, doc)
    await feature.stop()


async def test_without_a_watcher_a_file_made_again_is_in_the_prompt_after_the_disk_check(tmp_path: Path) -> None:
    """Neovim watches no files for the server: its own look at the disk finds the file deleted,
    then made again, and the prompt kept while the cursor stays takes it in."""
    helpers, feature, doc = _calling_legacy(tmp_path)
    feature.services.configured.set()
    feature.idle.last_change = 0.0
    path = tmp_path / "main.py"
    feature.crawler.request(path, "python")
    await asyncio.wait_for(feature.crawler._tasks["crawl"], 30)
    assert "def migrate_accounts(batch_size" in _prompt_at_end(feature, doc)
    helpers.unlink()
    assert await feature.crawler.check_disk() == 1
    await asyncio.wait_for(feature.crawler._tasks["refresh"], 30)  # the table told, as 30 s on
    assert "def migrate_accounts(" not in _prompt_at_end(feature, doc)
    helpers.write_text("def migrate_accounts(tenant: str):\n    return tenant\n")
    os.utime(tmp_path, ns=(os.stat(tmp_path).st_mtime_ns + 2_000_000_000,) * 2)  # its folder's time tells
    assert await feature.crawler.check_disk() == 1
    assert "def migrate_accounts(tenant: str):" in _prompt_at_end(feature, doc)
    await feature.stop()

async def test_a_review_is_not_taken_from_the_cache_once_an_imported_signature_changed(tmp_path: Path) -> None:
    """A unit's cached review rests on the signatures it was shown, those of its own file's
    definitions (in its cache key) and those of the files it imports (not in it). After the
    imported function gained the parameter the call passes (a ``git pull``), saving the file
    brought back "scale() takes one argument, two given" from the cache, for good: the
    unchanged function was never reviewed again."""
    ws = tmp_path / "ws"
    ws.mkdir()
    helpers = ws / "mathutil.py"
    helpers.write_text("def scale(value):\n    return value * 2\n")
    text = "from mathutil import scale\n\n\ndef total(a, b):\n    return scale(a, b)\n"
    doc = Document((ws / "main.py").as_uri(), text, language=PYTHON)
    rule = "scale() takes one argument, two given."

    def respond(body: dict[str, Any]) -> str:
        # As the model would: the call is wrong only against the signature it is shown.
        one_argument = "def scale(value):" in user_prompt(body)
        return reviewer([Rule("scale(a, b)", "error", rule)] if one_argument else [])(body)

    engine = ReviewEngine(ReviewCache(tmp_path / "review-cache.sqlite"))
    with FakeDeepSeek() as fake:
        fake.responder(respond, path=CHAT)
        settings = settings_for(fake)
        async with ModelClient(EndpointConfig(base_url=fake.url, api_key=DEFAULT_KEY)) as client:
            first = await engine.review(client, doc, settings, roots=[ws])
            assert [f.message for f in first.findings] == [rule]

            _rewrite(helpers, "def scale(value, factor=2):\n    return value * factor\n")
            again = await engine.review(client, doc, settings, roots=[ws])
            assert again.units_asked >= 1
            assert [f.message for f in again.findings] == []
            # The cached review shown when the file is opened is the new one too.
            shown, complete = engine.cached_findings(doc, settings, roots=[ws])
            assert complete and shown == []
            # Nothing changed since: no request.
            sent = len(fake.requests_to(CHAT))
            third = await engine.review(client, doc, settings, roots=[ws])
            assert third.units_asked == 0 and len(fake.requests_to(CHAT)) == sent


def _as_vscode_reports(client: Any, events: list[tuple[Path, types.FileChangeType]]) -> None:
    """Send the events as VS Code's file watcher does: only those whose path a registered
    watcher's glob matches (and kind takes). A folder moved or deleted is one event, for the
    folder: VS Code does not tell of the files in it (microsoft/vscode#109754, "as designed")."""
    watchers = [
        w
        for r in client.registrations
        if r.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
        for w in _to_dict(r.register_options)["watchers"]
    ]
    bits = {types.FileChangeType.Created: 1, types.FileChangeType.Changed: 2, types.FileChangeType.Deleted: 4}
    changes = [
        types.FileEvent(uri=path.as_uri(), type=kind)
        for path, kind in events
        if any(isinstance(w["globPattern"], str) and is_excluded(str(path), [w["globPattern"]]) and w.get("kind", 7) & bits[kind] for w in watchers)
    ]
    if changes:
        client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=changes))


async def test_a_folder_moved_into_the_workspace_or_deleted_in_vscode_reaches_the_symbol_table(tmp_path: Path) -> None:
    """Over stdio, as VS Code: a folder moved into the workspace (``mv``, a rename in the
    explorer, an archive unpacked next door and moved in) is one watcher event for the folder,
    which the glob the server registered (``**/*.{py,…}``) does not match: the files in it never
    joined the symbol table, and the member its class defines was missing from every prompt for
    the rest of the session. A folder deleted likewise left its files in the table."""
    root, incoming = tmp_path / "ws", tmp_path / "incoming"
    write(root, {"tools/noise.py": "def unrelated(): pass\n"})
    write(incoming, {"protocol/rpc.py": PROTOCOL})
    with FakeDeepSeek() as fake:
        fake.script("method, params)")
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path / "state"))
        settings = {"completion": {"debounce": 0, "prefetch": False, "workspaceCheckS": 1}, "review": {"mode": "off"}}
        async with lsp_session(env, settings=settings, root=str(root)) as client:
            uri = (root / "lsp/server.py").as_uri()
            open_doc(client, uri, SERVER)
            assert await eventually(lambda: any(r.method == "workspace/didChangeWatchedFiles" for r in client.registrations))
            assert (await table_of(client, 1))["files"] == 1
            await asyncio.sleep(0.3)  # (the crawl is done)

            (incoming / "protocol").rename(root / "protocol")
            _as_vscode_reports(client, [(root / "protocol", types.FileChangeType.Created)])
            assert (await table_of(client, 2))["files"] == 2
            prompt = await prompt_at_end(client, fake, uri, SERVER)
            assert "def send_request_async(self, method: str, params: object = None)" in prompt

            shutil.rmtree(root / "protocol")
            _as_vscode_reports(client, [(root / "protocol", types.FileChangeType.Deleted)])
            assert (await table_of(client, 1))["files"] == 1


async def test_a_folder_gitignore_comes_to_ignore_in_vscode_is_no_longer_sent_as_context(tmp_path: Path) -> None:
    """Over stdio, as VS Code: ``gen/`` added to the .gitignore while the server runs. The
    server watched only source files, so the edit was never told, and the generated stub's
    definitions stayed in the symbol table and went on being sent in every prompt."""
    root = tmp_path / "ws"
    root.mkdir()
    _git_repo(root)
    stream = "class Stream:\n    def write_frame(self, data: bytes) -> int:\n        return len(data)\n"
    write(root, {"gen/stream.py": stream, "tools/noise.py": "def unrelated(): pass\n"})
    text = SERVER.replace("send_request_async(", "write_frame(")
    with FakeDeepSeek() as fake:
        fake.script("data)")
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path / "state"))
        settings = {"completion": {"debounce": 0, "prefetch": False}, "review": {"mode": "off"}}
        async with lsp_session(env, settings=settings, root=str(root)) as client:
            uri = (root / "lsp/server.py").as_uri()
            open_doc(client, uri, text)
            assert await eventually(lambda: any(r.method == "workspace/didChangeWatchedFiles" for r in client.registrations))
            assert (await table_of(client, 2))["files"] == 2

            write(root, {".gitignore": "gen/\n"})
            _as_vscode_reports(client, [(root / ".gitignore", types.FileChangeType.Created)])
            assert (await table_of(client, 1))["files"] == 1
            prompt = await prompt_at_end(client, fake, uri, text)
    assert "write_frame(" in prompt and "def write_frame" not in prompt


def test_a_builds_output_folder_does_not_make_the_sources_names_too_common(tmp_path: Path) -> None:
    """``tsc`` (or a bundler) run in a terminal writes ``dist/store.js`` and ``dist/store.d.ts``
    beside ``src/store.ts``: three files defined ``fetchItems``, too common a name to guess
    which is meant, and every member of the project's classes went from the prompts (at the
    next start, or at once when the watcher told of the new files). Build output is no
    definition of the user's: its folders are skipped as ``build`` and ``target`` are."""
    store = "export class Store {\n  fetchItems(limit: number): Promise<string[]> {\n    return Promise.resolve([]);\n  }\n}\n"
    write(
        tmp_path,
        {
            "src/store.ts": store,
            "dist/store.js": "export class Store {\n    fetchItems(limit) {\n        return Promise.resolve([]);\n    }\n}\n",
            "dist/store.d.ts": "export declare class Store {\n    fetchItems(limit: number): Promise<string[]>;\n}\n",
            "out/store.js": "class Store {\n    fetchItems(limit) {\n        return [];\n    }\n}\n",
        },
    )
    symbols = WorkspaceSymbols(REGISTRY)
    for path in symbols.plan([tmp_path], DEFAULT_EXCLUDE, [tmp_path / "src/app.ts"], "typescript"):
        symbols.add_file(path)
    assert symbols.files_defining("fetchItems", "typescript") == [tmp_path / "src/store.ts"]
    # A build's file reported by the editor's watcher is not taken either.
    assert not symbols.accepts(tmp_path / "dist/store.d.ts", [tmp_path], DEFAULT_EXCLUDE, "typescript")
    assert symbols.accepts(tmp_path / "src/store.ts", [tmp_path], DEFAULT_EXCLUDE, "typescript")


async def test_a_name_too_common_for_a_while_is_found_again_once_its_files_are_gone(tmp_path: Path, monkeypatch: Any) -> None:
    """Two files define ``fetch_rows``; a branch switched to for a moment (or a file duplicated
    in the explorer, then deleted) made it three, too common to guess which is meant. Back on
    the branch, the third file deleted, the name stayed "too common" for the rest of the
    session: ``self.db.fetch_rows(`` never brought its definition again."""
    monkeypatch.setattr(symbol_crawler, "SAVE_DELAY_S", 0.05)
    root = tmp_path / "ws"
    row = "class {0}:\n    def fetch_rows(self, query: str, limit: int = 100) -> list:\n        return []\n"
    write(root, {"db/sqlite.py": row.format("SqliteDb"), "db/pg.py": row.format("PgDb"), "app.py": "x = 1\n"})
    crawler = crawler_for(root, tmp_path / "state")
    symbols = crawler.symbols
    crawler.request(root / "app.py", "python")
    await settle(crawler)

    def where(name: str) -> list[str]:
        return sorted(p.name for p in symbols.files_defining(name, "python"))

    assert where("fetch_rows") == ["pg.py", "sqlite.py"]
    write(root, {"db/mysql.py": row.format("MysqlDb")})
    crawler.files_changed([(root / "db/mysql.py", True)])
    await settle(crawler)
    assert where("fetch_rows") == []  # three files: too common
    (root / "db/mysql.py").unlink()
    crawler.files_changed([(root / "db/mysql.py", False)])
    await settle(crawler)
    assert where("fetch_rows") == ["pg.py", "sqlite.py"]
    assert where("MysqlDb") == []
    # A file rewritten (saved) keeps its count right: it is not counted twice.
    (root / "db/pg.py").write_text(row.format("PgDb") + "\n# saved\n")
    crawler.files_changed([(root / "db/pg.py", True)])
    await settle(crawler)
    assert where("fetch_rows") == ["pg.py", "sqlite.py"]
