"""Code review in the editor after the first review: findings and their quick fixes as the user
edits, saves and reviews again. The review feature on its own, against the fake DeepSeek server."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from typing import Any

import pytest
from lsprotocol import types

from deepseek_lsp.config import Settings
from deepseek_lsp.languages import LanguageRegistry
from tests.fake_deepseek import FakeDeepSeek
from tests.harness import eventually
from tests.review_support import (
    ReviewFeatureSession,
    Rule,
    finding_id,
    reviewed_units,
    reviewer,
    user_prompt,
)

CHAT = "/chat/completions"
REGISTRY = LanguageRegistry.load()
URI = "file:///ws/app.py"


pytestmark = pytest.mark.usefixtures("state_dir")  # usage and caches in the test's own folder


class Editor(ReviewFeatureSession):
    """The review feature with an editor's view of one document: its text, the diagnostics
    last published for it, and the quick fixes it is offered."""

    def __init__(self, fake: FakeDeepSeek, text: str, uri: str = URI) -> None:
        super().__init__(fake)
        self.uri, self.text, self.version = uri, text, 1
        doc = self.services.documents.open(uri, text, "python", 1)
        self.review.document_opened(doc)

    async def review_file(self) -> dict[str, Any]:
        """What the user's save (or "review this file") gets."""
        return await self.review.command.run(self.uri, force=False)

    def diagnostics(self) -> list[types.Diagnostic]:
        mine = [p for p in self.published if p.uri == self.uri]
        return list(mine[-1].diagnostics) if mine else []

    def _offset(self, position: types.Position) -> int:
        # ASCII test documents: UTF-16 units are characters.
        lines = self.text.split("\n")
        return sum(len(line) + 1 for line in lines[: position.line]) + position.character

    def _position(self, offset: int) -> types.Position:
        line = self.text.count("\n", 0, offset)
        return types.Position(line=line, character=offset - (self.text.rfind("\n", 0, offset) + 1))

    def replace(self, start: int, end: int, new: str) -> None:
        """The user's edit: sent as didChange, applied to the editor's copy."""
        self.version += 1
        rng = types.Range(start=self._position(start), end=self._position(end))
        doc = self.services.documents.change(
            self.uri, self.version, [types.TextDocumentContentChangePartial(range=rng, text=new)]
        )
        assert doc is not None
        self.review.document_changed(doc)
        self.text = self.text[:start] + new + self.text[end:]

    def moves_now(self) -> None:
        """The publish of diagnostics only moved by keys, put off until the keys pause, made
        now (as the pause would)."""
        state = self.review.publisher.files.get(self.uri)
        if state is not None and state.moves_timer is not None:
            state.moves_timer.cancel()
            self.review.publisher.publish_moves(self.uri, state)

    def quick_fix(self, diagnostic: types.Diagnostic) -> types.TextEdit | None:
        actions = self.review.quick_fixes.code_actions(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=self.uri),
                range=diagnostic.range,
                context=types.CodeActionContext(diagnostics=[diagnostic]),
            )
        )
        for action in actions:
            if action.edit is not None:
                (edit,) = (action.edit.changes or {})[self.uri]
                return edit
        return None

    def apply(self, edit: types.TextEdit) -> None:
        self.replace(self._offset(edit.range.start), self._offset(edit.range.end), edit.new_text)


WRAP = Rule(
    "data = read(path)",
    "warning",
    "read() raises OSError for a missing file.",
    "try:\n    data = read(path)\nexcept OSError:\n    data = None",
)


async def test_a_multi_line_fix_follows_its_line_when_the_line_is_re_indented(
    fake_deepseek: FakeDeepSeek,
) -> None:
    """The fix's later lines were indented for the line as it was reviewed: after the user put
    the line in a new block (its indentation grew, the code itself untouched), the quick fix
    wrote ``try:`` in the block and ``except`` outside it, code Python does not compile."""
    fake_deepseek.responder(reviewer([WRAP]), path=CHAT)
    text = "def load(path):\n    data = read(path)\n    return data\n"
    async with Editor(fake_deepseek, text) as editor:
        await editor.review_file()
        (finding,) = editor.diagnostics()
        # The user wraps the line in an ``if``: a line above, and the line indented.
        line = editor.text.index("    data = read(path)")
        editor.replace(line, line, "    ")
        editor.replace(line, line, "    if path:\n")
        # Published once the keys pause: only moved, the editor moves it meanwhile.
        assert await eventually(lambda: editor.diagnostics()[0].range.start == types.Position(line=2, character=8))
        (finding,) = editor.diagnostics()
        edit = editor.quick_fix(finding)
        assert edit is not None
        editor.apply(edit)
        assert editor.text == (
            "def load(path):\n"
            "    if path:\n"
            "        try:\n"
            "            data = read(path)\n"
            "        except OSError:\n"
            "            data = None\n"
            "    return data\n"
        )
        compile(editor.text, "app.py", "exec")


