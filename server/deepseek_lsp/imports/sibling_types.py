"""The files beside a document named after the types it uses with no import (Java's rule, the
convention of Kotlin, Scala, Swift and C#)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from cachetools import TTLCache

from .go import MAX_PACKAGE_FILES
from .jvm import main_source_set

#: Languages whose files use the types of their own package or module with no import, each
#: type in a file named after it (Java's rule, the convention of the others).
_TYPE_FILES: dict[str, tuple[str, ...]] = {
    "java": (".java",),
    "kotlin": (".kt", ".java"),
    "scala": (".scala",),
    "swift": (".swift",),
    "csharp": (".cs",),
}
_siblings: TTLCache[tuple[str, tuple[str, ...], str], list[Path]] = TTLCache(maxsize=256, ttl=5.0)


def sibling_type_files(doc_path: Path, names: Iterable[str], language: str | None) -> list[Path]:
    """The files beside the document named after the types among ``names`` (``OrderRepository``
    used in ``OrderService.java`` is ``OrderRepository.java`` of the same package)."""
    suffixes = _TYPE_FILES.get(language or "")
    if not suffixes:
        return []
    types = tuple(n for n in names if n[:1].isupper())
    key = (str(doc_path), types, language or "")
    hit = _siblings.get(key)
    if hit is None:
        hit = []
        folders = [doc_path.parent]
        main = main_source_set(doc_path.parent)
        if main is not None:
            folders.append(main)
        for name in types:
            for suffix in suffixes:
                cand = next((f / (name + suffix) for f in folders if (f / (name + suffix)).is_file()), None)
                if cand is not None and cand != doc_path:
                    hit.append(cand)
                    break
            if len(hit) >= MAX_PACKAGE_FILES:
                break
        _siblings[key] = hit
    return hit
