"""The ``normalize_indentation`` filter: the answer put at the document's depth in its unit."""

from __future__ import annotations

import re
from dataclasses import replace
from functools import reduce
from itertools import islice, pairwise
from math import gcd
from typing import TYPE_CHECKING

from ._anchors import _OWN_STEPS, anchored, under_the_open_bracket
from ._block_comments import (
    _lines_in_block_comments,
    _under_the_comment_s_stars,
    _where_the_comment_s_lines_stand,
)
from ._brace_block import _body_rises, _into_the_brace_block
from ._braceless_body import _into_the_braceless_body
from ._brackets import _closable_brackets, _in_text, _inside_alignment_bracket
from ._closer_depth import block_indent_for_off_line
from ._closers import _closers_under_their_openers
from ._code import (
    _BRACELESS,
    _aligned_in_own_brackets,
    _docstrings,
    _goes_on_from,
    _is_label,
    _lines_in_parentheses,
    _lines_in_text_blocks,
    _open_before_each_line,
    _opens_text_over_lines,
    _starts_statement,
    _statement_start,
    backslash_joins,
    header_wrapped_above,
)
from ._comment_end import below_the_closed_comment
from ._comment_lines import under_the_comment_above
from ._docstring_text import in_the_docstring_s_column, the_answer_s_docstrings_under_their_quotes
from ._habit import in_the_habit_around, in_the_nearest_block_s_habit
from ._hanging_indent import into_the_hanging_bracket
from ._initializer_list import under_the_constructor
from ._items import under_the_item_above
from ._layout_alignment import (
    TAB_MARK,
    block_scalars_moved_whole,
    is_yaml,
    text_tabs_marked,
    under_the_layout_openers,
)
from ._macro_body import in_macro_body
from ._opened_body import into_the_opened_body
from ._python_blocks import fitted_to_the_blocks
from ._statement_end import under_the_statement_it_ends, under_the_whole_statement
from ._syntax import _syntax_for
from ._tab_columns import comment_lines_aligned_by_tabs, eight_column_siblings
from ._text import (
    _BRACE_LANGUAGES,
    _block_opening,
    _code_only,
    _iter_lines,
    _leading_ws,
    _opens_block,
    _shift_indent,
    _strip_covered_indent,
)

if TYPE_CHECKING:
    from .context import PostContext


def normalize_indentation(text: str, ctx: PostContext) -> str | None:
    """The answer re-indented (:func:`_reindented`), a block's first line no shallower than
    a level in from its header, the line after a whole statement (or after the line ending
    the statement the cursor is in) no deeper than it, a hanging indent right of its line, a
    C++ initializer list as far right of its header as the file's others, a docstring's text
    no left of its quotes, its lone closers no left of the lines that opened what they close,
    the lines of a comment the cursor is in under its own, all in the characters of the lines
    around the cursor."""
    if ctx.language in _MAKEFILES and "\t" not in ctx.indent_unit and "\t" in text:
        # A recipe's tab is make's own sign, no level: in a Makefile whose conditionals are
        # indented in spaces it was re-levelled into them, and make stopped there ("missing
        # separator"). What the model wrote stays.
        return text
    if ctx.language in _MAKEFILES and "\t" in ctx.indent_unit and _recipe_lines_alone(text):
        # After a recipe's tab the line is the shell's, aligned as its author wants (pyenv's
        # `\t        $${CI+-e CI=...} \`): read as levels of the tab's guessed four columns, it
        # went a tab deeper, eight columns right of the file's in Vim.
        return text
    if not ctx.single_line and in_macro_body(ctx.prefix, ctx.language):
        # A macro's body is aligned as its author wants (arguments under a call's `(`), no
        # levels: read as levels of a unit guessed from such lines, xmlsec's 24-column
        # arguments went to column 264. The model wrote it in the frame of the lines above.
        return text
    if "\t" in ctx.indent_unit and not ctx.tab_width and ctx.tab_size != 8 and eight_column_siblings(text.split("\n")):
        # The answer's statements in tabs and in eight spaces stand level (a file written so):
        # its tabs are of eight columns, where nothing near the cursor told their width.
        return normalize_indentation(text, replace(ctx, tab_width=8))
    if ctx.editor_levels and _in_levels_narrower_than_a_tab(text, *ctx.editor_levels):
        # Levels in spaces in a file of tab-led lines, in an editor whose levels are narrower
        # than its tab: the file's tabs are that editor's levels, several a tab. Read as a level
        # a tab, the model's four-space levels came a tab each, twice as deep (`\tcase` for
        # bzdiff's `    case`); an answer in tabs keeps a tab a level (kernel-style C).
        unit, tab_width = ctx.editor_levels
        return normalize_indentation(text, replace(ctx, indent_unit=unit, tab_width=tab_width, editor_levels=None))
    if in_the_nearest_block_s_habit(text, ctx):
        # A block's body in the file's other style, as its neighbour's is: the file's own.
        return text
    marked = text_tabs_marked(text) if "\t" in text and is_yaml(ctx.language) else text
    if marked != text and TAB_MARK not in text:
        # Only where a tab was marked: a tab in a line's text alone (``nginx\t# latest``) was
        # marked again at each call, up to a RecursionError, and the suggestion was lost.
        out = normalize_indentation(marked, ctx)
        return None if out is None else out.replace(TAB_MARK, "\t")
    answer, levelled = text, _reindented(text, ctx)
    text = (
        anchored(text, levelled, ctx)
        or under_the_open_bracket(text, levelled, ctx)
        or under_the_item_above(text, levelled, ctx)
        or under_the_comment_above(text, levelled, ctx)
        or levelled
    )
    lines = text.split("\n")
    body = (
        _into_the_braceless_body(lines, ctx)
        or into_the_opened_body(lines, ctx)
        or under_the_whole_statement(lines, ctx)
        or into_the_hanging_bracket(lines, ctx)
    )
    if body is not None:
        lines = body
    lines = under_the_statement_it_ends(lines, ctx) or lines
    lines = under_the_constructor(lines, ctx) or lines
    text = "\n".join(lines)
    text = in_the_docstring_s_column(fitted_to_the_blocks(text, ctx), ctx)
    text = the_answer_s_docstrings_under_their_quotes(text, ctx)
    text = below_the_closed_comment(answer, _under_the_comment_s_stars(text, ctx), ctx)
    return _aligned_comments_as_written(answer, in_the_habit_around(_closers_under_their_openers(text, ctx), ctx), ctx)


