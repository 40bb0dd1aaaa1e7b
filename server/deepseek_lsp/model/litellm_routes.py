"""Where LiteLLM's proxy sends a model, as its ``GET /model/info`` (and ``/v1/model/info``)
lists its deployments: each ``model_name`` (what requests name) with its ``litellm_params``
(``model``: the upstream, ``ollama/qwen2.5-coder:7b``; ``num_ctx``: the context it asks Ollama
to load the model with) and ``model_info`` (``max_input_tokens``: the user's, or for an
Ollama route the model's own, its /api/show's ``context_length``: 32,768 for Qwen2.5-Coder
where Ollama loaded it with 4,096; a ceiling of the context, not the context).

An Ollama behind the proxy cuts a prompt past its context from the start as it does when asked
directly, and the proxy says nothing either: its prompts are fitted as an Ollama's are
(see prompt_read).
"""

from __future__ import annotations

from typing import Any, NamedTuple

__all__ = ["OllamaRoute", "ollama_context"]

#: LiteLLM's providers that are Ollama (its /api/generate and /api/chat).
_OLLAMA_PROVIDERS = frozenset({"ollama", "ollama_chat"})


class OllamaRoute(NamedTuple):
    """Whether the proxy routes a model to an Ollama, the context to fit its prompts to (None:
    not told), and whether that is a ceiling alone (``max_input_tokens``, not ``num_ctx``)."""

    routed: bool
    context: int | None
    ceiling: bool


def ollama_context(body: Any, model: str) -> OllamaRoute:
    """Where the proxy's ``/model/info`` answer ``body`` routes ``model`` (see OllamaRoute): the
    least context of its deployments (a model may be served by several), ``num_ctx`` where
    set, else ``max_input_tokens``."""
    data = body.get("data") if isinstance(body, dict) else None
    routed, contexts, ceiling = False, [], False
    for deployment in data if isinstance(data, list) else ():
        if not isinstance(deployment, dict) or deployment.get("model_name") != model:
            continue
        params, info = deployment.get("litellm_params"), deployment.get("model_info")
        params = params if isinstance(params, dict) else {}
        info = info if isinstance(info, dict) else {}
        upstream = params.get("model")
        provider = upstream.split("/", 1)[0] if isinstance(upstream, str) and "/" in upstream else info.get("litellm_provider")
        if provider not in _OLLAMA_PROVIDERS:
            continue
        routed = True
        if (num_ctx := _tokens(params.get("num_ctx"))) is not None:
            contexts.append(num_ctx)
        elif (most := _tokens(info.get("max_input_tokens"))) is not None:
            contexts.append(most)
            ceiling = True
    return OllamaRoute(routed, min(contexts, default=None), ceiling)


def _tokens(value: Any) -> int | None:
    """A count of tokens, as a number or as the digits of one: the proxy's config gives
    ``num_ctx: "8192"`` where it comes from an environment variable (``os.environ/NUM_CTX``) or
    its UI, and such a context was not read (every prompt lost its start at the Ollama)."""
    if isinstance(value, str) and value.strip().isdecimal():
        value = int(value.strip())
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None
