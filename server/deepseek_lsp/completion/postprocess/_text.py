"""Small text helpers and line shapes shared by the post-processing filters."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .context import PostContext


def _leading_ws(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def _has_word(line: str) -> bool:
    return any(c.isalnum() for c in line)


def _join(lines: list[str]) -> str:
    """Join lines, leaving out blank lines at the end (a cut leaves them behind)."""
    end = len(lines)
    while end > 1 and not lines[end - 1].strip():
        end -= 1
    return "\n".join(lines[:end])


def _iter_lines(text: str) -> Iterator[str]:
    """Lines of a possibly long text, produced lazily (the suffix can be the rest of a file)."""
    start = 0
    while True:
        end = text.find("\n", start)
        if end < 0:
            yield text[start:]
            return
        yield text[start:end]
        start = end + 1


def _strip_covered_indent(line: str, ctx: PostContext) -> str:
    """Remove the indentation that the (blank) cursor line already provides."""
    if line.startswith(ctx.line_prefix):
        return line[len(ctx.line_prefix) :]
    ws = _leading_ws(line)
    extra = ctx.width(ws) - ctx.width(ctx.line_prefix)
    return ctx.render_indent(extra) + line[len(ws) :]


def _shift_indent(line: str, columns: int, ctx: PostContext) -> str:
    if not columns or not line.strip():
        return line
    ws = _leading_ws(line)
    return ctx.render_indent(ctx.width(ws) + columns) + line[len(ws) :]


def _tail_shifted(lines: list[str], index: int, shift: int, in_text: set[int], ctx: PostContext) -> list[str] | None:
    """The answer's lines from ``index`` on moved ``shift`` columns together (a string's or a
    heredoc's text, ``in_text``, kept where it is); None where there is nothing to move or a
    line would go left of column 0."""
    moved = {i for i in range(index, len(lines)) if lines[i].strip() and i not in in_text}
    if not shift or any(ctx.width(_leading_ws(lines[i])) + shift < 0 for i in moved):
        return None
    return [_shift_indent(line, shift, ctx) if i in moved else line for i, line in enumerate(lines)]


# Lines made only of closing brackets (and the punctuation after them) end a block rather than
# start new code, so scope limits may keep them and let the bracket count decide.
# Keyword closers too: Ruby's and Lua's `end` (Lua's callback `end)` as well), the shell's `fi`,
# `done` and `esac` (they were cut from every shell block, closed by the suffix or not).
# PHP's alternative syntax (`if ($x):` … `endif;`) too.
_CLOSER_ONLY = re.compile(
    r"^(?:[)\]}]|end|fi|done|esac|endif|endforeach|endfor|endwhile|endswitch|enddeclare)[)\]};,]*$"
)


# Lines at the block's own indentation that still belong to the statement the block opened
# (Ruby's `elsif`, `when`, `rescue`, `ensure`; Lua's `elseif`; Elixir's `after` of a `try` or
# a `receive`, alone on its line: elsewhere no statement is `after` alone), and closers that go on
# with the call's next argument (`}, {`, `}, 100);`, `], [`, Lua's `end, { buffer = 0 })`: the
# table or callback was left open when they were cut), and keyword closers the statement goes
# on after (`fi && {`, `done < "$file"`, `done | sort`, Ruby's `end.join`).
_CONTINUATION = re.compile(
    r"^(?:(?:[)\]}]\s*)?(?:else|elif|elsif|elseif|except|finally|catch|while|when|rescue|ensure)\b"
    r"|after$|[)\]}]\s*\(|\.|[)\]}]+\s*,\s*\S)"
)


# The same for keyword closers, in the languages that close blocks with them (elsewhere `end`
# and `done` are names: `end, pos = 0, 1`, `done <- true`).
_KEYWORD_CONTINUATION = re.compile(r"^(?:end\s*,\s*\S|(?:fi|done|esac|end)\s*(?:&&|\|\|?|[<>]|\.\w))")


_KEYWORD_CLOSING = frozenset({"ruby", "lua", "bash", "sh", "zsh", "shellscript", "elixir", "julia"})


#: The statements a line starting with one of these words can go on, by the words their own
#: line starts with: the `except` of an `if` or a `fi` of a `for` is some other statement's.
#: Other closers and branches (`}`, `end`, `catch`, `when`) go on with any block.
_FOLLOWS = {
    "except": r"(?:try|except)\b",
    "finally": r"(?:try|except|else)\b",
    "elif": r"(?:if|elif)\b",
    "else": r"(?:if|elif|for|async\s+for|while|try|except|case|when|unless)\b",
    "fi": r"(?:if|elif|else)\b",
    "done": r"(?:for|while|until|select|do)\b",
    "esac": r"case\b",
}


def _goes_on_after(branch: str, header: str) -> bool:
    """Whether ``branch`` (`else:`, `fi`, a line stripped) may go on with the statement whose
    line (stripped) is ``header``."""
    word = re.match(r"\w*", branch)
    return re.match(_FOLLOWS.get(word.group() if word else "", r""), header) is not None


#: A switch's arm label (`case 1:`, `default:`): at the depth of the line that opens the switch
#: (gofmt's only style, the Linux kernel's, Oracle's Java) or after a fall-through label, it is
#: the same statement going on. Not an assignment to a name `case`, nor a call of one; a
#: parenthesized value (`case (0x10):`, `case (A | B) ->`) is a label by its colon or arrow.
_LABEL = re.compile(r"^(?:case\b(?!\s*[=.(\[,)])|case\s*\(.*(?::|->)\s*(?:(?://|/\*).*)?$|default\s*(?::|->))")


#: A PHP template's tags around a statement (`<?php endif; ?>`, `<?php else: ?>`): the statement
#: is what closes or continues a block.
_PHP_TAGS = re.compile(r"^<\?(?:php\b)?\s*|\s*\?>$")


#: A shell case pattern starting its line (`-h|--help)`, `*)`, `(a | b)`).
_SHELL_ARM = re.compile(r"^\(?\s*[^\s()|]+(?:\s*\|\s*[^\s()|]+)*\s*\)")


#: Languages with switch statements whose labels may sit at the switch's depth (not Python:
#: a `match` arm is deeper than its `match`, and `default: str = "sh"` is an annotation).
_SWITCH_LANGUAGES = frozenset({"c", "cpp", "csharp", "java", "javascript", "typescript", "tsx", "go", "php", "swift", "scala"})


#: A string literal on one line, for bracket counts that must not see its contents.
_STRING_LITERAL = re.compile(r""""(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|`(?:\\.|[^`\\])*`""")


