"""LiteLLM's proxy in front of an Ollama, against the fake answering as that pair does: the
proxy's headers and routes (its /model/info naming the upstream ``ollama/...`` and the
``num_ctx`` it loads it with, no /api/ps), Ollama's cut of a prompt past its context and its
count. Prompts are fitted to that context as they are at an Ollama asked directly."""

from __future__ import annotations

import asyncio

import pytest

from deepseek_lsp.model import prompt_read
from deepseek_lsp.model.litellm_routes import ollama_context
from tests.completing import warmed_up
from tests.fake_deepseek import FakeDeepSeek, RecordedRequest
from tests.review_support import reviewer
from tests.selfhosted_stdio import LOCAL_MODEL
from tests.test_backend_pause import DOC, RULE, Reviewing
from tests.test_selfhosted_prompt_read import (
    BIG,
    CURSOR_LINE,
    TEXT,
    _asked,
    _reviewing_at_ollama,
    _told,
    _whole_chat,
)

pytestmark = pytest.mark.usefixtures("state_dir")
LITELLM = {"x-litellm-version": "1.74.0", "x-litellm-call-id": "5a1f"}
CHAT = "/v1/chat/completions"


def as_litellm_before_ollama(fake: FakeDeepSeek, context: int, **params: object) -> None:
    """The fake as LiteLLM routing LOCAL_MODEL to an Ollama whose context is ``context``,
    ``params`` its litellm_params (num_ctx: the context the proxy asks Ollama for)."""
    fake.server, fake.owned_by, fake.models, fake.num_ctx = "litellm", "openai", [LOCAL_MODEL], context
    fake.models_headers = fake.answer_headers = dict(LITELLM)
    fake.litellm_params = {LOCAL_MODEL: {"model": f"ollama/{LOCAL_MODEL}", "api_base": "http://ollama:11434", **params}}
    fake.set_usage_shape("ollama")
    fake.responder(lambda body: "return a + b", path="/v1/completions")


async def _completed_at_litellm(
    fake: FakeDeepSeek, times: int, pause: float, *, told_first: bool = True
) -> tuple[list[str], RecordedRequest, list[RecordedRequest]]:
    """A session completing at TEXT's body line once (its pop-up awaited where ``told_first``),
    then ``times`` more (``pause`` after each): the pop-ups, the first prompt, and those after
    it cut."""
    f = await warmed_up(fake, LOCAL_MODEL, "openai-suffix")
    try:
        doc = f.open("file:///ws/a.py", TEXT)
        assert await f.inline(doc.uri, CURSOR_LINE, 4) == ["return a + b"]
        if told_first:
            await _told(f)
        for _ in range(times):
            assert await f.inline(doc.uri, CURSOR_LINE, 4) == ["return a + b"]
            await asyncio.sleep(pause)
        told = list(await _told(f))
    finally:
        await f.stop()
    first, *later = _asked(fake)
    cut = [r for r in later if r.read != f"{r.json['prompt']}\x00{r.json['suffix']}"]
    print(f"after the first: {len(cut)} of {len(later)} prompts cut; told {told}")
    return told, first, cut


async def test_completions_through_litellm_fit_the_ollama_context_it_names(fake_deepseek: FakeDeepSeek) -> None:
    """At LiteLLM the server looked like any OpenAI API: a 2,048-token prompt to its Ollama of a
    1,024-token context lost its start (the imports, the code above) at every key, nothing
    said. The proxy's /model/info names the upstream and its num_ctx: the prompts after the
    first fit it, read whole, and the user is told once."""
    as_litellm_before_ollama(fake_deepseek, 1024, num_ctx=1024)
    told, first, cut = await _completed_at_litellm(fake_deepseek, 3, 0.05)
    assert first.read != f"{first.json['prompt']}\x00{first.json['suffix']}"  # (cut: the fake is Ollama behind)
    assert cut == []
    (message,) = told
    assert message.startswith("LiteLLM at 127.0.0.1:") and "context of 1,024 tokens" in message
    assert "num_ctx" in message
    assert fake_deepseek.requests_to("/api/ps") == []


