"""Secrets in forms the patterns did not know: piped into a command (PowerShell's
``ConvertTo-SecureString``, ``docker login --password-stdin``), a Terraform variable's default,
Windows' ``setx`` and ``SetEnvironmentVariable``, a name and value one a line below a bracket,
keytool's ``-storepass``, ``aws configure set``; values that only name a variable, which stay;
and lines that made the assignment patterns take seconds."""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest

from deepseek_lsp import privacy
from deepseek_lsp.privacy import REDACTED, redact
from deepseek_lsp.privacy.patterns import _PATTERNS
from tests.secret_forms import (
    SECRET,
    assert_not_in_prompts,
    assert_redacted,
    assert_redacted_in_linear_time,
)

# -- piped into a command ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        f'"{SECRET}" | ConvertTo-SecureString -AsPlainText -Force\n',
        f"$pw = '{SECRET}' | ConvertTo-SecureString -AsPlainText -Force\n",
        f'$cred = [pscredential]::new("app", ("{SECRET}" | convertto-securestring -asplaintext -force))\n',
        f'echo "{SECRET}" | docker login -u ci --password-stdin registry.example.com\n',
        f"echo {SECRET} | docker login ghcr.io -u ci --password-stdin\n",
        f"echo -n '{SECRET}' | podman login quay.io -u ci --password-stdin\n",
    ],
)
def test_a_password_piped_into_a_command_is_redacted(text: str) -> None:
    """The value before the pipe: only the cmdlet's own argument was redacted."""
    assert_redacted(text)


def test_a_variable_piped_into_a_command_stays() -> None:
    text = (
        "$pw = $plain | ConvertTo-SecureString -AsPlainText -Force\n"
        '$pw = "$plain" | ConvertTo-SecureString -AsPlainText -Force\n'
        '$pw = "PASSWORD" | ConvertTo-SecureString -AsPlainText -Force\n'
        'echo "$CR_PAT" | docker login ghcr.io -u USERNAME --password-stdin\n'
        "echo ${{ secrets.GITHUB_TOKEN }} | docker login ghcr.io -u x --password-stdin\n"
        'echo "Logging in" | tee -a login.log\n'
    )
    assert redact(text) == text


# -- Terraform -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        f'variable "db_password" {{ default = "{SECRET}" }}\n',
        f'variable "db_password" {{\n  default = "{SECRET}"\n}}\n',
        # further below its name than the lines looked at around a name
        f'variable "api_token" {{\n  description = "The API token"\n  type        = string\n'
        f'  sensitive   = true\n  nullable    = false\n  default     = "{SECRET}"\n}}\n',
        f'variable "admin_password" {{\n  type = object({{ a = string }})\n\n  default = "{SECRET}"\n}}\n',
    ],
)
def test_a_terraform_variables_default_secret_is_redacted(text: str) -> None:
    assert_redacted(text)


def test_terraform_variables_without_a_literal_secret_stay() -> None:
    text = (
        'variable "db_password" {\n  type      = string\n  sensitive = true\n}\n'
        'variable "region" {\n  default = "eu-west-1a"\n}\n'
        'variable "db_password" {\n  default = ""\n}\n'
        'variable "password_length" {\n  default = 16\n}\n'
        'variable "api_token" {\n  default = null\n}\n'
        'variable "instance_type" {\n  description = "Size of the token cache node"\n  default = "t3.medium"\n}\n'
    )
    assert redact(text) == text


def test_a_terraform_default_is_not_in_a_completion_prompt() -> None:
    text = (
        'provider "aws" {\n  region = var.region\n}\n\n'
        'variable "db_password" {\n  description = "Master password"\n  type        = string\n'
        f'  sensitive   = true\n  default     = "{SECRET}"\n}}\n\nresource "aws_db_instance" "db" {{\n'
        "  password = var.db_password\n}\n"
    )
    assert_not_in_prompts(text, "resource")


def test_a_window_starting_in_a_terraform_variable_sends_no_default() -> None:
    """The name above the prompt's window (redacted apart from it), more lines above than the
    seam between them: the default alone looks like nothing."""
    before = 'variable "db_password" {\n  description = "Master"\n  type = string\n  sensitive = true\n  default = '
    text = f'"{SECRET}"\n}}\n'
    assert redact(text, before=before) == text.replace(SECRET, REDACTED)


