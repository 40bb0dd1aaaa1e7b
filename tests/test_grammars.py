"""The language folders under ``grammars/``: settings, query syntax, and what the queries capture.

Every folder on disk is compiled and checked (a new folder is picked up automatically); each
language with a sample under ``tests/data/grammars/<language>/`` is parsed and its captures
compared with the expectations below.
"""

from __future__ import annotations

import logging
import re
import sys
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
import tree_sitter as ts

from deepseek_lsp.languages import QUERY_KINDS, Language, LanguageRegistry, LanguageSpec

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
GRAMMARS = ROOT / "grammars"
SAMPLES = Path(__file__).resolve().parent / "data" / "grammars"

LANGUAGES = {
    "python", "javascript", "typescript", "tsx", "go", "rust", "java", "c", "cpp",
    "ruby", "php", "csharp", "bash", "lua", "kotlin", "scala", "swift", "elixir",
}  # fmt: skip
FOLDERS = sorted(p for p in GRAMMARS.iterdir() if (p / "language.toml").is_file())

#: The capture names each kind of query may use (grammars/README.md); `@_x` are helper
#: captures for predicates and are ignored by consumers.
CAPTURES = {
    "scopes": {"scope.class", "scope.function", "scope.block", "name", "body"},
    "definitions": {
        "definition.class",
        "definition.function",
        "definition.method",
        "definition.type",
        "definition.variable",
        "definition.constant",
        "name",
        "body",
        "owner",
        "parameter.type",
        "base",
        "field.type",
    },
    "imports": {
        "import", "import.source", "import.source.relative", "import.name",
        "import.reexport", "import.reexport.local", "import.reexport.name",
    },
    "identifiers": {"reference", "reference.member", "reference.alias"},
}
#: Definitions' captures in patterns of their own, with no definition.
OWN_PATTERN = frozenset({"parameter.type", "base", "field.type"})
#: The capture that marks the whole construct in each kind of query.
MAIN = {
    "scopes": "scope.",
    "definitions": "definition.",
    "imports": "import",
    "identifiers": "reference",
}

#: Predicates tree-sitter itself evaluates; anything else (#lua-match?, #vim-match?, #contains?,
#: #has-ancestor?, ...) is editor-specific and would be silently ignored here.
STANDARD_PREDICATES = {
    "eq?", "not-eq?", "any-eq?", "any-not-eq?",
    "match?", "not-match?", "any-match?", "any-not-match?",
    "any-of?", "not-any-of?",
    "set!",  # a directive: the pattern's settings (``Query.pattern_settings``)
}  # fmt: skip
EDITOR_ONLY = {"lua-match?", "vim-match?", "contains?"}
# Strings and comments first, so a `#` or `;` inside them is not taken for a predicate.
TOKEN = re.compile(r'"(?:\\.|[^"\\])*"|;[^\n]*|#(?P<predicate>[\w-]+[?!])')


def folder_id(folder: Path) -> str:
    return folder.name


# --------------------------------------------------------------------------- folders and queries


def test_registry_loads_all_languages_without_problems():
    registry = LanguageRegistry.load()
    assert registry.problems == []
    assert set(registry.names()) >= LANGUAGES
    for name in LANGUAGES:
        lang = registry.get(name)
        assert lang is not None, name
        assert isinstance(lang.ts_language, ts.Language)


@pytest.mark.parametrize("folder", FOLDERS, ids=folder_id)
def test_language_toml_has_the_settings(folder: Path):
    raw = tomllib.loads((folder / "language.toml").read_text(encoding="utf-8"))
    for key in ("name", "language_ids", "extensions", "grammar", "package", "line_comment"):
        assert key in raw, f"{folder.name}/language.toml: missing {key}"
    assert raw["name"] == folder.name
    assert raw["language_ids"] and all(isinstance(i, str) for i in raw["language_ids"])
    assert all(e.startswith(".") for e in raw["extensions"])
    assert re.fullmatch(r"[\w.]+:\w+", raw["grammar"])


@pytest.mark.parametrize("folder", FOLDERS, ids=folder_id)
def test_every_query_compiles_with_standard_capture_names(registry: LanguageRegistry, folder: Path):
    # The module's registry: the samples' tests below use these queries compiled once (a
    # language's compile is up to 1.7 s of CPU, Swift's; each was compiled twice).
    lang = registry.get(folder.name)
    assert lang is not None and lang.spec.folder == folder, folder.name
    for path in folder.glob("*.scm"):
        assert path.stem in QUERY_KINDS, f"{path.name}: not one of {QUERY_KINDS}"
    # A language's queries are its own files or those of the languages it inherits from.
    sources = {kind: lang.query_source(kind) for kind in QUERY_KINDS}
    assert any(sources.values()), f"{folder.name} has no queries"
    for kind, source in sources.items():
        if source is None:
            continue
        query = lang.query(kind)
        assert query is not None, f"{folder.name}/{kind}.scm: {lang.query_problems.get(kind)}"
        names = {query.capture_name(i) for i in range(query.capture_count)}
        unknown = {n for n in names if not n.startswith("_")} - CAPTURES[kind]
        assert not unknown, f"{folder.name}/{kind}.scm: unknown captures {sorted(unknown)}"
        assert any(n.startswith(MAIN[kind]) for n in names), f"{kind}.scm: no @{MAIN[kind]}*"


@pytest.mark.parametrize("folder", FOLDERS, ids=folder_id)
def test_queries_use_only_standard_predicates(folder: Path):
    for path in sorted(folder.glob("*.scm")):
        source = path.read_text(encoding="utf-8")
        used = {m["predicate"] for m in TOKEN.finditer(source) if m["predicate"]}
        assert not used & EDITOR_ONLY, (
            f"{folder.name}/{path.name}: editor-only {used & EDITOR_ONLY}"
        )
        assert used <= STANDARD_PREDICATES, (
            f"{folder.name}/{path.name}: {used - STANDARD_PREDICATES}"
        )


def test_predicate_scan_sees_editor_only_predicates():
    source = (
        '; #lua-match? in a comment is fine\n((identifier) @x (#lua-match? @x "^[A-Z]"))\n"#x?"'
    )
    assert [m["predicate"] for m in TOKEN.finditer(source) if m["predicate"]] == ["lua-match?"]


# --------------------------------------------------------------------------- samples


