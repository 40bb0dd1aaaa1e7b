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
and no other call of theirs (another mode, other arguments), goes through here. ``dataclasses``
writes its classes' methods the same way and runs them with ``exec`` of the source: its name
``exec`` is shadowed too (the server's own ~110 dataclasses, ~470 sources: 67 ms of CPU at every
start), their code kept by the module the class is in.

Regular expressions are kept the same way. The server compiles ~330 at its start (secret
redaction's alone grow with every form it learns), ~50 ms of it, and ``re`` keeps them only
for the process. What the regular expression compiler makes of a pattern (the program
``_sre.compile`` takes, a list of integers, and its groups) is kept by pattern and flags; a
later start hands it to ``_sre.compile``, which checks the program as it builds the pattern
object. Only ``re``'s compiling of a pattern not in its own cache comes here, and only what
is compiled until the start is over (:func:`started`) is added to the file: later patterns are
made of the user's text (a heredoc's end, the names in a file) and would have grown the file
with every session.

A module may keep a value it derives from its own constants at import the same way
(:func:`kept_value`): secret redaction's table of the words each of its ~200 patterns needs,
read by parsing every pattern again (~50 ms of each start). The value is kept under a digest
of all it is made from (the patterns, the deriving module's source, Python's version), so a
change to any of them makes it anew; one that is not as its module checks it is made anew too.
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
import re
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from types import CodeType
from typing import Any, TypeVar

log = logging.getLogger(__name__)

#: The modules whose ``compile`` is served from the cache.
SHADOWED = ("attr._make", "cattrs.gen")
#: The modules whose ``exec`` of source is.
EXEC_SHADOWED = ("dataclasses",)
#: A dataclass's code is kept under this and its module's name (``<string>`` names them all):
#: a module's new version replaces its own code in the file, not every module's.
DATACLASS_PREFIX = "<dataclass "
#: Bumped when the file's layout changes: a file of another layout is ignored.
FORMAT = 2
_FUTURE_FLAGS = 0
for _feature in __future__.all_feature_names:
    _FUTURE_FLAGS |= getattr(__future__, _feature).compiler_flag

Key = tuple[str, bytes, int]
#: ``_sre.compile``'s arguments after the pattern: flags, program, groups, group index and names.
PatternArgs = tuple[int, list[int], int, dict[str, int], tuple[str | None, ...]]
#: Patterns kept at most, beyond those the run that writes the file used (~310 at a start).
MAX_PATTERNS = 1024
#: Key names of patterns start so (a generated file's name cannot: attrs and cattrs use ``<...>``).
PATTERN_PREFIX = "re:"
#: Key names of values a module keeps (see :func:`kept_value`): one entry a name, its digest
#: telling its version apart (a new one replaces the old in the file, as a dataclass's code does).
VALUE_PREFIX = "value:"
T = TypeVar("T")


def _held(key: Key, code: CodeType) -> CodeType | None:
    return None if key[0].startswith(DATACLASS_PREFIX) else code


