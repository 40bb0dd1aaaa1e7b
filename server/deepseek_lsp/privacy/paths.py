"""URIs as paths, and the exclusion globs (brace expansion, links, case-insensitive file systems)."""

from __future__ import annotations

import functools
import os
import re
import sys
from collections.abc import Iterable
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlparse

from cachetools import TTLCache

#: Paths are Windows paths (drives, shares). Module flags, so tests can take the other side.
WINDOWS = os.name == "nt"
#: Whether the file system opens a name in any case: Windows', and macOS' by default (APFS).
CASE_INSENSITIVE_FS = WINDOWS or sys.platform == "darwin"

_URI_DRIVE = re.compile(r"^/[A-Za-z]:(?:/|$)")


def uri_to_path(uri_or_path: str) -> str:
    parsed = urlparse(uri_or_path)
    if parsed.scheme and len(parsed.scheme) > 1:
        path = unquote(parsed.path)  # '' for a URI without one (Neovim's unnamed buffers: file://)
        if WINDOWS:
            # ``file:///c%3A/x`` (VS Code) and ``file:///C:/x`` are ``c:/x``: ``/c:/x`` has no
            # drive on Windows, no file has that name (every workspace folder, import and
            # label was lost). ``file://server/share/x`` is the share's ``//server/share/x``.
            if parsed.scheme == "file" and parsed.netloc and parsed.netloc.lower() != "localhost":
                path = f"//{parsed.netloc}{path}"
            elif _URI_DRIVE.match(path):
                path = path[1:3] + (path[3:] or "/")  # ``d:`` alone is the drive's current folder
        return path
    return uri_or_path


def file_path(uri: str) -> Path | None:
    """The file a ``file:`` URI names; None for other schemes (``untitled:``) and for a
    ``file:`` URI without an absolute path: Neovim's unnamed buffers are ``file://``, whose
    folder was taken for ``.``, the server's working directory (its files were read for
    context and crawled, and every completion request failed)."""
    if not uri.startswith("file:"):
        return None
    return _file_path(uri, WINDOWS)


@functools.lru_cache(maxsize=1024)
def _file_path(uri: str, windows: bool) -> Path | None:
    # Kept by URI (and by the flag tests flip): a request at a new position asks it again and
    # again for the same few files (each definition's, each candidate's): ~1 % of its samples.
    path = uri_to_path(uri)
    if not path:
        return None
    found = Path(path)
    return found if found.is_absolute() else None


def is_excluded(uri_or_path: str, globs: Iterable[str]) -> bool:
    """True when the file matches any exclusion glob (``**/`` matches any folder depth).

    A ``file:`` URI (a document the editor opened) is also the file it links to, if it is a
    symlink: ``settings_local.py -> private/secrets.py`` was sent whole, though imports and the
    command line refuse a file excluded by either name. Paths are matched as given."""
    # Asked on every keystroke for the same few files; a dozen globs take ~0.1 ms to match.
    globs = tuple(globs)
    if _is_excluded(uri_or_path, globs):
        return True
    real = _link_target(uri_or_path) if uri_or_path.startswith("file:") else None
    return real is not None and _is_excluded(real, globs)


#: Files of either shape (deep and shallow, with an extension and without): a glob that excludes
#: both excludes every file.
_EVERY_SHAPE = ("/home/user/project/src/main.py", "/srv/README")


def excludes_everything(glob: str) -> bool:
    """Whether ``glob`` alone excludes every file (``**``, ``*``, ``/``, ``**/*``)."""
    return all(_is_excluded(path, (glob,)) for path in _EVERY_SHAPE)


#: The file each document's URI links to (None: it is no link), kept a few seconds: asked on
#: every keystroke, a ``realpath`` is a ``stat`` per folder of the path.
_targets: TTLCache[str, str | None] = TTLCache(maxsize=1024, ttl=5.0)


_UNKNOWN = object()


def _link_target(uri: str) -> str | None:
    # One lookup: between ``in`` and ``[]`` the entry may expire, a KeyError out of a keystroke.
    known = _targets.get(uri, _UNKNOWN)
    if known is not _UNKNOWN:
        return known  # type: ignore[return-value]
    path = file_path(uri)
    real: str | None = None
    if path is not None:
        try:
            resolved = os.path.realpath(path)
        except (OSError, ValueError):
            resolved = str(path)
        real = resolved if resolved != str(path) else None
    _targets[uri] = real
    return real


_DRIVE = re.compile(r"^/?([A-Za-z]):/")
_BRACES = re.compile(r"\{([^{}]*)\}")


def _expand_braces(glob: str) -> list[str]:
    """VS Code's ``{a,b}`` alternatives, which fnmatch does not know."""
    match = _BRACES.search(glob)
    if match is None or "," not in match.group(1):
        return [glob]
    head, tail = glob[: match.start()], glob[match.end() :]
    return [g for alt in match.group(1).split(",") for g in _expand_braces(head + alt + tail)]


@functools.lru_cache(maxsize=4096)
def _is_excluded(uri_or_path: str, globs: tuple[str, ...]) -> bool:
    path = uri_to_path(uri_or_path).replace("\\", "/")
    # "/c:/x" (a file URI's path) and "C:/x" are the same file; on Windows, and macOS, case
    # does not count: ``Secrets/keys.h`` is the file of ``secrets/keys.h``.
    any_case = _DRIVE.match(path) is not None or CASE_INSENSITIVE_FS
    if any_case:
        path = _DRIVE.sub(lambda m: m.group(1).lower() + ":/", path).lower()
    name = PurePosixPath(path).name
    for glob in (g for raw in globs for g in _expand_braces(raw)):
        g = glob.replace("\\", "/")
        if g.endswith("/"):
            # A folder, as .gitignore names one (``private/``): its files. As a glob it
            # matched no file at all, and the folder's files were sent.
            g += "**"
        if any_case:
            g = _DRIVE.sub(lambda m: m.group(1).lower() + ":/", g).lower()
        bare = g[3:] if g.startswith("**/") else g
        if "/" not in bare:
            if fnmatchcase(name, bare) or fnmatchcase(name.lower(), bare.lower()):
                return True
            continue
        if g.startswith("**/"):
            inner = bare.rstrip("/")
            if inner.endswith("/**"):
                folder = inner[:-3]
                if f"/{folder}/" in f"/{path}" or fnmatchcase(path, f"*/{folder}/*"):
                    return True
            if fnmatchcase(path, f"*/{bare}") or fnmatchcase(path, bare):
                return True
        elif fnmatchcase(path, g) or fnmatchcase(path, f"*/{g}"):
            return True
    return False
