"""What is learnt of the Ollama prompts are sent to, against the fake answering as Ollama does:
how often its /api/ps is asked, how a review's own count of its prompt fits the next, and a
context changed by a reload."""

from __future__ import annotations

import asyncio

import pytest

from deepseek_lsp.model import prompt_read
from tests.completing import warmed_up
from tests.fake_deepseek import FakeDeepSeek
from tests.review_support import reviewer
from tests.selfhosted_stdio import LOCAL_MODEL
from tests.test_backend_pause import DOC, RULE, Reviewing
from tests.test_selfhosted_prompt_read import (
    CURSOR_LINE,
    TEXT,
    _asked,
    _reviewing_at_ollama,
    _whole_chat,
    as_ollama,
)

pytestmark = pytest.mark.usefixtures("state_dir")
CHAT = "/v1/chat/completions"


def _ps_asked(fake: FakeDeepSeek) -> int:
    return len(fake.requests_to("/api/ps"))


async def test_an_ollama_before_0_12_is_asked_its_context_once_not_at_every_review(fake_deepseek: FakeDeepSeek) -> None:
    """Ollama before 0.12 lists its loaded models in /api/ps without their context: it can tell
    none until it is upgraded. Each review asked it twice (before the review, for the room,
    and after it, for the cut prompt): 2 reviews, 4 asks. Now the model listed without a
    context is taken as untold until the context is asked again (5 minutes)."""
    as_ollama(fake_deepseek, num_ctx=2048)
    fake_deepseek.ps_tells_context = False
    fake_deepseek.responder(reviewer([RULE]), path=CHAT)
    async with Reviewing(fake_deepseek) as r:
        await _reviewing_at_ollama(r, fake_deepseek)
        for name in ("a", "b"):
            r.services.documents.open(f"file:///ws/{name}.py", DOC.replace("find", f"find_{name}"), "python", 1)
            assert (await r.run(f"file:///ws/{name}.py"))["findings"] == 1
            await asyncio.sleep(0.2)  # (the cut prompt's check, off the review's way)
        print(f"/api/ps asked {_ps_asked(fake_deepseek)} times in 2 reviews")
        assert _ps_asked(fake_deepseek) == 1


def _function(name: str, lines: int) -> str:
    return f"def {name}(rows):\n" + "".join(f"    x{i} = rows[{i}] * {i}\n" for i in range(lines)) + "    return x0\n"


async def test_a_review_fills_the_ollama_context_by_the_count_its_own_requests_got(fake_deepseek: FakeDeepSeek) -> None:
    """Completions fill Ollama's context by its own count of their prompts (the estimate here
    is no tokenizer of its model); reviews did not learn from theirs: fitted to a share of a
    2,048-token context by the estimate, a function the context holds (some 1,100 tokens as
    Ollama counts) was named 'not reviewed' at every save. Now a review's answered request
    tells the ratio too: the next review sends it, read whole."""
    as_ollama(fake_deepseek, num_ctx=2048)
    fake_deepseek.responder(reviewer([RULE]), path=CHAT)
    mid = _function("mid", 80)
    async with Reviewing(fake_deepseek) as r:
        await _reviewing_at_ollama(r, fake_deepseek)
        r.services.documents.open("file:///ws/a.py", DOC, "python", 1)
        assert (await r.run("file:///ws/a.py"))["findings"] == 1
        r.services.documents.open("file:///ws/b.py", DOC.replace("find", "seek") + mid, "python", 1)
        first_requests = len(fake_deepseek.requests_to(CHAT))
        second = await r.run("file:///ws/b.py")
        # (seek's request and mid's go out together: either may be answered last)
        (mid_request,) = [q for q in fake_deepseek.requests_to(CHAT)[first_requests:] if "def mid" in _whole_chat(q)]
        print(f"second review: problems {second['problems']}; mid's request {mid_request.usage}")
        assert second["problems"] == []
        assert mid_request.read == _whole_chat(mid_request)  # read whole: within the context


