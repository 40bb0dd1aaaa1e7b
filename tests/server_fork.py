"""Start the language server for the end-to-end tests by forking a process that has already
imported it, instead of a new interpreter importing it again for every test.

A server's own start is mostly imports (lsprotocol, the features, tree-sitter, tokenizers):
1-1.5 s of CPU an ``lsp_session`` on an idle machine, 3-4 s on a loaded one, and the suite
starts a few hundred. ``serve`` (the zygote, one per test run) imports what the server
imports and waits; ``launch`` is what the test starts as "the server process": a bare
interpreter that hands its stdin, stdout and stderr, its arguments, environment and working
directory to the zygote, which forks a child that runs ``deepseek_lsp.cli.main`` on them. The
launcher then stands for that child: a signal it gets is passed on, it exits with the child's
status (killed by a signal, it kills itself with it), and killed itself (SIGKILL cannot be
passed on) the zygote kills the child. Its copies of the three streams are closed, so the
test sees the server's stdout end when the server does.

The zygote also loads DeepSeek's tokenizer (0.6 s of CPU, the GIL held, in every server
otherwise): a child starts with it loaded, as a server a second after its start has it. A test of
what happens before it has loaded sets ``COLD_TOKENIZER`` in the server's environment. It
makes the hooks of every LSP type in the servers' shared converter (``deepseek_lsp.protocol.
converter``) and freezes its heap before forking: a child made ~130 hooks as its session met
them and its start's full collection walked the zygote's heap, both in its first suggestion's
way (270 -> 84 ms at load 11, tests/bench/bench_first_request.py).

What the child does not share with a new process is what was set while importing: the
harness uses this only when the variables read then (``IMPORT_TIME_VARIABLES``) are the
zygote's, and tests of the start itself (the code cache, the heap freeze, exit statuses,
signals) start the real command (:mod:`tests.raw_lsp`). Should the zygote be gone, the
launcher runs the real server in its place.

Only the standard library is imported here until ``serve`` runs: the launcher starts in ~20 ms.
"""

from __future__ import annotations

import gc
import json
import os
import re
import select
import signal
import socket
import struct
import sys
from typing import Any

#: Variables read while the interpreter starts or the server's modules are imported (paths,
#: the allocator, the locale and its stdio encoding, the code cache's folder).
IMPORT_TIME_VARIABLES = re.compile(r"^(PYTHON\w*|LD_\w*|MALLOC_\w*|LC_\w*|XDG_\w*|LANG|LANGUAGE|HOME|TMPDIR|DEEPSEEK_LSP_CACHE_DIR)$")
_LENGTH = struct.Struct("!I")
#: Set in a server's environment: it loads the tokenizer itself, as a server not forked does.
COLD_TOKENIZER = "DEEPSEEK_TEST_COLD_TOKENIZER"
#: Set in a server's environment: a JSON object of module constants to set before ``main`` runs,
#: ``{"deepseek_lsp.editor_settings:CONFIGURATION_TIMEOUT_S": 0.5}``: a test of what happens when
#: a 5 s or 20 s limit passes waits a fraction of it (as a test in-process monkeypatches it).
CONSTANTS = "DEEPSEEK_TEST_CONSTANTS"
#: Set in a server's environment to a language ID: that language's queries come compiled (by
#: the zygote, once a test run), as a server has them once its documents' opens compiled them.
#: For tests of what a suggestion is, one request a server: compiling them at its first open
#: took 2-3 s of each such test at load 15, its request waiting for it. Tests of the compiling
#: leave it unset.
WARM_QUERIES = "DEEPSEEK_TEST_WARM_QUERIES"
#: Signals the launcher passes on to the server (the others end it as they end any process).
FORWARDED = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2)


def import_time_environment(env: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if IMPORT_TIME_VARIABLES.match(k)}


# -- launcher ---------------------------------------------------------------------------------


