"""LiteLLM's /model/info answering wrong (a 500, a web page): it tells no route however often it
is asked, and the reviews are not held up asking it again."""

from __future__ import annotations

import asyncio

import pytest

from tests.fake_deepseek import FakeDeepSeek
from tests.review_support import reviewer
from tests.test_backend_pause import DOC, RULE, Reviewing
from tests.test_selfhosted_litellm_ollama import CHAT, as_litellm_before_ollama
from tests.test_selfhosted_prompt_read import _reviewing_at_ollama

pytestmark = pytest.mark.usefixtures("state_dir")


_PAGE = "<!DOCTYPE html><html><head><title>LiteLLM Admin</title></head><body>Sign in</body></html>"


@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "status", "status": 500},
        # A web page where the route was (a proxy's UI, a gateway's sign-in page).
        {"kind": "raw", "body": _PAGE, "headers": {"Content-Type": "text/html"}},
    ],
)
async def test_a_broken_model_info_is_asked_once_not_at_every_review(fake_deepseek: FakeDeepSeek, fault: dict) -> None:
    """Asked again before and after every review, as an Ollama's /api/ps listing no model
    loaded yet is (3 reviews: 6 asks, each one a proxy slow to answer held the review up to
    10 s). LiteLLM lists its configuration, loaded or not: asked once per 5 minutes."""
    as_litellm_before_ollama(fake_deepseek, 2048, num_ctx=2048)
    fake_deepseek.fault(count=None, path="/model/info", **fault)
    fake_deepseek.fault(count=None, path="/v1/model/info", **fault)
    fake_deepseek.responder(reviewer([RULE]), path=CHAT)
    async with Reviewing(fake_deepseek) as r:
        await _reviewing_at_ollama(r, fake_deepseek, "LiteLLM")
        for name in ("a", "b", "c"):
            r.services.documents.open(f"file:///ws/{name}.py", DOC.replace("find", f"find_{name}"), "python", 1)
            assert (await r.run(f"file:///ws/{name}.py"))["findings"] == 1
            await asyncio.sleep(0.2)
        asked = [q for q in fake_deepseek.requests if q.path.endswith("/model/info")]
        print(f"/model/info asked {len(asked)} times in 3 reviews")
        assert len(asked) == 1
