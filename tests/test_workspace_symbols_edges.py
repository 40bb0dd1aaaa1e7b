"""The workspace symbol table and its crawler, from an audit: each test failed before its fix."""

from __future__ import annotations

import asyncio
import os
import random
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from deepseek_lsp import symbol_crawler, symbol_store
from deepseek_lsp.completion.workspace_files import store_names
from deepseek_lsp.config import DEFAULT_EXCLUDE
from deepseek_lsp.context import ContextRequest, Indexer, gather_snippets, names_near
from deepseek_lsp.documents import DocumentStore
from deepseek_lsp.workspace_symbols import WorkspaceSymbols
from tests.test_workspace_symbols import (
    REGISTRY,
    after_near_listing,
    age,
    crawler_for,
    gather,
    heads,
    settle,
    write,
)


def test_another_language_defining_a_name_does_not_make_it_too_common(tmp_path: Path) -> None:
    """A PyO3 project (polars, pydantic-core): Python's one ``with_columns`` and Rust's two are
    counted apart. Counted together the name was "too common" for both languages, and neither
    a Python nor a Rust request carried its definition."""
    root = tmp_path / "ws"
    write(
        root,
        {
            "py/frame.py": "class DataFrame:\n    def with_columns(self, *exprs: object) -> 'DataFrame':\n        return self\n",
            "src/frame.rs": "impl DataFrame {\n    pub fn with_columns(&self, exprs: Vec<Expr>) -> Self { self.clone() }\n}\n",
            "src/lazy.rs": "impl LazyFrame {\n    pub fn with_columns(&self, exprs: Vec<Expr>) -> Self { self.clone() }\n}\n",
        },
    )
    symbols = WorkspaceSymbols(REGISTRY)
    for language in ("python", "rust"):  # a Python file and a Rust file open: both crawled
        for path in symbols.plan([root], DEFAULT_EXCLUDE, [root / "py/x.py"], language):
            symbols.add_file(path)
    assert [p.name for p in symbols.files_defining("with_columns", "python")] == ["frame.py"]
    assert sorted(p.name for p in symbols.files_defining("with_columns", "rust")) == ["frame.rs", "lazy.rs"]
    snippets = gather(root, "py/use.py", "def f(df):\n    return df.frame.with_columns(", symbols)
    assert "def with_columns(self, *exprs: object) -> 'DataFrame':" in heads(snippets)
    # A file of one family leaving takes its names from that family's table only.
    symbols.remove(root / "src/lazy.rs", deleted=True)
    assert [p.name for p in symbols.files_defining("with_columns", "rust")] == ["frame.rs"]
    assert [p.name for p in symbols.files_defining("with_columns", "python")] == ["frame.py"]


async def test_a_link_to_an_excluded_file_is_not_read_into_the_table_nor_its_store(tmp_path: Path, monkeypatch: Any) -> None:
    """``app/settings.py -> ../secrets.py`` (``**/secrets.*`` is excluded): the crawl read the
    secrets file through the link, its names joined the table and were written to the store
    on disk. What a link leads to is excluded as the file itself is (``readable_import`` keeps
    it out of prompts likewise); a file changed on disk into such a link leaves the table."""
    monkeypatch.setattr(symbol_crawler, "SAVE_DELAY_S", 0.05)
    root = tmp_path / "ws"
    write(
        root,
        {
            "secrets.py": "STRIPE_LIVE_SECRET = 'x'\ndef rotate_prod_password(): pass\n",
            "app/main.py": "def alpha(): pass\n",
            "app/other.py": "def beta(): pass\n",
        },
    )
    (root / "app/settings.py").symlink_to("../secrets.py")
    age(root)
    crawler = crawler_for(root, tmp_path / "state")
    crawler.request(root / "app/main.py", "python")
    await settle(crawler)
    symbols = crawler.symbols
    assert symbols.files_defining("alpha", "python") == [root / "app/main.py"]
    assert symbols.files_defining("rotate_prod_password", "python") == []
    assert not symbols.is_indexed(root / "app/settings.py")
    stored = crawler.store.path_for([root], "python").read_text()
    assert "alpha" in stored and "rotate_prod_password" not in stored and "STRIPE_LIVE_SECRET" not in stored

    # A file replaced by such a link (told by the watcher): its names go, the secrets' never come.
    (root / "app/other.py").unlink()
    (root / "app/other.py").symlink_to("../secrets.py")
    crawler.files_changed([(root / "app/other.py", True)])
    await settle(crawler)
    assert symbols.files_defining("beta", "python") == []
    assert symbols.files_defining("rotate_prod_password", "python") == []


