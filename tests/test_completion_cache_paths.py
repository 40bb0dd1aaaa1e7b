"""The completion cache's hit paths as a typing user meets them: the feature in-process against
the fake DeepSeek server (tests/completing.py)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from lsprotocol import types

from tests.completing import Completing
from tests.fake_deepseek import FakeDeepSeek
from tests.harness import eventually, inline_params
from tests.test_completion_units import _notification_handlers

FIM = "/beta/completions"

pytestmark = pytest.mark.usefixtures("state_dir")


def _replace(completing: Completing, uri: str, start: tuple[int, int], end: tuple[int, int], text: str) -> None:
    doc = completing.services.documents.get(uri)
    assert doc is not None
    rng = types.Range(types.Position(*start), types.Position(*end))
    change = types.TextDocumentContentChangePartial(range=rng, text=text)
    completing.completion.document_changed(completing.services.documents.change(uri, doc.version + 1, [change]))



async def answered(completing: Completing, fake: FakeDeepSeek, n: int) -> None:
    """Until the fake was asked ``n`` completions and streamed the last one to its end (a
    prefetch, answered while the user reads), and no prefetch runs here: its answer is kept.
    Waited for 2 s and not asserted, then 0.1 s for the answer to be read, a loaded machine
    went on with the prefetch still streaming."""
    assert await eventually(lambda: len(sent := fake.requests_to(FIM)) == n and sent[-1].completed, timeout=10.0)
    assert await eventually(lambda: not any(completing.completion.fetching.prefetch_tasks.values()), timeout=10.0)


async def read_to(completing: Completing, uri: str, marker: str) -> bool:
    """Until the file's answer in flight has been read up to ``marker``: the fake holding its
    stream there (``pause_after``) has written it, which the server may not have read yet. At
    load the next key's request came first, found less streamed than was typed, and asked
    again (with no debounce: one waiting it out joins the stream as it comes)."""
    pending = completing.completion.cache.pending
    return bool(await eventually(lambda: uri in pending and marker in pending[uri].text, timeout=10.0))


async def waiting(completing: Completing, count: int) -> bool:
    """Until ``count`` requests wait on answers in flight (their own or one they joined)."""
    return bool(await eventually(lambda: completing.completion.debug_state()["completionWaiting"] >= count, timeout=10.0))


async def shown_in_a(completing: Completing, fake: FakeDeepSeek) -> types.InlineCompletionItem:
    """``a.py`` opened and ``x + 1`` shown after its ``    a = `` (see line_then_block)."""
    line_then_block(fake)
    completing.open("file:///w/a.py", "def f(x):\n    a = \n")
    [item] = (await completing.completion.inline_completion(inline_params("file:///w/a.py", 1, 8))).items
    return item


def line_then_block(fake: FakeDeepSeek, block: str = "\n    return a") -> None:
    """The fake answers ``x + 1`` at ``    a = `` (in ``def f(x):``) and ``block`` after it: a
    suggestion, then what its prefetch asks for."""
    fake.responder(lambda body: "x + 1" if body["prompt"].endswith("a = ") else block, path=FIM)

async def test_typing_through_survives_an_auto_closed_bracket(completing: Completing, fake_deepseek: FakeDeepSeek) -> None:
    """Typing `compute(` through the suggestion `compute(a, b)` in an editor that auto-closes:
    the `(` arrives as `()`, the cursor before the `)`. The text after the cursor was no longer
    the anchor's, so the suggestion was dropped and the model asked again (billed) for what
    was already held."""
    fake_deepseek.responder(lambda body: "compute(a, b)", path=FIM)
    uri = "file:///w/a.py"
    completing.open(uri, "a = b = 1\nx = \n")
    assert await completing.inline(uri, 1, 4) == ["compute(a, b)"]
    completing.insert(uri, 1, 4, "compute")
    assert await completing.inline(uri, 1, 11) == ["(a, b)"]
    completing.insert(uri, 1, 11, "()")  # the editor closes the "(" it typed
    assert await completing.inline(uri, 1, 12) == ["a, b)"]  # replaces the line's ")"
    assert len(fake_deepseek.requests_to(FIM)) == 1
    assert completing.completion.cache.hits["typing"] == 2


async def test_a_pending_request_is_joined_past_an_auto_closed_bracket(
    completing: Completing, fake_deepseek: FakeDeepSeek
) -> None:
    """The same while the answer still streams: the keystroke after the auto-closed `(` started
    a second request instead of joining the first, whose stream agreed with what was typed."""
    fake_deepseek.set_latency(ttft=0.05, per_token=0.05, chunk_chars=3)
    fake_deepseek.responder(lambda body: "compute(a, b) + offset_value", path=FIM)
    uri = "file:///w/a.py"
    completing.open(uri, "a = b = 1\nx = \n")
    fake_deepseek.pause_after("compute(")  # held there: a guessed sleep was short at load
    first = asyncio.ensure_future(completing.inline(uri, 1, 4))
    assert await fake_deepseek.wait_paused_async()
    assert await read_to(completing, uri, "compute(")
    completing.insert(uri, 1, 4, "compute")
    completing.insert(uri, 1, 11, "()")
    joined = asyncio.ensure_future(completing.inline(uri, 1, 12))
    assert await waiting(completing, 2)  # the first request and the one joining it
    fake_deepseek.resume()
    assert await joined == ["a, b) + offset_value"]
    await first
    assert len(fake_deepseek.requests_to(FIM)) == 1
    assert completing.completion.cache.hits["inflight"] == 1


async def first_key_hung_up_on(c: Completing, fake: FakeDeepSeek, *, invoked: bool = False) -> str:
    """``a.py`` opened and asked at its ``x = `` (``invoked``: asked for, with no debounce), that
    request at the fake, then ``c`` typed and the request cancelled, as the editor cancels it as
    the key goes out; returns the file's URI."""
    uri = "file:///w/a.py"
    c.open(uri, "a = b = 1\nx = \n")
    first = asyncio.ensure_future(c.inline(uri, 1, 4, invoked=invoked))
    assert await eventually(lambda: len(fake.requests_to(FIM)) == 1, timeout=10.0)
    c.insert(uri, 1, 4, "c")
    first.cancel()
    return uri


