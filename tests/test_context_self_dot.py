"""What a bare ``self.|`` (``this.|``) and a class's dotted bases bring of what the class
inherits (``context.lookup.bases_at_cursor``), as typed over stdio and offline."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_context_receivers import SELF_CHAIN, gather_at, prompts_while_typing
from tests.test_workspace_symbols import heads, indexed, write

#: Twelve functions of another file the method calls: names near the cursor that take the
#: snippets' places before the class's bases, ranked after them away from a ``self.``.
HELPERS = {
    "python": "".join(f"def helper_{i}(a, b, c):\n    '''Helper {i}.'''\n    return a + b + c + {i}\n\n\n" for i in range(12)),
    "typescript": "".join(
        f"/** Helper {i}. */\nexport function helper_{i}(a: number, b: number, c: number): number {{\n  return a + b + c + {i};\n}}\n\n"
        for i in range(12)
    ),
}


def _busy_class(language: str) -> tuple[str, str]:
    """(path, text) of a class whose method calls the twelve helpers, its line to type on blank."""
    names = ", ".join(f"helper_{i}" for i in range(12))
    if language == "python":
        uses = "".join(f"        x += helper_{i}(x, 1, 2)\n" for i in range(12))
        return "app/quic.py", (
            f"import os\n\nfrom net.dtls import Dtls\nfrom app.helpers import {names}\n\n\n"
            f"class Quic(Dtls):\n    def run(self, data):\n        x = os.getpid()\n{uses}        \n        return x\n"
        )
    uses = "".join(f"    x += helper_{i}(x, 1, 2);\n" for i in range(12))
    return "app/quic.ts", (
        f"import {{ Dtls }} from '../net/dtls';\nimport {{ {names} }} from './helpers';\n\n"
        f"export class Quic extends Dtls {{\n  run(data: number): number {{\n    let x = data;\n{uses}    \n    return x;\n  }}\n}}\n"
    )


@pytest.mark.parametrize("language", ["python", "typescript"])
async def test_a_bare_self_dot_typed_key_by_key_carries_the_inherited_members(tmp_path: Path, language: str) -> None:
    """``self.`` typed a key at a time on a line of a busy method: the snippets chosen at ``s``
    (the bases ranked after the names near the cursor, their headers alone fitting) were kept at
    the dot, and the prompt at ``self.`` had ``class Connection:`` with none of its members
    until ``self.se`` chose them anew. Now the first request at the dot carries them."""
    ext = "py" if language == "python" else "ts"
    rel, text = _busy_class(language)
    files = {**SELF_CHAIN[language], f"app/helpers.{ext}": HELPERS[language], rel: text}
    lines = text.split("\n")
    blank = "        " if language == "python" else "    "
    line = lines.index(blank)
    keys = list("self." if language == "python" else "this.")
    prompts = await prompts_while_typing(tmp_path, files, [(rel, language)], (line, len(blank)), *keys)
    extras = prompts[-1][: prompts[-1].index(f"Path: {rel}")]
    recv = "def recv(self, size: int) -> bytes:" if language == "python" else "recv(size: number): Uint8Array {"
    assert recv in extras, extras


#: Other files' classes named as the chain's are (``Tls``, ``Dtls``, ``Connection``): the
#: symbol table names none of them (more than two files define each), the imports alone do.
DECOYS = {
    "python": {
        f"decoy{i}/tls.py": f"class Tls:\n    def wrap(self, n{i}):\n        pass\n\nclass Connection:\n    def send(self, n{i}):\n        pass\n"
        for i in range(3)
    },
    "typescript": {
        f"decoy{i}/tls.ts": f"export class Tls {{\n  wrap(n{i}: number): void {{}}\n}}\nexport class Connection {{\n  send(n{i}: number): void {{}}\n}}\n"
        for i in range(3)
    },
}


#: SELF_CHAIN with each base named through its module (``tls.Tls``, ``net.connection.Connection``).
DOTTED_CHAIN = {
    "python": {
        **SELF_CHAIN["python"],
        "net/tls.py": "import net.connection\n\nclass Tls(net.connection.Connection):\n    def wrap(self):\n        pass\n",
        "net/dtls.py": "from net import tls\n\nclass Dtls(tls.Tls):\n    def shake(self):\n        pass\n",
    },
    "typescript": {
        **SELF_CHAIN["typescript"],
        "net/tls.ts": "import * as c from './connection';\nexport class Tls extends c.Connection {\n  wrap(): void {}\n}\n",
        "net/dtls.ts": "import * as tls from './tls';\nexport class Dtls extends tls.Tls {\n  shake(): void {}\n}\n",
    },
}


@pytest.mark.parametrize("chain", [SELF_CHAIN, DOTTED_CHAIN], ids=["plain-chain", "dotted-chain"])
@pytest.mark.parametrize(
    ("language", "head", "base"),
    [
        ("python", "import net.dtls\n\n", "net.dtls.Dtls"),
        ("python", "from net import dtls\n\n", "dtls.Dtls"),
        ("python", "import net.dtls as d\n\n", "d.Dtls"),
        ("typescript", "import * as dtls from '../net/dtls';\n\n", "dtls.Dtls"),
    ],
    ids=["py-import-pkg-mod", "py-from-pkg-import-mod", "py-import-as", "ts-namespace"],
)
def test_a_dotted_base_is_followed_through_the_imports(
    tmp_path: Path, language: str, head: str, base: str, chain: dict[str, dict[str, str]]
) -> None:
    """``class Quic(net.dtls.Dtls)``, ``class Quic(dtls.Dtls)``, ``class Quic extends
    dtls.Dtls``: the base named through a module was not followed where other files define a
    class of its name (the symbol table names none of them), and ``self.|`` had nothing it
    inherits. Its module's file is the one meant; so up the chain, each base named plainly or
    through its module."""
    write(tmp_path, {**chain[language], **DECOYS[language]})
    if language == "python":
        rel, text = "app/quic.py", head + f"class Quic({base}):\n    def run(self):\n        self.|\n"
    else:
        rel, text = "app/quic.ts", head + f"class Quic extends {base} {{\n  run(): void {{\n    this.|\n  }}\n}}\n"
    snippets = gather_at(tmp_path, rel, text, indexed(tmp_path, rel), language)
    ranked = [s.text for s in sorted(snippets, key=lambda s: s.rank)]
    # (The chain's own: the decoys' members take an ``n``.)
    members = ("shake(", "wrap(", "recv(") if language == "python" else ("shake():", "wrap():", "recv(size")
    assert [m in text for m, text in zip(members, ranked, strict=False)] == [True] * 3, heads(snippets)
    assert not any("n0" in t or "n1" in t or "n2" in t for t in ranked), heads(snippets)


def _long_base(language: str) -> dict[str, str]:
    """A base of forty methods, ``recv`` the last but one, whose constructor assigns ``_extra``
    (an attribute, no definition of its own), and a class two files down from it."""
    if language == "python":
        methods = "".join(f"    def op_{i}(self, a, b):\n        return a + b + {i}\n\n" for i in range(38))
        connection = (
            "class Connection:\n    def __init__(self, extra=None):\n        self._extra = extra or {}\n\n"
            f"{methods}    def recv(self, size: int) -> bytes:\n        return b''\n"
        )
        return {**SELF_CHAIN["python"], "net/connection.py": connection}
    methods = "".join(f"  op_{i}(a: number, b: number): number {{\n    return a + b + {i};\n  }}\n\n" for i in range(38))
    connection = (
        "export class Connection {\n  constructor(extra?: object) {\n    this._extra = extra ?? {};\n  }\n\n"
        f"{methods}  recv(size: number): Uint8Array {{\n    return new Uint8Array(size);\n  }}\n}}\n"
    )
    return {**SELF_CHAIN["typescript"], "net/connection.ts": connection}


@pytest.mark.parametrize("language", ["python", "typescript"])
def test_a_bare_self_dot_has_the_inherited_members_its_file_uses(tmp_path: Path, language: str) -> None:
    """``self.|`` in a class whose file calls ``self.recv(...)`` and reads ``self._extra`` in
    another method, sixty methods up (beyond the names near the cursor): both are its base's,
    three up, whose outline is cut before ``recv`` (forty methods), and ``_extra`` is assigned
    in its constructor: neither came (``bench_self_dot``: call_soon of asyncio's BaseEventLoop,
    _cont_handler of xml.sax's XMLReader). Now the members the file uses come after the bases,
    nearest use first."""
    write(tmp_path, _long_base(language))
    if language == "python":
        rel = "app/quic.py"
        text = (
            "from net.dtls import Dtls\n\n"
            "class Quic(Dtls):\n"
            "    def pull(self):\n        return self.recv(10), self._extra\n\n"
            + "".join(f"    def step_{i}(self, value):\n        return value * {i} + {i}\n\n" for i in range(60))
            + "    def run(self):\n        self.|\n"
        )
        recv, extra = "def recv(self, size: int) -> bytes:", "self._extra = extra or {}"
    else:
        rel = "app/quic.ts"
        text = (
            "import { Dtls } from '../net/dtls';\n\n"
            "export class Quic extends Dtls {\n"
            "  pull(): unknown {\n    return [this.recv(10), this._extra];\n  }\n\n"
            + "".join(f"  step_{i}(value: number): number {{\n    return value * {i} + {i};\n  }}\n\n" for i in range(60))
            + "  run(): void {\n    this.|\n  }\n}\n"
        )
        recv, extra = "recv(size: number): Uint8Array {", "this._extra = extra ?? {};"
    snippets = gather_at(tmp_path, rel, text, indexed(tmp_path, rel), language)
    sent = "\n".join(s.text for s in snippets)
    assert recv in sent and extra in sent, heads(snippets)


#: A JavaScript chain, each base named through its module: an ES namespace, a CommonJS require.
JS_CHAIN = {
    "net/connection.js": "export class Connection {\n  send(frame) {\n    return 0;\n  }\n\n  recv(size) {\n    return size;\n  }\n}\n",
    "net/tls.js": "import * as c from './connection.js';\nexport class Tls extends c.Connection {\n  wrap() {}\n}\n",
    "net/dtls.js": "const tls = require('./tls');\nclass Dtls extends tls.Tls {\n  shake() {}\n}\nmodule.exports = { Dtls };\n",
    **{
        f"decoy{i}/tls.js": f"export class Tls {{\n  wrap(n{i}) {{}}\n}}\nexport class Connection {{\n  send(n{i}) {{}}\n}}\n"
        for i in range(3)
    },
}


@pytest.mark.parametrize(
    ("head", "base"),
    [("import * as dtls from '../net/dtls.js';\n\n", "dtls.Dtls"), ("const net = require('../net/dtls');\n\n", "net.Dtls")],
    ids=["es-namespace", "commonjs"],
)
def test_a_javascript_dotted_base_is_followed_through_the_imports(tmp_path: Path, head: str, base: str) -> None:
    """JavaScript's ``class Quic extends dtls.Dtls`` (and ``tls.Tls`` of a ``require``,
    ``c.Connection`` of a namespace up the chain): only the first base came."""
    write(tmp_path, JS_CHAIN)
    text = head + f"class Quic extends {base} {{\n  run() {{\n    this.|\n  }}\n}}\n"
    snippets = gather_at(tmp_path, "app/quic.js", text, indexed(tmp_path, "app/quic.js"), "javascript")
    ranked = [s.text.split("\n", 1)[0] for s in sorted(snippets, key=lambda s: s.rank)]
    assert ranked[:3] == ["class Dtls extends tls.Tls {", "class Tls extends c.Connection {", "class Connection {"], heads(snippets)
    assert not any("n0" in s.text or "n1" in s.text or "n2" in s.text for s in snippets), heads(snippets)


#: A class named as the base it derives from, each base named through its module or an alias.
_HEIRS = [
    ("python", "from net import dtls\n\n", "class Dtls(dtls.Dtls):\n    def run(self):\n        self.|\n"),
    ("python", "import net.dtls\n\n", "class Dtls(net.dtls.Dtls):\n    def run(self):\n        self.|\n"),
    ("python", "from net.dtls import Dtls as BaseDtls\n\n", "class Dtls(BaseDtls):\n    def run(self):\n        self.|\n"),
    # No import binds it: the symbol table's other definer.
    ("python", "", "class Dtls(Dtls):\n    def run(self):\n        self.|\n"),
    ("typescript", "import * as dtls from '../net/dtls';\n\n", "class Dtls extends dtls.Dtls {\n  run(): void {\n    this.|\n  }\n}\n"),
]


@pytest.mark.parametrize(("language", "head", "body"), _HEIRS, ids=["py-module", "py-package", "py-alias", "py-unimported", "ts-namespace"])
def test_a_class_named_as_its_base_has_what_the_base_inherits(tmp_path: Path, language: str, head: str, body: str) -> None:
    """``class Dtls(dtls.Dtls)`` (Python's ``class Thread(threading.Thread)``, ``class
    TestCase(unittest.TestCase)``): its base, keyed by its name, was the class itself and was
    dropped as its own base; the base came as an import's class, nothing above it (``wrap``,
    ``send``, ``recv``)."""
    write(tmp_path, SELF_CHAIN[language])
    ext = "py" if language == "python" else "ts"
    rel = f"app/dtls.{ext}"
    snippets = gather_at(tmp_path, rel, head + body, indexed(tmp_path, rel), language)
    sent = "\n".join(s.text for s in snippets)
    members = ("def shake(", "def wrap(", "def recv(") if language == "python" else ("shake():", "wrap():", "recv(size")
    assert all(m in sent for m in members), heads(snippets)


async def test_the_prompt_of_a_class_named_as_its_base_carries_what_it_inherits(tmp_path: Path) -> None:
    """Over stdio, ``self.`` typed key by key in ``class Dtls(dtls.Dtls)``: the prompt had the
    base's outline and none of the members of the bases above it."""
    text = "from net import dtls\n\n\nclass Dtls(dtls.Dtls):\n    def run(self, data):\n        \n        return data\n"
    files = {**SELF_CHAIN["python"], "app/dtls.py": text}
    prompts = await prompts_while_typing(tmp_path, files, [("app/dtls.py", "python")], (5, 8), *"self.")
    extras = prompts[-1][: prompts[-1].index("Path: app/dtls.py")]
    assert "def recv(self, size: int) -> bytes:" in extras and "def wrap(self):" in extras, extras


