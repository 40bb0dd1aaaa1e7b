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
    again with no answer between pauses that file, and met in another file, every file (a
    key revoked at the gateway)."""
    c = completing
    try:
        doc = c.open("file:///ws/a.py", "def add(a, b):\n    ")
        other = c.open("file:///ws/b.py", "def sub(a, b):\n    ")
        fake_deepseek.script("return a + b", path=FIM)
        assert await c.inline(doc.uri, 1, 4) == ["return a + b"]
        fake_deepseek.fault("status", count=None, path=FIM, status=403, message="Forbidden")
        assert await _keys(c, doc.uri, 5) == [[]] * 5
        assert len(fake_deepseek.requests_to(FIM)) == 3  # was 6
        current = c.services.status.current
        assert current.kind == "Warning" and "(403)" in current.message and "in this file are paused" in current.message
        assert c.shown == []  # told in the status alone
        assert await _keys(c, other.uri, 3) == [[]] * 3
        assert len(fake_deepseek.requests_to(FIM)) == 4
        current = c.services.status.current
        assert current.kind == "Error" and "(403)" in current.message and "Completions are paused" in current.message
        assert c.shown == [current.message]
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


# One file's request refused (a content rule in words not known here, a gateway's WAF, a 400
# about that file's text) must not cost completions in every other file for a minute.


def _two_files(c: Completing) -> tuple[str, str]:
    return c.open("file:///ws/a.py", "def add(a, b):\n    ").uri, c.open("file:///ws/b.py", "def sub(a, b):\n    ").uri


async def test_a_first_refusal_before_any_answer_pauses_that_file_alone(
    fake_deepseek: FakeDeepSeek, completing: Completing
) -> None:
    c = completing
    try:
        a, b = _two_files(c)
        fake_deepseek.fault("status", count=1, path=FIM, status=400, message="Request blocked by rule 942100")
        assert await _keys(c, a, 3) == [[]] * 3
        assert len(fake_deepseek.requests_to(FIM)) == 1  # a.py's keys do not ask again
        fake_deepseek.script("return a - b", path=FIM)
        assert await c.inline(b, 1, 4) == ["return a - b"]  # was []: every file paused
        assert c.services.status.current.kind == "Normal"
    finally:
        await c.stop()


async def test_the_same_refusal_in_two_files_before_any_answer_pauses_every_file(
    fake_deepseek: FakeDeepSeek, completing: Completing
) -> None:
    c = completing
    try:
        a, b = _two_files(c)
        d = c.open("file:///ws/d.py", "def mul(a, b):\n    ")
        fake_deepseek.fault("status", count=1, path=FIM, status=403, message="Forbidden (request 7f3a9c21)")
        fake_deepseek.fault("status", count=None, path=FIM, status=403, message="Forbidden (request 0b12ee90)")
        assert await c.inline(a, 1, 4) == []
        assert await c.inline(b, 1, 4) == []  # a request id of its own: the same refusal
        assert await c.inline(d.uri, 1, 4) == []
        assert len(fake_deepseek.requests_to(FIM)) == 2
        current = c.services.status.current
        assert current.kind == "Error" and "(403)" in current.message and "Completions are paused" in current.message
        assert len(c.shown) == 1  # a.py's, which named the cause
    finally:
        await c.stop()


async def test_after_answers_one_files_refusals_pause_that_file_alone(
    fake_deepseek: FakeDeepSeek, completing: Completing
) -> None:
    c = completing
    try:
        a, b = _two_files(c)
        fake_deepseek.script("return a + b", path=FIM)
        assert await c.inline(a, 1, 4) == ["return a + b"]
        fake_deepseek.fault("status", count=2, path=FIM, status=403, message="Request blocked")
        assert await _keys(c, a, 4) == [[]] * 4
        assert len(fake_deepseek.requests_to(FIM)) == 3  # the second in a row stops a.py's
        fake_deepseek.script("return a - b", path=FIM)
        assert await c.inline(b, 1, 4) == ["return a - b"]  # was []: every file paused
        assert c.shown == []  # no pop-up for one file's refusals
    finally:
        await c.stop()


async def test_two_different_refusals_in_a_row_do_not_pause(fake_deepseek: FakeDeepSeek, completing: Completing) -> None:
    """Not the same refusal met again: a content rule's 400, then a gateway's 403 of a moment."""
    c = completing
    try:
        a, b = _two_files(c)
        fake_deepseek.script("return a + b", path=FIM)
        assert await c.inline(a, 1, 4) == ["return a + b"]
        fake_deepseek.fault("status", count=1, path=FIM, status=400, message="Request blocked by policy")
        assert await c.inline(a, 1, 4) == []
        fake_deepseek.fault("status", count=1, path=FIM, status=403, message="Access denied")
        assert await c.inline(b, 1, 4) == []
        fake_deepseek.script("return a - b", path=FIM)
        assert await c.inline(b, 1, 4) == ["return a - b"]  # was []: paused for a minute
        assert c.services.status.current.kind == "Normal"
    finally:
        await c.stop()


@pytest.mark.parametrize("status", [408, 409, 425])
async def test_a_refusal_of_a_moment_does_not_pause(
    fake_deepseek: FakeDeepSeek, completing: Completing, status: int
) -> None:
    """A proxy's 408 (the request body slow to come), 409 or 425 passes when sent again."""
    c = completing
    try:
        a = c.open("file:///ws/a.py", "def add(a, b):\n    ").uri
        fake_deepseek.fault("status", count=1, path=FIM, status=status, message="Request Timeout")
        assert await c.inline(a, 1, 4) == []
        fake_deepseek.script("return a + b", path=FIM)
        assert await c.inline(a, 1, 4) == ["return a + b"]  # was []: paused for a minute
    finally:
        await c.stop()


async def test_the_retry_after_every_files_pause_is_one_request(
    fake_deepseek: FakeDeepSeek, completing: Completing, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once every file's completions paused, the request that tries again a while later and is
    refused alike pauses them all again: taken for a first file's refusal, the next file sent
    another."""
    monkeypatch.setattr(health, "REFUSED_RECHECK_S", 1.0)
    c = completing
    try:
        a, b = _two_files(c)
        fake_deepseek.fault("status", count=None, path=FIM, status=403, message="Forbidden")
        assert await c.inline(a, 1, 4) == []
        assert await c.inline(b, 1, 4) == []
        await asyncio.sleep(1.2)
        assert await c.inline(a, 1, 4) == []
        assert await c.inline(b, 1, 4) == []
        assert len(fake_deepseek.requests_to(FIM)) == 3  # was 4
        assert c.services.status.current.kind == "Error"
    finally:
        await c.stop()


async def test_an_explicit_request_in_a_file_paused_by_its_refusal_is_sent(
    fake_deepseek: FakeDeepSeek, completing: Completing
) -> None:
    """The pause spares the keys typed, not a suggestion the user asks for (Alt+\\ after
    mending the line a gateway's rule refused)."""
    c = completing
    try:
        a = c.open("file:///ws/a.py", "def add(a, b):\n    ").uri
        fake_deepseek.fault("status", count=1, path=FIM, status=400, message="Request blocked by rule 942100")
        assert await _keys(c, a, 2) == [[], []]
        fake_deepseek.script("return a + b", path=FIM)
        assert len(fake_deepseek.requests_to(FIM)) == 1
        assert await c.inline(a, 1, 4, invoked=True) == ["return a + b"]  # was []: nothing sent
    finally:
        await c.stop()