SCALE = "def scale(value, factor):\n    return value * factor\n\n\ndef double(x):\n    return scale(x)\n"


def checks_calls(body: dict[str, Any]) -> str:
    """A reviewer that reads the signatures it is shown, as the model does: the call passes one
    argument to a function that, by the signature in the prompt, needs two."""
    prompt = user_prompt(body)
    findings = []
    if "def scale(value, factor)" in prompt and "return scale(x)" in prompt:
        findings.append(
            {
                "severity": "critical",
                "line": 6,
                "code": "scale(x)",
                "message": "scale() needs a factor: this call raises TypeError.",
                "suggestion": "scale(x, 2)",
            }
        )
    return json.dumps({"findings": findings, "summary": "Reviewed."})


async def test_a_caller_is_reviewed_again_when_a_signature_it_uses_changes(
    fake_deepseek: FakeDeepSeek,
) -> None:
    """The unit's cache key held its own code only, not the signatures it was reviewed with:
    after the user gave ``factor`` a default, the caller's "raises TypeError" came back from
    the cache on every save (and every restart), about a call that is now right."""
    fake_deepseek.responder(checks_calls, path=CHAT)
    async with Editor(fake_deepseek, SCALE) as editor:
        await editor.review_file()
        (finding,) = editor.diagnostics()
        assert "TypeError" in finding.message
        at = editor.text.index("factor)")
        editor.replace(at + len("factor"), at + len("factor"), "=2")
        result = await editor.review_file()
        assert result["ok"]
        assert reviewed_units(fake_deepseek.requests_to(CHAT)[-1].json) == ["scale", "double"]
        assert editor.diagnostics() == []
        # A body edit changes no signature: its callers stay cached.
        at = editor.text.index("value * factor")
        editor.replace(at, at, "1 * ")
        await editor.review_file()
        assert reviewed_units(fake_deepseek.requests_to(CHAT)[-1].json) == ["scale"]


NONE_RULE = Rule("if row == None:", "warning", "Compare with None using 'is'.", "if row is None:")
FIND = "def find(rows, key):\n    for row in rows:\n        if row == None:\n            return key\n"


async def switch_model_mid_review(editor: Editor, fake: FakeDeepSeek) -> tuple[asyncio.Future[Any], Settings]:
    """A slow review started, then review.model switched to deepseek-v4-flash while its request
    is in flight: the review's future and the settings it began with."""
    fake.set_latency(ttft=1.0)
    review = asyncio.ensure_future(editor.review_file())
    assert await eventually(lambda: len(fake.requests_to(CHAT)) == 1)
    old = editor.services.settings
    new = replace(old, review=replace(old.review, model="deepseek-v4-flash"))
    editor.services.settings = new
    editor.review.settings_changed(old, new)
    return review, old


async def test_a_review_by_the_model_the_user_switched_from_is_not_shown(
    fake_deepseek: FakeDeepSeek,
) -> None:
    """review.model changed while a review ran: the new model's (empty) cache was shown, then
    the old model's answer arrived and its findings were published as the current review,
    until the next save."""
    fake_deepseek.responder(reviewer([NONE_RULE]), path=CHAT)
    async with Editor(fake_deepseek, FIND) as editor:
        review, old = await switch_model_mid_review(editor, fake_deepseek)
        await asyncio.wait_for(review, 10)
        assert fake_deepseek.requests_to(CHAT)[0].json["model"] == old.review.model
        assert editor.diagnostics() == []
        # The new model's own review is what the next save shows.
        fake_deepseek.set_latency(ttft=0.0)
        assert (await editor.review_file())["findings"] == 1
        assert fake_deepseek.requests_to(CHAT)[-1].json["model"] == "deepseek-v4-flash"
        assert len(editor.diagnostics()) == 1