def rewrite_within_the_tick(path: Path, text: str) -> None:
    """Rewrite ``path`` as a second write within its timestamp's tick leaves it: the same
    modification time (FAT's 2 s, HFS+'s and many network file systems' 1 s, Linux's coarse
    clock before 6.13 of a few milliseconds)."""
    before = path.stat()
    path.write_text(text)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


async def test_a_file_rewritten_within_its_timestamp_tick_is_indexed_again_by_the_disk_check(
    tmp_path: Path, monkeypatch: Any
) -> None:
    """Without a watcher: a file written by a ``git checkout`` is indexed at once, then a tool
    rewrites it within the same tick with as many bytes (``load_a`` renamed ``load_b``). Its
    stamp cannot tell, and the table kept ``load_a`` all session: a stamp taken this recently
    is not trusted (as the folders' times and the store already are not)."""
    monkeypatch.setattr(symbol_crawler, "SAVE_DELAY_S", 0.05)
    root = tmp_path / "ws"
    write(root, {"a.py": "def alpha(): pass\n"})
    age(root)
    write(root, {"b.py": "class Store:\n    def load_a(self): pass\n"})  # just checked out
    crawler = crawler_for(root, tmp_path / "state")
    crawler.request(root / "a.py", "python")
    await settle(crawler)
    symbols = crawler.symbols
    assert [p.name for p in symbols.files_defining("load_a", "python")] == ["b.py"]

    rewrite_within_the_tick(root / "b.py", "class Store:\n    def load_b(self): pass\n")
    assert await crawler.check_disk() == 1
    await settle(crawler)
    assert [p.name for p in symbols.files_defining("load_b", "python")] == ["b.py"]
    assert symbols.files_defining("load_a", "python") == []


def test_an_imported_file_rewritten_within_its_timestamp_tick_is_read_again(tmp_path: Path) -> None:
    """The definitions sent for an imported file come from its index, kept while the file is
    unchanged; it was kept while the modification time was (the size not looked at), so a
    rewrite within the same tick, a signature changed by a formatter or a ``git checkout``
    right after a request read the file, left every later prompt with the old signature."""
    root = tmp_path / "ws"
    write(root, {"store.py": "def load(key):\n    return key\n"})
    main = "from store import load\n\ndef run():\n    return load("
    store = DocumentStore(REGISTRY)
    doc = store.open((root / "main.py").as_uri(), main, "python", 1)
    indexer = Indexer(REGISTRY)

    def sent() -> list[str]:
        offset = len(doc.data)
        names = names_near(doc.language, doc.tree, doc.data, offset)
        req = ContextRequest(doc, offset, [], [], [root], DEFAULT_EXCLUDE, time.monotonic() + 5, open_uris=store)
        return heads(gather_snippets(indexer, req, (0, offset), names))

    assert sent() == ["def load(key):"]
    rewrite_within_the_tick(root / "store.py", "def load(key, timeout):\n    return key\n")
    assert sent() == ["def load(key, timeout):"]
    rewrite_within_the_tick(root / "store.py", "def load(key, timeoff):\n    return key\n")  # as many bytes
    assert sent() == ["def load(key, timeoff):"]


