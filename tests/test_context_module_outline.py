"""At a module's dot (``store.|``), the member still to be typed, the prompt carries the outline
of the module imported whole: its public top-level definitions' signatures
(``context.module_outline``), as a class's receiver's dot carries its class."""

from __future__ import annotations

from pathlib import Path

import pytest

from deepseek_lsp.context import module_outline as module_outline_module
from deepseek_lsp.context.index import FileIndex, index_tree
from deepseek_lsp.context.module_outline import MAX_MODULE_LINES, SHORTER_LINES, module_outline
from deepseek_lsp.privacy import redact
from tests.test_context_receivers import prompts_while_typing
from tests.test_workspace_symbols import REGISTRY, gather, write

STORE_PY = (
    '"""Items by key."""\nimport json\n\nTIMEOUT = 5\n\n\nclass Store:\n'
    "    def get(self, key):\n        return None\n\n\n"
    'def get(key: str) -> "Item | None":\n    """The item."""\n    return _items.get(key)\n\n\n'
    'def put(key: str,\n        item: "Item") -> None:\n    _items[key] = item\n\n\n'
    "def _private():\n    def nested():\n        pass\n"
)
IDENTITY_JS = (
    "export function isScalar(node) {\n  return true;\n}\n\n"
    "export const SCALAR = Symbol('scalar');\n\nfunction _hidden() {}\n\nfunction helper() {}\n"
)
STORE_LUA = (
    "local M = {}\n\nlocal function helper() end\n\n"
    "function M.get(key)\n  return helper(key)\nend\n\nfunction M.put(key, value)\nend\n\nreturn M\n"
)
SHAPES_GO = (
    "package shapes\n\ntype Square struct {\n\tSide int\n}\n\n"
    "func Area(s Square) int {\n\treturn s.Side * s.Side\n}\n\n"
    "func helper() {}\n\nfunc (s Square) Scale(k int) Square {\n\treturn s\n}\n"
)
PY_OUTLINE = [
    "TIMEOUT = 5",
    "class Store: …",
    'def get(key: str) -> "Item | None": …',
    'def put(key: str, item: "Item") -> None: …',
]
WORKSPACE = {
    "app/__init__.py": "",
    "app/store.py": STORE_PY,
    "web/identity.js": IDENTITY_JS,
    "lua/app/store.lua": STORE_LUA,
    "go.mod": "module example.com/m\n",
    "shapes/shapes.go": SHAPES_GO,
}


def _index(language: str, text: str) -> FileIndex:
    lang = REGISTRY.get(language)
    assert lang is not None
    data = text.encode()
    return index_tree(lang, lang.parser().parse(data), data, "m")


def _modules(language: str, text: str) -> dict[str, list[str]]:
    return _index(language, text).modules


# ---------------------------------------------------------------- which names are modules


def test_the_names_bound_to_a_module_as_a_whole_per_language() -> None:
    python = (
        "from app import store\nimport app.db\nimport app.cache as cache\n"
        "from . import util as u\nfrom app.store import get as g\n"
    )
    assert _modules("python", python) == {
        "store": ["app.store"],
        "app.db": ["app.db"],
        "app": ["app"],  # (``import app.db`` imports the package too)
        "cache": ["app.cache"],
        "u": [".util"],
        "g": ["app.store.get"],  # (no such file: a name, not a module, at the request)
    }
    js = (
        "import * as identity from './identity'\nconst lru = require('./lru')\n"
        "const { a } = require('./x')\nimport fmt from './format'\nimport { b } from './y'\n"
    )
    # A default import and destructured names are no module.
    assert _modules("javascript", js) == {"identity": ["./identity"], "lru": ["./lru"]}
    assert _modules("typescript", "import m = require('./m')\n") == {"m": ["./m"]}
    assert _modules("lua", "local store = require('app.store')\nrequire('side')\n") == {"store": ["app.store"]}
    go = (
        'package main\nimport (\n\t"example.com/m/shapes"\n\tsq "example.com/m/square"\n'
        '\t"gopkg.in/yaml.v3"\n\t"github.com/go-chi/chi/v5"\n\t_ "example.com/m/side"\n)\n'
    )
    assert _modules("go", go) == {
        "shapes": ["example.com/m/shapes"],
        "sq": ["example.com/m/square"],
        "yaml": ["gopkg.in/yaml.v3"],
        "chi": ["github.com/go-chi/chi/v5"],
    }