@dataclass(frozen=True)
class Expect:
    """What the queries must find in ``tests/data/grammars/<language>/sample.<ext>``.

    ``definitions`` and ``scopes`` are ``kind:name`` words (kind without its prefix; a scope
    word repeated must be found as often);
    ``imports`` are ``(source text, bound name or None)``; headers are the text of a scope
    from its start to its @body, stripped.
    """

    sample: str
    body: str  # node type of a function's @body
    definitions: str
    not_definitions: str  # locals: must not be reported as definitions
    scopes: str
    headers: tuple[str, ...]
    imports: tuple[tuple[str, str | None], ...]
    references: str
    members: str


EXPECT = {
    "python": Expect(
        sample="sample.py",
        body="block",
        definitions="function:dump class:Cache method:get_entry method:full variable:MAX_ENTRIES "
        "variable:limit variable:EVICTIONS function:dumps variable:SEPARATOR",
        not_definitions="old fh target",
        scopes="class:Cache function:get_entry function:dump",
        headers=("def dump(cache, path):", "if key not in self:", "else:"),
        imports=(("os.path", "os.path"), ("json", "js"), ("collections", "OrderedDict"),
                 (".store", "Backend"), (".store", "load")),
        references="MAX_ENTRIES Backend load",
        members="move_to_end join",
    ),
    "javascript": Expect(
        sample="sample.js",
        body="statement_block",
        definitions="function:loadConfig function:main function:summarize class:Cache "
        "method:constructor method:store method:onEvict variable:MAX_ITEMS variable:counter "
        "variable:api method:get method:post",
        not_definitions="total cache first hooks flush retries",
        scopes="class:Cache function:loadConfig function:summarize function:store "
        "function:onEvict function:items.forEach",
        headers=("function loadConfig(file)", "summarize = (items) =>", "if (total > 0)", "else",
                 "while (total < MAX_ITEMS)", "for (const first of this.keys())", "catch (err)",
                 "finally"),
        imports=(('"fs"', "fs"), ('"./util.js"', "read"), ('"./util.js"', "join"),
                 ("'node:path'", "path"), ('"./config"', "config"), ('"./timing"', "debounce")),
        references="MAX_ITEMS Cache summarize debounce",
        members="forEach readFileSync length",
    ),
    "typescript": Expect(
        sample="sample.ts",
        body="statement_block",
        definitions="class:Watcher class:Base class:Options class:Level type:Handler "
        "function:resolveRoot function:retry function:reset method:emitAll method:onChange "
        "method:log method:name variable:DEFAULT_RETRIES variable:handlers variable:root "
        "variable:retries type:Limits variable:max method:check variable:registry "
        "method:register method:drop",
        not_definitions="error",
        scopes="class:Watcher class:Options class:Base function:emitAll function:retry "
        "function:resolveRoot function:onChange",
        headers=("function resolveRoot(options: Partial<Options>): string",
                 "for (const [name, handler] of this.handlers)", "if (name.startsWith(event))",
                 "try", "catch (error: unknown)", "while (retries > 0)"),
        imports=(('"events"', "EventEmitter"), ('"./logger"', "Log"), ('"node:path"', "path"),
                 ('"./defaults"', "defaults"), ('"./defaults"', "merge"), ('"fs"', "fs")),
        references="Options Handler DEFAULT_RETRIES Log",
        members="startsWith emitAll root",
    ),
    "tsx": Expect(
        sample="sample.tsx",
        body="statement_block",
        definitions="class:TodoListProps class:ErrorBoundary function:TodoList "
        "function:useToggle method:render variable:todos variable:onToggle",
        not_definitions="visible filter on",
        scopes="class:ErrorBoundary function:TodoList function:render function:useToggle",
        headers=("class ErrorBoundary extends React.Component<{}, { failed: boolean }>",
                 "if (this.state.failed)", "for (const todo of visible)"),
        imports=(('"react"', "React"), ('"react"', "useState"),
                 ('"./components/button"', "UiButton"), ('"../types"', "Todo")),
        references="UiButton TodoListProps onToggle setFilter",
        members="includes title",
    ),
    "go": Expect(
        sample="sample.go",
        body="block",
        definitions="function:New method:Get class:Entry class:Cache class:Getter type:Key "
        "constant:MaxEntries variable:ErrMissing function:logMiss",
        not_definitions="entry k value",
        scopes="class:Cache class:Getter function:New function:Get function:logMiss",
        headers=("type Entry struct", "func (c *Cache) Get(key Key) (*Entry, error)",
                 "if entry, ok := c.entries[key]; ok", "for k := range c.entries",
                 "case err != nil:", "default:"),
        imports=(('"errors"', None), ('"fmt"', None), ('"strings"', "str"),
                 ('"example.com/project/internal/store"', None), ('"embed"', None)),
        references="MaxEntries Entry store Backend",
        members="Load Errorf entries",
    ),
    "rust": Expect(
        sample="sample.rs",
        body="block",
        definitions="function:read_all method:new method:get method:evict method:clear "
        "class:Cache class:CacheError class:Evict type:Result constant:MAX_ENTRIES "
        "constant:GREETING function:reads_nothing function:cached",
        not_definitions="text trim value",
        scopes="class:Cache class:Cache class:Cache class:Evict class:CacheError function:get "
        "function:trim",
        headers=("impl<S: Store> Cache<S>", "impl<S: Store> Evict for Cache<S>",
                 "pub fn get(&mut self, key: &str) -> Result<&[u8]>",
                 "if !self.entries.contains_key(key)", "else", "match self.entries.get(key)",
                 "for _ in 0..3"),
        # A path is the source whole (``crate::config`` is config.rs), a use tree likewise.
        imports=(("std::collections::HashMap", "HashMap"), ("std::io::{self, Read as IoRead, Write}", None),
                 ("std::io::{self, Read as IoRead, Write}", "IoRead"), ("std::io::{self, Read as IoRead, Write}", "Write"),
                 ("crate::config", None), ("super::store::Backend", "Store"), ("cache", None)),
        references="HashMap CacheError read_all",
        members="contains_key read_to_string",
    ),
    "java": Expect(
        sample="sample.java",
        body="block",
        definitions="class:LruCache class:Policy class:Cache class:Entry method:get "
        "method:LruCache method:contains method:evictsOldest variable:MAX_ENTRIES "
        "variable:entries",
        not_definitions="value describe k",
        scopes="class:LruCache class:Policy function:get function:describe function:contains",
        headers=("public class LruCache<K, V> implements Cache<K, V>", "if (value == null)",
                 "for (K k : entries.keySet())", "try", "catch (IllegalStateException e)",
                 "finally"),
        imports=(("java.util.HashMap", "HashMap"), ("java.util.Map", "Map"), ("java.util.function", None),
                 ("java.util.Objects.requireNonNull", "requireNonNull"),
                 ("com.example.store.Backend", "Backend")),
        references="Backend MAX_ENTRIES IllegalStateException",
        members="keySet valueOf",
    ),
    "c": Expect(
        sample="sample.c",
        body="compound_statement",
        definitions="function:hash function:cache_get class:entry class:cache class:policy "
        "type:hash_t type:entry_t constant:MAX_ENTRIES function:MIN constant:POLICY_LRU "
        "variable:verbose variable:buckets",
        not_definitions="h e",
        scopes="class:cache class:entry function:cache_get function:hash",
        headers=("void *cache_get(struct cache *cache, const char *key)", "while (*key)",
                 "else", "switch (cache->size)", "for (; e != NULL; e = e->next)"),
        imports=(("<stdio.h>", None), ("<stdlib.h>", None), ('"cache.h"', None)),
        references="entry_t MAX_ENTRIES strcmp",
        members="buckets next",
    ),
    "cpp": Expect(
        sample="sample.cpp",
        body="compound_statement",
        definitions="class:Cache class:Stats method:get method:size method:Cache method:~Cache "
        "function:main type:Key constant:CACHE_VERSION variable:kMaxEntries variable:entries_",
        not_definitions="it evict stats",
        scopes="class:Cache class:Stats function:get function:size function:evict function:main",
        headers=("const V *Cache<V>::get(const Key &key)", "for (const auto &[k, v] : entries_)",
                 "try", "catch (const std::exception &error)", "if (it != entries_.end())"),
        imports=(("<string>", None), ("<unordered_map>", None), ('"cache.hpp"', None)),
        references="Key Backend std",
        members="emplace second",
    ),
    "ruby": Expect(
        sample="sample.rb",
        body="body_statement",
        definitions="class:Caching class:LruCache method:initialize method:get method:from_json "
        "method:evict function:dump constant:MAX_ENTRIES constant:VERSION",
        not_definitions="value data k",
        scopes="class:Caching class:LruCache function:initialize function:get function:from_json "
        "function:dump function:each function:each",
        headers=("module Caching", "class LruCache < Store::Base", "def get(key)",
                 "def self.from_json(text)", "data.each do |key, value|", "if value.nil?",
                 "when Symbol"),
        imports=(('"json"', None), ('"store/backend"', None)),
        references="MAX_ENTRIES JSON log_hit evict",
        members="parse delete generate",
    ),
    "php": Expect(
        sample="sample.php",
        body="compound_statement",
        definitions="class:Getter class:LruCache method:get method:count method:__construct "
        "function:dump constant:MAX_ENTRIES constant:VERSION variable:entries",
        not_definitions="value e",
        scopes="class:Getter class:LruCache function:get function:count function:dump",
        headers=("final class LruCache implements Getter, Countable",
                 "public function get(string $key): ?string", "if (isset($this->entries[$key]))",
                 "else", "while (count($this->entries) > MAX_ENTRIES)", "try",
                 "catch (\\JsonException $e)"),
        imports=(("App\\Store\\Backend", "Backend"), ("Psr\\Log", "LoggerInterface"),
                 ("Psr\\Log", "SilentLogger"), ("Countable", "Countable"),
                 ("'/helpers.php'", None)),
        references="MAX_ENTRIES Backend LruCache",
        members="load getMessage entries",
    ),
    "csharp": Expect(
        sample="sample.cs",
        body="block",
        definitions="class:App.Caching class:ICache class:LruCache class:Entry type:Evicted "
        "method:Get method:LruCache method:Evict method:Dispose constant:MaxEntries "
        "variable:_entries variable:Count variable:OnEvicted",
        not_definitions="value k e",
        scopes="class:App.Caching class:ICache class:LruCache function:Get function:LruCache "
        "function:Evict function:Dispose",
        headers=("namespace App.Caching", "public sealed class LruCache : ICache, IDisposable",
                 "public string Get(string key)", "if (_entries.TryGetValue(key, out var value))",
                 "foreach (var k in _entries.Keys)", "try", "catch (InvalidOperationException e)"),
        imports=(("System", None), ("System.Collections.Generic", None), ("System.Math", None),
                 ("System.Text.Json.JsonSerializer", "Json")),
        references="MaxEntries IBackend Json",
        members="TryGetValue WriteLine Remove",
    ),
    "bash": Expect(
        sample="sample.sh",
        body="compound_statement",
        definitions="function:usage function:rotate function:backup constant:MAX_BACKUPS "
        "variable:BACKUP_DIR variable:TZ",
        not_definitions="count src oldest DRY_RUN",
        scopes="function:usage function:rotate function:backup",
        headers=("backup()", "function rotate", 'while [ "$count" -gt "$MAX_BACKUPS" ];',
                 'if [[ ! -d "$src" ]]; then', 'elif [[ -n "${DRY_RUN:-}" ]]; then', "else",
                 'for arg in "$@";', "-h|--help)"),
        imports=(("./lib/log.sh", None), ('"$HOME/.config/backup.env"', None)),
        references="MAX_BACKUPS BACKUP_DIR log_error usage rotate",
        members="",
    ),
    "lua": Expect(
        sample="sample.lua",
        body="block",
        definitions="function:new method:get function:dump function:size variable:MAX_ENTRIES "
        "variable:hits variable:Cache",
        not_definitions="json Store value file n self",
        scopes="function:Cache.new function:Cache:get function:dump function:Cache.size",
        headers=("function Cache:get(key)", "local function dump(cache, path)",
                 "Cache.size = function(self)", "if value == nil then", "elseif hits then", "else",
                 "for k in pairs(self.entries) do", "while n < #self.entries do"),
        imports=(('"json"', "json"), ('"store.backend"', "Store")),
        references="MAX_ENTRIES Cache setmetatable",
        members="load encode entries",
    ),
    "kotlin": Expect(
        sample="sample.kt",
        body="block",
        definitions="class:Cache class:Policy class:Entry class:CacheError class:Missing "
        "class:LruCache class:companion class:Registry method:get method:contains "
        "method:evictsOldest method:constructor method:evict method:empty method:register "
        "function:getOrThrow function:dump type:Loader constant:MAX_ENTRIES "
        "variable:defaultPolicy variable:verbose variable:entries variable:hits variable:caches",
        not_definitions="value loaded describe k text e",
        scopes="class:Cache class:Policy class:CacheError class:LruCache class:Registry "
        "function:get function:contains function:init function:evict function:let "
        "function:describe function:getOrThrow function:dump function:thread",
        headers=("interface Cache<K, V>", "enum class Policy", "override fun get(key: K): V?",
                 "fun <K, V> Cache<K, V>.getOrThrow(key: K): V", "companion object",
                 "if (value == null)", "try", "catch (e: IllegalStateException)", "finally",
                 "for (k in entries.keys)", "while (entries.size > MAX_ENTRIES)", "is String ->",
                 "entries.keys.firstOrNull()?.let", 'thread(name = "warmup")'),
        imports=(("java.util.concurrent.ConcurrentHashMap", "ConcurrentHashMap"),
                 ("kotlinx.coroutines.flow", None), ("com.example.store.Backend", "StoreBackend"),
                 ("kotlin.math.max", "max")),
        references="MAX_ENTRIES StoreBackend IllegalStateException evict",
        members="remove firstOrNull trimIndent hits",
    ),
    "scala": Expect(
        sample="sample.scala",
        body="block",
        definitions="class:Cache class:Policy class:Lru class:Entry class:LruCache class:Level "
        "method:get method:contains method:this method:evict method:describe method:empty "
        "method:summary function:dump type:Loader constant:Version variable:entries "
        "variable:hits variable:MaxEntries variable:verbose",
        not_definitions="value loaded k text transform width e size",
        scopes="class:Cache class:LruCache class:LruCache class:Level function:get "
        "function:contains function:evict function:describe function:empty function:dump "
        "function:transform function:foreach function:foldLeft function:summary",
        headers=("trait Cache[K, V]", "object LruCache", "override def get(key: K): Option[V] =",
                 "def describe(policy: Policy): String =", "def summary: String =", "enum Level",
                 "if (value.isEmpty)", "try", "catch", "finally", "for (k <- entries.keys)",
                 "while (entries.size > maxEntries)", "policy match",
                 "entries.headOption.foreach", "List(1, 2).foldLeft(0)"),
        imports=(("collection", "mutable"), ("concurrent", "ExecutionContext"),
                 ("concurrent", "AsyncResult"), ("control", "NonFatal"), ("store", None)),
        references="MaxEntries NonFatal Backend LruCache",
        members="headOption isDefined remove trim",
    ),
    "swift": Expect(
        sample="sample.swift",
        body="function_body",
        definitions="class:Cache class:CacheError class:Entry class:LruCache type:Key type:Value "
        "method:get method:clear method:init method:evict function:load function:log "
        "variable:maxEntries variable:verbose variable:defaultLimit variable:entries "
        "variable:description",
        not_definitions="names entry k",
        scopes="class:Cache class:CacheError class:Entry class:LruCache class:LruCache "
        "function:init function:get function:clear function:evict function:description "
        "function:entries.keys.map function:load function:log",
        headers=("final class LruCache<Value>: Cache", "extension LruCache: CustomStringConvertible",
                 "func get(_ key: Key) -> Value?", "if let entry = entries[key] {",
                 "guard let value = backend.load(key) as? Value else {",
                 "while entries.count > maxEntries {", "for k in entries.keys {",
                 "entries.keys.map { key in", "do {", "catch {", "switch message.count {",
                 "case 0:", "default:"),
        imports=(("Foundation", None), ("CoreGraphics", "CGPoint"), ("CacheKit", None)),
        references="maxEntries Entry Backend CacheError",
        members="removeValue uppercased joined",
    ),
    "elixir": Expect(
        sample="sample.ex",
        body="do_block",
        definitions="class:Caching.LruCache class:Caching.Stats function:start_link function:get "
        "function:init function:handle_call function:evict function:clear function:cached "
        "function:dump function:hit constant:max_entries constant:default_opts type:key",
        not_definitions="oldest value opts state impl moduledoc",
        scopes="class:Caching.LruCache class:Caching.Stats function:start_link function:init "
        "function:handle_call function:evict function:clear function:cached function:dump "
        "function:Enum.each",
        headers=("defmodule Caching.LruCache", "def handle_call({:get, key}, _from, state)",
                 "case Map.fetch(state.entries, key)", "{:ok, value} ->",
                 "if map_size(entries) > limit", "Enum.each(state.entries, fn {key, value} ->",
                 "try", "quote", "e in File.Error ->"),
        imports=(("GenServer", None), ("Caching.Store.Backend", None), ("Caching", "Stats"),
                 ("Caching", "Telemetry"), ("Caching.Store.Memory", "Mem"), ("Logger", None),
                 ("Caching.Macros", None)),
        references="max_entries Backend Stats evict Mem",
        members="fetch put term_to_binary",
    ),
}  # fmt: skip


