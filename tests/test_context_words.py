"""``context.words.has_word`` tells what the pattern it stands in for tells, at any bounds."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from deepseek_lsp.context.words import has_word

# Bytes around a name's edges: word bytes, '$', boundaries and UTF-8's high bytes.
_PIECES = st.sampled_from([b"a", b"b", b"ab", b"_", b"$", b"1", b" ", b".", b"\n", b"(", b"\xc3\xa9", b"\xff"])


def _by_pattern(data: bytes, word: bytes, start: int, end: int | None) -> bool:
    pattern = re.compile(rb"(?<![\w$])" + re.escape(word) + rb"(?![\w$])")
    return (pattern.search(data, start) if end is None else pattern.search(data, start, end)) is not None


@settings(max_examples=400, deadline=None)
@given(
    st.lists(_PIECES, max_size=24).map(b"".join),
    st.lists(_PIECES, min_size=1, max_size=3).map(b"".join),
    st.integers(0, 30),
    st.one_of(st.none(), st.integers(0, 30)),
)
def test_as_the_pattern_says(data: bytes, word: bytes, start: int, end: int | None) -> None:
    assert has_word(data, word, start, end) == _by_pattern(data, word, start, end)


def test_edges() -> None:
    text = b"import queue.Mailer as QMailer\nm = QMailer2()\nx = $QMailer\n"
    assert not has_word(text, b"QMailer", 31)  # QMailer2 and $QMailer are other words
    assert has_word(text, b"QMailer", 0, 31)
    # The byte before the bounds counts; the end of the bounds ends the word.
    assert not has_word(b"xab ", b"ab", 1)
    assert has_word(b"abx", b"ab", 0, 2)
    assert has_word("é_".encode()[:2] + b"ab", b"ab", 2)  # a non-ASCII byte is no word byte here
