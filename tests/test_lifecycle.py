"""The server goes away with its editor, survives malformed input, and leaks nothing.

The servers are forked from the test run's zygote (tests/server_fork.py): what is asked here
is what the server does with the messages, its streams and its editor, which the forked child
does as a new process would (its streams, signals and exit status are the child's, passed on
by the launcher). A new interpreter's start cost 2-5 s of CPU a test. Two tests keep the real
command, so that the statuses ``python -m deepseek_lsp`` itself exits with stay pinned."""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
import threading
from typing import Any

import pytest

from deepseek_lsp.model import Ledger
from deepseek_lsp.model.ledger import DB_NAME
from tests.fake_deepseek import DEFAULT_KEY
from tests.harness import cli_command, server_env
from tests.raw_lsp import START_S, RawServer
from tests.server_fork import CONSTANTS

#: The editor's process looked at every 0.1 s, not every 3 s: the tests of the watch see it
#: end the server (or not) without waiting out the product's period (none pins the period).
QUICK_WATCH = {CONSTANTS: json.dumps({"deepseek_lsp.server:PARENT_CHECK_S": 0.1})}


def test_exits_when_stdin_closes(tmp_path) -> None:
    server = RawServer(server_env("http://127.0.0.1:9", state_dir=str(tmp_path)), forked=True)
    try:
        server.initialize()
        assert server.proc.stdin is not None
        server.proc.stdin.close()
        assert server.wait_exit(10) is not None
    finally:
        server.kill()


def test_exits_when_the_editor_process_is_gone(tmp_path) -> None:
    editor = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    server = RawServer(server_env("http://127.0.0.1:9", state_dir=str(tmp_path), **QUICK_WATCH), forked=True)
    try:
        server.initialize(process_id=editor.pid)
        assert server.wait_exit(1) is None  # still serving while the editor lives
        editor.kill()
        editor.wait()
        assert server.wait_exit(10) is not None
    finally:
        editor.kill()
        server.kill()


def test_shutdown_then_exit_returns_zero(tmp_path) -> None:
    server = RawServer(server_env("http://127.0.0.1:9", state_dir=str(tmp_path)))
    try:
        server.initialize()
        assert "error" not in server.call("shutdown")
        server.notify("exit")
        assert server.wait_exit(10) == 0
    finally:
        server.kill()


