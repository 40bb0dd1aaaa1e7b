"""The model layer's objects made from the settings: the endpoint, the price table, the ledger.
Apart from the usage feature, which imports lsprotocol (a third of a second): ``doctor`` and the
review command need these, not the feature."""

from __future__ import annotations

from .config import Settings
from .model import EndpointConfig, Ledger, PriceTable
from .model.auth import key_for
from .model.endpoint import is_deepseek_host
from .model.prices import ModelPrice, Rates


def endpoint_config(settings: Settings) -> EndpointConfig:
    return EndpointConfig(
        base_url=settings.base_url,
        api_key=settings.api_key or None,
        fim_base_url=settings.fim_base_url or None,
        fim_api_key=settings.fim_api_key or None,
        backend=settings.backend,
        fim_template=settings.fim_template,
        allow_http=settings.allow_http,
        connect_timeout=settings.connect_timeout_s,
    )


def endpoint_fields(settings: Settings) -> tuple[object, ...]:
    """The settings whose change makes a new model client (and lifts a pause they caused)."""
    return (
        settings.base_url,
        settings.api_key,
        settings.fim_base_url,
        settings.fim_api_key,
        settings.backend,
        settings.fim_template,
        settings.allow_http,
        settings.connect_timeout_s,
    )


def reviews_base_url(settings: Settings) -> str:
    """The server reviews go to: ``baseUrl``'s, or with llama.cpp's backend and ``baseUrl``
    left at DeepSeek's, ``fimBaseUrl``'s (as ``LlamaCppBackend.chat`` sends them)."""
    if settings.backend == "llamacpp-infill" and settings.fim_base_url and is_deepseek_host(settings.base_url):
        return settings.fim_base_url
    return settings.base_url


def no_key_for_deepseek(settings: Settings, *, reviews_only: bool = False) -> bool:
    """Whether a request would go to DeepSeek's own host without a key: DeepSeek alone surely
    refuses it. A base URL of one's own (vLLM, Ollama, a LiteLLM gateway adding the key), the
    backend left at ``deepseek`` or not, is asked: the server, the review CLI and doctor decide
    alike (the server said "no API key", an Error, to a gateway the CLI reviewed through)."""
    urls = {reviews_base_url(settings)}
    if not reviews_only:
        urls.add(settings.fim_base_url or settings.base_url)
    return any(
        is_deepseek_host(url)
        and not key_for(url, settings.base_url, settings.fim_base_url, settings.api_key, settings.fim_api_key)
        for url in urls
    )


def bills_at_deepseek_prices(settings: Settings) -> bool:
    """Whether requests cost DeepSeek's prices. The backend alone does not tell: ``chat`` (and
    the other OpenAI-style backends) may point at api.deepseek.com itself, so the host decides
    for them; a self-hosted server (localhost, a LAN box) costs nothing unless the user's
    ``prices`` say so. The ``deepseek`` backend is priced wherever it points (a proxy in front
    of DeepSeek bills the same)."""
    if settings.backend == "deepseek":
        return True
    if settings.backend == "llamacpp-infill":
        # Completions and reviews both go to fimBaseUrl's server when baseUrl is left at
        # DeepSeek's (backends.LlamaCppBackend.chat): that server alone decides.
        return is_deepseek_host(settings.fim_base_url or settings.base_url)
    return any(is_deepseek_host(url) for url in (settings.base_url, settings.fim_base_url) if url)


def local_models(settings: Settings) -> set[str]:
    """The model sent to a server other than DeepSeek when the other one is DeepSeek's
    (completions on Ollama at ``fimBaseUrl``, reviews at DeepSeek): the table has DeepSeek's
    prices, where a model without a price may be a new DeepSeek one, so the local model was
    held to the daily budget, and once reviews had spent it every completion, which costs
    nothing, was refused ("daily budget reached")."""
    if settings.backend in ("deepseek", "llamacpp-infill"):
        return set()  # priced wherever it points; one server decides (bills_at_deepseek_prices)
    completions_there = is_deepseek_host(settings.fim_base_url or settings.base_url)
    reviews_there = is_deepseek_host(settings.base_url)
    if completions_there == reviews_there:
        return set()
    completion, review = settings.completion.model, settings.review.model
    local, remote = (completion, review) if reviews_there else (review, completion)
    return {local} - {remote}


_FREE = ModelPrice.flat(Rates(0.0, 0.0, 0.0))


def price_table(settings: Settings) -> PriceTable:
    table = PriceTable.from_config(
        settings.prices or None, defaults=bills_at_deepseek_prices(settings)
    )
    local = local_models(settings)
    if local:
        # Free unless the user's own prices name it (an alias of a DeepSeek model included).
        named = PriceTable.from_config(settings.prices or None, defaults=False)
        for model in local:
            if not named.known(model):
                table.models[model.lower()] = _FREE
    return table


def make_ledger(settings: Settings, path: str | None = None, *, read_only: bool = False) -> Ledger:
    return Ledger(
        path,
        prices=price_table(settings),
        daily_budget=settings.daily_budget_usd or None,
        read_only=read_only,
    )
