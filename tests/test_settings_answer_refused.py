"""An editor that answers the settings pull, but with an error or a null (a client whose
handler fails, or that says it can be asked and has nothing): d2b386b made completions wait
for settings the editor had already said it would not give, and they never came back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.fake_deepseek import FakeDeepSeek
from tests.raw_lsp import RawServer
from tests.test_lifecycle_in_flight import open_doc
from tests.test_settings_unanswered import (
    PULL,
    PULL_WAIT_S,
    inline,
    shown,
    started_with_the_key_only,
)


def refuse(server: RawServer, pull: dict[str, Any]) -> None:
    server.send({"jsonrpc": "2.0", "id": pull["id"], "error": {"code": -32601, "message": "Unhandled method"}})


def answer_null(server: RawServer, pull: dict[str, Any]) -> None:
    server.answer(pull, None)


@pytest.mark.parametrize("answer", [refuse, answer_null], ids=["error", "null"])
def test_an_editor_answering_the_pull_with_no_settings_still_gets_completions(
    fake_deepseek: FakeDeepSeek, tmp_path: Path, answer: Any
) -> None:
    server, pull = started_with_the_key_only(fake_deepseek, tmp_path)
    try:
        answer(server, pull)
        uri = "file:///ws/app.py"
        open_doc(server, uri, "SHOWN = 'VISIBLE_MARKER'\nvalue = \n")
        server.wait_until(lambda: server.call("deepseek/debugState")["result"]["configured"], timeout=PULL_WAIT_S)
        # Asked for: the server may ask the editor again, which answers as before.
        for nth in range(2, 4):
            try:
                answer(server, server.wait_for(PULL, timeout=0.5, nth=nth))
            except TimeoutError:
                break
        assert inline(server, uri, 1, 8), shown(server)
    finally:
        server.kill()


def last_status(server: RawServer) -> dict[str, Any]:
    sent = [m["params"] for m in list(server.messages) if m.get("method") == "deepseek/status"]
    return sent[-1] if sent else {}


def test_the_status_saying_completions_wait_for_the_settings_clears_once_they_come(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """The warning that nothing is sent until the editor's settings come, shown at a request
    made meanwhile, is gone once a late answer brings them, with no key pressed since."""
    server, pull = started_with_the_key_only(fake_deepseek, tmp_path)
    try:
        uri = "file:///ws/app.py"
        open_doc(server, uri, "SHOWN = 'VISIBLE_MARKER'\nvalue = \n")
        assert inline(server, uri, 1, 8) == []
        assert "completions not sent" in last_status(server).get("message", ""), last_status(server)
        again = server.wait_for(PULL, timeout=PULL_WAIT_S, nth=2)  # the request asked again
        for asked in (pull, again):
            server.answer(asked, [{"exclude": ["**/private/**"]}])
        # (Waited for with a bound well past the answers' handling: it never came before.)
        server.wait_until(lambda: "completions not sent" not in last_status(server).get("message", ""), timeout=PULL_WAIT_S)
        assert inline(server, uri, 1, 8)  # the settings came: completions go
    finally:
        server.kill()
