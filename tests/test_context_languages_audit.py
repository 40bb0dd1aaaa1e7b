"""Completion context in Go, Rust, C, C++, JVM and scripting-language projects laid out as their
users lay them out (found by an audit; each case failed before its fix)."""

from __future__ import annotations

import time
from pathlib import Path

from deepseek_lsp.context import Indexer, enclosing_scopes, index_tree
from deepseek_lsp.documents import DocumentStore
from deepseek_lsp.model.tokens import default_counter
from deepseek_lsp.prompts import FimPrompt, build_fim_prompt
from tests.test_context_prompts import REGISTRY, _write, prompt_with_imports


def test_a_rust_binary_of_several_files_reads_the_modules_beside_its_main(tmp_path: Path) -> None:
    """Cargo's layout for a binary of several files, `src/bin/admin/main.rs` with `mod cli;`
    (and an example's, a test's, a bench's): its modules are beside its main.rs. They were
    looked for in src/bin/admin/main/ and src/bin/, and nothing they define was sent."""
    _write(
        tmp_path,
        {
            "Cargo.toml": '[package]\nname = "shop"\n',
            "src/lib.rs": "pub mod config;\n",
            "src/bin/admin/main.rs": "mod cli;\nmod report;\n",
            "src/bin/admin/cli.rs": "pub mod flags;\n\npub struct Args {\n    pub verbose: bool,\n}\n\npub fn parse_args(argv: &[String]) -> Args {\n    todo!()\n}\n",
            "src/bin/admin/cli/flags.rs": "pub fn verbose_flag(args: &[String]) -> bool {\n    false\n}\n",
            "src/bin/admin/report.rs": "pub fn print_report(rows: &[Row], wide: bool) {\n}\n",
            "src/bin/tool.rs": "fn main() {}\n",
            "src/bin/util.rs": "pub fn wrong_util() {}\n",
            "examples/demo/helpers.rs": "pub fn make_demo(n: u32) -> u32 {\n    n\n}\n",
        },
    )
    text = "mod cli;\nmod report;\n\nuse crate::report::print_report;\n\nfn main() {\n    let a = cli::parse_args(&[]);\n    print_report(&[], a."
    prompt = prompt_with_imports(tmp_path / "src" / "bin" / "admin" / "main.rs", text, [tmp_path], "rust")
    assert "// pub fn parse_args(argv: &[String]) -> Args {" in prompt
    assert "// pub fn print_report(rows: &[Row], wide: bool) {" in prompt
    # A module of that binary: `mod flags;` is in cli/, `crate::` is the binary's own folder.
    text = "mod flags;\n\nuse crate::report::print_report;\n\npub fn run() {\n    flags::verbose_flag(&[]);\n    print_report("
    prompt = prompt_with_imports(tmp_path / "src" / "bin" / "admin" / "cli.rs", text, [tmp_path], "rust")
    assert "// pub fn verbose_flag(args: &[String]) -> bool {" in prompt
    assert "// pub fn print_report(rows: &[Row], wide: bool) {" in prompt
    text = "mod helpers;\n\nfn main() {\n    let n = helpers::make_demo("
    prompt = prompt_with_imports(tmp_path / "examples" / "demo" / "main.rs", text, [tmp_path], "rust")
    assert "// pub fn make_demo(n: u32) -> u32 {" in prompt
    # A binary of one file is still a crate of its own in src/bin.
    text = "mod util;\n\nfn main() {\n    util::wrong_util("
    prompt = prompt_with_imports(tmp_path / "src" / "bin" / "tool.rs", text, [tmp_path], "rust")
    assert "// pub fn wrong_util() {}" in prompt


STRUTIL_H = """#ifndef STRUTIL_H
#define STRUTIL_H

#include <stddef.h>

char *str_dup(const char *s);
char **str_split(const char *s, char sep, size_t *count);
void str_free_all(char **parts, size_t count);

#endif
"""


