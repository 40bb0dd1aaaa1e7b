"""Context extraction and prompt layout, on data, without a server."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from deepseek_lsp.config import DEFAULT_EXCLUDE
from deepseek_lsp.context import (
    MAX_DEFINITION_LINES,
    ContextRequest,
    Indexer,
    Snippet,
    enclosing_scopes,
    gather_snippets,
    names_near,
)
from deepseek_lsp.context.index import OUTLINE_ROOM
from deepseek_lsp.context.snippets import LEAD_MAX_CHARS
from deepseek_lsp.documents import Document, DocumentStore
from deepseek_lsp.imports import resolve_local_import
from deepseek_lsp.languages import LanguageRegistry
from deepseek_lsp.model.tokens import default_counter
from deepseek_lsp.prompts import build_fim_prompt
from tests.cpu_time import ThreadCpu

REGISTRY = LanguageRegistry.load()
COUNT = default_counter().count
#: The time box of tests about what the context finds, not about the box: a loaded host (two
#: test workers beside other jobs) took over 1 s to parse a TypeScript file the first time.
AMPLE_S = 60.0


def python_doc(uri: str, text: str) -> Document:
    return DocumentStore(REGISTRY).open(uri, text, "python", 1)


def big_module(functions: int = 120) -> str:
    parts = ["import os\nimport json\nfrom collections import OrderedDict\n\n\nclass Store:\n"]
    for i in range(functions):
        parts.append(f"    def method_{i}(self, value):\n        total = value * {i}\n        return total + {i}\n\n")
    return "".join(parts)


def prompt_for(doc: Document, offset: int, budget: int = 600, suffix_share: float = 0.25, **kw):
    lang = doc.language
    indexer = Indexer(REGISTRY)
    index = indexer.for_document(doc)
    return build_fim_prompt(
        doc,
        offset,
        budget=budget,
        suffix_share=suffix_share,
        count=COUNT,
        scopes=enclosing_scopes(lang, doc.tree, doc.data, offset),
        imports=index.imports,
        line_comment="#",
        path="store.py",
        **kw,
    )


def test_consecutive_keystrokes_only_change_the_end_of_the_prompt() -> None:
    text = big_module()
    cursor_line = text[: text.index("def method_100")].count("\n") + 2
    doc = python_doc("file:///ws/store.py", text)
    prompts = []
    for typed in ("", "r", "re", "res", "resu", "resul", "result", "result ", "result =", "result = v"):
        start = doc.line_start(cursor_line)
        doc2 = python_doc("file:///ws/store.py", text[:start] + "        " + typed + "\n" + text[start:])
        offset = doc2.line_start(cursor_line) + 8 + len(typed)
        prompts.append(prompt_for(doc2, offset))
    first = prompts[0]
    for p in prompts[1:]:
        assert p.window_start == first.window_start
        # Everything before the cursor line is byte-identical: the provider's prefix cache hits.
        common = os.path.commonprefix([p.prompt, first.prompt])  # noqa: RUF071 - characters are what we compare
        assert len(common) >= len(first.prompt) - 10
    for p in prompts:
        assert p.prompt_tokens + p.suffix_tokens <= 600


def test_head_carries_imports_and_enclosing_headers_outside_the_window() -> None:
    text = big_module()
    doc = python_doc("file:///ws/store.py", text)
    offset = text.index("return total + 100") + len("return total + 100")
    p = prompt_for(doc, offset, budget=300)
    assert p.window_start > text.index("class Store")
    head = p.prompt[: p.prompt.index(text[p.window_start : p.window_start + 30])]
    assert head.startswith("# Path: store.py\n")
    assert "import os\nimport json\nfrom collections import OrderedDict" in head
    assert "class Store:" in head
    assert p.prompt.count("def method_100(self, value):") == 1  # in the head or the window, once
    assert p.prompt.endswith("return total + 100")
    assert p.suffix.startswith("\n")


def test_a_module_imported_again_inside_functions_is_in_the_head_once() -> None:
    body = "".join(f"def helper_{i}(text):\n    import re\n    return re.sub('a', 'b', text) + str({i})\n\n" for i in range(40))
    text = "import os\nimport re\n\n" + body + "def last(value):\n    return value"
    doc = python_doc("file:///ws/lazy.py", text)
    p = prompt_for(doc, len(text.encode()), budget=300)
    head = p.prompt[: p.prompt.index(text[p.window_start : p.window_start + 30])]
    assert p.window_start > text.index("def helper_5")
    assert head.count("import re") == 1
    assert "import os\nimport re\n" in head


def test_an_import_the_window_starts_inside_is_sent_once() -> None:
    """A list of 60 imported names in brackets, the window starting among them: the whole
    statement went in the head and its last 30 names again at the start of the window, the
    budget paying for them twice. The head now has its part above the window, and the prompt
    reads the statement through once."""
    statement = "from package.module import (\n" + "".join(f"    name_{i},\n" for i in range(60)) + ")"
    text = "import os\n" + statement + "\n\n\n" + "".join(
        f"def handler_{i}(order, amount):\n    total = charge(order, amount * {i})\n    return total\n\n\n"
        for i in range(12)
    )
    doc = python_doc("file:///ws/store.py", text)
    inside = 0
    for budget in range(800, 1300, 50):
        p = prompt_for(doc, len(text) - 1, budget=budget, suffix_share=0.1)
        if text.index(statement) < p.window_start < text.index(statement) + len(statement):
            inside += 1
            assert p.prompt.count("name_59,") == 1, budget
            assert "import os\n" + statement in p.prompt, budget
    assert inside  # the window did start inside the statement


def test_a_signature_the_window_starts_inside_is_sent_once() -> None:
    """A function of 14 parameters a line each, the window starting among them: its header
    went whole in the head and its last lines again at the start of the window."""
    signature = "def build_report(\n" + "".join(f"    option_{i}: int = {i},\n" for i in range(14)) + ") -> dict:\n"
    body = "".join(f"    value_{i} = option_{i % 14} * {i}\n" for i in range(60))
    text = "import os\n\n\n@register\n" + signature + body + "    return locals()\n"
    doc = python_doc("file:///ws/store.py", text)
    offset = text.index("    value_50 ")
    inside = 0
    for budget in range(500, 1200, 50):
        p = prompt_for(doc, offset, budget=budget, suffix_share=0.1)
        if text.index(signature) < p.window_start < text.index(signature) + len(signature):
            inside += 1
            assert p.prompt.count("option_13: int = 13,") == 1, budget
            assert "@register\n" + signature + "    value_0 = " in p.prompt, budget
    assert inside  # the window did start inside the signature


def test_definitions_from_open_documents_and_local_imports(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "geometry.py").write_text(
        "def circle_area(radius: float) -> float:\n    return 3.14159 * radius * radius\n"
    )
    store = DocumentStore(REGISTRY)
    other = store.open(
        "file:///elsewhere/units.py", "def to_metres(feet):\n    return feet * 0.3048\n", "python", 1
    )
    main_uri = (tmp_path / "pkg" / "main.py").as_uri()
    text = "from .geometry import circle_area\n\n\ndef report(r):\n    x = to_metres(r)\n    return circle_area(x)\n"
    doc = store.open(main_uri, text, "python", 1)
    offset = len(text) - 1
    names = names_near(doc.language, doc.tree, doc.data, offset)
    assert "circle_area" in names and "to_metres" in names
    req = ContextRequest(
        doc=doc,
        offset=offset,
        other_docs=[other],
        recent_edits=[],
        workspace_roots=[tmp_path],
        exclude=("**/.env",),
        deadline=time.monotonic() + AMPLE_S,
    )
    snippets = gather_snippets(Indexer(REGISTRY), req, (len(text), len(text)), names)
    texts = "\n".join(s.text for s in snippets)
    assert "def circle_area(radius: float) -> float:" in texts
    assert "def to_metres(feet):" in texts
    assert [s.sort_key() for s in snippets] == sorted(s.sort_key() for s in snippets)


def test_typescript_relative_import_is_followed(tmp_path: Path) -> None:
    (tmp_path / "money.ts").write_text("export function formatPrice(cents: number): string {\n  return `$${cents / 100}`;\n}\n")
    store = DocumentStore(REGISTRY)
    text = "import { formatPrice } from './money';\n\nexport function label(c: number) {\n  return formatPrice(c);\n}\n"
    doc = store.open((tmp_path / "view.ts").as_uri(), text, "typescript", 1)
    offset = text.index("(c);")
    names = names_near(doc.language, doc.tree, doc.data, offset)
    req = ContextRequest(doc, offset, [], [], [tmp_path], (), time.monotonic() + AMPLE_S)
    snippets = gather_snippets(Indexer(REGISTRY), req, (offset, offset), names)
    assert any("function formatPrice(cents: number): string" in s.text for s in snippets)


def test_excluded_documents_and_recent_edits_of_other_files() -> None:
    store = DocumentStore(REGISTRY)
    secret = store.open("file:///ws/.env", "SECRET_TOKEN=abc\n", "dotenv", 1)
    helper = store.open("file:///ws/helper.py", "def helper():\n    return 42\n", "python", 1)
    doc = store.open("file:///ws/a.py", "x = helper()\n", "python", 1)
    req = ContextRequest(
        doc, 5, [secret, helper], [("file:///ws/.env", 3), ("file:///ws/helper.py", 20)], [],
        ("**/.env",), time.monotonic() + 1,
    )
    snippets = gather_snippets(Indexer(REGISTRY), req, (0, 13), ["helper"])
    joined = "\n".join(s.text for s in snippets)
    assert "SECRET_TOKEN" not in joined
    assert "def helper():" in joined
    assert any(s.kind == "recent-edit" and s.path == "helper.py" for s in snippets)


def test_a_recent_edit_below_a_minified_line_keeps_only_that_line_s_end_for_redaction() -> None:
    """The lines above a recent edit, kept for redaction (never sent), held a minified line
    whole in each key of the redaction cache (a 311 kB line: 80 MB for its 256 keys), read at
    each new edit. Its end is what redaction reads (a name just above the value)."""
    store = DocumentStore(REGISTRY)
    minified = "var a=" + ",".join(f"x{i}:function(){{return {i}}}" for i in range(20000)) + ";"
    text = minified + "\n// b\n// c\nDB_PASSWORD = (\n    'x'\n)\nd = 1\ne = 2\nf = 3\n"
    helper = store.open("file:///ws/helper.py", text, "python", 1)
    doc = store.open("file:///ws/a.py", "x = 1\n", "python", 1)
    edit = text.index("f = 3")
    req = ContextRequest(doc, 5, [helper], [("file:///ws/helper.py", edit)], [], (), time.monotonic() + 1)
    snippets = gather_snippets(Indexer(REGISTRY), req, (0, 6), [])
    edited = next(s for s in snippets if s.kind == "recent-edit")
    assert edited.text.startswith("    'x'")  # the control: the value's line starts the snippet
    assert edited.lead.endswith("// b\n// c\nDB_PASSWORD = (\n")
    assert len(edited.lead) <= LEAD_MAX_CHARS < len(minified)


def test_secrets_are_redacted_from_what_is_sent() -> None:
    text = 'AWS_KEY = "AKIAIOSFODNN7EXAMPLE"\nheaders = {"Authorization": "Bearer abcdefghijklmnopqrstuvwx"}\nx = \n'
    doc = python_doc("file:///ws/cfg.py", text)
    p = prompt_for(doc, len(text) - 1)
    assert "AKIAIOSFODNN7EXAMPLE" not in p.prompt
    assert "abcdefghijklmnopqrstuvwx" not in p.prompt
    assert "[REDACTED]" in p.prompt and p.prompt.endswith("x = ")


def test_plain_text_gets_windows_only() -> None:
    doc = DocumentStore(REGISTRY).open("file:///notes.txt", "line one\nline two\n", "plaintext", 1)
    p = build_fim_prompt(doc, 9, budget=200, suffix_share=0.25, count=COUNT)
    assert p.prompt == "line one\n" and p.suffix == "line two\n"


def test_a_line_longer_than_the_budget_is_cut_to_it_on_both_sides_of_the_cursor() -> None:
    """Minified code is one line: it was sent whole on each side of the cursor (18,000 and
    19,000 tokens for a 97 kB line against a budget of 2,048), on every keystroke."""
    line = "var a=" + ",".join(f"x{i}:function(é){{return é*{i}}}" for i in range(3000)) + ";"
    doc = Document("file:///ws/app.min.js", "// header\n" + line + "\n")
    offset = doc.line_start(1) + len(line.encode()) // 2 + 1  # inside a two-byte "é", then moved
    offset = next(o for o in range(offset, offset + 4) if doc.data[o] & 0xC0 != 0x80)
    fim = build_fim_prompt(doc, offset, budget=2048, suffix_share=0.1, count=COUNT, line_comment="//", path="a.js")
    assert fim.prompt_tokens + fim.suffix_tokens <= 2048
    assert COUNT(fim.prompt) + COUNT(fim.suffix) <= 2048 + 8
    before, after = doc.data[:offset].decode(), doc.data[offset:].decode()
    assert before.endswith(fim.prompt[-3000:]) and len(fim.prompt) > 3000  # the line up to the cursor
    assert after.startswith(fim.suffix) and len(fim.suffix) > 300
    assert "\ufffd" not in fim.prompt + fim.suffix  # no character cut in two


def test_the_file_head_fits_in_the_budget_with_the_window() -> None:
    """The imports above the window are sent before it; they came on top of a window that had
    already taken the whole budget (2,768 tokens against 2,048 with 45 imports)."""
    imports = "".join(f"from package_{i}.module_{i} import thing_{i}, other_{i}\n" for i in range(45))
    body = "".join(f"def f_{i}(a, b):\n    return a * {i} + b\n\n" for i in range(400))
    doc = DocumentStore(REGISTRY).open("file:///ws/m.py", imports + "\n" + body, "python", 1)
    offset = doc.line_start(doc.line_count - 300)
    index = Indexer(REGISTRY).for_document(doc)
    scopes = enclosing_scopes(doc.language, doc.tree, doc.data, offset)
    fim = build_fim_prompt(
        doc, offset, budget=2048, suffix_share=0.1, count=COUNT, line_comment="#", path="m.py",
        imports=index.imports, scopes=scopes,
    )
    assert fim.window_start > 0 and "from package_44.module_44 import" in fim.prompt  # the head is there
    assert fim.prompt_tokens + fim.suffix_tokens <= 2048
    assert COUNT(fim.prompt) + COUNT(fim.suffix) <= 2048


def test_the_suffix_is_counted_as_sent() -> None:
    """The suffix's end is snapped back to a line step (for the provider's cache); the lines it
    drops were still counted, so suffix_tokens over-reported what went out."""
    doc = Document("file:///ws/s.py", "".join(f"value_{i} = compute({i}, other_{i})\n" for i in range(400)))

    def count(text: str) -> int:
        return len(text) // 3 + 1

    for line in (10, 57, 123, 300):
        fim = build_fim_prompt(doc, doc.line_end(line), budget=2048, suffix_share=0.1, count=count)
        sent = sum(count(piece + "\n") for piece in fim.suffix.split("\n")[1:-1]) + count("\n")
        assert fim.suffix_tokens == sent, line


def test_a_definition_with_a_long_signature_is_cut_to_the_limit() -> None:
    """A signature of more lines than the limit sent the whole function (a 200-line body)."""
    params = "".join(f"    arg_{i}: int = {i},\n" for i in range(14))
    body = "".join(f"    step_{i} = arg_{i % 14} * {i}\n" for i in range(200))
    doc = python_doc("file:///ws/report.py", f"def build_report(\n{params}) -> dict:\n{body}    return locals()\n")
    (definition,) = Indexer(REGISTRY).for_document(doc).definitions["build_report"]
    assert definition.text.startswith("def build_report(\n    arg_0: int = 0,")
    assert len(definition.text.splitlines()) <= MAX_DEFINITION_LINES + 1  # and the "…"
    assert "step_199" not in definition.text
    # A short signature keeps the start of the body, each line whole and indented as written
    # (the body's first statement was glued to the signature: "-> dict:step_0 = 0").
    short = python_doc("file:///ws/short.py", f"def build(a, b) -> dict:\n{body}    return locals()\n")
    (definition,) = Indexer(REGISTRY).for_document(short).definitions["build"]
    assert definition.text.splitlines()[:3] == ["def build(a, b) -> dict:", "    step_0 = arg_0 * 0", "    step_1 = arg_1 * 1"]
    assert definition.text.endswith("\n…")


def test_decorators_are_part_of_definitions_and_scope_headers() -> None:
    """``@property``, ``@staticmethod`` and ``@dataclass`` were dropped: the model saw a plain
    method and completed ``account.balance()`` for a property."""
    text = (
        "from dataclasses import dataclass\n\n\n@dataclass(frozen=True)\nclass Money:\n    cents: int\n\n\n"
        "class Account:\n    @property\n    def balance(self) -> Money:\n        return self._balance\n\n"
        "    @staticmethod\n    def open_new(owner):\n        return Account(owner)\n"
    )
    doc = python_doc("file:///ws/bank.py", text)
    definitions = Indexer(REGISTRY).for_document(doc).definitions
    assert definitions["Money"][0].text.startswith("@dataclass(frozen=True)\nclass Money:")
    assert definitions["balance"][0].text.startswith("@property\n    def balance(self) -> Money:")
    assert definitions["open_new"][0].text.startswith("@staticmethod\n    def open_new(owner):")
    offset = text.index("return self._balance")
    headers = [s.header for s in enclosing_scopes(doc.language, doc.tree, doc.data, offset)]
    assert headers == ["class Account:", "@property\n    def balance(self) -> Money:"]
    # Long decorators are left out (only a few short ones, nearest first): 14 options filled
    # the snippet without its def; a 300-row parametrize table became the scope header.
    options = "".join(f"@click.option('--opt{i}')\n" for i in range(14))
    table = "".join(f"    ({i}, {i + 1}),\n" for i in range(300))
    text = (
        f"import click\n\n\n{options}def deploy(opt0):\n    return opt0\n\n\n"
        f"@pytest.mark.parametrize('a,b', [\n{table}])\ndef test_add(a, b):\n    x = a\n    assert x\n"
    )
    doc = python_doc("file:///ws/cli.py", text)
    (deploy,) = Indexer(REGISTRY).for_document(doc).definitions["deploy"]
    assert "def deploy(opt0):" in deploy.text and deploy.text.count("@click.option") == 3
    offset = text.index("assert x")
    headers = [s.header for s in enclosing_scopes(doc.language, doc.tree, doc.data, offset)]
    assert headers == ["def test_add(a, b):"]


def test_an_elixir_definition_comes_with_its_spec() -> None:
    """An Elixir ``@spec`` (a module attribute to the grammar) is the function's types: the
    snippet of ``add`` and the header of the function around the cursor show it; a long
    ``@doc`` heredoc above it is left out like a long decorator, a constant above is not taken."""
    text = (
        'defmodule Cart do\n  @timeout 5000\n  @doc """\n  Adds.\n  More.\n  """\n'
        "  @spec add(t(), integer()) :: t()\n  def add(cart, n) do\n    total = cart.n + n\n"
        "    %{cart | n: total}\n  end\nend\n"
    )
    doc = DocumentStore(REGISTRY).open("file:///ws/cart.ex", text, "elixir", 1)
    (add,) = Indexer(REGISTRY).for_document(doc).definitions["add"]
    assert add.text.startswith("@spec add(t(), integer()) :: t()\n  def add(cart, n) do")
    offset = text.index("%{cart")
    headers = [s.header for s in enclosing_scopes(doc.language, doc.tree, doc.data, offset)]
    assert headers[-1] == "@spec add(t(), integer()) :: t()\n  def add(cart, n)"


def gather(path: Path, text: str, roots: list[Path], language: str = "python", **kw) -> list[Snippet]:
    """The snippets for a cursor at the end of ``text``, a file at ``path`` (open in ``store``
    with the other documents open in the editor)."""
    store = kw.pop("store", None) or DocumentStore(REGISTRY)
    doc = store.open(path.as_uri(), text, language, 1)
    offset = len(doc.data)
    names = names_near(doc.language, doc.tree, doc.data, offset)
    other_docs = kw.pop("other_docs", [])
    req = ContextRequest(doc, offset, other_docs, [], roots, DEFAULT_EXCLUDE, time.monotonic() + 5, open_uris=store)
    return gather_snippets(Indexer(REGISTRY), req, (max(0, offset - 6000), offset), names)


def test_python_class_attributes_are_definitions_of_their_own_line(tmp_path: Path) -> None:
    """``ctx.color`` found nothing: a class attribute (``color: bool | None = None``, a
    dataclass field, an enum member) was no definition, and the class's snippet stopped inside
    its docstring. Now its line is sent, with a ``#:`` comment above it; the class, too long to
    send whole, is its outline: its header, its docstring's first line and its members'
    signatures (it was its docstring)."""
    docstring = "".join(f"    line {i} of a long docstring.\n" for i in range(14))
    (tmp_path / "context.py").write_text(
        f'class Context:\n    """\n{docstring}    """\n\n    #: the default for colours\n'
        "    color: bool | None = None\n    max_content_width: int = 80\n    DEFAULT_WIDTH = 72\n\n"
        "    def __init__(self, parent=None):\n        self.parent = parent\n"
    )
    text = (
        "from .context import Context\n\n\ndef resolve(ctx: Context) -> int:\n"
        "    color = ctx.color\n    width = ctx.max_content_width or ctx.DEFAULT_WIDTH\n    return "
    )
    texts = [s.text for s in gather(tmp_path / "main.py", text, [tmp_path])]
    assert "#: the default for colours\n    color: bool | None = None" in texts
    assert (
        'class Context:\n    """line 0 of a long docstring. …"""\n    color: bool | None = None\n'
        "    max_content_width: int = 80\n    DEFAULT_WIDTH = 72\n    def __init__(self, parent=None): …"
    ) in texts
    doc = python_doc("file:///ws/money.py", "class Money:\n    cents: int\n    currency: str = 'EUR'\n")
    definitions = Indexer(REGISTRY).for_document(doc).definitions
    assert [(d.kind, d.text) for d in definitions["cents"]] == [("variable", "cents: int")]
    assert definitions["Money"][0].kind == "class"


def test_python_definitions_under_a_module_level_if_or_try(tmp_path: Path) -> None:
    """asyncio's ``if hasattr(socket, 'TCP_NODELAY'): def _set_nodelay(...)`` and a fallback
    under ``except ImportError:`` were no definitions: only the module's own statements were
    looked in. A ``__main__`` block's variables and a function's locals are still none."""
    (tmp_path / "base_events.py").write_text(
        "import socket\n\nif hasattr(socket, 'TCP_NODELAY'):\n    def _set_nodelay(sock):\n"
        "        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)\nelse:\n"
        "    def _set_nodelay(sock):\n        pass\n\ntry:\n    from _compat import get_annotations\n"
        "except ImportError:\n    def get_annotations(cls):\n        return cls.__dict__.get('__annotations__', {})\n"
        "else:\n    HAVE_COMPAT = True\n\nif __name__ == '__main__':\n    sock = socket.socket()\n"
        "    _set_nodelay(sock)\n\n\ndef helper():\n    if True:\n        def inner():\n            pass\n"
    )
    text = (
        "from . import base_events\nfrom .base_events import get_annotations\n\n\ndef start(sock, cls):\n"
        "    base_events._set_nodelay(sock)\n    hints = get_annotations(cls)\n    return "
    )
    texts = [s.text for s in gather(tmp_path / "selector_events.py", text, [tmp_path])]
    assert sum(t.startswith("def _set_nodelay(sock):") for t in texts) == 2
    assert any(t.startswith("def get_annotations(cls):") for t in texts)
    doc = python_doc("file:///ws/base_events.py", (tmp_path / "base_events.py").read_text())
    definitions = Indexer(REGISTRY).for_document(doc).definitions
    assert definitions["HAVE_COMPAT"][0].kind == "variable"
    assert "sock" not in definitions and "inner" not in definitions


def test_typescript_interface_properties_and_object_literal_methods(tmp_path: Path) -> None:
    """rxjs's ``intervalProvider.setInterval(...)`` found nothing: an interface's properties
    (``setInterval: SetIntervalFunction;``), an object type's members and the methods of an
    object literal bound at the top level were no definitions (TSX reads the same queries)."""
    (tmp_path / "intervalProvider.ts").write_text(
        "type SetIntervalFunction = (handler: () => void, timeout?: number) => number;\n\n"
        "interface IntervalProvider {\n  setInterval: SetIntervalFunction;\n  delegate: Delegate | undefined;\n}\n\n"
        "type Delegate = { clearInterval(handle: number): void; active: boolean };\n\n"
        "export const intervalProvider: IntervalProvider = {\n"
        "  setInterval(handler: () => void, timeout?: number) {\n    return setInterval(handler, timeout);\n  },\n"
        "  delegate: undefined,\n};\n"
    )
    text = (
        "import { intervalProvider } from './intervalProvider';\n\nexport function tick(fn: () => void) {\n"
        "  const d = intervalProvider.delegate;\n  if (d?.active) d.clearInterval(1);\n"
        "  return intervalProvider.setInterval(fn, 10);\n}\n"
    )
    for language, name in (("typescript", "tick.ts"), ("tsx", "Tick.tsx")):
        texts = [s.text for s in gather(tmp_path / name, text, [tmp_path], language)]
        for wanted in ("setInterval: SetIntervalFunction", "delegate: Delegate | undefined",
                       "setInterval(handler: () => void, timeout?: number) {",
                       "clearInterval(handle: number): void", "active: boolean"):  # fmt: skip
            # The method comes inside its object's snippet (not sent a second time on its own).
            assert any(t.startswith(wanted) or f"\n  {wanted}" in t for t in texts), (language, wanted)
        doc = DocumentStore(REGISTRY).open(
            "file:///ws/ip.ts", (tmp_path / "intervalProvider.ts").read_text(), "typescript", 1
        )
        methods = Indexer(REGISTRY).for_document(doc).definitions["setInterval"]
        assert "setInterval(handler: () => void, timeout?: number) {" in [d.text.splitlines()[0] for d in methods]


def test_javascript_object_literal_methods_are_definitions(tmp_path: Path) -> None:
    """``api.get(url)`` on ``export const api = { get(url) {...} }`` (or ``module.exports = {...}``)
    found only the object's first lines: its methods were no definitions. An object inside a
    function is a local, as before."""
    (tmp_path / "api.js").write_text(
        "export const api = {\n  base: '/v1',\n  get(url) {\n    return fetch(this.base + url);\n  },\n"
        "  post: async (url, body) => {\n    return fetch(url, { method: 'POST', body });\n  },\n};\n\n"
        "function local() {\n  const hooks = { flush() { return 1; } };\n  return hooks;\n}\n"
    )
    (tmp_path / "legacy.js").write_text("module.exports = {\n  remove: function (url) {\n    return url;\n  },\n};\n")
    text = (
        "import { api } from './api';\nconst legacy = require('./legacy');\n\nexport async function load() {\n"
        "  await api.post('/x', 1);\n  legacy.remove('/y');\n  return api.get('/items');\n}\n"
    )
    texts = [s.text for s in gather(tmp_path / "main.js", text, [tmp_path], "javascript")]
    for wanted in ("get(url) {", "post: async (url, body) => {", "remove: function (url) {"):
        # A method of `api` comes inside its object's snippet (not sent a second time on its own).
        assert any(t.startswith(wanted) or f"\n  {wanted}" in t for t in texts), wanted
    doc = DocumentStore(REGISTRY).open("file:///ws/api.js", (tmp_path / "api.js").read_text(), "javascript", 1)
    definitions = Indexer(REGISTRY).for_document(doc).definitions
    assert "flush" not in definitions
    assert [d.text.splitlines()[0] for n in ("get", "post") for d in definitions[n]] == [
        "get(url) {", "post: async (url, body) => {"
    ]


def test_a_module_imported_by_many_names_takes_one_place(tmp_path: Path) -> None:
    """Each imported name repeated its module: 16 names from models.py took the 16 places of
    modules followed, and services.py, imported next, was never read."""
    (tmp_path / "models.py").write_text("".join(f"class Model{i}:\n    pass\n" for i in range(16)))
    (tmp_path / "services.py").write_text("def place_order(customer, items):\n    return None\n")
    text = (
        "from .models import (\n" + "".join(f"    Model{i},\n" for i in range(16)) + ")\n"
        "from .services import place_order\n" + "x = 1\n" * 300 + "place_order(c, [])"
    )
    snippets = gather(tmp_path / "views.py", text, [tmp_path])
    assert any(s.text.startswith("def place_order(customer, items):") for s in snippets)


def test_an_excluded_file_reached_through_a_symlink_is_not_sent(tmp_path: Path) -> None:
    """``secrets.py`` linked to ``deploy/prod_settings.py`` was read under the target's name,
    which no exclusion pattern matched; a link named plainly to an excluded file the same."""
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "prod_settings.py").write_text("def vault_login():\n    return 'vault-nonce-123'\n")
    (tmp_path / "secrets.py").symlink_to("deploy/prod_settings.py")
    (tmp_path / "deploy" / "secrets.py").write_text("def vault_token():\n    return 'vault-token-456'\n")
    (tmp_path / "settings.py").symlink_to("deploy/secrets.py")
    text = "from .secrets import vault_login\nfrom .settings import vault_token\n" + "x = 1\n" * 300
    snippets = gather(tmp_path / "app.py", text + "vault_login(vault_token())", [tmp_path])
    assert not [s.text for s in snippets if "vault-" in s.text]


def test_unreadable_folders_and_symlink_loops_are_no_file(tmp_path: Path, monkeypatch) -> None:
    """A symlink loop (RuntimeError) or a folder the server may not read (PermissionError)
    raised out of the request: every completion in the importing file failed."""
    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to("a")
    (tmp_path / "data").mkdir()
    (tmp_path / "money.js").write_text("export function formatPrice(cents) {\n  return cents / 100;\n}\n")
    filler = "const v = 1;\n" * 200
    text = "import { helper } from './a';\nimport { formatPrice } from './money';\n" + filler
    snippets = gather(tmp_path / "main.js", text + "formatPrice(helper());", [tmp_path], "javascript")
    assert any("function formatPrice(cents)" in s.text for s in snippets)

    real_is_file = Path.is_file

    def is_file(path: Path) -> bool:
        if "data" in path.parts:
            raise PermissionError(13, "Permission denied", str(path))
        return real_is_file(path)

    monkeypatch.setattr(Path, "is_file", is_file)
    (tmp_path / "tools.py").write_text("def rows():\n    return []\n")
    text = "from data import load\nfrom tools import rows\n" + "x = 1\n" * 300 + "rows(load())"
    snippets = gather(tmp_path / "main.py", text, [tmp_path])
    assert any("def rows():" in s.text for s in snippets)


def test_files_outside_the_workspace_are_not_read(tmp_path: Path) -> None:
    """``../other_client_repo/billing.js`` (another project next to this one) was sent."""
    (tmp_path / "project").mkdir()
    (tmp_path / "other_client_repo").mkdir()
    (tmp_path / "other_client_repo" / "billing.js").write_text(
        "export function chargeCard(acct) {\n  return api.post('https://billing.other.example', acct);\n}\n"
    )
    (tmp_path / "project" / "cart.js").write_text("export function total(items) {\n  return 0;\n}\n")
    text = (
        "import { chargeCard } from '../other_client_repo/billing.js';\nimport { total } from './cart.js';\n"
        + "const v = 1;\n" * 200
        + "chargeCard(total(a));"
    )
    for roots in ([tmp_path / "project"], []):  # no workspace: the document's folder
        snippets = gather(tmp_path / "project" / "main.js", text, roots, "javascript")
        assert [s.path for s in snippets] == ["cart.js"]


def test_javascript_imports_are_looked_up_as_node_and_typescript_do(tmp_path: Path) -> None:
    """A bare specifier read the workspace's Python module of that name; ``./x.js`` naming
    x.ts, ``./types`` naming types.d.ts, ``..`` naming ../index.js and an aliased name were
    not followed."""
    (tmp_path / "config.py").write_text("DATABASE_URL = 'postgres://app@db.internal/prod'\ndef load():\n    pass\n")
    src = tmp_path / "src"
    (src / "lib").mkdir(parents=True)
    (src / "index.js").write_text("export function rootHelper(a) {\n  return a;\n}\n")
    (src / "money.ts").write_text("export function formatPrice(cents: number): string {\n  return '';\n}\n")
    (src / "types.d.ts").write_text("export interface Shape {\n  area(): number;\n}\n")
    (src / "node.cts").write_text("export function cjsThing(a: number) {\n  return a;\n}\n")
    filler = "const v = 1;\n" * 200
    snippets = gather(src / "app.js", "import config from 'config';\n" + filler + "config.load();", [tmp_path], "javascript")
    assert not [s for s in snippets if s.path == "config.py"]
    snippets = gather(src / "lib" / "main.js", "import { rootHelper } from '..';\n" + filler + "rootHelper(1);", [tmp_path], "javascript")
    assert any("function rootHelper(a)" in s.text for s in snippets)
    cases = {
        "import { formatPrice as fp } from './money';": ("fp(3);", "function formatPrice(cents: number)"),
        "import { formatPrice } from './money.js';": ("formatPrice(3);", "function formatPrice(cents: number)"),
        "import type { Shape } from './types';": ("let s: Shape;", "interface Shape {"),
        "import { cjsThing } from './node.cjs';": ("cjsThing(1);", "function cjsThing(a: number)"),
    }
    for statement, (use, wanted) in cases.items():
        snippets = gather(src / "main.ts", statement + "\n" + filler + use, [tmp_path], "typescript")
        assert any(wanted in s.text for s in snippets), statement


def test_python_modules_imported_from_a_package_and_aliased_names_are_followed(tmp_path: Path) -> None:
    """``from . import mod``, ``from .pkg import tools`` and ``from .mod import f as g`` gave
    no definition: only the package's ``__init__.py`` and the alias were looked up."""
    app = tmp_path / "app"
    (app / "pkg").mkdir(parents=True)
    (app / "__init__.py").write_text("")
    (app / "pkg" / "__init__.py").write_text("")
    (app / "pkg" / "tools.py").write_text("def make_widget(size):\n    return size * 2\n")
    (app / "mod.py").write_text("def compute_total(items):\n    return sum(items)\n")
    filler = "x = 1\n" * 300
    cases = {
        "from . import mod": ("mod.compute_total([1])", "def compute_total(items):"),
        "from .pkg import tools": ("tools.make_widget(3)", "def make_widget(size):"),
        "from .mod import compute_total as ct": ("ct([1])", "def compute_total(items):"),
    }
    for statement, (use, wanted) in cases.items():
        snippets = gather(app / "main.py", statement + "\n" + filler + use, [tmp_path])
        assert any(s.text.startswith(wanted) for s in snippets), statement


