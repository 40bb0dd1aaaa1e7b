"""The workspace's symbol table: which files define which names, and the definitions it brings
into a completion's context when nothing the document imports defines a member used near the
cursor (``self.protocol.send_request_async(`` in pygls, ``msg.set_payload(`` in email)."""

from __future__ import annotations

import asyncio
import math
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types

from deepseek_lsp import symbol_crawler, symbol_store, workspace_symbols
from deepseek_lsp.config import DEFAULT_EXCLUDE, Settings
from deepseek_lsp.context import (
    ContextRequest,
    Indexer,
    Snippet,
    gather_snippets,
    names_near,
)
from deepseek_lsp.context.lookup import _attributes_in
from deepseek_lsp.documents import DocumentStore
from deepseek_lsp.features import Services
from deepseek_lsp.languages import LanguageRegistry
from deepseek_lsp.status import StatusReporter
from deepseek_lsp.symbol_crawler import SymbolCrawler
from deepseek_lsp.symbol_store import SymbolStore
from deepseek_lsp.workspace_symbols import MAX_FILE_BYTES, WorkspaceSymbols
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import _to_dict, eventually, inline_params, lsp_session, open_doc, server_env
from tests.review_support import reviewer

REGISTRY = LanguageRegistry.load()


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def age(root: Path, seconds: float = 3600) -> None:
    """Date the files under ``root`` back, as a workspace's files are: the store leaves out
    files modified in the last two seconds (their stamp could not tell a rewrite)."""
    then = time.time() - seconds
    for path in root.rglob("*"):
        if path.is_file():
            os.utime(path, (then, then))


DIGESTS = WorkspaceSymbols(REGISTRY).digests()


def indexed(root: Path, near: str, exclude: tuple[str, ...] = DEFAULT_EXCLUDE) -> WorkspaceSymbols:
    symbols = WorkspaceSymbols(REGISTRY)
    for path in symbols.plan([root], exclude, [root / near]):
        symbols.add_file(path)
    return symbols


def gather(
    root: Path,
    rel: str,
    text: str,
    symbols: WorkspaceSymbols | None,
    language: str = "python",
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE,
) -> list[Snippet]:
    store = DocumentStore(REGISTRY)
    doc = store.open((root / rel).as_uri(), text, language, 1)
    offset = len(doc.data)
    names = names_near(doc.language, doc.tree, doc.data, offset)
    req = ContextRequest(doc, offset, [], [], [root], exclude, time.monotonic() + 5, open_uris=store, symbols=symbols)
    return gather_snippets(Indexer(REGISTRY), req, (max(0, offset - 6000), offset), names)


def heads(snippets: list[Snippet]) -> list[str]:
    return [s.text.splitlines()[0].strip() for s in snippets]


PROTOCOL = (
    "class JsonRPCProtocol:\n"
    "    def send_request_async(self, method: str, params: object = None) -> 'Future':\n"
    '        """Send a request and wait for its result."""\n'
    "        return self._send(method, params)\n\n"
    "    def notify(self, method: str, params: object = None) -> None:\n"
    "        self._send(method, params, notification=True)\n"
)
SERVER = (
    "class BaseServer:\n"
    "    def __init__(self, protocol_cls):\n"
    "        self.protocol = protocol_cls(self)\n\n"
    "    async def shutdown(self):\n"
    "        await self.protocol.send_request_async("
)


def test_plan_takes_the_nearest_folders_first_and_skips_what_is_never_read(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pkg/lsp/server.py": "def a(): pass\n",
            "pkg/lsp/helpers/util.py": "def b(): pass\n",
            "pkg/protocol/rpc.py": "def c(): pass\n",
            "tools/gen.py": "def d(): pass\n",
            "node_modules/lib/index.js": "function e() {}\n",
            ".git/hooks/x.py": "def f(): pass\n",
            "venv311/lib/site.py": "def g(): pass\n",
            "venv311/pyvenv.cfg": "home = /usr\n",
            ".env": "API_KEY=1\n",
            "secrets/credentials.json": "{}\n",
            "pkg/lsp/notes.txt": "no language\n",
            "pkg/lsp/huge.py": "x = 1\n" * (MAX_FILE_BYTES // 6 + 10),
        },
    )
    symbols = WorkspaceSymbols(REGISTRY)
    plan = [p.relative_to(tmp_path).as_posix() for p in symbols.plan([tmp_path], DEFAULT_EXCLUDE, [tmp_path / "pkg/lsp/server.py"])]
    assert plan == ["pkg/lsp/server.py", "pkg/lsp/helpers/util.py", "pkg/protocol/rpc.py", "tools/gen.py"]
    symbols.max_files = 2
    assert len(symbols.plan([tmp_path], DEFAULT_EXCLUDE, [tmp_path / "pkg/lsp/server.py"])) == 2


def test_plan_for_a_language_keeps_to_its_family(tmp_path: Path) -> None:
    """A Python project's C extension and web front end are not parsed for a Python file (nor
    their grammars loaded: the C++ grammar's first use took 340 ms); TypeScript and JavaScript
    files are one family."""
    write(
        tmp_path,
        {"app/main.py": "def a(): pass\n", "ext/speed.cpp": "int f() { return 1; }\n", "web/ui.ts": "export function g() {}\n", "web/legacy.js": "function h() {}\n"},
    )
    symbols = WorkspaceSymbols(REGISTRY)
    near = [tmp_path / "app/main.py"]

    def plan(language: str) -> list[str]:
        return sorted(p.name for p in symbols.plan([tmp_path], DEFAULT_EXCLUDE, near, language))

    assert plan("python") == ["main.py"]
    assert plan("typescript") == ["legacy.js", "ui.ts"]
    assert plan("cpp") == ["speed.cpp"]


def test_a_name_defined_in_one_or_two_files_is_found_a_common_one_is_not(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "a.py": "class A:\n    def close(self): pass\n    def send_frame(self, f): pass\n",
            "b.py": "class B:\n    def close(self): pass\n    def send_frame(self, f): pass\n",
            "c.py": "class C:\n    def close(self): pass\n\ndef only_here(): pass\n",
            "web/d.js": "function only_here() {}\nclass D { render() {} }\n",
        },
    )
    symbols = indexed(tmp_path, "a.py")
    assert sorted(p.name for p in symbols.files_defining("send_frame", "python")) == ["a.py", "b.py"]
    assert symbols.files_defining("close", "python") == []  # three files: too common to guess
    # A Python file is not sent a JavaScript definition of the same name, and the other way round.
    assert [p.name for p in symbols.files_defining("only_here", "python")] == ["c.py"]
    assert [p.name for p in symbols.files_defining("only_here", "typescript")] == ["d.js"]
    assert [p.name for p in symbols.files_defining("render", "typescript")] == ["d.js"]


def test_a_saved_file_brings_its_new_names(tmp_path: Path) -> None:
    write(tmp_path, {"a.py": "def old(): pass\n"})
    symbols = indexed(tmp_path, "a.py")
    assert symbols.files_defining("fresh", "python") == []
    (tmp_path / "a.py").write_text("def old(): pass\n\ndef fresh(): pass\n")
    assert symbols.add_file(tmp_path / "a.py")
    assert [p.name for p in symbols.files_defining("fresh", "python")] == ["a.py"]
    assert symbols.indexed == 1


def test_a_member_of_a_class_the_file_never_imports_is_sent(tmp_path: Path) -> None:
    write(tmp_path, {"protocol/rpc.py": PROTOCOL, "lsp/server.py": SERVER})
    without = gather(tmp_path, "lsp/server.py", SERVER, None)
    assert not any("send_request_async" in s.text for s in without)
    snippets = gather(tmp_path, "lsp/server.py", SERVER, indexed(tmp_path, "lsp/server.py"))
    [sent] = [s for s in snippets if "def send_request_async" in s.text]
    assert sent.text.startswith("def send_request_async(self, method: str, params: object = None)")
    assert sent.path == "rpc.py"
    # Only the member used: ``notify`` is defined there too, but not used here.
    assert not any("def notify" in s.text for s in snippets)


