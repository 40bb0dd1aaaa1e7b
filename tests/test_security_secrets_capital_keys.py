"""Keys of capitals alone, no digit (``QWHDKSLAPZMXNCBVTRYE``, as some vendors' are): assigned
to a secret's name one was redacted, but as an item of a list of keys (a Python or YAML list, a
YAML mapping, a TOML table, a comma list, Ruby's ``%w[…]``, an object of keys) or a key's flag
(``--api-key …``) or piped to a login (``echo … | docker login --password-stdin``) every one
went out: an item needed a digit, mixed case or a symbol to be read
as a key. Words run together in capitals (``READWRITEEXECUTE``, ``PYTHONIOENCODING``) stay."""

from __future__ import annotations

import pytest

from deepseek_lsp.privacy import redact
from deepseek_lsp.privacy.values import random_letters
from tests.secret_forms import assert_redacted_in_linear_time, repeated

K1, K2 = "QWHDKSLAPZMXNCBVTRYE", "ZMXNCBVTRYEQWHDKSLAPGF"


@pytest.mark.parametrize(
    "text",
    [
        f'API_KEYS = ["{K1}", "{K2}"]\n',
        f"api_keys:\n  - {K1}\n  - {K2}\n",
        f"api_keys:\n  prod: {K1}\n  dev: {K2}\n",
        f'[api_keys]\nprod = "{K1}"\ndev = "{K2}"\n',
        f"API_KEYS={K1},{K2}\n",
        f"API_KEYS = %w[{K1} {K2}]\n",
        f'@api_keys ["{K1}", "{K2}"]\n',
        f'const apiKeys = {{\n  prod: "{K1}",\n  dev: "{K2}",\n}};\n',
        f"tool --api-key {K1}\ntool --token {K2}\n",
        f'echo "{K1}" | docker login -u ci --password-stdin\necho {K2} | docker login --password-stdin\n',
    ],
)
def test_keys_of_capitals_alone_are_not_sent(text: str) -> None:
    out = redact(text, keep_lines=True)
    assert K1 not in out and K2 not in out, out


@pytest.mark.parametrize(
    "text",
    [
        'DEFAULT_MODE = "READ_WRITE_EXECUTE"\n',
        'TOKEN_KINDS = ["IDENTIFIERLITERAL", "WHITESPACECOMMENT", "STRINGCONCATENATION"]\n',
        "secret_env_names:\n  - PYTHONIOENCODING\n  - PYTHONNOUSERSITE\n",
        'API_KEY_HEADERS = ["XRANGEIDENTIFIERLOOSE", "NUMERICIDENTIFIER"]\n',
        'API_KEYS = ["MVMVMVMVMVMVMVMVMVMV", "XXXXXXXXXXXXXXXXXXXX"]\n',
        "tool --api-key-file APIKEYSFROMTHEVAULT\n",
    ],
)
def test_capitals_that_are_words_or_a_pattern_are_sent(text: str) -> None:
    assert redact(text, keep_lines=True) == text


def test_a_run_of_capitals_is_random_by_its_letter_pairs() -> None:
    """A random run of capitals has few of the letter pairs words are made of; words run
    together have mostly those. Of 2,000 random runs of 20, at most 3 % are taken for words."""
    import random
    import string

    rng = random.Random(53)
    runs = ["".join(rng.choice(string.ascii_uppercase) for _ in range(20)) for _ in range(2000)]
    assert sum(random_letters(run) for run in runs) >= 1940
    assert not any(random_letters(word) for word in ("GETDELEGATIONTOKEN", "RENEWDELEGATIONTOKEN", "PROTECTIONEXPIRY", "CASCADINGSOURCES"))


@pytest.mark.parametrize("text", ["API_KEYS = [" + repeated('"QWHDKSLAPZMXNCBVTRYE", '), "tool --api-key " + repeated("QWHDKSLAPZ")])
def test_capital_keys_are_read_in_linear_time(text: str) -> None:
    assert_redacted_in_linear_time(text[:12], text)