def test_a_header_prototype_returning_a_pointer_to_pointers_is_a_definition(tmp_path: Path) -> None:
    """`char **str_split(const char *s, char sep, size_t *count);` in a header: a prototype
    returning `char *` was a definition, one returning `char **` was not (a definition with a
    body was either way), and `str_split(` came without its parameters, in C and in C++ (which
    reads the `.h` it includes as C++)."""
    _write(tmp_path, {"src/strutil.h": STRUTIL_H})
    text = '#include "strutil.h"\n\nint count_words(const char *line) {\n    size_t n = 0;\n    char **words = str_split(line, \' \', &n);\n    str_free_all('
    for name, language in (("words.c", "c"), ("words.cc", "cpp")):
        prompt = prompt_with_imports(tmp_path / "src" / name, text, [tmp_path], language)
        assert "char **str_split(const char *s, char sep, size_t *count);" in prompt, language
        assert "void str_free_all(char **parts, size_t count);" in prompt, language


def test_a_ruby_method_defined_with_its_visibility_is_a_definition(tmp_path: Path) -> None:
    """`private def apply_discount(cents, pct)`, the inline style RuboCop and Rails code use:
    such a method was no definition (only a `def` standing alone in a class or module was), so
    a call to it came with no signature, and its class's outline left it out."""
    _write(
        tmp_path,
        {
            "app/models/concerns/pricing.rb": (
                "module Pricing\n  def price_for(item)\n    apply_discount(item.cents, 10)\n  end\n\n"
                "  def tax_for(item, region)\n    item.cents * region.rate\n  end\n\n"
                "  def shipping_for(order)\n    order.weight * 3\n  end\n\n"
                "  private def apply_discount(cents, pct, round: :down)\n    cents - cents * pct / 100\n  end\n\n"
                "  protected def currency_code(country)\n    :usd\n  end\nend\n"
            ),
        },
    )
    text = 'require_relative "concerns/pricing"\n\nclass Order\n  include Pricing\n\n  def total\n    code = currency_code(:us)\n    apply_discount('
    prompt = prompt_with_imports(tmp_path / "app" / "models" / "order.rb", text, [tmp_path], "ruby")
    assert "#   private def apply_discount(cents, pct, round: :down)" in prompt
    assert "#   protected def currency_code(country)" in prompt


def test_go_imports_in_the_prompts_head_are_import_declarations() -> None:
    """A Go file's imports above the window came to the prompt's head as bare specs (`"fmt"`,
    `st "example.com/shop/internal/store"`, no `import`, no group): no Go, and the review's
    "Imports of this file" likewise. They are the declarations as the file spells them."""
    body = "".join(f"\tx{i} := s.load({i})\n\t_ = x{i}\n" for i in range(200))
    text = (
        'package store\n\nimport "errors"\n\nimport (\n\t"context"\n\t"fmt"\n\n\tst "example.com/shop/internal/store"\n)\n\n'
        "func (s *Store) Get(ctx context.Context) error {\n" + body + "}\n"
    )
    doc = DocumentStore(REGISTRY).open("file:///ws/store/get.go", text, "go", 1)
    assert doc.language is not None
    offset = text.index("_ = x150") + len("_ = x150")
    index = Indexer(REGISTRY).for_document(doc)
    assert [t for _s, _e, t in index.imports] == [
        'import "errors"',
        'import (\n\t"context"\n\t"fmt"\n\n\tst "example.com/shop/internal/store"\n)',
    ]
    assert index.import_sources == ["errors", "context", "fmt", "example.com/shop/internal/store"]
    fim = build_fim_prompt(
        doc,
        offset,
        budget=400,
        suffix_share=0.25,
        count=default_counter().count,
        scopes=enclosing_scopes(doc.language, doc.tree, doc.data, offset),
        imports=index.imports,
        line_comment="//",
        path="get.go",
    )
    head = fim.prompt[: fim.prompt.index("\tx1")]
    assert 'import "errors"\nimport (\n\t"context"\n\t"fmt"\n\n\tst "example.com/shop/internal/store"\n)\n' in head
    assert "func (s *Store) Get(ctx context.Context) error\n" in head