async def test_a_model_switched_mid_review_stops_the_old_review_and_starts_the_new(
    fake_deepseek: FakeDeepSeek,
) -> None:
    """After review.model changed, the old model's review ran on to its end, every token paid
    for, to be cached and never shown; the file then had no review until the next save."""
    fake_deepseek.responder(reviewer([NONE_RULE]), path=CHAT)
    async with Editor(fake_deepseek, FIND) as editor:
        review, old = await switch_model_mid_review(editor, fake_deepseek)
        assert (await asyncio.wait_for(review, 10))["reason"] == "superseded by a newer review"
        assert await fake_deepseek.wait_closed_async(fake_deepseek.requests_to(CHAT)[0])
        assert not fake_deepseek.requests_to(CHAT)[0].completed
        assert await eventually(lambda: len(editor.diagnostics()) == 1, timeout=10)
        assert [r.json["model"] for r in fake_deepseek.requests_to(CHAT)] == [old.review.model, "deepseek-v4-flash"]


async def test_findings_stay_on_their_code_through_many_edits_above_below_and_between(
    fake_deepseek: FakeDeepSeek,
) -> None:
    """Diagnostics not moved off their lines by a key are kept as shown (their positions are not
    read again after every key): each one still points at its code, edit after edit, lines
    added and removed above it, text typed on its line, before and after it."""
    import random

    functions = "".join(f"def load_{n}(path):\n    data = read(path)\n    return data\n\n\n" for n in range(12))
    fake_deepseek.responder(reviewer((WRAP,)), path=CHAT)
    rng = random.Random(29)
    async with Editor(fake_deepseek, functions) as editor:
        await editor.review_file()
        assert len(editor.diagnostics()) == 12
        for _ in range(150):
            at = rng.randrange(len(editor.text) + 1)
            kind = rng.randrange(5)
            if kind == 0:
                editor.replace(at, at, "x")
            elif kind == 1:
                editor.replace(at, at, "\n")
            elif kind == 2:
                editor.replace(at, at, "# a\n# b\n")
            elif kind == 3:  # a line joined to the next
                nl = editor.text.find("\n", at)
                if nl >= 0:
                    editor.replace(nl, nl + 1, "")
            else:
                editor.replace(at, min(len(editor.text), at + rng.randrange(1, 12)), "")
            editor.moves_now()
            shown = editor.diagnostics()
            for d in shown:
                code = editor.text[editor._offset(d.range.start) : editor._offset(d.range.end)]
                assert code == WRAP.needle, (d.range, code)
            # As a full recomputation places them.
            doc = editor.services.documents.get(editor.uri)
            assert doc is not None
            state = editor.review.publisher.files[editor.uri]
            fresh = editor.review.publisher.diagnostics(doc, state.findings)
            assert [(finding_id(d), d.range) for d in shown] == [(finding_id(d), d.range) for d in fresh]
        # Edits inside some findings' code dropped those; the others were followed.
        assert 0 < len(editor.diagnostics()) < 12


async def test_lines_added_above_findings_are_published_once_the_keys_pause(
    fake_deepseek: FakeDeepSeek,
) -> None:
    """Each Enter above the findings sent all of them again (with 700 findings, 195 kB of JSON a
    key): editors move the diagnostics they show along with the text, and the new positions go
    once the keys pause. A key that changes a finding's code is told at once, the others' moves
    with it."""
    functions = "".join(f"def load_{n}(path):\n    data = read(path)\n    return data\n\n\n" for n in range(12))
    fake_deepseek.responder(reviewer((WRAP,)), path=CHAT)
    async with Editor(fake_deepseek, functions) as editor:
        await editor.review_file()
        lines = [d.range.start.line for d in editor.diagnostics()]
        published = len(editor.published)
        for _ in range(20):
            editor.replace(0, 0, "\n")
        assert len(editor.published) == published
        assert await eventually(lambda: len(editor.published) == published + 1)
        assert [d.range.start.line for d in editor.diagnostics()] == [n + 20 for n in lines]
        editor.replace(0, 0, "\n")
        at = editor.text.index("read(path)")
        editor.replace(at, at + 1, "R")  # inside the first finding's code
        assert len(editor.published) == published + 2
        assert [d.range.start.line for d in editor.diagnostics()] == [n + 21 for n in lines[1:]]