def _aligned_comments_as_written(answer: str, text: str, ctx: PostContext) -> str:
    """``text`` with the answer's comment lines aligned by tabs with its trailing comments (see
    comment_lines_aligned_by_tabs) as the model wrote them, in a file whose levels are spaces:
    read as levels of four-column tabs, Tk's `\t\t\t\t/* Next in list` went to 16 spaces, left
    of the comments it is aligned with."""
    if "\t" not in answer or "\t" in ctx.indent_unit:
        return text
    aligned = {line.strip(): line for line in comment_lines_aligned_by_tabs(answer.split("\n"), ctx.tab_width or 8)}
    if not aligned:
        return text
    return "\n".join(aligned.get(line.strip(), line) for line in text.split("\n"))


def _recipe_lines_alone(text: str) -> bool:
    """Whether each indented line after the answer's first is led by a tab (a recipe's line,
    or its continuation), none by spaces (a conditional's body, which is the file's level)."""
    lines = [line for line in text.split("\n")[1:] if line.strip()]
    return any(line[0] == "\t" for line in lines) and all(line[0] == "\t" or not line[0].isspace() for line in lines)


def _in_levels_narrower_than_a_tab(text: str, unit: str, tab_width: int) -> bool:
    """Whether a line of ``text`` is led by spaces alone, whole levels of ``unit`` narrower
    than a tab (a block comment's ` * ` lines and alignment after a tab are no such levels)."""
    level = len(unit)
    for line in text.split("\n"):
        ws = line[: len(line) - len(line.lstrip(" \t"))]
        if line.strip() and ws and "\t" not in ws and len(ws) < tab_width and len(ws) % level == 0:
            return True
    return False


