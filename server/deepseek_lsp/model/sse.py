"""Server-sent events as DeepSeek and OpenAI-compatible servers send them.

Two layers, both pure and incremental so they can be fed network chunks cut anywhere:

* :class:`SSEDecoder` turns bytes into event payloads (``data:`` lines joined per event),
  counting comment lines (``: keep-alive``) and ignoring blank keep-alive lines;
* :class:`ChunkAccumulator` interprets the JSON payloads of one completion stream in one of three
  dialects (``text``: ``/completions``, ``chat``: ``/chat/completions``, ``llamacpp``: ``/infill``)
  and collects text, finish reason and usage, whichever chunk carries them.

Our own decoder instead of httpx-sse's: it works on raw bytes (one UTF-8 decode per event, not
per line) and exposes the comment count, which tests and diagnostics use.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Mapping
from typing import Any, Literal

from .errors import MalformedResponse, ModelError, ServerError, error_for_status
from .types import Usage

__all__ = ["DONE", "ChunkAccumulator", "Dialect", "SSEDecoder"]

DONE = "[DONE]"
Dialect = Literal["text", "chat", "llamacpp"]


class SSEDecoder:
    """Incremental SSE decoder yielding the ``data`` of each event.

    Line ends may be ``\\n``, ``\\r\\n`` or ``\\r``; a chunk may end between ``\\r`` and ``\\n``.
    An ``error`` field (llama.cpp's streamed failures) becomes an ``{"error": ...}`` payload.
    Other fields (``event``, ``id``, ``retry``) are not used by these servers and are ignored.
    """

    __slots__ = ("_buf", "_data", "_pending_cr", "_utf8", "comments")

    def __init__(self) -> None:
        self._buf = ""
        self._data: list[str] = []
        self._pending_cr = False
        self._utf8 = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.comments = 0  # keep-alive comment lines seen: proof of life, not of progress

    def feed(self, chunk: bytes) -> list[str]:
        text = self._utf8.decode(chunk)
        if not text:
            return []
        if self._pending_cr:
            self._pending_cr = False
            if text[0] == "\n":
                text = text[1:]
        buf = self._buf + text
        if "\r" in buf:
            if buf.endswith("\r"):
                self._pending_cr = True
            buf = buf.replace("\r\n", "\n").replace("\r", "\n")
        lines = buf.split("\n")
        self._buf = lines.pop()
        out: list[str] = []
        for line in lines:
            self._line(line, out)
        return out

    def flush(self) -> list[str]:
        """End of stream. Browsers drop an unterminated last event; we keep it, because a server
        that closes right after its last ``data:`` line has still said it."""
        out: list[str] = []
        tail = self._buf + self._utf8.decode(b"", final=True)
        self._buf = ""
        if tail:
            self._line(tail, out)
        self._line("", out)
        return out

    def _line(self, line: str, out: list[str]) -> None:
        if not line:
            if self._data:
                out.append("\n".join(self._data))
                self._data = []
            return
        if line[0] == ":":
            self.comments += 1
            return
        name, sep, value = line.partition(":")
        if name not in ("data", "error"):
            return
        if sep and value.startswith(" "):
            value = value[1:]
        if name == "error":
            # llama.cpp's server streams a failure after its 200 as an ``error:`` field (a prompt
            # over the context size): passed on as the ``{"error": ...}`` payload other servers
            # send, so the user reads what went wrong instead of "the stream ended early".
            try:
                detail = json.loads(value)
            except ValueError:
                detail = value
            value = json.dumps({"error": detail})
        self._data.append(value)


def _as_dict(value: Any) -> Mapping[str, Any] | None:
    return value if isinstance(value, Mapping) else None


class ChunkAccumulator:
    """Collects one completion stream's text, finish reason and usage.

    Never trusts ``choices[0]``: the usage-only chunk has ``choices: []``, and only the choice
    with ``index`` 0 (or no index) is ours since we never ask for ``n > 1``.
    """

    __slots__ = ("dialect", "done", "finish_reason", "parts", "reasoning_parts", "usage")

    def __init__(self, dialect: Dialect = "text") -> None:
        self.dialect: Dialect = dialect
        self.parts: list[str] = []
        self.reasoning_parts: list[str] = []
        self.finish_reason: str | None = None
        self.usage: Usage | None = None
        self.done = False  # [DONE] seen, or llama.cpp's ``stop: true``

    @property
    def text(self) -> str:
        return "".join(self.parts)

    @property
    def reasoning(self) -> str:
        return "".join(self.reasoning_parts)

    def feed(self, data: str) -> str:
        """Consume one event payload; return the text it adds ("" if none)."""
        if self.done:
            return ""  # anything after [DONE] is noise
        stripped = data.strip()
        if stripped == DONE:
            self.done = True
            return ""
        if not stripped:
            return ""
        try:
            obj = json.loads(stripped)
        except ValueError:
            raise MalformedResponse(
                f"invalid JSON in stream: {stripped[:80]!r}", kind="bad_json"
            ) from None
        if not isinstance(obj, Mapping):
            raise MalformedResponse("stream chunk is not a JSON object", kind="bad_json")
        if "error" in obj:
            raise _stream_error(obj["error"])
        usage = _as_dict(obj.get("usage"))
        if usage is not None:
            reported = Usage.from_api(usage, _as_dict(obj.get("timings")))
            # Ollama puts an all-zero usage on every chunk when usage is asked for, the real one
            # on the last: a stream cut before it would be recorded as 0 tokens, not estimated.
            if reported.prompt_tokens or reported.completion_tokens:
                self.usage = reported
        if self.dialect == "llamacpp":
            return self._llamacpp(obj)
        choices = obj.get("choices")
        if not isinstance(choices, list):
            return ""
        delta_text = ""
        for choice in choices:
            choice = _as_dict(choice)
            if choice is None or choice.get("index", 0) != 0:
                continue
            if self.dialect == "chat":
                delta = _as_dict(choice.get("delta")) or _as_dict(choice.get("message")) or {}
                piece = delta.get("content")
                # DeepSeek's name; vLLM (which dropped the other in 2026), SGLang, Ollama and
                # OpenRouter say ``reasoning``: their thinking was not counted in a review's
                # estimated usage when its report never came (cancelled, cut).
                thought = delta.get("reasoning_content") or delta.get("reasoning")
                if isinstance(thought, str) and thought:
                    self.reasoning_parts.append(thought)
            else:
                piece = choice.get("text")
            if isinstance(piece, str) and piece:
                delta_text += piece
            reason = choice.get("finish_reason")
            if isinstance(reason, str) and reason:
                self.finish_reason = _FINISH_ALIASES.get(reason.lower(), reason)
        if delta_text:
            self.parts.append(delta_text)
        return delta_text

    def _llamacpp(self, obj: Mapping[str, Any]) -> str:
        piece = obj.get("content")
        text = piece if isinstance(piece, str) else ""
        if text:
            self.parts.append(text)
        if obj.get("stop") is True:
            self.done = True
            # llama.cpp: stop_type "limit" = n_predict reached; "eos"/"word" = natural stop.
            # Builds before stop_type (late 2024, still packaged) say stopped_limit instead:
            # read as a natural stop, a block cut mid-line was shown with its half line.
            cut = obj.get("stop_type") == "limit" or obj.get("stopped_limit") is True
            self.finish_reason = "length" if cut or obj.get("truncated") else "stop"
            timings = _as_dict(obj.get("timings")) or {}
            cached = _int_or(timings.get("cache_n"), 0)
            # timings.prompt_n counts only the tokens evaluated anew, the cached ones are
            # cache_n (the count Ollama 0.30 reported as the whole prompt, #16414).
            prompt = _int_or(obj.get("tokens_evaluated"), _int_or(timings.get("prompt_n"), 0) + cached)
            if self.usage is None:
                predicted = _int_or(
                    obj.get("tokens_predicted"), _int_or(timings.get("predicted_n"), 0)
                )
                hit = min(cached, prompt)
                self.usage = Usage(prompt, predicted, hit, prompt - hit, tells_hits="cache_n" in timings)
        return text


#: Other servers' names for OpenAI's ``stop`` (a natural end, or a stop sequence met) and
#: ``length``: text-generation-inference before 2.2 (``eos_token``, ``stop_sequence``),
#: Together (``eos``), Anthropic-style gateways (``end_turn``, ``max_tokens``), Gemini's upper
#: case. Taken as they came, a whole review answer ending ``eos_token`` was "incomplete", never
#: cached, and the review CLI exited 2 on it.
_FINISH_ALIASES = {
    "stop": "stop",
    "eos_token": "stop",
    "eos": "stop",
    "stop_sequence": "stop",
    "end_turn": "stop",
    "length": "length",
    "max_tokens": "length",
}


def _stream_error(err: Any) -> ModelError:
    msg = str(err.get("message") if isinstance(err, Mapping) else err)
    code = err.get("code") if isinstance(err, Mapping) else None
    if isinstance(code, str) and code.strip().isdecimal():
        code = int(code)  # LiteLLM's proxy sends the status as a string ("400")
    # llama.cpp and vLLM give the HTTP status the error stands for: a 400 (the prompt exceeds
    # the context size) is the request's fault, which asking again cannot mend.
    if isinstance(code, int) and not isinstance(code, bool) and 400 <= code < 600:
        return error_for_status(code, provider_message=msg)
    if msg.startswith(_NO_SUCH_PATH):
        # LM Studio answers a path it does not serve (a baseUrl without /v1) with 200 and this
        # error: a 404 in all but status, told as one (check baseUrl), never retried.
        return error_for_status(404, provider_message=msg)
    return ServerError(f"error in stream: {msg}", provider_message=msg)


#: LM Studio's answer, with status 200, to an unknown path: "Unexpected endpoint or method.
#: (POST /completions)" (lmstudio-ai/lmstudio-bug-tracker#618).
_NO_SUCH_PATH = "Unexpected endpoint or method."


def _int_or(value: Any, default: int) -> int:
    return (
        value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else default
    )