async def test_a_cpp_projects_h_headers_are_indexed_as_cpp(tmp_path: Path) -> None:
    """A C++ project keeping its classes in ``.h`` headers (Google's style, Qt, LLVM's
    ``.h``): the crawl parsed them as C, and a header's classes, namespaces and their methods
    were no names in the table, so a member used in a ``.cpp`` that reaches the header only
    through another include never brought its definition. A C project's headers stay C."""
    root = tmp_path / "ws"
    write(
        root,
        {
            "src/widget.h": (
                "#pragma once\nnamespace ui {\nclass Widget {\n public:\n"
                "  void resize_to_fit(int width, int height);\n};\n}  // namespace ui\n"
            ),
            "src/main.cpp": '#include "app.h"\nint main() { return 0; }\n',
        },
    )
    crawler = crawler_for(root, tmp_path / "state")
    crawler.request(root / "src/main.cpp", "cpp")
    await settle(crawler)
    symbols = crawler.symbols
    assert [p.name for p in symbols.files_defining("Widget", "cpp")] == ["widget.h"]
    assert [p.name for p in symbols.files_defining("resize_to_fit", "cpp")] == ["widget.h"]
    assert symbols.records[root / "src/widget.h"].language == "cpp"
    # A C-only project's headers are read as C, as before.
    c_root = tmp_path / "cws"
    write(c_root, {"list.h": "struct list_node { int value; };\nint list_push(struct list_node *n);\n", "list.c": "int x;\n"})
    c_crawler = crawler_for(c_root, tmp_path / "cstate")
    c_crawler.request(c_root / "list.c", "c")
    await settle(c_crawler)
    assert c_crawler.symbols.records[c_root / "list.h"].language == "c"
    assert [p.name for p in c_crawler.symbols.files_defining("list_push", "c")] == ["list.h"]


async def test_a_header_stored_as_c_by_an_older_session_is_parsed_again_as_cpp(tmp_path: Path, monkeypatch: Any) -> None:
    """The store of a session that read a C++ project's headers as C is not taken as it is:
    its ``.h`` are parsed again, and their classes join the table."""
    monkeypatch.setattr(symbol_crawler, "SAVE_DELAY_S", 0.05)
    root = tmp_path / "ws"
    write(root, {"widget.h": "class Widget {\n public:\n  void paint();\n};\n", "main.cpp": "int main() { return 0; }\n"})
    age(root)
    with monkeypatch.context() as old:
        old.setattr(WorkspaceSymbols, "claim_extensions", lambda self, planned: None)
        first = crawler_for(root, tmp_path / "state")
        first.request(root / "main.cpp", "cpp")
        await settle(first)
        assert first.symbols.records[root / "widget.h"].language == "c"
    second = crawler_for(root, tmp_path / "state")
    second.request(root / "main.cpp", "cpp")
    await settle(second)
    assert second.symbols.records[root / "widget.h"].language == "cpp"
    assert [p.name for p in second.symbols.files_defining("Widget", "cpp")] == ["widget.h"]


def test_a_binary_file_with_a_source_extension_is_not_parsed(tmp_path: Path, monkeypatch: Any) -> None:
    """An MPEG-TS video named ``intro.ts`` (or a git-crypt'd module), under the size
    limit: parsed as TypeScript, its 99 kB of noise held the event loop 0.2-0.4 s in one step, and
    a keystroke waited. A file with a NUL byte in its first 8000 bytes is binary, as git tells:
    it defines no names, and is kept in the table as such (not read again each session). Nor
    is it parsed when a document imports it (the completion's context)."""
    path = tmp_path / "media/intro.ts"
    path.parent.mkdir()
    path.write_bytes(random.Random(0).randbytes(99_000))
    source = tmp_path / "media/player.ts"
    source.write_text("export function play(clip: string): void {}\n")
    symbols = WorkspaceSymbols(REGISTRY)
    lang = symbols.language_of(path)
    assert lang is not None
    parsed: list[int] = []
    parser = lang.parser
    monkeypatch.setattr(lang, "parser", lambda: parsed.append(1) or parser())
    for _ in symbols.index_steps(path):
        pass
    assert parsed == []
    indexer = Indexer(REGISTRY)
    assert indexer.for_file(path) is None and indexer.for_file(path) is None
    assert parsed == []
    # The count sees parses: a source file of the language is parsed.
    index = indexer.for_file(source)
    assert parsed and index is not None and "play" in index.definitions
    assert symbols.is_indexed(path) and symbols.records[path].names == ()


