"""The shell's blocks around the cursor, for the lines whose column they tell (see
:mod:`._anchors`): `fi`, `done`, `esac`, `then`, `do` under what they close or go on with, a `case`
arm's pattern, its commands and its `;;` where the file puts them."""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

from ._scanner import SHELL_HEREDOC, _BracketScanner
from ._syntax import _syntax_for
from ._text import _SHELL_ARM, _code_only, _leading_ws

if TYPE_CHECKING:
    from .context import PostContext


_SHELL_TOKEN = re.compile(r";;&|;;|;&|&&|\|\||[;&|()]|[^\s;&|()]+")
_ARM_ENDS = frozenset({";;", ";&", ";;&"})
_SEPARATORS = frozenset({";", "&&", "||", "|", "&", "(", ")"})
_LOOPS = frozenset({"for", "while", "until", "select"})
#: Words that end or go on with a block, no command of an arm's.
_CLOSING_WORDS = frozenset({"fi", "done", "esac", "then", "do", "else", "elif", "}", ")", *_ARM_ENDS})
#: A line after which no command of its block follows at its column: an arm's end, a body's
#: opening word (`then`, `do`, `else`, `{`, a `case`'s `in`).
_ARM_END_OR_BODY = re.compile(r"^;;|(?:;;&?|;&)$|(?:^|[\s;])(?:then|do|else|in|\{)$")
#: How many arms above, all ending alike, make a file's style of `;;`.
_ONE_STYLE = 2
#: The lines below the cursor read for the code that goes on there.
_LINES_BELOW = 8
#: The lines below the cursor read for the `;;` of the case's arms there.
_ARM_LINES_BELOW = 60
_HEREDOC = re.compile(SHELL_HEREDOC)


def heredoc_word(line: str) -> str | None:
    """The word that ends the heredoc a line of code opens (``USAGE=$(cat <<-EOF``); None
    where it opens none (``$((1<<bit))`` shifts, ``echo "cat <<EOF"`` a string's text, ``# cat
    <<EOF`` a comment's): the bracket scanner's reading, up to each opener the line holds."""
    for opened in _HEREDOC.finditer(line):
        scanner = _BracketScanner(_syntax_for("bash"))
        for _ in scanner.feed(line[: opened.end()]):
            pass
        if scanner.mode == "<<":
            return opened.group(2)
    return None


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
        self.arm_ends_below: Counter[int] = Counter()  # the `;;` offsets of the arms at that pattern's column
        self.patterns_below: tuple[int, int] | None = None  # (place, column) of the case's next pattern below
        self.ends_below: Counter[int] = Counter()  # the `;;` offsets of the case's arms below the cursor
        self.command_start = 0  # the column of the line the command under way started on
        self.whole_command: int | None = None  # the column of the last line's command, ended there
        #: The column of the command each open block is part of, by its place on the stack: a
        #: loop a pipeline's next line opens (`ps aux |` over `  while read -r a; do`) ends the
        #: command the pipeline started, at its column, not at the loop's.
        self.opened_in: dict[int, int] = {}

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
            below = self.patterns_below is not None and self.patterns_below[0] == len(self.stack) - 2
            if below and len(self.ends_below) == 1:
                # The case's first arm typed above its others (no arm above it in the file, or
                # the file's arms in another style): its `;;` as theirs.
                return top[1] + next(iter(self.ends_below))
            if below and self.ends_below:
                return written if written - top[1] in self.ends_below else None
            if len(self.end_offsets) == 1 and self.end_offsets.total() >= _ONE_STYLE:
                # Every arm above in the file ends so (its `;;` under the pattern, or under the
                # commands): the case's first arm too, whatever the model wrote.
                return top[1] + next(iter(self.end_offsets))
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
            self.ends_below = self.arm_ends_below
            if self.pattern_below[1] is not None and not self.command_offsets:
                # (its arm's commands too, where no arm above tells where they go)
                self.command_offsets[self.pattern_below[1]] += 1

    def _keyword(self, token: str, width: int) -> bool:
        """Takes in a command's first word; whether the next word starts a command too."""
        kind = self.stack[-1][0] if self.stack else ""
        if token in ("if", "case", "{", *_LOOPS):
            self.opened_in[len(self.stack)] = self.command_start
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
            self._close()
        elif token == "esac":
            if kind == "arm":
                self.stack.pop()
            if self.stack and self.stack[-1][0] == "case":
                self._close()
        return token in ("then", "do", "else", "elif", "!", "{")


    def _close(self) -> None:
        """Closes the innermost block: the command its closer ends started where the block's
        command did."""
        self.stack.pop()
        self.command_start = self.opened_in.pop(len(self.stack), self.command_start)