# ---------------------------------------------------------------- the outline


@pytest.mark.parametrize(
    ("language", "text", "lines"),
    [
        ("python", STORE_PY, PY_OUTLINE),
        ("javascript", IDENTITY_JS, ["function isScalar(node) …", "const SCALAR = Symbol('scalar');"]),
        ("lua", STORE_LUA, ["function M.get(key) …", "function M.put(key, value) end"]),
        ("go", SHAPES_GO, ["type Square struct …", "func Area(s Square) int …"]),
    ],
)
def test_an_outline_is_the_public_top_level_definitions_a_line_each(
    language: str, text: str, lines: list[str]
) -> None:
    """Methods, nested functions, ``_private`` names, Lua's ``local`` and Go's lower-case ones
    are left out; bodies are `` …``; decorators and multi-line signatures make one line."""
    outline = module_outline("m", [_index(language, text)], language)
    assert outline is not None
    assert outline.text.splitlines() == lines
    got = lines
    assert not any("helper" in line or "_private" in line or "nested" in line for line in got)
    assert not any("Scale" in line or "def get(self" in line for line in got)


def test_a_commonjs_modules_top_level_functions_are_all_listed() -> None:
    """No ``export`` in it (yaml's compiled files: ``exports.isScalar = isScalar``): each of
    its top-level functions may be what it exports."""
    text = "function isScalar(n) {\n  return 1;\n}\nfunction toJSON(v) {\n  return v;\n}\nexports.isScalar = isScalar;\n"
    outline = module_outline("m", [_index("javascript", text)], "javascript")
    assert outline is not None
    assert outline.text.splitlines() == ["function isScalar(n) …", "function toJSON(v) …"]


def test_a_long_module_is_cut_with_shorter_forms_for_less_room() -> None:
    text = "".join(f"def f{i}(a, b):\n    return a\n\n" for i in range(40))
    outline = module_outline("m", [_index("python", text)], "python")
    assert outline is not None
    lines = outline.text.splitlines()
    assert len(lines) == MAX_MODULE_LINES + 1 and lines[-1] == "…"
    assert lines[0] == "def f0(a, b): …"
    assert outline.shorter and len(outline.shorter[0].splitlines()) == SHORTER_LINES + 1
    assert outline.signature.splitlines()[:4] == lines[:4]


def test_a_module_with_nothing_public_has_no_outline() -> None:
    assert module_outline("m", [_index("python", "def _a():\n    pass\n")], "python") is None


# ---------------------------------------------------------------- at the dot, per language


@pytest.mark.parametrize(
    ("rel", "text", "language", "wanted"),
    [
        ("main.py", "from app import store\n\ndef run():\n    store.", "python", PY_OUTLINE),
        ("main.py", "import app.store as st\n\ndef run():\n    st.ge", "python", PY_OUTLINE),
        ("main.py", "import app.store\n\ndef run():\n    app.store.", "python", PY_OUTLINE),
        (
            "web/main.js",
            "import * as identity from './identity'\nfunction f() {\n  identity.",
            "javascript",
            ["function isScalar(node) …"],
        ),
        (
            "web/main.js",
            "const identity = require('./identity')\nfunction f() {\n  identity.",
            "javascript",
            ["function isScalar(node) …"],
        ),
        (
            "lua/main.lua",
            "local store = require('app.store')\nlocal function f()\n  store.",
            "lua",
            ["function M.get(key) …"],
        ),
        (
            "cmd/main.go",
            'package main\n\nimport "example.com/m/shapes"\n\nfunc main() {\n\tshapes.',
            "go",
            ["type Square struct …", "func Area(s Square) int …"],
        ),
    ],
)
def test_the_modules_outline_comes_first_at_its_dot(
    tmp_path: Path, rel: str, text: str, language: str, wanted: list[str]
) -> None:
    write(tmp_path, WORKSPACE)
    snippets = gather(tmp_path, rel, text, None, language=language)
    assert snippets, text
    first = min(snippets, key=lambda s: s.rank)
    for line in wanted:
        assert line in first.text.splitlines(), first.text


