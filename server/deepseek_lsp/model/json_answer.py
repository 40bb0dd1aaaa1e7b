"""JSON out of a model's answer as chat models write it: bare, in a Markdown fence, or after a
sentence. Servers that ignore ``response_format`` (or models without constrained decoding)
answer ```` ```json {...}``` ````; the review reads that, so the client must not call it invalid."""

from __future__ import annotations

import json
import re
from typing import Any

FENCE = re.compile(r"^\s*```[\w+-]*[ \t]*\n(.*?)\n?```\s*$", re.S)


def unfence(text: str) -> str:
    """The inside of a whole-answer Markdown fence, else the text."""
    m = FENCE.match(text)
    return m.group(1).strip() if m else text


def load_json_answer(text: str) -> Any:
    """The JSON value of an answer (fence and prose around it tolerated); None if there is none."""
    text = unfence(text.strip())
    try:
        return json.loads(text)
    except ValueError:
        pass
    # Prose around the object ("Here is the review: {...}"): decode from the first brace.
    start = text.find("{")
    if start < 0:
        return None
    try:
        value, _ = json.JSONDecoder().raw_decode(text, start)
    except ValueError:
        return None
    return value