def _where_the_file_puts(offsets: Counter[int], column: int, written: int) -> int | None:
    """Where a line goes that the file puts ``offsets`` right of ``column``: where written if
    it puts some there (styles mix), else as most do. None: the file shows none."""
    if not offsets or written - column in offsets:
        return written if offsets else None
    return column + offsets.most_common(1)[0][0]


#: A compound command's first word, a loop's or a branch's.
_LOOP_OR_BRANCH = re.compile(r"(?:while|until|for|select|if|case)\s")


def _shell_structure(ctx: PostContext) -> _ShellBlocks | None:
    """The shell's blocks open at the cursor line, from the prompt's last lines."""
    if not _syntax_for(ctx.language).shell:
        return None
    blocks = _ShellBlocks(ctx.unit_width)
    # The bracket scanner tells a line's start in a string's or a heredoc's text (a quote in a
    # `"${x:-"it's"}"` or a `"$(...)"`, a `# cat <<EOF` comment: read here a quote at a time,
    # they opened text over the lines below, whose `case` arms were none).
    scanner = _BracketScanner(_syntax_for(ctx.language))
    continued, joined = False, False
    for line in ctx.recent_lines(120):
        at_start = scanner.mode
        for _ in scanner.feed(line + "\n"):
            pass
        if at_start == "<<":
            continue  # a heredoc's text, or the word that ends it
        # A line of a string's text (`msg="\⏎The hardware ... for more information."`) is no
        # command: its `for` opened a loop.
        in_text = bool(at_start)
        code = _code_only(line).strip()
        goes_on = code.endswith(("\\", "|", "&&", "||"))
        if not continued and not in_text:
            blocks.feed(code, ctx.width(_leading_ws(line)))
        elif (
            continued
            and not in_text
            and (joined or code.startswith(("|", "&&")))
            and _LOOP_OR_BRANCH.match(code.lstrip("|&").lstrip())
        ):
            # A pipeline's or a list's next command may be a compound one (`${cat} \` over
            # `  | while read -r user; do`): its block opens, at the column the pipeline starts
            # where the line leads with the pipe, else at its own (missed, the loop's body was
            # read as commands after the whole one at column 0).
            column = ctx.width(_leading_ws(line)) if joined else blocks.command_start
            blocks.feed(code.lstrip("|&").strip(), column)
        elif continued and not in_text and not goes_on and code and not blocks.parentheses:
            blocks.whole_command = blocks.command_start  # the end of a command started above
        # A command's next line (after `\`, a pipe) starts no command of its own.
        continued, joined = goes_on, code.endswith(("|", "&&", "||"))
    # The answer goes on with the prompt's last command, or is a string's or heredoc's text
    # (a usage message's lines are no arm's commands).
    blocks.goes_on = continued
    blocks.in_text = bool(scanner.mode)
    if not blocks.in_text:
        blocks.pattern_below = _pattern_below(ctx)
        if blocks.pattern_below is not None:
            blocks.arm_ends_below = _arm_ends_below(ctx, blocks.pattern_below[0])
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



def _arm_ends_below(ctx: PostContext, pattern: int) -> Counter[int]:
    """How far right of their patterns the arms below the cursor at the column ``pattern`` (the
    case's next ones) put their `;;` alone on its line: each arm's last such line before the
    next line at that column or left of it (a `case` in the arm ends its own arms first)."""
    ends: Counter[int] = Counter()
    end: int | None = None
    scanner = _BracketScanner(_syntax_for(ctx.language))
    for line in ctx.suffix.split("\n", _ARM_LINES_BELOW + 1)[1 : _ARM_LINES_BELOW + 1]:
        at_start = scanner.mode
        for _ in scanner.feed(line + "\n"):
            pass
        code = _code_only(line).strip()
        if at_start or not code or code.startswith("#"):
            continue  # a string's or a heredoc's text
        width = ctx.width(_leading_ws(line))
        if width >= pattern and code in _ARM_ENDS:
            end = width - pattern  # (at the pattern's column too: under it)
        elif width <= pattern:
            if end is not None:
                ends[end] += 1
            end = None
            if width < pattern or code.startswith("esac") or not _SHELL_ARM.match(code):
                break
    return ends