async def test_files_created_and_deleted_all_session_do_not_grow_the_table(tmp_path: Path, monkeypatch: Any) -> None:
    """Files the watcher tells created, then deleted, 600 in all (a tool's output, a branch
    switched back and forth, scratch files): each took one more of the table's slots for good
    (a long session's soak: 303 files indexed, 342 slots; here 602 slots for 2 files). The table
    stays the size of the workspace, and each name still leads to the file defining it now."""
    monkeypatch.setattr(symbol_crawler, "SAVE_DELAY_S", 0.0)
    root = tmp_path / "ws"
    write(root, {"a.py": "def alpha(): pass\n", "b.py": "def beta(): pass\n"})
    crawler = crawler_for(root, tmp_path / "state")
    symbols = crawler.symbols
    crawler.request(root / "a.py", "python")
    await settle(crawler)
    assert symbols.stats()["slots"] == 2
    previous: list[Path] = []
    for batch in range(60):  # ten files a batch, the last batch's deleted at once
        created = [root / f"gen/scratch{batch}_{i}.py" for i in range(10)]
        write(root, {str(p.relative_to(root)): f"def scratch_{batch}_{i}(): pass\n" for i, p in enumerate(created)})
        for path in previous:
            path.unlink()
        crawler.files_changed([*((p, False) for p in previous), *((p, True) for p in created)])
        await settle(crawler)
        previous = created
    assert [p.name for p in symbols.files_defining("scratch_59_3", "python")] == ["scratch59_3.py"]
    assert symbols.stats()["files"] == 12
    assert symbols.stats()["slots"] <= 22, symbols.stats()
    # Slots taken again by other files: each name leads where it is defined now.
    for path in previous:
        path.unlink()
    write(root, {"c.py": "def gamma(): pass\n"})
    crawler.files_changed([*((p, False) for p in previous), (root / "c.py", True)])
    await settle(crawler)
    assert [p.name for p in symbols.files_defining("gamma", "python")] == ["c.py"]
    assert [p.name for p in symbols.files_defining("alpha", "python")] == ["a.py"]
    assert [p.name for p in symbols.files_defining("beta", "python")] == ["b.py"]
    assert symbols.files_defining("scratch_59_3", "python") == []
    assert symbols.stats()["files"] == 3


async def test_a_name_left_on_a_slot_taken_by_another_language_does_not_lead_to_its_file(
    tmp_path: Path, monkeypatch: Any
) -> None:
    """A file saved in the editor while the watcher's reindexing of it waited for the user to
    stop typing: the save's names joined the table, the older parse's record replaced its
    record, and the save's name stayed in the table without it. The file deleted, its slot went
    to the next new file, a JavaScript one defining that name: a Python request was led to it,
    and its JavaScript function went into the Python prompt as the definition."""
    monkeypatch.setattr(symbol_crawler, "SAVE_DELAY_S", 0.0)
    root = tmp_path / "ws"
    write(root, {"app/a.py": "def start(): pass\n", "web/ui.js": "function other() {}\n"})
    a_py = root / "app/a.py"
    typing = [False]

    def busy_until() -> float:  # the user types once the reindexing of a.py has begun
        return time.monotonic() + 0.05 if typing[0] and a_py not in symbols.records else 0.0

    crawler = crawler_for(root, tmp_path / "state")
    crawler.busy_until = busy_until
    symbols = crawler.symbols
    crawler.request(a_py, "python")
    crawler.request(root / "web/ui.js", "javascript")
    await settle(crawler)

    a_py.write_text("def run(): pass\n")  # changed on disk (a tool), told by the watcher
    typing[0] = True
    crawler.files_changed([(a_py, True)])
    for _ in range(2000):  # git is asked first whether the file is ignored
        if a_py not in symbols.records:
            break
        await asyncio.sleep(0.005)
    assert a_py not in symbols.records, "the reindexing must be under way for the test to tell"
    a_py.write_text("def launch(): pass\n")  # the user's save, while a.py is being read again
    crawler.saved(a_py, "python", ["launch"])
    typing[0] = False
    await settle(crawler)
    a_py.unlink()
    crawler.files_changed([(a_py, False)])
    await settle(crawler)
    write(root, {"web/b.js": "function launch() { return 'JavaScript'; }\n"})
    crawler.files_changed([(root / "web/b.js", True)])
    await settle(crawler)

    assert [p.name for p in symbols.files_defining("launch", "javascript")] == ["b.js"]
    assert symbols.files_defining("launch", "python") == []
    snippets = gather(root, "app/use.py", "def go(job):\n    return job.runner.launch(", symbols)
    assert not any("JavaScript" in s.text for s in snippets), heads(snippets)