def test_a_file_open_in_the_editor_is_sent_as_edited_not_as_saved(tmp_path: Path) -> None:
    """The unsaved buffer and its older copy on disk were both sent: two signatures."""
    (tmp_path / "helpers.py").write_text("def send_mail(to):\n    return to\n")
    (tmp_path / "mailer.py").write_text("def queue_mail(to):\n    return to\n")
    store = DocumentStore(REGISTRY)
    edited = "def send_mail(to, subject, body, *, retries=3):\n    return to\n"
    helper = store.open((tmp_path / "helpers.py").as_uri(), edited, "python", 2)
    store.open((tmp_path / "mailer.py").as_uri(), "def queue_mail(to, when):\n    return to\n", "python", 2)
    text = "from .helpers import send_mail\nfrom .mailer import queue_mail\n" + "x = 1\n" * 300
    snippets = gather(tmp_path / "main.py", text + "queue_mail(send_mail(", [tmp_path], store=store, other_docs=[helper])
    assert [s.text.splitlines()[0] for s in snippets if "send_mail" in s.text] == [edited.splitlines()[0]]
    # Open but not among the documents given as context: its disk copy is not sent either.
    assert not [s for s in snippets if "queue_mail(to)" in s.text]


def test_imported_files_that_do_not_fit_the_time_box_are_left_for_later(tmp_path: Path) -> None:
    """Four imported modules of 400 kB were indexed inside an 80 ms time box (230 ms)."""
    for i in range(4):
        body = "".join(f"def handler_{i}_{k}(request):\n    return request.get('k{k}')\n\n" for k in range(8000))
        (tmp_path / f"gen{i}.py").write_text(body[:399_000])
    text = "".join(f"from .gen{i} import handler_{i}_1\n" for i in range(4)) + "x = handler_0_1(None)"
    doc = DocumentStore(REGISTRY).open((tmp_path / "main.py").as_uri(), text, "python", 1)
    names = names_near(doc.language, doc.tree, doc.data, len(text))
    indexer = Indexer(REGISTRY)
    indexer.bytes_per_s = 2e6  # 200 ms a file
    req = ContextRequest(doc, len(text), [], [], [tmp_path], DEFAULT_EXCLUDE, time.monotonic() + 0.08)
    with ThreadCpu() as cpu:
        assert gather_snippets(indexer, req, (0, len(text)), names) == []
    # Indexing the four would take ~1 s (and did 230 ms of CPU at the real rate, 25 ms now): the
    # CPU, as a loaded host's other processes stretch the wall clock (a 0.4 s bound on it).
    assert cpu.seconds < 0.15, f"{cpu.seconds:.2f} s of CPU"
    assert sorted(p.name for p in indexer.deferred) == ["gen0.py", "gen1.py", "gen2.py", "gen3.py"]
    # Indexed while the user pauses, the next request has them at once.
    for path in list(indexer.deferred):
        indexer.for_file(path)
    req = ContextRequest(doc, len(text), [], [], [tmp_path], DEFAULT_EXCLUDE, time.monotonic() + 0.08)
    snippets = gather_snippets(indexer, req, (0, len(text)), names)
    assert any(s.text.startswith("def handler_0_1(request):") for s in snippets)


