"""Which workspace files define each name: for the names near the cursor that nothing the
document imports defines.

``self.protocol.send_request_async(`` in pygls' ``_base_server.py`` calls a method of a class the
file never imports (the attribute's type is set elsewhere); ``msg.set_payload(`` in
``email/mime/image.py`` likewise. Without types, the name is all there is to go on: a name that
one or two files of the workspace define is very likely meant (``close`` or ``get``, defined
everywhere, is not looked up). On 16 real projects, 109 of the 338 definitions a suggestion
needed and the prompt lacked were such members (tests/bench/bench_context_recall.py).

The index holds names only (a file id, two, or "too common"), built while the user pauses, a few
milliseconds at a time on the event loop (tree-sitter holds the GIL while it parses), nearest
folders to the documents being edited first, up to a number of files. The definitions themselves come from
the file when a request wants them (``Indexer.for_file``, by mtime), so a stale entry sends
nothing wrong: the name is looked for in the file as it is now.
"""

from __future__ import annotations

import hashlib
import logging
import os
import stat
import threading
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path

import tree_sitter as ts

from .documents import utf8_source
from .gitignore import drop_ignored
from .languages import Language, LanguageRegistry
from .privacy import is_excluded
from .symbol_store import FileNames, settled_time, stamp, trusted

log = logging.getLogger(__name__)

#: A name defined in more files than this is too common to guess which is meant.
MAX_DEFINING_FILES = 2
#: Files larger than this are left out (generated code, data tables, bundles): parsing one
#: holds the event loop (~25 ms for 100 kB of Python).
MAX_FILE_BYTES = 100_000
#: A NUL byte in a file's first bytes makes it binary, as git tells (``buffer_is_binary``).
BINARY_PROBE_BYTES = 8000


def is_binary(data: bytes) -> bool:
    """Whether a file's bytes are binary, whatever its extension (an MPEG-TS ``.ts`` video, a
    git-crypt'd module): noise to a grammar, whose parse of it held the event loop 0.2-0.5 s."""
    return b"\0" in data[:BINARY_PROBE_BYTES]

#: The query runs this much of a file at a time (~1 ms), with a pause for requests in between.
QUERY_RANGE_BYTES = 16_384
#: Entries looked at while listing the workspace: a home folder opened as a workspace is cut
#: short instead of walked for minutes.
MAX_LISTED = 60_000
#: Folders never indexed: dependencies, caches, build output of other tools, version control.
#: ``dist`` and ``out``, where ``tsc`` and the bundlers write: with ``dist/store.js`` and
#: ``dist/store.d.ts`` beside ``src/store.ts``, each name of the sources was defined in three
#: files, too common to be looked up, once the project was built.
SKIPPED_DIRS = frozenset(
    {
        "node_modules",
        "__pycache__",
        "site-packages",
        "bower_components",
        "target",
        "build",
        "dist",
        "out",
        "venv",
        "env",
        "vendor",
        "Pods",
    }
)

_COMMON = -1  # more than MAX_DEFINING_FILES files define the name
#: Names new to a family's table kept apart from its sorted list until this many: a prefix
#: looks through them one by one, and merging them costs a pass over the list (~1 ms at
#: 36,000 names), not one per name indexed.
_MERGE_AFTER = 512
#: Changes with the way names are read from the captures (``short_name``): the names a session
#: stored the old way are found again.
NAMES_VERSION = 2

#: Languages whose files define names for each other (a TypeScript file calls a JavaScript one).
_FAMILY = {"typescript": "javascript", "tsx": "javascript", "cpp": "c"}

Entry = int | tuple[int, ...]

#: After a type's name, the name a file is recorded with when it declares methods on the type
#: outside its body (a Go method's receiver, ``func (c *Conn) Send``: ``Conn.``): which files
#: of a package hold a struct's methods, however many there are and however common their
#: names (``Send``, ``Close``), without reading the package's every file.
METHODS_OF = "."


