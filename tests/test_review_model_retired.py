"""A model the server stops offering while the editor runs (retired, unloaded, renamed), after
reviews with it were answered: each save sent its review again to meet the same refusal."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.completing import Completing
from tests.fake_deepseek import FakeDeepSeek
from tests.review_support import reviewer
from tests.test_backend_pause import CHAT, DOC, RULE, Reviewing

pytestmark = pytest.mark.usefixtures("state_dir")


@pytest.mark.parametrize(
    ("status", "said"),
    [
        (400, "Model Not Exist"),  # DeepSeek's
        (404, "The model `deepseek-v4-pro` does not exist."),  # vLLM's, OpenAI's
    ],
    ids=["deepseek-400", "vllm-404"],
)
async def test_a_model_retired_after_answers_pauses_reviews_until_the_settings_change(
    fake_deepseek: FakeDeepSeek, status: int, said: str
) -> None:
    async with Reviewing(fake_deepseek) as r:
        fake_deepseek.responder(reviewer([RULE]), path=CHAT)
        uri = "file:///ws/a.py"
        r.services.documents.open(uri, DOC, "python", 1)
        assert (await r.run(uri))["ok"]
        assert len(fake_deepseek.requests_to(CHAT)) == 1

        fake_deepseek.fault("status", count=None, path=CHAT, status=status, message=said)
        for _ in range(3):
            assert not (await r.run(uri))["ok"]
        assert len(fake_deepseek.requests_to(CHAT)) == 2  # one refused, then paused
        shown = r.statuses[-1]
        assert shown.kind == "Error" and shown.message.startswith("review paused: ")
        assert said in shown.message and "review.model" in shown.message

        # Another model set: reviewed at once.
        fake_deepseek.reset()
        fake_deepseek.responder(reviewer([RULE]), path=CHAT)
        old = r.services.settings
        r.services.settings = replace(old, review=replace(old.review, model="deepseek-v4-flash"))
        r.review.settings_changed(old, r.services.settings)
        assert (await r.run(uri))["ok"]


async def test_a_model_retired_after_suggestions_pauses_completions_until_the_settings_change(
    fake_deepseek: FakeDeepSeek,
) -> None:
    """The same for completions: every key sent its request again to the same 400, told in a
    Warning that said to check the model name "if they are right, this is a deepseek-lsp bug"."""
    fake_deepseek.script("return a + b", path="/beta/completions")
    f = Completing(fake_deepseek, debounce=0, prefetch=False, cache=False)
    try:
        doc = f.open("file:///ws/a.py", "def add(a, b):\n    ")
        assert await f.inline(doc.uri, 1, 4) == ["return a + b"]
        fake_deepseek.fault("status", count=None, path="/beta/completions", status=400, message="Model Not Exist")
        for _ in range(3):
            assert await f.inline(doc.uri, 1, 4) == []
        assert len(fake_deepseek.requests_to("/beta/completions")) == 2  # one refused, then paused
        status = f.services.status.current
        assert status.kind == "Error" and "Model Not Exist" in status.message and "completion.model" in status.message
        assert f.shown == [status.message]

        fake_deepseek.reset()
        fake_deepseek.script("return a + b", path="/beta/completions")
        f.configure(model="deepseek-v4-pro")
        assert await f.inline(doc.uri, 1, 4) == ["return a + b"]
    finally:
        await f.stop()
