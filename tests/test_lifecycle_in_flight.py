"""What happens around requests in flight, as real editors drive the server: progress the editor
never answers, documents closed while their work runs, shutdown and exit with work under way.
Raw JSON-RPC over stdio (tests/raw_lsp.py), against the fake DeepSeek server."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from deepseek_lsp.model import Ledger
from deepseek_lsp.model.ledger import DB_NAME
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import server_env
from tests.raw_lsp import RawServer
from tests.review_support import Rule, reviewer
from tests.server_fork import CONSTANTS

CHAT = "/chat/completions"
FIM = "/beta/completions"
DOC = "def f(row):\n    if row == None:\n        return 1\n    return 2\n"
RULES = [Rule("row == None", message="Use `is None`.")]
PROGRESS = {"window": {"workDoneProgress": True}}


def start(fake: FakeDeepSeek, state: Path, **extra: str) -> RawServer:
    """Forked from the test run's zygote (a new interpreter's start cost 2-5 s of CPU, 10-20 s
    at load 19): its exit status and the signals sent to it are the child's, passed on by the
    launcher. The test that stops the server with SIGSTOP, which no process can pass on,
    starts the real command."""
    return RawServer(server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(state), **extra), forked=True)


def open_doc(server: RawServer, uri: str, text: str, version: int = 1) -> None:
    server.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "python", "version": version, "text": text}})


def review_file(server: RawServer, uri: str) -> int:
    return server.request("workspace/executeCommand", {"command": "deepseek.reviewFile", "arguments": [uri]})


def published(server: RawServer, uri: str) -> list[list[Any]]:
    return [m["params"]["diagnostics"] for m in list(server.messages)
            if m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri]


def error_popups(server: RawServer) -> list[str]:
    return [m["params"]["message"] for m in list(server.messages)
            if m.get("method") == "window/showMessage" and m["params"]["type"] == 1]


def frame(obj: dict[str, Any]) -> bytes:
    body = json.dumps(obj).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def test_a_review_goes_on_when_the_editor_never_answers_the_progress_request(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """An editor that claims ``window.workDoneProgress`` but leaves
    ``window/workDoneProgress/create`` unanswered (busy, or buggy): the review waited for that
    answer for good. Nothing was sent to the model, no diagnostics came, and the Review File
    command never answered."""
    fake_deepseek.responder(reviewer(RULES), path=CHAT)
    server = start(fake_deepseek, tmp_path)
    server.unanswered.add("window/workDoneProgress/create")
    uri = "file:///ws/one.py"
    try:
        server.initialize(capabilities=PROGRESS)
        open_doc(server, uri, DOC)
        answer = server.response(review_file(server, uri), timeout=20)
        assert answer["result"]["ok"] and answer["result"]["findings"] == 1
        assert len(published(server, uri)[-1]) == 1
        assert any(m.get("method") == "window/workDoneProgress/create" for m in server.messages)
    finally:
        server.kill()


def test_closing_a_file_while_its_review_waits_for_the_progress_token_pops_up_no_error(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """Save and close at once (closing a modified tab with "Save"): the review was cancelled
    while it waited for the editor to answer ``window/workDoneProgress/create``. The answer,
    arriving for a request the server no longer waited for, failed inside pygls ("Unable to
    handle message", a traceback on stderr) and the editor popped up "Error in server:
    CANCELLED: <Future ...>"."""
    fake_deepseek.responder(reviewer(RULES), path=CHAT)
    server = start(fake_deepseek, tmp_path)
    server.unanswered.add("window/workDoneProgress/create")
    uri = "file:///ws/one.py"
    try:
        server.initialize(capabilities=PROGRESS)
        open_doc(server, uri, DOC)
        server.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
        create = server.wait_for("window/workDoneProgress/create")
        server.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
        server.call("deepseek/debugState")  # the close is handled
        server.answer(create)
        assert "result" in server.call("deepseek/debugState")
        assert error_popups(server) == []
        assert b"Traceback" not in server.stderr
        assert fake_deepseek.requests_to(CHAT) == []
        assert all(d == [] for d in published(server, uri))
    finally:
        server.kill()


def test_an_editor_answering_the_configuration_pull_late_gets_no_error_popup(tmp_path: Path) -> None:
    """An editor busy at start-up answers ``workspace/configuration`` after the server's time
    limit (5 s): the server goes on without the answer, as it should, but the late answer
    failed inside pygls and popped up "Error in server: CANCELLED: <Future ...>"."""
    # The limit set to 0.25 s in this server: past it is the question, not how long it is.
    limit = {"deepseek_lsp.editor_settings:CONFIGURATION_TIMEOUT_S": 0.25}
    env = server_env("http://127.0.0.1:9", state_dir=str(tmp_path), **{CONSTANTS: json.dumps(limit)})
    server = RawServer(env, forked=True)
    server.unanswered.add("workspace/configuration")
    try:
        server.initialize(capabilities={"workspace": {"configuration": True}})
        pull = server.wait_for("workspace/configuration")
        time.sleep(0.25 + 0.5)
        server.answer(pull, [None])
        assert "result" in server.call("deepseek/debugState")
        assert error_popups(server) == []
        assert b"Traceback" not in server.stderr
    finally:
        server.kill()


def test_exit_without_shutdown_while_requests_are_in_flight_exits_at_once_and_keeps_their_usage(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """``exit`` with no ``shutdown`` before it (an editor that gives up waiting for the shutdown
    answer, a force-stop) while a completion and a review were under way: the answers of the
    requests cancelled on the way out were written to the closed stdout, each failure was
    reported to the editor by writing again, recursively. The server hung for seconds writing
    megabytes of tracebacks to stderr, the streams ran on, and the usage was lost when the
    editor killed it."""
    fake_deepseek.responder(reviewer(RULES), path=CHAT)
    fake_deepseek.responder(lambda body: "x + 1", path=FIM)
    # Held by the fake far past the test's bound: a server that lets them run on, or waits
    # for them, is still there when the wait for its exit gives up, however busy the machine.
    fake_deepseek.set_latency(ttft=120.0)
    server = start(fake_deepseek, tmp_path)
    uri = "file:///ws/one.py"
    try:
        server.initialize()
        open_doc(server, uri, DOC + "y = \n")
        server.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
        server.request("textDocument/inlineCompletion", {
            "textDocument": {"uri": uri}, "position": {"line": 4, "character": 4}, "context": {"triggerKind": 2}})
        deadline = time.monotonic() + 30
        while not (fake_deepseek.requests_to(CHAT) and fake_deepseek.requests_to(FIM)) and time.monotonic() < deadline:
            time.sleep(0.01)
        server.notify("exit")
        assert server.wait_exit(30) == 1
        assert b"Traceback" not in server.stderr and len(server.stderr) < 2000, server.stderr[-2000:]
    finally:
        server.kill()
    sent = fake_deepseek.requests_to(CHAT) + fake_deepseek.requests_to(FIM)
    for r in sent:  # the fake's handler notices the hang-up at its next look at the socket
        fake_deepseek.wait_closed(r, timeout=5)
    assert all(r.disconnected and not r.completed for r in sent)
    with Ledger(tmp_path / DB_NAME) as ledger:
        assert ledger.summary()["today"]["total"]["requests"] == len(sent) == 2


def _review_and_completion_under_way(fake: FakeDeepSeek, server: RawServer) -> None:
    """A save's review and a completion sent, both held by the fake before their first token."""
    fake.responder(reviewer(RULES), path=CHAT)
    fake.responder(lambda body: "x + 1", path=FIM)
    fake.set_latency(ttft=30.0)
    uri = "file:///ws/one.py"
    open_doc(server, uri, DOC + "y = \n")
    server.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
    server.request("textDocument/inlineCompletion", {
        "textDocument": {"uri": uri}, "position": {"line": 4, "character": 4}, "context": {"triggerKind": 2}})
    # Both must be under way before the test goes on: on a loaded host the review's prompt took
    # more than the 5 s this gave them, the test went on without it (nothing starts once the
    # SIGTERM is in), and counted 1 request of 2.
    assert fake.wait_requested(CHAT, timeout=30) and fake.wait_requested(FIM, timeout=30)


def test_when_the_editor_dies_the_usage_of_requests_in_flight_is_kept(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """The editor crashed (or was killed) while a review and a completion were under way: the
    server noticed and exited at once, its streams cut without a word. What they cost (the
    prompt of a review by the large model, billed all the same) was never recorded."""
    editor = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    # The editor looked at every 0.1 s, not every 3 s: what is asked is what its end keeps.
    server = start(fake_deepseek, tmp_path, **{CONSTANTS: json.dumps({"deepseek_lsp.server:PARENT_CHECK_S": 0.1})})
    try:
        server.initialize(process_id=editor.pid)
        _review_and_completion_under_way(fake_deepseek, server)
        editor.kill()
        editor.wait()
        assert server.wait_exit(15) is not None
    finally:
        editor.kill()
        server.kill()
    sent = fake_deepseek.requests_to(CHAT) + fake_deepseek.requests_to(FIM)
    with Ledger(tmp_path / DB_NAME) as ledger:
        total = ledger.summary()["today"]["total"]
    assert total["requests"] == len(sent) == 2


def test_save_and_close_at_once_stops_the_review_under_way(fake_deepseek: FakeDeepSeek, tmp_path: Path) -> None:
    """Edited while its review ran, then closed with "Save" (didSave and didClose arrive
    together, handled in one turn of the event loop): the new review, cancelled by the close before its first
    step, never let go of the one it replaced. That one ran on to its end for a file no longer
    open, every token billed."""
    fake_deepseek.responder(reviewer(RULES), path=CHAT)
    # The first token long after the wait below: only a hang-up closes the request in time.
    fake_deepseek.set_latency(ttft=30.0)
    server = start(fake_deepseek, tmp_path)
    uri = "file:///ws/one.py"
    try:
        server.initialize()
        open_doc(server, uri, DOC)
        server.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
        # Under way before the edit (5 s then on without it: a loaded host's review was not).
        assert fake_deepseek.wait_requested(CHAT, timeout=30)
        server.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [
            {"range": {"start": {"line": 3, "character": 11}, "end": {"line": 3, "character": 12}}, "text": "3"}]})
        server.send_raw(
            frame({"jsonrpc": "2.0", "method": "textDocument/didSave", "params": {"textDocument": {"uri": uri}}})
            + frame({"jsonrpc": "2.0", "method": "textDocument/didClose", "params": {"textDocument": {"uri": uri}}})
        )
        [request] = fake_deepseek.requests_to(CHAT)
        # 10 s: at load 11-14 the close came after 2 s (1 of 5,262 in a full run); the answer's first
        # token is 30 s away, so a request never cancelled still fails here.
        assert fake_deepseek.wait_closed(request, timeout=10)
        assert request.disconnected and not request.completed
        # Its task ends a turn or two after its stream (seconds later on a loaded machine).
        deadline = time.monotonic() + 10
        while True:
            names = server.call("deepseek/debugState")["result"]["taskNames"]
            if not any("Review" in name for name in names) or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert not any("Review" in name for name in names), names
    finally:
        server.kill()


def test_an_editor_that_never_answers_a_registration_still_gets_its_settings_read(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """An editor that offers dynamic registration of ``didChangeConfiguration`` but leaves
    ``client/registerCapability`` unanswered: ``initialized`` waited for that answer for good.
    The settings were never pulled, so every completion waited a second for them (for the whole
    session) and no save was ever reviewed ("the editor's settings have not arrived")."""
    fake_deepseek.responder(lambda body: "x + 1", path=FIM)
    server = start(fake_deepseek, tmp_path)
    server.unanswered.add("client/registerCapability")
    uri = "file:///ws/a.py"
    try:
        server.initialize(capabilities={"workspace": {
            "didChangeConfiguration": {"dynamicRegistration": True}, "configuration": True}})
        open_doc(server, uri, "import os\ny = \n")
        server.wait_for("workspace/configuration", timeout=10)
        params = {"textDocument": {"uri": uri}, "position": {"line": 1, "character": 4}, "context": {"triggerKind": 1}}
        server.call("textDocument/inlineCompletion", params)
        # The settings applied: no request waits for them (a second each, before).
        assert server.call("deepseek/debugState")["result"]["configured"]
        started = time.monotonic()
        answer = server.call("textDocument/inlineCompletion", params)
        assert answer["result"]["items"][0]["insertText"] == "x + 1"
        # Under the second each waited, with a loaded machine's margin (0.5 s before).
        assert time.monotonic() - started < 0.9
    finally:
        server.kill()


def test_sigterm_keeps_the_usage_of_the_requests_under_way(fake_deepseek: FakeDeepSeek, tmp_path: Path) -> None:
    """``docker stop``, a supervisor or ``kill`` sends SIGTERM: Python's default ended the server
    on the spot, and the review and completion under way (their prompts billed all the same)
    were never recorded. It now ends as when the editor is gone: their usage is saved."""
    import signal

    server = start(fake_deepseek, tmp_path)
    try:
        server.initialize()
        _review_and_completion_under_way(fake_deepseek, server)
        server.proc.send_signal(signal.SIGTERM)
        code = server.wait_exit(15)
    finally:
        server.kill()
    assert code == 128 + signal.SIGTERM
    sent = fake_deepseek.requests_to(CHAT) + fake_deepseek.requests_to(FIM)
    with Ledger(tmp_path / DB_NAME) as ledger:
        total = ledger.summary()["today"]["total"]
    assert total["requests"] == len(sent) == 2


def test_sigterm_ends_the_work_the_editor_asked_for_before_it_without_starting_it(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """A SIGTERM arriving with the server behind on what the editor sent (a loaded machine, a
    burst of keys asking for suggestions): those messages were still handled after it, their
    requests' handlers ran on while the features' stops were awaited one by one, each building
    a prompt and sending it to the model, and the stop overran its time box ("could not stop
    the features", with a traceback). Now nothing more starts once the signal is in: the
    request under way is closed and billed, no new one goes out, and the log says nothing."""
    import signal

    log_file = tmp_path / "server.log"
    server = RawServer(
        server_env(fake_deepseek.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path)), args=["--log-file", str(log_file)]
    )
    try:
        server.initialize()
        _review_and_completion_under_way(fake_deepseek, server)
        uri = "file:///ws/one.py"
        # The server is held still while the editor sends its burst and the signal comes: the
        # burst is read with the signal pending, as a server behind on its input reads it.
        server.proc.send_signal(signal.SIGSTOP)
        for i in range(40):
            server.request("textDocument/inlineCompletion", {
                "textDocument": {"uri": uri}, "position": {"line": 4, "character": 4},
                "context": {"triggerKind": 1 + i % 2}})
        server.proc.send_signal(signal.SIGTERM)
        server.proc.send_signal(signal.SIGCONT)
        code = server.wait_exit(15)
    finally:
        server.kill()
    assert code == 128 + signal.SIGTERM
    sent = fake_deepseek.requests_to(CHAT) + fake_deepseek.requests_to(FIM)
    assert len(sent) == 2  # the review's and the completion's under way, no other
    for r in sent:  # the fake's handler notices the hang-up at its next look at the socket
        fake_deepseek.wait_closed(r, timeout=5)
    assert all(r.disconnected and not r.completed for r in sent)
    with Ledger(tmp_path / DB_NAME) as ledger:
        assert ledger.summary()["today"]["total"]["requests"] == 2
    log = log_file.read_text()
    assert "could not stop" not in log and "gave up" not in log and "Traceback" not in log, log[-2000:]
