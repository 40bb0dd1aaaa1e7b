"""After the provider refuses the account, features pause; an empty balance is tried again by
itself (the top-up happens on the provider's site, which the editor never hears of), a rejected
key waits for new settings. The review feature on its own, against the fake DeepSeek server."""

from __future__ import annotations

import asyncio
import time
from types import SimpleNamespace
from typing import Any

import pytest

from deepseek_lsp import features
from deepseek_lsp.languages import LanguageRegistry
from deepseek_lsp.model import ChatRequest, InsufficientBalanceError
from deepseek_lsp.model.errors import OutOfMemoryError
from deepseek_lsp.review import outcome_status
from tests.fake_deepseek import FakeDeepSeek
from tests.review_support import ReviewFeatureSession, Rule, reviewer

CHAT = "/chat/completions"
REGISTRY = LanguageRegistry.load()
DOC = "def find(rows, key):\n    for row in rows:\n        if row == None:\n            return key\n"
RULE = Rule("if row == None:", "warning", "Compare with None using 'is'.", "if row is None:")


pytestmark = pytest.mark.usefixtures("state_dir")  # usage and caches in the test's own folder


class PauseClock:
    """The clock a feature's pause is read by, moved on by the test: a pause of 0.5 s, slept
    past, ran out at load between two reviews meant to meet it (a second request sent)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.offset = 0.0
        monkeypatch.setattr(features, "time", SimpleNamespace(monotonic=lambda: time.monotonic() + self.offset))

    def advance(self, seconds: float) -> None:
        self.offset += seconds


#: A pause longer than any test: it ends when the test's clock is moved past it.
PAUSE_S = 60.0


class Reviewing(ReviewFeatureSession):
    async def run(self, uri: str) -> dict[str, Any]:
        return await self.review.command.run(uri, force=True)


async def test_reviews_resume_by_themselves_after_a_top_up(
    fake_deepseek: FakeDeepSeek, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(InsufficientBalanceError, "recheck_after_s", PAUSE_S)
    clock = PauseClock(monkeypatch)
    async with Reviewing(fake_deepseek) as r:
        fake_deepseek.fault("status", count=2, path=CHAT, status=402)
        fake_deepseek.responder(reviewer([RULE]), path=CHAT)
        r.services.documents.open("file:///ws/a.py", DOC, "python", 1)
        r.services.documents.open("file:///ws/b.py", DOC.replace("find", "seek"), "python", 1)

        first = await r.run("file:///ws/a.py")
        assert not first["ok"]
        paused = await r.run("file:///ws/a.py")
        assert not paused["ok"] and "402" in paused["reason"] and "top up" in paused["reason"]
        assert len(fake_deepseek.requests_to(CHAT)) == 1
        # The pause is the account's, not one file's: shown whichever file is in front.
        assert r.statuses[-1].kind == "Error" and r.statuses[-1].uri == ""

        clock.advance(PAUSE_S + 1)
        assert not (await r.run("file:///ws/b.py"))["ok"]  # one try: still no balance
        assert not (await r.run("file:///ws/b.py"))["ok"]
        assert len(fake_deepseek.requests_to(CHAT)) == 2

        clock.advance(PAUSE_S + 1)  # topped up meanwhile
        done = await r.run("file:///ws/b.py")
        assert done["ok"] and done["findings"] == 1
        assert r.statuses[-1].kind == "Normal"  # the pause's Error went with it


async def test_a_rejected_key_pauses_reviews_until_the_settings_change(
    fake_deepseek: FakeDeepSeek, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(InsufficientBalanceError, "recheck_after_s", 0.2)
    async with Reviewing(fake_deepseek) as r:
        fake_deepseek.fault("status", count=1, path=CHAT, status=401)
        fake_deepseek.responder(reviewer([RULE]), path=CHAT)
        r.services.documents.open("file:///ws/a.py", DOC, "python", 1)
        assert not (await r.run("file:///ws/a.py"))["ok"]
        await asyncio.sleep(0.4)
        again = await r.run("file:///ws/a.py")
        assert not again["ok"] and "401" in again["reason"]
        assert len(fake_deepseek.requests_to(CHAT)) == 1


async def test_a_model_too_big_for_the_machine_pauses_reviews_instead_of_loading_it_again(
    fake_deepseek: FakeDeepSeek, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ollama answers 500 "model requires more system memory ... than is available": read as a
    passing server error, each review asked four times (four load attempts on the user's
    machine) and told "it will be retried later", and the next save asked again."""
    monkeypatch.setattr(OutOfMemoryError, "recheck_after_s", PAUSE_S)
    clock = PauseClock(monkeypatch)
    said = "model requires more system memory (7.5 GiB) than is available (5.2 GiB)"
    async with Reviewing(fake_deepseek) as r:
        fake_deepseek.fault("status", count=1, path=CHAT, status=500, message=said)
        fake_deepseek.responder(reviewer([RULE]), path=CHAT)
        r.services.documents.open("file:///ws/a.py", DOC, "python", 1)
        first = await r.run("file:///ws/a.py")
        assert not first["ok"]
        paused = await r.run("file:///ws/a.py")
        assert not paused["ok"] and said in paused["reason"] and "smaller model" in paused["reason"]
        assert "retried later" not in paused["reason"]
        assert len(fake_deepseek.requests_to(CHAT)) == 1
        assert r.statuses[-1].kind == "Error"

        clock.advance(PAUSE_S + 1)  # another model unloaded meanwhile
        done = await r.run("file:///ws/a.py")
        assert done["ok"] and done["findings"] == 1