def launch(path: str, args: list[str]) -> int:
    job = json.dumps({"argv": args, "env": dict(os.environ), "cwd": os.getcwd()}).encode()
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.connect(path)
        socket.send_fds(conn, [_LENGTH.pack(len(job)) + job], [0, 1, 2])
        pid = int(_read_line(conn))
    except (OSError, ValueError):
        conn.close()
        # No zygote: the real command, with the streams still this process's own (the
        # constants set in it first, where the test set some).
        if os.environ.get(CONSTANTS):
            os.execv(sys.executable, [sys.executable, __file__, "run", "-", *args])
        os.execv(sys.executable, [sys.executable, "-m", "deepseek_lsp", *args])
    for signum in FORWARDED:
        signal.signal(signum, lambda n, _f: os.kill(pid, n))
    # Only the server holds the streams now: its stdout ends when it does, not when this does.
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    try:
        code = int(_read_line(conn) or "1")
    except (OSError, ValueError):
        code = 1
    if code < 0:  # killed by a signal: so is this process
        signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
    return code


def _read_line(conn: socket.socket) -> str:
    data = b""
    while not data.endswith(b"\n"):
        try:
            chunk = conn.recv(64)
        except InterruptedError:
            continue
        if not chunk:
            break
        data += chunk
    return data.decode().strip()


# -- zygote -----------------------------------------------------------------------------------


def preload() -> None:
    """Import what a server imports by the end of its first requests, as ``cli.main`` does,
    and load the tokenizer it loads after ``initialized``."""
    from deepseek_lsp import code_cache, heap

    heap.fix_mmap_threshold()
    code_cache.install()
    import anyio._core._sockets  # noqa: F401  (httpcore's network backend, at the first request)
    import tokenizers  # noqa: F401  (imported, not loaded: that stays the server's own doing)

    import deepseek_lsp.cli
    import deepseek_lsp.completion.feature
    import deepseek_lsp.log
    import deepseek_lsp.review.feature
    import deepseek_lsp.server

    deepseek_lsp.cli.build_parser()
    # Once here, not in each child: 0.6 s of CPU a server start (a few hundred a test run),
    # during which the GIL held the child's first answers back. Loading starts no thread:
    # the zygote forks with its one thread, as before.
    from deepseek_lsp.model.tokens import default_counter

    default_counter()
    warm_converter()
    code_cache.save()
    heap.trim()
    freeze()


def warm_converter() -> None:
    """The hooks of every LSP type, both ways, in the servers' shared converter: a child made
    the ~130 a session meets as it met them (~0.2 s at load 15, its first suggestion waiting
    for those of its answer and of the open before it). Every type, not each message's: a
    field's type behind a union (``Optional``) is looked up as its value is met. 0.4-0.9 s of
    CPU here, once a test run."""
    import attrs
    from cattrs.errors import StructureHandlerNotFoundError
    from lsprotocol import types
    from pygls.protocol import json_rpc

    from deepseek_lsp.protocol import converter

    conv = converter()
    # pygls' own messages (its answers) too, and the plain dicts and lists a message's
    # ``Any`` (a result, a setting) holds.
    modules = (types, json_rpc)
    classes = [cls for m in modules for cls in vars(m).values() if isinstance(cls, type) and attrs.has(cls)]
    classes += [dict, list]
    # Twice: cattrs empties its cache of hooks whenever it registers one for a list type met
    # for the first time, so after one pass it held the last 64 of ~600 (and a child met
    # ``dict`` and ``list`` after ``initialized``, making the rest again); the second pass
    # finds them registered and keeps every hook.
    for _ in range(2):
        for cls in classes:
            conv.get_unstructure_hook(cls)
            try:
                conv.get_structure_hook(cls)
            except StructureHandlerNotFoundError:  # a type only servers send (two of 554)
                pass


def freeze() -> None:
    """What the zygote holds, out of its children's cycle collector: each child's first full
    collection (``Collector.started``, after ``initialized``) walked all of it, writing to each
    object's header and so copying its pages (0.2-0.3 s at load 15, the first suggestion
    waiting for it)."""
    gc.collect()
    gc.freeze()