def test_a_ruby_class_named_with_its_namespace_is_found_by_its_name(tmp_path: Path) -> None:
    """`class Billing::InvoiceBuilder` (the compact style of Rails apps) was a definition named
    `Billing::InvoiceBuilder`, which no use matches (`Billing::InvoiceBuilder.new(` uses
    `InvoiceBuilder`): the required file's class never came, only its `module Billing`."""
    _write(
        tmp_path,
        {
            "lib/billing/invoice_builder.rb": (
                "module Billing\nend\n\nclass Billing::InvoiceBuilder < BaseBuilder\n"
                "  def initialize(order, currency:, locale: :en)\n    @order = order\n  end\nend\n\n"
                "module Billing::Formats\n  PDF = :pdf\nend\n"
            ),
        },
    )
    text = 'require "billing/invoice_builder"\n\nclass InvoicesController\n  def create\n    fmt = Billing::Formats::PDF\n    builder = Billing::InvoiceBuilder.new('
    prompt = prompt_with_imports(tmp_path / "app" / "controllers" / "invoices_controller.rb", text, [tmp_path], "ruby")
    assert "# class Billing::InvoiceBuilder < BaseBuilder\n#   def initialize(order, currency:, locale: :en)" in prompt
    assert "# module Billing::Formats\n#   PDF = :pdf" in prompt


LRU_RS = """use std::collections::HashMap;
use std::hash::Hash;

pub struct LruCache<K, V> {
    cap: usize,
    map: HashMap<K, V>,
}

impl<K: Hash + Eq + Clone, V> LruCache<K, V> {
    pub fn with_capacity(cap: usize) -> Self {
        Self { cap, map: HashMap::new() }
    }

    pub fn put(&mut self, key: K, value: V) -> Option<V> {
        self.map.insert(key, value)
    }

    pub fn get_or_load(&mut self, key: &K, load: impl FnOnce() -> V) -> &V {
        todo!()
    }

    pub fn evict_oldest(&mut self) -> Option<(K, V)> {
        None
    }
}
"""


def test_a_rust_impl_of_a_generic_type_comes_with_the_type(tmp_path: Path) -> None:
    """`impl<K, V> LruCache<K, V> {...}` was a definition named `LruCache<K, V>`, which no use
    matches: `LruCache::with_capacity(10)` brought the struct and not its methods (a plain
    `impl Cache` was found). The impl is named by its type, as its scope already was."""
    _write(tmp_path, {"Cargo.toml": '[package]\nname = "shop"\n', "src/lib.rs": "pub mod cache;\npub mod api;\n", "src/cache.rs": LRU_RS})
    text = "use crate::cache::LruCache;\n\npub fn warm() {\n    let mut lru = LruCache::with_capacity(10);\n    lru."
    prompt = prompt_with_imports(tmp_path / "src" / "api.rs", text, [tmp_path], "rust")
    assert "// impl<K: Hash + Eq + Clone, V> LruCache<K, V>" in prompt
    assert "pub fn get_or_load(&mut self, key: &K, load: impl FnOnce() -> V) -> &V" in prompt
    assert "pub fn evict_oldest(&mut self) -> Option<(K, V)>" in prompt


def test_php_helper_functions_declared_if_none_is_yet_are_definitions(tmp_path: Path) -> None:
    """A helpers file declares each function under `if (! function_exists('money'))` (Laravel's,
    and every package's helpers.php): only a function at the top of the file was a definition,
    so `money(` after `require_once __DIR__ . '/helpers.php'` came with no signature."""
    _write(
        tmp_path,
        {
            "src/helpers.php": (
                "<?php\n\nif (! function_exists('money')) {\n    function money(int $cents, string $currency = 'USD'): string\n"
                "    {\n        return number_format($cents / 100, 2) . ' ' . $currency;\n    }\n}\n\n"
                "if (! function_exists('slug')):\n    function slug(string $title, string $sep = '-'): string\n    {\n        return $title;\n    }\nendif;\n"
            ),
        },
    )
    text = "<?php\n\nrequire_once __DIR__ . '/helpers.php';\n\nfunction invoice_line(array $item): string\n{\n    $name = slug($item['name']);\n    return money("
    prompt = prompt_with_imports(tmp_path / "src" / "invoice.php", text, [tmp_path], "php")
    assert "// function money(int $cents, string $currency = 'USD'): string" in prompt
    assert "// function slug(string $title, string $sep = '-'): string" in prompt


