"""Secrets in lists and sections that the list patterns did not read: a Terraform variable's
list or map default, a CloudFormation parameter marked ``NoEcho`` (its ``Default``, whatever its
name), Ruby's ``%w[...]`` and ``%i[...]``, Perl's ``qw(...)``, and other languages' literals
under a secret's name (C#'s ``new[] {``, Rust's ``vec![``, PHP's ``array(``, PowerShell's
``@(``, a Swift array's type, a YAML flow list, a dictionary's values). Each went out whole."""

from __future__ import annotations

import pytest

from deepseek_lsp.privacy import REDACTED, redact
from tests.secret_forms import assert_redacted_in_linear_time, repeated

A, B = "Fk8d7s6Gh2Jq0Lw3Xy9Q", "Qz1Xc4Vb7Nm0Pa5Sd8Fg"


def _both_redacted(text: str) -> None:
    out = redact(text, keep_lines=True)
    assert out == text.replace(A, REDACTED).replace(B, REDACTED), out


@pytest.mark.parametrize(
    "text",
    [
        # Terraform: a list or a map default, on one line or over lines
        f'variable "db_password" {{\n  type    = list(string)\n  default = ["{A}", "{B}"]\n}}\n',
        f'variable "api_keys" {{\n  default = [\n    "{A}",\n    "{B}",\n  ]\n  sensitive = true\n}}\n',
        f'variable "api_tokens" {{\n  type = map(string)\n  default = {{\n    prod = "{A}"\n    "dev" = "{B}"\n  }}\n}}\n',
        # Ruby's and Perl's word lists
        f"API_KEYS = %w[{A} {B}]\n",
        f"tokens = %i[{A} {B}]\n",
        f"config.secret_keys = %w({A} {B})\n",
        f"API_KEYS = %W[\n  {A}\n  {B}\n].freeze\n",
        f"my @api_keys = qw({A} {B});\n",
        f"API_KEYS=({A} {B})\n",
        f"declare -a TOKENS=(\n  {A}\n  {B}\n)\n",
        # other languages' literals
        f'var apiKeys = new[] {{ "{A}", "{B}" }};\n',
        f'let api_keys = vec!["{A}", "{B}"];\n',
        f"'passwords' => array('{A}', '{B}'),\n",
        f'$ApiKeys = @("{A}", "{B}")\n',
        f'let apiKeys: [String] = ["{A}", "{B}"]\n',
        f"api_keys: [{A}, {B}]\n",
        f'API_KEYS = {{"prod": "{A}", "dev": "{B}"}}\n',
        f'const tokens = {{ prod: "{A}", dev: "{B}" }};\n',
        f'Map<String, String> apiKeys = Map.of("prod", "{A}", "dev", "{B}");\n',
        f'API_KEYS = dict(prod="{A}", dev="{B}")\n',
        f'var apiKeys = map[string]string{{"prod": "{A}", "dev": "{B}"}}\n',
        f'val apiKeys = mapOf("prod" to "{A}", "dev" to "{B}")\n',
        f'val apiKeys = Seq("{A}", "{B}")\n',
        f'const char *api_keys[] = {{"{A}", "{B}"}};\n',
        f'final apiKeys = <String>["{A}", "{B}"];\n',
        f"$config = ['api_keys' => ['prod' => '{A}', 'dev' => '{B}']];\n",
    ],
)
def test_every_secret_of_a_list_or_map_under_a_secret_s_name_is_redacted(text: str) -> None:
    _both_redacted(text)


@pytest.mark.parametrize(
    "text",
    [
        f"Parameters:\n  DBPassword:\n    Type: String\n    NoEcho: true\n    Default: {A}\n  Env:\n    Type: String\n    Default: prod-eu-west-1\n",
        f'Parameters:\n  AdminLogin:\n    NoEcho: "true"\n    Type: String\n    Default: "{A}"\n',
        f'{{"Parameters": {{"Admin": {{"Type": "String", "NoEcho": true, "Default": "{A}"}}, "Env": {{"Default": "prod-eu-west-1"}}}}}}\n',
        f'{{\n  "Parameters": {{\n    "MasterUser": {{\n      "Type": "String",\n      "NoEcho": "true",\n      "Default": "{A}"\n    }}\n  }}\n}}\n',
        f'{{\n  "Parameters": {{\n    "MasterUser": {{\n      "Default": "{A}",\n      "NoEcho": true\n    }}\n  }}\n}}\n',
        f'"NoEcho": true, "Default": "{A}"}}\n',  # a window starting at the entry
    ],
)
def test_a_cloudformation_no_echo_parameter_s_default_is_redacted(text: str) -> None:
    out = redact(text, keep_lines=True)
    assert out == text.replace(A, REDACTED), out


def test_lists_and_parameters_that_hold_no_secret_stay() -> None:
    text = (
        'variable "api_keys" {\n  default = []\n}\n'
        'variable "secret_names" {\n  default = ["db-password", "api-key"]\n}\n'
        'variable "token_scopes" {\n  default = {\n    read = "repo:read"\n  }\n}\n'
        "SECRET_FIELDS = %w[password token api_key]\n"
        "TOKENS = %i[name number plus]\n"
        "my @secret_fields = qw(password token);\n"
        "SECRET_NAMES=(db_password api_token)\n"
        "client(api_key=(key or default_key), token=(os.environ.get('T')))\n"
        "api_keys: [$KEY_ONE, ${KEY_TWO}]\n"
        'PASSWORD_HINTS = {"short": "at least 12 characters", "common": "too common"}\n'
        '"SecretLintConfigDescriptor_": {"$ref": "#/definitions/SecretLintConfigDescriptor"},\n'  # a schema
        "Parameters:\n  Env:\n    Type: String\n    Default: prod-eu-west-1\n"
        "  Password:\n    NoEcho: true\n    Type: String\n    MinLength: 8\n"
        '  Token:\n    NoEcho: true\n    Default: "{{resolve:secretsmanager:prod/token}}"\n'
    )
    assert redact(text) == text


@pytest.mark.parametrize("unit", [" ", "a ", "\n", "%w[", "NoEcho: true\n", "    Default: x\n"])
def test_the_new_forms_are_read_in_linear_time(unit: str) -> None:
    assert_redacted_in_linear_time(unit, "api_keys = %w[" + repeated(unit))
    assert_redacted_in_linear_time(unit, "Parameters:\n  P:\n    NoEcho: true\n" + repeated(unit))


def test_a_no_echo_default_is_redacted_when_its_no_echo_is_across_a_prompt_s_seam() -> None:
    # A prompt's suffix starting below ``NoEcho: true`` has the Default alone; a window ending
    # above a JSON parameter's NoEcho has it after the Default.
    yaml = f"Parameters:\n  MasterUser:\n    Type: String\n    NoEcho: true\n    Default: {A}\n  Env:\n    Default: prod-1\n"
    cut = yaml.index("    Default")
    assert redact(yaml[cut:], before=yaml[:cut]) == yaml[cut:].replace(A, REDACTED)
    json = f'{{"Parameters": {{"Relay": {{"Default": "{A}",\n "NoEcho": true}}}}}}\n'
    cut = json.index("\n")
    assert redact(json[:cut], after=json[cut:]) == json[:cut].replace(A, REDACTED)
