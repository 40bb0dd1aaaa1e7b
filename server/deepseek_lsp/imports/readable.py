"""Whether a file an import names may be read: inside the workspace and not excluded, by its own
name and by the name of the file it links to."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from cachetools import TTLCache

from ..privacy import is_excluded

#: ``readable_import``'s answers for a few seconds, like ``_resolved``: resolving symlinks and
#: matching the exclusion globs twice per import, on every request, made prompts 45 % slower.
_UNKNOWN = Path("\0unknown")  # no real path holds a NUL
_readable: TTLCache[tuple[str, tuple[str, ...], tuple[str, ...]], Path | None] = TTLCache(maxsize=1024, ttl=5.0)


def readable_import(path: Path, roots: Sequence[Path], exclude: Sequence[str]) -> Path | None:
    """The file to read for an import resolved to ``path``; None when it may not be read: it
    is excluded by its own name or by the name of the file it links to (``secrets.py`` ->
    ``deploy/prod_settings.py`` was sent), it is outside every workspace root (another
    project next to this one: ``../other_repo/billing.js``), or it cannot be resolved."""
    key = (str(path), tuple(str(r) for r in roots), tuple(exclude))
    found = _readable.get(key, _UNKNOWN)  # one lookup: an entry may expire between two
    if found is _UNKNOWN:
        found = _readable[key] = _readable_now(path, roots, exclude)
    return found


def _readable_now(path: Path, roots: Sequence[Path], exclude: Sequence[str]) -> Path | None:
    try:
        real = path.resolve()
    except (OSError, RuntimeError):  # a symlink loop, a folder the server may not enter
        return None
    if is_excluded(str(path), exclude) or is_excluded(str(real), exclude):
        return None
    if not any(path.is_relative_to(root) for root in roots):
        return None
    # A symlink in the workspace to a file or folder outside it (``billing.py ->
    # ../other_client/billing.py``): the file read is outside.
    if not any(real.is_relative_to(root) or real.is_relative_to(os.path.realpath(root)) for root in roots):
        return None
    return real
