"""Review units: every non-blank line in exactly one unit; hashes that follow the code, not its place."""

from __future__ import annotations

import inspect
import json.decoder
import random
from pathlib import Path

import pytest

from deepseek_lsp.config import build_settings
from deepseek_lsp.documents import Document
from deepseek_lsp.languages import LanguageRegistry
from deepseek_lsp.review.keys import _cache_key
from deepseek_lsp.review.units import (
    CHUNK_MAX_LINES,
    SPLIT_CLASS_LINES,
    FileUnits,
    Unit,
    chunk_lines,
    extract_units,
    normalize_code,
)

DATA = Path(__file__).parent / "data" / "review"
REGISTRY = LanguageRegistry.load()
PYTHON = REGISTRY.get("python")
JAVASCRIPT = REGISTRY.get("javascript")


def python_doc(text: str) -> Document:
    return Document("file:///w/mod.py", text, language=PYTHON)


def assert_covers_once(doc: Document, units: list[Unit]) -> None:
    owners: dict[int, list[str]] = {}
    for unit in units:
        for lo, hi in unit.lines:
            for line in range(lo, hi + 1):
                owners.setdefault(line, []).append(unit.name)
    for line in range(doc.line_count):
        if doc.line_text(line).strip():
            assert len(owners.get(line, [])) == 1, (line + 1, doc.line_text(line), owners.get(line))


def test_inventory_units_are_top_level_definitions_and_the_module_rest() -> None:
    doc = python_doc((DATA / "inventory.py").read_text())
    units = extract_units(doc).units
    assert [(u.kind, u.name) for u in units] == [
        ("module", "module level"),
        ("class", "Item"),
        ("function", "connect"),
        ("function", "find_item"),
        ("function", "total_value"),
        ("function", "average_price"),
        ("class", "Warehouse"),
        ("function", "export_csv"),
    ]
    assert_covers_once(doc, units)
    module = units[0]
    assert len(module.lines) > 1  # imports at the top and the __main__ block at the bottom
    assert "import csv" in module.text and 'if __name__ == "__main__":' in module.text
    item = units[1]
    assert item.text.startswith("@dataclass\nclass Item:")  # the decorator belongs to the class


def test_comments_directly_above_a_definition_belong_to_it() -> None:
    doc = python_doc(
        "import os\n\n# Why: the cache must be cold.\n# Second line.\ndef f():\n    return os.sep\n"
    )
    units = extract_units(doc).units
    f = next(u for u in units if u.name == "f")
    assert f.lines == ((2, 5),)
    assert_covers_once(doc, units)


