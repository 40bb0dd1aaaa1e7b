"""The string triggers of redaction found in one pass (Aho-Corasick), and the same lines found
as searching them one at a time (the way without the library)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deepseek_lsp.privacy import has_trigger, triggers

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]


def test_the_string_triggers_are_searched_in_one_pass() -> None:
    """~130 searches of the same text, each a pass over it, were ~a fifth of a prompt's CPU time
    at a new position (the suffix, the snippets, the seams around the cursor)."""
    assert triggers._TRIGGER_SEARCH is not None
    assert len(triggers._TRIGGER_SEARCH) == len(set(triggers._TRIGGERS))
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert any(d.startswith("pyahocorasick") for d in deps)


_PIECES = st.one_of(
    st.sampled_from(triggers._TRIGGERS),
    st.sampled_from(["\n", "\r\n", " ", "x", "=", "é", "İ", "😀", "\t", "sk-sk-", "tokentoken", "aiza", "pw", "pwx"]),
    st.text(max_size=6),
)


def _one_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(triggers, "_TRIGGER_SEARCH", None)


# 100 texts: a search's range or start off by one fails within the first few (400 took 8.5 s at
# load 20 to find nothing more).
@settings(max_examples=100, deadline=None)
@given(st.lists(_PIECES, max_size=40), st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1)), max_size=3))
def test_the_one_pass_finds_the_lines_the_searches_one_at_a_time_find(
    parts: list[str], cuts: list[tuple[float, float]]
) -> None:
    low = "".join(parts).lower()
    # Clean ranges are whole lines (what a prompt passes): from line starts to line starts.
    starts = [0, *(i + 1 for i, ch in enumerate(low) if ch == "\n"), len(low)]
    clean = sorted({(starts[int(a * (len(starts) - 1))], starts[int(b * (len(starts) - 1))]) for a, b in cuts})
    clean = [(a, b) for a, b in clean if a < b]
    fast = triggers._suspect_spans(low, clean), has_trigger(low)
    with pytest.MonkeyPatch.context() as m:
        _one_at_a_time(m)
        slow = triggers._suspect_spans(low, clean), has_trigger(low)
    assert fast == slow
