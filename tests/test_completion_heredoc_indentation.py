"""A shell heredoc's text is no indentation: the real server over stdio against the fake
DeepSeek server. Found by a scripted Neovim session typing git's rerere-train.sh (tabs, Vim's
noexpandtab): its usage text, a heredoc whose option lines are led by four spaces, was the
only indented text when the first tab-led line was typed, the unit was taken as four spaces
and kept, and every later suggestion's deeper levels were written in them
(``\\t    echo "$USAGE"`` under ``\\t-h|--help)``, where the file has ``\\t\\techo``)."""

from __future__ import annotations

import pytest

from deepseek_lsp.completion.indentation import detect_indentation
from deepseek_lsp.documents import Document
from tests.harness import suggested_texts

USAGE = (
    "#!/bin/sh\n"
    "me=rerere-train\n"
    "USAGE=$(cat <<-EOF\n"
    "usage: $me [--overwrite] <rev-list-args>\n"
    "\n"
    "    -h, --help            show the help\n"
    "    -o, --overwrite       overwrite any existing rerere cache\n"
    "EOF\n"
    ")\n"
    "\n"
)


def test_a_heredoc_s_lines_do_not_set_the_unit() -> None:
    text = USAGE + "while test $# -gt 0\ndo\n"
    assert detect_indentation(Document("file:///w/t.sh", text, language_id="sh"), 12) == ("", 0)
    tabbed = text + '\tcase "$1" in\n\t-h)\n\t\texit 0\n\t\t;;\n\tesac\ndone\n'
    assert detect_indentation(Document("file:///w/u.sh", tabbed, language_id="sh"), 15) == ("\t", 0)
    # Code after the heredoc's end counts again; a `<<` in arithmetic opens none.
    spaced = "cat <<EOF\n      text\nEOF\nif x; then\n  y=$((1<<bit))\n  z\nfi\n"
    assert detect_indentation(Document("file:///w/s.sh", spaced, language_id="sh"), 5) == ("  ", 0)
    quoted = 'echo "usage: cat <<EOF"\nif x; then\n  y\nfi\n'
    assert detect_indentation(Document("file:///w/q.sh", quoted, language_id="sh"), 3) == ("  ", 0)


@pytest.mark.parametrize("opener", ["<<\\EOF", "<< \\EOF", "<<-\\EOF"])
def test_an_escaped_heredoc_word_s_lines_do_not_set_the_unit(opener: str) -> None:
    """`<<\\EOF` (git-jump's usage, git-filter-branch's) and `<< \\EOF` open a heredoc as
    `<<EOF` does, for the unit's read as for the bracket scanner: its four-space option lines
    were read as code, the unit taken as four spaces (a tab file read as mixed, tabs of eight
    columns, where a tab-led line was typed)."""
    text = USAGE.replace("<<-EOF", opener) + "while test $# -gt 0\ndo\n"
    assert detect_indentation(Document("file:///w/t.sh", text, language_id="sh"), 12) == ("", 0)
    tabbed = text + '\tcase "$1" in\n\t-h)\n\t\texit 0\n\t\t;;\n\tesac\ndone\n'
    assert detect_indentation(Document("file:///w/u.sh", tabbed, language_id="sh"), 15) == ("\t", 0)


@pytest.mark.parametrize("opener", ["<<-EOF", "<<\\EOF"])
async def test_the_model_s_tab_levels_under_a_usage_heredoc_stay_tabs(tmp_path, opener: str) -> None:
    answer = 'opt="$1"\n\tcase "$opt" in\n\t-h|--help)\n\t\techo "$USAGE"\n\t\texit 0\n\t\t;;'
    text = USAGE.replace("<<-EOF", opener) + "while test $# -gt 0\ndo\n\t\n"
    line = text.count("\n") - 1
    shown = await suggested_texts(str(tmp_path), answer, "file:///ws/rerere-train.sh", text, "sh", line, 1)
    assert shown == [answer]


@pytest.mark.parametrize("comment", ["# cat <<EOF", "echo x # then cat <<-'EOF'", "f() { # see <<EOF"])
def test_a_heredoc_opener_in_a_comment_opens_none_for_the_unit(comment: str) -> None:
    """A commented-out `cat <<EOF` opens no heredoc: its word never comes, and the lines below
    it were all skipped as its text (no unit read from them)."""
    text = f"{comment}\nif x; then\n  y\n  if z; then\n    w\n  fi\nfi\n"
    assert detect_indentation(Document("file:///w/c.sh", text, language_id="sh"), 7) == ("  ", 0)
