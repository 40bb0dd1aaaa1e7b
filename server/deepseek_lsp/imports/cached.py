"""A file's imports resolved within a request's time box, kept a few seconds, and taken up
again by the next request where the box cut them short."""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from cachetools import LRUCache

from ..languages import ImportRules
from ..symbol_store import racy
from .resolve import _IMPLICIT_SOURCES, resolve_local_import

#: Import resolution stats a handful of paths per import; the answers for a file's imports are
#: kept a few seconds, under one key of strings: a lookup per import, keyed by ``Path`` objects
#: (hashed anew for each request's new ``Path``), took 0.13 ms of every request on its own.
_ResolvedKey = tuple[str, tuple[str, ...], tuple[str, ...], str | None, ImportRules | None]
#: How long an answer is taken as it is (a file created meanwhile, with no watch event to
#: tell, is found once it is made anew).
RESOLVED_FOR_S = 5.0
#: Past RESOLVED_FOR_S, a request (one with a time box: a completion's) is still given the
#: answer for this long, and it is made anew out of its way (:func:`refresh_stale`, after the
#: answer went out): made anew in the request, it landed on one request every 5 s (2.3 ms, the
#: p99 of a typing session's). Older (no refresh ran: requests cancelled one after another),
#: the request makes it.
STALE_FOR_S = 30.0
#: The time a refresh takes at most at once; one cut short goes on at the next.
REFRESH_SLICE_S = 0.01
#: Each answer and when (``time.monotonic()``) it was made.
_resolved: LRUCache[_ResolvedKey, tuple[list[Path], float]] = LRUCache(maxsize=256)
_Args = tuple[tuple[str, ...], Path, tuple[Path, ...], str | None, ImportRules | None]
#: The answers given past RESOLVED_FOR_S, to make anew (see STALE_FOR_S).
_stale: dict[_ResolvedKey, _Args] = {}


def _resolve_or_none(
    source: str, doc_path: Path, roots: Sequence[Path], language: str | None, rules: ImportRules | None
) -> list[Path]:
    try:
        return resolve_local_import(source, doc_path, roots, language, rules)
    except (OSError, RuntimeError):
        # A folder the server may not read or a symlink loop on the way: no file, like a
        # missing one (it raised out of the request, and every completion in the file failed).
        return []


#: Resolutions a request's time box cut short: (what was found, how many sources were looked
#: at), taken up by the next request. On a slow file system (WSL's ``/mnt/c``, a network share:
#: a millisecond a ``stat``) a file's 70 imports took seconds, all in the first request.
_partial: LRUCache[_ResolvedKey, tuple[dict[Path, None], int]] = LRUCache(maxsize=16)
#: The last complete answer for each key, which outlives ``_resolved``'s few seconds: while its
#: new answer is under way, one request's box after another, the prompt keeps the files it had.
_complete: LRUCache[_ResolvedKey, list[Path]] = LRUCache(maxsize=64)
#: By resolution, whether each source looked at names a file other than the document: whether
#: a module a file imports whole is the workspace's (context/lookup.py looks its members up),
#: known without a resolution of its own (one per module, past the time box, would take the
#: few places ``_partial`` has, and push the file's own out).
_local: LRUCache[_ResolvedKey, dict[str, bool]] = LRUCache(maxsize=64)
#: By Go resolution, its packages' folders and their times when it was made: a file created in
#: one with no watch event to tell (Neovim asks for none; a generator's or a checkout's file in
#: a folder not watched) changes its folder's time, and the answer is made anew, not kept its
#: few seconds (the outline made from it was kept, stamped with the folder's new time, for
#: the prompt's CONTEXT_REUSE_S: c.go's Volume missing at shapes.| up to 30 s). Each time with
#: whether it was too recent to tell by (``racy``).
_go_folders: LRUCache[_ResolvedKey, tuple[tuple[str, int, bool], ...]] = LRUCache(maxsize=256)


def _folder_times(folders: Iterable[str]) -> tuple[tuple[str, int, bool], ...]:
    """Each folder with its time (-1 gone) and whether a change in the same clock tick could
    hide behind it."""
    times = []
    for folder in folders:
        try:
            mtime = os.stat(folder).st_mtime_ns
        except OSError:
            times.append((folder, -1, False))
        else:
            times.append((folder, mtime, racy(mtime)))
    return tuple(times)


def _changed(known: tuple[tuple[str, int, bool], ...]) -> bool:
    """Whether a folder's time is not as ``known``, or was too recent to tell by and has
    settled since: looked at once more then (a file added in the same clock tick). Not at
    every call while it is recent: a save in the document's folder (Neovim's backup file at
    each ``:w``) made the resolution anew at every key for 2 s (40 packages: ~28 ms a key)."""
    now = _folder_times(folder for folder, _, _ in known)
    return any(t != was or (recent and not still) for (_, was, recent), (_, t, still) in zip(known, now, strict=True))


