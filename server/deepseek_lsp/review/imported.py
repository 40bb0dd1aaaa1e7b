"""The signatures a review's units use from the local files their document imports (and,
where those do not define them, from the workspace's symbol table): part of its cache keys and
of the requests that carry them.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..config import Settings
from ..context import ContextRequest, Definition, FileIndex, Indexer, found_in_workspace, index_tree
from ..documents import Document
from ..imports import (
    imported_types,
    readable_import,
    resolve_local_imports_cached,
    sibling_type_files_of_each,
)
from ..languages import LanguageRegistry
from ..privacy import file_path
from ..workspace_symbols import WorkspaceSymbols
from .units import Unit

log = logging.getLogger(__name__)


#: Signatures from other files of the project that a batch may carry.
MAX_IMPORTED_SIGNATURES = 12
#: Constructors of an imported class sent with it.
MAX_CONSTRUCTORS = 3
_WORDS = re.compile(r"\w+")
#: Time for the members' lookups in the workspace's files (each file read and parsed once).
WORKSPACE_LOOKUP_S = 0.5
#: Header lines of an imported definition shown as its signature.
#: Lines of an imported definition's header sent at most (a class's outline is its header).
SIGNATURE_MAX_LINES = 12


@dataclass
class _Imports:
    """What one review read of the files its document imports (see ``ImportReader.read``)."""

    own: FileIndex
    #: The document's index and those of the imported files that could be read.
    indexes: list[FileIndex]
    #: Every imported definition the units use, by name, in the files' order: the cache keys'
    #: (a unit's key is the same whichever units are reviewed with it), never what the
    #: workspace's symbol table finds, which depends on how far its crawl got and on a time
    #: box (in a key, the same unit would be paid for again and again).
    signatures: list[Imported]
    roots: list[Path]
    doc_path: Path
    #: How the imported files were found, for a file's record (see ``records.dependencies``).
    sources: list[str] = field(default_factory=list)
    #: Each unit's names, for the files beside the document named after its types.
    wanted: list[list[str]] = field(default_factory=list)
    targets: list[tuple[Path, Path | None]] = field(default_factory=list)


#: An imported signature: the name it defines, its line, and the type whose file beside the
#: document it is in ("" for a file the document imports; see ``_wanted``).
Imported = tuple[str, str, str]


def _wanted(signatures: Iterable[Imported], wanted: frozenset[str] | set[str]) -> list[Imported]:
    """Those of ``signatures`` code using the names ``wanted`` means: of a file beside the
    document (Circle.java, read for a ``Circle`` some unit uses), only where the code uses its
    type too. Its ``area`` was in the key of every unit calling an ``area``: a unit was sent
    and paid for again when reviewed without the unit naming Circle (``--changed``)."""
    return [s for s in signatures if s[0] in wanted and (not s[2] or s[2] in wanted)]


def _used_by(units: Sequence[Unit], signatures: Iterable[Imported]) -> list[str]:
    """The imported signatures (see ``ImportReader.signatures``) of the names ``units`` use."""
    wanted = frozenset().union(*(u.uses for u in units))
    return [line for _, line, _ in _wanted(signatures, wanted)][:MAX_IMPORTED_SIGNATURES]


def _shown_of(defs: Sequence[Definition]) -> Sequence[Definition]:
    """Of the definitions of a name in an imported file, those sent: the first, and where it is
    a class, the constructors named as it (Java's, C#'s, C++'s; a few at most): ``new
    Shape(3)`` and a subclass's ``super(4)`` call one, and a short class's signature is its
    header alone."""
    if not defs or defs[0].kind != "class":
        return defs[:1]
    # Not those its outline shows already (a class longer than a snippet is its first members).
    outline = _signature(defs[0])
    constructors = [d for d in defs[1:] if d.kind == "method" and _signature(d) not in outline]
    return [defs[0], *constructors[:MAX_CONSTRUCTORS]]


def _signature(d: Definition) -> str:
    """The definition's header as the tree gives it (decorators and signature), on one line.
    Cut at the first line ending in ``)``, ``{``…, it was ``@lru_cache(maxsize=None)`` alone
    for a cached function, and stopped a TypeScript signature at ``options: {``."""
    header = d.text[: d.header_len] if d.header_len else d.text
    return " ".join(line.strip() for line in header.splitlines()[:SIGNATURE_MAX_LINES] if line.strip())


class ImportReader:
    """Reads the local files a document imports for its reviews, with an index of those files
    kept for the process (``registry``: the editor session's languages, their queries compiled
    already; None: loaded at the first read)."""

    def __init__(self, registry: LanguageRegistry | None = None) -> None:
        self._registry = registry
        self._indexer: Indexer | None = None

    def read(
        self, doc: Document, path: str, units: Sequence[Unit], roots: Sequence[Path], settings: Settings
    ) -> _Imports | None:
        """The local files this file imports, read once for a review: its cache keys and its
        requests' signatures both come from them (read for each, every imported file was
        looked up twice and the document indexed twice on every save)."""
        doc_path = file_path(doc.uri)
        if doc.language is None or doc.tree is None or doc_path is None:
            return None
        wanted: set[str] = set()
        for unit in units:
            wanted |= unit.uses
        if not wanted:
            return None
        if self._indexer is None:
            self._indexer = Indexer(self._registry or LanguageRegistry.load())
        try:
            own = index_tree(doc.language, doc.tree, doc.data, path)
            out: list[Imported] = []
            # The same gate as completion context: excluded by either name, or outside every
            # workspace root (the document's folder without one), is not read.
            roots = list(roots) or [doc_path.parent]
            language = doc.language.name
            imported = resolve_local_imports_cached(
                own.import_sources, doc_path, roots, language, doc.language.spec.imports
            )
            indexes = [own]
            targets: list[tuple[Path, Path | None]] = []
            # (Not a type an import binds: ``use App\\Queue\\Mailer;``'s is no file beside.)
            hidden = imported_types((t for _s, _e, t in own.imports), language, doc.data)
            types = [[n for n in u.uses if n[:1].isupper() and n not in hidden] for u in units]
            each = sorted({tuple(sorted(names)) for names in types})
            siblings = sibling_type_files_of_each(doc_path, each, language)
            beside = {target: target.stem for target in siblings if target not in imported}
            for target in dict.fromkeys([*imported, *siblings]):
                real = readable_import(target, roots, settings.exclude)
                targets.append((target, real))
                index = self._indexer.for_file(real, language=doc.language) if real is not None else None
                if index is None:
                    continue
                indexes.append(index)
                for name in sorted(wanted & index.definitions.keys()):
                    for d in _shown_of(index.definitions[name]):
                        out.append((name, f"{_signature(d)}  # {target.name}", beside.get(target, "")))
            return _Imports(own, indexes, out, roots, doc_path, list(own.import_sources), [list(names) for names in each], targets)
        except (OSError, ValueError) as exc:
            log.debug("imported signatures of %s: %s", path, exc)
            return None

    def signatures(
        self,
        doc: Document,
        imports: _Imports | None,
        units: Sequence[Unit],
        settings: Settings,
        symbols: WorkspaceSymbols | None = None,
        *,
        limit: int = MAX_IMPORTED_SIGNATURES,
        switched_off: Callable[[str], bool] | None = None,
    ) -> list[Imported]:
        """Signatures of definitions in local modules this file imports that the units use,
        then of the members they call that only the workspace's symbol table finds (as a
        completion's context finds them: ``self.protocol.send(`` with the protocol's class
        never imported, when one or two files define ``send``); each with its name, at most
        ``limit``. ``switched_off``: the files whose folder turns reviews off, never read."""
        wanted: set[str] = set()
        for unit in units:
            wanted |= unit.uses
        if imports is None or not wanted or self._indexer is None:
            return []
        out = _wanted(imports.signatures, wanted)[:limit]
        if symbols is None or len(out) >= limit:
            return out
        try:
            # In the order the units use them: the lookups stop after a few members.
            used = dict.fromkeys(w for u in units for w in _WORDS.findall(u.text) if w in wanted)
            req = ContextRequest(
                doc, 0, [], [], imports.roots, settings.exclude, time.monotonic() + WORKSPACE_LOOKUP_S, symbols=symbols
            )
            if switched_off is not None:
                req.switched_off = switched_off
            found, _ = found_in_workspace(
                self._indexer, req, imports.own, imports.indexes, list(used), (0, len(doc.data)), imports.doc_path, imports.roots
            )
            for name, where in found.items():
                for index in where:
                    d = index.definitions[name][0]
                    out.append((name, f"{_signature(d)}  # {Path(d.path).name}", ""))
        except (OSError, ValueError) as exc:
            log.debug("workspace signatures of %s: %s", imports.doc_path, exc)
        return out[:limit]
