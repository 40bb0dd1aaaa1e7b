"""The API key in what ``deepseek-lsp review`` prints and writes: a proxy or gateway that
echoes the request (its ``Authorization`` header too) in an error body must not put the key,
or a piece of it, in the report or on the terminal."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.test_review_cli import CHAT, run
from tests.test_review_cli import project as cli_project

project = cli_project

#: What tells CI runs apart, removed so that the CI running these tests does not decide them.
GITHUB_CI_NAMES = (
    "GITHUB_ACTIONS", "GITLAB_CI", "GITHUB_EVENT_NAME", "GITHUB_EVENT_PATH", "GITHUB_ACTOR",
    "GITHUB_REPOSITORY", "CI_COMMIT_REF_PROTECTED", "CI_MERGE_REQUEST_SOURCE_PROJECT_ID",
    "CI_PROJECT_ID",
)


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


def at_deepseek(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reviews sent to DeepSeek itself, which surely wants the key: a server of one's own (the
    fake) is asked without one, an empty variable or not (no_key_for_deepseek). Nothing is sent."""
    monkeypatch.setenv("DEEPSEEK_BASE_URL", "https://api.deepseek.com")


@pytest.mark.parametrize(
    ("environment", "said"),
    [
        ({"GITHUB_ACTIONS": "true", "DEEPSEEK_API_KEY": ""}, "a pull request from a fork"),
        ({"GITHUB_ACTIONS": "true", "DEEPSEEK_API_KEY": " \n"}, "a pull request from a fork"),
        (
            {"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request", "DEEPSEEK_API_KEY": ""},
            "a pull request from a fork",
        ),
        (
            {"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request",
             "GITHUB_ACTOR": "dependabot[bot]", "DEEPSEEK_API_KEY": ""},
            "Dependabot",
        ),
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
    at_deepseek(monkeypatch)
    for name in GITHUB_CI_NAMES:
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    code, out, err = run(capsys, "app/inventory.py", "--format", "github")
    assert code == 2 and out.startswith("::error ") and out.count("\n") == 1 and err == ""
    told = out.replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%")  # as the runner does
    assert "set DEEPSEEK_API_KEY" in told and said in told
    assert fake_deepseek.requests_to(CHAT) == []


def test_a_key_not_set_at_all_is_said_as_before(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DEEPSEEK_API_KEY")
    monkeypatch.delenv("DEEPSEEK_BASE_URL")  # DeepSeek's: a server of one's own may take none
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    code, _, err = run(capsys, "app/inventory.py")
    assert code == 2
    said = "set DEEPSEEK_API_KEY (and DEEPSEEK_BASE_URL for another server)"
    assert err == f"deepseek-lsp review: {said}\n"


def test_a_server_of_ones_own_asking_for_a_key_none_set_is_told_so(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A gateway or vLLM started with ``--api-key``, the run given none: the 401 read "rejected
    the API key", as if a wrong one had been sent."""
    monkeypatch.delenv("DEEPSEEK_API_KEY")
    code, out, err = run(capsys, "app/inventory.py")
    assert code == 2
    assert "asks for a key (401) and none is set: set DEEPSEEK_API_KEY" in out + err, out + err
    assert "rejected" not in out + err


@pytest.mark.parametrize("event", ["push", "schedule", "workflow_dispatch", "pull_request"])
def test_an_empty_key_in_a_run_that_is_given_secrets_says_the_secret_is_missing(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch, event: str,
) -> None:
    """A push build (or a pull request from a branch of the repository itself) is given the
    repository's secrets: its key is empty because the secret is not set, or set under another
    name. It was told its run was a fork's pull request, and the ``if:`` it was given
    (``github.event.pull_request.head.repo.full_name == github.repository``) skipped every
    push build's review, the pull request being null there."""
    at_deepseek(monkeypatch)
    for name in GITHUB_CI_NAMES:
        monkeypatch.delenv(name, raising=False)
    payload = tmp_path / "event.json"
    own = {"head": {"repo": {"full_name": "acme/shop"}}}
    payload.write_text(json.dumps({"pull_request": own} if event == "pull_request" else {}))
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_EVENT_NAME", event)
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(payload))
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/shop")
    monkeypatch.setenv("GITHUB_ACTOR", "maintainer")
    monkeypatch.setenv("DEEPSEEK_API_KEY", "")
    code, out, err = run(capsys, "app/inventory.py")
    assert code == 2 and out == ""
    assert "fork" not in err and "Dependabot" not in err
    assert "secret" in err and "not set" in err


def said_in_a_forks_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str]:
    """The exit code and stderr of a review in a fork's pull request run, its key empty."""
    at_deepseek(monkeypatch)
    for name in GITHUB_CI_NAMES:
        monkeypatch.delenv(name, raising=False)
    payload = tmp_path / "event.json"
    fork = {"head": {"repo": {"full_name": "someone/shop"}}}
    payload.write_text(json.dumps({"pull_request": fork}))
    for name, value in {
        "GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request", "DEEPSEEK_API_KEY": "",
        "GITHUB_EVENT_PATH": str(payload), "GITHUB_REPOSITORY": "acme/shop",
        "GITHUB_ACTOR": "someone",
    }.items():
        monkeypatch.setenv(name, value)
    code, _, err = run(capsys, "app/inventory.py")
    return code, err


def test_the_step_condition_given_for_a_forks_pull_request_keeps_the_push_builds_review(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The condition said to skip the review where no secret is given must hold on a push
    (no pull request there) and fail on Dependabot's pull requests, which are the repository's
    own branches."""
    code, err = said_in_a_forks_run(tmp_path, capsys, monkeypatch)
    assert code == 2 and "a pull request from a fork" in err
    assert "!github.event.pull_request ||" in err
    assert "github.actor != 'dependabot[bot]'" in err


def test_an_empty_key_in_a_protected_branchs_gitlab_pipeline_says_the_variable_is_missing(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A protected branch's pipeline is given the protected variables: its key is empty because
    the variable is not set (or is empty, or named otherwise), not for the branch."""
    at_deepseek(monkeypatch)
    for name in GITHUB_CI_NAMES:
        monkeypatch.delenv(name, raising=False)
    for name, value in {
        "GITLAB_CI": "true", "CI_COMMIT_REF_PROTECTED": "true", "CI_PROJECT_ID": "7",
        "DEEPSEEK_API_KEY": "",
    }.items():
        monkeypatch.setenv(name, value)
    code, out, err = run(capsys, "app/inventory.py")
    assert code == 2 and out == ""
    assert "not protected" not in err and "not set" in err


class _Context:
    """A GitHub Actions expression's value: a missing property is null, as GitHub reads it,
    and strings compare without regard to case."""

    def __init__(self, value: object) -> None:
        self.value = value

    def __getattr__(self, name: str) -> _Context:
        return _Context(self.value.get(name) if isinstance(self.value, dict) else None)

    def __eq__(self, other: object) -> bool:
        mine, theirs = self.value, other.value if isinstance(other, _Context) else other
        if isinstance(mine, str) and isinstance(theirs, str):
            return mine.lower() == theirs.lower()
        return mine == theirs

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __bool__(self) -> bool:
        return bool(self.value)

    __hash__ = None  # type: ignore[assignment]


def _step_runs(condition: str, github: dict[str, object]) -> bool:
    """``condition`` (``&&``, ``||``, ``!``, ``==``, ``!=``, quoted strings, properties)
    evaluated as GitHub would for a run of the ``github`` context."""
    python = re.sub(r"!(?!=)", " not ", condition.replace("&&", " and ").replace("||", " or "))
    return bool(eval(python, {"__builtins__": {}}, {"github": _Context(github)}))


@pytest.mark.parametrize(
    ("event_name", "actor", "head", "runs"),
    [
        ("push", "maintainer", None, True),
        ("pull_request", "maintainer", "acme/shop", True),
        ("pull_request", "someone", "someone/shop", False),
        ("pull_request_review", "someone", "someone/shop", False),
        ("pull_request_review_comment", "someone", "someone/shop", False),
        ("pull_request", "dependabot[bot]", "acme/shop", False),
        ("push", "dependabot[bot]", None, False),
    ],
)
def test_the_step_condition_said_skips_the_runs_given_no_secret_and_keeps_the_others(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch, event_name: str, actor: str, head: str | None, runs: bool,
) -> None:
    """Pasted into the workflow, the ``if:`` said for a fork's run holds where GitHub gives the
    secret (a push, the repository's own pull request) and fails where it gives none: a
    fork's pull request, review or review comment (a review's event was kept, and the same
    error came back at each review of a fork's change), Dependabot's."""
    code, err = said_in_a_forks_run(tmp_path, capsys, monkeypatch)
    assert code == 2
    said = re.search(r"`if: ([^`]+)`", err)
    assert said is not None, err
    event: dict[str, object] = {}
    if head is not None:
        event["pull_request"] = {"head": {"repo": {"full_name": head}}}
    github = {"event_name": event_name, "actor": actor, "repository": "acme/shop", "event": event}
    assert _step_runs(said.group(1), github) is runs


def test_a_review_server_asking_for_a_key_with_only_the_completion_servers_set_is_told_none_is_set(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, refused: str
) -> None:
    """``fimApiKey`` alone set (a completion server with its own key): the review server's 401
    read "rejected the API key", of a key never set, and sent the user to check it."""
    monkeypatch.delenv("DEEPSEEK_API_KEY")
    monkeypatch.setenv("DEEPSEEK_FIM_BASE_URL", refused)
    monkeypatch.setenv("DEEPSEEK_FIM_API_KEY", "own-completion-server-key-0123")
    code, out, err = run(capsys, "app/inventory.py")
    told = out + err
    assert code == 2
    assert "asks for a key (401) and none is set" in told and "set DEEPSEEK_API_KEY" in told, told
    assert "rejected" not in told and "own-completion-server-key" not in told, told


def test_an_empty_key_in_a_forks_run_against_a_gateway_says_why_it_is_empty(
    project: Path, tmp_path: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A LiteLLM gateway of the team's own, which wants its key, reviewed from a fork's pull
    request (GitHub gives it no secret): since the run goes on to a server of one's own with an
    empty key, its 401 said "none is set: set DEEPSEEK_API_KEY" to the maintainer who had set
    it, where DeepSeek's run says why it is empty and which ``if:`` skips such runs."""
    said_in_a_forks_run(tmp_path, capsys, monkeypatch)  # (the fork's environment, at DeepSeek)
    monkeypatch.setenv("DEEPSEEK_BASE_URL", fake_deepseek.url)
    code, out, err = run(capsys, "app/inventory.py")
    told = out + err
    assert code == 2 and "asks for a key (401) and none is set" in told, told
    assert "a pull request from a fork" in told and "github.event.pull_request" in told, told
