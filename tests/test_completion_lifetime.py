"""What the completion feature holds over a session and when it lets go: closed documents,
streams nobody waits for, answers of a model or endpoint no longer in use, cache settings, and
the menu path's trigger kind. The feature in-process, its model client talking HTTP to the fake
DeepSeek server."""

from __future__ import annotations

import asyncio
import gc
import threading
import weakref
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types

from deepseek_lsp.completion.cache import CompletionCache, Pending
from tests.completing import Completing
from tests.fake_deepseek import FakeDeepSeek
from tests.harness import eventually, inline_params

FIM = "/beta/completions"


pytestmark = pytest.mark.usefixtures("state_dir")  # usage and caches in the test's own folder


async def test_a_closed_document_and_its_tree_are_let_go(completing: Completing, fake_deepseek: FakeDeepSeek) -> None:
    """The indentation looks kept every document a completion had been asked in, with its tree,
    after it closed: 186 MB after 60 files of 3,000 lines."""
    fake_deepseek.responder(lambda body: "x + 1", path=FIM)
    refs = []
    for i in range(3):
        uri = f"file:///w/a{i}.py"
        doc = completing.open(uri, "def f():\n    return 1\n" * 500 + "y = \n")
        assert await completing.inline(uri, 1000, 4) == ["x + 1"]
        completing.close(doc)
        refs.append(weakref.ref(doc))
        del doc
    completing.open("file:///w/other.py", "z = 1\n")  # the document counted last is this one
    await asyncio.sleep(0.05)
    gc.collect()
    assert [r for r in refs if r() is not None] == []


async def test_a_cache_size_of_0_keeps_nothing_and_still_shows_suggestions(fake_deepseek: FakeDeepSeek) -> None:
    """``cacheSize: 0`` (the setting's minimum) made every answer fail to be kept, and the
    error emptied every suggestion: the model answered and nothing was shown."""
    completing = Completing(fake_deepseek, debounce=0, prefetch=False, cache_size=0)
    try:
        fake_deepseek.responder(lambda body: "compute(a)", path=FIM)
        completing.open("file:///w/a.py", "a = 1\nx = \n")
        assert await completing.inline("file:///w/a.py", 1, 4) == ["compute(a)"]
        assert len(completing.completion.cache.exact) == 0
        completing.insert("file:///w/a.py", 1, 4, "c")
        assert await completing.inline("file:///w/a.py", 1, 5) == ["ompute(a)"]  # typing through
    finally:
        await completing.stop()


async def test_a_stream_joined_then_left_by_a_cancelled_request_is_closed(
    completing: Completing, fake_deepseek: FakeDeepSeek
) -> None:
    """Request A starts a stream and is cancelled; B, the next keystroke, joins A's stream and is
    cancelled too, later than the grace A's cancel waited. Nothing closed the stream: it ran to
    its end, every token billed, with no request waiting."""
    fake_deepseek.set_latency(ttft=0.05, per_token=0.03, chunk_chars=2)
    fake_deepseek.responder(lambda body: "compute" + "_more" * 30, path=FIM)
    uri = "file:///w/a.py"
    completing.open(uri, "a = b = 1\nx = \n")
    first = asyncio.ensure_future(completing.inline(uri, 1, 4))
    # Until "c" has streamed (not a fixed 0.15 s: a first request slow to reach the server on a
    # loaded host had streamed nothing, and the second asked anew).
    assert await eventually(lambda: "co" in getattr(completing.completion.cache.pending.get(uri), "text", ""))
    completing.insert(uri, 1, 4, "c")
    first.cancel()
    second = asyncio.ensure_future(completing.inline(uri, 1, 5))  # "c" agrees: joins the stream
    await asyncio.sleep(0.2)
    second.cancel()
    await asyncio.gather(first, second, return_exceptions=True)
    [request] = fake_deepseek.requests_to(FIM)
    assert await fake_deepseek.wait_closed_async(request, timeout=2.5)
    assert request.disconnected and not request.completed


