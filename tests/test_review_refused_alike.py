"""Reviews pause on a refusal every request may meet (a gateway's 403, a 400 or 422 naming
nothing of the request's own) as completions do (completion/refusals' RefusedAlike, one
mechanism for both): a first refusal before any answer pauses that file's reviews on save, the
same refusal for a second file pauses every file's, and after answers only the same refusal for
two files does. Reviews had their own rule: every file's reviews paused a minute at a first
file's refusal before any answer, and none after answers, each save sent again to meet it."""

from __future__ import annotations

import asyncio

import pytest

from deepseek_lsp.review import outcome_status
from tests.fake_deepseek import FakeDeepSeek
from tests.review_support import reviewer
from tests.test_backend_pause import CHAT, DOC, RULE, Reviewing

pytestmark = pytest.mark.usefixtures("state_dir")
FILES = [f"file:///ws/{name}.py" for name in ("a", "b", "c", "d")]


def _open_all(r: Reviewing) -> None:
    for i, uri in enumerate(FILES):
        r.services.documents.open(uri, DOC.replace("find", f"find{i}"), "python", 1)


async def _saved(r: Reviewing, uri: str) -> bool:
    """Whether the review of ``uri`` saved was answered."""
    outcome = await r.review.schedule(uri, on_save=True)
    return outcome is not None and outcome.units_asked > len(outcome.unanswered)


async def test_after_answers_the_same_refusal_for_two_files_pauses_reviews(
    fake_deepseek: FakeDeepSeek, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A gateway that started refusing every request (the key lost the review model): each
    save sent its review again to the same 403 (3 saves, 3 requests); now the second file's
    pauses reviews, with an Error, and one review tries again a while later."""
    monkeypatch.setattr(outcome_status, "REFUSED_RECHECK_S", 0.5)
    async with Reviewing(fake_deepseek) as r:
        fake_deepseek.responder(reviewer([RULE]), path=CHAT)
        _open_all(r)
        assert (await r.run(FILES[0]))["ok"]
        fake_deepseek.fault("status", count=2, path=CHAT, status=403, message="Request blocked by policy")
        await _saved(r, FILES[1])
        assert r.statuses[-1].kind == "Warning" and "Save again to retry" in r.statuses[-1].message
        await _saved(r, FILES[2])
        assert r.statuses[-1].kind == "Error" and r.statuses[-1].message.startswith("review paused: "), r.statuses[-1]
        await _saved(r, FILES[3])
        assert len(fake_deepseek.requests_to(CHAT)) == 3  # the fourth file's save sent nothing
        await asyncio.sleep(0.6)
        assert await _saved(r, FILES[3])
        assert len(fake_deepseek.requests_to(CHAT)) == 4 and r.statuses[-1].kind == "Normal"


async def test_a_first_refusal_before_any_answer_pauses_that_file_s_reviews_alone(
    fake_deepseek: FakeDeepSeek, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It may be that file's own (a gateway's rule reading its code): the other files' saves
    waited a minute too (b.py not reviewed); now they are reviewed, that file's saves wait the
    minute out, and asking for its review (the command) sends it at once."""
    monkeypatch.setattr(outcome_status, "REFUSED_RECHECK_S", 30.0)
    async with Reviewing(fake_deepseek) as r:
        fake_deepseek.responder(reviewer([RULE]), path=CHAT)
        _open_all(r)
        fake_deepseek.fault("status", count=1, path=CHAT, status=403, message="Request blocked by policy")
        await _saved(r, FILES[0])
        assert r.statuses[-1].kind == "Error" and r.statuses[-1].message.startswith("review of a.py paused: ")
        assert "other files are reviewed" in r.statuses[-1].message
        assert await _saved(r, FILES[1])
        assert len(fake_deepseek.requests_to(CHAT)) == 2
        await _saved(r, FILES[0])
        assert len(fake_deepseek.requests_to(CHAT)) == 2  # its pause
        assert (await r.run(FILES[0]))["ok"]  # asked for: sent
        assert len(fake_deepseek.requests_to(CHAT)) == 3
        # Answered: its pause is over (reviewed again, from the cache: nothing changed).
        assert await r.review.schedule(FILES[0], on_save=True) is not None


async def test_the_same_refusal_for_two_files_before_any_answer_pauses_every_file(fake_deepseek: FakeDeepSeek) -> None:
    async with Reviewing(fake_deepseek) as r:
        fake_deepseek.responder(reviewer([RULE]), path=CHAT)
        _open_all(r)
        fake_deepseek.fault("status", count=2, path=CHAT, status=403, message="Request blocked by policy")
        await _saved(r, FILES[0])
        await _saved(r, FILES[1])
        assert r.statuses[-1].kind == "Error" and r.statuses[-1].message.startswith("review paused: ")
        await _saved(r, FILES[2])
        assert len(fake_deepseek.requests_to(CHAT)) == 2
