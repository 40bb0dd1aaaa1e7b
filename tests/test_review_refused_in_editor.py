"""The editor's review after a refusal every request with its settings meets (a wrong model
name's 400): it waits for the settings to change, as the command line stops its run; and a
connection no server takes, told as such. Raw JSON-RPC over stdio against the fake server."""

from __future__ import annotations

from pathlib import Path

from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import server_env
from tests.raw_lsp import RawServer
from tests.test_lifecycle_in_flight import CHAT, DOC, open_doc
from tests.test_review_first_answer import hanging_connection

SETTINGS = "workspace/didChangeConfiguration"


def statuses(server: RawServer) -> list[dict[str, str]]:
    return [m["params"] for m in list(server.messages) if m.get("method") == "deepseek/status"]


def saved(server: RawServer, uri: str) -> None:
    """Save ``uri`` and wait until the server has read the notification (a request after it)."""
    server.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
    server.call("deepseek/debugState")


def test_a_wrong_review_model_s_400_pauses_reviews_until_the_settings_change(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """review.model "deepseek-chatt": each save sent its review and met the same 400 "Model
    Not Exist" (the status said "Save again to retry"), paid in time and a request each save.
    One is sent; the saves after send nothing until review.model changes."""
    fake_deepseek.strict_models = True
    server = RawServer(server_env(fake_deepseek.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path)), forked=True)
    uri = "file:///ws/one.py"
    wrong = {"completion": {"enable": False}, "review": {"model": "deepseek-chatt"}}
    try:
        server.initialize()
        server.notify(SETTINGS, {"settings": wrong})
        open_doc(server, uri, DOC)
        saved(server, uri)
        server.wait_until(lambda: "Model Not Exist" in str(statuses(server)), timeout=20)
        for _ in range(3):
            saved(server, uri)
        server.call("deepseek/debugState")
        assert len(fake_deepseek.requests_to(CHAT)) == 1
        last = statuses(server)[-1]
        assert last["kind"] == "Error" and "Model Not Exist" in last["message"], last
        assert "Save again" not in last["message"]
        server.notify(SETTINGS, {"settings": {**wrong, "review": {"model": "deepseek-v4-flash"}}})
        server.call("deepseek/debugState")
        saved(server, uri)
        server.wait_until(lambda: len(fake_deepseek.requests_to(CHAT)) == 2, timeout=20)
    finally:
        server.kill()


def test_a_review_whose_connection_hangs_says_it_could_not_connect(tmp_path: Path) -> None:
    """review.timeoutS 1.5, under the connect timeout (5 s), and a connection no server takes
    (a firewall dropping it): the status said the server "did not answer in time", as if it
    were slow, where it was never reached."""
    with hanging_connection() as url:
        server = RawServer(server_env(url, api_key=DEFAULT_KEY, state_dir=str(tmp_path)), forked=True)
        uri = "file:///ws/one.py"
        try:
            server.initialize()
            settings = {"completion": {"enable": False}, "review": {"timeoutS": 1.5, "maxRetries": 0}}
            server.notify(SETTINGS, {"settings": settings})
            open_doc(server, uri, DOC)
            saved(server, uri)
            server.wait_until(lambda: "review of one.py" in str(statuses(server)), timeout=20)
            last = statuses(server)[-1]["message"]
        finally:
            server.kill()
    where = url.removeprefix("http://")
    assert f"Could not connect to {where} within 1.5 s" in last and "did not answer" not in last, last


#: Cloudflare's web application firewall before a gateway, refusing one request's body (a
#: file's SQL read as an injection): its block page's title, in no words a refusal of one
#: request's own content is known by (see model/errors.py _OWN_CONTENT).
BLOCKED = "Attention Required! | Cloudflare"


def diagnostics_of(server: RawServer, uri: str) -> list[dict[str, object]]:
    return [
        m["params"] for m in list(server.messages)
        if m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri
    ]


def test_a_403_after_an_answer_with_the_same_settings_does_not_pause_reviews(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """A review answered proves the settings right: a 403 of another file's request after it
    is that request's own (a firewall's refusal of its body), not every request's. It paused reviews
    until the settings changed: the file, mended and saved again, sent nothing. Once they change,
    a refusal before their first answer pauses again."""
    env = server_env(fake_deepseek.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path))
    server = RawServer(env, forked=True)
    one, two = "file:///ws/one.py", "file:///ws/two.py"
    try:
        server.initialize()
        server.notify(SETTINGS, {"settings": {"completion": {"enable": False}}})
        open_doc(server, one, DOC)
        saved(server, one)
        server.wait_until(lambda: len(fake_deepseek.requests_to(CHAT)) == 1, timeout=20)
        server.wait_until(lambda: diagnostics_of(server, one), timeout=20)
        fake_deepseek.fault("status", count=1, path=CHAT, status=403, message=BLOCKED)
        open_doc(server, two, DOC.replace("row", "line"))
        saved(server, two)
        server.wait_until(lambda: "Attention Required" in str(statuses(server)), timeout=20)
        last = statuses(server)[-1]
        assert "paused" not in last["message"] and "Save again to retry" in last["message"], last
        saved(server, two)
        server.wait_until(lambda: len(fake_deepseek.requests_to(CHAT)) == 3, timeout=20)
        # The answers were the old settings': a wrong model set after them pauses at once.
        fake_deepseek.strict_models = True
        wrong = {"completion": {"enable": False}, "review": {"model": "deepseek-chatt"}}
        server.notify(SETTINGS, {"settings": wrong})
        server.call("deepseek/debugState")
        open_doc(server, "file:///ws/three.py", DOC.replace("row", "item"))
        saved(server, "file:///ws/three.py")
        server.wait_until(lambda: "Model Not Exist" in str(statuses(server)), timeout=20)
        saved(server, "file:///ws/three.py")
        server.call("deepseek/debugState")
        assert len(fake_deepseek.requests_to(CHAT)) == 4
        assert statuses(server)[-1]["message"].startswith("review paused"), statuses(server)[-1]
    finally:
        server.kill()
