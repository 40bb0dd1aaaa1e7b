"""Where LiteLLM's proxy sends a model, as its ``GET /model/info`` (and ``/v1/model/info``)
lists its deployments: each ``model_name`` (what requests name) with its ``litellm_params``
(``model``: the upstream, ``ollama/qwen2.5-coder:7b``; ``num_ctx``: the context it asks Ollama
to load the model with) and ``model_info`` (``max_input_tokens``: the user's, or the model's
own from LiteLLM's cost map or Ollama's /api/show).

An Ollama behind the proxy cuts a prompt past its context from the start as it does when asked
directly, and the proxy says nothing either: its prompts are fitted as an Ollama's are
(see prompt_read).
"""

from __future__ import annotations

from typing import Any

__all__ = ["ollama_context"]

#: LiteLLM's providers that are Ollama (its /api/generate and /api/chat).
_OLLAMA_PROVIDERS = frozenset({"ollama", "ollama_chat"})


def ollama_context(body: Any, model: str) -> tuple[bool, int | None]:
    """Whether the proxy's ``/model/info`` answer ``body`` routes ``model`` to an Ollama, and
    the context to fit its prompts to: the least of its deployments' (a model may be served by
    several), ``num_ctx`` where set, else ``max_input_tokens``; None where none tells."""
    data = body.get("data") if isinstance(body, dict) else None
    routed, contexts = False, []
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
        context = next((v for v in (params.get("num_ctx"), info.get("max_input_tokens")) if _tokens(v)), None)
        if context is not None:
            contexts.append(int(context))
    return routed, min(contexts, default=None)


def _tokens(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0
