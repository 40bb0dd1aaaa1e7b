"""Secrets in forms the patterns did not know: passwords given to ``sqlcmd -P``, ``ssh-keygen -N``,
``az login -p``, PowerShell's ``-Password``, ``net user`` and ``chpasswd``; a Terraform variable's
default as a heredoc, or in a block whose name is above what is looked at. And a batch file's
``set /p`` prompt, which is no secret."""

from __future__ import annotations

import pytest

from deepseek_lsp.documents import Document
from deepseek_lsp.privacy import REDACTED, redact
from deepseek_lsp.prompts import build_fim_prompt
from tests.secret_forms import (
    SECRET,
    assert_not_in_prompts,
    assert_redacted,
    assert_redacted_in_linear_time,
)

# -- command lines -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        f"sqlcmd -S db.example.com -U sa -P '{SECRET}' -i init.sql\n",
        f"sqlcmd -S db -U sa -P {SECRET} -Q \"SELECT 1\"\n",
        f'SQLCMD.EXE -S db -U sa -P "{SECRET}"\n',
        f"bcp app.dbo.users out users.dat -S db -U sa -P {SECRET} -c\n",
        f"ssh-keygen -t ed25519 -N '{SECRET}' -f deploy_key\n",
        f"ssh-keygen -p -P {SECRET} -N {SECRET} -f deploy_key\n",  # old and new passphrase
        f"az login -u ci@example.com -p '{SECRET}'\n",
        f"az login --service-principal -u $APP_ID -p {SECRET} --tenant $TENANT\n",
        f"Invoke-Sqlcmd -ServerInstance db -Username sa -Password '{SECRET}' -Query 'SELECT 1'\n",
        f'Connect-VIServer -Server vc.example.com -User admin -Password "{SECRET}"\n',
        f"net user deploy {SECRET} /add\n",
        f'NET USER "Build Agent" "{SECRET}"\n',
        f'RUN echo "root:{SECRET}" | chpasswd\n',
        f"echo 'app:{SECRET}' | sudo chpasswd\n",
        # a command inside a JSON string, its quotes escaped
        f'{{"script": "ssh-keygen -q -N \\"{SECRET}\\" -f /tmp/k"}}\n',
    ],
)
def test_a_password_given_on_a_command_line_is_redacted(text: str) -> None:
    assert_redacted(text)


def test_a_command_lines_variables_and_prompts_stay_beside_its_password() -> None:
    """Where the secret comes from (a variable, a command's output, a template), an empty
    passphrase, a prompt for one, an expression: code, left as written. Only the literal goes."""
    kept = (
        "sqlcmd -S db -U sa -P $SA_PASSWORD\n"
        'sqlcmd -S db -U sa -P "${SA_PASSWORD}"\n'
        "sqlcmd -S db -U sa -P %SA_PASSWORD%\n"
        "sqlcmd -S db -U sa -P $(cat /run/secrets/sa)\n"
        "sqlcmd -S db -U sa -P {{ sa_password }}\n"
        "sqlcmd -S db -E -p\n"  # lower case: statistics
        'ssh-keygen -t ed25519 -N "" -f deploy_key\n'
        "ssh-keygen -t ed25519 -N '' -f deploy_key\n"
        '{"script": "ssh-keygen -q -N \\"\\" -f /tmp/k"}\n'
        'ssh-keygen -t rsa -N "$PASSPHRASE" -f deploy_key\n'
        "az login -u $AZ_USER -p $AZ_PASSWORD\n"
        "Invoke-Sqlcmd -ServerInstance db -Username sa -Password $SqlPassword\n"
        "Invoke-Sqlcmd -Username sa -Password $cred.GetNetworkCredential().Password\n"
        "New-LocalUser -Name deploy -Password (Read-Host -AsSecureString)\n"
        "# Give the account's -Password parameter a SecureString.\n"
        "openssl pkcs12 -export -in c.pem -password env:P12_PASSWORD -out c.p12\n"
        "net user deploy * /add\n"
        "net user deploy /delete\n"
        "net user %DEPLOY_USER% %DEPLOY_PASSWORD% /add\n"
        'echo "$APP_USER:$APP_PASSWORD" | chpasswd\n'
    )
    text = kept + f"sqlcmd -S db -U sa -P '{SECRET}'\n"
    assert redact(text) == kept + f"sqlcmd -S db -U sa -P '{REDACTED}'\n"