def _digest(source: str) -> bytes:
    return hashlib.blake2b(source.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def pattern_key(pattern: str | bytes, flags: int) -> Key:
    kind = b"s" if isinstance(pattern, str) else b"b"
    text = pattern.encode("utf-8", "surrogatepass") if isinstance(pattern, str) else pattern
    return (PATTERN_PREFIX + hashlib.blake2b(kind + text, digest_size=16).hexdigest(), b"", flags)


def _re_compiler() -> Any:
    """The module whose ``compile`` turns a pattern into a pattern object (3.10: ``sre_compile``)."""
    compiler = getattr(re, "_compiler", None)
    if compiler is None:  # pragma: no cover - Python 3.10
        import sre_compile as compiler
    return compiler


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
        self.pattern_hits = 0
        self.pattern_misses = 0
        #: Apart from attrs' and cattrs' (whose count tells the converter's hooks made).
        self.dataclass_hits = 0
        self.dataclass_misses = 0
        self.value_hits = 0
        self.value_misses = 0
        self._stored: dict[Key, bytes] = self._read()
        #: Compiled in this run, not in the file yet.
        self._new: dict[Key, Any] = {}  # code, a pattern's arguments or a module's value
        #: Used in this run and held by the file (taken from it, or written to it by save). Only
        #: a module's code is kept here: its functions' code is theirs, shared. A dataclass's
        #: is not (None): each is asked for once (held, 0.6 MB more resident at the start; not held, 0.15).
        self._taken: dict[Key, CodeType | None] = {}
        #: The same for patterns, only their keys: the pattern object has its own copy of the
        #: program (kept, the programs would add a few hundred kB to the resident set).
        self._patterns_taken: set[Key] = set()
        #: The values taken from the file (asked again, the same value).
        self._values_taken: dict[Key, Any] = {}
        #: New patterns are added to the file until the start is over (see the module's doc).
        self.recording_patterns = True
        self._compiler = _re_compiler()
        #: ``re``'s own, for what is not kept (and if keeping fails).
        self.compile_pattern_as_before = self._compiler.compile

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
        code, taken = self._code((filename, _digest(source), flags), source, filename)
        if taken is not None:
            self.hits += taken
            self.misses += not taken
        return code

    def exec(self, source: Any, globals: Any = None, locals: Any = None, /) -> None:
        """``dataclasses``' ``exec`` of the methods it writes, compiled as ``exec`` would have
        (its caller's future imports, ``<string>``), from the file when it was kept."""
        module = globals.get("__name__") if isinstance(globals, dict) else None
        if not isinstance(source, str) or not isinstance(module, str):
            return builtins.exec(source, globals, locals)
        flags = sys._getframe(1).f_code.co_flags & _FUTURE_FLAGS
        code, taken = self._code((f"{DATACLASS_PREFIX}{module}>", _digest(source), flags), source, "<string>")
        if taken is not None:
            self.dataclass_hits += taken
            self.dataclass_misses += not taken
        return builtins.exec(code, globals, locals)

    def _code(self, key: Key, source: str, filename: str) -> tuple[CodeType, bool | None]:
        """The code of ``source``, and whether it was taken from the file (True), compiled to be
        added to it (False) or neither (None: compiled again, or made earlier in this run)."""
        code = self._take(key, filename)
        if code is not None:
            return code, True
        if key in self._taken:  # asked again, not held: in the file already
            return builtins.compile(source, filename, "exec", key[2], True), None
        new = self._new.get(key)
        if isinstance(new, CodeType):
            return new, None
        self._new[key] = code = builtins.compile(source, filename, "exec", key[2], True)
        return code, False

    def _take(self, key: Key, filename: str) -> CodeType | None:
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
        if not isinstance(code, CodeType) or code.co_filename != filename:
            return None
        self._taken[key] = _held(key, code)
        return code

    def compile_pattern(self, pattern: Any, flags: int = 0) -> Any:
        """``re``'s compiling of ``pattern``, from the file when it was kept."""
        if not isinstance(pattern, (str, bytes)) or flags & re.DEBUG:  # it prints as it compiles
            return self.compile_pattern_as_before(pattern, flags)
        flags = int(flags)
        key = pattern_key(pattern, flags)
        args = self._take_pattern(key)
        if args is not None:
            try:
                compiled = self._compiler._sre.compile(pattern, *args)
            except Exception:  # a program _sre refuses: compiled as before below, and kept
                self._patterns_taken.discard(key)
            else:
                self.pattern_hits += 1
                return compiled
        if key in self._patterns_taken or not self.recording_patterns:
            # Asked again once ``re``'s own cache let it go, or made after the start.
            return self.compile_pattern_as_before(pattern, flags)
        try:
            args = self._pattern_args(pattern, flags)
            compiled = self._compiler._sre.compile(pattern, *args)
        except Exception:
            # Not as this module knows re's compiler (another Python): re's own way, not kept.
            return self.compile_pattern_as_before(pattern, flags)
        self.pattern_misses += 1
        self._new[key] = args
        return compiled

    def _pattern_args(self, pattern: str | bytes, flags: int) -> PatternArgs:
        """What ``re``'s compiler passes ``_sre.compile`` after the pattern (the same steps)."""
        compiler = self._compiler
        parser = getattr(compiler, "_parser", None) or compiler.sre_parse
        parsed = parser.parse(pattern, flags)
        # Plain ints: opcodes come as an int subclass, which marshal cannot write.
        program = [int(op) for op in compiler._code(parsed, flags)]
        groupindex = dict(parsed.state.groupdict)
        names: list[str | None] = [None] * parsed.state.groups
        for name, index in groupindex.items():
            names[index] = name
        return (int(flags | parsed.state.flags), program, parsed.state.groups - 1, groupindex, tuple(names))

    def _take_pattern(self, key: Key) -> PatternArgs | None:
        new = self._new.get(key)
        if isinstance(new, tuple):
            return new
        blob = self._stored.pop(key, None)
        if blob is None:
            return None
        try:
            args = marshal.loads(blob)
        except Exception:
            return None
        if not (isinstance(args, tuple) and len(args) == 5 and isinstance(args[1], list)):
            return None
        self._patterns_taken.add(key)
        return args

    def value(self, name: str, digest: bytes, make: Callable[[], T], valid: Callable[[Any], bool]) -> T:
        """The value kept under ``name`` and ``digest`` if ``valid`` takes it, else ``make()``,
        kept for the next run (see :func:`kept_value`)."""
        key = (VALUE_PREFIX + name, digest, 0)
        for earlier in (self._new, self._values_taken):
            if key in earlier:
                return earlier[key]  # type: ignore[no-any-return]
        blob = self._stored.pop(key, None)
        if blob is not None:
            try:
                kept = marshal.loads(blob)
                taken = valid(kept)
            except Exception:
                taken = False
            if taken:
                self._values_taken[key] = kept
                self.value_hits += 1
                return kept  # type: ignore[no-any-return]
        made = make()
        self.value_misses += 1
        self._new[key] = made
        return made

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
        taken = self._patterns_taken | self._values_taken.keys()
        entries = {k: v for k, v in self._read().items() if k[0] not in renewed or k in self._taken or k in taken}
        patterns = [k for k in entries if k[0].startswith(PATTERN_PREFIX)]
        if len(patterns) + len(self._new) > MAX_PATTERNS:
            # Those of older versions (a pattern changed has a new key) pile up over upgrades.
            for k in patterns:
                if k not in self._patterns_taken:
                    del entries[k]
        written = {}
        for k, value in self._new.items():
            with contextlib.suppress(ValueError):  # not marshallable: left out, compiled again
                written[k] = marshal.dumps(value)
        entries.update(written)
        from .storage import replace_file  # here: sqlite3 is not needed to start

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            # Servers writing at once each write a whole file; the last one stays.
            replace_file(self.path, marshal.dumps((FORMAT, entries)), prefix=".generated-code.")
        except Exception as exc:
            log.debug("generated-code cache not written to %s: %s", self.path, exc)
            return
        for k, v in self._new.items():
            if isinstance(v, CodeType):
                self._taken[k] = _held(k, v)
            elif k in written and k[0].startswith(VALUE_PREFIX):
                self._values_taken[k] = v
            elif k in written:
                self._patterns_taken.add(k)
        self._new.clear()


_active: CodeCache | None = None


def install(directory: Path | None = None) -> CodeCache | None:
    """Serve attrs', cattrs' and dataclasses' compiling from the cache; call before lsprotocol
    and the server's modules are imported.
    ``None`` (and nothing changed) when the cache cannot be set up."""
    global _active
    if _active is not None:
        return _active
    try:
        import importlib

        cache = CodeCache(cache_file(directory or cache_dir()))
        for name in SHADOWED:
            importlib.import_module(name).compile = cache.compile
        for name in EXEC_SHADOWED:
            importlib.import_module(name).exec = cache.exec
        cache._compiler.compile = cache.compile_pattern
    except Exception as exc:
        log.debug("generated-code cache not used: %s", exc)
        uninstall()
        return None
    _active = cache
    return cache


def uninstall() -> None:
    global _active
    if _active is not None:
        _active._compiler.compile = _active.compile_pattern_as_before
    for names, shadowed in ((SHADOWED, "compile"), (EXEC_SHADOWED, "exec")):
        for name in names:
            module = sys.modules.get(name)
            if module is not None and shadowed in vars(module):
                with contextlib.suppress(AttributeError):
                    delattr(module, shadowed)
    _active = None


def started() -> None:
    """The start is over: patterns compiled from now on are not added to the file."""
    if _active is not None:
        _active.recording_patterns = False


def kept_value(name: str, digest: bytes, make: Callable[[], T], valid: Callable[[Any], bool]) -> T:
    """What ``make()`` returns, taken from the installed cache's file when a run before kept it
    under ``name`` and ``digest`` and ``valid`` takes it. ``digest`` must change with all the
    value is made from: a value kept under it is used as made. The value is kept with marshal
    (numbers, strings, tuples, lists, sets, dicts, None). Without a cache, ``make()``."""
    if _active is None:
        return make()
    return _active.value(name, digest, make, valid)


def counts() -> dict[str, int]:
    """How much generated code, how many regular expressions and how many modules' values the
    installed cache served and made (zeros if none is)."""
    cache = _active
    if cache is None:
        return {"hits": 0, "misses": 0, "patternHits": 0, "patternMisses": 0, "dataclassHits": 0,
                "dataclassMisses": 0, "valueHits": 0, "valueMisses": 0}
    return {"hits": cache.hits, "misses": cache.misses,
            "patternHits": cache.pattern_hits, "patternMisses": cache.pattern_misses,
            "dataclassHits": cache.dataclass_hits, "dataclassMisses": cache.dataclass_misses,
            "valueHits": cache.value_hits, "valueMisses": cache.value_misses}


def save() -> None:
    """Write what the installed cache compiled anew, if anything."""
    if _active is not None:
        _active.save()
