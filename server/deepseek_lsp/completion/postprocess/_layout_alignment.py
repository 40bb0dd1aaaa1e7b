"""Lines aligned under what a layout opener starts on its line, no level: a YAML sequence
item's next keys under its first, two columns right of its ``- ``; a Haskell ``let``'s or
``where``'s next bindings under its first."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ._text import _leading_ws

if TYPE_CHECKING:
    from .context import PostContext

#: The language ids YAML goes by: VS Code's Docker Compose, GitHub Actions and Ansible files
#: have their own, and Neovim's compound filetypes (``yaml.docker-compose``, ``yaml.ansible``)
#: are their first part's.
YAML_LANGUAGES = frozenset("yaml dockercompose github-actions-workflow ansible".split())

#: What opens a layout on a line, up to where its first line's text starts (the column its
#: next lines align on): YAML's item dashes, at its start; Haskell's `let`, `where`, `do` or
#: `of` with text after it, anywhere in its code.
_LAYOUT_OPENERS = {
    "yaml": re.compile(r"(?:-[ ]+)+"),
    "haskell": re.compile(r"\b(?:let|where|do|of)[ ]+(?=\S)"),
}
#: A Haskell line's character literals, strings and comment, which open no layout: the `of` of
#: a `let`'s string (`let msg = "list of things"`) taken for one put the next binding right of
#: `msg`; the quote of `'"'` read as a string's hid the `do` after it. A name's prime
#: (`foldl'`, `x'`) opens no literal.
_HASKELL_TEXT = re.compile(r"""(?<![\w'])'(?:\\.|[^'\\\n])'|"(?:\\.|[^"\\])*"?|--.*""")


def _openers_ends(language: str, line: str) -> list[int]:
    """Where the text of each layout opened on ``line`` (its leading blanks stripped) starts."""
    if language == "yaml":
        m = _LAYOUT_OPENERS["yaml"].match(line)
        return [m.end()] if m else []
    code = _HASKELL_TEXT.sub(lambda m: " " * len(m.group()), line)
    return [m.end() for m in _LAYOUT_OPENERS[language].finditer(code)]


def is_yaml(language: str | None) -> bool:
    return (language or "").partition(".")[0] in YAML_LANGUAGES


def under_the_layout_openers(
    lines: list[str], out: list[str], step: int, ctx: PostContext
) -> list[str]:
    """``out``, the answer's ``lines`` re-levelled from the model's ``step`` into the document's
    unit, with the lines in a layout measured from the column its opener's text starts at,
    not from its line's. Scaled as levels from the line, ``published`` under ``- target: 80``
    (two-space answer, four-column editor) went two columns right of ``target``: no YAML
    ("mapping values are not allowed here"); ``c = b * 2`` under ``let b = 1`` four right of
    ``b``, read as its continuation: a parse error."""
    language = "yaml" if is_yaml(ctx.language) else ctx.language or ""
    if language not in _LAYOUT_OPENERS or step <= 0:
        return out

    def column(text: list[str], index: int) -> int | None:
        line = text[index]
        if index == 0:
            if ctx.line_prefix.strip():
                return None  # the answer goes on after text: its first line's column is no key's
            line = ctx.line_prefix + line
        return ctx.width(_leading_ws(line)) if line.strip() else None

    old = [column(lines, i) for i in range(len(lines))]
    new = [column(out, i) for i in range(len(out))]
    result = list(out)
    moved: set[int] = set()
    for index in range(1, len(lines)):
        at = old[index]
        if at is None:
            continue
        above = range(index - 1, -1, -1)
        parent = next((k for k in above if (c := old[k]) is not None and c < at), None)
        if parent is None:
            continue
        parent_old, parent_new = old[parent], new[parent]
        if parent_old is None or parent_new is None:
            continue
        # The last layout the line opens that the line is in (not the `of` of a `case` after
        # a `let`'s first binding, for its second).
        ends = _openers_ends(language, lines[parent].lstrip(" \t"))
        width = max((end for end in ends if at >= parent_old + end), default=0)
        if width:
            # In the layout: its first text's column is where its lines' levels count from.
            parent_old, parent_new = parent_old + width, parent_new + width
        elif parent not in moved:
            continue
        depth = at - parent_old
        if depth % step:
            continue
        new[index] = parent_new + depth // step * ctx.unit_width
        result[index] = " " * new[index] + lines[index].lstrip(" \t")
        moved.add(index)
    return result


#: A YAML line whose value is a block scalar (`run: |`, `- >-`, `body: |2 # a comment`).
_BLOCK_SCALAR = re.compile(r"(?:^[ \t]*-|:)[ \t]+[|>][-+1-9]{0,2}[ \t]*(?:#.*)?$")
#: A YAML line's item dashes, after its indentation (`- - run: |`).
_ITEM_DASHES = re.compile(r"[ \t]*((?:-[ \t]+)*)")


def _scalar_parent_column(line: str, ctx: PostContext) -> int:
    """The column a block scalar's text is deeper than, on its header ``line``: its key's
    (`run` of `- run: |`: the item's next key stands there), or a `- |` item's dash's."""
    m = _ITEM_DASHES.match(line)
    dashes = m.group(1) if m else ""
    key = line[len(_leading_ws(line)) + len(dashes) :][:1] not in ("|", ">")
    return ctx.width(_leading_ws(line)) + (len(dashes) if key else dashes.rfind("-"))


def block_scalars_moved_whole(lines: list[str], out: list[str], ctx: PostContext) -> list[str]:
    """``out``, the answer's ``lines`` re-levelled, with the lines of each YAML block scalar
    moved as its first was: their columns past it are the scalar's text (a script's body under
    its ``if``, a folded scalar's more-indented line). Re-levelled as keys, a two-space answer
    in a four-column file put them twice as far right: the scalar's value changed."""
    if not is_yaml(ctx.language):
        return out
    result = list(out)

    def column(text: list[str], index: int) -> int:
        line = ctx.line_prefix + text[0] if index == 0 else text[index]
        return ctx.width(_leading_ws(line))

    index = 0
    while index < len(lines):
        header = index
        index += 1
        if not _BLOCK_SCALAR.search(lines[header]):
            continue
        header_line = ctx.line_prefix + lines[0] if header == 0 else lines[header]
        body, deeper = [], _scalar_parent_column(header_line, ctx)
        while index < len(lines) and (not lines[index].strip() or column(lines, index) > deeper):
            if lines[index].strip():
                body.append(index)
            index += 1
        if body:
            first = body[0]
            moved = column(result, first) - column(lines, first)
            for line in body[1:]:
                result[line] = " " * max(0, column(lines, line) + moved) + lines[line].lstrip(" \t")
    return result


#: Stands for a tab after a line's leading spaces while a YAML answer is re-indented.
TAB_MARK = "\ue000"
#: After one space at least: a scalar's text is indented in spaces, and a tab from column 0 is
#: the model's indentation (``\tweb:``), made the file's spaces.
_TAB_AFTER_SPACES = re.compile(r"(?m)^( +)\t")


def text_tabs_marked(text: str) -> str:
    """``text`` with the tab after each line's leading spaces as :data:`TAB_MARK`: YAML indents
    in spaces, so that tab is a block scalar's text (a Makefile's recipe, a ``<<-`` heredoc's
    line). Read as indentation, it was re-levelled into spaces: make stopped there."""
    return _TAB_AFTER_SPACES.sub(lambda m: m.group(1) + TAB_MARK, text)
