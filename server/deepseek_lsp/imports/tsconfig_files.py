"""Which files a tsconfig.json's project holds (``files``, ``include``, ``exclude``), matched as
TypeScript matches them: a solution-style config's file belongs to the referenced project
that includes it (Vite's tsconfig.app.json with ``"include": ["src"]``), not to the first one."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

#: What ``exclude`` is when a config does not say (TypeScript's default).
_DEFAULT_EXCLUDE = ("node_modules", "bower_components", "jspm_packages")


@dataclass(frozen=True)
class ProjectFiles:
    """A config's ``files``, ``include`` and ``exclude``, each as given by the nearest config
    of the ``extends`` chain that gives it, and relative to that config's folder; None where no
    config gives it."""

    files: tuple[Path, tuple[str, ...]] | None = None
    include: tuple[Path, tuple[str, ...]] | None = None
    exclude: tuple[Path, tuple[str, ...]] | None = None

    def holds(self, path: Path, config_folder: Path) -> bool:
        """Whether TypeScript puts ``path`` in the project: named in ``files``, or matched by
        ``include`` (all of the config's folder when neither is given) and not by ``exclude``."""
        if self.files is not None and any(_same(self.files[0] / name, path) for name in self.files[1]):
            return True
        if self.include is None:
            include = (config_folder, () if self.files is not None else ("**/*",))
        else:
            include = self.include
        exclude = self.exclude if self.exclude is not None else (config_folder, _DEFAULT_EXCLUDE)
        return _matches(include, path) and not _matches(exclude, path)


def _same(a: Path, b: Path) -> bool:
    return os.path.normpath(a) == os.path.normpath(b)


def _matches(specs: tuple[Path, tuple[str, ...]], path: Path) -> bool:
    folder, patterns = specs
    target = Path(os.path.normpath(path)).as_posix()
    return any(_spec_regex(Path(os.path.normpath(folder / spec)).as_posix()).match(target) for spec in patterns)


def _spec_regex(spec: str) -> re.Pattern[str]:
    """TypeScript's wildcards: ``*`` and ``?`` within one name, ``**/`` any folders; a last
    name with no ``.``, ``*`` or ``?`` is a folder, all of whose files are meant (``"src"``)."""
    parts = spec.split("/")
    if not re.search(r"[.*?]", parts[-1]):
        parts += ["**", "*"]
    pieces = []
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if part == "**":
            pieces.append("(?:[^/]+/)*" + ("[^/]+" if last else ""))
            continue
        piece = re.escape(part).replace(r"\*", "[^/]*").replace(r"\?", "[^/]")
        pieces.append(piece if last else piece + "/")
    return re.compile("".join(pieces) + r"\Z")


def strings(value: object) -> tuple[str, ...] | None:
    """A config's list of names or patterns, None where it gives none (not a list)."""
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else None