@dataclass
class Parsed:
    lang: Language
    source: bytes
    tree: ts.Tree

    def matches(self, kind: str) -> list[dict[str, list[ts.Node]]]:
        query = self.lang.query(kind)
        assert query is not None, f"{self.lang.name} has no {kind}.scm"
        return [caps for _, caps in ts.QueryCursor(query).matches(self.tree.root_node)]

    def definitions(self) -> list[dict[str, list[ts.Node]]]:
        """The definitions' matches: a ``@parameter.type``, a ``@base`` or a ``@field.type`` has a
        pattern of its own, no definition (``_`` captures are its predicates')."""
        matches = self.matches("definitions")
        own = [caps for caps in matches if OWN_PATTERN & set(caps)]
        for caps in own:
            named = {k for k in caps if not k.startswith("_")}
            assert len(named) == 1, f"{self.lang.name}: {sorted(named)} in a definition's pattern"
        return [caps for caps in matches if not OWN_PATTERN & set(caps)]

    def main(self, kind: str, caps: dict[str, list[ts.Node]]) -> tuple[str, ts.Node]:
        """The match's main capture (`scope.*`, `definition.*`, `import`)."""
        found = [(k, n) for k, nodes in caps.items() if k.startswith(MAIN[kind]) for n in nodes]
        if kind == "imports":
            found = [(k, n) for k, n in found if k == "import"]
        assert len(found) == 1, f"{self.lang.name} {kind}: one main capture per match, got {caps}"
        return found[0]

    def text(self, node: ts.Node) -> str:
        return self.source[node.start_byte : node.end_byte].decode()

    def header(self, node: ts.Node, body: ts.Node) -> str:
        return self.source[node.start_byte : body.start_byte].decode().strip()


