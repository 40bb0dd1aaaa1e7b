"""A raw Jupyter notebook (its JSON opened as text) whose code cell holds a secret on the line
below its name (``"API_KEY = (\\n"`` then ``"    \\"…\\"\\n"``): between them the JSON string's
end and the next one's start, ``\\n",`` and a line break, where code has a line break alone.
Every value went out, the whole file redacted too (3 of 3)."""

from __future__ import annotations

import json

import pytest

from deepseek_lsp.documents import Document
from deepseek_lsp.privacy import redact
from deepseek_lsp.prompts import build_fim_prompt
from tests.secret_forms import assert_redacted_in_linear_time, repeated

KEYS = ["Fk1m287ybXS0ixVCH0l1YUTrO9jeDoE9Q", "Fk2OJ55IfKprUaHVSn9zruLcaz8VZjv9Q", "Fk3rggXCJDCxULLWk5bnWb4dhbUCAG9Q"]


def _notebook(sources: list[list[str]]) -> str:
    cells = [{"cell_type": "code", "metadata": {}, "outputs": [], "source": source} for source in sources]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1) + "\n"


SECRETS = _notebook(
    [
        ["import openai\n", "API_KEY = (\n", f'    "{KEYS[0]}"\n', ")\n"],
        ["DB_PASSWORD = (\n", f"    '{KEYS[1]}'\n", ")\n"],
        ["client = Client(\n", "    token=(\n", f'        "{KEYS[2]}"\n', "    ),\n", ")\n"],
    ]
)


def _count(text: str) -> int:
    return len(text) // 3 + 1


def test_a_notebook_s_values_below_their_names_are_not_sent() -> None:
    out = redact(SECRETS, keep_lines=True)
    assert not [k for k in KEYS if k[:12] in out or k[12:] in out], out
    doc = Document("file:///w/app/orders.ipynb", SECRETS)
    for cursor in range(len(SECRETS) + 1):
        fim = build_fim_prompt(doc, cursor, budget=160, suffix_share=0.3, count=_count)
        sent = fim.prompt + fim.suffix
        assert not [k for k in KEYS if k[:12] in sent or k[12:] in sent], (cursor, sent)


@pytest.mark.parametrize(
    "source",
    [
        ["message = (\n", '    "Hello there, 2024 edition"\n', ")\n"],
        ["api_key = (\n", "    os.environ['API_KEY']\n", ")\n"],
        ["token = (\n", '    f"{prefix}-{suffix}"\n', ")\n"],
    ],
)
def test_a_notebook_s_ordinary_values_below_their_names_are_sent(source: list[str]) -> None:
    text = _notebook([source])
    assert redact(text, keep_lines=True) == text


@pytest.mark.parametrize(
    "text",
    [
        '"api_key = (' + repeated('\\n",\n    "'),
        '"password = (\\n",' + repeated('\n "  \\"x'),
        '"token =' + repeated('\\n",\n "'),
        '"token = \\\\' + repeated("\\n  "),
        '"token =' + repeated("\\n \\"),
    ],
)
def test_notebook_source_lines_are_read_in_linear_time(text: str) -> None:
    assert_redacted_in_linear_time(text[:12], text)


#: Session 53's forms: the value below its name after a bare line break (Julia's ``TOKEN =``,
#: R's ``api_key <-``), a ``\`` continuation (JSON's ``\\``), blank lines between, the source one
#: string (``"TOKEN = \\\n    \"…\"\n"``). Each value went out, the whole file redacted too.
BELOW = [
    ["TOKEN =\n", f'    "{KEYS[0]}"\n'],
    ["api_key <-\n", f'  "{KEYS[1]}"\n'],
    ["SECRET_KEY = \\\n", f'    "{KEYS[2]}"\n'],
    ["API_KEY = \\\n", f"    '{KEYS[0]}'\n", "print(1)\n"],
    ["DB_PASSWORD = (\n", "\n", f'    "{KEYS[1]}"\n', ")\n"],
    ["client = Client(\n", "    api_key=\\\n", f'        "{KEYS[2]}",\n', ")\n"],
]


@pytest.mark.parametrize("source", BELOW)
@pytest.mark.parametrize("joined", [False, True])
def test_a_notebook_s_value_below_a_bare_line_break_is_not_sent(source: list[str], joined: bool) -> None:
    text = _notebook([["".join(source)] if joined else source])
    out = redact(text, keep_lines=True)
    assert not [k for k in KEYS if k[:12] in out or k[12:] in out], out
    doc = Document("file:///w/app/keys.ipynb", text)
    for cursor in range(len(text) + 1):
        fim = build_fim_prompt(doc, cursor, budget=160, suffix_share=0.3, count=_count)
        sent = fim.prompt + fim.suffix
        assert not [k for k in KEYS if k[:12] in sent or k[12:] in sent], (cursor, sent)


@pytest.mark.parametrize(
    "source",
    [
        ["token =\n", "    next_token(stream)\n"],
        ["print(\"token =\\n\")\n", '"Hello there, 2024 edition"\n'],
        ["api_key = \\\n", "    os.environ['API_KEY']\n"],
    ],
)
def test_a_notebook_s_code_below_a_bare_line_break_is_sent(source: list[str]) -> None:
    text = _notebook([source])
    assert redact(text, keep_lines=True) == text
