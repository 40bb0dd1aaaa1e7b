"""Answers of the fake DeepSeek for the exploration run (explore.mjs): what the real file holds next.

FIM: the prompt's last lines are found in one of the originals in ``explore/`` and the answer is
the original's text from there to where the suffix's head is found again (the part of the file
the scenario removed), as a model that knows the file would write it. The mode file
(``EXPLORE_MODE_FILE``) may say ``overshoot``: the answer then runs on through the closing line
after that part (a model repeating the "}" the editor already has).
Chat (review): one finding on each original's division line, with a fix.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from tests.explore_fake import review_answer, suffix_found_again, where_prompt_ends

HERE = Path(__file__).resolve().parent
ORIGINALS = {p.name: p.read_text() for p in sorted((HERE / "explore").iterdir()) if p.is_file()}
FINDINGS = {
    "sum / count": ("Division by zero on an empty inventory.", "if count == 0 { 0 } else { sum / count }"),
    "return total() / orders.size();": ("Division by zero with no orders.", "return orders.isEmpty() ? 0 : total() / orders.size();"),
    "return this.total() / this.lines.length;": ("NaN for an empty cart.", "return this.lines.length ? this.total() / this.lines.length : 0;"),
    "return Balance() / entries.Count;": ("DivideByZeroException with no entries.", "return entries.Count == 0 ? 0 : Balance() / entries.Count;"),
    'addr := fmt.Sprintf("%s:%d", cfg.Host, cfg.Port)': ("Use net.JoinHostPort for IPv6 hosts.", "addr := net.JoinHostPort(cfg.Host, fmt.Sprint(cfg.Port))"),
    'mime = pref.split(":", 1)[1]': ("IndexError on a data URL without ':'.", 'mime = pref.partition(":")[2]'),
    "output += `${result.filePath}:`;": ("An undefined filePath prints 'undefined'.", 'output += `${result.filePath ?? "<text>"}:`;'),
    "share_north = north_total / grand_total": ("ZeroDivisionError with no sales.", "share_north = north_total / grand_total if grand_total else 0.0"),
    "const average = total / items.length;": ("NaN for an empty cart.", "const average = items.length ? total / items.length : 0;"),
}


def _mode() -> str:
    path = os.environ.get("EXPLORE_MODE_FILE")
    try:
        return Path(path).read_text().strip() if path else ""
    except OSError:
        return ""


def _fim(prompt: str, suffix: str) -> str:
    found = where_prompt_ends(ORIGINALS, prompt)
    if not found:
        return ""
    text, at = found
    end = suffix_found_again(text, at, suffix)
    if end < 0:
        # The suffix's first line is the editor's closer ("}" where the file has "};"): the model
        # writes up to the file's line that starts so, its ";" too.
        first = next((ln.strip() for ln in suffix.split("\n") if ln.strip()), "")
        if first:
            m = re.compile(r"^[ \t]*" + re.escape(first) + r".*$", re.MULTILINE).search(text, at)
            end = m.end() if m else -1
    if end < 0:
        # No suffix found again: the rest of the line, or the next block when the line is empty.
        line_end = text.find("\n", at)
        end = line_end if line_end > at else text.find("\n\n", at)
    if _mode() == "overshoot":
        line_end = text.find("\n", end + 1)
        end = line_end if line_end >= 0 else len(text)
    return text[at:end]


def _review(messages: list[dict[str, Any]]) -> str:
    return review_answer(messages, ((code, message, fix) for code, (message, fix) in FINDINGS.items()))


def answer(body: dict[str, Any]) -> str:
    if isinstance(body.get("messages"), list):
        return _review(body["messages"])
    return _fim(str(body.get("prompt") or ""), str(body.get("suffix") or ""))
