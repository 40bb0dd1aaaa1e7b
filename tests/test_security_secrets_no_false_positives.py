"""Ordinary code that names secrets but holds none, in the languages whose forms the other
tests lack: Go (config structs, ``os.Getenv``), Gradle's Groovy and Kotlin DSLs (``findProperty``,
``System.getenv``, credentials blocks), Kotlin (nullable types, delegates), Ruby on Rails
(``ENV.fetch``, credentials calls, strong parameters), Laravel (``env()`` in configuration
arrays, validation rules, casts), C#, Swift, CI workflows, Dockerfiles, ``.npmrc`` and ``.pypirc``. Each file under ``tests/data/no_secrets/``
must reach the model as written: a false positive replaces code the model needs to read."""

from __future__ import annotations

from pathlib import Path

import pytest

from deepseek_lsp.privacy import REDACTED, redact
from tests.secret_forms import SECRET, assert_redacted, assert_redacted_in_linear_time, repeated

SAMPLES = sorted((Path(__file__).parent / "data" / "no_secrets").iterdir())


@pytest.mark.parametrize("path", SAMPLES, ids=[p.name for p in SAMPLES])
def test_code_that_only_names_secrets_stays(path: Path) -> None:
    text = path.read_text()
    out = redact(text, keep_lines=True)
    changed = [(a, b) for a, b in zip(text.splitlines(), out.splitlines(), strict=True) if a != b]
    assert not changed, changed
    assert redact(text) == text


@pytest.mark.parametrize(
    "line",
    [
        "var accessToken: String? = null\n",  # Kotlin: a nullable type, then the value
        "val ossrhPassword: String? by project\n",  # a delegated property
        "val password: CharArray? = null\n",
        "fun connect(password: CharArray?) = Unit\n",
        "    password = sonatypePassword\n",  # Gradle: a variable of the same kind
        "\tcfg.JWTSecret = secret\n",  # Go
        "    password = storedPw ?: System.getenv(\"DB_PASSWORD\")\n",  # Kotlin's Elvis operator
        "var token = cachedJwt ?? await FetchJwtAsync();\n",  # C#'s and JavaScript's ``??``
        "    user = User.authenticate(params[:email], params[:password])\n",  # not a .curlrc ``user =``
    ],
)
def test_a_variable_type_or_call_in_a_secret_s_place_stays(line: str) -> None:
    """Each went out with ``[REDACTED]`` in its code's place: a nullable type (``String?``) was
    taken for a YAML value, a variable naming a secret for the secret, ``?:`` was no operator,
    and a Ruby line starting ``user = `` for a .curlrc's ``user = name:password``."""
    assert redact(line, keep_lines=True) == line


@pytest.mark.parametrize(
    "text",
    [
        f'\tPassword: "{SECRET}",\n',  # a Go struct literal's field
        f"    password = '{SECRET}'\n",  # Gradle
        f'val apiKey: String = "{SECRET}"\n',  # Kotlin
        f'config.secret_key = "{SECRET}"\n',  # Ruby
        f"user = deploy:{SECRET}\n",  # a .curlrc line
        f"var password = {SECRET}\n",  # JavaScript's, beside its code kept below
        f'DEPLOY_TOKEN = "{SECRET}"\n',
    ],
)
def test_a_literal_secret_in_these_languages_is_still_redacted(text: str) -> None:
    assert_redacted(text)


def test_an_env_file_s_value_shaped_like_a_variable_is_still_redacted() -> None:
    """Only code's spaced ``=`` passes a variable on; an .env file's ``NAME=value`` is a value."""
    assert redact("DB_PASSWORD=sonatypePassword\n") == f"DB_PASSWORD={REDACTED}\n"


@pytest.mark.parametrize(
    "line",
    [
        '    "jsonwebtoken": "^9.0.0",\n',  # package.json's dependencies: a version range
        '    "@esfx/canceltoken": "~1.0.0"\n',
        "var JsonWebTokenError = function (message, error) {\n",  # a keyword in the value's place
        "Renderer.prototype.renderToken = function renderToken(tokens, idx, options) {\n",
        'var token = typeof selector === "string" ? parse(selector) : selector;\n',
        "const addCodePointToUnexpectedToken = message => message.replace(\n",  # an arrow function
        "    credentials: corsAttributeState === 'anonymous'\n",  # a comparison
        "        submitPassword: SIGN_IN_V2_SUBMIT_PASSWORD,\n",  # a constant with a digit
    ],
)
def test_javascript_and_package_json_code_in_a_secret_s_place_stays(line: str) -> None:
    """Lines of the extension's node_modules that went out with ``[REDACTED]`` in their code's
    place (bench_redaction_false_positives.py: msal, markdown-it, undici, jsonwebtoken)."""
    assert redact(line, keep_lines=True) == line


def test_a_certificate_s_hex_dump_stays() -> None:
    """``openssl x509 -text``'s modulus: its ``:aa`` was taken for a Telegram token's start,
    and the lines around it run through every pattern, its last line's bytes then taken for
    a .pgpass line's password."""
    text = (
        "                Modulus:\n"
        "                    7e:be:04:00:4d:d4:54:13:28:53:d8:ff:86:aa:b7:\n"
        "                    74:50:1c:d8:7d\n"
        "                Exponent: 65537 (0x10001)\n"
    )
    assert redact(text) == text


@pytest.mark.parametrize(
    "line",
    [
        'ACQUIRE_TOKEN_START: "msal:acquireTokenStart",',
        'CLIENT_CREDENTIALS_GRANT: "client_credentials",',
        'readonly SHA256_TOKEN_TO_REFRESH: "token_sha256_to_refresh";',
    ],
)
def test_an_identifier_sharing_a_word_with_its_name_stays(line: str) -> None:
    """An enum's or an event's name given a name of the same words (msal's constants,
    bench_redaction_false_positives.py: 20 lines of node_modules) went out as ``[REDACTED]``."""
    assert redact(line) == line


@pytest.mark.parametrize(
    "line",
    [
        'ADMIN_PASSWORD = "admin_rocks"',  # a name of two words
        'DB_ADMIN_PASSWORD = "superSecretPassword"',  # only the secret's word shared
        'API_ACCESS_TOKEN = "access_granted_2024"',  # a digit word: no identifier
    ],
)
def test_a_password_of_words_sharing_only_a_secret_word_is_redacted(line: str) -> None:
    assert "[REDACTED]" in redact(line)


@pytest.mark.parametrize("unit", ["a.", "a_", "aB", "a:"])
def test_an_identifier_s_words_are_read_in_linear_time(unit: str) -> None:
    assert_redacted_in_linear_time("identifier words", 'API_ACCESS_TOKEN = "' + repeated(unit) + '!"')
