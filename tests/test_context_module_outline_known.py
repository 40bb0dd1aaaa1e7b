"""Known misses of the module outline at a module's dot (``context.module_outline``): a module
bound again at the module's level, a package's dot before its imported submodule's, Lua's
colon and its other ways to require, a CommonJS module's default import, a Go package's other file
changed on disk."""

from __future__ import annotations

import os
import time
from functools import partial
from pathlib import Path

import pytest
from lsprotocol import types

from deepseek_lsp import imports
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import inline_params, insert, lsp_session, open_doc, server_env
from tests.test_context_module_outline import PY_OUTLINE, STORE_LUA, STORE_PY
from tests.test_context_receivers import prompts_while_typing
from tests.test_workspace_symbols import gather, table_of, write

CJS = "function get(key) {\n  return key;\n}\nfunction put(key, v) {\n  return v;\n}\nmodule.exports = { get, put };\n"
PKG_INIT = "def connect(url: str) -> None:\n    pass\n"
LEAF = "def leaf_only(x):\n    return x\n"
WORKSPACE = {
    "app/__init__.py": "",
    "app/store.py": STORE_PY,
    "store.py": STORE_PY,
    "a/__init__.py": "",
    "a/b/__init__.py": PKG_INIT,
    "a/b/c.py": LEAF,
    "web/m.js": CJS,
    "lua/app/store.lua": STORE_LUA,
}


def _sent(tmp_path: Path, rel: str, text: str, language: str) -> str:
    write(tmp_path, WORKSPACE)
    return "\n".join(s.text for s in gather(tmp_path, rel, text, None, language=language))


# ---------------------------------------------------------------- bound again at the module's level


@pytest.mark.parametrize(
    ("text", "outlined"),
    [
        ("import store\n\nstore = Store()\n\ndef run():\n    store.", False),
        ("import store\nstore = Store()\nstore.", False),
        ("from app import store\n\nstore = store.Store()\n\n\ndef run():\n    store.", False),
        # Bound by a loop, a with, a walrus at the module's level (found before a65de1b).
        ("import store\n\nfor store in stores():\n    pass\n\ndef run():\n    store.", False),
        ("import store\n\nwith open_store() as store:\n    pass\n\ndef run():\n    store.", False),
        ("import store\n\nif (store := pick()):\n    pass\n\ndef run():\n    store.", False),
        # Unpacked in brackets (``store, other =`` was found already).
        ("import store\n\n(store, other) = pair()\n\ndef run():\n    store.", False),
        ("import store\n\n[other, store] = pair()\n\ndef run():\n    store.", False),
        ("import store\n\nstore, other = pair()\n\ndef run():\n    store.", False),
        # Controls: bound before the import, or another name bound.
        ("store = None\nimport store\n\ndef run():\n    store.", True),
        ("import store\n\nother = Store()\n\ndef run():\n    store.", True),
        ("import store\n\nclass K:\n    store = 1\n\ndef run():\n    store.", True),
        # Not a binding: a keyword argument of a call over lines, a string's or comment's line.
        ("import store\n\napp = make_app(\n    store=store,\n)\n\ndef run():\n    store.", True),
        ("import store\n\napp = make_app(\n    store, debug=True)\n\ndef run():\n    store.", True),
        ("import store\n\nUSAGE = \"\"\"\nstore = the store to use\n\"\"\"\n\ndef run():\n    store.", True),
    ],
)
def test_a_module_bound_again_at_the_modules_level_has_no_outline(tmp_path: Path, text: str, outlined: bool) -> None:
    """``import store`` then ``store = Store()``: ``store.`` is the Store's, the module's
    ``put`` was sent for it."""
    sent = _sent(tmp_path, "main.py", text, "python")
    assert ("\n".join(PY_OUTLINE[1:]) in sent) == outlined, sent


def test_a_js_module_bound_again_at_the_modules_level_has_no_outline(tmp_path: Path) -> None:
    text = "let m = require('./m.js')\nm = makeStore();\nfunction f() {\n  m."
    files = {**WORKSPACE, "web/m.js": "export function get(key) {\n  return key;\n}\n"}
    write(tmp_path, files)
    sent = "\n".join(s.text for s in gather(tmp_path, "web/main.js", text, None, language="javascript"))
    assert "function get(key) …" not in sent, sent


