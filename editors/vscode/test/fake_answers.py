"""Answers of the fake DeepSeek for the VS Code end-to-end test (``--responder fake_answers:answer``).

FIM: completes the line being typed towards one of ``LINES`` (so "    ret" gets "urn a + b", and
"unit = ar", typed in the fixture notebook's last cell, gets "ea(1.0)"); an empty line under
``BLOCK_AFTER`` gets ``BLOCK``, one under ``INIT_AFTER`` ``INIT``.
Chat (review): one finding on ``return a / b`` (the fixture file) and one on the fixture
notebook's ``return math.pi * r ** 2``, each at the line number the prompt shows for it.
"""

from __future__ import annotations

import json
import re
from typing import Any

# The status bar's spinner steps type lines no earlier step did, so that no answer comes from
# the server's cache: "    res" gets "ult = a * b", "    quo" "tient = a // b".
LINES = ["    return a + b", "unit = area(1.0)", "    result = a * b", "    quotient = a // b"]
# The closer-typed-after-accept step: typed in VS Code's auto-closed "max(|)", answered with
# the rest of the line, its ")" too, as a model writes it.
LINES.append("    biggest = max(a, b)")
# The prefetch-stopped-by-a-click step: its line, and a block after it, slow to stream (the step
# sets 0.1 s a 4-character piece: ~3.9 s, under the server's 5 s time limit, which would cut a
# longer one itself), which the prefetch (what follows accepting the line) gets.
LINES.append("    moved = a - b")
MOVED_AFTER = "    moved = a - b"
MOVED_BLOCK = "\n    total = moved * 2" * 7
# The cycled-choice-typed-through step: a line whose three choices (the server asks the extra
# ones at other temperatures) share their start, so that typing through the second agrees with
# the first too.
CYCLE_LINE = "    pick = "
CYCLE = ((0.0, "compute(a, b)"), (0.6, "compute(b, a)"), (0.9, "compute(a, a)"))
# The comment-closed-by-the-editor step: a C comment typed before VS Code's "*/", which the
# model writes too, as it would with none there.
LINES.append("/* Returns the sum of a and b. */")
# The self-hosted step's line, answered by the fake Ollama once its address is set right.
LINES.append("    mean = (a + b) / 2")
# The key-typed-during-restart step: "    restarte", its last key typed while the server
# restarts, gets "d = a % b" once the new server is up; the timeout-named step's line, whose
# request the fake stalls past the server's time limit.
LINES.append("    restarted = a % b")
LINES.append("    stalled = a ** b")
# The object-literal-members step: "const o = {" typed in TypeScript, VS Code's "}" after the
# cursor; the model writes the members over lines, the editor's "}" ending them.
OBJECT_AFTER = "const o = {"
OBJECT = "\n    a: 1,\n    b: 2,\n"
# The tab-indented-block step: the body of "def bound(x):" in the model's four spaces, which
# the server writes in the editor's tabs.
BLOCK_AFTER = "def bound(x):\n"
BLOCK = "if x < 0:\n        return 0\n    return x"
# The initializer-semicolon step: "std::vector<int> v {" Enter in C++, VS Code's "}" below; the
# model writes the entries and the "};" that ends the declaration, as it would with no "}" there.
INIT_AFTER = "std::vector<int> v {\n"
INIT = "1, 2, 3,\n    };"
# The TypeScript initializer step: the same in a file of ";" statements, where ASI would end
# the declaration without one.
TS_INIT_AFTER = "const box: Box = {\n"
TS_INIT = "w: 1,\n    };"
# The open-blocks step: a class's constructor left open, between "{" and the editor's "}".
OPENED_AFTER = "class Shop {"
OPENED = "\n    constructor(items) {\n        this.items = items;\n"
FINDING_CODE = "return a / b"
FIX = "return a / b if b else 0.0"
MESSAGE = "Division by zero when b is 0."
NOTEBOOK_CODE = "return math.pi * r ** 2"
NOTEBOOK_MESSAGE = "A negative radius is not rejected."


def _fim(prompt: str, temperature: float = 0.0) -> str:
    line = prompt.rsplit("\n", 1)[-1]
    if line == CYCLE_LINE:
        return min(CYCLE, key=lambda c: abs(c[0] - temperature))[1]
    if line == OPENED_AFTER:
        return OPENED
    if line == OBJECT_AFTER:
        return OBJECT
    if prompt.endswith(BLOCK_AFTER + line) and not line.strip():
        return BLOCK
    if prompt.endswith(INIT_AFTER + line) and not line.strip():
        return INIT
    if prompt.endswith(TS_INIT_AFTER + line) and not line.strip():
        return TS_INIT
    if line == MOVED_AFTER:
        return MOVED_BLOCK
    for target in LINES:
        if target.startswith(line) and target != line:
            return target[len(line):]
    return ""


def _review(messages: list[dict[str, Any]]) -> str:
    text = "\n".join(str(m.get("content") or "") for m in messages if m.get("role") == "user")
    findings = []
    for code, message, fix in ((FINDING_CODE, MESSAGE, FIX), (NOTEBOOK_CODE, NOTEBOOK_MESSAGE, "")):
        match = re.search(rf"^(\d+)\| +{re.escape(code)}$", text, re.MULTILINE)
        if match:
            findings.append(
                {
                    "severity": "warning",
                    "line": int(match.group(1)),
                    "code": code,
                    "message": message,
                    "suggestion": fix,
                    "confidence": 0.9,
                }
            )
    return json.dumps({"findings": findings, "summary": "Checked by the fake reviewer."})


def answer(body: dict[str, Any]) -> str:
    if isinstance(body.get("messages"), list):
        return _review(body["messages"])
    return _fim(str(body.get("prompt") or ""), float(body.get("temperature") or 0.0))