def test_the_outline_is_the_same_at_each_key_after_the_dot(tmp_path: Path) -> None:
    """The prompt's head stays the same bytes while the member is typed (prefix cache)."""
    write(tmp_path, WORKSPACE)
    head = "from app import store\n\ndef run():\n    "
    texts = [[s.text for s in gather(tmp_path, "main.py", head + typed, None)] for typed in ("store.", "store.p", "store.pu")]
    assert texts[0] == texts[1] == texts[2]
    assert "\n".join(PY_OUTLINE) in texts[0]


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("import json\n\ndef run():\n    json.", "a library's module"),
        ("from app.store import get\n\ndef run():\n    get.", "a function, not a module"),
        ("from app import store\n\ndef run():\n    # see store.", "a comment"),
        ("from app import store\n\ndef run(store):\n    x = 1\n", "no dot"),
    ],
)
def test_no_outline_where_no_module_of_the_workspace_is_before_the_dot(
    tmp_path: Path, text: str, why: str
) -> None:
    write(tmp_path, WORKSPACE)
    snippets = gather(tmp_path, "main.py", text, None)
    assert not any("def put(key: str, item: \"Item\") -> None: …" in s.text for s in snippets), why


# ---------------------------------------------------------------- over stdio


STDIO_CASES = {
    "python": (
        {"app/__init__.py": "", "app/store.py": STORE_PY, "main.py": "from app import store\n\n\ndef run():\n    \n    return None\n"},
        ("main.py", "python"),
        (4, 4),
        "store.",
        PY_OUTLINE,
    ),
    "javascript": (
        {"identity.js": IDENTITY_JS, "main.js": "import * as identity from './identity'\n\nfunction f() {\n  \n}\n"},
        ("main.js", "javascript"),
        (3, 2),
        "identity.",
        ["function isScalar(node) …"],
    ),
    "lua": (
        {"store.lua": STORE_LUA, "main.lua": "local store = require('store')\n\nlocal function f()\n  \nend\n"},
        ("main.lua", "lua"),
        (3, 2),
        "store.",
        ["function M.get(key) …"],
    ),
    "go": (
        {
            "go.mod": "module example.com/m\n",
            "shapes/shapes.go": SHAPES_GO,
            "main.go": 'package main\n\nimport "example.com/m/shapes"\n\nfunc main() {\n\t\n}\n',
        },
        ("main.go", "go"),
        (5, 1),
        "shapes.",
        ["type Square struct …", "func Area(s Square) int …"],
    ),
}


@pytest.mark.parametrize("language", list(STDIO_CASES))
async def test_the_prompt_at_a_modules_dot_typed_carries_its_outline(tmp_path: Path, language: str) -> None:
    """Over stdio, as typed: asked first on the function's empty line (the snippets then kept
    for the prefix cache), then at the module's dot: they are chosen anew there and the
    prompt has the module's public names; before the dot it had none of them."""
    files, opened, at, typed, lines = STDIO_CASES[language]
    prompts = await prompts_while_typing(tmp_path, files, [opened], at, typed)
    for line in lines:
        assert line not in prompts[0], prompts[0]
        assert line in prompts[1], prompts[1]


# ---------------------------------------------------------------- secrets in a line cut short


def _long_signature(name: str, indent: str = "") -> str:
    """A signature past the outline's line length whose cut falls inside a default's secret."""
    head = f"def {name}(host, "
    params = ", ".join(f"a{i}=1" for i in range(16))
    params += ", pad=" + "1" * (140 - len(head) - len(params) - len(', pad=, password="'))
    return f'{indent}{head}{params}, password="hunter2-Secret-Value-99-abcdefgh"):\n'


