"""The keys the server is configured with never go out in a prompt, whatever their shape: a
self-hosted gateway's key (no vendor's prefix, no name saying secret beside it) written in the
code the user edits went to the model as written, and the chat endpoint's key in a FIM prompt
went to the other server (``DEEPSEEK_FIM_BASE_URL``), which must never see it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deepseek_lsp.model.own_keys import without_keys, worth_hiding
from tests.fake_deepseek import FakeDeepSeek
from tests.harness import inline_params, lsp_session, open_doc, server_env, type_and_ask
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


async def test_the_configured_key_typed_in_pieces_is_sent_in_no_piece(tmp_path: Path) -> None:
    """Typed or pasted in pieces, or the cursor put inside it, the key is cut in two at the
    cursor: the prompt's end and the suffix's start each held a part, never the whole, and both
    went out (the whole key, in one body, with the cursor in its middle)."""
    ws = tmp_path / "ws"
    ws.mkdir()
    text = 'PRIMARY = ""\nSECOND = "' + CHAT_KEY + '"\n'
    uri = (ws / "keys.py").as_uri()
    (ws / "keys.py").write_text(text)
    with FakeDeepSeek() as fake:
        fake.responder(lambda body: "", path=FIM)
        fake.api_key = CHAT_KEY
        env = server_env(fake.url, api_key=CHAT_KEY, state_dir=str(tmp_path / "state"))
        settings = {"completion": {"debounce": 0, "prefetch": False}}
        async with lsp_session(env, settings=settings, root=str(ws)) as client:
            open_doc(client, uri, text)
            await type_and_ask(client, uri, 0, len('PRIMARY = "'), [CHAT_KEY[:11], CHAT_KEY[11:]])
            # The cursor inside the second line's key: half of it before, half after.
            await client.text_document_inline_completion_async(
                inline_params(uri, 1, len('SECOND = "') + 10, invoked=True)
            )
        bodies = [json.dumps(r.json) for r in fake.requests if r.json and r.path == FIM]
    assert len(bodies) >= 3
    for body in bodies:
        for piece in (CHAT_KEY[:10], CHAT_KEY[-9:], CHAT_KEY[3:11]):
            assert piece not in body, (piece, body[:600])
    assert all("SECOND = " in body for body in bodies)


def test_a_piece_of_a_configured_key_is_replaced_but_not_ordinary_text() -> None:
    keys = worth_hiding([CHAT_KEY])
    body = {"prompt": 'K = "' + CHAT_KEY[:9], "suffix": CHAT_KEY[9:] + '"\nx = "gw-7Hq"\n'}
    assert without_keys(body, keys) == {"prompt": 'K = "[REDACTED]', "suffix": '[REDACTED]"\nx = "gw-7Hq"\n'}
    # Cut by a line break in the code: both parts.
    split = {"prompt": 'KEY = ("' + CHAT_KEY[:11] + '"\n       "' + CHAT_KEY[11:] + '")\n', "suffix": ""}
    assert without_keys(split, keys)["prompt"] == 'KEY = ("[REDACTED]"\n       "[REDACTED]")\n'
    # Eight characters of it with no digit, fewer than eight, its middle, or a part of a
    # longer word, are any text's.
    plain = {"prompt": "gw-7Hq2 gw- Lp9Xz4Rt6V", "suffix": "build-Lp9Xz4Rt6Vb1 xgw-7Hq2Lp9Xz4Rt"}
    assert without_keys(plain, keys) is plain
    # A person's key shares words with the code: only its start or end, as a word of its own.
    own = worth_hiding(["my-vllm-server-2024"])
    code = {"prompt": 'host = "build-server-2024"\nname = "my-vllm-server"\n', "suffix": ""}
    assert without_keys(code, own) is code


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
