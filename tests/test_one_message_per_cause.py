"""What the user is shown once, whichever feature met it first: a rejected key is one problem,
though completions and reviews both find it. Raw JSON-RPC over stdio (tests/raw_lsp.py)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from deepseek_lsp.completion import health
from deepseek_lsp.completion.feature import CompletionFeature
from deepseek_lsp.completion.health import GLITCH_GRACE_S, UNREACHABLE_BACKOFF
from deepseek_lsp.config import Settings
from deepseek_lsp.documents import DocumentStore
from deepseek_lsp.features import Paused, Services
from deepseek_lsp.model import InsufficientBalanceError
from deepseek_lsp.model.errors import ConnectError, error_for_status
from deepseek_lsp.review.flights import ReviewOutcome
from deepseek_lsp.review.outcome_status import OutcomeStatus
from deepseek_lsp.review.rules import ReviewRules
from deepseek_lsp.status import StatusReporter
from deepseek_lsp.usage_feature import UsageFeature
from tests.completing import REGISTRY, Completing
from tests.fake_deepseek import FakeDeepSeek
from tests.harness import eventually, server_env
from tests.raw_lsp import RawServer
from tests.test_lifecycle_in_flight import CHAT, DOC, FIM, open_doc

#: Where the user types, below the reviewed function: a completion is asked at its end.
TYPING = "\ndef g(items):\n    total = "


SHOW = "window/showMessage"
#: A model Ollama (the fake's ``owned_by`` "library") loads before it answers.
LOCAL_MODEL = "qwen2.5-coder:7b"


def shown(server: RawServer) -> list[str]:
    return [m["params"]["message"] for m in list(server.messages) if m.get("method") == SHOW]


def statuses(server: RawServer) -> list[dict[str, str]]:
    return [m["params"] for m in list(server.messages) if m.get("method") == "deepseek/status"]


def completions_meeting_a_402(
    url: str,
) -> tuple[list[str], Services, CompletionFeature, InsufficientBalanceError]:
    """The pop-ups shown, the services, a completion feature on ``url``, and the 402 it meets."""
    popped: list[str] = []
    status = StatusReporter(lambda _: None, lambda message, level=2: popped.append(message))
    services = Services(DocumentStore(REGISTRY), REGISTRY, status, Settings(base_url=url))
    empty = InsufficientBalanceError("insufficient balance", url=url, status=402)
    return popped, services, CompletionFeature(services), empty


def test_a_rejected_key_is_shown_once_though_completion_and_review_both_meet_it(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """eglot shows every ``window/showMessage`` in its echo area and *Messages*: a wrong key
    popped "DeepSeek rejected the API key (401)" up twice, once for the completion asked as the
    user typed, once for the review of the save, the same words each time."""
    env = server_env(fake_deepseek.url, api_key="sk-wrong-0123456789", state_dir=str(tmp_path))
    server = RawServer(env, forked=True)  # (the key is read after the imports, as in a real start)
    uri = "file:///ws/one.py"
    try:
        server.initialize()
        open_doc(server, uri, DOC + TYPING)
        at_the_end = {"textDocument": {"uri": uri}, "position": {"line": 5, "character": 11}}
        # 30 s, not 10: at load 23 the completion's answer (its 401) came later ("no answer to
        # request 2"); the test is about what pops up.
        server.call("textDocument/completion", at_the_end, timeout=30)
        server.wait_until(lambda: any("rejected the API key" in m for m in shown(server)), 20)
        server.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
        server.wait_until(lambda: "review paused" in str(statuses(server)), timeout=20)
        server.call("deepseek/debugState")  # sent after whatever the review's end popped up
        messages = shown(server)
    finally:
        server.kill()
    assert fake_deepseek.requests_to(FIM) and fake_deepseek.requests_to(CHAT)
    assert [m for m in messages if "rejected the API key" in m] == [messages[0]]


def test_a_message_told_by_one_feature_is_told_again_once_both_have_forgotten_it() -> None:
    """The pop-up is one per cause while the cause stands: a new key (each feature forgets what
    it told) that is rejected too is said again, and a message of another cause is said at once."""
    popped: list[str] = []
    status = StatusReporter(lambda _: None, lambda message, level: popped.append(message))
    rejected = "DeepSeek rejected the API key (401): set apiKey."
    assert status.tell_once("review:AuthenticationError", rejected, 1)
    assert not status.tell_once("completion:AuthenticationError", rejected, 1)
    assert status.tell_once("completion:InsufficientBalanceError", "DeepSeek reports (402).", 1)
    status.forget("review:")
    assert not status.tell_once("review:AuthenticationError", rejected, 1)  # completions' stands
    status.forget("completion:")
    status.forget("review:")
    assert status.tell_once("completion:AuthenticationError", rejected, 1)
    assert popped == [rejected, "DeepSeek reports (402).", rejected]


async def test_a_balance_run_out_again_after_completions_answered_is_told_again(
    fake_deepseek: FakeDeepSeek, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A quick answer after the top-up ends the 402's pop-up for completions, whatever the status
    bar shows then: with an excluded file's Inactive in between, its words stayed on record and
    the balance run out again popped nothing up, for completions nor for reviews."""
    monkeypatch.setattr(InsufficientBalanceError, "recheck_after_s", 0.0)
    popped, services, feature, empty = completions_meeting_a_402(fake_deepseek.url)
    status = services.status
    try:
        feature.health.failed(empty)
        services.documents.open("file:///ws/.env", "KEY=1\n", "dotenv", 1)
        services.documents.open("file:///ws/a.py", "x = 1\n", "python", 1)
        for uri in ("file:///ws/.env", "file:///ws/a.py"):  # opened the .env, came back
            doc = services.documents.get(uri)
            assert doc is not None
            feature.health.status_for(doc, 0)
        assert status.current.kind == "Normal"  # the Error went with the .env's Inactive
        feature.health.answered(0.1)  # topped up meanwhile
        feature.health.failed(empty)
        assert not status.tell_once("review:InsufficientBalanceError", empty.user_message, 1)
    finally:
        await feature.stop()
    assert popped == [empty.user_message] * 2