def test_names_that_are_no_member_nor_imported_are_not_guessed(tmp_path: Path) -> None:
    """A local variable that some other file happens to define at its top level is the
    function's own: looking it up in the workspace sent an unrelated definition."""
    write(tmp_path, {"other.py": "timeout_budget = 30\n\ndef retry_plan(n):\n    return [n] * 3\n"})
    text = "def run(job):\n    timeout_budget = job.limit\n    plan = retry_plan(timeout_budget)\n    return "
    snippets = gather(tmp_path, "main.py", text, indexed(tmp_path, "main.py"))
    assert snippets == []


def test_an_excluded_file_is_never_indexed_nor_sent(tmp_path: Path) -> None:
    write(tmp_path, {"config/vault_impl.py": "class Vault:\n    def reveal_token(self):\n        return 'x'\n"})
    text = "def leak(vault):\n    return vault.reveal_token("
    exclude = (*DEFAULT_EXCLUDE, "**/vault_impl.py")
    symbols = indexed(tmp_path, "main.py", exclude)
    assert symbols.files_defining("reveal_token", "python") == []
    # Even an entry made before the file became excluded sends nothing.
    symbols.add_file(tmp_path / "config/vault_impl.py")
    assert symbols.files_defining("reveal_token", "python")
    assert gather(tmp_path, "main.py", text, symbols, exclude=exclude) == []
    assert gather(tmp_path, "main.py", text, symbols) != []  # not excluded: it would be sent


def test_typescript_member_through_an_untyped_field(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "src/scheduler/provider.ts": "export const dateTimestampProvider = {\n  now(): number {\n    return Date.now();\n  },\n};\n"
            "export class TimestampClock {\n  elapsedSince(start: number): number {\n    return Date.now() - start;\n  }\n}\n",
        },
    )
    text = "export function timer(clock: any, start: number) {\n  return clock.elapsedSince("
    snippets = gather(tmp_path, "src/observable/timer.ts", text, indexed(tmp_path, "src/observable/timer.ts"), "typescript")
    assert any("elapsedSince(start: number): number" in s.text for s in snippets), heads(snippets)


async def symbol_table(client: Any) -> dict[str, int]:
    state = _to_dict(await client.protocol.send_request_async("deepseek/debugState", {}))
    return state["workspaceSymbols"]


async def table_of(client: Any, files: int, within_s: float = 5.0) -> dict[str, int]:
    """The server's symbol table once it holds ``files`` files (or after ``within_s``)."""
    for _ in range(int(within_s / 0.05)):
        if (await symbol_table(client))["files"] == files:
            break
        await asyncio.sleep(0.05)
    return await symbol_table(client)


async def prompt_at_end(client: Any, fake: FakeDeepSeek, uri: str, text: str) -> str:
    """The FIM prompt of an invoked completion at the end of ``text`` (open as ``uri``)."""
    line, col = text.count("\n"), len(text.rsplit("\n", 1)[-1])
    result = await client.text_document_inline_completion_async(inline_params(uri, line, col, invoked=True))
    assert result.items
    assert await eventually(lambda: len(fake.requests_to("/beta/completions")) >= 1)
    return fake.requests_to("/beta/completions")[-1].json["prompt"]


async def test_the_server_indexes_the_workspace_while_the_user_pauses_and_sends_the_member(tmp_path: Path) -> None:
    """Over stdio: the workspace's files are indexed once the editor goes quiet, and the
    request after that carries the definition of the member the file calls but never imports;
    with ``workspaceIndexFiles: 0`` nothing is indexed and the prompt has no such definition."""
    root = tmp_path / "ws"
    write(root, {"protocol/rpc.py": PROTOCOL, "lsp/server.py": SERVER, "tools/noise.py": "def unrelated(): pass\n"})
    prompts = {}
    for limit in (2000, 0):
        with FakeDeepSeek() as fake:
            fake.script("method, params)")
            env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path / f"state{limit}"))
            settings = {"completion": {"debounce": 0, "prefetch": False, "workspaceIndexFiles": limit}}
            async with lsp_session(env, settings=settings, root=str(root)) as client:
                uri = (root / "lsp/server.py").as_uri()
                open_doc(client, uri, SERVER)

                if limit:
                    assert (await table_of(client, 3))["files"] == 3
                else:
                    await asyncio.sleep(0.8)  # what indexing took above, and more
                    assert (await symbol_table(client))["files"] == 0
                prompts[limit] = await prompt_at_end(client, fake, uri, SERVER)
    assert "def send_request_async(self, method: str, params: object = None)" in prompts[2000]
    assert "# Path: rpc.py" in prompts[2000] or "rpc.py" in prompts[2000].split("def send_request_async")[0]
    assert "send_request_async(self" not in prompts[0]


def test_an_attribute_the_document_assigns_itself_is_not_looked_up(tmp_path: Path) -> None:
    """``self.speed`` in rich's Spinner, assigned in its own ``__init__``, brought Progress's
    ``speed`` from another file: the attribute is the class's own."""
    write(tmp_path, {"progress.py": "class Progress:\n    speed: float = 1.0\n    def advance(self, step):\n        pass\n"})
    text = (
        "class Spinner:\n    def __init__(self, speed: float = 1.0):\n        self.speed = speed\n"
        "        self.task = None\n\n    def render(self, time):\n        elapsed = time * self.speed\n"
        "        self.task.advance("
    )
    snippets = gather(tmp_path, "spinner.py", text, indexed(tmp_path, "spinner.py"))
    assert heads(snippets) == ["def advance(self, step):"]


@pytest.mark.parametrize(
    ("language", "name", "text"),
    [
        (
            "python",
            "spinner.py",
            "class Spinner:\n    def __init__(self, größe: float = 1.0):\n        self.größe = größe\n"
            "        self.task = None\n\n    def render(self, time):\n        elapsed = time * self.größe\n"
            "        self.task.advance(",
        ),
        (
            "typescript",
            "spinner.ts",
            "export class Spinner {\n  constructor(private größe: number, private task: Progress) {}\n"
            "  render(time: number) {\n    const elapsed = time * this.größe\n    this.task.advance(",
        ),
    ],
)
def test_an_attribute_named_beyond_ascii_the_document_assigns_itself_is_not_looked_up(
    tmp_path: Path, language: str, name: str, text: str
) -> None:
    """``self.größe`` assigned in its own ``__init__`` (a TypeScript parameter property too):
    read ``[A-Za-z_]`` first, the attribute was no name of the document's own, and Progress's
    ``größe`` came from another file."""
    progress = "class Progress:\n    größe: float = 1.0\n    def advance(self, step):\n        pass\n"
    if language == "typescript":
        progress = "export class Progress {\n  größe: number = 1\n  advance(step: number) {}\n}\n"
    write(tmp_path, {"progress." + name.split(".")[1]: progress})
    snippets = gather(tmp_path, name, text, indexed(tmp_path, name), language)
    assert not any("größe" in s.text for s in snippets), heads(snippets)
    assert any("advance(" in s.text for s in snippets), heads(snippets)


def test_a_member_the_documents_constructor_declares_is_not_looked_up(tmp_path: Path) -> None:
    """mobx's ObservableMap declares ``public name_`` among its constructor's parameters, and
    ``this.name_`` near the cursor brought ComputedValue's ``name_: string`` from another file
    (two of a prompt's eight snippets were such guesses, found through the symbol table or the
    barrel's files): a TypeScript parameter property is the class's own."""
    write(
        tmp_path,
        {
            "src/core/computedvalue.ts": "export class ComputedValue {\n  name_: string\n  protected value_: number = 0\n  track(x: number) {}\n}\n"
            "export function helper(): number {\n  return 1\n}\n",
        },
    )
    text = (
        "export class ObservableMap {\n  constructor(\n    public name_ = \"ObservableMap\",\n"
        "    protected readonly value_?: number\n  ) {}\n\n  report(watch: any) {\n"
        "    const label = this.name_ + this.value_\n    watch.track("
    )
    symbols = indexed(tmp_path, "src/types/observablemap.ts")
    snippets = gather(tmp_path, "src/types/observablemap.ts", text, symbols, "typescript")
    assert heads(snippets) == ["track(x: number) {}"]
    # Nor when the file defining the other field is imported (mobx imports it through its barrel).
    imported = 'import { helper } from "../core/computedvalue"\n' + text
    snippets = gather(tmp_path, "src/types/observablemap.ts", imported, symbols, "typescript")
    assert sorted(heads(snippets)) == ["function helper(): number {", "track(x: number) {}"]


