"""The files beside a document named after the types it uses with no import (Java's rule, the
convention of Kotlin, Scala, Swift, C# and PHP's PSR-4)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from cachetools import TTLCache

from .go import MAX_PACKAGE_FILES
from .jvm import main_source_set

#: Languages whose files use the types of their own package or module with no import, each
#: type in a file named after it (Java's rule, the convention of the others; PHP's PSR-4 puts
#: a namespace's classes in one folder: ``new Mailer()`` with no ``use`` line, in Signup.php
#: of the same namespace, had no Mailer where the table's names were too common).
_TYPE_FILES: dict[str, tuple[str, ...]] = {
    "java": (".java",),
    "php": (".php",),
    "kotlin": (".kt", ".java"),
    "scala": (".scala",),
    "swift": (".swift",),
    "csharp": (".cs",),
}
#: Languages whose imports bind the types they name, hiding their package's or namespace's type
#: of that name (Java's single-type import, PHP's ``use``, Kotlin's and Scala's ``import``). Not
#: C#'s ``using System.Text;`` nor Swift's ``import Foundation``: a namespace's, a module's.
_IMPORTS_BIND_TYPES = frozenset({"java", "php", "kotlin", "scala"})
#: A name an import statement binds: a path's last (``use App\Queue\Mailer;``, a group's
#: ``{Job, Sub\Task}``, Kotlin's line without its ``;``) or an alias (``as Log``, ``=> T``); not
#: one an ``as`` follows.
_BOUND = re.compile(r"(\w+)\s*(?=[;,}]|$)")
#: The package or namespace a file declares (``package com.acme.orders;``, ``namespace
#: App\Services;``), in its first bytes: an import of its own type hides no file beside it.
_PACKAGE = re.compile(r"^[ \t]*(?:package|namespace)[ \t]+([\w.\\]+)", re.M)
_PACKAGE_SPAN = 4096
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
        folders = _folders(doc_path)
        for name in types:
            cand = _type_file(doc_path, folders, suffixes, name)
            if cand is not None:
                hit.append(cand)
            if len(hit) >= MAX_PACKAGE_FILES:
                break
        _siblings[key] = hit
    return hit


def imported_types(
    statements: Iterable[str], language: str | None, source: bytes = b""
) -> set[str]:
    """The names ``statements`` (a document's imports) bind to another package's types: no file
    beside the document is theirs (``use App\\Queue\\Mailer;`` in App\\Services: Services/Mailer.php
    was read and sent with the Queue's, two classes for one ``new Mailer()``). Not a name an
    alias leaves free (``Logger`` of ``use Psr\\Log\\Logger as Log``: the namespace's own), nor
    one imported from the package or namespace ``source`` (the document's bytes) declares."""
    if language not in _IMPORTS_BIND_TYPES:
        return set()
    package = _PACKAGE.search(source[:_PACKAGE_SPAN].decode("utf-8", "replace"))
    own = package.group(1).replace("\\", ".") if package else None
    return {n for text in statements for n in _BOUND.findall(text) if not _own(text, own, n)}


def _own(statement: str, package: str | None, name: str) -> bool:
    """Whether ``statement`` imports ``name`` from ``package`` (``\\App\\Services\\Mailer`` from
    App\\Services, not ``MyApp\\Services\\Mailer``)."""
    if package is None:
        return False
    dotted = re.escape(f"{package}.{name}")
    return re.search(rf"(?<![\w.])\.?{dotted}\b", statement.replace("\\", ".")) is not None


def sibling_type_files_of_each(
    doc_path: Path, name_lists: Iterable[Sequence[str]], language: str | None
) -> list[Path]:
    """The files ``sibling_type_files`` finds for each of ``name_lists`` (a review unit's names),
    together, in their types' order: counted over all a file's units, the twelve files read at
    most were those of the first types in alphabetical order, and a unit using a later one was
    reviewed without its file, and with it when reviewed alone (a new cache key, paid again)."""
    suffixes = _TYPE_FILES.get(language or "")
    if not suffixes:
        return []
    folders = _folders(doc_path)
    # Each type looked for once: a list each took 2,000 units of a Java file 48 ms of CPU.
    files: dict[str, Path | None] = {}
    found: dict[Path, None] = {}
    for names in name_lists:
        hits = 0
        for name in names:
            if not name[:1].isupper():
                continue
            if name not in files:
                files[name] = _type_file(doc_path, folders, suffixes, name)
            cand = files[name]
            if cand is not None:
                found[cand] = None
                hits += 1
                if hits >= MAX_PACKAGE_FILES:
                    break
    return sorted(found, key=lambda path: path.stem)


def _folders(doc_path: Path) -> list[Path]:
    """The document's folder, and its source set's main one (a test's types are the main's)."""
    main = main_source_set(doc_path.parent)
    return [doc_path.parent] if main is None else [doc_path.parent, main]


def _type_file(doc_path: Path, folders: Sequence[Path], suffixes: Sequence[str], name: str) -> Path | None:
    for suffix in suffixes:
        cand = next((f / (name + suffix) for f in folders if (f / (name + suffix)).is_file()), None)
        if cand is not None and cand != doc_path:
            return cand
    return None