def sample_languages() -> list[str]:
    return sorted(p.name for p in SAMPLES.iterdir() if p.is_dir()) if SAMPLES.is_dir() else []


@pytest.fixture(scope="module")
def registry() -> LanguageRegistry:
    return LanguageRegistry.load(GRAMMARS)


def parse(registry: LanguageRegistry, name: str) -> Parsed:
    lang = registry.get(name)
    assert lang is not None, name
    (path,) = sorted((SAMPLES / name).glob("sample.*"))
    source = path.read_bytes()
    return Parsed(lang, source, lang.parser().parse(source))


def test_every_expected_language_has_a_sample():
    assert set(EXPECT) == LANGUAGES
    for name, expect in EXPECT.items():
        assert (SAMPLES / name / expect.sample).is_file()


def within(inner: ts.Node, outer: ts.Node) -> bool:
    return outer.start_byte <= inner.start_byte and inner.end_byte <= outer.end_byte


@pytest.mark.parametrize("name", sample_languages())
def test_sample_captures_are_well_formed(registry: LanguageRegistry, name: str):
    """Holds for any language: one main capture per match, @name/@body inside it, no duplicates."""
    parsed = parse(registry, name)
    assert not parsed.tree.root_node.has_error, f"{name} sample does not parse cleanly"

    seen_scopes, seen_defs = set(), set()
    for caps in parsed.matches("scopes"):
        kind, node = parsed.main("scopes", caps)
        (body,) = caps["body"]
        assert within(body, node) and body != node
        assert len(caps.get("name", [])) <= 1
        assert all(within(n, node) for n in caps.get("name", []))
        key = (kind, node.start_byte, node.end_byte, body.start_byte)
        assert key not in seen_scopes, f"duplicate scope {parsed.header(node, body)!r}"
        seen_scopes.add(key)
    assert seen_scopes

    for caps in parsed.definitions():
        kind, node = parsed.main("definitions", caps)
        (name_node,) = caps["name"]
        assert within(name_node, node)
        assert len(caps.get("owner", [])) <= 1 and all(within(n, node) for n in caps.get("owner", []))
        assert len(caps.get("body", [])) <= 1
        assert all(within(b, node) for b in caps.get("body", []))
        key = (node.start_byte, node.end_byte, parsed.text(name_node))
        assert key not in seen_defs, f"duplicate definition {parsed.text(name_node)!r}"
        seen_defs.add(key)
    assert seen_defs

    imports = parsed.matches("imports")
    assert imports
    for caps in imports:
        _, node = parsed.main("imports", caps)
        # One source: a module or path (``import.source``), or a path from the file's folder.
        (source,) = caps.get("import.source", []) + caps.get("import.source.relative", [])
        assert within(source, node)
        assert all(within(n, node) for n in caps.get("import.name", []))


