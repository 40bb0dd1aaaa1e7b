"""The API key in what ``deepseek-lsp review`` prints and writes: a proxy or gateway that
echoes the request (its ``Authorization`` header too) in an error body must not put the key,
or a piece of it, in the report or on the terminal."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.test_review_cli import CHAT, run
from tests.test_review_cli import project as cli_project

project = cli_project


@pytest.mark.parametrize("at", [278, 284, 290])
def test_a_key_echoed_near_the_end_of_a_long_error_message_is_not_shown(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str], at: int
) -> None:
    """The provider's message is cut to 300 characters for display: the key was scrubbed after
    the cut, so a key the cut went through stayed, all but its last characters."""
    head = "Invalid request. Headers received: {'accept': '*/*', 'user-agent': 'deepseek-lsp', "
    head += "'authorization': 'Bearer "
    pad = "Rejected by the gateway's request policy; the request was logged as " + "0" * 300
    message = pad[: at - len(head)] + head + DEFAULT_KEY + "'}"
    assert message.index(DEFAULT_KEY) == at
    fake_deepseek.fault("status", count=None, path=CHAT, status=400, message=message)
    code, out, err = run(capsys, "app/inventory.py")
    assert code == 2 and "400" in out + err
    shown = out + err
    assert DEFAULT_KEY[:10] not in shown, shown


def test_a_key_not_shaped_like_deepseeks_is_kept_out_of_the_reviews_logs(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server gives its key to the log filter; ``deepseek-lsp review --log-level debug``
    did not, and the filter's own patterns know DeepSeek's ``sk-`` shape only (a gateway's or
    a proxy's key went into the log as it was)."""
    from deepseek_lsp.cli import main
    from deepseek_lsp.log import SECRETS

    key = "gw-live-7f3a9c1e5b2d4f6a8c0e"
    monkeypatch.setenv("DEEPSEEK_API_KEY", key)
    main(["--log-level", "debug", "review", "app/inventory.py"])
    assert key not in SECRETS.scrub(f"retrying with key {key} after a reset")


@pytest.mark.parametrize(
    ("environment", "said"),
    [
        ({"GITHUB_ACTIONS": "true", "DEEPSEEK_API_KEY": ""}, "a pull request from a fork"),
        ({"GITHUB_ACTIONS": "true", "DEEPSEEK_API_KEY": " \n"}, "a pull request from a fork"),
        ({"GITLAB_CI": "true", "DEEPSEEK_API_KEY": ""}, "protected"),
        ({"DEEPSEEK_API_KEY": ""}, "DEEPSEEK_API_KEY is set but empty"),
    ],
)
def test_an_empty_key_in_ci_says_the_job_was_given_no_secret(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], said: str,
) -> None:
    """``DEEPSEEK_API_KEY: ${{ secrets.DEEPSEEK_API_KEY }}`` is empty in a run of a fork's pull
    request (and Dependabot's): GitHub gives them no secret. The review said "set
    DEEPSEEK_API_KEY", which the maintainer had, in the repository's secrets; the check failed
    on every outside contribution with no word of why. Still exit 2, nothing sent."""
    for name in ("GITHUB_ACTIONS", "GITLAB_CI"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    code, out, err = run(capsys, "app/inventory.py", "--format", "github")
    assert code == 2 and out == ""
    assert "set DEEPSEEK_API_KEY" in err and said in err
    assert fake_deepseek.requests_to(CHAT) == []


def test_a_key_not_set_at_all_is_said_as_before(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DEEPSEEK_API_KEY")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    code, _, err = run(capsys, "app/inventory.py")
    assert code == 2
    said = "set DEEPSEEK_API_KEY (and DEEPSEEK_BASE_URL for another server)"
    assert err == f"deepseek-lsp review: {said}\n"