def write_files(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


def test_a_typescript_barrel_is_followed_to_the_files_that_define_the_names(tmp_path: Path) -> None:
    """``import { parseValue } from "./core/index.js"`` read index.ts, which only re-exports
    (``export * from``, ``export { a } from``), and found nothing: mobx and immer import
    everything through such a file. Two re-exports deep at most, through a cycle, a named
    re-export only for a name wanted, and no file for a method of the same name."""
    write_files(tmp_path, {
        "src/core/index.ts": 'export * from "./schemas.js";\nexport { parseValue } from "./parse.js";\n'
                             'export { unusedThing } from "./unused.js";\nexport * from "./deep/index.js";\n',
        "src/core/schemas.ts": "export function makeSchema(kind: string, optional = false) {\n  return { kind };\n}\n",
        "src/core/parse.ts": "export function parseValue(schema: object, input: unknown): unknown {\n  return input;\n}\n",
        "src/core/unused.ts": "export function unusedThing() {}\nexport function makeUnused(n: number) {}\n",
        "src/core/deep/index.ts": 'export * from "./helpers.js";\nexport * from "../index.js";\n'
                                  'export * from "./deeper/index.js";\nexport * from "./other.js";\n',
        "src/core/deep/helpers.ts": "export function deepHelper(s: object, strict: boolean) {\n  return s;\n}\n",
        "src/core/deep/deeper/index.ts": 'export * from "./leaf.js";\n',
        "src/core/deep/deeper/leaf.ts": "export function leafOnly(n: number) {}\n",
        "src/core/deep/other.ts": "export class Other {\n  parseLater(x: number) {}\n}\n",
    })  # fmt: skip
    text = (
        'import * as core from "./core/index.js";\nimport { parseValue, deepHelper } from "./core/index.js";\n\n'
        "export function field() {\n  const schema = core.makeSchema(\"string\");\n"
        "  leafOnly(1);\n  makeUnused(2);\n  schema.parseLater(3);\n  return parseValue(deepHelper(schema, true), "
    )
    prompt = prompt_with_imports(tmp_path / "src" / "app.ts", text, [tmp_path], "typescript")
    for wanted in ("// Path: schemas.ts\n// function makeSchema(kind: string, optional = false)",
                   "// Path: parse.ts\n// function parseValue(schema: object, input: unknown)",
                   "// Path: helpers.ts\n// function deepHelper(s: object, strict: boolean)"):  # fmt: skip
        assert wanted in prompt, wanted
    assert "makeUnused(n: number)" not in prompt  # unused.ts passes on unusedThing only
    assert "leafOnly(n: number)" not in prompt  # three re-exports away
    assert "parseLater(x: number)" not in prompt  # a method: not what a module passes on


def test_javascript_default_and_namespace_re_exports_are_followed(tmp_path: Path) -> None:
    """``export { default as Button } from`` (a React components folder) and ``export * as
    shapes from``: the files behind them were not read."""
    write_files(tmp_path, {
        "components/index.js": 'export { default as Button } from "./Button.js";\nexport * as shapes from "./shapes.js";\n',
        "components/Button.js": "export default function Button(label, onClick) {\n  return label;\n}\n",
        "components/shapes.js": "export function circle(radius, fill) {\n  return radius;\n}\n",
    })  # fmt: skip
    text = 'import { Button, shapes } from "./components/index.js";\n\nconst b = Button("ok", shapes.circle('
    prompt = prompt_with_imports(tmp_path / "app.js", text, [tmp_path], "javascript")
    assert "function Button(label, onClick)" in prompt
    assert "function circle(radius, fill)" in prompt


def test_names_a_python_package_passes_on_are_found_where_they_are_defined(tmp_path: Path) -> None:
    """``from pkg import Client`` read pkg/__init__.py, which imports Client from ._client
    (httpx, rich, click): no definition was sent. Named imports, ``*`` and submodules, and a
    subpackage's __init__.py one level down."""
    write_files(tmp_path, {
        "pkg/__init__.py": "from ._client import Client\nfrom ._config import *\nfrom . import models\n"
                           "from .sub import Deep\n",
        "pkg/_client.py": "class Client:\n    def __init__(self, base_url: str) -> None:\n        self.base_url = base_url\n",
        "pkg/_config.py": "class Timeout:\n    def __init__(self, connect: float = 5.0) -> None:\n        self.connect = connect\n",
        "pkg/models.py": "def make_user(name, age):\n    return name\n",
        "pkg/sub/__init__.py": "from ._deep import Deep\n",
        "pkg/sub/_deep.py": "class Deep:\n    def __init__(self, level: int) -> None:\n        self.level = level\n",
    })  # fmt: skip
    text = "from pkg import Client, Timeout, models, Deep\n\n\ndef fetch(url):\n    user = models.make_user('a', 3)\n" \
           "    return Client(url), Deep(Timeout("  # fmt: skip
    prompt = prompt_with_imports(tmp_path / "app.py", text, [tmp_path], "python")
    for wanted in ("# Path: _client.py\n# class Client:", "# Path: _config.py\n# class Timeout:",
                   "# Path: models.py\n# def make_user(name, age):", "# Path: _deep.py\n# class Deep:"):  # fmt: skip
        assert wanted in prompt, wanted


def test_a_name_a_barrel_renames_brings_the_definition_by_its_own_name(tmp_path: Path) -> None:
    """``export { stringType as string } from "./types"`` (zod passes its factories on under
    short names) and a package's ``from ._client import Client as HttpClient``: the file was
    read, but the wanted name is defined there under the other, and nothing was sent."""
    write_files(tmp_path, {
        "src/index.ts": 'export { stringType as string, numberType } from "./types.js";\n',
        "src/types.ts": "export function stringType(params?: { min: number }): ZodString {\n  return new ZodString(params);\n}\n"
                        "export function numberType(): ZodNumber {\n  return new ZodNumber();\n}\n",
        "pkg/__init__.py": "from ._client import Client as HttpClient\nfrom . import models as mdl\n",
        "pkg/_client.py": "class Client:\n    def __init__(self, base_url: str) -> None:\n        self.base_url = base_url\n",
        "pkg/models.py": "def make_user(name, age):\n    return name\n",
    })  # fmt: skip
    text = 'import { string, numberType } from "./index.js";\n\nexport const schema = string({ min: 2 }).or(numberType('
    prompt = prompt_with_imports(tmp_path / "src" / "app.ts", text, [tmp_path], "typescript")
    assert "// Path: types.ts\n// function stringType(params?: { min: number }): ZodString" in prompt
    assert "function numberType(): ZodNumber" in prompt
    # A member of the same name is not the barrel's: `reader.string(` brings nothing of it.
    text = 'import { numberType } from "./index.js";\n\nexport function read(reader: Reader) {\n  numberType();\n  return reader.string('
    prompt = prompt_with_imports(tmp_path / "src" / "app.ts", text, [tmp_path], "typescript")
    assert "function stringType" not in prompt and "function numberType(): ZodNumber" in prompt
    text = "from pkg import HttpClient, mdl\n\n\ndef fetch(url):\n    user = mdl.make_user('a', 3)\n    return HttpClient("
    prompt = prompt_with_imports(tmp_path / "app.py", text, [tmp_path], "python")
    assert "# Path: _client.py\n# class Client:" in prompt
    assert "# Path: models.py\n# def make_user(name, age):" in prompt


def test_re_exports_keep_to_the_workspace_and_its_exclusions(tmp_path: Path) -> None:
    """A barrel's re-exports are read as imports are: not an excluded file, not one outside
    every workspace root."""
    ws = tmp_path / "ws"
    write_files(tmp_path, {
        "ws/lib/index.ts": 'export * from "./secrets.js";\nexport { apiKey } from "./keys.js";\n'
                           'export * from "../../outside/shared.js";\nexport * from "./open.js";\n',
        "ws/lib/secrets.ts": "export function loadSecret(name: string) {}\n",
        "ws/lib/keys.ts": "export function apiKey(scope: string) {}\n",
        "outside/shared.ts": "export function sharedThing(x: number) {}\n",
        "ws/lib/open.ts": "export function openThing(y: number) {}\n",
    })  # fmt: skip
    text = 'import { loadSecret, apiKey, sharedThing, openThing } from "./lib/index.js";\n\n' \
           "loadSecret(apiKey(sharedThing(openThing("  # fmt: skip
    prompt = prompt_with_imports(ws / "app.ts", text, [ws], "typescript", exclude=("**/secrets.ts", "**/keys.ts"))
    assert "openThing(y: number)" in prompt
    for name in ("loadSecret", "apiKey(scope", "sharedThing"):
        assert f"function {name}" not in prompt, name


def test_a_barrels_files_that_do_not_fit_the_time_box_are_found_once_indexed(tmp_path: Path) -> None:
    """What a barrel's ``export *`` passes on is known once its files are indexed: those the
    time box left for later are looked for again at the next request, not forgotten."""
    for i in range(3):
        body = "".join(f"export function handler_{i}_{k}(request: object) {{\n  return request;\n}}\n" for k in range(6000))
        (tmp_path / f"gen{i}.ts").write_text(body[:399_000])
    (tmp_path / "index.ts").write_text("".join(f'export * from "./gen{i}.js";\n' for i in range(3)))
    text = 'import { handler_2_1 } from "./index.js";\n\nhandler_2_1('
    doc = DocumentStore(REGISTRY).open((tmp_path / "main.ts").as_uri(), text, "typescript", 1)
    names = names_near(doc.language, doc.tree, doc.data, len(text))
    indexer = Indexer(REGISTRY)
    indexer.for_document(doc)  # (compiles the queries: not the time box's business here)
    indexer.bytes_per_s = 2e6  # 200 ms a file
    req = ContextRequest(doc, len(text), [], [], [tmp_path], DEFAULT_EXCLUDE, time.monotonic() + 0.08)
    assert gather_snippets(indexer, req, (0, len(text)), names) == []
    assert sorted(p.name for p in indexer.deferred) == ["gen0.ts", "gen1.ts", "gen2.ts"]
    for path in list(indexer.deferred):  # while the user pauses
        indexer.for_file(path)
    req = ContextRequest(doc, len(text), [], [], [tmp_path], DEFAULT_EXCLUDE, time.monotonic() + 5)
    snippets = gather_snippets(indexer, req, (0, len(text)), names)
    assert [s.path for s in snippets] == ["gen2.ts"]


#: (language id, extension, first lines, one method (``{i}`` numbers it), last lines): a class
#: of 120 methods, in each language that has a grammar folder of its own for it.
LONG_CLASSES = {
    "ruby": ("rb", "class Store\n", "  def method_{i}(value)\n    total = value * {i}\n    total + {i}\n  end\n\n", "end\n"),
    "php": ("php", "<?php\nclass Store\n{{\n", "    public function method_{i}($value)\n    {{\n        $total = $value * {i};\n        return $total + {i};\n    }}\n\n", "}}\n"),
    "csharp": ("cs", "public class Store\n{{\n", "    public int Method_{i}(int value)\n    {{\n        var total = value * {i};\n        return total + {i};\n    }}\n\n", "}}\n"),
    "lua": ("lua", "local Store = {{}}\n\nfunction Store.run(value)\n", "  local total_{i} = value * {i}\n  print(total_{i} + {i})\n\n", "end\n"),
    "bash": ("sh", "run_all() {{\n", "  total_{i}=$((value * {i}))\n  echo $((total_{i} + {i}))\n\n", "}}\n"),
    "kotlin": ("kt", "class Store(private val base: Int) {{\n", "    fun method_{i}(value: Int): Int {{\n        val total = value * {i}\n        return total + {i}\n    }}\n\n", "}}\n"),
    # Scala 3: the class's members by indentation, under `class Store:`.
    "scala": ("scala", "class Store(base: Int):\n", "  def method_{i}(value: Int): Int =\n    val total = value * {i}\n    total + {i}\n\n", ""),
    "swift": ("swift", "final class Store {{\n", "    func method_{i}(value: Int) -> Int {{\n        let total = value * {i}\n        return total + {i}\n    }}\n\n", "}}\n"),
    "elixir": ("ex", "defmodule Store do\n", "  def method_{i}(value) do\n    total = value * {i}\n    total + {i}\n  end\n\n", "end\n"),
}  # fmt: skip


def test_enclosing_header_is_in_the_prompt_head_in_more_languages() -> None:
    for lang, (ext, head, member, tail) in LONG_CLASSES.items():
        text = head.format() + "".join(member.format(i=i) for i in range(120)) + tail.format()
        doc = DocumentStore(REGISTRY).open(f"file:///ws/store.{ext}", text, lang, 1)
        assert doc.language is not None and doc.language.name == lang
        marker = "total_100 + 100" if lang in ("lua", "bash") else "total + 100"
        offset = text.index(marker) + len(marker)
        # The scope's header ends where its body starts: before the `{` (or Scala 3's `:`,
        # Elixir's ` do`).
        header = {
            "lua": "function Store.run(value)",
            "bash": "run_all()",
            "kotlin": "class Store(private val base: Int)",
            "scala": "class Store(base: Int)",
            "swift": "final class Store",
            "elixir": "defmodule Store",
        }.get(lang)
        header = header or next(line for line in head.format().splitlines() if "class" in line)
        p = prompt_for(doc, offset, budget=300)
        assert p.window_start > text.index(header), lang
        head_text = p.prompt[: p.prompt.index(text[p.window_start : p.window_start + 30])]
        assert header in head_text, (lang, head_text)


def prompt_with_imports(path: Path, text: str, roots: list[Path], language: str, exclude=DEFAULT_EXCLUDE) -> str:
    """The FIM prompt for a cursor at the end of ``text`` (a file at ``path``), with the
    definitions of the names used near it gathered as the completion feature does."""
    doc = DocumentStore(REGISTRY).open(path.as_uri(), text, language, 1)
    offset = len(doc.data)
    names = names_near(doc.language, doc.tree, doc.data, offset)
    req = ContextRequest(doc, offset, [], [], roots, tuple(exclude), time.monotonic() + 5)
    snippets = gather_snippets(Indexer(REGISTRY), req, (max(0, offset - 6000), offset + 2000), names)
    fim = build_fim_prompt(
        doc,
        offset,
        budget=4000,
        suffix_share=0.1,
        count=COUNT,
        snippets=snippets,
        line_comment=doc.language.spec.line_comment,
        path=path.name,
    )
    return fim.prompt


def test_ruby_requires_are_followed(tmp_path: Path) -> None:
    """``require_relative`` from the file's folder, ``require`` from the workspace's lib/ and
    root: their definitions were not in the prompt (Ruby's imports were not followed)."""
    app = tmp_path / "app"
    (app / "lib").mkdir(parents=True)
    (app / "lib" / "cache.rb").write_text("class Cache\n  def self.fetch(key, ttl: 60)\n    @store[key]\n  end\nend\n")
    (tmp_path / "lib" / "models").mkdir(parents=True)
    (tmp_path / "lib" / "models" / "user.rb").write_text("class User\n  def full_name(title)\n    title\n  end\nend\n")
    (app / "helpers").mkdir()
    (app / "helpers" / "money.rb").write_text("def format_money(cents, currency)\n  cents\nend\n")
    (tmp_path / "tasks.rb").write_text("def rebuild_index(force)\n  force\nend\n")
    text = (
        'require_relative "lib/cache"\nrequire "models/user"\nrequire "app/helpers/money"\nload "tasks.rb"\n\n'
        "def show(id)\n  user = Cache.fetch(id)\n  rebuild_index(false)\n  format_money(user.full_name(1), :usd)\nend\n"
    )
    prompt = prompt_with_imports(app / "main.rb", text, [tmp_path], "ruby")
    for wanted in ("# Path: cache.rb\n# class Cache\n#   def self.fetch(key, ttl: 60)", "# Path: user.rb\n# def full_name(title)",
                   "# def format_money(cents, currency)", "# def rebuild_index(force)"):  # fmt: skip
        assert wanted in prompt, wanted


def test_a_ruby_gem_or_a_path_built_at_run_time_reads_no_workspace_file(tmp_path: Path) -> None:
    """``require "json"`` is the standard library's, ``require "cache"`` a gem's: neither is the
    file of that name next to the requiring one (Ruby's ``require`` does not look there), nor a
    file of another language; ``require "#{__dir__}/x"`` names no file either."""
    app = tmp_path / "app"
    app.mkdir()
    (tmp_path / "json.py").write_text("def generate(obj):\n    return 'python'\n")
    (app / "json.rb").write_text("module JSON\n  def self.generate(obj)\n    'app json.rb'\n  end\nend\n")
    (app / "cache.rb").write_text("class Cache\n  def self.fetch(key)\n    'app cache.rb'\n  end\nend\n")
    (app / "x.rb").write_text("def interpolated(a)\n  'x.rb'\nend\n")
    (app / "store.rb").write_text("def save_record(a)\n  a\nend\n")
    text = (
        'require "json"\nrequire "cache"\nrequire "#{__dir__}/x"\nrequire_relative "store"\n\n'
        "save_record(JSON.generate(Cache.fetch(interpolated(1))))\n"
    )
    prompt = prompt_with_imports(app / "main.rb", text, [tmp_path], "ruby")
    assert "# Path: store.rb\n# def save_record(a)" in prompt  # what is required relatively is read
    assert [line for line in prompt.splitlines() if line.startswith("# Path:")] == ["# Path: store.rb", "# Path: main.rb"]


def test_lua_requires_are_followed(tmp_path: Path) -> None:
    """``require("mod.sub")`` from the workspace root, under lua/ (a Neovim plugin), as a
    folder's init.lua and from the requiring file's folder."""
    (tmp_path / "mod").mkdir()
    (tmp_path / "mod" / "sub.lua").write_text("local M = {}\n\nfunction M.greet(name, punctuation)\n  return name\nend\n\nreturn M\n")
    (tmp_path / "lua" / "myplugin" / "config").mkdir(parents=True)
    (tmp_path / "lua" / "myplugin" / "config" / "init.lua").write_text(
        "local M = {}\n\nfunction M.setup(opts, defaults)\n  return opts\nend\n\nreturn M\n"
    )
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    (scripts / "helper.lua").write_text("local function clamp(x, lo, hi)\n  return x\nend\n\nreturn { clamp = clamp }\n")
    text = (
        'local sub = require("mod.sub")\nlocal config = require "myplugin.config"\nlocal helper = require("helper")\n\n'
        'config.setup({}, {})\nprint(helper.clamp(1, 0, 2))\nsub.greet("x", "!")\n'
    )
    prompt = prompt_with_imports(scripts / "main.lua", text, [tmp_path], "lua")
    for wanted in ("-- Path: sub.lua", "-- function M.greet(name, punctuation)", "-- function M.setup(opts, defaults)",
                   "-- local function clamp(x, lo, hi)"):  # fmt: skip
        assert wanted in prompt, wanted


def test_a_lua_rock_or_a_c_module_reads_no_workspace_file(tmp_path: Path) -> None:
    """``require("cjson")`` and ``require("socket.http")`` are LuaRocks: a folder or a file of
    another language of that name is not read, and no file is guessed elsewhere."""
    (tmp_path / "socket").mkdir()
    (tmp_path / "socket" / "http.py").write_text("def request(url):\n    return url\n")
    (tmp_path / "cjson").mkdir()
    (tmp_path / "cjson" / "encode.lua").write_text("local function encode(value)\n  return ''\nend\n")
    (tmp_path / "util.lua").write_text("local function trim(s)\n  return s\nend\n\nreturn { trim = trim }\n")
    text = (
        'local cjson = require("cjson")\nlocal http = require("socket.http")\nlocal util = require("util")\n\n'
        'print(util.trim(cjson.encode(http.request("u"))))\n'
    )
    prompt = prompt_with_imports(tmp_path / "main.lua", text, [tmp_path], "lua")
    assert "-- Path: util.lua\n-- local function trim(s)" in prompt
    assert [line for line in prompt.splitlines() if line.startswith("-- Path:")] == ["-- Path: util.lua", "-- Path: main.lua"]


def test_php_includes_are_followed(tmp_path: Path) -> None:
    """``require_once 'lib/db.php'``, ``require __DIR__ . '/../src/util.php'``,
    ``include("view.php")`` and ``dirname(__FILE__) . '/x.php'``: relative to the file."""
    public = tmp_path / "public"
    (public / "lib").mkdir(parents=True)
    (public / "lib" / "db.php").write_text("<?php\nfunction db_connect(string $dsn, array $options = [])\n{\n    return null;\n}\n")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "util.php").write_text("<?php\nfunction slugify(string $title): string\n{\n    return $title;\n}\n")
    (public / "view.php").write_text("<?php\nfunction render_view($name, array $vars)\n{\n    return '';\n}\n")
    (public / "lib" / "auth.php").write_text("<?php\nclass Auth\n{\n    public static function check($user) { return true; }\n}\n")
    text = (
        "<?php\nrequire_once 'lib/db.php';\nrequire __DIR__ . '/../src/util.php';\ninclude(\"view.php\");\n"
        "require_once dirname(__FILE__) . '/lib/auth.php';\n\n"
        "$db = db_connect('sqlite::memory:');\nAuth::check($u);\necho render_view(slugify('A b'), []);\n"
    )
    prompt = prompt_with_imports(public / "index.php", text, [tmp_path], "php")
    for wanted in ("// Path: db.php", "// function db_connect(string $dsn, array $options = [])",
                   "// function slugify(string $title): string", "// function render_view($name, array $vars)",
                   "// class Auth"):  # fmt: skip
        assert wanted in prompt, wanted


