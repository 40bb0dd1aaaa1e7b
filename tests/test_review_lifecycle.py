"""Code review around a save: findings a review could not redo stay where they are (a failed
request, or a setting changed after the user edited a function, said nothing new about that
code), and saving again with nothing changed lets the review under way finish. Mostly the
review feature on its own (see test_review_after_edits.py); one test runs the real server."""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import attrs
import pytest
from lsprotocol import types

from deepseek_lsp.review.cache import ReviewCache
from tests.fake_deepseek import FakeDeepSeek, _BadRequest
from tests.harness import eventually, lsp_session, open_doc
from tests.review_support import ReviewFeatureSession, Rule, reviewer
from tests.test_review_after_edits import CHAT, Editor
from tests.test_review_lsp import ROW_DOC, ROW_RULES, SETTINGS, env, reviewed, save

ROW = Rule("if row == None:", "warning", "Compare with None using 'is'.", "if row is None:", 0.7)
TWO = (
    "def first(row):\n    if row == None:\n        return 1\n    return 2\n\n\n"
    "def second(row):\n    if row == None:\n        return 3\n    return 4\n"
)

pytestmark = pytest.mark.usefixtures("state_dir")


def no_retries(editor: Editor) -> None:
    s = editor.services.settings
    editor.services.settings = replace(s, review=replace(s.review, max_retries=0))


def ranges(editor: Editor) -> list[tuple[int, int, int, int]]:
    return [
        (d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character)
        for d in editor.diagnostics()
    ]


async def test_a_failed_review_again_keeps_the_findings_shown(fake_deepseek: FakeDeepSeek) -> None:
    """"Review this file again" while DeepSeek answered 500: every diagnostic of the file went,
    the file looked clean, and only the status said the review had failed."""
    fake_deepseek.responder(reviewer([ROW]), path=CHAT)
    async with Editor(fake_deepseek, TWO) as editor:
        await editor.review_file()
        before = ranges(editor)
        assert len(before) == 2
        no_retries(editor)
        fake_deepseek.fault("status", count=5, path=CHAT, status=500)
        result = await editor.review.command.run(editor.uri, force=True)
        assert not result["ok"] and result["errors"]
        assert ranges(editor) == before
        # The quick fix of a kept finding still works.
        edit = editor.quick_fix(editor.diagnostics()[1])
        assert edit is not None and edit.new_text == "if row is None:"


async def test_a_failed_review_of_an_edited_function_keeps_its_finding_on_its_code(
    fake_deepseek: FakeDeepSeek,
) -> None:
    """The user edited ``second`` (not its flagged line) and saved; the request for it failed
    while they added a line at the top: the finding on ``second`` vanished, though nothing
    had said anything new about that code."""
    fake_deepseek.responder(reviewer([ROW]), path=CHAT)
    async with Editor(fake_deepseek, TWO) as editor:
        await editor.review_file()
        assert ranges(editor) == [(1, 4, 1, 19), (7, 4, 7, 19)]
        no_retries(editor)
        end = editor.text.index("return 4") + len("return 4")
        editor.replace(end, end, "2")

        def fails_slowly(body: dict[str, Any]) -> str:
            time.sleep(0.5)
            raise _BadRequest(500, "Internal server error")

        fake_deepseek.responder(fails_slowly, path=CHAT)
        review = asyncio.ensure_future(editor.review_file())
        assert await eventually(lambda: len(fake_deepseek.requests_to(CHAT)) == 2)
        editor.replace(0, 0, "import os\n")  # while the request is in flight
        result = await asyncio.wait_for(review, 10)
        assert result["errors"], result
        assert ranges(editor) == [(2, 4, 2, 19), (8, 4, 8, 19)]


async def test_a_changed_setting_keeps_the_findings_of_functions_edited_since(
    fake_deepseek: FakeDeepSeek,
) -> None:
    """After an edit in ``second`` (not on its flagged line), lowering review.minConfidence
    showed the cached review again: ``second``'s finding, cached for its old code, vanished
    until the next save."""
    fake_deepseek.responder(reviewer([ROW]), path=CHAT)
    async with Editor(fake_deepseek, TWO) as editor:
        await editor.review_file()
        end = editor.text.index("return 4") + len("return 4")
        editor.replace(end, end, "2")
        assert len(editor.diagnostics()) == 2

        def set_min_confidence(value: float) -> None:
            old = editor.services.settings
            new = replace(old, review=replace(old.review, min_confidence=value))
            editor.services.settings = new
            editor.review.settings_changed(old, new)

        set_min_confidence(0.3)
        assert ranges(editor) == [(1, 4, 1, 19), (7, 4, 7, 19)]
        # What the new settings leave out goes, kept or not.
        set_min_confidence(0.8)
        assert editor.diagnostics() == []


