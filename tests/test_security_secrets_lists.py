"""A list of secrets under a secret's name (``api_keys = ["…", "…"]``, YAML's ``tokens:`` then
``- …`` lines, a JSON array): every item is redacted, the list over lines too. Only the first
line's value was ever looked at, and a list's items are not one."""

from __future__ import annotations

import pytest

from deepseek_lsp.privacy import REDACTED, redact
from tests.secret_forms import (
    LINE_SIZE,
    SECRET,
    assert_not_in_prompts,
    assert_redacted_in_linear_time,
    repeated,
)

ITEMS = [SECRET, "Zq8Wn3Rt6Yp1Lm5K", "Hk7vQ2mLp9xZr4Tw", "r4Tw-Hk7v!Q2mL9", "Lp9xZr4TwHk7vQ2m"]


def _all_redacted(text: str) -> None:
    out = redact(text, keep_lines=True)
    expected = text
    for item in ITEMS:
        expected = expected.replace(item, REDACTED)
    assert out == expected, out


def _lines(items: list[str], form: str) -> str:
    return "".join(form.format(item) for item in items)


@pytest.mark.parametrize(
    "text",
    [
        f'api_keys = ["{ITEMS[0]}", "{ITEMS[1]}"]\n',
        f"SECRET_KEYS = ('{ITEMS[0]}', '{ITEMS[1]}', '{ITEMS[2]}')\n",
        f'passwords = {{"{ITEMS[0]}", "{ITEMS[1]}"}}\n',
        f'{{"api_keys": ["{ITEMS[0]}", "{ITEMS[1]}"]}}\n',
        f'tokens: ["{ITEMS[0]}", "{ITEMS[1]}"]\n',
        f'tokens := []string{{"{ITEMS[0]}", "{ITEMS[1]}"}}\n',
        # over lines: more items than the lines looked at below a name
        "API_KEYS = [\n" + _lines(ITEMS, '    "{}",\n') + "]\n",
        "const apiKeys = [\n" + _lines(ITEMS, '  "{}",  // a client\n') + "];\n",
        '{\n  "api_keys": [\n' + ",\n".join(f'    "{item}"' for item in ITEMS) + "\n  ]\n}\n",
        "tokens:\n" + _lines(ITEMS, "  - {}\n") + "other: 1\n",
        "service:\n  api_tokens:\n" + _lines(ITEMS, '    - "{}"\n') + "  port: 8080\n",
        'variable "x" {}\napi_keys = [\n' + _lines(ITEMS, '  "{}",\n') + "]\n",
        # blanks after the bracket (two in an LF file, one in a CRLF one): the line's last three
        # characters held no bracket, and the items past the two lines below it went out
        "API_KEYS = [  \n" + _lines(ITEMS, '    "{}",\n') + "]\n",
        "API_KEYS = [ \r\n" + _lines(ITEMS, '    "{}",\r\n') + "]\r\n",
    ],
)
def test_every_item_of_a_list_under_a_secret_s_name_is_redacted(text: str) -> None:
    _all_redacted(text)


@pytest.mark.parametrize(
    "text",
    [
        # a type between the name and the value
        f'API_KEYS: list[str] = ["{ITEMS[0]}", "{ITEMS[1]}"]\n',
        f'API_KEYS: tuple[str, ...] = ("{ITEMS[0]}", "{ITEMS[1]}")\n',
        f'const apiKeys: string[] = ["{ITEMS[0]}", "{ITEMS[1]}"];\n',
        f'const apiKeys: readonly string[] = ["{ITEMS[0]}", "{ITEMS[1]}"] as const;\n',
        f'export const API_KEYS: Array<string> = ["{ITEMS[0]}", "{ITEMS[1]}"];\n',
        f'let apiKeys: [String] = ["{ITEMS[0]}", "{ITEMS[1]}"]\n',
        f'const API_KEYS: [&str; 2] = ["{ITEMS[0]}", "{ITEMS[1]}"];\n',
        f'static API_KEYS: &[&str] = &["{ITEMS[0]}", "{ITEMS[1]}"];\n',
        f'const char* api_keys[] = {{"{ITEMS[0]}", "{ITEMS[1]}"}};\n',
        # a constructor or a macro before the items
        f'let api_keys = vec!["{ITEMS[0]}", "{ITEMS[1]}"];\n',
        f'var apiKeys = new[] {{ "{ITEMS[0]}", "{ITEMS[1]}" }};\n',
        f'var apiKeys = new List<string> {{ "{ITEMS[0]}", "{ITEMS[1]}" }};\n',
        f'$api_keys = array("{ITEMS[0]}", "{ITEMS[1]}");\n',
        f'val apiKeys = Seq("{ITEMS[0]}", "{ITEMS[1]}")\n',
        f'val apiKeys = List("{ITEMS[0]}", "{ITEMS[1]}")\n',
        f'API_KEYS = frozenset({{"{ITEMS[0]}", "{ITEMS[1]}"}})\n',
        f"final apiKeys = <String>['{ITEMS[0]}', '{ITEMS[1]}'];\n",
    ],
)
def test_a_list_s_items_are_redacted_after_a_type_or_a_constructor(text: str) -> None:
    """Python's, TypeScript's, Swift's and Rust's annotations, C's ``name[]``, Rust's ``vec!``,
    C#'s ``new[]`` and ``new List<string>``, PHP's ``array(``, Scala's ``Seq(``, Dart's
    ``<String>[``: every item went out (only ``= [`` and a few constructors were read)."""
    _all_redacted(text)


