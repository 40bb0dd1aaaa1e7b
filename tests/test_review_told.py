"""What the user is told of a review: what it cost, how much of a large file the daily budget let
through, that a file above completion.maxFileBytes is not reviewed, why a review asked for ended without
an answer. The real server over stdio (the review feature on its own for the last) against the
fake DeepSeek."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types

from deepseek_lsp.model import Ledger, Usage
from deepseek_lsp.model.ledger import DB_NAME
from deepseek_lsp.usage_report import format_usd
from tests.fake_deepseek import FakeDeepSeek
from tests.harness import _to_dict, eventually, lsp_session, open_doc
from tests.review_support import Rule, reviewer
from tests.test_review_after_edits import Editor
from tests.test_review_lsp import CHAT, diagnostics, env, save, statuses

ROW = Rule("if row == None:", "warning", "Compare with None using 'is'.", "if row is None:", 0.9)
#: Fourteen functions: two requests (twelve units at most in one).
FUNCTIONS = "".join(
    f"def f{i}(row):\n    if row == None:\n        return {i}\n    return 0\n\n\n" for i in range(14)
)


async def test_a_review_the_budget_cut_short_says_how_much_was_not_reviewed(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """The first request of a large file went, the budget refused the second: the status read
    "review of a.py not sent" over the twelve findings the first one brought."""
    fake_deepseek.responder(reviewer([ROW]), path=CHAT)
    settings = {"dailyBudgetUsd": 0.000001, "review": {"mode": "onSave", "maxRetries": 0, "maxConcurrency": 1}}
    async with lsp_session(env(fake_deepseek, tmp_path), settings=settings) as client:
        uri = "file:///ws/a.py"
        open_doc(client, uri, FUNCTIONS)
        save(client, uri)
        # The review's own status: under load a "slow backend" Warning may come before it.
        def told() -> list[str]:
            return [s["message"] for s in statuses(client) if s["kind"] == "Warning" and "review of a.py" in s["message"]]

        assert await eventually(lambda: bool(told()), timeout=10)
        message = told()[-1]
        assert await eventually(lambda: len(diagnostics(client, uri)) == 12, timeout=5)
        assert len(fake_deepseek.requests_to(CHAT)) == 1
        assert message.startswith("review of a.py incomplete, 2 of 14 units not reviewed: Daily DeepSeek budget"), message
        assert message.endswith("Then save the file again to review them.")


async def test_a_save_of_a_file_too_large_to_review_says_so_once(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """With completions off, nothing said a large file was not reviewed: its saves showed no
    diagnostic, as a clean review would."""
    fake_deepseek.responder(reviewer([ROW]), path=CHAT)
    settings = {"completion": {"enable": False, "maxFileBytes": 400}, "review": {"mode": "onSave"}}
    async with lsp_session(env(fake_deepseek, tmp_path), settings=settings) as client:
        uri = "file:///ws/big.py"
        open_doc(client, uri, FUNCTIONS)
        save(client, uri)
        save(client, uri)

        def told() -> list[str]:
            return [m.message for m in client.messages if "big.py" in m.message]

        assert await eventually(lambda: bool(told()), timeout=5)
        assert told() == ["DeepSeek: Not reviewed: big.py is larger than 400 bytes; nothing is sent "
                          "(the completion.maxFileBytes setting bounds reviews too)."]
        assert fake_deepseek.requests_to(CHAT) == [] and diagnostics(client, uri) == []


async def test_a_review_says_what_it_cost_and_a_cached_one_that_it_cost_nothing(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """The large model's review of each save was billed with no word of its price: its cost was
    only in the day's totals, mixed with every completion's."""
    fake_deepseek.responder(reviewer([ROW]), path=CHAT)
    async with lsp_session(env(fake_deepseek, tmp_path), settings={"review": {"mode": "onSave"}}) as client:
        uri = "file:///ws/a.py"
        open_doc(client, uri, FUNCTIONS)

        def progress_end() -> str | None:
            ends = [r for rs in client.progress_reports.values() for r in rs if isinstance(r, types.WorkDoneProgressEnd)]
            return ends[-1].message if ends else None

        async def review() -> tuple[dict[str, Any], str | None]:
            client.progress_reports.clear()
            result = await client.workspace_execute_command_async(
                types.ExecuteCommandParams(command="deepseek.reviewFile", arguments=[uri])
            )
            assert await eventually(lambda: progress_end() is not None)
            return result, progress_end()

        result, ended = await review()
        usage = _to_dict(await client.protocol.send_request_async("deepseek/usage", {}))
        billed = usage["session"]["total"]["cost_usd"]
        assert result["ok"] and result["findings"] == 14 and billed > 0
        assert abs(result["costUsd"] - billed) < 1e-9
        assert ended == f"14 findings, {format_usd(billed)}"
        # Saved again unchanged: the cache answers, nothing is billed, and the user is told so.
        result, ended = await review()
        assert result["costUsd"] == 0 and ended == "14 findings, from the cache"
        assert len(fake_deepseek.requests_to(CHAT)) == 2


@pytest.mark.usefixtures("state_dir")
@pytest.mark.parametrize(
    ("stop", "reason"),
    [
        ("close", "the file was closed before its review ended"),
        ("turn off", "code review is off (review.mode)"),
        ("exclude", "this file is excluded from review by the exclude setting"),
    ],
)
async def test_a_review_file_stopped_by_a_close_or_a_setting_says_why(
    fake_deepseek: FakeDeepSeek, stop: str, reason: str
) -> None:
    """"Review File", then the file closed (or reviews turned off, or the file excluded) before
    the answer: the editor showed "superseded by a newer review", and no review had begun."""
    answer = reviewer([ROW])

    def slowly(body: dict[str, Any]) -> str:
        time.sleep(0.5)
        return answer(body)

    fake_deepseek.responder(slowly, path=CHAT)
    async with Editor(fake_deepseek, FUNCTIONS) as editor:
        asked = asyncio.ensure_future(editor.review_file())
        assert await eventually(lambda: bool(fake_deepseek.requests_to(CHAT)), timeout=5)
        if stop == "close":
            editor.review.document_closed(editor.services.documents.close(editor.uri))
        else:
            old = editor.services.settings
            new = (
                replace(old, review=replace(old.review, mode="off"))
                if stop == "turn off"
                else replace(old, exclude=(*old.exclude, "**/app.py"))
            )
            editor.services.settings = new
            editor.review.settings_changed(old, new)
        assert await asyncio.wait_for(asked, 5) == {"ok": False, "reason": reason}
        assert editor.diagnostics() == []


@pytest.mark.usefixtures("state_dir")
async def test_a_review_with_one_failed_request_says_which_part_failed(fake_deepseek: FakeDeepSeek) -> None:
    """One of a large file's two requests answered 500: "review of app.py failed", over the
    findings the other request brought."""
    fake_deepseek.responder(reviewer([ROW]), path=CHAT)
    async with Editor(fake_deepseek, FUNCTIONS) as editor:
        s = editor.services.settings
        editor.services.settings = replace(s, review=replace(s.review, max_retries=0, max_concurrency=1))
        # As the server applies a change: one request at a time, so the 500 meets the first
        # batch (of twelve units); set behind the feature's back, two went at once, in either order.
        editor.review.settings_changed(s, editor.services.settings)
        fake_deepseek.fault("status", count=1, path=CHAT, status=500)
        result = await editor.review_file()
        assert not result["ok"] and len(editor.diagnostics()) == 2
        message = editor.statuses[-1].message
        assert message.startswith("review of app.py incomplete, 12 of 14 units not reviewed: "), message
        assert message.endswith("Save again to retry.")


async def test_a_review_asked_again_after_an_unusable_answer_counts_both_in_its_cost(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """An answer that was not the JSON asked for is paid for, then asked again: the cost shown
    left the first one out, below what the day's totals said the review had cost."""
    fake_deepseek.responder(reviewer([ROW]), path=CHAT)
    fake_deepseek.fault("invalid_json", count=1, path=CHAT)
    async with lsp_session(env(fake_deepseek, tmp_path), settings={"review": {"mode": "onSave"}}) as client:
        uri = "file:///ws/a.py"
        open_doc(client, uri, "def f(row):\n    if row == None:\n        return 1\n    return 0\n")
        result = await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="deepseek.reviewFile", arguments=[uri])
        )
        usage = _to_dict(await client.protocol.send_request_async("deepseek/usage", {}))
        billed = usage["session"]["total"]["cost_usd"]
        assert result["ok"] and result["findings"] == 1
        assert len(fake_deepseek.requests_to(CHAT)) == 2
        assert billed > 0 and abs(result["costUsd"] - billed) < 1e-9, (result["costUsd"], billed)


