"""A YAML block scalar under a password's or a key's name whose line is no bare word: a password
with a ``#`` in it (no comment inside a block scalar: ``password: |`` then ``Zq8Wn3Rt#6Yp1Lm5K``),
and a passphrase of words (``password: >`` then ``correct horse battery staple``). Each went out
whole, the whole file redacted too. A block of text (a description, a script) stays."""

from __future__ import annotations

import pytest

from deepseek_lsp.documents import Document
from deepseek_lsp.privacy import redact
from deepseek_lsp.prompts import build_fim_prompt
from tests.secret_forms import assert_redacted_in_linear_time, repeated

HASHED = "Zq8Wn3Rt#6Yp1Lm5K"
WORDS = "purple monkey dishwasher lantern"


def _count(text: str) -> int:
    return len(text) // 3 + 1


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        (f"db:\n  password: |\n    {HASHED}\n  user: app\n", HASHED),
        (f"db:\n  password: |-\n    {HASHED}\n  user: app\n", HASHED),
        (f"api:\n  api_key: >\n    {HASHED}\n", HASHED),
        (f"db:\n  password: >\n    {WORDS}\n  user: app\n", WORDS),
        (f"db:\n  password: |-\n    {WORDS}\n  user: app\n", WORDS),
        (f"wifi:\n  passphrase: |\n    {WORDS}\n", WORDS),
    ],
)
def test_a_block_scalar_s_password_that_is_no_bare_word_is_not_sent(text: str, secret: str) -> None:
    out = redact(text, keep_lines=True)
    assert secret[:8] not in out and secret[-8:] not in out, out
    assert out.count("\n") == text.count("\n")
    doc = Document("file:///w/app/config.yaml", text)
    for cursor in range(len(text) + 1):
        fim = build_fim_prompt(doc, cursor, budget=160, suffix_share=0.3, count=_count)
        sent = fim.prompt + fim.suffix
        assert secret[:8] not in sent and secret[-8:] not in sent, (cursor, sent)


@pytest.mark.parametrize(
    "text",
    [
        "password:\n  description: >\n    the user's password, hashed with bcrypt\n",
        "password: |\n  # set in the vault\n",
        "password_hint: >\n  see the team's vault entry for it\n",
        "password: |\n  must be at least eight characters long\n",
        "api_key: |\n  #!/bin/sh\n  echo hi\n",
    ],
)
def test_a_block_scalar_of_text_is_sent(text: str) -> None:
    assert redact(text, keep_lines=True) == text


@pytest.mark.parametrize("text", ["password: |\n  " + repeated("a#"), "password: >\n  " + repeated("word ")])
def test_a_block_scalar_s_words_are_read_in_linear_time(text: str) -> None:
    assert_redacted_in_linear_time(text[:10], text)
