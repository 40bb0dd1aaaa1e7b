"""An editor that does not answer the settings pull in time (a loaded machine's took over
5 s): the session went on with the defaults, and a save was reviewed past the user's daily
budget, or of a file their exclusions name. Now the user is told, and a review never goes with
the defaults: it asks for the settings again itself, and goes by the answer."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import server_env
from tests.raw_lsp import RawServer
from tests.review_support import reviewer, user_prompt
from tests.server_fork import CONSTANTS
from tests.test_lifecycle_in_flight import CHAT, DOC, FIM, RULES, open_doc, published

PULL = "workspace/configuration"
#: The server's limits on a pull's answer (5 s, then 20 s more for a late one), set small: what
#: happens once they pass is the question, not their length (these tests waited them out, 25 s
#: the longest at rest, 50 s in a loaded run). The late answer's test answers 1 s past the first
#: limit, leaving 3 s of the late one for the answer's trip at load.
CONFIGURATION_TIMEOUT_S = 2.0
CONFIGURATION_LATE_S = 4.0
#: Well past the time the server gives a pull: a pull never sent fails the test, not a slow one.
PULL_WAIT_S = 15.0


def start(fake: FakeDeepSeek, state: Path) -> RawServer:
    """A server forked from the test run's zygote, its pull limits the ones above."""
    limits = {
        "deepseek_lsp.editor_settings:CONFIGURATION_TIMEOUT_S": CONFIGURATION_TIMEOUT_S,
        "deepseek_lsp.editor_settings:CONFIGURATION_LATE_S": CONFIGURATION_LATE_S,
    }
    env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(state), **{CONSTANTS: json.dumps(limits)})
    return RawServer(env, forked=True)


def applied_late(server: RawServer) -> None:
    """Wait until the server has applied a late answer to its pull: its log line, sent to the
    editor (a wait for it in stderr, which keeps warnings only, ran its whole PULL_WAIT_S every
    time: 15 s a test)."""
    server.wait_until(
        lambda: any(
            m.get("method") == "window/logMessage" and "answered late" in m["params"]["message"]
            for m in list(server.messages)
        ),
        timeout=PULL_WAIT_S,
    )


def shown(server: RawServer) -> list[str]:
    return [m["params"]["message"] for m in list(server.messages) if m.get("method") == "window/showMessage"]


def save(server: RawServer, uri: str) -> None:
    server.notify("textDocument/didSave", {"textDocument": {"uri": uri}})


