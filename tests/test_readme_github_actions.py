"""README.md's GitHub Actions workflow runs as written on a checkout as actions/checkout makes it.

The README showed only the command (``review --changed --format github``): a new user's first
run in a pull request's job failed on the base the one-commit checkout lacks, and the ``if:`` that
skips forks was in an error message alone. Here the workflow's own ``run:`` lines are run, in
order, in a clone holding only a pull request's merge commit, against the fake DeepSeek.
"""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path
from typing import Any

import yaml

from deepseek_lsp.review.empty_key import _STEP_IF
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import cli_command, server_env
from tests.review_support import Rule, reviewer

ROOT = Path(__file__).resolve().parents[1]
CHAT = "/chat/completions"


def workflow() -> dict[str, Any]:
    blocks = re.findall(r"```yaml\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)
    found = [yaml.safe_load(block) for block in blocks if "deepseek-lsp review" in block]
    assert len(found) == 1, f"{len(found)} workflows in README.md"
    return found[0]


def steps() -> list[dict[str, Any]]:
    jobs = workflow()["jobs"]
    assert len(jobs) == 1
    return next(iter(jobs.values()))["steps"]


def review_step() -> dict[str, Any]:
    return next(step for step in steps() if "deepseek-lsp review" in step.get("run", ""))


def test_the_review_step_skips_what_the_empty_key_message_says_to_skip() -> None:
    step = review_step()
    # The same condition the CLI's message names for a fork's run, so either can be copied.
    assert f"`if: {step['if']}`" == _STEP_IF
    assert step["env"]["DEEPSEEK_API_KEY"] == "${{ secrets.DEEPSEEK_API_KEY }}"
    assert "pull_request" in str(workflow().get("on", workflow().get(True)))


def git(cwd: Path, *args: str) -> str:
    identity = ["-c", "user.email=ci@example.com", "-c", "user.name=ci", "-c", "init.defaultBranch=main"]
    return subprocess.run(["git", *identity, *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def merge_commit_checkout(tmp_path: Path) -> Path:
    """A repository whose pull request adds a shell call, main moving on meanwhile, and the
    checkout actions/checkout makes of it: the merge commit alone, depth 1."""
    origin, work, checkout = tmp_path / "origin.git", tmp_path / "work", tmp_path / "checkout"
    git(tmp_path, "init", "-q", "--bare", str(origin))
    git(tmp_path, "clone", "-q", str(origin), str(work))
    (work / "app.py").write_text("import os\n\n\ndef divide(a, b):\n    return a / b\n")
    git(work, "checkout", "-q", "-b", "main")
    git(work, "add", ".")
    git(work, "commit", "-qm", "init")
    git(work, "checkout", "-q", "-b", "feature")
    with (work / "app.py").open("a") as f:
        f.write('\n\ndef run(cmd):\n    os.system("sh -c " + cmd)\n')
    git(work, "commit", "-qam", "feature")
    git(work, "checkout", "-q", "main")
    (work / "other.py").write_text("import os\nos.system('date')\n")  # main's own: not the PR's
    git(work, "add", "other.py")
    git(work, "commit", "-qm", "main moves on")
    git(work, "push", "-q", "origin", "main")
    git(work, "merge", "-q", "--no-ff", "feature", "-m", "merge")
    git(work, "push", "-q", "origin", "HEAD:refs/pull/1/merge")
    checkout.mkdir()
    git(checkout, "init", "-q")
    git(checkout, "remote", "add", "origin", str(origin))
    git(checkout, "fetch", "-q", "--depth=1", "origin", "+refs/pull/1/merge:refs/remotes/pull/1/merge")
    git(checkout, "checkout", "-q", "--detach", "refs/remotes/pull/1/merge")
    return checkout


def test_the_workflows_steps_review_the_pull_requests_change(tmp_path: Path) -> None:
    checkout = merge_commit_checkout(tmp_path)
    runs = [step["run"] for step in steps() if "run" in step and "pip install" not in step["run"]]
    assert runs[-1] == review_step()["run"], runs
    with FakeDeepSeek() as fake:
        fake.responder(reviewer([Rule("os.system", "critical", "Shell injection.")]), path=CHAT)
        env = server_env(
            fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path / "state"),
            GITHUB_ACTIONS="true", GITHUB_EVENT_NAME="pull_request", GITHUB_BASE_REF="main",
        )
        for command in runs[:-1]:  # the base's fetch, as the runner's bash runs it
            subprocess.run(["bash", "-e", "-c", command], cwd=checkout, env=env, check=True, capture_output=True, timeout=60)
        words = shlex.split(runs[-1])
        assert words[0] == "deepseek-lsp"
        command, env = cli_command(words[1:], env)
        done = subprocess.run(command, cwd=checkout, env=env, capture_output=True, text=True, timeout=120)
    annotations = [line for line in done.stdout.splitlines() if line.startswith("::")]
    # One annotation, on the pull request's line; main's own change since is not reviewed.
    assert done.returncode == 1, done.stdout + done.stderr
    assert len(annotations) == 1 and annotations[0].startswith("::error file=app.py,line=9,"), done.stdout


def test_the_workflows_second_run_on_the_same_change_is_answered_by_the_cache_it_restores(tmp_path: Path) -> None:
    """A job re-run, or a push that leaves the reviewed files as they were: the README said to
    point ``DEEPSEEK_LSP_STATE_DIR`` at "a cached folder" and showed no step that caches it, so
    each run on a fresh runner paid for the whole review again. The workflow's cache step keeps
    the folder the review step names; restored, the second run sends nothing."""
    caches = [step for step in steps() if str(step.get("uses", "")).startswith("actions/cache@")]
    assert len(caches) == 1, "no step caches the state folder"
    cache, state = caches[0], review_step()["env"]["DEEPSEEK_LSP_STATE_DIR"]
    assert cache["with"]["path"] == state and "${{ github.sha }}" in cache["with"]["key"]
    assert cache["with"]["key"].startswith(cache["with"]["restore-keys"])
    home = tmp_path / "home"
    home.mkdir()
    checkout = merge_commit_checkout(tmp_path)
    fetch = next(step["run"] for step in steps() if "git fetch" in step.get("run", ""))
    outputs = []
    with FakeDeepSeek() as fake:
        fake.responder(reviewer([Rule("os.system", "critical", "Shell injection.")]), path=CHAT)
        env = server_env(
            fake.url, api_key=DEFAULT_KEY, HOME=str(home), DEEPSEEK_LSP_STATE_DIR=state,
            GITHUB_ACTIONS="true", GITHUB_EVENT_NAME="pull_request", GITHUB_BASE_REF="main",
        )
        subprocess.run(["bash", "-e", "-c", fetch], cwd=checkout, env=env, check=True, capture_output=True, timeout=60)
        command, env = cli_command(shlex.split(review_step()["run"])[1:], env)
        for _ in range(2):
            done = subprocess.run(command, cwd=checkout, env=env, capture_output=True, text=True, timeout=120)
            outputs.append(done.stdout)
            assert done.returncode == 1, done.stdout + done.stderr
        assert len(fake.requests_to(CHAT)) == 1
    assert "no request made" in outputs[1].splitlines()[-1]
    assert [line for line in outputs[1].splitlines() if line.startswith("::")] == [
        line for line in outputs[0].splitlines() if line.startswith("::")
    ]
