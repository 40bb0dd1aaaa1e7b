"""An answer the model may write that once took seconds to clean up (a key press's wait)."""

from __future__ import annotations

import time

import pytest

from deepseek_lsp.completion.postprocess import PostContext, postprocess


@pytest.mark.parametrize("language", ["python", "javascript"])
def test_an_answer_of_spaces_is_cleaned_at_once(language: str) -> None:
    # A model's answer of 32,768 spaces (4,096 tokens of them, and more): each line's trailing
    # comment was looked for from each space, each trying the rest of the line (8,192 spaces:
    # 0.3 s; 32,768: ~5 s). Now 1 ms at 8,192: the bound is 50 times the figure at 32,768.
    ctx = PostContext(prefix="def f():\n    x = ", suffix="\n", language=language)
    start = time.process_time()
    postprocess(" " * 32_768, ctx)
    assert time.process_time() - start < 0.25
