"""Secret lists still sent at session 52's start: an object of secrets with bare keys whose
prompt window ends inside a key's name (the whole window's values went out), Ruby's
``:prod => '…'`` hash (every value, the whole file redacted), a TOML table's value the cursor is
inside of (its first part ended the window unredacted)."""

from __future__ import annotations

import pytest

from deepseek_lsp.documents import Document
from deepseek_lsp.privacy import redact
from deepseek_lsp.prompts import build_fim_prompt

KEYS = [f"Fk8d7s6Gh2Jq0Lw3Xy{i:02d}Q" for i in range(16)]


def _count(text: str) -> int:
    return len(text) // 3 + 1


def _sent_at_each_place(path: str, text: str, budgets: tuple[int, ...] = (160,)) -> list[str]:
    """What completion prompts send with the cursor at each place of ``text``."""
    doc = Document(f"file:///w/app/{path}", text)
    sent = []
    for budget in budgets:
        for cursor in range(len(text) + 1):
            fim = build_fim_prompt(doc, cursor, budget=budget, suffix_share=0.3, count=_count)
            sent.append(fim.prompt + fim.suffix)
    return sent


def _leaked(sent: list[str]) -> list[str]:
    return [key for key in KEYS if any(key[:12] in text or key[8:] in text for text in sent)]


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("keys.js", "import x from 'y';\n\nexport const apiKeys = {\n" + "".join(f"  tenant{i}: '{k}',\n" for i, k in enumerate(KEYS)) + "};\n"),
        ("keys.rb", "module Keys\n  API_KEYS = {\n" + "".join(f'    tenant{i}: "{k}",\n' for i, k in enumerate(KEYS)) + "  }.freeze\nend\n"),
    ],
)
def test_a_window_ending_inside_a_bare_key_s_name_sends_none_of_the_values_above(path: str, text: str) -> None:
    """The cursor in ``  ten|ant3: '…'`` (renaming a key): the window's last line, a key cut
    before its colon, ended no list, and every value above it went out (15 of 16)."""
    assert _leaked(_sent_at_each_place(path, text)) == []


def test_a_ruby_hash_of_symbols_to_secrets_sends_none_of_its_values() -> None:
    """``:prod => '…'`` (a symbol's colon before its name) ended the list at its first entry:
    every value went out, the whole file redacted (16 of 16)."""
    text = "API_KEYS = {\n" + "".join(f"  :tenant{i} => '{k}',\n" for i, k in enumerate(KEYS)) + "}.freeze\n"
    out = redact(text, keep_lines=True)
    assert _leaked([out]) == [], out
    assert _leaked(_sent_at_each_place("keys.rb", text)) == []


def test_a_toml_value_the_cursor_is_inside_of_is_not_sent() -> None:
    """``tenant3 = "Fk8d7s6G|h2Jq…"``: the window's last line, a value cut by the cursor, was no
    table entry (no closing quote), and its first part went out (13 of 16 values, in part)."""
    text = "[secrets.api_keys]\n" + "".join(f'tenant{i} = "{k}"\n' for i, k in enumerate(KEYS))
    doc = Document("file:///w/app/config.toml", text)
    for key in KEYS:
        cursor = text.index(key) + 12
        fim = build_fim_prompt(doc, cursor, budget=160, suffix_share=0.3, count=_count)
        assert key[:8] not in fim.prompt + fim.suffix, fim.prompt[-80:]

