"""``deepseek-lsp doctor`` for a self-hosted server: the models the settings name are the ones it
serves. The fake stands in for Ollama (no key, ``name:tag`` model ids) on 127.0.0.1."""

from __future__ import annotations

from typing import Any

import pytest

from deepseek_lsp.doctor import serves
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import refused_url, server_env
from tests.test_cli import doctor

OLLAMA_MODELS = ("qwen2.5-coder:7b", "qwen2.5-coder:1.5b", "llama3.1:latest")


def ollama_env(url: str, tmp_path: Any, **models: str) -> dict[str, str]:
    env = server_env(f"{url}/v1", api_key="", state_dir=str(tmp_path), DEEPSEEK_BACKEND="openai-suffix")
    env.update(models)
    return env


def test_doctor_names_a_model_the_server_does_not_serve(tmp_path: Any, monkeypatch: Any, capsys: Any) -> None:
    """Ollama with the completion model left at its default: doctor said "all good" (the model
    list answered), and every completion then failed with "model 'deepseek-v4-flash' not found"."""
    with FakeDeepSeek(api_key=None, models=OLLAMA_MODELS) as fake:
        code, out, _ = doctor(monkeypatch, capsys, ollama_env(fake.url, tmp_path, DEEPSEEK_REVIEW_MODEL="llama3.1"))
        asked = [r.path for r in fake.requests]
    assert code == 1, out
    line = next(x for x in out.splitlines() if x.startswith("endpoint:"))
    assert "PROBLEM" in line and "'deepseek-v4-flash'" in line and "completion.model" in line
    assert "qwen2.5-coder:7b" in line  # what to set it to
    assert asked == ["/v1/models"]  # a check, not a completion


def test_doctor_names_the_review_model_too(tmp_path: Any, monkeypatch: Any, capsys: Any) -> None:
    with FakeDeepSeek(api_key=None, models=OLLAMA_MODELS) as fake:
        env = ollama_env(fake.url, tmp_path, DEEPSEEK_COMPLETION_MODEL="qwen2.5-coder:1.5b")
        code, out, _ = doctor(monkeypatch, capsys, env)
    assert code == 1 and "'deepseek-v4-pro'" in out and "review.model" in out, out


def test_doctor_is_content_with_the_models_the_server_serves(tmp_path: Any, monkeypatch: Any, capsys: Any) -> None:
    # "llama3.1" is Ollama's "llama3.1:latest".
    with FakeDeepSeek(api_key=None, models=OLLAMA_MODELS) as fake:
        env = ollama_env(
            fake.url, tmp_path, DEEPSEEK_COMPLETION_MODEL="qwen2.5-coder:1.5b", DEEPSEEK_REVIEW_MODEL="llama3.1"
        )
        code, out, _ = doctor(monkeypatch, capsys, env)
    assert code == 0, out
    assert "all good" in out


def test_doctor_tells_a_server_without_any_model(tmp_path: Any, monkeypatch: Any, capsys: Any) -> None:
    with FakeDeepSeek(api_key=None, models=()) as fake:
        code, out, _ = doctor(monkeypatch, capsys, ollama_env(fake.url, tmp_path, DEEPSEEK_COMPLETION_MODEL="qwen2.5-coder:7b"))
    assert code == 1 and "lists no model" in out, out


def test_doctor_does_not_check_names_llama_server_ignores(tmp_path: Any, monkeypatch: Any, capsys: Any) -> None:
    """One model per llama-server process: it answers whatever the request names."""
    with FakeDeepSeek(api_key=None, models=("/models/qwen2.5-coder-7b-q8_0.gguf",)) as fake:
        env = server_env(fake.url, api_key="", state_dir=str(tmp_path), DEEPSEEK_BACKEND="llamacpp-infill")
        code, out, _ = doctor(monkeypatch, capsys, env)
    assert code == 0, out