def test_a_name_imported_under_another_name_brings_its_definition_first(tmp_path: Path) -> None:
    """`use crate::store::MemoryBackend as Backend;` then `Backend::with_capacity(` next to the
    cursor: `Backend` was looked up as such (no definition has that name), and MemoryBackend
    came only last, as an import not used yet, cut to its signature while twelve helpers used
    farther up came whole. The name a Rust, Kotlin or PHP `as` renames is looked up too."""
    helpers = "".join(f"pub fn helper_{i}(x: u32, y: u32) -> u32 {{\n    x + y + {i}\n}}\n\n" for i in range(12))
    _write(
        tmp_path,
        {
            "Cargo.toml": '[package]\nname = "shop"\n',
            "src/lib.rs": "pub mod store;\npub mod util;\npub mod api;\n",
            "src/util.rs": helpers,
            "src/store.rs": (
                "pub struct MemoryBackend {\n    items: Vec<u8>,\n}\n\nimpl MemoryBackend {\n"
                "    pub fn with_capacity(cap: usize, shards: u8) -> Self {\n        todo!()\n    }\n}\n"
            ),
        },
    )
    uses = ", ".join(f"helper_{i}" for i in range(12))
    calls = "".join(f"    let v{i} = helper_{i}(1, 2);\n" for i in range(12))
    text = f"use crate::store::MemoryBackend as Backend;\nuse crate::util::{{{uses}}};\n\npub fn start() {{\n{calls}    let b = Backend::with_capacity("
    prompt = prompt_with_imports(tmp_path / "src" / "api.rs", text, [tmp_path], "rust")
    assert "// pub struct MemoryBackend {\n//     items: Vec<u8>,\n// }" in prompt
    for language, ext, source, aliases in (
        ("kotlin", "kt", "import com.acme.store.Inventory as Inv\n", {"Inv": "Inventory"}),
        ("php", "php", "<?php\nuse App\\Services\\Mailer as M;\n", {"M": "Mailer"}),
        ("rust", "rs", "use crate::{config::load as load_cfg, store::{self as st}};\n", {"load_cfg": "load"}),
    ):
        doc = DocumentStore(REGISTRY).open(f"file:///ws/a.{ext}", source, language, 1)
        assert Indexer(REGISTRY).for_document(doc).aliases == aliases, language


def _own_file_fim(path: Path, text: str, language: str, budget: int = 2048) -> FimPrompt:
    """The prompt for the cursor at ``‸`` in ``text`` (a whole file, its rest after the cursor
    kept), with the snippets a request chooses for it (at the default budget)."""
    from deepseek_lsp.completion.prompting import cursor_names, cursor_snippets
    from deepseek_lsp.config import DEFAULT_EXCLUDE
    from deepseek_lsp.context import ContextRequest

    offset = text.index("‸")
    doc = DocumentStore(REGISTRY).open(path.as_uri(), text.replace("‸", ""), language, 1)
    assert doc.language is not None and doc.tree is not None
    scopes = enclosing_scopes(doc.language, doc.tree, doc.data, offset)
    names = cursor_names(doc, offset, scopes)
    req = ContextRequest(doc, offset, [], [], [path.parent], tuple(DEFAULT_EXCLUDE), time.monotonic() + 5)
    layout = {
        "budget": budget, "suffix_share": 0.1, "count": default_counter().count, "scopes": scopes,
        "line_comment": doc.language.spec.line_comment, "path": path.name,
        "imports": index_tree(doc.language, doc.tree, doc.data, path.name).imports,
    }  # fmt: skip
    narrowest = build_fim_prompt(doc, offset, narrowest=True, **layout)
    seen = (narrowest.window_start, narrowest.window_end)
    return build_fim_prompt(doc, offset, snippets=cursor_snippets(Indexer(REGISTRY), req, names, seen, scopes), **layout)


