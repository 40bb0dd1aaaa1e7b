"""The workspace symbol table kept between sessions: the names each file defined, by its stamp.

Indexing a 2,000-file workspace costs ~15 s of CPU (tests/bench/bench_workspace_symbols.py),
spent again at every editor start, and the table is incomplete until it is done. The names a
file defines only change when the file does, so they are kept per file with its modification
time and size; the next session parses only the files whose stamp changed.

One JSON file per workspace folders and language family, under the state directory (next to the
usage ledger), written whole to a temporary file and renamed over the old one: two editor
windows on one workspace each write a complete file, the last one wins, and a reader never sees
half of one. A file that cannot be read is ignored (and replaced at the next write): it is only
a cache. Only names and paths are kept, never code; excluded files are never indexed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .storage import replace_file

log = logging.getLogger(__name__)

VERSION = 2
FOLDER = "symbols"
#: Stores of other workspaces kept: the most recently written ones...
MAX_STORES = 32
#: ... and none untouched for longer than this.
MAX_AGE_S = 90 * 24 * 3600
#: A file or folder modified this recently may change again within the same timestamp tick
#: (coarse clocks, FAT's 2 s) unseen: such files are not stored (``SymbolStore.save``), and
#: their times, and folders', are kept as unknown (``settled_time``).
SETTLE_NS = 2_000_000_000


@dataclass(frozen=True, slots=True)
class FileNames:
    """The names a file defined when its modification time and size were these."""

    mtime_ns: int
    size: int
    language: str
    names: tuple[str, ...]


def stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


def racy(mtime_ns: int) -> bool:
    """Whether a file with this modification time was modified in the last ``SETTLE_NS``:
    rewritten again within the same clock tick with as many bytes, its stamp would not tell."""
    return mtime_ns >= time.time_ns() - SETTLE_NS


def settled_time(mtime_ns: int) -> int:
    """A modification time read just now, made unknown (0) when it is ``racy``: the disk check
    would never see a change in the same tick (0 is no file's or folder's time now: the next
    check looks again)."""
    return 0 if racy(mtime_ns) else mtime_ns


def trusted(stamped: tuple[int, int]) -> tuple[int, int]:
    """A file's stamp taken just now, its time ``settled_time``."""
    return (settled_time(stamped[0]), stamped[1])


class SymbolStore:
    """The stores of one state directory; blocking file work: call it off the event loop."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path_for(self, roots: Sequence[Path], family: str) -> Path:
        key = json.dumps([[str(r) for r in roots], family])
        return self.folder / f"{hashlib.sha256(key.encode()).hexdigest()[:24]}.json"

    def load(
        self, roots: Sequence[Path], family: str, paths: Iterable[Path], digests: Mapping[str, str]
    ) -> tuple[dict[Path, FileNames], bool]:
        """The stored names of those of ``paths`` whose stamp is unchanged since they were
        stored, by a definitions query with the same digest as now (``digests`` by language:
        an upgraded grammar or query finds other names); the others (changed, new, or in no
        store) must be parsed. Also whether the store holds anything else (files gone,
        excluded or changed since): then it is to be written again."""
        target = self.path_for(roots, family)
        try:
            data = json.loads(target.read_bytes())
            files = data["files"] if data.get("version") == VERSION else {}
            stored_digests = data.get("digests", {})
            if not isinstance(files, dict) or not isinstance(stored_digests, dict):
                raise ValueError("no files table")
        except FileNotFoundError:
            return {}, False
        except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
            log.info("workspace symbols: ignoring the unreadable store %s (%s)", target.name, exc)
            return {}, True
        fresh: dict[Path, FileNames] = {}
        for path in paths:
            row = files.get(str(path))
            if not _valid(row) or stored_digests.get(row[2]) != digests.get(row[2]):
                continue
            if stamp(path) == (row[0], row[1]):
                fresh[path] = FileNames(row[0], row[1], row[2], tuple(row[3]))
        return fresh, len(fresh) != len(files)

    def save(
        self, roots: Sequence[Path], family: str, records: Mapping[Path, FileNames], digests: Mapping[str, str]
    ) -> None:
        """Replace the store of ``roots`` and ``family`` with ``records``; a failure is logged
        and costs only the next session's parsing. A file modified in the last
        ``SETTLE_NS`` is left out: rewritten again within the same clock tick with as many
        bytes, its stamp would not tell (git's "racy" entries)."""
        target = self.path_for(roots, family)
        payload = {
            "version": VERSION,
            "roots": [str(r) for r in roots],
            "family": family,
            "digests": dict(digests),
            "files": {
                str(p): [r.mtime_ns, r.size, r.language, list(r.names)]
                for p, r in records.items()
                if not racy(r.mtime_ns)
            },
        }
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            # dumps, not dump: dump encodes in pure Python, chunk by chunk.
            text = json.dumps(payload, separators=(",", ":"))
            replace_file(target, text.encode("utf-8"), prefix=".symbols-", suffix=".tmp")
        except OSError as exc:
            log.warning("workspace symbols: could not save %s (%s)", target, exc)
            return
        self.prune(keep=target)

    def prune(self, keep: Path | None = None) -> None:
        """Drop the stores of workspaces not indexed for ``MAX_AGE_S``, and the oldest beyond
        ``MAX_STORES``; left-over temporary files of a process that died while writing too."""
        try:
            entries = [(p.stat().st_mtime, p) for p in self.folder.iterdir() if p.suffix in (".json", ".tmp")]
        except OSError:
            return
        entries.sort(reverse=True)
        now, kept = time.time(), 0
        for mtime, path in entries:
            if path == keep:
                kept += 1
                continue
            if path.suffix == ".tmp":
                gone = now - mtime > 3600
            else:
                kept += 1
                gone = kept > MAX_STORES or now - mtime > MAX_AGE_S
            if gone:
                try:
                    path.unlink(missing_ok=True)
                except OSError as exc:  # a folder of that name, no permission: leave it
                    log.debug("workspace symbols: cannot remove %s (%s)", path, exc)

def _valid(row: object) -> bool:
    return (
        isinstance(row, list)
        and len(row) == 4
        and isinstance(row[0], int)
        and isinstance(row[1], int)
        and isinstance(row[2], str)
        and isinstance(row[3], list)
        and all(isinstance(n, str) for n in row[3])
    )