@pytest.mark.parametrize(
    ("model", "listed", "served"),
    [
        ("qwen2.5-coder", ["qwen2.5-coder:latest"], True),  # Ollama's default tag
        ("qwen2.5-coder:7b", ["qwen2.5-coder:1.5b"], False),  # another tag is another model
        ("deepseek/deepseek-chat-v3.1:nitro", ["deepseek/deepseek-chat-v3.1"], True),  # OpenRouter
        ("deepseek/deepseek-chat", ["deepseek/*"], True),  # a LiteLLM route
        ("Qwen/Qwen2.5-Coder-7B-Instruct", ["Qwen/Qwen2.5-Coder-7B-Instruct"], True),  # vLLM
        ("qwen-coder", ["Qwen/Qwen2.5-Coder-7B-Instruct"], False),
    ],
)
def test_model_names_as_each_server_resolves_them(model: str, listed: list[str], served: bool) -> None:
    assert serves(listed, model) is served


# -- a model list anyone may read proves no key -----------------------------------------------------

ROUTED = "deepseek/deepseek-chat-v3.1"
ROUTER_KEY = "sk-or-v1-0123456789abcdef"


def gateway_env(url: str, tmp_path: Any, api_key: str) -> dict[str, str]:
    return server_env(
        f"{url}/v1",
        api_key=api_key,
        state_dir=str(tmp_path),
        DEEPSEEK_BACKEND="chat",
        DEEPSEEK_COMPLETION_MODEL=ROUTED,
        DEEPSEEK_REVIEW_MODEL=ROUTED,
    )


def openrouter() -> FakeDeepSeek:
    fake = FakeDeepSeek(api_key=ROUTER_KEY, models=(ROUTED,))
    fake.public_paths = {"/v1/models"}  # OpenRouter lists its models to anyone
    fake.key_info = {"label": "sk-or-v1-012...def", "limit": 5, "usage": 1.25, "limit_remaining": 3.75}
    return fake


def test_doctor_checks_a_gateway_key_its_public_model_list_does_not(tmp_path: Any, monkeypatch: Any, capsys: Any) -> None:
    """OpenRouter's model list answers any key: doctor said "accepts the key" of a mistyped
    one, exit 0, and every completion then failed with 401."""
    with openrouter() as fake:
        code, out, _ = doctor(monkeypatch, capsys, gateway_env(fake.url, tmp_path, "sk-or-v1-mistyped-99999"))
        assert code == 1, out
        assert "rejected the API key (401)" in out and "accepts the key" not in out
        assert "sk-or-v1-mistyped-99999" not in out
        code, out, _ = doctor(monkeypatch, capsys, gateway_env(fake.url, tmp_path, ROUTER_KEY))
    assert code == 0, out
    assert "accepts the key (3.75 left on its limit)" in out


def test_doctor_does_not_claim_a_key_a_keyless_server_never_checked(tmp_path: Any, monkeypatch: Any, capsys: Any) -> None:
    # vLLM started without --api-key, the key set anyway; then Ollama with none set.
    with FakeDeepSeek(api_key=None, models=(ROUTED,)) as fake:
        code, out, _ = doctor(monkeypatch, capsys, gateway_env(fake.url, tmp_path, "sk-team-0123456789"))
        assert code == 0, out
        assert "accepts the key" not in out and "the API key is not checked" in out
        code, out, _ = doctor(monkeypatch, capsys, gateway_env(fake.url, tmp_path, ""))
    assert code == 0, out
    assert "accepts the key" not in out and "no API key set" in out


# -- a server that lists the model but refuses the completion request -------------------------------


@pytest.mark.parametrize(
    ("backend", "path", "status", "said"),
    [
        ("openai-suffix", "/v1/completions", 400, "suffix is not currently supported"),  # vLLM
        ("openai-suffix", "/v1/completions", 400, "registry.ollama.ai/library/qwen3:latest does not support insert"),
        ("llamacpp-infill", "/infill", 501, "Infill is not supported by this model: prefix token is missing."),
    ],
)
def test_doctor_asks_for_one_completion_where_a_server_may_refuse_the_wire(
    tmp_path: Any, monkeypatch: Any, capsys: Any, backend: str, path: str, status: int, said: str
) -> None:
    """vLLM refuses ``suffix``, Ollama refuses it for a model without a FIM template, llama-server
    refuses /infill for a model without FIM tokens: the model list answered, doctor said all
    good, and every completion then failed."""
    with FakeDeepSeek(api_key=None, models=("qwen3:latest",)) as fake:
        fake.fault("status", count=None, path=path, status=status, message=said)
        base = fake.url if backend == "llamacpp-infill" else f"{fake.url}/v1"
        env = server_env(base, api_key="", state_dir=str(tmp_path), DEEPSEEK_BACKEND=backend, DEEPSEEK_COMPLETION_MODEL="qwen3:latest", DEEPSEEK_REVIEW_MODEL="qwen3:latest")
        code, out, _ = doctor(monkeypatch, capsys, env)
        (probe,) = fake.requests_to(path)
    assert code == 1, out
    line = next(x for x in out.splitlines() if x.startswith("endpoint:"))
    assert "PROBLEM" in line and said in line and "backend" in line
    assert probe.json["stream"] is False and probe.json.get("max_tokens", probe.json.get("n_predict")) == 1


