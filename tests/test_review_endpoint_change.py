"""A review under way when the endpoint settings change (baseUrl, apiKey, backend): the review
made anew for the new settings is sent to the new endpoint, never joined to the old one's
requests. The review feature on its own, against two fake DeepSeek servers."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from tests.fake_deepseek import FakeDeepSeek
from tests.review_support import reviewer
from tests.test_backend_pause import CHAT, DOC, RULE, Reviewing

pytestmark = pytest.mark.usefixtures("state_dir")


async def test_a_review_under_way_goes_to_the_new_endpoint_once_it_is_set(fake_deepseek: FakeDeepSeek) -> None:
    """The endpoint hangs, the user points ``baseUrl`` at another one: the review started again
    for the new settings took over the old endpoint's requests (same code, same model: the
    same key) and hung with them, for as long as the old endpoint kept them (2 minutes by
    default), before failing with the old endpoint's error; the new one was never asked."""
    with FakeDeepSeek() as new:
        new.responder(reviewer([RULE]), path=CHAT)
        fake_deepseek.fault("stall", count=None, path=CHAT, seconds=20)
        async with Reviewing(fake_deepseek) as r:
            uri = "file:///ws/a.py"
            r.services.documents.open(uri, DOC, "python", 1)
            first = asyncio.ensure_future(r.review.command.run(uri, force=False))
            for _ in range(200):
                if fake_deepseek.requests_to(CHAT):
                    break
                await asyncio.sleep(0.02)
            assert fake_deepseek.requests_to(CHAT)

            old = r.services.settings
            r.services.settings = replace(old, base_url=new.url)
            for feature in (r.usage, r.review):
                feature.settings_changed(old, r.services.settings)
            for _ in range(250):
                if new.requests_to(CHAT) and r.published and r.published[-1].diagnostics:
                    break
                await asyncio.sleep(0.02)
            assert new.requests_to(CHAT), "the new endpoint was never asked"
            assert [RULE.message in d.message for d in r.published[-1].diagnostics] == [True]
            first.cancel()
            await asyncio.gather(first, return_exceptions=True)


async def test_review_file_with_an_endpoint_refused_says_why_and_what_to_do(fake_deepseek: FakeDeepSeek) -> None:
    """``baseUrl`` a plain http:// address of another machine, refused until ``allowHttp`` is
    set: the Review File command answered "not reviewed", which both editors show as it is,
    with nothing of why nor what to do (only the status said it)."""
    async with Reviewing(fake_deepseek) as r:
        old = r.services.settings
        r.services.settings = replace(old, base_url=f"http://127.1:{fake_deepseek.port}")
        for feature in (r.usage, r.review):
            feature.settings_changed(old, r.services.settings)
        uri = "file:///ws/a.py"
        r.services.documents.open(uri, DOC, "python", 1)
        done = await r.review.command.run(uri, force=False)
        assert done["ok"] is False
        assert done["reason"].startswith("Refusing plain http:// to 127.1"), done
        assert "allowHttp" in done["reason"]
        assert fake_deepseek.requests_to(CHAT) == []


async def test_review_file_without_the_editors_settings_says_why(fake_deepseek: FakeDeepSeek) -> None:
    """The editor never answered the settings' pull, nor the review's own ask: the review is not
    sent with the defaults (no daily budget, no exclusions), and the Review File command
    answered "not reviewed", not that it waits for the editor's settings."""
    async with Reviewing(fake_deepseek) as r:
        r.services.settings_unknown = "the editor's settings could not be read (no answer in 5 s)"
        uri = "file:///ws/a.py"
        r.services.documents.open(uri, DOC, "python", 1)
        done = await r.review.command.run(uri, force=False)
        assert done == {
            "ok": False,
            "reason": "not sent: the editor's settings could not be read (no answer in 5 s); review "
            "the file again to ask the editor for them again",
        }
        assert fake_deepseek.requests_to(CHAT) == []


async def test_a_passing_404_before_an_endpoint_change_is_forgotten_as_completions_forget_it(
    fake_deepseek: FakeDeepSeek,
) -> None:
    """A review's 404 of a moment, then the endpoint settings changed (a new client, the pause
    lifted): the next 404 paused reviews a minute at once, taken for the same one again,
    where completions, which forget it at such a change, only told it in the status."""
    async with Reviewing(fake_deepseek) as r:
        uri = "file:///ws/a.py"
        r.services.documents.open(uri, DOC, "python", 1)
        fake_deepseek.responder(reviewer([RULE]), path=CHAT)
        fake_deepseek.fault("status", count=1, path=CHAT, status=404, message="Not Found")
        assert not (await r.run(uri))["ok"] and r.statuses[-1].kind == "Warning"

        old = r.services.settings
        r.services.settings = replace(old, allow_http=True)
        for feature in (r.usage, r.review):
            feature.settings_changed(old, r.services.settings)
        fake_deepseek.fault("status", count=1, path=CHAT, status=404, message="Not Found")
        assert not (await r.run(uri))["ok"]
        assert r.statuses[-1].kind == "Warning" and "paused" not in r.statuses[-1].message
        assert (await r.run(uri))["ok"]