def test_imports_of_ruby_lua_and_php_keep_to_the_workspace_and_its_exclusions(tmp_path: Path) -> None:
    """An excluded file (a default glob, a configured one) and a file outside every workspace
    root are not read, whichever way the import names it."""
    ws, other = tmp_path / "ws", tmp_path / "other_client"
    (ws / "config").mkdir(parents=True)
    (ws / "private").mkdir()
    other.mkdir()
    # Each language: an excluded file by a default glob (secrets.*), one by a configured glob,
    # one outside the workspace, and one that is read (so that the test shows imports work).
    files = {
        "ruby": ("rb", "def {name}(a)\n  'vault-{name}'\nend\n"),
        "lua": ("lua", "local function {name}(a)\n  return 'vault-{name}'\nend\n\nreturn {{ {name} = {name} }}\n"),
        "php": ("php", "<?php\nfunction {name}($a)\n{{\n    return 'vault-{name}';\n}}\n"),
    }
    for lang, (ext, body) in files.items():
        (ws / "config" / f"secrets.{ext}").write_text(body.format(name=f"{lang}_secret"))
        (ws / "private" / f"keys.{ext}").write_text(body.format(name=f"{lang}_key"))
        (other / f"billing.{ext}").write_text(body.format(name=f"{lang}_billing"))
        (ws / f"public_{lang}.{ext}").write_text(body.format(name=f"{lang}_public"))
    texts = {
        "ruby": 'require_relative "config/secrets"\nrequire "private/keys"\nrequire_relative "../other_client/billing"\n'
        'require_relative "public_ruby"\n\nruby_public(ruby_secret(ruby_key(ruby_billing(1))))\n',
        "lua": 'local s = require("config.secrets")\nlocal k = require("private.keys")\nlocal b = require("..other_client.billing")\n'
        'local p = require("public_lua")\n\np.lua_public(s.lua_secret(k.lua_key(b.lua_billing(1))))\n',
        "php": "<?php\nrequire 'config/secrets.php';\nrequire_once __DIR__ . '/private/keys.php';\n"
        "include __DIR__ . '/../other_client/billing.php';\nrequire 'public_php.php';\n\n"
        "php_public(php_secret(php_key(php_billing(1))));\n",
    }
    exclude = (*DEFAULT_EXCLUDE, "**/private/**")
    for lang, ext in (("ruby", "rb"), ("lua", "lua"), ("php", "php")):
        prompt = prompt_with_imports(ws / f"main.{ext}", texts[lang], [ws], lang, exclude)
        assert f"vault-{lang}_public" in prompt, lang
        assert "vault-" not in prompt.replace(f"vault-{lang}_public", ""), lang
    # A Lua module name cannot climb out (``..`` is no module); a file open from outside the
    # workspace (a dependency's) has its folder outside it: its neighbours are not read.
    prompt = prompt_with_imports(other / "tool.lua", 'local b = require("billing")\n\nb.lua_billing(1)\n', [ws], "lua")
    assert "vault-" not in prompt


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_c_and_cpp_includes_are_followed_from_the_folder_and_the_include_paths(tmp_path: Path) -> None:
    """`#include "x.h"` from the file's folder, then include/ and src/ of the workspace; a
    system header reads nothing (the prototypes were not in the prompt: C imports were not
    followed)."""
    _write(
        tmp_path,
        {
            "src/net/buffer.h": "int buffer_append(struct buffer *b, const char *data, size_t len);\n",
            "include/store/cache.h": "struct cache *cache_open(const char *path, int flags);\n",
            "include/stdio.h": "int vault_printf(const char *fmt);\n",  # never <stdio.h>'s stand-in
        },
    )
    text = (
        '#include <stdio.h>\n#include "buffer.h"\n#include "store/cache.h"\n\n'
        "int main(void) {\n    struct cache *c = cache_open(\"x\", 0);\n    buffer_append(b, \"a\", 1);\n"
    )
    prompt = prompt_with_imports(tmp_path / "src" / "net" / "main.c", text, [tmp_path], "c")
    assert "int buffer_append(struct buffer *b, const char *data, size_t len);" in prompt
    assert "struct cache *cache_open(const char *path, int flags);" in prompt
    cpp = '#include "store/cache.h"\n\nint run() {\n    auto c = cache_open("x", 0);\n'
    assert "cache_open(const char *path" in prompt_with_imports(tmp_path / "src" / "run.cpp", cpp, [tmp_path], "cpp")
    # <stdio.h> would be include/stdio.h by the rules (a project may shadow a header); a name
    # used near the cursor that no included file defines is not looked for elsewhere.
    assert "vault_printf" not in prompt


def test_go_imports_of_the_module_and_the_files_of_the_own_package_are_followed(tmp_path: Path) -> None:
    """A package of the module (go.mod's `module` line + the folder) is its files, tests left
    out; the document's own package (its folder) is read too, since Go uses its names with no
    import. Another module's package (a dependency) reads nothing."""
    _write(
        tmp_path,
        {
            "go.mod": "module example.com/shop\n\ngo 1.22\n",
            "internal/store/store.go": "package store\n\nfunc OpenStore(path string, readOnly bool) (*Store, error) {\n\treturn nil, nil\n}\n",
            "internal/store/store_test.go": "package store\n\nfunc OpenStore(vault int) {}\n",
            "cmd/api/routes.go": "package main\n\nfunc registerRoutes(mux *Mux, prefix string) {\n}\n",
            "vendorlike/ext.go": "package ext\n\nfunc ExtHelper(vault int) {}\n",
        },
    )
    text = (
        'package main\n\nimport (\n\t"fmt"\n\t"example.com/shop/internal/store"\n\t"example.org/other/vendorlike"\n)\n\n'
        "func main() {\n\ts, _ := store.OpenStore(\"db\", false)\n\tregisterRoutes(mux, \"/api\")\n\tvendorlike.ExtHelper(1)\n"
    )
    prompt = prompt_with_imports(tmp_path / "cmd" / "api" / "main.go", text, [tmp_path], "go")
    assert "func OpenStore(path string, readOnly bool) (*Store, error)" in prompt
    assert "func registerRoutes(mux *Mux, prefix string)" in prompt
    assert "vault" not in prompt
    # The exclusion globs hold for a package's files as for any import.
    excluded = (*DEFAULT_EXCLUDE, "**/internal/**")
    prompt = prompt_with_imports(tmp_path / "cmd" / "api" / "main.go", text, [tmp_path], "go", excluded)
    assert "OpenStore(path" not in prompt and "func registerRoutes(mux" in prompt


def test_go_imports_of_the_workspace_modules_a_go_work_or_a_replace_names_are_followed(tmp_path: Path) -> None:
    """A go.work monorepo (``use ./api``, ``use ./shared``), and a go.mod's ``replace`` by a
    folder: only the file's own module was read, and an import of the shared module's package
    brought none of its definitions. A module replaced by another version, or no module of the
    workspace, is a dependency: nothing."""
    _write(
        tmp_path,
        {
            "go.work": "go 1.22\n\nuse (\n\t./api // the service\n\t./shared\n)\n",
            "api/go.mod": "module example.com/api\n\ngo 1.22\n\nrequire example.com/shared v0.0.0\n",
            "shared/go.mod": "module example.com/shared\n",
            "shared/money/money.go": "package money\n\nfunc AddCents(a int64, b int64) (int64, error) {\n\treturn a + b, nil\n}\n",
            "tools/go.mod": "module example.com/tools\n\nreplace (\n\texample.com/fmtx v1.2.0 => ./third_party/fmtx\n\texample.com/pinned => example.com/pinned v1.0.0\n)\n",
            "tools/third_party/fmtx/go.mod": "module example.com/fmtx\n",
            "tools/third_party/fmtx/pad.go": "package fmtx\n\nfunc PadLeft(text string, width int) string {\n\treturn text\n}\n",
            "tools/pinned/pinned.go": "package pinned\n\nfunc Pinned(vault int) {}\n",
        },
    )
    text = 'package handlers\n\nimport "example.com/shared/money"\n\nfunc Total() {\n\tmoney.AddCents('
    prompt = prompt_with_imports(tmp_path / "api" / "handlers" / "total.go", text, [tmp_path], "go")
    assert "func AddCents(a int64, b int64) (int64, error)" in prompt
    text = 'package main\n\nimport (\n\t"example.com/fmtx"\n\t"example.com/pinned"\n)\n\nfunc main() {\n\tpinned.Pinned(1)\n\tfmtx.PadLeft('
    prompt = prompt_with_imports(tmp_path / "tools" / "main.go", text, [tmp_path], "go")
    assert "func PadLeft(text string, width int) string" in prompt
    assert "vault" not in prompt


def test_rust_modules_are_followed_as_rustc_finds_their_files(tmp_path: Path) -> None:
    """`mod x;` beside the module's file, `crate::a::b` under the crate's src/, `super::` from
    the parent module, `self::` from the module's own folder."""
    _write(
        tmp_path,
        {
            "Cargo.toml": '[package]\nname = "shop"\n',
            "src/config.rs": "pub fn load_config(path: &Path) -> Config {\n    todo!()\n}\n",
            "src/store/mod.rs": "pub mod backend;\n",
            "src/store/backend.rs": "pub struct Backend {\n    pub capacity: usize,\n}\n",
            "src/api/handlers.rs": "pub fn handle_order(id: u64, dry_run: bool) {\n}\n",
            "src/api/auth.rs": "pub fn check_token(token: &str) -> bool {\n    true\n}\n",
        },
    )
    text = (
        "mod handlers;\nuse crate::config::load_config;\nuse crate::store::backend::Backend;\nuse super::util;\n\n"
        "fn route() {\n    let c = load_config(p);\n    let b = Backend { capacity: 1 };\n    handlers::handle_order(1, false);\n"
    )
    # src/api.rs owns the folder src/api/: its `mod handlers;` is src/api/handlers.rs.
    prompt = prompt_with_imports(tmp_path / "src" / "api.rs", text, [tmp_path], "rust")
    assert "pub fn load_config(path: &Path) -> Config" in prompt
    assert "pub struct Backend {" in prompt
    assert "pub fn handle_order(id: u64, dry_run: bool)" in prompt
    # From src/api/handlers.rs, `super::auth` is src/api/auth.rs (api.rs's child).
    nested = "use super::auth::check_token;\n\nfn h() {\n    if check_token(t) {\n"
    assert "pub fn check_token(token: &str) -> bool" in prompt_with_imports(
        tmp_path / "src" / "api" / "handlers.rs", nested, [tmp_path], "rust"
    )


def test_java_and_kotlin_imports_are_found_in_the_source_root_of_the_file(tmp_path: Path) -> None:
    """The source root is the folder the importing file's package path starts in
    (src/main/java); a static import or a nested class is its outer class's file; a JDK class
    is no workspace file."""
    java = tmp_path / "app" / "src" / "main" / "java"
    _write(
        java,
        {
            "com/acme/store/Inventory.java": "package com.acme.store;\n\npublic class Inventory {\n    public int reserve(String sku, int quantity) {\n        return 0;\n    }\n}\n",
            "com/acme/util/Strings.java": "package com.acme.util;\n\npublic final class Strings {\n    public static String slugify(String title, char sep) {\n        return title;\n    }\n}\n",
        },
    )
    text = (
        "package com.acme.web;\n\nimport java.util.List;\nimport com.acme.store.Inventory;\n"
        "import static com.acme.util.Strings.slugify;\n\npublic class Api {\n    void order(Inventory inv) {\n"
        "        inv.reserve(slugify(name, '-'), 1);\n"
    )
    prompt = prompt_with_imports(java / "com" / "acme" / "web" / "Api.java", text, [tmp_path], "java")
    assert "public class Inventory {" in prompt
    assert "public static String slugify(String title, char sep)" in prompt
    kotlin_root = tmp_path / "app" / "src" / "main" / "kotlin"
    _write(kotlin_root, {"com/acme/money/Price.kt": "package com.acme.money\n\ndata class Price(val cents: Long, val currency: String)\n"})
    kt = "package com.acme.web\n\nimport com.acme.money.Price\nimport com.acme.store.Inventory\n\nfun total(): Price {\n    val p = Price(100, \"EUR\")\n"
    prompt = prompt_with_imports(kotlin_root / "com" / "acme" / "web" / "Total.kt", kt, [tmp_path], "kotlin")
    assert "data class Price(val cents: Long, val currency: String)" in prompt


def test_php_use_statements_are_followed_through_composer_psr4_autoload(tmp_path: Path) -> None:
    """`use App\\Models\\User;` is app/Models/User.php by composer.json's `"App\\\\": "app/"`;
    a namespace no prefix maps (a vendor package) reads nothing."""
    _write(
        tmp_path,
        {
            "composer.json": '{"autoload": {"psr-4": {"App\\\\": "app/"}}, "autoload-dev": {"psr-4": {"Tests\\\\": ["tests/"]}}}',
            "app/Models/User.php": "<?php\nnamespace App\\Models;\n\nclass User\n{\n    public function fullName(string $title): string\n    {\n        return $title;\n    }\n}\n",
            "tests/Support/Factory.php": "<?php\nnamespace Tests\\Support;\n\nclass Factory\n{\n    public static function makeUser(array $attrs): User\n    {\n    }\n}\n",
            "vendor/monolog/Logger.php": "<?php\nclass Logger\n{\n    public function vault($x) {}\n}\n",
        },
    )
    text = (
        "<?php\nnamespace App\\Http;\n\nuse App\\Models\\User;\nuse Tests\\Support\\Factory;\nuse Monolog\\Logger;\n\n"
        "function show(User $user, Logger $log) {\n    $u = Factory::makeUser([]);\n    return $user->fullName('Dr');\n"
    )
    prompt = prompt_with_imports(tmp_path / "app" / "Http" / "show.php", text, [tmp_path], "php")
    assert "public function fullName(string $title): string" in prompt
    assert "public static function makeUser(array $attrs): User" in prompt
    assert "vault" not in prompt


def test_types_of_the_own_package_are_read_from_the_files_named_after_them(tmp_path: Path) -> None:
    """Java uses its own package's classes with no import (Swift its module's, C# and PHP its
    namespace's): `OrderRepository` used in OrderService.java is OrderRepository.java beside
    it; a lower-case name or a type with no such file reads nothing."""
    pkg = tmp_path / "src" / "main" / "java" / "com" / "acme" / "orders"
    _write(
        pkg,
        {
            "OrderRepository.java": "package com.acme.orders;\n\npublic interface OrderRepository {\n    Order findById(long id, boolean forUpdate);\n}\n",
            "helpers.java": "class Vault { void vault() {} }\n",
        },
    )
    text = (
        "package com.acme.orders;\n\npublic class OrderService {\n    private final OrderRepository repo;\n"
        "    Order load(long id) {\n        helpers.run();\n        return repo.findById(id, false);\n"
    )
    prompt = prompt_with_imports(pkg / "OrderService.java", text, [tmp_path], "java")
    assert "Order findById(long id, boolean forUpdate);" in prompt
    assert "vault" not in prompt
    _write(tmp_path / "Sources" / "Shop", {"Cart.swift": "struct Cart {\n    func add(item: Item, quantity: Int) {\n    }\n}\n"})
    swift = "func checkout() {\n    var cart = Cart()\n    cart.add(item: i, quantity: 2)\n"
    prompt = prompt_with_imports(tmp_path / "Sources" / "Shop" / "Checkout.swift", swift, [tmp_path], "swift")
    assert "func add(item: Item, quantity: Int)" in prompt
    _write(tmp_path / "Billing", {"Invoice.cs": "public class Invoice\n{\n    public decimal Total(string currency) { return 0; }\n}\n"})
    cs = "public class Mailer\n{\n    void Send(Invoice invoice)\n    {\n        var t = invoice.Total(\"EUR\");\n"
    prompt = prompt_with_imports(tmp_path / "Billing" / "Mailer.cs", cs, [tmp_path], "csharp")
    assert "public decimal Total(string currency)" in prompt
    # PHP's class of its own namespace, used with no ``use`` line, in its folder (PSR-4).
    _write(
        tmp_path / "src" / "Services",
        {"Mailer.php": "<?php\nnamespace App\\Services;\n\nclass Mailer\n{\n"
         "    public function send(string $to, string $body): bool\n    {\n        return true;\n    }\n}\n"},
    )
    php = "<?php\nnamespace App\\Services;\n\nfunction signup(): void\n{\n    $m = new Mailer();\n    $m->"
    prompt = prompt_with_imports(tmp_path / "src" / "Services" / "Signup.php", php, [tmp_path], "php")
    assert "public function send(string $to, string $body): bool" in prompt, prompt