async def test_a_stream_hung_up_on_is_kept_for_the_next_key_waiting_out_its_debounce(
    fake_deepseek: FakeDeepSeek,
) -> None:
    """A file's first key, then the next one before the answer's first token: the editor
    cancels the first request and the second waits out its debounce. The stream was closed
    50 ms after the cancel, before its first token could show it agreed with the key typed,
    and the second request asked again; typed at 3+ keys a second, each next key did the same
    and nothing was shown for the whole line (the replay's calendar:491: 28 keys, 7 of 51
    characters accepted)."""
    fake_deepseek.set_latency(ttft=1.0, per_token=0.01)
    fake_deepseek.responder(lambda body: "compute(a, b)"[len(body["prompt"].rsplit("x = ", 1)[1]) :], path=FIM)
    c = Completing(fake_deepseek, debounce=1500, prefetch=False)
    try:
        uri = await first_key_hung_up_on(c, fake_deepseek)
        second = asyncio.ensure_future(c.inline(uri, 1, 5))
        assert await eventually(lambda: c.completion.fetching.debounce_waits[uri] == 1, timeout=10.0)
        await asyncio.sleep(0.2)  # past the hung-up stream's grace: kept for the second request
        # A third key while the second request waits out its debounce: it is cancelled, and
        # the stream is kept for the third key's request.
        c.insert(uri, 1, 5, "o")
        second.cancel()
        await asyncio.gather(second, return_exceptions=True)  # as the server has it: gone first
        assert await c.inline(uri, 1, 6) == ["mpute(a, b)"]
        assert len(fake_deepseek.requests_to(FIM)) == 1
    finally:
        await c.stop()


async def test_a_key_typed_before_the_answer_shows_it_as_it_comes_not_after_the_debounce(
    fake_deepseek: FakeDeepSeek,
) -> None:
    """The next key's request waits out its debounce; the answer in flight for the key before
    comes meanwhile and agrees with it: shown then, not once the debounce is over (5 s here)."""
    fake_deepseek.set_latency(ttft=0.3, per_token=0.01)
    fake_deepseek.responder(lambda body: "compute(a, b)"[len(body["prompt"].rsplit("x = ", 1)[1]) :], path=FIM)
    c = Completing(fake_deepseek, debounce=5000, prefetch=False, invoked_choices=1)
    try:
        uri = await first_key_hung_up_on(c, fake_deepseek, invoked=True)
        loop = asyncio.get_running_loop()
        began = loop.time()
        assert await c.inline(uri, 1, 5) == ["ompute(a, b)"]
        assert loop.time() - began < 3.0
        assert len(fake_deepseek.requests_to(FIM)) == 1
    finally:
        await c.stop()


async def test_a_kept_stream_that_ends_with_nobody_joining_counts_as_unused(fake_deepseek: FakeDeepSeek) -> None:
    """The same with a model that guessed wrong: the stream kept for the debounce ends (or is
    closed as it shows it went elsewhere), and no request joins it. Hung up on at once, it
    counted as unused (after three in a row the wait while typing stops subtracting the
    latency, debounce.py); kept to its end, it counted nothing, and a mispredicting model was
    asked as often as one typed through."""
    fake_deepseek.set_latency(ttft=0.3, per_token=0.01)
    fake_deepseek.responder(lambda body: "wrong_guess()", path=FIM)
    c = Completing(fake_deepseek, debounce=1500, prefetch=False)
    try:
        uri = await first_key_hung_up_on(c, fake_deepseek)
        second = asyncio.ensure_future(c.inline(uri, 1, 5))
        assert await eventually(lambda: c.completion.debouncer.unused_in_a_row(uri) == 1, timeout=10.0)
        await asyncio.sleep(0.3)
        assert c.completion.debouncer.unused_in_a_row(uri) == 1  # once, closed or ended
        assert not second.done()  # still waiting out its debounce
        second.cancel()
    finally:
        await c.stop()


async def test_a_kept_stream_going_elsewhere_than_what_was_typed_is_closed_at_once(
    fake_deepseek: FakeDeepSeek,
) -> None:
    """The stream kept for the debounce shows, as it comes, that the model guessed other than
    what was typed: it is closed then, not streamed to its end (billed) while the user types on."""
    fake_deepseek.set_latency(ttft=0.2, per_token=0.05, chunk_chars=3)
    fake_deepseek.responder(lambda body: "wrong_guess(" + ", ".join(f"arg{i}" for i in range(60)) + ")", path=FIM)
    c = Completing(fake_deepseek, debounce=5000, prefetch=False, invoked_choices=1)
    try:
        uri = await first_key_hung_up_on(c, fake_deepseek, invoked=True)
        second = asyncio.ensure_future(c.inline(uri, 1, 5))
        assert await eventually(lambda: fake_deepseek.requests_to(FIM)[0].disconnected, timeout=4.0)
        assert not fake_deepseek.requests_to(FIM)[0].completed
        second.cancel()
    finally:
        await c.stop()


