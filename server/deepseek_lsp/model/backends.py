"""Backend profiles: the wire dialects a completion or chat request can be spoken in.

A profile only builds requests (:class:`HttpCall`: URL, JSON body, how to read the answer); the
client sends them. Base URLs (``EndpointConfig.base_url``) per profile:

* ``deepseek`` (default): ``https://api.deepseek.com``. FIM goes to ``{fim_base}/completions``
  where ``fim_base`` defaults to ``{base}/beta``; chat to ``{base}/chat/completions``.
* ``openai-suffix`` (Ollama, SGLang with ``--completion-template``): the OpenAI base *including*
  ``/v1``, e.g. ``http://localhost:11434/v1``; FIM is ``{base}/completions`` with ``suffix``.
  Including ``/v1`` keeps the base identical to what those servers document for OpenAI clients.
* ``fim-template`` (vLLM and anything without ``suffix``): same base as ``openai-suffix``; the
  prompt is the model's own FIM string (``fim_template`` names one of :data:`FIM_TEMPLATES` or is a
  custom string with ``{prefix}`` and ``{suffix}``).
* ``llamacpp-infill``: the llama.cpp server root, e.g. ``http://localhost:8080`` (a trailing
  ``/v1`` is dropped, since ``/infill`` lives at the root); chat uses ``/v1/chat/completions``.
* ``chat``: chat-only providers, OpenAI base. Completions are asked as chat: where they go to
  DeepSeek (``fimBaseUrl``'s host, else ``baseUrl``'s), or with ``chat_prefix`` on, as a *chat prefix completion* (the code before the cursor is an assistant
  message with ``prefix: true``, sent to the beta base), elsewhere as a plain instruction. Either
  way the text may carry Markdown fences: results are flagged ``from_chat`` and the completion
  post-processing strips them.

``thinking`` is only sent to DeepSeek (``deepseek`` profile, or ``chat`` on a DeepSeek host):
other servers reject or ignore unknown fields. FIM requests never carry it: FIM is
non-thinking only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from .sse import Dialect
from .types import ChatRequest, FimRequest

if TYPE_CHECKING:
    from .endpoint import EndpointConfig

__all__ = [
    "BACKENDS",
    "FIM_TEMPLATES",
    "Backend",
    "HttpCall",
    "get_backend",
    "render_fim_template",
]

# DeepSeek accepts up to 16 stop sequences and at most 4K output tokens on FIM.
MAX_STOP = 16
DEEPSEEK_FIM_MAX_TOKENS = 4096


@dataclass(frozen=True, slots=True)
class HttpCall:
    url: str
    body: dict[str, Any]
    dialect: Dialect
    stream: bool = True
    from_chat: bool = False
    method: str = "POST"


@dataclass(frozen=True, slots=True)
class FimTemplate:
    text: str
    # Tokens some servers leave in the text when the model emits them instead of EOS.
    stop: tuple[str, ...] = field(default=())

    @property
    def stops(self) -> tuple[str, ...]:
        """:attr:`stop` and the template's own markers: a model that writes one again (a new
        FIM turn after its answer: Qwen's and DeepSeek-Coder's markers are no special tokens,
        so servers leave them in the text) has finished, and what follows it is not code."""
        markers = (piece.strip() for piece in _PLACEHOLDER.split(self.text)[::2])
        return tuple(dict.fromkeys((*self.stop, *(m for m in markers if m))))


FIM_TEMPLATES: dict[str, FimTemplate] = {
    "deepseek-coder": FimTemplate(
        "<｜fim▁begin｜>{prefix}<｜fim▁hole｜>{suffix}<｜fim▁end｜>",
        ("<｜end▁of▁sentence｜>", "<|EOT|>"),
    ),
    "qwen2.5-coder": FimTemplate(
        "<|fim_prefix|>{prefix}<|fim_suffix|>{suffix}<|fim_middle|>",
        (
            "<|endoftext|>",
            "<|file_sep|>",
            "<|fim_pad|>",
            "<|repo_name|>",
            "<|im_start|>",
            "<|im_end|>",
        ),
    ),
    "starcoder2": FimTemplate(
        "<fim_prefix>{prefix}<fim_suffix>{suffix}<fim_middle>",
        ("<|endoftext|>", "<file_sep>", "<fim_pad>", "<repo_name>"),
    ),
    "codellama": FimTemplate("<PRE> {prefix} <SUF>{suffix} <MID>", (" <EOT>", "<EOT>")),
}
_TEMPLATE_ALIASES = {
    "deepseek": "deepseek-coder",
    "qwen": "qwen2.5-coder",
    "qwen2.5": "qwen2.5-coder",
    "qwen-coder": "qwen2.5-coder",
    "starcoder": "starcoder2",
    "code-llama": "codellama",
}
_PLACEHOLDER = re.compile(r"\{(prefix|suffix)\}")


def resolve_fim_template(name_or_text: str | None) -> FimTemplate | None:
    """A named template, or a custom one containing ``{prefix}`` and ``{suffix}``; else None."""
    if not name_or_text:
        return None
    key = name_or_text.strip().lower()
    key = _TEMPLATE_ALIASES.get(key, key)
    if key in FIM_TEMPLATES:
        return FIM_TEMPLATES[key]
    if "{prefix}" in name_or_text and "{suffix}" in name_or_text:
        return FimTemplate(name_or_text)
    return None


def render_fim_template(template: str, prefix: str, suffix: str) -> str:
    # One pass over the template: code that itself contains "{suffix}" or braces stays intact,
    # which str.format or chained str.replace would not guarantee.
    values = {"prefix": prefix, "suffix": suffix}
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], template)


def _stops(stop: list[str], extra: tuple[str, ...] = ()) -> list[str]:
    out: list[str] = []
    for s in (*stop, *extra):
        if s and s not in out:
            out.append(s)
    return out[:MAX_STOP]


def _completion_body(req: FimRequest, prompt: str, *, max_tokens: int) -> dict[str, Any]:
    body: dict[str, Any] = {
        "model": req.model,
        "prompt": prompt,
        "max_tokens": max_tokens,
        "temperature": req.temperature,
        "stream": True,
        # Without this a streamed answer carries no usage, and billing would be guesswork.
        "stream_options": {"include_usage": True},
    }
    return body


class Backend:
    name: ClassVar[str]
    # Whether DeepSeek's tokenizer counts this backend's tokens (else estimate).
    deepseek_tokenizer: ClassVar[bool] = False

    def fim(self, config: EndpointConfig, req: FimRequest) -> HttpCall:
        raise NotImplementedError

    def chat_base(self, config: EndpointConfig) -> str:
        """The base URL reviews (chat requests) go to."""
        return config.base

    def chat(self, config: EndpointConfig, req: ChatRequest) -> HttpCall:
        url = f"{self.chat_base(config)}/chat/completions"
        return HttpCall(url, self.chat_body(config, req), "chat", stream=req.stream)

    def warm_url(self, config: EndpointConfig) -> str:
        return f"{config.base}/models"

    def sends_thinking(self, config: EndpointConfig) -> bool:
        return False

    def chat_body(self, config: EndpointConfig, req: ChatRequest) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": req.model,
            "messages": req.messages,
            "max_tokens": req.max_tokens,
            "stream": req.stream,
        }
        if req.stream:
            body["stream_options"] = {"include_usage": True}  # only valid with stream=true
        if req.json_mode:
            body["response_format"] = {"type": "json_object"}
        if self.sends_thinking(config):
            body["thinking"] = {"type": "enabled" if req.thinking else "disabled"}
            if req.thinking and req.reasoning_effort:
                body["reasoning_effort"] = req.reasoning_effort
        if req.temperature is not None and not req.thinking:
            body["temperature"] = req.temperature
        return body


class DeepSeekBackend(Backend):
    name = "deepseek"
    deepseek_tokenizer = True

    def fim(self, config: EndpointConfig, req: FimRequest) -> HttpCall:
        body = _completion_body(
            req, req.prompt, max_tokens=min(req.max_tokens, DEEPSEEK_FIM_MAX_TOKENS)
        )
        body["suffix"] = req.suffix
        stop = _stops(req.stop)
        if stop:
            body["stop"] = stop
        return HttpCall(f"{config.fim_base}/completions", body, "text")

    def sends_thinking(self, config: EndpointConfig) -> bool:
        return True


class OpenAISuffixBackend(Backend):
    name = "openai-suffix"

    def fim(self, config: EndpointConfig, req: FimRequest) -> HttpCall:
        body = _completion_body(req, req.prompt, max_tokens=req.max_tokens)
        body["suffix"] = req.suffix
        stop = _stops(req.stop)
        if stop:
            body["stop"] = stop
        return HttpCall(f"{config.fim_base}/completions", body, "text")


class FimTemplateBackend(Backend):
    name = "fim-template"

    def fim(self, config: EndpointConfig, req: FimRequest) -> HttpCall:
        template = resolve_fim_template(config.fim_template)
        if template is None:  # EndpointConfig validates this; keep a clear error anyway
            raise ValueError(f"unknown FIM template {config.fim_template!r}")
        prompt = render_fim_template(template.text, req.prompt, req.suffix)
        body = _completion_body(req, prompt, max_tokens=req.max_tokens)
        stop = _stops(req.stop, template.stops)
        if stop:
            body["stop"] = stop
        return HttpCall(f"{config.fim_base}/completions", body, "text")


class LlamaCppBackend(Backend):
    name = "llamacpp-infill"

    @staticmethod
    def root(base: str) -> str:
        return base[: -len("/v1")] if base.endswith("/v1") else base

    def fim(self, config: EndpointConfig, req: FimRequest) -> HttpCall:
        body: dict[str, Any] = {
            "input_prefix": req.prompt,
            "input_suffix": req.suffix,
            "input_extra": [{"filename": name, "text": text} for name, text in req.extra],
            "n_predict": req.max_tokens,
            "temperature": req.temperature,
            "stream": True,
            # Reuse the KV cache of the previous request: consecutive completions share a prefix.
            "cache_prompt": True,
        }
        stop = _stops(req.stop)
        if stop:
            body["stop"] = stop
        return HttpCall(f"{self.root(config.fim_base)}/infill", body, "llamacpp")

    def chat_base(self, config: EndpointConfig) -> str:
        # The chat server, which may be another llama-server than the FIM one (one model per
        # process): reviews went to fimBaseUrl's. Unless baseUrl is left at DeepSeek's (only
        # fimBaseUrl set): the code then stays on the user's server, as it did.
        return config.fim_base if config.is_deepseek else config.base

    def chat(self, config: EndpointConfig, req: ChatRequest) -> HttpCall:
        url = f"{self.root(self.chat_base(config))}/v1/chat/completions"
        return HttpCall(url, self.chat_body(config, req), "chat", stream=req.stream)

    def warm_url(self, config: EndpointConfig) -> str:
        return f"{self.root(config.fim_base)}/health"


CHAT_FIM_SYSTEM = (
    "You are a code completion engine. Continue the code exactly where it stops, writing only "
    "the code that belongs at that point: no explanations, no Markdown fences, and do not repeat "
    "code that comes after the insertion point."
)
CURSOR = "<CURSOR>"


class ChatBackend(Backend):
    name = "chat"

    def sends_thinking(self, config: EndpointConfig) -> bool:
        return config.is_deepseek

    def fim(self, config: EndpointConfig, req: FimRequest) -> HttpCall:
        messages: list[dict[str, Any]]
        if config.use_chat_prefix:
            after = (
                f"The code after the insertion point is:\n{req.suffix}"
                if req.suffix
                else "Nothing follows the insertion point."
            )
            messages = [
                {"role": "system", "content": CHAT_FIM_SYSTEM},
                {"role": "user", "content": after},
                {"role": "assistant", "content": req.prompt, "prefix": True},
            ]
            url = f"{config.fim_base}/chat/completions"
        else:
            messages = [
                {"role": "system", "content": CHAT_FIM_SYSTEM},
                {
                    "role": "user",
                    "content": f"Write the code that replaces {CURSOR} in:\n\n"
                    f"{req.prompt}{CURSOR}{req.suffix}",
                },
            ]
            # fimBaseUrl's server when one is set (a small model for completions, a big one for
            # reviews at baseUrl); fim_base is baseUrl otherwise.
            url = f"{config.fim_base}/chat/completions"
        body: dict[str, Any] = {
            "model": req.model,
            "messages": messages,
            "max_tokens": req.max_tokens,
            "temperature": req.temperature,
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        if config.fim_is_deepseek:  # the completion server's, which may not be baseUrl's
            body["thinking"] = {"type": "disabled"}
        stop = _stops(req.stop)
        if not config.use_chat_prefix:
            # A chat answer may open with a fence or a sentence: a line-break stop ended it
            # there (a single-line request showed "Here is the completion:", or nothing after
            # "```python"). The whole answer comes back and post-processing takes the code.
            stop = [s for s in stop if s.strip()]
        if stop:
            body["stop"] = stop
        return HttpCall(url, body, "chat", from_chat=True)


BACKENDS: dict[str, Backend] = {
    b.name: b
    for b in (
        DeepSeekBackend(),
        OpenAISuffixBackend(),
        FimTemplateBackend(),
        LlamaCppBackend(),
        ChatBackend(),
    )
}


def get_backend(name: str) -> Backend:
    try:
        return BACKENDS[name]
    except KeyError:
        raise ValueError(
            f"unknown backend {name!r}; expected one of: {', '.join(BACKENDS)}"
        ) from None
