"""The start: the code attrs and cattrs generate for lsprotocol is compiled once and taken from a
file by later starts (deepseek_lsp.code_cache), with the same behaviour as compiled code; the
heap is frozen once the editor has its ``initialize`` answer, not before."""

from __future__ import annotations

import json
import marshal
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from deepseek_lsp import code_cache
from tests.harness import server_env
from tests.raw_lsp import RawServer

# A fresh interpreter each time: lsprotocol's classes are made at its import, once a process.
PROBE = r"""
import json, sys
from pathlib import Path
from typing import Any

import pytest
from deepseek_lsp import code_cache
cache = code_cache.install(Path(sys.argv[1]))
from lsprotocol import types
from lsprotocol.converters import get_converter
converter = get_converter()
params = converter.structure(
    {"processId": 12, "rootUri": "file:///w", "capabilities": {"textDocument": {"completion": {
        "completionItem": {"snippetSupport": True}}}}, "initializationOptions": {"a": 1}},
    types.InitializeParams,
)
position = types.Position(line=3, character=4)
code_cache.save()
print(json.dumps({
    "installed": cache is not None,
    "hits": cache.hits if cache else 0,
    "misses": cache.misses if cache else 0,
    "equal": position == types.Position(line=3, character=4),
    "differs": position != types.Position(line=3, character=5),
    "repr": repr(types.InlineCompletionItem(insert_text="x")),
    "snippets": params.capabilities.text_document.completion.completion_item.snippet_support,
    "back": converter.unstructure(params)["processId"],
}))
"""


def probe(directory: Path) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(directory)], capture_output=True, text=True, timeout=120, check=True
    )
    return json.loads(out.stdout)


def behaviour(result: dict) -> dict:
    return {k: result[k] for k in ("equal", "differs", "repr", "snippets", "back")}


EXPECTED = {"equal": True, "differs": True, "repr": "InlineCompletionItem(insert_text='x', filter_text=None, range=None, command=None)", "snippets": True, "back": 12}


def test_a_second_start_takes_lsprotocols_code_from_the_file_and_does_not_rewrite_it(tmp_path: Path) -> None:
    first = probe(tmp_path)
    assert first["installed"] and first["hits"] == 0 and first["misses"] > 500
    (cached,) = tmp_path.glob("generated-code.*.marshal")
    written = cached.stat().st_mtime_ns

    second = probe(tmp_path)
    assert second["misses"] == 0
    assert second["hits"] == first["misses"]
    assert behaviour(second) == behaviour(first) == EXPECTED
    assert cached.stat().st_mtime_ns == written


def test_a_damaged_file_is_compiled_as_before_and_replaced(tmp_path: Path) -> None:
    probe(tmp_path)
    (cached,) = tmp_path.glob("generated-code.*.marshal")
    cached.write_bytes(cached.read_bytes()[:5000])  # torn by a crash mid-write

    damaged = probe(tmp_path)
    assert damaged["hits"] == 0 and damaged["misses"] > 500
    assert behaviour(damaged) == EXPECTED
    assert probe(tmp_path)["misses"] == 0