def test_a_type_an_import_binds_is_not_read_from_the_file_named_after_it(tmp_path: Path) -> None:
    """``use App\\Queue\\Mailer;`` in App\\Services\\Signup.php binds Mailer to the Queue's: the
    Services' Mailer.php beside it is another class (its send(string $to, ...) was sent with the
    Queue's, the model told of two); Java's single-type import hides its package's likewise. A
    name the import aliases (``as Log``) leaves the file's own namespace's Logger to the file
    beside it."""
    mailer = (
        "<?php\nnamespace App\\{ns};\n\nclass {cls}\n{{\n    public function send({p}): bool\n"
        "    {{\n        return true;\n    }}\n}}\n"
    )
    _write(
        tmp_path,
        {
            "composer.json": '{"autoload": {"psr-4": {"App\\\\": "src/"}}}',
            "src/Services/Mailer.php": mailer.format(ns="Services", cls="Mailer", p="string $to"),
            "src/Queue/Mailer.php": mailer.format(ns="Queue", cls="Mailer", p="array $job"),
            "src/Services/Logger.php": mailer.format(ns="Services", cls="Logger", p="int $n"),
        },
    )
    php = (
        "<?php\nnamespace App\\Services;\n\n"
        "use App\\Queue\\Mailer;\nuse Psr\\Log\\Logger as Log;\n\n"
        "function signup(): void\n{\n    $l = new Logger();\n    $m = new Mailer();\n    $m->"
    )
    signup = tmp_path / "src" / "Services" / "Signup.php"
    prompt = prompt_with_imports(signup, php, [tmp_path], "php")
    assert "send(array $job)" in prompt, prompt
    assert "send(string $to)" not in prompt, prompt
    assert "send(int $n)" in prompt, prompt
    pkg = tmp_path / "src" / "main" / "java" / "com" / "acme" / "orders"
    repo = "package com.acme.orders;\n\npublic interface Repo {\n    Order mine(long id);\n}\n"
    _write(pkg, {"Repo.java": repo})
    java = (
        "package com.acme.orders;\n\nimport com.acme.legacy.Repo;\n\npublic class OrderService {\n"
        "    private final Repo repo;\n    Order load(long id) {\n        return repo."
    )
    prompt = prompt_with_imports(pkg / "OrderService.java", java, [tmp_path], "java")
    assert "Order mine(long id);" not in prompt, prompt
    # An import of the namespace's own type (no composer.json to resolve it) hides nothing.
    (tmp_path / "composer.json").unlink()
    own = php.replace("use App\\Queue\\Mailer;", "use App\\Services\\Mailer;")
    prompt = prompt_with_imports(signup, own, [tmp_path], "php")
    assert "send(string $to)" in prompt, prompt

def _resolved(root: Path, doc: str, language: str) -> list[str]:
    """The workspace files the document's imports name, as the completion context resolves
    them (its first MAX_IMPORT_SOURCES sources)."""
    from deepseek_lsp import imports
    from deepseek_lsp.context import MAX_IMPORT_SOURCES

    path = root / doc
    store = DocumentStore(REGISTRY).open(path.as_uri(), path.read_text(), language, 1)
    index = Indexer(REGISTRY).for_document(store)
    imports._resolved.clear()
    lang = store.language
    found = imports.resolve_local_imports_cached(
        index.import_sources[:MAX_IMPORT_SOURCES], path, [root], lang.name, lang.spec.imports
    )
    return sorted(p.relative_to(root).as_posix() for p in found)


def test_rust_crate_roots_and_bare_crate_or_super_imports(tmp_path: Path) -> None:
    """`use crate::Error;` is in lib.rs, `use super::Header;` in the parent's mod.rs; a test,
    an example or a binary is a crate of its own that owns its folder; `::http` is a crate."""
    _write(
        tmp_path,
        {
            "Cargo.toml": '[package]\nname = "x"\n',
            "src/lib.rs": "pub mod task;\npub struct Error;\n",
            "src/task/mod.rs": "pub struct Header;\n",
            "src/task/harness.rs": "use super::Header;\nuse crate::Error;\nuse ::http::Extensions;\n",
            "src/http.rs": "pub struct Local;\n",
            "src/config.rs": "pub struct LibSettings;\n",
            "src/bin/tool.rs": "mod config;\nuse crate::config::Settings;\n",
            "src/bin/config.rs": "pub struct Settings;\n",
            "tests/io_read.rs": "mod support;\nuse support::mock;\n",
            "tests/support/mod.rs": "pub fn mock() {}\n",
        },
    )
    assert _resolved(tmp_path, "src/task/harness.rs", "rust") == ["src/lib.rs", "src/task/mod.rs"]
    assert _resolved(tmp_path, "src/bin/tool.rs", "rust") == ["src/bin/config.rs"]
    assert _resolved(tmp_path, "tests/io_read.rs", "rust") == ["tests/support/mod.rs"]


def test_a_rust_use_of_a_module_this_file_does_not_declare_names_a_crate(tmp_path: Path) -> None:
    """main.rs's ``use log::info`` is the log crate, not the library's src/log.rs (main.rs
    declares no ``mod log;``): that unrelated file went into the prompt. A module the file
    declares is followed as before, to its own modules too (``use cli::args::parse``)."""
    _write(
        tmp_path,
        {
            "Cargo.toml": '[package]\nname = "app"\n',
            "src/lib.rs": "pub mod log;\n",
            "src/log.rs": "pub fn rotate(keep: usize) {}\n",
            "src/cli/mod.rs": "pub mod args;\n",
            "src/cli/args.rs": "pub fn parse() {}\n",
            "src/main.rs": "#[cfg(not(test))] mod cli;\nuse cli::args::parse;\nuse log::info;\n",
        },
    )
    assert _resolved(tmp_path, "src/main.rs", "rust") == ["src/cli/args.rs", "src/cli/mod.rs"]


def test_rust_imports_of_the_packages_library_and_of_workspace_crates(tmp_path: Path) -> None:
    """An integration test's ``use my_app::config::Config`` and a binary's ``use my_app::run``
    name the package's own library (``my-app`` spelled ``my_app``), and ``shared_core::money``
    a crate of the workspace (a ``{ workspace = true }`` dependency whose path the workspace's
    Cargo.toml gives): only modules of the importing crate were read, and those brought
    nothing. A crate from the registry (serde) is none."""
    _write(
        tmp_path,
        {
            "Cargo.toml": '[workspace]\nmembers = ["app", "crates/shared"]\n\n[workspace.dependencies]\nshared-core = { path = "crates/shared" }\n',
            "app/Cargo.toml": '[package]\nname = "my-app"\n\n[dependencies]\nshared-core = { workspace = true }\nserde = "1"\n',
            "app/src/lib.rs": "pub mod config;\npub fn run() {}\n",
            "app/src/config.rs": "pub struct Config;\n",
            "app/src/main.rs": "use my_app::run;\nuse serde::Serialize;\n",
            "app/tests/config_loads.rs": "use my_app::config::Config;\nuse shared_core::money::add_cents;\n",
            "crates/shared/Cargo.toml": '[package]\nname = "shared-core"\n',
            "crates/shared/src/lib.rs": "pub mod money;\n",
            "crates/shared/src/money.rs": "pub fn add_cents(a: i64) -> i64 {\n    a\n}\n",
        },
    )
    assert _resolved(tmp_path, "app/tests/config_loads.rs", "rust") == ["app/src/config.rs", "crates/shared/src/money.rs"]
    assert _resolved(tmp_path, "app/src/main.rs", "rust") == ["app/src/lib.rs"]


def test_a_kotlin_class_annotated_on_its_line_in_a_file_named_otherwise_is_found(tmp_path: Path) -> None:
    """``@Serializable data class Order(...)`` and ``@JvmInline value class Sku(...)`` in
    Models.kt: a declaration with an annotation before it on its line was not seen, and the
    imports of those classes named nothing."""
    _write(
        tmp_path,
        {
            "src/main/kotlin/com/acme/model/Models.kt": "package com.acme.model\n\n"
            '@Serializable data class Order(val id: Long, val sku: Sku)\n\n@JvmInline value class Sku(val raw: String)\n'
            '@Deprecated("use Order") class LegacyOrder\n',
            "src/main/kotlin/com/acme/App.kt": "package com.acme\n\nimport com.acme.model.Order\nimport com.acme.model.LegacyOrder\n",
        },
    )
    assert _resolved(tmp_path, "src/main/kotlin/com/acme/App.kt", "kotlin") == ["src/main/kotlin/com/acme/model/Models.kt"]


def test_jvm_imports_across_languages_names_and_layouts(tmp_path: Path) -> None:
    """A Java file imports a Kotlin class; a Kotlin class in a file named otherwise and a
    top-level function are found by what their package's files declare; Kotlin's layout
    without the common root package folders; a local import after sixteen external ones."""
    _write(
        tmp_path,
        {
            "src/main/java/com/acme/bridge/Arguments.kt": "package com.acme.bridge\n\nobject Arguments {}\n",
            "src/main/java/com/acme/Manager.java": "package com.acme;\n\nimport com.acme.bridge.Arguments;\n",
            "src/main/java/com/acme/errors/Errors.kt": "package com.acme.errors\n\nsealed class CodedException(msg: String) : Exception(msg)\n",
            "src/main/java/com/acme/utils/DimensionUtils.kt": "package com.acme.utils\n\nfun Float.pxToDp(density: Float): Float = this / density\n",
            "src/main/java/com/acme/View.kt": "package com.acme\n\nimport com.acme.errors.CodedException\nimport com.acme.utils.pxToDp\n",
            "app/src/main/kotlin/util/Strings.kt": "package org.example.util\n\nobject Strings\n",
            "app/src/main/kotlin/App.kt": "package org.example\n\nimport org.example.util.Strings\n",
            "src/main/java/com/acme/store/Inventory.java": "package com.acme.store;\n\npublic class Inventory {}\n",
            "src/main/java/com/acme/Shop.java": "package com.acme;\n\n"
            + "".join(f"import android.widget.W{i};\n" for i in range(16))
            + "import com.acme.store.Inventory;\n",
        },
    )
    assert _resolved(tmp_path, "src/main/java/com/acme/Manager.java", "java") == ["src/main/java/com/acme/bridge/Arguments.kt"]
    assert _resolved(tmp_path, "src/main/java/com/acme/View.kt", "kotlin") == [
        "src/main/java/com/acme/errors/Errors.kt",
        "src/main/java/com/acme/utils/DimensionUtils.kt",
    ]
    assert _resolved(tmp_path, "app/src/main/kotlin/App.kt", "kotlin") == ["app/src/main/kotlin/util/Strings.kt"]
    assert _resolved(tmp_path, "src/main/java/com/acme/Shop.java", "java") == ["src/main/java/com/acme/store/Inventory.java"]


def test_php_monorepo_go_root_package_and_c_include_folders(tmp_path: Path) -> None:
    """A monorepo's package composer.json does not map a sibling package: the root one does;
    a Go import of the module's own root package; `<x.h>` is never the file beside the
    includer; compile_commands.json's -I folders are searched."""
    _write(
        tmp_path,
        {
            "composer.json": '{"autoload": {"psr-4": {"Illuminate\\\\": "src/Illuminate/"}}}',
            "src/Illuminate/Collections/composer.json": '{"autoload": {"psr-4": {"Illuminate\\\\Support\\\\": ""}}}',
            "src/Illuminate/Contracts/Support/Arrayable.php": "<?php\nnamespace Illuminate\\Contracts\\Support;\ninterface Arrayable {}\n",
            "src/Illuminate/Collections/Collection.php": "<?php\nnamespace Illuminate\\Support;\nuse Illuminate\\Contracts\\Support\\Arrayable;\n",
            "go.mod": "module example.com/shop\n",
            "shop.go": "package shop\n\nfunc Open() {}\n",
            "cmd/tool/main.go": 'package main\n\nimport "example.com/shop"\n',
            "c/enc/memory.h": "void *enc_alloc(int n);\n",
            "c/enc/encode.c": '#include <memory.h>\n#include <brotli/encode.h>\n#include "memory.h"\n',
            "c/include/brotli/encode.h": "int BrotliEncode(int q);\n",
        },
    )
    assert _resolved(tmp_path, "src/Illuminate/Collections/Collection.php", "php") == [
        "src/Illuminate/Contracts/Support/Arrayable.php"
    ]
    assert _resolved(tmp_path, "cmd/tool/main.go", "go") == ["shop.go"]
    # Without a compilation database: only the quoted include, from the file's folder.
    assert _resolved(tmp_path, "c/enc/encode.c", "c") == ["c/enc/memory.h"]
    (tmp_path / "build").mkdir()
    entry = {"directory": tmp_path.as_posix(), "file": "c/enc/encode.c", "arguments": ["cc", "-I", "c/include", "-Ic/enc", "-c", "c/enc/encode.c"]}
    (tmp_path / "build" / "compile_commands.json").write_text(json.dumps([entry]))
    assert _resolved(tmp_path, "c/enc/encode.c", "c") == ["c/enc/memory.h", "c/include/brotli/encode.h"]


def test_dunder_names_bring_no_constructors_of_every_class(tmp_path: Path) -> None:
    """``__init__`` near the cursor (``def __init__``, ``super().__init__``) was looked up by its
    name: eight classes' constructors took the eight places, and the function called on the line
    above was left out. A constructor comes with its class, looked up when its name is used."""
    kinds = ["Request", "Response", "Headers", "Cookies", "Timeout", "Limits", "Proxy", "Auth"]
    for kind in kinds:
        (tmp_path / f"{kind.lower()}.py").write_text(
            f"class {kind}:\n    def __init__(self, value=None):\n        self.{kind.lower()} = value\n"
        )
    (tmp_path / "payload.py").write_text("def build_payload(method: str, url: str) -> dict:\n    return {}\n")
    text = "".join(f"from .{k.lower()} import {k}\n" for k in kinds) + (
        "from .payload import build_payload\n\n\nclass Client(Request):\n    def __init__(self, url):\n"
        "        self.payload = build_payload('GET', url)\n        super().__init__(url)\n        "
    )
    snippets = gather(tmp_path / "client.py", text, [tmp_path])
    assert any(s.text.startswith("def build_payload(") for s in snippets)
    assert not [s for s in snippets if s.text.startswith("def __init__")]
    assert any(s.text.startswith("class Request:\n    def __init__(self, value=None):") for s in snippets)


def test_a_name_gets_two_definitions_at_most_those_of_the_files_it_comes_from_first(tmp_path: Path) -> None:
    """Every definition of a name was sent, name by name: five modules' ``parse`` and ``close``
    took the eight places, and ``load_settings``, called two lines up, had none. A document open
    in the editor but not imported came before the module the name was imported from."""
    for fmt in ("csv", "json", "toml", "xml", "yaml"):
        (tmp_path / f"reader_{fmt}.py").write_text(
            f"def parse(data):\n    return data.split('{fmt}')\n\n\ndef close(handle):\n    handle.close('{fmt}')\n"
        )
    (tmp_path / "settings.py").write_text("def load_settings(path: str, strict: bool = True) -> dict:\n    return {}\n")
    store = DocumentStore(REGISTRY)
    unrelated = store.open("file:///elsewhere/other.py", "def parse(text, *, strict):\n    return text\n", "python", 1)
    text = (
        "from .settings import load_settings\nfrom .reader_json import parse, close\n"
        "from . import reader_csv, reader_toml, reader_xml, reader_yaml\n\n\n"
        "def read_all(path):\n    config = load_settings(path)\n    data = parse(config)\n    close(data)\n    return "
    )
    snippets = gather(tmp_path / "main.py", text, [tmp_path], store=store, other_docs=[unrelated])
    assert any(s.text.startswith("def load_settings(") for s in snippets)
    for name in ("parse", "close"):
        found = sorted((s for s in snippets if s.text.startswith(f"def {name}(")), key=lambda s: s.rank)
        assert 1 <= len(found) <= 2, [s.path for s in found]
        assert found[0].path == "reader_json.py"  # the module it was imported from, before the open one


def test_names_without_a_definition_take_no_place_among_those_looked_up(tmp_path: Path) -> None:
    """Only the 24 names nearest the cursor were looked up, locals or not: 28 local variables
    between the cursor and ``make_square``, imported and called 15 lines up, left it out."""
    (tmp_path / "shapes.py").write_text("def make_square(side: float) -> dict:\n    return {'kind': 'square'}\n")
    locals_ = "".join(f"    value_{i} = value_{i - 1} + 1\n" for i in range(1, 29))
    text = (
        "from .shapes import make_square\n\n\ndef build(side):\n    square = make_square(side)\n    value_0 = 0\n"
        + locals_
        + "    return "
    )
    snippets = gather(tmp_path / "main.py", text, [tmp_path])
    assert any(s.text.startswith("def make_square(side: float)") for s in snippets)


