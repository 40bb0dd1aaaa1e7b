"""Completion context in Go, Rust, C and C++ projects written as their users write them: the
definitions of names used near the cursor from the files the document includes, uses or shares a
package with, whole (found by an audit; each case failed before its fix)."""

from __future__ import annotations

from pathlib import Path

import pytest

from deepseek_lsp.context import enclosing_scopes
from deepseek_lsp.documents import DocumentStore
from tests.test_context_prompts import REGISTRY, _write, prompt_with_imports


def _headers(language: str, ext: str, text: str) -> list[str]:
    """The headers of the scopes around ``‸`` in ``text``, outermost first."""
    offset = text.encode().index("‸".encode())
    doc = DocumentStore(REGISTRY).open(f"file:///ws/a.{ext}", text.replace("‸", ""), language, 1)
    return [s.header for s in enclosing_scopes(doc.language, doc.tree, doc.data, offset)]


INVENTORY_H = """#pragma once
#include <string>
#include <vector>

namespace shop {

class Inventory {
 public:
  explicit Inventory(int capacity);
  bool Reserve(const std::string& sku, int quantity);
  const Item* FindItem(const std::string& sku) const;

 private:
  std::vector<Item> items_;
};

}  // namespace shop
"""


def test_a_cpp_header_named_dot_h_is_read_as_cpp(tmp_path: Path) -> None:
    """Most C++ projects (Google's style, LLVM, Qt) name their headers `.h`, C's extension: the
    header a `.cc` file includes was parsed as C, its class was no definition, and
    `inv.FindItem(` came with no signature. A C file's `.h` is still C."""
    _write(tmp_path, {"src/inventory.h": INVENTORY_H})
    text = '#include "inventory.h"\n\nnamespace shop {\n\nvoid Restock(Inventory& inv) {\n  const Item* item = inv.FindItem('
    prompt = prompt_with_imports(tmp_path / "src" / "restock.cc", text, [tmp_path], "cpp")
    assert "const Item* FindItem(const std::string& sku) const;" in prompt
    assert "class Inventory {" in prompt
    _write(tmp_path, {"csrc/buffer.h": "struct buffer {\n    char *data;\n    size_t len;\n};\n\nint buffer_append(struct buffer *b, const char *s);\n"})
    c = '#include "buffer.h"\n\nint main(void) {\n    struct buffer b;\n    buffer_append(&b, "x");\n'
    prompt = prompt_with_imports(tmp_path / "csrc" / "main.c", c, [tmp_path], "c")
    assert "int buffer_append(struct buffer *b, const char *s);" in prompt


def test_a_cpp_template_keeps_its_template_line(tmp_path: Path) -> None:
    """`template <typename K, typename V> class LruCache {...}` was sent as `class LruCache {`
    (and a function template without its `template <typename T>`): the model wrote
    `LruCache cache(10);`, which does not compile. The header of a scope in a template says so
    too."""
    _write(
        tmp_path,
        {
            "include/cache.hpp": (
                "#pragma once\n\ntemplate <typename K, typename V>\nclass LruCache {\npublic:\n"
                "    explicit LruCache(std::size_t capacity);\n    bool get(const K& key, V& out);\n};\n\n"
                "template <typename T>\nT clamp_value(T v, T lo, T hi);\n"
            )
        },
    )
    text = '#include "cache.hpp"\n\nint main() {\n    int n = clamp_value(3, 0, 10);\n    LruCache<std::string, int> cache('
    prompt = prompt_with_imports(tmp_path / "src" / "main.cpp", text, [tmp_path], "cpp")
    assert "// template <typename K, typename V>\n// class LruCache {" in prompt
    assert "// template <typename T>\n// T clamp_value(T v, T lo, T hi);" in prompt
    headers = _headers("cpp", "cpp", "template <typename T>\nstd::vector<T> Cache<T>::items() const {\n    a();\n    ‸\n}\n")
    assert headers == ["template <typename T>\nstd::vector<T> Cache<T>::items() const"]