def test_lists_under_a_secret_s_name_that_hold_no_secret_stay() -> None:
    text = (
        "tokens = ('NAME', 'NUMBER', 'PLUS', 'LPAREN')\n"
        'SENSITIVE_KEYS = ["password", "api_key", "token", "AWS_SECRET_ACCESS_KEY"]\n'
        'TOKEN_TYPES = ["access_token", "refresh_token"]\n'
        "AUTH_PASSWORD_VALIDATORS = [\n"
        '    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},\n]\n'
        "secret_fields = [\n    'password',\n    'token',\n]\n"
        "api_keys = [key_one, key_two]\n"
        'tokens = ["(", ")", "+=", "if"]\n'
        "passwords = ['', '<your-password>', '${DB_PASSWORD}', 'changeme']\n"
        "secrets:\n  - name: db\n    key: password\n  - name: api\n"
        "api_keys: []\n"
        "tokens:\n  - ${TOKEN_ONE}\n  - $TOKEN_TWO\n"
        "token_variants = ['+i6t-not-inline', '+i6t-inline', '+i6t-use-option']\n"  # pygments' lexer
        '    AWSSecretAccessKey: ["wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"],\n'  # secretlint's rule
    )
    assert redact(text) == text


def test_a_list_s_items_are_not_in_a_completion_prompt() -> None:
    text = "import os\n\nAPI_KEYS = [\n" + _lines(ITEMS, '    "{}",\n') + "]\n\n\ndef client():\n    return os\n"
    assert_not_in_prompts(text, "def client", ITEMS[3])


def test_a_window_starting_inside_a_list_sends_none_of_its_items() -> None:
    """The list's name above the prompt's window (redacted apart from it), more lines above than
    the seam between them."""
    before = "API_KEYS = [\n" + _lines(ITEMS[:3], '    "{}",\n')
    text = _lines(ITEMS[3:], '    "{}",\n') + "]\n"
    assert redact(text, before=before) == text.replace(ITEMS[3], REDACTED).replace(ITEMS[4], REDACTED)
    before = "tokens:\n" + _lines(ITEMS[:3], "  - {}\n")
    text = _lines(ITEMS[3:], "  - {}\n") + "port: 1\n"
    assert redact(text, before=before) == text.replace(ITEMS[3], REDACTED).replace(ITEMS[4], REDACTED)


# (``"api_key": {"x"``: a flow mapping's closing brace was looked for to the line's end from each
# name, quadratic: 1 s over 100 kB, bench_redaction_worst.py.)
@pytest.mark.parametrize("unit", ['api_keys = ["a", ', 'tokens = ["Zq8Wn3Rt6Yp1Lm5K" ', "tokens:\n  - x\n", '"api_key": {"x"'])
def test_lists_are_read_in_linear_time(unit: str) -> None:
    assert_redacted_in_linear_time(unit, repeated(unit))


def test_an_item_s_spaces_are_read_once() -> None:
    """The spaces of a YAML item's line were the value's or the end's: each split was tried (6 s
    of CPU over a 20 kB line)."""
    assert_redacted_in_linear_time("spaces", "tokens:\n  - a" + " " * LINE_SIZE + "b\n")
    assert_redacted_in_linear_time("comments", "tokens:\n  - a" + " #" * (LINE_SIZE // 2) + "b\n")


@pytest.mark.parametrize("start", ["api_keys = new", "api_key:", "api_keys: list =", "api_keys["])
@pytest.mark.parametrize("blank", [" ", "\t"])
def test_the_blanks_after_a_list_s_type_or_constructor_are_read_once(start: str, blank: str) -> None:
    """``new`` then a run of tabs was tried at each split (0.51 s of CPU at 20 kB, four times
    that at 40 kB); a type's blanks are bounded (unbounded, a colon's took minutes)."""
    assert_redacted_in_linear_time(start, start + blank * 2 * LINE_SIZE + "\n")
