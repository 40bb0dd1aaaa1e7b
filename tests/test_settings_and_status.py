"""Settings as the editor's settings UI lets a user write them, and the status they leave."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from lsprotocol import types

from deepseek_lsp.completion import health
from deepseek_lsp.status import Status
from tests.completing import Completing
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import _to_dict, eventually, inline_params, lsp_session, open_doc, server_env


async def test_invoked_choices_zero_still_shows_a_suggestion_when_asked(tmp_path) -> None:
    """VS Code's settings UI takes ``completion.invokedChoices: 0`` (its minimum): one request
    went out, was paid for, and the suggestion the user asked for (Alt+\\) was thrown away."""
    with FakeDeepSeek() as fake:
        fake.script("a + b")
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path))
        async with lsp_session(env, settings={"completion": {"debounce": 0, "prefetch": False, "invokedChoices": 0}}) as client:
            uri = "file:///ws/add.py"
            open_doc(client, uri, "def add(a, b):\n    return \n")
            result = await client.text_document_inline_completion_async(inline_params(uri, 1, 11, invoked=True))
            assert len(fake.requests_to("/beta/completions")) == 1
            assert [item.insert_text for item in result.items] == ["a + b"]


async def test_invoked_choices_one_asks_again_only_for_a_new_place(tmp_path) -> None:
    """With ``invokedChoices: 1`` an explicit request wants the one answer the cache holds:
    each Alt+\\ at the same place sent (and billed) the same request again."""
    with FakeDeepSeek() as fake:
        fake.script("a + b", "a - b")
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path))
        async with lsp_session(env, settings={"completion": {"debounce": 0, "prefetch": False, "invokedChoices": 1}}) as client:
            uri = "file:///ws/add.py"
            open_doc(client, uri, "def add(a, b):\n    return \n")
            for _ in range(2):
                result = await client.text_document_inline_completion_async(inline_params(uri, 1, 11, invoked=True))
                assert [item.insert_text for item in result.items] == ["a + b"]
            assert len(fake.requests_to("/beta/completions")) == 1


def _change_settings(client: Any, settings: dict[str, Any]) -> None:
    client.set_configuration({"deepseek": settings})
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))


async def test_a_refused_endpoint_stays_an_error_after_completions_are_switched_off_and_on(tmp_path) -> None:
    """Plain http:// to another machine is refused: nothing is ever sent, and the status says
    so. Switching completions off and on again (or visiting an excluded file) showed Inactive,
    then Normal, while no suggestion could come."""
    env = server_env("http://10.1.2.3:8000", state_dir=str(tmp_path))
    async with lsp_session(env, settings={"completion": {"debounce": 0}}) as client:
        uri = "file:///ws/a.py"
        open_doc(client, uri, "def f(a, b):\n    return \n")
        assert await eventually(lambda: client.statuses and client.statuses[-1]["kind"] == "Error")
        refused = client.statuses[-1]
        _change_settings(client, {"completion": {"debounce": 0, "enable": False}})
        assert await eventually(lambda: client.statuses[-1]["kind"] == "Inactive")
        _change_settings(client, {"completion": {"debounce": 0, "enable": True}})
        assert await eventually(lambda: client.statuses[-1]["kind"] != "Inactive")
        result = await client.text_document_inline_completion_async(inline_params(uri, 1, 11))
        assert result is None or not result.items
        assert client.statuses[-1]["kind"] == "Error"
        assert client.statuses[-1]["message"] == refused["message"]


async def test_a_bad_value_written_again_after_a_fix_is_reported_again(tmp_path) -> None:
    """A typo is reported once while it stays; fixed and then made again later in the session,
    it was refused in silence (its message was remembered as told for good)."""
    env = server_env("http://127.0.0.1:9", state_dir=str(tmp_path))
    bad = {"review": {"mode": "sometimes"}}
    async with lsp_session(env, settings=bad) as client:

        def told() -> int:
            return sum("review.mode" in m.message for m in client.messages)

        assert await eventually(lambda: told() == 1)
        _change_settings(client, bad)  # the same settings pulled again: no second message
        # The fix, with a typo elsewhere whose message tells it was pulled and applied (a
        # fixed wait was too short on a loaded machine: the next pull found the bad value).
        _change_settings(client, {"review": {"mode": "onCommand"}, "completion": {"maxPromptTokens": "many"}})
        assert await eventually(lambda: any("maxPromptTokens" in m.message for m in client.messages), timeout=15)
        assert told() == 1
        _change_settings(client, bad)
        assert await eventually(lambda: told() == 2, timeout=15)


async def test_settings_pushed_without_the_deepseek_section_are_used_when_the_pull_finds_none(tmp_path) -> None:
    """Neovim's ``vim.lsp.config("deepseek", { settings = { completion = { enable = false } } })``:
    the server pulls the ``deepseek`` section, finds none, and the settings pushed with
    ``didChangeConfiguration`` were dropped without a word: completions stayed on."""
    with FakeDeepSeek() as fake:
        fake.script("a + b")
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path))
        async with lsp_session(env) as client:
            client.workspace_did_change_configuration(
                types.DidChangeConfigurationParams(settings={"completion": {"enable": False, "debounce": 0}})
            )
            assert await eventually(lambda: client.statuses and client.statuses[-1]["kind"] == "Inactive")
            uri = "file:///ws/add.py"
            open_doc(client, uri, "def add(a, b):\n    return \n")
            result = await client.text_document_inline_completion_async(inline_params(uri, 1, 11, invoked=True))
            assert result is None or list(result.items) == []
            assert fake.requests_to("/beta/completions") == []


async def test_a_base_url_cleared_in_the_settings_editor_keeps_the_environments(tmp_path) -> None:
    """Emptying VS Code's ``deepseek.baseUrl`` text field sends ``""``: the server took it as
    the URL, every feature was off with "base_url must be an http(s) URL with a host", and
    DEEPSEEK_BASE_URL went unused."""
    with FakeDeepSeek() as fake:
        fake.script("a + b")
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path))
        cleared = {"baseUrl": "", "completion": {"model": "", "debounce": 0, "prefetch": False}}
        async with lsp_session(env, settings=cleared) as client:
            uri = "file:///ws/add.py"
            open_doc(client, uri, "def add(a, b):\n    return \n")
            result = await client.text_document_inline_completion_async(inline_params(uri, 1, 11))
            assert result is not None and [item.insert_text for item in result.items] == ["a + b"]
            assert all(s["kind"] != "Error" for s in client.statuses), client.statuses
            [request] = fake.requests_to("/beta/completions")
            assert request.json["model"] == "deepseek-v4-flash"


async def test_a_completion_timeout_of_zero_is_told_and_suggestions_still_come(tmp_path) -> None:
    """``completion.timeoutS: 0``, which VS Code's settings editor took: each request was sent,
    abandoned at once, and the status said the model server "did not answer in time"."""
    with FakeDeepSeek() as fake:
        fake.script("a + b")
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path))
        settings = {"completion": {"timeoutS": 0, "debounce": 0, "prefetch": False}}
        async with lsp_session(env, settings=settings) as client:
            uri = "file:///ws/add.py"
            open_doc(client, uri, "def add(a, b):\n    return \n")
            result = await client.text_document_inline_completion_async(inline_params(uri, 1, 11))
            assert result is not None and [item.insert_text for item in result.items] == ["a + b"]
            assert await eventually(lambda: any("completion.timeoutS" in m.message for m in client.messages))
            assert all(s["kind"] == "Normal" for s in client.statuses), client.statuses


async def test_no_suggestion_is_asked_for_before_the_editor_settings_arrive(tmp_path) -> None:
    """An editor busy at start-up answered workspace/configuration after 3 s: a completion
    asked meanwhile waited 1 s, then went out with the default settings. A file the user's
    exclude names was sent (as was every file to api.deepseek.com when ``baseUrl`` named a
    self-hosted model, and with ``completion.enable: false``). Reviews wait for the settings."""
    from tests.test_review_lsp import answering_configuration

    answered = asyncio.Event()

    async def slow(client: Any, params: types.ConfigurationParams) -> list[Any]:
        await asyncio.sleep(3.0)
        answered.set()
        return [client.get_configuration(section=item.section) for item in params.items]

    with FakeDeepSeek() as fake:
        fake.script("pay(rise)", "pay(rise)")
        async with answering_configuration(fake, tmp_path, slow) as client:
            client.set_configuration({"deepseek": {"exclude": ["**/private/**"], "completion": {"debounce": 0}}})
            uri = "file:///ws/private/payroll.py"
            open_doc(client, uri, "SALARY_KEY = 'x'\ndef pay(rise):\n    return \n")
            result = await client.text_document_inline_completion_async(inline_params(uri, 2, 11))
            assert result is None or not result.items
            assert fake.requests_to("/beta/completions") == []
            assert not answered.is_set()  # asked before the settings came
            await asyncio.wait_for(answered.wait(), 10)
            # They have come (the request waits for them a moment): the file is excluded.
            result = await client.text_document_inline_completion_async(inline_params(uri, 2, 11))
            assert (result is None or not result.items) and fake.requests_to("/beta/completions") == []
            public = "file:///ws/app.py"
            open_doc(client, public, "def pay(rise):\n    return \n")
            result = await client.text_document_inline_completion_async(inline_params(public, 1, 11))
            assert result is not None and [item.insert_text for item in result.items] == ["pay(rise)"]
            assert all("SALARY_KEY" not in json.dumps(r.json) for r in fake.requests)



async def test_a_suggestion_invoked_before_the_editor_settings_arrive_waits_for_them(tmp_path) -> None:
    """On a loaded machine the pull of the editor's settings at start-up took over a second: a
    suggestion the user asked for meanwhile (the shortcut) came back empty after a second, and
    a file too large or excluded said nothing of why. An invoked request waits for them."""
    from tests.test_review_lsp import answering_configuration

    answered = asyncio.Event()

    async def slow(client: Any, params: types.ConfigurationParams) -> list[Any]:
        await asyncio.sleep(2.0)
        answered.set()
        return [client.get_configuration(section=item.section) for item in params.items]

    with FakeDeepSeek() as fake:
        # Every choice of the invoked request the same answer: the order they reach the fake in varies.
        fake.responder(lambda body: "pay(rise)", path="/beta/completions")
        async with answering_configuration(fake, tmp_path, slow) as client:
            statuses: list[dict[str, Any]] = []
            client.feature("deepseek/status")(lambda params: statuses.append(_to_dict(params)))
            client.set_configuration({"deepseek": {"exclude": ["**/private/**"], "completion": {"debounce": 0}}})
            public, private = "file:///ws/app.py", "file:///ws/private/payroll.py"
            open_doc(client, public, "def pay(rise):\n    return \n")
            open_doc(client, private, "SALARY_KEY = 'x'\ndef pay(rise):\n    return \n")
            served, refused = await asyncio.gather(
                client.text_document_inline_completion_async(inline_params(public, 1, 11, invoked=True)),
                client.text_document_inline_completion_async(inline_params(private, 2, 11, invoked=True)),
            )
            assert served.items and served.items[0].insert_text == "pay(rise)"
            assert not refused.items
            # Told with the answer, not some time later.
            assert any(s["kind"] == "Inactive" and s["uri"] == private and "exclusion" in s["message"]
                       for s in statuses), statuses
            assert all("SALARY_KEY" not in json.dumps(r.json) for r in fake.requests)


FIM = "/beta/completions"


@pytest.mark.usefixtures("state_dir")
async def test_a_healthy_backend_streaming_blocks_is_not_answering_slowly(
    fake_deepseek: FakeDeepSeek, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The slow status was judged by how long whole streams took: the block asked for after each
    suggestion (to be shown at the next Tab) streams for seconds on a healthy backend, and the
    status flipped to "answering slowly" and back while every suggestion came at once."""
    monkeypatch.setattr(health, "SLOW_ANSWER_S", 0.3)
    fake_deepseek.set_latency(per_token=0.03, chunk_chars=2)  # first tokens at once; a block ~1 s
    fake_deepseek.responder(lambda body: "compute(a)" if body["stop"] == ["\n"] else "\n" + "w = 1\n" * 10, path=FIM)
    completing = Completing(fake_deepseek, debounce=0, prefetch=True)
    try:
        uri = "file:///w/a.py"
        completing.open(uri, "a = 1\nx = \ny = \n")
        for line in (1, 2):
            assert await completing.inline(uri, line, 4) == ["compute(a)"]
            assert await eventually(lambda n=2 * line: len(fake_deepseek.requests_to(FIM)) == n)
            assert await fake_deepseek.wait_closed_async(timeout=5.0)
            await asyncio.sleep(0.1)  # the block's end is heard
        assert fake_deepseek.requests_to(FIM)[-1].completed
        assert [s for s in completing.statuses if s.kind != "Normal"] == []
    finally:
        await completing.stop()