def methods_of(owner: str) -> str:
    """The name a file declaring methods on ``owner`` outside its body is recorded with."""
    return owner + METHODS_OF


def family(language: str) -> str:
    return _FAMILY.get(language, language)


def short_name(node: ts.Node, name: str) -> str | None:
    """The last part of a definition's dotted name that the grammar reads as one token:
    Elixir's ``defmodule Shop.Orders.Order`` is ``Order`` in the code that uses it (after
    ``alias Shop.Orders.Order``), and looked up by that name it was never found. Not a name
    the grammar splits into parts (C#'s ``namespace MyApp.Services``: ``builder.Services``)."""
    if node.child_count or "." not in name:
        return None
    last = name.rsplit(".", 1)[1]
    return last if last.isidentifier() else None


class WorkspaceSymbols:
    def __init__(self, registry: LanguageRegistry, max_files: int = 2000) -> None:
        self.registry = registry
        self.max_files = max_files
        self._paths: list[str] = []
        self._families: list[str] = []
        self._ids: dict[str, int] = {}
        #: Ids of deleted files, whose names are gone, for the next new file: each file created
        #: and deleted (a tool's output, a branch switched back and forth) took one more id for
        #: good, and the table grew with the session's length, not the workspace's. (A name
        #: left on a reused id by an index without ``remove`` is checked against the file when
        #: used, as one left on a live file's is.)
        self._free: list[int] = []
        #: By language family, name -> the files defining it: a family's names are counted
        #: apart, so that Rust's two ``with_columns`` do not make Python's one "too common".
        self._names: dict[str, dict[str, Entry]] = {}
        #: By language family, how many files define each name too common to list: once files
        #: are deleted or changed down to MAX_DEFINING_FILES, which they are is looked up again.
        self._common: dict[str, dict[str, int]] = {}
        self._has_definitions: dict[str, bool] = {}
        #: By language family, its names sorted (``names_with_prefix``), and those added
        #: since; a name that left the table stays in the list until it is rebuilt, and is
        #: checked against the table when found.
        self._sorted: dict[str, list[str]] = {}
        self._unsorted: dict[str, set[str]] = {}
        #: By folder and type, the ids of the folder's files that declare methods on the type
        #: outside its body (``methods_of``), all of them: a package's files are one folder.
        self._methods: dict[tuple[str, str], list[int]] = {}
        #: What each file parsed or loaded defined, with its stamp: what the next session loads.
        self.records: dict[Path, FileNames] = {}
        self.loaded = 0
        #: Crawls finished that took files in, per language family (symbol_crawler): context
        #: chosen before one may lack its names. Per family: a JavaScript file opened beside
        #: a Python one had the Python prompt's snippets chosen anew, a prefix-cache miss.
        self.crawled: Counter[str] = Counter()
        #: Files created or deleted on disk, as a watcher's event or the disk check told: context
        #: chosen before may lack a file that is there now (an import that found none finds it).
        self.files_came_or_went = 0
        self._digests: dict[str, str] | None = None
        #: Extensions a language of the workspace claims from another (``imported_extensions``):
        #: a C++ project's ``.h`` are C++ headers; parsed as C, their classes and namespaces
        #: were no names.
        self._read_as: dict[str, Language] = {}
        #: The reads of each file under way (``index_steps``), each a mark set once the file's
        #: names were changed or it left meanwhile (a save, a delete, its folder removed): the
        #: read's older names are not kept then. Added on top, a name the save took out stayed
        #: on the file (counted among a name's two files), and a file of a folder removed came
        #: back into the table.
        self._reading: dict[Path, list[list[bool]]] = {}
        #: Set when the server is on its way out: a walk of the disk under way (on a thread of
        #: the event loop's executor) ends at its next folder. The process waited for it to end:
        #: after ``exit`` the server lived on for the whole listing of a large workspace (2-4 s
        #: here), and a :DeepSeekRestart waited for it, then killed it.
        self.stopping = threading.Event()

    def claim_extensions(self, planned: Iterable[Path]) -> None:
        """Read the files of ``planned`` whose extension a language among them claims in that
        language (a C-only project's ``.h`` stay C)."""
        claimants = [lang for lang in self.registry if lang.spec.imported_extensions]
        present = {lang.name for p in planned if (lang := self.registry.for_filename(p.name))} if claimants else set()
        for lang in claimants:
            if lang.name in present:
                for ext in lang.spec.imported_extensions:
                    self._read_as.setdefault(ext, lang)

    def language_of(self, path: Path) -> Language | None:
        """The language ``path`` is parsed in for its names."""
        return self._read_as.get(path.suffix.lower()) or self.registry.for_document(None, path.as_uri())

    def digests(self) -> dict[str, str]:
        """Per language, a digest of what finds its names (the definitions query, the grammar
        package's version): names stored under another digest are found again."""
        if self._digests is None:
            # Filled before it is kept: the near files' store read asks for it off the event
            # loop while the crawl's may be working it out (a half table saved, or checked
            # against, made every stored file parsed again).
            from importlib import metadata  # here, not at the start's imports (~5 ms)

            digests: dict[str, str] = {}
            for lang in self.registry:
                source = lang.query_source("definitions")
                if source is not None:
                    try:
                        grammar = metadata.version(lang.spec.package) if lang.spec.package else ""
                    except metadata.PackageNotFoundError:
                        grammar = ""
                    text = f"{source}\0{grammar}\0{ts.LANGUAGE_VERSION}\0{NAMES_VERSION}"
                    # A query with a method's owner: its files' names stored before they told
                    # the types they declare methods on (``methods_of``) are read again.
                    text += "\0owners" if "@owner" in source else ""
                    digests[lang.name] = hashlib.sha256(text.encode()).hexdigest()[:16]
            self._digests = digests
        return self._digests

    def files_defining(self, name: str, language: str) -> list[Path]:
        """The files in ``language``'s family that define ``name``, when at most
        MAX_DEFINING_FILES files of that family define it."""
        fam = family(language)
        entry = self._names.get(fam, {}).get(name)
        if entry == _COMMON and self._common.get(fam, {}).get(name, 0) <= MAX_DEFINING_FILES:
            entry = self._recount(fam, name)
        if entry is None or entry == _COMMON:
            return []
        ids = (entry,) if isinstance(entry, int) else entry
        # A name left on a deleted file's id (indexed again without ``remove``: a save while
        # its file was being read again) leads to the file given the id next, which the lookup
        # reads in that file's language: another family's file is no answer.
        return [Path(self._paths[i]) for i in ids if self._families[i] == fam]

    def files_with_methods_of(self, owner: str, folder: Path, language: str) -> list[Path]:
        """The files of ``folder`` (in ``language``'s family, in the order of their names) that
        declare methods on ``owner`` outside its body, however many: one dict look-up."""
        fam, key = family(language), str(folder)
        ids = self._methods.get((key, owner), ())
        # (An id handed to another file since is no answer: its path says so.)
        return sorted(
            path for i in ids if self._families[i] == fam and (path := Path(self._paths[i])).parent == folder
        )

    def may_define(self, path: Path, name: str) -> bool:
        """Whether ``path`` defines ``name`` as its names were last read (True where they are
        not kept: the file is to be read to know)."""
        record = self.records.get(path)
        return record is None or name in record.names

    @property
    def indexed(self) -> int:
        return len(self._ids)

    def is_indexed(self, path: Path) -> bool:
        return str(path) in self._ids

    def paths(self) -> list[Path]:
        """The files indexed."""
        return [Path(p) for p in self._ids]

    def being_read(self) -> list[Path]:
        """The files whose read (``index_steps``) is under way: a first read's file is in
        none of the table's lists yet."""
        return list(self._reading)

    def plan(
        self,
        roots: Sequence[Path],
        exclude: Sequence[str],
        near: Iterable[Path],
        language: str | None = None,
        folders: dict[Path, int] | None = None,
    ) -> list[Path]:
        """The workspace's files to index, nearest the folders of ``near`` (the documents being
        edited) first: the same folder, its subfolders, then up a folder at a time; at most
        ``max_files``, skipping excluded, hidden, dependency and oversized files, files in no
        language with definitions, and, given a ``language``, files outside its family (a
        Python project's C extension and test data are not parsed, nor their grammars loaded).
        Walks the disk: run it off the event loop. ``folders``, given, gets the modification
        time of each folder walked: :func:`disk_changes` tells from them where files appeared."""
        want = family(language) if language else None
        if self.max_files <= 0:
            return []
        listed: list[Path] = []
        budget = MAX_LISTED
        near = list(near)
        for root in roots:
            for folder, dirs, files in _walk_near_first(root, near):
                if self.stopping.is_set():
                    return []
                budget -= len(dirs) + len(files)
                dirs[:] = [d for d in dirs if not skipped_dir(folder, d)]
                if folders is not None and (mtime := _mtime(folder)) is not None:
                    # Read after the listing: a file created in between must not go unseen.
                    folders[Path(folder)] = settled_time(mtime)
                listed += (path for name in files if self._wanted(path := Path(folder, name), exclude, want))
                if budget <= 0:
                    log.info("workspace index: stopped listing %s after %d entries", root, MAX_LISTED)
                    break
        anchors = [p.parent.parts for p in near]

        def distance(path: Path) -> tuple[int, str]:
            parts = path.parent.parts
            return min((_distance(parts, a) for a in anchors), default=0), str(path)

        # Once each: a folder nested in another (a monorepo and one of its packages, both
        # workspace folders) is walked twice, and its files' duplicates took half the places.
        # Not what the project's .gitignore leaves out (generated code: its names took the
        # places and made the project's own "too common", each defined again in a stub).
        if self.stopping.is_set():
            return []
        unique = drop_ignored(list(dict.fromkeys(listed)), set(), roots)
        return sorted(unique, key=distance)[: self.max_files]

    def _wanted(self, path: Path, exclude: Sequence[str], want: str | None) -> bool:
        if path.name.startswith("."):
            return False
        lang = self.registry.for_filename(path.name)
        if lang is None or (want is not None and family(lang.name) != want):
            return False
        has = self._has_definitions.get(lang.name)
        if has is None:
            has = self._has_definitions[lang.name] = lang.query_source("definitions") is not None
        if not has or is_excluded(str(path), exclude):
            return False
        try:
            st = path.lstat()
            if stat.S_ISLNK(st.st_mode):
                # A link is read through: ``settings.py -> ../secrets.py`` is the secrets file,
                # excluded by its own name (as ``readable_import`` decides for prompts).
                if is_excluded(os.path.realpath(path), exclude):
                    return False
                st = path.stat()
            return stat.S_ISREG(st.st_mode) and st.st_size <= MAX_FILE_BYTES
        except OSError:
            return False

    def add_file(self, path: Path) -> bool:
        """Index ``path``'s names at once (:meth:`index_steps` without the pauses)."""
        return any(self.index_steps(path))

    def index_steps(self, path: Path) -> Iterator[bool]:
        """Index ``path``'s names (again, when it was indexed before: names it no longer
        defines stay, and are checked against the file when used), yielding False after the
        parse and after each range of the query so the caller can let requests run between
        them, and finally whether the file was indexed: tree-sitter holds the GIL while it
        parses and queries (a 150 kB file took 80 ms, its query a third of it)."""
        lang = self.language_of(path)
        query = lang.query("definitions") if lang is not None else None
        if lang is None or query is None:
            yield False
            return
        changed = [False]
        self._reading.setdefault(path, []).append(changed)
        try:
            yield from self._read_names(path, lang, query, changed)
        finally:
            reads = self._reading[path]
            reads.remove(changed)
            if not reads:
                del self._reading[path]

    def _read_names(
        self, path: Path, lang: Language, query: ts.Query, changed: list[bool]
    ) -> Iterator[bool]:
        """:meth:`index_steps` once its read is registered; its names are not kept when
        ``changed`` was set meanwhile (:meth:`remove`)."""
        # Stamped before reading: a file changed in between is stored with its older stamp
        # and parsed again next session, never kept stale.
        stamped = stamp(path)
        try:
            data = path.read_bytes()
        except OSError:
            yield False
            return
        if len(data) > MAX_FILE_BYTES:
            yield False
            return
        data = utf8_source(data)
        if is_binary(data):  # no names
            self._keep(path, lang.name, (), stamped)
            yield True
            return
        # Parsed at once: a parse cut short by its progress callback resumes where it stopped,
        # but py-tree-sitter 0.26 keeps every chunk its read callback returns (0.27 MB a parse
        # of a 200 kB file, never freed); a 100 kB file parses in ~25 ms.
        tree = lang.shared_parser.parse(data)
        yield False
        names: set[str] = set()
        step = QUERY_RANGE_BYTES
        for lo in range(0, len(data), step):
            cursor = ts.QueryCursor(query)
            cursor.set_byte_range(lo, min(len(data), lo + step))
            captures = cursor.captures(tree.root_node)
            for n in captures.get("name", []):
                name = data[n.start_byte : n.end_byte].decode("utf-8", "replace")
                names.update(filter(None, (name, short_name(n, name))))
            for n in captures.get("owner", []):
                names.add(methods_of(data[n.start_byte : n.end_byte].decode("utf-8", "replace")))
            if lo + step < len(data):
                yield False
        if changed[0]:  # what it read is older than what the table has (or the file left)
            yield False
            return
        self._keep(path, lang.name, names, stamped)
        yield True

    def replace_names(self, path: Path, language: str, names: Iterable[str], stamped: tuple[int, int] | None) -> None:
        """``path`` now defines ``names`` (a file saved in the editor, read from its buffer's
        index): the names it no longer defines go, and its record is the one stored next."""
        self.remove(path)
        self._keep(path, language, names, stamped)

    def _keep(self, path: Path, language: str, names: Iterable[str], stamped: tuple[int, int] | None) -> None:
        """Add ``path``'s names, and keep them with its stamp for the store."""
        kept = tuple(sorted(set(names)))
        self.add_names(path, language, kept)
        if stamped is not None:
            self.records[path] = FileNames(*trusted(stamped), language, kept)

    def remove(self, path: Path, *, deleted: bool = False) -> None:
        """Forget the names ``path`` defined (about to be indexed again), and the file itself
        when ``deleted``. A name that was too common is counted down: which files define it is
        looked up when it is next wanted (``_recount``). Kept too common for good, a name that
        a branch switched to for a moment defined in a third file never brought its
        definition again that session."""
        for changed in self._reading.get(path, ()):
            changed[0] = True
        record = self.records.pop(path, None)
        fid = self._ids.pop(str(path), None) if deleted else self._ids.get(str(path))
        if fid is not None and deleted:
            # Given back though its names went already (its record taken by a remove before it
            # was read again): kept, the slot counted against the file limit all session.
            self._free.append(fid)
        if record is None or fid is None:
            return
        fam = self._families[fid]
        table = self._names.get(fam, {})
        common = self._common.get(fam, {})
        for name in record.names:
            if name.endswith(METHODS_OF):
                self._forget_methods(fid, path, name)
            entry = table.get(name)
            if entry == fid:
                del table[name]
            elif isinstance(entry, tuple) and fid in entry:
                rest = tuple(i for i in entry if i != fid)
                table[name] = rest[0] if len(rest) == 1 else rest
            elif entry == _COMMON and name in common:
                common[name] -= 1

    def _recount(self, fam: str, name: str) -> Entry | None:
        """The entry of ``name``, once too common, from the records of the files indexed now
        (a pass over them: only when the count fell to MAX_DEFINING_FILES files)."""
        table = self._names.setdefault(fam, {})
        self._common.get(fam, {}).pop(name, None)
        ids = [
            fid
            for path, record in self.records.items()
            if (fid := self._ids.get(str(path))) is not None and self._families[fid] == fam and name in record.names
        ]
        if not ids:
            table.pop(name, None)
            return None
        if len(ids) > MAX_DEFINING_FILES:
            self._common.setdefault(fam, {})[name] = len(ids)
            return _COMMON
        entry: Entry = ids[0] if len(ids) == 1 else tuple(ids)
        table[name] = entry
        return entry

    def accepts(self, path: Path, roots: Sequence[Path], exclude: Sequence[str], language: str) -> bool:
        """Whether ``plan`` would take ``path`` for ``language``'s family (a file created or
        changed on disk during the session): inside a root, in no folder it skips."""
        root = next((r for r in roots if path.is_relative_to(r)), None)
        if root is None:
            return False
        folder = root
        for part in path.relative_to(root).parts[:-1]:
            if skipped_dir(str(folder), part):
                return False
            folder = folder / part
        return self._wanted(path, exclude, family(language))

    def add_stored(self, path: Path, record: FileNames) -> None:
        """Take ``path``'s names from a store (its stamp is unchanged since they were stored)."""
        self.add_names(path, record.language, record.names)
        self.records[path] = record
        self.loaded += 1

    def add_names(self, path: Path, language: str, names: Iterable[str]) -> None:
        """Record that ``path`` (in ``language``) defines ``names``."""
        key = str(path)
        fid = self._ids.get(key)
        if fid is None:
            if self._free:
                fid = self._ids[key] = self._free.pop()
                self._paths[fid], self._families[fid] = key, family(language)
            else:
                fid = self._ids[key] = len(self._paths)
                self._paths.append(key)
                self._families.append(family(language))
        fam = self._families[fid]
        table = self._names.setdefault(fam, {})
        common = self._common.setdefault(fam, {})
        # The names of the file counted already (added again without a ``remove``).
        known = self.records.get(path)
        for name in names:
            if name.endswith(METHODS_OF):
                declaring = self._methods.setdefault((str(path.parent), name[: -len(METHODS_OF)]), [])
                declaring += [] if fid in declaring else [fid]
            entry = table.get(name)
            if entry is None:
                table[name] = fid
                if not name.endswith(METHODS_OF):
                    self._note_new(fam, name)
            elif entry == _COMMON:
                if name in common and (known is None or name not in known.names):
                    common[name] += 1
            else:
                ids = (entry,) if isinstance(entry, int) else entry
                if fid not in ids:
                    if len(ids) < MAX_DEFINING_FILES:
                        table[name] = (*ids, fid)
                    else:
                        table[name] = _COMMON
                        common[name] = len(ids) + 1

    def _note_new(self, fam: str, name: str) -> None:
        ordered = self._sorted.setdefault(fam, [])
        at = bisect_left(ordered, name)
        if at == len(ordered) or ordered[at] != name:
            self._unsorted.setdefault(fam, set()).add(name)

    def names_with_prefix(self, prefix: str, language: str, limit: int) -> list[str]:
        """Names of ``language``'s family that start with ``prefix`` (and are longer) and that
        one or two files define, ``limit`` at most, in order: a bisection in the family's sorted
        names, and a look through the few added since they were sorted."""
        fam = family(language)
        table = self._names.get(fam, {})
        ordered = self._sorted.setdefault(fam, [])
        fresh = self._unsorted.get(fam, set())
        if len(ordered) > 2 * len(table) + _MERGE_AFTER:  # mostly names gone: rebuilt
            self._sort_anew(fam)
        elif len(fresh) > _MERGE_AFTER:
            ordered += sorted(fresh)
            ordered.sort()  # (two sorted runs: merged in one pass)
            fresh.clear()

        def wanted(name: str) -> bool:
            entry = table.get(name)
            return name != prefix and entry is not None and entry != _COMMON

        found, gone = self._sorted_with_prefix(ordered, table, prefix, limit, wanted)
        # Deleted files' names under the prefix (a generator's output created and deleted over
        # and over) were looked through at each key until the list was twice the table.
        if gone > _MERGE_AFTER:
            self._sort_anew(fam)
            found, _ = self._sorted_with_prefix(ordered, table, prefix, limit, wanted)
        found += (n for n in fresh if n.startswith(prefix) and wanted(n))
        return sorted(found)[:limit]

    def _sort_anew(self, fam: str) -> None:
        """The family's sorted names made of its table's, none added since."""
        table = self._names.get(fam, {})
        self._sorted.setdefault(fam, [])[:] = sorted(n for n in table if not n.endswith(METHODS_OF))
        self._unsorted.get(fam, set()).clear()

    @staticmethod
    def _sorted_with_prefix(
        ordered: list[str],
        table: dict[str, Entry],
        prefix: str,
        limit: int,
        wanted: Callable[[str], bool],
    ) -> tuple[list[str], int]:
        """The ``wanted`` names of ``ordered`` that start with ``prefix``, ``limit`` at most, and
        how many looked through the table holds no more."""
        found: list[str] = []
        gone = 0
        at = bisect_left(ordered, prefix)
        while at < len(ordered) and len(found) < limit and ordered[at].startswith(prefix):
            name = ordered[at]
            if wanted(name):
                found.append(name)
            gone += name not in table
            at += 1
        return found, gone

    def _forget_methods(self, fid: int, path: Path, name: str) -> None:
        key = (str(path.parent), name[: -len(METHODS_OF)])
        declaring = self._methods.get(key, [])
        if fid in declaring:
            declaring.remove(fid)
        if not declaring:
            self._methods.pop(key, None)

    def stats(self) -> dict[str, int]:
        names = sum(len(table) for table in self._names.values())
        # Slots: the ids handed out, which files deleted give back (see _free).
        slots = len(self._paths) - len(self._free)
        return {"files": self.indexed, "names": names, "fromStore": self.loaded, "slots": slots}