def test_a_single_quoted_dollar_is_a_password_and_a_bare_one_a_variable() -> None:
    """In single quotes a shell expands nothing: ``'$ecretPassw0rd'`` is what is sent to the
    server; bare, ``$ecretPassw0rd`` is the shell's variable."""
    literal = "sqlcmd -S db -U sa -P '$ecretPassw0rd'\n"
    variable = "sqlcmd -S db -U sa -P $ecretPassw0rd\n"
    assert redact(literal + variable) == f"sqlcmd -S db -U sa -P '{REDACTED}'\n" + variable


def test_a_command_line_password_is_not_in_a_completion_prompt() -> None:
    text = (
        "#!/bin/sh\nset -e\n\n"
        f"sqlcmd -S db.example.com -U sa -P '{SECRET}' -i schema.sql\n"
        "echo done\n"
    )
    assert_not_in_prompts(text, "echo done")


# -- a batch file's prompt -----------------------------------------------------------------------------


def test_a_batch_files_set_p_prompt_stays_and_its_set_value_goes() -> None:
    """``set /p NAME=text`` shows ``text`` and reads the value from the user: the prompt went out
    as ``[REDACTED]`` (``Token? ``, ``Kennwort eingeben: ``, ``Password:<nul``), leaving the model
    a script that no longer says what it asks. ``set NAME=value`` still sets a password."""
    prompts = (
        "set /p API_TOKEN=Token? \n"
        'set /p "DB_PASSWORD=Paste the token> "\n'
        "set /p DB_PWD=Kennwort eingeben: \n"
        "SET /P SMTP_PASS=Password:<nul\n"
        "set /p  DB_PASSWORD=Enter password: \n"
    )
    text = prompts + f"set DB_PASSWORD={SECRET}\n" + f'set "API_TOKEN={SECRET}"\n'
    assert redact(text) == text.replace(SECRET, REDACTED)
    assert redact(prompts) == prompts


# -- Terraform: a heredoc default ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        f'variable "db_password" {{\n  type      = string\n  sensitive = true\n  default   = <<EOT\n{SECRET}\nEOT\n}}\n',
        f'variable "api_token" {{\n  default = <<-EOT\n    {SECRET}\n  EOT\n}}\n',
        f'variable "admin_password" {{ default = <<EOF\n{SECRET}\nEOF\n}}\n',
    ],
)
def test_a_terraform_variables_heredoc_default_is_redacted(text: str) -> None:
    assert_redacted(text)


def test_terraform_heredoc_defaults_that_are_text_stay() -> None:
    """A block of text (a policy, a script, a note) in a heredoc is not a secret, nor is a
    heredoc under a name that says nothing of one."""
    kept = (
        'variable "db_password_policy" {\n  default = <<EOT\n{"minLength": 16}\nEOT\n}\n'
        'variable "db_password" {\n  default = <<EOT\nSet it in the vault,\nnot here.\nEOT\n}\n'
        'variable "region" {\n  default = <<EOT\neu-west-1\nEOT\n}\n'
    )
    secret = f'variable "db_password" {{\n  default = <<EOT\n{SECRET}\nEOT\n}}\n'
    assert redact(kept + secret) == kept + secret.replace(SECRET, REDACTED)


def test_a_window_starting_in_a_heredoc_default_sends_no_secret() -> None:
    before = 'variable "db_password" {\n  description = "Master"\n  type = string\n  sensitive = true\n  default = <<EOT\n'
    text = f"{SECRET}\nEOT\n}}\n"
    assert redact(text, before=before) == text.replace(SECRET, REDACTED)


def test_a_heredoc_default_is_not_in_a_completion_prompt() -> None:
    text = (
        'variable "db_password" {\n  type = string\n  default = <<EOT\n'
        f'{SECRET}\nEOT\n}}\n\nresource "aws_db_instance" "db" {{\n  password = var.db_password\n}}\n'
    )
    assert_not_in_prompts(text, "resource")


# -- Terraform: a block whose name is out of sight -----------------------------------------------------

#: A variable whose name is ~16 kB above its default: further than a prompt's window and the
#: text looked at above it.
_NOTES = "".join(f"    Line {i} of the notes on how the master password is rotated and stored.\n" for i in range(200))