#: Languages whose preprocessor lines (`#ifdef`, `#endif`) sit at column 0 inside any block.
_PREPROCESSED = frozenset({"c", "cpp", "csharp", "swift"})


_BLOCK_OPENER = re.compile(r"(?:[:{(\[]|=>|->)$")


#: Tried only where a run of whitespace starts, its whitespace never given back: tried at each
#: space of a line of them (an answer of 4,096 spaces), each taking the rest, was quadratic.
_TRAILING_COMMENT = re.compile(r"(?<!\s)\s++(?:#|//).*$")


def _block_opening(line: str, ctx: PostContext) -> str:
    """How ``line`` opens a block: "sign" by a bracket, a colon or an arrow at its end,
    "keyword" by the language's own sign only (a Ruby ``def`` or ``do |x|``, a Lua ``then``:
    the block's ``end`` below it then ends the completion's scope; the model's next method
    was kept), "" not at all."""
    code = ctx.trailing_comment_re.sub("", line).rstrip()
    if _BLOCK_OPENER.search(code):
        return "sign"
    opener = ctx.block_opener_re
    return "keyword" if opener is not None and opener.search(code) is not None else ""


def _opens_block(line: str, ctx: PostContext) -> bool:
    return bool(_block_opening(line, ctx))


def _brackets_left_open(code: str) -> int:
    """Opening brackets in ``code`` less closing ones (negative: it closes more than it opens)."""
    return sum(code.count(c) for c in "([{") - sum(code.count(c) for c in ")]}")


def _code_only(line: str) -> str:
    """``line`` without its string literals' contents and its trailing comment."""
    return _TRAILING_COMMENT.sub("", _STRING_LITERAL.sub('""', line))


def _statement(line: str) -> str:
    """A line without its indentation and its statement's end (`;` or `,`)."""
    return line.strip().rstrip(",;").rstrip()


def _same_line(line: str, target: tuple[str, bool]) -> bool:
    other, partial = target
    if partial:
        return line.strip() == other.strip()
    if not _CLOSER_ONLY.match(line.strip()):
        # The statement's end is the model's choice (`return a + b` before `return a + b;`,
        # `"c": 3` before `"c": 3,`): kept, the line showed twice.
        return _statement(line) == _statement(other)
    # A lone `}` is only the suffix's `}` at the same depth; a deeper one closes the completion's
    # own block.
    return line.rstrip() == other.rstrip()


def _loose(line: str) -> str:
    return _leading_ws(line) + re.sub(r"\s+", "", line).rstrip(",;")


#: Line ends that leave a statement waiting for what comes next: a block's header, an open
#: bracket, an operator (R's infix ones too: magrittr's pipe ``%>%``, ``%in%``) or a comma.
_WAITING_END = re.compile(r"(?:[:{(\[,\\=+\-*/&|]|%[^%\s]*%|=>|\band|\bor|\bnot)\s*$")


#: Languages whose blocks end at their closing brace alone: a line leaves a block only after
#: its `}`, however it is indented (not Scala: Scala 3 blocks may end by indentation).
_BRACE_LANGUAGES = frozenset(
    {"c", "cpp", "csharp", "java", "javascript", "typescript", "tsx", "go", "rust", "kotlin", "swift", "php"}
)


def _is_comment(body: str) -> bool:
    return body.startswith(("//", "/*", "*", "#"))


def _argument_list_opened(line: str) -> tuple[str, int] | None:
    """``line``'s code (strings' text kept as long as written: the columns count) and where the
    innermost parenthesis or square bracket it leaves open after an argument opens, where it
    ends with a `,`; None: no such line."""
    code = _TRAILING_COMMENT.sub("", _STRING_LITERAL.sub(lambda m: "_" * len(m.group()), line)).rstrip()
    if not code.endswith(","):
        return None
    stack: list[int] = []
    for position, char in enumerate(code):
        if char in "([":
            stack.append(position)
        elif char in ")]" and stack:
            stack.pop()
    return (code, stack[-1]) if stack and code[stack[-1] + 1 :].strip() else None


def _foreign_tabs(line: str, ctx: PostContext) -> bool:
    """Whether ``line`` is led by a tab in a file indented with spaces and no tabs."""
    return "\t" in _leading_ws(line) and "\t" not in ctx.indent_unit and not ctx.tab_width
