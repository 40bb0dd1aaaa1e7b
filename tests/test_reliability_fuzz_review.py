"""Review-related LSP input, fuzzed with hypothesis against the real server over stdio.

Extends tests/test_fuzz_lsp.py (documents, edits, completions) with what the review feature
takes: didSave (a review against the fake, which reports real findings), codeAction on random
ranges (reversed, past the end, on closed documents) with random diagnostics in the context, and
executeCommand for deepseek.reviewFile / deepseek.review.again / deepseek.review.ignore with bad
arguments (none, numbers, nested lists, dicts without a uri, unknown ids, huge strings, wrong
``arguments`` types). Every request must be answered (a result or an error, never silence), the
server must stay up, and once every document is closed nothing of it may be left: no documents,
no review tasks. ``FUZZ_EXAMPLES`` sets the number of sequences (25 by default).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import server_env
from tests.raw_lsp import RawServer
from tests.review_support import Rule, reviewer

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
CHAT = "/chat/completions"
RULES = (
    Rule("if row == None:", "warning", "Compare with None using 'is'.", "if row is None:"),
    Rule("/ len(items)", "info", "Divides by zero for an empty list.", None),
    Rule("eval(", "critical", "eval of user input.", "ast.literal_eval("),
)
URIS = [
    "file:///ws/a.py",
    "file:///ws/b.ts",
    "untitled:Untitled-1",
    "file:///ws/.env",
    "file:///ws/%E6%BC%A2%20x.py",
]
LANGS = ["python", "typescript", "plaintext", ""]
TEXTS = [
    "def f(rows):\n    for row in rows:\n        if row == None:\n            continue\n",
    "def mean(items):\n    return sum(items) / len(items)\n",
    "def run(s):\n    return eval(s)\n",
    "function g(x) { return eval(x); }\n",
    "名前 = '漢字'\r\nif row == None:\r\n    pass\r\n",
    "😀" * 40 + "\n",
    "",
]
PIECES = ["\n", "x", "if row == None:", "😀", "\r\n", "", "eval(", "    " * 30, "}"]
COMMANDS = ["deepseek.reviewFile", "deepseek.review.again", "deepseek.review.ignore", "deepseek.nope"]
BAD_ARGS: list[Any] = [
    None,  # no "arguments" at all
    [],
    [None],
    [5],
    [[]],
    [[[]]],
    [{"uri": 7}],
    [{"external": None}],
    [{}],
    ["file:///never/opened.py"],
    ["x" * 20_000],
    ["file:///ws/a.py", None],
    ["file:///ws/a.py", "no-such-finding-id"],
    ["file:///ws/a.py", {"id": []}],
    "not-a-list",
    {"uri": "file:///ws/a.py"},
]


@dataclass
class Op:
    kind: str
    uri: str
    args: dict[str, Any] = field(default_factory=dict)


positions = st.tuples(st.integers(0, 30), st.integers(0, 300))
diag_codes = st.lists(st.sampled_from(["", "nope", "123", "deepseek-review"]), max_size=3)
ops = st.one_of(
    st.builds(lambda u, lang, t: Op("open", u, {"lang": lang, "text": t}), st.sampled_from(URIS), st.sampled_from(LANGS), st.sampled_from(TEXTS)),
    st.builds(lambda u, a, b, t: Op("change", u, {"a": a, "b": b, "text": t}), st.sampled_from(URIS), positions, positions, st.sampled_from(PIECES)),
    st.builds(lambda u: Op("save", u), st.sampled_from(URIS)),
    st.builds(lambda u: Op("close", u), st.sampled_from(URIS)),
    st.builds(lambda u, a, b, codes: Op("action", u, {"a": a, "b": b, "codes": codes}), st.sampled_from(URIS), positions, positions, diag_codes),
    st.builds(lambda u, c, args, cancel: Op("command", u, {"command": c, "args": args, "cancel": cancel}),
              st.sampled_from(URIS), st.sampled_from(COMMANDS), st.sampled_from([*BAD_ARGS, ["<uri>"], ["<uri>", "<id>"]]), st.booleans()),
    st.builds(lambda u: Op("junk", u), st.sampled_from(URIS)),
)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with FakeDeepSeek() as fake:
        fake.responder(reviewer(RULES), path=CHAT)
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path_factory.mktemp("state")))
        srv = RawServer(env, forked=True)
        srv.initialize(capabilities={"workspace": {"configuration": True}})
        srv.counts = {"sequences": 0, "messages": 0}  # type: ignore[attr-defined]
        yield srv
        print(f"\nreview fuzz: {srv.counts}")  # type: ignore[attr-defined]
        srv.kill()


def _pos(p: tuple[int, int]) -> dict[str, int]:
    return {"line": p[0], "character": p[1]}


def _finding_id(server: RawServer, uri: str) -> str:
    """The id of a finding the server published for ``uri``, if any (to ignore a real one)."""
    for msg in reversed(server.messages):
        if msg.get("method") == "textDocument/publishDiagnostics" and msg["params"]["uri"] == uri:
            diags = msg["params"]["diagnostics"]
            return str(diags[0]["code"]) if diags else "none"
    return "none"


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(ops, min_size=5, max_size=40))
def test_review_messages_keep_the_server_alive(server: RawServer, sequence: list[Op]) -> None:
    for uri in URIS:
        server.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    versions: dict[str, int] = {}
    request_ids: list[int] = []
    for op in sequence:
        uri = op.uri
        if op.kind == "open":
            versions[uri] = 1
            server.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": op.args["lang"], "version": 1, "text": op.args["text"]}})
        elif op.kind == "change":
            versions[uri] = versions.get(uri, 0) + 1
            change = {"range": {"start": _pos(op.args["a"]), "end": _pos(op.args["b"])}, "text": op.args["text"]}
            server.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": versions[uri]}, "contentChanges": [change]})
        elif op.kind == "save":
            server.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
        elif op.kind == "close":
            server.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
        elif op.kind == "action":
            diagnostics = [
                {"range": {"start": _pos(op.args["a"]), "end": _pos(op.args["b"])}, "message": "m", "source": "deepseek-review", "code": code}
                for code in op.args["codes"]
            ]
            request_ids.append(server.request("textDocument/codeAction", {
                "textDocument": {"uri": uri},
                "range": {"start": _pos(op.args["a"]), "end": _pos(op.args["b"])},
                "context": {"diagnostics": diagnostics},
            }))
        elif op.kind == "command":
            args = op.args["args"]
            if isinstance(args, list):
                args = [uri if a == "<uri>" else _finding_id(server, uri) if a == "<id>" else a for a in args]
            params: dict[str, Any] = {"command": op.args["command"]}
            if args is not None:
                params["arguments"] = args
            msg_id = server.request("workspace/executeCommand", params)
            request_ids.append(msg_id)
            if op.args["cancel"]:
                server.notify("$/cancelRequest", {"id": msg_id})
        elif op.kind == "junk":
            # A request whose params do not fit its method at all.
            request_ids.append(server.request("textDocument/codeAction", {"textDocument": uri, "range": [1, 2]}))
        server.counts["messages"] += 1  # type: ignore[attr-defined]
    server.counts["sequences"] += 1  # type: ignore[attr-defined]
    for msg_id in request_ids:
        answer = server.response(msg_id, timeout=20)
        assert ("result" in answer) != ("error" in answer), answer
    for uri in URIS:
        server.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    assert server.proc.poll() is None
    # Closing cancels a file's review; a cancelled task is gone an event-loop turn later.
    for _ in range(100):
        state = server.call("deepseek/debugState")["result"]
        if not any("_review" in name for name in state["taskNames"]):
            break
        time.sleep(0.02)
    assert state["documents"] == 0
    assert not any("_review" in name for name in state["taskNames"]), state["taskNames"]
    counts = server.counts  # type: ignore[attr-defined]
    counts["findings published"] = sum(
        len(m["params"]["diagnostics"]) for m in server.messages if m.get("method") == "textDocument/publishDiagnostics"
    )
    counts["code actions offered"] = sum(
        len(m.get("result") or []) for m in server.messages if "id" in m and isinstance(m.get("result"), list)
    )