def _own_file_prompt(path: Path, text: str, language: str) -> str:
    """``_own_file_fim``'s prompt and suffix, as the model reads them."""
    fim = _own_file_fim(path, text, language)
    return fim.prompt + fim.suffix


def _filler_functions(count: int) -> str:
    return "".join(
        f"  function step_{i}(state, input) {{\n    const next = state.value * {i} + input.length;\n"
        f"    return {{ value: next, seen: state.seen.concat([input]) }};\n  }}\n\n"
        for i in range(count)
    )


def test_javascript_helpers_of_a_module_wrapper_or_a_test_suite_are_definitions(tmp_path: Path) -> None:
    """A UMD bundle's module is a function called at once (`(function (root) {...})(this)`),
    a test file's helpers are declared in `describe(..., function () {...})`: their functions
    are the module's own, used all over it. Declared in a function, they were no definitions,
    and a use 8 kB below one sent nothing of it (nacl-fast.js's `crypto_stream_salsa20`)."""
    helper = "  function crypto_stream_xor(c, cpos, m, mpos, d, n, k) {\n    return 0;\n  }\n\n"
    bundle = (
        "(function (nacl) {\n'use strict';\n\n" + helper + _filler_functions(60)
        + "  nacl.secretbox = function (msg, nonce, key) {\n    return crypto_stream_xor‸(c, 0, msg, 0, n, nonce, key);\n  };\n"
        + "})(typeof module !== 'undefined' ? module.exports : (self.nacl = self.nacl || {}));\n"
    )  # fmt: skip
    assert "// function crypto_stream_xor(c, cpos, m, mpos, d, n, k) {" in _own_file_prompt(
        tmp_path / "nacl.js", bundle, "javascript"
    )
    suite = (
        "const assert = require('assert');\n\ndescribe('logger', function () {\n"
        "  async function aTestObject(logfile, level) {\n    return { logfile, level };\n  }\n\n"
        + _filler_functions(60)
        + "  it('writes', async function () {\n    const logger = await aTestObject‸('x.log', 2);\n  });\n});\n"
    )  # fmt: skip
    assert "// async function aTestObject(logfile, level) {" in _own_file_prompt(tmp_path / "api.test.js", suite, "javascript")


def test_a_definition_past_the_suffix_window_reaches_the_prompt(tmp_path: Path) -> None:
    """The snippets leave out a definition the prompt's window holds, and took the window for
    6 kB before the cursor and 2 kB after: at the default budget the suffix holds ~0.8 kB and
    the prefix ~4.5 kB, so a helper defined 1-2 kB below its use, or 5 kB above it, went
    neither as a snippet nor in the window (69 of 129 misses of bench_definitions_reach.py).
    Here: 1-2 kB below."""
    go_filler = "".join(
        f"func step{i}(s State, in []byte) State {{\n\ts.value = s.value*{i} + len(in)\n\treturn s\n}}\n\n"
        for i in range(14)
    )
    below = (
        "package wire\n\nfunc Decode(b []byte) (Header, error) {\n\th, err := parseHeader‸(b)\n"
        "\treturn h, err\n}\n\n" + go_filler
        + "func parseHeader(b []byte) (Header, error) {\n\treturn Header{Len: int(b[0])}, nil\n}\n"
    )  # fmt: skip
    assert 900 < below.index("func parseHeader") - below.index("‸") < 2000
    assert "func parseHeader(b []byte) (Header, error) {" in _own_file_prompt(tmp_path / "wire.go", below, "go")


def _python_filler(count: int) -> str:
    """Functions of many short tokens (~2 bytes a token)."""
    return "".join(f"def step_{i}():\n    return ({', '.join(str(i + k) for k in range(12))})\n\n\n" for i in range(count))