def test_an_unusable_directory_only_costs_the_compiling(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result = probe(blocker / "cache")
    assert result["installed"] and result["misses"] > 500
    assert behaviour(result) == EXPECTED


def test_code_keeps_its_callers_future_imports_when_compiled_and_when_loaded(tmp_path: Path) -> None:
    # This module has ``from __future__ import annotations``, as attr._make has: the annotations
    # of the code it generates stay strings, whether compiled now or read back from the file.
    source = "def f(x: int) -> Missing:\n    return x\n"
    path = code_cache.cache_file(tmp_path)
    compiled = code_cache.CodeCache(path)
    namespace: dict = {}
    exec(compiled.compile(source, "<generated f>", "exec"), namespace)
    assert namespace["f"].__annotations__ == {"x": "int", "return": "Missing"}
    compiled.save()

    loaded = code_cache.CodeCache(path)
    namespace = {}
    exec(loaded.compile(source, "<generated f>", "exec"), namespace)
    assert loaded.hits == 1 and loaded.misses == 0
    assert namespace["f"].__annotations__ == {"x": "int", "return": "Missing"}
    assert namespace["f"](7) == 7


def test_a_source_of_another_version_under_the_same_name_replaces_the_old_one(tmp_path: Path) -> None:
    path = code_cache.cache_file(tmp_path)
    old = code_cache.CodeCache(path)
    old.compile("def f():\n    return 1\n", "<generated f>", "exec")
    old.compile("def g():\n    return 2\n", "<generated g>", "exec")
    old.save()

    upgraded = code_cache.CodeCache(path)
    namespace: dict = {}
    exec(upgraded.compile("def f():\n    return 3\n", "<generated f>", "exec"), namespace)
    assert namespace["f"]() == 3 and upgraded.misses == 1
    upgraded.save()

    later = code_cache.CodeCache(path)
    assert sorted(name for name, _, _ in later._stored) == ["<generated f>", "<generated g>"]  # one f
    namespace = {}
    exec(later.compile("def f():\n    return 3\n", "<generated f>", "exec"), namespace)
    exec(later.compile("def g():\n    return 2\n", "<generated g>", "exec"), namespace)
    assert later.hits == 2 and (namespace["f"](), namespace["g"]()) == (3, 2)


def test_attrs_hash_which_differs_every_run_is_not_kept(tmp_path: Path) -> None:
    path = code_cache.cache_file(tmp_path)
    cache = code_cache.CodeCache(path)
    cache.compile("def __hash__(self):\n    return hash((-561210934755, self.a))\n", "<h>", "exec")
    assert not cache.dirty
    cache.save()
    assert not path.exists()


def started_server(tmp_path: Path, cache: Path) -> dict:
    env = server_env("http://127.0.0.1:9", state_dir=str(tmp_path / "state"), DEEPSEEK_LSP_CACHE_DIR=str(cache))
    server = RawServer(env)
    try:
        server.initialize()
        # `initialized` is handled as a task: the request after it may be answered first.
        deadline = time.monotonic() + 10
        while (state := server.call("deepseek/debugState", {"heap": True})["result"])["frozenObjects"] == 0:
            assert time.monotonic() < deadline, "the heap was not frozen after initialized"
            time.sleep(0.02)
        assert "error" not in server.call("shutdown")
        server.notify("exit")
        assert server.wait_exit(10) == 0
        return state
    finally:
        server.kill()


def test_the_server_compiles_its_start_once_and_freezes_its_heap_after_initialize(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = started_server(tmp_path, cache)
    assert first["generatedCode"]["hits"] == 0 and first["generatedCode"]["misses"] > 500
    # gc.freeze() ran (heap.imported, Collector.started): the start's objects are out of the
    # collector's way.
    assert first["frozenObjects"] > 10_000

    second = started_server(tmp_path, cache)
    assert second["generatedCode"]["misses"] == 0
    assert second["generatedCode"]["hits"] >= first["generatedCode"]["misses"]
    assert second["frozenObjects"] > 10_000


def test_the_collection_at_the_editors_first_quiet_walks_what_serving_made_not_the_imports(tmp_path: Path) -> None:
    """The imports' objects are frozen before the ``initialize`` answer: the full collection
    that freezes the start's once the editor is quiet walked all of them (~35 ms of CPU, a
    quarter of a second on a loaded host, in the way of a key typed then)."""
    env = server_env("http://127.0.0.1:9", state_dir=str(tmp_path / "state"), DEEPSEEK_LSP_CACHE_DIR=str(tmp_path / "cache"))
    server = RawServer(env)
    try:
        server.initialize()
        state = server.call("deepseek/debugState", {"heap": True})["result"]
        assert "heapFrozen" not in state["start"]  # the quiet's collection is still to come
        assert state["frozenObjects"] > 50_000
        assert state["trackedObjects"] < state["frozenObjects"] / 3
        assert "error" not in server.call("shutdown")
        server.notify("exit")
        assert server.wait_exit(10) == 0
    finally:
        server.kill()


def test_a_file_others_may_write_is_not_run(tmp_path: Path) -> None:
    path = code_cache.cache_file(tmp_path)
    writer = code_cache.CodeCache(path)
    writer.compile("def f():\n    return 1\n", "<generated f>", "exec")
    writer.save()
    assert code_cache.CodeCache(path)._stored  # private: taken

    path.chmod(0o666)  # e.g. the cache directory set to a shared folder
    reader = code_cache.CodeCache(path)
    namespace: dict = {}
    exec(reader.compile("def f():\n    return 1\n", "<generated f>", "exec"), namespace)
    assert reader.hits == 0 and reader.misses == 1 and namespace["f"]() == 1


def test_two_sources_under_one_name_in_a_run_both_stay(tmp_path: Path) -> None:
    # cattrs names a class's hook the same for each converter that makes one (pygls' and
    # lsprotocol's): a run using both must find both next time, not one pushing the other out.
    path = code_cache.cache_file(tmp_path)
    first = code_cache.CodeCache(path)
    first.compile("def h():\n    return 'a'\n", "<generated h>", "exec")
    first.save()
    second = code_cache.CodeCache(path)
    second.compile("def h():\n    return 'a'\n", "<generated h>", "exec")
    second.compile("def h():\n    return 'b'\n", "<generated h>", "exec")
    assert (second.hits, second.misses) == (1, 1)
    second.save()

    third = code_cache.CodeCache(path)
    for body in ("a", "b"):
        namespace: dict = {}
        exec(third.compile(f"def h():\n    return {body!r}\n", "<generated h>", "exec"), namespace)
        assert namespace["h"]() == body
    assert (third.hits, third.misses) == (2, 0)


def test_what_a_run_wrote_stays_when_it_writes_again(tmp_path: Path) -> None:
    # The server writes once the editor has its answer and again at exit: the second write
    # keeps the first one's code, another source under the same name included.
    path = code_cache.cache_file(tmp_path)
    run = code_cache.CodeCache(path)
    run.compile("def h():\n    return 'a'\n", "<generated h>", "exec")
    run.save()
    run.compile("def h():\n    return 'b'\n", "<generated h>", "exec")
    run.save()

    later = code_cache.CodeCache(path)
    for body in ("a", "b"):
        later.compile(f"def h():\n    return {body!r}\n", "<generated h>", "exec")
    assert (later.hits, later.misses) == (2, 0)


def test_the_start_does_not_import_the_command_line_client_of_httpx(tmp_path: Path) -> None:
    """httpx's package imports its CLI, and with it click, pygments and rich wherever they are
    installed: 10-40 ms of every start for code the server never runs. A stand-in ``click``
    ahead on the path shows whether anything imported it."""
    mark = tmp_path / "click-imported"
    fake = tmp_path / "path" / "click"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text(
        f"open({str(mark)!r}, 'w').close()\nraise ImportError('a stand-in')\n", encoding="utf-8"
    )
    code = "import deepseek_lsp.cli, deepseek_lsp.server, deepseek_lsp.doctor, httpx; print(callable(httpx.main))"
    env = {**server_env("http://127.0.0.1:9"), "PYTHONPATH": str(tmp_path / "path")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env, check=True)
    assert out.stdout.strip() == "True"
    assert not mark.exists(), "click was imported at the start"


def test_the_start_imports_no_module_only_an_error_page_or_the_symbol_crawl_needs(tmp_path: Path) -> None:
    """``importlib.metadata`` (the grammar packages' versions, read by the symbol crawl once the
    editor is quiet: ~14 ms), ``html`` (a proxy's error page's entities) and ``statistics`` (a
    median of a few gaps between keys, with ``fractions`` and ``decimal``: ~2 ms) were imported
    with the server's modules, before its ``initialize`` answer; an error page is still read."""
    code = (
        "import sys\n"
        "from deepseek_lsp import cli, server\n"
        "import deepseek_lsp.completion.feature, deepseek_lsp.usage_feature, deepseek_lsp.review.feature\n"
        "print(sorted(m for m in ('html', 'importlib.metadata', 'statistics', 'fractions') if m in sys.modules))\n"
        "from deepseek_lsp.model.stream import provider_message\n"
        "print(provider_message(b'<html><head><title>502 Bad Gateway &amp; more</title></head></html>'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env=server_env("http://127.0.0.1:9"), check=True)
    assert out.stdout.splitlines() == ["[]", "502 Bad Gateway & more"]


# Patterns of every kind re compiles differently: named groups, look-behind, flags inline and
# passed, bytes, Unicode classes, a back-reference, possessive and atomic parts (3.11+ only).
PATTERN_PROBE = r"""
import json, re, sys
from pathlib import Path
from typing import Any

import pytest
from deepseek_lsp import code_cache
cache = code_cache.install(Path(sys.argv[1])) if sys.argv[1] != "-" else None
import deepseek_lsp.privacy as privacy
patterns = [
    (r"(?P<key>[A-Z_]+)\s*=\s*(?P<q>['\"])(?P<value>.*?)(?P=q)", 0),
    (r"(?<=\bpassword)\s*[:=]\s*(\S+)", re.IGNORECASE),
    (r"(?ix) \b secret \w* \b", 0),
    (rb"\x00+(?P<tail>[\x01-\xff]{2})", 0),
    (r"[^\W\d_]+", re.UNICODE),
    (r"^\s*(def|class)\s+(\w+)", re.MULTILINE),
]
text = "API_KEY = 'abc123'\nPassword: hunter2\nmy_secret_thing Ωmega\n  def f():\n  class K:\n"
out = []
for p, flags in patterns:
    c = re.compile(p, flags)
    subject = text.encode() + b"\x00\x00zz" if isinstance(p, bytes) else text
    found = [m.groupdict() or m.groups() or m.group(0) for m in c.finditer(subject)]
    out.append([c.pattern if isinstance(p, str) else c.pattern.decode(), c.flags, c.groups,
                dict(c.groupindex), repr(found)])
redacted = privacy.redact("DB_PASSWORD = 'S3cretValue!'\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n")
code_cache.save()
print(json.dumps({"out": out, "redacted": redacted,
                  "counts": {"hits": cache.pattern_hits, "misses": cache.pattern_misses} if cache else None}))
"""


def pattern_probe(directory: Path | str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", PATTERN_PROBE, str(directory)], capture_output=True, text=True, timeout=120, check=True
    )
    return json.loads(out.stdout)


def test_regular_expressions_taken_from_the_file_match_as_compiled_ones(tmp_path: Path) -> None:
    """The server's ~300 regular expressions (secret redaction's most of all) are compiled once
    and taken from the file by later starts; taken so, they find and redact the very same."""
    plain = pattern_probe("-")
    assert "S3cretValue" not in plain["redacted"] and "wJalrXUtnFEMI" not in plain["redacted"]
    first = pattern_probe(tmp_path)
    assert first["counts"]["misses"] > 100 and first["counts"]["hits"] == 0
    second = pattern_probe(tmp_path)
    assert second["counts"]["misses"] == 0 and second["counts"]["hits"] >= first["counts"]["misses"]
    assert first["out"] == plain["out"] and second["out"] == plain["out"]
    assert first["redacted"] == plain["redacted"] and second["redacted"] == plain["redacted"]


def test_a_damaged_pattern_entry_is_compiled_as_before(tmp_path: Path) -> None:
    path = code_cache.cache_file(tmp_path)
    writer = code_cache.CodeCache(path)
    assert writer.compile_pattern(r"(?P<word>pass\w+)", 0).match("password").group("word") == "password"
    writer.save()
    layout, entries = marshal.loads(path.read_bytes())
    (key,) = [k for k in entries if k[0].startswith(code_cache.PATTERN_PREFIX)]
    for damage in (marshal.dumps((0, [1, 2, 3], 0, {}, ())), marshal.dumps("not a program"), b"\xff\x00"):
        entries[key] = damage
        path.write_bytes(marshal.dumps((layout, entries)))
        reader = code_cache.CodeCache(path)
        compiled = reader.compile_pattern(r"(?P<word>pass\w+)", 0)
        assert compiled.match("password").group("word") == "password"
        assert compiled.match("pass") is None
        assert reader.pattern_hits == 0 and reader.pattern_misses == 1


DYNAMIC_PROBE = r"""
import marshal, re, sys
from pathlib import Path
from typing import Any

import pytest
from deepseek_lsp import code_cache
directory = Path(sys.argv[1])
code_cache.install(directory)
re.compile(r"at-the-start-(\d+)")
code_cache.started()
for i in range(50):
    re.compile(r"made-of-the-input-%d" % i)
code_cache.save()
keys = set(marshal.loads(code_cache.cache_file(directory).read_bytes())[1])
print(code_cache.pattern_key(r"at-the-start-(\d+)", 0) in keys,
      sum(code_cache.pattern_key(r"made-of-the-input-%d" % i, 0) in keys for i in range(50)))
"""


def test_patterns_made_after_the_start_do_not_grow_the_file(tmp_path: Path) -> None:
    """Patterns built from the user's text (a heredoc's end, a file's names) come with every
    session: kept, the file would grow with each one, and every start would read it all."""
    out = subprocess.run(
        [sys.executable, "-c", DYNAMIC_PROBE, str(tmp_path)], capture_output=True, text=True, timeout=120, check=True
    )
    assert out.stdout.split() == ["True", "0"]


def test_patterns_of_older_versions_are_let_go_beyond_the_cap(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(code_cache, "MAX_PATTERNS", 10)
    path = code_cache.cache_file(tmp_path)
    old = code_cache.CodeCache(path)
    for i in range(12):
        old.compile_pattern(f"older-version-{i}", 0)
    old.save()
    new = code_cache.CodeCache(path)
    new.compile_pattern(r"older-version-0", 0)  # still used: stays
    new.compile_pattern(r"this-version", 0)
    new.save()
    keys = set(marshal.loads(path.read_bytes())[1])
    assert code_cache.pattern_key(r"older-version-0", 0) in keys
    assert code_cache.pattern_key(r"this-version", 0) in keys
    assert not any(code_cache.pattern_key(f"older-version-{i}", 0) in keys for i in range(1, 12))


# Dataclasses of every shape that makes dataclasses write code differently: defaults and
# factories, frozen (its __setattr__), ordered, slots, keyword-only, __post_init__, InitVar, a
# string annotation, in a module of their own (``from __future__ import annotations``).
DATACLASS_MODULE = r'''
from __future__ import annotations
import dataclasses
from dataclasses import InitVar, dataclass, field

@dataclass
class Plain:
    a: int
    b: str = "x"
    c: list[int] = field(default_factory=list)

@dataclass(frozen=True, order=True)
class Frozen:
    a: int
    b: tuple[int, ...] = ()

@dataclass(slots=True, kw_only=True)
class Slotted:
    a: int
    b: float = 1.5

@dataclass
class Posted:
    a: int
    scale: InitVar[int] = 2
    doubled: int = field(init=False, default=0)

    def __post_init__(self, scale: int) -> None:
        self.doubled = self.a * scale

# The same fields, so the same source for their methods: asked for twice in a run.
@dataclass
class Twin:
    a: int

@dataclass
class OtherTwin:
    a: int
'''

DATACLASS_PROBE = r"""
import json, sys
from pathlib import Path
from deepseek_lsp import code_cache
cache = code_cache.install(Path(sys.argv[1])) if sys.argv[1] != "-" else None
sys.path.insert(0, sys.argv[2])
import probed_dataclasses as m
import dataclasses
out = {
    "plain": repr(m.Plain(1)), "plain_eq": m.Plain(1) == m.Plain(1, "x", []),
    "fresh_list": m.Plain(1).c is not m.Plain(1).c,
    "frozen": repr(m.Frozen(2, (1,))), "order": m.Frozen(1) < m.Frozen(2), "hash": hash(m.Frozen(3)) == hash(m.Frozen(3)),
    "slots": repr(m.Slotted(a=3)), "has_slots": hasattr(m.Slotted, "__slots__"),
    "posted": repr(m.Posted(4, 3)),
    "fields": [f.name for f in dataclasses.fields(m.Posted)],
    "twins": [repr(m.Twin(1)), repr(m.OtherTwin(2)), m.Twin(1) == m.Twin(1), m.Twin(1) == m.OtherTwin(1)],
}
try:
    m.Frozen(1).a = 2
except dataclasses.FrozenInstanceError as exc:
    out["frozen_error"] = str(exc)
try:
    m.Slotted(3)
except TypeError as exc:
    out["kw_only_error"] = str(exc).split(".")[-1]
code_cache.save()
out["counts"] = {"hits": cache.dataclass_hits, "misses": cache.dataclass_misses} if cache else None
print(json.dumps(out))
"""


def dataclass_probe(directory: Path | str, module_dir: Path) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", DATACLASS_PROBE, str(directory), str(module_dir)],
        capture_output=True, text=True, timeout=120, check=True,
    )
    return json.loads(out.stdout)


def test_dataclasses_methods_are_compiled_once_and_taken_from_the_file_alike(tmp_path: Path) -> None:
    """dataclasses writes each class's methods as source and compiles it: ~470 sources at the
    server's start, 67 ms of CPU at every start; they are kept as attrs' are, and behave the same."""
    module_dir = tmp_path / "mod"
    module_dir.mkdir()
    (module_dir / "probed_dataclasses.py").write_text(DATACLASS_MODULE, encoding="utf-8")
    plain = dataclass_probe("-", module_dir)
    first = dataclass_probe(tmp_path / "cache", module_dir)
    (cached,) = (tmp_path / "cache").glob("generated-code.*.marshal")
    written = cached.stat().st_mtime_ns
    second = dataclass_probe(tmp_path / "cache", module_dir)
    assert cached.stat().st_mtime_ns == written
    assert first["counts"]["hits"] == 0 and first["counts"]["misses"] >= 10
    assert second["counts"]["misses"] == 0 and second["counts"]["hits"] >= first["counts"]["misses"]
    del plain["counts"], first["counts"], second["counts"]
    assert first == plain and second == plain
    assert plain["frozen_error"] == "cannot assign to field 'a'" and plain["posted"] == "Posted(a=4, doubled=12)"
    assert plain["twins"] == ["Twin(a=1)", "OtherTwin(a=2)", True, False]


LIBC_PROBE = r"""
import json, subprocess
spawned = []
real = subprocess.Popen.__init__
def recorded(self, args, *rest, **kwargs):
    spawned.append(args if isinstance(args, str) else " ".join(map(str, args)))
    return real(self, args, *rest, **kwargs)
subprocess.Popen.__init__ = recorded
from deepseek_lsp import heap
print(json.dumps({"threshold": heap.fix_mmap_threshold(), "trimmed": heap.trim(), "spawned": spawned}))
"""


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's allocator only")
def test_the_start_finds_glibcs_allocator_without_running_a_program() -> None:
    """ctypes.util.find_library("c") ran ``/sbin/ldconfig -p`` (a fork and an exec, 5-26 ms at
    load 20) at every start, before anything else, to name the C library the process has
    loaded already."""
    out = subprocess.run([sys.executable, "-c", LIBC_PROBE], capture_output=True, text=True, timeout=60, check=True)
    assert json.loads(out.stdout) == {"threshold": True, "trimmed": True, "spawned": []}


NEEDS_PROBE = r"""
import json, sys
from pathlib import Path

from deepseek_lsp import code_cache
cache = code_cache.install(Path(sys.argv[1])) if sys.argv[1] != "-" else None
import deepseek_lsp.privacy as privacy
from deepseek_lsp.privacy import literals
from deepseek_lsp.privacy.redaction import _SINGLE

parsed = []
real = literals.pattern_need
literals.pattern_need = lambda p: parsed.append(p) or real(p)
table = literals.PatternTable(_SINGLE.patterns)  # a second table, after the import's
redacted = privacy.redact("DB_PASSWORD = 'S3cretValue!'\nghp_token = 'ghp_1234567890abcdefghij1234567890abcdef'\n")
code_cache.save()
print(json.dumps({"byWord": {w: ix for w, ix in sorted(_SINGLE._by_word.items())}, "always": _SINGLE._always,
                  "again": table._by_word == _SINGLE._by_word, "parsed": len(parsed), "redacted": redacted,
                  "counts": code_cache.counts()}))
"""


def needs_probe(directory: Path | str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", NEEDS_PROBE, str(directory)], capture_output=True, text=True, timeout=120, check=True
    )
    return json.loads(out.stdout)


def test_a_second_start_takes_the_words_redactions_patterns_need_from_the_file(tmp_path: Path) -> None:
    """Secret redaction's ~200 patterns were parsed again at every start to read the words each
    needs (~50 ms of CPU): a second start takes them from the file, the same words."""
    plain = needs_probe("-")
    assert plain["parsed"] > 150 and "S3cretValue" not in plain["redacted"]
    first = needs_probe(tmp_path)
    assert (first["counts"]["valueHits"], first["counts"]["valueMisses"]) == (0, 1)
    second = needs_probe(tmp_path)
    assert (second["counts"]["valueHits"], second["counts"]["valueMisses"]) == (1, 0)
    assert second["parsed"] == 0
    for run in (first, second):
        assert (run["byWord"], run["always"], run["redacted"]) == (plain["byWord"], plain["always"], plain["redacted"])
        assert run["again"]


def test_a_kept_value_is_made_anew_when_what_it_is_made_of_changed_or_it_is_damaged(tmp_path: Path) -> None:
    path = code_cache.cache_file(tmp_path)
    writer = code_cache.CodeCache(path)
    assert writer.value("t", b"v1", lambda: [frozenset({"a"}), None], lambda v: isinstance(v, list)) == [frozenset({"a"}), None]
    writer.save()

    def made(digest: bytes, value: object, valid: bool = True) -> tuple[object, int, int]:
        reader = code_cache.CodeCache(path)
        got = reader.value("t", digest, lambda: value, lambda v: valid and isinstance(v, list))
        return got, reader.value_hits, reader.value_misses

    assert made(b"v1", ["new"]) == ([frozenset({"a"}), None], 1, 0)
    assert made(b"v2", ["new"]) == (["new"], 0, 1)  # another digest: made anew
    assert made(b"v1", ["new"], valid=False) == (["new"], 0, 1)  # refused by its module's check
    layout, entries = marshal.loads(path.read_bytes())
    (key,) = [k for k in entries if k[0] == code_cache.VALUE_PREFIX + "t"]
    entries[key] = b"\xff\x00"
    path.write_bytes(marshal.dumps((layout, entries)))
    assert made(b"v1", ["new"]) == (["new"], 0, 1)


def test_a_value_of_a_new_version_replaces_the_old_one_in_the_file(tmp_path: Path) -> None:
    path = code_cache.cache_file(tmp_path)
    for digest in (b"v1", b"v2"):
        run = code_cache.CodeCache(path)
        run.value("t", digest, lambda d=digest: d.decode(), lambda v: True)
        run.save()
    _, entries = marshal.loads(path.read_bytes())
    assert [k[1] for k in entries if k[0] == code_cache.VALUE_PREFIX + "t"] == [b"v2"]
