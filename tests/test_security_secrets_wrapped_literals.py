"""A secret's literal wrapped in a conversion (Rust's ``String::from("...")``, Go's
``[]byte("...")``, Java's ``new String("...")``, pydantic's ``SecretStr("...")``) and a passphrase
between XML tags: each went out as written, in a stdio session's FIM bodies."""

from __future__ import annotations

from pathlib import Path

import pytest

from deepseek_lsp.privacy import REDACTED, redact
from tests.test_security_secrets_sent_forms import fim_bodies

PASSPHRASE = "correct horse battery staple"
TOKEN = "Xk9#mP2qLz-77"

#: A language's conversion of a literal into the type its password is kept in.
WRAPPED = {
    "rust-from": 'let password = String::from("{}");',
    "rust-secret": 'let api_key = SecretString::new("{}".into());',
    "rust-some": 'let password = Some("{}".to_string());',
    "go-bytes": 'password := []byte("{}")',
    "java-new": 'String password = new String("{}");',
    "pydantic": 'password = SecretStr("{}")',
    "python-bytes": 'secret_key = bytes("{}", "utf-8")',
    "node-buffer": 'const secret = Buffer.from("{}");',
}


@pytest.mark.parametrize("form", WRAPPED)
@pytest.mark.parametrize("secret", [PASSPHRASE, TOKEN])
def test_a_wrapped_literal_is_redacted(form: str, secret: str) -> None:
    line = WRAPPED[form].format(secret) + "\n"
    assert redact(line) == line.replace(secret, REDACTED)


async def test_wrapped_literals_and_an_xml_passphrase_are_not_sent(tmp_path: Path) -> None:
    text = "".join(WRAPPED[form].format(PASSPHRASE) + "\n" for form in WRAPPED)
    text += f"<!--\n<password>{PASSPHRASE}</password>\n-->\nx = "
    fim = await fim_bodies(tmp_path, "notes.txt", text, "plaintext")
    assert fim
    assert not any("horse battery" in body for body in fim)


def test_an_xml_passphrase_is_redacted_and_a_label_stays() -> None:
    text = f"<server>\n  <password>{PASSPHRASE}</password>\n</server>\n"
    assert redact(text) == text.replace(PASSPHRASE, REDACTED)
    for kept in (
        "<password>Enter your password</password>\n",
        "<password>must be at least eight characters</password>\n",
        "<PasswordHint>your first pet</PasswordHint>\n",
        "<password>${env.DB_PASSWORD}</password>\n",
    ):
        assert redact(kept) == kept


def test_a_call_s_value_and_a_conversion_of_a_variable_stay() -> None:
    for kept in (
        'let password = String::from(env!("DB_PASSWORD"));\n',
        "password := []byte(os.Getenv(\"DB_PASSWORD\"))\n",
        'password = SecretStr(os.environ["DB_PASSWORD"])\n',
        'let password = prompt_password("Enter the password: ");\n',
        'let password = String::from("");\n',
        'token = Some("write")\n',
    ):
        assert redact(kept) == kept, kept