@pytest.mark.parametrize("name", sorted(EXPECT))
def test_sample_definitions(registry: LanguageRegistry, name: str):
    expect, parsed = EXPECT[name], parse(registry, name)
    found: dict[str, set[str]] = {}
    bodies: dict[str, str] = {}
    for caps in parsed.definitions():
        kind, _ = parsed.main("definitions", caps)
        text = parsed.text(caps["name"][0])
        found.setdefault(text, set()).add(kind.removeprefix("definition."))
        if kind in ("definition.function", "definition.method") and caps.get("body"):
            bodies[text] = caps["body"][0].type
    for word in expect.definitions.split():
        kind, _, def_name = word.partition(":")
        assert kind in found.get(def_name, set()), f"{name}: no @definition.{kind} {def_name!r}"
    assert not set(expect.not_definitions.split()) & set(found), "locals reported as definitions"
    assert expect.body in bodies.values(), f"{name}: no function @body is a {expect.body}"


@pytest.mark.parametrize("name", sorted(EXPECT))
def test_sample_scopes(registry: LanguageRegistry, name: str):
    expect, parsed = EXPECT[name], parse(registry, name)
    named, headers, function_bodies, blocks = Counter(), set(), set(), 0
    for caps in parsed.matches("scopes"):
        kind, node = parsed.main("scopes", caps)
        body = caps["body"][0]
        headers.add(parsed.header(node, body))
        if caps.get("name"):
            named[f"{kind.removeprefix('scope.')}:{parsed.text(caps['name'][0])}"] += 1
        if kind == "scope.function":
            function_bodies.add(body.type)
        blocks += kind == "scope.block"
    missing = Counter(expect.scopes.split()) - named
    assert not missing, f"{name}: no scope {sorted(missing)}; have {sorted(named)}"
    missing = set(expect.headers) - headers
    assert not missing, f"{name}: no scope with header {sorted(missing)}; have {sorted(headers)}"
    assert expect.body in function_bodies
    assert blocks >= 2


@pytest.mark.parametrize("name", sorted(EXPECT))
def test_sample_imports(registry: LanguageRegistry, name: str):
    expect, parsed = EXPECT[name], parse(registry, name)
    found = set()
    for caps in parsed.matches("imports"):
        source = parsed.text((caps.get("import.source") or caps["import.source.relative"])[0])
        names = [parsed.text(n) for n in caps.get("import.name", [])]
        found.update((source, n) for n in names or [None])
    # Per module: exactly the expected names (an original name in `a as b` is not bound).
    for source in {s for s, _ in expect.imports}:
        bound = {n for s, n in found if s == source}
        assert bound == {n for s, n in expect.imports if s == source}, f"{name}: {source}"


@pytest.mark.parametrize("name", sorted(EXPECT))
def test_sample_identifiers(registry: LanguageRegistry, name: str):
    expect, parsed = EXPECT[name], parse(registry, name)
    query = parsed.lang.query("identifiers")
    assert query is not None
    caps = ts.QueryCursor(query).captures(parsed.tree.root_node)
    references = {parsed.text(n) for n in caps.get("reference", [])}
    members = {parsed.text(n) for n in caps.get("reference.member", [])}
    assert set(expect.references.split()) <= references
    assert set(expect.members.split()) <= members
    # Keywords and literals are not identifiers.
    assert not {"return", "if", "else", "0", "null", "nil"} & (references | members)


