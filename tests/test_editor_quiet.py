"""The start's work that stops the event loop waits for the editor to be quiet
(deepseek_lsp.startup): no message for a while, and none of its requests still being answered.
The activity's clock is the test's: what the wait decides does not hang on a loaded machine's
timing (its real waits are short, to look again)."""

from __future__ import annotations

import asyncio

from deepseek_lsp.startup import EditorActivity

QUIET = 0.02


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def still_waiting(waiting: asyncio.Future[None]) -> bool:
    await asyncio.sleep(QUIET * 3)  # several of its looks
    return not waiting.done()


async def test_a_request_under_way_keeps_the_wait_past_the_quiet_time_until_its_answer() -> None:
    clock = Clock()
    activity = EditorActivity(clock)
    activity.received(7)
    waiting = asyncio.ensure_future(activity.until_quiet(QUIET))
    clock.now += 10 * QUIET
    assert await still_waiting(waiting)  # the request's message is long past, its answer is not
    activity.answered(7)
    assert await still_waiting(waiting)  # the answer starts the quiet time again
    clock.now += 2 * QUIET
    await asyncio.wait_for(waiting, 5)


async def test_each_message_starts_the_quiet_time_again() -> None:
    clock = Clock()
    activity = EditorActivity(clock)
    waiting = asyncio.ensure_future(activity.until_quiet(QUIET))
    for _ in range(5):  # keys typed faster than the quiet time
        clock.now += QUIET / 2
        activity.received()
        assert await still_waiting(waiting)
    clock.now += 2 * QUIET
    await asyncio.wait_for(waiting, 5)


async def test_an_answer_to_a_request_it_was_not_told_of_changes_nothing() -> None:
    # The inspection requests (debugState) are not told to it: nor are their answers waited for.
    clock = Clock()
    activity = EditorActivity(clock)
    clock.now += 2 * QUIET
    activity.answered(3)
    assert activity.quiet_for() >= QUIET
    await asyncio.wait_for(activity.until_quiet(QUIET), 5)


async def test_an_editor_never_quiet_has_the_work_done_at_the_deadline() -> None:
    # A status poll or Neovim's cursor notifications every half second: never a quiet second, and
    # the tokenizer never loaded (counts estimated all day).
    clock = Clock()
    activity = EditorActivity(clock)
    waiting = asyncio.ensure_future(activity.until_quiet(QUIET, latest=clock.now + 3 * QUIET))
    for _ in range(5):
        clock.now += QUIET / 2
        activity.received()
        assert await still_waiting(waiting)
    clock.now += QUIET / 2  # the deadline: done between two messages, without a quiet time
    await asyncio.wait_for(waiting, 5)


async def test_past_the_deadline_a_request_under_way_is_still_answered_first() -> None:
    clock = Clock()
    activity = EditorActivity(clock)
    activity.received(4)  # a suggestion being made: the work would stop it
    waiting = asyncio.ensure_future(activity.until_quiet(QUIET, latest=clock.now + QUIET))
    clock.now += 5 * QUIET
    assert await still_waiting(waiting)
    activity.answered(4)  # answered: past the deadline, no quiet time is waited for
    await asyncio.wait_for(waiting, 5)


async def test_a_deadline_yet_to_come_changes_nothing() -> None:
    clock = Clock()
    activity = EditorActivity(clock)
    waiting = asyncio.ensure_future(activity.until_quiet(QUIET, latest=clock.now + 100 * QUIET))
    clock.now += QUIET / 2
    activity.received()
    assert await still_waiting(waiting)
    clock.now += 2 * QUIET
    await asyncio.wait_for(waiting, 5)


async def test_a_wait_cancelled_as_a_request_comes_ends_at_once() -> None:
    """The editor's ``shutdown`` came (a message: the wait wakes) and its handler cancelled the
    work waiting for quiet in the same turn of the loop: ``asyncio.wait_for`` (3.11) returned
    the wake-up and lost the cancellation, the wait went on for the quiet that the shutdown,
    under way until that work ended, kept away, and the shutdown was never answered."""
    clock = Clock()
    activity = EditorActivity(clock)
    waiting = asyncio.ensure_future(activity.until_quiet(QUIET))
    await asyncio.sleep(0)  # waiting for the quiet time
    activity.received(2)  # the shutdown request, under way until the work has ended
    waiting.cancel()  # its handler stops the work
    await asyncio.wait({waiting}, timeout=5)
    assert waiting.cancelled()


async def test_the_server_loads_the_tokenizer_at_the_deadline_of_an_editor_never_quiet(monkeypatch) -> None:
    from deepseek_lsp import server as server_module

    monkeypatch.setattr(server_module, "LATEST_S", 0.3)
    server = server_module.create_server()
    activity, times = server.protocol.activity, server.services.start_times
    work = asyncio.ensure_future(server.finish_start_when_quiet())
    try:
        for _ in range(100):  # a message every tenth of the quiet time: never quiet
            if work.done():
                break
            activity.received()
            await asyncio.sleep(0.1)
        assert work.done(), times.to_json()
        assert times.get("quietDeadline") is not None and times.get("tokenizerBegan") is not None
        assert activity.quiet_for() < 1.0
    finally:
        work.cancel()


def test_each_moment_of_the_start_is_logged_at_debug_level_once(caplog) -> None:
    # A slow first suggestion in an editor's log (Neovim's lsp.log, VS Code's output) is told
    # apart from the start's work it waited for, without asking debugState.
    from deepseek_lsp.startup import StartTimes

    clock = Clock()
    times = StartTimes(clock)
    with caplog.at_level("DEBUG", logger="deepseek_lsp.startup"):
        clock.now += 0.25
        times.mark("firstRequest")
        clock.now += 1.0
        times.mark("firstRequest")  # the second request's: not a moment of the start
    said = [r.getMessage() for r in caplog.records if r.name == "deepseek_lsp.startup"]
    assert said == ["start: firstRequest 250.0 ms after the server was made"], said


def test_a_query_compiled_is_logged_with_its_time(caplog) -> None:
    # Compiling a language's queries holds the GIL (Swift's 1.9 s of CPU, TypeScript's 0.25 s):
    # the first request in a new language waits for them, which the log now says.
    from deepseek_lsp.languages import LanguageRegistry

    lang = LanguageRegistry.load().get("python")
    assert lang is not None
    with caplog.at_level("DEBUG", logger="deepseek_lsp.languages"):
        lang.query("scopes")
        lang.query("scopes")
    said = [r.getMessage() for r in caplog.records if r.name == "deepseek_lsp.languages"]
    assert len(said) == 1 and said[0].startswith("python's scopes query compiled in "), said