def test_doctor_names_a_model_deepseek_does_not_have(tmp_path: Any, monkeypatch: Any, capsys: Any) -> None:
    """At DeepSeek the model names went unchecked: a typo, or the retired ``deepseek-chat``, was
    "all good", and every review then failed with "Model Not Exist". An alias DeepSeek's list
    leaves out (``deepseek-v4-flash`` beside ``deepseek-flash``) is still no problem."""
    with FakeDeepSeek(models=("deepseek-flash", "deepseek-v4-pro")) as fake:
        # In this process, as the run below (the model check, not the process, is the question):
        # a process of its own compiled every language's queries, 15 s at load.
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path), DEEPSEEK_REVIEW_MODEL="deepseek-v4-por")
        typo_code, typo_out, _ = doctor(monkeypatch, capsys, env)
        code, out, _ = doctor(monkeypatch, capsys, server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path)))
    assert typo_code == 1, typo_out
    line = next(x for x in typo_out.splitlines() if x.startswith("endpoint:"))
    assert "PROBLEM" in line and "'deepseek-v4-por', the model review.model names" in line
    assert "deepseek-v4-pro" in line  # what it lists
    assert code == 0 and "all good" in out, out  # completion.model deepseek-v4-flash, unlisted


# -- a base URL without /v1 -----------------------------------------------------------------------


def _not_found(fake: FakeDeepSeek, path: str) -> None:
    # Ollama's (Go's net/http) answer to a path it does not serve, byte for byte.
    body = "404 page not found"
    headers = {"Content-Type": "text/plain; charset=utf-8", "Content-Length": str(len(body))}
    fake.fault("raw", count=None, path=path, status=404, headers=headers, body=body)


@pytest.mark.parametrize("backend", ["openai-suffix", "fim-template", "chat"])
def test_doctor_tells_a_base_url_without_v1_to_add_it(tmp_path: Any, monkeypatch: Any, capsys: Any, backend: str) -> None:
    """``baseUrl: http://localhost:11434`` (Ollama, vLLM and LM Studio answer the OpenAI API
    under /v1): doctor said only "http://localhost:11434/models answered HTTP 404", which
    names neither the setting nor what to write in it."""
    with FakeDeepSeek(api_key=None, models=OLLAMA_MODELS) as fake:
        _not_found(fake, "/models")
        env = server_env(fake.url, api_key="", state_dir=str(tmp_path), DEEPSEEK_BACKEND=backend)
        env.update(DEEPSEEK_COMPLETION_MODEL="qwen2.5-coder:7b", DEEPSEEK_REVIEW_MODEL="llama3.1")
        code, out, _ = doctor(monkeypatch, capsys, env)
        fixed = {**env, "DEEPSEEK_BASE_URL": f"{fake.url}/v1"}
        code_after, out_after, _ = doctor(monkeypatch, capsys, fixed)
    assert code == 1, out
    line = next(x for x in out.splitlines() if x.startswith("endpoint:"))
    assert "404" in line and "baseUrl" in line and f"{fake.url}/v1" in line, line
    assert code_after == 0 and "all good" in out_after, out_after  # the advice, taken, works


