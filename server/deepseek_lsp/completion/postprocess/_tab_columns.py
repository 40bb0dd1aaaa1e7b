"""How many columns a tab takes in a file indented with tabs, from its own aligned lines."""

from __future__ import annotations

from itertools import pairwise

from ._text import _argument_list_opened, _leading_ws


def eight_column_tabs(lines: list[str]) -> bool:
    """Whether the lines that go on with an argument list the line above opened
    (`\\txmlNanoHTTPFetch\\t(const char *URL,` over `\\t\\t\\t\\t const char *filename,`) stand
    under its first argument more often with tabs of eight columns than of four: the file's
    authors saw them so (read as four, an answer's argument went left of the parenthesis)."""
    votes = {4: 0, 8: 0}
    for above, line in pairwise(lines):
        opened = _argument_list_opened(above) if line.strip() and "\t" in above + _leading_ws(line) else None
        if opened is None:
            continue
        code, bracket = opened
        for tab in votes:
            if len(_leading_ws(line).expandtabs(tab)) == len(code[: bracket + 1].expandtabs(tab)):
                votes[tab] += 1
    return votes[8] > votes[4]