async def test_a_request_slow_to_look_for_the_stream_it_agrees_with_still_joins_it(
    completing: Completing, fake_deepseek: FakeDeepSeek, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The next key's request came within the grace a hung-up stream is given, but reached
    the point where it looks for an answer to join after it (held up by the indexing of its
    file's neighbours, or by a loaded machine): the stream was closed meanwhile, and the model
    asked again, a second billed request and its wait for what was already streaming."""
    fake_deepseek.set_latency(ttft=0.05, per_token=0.03, chunk_chars=2)
    answer = "compute" + "_more" * 30
    fake_deepseek.responder(lambda body: answer[len(body["prompt"].rsplit("x = ", 1)[1]) :], path=FIM)
    uri = "file:///w/a.py"
    completing.open(uri, "a = b = 1\nx = \n")
    first = asyncio.ensure_future(completing.inline(uri, 1, 4))
    assert await eventually(lambda: "compute" in getattr(completing.completion.cache.pending.get(uri), "text", ""))
    crawler = completing.completion.crawler
    indexed = crawler.near_indexed

    async def indexing(path: Path, deadline: float) -> None:
        await asyncio.sleep(0.3)  # six times the grace
        await indexed(path, deadline)

    monkeypatch.setattr(crawler, "near_indexed", indexing)
    completing.insert(uri, 1, 4, "c")
    first.cancel()
    second = await completing.inline(uri, 1, 5)  # "c" agrees with the stream
    await asyncio.gather(first, return_exceptions=True)
    assert second == [answer[1:]]
    assert len(fake_deepseek.requests_to(FIM)) == 1


async def test_after_the_model_changed_the_old_models_answers_are_not_shown(fake_deepseek: FakeDeepSeek) -> None:
    """The prefetch the old model answered for the state after the accept was still shown after
    ``completion.model`` changed, and the new model was never asked."""
    completing = Completing(fake_deepseek, debounce=0)
    try:

        def answer(body: dict[str, Any]) -> str:
            return "compute(a)" if body["prompt"].endswith("x = ") else f"\n    return by_{body['model'].replace('-', '_')}(x)"

        fake_deepseek.responder(answer, path=FIM)
        uri = "file:///w/a.py"
        completing.open(uri, "def f(a):\n    x = \n")
        [item] = (await completing.completion.inline_completion(inline_params(uri, 1, 8))).items
        shown = str(item.insert_text)
        assert await _eventually(lambda: len(fake_deepseek.requests_to(FIM)) == 2)  # the prefetch
        await asyncio.sleep(0.1)
        completing.configure(model="other-model")
        completing.insert(uri, 1, 8, shown)  # the user accepts: the text, then the item's command
        completing.completion.accepted(item.command.arguments[0])
        after = await completing.inline(uri, 1, 8 + len(shown))
        # A line post-processing keeps: an empty `after` passed the old `all(...)` check vacuously.
        assert after == ["\n    return by_other_model(x)"], after
        assert fake_deepseek.requests_to(FIM)[-1].json["model"] == "other-model"
    finally:
        await completing.stop()


async def test_a_new_fim_server_lifts_the_pause_its_rejected_key_caused(fake_deepseek: FakeDeepSeek) -> None:
    """A 401 from the FIM server turns completions off until the settings change; pointing
    ``fimBaseUrl`` at the right server left them off until a restart."""
    completing = Completing(fake_deepseek, debounce=0, prefetch=False)
    try:
        fake_deepseek.fault("status", count=1, path=FIM, status=401)
        fake_deepseek.responder(lambda body: "compute(a)", path=FIM)
        uri = "file:///w/a.py"
        doc = completing.open(uri, "a = 1\nx = \n")
        assert await completing.inline(uri, 1, 4) == []
        assert completing.completion.health.status_for(doc)  # off: the key was refused
        assert await completing.inline(uri, 1, 4) == []
        assert len(fake_deepseek.requests_to(FIM)) == 1
        completing.configure(fim_base_url=fake_deepseek.url + "/beta/")
        assert completing.completion.health.status_for(doc) == ""
        assert await completing.inline(uri, 1, 4) == ["compute(a)"]
    finally:
        await completing.stop()


async def test_changed_sampling_settings_ask_again_and_a_resized_cache_keeps_what_is_in_flight(
    completing: Completing, fake_deepseek: FakeDeepSeek
) -> None:
    """The cache answered an identical prompt with the answer of the old temperature or token
    limit; and a new cache size dropped the streams in flight (not to be joined, nor
    closed when their requests were cancelled)."""
    fake_deepseek.responder(lambda body: f"t{body['temperature']}", path=FIM)
    uri = "file:///w/a.py"
    completing.open(uri, "a = 1\nx = \n")
    assert await completing.inline(uri, 1, 4) == ["t0.0"]
    assert await completing.inline(uri, 1, 4) == ["t0.0"]
    assert len(fake_deepseek.requests_to(FIM)) == 1
    completing.configure(temperature=0.5)
    assert await completing.inline(uri, 1, 4) == ["t0.5"]
    completing.configure(single_line_max_tokens=12)
    assert await completing.inline(uri, 1, 4) == ["t0.5"]
    assert len(fake_deepseek.requests_to(FIM)) == 3

    cache = completing.completion.cache
    cache.pending[uri] = pending = Pending(anchor=None, multiline=False)  # type: ignore[arg-type]
    completing.configure(cache_size=8, cache_ttl_s=60.0)
    assert completing.completion.cache is cache and cache.pending[uri] is pending
    # The answer already paid for stays (test_new_cache_limits_keep_the_newest_answers).
    assert cache.size == 8 and list(cache.exact.values()) == [["t0.5"]]


def test_clearing_the_cache_forgets_streams_in_flight_and_prefetched() -> None:
    cache = CompletionCache(4, 60.0)

    async def make() -> None:
        cache.pending["u"] = Pending(anchor=None, multiline=False)  # type: ignore[arg-type]
        cache.prefetching["u"] = Pending(anchor=None, multiline=False)  # type: ignore[arg-type]

    asyncio.run(make())
    cache.put("k", ["x"])
    cache.clear()
    assert (cache.get("k"), cache.pending, cache.prefetching) == (None, {}, {})


async def test_a_menu_request_invoked_by_typing_costs_one_stream_and_one_asked_for_three(
    completing: Completing, fake_deepseek: FakeDeepSeek
) -> None:
    """nvim-cmp, Helix and Zed send ``Invoked`` for every word typed (LSP: "triggered by typing
    an identifier"): taken as the user asking, each key sent three streams, undebounced. Right
    after a key pressed at the cursor it is typing: one choice. Asked with nothing typed, or
    where nothing was typed, it is the user asking: up to three."""
    answers = iter(["pute(a)", "pute(b)", "pare()", "mit()"] + ["pile()"] * 10)
    fake_deepseek.responder(lambda body: next(answers), path=FIM)
    uri = "file:///w/a.py"
    completing.open(uri, "a = b = 1\nx = \n")
    completing.insert(uri, 1, 4, "c")
    completing.insert(uri, 1, 5, "o")
    completing.insert(uri, 1, 6, "m")
    assert await completing.menu(uri, 1, 7, types.CompletionTriggerKind.Invoked) == ["compute(a)"]
    assert len(fake_deepseek.requests_to(FIM)) == 1

    await asyncio.sleep(1.1)  # a pause, then Ctrl+Space
    labels = await completing.menu(uri, 1, 7, types.CompletionTriggerKind.Invoked)
    # The choice at the settings' temperature is the one kept from the typing: two more asked.
    assert len(fake_deepseek.requests_to(FIM)) == 3
    assert labels[0] == "compute(a)" and sorted(labels[1:]) == ["compare()", "compute(b)"]


async def _eventually(check: Any, timeout: float = 3.0) -> bool:
    end = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < end:
        if check():
            return True
        await asyncio.sleep(0.01)
    return check()


async def test_snippets_are_labelled_by_their_path_in_the_workspace(fake_deepseek: FakeDeepSeek, tmp_path: Path) -> None:
    """Every snippet was labelled by its file name alone: a project's two ``utils.py`` (and
    JavaScript's many ``index.js``) both showed as ``# Path: utils.py``, so the model could not
    tell whose ``parse`` it was shown, nor where the file being written lives."""
    (tmp_path / "api").mkdir()
    (tmp_path / "db").mkdir()
    (tmp_path / "api" / "utils.py").write_text("def parse(request, strict=False):\n    return request\n")
    (tmp_path / "db" / "utils.py").write_text("def connect(dsn, timeout=5):\n    return dsn\n")
    completing = Completing(fake_deepseek, debounce=0, prefetch=False)
    try:
        completing.services.workspace_folders = [tmp_path.as_uri()]
        fake_deepseek.responder(lambda body: "x", path=FIM)
        uri = (tmp_path / "api" / "views.py").as_uri()
        text = "from .utils import parse\nfrom db.utils import connect\n\n\ndef view(request):\n    conn = connect('x')\n    return parse(\n"
        completing.open(uri, text)
        assert await completing.inline(uri, 6, 17) == ["x"]
        prompt = fake_deepseek.requests_to(FIM)[-1].json["prompt"]
        assert "# Path: api/utils.py\n# def parse(request, strict=False):" in prompt
        assert "# Path: db/utils.py\n# def connect(dsn, timeout=5):" in prompt
        assert "# Path: api/views.py\n" in prompt
        # Outside every workspace folder, the file's name alone (nothing of the disk's layout).
        completing.services.workspace_folders = [(tmp_path / "db").as_uri()]
        completing.insert(uri, 6, 17, "r")
        assert await completing.inline(uri, 6, 18) == ["x"]
        prompt = fake_deepseek.requests_to(FIM)[-1].json["prompt"]
        assert "# Path: views.py\n" in prompt and str(tmp_path) not in prompt
    finally:
        await completing.stop()


async def test_a_block_cut_by_the_token_limit_is_shown_without_its_half_line(
    completing: Completing, fake_deepseek: FakeDeepSeek
) -> None:
    """A block the model was still writing when it reached ``multiLineMaxTokens`` ended in half
    a line (``total = compute(ite``): accepted, the file no longer parsed. Its complete lines are
    shown; an answer that stopped by itself is shown whole."""
    fake_deepseek.responder(
        lambda body: {"text": "total = 0\n        for item in items:\n            total += compute(ite", "finish_reason": "length"},
        path=FIM,
    )
    uri = "file:///w/a.py"
    completing.open(uri, "class Cart:\n    def total(self, items):\n        \n")
    assert await completing.inline(uri, 2, 8) == ["total = 0"]  # nor the loop left without a body
    fake_deepseek.responder(lambda body: {"text": "return sum(items)", "finish_reason": "length"}, path=FIM)
    uri = "file:///w/b.py"
    completing.open(uri, "def f(items):\n    \n")
    assert await completing.inline(uri, 1, 4) == ["return sum(items)"]  # one line: all there is


def _turn_off_in_folder(completing: Completing) -> None:
    """The folder's own settings pulled again (a multi-root workspace's folder turned off)."""
    settings = completing.services.settings
    completing.services.folder_settings = {"file:///w": replace(settings, completion=replace(settings.completion, enable=False))}
    completing.completion.folder_settings_changed()


@pytest.mark.parametrize(
    "turn_off",
    [
        lambda c: c.configure(enable=False),
        lambda c: c.configure(languages={"python": False}),
        lambda c: c.configure(exclude=["**/a.py"]),
        _turn_off_in_folder,
    ],
    ids=["turned-off", "language-off", "excluded", "folder-off"],
)
async def test_a_suggestion_in_flight_when_its_file_is_turned_off_is_not_shown(
    completing: Completing, fake_deepseek: FakeDeepSeek, turn_off: Callable[[Completing], None]
) -> None:
    """Completions turned off (the toggle, a language's setting, an exclusion, a folder's own)
    while the model was answering: the answer arrived a moment later and was shown as ghost
    text all the same, in a file the status bar already called Inactive, and its stream was
    paid for to its end."""
    gate = threading.Event()
    arrived = asyncio.Event()
    loop = asyncio.get_running_loop()

    def held(body: dict[str, Any]) -> str:
        loop.call_soon_threadsafe(arrived.set)  # the fake answers in a thread of its own
        gate.wait(10)
        return "compute(a)"

    fake_deepseek.responder(held, path=FIM)
    uri = "file:///w/a.py"
    completing.open(uri, "a = 1\nx = \n")
    asked = asyncio.create_task(completing.inline(uri, 1, 4))
    try:
        await asyncio.wait_for(arrived.wait(), 10)  # the request is at the model, its answer held
        turn_off(completing)
        assert completing.completion.stats.backend_cancelled == 1  # its stream closed at once
    finally:
        gate.set()
    assert await asked == []


async def test_a_prefetch_of_a_file_turned_off_stops(fake_deepseek: FakeDeepSeek) -> None:
    """The next block asked for while a suggestion was shown streamed on to its end, every
    token billed, after the file's completions were turned off: it was never to be shown."""
    completing = Completing(fake_deepseek, debounce=0)
    try:
        second = asyncio.Event()
        loop = asyncio.get_running_loop()

        def answer(body: dict[str, Any]) -> str:
            if body["prompt"].endswith("a = "):
                return "x + 1"
            loop.call_soon_threadsafe(second.set)  # the fake answers in a thread of its own
            return "\n    return a" + " + a" * 40

        fake_deepseek.responder(answer, path=FIM)
        uri = "file:///w/a.py"
        completing.open(uri, "def f(x):\n    a = \n")
        fake_deepseek.set_latency(per_token=0.2)  # the prefetch streams for seconds
        assert await completing.inline(uri, 1, 8) == ["x + 1"]
        await asyncio.wait_for(second.wait(), 10)
        completing.configure(enable=False)
        prefetch = fake_deepseek.requests_to(FIM)[1]
        assert await fake_deepseek.wait_closed_async(prefetch, timeout=5.0)
        assert not prefetch.completed
    finally:
        await completing.stop()