# --------------------------------------------------------------------------- resolution

RESOLUTION = [
    ("python", "file:///src/app.py", "python"),
    ("javascript", "file:///src/app.js", "javascript"),
    ("javascriptreact", "file:///src/App.jsx", "javascript"),
    ("typescript", "file:///src/app.ts", "typescript"),
    ("typescriptreact", "file:///src/App.tsx", "tsx"),
    ("go", "file:///src/main.go", "go"),
    ("rust", "file:///src/lib.rs", "rust"),
    ("java", "file:///src/Main.java", "java"),
    ("c", "file:///src/main.c", "c"),
    ("cpp", "file:///src/main.cpp", "cpp"),
    # The language id wins over the extension.
    ("typescript", "file:///src/legacy.js", "typescript"),
    ("cpp", "file:///src/api.h", "cpp"),
    # An unknown or missing id falls back to the extension.
    (None, "file:///src/tool.mjs", "javascript"),
    ("plaintext", "file:///src/tool.cjs", "javascript"),
    (None, "file:///src/App.JSX", "javascript"),
    (None, "file:///src/mod.mts", "typescript"),
    (None, "file:///src/mod.cts", "typescript"),
    (None, "file:///src/View.tsx", "tsx"),
    (None, "file:///src/main.go", "go"),
    (None, "file:///src/lib.rs", "rust"),
    (None, "file:///src/Main.java", "java"),
    (None, "file:///src/util.h", "c"),
    (None, "file:///src/util.c", "c"),
    (None, "file:///src/a.cc", "cpp"),
    (None, "file:///src/a.cxx", "cpp"),
    (None, "file:///src/a.hpp", "cpp"),
    (None, "file:///src/a.hh", "cpp"),
    (None, "file:///src/a.hxx", "cpp"),
    (None, "file:///src/my%20dir/a.py", "python"),
    ("ruby", "file:///src/app.rb", "ruby"),
    ("php", "file:///src/index.php", "php"),
    ("csharp", "file:///src/Program.cs", "csharp"),
    ("cs", "file:///src/Program.cs", "csharp"),  # Neovim's filetype
    ("shellscript", "file:///src/deploy.sh", "bash"),
    ("sh", "file:///src/deploy", "bash"),
    ("bash", "file:///src/deploy", "bash"),
    ("lua", "file:///src/init.lua", "lua"),
    (None, "file:///src/tasks.rake", "ruby"),
    (None, "file:///src/app.gemspec", "ruby"),
    (None, "file:///src/Gemfile", "ruby"),
    (None, "file:///src/Rakefile", "ruby"),
    (None, "file:///src/view.phtml", "php"),
    (None, "file:///src/Build.csx", "csharp"),
    (None, "file:///src/run.bash", "bash"),
    (None, "file:///home/me/.bashrc", "bash"),
    (None, "file:///src/plugin.lua", "lua"),
    ("kotlin", "file:///src/Cache.kt", "kotlin"),
    ("kotlin", "file:///src/build.gradle.kts", "kotlin"),
    ("scala", "file:///src/Cache.scala", "scala"),
    ("scala", "file:///src/worksheet.sc", "scala"),
    ("sbt", "file:///src/build.sbt", "scala"),  # Neovim's filetype
    (None, "file:///src/Main.kt", "kotlin"),
    (None, "file:///src/settings.gradle.kts", "kotlin"),
    (None, "file:///src/Main.scala", "scala"),
    (None, "file:///src/build.sc", "scala"),
    (None, "file:///src/build.sbt", "scala"),
    ("plaintext", "file:///src/App.KT", "kotlin"),
    ("swift", "file:///src/Cache.swift", "swift"),
    ("elixir", "file:///lib/cache.ex", "elixir"),
    (None, "file:///src/Package.swift", "swift"),
    (None, "file:///lib/cache.ex", "elixir"),
    (None, "file:///test/cache_test.exs", "elixir"),
    (None, "file:///mix.exs", "elixir"),
]


@pytest.mark.parametrize(("language_id", "uri", "expected"), RESOLUTION)
def test_for_document_resolves(registry: LanguageRegistry, language_id, uri, expected):
    lang = registry.for_document(language_id, uri)
    assert lang is not None and lang.name == expected


@pytest.mark.parametrize(
    ("language_id", "uri"),
    [
        ("cobol", "file:///src/a.cbl"),
        (None, "file:///src/README"),
        ("plaintext", "untitled:Untitled-1"),
    ],
)
def test_for_document_unknown_language_is_none(registry: LanguageRegistry, language_id, uri):
    assert registry.for_document(language_id, uri) is None


def test_a_grammar_that_does_not_load_is_told_once(registry: LanguageRegistry, caplog: pytest.LogCaptureFixture) -> None:
    """The files of a language whose grammar wheel is missing (or built for another
    tree-sitter) are plain text; each file read (the workspace crawl's 2,000 headers, every
    request's imported one) was another warning in the editor's log."""
    cpp = registry.get("cpp")
    assert cpp is not None
    broken = LanguageRegistry([Language(replace(cpp.spec, grammar="deepseek_lsp_no_such_grammar:language"))])
    with caplog.at_level(logging.WARNING, logger="deepseek_lsp.languages"):
        for name in ("a.hpp", "b.hpp", "a.hpp"):
            assert broken.for_document(None, f"file:///w/{name}") is None
    assert len(caplog.records) == 1
    assert "install the 'tree-sitter-cpp' package" in caplog.records[0].getMessage()


def test_a_block_opener_that_is_no_regular_expression_is_a_clear_error(tmp_path: Path) -> None:
    from deepseek_lsp.languages import LanguageError

    folder = tmp_path / "odd"
    folder.mkdir()
    (folder / "language.toml").write_text('grammar = "tree_sitter_python:language"\nblock_opener = "(then"\n')
    with pytest.raises(LanguageError, match="block_opener is not a regular expression"):
        LanguageSpec.from_folder(folder)


