"""Real configuration files' shapes (FAKE secrets). A secret's name given a heredoc of one line: HCL's ``db_password = <<EOT`` (a ``locals``
block, a module's argument, a tfvars file's text in a file not excluded), Ruby's ``<<~``, PHP's
``<<<'EOT'``, a shell's ``NAME=$(cat <<EOF`` and ``read -r NAME <<EOF``. The value, alone on
the line below its name, went out as written (only a Terraform ``variable``'s ``default`` was
known), in a stdio session's FIM bodies too. And an argument list in YAML, an item a line
(a kubeconfig's ``exec`` plugin's ``args:``: ``- --token`` then the token); the shapes of
.npmrc, pip.conf, kubeconfig, tfvars, Docker's config.json and JDBC URLs, which were redacted
already, held over stdio."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from deepseek_lsp.privacy import redact
from tests.secret_forms import (
    SECRET,
    assert_not_in_prompts,
    assert_only_secret_replaced,
    assert_redacted_in_linear_time,
    repeated,
)
from tests.test_security_secrets_sent_forms import fim_bodies

PASSPHRASE = "correct horse battery staple"
FORMS = {
    "hcl-locals": "locals {\n  db_password = <<EOT\n" + SECRET + "\nEOT\n}\n",
    "hcl-module-indented": 'module "db" {\n  password = <<-EOT\n    ' + SECRET + "\n  EOT\n}\n",
    "hcl-tfvars": "api_token = <<EOT\n" + SECRET + "\nEOT\n",
    "ruby-squiggly": "password = <<~PW\n  " + SECRET + "\nPW\n",
    "php-nowdoc": "$password = <<<'EOT'\n" + SECRET + "\nEOT;\n",
    "shell-cat": "DB_PASSWORD=$(cat <<EOF\n" + SECRET + "\nEOF\n)\n",
    "shell-read": 'read -r -d "" DB_PASSWORD <<EOF\n' + SECRET + "\nEOF\n",
}


#: An argument list's flag and its value as YAML items, a line each.
YAML_ARGS = {
    "kubeconfig-exec": "users:\n- name: ci\n  user:\n    exec:\n      command: vault-login\n      args:\n      - --token\n      - " + SECRET + "\n",
    "container-args-quoted": 'containers:\n  - name: agent\n    args:\n      - "--api-key"\n      - "' + SECRET + '"\n',
}
_AUTH = base64.b64encode(b"deploy:" + SECRET.encode()).decode()
#: Files of the shapes asked about (some excluded by default under their usual names: here
#: under others, or pasted into a README or a CI file), each redacted already.
REAL_FILES = {
    "npmrc": "registry=https://npm.example.com/\n_auth=" + _AUTH + "\nalways-auth=true\n",
    "npmrc-scoped": "//npm.example.com/:_password=" + base64.b64encode(SECRET.encode()).decode() + "\n",
    "pip-conf": "[global]\nindex-url = https://deploy:" + SECRET + "@pypi.example.com/simple\n",
    "kubeconfig-token": "users:\n- name: admin\n  user:\n    token: " + SECRET + "\n",
    "tfvars": 'region = "eu-west-1"\ndb_password = "' + SECRET + '"\n',
    "docker-auths": '{\n  "auths": {\n    "registry.example.com": {\n      "auth": "' + _AUTH + '"\n    }\n  }\n}\n',
    "jdbc-mysql": "spring.datasource.url=jdbc:mysql://db.example.com:3306/app?user=deploy&password=" + SECRET + "\n",
    "jdbc-sqlserver": "jdbc:sqlserver://db.example.com:1433;databaseName=app;user=sa;password=" + SECRET + ";encrypt=true\n",
}


@pytest.mark.parametrize("name", YAML_ARGS)
def test_a_secret_flag_s_value_as_the_next_yaml_item_is_redacted(name: str) -> None:
    assert_only_secret_replaced(YAML_ARGS[name], SECRET)


async def test_real_files_shapes_are_not_sent(tmp_path: Path) -> None:
    fim = await fim_bodies(tmp_path, "notes.yaml", "".join((*YAML_ARGS.values(), *REAL_FILES.values())) + "x: ", "yaml")
    assert fim
    for secret in (SECRET, _AUTH):
        assert not any(secret[:8] in body or secret[-8:] in body for body in fim), fim[-1]


@pytest.mark.parametrize("name", FORMS)
def test_a_heredoc_of_one_line_under_a_secret_s_name_is_redacted(name: str) -> None:
    assert_only_secret_replaced(FORMS[name], SECRET)


@pytest.mark.parametrize("name", ["hcl-locals", "shell-cat"])
def test_it_is_not_sent_from_any_cursor(name: str) -> None:
    assert_not_in_prompts(FORMS[name], "EO")


def test_a_heredoc_cut_by_the_text_s_end_below_its_value_is_redacted() -> None:
    """A prompt's suffix ending below the value: its terminator unseen (bench_secret_samples'
    locals.tf sent a password from the cursor above it)."""
    assert_only_secret_replaced("  db_password = <<EOT\n" + SECRET + "\n", SECRET)
    assert_only_secret_replaced("  db_password = <<EOT\n" + SECRET, SECRET)


def test_a_passphrase_heredoc_is_redacted_whole() -> None:
    assert_only_secret_replaced("db_password = <<EOT\n" + PASSPHRASE + "\nEOT\n", PASSPHRASE)


async def test_heredoc_secrets_are_not_sent(tmp_path: Path) -> None:
    fim = await fim_bodies(tmp_path, "main.tf", "".join(FORMS.values()) + "x = ", "terraform")
    assert fim
    assert not any(SECRET[:7] in body or SECRET[7:] in body for body in fim), fim[-1]
    assert all("db_password = <<EOT" in body for body in fim), "the names stay"


@pytest.mark.parametrize(
    "kept",
    [
        "motd = <<EOT\nWelcome\nEOT\n",  # no secret's name
        "db_password = <<EOT\n${var.db_password}\nEOT\n",  # a reference
        "DB_PASSWORD=$(cat <<EOF\n$PW\nEOF\n)\n",
        "user_data_secret = <<EOF\n#!/bin/bash\necho hello world\nEOF\n",  # a script: lines
        'secret_policy = <<EOT\n{\n  "Version": "2012-10-17"\n}\nEOT\n',
        "cat > secrets.txt <<EOF\nhello there\nEOF\n",
        "args:\n  - --token\n  - $(TOKEN)\n",  # a variable, another flag, a file's path
        "args:\n  - --token\n  - --verbose\n",
        "args:\n  - --token-file\n  - /var/run/secrets/token\n",
    ],
)
def test_what_is_no_secret_s_value_stays(kept: str) -> None:
    assert redact(kept) == kept


def test_a_long_line_of_heredoc_openers_takes_linear_time() -> None:
    assert_redacted_in_linear_time("heredoc openers", repeated("password = <<EOT "))
    assert_redacted_in_linear_time("read openers", "read " + repeated("x password ") + "<<EOF\n")


#: A heredoc of one line under a name holding a secret's word whose text is no secret, as the
#: same text quoted on one line is not: a prompt's or a help's words, where the token is read
#: from, a policy's rule, a description.
WORDS_HEREDOCS = {
    "ruby-help": "  password_help = <<~TEXT\n    Your password must be 12 characters long.\n  TEXT\n",
    "shell-prompt": "read -r PASSWORD_PROMPT <<EOF\nEnter your password:\nEOF\n",
    "shell-path": "TOKEN_FILE=$(cat <<EOF\n/var/run/secrets/kubernetes.io/serviceaccount/token\nEOF\n)\n",
    "hcl-description": "locals {\n  token_description = <<EOT\nThe token used by the CI runners\nEOT\n}\n",
    "php-message": "$passwordError = <<<'EOT'\nWrong password, please try again.\nEOT;\n",
}


@pytest.mark.parametrize("name", WORDS_HEREDOCS)
def test_a_heredoc_of_words_under_a_secret_s_name_stays(name: str) -> None:
    """Each went out as ``[REDACTED]`` (5 of 5), its quoted one-line twin as written."""
    text = WORDS_HEREDOCS[name]
    assert redact(text) == text


async def test_a_heredoc_of_words_is_sent_as_written(tmp_path: Path) -> None:
    """In a stdio session's FIM body, the help text the model needs to go on with."""
    text = WORDS_HEREDOCS["ruby-help"] + "  db_password = <<~PW\n    " + SECRET + "\n  PW\n  x = "
    fim = await fim_bodies(tmp_path, "form.rb", text, "ruby")
    assert fim
    assert all("Your password must be 12 characters long." in body for body in fim), fim[-1]
    assert not any(SECRET[:7] in body or SECRET[7:] in body for body in fim), fim[-1]
