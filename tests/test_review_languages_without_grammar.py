"""Code in a language the server has no grammar for (Haskell, OCaml, Zig, R, Julia, Dart, Vue
and Svelte components...) is reviewed on save in chunks, and ``deepseek-lsp review DIR`` picks
such files too. Only the grammar's languages were: a save of a Haskell module sent nothing and
said nothing, which read as a clean review (9 of 9 saves in Neovim across eight languages)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types

from deepseek_lsp.review.targets import walk
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import eventually, lsp_session, open_doc, server_env
from tests.review_support import Rule, reviewer
from tests.test_workspace_symbols import REGISTRY

CHAT = "/chat/completions"
REVIEW_SETTINGS: dict[str, Any] = {"review": {"mode": "onSave", "maxRetries": 1}}

#: (file name, Neovim's filetype / VS Code's language id, code, a line's text the finding is on)
CODE = [
    ("Queue.hs", "haskell", "size :: Queue a -> Int\nsize q = length (toList q)\n", "length (toList q)"),
    ("lexer.ml", "ocaml", "let rec count n =\n  if n = 0 then 0 else 1 + count (n - 1)\n", "1 + count (n - 1)"),
    ("ring.zig", "zig", "pub fn pop(self: *Self) ?T {\n    self.len -= 1;\n    return null;\n}\n", "self.len -= 1;"),
    ("stats.R", "r", "total <- function(x) {\n  sum(x, na.rm = FALSE)\n}\n", "na.rm = FALSE"),
    ("Counter.vue", "vue", "<script setup>\nconst count = ref(0)\nfunction reset() { count = 0 }\n</script>\n", "count = 0"),
]


@pytest.mark.parametrize(("name", "language", "code", "needle"), CODE)
async def test_a_save_of_code_without_a_grammar_is_reviewed(tmp_path: Path, name: str, language: str, code: str, needle: str) -> None:
    uri = (tmp_path / name).as_uri()
    with FakeDeepSeek() as fake:
        fake.responder(reviewer([Rule(needle, message="Check this line.")]), path=CHAT)
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path / "state"))
        async with lsp_session(env, settings=REVIEW_SETTINGS, root=str(tmp_path)) as client:
            open_doc(client, uri, code, language)
            client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
            assert await eventually(lambda: bool(client.diagnostics.get(uri)), timeout=15)
            [finding] = client.diagnostics[uri]
            assert finding.message.startswith("Check this line.")
            assert code.split("\n")[finding.range.start.line].find(needle) >= 0


def test_a_folder_review_picks_code_without_a_grammar_not_notes(tmp_path: Path) -> None:
    for name, _, code, _ in CODE:
        (tmp_path / name).write_text(code)
    (tmp_path / "README.md").write_text("# Notes\n")
    (tmp_path / "data.csv").write_text("a,b\n1,2\n")
    picked = sorted(p.name for p in walk([tmp_path], REGISTRY))
    assert picked == sorted(name for name, *_ in CODE)