CPP_FORMS = {
    # A method or a field declared under `#if`/`#ifdef` in a class body (a debug or platform
    # member).
    "ifdef method": (
        "class Logger {\n public:\n  void info(const char* msg);\n#ifdef TRACE_ON\n"
        "  void trace(const char* fmt, int level);\n#endif\n#if HAVE_STATS\n"
        "  long dropped_;\n#endif\n};\n"
        "extern Logger* g_log;\n",
        "  g_log->trace(\"step %d\", n);\n  long d = g_log->dropped_",
        ("void trace(const char* fmt, int level);", "long dropped_;"),
    ),
    # A C library's API declared for C++ callers, one declaration or a block of them.
    'extern "C"': (
        'extern "C" int codec_open(const char* path, int flags);\n'
        'namespace media {\nextern "C" void codec_close(int fd);\nextern "C" {\nint codec_read(int fd, char* buf);\n}\n}\n',
        "  int fd = codec_open(path, 0);\n  codec_read(fd, buf);\n  codec_close(",
        ("int codec_open(const char* path, int flags);", "void codec_close(int fd);", "int codec_read(int fd, char* buf);"),
    ),
    # Free operator functions: the declaration a .cpp file implements, an explicit call.
    "operator": (
        "struct Vec2 { float x, y; };\nVec2 operator+(const Vec2& a, const Vec2& b);\n"
        "std::ostream& operator<<(std::ostream& os, const Vec2& v);\n",
        "  operator<<(std::cerr, v);\n}\n\nVec2 operator+(const Vec2& a, const Vec2& b) {\n  ",
        ("Vec2 operator+(const Vec2& a, const Vec2& b);", "std::ostream& operator<<(std::ostream& os, const Vec2& v);"),
    ),
    # Explicit specialisations: a class template's for one type, a function template's.
    "specialisation": (
        "template <typename T> struct Limits;\ntemplate <> struct Limits<int> {\n  static constexpr int max_items = 64;\n};\n"
        "template <typename T> T parse_field(const char* s);\ntemplate <> int parse_field<int>(const char* s) { return atoi(s); }\n",
        "  int n = parse_field<int>(row[0]);\n  if (n > Limits<int>::",
        ("template <> struct Limits<int> {\n  static constexpr int max_items = 64;",
         "template <> int parse_field<int>(const char* s) { return atoi(s); }"),
    ),
    # A method defined (with its body) under `#ifdef`, `#if`, `#elif` or `#else` in a class body.
    "ifdef method body": (
        "class Pool {\n public:\n  int size() const { return n_; }\n#ifdef POOL_DEBUG\n"
        "  void dump_slots(int from, int to) const { }\n#elif POOL_STATS\n"
        "  long hit_count(int shard) const { return 0; }\n#else\n"
        "  void verify_all(bool strict) { }\n#endif\n private:\n  int n_;\n};\n"
        "extern Pool* g_pool;\n",
        "  g_pool->dump_slots(0, n);\n  g_pool->verify_all(true);\n  long h = g_pool->hit_count(",
        ("void dump_slots(int from, int to) const { }", "long hit_count(int shard) const { return 0; }",
         "void verify_all(bool strict) { }"),
    ),
    # An explicit specialisation returning a pointer or a reference.
    "specialisation returning a pointer": (
        "template <typename T> T* make_node(int id);\n"
        "template <> char* make_node<char>(int id) { return nullptr; }\n"
        "template <typename T> const T& default_of();\ntemplate <> const int& default_of<int>();\n",
        "  char* c = make_node<char>(n);\n  int d = default_of<int>(",
        ("template <> char* make_node<char>(int id) { return nullptr; }", "template <> const int& default_of<int>();"),
    ),
    # A type named by a typedef of a qualified, dependent or template type (a container's
    # member types, a library's aliases).
    "typedef of a qualified type": (
        "#include <cstddef>\n#include <vector>\ntypedef std::size_t slot_index;\n"
        "typedef std::vector<int> slot_list;\ntemplate <typename Base> struct Slots {\n"
        "  typedef typename Base::iterator slot_iterator;\n};\n",
        "  slot_index i = 0;\n  slot_list all;\n  for (slot_iterator it = all.begin();",
        ("typedef std::size_t slot_index;", "typedef std::vector<int> slot_list;",
         "typedef typename Base::iterator slot_iterator;"),
    ),
    # A function returning a function pointer (C's signal handlers, plugin tables).
    "function pointer": (
        "typedef int (*handler_fn)(int);\nint (*pick_handler(int code))(int);\n"
        "static void (*on_exit_hook(void (*hook)(void)))(void) { return hook; }\n",
        "  int (*h)(int) = pick_handler(code);\n  on_exit_hook(",
        ("int (*pick_handler(int code))(int);", "static void (*on_exit_hook(void (*hook)(void)))(void) { return hook; }"),
    ),
}


