"""Settings changed while the server runs, as editors really send them: each change applies to
the next request, and a setting taken out is back to its default."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from lsprotocol import types

from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import eventually, inline_params, lsp_session, open_doc, server_env


async def _neovim_setup_again(client: Any, section: dict[str, Any]) -> None:
    """What editors/neovim's ``setup()`` called again does: once the server has pulled the
    settings it started with, the new table answers the pull, and a didChangeConfiguration
    carrying it tells the server to pull (editors/neovim/test/e2e.lua has the real race)."""
    assert await eventually(lambda: client.pulled >= 1, timeout=15)
    client.set_configuration({"deepseek": section})
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={"deepseek": section}))


async def test_a_setting_taken_out_in_neovim_is_back_to_its_default(tmp_path) -> None:
    """The Neovim plugin sends its settings both as initializationOptions and to the pull (as
    Helix sends its ``config``). Taken out of the settings (``setup()`` again without
    ``completion.enable = false``), the initializationOptions' copy stayed under every later
    pull: completions stayed off until Neovim was restarted."""
    with FakeDeepSeek() as fake:
        fake.script(*["a + b"] * 3)  # invoked: three choices asked at once
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path))
        off = {"completion": {"enable": False, "debounce": 0}}
        async with lsp_session(env, editor="neovim", settings=off, init_options={"deepseek": off}) as client:
            uri = "file:///ws/add.py"
            open_doc(client, uri, "def add(a, b):\n    return \n")
            assert await eventually(lambda: client.statuses and client.statuses[-1]["kind"] == "Inactive", timeout=15)
            await _neovim_setup_again(client, {"completion": {"debounce": 0}})
            assert await eventually(lambda: client.statuses[-1]["kind"] == "Normal", timeout=15), client.statuses[-1]
            result = await client.text_document_inline_completion_async(inline_params(uri, 1, 11, invoked=True))
            assert result.items and result.items[0].insert_text == "a + b"


async def test_a_setting_taken_out_is_back_to_its_default_without_the_pull(tmp_path, monkeypatch) -> None:
    """A client that cannot be asked for its settings (no ``workspace/configuration``: Helix
    before 23.10, older lsp-mode) sends its ``config`` as initializationOptions and pushes it
    again with didChangeConfiguration: a key taken out kept its initializationOptions value."""
    import tests.harness as harness

    def no_pull(editor: str = "neovim", **kwargs: Any) -> types.ClientCapabilities:
        caps = capabilities(editor, **kwargs)
        assert caps.workspace is not None
        caps.workspace.configuration = False
        return caps

    capabilities = harness.capabilities
    monkeypatch.setattr(harness, "capabilities", no_pull)
    with FakeDeepSeek() as fake:
        fake.script(*["a + b"] * 3)  # invoked: three choices asked at once
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path))
        off = {"completion": {"enable": False, "debounce": 0}}
        async with lsp_session(env, editor="neovim", init_options=off) as client:
            client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=off))
            uri = "file:///ws/add.py"
            open_doc(client, uri, "def add(a, b):\n    return \n")
            assert await eventually(lambda: client.statuses and client.statuses[-1]["kind"] == "Inactive", timeout=15)
            client.workspace_did_change_configuration(
                types.DidChangeConfigurationParams(settings={"completion": {"debounce": 0}})
            )
            assert await eventually(lambda: client.statuses[-1]["kind"] == "Normal", timeout=15), client.statuses[-1]
            result = await client.text_document_inline_completion_async(inline_params(uri, 1, 11, invoked=True))
            assert result.items and result.items[0].insert_text == "a + b"


async def test_settings_pushed_are_used_when_the_pull_fails(tmp_path) -> None:
    """An editor that says it answers ``workspace/configuration`` but answers it with an error
    (or with a bare null, which times out): the settings it pushed with didChangeConfiguration
    were dropped, with only a line in the log; completions stayed on although turned off."""
    env = server_env("http://127.0.0.1:9", api_key=DEFAULT_KEY, state_dir=str(tmp_path))
    async with lsp_session(env, editor="neovim") as client:

        def refuse(**kwargs: Any) -> Any:
            raise RuntimeError("no configuration here")

        client.get_configuration = refuse  # type: ignore[method-assign]
        client.workspace_did_change_configuration(
            types.DidChangeConfigurationParams(settings={"deepseek": {"completion": {"enable": False}}})
        )
        open_doc(client, "file:///ws/a.py", "x = 1\n")
        assert await eventually(lambda: client.statuses and client.statuses[-1]["kind"] == "Inactive", timeout=15)


async def test_without_the_cache_no_prefetch_is_paid_for_and_thrown_away(tmp_path) -> None:
    """``completion.cache: false`` with prefetch on (its default): the state after each shown
    suggestion was prefetched, billed, and never served (only the cache serves a prefetch);
    the request after the accept went out anew: two requests for every suggestion."""
    from tests.test_completion_e2e import accept, fim_requests, session

    with FakeDeepSeek() as fake:
        fake.script("x + 1", "\n    return a", "\n    return b")
        async with session(fake, tmp_path, {"debounce": 0, "cache": False}) as client:
            uri = "file:///ws/t.py"
            open_doc(client, uri, "def f(x):\n    a = \n")
            first = await client.text_document_inline_completion_async(inline_params(uri, 1, 8))
            assert [i.insert_text for i in first.items] == ["x + 1"]
            await accept(client, uri, 2, 1, 8, first.items[0])
            second = await client.text_document_inline_completion_async(inline_params(uri, 1, 13))
            assert [i.insert_text for i in second.items] == ["\n    return a"]
            await asyncio.sleep(0.5)  # a prefetch after the second would have gone out by now
            assert len(fim_requests(fake)) == 2


async def test_a_key_typed_right_after_a_settings_change_is_asked_with_the_new_settings(tmp_path) -> None:
    """Neovim's ``setup()`` again (a user re-sourcing their config), or a settings.json saved in
    VS Code, then a key at once: its request came while the server still waited for the editor's
    answer to the pull the change started, and went with the settings before it (the Neovim
    e2e's step setting ``completion.timeoutS`` 1.5 saw its request held to the old 5 s; a new
    ``baseUrl``'s first request went to the old server)."""
    with FakeDeepSeek() as fake:
        fake.script("a + b")
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path))
        async with lsp_session(env, editor="neovim", settings={"completion": {"debounce": 0}}) as client:
            uri = "file:///ws/add.py"
            open_doc(client, uri, "def add(a, b):\n    return \n")
            answer = client.get_configuration

            def answered_slowly(**kwargs: Any) -> Any:
                # The editor busy for a moment (a loaded machine, a config being sourced):
                # blocking the client's loop holds the answer, not the server.
                time.sleep(0.3)
                return answer(**kwargs)

            client.get_configuration = answered_slowly  # type: ignore[method-assign]
            new = {"completion": {"debounce": 0, "model": "deepseek-v4-pro"}}
            client.set_configuration({"deepseek": new})
            client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={"deepseek": new}))
            result = await client.text_document_inline_completion_async(inline_params(uri, 1, 11))
            models = [r.json.get("model") for r in fake.requests_to("/beta/completions")]
            # The request, and the prefetch of what follows its suggestion.
            assert models and set(models) == {"deepseek-v4-pro"}, models
            assert result is not None and result.items and result.items[0].insert_text == "a + b"