def test_a_definition_above_the_narrowest_window_reaches_the_prompt(tmp_path: Path) -> None:
    """5 kB above its use, in code of many short tokens: past what the window holds however
    little extra context is sent, yet within the 6 kB once taken for seen."""
    above = (
        "def checksum_of(payload, *, seed=0):\n    return sum(payload) + seed\n\n\n" + _python_filler(70)
        + "def send(payload):\n    digest = checksum_of‸(payload)\n    return digest\n"
    )  # fmt: skip
    assert 4700 < above.index("‸") - above.index("def checksum_of") < 6000
    assert "def checksum_of(payload, *, seed=0):" in _own_file_prompt(tmp_path / "send.py", above, "python")


def test_functions_only_defined_below_the_cursor_are_no_snippets_at_a_small_budget(tmp_path: Path) -> None:
    """With a small budget (an Ollama of 1,024 tokens) the suffix holds a few lines: the
    functions defined under them, near the cursor only as the names they define, nothing
    there calling them, went as snippets in the window's place (taken for seen, they were
    not, within 2 kB of the cursor)."""
    below = "".join(f"def g{i}(a, b):\n    return add(a, b) * {i}\n\n" for i in range(12))
    text = "import os\n\n" + _python_filler(40) + "def add(a, b):\n    ‸\n\n" + below
    fim = _own_file_fim(tmp_path / "a.py", text, "python", budget=512)
    assert "# def g" not in fim.prompt
    # The window takes the room: it reaches as far back as with no extra context at all.
    doc = DocumentStore(REGISTRY).open((tmp_path / "a.py").as_uri(), text.replace("‸", ""), "python", 1)
    bare = build_fim_prompt(
        doc, text.index("‸"), budget=512, suffix_share=0.1, count=default_counter().count, line_comment="#", path="a.py",
        imports=[(0, 9, "import os")],
    )  # fmt: skip
    assert fim.prompt == bare.prompt


def test_a_definition_the_window_holds_is_not_sent_again_as_a_snippet(tmp_path: Path) -> None:
    """The snippets are chosen against the window at its narrowest (their share of the budget
    all taken); unused, that room goes to the window, which then reaches further up: a
    definition there came twice, in the window and as a snippet of its own."""
    text = (
        "def checksum_of(payload, *, seed=0):\n    return sum(payload) + seed\n\n\n" + _python_filler(38)
        + "def send(payload):\n    digest = checksum_of‸(payload)\n    return digest\n"
    )  # fmt: skip
    fim = _own_file_fim(tmp_path / "send.py", text, "python")
    assert fim.prompt.count("def checksum_of(payload, *, seed=0):") == 1
    assert "# def checksum_of" not in fim.prompt


def test_a_required_module_is_sent_with_the_imports_not_again_as_a_snippet(tmp_path: Path) -> None:
    """``const debug = require('./debug')`` binds a name, a definition of the file's: used
    kB below it, it went as a snippet, and the prompt's head sent the same line with the
    file's other imports above the window."""
    text = (
        "const fs = require('fs');\nconst debug = require('./debug');\n\n" + _filler_functions(70)
        + "function save(path, data) {\n  debug‸('saving %s', path);\n  fs.writeFileSync(path, data);\n}\n"
    )  # fmt: skip
    assert text.index("‸") > 8000
    (tmp_path / "debug.js").write_text("module.exports = function debug(format, ...args) {}\n")
    prompt = _own_file_prompt(tmp_path / "store.js", text, "javascript")
    assert prompt.count("const debug = require('./debug')") == 1
    assert "// const debug" not in prompt


def test_the_function_being_written_is_no_snippet_however_far_up_it_starts(tmp_path: Path) -> None:
    """A long function calling itself: its header goes above the window as the scope's, and
    its body is what is typed. Starting past the window, 8 kB up, it went as a snippet too, its
    first lines sent twice."""
    body = "".join(f"    step_{i} = node.children[{i}] if len(node.children) > {i} else None\n" for i in range(140))
    text = (
        "def walk(node, depth=0):\n    seen = set()\n" + body
        + "    for child in node.children:\n        walk‸(child, depth + 1)\n    return seen\n"
    )  # fmt: skip
    assert text.index("‸") > 8000
    prompt = _own_file_prompt(tmp_path / "tree.py", text, "python")
    assert prompt.count("def walk(node, depth=0):") == 1
    assert "# def walk" not in prompt