async def test_a_finding_comes_back_when_the_edit_that_dropped_it_is_undone(
    fake_deepseek: FakeDeepSeek,
) -> None:
    """An "Apply fix" undone, a line deleted and the deletion undone, a character typed into
    the code and erased: the finding was gone until the next save, the code it is about back
    as it was. It comes back at once, once, and a save after shows it once."""
    fake_deepseek.responder(reviewer([NONE_RULE]), path=CHAT)
    async with Editor(fake_deepseek, FIND) as editor:
        await editor.review_file()
        (shown,) = editor.diagnostics()
        fix = editor.quick_fix(shown)
        assert fix is not None
        before = editor.text
        start, end = editor._offset(fix.range.start), editor._offset(fix.range.end)
        editor.apply(fix)
        assert editor.diagnostics() == []
        # Undo: the editor puts back the text the fix replaced, as one change.
        editor.replace(start, start + len(fix.new_text), before[start:end])
        assert editor.text == before
        assert [(finding_id(d), d.range) for d in editor.diagnostics()] == [(finding_id(shown), shown.range)]
        # A line deleted, then the deletion undone.
        line = editor.text.index("        if row == None:")
        end = editor.text.index("\n", line) + 1
        deleted = editor.text[line:end]
        editor.replace(line, end, "")
        assert editor.diagnostics() == []
        editor.replace(line, line, deleted)
        assert [(finding_id(d), d.range) for d in editor.diagnostics()] == [(finding_id(shown), shown.range)]
        # Typed into the code, then erased key by key.
        at = editor.text.index("== None")
        editor.replace(at, at, "=")
        editor.replace(at + 1, at + 1, "x")
        assert editor.diagnostics() == []
        editor.replace(at + 1, at + 2, "")
        editor.replace(at, at + 1, "")
        assert [(finding_id(d), d.range) for d in editor.diagnostics()] == [(finding_id(shown), shown.range)]
        assert (await editor.review_file())["findings"] == 1
        assert len(editor.diagnostics()) == 1
        # Typed into the code, then a key elsewhere: the text around is not what it was on.
        editor.replace(at, at, "=")
        editor.replace(0, 0, "#\n")
        editor.replace(at + 2, at + 3, "")
        assert editor.diagnostics() == []


async def test_a_key_typed_into_the_code_and_taken_back_while_its_review_runs_keeps_the_finding(
    fake_deepseek: FakeDeepSeek,
) -> None:
    """Saved, then a character deleted from the reviewed code and the deletion undone (in
    Neovim, "x" then "u") before the review's answer came: the edits were replayed one by one
    on its findings, the first dropped the finding and nothing brought it back, so the review
    showed no finding until the next save, on the code it was about, as reviewed. An edit left
    in the code still drops it."""
    fake_deepseek.responder(reviewer([NONE_RULE]), path=CHAT)
    async with Editor(fake_deepseek, FIND) as editor:
        fake_deepseek.set_latency(ttft=0.5)
        review = asyncio.ensure_future(editor.review_file())
        assert await eventually(lambda: len(fake_deepseek.requests_to(CHAT)) == 1)
        at = editor.text.index("== None")
        editor.replace(at, at + 1, "")
        editor.replace(0, 0, "# a line above\n")  # another edit, the code moved
        at += len("# a line above\n")
        editor.replace(at, at, "=")
        assert (await asyncio.wait_for(review, 10))["findings"] == 1
        (shown,) = editor.diagnostics()
        assert shown.range.start.line == 3
        assert editor.text.splitlines()[3][shown.range.start.character :].startswith("if row == None:")
        # Left changed: the finding goes.
        review = asyncio.ensure_future(editor.review.command.run(editor.uri, force=True))
        assert await eventually(lambda: len(fake_deepseek.requests_to(CHAT)) == 2)
        editor.replace(at, at, "=")
        await asyncio.wait_for(review, 10)
        assert editor.diagnostics() == []


#: Two same lines, each with NONE_RULE's code.
TWIN = "        if row == None:\n"
TWINS = f"def find(rows, key):\n    for row in rows:\n{TWIN}{TWIN}            return key\n"


