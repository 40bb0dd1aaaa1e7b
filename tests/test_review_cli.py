"""``deepseek-lsp review`` on a real git project against the fake DeepSeek server."""

from __future__ import annotations

import asyncio
import io
import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from deepseek_lsp import symbol_store
from deepseek_lsp.cli import main
from deepseek_lsp.config import DEFAULT_EXCLUDE, build_settings
from deepseek_lsp.documents import Document
from deepseek_lsp.languages import LanguageRegistry
from deepseek_lsp.review import engine as engine_module
from deepseek_lsp.review.cache import ReviewCache
from deepseek_lsp.review.changed import CI_BASE_VARIABLES
from deepseek_lsp.review.engine import ReviewEngine
from deepseek_lsp.review.report import FileResult
from deepseek_lsp.review.reviewing import _Bar
from deepseek_lsp.symbol_store import SymbolStore
from deepseek_lsp.workspace_symbols import WorkspaceSymbols
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.review_support import INVENTORY_RULES, Rule, reviewed_units, reviewer

DATA = Path(__file__).parent / "data" / "review"
SCHEMA = json.loads((DATA / "sarif-schema-2.1.0.json").read_text())
CHAT = "/chat/completions"


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def use_fake(monkeypatch: pytest.MonkeyPatch, fake: FakeDeepSeek, state: Path) -> None:
    """The command line's environment: the fake server, its key, a state directory of its own."""
    monkeypatch.setenv("DEEPSEEK_API_KEY", DEFAULT_KEY)
    monkeypatch.setenv("DEEPSEEK_BASE_URL", fake.url)
    monkeypatch.setenv("DEEPSEEK_LSP_STATE_DIR", str(state))
    for name in CI_BASE_VARIABLES:  # these tests' own CI job may be a pull request's
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def project(tmp_path: Path, fake_deepseek: FakeDeepSeek, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "proj"
    (root / "app").mkdir(parents=True)
    shutil.copy(DATA / "inventory.py", root / "app" / "inventory.py")
    (root / "app" / "util.js").write_text("export function twice(x) {\n  return x * 2;\n}\n")
    (root / "app" / "README.txt").write_text("not in a known language: skipped when walking\n")
    for skipped in (
        "node_modules/dep/index.js",
        ".venv/lib/mod.py",
        "generated/out.py",
        ".mypy_cache/x.py",
    ):
        (root / skipped).parent.mkdir(parents=True, exist_ok=True)
        (root / skipped).write_text("def f():\n    if row == None:\n        pass\n")
    (root / ".venv" / "pyvenv.cfg").write_text("home = /usr\n")
    (root / "config").mkdir()
    (root / "config" / "secrets.py").write_text('TOKEN = "abc"\n')
    (root / ".gitignore").write_text("generated/\n.venv/\nnode_modules/\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "-c", "user.email=t@example.com", "-c", "user.name=t", "add", "-A")
    git(root, "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "start")
    monkeypatch.chdir(root)
    use_fake(monkeypatch, fake_deepseek, tmp_path / "state")
    fake_deepseek.responder(reviewer(INVENTORY_RULES, line_offset=3), path=CHAT)
    return root


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["review", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_walks_the_project_skipping_ignored_and_excluded_files(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, ".", "--format", "json", "--fail-on", "never")
    assert code == 0
    report = json.loads(out)
    files = {f["path"]: f for f in report["files"]}
    assert set(files) == {"app/inventory.py", "app/util.js", "config/secrets.py"}
    assert files["config/secrets.py"]["skipped"] == "excluded by the exclude setting"
    assert report["totals"] == {"critical": 1, "warning": 3, "info": 0}
    sent = "\n".join(r.json["messages"][-1]["content"] for r in fake_deepseek.requests_to(CHAT))
    assert "File: app/inventory.py" in sent and "File: app/util.js" in sent
    assert "secrets" not in sent and "node_modules" not in sent and "out.py" not in sent
    finding = next(f for f in files["app/inventory.py"]["findings"] if f["severity"] == "critical")
    text = (project / "app" / "inventory.py").read_text().split("\n")
    assert text[finding["line"] - 1][finding["column"] - 1 :].startswith(finding["code"])


def test_exit_status_follows_fail_on_and_the_cache_is_shared(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "app/inventory.py")
    assert code == 1  # one critical finding
    assert "app/inventory.py:" in out and ": critical: SQL injection" in out
    assert out.rstrip().endswith("1 critical, 3 warnings, 0 info")
    requests = len(fake_deepseek.requests_to(CHAT))
    code, out, _ = run(capsys, "app/inventory.py", "--fail-on", "warning")
    assert code == 1 and len(fake_deepseek.requests_to(CHAT)) == requests  # all from the cache
    assert "8 of 8 units from the cache" in out
    fake_deepseek.responder(reviewer(()), path=CHAT)
    assert run(capsys, "app/util.js", "--fail-on", "info")[0] == 0
    # The editor's engine sees the same store.
    settings, _ = build_settings(env={"DEEPSEEK_API_KEY": DEFAULT_KEY})
    text = (project / "app" / "inventory.py").read_text()
    doc = Document(
        "file:///elsewhere/inventory.py", text, language=LanguageRegistry.load().get("python")
    )
    findings, complete = ReviewEngine(ReviewCache.default()).cached_findings(doc, settings)
    assert complete and len(findings) == 4


def test_the_terminal_review_uses_the_symbol_table_an_editor_session_stored(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The terminal does not crawl the workspace (seconds of parsing before the first request),
    but where an editor session left its symbol table, the review sends what the editor's
    would: the signature of a member called on an attribute whose class is never imported.
    Files changed since the table was stored are not taken from it."""
    (project / "protocol").mkdir()
    (project / "protocol" / "rpc.py").write_text(
        "class JsonRPCProtocol:\n    def send_request_async(self, method: str) -> 'Future':\n        return self._send(method)\n"
    )
    (project / "lsp").mkdir()
    (project / "lsp" / "server.py").write_text(
        "class Server:\n    async def shutdown(self):\n        await self.protocol.send_request_async('shutdown')\n"
    )
    then = time.time() - 3600  # the store leaves out files written in the last two seconds
    for path in (project / "protocol" / "rpc.py", project / "lsp" / "server.py"):
        os.utime(path, (then, then))
    fake_deepseek.responder(reviewer(()), path=CHAT)
    signature = "def send_request_async(self, method: str) -> 'Future':  # rpc.py"

    def sent() -> str:
        return fake_deepseek.requests_to(CHAT)[-1].json["messages"][-1]["content"]

    assert run(capsys, "lsp/server.py", "--no-cache")[0] == 0
    assert signature not in sent()  # no store: nothing to look the member up in

    symbols = WorkspaceSymbols(LanguageRegistry.load())
    for path in symbols.plan([project.resolve()], DEFAULT_EXCLUDE, [project / "lsp" / "server.py"], "python"):
        symbols.add_file(path)
    SymbolStore(tmp_path / "state" / symbol_store.FOLDER).save([project.resolve()], "python", symbols.records, symbols.digests())
    assert run(capsys, "lsp/server.py", "--no-cache")[0] == 0
    assert signature in sent()

    (project / "protocol" / "rpc.py").write_text("class JsonRPCProtocol:\n    pass\n")
    assert run(capsys, "lsp/server.py", "--no-cache")[0] == 0
    assert "send_request_async(self" not in sent().partition("\n\nSignatures of definitions")[2]


def test_sarif_output_validates_against_the_sarif_schema(
    project: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "review.sarif"
    code, out, _ = run(capsys, "app", "--format", "sarif", "--output", str(target))
    assert code == 1 and out == ""
    log = json.loads(target.read_text())
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    (sarif_run,) = log["runs"]
    assert sarif_run["tool"]["driver"]["name"] == "deepseek-lsp"
    results = sarif_run["results"]
    assert len(results) == 4
    critical = next(r for r in results if r["level"] == "error")
    location = critical["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "app/inventory.py", "uriBaseId": "SRCROOT"}
    text = (project / "app" / "inventory.py").read_text().split("\n")
    region = location["region"]
    assert (
        text[region["startLine"] - 1][region["startColumn"] - 1 : region["endColumn"] - 1]
        == region["snippet"]["text"]
    )
    fixed = next(r for r in results if "fixes" in r)
    replacement = fixed["fixes"][0]["artifactChanges"][0]["replacements"][0]
    assert replacement["insertedContent"]["text"] in {
        "if row is None:",
        "if self.available(sku) >= count:",
    }
    assert sarif_run["originalUriBaseIds"]["SRCROOT"]["uri"] == project.resolve().as_uri() + "/"


def test_changed_reviews_only_what_git_diff_changed(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str]
) -> None:
    path = project / "app" / "inventory.py"
    path.write_text(
        path.read_text().replace(
            "        total += item.quantity", "        total += 1.0 * item.quantity"
        )
    )
    (project / "app" / "new.py").write_text("def added():\n    return eval(input())\n")
    fake_deepseek.responder(
        reviewer([*INVENTORY_RULES, Rule("eval(input())", "critical", "Runs user input as code.")]),
        path=CHAT,
    )
    code, out, _ = run(capsys, "--changed", "--format", "json")
    report = json.loads(out)
    units = sorted(u for r in fake_deepseek.requests_to(CHAT) for u in reviewed_units(r.json))
    assert units == ["added", "total_value"]
    files = {f["path"]: f for f in report["files"]}
    assert files["app/inventory.py"]["findings"] == [] and files["app/inventory.py"]["units"] == 1
    assert [f["message"] for f in files["app/new.py"]["findings"]] == ["Runs user input as code."]
    assert code == 1
    # Against an older base nothing in the working tree is left out.
    assert run(capsys, "--changed", "--base", "no-such-ref")[0] == 2


def test_changed_names_a_changed_submodule_instead_of_skipping_it_silently(
    project: Path, tmp_path: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str]
) -> None:
    """A submodule's change is a commit id in the superproject's diff: it was dropped without a
    word, and the user took the empty report for a clean review of their edits there."""
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "vendored.py").write_text("def helper(row):\n    return row\n")
    git(lib, "init", "-q", "-b", "main")
    git(lib, "-c", "user.email=t@example.com", "-c", "user.name=t", "add", "-A")
    git(lib, "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "lib")
    git(project, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(lib), "vendor/lib")
    git(project, "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "sub")
    (project / "vendor" / "lib" / "vendored.py").write_text("def helper(row):\n    if row == None:\n        return 0\n")
    code, out, err = run(capsys, "--changed", "--format", "json")
    assert code == 0, err
    assert fake_deepseek.requests_to(CHAT) == []
    assert json.loads(out)["files"] == []
    assert "vendor/lib is a submodule: its changes are not reviewed here" in err


def test_changed_reads_the_files_lines_whatever_textconv_driver_the_repository_sets(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str]
) -> None:
    """A ``.gitattributes`` textconv driver (here one that adds a three-line banner) shifted
    the diff's line numbers: the unit below the changed one was reviewed instead."""
    driver = project.parent / "banner.sh"
    driver.write_text('#!/bin/sh\nprintf "one\\ntwo\\nthree\\n"\ncat "$1"\n')
    driver.chmod(0o755)
    git(project, "config", "diff.banner.textconv", str(driver))
    (project / ".gitattributes").write_text("*.py diff=banner\n")
    path = project / "app" / "inventory.py"
    path.write_text(path.read_text().replace("        total += item.quantity", "        total += 1.0 * item.quantity"))
    fake_deepseek.responder(reviewer(INVENTORY_RULES), path=CHAT)
    run(capsys, "--changed", "app/inventory.py", "--format", "json")
    units = sorted(u for r in fake_deepseek.requests_to(CHAT) for u in reviewed_units(r.json))
    assert units == ["total_value"]


def test_changed_reviews_the_changed_lines_of_a_file_gitattributes_calls_binary(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str]
) -> None:
    """``*.py -diff`` (or ``binary``) in .gitattributes, as repositories mark generated or
    vendored code: git's diff said "Binary files differ" with no lines, and the changed
    function went unreviewed in a run that passed."""
    (project / ".gitattributes").write_text("*.py -diff\n")
    git(project, "add", ".gitattributes")
    git(project, "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "attrs")
    path = project / "app" / "inventory.py"
    path.write_text(path.read_text().replace("        total += item.quantity", "        total += 1.0 * item.quantity"))
    fake_deepseek.responder(reviewer(INVENTORY_RULES), path=CHAT)
    code, out, _ = run(capsys, "--changed", "--format", "json")
    assert code == 0
    units = sorted(u for r in fake_deepseek.requests_to(CHAT) for u in reviewed_units(r.json))
    assert units == ["total_value"]
    assert json.loads(out)["files"][0]["units"] == 1


def test_changed_sends_only_code_and_only_the_changed_lines_of_renamed_or_oddly_named_files(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str]
) -> None:
    body = "".join(f"def f{i}(x):\n    return x + {i}\n\n\n" for i in range(10))
    for name in ("a.py", "x1.py", "x[1].py"):
        (project / name).write_text(body)
    git(project, "add", "-A")
    git(project, "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "more")
    git(project, "mv", "a.py", "b.py")  # renamed, and one function changed
    (project / "b.py").write_text(body.replace("x + 9", "x - 9"))
    (project / "x[1].py").write_text(body.replace("x + 5", "x - 5"))  # "x[1].py" is no pattern
    (project / "app" / "README.txt").write_text("my plans for the launch\n")  # not code
    (project / "notes.csv").write_text("a,b\n1,2\n")  # new, not code
    fake_deepseek.responder(lambda body: '{"findings": []}', path=CHAT)
    code, out, _ = run(capsys, "--changed", "--format", "json")
    assert code == 0
    sent = sorted(u for r in fake_deepseek.requests_to(CHAT) for u in reviewed_units(r.json))
    assert sent == ["f5", "f9"]  # the whole renamed file, and x1.py's f5, were sent
    assert sorted(f["path"] for f in json.loads(out)["files"]) == ["b.py", "x[1].py"]
    # A file named on the command line is taken whatever it is.
    (project / "app" / "README.txt").write_text("my plans for the launch, v2\n")
    run(capsys, "--changed", "--format", "json", "app/README.txt")
    assert "launch, v2" in fake_deepseek.requests_to(CHAT)[-1].json["messages"][-1]["content"]


def test_changed_pairs_a_file_moved_without_git_mv_with_the_file_it_was(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str]
) -> None:
    """``mv a.py b.py`` (or an editor's rename), not told to git: ``--changed`` took b.py as a
    new file and sent all of it again, paid, where the editor's save pairs it as git would once
    both are added. Its changed function alone is sent now; the user's index is left as it was,
    and a file new for good is still sent whole."""
    body = "".join(f"def f{i}(x):\n    return x + {i}\n\n\n" for i in range(10))
    (project / "a.py").write_text(body)
    git(project, "add", "-A")
    git(project, "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "more")
    index = (project / ".git" / "index").read_bytes()
    (project / "a.py").rename(project / "b.py")
    (project / "b.py").write_text(body.replace("x + 9", "x - 9"))
    (project / "new.py").write_text("def g(y):\n    return y * 2\n")
    fake_deepseek.responder(lambda body: '{"findings": []}', path=CHAT)
    code, out, _ = run(capsys, "--changed", "--format", "json")
    assert code == 0
    sent = sorted(u for r in fake_deepseek.requests_to(CHAT) for u in reviewed_units(r.json))
    assert sent == ["f9", "g"]
    assert sorted(f["path"] for f in json.loads(out)["files"]) == ["b.py", "new.py"]
    assert (project / ".git" / "index").read_bytes() == index


@pytest.mark.parametrize("told", ["git mv", "mv"])
def test_changed_with_a_renamed_files_old_name_reviews_it_under_its_new_name(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str], told: str
) -> None:
    """``--changed a.py`` where the change renamed a.py to b.py and edited it (a list of the
    branch's files taken before the rename, the name the user knew): "a.py: deleted by the
    change, nothing to review", "0 files reviewed" and exit 0, the edited function never
    reviewed, a CI gate passed. It is reviewed under its new name, and said so."""
    body = "".join(f"def f{i}(x):\n    return x + {i}\n\n\n" for i in range(10))
    (project / "a.py").write_text(body)
    git(project, "add", "-A")
    git(project, "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "more")
    if told == "git mv":
        git(project, "mv", "a.py", "b.py")
    else:  # an editor's rename, not told to git
        (project / "a.py").rename(project / "b.py")
    (project / "b.py").write_text(body.replace("x + 9", "x - 9"))
    fake_deepseek.responder(lambda body: '{"findings": []}', path=CHAT)
    code, out, err = run(capsys, "--changed", "--format", "json", "a.py")
    assert code == 0
    assert "a.py: renamed to b.py by the change: reviewed as b.py" in err, err
    assert "deleted" not in err
    assert [f["path"] for f in json.loads(out)["files"]] == ["b.py"]
    assert sorted(u for r in fake_deepseek.requests_to(CHAT) for u in reviewed_units(r.json)) == ["f9"]
    # Named by both names (``git diff --name-only --no-renames``), it is reviewed once.
    code, out, err = run(capsys, "--changed", "--format", "json", "a.py", "b.py")
    assert code == 0 and [f["path"] for f in json.loads(out)["files"]] == ["b.py"], (out, err)


def test_configuration_and_backend_errors_exit_2(
    project: Path,
    fake_deepseek: FakeDeepSeek,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake_deepseek.fault("status", count=None, path=CHAT, status=401)
    code, _, err = run(capsys, "app/inventory.py")
    assert code == 2 and "401" in err
    fake_deepseek.reset()
    fake_deepseek.fault("blank", count=None, path=CHAT)
    code, out, err = run(capsys, "app/util.js")
    assert code == 2 and "blank" in out and "did not complete" in err
    assert run(capsys, "does/not/exist.py")[0] == 2
    monkeypatch.delenv("DEEPSEEK_API_KEY")
    code, _, err = run(capsys, "app")
    assert code == 2 and "DEEPSEEK_API_KEY" in err


def test_review_can_be_pointed_at_a_self_hosted_model(
    project: Path,
    fake_deepseek: FakeDeepSeek,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The CLI read only the key and URLs: a self-hosted server was asked for deepseek-v4-pro
    (404) and a key was demanded. A settings file or the environment now sets the rest."""
    monkeypatch.delenv("DEEPSEEK_API_KEY")
    fake_deepseek.api_key = None  # a local server without keys
    settings = project.parent / "review-settings.json"
    settings.write_text(json.dumps({"backend": "chat", "review": {"model": "qwen2.5-coder:32b"}}))
    code, _, err = run(capsys, "app/util.js", "--settings", str(settings), "--fail-on", "never")
    assert code == 0, err
    (request,) = fake_deepseek.requests_to(CHAT)
    assert request.json["model"] == "qwen2.5-coder:32b" and "thinking" not in request.json
    monkeypatch.setenv("DEEPSEEK_BACKEND", "chat")
    monkeypatch.setenv("DEEPSEEK_REVIEW_MODEL", "llama3.1:70b")
    code, _, err = run(capsys, "app/inventory.py", "--fail-on", "never")
    assert code == 0, err
    assert fake_deepseek.requests_to(CHAT)[-1].json["model"] == "llama3.1:70b"
    # A settings file that cannot be read is an error before any request.
    settings.write_text("{not json")
    code, _, err = run(capsys, "app", "--settings", str(settings))
    assert code == 2 and "not valid JSON" in err
    assert len(fake_deepseek.requests_to(CHAT)) >= 2


def test_a_report_that_cannot_be_written_is_an_error_found_before_any_request(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str]
) -> None:
    """It was exit 1, "findings found", with a traceback, after the review was paid for."""
    code, out, err = run(capsys, "app/util.js", "--format", "sarif", "-o", "reports/review.sarif")
    assert code == 2 and out == ""
    assert err.strip() == "deepseek-lsp review: cannot write reports/review.sarif: no folder 'reports'"
    assert fake_deepseek.requests_to(CHAT) == []
    code, _, err = run(capsys, "app/util.js", "-o", "app")
    assert code == 2 and "it is a folder" in err


def test_an_unexpected_error_exits_2_with_one_line(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> str:
        raise RuntimeError("report went wrong")

    monkeypatch.setattr("deepseek_lsp.review.cli._render", broken)
    code, _, err = run(capsys, "app/util.js", "--fail-on", "never")
    assert code == 2  # not 1, which CI reads as "findings found"
    assert err.strip() == "deepseek-lsp review: unexpected error: RuntimeError: report went wrong"


def test_a_file_name_that_is_not_utf8_is_reviewed(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str]
) -> None:
    """A Latin-1 name (an old archive) crashed the review: git's output was read as strict UTF-8."""
    name = os.fsdecode(b"caf\xe9.py")
    (project / name).write_text("def g(y):\n    if row == None:\n        return 2\n")
    for args in ([".", "--format", "json"], ["--changed", "--format", "json"]):
        code, out, err = run(capsys, *args, "--fail-on", "never")
        assert code == 0, err
        files = {f["path"]: f for f in json.loads(out)["files"]}
        assert [f["code"] for f in files[name]["findings"]] == ["if row == None:"]
    code, out, _ = run(capsys, name, "--fail-on", "never")  # the text report on a strict stream
    assert code == 0 and "caf\ufffd.py:2:5: warning: Compare with None" in out


def test_changed_in_a_repository_without_commits_reviews_every_file(
    tmp_path: Path,
    fake_deepseek: FakeDeepSeek,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """It exited 2: "git diff against 'HEAD' failed: fatal: bad revision 'HEAD'"."""
    root = tmp_path / "fresh"
    root.mkdir()
    git(root, "init", "-q")
    (root / "staged.py").write_text("def f(x):\n    if row == None:\n        return 1\n")
    (root / "untracked.py").write_text("def g(x):\n    if row == None:\n        return 2\n")
    git(root, "add", "staged.py")
    monkeypatch.chdir(root)
    use_fake(monkeypatch, fake_deepseek, tmp_path / "state")
    fake_deepseek.responder(reviewer(INVENTORY_RULES), path=CHAT)
    code, out, err = run(capsys, "--changed", "--format", "json")
    assert code == 0, err  # warnings only, below --fail-on critical
    files = {f["path"]: len(f["findings"]) for f in json.loads(out)["files"]}
    assert files == {"staged.py": 1, "untracked.py": 1}


def test_progress_bar_only_on_a_terminal() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    result = FileResult("app/x.py", Document("file:///x.py", ""))
    tty, pipe = Tty(), io.StringIO()
    for stream in (tty, pipe):
        bar = _Bar(2, stream)
        bar.update(result)
        bar.close()
    assert "[############------------] 1/2 files" in tty.getvalue()
    assert pipe.getvalue() == ""


def notebook_json(cells: list[tuple[str, str]], language: str = "python") -> str:
    """An nbformat 4 file as Jupyter writes it (sources as lists of lines, outputs kept), for a
    kernel of ``language`` as the kernel names it."""
    return json.dumps(
        {
            "cells": [
                {
                    "cell_type": kind,
                    "metadata": {},
                    "source": text.splitlines(keepends=True),
                    **({"execution_count": 1, "outputs": [{"output_type": "stream", "name": "stdout", "text": ["if row == None:\n"]}]} if kind == "code" else {}),
                }
                for kind, text in cells
            ],
            "metadata": {"kernelspec": {"name": f"{language}-kernel", "language": language, "display_name": language}},
            "nbformat": 4,
            "nbformat_minor": 5,
        },
        indent=1,
    )


def test_a_notebook_is_reviewed_as_its_cells_with_findings_by_cell(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    cell3 = "def find(db, sku):\n    row = db.get(sku)\n    if row == None:\n        return 0\n    return row\n"
    (project / "nb").mkdir()
    (project / "nb" / "analysis.ipynb").write_text(
        notebook_json([("markdown", "# Stock\nLook up *items*"), ("code", "import sqlite3"), ("code", cell3)])
    )
    (project / "nb" / "broken.ipynb").write_text("{ not json")
    code, out, _ = run(capsys, "nb", "--format", "json", "--fail-on", "never")
    assert code == 0
    files = {f["path"]: f for f in json.loads(out)["files"]}
    assert files["nb/broken.ipynb"]["skipped"].startswith("not a Jupyter notebook")
    (finding,) = files["nb/analysis.ipynb"]["findings"]
    # Where the user sees it: the third cell (the markdown one counts), its own third line.
    assert (finding["cell"], finding["line"], finding["column"]) == (3, 3, 5)
    assert cell3.split("\n")[finding["line"] - 1][finding["column"] - 1 :].startswith("if row == None:")
    sent = "\n".join(r.json["messages"][-1]["content"] for r in fake_deepseek.requests_to(CHAT))
    assert "File: nb/analysis.ipynb" in sent and "# Look up *items*" in sent
    assert '"outputs"' not in sent and "execution_count" not in sent  # the cells, not the JSON

    code, out, _ = run(capsys, "nb/analysis.ipynb", "--fail-on", "warning")
    assert code == 1 and "nb/analysis.ipynb:cell 3:3:5: warning: Compare with None" in out

    target = tmp_path / "nb.sarif"
    run(capsys, "nb/analysis.ipynb", "--format", "sarif", "--output", str(target))
    log = json.loads(target.read_text())
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    (result,) = log["runs"][0]["results"]
    # A region would be a line of the JSON file: the cell and its lines are in the properties.
    assert "region" not in result["locations"][0]["physicalLocation"] and "fixes" not in result
    assert result["properties"]["cell"] == 3
    assert result["properties"]["cellRegion"]["startLine"] == 3
    assert result["message"]["text"].startswith("Cell 3, line 3: Compare with None")


def test_a_notebook_in_a_kernels_language_is_reviewed_in_the_editors_language(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str]
) -> None:
    """.NET Interactive's kernels name their language "C#" (VS Code's cells are "csharp"):
    reviewed without a grammar, each cell under a "#" line, a C# directive."""
    cells = [("markdown", "Look up *items*"), ("code", "var rows = Load();\nConsole.WriteLine(rows.Count);")]
    (project / "stock.ipynb").write_text(notebook_json(cells, language="C#"))
    code, out, _ = run(capsys, "stock.ipynb", "--format", "json", "--fail-on", "never")
    assert code == 0 and json.loads(out)["files"][0]["skipped"] is None
    sent = "\n".join(r.json["messages"][-1]["content"] for r in fake_deepseek.requests_to(CHAT))
    assert "Language: csharp" in sent and "// Look up *items*" in sent and "# Look up" not in sent


def test_changed_reviews_a_changed_notebook_whole(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str]
) -> None:
    path = project / "analysis.ipynb"
    cells = [("code", "import sqlite3"), ("code", "def find(db, sku):\n    if row == None:\n        return 0\n")]
    path.write_text(notebook_json(cells))
    git(project, "add", "-A")
    git(project, "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "nb")
    assert json.loads(run(capsys, "--changed", "--format", "json")[1])["files"] == []
    # Its git diff is of JSON lines (outputs too): the notebook is reviewed whole.
    path.write_text(notebook_json([("code", "import sqlite3\nimport json"), cells[1]]))
    code, out, _ = run(capsys, "--changed", "--format", "json", "--fail-on", "never")
    assert code == 0
    (report,) = json.loads(out)["files"]
    assert report["path"] == "analysis.ipynb" and report["units"] >= 2
    (finding,) = report["findings"]
    assert (finding["cell"], finding["line"]) == (2, 2)


def test_half_an_emoji_in_a_message_does_not_lose_the_text_report(
    tmp_path: Path, fake_deepseek: FakeDeepSeek, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A model answer with a broken ``\\ud83d`` escape: the text report failed with "unexpected
    error: UnicodeEncodeError" and exit 2, after the review was paid for."""
    root = tmp_path / "proj"
    root.mkdir()
    (root / "m.py").write_text("def f(row):\n    if row == None:\n        return 0\n    return row\n")
    git(root, "init", "-q")
    monkeypatch.chdir(root)
    use_fake(monkeypatch, fake_deepseek, tmp_path / "state")
    answer = (
        '{"findings": [{"severity": "warning", "line": 2, "code": "if row == None:", '
        '"message": "Compare with None using is \\ud83d", "suggestion": "if row is None:", '
        '"confidence": 0.9}], "summary": "ok"}'
    )
    fake_deepseek.responder(lambda body: answer, path=CHAT)
    code, out, err = run(capsys, "m.py", "--fail-on", "never")
    assert code == 0, err
    assert "m.py:2:" in out and "Compare with None using is" in out


def test_a_folder_outside_any_repository_still_follows_its_gitignore(
    tmp_path: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unpacked release or a copied project has its ``.gitignore`` but no repository: its
    build output (``build/``, a generated module) was reviewed and paid for."""
    root = tmp_path / "release-1.0"
    (root / "app").mkdir(parents=True)
    shutil.copy(DATA / "inventory.py", root / "app" / "inventory.py")
    for ignored in ("build/lib/app/inventory.py", "app/generated_pb2.py"):
        (root / ignored).parent.mkdir(parents=True, exist_ok=True)
        (root / ignored).write_text("def f():\n    if row == None:\n        pass\n")
    (root / ".gitignore").write_text("build/\n*_pb2.py\n")
    monkeypatch.chdir(root)
    use_fake(monkeypatch, fake_deepseek, tmp_path / "state")
    fake_deepseek.responder(reviewer(INVENTORY_RULES, line_offset=3), path=CHAT)
    code, out, _ = run(capsys, ".", "--format", "json", "--fail-on", "never")
    assert code == 0
    assert {f["path"] for f in json.loads(out)["files"]} == {"app/inventory.py"}
    sent = "\n".join(r.json["messages"][-1]["content"] for r in fake_deepseek.requests_to(CHAT))
    assert "File: app/inventory.py" in sent and "build/" not in sent and "_pb2" not in sent


def test_github_format_annotates_the_lines_of_the_pull_request(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--format github`` prints workflow commands the Actions runner turns into annotations on
    the diff, at the finding's line, with paths from the repository's root (run here from a
    subfolder); no code scanning (SARIF upload) needed."""
    code, out, _ = run(capsys, "app/inventory.py", "--format", "json", "--fail-on", "never")
    findings = json.loads(out)["files"][0]["findings"]
    monkeypatch.chdir(project / "app")
    code, out, _ = run(capsys, "inventory.py", "--format", "github")
    assert code == 1  # the critical finding, as with any format
    commands = [line for line in out.splitlines() if line.startswith("::")]
    assert len(commands) == len(findings) == 4
    kinds = {"critical": "error", "warning": "warning", "info": "notice"}
    for f in findings:
        head = (
            f"::{kinds[f['severity']]} file=app/inventory.py,line={f['line']},col={f['column']},"
            f"endLine={f['endLine']},endColumn={f['endColumn']},title=DeepSeek review%3A {f['severity']} [{f['id']}]::"
        )
        command = next(c for c in commands if c.startswith(head))
        message = command[len(head):]
        assert "\n" not in message and message.startswith(f["message"].replace("%", "%25").replace("\n", "%0A"))
        if f["suggestion"]:
            assert "%0ASuggested fix:%0A" in message
    # Answered by the cache of the JSON run: what the run cost, said as the text report says it.
    assert out.splitlines()[-1] == "1 file reviewed, no request made: 1 critical, 3 warnings, 0 info"


@pytest.mark.parametrize("reason", ["eos_token", "eos", "stop_sequence"])
def test_a_server_naming_its_natural_stop_otherwise_completes_the_review(
    project: Path,
    fake_deepseek: FakeDeepSeek,
    capsys: pytest.CaptureFixture[str],
    reason: str,
) -> None:
    """Hugging Face's text-generation-inference (before 2.2, still deployed) ends an answer with
    ``eos_token`` or ``stop_sequence``, Together with ``eos``: each review was "incomplete"
    (exit 2, never passing in CI), nothing was cached, and every run paid for it again."""
    fake_deepseek.fault("finish", count=None, path=CHAT, reason=reason)
    code, out, err = run(capsys, "app/inventory.py", "--fail-on", "never")
    assert code == 0, out + err
    assert "incomplete" not in out + err
    sent = len(fake_deepseek.requests_to(CHAT))
    code, _, err = run(capsys, "app/inventory.py", "--fail-on", "never")
    assert code == 0, err
    assert len(fake_deepseek.requests_to(CHAT)) == sent  # answered from the cache


def test_files_with_the_same_text_are_sent_once_and_each_reported_on_its_own_lines(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str]
) -> None:
    """A module copied into another folder (a vendored copy, a template): reviewed side by side
    (``--jobs``), each file sent its own request for the same units, paid twice, where the
    editor's reviews of the two share one."""
    (project / "lib").mkdir()
    shutil.copy(project / "app" / "inventory.py", project / "lib" / "inventory.py")
    code, out, _ = run(capsys, "app/inventory.py", "lib/inventory.py", "--format", "json", "--fail-on", "never")
    assert code == 0
    files = {f["path"]: f for f in json.loads(out)["files"]}
    assert len(fake_deepseek.requests_to(CHAT)) == 1
    text = (project / "app" / "inventory.py").read_text().split("\n")
    where = {}
    for path in ("app/inventory.py", "lib/inventory.py"):
        found = files[path]["findings"]
        assert len(found) == 4
        for f in found:
            assert text[f["line"] - 1][f["column"] - 1 :].startswith(f["code"])
        where[path] = sorted((f["line"], f["column"], f["id"]) for f in found)
    assert where["app/inventory.py"] == where["lib/inventory.py"]


def test_files_sharing_a_request_count_its_units_sent_once(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two copies of a module share one request: each file's ``unitsSent`` counted its 8 units,
    16 sent in all where 8 went. The request's units are the sender's; the other file's are
    ``unitsShared``, and the closing line says so."""
    (project / "lib").mkdir()
    shutil.copy(project / "app" / "inventory.py", project / "lib" / "inventory.py")
    code, out, _ = run(capsys, "app/inventory.py", "lib/inventory.py", "--format", "json", "--fail-on", "never")
    assert code == 0
    files = json.loads(out)["files"]
    assert len(fake_deepseek.requests_to(CHAT)) == 1
    assert sorted((f["unitsSent"], f["unitsShared"]) for f in files) == [(0, 8), (8, 0)]
    (project / "app" / "inventory.py").write_text((project / "app" / "inventory.py").read_text() + "\n\nZ = 1\n")
    shutil.copy(project / "app" / "inventory.py", project / "lib" / "inventory.py")
    code, out, _ = run(capsys, "app/inventory.py", "lib/inventory.py", "--fail-on", "never")
    assert "1 unit answered by another file's request" in out.splitlines()[-1], out


def test_a_copy_reviewed_after_its_twin_counts_its_units_shared_as_side_by_side(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str]
) -> None:
    """The other interleaving: the copy looked in the cache after its twin's request had
    answered (one file at a time, or a loaded host), and its 8 units read as the cache's
    ("0 of 16 units from the cache" one run, "8 of 16" the next, for the same request). The
    answer of a request of this run is that request's, as it is without the cache."""
    (project / "lib").mkdir()
    shutil.copy(project / "app" / "inventory.py", project / "lib" / "inventory.py")
    code, out, _ = run(capsys, "app/inventory.py", "lib/inventory.py", "--jobs", "1", "--format", "json", "--fail-on", "never")
    assert code == 0
    assert len(fake_deepseek.requests_to(CHAT)) == 1
    files = json.loads(out)["files"]
    assert [len(f["findings"]) for f in files] == [4, 4]
    assert sorted((f["unitsSent"], f["unitsShared"]) for f in files) == [(0, 8), (8, 0)]
    # A later run's answers from the cache are the cache's.
    code, out, _ = run(capsys, "app/inventory.py", "lib/inventory.py", "--jobs", "1", "--fail-on", "never")
    assert len(fake_deepseek.requests_to(CHAT)) == 1
    assert "16 of 16 units from the cache, no request made" in out.splitlines()[-1], out


def test_a_copy_whose_request_ended_while_it_got_ready_is_not_sent_again(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The interleaving seen once under load: the copy found no answer in the cache, and by the
    time it looked for its twin's request (after asking the server for its room) that request
    had ended and left the table of those under way: it sent the same 8 units again, paid
    twice. Forced here: the copy's look at the room ends only once its twin's request has."""
    (project / "lib").mkdir()
    shutil.copy(project / "app" / "inventory.py", project / "lib" / "inventory.py")
    real_room, real_drop = engine_module._review_room, ReviewEngine._drop
    second_ready, first_over = asyncio.Event(), asyncio.Event()
    rooms = 0

    async def room(client: Any, settings: Any) -> Any:
        nonlocal rooms
        rooms += 1
        first = rooms == 1
        answer = await real_room(client, settings)
        if first:
            # Both files have looked in the cache (and missed) before the first sends.
            await asyncio.wait_for(second_ready.wait(), 10)
        else:
            second_ready.set()
            await asyncio.wait_for(first_over.wait(), 10)
        return answer

    def drop(self: ReviewEngine, flight: Any) -> None:
        real_drop(self, flight)
        first_over.set()

    monkeypatch.setattr(engine_module, "_review_room", room)
    monkeypatch.setattr(ReviewEngine, "_drop", drop)
    code, out, _ = run(capsys, "app/inventory.py", "lib/inventory.py", "--format", "json", "--fail-on", "never")
    assert code == 0
    assert rooms == 2
    assert len(fake_deepseek.requests_to(CHAT)) == 1
    files = json.loads(out)["files"]
    assert [len(f["findings"]) for f in files] == [4, 4]
    assert sorted((f["unitsSent"], f["unitsShared"]) for f in files) == [(0, 8), (8, 0)]


@pytest.mark.parametrize("jobs", ["1", "4"])
def test_a_run_without_the_cache_still_sends_the_same_code_once(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str], jobs: str
) -> None:
    """``--no-cache`` leaves out what earlier runs stored, not what this run's own requests
    answered: two copies of a module sent 2 requests, paid twice for the same answer (side by
    side or one after the other). A second such run asks again."""
    (project / "lib").mkdir()
    shutil.copy(project / "app" / "inventory.py", project / "lib" / "inventory.py")
    for runs in (1, 2):
        code, out, _ = run(
            capsys, "app/inventory.py", "lib/inventory.py", "--no-cache", "--jobs", jobs, "--format", "json", "--fail-on", "never"
        )
        assert code == 0
        assert len(fake_deepseek.requests_to(CHAT)) == runs
        files = json.loads(out)["files"]
        assert [len(f["findings"]) for f in files] == [4, 4]
        assert sorted((f["unitsSent"], f["unitsShared"]) for f in files) == [(0, 8), (8, 0)]
