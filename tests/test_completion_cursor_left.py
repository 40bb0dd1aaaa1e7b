"""A suggestion still streaming for a place the user has left with no edit (a click, the arrow
keys: ``deepseek/cursorMoved``) is stopped upstream, as its prefetch is, where the editor sent no
``$/cancelRequest``: it streamed on to its end, billed for an answer never shown. What it cost
until then is in the ledger. The real server over stdio against the fake DeepSeek server."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from tests.fake_deepseek import FakeDeepSeek
from tests.harness import _to_dict, inline_params, open_doc
from tests.test_completion_e2e import session
from tests.test_completion_prefetch_moves import moved

pytestmark = pytest.mark.usefixtures("state_dir")

TEXT = "def f(x):\n    a = \n\nprint(1)\n"


async def _streaming(fake: FakeDeepSeek, client: Any, uri: str) -> tuple[asyncio.Future[Any], Any]:
    """The request at `a = |` under way, its stream held after its first tokens."""
    open_doc(client, uri, TEXT)
    fake.pause_after("x")
    asked = asyncio.ensure_future(client.text_document_inline_completion_async(inline_params(uri, 1, 8)))
    assert await fake.wait_paused_async()
    return asked, fake.requests_to("/beta/completions")[-1]


async def test_a_click_away_from_a_suggestion_on_its_way_stops_its_stream(tmp_path: Path) -> None:
    uri = "file:///ws/left.py"
    with FakeDeepSeek() as fake:
        fake.script("x + 1 if x else compute(x, y, z) + other(x)")
        async with session(fake, tmp_path, {"debounce": 0, "prefetch": False}) as client:
            asked, stream = await _streaming(fake, client, uri)
            moved(client, uri, 1, 8)  # still where it was asked: kept
            await asyncio.sleep(0.3)
            assert not stream.closed
            moved(client, uri, 3, 0)
            assert await fake.wait_closed_async(stream, timeout=2.5)
            assert stream.disconnected and not stream.completed
            fake.resume()
            result = await asyncio.wait_for(asked, 5)
            assert not result.items
            usage = _to_dict(await client.protocol.send_request_async("deepseek/usage", {}))
            spent = usage["session"]["features"]["completion"]
            assert spent["requests"] == 1 and spent["cancelled"] == 1 and spent["output_tokens"] > 0


async def test_a_move_in_another_file_leaves_the_request_for_the_way_back(tmp_path: Path) -> None:
    """Decided: another editor focused keeps the request (its answer cached for coming back, as
    the Neovim plugin keeps it on BufLeave); only a move in the same document stops it."""
    uri, other = "file:///ws/kept.py", "file:///ws/other.py"
    with FakeDeepSeek() as fake:
        fake.script("x + 1")
        async with session(fake, tmp_path, {"debounce": 0, "prefetch": False}) as client:
            open_doc(client, other, "import os\n")
            asked, stream = await _streaming(fake, client, uri)
            moved(client, other, 0, 0)
            await asyncio.sleep(0.3)
            assert not stream.closed
            fake.resume()
            result = await asyncio.wait_for(asked, 5)
            assert [item.insert_text for item in result.items] == ["x + 1"]
