"""Recent edits and reloads from disk (completion/history.py), without a server: the order in
which a server behind by a moment reads an edit and the file the editor then saved."""

from __future__ import annotations

import os
import time
from pathlib import Path

from lsprotocol import types

from deepseek_lsp.completion.history import EditHistory
from deepseek_lsp.documents import Document, DocumentStore, Edit
from tests.completing import REGISTRY

TEXT = "def f(x):\n    return x\n"
EDITED = "def f(x):\n    retries = 3\n    return x\n"


def _edited(store: DocumentStore, uri: str) -> tuple[Document, list[Edit]]:
    doc = store.get(uri)
    assert doc is not None
    pos = types.Position(1, 0)
    change = types.TextDocumentContentChangePartial(range=types.Range(pos, pos), text="    retries = 3\n")
    doc = store.change(uri, doc.version + 1, [change])
    return doc, [Edit(start_byte=10, old_end_byte=10, new_end_byte=26)]


def _edit_read_after_the_disk_had_it(tmp_path: Path) -> tuple[EditHistory, str]:
    """A file opened, then the disk written with the edited text (the editor's save, or a git
    checkout the editor reloads), then the change to that text read: the history and its URI."""
    path = tmp_path / "a.py"
    path.write_text(TEXT)
    uri = path.as_uri()
    store = DocumentStore(REGISTRY)
    history = EditHistory()
    history.document_opened(store.open(uri, TEXT, "python", 1))
    time.sleep(0.01)
    path.write_text(EDITED)
    os.utime(path, ns=(time.time_ns(), time.time_ns()))
    doc, applied = _edited(store, uri)
    history.record(doc, applied)
    return history, uri


def test_an_edit_read_after_the_editor_saved_it_is_the_users_once_the_save_comes(tmp_path: Path) -> None:
    """A paste, then a save at once: the editor wrote the file before the server read the
    paste, whose text was then the disk's, written after the open: read as a reload from disk,
    and the paste was gone from the recent edits (tests/test_context_other_files.py failed so
    about one run in two). The save that follows says it was the user's."""
    history, uri = _edit_read_after_the_disk_had_it(tmp_path)
    assert [u for u, _ in history.edits] == []  # read as a reload, for now
    history.document_saved(uri)
    assert [u for u, _ in history.edits] == [uri]


def test_a_reload_from_disk_followed_by_no_save_stays_no_edit(tmp_path: Path) -> None:
    history, _ = _edit_read_after_the_disk_had_it(tmp_path)  # a git checkout; the editor reloads
    other = (tmp_path / "b.py").as_uri()
    history.document_saved(other)
    assert [u for u, _ in history.edits] == []