async def test_a_num_ctx_given_as_a_string_is_the_context_prompts_fit(fake_deepseek: FakeDeepSeek) -> None:
    """LiteLLM's litellm_params as its config gives them: ``num_ctx: "1024"`` (from an
    environment variable, ``os.environ/NUM_CTX``, or its UI) was not read, and every prompt to
    the Ollama of 1,024 tokens behind it lost its start, nothing said."""
    as_litellm_before_ollama(fake_deepseek, 1024, num_ctx="1024")
    told, _, cut = await _completed_at_litellm(fake_deepseek, 3, 0.05)
    assert cut == []
    (message,) = told
    assert "context of 1,024 tokens" in message


async def test_a_review_through_litellm_is_fitted_to_the_ollama_context(fake_deepseek: FakeDeepSeek) -> None:
    """A review through LiteLLM to an Ollama of 2,048 tokens: the 300-line function's request
    ran past the context, its instructions cut, the answer unusable. Now it is named, not sent,
    and the rest read whole."""
    as_litellm_before_ollama(fake_deepseek, 2048, num_ctx=2048)
    fake_deepseek.responder(reviewer([RULE]), path=CHAT)
    async with Reviewing(fake_deepseek) as r:
        await _reviewing_at_ollama(r, fake_deepseek, "LiteLLM")
        r.services.documents.open("file:///ws/a.py", DOC + BIG, "python", 1)
        result = await r.run("file:///ws/a.py")
        sent = fake_deepseek.requests_to(CHAT)
        assert [q.read for q in sent] == [_whole_chat(q) for q in sent]  # none cut
        (problem,) = result["problems"]
        assert "function big" in problem and "(2,048 tokens)" in problem


@pytest.mark.parametrize(
    ("params", "info", "expected"),
    [
        ({"model": "ollama/qwen2.5-coder:7b", "num_ctx": 8192}, {"max_input_tokens": 32768}, (True, 8192, False)),
        ({"model": "ollama_chat/qwen2.5-coder:7b"}, {"max_input_tokens": 32768}, (True, 32768, True)),
        ({"model": "ollama/qwen2.5-coder:7b"}, {}, (True, None, False)),
        # Given as strings (an environment variable's, LiteLLM's UI's): not read before.
        ({"model": "ollama/qwen2.5-coder:7b", "num_ctx": "8192"}, {"max_input_tokens": 32768}, (True, 8192, False)),
        ({"model": "ollama/qwen2.5-coder:7b", "num_ctx": " 8192 "}, {}, (True, 8192, False)),
        ({"model": "ollama/qwen2.5-coder:7b"}, {"max_input_tokens": "32768"}, (True, 32768, True)),
        ({"model": "ollama/qwen2.5-coder:7b", "num_ctx": "8k"}, {"max_input_tokens": "n/a"}, (True, None, False)),
        ({"model": "ollama/qwen2.5-coder:7b", "num_ctx": True}, {}, (True, None, False)),
        ({"model": "openai/gpt-4o"}, {"max_input_tokens": 128000}, (False, None, False)),
        ({"model": "hosted_vllm/qwen"}, {"max_input_tokens": 32768}, (False, None, False)),
    ],
)
def test_litellm_s_route_to_an_ollama_and_its_context(params: dict, info: dict, expected: tuple) -> None:
    body = {"data": [{"model_name": "m", "litellm_params": params, "model_info": info}, {"model_name": "other", "litellm_params": {"model": "ollama/x", "num_ctx": 1}}]}
    assert ollama_context(body, "m") == expected
    assert ollama_context({"detail": "Not Found"}, "m") == (False, None, False)


async def test_an_ollama_route_that_tells_no_context_is_fitted_to_the_count_it_kept(fake_deepseek: FakeDeepSeek) -> None:
    """A route to Ollama with neither num_ctx nor max_input_tokens: its context is learnt as an
    Ollama's without /api/ps's, from the first prompt read short (768 tokens kept)."""
    as_litellm_before_ollama(fake_deepseek, 768)
    told, _, cut = await _completed_at_litellm(fake_deepseek, 2, 0.05)
    (message,) = told
    assert cut == [] and "context of 768 tokens" in message