def test_an_own_attribute_that_is_also_imported_or_in_prose_keeps_the_imported_definition(tmp_path: Path) -> None:
    """The own-attribute rule is about members: ``this.createStore = createStore`` and then
    ``createStore(`` still wants the imported function; a docstring's "the private helper," is
    no declaration (only TypeScript, Kotlin and Scala declare members among parameters), nor is a
    C++ base clause (``: public Base,``)."""
    write(tmp_path, {
        "store.ts": "export function createStore(initial: number): Store {\n  return new Store(initial)\n}\n",
        "util.py": "def helper(x):\n    return x * 2\n",
    })  # fmt: skip
    text = "import { createStore } from './store'\n\nexport class App {\n  constructor() {\n    this.createStore = createStore\n  }\n  run() {\n    const s = createStore("
    assert heads(gather(tmp_path, "app.ts", text, None, "typescript")) == ["function createStore(initial: number): Store {"]
    text = 'from util import helper\n\ndef run(v):\n    """Calls the private helper, twice."""\n    return helper('
    assert heads(gather(tmp_path, "main.py", text, None)) == ["def helper(x):"]
    assert _attributes_in(b"class Impl : public Base, public Mixin {\n", "cpp") == set()
    assert _attributes_in(b"class Impl : public ns::Base {\n", "typescript") == set()
    assert _attributes_in(b"class Store(private val cache: Cache, var n: Int)", "kotlin") == {"cache"}


def test_an_imported_name_found_through_the_table_takes_its_place_by_distance(tmp_path: Path) -> None:
    """mobx's files import everything from ``internal.ts``, a barrel of fifty ``export *``:
    more than are followed. The table finds the one file that defines the name called at the
    cursor, and that definition, imported for sure, comes first among the nearest names, not
    after every other (behind eight snippets from a followed file, it was cut)."""
    barrel = "".join(f'export * from "./core/m{i}"\n' for i in range(60)) + 'export * from "./core/spy"\n'
    files = {f"src/core/m{i}.ts": f"export const filler{i} = {i}\n" for i in range(60)}
    files["src/core/spy.ts"] = "export function spyReportStart(event: object): void {\n  console.log(event)\n}\n"
    files["src/internal.ts"] = barrel
    files["src/util.ts"] = "".join(f"export function helper{i}(x: number): number {{\n  return x + {i}\n}}\n" for i in range(10))
    write(tmp_path, files)
    helpers = ", ".join(f"helper{i}" for i in range(10))
    calls = "".join(f"  total += helper{i}(total)\n" for i in range(10))
    text = (
        f'import {{ {helpers} }} from "./util"\nimport {{ spyReportStart }} from "./internal"\n\n'
        f"export function run(total: number) {{\n{calls}  spyReportStart("
    )
    snippets = gather(tmp_path, "src/action.ts", text, indexed(tmp_path, "src/action.ts"), "typescript")
    whole = [s for s in snippets if s.kind == "definition"]
    assert len(whole) == 8
    assert any("function spyReportStart(event: object): void {\n  console.log" in s.text for s in whole), heads(snippets)


def test_the_next_session_takes_unchanged_files_names_from_the_store(tmp_path: Path) -> None:
    """Names stored by one session come back in the next for the files whose stamp is
    unchanged; a file edited in between is left to be parsed again (its stored names are stale),
    and a file gone since is not brought back."""
    root = tmp_path / "ws"
    write(root, {"a.py": "def alpha(): pass\n", "b.py": "def beta(): pass\n", "c.py": "def gamma(): pass\n", "d.py": "def delta(): pass\n"})
    age(root)
    (root / "d.py").write_text("def delta(): pass\n")  # modified just now: not stored yet
    first = indexed(root, "a.py")
    store = SymbolStore(tmp_path / "state")
    planned = first.plan([root], DEFAULT_EXCLUDE, [root / "a.py"])
    store.save([root], "python", first.records, DIGESTS)

    (root / "b.py").write_text("def beta_renamed(): pass\n")
    (root / "c.py").unlink()
    loaded, stale = store.load([root], "python", planned, DIGESTS)
    assert sorted(p.name for p in loaded) == ["a.py"] and stale  # b and c are to be written again
    second = WorkspaceSymbols(REGISTRY)
    for path, record in loaded.items():
        second.add_stored(path, record)
    assert [p.name for p in second.files_defining("alpha", "python")] == ["a.py"]
    assert second.files_defining("beta", "python") == []
    assert second.stats()["fromStore"] == 1
    # Another workspace, or another language family of this one, has a store of its own.
    assert store.load([tmp_path], "python", planned, DIGESTS) == ({}, False)
    assert store.load([root], "javascript", planned, DIGESTS) == ({}, False)
    # Names found by another definitions query or grammar are found again.
    assert store.load([root], "python", planned, {**DIGESTS, "python": "another"})[0] == {}