def test_an_answer_to_a_review_sent_before_another_reviews_402_keeps_its_pop_up_told() -> None:
    """Two saves' reviews under way when the balance runs out: the one answered after the
    other's 402 (and its pause) says nothing of the top-up, and the 402 was popped up again at
    the minute's recheck."""
    popped: list[str] = []
    status = StatusReporter(lambda _: None, lambda message, level=2: popped.append(message))
    services = Services(DocumentStore(REGISTRY), REGISTRY, status, Settings())
    empty = InsufficientBalanceError("insufficient balance", status=402)
    paused = Paused()
    told = OutcomeStatus(services, paused)
    told.report(ReviewOutcome(errors=[empty], units=1, units_asked=1, requests=1), "file:///ws/a.py")
    told.report(ReviewOutcome(units=1, units_asked=1, requests=1), "file:///ws/b.py")
    assert not status.tell_once("review:InsufficientBalanceError", empty.user_message, 1)
    paused.clear()  # the recheck's minute is over, and a review is answered
    told.report(ReviewOutcome(units=1, units_asked=1, requests=1), "file:///ws/b.py")
    assert status.tell_once("review:InsufficientBalanceError", empty.user_message, 1)
    assert popped == [empty.user_message] * 2


async def test_a_balance_run_out_again_is_told_though_reviews_were_not_answered_since(
    fake_deepseek: FakeDeepSeek, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reviews on command: the one asked while the balance was empty met the 402 completions had
    told. Completions answered after the top-up, no review was asked since, and the balance run
    out again popped nothing up: the review's record of the same words still stood."""
    monkeypatch.setattr(InsufficientBalanceError, "recheck_after_s", 0.0)
    popped, services, feature, empty = completions_meeting_a_402(fake_deepseek.url)
    review = OutcomeStatus(services, Paused())
    try:
        feature.health.failed(empty)
        failed = ReviewOutcome(errors=[empty], units=1, units_asked=1, requests=1)
        review.report(failed, "file:///ws/a.py")
        assert popped == [empty.user_message]  # one cause, one pop-up
        feature.health.answered(0.1)  # topped up
        feature.health.failed(empty)  # run out again
    finally:
        await feature.stop()
    assert popped == [empty.user_message] * 2


def test_a_files_not_reviewed_notice_is_not_popped_up_again_after_another_files_review() -> None:
    """A save not reviewed (a file over the size limit, a generated one) is said once per file:
    since bcd022c every answered review of another file forgot it too, and each later save of
    the large file, worked on beside a small one, popped the same notice up again."""
    popped: list[str] = []
    status = StatusReporter(lambda _: None, lambda message, level=2: popped.append(message))
    services = Services(DocumentStore(REGISTRY), REGISTRY, status, Settings())
    rules, told = ReviewRules(services), OutcomeStatus(services, Paused())
    code = "// Code generated by protoc-gen-go. DO NOT EDIT.\npackage api\n"
    generated = services.documents.open("file:///ws/api.pb.go", code, "go", 1)
    for _ in range(2):  # saved, another file's review answered, saved again
        rules.tell_too_large("file:///ws/big.py", "it is 2 MB")
        assert rules.generated(generated)
        told.report(ReviewOutcome(units=1, units_asked=1, requests=1), "file:///ws/small.py")
    assert len(popped) == 2, popped
    assert popped[0].startswith("Not reviewed: it is 2 MB") and "api.pb.go" in popped[1], popped


@pytest.mark.usefixtures("state_dir")
async def test_a_failure_is_told_again_after_an_answer_that_waited_for_the_model_s_load(
    fake_deepseek: FakeDeepSeek, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ollama not started: "nothing is listening" popped up. Started, its first answer waited
    for the model's load, and an answer then (which says nothing of the server's speed) was no
    answer at all to the status: the Warning stayed over the suggestion, and its pop-up's
    record with it, so that Ollama gone again later popped nothing up."""
    # The grace before a failure's pop-up after answers (3 s) made short: it is passed, not timed.
    monkeypatch.setattr(health, "GLITCH_GRACE_S", 0.3)
    fake_deepseek.load_s = 1.0
    fake_deepseek.models, fake_deepseek.owned_by = [LOCAL_MODEL], "library"
    fake_deepseek.script("return a + b", path="/v1/completions")
    f = Completing(
        fake_deepseek, debounce=0, prefetch=False, cache=False, timeout_s=0.3, model=LOCAL_MODEL
    )
    down = ConnectError("[Errno 111] Connection refused", url=f"{fake_deepseek.url}/v1/completions")
    try:
        f.configure(backend="openai-suffix", base_url=f"{fake_deepseek.url}/v1")
        f.completion.health.failed(down)
        doc = f.open("file:///ws/a.py", "def add(a, b):\n    ")
        assert await f.inline(doc.uri, 1, 4, invoked=True) == ["return a + b"]
        assert f.usage._loading is not None and await f.usage._loading  # it waited for the load
        assert f.services.status.current.kind == "Normal"
        f.completion.health.failed(down)
        # After answers a failure pops up once it has lasted GLITCH_GRACE_S with none.
        await eventually(lambda: len(f.shown) >= 2, timeout=GLITCH_GRACE_S + 3)
    finally:
        await f.stop()
    assert f.shown == [f"{down.user_message} {UNREACHABLE_BACKOFF}"] * 2


async def test_an_answer_to_a_completion_sent_before_the_402_keeps_its_pop_up_told(
    fake_deepseek: FakeDeepSeek,
) -> None:
    """Two completions under way when the balance runs out (two files', or a suggestion and
    its prefetch): the one answered after the other's 402 said nothing of a top-up, yet it
    turned the status Normal while completions stayed paused and forgot the pop-up, and the
    same 402 popped up again at the minute's recheck."""
    popped, services, feature, empty = completions_meeting_a_402(fake_deepseek.url)
    status = services.status
    try:
        feature.health.failed(empty)
        feature.health.answered(0.1)  # sent before the 402
        assert status.current.kind == "Error"
        feature.health.paused.clear()  # the minute is over: the recheck meets the same 402
        feature.health.failed(empty)
        assert popped == [empty.user_message]
        feature.health.paused.clear()  # topped up meanwhile: the next recheck is answered
        feature.health.answered(0.1)
        feature.health.failed(empty)
    finally:
        await feature.stop()
    assert popped == [empty.user_message] * 2


async def test_a_base_url_without_v1_met_by_completions_and_a_review_pops_up_once(
    fake_deepseek: FakeDeepSeek,
) -> None:
    """Ollama at http://127.0.0.1:11434 (no /v1): the completion's /completions and a review's
    /chat/completions are both 404, each told in its words ('has no /completions', 'has no
    /chat/completions'), and Neovim showed two errors asking for the same /v1. One is popped up;
    another server's 404 (a fimBaseUrl elsewhere) is its own."""
    popped, services, feature, _ = completions_meeting_a_402(fake_deepseek.url)
    review = OutcomeStatus(services, Paused())
    root = "http://127.0.0.1:11434"
    fim, chat, other = (
        error_for_status(404, provider_message="404 page not found", url=url, method="POST")
        for url in (f"{root}/completions", f"{root}/chat/completions", "http://127.0.0.1:8080/completions")
    )
    try:
        for _ in range(2):  # no model list read here: the second 404 in a row pauses
            feature.health.failed(fim)
            review.report(ReviewOutcome(errors=[chat], units=1, units_asked=1, requests=1), "file:///ws/a.py")
        assert f"to {root}/v1" in fim.user_message and "/chat/completions" in chat.user_message
        assert services.status.tell_once("review:other", other.user_message, 1, other.cause_told)
    finally:
        await feature.stop()
    assert popped == [fim.user_message, other.user_message]


async def test_a_file_opened_while_completions_are_paused_is_crawled_all_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pause (a 402, a wrong base URL's 404, a rejected key) ends with a top-up or a setting
    fixed; the files opened meanwhile were never handed to the workspace's crawl, and their
    completions after it had no other file's definitions until another file was opened."""
    monkeypatch.setenv("DEEPSEEK_LSP_STATE_DIR", str(tmp_path / "state"))
    root = tmp_path / "ws"
    root.mkdir()
    (root / "conn.py").write_text("class Connection:\n    def send(self, data):\n        pass\n")
    (root / "app.py").write_text("conn = Connection()\n")
    _, services, feature, empty = completions_meeting_a_402("http://127.0.0.1:9/")
    services.workspace_folders = [root.as_uri()]
    usage = UsageFeature(services)  # the model client's owner, as in the server
    services.configured.set()
    try:
        feature.health.failed(empty)
        assert feature.health.paused.now()
        doc = services.documents.open((root / "app.py").as_uri(), "conn = Connection()\n", "python", 1)
        feature.document_opened(doc)
        for _ in range(500):
            if feature.symbols.files_defining("Connection", "python"):
                break
            await asyncio.sleep(0.01)
        assert [p.name for p in feature.symbols.files_defining("Connection", "python")] == ["conn.py"]
    finally:
        await feature.stop()
        await usage.stop()