@pytest.mark.parametrize("folder", FOLDERS, ids=[f.name for f in FOLDERS])
def test_block_openers_compile(folder: Path) -> None:
    spec = LanguageSpec.from_folder(folder)
    assert Language(spec).opens_block("") is False


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('imports = ["lib"]', r"\[imports\] takes paths, suffixes and separator"),
        ('[imports]\nroots = ["lib"]', r"\[imports\] takes paths, suffixes and separator"),
        ('[imports]\npaths = ["lib"]', r"paths start with \{root\} or \{dir\}"),
        ('[imports]\npaths = ["{root}/../elsewhere"]', r"paths start with \{root\} or \{dir\}"),
    ],
)
def test_import_rules_that_cannot_be_used_are_a_clear_error(tmp_path: Path, table: str, message: str) -> None:
    from deepseek_lsp.languages import LanguageError

    folder = tmp_path / "odd"
    folder.mkdir()
    (folder / "language.toml").write_text(f'grammar = "tree_sitter_python:language"\n{table}\n')
    with pytest.raises(LanguageError, match=message):
        LanguageSpec.from_folder(folder)


def test_php_include_paths_are_read_as_paths_from_the_file(registry: LanguageRegistry) -> None:
    """``require __DIR__ . '/lib/db.php'`` gave the source ``__DIR__ . '/lib/db.php`` (no
    path); an include's literal path is from the file's folder; an expression that is no
    literal path (a variable, a constant, an absolute path) stays in the prompt's head."""
    from deepseek_lsp.context import index_tree

    lang = registry.get("php")
    assert lang is not None
    lines = {
        "require_once 'lib/db.php';": "./lib/db.php",
        "require __DIR__ . '/lib/db2.php';": "./lib/db2.php",
        'require_once(__DIR__ . "/../up.php");': "./../up.php",
        "include_once dirname(__FILE__) . '/y.php';": "./y.php",
        'include("view.php");': "./view.php",
        "require $path;": "$path",
        "require CONFIG_DIR . '/k.php';": "CONFIG_DIR . '/k.php",
        "require dirname(__DIR__) . '/vendor/autoload.php';": "dirname(__DIR__) . '/vendor/autoload.php",
        "require '/etc/app/settings.php';": "/etc/app/settings.php",
        # The two path prefixes are one pattern (half the query's compile): each keyword, with
        # its parentheses too, and what neither prefix is.
        "include (dirname(__FILE__) . '/z.php');": "./z.php",
        "include_once(__DIR__ . '/w.php');": "./w.php",
        "require_once dirname(__FILE__, 2) . '/vendor.php';": "dirname(__FILE__, 2) . '/vendor.php",
        "require basename(__FILE__) . '/b.php';": "basename(__FILE__) . '/b.php",
        "include __DIR__ . $name;": "__DIR__ . $name",
    }
    text = "<?php\n" + "\n".join(lines) + "\n"
    data = text.encode()
    index = index_tree(lang, lang.parser().parse(data), data, "index.php")
    assert index.import_sources == list(lines.values())
    assert [statement for _, _, statement in index.imports] == list(lines)


def _definitions(registry: LanguageRegistry, name: str, text: str) -> list[str]:
    """``kind:name`` of each definition (and ``base:Name`` of each mixin) the query finds, sorted."""
    lang = registry.get(name)
    assert lang is not None
    data = text.encode()
    found = []
    for _, caps in ts.QueryCursor(lang.query("definitions")).matches(lang.parser().parse(data).root_node):
        for key, nodes in caps.items():
            if key.startswith("definition."):
                found.append(f"{key.removeprefix('definition.')}:{caps['name'][0].text.decode()}")
            elif key == "base":
                found.append(f"base:{nodes[0].text.decode()}")
    return sorted(found)


def test_cpp_names_told_by_their_text_are_what_their_node_types_found(registry: LanguageRegistry) -> None:
    """C++'s definitions take a function's or variable's name as any node told by its text
    (tree-sitter's check of a typed name walked every state a declarator starts in: a third of
    the query's compile at a C++ file's open): the same definitions as the node types gave,
    operators, destructors, friends, specialisations and ``#ifdef``'d members included."""
    text = """namespace ns {
template <typename T> struct Box {
    Box();
    ~ Box();
    bool operator<(const Box& o) const { return true; }
    friend bool operator== <>(const Box&, const Box&);
    operator bool() const { return true; }
    void* operator new(size_t n);
    template <> void put<int>(int u);
    int $dollar();
#ifdef DEBUG
    void check() const { }
#endif
};
template <typename T> Box<T>::~Box() { }
template <typename T> bool Box<T>::operator< (int) const { return false; }
int *ptr_fn(int a) { return 0; }
int &ref_fn(int a);
int (*fn_ptr_returner(int))(int);
#ifdef WIN
int win_only(void) { return 0; }
#endif
int operator+(Box<int>, Box<int>);
int counter = 0, *cursor, table[3];
}
"""
    # Since: the function returning a function pointer, the free operator and the explicit
    # specialisation (`put<int>` as `put`); the method defined under `#ifdef` (`check`).
    assert _definitions(registry, "cpp", text) == [
        "class:Box", "class:ns", "function:fn_ptr_returner", "function:operator+", "function:ptr_fn",
        "function:put", "function:ref_fn", "function:win_only", "method:$dollar", "method:Box",
        "method:check", "method:operator new", "method:operator<", "method:operator<", "method:~ Box", "method:~Box",
        "variable:counter", "variable:cursor", "variable:table",
    ]  # fmt: skip


def test_ruby_methods_visibilities_and_mixins_of_one_pattern_are_found_as_before(registry: LanguageRegistry) -> None:
    """Ruby's methods in a class, a module or ``class << self``, those defined as a visibility's
    argument and the modules mixed in are one pattern (each body checked once by tree-sitter at
    a Ruby file's open, not three times): the same definitions and bases as the three patterns
    gave, not a method's ``include`` nor another word's ``def``."""
    text = """module Billing
  include Taxes
  extend Helpers::Fmt
  prepend(Audit)
  private def helper(x)
    x
  end
  other def not_visibility; end
  class << self
    protected def guarded; end
    include NotABase
  end
  def outer
    include NotInMethod
  end
end
class Invoice < Base
  include Walker
  def self.build; end
end
"""
    assert _definitions(registry, "ruby", text) == [
        "base:Audit", "base:Fmt", "base:Taxes", "base:Walker", "class:Billing", "class:Invoice",
        "method:build", "method:guarded", "method:helper", "method:outer",
    ]  # fmt: skip


