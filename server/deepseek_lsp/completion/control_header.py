"""A control statement's header with no `{` yet in a file that puts its `{` on the next line
(Allman: `if (x)`, Enter): the empty line after it is where its block starts.

A brace-less body of one statement is legal there, so the file's own habit decides: of 1,168
such headers in the machine's C, C++ and C# files whose control headers above (200 lines) had
their `{` on the next line more often than on their own line, 708 were followed by a `{`
(C++ 57 of 67, C# 10 of 11, C 640 of 1,089); where `{` ends the header's line above, 76 of
1,340 were; of 1,077 in 4,000 JavaScript and TypeScript files, none was (no Allman file).
A `try`, `catch`, `finally` or `switch` takes a block only: its empty line starts one anywhere.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

#: Where a control statement's body may go without braces, as C's (not Go's, Rust's, Swift's).
_LANGUAGES = frozenset({"c", "cpp", "csharp", "java", "javascript", "typescript", "tsx"})
#: The keywords of headers with a condition (C++17's `if constexpr` is an `if`), in any
#: language: where one is no keyword (`lock(x)` in C) a call's line ends with its `;`.
_KEYWORDS = r"(?:(?:else\s+)?if(?:\s+constexpr)?|for|foreach|while|using|lock|switch|catch)"
#: Those of one language's alone (`when (x)` is a call in JavaScript without its `;`).
_OWN_KEYWORDS = {
    # A catch's filter on a line of its own ends its header too.
    "csharp": r"|fixed|await\s+(?:foreach|using)|when",
    "java": r"|synchronized|try",
    "javascript": r"|for\s+await",
    "typescript": r"|for\s+await",
    "tsx": r"|for\s+await",
    "php": r"|elseif|match",
    "kotlin": r"|when",
}
#: A header's keyword, then the condition's `(`, whose `)` is checked to close at the header's
#: end; C#'s exception filter (`catch (E e) when (e.X)`) is a second condition.
_FILTER = re.compile(r"\s*when\s*\(")
#: Headers of one word; not a `do` loop's `} while (x)`.
_ELSE = re.compile(r"(?:\}\s*)?(?:else|try|finally|catch|do)$")
#: One language's own headers of one word, whose body is a block: C#'s `checked`, `unchecked`
#: and `unsafe` statements, Java's static initializer (a `static` modifier stands on its
#: declaration's line, not alone).
_OWN_WORDS = {"csharp": re.compile(r"(?:(?:un)?checked|unsafe)$"), "java": re.compile(r"static$")}
#: A loop's label before its keyword (`outer: for (...)`, Kotlin's `outer@ for`, Rust's
#: `'outer: loop`): the loop's header is the rest.
_LABEL = re.compile(
    r"^(?:'?[A-Za-z_]\w*\s*:(?!:)|[A-Za-z_]\w*@)\s*(?=(?:for|foreach|while|do|loop|repeat|switch|select)\b)"
)
#: C++20's headers with no condition in brackets (`if consteval`, `if !consteval`), and a
#: likelihood attribute after a header's condition (`if (x) [[likely]]`, `else [[unlikely]]`).
_CONSTEVAL = re.compile(r"(?:\}\s*)?(?:else\s+)?if\s*!?\s*consteval$")
_ATTRIBUTE = re.compile(r"\s*\[\[\s*(?:likely|unlikely)\s*\]\]$")
#: A C# switch expression's header (`var y = x switch`, `return (a, b) switch`): its arms are
#: a block, whatever the file's habit.
_SWITCH_EXPRESSION = re.compile(r".*[\w)\]]\s+switch$")
#: Headers without brackets around their condition (Go, Rust, Swift; Kotlin's `when`): the
#: keyword, then a condition with no brace (`if x > 0 { f() }` has its body already).
_CONDITION = r"\s(?:[^{};]|;(?!\s*$))*$"
_BARE = {
    # A function's or type's header too (a function literal's after `go`, `defer` or `:=`):
    # Go puts a `;` at its line's end, so its `{` on the next line is a syntax error.
    "go": re.compile(
        rf"(?:\}}\s*)?(?:(?:else\s+)?if|for|switch|select)(?:{_CONDITION}|$)"
        r"|(?:(?:go|defer)\s+|[\w.,\s]+:?=\s*)?func\b[^{}]*$"
        r"|type\s+\w+(?:\[[^\]]*\])?\s+(?:struct|interface)$"
    ),
    # A let-else's `else` (`let Some(x) = opt else`, its binding read off before).
    "rust": re.compile(
        rf"(?:\}}\s*)?(?:(?:else\s+)?if|while|for|match){_CONDITION}|(?:loop|unsafe)$|[^{{}};]+\selse$"
    ),
    "swift": re.compile(
        rf"(?:\}}\s*)?(?:(?:else\s+)?if|while|for|switch|catch){_CONDITION}"
        r"|guard\s[^{}]*\selse$|(?:repeat|defer)$"
    ),
    # A class's initializer block (`init`), its `{` on this line.
    "kotlin": re.compile(r"(?:when|init)$"),
}
#: A binding or `return` before a value that may be a header itself, by language (not `==`):
#: rustfmt's `let v =⏎    match x` joined, Kotlin's `val y = when (x)` or `= try`, PHP's
#: `$y = match ($x)`, Swift's `let y = switch x`, Java's `int y = switch (x)`.
_ASSIGNED = r"(?<![=!<>])=(?![=>])"
_VALUE_OF = {
    "rust": re.compile(rf"(?:let\s[^=]*?{_ASSIGNED}|return\s)\s*"),
    "kotlin": re.compile(rf"(?:(?:(?:val|var|fun)\s[^=]*?|[\w.]+\s*){_ASSIGNED}|return\s)\s*"),
    "php": re.compile(rf"(?:\$[\w\[\]'\"$>-]*\s*{_ASSIGNED}|return\s)\s*"),
    "swift": re.compile(rf"(?:(?:let|var)\s[^=]*?{_ASSIGNED}|return\s)\s*"),
    # Java's switch expression (`int y = switch (x)`): a binding has no bracket before its `=`.
    "java": re.compile(rf"(?:[^=()]*?{_ASSIGNED}|return\s)\s*"),
}
#: Headers whose body is a block whatever the file's habit: `try`, `catch`, `finally`,
#: `switch`, Java's `synchronized` and static initializer, C#'s catch filter (`when (x)`),
#: `checked`, `unchecked` and `unsafe` take no statement without braces.
_BLOCK_ONLY = re.compile(
    r"(?:\}\s*)?(?:try|finally|catch|switch|synchronized|when|(?:un)?checked|unsafe|static)\b"
)
#: The languages that have them (C has a `switch` only).
_TRY_LANGUAGES = _LANGUAGES - {"c"}
#: A header with its `{` on its own line: the file's other style.
_WITH_BRACE = re.compile(
    rf"^\s*(?:\}}\s*)?(?:{_KEYWORDS}\s*\(.*\)|else|try|finally|catch|do)\s*\{{\s*$"
)
#: The end of a line that the next one continues.
CONTINUED = re.compile(r"(\band|\bor|&&|\|\||,|\\)\s*$")
#: Where a language's lines go on after more: rustfmt breaks a long header after a `for`'s
#: `in` and a `while let`'s `=` (not Scala's or Kotlin's `def f() =`, whose body comes next).
_CONTINUED_IN = {"rust": re.compile(r"(\band|\bor|\bin|&&|\|\||,|\\|=)\s*$")}
#: The start of a line that continues the one above: a binary operator (rustfmt's and GNU C's
#: `    && b`, rustfmt's `    == b`, `    + b`) or a method chain's `.` (`    .iter()`).
#: An operator is followed by a space: `*p = 1;`, `++i;`, `-x;` start statements.
_LEADING = re.compile(r"&&|\|\||[=!<>]=|[-+*/%<>|&^]\s|\.[A-Za-z_]")
#: Bytes above the header read for the file's habit (some 200 lines).
_HABIT_BYTES = 8000


def is_control_header(code: str, language: str | None) -> bool:
    """Whether ``code`` (one statement's code, its lines joined, stripped) is a control
    statement's header awaiting its body: `if (a && b)`, `} else`, `match x` in Rust, not
    `if (x) f(y)`."""
    if code.startswith("}") and code.lstrip("} \t").startswith("while"):
        return False  # a do loop's end, its `;` not typed yet
    code = _LABEL.sub("", _value(code, language), count=1)
    if _ELSE.match(code) or (language == "cpp" and _CONSTEVAL.match(code)):
        return True
    if (words := _OWN_WORDS.get(language or "")) is not None and words.fullmatch(code):
        return True
    if language == "csharp" and _SWITCH_EXPRESSION.match(code):
        return brackets_closed(code) == 0
    if language == "cpp" and (attribute := _ATTRIBUTE.search(code)):
        return is_control_header(code[: attribute.start()], language)
    bare = _BARE.get(language or "")
    if bare is not None and bare.match(code):
        # Not inside a condition's bracket still open (`if a && (b` Enter: its next line).
        return brackets_closed(code) == 0
    match = _keyword(language).match(code)
    if match is None:
        return False
    return _condition_ends(code, match.end() - 1, filtered="catch" in match.group())


def _value(code: str, language: str | None) -> str:
    """``code`` without a binding or `return` before its value, which may be a header itself
    (`val y = when (x)`: `when (x)`)."""
    value_of = _VALUE_OF.get(language or "")
    binding = value_of.match(code) if value_of is not None else None
    return code[binding.end() :] if binding is not None else code


@functools.cache
def _keyword(language: str | None) -> re.Pattern[str]:
    """A header's keyword and the `(` of its condition, in ``language``."""
    keywords = _KEYWORDS[:-1] + _OWN_KEYWORDS.get(language or "", "") + ")"
    return re.compile(rf"(?:\}}\s*)?{keywords}\s*\(")


def _condition_ends(code: str, start: int, *, filtered: bool) -> bool:
    """Whether the `(` at ``start`` closes at the end of ``code``, or before a `when (...)`
    filter that does (C#'s catch, when ``filtered``)."""
    level = 0
    for pos in range(start, len(code)):
        level += {"(": 1, ")": -1}.get(code[pos], 0)
        if not level:
            if pos == len(code) - 1:
                return True
            rest = _FILTER.match(code, pos + 1) if filtered else None
            return rest is not None and _condition_ends(code, rest.end() - 1, filtered=False)
    return False


def joined_statement(
    lines: list[str], code: Callable[[str], str] = str.rstrip, language: str | None = None
) -> str:
    """The last of ``lines`` with the lines before it that it continues, each read as its
    ``code`` (its comment left out; called on those read only: a line may be long):
    those whose brackets it closes and those ending with an operator (`and`, `&&`, `,`), the
    whole header of ``if (a &&⏎    b)``, which opens a block though its last line shows no
    sign of it."""
    continued = _CONTINUED_IN.get(language or "", CONTINUED)
    depth = 0
    parts: list[str] = []
    for line in reversed(lines[-20:]):
        line = code(line)
        if depth <= 0 and parts and not continued.search(line) and not _LEADING.match(parts[-1]):
            break
        parts.append(line.strip())
        depth += brackets_closed(line)
    return " ".join(reversed(parts))


def brackets_closed(line: str) -> int:
    """How many more round and square brackets ``line`` closes than it opens."""
    return line.count(")") + line.count("]") - line.count("(") - line.count("[")


def allman_block_awaited(
    language: str, header: str, data: bytes, line_start: int, *, broken: bool = False
) -> bool:
    """Whether the empty line at ``line_start`` after ``header`` (its code, lines joined;
    ``broken``: over several lines) starts its block: a control header in a language where
    its body may be a statement without braces, in a file whose control headers above have
    their `{` on the next line more often than at their line's end; or Rust's broken over
    lines, whose `{` rustfmt puts on a line of its own (a Rust body is a block)."""
    if language == "rust":
        return broken and is_control_header(header, language)
    if language not in _LANGUAGES or not is_control_header(header, language):
        return False
    block_only = _BLOCK_ONLY.match(_value(header, language))
    if language == "csharp" and _SWITCH_EXPRESSION.match(header):
        return True
    if block_only is not None:
        # In C a `try` is a name (a macro's): no header at all.
        return language in _TRY_LANGUAGES or "switch" in block_only.group()
    start = max(0, line_start - _HABIT_BYTES)
    lines = data[start:line_start].decode("utf-8", "replace").split("\n")[1 if start else 0 :]
    lines = [line.split("//")[0].rstrip() for line in lines]
    own_line = same_line = 0
    below = ""  # the next line that is not blank: read bottom up, once (not a slice a header)
    for line in reversed(lines):
        if _WITH_BRACE.match(line):
            same_line += 1
        elif line.strip() and is_control_header(line.strip(), language):
            own_line += below.strip().startswith("{")
        if line.strip():
            below = line
    return own_line > same_line
