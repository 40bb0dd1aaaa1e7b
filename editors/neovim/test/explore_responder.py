"""Answers of the fake DeepSeek for the Neovim exploration (explore.lua): what the real file holds next.

Loaded by ``python -m tests.fake_deepseek --responder explore_responder:respond``. The originals are
the files of ``EXPLORE_DIR``. FIM: the prompt's last lines are found in one original and the
answer is its text from there up to where the suffix's head is found again (the part the
scenario removed), at most ``EXPLORE_MAX_LINES`` lines (a model stops somewhere), as a model that
knows the file would write it; with ``EXPLORE_OVERSHOOT`` set, on through the line after that
(a model repeating the closer the editor has). Where the suffix starts with closers an autopair mapping put
there, they are skipped when looking for its head. Chat (review): one finding per line of
``EXPLORE_DIR/findings.json`` (``{"file": [code, message, fix]}``) found in the reviewed text.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from tests.explore_fake import review_answer, suffix_found_again, where_prompt_ends

_DIR = Path(os.environ.get("EXPLORE_DIR") or ".")
ORIGINALS = {p.name: p.read_text() for p in sorted(_DIR.iterdir()) if p.is_file() and p.name != "findings.json"}
_FINDINGS_FILE = _DIR / "findings.json"
FINDINGS: dict[str, list[str]] = json.loads(_FINDINGS_FILE.read_text()) if _FINDINGS_FILE.is_file() else {}
MAX_LINES = int(os.environ.get("EXPLORE_MAX_LINES") or "8")
_CLOSERS = ")]}\"'`"


def _end(text: str, at: int, suffix: str) -> int:
    for tail in (suffix, suffix.lstrip(_CLOSERS + " \t")):
        end = suffix_found_again(text, at, tail)
        if end >= 0:
            return end
    line_end = text.find("\n", at)
    return line_end if line_end > at else text.find("\n\n", at)


def _fim(prompt: str, suffix: str) -> str:
    found = where_prompt_ends(ORIGINALS, prompt)
    if not found:
        return ""
    text, at = found
    end = _end(text, at, suffix)
    if os.environ.get("EXPLORE_OVERSHOOT") and end >= at:
        # A model writing on through the line after the part (the "}" the editor has already).
        line_end = text.find("\n", end + 1)
        end = line_end if line_end >= 0 else len(text)
    answer = text[at:end] if end >= at else ""
    kept = answer.split("\n")
    if len(kept) > MAX_LINES:
        answer = "\n".join(kept[:MAX_LINES])
    return answer


def respond(body: dict[str, Any]) -> str:
    if isinstance(body.get("messages"), list):
        return review_answer(body["messages"], FINDINGS.values())
    prompt = str(body.get("prompt") or body.get("input_prefix") or "").replace("\r\n", "\n")
    return _fim(prompt, str(body.get("suffix") or "").replace("\r\n", "\n"))