def test_malformed_json_rpc_does_not_kill_the_server(tmp_path) -> None:
    server = RawServer(server_env("http://127.0.0.1:9", state_dir=str(tmp_path)), forked=True)
    try:
        server.initialize()
        body = b"{not json"
        server.send_raw(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        server.send({"jsonrpc": "2.0", "id": 77, "method": "textDocument/inlineCompletion", "params": {"bogus": 1}})
        server.send({"jsonrpc": "2.0", "id": 78, "method": "no/such/method", "params": {}})
        server.send({"jsonrpc": "2.0", "id": 79, "method": "textDocument/inlineCompletion", "params": {
            "textDocument": {"uri": "file:///never-opened.py"}, "position": {"line": 3, "character": 9},
            "context": {"triggerKind": 2}}})
        assert "error" in server.response(77)
        assert server.response(78)["error"]["code"] == -32601
        assert server.response(79)["result"]["items"] == []
        # Still alive and answering.
        state = server.call("deepseek/debugState")["result"]
        assert state["documents"] == 0
        assert server.proc.poll() is None
    finally:
        server.kill()


def test_before_initialize_requests_get_an_error_and_notifications_are_dropped(tmp_path) -> None:
    server = RawServer(server_env("http://127.0.0.1:9", state_dir=str(tmp_path)), forked=True)
    try:
        server.notify("textDocument/didOpen", {"textDocument": {
            "uri": "file:///w/early.py", "languageId": "python", "version": 1, "text": "x = 1\n"}})
        # Its first answer waits for the process to start (seconds at load), as initialize's does.
        early = server.call("deepseek/debugState", timeout=START_S)
        assert early["error"]["code"] == -32002  # ServerNotInitialized
        assert "result" not in early
        server.initialize()
        # The didOpen sent before initialize was dropped, as the protocol says.
        assert server.call("deepseek/debugState")["result"]["documents"] == 0
        assert "error" not in server.call("shutdown")
        server.notify("exit")
        assert server.wait_exit(10) == 0
    finally:
        server.kill()


def test_exit_before_initialize_ends_the_server(tmp_path) -> None:
    server = RawServer(server_env("http://127.0.0.1:9", state_dir=str(tmp_path)), forked=True)
    try:
        server.notify("exit")
        assert server.wait_exit(10) == 1  # exit without shutdown
    finally:
        server.kill()


def test_serves_messages_read_from_a_regular_file(tmp_path) -> None:
    """stdin that is not a pipe (a file, as in ``deepseek-lsp < session.txt``) is read by pygls'
    own reader; a pipe by the event loop. Both answer."""

    def frame(obj: dict) -> bytes:
        body = json.dumps(obj).encode()
        return b"Content-Length: %d\r\n\r\n" % len(body) + body

    session = tmp_path / "session.txt"
    session.write_bytes(
        frame({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}})
        + frame({"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
        + frame({"jsonrpc": "2.0", "method": "exit"})
    )
    with session.open("rb") as stdin:
        command, env = cli_command([], server_env("http://127.0.0.1:9", state_dir=str(tmp_path)))
        done = subprocess.run(command, stdin=stdin, capture_output=True, env=env, timeout=60)
    assert b'"id": 1' in done.stdout.replace(b'"id":1', b'"id": 1')
    assert b"inlineCompletionProvider" in done.stdout


def test_usage_is_saved_when_stdin_closes_right_after_a_request(tmp_path, fake_deepseek) -> None:
    """Usage reaches the file a moment after each request; an editor that hangs up at once
    (no shutdown) still leaves it there."""
    server = RawServer(server_env(fake_deepseek.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path)), forked=True)
    uri = "file:///w/add.py"
    try:
        server.initialize()
        server.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "python", "version": 1, "text": "def add(a, b):\n    "}})
        answer = server.call("textDocument/inlineCompletion", {
            "textDocument": {"uri": uri}, "position": {"line": 1, "character": 4}, "context": {"triggerKind": 1}})
        assert answer["result"]["items"][0]["insertText"].strip() == "return a + b"
        assert server.proc.stdin is not None
        server.proc.stdin.close()
        assert server.wait_exit(10) is not None
    finally:
        server.kill()
    with Ledger(tmp_path / DB_NAME) as ledger:
        assert ledger.summary()["today"]["total"]["requests"] >= 1


def test_shutdown_with_a_prefetch_on_its_way_exits_at_once_and_keeps_its_usage(tmp_path, fake_deepseek) -> None:
    """The editor closes right after a suggestion, a prefetch still out: the usage feature
    closed the ledger before the cancelled prefetch recorded itself, the failed save was
    logged to a closed pipe, and pygls reported that failure on the same pipe, recursively
    (9 s to exit, 8.8 MB on stderr, the usage lost)."""
    prefetched = threading.Event()
    gone = threading.Event()

    def answer(body: dict[str, Any]) -> str:
        if "a + b" in body.get("prompt", ""):  # the prefetch, past the suggestion shown
            prefetched.set()
            gone.wait(120)  # held until the server is gone, however long that takes
        return "a + b"

    fake_deepseek.responder(answer, path="/beta/completions")
    server = RawServer(server_env(fake_deepseek.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path)), forked=True)
    uri = "file:///w/d.py"
    try:
        server.initialize()
        server.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "python", "version": 1, "text": "def f(a, b):\n    return \n"}})
        server.call("textDocument/inlineCompletion", {
            "textDocument": {"uri": uri}, "position": {"line": 1, "character": 11}, "context": {"triggerKind": 1}})
        assert prefetched.wait(30), "no prefetch was sent"
        assert "error" not in server.call("shutdown")
        server.notify("exit")
        # At once: the prefetch never ends while the server is there, so a server waiting
        # for it would still be waiting when this gives up.
        assert server.wait_exit(30) == 0
        assert b"Traceback" not in server.stderr and len(server.stderr) < 2000
    finally:
        gone.set()
        server.kill()
    sent = len(fake_deepseek.requests_to("/beta/completions"))
    with Ledger(tmp_path / DB_NAME) as ledger:
        assert ledger.summary()["today"]["total"]["requests"] == sent >= 2  # the prefetch too


