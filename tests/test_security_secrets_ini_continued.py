"""An INI value continued on lines indented below its name (configparser's multi-line values,
setup.cfg's, tox.ini's): ``api_keys =`` then a key a line, or the first on the name's line. Only
the first key was redacted; the others went out as the words they look like."""

from __future__ import annotations

import pytest

from deepseek_lsp.privacy import REDACTED, redact
from tests.secret_forms import assert_none_sent_at_each, assert_redacted_in_linear_time, repeated

KEYS = ("k7Hq2LmX9pQrT4vW8zYb", "Zp4Rt8Vx2Qm6Nk1Jh5Gf", "Ab3Cd5Ef7Gh9Ij2Kl4Mn")

FORMS = {
    "below the name": "[billing]\nname = billing\napi_keys =\n    {0}\n    {1}\n    {2}\ntimeout = 3\n",
    "first on the name's line": "[billing]\napi_keys = {0}\n    {1}\n    {2}\ntimeout = 3\n",
    "colon, tabs": "[billing]\napi_keys:\n\t{0}\n\t{1}\n\t{2}\n[next]\n",
    "a blank line inside": "[billing]\napi_keys =\n    {0}\n\n    {1}\n    {2}\n",
    "CRLF": "[billing]\r\napi_keys =\r\n    {0}\r\n    {1}\r\n    {2}\r\ntimeout = 3\r\n",
    "at the text's end": "[billing]\napi_keys =\n    {0}\n    {1}\n    {2}",
}


@pytest.mark.parametrize("form", FORMS, ids=list(FORMS))
def test_every_key_of_a_continued_ini_value_is_redacted(form: str) -> None:
    text = FORMS[form].format(*KEYS)
    out = redact(text, keep_lines=True)
    assert not [k for k in KEYS if k in out], out
    assert out.count("\n") == text.count("\n")
    # The rest of the file stays: the section, the other options.
    assert "[billing]" in out and REDACTED in out
    assert ("timeout = 3" in out) == ("timeout = 3" in text)


@pytest.mark.parametrize("keep_lines", [True, False], ids=["whole file", "prompt"])
@pytest.mark.parametrize(
    ("text", "before"),
    [
        (FORMS["CRLF"], ""),
        # A prompt's text below its seam: a block scalar's keys, a continued INI value's.
        ("    {0}\r\n    {1}\r\n    {2}\r\n  name: x\r\n", "app:\r\n  api_keys: |\r\n"),
        ("    {0}\r\n    {1}\r\n    {2}\r\ntimeout = 3\r\n", "[billing]\r\napi_keys =\r\n"),
    ],
    ids=["continued value", "block scalar below the seam", "continued value below the seam"],
)
def test_a_crlf_file_s_redacted_keys_keep_its_line_breaks(text: str, before: str, keep_lines: bool) -> None:
    """The keys' lines of a CRLF file end in ``\\r\\n`` as its others do: ``\\n`` was written
    in their place (lines ending in ``\\n\\r\\n``, LF lines in a CRLF prompt)."""
    text = text.format(*KEYS)
    out = redact(text, keep_lines=keep_lines, before=before)
    assert not [k for k in KEYS if k in out], out
    assert "\n" not in out.replace("\r\n", ""), out
    if keep_lines:
        assert out.count("\r\n") == text.count("\r\n"), out


@pytest.mark.parametrize(
    "text",
    [
        # Continuation lines of an option that names no secret: a list of packages.
        "[options]\ninstall_requires =\n    requests\n    httpx\n",
        # Under a secret's name but at its own indentation: the next statement, not its value.
        "def f():\n    api_key = load()\n    refresh_tokens_later\n",
        # A Makefile rule's recipe line, its command several words.
        "password:\n\t./scripts/make-password.sh --length 20\n",
    ],
)
def test_what_is_no_continued_secret_stays(text: str) -> None:
    assert redact(text, keep_lines=True) == text


def test_a_continued_value_is_redacted_in_linear_time() -> None:
    assert_redacted_in_linear_time("indented words", "api_keys =\n" + repeated("    abcdefgh\n"))
    assert_redacted_in_linear_time("names", repeated("api_keys =\n"))
    assert_redacted_in_linear_time("names and words", repeated("api_keys = abcdefgh\n  x\n"))


@pytest.mark.parametrize("form", ["below the name", "first on the name's line", "a blank line inside", "CRLF"])
def test_no_key_of_a_continued_ini_value_is_sent_wherever_a_prompt_cuts_it(form: str) -> None:
    # The cursor at each place, a window or a suffix starting among the keys: the option's
    # name is above the seam, the keys below looked like words alone.
    assert_none_sent_at_each("setup.cfg", FORMS[form].format(*KEYS), KEYS)
