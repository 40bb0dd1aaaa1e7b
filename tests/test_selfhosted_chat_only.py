"""A completion model served for chat only (OpenAI's gpt-4o behind any OpenAI-compatible
gateway, Azure's deployments): its /v1/completions refuses it in words that say so. The user is
told the setting that mends it (backend 'chat'), and completions wait for the settings to
change instead of asking again every minute."""

from __future__ import annotations

import asyncio

import pytest

from deepseek_lsp.model.errors import error_for_status
from tests.completing import warmed_up
from tests.fake_deepseek import FakeDeepSeek

pytestmark = pytest.mark.usefixtures("state_dir")
#: OpenAI's 404 for a chat model at /v1/completions, and Azure's 400 for a chat deployment.
OPENAI = "This is a chat model and not supported in the v1/completions endpoint. Did you mean to use v1/chat/completions?"
AZURE = "The completion operation does not work with the specified model, gpt-4o. Please choose different model and try again. You can learn more about which models can be used with each operation here: https://go.microsoft.com/fwlink/?linkid=2197993."


async def test_a_chat_model_at_completions_is_told_to_use_the_chat_backend(fake_deepseek: FakeDeepSeek) -> None:
    """Told 'has no /v1/completions, or not that model ... Check that baseUrl ... the model name
    and the backend', and asked again every minute, for good. Now: one pop-up naming backend
    'chat', completions paused until the settings change, then answered by the chat backend."""
    fake_deepseek.owned_by, fake_deepseek.models = "openai", ["gpt-4o-mini"]
    fake_deepseek.fault("status", count=None, path="/v1/completions", status=404, message=OPENAI)
    fake_deepseek.responder(lambda body: "return a + b", path="/v1/chat/completions")
    f = await warmed_up(fake_deepseek, "gpt-4o-mini", "openai-suffix")
    try:
        doc = f.open("file:///ws/a.py", "def add(a, b):\n    \n")
        for _ in range(3):
            assert await f.inline(doc.uri, 1, 4) == []
            await asyncio.sleep(0.05)
        (told,) = f.shown
        print(told)
        assert "backend setting to 'chat'" in told and "chat" in told.split("(404")[0]
        assert "until the settings change" in told
        assert len(fake_deepseek.requests_to("/v1/completions")) == 1
        f.configure(backend="chat")
        await asyncio.sleep(0.1)
        assert await f.inline(doc.uri, 1, 4) == ["return a + b"]
    finally:
        await f.stop()


@pytest.mark.parametrize(("status", "message"), [(404, OPENAI), (400, AZURE)])
def test_chat_only_refusals_name_the_chat_backend(status: int, message: str) -> None:
    error = error_for_status(status, method="POST", url="https://gw.example/v1/completions", provider_message=message)
    assert "'chat'" in error.user_message and error.disables_feature and error.recheck_after_s is None
    # A review's request at /chat/completions refused so is no chat-only model's (a control).
    review = error_for_status(status, method="POST", url="https://gw.example/v1/chat/completions", provider_message=message)
    assert "backend setting to 'chat'" not in review.user_message


def test_an_api_without_completions_names_the_chat_backend() -> None:
    """Groq's API serves chat alone: its 404 at /completions was told 'has no ..., or not that
    model ... check the baseUrl, the model name and the backend', no backend named."""
    groq = "Unknown request URL: POST /openai/v1/completions. Please check the URL for typos, or see the docs at https://console.groq.com/docs/"
    error = error_for_status(404, method="POST", url="https://api.groq.com/openai/v1/completions", provider_message=groq)
    print(error.user_message)
    assert "has no /openai/v1/completions (404" in error.user_message
    assert "backend setting 'chat'" in error.user_message
