"""The recall benchmarks' offline replay (tests/bench/bench_names_order.py) picks the snippets the
server sends: it replayed ``gather_snippets`` with a request of its own, without the workspace's
symbol table, and of 641 needs 33 were in the prompts served and not in the replay (email's and
pygls's members of classes the file never imports), 43 the reverse."""

from __future__ import annotations

import re
from pathlib import Path

from deepseek_lsp.completion.prompting import cursor_names
from deepseek_lsp.context import Indexer, enclosing_scopes
from deepseek_lsp.documents import DocumentStore
from tests.bench.bench_names_order import sent
from tests.bench.recall.analyze import REGISTRY
from tests.test_completion_units import prompt_after_crawl

FILES = {
    "lib/conn.py": "class Connection:\n    def send_frame(self, frame: bytes, *, flush: bool = True) -> int:\n        return 0\n",
    "lib/codec.py": "def encode_frame(payload: dict) -> bytes:\n    return b''\n",
    # The protocol's connection is set elsewhere: the file never imports its class.
    "app/proto.py": (
        "from lib.codec import encode_frame\n\n\nclass Protocol:\n    def push(self, payload):\n"
        "        frame = encode_frame(payload)\n        self.conn.send_frame("
    ),
}


def _definitions(text: str) -> list[str]:
    return sorted(set(re.findall(r"def (\w+)\(", text)))


async def test_the_replay_sends_what_the_server_sends(tmp_path: Path) -> None:
    for rel, text in FILES.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    main = tmp_path / "app" / "proto.py"
    text = FILES["app/proto.py"]
    prompt = await prompt_after_crawl(tmp_path, main, text)
    served = _definitions(prompt[: prompt.index("# Path: app/proto.py")])
    assert served == ["encode_frame", "send_frame"]  # the symbol table's member too

    store = DocumentStore(REGISTRY)
    replayed_doc = store.open(main.as_uri(), text, "python", 1)
    assert replayed_doc.language is not None and replayed_doc.tree is not None
    offset = len(replayed_doc.data)
    scopes = enclosing_scopes(replayed_doc.language, replayed_doc.tree, replayed_doc.data, offset)
    names = cursor_names(replayed_doc, offset, scopes)
    texts = sent(replayed_doc, offset, tmp_path, store, Indexer(REGISTRY), names)
    assert _definitions("\n".join(texts)) == served