def test_an_unreadable_store_is_ignored_and_replaced(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    write(root, {"a.py": "def alpha(): pass\n"})
    age(root)
    symbols = indexed(root, "a.py")
    store = SymbolStore(tmp_path / "state")
    target = store.path_for([root], "python")
    planned = [root / "a.py"]
    for garbage in (b"\x00\xffnot json", b'{"version": 2, "files": []}', b'{"version": 2, "files": {"%s": [1, 2]}}' % str(root / "a.py").encode(), b"[]"):
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(garbage)
        assert store.load([root], "python", planned, DIGESTS)[0] == {}, garbage
    store.save([root], "python", symbols.records, DIGESTS)
    assert list(store.load([root], "python", planned, DIGESTS)[0]) == planned
    assert [p.name for p in (tmp_path / "state").iterdir()] == [target.name]  # no temporary file left


def test_stores_of_workspaces_long_unused_are_dropped(tmp_path: Path) -> None:
    store = SymbolStore(tmp_path)
    odd = tmp_path / f"{99:024x}.json"
    odd.mkdir()  # not a file: old enough to go, but left alone, and nothing raised
    old = time.time() - symbol_store.MAX_AGE_S - 60
    for i in range(symbol_store.MAX_STORES + 3):
        path = tmp_path / f"{i:024x}.json"
        path.write_text("{}")
        os.utime(path, (old if i == 0 else time.time() - i, old if i == 0 else time.time() - i))
    os.utime(odd, (old, old))
    store.save([tmp_path / "ws"], "python", {}, DIGESTS)
    assert odd.is_dir()
    left = sorted(p.name for p in tmp_path.iterdir() if p.is_file())
    assert len(left) == symbol_store.MAX_STORES
    assert store.path_for([tmp_path / "ws"], "python").name in left
    assert f"{0:024x}.json" not in left  # too old
    assert f"{symbol_store.MAX_STORES + 2:024x}.json" not in left  # the oldest beyond the count


async def test_a_restarted_server_takes_the_table_from_the_store_and_parses_only_changed_files(tmp_path: Path) -> None:
    """Over stdio, two sessions on one state directory: the second takes the names of the files
    unchanged since the first from its store (no parse), parses the file edited in between, and
    its request carries the definition of the member that file now defines."""
    root = tmp_path / "ws"
    write(root, {"protocol/rpc.py": PROTOCOL, "lsp/server.py": SERVER, "tools/noise.py": "def unrelated(): pass\n"})
    age(root)
    env = server_env(None, api_key=DEFAULT_KEY, state_dir=str(tmp_path / "state"))
    settings = {"completion": {"debounce": 0, "prefetch": False}}
    seen: list[dict[str, int]] = []
    server_text = SERVER.replace("send_request_async(", "send_request_soon(")
    for session in range(2):
        with FakeDeepSeek() as fake:
            fake.script("method, params)")
            env["DEEPSEEK_BASE_URL"] = fake.url
            async with lsp_session(env, settings=settings, root=str(root)) as client:
                uri = (root / "lsp/server.py").as_uri()
                open_doc(client, uri, server_text if session else SERVER)

                seen.append(await table_of(client, 3))
                if session:
                    prompt = await prompt_at_end(client, fake, uri, server_text)
        if not session:
            # Between the sessions another tool adds a method to the protocol class.
            (root / "protocol/rpc.py").write_text(
                PROTOCOL + "\n    def send_request_soon(self, method: str, params: object) -> None:\n        self._send(method, params)\n"
            )
    assert seen[0]["files"] == 3 and seen[0]["fromStore"] == 0
    assert seen[1]["files"] == 3 and seen[1]["fromStore"] == 2  # rpc.py changed: parsed again
    assert "def send_request_soon(self, method: str, params: object) -> None:" in prompt


def services_for(root: Path, **completion: object) -> Services:
    """A server's services for the workspace ``root``, its configuration pulled."""
    settings = Settings()
    settings = replace(settings, completion=replace(settings.completion, **completion))
    services = Services(DocumentStore(REGISTRY), REGISTRY, StatusReporter(lambda s: None, lambda m, level=2: None), settings)
    services.workspace_folders = [root.as_uri()]
    services.configured.set()
    return services


def crawler_for(root: Path, state: Path, **completion: object) -> SymbolCrawler:
    crawler = SymbolCrawler(services_for(root, **completion), WorkspaceSymbols(REGISTRY), lambda: 0.0)
    crawler.store = SymbolStore(state)
    return crawler


async def settle(crawler: SymbolCrawler) -> None:
    for _ in range(200):
        if all(t.done() for t in crawler._tasks.values()):
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the crawler did not settle")


def after_near_listing(monkeypatch: Any, crawler: SymbolCrawler, change: Callable[[], None]) -> None:
    """Have ``change`` run on the event loop once the files near the next file opened are
    listed (off it: a slow disk), before any of them is read."""
    loop = asyncio.get_running_loop()
    listed = crawler._near_files

    def listed_then_changed(*args: Any) -> list[Path]:
        found = listed(*args)
        assert found  # files to index, that the change concerns
        done = threading.Event()

        def changed() -> None:
            change()
            done.set()

        loop.call_soon_threadsafe(changed)
        assert done.wait(5)
        return found

    monkeypatch.setattr(crawler, "_near_files", listed_then_changed)


async def test_files_changed_on_disk_and_saved_in_the_editor_keep_the_table_true(tmp_path: Path, monkeypatch: Any) -> None:
    """After a branch switch or a ``git pull`` (files created, changed, deleted on disk, told by
    the editor's file watcher) and a save in the editor, the table has the names the files define
    now, not those of the session's start, and the store has them for the next session."""
    monkeypatch.setattr(symbol_crawler, "SAVE_DELAY_S", 0.05)
    monkeypatch.setattr(symbol_store, "SETTLE_NS", 0)  # the files are all written just now
    root = tmp_path / "ws"
    write(root, {"a.py": "def alpha(): pass\n", "b.py": "def beta(): pass\n", "c.py": "def gamma(): pass\n"})
    crawler = crawler_for(root, tmp_path / "state")
    symbols = crawler.symbols
    crawler.request(root / "a.py", "python")
    await settle(crawler)
    assert symbols.stats()["files"] == 3

    write(root, {"b.py": "def beta_two(): pass\n", "d.py": "def delta(): pass\n", "node_modules/e.py": "def eps(): pass\n"})
    (root / "c.py").unlink()
    crawler.files_changed([(root / "b.py", True), (root / "c.py", False), (root / "d.py", True), (root / "node_modules/e.py", True)])
    # Saved in the editor: the names come from the buffer's index, the file is not read.
    (root / "a.py").write_text("def alpha_saved(): pass\n")
    crawler.saved(root / "a.py", "python", ["alpha_saved"])
    # A new file saved in the editor joins the table; one in an excluded place does not.
    write(root, {"f.py": "def phi(): pass\n", ".env.py": "def secret_name(): pass\n"})
    crawler.saved(root / "f.py", "python", ["phi"])
    crawler.saved(root / ".env.py", "python", ["secret_name"])
    await settle(crawler)

    def where(name: str) -> list[str]:
        return [p.name for p in symbols.files_defining(name, "python")]

    assert (where("alpha"), where("alpha_saved")) == ([], ["a.py"])
    assert (where("beta"), where("beta_two")) == ([], ["b.py"])
    assert where("gamma") == [] and not symbols.is_indexed(root / "c.py")
    assert where("delta") == ["d.py"]
    assert where("eps") == []  # a dependency folder is not indexed, whatever the watcher sends
    assert where("phi") == ["f.py"] and where("secret_name") == []
    assert symbols.stats()["files"] == 4

    again = crawler_for(root, tmp_path / "state")
    again.request(root / "a.py", "python")
    await settle(again)
    assert again.symbols.stats()["fromStore"] == 4  # none parsed: the store was up to date
    assert [p.name for p in again.symbols.files_defining("beta_two", "python")] == ["b.py"]
    assert again.symbols.files_defining("gamma", "python") == []


async def test_a_folder_moved_in_as_one_watcher_event_brings_its_files(tmp_path: Path, monkeypatch: Any) -> None:
    """A folder moved or copied into the workspace, told as one event for the folder: its source
    files join the table (a deleted folder took its files out; a new one brought nothing), and
    not its dependency folder's."""
    monkeypatch.setattr(symbol_crawler, "SAVE_DELAY_S", 0.05)
    root = tmp_path / "ws"
    write(root, {"a.py": "def alpha(): pass\n"})
    crawler = crawler_for(root, tmp_path / "state")
    crawler.request(root / "a.py", "python")
    await settle(crawler)
    write(root, {"moved/pkg/b.py": "def beta(): pass\n", "moved/c.py": "def gamma(): pass\n"})
    write(root, {"moved/node_modules/d.py": "def delta(): pass\n", "moved/notes.txt": "beta\n"})
    crawler.files_changed([(root / "moved", True)])
    await settle(crawler)

    def where(name: str) -> list[str]:
        return [p.name for p in crawler.symbols.files_defining(name, "python")]

    assert (where("beta"), where("gamma"), where("delta")) == (["b.py"], ["c.py"], [])


def test_the_watched_files_glob_names_every_indexed_language() -> None:
    pattern = crawler_for(Path("/nonexistent"), Path("/nonexistent")).watch_pattern()
    assert pattern.startswith("**/*.{") and pattern.endswith("}")
    exts = pattern[len("**/*.{") : -1].split(",")
    assert {"py", "ts", "tsx", "js", "go", "rs", "java"} <= set(exts)


async def test_the_editors_file_watcher_brings_a_file_created_on_disk(tmp_path: Path) -> None:
    """Over stdio, as VS Code: the server asks to watch the workspace's source files, and a file
    created on disk afterwards (a ``git pull``) is indexed from the watcher's event: the next
    request carries the definition of the member it defines."""
    root = tmp_path / "ws"
    write(root, {"protocol/rpc.py": PROTOCOL, "tools/noise.py": "def unrelated(): pass\n"})
    text = SERVER.replace("send_request_async(", "write_frame(")
    with FakeDeepSeek() as fake:
        fake.script("data)")
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path / "state"))
        settings = {"completion": {"debounce": 0, "prefetch": False}}
        async with lsp_session(env, settings=settings, root=str(root)) as client:
            uri = (root / "lsp/server.py").as_uri()
            open_doc(client, uri, text)

            assert await eventually(lambda: any(r.method == "workspace/didChangeWatchedFiles" for r in client.registrations))
            watch = next(r for r in client.registrations if r.method == "workspace/didChangeWatchedFiles")
            assert ",py," in _to_dict(watch.register_options)["watchers"][0]["globPattern"]
            assert (await table_of(client, 2))["files"] == 2

            write(root, {"protocol/stream.py": "class Stream:\n    def write_frame(self, data: bytes) -> int:\n        return len(data)\n"})
            client.workspace_did_change_watched_files(
                types.DidChangeWatchedFilesParams(
                    changes=[types.FileEvent(uri=(root / "protocol/stream.py").as_uri(), type=types.FileChangeType.Created)]
                )
            )
            assert (await table_of(client, 3))["files"] == 3
            prompt = await prompt_at_end(client, fake, uri, text)
    assert "def write_frame(self, data: bytes) -> int:" in prompt


