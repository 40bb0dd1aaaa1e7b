"""JSON out of a model's answer as chat models write it: bare, in a Markdown fence, or after a
sentence. Servers that ignore ``response_format`` (or models without constrained decoding)
answer ```` ```json {...}``` ````; the review reads that, so the client must not call it invalid."""

from __future__ import annotations

import json
import re
from typing import Any

FENCE = re.compile(r"^\s*```[\w+-]*[ \t]*\n(.*?)\n?```\s*$", re.S)
THINK_END = "</think>"


def unfence(text: str) -> str:
    """The inside of a whole-answer Markdown fence, else the text."""
    m = FENCE.match(text)
    return m.group(1).strip() if m else text


def _after_thinking(text: str) -> str:
    # A reasoning model served without a reasoning parser (vLLM, llama.cpp) writes its thoughts
    # into the answer, ``<think>`` often in the prompt already: the answer follows the last
    # ``</think>``. The thoughts draft JSON of their own.
    _, sep, tail = text.rpartition(THINK_END)
    return tail.strip() if sep and tail.strip() else text


#: What may follow a backslash in a JSON string.
_ESCAPES = frozenset('"\\/bfnrtu')


def _mended(text: str) -> str:
    """``text`` with the slips of models served without constrained decoding mended: commas
    before a closing ``]`` or ``}`` (as in JavaScript) dropped, and a backslash that starts no
    JSON escape (``\\d`` of a regex, ``C:\\Users`` quoted as the code has it) doubled. Neither
    is in valid JSON, which stays as it was. The reader took the largest object it could read
    instead, one finding, and the answer read as "no findings" (cached as such)."""
    if "," not in text and "\\" not in text:
        return text
    out: list[str] = []
    in_string = escaped = False
    for i, ch in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                if text[i + 1 : i + 2] not in _ESCAPES:  # "" at the end: not in it either
                    out.append("\\\\")
                    continue
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch == ",":
            j = i + 1
            while j < len(text) and text[j] in " \t\r\n":
                j += 1
            if j < len(text) and text[j] in "]}":
                continue
        out.append(ch)
    return "".join(out)


def load_json_answer(text: str) -> Any:
    """The JSON value of an answer (fence, prose and thinking around it tolerated); None if
    there is none, or if the answer's object is cut short (a caller salvages what it can)."""
    text = unfence(_after_thinking(text.strip()))
    try:
        return json.loads(text)
    except ValueError:
        pass
    text = _mended(text)
    try:
        return json.loads(text)
    except ValueError:
        pass
    # Prose around the object ("Here is the review: {...}"). The prose may quote code with
    # braces of its own ("`d = {}`", "`f() {return}`") before the answer: every object in the
    # text is read, and the largest one is the answer.
    decoder = json.JSONDecoder()
    best: Any = None
    best_size = 0
    start = text.find("{")
    while start >= 0:
        try:
            value, end = decoder.raw_decode(text, start)
        except json.JSONDecodeError as exc:
            cut = exc.pos >= len(text) or exc.msg.startswith("Unterminated string")
            if cut and text[start + 1 :].lstrip().startswith('"'):
                return None  # an object running to the end of the text: the answer cut short
            start = text.find("{", start + 1)
            continue
        if end - start > best_size:
            best, best_size = value, end - start
        start = text.find("{", end)
    return best
