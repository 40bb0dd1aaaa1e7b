"""Token counting with DeepSeek's tokenizer, and the estimate fallback."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deepseek_lsp.model import tokens
from deepseek_lsp.model.tokens import EstimateCounter, TokenCounter, default_counter

CODE = "def add(a, b):\n    return a + b  # 加法 ✓\n" * 20


@pytest.fixture(scope="module")
def counter() -> TokenCounter:
    return TokenCounter()


def test_tokenizer_file_ships_with_the_package() -> None:
    path = tokens.tokenizer_path()
    assert path.name == "tokenizer.json" and path.is_file()


def test_count(counter: TokenCounter) -> None:
    assert counter.count("") == 0
    n = counter.count(CODE)
    assert 0 < n < len(CODE)
    assert counter.count("hello world") == 2
    assert counter.exact


def test_truncate_start_keeps_the_end(counter: TokenCounter) -> None:
    cut = counter.truncate_start(CODE, 50)
    assert CODE.endswith(cut)
    assert 45 <= counter.count(cut) <= 50
    assert counter.truncate_start(CODE, 10_000) == CODE
    assert counter.truncate_start(CODE, 0) == ""


def test_truncate_end_keeps_the_start(counter: TokenCounter) -> None:
    cut = counter.truncate_end(CODE, 50)
    assert CODE.startswith(cut)
    assert 45 <= counter.count(cut) <= 50
    assert counter.truncate_end(CODE, 10_000) == CODE
    assert counter.truncate_end("abc", 0) == ""


@settings(max_examples=40, deadline=None)
@given(st.text(min_size=1, max_size=300), st.integers(min_value=1, max_value=80))
def test_truncation_never_exceeds_budget(text: str, budget: int) -> None:
    counter = TokenCounter()
    start = counter.truncate_start(text, budget)
    end = counter.truncate_end(text, budget)
    assert text.endswith(start) and counter.count(start) <= budget
    assert text.startswith(end) and counter.count(end) <= budget


def test_estimate_counter() -> None:
    est = EstimateCounter()
    assert not est.exact
    assert est.count("x" * 10) == 3
    assert est.count("") == 0
    text = "abcdefghij" * 10
    assert est.truncate_start(text, 3) == text[-10:]
    assert est.truncate_end(text, 3) == text[:10]
    assert est.count(est.truncate_end(text, 7)) <= 7
    with pytest.raises(ValueError):
        EstimateCounter(0)


def test_default_counter_is_a_process_singleton() -> None:
    assert default_counter() is default_counter()
    assert isinstance(default_counter(), TokenCounter)
    # Instances share the one loaded tokenizer.
    assert TokenCounter()._tok is TokenCounter()._tok


def test_default_counter_falls_back_to_estimate(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tokens, "_default", None)
    monkeypatch.setattr(tokens, "_tokenizer", None)

    def broken() -> None:
        raise FileNotFoundError("gone")

    monkeypatch.setattr(tokens, "tokenizer_path", broken)
    assert isinstance(tokens.default_counter(), EstimateCounter)
