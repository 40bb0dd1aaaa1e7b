"""What a feature remembers of a 404 naming no model (see features.NotFoundOnce): each endpoint's
on its own, from when it came, and whether it went through a proxy of the user's."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from deepseek_lsp.model import ChatRequest, errors
from deepseek_lsp.review.flights import ReviewOutcome
from tests.completing import Completing
from tests.fake_deepseek import FakeDeepSeek
from tests.review_support import reviewer
from tests.test_backend_pause import CHAT, DOC, RULE, Reviewing
from tests.test_model_real_backends import PROXY_VARS

pytestmark = pytest.mark.usefixtures("state_dir")

LOCAL_MODEL = "qwen2.5-coder:7b"
#: The unit a review request was sent for (only counted here).
UNIT: Any = object()


async def test_each_endpoint_s_404_is_remembered_on_its_own(fake_deepseek: FakeDeepSeek) -> None:
    """Two endpoints refused in turn (A, B, A, B): the feature kept the last 404's URL alone,
    so A's second 404 read as a first one after B's, and the requests were never paused though
    each endpoint had met the same 404 twice with no answer between."""
    fake_deepseek.models, fake_deepseek.owned_by = [LOCAL_MODEL], "vllm"
    f = Completing(fake_deepseek, debounce=0, prefetch=False, cache=False, model=LOCAL_MODEL)
    try:
        f.configure(backend="openai-suffix", base_url=f"{fake_deepseek.url}/v1")
        assert f.usage._warming is not None and await f.usage._warming
        a, b = (f"{fake_deepseek.url}/{where}/v1/completions" for where in ("a", "b"))
        kinds = []
        for url in (a, b, a, b):
            f.completion.health.failed(errors.error_for_status(404, url=url, provider_message="Not Found"))
            kinds.append(f.services.status.current.kind)
        assert kinds == ["Warning", "Warning", "Error", "Error"]
        assert "/a/v1/completions" in f.shown[0]
    finally:
        await f.stop()


async def test_a_review_s_404_counts_from_when_it_came_not_from_when_it_was_reported(
    fake_deepseek: FakeDeepSeek,
) -> None:
    """A review's proxy 404, then the same URL answered (completions with the chat backend)
    before the review's end was told (its other requests being closed): the 404 was taken as
    met when it was told, after that answer, so the next passing 404 read as the same one
    again and paused reviews a minute with a pop-up."""
    async with Reviewing(fake_deepseek) as r:
        fake_deepseek.responder(reviewer([RULE]), path=CHAT)
        uri = "file:///ws/a.py"
        r.services.documents.open(uri, DOC, "python", 1)
        assert (await r.run(uri))["ok"]
        client = r.services.models.client
        question = ChatRequest(messages=[{"role": "user", "content": "Review this diff; answer in json."}])
        deadline = asyncio.get_running_loop().time() + 5
        fake_deepseek.fault("status", count=1, path=CHAT, status=404, message="Not Found")
        with pytest.raises(errors.PathNotFoundError) as came:
            await client.chat(question, deadline)
        assert (await client.chat(question, deadline)).text  # answered after the 404 came
        r.review.outcome.report(ReviewOutcome(units=1, units_asked=1, errors=[came.value], unanswered=[UNIT]), uri)
        assert r.statuses[-1].kind == "Warning"

        fake_deepseek.fault("status", count=1, path=CHAT, status=404, message="Not Found")
        again = await r.run(uri)
        assert not again["ok"]
        assert r.statuses[-1].kind == "Warning" and "paused" not in r.statuses[-1].message
        assert (await r.run(uri))["ok"]


async def test_a_404_through_a_proxy_in_front_of_deepseek_gets_the_one_retry_others_get(
    fake_deepseek: FakeDeepSeek, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The environment's proxy (a company's, inspecting TLS) between the editor and
    api.deepseek.com answered 404 for a moment: taken for DeepSeek's own 404 (a fimBaseUrl
    without /beta), completions paused a minute at once, with a pop-up sending the user to
    settings that were right. Through a proxy it is a 404 like any other: a Warning, and the
    next key asks again; the same 404 twice in a row still pauses."""
    for name in PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", fake_deepseek.url)  # the fake answers as the proxy
    fake_deepseek.fault("status", count=1, path="/beta/completions", status=404, message="Not Found")
    fake_deepseek.script("return a + b", path="/beta/completions")
    f = Completing(fake_deepseek, debounce=0, prefetch=False, cache=False)
    try:
        f.configure(base_url="http://api.deepseek.com", allow_http=True)
        assert f.usage._warming is not None and await f.usage._warming
        doc = f.open("file:///ws/a.py", "def add(a, b):\n    ")
        assert await f.inline(doc.uri, 1, 4) == []
        assert f.services.status.current.kind == "Warning" and f.shown == []
        assert await f.inline(doc.uri, 1, 4) == ["return a + b"]
        requests = fake_deepseek.requests_to("/beta/completions")
        assert len(requests) == 2 and all(r.proxied for r in requests)

        fake_deepseek.fault("status", count=None, path="/beta/completions", status=404, message="Not Found")
        for _ in range(3):
            assert await f.inline(doc.uri, 1, 4) == []
        assert len(fake_deepseek.requests_to("/beta/completions")) == 4
        status = f.services.status.current
        assert status.kind == "Error" and "https://api.deepseek.com/beta" in status.message
    finally:
        await f.stop()