async def test_an_ollama_reloaded_with_a_smaller_context_is_asked_at_the_first_prompt_it_cut(
    fake_deepseek: FakeDeepSeek, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ollama loaded the model with 8,192 tokens: the settings' prompts fit, read whole. Then it
    reloads it with 768 (another app's num_ctx, or a restart with a smaller
    OLLAMA_CONTEXT_LENGTH): every prompt lost its start, nothing said, until the context was
    asked again 5 minutes later. A prompt read short at a context the server told is now
    taken for that: its context is asked at once, the next prompts fit it, and the user is
    told. (Asked so at most every SHORT_RECHECK_S, 30 s; here 0.1.)"""
    monkeypatch.setattr(prompt_read, "SHORT_RECHECK_S", 0.1)
    as_ollama(fake_deepseek, num_ctx=8192)
    f = await warmed_up(fake_deepseek, LOCAL_MODEL, "openai-suffix")
    try:
        doc = f.open("file:///ws/a.py", TEXT)
        assert await f.inline(doc.uri, CURSOR_LINE, 4) == ["return a + b"]
        await asyncio.sleep(0.2)  # (its context asked off the answer's way)
        fake_deepseek.num_ctx = 768
        for _ in range(4):
            assert await f.inline(doc.uri, CURSOR_LINE, 4) == ["return a + b"]
            await asyncio.sleep(0.2)
        _, reloaded, *later = _asked(fake_deepseek)
        cut = [r for r in later if r.read != f"{r.json['prompt']}\x00{r.json['suffix']}"]
        print(f"after the reload: the first cut, then {len(cut)} of {len(later)} cut; told {f.shown}")
        assert reloaded.read != f"{reloaded.json['prompt']}\x00{reloaded.json['suffix']}"
        assert cut == []
        (told,) = f.shown
        assert "context of 768 tokens" in told
    finally:
        await f.stop()


async def test_a_review_at_an_ollama_reloaded_with_a_smaller_context_asks_it_at_the_first_prompt_it_cut(
    fake_deepseek: FakeDeepSeek, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ollama loaded the model with 8,192 tokens: a 150-line function's review request fits,
    read whole. Then it reloads it with 1,024: the next review's request of such a function is
    cut (its instructions dropped), and so were every review's for 5 minutes, till the context
    was asked again; completions ask it at the first prompt read short. Now a review's does
    too: the review after it is fitted to 1,024 (the function named, not sent to be cut), and
    the user is told. (Asked so at most every SHORT_RECHECK_S, 30 s; here 0.1.)"""
    monkeypatch.setattr(prompt_read, "SHORT_RECHECK_S", 0.1)
    as_ollama(fake_deepseek, num_ctx=8192)
    fake_deepseek.responder(reviewer([RULE]), path=CHAT)
    async with Reviewing(fake_deepseek) as r:
        shown = await _reviewing_at_ollama(r, fake_deepseek)
        sent_before = 0
        cut: dict[str, list[str]] = {}
        for name in ("first", "reloaded", "after"):
            if name == "reloaded":
                fake_deepseek.num_ctx = 1024
                await asyncio.sleep(0.15)  # (past SHORT_RECHECK_S since the context was asked)
            uri = f"file:///ws/{name}.py"
            r.services.documents.open(uri, DOC.replace("find", f"find_{name}") + _function(f"big_{name}", 150), "python", 1)
            result = await r.run(uri)
            await asyncio.sleep(0.2)  # (the cut prompt's check, off the review's way)
            sent = fake_deepseek.requests_to(CHAT)[sent_before:]
            sent_before += len(sent)
            cut[name] = [_whole_chat(q)[-40:] for q in sent if q.read != _whole_chat(q)]
            print(f"{name}: {len(cut[name])} of {len(sent)} requests cut; problems {result['problems']}")
        print(f"told: {shown}")
        assert cut["first"] == [] and len(cut["reloaded"]) == 1
        assert cut["after"] == []
        assert any("big_after" in problem for problem in result["problems"])
        assert any("context of 1,024 tokens" in message for message in shown)