def serve(path: str) -> dict[str, Any] | None:
    """Accept jobs on ``path`` until stdin ends (the test run is over). Returns only in a
    forked child: its job, for :func:`run_child`."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(64)
    preload()  # after listening: a first launcher waits in the backlog meanwhile
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    signal.set_wakeup_fd(wake_w)
    children: dict[int, socket.socket] = {}
    while True:
        try:
            readable, _, _ = select.select([listener, wake_r, sys.stdin, *children.values()], [], [])
        except InterruptedError:
            continue
        if sys.stdin in readable and not os.read(sys.stdin.fileno(), 4096):
            os.unlink(path)
            os.rmdir(os.path.dirname(path))  # the harness made it for the socket alone
            return None
        if wake_r in readable:
            os.read(wake_r, 4096)
        for conn in [c for c in readable if c in children.values()]:
            if not conn.recv(64):  # the launcher was killed: so is its server
                pid = next(p for p, c in children.items() if c is conn)
                os.kill(pid, signal.SIGKILL)
        _reap(children)
        if listener in readable:
            conn, _ = listener.accept()
            try:
                job, fds = _receive(conn)
            except (OSError, ValueError):
                conn.close()
                continue
            if job["env"].get(WARM_QUERIES):
                compile_queries(job["env"][WARM_QUERIES])  # here, once: each child after has them
                freeze()
            pid = os.fork()
            if pid == 0:
                for sock in (listener, conn, *children.values()):
                    sock.close()
                signal.set_wakeup_fd(-1)
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                os.close(wake_r)
                os.close(wake_w)
                for fd, target in zip(fds, (0, 1, 2), strict=True):
                    os.dup2(fd, target)
                    os.close(fd)
                return job
            for fd in fds:
                os.close(fd)
            children[pid] = conn
            try:
                conn.sendall(f"{pid}\n".encode())
            except OSError:
                os.kill(pid, signal.SIGKILL)


_registry: Any = None
#: Each language's compiled queries and query problems, by name, for the languages compiled so far.
_compiled: dict[str, tuple[dict[str, Any], dict[str, str]]] = {}


def compile_queries(language_id: str) -> None:
    """The queries of the language of ``language_id`` compiled, once a test run (compiling every
    language's took 35 s of a worker's first test at load 15)."""
    global _registry
    from deepseek_lsp.languages import QUERY_KINDS, LanguageError, LanguageRegistry

    if _registry is None:
        _registry = LanguageRegistry.load()
    lang = _registry._by_id.get(language_id)
    if lang is None or lang.name in _compiled:
        return
    try:
        for kind in QUERY_KINDS:
            lang.query(kind)
    except LanguageError:  # no grammar: the server tells it as it would
        return
    _compiled[lang.name] = (lang._queries, lang.query_problems)


def take_compiled_queries() -> None:
    """Every registry of the grammars folder the server loads starts with the zygote's compiled
    queries (its languages' own objects: a registry's state stays its own)."""
    from deepseek_lsp.languages import LanguageRegistry, grammars_root

    load = LanguageRegistry.load.__func__  # type: ignore[attr-defined]
    compiled = _compiled

    def warm_load(cls: type[LanguageRegistry], root: Any = None) -> LanguageRegistry:
        registry = load(cls, root)
        if root is None or root == grammars_root():
            for lang in registry:
                if lang.name in compiled:
                    queries, problems = compiled[lang.name]
                    lang._queries.update(queries)
                    lang.query_problems.update(problems)
        return registry

    LanguageRegistry.load = classmethod(warm_load)  # type: ignore[method-assign, assignment]


def _receive(conn: socket.socket) -> tuple[dict[str, Any], list[int]]:
    data, fds, _, _ = socket.recv_fds(conn, 1 << 16, 3)
    if len(fds) != 3 or len(data) < _LENGTH.size:
        for fd in fds:
            os.close(fd)
        raise ValueError("not a job")
    (length,) = _LENGTH.unpack_from(data)
    data = data[_LENGTH.size :]
    while len(data) < length:
        chunk = conn.recv(length - len(data))
        if not chunk:
            raise ValueError("a job cut short")
        data += chunk
    return json.loads(data), fds


def _reap(children: dict[int, socket.socket]) -> None:
    while children:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        conn = children.pop(pid, None)
        if conn is not None:
            try:
                conn.sendall(f"{os.waitstatus_to_exitcode(status)}\n".encode())
            except OSError:
                pass
            conn.close()


def run_child(job: dict[str, Any]) -> int:
    """The server's ``main`` in the forked child, as ``python -m deepseek_lsp ARGS`` runs it."""
    import random

    from deepseek_lsp.cli import main

    os.chdir(job["cwd"])
    sys.path[0] = job["cwd"]  # as ``python -m`` puts it, not this file's folder
    os.environ.clear()
    os.environ.update(job["env"])
    if os.environ.pop(COLD_TOKENIZER, None):
        from deepseek_lsp.model import tokens

        tokens._default = None  # loaded by the server after `initialized`, as outside the tests
    if os.environ.pop(WARM_QUERIES, None):
        take_compiled_queries()
    set_constants()
    sys.argv = ["deepseek-lsp", *job["argv"]]
    random.seed()  # not the zygote's sequence, the same in every child
    return main(job["argv"])


