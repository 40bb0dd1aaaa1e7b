"""What ``deepseek-lsp doctor`` spends its time on: seconds of compiling the languages' queries,
done in worker processes while the endpoint is asked (with the same verdicts as compiled one by
one), and only the imports it needs."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from deepseek_lsp import doctor as doctor_module
from deepseek_lsp.language_check import _compiled_elsewhere, check_languages
from deepseek_lsp.languages import Language, LanguageRegistry, grammars_root
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import server_env
from tests.test_cli import in_process


def test_doctor_asks_the_endpoint_while_the_languages_compile(tmp_path: Path, monkeypatch: Any, capsys: Any) -> None:
    """The endpoint's round trips (four to DeepSeek, each its own connection; a timeout where a
    server is down) waited until every language's queries had compiled."""
    with FakeDeepSeek() as fake:

        def languages(registry: LanguageRegistry, jobs: int = 1) -> tuple[list[str], list[str]]:
            # Still "compiling" until the endpoint's first request has its answer.
            answered = fake.wait_closed(0, timeout=30)
            return ["python"], [] if answered else ["the endpoint was not asked while the languages compiled"]

        monkeypatch.setattr(doctor_module, "check_languages", languages)
        code, out, _ = in_process(monkeypatch, capsys, server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path)), "doctor")
    assert code == 0, out
    lines = [line.split(":")[0] for line in out.splitlines() if not line.startswith((" ", "{", "}"))]
    assert lines == ["deepseek-lsp 0.1.0", "configuration (defaults < environment)", "keys", "languages", "state folder", "endpoint", "all good"]



def test_ctrl_c_ends_doctor_while_the_endpoint_has_not_answered(tmp_path: Path, monkeypatch: Any, capsys: Any) -> None:
    """Ctrl+C while the endpoint is asked on its thread: doctor ends then, not when the
    endpoint's request gives up at its time limit (an executor's thread is waited for)."""
    with FakeDeepSeek() as fake:
        fake.fault("stall", path="/models", seconds=60)

        def languages(registry: LanguageRegistry, jobs: int = 1) -> tuple[list[str], list[str]]:
            assert fake.wait_requested("/models", timeout=30)
            raise KeyboardInterrupt

        monkeypatch.setattr(doctor_module, "check_languages", languages)
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path))
        with pytest.raises(KeyboardInterrupt):
            in_process(monkeypatch, capsys, env, "doctor", "--timeout", "30")
        # The check is still under way, its request unanswered: doctor did not wait for it.
        assert any(t.name == "doctor-endpoint" for t in threading.enumerate())


@pytest.fixture
def grammars(tmp_path: Path) -> Path:
    """Python and Go as installed, Python's definitions query written for another grammar (a
    grammar wheel newer than its queries)."""
    for name in ("python", "go"):
        shutil.copytree(grammars_root() / name, tmp_path / name)
    (tmp_path / "python" / "definitions.scm").write_text("(no_such_node) @definition.function\n")
    return tmp_path


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_query_that_does_not_compile_is_told_whether_compiled_here_or_in_workers(grammars: Path, jobs: int) -> None:
    registry = LanguageRegistry.load(grammars)
    ok, problems = check_languages(registry, jobs)
    assert ok == ["go"]
    # With workers, doctor's own process compiles none: two cores take half the time.
    assert [lang.queries_compiled() for lang in registry] == [jobs == 1] * 2
    assert len(problems) == 1 and problems[0].startswith("python: definitions query: Invalid node type"), problems


def test_a_grammar_that_does_not_load_is_told_once(grammars: Path) -> None:
    toml = grammars / "go" / "language.toml"
    toml.write_text(toml.read_text().replace("tree_sitter_go", "tree_sitter_gone"))
    ok, problems = check_languages(LanguageRegistry.load(grammars), 2)
    assert ok == []
    assert [p.split(":")[0] for p in problems] == ["go", "python"], problems
    assert "install the" in problems[0]


def test_doctor_does_not_import_the_language_servers_protocol(tmp_path: Path) -> None:
    """doctor took the endpoint's settings from the usage feature's module, which imports
    lsprotocol and makes its ~570 classes: a third of a second of every run, for nothing."""
    probe = (
        "import sys\nfrom deepseek_lsp import doctor\n"
        "doctor.check_languages = lambda registry, jobs=1: (['python'], [])\n"
        "from deepseek_lsp.cli import main\ncode = main(['doctor'])\n"
        "print(code, 'lsprotocol' in sys.modules)"
    )
    with FakeDeepSeek() as fake:
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path))
        out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=120)
    assert out.stdout.splitlines()[-2:] == ["all good", "0 False"], out.stdout + out.stderr


def waiting_for_a_result(thread_id: int) -> bool:
    """Whether the thread is blocked in ``Future.result`` (its condition's ``wait``)."""
    frame = sys._current_frames().get(thread_id)
    names = []
    while frame is not None and len(names) < 2:
        names.append(frame.f_code.co_name)
        frame = frame.f_back
    return names == ["wait", "result"]


def test_ctrl_c_ends_the_language_check_without_compiling_the_rest(tmp_path: Path) -> None:
    """Ctrl+C while the workers compiled: doctor waited until every query left was compiled
    (seconds; held here until the test lets the worker go, 30 s at most).

    Pressed once doctor waits for the results, not as soon as the worker starts: a loaded host
    can still have doctor submitting then, and a signal whose handler runs inside a finalizer
    (a GC pass at an allocation, in a pytest worker's big heap) is swallowed by Python
    ("Exception ignored in ... KeyboardInterrupt"): DID NOT RAISE, after 30 s."""
    os.mkfifo(tmp_path / "started")
    os.mkfifo(tmp_path / "release")
    python = LanguageRegistry.load().get("python")
    assert python is not None
    held = Language(replace(python.spec, grammar=f"tests.blocking_grammar:wait_{str(tmp_path).encode().hex()}"))
    main, returned, timed_out = threading.get_ident(), threading.Event(), []

    def press_ctrl_c() -> None:
        with open(tmp_path / "started", "rb") as started:  # a worker is loading the grammar
            started.read()
        deadline = time.monotonic() + 30
        while not waiting_for_a_result(main) and time.monotonic() < deadline:
            time.sleep(0.01)
        signal.pthread_kill(main, signal.SIGINT)
        if not returned.wait(30):
            timed_out.append(True)
        with open(tmp_path / "release", "wb"):
            pass

    presser = threading.Thread(target=press_ctrl_c, daemon=True)
    presser.start()
    with pytest.raises(KeyboardInterrupt):
        _compiled_elsewhere([held], jobs=1)
    returned.set()
    presser.join()
    assert not timed_out, "the interrupted check waited for the worker"
