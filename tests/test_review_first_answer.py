"""A review run sends one request until the endpoint takes one (review/first_answer.py), and
no longer than that: a first answer that refuses no request but its own (a 429, a 500) lets the
other files go at once; no answer at all (a server that never sends a status) stops the run."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fake_deepseek import FakeDeepSeek
from tests.harness import cli_command
from tests.test_review_cli import CHAT, run
from tests.test_review_cli import project as cli_project

#: app/inventory.py and app/util.js to review (see tests/test_review_cli.py).
project = cli_project


@pytest.fixture
def silent_server() -> Iterator[tuple[str, list[float]]]:
    with silent_listener() as served:
        yield served


@contextlib.contextmanager
def silent_listener() -> Iterator[tuple[str, list[float]]]:
    """A URL whose server takes each connection and never answers, and when it took each."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    taken: list[float] = []

    def accept() -> None:
        while True:
            try:
                held.append(listener.accept()[0])
            except OSError:
                return
            taken.append(time.monotonic())

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}", taken
    finally:
        listener.close()
        for conn in held:
            conn.close()


def add_files(project: Path, count: int) -> None:
    for i in range(count):
        (project / "app" / f"step_{i}.py").write_text(f"def step_{i}(x):\n    return x\n")


def test_a_first_answer_s_retry_after_does_not_hold_the_other_files(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 429 with Retry-After for the run's first request says nothing of the key for the run
    (it was read: the limit is the account's): the other files waited out the first's
    Retry-After (a minute's: the whole CI job stood still) before any of them was sent."""
    add_files(project, 5)
    fake_deepseek.fault("status", count=1, path=CHAT, status=429, retry_after=2)
    code, out, _ = run(capsys, "app", "--format", "json")
    assert code == 1 and not any(f["errors"] for f in json.loads(out)["files"])
    arrived = sorted(r.received_at for r in fake_deepseek.requests_to(CHAT))
    assert len(arrived) == 8  # 7 files, the first asked again
    # --jobs 4: the first's 429 and three others before the first's retry.
    assert arrived[3] - arrived[0] < 1.0, arrived


def test_a_first_request_never_answered_stops_the_run(
    project: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    silent_server: tuple[str, list[float]],
) -> None:
    """A server that takes the connection and never answers (a proxy in the way, a model server
    stuck): the first request ends at its time limit with no status, and the other files went
    after it, each waiting out its own limit to fail the same way (at the default 120 s, 40
    files and ``--jobs`` 4: 22 minutes of a CI job, 40 lines of "did not answer in time").
    A request that got no status in its whole time limit is the run's answer, as a server
    never reached is: the others are not sent, and the reason is said once, with what to do."""
    add_files(project, 3)
    url, taken = silent_server
    monkeypatch.setenv("DEEPSEEK_BASE_URL", url)
    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps({"review": {"timeoutS": 1.5}}))
    code, out, err = run(capsys, "app", "--format", "json", "--settings", str(settings))
    # Its model list (what the server is: an Ollama's reviews are fitted), then one request.
    assert code == 2 and len(taken) == 2, taken
    said = "did not answer the run's first request within 1.5 s (review.timeoutS)"
    assert err.count(said) == 1, err
    # A server of the user's own may be loading the model, which a run again would not mend
    # (Ollama gives a load up with its request): "run the review again later" was all it said.
    assert 'Load it before the review (Ollama: ollama run deepseek-v4-pro "")' in err, err
    assert "run the review again later" not in err
    files = json.loads(out)["files"]
    # The file sent is not reviewed either: nothing of it was answered.
    assert not any(f["errors"] for f in files)
    assert sum(1 for f in files if said in (f["skipped"] or "")) == 5


def test_a_first_request_answered_late_does_not_stop_the_run(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A first request whose status came but whose answer ran past its time limit (a long
    answer, a slow model) says the server answers: the other files are still sent."""
    add_files(project, 3)
    fake_deepseek.fault("stall", count=1, path=CHAT, seconds=5)
    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps({"review": {"timeoutS": 1.0}}))
    code, out, _ = run(capsys, "app", "--format", "json", "--settings", str(settings))
    files = json.loads(out)["files"]
    assert code == 2 and len(fake_deepseek.requests_to(CHAT)) == 5
    assert sum(1 for f in files if f["errors"]) == 1 and not any(f["skipped"] for f in files)
    # The limit and its setting, which --settings raises ("did not answer in time" named neither).
    (errors,) = [f["errors"] for f in files if f["errors"]]
    assert len(errors) == 1 and errors[0].endswith(
        " did not answer within 1 s (review.timeoutS); the request was abandoned."
    ), errors


def test_a_large_file_s_batches_held_back_are_not_said_as_requests_refused(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str]
) -> None:
    """A wrong key and a file of 40 functions (4 requests): its first batch met the 401, the
    others were held back and never sent, yet the file's error read "rejected the API key
    (401) … (in 3 requests)" above the summary's "for 1 request"."""
    big = "".join(f"def f{i}(x):\n    return x + {i}\n\n" for i in range(40))
    (project / "app" / "big.py").write_text(big)
    fake_deepseek.fault("status", count=None, path=CHAT, status=401)
    code, out, _ = run(capsys, "app/big.py", "--format", "json")
    assert code == 2 and len(fake_deepseek.requests_to(CHAT)) == 1
    (file,) = json.loads(out)["files"]
    # Not reviewed, for the 401 (the run's stop, said once), and no request count.
    assert file["errors"] == [] and "rejected the API key (401)" in file["skipped"], file
    assert "requests)" not in file["skipped"]


@pytest.fixture
def hanging_connect() -> Iterator[str]:
    with hanging_connection() as url:
        yield url


@contextlib.contextmanager
def hanging_connection() -> Iterator[str]:
    """A URL whose connections hang unanswered, as behind a firewall dropping the packets: its
    listener's queue is full, and the kernel drops the next connection's SYN."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    filling = []
    for _ in range(3):
        conn = socket.socket()
        conn.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            conn.connect(("127.0.0.1", port))
        filling.append(conn)
    time.sleep(0.1)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        for conn in filling:
            conn.close()
        listener.close()


def test_a_connection_that_hangs_is_told_as_not_connected_not_as_no_answer(
    project: Path, tmp_path: Path, hanging_connect: str
) -> None:
    """A review whose time limit (1.5 s) ends before the connect timeout (5 s), the connection
    never taken: "did not answer the run's first request within 1.5 s ... a model server still
    loading the model says nothing until it is loaded", where no server was ever reached."""
    add_files(project, 1)
    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps({"review": {"timeoutS": 1.5}}))
    env = {**os.environ, "DEEPSEEK_BASE_URL": hanging_connect}
    command, env = cli_command(["review", "app", "--settings", str(settings)], env)
    done = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=60)
    said = done.stdout + done.stderr
    where = hanging_connect.removeprefix("http://")
    assert done.returncode == 2 and f"Could not connect to {where} within 1.5 s" in said, said
    assert "did not answer" not in said and "loading" not in said


@pytest.mark.parametrize("told", ["run", "request"])
def test_a_connect_never_taken_is_told_with_the_whole_time_limit(told: str) -> None:
    """The stream knows only what was left of the limit when its request went out: a loaded
    host's work before that (0.1 s at CI) made a review set to 1.5 s say "within 1.4 s"."""
    from deepseek_lsp.model.errors import NotConnected
    from deepseek_lsp.review.first_answer import NoFirstAnswer

    late = NotConnected(1.38, method="POST", url="http://127.0.0.1:9/chat/completions")
    if told == "run":
        said = NoFirstAnswer(late, 1.5).cli_message
    else:  # a request of the run after its first answer (review.engine)
        said = late.limited(1.5, "review.timeoutS").user_message
    assert "Could not connect to 127.0.0.1:9 within 1.5 s" in said, said


def test_a_run_against_dropped_connects_gives_up_after_one_more_try(
    project: Path, tmp_path: Path, hanging_connect: str
) -> None:
    """A firewall dropping every connect (each try waits out the 5 s connect timeout): the run's
    first request was tried 4 times (~30 s for 5 files) before its one message; a connect that
    timed out is tried once more (a slow accept of a moment), then the run says so. The model
    list asked first (what the server is) is that first try: its connect waited out the same
    5 s, and the review's own was tried twice after it (3 connects, ~16 s)."""
    add_files(project, 5)
    log_file = tmp_path / "review.log"
    # Each try's connect timeout 1 s (connectTimeoutS), not 5: how many tries is the question,
    # not how long each.
    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps({"connectTimeoutS": 1}))
    env = {**os.environ, "DEEPSEEK_BASE_URL": hanging_connect}
    args = ["review", "app", "--settings", str(settings), "--log-file", str(log_file), "--log-level", "info"]
    command, env = cli_command(args, env)
    done = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=120)
    said = done.stdout + done.stderr
    assert done.returncode == 2 and "connecting timed out" in said, said
    logged = log_file.read_text().splitlines()
    assert sum("could not list the models" in line for line in logged) == 1, logged
    retries = [line for line in logged if "; retry " in line]
    assert retries == [], retries