def test_a_request_after_shutdown_is_answered_with_an_error(tmp_path) -> None:
    server = RawServer(server_env("http://127.0.0.1:9", state_dir=str(tmp_path)), forked=True)
    try:
        server.initialize()
        assert "error" not in server.call("shutdown")
        answer = server.call("deepseek/debugState", {})  # it used to wait for good
        assert answer["error"]["code"] == -32600
        server.notify("exit")
        assert server.wait_exit(10) == 0
    finally:
        server.kill()


def test_exit_without_shutdown_exits_with_one(tmp_path) -> None:
    server = RawServer(server_env("http://127.0.0.1:9", state_dir=str(tmp_path)))
    try:
        server.initialize()
        server.notify("exit")
        assert server.wait_exit(10) == 1  # the protocol's code for an exit without shutdown
    finally:
        server.kill()


def test_exit_without_shutdown_exits_with_one_when_stdin_is_not_a_pipe(tmp_path) -> None:
    """stdin that is no pipe (always so on Windows, where the loop cannot read an editor's
    pipe) is read by pygls' reader, which swallowed the exit status: 0 without a shutdown."""

    def frame(obj: dict) -> bytes:
        body = json.dumps(obj).encode()
        return b"Content-Length: %d\r\n\r\n" % len(body) + body

    initialize = frame({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}})
    for messages, code in (
        ([initialize, frame({"jsonrpc": "2.0", "method": "exit"})], 1),
        ([initialize, frame({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}), frame({"jsonrpc": "2.0", "method": "exit"})], 0),
    ):
        session = tmp_path / "session.txt"
        session.write_bytes(b"".join(messages))
        with session.open("rb") as stdin:
            command, env = cli_command([], server_env("http://127.0.0.1:9", state_dir=str(tmp_path)))
            done = subprocess.run(command, stdin=stdin, capture_output=True, env=env, timeout=60)
        assert done.returncode == code
        assert b"Traceback" not in done.stderr


def test_a_log_file_that_cannot_be_opened_does_not_stop_the_server(tmp_path) -> None:
    """``--log-file`` in a folder that does not exist (or ``~/…``, which no shell expands when an
    editor starts the server) ended the server with a traceback before it read a message."""
    home = tmp_path / "home"
    home.mkdir()
    env = server_env("http://127.0.0.1:9", state_dir=str(tmp_path), HOME=str(home))
    stderr = {}
    for log_file in (str(tmp_path / "no-such-folder" / "ds.log"), "~/ds.log"):
        server = RawServer(env, args=["--log-file", log_file])
        try:
            assert "capabilities" in server.initialize()["result"]
            assert "error" not in server.call("shutdown")
            server.notify("exit")
            assert server.wait_exit(10) == 0
        finally:
            server.kill()
        stderr[log_file] = server.stderr
    missing, in_home = stderr.values()
    assert b"Traceback" not in missing and b"cannot write the log file" in missing
    assert (home / "ds.log").read_text().strip() and b"Traceback" not in in_home


def test_an_editor_process_not_visible_at_start_is_not_taken_for_a_dead_one(tmp_path) -> None:
    """Started through ssh, ``docker exec`` or a sandbox, the server gets the editor's process id
    from another machine or PID namespace: it exited 3 s after every start."""
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    server = RawServer(server_env("http://127.0.0.1:9", state_dir=str(tmp_path), **QUICK_WATCH), forked=True)
    try:
        server.initialize(process_id=gone.pid)
        assert server.wait_exit(1) is None  # still serving, ten periods of the watch after
        assert "result" in server.call("deepseek/debugState")
    finally:
        server.kill()