# -- Windows environment variables ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        f"setx DB_PASSWORD {SECRET}\n",
        f'setx API_KEY "{SECRET}"\n',
        f"setx /M DB_PASSWORD {SECRET}\n",
        f"SETX SMTP_PASS {SECRET}\n",
        f"set DB_PASSWORD={SECRET}\n",  # a .bat or .cmd file
        f'set "API_TOKEN={SECRET}"\n',
        f'[Environment]::SetEnvironmentVariable("DB_PASSWORD", "{SECRET}", "User")\n',
        f'Environment.SetEnvironmentVariable("API_KEY", "{SECRET}", EnvironmentVariableTarget.Machine);\n',
    ],
)
def test_a_secret_set_in_a_windows_environment_variable_is_redacted(text: str) -> None:
    assert_redacted(text)


@pytest.mark.parametrize(
    "text",
    [
        f"setenv DB_PASSWORD {SECRET}\n",  # csh and tcsh
        f'setenv API_TOKEN "{SECRET}"\n',
        f"launchctl setenv API_TOKEN {SECRET}\n",  # macOS
        f"set -x DB_PASSWORD {SECRET}\n",  # fish
        f"set -gx API_TOKEN '{SECRET}'\n",
        f"    set --export --universal GITHUB_TOKEN {SECRET}\n",
    ],
)
def test_a_secret_set_by_setenv_or_fish_s_set_is_redacted(text: str) -> None:
    """csh's ``setenv NAME value``, fish's ``set -x NAME value``: no ``=`` after the name, and
    the value went out."""
    assert_redacted(text)


def test_setenv_and_fish_s_set_without_a_literal_secret_stay() -> None:
    text = (
        "setenv DB_PASSWORD $DB_PASSWORD\n"
        "set -x API_TOKEN (cat ~/.token)\n"
        "set -e DB_PASSWORD\n"
        "set -o pipefail\n"
        "setenv PATH /usr/local/bin:$PATH\n"
    )
    assert redact(text) == text


def test_windows_environment_variables_without_a_literal_secret_stay() -> None:
    text = (
        "setx DB_PASSWORD %DB_PASSWORD%\n"
        'setx PATH "%PATH%;C:\\tools"\n'
        "setx DB_PASSWORD_FILE C:\\secrets\\db.txt\n"
        "set /p DB_PASSWORD=Enter password: \n"
        '[Environment]::SetEnvironmentVariable("DB_PASSWORD", $plain, "User")\n'
        '[Environment]::SetEnvironmentVariable("DB_PASSWORD", $null, "User")\n'
    )
    assert redact(text) == text


# -- a name and its value one a line, below their bracket -----------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        f'LOGIN = (\n    "password",\n    "{SECRET}",\n)\n',
        f'creds = [\n    "api_key",\n    "{SECRET}"\n]\n',
        f'{{"env": [\n  "DB_PASSWORD",\n  "{SECRET}"\n]}}\n',
        f"pair = (\n\n    'token',\n    '{SECRET}'\n)\n",
    ],
)
def test_a_name_and_its_secret_below_their_bracket_are_redacted(text: str) -> None:
    """The bracket on the line above the name: only lines from the name's were looked at."""
    assert_redacted(text)


def test_lists_of_names_one_a_line_stay() -> None:
    text = (
        'fields = (\n    "username",\n    "password",\n    "last_login",\n)\n'
        'fields = [\n    "password",\n    "confirm_password",\n]\n'
        'extra = (\n    "password",\n    "abc123def",\n    "third",\n)\n'
        'choices = [\n    ("token", "API token"),\n]\n'
    )
    assert redact(text) == text


def test_a_pair_below_its_bracket_is_not_in_a_completion_prompt() -> None:
    text = (
        "import os\n\nDEFAULTS = (\n"
        f'    "password",\n    "{SECRET}",\n)\n\n\ndef connect():\n    return open_db(*DEFAULTS)\n'
    )
    assert_not_in_prompts(text, "return")


# -- a variable's value is not a secret ----------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "DB_PASSWORD=$DB_PASSWORD",
        "DB_PASSWORD=${DB_PASSWORD}",
        "DB_PASSWORD=%DB_PASSWORD%",
        "DB_PASSWORD=$(cat /run/secrets/db)",
        "$DB_PASSWORD = $env:DB_PASSWORD",
        'export PGPASSWORD="$DB_PASSWORD"',
        'password: "$(cat /run/secrets/db)"',
        "SMTP_PASS=$smtp_pass",
        "set DB_PASSWORD=%DB_PASSWORD%",
        "  API_TOKEN: $API_TOKEN",
    ],
)
def test_a_secret_passed_on_from_a_variable_stays(line: str) -> None:
    """A shell's, a .env file's, a batch file's or PowerShell's variable, a command's output:
    where the secret comes from. It went out as ``[REDACTED]``, the variable's name with it."""
    assert redact(line + "\n") == line + "\n"