def disk_changes(
    known: Mapping[Path, tuple[int, int]], folders: Mapping[Path, int], wanted: Callable[[Path], bool]
) -> tuple[list[tuple[Path, bool]], dict[Path, int]]:
    """What changed on disk since ``known`` (indexed files and their stamps) and ``folders``
    (walked folders and their modification times) were taken: files changed or created (True)
    or deleted (False), and the folders' times now. A file created shows as its folder's newer
    time, so only such folders are listed again (a new subfolder is walked whole); ``wanted``
    says which new files count. Blocking: run it off the event loop."""
    changes = [(path, now is not None) for path, was in known.items() if (now := stamp(path)) != was]
    times: dict[Path, int] = {}
    listed: list[Path] = []
    for folder, was in folders.items():
        mtime = _mtime(folder)
        if mtime is not None:  # a folder gone took its files, found deleted above
            times[folder] = settled_time(mtime)
            if mtime != was:
                listed.append(folder)
    # As plan(): a tree appearing in the workspace (a clone, an archive unpacked) is not walked
    # past MAX_LISTED entries a check; changed folders not listed then are listed next time.
    budget = MAX_LISTED
    for folder in listed:
        if budget <= 0:
            times[folder] = folders[folder]
            continue
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        budget -= len(entries)
        for entry in entries:
            path = Path(entry.path)
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if not is_dir:
                if path not in known and wanted(path):
                    changes.append((path, True))
            elif path not in times and budget > 0 and not skipped_dir(str(folder), entry.name):
                found, budget = files_under(path, wanted, budget, times)
                changes += ((p, True) for p in found)
    return changes, times


