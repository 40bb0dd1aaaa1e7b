"""Where a comment or docstring kept past all its asks ends (``block_rest.ended_at_a_sentence``):
golden cases, the answer's last lines and what the user is shown."""

from __future__ import annotations

import pytest

from deepseek_lsp.completion.block_rest import ended_at_a_sentence

CASES = [
    # (what it shows, the answer's whole lines, what is kept)
    ("a plain sentence's end", "Reads the file.\nThen it parses the", "Reads the file."),
    ("no end: it goes on", "reads the file and then", "reads the file and then …"),
    ("e.g. is no end", "Reads it once. Use a cache, e.g. the one in", "Reads it once."),
    ("i.e. is no end", "Reads it once. Use it twice, i.e. in the", "Reads it once."),
    ("e.g. in brackets", "Reads it once. Values (e.g. 3) are kept in", "Reads it once."),
    ("Mr. is no end", "Ask the owner. Mr. Smith keeps the", "Ask the owner."),
    ("vs. is no end", "Both are fast. Reads vs. writes were", "Both are fast."),
    ("a lower-case word after a stop", "Kept whole. The cache holds approx. ten in", "Kept whole."),
    ("1.5 is no end", "Scaled once. It grows by 1.5 times the", "Scaled once."),
    ("a list's number is no end", "The steps are these.\n 1. Parse the\n 2. Check", "The steps are these."),
    ("a sentence ending in a number", "It is raised to 3.\nThen it is", "It is raised to 3."),
    ("e.g. ending a line", "Reads it once. Use a cache, e.g.\n the one in", "Reads it once."),
    (
        "a doctest's code has no sentence end",
        'Sums them.\n\n>>> f("a. b")',
        'Sums them.\n\n>>> f("a. b")',
    ),
    (
        "a stop in a doctest's code is no end",
        '>>> f("a. b")\n1\n\nwhich is then',
        '>>> f("a. b")\n1\n\nwhich is then …',
    ),
    (
        "a doctest's last line gets no …",
        "Sums them, with\n\n>>> add(1, 2)\n3\n>>> add(2, 3)",
        "Sums them, with\n\n>>> add(1, 2)\n3\n>>> add(2, 3)",
    ),
    (
        "a doctest's output line gets no …",
        "    sums them, with\n\n    >>> add(1, 2)\n    3",
        "    sums them, with\n\n    >>> add(1, 2)\n    3",
    ),
    (
        "prose after a doctest ends at its sentence",
        ">>> add(1, 2)\n3\n\nIt is exact. Floats are",
        ">>> add(1, 2)\n3\n\nIt is exact.",
    ),
]


@pytest.mark.parametrize(("lines", "kept"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_comment_past_its_asks_ends_at_a_sentence_s_real_end(lines: str, kept: str) -> None:
    """An abbreviation (``e.g.``, ``Mr.``), a number or a doctest's code cut the comment there,
    mid-sentence (``Use a cache, e.g.``), and ``…`` after a doctest's line made it no code."""
    assert ended_at_a_sentence(lines) == kept