def _far_variable(name: str, sensitive: bool, value: str) -> str:
    return (
        f'variable "{name}" {{\n  description = <<-EOT\n{_NOTES}  EOT\n  type      = string\n'
        + ("  sensitive = true\n" if sensitive else "")
        + f'  default   = "{value}"\n}}\n\nresource "aws_db_instance" "db" {{\n  password = var.{name}\n}}\n'
    )


def _sent(text: str, cursor: int) -> str:
    fim = build_fim_prompt(Document("file:///w/main.tf", text), cursor, budget=2000, suffix_share=0.3, count=lambda t: len(t) // 3 + 1)
    return fim.prompt + fim.suffix


def test_a_sensitive_default_far_below_its_name_is_not_in_a_completion_prompt() -> None:
    """``sensitive = true`` (Terraform's own mark of a secret) in sight, the name not: the
    default went out, the cursor after the block, inside the value or just before it."""
    text = _far_variable("db_password", True, SECRET)
    for cursor in (text.index("resource"), text.index(SECRET) + 5, text.index(SECRET) - 1, len(text)):
        sent = _sent(text, cursor)
        assert 'variable "db_password"' not in sent, "the name is out of sight"
        assert SECRET[:5] not in sent and SECRET[5:] not in sent, (cursor, sent)


def test_a_default_shaped_like_a_password_far_below_its_name_is_not_in_a_completion_prompt() -> None:
    value = "Xq7!fP2#rL9vKt"
    text = _far_variable("db_password", False, value)
    sent = _sent(text, text.index("resource"))
    assert 'variable "db_password"' not in sent and value not in sent
    assert f'default   = "{REDACTED}"' in sent


@pytest.mark.parametrize(
    "value",
    ["eu-west-1", "t3.medium", "Standard_D2s_v3", "10.0.0.0/16", "ami-0c55b159cbfafe1f0", "WindowsServer2022Datacenter", "ops2@example.com"],
)
def test_a_default_of_a_block_out_of_sight_stays_unless_secret_shaped(value: str) -> None:
    """The name out of sight, nothing says the value is a secret: it stays, as most defaults
    (a region, a size, a CIDR) are what the model needs to read on. A password beside it goes."""
    block = f'  type = string\n  default = "{value}"\n  other   = 1\n  default = "Xq7!fP2#rL9vKt"\n}}\n'
    assert redact(block, before="x\n") == block.replace("Xq7!fP2#rL9vKt", REDACTED)


def test_only_the_block_the_text_starts_inside_of_is_out_of_sight() -> None:
    """A block whose opener is in sight is left to its name (``region_hint`` names no secret),
    and text that no closing brace at column 0 shows to be a block's inside is not taken for
    one (Python's ``default = ...``): their secret-shaped values stay. The unseen block's goes."""
    unseen = '  default = "Xq7!fP2#rL9vKt"\n}\n\n'
    seen = 'variable "region_hint" {\n  default = "Xq7!fP2#rL9vKt"\n}\n'
    text = unseen + seen
    assert redact(text, before="x" * 50 + "\n  # its name further up\n") == text.replace("Xq7!fP2#rL9vKt", REDACTED, 1)
    python = '    default = "Xq7!fP2#rL9vKt"\n    return default\n'
    assert redact(python, before="x\n") == python
    # (The text above's first line is taken for a line cut where a byte count fell.)
    assert redact(text, before="    x = 1\ndef f():\n") == text, "a line at column 0 above: no block is open"


# -- time ---------------------------------------------------------------------------------------------

PATHOLOGICAL = {
    "a line of sqlcmd -P": "sqlcmd -P " * 3000,
    "a line of ssh-keygen -N": "ssh-keygen -N " * 2000,
    "a line of -Password '": "-Password '" * 2700,
    'a line of net user "': 'net user "' * 3000,
    "a line of set /p": "set /p pwd=" * 2500,
    "escaped quotes": 'sqlcmd -P \\"' + "\\a" * 13000,
    "defaults, no closing quote": '  default = "abc\n' * 2000 + "}\n",
    "variable heredoc openers": 'variable "db_password" { default = <<EOT\n' * 700,
}


@pytest.mark.parametrize("name", list(PATHOLOGICAL))
def test_redacting_a_pathological_line_takes_linear_time(name: str) -> None:
    assert_redacted_in_linear_time(name, PATHOLOGICAL[name])
