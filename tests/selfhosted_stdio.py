"""A server process over stdio against the fake answering as a self-hosted server, as an editor
meets it: its completions at a Python file's body line and the pop-ups they bring."""

from __future__ import annotations

from pathlib import Path

from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import server_env
from tests.raw_lsp import RawServer
from tests.test_lifecycle_in_flight import open_doc

LOCAL_MODEL = "qwen2.5-coder:7b"
URI = "file:///ws/a.py"


def started(fake: FakeDeepSeek, tmp_path: Path, base_url: str) -> RawServer:
    """A server asking ``base_url`` for LOCAL_MODEL's completions, initialized, URI open: forked
    from the test run's zygote (the backend, URL and model are read after the imports; a new
    interpreter's start was 10 s of a test at load 12)."""
    env = server_env(
        base_url,
        api_key=DEFAULT_KEY,
        state_dir=str(tmp_path),
        DEEPSEEK_BACKEND="openai-suffix",
        DEEPSEEK_COMPLETION_MODEL=LOCAL_MODEL,
    )
    server = RawServer(env, forked=True)
    try:
        server.initialize()
        open_doc(server, URI, "def add(a, b):\n    ")
    except BaseException:
        server.kill()
        raise
    return server


def complete(server: RawServer, times: int = 1) -> None:
    """``times`` completions at the body's line, each answered."""
    at = {"textDocument": {"uri": URI}, "position": {"line": 1, "character": 4}}
    for _ in range(times):
        server.call("textDocument/completion", at, timeout=20)


def pop_ups(server: RawServer) -> list[str]:
    """The pop-ups shown, once one is and the messages before a request's answer are in."""
    server.wait_for("window/showMessage", timeout=20)
    server.call("deepseek/debugState")  # after whatever the last completion popped up
    return [m["params"]["message"] for m in server.messages if m.get("method") == "window/showMessage"]
