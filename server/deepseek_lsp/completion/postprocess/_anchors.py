"""Lines whose column the code around them tells for sure, whatever the model wrote: a shell
`fi`, `done`, `esac`, `then`, `do` under what they close or go on with, a `case` arm's pattern,
its commands and its `;;` where the file puts them, a switch's `case`/`default` labels and the statements
of its arms. The answer's other lines keep their place relative to the last such line, in the
model's own step turned into the file's levels."""

from __future__ import annotations

import re
from collections import Counter
from functools import reduce
from itertools import pairwise
from math import gcd
from typing import TYPE_CHECKING, Protocol

from ._brackets import (
    _closable_brackets,
    _in_text,
    _innermost_opened_at,
    _statement_line_start,
    _syntax_for,
)
from ._code import _BRACELESS, _GOES_ON_START, _lines_in_text_blocks
from ._text import (
    _CONTINUATION,
    _LABEL,
    _SHELL_ARM,
    _STRING_LITERAL,
    _SWITCH_LANGUAGES,
    _TRAILING_COMMENT,
    _code_only,
    _leading_ws,
)

if TYPE_CHECKING:
    from .context import PostContext


#: The widths of a level an answer written in a step of its own may have.
_OWN_STEPS = (2, 3, 4, 8)


class _Structure(Protocol):
    def target(self, code: str, written: int) -> int | None:
        """The column a line of ``code`` written at ``written`` columns must start at, here;
        None: no sure thing."""

    def feed(self, code: str, width: int) -> None:
        """Takes in a line of ``code`` placed at ``width`` columns."""

    def cursor_line(self, code: str, width: int) -> None:
        """Takes in the cursor line's ``code`` (the prompt's, at ``width`` columns)."""


def anchored(text: str, before: str, ctx: PostContext) -> str | None:
    """``text`` with its anchored lines at their columns and the lines after each kept where
    the model put them relative to it; the lines above the first anchor as ``before`` (the
    answer re-indented by levels) has them. None: no line of the answer is anchored."""
    if not ctx.indent_known or _in_text(ctx):
        return None  # a guessed unit, or the cursor in a string or a block comment
    structure = _shell_structure(ctx) or _switch_structure(ctx)
    if structure is None:
        return None
    lines, earlier = text.split("\n"), before.split("\n")
    if len(lines) != len(earlier):
        return None
    return _relevel(lines, earlier, structure, ctx)


def _written_width(index: int, line: str, ctx: PostContext) -> int:
    """The column the answer's line starts at as written (the first adds to a blank cursor line's)."""
    width = ctx.width(_leading_ws(line))
    return width + ctx.width(ctx.line_prefix) if index == 0 else width