@pytest.mark.usefixtures("state_dir")
async def test_a_backend_slow_to_start_answering_is_a_warning_until_it_is_quick_again(
    fake_deepseek: FakeDeepSeek, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tabby's rule: first tokens slow on average are a Warning, gone once they are quick again."""
    monkeypatch.setattr(health, "SLOW_ANSWER_S", 0.3)
    fake_deepseek.responder(lambda body: "compute(a)", path=FIM)
    completing = Completing(fake_deepseek, debounce=0, prefetch=False)
    try:
        uri = "file:///w/a.py"
        completing.open(uri, "a = 1\nx = \ny = \nz = \n")
        fake_deepseek.set_latency(ttft=0.5)
        assert await completing.inline(uri, 1, 4) == ["compute(a)"]
        assert completing.services.status.current.kind == "Warning"
        # The fake on 127.0.0.1 stands for a self-hosted server: not blamed on DeepSeek.
        assert completing.services.status.current.message == f"The model server at {fake_deepseek.url[7:]} is answering slowly"
        fake_deepseek.set_latency(ttft=0.0)
        for line in (2, 3):
            assert await completing.inline(uri, line, 4) == ["compute(a)"]
        assert completing.services.status.current.kind == "Normal"
    finally:
        await completing.stop()


@pytest.mark.usefixtures("state_dir")
async def test_a_slow_backend_left_for_another_is_not_the_new_ones_slowness(
    fake_deepseek: FakeDeepSeek, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Switched from a slow server to a quick one, the old one's first-token times still made
    the average: "answering slowly" stayed, then came back after the new server's quick
    answers, now named after it."""
    monkeypatch.setattr(health, "SLOW_ANSWER_S", 0.3)
    fake_deepseek.responder(lambda body: "compute(a)", path=FIM)
    fake_deepseek.set_latency(ttft=0.5)
    completing = Completing(fake_deepseek, debounce=0, prefetch=False)
    try:
        uri = "file:///w/a.py"
        completing.open(uri, "a = 1\nx = \ny = \nz = \nw = \n")
        for line in (1, 2, 3):
            assert await completing.inline(uri, line, 4) == ["compute(a)"]
        assert completing.services.status.current.kind == "Warning"
        with FakeDeepSeek() as quick:
            quick.responder(lambda body: "compute(b)", path=FIM)
            completing.configure(base_url=quick.url)
            assert completing.services.status.current.kind == "Normal"
            if completing.usage._warming is not None:
                await completing.usage._warming  # its connection's set-up is no first-token time
            assert await completing.inline(uri, 4, 4) == ["compute(b)"]
            assert [s.kind for s in completing.statuses[-2:]] == ["Warning", "Normal"]
            assert completing.services.status.current.kind == "Normal"
    finally:
        await completing.stop()


@pytest.mark.usefixtures("state_dir")
async def test_a_request_cancelled_by_a_change_of_model_does_not_call_the_new_one_slow(
    fake_deepseek: FakeDeepSeek, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The old model's request, long unanswered, is cancelled by the switch: its wait says
    nothing of the model now asked."""
    monkeypatch.setattr(health, "SLOW_ANSWER_S", 0.5)
    fake_deepseek.responder(lambda body: "compute(a)", path=FIM)
    fake_deepseek.set_latency(ttft=3.0)
    completing = Completing(fake_deepseek, debounce=0, prefetch=False)
    uri = "file:///w/a.py"
    completing.open(uri, "a = 1\nx = \n")
    asked = asyncio.ensure_future(completing.inline(uri, 1, 4))
    try:
        assert await eventually(lambda: len(fake_deepseek.requests_to(FIM)) == 1)
        await asyncio.sleep(0.8)
        completing.configure(model="deepseek-v4-pro")
        assert await asked == []
        assert completing.completion.stats.backend_cancelled == 1
        assert [s.kind for s in completing.statuses if s.kind != "Normal"] == []
    finally:
        await completing.stop()


@pytest.mark.usefixtures("state_dir")
@pytest.mark.parametrize(
    ("slow_s", "timeout_s"),
    [
        (0.5, 5.0),
        # The slow threshold was the default time limit's (5 s): no request waits past its
        # limit, so none could count. Half the limit (0.8 s) is slow then.
        (health.SLOW_ANSWER_S, 1.6),
    ],
)
async def test_typing_on_while_the_backend_is_slow_to_start_answering_is_a_warning(
    fake_deepseek: FakeDeepSeek, monkeypatch: pytest.MonkeyPatch, slow_s: float, timeout_s: float
) -> None:
    """Each key cancelled the request before its first token came: no suggestion and no answer
    to time, so the status stayed Normal however long the backend took. A request cancelled
    sooner than a slow answer says nothing (no false alarm for a fast typist); a quick answer
    clears the Warning."""
    monkeypatch.setattr(health, "SLOW_ANSWER_S", slow_s)
    fake_deepseek.responder(lambda body: "compute(a)", path=FIM)
    completing = Completing(fake_deepseek, debounce=0, prefetch=False, timeout_s=timeout_s)
    uri = "file:///w/a.py"
    completing.open(uri, "a = 1\nx = \n")
    asked: list[asyncio.Task[list[str]]] = []

    async def key(char: int, *, then_wait: float = 0.0, typed: str = "c") -> None:
        """The key typed at column ``char`` once the previous request is at the backend."""
        assert await eventually(lambda: len(fake_deepseek.requests_to(FIM)) == len(asked))
        await asyncio.sleep(then_wait)
        completing.insert(uri, 1, char, typed)
        asked.append(asyncio.ensure_future(completing.inline(uri, 1, char + 1)))

    try:
        fake_deepseek.set_latency(ttft=3.0)
        asked.append(asyncio.ensure_future(completing.inline(uri, 1, 4)))
        for char in (4, 5, 6):
            await key(char)
        # The next request at the backend: the cancels before it have been heard.
        assert await eventually(lambda: len(fake_deepseek.requests_to(FIM)) == 4)
        assert completing.completion.stats.backend_cancelled == 3
        assert [s.kind for s in completing.statuses if s.kind != "Normal"] == []
        await key(7, then_wait=1.1)
        assert await eventually(lambda: completing.services.status.current.kind == "Warning")
        assert completing.services.status.current.message == f"The model server at {fake_deepseek.url[7:]} is answering slowly"
        fake_deepseek.set_latency(ttft=0.0)
        # Not a "c": on a loaded machine the slow request before it may have begun its
        # "compute(a)" by then, and a "c" typed through it is served from it ("ompute(a)").
        await key(8, typed="z")
        assert await asked[-1] == ["compute(a)"]
        assert completing.services.status.current.kind == "Normal"
    finally:
        await completing.stop()
        await asyncio.gather(*asked, return_exceptions=True)


@pytest.mark.usefixtures("state_dir")
async def test_the_missing_key_error_goes_once_a_gateway_answers() -> None:
    """No key, and a gateway in front of DeepSeek that adds it: the status said "no API key"
    (Error) for good while every suggestion came, and after each pause in typing it was set
    again by the connection's re-warm. A gateway of one's own (not DeepSeek's host) is now
    asked, as the CLI asks it: no Error at all; DeepSeek's host still has it (below)."""
    with FakeDeepSeek(api_key=None) as gateway:
        gateway.responder(lambda body: "compute(a)", path=FIM)
        completing = Completing(gateway, debounce=0, prefetch=False)
        try:
            completing.configure(api_key="")
            status = completing.services.status
            assert status.current.kind != "Error"
            # Set as it was for every no-key start before (a proxy that adds the key on the way).
            status.set(Status("Error", "no API key: set DEEPSEEK_API_KEY", "config"))
            uri = "file:///w/a.py"
            completing.open(uri, "a = 1\nx = \n")
            assert await completing.inline(uri, 1, 4) == ["compute(a)"]
            assert status.current.kind == "Normal"
            completing.services.models.rewarm()  # the first key after a pause in typing
            assert status.current.kind == "Normal"
        finally:
            await completing.stop()


@pytest.mark.usefixtures("state_dir")
async def test_the_missing_key_error_goes_once_a_review_is_answered() -> None:
    """As for completions: no key, a gateway that adds it, and a review answered through it;
    the "no API key" Error stayed in the status bar over a file reviewed and clean."""
    from deepseek_lsp.status import Status
    from tests.review_support import ReviewFeatureSession

    with FakeDeepSeek(api_key=None) as gateway:
        gateway.responder(lambda body: json.dumps({"findings": []}), path="/chat/completions")
        async with ReviewFeatureSession(gateway) as r:
            r.services.status.set(Status("Error", "no API key: set DEEPSEEK_API_KEY", "config"))
            r.services.documents.open("file:///ws/a.py", "def f(x):\n    return x\n", "python", 1)
            done = await r.review.command.run("file:///ws/a.py", force=True)
            assert done["ok"]
            assert r.statuses[-1].kind == "Normal"


async def test_an_excluded_file_is_said_inactive_again_when_the_completion_settings_change(tmp_path) -> None:
    """VS Code forgets what it kept of each file's status when exclusions, languages or the size
    limit change; the server then said the status of the file used last only, and an excluded
    .env opened earlier showed "Normal", "Ready." when the user went back to it."""
    env = server_env("http://127.0.0.1:9", state_dir=str(tmp_path))
    async with lsp_session(env, settings={"completion": {"debounce": 0}}) as client:
        secret, code = "file:///ws/.env", "file:///ws/a.py"
        open_doc(client, secret, "API_TOKEN=x\n", "dotenv")
        open_doc(client, code, "def f(a, b):\n    return \n")
        await eventually(lambda: any(s.get("uri") == secret for s in client.statuses))
        told = len(client.statuses)
        _change_settings(client, {"completion": {"debounce": 0}, "exclude": ["**/*.log"]})
        again = await eventually(
            lambda: [s for s in client.statuses[told:] if s.get("uri") == secret and s["kind"] == "Inactive"]
        )
        assert "exclusion" in again[0]["message"], again


async def test_the_settings_problems_in_force_are_listed_for_an_editor_s_health_check(tmp_path) -> None:
    """Each bad setting is told once, in a message gone from sight by the time the user runs
    ``:checkhealth``, which said all was well: deepseek/debugState lists them while they stand."""
    with FakeDeepSeek() as fake:
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path))
        settings = {"completion": {"debounce": "fast"}, "review": {"mode": "sometimes"}}
        async with lsp_session(env, settings=settings) as client:
            state = await client.protocol.send_request_async("deepseek/debugState", {})
            problems = _to_dict(state)["settingsProblems"]
            assert len(problems) == 2, problems
            assert any("'fast' for 'completion.debounce'" in p for p in problems), problems
            assert any("'sometimes' for 'review.mode'" in p for p in problems), problems
        async with lsp_session(env, settings={"completion": {"debounce": 0}}) as client:
            state = await client.protocol.send_request_async("deepseek/debugState", {})
            assert _to_dict(state)["settingsProblems"] == []


