"""A list of keys on one long line (``API_KEYS = ["…", "…", …]``, 10 kB: generated, pasted, a
minified config), the prompt's window or suffix cut inside it: the keys after the cursor went
out in the suffix, and those of a window starting inside the line, its name above it; a key
cut by the suffix's budget was no item. Keys of letters alone, no digit, were no items at all
(the whole file sent every one)."""

from __future__ import annotations

import random
import string

import pytest

from deepseek_lsp.documents import Document
from deepseek_lsp.privacy import open_line_list_head, redact
from deepseek_lsp.privacy.values import random_mixed_letters
from deepseek_lsp.prompts import ABOVE_WINDOW, build_fim_prompt
from tests.cpu_time import ThreadCpu
from tests.secret_forms import assert_redacted_in_linear_time, repeated

_RANDOM = random.Random(54)


def _keys(alphabet: str, count: int = 250, size: int = 40) -> list[str]:
    return ["".join(_RANDOM.choice(alphabet) for _ in range(size)) for _ in range(count)]


LETTERS = _keys(string.ascii_letters)
LETTERS_AND_DIGITS = _keys(string.ascii_letters + string.digits)


def _count(text: str) -> int:
    return len(text) // 3 + 1


def _leaked(keys: list[str], sent: str) -> list[str]:
    """The keys of which any 8 characters are in ``sent``."""
    return [key for key in keys if any(key[i : i + 8] in sent for i in range(len(key) - 7))]


def _file(keys: list[str], line: str) -> str:
    return "import os\n\n" + line.format(", ".join(f'"{key}"' for key in keys)) + "\n\nprint(len(API_KEYS))\n"


#: A minified line's code before its list: the list's name 1 kB into its line.
MINIFIED = "".join(f"var a{i}=function(b){{return b+{i}}};" for i in range(30))
LINES = ["API_KEYS = [{}]", "const apiKeys = [{}];", "  api_tokens: [{}]", MINIFIED.replace("{", "{{").replace("}", "}}") + "const API_KEYS=[{}];var z=1;"]


@pytest.mark.parametrize("keys", [LETTERS, LETTERS_AND_DIGITS], ids=["letters", "letters-and-digits"])
@pytest.mark.parametrize("line", LINES)
def test_a_long_line_s_keys_are_not_sent_wherever_the_prompt_cuts_it(keys: list[str], line: str) -> None:
    text = _file(keys, line)
    assert _leaked(keys, redact(text, keep_lines=True)) == []
    doc = Document("file:///w/app/keys.py", text)
    start = text.index(keys[0]) - 2
    # The cursor before the line, at its start, inside its keys (at each few characters: in a key,
    # between two), at its end, below it; windows and suffixes of a few sizes.
    cursors = [0, start - 10, start, *range(start, start + len(line) + 10_400, 331), len(text) - 3]
    far = 0
    for cursor in cursors:
        for budget in (1000, 300):
            fim = build_fim_prompt(doc, cursor, budget=budget, suffix_share=0.3, count=_count)
            sent = fim.prompt + fim.suffix
            assert _leaked(keys, sent) == [], (cursor, budget, fim.prompt[:80], fim.suffix[-80:])
            # A window starting further into the line than the text above it redaction reads.
            far += fim.window_start - ABOVE_WINDOW > start
    assert far > 10


@pytest.mark.parametrize(
    "text",
    [
        # Names and words of a list named for keys (a sensitive field list, an API's camel-case types).
        'SENSITIVE_KEYS = ["password", "api_key", "client_secret", "authorization"]\n',
        'API_KEY_TYPES = ["UIWebViewDelegateOwner", "ServiceAccountCredentials"]\n',
        'TOKEN_KINDS = ["identifierOrKeyword", "multilineComment"]\n',
    ],
)
def test_a_list_of_names_under_a_secret_s_name_is_sent(text: str) -> None:
    assert redact(text, keep_lines=True) == text


def test_letters_alone_are_taken_for_a_key_by_their_case_and_pairs() -> None:
    assert sum(random_mixed_letters(key) for key in LETTERS) >= 240  # the rest as their siblings are
    for word in ("UIWebViewDelegateOwner", "ServiceAccountCredentials", "PYTHONIOENCODING", "correcthorsebatterystaple", "AbAbAbAbAbAbAbAbAbAb"):
        assert not random_mixed_letters(word), word


# (The name is found back through the items from a seam: runs of quotes, words, keys' colons.)
@pytest.mark.parametrize("unit", ['"kQwErTyUiOpAsDfGhJkL", ', '"a", ', "aB", '", "', '"', "a'", "a:", " ,", "=>", "x=["])
@pytest.mark.parametrize("head", ["API_KEYS = [", MINIFIED + "API_KEYS=["])
def test_a_long_line_s_items_are_judged_in_linear_time(unit: str, head: str) -> None:
    assert_redacted_in_linear_time(unit, head + repeated(unit))
    with ThreadCpu() as cpu:
        data = (head + repeated(unit)).encode()
        for at in range(1, len(data), len(data) // 8):
            open_line_list_head(data, at)
    assert cpu.seconds < 0.5, f"{unit}: {cpu.seconds:.2f} s of CPU"