async def test_an_ollama_route_s_max_input_tokens_is_a_ceiling_not_its_context(
    fake_deepseek: FakeDeepSeek, monkeypatch: pytest.MonkeyPatch
) -> None:
    """LiteLLM's max_input_tokens for an Ollama route is the model's own (its /api/show's
    context_length, 32,768 for Qwen2.5-Coder), not the context Ollama loaded it with (num_ctx:
    4,096 by default; 768 here): taken for the context, no prompt was ever fitted and each lost
    its start. A prompt read short below it now tells the context, as where none is told, and
    stays so when the proxy is asked again (0.2 s here, 5 minutes at a user's)."""
    monkeypatch.setattr(prompt_read, "CONTEXT_RECHECK_S", 0.2)
    as_litellm_before_ollama(fake_deepseek, 768)
    fake_deepseek.litellm_model_info = {LOCAL_MODEL: {"max_input_tokens": 32768, "litellm_provider": "ollama"}}
    told, _, cut = await _completed_at_litellm(fake_deepseek, 4, 0.15)
    asked = len(fake_deepseek.requests_to("/v1/model/info"))
    print(f"/model/info asked {asked} times")
    assert asked >= 2 and cut == []
    (message,) = told
    assert "context of 768 tokens" in message


async def test_a_litellm_route_to_ollama_leaving_the_suffix_out_is_told_once(fake_deepseek: FakeDeepSeek) -> None:
    """LiteLLM's text completion to Ollama sends /api/generate the prompt alone (``suffix`` has
    no place there; dropped with drop_params): the model wrote blind to the code below the
    cursor, nothing said. Probed as SGLang is (one request of a one-token prompt and a known
    suffix) where the proxy routes the model to Ollama, and told once with the way out."""
    as_litellm_before_ollama(fake_deepseek, 8192, num_ctx=8192)
    fake_deepseek.drops_suffix = True
    told, _, _ = await _completed_at_litellm(fake_deepseek, 2, 0.05, told_first=False)
    probes = [r for r in _asked(fake_deepseek) if r.json["prompt"] == "#"]
    (message,) = told
    assert len(probes) == 1 and message.startswith("LiteLLM at 127.0.0.1:")
    assert "code after the cursor" in message and "fimBaseUrl" in message


async def test_a_review_through_litellm_to_an_ollama_of_a_ceiling_alone_is_fitted_to_the_count_it_kept(
    fake_deepseek: FakeDeepSeek,
) -> None:
    """The route tells max_input_tokens alone (32,768: the model's own), Ollama loaded the model
    with 2,048: a review took the ceiling for the context, and every review's request of a
    function past 2,048 tokens was cut (its instructions dropped), at every save. Completions
    learn the context from the first prompt read short below a ceiling; now reviews do too: the
    review after the first cut names the function, not sends it to be cut."""
    as_litellm_before_ollama(fake_deepseek, 2048)
    fake_deepseek.litellm_model_info = {LOCAL_MODEL: {"max_input_tokens": 32768, "litellm_provider": "ollama"}}
    fake_deepseek.responder(reviewer([RULE]), path=CHAT)
    async with Reviewing(fake_deepseek) as r:
        await _reviewing_at_ollama(r, fake_deepseek, "LiteLLM")
        cut: list[int] = []
        sent_before = 0
        for name in ("a", "b"):
            uri = f"file:///ws/{name}.py"
            r.services.documents.open(uri, DOC.replace("find", f"find_{name}") + BIG.replace("big", f"big_{name}"), "python", 1)
            result = await r.run(uri)
            await asyncio.sleep(0.2)
            sent = fake_deepseek.requests_to(CHAT)[sent_before:]
            sent_before += len(sent)
            cut.append(sum(q.read != _whole_chat(q) for q in sent))
            print(f"{name}: {cut[-1]} of {len(sent)} requests cut; problems {result['problems']}")
        assert cut[1] == 0
        assert any("function big_b" in problem for problem in result["problems"])