def set_constants() -> None:
    """The module constants ``CONSTANTS`` names, set (and the variable dropped, as the server's
    own environment never has it). A name the module lacks fails the start: a constant renamed
    would otherwise leave the test waiting the real limit, passing slowly."""
    import importlib

    for target, value in json.loads(os.environ.pop(CONSTANTS, None) or "{}").items():
        module_name, name = target.split(":")
        module = importlib.import_module(module_name)
        if not hasattr(module, name):
            raise SystemExit(f"{CONSTANTS}: {module_name} has no {name}")
        setattr(module, name, value)


def run(args: list[str]) -> int:
    """``python -m deepseek_lsp ARGS`` with the test's constants set: a server not forked."""
    from deepseek_lsp.cli import main

    sys.path[0] = os.getcwd()
    set_constants()
    sys.argv = ["deepseek-lsp", *args]
    return main(args)


def end_child(code: int | str | None) -> None:
    """End the forked child as an interpreter running the command would, bar the teardown of
    its heap: its threads joined, its logs flushed (atexit), its streams flushed, its exit
    status ``sys.exit``'s. The teardown freed the zygote's whole heap (the tokenizer, every
    module) page by page, each page copied from the zygote's first: 1.5-2 s of wall time after
    each forked command's last word at load 12-18 (a usage error: 0.07 s to say it, 2 s to
    end), where a new interpreter's command has a small heap of its own and a server's LSP
    exit skips it (``os._exit``). What only the teardown says (an object's ``__del__``, a
    ResourceWarning) goes unsaid here: tests of that run ``python -m deepseek_lsp``."""
    import atexit
    import threading

    # What the interpreter's ending runs first: the executors' own exit hooks (a process
    # pool's workers joined: doctor's language check), then the threads joined.
    threading._shutdown()  # type: ignore[attr-defined]
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:
        # A reader gone (a closed pipe): the interpreter's own ending says it and sets the
        # status, as it does for the command outside the tests.
        sys.exit(code)
    if code is None:
        os._exit(0)
    if isinstance(code, int):
        os._exit(code & 0xFF)
    print(code, file=sys.stderr, flush=True)  # sys.exit("message"): said, status 1
    os._exit(1)


if __name__ == "__main__":
    mode, socket_path, *rest = sys.argv[1:]
    if mode == "run":
        sys.exit(run(rest))
    if mode == "launch":
        sys.exit(launch(socket_path, rest))
    child_job = serve(socket_path)
    if child_job is None:
        sys.exit(0)
    # The child leaves serve() and ends as an interpreter running the command would.
    try:
        status: int | str | None = run_child(child_job)
    except SystemExit as stop:
        status = stop.code  # type: ignore[assignment]
    end_child(status)
