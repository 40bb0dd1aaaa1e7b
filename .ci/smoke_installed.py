"""Start an installed ``deepseek-lsp`` (from a wheel, in its own virtualenv) and check it serves.

    python .ci/smoke_installed.py /path/to/venv/bin/deepseek-lsp
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile


def frame(obj: dict) -> bytes:
    body = json.dumps(obj).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def read_message(stream) -> dict:
    length = 0
    while True:
        line = stream.readline()
        if not line:
            raise SystemExit("server closed stdout")
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
        if line in (b"\r\n", b"\n"):
            break
    return json.loads(stream.read(length))


def wait_for(stream, msg_id: int) -> dict:
    while True:
        msg = read_message(stream)
        if msg.get("id") == msg_id and "method" not in msg:
            return msg


def main() -> None:
    exe = sys.argv[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEEPSEEK_")}
    env["DEEPSEEK_LSP_STATE_DIR"] = tempfile.mkdtemp()
    env["DEEPSEEK_BASE_URL"] = "http://127.0.0.1:9"
    version = subprocess.run([exe, "--version"], capture_output=True, text=True, check=True, env=env)
    print(version.stdout.strip())
    proc = subprocess.Popen([exe], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
    assert proc.stdin and proc.stdout
    proc.stdin.write(frame({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"processId": None, "rootUri": None, "capabilities": {}}}))
    proc.stdin.flush()
    caps = wait_for(proc.stdout, 1)["result"]["capabilities"]
    assert "inlineCompletionProvider" in caps, caps
    proc.stdin.write(frame({"jsonrpc": "2.0", "method": "initialized", "params": {}}))
    checked = []
    for i, (uri, lang, text) in enumerate(
        [
            ("file:///s/a.py", "python", "def f(x):\n    return x\n"),
            ("file:///s/a.ts", "typescript", "export function f(x: number) { return x }\n"),
            ("file:///s/a.go", "go", "package a\nfunc F() {}\n"),
            ("file:///s/a.rs", "rust", "fn f() {}\n"),
        ]
    ):
        proc.stdin.write(frame({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": uri, "languageId": lang, "version": 1, "text": text}}}))
        # A completion request parses the document (the state compares only a tree the server
        # holds); the endpoint refuses, so it answers at once with nothing.
        end = {"line": text.count("\n"), "character": 0}
        proc.stdin.write(frame({"jsonrpc": "2.0", "id": 50 + i, "method": "textDocument/inlineCompletion", "params": {"textDocument": {"uri": uri}, "position": end, "context": {"triggerKind": 1}}}))
        proc.stdin.flush()
        wait_for(proc.stdout, 50 + i)
        proc.stdin.write(frame({"jsonrpc": "2.0", "id": 10 + i, "method": "deepseek/documentState", "params": {"uri": uri}}))
        proc.stdin.flush()
        state = wait_for(proc.stdout, 10 + i)["result"]
        assert state["language"] and state["treeMatchesFreshParse"] is True, state
        checked.append(state["language"])
    proc.stdin.write(frame({"jsonrpc": "2.0", "id": 99, "method": "shutdown"}))
    proc.stdin.flush()
    wait_for(proc.stdout, 99)
    proc.stdin.write(frame({"jsonrpc": "2.0", "method": "exit"}))
    proc.stdin.close()
    assert proc.wait(timeout=10) == 0
    print(f"installed server answered initialize and parsed: {', '.join(checked)}")


if __name__ == "__main__":
    main()