LONG_CLASS = "class Client:\n" + "".join(
    _long_signature(f"m{i}", "    ") + f"        return {'1' * 150}\n" for i in range(12)
)


# A class's outline (its members' signatures) cuts its lines alike.
@pytest.mark.parametrize("text", [_long_signature("connect") + "    pass\n", LONG_CLASS])
def test_a_secret_in_a_line_cut_short_is_redacted_before_the_cut(text: str) -> None:
    """Cut at its value (``password="hunter2-Se …``), the secret's quote was never closed and
    redaction could not tell it: the prompt had its first characters."""
    idx = _index("python", text)
    outline = module_outline("m", [idx], "python")
    assert outline is not None
    texts = [outline.text, *(d.text for ds in idx.definitions.values() for d in ds)]
    sent = redact("\n".join(texts))
    assert "hunter" not in sent and "Secret-Va" not in sent, sent
    assert "(host, a0=1, a1=1" in sent, sent  # the signature kept up to the secret


# ---------------------------------------------------------------- a name bound again

PY_RUN = "from app import store\n\ndef run("
JS_NS = "import * as identity from './identity'\n"
JS_REQ = "const identity = require('./identity')\n"
GO_MAIN = 'package main\n\nimport "example.com/m/shapes"\n\n'
LUA_REQ = "local store = require('app.store')\n"
OUTLINES = (
    "class Store: …",
    "function isScalar(node) …",
    "func Area(s Square) int …",
    "function M.get(key) …",
)