def _reindented(text: str, ctx: PostContext) -> str:
    """Re-indent continuation lines written with another indent unit into the document's.

    Depths are taken relative to the cursor line's indentation, so a model that indents by two
    spaces (or tabs) in a four-space document still lands each line one level deeper than its
    parent. Indentation that is not a whole unit (alignment under an open parenthesis) is left
    alone.
    """
    lines = text.split("\n")
    first = _strip_retyped_indent(lines[0], ctx)
    if first != lines[0]:
        lines[0] = first
        text = "\n".join(lines)
    if len(lines) < 2:
        moved = _into_the_brace_block(lines, [], 0, set(), ctx)
        if moved is not None:
            step, ((_, ws, depth),) = moved
            return ctx.indent_unit * (depth // step) + text[len(ws) :]
        return _reindent_one_line(text, ctx)
    if not ctx.indent_known:
        return text  # nothing to re-indent into: a guessed unit rewrote gofmt's tabs as spaces
    base_ws = ctx.indentation
    if _opens_block(ctx.line_prefix + lines[0], ctx) and not _opens_text_over_lines(lines, ctx):
        # The end of a wrapped header: depths count from the statement's first line.
        start = _statement_start(ctx, lines[0])
        own_characters = all(c in ctx.indent_unit for line in lines[1:] for c in _leading_ws(line))
        above = ctx.previous_line or ""
        wrapped = (
            re.match(r"\w", (ctx.line_prefix + lines[0]).lstrip()) is not None  # not `{`, `? f() {`
            and _SIGNLESS_END.search(ctx.trailing_comment_re.sub("", above).rstrip()) is not None
            and _goes_on_from(above, start, ctx)
        )
        if own_characters and start == ctx.line_prefix and wrapped:
            # Wrapped where no bracket or sign tells (Java's `permits A, B {` below its class's
            # line): where the header, and so its body, starts is no sure thing. (Tabs in a
            # space file still become its levels.)
            return text
        # (Also on a line of its own going on with a header opened above, `f(a,` over the
        # cursor: the body is a level in from the header's first line, not from the cursor's.)
        wrapped_above = header_wrapped_above(ctx, lines[0]) is not None
        base_ws = _leading_ws(start) if ctx.line_prefix.strip() or wrapped_above else base_ws
    elif ctx.line_prefix.strip():
        # Typed at its block's closer's depth, the cursor's line is the one off: the
        # answer's lines are read from where the block's statements stand.
        base_ws = block_indent_for_off_line(ctx.width(base_ws), ctx) or base_ws
    base = ctx.width(base_ws)
    # (line index, written whitespace, depth in columns relative to the cursor line)
    written: list[tuple[int, str, int]] = []
    # A string's or heredoc's lines are text, indented as the text wants (and its closing
    # line, a heredoc's terminator, where the language wants it); the first line too when the
    # cursor is in one (a Go raw string's SQL lost its first line's indentation to a tab).
    in_text = _lines_in_text_blocks(lines, ctx)
    first_ws = _leading_ws(lines[0])
    if not ctx.line_prefix.strip() and lines[0].strip() and first_ws and not _closable_brackets(ctx)[1].mode:
        written.append((0, first_ws, ctx.width(first_ws)))
    # A block comment's ` * ` lines are aligned on its `/**`, a column right of it, no levels:
    # taken for some, they made a two-space answer's step one column. An answer all in the
    # comment the cursor is in, where the comment's own lines stand, is text (a line of prose
    # was moved a column; commented-out code in a step of its own is still re-levelled). Else
    # those of a
    # comment the cursor is in stay in: they are _under_the_comment_s_stars' business, and
    # tell the answer's own step, in tabs or a unit of its own; so do a comment's lines of
    # prose.
    comments = _lines_in_block_comments(lines, ctx)
    if (
        len(comments) < len(lines) - 1
        or any(opener >= 0 for opener in comments.values())
        or not _where_the_comment_s_lines_stand(lines[1:], ctx)
    ):
        comments = {
            index: opener
            for index, opener in comments.items()
            if opener >= 0 and lines[index].lstrip(" \t").startswith("*")
        }
    # A line below a backslash goes on with its statement, as deep as its author aligns it
    # (ucf's `    find ... | \\` over `      (cd ...)`): no level, and read as one of two
    # columns it told the answer's step and went two columns right. Not below a comment's
    # `D:\\`: that line is the next statement, in the file's levels.
    joined = {
        index for index in range(1, len(lines))
        if (above := (ctx.line_prefix + lines[0] if index == 1 else lines[index - 1]).rstrip()).endswith("\\")
        and backslash_joins(above, ctx.language)
    }
    for index, line in enumerate(lines[1:], 1):
        if line.strip() and index not in in_text and index not in comments and index not in joined:
            ws = _leading_ws(line)
            written.append((index, ws, ctx.width(ws) - base))
    brace_frame = _into_the_brace_block(lines, written, base, in_text, ctx)
    if not written and not brace_frame:
        return text
    # In a file that mixes tabs and spaces, tabs are its own (eight columns), not foreign.
    foreign = any(c not in ctx.indent_unit and not (c == "\t" and ctx.tab_width) for _, ws, _ in written for c in ws)
    if (
        not brace_frame
        and not foreign
        and not ctx.line_prefix
        and written[0][0] == 0
        and _in_the_file_s_levels(lines, written, ctx)
    ):
        return text
    own_frame = (
        brace_frame
        or _past_a_statement(lines, written, ctx)
        or _in_own_frame(lines, written, base, ctx)
        or _body_levels_too_deep(lines, written, base, ctx)
    )
    own_step, written = own_frame or (0, written)
    unit = ctx.unit_width
    levelled = written
    inside: dict[int, int] = {}
    tab_step = own_step or _tab_step(written, ctx)
    while True:
        depths = [depth for _, _, depth in levelled]
        if tab_step:
            step = tab_step
            if any(depth % step for depth in depths):
                inside = _lines_in_parentheses(lines, ctx)
            break
        step = reduce(gcd, (abs(d) for d in depths), 0) or unit
        if step == unit and not foreign and not own_frame:
            return text
        smallest = min((abs(d) for d in depths if d), default=step)
        if not inside and step < unit and (wider := _step_outside_parentheses(lines, levelled, ctx)):
            # Only lines aligned in the answer's own parentheses (`elif (a and` over a line at
            # column 18 of a four-space file) make the step narrower than the file's: they are
            # alignment, and the lines outside in whole levels tell the step (read as levels
            # of two, a right `elif` below went a level out).
            inside, levelled = wider
            continue
        if step in (2, 3, 4, 8, unit) and smallest == step:
            break
        if inside:
            return text
        # A line aligned under a parenthesis the completion opened (a hanging argument) is no
        # level, and one such line left the whole answer as written (tabs in a space file: a
        # TabError): the lines outside give the step, and the aligned ones move with the line
        # that opened their parenthesis.
        inside = _lines_in_parentheses(lines, ctx)
        levelled = [w for w in written if w[0] not in inside]
        if not inside or not levelled or len(levelled) == len(written):
            return text
    if (
        step < unit
        and not foreign
        and not own_frame
        and _arguments_of_the_cursor_s_bracket(lines, written, ctx)
        and _prompt_hangs_by(step, ctx)
    ):
        # Arguments right of the line that opens their parenthesis, as far as the file's own
        # go on (`dispatchEvent(` over `  webView,`): the file's hanging indent, not a narrower
        # unit's levels. Read as levels of two, they went a four-space level in, where the
        # file has none.
        return text
    # Lines in parentheses at whole levels (a hanging indent, a callback's body) are levels;
    # but one going on in the prompt's parenthesis or bracket left of a cursor line deeper in
    # it (a dict's next entry after a value's continuation line) is where the model put it,
    # in the file's characters: read as levels out of the cursor's, it went to column 0.
    in_prompt_s = _lines_in_parentheses(lines, ctx) if _inside_alignment_bracket(ctx) else {}
    kept = {index for index, ws, depth in written if _back_in_the_prompt_s_bracket(index, ws, depth, in_prompt_s, ctx)}
    aligned = {
        index: in_prompt_s.get(index, inside.get(index, 0))
        for index, _, depth in written
        # (with the lines of brackets a kept line opens: its value's continuation lines)
        if (index in inside and depth % step) or index in kept or in_prompt_s.get(index) in kept - {0}
    }
    levelled = [w for w in written if w[0] not in aligned]
    if (
        not foreign
        and not own_frame
        and step % unit == 0
        and len({abs(d) for d in depths if d}) < 2
        and not _body_one_step_deeper(lines, levelled, step, ctx)
    ):
        # One depth, a whole number of the document's units: a double indent (a continuation
        # line under `return (`) is the file's own style, not evidence of a wider unit.
        return text
    base_levels = base // unit
    out = list(lines)
    for index, ws, depth in levelled:
        if _make_reads(lines[index][len(ws) :], ws, ctx):
            continue
        levels = depth // step
        if index == 0:
            indent = ctx.indent_unit * levels
        elif levels >= 0:
            indent = base_ws + ctx.indent_unit * levels
        else:
            indent = ctx.indent_unit * max(0, base_levels + levels)
        out[index] = indent + lines[index][len(ws) :]
    for index, parent in aligned.items():
        out[index] = _realign(index, parent, lines, out, ctx)
    for opener, block in _docstrings(lines, in_text, ctx):
        # Moved with its opening quotes (cleandoc reads it the same): left as written, its
        # lines stood deeper than the code it documents.
        moved = ctx.width(_leading_ws(out[opener])) - ctx.width(_leading_ws(lines[opener]))
        for index in block:
            out[index] = _shift_indent(lines[index], max(moved, -ctx.width(_leading_ws(lines[index]))), ctx)
    for index, opener in comments.items():
        if opener < 0:
            continue  # the prompt's comment: left as written
        # Moved with the line that opens the comment, as the docstrings.
        moved = ctx.width(_leading_ws(out[opener])) - ctx.width(_leading_ws(lines[opener]))
        out[index] = _shift_indent(lines[index], max(moved, -ctx.width(_leading_ws(lines[index]))), ctx)
    out = under_the_layout_openers(lines, out, step, ctx)
    return "\n".join(block_scalars_moved_whole(lines, out, ctx))


def _arguments_of_the_cursor_s_bracket(lines: list[str], written: list[tuple[int, str, int]], ctx: PostContext) -> bool:
    """Whether the answer starts on the line below a parenthesis or square bracket the
    cursor's line ends with, and every line it writes starts inside that bracket (none past
    its closer), right of the cursor's line."""
    if lines[0].strip() or not _inside_alignment_bracket(ctx):
        return False
    if not _code_only(ctx.line_prefix).rstrip().endswith(("(", "[")):
        return False
    open_at_start = len(ctx.brackets_after_prefix[4])
    still_open = {index: len(prompt_s) for index, _, _, prompt_s in _open_before_each_line(lines, ctx)}
    return all(depth > 0 and still_open[index] >= open_at_start for index, _, depth in written if index)


#: Lines of the prompt above the cursor's read for the file's hanging indent.
_HANGING_LINES = 60


def _prompt_hangs_by(step: int, ctx: PostContext) -> bool:
    """Whether a line of the prompt near the cursor's that ends with a parenthesis or square
    bracket has the line below it ``step`` columns right of it: the file's own hanging indent."""
    above = ctx.prefix.rsplit("\n", _HANGING_LINES)[:-1]
    return any(
        _code_only(line).rstrip().endswith(("(", "["))
        and below.strip()
        and ctx.width(_leading_ws(below)) - ctx.width(_leading_ws(line)) == step
        for line, below in pairwise(above)
    )


def _step_outside_parentheses(
    lines: list[str], written: list[tuple[int, str, int]], ctx: PostContext
) -> tuple[dict[int, int], list[tuple[int, str, int]]] | None:
    """The lines in the answer's own parentheses and the others, where those of them off the
    file's levels stand right after a bracket open above them and the others in whole levels
    of the file's unit, one of them off the cursor's (None: no such evidence). A two-space
    answer's hanging indent (`tests = (` over `  TestInfo(`) is a level of it."""
    inside = _lines_in_parentheses(lines, ctx)
    outside = [w for w in written if w[0] not in inside]
    off_levels = {i for i, _, depth in written if i in inside and depth % ctx.unit_width}
    if len(outside) == len(written) or not off_levels <= _aligned_in_own_brackets(lines, ctx):
        return None
    step = reduce(gcd, (abs(depth) for _, _, depth in outside), 0)
    return (inside, outside) if step and step % ctx.unit_width == 0 else None


#: How a line ends that a header wrapped without a sign goes on from: a name, a type's `>`,
#: a parameter list's `)` (`class A implements B` above `    permits C {`).
_SIGNLESS_END = re.compile(r"[\w)\]>]$")


def _in_own_frame(
    lines: list[str], written: list[tuple[int, str, int]], base: int, ctx: PostContext
) -> tuple[int, list[tuple[int, str, int]]] | None:
    """The step and depths of an answer indented with spaces in a step of its own, read as its
    whole indentation from column 0 (the cursor's level ``step`` columns a level), where the
    line below the first is where it goes read so and not read as levels under the cursor
    line's own indentation (None: read as written). Two-space lines under a cursor two tabs
    (eight columns) in were all taken for levels out of the block and went in at column 0, a
    Python function's last lines out of it; two-space lines in a four-space file too."""
    if any(ws.strip(" ") for _, ws, _ in written):
        return None  # tabs: not spaces alone
    if written[0][0] == 0:
        return _whole_indentation_frame(lines, written, ctx) or _wider_from_column_0(lines, written, ctx)
    step = reduce(gcd, (len(ws) for _, ws, _ in written), 0)
    levels, rest = divmod(base, ctx.unit_width)
    if rest:
        return None
    first = ctx.trailing_comment_re.sub("", ctx.line_prefix + lines[0]).rstrip()
    if first.endswith(("(", "[")):
        return None  # the line below is alignment or a hanging indent, no level
    index, ws, depth = written[0]
    # The next line is a level out when it closes a bracket, one in below a line opening a
    # block, else a statement at the cursor's level.
    body = lines[index].lstrip()
    opens = (_opens_block(first, ctx) or _BRACELESS.match(first.strip())) and not _opens_text_over_lines(lines, ctx)
    expected = -1 if body[:1] in ")]}" else 1 if opens else 0
    as_written = reduce(gcd, (abs(d) for _, _, d in written), 0)
    if expected or depth <= 0:
        if depth >= 0 if not expected else (depth == expected * as_written and as_written in _OWN_STEPS):
            return None  # where it goes as written
    elif not _statement_below_the_cursor(lines, index, ctx):
        return None  # a continuation line, deeper as the file's style wants
    label = expected == 1 and _is_label(body, ctx)
    steps = [step] if step in _OWN_STEPS else []
    if not expected and depth > 0:
        # Deeper than a statement it does not go on with: a wider step than the file's, where
        # the line is at the cursor's depth (eight columns a tab, a level: read as the file's
        # own, every line went a level deeper, or stayed in spaces in a tab-indented file).
        # Lines aligned in brackets are no levels of it.
        inside = _lines_in_parentheses(lines, ctx)
        own = len(ws) // levels if levels else 0
        if own in _OWN_STEPS and not any(len(w) % own for i, w, _ in written if i not in inside):
            steps.append(own)
    if expected == 1 and not label:
        # A body no deeper than its header is in a narrower step than the widths' divisor:
        # four spaces under `\tdef f(self):` are two levels of two, the tab one of them (read
        # as one level of four, the body was not deeper than the header and was dropped).
        # Not where the answer's own headers put their bodies further in than that step: a
        # model writes each body one of its levels in, so `    if a:` over `        b` is one
        # level of four too shallow (read as levels of two, `b` went two levels in).
        rises = set(_body_rises(lines, written, _lines_in_parentheses(lines, ctx), ctx, braces=False))
        steps += [
            own
            for own in sorted(_OWN_STEPS, reverse=True)
            if own < step and step % own == 0 and rises <= {own}
        ]
    # A switch's label may stay at the switch's depth (gofmt's `case`).
    targets = (1, 0) if label else (expected,)
    fits = (own for own in steps if own * levels != base and len(ws) - own * levels in (t * own for t in targets))
    own = next(fits, 0)
    if not own or index in _lines_in_parentheses(lines, ctx):
        return None
    return own, [(i, w, len(w) - own * levels) for i, w, _ in written]


def _statement_below_the_cursor(lines: list[str], index: int, ctx: PostContext) -> bool:
    """Whether the answer's line ``index``, the first below the cursor line with code, starts a
    statement of its own after the one the cursor line ends (not text: the cursor in a
    docstring, its lines were read as code)."""
    if _in_text(ctx) or any(line.strip() for line in lines[1:index]):
        return False
    return _starts_statement(ctx.line_prefix + lines[0], lines[index].lstrip(), ctx)


def _past_a_statement(
    lines: list[str], written: list[tuple[int, str, int]], ctx: PostContext
) -> tuple[int, list[tuple[int, str, int]]] | None:
    """The step and depths of an answer whose lines, below a whole statement (Enter after it),
    stand a narrower step than the file's deeper than it: the model's own level (two spaces in
    a four-space or tab-indented file) or a misplaced continuation, and either way the same
    block, at the cursor's depth (lines back at it or out are in the file's levels). They
    went in a whole level deeper: an IndentationError (unexpected indent), a Go block a tab
    off."""
    index, _, depth = written[0]
    unit = ctx.unit_width
    if not index or depth not in _OWN_STEPS or depth >= unit:
        return None
    if not _statement_below_the_cursor(lines, index, ctx):
        return None
    inside = _lines_in_parentheses(lines, ctx)
    outside = [d for i, _, d in written if i not in inside]
    if index in inside or any(0 < d < depth or (d <= 0 and d % unit) for d in outside):
        return None
    step = reduce(gcd, (d - depth for d in outside if d > 0), 0) or unit
    if step not in _OWN_STEPS and step != unit:
        return None
    # The lines out of the block go out by the same levels in the answer's step.
    moved = [(i, ws, d - depth if d > 0 else d if i in inside else d // unit * step) for i, ws, d in written]
    return step, moved


def _whole_indentation_frame(
    lines: list[str], written: list[tuple[int, str, int]], ctx: PostContext
) -> tuple[int, list[tuple[int, str, int]]] | None:
    """The step of an answer in spaces written from column 0 of a blank line (the editor
    strips its indentation) in a tab-indented file, its lines at their whole indentation: the
    step of a line deeper than the one above it; else, with no line going in, the document's
    columns of a tab where they put the first line where the line above allows it, or the
    step that puts it there (one level in under a block opener). Read from the widths alone,
    four-space lines two levels in and deeper were left as spaces (a TabError), lines all two
    levels in made one level of eight (a method's body went in as deep as its `def`), and
    two-space lines went in at half their depth. None: read by the widths (no step tells)."""
    if "\t" not in ctx.indent_unit or ctx.tab_width or ctx.line_prefix:
        return None
    inside = _lines_in_parentheses(lines, ctx)
    widths = [len(ws) for i, ws, _ in written if i not in inside]
    whole = reduce(gcd, (len(ws) for _, ws, _ in written), 0)
    if whole % 2:  # alignment under a bracket (an odd column): the levels outside tell the step
        whole = reduce(gcd, widths, 0)
    steps = [step for step in (8, 4, 2) if whole and whole % step == 0]
    # A line deeper than the one before it is one level in (outside brackets, where it may be
    # alignment): the answer's own step, if it has one.
    rise = min((b - a for a, b in pairwise(widths) if b > a), default=0)
    if rise in steps:
        return rise, written
    above = ctx.previous_line
    # A bracket left open is a level in too: a hanging indent (gofmt's arguments).
    opens = above is not None and (_opens_block(above, ctx) or _BRACELESS.match(above.strip()) is not None)
    expected = (ctx.width(_leading_ws(above)) // ctx.unit_width if above is not None else 0) + int(opens)
    body = lines[0].lstrip()
    if body[:1] in ")]}":
        expected -= 1
    first, unit = len(written[0][1]), ctx.unit_width
    level = first // unit
    # The first line is where the line above allows it: as deep, or out of its block; under an
    # opener one level in (a label may stay at the switch's: gofmt's `case`).
    allowed = {expected - 1, expected} if _is_label(body, ctx) else {expected}
    if unit in steps and (level in allowed or (level < expected and not opens)):
        return unit, written
    # Else the step that puts it there: a narrower one, or a wider one (eight columns a tab,
    # as terminals show gofmt's) where a deeper line is no continuation of the line above
    # (nor C's body of an `if` without braces): under an opener, a closer, or a statement
    # below a whole one.
    closes = body[:1] in ")]}"
    wider = opens or closes or (above is not None and _starts_statement(above, body, ctx))
    candidates = steps if wider else [step for step in steps if step < unit]
    step = next((step for step in candidates if first == step * expected), 0)
    if not step and not opens:
        step = next((step for step in candidates if step < unit and first <= step * expected), 0)
    return (step, written) if step else None


def _in_the_file_s_levels(lines: list[str], written: list[tuple[int, str, int]], ctx: PostContext) -> bool:
    """Whether an answer written from column 0 of a blank line in the file's own characters
    stands in whole levels of the file's unit, its first line where the line above allows (as
    deep, or out of its block; one level in under an opener): the file's own levels. Their
    common divisor was taken for the model's unit: a block's body two levels in and the
    line out of it one level in (16 and 8 columns, a step of 8) went in at half their depth,
    `return` out of its `if`."""
    above, unit = ctx.previous_line, ctx.unit_width
    if above is None or _inside_alignment_bracket(ctx):
        return False  # the first line aligned in a bracket: no level tells
    inside = _lines_in_parentheses(lines, ctx)
    widths = [depth for i, _, depth in written if i not in inside]
    # A block's body one level in from its header: two levels in, the lines are in a wider step.
    if any(depth % unit for depth in widths) or any(b - a != unit for a, b in pairwise(widths) if b > a):
        return False
    body = lines[0].lstrip()
    opens = _opens_block(above, ctx) or _BRACELESS.match(above.strip()) is not None
    expected = ctx.width(_leading_ws(above)) // unit + int(opens) - int(body[:1] in ")]}")
    level = written[0][2] // unit
    allowed = {expected - 1, expected} if _is_label(body, ctx) else {expected}
    return level in allowed or (level < expected and not opens)


def _wider_from_column_0(
    lines: list[str], written: list[tuple[int, str, int]], ctx: PostContext
) -> tuple[int, list[tuple[int, str, int]]] | None:
    """The step of an answer written from column 0 of a blank line in a space-indented file
    in levels wider than the file's (eight columns under four), read so only where the file's
    own levels put its first line deeper than the line above allows: as deep as that line,
    one level in under an opener, one out for a closer. Read as the file's, sixteen spaces
    two levels in stayed sixteen, an IndentationError (unexpected indent)."""
    above = ctx.previous_line
    if "\t" in ctx.indent_unit or ctx.tab_width or ctx.line_prefix or above is None:
        return None
    if _inside_alignment_bracket(ctx):
        return None  # a list's items or a hanging indent: as deep as the file's style wants
    unit, body, first = ctx.unit_width, lines[0].lstrip(), len(written[0][1])
    opens = _opens_block(above, ctx) or _BRACELESS.match(above.strip()) is not None
    closes = body[:1] in ")]}"
    expected = ctx.width(_leading_ws(above)) // unit + int(opens) - int(closes)
    if expected <= 0 or first <= unit * expected or first % expected:
        return None
    if not (opens or closes or _starts_statement(above, body, ctx)):
        return None  # a line going on with the one above: deeper as the file's style wants
    own = first // expected
    inside = _lines_in_parentheses(lines, ctx)
    if own not in _OWN_STEPS or any(len(ws) % own for i, ws, _ in written if i not in inside):
        return None
    return own, written


def _tab_step(written: list[tuple[int, str, int]], ctx: PostContext) -> int | None:
    """The step of an answer indented with tabs only in a file indented with spaces: one tab,
    one level, whatever depths the lines take. From column 0 the depths are whole
    indentations, two tabs or more for every line of a method's body, which the step read
    from the depths took for one level (or gave up on, leaving tabs in a space file)."""
    if "\t" in ctx.indent_unit or ctx.tab_width:
        return None
    step = ctx.tab_size
    if any(ws.strip("\t") or depth % step for _, ws, depth in written):
        return None
    return step if any(ws for _, ws, _ in written) else None


def _body_one_step_deeper(
    lines: list[str], levelled: list[tuple[int, str, int]], step: int, ctx: PostContext
) -> bool:
    """Whether a line ``step`` columns deeper than the line before it is that line's block
    body (`def put(x):` / `put(x) {` above it): then ``step`` is the model's indent unit, not
    a double indent (a method written with four spaces in a two-space file kept its body four
    columns in)."""
    depth_of = {index: depth for index, _, depth in levelled}
    depth_of.setdefault(0, 0)  # the first line is at the cursor
    inside = _lines_in_parentheses(lines, ctx)
    for index, _, depth in levelled:
        if depth <= 0 or index in inside:
            continue
        above = next((j for j in range(index - 1, -1, -1) if lines[j].strip()), None)
        if above is None and ctx.line_prefix.strip() and step != ctx.unit_width:
            # Enter after the cursor line: its `{` or `:` opens the block (eight columns under
            # `def f():` in a four-space file are one level of eight, never a body two deep).
            above = 0
        if above is None or depth_of.get(above) != depth - step:
            continue
        code = ctx.trailing_comment_re.sub("", lines[above] if above else ctx.line_prefix + lines[0]).rstrip()
        if _block_opening(code, ctx) and not code.endswith(("(", "[")):
            return True
    return False


#: Languages whose block bodies a double indent never starts (a YAML key's children may
#: stand as deep as the file's style wants).
_CODE_BLOCKS = _BRACE_LANGUAGES | {"python"}


def _body_levels_too_deep(
    lines: list[str], written: list[tuple[int, str, int]], base: int, ctx: PostContext
) -> tuple[int, list[tuple[int, str, int]]] | None:
    """The step and depths of a block's body written below the cursor line that opens it (`:`,
    `{`) whole levels of its own step too deep, none of its lines left of its first: two
    levels of four under `def f():`, its nested lines four deeper again. In its step the
    body goes one level in (left as written, it stood a level deeper than the file's, and a
    line the user wrote below at the file's depth was an IndentationError, "unindent does
    not match"). Its `}` keeps its place; a body at one depth is one level of a wider step
    (:func:`_body_one_step_deeper`)."""
    index, _, first = written[0]
    if (ctx.language or "").lower() not in _CODE_BLOCKS or not ctx.line_prefix.strip():
        return None
    if _inside_alignment_bracket(ctx):
        return None  # `key=lambda x:`, a slice's `[1:`: no block's body below
    if any(line.strip() for line in lines[:index]) or not index:
        return None
    code = ctx.trailing_comment_re.sub("", ctx.line_prefix).rstrip()
    if not code.endswith(("{", ":")) or (code.endswith("{") and not _syntax_for(ctx.language).brace_blocks):
        return None
    inside = _lines_in_parentheses(lines, ctx)
    outside = [(i, depth) for i, _, depth in written if i not in inside]
    if any(depth < first and lines[i].lstrip()[:1] not in ")]}" for i, depth in outside):
        return None
    step = reduce(gcd, (depth - first for _, depth in outside if depth > first), 0)
    levels, rest = divmod(first, step) if step in _OWN_STEPS else (0, 1)
    if rest or levels < 2:
        return None
    shift = (levels - 1) * step
    return step, [(i, ws, depth - shift if depth >= first else depth) for i, ws, depth in written]


def _back_in_the_prompt_s_bracket(
    index: int, ws: str, depth: int, in_prompt_s: dict[int, int], ctx: PostContext
) -> bool:
    """Whether the answer's line ``index`` (``depth`` columns right of the cursor line) goes on
    in the prompt's parenthesis or bracket from the cursor line, left of it, written in the
    file's characters."""
    return (
        in_prompt_s.get(index, -1) == 0
        and depth < 0
        and bool(ctx.line_prefix.strip())
        and all(c in ctx.indent_unit for c in ws)
    )


def _realign(index: int, parent: int, lines: list[str], out: list[str], ctx: PostContext) -> str:
    """An aligned line at the same distance from its bracket's line as written, in spaces after
    that line's new indentation (tabs for levels, spaces for alignment, as gofmt does)."""
    ws = _leading_ws(lines[index])
    if parent == 0:
        if ctx.line_prefix.strip():
            old_ws = new_ws = ctx.indentation
        else:  # the first line's indentation adds to the blank cursor line's
            old_ws = ctx.line_prefix + _leading_ws(lines[0])
            new_ws = ctx.line_prefix + _leading_ws(out[0])
    else:
        old_ws, new_ws = _leading_ws(lines[parent]), _leading_ws(out[parent])
    offset = ctx.width(ws) - ctx.width(old_ws)
    if offset < 0:
        return lines[index]
    return new_ws + " " * offset + lines[index][len(ws) :]


#: A YAML list item's dash and the blanks after it, up to its content, a mapping's first key
#: (`    - name: x`; not a scalar's `- apple`, a flow collection's `- {a: 1}`, a list's `- - a`).
_YAML_ITEM = re.compile(r"[ \t]*-[ \t]+(?=[^\s\[{#-][^#]*?:(?:[ \t]|$))")
#: A line that is a list's next item (`- banana`), which stands at its dash's column.
_YAML_NEXT_ITEM = re.compile(r"[ \t]*-(?:[ \t]|$)")


def _strip_retyped_indent(first: str, ctx: PostContext) -> str:
    """The completion's first line without the indentation of the (blank, indented) cursor line
    that the model wrote again: `    count = 0` after the cursor on `    |` went in eight deep
    (an IndentationError), and the scope limit cut a block's later lines as outside it. Only
    where the line would sit deeper than the line above allows (one level more after a block
    opener); a line led by a newline is trim's business, one at column 0 _reindent_one_line's."""
    cursor = ctx.line_prefix
    ws = _leading_ws(first)
    if not cursor or cursor.strip() or not ws or not first.strip():
        return first
    above = ctx.previous_line
    if above is None or _closable_brackets(ctx)[1].mode:  # in a string, its own text
        return first
    comment = _syntax_for(ctx.language).line_comments
    if (
        _inside_alignment_bracket(ctx)
        or above.rstrip().endswith("\\")
        or (above.lstrip().startswith(comment) and first.lstrip().startswith(comment))
    ):
        # Inside parentheses or brackets, after a backslash continuation, or for a comment
        # going on under a comment, a line goes as deep as it aligns (under the first item,
        # a hanging indent, the comment's text), and a correct answer is never to be moved:
        # the strip pulled such lines back (2,043 of 29,847 right answers on the standard
        # library's autoindented lines). Code under a comment is stripped as anywhere.
        return first
    next_item = _YAML_NEXT_ITEM.match(first)
    item = _YAML_ITEM.match(above) if is_yaml(ctx.language) and not next_item else None
    # A YAML list item's keys stand under its first one, right of the dash (`- name: x`); its
    # next item at the dash's column (two spaces written again before `- b` took it right).
    start = item.group() if item else _leading_ws(above)
    deepest = ctx.width(start) + (ctx.unit_width if _opens_block(above, ctx) else 0)
    if ctx.width(cursor) + ctx.width(ws) <= deepest:
        return first
    return _strip_covered_indent(first, ctx)


def _reindent_one_line(text: str, ctx: PostContext) -> str:
    """A one-line completion at column 0 written in the other indent style, re-indented.

    Editors strip a blank line's indentation, so a click into a function body leaves the
    cursor at column 0 and the model writes the line's whole indentation: spaces in a
    tab-indented file (or a tab in a space-indented one) went in as written, an IndentationError
    or TabError in Python. Whole levels only; anything else is alignment and stays.
    """
    ws = _leading_ws(text)
    # Only in code, not inside a string or comment the line continues.
    if ctx.line_prefix or not ws or not text.strip() or _closable_brackets(ctx)[1].mode:
        return text
    if all(c in ctx.indent_unit for c in ws):
        # The file's own characters, maybe in a wider step (eight columns a level under four).
        frame = _wider_from_column_0([text], [(0, ws, len(ws))], ctx)
        return ctx.indent_unit * (len(ws) // frame[0]) + text[len(ws) :] if frame else text
    # Only where the lines around show the document's own style (the indent unit falls back to
    # four spaces without any: a Makefile recipe's tab became spaces).
    if "\t" in ws:
        # Tabs into spaces only where lines around are indented with spaces and none with a
        # tab: the unit is four spaces by default, with no indented line to go by.
        lines = [*ctx.recent_lines(20), *islice(_iter_lines(ctx.suffix), 20)]
        starts = {_leading_ws(line)[:1] for line in lines if line.strip()}
        if " " not in starts or "\t" in starts:
            return text
    # Spaces into tabs: a tab unit is only ever found on a line indented with one (alignment
    # spaces under a hanging parenthesis are no sign of a space-indented file), each level in
    # the answer's own step (two-space levels went in at half their depth).
    if _make_reads(text[len(ws) :], ws, ctx):
        return text
    frame = None if "\t" in ws else _whole_indentation_frame([text], [(0, ws, len(ws))], ctx)
    if frame is not None:
        return ctx.indent_unit * (len(ws) // frame[0]) + text[len(ws) :]
    levels, rest = divmod(ctx.width(ws), ctx.unit_width)
    return ctx.indent_unit * levels + text[len(ws) :] if not rest else text


#: A line of a Makefile that make reads itself (a variable's assignment, a conditional, an
#: include), where no recipe line runs in the shell. Not `NAME=value`: a recipe's command may
#: start so (`CGO_ENABLED=0 go build`), a make assignment without blanks rarely does.
_MAKE_LINE = re.compile(
    r"(?:[\w.$(){}-]+(?:\s*(?:::|[:+?!])=|\s+=)|(?:ifn?eq|ifn?def|else|endif|-?include|sinclude|"
    r"(?:un)?export|override|define|endef|vpath)\b)"
)


_MAKEFILES = frozenset({"makefile", "make"})


def _make_reads(code: str, ws: str, ctx: PostContext) -> bool:
    """Whether ``code``, written after the spaces ``ws`` in a Makefile, is a line make reads
    itself: it keeps its spaces. Led by a tab after a rule, make takes it for a recipe line
    and runs it in the shell (`CFLAGS += -g` in an `ifeq` went in a tab deep: "CFLAGS:
    command not found"; before any rule, "recipe commences before first target")."""
    return ctx.language in _MAKEFILES and "\t" not in ws and _MAKE_LINE.match(code) is not None
