"""Optional request fields a server refuses by name, left out (or renamed) from then on.

vLLM, SGLang, llama-server and Ollama ignore fields they do not know; OpenAI (and Azure), a
FastAPI server whose models forbid extra fields, LiteLLM's proxy without ``drop_params``, Groq
and Gemini refuse the whole request instead, naming the field. Where the field is one a request
can go without and still ask what it asked, it is left out and the request sent again once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from .backends import HttpCall
from .errors import ModelError, RequestError

#: Fields a request goes without: the server's default temperature; no stop sequences
#: (applied to the answer here, the stream closed at one); no thinking switch or effort
#: (DeepSeek's own, sent to DeepSeek hosts and gateways in front of them); llama-server's
#: ``cache_prompt`` and ``input_extra`` (other files' snippets: context lost, not the
#: completion). Not the model, the prompt, FIM's ``suffix`` (the model would write blind to
#: the code below), the messages, ``max_tokens`` or ``stream``. ``stream_options`` and
#: ``response_format`` have their own handling (stream.py, client.py).
OPTIONAL_FIELDS = ("temperature", "stop", "thinking", "reasoning_effort", "cache_prompt", "input_extra")
#: Fields a server takes under another name, which its refusal names: OpenAI's reasoning
#: models' "Unsupported parameter: 'max_tokens' ... Use 'max_completion_tokens' instead" (left
#: out, the model would write on to its own limit).
RENAMED_FIELDS = {"max_tokens": "max_completion_tokens"}

#: Words saying a field is not taken at all (not that its value is out of range): OpenAI's
#: "Unrecognized request argument supplied: x", pydantic's "Extra inputs are not permitted",
#: LiteLLM's "does not support parameters: ['x']", Groq's "property 'x' is unsupported",
#: Gemini's 'Unknown name "x": Cannot find field.', serde's "unknown field `x`".
_NOT_TAKEN = re.compile(
    r"unrecogni[sz]ed|\bunknown\b|unsupported|not supported|does not support|not permitted"
    r"|not allowed|extra inputs|extra fields|cannot find field",
    re.IGNORECASE,
)


def refused_field(error: ModelError, call: HttpCall) -> str | None:
    """The optional field of ``call`` that ``error`` refuses by name, or None."""
    if not isinstance(error, RequestError) or error.status not in (400, 422):
        return None
    said = error.provider_message or ""
    if not _NOT_TAKEN.search(said):
        return None
    renamed = (name for name, new in RENAMED_FIELDS.items() if new in said)
    for name in (*OPTIONAL_FIELDS, *renamed):
        if name in call.body and re.search(rf"(?<![\w-]){name}(?![\w-])", said):
            return name
    return None


def without_fields(call: HttpCall, names: Iterable[str]) -> HttpCall:
    """``call`` without the fields ``names``, or with them under their new names (see
    RENAMED_FIELDS)."""
    refused = set(names)
    if not refused.intersection(call.body):
        return call
    body = {RENAMED_FIELDS.get(k, k) if k in refused else k: v for k, v in call.body.items()}
    return replace(call, body={k: v for k, v in body.items() if k not in refused})
