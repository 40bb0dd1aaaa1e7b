"""The exception hierarchy: status mapping, flags, Retry-After and safe messages."""

from __future__ import annotations

import email.utils

import pytest

from deepseek_lsp.model import errors
from deepseek_lsp.model.errors import (
    AuthenticationError,
    BudgetExceeded,
    ConnectError,
    DeadlineExceeded,
    InsufficientBalanceError,
    MalformedResponse,
    ModelError,
    OverloadedError,
    PathNotFoundError,
    RateLimitError,
    RequestError,
    ServerError,
    error_for_status,
    parse_retry_after,
    safe_url,
    tell_client,
)

URL = "https://user:secret@api.deepseek.com/beta/completions?key=sk-123#frag"


@pytest.mark.parametrize(
    ("status", "cls", "retryable", "disables"),
    [
        (400, RequestError, False, False),
        (404, PathNotFoundError, False, True),
        (422, RequestError, False, False),
        (401, AuthenticationError, False, True),
        (402, InsufficientBalanceError, False, True),
        (429, RateLimitError, True, False),
        (500, ServerError, True, False),
        (501, RequestError, False, False),
        (502, ServerError, True, False),
        (503, OverloadedError, True, False),
    ],
)
def test_status_mapping(status: int, cls: type, retryable: bool, disables: bool) -> None:
    err = error_for_status(status, method="POST", url=URL, provider_message="nope")
    assert type(err) is cls
    assert isinstance(err, ModelError)
    assert err.status == status
    assert err.retryable is retryable
    assert err.disables_feature is disables
    assert err.method == "POST"
    assert err.url == "https://api.deepseek.com/beta/completions"
    assert "secret" not in str(err) and "sk-123" not in str(err)
    assert err.user_message and "secret" not in err.user_message


def test_retry_after_carried() -> None:
    err = error_for_status(429, retry_after=2.5)
    assert isinstance(err, RateLimitError)
    assert err.retry_after == 2.5
    assert "2.5" in err.user_message
    assert error_for_status(503, retry_after=1.0).retry_after == 1.0


def test_parse_retry_after() -> None:
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after(" 0.25 ") == 0.25
    assert parse_retry_after("-4") == 0.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("nan") is None
    date = email.utils.formatdate(1_000_030, usegmt=True)
    assert parse_retry_after(date, now=1_000_000) == pytest.approx(30.0)


def test_safe_url() -> None:
    assert safe_url(URL) == "https://api.deepseek.com/beta/completions"
    assert safe_url("http://[::1]:8080/v1?x=1") == "http://[::1]:8080/v1"
    assert safe_url(None) is None


def test_user_messages_are_actionable() -> None:
    auth = error_for_status(401, url="https://api.deepseek.com/chat/completions")
    assert auth.user_message.startswith("DeepSeek rejected the API key (401)")
    assert "DEEPSEEK_API_KEY" in auth.user_message
    local = error_for_status(401, url="http://127.0.0.1:11434/v1/completions")
    assert "127.0.0.1" in local.user_message
    assert "top up" in error_for_status(402).user_message


def test_other_errors_flags() -> None:
    assert DeadlineExceeded("late").retryable is False
    assert ConnectError("refused").retryable is True
    bad = MalformedResponse("x", kind="insufficient_system_resource", partial="p")
    assert bad.retryable and bad.kind == "insufficient_system_resource" and bad.partial == "p"
    budget = BudgetExceeded(spent=1.5, budget=1.0)
    assert not budget.retryable and not budget.disables_feature
    assert "$1.00" in budget.user_message and "00:00 UTC" in budget.user_message
    # A budget under a cent is shown as set, not as "$0.00 reached".
    assert "budget of $0.0020 reached" in BudgetExceeded(spent=0.0021, budget=0.002).user_message


def test_a_self_hosted_servers_own_words_reach_the_user() -> None:
    """llama.cpp answers 503 "Loading model" for a minute after it starts: the status said
    "overloaded" and dropped the reason. A vLLM or Ollama 400 about the FIM ``suffix`` told the
    user to report a deepseek-lsp bug, where the cure is the ``backend`` setting."""
    loading = error_for_status(
        503, url="http://127.0.0.1:8080/v1/completions", provider_message="Loading model"
    )
    assert "Loading model" in loading.user_message
    assert "overloaded" not in loading.user_message
    suffix = error_for_status(
        400,
        url="http://127.0.0.1:8000/v1/completions",
        provider_message="suffix is not currently supported",
    )
    assert "suffix is not currently supported" in suffix.user_message
    assert "backend" in suffix.user_message and "bug" not in suffix.user_message
    # From DeepSeek itself, a 400 is still ours to fix.
    assert "bug" in error_for_status(400, url="https://api.deepseek.com/beta/completions").user_message


