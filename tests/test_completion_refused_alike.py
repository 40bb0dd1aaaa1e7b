"""A refusal every completion request with the settings meets (a gateway's 403 on every call, a
400 or 422 naming no request's own size or content) pauses completions with an Error instead of
being sent again at each key: 100 keys typed paid 100 failing round trips under the same
Warning. One request tries again a minute later, and new settings lift the pause at once."""

from __future__ import annotations

import asyncio

import pytest

from deepseek_lsp.completion import health
from tests.completing import FIM, Completing
from tests.fake_deepseek import FakeDeepSeek

REFUSALS = [
    (403, "Forbidden: this key may not use the model deepseek-flash"),
    (400, "Unrecognized request argument supplied: suffix"),
    (422, "Invalid Parameters"),
]


@pytest.fixture
def completing(fake_deepseek: FakeDeepSeek) -> Completing:
    return Completing(fake_deepseek, debounce=0, prefetch=False, cache=False)


async def _keys(c: Completing, uri: str, count: int) -> list[list[str]]:
    return [await c.inline(uri, 1, 4) for _ in range(count)]


@pytest.mark.parametrize(("status", "said"), REFUSALS)
async def test_a_refusal_met_before_any_answer_pauses_completions_until_the_settings_change(
    fake_deepseek: FakeDeepSeek, completing: Completing, status: int, said: str
) -> None:
    c = completing
    try:
        doc = c.open("file:///ws/a.py", "def add(a, b):\n    ")
        fake_deepseek.fault("status", count=None, path=FIM, status=status, message=said)
        assert await _keys(c, doc.uri, 5) == [[]] * 5
        assert len(fake_deepseek.requests_to(FIM)) == 1  # was 5: each key sent it again
        current = c.services.status.current
        assert current.kind == "Error" and f"({status})" in current.message and "paused" in current.message
        assert c.shown == [current.message]  # one pop-up
        if status == 403:  # the key's access named, as the command line names it
            assert "whether the key may use that model" in current.message

        fake_deepseek.reset()
        fake_deepseek.script("return a + b", path=FIM)
        c.configure(model="deepseek-v4-pro")
        assert await c.inline(doc.uri, 1, 4) == ["return a + b"]
        assert c.services.status.current.kind == "Normal"
    finally:
        await c.stop()


async def test_one_request_tries_again_a_while_later(
    fake_deepseek: FakeDeepSeek, completing: Completing, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A gateway's access rule mended on its side (the model granted to the key), which the
    editor never hears of: completions come back without a restart."""
    monkeypatch.setattr(health, "REFUSED_RECHECK_S", 1.0)  # the keys between take far less
    c = completing
    try:
        doc = c.open("file:///ws/a.py", "def add(a, b):\n    ")
        fake_deepseek.fault("status", count=2, path=FIM, status=403, message="Forbidden")
        assert await _keys(c, doc.uri, 3) == [[]] * 3
        assert len(fake_deepseek.requests_to(FIM)) == 1
        await asyncio.sleep(1.2)
        assert await _keys(c, doc.uri, 3) == [[]] * 3  # one try: still refused
        assert c.services.status.current.kind == "Error"
        assert len(fake_deepseek.requests_to(FIM)) == 2
        await asyncio.sleep(1.2)  # granted meanwhile
        fake_deepseek.script("return a + b", path=FIM)
        assert await c.inline(doc.uri, 1, 4) == ["return a + b"]
        assert c.services.status.current.kind == "Normal"
    finally:
        await c.stop()


async def test_after_answers_the_same_refusal_twice_in_a_row_pauses(
    fake_deepseek: FakeDeepSeek, completing: Completing
) -> None:
    """Once suggestions came, a refusal may be its own request's (a content filter in words
    not known here): the first is a Warning and the next key asks again; the same refusal
    again with no answer between is every request's (a key revoked at the gateway)."""
    c = completing
    try:
        doc = c.open("file:///ws/a.py", "def add(a, b):\n    ")
        fake_deepseek.script("return a + b", path=FIM)
        assert await c.inline(doc.uri, 1, 4) == ["return a + b"]
        fake_deepseek.fault("status", count=None, path=FIM, status=403, message="Forbidden")
        assert await _keys(c, doc.uri, 5) == [[]] * 5
        assert len(fake_deepseek.requests_to(FIM)) == 3  # was 6
        current = c.services.status.current
        assert current.kind == "Error" and "(403)" in current.message and "paused" in current.message
        assert c.shown == [current.message]  # the first one told in the status alone
    finally:
        await c.stop()


async def test_a_refusal_between_answers_does_not_pause(fake_deepseek: FakeDeepSeek, completing: Completing) -> None:
    """The control: a 400 once, answers around it, the next key is sent."""
    c = completing
    try:
        doc = c.open("file:///ws/a.py", "def add(a, b):\n    ")
        fake_deepseek.script("return a + b", path=FIM)
        assert await c.inline(doc.uri, 1, 4) == ["return a + b"]
        fake_deepseek.fault("status", count=1, path=FIM, status=400, message="Request blocked")
        assert await c.inline(doc.uri, 1, 4) == []
        assert c.services.status.current.kind == "Warning"
        fake_deepseek.script("return a + b", path=FIM)
        assert await c.inline(doc.uri, 1, 4) == ["return a + b"]
        fake_deepseek.fault("status", count=1, path=FIM, status=400, message="Request blocked")
        assert await c.inline(doc.uri, 1, 4) == []
        fake_deepseek.script("return a + b", path=FIM)
        assert await c.inline(doc.uri, 1, 4) == ["return a + b"]
        assert len(fake_deepseek.requests_to(FIM)) == 5
    finally:
        await c.stop()