def test_a_js_modules_assignment_in_a_comment_or_template_is_no_binding(tmp_path: Path) -> None:
    """Control: ``store = 1`` on a block comment's line or a template literal's binds nothing."""
    text = "const m = require('./m.js')\n/*\nm = makeStore()\n*/\nconst s = `\nm = 1\n`\nfunction f() {\n  m."
    write(tmp_path, WORKSPACE)
    sent = "\n".join(s.text for s in gather(tmp_path, "web/main.js", text, None, language="javascript"))
    assert "function get(key) …" in sent, sent


# ---------------------------------------------------------------- a package before its submodule


def test_a_packages_dot_before_its_imported_submodule_is_the_packages(tmp_path: Path) -> None:
    """``import a.b.c`` then ``a.b.``: the package ``a.b``'s names, not ``a.b.c``'s."""
    sent = _sent(tmp_path, "main.py", "import a.b.c\n\ndef run():\n    a.b.", "python")
    assert "def leaf_only(x): …" not in sent, sent
    assert "def connect(url: str) -> None: …" in sent, sent
    # The submodule's dot still has its own.
    sent = _sent(tmp_path, "main.py", "import a.b.c\n\ndef run():\n    a.b.c.", "python")
    assert "def leaf_only(x): …" in sent, sent


# ---------------------------------------------------------------- a CommonJS module's default import


@pytest.mark.parametrize(
    "head",
    ["import m from './m.js'\n", "import m from './m'\n"],
)
def test_a_commonjs_modules_default_import_has_its_outline(tmp_path: Path, head: str) -> None:
    """``module.exports = { get, put }`` imported as ``import m from './m.js'``: ``m.`` is
    that object, whose members are the file's functions."""
    sent = _sent(tmp_path, "web/main.js", head + "function f() {\n  m.", "javascript")
    assert "function get(key) …" in sent and "function put(key, v) …" in sent, sent


def test_an_es_modules_default_class_is_no_module(tmp_path: Path) -> None:
    """Control: a default export named (a class) is that class's, not the file's outline."""
    files = {**WORKSPACE, "web/m.js": "export function helper() {}\nexport default class Store {\n  get() {}\n}\n"}
    write(tmp_path, files)
    sent = "\n".join(
        s.text for s in gather(tmp_path, "web/main.js", "import m from './m.js'\nfunction f() {\n  m.", None, language="javascript")
    )
    assert "function helper() …" not in sent and "function helper() {}" not in sent, sent
# ---------------------------------------------------------------- Lua


LUA_OUTLINE_LINE = "function M.get(key) …"


@pytest.mark.parametrize(
    "text",
    [
        "local store = require('app.store')\nlocal function f()\n  store:",
        'local store = require "app.store"\nlocal function f()\n  store.',
        "local store = require 'app.store'\nlocal function f()\n  store.",
        "local function f()\n  require('app.store').",
        'local function f()\n  return require("app.store"):',
    ],
)
def test_lua_modules_outline_at_its_colon_and_other_requires(tmp_path: Path, text: str) -> None:
    sent = _sent(tmp_path, "lua/main.lua", text, "lua")
    assert LUA_OUTLINE_LINE in sent, sent


def test_a_lua_module_table_of_the_same_file_has_its_outline(tmp_path: Path) -> None:
    """``local M = {}`` and ``function M.get`` in the file typed, out of the window's sight:
    ``M.`` further down has them."""
    filler = "".join(f"local function h{i}(a)\n  return a + {i}\nend\n\n" for i in range(300))
    text = STORE_LUA.removesuffix("return M\n") + filler + "function M.run()\n  M."
    sent = _sent(tmp_path, "lua/main.lua", text, "lua")
    assert "function M.put(key, value) end" in sent, sent


def test_a_lua_modules_colon_methods_are_in_its_outline(tmp_path: Path) -> None:
    """``function M:put()`` is the module table's, called ``store:put()``: not left out as a
    class's method."""
    files = {**WORKSPACE, "lua/app/store.lua": "local M = {}\n\nfunction M:put(key, value)\n  self[key] = value\nend\n\nreturn M\n"}
    write(tmp_path, files)
    text = "local store = require('app.store')\nlocal function f()\n  store:"
    sent = "\n".join(s.text for s in gather(tmp_path, "lua/main.lua", text, None, language="lua"))
    assert "function M:put(key, value) …" in sent, sent


def test_no_lua_outline_in_a_string_or_for_another_table(tmp_path: Path) -> None:
    for text in ("local function f()\n  -- require(\"app.store\").", "local N = {}\nlocal function f()\n  N."):
        assert LUA_OUTLINE_LINE not in _sent(tmp_path, "lua/main.lua", text, "lua"), text