def forget_resolutions() -> None:
    """Resolve every file's imports anew: a file was created or deleted (a Go package's)."""
    _resolved.clear()
    _stale.clear()


def stale_resolutions() -> bool:
    """Whether answers given past their time wait to be made anew (:func:`refresh_stale`)."""
    return bool(_stale)


def refresh_stale(within_s: float = REFRESH_SLICE_S) -> None:
    """Make anew the answers requests were given past RESOLVED_FOR_S, for ``within_s`` at most
    (one cut short by it goes on at the next call, as a request's time box leaves it)."""
    deadline = time.monotonic() + within_s
    # A review's worker thread resolves (and takes out of ``_stale``) the same keys meanwhile:
    # a ``del`` of a key gone since raised KeyError and ended the refresh's task.
    while _stale and time.monotonic() <= deadline:
        try:
            key, args = next(iter(_stale.items()))
        except StopIteration:
            return
        entry = _resolved.get(key)
        if entry is None or time.monotonic() - entry[1] <= RESOLVED_FOR_S:
            _stale.pop(key, None)  # forgotten since (a request resolves it), or made anew already
            continue
        _resolve(key, *args, deadline)


def resolve_local_imports_cached(
    sources: Sequence[str],
    doc_path: Path,
    roots: Sequence[Path],
    language: str | None = None,
    rules: ImportRules | None = None,
    deadline: float | None = None,
) -> list[Path]:
    """The files ``sources`` name, for those that name local files, in their order (a Go
    package is a folder of files); first, for Go, the other files of the document's own
    package, whose names it uses with no import. Past ``deadline`` (``time.monotonic()``), the
    files found so far (or the last complete answer): :func:`resolution_pending` then says so,
    and the next call goes on from there."""
    key = (str(doc_path), tuple(sources), tuple(str(r) for r in roots), language, rules)
    entry = _resolved.get(key)
    if language == "go" and (known := _go_folders.get(key)) is not None and _changed(known):
        # (Nor is the last complete answer given for it where the box cuts the new one short:
        # the resolution is then pending, and the context not kept as if whole.)
        for kept in (_resolved, _complete, _partial, _go_folders, _stale):
            kept.pop(key, None)
        entry = None
    if entry is not None:
        age = time.monotonic() - entry[1]
        if age <= RESOLVED_FOR_S:
            return entry[0]
        if deadline is not None and age <= STALE_FOR_S:
            _stale[key] = (tuple(sources), doc_path, tuple(roots), language, rules)
            return entry[0]
    return _resolve(key, sources, doc_path, roots, language, rules, deadline)


def _resolve(
    key: _ResolvedKey,
    sources: Sequence[str],
    doc_path: Path,
    roots: Sequence[Path],
    language: str | None,
    rules: ImportRules | None,
    deadline: float | None,
) -> list[Path]:
    """The answer for ``key`` made (anew), as far as ``deadline`` lets it (see
    :func:`resolve_local_imports_cached`)."""
    todo = (*_IMPLICIT_SOURCES.get(language or "", ()), *sources)
    found, done = _partial.pop(key, None) or ({}, 0)
    for i in range(done, len(todo)):
        if deadline is not None and time.monotonic() > deadline:
            _partial[key] = (found, i)
            return _complete.get(key) or [path for path in found if path != doc_path]
        paths = _resolve_or_none(todo[i], doc_path, roots, language, rules)
        found.update(dict.fromkeys(paths))
        _local.setdefault(key, {})[todo[i]] = any(path != doc_path for path in paths)
    found.pop(doc_path, None)
    hit = _complete[key] = list(found)
    _resolved[key] = (hit, time.monotonic())
    _stale.pop(key, None)
    if language == "go":
        _go_folders[key] = _folder_times(sorted({str(doc_path.parent), *(str(p.parent) for p in hit)}))
    return hit


def resolution_pending(
    sources: Sequence[str], doc_path: Path, roots: Sequence[Path], language: str | None, rules: ImportRules | None
) -> bool:
    """Whether :func:`resolve_local_imports_cached` for these was cut short by its deadline
    with no complete answer of before to give instead: the files it gave may not be all."""
    key = (str(doc_path), tuple(sources), tuple(str(r) for r in roots), language, rules)
    return key in _partial and key not in _complete


def local_sources(
    sources: Sequence[str], doc_path: Path, roots: Sequence[Path], language: str | None, rules: ImportRules | None
) -> set[str]:
    """Those of ``sources`` that :func:`resolve_local_imports_cached` for these found to name a
    local file, as far as it got (no file is looked at here)."""
    key = (str(doc_path), tuple(sources), tuple(str(r) for r in roots), language, rules)
    # Each request asks: a file's 96 sources looked for in the list took 50 us (11 in a set).
    named = set(sources)
    return {source for source, local in _local.get(key, {}).items() if local and source in named}
