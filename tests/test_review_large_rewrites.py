"""A large file rewritten all over (a formatter run, a rename done with sed, ``git checkout`` of
another branch) while it is open: the lines a save deleted and the findings followed through a
reload are still found by comparing the two texts line by line, and that comparison costs a
fraction of a second, not minutes. difflib's, over a 2,000-line module whose every function a
formatter touched, took 8.6 s of CPU at each save, and 128 s to follow the findings through the
reload of a 5,000-line one (on a worker thread: it held the interpreter the completions run in)."""

from __future__ import annotations

import time

from deepseek_lsp.documents import Document
from deepseek_lsp.review.reanchored import line_edits
from deepseek_lsp.review.removed import removals
from tests.review_support import doc_of

#: The CPU a comparison may take here: well above what it takes (~0.1 s), far below difflib's.
CPU_LIMIT_S = 2.0


def module(functions: int, assigned: str = "x") -> str:
    return "".join(
        f"def handler_{i}(request):\n    {assigned} = request.get({i})\n    return {assigned} + {i * 7}\n\n\n"
        for i in range(functions)
    )


def test_a_save_after_a_rewrite_of_every_function_still_shows_the_line_it_deleted() -> None:
    before = module(400)
    # Every function's variable renamed (each one's two lines replaced), and one check deleted.
    after = module(400, assigned="value").replace("    value = request.get(123)\n", "")
    started = time.process_time()
    found = removals(before, doc_of(after, "handlers.py"))
    spent = time.process_time() - started
    assert [(r.name, r.lines) for r in found] == [("handler_123", ("    x = request.get(123)",))], found
    assert spent < CPU_LIMIT_S, f"{spent:.2f} s of CPU"


def test_findings_are_followed_through_a_reload_that_rewrote_every_function() -> None:
    old = module(500).encode()
    new = module(500, assigned="value").encode()
    started = time.process_time()
    edits = line_edits(old, new)
    spent = time.process_time() - started
    # Each function's two changed lines, one edit each; the rest (def, blank lines) kept.
    assert len(edits) == 500, len(edits)
    for edit in edits:
        assert old[edit.start_byte : edit.old_end_byte].startswith(b"    x = request.get("), edit
    assert spent < CPU_LIMIT_S, f"{spent:.2f} s of CPU"


def test_a_reload_of_a_few_lines_is_followed_as_before() -> None:
    old = module(50).encode()
    new = module(50).replace("    x = request.get(7)\n", "    x = request.get(7) or {}\n").encode()
    [edit] = line_edits(old, new)
    start = old.index(b"    x = request.get(7)\n")
    assert (edit.start_byte, edit.old_end_byte) == (start, start + len(b"    x = request.get(7)\n"))
    assert Document("file:///m.py", new.decode()).data[start : edit.new_end_byte] == b"    x = request.get(7) or {}\n"