@pytest.mark.parametrize(
    ("main", "typed"),
    [
        ("local store = require('store')\n\nlocal function f()\n  \nend\n", "store:"),
        ("local function f()\n  \nend\n", "require('store')."),
    ],
)
async def test_the_prompt_at_a_lua_modules_colon_or_required_dot_carries_its_outline(
    tmp_path: Path, main: str, typed: str
) -> None:
    """Over stdio, as typed: at ``store:`` and ``require('store').`` the snippets are chosen
    anew and the prompt has the module's functions; before, it had none of them."""
    files = {"store.lua": STORE_LUA, "main.lua": main}
    prompts = await prompts_while_typing(tmp_path, files, [("main.lua", "lua")], (main.count("\n") - 2, 2), typed)
    assert LUA_OUTLINE_LINE not in prompts[0], prompts[0]
    assert LUA_OUTLINE_LINE in prompts[1], prompts[1]


# ---------------------------------------------------------------- a Go package's other file changed

GO_FILES = {
    "go.mod": "module example.com/m\n",
    "shapes/a.go": "package shapes\n\nfunc Area(side int) int {\n\treturn side * side\n}\n",
    "shapes/b.go": "package shapes\n\nfunc Perimeter(side int) int {\n\treturn 4 * side\n}\n",
    "main.go": 'package main\n\nimport "example.com/m/shapes"\n\nfunc main() {\n\t\n}\n',
}
VOLUME = "func Volume(side int) int {\n\treturn side * side * side\n}\n"


@pytest.mark.parametrize("where", ["disk", "editor", "new file", "new file unwatched"])
async def test_a_go_packages_outline_follows_its_other_file_at_once(tmp_path: Path, where: str) -> None:
    """At ``shapes.`` the outline has both files' functions; ``b.go`` then given a ``Volume``
    (rewritten on disk, or edited in its open buffer, unsaved), or a new file ``c.go`` with
    it (the editor told, or not: Neovim watches no files unless asked, a file written by a
    generator or ``git checkout`` in a folder the editor does not watch): the next request at
    the same dot has it, not the outline kept for the prefix cache (up to 30 s)."""
    root = tmp_path / "ws"
    write(root, GO_FILES)
    uri, b_uri = (root / "main.go").as_uri(), (root / "shapes/b.go").as_uri()
    with FakeDeepSeek() as fake:
        fake.responder(lambda body: "")
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path / "state"))
        # (A time box the load cannot spend before the new file is read: its freshness is tested.)
        completion = {"debounce": 0, "prefetch": False, "cache": False, "contextTimeoutMs": 2000}
        async with lsp_session(env, settings={"completion": completion}, root=str(root)) as client:
            if where == "editor":
                open_doc(client, b_uri, GO_FILES["shapes/b.go"], "go")
            open_doc(client, uri, GO_FILES["main.go"], "go")
            assert (await table_of(client, 3))["files"] == 3
            insert(client, uri, 2, 5, 1, "shapes.")
            await client.text_document_inline_completion_async(inline_params(uri, 5, 8))
            if where == "disk":
                (root / "shapes/b.go").write_text(GO_FILES["shapes/b.go"] + "\n" + VOLUME)
            elif where == "new file":  # as VS Code tells it
                (root / "shapes/c.go").write_text("package shapes\n\n" + VOLUME)
                created = types.FileEvent(uri=(root / "shapes/c.go").as_uri(), type=types.FileChangeType.Created)
                client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[created]))
            elif where == "new file unwatched":
                (root / "shapes/c.go").write_text("package shapes\n\n" + VOLUME)
            else:
                insert(client, b_uri, 2, 5, 0, "\n" + VOLUME)
            await client.text_document_inline_completion_async(inline_params(uri, 5, 8))
            prompts = [r.json["prompt"] for r in fake.requests_to("/beta/completions")]
    assert len(prompts) == 2, prompts
    assert "func Perimeter(side int) int …" in prompts[0] and "Volume" not in prompts[0], prompts[0]
    assert "func Volume(side int) int …" in prompts[1], prompts[1]