async def test_a_review_through_a_gateway_says_what_the_gateway_billed(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """OpenRouter says what each request cost (``usage.cost``), and the ledger now records it:
    the review itself told nothing of it (its model has no price here), and ended on "14
    finding(s)" while the day's totals grew."""
    fake_deepseek.cost_per_token = 3e-7
    fake_deepseek.responder(reviewer([ROW]), path=CHAT)
    routed = {"backend": "chat", "review": {"mode": "onSave", "model": "deepseek/deepseek-chat-v3.1"}}
    async with lsp_session(env(fake_deepseek, tmp_path), settings=routed) as client:
        uri = "file:///ws/a.py"
        open_doc(client, uri, FUNCTIONS)
        result = await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="deepseek.reviewFile", arguments=[uri])
        )
        usage = _to_dict(await client.protocol.send_request_async("deepseek/usage", {}))
    billed = sum(r.usage["cost"] for r in fake_deepseek.requests_to(CHAT) if r.usage)
    assert result["ok"] and billed > 0
    assert result["costUsd"] == pytest.approx(billed)
    assert usage["session"]["total"]["cost_usd"] == pytest.approx(billed)


@pytest.mark.parametrize(
    ("model", "learned"),
    [("deepseek/deepseek-chat-v3.1", True), ("deepseek/deepseek-chat-v3.1", False), ("deepseek/deepseek-v4-pro", False)],
    ids=["learned rate", "no rate", "list price"],
)
async def test_a_review_through_a_gateway_that_tells_no_cost_is_priced_as_the_usage_view_prices_it(
    fake_deepseek: FakeDeepSeek, tmp_path: Path, model: str, learned: bool
) -> None:
    """A LiteLLM stream without ``include_cost_in_streaming_usage`` says nothing of its cost:
    the usage view priced the review's requests at the model's learned rate (or estimated them
    at DeepSeek's list price of the model, or said "cost unknown"), while the review's own line
    said "14 findings" and its answer no costUsd."""
    if learned:  # what earlier requests of the model cost, in the usage file the server opens
        with Ledger(tmp_path / DB_NAME) as ledger:
            ledger.record(feature="review", model=model, usage=Usage(1000, 1000, 0, 1000, cost_usd=0.004))
    fake_deepseek.answer_headers = {"x-litellm-version": "1.74.0"}
    fake_deepseek.responder(reviewer([ROW]), path=CHAT)
    settings = {"backend": "chat", "review": {"mode": "onSave", "model": model}}
    async with lsp_session(env(fake_deepseek, tmp_path), settings=settings) as client:
        uri = "file:///ws/a.py"
        open_doc(client, uri, FUNCTIONS)
        result = await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="deepseek.reviewFile", arguments=[uri])
        )
        ends = [r.message for rs in client.progress_reports.values() for r in rs if isinstance(r, types.WorkDoneProgressEnd)]
        usage = _to_dict(await client.protocol.send_request_async("deepseek/usage", {}))
    session = usage["session"]["total"]
    assert result["ok"] and len(fake_deepseek.requests_to(CHAT)) == 2
    if learned:
        tokens = sum(r.usage["prompt_tokens"] + r.usage["completion_tokens"] for r in fake_deepseek.requests_to(CHAT))
        assert session["cost_usd"] == pytest.approx(tokens * 2e-6) and session["unknown_cost"] == 0
        assert result["costUsd"] == pytest.approx(session["cost_usd"]) and result["unknownCost"] == 0
        assert ends == [f"14 findings, {format_usd(session['cost_usd'])}"]
    elif model.endswith("v4-pro"):
        assert session["cost_usd"] == session["estimated_usd"] > 0 and session["unknown_cost"] == 0
        assert result["costUsd"] == result["estimatedUsd"] == pytest.approx(session["cost_usd"])
        assert ends == [f"14 findings, ~{format_usd(session['cost_usd'])}"]
    else:
        assert session["cost_usd"] == 0 and session["unknown_cost"] == 2
        assert result["costUsd"] == 0 and result["unknownCost"] == 2
        assert ends == ["14 findings, cost unknown"]
