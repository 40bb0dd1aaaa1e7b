"""``context.prefix.typed_as_nearby`` tells what the pattern it stands in for tells: a name near
the cursor that starts with the word typed (and goes on), after a receiver's lead for a member."""

from __future__ import annotations

import re
from unittest.mock import patch

from hypothesis import given, settings
from hypothesis import strategies as st

from deepseek_lsp.context import prefix
from deepseek_lsp.context.prefix import typed_as_nearby

# Bytes around a name's edges: name bytes, '$', receivers' leads, boundaries, UTF-8's high bytes.
_PIECES = st.sampled_from([b"a", b"b", b"ab", b"_", b"$", b"1", b" ", b".", b">", b":", b"\n", b"(", b"\xc3\xa9"])
_WORDS = st.lists(st.sampled_from([b"a", b"b", b"ab", b"_", b"1", b"$"]), min_size=1, max_size=3).map(b"".join)


def _by_pattern(data: bytes, offset: int, word: str, member: bool, near: tuple[int, int]) -> bool:
    """The pattern made for each word before (compiled anew at nearly every key)."""
    raw = word.encode()
    before = rb"(?<=[.>:])" if member else rb"(?<![A-Za-z0-9_$\x80-\xff])"
    pattern = re.compile(before + re.escape(raw) + rb"(?:[A-Za-z0-9_$]|[\x80-\xff])")
    lo, hi = max(0, offset - len(raw) - near[0]), min(len(data), offset + near[1])
    return any(m.start() != offset - len(raw) for m in pattern.finditer(data, lo, hi))


# 150 texts: a search starting a byte late or a name's edge unchecked fails within the first
# few; 600 (7.3 s at load 12) caught nothing more.
@settings(max_examples=150, deadline=None)
@given(
    st.lists(_PIECES, max_size=16).map(b"".join),
    _WORDS,
    st.lists(_PIECES, max_size=16).map(b"".join),
    st.booleans(),
    st.sampled_from([(1500, 500), (3, 2), (0, 1), (6, 0)]),
)
def test_as_the_pattern_says(before: bytes, word: bytes, after: bytes, member: bool, near: tuple[int, int]) -> None:
    data = before + word + after
    offset = len(before) + len(word)
    with patch.object(prefix, "_NEAR", near):
        got = typed_as_nearby(data, offset, word.decode(), member)
    assert got == _by_pattern(data, offset, word.decode(), member, near)


def test_edges() -> None:
    text = b"for part in msg.walk():\n    par"
    assert typed_as_nearby(text, len(text), "par", False)  # part, a local
    glued = b"xwalk()\nwal"
    assert not typed_as_nearby(glued, len(glued), "wal", False)  # xwalk: no name starting with it
    member = b"helpers.retry_all()\nhelpers.re"
    assert typed_as_nearby(member, len(member), "re", True)
    assert not typed_as_nearby(b"return x\nhelpers.re", len(b"return x\nhelpers.re"), "re", True)  # no return
    assert not typed_as_nearby(b"par", 3, "par", False)  # the word itself
    assert typed_as_nearby("é_par\npartial par".encode(), len("é_par\npartial par".encode()), "par", False)


def test_no_pattern_compiled_a_key() -> None:
    """Each key typed makes a new word (``r``, ``re``, ``ret``): a pattern made for it was
    compiled at nearly every key, past re's cache (~0.1 ms each)."""
    text = b"def retry_all():\n    pass\n\nret"
    with patch("re.compile", side_effect=AssertionError("a pattern compiled")):
        assert typed_as_nearby(text, len(text), "ret", False)