async def test_saving_again_with_nothing_changed_lets_the_review_finish(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """``:w`` again (nothing changed) while the file's review ran cancelled it and sent the
    same request again: the prompt paid twice, and a user saving more often than a review
    takes never got one."""
    fake_deepseek.responder(reviewer(ROW_RULES), path=CHAT)
    fake_deepseek.set_latency(ttft=1.5)
    uri = "file:///ws/rows.py"
    async with lsp_session(env(fake_deepseek, tmp_path), settings=SETTINGS) as client:
        open_doc(client, uri, ROW_DOC)
        save(client, uri)
        assert await eventually(lambda: len(fake_deepseek.requests_to(CHAT)) == 1, timeout=10)
        save(client, uri)
        await asyncio.sleep(0.3)
        save(client, uri)
        await reviewed(client, 1, uri)
        (request,) = fake_deepseek.requests_to(CHAT)
        assert request.completed and not request.disconnected


async def test_one_change_of_hundreds_of_edits_keeps_the_findings_of_unchanged_code(
    fake_deepseek: FakeDeepSeek,
) -> None:
    """A multi-cursor edit on 300 lines of constants (one didChange of 300 changes) is more
    than the document keeps to replay: every finding of the file went, those of the untouched
    functions too, until the next save."""
    fake_deepseek.responder(reviewer([ROW]), path=CHAT)
    text = TWO + "\n\n" + "".join(f"LIMIT_{i} = {i}\n" for i in range(300))
    async with Editor(fake_deepseek, text) as editor:
        await editor.review_file()
        assert ranges(editor) == [(1, 4, 1, 19), (7, 4, 7, 19)]
        first = text[: text.index("LIMIT_0")].count("\n")
        # A cursor at the end of every constant's line, typing "  # TODO".
        ends = [types.Position(line=first + i, character=len(f"LIMIT_{i} = {i}")) for i in range(300)]
        doc = editor.services.documents.change(
            editor.uri,
            2,
            [types.TextDocumentContentChangePartial(range=types.Range(start=p, end=p), text="  # TODO") for p in ends],
        )
        assert doc is not None and doc.text.endswith("LIMIT_299 = 299  # TODO\n")
        editor.review.document_changed(doc)
        assert ranges(editor) == [(1, 4, 1, 19), (7, 4, 7, 19)]
        assert editor.published[-1].version == 2


#: Two findings on one line, one quoting part of the other's code.
OVERLAPPING = [
    Rule("eval(user_input)", "critical", "eval runs any code the user types.", "ast.literal_eval(user_input)"),
    Rule("result = eval(user_input)", "info", "The name result hides the builtin meaning.", "value = eval(user_input)"),
]
OVERLAPPING_TEXT = "def run(user_input):\n    result = eval(user_input)\n    return result\n"


def actions_in_eval(editor: Editor, diagnostics: list[types.Diagnostic]) -> list[types.CodeAction]:
    """The code actions asked for with the cursor in ``eval`` of ``OVERLAPPING_TEXT``."""
    cursor = types.Position(line=1, character=20)
    return editor.review.quick_fixes.code_actions(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=editor.uri),
            range=types.Range(start=cursor, end=cursor),
            context=types.CodeActionContext(diagnostics=diagnostics),
        )
    )


async def test_code_actions_of_overlapping_findings_say_which_finding_they_are_for(
    fake_deepseek: FakeDeepSeek,
) -> None:
    """Two findings on one line (one quoting part of the other's code): the quick fix menu
    listed "Apply DeepSeek fix" and "Ignore this DeepSeek finding" twice each, identical, with
    nothing to tell which finding each would fix or ignore."""
    fake_deepseek.responder(reviewer(OVERLAPPING), path=CHAT)
    async with Editor(fake_deepseek, OVERLAPPING_TEXT) as editor:
        await editor.review_file()
        diagnostics = editor.diagnostics()
        assert len(diagnostics) == 2
        actions = actions_in_eval(editor, diagnostics)
        titles = [a.title for a in actions]
        assert len(titles) == 5 and len(set(titles)) == 5, titles
        for action in actions:
            if action.diagnostics:
                # Each names the finding it acts on.
                assert action.diagnostics[0].message.split("\n")[0] in action.title


