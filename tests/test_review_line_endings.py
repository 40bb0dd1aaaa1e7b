"""Reviews of files whose bytes are not what a Unix editor writes: CRLF without a final newline,
a stray carriage return, a UTF-8 byte order mark (both the editor and the terminal review them)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from deepseek_lsp.config import build_settings
from deepseek_lsp.documents import Document
from deepseek_lsp.languages import LanguageRegistry
from deepseek_lsp.model import ModelClient
from deepseek_lsp.review.cache import ReviewCache
from deepseek_lsp.review.engine import ReviewEngine
from deepseek_lsp.review.fixes import adapt_fix
from deepseek_lsp.review.placing import Placer
from deepseek_lsp.review.units import extract_units
from deepseek_lsp.usage_feature import endpoint_config, make_ledger
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.review_support import Rule, reviewed_units, reviewer, user_prompt
from tests.test_review_cli import CHAT, git, run, use_fake

PYTHON = LanguageRegistry.load().get("python")


def python_doc(text: str) -> Document:
    return Document("file:///w/mod.py", text, language=PYTHON)


def commit(root: Path) -> None:
    git(root, "add", "-A")
    git(root, "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "work")


def test_a_multi_line_fix_on_the_last_line_of_a_crlf_file_uses_crlf() -> None:
    """A CRLF file saved without a final newline (VS Code's default on Windows), its finding on
    the last line: the fix's line breaks were bare LFs, and applying it mixed line endings."""
    doc = python_doc("def load(data):\r\n    return eval(data)")
    excerpt = "return eval(data)"
    start, end = Placer(doc).place(excerpt)
    fix = adapt_fix(doc, start, end, excerpt, "import ast\nreturn ast.literal_eval(data)")
    assert fix == "import ast\r\n    return ast.literal_eval(data)"


def test_a_stray_carriage_return_does_not_move_the_units_lines() -> None:
    """A lone "\\r" (a line break to LSP and to the prompt's line numbers, not to tree-sitter):
    every function below it was cut one line early, sent as a blank line and its header, its
    body reviewed as module-level code."""
    text = "# exported from an old Mac\rtool\n\ndef load(data):\n    return eval(data)\n"
    units = {u.name: u.text for u in extract_units(python_doc(text)).units}
    assert units["load"] == "def load(data):\n    return eval(data)"
    assert "eval" not in units["module level"]


def test_changed_reviews_the_changed_lines_below_a_stray_carriage_return(
    tmp_path: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """git numbers lines by "\\n" alone: below a lone "\\r" the function whose first line
    changed was not reviewed at all, or shown to the model as its header and a blank line,
    and the run passed."""
    root = tmp_path / "repo"
    root.mkdir()
    body = "# exported from an old Mac\rtool\n\n\n" + "".join(
        f"def f{i}(x):\n    return x + {i}\n\n\n" for i in range(6)
    )
    (root / "mod.py").write_bytes(body.encode())
    git(root, "init", "-q", "-b", "main")
    commit(root)
    (root / "mod.py").write_bytes(body.replace("def f4(x):", "def f4(x=eval('1')):").encode())
    monkeypatch.chdir(root)
    use_fake(monkeypatch, fake_deepseek, tmp_path / "state")
    fake_deepseek.responder(reviewer([Rule("eval('1')", "critical", "Runs code.")]), path=CHAT)
    code, out, err = run(capsys, "--changed", "--format", "json")
    requests = fake_deepseek.requests_to(CHAT)
    assert [u for r in requests for u in reviewed_units(r.json)] == ["f4"]
    assert "| def f4(x=eval('1')):\n" in user_prompt(requests[0].json)
    findings = json.loads(out)["files"][0]["findings"]
    assert [f["message"] for f in findings] == ["Runs code."]
    assert code == 1, err


def test_a_byte_order_mark_is_not_part_of_the_reviewed_text(
    tmp_path: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file saved with a UTF-8 BOM (Visual Studio's C#, many Windows tools), which editors
    hide: the terminal reviewed it with the mark as a first character. A finding on the first
    line was a column further than the editor shows it, and the first unit, reviewed by the
    editor already, was sent and paid for again."""
    code_text = "import pickle\n\n\ndef load(blob):\n    return pickle.loads(blob)\n"
    (tmp_path / "mod.py").write_bytes(b"\xef\xbb\xbf" + code_text.encode())
    monkeypatch.chdir(tmp_path)
    use_fake(monkeypatch, fake_deepseek, tmp_path / "state")
    fake_deepseek.responder(reviewer([Rule("import pickle", "warning", "Unsafe deserializer.")]), path=CHAT)
    # The editor's review of the file as the editor has it (no mark).
    settings, _ = build_settings(env={"DEEPSEEK_API_KEY": DEFAULT_KEY, "DEEPSEEK_BASE_URL": fake_deepseek.url})
    doc = Document((tmp_path / "mod.py").as_uri(), code_text, language=PYTHON)

    async def editor_review() -> None:
        cache, ledger = ReviewCache.default(), make_ledger(settings)
        try:
            async with ModelClient(endpoint_config(settings), ledger) as client:
                outcome = await ReviewEngine(cache).review(client, doc, settings)
        finally:
            cache.close()
            ledger.close()
        assert outcome.units_asked == 2 and not outcome.errors

    asyncio.run(editor_review())
    sent = len(fake_deepseek.requests_to(CHAT))
    code, out, err = run(capsys, "mod.py", "--format", "json")
    assert code == 0, err
    report = json.loads(out)["files"][0]
    assert len(fake_deepseek.requests_to(CHAT)) == sent and report["unitsSent"] == 0
    assert [(f["line"], f["column"]) for f in report["findings"]] == [(1, 1)]
