"""How many columns a tab takes in a file indented with tabs, from its own aligned lines."""

from __future__ import annotations

import re
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


#: A comment ending a line (`int type;  /* always */`), left out to read its statement's end.
_COMMENT_AT_END = re.compile(r"[ \t]*(?:/\*.*\*/|//.*)$")


def eight_column_siblings(lines: list[str]) -> bool:
    """Whether statements one after another, one led by tabs alone and the next by spaces
    alone (or the other way), stand level with tabs of eight columns more often than of
    four (X11's xtestext1.h: `        int type;` over `\tDisplay *display;`): a statement
    ended by its `;` has the next at its level. Read as four, an answer's tab-led members
    went a level left of the others, to column 0, and the block was cut there."""
    votes = {4: 0, 8: 0}
    for above, line in pairwise(lines):
        lead, next_lead = _leading_ws(above), _leading_ws(line)
        if not _COMMENT_AT_END.sub("", above).endswith(";") or not line.strip() or line.lstrip()[0] in ")]}":
            continue
        spaces, tabs = (lead, next_lead) if lead[:1] == " " else (next_lead, lead)
        if not spaces or spaces.strip(" ") or not tabs or tabs.strip("\t"):
            continue
        for tab in votes:
            votes[tab] += len(spaces) == len(tabs) * tab
    return votes[8] > votes[4]


#: A comment ending a line of code (`Atom selection;\t\t/* Selection name`): its start.
_TRAILING_COMMENT = re.compile(r"\S[ \t]+(/\*|//)")


def comment_lines_aligned_by_tabs(lines: list[str], tab: int) -> set[str]:
    """The comment lines of their own in ``lines`` led by tabs alone that stand, with tabs of
    ``tab`` columns, where a comment ending a line of code above them does (Tk's tkSelect.h:
    `\t\t\t\t/* Next in list` under `struct TkSelectionInfo *nextPtr;`, in the column of the
    members' `Atom selection;\t\t/* Selection name`): alignment with those, no level."""
    columns: set[int] = set()
    aligned: set[str] = set()
    for line in lines:
        text = line.lstrip("\t")
        lead = len(line) - len(text)
        if lead and text.startswith(("/*", "//")) and lead * tab in columns:
            aligned.add(line)
        elif (m := _TRAILING_COMMENT.search(line)) is not None and not line.lstrip().startswith(("/*", "//", "*")):
            columns.add(len(line[: m.start(1)].expandtabs(tab)))
    return aligned