@pytest.mark.parametrize(
    "settings",
    [
        pytest.param({"baseUrl": "{key}"}, id="key-in-baseUrl"),
        pytest.param({"fimBaseUrl": "{key}"}, id="key-in-fimBaseUrl"),
        pytest.param({"completion": {"debounce": "{key}"}}, id="key-in-debounce"),
        pytest.param({"backend": "{key}"}, id="key-in-backend"),
        pytest.param({"fimTemplate": "{key}"}, id="key-in-fimTemplate"),
        # A header or a shell line copied whole from a curl example or an .env file: the key
        # was one word of a value with spaces, and the whole value was quoted.
        pytest.param({"baseUrl": "Bearer {key}"}, id="bearer-key-in-baseUrl"),
        pytest.param({"baseUrl": "export DEEPSEEK_API_KEY={key}"}, id="export-line-in-baseUrl"),
        pytest.param({"review": {"mode": "Bearer {key}"}}, id="bearer-key-in-review-mode"),
        pytest.param({"completion": {"model": ["{key}"]}}, id="key-in-a-list"),
        # The URL and the key pasted together: taken as a URL, the key went into every
        # request's address and every "cannot reach" message.
        pytest.param({"baseUrl": "https://gateway.example/v1 {key}"}, id="url-then-key-in-baseUrl"),
    ],
)
async def test_a_key_pasted_into_another_setting_is_never_shown(tmp_path, settings: dict[str, Any]) -> None:
    """A key pasted in the box beside apiKey's (a gateway's key, no ``sk-``): the problem quoted
    it in the pop-up, the log and debugState (``:checkhealth``'s warnings) for the user to copy
    into an issue. The setting is still named, the value hidden."""
    key = "3f9a8c7d2e1b4a5f6c7d8e9f0a1b2c3d4e5f6a7b"
    with FakeDeepSeek() as fake:
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path))
        given = json.loads(json.dumps(settings).replace("{key}", key))
        async with lsp_session(env, settings=given) as client:
            state = _to_dict(await client.protocol.send_request_async("deepseek/debugState", {}))
            problems = state["settingsProblems"]
            assert len(problems) == 1, problems
            assert key not in problems[0], problems
            assert "(hidden" in problems[0], problems
            assert await eventually(lambda: any("settings:" in m.message for m in client.messages))
            assert not [m.message for m in client.messages if key in m.message]