async def deleted_while_reviewed(
    editor: Editor, fake: FakeDeepSeek, twin: int, typed_at_the_end: str
) -> dict[str, Any]:
    """Save, then the ``twin``-th of TWINS' same lines deleted ("dd") and ``typed_at_the_end``
    typed at the file's end while the review runs: the review's answer."""
    fake.set_latency(ttft=0.5)
    review = asyncio.ensure_future(editor.review_file())
    assert await eventually(lambda: len(fake.requests_to(CHAT)) == 1)
    at = editor.text.index(TWIN) + twin * len(TWIN)
    editor.replace(at, at + len(TWIN), "")
    editor.replace(len(editor.text), len(editor.text), typed_at_the_end)
    return await asyncio.wait_for(review, 10)


@pytest.mark.parametrize("typed_at_the_end", ["", "    return None\n"])
async def test_one_of_two_same_lines_deleted_while_its_review_runs_leaves_one_finding(
    fake_deepseek: FakeDeepSeek, typed_at_the_end: str
) -> None:
    """Two same lines, a finding on each; the first line deleted ("dd") while the review runs.
    The text before and after reads as much as the second deleted: the net change brought the
    first line's finding back onto the line left, where the second's had moved, and that line
    showed the finding twice. With a line typed at the file's end too, the net change reads as
    one replacement from the line left to the end, which both its places leave the first line's
    dropped finding outside of: it came back there the same way."""
    fake_deepseek.responder(reviewer([NONE_RULE]), path=CHAT)
    async with Editor(fake_deepseek, TWINS) as editor:
        answer = await deleted_while_reviewed(editor, fake_deepseek, 0, typed_at_the_end)
        assert answer["findings"] == 1
        (shown,) = editor.diagnostics()
        assert shown.range.start.line == 2


@pytest.mark.parametrize("flagged", ["first", "second"])
@pytest.mark.parametrize("typed_at_the_end", ["", "    return None\n"])
async def test_a_flagged_line_deleted_while_its_review_runs_leaves_its_same_unflagged_twin_clean(
    fake_deepseek: FakeDeepSeek, flagged: str, typed_at_the_end: str
) -> None:
    """Two same lines, the model flagging one only (what it read around them told them
    apart), and that line deleted while the review runs: the text before and after reads as
    much as the other one deleted, and the net change brought the finding back onto the line
    left, which the model had not flagged, and which no edit had touched."""
    one = reviewer([NONE_RULE])

    def respond(body: dict[str, Any]) -> str:
        findings = json.loads(one(body))["findings"]
        return json.dumps({"findings": findings[:1] if flagged == "first" else findings[1:]})

    fake_deepseek.responder(respond, path=CHAT)
    async with Editor(fake_deepseek, TWINS) as editor:
        twin = 0 if flagged == "first" else 1
        answer = await deleted_while_reviewed(editor, fake_deepseek, twin, typed_at_the_end)
        assert answer["findings"] == 0
        assert editor.diagnostics() == []


async def test_a_quick_fix_asked_for_at_a_moved_finding_is_that_findings(
    fake_deepseek: FakeDeepSeek,
) -> None:
    """Lines added above two findings, their new lines not yet sent (sent once the keys
    pause): the editor shows them moved, and asked at the upper one's code, it names the
    diagnostic its store still has on that line, the lower one. The quick fix offered was the
    lower finding's, applied to its code, not the code under the cursor."""
    text = "def find(rows, key):\n    for row in rows:\n        if row == None:\n            return key\n        if row == None:\n            return None\n"
    fake_deepseek.responder(reviewer([NONE_RULE]), path=CHAT)
    async with Editor(fake_deepseek, text) as editor:
        await editor.review_file()
        upper, lower = editor.diagnostics()
        assert (upper.range.start.line, lower.range.start.line) == (2, 4)
        editor.replace(0, 0, "\n\n")
        assert editor.diagnostics()[1].range == lower.range  # not told yet
        cursor = types.Range(start=types.Position(line=4, character=12), end=types.Position(line=4, character=12))
        actions = editor.review.quick_fixes.code_actions(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=editor.uri),
                range=cursor,
                context=types.CodeActionContext(diagnostics=[lower]),  # the store's, on line 4
            )
        )
        (fix,) = [a for a in actions if a.edit is not None]
        assert fix.edit is not None and fix.edit.changes is not None
        (edit,) = fix.edit.changes[editor.uri]
        assert edit.range.start.line == 4 and edit.new_text == "if row is None:"
