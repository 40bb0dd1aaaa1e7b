"""Answers of the fake DeepSeek for the Neovim end-to-end test.

Loaded by ``python -m tests.fake_deepseek --responder e2e_responder:respond``. Every answer is
derived from the request, so the test does not depend on how many requests the editor makes or
in which order (a keystroke may or may not cancel the previous one; the server prefetches).

FIM: the last line of the prompt is the text before the cursor; if one of ``TARGETS`` starts
with it, the rest of that target comes back. On a blank line after a key of ``BLOCKS``, a
multi-line body comes back, and so it does after a header of ``BRACED``. ``CYCLE_PREFIX`` answers differently per sampling
temperature, which is how the server asks for several choices on an Invoked request.

Chat (review): one finding on the line ``return a / b``, wherever it is in the file.
"""

from __future__ import annotations

import json
import re
from typing import Any

TARGETS = (
    "    return a * b",
    'msg = fmt("héllo", "wörld")',
    # Taken word by word: a CJK word (3 bytes a character) and an emoji (4 bytes, 2 UTF-16 units).
    'tip = "价格 😀 total"',
    # Goes on past the string's auto-closed quote.
    'shout = "wörld".upper()',
    # builtin_completion.lua: Neovim's own completion menu.
    "    total = compute(a, b)",
    "    print(len(xs))",
    "    label = f'${price:.2f}'",
    # Longer than a menu label's 60 columns: its label is cut, ending in "…".
    "    totals = [compute(x, y) for x, y in pairs if x is not None and y > 0]",
    # editors/emacs/test/e2e.el: an astral character (two UTF-16 units) before the word typed.
    'grin = "\U0001F600".join(parts)',
    # editors/emacs/test/e2e.el: a shell option, a symbol of Emacs' shell modes with its "--".
    "ls --color=auto",
    # A comment after the code: a word accept takes its "# " as one piece, as VS Code does.
    "twice = n * 2  # double the count",
    # Words by the buffer's language, as VS Code's wordPattern has them: PHP's `$price`, CSS's
    # `margin-top` are one word each (a `$` alone, then `price`, by the default pattern).
    "$total = $price * $qty;",
    "  margin-top: 4px;",
)
#: A block body, answered when the line before the cursor's (blank) line is the key.
BLOCKS = {
    "def sub(a, b):": "diff = a - b\n    return diff",
    # Its last line stands left of the line above it: Enter's autoindent goes deeper than it.
    "def clamp(x):": "if x < 0:\n        return 0\n    return x",
    # The same, with a line after the one left of the line above it.
    "def limit(x):": "if x < 0:\n        return 0\n    y = x\n    return y",
    # The same, for a file whose only tab-led line is the blank one typed on (noexpandtab).
    "def bound(x):": "if x < 0:\n        return 0\n    return x",
    # The same, its last line led by a letter and a combining accent (two code points, one character).
    "def accent(x):": "if x < 0:\n        return 0\n    e\u0301 = x",
}
# A method whose first line the user types into an autopair's `()`: its last line ends in a `)`
# too. One class per accept key the test tries, each asked afresh.
BLOCKS.update(
    (f"class {name}(object):", "    def __init__(self, start, end):\n        self.start = start\n        self.end = max(start, end)")
    for name in ("Event", "Span", "Slot")
)
#: A body between a header's `{` and the `}` the editor closed it with, by the header.
BRACED = {
    "function add(a, b) {": "\n  return a + b;\n",
    # Its first line goes on the header's line, before the '}'.
    "function mul(a, b) {": " // the product\n  return a * b;\n",
    # Its inner block's '}' stands left of the line above it: Enter's autoindent goes deeper.
    "function sign(x) {": "\n  if (x < 0) {\n    return -1;\n  }\n  return 1;\n",
    # An empty TypeScript object literal's members, asked as a block between its braces.
    "const o = {": "\n  name: 'x',\n  size: 2,\n",
}
#: A body after a lone `{` (Allman style), by the header above the brace: its first line
#: where the cursor is, the next ones a level in from the brace and the closer under it.
ALLMAN = {
    "Task.Run(() =>": "Work();\n{brace}    Done();\n{brace}}});",
    # An object initializer's entries, above the `}` the editor put below: its `;` comes after.
    "var p = new Point": "X = 1,\n{brace}    Y = 2,\n{brace}}};",
}
#: Blocks a body leaves open (a class's `{`, a method's header), between a lone `{` and the
#: `}` an autopair mapping added, by the header above the `{`.
OPENED = {
    "namespace App": (
        "\n    public static class Main\n    {\n        public static void PrintJson()\n    "
    ),
    "    namespace Inner": "\n        static class Main\n        {\n            static void Print()\n",
}
#: A docstring's text after its opening quotes, answered on the line of those quotes (or the
#: start of the text typed after them) below the function's header.
DOCSTRINGS = {"def double(x):": 'Double x.\n\n    Returns twice x, for the caller\n    to use.\n    """'}
CYCLE_PREFIX = "choice = "
CYCLE = ((0.0, "pick(1)"), (0.6, "pick(2)"), (0.9, "pick(3)"))
#: editors/emacs/test/e2e.el: bodies per temperature after this header, of one first line.
BODY_CHOICES_HEADER = "def pick(x):"
BODY_CHOICES = (
    (0.0, "if x < 0:\n        return 0\n    return x"),
    (0.6, "if x < 0:\n        return -x\n    return x"),
    (0.9, "if x < 0:\n        raise ValueError(x)\n    return x"),
)
REVIEW_CODE = "return a / b"
REVIEW_FIX = "return a / b if b else 0.0"
_REVIEW_LINE = re.compile(r"^(\d+)\| +return a / b\s*$", re.M)