def _relevel(lines: list[str], earlier: list[str], structure: _Structure, ctx: PostContext) -> str | None:
    """The answer with each line ``structure`` anchors at its column, the lines after it as far
    from it as written in the model's levels (the file's levels of them), lines of text as
    written; None: no line anchored."""
    skip = _lines_in_text_blocks(lines, ctx)
    cursor_has_code = bool(ctx.line_prefix.strip())
    common = _common_step(lines, skip, ctx)
    unit = step = ctx.unit_width
    anchor: tuple[int, int] | None = None  # (written, placed) columns of the last anchored line
    out: list[str] = []
    for index, line in enumerate(lines):
        if index == 0 and ctx.line_prefix:
            # The cursor line's: its indentation is the editor's, in no frame of the model's.
            width = ctx.width(ctx.indentation) if cursor_has_code else _written_width(0, earlier[0], ctx)
            structure.cursor_line(_code_only(ctx.line_prefix + line).strip(), width)
            out.append(earlier[0])
            continue
        if index in skip or not line.strip():
            out.append(line if anchor else earlier[index])
            continue
        code = _code_only(line).strip()
        written = _written_width(index, line, ctx)
        # Where the line stands in the file's columns: as re-indented by levels above the first
        # anchored line, then as far from the last one as written, in the model's step. A
        # structure keeping a line "where written" reads these, not the model's own columns
        # (a `case` pattern written in four-space levels stayed two too deep in a two-space file).
        if anchor is None:
            levelled = _written_width(index, earlier[index], ctx)
        else:
            offset = written - anchor[0]
            levelled = max(0, anchor[1] + (offset // step * unit if offset % step == 0 else offset))
        target = structure.target(code, levelled)
        if target is not None:
            if anchor is None:
                step = _model_step(common, written, target, ctx)
                _comments_with_the_line_below(lines, out, skip, written, target, ctx)
            anchor, placed = (written, target), target
        elif anchor is None:
            # Above the first anchored line: as re-indented by levels.
            structure.feed(code, levelled)
            out.append(earlier[index])
            continue
        else:
            placed = levelled
        structure.feed(code, placed)
        if placed == written:
            # In place: as re-indented by levels where that left it there too (in the file's
            # characters), else as written (a tab-and-spaces mix of the file's own).
            kept = _written_width(index, earlier[index], ctx) == written
            out.append(earlier[index] if kept else line)
            continue
        out.append(_render(placed, ctx) + line.lstrip(" \t"))  # (a blank cursor line's is "")
    return "\n".join(out) if anchor is not None else None


def _comments_with_the_line_below(
    lines: list[str], out: list[str], skip: set[int], written: int, target: int, ctx: PostContext
) -> None:
    """The comment lines right above the first anchored line (``out``'s last), written at its
    column, moved with it to ``target``: they tell of it (a comment above an arm's first
    command stayed at column 0 where the command went into the arm)."""
    for index in range(len(out) - 1, -1, -1):
        line = lines[index]
        if index in skip or (index == 0 and ctx.line_prefix):
            return
        if not line.strip():
            continue
        if not _is_comment_line(line) or _written_width(index, line, ctx) != written:
            return
        out[index] = _render(target, ctx) + line.lstrip(" \t")


def _is_comment_line(line: str) -> bool:
    return line.lstrip().startswith(("#", "//"))


def _render(columns: int, ctx: PostContext) -> str:
    """Whitespace of that width in the file's characters: where it mixes tabs and spaces (Vim's
    noexpandtab with a narrower shiftwidth), a tab for each of its columns of a tab if the
    line above has one (many such files have whole regions in spaces)."""
    if ctx.tab_width and "\t" in _leading_ws(ctx.previous_line or ""):
        return "\t" * (columns // ctx.tab_width) + " " * (columns % ctx.tab_width)
    return ctx.render_indent(columns)


def _common_step(lines: list[str], skip: set[int], ctx: PostContext) -> int:
    """The common divisor of the steps between the answer's lines of code (0: none)."""
    widths = [
        _written_width(index, line, ctx)
        for index, line in enumerate(lines)
        if line.strip() and index not in skip and not (index == 0 and ctx.line_prefix)
    ]
    return reduce(gcd, (abs(b - a) for a, b in pairwise(widths)), 0)


def _model_step(common: int, written: int, target: int, ctx: PostContext) -> int:
    """The width of a level as the answer writes it: its steps' common divisor where its first
    anchored line stands as many of those levels in as the file's (two spaces a level under
    four: `else` two in for an `if` four in); else the file's. A divisor alone
    misled: a step of two levels at once (`;;` then `esac`), a file whose lines are deeper
    than its unit says, one line aligned three columns right."""
    unit = ctx.unit_width
    if common in _OWN_STEPS and target and written * unit == target * common:
        return common
    return unit


# --- the shell -------------------------------------------------------------------------------

_SHELL_TOKEN = re.compile(r";;&|;;|;&|&&|\|\||[;&|()]|[^\s;&|()]+")
_ARM_ENDS = frozenset({";;", ";&", ";;&"})
_SEPARATORS = frozenset({";", "&&", "||", "|", "&", "(", ")"})
_LOOPS = frozenset({"for", "while", "until", "select"})
#: Words that end or go on with a block, no command of an arm's.
_CLOSING_WORDS = frozenset({"fi", "done", "esac", "then", "do", "else", "elif", "}", ")", *_ARM_ENDS})
#: A line after which no command of its block follows at its column: an arm's end, a body's
#: opening word (`then`, `do`, `else`, `{`, a `case`'s `in`).
_ARM_END_OR_BODY = re.compile(r"^;;|(?:;;&?|;&)$|(?:^|[\s;])(?:then|do|else|in|\{)$")
#: The lines below the cursor read for the code that goes on there.
_LINES_BELOW = 8
_HEREDOC = re.compile(r"(?<!<)<<(?!<)-?\s*(['\"]?)([A-Za-z_]\w*)\1")


class _ShellBlocks:
    """The shell's blocks open at a point: `if`, loops, `case` and its arms, `{` groups, each
    with the column of its line; and where the file puts a `case`'s patterns and `;;`."""

    def __init__(self, unit: int) -> None:
        self.stack: list[tuple[str, int]] = []
        self.unit = unit
        self.arm_offsets: Counter[int] = Counter()  # from a `case` to its patterns
        self.end_offsets: Counter[int] = Counter()  # from a pattern to its `;;` line
        self.patterns: dict[int, int] = {}  # each open `case`'s patterns' column, by its place
        self.case_ends: dict[int, Counter[int]] = {}  # each open `case`'s `;;` offsets
        self.arm_commands = -1  # the column of the last line of the open arm's commands
        self.command_offsets: Counter[int] = Counter()  # from a pattern alone to its commands
        self.first_commands: dict[int, int | None] = {}  # each open arm's first command's column
        self.goes_on = False  # the last line goes on below (after `\`, a pipe, `&&`, `||`)
        self.parentheses = 0  # open in the commands since the last pattern
        self.in_text = False  # the prompt ends in a string or a heredoc
        self.pattern_below: tuple[int, int | None] | None = None  # a pattern below the cursor, its commands' offset
        self.patterns_below: tuple[int, int] | None = None  # (place, column) of the case's next pattern below
        self.command_start = 0  # the column of the line the command under way started on
        self.whole_command: int | None = None  # the column of the last line's command, ended there

    def _top(self, depth: int = 1) -> tuple[str, int] | None:
        return self.stack[-depth] if len(self.stack) >= depth else None

    def target(self, code: str, written: int) -> int | None:
        if not code or code.startswith("#"):
            return None
        placed = self._block_target(code, written)
        if placed is not None or self.whole_command is None or self.in_text:
            return placed
        word = _SHELL_TOKEN.match(code)
        if word is None or word.group() in _CLOSING_WORDS or _SHELL_ARM.match(code):
            return None
        # A command below a whole one, no block opened or closed between, is in its block:
        # at its column, whatever the model wrote (deeper, it read as a body; left of it, as
        # out of the block, which only a `fi`, `done` or `}` ends).
        return self.whole_command

    def _block_target(self, code: str, written: int) -> int | None:
        word = _SHELL_TOKEN.match(code)
        first = word.group() if word else ""
        top = self._top()
        if top is None:
            return None
        kind = top[0]
        if first in ("fi", "else", "elif", "then") and kind == "if":
            return top[1]
        if first in ("done", "do") and kind == "loop":
            return top[1]
        if first == "esac":
            outer = self._top(2)
            if kind == "case":
                return top[1]
            return outer[1] if kind == "arm" and outer is not None and outer[0] == "case" else None
        # A pattern and a `;;` where the file's others stand (styles differ: at the `case`'s
        # depth or a level in, `;;` under the arm's commands or its pattern).
        if first in _ARM_ENDS and kind == "arm":
            own_ends = self.case_ends.get(len(self.stack) - 2)
            if own_ends:
                return _where_the_file_puts(own_ends, top[1], written)  # as in the case's arms above
            if written - top[1] in (0, self.unit) or written == self.arm_commands:
                return written  # under the pattern or its commands: either style (files mix them)
            return _where_the_file_puts(self.end_offsets, top[1], written)
        if first == "}" and kind == "brace":
            return top[1]
        if kind == "case" and first != "esac" and _SHELL_ARM.match(code):
            place = len(self.stack) - 1
            own = self.patterns.get(place)
            if own is not None:
                return own  # under the case's patterns above
            if self.patterns_below is not None and self.patterns_below[0] == place:
                return self.patterns_below[1]  # above the case's next pattern, below the cursor
            if written - top[1] in (0, self.unit):
                return written  # a case's first pattern in either style (files mix them)
            return _where_the_file_puts(self.arm_offsets, top[1], written)
        if kind == "arm" and not (self.goes_on or self.parentheses or self.in_text) and first not in _CLOSING_WORDS:
            return self._arm_command(top[1], written)
        return None

    def _arm_command(self, pattern: int, written: int) -> int | None:
        """Where a command of the open arm goes: under the arm's first; the first (below its
        pattern alone on its line) where the file's arms put theirs, else a level right of
        the pattern when written no right of it (right of it, no file's arm to go by: no sure
        thing). A model's arm body at its pattern's column, or a level too deep, left the next
        pattern where it should be and the body not."""
        place = len(self.stack) - 1
        if place not in self.first_commands:
            return None  # commands on the pattern's line: their column is no level
        first = self.first_commands[place]
        if first is not None:
            return first
        if self.command_offsets:
            return _where_the_file_puts(self.command_offsets, pattern, written)
        return None if written > pattern else pattern + self.unit

    def feed(self, code: str, width: int) -> None:
        if not code or code.startswith("#"):
            return
        top = self._top()
        arm = _SHELL_ARM.match(code) if top is not None and top[0] == "case" else None
        goes_on, self.goes_on = self.goes_on, code.endswith(("\\", "|", "&&", "||"))
        if not goes_on and not self.parentheses:
            self.command_start = width
        depth, self.whole_command = len(self.stack), None
        if arm is not None and top is not None and not code.startswith("esac"):
            self.arm_offsets[width - top[1]] += 1
            self.patterns[len(self.stack) - 1] = width
            self.stack.append(("arm", width))
            self.parentheses = 0
            # A block opened after the pattern (`*)   if ...; then`) closes under its keyword.
            rest = code[arm.end() :]
            self.first_commands.pop(len(self.stack) - 1, None)
            if not rest.strip():
                self.first_commands[len(self.stack) - 1] = None
            width += arm.end() + len(rest) - len(rest.lstrip())
            code = rest.lstrip()
        elif top is not None and top[0] == "arm":
            self.arm_commands = width
            place = len(self.stack) - 1
            opens_arm = not goes_on and not self.parentheses and self.first_commands.get(place, 0) is None
            if opens_arm and not code.startswith(tuple(_ARM_ENDS)):
                self.first_commands[place] = width
                self.command_offsets[width - top[1]] += 1
        self.parentheses = max(0, self.parentheses + code.count("(") - code.count(")"))
        ends = arm is None and not self.goes_on and not self.parentheses and not _ARM_END_OR_BODY.search(code)
        at_start, first = True, True
        for match in _SHELL_TOKEN.finditer(code):
            token = match.group()
            line_start, first = first and arm is None, False
            if token in _ARM_ENDS:
                top = self._top()
                if top is not None and top[0] == "arm":
                    if line_start:
                        self.end_offsets[width - top[1]] += 1
                        self.case_ends.setdefault(len(self.stack) - 2, Counter())[width - top[1]] += 1
                    self.stack.pop()
                at_start = True
            elif token in _SEPARATORS:
                at_start = True
            elif at_start:
                # A `case` after `do` on its line (`do  case $x in`): its patterns go by its column.
                at_start = self._keyword(token, width + match.start() if token == "case" else width)
        if ends and len(self.stack) <= depth:
            self.whole_command = self.command_start

    def cursor_line(self, code: str, width: int) -> None:
        self.feed(code, width)
        self.mark_the_pattern_below()

    def mark_the_pattern_below(self) -> None:
        """Takes the pattern below the cursor for the next of the innermost `case` open there
        (its first pattern the model writes goes above it: a new case's first arm has no
        pattern above to go under)."""
        cases = [place for place, (kind, _) in enumerate(self.stack) if kind == "case"]
        if cases and self.pattern_below is not None and self.pattern_below[0] >= self.stack[cases[-1]][1]:
            self.patterns_below = (cases[-1], self.pattern_below[0])
            if self.pattern_below[1] is not None and not self.command_offsets:
                # (its arm's commands too, where no arm above tells where they go)
                self.command_offsets[self.pattern_below[1]] += 1

    def _keyword(self, token: str, width: int) -> bool:
        """Takes in a command's first word; whether the next word starts a command too."""
        kind = self.stack[-1][0] if self.stack else ""
        if token == "if":
            self.stack.append(("if", width))
        elif token in _LOOPS:
            self.stack.append(("loop", width))
        elif token == "case":
            if self.patterns_below is not None and self.patterns_below[0] == len(self.stack):
                self.patterns_below = None  # another case in that place: the code below is not its
            self.patterns.pop(len(self.stack), None)
            self.case_ends.pop(len(self.stack), None)
            self.stack.append(("case", width))
        elif token == "{":
            self.stack.append(("brace", width))
        elif (token == "fi" and kind == "if") or (token == "done" and kind == "loop") or (token == "}" and kind == "brace"):
            self.stack.pop()
        elif token == "esac":
            if kind == "arm":
                self.stack.pop()
            if self.stack and self.stack[-1][0] == "case":
                self.stack.pop()
        return token in ("then", "do", "else", "elif", "!", "{")


def _where_the_file_puts(offsets: Counter[int], column: int, written: int) -> int | None:
    """Where a line goes that the file puts ``offsets`` right of ``column``: where written if
    it puts some there (styles mix), else as most do. None: the file shows none."""
    if not offsets or written - column in offsets:
        return written if offsets else None
    return column + offsets.most_common(1)[0][0]


def _shell_structure(ctx: PostContext) -> _ShellBlocks | None:
    """The shell's blocks open at the cursor line, from the prompt's last lines."""
    if not _syntax_for(ctx.language).shell:
        return None
    blocks = _ShellBlocks(ctx.unit_width)
    heredoc: str | None = None
    continued, quote = False, ""
    for line in ctx.recent_lines(120):
        if heredoc is not None:
            if line.strip() == heredoc:
                heredoc = None
            continue
        # A line of a string's text (`msg="\⏎The hardware ... for more information."`) is no
        # command: its `for` opened a loop.
        in_text, quote = bool(quote), _open_quote_after(line, quote)
        code = _code_only(line).strip()
        goes_on = code.endswith(("\\", "|", "&&", "||"))
        if not continued and not in_text:
            blocks.feed(code, ctx.width(_leading_ws(line)))
        elif continued and not in_text and not goes_on and code and not blocks.parentheses:
            blocks.whole_command = blocks.command_start  # the end of a command started above
        # A command's next line (after `\`, a pipe) starts no command of its own.
        continued = goes_on
        opened = None if quote else _HEREDOC.search(line)
        heredoc = opened.group(2) if opened else None
    # The answer goes on with the prompt's last command, or is a string's or heredoc's text
    # (a usage message's lines are no arm's commands).
    blocks.goes_on = continued
    blocks.in_text = bool(quote) or heredoc is not None
    if not blocks.in_text:
        blocks.pattern_below = _pattern_below(ctx)
        blocks.mark_the_pattern_below()
    return blocks


def _pattern_below(ctx: PostContext) -> tuple[int, int | None] | None:
    """The column of the first line of code below the cursor where it is a `case` pattern
    alone on its line, and how far right of it the next line, its arm's first command, stands
    (None: not a command)."""
    pattern: int | None = None
    for line in ctx.suffix.split("\n", _LINES_BELOW + 1)[1 : _LINES_BELOW + 1]:
        code = _code_only(line).strip()
        if not code or code.startswith("#"):
            continue
        width = ctx.width(_leading_ws(line))
        if pattern is not None:
            word = _SHELL_TOKEN.match(code)
            command = not _SHELL_ARM.match(code) and word is not None and word.group() not in _CLOSING_WORDS
            return pattern, width - pattern if command and width > pattern else None
        arm = _SHELL_ARM.match(code)
        if arm is None or code.startswith("esac"):
            return None
        if code[arm.end() :].strip():
            return width, None  # (its commands on its line)
        pattern = width
    return (pattern, None) if pattern is not None else None


def _open_quote_after(line: str, quote: str) -> str:
    """The shell quote still open at the end of ``line`` read from inside ``quote`` ("": none)."""
    index = 0
    while index < len(line):
        char = line[index]
        if quote == "'":
            quote = "" if char == "'" else quote
        elif char == "\\":
            index += 1
        elif quote:
            quote = "" if char == '"' else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or line[index - 1] in " \t;"):
            break
        index += 1
    return quote


# --- switch statements -----------------------------------------------------------------------

_SWITCH = re.compile(r"\bswitch\b")


class _SwitchArms:
    """A switch the cursor is directly in: the columns of its labels and of its arms'
    statements (the file's, from the labels above the cursor), and how deep in braces of its
    own the answer is."""

    def __init__(self, switch: int, label: int, body: int, previous: str) -> None:
        self.switch, self.label, self.body = switch, label, body
        self.depth = 0  # braces the answer opened in the switch
        self.closed = False  # the answer closed the switch
        self.previous = previous  # the last line of code fed
        self.first = True

    def target(self, code: str, written: int) -> int | None:
        if self.closed or self.depth or not code:
            return None
        if code.startswith("}"):
            return self.switch
        if _LABEL.match(code):
            return self.label
        if self.first and self._starts_an_arm_s_statement(code):
            return self.body
        return None

    def _starts_an_arm_s_statement(self, code: str) -> bool:
        """Whether ``code``, the answer's first line of code, is a statement of the arm the
        line above is in (below its label, or a whole statement)."""
        if code.startswith(("{", "#", "//", "/*", "*")) or _GOES_ON_START.match(code) or _CONTINUATION.match(code):
            return False
        above = self.previous
        if _BRACELESS.match(above):
            return False
        return (_LABEL.match(above) is not None and above.endswith(":")) or above.endswith((";", "}"))

    def feed(self, code: str, width: int) -> None:
        self.cursor_line(code, width)
        self.first = self.first and not code

    def cursor_line(self, code: str, width: int) -> None:
        if not code:
            return
        self.previous = code
        for char in code:
            if char == "{":
                self.depth += 1
            elif char == "}":
                self.depth -= 1
                if self.depth < 0:
                    self.closed = True
                    return


def _switch_structure(ctx: PostContext) -> _SwitchArms | None:
    """The switch the cursor is directly in (its `{` the innermost open), with a label in it
    above the cursor or the cursor line's own: None otherwise."""
    if (ctx.language or "").lower() not in _SWITCH_LANGUAGES or ctx.brackets_after_prefix[3] != "{":
        return None
    opened = _innermost_opened_at(ctx)
    if opened < 0:
        return None
    start = _statement_line_start(opened, ctx)
    if not _SWITCH.search(_code_only(ctx.prefix[start:opened])):
        return None
    switch = ctx.width(_leading_ws(ctx.prefix[start:opened]))
    labels, bodies, previous = _arms_above(ctx.prefix[opened + 1 :].split("\n")[1:-1], ctx)
    unit = ctx.unit_width
    # As most of the switch's labels and statements stand (one mis-indented arm is no style).
    label = labels.most_common(1)[0][0] if labels else None
    body = bodies.most_common(1)[0][0] if bodies else None
    if label is None and body is None:
        if not _LABEL.match(ctx.line_prefix.strip()):
            return None  # no arm above: where labels go is no sure thing
        label = ctx.width(ctx.indentation)
    label = body - unit if label is None else label  # type: ignore[operator]
    body = label + unit if body is None else body
    return _SwitchArms(switch, label, body, previous)


def _arms_above(lines: list[str], ctx: PostContext) -> tuple[Counter[int], Counter[int], str]:
    """The columns of the switch's labels in ``lines`` (its lines above the cursor line), of
    the first statements below them, and its last line of code."""
    labels, bodies = Counter[int](), Counter[int]()
    depth, after_label, previous = 0, False, ""
    for line in lines:
        code = _code_only(line).strip()
        if not code or code.startswith(("//", "/*", "*", "#")):
            continue
        width = ctx.width(_leading_ws(line))
        if depth == 0 and _LABEL.match(code):
            labels[width] += 1
            after_label = code.endswith(":")
        elif depth == 0 and after_label:
            bodies[width] += 1
            after_label = False
        depth = max(0, depth + code.count("{") - code.count("}"))
        previous = code
    return labels, bodies, previous


# --- arguments below an open parenthesis -----------------------------------------------------

def under_the_open_bracket(text: str, before: str, ctx: PostContext) -> str | None:
    """``text`` with its lines inside the parenthesis or bracket the cursor line leaves open
    after an argument (`result = foo(a,`) moved together so the first stands where the file
    puts such lines: under the parenthesis's first argument, or a hanging indent as wide as
    the file's others; the model's alignment under the argument stays. None: no such answer,
    or its first line already stands where it goes (``before`` is the answer re-indented by
    levels, which made a two-column continuation a level: neither the file's nor PEP 8's)."""
    if ctx.brackets_after_prefix[3] not in ("(", "[") or not ctx.indent_known:
        return None
    opened = _innermost_opened_at(ctx)
    cursor_line = len(ctx.prefix) - len(ctx.line_prefix)
    line_start = ctx.prefix.rfind("\n", 0, opened) + 1
    if opened < 0 or _in_text(ctx):
        return None
    lines = text.split("\n")
    index = next((i for i, line in enumerate(lines) if line.strip()), -1)
    if opened >= cursor_line:
        opener_line = ctx.line_prefix  # `result = foo(a,|` then Enter
        if index < 1:
            return None
    else:
        # A blank line right below the opener's (the editor's indentation before the cursor).
        opener_line = ctx.prefix[line_start : cursor_line - 1]
        if ctx.line_prefix.strip() or "\n" in ctx.prefix[opened:cursor_line - 1] or index < 0:
            return None
    arguments = _code_only(opener_line[opened - line_start + 1 :]).strip()
    if not arguments.endswith(",") or arguments == ",":
        # A hanging indent (`foo(`): its depth is a level's, the levels' business; an operand
        # going on (`"%s" % x +`), or prose in a string the scan took for code: no argument.
        return None
    indent = _leading_ws(opener_line)
    statement = ctx.width(indent)
    columns = _argument_columns(opener_line, opened - line_start, indent, statement)
    written = _written_width(index, lines[index], ctx)
    target = _continuation_column(statement, columns, written, ctx)
    if target is None or target == written:
        return None
    return _moved_inside(lines, before.split("\n"), index, target - written, indent, statement, ctx)


def _continuation_column(statement: int, columns: list[int], written: int, ctx: PostContext) -> int | None:
    """Where an argument line goes below an opener line indented ``statement`` columns whose
    arguments start at ``columns`` (the first right of the parenthesis), written at
    ``written``: where written if under one of them (a method's `self, ` skipped), or a
    hanging indent as wide as the prompt's other such lines have, or with none such, a whole
    number of levels in (a double indent, many styles' and the standard library's odd ones);
    else as the prompt's other such lines stand, or aligned under the first argument (PEP 8's
    and clang-format's rule for an argument after the parenthesis). None: where written."""
    if written in columns:
        return None
    aligned, hanging = _argument_lines_above(ctx)
    if hanging and hanging.most_common(1)[0][1] > aligned:
        return statement + hanging.most_common(1)[0][0]
    levels = written - statement
    return None if levels > 0 and levels % ctx.unit_width == 0 else columns[0]


def _argument_columns(opener_line: str, bracket: int, indent: str, statement: int) -> list[int]:
    """The columns where the arguments after the bracket at ``bracket`` in ``opener_line``
    start (strings' text kept as long as written: the columns count)."""
    code = _STRING_LITERAL.sub(lambda m: "_" * len(m.group()), opener_line)
    base = statement - len(indent)  # the columns of the line's indentation, past its characters
    columns, depth = [base + bracket + 1 + _blank_run(code, bracket + 1)], 0
    for position in range(bracket + 1, len(code)):
        char = code[position]
        depth += 1 if char in "([{" else -1 if char in ")]}" else 0
        if char == "," and depth == 0 and code[position + 1 :].strip():
            columns.append(base + position + 1 + _blank_run(code, position + 1))
    return columns


def _blank_run(code: str, start: int) -> int:
    return len(code[start:]) - len(code[start:].lstrip(" "))


def _argument_lines_above(ctx: PostContext) -> tuple[int, Counter[int]]:
    """How many lines of the prompt's window stand under the argument after the bracket the line
    above leaves open, and how far right of that line's indentation the others stand."""
    aligned, hanging = 0, Counter[int]()
    recent = ctx.recent_lines(80)
    for above, line in pairwise(recent):
        # Strings' text kept as long as written: the columns count.
        code = _TRAILING_COMMENT.sub("", _STRING_LITERAL.sub(lambda m: "_" * len(m.group()), above)).rstrip()
        if not line.strip() or not code.endswith(","):
            continue
        stack: list[int] = []
        for position, char in enumerate(code):
            if char in "([":
                stack.append(position)
            elif char in ")]" and stack:
                stack.pop()
        if not stack or not code[stack[-1] + 1 :].strip() or "\t" in above:
            continue
        width, indent = ctx.width(_leading_ws(line)), len(_leading_ws(above))
        if width == stack[-1] + 1:
            aligned += 1
        elif width > indent:
            hanging[width - indent] += 1
    return aligned, hanging


def _moved_inside(
    lines: list[str], earlier: list[str], first: int, shift: int, indent: str, statement: int, ctx: PostContext
) -> str | None:
    """The answer with its lines from ``first`` on that start inside the prompt's open bracket
    moved ``shift`` columns, in the opener line's characters and spaces after them (tabs for
    levels, spaces for alignment); the others as written. None: a line would go left of its
    statement, or the answer is in a frame of the model's own."""
    scanner = _closable_brackets(ctx)[1]
    for line in lines[:first]:
        for _ in scanner.feed(line + "\n"):
            pass
    depth, out = 0, earlier[:first]
    for index in range(first, len(lines)):
        line = lines[index]
        if depth < 0 and earlier[index] != line:
            # A line past the bracket re-indented by levels: the answer is in a frame of the
            # model's own (two-space lines from column 0), where the argument's place is a
            # level's too.
            return None
        if depth < 0 or not line.strip():
            out.append(line)
        else:
            width = _written_width(index, line, ctx) + shift
            if width <= statement:
                return None  # left of its statement: no argument line
            ws = indent + " " * (width - statement)
            if index == 0 and not ws.startswith(ctx.line_prefix):
                return None  # left of the blank cursor line's indentation: the editor's stays
            out.append((ws[len(ctx.line_prefix) :] if index == 0 else ws) + line.lstrip(" \t"))
        for _, bracket in scanner.feed(line + "\n"):
            depth += 1 if bracket in "([{" else -1
    return "\n".join(out)