async def test_a_prefetch_s_joiner_hung_up_on_leaves_the_file_s_own_kept_stream_to_be_closed(
    fake_deepseek: FakeDeepSeek,
) -> None:
    """The accepted suggestion's next request joins its prefetch while an explicit menu
    request (Ctrl+Space) asks the model there; a key cancels both, the inline one first.
    The prefetch's joiner hung up on was kept for the next key's request in place of the
    menu's stream, which then had nothing left to close it: once the user stopped, it
    streamed on to its end, billed for an answer nobody could be shown."""
    fake_deepseek.set_latency(chunk_chars=2)
    wrong = "zz(" + ", ".join(f"arg{i}" for i in range(60)) + ")"
    fake_deepseek.script("x + 1", "\n    return a" * 20, wrong, path=FIM)
    fake_deepseek.pause_after("return a")  # the prefetch, its first line not yet complete
    c = Completing(fake_deepseek, debounce=5000, invoked_choices=1, timeout_s=60)
    try:
        uri = "file:///w/a.py"
        c.open(uri, "def f(x):\n    a = \n")
        assert await c.inline(uri, 1, 8, invoked=True) == ["x + 1"]
        assert await fake_deepseek.wait_paused_async()
        fake_deepseek.set_latency(ttft=3.0, per_token=0.1)  # the menu's: nothing streamed while the keys go
        c.insert(uri, 1, 8, "x + 1")  # accepted
        inline = asyncio.ensure_future(c.inline(uri, 1, 13))
        assert await waiting(c, 1)  # joined the prefetch
        menu = asyncio.ensure_future(c.menu(uri, 1, 13, types.CompletionTriggerKind.Invoked))
        assert await eventually(lambda: len(fake_deepseek.requests_to(FIM)) == 3, timeout=10.0)
        own = fake_deepseek.requests_to(FIM)[2]
        inline.cancel()
        await asyncio.gather(inline, return_exceptions=True)
        for _ in range(5):
            await asyncio.sleep(0)
        menu.cancel()
        await asyncio.gather(menu, return_exceptions=True)
        c.insert(uri, 1, 13, "k")
        after = asyncio.ensure_future(c.inline(uri, 1, 14))
        assert await eventually(lambda: c.completion.fetching.debounce_waits[uri] == 1, timeout=10.0)
        after.cancel()  # Esc: no more requests
        await asyncio.gather(after, return_exceptions=True)
        assert await fake_deepseek.wait_closed_async(own, timeout=30.0)
        assert own.disconnected and not own.completed
        assert len(fake_deepseek.requests_to(FIM)) == 3
    finally:
        fake_deepseek.resume()
        await c.stop()


async def test_enter_typed_while_a_block_streams_joins_it_in_a_crlf_document(
    completing: Completing, fake_deepseek: FakeDeepSeek
) -> None:
    """Enter pressed after `def f(x):` while its body streams: in a CRLF document the line
    break typed (`\r\n`) never matched the model's (`\n`), so the stream was cancelled and the
    same body asked for again (in an LF document the keystroke joins it)."""
    fake_deepseek.set_latency(ttft=0.05, per_token=0.05, chunk_chars=3)
    fake_deepseek.responder(lambda body: "\n    y = x + 1\n    z = y * 2\n    return z", path=FIM)
    uri = "file:///w/a.py"
    completing.open(uri, "a = 1\r\ndef f(x):\r\n")
    fake_deepseek.pause_after("z = y")  # held once its first line is complete
    first = asyncio.ensure_future(completing.inline(uri, 1, 9))
    assert await fake_deepseek.wait_paused_async()
    completing.insert(uri, 1, 9, "\r\n    ")
    assert await completing.inline(uri, 2, 4) == ["y = x + 1"]  # the complete line, at once
    fake_deepseek.resume()
    await first
    completing.insert(uri, 2, 4, "y = x + 1")
    assert await completing.inline(uri, 2, 13) == ["\r\n    z = y * 2\r\n    return z"]
    assert len(fake_deepseek.requests_to(FIM)) == 1
    assert completing.completion.cache.hits == {"inflight": 1, "typing": 1}


async def test_an_explicit_request_asks_only_for_the_choices_it_lacks(
    completing: Completing, fake_deepseek: FakeDeepSeek
) -> None:
    """The first <M-]> (an explicit request, three choices) where the suggestion shown came
    from the model at the settings' own temperature: that request was sent again beside the
    two for the other choices, and its answer (the suggestion on screen) paid for twice. Each
    answer kept counts once as an exact hit, where it is served."""
    fake_deepseek.responder(lambda body: f"compute(a, {body.get('temperature', 0)})", path=FIM)
    uri = "file:///w/a.py"
    completing.open(uri, "a = 1\nx = \n")
    assert await completing.inline(uri, 1, 4) == ["compute(a, 0.0)"]
    choices = await completing.inline(uri, 1, 4, invoked=True)
    assert choices == ["compute(a, 0.0)", "compute(a, 0.6)", "compute(a, 0.9)"]
    asked = fake_deepseek.requests_to(FIM)
    assert asked[0].json["temperature"] == 0.0
    assert sorted(r.json["temperature"] for r in asked[1:]) == [0.6, 0.9]
    stats = completing.completion.stats.to_json(completing.completion.cache.hits)
    assert stats["backendRequests"] == 3
    assert stats["cacheHits"]["exact"] == 1
    await completing.inline(uri, 1, 4, invoked=True)  # now three choices are kept
    stats = completing.completion.stats.to_json(completing.completion.cache.hits)
    assert stats["backendRequests"] == 3
    assert stats["cacheHits"]["exact"] == 2


async def test_an_explicit_request_where_the_model_had_nothing_asks_only_for_other_choices(
    completing: Completing, fake_deepseek: FakeDeepSeek
) -> None:
    """Where the suggestion asked while typing came back empty, <M-]> asked the same question
    at the same temperature again (the same nothing) beside the two other choices."""
    fake_deepseek.responder(
        lambda body: f"compute(a, {body['temperature']})" if body["temperature"] else "", path=FIM
    )
    uri = "file:///w/a.py"
    completing.open(uri, "a = 1\nx = \n")
    assert await completing.inline(uri, 1, 4) == []
    choices = await completing.inline(uri, 1, 4, invoked=True)
    assert choices == ["compute(a, 0.6)", "compute(a, 0.9)"]
    asked = fake_deepseek.requests_to(FIM)
    assert asked[0].json["temperature"] == 0.0
    assert sorted(r.json["temperature"] for r in asked[1:]) == [0.6, 0.9]


