"""The file an import names: each language's lookup, chosen by the language."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

from ..languages import ImportRules
from .by_rules import _resolve_by_rules
from .c_include import _resolve_include
from .go import _resolve_go
from .javascript import _JS_LANGUAGES, _resolve_aliased, _resolve_path
from .jvm import _jvm_resolver
from .php import _resolve_php
from .project_files import (
    Resolver,
    own_roots_first,
)
from .python import _python_source_roots
from .rust import _resolve_rust

#: A source that is no literal path: Ruby's ``"#{__dir__}/x"``, PHP's ``"$base/x.php"``.
_NOT_A_PATH = re.compile(r"#\{|\$|[\x00-\x1f]")


def resolve_local_import(
    source: str,
    doc_path: Path,
    roots: Iterable[Path],
    language: str | None = None,
    rules: ImportRules | None = None,
) -> list[Path]:
    """Files a relative/local import names: ``.mod``/``pkg.mod`` (Python), ``./x`` (JS/TS,
    shell, PHP), and by the language's ``rules`` (language.toml ``[imports]``: Ruby, Lua).

    Only the lookups that make sense in ``language`` are tried (all of them when None): a
    JavaScript ``import config from 'config'`` is a package, and read the workspace's
    config.py. The paths are as the import spells them (``..`` folded), not through
    symlinks: what may be read is decided on both names (``readable_import``)."""
    out: list[Path] = []
    if _NOT_A_PATH.search(source):
        return out
    roots = own_roots_first(doc_path, roots)
    resolver = _BUILT_IN.get(language or "")
    if resolver is not None:
        return resolver(source, doc_path, roots)
    if rules is not None:
        return _resolve_by_rules(source, doc_path, roots, rules)
    if (source.startswith((".", "/")) and "/" in source) or (language in _JS_LANGUAGES and source in (".", "..")):
        return [] if language == "python" else _resolve_path(source, doc_path, language)
    if language in _JS_LANGUAGES:
        return _resolve_aliased(source, doc_path, roots, language)
    if language in (None, "python") and re.fullmatch(r"\.*[A-Za-z_][\w.]*|\.+", source):
        dots = len(source) - len(source.lstrip("."))
        parts = [p for p in source.lstrip(".").split(".") if p]
        up = doc_path.parent.joinpath(*[".."] * max(dots - 1, 0))
        bases = [Path(os.path.normpath(up))] if dots else _python_source_roots(doc_path, roots)
        for base in bases:
            target = base.joinpath(*parts) if parts else base
            # A package before a module of its name, as Python's own finder goes: with both
            # ``config/__init__.py`` and ``config.py``, ``import config`` is the package
            # (``config.py`` was read, its definitions in the prompt for names it has not).
            for cand in (target / "__init__.py", target.with_suffix(".py") if parts else None):
                if cand is not None and cand.is_file():
                    out.append(cand)
                    break
            if out:
                break
    return out


#: Languages whose imports name files by rules of their own tools, not by ``[imports]``.
_BUILT_IN: dict[str, Resolver] = {
    "c": _resolve_include,
    "cpp": _resolve_include,
    "go": _resolve_go,
    "rust": _resolve_rust,
    "java": _jvm_resolver((".java", ".kt")),
    "kotlin": _jvm_resolver((".kt", ".java")),
    "php": _resolve_php,
}
#: Sources every file of a language imports without saying so: Go's own package.
_IMPLICIT_SOURCES: dict[str, tuple[str, ...]] = {"go": ("",)}
