"""The keys the server is configured with never go out in a prompt, whatever their shape: a
self-hosted gateway's key (no vendor's prefix, no name saying secret beside it) written in the
code the user edits went to the model as written, and the chat endpoint's key in a FIM prompt
went to the other server (``DEEPSEEK_FIM_BASE_URL``), which must never see it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deepseek_lsp.model.own_keys import worth_hiding
from tests.fake_deepseek import FakeDeepSeek
from tests.harness import inline_params, lsp_session, open_doc, server_env
from tests.test_review_cli import CHAT, run
from tests.test_review_cli import project as cli_project

project = cli_project

FIM = "/beta/completions"
#: Keys of no known shape: a gateway's, a self-hosted server's.
CHAT_KEY = "gw-7Hq2Lp9Xz4Rt6Vb1"
FIM_KEY = "team.fim.Kd83Ns02Qa"


async def test_the_configured_keys_are_not_sent_in_a_prompt(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    text = (
        f'PRIMARY = "{CHAT_KEY}"\n'
        f"fallbacks = [{FIM_KEY!r}, 'other']\n"
        "def call(x):\n"
        "    return "
    )
    (ws / "keys.py").write_text(text)
    with FakeDeepSeek() as fake:
        fake.responder(lambda body: "x + 1", path=FIM)
        fake.api_key = FIM_KEY  # the FIM requests' (the chat key goes to no request here)
        env = server_env(
            fake.url, api_key=CHAT_KEY, state_dir=str(tmp_path / "state"),
            DEEPSEEK_FIM_BASE_URL=fake.url, DEEPSEEK_FIM_API_KEY=FIM_KEY,
        )
        settings = {"completion": {"debounce": 0, "prefetch": False}}
        async with lsp_session(env, settings=settings, root=str(ws)) as client:
            open_doc(client, (ws / "keys.py").as_uri(), text)
            result = await client.text_document_inline_completion_async(
                inline_params((ws / "keys.py").as_uri(), 3, 11, invoked=True)
            )
            assert result.items
        bodies = [json.dumps(r.json) for r in fake.requests if r.json]
    assert bodies and any("def call(x)" in body for body in bodies)
    for body in bodies:
        assert CHAT_KEY not in body and FIM_KEY not in body, body[:400]


def test_the_review_s_key_is_not_sent_in_its_prompt(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command line's review of a file holding its own key in a list (no name beside it)."""
    monkeypatch.setenv("DEEPSEEK_API_KEY", CHAT_KEY)
    fake_deepseek.api_key = CHAT_KEY
    (project / "app" / "gateway.py").write_text(f"KEYS = [{CHAT_KEY!r}]\n\ndef first():\n    return KEYS[0]\n")
    run(capsys, "app/gateway.py", "--fail-on", "never")
    sent = [json.dumps(r.json) for r in fake_deepseek.requests_to(CHAT)]
    assert sent and all("def first()" in body and CHAT_KEY not in body for body in sent), sent


def test_placeholder_keys_of_local_servers_are_left_in_code() -> None:
    """Short ones, or letters alone (``EMPTY``, ``ollama``, ``sk-no-key-required``), are words
    of ordinary code: replaced, they would cut it."""
    assert worth_hiding(["EMPTY", "ollama", "sk-no-key-required", "abc123", CHAT_KEY]) == (CHAT_KEY,)