def test_the_budget_keeps_the_definitions_of_the_nearest_names_laid_out_in_order(tmp_path: Path) -> None:
    """The extra context's budget was filled in (path, line) order: what did not fit was the
    last in that order, not the farthest from the cursor (alpha_4, used on the line above,
    rather than alpha_0; in the corpus, z_money.py's format_price). Laid out in that order still.
    What does not fit whole comes as its signature (it was left out)."""
    long_body = "".join(f"    step_{k} = value * {k} + offset - {k} // 3  # a long line of arithmetic to fill tokens\n"
                        for k in range(11))  # fmt: skip
    (tmp_path / "a_helpers.py").write_text(
        "".join(f"def alpha_{i}(value, offset):\n{long_body}    return step_0\n\n\n" for i in range(5))
    )
    (tmp_path / "z_money.py").write_text("def format_price(cents: int, currency: str = 'EUR') -> str:\n    return ''\n")
    text = (
        "from .a_helpers import alpha_0, alpha_1, alpha_2, alpha_3, alpha_4\nfrom .z_money import format_price\n\n\n"
        "def invoice(value, offset):\n    total = alpha_0(value, offset) + alpha_1(value, offset) + alpha_2(value, offset)\n"
        "    total += alpha_3(value, offset) + alpha_4(value, offset)\n    label = format_price(total)\n    return "
    )
    prompt = prompt_with_imports(tmp_path / "main.py", text, [tmp_path], "python")
    assert "# def format_price(cents: int, currency: str = 'EUR') -> str:" in prompt
    assert "# def alpha_4(value, offset):\n#     step_0 = value * 0" in prompt
    # Used farthest up: the ones cut to their signature.
    assert "# def alpha_0(value, offset):\n# …\n" in prompt
    assert "# def alpha_1(value, offset):\n# …\n" in prompt
    assert prompt.count("#     step_0 = value * 0") == 3
    head = prompt[: prompt.index("# Path: main.py")]
    paths = [line for line in head.splitlines() if line.startswith("# Path: ")]
    assert paths == sorted(paths) and paths[-1] == "# Path: z_money.py"


def test_an_imported_name_used_in_the_window_beyond_the_nearest_names_is_looked_up(tmp_path: Path) -> None:
    """Only identifiers 1,500 bytes around the cursor were looked up: ``encode_frame``, imported
    and called 24 lines up, in the prompt's window, had no definition sent."""
    (tmp_path / "frames.py").write_text(
        "def encode_frame(kind: int, payload: bytes) -> bytes:\n    return bytes([kind]) + payload\n\n\n"
        "def decode_frame(data: bytes) -> tuple:\n    return data[0], data[1:]\n"
    )
    filler = "".join(f"    log.debug('step {i} of the handshake, nothing to see here: %s', state_{i})\n" for i in range(24))
    text = (
        "from .frames import decode_frame, encode_frame\n\n\ndef handshake(sock, log):\n"
        "    sock.send(encode_frame(1, b'hello'))\n" + filler + "    sock.send("
    )
    snippets = gather(tmp_path / "main.py", text, [tmp_path])
    assert len(text) - text.index("encode_frame(1") > 1500
    assert any(s.text.startswith("def encode_frame(") for s in snippets)


IDENTITY_JS = (
    "'use strict';\n\n"
    + "".join(f"const is{k} = (node) => !!node && node.type === '{k.upper()}';\n" for k in ("Scalar", "Map", "Seq", "Pair", "Node"))
    + "".join(f"exports.is{k} = is{k};\n" for k in ("Scalar", "Map", "Seq", "Pair", "Node"))
)


def _walk_filler(lines: int) -> str:
    return "".join(f"    log.debug('step {i} of the walk, nothing to see here: %s', state_{i});\n" for i in range(lines))


def test_a_member_of_a_module_imported_whole_used_in_the_window_beyond_the_nearest_names_is_looked_up(
    tmp_path: Path,
) -> None:
    """yaml's ``var identity = require('../nodes/identity.js')`` and ``identity.isScalar(node)``
    30 lines up: the import statement names the module alone, so ``isScalar`` was no imported
    name, and only a use within names_near's 1,500 bytes had its definition sent. Also where the
    module's name is one of its definitions too (``var Scalar = require('./Scalar.js')``, whose
    class is ``Scalar.Scalar``), and Python's ``from . import frames``."""
    (tmp_path / "identity.js").write_text(IDENTITY_JS)
    (tmp_path / "Scalar.js").write_text(
        "'use strict';\n\nconst isScalarValue = (value) => value === null || typeof value !== 'object';\n"
        "class Scalar {\n    constructor(value) {\n        this.value = value;\n    }\n}\n\n"
        "exports.Scalar = Scalar;\nexports.isScalarValue = isScalarValue;\n"
    )
    # Members the file uses more, all out of the window: ``isScalar`` is there for its use.
    elsewhere = "".join(f"function {k}Of(n) {{ return identity.is{k}(n) || identity.is{k}(n.value); }}\n" for k in ("Map", "Seq", "Pair"))
    text = (
        "'use strict';\n\nvar identity = require('./identity.js');\nvar Scalar = require('./Scalar.js');\n\n"
        + elsewhere + "\n" + "// filler\n" * 800 + "function walk(node, log) {\n"
        + "    if (identity.isScalar(node) && Scalar.isScalarValue(node.value))\n        return node.value;\n"
        + _walk_filler(24) + "    return "
    )
    assert len(text) - text.index("isScalar(node)") > 1500
    assert len(text) - text.index("function MapOf") > 6000
    heads = [s.text.split(" =")[0] for s in gather(tmp_path / "main.js", text, [tmp_path], "javascript")]
    assert "const isScalar" in heads and "const isScalarValue" in heads
    assert "const isNode" not in heads  # the file never uses it
    (tmp_path / "frames.py").write_text(
        "def encode_frame(kind: int, payload: bytes) -> bytes:\n    return bytes([kind]) + payload\n"
    )
    py_text = (
        "from . import frames\n\n\ndef handshake(sock, log):\n    sock.send(frames.encode_frame(1, b'hi'))\n"
        + _walk_filler(24).replace(";\n", "\n") + "    sock.send("
    )
    assert any(s.text.startswith("def encode_frame(") for s in gather(tmp_path / "main.py", py_text, [tmp_path]))
    # A member named beyond ASCII (read ``[A-Za-z_]`` first, ``frames.größe`` was ``gr``).
    (tmp_path / "frames.py").write_text("def größe(frame: bytes) -> int:\n    return len(frame)\n")
    py_text = py_text.replace("frames.encode_frame(1, b'hi')", "frames.größe(b'hi')")
    assert any(s.text.startswith("def größe(") for s in gather(tmp_path / "main.py", py_text, [tmp_path]))


def test_a_member_of_a_module_imported_whole_below_many_imports_is_looked_up(tmp_path: Path) -> None:
    """``import * as api from './api'`` below ten imports and ``api.fetchUser(...)`` beyond
    names_near's span: only the first 32 words of the import statements were looked at
    (``import``, ``from``, each path's words), and past seven imports of two names no module's
    member was looked up at all."""
    (tmp_path / "api.js").write_text("export function fetchUser(id, options) {\n  return fetch('/users/' + id, options);\n}\n")
    heads = "".join(f"import {{ helper{i}A, helper{i}B }} from './lib/helpers_{i}';\n" for i in range(10))
    text = (
        heads + "import * as api from './api';\n\nfunction walk(node, log) {\n    const user = api.fetchUser(node.id, {});\n"
        + _walk_filler(24) + "    return "
    )
    texts = [s.text for s in gather(tmp_path / "main.js", text, [tmp_path], "javascript")]
    assert any(t.startswith("function fetchUser(") for t in texts)


def test_a_member_of_a_module_not_in_the_workspace_is_no_local_definition_of_its_name(tmp_path: Path) -> None:
    """``json.dumps(record)`` and ``path.join(dir, name)`` beyond names_near's span: the module
    is the standard library's, so the workspace's own ``dumps`` and ``join`` (a local module's,
    imported for another name) are other functions; they were sent as the ones called."""
    (tmp_path / "store.py").write_text("def dumps(record) -> str:\n    return 'LOCAL'\n\n\ndef save(record):\n    pass\n")
    text = (
        "import json\nfrom .store import save\n\n\ndef handle(record, log):\n    body = json.dumps(record)\n"
        + _walk_filler(24).replace(";\n", "\n") + "    save("
    )
    texts = [s.text for s in gather(tmp_path / "main.py", text, [tmp_path])]
    assert any(t.startswith("def save(") for t in texts)
    assert not any(t.startswith("def dumps(") for t in texts)
    (tmp_path / "util.js").write_text(
        "function join(a, b) { return a + '/' + b; }\nfunction keep(x) { return x; }\nmodule.exports = { join, keep };\n"
    )
    text = (
        "const path = require('path');\nconst { keep } = require('./util');\n\nfunction walk(node, log) {\n"
        "    const p = path.join(node.dir, node.name);\n" + _walk_filler(24) + "    return keep("
    )
    texts = [s.text for s in gather(tmp_path / "main.js", text, [tmp_path], "javascript")]
    assert any(t.startswith("function keep(") for t in texts)
    assert not any(t.startswith("function join(") for t in texts)
    # A module of the workspace's, imported whole, still has its members looked up.
    text = text.replace("require('path')", "require('./util')")
    texts = [s.text for s in gather(tmp_path / "main.js", text, [tmp_path], "javascript")]
    assert any(t.startswith("function join(") for t in texts)
    # Go: the package's other files are the document's without an import, not strings's.
    go = tmp_path / "go"
    go.mkdir()
    (go / "go.mod").write_text("module example.com/m\n\ngo 1.21\n")
    (go / "helpers.go").write_text(
        "package main\n\nfunc Join(parts []string, sep string) string {\n\treturn \"LOCAL\"\n}\n\n"
        "func keep(x int) int {\n\treturn x\n}\n"
    )
    text = (
        'package main\n\nimport (\n\t"log"\n\t"strings"\n)\n\nfunc walk(parts []string) int {\n'
        '\tp := strings.Join(parts, ",")\n' + _walk_filler(24).replace("    ", "\t").replace(";\n", "\n") + "\treturn keep("
    )
    texts = [s.text for s in gather(go / "main.go", text, [go], "go")]
    assert any(t.startswith("func keep(") for t in texts)
    assert not any(t.startswith("func Join(") for t in texts)
    # One of the module's own packages is.
    (go / "shapes").mkdir()
    (go / "shapes" / "shapes.go").write_text("package shapes\n\nfunc Join(sides []int) int {\n\treturn len(sides)\n}\n")
    text = text.replace('"strings"', '"example.com/m/shapes"').replace("strings.Join", "shapes.Join")
    texts = [s.text for s in gather(go / "main.go", text, [go], "go")]
    assert any(t.startswith("func Join(sides") for t in texts)
    # Each module of a statement that imports several is its own: strings's Join is not the
    # local package's imported beside it.
    text = text.replace('"example.com/m/shapes"', '"example.com/m/shapes"\n\t"strings"').replace("shapes.Join", "strings.Join")
    texts = [s.text for s in gather(go / "main.go", text, [go], "go")]
    assert not any(t.startswith("func Join(") for t in texts)
    text = "import json, store\n\n\ndef handle(record, log):\n    body = json.dumps(record)\n" + _walk_filler(24).replace(";\n", "\n") + "    store.save("
    texts = [s.text for s in gather(tmp_path / "main.py", text, [tmp_path])]
    assert any(t.startswith("def save(") for t in texts)
    assert not any(t.startswith("def dumps(") for t in texts)


def test_a_name_imported_and_used_nowhere_yet_comes_after_the_names_in_use(tmp_path: Path) -> None:
    """A name the file imports and uses nowhere is imported for the code being written (the
    recall benchmark's ``is_socket_readable``, imported at the top and called in the line being
    typed): its definition comes, after those of the names in use. One used elsewhere in the
    file, out of the window, does not."""
    (tmp_path / "frames.py").write_text(
        "def encode_frame(kind: int, payload: bytes) -> bytes:\n    return bytes([kind]) + payload\n\n\n"
        "def decode_frame(data: bytes) -> tuple:\n    return data[0], data[1:]\n\n\n"
        "def frame_size(data: bytes) -> int:\n    return len(data)\n"
    )
    filler = "".join(f"    log.debug('step {i} of the handshake, nothing to see here: %s', state_{i})\n" for i in range(80))
    text = (
        "from .frames import decode_frame, encode_frame, frame_size\n\n\n"
        "def measure(data):\n    return frame_size(data)\n\n\n"
        "def handshake(sock, log):\n" + filler + "    sock.send(encode_frame(1, b'hello'))\n    reply = "
    )
    assert len(text) - text.index("frame_size(data)") > 6000  # out of the window
    snippets = gather(tmp_path / "main.py", text, [tmp_path])
    ranks = {s.text.split("(")[0]: s.rank for s in snippets}
    assert ranks["def encode_frame"] < ranks["def decode_frame"]
    assert "def frame_size" not in ranks
    # Used under another name: in use.
    aliased = text.replace("frame_size\n", "frame_size as size_of\n").replace("frame_size(data)", "size_of(data)")
    assert "def frame_size" not in {s.text.split("(")[0] for s in gather(tmp_path / "main.py", aliased, [tmp_path])}


def test_a_method_sent_inside_its_class_is_not_sent_again(tmp_path: Path) -> None:
    """``reader.parse(...)`` beside ``CSVReader``: the class's snippet shows ``parse``, and the
    method came again on its own, a place taken for nothing."""
    (tmp_path / "reader_csv.py").write_text(
        "class CSVReader:\n    def parse(self, data):\n        return data.split(',')\n\n"
        "    def close(self):\n        self.handle.close()\n"
    )
    text = "from .reader_csv import CSVReader\n\n\ndef read(path):\n    reader = CSVReader()\n    rows = reader.parse(path)\n    "
    snippets = gather(tmp_path / "main.py", text, [tmp_path])
    assert [s.text.splitlines()[0] for s in snippets] == ["class CSVReader:"]


def test_definitions_past_the_eight_places_come_as_their_signatures(tmp_path: Path) -> None:
    """Twelve imported functions called near the cursor: the eight nearest were sent whole and
    the other four not at all, arguments and all (a quarter of the recall benchmark's misses).
    They come as their signatures; a method whose class is sent whole does not come again."""
    (tmp_path / "steps.py").write_text(
        "".join(
            f"def step_{i}(payload: bytes, *, retries: int = {i}) -> bytes:\n"
            f"    checked = payload.strip()\n    return checked * {i}\n\n\n"
            for i in range(12)
        )
        + "class Pipeline:\n    def run(self, payload: bytes) -> bytes:\n        return payload\n"
    )
    calls = "".join(f"    data = step_{i}(data)\n" for i in range(12))
    text = (
        "from .steps import Pipeline, " + ", ".join(f"step_{i}" for i in range(12)) + "\n\n\n"
        "def process(data):\n" + calls + "    Pipeline().run(data)\n    return "
    )
    snippets = gather(tmp_path / "main.py", text, [tmp_path])
    whole = [s for s in snippets if s.kind == "definition"]
    signatures = [s for s in snippets if s.kind == "signature"]
    assert len(whole) == 8
    assert "class Pipeline:\n    def run(self, payload: bytes) -> bytes:" in "\n".join(s.text for s in whole)
    heads = {s.text.splitlines()[0] for s in whole + signatures}
    assert {f"def step_{i}(payload: bytes, *, retries: int = {i}) -> bytes:" for i in range(12)} <= heads
    for s in signatures:
        assert s.text.endswith(":\n…") and "checked" not in s.text
        assert max(w.rank for w in whole) < s.rank
    assert not any(s.text.startswith("    def run(") for s in snippets)  # inside Pipeline's
    prompt = prompt_with_imports(tmp_path / "main.py", text, [tmp_path], "python")
    assert "# def step_0(payload: bytes, *, retries: int = 0) -> bytes:\n# …\n" in prompt


def _signatures(path: str, text: str, language: str) -> dict[str, str]:
    doc = DocumentStore(REGISTRY).open(f"file:///ws/{path}", text, language, 1)
    index = Indexer(REGISTRY).for_document(doc)
    assert index is not None
    return {name: ds[0].signature for name, ds in index.definitions.items()}


def test_a_signature_is_the_definition_up_to_its_body_in_every_shape() -> None:
    """Signatures read up to the body. Without a body, a function is all signature (a
    TypeScript overload, a trait's method: cut to its first line, they lost their arguments), a
    constant is its own line after its comment (it was the comment alone), a one-liner is
    whole; a file with CRLF line ends cut at twelve lines kept a body's first characters."""
    ts_sigs = _signatures(
        "rows.ts",
        "export function fetchRows(\n  table: string,\n): Promise<Row[]>;\n"
        "export const h = (x: number): number => {\n  return x\n}\n",
        "typescript",
    )
    assert ts_sigs["fetchRows"] == "function fetchRows(\n  table: string,\n): Promise<Row[]>;"
    assert ts_sigs["h"] == "const h = (x: number): number =>\n…"
    rust = _signatures(
        "lib.rs", "pub struct Meters(pub f64);\ntrait T {\n  fn find(\n    id: u32,\n  ) -> u32;\n}\n", "rust"
    )
    assert rust["Meters"] == "pub struct Meters(pub f64);"
    assert rust["find"] == "fn find(\n    id: u32,\n  ) -> u32;"
    py = _signatures(
        "conf.py",
        "#: seconds before giving up\nTIMEOUT = 5\nCONFIG = {\n    'a': 1,\n}\n"
        "@property\ndef name(self,\n        x) -> str:\n    return 1\n",
        "python",
    )
    assert py["TIMEOUT"] == "#: seconds before giving up\nTIMEOUT = 5"
    assert py["CONFIG"] == "CONFIG = {\n…"
    assert py["name"] == "@property\ndef name(self,\n        x) -> str:\n…"
    body = "".join(f"    step_{i} = {i}\r\n" for i in range(14))
    crlf = _signatures("long.py", f"def alpha(value,\r\n          offset):\r\n{body}", "python")
    assert crlf["alpha"] == "def alpha(value,\n          offset):\n…"


def test_names_imported_and_not_used_yet_leave_the_recent_edits_their_place(tmp_path: Path) -> None:
    """Ten imported helpers, two of them called: the eight whole places went to the two and to
    six not used yet, and the edit just made in another file was left out."""
    (tmp_path / "helpers.py").write_text("".join(f"def helper_{i}(a, b):\n    return a + b + {i}\n\n\n" for i in range(10)))
    store = DocumentStore(REGISTRY)
    other = store.open((tmp_path / "notes.py").as_uri(), "x = 1\ny = 2\n", "python", 1)
    text = (
        "from .helpers import " + ", ".join(f"helper_{i}" for i in range(10)) + "\n\n\n"
        + "".join(f"def unrelated_{i}(value):\n    return value * {i} + len(str(value)) - {i} // 2\n\n\n" for i in range(30))
        + "def run(a, b):\n    total = helper_0(a, b)\n    total += helper_1(a, b)\n    return "
    )
    assert len(text) - text.index("\n") > 1500  # the import statement is not among the names near
    doc = store.open((tmp_path / "main.py").as_uri(), text, "python", 1)
    offset = len(doc.data)
    names = names_near(doc.language, doc.tree, doc.data, offset)
    req = ContextRequest(
        doc, offset, [other], [(other.uri, 2)], [tmp_path], DEFAULT_EXCLUDE, time.monotonic() + 5, open_uris=store
    )
    snippets = gather_snippets(Indexer(REGISTRY), req, (0, offset), names)
    edit = next(s for s in snippets if s.kind == "recent-edit")
    ranks = {s.text.split("(")[0]: s.rank for s in snippets if s.kind != "recent-edit"}
    assert ranks["def helper_0"] < edit.rank and ranks["def helper_1"] < edit.rank
    assert all(ranks[f"def helper_{i}"] > edit.rank for i in range(2, 10) if f"def helper_{i}" in ranks)
    assert len([s for s in snippets if s.kind != "signature"]) == 8