async def test_a_file_created_and_saved_in_an_editor_without_a_watcher_joins_the_table(tmp_path: Path) -> None:
    """Neovim on Linux does not watch files for servers: a file created in the editor after the
    crawl joins the table when it is saved (its names from the buffer), and the next request in
    another file carries the definition of the member it defines."""
    root = tmp_path / "ws"
    write(root, {"protocol/rpc.py": PROTOCOL, "tools/noise.py": "def unrelated(): pass\n"})
    text = SERVER.replace("send_request_async(", "write_frame(")
    stream = "class Stream:\n    def write_frame(self, data: bytes) -> int:\n        return len(data)\n"
    with FakeDeepSeek() as fake:
        fake.script("data)")
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path / "state"))
        settings = {"completion": {"debounce": 0, "prefetch": False}, "review": {"mode": "off"}}
        async with lsp_session(env, editor="neovim", settings=settings, root=str(root)) as client:
            uri = (root / "lsp/server.py").as_uri()
            open_doc(client, uri, text)

            assert (await table_of(client, 2))["files"] == 2
            assert not any(r.method == "workspace/didChangeWatchedFiles" for r in client.registrations)

            new_uri = (root / "protocol/stream.py").as_uri()
            open_doc(client, new_uri, stream)
            write(root, {"protocol/stream.py": stream})
            client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=new_uri)))
            client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=new_uri)))
            assert (await table_of(client, 3))["files"] == 3
            prompt = await prompt_at_end(client, fake, uri, text)
    assert "def write_frame(self, data: bytes) -> int:" in prompt


async def test_without_a_watcher_the_disk_is_checked_for_changed_deleted_and_new_files(tmp_path: Path, monkeypatch: Any) -> None:
    """An editor that watches no files (Neovim on Linux): after a branch switch the crawler's
    own look at the disk finds the changed file, the deleted one, a new file in a known folder
    and one in a new folder, and leaves dependency folders and other languages alone; a second
    look finds nothing more (nothing is indexed twice)."""
    monkeypatch.setattr(symbol_crawler, "SAVE_DELAY_S", 0.05)
    # The files are all written just now: their stamps are to be trusted for the second look
    # (else they are indexed again, in case they were rewritten within the same clock tick).
    monkeypatch.setattr(symbol_store, "SETTLE_NS", 0)
    root = tmp_path / "ws"
    write(root, {"a.py": "def alpha(): pass\n", "b.py": "def beta(): pass\n", "pkg/c.py": "def gamma(): pass\n"})
    age(root)
    crawler = crawler_for(root, tmp_path / "state")
    symbols = crawler.symbols
    crawler.request(root / "a.py", "python")
    await settle(crawler)
    assert symbols.stats()["files"] == 3
    assert await crawler.check_disk() == 0

    write(root, {"b.py": "def beta_two(): pass\n", "pkg/d.py": "def delta(): pass\n"})
    write(root, {"newpkg/sub/e.py": "def epsilon(): pass\n", "node_modules/m/f.py": "def phi(): pass\n"})
    write(root, {"pkg/g.ts": "export function tsOnly() {}\n", "pkg/.hidden.py": "def hidden(): pass\n"})
    (root / "pkg/c.py").unlink()
    assert await crawler.check_disk() == 4
    await settle(crawler)

    def where(name: str) -> list[str]:
        return [p.name for p in symbols.files_defining(name, "python")]

    assert (where("beta"), where("beta_two")) == ([], ["b.py"])
    assert where("gamma") == [] and not symbols.is_indexed(root / "pkg/c.py")
    assert (where("delta"), where("epsilon")) == (["d.py"], ["e.py"])
    assert where("phi") == where("hidden") == [] and symbols.files_defining("tsOnly", "typescript") == []
    assert symbols.stats()["files"] == 4
    assert await crawler.check_disk() == 0
    # A file in the new folder changed later is found as any other indexed file.
    (root / "newpkg/sub/e.py").write_text("def epsilon_two(): pass\n")
    os.utime(root / "newpkg/sub/e.py", (time.time() + 5, time.time() + 5))
    assert await crawler.check_disk() == 1
    await settle(crawler)
    assert where("epsilon_two") == ["e.py"]


async def test_an_editor_without_a_watcher_gets_files_changed_on_disk_into_the_table(tmp_path: Path) -> None:
    """Over stdio, as Neovim on Linux (no file watching): a file created on disk after the crawl
    (a ``git pull``) joins the table within ``workspaceCheckS`` seconds, and the next request
    carries the definition of the member it defines; with the checks off it does not join."""
    root = tmp_path / "ws"
    write(root, {"protocol/rpc.py": PROTOCOL, "tools/noise.py": "def unrelated(): pass\n"})
    text = SERVER.replace("send_request_async(", "write_frame(")
    stream = "class Stream:\n    def write_frame(self, data: bytes) -> int:\n        return len(data)\n"
    found = {}
    for every in (1, 0):
        (root / "protocol/stream.py").unlink(missing_ok=True)
        with FakeDeepSeek() as fake:
            fake.script("data)")
            env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path / f"state{every}"))
            settings = {"completion": {"debounce": 0, "prefetch": False, "workspaceCheckS": every}, "review": {"mode": "off"}}
            async with lsp_session(env, editor="neovim", settings=settings, root=str(root)) as client:
                uri = (root / "lsp/server.py").as_uri()
                open_doc(client, uri, text)
                assert (await table_of(client, 2))["files"] == 2
                await asyncio.sleep(0.3)  # the check after the crawl has taken the folders' times
                write(root, {"protocol/stream.py": stream})
                # Off, it is still not there after 2 s, twice the interval of the checks when on.
                found[every] = (await table_of(client, 3, 5.0 if every else 2.0))["files"]
                prompt = await prompt_at_end(client, fake, uri, text)
        assert ("def write_frame(self, data: bytes) -> int:" in prompt) == (every == 1)
    assert found == {1: 3, 0: 2}


async def test_a_review_on_save_carries_the_member_the_symbol_table_finds(tmp_path: Path) -> None:
    """Over stdio: once the workspace is indexed, a save's review request carries the signature
    of the member the file calls on an attribute whose class it never imports."""
    root = tmp_path / "ws"
    write(root, {"protocol/rpc.py": PROTOCOL, "tools/noise.py": "def unrelated(): pass\n"})
    text = SERVER + "'shutdown')\n"
    with FakeDeepSeek() as fake:
        fake.responder(reviewer(()), path="/chat/completions")
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path / "state"))
        settings = {"completion": {"debounce": 0, "prefetch": False}, "review": {"mode": "onSave"}}
        async with lsp_session(env, settings=settings, root=str(root)) as client:
            uri = (root / "lsp/server.py").as_uri()
            write(root, {"lsp/server.py": text})
            open_doc(client, uri, text)
            assert (await table_of(client, 3))["files"] == 3
            client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
            assert await eventually(lambda: len(fake.requests_to("/chat/completions")) >= 1)
            user = fake.requests_to("/chat/completions")[0].json["messages"][1]["content"]
    assert "def send_request_async(self, method: str, params: object = None) -> 'Future':  # rpc.py" in user


async def test_a_newly_excluded_file_leaves_the_table_and_the_store(tmp_path: Path, monkeypatch: Any) -> None:
    """``exclude`` gains a folder mid-session: its files' names leave the table and, within
    seconds, the store on disk (names of a secrets folder stayed there for good before)."""
    monkeypatch.setattr(symbol_crawler, "SAVE_DELAY_S", 0.05)
    root = tmp_path / "ws"
    write(root, {"a.py": "def alpha(): pass\n", "secrets/s.py": "def secret_token_name(): pass\n"})
    age(root)
    crawler = crawler_for(root, tmp_path / "state")
    crawler.request(root / "a.py", "python")
    await settle(crawler)
    store_file = crawler.store.path_for([root], "python")
    assert "secret_token_name" in store_file.read_text()

    services = crawler.services
    services.settings = replace(services.settings, exclude=(*services.settings.exclude, "**/secrets/**"))
    crawler.exclude_changed()
    await settle(crawler)
    assert crawler.symbols.files_defining("secret_token_name", "python") == []
    assert "secret_token_name" not in store_file.read_text() and "alpha" in store_file.read_text()