async def test_a_review_that_fails_on_a_server_error_says_which_file_and_where_to_look(
    fake_deepseek: FakeDeepSeek, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A bug of the server's own (not the provider's answer): the command answered "not
    # reviewed" and the status "review failed: KeyError('unit')", naming neither the file nor
    # where the details are.
    async with Reviewing(fake_deepseek) as r:
        fake_deepseek.responder(reviewer([RULE]), path=CHAT)
        r.services.documents.open("file:///ws/a.py", DOC, "python", 1)

        async def broken(*args: Any, **kwargs: Any) -> None:
            raise KeyError("unit")

        monkeypatch.setattr(type(r.review.engine), "review", broken)
        failed = await r.run("file:///ws/a.py")
        assert not failed["ok"]
        assert "a.py" in failed["reason"] and "KeyError('unit')" in failed["reason"]
        assert "log" in failed["reason"]
        assert r.statuses[-1].kind == "Warning" and r.statuses[-1].message == failed["reason"]

        monkeypatch.undo()
        done = await r.run("file:///ws/a.py")  # the failure is not told of a later review
        assert done["ok"] and done["findings"] == 1


async def test_a_balance_run_out_again_after_a_top_up_is_told_again(
    fake_deepseek: FakeDeepSeek, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pop-up is once per cause while it stands: a review answered after the top-up ends
    it. The 402's words stayed on record as told by the review, and the balance run out again
    days later popped nothing up, neither for the next review nor for the completions (whose
    same words were taken as still standing for the review's)."""
    monkeypatch.setattr(InsufficientBalanceError, "recheck_after_s", PAUSE_S)
    clock = PauseClock(monkeypatch)
    async with Reviewing(fake_deepseek) as r:
        popped: list[str] = []
        monkeypatch.setattr(r.services.status, "_show", lambda m, level=2: popped.append(m))
        fake_deepseek.fault("status", count=1, path=CHAT, status=402)
        fake_deepseek.responder(reviewer([RULE]), path=CHAT)
        r.services.documents.open("file:///ws/a.py", DOC, "python", 1)
        r.services.documents.open("file:///ws/b.py", DOC.replace("find", "seek"), "python", 1)
        r.services.documents.open("file:///ws/c.py", DOC.replace("find", "look"), "python", 1)
        assert not (await r.run("file:///ws/a.py"))["ok"]
        assert len(popped) == 1 and "402" in popped[0]

        clock.advance(PAUSE_S + 1)  # topped up meanwhile
        assert (await r.run("file:///ws/b.py"))["ok"]

        # Run out again: completions meet it first (as CompletionHealth.failed tells it).
        assert r.services.status.tell_once("completion:InsufficientBalanceError", popped[0], 1)
        r.services.status.forget("completion:")  # topped up, completions answered again
        fake_deepseek.fault("status", count=1, path=CHAT, status=402)
        assert not (await r.run("file:///ws/c.py"))["ok"]
        assert popped == [popped[0]] * 3


async def test_a_proxy_s_passing_404_does_not_pause_reviews(fake_deepseek: FakeDeepSeek) -> None:
    """A reverse proxy's 404 of a moment to a review, where the server's model list answers:
    reviews were paused a minute, the next save not reviewed. Told as that review's failure;
    the next save is reviewed. The same 404 again in a row pauses them."""
    async with Reviewing(fake_deepseek) as r:
        fake_deepseek.fault("status", count=1, path=CHAT, status=404, message="Not Found")
        fake_deepseek.responder(reviewer([RULE]), path=CHAT)
        r.services.documents.open("file:///ws/a.py", DOC, "python", 1)
        failed = await r.run("file:///ws/a.py")
        (told,) = failed["errors"]
        assert not failed["ok"] and "404" in told and "paused" not in told
        assert r.statuses[-1].kind == "Warning"
        done = await r.run("file:///ws/a.py")
        assert done["ok"] and done["findings"] == 1
        assert len(fake_deepseek.requests_to(CHAT)) == 2

        fake_deepseek.fault("status", count=None, path=CHAT, status=404, message="Not Found")
        for _ in range(3):
            assert not (await r.run("file:///ws/a.py"))["ok"]
        assert len(fake_deepseek.requests_to(CHAT)) == 4
        assert r.statuses[-1].kind == "Error" and "paused" in r.statuses[-1].message


async def test_an_answer_between_from_another_feature_makes_the_next_404_a_first_one(
    fake_deepseek: FakeDeepSeek,
) -> None:
    """A review's 404 of a moment, then the same URL answered (a chat completion asked there,
    as completions with the chat backend do): the next passing 404 of a review, hours later,
    was taken for the same one again, with nothing answered between, and paused reviews a
    minute with a pop-up. The answer is the client's, whichever feature asked."""
    async with Reviewing(fake_deepseek) as r:
        fake_deepseek.fault("status", count=1, path=CHAT, status=404, message="Not Found")
        fake_deepseek.responder(reviewer([RULE]), path=CHAT)
        r.services.documents.open("file:///ws/a.py", DOC, "python", 1)
        assert not (await r.run("file:///ws/a.py"))["ok"]
        assert r.statuses[-1].kind == "Warning"
        question = [{"role": "user", "content": "Review this diff; answer in json."}]
        deadline = asyncio.get_running_loop().time() + 5
        assert (await r.services.models.client.chat(ChatRequest(messages=question), deadline)).text

        fake_deepseek.fault("status", count=1, path=CHAT, status=404, message="Not Found")
        assert not (await r.run("file:///ws/a.py"))["ok"]
        assert r.statuses[-1].kind == "Warning" and "paused" not in r.statuses[-1].message
        assert (await r.run("file:///ws/a.py"))["ok"]


async def test_a_first_review_s_refusal_pauses_reviews_for_a_while_not_for_good(
    fake_deepseek: FakeDeepSeek, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A refusal before any review was answered reads as the settings' (a 403), but may be
    that file's own (a gateway's rule reading its code, in words not known here): it paused
    every file's reviews until the settings changed; then every file's for a minute; now that
    file's saves wait a while (see test_review_refused_alike), then one review tries again."""
    monkeypatch.setattr(outcome_status, "REFUSED_RECHECK_S", 0.5)
    async with Reviewing(fake_deepseek) as r:
        fake_deepseek.fault("status", count=2, path=CHAT, status=403, message="Request blocked")
        fake_deepseek.responder(reviewer([RULE]), path=CHAT)
        r.services.documents.open("file:///ws/a.py", DOC, "python", 1)
        assert not (await r.run("file:///ws/a.py"))["ok"]
        assert await r.review.schedule("file:///ws/a.py", on_save=True) is None  # paused
        assert len(fake_deepseek.requests_to(CHAT)) == 1
        await asyncio.sleep(0.6)
        again = await r.review.schedule("file:///ws/a.py", on_save=True)
        assert again is not None and again.errors and not again.findings  # sent, refused again
        assert len(fake_deepseek.requests_to(CHAT)) == 2
        await asyncio.sleep(0.6)
        await r.review.schedule("file:///ws/a.py", on_save=True)
        done = await r.run("file:///ws/a.py")
        assert done["ok"] and done["findings"] == 1, done  # was paused until the settings changed