def test_doctor_does_not_tell_a_base_url_with_v1_to_add_another(tmp_path: Any, monkeypatch: Any, capsys: Any) -> None:
    with FakeDeepSeek(api_key=None, models=OLLAMA_MODELS) as fake:
        _not_found(fake, "/v1/models")
        code, out, _ = doctor(monkeypatch, capsys, ollama_env(fake.url, tmp_path, DEEPSEEK_COMPLETION_MODEL="qwen2.5-coder:7b"))
    line = next(x for x in out.splitlines() if x.startswith("endpoint:"))
    assert code == 1 and "404" in line and "baseUrl" in line, line
    assert "/v1/v1" not in line


def test_doctor_tells_a_local_server_not_running_so_not_the_network(tmp_path: Any, monkeypatch: Any, capsys: Any) -> None:
    """Ollama not started: "cannot reach http://127.0.0.1:11434/v1 (ConnectError): check the
    base URL and your network", where no network is on the way."""
    with refused_url() as url:
        port = url.rsplit(":", 1)[1]
        code, out, _ = doctor(monkeypatch, capsys, ollama_env(url, tmp_path, DEEPSEEK_COMPLETION_MODEL="qwen2.5-coder:7b"))
    line = next(x for x in out.splitlines() if x.startswith("endpoint:"))
    assert code == 1 and f"127.0.0.1:{port}: nothing is listening there" in line, line
    assert "Is the model server running" in line and "network" not in line


def test_doctor_tells_a_base_url_whose_host_name_does_not_resolve(tmp_path: Any, monkeypatch: Any, capsys: Any) -> None:
    """A typo in the host: "cannot reach https://no-such-host.invalid (ConnectError)", the
    class name a user cannot act on, where the name is what was not found."""
    env = server_env("https://no-such-host.invalid", state_dir=str(tmp_path))
    code, out, _ = doctor(monkeypatch, capsys, env)
    line = next(x for x in out.splitlines() if x.startswith("endpoint:"))
    assert code == 1 and "no-such-host.invalid" in line and "host name was not found" in line, line
    assert "ConnectError" not in line and "typo" in line


@pytest.mark.parametrize("template", [None, "qwen_coder"])
def test_doctor_tells_a_server_that_leaves_the_suffix_out(tmp_path: Any, monkeypatch: Any, capsys: Any, template: str | None) -> None:
    """SGLang started without --completion-template answers the completion, from its prompt
    alone: doctor said all good, and every suggestion was written blind to the code below.
    Its usage of the one-token probe tells; with the template, all good."""
    with FakeDeepSeek(api_key=None, models=("qwen2.5-coder:7b",)) as fake:
        fake.server, fake.owned_by, fake.completion_template = "sglang", "sglang", template
        env = server_env(f"{fake.url}/v1", api_key="", state_dir=str(tmp_path), DEEPSEEK_BACKEND="openai-suffix")
        env.update(DEEPSEEK_COMPLETION_MODEL="qwen2.5-coder:7b", DEEPSEEK_REVIEW_MODEL="qwen2.5-coder:7b")
        code, out, _ = doctor(monkeypatch, capsys, env)
    line = next(x for x in out.splitlines() if x.startswith("endpoint:"))
    if template:
        assert code == 0 and "all good" in out, out
        return
    assert code == 1 and "PROBLEM" in line, out
    assert "leaves out the code after the cursor" in line and "--completion-template" in line and "fim-template" in line


def test_doctor_tells_llama_server_s_openai_completions_leave_the_suffix_out(tmp_path: Any, monkeypatch: Any, capsys: Any) -> None:
    """llama-server's /v1/completions takes ``suffix`` and leaves it out: doctor told of it in
    SGLang's terms (start it with --completion-template), which llama-server has no such
    flag for. Its model list names it: told to use llamacpp-infill."""
    with FakeDeepSeek(api_key=None, models=("qwen2.5-coder:7b",)) as fake:
        fake.server, fake.owned_by = "llamacpp", "llamacpp"
        env = server_env(f"{fake.url}/v1", api_key="", state_dir=str(tmp_path), DEEPSEEK_BACKEND="openai-suffix")
        env.update(DEEPSEEK_COMPLETION_MODEL="qwen2.5-coder:7b", DEEPSEEK_REVIEW_MODEL="qwen2.5-coder:7b")
        code, out, _ = doctor(monkeypatch, capsys, env)
    line = next(x for x in out.splitlines() if x.startswith("endpoint:"))
    assert code == 1 and "PROBLEM" in line, out
    assert "leaves out the code after the cursor" in line and "llamacpp-infill" in line, line
    assert "--completion-template" not in line