async def test_an_explicit_request_does_not_prefetch_again_what_is_prefetched(fake_deepseek: FakeDeepSeek) -> None:
    """<M-]> where the suggestion shown was answered and prefetched: its first choice is that
    suggestion, and the state after accepting it was asked for a second time."""

    def answer(body: dict[str, object]) -> str:
        if str(body["prompt"]).endswith("a = "):
            return f"x + {body['temperature'] or 1}"
        return "\n    return a"

    fake_deepseek.responder(answer, path=FIM)
    completing = Completing(fake_deepseek, debounce=0)
    try:
        uri = "file:///w/a.py"
        completing.open(uri, "def f(x):\n    a = \n")
        assert await completing.inline(uri, 1, 8) == ["x + 1"]
        await answered(completing, fake_deepseek, 2)  # and its prefetch
        assert await completing.inline(uri, 1, 8, invoked=True) == ["x + 1", "x + 0.6", "x + 0.9"]
        await asyncio.sleep(0.3)  # time for a prefetch to be sent
        asked = [r.json["prompt"][-12:] for r in fake_deepseek.requests_to(FIM)]
        assert len(asked) == 4, asked  # the suggestion, its prefetch, the two other choices
    finally:
        await completing.stop()


async def test_a_rename_far_above_is_not_answered_with_the_old_name(
    completing: Completing, fake_deepseek: FakeDeepSeek
) -> None:
    """`def foo` renamed `def bar` (same length) more than the anchor's 256 bytes above the
    cursor: back at the cursor, the suggestion held there, `foo(1)`, was served from the
    typing-through cache, calling a function that no longer exists."""
    fake_deepseek.responder(lambda body: "bar(1)" if "def bar" in body["prompt"] else "foo(1)", path=FIM)
    uri = "file:///w/a.py"
    filler = "".join(f"v{i} = {i}\n" for i in range(60))
    completing.open(uri, "def foo(a):\n    return a\n\n\n" + filler + "x = \n")
    line = 4 + 60
    assert await completing.inline(uri, line, 4) == ["foo(1)"]
    _replace(completing, uri, (0, 4), (0, 7), "bar")
    assert await completing.inline(uri, line, 4) == ["bar(1)"]
    # An edit near the cursor leaves what is held for it alone (the anchor sees it undone).
    completing.insert(uri, line, 0, "#")
    _replace(completing, uri, (line, 0), (line, 1), "")
    assert await completing.inline(uri, line, 4) == ["bar(1)"]
    assert len(fake_deepseek.requests_to(FIM)) == 2


async def test_a_rename_far_below_is_not_answered_with_the_old_name(
    completing: Completing, fake_deepseek: FakeDeepSeek
) -> None:
    """The same for a helper defined further down: renamed more than the anchor's 256 bytes
    below the cursor, back at the cursor the suggestion held there still called it by its
    old name, with no request."""
    fake_deepseek.responder(lambda body: "helper_b(x)" if "def helper_b" in body["suffix"] else "helper_a(x)", path=FIM)
    uri = "file:///w/a.py"
    rule = "# " + "-" * 76 + "\n"  # 316 bytes in a few tokens: the helper is in the suffix sent
    completing.open(uri, "def f(x):\n    return \n\n\n" + rule * 4 + "def helper_a(x):\n    return x\n")
    helper = 4 + 4
    assert await completing.inline(uri, 1, 11) == ["helper_a(x)"]
    _replace(completing, uri, (helper, 4), (helper, 12), "helper_b")
    assert await completing.inline(uri, 1, 11) == ["helper_b(x)"]
    # Typing at the cursor, through the suggestion and back, is no edit below.
    completing.insert(uri, 1, 11, "h")
    assert await completing.inline(uri, 1, 12) == ["elper_b(x)"]
    _replace(completing, uri, (1, 11), (1, 12), "")
    assert await completing.inline(uri, 1, 11) == ["helper_b(x)"]
    assert len(fake_deepseek.requests_to(FIM)) == 2


async def test_back_from_writing_a_helper_in_another_file_the_suggestion_is_asked_again(
    completing: Completing, fake_deepseek: FakeDeepSeek
) -> None:
    """The prompt carries the edits just made in other files (and a request asked with it is
    another exact key), but the typing-through entries served the suggestion held at the
    cursor from before: the helper just written was never suggested, with no request."""
    fake_deepseek.responder(
        lambda body: "parse_header(raw)" if "def parse_header" in body["prompt"] else "raw.split()", path=FIM
    )
    helpers, main = "file:///w/helpers.py", "file:///w/main.py"
    completing.open(helpers, "import os\n\n\ndef fn(x):\n    return x\n")
    completing.open(main, "def main(raw):\n    fields = \n")
    assert await completing.inline(main, 1, 13) == ["raw.split()"]
    completing.insert(main, 1, 13, "r")
    assert await completing.inline(main, 1, 14) == ["aw.split()"]
    _replace(completing, main, (1, 13), (1, 14), "")
    completing.insert(helpers, 5, 0, "\n\ndef parse_header(raw):\n    return raw.split(':')\n")
    assert await completing.inline(main, 1, 13) == ["parse_header(raw)"]
    assert len(fake_deepseek.requests_to(FIM)) == 2