def test_a_review_refused_by_a_self_hosted_server_is_not_told_about_fim() -> None:
    """A 403 or 400 to a review's chat request told the user to check FIM suffix support and
    the completion backend, which the review does not use: the review's model and baseUrl are
    what to check."""
    refused = error_for_status(
        403, url="http://127.0.0.1:4000/v1/chat/completions", provider_message="model not allowed"
    )
    message = refused.user_message
    assert "model not allowed" in message
    assert "review.model" in message and "baseUrl" in message
    assert "FIM" not in message and "suffix" not in message
    # A completion's request keeps the FIM advice.
    fim = error_for_status(403, url="http://127.0.0.1:4000/v1/completions", provider_message="no")
    assert "fim-template" in fim.user_message


@pytest.mark.parametrize("client_name", ["VSCodium", "Cursor", "Windsurf", "Visual Studio Code - Insiders"])
def test_a_rejected_key_in_a_vs_code_build_names_the_extensions_command(client_name: str) -> None:
    """Cursor and Windsurf run the VS Code extension, which keeps the key in its secret storage
    and forwards no apiKey setting: they were told to set one in the editor's settings."""
    tell_client(client_name)
    try:
        told = error_for_status(401, url="https://api.deepseek.com/chat/completions").user_message
    finally:
        tell_client(None)
    assert "'DeepSeek: Set API Key'" in told and "apiKey" not in told, told


def test_a_rejected_key_in_an_unknown_editor_is_told_the_neutral_way() -> None:
    tell_client("Helix")
    try:
        told = error_for_status(401, url="https://api.deepseek.com/chat/completions").user_message
    finally:
        tell_client(None)
    assert "DEEPSEEK_API_KEY" in told and "apiKey" in told and "Set API Key" not in told, told


_LOCAL_REFUSALS = [
    # The client's own words for a refusal, at each address a local server is set at.
    (
        "http://[::1]:11434/v1",
        "[Errno 111] Connect call failed ('::1', 11434, 0, 0)",
        "[::1]:11434",
    ),
    ("http://localhost/v1", "[Errno 111] Connect call failed ('127.0.0.1', 80)", "localhost:80"),
    ("https://127.0.0.1/v1", "[Errno 111] Connect call failed ('127.0.0.1', 443)", "127.0.0.1:443"),
]


@pytest.mark.parametrize(("url", "said", "where"), _LOCAL_REFUSALS)
def test_a_local_server_not_running_is_told_at_an_address_one_can_type(
    url: str, said: str, where: str
) -> None:
    """ "Cannot reach ::1:11434" is no address (IPv6 takes brackets with a port), and a base URL
    without a port (a server behind a reverse proxy on port 80) was told to check the network."""
    message = ConnectError(said, method="POST", url=f"{url}/completions").user_message
    assert message.startswith(f"Cannot reach {where}: nothing is listening there."), message
    assert "network" not in message


@pytest.mark.parametrize(
    ("url", "told", "not_told"),
    [
        ("https://api.deepseek.com/beta/completions", "deepseek-v4-pro", "ollama pull"),
        ("http://127.0.0.1:11434/v1/completions", "'ollama pull qwen3-coder:30b'", "DeepSeek offers"),
    ],
)
def test_a_missing_model_s_advice_fits_the_server(url: str, told: str, not_told: str) -> None:
    """A 404 naming a model advised 'ollama pull' whoever answered: at DeepSeek (through a
    gateway that answers 404 for it) no pull brings a model, its own names do."""
    said = "model 'qwen3-coder:30b' not found"
    message = error_for_status(404, method="POST", url=url, provider_message=said).user_message
    assert told in message and not_told not in message


@pytest.mark.parametrize(
    ("path", "told"),
    [
        # FIM is served under /beta only: a fimBaseUrl set to the root asks a path with no FIM.
        ("/v1/beta/completions", "fimBaseUrl, if set, to https://api.deepseek.com/beta"),
        ("/v2/chat/completions", "Set baseUrl to https://api.deepseek.com."),
    ],
)
def test_a_path_deepseek_does_not_serve_is_told_the_url_that_serves_it(path: str, told: str) -> None:
    """'Set baseUrl (or fimBaseUrl, for the completion server) to https://api.deepseek.com' sent
    a user whose fimBaseUrl was wrong to a base without /beta, where DeepSeek serves no FIM."""
    url = f"https://api.deepseek.com{path}"
    message = error_for_status(404, method="POST", url=url, provider_message="Not Found").final_message
    assert told in message, message
    assert "fimBaseUrl, for the completion server) to https://api.deepseek.com" not in message