@pytest.mark.parametrize(
    "env",
    [
        pytest.param({"DEEPSEEK_BASE_URL": "Bearer {key}"}, id="bearer-key-in-baseUrl"),
        pytest.param({"DEEPSEEK_BASE_URL": "https://gateway.invalid/v1 {key}"}, id="url-then-key-in-baseUrl"),
        pytest.param({"DEEPSEEK_FIM_BASE_URL": "{key}"}, id="key-in-fimBaseUrl"),
    ],
)
def test_doctor_never_shows_a_key_pasted_into_a_base_url(tmp_path, monkeypatch, capsys, env: dict[str, str]) -> None:
    """The problem hid it, but doctor's configuration printed it whole ("fimBaseUrl": "<key>"),
    and its endpoint line quoted it ("got 'Bearer <key>'", "cannot reach https://... <key>");
    the URL with a space was even asked."""
    from tests.test_cli import doctor

    key = "3f9a8c7d2e1b4a5f6c7d8e9f0a1b2c3d4e5f6a7b"
    given = {name: value.replace("{key}", key) for name, value in env.items()}
    _code, out, err = doctor(monkeypatch, capsys, server_env(api_key=DEFAULT_KEY, state_dir=str(tmp_path), **given), "--timeout", "2")
    shown = [line for line in (out + err).splitlines() if key[:12] in line or key[-12:] in line]
    assert shown == [], shown
    assert "(hidden" in out, out


async def test_a_base_url_with_a_key_after_it_is_never_asked(tmp_path) -> None:
    """The URL and its key pasted together into baseUrl: the problem said nothing is sent, yet
    the model client took the URL, and each suggestion asked /v1%20<key>/... of the server."""
    key = "3f9a8c7d2e1b4a5f6c7d8e9f0a1b2c3d4e5f6a7b"
    with FakeDeepSeek() as fake:
        fake.responder(lambda body: "value_ok)")
        # No base URL below the editor's: the one refused is kept, nothing sent until corrected.
        env = server_env(None, api_key=DEFAULT_KEY, state_dir=str(tmp_path))
        settings = {"baseUrl": f"{fake.url}/v1 {key}", "completion": {"debounce": 0, "prefetch": False}}
        async with lsp_session(env, settings=settings) as client:
            uri = "file:///ws/f.py"
            open_doc(client, uri, "result = compute(\n")
            await client.text_document_inline_completion_async(inline_params(uri, 0, 17))
            assert await eventually(lambda: any("baseUrl must be" in m.message for m in client.messages))
        asked = [r.path for r in fake.requests]
    assert not [path for path in asked if key[:12] in path], asked
