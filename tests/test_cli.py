"""The command line: --version, doctor's diagnosis of each problem, usage, and TCP serving."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time

from deepseek_lsp import __version__
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import server_env


def run(args: list[str], env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "deepseek_lsp", *args], capture_output=True, text=True, env=env, timeout=timeout
    )


def test_version(tmp_path) -> None:
    out = run(["--version"], server_env(state_dir=str(tmp_path)))
    assert out.returncode == 0 and __version__ in out.stdout


def test_doctor_all_good_masks_the_key_and_lists_languages(tmp_path) -> None:
    with FakeDeepSeek() as fake:
        out = run(["doctor"], server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path)))
    assert out.returncode == 0, out.stdout + out.stderr
    assert DEFAULT_KEY not in out.stdout and "0123456789abcdef" not in out.stdout
    for lang in ("python", "typescript", "tsx", "go", "rust", "java", "c", "cpp", "javascript"):
        assert lang in out.stdout
    assert "accepts the key" in out.stdout and "deepseek-v4-pro" in out.stdout


def test_doctor_explains_a_rejected_key(tmp_path) -> None:
    with FakeDeepSeek() as fake:
        out = run(["doctor"], server_env(fake.url, api_key="sk-wrong-key-999999", state_dir=str(tmp_path)))
    assert out.returncode == 1
    assert "401" in out.stdout and "DEEPSEEK_API_KEY" in out.stdout
    assert "sk-wrong-key-999999" not in out.stdout


def test_doctor_explains_a_missing_key(tmp_path) -> None:
    env = server_env("http://127.0.0.1:9", state_dir=str(tmp_path))
    del env["DEEPSEEK_API_KEY"]
    out = run(["doctor"], env)
    assert out.returncode == 1 and "no API key" in out.stdout


def test_doctor_explains_an_unreachable_host(tmp_path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    out = run(["doctor", "--timeout", "3"], server_env(f"http://127.0.0.1:{port}", state_dir=str(tmp_path)))
    assert out.returncode == 1 and "cannot reach" in out.stdout


def test_usage_json_after_nothing_was_spent(tmp_path) -> None:
    out = run(["usage", "--json"], server_env(state_dir=str(tmp_path)))
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["today"]["total"]["requests"] == 0
    assert data["month"]["total"]["cost_usd"] == 0


def test_serves_over_tcp(tmp_path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "deepseek_lsp", "--tcp", "--port", str(port)],
        env=server_env("http://127.0.0.1:9", state_dir=str(tmp_path)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                conn = socket.create_connection(("127.0.0.1", port), timeout=1)
                break
            except OSError:
                assert time.monotonic() < deadline, "server never listened"
                time.sleep(0.1)
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"processId": None, "rootUri": None, "capabilities": {}}}).encode()
        conn.sendall(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        conn.settimeout(20)
        data = b""
        while b"inlineCompletionProvider" not in data:
            chunk = conn.recv(65536)
            assert chunk, data
            data += chunk
        conn.close()
    finally:
        proc.kill()
        proc.wait()