def test_servers_behind_one_address_under_their_own_paths_are_named_each_its_own() -> None:
    """A reverse proxy serving vLLM under /vllm and Ollama under /ollama: named by the address
    alone, the warm-up's vLLM named Ollama's problems too ("vLLM at gpu.lan does not have that
    model ... 'ollama pull ...'")."""
    errors.name_server("https://gpu.lan/vllm/v1/models", "vLLM")
    try:
        assert errors.provider_name("https://gpu.lan/ollama/v1/completions") == "The model server at gpu.lan"
        assert errors.provider_name("https://gpu.lan/vllm/v1/chat/completions") == "vLLM at gpu.lan"
        # The same server asked without /v1 (the 404 that says to add it) is still named.
        assert errors.provider_name("https://gpu.lan/vllm/completions") == "vLLM at gpu.lan"
    finally:
        errors.name_server("https://gpu.lan/vllm/v1/models", None)
    assert errors.provider_name("https://gpu.lan/vllm/v1/completions") == "The model server at gpu.lan"


@pytest.mark.parametrize(
    ("url", "named"),
    [
        ("https://api.deepseek.com/beta/completions", "DeepSeek"),
        ("https://deepseek.com/v1/chat/completions", "DeepSeek"),
        ("https://eu.api.deepseek.com/chat/completions", "DeepSeek"),
        ("https://API.DeepSeek.com/chat/completions", "DeepSeek"),
        # A fully qualified name's dot, and IDNA's other dots, which httpx sends to
        # api.deepseek.com all the same.
        ("https://api.deepseek.com./beta/completions", "DeepSeek"),
        ("https://api\uff0edeepseek\u3002com\uff61/beta/completions", "DeepSeek"),
        # Userinfo names no host: the request goes to the host after the @.
        ("https://api.deepseek.com@gw.example/v1/completions", "The model server at gw.example"),
        ("https://[::1]:8000/v1/completions", "The model server at [::1]:8000"),
        # Hosts whose name only ends in or holds DeepSeek's: a gateway of the user's own.
        ("https://notdeepseek.com/v1/completions", "The model server at notdeepseek.com"),
        ("https://deepseek.example.org/v1/completions", "The model server at deepseek.example.org"),
        ("https://api.deepseek.com.example.org/v1/completions", "The model server at api.deepseek.com.example.org"),
    ],
)
def test_only_deepseek_s_own_hosts_are_named_deepseek(url: str, named: str) -> None:
    """A proxy at notdeepseek.com was named "DeepSeek" (its host ends in "deepseek.com"): its
    500 read "DeepSeek had a server error" and its 404 sent the user to api.deepseek.com."""
    assert errors.provider_name(url) == named
    told = error_for_status(500, method="POST", url=url, provider_message="boom").user_message
    assert told.startswith(f"{named} had a server error"), told


@pytest.mark.parametrize(
    "url",
    [
        "http://gpu.lan:8000/v1/chat/completions",  # a review's, behind nginx
        "http://gpu.lan:8000/v1/completions",
        "https://api.deepseek.com/chat/completions",
    ],
)
def test_a_body_too_large_is_told_as_its_size_not_a_model_name(url: str) -> None:
    """A proxy's 413 (nginx's client_max_body_size, 1 MB by default) refuses one request's
    size: the model name and endpoint were right, and the next smaller file passes."""
    refused = error_for_status(413, url=url, provider_message="Request Entity Too Large")
    for message in (refused.user_message, refused.cli_message):
        assert "Request Entity Too Large" in message and "client_max_body_size" in message
        assert "model name" not in message and "bug" not in message, message


@pytest.mark.parametrize(
    ("server", "said", "told", "not_told"),
    [
        # LM Studio (its port): a load setting of its own, no server flag.
        (None, "Trying to keep the first 4434 tokens when context the overflows. However, the "
         "model is loaded with context length of only 4096 tokens, which is not enough.",
         "context length LM Studio loads the model with", "--max-model-len"),
        ("SGLang", "The input (5000 tokens) is longer than the model's context length (4096 "
         "tokens).", "SGLang with a larger --context-length", "llama.cpp"),
        ("vLLM", "This model's maximum context length is 4096 tokens. However, you requested "
         "5000 tokens.", "vLLM with a larger --max-model-len", "llama.cpp"),
        ("llama.cpp", "the request exceeds the available context size, try increasing it",
         "llama-server with a larger -c", "--max-model-len"),
    ],
)
def test_a_prompt_over_the_context_of_a_named_server_is_told_that_server_s_way(
    server: str | None, said: str, told: str, not_told: str
) -> None:
    """The server the warm-up named has its own way to a larger context: each was told
    llama.cpp's -c and vLLM's --max-model-len (LM Studio has neither, SGLang's is
    --context-length)."""
    url = "http://gpu.lan:8000/v1/chat/completions"
    if server is None:  # LM Studio's port names it
        url = "http://127.0.0.1:1234/v1/chat/completions"
    if server is not None:
        errors.name_server(url, server)
    try:
        message = errors.error_for_status(400, url=url, provider_message=said).user_message
    finally:
        errors.name_server(url, None)
    assert told in message and not_told not in message, message
    assert "review.maxOutputTokens" in message