@pytest.mark.parametrize(
    ("model", "listed", "served"),
    [
        ("Qwen2.5-Coder:7B", ["qwen2.5-coder:7b"], True),  # Ollama's names are case-insensitive
        ("registry.ollama.ai/library/qwen2.5-coder:7b", ["qwen2.5-coder:7b"], True),  # its defaults
        ("hf.co/bartowski/qwen2.5-coder-7b-instruct-gguf", ["hf.co/bartowski/Qwen2.5-Coder-7B-Instruct-GGUF:latest"], True),
        ("Qwen2.5-Coder:1.5b", ["qwen2.5-coder:7b"], False),
    ],
)
def test_model_names_as_ollama_resolves_them(model: str, listed: list[str], served: bool) -> None:
    """doctor said an Ollama did not serve the model completions were answered for."""
    assert serves(listed, model, ollama=True) is served
    assert not serves(listed, model)  # (vLLM's names are exact: a control)


# -- a server of one's own named with the backend left at deepseek ---------------------------------


@pytest.mark.parametrize(
    ("server", "owner", "backend"),
    [("ollama", "library", "openai-suffix"), ("vllm", "vllm", "fim-template"), ("llamacpp", "llamacpp", "llamacpp-infill")],
)
def test_doctor_tells_the_backend_to_set_for_a_server_named_with_the_backend_left_at_deepseek(
    tmp_path: Any, monkeypatch: Any, capsys: Any, server: str, owner: str, backend: str
) -> None:
    """DEEPSEEK_BASE_URL at a local server, no key, nothing else set (the environment's list is
    the first a new user reads): doctor said "no API key", a key that server never wants; given
    one, "all good", while every completion went to /beta/completions, which it does not serve."""
    with FakeDeepSeek(api_key=None, models=("qwen2.5-coder:7b",)) as fake:
        fake.server, fake.owned_by = server, owner  # each model's owned_by, as that server lists it
        env = server_env(f"{fake.url}/v1", state_dir=str(tmp_path))
        del env["DEEPSEEK_API_KEY"]
        code, out, _ = doctor(monkeypatch, capsys, env)
    told = next(line for line in out.splitlines() if line.startswith("endpoint: "))
    assert code == 1 and "no API key" not in told, told
    assert "/beta/completions" in told and f"set backend to '{backend}'" in told, told


def test_doctor_tells_the_backend_to_set_for_litellm_s_proxy_with_the_backend_left_at_deepseek(
    tmp_path: Any, monkeypatch: Any, capsys: Any
) -> None:
    """LiteLLM's proxy (told by its x-litellm-* headers) routes /v1/completions and
    /v1/chat/completions, not DeepSeek's /beta/completions: with the backend left at deepseek
    doctor said "all good" (and asked it DeepSeek's /user/balance), and every completion then
    failed with a 404 at /v1/beta/completions."""
    litellm = {"x-litellm-version": "1.74.0", "x-litellm-call-id": "5a1f"}
    with FakeDeepSeek(api_key="sk-litellm-master-0123456789", models=("qwen2.5-coder:7b",)) as fake:
        fake.server, fake.owned_by = "litellm", "openai"
        fake.models_headers, fake.answer_headers = dict(litellm), dict(litellm)
        env = server_env(
            f"{fake.url}/v1",
            api_key="sk-litellm-master-0123456789",
            state_dir=str(tmp_path),
            DEEPSEEK_COMPLETION_MODEL="qwen2.5-coder:7b",
            DEEPSEEK_REVIEW_MODEL="qwen2.5-coder:7b",
        )
        code, out, _ = doctor(monkeypatch, capsys, env)
    told = next(line for line in out.splitlines() if line.startswith("endpoint: "))
    assert code == 1 and "all good" not in out, out
    assert "LiteLLM" in told and "set backend to 'openai-suffix'" in told, told
