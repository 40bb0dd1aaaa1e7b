"""Long random LSP message sequences against the real server over stdio (hypothesis).

Each example opens, edits, closes and queries documents with hostile input: unknown or closed
documents, positions past the end, reversed ranges, unsupported languages, odd URIs, long lines,
binary-looking text, emoji and CJK under UTF-16 and UTF-8, CRLF and mixed line ends, requests
cancelled at once, and malformed JSON-RPC. The server must answer every request and keep exactly
the client's text.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import server_env
from tests.raw_lsp import RawServer

_EOL = re.compile(r"\r\n|\r|\n")
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))

URIS = [
    "file:///ws/a.py",
    "file:///ws/b.ts",
    "file:///ws/c.rs",
    "untitled:Untitled-1",
    "vscode-notebook-cell:/ws/n.ipynb#W1",
    "file:///ws/%E6%BC%A2%20x.go",
    "file:///ws/.env",
    "zipfile:///archive.zip::inner.py",
]
LANGS = ["python", "typescript", "rust", "go", "plaintext", "cobol", "", "javascriptreact"]
PIECES = [
    "def f(x):\n    return x\n",
    "名前 = '漢字'\r\n",
    "😀🎉",
    "\r\n",
    "\r",
    "\n",
    "\x00\x01\x7f binary\x1b[0m",
    "{",
    "}",
    "x" * 3000,
    "é",
    "\t",
    "",
]


class Model:
    """The client's view: text per URI, positions resolved as LSP says (clamped)."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self.docs: dict[str, str] = {}

    def _width(self, ch: str) -> int:
        if self.encoding == "utf-8":
            return len(ch.encode("utf-8"))
        return 2 if ord(ch) > 0xFFFF else 1

    def index(self, text: str, line: int, character: int) -> int:
        starts = [0] + [m.end() for m in _EOL.finditer(text)]
        if line >= len(starts):
            return len(text)
        start = starts[line]
        m = _EOL.search(text, start)
        end = m.start() if m else len(text)
        units = 0
        i = start
        while i < end:
            w = self._width(text[i])
            if units + w > character:
                break
            units += w
            i += 1
        return i


@dataclass
class Op:
    kind: str
    uri: str
    args: dict = field(default_factory=dict)


positions = st.tuples(st.integers(0, 40), st.integers(0, 4000))
ops = st.one_of(
    st.builds(lambda u, lang, parts: Op("open", u, {"lang": lang, "text": "".join(parts)}),
              st.sampled_from(URIS), st.sampled_from(LANGS), st.lists(st.sampled_from(PIECES), max_size=6)),
    st.builds(lambda u, a, b, t: Op("change", u, {"a": a, "b": b, "text": t}),
              st.sampled_from(URIS), positions, positions, st.sampled_from(PIECES)),
    st.builds(lambda u: Op("full", u, {"text": "whole\r\nnew 😀\n"}), st.sampled_from(URIS)),
    st.builds(lambda u: Op("close", u), st.sampled_from(URIS)),
    st.builds(lambda u, p, inv, cancel: Op("inline", u, {"pos": p, "invoked": inv, "cancel": cancel}),
              st.sampled_from(URIS), positions, st.booleans(), st.booleans()),
    st.builds(lambda u, p: Op("completion", u, {"pos": p}), st.sampled_from(URIS), positions),
    st.builds(lambda u: Op("garbage", u), st.sampled_from(URIS)),
    st.builds(lambda u: Op("save", u), st.sampled_from(URIS)),
)


@pytest.fixture(scope="module")
def backend():
    with FakeDeepSeek() as fake:
        yield fake


@pytest.fixture(scope="module", params=["utf-16", "utf-8"])
def server(request, backend, tmp_path_factory):
    encoding = request.param
    env = server_env(backend.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path_factory.mktemp("state")))
    srv = RawServer(env, forked=True)
    caps = {"general": {"positionEncodings": [encoding]}, "workspace": {"configuration": True}}
    answer = srv.initialize(capabilities=caps)
    assert answer["result"]["capabilities"]["positionEncoding"] == encoding
    srv.encoding = encoding  # type: ignore[attr-defined]
    yield srv
    srv.kill()