async def test_the_store_respects_the_file_limit_and_a_deleted_folder_takes_its_files(tmp_path: Path, monkeypatch: Any) -> None:
    """Stores written under a larger ``workspaceIndexFiles`` do not load past the limit; a
    folder deleted on disk (one watcher event for the folder) takes its files' names away."""
    monkeypatch.setattr(symbol_crawler, "SAVE_DELAY_S", 0.05)
    root = tmp_path / "ws"
    write(root, {f"pkg/m{i}.py": f"def name_{i}(): pass\n" for i in range(6)})
    write(root, {f"web/w{i}.js": f"function web_{i}() {{}}\n" for i in range(3)})
    age(root)
    first = crawler_for(root, tmp_path / "state")
    first.request(root / "pkg/m0.py", "python")
    first.request(root / "web/w0.js", "javascript")
    await settle(first)
    assert first.symbols.stats()["files"] == 9

    # The limit is the table's, whatever each language family's store holds.
    small = crawler_for(root, tmp_path / "state", workspace_index_files=4)
    small.request(root / "pkg/m0.py", "python")
    small.request(root / "web/w0.js", "javascript")
    await settle(small)
    assert small.symbols.stats()["files"] == 4

    for path in (root / "pkg").iterdir():
        path.unlink()
    (root / "pkg").rmdir()
    first.files_changed([(root / "pkg", False)])
    await settle(first)
    assert first.symbols.stats()["files"] == 3  # the JavaScript files
    assert first.symbols.files_defining("name_1", "python") == []


async def test_a_save_right_after_an_edit_stores_the_names_the_file_has_then(tmp_path: Path, monkeypatch: Any) -> None:
    """The index behind a prompt may be a moment old; the names recorded on save (and kept with
    the file's new stamp for the next session) are the buffer's as saved: ``foo`` renamed to
    ``bar`` and saved within the index's two seconds was stored as ``foo``."""
    from deepseek_lsp.completion.feature import CompletionFeature

    root = tmp_path / "ws"
    write(root, {"a.py": "def foo(): pass\n", "b.py": "def other(): pass\n"})
    services = services_for(root)
    store = services.documents
    feature = CompletionFeature(services)
    feature.crawler.store = SymbolStore(tmp_path / "state")
    uri = (root / "a.py").as_uri()
    doc = store.open(uri, "def foo(): pass\n", "python", 1)
    feature.crawler.request(root / "a.py", "python")
    await settle(feature.crawler)
    assert feature.indexer.for_document(doc) is not None  # indexed now, as a request would
    store.change(uri, 2, [types.TextDocumentContentChangeWholeDocument(text="def bar(): pass\n")])
    (root / "a.py").write_text("def bar(): pass\n")
    feature.document_saved(doc)
    assert [p.name for p in feature.symbols.files_defining("bar", "python")] == ["a.py"]
    assert feature.symbols.files_defining("foo", "python") == []
    await feature.stop()


async def test_a_file_created_while_its_folder_is_listed_is_found_by_the_disk_check(tmp_path: Path, monkeypatch: Any) -> None:
    """plan() lists a folder and only then reads its modification time: a file created in
    between (a git checkout or a generator running as the editor starts) moves the folder's
    time before it is read, so the disk check never lists that folder again and the file never
    joins the table (until something else changes in that folder)."""
    monkeypatch.setattr(symbol_crawler, "SAVE_DELAY_S", 0.05)
    # The crawl's own listing is what is tested: the files near the one opened, listed at the
    # open, would find late.py if listed after it was created.
    monkeypatch.setattr(symbol_crawler, "NEAR_FILES", 0)
    root = tmp_path / "ws"
    write(root, {"a.py": "def alpha(): pass\n"})
    age(root)
    real_walk = os.walk

    def walk(top: Any, *args: Any, **kw: Any) -> Any:
        for folder, dirs, files in real_walk(top, *args, **kw):
            if Path(folder) == root and not (root / "late.py").exists():
                (root / "late.py").write_text("def late_name(): pass\n")  # just after the listing
            yield folder, dirs, files

    monkeypatch.setattr(workspace_symbols.os, "walk", walk)
    crawler = crawler_for(root, tmp_path / "state")
    crawler.request(root / "a.py", "python")
    await settle(crawler)
    monkeypatch.setattr(workspace_symbols.os, "walk", real_walk)
    assert crawler.symbols.stats()["files"] == 1  # late.py was not listed
    assert await crawler.check_disk() == 1
    await settle(crawler)
    assert [p.name for p in crawler.symbols.files_defining("late_name", "python")] == ["late.py"]


async def test_the_disk_check_walks_a_new_huge_folder_within_the_listing_budget(tmp_path: Path, monkeypatch: Any) -> None:
    """plan() stops listing after MAX_LISTED entries (a home folder opened as a workspace), but
    a big tree appearing later (a repository cloned or an archive unpacked into the workspace, a
    `pip install -t lib`) is walked whole by the disk check, every file becomes a 'created'
    event processed on the event loop, and every one of its folders is stat'ed at every check
    from then on."""
    monkeypatch.setattr(workspace_symbols, "MAX_LISTED", 50)
    root = tmp_path / "ws"
    write(root, {"a.py": "def alpha(): pass\n"})
    age(root)
    crawler = crawler_for(root, tmp_path / "state")
    crawler.request(root / "a.py", "python")
    await settle(crawler)
    for d in range(20):
        write(root, {f"clone/d{d}/m{i}.py": "x = 1\n" for i in range(10)})
    # plan() on the same tree stays within its budget...
    planned_folders: dict[Path, int] = {}
    crawler.symbols.plan([root], crawler.services.settings.exclude, [root / "a.py"], "python", planned_folders)
    assert len(planned_folders) <= 10
    # ... the disk check does not.
    found = await crawler.check_disk()
    key = next(iter(crawler._folders))
    assert found <= 50 + 10, found
    assert len(crawler._folders[key]) <= 50, len(crawler._folders[key])


def _git_repo(root: Path) -> None:
    import subprocess

    subprocess.run(["git", "init", "-q", str(root)], check=True)


def test_what_gitignore_leaves_out_is_not_indexed(tmp_path: Path) -> None:
    """Generated code a project ignores (``gen/``, ``*_pb2.py``, a nested ``.gitignore``, a
    negation) was crawled: its names took the file slots and made the project's own names
    "too common" (a generated stub defines each of them again)."""
    _git_repo(tmp_path)
    write(
        tmp_path,
        {
            ".gitignore": "gen/\n*_pb2.py\n",
            "app/service.py": "def handle(request): pass\n",
            "app/service_pb2.py": "def handle(request): pass\n",
            "gen/client.py": "def handle(request): pass\n",
            "web/.gitignore": "dist-local/\n!keep.py\n",
            "web/dist-local/bundle.py": "def handle(request): pass\n",
            "web/keep.py": "def keep(): pass\n",
        },
    )
    symbols = WorkspaceSymbols(REGISTRY)
    plan = sorted(p.relative_to(tmp_path).as_posix() for p in symbols.plan([tmp_path], DEFAULT_EXCLUDE, [tmp_path / "app/service.py"]))
    assert plan == ["app/service.py", "web/keep.py"]


def test_a_project_in_a_folder_an_enclosing_repository_ignores_is_indexed(tmp_path: Path) -> None:
    """A dotfiles repository in the home folder ignoring ``*`` ignores every project under it
    as git sees it from ``~``: a project opened there, its own repository or none, had no
    file indexed. The project's own rules, and a clone in a folder it ignores, still count."""
    home = tmp_path / "home"
    _git_repo(home)
    proj, notes = home / "src/proj", home / "notes"
    _git_repo(proj)
    _git_repo(proj / "third_party/lib")
    write(
        home,
        {
            ".gitignore": "*\n!.bashrc\n",
            "src/proj/.gitignore": "gen/\nthird_party/\n",
            "src/proj/app.py": "def app(): pass\n",
            "src/proj/gen/stub.py": "def app(): pass\n",
            "src/proj/third_party/lib/lib.py": "def lib(): pass\n",
            "notes/note.py": "def note(): pass\n",
        },
    )
    symbols = WorkspaceSymbols(REGISTRY)

    def plan(root: Path) -> list[str]:
        return [p.relative_to(root).as_posix() for p in symbols.plan([root], DEFAULT_EXCLUDE, [root / "_"])]

    assert plan(proj) == ["app.py"]
    assert plan(notes) == ["note.py"]
    assert plan(proj / "third_party/lib") == ["lib.py"]


async def test_a_file_created_in_a_project_an_enclosing_repository_ignores_is_indexed(
    tmp_path: Path, monkeypatch: Any
) -> None:
    """The file watcher's new file in a project under a dotfiles repository ignoring ``*``
    was taken as ignored, and never joined the table."""
    monkeypatch.setattr(symbol_crawler, "SAVE_DELAY_S", 0.05)
    home = tmp_path / "home"
    _git_repo(home)
    root = home / "proj"
    _git_repo(root)
    write(home, {".gitignore": "*\n", "proj/a.py": "def alpha(): pass\n"})
    crawler = crawler_for(root, tmp_path / "state")
    crawler.request(root / "a.py", "python")
    await settle(crawler)
    write(root, {"b.py": "def beta(): pass\n"})
    crawler.files_changed([(root / "b.py", True)])
    await settle(crawler)
    assert [p.name for p in crawler.symbols.files_defining("beta", "python")] == ["b.py"]