def files_under(
    top: Path, wanted: Callable[[Path], bool], budget: int = MAX_LISTED, times: dict[Path, int] | None = None
) -> tuple[list[Path], int]:
    """The ``wanted`` files under ``top`` (a folder new to the table), folders never indexed
    skipped, ``budget`` entries looked at at most; and the budget left. ``times``, given, gets
    each folder's modification time as :func:`disk_changes` keeps them. Blocking."""
    found: list[Path] = []
    for sub, dirs, files in os.walk(top):
        budget -= len(dirs) + len(files)
        dirs[:] = [d for d in dirs if not skipped_dir(sub, d)]
        if times is not None and (mtime := _mtime(sub)) is not None:
            times[Path(sub)] = settled_time(mtime)
        found += (p for name in files if wanted(p := Path(sub, name)))
        if budget <= 0:
            break
    return found, budget


def _walk_near_first(root: Path, near: Sequence[Path]) -> Iterator[tuple[str, list[str], list[str]]]:
    """``os.walk(root)``, the folders of ``near`` with their subfolders first, then the folders
    a step up with the rest of theirs, and so on up to ``root``: a walk cut short after
    MAX_LISTED entries (a home folder opened as the workspace) keeps the nearest folders. In
    the disk's order it spent them elsewhere (``~/src/linux``) and missed the edited file's."""
    levels: list[list[Path]] = []
    for path in near:
        if not path.parent.is_relative_to(root):
            continue
        chain = [root]
        for part in path.parent.relative_to(root).parts:
            # Not into a folder the walk skips, nor through a link (os.walk does not follow them).
            if skipped_dir(str(chain[-1]), part) or os.path.islink(chain[-1] / part):
                break
            chain.append(chain[-1] / part)
        for level, folder in enumerate(reversed(chain)):
            if level == len(levels):
                levels.append([])
            levels[level].append(folder)
    walked: set[str] = set()
    for start in dict.fromkeys([*(f for level in levels for f in level), root]):
        top = str(start)
        if any(start.is_relative_to(w) for w in walked):
            continue  # inside a folder walked already
        for folder, dirs, files in os.walk(top):
            dirs[:] = [d for d in dirs if os.path.join(folder, d) not in walked]
            yield folder, dirs, files
        walked.add(top)


