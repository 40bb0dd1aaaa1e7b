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

import re

#: Where a control statement's body may go without braces, as C's (not Go's, Rust's, Swift's).
_LANGUAGES = frozenset({"c", "cpp", "csharp", "java", "javascript", "typescript", "tsx"})
#: The keywords of headers with a condition (C++17's `if constexpr` is an `if`).
_KEYWORDS = r"(?:(?:else\s+)?if(?:\s+constexpr)?|for|foreach|while|using|lock|switch|catch)"
#: Its keyword, then the condition's `(`, whose `)` is checked to close at the header's end;
#: or a lone `else`. Not a `do` loop's `} while (x)`.
_KEYWORD = re.compile(rf"(?:\}}\s*)?{_KEYWORDS}\s*\(")
_ELSE = re.compile(r"(?:\}\s*)?(?:else|try|finally|catch)$")
#: Headers whose body is a block whatever the file's habit: `try`, `catch`, `finally` and
#: `switch` take no statement without braces.
_BLOCK_ONLY = re.compile(r"(?:\}\s*)?(?:try|finally|catch|switch)\b")
#: The languages that have them (C has a `switch` only).
_TRY_LANGUAGES = _LANGUAGES - {"c"}
#: A header with its `{` on its own line: the file's other style.
_WITH_BRACE = re.compile(
    rf"^\s*(?:\}}\s*)?(?:{_KEYWORDS}\s*\(.*\)|else|try|finally|catch)\s*\{{\s*$"
)
#: Bytes above the header read for the file's habit (some 200 lines).
_HABIT_BYTES = 8000


def is_control_header(code: str) -> bool:
    """Whether ``code`` (one statement's code, its lines joined, stripped) is a control
    statement's header awaiting its body: `if (a && b)`, `} else`, not `if (x) f(y)`."""
    if code.startswith("}") and code.lstrip("} \t").startswith("while"):
        return False  # a do loop's end, its `;` not typed yet
    if _ELSE.match(code):
        return True
    match = _KEYWORD.match(code)
    if match is None:
        return False
    level = 0
    for pos in range(match.end() - 1, len(code)):
        level += {"(": 1, ")": -1}.get(code[pos], 0)
        if not level:
            return pos == len(code) - 1
    return False


def allman_block_awaited(language: str, header: str, data: bytes, line_start: int) -> bool:
    """Whether the empty line at ``line_start`` after ``header`` (its code, lines joined)
    starts its block: a control header in a language where its body may be a statement
    without braces, in a file whose control headers above have their `{` on the next line
    more often than at their line's end."""
    if language not in _LANGUAGES or not is_control_header(header):
        return False
    block_only = _BLOCK_ONLY.match(header)
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
        elif line.strip() and is_control_header(line.strip()):
            own_line += below.strip().startswith("{")
        if line.strip():
            below = line
    return own_line > same_line