async def test_on_windows_the_editor_is_watched_without_signal_0(monkeypatch) -> None:
    """``os.kill(pid, 0)`` is a liveness test on POSIX only: on Windows signal 0 is
    CTRL_C_EVENT, which goes to the console process group ``pid`` (a Ctrl+C to the editor every
    few seconds) or raises OSError, which ended the watch for good. Windows asks the process's
    exit code instead."""
    import deepseek_lsp.process as process_module
    import deepseek_lsp.server as server_module

    kills: list[tuple[int, int]] = []
    answers = iter([True, None, False])
    exits: list[int] = []
    monkeypatch.setattr(process_module, "WINDOWS", True)
    monkeypatch.setattr(process_module.os, "kill", lambda pid, sig: kills.append((pid, sig)))
    monkeypatch.setattr(process_module, "_windows_process_alive", lambda pid: next(answers))
    monkeypatch.setattr(server_module, "PARENT_CHECK_S", 0.0)
    monkeypatch.setattr(server_module.os, "_exit", lambda code: (exits.append(code), (_ for _ in ()).throw(SystemExit(code))))
    server = server_module.create_server(env={})
    monkeypatch.setattr(server, "save_usage", lambda: None)
    with pytest.raises(SystemExit):
        await server.watch_parent(4242)
    assert kills == [] and exits == [0]  # alive, unknowable (kept watching), then gone


def test_a_second_initialize_is_refused_and_changes_nothing(tmp_path) -> None:
    """The protocol sends initialize once. A second one was answered as the first and ran its
    handler again: each log line reached the editor twice from then on, and the documents'
    position encoding changed mid-session (utf-16 to utf-8 here: every column off)."""
    server = RawServer(server_env("http://127.0.0.1:9", state_dir=str(tmp_path)), forked=True)
    try:
        # One refused for its params (``capabilities`` is required) may be sent again.
        refused = server.call("initialize", {"processId": None, "rootUri": None}, timeout=START_S)
        assert refused["error"]["code"] == -32602
        first = server.initialize()
        assert first["result"]["capabilities"]["positionEncoding"] == "utf-16"
        again = server.call(
            "initialize",
            {"processId": None, "rootUri": None, "capabilities": {"general": {"positionEncodings": ["utf-8"]}}},
        )
        assert "result" not in again and again["error"]["code"] == -32600, again
        server.notify("workspace/didChangeWorkspaceFolders", {"event": {"added": [{"uri": tmp_path.as_uri(), "name": "w"}], "removed": []}})
        uri = (tmp_path / "a.py").as_uri()
        server.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": "x = 1\n"}})
        assert server.call("deepseek/documentState", {"uri": uri})["result"]["encoding"] == "utf-16"
        logs = [m["params"]["message"] for m in server.messages if m.get("method") == "window/logMessage"]
        folders = [line for line in logs if "workspace folders:" in line]
        assert len(folders) == 1, logs
        assert "error" not in server.call("shutdown")
        server.notify("exit")
        assert server.wait_exit(10) == 0
    finally:
        server.kill()


def test_cancels_of_requests_answered_already_log_nothing(tmp_path) -> None:
    """VS Code cancels the previous inline completion at each key, often after its answer went
    out: each such cancel wrote a pygls warning to stderr, which VS Code files as an error (158
    lines in an 8,000-key soak). (One in time still cancels: tests/test_reliability_leaks.py.)"""
    log_file = tmp_path / "server.log"  # read once the server is gone: all of it written
    server = RawServer(server_env("http://127.0.0.1:9", state_dir=str(tmp_path)), ["--log-file", str(log_file)], forked=True)
    try:
        server.initialize()
        answered = [server.request("deepseek/debugState", {}) for _ in range(50)]
        for msg_id in answered:
            server.response(msg_id)
            server.notify("$/cancelRequest", {"id": msg_id})
        assert "error" not in server.call("shutdown")  # after the cancels: they were read
        server.notify("exit")
        assert server.wait_exit(10) == 0
        log = log_file.read_text()
        assert "Cancel notification" not in log and "WARNING" not in log, log[-500:]
    finally:
        server.kill()