def test_re_exports_are_read_from_barrels_and_package_inits(registry: LanguageRegistry) -> None:
    """What a file passes on was not read at all: ``export ... from`` was no import, and a
    package's ``__init__.py`` was read as any module. A renamed re-export keeps the name its
    definition bears; a plain module's named imports are left out."""
    from deepseek_lsp.context import index_tree

    def reexports(language: str, text: str, path: str) -> tuple[dict[str, list[str]], list[str], dict[str, str]] | None:
        lang = registry.get(language)
        assert lang is not None
        data = text.encode()
        found = index_tree(lang, lang.parser().parse(data), data, path).reexports
        return None if found is None else (found.named, found.star, found.renamed)

    barrel = (
        'export * from "./a";\nexport * as ns from "./b";\nexport { x, y as z, default as D } from "./c";\n'
        'export { q };\nexport const k = 1;\nimport { w } from "./d";\n'
    )
    for language in ("typescript", "tsx", "javascript"):
        assert reexports(language, barrel, "index.ts") == (
            {"ns": ["./b"], "x": ["./c"], "z": ["./c"], "D": ["./c"]},
            ["./a"],
            {"z": "y"},
        )
    init = "from ._client import Client\nfrom .util import helper as _helper\nfrom ._api import *\nfrom . import models\n"
    assert reexports("python", init, "__init__.py") == (
        {"Client": ["._client", "._client.Client"], "_helper": [".util", ".util.helper"], "models": [".", ".models"]},
        ["._api"],
        {"_helper": "helper"},
    )
    assert reexports("python", init, "client.py") == ({}, ["._api"], {})
    assert reexports("python", "from .x import y\nimport os\n", "client.py") is None


def test_typescript_reads_javascripts_import_patterns_through_its_inherits_line(registry: LanguageRegistry) -> None:
    """TypeScript's imports.scm names JavaScript's (``; inherits: javascript``) instead of
    repeating its seventy lines: a TypeScript barrel written the CommonJS way is read as
    JavaScript's is, and ``import x = require("m")`` stays TypeScript's own."""
    from deepseek_lsp.context import index_tree

    barrel = 'module.exports = { ...require("./a"), b: require("./b") };\nimport fs = require("fs");\n'
    found = {}
    for language in ("javascript", "typescript", "tsx"):
        lang = registry.get(language)
        assert lang is not None
        data = barrel.encode()
        index = index_tree(lang, lang.parser().parse(data), data, "index.ts")
        assert index.reexports is not None, language
        found[language] = (index.reexports.star, index.reexports.named, index.import_sources)
    assert found["typescript"] == found["tsx"] == (["./a"], {"b": ["./b"]}, ["./a", "./b", "fs"])
    # JavaScript has no `import x = require()`: the last line is no import there.
    assert found["javascript"] == (["./a"], {"b": ["./b"]}, ["./a", "./b"])


def test_an_inherits_line_reads_the_named_query_files_first_and_once(tmp_path: Path) -> None:
    from deepseek_lsp.languages import LanguageError, with_inherited

    for name, text in {
        "base": "(identifier) @reference\n",
        "mid": "; inherits: base\n(string) @reference\n",
        "top": "; A comment first.\n; inherits: mid, base\n\n(number) @reference\n",
        "loop": "; inherits: loop\n(true) @reference\n",
        "broken": "; inherits: nowhere\n(false) @reference\n",
    }.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "identifiers.scm").write_text(text)
    top = with_inherited(tmp_path / "top" / "identifiers.scm", "identifiers")
    assert [line for line in top.splitlines() if line.startswith("(")] == [
        "(identifier) @reference", "(string) @reference", "(number) @reference",
    ]  # fmt: skip
    assert with_inherited(tmp_path / "loop" / "identifiers.scm", "identifiers").count("(true)") == 1
    with pytest.raises(LanguageError, match=r"inherits nowhere, which has no identifiers\.scm"):
        with_inherited(tmp_path / "broken" / "identifiers.scm", "identifiers")


def test_commonjs_forms_of_one_pattern_each_are_read_as_before(registry: LanguageRegistry) -> None:
    """CommonJS's `require` bindings, re-exports and exported functions are a few patterns
    sharing their steps (TypeScript's imports query compiled in two thirds of the CPU at a
    `.ts` file's open): every form is read as it was, in JavaScript, TypeScript and TSX."""
    from deepseek_lsp.context import index_tree

    text = """const fs = require("fs");
var path = require("path");
const { helper, format, local, other } = require("./names");
const { readFile, join: joinPath } = require("./io");
let { a } = require("./a"), b = require("./b");
module.exports = require("./core");
module.exports = { parse: require("./parse"), ...require("./extra"), helper, fmt: format, run() { return 1; } };
exports.walk = require("./walk");
exports.one = require("./pick").one;
module.exports.two = require("./pick2").two;
exports.renamed = local;
module.exports.again = other;
exports.stringify = function (v) { return ""; };
module.exports.tokenize = (s) => [];
"""
    for language in ("javascript", "typescript", "tsx"):
        lang = registry.get(language)
        assert lang is not None
        data = text.encode()
        index = index_tree(lang, lang.parser().parse(data), data, "index.js")
        assert [statement for _, _, statement in index.imports] == [
            'const fs = require("fs");', 'var path = require("path");',
            'const { helper, format, local, other } = require("./names");',
            'const { readFile, join: joinPath } = require("./io");',
            'let { a } = require("./a"), b = require("./b");', 'module.exports = require("./core");',
            'parse: require("./parse")', '...require("./extra")', 'exports.walk = require("./walk");',
            'exports.one = require("./pick").one;', 'module.exports.two = require("./pick2").two;',
        ], language  # fmt: skip
        assert index.import_sources == [
            "fs", "path", "./names", "./io", "./a", "./b", "./core", "./parse", "./extra", "./walk", "./pick", "./pick2",
        ], language  # fmt: skip
        assert index.reexports is not None
        assert (index.reexports.named, index.reexports.star, index.reexports.renamed) == (
            {"parse": ["./parse"], "walk": ["./walk"], "one": ["./pick"], "two": ["./pick2"], "helper": ["./names"],
             "fmt": ["./names"], "renamed": ["./names"], "again": ["./names"]},
            ["./core", "./extra"],
            {"fmt": "format", "renamed": "local", "again": "other"},
        ), language  # fmt: skip
        assert sorted(index.definitions) == ["b", "fs", "path", "run", "stringify", "tokenize"], language
