"""A stream the editor hung up on (``$/cancelRequest`` at the key) is kept for the file's next
request, which VS Code sends after its own debounce (50 ms after the key, later on a loaded
host): the request that agrees with what streamed joins it. Nobody asking, it is closed. The
real server over stdio against the fake DeepSeek server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.fake_deepseek import FakeDeepSeek
from tests.harness import Typist, _to_dict, inline_params, insert, open_doc, requests_waiting
from tests.test_completion_e2e import session
from tests.test_completion_edit_closes_stream import ANSWER, FIM, TEXT

pytestmark = pytest.mark.usefixtures("state_dir")


@asynccontextmanager
async def streaming(tmp_path: Path, uri: str) -> AsyncIterator[tuple[FakeDeepSeek, Any, Typist, Any]]:
    """The server against the fake, a request at `a = |` sent as VS Code sends it, its stream
    held after its first chunk (`x + `)."""
    with FakeDeepSeek() as fake:
        async with session(fake, tmp_path, {"debounce": 0, "prefetch": False}) as client:
            fake.script(ANSWER)
            open_doc(client, uri, TEXT)
            fake.pause_after("x")
            typist = Typist(client)
            typist.request(inline_params(uri, 1, 8))
            assert await fake.wait_paused_async()
            [stream] = fake.requests_to(FIM)
            yield fake, client, typist, stream


@pytest.mark.parametrize("gap_s", [0.12, 0.3])
async def test_the_next_keys_request_sent_after_the_editors_debounce_joins_the_stream(
    tmp_path: Path, gap_s: float
) -> None:
    """VS Code cancels the request at the key and asks again after its own 50 ms debounce: the
    server's grace, 50 ms from the cancel, was over by then whenever the editor or the host was
    a little slow, the stream was closed, and the next key's request asked the model again for
    what was streaming."""
    uri = "file:///ws/grace.py"
    async with streaming(tmp_path, uri) as (fake, client, typist, stream):
        insert(client, uri, 2, 1, 8, "x")  # as what streamed
        typist.cancel()
        await asyncio.sleep(gap_s)
        again = typist.request(inline_params(uri, 1, 9))
        assert await requests_waiting(client, 1)
        fake.resume()
        result = await asyncio.wait_for(again, 5)
        assert [i.insert_text for i in result.items] == [ANSWER[1:]]
        assert len(fake.requests_to(FIM)) == 1 and stream.completed


async def test_a_stream_hung_up_on_with_no_request_after_is_closed(tmp_path: Path) -> None:
    """The editor cancels and asks nothing more (Escape, the editor left): the stream is not
    kept past the wait for a next request, its tokens so far billed as cancelled."""
    async with streaming(tmp_path, "file:///ws/left.py") as (fake, client, typist, stream):
        typist.cancel()
        assert await fake.wait_closed_async(stream, timeout=2.5)
        assert stream.disconnected and not stream.completed
        fake.resume()
        usage = _to_dict(await client.protocol.send_request_async("deepseek/usage", {}))
        spent = usage["session"]["features"]["completion"]
        assert spent["requests"] == 1 and spent["cancelled"] == 1