@pytest.mark.parametrize(
    "value",
    [f"${SECRET.replace('-', '')}", "$ecretPassw0rd", "pa$$w0rd-123", "%s3cr3t%X1"],
)
def test_a_secret_that_starts_like_a_variable_is_redacted(value: str) -> None:
    """Mixed case after ``$`` or more after ``%...%``: a password, not a variable's name."""
    assert redact(f"DB_PASSWORD={value}\n") == f"DB_PASSWORD={REDACTED}\n"


# -- more command lines --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        f"keytool -genkeypair -keystore app.jks -storepass {SECRET} -keypass {SECRET}\n",
        f'keytool -importkeystore -srckeystore a.p12 -srcstorepass "{SECRET}" -deststorepass {SECRET}\n',
        f"jarsigner -keystore app.jks -storepass '{SECRET}' app.jar release\n",
        f"aws configure set aws_secret_access_key {SECRET}\n",
        f"aws configure set aws_session_token {SECRET} --profile ci\n",
        f'aws configure --profile prod set aws_secret_access_key "{SECRET}"\n'.replace(
            "--profile prod set", "set --profile prod"
        ),
    ],
)
def test_a_password_given_to_keytool_or_aws_configure_is_redacted(text: str) -> None:
    assert_redacted(text)


def test_keytool_and_aws_configure_without_a_literal_secret_stay() -> None:
    text = (
        "keytool -list -keystore app.jks -storepass:env STOREPASS\n"
        'keytool -list -keystore app.jks -storepass "$STOREPASS"\n'
        "keytool -list -keystore app.jks -storepass <password>\n"
        'aws configure set aws_secret_access_key "$AWS_SECRET_ACCESS_KEY"\n'
        "aws configure set region eu-west-1\n"
        "aws configure get aws_secret_access_key\n"
    )
    assert redact(text) == text


# -- time ---------------------------------------------------------------------------------------------

#: Lines on which redaction took from 1.3 s to 28 s (27 kB unless said; 20-110 ms now): a
#: name's secret word was looked for at each split of a long word, a value's YAML key and a
#: command's flag to the line's end from each name inside the line, a JWT's first part from each
#: ``eyJ`` of a run, a key block's END to the text's end from each BEGIN.
PATHOLOGICAL = {
    "a word of secret words": "pwd" * 9000,
    "a word of secret words and underscores": "token_" * 4500,
    "a word ending in htpasswd": "htpasswd" * 3375,
    "names and colons": "pwd:" * 6750,
    "a line of commands": "curl " * 5400,
    "a run of JWT starts": "eyJ-" * 16000,  # 64 kB: 1.3 s
    "key BEGIN lines without an END": "-----BEGIN RSA PRIVATE KEY-----|" * 3000,  # 96 kB: 1.5 s
}


@pytest.mark.parametrize("name", list(PATHOLOGICAL))
def test_redacting_a_pathological_line_takes_linear_time(name: str) -> None:
    assert_redacted_in_linear_time(name, PATHOLOGICAL[name], split=False)


def test_a_secret_after_a_long_word_is_still_found() -> None:
    """The name is the whole word holding a secret word, however long; its value goes."""
    for word in ("a_" * 13500 + "password", "x" * 20000 + "_API_KEY", "pwd" * 9000):
        text = f"{word} = '{SECRET}'\n"
        assert redact(text) == text.replace(SECRET, REDACTED), word[-20:]
    assert redact(f"x-api-key: {SECRET}\n") == f"x-api-key: {REDACTED}\n"


def test_the_patterns_compile_on_python_3_10() -> None:
    """The server supports Python 3.10, whose ``re`` has no possessive quantifiers nor atomic
    groups: one in a pattern (``\\w*+``) stopped the module, and the server, from importing."""
    newer = re.compile(r"[*+?}]\+|\(\?>")
    modules = [importlib.import_module(f"{privacy.__name__}.{m.name}") for m in pkgutil.iter_modules(privacy.__path__)]
    patterns = [p for p, _ in _PATTERNS] + [v for m in modules for v in vars(m).values() if isinstance(v, re.Pattern)]
    # Each escape and character class (``[*+]``) as one character: a ``+`` there is no quantifier.
    # (A bytes pattern, a document's bytes searched, as its text.)
    texts = [p.pattern if isinstance(p.pattern, str) else p.pattern.decode() for p in patterns]
    bare = [re.sub(r"\[\^?\]?[^\]]*\]", "x", re.sub(r"\\.", "x", text)) for text in texts]
    assert not [b for b in bare if newer.search(b)]
