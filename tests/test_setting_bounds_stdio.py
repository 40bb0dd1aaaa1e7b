"""Settings past what the backend can do, through the editor (stdio): the bound is used, said
once, and suggestions go on."""

from __future__ import annotations

from pathlib import Path

from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import eventually, inline_params, lsp_session, open_doc, server_env

FIM = "/beta/completions"


async def test_a_block_s_output_limit_past_deepseek_s_goes_out_at_4096_said_once(tmp_path: Path) -> None:
    """``multiLineMaxTokens`` 100000 went out as max_tokens: DeepSeek refused each block with a
    400 (its completions write 4K at most), a server of one's own wrote on and billed it."""
    with FakeDeepSeek() as fake:
        fake.responder(lambda body: "return sum(items)", path=FIM)
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path))
        settings = {
            "connectTimeoutS": 120,
            "completion": {"debounce": 0, "prefetch": False, "multiLineMaxTokens": 100_000},
        }
        async with lsp_session(env, settings=settings) as client:
            said = (
                "invalid value 100000 for 'completion.multiLineMaxTokens' (at most 4096, what a "
                "DeepSeek completion writes); using 4096"
            )
            assert await eventually(lambda: any(said in m.message for m in client.messages))
            assert any("'connectTimeoutS' (at most 30" in m.message for m in client.messages)
            uri = "file:///ws/f.py"
            open_doc(client, uri, "def total(items):\n    \n")
            result = await client.text_document_inline_completion_async(inline_params(uri, 1, 4))
            assert [item.insert_text for item in result.items] == ["return sum(items)"]
            asked = [r.json["max_tokens"] for r in fake.requests_to(FIM)]
            assert asked == [4096], asked
            assert sum(said in m.message for m in client.messages) == 1
