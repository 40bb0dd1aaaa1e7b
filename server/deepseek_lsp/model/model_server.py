"""Which kind of server answers ``GET {base}/models``: one that loads models itself (Ollama, LM
Studio, llama.cpp), or a proxy (LiteLLM) that forwards to another, possibly paid, provider.

Told by what each puts in its answer, as they serve it:

* Ollama: ids carry a tag (``qwen2.5-coder:7b``), ``owned_by`` is the model's namespace:
  ``library`` for its own library's models, else the part of the id before the name
  (``hf.co/bartowski/Qwen2.5-Coder-7B-GGUF:Q4_K_M``: ``bartowski``);
* LM Studio: ``owned_by: "organization_owner"``;
* llama.cpp's server: ``owned_by: "llamacpp"``;
* LiteLLM: ``x-litellm-*`` response headers, and ``owned_by`` the upstream's (``openai``).

Anything else is not known to load a model at the first request: it gets no load request of
ours, which to a proxy in front of a paid model would be a billed request.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["from_litellm", "loads_models", "server_name"]

_LOADER_OWNERS = frozenset({"organization_owner", "llamacpp"})
#: The name each server's model list gives as every model's ``owned_by`` (their sources:
#: vLLM's and SGLang's ModelCard, llama-server's list, LM Studio's).
_OWNERS = {"llamacpp": "llama.cpp", "organization_owner": "LM Studio", "vllm": "vLLM", "sglang": "SGLang"}


def from_litellm(headers: Mapping[str, str]) -> bool:
    """Whether LiteLLM's proxy sent the answer with ``headers``."""
    return any(name.lower().startswith("x-litellm") for name in headers)


def loads_models(headers: Mapping[str, str], body: Any) -> bool:
    """Whether the server that answered the model list with ``headers`` and ``body`` (the
    decoded JSON) is one that loads the model at the first request naming it."""
    if from_litellm(headers):
        return False
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, list) or not data:
        return False
    return all(isinstance(m, dict) and _a_loaders(m) for m in data)


def server_name(headers: Mapping[str, str], body: Any) -> str | None:
    """The server that answered the model list, as its users name it (messages say "Ollama at
    127.0.0.1:11434", not "The model server at 127.0.0.1"); None if its answer does not tell."""
    if from_litellm(headers):
        return "LiteLLM"
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, list) or not data or not all(isinstance(m, dict) for m in data):
        return None
    owners = {m.get("owned_by") for m in data}
    if len(owners) == 1 and (named := _OWNERS.get(str(owners.pop()))):
        return named
    return "Ollama" if all(_ollamas(m) for m in data) else None


def _a_loaders(model: dict[str, Any]) -> bool:
    if model.get("owned_by") in _LOADER_OWNERS:
        return True
    return _ollamas(model)


def _ollamas(model: dict[str, Any]) -> bool:
    owner, ident = model.get("owned_by"), model.get("id")
    if not isinstance(owner, str) or not isinstance(ident, str):
        return False
    *path, name = ident.split("/")
    # Ollama's. A proxy's "openai/gpt-4o" names its upstream the same way, but with no tag.
    return ":" in name and (owner == "library" or path[-1:] == [owner])
