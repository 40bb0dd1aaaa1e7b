"""Lists of bare words under a secret's name that went out whole at session 53's start: Elixir's
word-list sigils (``@api_keys ~w(…)``, ``~w[…]``, ``~W(…)``, any of its eight delimiters, a
keyword's ``api_keys: ~w(…)``), and Ruby's ``%w[…]`` and Perl's ``qw(…)`` written a word a
line, whose words past the second went out (the lines redaction looked at ended there)."""

from __future__ import annotations

import pytest

from deepseek_lsp.documents import Document
from deepseek_lsp.privacy import redact
from deepseek_lsp.prompts import build_fim_prompt
from tests.secret_forms import assert_redacted_in_linear_time, repeated

KEYS = [f"Fk7c5Qa9Zr2Mx4Tb{i:02d}Wd" for i in range(6)]


def _count(text: str) -> int:
    return len(text) // 3 + 1


def _leaked(sent: list[str]) -> list[str]:
    return [key for key in KEYS if any(key[:10] in text or key[8:] in text for text in sent)]


def _sent_at_each_place(path: str, text: str) -> list[str]:
    doc = Document(f"file:///w/app/{path}", text)
    sent = []
    for cursor in range(len(text) + 1):
        fim = build_fim_prompt(doc, cursor, budget=160, suffix_share=0.3, count=_count)
        sent.append(fim.prompt + fim.suffix)
    return sent


ONE_LINE = " ".join(KEYS)
A_WORD_A_LINE = "".join(f"    {key}\n" for key in KEYS)


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("keys.ex", f"defmodule Keys do\n  @api_keys ~w({ONE_LINE})\nend\n"),
        ("keys.ex", f"defmodule Keys do\n  @api_keys ~w[{ONE_LINE}]a\nend\n"),
        ("keys.ex", f"defmodule Keys do\n  @tokens ~W({ONE_LINE})\nend\n"),
        ("keys.ex", f"defmodule Keys do\n  @secret_keys ~w{{{ONE_LINE}}}\nend\n"),
        ("keys.ex", f"defmodule Keys do\n  @api_keys ~w/{ONE_LINE}/\nend\n"),
        ("keys.ex", f"defmodule Keys do\n  @api_keys ~w|{ONE_LINE}|\nend\n"),
        ("keys.ex", f"defmodule Keys do\n  @api_keys ~w<{ONE_LINE}>\nend\n"),
        ("keys.ex", f'defmodule Keys do\n  @api_keys ~w"{ONE_LINE}"\nend\n'),
        ("config.exs", f"import Config\n\nconfig :shop, api_keys: ~w({ONE_LINE})\n"),
        ("config.exs", f"import Config\n\nconfig :shop, api_keys: ~w|{ONE_LINE}|\n"),
        ("keys.exs", f"api_keys = ~w({ONE_LINE})\n"),
        ("keys.ex", f"defmodule Keys do\n  @api_keys ~w(\n{A_WORD_A_LINE}  )\nend\n"),
        ("keys.rb", f"API_KEYS = %w[\n{A_WORD_A_LINE}].freeze\n"),
        ("keys.pl", f"my @api_keys = qw(\n{A_WORD_A_LINE});\n"),
        # A sigil whose delimiter is no bracket over lines (each went out whole before session 54:
        # its words were read on its opening line alone).
        ("keys.ex", f"defmodule Keys do\n  @api_keys ~w/\n{A_WORD_A_LINE}  /\nend\n"),
        ("keys.ex", f"defmodule Keys do\n  @api_keys ~w|\n{A_WORD_A_LINE}  |\nend\n"),
        ("keys.ex", f'defmodule Keys do\n  @tokens ~W"\n{A_WORD_A_LINE}  "\nend\n'),
        ("keys.ex", f"defmodule Keys do\n  @secret_keys ~w'\n{A_WORD_A_LINE}  'a\nend\n"),
        ("keys.ex", f"defmodule Keys do\n  @api_keys ~w|{KEYS[0]}\n    {KEYS[1]} {KEYS[2]}\n    {KEYS[3]}\n    {KEYS[4]} {KEYS[5]}|\nend\n"),
        ("config.exs", f"import Config\n\nconfig :shop,\n  api_keys: ~w/\n{A_WORD_A_LINE}  /\n"),
        # Two of them, the cursor in the first: the second's first words redacted as the seam's
        # list's ended the span its third was looked for in (it went out).
        ("keys.ex", f'defmodule Keys do\n  @api_keys ~w/\n{A_WORD_A_LINE[:75]}  /\n  @tokens ~W"\n{A_WORD_A_LINE[75:]}  "\nend\n'),
    ],
)
def test_a_list_of_bare_words_under_a_secret_s_name_is_not_sent(path: str, text: str) -> None:
    out = redact(text, keep_lines=True)
    assert _leaked([out]) == [], out
    assert out.count("\n") == text.count("\n")
    assert _leaked(_sent_at_each_place(path, text)) == []


@pytest.mark.parametrize(
    "text",
    [
        "  @modes ~w(read write admin)\n",
        "  @token_kinds ~w(identifier whitespace number)a\n",
        "  @api_key_headers ~w(x-api-key authorization)\n",
        '  @secret_names ~w"DB_PASSWORD API_TOKEN"\n',
        "  path = ~w(usr local bin)\n",
        "  @modes ~w|\n    read\n    write\n    admin\n  |\n",
        "  @api_key_headers ~w/\n    x-api-key\n    authorization\n  /\n",
        '  @secret_names ~w"\n    DB_PASSWORD\n    API_TOKEN\n  "\n',
    ],
)
def test_a_sigil_of_words_that_are_no_secret_is_sent(text: str) -> None:
    assert redact(text, keep_lines=True) == text


@pytest.mark.parametrize(
    "text",
    [
        "@api_keys ~w(" + repeated("Fk7c5Qa9Zr2 "),
        "@api_keys ~w(" + repeated("~w("),
        *("@api_keys ~w" + opener + repeated(unit) for opener in "|/" for unit in ("Fk7c5Qa9Zr2\n", "a |\n", "/\n", "~w|\n")),
    ],
)
def test_a_sigil_s_words_are_read_in_linear_time(text: str) -> None:
    assert_redacted_in_linear_time(text[:13], text)

