"""What every language's lookup shares: the folders from the importing file up to its workspace
folder, the workspace folders in the order to try them, and project files read small and parsed
again only when they change."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar, cast

from cachetools import LRUCache, TTLCache

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]


def own_roots_first(doc_path: Path, roots: Iterable[Path]) -> list[Path]:
    """The workspace folders, those holding ``doc_path`` first (the innermost first): in a
    workspace of two services with a ``config.py`` each, ``import config`` in the second's
    file found the first's (the folders were tried in the workspace's order)."""
    return sorted(roots, key=lambda r: (0, -len(r.parts)) if doc_path.is_relative_to(r) else (1, 0))


T = TypeVar("T")
#: A project file's parsed content (pyproject.toml, tsconfig.json, compile_commands.json), by
#: its parser, path, modification time and size: import resolution asks on every request at a new
#: place. No time to live: the modification time tells a change, and a compilation database of
#: megabytes is not parsed again every so often in a request's path.
_project_files: LRUCache[tuple[str, str, int, int], Any] = LRUCache(maxsize=128)


def _read_when_changed(path: Path, parse: Callable[[Path], T]) -> T | None:
    """``parse(path)``, parsed again only when the file's modification time changes; None when
    the file is not there."""
    try:
        st = path.stat()
        key = (parse.__name__, str(path), st.st_mtime_ns, st.st_size)
    except OSError:
        return None
    if key not in _project_files:
        _project_files[key] = parse(path)
    return cast(T, _project_files[key])


def _dig(data: object, *keys: str) -> object:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _folders_up(doc_path: Path, roots: Iterable[Path]) -> list[Path]:
    """The importing file's folder and its parents up to the workspace root holding it (the
    folder alone outside every root): where a project file (go.mod, Cargo.toml,
    composer.json) or a source root may be."""
    folder = doc_path.parent
    root = next((r for r in roots if folder.is_relative_to(r)), None)
    out = [folder]
    while root is not None and folder != root and folder.parent != folder:
        folder = folder.parent
        out.append(folder)
    return out


def _read_small(path: Path, limit: int = 65536) -> bytes:
    with path.open("rb") as f:
        return f.read(limit)


Resolver = Callable[[str, Path, Iterable[Path]], list[Path]]


def _toml(path: Path) -> dict[str, Any]:
    """A project's TOML file (pyproject.toml, Cargo.toml), {} when it cannot be read or parsed."""
    try:
        return tomllib.loads(_read_small(path, 1 << 20).decode("utf-8", "replace"))
    except (OSError, ValueError):
        return {}


#: Answers worked out from project files and folders (where a file's Python imports start, the
#: modules a Go build takes from the workspace, a Rust crate's library), kept a few seconds as
#: a file's resolved imports are: asked for each import of a file, they were worked out again
#: for each (a file of a dozen imports took 28 % more calls to resolve).
_recent_answers: TTLCache[tuple[Any, ...], Any] = TTLCache(maxsize=256, ttl=5.0)
_NONE_YET = object()


def _kept_a_moment(key: tuple[Any, ...], work: Callable[[], T]) -> T:
    """``work()``, or its answer for ``key`` of the last few seconds."""
    found = _recent_answers.get(key, _NONE_YET)  # one lookup: an entry may expire between two
    if found is _NONE_YET:
        found = _recent_answers[key] = work()
    return cast(T, found)
