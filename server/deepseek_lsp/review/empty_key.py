"""Why ``DEEPSEEK_API_KEY`` is there but empty in a CI job, where a secret is the likely key."""

from __future__ import annotations

import json
from collections.abc import Mapping

#: GitHub's events of a pull request, whose run from a fork gets no secret.
_PULL_REQUEST_EVENTS = ("pull_request", "pull_request_review", "pull_request_review_comment")

#: Skips the step where GitHub gives no secret and keeps it on a push (where the pull request is
#: null: a condition on its head alone skipped every push build's review). Told by the pull
#: request, not the event's name: a fork's review or review comment has one too, and no secret.
_STEP_IF = (
    "`if: github.actor != 'dependabot[bot]' && (!github.event.pull_request || "
    "github.event.pull_request.head.repo.full_name == github.repository)`"
)


def _forks_pull_request(env: Mapping[str, str]) -> bool | None:
    """Whether the run's pull request comes from another repository, None if its event (the
    file GitHub writes) does not tell."""
    try:
        with open(env["GITHUB_EVENT_PATH"], encoding="utf-8") as event:
            pull = json.load(event)["pull_request"]
        head = pull["head"]["repo"]
        # A deleted fork's head repo is null: a fork's all the same.
        base = env.get("GITHUB_REPOSITORY") or pull["base"]["repo"]["full_name"]
        return head is None or head["full_name"] != base
    except (OSError, ValueError, KeyError, TypeError):
        return None


def empty_key(env: Mapping[str, str]) -> str:
    """Why DEEPSEEK_API_KEY is set but empty, said after "set DEEPSEEK_API_KEY": a run given no
    secret (a fork's pull request) read that as wrong to a maintainer who had set it, and a run
    given secrets is missing this one (not set, or under another name)."""
    if "DEEPSEEK_API_KEY" not in env or env["DEEPSEEK_API_KEY"].strip():
        return ""
    if env.get("GITHUB_ACTIONS") == "true":
        return _github_reason(env)
    if env.get("GITLAB_CI") == "true":
        source = env.get("CI_MERGE_REQUEST_SOURCE_PROJECT_ID")
        own = source in (None, env.get("CI_PROJECT_ID"))
        if env.get("CI_COMMIT_REF_PROTECTED") == "true" and own:
            # Given the protected variables: this one is not among them.
            return (
                ": it is empty in this protected branch's pipeline: the variable is not set in "
                "the project's CI/CD settings (nor its group's), or is empty, or named otherwise"
            )
        return (
            ": it is empty, as a protected variable is in a pipeline of a branch that is not "
            "protected (or a fork's merge request)"
        )
    return ": DEEPSEEK_API_KEY is set but empty"


def _github_reason(env: Mapping[str, str]) -> str:
    event = env.get("GITHUB_EVENT_NAME", "")
    dependabot = env.get("GITHUB_ACTOR") == "dependabot[bot]"
    # A pull request whose event does not tell its head, or a run that names no event, may
    # be a fork's: said as before.
    fork = _forks_pull_request(env) is not False if event in _PULL_REQUEST_EVENTS else not event
    if dependabot or fork:
        return (
            ": it is empty, as a secret is in a workflow run by a pull request from a fork or by "
            f"Dependabot (GitHub gives them none); skip the review there, e.g. {_STEP_IF}"
        )
    return (
        f": it is empty in this {event} run, which is given the repository's secrets: the secret "
        "the workflow names is not set (the repository's Settings, Secrets and variables, "
        "Actions; or its environment's, or the organization's, not shared with it), or is "
        "named otherwise there"
    )