@pytest.mark.parametrize("form", CPP_FORMS)
def test_cpp_definitions_of_every_form_reach_the_prompt(tmp_path: Path, form: str) -> None:
    """A name used near the cursor brings its definition from the header included, whatever
    its form: methods under `#ifdef` in a class body, `extern "C"` declarations, free
    operators, explicit specialisations and functions returning function pointers were no
    definitions (the model guessed their parameters)."""
    header, use, expected = CPP_FORMS[form]
    _write(tmp_path, {"src/api.h": "#pragma once\n\n" + header})
    text = '#include "api.h"\n\nvoid Run(int n, const char* path, char* buf, int code) {\n' + use
    prompt = prompt_with_imports(tmp_path / "src" / "main.cpp", text, [tmp_path], "cpp")
    for snippet in expected:
        assert "\n".join("// " + line for line in snippet.splitlines()) in prompt, form


def test_rust_attributes_above_an_item_come_with_it(tmp_path: Path) -> None:
    """`#[derive(Debug, Default, Clone)]` says what a struct can do (`Backend::default()`,
    `.clone()`): a definition's snippet starts at its attributes, as a Python one starts at its
    decorators; it started at `pub struct`. A scope's header shows `#[test]` and
    `#[async_trait]` likewise. An inner attribute (`#![allow(...)]`) is the module's."""
    _write(
        tmp_path,
        {
            "Cargo.toml": '[package]\nname = "shop"\n',
            "src/lib.rs": "pub mod backend;\npub mod api;\n",
            "src/backend.rs": (
                "#![allow(dead_code)]\nuse std::collections::HashMap;\n\n"
                "#[derive(Debug, Default, Clone)]\n#[serde(rename_all = \"camelCase\")]\npub struct MemoryBackend {\n"
                "    items: HashMap<u64, String>,\n}\n"
            ),
        },
    )
    text = "use crate::backend::MemoryBackend;\n\npub fn start() {\n    let b = MemoryBackend::"
    prompt = prompt_with_imports(tmp_path / "src" / "api.rs", text, [tmp_path], "rust")
    assert '// #[derive(Debug, Default, Clone)]\n// #[serde(rename_all = "camelCase")]\n// pub struct MemoryBackend {' in prompt
    assert "allow(dead_code)" not in prompt
    headers = _headers("rust", "rs", "#[cfg(test)]\nmod tests {\n    #[test]\n    fn it_works() {\n        a();\n        ‸\n    }\n}\n")
    assert headers[-1] == "#[test]\n    fn it_works()"


RUST_CRATE = {
    "Cargo.toml": '[package]\nname = "shop"\n',
    "src/lib.rs": "pub mod api;\npub mod config;\npub mod store;\n",
    "src/config.rs": (
        "pub struct Settings {\n    pub db_url: String,\n    pub pool_size: u32,\n}\n\n"
        "pub fn load_settings(path: &str, strict: bool) -> Result<Settings, ConfigError> {\n    todo!()\n}\n"
    ),
    "src/store/mod.rs": "pub mod backend;\npub mod cache;\n",
    "src/store/backend.rs": "pub fn connect_pool(url: &str, size: u32) -> Pool {\n    todo!()\n}\n",
    "src/store/cache.rs": "pub struct LruCache<K, V> {\n    cap: usize,\n    map: HashMap<K, V>,\n}\n",
}


def test_rust_use_of_a_module_reads_the_modules_file(tmp_path: Path) -> None:
    """`use crate::config;` then `config::load_settings(`: the module's file (config.rs) was
    not read, only lib.rs (the source was `crate`, the path without its last segment)."""
    _write(tmp_path, RUST_CRATE)
    text = "use crate::config;\nuse crate::store::backend as db;\n\npub fn start() {\n    let pool = db::connect_pool(u, 4);\n    let s = config::load_settings("
    prompt = prompt_with_imports(tmp_path / "src" / "api.rs", text, [tmp_path], "rust")
    assert "pub fn load_settings(path: &str, strict: bool) -> Result<Settings, ConfigError>" in prompt
    assert "pub fn connect_pool(url: &str, size: u32) -> Pool" in prompt


