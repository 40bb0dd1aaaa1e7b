"""Keys typed while a real server process loads DeepSeek's tokenizer (its thread holds the GIL
for ~0.4 s in one piece, json and the BPE build): each is answered, none lost nor crashed."""

from __future__ import annotations

import asyncio

import pytest

from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import _to_dict, inline_params, lsp_session, open_doc, server_env

FIM = "/beta/completions"


async def test_keys_typed_while_the_tokenizer_loads_are_answered(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A new interpreter, not the tests' zygote (which has the tokenizer loaded already).
    monkeypatch.setenv("DEEPSEEK_TEST_FORK", "0")
    with FakeDeepSeek() as fake:
        fake.script(*["compute(a, b)"] * 6)
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path))
        # (a new interpreter's first request imports the HTTP stack too: on a loaded machine,
        # past the 5 s default limit, an empty answer this test is not about)
        settings = {"completion": {"debounce": 0, "prefetch": False, "cache": False, "timeoutS": 20}}
        async with lsp_session(env, settings=settings, settled=False) as client:
            uri = "file:///ws/a.py"
            open_doc(client, uri, "x = \n")
            answers = []
            loaded_when: list[bool] = []
            for _ in range(6):
                answer = await asyncio.wait_for(client.text_document_inline_completion_async(inline_params(uri, 0, 4)), 20)
                answers.append([i.insert_text for i in answer.items])
                state = _to_dict(await client.protocol.send_request_async("deepseek/debugState", {}))
                loaded_when.append(state["tokenizerLoaded"])
                assert all(a == ["compute(a, b)"] for a in answers), answers
            state = _to_dict(await client.protocol.send_request_async("deepseek/debugState", {}))
            assert state["tokenizerLoaded"], loaded_when
