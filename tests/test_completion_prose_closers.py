"""A closer that nothing opened in prose, Markdown's or plain text's, is a list marker's (`3)`,
`a)`), a smiley's (`:)`) or a section's number: not the end of a scope, where the bracket
scanner's cut took it for one and the suggestion was shown up to it (`3) third` as `3`)."""

from __future__ import annotations

import pytest

from deepseek_lsp.completion.postprocess import postprocess
from deepseek_lsp.completion.postprocess.context import PostContext


@pytest.mark.parametrize("language", ["markdown", "plaintext", "mdx"])
@pytest.mark.parametrize(
    ("prefix", "suggestion", "single_line"),
    [
        ("# Steps\n\n1) first\n2) second\n", "3) third", True),
        ("# Steps\n\nText ", "more text.\n\n- a) one\n- b) two", False),
        ("Great work ", "everyone :) see you", True),
        # A `(` of an earlier paragraph is no scope the suggestion's `)` may leave.
        ("Notes (draft\n\n", "- a) one\n- b) two", False),
        ("1) first\n2) second (see [x\n\nText ", "more (like this) text.\n\n3) third", False),
    ],
)
def test_a_closer_nothing_opened_in_prose_is_text(
    language: str, prefix: str, suggestion: str, single_line: bool
) -> None:
    ctx = PostContext(prefix=prefix, suffix="\n", language=language, single_line=single_line)
    assert postprocess(suggestion, ctx) == suggestion


def test_the_cursor_line_s_own_parenthesis_still_ends_where_the_suffix_closes_it() -> None:
    """Inside the user's `(see |)`, the suggestion is cut before the `)` the line has."""
    ctx = PostContext(prefix="Notes (see ", suffix=")\n", language="markdown", single_line=True)
    assert postprocess("the docs)", ctx) == "the docs"
