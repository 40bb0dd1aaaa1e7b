"""Secret lists still sent after session 51's list work: a YAML list saved with CRLF line ends
(every item went out, the whole file redacted), a TOML or INI table saved with CRLF whose
entries a prompt's window or suffix starts among, and a cursor inside a list's name line (the
suffix starting at ``= [`` sent the items below the few its own lines took)."""

from __future__ import annotations

import pytest

from deepseek_lsp.documents import Document
from deepseek_lsp.privacy import REDACTED, redact
from deepseek_lsp.prompts import build_fim_prompt
from tests.secret_forms import assert_redacted_in_linear_time, repeated

A, B = "Fk8d7s6Gh2Jq0Lw3Xy9Q", "Qz1Xc4Vb7Nm0Pa5Sd8Fg"


@pytest.mark.parametrize(
    "text",
    [
        f"api_keys:\r\n  - {A}\r\n  - {B}\r\n",  # a YAML list saved on Windows
        f"api_keys:\r\n- '{A}'\r\n- \"{B}\"  # staging\r\n",
        f"services:\r\n  api_keys:\r\n    - {A}\r\n    - {B}\r\n",
    ],
)
def test_a_yaml_list_saved_with_crlf_sends_none_of_its_items(text: str) -> None:
    out = redact(text, keep_lines=True)
    assert out == text.replace(A, REDACTED).replace(B, REDACTED), out


@pytest.mark.parametrize(
    "text",
    [
        "API_KEYS = [\r\n" + "".join(f'\r\n    "{A[:-2]}{i:02d}",\r\n' for i in range(6)) + "]\r\n",
        "api_keys:\r\n" + "".join(f"  - {A[:-2]}{i:02d}\r\n\r\n" for i in range(6)),
        "api_keys:\n" + "".join(f"  - {A[:-2]}{i:02d}\n\n  # c\n" for i in range(6)),  # LF too
    ],
)
def test_a_crlf_list_with_blank_lines_between_its_items_sends_none_of_them(text: str) -> None:
    """A blank line saved with CRLF ended the list's span after its first items (4 of 6 went),
    and any blank line a YAML list (5 of 6)."""
    out = redact(text, keep_lines=True)
    assert A[:8] not in out, out
    assert out.count("\n") == text.count("\n")


@pytest.mark.parametrize(
    "text",
    ["api_keys:\n" + repeated("\n"), "api_keys:\r\n" + repeated("  # c\r\n\r\n"), "API_KEYS = [\n" + repeated("\r\n"),
     "api_keys = {\n" + repeated("a: 'b',\n"), "api_keys = {\n" + repeated("a")],
)
def test_blank_lines_below_a_list_s_name_are_read_in_linear_time(text: str) -> None:
    assert_redacted_in_linear_time(text[:14], text)


@pytest.mark.parametrize(
    ("path", "text", "name_end"),
    [
        ("keys.py", "import os\n\nAPI_KEYS = [\n" + "".join(f'    "{A[:-2]}{i:02d}",\n' for i in range(16)) + "]\n", "API_KEYS"),
        ("keys.js", "const apiKeys = [\n" + "".join(f"  '{A[:-2]}{i:02d}', // c\n" for i in range(16)) + "];\n", "apiKeys"),
        ("vars.tf", 'variable "api_keys" {\n  default = [\n' + "".join(f'    "{A[:-2]}{i:02d}",\n' for i in range(16)) + "  ]\n}\n", "  def"),
    ],
)
def test_a_cursor_inside_a_list_s_name_line_sends_none_of_its_items(path: str, text: str, name_end: str) -> None:
    """The cursor on the name's own line before its ``[`` (renaming it, or typing its ``=``):
    the suffix from there sent the items below the first few (6 of 16)."""
    doc = Document(f"file:///w/app/{path}", text)
    for cursor in (text.index(name_end) + len(name_end), text.index("[") - 1):
        fim = build_fim_prompt(doc, cursor, budget=400, suffix_share=0.3, count=lambda t: len(t) // 3 + 1)
        assert A[:8] not in fim.prompt + fim.suffix, (cursor, fim.suffix)


@pytest.mark.parametrize(
    "text",
    [
        "const apiKeys = {\n" + "".join(f"  c{i}: '{A[:-2]}{i:02d}',\n" for i in range(6)) + "};\n",
        "API_KEYS = {\r\n" + "".join(f'  c{i}: "{A[:-2]}{i:02d}",\r\n' for i in range(6)) + "}\r\n",  # Ruby's symbols
        "$apiKeys = [\n" + "".join(f"    prod{i} => '{A[:-2]}{i:02d}',\n" for i in range(6)) + "];\n",
    ],
)
def test_an_object_of_secrets_with_bare_keys_sends_none_of_its_values(text: str) -> None:
    """``prod: '…'`` (a bare key, not a quoted one) ended the list's span: all but the first
    two values went out (4 of 6)."""
    out = redact(text, keep_lines=True)
    assert A[:8] not in out, out
