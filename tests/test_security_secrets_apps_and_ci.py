"""Secrets in the files of applications and their builds: PHP (Laravel's configuration and
controllers, PDO and mysqli), C# (credentials, connection strings), Android's and iOS's build
settings, CI workflows, Dockerfiles, ``.npmrc`` and ``.pypirc``; and the code and references
in the same files, which must stay (the clean ones are in ``tests/data/no_secrets/``)."""

from __future__ import annotations

import pytest

from deepseek_lsp.privacy import REDACTED, redact
from tests.secret_forms import SECRET

# -- PHP ----------------------------------------------------------------------------------------------------


def test_laravel_s_validation_rules_and_casts_stay() -> None:
    """Each went out as ``[REDACTED]``, taken for a password: the rules a controller checks a
    password against, and the cast that hashes it."""
    kept = (
        "            'password' => 'required|string|min:8|confirmed',\n"
        "            'password' => 'nullable|string|max:255',\n"
        "        'password' => 'hashed',\n"
        "        'api_token' => 'encrypted',\n"
        "        'secret' => 'encrypted:array',\n"
    )
    assert redact(kept, keep_lines=True) == kept


@pytest.mark.parametrize(
    ("text", "password"),
    [
        (f"    'password' => 'abc|{SECRET}',\n", f"abc|{SECRET}"),  # a ``|`` in a password, no rule's name
        (f"    'password' => 'required|{SECRET}',\n", f"required|{SECRET}"),  # a rule's name, then no rule
        (f"    'password' => env('DB_PASSWORD', '{SECRET}'),\n", SECRET),  # a default in the code
    ],
)
def test_a_password_beside_rules_words_is_still_redacted(text: str, password: str) -> None:
    assert redact(text, keep_lines=True) == text.replace(password, REDACTED)
