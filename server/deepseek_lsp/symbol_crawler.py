"""Filling the workspace symbol table and keeping it true: when, in which order, and from where.

A crawl per workspace folders and language family, started by the first document of that family
opened: planned off the event loop (nearest folders first), the last session's names taken from
the store at once, the other files parsed a step at a time while the user pauses. Afterwards the
table follows the files: a file saved in the editor gives its names from the buffer's index
(already parsed); files created, changed or deleted on disk (a branch switched, a ``git pull``,
code generated) arrive as ``workspace/didChangeWatchedFiles`` when the editor watches them for
us (VS Code does), and are found by looking at the disk now and then (all of them where it does
not, Neovim on Linux; where it does, the files of a folder moved or deleted, which VS Code tells
of as one event for the folder), and are indexed again, added or dropped while the user pauses. Whatever changed is saved to the store within seconds.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Sequence
from itertools import islice
from pathlib import Path
from typing import Any

from .context import env_workspace_roots
from .features import Services
from .gitignore import drop_ignored
from .languages import Language, LanguageRegistry
from .line_tokens import until_idle
from .model.ledger import state_dir
from .privacy import file_path, is_excluded
from .symbol_store import FOLDER, FileNames, SymbolStore, stamp
from .workspace_symbols import WorkspaceSymbols, disk_changes, family, files_under, skipped_dir

log = logging.getLogger(__name__)

#: Workspace files parsed between saves of the table during a crawl (~1.5 s of CPU).
SAVE_EVERY = 200
#: A change (a save, files changed on disk) reaches the store this long after the last one.
SAVE_DELAY_S = 5.0
#: With the disk checks turned off, how often the setting is read again.
DISK_CHECK_OFF_S = 60.0
#: The disk checks' shortest interval, whatever the setting says (each lists changed folders).
MIN_DISK_CHECK_S = 1.0

#: The files nearest a document opened (its folder's, then its subfolders') indexed at the open,
#: not once the user pauses: a C# class in another file (named by no import) had no outline at
#: ``c.|`` typed right after the open, the crawl waiting for a pause in the typing. Small ones
#: only, a few: a file's parse holds the event loop (a 150 kB file's took 80 ms).
NEAR_FILES = 16
NEAR_MAX_BYTES = 32_000
#: Entries of the folder and its subfolders listed for them at most.
NEAR_LISTED = 500
#: Folders whose near files were indexed, kept so that a folder the user works in is listed
#: once, while a file of it is open (see _forget_left_folders), and at most this many (kept all
#: session, each short-lived folder a file was opened in stayed). One of them opened in again is
#: listed again, its files already indexed skipped.
NEAR_FOLDERS_KEPT = 256

Key = tuple[tuple[Path, ...], str]  # workspace folders, language family
GITIGNORE = ".gitignore"


def stored_table(
    roots: Sequence[Path], languages: Iterable[str], exclude: Sequence[str], limit: int, state: Path | None = None
) -> WorkspaceSymbols | None:
    """The symbol table an editor session left in the store for ``roots`` and the families of
    ``languages``, its files unchanged since (for the terminal's reviews, which do not crawl: a
    table parsed from nothing costs seconds); None when there is none. Blocking."""
    if limit <= 0:
        return None
    store = SymbolStore((state or state_dir()) / FOLDER)
    symbols = WorkspaceSymbols(LanguageRegistry.load(), limit)
    for language in dict.fromkeys(family(lang) for lang in languages):
        if not store.path_for(roots, language).is_file():
            continue  # no walk of the workspace for nothing
        planned = symbols.plan(roots, exclude, [roots[0] / "_"] if roots else [], language)
        stored, _stale = store.load(roots, language, planned, symbols.digests())
        for path, record in stored.items():
            if symbols.indexed < limit:
                symbols.add_stored(path, record)
    return symbols if symbols.indexed else None


class SymbolCrawler:
    def __init__(self, services: Services, symbols: WorkspaceSymbols, busy_until: Callable[[], float]) -> None:
        self.services = services
        self.symbols = symbols
        self.busy_until = busy_until
        #: Where the table is kept between sessions (made at the first crawl: tests set their own).
        self.store: SymbolStore | None = None
        #: Crawls asked for, with the file that asked (its folder is indexed first).
        self._asked: dict[Key, Path] = {}
        #: The files of each crawl begun: what its store holds.
        self._files: dict[Key, dict[Path, None]] = {}
        self._dirty: set[Key] = set()
        #: Files changed on disk, to index again (True) or forget (False).
        self._changed: dict[Path, bool] = {}
        #: Created paths not yet asked of git (.gitignore): found by looking through all those
        #: pending at each step, 12,000 events took 7 s of the event loop's CPU.
        self._unasked: dict[Path, None] = {}
        #: Folders whose .gitignore was created, changed or deleted: their files to ask again.
        self._rules_changed: dict[Path, None] = {}
        #: The stamp of each walked folder's .gitignore (None: it has none), as last looked at.
        self._rules: dict[Key, dict[Path, tuple[int, int] | None]] = {}
        #: The folders each finished crawl walked, with their modification times then.
        self._folders: dict[Key, dict[Path, int]] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._saving = asyncio.Lock()
        #: The opened documents whose nearest files are to be indexed at once, and the folders
        #: done so, most recently opened in last (NEAR_FOLDERS_KEPT).
        self._near: deque[tuple[Path, Key]] = deque()
        self._near_folders: OrderedDict[tuple[Path, str], None] = OrderedDict()
        #: The folder whose near files are being indexed, and an event set as each is done
        #: (then replaced): what a request in such a folder waits for (see near_indexed).
        self._near_now: Path | None = None
        self._near_step = asyncio.Event()
        #: The open documents' paths, by URI (see _forget_left_folders).
        self._open_paths: dict[str, tuple[Path, Path]] = {}

    @property
    def limit(self) -> int:
        return self.services.settings.completion.workspace_index_files

    def _key(self, path: Path, language: str) -> Key:
        roots = tuple(env_workspace_roots(self.services.workspace_folders) or [path.parent])
        return roots, family(language)

    def _spawn(self, name: str, work: Callable[[], Any]) -> None:
        task = self._tasks.get(name)
        if task is None or task.done():
            self._tasks[name] = asyncio.ensure_future(work())

    def halt(self) -> None:
        self.symbols.stopping.set()
        for task in self._tasks.values():
            task.cancel()

    async def stop(self) -> None:
        self.halt()
        await asyncio.gather(*self._tasks.values(), return_exceptions=True)

    # -- the crawl -------------------------------------------------------------------------------

    def request(self, path: Path, language: str) -> None:
        """Index the names the workspace's files of ``language``'s family define, the folders
        nearest ``path`` first; once per workspace folders and family (the file's own folder
        when there is none)."""
        if self.limit <= 0:
            return
        key = self._key(path, language)
        if key not in self._asked:
            self._drop_gone()
            self._asked[key] = path
            self._spawn("crawl", self._crawl)
        folder = (path.parent, key[1])
        self._forget_left_folders(path)
        if folder in self._near_folders:
            self._near_folders.move_to_end(folder)
            return
        if any((p.parent, k[1]) == folder for p, k in self._near):
            return  # (kept as done once its files are in)
        self._near.append((path, key))
        self._spawn("near", self._index_near)

    def _forget_left_folders(self, opened: Path) -> None:
        """Forget the folders no document but ``opened`` is open in any more: the user left them,
        and files made there since (a generator's, a checkout's) are listed at the next open
        (they waited for the crawl, after a pause; the folder was forgotten only past
        NEAR_FOLDERS_KEPT others)."""
        if not self._near_folders:
            return
        # Each document's path worked out once (11 us a URI: a thousand files a session
        # restores, each open looking at all those before it, took seconds).
        known, self._open_paths = self._open_paths, {}
        for doc in self.services.documents:
            uri = doc.uri
            if uri in known:
                self._open_paths[uri] = known[uri]
            elif (path := file_path(uri)) is not None:
                self._open_paths[uri] = (path, path.parent)
        still = {folder for path, folder in self._open_paths.values() if path != opened}
        for left in [f for f in self._near_folders if f[0] not in still]:
            del self._near_folders[left]

    def _near_pending(self, folder: Path) -> bool:
        return self._near_now == folder or any(p.parent == folder for p, _ in self._near)

    async def near_indexed(self, path: Path, deadline: float) -> None:
        """Wait, until ``deadline`` (a monotonic time) at most, for the files near ``path``'s
        folder to be indexed when they are being (its file just opened): typed at once after
        the open, ``c.`` had no class of the file beside it, the keys all in before that
        indexing ended (at load); the crawl waits for a pause. Documents of other folders
        queued meanwhile (a session restored) are not waited for."""
        while self._near_pending(path.parent):
            left = deadline - time.monotonic()
            task = self._tasks.get("near")
            if left <= 0 or task is None or task.done():
                return
            step = asyncio.ensure_future(self._near_step.wait())
            try:
                await asyncio.wait([step, task], timeout=left, return_when=asyncio.FIRST_COMPLETED)
            finally:
                step.cancel()

    def _near_done(self, path: Path, language: str) -> None:
        """Keep ``path``'s folder as one whose near files are in, not to be listed again."""
        self._near_folders[(path.parent, language)] = None
        self._near_folders.move_to_end((path.parent, language))
        if len(self._near_folders) > NEAR_FOLDERS_KEPT:
            self._near_folders.popitem(last=False)

    async def _index_near(self) -> None:
        """Index the files nearest each document opened (``NEAR_FILES``), yielding to requests
        between steps but not waiting for a pause: the crawl skips them after. Those the store
        holds unchanged are taken from it, as the crawl takes them."""
        await self.services.configured.wait()  # the editor's exclusions first
        while self._near:
            path, key = self._near.popleft()
            self._near_now = path.parent
            try:
                if not await self._index_near_one(path, key):
                    return
            finally:
                # The requests waiting in its folder go on (done, failed or cancelled).
                self._near_now = None
                self._near_step.set()
                self._near_step = asyncio.Event()

    async def _index_near_one(self, path: Path, key: Key) -> bool:
        """Index the files nearest ``path``; False where the rest are not to be (the table
        full, the server stopping)."""
        roots, language = key
        if self.store is None:
            self.store = SymbolStore(state_dir() / FOLDER)
        try:
            near = await asyncio.to_thread(self._near_files, path, roots, language)
            stored = await asyncio.to_thread(self._near_stored, self.store, roots, language, near)
        except (OSError, sqlite3.Error) as exc:
            # Not kept as done: the next open there reads them again (the folder was kept,
            # and its files waited for the crawl, after the user's pause, all session), and
            # the folders opened in after it are read now (the task ended there).
            log.info("workspace symbols (%s): the files near %s not read: %s", language, path, exc)
            return True
        self.symbols.claim_extensions([path, *near])  # a C++ file's headers are C++
        stored = self._in_their_language(stored)
        own = self.symbols.language_of(path)
        took = 0
        for file in near:
            if self.symbols.indexed >= self.limit or self.symbols.stopping.is_set():
                return False
            if (roots, language) not in self._asked:
                break  # the workspace folders changed since (a folder removed)
            if self.symbols.is_indexed(file) or self._excluded(file):
                continue  # (excluded since listed: exclude_changed meanwhile)
            if file in stored:
                self.symbols.add_stored(file, stored[file])
                took += 1
            elif not self._compiles_another(file, own):
                took += await self._index(file, wait_idle=False)
        if (roots, language) not in self._asked:
            self._forget_outside()  # what was read as they changed, maybe outside them
            return True
        self._near_done(path, language)
        if took:  # the snippets chosen without them are chosen anew
            self.symbols.crawled[language] += 1
            log.debug("workspace symbols (%s): %d files near %s indexed at its open", language, took, path)
        return True

    def _compiles_another(self, file: Path, own: Language | None) -> bool:
        """Whether indexing ``file`` now compiles another language's definitions query than
        the opened document's: the first request, waiting for these files, waited for that too
        (a ``.js`` file beside a ``.ts`` one: JavaScript's, 28 ms of CPU at idle, holding the
        GIL; a ``.tsx`` one's, 90 ms). The crawl reads the file once the user pauses."""
        lang = self.symbols.language_of(file)
        return lang is not None and lang is not own and not lang.queries_compiled(("definitions",))

    def _near_stored(
        self, store: SymbolStore, roots: tuple[Path, ...], language: str, near: list[Path]
    ) -> dict[Path, FileNames]:
        """What the store holds of ``near`` unchanged (blocking: off the event loop, the
        digests too: they ask every grammar package's version, some hundred ``stat`` calls)."""
        if not near or not store.path_for(roots, language).exists():
            return {}
        return store.load(roots, language, near, self.symbols.digests())[0]

    def _near_files(self, path: Path, roots: tuple[Path, ...], language: str) -> list[Path]:
        """The small files the crawl takes in ``path``'s folder, then in its subfolders, but
        ``path`` (blocking: off the event loop). Raises OSError when its folder cannot be
        listed."""
        if _through_link(path.parent, roots):
            return []  # the crawl never follows a link: nor does this
        exclude = self.services.settings.exclude
        found: list[Path] = []
        folders, listed = [path.parent], 0
        for depth in range(2):
            subfolders: list[Path] = []
            for folder in folders:
                # NEAR_LISTED entries at most, a folder's own too: all of a folder of 50,000
                # files were looked at (6-10 s of a core at a file's open in it or above it).
                try:
                    with os.scandir(folder) as listing:
                        entries = list(islice(listing, NEAR_LISTED - listed))
                except OSError:
                    if depth == 0:
                        raise  # the file's own folder: its listing failed, not found empty
                    continue
                entries.sort(key=lambda e: e.name)
                listed += len(entries)
                for entry in entries:
                    file = Path(entry.path)
                    if entry.is_dir(follow_symlinks=False):
                        if depth == 0 and not skipped_dir(str(folder), entry.name):
                            subfolders.append(file)
                    elif file != path and self.symbols.accepts(file, roots, exclude, language):
                        found += [file] if _small(file) else []
                if listed >= NEAR_LISTED or len(found) >= NEAR_FILES:
                    break
            if listed >= NEAR_LISTED or len(found) >= NEAR_FILES:
                break  # nor a subfolder listed for nothing
            folders = subfolders
        return drop_ignored(found, set(), roots)[:NEAR_FILES]

    async def _crawl(self) -> None:
        await self.services.configured.wait()  # the editor's may turn it off, or exclude more
        while todo := [k for k in self._asked if k not in self._files]:
            try:
                await self._crawl_one(todo[0])
            except Exception:  # one workspace's trouble does not stop the others' crawls
                log.exception("workspace symbols: crawling %s failed", todo[0][0])

    async def _crawl_one(self, key: Key) -> None:
        (roots, language), near = key, self._asked[key]
        self._files[key] = {}
        await until_idle(self.busy_until)
        self.symbols.max_files = self.limit
        folders: dict[Path, int] = {}
        planned = await asyncio.to_thread(
            self.symbols.plan, roots, self.services.settings.exclude, [near], language, folders
        )
        if self._dropped(key):
            return
        self._files[key] = dict.fromkeys(planned)
        if self.store is None:
            self.store = SymbolStore(state_dir() / FOLDER)
        self.symbols.claim_extensions(planned)
        stored, stale = await asyncio.to_thread(self.store.load, roots, language, planned, self.symbols.digests())
        kept = self._in_their_language(stored)
        stale, stored = stale or len(kept) != len(stored), kept
        started, indexed, loaded = time.monotonic(), 0, 0
        # What the last session stored first, all of it (~10 µs a file): the table is whole at
        # once but for the files changed since, which are parsed while the user pauses.
        for path, record in stored.items():
            if self.symbols.indexed >= self.limit or self._dropped(key):
                break
            if not self.symbols.is_indexed(path):
                self.symbols.add_stored(path, record)
                loaded += 1
                if loaded % 256 == 0:
                    await asyncio.sleep(0)
        unsaved = 0
        for path in planned:
            await until_idle(self.busy_until)
            if self.symbols.indexed >= self.limit or self._dropped(key):
                break
            if self.symbols.is_indexed(path) or self._excluded(path):
                continue  # (excluded since it was planned: exclude_changed meanwhile)
            finished = await self._index(path)
            indexed += finished
            unsaved += finished
            if unsaved >= SAVE_EVERY:  # an editor closed mid-way keeps what was done
                unsaved = 0
                await self._save(key)
        if self._dropped(key):
            # Its folders changed while it ran (one removed): what it took in goes, and its
            # folders are not looked at on disk.
            self._forget_outside()
            return
        if indexed or stale or len(stored) != len(planned):
            await self._save(key)
        self._folders[key] = folders
        if loaded or indexed:  # a crawl that took nothing in leaves the prompts as they are
            self.symbols.crawled[language] += 1
        self._rules[key] = await asyncio.to_thread(_rule_stamps, folders)
        log.info(
            "workspace symbols (%s): %d files from the store, %d indexed in %.1f s, %d names in all",
            language,
            loaded,
            indexed,
            time.monotonic() - started,
            self.symbols.stats()["names"],
        )

    def _in_their_language(self, stored: dict[Path, FileNames]) -> dict[Path, FileNames]:
        """The records of ``stored`` read in the language their file is read in now: a header
        stored as C before the project was seen to be C++ is parsed again."""
        return {p: r for p, r in stored.items() if (lang := self.symbols.language_of(p)) and r.language == lang.name}

    def _dropped(self, key: Key) -> bool:
        """Whether the crawl ``key`` was given up (the workspace folders changed since)."""
        if key in self._asked:
            return False
        self._files.pop(key, None)
        return True

    def folders_changed(self) -> None:
        """The workspace folders changed: each family crawled is crawled again over the folders
        there are now (the files in the table already are not parsed again), the crawls over
        the folders there were are given up (the disk checks no longer list their folders),
        and the files under no folder now leave the table. A folder added was crawled only once
        a file was opened after it; a removed one's files stayed, counted against the file
        limit (the new folder's were left out), and were looked at on disk all session."""
        for key, near in list(self._asked.items()):
            now = self._key(near, key[1])
            if now == key:
                continue
            self._give_up(key)
            self._asked.setdefault(now, near)
        self._forget_outside()
        if any(k not in self._files for k in self._asked):
            self._spawn("crawl", self._crawl)

    def _drop_gone(self) -> None:
        """Give up the crawls over folders deleted since, and forget their files. Without
        workspace folders each file's own folder is crawled: every short-lived folder a file
        was opened in (a diff's checkout of the other side, a build's output) kept its crawl,
        its files in the table and its folders looked at on disk all session (a soak: a crawl
        more for each). A stat per crawl, at a new one only."""
        gone = [key for key in self._asked if not any(os.path.isdir(root) for root in key[0])]
        for key in gone:
            self._give_up(key)
        if gone:
            self._forget_outside()

    def _give_up(self, key: Key) -> None:
        del self._asked[key]
        self._files.pop(key, None)
        self._folders.pop(key, None)
        self._rules.pop(key, None)
        self._dirty.discard(key)

    def _forget_outside(self) -> None:
        """Forget the files of the table under none of the crawls' folders (not stored: the
        store of the folders they were crawled with keeps them, for a session with those)."""
        roots = {root for key in self._asked for root in key[0]}
        for path in self.symbols.paths():
            if not any(path.is_relative_to(root) for root in roots):
                self.symbols.remove(path, deleted=True)

    async def _index(self, path: Path, *, wait_idle: bool = True) -> bool:
        """Index ``path`` a step at a time, yielding to requests between steps (and waiting
        for the user to pause, ``wait_idle``)."""
        done = False
        for done in self.symbols.index_steps(path):  # noqa: B007 - the last step says
            await asyncio.sleep(0)
            if wait_idle:
                await until_idle(self.busy_until)
        return done

    async def _save(self, key: Key) -> None:
        # One write at a time: two threads writing one store, the older snapshot could win.
        async with self._saving:
            self._dirty.discard(key)
            if self.store is None or key not in self._files:
                return  # given up (the workspace folders changed): its store keeps what it had
            records, exclude = self.symbols.records, self.services.settings.exclude
            kept = {
                path: records[path]
                for path in self._files.get(key, ())
                if path in records and not is_excluded(str(path), exclude)
            }
            await asyncio.to_thread(self.store.save, key[0], key[1], kept, self.symbols.digests())

    def _save_soon(self, keys: Iterable[Key]) -> None:
        self._dirty.update(keys)

        async def run() -> None:
            while self._dirty:
                await asyncio.sleep(SAVE_DELAY_S)
                await until_idle(self.busy_until)
                for key in list(self._dirty):
                    try:
                        await self._save(key)
                    except Exception:
                        log.exception("workspace symbols: saving failed")

        self._spawn("save", run)

    # -- keeping it true -------------------------------------------------------------------------

    def _keys_of(self, path: Path, language: str) -> list[Key]:
        """The crawls begun that ``path`` (in ``language``) belongs to."""
        want = family(language)
        return [k for k in self._files if k[1] == want and any(path.is_relative_to(r) for r in k[0])]

    def covers(self, path: Path, language: str) -> bool:
        """Whether a crawl begun takes in ``path`` (in ``language``)."""
        return bool(self._keys_of(path, language))

    def saved(self, path: Path, language: str, names: Iterable[str]) -> None:
        """A file of the workspace saved in the editor, defining ``names`` (its buffer's); a
        new one (created in the editor) joins the table as the crawl would have taken it."""
        keys = self._keys_of(path, language)
        if not keys:
            return
        if not self.symbols.is_indexed(path):
            if self.symbols.indexed >= self.limit or not self._accepted(path, keys):
                return
            for key in keys:
                self._files[key][path] = None
        self.symbols.replace_names(path, language, names, stamp(path))
        self._save_soon(keys)

    def files_changed(self, changes: Iterable[tuple[Path, bool]]) -> None:
        """Files created or changed (True) or deleted (False) on disk, as the editor saw them."""
        for path, exists in changes:
            if path.name == GITIGNORE:
                self._rules_changed[path.parent] = None
                continue
            self._changed[path] = exists
            if exists:
                self._unasked[path] = None
        if self._changed or self._rules_changed:
            self._spawn("refresh", self._refresh)

    def check_disk_now_and_then(self) -> None:
        """Look at the disk ourselves, every ``completion.workspaceCheckS`` seconds while the
        user pauses, so that files a branch switch or a ``git pull`` changed do not keep their
        old names all session: the editor does not watch files for us (Neovim on Linux), or
        tells of a folder moved or deleted as one event its glob does not match (VS Code)."""
        self._spawn("disk", self._check_disk_loop)

    async def _check_disk_loop(self) -> None:
        while True:
            every = self.services.settings.completion.workspace_check_s
            await asyncio.sleep(max(MIN_DISK_CHECK_S, every) if every else DISK_CHECK_OFF_S)
            crawl = self._tasks.get("crawl")
            if not self.services.settings.completion.workspace_check_s or (crawl and not crawl.done()):
                continue  # off (the setting may change), or the crawl reads the disk itself
            await until_idle(self.busy_until)
            try:
                await self.check_disk()
            except Exception:
                log.exception("workspace symbols: checking the disk failed")

    async def check_disk(self) -> int:
        """Take in, as a file watcher's events, the files of the finished crawls changed,
        deleted or created on disk since they were last looked at; how many there were."""
        changes: list[tuple[Path, bool]] = []
        records = self.symbols.records
        for key, folders in list(self._folders.items()):
            if key not in self._folders:
                continue  # given up meanwhile (the workspace folders changed)
            known = {p: (r.mtime_ns, r.size) for p in self._files[key] if (r := records.get(p)) is not None}
            found, times = await asyncio.to_thread(
                disk_changes, known, folders, lambda path, key=key: self._accepted(path, [key])
            )
            if key in self._folders:
                self._folders[key] = times
                changes += found
                if any(not exists or path not in known for path, exists in found):
                    self.symbols.files_came_or_went += 1
                # Without a watcher for them (Neovim), a .gitignore edited is found here.
                rules = await asyncio.to_thread(_rule_stamps, times)
                was = self._rules.get(key, {})
                changes += ((f / GITIGNORE, s is not None) for f, s in rules.items() if f in was and was[f] != s)
                self._rules[key] = rules
        self.files_changed(changes)
        return len(changes)

    async def _refresh(self) -> None:
        while self._changed or self._rules_changed:
            # A turn of the loop each: thousands of events with nothing to do (the table
            # full) held it for their whole run, a keystroke arriving meanwhile with them.
            await asyncio.sleep(0)
            await until_idle(self.busy_until)
            await self._ask_again()
            await self._drop_ignored()
            if not self._changed:
                continue
            path, exists = next(iter(self._changed.items()))
            del self._changed[path]
            try:
                await self._refresh_one(path, exists)
            except Exception:
                log.exception("workspace symbols: updating %s failed", path)

    async def _drop_ignored(self) -> None:
        """Files and folders created that .gitignore leaves out are taken as gone (one that
        was indexed leaves the table), as the crawl leaves them out: a code generator writing
        into an ignored folder brought its stubs in. One ``git`` call for all those pending."""
        created = [p for p in self._unasked if self._changed.get(p)]
        self._unasked.clear()
        if not created:
            return
        roots = list(dict.fromkeys(r for key in self._files for r in key[0]))
        kept = set(await asyncio.to_thread(drop_ignored, created, set(), roots))
        for path in created:
            if path not in kept and self._changed.get(path):
                self._changed[path] = False

    async def _ask_again(self) -> None:
        """A .gitignore created, changed or deleted: the files under its folder are asked of
        git again. Those it now ignores leave the table (they stayed, sent as context all
        session), those it no longer ignores join it. One ``git`` call for them all."""
        folders = list(self._rules_changed)
        self._rules_changed.clear()
        if not folders:
            return
        roots = list(dict.fromkeys(r for key in self._files for r in key[0]))
        # A .gitignore above a workspace folder (the repository's root) rules all of it.
        tops = list(dict.fromkeys(t for f in folders for r in roots if (t := _narrower(f, r)) is not None))
        if not tops:
            return
        indexed = [p for p in self.symbols.paths() if any(p.is_relative_to(t) for t in tops)]
        found = [p for top in tops for p in await asyncio.to_thread(self._files_in, top)]
        asked = list(dict.fromkeys([*indexed, *found]))
        kept = set(await asyncio.to_thread(drop_ignored, asked, set(), roots))
        for path in indexed:
            if path not in kept:
                self._changed[path] = False
        for path in found:
            if path in kept and not self.symbols.is_indexed(path):
                self._changed.setdefault(path, True)

    async def _refresh_one(self, path: Path, exists: bool) -> None:
        if self.symbols.registry.for_filename(path.name) is None:
            if not exists:  # a folder deleted (or moved away): the files it held
                held = [*self.symbols.records, *self.symbols.being_read()]
                gone = [p for p in held if p.is_relative_to(path)]
                for inner in gone:
                    self._changed[inner] = False
            elif await asyncio.to_thread(_real_folder, path):
                # A folder moved or copied in, told as one event: the files it holds.
                for inner in await asyncio.to_thread(self._files_in, path):
                    if self._changed.setdefault(inner, True):
                        self._unasked[inner] = None
            return
        keys = self._keys_for(path)
        if keys:
            await self._update(path, exists, keys)

    def _files_in(self, folder: Path) -> list[Path]:
        """The files under ``folder`` some crawl would take (blocking: off the event loop)."""
        keys = [k for k in self._files if any(folder.is_relative_to(r) for r in k[0])]
        return files_under(folder, lambda path: self._accepted(path, keys))[0] if keys else []

    def _keys_for(self, path: Path) -> list[Key]:
        """The crawls begun that ``path`` belongs to, by its file name's language."""
        lang = self.symbols.registry.for_filename(path.name)
        return self._keys_of(path, lang.name) if lang is not None else []

    def _accepted(self, path: Path, keys: list[Key]) -> bool:
        """Whether one of the crawls ``keys`` would take ``path`` (not excluded, skipped...)."""
        exclude = self.services.settings.exclude
        return any(self.symbols.accepts(path, k[0], exclude, k[1]) for k in keys)

    async def _update(self, path: Path, exists: bool, keys: list[Key]) -> None:
        if not self.symbols.is_indexed(path) and (not exists or self.symbols.indexed >= self.limit):
            if not exists:
                # Gone during its first read (renamed, its branch switched away): the read's
                # names would put the path back in, a slot and one of a name's two files.
                self.symbols.remove(path, deleted=True)
            return  # before _accepted's stat and globs, for nothing on each file of a clone
        if exists and self._accepted(path, keys):
            self.symbols.remove(path)
            if not await self._index(path):
                return
            # The crawls given up while it was read (the workspace folders changed) are gone.
            keys = [key for key in keys if key in self._files]
            for key in keys:
                self._files[key][path] = None
        elif self.symbols.is_indexed(path):
            self.forget(path, keys)  # deleted, or now excluded
        else:
            return
        self._save_soon(keys)

    def forget(self, path: Path, keys: list[Key]) -> None:
        self.symbols.remove(path, deleted=True)
        for key in keys:
            self._files[key].pop(path, None)

    def _excluded(self, path: Path) -> bool:
        return is_excluded(str(path), self.services.settings.exclude)

    def exclude_changed(self) -> None:
        """The ``exclude`` setting changed: files it now matches leave the table and the store,
        and a first read of one under way keeps nothing."""
        held = [*self.symbols.records, *self.symbols.being_read()]
        for path in [p for p in dict.fromkeys(held) if self._excluded(p)]:
            keys = self._keys_for(path)
            self.forget(path, keys)
            self._save_soon(keys)

    def watch_pattern(self) -> str:
        """One glob for the files of every language whose definitions are indexed."""
        exts = sorted(
            {e.lstrip(".") for lang in self.symbols.registry if lang.query_source("definitions") for e in lang.spec.extensions}
        )
        return "**/*.{" + ",".join(exts) + "}"


