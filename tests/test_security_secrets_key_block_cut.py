"""A private key block the prompt cuts where its END line is out of the text: the cursor inside a
key longer than the suffix (a 4096-bit RSA key is ~3,200 characters), or a key pasted or kept
without its END line. The window was redacted from its BEGIN line; the suffix, base64 lines with
neither a BEGIN nor an END line, went out as written."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from deepseek_lsp.documents import Document
from deepseek_lsp.prompts import build_fim_prompt
from tests.fake_deepseek import FakeDeepSeek
from tests.harness import inline_params, lsp_session, open_doc, server_env

#: 64-character base64 lines, as PEM writes them (not a key: digests, shaped like one).
LINES = [base64.b64encode(hashlib.sha512(bytes([i])).digest())[:64].decode() for i in range(52)]
BLOCK = "-----BEGIN RSA PRIVATE KEY-----\n" + "\n".join(LINES) + "\n-----END RSA PRIVATE KEY-----\n"


def _sent_lines(text: str, cursors: list[int]) -> set[int]:
    """The cursors at which a 16-character piece of any of the key's lines was in the prompt."""
    doc = Document("file:///w/deploy.py", text)
    leaked = set()
    for cursor in cursors:
        fim = build_fim_prompt(doc, cursor, budget=2000, suffix_share=0.3, count=lambda t: len(t) // 3 + 1)
        sent = fim.prompt + fim.suffix
        if any(line[k : k + 16] in sent for line in LINES for k in range(0, 48, 16)):
            leaked.add(cursor)
    return leaked


def test_a_key_longer_than_the_suffix_is_sent_in_no_prompt() -> None:
    text = 'KEY = """' + BLOCK + '"""\n\n\ndef load():\n    return KEY\n'
    start = text.index(LINES[0])
    cursors = list(range(start - 40, text.index("-----END"), 97))
    assert not _sent_lines(text, cursors)


def test_a_key_without_its_end_line_is_sent_in_no_prompt() -> None:
    text = 'KEY = """-----BEGIN PRIVATE KEY-----\n' + "\n".join(LINES[:6]) + '\n"""\nprint(KEY)\n\n'
    assert not _sent_lines(text, list(range(0, len(text), 5)))


def test_escaped_line_breaks_after_the_cursor_are_no_way_out() -> None:
    text = 'KEY = "-----BEGIN PRIVATE KEY-----\\n' + "\\n".join(LINES[:6]) + '\\n-----END PRIVATE KEY-----\\n"\n\n'
    assert not _sent_lines(text, list(range(0, len(text), 5)))


async def test_the_cursor_inside_a_long_key_sends_none_of_it(tmp_path: Path) -> None:
    text = 'KEY = """' + BLOCK + '"""\n'
    line = 1 + len(LINES) // 3
    with FakeDeepSeek() as fake:
        fake.responder(lambda body: "x", path="/beta/completions")
        fake.api_key = "sk-test-0123456789"
        env = server_env(fake.url, api_key=fake.api_key, state_dir=str(tmp_path / "state"))
        async with lsp_session(env, settings={"completion": {"debounce": 0, "prefetch": False}}) as client:
            uri = "file:///ws/deploy.py"
            open_doc(client, uri, text)
            await client.text_document_inline_completion_async(inline_params(uri, line, 64, invoked=True))
            bodies = [str(r.json) for r in fake.requests if r.json and r.path == "/beta/completions"]
    assert bodies
    assert not any(piece[k : k + 16] in body for body in bodies for piece in LINES for k in range(0, 48, 16))