#: Other files' classes named ``Dtls``: the symbol table names none (more than two define one).
_DTLS_DECOYS = {
    "python": {f"decoy{i}/dtls.py": f"class Dtls:\n    def shake(self, n{i}):\n        pass\n" for i in range(3)},
    "typescript": {f"decoy{i}/dtls.ts": f"export class Dtls {{\n  shake(n{i}: number): void {{}}\n}}\n" for i in range(3)},
}


@pytest.mark.parametrize(
    ("language", "barrel", "head", "base"),
    [
        ("python", {"net/__init__.py": "from .dtls import Dtls\n"}, "import net\n\n", "net.Dtls"),
        ("python", {"net/__init__.py": "from net.dtls import Dtls as D\n"}, "import net\n\n", "net.D"),
        ("typescript", {"net/index.ts": "export * from './dtls';\n"}, "import * as net from '../net';\n\n", "net.Dtls"),
        ("typescript", {"net/index.ts": "export { Dtls } from './dtls';\n"}, "import * as net from '../net';\n\n", "net.Dtls"),
        ("python", {"net/__init__.py": "", "net/sub/__init__.py": "from net.dtls import Dtls\n"}, "import net.sub\n\n", "net.sub.Dtls"),
        ("python", {"net/__init__.py": "from .dtls import Dtls\n"}, "import net as n\n\n", "n.Dtls"),
        ("python", {"net/__init__.py": "from . import dtls\n"}, "import net\n\n", "net.dtls.Dtls"),
        ("typescript", {"net/index.ts": "export * from './all';\n", "net/all.ts": "export { Dtls } from './dtls';\n"}, "import * as net from '../net';\n\n", "net.Dtls"),
    ],
    ids=["py-init-reexport", "py-init-renamed", "ts-export-star", "ts-export-named", "py-pkg-sub", "py-pkg-alias", "py-sub-attr", "ts-two-barrels"],
)
def test_a_base_a_package_passes_on_is_followed_to_its_file(
    tmp_path: Path, language: str, barrel: dict[str, str], head: str, base: str
) -> None:
    """``class Quic(net.Dtls)`` where ``net``'s ``__init__.py`` (``index.ts``) defines no
    ``Dtls`` but passes it on (``from .dtls import Dtls``, ``export * from './dtls'``): the
    barrel was read, no class found in it, and ``self.|`` had nothing the class inherits
    where other files define a ``Dtls``. The file the barrel names is read, and up the chain."""
    write(tmp_path, {**SELF_CHAIN[language], **barrel, **_DTLS_DECOYS[language], **DECOYS[language]})
    if language == "python":
        rel, text = "app/quic.py", head + f"class Quic({base}):\n    def run(self):\n        self.|\n"
    else:
        rel, text = "app/quic.ts", head + f"class Quic extends {base} {{\n  run(): void {{\n    this.|\n  }}\n}}\n"
    snippets = gather_at(tmp_path, rel, text, indexed(tmp_path, rel), language)
    sent = "\n".join(s.text for s in snippets)
    members = ("def shake(self)", "def wrap(", "def recv(") if language == "python" else ("shake(): void", "wrap():", "recv(size")
    assert all(m in sent for m in members), heads(snippets)
    assert not any(f"n{i}" in sent for i in range(3)), heads(snippets)