async def test_a_quick_fix_asked_for_a_diagnostic_without_its_code_is_for_that_finding(
    fake_deepseek: FakeDeepSeek,
) -> None:
    """The Neovim plugin drops the diagnostics' code (a hash Neovim showed at the end of the
    float and the start of each virtual line) and sends them back with their data only: asked
    for one of two findings on a line, the menu offered both findings' fixes and ignores."""
    fake_deepseek.responder(reviewer(OVERLAPPING), path=CHAT)
    async with Editor(fake_deepseek, OVERLAPPING_TEXT) as editor:
        await editor.review_file()
        first, second = editor.diagnostics()
        sent = attrs.evolve(second, code=None)
        actions = actions_in_eval(editor, [sent])
        assert [a.title for a in actions] == [
            "Apply DeepSeek fix",
            "Ignore this DeepSeek finding",
            "Review this file again with DeepSeek",
        ]
        assert actions[0].diagnostics is not None
        assert actions[0].diagnostics[0].data == second.data != first.data


@pytest.mark.parametrize(
    "answer",
    [
        "",  # JSON mode blanks out what it could not make JSON
        "Sorry, I cannot review this code.",
        # Cut short: the first finding whole, the second lost.
        '{"findings": [{"severity": "warning", "line": 2, "code": "if row == None:", '
        '"message": "Compare with None using \'is\'."}, {"severity": "warning", "line": 8, "co',
    ],
)
async def test_review_again_answered_blank_or_cut_keeps_the_findings_shown(
    fake_deepseek: FakeDeepSeek, answer: str
) -> None:
    """"Review this file again" answered blank (twice, with the client's retry), in prose or cut
    short: every diagnostic of the file went, and the command said ok, as if the file were clean;
    only the status named the answer's problem."""
    fake_deepseek.responder(reviewer([ROW]), path=CHAT)
    async with Editor(fake_deepseek, TWO) as editor:
        await editor.review_file()
        before = ranges(editor)
        assert len(before) == 2
        fake_deepseek.responder(lambda body: answer, path=CHAT)
        result = await editor.review.command.run(editor.uri, force=True)
        assert result["problems"]
        assert ranges(editor) == before


async def test_the_first_open_opens_the_review_cache_off_the_event_loop(
    fake_deepseek: FakeDeepSeek, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its file (sqlite: made or opened, its journal set, old entries pruned) took 10-75 ms of
    waiting on the disk inside the first didOpen, ahead of the suggestion asked for next; its
    cached findings still show once it is open."""
    monkeypatch.setenv("DEEPSEEK_LSP_STATE_DIR", str(tmp_path))
    opened_in: list[threading.Thread] = []
    default = ReviewCache.default

    def recorded(**kw: Any) -> ReviewCache:
        opened_in.append(threading.current_thread())
        return default(**kw)

    monkeypatch.setattr(ReviewCache, "default", recorded)
    async with ReviewFeatureSession(fake_deepseek) as session:
        shown: list[str] = []
        show = session.review._show_cached
        monkeypatch.setattr(session.review, "_show_cached", lambda doc: (shown.append(doc.uri), show(doc)))
        doc = session.services.documents.open("file:///project/a.py", "def f():\n    return 1\n", "python", 1)
        session.review.document_opened(doc)
        assert await eventually(lambda: shown == [doc.uri])
        assert len(opened_in) == 1 and opened_in[0] is not threading.main_thread()
        later = session.services.documents.open("file:///project/b.py", "x = 1\n", "python", 1)
        session.review.document_opened(later)  # the cache open: shown at once
        assert shown == [doc.uri, later.uri] and len(opened_in) == 1


async def test_files_closed_are_not_remembered_as_having_shown_findings(fake_deepseek: FakeDeepSeek) -> None:
    """Each file whose findings were shown was remembered until it was opened again: over a
    long session of many files, a set that only grew (200 files opened and closed: 200 kept)."""
    fake_deepseek.responder(reviewer([ROW]), path=CHAT)
    async with Editor(fake_deepseek, TWO) as editor:
        await editor.review_file()
        assert editor.diagnostics()
        review, documents = editor.review, editor.services.documents
        for i in range(200):
            # Each its own text: a file closed and another opened with the very same text is
            # taken for a rename, its findings' record going with it.
            doc = documents.open(f"file:///ws/copy_{i}.py", f"{TWO}\n# copy {i}\n", "python", 1)
            review.document_opened(doc)
            assert doc.uri in review.publisher.shown  # (the cache showed its findings)
            review.document_closed(documents.close(doc.uri))  # type: ignore[arg-type]
        assert len(review.publisher.shown) == 1  # the file still open
