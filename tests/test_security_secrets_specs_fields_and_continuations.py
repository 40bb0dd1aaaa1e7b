"""Secrets in three forms that went out: a block returning a literal under RSpec's ``let`` of a
secret's name, an ODBC password in braces shaped like a word in a literal that formats nothing,
and a value on a line below its name's line continuation (``\\``); and the code like them that
must stay (a block of code, a real format's fields, a continued command)."""

from __future__ import annotations

import pytest

from deepseek_lsp.privacy import REDACTED, redact
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


@pytest.mark.parametrize(
    "text",
    [
        '  let(:password) { "Sup3r-S" + "3cret-77" }\n',
        "  let!(:api_token) { 'Sup3r-S' + '3cret-77' }\n",
        '  let(:token) do\n    "Sup3r-S" +\n      "3cret-77"\n  end\n',
        'password = "Sup3r-S" + "3cret-77"\n',  # the first part was redacted, the second went out
        "$password = 'Sup3r-S' . '3cret-77';\n",  # PHP's ``.``
        '  "password": "Sup3r-S" + "3cret-77",\n',
    ],
)
def test_a_secret_written_as_literals_joined_by_plus_is_redacted(text: str) -> None:
    """Judged as the one value the parts make: ``"pass" + "word123"`` under a ``let`` went out
    whole, as no literal was alone in its block; after an ``=``, all but the first part."""
    out = redact(text, keep_lines=True)
    assert out == text.replace("Sup3r-S", REDACTED).replace("3cret-77", REDACTED), out
    for part in ("Sup3r-S", "3cret-77"):
        assert_not_in_prompts("describe User do\n" + text + "end\n", "end\n", secret=part)


def test_joined_literals_of_words_or_about_a_secret_stay() -> None:
    kept = (
        '  let(:password) { "pass" + "word" }\n'  # the word itself
        '  let(:token_type) { "bear" + "er_v2" }\n'
        '  let(:password_prompt) { "Enter your " + "password:" }\n'
        'token_type = "bear" + "er_v2"\n'
        '  let(:password) { "abc" + "def" + suffix }\n'  # code, not a literal
    )
    assert redact(kept, keep_lines=True) == kept


# -- ODBC braces: formatted or not ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "password"),
    [
        ('conn = pyodbc.connect("DRIVER={ODBC Driver 18};SERVER=db;UID=sa;PWD={correcthorse};")\n', "correcthorse"),
        ("conn = 'Server=db;UID=sa;PWD={Tr0ub:4dor};'\n", "Tr0ub:4dor"),  # a spec's shape, with digits
        ('"Db": "Server=db;User Id=app;Password={dbpassword7};"\n', "dbpassword7"),  # a secret's name and a digit
        ("DB_CONN=Driver={PostgreSQL};Server=db;Uid=app;Pwd={correcthorse};\n", "correcthorse"),  # a .env line
    ],
)
def test_an_odbc_password_shaped_like_a_word_in_a_literal_that_formats_nothing_is_redacted(text: str, password: str) -> None:
    """Without a digit, ``{hunter}`` was taken for a template's field and went out: what decides
    is whether the literal is formatted, not the password's digits."""
    assert redact(text, keep_lines=True) == text.replace("{" + password + "}", "{[REDACTED]}")
    assert_not_in_prompts("# db\n\n" + text + "# end\n", "# end", password)


@pytest.mark.parametrize(
    "code",
    [
        'conn = "DRIVER={ODBC Driver 18};UID=sa;PWD={hunter};".format(hunter=pw)\n',
        'conn = f"DRIVER={{ODBC Driver 18}};UID=sa;PWD={hunter};"\n',
        'var conn = $"Server=db;User Id=sa;Password={hunter};";\n',
        'var conn = String.Format("Server=db;Password={hunter};", pw);\n',
        'String conn = String.format("Server=db;Password={hunter};", pw);\n',
        'String conn = MessageFormat.format("Server=db;Password={hunter};", pw);\n',
        'let conn = format!("Server=db;Password={hunter};");\n',
        'CONN_TEMPLATE = "Driver={ODBC Driver 18};UID={user};PWD={db_password};"\n',  # a secret's name
        'conn = "PWD={self.password};"\n',
        "Password={pw!r}\n",
    ],
)
def test_a_real_format_s_field_or_a_secret_s_name_in_the_braces_stays(code: str) -> None:
    assert redact(code, keep_lines=True) == code


# -- a value below a line continuation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        f"DB_PASSWORD =\\\n\n  {SECRET}\n",  # blank lines after the ``\``
        f"export DB_PASSWORD=\\\n{SECRET}\n",  # a shell's
        f"DB_PASSWORD := \\\n\t{SECRET}\n",  # a Makefile's
        f"DB_PASSWORD ?= \\\n\t{SECRET}\n",
        f"DB_PASSWORD ?= {SECRET}\n",  # a Makefile's default, on one line too
        f"API_TOKEN = \\\n    {SECRET}\n",  # Python's
    ],
)
def test_a_value_on_a_line_below_its_name_s_continuation_is_redacted(text: str) -> None:
    """The ``\\`` between the ``=`` and an unquoted value hid it (only a quoted one was known
    there), and it went out; a Makefile's ``?=`` was no separator."""
    assert_redacted(text)
    assert_not_in_prompts("# settings\n" + text + "# end\n", "# end")


def test_code_on_a_line_below_a_continuation_stays() -> None:
    kept = (
        "        self.api_token = \\\n            token_from_settings\n"
        "        api_token = \\\n            get_token()\n"
        "DB_PASSWORD = \\\n    $(shell cat /run/secrets/db)\n"
        "DB_PASSWORD ?= $(DB_PASSWORD)\n"
        "    password = \\\n        None\n"
        '    secret_key = \\\n        os.environ["SECRET_KEY"]\n'
        "token ??= await FetchTokenAsync();\n"
    )
    assert redact(kept, keep_lines=True) == kept


# -- a value at the end of the text -------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["    password: hunterPass", "    password = correctHorse"])
def test_a_camel_case_value_at_the_end_of_the_text_is_redacted(text: str) -> None:
    """Nothing after it (a prompt's window ends at the cursor) was taken for a comma or a call's
    bracket after a variable (``"" in ",)"``), and the password went out with the cursor after it."""
    value = text.split()[-1]
    assert redact(text) == text.replace(value, "[REDACTED]")
    assert_not_in_prompts("config:\n" + text + "\nend\n", "\nend", value)