def test_unanswered_settings_are_told_and_a_review_asks_for_them_again_rather_than_go_with_the_defaults(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    fake_deepseek.responder(reviewer(RULES), path=CHAT)
    server = start(fake_deepseek, tmp_path)
    server.unanswered.add(PULL)
    try:
        server.initialize(capabilities={"workspace": {"configuration": True}})
        server.wait_for(PULL, timeout=PULL_WAIT_S)
        def told() -> list[str]:
            return [m for m in shown(server) if "settings could not be read" in m]

        server.wait_until(lambda: bool(told()), timeout=PULL_WAIT_S)
        assert server.call("deepseek/debugState")["result"]["configured"]
        assert told() == [
            f"DeepSeek: settings: the editor's settings could not be read (no answer in {CONFIGURATION_TIMEOUT_S:.0f} "
            "s). Nothing is sent meanwhile (the defaults have none of your exclusions, daily budget or "
            "review.mode); each review, and each suggestion you ask for, asks for the settings again"
        ]
        secret, other = "file:///ws/secret.py", "file:///ws/other.py"
        open_doc(server, secret, DOC)
        open_doc(server, other, DOC)
        save(server, secret)
        # The review asks for the settings again, and goes by the answer: the file is excluded.
        pull: dict[str, Any] = server.wait_for(PULL, timeout=PULL_WAIT_S, nth=2)
        server.unanswered.discard(PULL)
        server.answer(pull, [{"exclude": ["**/secret.py"], "review": {"mode": "onSave"}}])
        save(server, other)  # handled after the first: once it is reviewed, the first was decided
        server.wait_until(lambda: any(published(server, other)), timeout=PULL_WAIT_S)
        sent = [user_prompt(r.json) for r in fake_deepseek.requests_to(CHAT)]
        assert len(sent) == 1 and "other.py" in sent[0] and "secret.py" not in sent[0]
        assert not any(published(server, secret))
    finally:
        server.kill()


def known_then_pushed(fake_deepseek: FakeDeepSeek, tmp_path: Path) -> RawServer:
    """A server whose first pull was answered (review on save), then a settings change pushed
    as VS Code pushes one (nothing: the server pulls), its pull left to the test."""
    fake_deepseek.responder(reviewer(RULES), path=CHAT)
    server = start(fake_deepseek, tmp_path)
    server.unanswered.add(PULL)
    server.initialize(capabilities={"workspace": {"configuration": True}})
    server.answer(server.wait_for(PULL, timeout=PULL_WAIT_S), [{"review": {"mode": "onSave"}}])
    server.wait_until(lambda: server.call("deepseek/debugState")["result"]["configured"], timeout=PULL_WAIT_S)
    server.notify("workspace/didChangeConfiguration", {"settings": None})
    return server


def test_a_settings_answer_that_comes_late_is_applied_without_a_pop_up(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    # A loaded machine's VS Code answered the pull in 6 s: the user's change (here an
    # exclusion; in the e2e run a new base URL) was dropped, and a pop-up said the settings
    # could not be read.
    server = known_then_pushed(fake_deepseek, tmp_path)
    try:
        pull = server.wait_for(PULL, timeout=PULL_WAIT_S, nth=2)
        time.sleep(CONFIGURATION_TIMEOUT_S + 1.0)
        server.answer(pull, [{"exclude": ["**/secret.py"], "review": {"mode": "onSave"}}])
        applied_late(server)
        secret, other = "file:///ws/secret.py", "file:///ws/other.py"
        open_doc(server, secret, DOC)
        open_doc(server, other, DOC)
        save(server, secret)
        save(server, other)
        server.wait_until(lambda: any(published(server, other)), timeout=PULL_WAIT_S)
        sent = [user_prompt(r.json) for r in fake_deepseek.requests_to(CHAT)]
        assert len(sent) == 1 and "other.py" in sent[0] and "secret.py" not in sent[0]
        assert not [m for m in shown(server) if "settings could not be read" in m]
    finally:
        server.kill()


def test_settings_never_answered_after_a_change_are_told_once_the_late_wait_ends(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    server = known_then_pushed(fake_deepseek, tmp_path)
    try:
        server.wait_for(PULL, timeout=PULL_WAIT_S, nth=2)
        waited = CONFIGURATION_TIMEOUT_S + CONFIGURATION_LATE_S
        server.wait_until(lambda: any("could not be read" in m for m in shown(server)), timeout=waited + PULL_WAIT_S)
        assert [m for m in shown(server) if "could not be read" in m] == [
            f"DeepSeek: settings: the editor's settings could not be read (no answer in {waited:.0f} s); "
            "those it gave before are used"
        ]
    finally:
        server.kill()


def inline(server: RawServer, uri: str, line: int, character: int) -> list[Any]:
    """The items of an inline completion the user asked for."""
    answer = server.call(
        "textDocument/inlineCompletion",
        {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}, "context": {"triggerKind": 1}},
        timeout=PULL_WAIT_S,
    )
    return (answer.get("result") or {}).get("items") or []


def started_with_the_key_only(fake: FakeDeepSeek, state: Path) -> tuple[RawServer, dict[str, Any]]:
    """A server started as VS Code starts it (initializationOptions only the API key), the FIM
    answering, and its first settings pull, left to the test to answer."""
    fake.responder(lambda body: "value_ok", path=FIM)
    server = start(fake, state)
    server.unanswered.add(PULL)
    try:
        server.initialize(capabilities={"workspace": {"configuration": True}}, options={"apiKey": DEFAULT_KEY})
        return server, server.wait_for(PULL, timeout=PULL_WAIT_S)
    except BaseException:
        server.kill()
        raise


def test_a_file_open_before_a_late_answer_excluding_it_is_never_sent(fake_deepseek: FakeDeepSeek, tmp_path: Path) -> None:
    """VS Code (its initializationOptions only the API key) on a loaded machine answered the
    pull after 5 s: completions went with the defaults meanwhile, and a file the user's own
    exclusion names, open at start-up, was sent whole. Nothing goes until the settings come."""
    server, pull = started_with_the_key_only(fake_deepseek, tmp_path)
    try:
        private, other = "file:///ws/private/notes.py", "file:///ws/other.py"
        open_doc(server, private, "DB = 'PRIVATE_MARKER_NOTES'\nvalue = \n")
        open_doc(server, other, "SHOWN = 'VISIBLE_MARKER_OTHER'\nvalue = \n")
        assert inline(server, private, 1, 8) == []  # past the pull's limit, and asked again
        server.answer(pull, [{"exclude": ["**/private/**"]}])
        applied_late(server)
        assert inline(server, private, 1, 8) == []
        assert inline(server, other, 1, 8)  # the control: the settings came, completions go
        sent = [json.dumps(r.json) for r in fake_deepseek.requests_to(FIM)]
        assert sent and any("VISIBLE_MARKER_OTHER" in body for body in sent)
        assert not any("PRIVATE_MARKER" in body for body in sent)
    finally:
        server.kill()
