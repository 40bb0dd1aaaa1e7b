"""PHP imports: an include's path, a class by the nearest composer.json's PSR-4 prefixes."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from pathlib import Path

from .javascript import _resolve_path
from .project_files import _folders_up, _read_small


def _psr4_prefixes(composer: Path) -> list[tuple[str, list[str]]]:
    """composer.json's ``autoload`` and ``autoload-dev`` PSR-4 prefixes, longest first."""
    try:
        data = json.loads(_read_small(composer, 1 << 20))
    except ValueError:
        return []
    out: list[tuple[str, list[str]]] = []
    for section in ("autoload", "autoload-dev"):
        table = data.get(section) if isinstance(data, dict) else None
        psr4 = table.get("psr-4") if isinstance(table, dict) else None
        if isinstance(psr4, dict):
            for prefix, dirs in psr4.items():
                folders = [dirs] if isinstance(dirs, str) else dirs if isinstance(dirs, list) else []
                out.append((str(prefix), [str(d) for d in folders if isinstance(d, str)]))
    return sorted(out, key=lambda item: -len(item[0]))


def _resolve_php(source: str, doc_path: Path, roots: Iterable[Path]) -> list[Path]:
    """``./lib/db.php`` (an include) as a path; a class name (``use App\\Models\\User;``)
    by the PSR-4 autoload prefixes of the nearest composer.json (``"App\\\\": "app/"``)."""
    if source.startswith((".", "/")) and "/" in source:
        return _resolve_path(source, doc_path, "php")
    if not re.fullmatch(r"\\?[A-Za-z_][\w\\]*", source):
        return []
    name = source.lstrip("\\")
    # A monorepo (laravel/framework, symfony/symfony) has a composer.json per package and the
    # one its autoloader uses at the root: a prefix no nearer file maps is looked for above.
    for folder in _folders_up(doc_path, roots):
        composer = folder / "composer.json"
        if composer.is_file():
            for prefix, dirs in _psr4_prefixes(composer):
                if name.startswith(prefix):
                    rest = name[len(prefix) :].split("\\")
                    for d in dirs:
                        cand = Path(os.path.normpath(folder / d)).joinpath(*rest)
                        cand = cand.with_name(cand.name + ".php")
                        if cand.is_file() and cand.is_relative_to(folder):
                            return [cand]
    return []