class _HeldIndex:
    """Holds the crawler's reindex of a file after its read, at its first pause, until
    :meth:`go`: a save or a folder's removal then comes in mid-way, as the editor's events
    do, at a known point (no sleep guessing how long a parse takes)."""

    def __init__(self, monkeypatch: Any) -> None:
        self.holding = False
        self.reached = asyncio.Event()
        self._gate = asyncio.Event()
        monkeypatch.setattr(symbol_crawler, "until_idle", self._until_idle)

    async def _until_idle(self, busy_until: Any) -> None:
        # Only the pause between a file's read and its names kept (the crawler's _index).
        if self.holding and sys._getframe(1).f_code.co_name == "_index":
            self.reached.set()
            await self._gate.wait()

    def go(self) -> None:
        self.holding = False
        self._gate.set()


async def test_a_save_while_its_file_reindexes_leaves_no_name_of_the_read_before(
    tmp_path: Path, monkeypatch: Any
) -> None:
    """A file changed on disk is read again; before its names were kept, the user saved it
    (its buffer's names taken in at once). The read's names were added on top: 'helper', which
    the save took out, stayed on the file until its next event, and made with the two files
    that do define it three, "too common", none of them sent."""
    monkeypatch.setattr(symbol_crawler, "SAVE_DELAY_S", 0.0)
    root = tmp_path / "ws"
    write(root, {
        "a.py": "def alpha(): pass\n",
        "b.py": "def helper(): pass\n",
        "c.py": "def helper(): pass\n",
    })
    crawler = crawler_for(root, tmp_path / "state")
    symbols = crawler.symbols
    crawler.request(root / "a.py", "python")
    await settle(crawler)
    held = _HeldIndex(monkeypatch)
    write(root, {"a.py": "def alpha(): pass\ndef helper(): pass\n"})  # a git pull
    held.holding = True
    crawler.files_changed([(root / "a.py", True)])
    await asyncio.wait_for(held.reached.wait(), 10)
    write(root, {"a.py": "def alpha_two(): pass\n"})  # the user's save, helper taken out
    crawler.saved(root / "a.py", "python", ["alpha_two"])
    held.go()
    await settle(crawler)
    assert sorted(p.name for p in symbols.files_defining("helper", "python")) == ["b.py", "c.py"]
    assert symbols.files_defining("alpha", "python") == []
    assert [p.name for p in symbols.files_defining("alpha_two", "python")] == ["a.py"]
    assert symbols.records[root / "a.py"].names == ("alpha_two",)


async def test_a_folder_removed_while_one_of_its_files_reindexes_leaves_the_table(
    tmp_path: Path, monkeypatch: Any
) -> None:
    """A workspace folder removed while a file of it was read again: the file left the table
    but its slot was not given back, and the read, ending after, put it back in (its names sent
    as a folder's no longer open, the slot counted against the file limit) until its next
    event."""
    monkeypatch.setattr(symbol_crawler, "SAVE_DELAY_S", 0.0)
    app, lib = tmp_path / "app", tmp_path / "lib"
    write(app, {"main.py": "def main(): pass\n"})
    write(lib, {"util.py": "def util(): pass\n"})
    crawler = crawler_for(app, tmp_path / "state")
    symbols = crawler.symbols
    crawler.services.workspace_folders = [app.as_uri(), lib.as_uri()]
    crawler.request(app / "main.py", "python")
    await settle(crawler)
    assert symbols.stats()["files"] == 2
    held = _HeldIndex(monkeypatch)
    write(lib, {"util.py": "def util(): pass\ndef util_two(): pass\n"})
    held.holding = True
    crawler.files_changed([(lib / "util.py", True)])
    await asyncio.wait_for(held.reached.wait(), 10)
    crawler.services.change_workspace_folders(added=[], removed=[lib.as_uri()])
    crawler.folders_changed()
    held.go()
    await settle(crawler)
    assert symbols.paths() == [app / "main.py"]
    assert symbols.files_defining("util_two", "python") == []
    assert symbols.stats()["slots"] == 1, symbols.stats()