def test_a_go_packages_file_created_unwatched_is_resolved_at_once(tmp_path: Path) -> None:
    """A Go file created in an imported package, with no watch event: the package's files were
    kept their 5 s as resolved before it (forgotten only at an event), and the outline made
    from them, stamped with the folder's new time, kept for 30 s. Where the time box cuts the
    new resolution short, it is pending (the context not kept), not the old answer given."""
    write(tmp_path, GO_FILES)
    source, doc = ["example.com/m/shapes"], tmp_path / "main.go"
    past = time.time_ns() - 60 * 10**9  # (no change within a clock tick: a folder's time tells)
    for folder in (tmp_path, tmp_path / "shapes"):
        os.utime(folder, ns=(past, past))
    resolve = partial(imports.resolve_local_imports_cached, source, doc, [tmp_path], "go", None)
    assert [p.name for p in resolve()] == ["a.go", "b.go"]
    (tmp_path / "shapes/c.go").write_text("package shapes\n\n" + VOLUME)
    resolve(deadline=time.monotonic() - 1)  # the box spent
    assert imports.resolution_pending(source, doc, [tmp_path], "go", None)
    assert [p.name for p in resolve()] == ["a.go", "b.go", "c.go"]


# ---------------------------------------------------------------- a default import's dot, half typed on


async def test_a_default_imports_dot_half_typed_on_brings_the_member_it_may_become(tmp_path: Path) -> None:
    """Over stdio, typing ``React.use`` after ``import React from 'react'`` (a package's default,
    no module of the workspace), another open file's class having a ``useStore``: since
    79a2ba3 every default import counted as a module at its dot, and the snippets chosen at
    ``React.`` were kept without ``useStore``, which the word half typed may become (a
    CommonJS module's dot is outlined instead, tested above)."""
    hooks = "export class Hooks {\n  useStore(key) {\n    return key\n  }\n}\n"
    main = "import React from 'react'\n\nfunction App() {\n  \n}\n"
    files = {"web/hooks.js": hooks, "web/main.js": main}
    opened = [("web/hooks.js", "javascript"), ("web/main.js", "javascript")]
    prompts = await prompts_while_typing(tmp_path, files, opened, (3, 2), "React.", "u", "s", "e")
    assert "useStore(key)" not in prompts[1], prompts[1]  # at the dot: no word yet
    assert "useStore(key)" in prompts[-1], prompts[-1]


def test_a_go_resolution_is_made_again_once_a_recent_folder_time_settles_not_at_each_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A save in the document's folder (Neovim's ``writebackup`` writes and deletes ``main.go~``
    there at each ``:w``) left its time too recent to tell by for 2 s: every request made the
    resolution anew (40 imported packages: 246 stats and 51 folder listings, ~28 ms a key).
    Now once at the change and once when the time has settled (a file added in the same clock
    tick, unseen until then, is found there)."""
    write(tmp_path, GO_FILES)
    source, doc = ["example.com/m/shapes"], tmp_path / "main.go"
    past = time.time_ns() - 60 * 10**9
    for folder in (tmp_path, tmp_path / "shapes"):
        os.utime(folder, ns=(past, past))
    made: list[str] = []
    real = imports.cached.resolve_local_import
    monkeypatch.setattr(imports.cached, "resolve_local_import", lambda *a: made.append(a[0]) or real(*a))
    resolve = partial(imports.resolve_local_imports_cached, source, doc, [tmp_path], "go", None)
    assert [p.name for p in resolve()] == ["a.go", "b.go"]
    (tmp_path / "main.go~").write_text("x")
    (tmp_path / "main.go~").unlink()
    made.clear()
    for _key in range(5):
        assert [p.name for p in resolve()] == ["a.go", "b.go"]
    assert made.count(source[0]) == 1, made
    # A file added in the same tick as the folder's last change: its time tells nothing.
    shapes = tmp_path / "shapes"
    os.utime(shapes, ns=(time.time_ns(), time.time_ns()))
    assert [p.name for p in resolve()] == ["a.go", "b.go"]
    stamp = shapes.stat().st_mtime_ns
    (shapes / "c.go").write_text("package shapes\n\n" + VOLUME)
    os.utime(shapes, ns=(stamp, stamp))
    made.clear()
    assert [p.name for p in resolve()] == ["a.go", "b.go"]
    assert made.count(source[0]) == 0
    monkeypatch.setattr(imports.cached, "racy", lambda _t: False)  # 2 s on
    assert [p.name for p in resolve()] == ["a.go", "b.go", "c.go"]
    assert [p.name for p in resolve()] == ["a.go", "b.go", "c.go"]
    assert made.count(source[0]) == 1
