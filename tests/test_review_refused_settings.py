"""A review run whose every request the endpoint refuses for the settings they share (a wrong
model name's 400, a 403) stops after the first, as after a rejected key (first_answer.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.fake_deepseek import FakeDeepSeek
from tests.test_review_cli import CHAT, run
from tests.test_review_cli import project as cli_project
from tests.test_review_first_answer import add_files

#: app/inventory.py and app/util.js to review (see tests/test_review_cli.py).
project = cli_project


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_wrong_model_name_stops_the_run_at_its_first_request(
    project: Path,
    fake_deepseek: FakeDeepSeek,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    fmt: str,
) -> None:
    """DEEPSEEK_REVIEW_MODEL=deepseek-chat-v4 (no such model): each of the 7 files sent its
    request and met the same 400, the report the same long line for each."""
    add_files(project, 5)
    fake_deepseek.strict_models = True
    monkeypatch.setenv("DEEPSEEK_REVIEW_MODEL", "deepseek-chat-v4")
    code, out, err = run(capsys, "app", "--format", fmt)
    assert code == 2
    assert len(fake_deepseek.requests_to(CHAT)) == 1
    assert err.count("Model Not Exist") == 1 and "DEEPSEEK_REVIEW_MODEL" in err, err
    if fmt == "json":
        report = json.loads(out)
        assert "Model Not Exist" in report["error"]
        files = report["files"]
        assert len(files) == 7 and not any(f["findings"] for f in files)
        # The file sent is not reviewed either: counted with the 6 not sent, the reason once.
        assert not any(f["errors"] for f in files)
        assert sum(1 for f in files if "Model Not Exist" in (f["skipped"] or "")) == 7
    else:
        assert "7 files not reviewed: " in out and out.count("Model Not Exist") == 1, out


def test_a_403_stops_the_run_at_its_first_request(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str]
) -> None:
    """A gateway's 403 (the key may not use that model, a region refused): every file met it."""
    add_files(project, 5)
    fake_deepseek.fault("status", count=None, path=CHAT, status=403)
    code, out, _ = run(capsys, "app")
    assert code == 2 and len(fake_deepseek.requests_to(CHAT)) == 1
    assert "7 files not reviewed" in out and "(403)" in out and "may use that model" in out, out


@pytest.mark.parametrize(
    ("status", "said"),
    [
        (400, "This model's maximum context length is 131072 tokens. However, you requested 140000"),
        (400, "Content Exists Risk"),  # DeepSeek's content filter, on one file's code
        (403, "Your chosen model requires moderation and your input was flagged"),  # OpenRouter
        # Azure OpenAI's content filter (its code content_filter is not in the message).
        (400, "The response was filtered due to the prompt triggering Azure OpenAI's content "
              "management policy. Please modify your prompt and retry."),
        # text-generation-inference's prompt past its limits, Gemini's, a proxy's body limit:
        # each stopped the run at its first file as a wrong model name does.
        (422, "Input validation error: `inputs` tokens + `max_new_tokens` must be <= 8192. "
              "Given: 9000 `inputs` tokens and 4096 `max_new_tokens`"),
        (422, "Input validation error: `inputs` must have less than 4096 tokens. Given: 5000"),
        (400, "The input token count (1100000) exceeds the maximum number of tokens allowed "
              "(1048576)."),
        (413, "Request Entity Too Large"),
    ],
)
def test_a_refusal_of_the_request_s_own_content_does_not_stop_the_run(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str], status: int,
    said: str,
) -> None:
    """A 400 or 403 for the request's own size or content says nothing of the other files'."""
    add_files(project, 2)
    fake_deepseek.fault("status", count=1, path=CHAT, status=status, message=said)
    code, out, _ = run(capsys, "app", "--format", "json")
    files = json.loads(out)["files"]
    assert code == 2 and len(fake_deepseek.requests_to(CHAT)) == 4
    assert sum(1 for f in files if f["errors"]) == 1 and not any(f["skipped"] for f in files)


def test_a_token_limit_every_request_asks_past_stops_the_run(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str]
) -> None:
    """text-generation-inference refusing review.maxOutputTokens itself, which every request
    asks, stops the run at its first request; the message named DEEPSEEK_REVIEW_MODEL alone,
    not the setting the server's words are about."""
    add_files(project, 2)
    said = "Input validation error: `max_new_tokens` must be <= 2048. Given: 4096"
    fake_deepseek.fault("status", count=None, path=CHAT, status=422, message=said)
    code, out, err = run(capsys, "app")
    assert code == 2 and len(fake_deepseek.requests_to(CHAT)) == 1, out
    assert "lower review.maxOutputTokens in --settings" in err, err


def test_a_model_that_takes_no_token_limit_is_not_told_to_lower_it(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str]
) -> None:
    """OpenAI's reasoning models refuse the max_tokens parameter itself: a lower
    review.maxOutputTokens meets the same 400, another model does not."""
    add_files(project, 2)
    said = (
        "Unsupported parameter: 'max_tokens' is not supported with this model. "
        "Use 'max_completion_tokens' instead."
    )
    fake_deepseek.fault("status", count=None, path=CHAT, status=400, message=said)
    code, out, err = run(capsys, "app")
    # Asked again once under the name it gives (refused here all the same: a fault's 400).
    sent = [q.json for q in fake_deepseek.requests_to(CHAT)]
    assert code == 2 and ["max_completion_tokens" in body for body in sent] == [False, True], out
    assert "lower review.maxOutputTokens" not in err and "DEEPSEEK_REVIEW_MODEL" in err, err