def _narrower(folder: Path, root: Path) -> Path | None:
    """The part of ``root`` that the rules of ``folder`` reach (None: none of it, or only a
    folder never indexed: ``python -m venv`` writes a .gitignore in the environment)."""
    if root.is_relative_to(folder):
        return root
    if not folder.is_relative_to(root):
        return None
    parts = folder.relative_to(root).parts
    skipped = any(skipped_dir(str(root.joinpath(*parts[:i])), part) for i, part in enumerate(parts))
    return None if skipped else folder


def _rule_stamps(folders: Iterable[Path]) -> dict[Path, tuple[int, int] | None]:
    """The stamp of each folder's .gitignore (None: it has none). Blocking: a stat a folder."""
    return {folder: stamp(folder / GITIGNORE) for folder in folders}


def _real_folder(path: Path) -> bool:
    """Whether ``path`` is a folder and no link to one: as the crawl, which never follows
    them, a link to ``~`` or ``/`` made in the workspace does not bring the disk's files."""
    return path.is_dir() and not path.is_symlink()


def _through_link(folder: Path, roots: Sequence[Path]) -> bool:
    """Whether ``folder`` is reached from its root through a link (or lies under no root)."""
    root = next((r for r in roots if folder.is_relative_to(r)), None)
    if root is None:
        return True
    here = root
    for part in folder.relative_to(root).parts:
        here /= part
        if here.is_symlink():
            return True
    return False


def _small(path: Path) -> bool:
    """Whether ``path`` is a file small enough to parse at a document's open."""
    try:
        return path.stat().st_size <= NEAR_MAX_BYTES
    except OSError:
        return False