REBOUND = [
    ("main.py", PY_RUN + "store):\n    store.", "python"),
    ("main.py", PY_RUN + "):\n    store = {}\n    store.", "python"),
    ("main.py", PY_RUN + "):\n    for store in []:\n        store.", "python"),
    ("main.py", PY_RUN + "):\n    with open('x') as store:\n        store.", "python"),
    # Unpacked: first on its line, in brackets, nested (all read as no binding before).
    ("main.py", PY_RUN + "):\n    store, other = pair()\n    store.", "python"),
    ("main.py", PY_RUN + "):\n    (store, other) = pair()\n    store.", "python"),
    ("main.py", PY_RUN + "):\n    [store, other] = pair()\n    store.", "python"),
    ("main.py", PY_RUN + "):\n    (a, (store, b)) = pair()\n    store.", "python"),
    ("main.py", PY_RUN + "):\n    *store, other = pair()\n    store.", "python"),
    # A loop's target in brackets, an assignment's second target (read as no binding before).
    ("main.py", PY_RUN + "):\n    for (store, other) in pairs:\n        store.", "python"),
    ("main.py", PY_RUN + "):\n    for i, (store, other) in enumerate(pairs):\n        store.", "python"),
    ("main.py", PY_RUN + "):\n    for [store, other] in pairs:\n        store.", "python"),
    ("main.py", PY_RUN + "):\n    a = store = pair()\n    store.", "python"),
    ("main.py", "from app import store\n\nfor i, (store, b) in enumerate(items):\n    pass\nstore.", "python"),
    ("main.py", "from app import store\n\na = store = make()\nstore.", "python"),
    # A lambda's parameter, a match's capture pattern, a function or class defined with its name.
    ("main.py", PY_RUN + "):\n    f = lambda store: store.", "python"),
    ("main.py", PY_RUN + "):\n    xs.sort(key=lambda a, store=None: store.)", "python"),
    ("main.py", "from app import store\n\nf = lambda store: store.", "python"),
    ("main.py", PY_RUN + "x):\n    match x:\n        case store:\n            store.", "python"),
    ("main.py", PY_RUN + "x):\n    match x:\n        case [1, store]:\n            store.", "python"),
    ("main.py", PY_RUN + "x):\n    match x:\n        case {'k': store}:\n            store.", "python"),
    ("main.py", PY_RUN + "x):\n    match x:\n        case Point(x=store):\n            store.", "python"),
    ("main.py", PY_RUN + "x):\n    match x:\n        case [*store]:\n            store.", "python"),
    ("main.py", PY_RUN + "x):\n    match x:\n        case Store() as store:\n            store.", "python"),
    ("main.py", "from app import store\n\nmatch x:\n    case store:\n        store.", "python"),
    # (After the match too, as after a loop: its capture may have bound it.)
    ("main.py", PY_RUN + "x):\n    match x:\n        case store:\n            pass\n    store.", "python"),
    ("main.py", PY_RUN + "):\n    f = lambda store: store.\n    return f", "python"),
    ("main.py", "from app import store\n\nx = sorted(xs, key=lambda store: store.\ny = 1\n", "python"),
    ("main.py", PY_RUN + "):\n    def store():\n        pass\n    store.", "python"),
    ("main.py", PY_RUN + "):\n    class store:\n        pass\n    store.", "python"),
    ("main.py", PY_RUN + "):\n    async def store():\n        pass\n    store.", "python"),
    ("main.py", "from app import store\n\ndef store():\n    pass\n\nstore.", "python"),
    ("main.py", "from app import store\n\nclass store:\n    pass\n\ndef run():\n    store.", "python"),
    ("main.py", "import app.store as st\n\ndef run():\n    st = None\n    st.", "python"),
    ("web/main.js", JS_NS + "function f(identity) {\n  identity.", "javascript"),
    ("web/main.js", JS_NS + "function f() {\n  let identity = [];\n  identity.", "javascript"),
    ("web/main.js", JS_REQ + "const f = (identity) => identity.", "javascript"),
    ("cmd/main.go", GO_MAIN + "func f(shapes []int) {\n\tshapes.", "go"),
    ("cmd/main.go", GO_MAIN + "func main() {\n\tshapes := []int{}\n\tshapes.", "go"),
    ("lua/main.lua", LUA_REQ + "local function f(store)\n  store.", "lua"),
    ("lua/main.lua", LUA_REQ + "local function f()\n  local store = {}\n  store.", "lua"),
    ("lua/main.lua", LUA_REQ + "function M.f(a)\n  for _, store in a do\n    store.", "lua"),
    ("lua/main.lua", LUA_REQ + "local function f()\nend\n\nfunction g(store)\n  store.", "lua"),
]
#: Controls: another name bound, or the module's name bound in another function.
NOT_REBOUND = [
    ("main.py", PY_RUN + "item):\n    store.", "python"),
    ("main.py", PY_RUN + "):\n    other = {}\n    store.", "python"),
    ("main.py", PY_RUN + "store):\n    pass\n\ndef g():\n    store.", "python"),
    ("main.py", PY_RUN + "):\n    other, more = pair()\n    store.", "python"),
    ("main.py", PY_RUN + "):\n    x = (store, other)\n    store.", "python"),
    ("main.py", PY_RUN + "):\n    for x in (store, other):\n        store.", "python"),
    ("main.py", PY_RUN + "):\n    a = f(store=store)\n    store.", "python"),
    ("main.py", PY_RUN + "):\n    ok = a == store\n    store.", "python"),
    ("main.py", "from app import store\n\nfor x in (store, b):\n    pass\nstore.", "python"),
    # A lambda, a case, a function or a class that binds it elsewhere; a value pattern's dotted name.
    ("main.py", PY_RUN + "):\n    f = lambda store: 1\n    store.", "python"),
    ("main.py", PY_RUN + "):\n    f = lambda a: store.", "python"),
    ("main.py", PY_RUN + "x):\n    match x:\n        case store.KIND:\n            store.", "python"),
    ("main.py", PY_RUN + "x):\n    match x:\n        case Point(store=1):\n            store.", "python"),
    ("main.py", PY_RUN + "):\n    pass\n\ndef g():\n    def store():\n        pass\n\ndef h():\n    store.", "python"),
    ("main.py", PY_RUN + "):\n    store.x()\n    def inner():\n        store.", "python"),
    ("main.py", "from app import store\n\nclass K:\n    def store(self):\n        pass\n\nstore.", "python"),
    # A call's arguments over lines: the module passed, then a keyword argument.
    ("main.py", PY_RUN + "):\n    app = make_app(\n        store, debug=True)\n    store.", "python"),
    ("main.py", PY_RUN + "):\n    check(\n        store, other == 1)\n    store.", "python"),
    ("lua/main.lua", LUA_REQ + "local function f(store)\nend\n\nfunction g()\n  store.", "lua"),
    ("lua/main.lua", LUA_REQ + "local function f()\n  local other = {}\n  store.", "lua"),
    ("lua/main.lua", LUA_REQ + "store.", "lua"),
]