def respond(body: dict[str, Any]) -> str:
    if "messages" in body:
        return _review(body)
    prompt = (body.get("prompt") or body.get("input_prefix") or "").replace("\r\n", "\n")
    lines = prompt.rsplit("\n", 2)
    line = lines[-1]
    if len(lines) > 1 and lines[-2] in BLOCKS and not line.strip():
        return BLOCKS[lines[-2]]
    if line in BRACED:
        return BRACED[line]
    if len(lines) > 1 and line.strip() == "{" and lines[-2] in OPENED:
        return OPENED[lines[-2]]
    allman = prompt.rsplit("\n", 3)
    if len(allman) == 4 and allman[-2].strip() == "{" and not line.strip() and allman[-3].strip() in ALLMAN:
        brace = allman[-2][: len(allman[-2]) - len(allman[-2].lstrip())]
        return ALLMAN[allman[-3].strip()].format(brace=brace)
    if len(lines) > 1 and lines[-2] in DOCSTRINGS:
        whole = '    """' + DOCSTRINGS[lines[-2]]
        if line.startswith('    """') and whole.startswith(line):
            return whole[len(line) :]
    temperature = float(body.get("temperature") or 0.0)
    if len(lines) > 1 and lines[-2] == BODY_CHOICES_HEADER and not line.strip():
        return min(BODY_CHOICES, key=lambda c: abs(c[0] - temperature))[1]
    if line.endswith(CYCLE_PREFIX):
        return min(CYCLE, key=lambda c: abs(c[0] - temperature))[1]
    for target in TARGETS:
        if target.startswith(line) and len(target) > len(line):
            return target[len(line) :]
    return ""


def _review(body: dict[str, Any]) -> str:
    text = "\n".join(str(m.get("content") or "") for m in body.get("messages", []))
    findings = []
    match = _REVIEW_LINE.search(text)
    if match:
        findings.append(
            {
                "severity": "warning",
                "line": int(match.group(1)),
                "code": REVIEW_CODE,
                "message": "Division by zero when b is 0.",
                "suggestion": REVIEW_FIX,
                "confidence": 0.9,
            }
        )
    return json.dumps({"findings": findings, "summary": "e2e"})
