"""A server or gateway that refuses an optional request field by name (OpenAI's "Unrecognized
request argument supplied", a FastAPI server's 422 "Extra inputs are not permitted", LiteLLM's
UnsupportedParamsError, Groq's and Gemini's words) is asked again at once without it, and that
endpoint is never sent it again: each completion and review met the same refusal (and, since
2d1a695, paused completions). A field the request cannot go without (FIM's ``suffix``) is not
dropped."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.completing import FIM, Completing
from tests.fake_deepseek import FIELD_REFUSALS, FakeDeepSeek
from tests.review_support import reviewer
from tests.test_backend_pause import CHAT, DOC, RULE, Reviewing

pytestmark = pytest.mark.usefixtures("state_dir")


async def _two_keys_sent(fake: FakeDeepSeek, refused: dict[str, str]) -> list[dict[str, Any]]:
    """The bodies sent for two keys, each answered, with ``refused`` fields refused."""
    fake.refused_fields = refused
    fake.responder(lambda body: "return a + b", path=FIM)
    c = Completing(fake, debounce=0, prefetch=False, cache=False)
    try:
        doc = c.open("file:///ws/a.py", "def add(a, b):\n    ")
        assert await c.inline(doc.uri, 1, 4) == ["return a + b"]
        assert await c.inline(doc.uri, 1, 4) == ["return a + b"]
        assert c.services.status.current.kind == "Normal" and c.shown == []
    finally:
        await c.stop()
    return [r.json for r in fake.requests_to(FIM)]


@pytest.mark.parametrize("words", sorted(set(FIELD_REFUSALS) - {"openai-reasoning"}))
async def test_a_completion_field_the_server_refuses_is_left_out_from_then_on(
    fake_deepseek: FakeDeepSeek, words: str
) -> None:
    sent = await _two_keys_sent(fake_deepseek, {"temperature": words})
    assert ["temperature" in body for body in sent] == [True, False, False]
    assert all("suffix" in body and "stop" in body for body in sent)  # nothing else left out


@pytest.mark.parametrize("words", ["openai", "fastapi"])
async def test_a_field_the_request_cannot_go_without_is_not_dropped(fake_deepseek: FakeDeepSeek, words: str) -> None:
    """An OpenAI-style server without FIM refuses ``suffix`` by name: without it the model
    would continue the prefix blind to the code below. Told (and paused), not sent again;
    a FastAPI server's list of errors told as its field and words, not as a Python list
    holding the field's value (the code after the cursor)."""
    fake_deepseek.refused_fields = {"suffix": words}
    c = Completing(fake_deepseek, debounce=0, prefetch=False, cache=False)
    try:
        doc = c.open("file:///ws/a.py", "def add(a, b):\n    ")
        assert await c.inline(doc.uri, 1, 4) == []
        assert await c.inline(doc.uri, 1, 4) == []
        assert [("suffix" in r.json) for r in fake_deepseek.requests_to(FIM)] == [True]
        current = c.services.status.current
        assert current.kind == "Error" and "suffix" in current.message and "fim-template" in current.message
        if words == "fastapi":
            assert "(422): body.suffix: Extra inputs are not permitted." in current.message
            assert "extra_forbidden" not in current.message and "'input'" not in current.message
    finally:
        await c.stop()


