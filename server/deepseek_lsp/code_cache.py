"""The code that attrs and cattrs generate, kept between runs for a faster start.

lsprotocol defines ~570 attrs classes. attrs writes the source of each class's methods and
compiles it while lsprotocol is imported, and cattrs does the same for the converter of each
message type the server meets: compiling is ~40 % of importing lsprotocol, about a sixth of the
time from the process's start to its ``initialize`` answer. The source is the same from one run
to the next, so its code object is too. It is kept in a file under the user's cache directory,
as Python keeps a module's bytecode in ``__pycache__``, keyed by the name attrs gives the
source, a digest of the source and the compiler flags. A missing, damaged or foreign file only
means compiling as before; the file is rewritten when a run compiled something new.

Only the names ``compile`` in ``attr._make`` and ``cattrs.gen`` are shadowed: no other code,
and no other call of theirs (another mode, other arguments), goes through here.
"""

# No ``from __future__`` import here: the generated code must be compiled with its caller's
# future flags (passed explicitly below), not this module's.

import __future__

import builtins
import contextlib
import hashlib
import logging
import marshal
import os
import stat
import sys
from pathlib import Path
from types import CodeType
from typing import Any

log = logging.getLogger(__name__)

#: The modules whose ``compile`` is served from the cache.
SHADOWED = ("attr._make", "cattrs.gen")
#: Bumped when the file's layout changes: a file of another layout is ignored.
FORMAT = 2
_FUTURE_FLAGS = 0
for _feature in __future__.all_feature_names:
    _FUTURE_FLAGS |= getattr(__future__, _feature).compiler_flag

Key = tuple[str, bytes, int]


def cache_dir() -> Path:
    """``$DEEPSEEK_LSP_CACHE_DIR``, else the platform's user cache directory."""
    env = os.environ.get("DEEPSEEK_LSP_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("deepseek-lsp", appauthor=False))


def cache_file(directory: Path) -> Path:
    # Bytecode differs between Python versions and with -O (asserts are compiled out).
    return directory / f"generated-code.{sys.implementation.cache_tag}-O{sys.flags.optimize}.marshal"


def _own_private_file(st: os.stat_result) -> bool:
    if not hasattr(os, "getuid"):  # Windows: the user's profile folder is private already
        return True
    return st.st_uid == os.getuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


class CodeCache:
    """Code by ``(file name, source digest, future flags)``.

    Entries stay marshalled until asked for: unmarshalled at once, the ~750 of them added
    ~1.9 MB to the resident set, which has 150 MB to stay within (tests/bench/bench_memory.py);
    this way, 0.3 MB."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.hits = 0
        self.misses = 0
        self._stored: dict[Key, bytes] = self._read()
        #: Compiled in this run, not in the file yet.
        self._new: dict[Key, CodeType] = {}
        #: Used in this run and held by the file (taken from it, or written to it by save). Only
        #: a module's code is kept here: its functions' code is theirs, shared.
        self._taken: dict[Key, CodeType] = {}

    def _read(self) -> dict[Key, bytes]:
        try:
            with open(self.path, "rb") as f:
                if not _own_private_file(os.fstat(f.fileno())):
                    # Code from this file runs: one another user could have written (a cache
                    # directory set to a shared folder) is not taken, as ssh refuses such keys.
                    log.warning("generated-code cache %s ignored: not private to this user", self.path)
                    return {}
                data = f.read()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            log.debug("generated-code cache not read: %s", exc)
            return {}
        try:
            layout, entries = marshal.loads(data)
            if layout != FORMAT or not isinstance(entries, dict):
                return {}
            return {k: v for k, v in entries.items() if isinstance(v, bytes)}
        except Exception as exc:  # a torn or foreign file: compile as before, rewrite it later
            log.debug("generated-code cache %s ignored: %s", self.path, exc)
            return {}

    def compile(
        self, source: Any, filename: Any, mode: Any, flags: int = 0, dont_inherit: bool = False, optimize: int = -1
    ) -> Any:
        # compile() takes its caller's future imports (attr._make's ``annotations``) unless told
        # not to: called from here it would take this module's instead, so they are passed on.
        if not dont_inherit:
            flags |= sys._getframe(1).f_code.co_flags & _FUTURE_FLAGS
        if (
            mode != "exec" or optimize != -1 or not isinstance(source, str) or not isinstance(filename, str)
            # attrs' __hash__ holds the hash of a string, which differs from run to run: such
            # code never comes again (and would have the file rewritten at every start).
            or "def __hash__" in source
        ):
            return builtins.compile(source, filename, mode, flags, True, optimize)
        key = (filename, hashlib.blake2b(source.encode("utf-8", "surrogatepass"), digest_size=16).digest(), flags)
        code = self._take(key)
        if code is not None:
            self.hits += 1
            return code
        code = self._new.get(key)
        if code is None:
            self.misses += 1
            self._new[key] = code = builtins.compile(source, filename, mode, flags, True)
        return code

    def _take(self, key: Key) -> CodeType | None:
        # cattrs makes the same hook for each of two converters: the second asks again.
        code = self._taken.get(key)
        if code is not None:
            return code
        blob = self._stored.pop(key, None)
        if blob is None:
            return None
        try:
            code = marshal.loads(blob)
        except Exception:
            return None
        if not isinstance(code, CodeType) or code.co_filename != key[0]:
            return None
        self._taken[key] = code
        return code

    @property
    def dirty(self) -> bool:
        return bool(self._new)

    def save(self) -> None:
        """Add what this run compiled to the file, if anything; never raises."""
        if not self.dirty:
            return
        # Read again: another server may have added its own since. What this run did not need
        # stays (a run without reviews keeps the review's code for the next), except an older
        # version of what it compiled anew (a library upgraded). One name can hold several
        # sources in a run (cattrs names a class's hook the same for each converter): all of them
        # stay.
        renewed = {filename for filename, _, _ in self._new}
        entries = {k: v for k, v in self._read().items() if k[0] not in renewed or k in self._taken}
        entries.update((k, marshal.dumps(code)) for k, code in self._new.items())
        from .storage import replace_file  # here: sqlite3 is not needed to start

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            # Servers writing at once each write a whole file; the last one stays.
            replace_file(self.path, marshal.dumps((FORMAT, entries)), prefix=".generated-code.")
        except Exception as exc:
            log.debug("generated-code cache not written to %s: %s", self.path, exc)
            return
        self._taken.update(self._new)
        self._new.clear()


_active: CodeCache | None = None


def install(directory: Path | None = None) -> CodeCache | None:
    """Serve attrs' and cattrs' compiling from the cache; call before lsprotocol is imported.
    ``None`` (and nothing changed) when the cache cannot be set up."""
    global _active
    if _active is not None:
        return _active
    try:
        import importlib

        cache = CodeCache(cache_file(directory or cache_dir()))
        for name in SHADOWED:
            importlib.import_module(name).compile = cache.compile
    except Exception as exc:
        log.debug("generated-code cache not used: %s", exc)
        uninstall()
        return None
    _active = cache
    return cache


def uninstall() -> None:
    global _active
    for name in SHADOWED:
        module = sys.modules.get(name)
        if module is not None and "compile" in vars(module):
            with contextlib.suppress(AttributeError):
                delattr(module, "compile")
    _active = None


def counts() -> dict[str, int]:
    """How much generated code the installed cache served and compiled (zeros if none is)."""
    cache = _active
    return {"hits": cache.hits, "misses": cache.misses} if cache else {"hits": 0, "misses": 0}


def save() -> None:
    """Write what the installed cache compiled anew, if anything."""
    if _active is not None:
        _active.save()
