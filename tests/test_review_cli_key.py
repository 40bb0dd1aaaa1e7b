"""The API key in what ``deepseek-lsp review`` prints and writes: a proxy or gateway that
echoes the request (its ``Authorization`` header too) in an error body must not put the key,
or a piece of it, in the report or on the terminal."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.test_review_cli import CHAT, run
from tests.test_review_cli import project as cli_project

project = cli_project


@pytest.mark.parametrize("at", [278, 284, 290])
def test_a_key_echoed_near_the_end_of_a_long_error_message_is_not_shown(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str], at: int
) -> None:
    """The provider's message is cut to 300 characters for display: the key was scrubbed after
    the cut, so a key the cut went through stayed, all but its last characters."""
    head = "Invalid request. Headers received: {'accept': '*/*', 'user-agent': 'deepseek-lsp', "
    head += "'authorization': 'Bearer "
    pad = "Rejected by the gateway's request policy; the request was logged as " + "0" * 300
    message = pad[: at - len(head)] + head + DEFAULT_KEY + "'}"
    assert message.index(DEFAULT_KEY) == at
    fake_deepseek.fault("status", count=None, path=CHAT, status=400, message=message)
    code, out, err = run(capsys, "app/inventory.py")
    assert code == 2 and "400" in out + err
    shown = out + err
    assert DEFAULT_KEY[:10] not in shown, shown