class _HeldRead:
    """Holds the crawler's read of the file at ``path`` at its first pause (after its bytes
    were read and parsed, before its names are kept) until :meth:`go`."""

    def __init__(self, monkeypatch: Any, path: Path) -> None:
        self.path = path
        self.reached = asyncio.Event()
        self._gate = asyncio.Event()
        monkeypatch.setattr(symbol_crawler, "until_idle", self._until_idle)

    async def _until_idle(self, busy_until: Any) -> None:
        caller = sys._getframe(1)
        if caller.f_code.co_name == "_index" and caller.f_locals.get("path") == self.path:
            self.reached.set()
            await self._gate.wait()

    def go(self) -> None:
        self._gate.set()


@pytest.mark.parametrize("how", ["renamed", "its folder moved"])
async def test_a_file_moved_while_the_crawl_reads_it_leaves_no_name_on_its_old_path(
    tmp_path: Path, monkeypatch: Any, how: str
) -> None:
    """The crawl read lib/old.py (its first read: not in the table yet) and paused for the
    user's typing; meanwhile it was renamed to lib/new.py (the watcher's delete and create),
    or its folder moved (VS Code tells of one event for the folder). The delete of a file not
    in the table did nothing, and the read, ending after, put the gone path in: 'helper' was
    defined by two files, old.py holding a slot, until the next look at the disk; with one
    more file defining it, three: 'too common', none sent."""
    monkeypatch.setattr(symbol_crawler, "SAVE_DELAY_S", 0.0)
    root = tmp_path / "ws"
    write(root, {"app/main.py": "def main(): pass\n", "lib/old.py": "def helper(): pass\n"})
    crawler = crawler_for(root, tmp_path / "state")
    symbols = crawler.symbols
    held = _HeldRead(monkeypatch, root / "lib/old.py")
    crawler.request(root / "app/main.py", "python")
    await asyncio.wait_for(held.reached.wait(), 10)
    if how == "renamed":
        (root / "lib/old.py").rename(root / "lib/new.py")
        crawler.files_changed([(root / "lib/old.py", False), (root / "lib/new.py", True)])
        now = root / "lib/new.py"
    else:
        (root / "lib").rename(root / "src")
        crawler.files_changed([(root / "lib", False), (root / "src", True)])
        now = root / "src/old.py"
    await asyncio.wait_for(crawler._tasks["refresh"], 10)
    held.go()
    await settle(crawler)
    assert symbols.files_defining("helper", "python") == [now]
    assert not symbols.is_indexed(root / "lib/old.py")
    assert symbols.stats()["slots"] == symbols.stats()["files"] == 2, symbols.stats()


async def test_a_folder_excluded_while_the_crawl_reads_its_files_leaves_none_in_the_table(
    tmp_path: Path, monkeypatch: Any
) -> None:
    """``exclude`` gained secrets/** while the crawl read secrets/a.py for the first time
    (paused for the user's typing): exclude_changed took out the files in the table only, so
    the read, ending after, put a.py in, and the crawl went on to read secrets/b.py, planned
    before: their names counted as the workspace's (a name of theirs and two other files':
    'too common'), each file one of the limit's slots."""
    monkeypatch.setattr(symbol_crawler, "SAVE_DELAY_S", 0.0)
    root = tmp_path / "ws"
    write(root, {
        "app/main.py": "def main(): pass\n",
        "secrets/a.py": "def rotate_key(): pass\n",
        "secrets/b.py": "def revoke_key(): pass\n",
    })
    crawler = crawler_for(root, tmp_path / "state")
    symbols = crawler.symbols
    held = _HeldRead(monkeypatch, root / "secrets/a.py")
    crawler.request(root / "app/main.py", "python")
    await asyncio.wait_for(held.reached.wait(), 10)
    services = crawler.services
    services.settings = replace(
        services.settings, exclude=(*services.settings.exclude, "**/secrets/**")
    )
    crawler.exclude_changed()
    held.go()
    await settle(crawler)
    assert symbols.paths() == [root / "app/main.py"], symbols.paths()
    assert symbols.files_defining("rotate_key", "python") == []
    assert symbols.files_defining("revoke_key", "python") == []
    assert symbols.stats()["slots"] == 1, symbols.stats()


