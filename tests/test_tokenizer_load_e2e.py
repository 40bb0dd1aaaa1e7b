"""A real server process's start (a new interpreter, as an editor starts it): DeepSeek's
tokenizer, whose load holds the GIL (~0.4 s of CPU in one piece, json and the BPE build) and so
stops the event loop, loads once the editor is quiet, not in the way of its first open and
suggestion; keys typed while it loads are answered, none lost nor crashed."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from deepseek_lsp.startup import QUIET_S
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import _to_dict, inline_params, lsp_session, open_doc, server_env

FIM = "/beta/completions"
# (a new interpreter's first request imports the HTTP stack too: on a loaded machine, past the
# 5 s default limit, an empty answer these tests are not about)
SETTINGS = {"completion": {"debounce": 0, "prefetch": False, "cache": False, "timeoutS": 20}}


async def debug_state(client: Any) -> dict[str, Any]:
    return _to_dict(await client.protocol.send_request_async("deepseek/debugState", {"heap": True}))


async def until_started(client: Any, moment: str, timeout: float = 30.0) -> dict[str, float]:
    """The server's start times once ``moment`` is among them (debugState, which is no user's
    doing: it does not keep the editor from being quiet)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while moment not in (start := (await debug_state(client))["start"]):
        assert loop.time() < end, f"no {moment} within {timeout} s: {start}"
        await asyncio.sleep(0.05)
    return start


@pytest.fixture
def real_server(monkeypatch: pytest.MonkeyPatch) -> None:
    # A new interpreter, not the tests' zygote (which has the tokenizer loaded already).
    monkeypatch.setenv("DEEPSEEK_TEST_FORK", "0")


async def test_the_first_suggestion_does_not_wait_for_the_tokenizer_nor_the_heap_freeze(tmp_path, real_server) -> None:
    with FakeDeepSeek() as fake:
        fake.script("compute(a, b)")
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path))
        # As an editor does: the file opened and a suggestion asked for as soon as it starts.
        async with lsp_session(env, settings=SETTINGS, settled=False) as client:
            uri = "file:///ws/a.py"
            open_doc(client, uri, "x = \n")
            answer = await asyncio.wait_for(client.text_document_inline_completion_async(inline_params(uri, 0, 4)), 20)
            assert [i.insert_text for i in answer.items] == ["compute(a, b)"]
            state = await debug_state(client)
            # Answered by the estimate's counts: the load had not begun, nor the heap's freeze
            # (a full collection of what the start made), both put off until the editor is
            # quiet; only the imports' objects are frozen, before the initialize answer.
            assert "tokenizerBegan" not in state["start"] and not state["tokenizerLoaded"], state["start"]
            assert "heapFrozen" not in state["start"], state["start"]
            imports_frozen = state["frozenObjects"]
            start = await until_started(client, "tokenizerLoaded")
            assert start["firstRequest"] < start["firstAnswer"] < start["heapFrozen"] <= start["tokenizerBegan"], start
            assert start["tokenizerBegan"] - start["firstAnswer"] >= QUIET_S * 1000 * 0.9, start
            assert (await debug_state(client))["frozenObjects"] > imports_frozen


async def test_keys_typed_while_the_tokenizer_loads_are_answered(tmp_path, real_server) -> None:
    with FakeDeepSeek() as fake:
        fake.script(*["compute(a, b)"] * 6)
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path))
        async with lsp_session(env, settings=SETTINGS, settled=False) as client:
            uri = "file:///ws/a.py"
            open_doc(client, uri, "x = \n")
            # The pause the load waits for, then keys at once: they come while it loads (or
            # just after: the load is ~0.4 s of CPU).
            await until_started(client, "tokenizerBegan")
            answers = []
            loaded_when: list[bool] = []
            for _ in range(6):
                answer = await asyncio.wait_for(client.text_document_inline_completion_async(inline_params(uri, 0, 4)), 20)
                answers.append([i.insert_text for i in answer.items])
                loaded_when.append((await debug_state(client))["tokenizerLoaded"])
                assert all(a == ["compute(a, b)"] for a in answers), answers
            await until_started(client, "tokenizerLoaded")
            assert (await debug_state(client))["tokenizerLoaded"], loaded_when
