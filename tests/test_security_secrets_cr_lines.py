"""A file whose lines end in "\\r" alone (a classic Mac file; a line break to LSP too): every
pattern reads lines by "\\n", and the whole file was one line that no secret's form was: an XML
element's keys, a continued INI value's, a YAML block scalar's went out whole."""

from __future__ import annotations

import pytest

from deepseek_lsp.privacy import REDACTED, redact

KEYS = ("k7Hq2LmX9pQrT4vW8zYb", "Zp4Rt8Vx2Qm6Nk1Jh5Gf", "Ab3Cd5Ef7Gh9Ij2Kl4Mn")

FORMS = {
    "xml element of keys": "<config>\r  <apiKeys>\r    <key>{0}</key>\r    <key>{1}</key>\r    <key>{2}</key>\r  </apiKeys>\r</config>\r",
    "continued ini value": "[billing]\rapi_keys =\r    {0}\r    {1}\r    {2}\rtimeout = 3\r",
    "yaml list": "app:\r  tokens:\r    - {0}\r    - {1}\r    - {2}\r  port: 80\r",
}


@pytest.mark.parametrize("form", FORMS, ids=list(FORMS))
@pytest.mark.parametrize("keep_lines", [True, False], ids=["whole file", "prompt"])
def test_a_cr_file_s_keys_are_redacted_and_its_line_breaks_kept(form: str, keep_lines: bool) -> None:
    text = FORMS[form].format(*KEYS)
    out = redact(text, keep_lines=keep_lines)
    assert not [k for k in KEYS if k in out], out
    assert "\n" not in out and REDACTED in out
    if keep_lines:
        assert out.count("\r") == text.count("\r")


def test_a_text_ending_in_a_crlf_line_s_cr_is_read_as_it_is() -> None:
    text = 'name = "billing"\r'  # a prompt's window cut between "\r" and "\n"
    assert redact(text) == text