def test_a_class_too_long_to_send_whole_is_its_outline() -> None:
    """A long class's snippet was its first twelve lines: a docstring, a constructor's body, and
    none of the methods a call needs. It is its header, its docstring's first line (what the
    class is for) and its members' signatures, a line each:
    special methods but the constructor left out, a nested class's members left out, comments
    left out (a parameter's swallowed the rest), decorators kept (``@property``: no call); a
    class with one or two members keeps its first lines. A module's ``TIMEOUT = 5`` is not
    "inside" the outline's ``DEFAULT_TIMEOUT = 50`` (it was dropped as sent already)."""
    docstring = "".join(f"    line {i} of a long docstring.\n" for i in range(14))
    text = (
        f'class Mailbox(Base):\n    """\n{docstring}    """\n\n'
        "    def __init__(self, path,  # where the files are\n                 create=True):\n        self.path = path\n\n"
        "    @property\n    def size(self) -> int:\n        return 0\n\n"
        "    def __repr__(self):\n        return 'Mailbox'\n\n"
        "    def get_message(self, key: str) -> Message:\n        # read it from disk\n        return self._read(key)\n\n"
        "    class Error(Exception):\n        def explain(self):\n            return 'no'\n\n"
        "    async def lock(self, *, timeout: float = 5.0) -> None:\n        pass\n"
    )
    sigs = _signatures("mailbox.py", text, "python")
    index = Indexer(REGISTRY).for_document(python_doc("file:///ws/mailbox.py", text))
    assert index is not None
    outline = [
        "class Mailbox(Base):",
        '    """line 0 of a long docstring. …"""',
        "    def __init__(self, path, create=True): …",
        "    @property def size(self) -> int: …",
        "    def get_message(self, key: str) -> Message: …",
        "    class Error(Exception): …",
        "    async def lock(self, *, timeout: float = 5.0) -> None: …",
    ]
    assert index.definitions["Mailbox"][0].text == "\n".join(outline)
    # Its signature: the header, the docstring's first line and the first four members.
    assert sigs["Mailbox"] == "\n".join([*outline[:6], "…"])
    # No longer than the twelve lines it stands for (twelve long signatures took the budget).
    params = ", ".join(f"argument_{k}: Mapping[str, Sequence[int]] | None = None" for k in range(3))
    wide = "class Wide:\n" + "".join(f"    def method_{i}(self, {params}) -> None:\n        pass\n" for i in range(12))
    outline = Indexer(REGISTRY).for_document(python_doc("file:///ws/wide.py", wide)).definitions["Wide"][0].text
    assert outline.startswith("class Wide:\n    def method_0(self, argument_0") and outline.endswith("\n… method_11")
    assert len(outline) <= len("\n".join(wide.splitlines()[:12]) + "\n…")
    short = f'class Small:\n    """\n{docstring}    """\n\n    def one(self):\n        return 1\n'
    store = DocumentStore(REGISTRY)
    module = f'TIMEOUT = 5\n\n\nclass Client:\n    """\n{docstring}    """\n    DEFAULT_TIMEOUT = 50\n\n'
    module += "    def get(self, url):\n        return url\n\n    def post(self, url, body):\n        return body\n"
    client = store.open("file:///ws/client.py", module, "python", 1)
    doc = store.open("file:///ws/main.py", "def run(c: Client):\n    c.get(TIMEOUT)\n", "python", 1)
    req = ContextRequest(doc, len(doc.data), [client], [], [], DEFAULT_EXCLUDE, time.monotonic() + 5, open_uris=store)
    sent = [s.text for s in gather_snippets(Indexer(REGISTRY), req, (0, len(doc.data)), ["TIMEOUT", "get", "Client"])]
    assert "TIMEOUT = 5" in sent and any(t.startswith('class Client:\n    """line 0 of a long docstring. …"""\n    DEFAULT_TIMEOUT = 50\n') for t in sent)
    assert Indexer(REGISTRY).for_document(python_doc("file:///ws/small.py", short)).definitions["Small"][0].text.startswith(
        'class Small:\n    """\n    line 0'
    )


def test_a_class_with_a_long_docstring_is_outlined_by_the_members_an_importer_calls() -> None:
    """httpx's ``Client``: its twelve lines are its docstring, and its outline (header, summary,
    the constructor's 160 characters) did not fit in them: the docstring was sent, none of its
    methods. Its outline is sent, in a room of its own (``OUTLINE_ROOM``): the public methods'
    signatures (a ``_private`` helper is no importer's), with the docstring's line where three
    of them fit with it."""
    import httpx

    source = (Path(httpx.__file__).parent / "_client.py").read_text()
    index = Indexer(REGISTRY).for_document(python_doc("file:///ws/_client.py", source))
    assert index is not None
    text = index.definitions["Client"][0].text
    lines = text.splitlines()
    assert lines[0] == "class Client(BaseClient):" and lines[-1].startswith("… ")
    methods = [line.split("(")[0].strip() for line in lines if line.startswith("    def ")]
    assert methods[:3] == ["def __init__", "def request", "def stream"]
    assert lines[1] == '    """An HTTP client, with connection pooling, HTTP/2, redirects, cookie persistence, etc. …"""'
    assert ">>> client" not in text and "_transport_for_url" not in text
    assert len(lines) <= MAX_DEFINITION_LINES + 1 and len(text) <= OUTLINE_ROOM


def test_an_outlined_class_s_long_signatures_keep_their_parameters_names_and_return_type() -> None:
    """httpx's ``Client``: each signature was cut at 160 characters, mid-annotation, with no
    return type (``def request( self, method: str, url: URL | str, *, content: RequestContent |
    None = None, … js …``), and three such lines filled the outline's room: ``get`` and ``post``,
    the calls an importer makes, were not in it. Annotations, then defaults, then the last
    parameters go before the cut, the return type kept; the members with no room are named."""
    import httpx

    source = (Path(httpx.__file__).parent / "_client.py").read_text()
    text = Indexer(REGISTRY).for_document(python_doc("file:///ws/_client.py", source)).definitions["Client"][0].text
    lines = text.splitlines()
    request = next(line for line in lines if line.startswith("    def request("))
    assert request.startswith("    def request(self, method, url, *, content, data, files, json,"), request
    assert request.endswith(") -> Response: …"), request
    assert lines[-1].startswith("… ") and {"get", "post"} <= set(lines[-1][2:].split(", ")), lines[-1]
    assert len(text) <= OUTLINE_ROOM
    # A short enough signature keeps its annotations; a Java one its parameters' types.
    params = ", ".join(f"argument_{k}: Mapping[str, Sequence[int]] | None = None" for k in range(3))
    wide = "class Wide:\n" + "".join(f"    def method_{i}(self, {params}) -> Result:\n        pass\n" for i in range(12))
    outline = Indexer(REGISTRY).for_document(python_doc("file:///ws/wide.py", wide)).definitions["Wide"][0].text
    assert "    def method_0(self, argument_0=None, argument_1=None, argument_2=None) -> Result: …" in outline
    assert "    def method_0(self, argument_0: Mapping" not in outline
    java_params = ", ".join(f"Map<String, List<Integer>> argument{k}" for k in range(5))
    java = "public class Wide {\n" + "".join(
        f"    public Result method{i}({java_params}) {{\n        return null;\n    }}\n" for i in range(12)
    ) + "}\n"
    store = DocumentStore(REGISTRY)
    outline = Indexer(REGISTRY).for_document(store.open("file:///ws/Wide.java", java, "java", 1)).definitions["Wide"][0].text
    assert "    public Result method0(Map<String, List<Integer>> argument0, Map<String, List<Integer>> argument1," in outline, outline


def _long_base(tmp_path: Path) -> str:
    """A module of a class too long to send whole, with public and ``_private`` members."""
    docstring = "".join(f"    line {i} of a long docstring.\n" for i in range(14))
    members = "".join(f"    def fetch_{i}(self, key):\n        return self._cached(key)\n\n" for i in range(4))
    members += "    def _cached(self, key):\n        return key\n\n    def _evict(self, key, *, now):\n        pass\n"
    (tmp_path / "store.py").write_text(f'class Store:\n    """\n{docstring}    """\n\n{members}')
    return "from .store import Store\n\n\n"


@pytest.mark.parametrize(
    ("at", "private"),
    [
        ("class Cache(Store):\n    def drop(self, key):\n        self._‸\n", True),
        ("class Cache(Store):\n    def drop(self, key):\n        self.‸\n", True),
        ("def drop(store: Store, key):\n    store._‸\n", True),
        ("def drop(store: Store, key):\n    store.fe‸\n", False),
    ],
    ids=["subclass-self-underscore", "subclass-self-dot", "typed-underscore", "importer"],
)
def test_an_outline_shows_private_members_in_a_subclass_or_after_a_typed_underscore(
    tmp_path: Path, at: str, private: bool
) -> None:
    """A class's outline left its ``_private`` helpers out, as no importer's: in a subclass
    (``self._``) they are the code's own to call, and after a typed ``_`` they are what is
    typed; an importer's ``store.fe`` still gets the public ones alone."""
    text = _long_base(tmp_path) + at.replace("‸", "")
    store = DocumentStore(REGISTRY)
    doc = store.open((tmp_path / "main.py").as_uri(), text, "python", 1)
    offset = len((_long_base(tmp_path) + at.split("‸")[0]).encode())
    req = ContextRequest(doc, offset, [], [], [tmp_path], DEFAULT_EXCLUDE, time.monotonic() + 5, open_uris=store)
    names = names_near(doc.language, doc.tree, doc.data, offset)
    sent = [s.text for s in gather_snippets(Indexer(REGISTRY), req, (0, offset), names)]
    outline = next((t for t in sent if t.startswith("class Store:")), None)
    assert outline is not None, sent
    assert ("def _cached(self, key): …" in outline and "def _evict(self, key, *, now): …" in outline) == private, outline
    assert "def fetch_0(self, key): …" in outline


def test_a_javascript_class_s_outline_leaves_its_private_members_for_its_own_code() -> None:
    """JavaScript's ``#field`` and ``_helper`` and TypeScript's ``private`` methods were listed
    in an importer's outline, where ``#`` ones cannot even be called."""
    store = DocumentStore(REGISTRY)
    for language, ext, private in (("javascript", "js", "  #secret(a) …"), ("typescript", "ts", "  private secret(a: number) …")):
        body = "".join(f"  method{i}(a, b = {{ retries: 3 }}) {{\n    return a;\n  }}\n" for i in range(8))
        body += "  _helper(a) {\n    return a;\n  }\n" + private.replace(" …", " {\n    return a;\n  }\n")
        doc = store.open(f"file:///ws/wide.{ext}", f"export class Wide {{\n{body}}}\n", language, 1)
        index = Indexer(REGISTRY).for_document(doc)
        assert index is not None
        wide = index.definitions["Wide"][0]
        assert "  method0(a, b = { retries: 3 }) …" in wide.text and "_helper" not in wide.text, wide.text
        assert private.strip() not in wide.text, wide.text
        assert "  _helper(a) …" in wide.private_text and private in wide.private_text, wide.private_text


def test_an_outlined_class_shows_its_docstrings_first_line_whatever_its_quotes() -> None:
    """The outline's second line says what the class is for: the docstring's first line, one
    line whatever its quotes, ``…`` when it goes on; a class whose body starts with code has
    none."""
    members = "".join(f"    def method_{i}(self):\n        return {i}\n\n" for i in range(6))
    cases = [
        ('    r"""Raw summary.\n\n    More.\n    """\n', '    """Raw summary. …"""'),
        ("    'One line only.'\n", "    'One line only.'"),
        ("    '''Summary here.'''\n", "    '''Summary here.'''"),
        ("    limit = 3\n", None),
    ]
    for first, expected in cases:
        text = f"class Box:\n{first}{members}"
        outline = Indexer(REGISTRY).for_document(python_doc("file:///ws/box.py", text)).definitions["Box"][0].text
        second = outline.splitlines()[1]
        if expected is None:
            assert second == "    limit = 3", outline
        else:
            assert second == expected, outline


def test_a_symlink_inside_the_workspace_to_a_file_outside_it_is_not_read(tmp_path: Path) -> None:
    """``ws/billing.py -> ../other_client/billing.py`` (or a linked folder): the import's path
    is in the workspace, the file read is not; it was sent."""
    ws, other = tmp_path / "ws", tmp_path / "other_client"
    ws.mkdir()
    other.mkdir()
    (other / "billing.py").write_text("def charge_card(acct):\n    return 'other-client-secret'\n")
    (ws / "billing.py").symlink_to(other / "billing.py")
    (ws / "shared").symlink_to(other, target_is_directory=True)
    for statement in ("from billing import charge_card", "from shared.billing import charge_card"):
        snippets = gather(ws / "app.py", statement + "\n" + "x = 1\n" * 50 + "charge_card(", [ws])
        assert not [s.text for s in snippets if "other-client-secret" in s.text], statement


def test_the_prompt_keeps_to_its_budget_whatever_the_suffix_share() -> None:
    """``completion.suffixShare`` may be up to 0.9; past ~0.45, with the extra context full, the
    prompt's floor of a third of the budget for the prefix came on top: 2,456 tokens against
    2,048 at 0.7, 2,843 at 0.9."""
    body = "".join(f"def f_{i}(a, b):\n    return a * {i} + b\n\n" for i in range(400))
    doc = python_doc("file:///ws/m.py", body)
    offset = doc.line_start(600)
    snippets = [
        Snippet(f"lib{i}.py", "".join(f"def helper_{i}_{j}(x, y):\n    return x + y * {j}\n" for j in range(6)), "definition", 0, rank=i)
        for i in range(8)
    ]
    for share in (0.1, 0.5, 0.7, 0.9):
        fim = build_fim_prompt(
            doc, offset, budget=2048, suffix_share=share, count=COUNT, snippets=snippets, line_comment="#", path="m.py"
        )
        assert fim.prompt_tokens + fim.suffix_tokens <= 2048, share
        assert COUNT(fim.prompt) + COUNT(fim.suffix) <= 2048, share


def test_a_typescript_import_of_x_js_reads_x_ts_where_both_exist(tmp_path: Path) -> None:
    """TypeScript resolves ``./x.js`` to x.ts (and ``./y.js`` to y.d.ts) before the JavaScript
    file: with the compiled x.js beside its source, the untyped output was read instead."""
    (tmp_path / "x.ts").write_text("export function f(a: number): number {\n  return a;\n}\n")
    (tmp_path / "x.js").write_text("export function f(a) {\n  return a;\n}\n")
    (tmp_path / "y.d.ts").write_text("export declare function g(a: number): number;\n")
    (tmp_path / "y.js").write_text("export function g(a) {\n  return a;\n}\n")
    for language in ("typescript", "tsx"):
        assert resolve_local_import("./x.js", tmp_path / "main.ts", [tmp_path], language) == [tmp_path / "x.ts"]
        assert resolve_local_import("./y.js", tmp_path / "main.ts", [tmp_path], language) == [tmp_path / "y.d.ts"]
    # A JavaScript file importing ./x.js means x.js.
    assert resolve_local_import("./x.js", tmp_path / "main.js", [tmp_path], "javascript") == [tmp_path / "x.js"]


def test_definitions_of_open_documents_in_another_language_are_not_sent() -> None:
    """A Python prompt carried a Lua file's ``connect`` (open in another tab) for
    ``conn.connect(``: the workspace's symbols keep to the language family, open documents did not."""
    store = DocumentStore(REGISTRY)
    lua = store.open("file:///ws/init.lua", "local function connect(host)\n  return host\nend\n", "lua", 1)
    helper = store.open("file:///ws/helper.py", "def connect(host, port=80):\n    return host\n", "python", 1)
    snippets = gather(Path("/ws/app.py"), "def run(conn):\n    conn.connect(", [Path("/ws")], store=store, other_docs=[lua, helper])
    assert [s.path for s in snippets] == ["helper.py"]


def test_a_long_line_denser_near_the_cursor_is_still_cut_to_the_budget() -> None:
    """The cut of a line longer than the budget shrank three times and then gave up: 50,000
    ``x`` then emoji and CJK (a data line, a bundle's strings) went out at 2,259 tokens against
    a budget of 2,048, and so reported."""
    from deepseek_lsp.documents import Document

    chars = "😀🙈🐍中文字ßø∑"
    dense = "".join(chars[(i * i + 3 * i) % len(chars)] for i in range(1400))
    doc = Document("file:///ws/a.js", "x" * 50000 + dense + "\n")
    fim = build_fim_prompt(doc, len(doc.data) - 1, budget=2048, suffix_share=0.1, count=COUNT, line_comment="//", path="a.js")
    assert fim.prompt_tokens + fim.suffix_tokens <= 2048
    assert COUNT(fim.prompt) + COUNT(fim.suffix) <= 2048
    assert len(fim.prompt) > 500  # the end of the line before the cursor is still there


def test_typescript_path_aliases_are_followed(tmp_path: Path) -> None:
    """``import { Button } from "@/components/button"`` (Next.js, shadcn/ui), and a monorepo
    package's ``@acme/ui`` mapped in the root's tsconfig.base.json that the app's config
    extends: tsconfig.json's ``paths`` were not read, and those definitions never reached the
    prompt. The config is JSON with comments and trailing commas."""
    write_files(tmp_path, {
        "tsconfig.base.json": '{\n  "compilerOptions": {\n    "baseUrl": ".",\n    "paths": {"@acme/ui": ["packages/ui/src/index.ts"]},\n  },\n}\n',
        "packages/ui/src/index.ts": "export function Card(title: string, elevated = false): HTMLElement {\n  return document.createElement(title);\n}\n",
        "apps/admin/tsconfig.json": '{"extends": "../../tsconfig.base.json"}',
        "apps/web/tsconfig.json": '{\n  // Next.js\n  "compilerOptions": {\n    "baseUrl": ".",\n'
                                  '    /* the app\'s own aliases */\n    "paths": {"@/*": ["./src/*"], "~lib/*": ["./src/lib/*",],},\n  },\n}\n',
        "apps/web/src/components/button.tsx": "export function Button(label: string, onClick: () => void): JSX.Element {\n  return label;\n}\n",
        "apps/web/src/lib/db.ts": "export async function query(sql: string, params: unknown[] = []): Promise<Row[]> {\n  return [];\n}\n",
        "apps/web/node_modules/react/index.js": "export function useState(initial) {\n  return initial;\n}\n",
    })  # fmt: skip
    text = (
        'import { useState } from "react";\nimport { Button } from "@/components/button";\n'
        'import { query } from "~lib/db";\n\n'
        "export async function Page() {\n  const rows = await query(\"select 1\");\n  return Button(rows.length, "
    )
    prompt = prompt_with_imports(tmp_path / "apps/web/src/app/page.tsx", text, [tmp_path], "tsx")
    assert "function Button(label: string, onClick: () => void): JSX.Element" in prompt
    assert "function query(sql: string, params: unknown[] = []): Promise<Row[]>" in prompt
    assert "useState(initial)" not in prompt  # a package, not an alias
    text = 'import { Card } from "@acme/ui";\n\nexport function Admin() {\n  return Card('
    prompt = prompt_with_imports(tmp_path / "apps/admin/src/main.ts", text, [tmp_path], "typescript")
    assert "function Card(title: string, elevated = false): HTMLElement" in prompt