def _mtime(folder: str | Path) -> int | None:
    try:
        return os.stat(folder).st_mtime_ns
    except OSError:
        return None


def skipped_dir(folder: str, name: str) -> bool:
    """Whether the folder ``name`` in ``folder`` is never indexed: hidden, dependencies, build
    output, a virtual or conda environment, a mix project's dependencies."""
    return (
        name.startswith(".")
        or name in SKIPPED_DIRS
        # CLion's build folders (cmake-build-debug...): CMake's probes, FetchContent's sources.
        or name.startswith("cmake-build-")
        or _is_venv(folder, name)
        or _is_mix_deps(folder, name)
    )


def _is_mix_deps(folder: str, name: str) -> bool:
    """An Elixir project's dependencies (``mix deps.get`` puts their sources in ``deps/`` beside
    ``mix.exs``: Phoenix's, Ecto's... made the project's own names too common). Another
    project's ``deps`` folder may be its own code."""
    return name == "deps" and os.path.exists(os.path.join(folder, "mix.exs"))


def _is_venv(folder: str, name: str) -> bool:
    """A virtual environment under any name (``.venv`` is hidden anyway; ``py311``...), or a
    conda environment (no ``pyvenv.cfg``: its ``conda-meta``; its standard library was crawled)."""
    path = os.path.join(folder, name)
    return os.path.exists(os.path.join(path, "pyvenv.cfg")) or os.path.isdir(os.path.join(path, "conda-meta"))


def _distance(parts: tuple[str, ...], anchor: tuple[str, ...]) -> int:
    """Folder steps from ``anchor`` to ``parts``: 0 for the same folder; a step down (a
    subfolder) counts one, a step up two."""
    common = 0
    for a, b in zip(parts, anchor, strict=False):
        if a != b:
            break
        common += 1
    return (len(anchor) - common) * 2 + (len(parts) - common)
