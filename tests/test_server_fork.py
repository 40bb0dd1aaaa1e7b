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
