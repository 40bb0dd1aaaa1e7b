"""A YAML block scalar of keys under a secret's name (``api_keys: |`` then a key a line) read
from wherever a prompt's window or suffix starts inside it: below the name line, its lines
looked like nothing, and the keys went out (40 keys: 37 sent; blank lines between them: all
but the first sent, the whole file redacted too)."""

from __future__ import annotations

import pytest

from deepseek_lsp.documents import Document
from deepseek_lsp.privacy import redact
from deepseek_lsp.prompts import build_fim_prompt
from tests.secret_forms import assert_redacted_in_linear_time, repeated

KEYS = [f"Fk{i:02d}d7s6Gh2Jq0Lw3Xy{i:02d}Q" for i in range(24)]


def _count(text: str) -> int:
    return len(text) // 3 + 1


def _sent(path: str, text: str, cursors: list[int], budget: int = 160) -> list[str]:
    doc = Document(f"file:///w/app/{path}", text)
    out = []
    for cursor in cursors:
        fim = build_fim_prompt(doc, cursor, budget=budget, suffix_share=0.3, count=_count)
        out.append(fim.prompt + fim.suffix)
    return out


def _leaked(sent: list[str], keys: list[str] = KEYS) -> list[str]:
    return [key for key in keys if any(key[:10] in text or key[10:] in text for text in sent)]


@pytest.mark.parametrize(
    "text",
    [
        "app:\n  name: shop\n  api_keys: |\n" + "".join(f"    {k}\n" for k in KEYS[:4]) + "  debug: false\n",
        "app:\n  api_keys: |\n" + "".join(f"    {k}\n" for k in KEYS) + "  debug: false\n",
        "api_tokens: >-\n" + "".join(f"  {k}\n\n" for k in KEYS[:8]) + "log_level: info\n",
        "tenants:\n  - name: a\n    secret_keys: |+\n" + "".join(f"      {k}\n" for k in KEYS[:8]) + "  - name: b\n",
    ],
)
def test_a_block_scalar_of_keys_sends_none_wherever_the_window_starts(text: str) -> None:
    out = redact(text, keep_lines=True)
    assert _leaked([out]) == [], out
    assert out.count("\n") == text.count("\n")
    assert _leaked(_sent("app.yaml", text, list(range(len(text) + 1)))) == []


def test_a_block_scalar_s_keys_far_below_its_name_are_not_sent() -> None:
    """1,500 keys (39 kB): the window and the 4 kB above it all keys, the name 64 kB up at most."""
    keys = [f"Fk{i:05d}s6Gh2Jq{i:05d}Q" for i in range(1500)]
    text = "app:\n  api_keys: |\n" + "".join(f"    {k}\n" for k in keys) + "  debug: false\n"
    cursors = [text.index(k) + d for k in keys[-40::7] for d in (0, 6, len(k))]
    assert _leaked(_sent("app.yaml", text, cursors, budget=1024), keys) == []


@pytest.mark.parametrize(
    "text",
    [
        # A script under a secret's name is code; one-word lines under another name are words.
        "jobs:\n  token_setup: |\n" + "".join(f"    echo step {n} of the setup\n" for n in range(30)) + "  done: true\n",
        "app:\n  packages: |\n" + "".join(f"    numpy{n}x2024\n" for n in range(30)) + "  done: true\n",
    ],
)
def test_other_block_scalars_are_sent_as_written(text: str) -> None:
    assert redact(text, keep_lines=True) == text
    last = text.splitlines()[-2]
    sent = _sent("app.yaml", text, [text.index(last) + len(last)])
    assert last in sent[0]


@pytest.mark.parametrize("text", ["api_keys: |\n" + repeated("  Fk8d7s6Gh2\n\n"), "api_keys: |\n  a\n" + repeated("\n  \n")])
def test_block_scalars_are_read_in_linear_time(text: str) -> None:
    assert_redacted_in_linear_time(text[:12], text)


def test_a_trigger_inside_a_mapping_s_values_does_not_cut_its_span() -> None:
    """A key holding a vendor's prefix (``…ckshpb…``: Shopify's ``shp``) began a span of its own
    lines, which cut the mapping's span there: the keys past the next two lines went out, the
    whole file redacted (1,370 of 1,500)."""
    keys = ["FkHVmJ2CksHPBPEJB39Q", *KEYS[:6]]
    text = "app:\n  api_keys: |\n" + "".join(f"    {k}\n" for k in keys) + "  debug: false\n"
    out = redact(text, keep_lines=True)
    assert _leaked([out], keys) == [], out