def test_a_cancel_of_an_id_never_received_is_told_at_debug_as_the_client_sent_it(tmp_path) -> None:
    """A cancel matching no request (a client's bug: an id never sent, or sent back as a string,
    "7" for 7, which cancels nothing) is no warning, but the debug log says which id came, its
    type shown, and does not say its request was answered."""
    log_file = tmp_path / "server.log"
    args = ["--log-file", str(log_file), "--log-level", "debug"]
    server = RawServer(server_env("http://127.0.0.1:9", state_dir=str(tmp_path)), args, forked=True)
    try:
        server.initialize()
        server.notify("$/cancelRequest", {"id": 424242})
        server.notify("$/cancelRequest", {"id": "424243"})
        assert "error" not in server.call("shutdown")
        server.notify("exit")
        assert server.wait_exit(10) == 0
        lines = [line for line in log_file.read_text().splitlines() if "42424" in line]
        assert len(lines) == 2, lines
        assert "request 424242:" in lines[0] and "request '424243':" in lines[1], lines
        assert all("never received" in line and "WARNING" not in line for line in lines), lines
    finally:
        server.kill()


async def test_a_feature_slow_to_stop_leaves_the_shutdown_answered_in_time(monkeypatch) -> None:
    """The editor's ``shutdown`` waited for the features' stops without a bound (a SIGTERM's
    exit gave them 2 s): one waiting on work that did not end left it unanswered for good."""
    from lsprotocol import types

    from deepseek_lsp import server as server_module
    from deepseek_lsp.features import Feature

    monkeypatch.setattr(server_module, "STOP_TIMEOUT_S", 0.2)
    server = server_module.create_server()

    class Slow(Feature):
        async def stop(self) -> None:
            await asyncio.sleep(3600)

    server.features.append(Slow(server.services))
    answering = asyncio.ensure_future(server.protocol.fm.features[types.SHUTDOWN](None))
    await asyncio.wait({answering}, timeout=10)
    assert answering.done()
    if not answering.done():
        answering.cancel()


async def test_work_that_lost_its_cancellation_leaves_a_sigterm_ending_the_server(monkeypatch, caplog) -> None:
    """A SIGTERM (the test client's stop, ``docker stop``) ends the server within 2 s, stopping
    the features' work first: a feature's stop gathering work that had lost its cancellation
    (deferred compiling that waited for a quiet, ``asyncio.wait_for``'s flaw) never ended, the
    time limit waiting for it too, and the server never exited (a CI run stalled at 99 %)."""
    from deepseek_lsp import server as server_module
    from deepseek_lsp.features import Feature

    monkeypatch.setattr(server_module, "STOP_TIMEOUT_S", 0.2)
    exited: list[int] = []
    monkeypatch.setattr(server_module.os, "_exit", exited.append)
    server = server_module.create_server()
    done = asyncio.Event()

    async def never_ends() -> None:
        while not done.is_set():
            with contextlib.suppress(asyncio.CancelledError):  # lost, as wait_for lost it
                await done.wait()

    work = asyncio.ensure_future(never_ends())

    class Stuck(Feature):
        async def stop(self) -> None:
            work.cancel()
            await asyncio.gather(work, return_exceptions=True)

    server.features.append(Stuck(server.services))
    ending = asyncio.ensure_future(server.end_now(143))
    try:
        with caplog.at_level("WARNING", logger="deepseek_lsp.server"):
            await asyncio.wait({ending}, timeout=10)  # not wait_for: it waits for what it cancels
        assert exited == [143]
        assert "never_ends" in caplog.text, caplog.text
    finally:
        done.set()
        await work
        await asyncio.wait({ending}, timeout=10)
