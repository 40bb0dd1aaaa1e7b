"""Answers and what they were asked with, while the document and the settings move on: an
answer must never be shown, kept or built on for a text or settings other than its own. The
feature in-process, its model client talking HTTP to the fake DeepSeek server."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from lsprotocol import types

from tests.completing import Completing
from tests.fake_deepseek import FakeDeepSeek

FIM = "/beta/completions"


pytestmark = pytest.mark.usefixtures("state_dir")  # usage and caches in the test's own folder


async def test_an_answer_dropped_as_stale_prefetches_nothing(fake_deepseek: FakeDeepSeek) -> None:
    """A line added above while the request was in flight: its answer is not shown (the text
    moved), yet the state after accepting it was prefetched, a billed stream for a suggestion
    the user never saw, its prompt the old text's."""
    completing = Completing(fake_deepseek, debounce=0)
    try:
        fake_deepseek.responder(lambda body: "compute(a)", path=FIM)
        # The answer held while the line is added: after a guessed 0.1 s a loaded machine had
        # the line in before the prompt was built, or the answer before the line.
        fake_deepseek.pause_after("comp")
        uri = "file:///w/a.py"
        completing.open(uri, "a = 1\nx = \n")
        request = asyncio.ensure_future(completing.inline(uri, 1, 4))
        assert await fake_deepseek.wait_paused_async()
        completing.insert(uri, 0, 0, "# note\n")
        fake_deepseek.resume()
        assert await request == []
        # The prefetch, if any, starts from the feature's background work once the answer is
        # out: that work done, and any prefetch with it, the fake has seen all there is.
        feature = completing.completion
        await asyncio.wait_for(asyncio.gather(*feature._background), 10)
        await asyncio.wait_for(asyncio.gather(*(t for ts in feature.fetching.prefetch_tasks.values() for t in ts)), 10)
        assert [r.json["prompt"][-10:] for r in fake_deepseek.requests_to(FIM)] == ["a = 1\nx = "]
    finally:
        await completing.stop()


async def test_an_answer_in_flight_when_the_temperature_changed_is_not_served_again(
    fake_deepseek: FakeDeepSeek,
) -> None:
    """The cache is emptied when the temperature or a token limit changes; the answer in flight
    then was stored after that, and the same place got the old settings' answer for the cache's
    lifetime, the model never asked again."""
    completing = Completing(fake_deepseek, debounce=0, prefetch=False)
    try:
        fake_deepseek.responder(lambda body: f"t{body['temperature']}", path=FIM)
        fake_deepseek.set_latency(ttft=0.3)
        uri = "file:///w/a.py"
        completing.open(uri, "a = 1\nx = \n")
        request = asyncio.ensure_future(completing.inline(uri, 1, 4))
        await asyncio.sleep(0.1)
        completing.configure(temperature=0.5)
        await request
        fake_deepseek.set_latency(ttft=0.0)
        assert await completing.inline(uri, 1, 4) == ["t0.5"]
        assert [r.json["temperature"] for r in fake_deepseek.requests_to(FIM)][-1] == 0.5
    finally:
        await completing.stop()


async def test_a_request_for_a_closed_document_shows_nothing_after_it_reopens_with_other_text(
    fake_deepseek: FakeDeepSeek,
) -> None:
    """A file closed and opened again (reverted, reloaded) while a request waited out its
    debounce: the request's number was taken by the reopened file's first one, so it went on
    to ask about the closed text and answered with it."""
    completing = Completing(fake_deepseek, debounce=300, prefetch=False)
    try:
        fake_deepseek.responder(lambda body: "OLD" if "old = 1" in body["prompt"] else "NEW", path=FIM)
        uri = "file:///w/a.py"
        doc = completing.open(uri, "old = 1\nx = \n")
        first = asyncio.ensure_future(completing.inline(uri, 1, 4))
        await asyncio.sleep(0.1)
        completing.close(doc)
        completing.open(uri, "new = 1\nx = \n")
        second = asyncio.ensure_future(completing.inline(uri, 1, 4))
        assert await first == []
        assert await second == ["NEW"]
        assert all("old = 1" not in r.json["prompt"] for r in fake_deepseek.requests_to(FIM))
    finally:
        await completing.stop()


async def test_a_definition_read_from_disk_is_not_reused_once_its_file_is_open_and_edited(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """The snippets are reused for a while unless an open document they came from changed; one
    read from disk has no such document, so after the user opened that file and added a
    parameter, the prompt kept showing the old signature (and the model called it so)."""
    (tmp_path / "utils.py").write_text("def load(path):\n    return open(path).read()\n")
    completing = Completing(fake_deepseek, debounce=0, prefetch=False)
    try:
        completing.services.workspace_folders = [tmp_path.as_uri()]
        fake_deepseek.responder(lambda body: "x", path=FIM)
        uri = (tmp_path / "main.py").as_uri()
        completing.open(uri, "from utils import load\n\n\ndef main():\n    data = load(\n")
        assert await completing.inline(uri, 4, 16) == ["x"]
        assert "# def load(path):" in fake_deepseek.requests_to(FIM)[-1].json["prompt"]
        utils = (tmp_path / "utils.py").as_uri()
        completing.open(utils, "def load(path):\n    return open(path).read()\n")
        completing.insert(utils, 0, 13, ", encoding")
        completing.insert(uri, 4, 16, "p")
        assert await completing.inline(uri, 4, 17) == ["x"]
        prompt = fake_deepseek.requests_to(FIM)[-1].json["prompt"]
        assert "def load(path, encoding):" in prompt and "def load(path):" not in prompt
    finally:
        await completing.stop()


@pytest.mark.parametrize("how", ["one edit per line", "whole text replaced"])
async def test_a_block_is_indented_as_the_file_is_after_its_indentation_was_converted(
    fake_deepseek: FakeDeepSeek, how: str
) -> None:
    """The indentation unit is looked at once per document: after the file's tabs were turned
    into spaces (Convert Indentation to Spaces, a formatter, a paste over everything), blocks
    were still re-indented with tabs, mixed into a line's spaces (a TabError in Python)."""
    completing = Completing(fake_deepseek, debounce=0, prefetch=False)
    try:
        fake_deepseek.responder(lambda body: "if b:\n        x = 1\n        return x\n    return 0", path=FIM)
        uri = "file:///w/a.py"
        tabs = "def f(a):\n\tif a:\n\t\treturn 1\n\treturn 2\n\n\ndef g(b):\n\t\n"
        doc = completing.open(uri, tabs)
        assert await completing.inline(uri, 7, 1) == ["if b:\n\t\tx = 1\n\t\treturn x\n\treturn 0"]
        spaces = tabs.replace("\t", "    ")
        if how == "whole text replaced":
            changes = [types.TextDocumentContentChangePartial(range=doc.range_of(0, len(doc.data)), text=spaces)]
        else:  # as VS Code sends it: one change per line, the last line first
            changes = []
            for line in reversed(range(doc.line_count)):
                lead = len(doc.line_text(line)) - len(doc.line_text(line).lstrip("\t"))
                if lead:
                    rng = types.Range(types.Position(line, 0), types.Position(line, lead))
                    changes.append(types.TextDocumentContentChangePartial(range=rng, text="    " * lead))
        completing.services.documents.change(uri, 2, changes)
        completing.completion.document_changed(doc)
        assert doc.text == spaces
        assert await completing.inline(uri, 7, 4) == ["if b:\n        x = 1\n        return x\n    return 0"]
    finally:
        await completing.stop()
