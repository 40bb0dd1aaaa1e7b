"""``deepseek/debugState`` (tests' polls, Neovim's ``:checkhealth``) walks the heap only when
asked for its counts (``{"heap": true}``): counting the frozen and the tracked objects walks
every one of them: 13-15 ms of the server's CPU a poll in a forked test server (102,000 frozen
objects, 0.4 ms without), 10 ms in a server started as a new process (0.2 ms), and tests poll
it while they wait."""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Any

import pytest

from deepseek_lsp.inspection import DEBUG_STATE_REQUEST
from deepseek_lsp.server import create_server


@pytest.fixture
def walks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The heap walks made (``gc.get_objects``, ``gc.get_freeze_count``), by name."""
    made: list[str] = []

    def counted(walk: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any) -> Any:
            made.append(walk.__name__)
            return walk(*args)

        return run

    for name in ("get_objects", "get_freeze_count"):
        monkeypatch.setattr(gc, name, counted(getattr(gc, name)))
    return made


async def test_a_debug_state_poll_walks_no_heap_unless_asked(walks: list[str]) -> None:
    server = create_server()
    answer = server.protocol.fm.features[DEBUG_STATE_REQUEST]
    for params in (None, {}, {"heap": False}):
        state = answer(params)
        assert "tasks" in state and "rssBytes" in state
        assert "trackedObjects" not in state and "frozenObjects" not in state
    assert walks == []

    state = answer({"heap": True})
    assert sorted(walks) == ["get_freeze_count", "get_objects"]
    assert state["trackedObjects"] > 10_000 and state["frozenObjects"] >= 0, state
