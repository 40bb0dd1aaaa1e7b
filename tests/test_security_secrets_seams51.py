"""Secret lists still sent after session 51's list work: a YAML list saved with CRLF line ends
(every item went out, the whole file redacted), a TOML or INI table saved with CRLF whose
entries a prompt's window or suffix starts among, and a cursor inside a list's name line (the
suffix starting at ``= [`` sent the items below the few its own lines took)."""

from __future__ import annotations

import pytest

from deepseek_lsp.privacy import REDACTED, redact

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