def test_rust_nested_use_trees_are_followed(tmp_path: Path) -> None:
    """`use crate::{config::{load_settings, Settings}, store::{backend::connect_pool, ...}};`
    (rustfmt's `imports_granularity = "Crate"`) was no import at all: neither in the prompt's
    head nor followed to config.rs, backend.rs and cache.rs."""
    _write(tmp_path, RUST_CRATE)
    text = (
        "use crate::{\n    config::{load_settings, Settings}, // the app's settings\n"
        "    store::{backend::connect_pool, cache::LruCache as Lru},\n};\n\n"
        "pub fn start() {\n    let s: Settings = load_settings(p, true).unwrap();\n"
        "    let pool = connect_pool(&s.db_url, s.pool_size);\n    let cache: Lru<u64, String> = Lru::new("
    )
    prompt = prompt_with_imports(tmp_path / "src" / "api.rs", text, [tmp_path], "rust")
    assert "pub fn load_settings(path: &str, strict: bool) -> Result<Settings, ConfigError>" in prompt
    assert "pub struct Settings {" in prompt
    assert "pub fn connect_pool(url: &str, size: u32) -> Pool" in prompt
    assert "pub struct LruCache<K, V> {" in prompt
    from deepseek_lsp.context import Indexer

    doc = DocumentStore(REGISTRY).open((tmp_path / "src" / "api.rs").as_uri(), text, "rust", 1)
    index = Indexer(REGISTRY).for_document(doc)
    assert index is not None and [t for _s, _e, t in index.imports] == [text[: text.index(";") + 1]]


def test_a_go_test_file_reads_the_test_helpers_of_its_package(tmp_path: Path) -> None:
    """A `_test.go` file uses the helpers its package's other test files define
    (`newTestStore(t)` in helpers_test.go): the package's files were read without their tests
    for every document, and the helper came with no signature. A file that is no test still
    leaves the tests out."""
    _write(
        tmp_path,
        {
            "go.mod": "module example.com/shop\n\ngo 1.22\n",
            "internal/store/store.go": "package store\n\nfunc Open(path string) (*Store, error) {\n\treturn nil, nil\n}\n",
            "internal/store/helpers_test.go": (
                'package store\n\nimport "testing"\n\nfunc newTestStore(t *testing.T, seed []Order) *Store {\n'
                "\tt.Helper()\n\treturn nil\n}\n"
            ),
        },
    )
    text = 'package store\n\nimport "testing"\n\nfunc TestGetOrder(t *testing.T) {\n\tdb, _ := Open("x")\n\ts := newTestStore(t, nil)\n'
    prompt = prompt_with_imports(tmp_path / "internal" / "store" / "store_test.go", text, [tmp_path], "go")
    assert "func newTestStore(t *testing.T, seed []Order) *Store" in prompt
    assert "func Open(path string) (*Store, error)" in prompt
    code = 'package store\n\nfunc Reopen() {\n\tnewTestStore(nil, nil)\n\tOpen("x")\n'
    prompt = prompt_with_imports(tmp_path / "internal" / "store" / "reopen.go", code, [tmp_path], "go")
    assert "func Open(path string) (*Store, error)" in prompt and "newTestStore(t" not in prompt


def test_a_go_interface_is_an_interface_in_its_signature_and_header() -> None:
    """An interface's header stopped at its name (`type Store`, its body being the whole
    `interface {...}`): a long interface's head and a signature sent for it said nothing of
    what it was. Now `type Store interface {`, as a struct's is `type Store struct`."""
    text = "package a\n\ntype Repository[T any] interface {\n\t// Get finds one.\n\tGet(ctx context.Context, id string) (T, error)\n\tio.Closer\n\t‸\n}\n"
    assert _headers("go", "go", text) == ["type Repository[T any] interface {"]
    from deepseek_lsp.context import Indexer

    doc = DocumentStore(REGISTRY).open("file:///ws/a.go", text.replace("‸", ""), "go", 1)
    index = Indexer(REGISTRY).for_document(doc)
    assert index is not None
    assert index.definitions["Repository"][0].signature == "type Repository[T any] interface {\n…"
