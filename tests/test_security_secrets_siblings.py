"""Neighbours of session 50's list, mapping and table forms that still went out: the same
secrets written with CRLF line ends, a comment line between a list's items (one at column 0
inside a YAML mapping), a YAML anchor or tag after the name (``api_keys: &keys``), a YAML list
of mappings (``- name: prod`` / ``value: …``), an INI comma list followed by its ``;`` comment,
a TOML table's triple-quoted string, a YAML flow mapping (``api_keys: {prod: …}``)."""

from __future__ import annotations

import pytest

from deepseek_lsp.documents import Document
from deepseek_lsp.privacy import REDACTED, redact
from deepseek_lsp.prompts import build_fim_prompt
from tests.secret_forms import assert_redacted_in_linear_time, repeated

A, B = "Fk8d7s6Gh2Jq0Lw3Xy9Q", "Qz1Xc4Vb7Nm0Pa5Sd8Fg"


def _all_redacted(text: str, **around: str) -> None:
    out = redact(text, keep_lines=True, **around)
    assert out == text.replace(A, REDACTED).replace(B, REDACTED), out


@pytest.mark.parametrize(
    "text",
    [
        f"api_keys:\r\n  prod: {A}\r\n  dev: {B}\r\n",  # a YAML mapping saved on Windows
        f"api_keys:\r\n  prod: \"{A}\"  # prod\r\n  dev: '{B}'\r\n",
        f"api_keys:\n# the production one\n  prod: {A}\n# staging\n  dev: {B}\n",
        f"api_keys: &keys\n  prod: {A}\n  dev: {B}\n",  # an anchor other files merge in
        f"api_keys: !!map\n  prod: {A}\n  dev: {B}\n",
        f"api_keys: &keys\r\n  prod: {A}\r\n# staging\r\n  dev: '{B}'\r\n",
        f"api_keys:\n  - name: prod\n    value: {A}\n  - name: dev\n    value: {B}\n",
        f"api_keys: {{prod: {A}, dev: {B}}}\n",  # a flow mapping, as the flow list [a, b]
    ],
)
def test_yaml_mappings_written_otherwise_send_none_of_their_values(text: str) -> None:
    _all_redacted(text)


@pytest.mark.parametrize(
    "text",
    [
        f'API_KEYS = [\n    "{A}",  # prod\n    # staging, until March\n    "{B}",\n]\n',
        f'const apiKeys = [\n  "{A}",\n  // the CI one\n  "{B}",\n];\n',
        f'API_KEYS = [\r\n    "{A}",\r\n    # staging\r\n    "{B}",\r\n]\r\n',
    ],
)
def test_a_comment_line_between_a_list_s_items_sends_none_of_them(text: str) -> None:
    _all_redacted(text)


@pytest.mark.parametrize(
    "text",
    [
        f"api_keys = {A},{B} ; prod then staging\n",  # an INI file's comment
        f"API_KEYS={A},{B}\r\n",
        f'[api_keys]\nprod = """{A}"""\ndev = \'\'\'{B}\'\'\'\n',  # TOML's multi-line strings, on one line
        f'[api_keys]\r\nprod = "{A}"\r\n; staging\r\ndev = {B}\r\n',
    ],
)
def test_comma_lists_and_tables_written_otherwise_send_none_of_their_items(text: str) -> None:
    _all_redacted(text)


def test_a_window_starting_inside_a_crlf_mapping_or_a_commented_list_sends_none_of_its_values() -> None:
    _all_redacted(f"  dev: {A}\r\n  ci: {B}\r\nport: 8080\r\n", before="api_keys:\r\n  prod: x\r\n")
    _all_redacted(f'    # staging\n    "{A}",\n    "{B}",\n]\n', before='API_KEYS = [\n    "abc",\n')


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("keys.py", "API_KEYS = [\n" + "".join(f'    # customer {i}\n    "{A[:-2]}{i:02d}",\n' for i in range(12)) + "]\n"),
        ("plain.py", "API_KEYS = [\n" + "".join(f'    "{A[:-2]}{i:02d}",\n' for i in range(12)) + "]\n"),  # after the [
        ("keys.yaml", "api_keys:\n" + "".join(f"  # customer {i}\n  c{i}: {A[:-2]}{i:02d}\n" for i in range(12)) + "port: 8080\n"),
    ],
)
def test_no_completion_prompt_inside_a_commented_list_sends_its_items(path: str, text: str) -> None:
    """The cursor at each line's end: the window's text after the cursor starting at a comment
    line between the items (its list's name above it), or right after the list's ``[`` (a
    plain list too), sent the items below."""
    doc = Document(f"file:///w/app/{path}", text)
    for cursor in [i for i, ch in enumerate(text) if ch == "\n"]:
        fim = build_fim_prompt(doc, cursor, budget=2000, suffix_share=0.3, count=lambda t: len(t) // 3 + 1)
        assert A[:8] not in fim.prompt + fim.suffix, (cursor, fim.prompt + fim.suffix)


def test_code_near_these_forms_stays() -> None:
    text = (
        "api_keys:\n# the list is read at start-up\n  enabled: true\n  ttl: 3600\n"
        "tokens: &defaults\n  issuer: https://auth.example.com/realms/app\n"
        "secrets:\n  - name: db-password\n    file: ./secrets/db.txt\n"
        "token_scopes: {read: true, write: false}\n"
        "apiKeys: { prod: PROD_KEY, dev: DEV_KEY }\n"
        "TOKEN_TYPES=access_token,refresh_token ; the kinds\n"
        'SECRET_NAMES = [\n    "DB_PASSWORD",  # the database\n    # and the API\n    "API_KEY",\n]\n'
    )
    assert redact(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "API_KEYS = [\n" + repeated("# # # # "),
        "API_KEYS = [\n" + repeated('"a", # x\n'),
        "api_keys: &" + repeated("&a "),
        "api_keys:\n" + repeated("# c\n  - a: b\n"),
        "api_keys: {" + repeated("a: b, "),
        "api_keys = a,b" + " " * 20_000 + ";\n",
    ],
)
def test_the_sibling_forms_are_read_in_linear_time(text: str) -> None:
    assert_redacted_in_linear_time(text[:24], text)