def test_a_tsconfig_extending_a_list_of_configs_gives_their_path_aliases(tmp_path: Path) -> None:
    """TypeScript 5 takes a list in ``extends`` (a package's preset, then the monorepo's base):
    only a single config was followed, and the aliases of the base (``@acme/ui``) brought
    nothing. Of two configs that both map an alias, the later one's mapping is used."""
    write_files(tmp_path, {
        "tsconfig.base.json": '{"compilerOptions": {"baseUrl": ".", "paths": {"@acme/ui": ["packages/ui/src/index.ts"]}}}',
        "packages/ui/src/index.ts": "export function Card(title: string, elevated = false): HTMLElement {\n  return document.createElement(title);\n}\n",
        "apps/admin/tsconfig.json": '{"extends": ["@tsconfig/strictest/tsconfig.json", "../../tsconfig.base.json"]}',
        "apps/web/tsconfig.json": '{"extends": ["./tsconfig.old.json", "./tsconfig.paths.json"]}',
        "apps/web/tsconfig.old.json": '{"compilerOptions": {"paths": {"@/*": ["./legacy/*"]}}}',
        "apps/web/tsconfig.paths.json": '{"compilerOptions": {"paths": {"@/*": ["./src/*"]}}}',
        "apps/web/legacy/db.ts": "export function query(sql: string): string[] {\n  return [];\n}\n",
        "apps/web/src/db.ts": "export async function query(sql: string, params: unknown[] = []): Promise<Row[]> {\n  return [];\n}\n",
    })  # fmt: skip
    text = 'import { Card } from "@acme/ui";\n\nexport function Admin() {\n  return Card('
    prompt = prompt_with_imports(tmp_path / "apps/admin/src/main.ts", text, [tmp_path], "typescript")
    assert "function Card(title: string, elevated = false): HTMLElement" in prompt
    text = 'import { query } from "@/db";\n\nexport async function load() {\n  return query('
    prompt = prompt_with_imports(tmp_path / "apps/web/src/page.ts", text, [tmp_path], "typescript")
    assert "function query(sql: string, params: unknown[] = []): Promise<Row[]>" in prompt
    assert "function query(sql: string): string[]" not in prompt


def test_config_dir_in_a_shared_tsconfig_is_the_folder_of_the_config_extending_it(tmp_path: Path) -> None:
    """TypeScript 5.5's ``${configDir}`` in a monorepo's shared base (``"@/*":
    ["${configDir}/src/*"]``) is the folder of each app's own tsconfig.json: it was read as a
    folder named ``${configDir}``, and ``@/lib/db`` named nothing."""
    write_files(tmp_path, {
        "tsconfig.base.json": '{"compilerOptions": {"baseUrl": "${configDir}", "paths": {"@/*": ["${configDir}/src/*"]}}}',
        "apps/web/tsconfig.json": '{"extends": "../../tsconfig.base.json"}',
        "apps/web/src/lib/db.ts": "export async function query(sql: string, params: unknown[] = []): Promise<Row[]> {\n  return [];\n}\n",
    })  # fmt: skip
    text = 'import { query } from "@/lib/db";\n\nexport async function load() {\n  return query('
    prompt = prompt_with_imports(tmp_path / "apps/web/src/page.ts", text, [tmp_path], "typescript")
    assert "function query(sql: string, params: unknown[] = []): Promise<Row[]>" in prompt


def test_the_path_aliases_of_a_vite_project_are_read_from_its_referenced_config(tmp_path: Path) -> None:
    """Vite's TypeScript template: tsconfig.json only lists the projects (``"files": []``,
    ``references``), and ``@/*`` is mapped in tsconfig.app.json: the aliases were looked for in
    tsconfig.json alone, and ``@/components/button`` brought no definition."""
    write_files(tmp_path, {
        "tsconfig.json": '{\n  "files": [],\n  "references": [{ "path": "./tsconfig.node.json" }, { "path": "./tsconfig.app.json" }]\n}\n',
        "tsconfig.node.json": '{"compilerOptions": {"composite": true}, "include": ["vite.config.ts"]}',
        "tsconfig.app.json": '{\n  "compilerOptions": {\n    /* Bundler mode */\n    "baseUrl": ".",\n    "paths": {"@/*": ["./src/*"]},\n  },\n  "include": ["src"]\n}\n',
        "src/components/button.tsx": "export function Button(label: string, onClick: () => void): JSX.Element {\n  return label;\n}\n",
    })  # fmt: skip
    text = 'import { Button } from "@/components/button";\n\nexport function App() {\n  return Button('
    prompt = prompt_with_imports(tmp_path / "src/App.tsx", text, [tmp_path], "tsx")
    assert "function Button(label: string, onClick: () => void): JSX.Element" in prompt


def test_node_subpath_imports_are_followed_through_the_package_json(tmp_path: Path) -> None:
    """Node's subpath imports (``"imports"`` in package.json, read by TypeScript too):
    ``#db`` and ``#lib/strings`` named nothing, and their definitions never reached the prompt.
    A target by condition is read at its TypeScript source; one that is a package is not."""
    write_files(tmp_path, {
        "package.json": '{"name": "api", "type": "module", "imports": {"#db": {"types": "./src/db.ts", "default": "./dist/db.js"}, "#lib/*": "./src/lib/*.js", "#dep": "left-pad"}}',
        "src/db.ts": "export async function query(sql: string, params: unknown[] = []): Promise<Row[]> {\n  return [];\n}\n",
        "dist/db.js": "export async function query(vault) {\n  return [];\n}\n",
        "src/lib/strings.ts": "export function slugify(title: string, sep = \"-\"): string {\n  return title;\n}\n",
        "node_modules/left-pad/index.js": "export default function leftPad(vault) {}\n",
    })  # fmt: skip
    text = (
        'import { query } from "#db";\nimport { slugify } from "#lib/strings";\nimport leftPad from "#dep";\n\n'
        "export async function load(title: string) {\n  const rows = await query(slugify(title));\n  return leftPad("
    )
    prompt = prompt_with_imports(tmp_path / "src/routes/load.ts", text, [tmp_path], "typescript")
    assert "function query(sql: string, params: unknown[] = []): Promise<Row[]>" in prompt
    assert 'function slugify(title: string, sep = "-"): string' in prompt
    assert "vault" not in prompt


def test_a_typescript_base_url_import_is_followed(tmp_path: Path) -> None:
    write_files(tmp_path, {
        "jsconfig.json": '{"compilerOptions": {"baseUrl": "src"}}',
        "src/services/api.js": "export function fetchUser(id, { retries = 3 } = {}) {\n  return id;\n}\n",
    })  # fmt: skip
    text = 'import { fetchUser } from "services/api";\n\nexport function load(id) {\n  return fetchUser('
    prompt = prompt_with_imports(tmp_path / "src/pages/user.js", text, [tmp_path], "javascript")
    assert "function fetchUser(id, { retries = 3 } = {})" in prompt


def test_a_workspace_package_linked_into_node_modules_is_followed(tmp_path: Path) -> None:
    """npm, yarn and pnpm workspaces link a monorepo's own packages into node_modules
    (``@acme/ui`` -> packages/ui): an import of one brought nothing. It is read at its
    package.json entry, or at the subpath named; a package from the registry never is."""
    write_files(tmp_path, {
        "packages/ui/package.json": '{"name": "@acme/ui", "main": "./dist/index.js", "exports": {".": {"types": "./src/index.ts", "default": "./dist/index.js"}}}',
        "packages/ui/src/index.ts": "export function Card(title: string, elevated = false): HTMLElement {\n  return document.createElement(title);\n}\n",
        "packages/ui/src/button.ts": "export function Button(label: string, onClick: () => void): HTMLElement {\n  return label;\n}\n",
        "apps/web/node_modules/left-pad/package.json": '{"name": "left-pad", "main": "index.js"}',
        "apps/web/node_modules/left-pad/index.js": "export function leftPad(str, len, ch) {\n  return str;\n}\n",
    })  # fmt: skip
    (tmp_path / "apps/web/node_modules/@acme").mkdir(parents=True)
    (tmp_path / "apps/web/node_modules/@acme/ui").symlink_to(tmp_path / "packages/ui")
    text = (
        'import { leftPad } from "left-pad";\nimport { Card } from "@acme/ui";\nimport { Button } from "@acme/ui/button";\n\n'
        "export function Page(n: number) {\n  return Card(Button(leftPad(String(n), 3, "
    )
    prompt = prompt_with_imports(tmp_path / "apps/web/src/page.ts", text, [tmp_path], "typescript")
    assert "function Card(title: string, elevated = false): HTMLElement" in prompt
    assert "function Button(label: string, onClick: () => void): HTMLElement" in prompt
    assert "leftPad(str, len, ch)" not in prompt


def test_a_python_src_layout_package_is_followed(tmp_path: Path) -> None:
    """``from shop.models import make_order`` in a project whose package lives under src/
    (the layout PyPA recommends) or a folder pyproject.toml names (Hatch's ``packages``,
    setuptools' ``where``, Poetry's ``from``): only the workspace folder was tried, and no
    import of the project's own package was followed, from its tests nor from itself."""
    write_files(tmp_path, {
        "src/shop/__init__.py": "",
        "src/shop/models.py": "def make_order(customer_id: int, items: list[str], *, rush: bool = False) -> dict:\n    return {}\n",
        "tools/pyproject.toml": '[tool.hatch.build.targets.wheel]\npackages = ["lib/billing"]\n',
        "tools/lib/billing/__init__.py": "",
        "tools/lib/billing/invoice.py": "def render_invoice(order: dict, currency: str = 'EUR') -> str:\n    return ''\n",
    })  # fmt: skip
    text = "from shop.models import make_order\n\n\ndef test_rush():\n    order = make_order("
    for where in ("tests/test_models.py", "src/shop/cli.py"):
        prompt = prompt_with_imports(tmp_path / where, text, [tmp_path], "python")
        assert "def make_order(customer_id: int, items: list[str], *, rush: bool = False) -> dict:" in prompt, where
    text = "from billing.invoice import render_invoice\n\n\ndef main(order):\n    print(render_invoice("
    prompt = prompt_with_imports(tmp_path / "tools/scripts/run.py", text, [tmp_path / "tools"], "python")
    assert "def render_invoice(order: dict, currency: str = 'EUR') -> str:" in prompt


def test_a_python_import_of_another_member_of_a_uv_workspace_is_followed(tmp_path: Path) -> None:
    """A uv workspace (``[tool.uv.workspace] members = ["packages/*"]``): ``packages/api``
    imports ``core`` of ``packages/core/src``, installed editable by ``uv sync``. Only the
    importing project's folders were tried, and the import named nothing. A member left out
    (``exclude``) is not read."""
    write_files(tmp_path, {
        "pyproject.toml": '[project]\nname = "shop"\n\n[tool.uv.workspace]\nmembers = ["packages/*"]\nexclude = ["packages/legacy"]\n',
        "packages/core/pyproject.toml": '[project]\nname = "core"\n',
        "packages/core/src/core/__init__.py": "",
        "packages/core/src/core/money.py": "def add_cents(a: int, b: int, *, currency: str = 'EUR') -> int:\n    return a + b\n",
        "packages/legacy/pyproject.toml": '[project]\nname = "legacy"\n',
        "packages/legacy/src/billing/__init__.py": "def charge(vault: int) -> None:\n    pass\n",
        "packages/api/pyproject.toml": '[project]\nname = "api"\ndependencies = ["core"]\n\n[tool.uv.sources]\ncore = { workspace = true }\n',
        "packages/api/src/api/__init__.py": "",
    })  # fmt: skip
    text = "from core.money import add_cents\nfrom billing import charge\n\n\ndef total(a, b):\n    charge(1)\n    return add_cents("
    prompt = prompt_with_imports(tmp_path / "packages/api/src/api/routes.py", text, [tmp_path], "python")
    assert "def add_cents(a: int, b: int, *, currency: str = 'EUR') -> int:" in prompt
    assert "vault" not in prompt


def test_a_files_definitions_share_one_label() -> None:
    """Every definition came under its own ``# Path:`` line: four from one module repeated
    its workspace path four times, ~10 tokens each, and at the extras' cap a definition was
    left out to make room for the labels. Within the budget, counted with the real tokenizer."""
    path = "src/billing/adapters/payment_gateway.py"
    snippets = [
        Snippet(path, f"def charge_{i}(account_id: str, cents: int) -> Receipt:\n    …", "definition", line=i * 10, rank=i)
        for i in range(4)
    ] + [Snippet("src/models.py", "class Receipt:\n    id: str", "definition", line=1, rank=4)]
    text = "from billing.adapters.payment_gateway import charge_0\n\n\ndef pay(a):\n    return charge_0("
    doc = Document("file:///w/src/app.py", text, language=REGISTRY.get("python"))
    fim = build_fim_prompt(doc, len(doc.data), budget=600, suffix_share=0.1, count=COUNT, snippets=snippets,
                           line_comment="#", path="src/app.py")  # fmt: skip
    labels = [line for line in fim.prompt.splitlines() if line.startswith("# Path: ")]
    assert labels == [f"# Path: {path}", "# Path: src/models.py", "# Path: src/app.py"]
    assert all(f"# def charge_{i}(account_id: str, cents: int) -> Receipt:" in fim.prompt for i in range(4))
    assert "# class Receipt:" in fim.prompt
    assert COUNT(fim.prompt) + COUNT(fim.suffix) <= 600


def test_a_commonjs_barrel_is_followed_to_the_files_that_define_the_names(tmp_path: Path) -> None:
    """Node packages pass their modules on with ``module.exports = require("./lib")``, a map of
    requires (``module.exports = { parse: require("./parse"), ...require("./fmt") }``) or
    ``exports.x = require("./x").x``: a file requiring the barrel found no definition behind it."""
    write_files(tmp_path, {
        "utils/index.js": 'module.exports = {\n  parse: require("./parse"),\n  ...require("./fmt"),\n};\n'
                          'module.exports.slugify = require("./slug").slugify;\nexports.clamp = require("./num").clamp;\n',
        "utils/parse.js": "module.exports = function parse(text, strict) {\n  return text;\n};\n",
        "utils/fmt.js": "function formatDate(date, pattern) {\n  return pattern;\n}\nmodule.exports = { formatDate };\n",
        "utils/slug.js": "exports.slugify = function slugify(title, separator) {\n  return title;\n};\n",
        "utils/num.js": "function clamp(value, low, high) {\n  return value;\n}\nmodule.exports = { clamp };\n",
        "lib/index.js": 'module.exports = require("./server");\n',
        "lib/server.js": "function createServer(port, handler) {\n  return port;\n}\nmodule.exports = { createServer };\n",
    })  # fmt: skip
    text = (
        'const { parse, formatDate, slugify, clamp } = require("./utils");\nconst { createServer } = require("./lib");\n\n'
        "function main() {\n  createServer(8080, null);\n  const t = slugify(formatDate(parse('x', true), 'y'), '-');\n"
        "  return clamp("
    )
    prompt = prompt_with_imports(tmp_path / "app.js", text, [tmp_path], "javascript")
    for wanted in ("function parse(text, strict)", "function formatDate(date, pattern)",
                   "function slugify(title, separator)", "function clamp(value, low, high)",
                   "function createServer(port, handler)"):  # fmt: skip
        assert wanted in prompt, wanted


def test_a_barrel_that_imports_names_and_exports_them_is_followed(tmp_path: Path) -> None:
    """``import { helper } from "./helper"; export { helper }`` and ``const parse =
    require("./parse"); module.exports = { parse, fmt: formatDate }``: the names are imported
    first and passed on by name, which no ``export … from`` says; nothing behind them was sent."""
    write_files(tmp_path, {
        "utils/index.js": 'const parse = require("./parse");\nconst { formatDate } = require("./fmt");\n'
                          "module.exports = { parse, fmt: formatDate };\nexports.local = function local() {};\n",
        "utils/parse.js": "module.exports = function parse(text, strict) {\n  return text;\n};\n",
        "utils/fmt.js": "function formatDate(date, pattern) {\n  return pattern;\n}\nmodule.exports = { formatDate };\n",
        "esm/index.ts": 'import { helper as help } from "./helper";\nexport { help, help as assist };\n',
        "esm/helper.ts": "export function helper(a: number, b: string) {\n  return a;\n}\n",
    })  # fmt: skip
    text = (
        'const { parse, fmt } = require("./utils");\nimport { assist } from "./esm";\n\n'
        'function main() {\n  assist(1, "x");\n  return fmt(parse('
    )
    prompt = prompt_with_imports(tmp_path / "app.js", text, [tmp_path], "javascript")
    for wanted in ("function parse(text, strict)", "function formatDate(date, pattern)",
                   "function helper(a: number, b: string)"):  # fmt: skip
        assert wanted in prompt, wanted


def test_a_package_and_a_module_of_one_name_import_the_package_as_python_does(tmp_path: Path) -> None:
    # A leftover settings.py beside the settings/ package that replaced it: Python imports the
    # package, and the definitions in the prompt are the package's.
    (tmp_path / "settings").mkdir()
    (tmp_path / "settings" / "__init__.py").write_text("def load_settings(path: str) -> dict:\n    return {}\n")
    (tmp_path / "settings.py").write_text("def load_settings_legacy(name):\n    return None\n")
    found = resolve_local_import("settings", tmp_path / "main.py", [tmp_path], "python")
    assert found == [tmp_path / "settings" / "__init__.py"]
    text = "from settings import load_settings\n\n\ndef main():\n    config = load_settings("
    prompt = prompt_with_imports(tmp_path / "main.py", text, [tmp_path], "python")
    assert "# def load_settings(path: str) -> dict:" in prompt
    assert "load_settings_legacy" not in prompt
