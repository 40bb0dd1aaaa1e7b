"""An editor answering ``workspace/configuration`` with a bare ``null`` (a plugin's handler
returning nothing) or with something else than a list: pygls could not read the answer and
popped its own "Error in server: Invalid Params" up at the user, who can do nothing about it."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import ClientServerConfig

from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import (
    capabilities,
    eventually,
    open_doc,
    server_command,
    server_env,
    settings_applied,
)

SETTINGS_UNREAD = "the editor's settings could not be read"


@asynccontextmanager
async def answering(tmp_path: Any, answer: Any) -> AsyncIterator[Any]:
    """A Neovim-like session whose editor answers every settings pull with ``answer`` whole
    (pytest-lsp's own handler answers a list, an item for each section asked)."""
    with FakeDeepSeek() as fake:
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path))
        client: Any = await ClientServerConfig(server_command=server_command(env), server_env=env).start()
        client.pulls = 0

        def pulled(params: Any) -> Any:
            client.pulls += 1
            return answer

        client.protocol.fm.features[types.WORKSPACE_CONFIGURATION] = pulled
        try:
            await client.initialize_session(
                types.InitializeParams(capabilities=capabilities("neovim"), process_id=os.getpid())
            )
            open_doc(client, "file:///ws/a.py", "x = 1\n")
            yield client
        finally:
            await client.shutdown_session()
            await client.stop()


async def test_a_null_answer_is_no_settings_and_pops_nothing_up(tmp_path) -> None:
    """As a list of nulls says: the defaults, the status known, no pop-up and no error."""
    async with answering(tmp_path, None) as client:
        await settings_applied(client)
        # A pull after the first (a settings change said): answered null again.
        client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
        assert await eventually(lambda: client.pulls >= 2, timeout=20)
        await settings_applied(client, pulls=2)  # read after the answer: what it popped up is in
        said = [m.message for m in client.messages]
        assert not any("Invalid Params" in m or SETTINGS_UNREAD in m for m in said), said


@pytest.mark.parametrize("answer", [5, True])
async def test_an_answer_that_is_no_list_is_said_once_without_pygls_pop_up(tmp_path, answer: Any) -> None:
    """Not readable as settings: the server's own message says so (and what it does then),
    not pygls' "Error in server: Invalid Params" besides it."""
    async with answering(tmp_path, answer) as client:
        assert await eventually(lambda: any(SETTINGS_UNREAD in m.message for m in client.messages), timeout=20)
        said = [m.message for m in client.messages]
        assert not any(m.startswith("Error in server") for m in said), said


async def test_an_object_in_a_requests_params_holding_an_id_key_is_no_answer(tmp_path) -> None:
    """JSON objects are read innermost first: an argument ``{"id": []}`` (or any object with an
    ``id``, no ``method``) was taken for an answer to one of the server's requests, its unhashable
    id raised, and the request holding it was never answered (the editor waited for good)."""
    async with answering(tmp_path, None) as client:
        await settings_applied(client)
        for argument in ({"id": []}, {"id": 7}, {"id": "x", "result": None}, {"method": "m"}):
            asked = client.workspace_execute_command_async(
                types.ExecuteCommandParams(command="deepseek.review.ignore", arguments=["file:///ws/a.py", argument])
            )
            try:
                await asyncio.wait_for(asked, timeout=20)
            except JsonRpcException:
                pass  # an answer, if an error: the arguments are no finding's
        assert not [m for m in client.messages if "Error in server" in m.message]
