"""Secrets under a secret's name that are not one value after it: a comma list without brackets
(``API_KEYS=a,b,c`` in a .env, INI or properties file: all after the first item went out), a
YAML mapping (``api_keys:`` then ``prod: …`` lines), a TOML or INI table (``[api_keys]``, then
``prod = "…"``; ``[secrets.db]``), and a Terraform variable's list or map default whose
``variable "db_password" {`` is above what a prompt's window sees (only a plain ``default =
"…"`` was redacted there). Each went out whole, or all but its first item."""

from __future__ import annotations

import pytest

from deepseek_lsp.documents import Document
from deepseek_lsp.privacy import REDACTED, redact
from deepseek_lsp.prompts import build_fim_prompt
from tests.secret_forms import assert_redacted_in_linear_time, repeated

A, B, C = "Fk8d7s6Gh2Jq0Lw3Xy9Q", "Qz1Xc4Vb7Nm0Pa5Sd8Fg", "Hk7vQ2mLp9xZr4Tw"


def _all_redacted(text: str, **around: str) -> None:
    out = redact(text, keep_lines=True, **around)
    assert out == text.replace(A, REDACTED).replace(B, REDACTED).replace(C, REDACTED), out


@pytest.mark.parametrize(
    "text",
    [
        f"API_KEYS={A},{B},{C}\n",
        f"export API_TOKENS={A}, {B}\n",
        f"api.tokens = {A},{B}\n",  # a properties file's
        f"API_KEYS: {A},{B}  # prod, dev\n",
        f"WEBHOOK_SECRETS={A},{B},\n",
    ],
)
def test_every_item_of_a_comma_list_under_a_secret_s_name_is_redacted(text: str) -> None:
    _all_redacted(text)


@pytest.mark.parametrize(
    "text",
    [
        f"api_keys:\n  prod: {A}\n  dev: {B}\n",
        f"service:\n  api_tokens:  # per environment\n    prod: \"{A}\"\n\n    dev: '{B}'\n  port: 8080\n",
        f"secrets:\n  stripe: {A}\n  github: {B}\nport: 8080\n",
        f"credentials:\n  prod:\n    main: {A}\n  dev:\n    main: {B}\n",
    ],
)
def test_every_value_of_a_yaml_mapping_under_a_secret_s_name_is_redacted(text: str) -> None:
    _all_redacted(text)


@pytest.mark.parametrize(
    "text",
    [
        f'[api_keys]\nprod = "{A}"\ndev = "{B}"\n',
        f'[secrets.db]\nuser = "app"\nvalue = "{A}"\n\n[secrets.api]\nkey = \'{B}\'\n',
        f'[[tokens]]\nname = "ci"\nvalue = "{A}"\n',
        f"[credentials]\nprod = {A}\ndev={B} ; the staging one\n",
    ],
)
def test_every_value_of_a_toml_or_ini_table_named_for_a_secret_is_redacted(text: str) -> None:
    _all_redacted(text)


def test_tables_mappings_and_comma_lists_that_hold_no_secret_stay() -> None:
    text = (
        "TOKEN_SCOPES=read,write,admin\n"
        "API_KEY_HEADERS=X-Api-Key,Authorization\n"
        "TOKEN_TYPES=access_token,refresh_token,id_token\n"
        "def check(token=None, secret=1): pass\n"
        "    return call(url, sandbox_token=self._sandbox_token, **kwargs\n"
        "secrets:\n  db_password:\n    file: ./secrets/db_password.txt\n"
        "jobs:\n  release:\n    secrets:\n      npm_token: ${{ secrets.NPM_TOKEN }}\n"
        "tokens:\n  ttl: 3600\n  issuer: https://auth.example.com/realms/app\n"
        "secretKeyRef:\n  name: db-secret-v2\n  key: password\n"
        '[secrets]\nbackend = "vault"\npath = "secret/data/app"\n'
        '[password_policy]\nmin_length = 12\nrequire = "upper,lower,digit"\n'
        '[tool.poetry]\nname = "app"\nversion = "1.2.3"\n'
    )
    assert redact(text) == text


def _long_variable(default: str) -> str:
    """A ``variable`` block whose lines above its default are more than the 4 kB a prompt's
    window is redacted with."""
    validations = "".join(
        f'  validation {{\n    condition     = length(var.db_passwords) > {n}\n    error_message = "Rule {n} of the admin passwords."\n  }}\n'
        for n in range(60)
    )
    return f'variable "db_passwords" {{\n  type = list(string)\n{validations}  default = {default}\n}}\n\nvariable "region" {{\n  default = "eu-west-1"\n}}\n'


@pytest.mark.parametrize(
    "default",
    [f'["{A}", "{B}"]', f'[\n    "{A}",\n    "{B}",\n  ]', f'{{\n    prod = "{A}"\n    "dev" = "{B}"\n  }}'],
)
def test_a_terraform_list_or_map_default_is_redacted_where_its_variable_is_out_of_sight(default: str) -> None:
    text = _long_variable(default)
    assert len(text[: text.index("  default")]) > 4096 + 200
    doc = Document("file:///w/infra/variables.tf", text)
    # The cursor at each line's end from the default to the block's end: the window starts
    # below the ``variable`` line and the 4 kB above it.
    start = text.index("  default")
    for line_end in [i for i, ch in enumerate(text) if ch == "\n" and i >= start][:6]:
        fim = build_fim_prompt(doc, line_end, budget=300, suffix_share=0.3, count=lambda s: len(s) // 3 + 1)
        sent = fim.prompt + fim.suffix
        assert "variable \"db_passwords\"" not in sent
        assert A[:8] not in sent and B[:8] not in sent, sent[-400:]


def test_a_window_starting_inside_a_mapping_sends_none_of_its_values() -> None:
    """The mapping's name above the prompt's window (redacted apart from it), a level or two."""
    _all_redacted(f"  dev: {A}\n  ci: {B}\nport: 8080\n", before=f"api_keys:\n  prod: {C}\n")
    _all_redacted(f"    main: {A}\n  dev:\n    main: {B}\nport: 8080\n", before="credentials:\n  prod:\n")


def test_a_window_starting_inside_a_table_sends_none_of_its_values() -> None:
    """The table's name above the prompt's window (redacted apart from it)."""
    before = f'[secrets.api]\nprod = "{C}"\n'
    text = f'dev = "{A}"\nci = "{B}"\n\n[server]\nport = 8080\n'
    _all_redacted(text, before=before)


@pytest.mark.parametrize(
    "text",
    [
        "API_KEYS=" + repeated("Zq8Wn3Rt6Y,"),
        "API_KEYS=" + repeated("a ,"),
        repeated("token=a,"),
        repeated("tokens:\n  a: "),
        "api_keys:\n" + repeated("  a: b\n"),
        repeated("token:\n "),
        repeated("[token]\n"),
        "[tokens]\n" + repeated("a = "),
        "[tokens]\na = b" + " " * 20_000 + "c\n",
        "api_keys:\n  a: b" + " " * 20_000 + "c\n",
        "  x = 1\n" + repeated('  default = ["Fk8d7s6Gh2Jq0Lw3Xy9Q",\n') + "}\n",
        "  x = 1\n  default = [\n" + repeated('"Fk8d7s6Gh2Jq0Lw3Xy9Q", ') + "\n}\n",
    ],
)
def test_the_new_forms_are_read_in_linear_time(text: str) -> None:
    assert_redacted_in_linear_time(text[:24], text)
