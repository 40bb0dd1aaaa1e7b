"""A service's key under a name ending in ``key`` that says no more (``STRIPE_KEY = "…"``,
``mapboxKey: "…"``, ``stripe.key``): the names read as a secret's want ``API_KEY``, ``SECRET_KEY``
and the like, and each went out. Only a value shaped as a generated key is taken."""

from __future__ import annotations

import pytest

from deepseek_lsp.privacy import REDACTED, redact
from tests.secret_forms import assert_not_in_prompts, assert_redacted_in_linear_time, repeated

KEY = "Fk8d7s6GhQ2wLp9XzR4tV1nB"
HEX = "9f86d081884c7d659a2feaa0c55ad015"

FORMS = [
    f'STRIPE_KEY = "{KEY}"\n',
    f'MAPBOX_KEY="{KEY}"\n',
    f"GOOGLE_MAPS_KEY: '{KEY}'\n",
    f'supabase_key = "{KEY}"\n',
    f'const mapboxKey = "{KEY}";\n',
    f'firebase functions:config:set stripe.key="{KEY}"\n',
    f'  "algoliaKey": "{KEY}",\n',
    f'SENDINBLUE_KEY = "{HEX}"\n',
]


@pytest.mark.parametrize("text", FORMS)
def test_a_service_s_key_under_a_name_ending_in_key_is_not_sent(text: str) -> None:
    secret = HEX if HEX in text else KEY
    assert redact(text, keep_lines=True) == text.replace(secret, REDACTED)
    assert_not_in_prompts(text, secret, secret)


def test_keys_of_caches_tables_and_public_keys_stay() -> None:
    text = (
        'CACHE_KEY = "user_profile_v2"\n'
        'STORAGE_KEY = "app-settings-2024"\n'
        'SORT_KEY = "createdAtTimestamp01"\n'
        f'STRIPE_PUBLISHABLE_KEY = "{KEY}"\n'
        'RECAPTCHA_SITE_KEY = "6LcX2aUUAAAAAJk5Bc8vT4rSs2Pq3Zx7Wy9Lm1No"\n'
        'partition_key = "tenantIdAndRegion"\n'
        "const primaryKey = 'id_with_long_name';\n"
        'DEFAULT_KEY = "XXXXXXXXXXXXXXXXXXXX"\n'
        'hotkey = "CommandOrControl+Shift+K"\n'
    )
    assert redact(text) == text


@pytest.mark.parametrize("unit", ["a_key = '", "aKey: \"" + "a" * 20, "key=" * 3 + '"' + "a1B2" * 5])
def test_named_keys_are_read_in_linear_time(unit: str) -> None:
    assert_redacted_in_linear_time("named keys", repeated(unit))
