"""Each span of a prompt runs only the redaction patterns that may match it (the words each
pattern needs, read from the pattern): the same text is sent as when every pattern ran over it,
for a fraction of the CPU."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from deepseek_lsp.privacy import has_trigger
from deepseek_lsp.privacy.literals import PatternTable, pattern_need
from deepseek_lsp.privacy.patterns import _PATTERNS
from deepseek_lsp.privacy.redaction import _SINGLE
from deepseek_lsp.privacy.triggers import _KEY_BLOCK_PATTERNS, _apply

_TESTS = Path(__file__).parent


def _chunks() -> list[str]:
    """Every three lines holding a trigger of the secrets' tests and their data files: the
    forms each pattern was written for (in the tests' source, as its literals write them)."""
    paths = sorted(_TESTS.glob("test_security_secrets*.py")) + sorted(p for p in (_TESTS / "data").rglob("*") if p.is_file())
    chunks = []
    for path in paths:
        try:
            lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        except UnicodeDecodeError:
            continue
        chunks += ("".join(lines[i : i + 3]) for i in range(0, len(lines), 3))
    return [chunk for chunk in chunks if has_trigger(chunk)]


def test_a_span_is_redacted_as_by_every_pattern() -> None:
    every = _PATTERNS[_KEY_BLOCK_PATTERNS:]
    chunks = _chunks()
    assert len(chunks) > 1000
    differ = [chunk for chunk in chunks if _SINGLE.apply(chunk, True) != _apply(every, chunk, True)]
    assert differ == []


def test_a_span_of_code_naming_a_token_runs_a_few_patterns() -> None:
    """Every pattern (191) ran over each span holding a trigger, most of a prompt's redaction at
    a new position. 23: a builder's ``.token("…")`` and Elixir's ``@tokens [...]`` (session 52),
    an XML element of tokens (``<tokens>`` then ``<key>…</key>`` lines, session 56: its search
    skips to a ``<``) are forms a span naming a token may hold; still a ninth of the table."""
    span = "    def next_token(self) -> Token:\n        token = self.lexer.advance()\n        return token\n"
    assert len(_SINGLE.patterns) > 150
    assert len(_SINGLE.indices(span)) <= 23


@pytest.mark.parametrize(
    ("pattern", "need"),
    [
        (r"(?i)\b(basic)\s+([A-Za-z0-9+/]{8,})", {"basic"}),
        (r"(?x)P(?:W|SWD?)\b", {"pw", "psw"}),
        (r"AKIA[0-9A-Z]{16}", {"akia"}),
        (r"(?:curl|wget)\s+-u", {"curl", "wget"}),
        (r"--?p(?=ass)\w+", {"ass"}),
        (r"(?:token)?\s*=\s*\d+", {"="}),
    ],
)
def test_a_pattern_needs_the_words_every_match_has(pattern: str, need: set[str]) -> None:
    assert pattern_need(re.compile(pattern)) == need


def test_a_pattern_needing_no_word_runs_on_every_span() -> None:
    table = PatternTable(((re.compile(r"(?:secret)?[0-9a-f]{32}"), "[REDACTED]"),))
    assert table.apply("x = 0123456789abcdef0123456789abcdef", False) == "x = [REDACTED]"


def test_a_span_not_all_ascii_runs_every_pattern() -> None:
    """``(?i)s`` matches ``ſ``, which lower-cases to itself: its words are no test there."""
    text = "ſecret_key = 'Zq8Wn3Rt6Yp1Lm5K'\n"
    assert len(_SINGLE.indices(text)) == len(_SINGLE.patterns)
    assert _SINGLE.apply(text, False) == _apply(_PATTERNS[_KEY_BLOCK_PATTERNS:], text, False) != text
