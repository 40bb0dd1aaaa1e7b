"""Secrets in three forms that went out: a block returning a literal under RSpec's ``let`` of a
secret's name, an ODBC password in braces shaped like a word in a literal that formats nothing,
and a value on a line below its name's line continuation (``\\``); and the code like them that
must stay (a block of code, a real format's fields, a continued command)."""

from __future__ import annotations

import pytest

from deepseek_lsp.privacy import redact
from tests.secret_forms import SECRET, assert_not_in_prompts, assert_redacted

# -- RSpec's let --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        f'  let(:password) {{ "{SECRET}" }}\n',
        f"  let!(:api_token) {{ '{SECRET}' }}\n",
        f'  let(:secret_key){{"{SECRET}"}}\n',
        f'  let("db_password") {{ "{SECRET}" }}\n',
        f'  let(:token) do\n    "{SECRET}"\n  end\n',
    ],
)
def test_a_literal_under_an_rspec_let_of_a_secret_s_name_is_redacted(text: str) -> None:
    """No ``=`` or ``:`` between the name and the literal: it went out whole."""
    assert_redacted(text)
    assert_not_in_prompts("describe User do\n" + text + "end\n", "end\n")


def test_rspec_lets_of_code_words_and_other_names_stay() -> None:
    kept = (
        "  let(:password) { create(:user).password }\n"
        "  let(:password) { Faker::Internet.password }\n"
        '  let(:password) { "password" }\n'
        "  let(:api_token) { SecureRandom.hex(16) }\n"
        '  let(:token_type) { "bearer_v2" }\n'  # about a token, not one
        '  let(:password_prompt) { "Enter your password:" }\n'
        '  let(:username) { "deploy-bot-01" }\n'
    )
    assert redact(kept, keep_lines=True) == kept