async def test_a_pattern_added_to_gitignore_unindexes_its_files_and_one_removed_indexes_them(
    tmp_path: Path, monkeypatch: Any
) -> None:
    """A pattern added to .gitignore while the server ran (the watcher tells of the file)
    left the files it now ignores in the table: their definitions went on being sent as
    context all session. A pattern removed, or the .gitignore deleted, never brought the files
    it had left out; nor did a .gitignore created in a subfolder take its files out."""
    monkeypatch.setattr(symbol_crawler, "SAVE_DELAY_S", 0.05)
    root = tmp_path / "ws"
    root.mkdir()
    _git_repo(root)
    write(
        root,
        {
            ".gitignore": "generated/\n",
            "a.py": "def alpha(): pass\n",
            "gen/stub.py": "def beta(): pass\n",
            "generated/out.py": "def gamma(): pass\n",
            "web/local.py": "def delta(): pass\n",
        },
    )
    crawler = crawler_for(root, tmp_path / "state")
    crawler.request(root / "a.py", "python")
    await settle(crawler)

    def where(name: str) -> list[str]:
        return [p.name for p in crawler.symbols.files_defining(name, "python")]

    assert (where("beta"), where("gamma"), where("delta")) == (["stub.py"], [], ["local.py"])

    write(root, {".gitignore": "gen/\n", "web/.gitignore": "local.py\n"})
    crawler.files_changed([(root / ".gitignore", True), (root / "web/.gitignore", True)])
    await settle(crawler)
    assert (where("alpha"), where("beta"), where("gamma"), where("delta")) == (["a.py"], [], ["out.py"], [])

    (root / ".gitignore").unlink()
    crawler.files_changed([(root / ".gitignore", False)])
    await settle(crawler)
    assert (where("beta"), where("gamma"), where("delta")) == (["stub.py"], ["out.py"], [])


async def test_a_gitignore_edited_without_a_watcher_is_found_by_the_disk_check(tmp_path: Path, monkeypatch: Any) -> None:
    """Neovim watches no files for the server: the disk check found the files changed, never
    the .gitignore, and the files it came to ignore stayed in the table."""
    monkeypatch.setattr(symbol_crawler, "SAVE_DELAY_S", 0.05)
    root = tmp_path / "ws"
    root.mkdir()
    _git_repo(root)
    monkeypatch.setattr(symbol_store, "SETTLE_NS", 0)
    write(root, {".gitignore": "\n", "a.py": "def alpha(): pass\n", "gen/stub.py": "def beta(): pass\n"})
    age(root)
    crawler = crawler_for(root, tmp_path / "state")
    crawler.request(root / "a.py", "python")
    await settle(crawler)
    assert [p.name for p in crawler.symbols.files_defining("beta", "python")] == ["stub.py"]

    write(root, {".gitignore": "gen/\n"})
    assert await crawler.check_disk() == 1
    await settle(crawler)
    assert crawler.symbols.files_defining("beta", "python") == []
    assert [p.name for p in crawler.symbols.files_defining("alpha", "python")] == ["a.py"]


async def test_a_file_created_where_gitignore_says_is_not_indexed(tmp_path: Path, monkeypatch: Any) -> None:
    """Files a code generator writes into an ignored folder, told by the watcher or found on
    disk, stay out as the crawl's do."""
    monkeypatch.setattr(symbol_crawler, "SAVE_DELAY_S", 0.05)
    root = tmp_path / "ws"
    root.mkdir()
    _git_repo(root)
    write(root, {".gitignore": "gen/\n", "a.py": "def alpha(): pass\n"})
    crawler = crawler_for(root, tmp_path / "state")
    crawler.request(root / "a.py", "python")
    await settle(crawler)
    write(root, {"gen/b.py": "def beta(): pass\n", "c.py": "def gamma(): pass\n", "gen/more/d.py": "def delta(): pass\n"})
    crawler.files_changed([(root / "gen/b.py", True), (root / "c.py", True), (root / "gen/more", True)])
    await settle(crawler)

    def where(name: str) -> list[str]:
        return [p.name for p in crawler.symbols.files_defining(name, "python")]

    assert (where("gamma"), where("beta"), where("delta")) == (["c.py"], [], [])


def test_a_listing_of_the_workspace_under_way_ends_at_its_next_folder_when_the_server_stops(tmp_path: Path) -> None:
    """The first crawl lists the workspace on a thread of the event loop's executor, and the
    process waits for that thread before it ends: after ``exit`` (an editor quitting, a
    :DeepSeekRestart) the server lived on for the whole listing of a large workspace, 2-4 s
    of site-packages here, and the restart waited for it, then killed it. Stopping the crawler
    now ends the listing at its next folder."""
    for i in range(30):
        (tmp_path / f"pkg{i:02}").mkdir()
        (tmp_path / f"pkg{i:02}" / "mod.py").write_text("def f():\n    return 1\n")
    crawler = crawler_for(tmp_path, tmp_path / "state")
    looked_at: list[Path] = []
    wanted = crawler.symbols._wanted

    def wanted_then_stop(path: Path, exclude: Any, want: Any) -> bool:
        looked_at.append(path)
        crawler.halt()  # the server stops while the listing is under way
        return wanted(path, exclude, want)

    crawler.symbols._wanted = wanted_then_stop  # type: ignore[method-assign]
    planned = crawler.symbols.plan([tmp_path], DEFAULT_EXCLUDE, [tmp_path / "pkg00" / "mod.py"], "python")
    assert planned == [] and len(looked_at) == 1


def test_the_files_near_one_opened_are_found_without_looking_at_a_whole_big_folder(
    tmp_path: Path, monkeypatch: Any
) -> None:
    """A file opened in (or just above) a folder of thousands of files (generated code, a
    data set's scripts): every one of them was looked at to pick the 16 indexed at the open
    (50,000: 6-10 s of a core, the crawl and the requests sharing it), and every subfolder
    below was listed after the budget was spent."""
    root = tmp_path / "ws"
    write(root, {"main.py": "import gen\n"})
    write(root, {f"gen/m{i:04d}.py": f"def f{i}(): pass\n" for i in range(1200)})
    write(root, {f"gen/sub{i}/x.py": "def x(): pass\n" for i in range(5)})
    crawler = crawler_for(root, tmp_path / "state")
    looked: list[Path] = []
    accepts = crawler.symbols.accepts

    def counted(path: Path, *args: Any) -> bool:
        looked.append(path)
        return accepts(path, *args)

    monkeypatch.setattr(crawler.symbols, "accepts", counted)
    for opened in (root / "gen/m0001.py", root / "main.py"):
        looked.clear()
        near = crawler._near_files(opened, (root,), "python")
        assert len(near) == symbol_crawler.NEAR_FILES and opened not in near
        assert all(p.suffix == ".py" and p.is_relative_to(root / "gen") for p in near)
        assert len(looked) <= symbol_crawler.NEAR_LISTED, (opened.name, len(looked))


async def test_the_files_near_one_opened_through_a_linked_folder_are_not_indexed(
    tmp_path: Path,
) -> None:
    """A folder of the workspace that is a link (to ``~``, another checkout): the crawl never
    follows it, but a file opened through it had its neighbours indexed at its open."""
    root, elsewhere = tmp_path / "ws", tmp_path / "elsewhere"
    write(root, {"main.py": "def main(): pass\n"})
    write(elsewhere, {"a.py": "def opened(): pass\n", "b.py": "def outside_name(): pass\n"})
    (root / "ext").symlink_to(elsewhere, target_is_directory=True)
    crawler = crawler_for(root, tmp_path / "state")
    crawler.request(root / "ext/a.py", "python")
    await settle(crawler)
    assert crawler.symbols.files_defining("main", "python")  # the crawl ran
    assert crawler.symbols.files_defining("outside_name", "python") == []