@pytest.mark.parametrize("words", ["fastapi", "vllm"])
async def test_a_refusal_quoting_the_request_does_not_show_the_code(
    fake_deepseek: FakeDeepSeek, words: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A FastAPI server's validation error carries each field's value as its ``input``, and
    vLLM's and SGLang's handler put the errors' Python repr in their message: the code after
    the cursor (the refused ``suffix``) was shown in the status, the pop-up and the log, up
    to 300 characters of it. Told as the field and the words alone."""
    fake_deepseek.refused_fields = {"suffix": words}
    c = Completing(fake_deepseek, debounce=0, prefetch=False, cache=False)
    try:
        doc = c.open("file:///ws/a.py", "def add(a, b):\n    \n\ntotal = add_rows(ledger_rows, 'EUR')\n")
        assert await c.inline(doc.uri, 1, 4) == []
        assert "add_rows" in fake_deepseek.requests_to(FIM)[0].json["suffix"]  # (the code was sent)
        current = c.services.status.current
        assert current.kind == "Error" and "body.suffix: Extra inputs are not permitted." in current.message
        told = [current.message, *c.shown, caplog.text]
        assert not [t for t in told if "add_rows" in t or "ledger_rows" in t or "'input'" in t], told
    finally:
        await c.stop()


#: Other servers' refusals quoting the request in words of their own: llama-server's (C++,
#: nlohmann's JSON reader: the string token read so far, after "last read", for a lone
#: surrogate's escape its JSON refuses), and pydantic's own text of an error (``str(exc)``,
#: the value after ``input_value=``) as a Python server's handler of a ValueError sends it.
QUOTING_REFUSALS = {
    "llama.cpp": {
        "error": {
            "code": 400,
            "message": "[json.exception.parse_error.101] parse error at line 1, column 88: syntax error while "
            "parsing value - invalid string: surrogate U+DC00..U+DFFF must follow U+D800..U+DBFF; last read: "
            "'\"<U+000A><U+000A>total = add_rows(ledger_rows, \\'EUR\\')\\udcff'",
            "type": "invalid_request_error",
        }
    },
    "pydantic": {
        "object": "error",
        "message": "1 validation error for CompletionRequest\nsuffix\n  Extra inputs are not permitted [type=extra_forbidden, "
        "input_value=\"\\n\\ntotal = add_rows(ledger_rows, 'EUR')\\n\", input_type=str]\n    For further information "
        "visit https://errors.pydantic.dev/2.9/v/extra_forbidden",
        "type": "BadRequestError",
        "code": 400,
    },
}


@pytest.mark.parametrize("server", sorted(QUOTING_REFUSALS))
async def test_a_refusal_quoting_the_request_in_other_words_does_not_show_the_code(
    fake_deepseek: FakeDeepSeek, server: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Quoted after "last read:" or "input_value=", the code after the cursor was shown in the
    status, the pop-up and the log as the 'input' of a validation error was (see above)."""
    body = json.dumps(QUOTING_REFUSALS[server])
    fake_deepseek.fault("raw", count=None, path=FIM, status=400, body=body, headers={"Content-Type": "application/json"})
    c = Completing(fake_deepseek, debounce=0, prefetch=False, cache=False)
    try:
        doc = c.open("file:///ws/a.py", "def add(a, b):\n    \n\ntotal = add_rows(ledger_rows, 'EUR')\n")
        assert await c.inline(doc.uri, 1, 4) == []
        current = c.services.status.current
        assert current.kind in ("Error", "Warning") and current.message, current
        told = [current.message, *c.shown, caplog.text]
        assert not [t for t in told if "add_rows" in t or "ledger_rows" in t], told
    finally:
        await c.stop()


async def test_a_review_field_the_gateway_refuses_is_left_out(fake_deepseek: FakeDeepSeek) -> None:
    """LiteLLM's proxy in front of a model that takes no ``thinking`` refuses it unless its
    config drops unknown parameters: every review failed with its 400."""
    fake_deepseek.refused_fields = {"thinking": "litellm"}
    async with Reviewing(fake_deepseek) as r:
        fake_deepseek.responder(reviewer([RULE]), path=CHAT)
        r.services.documents.open("file:///ws/a.py", DOC, "python", 1)
        first = await r.review.command.run("file:///ws/a.py", force=True)
        assert first["ok"] and first["findings"] == 1, first
        assert ["thinking" in q.json for q in fake_deepseek.requests_to(CHAT)] == [True, False]


async def test_max_tokens_refused_for_its_new_name_is_sent_under_it(fake_deepseek: FakeDeepSeek) -> None:
    """OpenAI's reasoning models (a chat backend's reviews there) refuse ``max_tokens``, "Use
    'max_completion_tokens' instead": the answer's limit is sent under that name, not
    dropped (the model would write on to its own limit) nor refused at every review."""
    fake_deepseek.refused_fields = {"max_tokens": "openai-reasoning"}
    async with Reviewing(fake_deepseek) as r:
        fake_deepseek.responder(reviewer([RULE]), path=CHAT)
        r.services.documents.open("file:///ws/a.py", DOC, "python", 1)
        assert (await r.review.command.run("file:///ws/a.py", force=True))["ok"]
        r.services.documents.open("file:///ws/b.py", DOC.replace("find", "seek"), "python", 1)
        assert (await r.review.command.run("file:///ws/b.py", force=True))["ok"]
        first, second, third = (q.json for q in fake_deepseek.requests_to(CHAT))
        assert "max_completion_tokens" not in first and second["max_completion_tokens"] == first["max_tokens"]
        assert "max_tokens" not in second and "max_tokens" not in third and third["max_completion_tokens"]


@pytest.mark.parametrize("words", ["openai", "fastapi"])
async def test_two_fields_refused_one_after_the_other_are_both_left_out_at_the_first_key(
    fake_deepseek: FakeDeepSeek, words: str
) -> None:
    """A server naming one refused field at a time (temperature, then stop): the request sent
    again without the first met the second's refusal, which paused that file's completions
    for a minute (every file's before 0c6d61b), though the next request would have passed."""
    sent = await _two_keys_sent(fake_deepseek, {"temperature": words, "stop": words})
    assert [("temperature" in body, "stop" in body) for body in sent] == [
        (True, True), (False, True), (False, False), (False, False)
    ]
