"""The fake model of the editors' explorations (editors/vscode/test/explore_answers.py,
editors/neovim/test/explore_responder.py), which answer what an original file holds next:
where the text after the cursor is found again in it, and a reviewer giving one finding, with
its fix, on each line of the reviewed text that holds one of the given pieces of code."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any


def review_answer(messages: list[dict[str, Any]], findings: Iterable[tuple[str, str, str]]) -> str:
    """The chat answer for ``messages``: ``findings`` is (code, message, fix) each."""
    text = "\n".join(str(m.get("content") or "") for m in messages if m.get("role") == "user")
    found = []
    for code, message, fix in findings:
        match = re.search(rf"^(\d+)\| +(.*{re.escape(code)}.*)$", text, re.MULTILINE)
        if match:
            line = match.group(2).strip()
            found.append({"severity": "warning", "line": int(match.group(1)), "code": line,
                          "message": message, "suggestion": line.replace(code, fix), "confidence": 0.9})
    return json.dumps({"findings": found, "summary": "Checked by the exploring reviewer."})


def suffix_found_again(text: str, at: int, suffix: str) -> int:
    """Where in ``text``, from ``at``, the head of ``suffix`` is (the longest of a few sizes
    found); -1 where none is."""
    for size in (300, 120, 60, 30, 12):
        head = suffix[:size]
        if len(head.strip()) < 3:
            continue
        end = text.find(head, at)
        if end >= 0:
            return end
    return -1


def where_prompt_ends(originals: Mapping[str, str], prompt: str) -> tuple[str, int] | None:
    """The original's text and the offset in it where the prompt's text ends: its last lines found in
    one original alone, the cursor's line as typed, else with another indent (an editor's
    autoindent)."""
    lines = prompt.split("\n")
    current = lines[-1]
    for back in (8, 6, 4, 2, 1):
        if back >= len(lines):
            continue
        before = "\n".join(lines[-1 - back : -1])
        if not before.strip():
            continue
        typed = re.escape(before + "\n" + current)
        for pattern in (typed, re.escape(before + "\n") + r"[ \t]*" + re.escape(current.lstrip())):
            hits = [(text, m.end()) for text in originals.values() for m in re.finditer(pattern, text)]
            if len(hits) == 1:
                return hits[0]
    return None