async def test_a_folder_excluded_while_the_files_near_one_opened_are_listed_leaves_none(
    tmp_path: Path, monkeypatch: Any
) -> None:
    """``exclude`` gained secrets/** while the files near secrets/a.py, just opened, were
    listed (after the crawl, so the near loop reads them first): the crawl skips files
    excluded since its plan, the near loop read them all the same, their names counted as
    the workspace's and a slot each."""
    monkeypatch.setattr(symbol_crawler, "SAVE_DELAY_S", 0.0)
    root = tmp_path / "ws"
    write(root, {"app/main.py": "def main(): pass\n"})
    crawler = crawler_for(root, tmp_path / "state")
    symbols = crawler.symbols
    crawler.request(root / "app/main.py", "python")
    await settle(crawler)
    write(root, {f"secrets/k{i}.py": f"def rotate_{i}(): pass\n" for i in range(3)})
    def exclude() -> None:
        services = crawler.services
        services.settings = replace(
            services.settings, exclude=(*services.settings.exclude, "**/secrets/**")
        )
        crawler.exclude_changed()

    after_near_listing(monkeypatch, crawler, exclude)
    crawler.request(root / "secrets/k0.py", "python")
    await settle(crawler)
    assert symbols.paths() == [root / "app/main.py"], symbols.paths()
    assert symbols.files_defining("rotate_1", "python") == []


async def test_the_files_of_a_folder_declaring_a_go_types_methods(tmp_path: Path, monkeypatch: Any) -> None:
    """The table says which files of a folder declare methods on a Go type, however common
    their names (a package's methods past the files ``c.|`` reads): as crawled, as a file saved
    in the editor says (its buffer's index), as the next session loads them; not a deleted
    file's, nor another folder's."""
    monkeypatch.setattr(symbol_crawler, "SAVE_DELAY_S", 0.05)
    monkeypatch.setattr(symbol_store, "SETTLE_NS", 0)  # the files are all written just now
    root = tmp_path / "ws"
    conn = "package net\n\ntype Conn struct{}\n\nfunc (c *Conn) Close() error {\n\treturn nil\n}\n"
    send = "package net\n\nfunc (c *Conn) Send(b []byte) error {\n\treturn nil\n}\n"
    write(root, {"net/conn.go": conn, "net/send.go": send, "mail/conn.go": conn.replace("net", "mail")})
    net = root / "net"
    crawler = crawler_for(root, tmp_path / "state")
    crawler.request(net / "conn.go", "go")
    await settle(crawler)
    symbols = crawler.symbols
    assert symbols.files_with_methods_of("Conn", net, "go") == [net / "conn.go", net / "send.go"]
    assert symbols.files_with_methods_of("Conn", net, "python") == []
    # A file created and saved in the editor, its names from its buffer's index.
    flush = "package net\n\nfunc (c *Conn) Flush() {}\n"
    write(root, {"net/flush.go": flush})
    doc = DocumentStore(REGISTRY).open((net / "flush.go").as_uri(), flush, "go", 1)
    store_names(crawler, Indexer(REGISTRY), doc)
    assert net / "flush.go" in symbols.files_with_methods_of("Conn", net, "go")
    (net / "send.go").unlink()
    crawler.files_changed([(net / "send.go", False)])
    await settle(crawler)
    expected = [net / "conn.go", net / "flush.go"]
    assert symbols.files_with_methods_of("Conn", net, "go") == expected
    again = crawler_for(root, tmp_path / "state")
    again.request(net / "conn.go", "go")
    await settle(again)
    assert again.symbols.stats()["fromStore"] == 3  # none parsed: the store was up to date
    assert again.symbols.files_with_methods_of("Conn", net, "go") == expected
