"""Java and Kotlin imports: the class's file in the importing file's source root (or the main
sources of a test), else the file of its package that declares it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from cachetools import TTLCache

from .project_files import Resolver, _folders_up, _read_small

#: A JVM name: ``com.acme.store.Backend``.
_JVM_NAME = re.compile(r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*")
_JVM_PACKAGE = re.compile(rb"^\s*package\s+([\w.]+)", re.MULTILINE)


#: The folders under ``src/<set>/`` that hold JVM sources (Maven and Gradle layouts).
_JVM_SOURCE_DIRS = frozenset({"java", "kotlin", "scala"})


def main_source_set(folder: Path) -> Path | None:
    """``src/test/java/com/acme`` -> ``src/main/java/com/acme``, when it exists: a test (or
    an integration-test or Android test source set) uses the classes of its package's main
    sources with no import, and imports the others from the main source root."""
    parts = folder.parts
    for i in range(len(parts) - 2, 0, -1):
        if parts[i - 1] == "src" and parts[i] != "main" and parts[i + 1] in _JVM_SOURCE_DIRS:
            mirror = Path(*parts[:i], "main", *parts[i + 1 :])
            return mirror if mirror.is_dir() else None
    return None


def _jvm_source_roots(doc_path: Path, roots: Iterable[Path], parts: Sequence[str]) -> list[tuple[Path, list[str]]]:
    """Where a JVM name ``parts`` may be a file: (source root, its path under the root).

    The source root holds the importing file: a parent folder with the name's first package
    folder (``src/main/java`` of ``src/main/java/com/acme/web/Api.java`` holds ``com/``),
    or, in Kotlin's layout that leaves out the common root package (``src/main/kotlin/util/``
    for ``org.example.util``), the folder the file's own package path starts in, the left-out
    part taken off the name."""
    out = [(folder, list(parts)) for folder in _folders_up(doc_path, roots) if (folder / parts[0]).is_dir()]
    # A test's imports of main classes: the main source root beside its own.
    out += [(main, list(parts)) for folder, _ in list(out) if (main := main_source_set(folder)) is not None and (main / parts[0]).is_dir()]
    try:
        found = _JVM_PACKAGE.search(_read_small(doc_path, 8192))
    except OSError:
        found = None
    if found:
        package = found.group(1).decode("ascii", "replace").split(".")
        folders = doc_path.parent.parts
        shared = next(
            (k for k in range(len(package), 0, -1) if tuple(package[-k:]) == folders[-k:]),
            0,
        )
        left_out = package[: len(package) - shared]
        # ``shared`` 0: a file of the left-out root package itself, at the top of the root.
        if left_out and list(parts[: len(left_out)]) == left_out and len(parts) > len(left_out):
            root = doc_path.parents[shared]
            out.append((root, list(parts[len(left_out) :])))
    return out


#: A declaration a Kotlin or Java file makes at its top (a class in a file named otherwise, a
#: sealed hierarchy, a top-level function or value).
_JVM_DECLARATION = re.compile(
    # Annotations on the declaration's line (``@Serializable data class Order(``) first: not
    # taken, a class of a file named otherwise went unfound by its import.
    rb"^(?:@[\w.]+(?:\([^()\n]*\))?[ \t]+)*"
    rb"(?:[ \t]*(?:public|internal|private|protected|abstract|open|sealed|data|final|static|inline|"
    rb"value|enum|annotation|const|suspend|operator|infix|expect|actual|external)\s+)*"
    rb"(?:class|interface|object|record|typealias|fun|val|var)\s+(?:<[^>\n]*>\s*)?(?:[\w.?<>, ]+\.)?(\w+)",
    re.MULTILINE,
)
_MAX_PACKAGE_SCAN = 48
_package_names: TTLCache[tuple[str, tuple[str, ...]], dict[str, Path]] = TTLCache(maxsize=128, ttl=30.0)


def _declared_in_package(folder: Path, suffixes: tuple[str, ...]) -> dict[str, Path]:
    """The names a package's files declare at their top, and where (read once in 30 s)."""
    key = (str(folder), suffixes)
    hit = _package_names.get(key)
    if hit is None:
        hit = {}
        files = sorted(p for p in folder.iterdir() if p.name.endswith(suffixes))[:_MAX_PACKAGE_SCAN]
        for path in files:
            try:
                data = _read_small(path, 65536)  # declarations come first
            except OSError:
                continue
            for match in _JVM_DECLARATION.finditer(data):
                hit.setdefault(match.group(1).decode("ascii", "replace"), path)
        _package_names[key] = hit
    return hit


def _jvm_resolver(suffixes: tuple[str, ...]) -> Resolver:
    def resolve(source: str, doc_path: Path, roots: Iterable[Path]) -> list[Path]:
        """The file of the class an import names, in the source root of the importing file:
        the file named after it (a static import or a nested class, ``a.b.Outer.Inner``, is
        its outer class's), else the file of its package that declares it (a Kotlin file
        named otherwise, a top-level function)."""
        if not _JVM_NAME.fullmatch(source):
            return []
        for base, rel in _jvm_source_roots(doc_path, roots, source.split(".")):
            for n in range(len(rel), 0, -1):
                if not rel[n - 1][:1].isupper():
                    continue  # a package or a member: not a class's file
                target = base.joinpath(*rel[:n])
                for suffix in suffixes:
                    cand = target.with_name(target.name + suffix)
                    if cand.is_file():
                        return [cand]
            package = base.joinpath(*rel[:-1])
            if len(rel) > 1 and package.is_dir():
                declared = _declared_in_package(package, suffixes).get(rel[-1])
                if declared is not None:
                    return [declared]
        return []

    return resolve