def _pos(p: tuple[int, int]) -> dict[str, int]:
    return {"line": p[0], "character": p[1]}


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(ops, min_size=5, max_size=40))
def test_random_sequences_keep_the_server_alive_and_in_sync(server: RawServer, sequence: list[Op]) -> None:
    model = Model(server.encoding)  # type: ignore[attr-defined]
    for uri in URIS:  # a fresh start even after a failed (shrinking) example
        server.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    versions: dict[str, int] = {}
    request_ids: list[int] = []
    for op in sequence:
        uri = op.uri
        if op.kind == "open":
            model.docs[uri] = op.args["text"]
            versions[uri] = 1
            server.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": op.args["lang"], "version": 1, "text": op.args["text"]}})
        elif op.kind in ("change", "full"):
            versions[uri] = versions.get(uri, 0) + 1
            if op.kind == "full":
                change = {"text": op.args["text"]}
                if uri in model.docs:
                    model.docs[uri] = op.args["text"]
            else:
                change = {"range": {"start": _pos(op.args["a"]), "end": _pos(op.args["b"])}, "text": op.args["text"]}
                if uri in model.docs:
                    text = model.docs[uri]
                    i = model.index(text, *op.args["a"])
                    j = model.index(text, *op.args["b"])
                    i, j = min(i, j), max(i, j)
                    model.docs[uri] = text[:i] + op.args["text"] + text[j:]
            server.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": versions[uri]}, "contentChanges": [change]})
        elif op.kind == "close":
            model.docs.pop(uri, None)
            server.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
        elif op.kind == "inline":
            msg_id = server.request("textDocument/inlineCompletion", {
                "textDocument": {"uri": uri}, "position": _pos(op.args["pos"]),
                "context": {"triggerKind": 1 if op.args["invoked"] else 2}})
            request_ids.append(msg_id)
            if op.args["cancel"]:
                server.notify("$/cancelRequest", {"id": msg_id})
        elif op.kind == "completion":
            request_ids.append(server.request("textDocument/completion", {"textDocument": {"uri": uri}, "position": _pos(op.args["pos"])}))
        elif op.kind == "save":
            server.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
        elif op.kind == "garbage":
            body = b'{"jsonrpc": "2.0", "id": "x", "method": '
            server.send_raw(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            request_ids.append(server.request("textDocument/inlineCompletion", {"textDocument": {"uri": uri}}))
    for msg_id in request_ids:
        answer = server.response(msg_id, timeout=15)
        assert ("result" in answer) != ("error" in answer), answer
    for uri, text in model.docs.items():
        state = server.call("deepseek/documentState", {"uri": uri})["result"]
        assert state is not None and state["text"] == text, uri
        assert state["treeMatchesFreshParse"] in (True, None)
    for uri in URIS:
        server.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    assert server.proc.poll() is None
    assert server.call("deepseek/debugState")["result"]["documents"] == 0


def test_two_requests_that_go_on_in_one_turn_of_the_loop_are_both_answered(tmp_path) -> None:
    """Found by the sequence test above: the second request cancelled the first one's fetch
    before that task had run a step, so nothing ever answered the first (an editor's request
    pending for good). Both wait here for the configuration the client never sends, and go on
    together."""
    with FakeDeepSeek() as fake:
        srv = RawServer(server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path)), forked=True)
        try:
            srv.initialize(capabilities={"workspace": {"configuration": True}})
            uri = "file:///ws/a.py"
            params = {"textDocument": {"uri": uri}, "position": {"line": 3, "character": 4}, "context": {"triggerKind": 1}}
            first = srv.request("textDocument/inlineCompletion", params)
            srv.notify("textDocument/didOpen", {"textDocument": {
                "uri": uri, "languageId": "python", "version": 1, "text": "import os\n\ndef f(x):\n    \n"}})
            second = srv.request("textDocument/inlineCompletion", params)
            assert "result" in srv.response(first, timeout=15)
            assert srv.response(second, timeout=15)["result"]["items"]
        finally:
            srv.kill()
