"""A README's keys: list items naming a secret in emphasis or code marks, or in words
(``- **API_KEY**: …``, ``1. API key: `…` ``), the items under a heading naming keys (``## API
keys`` then ``- prod: …``), and tables (a row naming a secret then its value, a column headed by
one). Each went out whole: a name in marks, with a space or in a cell was no assignment's."""

from __future__ import annotations

import pytest

from deepseek_lsp.privacy import REDACTED, redact
from tests.secret_forms import assert_none_sent_at_each, assert_redacted_in_linear_time, repeated

A, B, C = "Fk8d7s6Gh2Jq0Lw3Xy9Q", "Qz1Xc4Vb7Nm0Pa5Sd8Fg", "Hk7vQ2mLp9xZr4Tw"


def _all_redacted(text: str) -> None:
    out = redact(text, keep_lines=True)
    assert out == text.replace(A, REDACTED).replace(B, REDACTED).replace(C, REDACTED), out


@pytest.mark.parametrize(
    "text",
    [
        f"- **API_KEY**: {A}\n- **DB_PASSWORD**: `{B}`\n",
        f"- `API_KEY`: `{A}`\n- `DB_PASSWORD` = `{B}`\n",
        f"* API key: {A}\n+ Admin password: {B}\n",
        f"1. API key: {A}\n2) Secret access key: `{B}`\n",
        f"- API_KEY - {A}\n- Token \u2014 {B}\n",
        f"**API key:** {A}\n\n**Password:** {B}\n",
        f"- `API_KEY` (required): {A}\n> - __Stripe secret__: {B}\n",
    ],
)
def test_a_list_item_naming_a_secret_in_marks_or_words_is_redacted(text: str) -> None:
    _all_redacted(text)


@pytest.mark.parametrize(
    "text",
    [
        f"## API keys\n\n- prod: {A}\n- staging: `{B}`\n\n- dev \u2014 {C}\n",
        f"### Tokens\n\n- {A}\n- {B}\n",
        f"# Passwords #\n1. **admin**: {A}\n2. **ci** = {B}\n",
    ],
)
def test_the_items_under_a_heading_naming_secrets_are_redacted(text: str) -> None:
    _all_redacted(text)


@pytest.mark.parametrize(
    "text",
    [
        f"| Name | Value |\n|------|-------|\n| API_KEY | {A} |\n| DB_PASSWORD | {B} |\n",
        f"| Name | Value |\n| --- | --- |\n| `API_KEY` | `{A}` |\n| **Admin password** | {B} |\n",
        f"| Env | API key | Notes |\n|---|---|---|\n| prod | {A} | main |\n| dev | {B} | local |\n",
        f"| Service | Token |\n|:--|--:|\n| github | {A} |\n| slack | {B} |\n| ci | {C} |\n",
    ],
)
def test_a_table_s_row_naming_a_secret_and_a_column_headed_by_one_are_redacted(text: str) -> None:
    _all_redacted(text)


def test_a_readme_s_prose_types_and_code_stay() -> None:
    text = (
        "- **Password**: the password of the account\n"
        "- `API_KEY`: required\n"
        "- `token` (string): the API token, from the dashboard\n"
        "1. API key: see below\n"
        "**Secret key:** `settings.SECRET_KEY`\n"
        "## Tokens\n\n- Never commit tokens\n- `GITHUB_TOKEN`\n- `NPM_TOKEN_VARIABLE`\n\n"
        "| Option | Type | Description |\n|---|---|---|\n| `token` | `string` | The API token |\n"
        "| `api_key` | `str` | Your key from https://example.com/account |\n\n"
        "| Model | Max tokens |\n|---|---|\n| deepseek-v4 | 128000 |\n| small | 4096 |\n\n"
        "| Name | Value |\n|---|---|\n| DB_PASSWORD | `$DB_PASSWORD` |\n| API_KEY | `<your-api-key>` |\n"
        '    styles = {\n        Token: "#ddd0c0",\n    }\n'
    )
    assert redact(text) == text


def test_a_readme_s_keys_are_in_no_prompt_wherever_the_cursor_is() -> None:
    rows = [f"Fk{n}d7s6Gh2Jq0Lw3Xy{n}Q" for n in range(10)]
    text = (
        "# Shop\n\nSetup notes.\n\n## API keys\n\n"
        + "".join(f"- env{n}: {key}\n" for n, key in enumerate(rows[:4]))
        + "\n## Tokens\n\n| Service | Token | Owner |\n|---|---|---|\n"
        + "".join(f"| svc{n} | `{key}` | team{n} |\n" for n, key in enumerate(rows[4:8]))
        + f"\n- **STRIPE_API_KEY**: {rows[8]}\n- `DB_PASSWORD` = `{rows[9]}`\n\nThat is all.\n"
    )
    assert_none_sent_at_each("README.md", text, rows, budgets=(400, 60, 24))


@pytest.mark.parametrize(
    "text",
    [
        repeated("| token "),
        repeated("- **token** "),
        "## API keys\n" + repeated("- a\n"),
        "| Service | Token |\n|---|---|\n" + repeated("| a | b |\n"),
        repeated("- API key: " + "a" * 7),
        repeated("1. **admin password** (x"),
        "| Token |\n" + repeated("|"),
        "a " + repeated("token"),  # its secret word looked for to the line's end from each
    ],
)
def test_markdown_lists_and_tables_are_redacted_in_linear_time(text: str) -> None:
    assert_redacted_in_linear_time("markdown", text)
