"""Answers of the fake DeepSeek for explore_review.mjs: completions as the e2e fake gives them
(``fake_answers``), and a reviewer flagging a part of a line (not the whole line), so that the
editor's range and the fix's characters can be checked on CRLF and non-ASCII lines."""

from __future__ import annotations

import json
import re
from typing import Any

from fake_answers import _fim

# code quoted -> (message, fix of that code alone)
FINDINGS = {
    "ratio = part / whole": ("Division by zero when whole is 0.", "if not whole:\n        return 0.0\n    ratio = part / whole"),
    "total / count": ("Division by zero with no items.", "(total / count if count else 0)"),
    "int(texte)": ("ValueError on a non-numeric text.", "int(texte) if texte.isdigit() else 0"),
}


def _review(messages: list[dict[str, Any]]) -> str:
    text = "\n".join(str(m.get("content") or "") for m in messages if m.get("role") == "user")
    found = []
    for code, (message, fix) in FINDINGS.items():
        match = re.search(rf"^(\d+)\| +.*{re.escape(code)}.*$", text, re.MULTILINE)
        if match:
            found.append({"severity": "warning", "line": int(match.group(1)), "code": code,
                          "message": message, "suggestion": fix, "confidence": 0.9})
    return json.dumps({"findings": found, "summary": "Checked by the exploring reviewer."})


def answer(body: dict[str, Any]) -> str:
    if isinstance(body.get("messages"), list):
        return _review(body["messages"])
    return _fim(str(body.get("prompt") or ""), float(body.get("temperature") or 0.0))