def test_large_class_is_split_into_members_and_its_own_rest() -> None:
    methods = "\n".join(
        f"    def m{i}(self, x):\n        y = x + {i}\n        z = y * 2\n        return z - self.base\n"
        for i in range(SPLIT_CLASS_LINES // 4)
    )
    text = f"class Big:\n    base = 1\n\n{methods}\n\nclass Small:\n    def a(self):\n        return 1\n"
    doc = python_doc(text)
    units = extract_units(doc).units
    names = [u.name for u in units]
    assert names[0] == "Big" and units[0].kind == "class"
    assert units[0].text.strip() == "class Big:\n    base = 1"
    assert "Big.m0" in names and f"Big.m{SPLIT_CLASS_LINES // 4 - 1}" in names
    m0 = units[names.index("Big.m0")]
    assert m0.kind == "method" and m0.context == "class Big:"
    assert "Small" in names and "Small.a" not in names  # small classes stay whole
    assert_covers_once(doc, units)


def test_fields_and_nested_definitions_make_no_units_of_their_own() -> None:
    """Class attributes, definitions under a module-level ``if``/``try`` and an object
    literal's methods are definitions for completion context (grammars' definitions.scm), not
    review units: a class with fields is one unit (its rest, when split), the ``if`` and
    ``try`` stay in the module-level unit, their functions are signatures."""
    text = (
        "import socket\n\n\nclass Config:\n    #: seconds\n    timeout: float = 5.0\n    RETRIES = 3\n\n"
        "    def url(self):\n        return self.host\n\n\n"
        "if hasattr(socket, 'TCP_NODELAY'):\n    def _set_nodelay(sock):\n        sock.setsockopt(1)\n"
        "else:\n    def _set_nodelay(sock):\n        pass\n\n\ndef connect(sock):\n    _set_nodelay(sock)\n"
    )
    doc = python_doc(text)
    file_units = extract_units(doc)
    assert [(u.kind, u.name) for u in file_units.units] == [
        ("module", "module level"),
        ("class", "Config"),
        ("function", "connect"),
    ]
    config = file_units.units[1]
    assert config.text.startswith("class Config:\n    #: seconds\n    timeout: float = 5.0")
    assert "if hasattr(socket" in file_units.units[0].text and "def _set_nodelay" in file_units.units[0].text
    assert_covers_once(doc, file_units.units)
    connect = file_units.units[2]
    assert [s.name for s in file_units.signatures_for([connect])] == ["_set_nodelay", "_set_nodelay"]
    # A long class is split into its methods and its own rest, which keeps the attributes.
    methods = "\n".join(f"    def m{i}(self):\n        x = {i}\n        return x\n" for i in range(SPLIT_CLASS_LINES // 3))
    doc = python_doc(f"class Big:\n    limit: int = 3\n    NAME = 'big'\n\n{methods}")
    units = extract_units(doc).units
    assert units[0].name == "Big" and units[0].text == "class Big:\n    limit: int = 3\n    NAME = 'big'"
    assert {u.kind for u in units[1:]} == {"method"}
    assert_covers_once(doc, units)
    # An object literal's methods are in the module-level unit, with the object.
    js = "export const api = {\n  get(url) {\n    return url;\n  },\n};\n\nfunction f() {\n  return api.get(1);\n}\n"
    doc = Document("file:///w/a.js", js, language=JAVASCRIPT)
    units = extract_units(doc).units
    assert [(u.kind, u.name) for u in units] == [("module", "module level"), ("function", "f")]
    assert_covers_once(doc, units)


@pytest.mark.parametrize("module", [json.decoder, inspect])
def test_real_stdlib_modules_are_covered(module: object) -> None:
    doc = python_doc(Path(inspect.getsourcefile(module)).read_text())  # type: ignore[arg-type]
    file_units = extract_units(doc)
    assert_covers_once(doc, file_units.units)
    assert file_units.imports and file_units.signatures
    assert all(u.line_count <= 400 or u.kind in ("function", "method") for u in file_units.units)


def test_files_without_a_grammar_are_chunked_at_blank_lines_and_bounded() -> None:
    paragraphs = ["\n".join(f"line {p}.{i}" for i in range(7)) for p in range(40)]
    text = "\n\n".join(paragraphs) + "\n" + "\n".join(f"dense {i}" for i in range(300)) + "\n"
    doc = Document("file:///w/notes.txt", text)
    units = extract_units(doc).units
    assert len(units) > 3
    assert all(u.kind == "chunk" and u.line_count <= CHUNK_MAX_LINES for u in units)
    assert units[0].name == f"lines 1-{units[0].last_line + 1}"
    assert_covers_once(doc, units)
    # Cuts fall on paragraph boundaries while paragraphs exist.
    assert (
        doc.line_text(units[0].last_line).startswith("line ")
        and doc.line_text(units[0].last_line + 1) == ""
    )


def test_a_line_added_to_text_without_blank_lines_changes_few_chunks() -> None:
    """Without blank lines the chunks were cut every CHUNK_MAX_LINES from the top: one line
    added near the start changed every chunk after it, and all were reviewed again."""
    rows = [f"{i},{i * 7919 % 1000},item-{i * 31 % 97}" for i in range(600)]
    before = extract_units(Document("file:///w/data.csv", "\n".join(rows) + "\n")).units
    after = extract_units(Document("file:///w/data.csv", "\n".join(["0,0,new", *rows]) + "\n")).units
    old_texts = {u.text for u in before}
    changed = [u for u in after if u.text not in old_texts]
    assert len(before) >= 5 and len(changed) <= 2, (len(before), len(changed))


def test_javascript_units() -> None:
    text = (
        'import { readFile } from "fs";\n\nconst LIMIT = 3;\n\n'
        "export function load(path) {\n  return readFile(path);\n}\n\n"
        "const twice = (x) => {\n  return x * 2;\n};\n\n"
        "class Store {\n  get(k) {\n    return this.map[k];\n  }\n}\n"
    )
    doc = Document("file:///w/a.js", text, language=JAVASCRIPT)
    units = extract_units(doc).units
    assert [(u.kind, u.name) for u in units] == [
        ("module", "module level"),
        ("function", "load"),
        ("function", "twice"),
        ("class", "Store"),
    ]
    assert units[1].text.startswith("export function load")
    assert_covers_once(doc, units)


def test_fingerprint_follows_code_not_position() -> None:
    base = "import os\n\ndef f(a):\n    return a + 1\n\ndef g():\n    return os.sep\n"
    moved = "import os\nimport sys\n\n\n\ndef f(a):\n\n    return a + 1   \n\ndef g():\n    return sys.sep\n"
    changed = "import os\n\ndef f(a):\n    return a + 2\n\ndef g():\n    return os.sep\n"

    def prints(text: str) -> dict[str, str]:
        return {u.name: u.fingerprint() for u in extract_units(python_doc(text)).units}

    a, b, c = prints(base), prints(moved), prints(changed)
    assert a["f"] == b["f"]  # moved down, blank line and trailing spaces added
    assert a["g"] != b["g"]
    assert a["f"] != c["f"] and a["g"] == c["g"]
    assert a["module level"] != b["module level"]


def test_normalize_code_ignores_indentation_and_blank_lines() -> None:
    assert normalize_code("    x = 1\r\n\n        y = 2  \n") == "x = 1\n    y = 2"


def test_unit_line_index_round_trips_across_gaps() -> None:
    unit = Unit("module", "m", ((0, 2), (10, 11), (20, 20)), "a = 1\nb = 2\nc = 3\nd = 4\ne = 5\nf = 6")
    lines = [0, 1, 2, 10, 11, 20]
    assert [unit.index_of_line(n) for n in lines] == [0, 1, 2, 3, 4, 5]
    assert [unit.line_at_index(i) for i in range(6)] == lines
    assert unit.index_of_line(5) is None
    # Blank lines are not counted: line 1 is blank here.
    gappy = Unit("module", "m", ((0, 2), (10, 11), (20, 20)), "a = 1\n\nc = 3\nd = 4\ne = 5\nf = 6")
    code_lines = [0, 2, 10, 11, 20]
    assert [gappy.index_of_line(n) for n in code_lines] == [0, 1, 2, 3, 4]
    assert [gappy.line_at_index(i) for i in range(5)] == code_lines


def test_signatures_for_a_unit_are_what_it_uses() -> None:
    doc = python_doc((DATA / "inventory.py").read_text())
    file_units = extract_units(doc)
    warehouse = next(u for u in file_units.units if u.name == "Warehouse")
    names = [s.name for s in file_units.signatures_for([warehouse])]
    assert "find_item" in names and "Item" in names
    assert "Warehouse" not in names and "export_csv" not in names
    header = next(s.header for s in file_units.signatures if s.name == "find_item")
    assert header == "def find_item(db: sqlite3.Connection, sku: str) -> Item | None:"


def test_a_signature_leaves_out_the_comments_that_open_its_body() -> None:
    """Python's and Ruby's body starts at its first statement: a function's opening comment was
    part of its header, and every unit calling it was sent that comment as its signature."""
    text = (
        "def usd(amount: float) -> str:  # money\n"
        "    # Cents, or 4 places under a cent: a $0.002 budget read as $0.00.\n"
        "    return f'${amount:.2f}'\n\n\n"
        "def report(total):\n    return usd(total)\n"
    )
    file_units = extract_units(python_doc(text))
    report = next(u for u in file_units.units if u.name == "report")
    assert [s.shown() for s in file_units.signatures_for([report])] == ["def usd(amount: float) -> str:"]
    ruby = "class Shop\n  def usd(amount)\n    # cents\n    format(amount)\n  end\nend\n"
    doc = Document("file:///w/shop.rb", ruby, language=REGISTRY.get("ruby"))
    assert [s.header for s in extract_units(doc).signatures] == ["class Shop", "def usd(amount)"]


def _constants_module(seed: int) -> str:
    rng = random.Random(seed)
    names = ["alpha", "beta", "gamma", "delta", "omega", "sigma", "kappa", "theta", "zeta", "rho"]
    blocks = [
        "\n".join(f"{rng.choice(names).upper()}_{b}_{i} = {rng.randint(0, 999)}" for i in range(rng.randint(2, 9)))
        for b in range(40)
    ]
    return "\n\n".join(blocks) + "\n"


def test_lines_added_at_the_top_of_a_long_module_leave_its_later_parts_unchanged() -> None:
    """Module-level code is reviewed in parts, and a part is re-sent when its text changes.
    Parts were cut by a line count from the top, so a few imports added moved every cut after
    them and the whole module went again (36 % of parts kept); cuts now follow the text."""
    kept = total = 0
    for seed in range(10):
        text = _constants_module(seed)
        before = _chunk_texts(text)
        for added in (1, 3, 5, 9):
            after = _chunk_texts("".join(f"import m{i}\n" for i in range(added)) + text)
            kept += len(set(before) & set(after))
            total += len(before)
    assert kept / total >= 0.75  # of ~7 parts a file, all but one or two


def _chunk_texts(text: str) -> list[str]:
    doc = Document("file:///m.py", text)
    chunks = chunk_lines(doc, list(range(doc.line_count)))
    return ["".join(doc.line_text(line) for lo, hi in runs for line in range(lo, hi + 1)) for runs in chunks]


#: Per language: (id, extension, source); each has module-level code and two functions or
#: methods, and the names of the units a review sends.
SMALL_FILES = {
    "ruby": ("rb", 'require "json"\n\nLIMIT = 3\n\ndef load(path)\n  JSON.parse(File.read(path))\nend\n\n'
             "class Store\n  def get(key)\n    @map[key]\n  end\nend\n",
             [("module", "module level"), ("function", "load"), ("class", "Store")]),
    "php": ("php", "<?php\nuse App\\Backend;\n\nconst LIMIT = 3;\n\nfunction load($path) {\n    return file($path);\n}\n\n"
            "class Store {\n    public function get($key) {\n        return $this->map[$key];\n    }\n}\n",
            [("module", "module level"), ("function", "load"), ("class", "Store")]),
    "csharp": ("cs", "using System;\n\nnamespace App;\n\npublic class Store\n{\n    public int Get(int key)\n    {\n        return key;\n    }\n}\n\n"
               "public static class Loader\n{\n    public static string Load(string path) => path;\n}\n",
               [("module", "module level"), ("class", "Store"), ("class", "Loader")]),
    "bash": ("sh", "#!/bin/sh\nsource ./lib.sh\n\nLIMIT=3\n\nload() {\n  cat \"$1\"\n}\n\n"
             "function store {\n  echo \"$1\" > cache\n}\n\nload \"$@\"\n",
             [("module", "module level"), ("function", "load"), ("function", "store")]),
    "lua": ("lua", 'local json = require("json")\n\nlocal LIMIT = 3\n\nlocal function load(path)\n  return json.decode(path)\nend\n\n'
            "function M.get(key)\n  return M.map[key]\nend\n\nreturn M\n",
            [("module", "module level"), ("function", "load"), ("function", "get")]),
    "kotlin": ("kt", "package app\n\nimport java.io.File\n\nconst val LIMIT = 3\n\nfun load(path: String): String {\n    return File(path).readText()\n}\n\n"
               "class Store(private val map: Map<String, String>) {\n    fun get(key: String): String? = map[key]\n}\n",
               [("module", "module level"), ("function", "load"), ("class", "Store")]),
    # A Scala 3 top-level `def` with its body by indentation, then Scala 2 braces.
    "scala": ("scala", "package app\n\nimport scala.io.Source\n\nval Limit = 3\n\ndef load(path: String): String =\n  Source.fromFile(path).mkString\n\n"
              "class Store(map: Map[String, String]) {\n  def get(key: String): Option[String] = map.get(key)\n}\n",
              [("module", "module level"), ("function", "load"), ("class", "Store")]),
    "swift": ("swift", "import Foundation\n\nlet limit = 3\n\nfunc load(path: String) -> String {\n    return path\n}\n\n"
              "struct Store {\n    func get(key: Int) -> Int {\n        return key\n    }\n}\n",
              [("module", "module level"), ("function", "load"), ("class", "Store")]),
    "elixir": ("ex", "import Config\n\ndefmodule Store do\n  @limit 3\n\n  def get(key) do\n    key\n  end\nend\n\n"
               "defmodule Loader do\n  def load(path), do: File.read!(path)\nend\n",
               [("module", "module level"), ("class", "Store"), ("class", "Loader")]),
}  # fmt: skip


@pytest.mark.parametrize("lang", sorted(SMALL_FILES))
def test_units_in_more_languages_are_their_functions_and_classes(lang: str) -> None:
    ext, text, expected = SMALL_FILES[lang]
    doc = Document(f"file:///w/a.{ext}", text, language=REGISTRY.get(lang))
    units = extract_units(doc).units
    assert [(u.kind, u.name) for u in units] == expected
    assert_covers_once(doc, units)


@pytest.mark.parametrize(
    ("lang", "ext", "head", "member", "tail"),
    [
        ("ruby", "rb", "module Caching\n  class Big\n", "    def m{i}(x)\n      y = x + {i}\n      y * 2\n    end\n\n", "  end\nend\n"),
        ("csharp", "cs", "namespace App\n{{\n    public class Big\n    {{\n", "        public int M{i}(int x)\n        {{\n            return x + {i};\n        }}\n\n", "    }}\n}}\n"),
        ("cpp", "cpp", "namespace app {{\nclass Big {{\n public:\n", "  int m{i}(int x) {{\n    return x + {i};\n  }}\n\n", "}};\n}}  // namespace app\n"),
        ("rust", "rs", "mod app {{\n    pub struct Big;\n    impl Big {{\n", "        pub fn m{i}(x: i32) -> i32 {{\n            x + {i}\n        }}\n\n", "    }}\n}}\n"),
        ("kotlin", "kt", "object Caching {{\n    class Big {{\n", "        fun m{i}(x: Int): Int {{\n            return x + {i}\n        }}\n\n", "    }}\n}}\n"),
        ("scala", "scala", "package app {{\n  class Big {{\n", "    def m{i}(x: Int): Int = {{\n      x + {i}\n    }}\n\n", "  }}\n}}\n"),
        ("swift", "swift", "enum App {{\n    final class Big {{\n", "        func m{i}(x: Int) -> Int {{\n            return x + {i}\n        }}\n\n", "    }}\n}}\n"),
        ("elixir", "ex", "defmodule Caching do\n  defmodule Big do\n", "    def m{i}(x) do\n      y = x + {i}\n      y * 2\n    end\n\n", "  end\nend\n"),
    ],
)  # fmt: skip
def test_a_class_in_a_module_or_namespace_is_a_unit_of_its_own(lang, ext, head, member, tail) -> None:
    # A Ruby module, a C# or C++ block namespace, a Rust inline module, a Kotlin object, a Scala
    # block package, a Swift caseless enum and an Elixir module are definitions (kind class; C++
    # and Rust ones were chunks of lines of the module-level unit): a long one is split into the
    # types it holds, and a long type in it into its methods (it was one unit of 150 lines, sent
    # again whole whenever one method changed).
    text = head.format() + "".join(member.format(i=i) for i in range(30)) + tail.format()
    doc = Document(f"file:///w/a.{ext}", text, language=REGISTRY.get(lang))
    units = extract_units(doc).units
    outer = units[0]  # the module's own lines (its header and `end`)
    methods = [u for u in units if u.kind == "method"]
    assert outer.kind == "class" and len(methods) == 30
    assert {u.name for u in methods} == {f"{outer.name}.Big.{'M' if lang == 'csharp' else 'm'}{i}" for i in range(30)}
    # Each method is shown under the headers around it: the module's, then the class's.
    assert methods[0].context.splitlines()[0] in (
        "module Caching", "namespace App", "namespace app", "mod app", "object Caching", "package app",
        "enum App", "defmodule Caching",
    )
    assert methods[0].context.splitlines()[-1].strip().startswith(
        ("class Big", "public class Big", "impl Big", "final class Big", "defmodule Big")
    )
    assert max(u.line_count for u in units) < 10
    assert_covers_once(doc, units)


def test_an_elixir_function_is_reviewed_with_its_doc_and_spec() -> None:
    """``@doc`` and ``@spec`` are plain module attributes to the grammar: a long module's
    functions were reviewed without them (a spec never checked against its function) and the
    attributes went to the module's own chunks. ``@moduledoc`` and a constant stay the module's."""
    member = (
        '  @doc """\n  Adds item {i}.\n  """\n  @spec add{i}(t(), integer()) :: t()\n'
        "  def add{i}(cart, n) do\n    %{{cart | n: cart.n + n + {i}}}\n  end\n\n"
    )
    text = (
        'defmodule Cart do\n  @moduledoc "Carts."\n  @timeout 5000\n\n'
        + "".join(member.format(i=i) for i in range(30))
        + "end\n"
    )
    doc = Document("file:///w/cart.ex", text, language=REGISTRY.get("elixir"))
    units = extract_units(doc).units
    methods = {u.name: u for u in units if u.kind == "method"}
    assert len(methods) == 30
    assert methods["Cart.add7"].text.startswith('  @doc """\n  Adds item 7.\n  """\n  @spec add7(t(), integer()) :: t()\n')
    module = [u for u in units if u.kind != "method"]
    assert "".join(u.text for u in module).count("@") == 2  # @moduledoc and @timeout
    assert_covers_once(doc, units)


def test_a_line_s_place_in_its_unit_survives_blank_lines_added_inside_it() -> None:
    """The unit's cache key ignores blank lines, so its cached findings come back after blank
    lines are added inside it; their line hints must still point at the same code (counted
    with blank lines, the second of two identical findings landed on the first and was lost)."""
    before = "def load(p):\n    try:\n        a()\n    except:\n        pass\n    try:\n        b()\n    except:\n        pass\n"
    after = before.replace("def load(p):\n", "def load(p):\n\n\n")
    (old,) = extract_units(python_doc(before)).units
    (new,) = extract_units(python_doc(after)).units
    assert old.fingerprint() == new.fingerprint()
    for line in (3, 7):  # the two "except:" lines, 0-based
        assert new.line_at_index(old.index_of_line(line)) == line + 2
    assert old.line_at_index(old.index_of_line(7)) == 7


@pytest.mark.parametrize(
    ("lang", "ext", "head", "member", "tail", "outer"),
    [
        ("cpp", "cc", "#include <map>\n\nnamespace {{\n\n", "int f{i}(int x) {{\n  return x + {i};\n}}\n\n", "}}  // namespace\n", "namespace"),
        ("rust", "rs", "pub struct Cache;\n\nimpl Evict for Cache {{\n", "    fn f{i}(&self, x: i32) -> i32 {{\n        x + {i}\n    }}\n\n", "}}\n", "Cache"),
        ("typescript", "ts", "namespace A.B {{\n", "  function f{i}(x: number): number {{\n    return x + {i};\n  }}\n\n", "}}\n", "A.B"),
        ("php", "php", "<?php\nnamespace App\\Util {{\n", "  function f{i}($x) {{\n    return $x + {i};\n  }}\n\n", "}}\n", "App\\Util"),
        ("kotlin", "kt", "object Strings {{\n", "    fun f{i}(x: Int): Int {{\n        return x + {i}\n    }}\n\n", "}}\n", "Strings"),
        ("scala", "scala", "object Strings {{\n", "  def f{i}(x: Int): Int = {{\n    x + {i}\n  }}\n\n", "}}\n", "Strings"),
    ],
)  # fmt: skip
def test_a_long_namespace_or_impl_block_is_reviewed_function_by_function(
    lang: str, ext: str, head: str, member: str, tail: str, outer: str
) -> None:
    # File-local C++ helpers, a Rust type's methods, a TypeScript namespace's functions and a
    # PHP namespace block's were module-level chunks of ~60 lines (a Kotlin or Scala object of
    # functions is split the same way):
    # editing one function re-sent its chunk, cut between functions without the block's header.
    text = head.format() + "".join(member.format(i=i) for i in range(30)) + tail.format()
    doc = Document(f"file:///w/a.{ext}", text, language=REGISTRY.get(lang))
    units = extract_units(doc).units
    functions = [u for u in units if u.kind == "method"]
    assert [u.name for u in functions] == [f"{outer}.f{i}" for i in range(30)]
    assert all(u.line_count == 3 for u in functions)
    header = {
        "cpp": "namespace",
        "rust": "impl Evict for Cache",
        "typescript": "namespace A.B",
        "php": "namespace App\\Util",
        "kotlin": "object Strings",
        "scala": "object Strings",
    }[lang]
    assert all(u.context == header for u in functions)
    assert_covers_once(doc, units)


@pytest.mark.parametrize(
    "name, text",
    [
        ("a.cpp", "#include <x>\n\nint a() {\n  return 1;\n}  // a\nint b() {\n  return 2;\n}\n"),
        ("a.c", "int a(void) {\n  return 1;\n} /* a */\nint b(void) {\n  return 2;\n}\n"),
        ("a.rs", "fn a() -> i32 {\n    1\n} // a\nfn b() -> i32 {\n    2\n}\n"),
        ("a.go", "package m\n\nfunc a() int {\n\treturn 1\n} // a\nfunc b() int {\n\treturn 2\n}\n"),
    ],
)
def test_a_definition_after_a_trailing_comment_is_its_own_unit(name: str, text: str) -> None:
    """``}  // a`` closing the function before: the comment was taken as the next definition's
    leading comment, whose first line was then covered, and the whole definition fell into the
    module-level unit (re-sent with every ``#include`` change, and cut into chunks there)."""
    uri = "file:///p/" + name
    units = extract_units(Document(uri, text, language=REGISTRY.for_document(None, uri))).units
    names = [(u.kind, u.name) for u in units]
    assert ("function", "a") in names and ("function", "b") in names, names
    b = next(u for u in units if u.name == "b")
    assert "// a" not in b.text and "/* a */" not in b.text


SHAPES = '''class Shape:
    def __init__(self, sides):
        self.sides = sides

    def area(self):
        return 0


class Logger:
    def __init__(self, path, level="info"):
        self.path = path

    def area(self):
        return "log"


class Square(Shape):
    def __init__(self, side):
        super().__init__(4)
        self.side = side

    def double(self):
        return Logger.area(self) + self.describe()

    def describe(self):
        return "square"


def report(shape):
    return shape.area()


def log_area(logger):
    return Logger.area(logger)
'''


def _shown(file_units: FileUnits, unit_name: str) -> list[str]:
    unit = next(u for u in file_units.units if u.name == unit_name)
    return [s.shown() for s in file_units.signatures_for([unit])]


def test_a_name_several_classes_define_brings_only_the_related_class_s_signature() -> None:
    """``super().__init__(4)`` in Square brought Logger's ``__init__`` too, matched by name, and
    neither line said whose it was: the model could not tell the parent's."""
    file_units = extract_units(python_doc(SHAPES))
    square = _shown(file_units, "Square")
    assert "def __init__(self, sides):  # Shape" in square
    assert not any("path" in line for line in square)  # Logger.__init__
    # Its base's area (``self.area()``) and the one it calls on Logger by name.
    assert "def area(self):  # Shape" in square and "def area(self):  # Logger" in square
    # Called on a class by name: that class's only; two unrelated classes' and nothing to
    # say which: neither.
    assert _shown(file_units, "log_area") == ["class Logger:", "def area(self):  # Logger"]
    assert _shown(file_units, "report") == []
    # A member of a class split into its methods knows its class and its bases from the header.
    body = "".join(f"    def m{i}(self):\n        return {i}\n\n" for i in range(SPLIT_CLASS_LINES))
    long_square = SHAPES.replace("    def describe(self):", body + "    def describe(self):")
    file_units = extract_units(python_doc(long_square))
    init = _shown(file_units, "Square.__init__")
    assert init == ["def __init__(self, sides):  # Shape"]
    # A method only one class defines comes whoever calls it.
    assert "def describe(self):  # Square" in _shown(file_units, "Square.double")


def test_an_unrelated_class_s_changed_init_leaves_the_subclass_s_cache_key() -> None:
    """Logger's ``__init__`` was in Square's cache key: a parameter added to it had Square
    reviewed and paid for again, its code and its base unchanged."""
    settings, _ = build_settings(env={})

    def key(text: str) -> str:
        doc = python_doc(text)
        file_units = extract_units(doc)
        square = next(u for u in file_units.units if u.name == "Square")
        return _cache_key(square, settings, "python", file_units)[0]

    assert key(SHAPES) == key(SHAPES.replace('level="info"', 'level="info", mode="a"'))
    base_changed = SHAPES.replace("def __init__(self, sides):", "def __init__(self, sides, name):")
    assert key(SHAPES) != key(base_changed)


JS_SHAPES = """class Shape {
  constructor(sides) { this.sides = sides; }
}

class Logger {
  constructor(path, level = "info") { this.path = path; }
}

class Square extends Shape {
  constructor(side) {
    super(4);
    this.side = side;
  }
}
"""


@pytest.mark.parametrize("lang, ext", [("javascript", "js"), ("typescript", "ts"), ("tsx", "tsx")])
def test_a_super_call_brings_the_base_s_constructor(lang: str, ext: str) -> None:
    """``super(4)`` never writes ``constructor``: Square was reviewed without Shape's, the
    signature its call must match, as Python's ``super().__init__(4)`` is with Shape's."""
    file_units = extract_units(Document(f"file:///w/shapes.{ext}", JS_SHAPES, language=REGISTRY.get(lang)))
    assert _shown(file_units, "Square") == ["class Shape", "constructor(sides)  # Shape"]


GO_SHAPES = """package shapes

import "fmt"

type Shape struct{ sides int }

type Logger struct{ path string }

func (s Shape) Area() float64 { return 0 }

func (l *Logger) Area() string { return "log" }

func (c *Cache[K, V]) Area() int { return len(c.items) }

func (s Shape) Describe() string { return fmt.Sprint(s.Area()) }

func report(s Shape) float64 { return s.Area() }

func logArea(name string, l *Logger) string { return name + l.Area() }
"""


def test_a_go_method_s_receiver_is_its_class_and_a_parameter_s_type_one_the_function_means() -> None:
    """A Go method's receiver sits outside any class body: each ``Area`` had no owner, and every
    unit calling one was sent all three. Its receiver's type is its class, as a Python method's
    class is; a function's parameter ``s Shape`` says whose ``s.Area()`` is."""
    file_units = extract_units(Document("file:///w/shapes.go", GO_SHAPES, language=REGISTRY.get("go")))
    areas = {u.name: [line for line in _shown(file_units, u.name) if "Area()" in line] for u in file_units.units}
    # The header names the receiver: no ``  # Shape`` after it.
    assert areas["Describe"] == ["func (s Shape) Area() float64"]
    assert areas["report"] == ["func (s Shape) Area() float64"]
    assert areas["logArea"] == ["func (l *Logger) Area() string"]
    owners = {s.header: s.owner for s in file_units.signatures if s.name == "Area"}
    assert list(owners.values()) == ["Shape", "Logger", "Cache"]


def test_a_rust_path_call_brings_that_type_s_function_only() -> None:
    text = (
        "struct Shape;\nstruct Logger;\n\n"
        "impl Shape {\n    fn new() -> Shape {\n        Shape\n    }\n}\n\n"
        "impl Logger {\n    fn new() -> Logger {\n        Logger\n    }\n}\n\n"
        "fn main() {\n    let s = Shape::new();\n}\n"
    )
    file_units = extract_units(Document("file:///w/a.rs", text, language=REGISTRY.get("rust")))
    new = [line for line in _shown(file_units, "main") if "fn new" in line]
    assert new == ["fn new() -> Shape  # Shape"]


def test_a_class_calling_its_own_method_is_not_sent_the_other_class_s_of_that_name() -> None:
    """Shape calls its own ``self.area()``; Logger defines an ``area`` too. Counted over the
    definitions Shape's unit does not hold, Logger's was the only one left and was kept: Shape
    was reviewed with ``def area(self):  # Logger``, and re-sent when Logger's changed."""
    text = SHAPES.replace("        return 0\n", "        return 0\n\n    def double(self):\n        return self.area() * 2\n", 1)
    file_units = extract_units(python_doc(text))
    assert _shown(file_units, "Shape") == []


def test_a_type_in_a_class_s_first_line_is_not_its_base() -> None:
    """Python's class body starts at its first statement: Shape's ``def __init__(self, sides,
    log: Logger)`` made Logger a base of Shape, so Square's ``super().__init__`` brought
    Logger's ``__init__`` and Logger's changed ``__init__`` re-sent Square."""
    text = SHAPES.replace("def __init__(self, sides):", "def __init__(self, sides, log: Logger):")
    file_units = extract_units(python_doc(text))
    assert file_units.bases["Shape"] == frozenset()
    assert not any("path" in line for line in _shown(file_units, "Square"))
    # A base written on the header's own lines, wrapped or not, is still one.
    wrapped = text.replace("class Square(Shape):", "class Square(\n    Shape,\n):")
    assert extract_units(python_doc(wrapped)).bases["Square"] == frozenset({"Shape"})


def test_a_text_is_cut_into_units_once_for_a_save(monkeypatch: pytest.MonkeyPatch) -> None:
    """A save of a large file never reviewed cut the same text into units four times before its
    question (its cached review, its estimate, the units changed since git's last commit, their
    count) and git's text twice (the deleted lines, the changed units): ~0.1 s of CPU each for
    2,900 lines (tests/bench/bench_first_save_question.py). Each text is cut once now; what a
    caller does to its units stays its own."""
    from deepseek_lsp.review import units as units_module
    from deepseek_lsp.review.changed_hunks import changed_lines
    from deepseek_lsp.review.removed import removals

    cut: list[str] = []
    real = units_module._definitions
    monkeypatch.setattr(units_module, "_definitions", lambda doc, language: cut.append(doc.text) or real(doc, language))
    before = "".join(f"def f{i}(x):\n    y = x + {i}\n    return y\n\n\n" for i in range(300))
    after = python_doc(before.replace("    y = x + 7\n", "    y = x - 7\n"))
    removals(before, after)
    changed_lines(before, after)
    extract_units(after)
    again = extract_units(after)
    assert len(cut) == 2  # git's text and the saved one
    again.units = []
    assert len(extract_units(after).units) == 300
