"""Pathological prompts: text whose redaction once took seconds (a key press's wait in the
editor). The work is counted, not timed: the machine's load makes times noisy."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from deepseek_lsp.privacy import REDACTED, redact, sections


class _CountingPattern:
    """A compiled pattern whose ``finditer`` counts the matches it yields."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.matches = 0

    def finditer(self, text: str, *args: int) -> Iterator[re.Match[str]]:
        for m in self.pattern.finditer(text, *args):
            self.matches += 1
            yield m


class _CountingSearch(_CountingPattern):
    def search(self, text: str, *args: int) -> re.Match[str] | None:
        self.matches += 1
        return self.pattern.search(text, *args)


# A quote before them (``password "``) puts every ``{`` inside a string as the text read from
# its start has it: each section is then read from its own start.
@pytest.mark.parametrize("head", ["", 'password "'])
def test_unclosed_sections_on_one_line_are_read_once(monkeypatch: pytest.MonkeyPatch, head: str) -> None:
    # ``"api_key": {"x"`` repeated, 20 kB on one line, took 1.1 s: each section opened was read
    # on its own to the text's end (1,300 sections, 850,000 tokens read).
    counting = _CountingSearch(sections._BODY_TOKEN)
    monkeypatch.setattr(sections, "_BODY_TOKEN", counting)
    text = head + '"api_key": {"x"' * 1300
    redact(text)
    assert counting.matches <= 6 * 1300


def test_nested_secret_sections_still_redacted() -> None:
    text = '{"Jwt": {"Signing": {"Key": "k3y-Value-9f8e7d6c5b4a"}, "Key": "0th3r-Secret-1a2b3c4d"}, "Auth": {"Key": "thirdSecret-77aa88bb"\n'
    out = redact(text)
    assert "k3y-Value" not in out and "0th3r-Secret" not in out and "thirdSecret" not in out
    assert out.count(REDACTED) == 3
