"""The forked servers the end-to-end tests start (tests/server_fork.py) end as the real command
does: a test that passes against one would pass against the other."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests import harness
from tests.harness import server_env


def started(cmd: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    """The server started by ``cmd``, once it has answered ``initialize``."""
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    assert proc.stdin is not None and proc.stdout is not None
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"processId": None, "capabilities": {}}}).encode()
    proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    proc.stdin.flush()
    while True:  # notifications (the log, the status) may come first
        length = int(proc.stdout.readline().split(b":")[1])
        while proc.stdout.readline().strip():
            pass
        if json.loads(proc.stdout.read(length)).get("id") == 1:
            return proc


def end(proc: subprocess.Popen[bytes], how: str) -> tuple[int, bytes]:
    """The exit status and what was left on stdout once ended ``how``."""
    assert proc.stdin is not None and proc.stdout is not None
    if how == "SIGTERM":
        proc.send_signal(signal.SIGTERM)
    elif how == "exit without shutdown":
        body = b'{"jsonrpc": "2.0", "method": "exit"}'
        proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        proc.stdin.flush()
    else:  # the editor gone: its end of the pipe closed
        proc.stdin.close()
    code = proc.wait(60)
    # Read to its end, which comes when the server's does (a server left running fails here).
    proc.stdin.close()
    proc.stdin = None
    out, _ = proc.communicate(timeout=30)
    return code, out


@pytest.fixture(autouse=True)
def forking(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fork is what these tests are about, whatever the run asks of the others."""
    monkeypatch.delenv("DEEPSEEK_TEST_FORK", raising=False)


@pytest.mark.parametrize("how", ["SIGTERM", "exit without shutdown", "stdin closed"])
def test_a_forked_server_ends_as_the_real_one_does(tmp_path: Path, how: str) -> None:
    env = server_env("http://127.0.0.1:9", state_dir=str(tmp_path))
    forked = harness.server_command(env)
    assert forked != harness.SERVER  # the zygote is used
    (real_code, _), (forked_code, _) = (end(started(cmd, env), how) for cmd in (harness.SERVER, forked))
    assert forked_code == real_code


def test_a_killed_forked_server_leaves_no_process_behind(tmp_path: Path) -> None:
    """SIGKILL cannot be passed on: the zygote kills the server of a launcher killed so."""
    env = server_env("http://127.0.0.1:9", state_dir=str(tmp_path))
    cmd = harness.server_command(env)
    assert harness._zygote is not None
    zygote = harness._zygote[0].pid
    children = Path(f"/proc/{zygote}/task/{zygote}/children")
    if not children.exists():
        pytest.skip("no /proc children list here")
    before = set(children.read_text().split())
    proc = started(cmd, env)
    (server,) = (int(pid) for pid in set(children.read_text().split()) - before)
    proc.kill()
    proc.wait(10)
    end_at = time.monotonic() + 10
    while str(server) in children.read_text().split() and time.monotonic() < end_at:
        time.sleep(0.01)
    assert str(server) not in children.read_text().split()
    with pytest.raises(ProcessLookupError):
        os.kill(server, 0)


def test_a_forked_servers_first_suggestion_makes_no_converter_code_and_walks_no_inherited_heap(tmp_path: Path) -> None:
    """The first suggestion of a forked server waited ~0.4 s at load 15 where the second took
    0.04 s: the start's full collection (Collector.started) walked the zygote's whole heap
    (0.2-0.3 s, its pages copied as it wrote each object's header), and cattrs wrote the
    converter hooks of each message type as the session met it (~165, 0.2 s). The zygote
    freezes its heap and makes every message type's hooks before it forks."""
    from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
    from tests.raw_lsp import RawServer
    from tests.server_fork import WARM_QUERIES

    with FakeDeepSeek() as fake:
        fake.script("x + 1")
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path), **{WARM_QUERIES: "python"})
        server = RawServer(env, forked=True)
        try:
            server.call("initialize", {"processId": os.getpid(), "rootUri": None, "capabilities": {}}, timeout=60)
            # Before `initialized`: what the start's full collection is about to walk.
            at_start = server.call("deepseek/debugState", {"heap": True})["result"]
            server.notify("initialized", {})
            server.wait_until(lambda: server.call("deepseek/debugState")["result"]["configured"])
            uri = "file:///ws/a.py"
            server.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": "def f(x):\n    return \n"}})
            answer = server.call(
                "textDocument/inlineCompletion",
                {"textDocument": {"uri": uri}, "position": {"line": 1, "character": 11}, "context": {"triggerKind": 1}},
                timeout=30,
            )
            assert answer["result"]["items"], answer
            after = server.call("deepseek/debugState")["result"]
        finally:
            server.kill()
    # A server's own objects (its settings, registry, features) are a few thousand; the
    # zygote's imports and tokenizer were ~400,000 more.
    assert at_start["trackedObjects"] < 50_000, (at_start["trackedObjects"], at_start["frozenObjects"])
    # No hook written (nor taken from the code cache) from `initialize` to the answer.
    made = {k: after["generatedCode"][k] - at_start["generatedCode"][k] for k in ("hits", "misses")}
    assert made == {"hits": 0, "misses": 0}