def test_the_digests_asked_while_they_are_worked_out_are_whole(monkeypatch: Any) -> None:
    """The files near an opened document read the store off the event loop while the crawl
    reads it too: a call made while another was working the digests out got the half-filled
    table, the store was saved or checked without Python's digest, and the next session parsed
    every file again (``fromStore`` 0 of 4, one run in fifteen)."""
    symbols = WorkspaceSymbols(REGISTRY)
    version = metadata.version  # imported by digests() as it first works them out, not at the start
    seen: list[dict[str, str]] = []
    raced = False

    def racing(package: str) -> str:
        nonlocal raced
        if not raced:  # another caller, while the first is still at its first language
            raced = True
            seen.append(dict(symbols.digests()))
        return version(package)

    monkeypatch.setattr(metadata, "version", racing)
    whole = symbols.digests()
    assert seen and seen[0] == whole == DIGESTS


def opened(crawler: SymbolCrawler, path: Path) -> None:
    """``path`` opened in the editor: the document, then the crawler asked, as on didOpen."""
    crawler.services.documents.open(path.as_uri(), path.read_text(), "python", 1)
    crawler.request(path, "python")


async def open_in_short_lived_folders(crawler: SymbolCrawler, parent: Path, count: int, back_to: Path) -> None:
    """A file opened in each of ``count`` new folders under ``parent``, the user back beside
    ``back_to`` (open all along: a file of its folder opened) after each, and each folder
    deleted once the crawler is done with it and its file closed."""
    for i in range(count):
        folder = parent / f"out{i}"
        write(folder, {"gen.py": f"def gen_{i}(): pass\n"})
        opened(crawler, folder / "gen.py")
        write(back_to.parent, {f"step_{i}.py": f"def step_{i}(): pass\n"})
        opened(crawler, back_to.parent / f"step_{i}.py")
        await settle(crawler)
        crawler.services.documents.close((folder / "gen.py").as_uri())
        (folder / "gen.py").unlink()
        folder.rmdir()

async def test_the_folders_whose_near_files_were_indexed_are_not_kept_for_the_whole_session(
    tmp_path: Path, monkeypatch: Any
) -> None:
    """Each folder a file was opened in was kept all session, so that its near files were
    listed once: a file opened in each of the short-lived folders a session makes (a build's
    output, a checkout of a diff's other side, a generator's run) left its folder there for
    good (a soak: 43 folders after 168 opens, 20 of them gone from disk). A folder opened in
    again while the user works in it is still not listed twice (the control)."""
    root = tmp_path / "ws"
    write(root, {"main.py": "def main(): pass\n"})
    crawler = crawler_for(root, tmp_path / "state")
    listed: list[Path] = []
    near_files = crawler._near_files

    def counted(path: Path, *args: Any) -> list[Path]:
        listed.append(path.parent)
        return near_files(path, *args)

    monkeypatch.setattr(crawler, "_near_files", counted)
    opened(crawler, root / "main.py")
    await settle(crawler)
    await open_in_short_lived_folders(crawler, root, 300, root / "main.py")
    assert listed.count(root) == 1
    assert len(crawler._near_folders) <= 2  # main.py's and the last one's, left since


async def test_a_folder_left_and_opened_in_again_has_its_files_made_meanwhile_indexed_at_the_open(
    tmp_path: Path,
) -> None:
    """The user closes the files of a folder, a generator (a checkout, a build) writes new
    ones there, and a file of it is opened again: its folder was remembered as listed (until
    256 others were), and the new files' names waited for the crawl, after the user's pause.
    A folder no document is open in any more is forgotten; one still open in is not listed
    again (the control: a second file opened beside an open one)."""
    root = tmp_path / "ws"
    write(root, {"app/a.py": "def opened(): pass\n", "app/b.py": "def helper_b(): pass\n"})
    # The user typing all along: the crawl waits, what is indexed is the open's.
    crawler = SymbolCrawler(services_for(root), WorkspaceSymbols(REGISTRY), lambda: math.inf)
    crawler.store = SymbolStore(tmp_path / "state")
    listed: list[Path] = []
    near_files = crawler._near_files

    def counted(path: Path, *args: Any) -> list[Path]:
        listed.append(path)
        return near_files(path, *args)

    crawler._near_files = counted  # type: ignore[method-assign]
    try:
        opened(crawler, root / "app/a.py")
        await near_indexed(crawler)
        opened(crawler, root / "app/b.py")  # beside a.py, open: not listed again
        await near_indexed(crawler)
        assert listed == [root / "app/a.py"]
        for name in ("a.py", "b.py"):
            crawler.services.documents.close((root / "app" / name).as_uri())
        write(root, {"app/made.py": "def made_meanwhile(): pass\n"})
        opened(crawler, root / "app/a.py")
        await near_indexed(crawler)
        assert crawler.symbols.files_defining("made_meanwhile", "python") == [root / "app/made.py"]
    finally:
        await crawler.stop()


async def test_the_crawls_of_folders_deleted_since_are_given_up_without_workspace_folders(
    tmp_path: Path,
) -> None:
    """An editor without workspace folders (a single file, a difftool's checkout): each file's
    own folder is crawled, and a crawl kept its files in the table and its folders looked at on
    disk all session after its folder was deleted (a soak: a crawl more for each short-lived
    folder a file was opened in). The folder the user works in keeps its crawl (the control)."""
    work = tmp_path / "work"
    write(work, {"main.py": "def main(): pass\n"})
    crawler = crawler_for(work, tmp_path / "state")
    crawler.services.workspace_folders = []
    crawler.request(work / "main.py", "python")
    await settle(crawler)
    await open_in_short_lived_folders(crawler, tmp_path, 100, work / "main.py")
    assert [p.name for p in crawler.symbols.files_defining("main", "python")] == ["main.py"]
    assert len(crawler._asked) <= 2 and crawler.symbols.stats()["files"] <= 2


async def near_indexed(crawler: SymbolCrawler) -> None:
    """Until the files near the documents opened are indexed (the crawl itself may wait)."""
    for _ in range(500):
        task = crawler._tasks.get("near")
        if task is None or task.done():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the files near the documents opened were not indexed")


@pytest.mark.parametrize("failure", ["store locked", "folder unreadable"])
async def test_a_folder_whose_near_files_could_not_be_read_is_read_at_the_next_open(
    tmp_path: Path, monkeypatch: Any, failure: str
) -> None:
    """The files near one opened, not read once (the store locked by another window's save,
    sqlite's "database is locked"; the folder not listable yet, a mount coming up): the folder
    was kept as done, and a file opened there again had none of its neighbours' names until
    the crawl reached them, after the user's pause; a store's failure ended the indexing of
    every folder opened in after it too. Read at the next open, the others read meanwhile."""
    root = tmp_path / "ws"
    write(root, {
        "lib/a.py": "def opened(): pass\n", "lib/b.py": "def helper_b(): pass\n",
        "app/c.py": "def other(): pass\n", "app/d.py": "def helper_d(): pass\n",
    })
    # The user typing all along: the crawl waits, what is indexed is the open's.
    crawler = SymbolCrawler(services_for(root), WorkspaceSymbols(REGISTRY), lambda: math.inf)
    crawler.store = SymbolStore(tmp_path / "state")
    fails = [True]
    if failure == "store locked":
        read = crawler._near_stored

        def locked(*args: Any) -> Any:
            if fails and fails.pop():
                raise sqlite3.OperationalError("database is locked")
            return read(*args)

        monkeypatch.setattr(crawler, "_near_stored", locked)
    else:
        scandir = os.scandir

        def unlistable(folder: Any) -> Any:
            listed = not isinstance(folder, int) and Path(folder) == root / "lib"  # (or an fd)
            if listed and fails and fails.pop():
                raise PermissionError(13, "Permission denied", str(folder))
            return scandir(folder)

        monkeypatch.setattr(symbol_crawler.os, "scandir", unlistable)
    try:
        crawler.request(root / "lib/a.py", "python")
        crawler.request(root / "app/c.py", "python")
        await near_indexed(crawler)
        assert crawler.symbols.files_defining("helper_d", "python")  # after the failure
        assert crawler.symbols.files_defining("helper_b", "python") == []
        crawler.request(root / "lib/a.py", "python")
        await near_indexed(crawler)
        assert crawler.symbols.files_defining("helper_b", "python") == [root / "lib/b.py"]
    finally:
        await crawler.stop()
