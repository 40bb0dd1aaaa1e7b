"""Post-processing as the completion feature applies it: to an answer still streaming that the
user typed through, and to the tail of the cursor line. The feature in-process, its model client
talking HTTP to the fake DeepSeek server."""

from __future__ import annotations

import asyncio

import pytest

from tests.completing import Completing
from tests.fake_deepseek import FakeDeepSeek

FIM = "/beta/completions"


pytestmark = pytest.mark.usefixtures("state_dir")  # usage and caches in the test's own folder


async def test_typing_a_whole_block_while_blank_lines_stream_on_asks_afresh_without_failing(
    completing: Completing, fake_deepseek: FakeDeepSeek
) -> None:
    """The user types all of a block's text while the model still streams blank lines
    after it: the next request joins the stream, and what is left of it after what was typed
    is nothing post-processing keeps. ``postprocess`` said so with None, which was then
    stripped: the request failed with an AttributeError (an error in the editor) instead of
    asking afresh for the state the user is in."""
    fake_deepseek.set_latency(ttft=0.02, per_token=0.02, chunk_chars=1)
    # Indented blank lines after the code (the stop sequence, three line breaks, never came).
    fake_deepseek.responder(
        lambda body: "" if body["prompt"].endswith("+ 1") else "return a + 1" + "\n    " * 30, path=FIM
    )
    uri = "file:///w/a.py"
    completing.open(uri, "def f(a):\n    \n")
    first = asyncio.ensure_future(completing.inline(uri, 1, 4))  # a block: the line above opens one
    for _ in range(200):
        await asyncio.sleep(0.01)
        pending = completing.completion.cache.pending.get(uri)
        if pending is not None and pending.text.startswith("return a + 1\n"):
            break
    assert pending is not None and not pending.future.done()
    completing.insert(uri, 1, 4, "return a + 1")  # typed what streamed: the next request joins
    assert await completing.inline(uri, 1, 16) == []  # the model has nothing more to add
    assert fake_deepseek.requests_to(FIM)[-1].json["prompt"].endswith("return a + 1")
    await asyncio.gather(first, return_exceptions=True)