async def test_a_file_beside_reloaded_from_disk_keeps_the_suggestion_held_to_type_through(
    completing: Completing, fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """A log open beside the code, reloaded by the editor as the app writes it (no key pressed
    there, no recent edit the prompt carries): what was held to type through in the file being
    typed in was dropped at each reload, and the next key asked the model again for it."""
    fake_deepseek.responder(lambda body: "compute(a)", path=FIM)
    log = tmp_path / "app.log"
    log.write_text("started\n")
    log_uri, main = log.as_uri(), "file:///w/main.py"
    completing.open(log_uri, "started\n", language_id="log")
    completing.open(main, "a = 1\nx = \n")
    assert await completing.inline(main, 1, 4) == ["compute(a)"]
    await asyncio.sleep(0.01)  # the disk's clock past the open's
    log.write_text("started\nlistening on :8080\n")
    _replace(completing, log_uri, (0, 0), (1, 0), "started\nlistening on :8080\n")
    completing.insert(main, 1, 4, "c")
    assert await completing.inline(main, 1, 5) == ["ompute(a)"]
    assert len(fake_deepseek.requests_to(FIM)) == 1


async def test_a_held_suggestion_lives_no_longer_than_cache_ttl(fake_deepseek: FakeDeepSeek) -> None:
    """``cacheTtlS`` ("lifetime of a cache entry") held for exact repeats only: back at a place
    after the lifetime, the answer asked there long before was served again from the
    typing-through entries, with no request."""
    completing = Completing(fake_deepseek, debounce=0, prefetch=False, cache_ttl_s=0.3)
    try:
        answers = iter(range(100))
        fake_deepseek.responder(lambda body: f"compute({next(answers)})", path=FIM)
        uri = "file:///w/a.py"
        completing.open(uri, "a = 1\nx = \n")
        assert await completing.inline(uri, 1, 4) == ["compute(0)"]
        completing.insert(uri, 1, 4, "c")
        assert await completing.inline(uri, 1, 5) == ["ompute(0)"]  # within its lifetime
        _replace(completing, uri, (1, 4), (1, 5), "")
        await asyncio.sleep(0.5)
        assert await completing.inline(uri, 1, 4) == ["compute(1)"]
        assert len(fake_deepseek.requests_to(FIM)) == 2
    finally:
        await completing.stop()


async def test_a_prefetch_finished_before_the_accept_counts_as_a_prefetch_hit(fake_deepseek: FakeDeepSeek) -> None:
    """The user reads the suggestion, the prefetch for the state after accepting it finishes,
    the user accepts: the next suggestion is the prefetch's answer, but ``completionStats``
    counted it as typing-through (prefetch hits showed only when the accept beat the stream)."""
    completing = Completing(fake_deepseek, debounce=0)
    try:
        uri = "file:///w/a.py"
        item = await shown_in_a(completing, fake_deepseek)
        await answered(completing, fake_deepseek, 2)  # the prefetch is asked and answered while the user reads
        completing.insert(uri, 1, 8, str(item.insert_text))
        completing.completion.accepted(item.command.arguments[0])
        assert await completing.inline(uri, 1, 13) == ["\n    return a"]
        assert len(fake_deepseek.requests_to(FIM)) == 2
        hits = completing.completion.stats.to_json(completing.completion.cache.hits)["cacheHits"]
        assert hits == {"prefetch": 1}
        # Typing on through it is typing-through.
        completing.insert(uri, 1, 13, "\n    r")
        assert await completing.inline(uri, 2, 5) == ["eturn a"]
        hits = completing.completion.stats.to_json(completing.completion.cache.hits)["cacheHits"]
        assert hits == {"prefetch": 1, "typing": 1}
    finally:
        await completing.stop()


async def test_a_prefetched_answer_is_not_served_after_a_rename_far_above(fake_deepseek: FakeDeepSeek) -> None:
    """The same for the answer a prefetch brought: accepted, then `def foo` renamed far above,
    back at the end of the line the prefetch's `return foo(a)` was served."""
    completing = Completing(fake_deepseek, debounce=0)
    try:

        def answer(body: dict[str, object]) -> str:
            prompt = str(body["prompt"])
            if prompt.endswith("a = "):
                return "x + 1"
            return "\n    return bar(a)" if "def bar" in prompt else "\n    return foo(a)"

        fake_deepseek.responder(answer, path=FIM)
        uri = "file:///w/a.py"
        filler = "".join(f"v{i} = {i}\n" for i in range(60))
        completing.open(uri, "def foo(a):\n    return a\n\n\n" + filler + "def f(x):\n    a = \n")
        line = 4 + 60 + 1
        [item] = (await completing.completion.inline_completion(inline_params(uri, line, 8))).items
        await answered(completing, fake_deepseek, 2)  # the prefetch is asked and answered while the user reads
        completing.insert(uri, line, 8, str(item.insert_text))
        completing.completion.accepted(item.command.arguments[0])
        _replace(completing, uri, (0, 4), (0, 7), "bar")
        assert await completing.inline(uri, line, 13) == ["\n    return bar(a)"]
    finally:
        await completing.stop()


async def test_a_long_suggestion_accepted_still_finds_its_prefetch(fake_deepseek: FakeDeepSeek) -> None:
    """Accepting a suggestion longer than the anchor's tail is an edit before the text the
    prefetch's anchor compares; it is on the way to that anchor, not an edit elsewhere."""
    completing = Completing(fake_deepseek, debounce=0)
    try:
        block = "".join(f"\n    v{i} = compute_value({i}, x)" for i in range(12))

        def answer(body: dict[str, object]) -> str:
            return block if str(body["prompt"]).endswith("def f(x):") else "\n    return v0"

        fake_deepseek.responder(answer, path=FIM)
        uri = "file:///w/a.py"
        completing.open(uri, "def f(x):\n")
        [item] = (await completing.completion.inline_completion(inline_params(uri, 0, 9))).items
        assert len(str(item.insert_text).encode()) > 256
        await answered(completing, fake_deepseek, 2)
        completing.insert(uri, 0, 9, str(item.insert_text))
        completing.completion.accepted(item.command.arguments[0])
        last = str(item.insert_text).split("\n")[-1]
        assert await completing.inline(uri, 12, len(last)) == ["\n    return v0"]
        assert len(fake_deepseek.requests_to(FIM)) == 2
    finally:
        await completing.stop()


async def test_an_accept_waiting_on_a_prefetch_that_fails_asks_itself(fake_deepseek: FakeDeepSeek) -> None:
    """The request made right after the accept joins the prefetch still on its way; the
    prefetch's stream broke (its failure is only logged, at debug level): the accept showed
    nothing, with no status, counted as a prefetch hit, though the same request sent again
    answers."""
    completing = Completing(fake_deepseek, debounce=0)
    try:
        uri = "file:///w/a.py"
        item = await shown_in_a(completing, fake_deepseek)
        fake_deepseek.fault("disconnect", path=FIM, after_chunks=0)  # the prefetch's
        fake_deepseek.set_latency(ttft=0.3)
        await asyncio.sleep(0.05)
        completing.insert(uri, 1, 8, str(item.insert_text))
        completing.completion.accepted(item.command.arguments[0])
        assert await completing.inline(uri, 1, 13) == ["\n    return a"]
        sent = fake_deepseek.requests_to(FIM)
        assert [r.faults for r in sent] == [[], ["disconnect"], []]
        hits = completing.completion.stats.to_json(completing.completion.cache.hits)["cacheHits"]
        assert hits == {}
    finally:
        await completing.stop()


async def test_a_prefetch_stops_when_the_user_edits_another_file(fake_deepseek: FakeDeepSeek) -> None:
    """A key typed elsewhere makes the prefetch's answer one that is never served (see above):
    it streamed on to its end, every token billed. (A change there with no key, a log file
    reloaded, is not the user: see test_completion_prefetch_moves.py; the editors tell the
    switch itself with deepseek/cursorMoved.)"""
    completing = Completing(fake_deepseek, debounce=0)
    try:
        line_then_block(fake_deepseek)
        helpers, main = "file:///w/helpers.py", "file:///w/main.py"
        completing.open(helpers, "import os\n")
        completing.open(main, "def f(x):\n    a = \n")
        assert await completing.inline(main, 1, 8) == ["x + 1"]
        fake_deepseek.set_latency(ttft=0.2, per_token=0.2)
        for _ in range(100):  # the prefetch is on its way
            await asyncio.sleep(0.01)
            if len(fake_deepseek.requests_to(FIM)) == 2:
                break
        completing.insert(helpers, 1, 0, "i")
        prefetch = fake_deepseek.requests_to(FIM)[1]
        assert await fake_deepseek.wait_closed_async(prefetch, timeout=2.5)
        assert not prefetch.completed
    finally:
        await completing.stop()


async def test_a_suggestion_served_from_the_exact_cache_is_prefetched_after(fake_deepseek: FakeDeepSeek) -> None:
    """A file closed and opened again: the suggestion at the cursor comes from the exact cache
    (its typing-through entries went with the close), but nothing was asked for the state
    after it, and the accept waited for a request of its own."""
    completing = Completing(fake_deepseek, debounce=0)
    try:
        line_then_block(fake_deepseek)
        uri = "file:///w/a.py"
        text = "def f(x):\n    a = \n"
        doc = completing.open(uri, text)
        assert await completing.inline(uri, 1, 8) == ["x + 1"]
        await answered(completing, fake_deepseek, 2)  # its prefetch is answered
        completing.close(doc)
        completing.open(uri, text)
        [item] = (await completing.completion.inline_completion(inline_params(uri, 1, 8))).items
        await answered(completing, fake_deepseek, 3)  # the prefetch is asked and answered while the user reads
        completing.insert(uri, 1, 8, str(item.insert_text))
        completing.completion.accepted(item.command.arguments[0])
        assert await completing.inline(uri, 1, 13) == ["\n    return a"]
        hits = completing.completion.stats.to_json(completing.completion.cache.hits)["cacheHits"]
        assert hits == {"exact": 1, "prefetch": 1}
        assert len(fake_deepseek.requests_to(FIM)) == 3
    finally:
        await completing.stop()


async def test_a_suggestion_served_from_the_exact_cache_is_typed_through_into_an_auto_closed_bracket(
    fake_deepseek: FakeDeepSeek,
) -> None:
    """A file closed and opened again, its suggestion served from the exact cache, then typed
    through into an editor's auto-closed `()`: the exact hit kept nothing to type through, so
    the `(` asked the model again (billed), for what was on screen."""
    completing = Completing(fake_deepseek, debounce=0)
    try:
        fake_deepseek.responder(lambda body: "compute(a, b)" if body["prompt"].endswith("x = ") else "", path=FIM)
        uri = "file:///w/a.py"
        text = "a = b = 1\nx = \n"
        doc = completing.open(uri, text)
        assert await completing.inline(uri, 1, 4) == ["compute(a, b)"]
        completing.close(doc)
        completing.open(uri, text)
        assert await completing.inline(uri, 1, 4) == ["compute(a, b)"]  # the exact cache's
        completing.insert(uri, 1, 4, "compute")
        completing.insert(uri, 1, 11, "()")  # the editor closes the "(" it typed
        assert await completing.inline(uri, 1, 12) == ["a, b)"]
        typed_into = [r for r in fake_deepseek.requests_to(FIM) if r.json["prompt"].endswith("compute(")]
        assert typed_into == []
    finally:
        await completing.stop()


async def test_a_suggestion_served_from_the_exact_cache_is_held_no_longer_than_its_lifetime(
    fake_deepseek: FakeDeepSeek,
) -> None:
    """The exact cache's suggestion held to type through (ba73f7e) started its lifetime anew
    at each hit: asked 1.2 s before with ``cacheTtlS`` 1, it was still typed through, with no
    request, until 2.2 s after it was asked. Its time is the answer's. (Here a 3 s lifetime,
    hit at 1 s and typed through at 3.6 s: the hit has 2 s to spare on a loaded machine.)"""
    completing = Completing(fake_deepseek, debounce=0, prefetch=False, cache_ttl_s=3.0)
    try:
        answers = iter(range(100))
        fake_deepseek.responder(lambda body: f"compute({next(answers)})", path=FIM)
        uri = "file:///w/a.py"
        text = "a = 1\nx = \n"
        doc = completing.open(uri, text)
        assert await completing.inline(uri, 1, 4) == ["compute(0)"]
        await asyncio.sleep(1.0)
        completing.close(doc)
        completing.open(uri, text)
        assert await completing.inline(uri, 1, 4) == ["compute(0)"]  # the exact cache's, in its lifetime
        await asyncio.sleep(2.6)
        completing.insert(uri, 1, 4, "c")
        # Asked again (the fake's next answer): compute(0) is older than its lifetime.
        assert await completing.inline(uri, 1, 5) not in (["ompute(0)"], [])
        assert len(fake_deepseek.requests_to(FIM)) == 2
    finally:
        await completing.stop()


async def test_a_long_block_streaming_is_not_taken_for_a_slow_backend(fake_deepseek: FakeDeepSeek) -> None:
    """The debounce subtracts how long the backend takes, and the status warns when that is
    long: a prefetched block streaming for a second (its tokens, not its wait) counted whole,
    took the debounce to its floor after every accept and could call a fast server slow."""
    completing = Completing(fake_deepseek, debounce="adaptive")
    try:
        line_then_block(fake_deepseek, "\n" + "    b = a * 2\n" * 8)
        fake_deepseek.set_latency(ttft=0.05, per_token=0.02)  # the block streams for ~0.6 s
        uri = "file:///w/a.py"
        completing.open(uri, "def f(x):\n    a = \n")
        assert await completing.inline(uri, 1, 8) == ["x + 1"]

        await answered(completing, fake_deepseek, 2)  # the prefetch of the block after it streams to its end
        asked = fake_deepseek.requests_to(FIM)[1]
        assert asked.json["prompt"].endswith("x + 1") and asked.completed
        assert completing.completion.debouncer.average_latency < 0.3
    finally:
        await completing.stop()


async def test_a_prefetch_whose_answer_expired_is_asked_again(fake_deepseek: FakeDeepSeek) -> None:
    """Back at a suggestion after the cache's lifetime (``cacheTtlS``), asked of the model
    again: the prefetch answered the first time is no longer served, yet it stood for the
    state after the accept, which was not prefetched again; the accept waited for the model."""
    line_then_block(fake_deepseek)
    completing = Completing(fake_deepseek, debounce=0, cache_ttl_s=0.4)
    try:
        uri = "file:///w/a.py"
        completing.open(uri, "def f(x):\n    a = \n")
        assert await completing.inline(uri, 1, 8) == ["x + 1"]
        await answered(completing, fake_deepseek, 2)  # and its prefetch
        await asyncio.sleep(0.6)  # both answers expired
        [item] = (await completing.completion.inline_completion(inline_params(uri, 1, 8))).items
        await answered(completing, fake_deepseek, 4)
        asked = [r.json["prompt"].endswith("a = x + 1") for r in fake_deepseek.requests_to(FIM)]
        # The suggestion asked again, and its prefetch while the user reads (three: none).
        assert asked == [False, True, False, True], asked
        completing.insert(uri, 1, 8, str(item.insert_text))
        completing.completion.accepted(item.command.arguments[0])
        assert await completing.inline(uri, 1, 13) == ["\n    return a"]
        assert len(fake_deepseek.requests_to(FIM)) == 4
    finally:
        await completing.stop()


async def test_explicit_requests_served_from_the_exact_cache_hold_each_choice_once(fake_deepseek: FakeDeepSeek) -> None:
    """Alt+\\ pressed again and again on line 3: each press served the three choices from the
    exact cache and held them to type through again (ba73f7e), three entries more each time,
    until the file's 16 were copies of them: the suggestion held on line 2 went, and typing
    into it asked the model again for what was on screen."""
    completing = Completing(fake_deepseek, debounce=0, prefetch=False)
    try:
        def answer(body: dict[str, object]) -> str:
            prompt = str(body["prompt"])
            if prompt.endswith("x = "):
                return "compute(a, b)"
            return "asked again" if prompt.endswith("compute(") else f"y{body.get('temperature', 0)}"

        fake_deepseek.responder(answer, path=FIM)
        uri = "file:///w/a.py"
        completing.open(uri, "a = b = 1\nx = \ny = \n")
        assert await completing.inline(uri, 1, 4) == ["compute(a, b)"]
        for _ in range(6):
            assert len(await completing.inline(uri, 2, 4, invoked=True)) == 3
        assert len(completing.completion.cache._through[uri]) == 4  # each suggestion once (was 16)
        completing.insert(uri, 1, 4, "compute(")
        assert await completing.inline(uri, 1, 12) == ["a, b)"]
        assert [r for r in fake_deepseek.requests_to(FIM) if r.json["prompt"].endswith("compute(")] == []
    finally:
        await completing.stop()


async def test_the_same_place_asked_after_the_editor_s_indentation_changed_is_answered_in_it(
    fake_deepseek: FakeDeepSeek,
) -> None:
    """A new Python file with no indented line yet, where the editor's indentation decides the
    block's (Vim's `:set noexpandtab`, told by the client): asked again at the same place after
    it changed, the exact cache served the block re-indented as before, in spaces below the
    tabs the editor now inserts."""
    completing = Completing(fake_deepseek, debounce=0, prefetch=False)
    try:
        told = _notification_handlers(completing.completion)["deepseek/editorIndentation"]
        fake_deepseek.responder(lambda body: "    if x < 0:\n        return 0\n    return x", path=FIM)
        uri = "file:///w/a.py"
        completing.open(uri, "def clamp(x):\n\n")
        told(None, {"textDocument": {"uri": uri}, "insertSpaces": True, "tabSize": 4, "indentSize": 4})
        assert await completing.inline(uri, 1, 0) == ["    if x < 0:\n        return 0\n    return x"]
        told(None, {"textDocument": {"uri": uri}, "insertSpaces": False, "tabSize": 4, "indentSize": 4})
        assert await completing.inline(uri, 1, 0) == ["\tif x < 0:\n\t\treturn 0\n\treturn x"]
        told(None, {"textDocument": {"uri": uri}, "insertSpaces": False, "tabSize": 4, "indentSize": 4})
        assert await completing.inline(uri, 1, 0) == ["\tif x < 0:\n\t\treturn 0\n\treturn x"]
        assert len(fake_deepseek.requests_to(FIM)) == 2  # the same told again asks nothing
    finally:
        await completing.stop()


@pytest.mark.parametrize("eol", ["\n", "\r\n"], ids=["lf", "crlf"])
@pytest.mark.parametrize(
    ("typed", "rest"),
    [
        ("\n    y = x + 1\n    ", "z = y * 2\n    \n    return z"),  # the line typed, Enter
        ("\n    y = x + 1\n    z = y * 2\n\n    ", "return z"),  # an editor trims a blank line's indent
    ],
    ids=["line-typed", "blank-line-trimmed"],
)
async def test_a_suggestion_s_line_blanks_are_typed_past_in_a_file_with_blanks(
    completing: Completing, fake_deepseek: FakeDeepSeek, typed: str, rest: str, eol: str
) -> None:
    """In a file whose lines end in blanks a suggestion's lines keep theirs (as Copilot shows
    them). Nobody types them: the line typed through and Enter pressed (a blank line left
    empty by the editor), the rest of the suggestion was dropped and the model asked again."""
    block = "\n    y = x + 1  \n    z = y * 2\n    \n    return z"
    fake_deepseek.responder(lambda body: block, path=FIM)
    uri = "file:///w/a.py"
    completing.open(uri, "import os  \n\n\ndef f(x):\n\n\nprint(f(1))\n".replace("\n", eol))
    assert await completing.inline(uri, 3, 9) == [block.replace("\n", eol)]
    completing.insert(uri, 3, 9, typed.replace("\n", eol))
    line = 3 + typed.count("\n")
    assert await completing.inline(uri, line, 4) == [rest.replace("\n", eol)]
    assert len(fake_deepseek.requests_to(FIM)) == 1
    assert completing.completion.cache.hits["typing"] == 1


@pytest.mark.parametrize("eol", ["\n", "\r\n"], ids=["lf", "crlf"])
@pytest.mark.parametrize("indent", ["    ", "\t"], ids=["spaces", "tab"])
async def test_a_suggestion_s_empty_line_typed_with_the_editor_s_indent_goes_on_from_the_cache(
    completing: Completing, fake_deepseek: FakeDeepSeek, indent: str, eol: str
) -> None:
    """A block with an empty line between its statements, typed through: Enter at the end of
    the line before it leaves the editor's indentation on the new line (VS Code's auto-indent,
    Vim's autoindent), which the suggestion's empty line has not; the next Enter takes it off
    again. Read as typed elsewhere, the rest was dropped there and the model asked again."""
    block = f"\n{indent}y = x + 1\n\n{indent}return y"
    fake_deepseek.responder(lambda body: block, path=FIM)
    uri = "file:///w/a.py"
    text = f"def g():\n{indent}return 0\n\n\ndef f(x):\n\n\nprint(f(1))\n"
    completing.open(uri, text.replace("\n", eol))
    assert await completing.inline(uri, 4, 9) == [block.replace("\n", eol)]
    typed = f"\n{indent}y = x + 1\n{indent}"
    completing.insert(uri, 4, 9, typed.replace("\n", eol))
    shown = await completing.inline(uri, 6, len(indent))
    assert shown == [f"\n{indent}return y".replace("\n", eol)]
    assert len(fake_deepseek.requests_to(FIM)) == 1


@pytest.mark.parametrize(
    ("text", "block", "held_at", "rest"),
    [
        # A file whose lines end in blanks: the suggestion's first line keeps its blanks.
        ("import os  \n\n\ndef f(x):\n\n\nprint(f(1))\n", "\n    y = x + 1  \n    z = y * 2\n    \n    return z",
         "y * 2\n", "z = y * 2\n    \n    return z"),
        # A clean file: the suggestion's empty line has the editor's indent once Enter is typed.
        ("import os\n\n\ndef f(x):\n\n\nprint(f(1))\n", "\n    y = x + 1\n\n    return y", "ret", "\n    return y"),
    ],
    ids=["line-blanks-not-typed", "empty-line-indented"],
)
async def test_a_block_still_streaming_typed_through_past_a_line_s_blanks_is_joined(
    completing: Completing, fake_deepseek: FakeDeepSeek, text: str, block: str, held_at: str, rest: str
) -> None:
    """The same as the cache's, while the block still streams (a slow server, a fast typist):
    the line typed and Enter pressed, the stream was read as typed elsewhere, closed, and the
    model asked again; nothing of it was shown."""
    fake_deepseek.responder(lambda body: block, path=FIM)
    fake_deepseek.pause_after(held_at)
    uri = "file:///w/a.py"
    completing.open(uri, text)
    first = asyncio.ensure_future(completing.inline(uri, 3, 9))
    assert await fake_deepseek.wait_paused_async()
    assert await read_to(completing, uri, held_at)
    completing.insert(uri, 3, 9, "\n    y = x + 1\n    ")
    second = asyncio.ensure_future(completing.inline(uri, 5, 4))
    await asyncio.sleep(0.2)
    fake_deepseek.resume()
    shown = await second
    await first
    assert shown and rest.startswith(shown[0]), shown
    assert len(fake_deepseek.requests_to(FIM)) == 1


async def test_a_space_typed_after_a_suggestion_s_line_asks_what_goes_on_after_it(
    completing: Completing, fake_deepseek: FakeDeepSeek
) -> None:
    """Typed through a block to a line's end, a space more goes on with that line (`+ 1`, a
    comment): the block's next line is no suggestion after it. Taken as blanks at the line's
    end, the rest of the block was shown after the space (Tab: `y = x + 1 ⏎    return y`) and
    the model not asked what follows."""
    answers = iter(["\n    y = x + 1\n    return y", "# one more"])
    fake_deepseek.responder(lambda body: next(answers), path=FIM)
    uri = "file:///w/a.py"
    completing.open(uri, "def f(x):\n\n\nprint(f(1))\n")
    assert await completing.inline(uri, 0, 9) == ["\n    y = x + 1\n    return y"]
    completing.insert(uri, 0, 9, "\n    y = x + 1 ")
    assert await completing.inline(uri, 1, 14) == ["# one more"]
    assert len(fake_deepseek.requests_to(FIM)) == 2