@pytest.mark.parametrize(
    ("rel", "text", "language", "outlined"),
    [*((*case, False) for case in REBOUND), *((*case, True) for case in NOT_REBOUND)],
)
def test_no_outline_where_a_function_binds_the_modules_name_again(
    tmp_path: Path, rel: str, text: str, language: str, outlined: bool
) -> None:
    """A parameter, a local variable, a loop's or a ``with``'s named like the module: its dot
    is that value's, and the module's names (``store.put``) were sent for a dict's."""
    write(tmp_path, WORKSPACE)
    sent = [s.text for s in gather(tmp_path, rel, text, None, language=language)]
    assert any(line in t for t in sent for line in OUTLINES) == outlined, sent


#: A use the module's level runs before a ``def store`` / ``class store`` / ``store =`` below
#: it binds the name again: a default's value or an annotation runs when its ``def`` does (at
#: the module's level here), unlike the body, which runs when called (the whole module then ran).
#: (text with ``|`` at the cursor, whether the module's outline is sent)
BELOW_CASES = {
    "default below a def": ("def f(a=store.|):\n    pass\n\n\ndef store():\n    pass\n", True),
    "annotation below a class": ("def f(a: store.|):\n    pass\n\n\nclass store:\n    pass\n", True),
    "return type below =": ("def f() -> store.|:\n    pass\n\n\nstore = None\n", True),
    "the parameter's own default": ("def f(store=store.|):\n    pass\n", True),
    "module's line above a def": ("store.|\n\n\ndef store():\n    pass\n", True),
    # Controls: a body runs once the module has, the def below then bound the name.
    "body above a def": ("def f():\n    store.|\n\n\ndef store():\n    pass\n", False),
    "method's default above a def": (
        "class K:\n    def f(self):\n        def g(a=store.|):\n            pass\n\n\ndef store():\n    pass\n", False),
    "default below the def": ("def store():\n    pass\n\n\ndef f(a=store.|):\n    pass\n", False),
}


@pytest.mark.parametrize("case", list(BELOW_CASES))
async def test_a_python_def_below_binds_the_name_only_where_it_has_run(tmp_path: Path, case: str) -> None:
    """Over stdio: ``def f(a=store.|)`` above a module-level ``def store()`` is the module's
    ``store`` (the default runs as the module's level reaches ``f``), its outline sent; a body
    above the ``def`` is the function's (it runs once the whole module has)."""
    text, outlined = BELOW_CASES[case]
    text = "from app import store\n\n" + text.replace(".|", "|")  # the dot typed at the cursor
    before = text[: text.index("|")]
    files = {"app/__init__.py": "", "app/store.py": STORE_PY, "main.py": text.replace("|", "")}
    at = (before.count("\n"), len(before.split("\n")[-1]))
    prompt = (await prompts_while_typing(tmp_path, files, [("main.py", "python")], at, "."))[-1]
    assert ("class Store: …" in prompt) == outlined, prompt


# ---------------------------------------------------------------- cost


def test_a_huge_modules_outline_makes_only_the_lines_it_sends(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A generated module's 10,000 functions: each made a line at each dot (12 ms), 17 sent."""
    idx = _index("python", "".join(f"def f{i}(a, b):\n    return a\n\n" for i in range(10_000)))
    made: list[str] = []
    line = module_outline_module._line
    monkeypatch.setattr(module_outline_module, "_line", lambda d: made.append(d.name) or line(d))
    outline = module_outline("m", [idx], "python")
    assert outline is not None
    assert outline.text.splitlines()[:2] == ["def f0(a, b): …", "def f1(a, b): …"]
    assert len(made) == MAX_MODULE_LINES + 1
