"""Notebook cells split and merged: review findings follow their code into the new cells."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from lsprotocol import types as t

from tests.harness import eventually
from tests.test_notebooks import (
    CELL_A,
    CELL_B,
    CODE,
    NB,
    as_tuple,
    cell,
    cell_diagnostics,
    cell_uri,
    change_params,
    item,
    notebook_review,
    open_params,
    saved,
    span,
)

#: One cell holding both cells' code: a split at CELL_A's first line gives them back.
JOINED = f"{CELL_B}\n\n{CELL_A}"
#: VS Code's "Split Cell" keeps the text up to the cursor in the cell, the rest in a new one.
HEAD, TAIL = f"{CELL_B}\n\n", CELL_A


def _whole_cell(name: str, version: int, old: str, new: str) -> t.NotebookDocumentCellChanges:
    """The cell's text replaced over its whole range, as VS Code's split writes the first cell."""
    lines = old.split("\n")
    rng = t.Range(start=t.Position(0, 0), end=t.Position(len(lines) - 1, len(lines[-1])))
    return t.NotebookDocumentCellChanges(
        text_content=[
            t.NotebookDocumentCellContentChanges(
                document=t.VersionedTextDocumentIdentifier(uri=cell_uri(name), version=version),
                changes=[t.TextDocumentContentChangePartial(range=rng, text=new)],
            )
        ]
    )


def _appended(name: str, version: int, old: str, text: str) -> t.NotebookDocumentCellChanges:
    """``text`` typed at the end of the cell, as VS Code's "Join With Next Cell" writes it."""
    lines = old.split("\n")
    end = t.Position(len(lines) - 1, len(lines[-1]))
    return t.NotebookDocumentCellChanges(
        text_content=[
            t.NotebookDocumentCellContentChanges(
                document=t.VersionedTextDocumentIdentifier(uri=cell_uri(name), version=version),
                changes=[t.TextDocumentContentChangePartial(range=t.Range(start=end, end=end), text=text)],
            )
        ]
    )


def _structure(
    start: int, delete: int, cells: list[str], opened: dict[str, str], closed: list[str] = ()  # type: ignore[assignment]
) -> t.NotebookDocumentCellChanges:
    return t.NotebookDocumentCellChanges(
        structure=t.NotebookDocumentCellChangeStructure(
            array=t.NotebookCellArrayChange(
                start=start, delete_count=delete, cells=[cell(n) for n in cells]
            ),
            did_open=[item(n, text) for n, text in opened.items()] or None,
            did_close=[t.TextDocumentIdentifier(uri=cell_uri(n)) for n in closed] or None,
        )
    )


def _together(*changes: t.NotebookDocumentCellChanges) -> t.NotebookDocumentCellChanges:
    """The changes as one notification (a client that sends a split or a merge at once)."""
    return t.NotebookDocumentCellChanges(
        structure=next((c.structure for c in changes if c.structure), None),
        text_content=[x for c in changes for x in c.text_content or ()] or None,
    )


def _send(client: Any, version: int, changes: list[t.NotebookDocumentCellChanges], at_once: bool) -> None:
    for change in [_together(*changes)] if at_once else changes:
        client.notebook_document_did_change(change_params(version, change))
        version += 1


async def _saved(client: Any, name: str, findings: int) -> None:
    client.notebook_document_did_save(
        t.DidSaveNotebookDocumentParams(notebook_document=t.NotebookDocumentIdentifier(uri=NB))
    )
    assert await eventually(lambda: len(cell_diagnostics(client, name)) == findings, timeout=10)


def _ranges(client: Any, name: str) -> list[tuple[int, int, int, int]]:
    return [as_tuple(d.range) for d in cell_diagnostics(client, name)]


async def _fix_is_for(client: Any, name: str, version: int, rng: tuple[int, int, int, int]) -> None:
    (diagnostic,) = [d for d in cell_diagnostics(client, name) if as_tuple(d.range) == rng]
    fix = (
        await client.text_document_code_action_async(
            t.CodeActionParams(
                text_document=t.TextDocumentIdentifier(uri=cell_uri(name)),
                range=diagnostic.range,
                context=t.CodeActionContext(diagnostics=[diagnostic]),
            )
        )
    )[0]
    assert fix.title == "Apply DeepSeek fix"
    (doc_edit,) = fix.edit.document_changes
    assert (doc_edit.text_document.uri, doc_edit.text_document.version) == (cell_uri(name), version)
    (text_edit,) = doc_edit.edits
    assert (as_tuple(text_edit.range), text_edit.new_text) == (rng, "if row is None:")


@pytest.mark.parametrize("at_once", [False, True], ids=["two notifications", "one notification"])
async def test_a_split_cell_keeps_its_findings_in_both_halves(tmp_path, at_once: bool) -> None:
    """VS Code splits a cell (Ctrl+K Ctrl+Shift+\\) by writing the cell's whole text as the
    part above the cursor, then adding a cell with the rest. Every finding of the cell
    vanished until the next save: those above, written over; those below, gone with the
    text they were on, though it came back unchanged in the new cell."""
    async with notebook_review(tmp_path) as (_, client):
        client.notebook_document_did_open(open_params([("a", "import os", CODE), ("b", JOINED, CODE)]))
        await _saved(client, "b", 2)
        split = [_whole_cell("b", 2, JOINED, HEAD), _structure(2, 0, ["c"], {"c": TAIL})]
        _send(client, 2, split, at_once)
        # Both are a change from before the split (b had both findings, c was not there).
        expected = ([span(HEAD, "/ len(rows)")], [span(TAIL, "if row == None:")])
        assert await eventually(lambda: (_ranges(client, "b"), _ranges(client, "c")) == expected)
        # The quick fix edits the new cell, at its version, where its code is now.
        await _fix_is_for(client, "c", 1, span(TAIL, "if row == None:"))


async def test_a_cell_replaced_by_two_new_cells_keeps_its_findings_in_them(tmp_path) -> None:
    """A split sent as the cell removed and two new cells (new URIs) added with its text: the
    findings go to the new cells, the removed cell's are cleared in the editor."""
    async with notebook_review(tmp_path) as (_, client):
        client.notebook_document_did_open(open_params([("a", "import os", CODE), ("b", JOINED, CODE)]))
        await _saved(client, "b", 2)
        _send(client, 2, [_structure(1, 1, ["b1", "b2"], {"b1": HEAD, "b2": TAIL}, ["b"])], True)
        expected = ([], [span(HEAD, "/ len(rows)")], [span(TAIL, "if row == None:")])
        assert await eventually(lambda: (_ranges(client, "b"), _ranges(client, "b1"), _ranges(client, "b2")) == expected)
        await _fix_is_for(client, "b2", 1, span(TAIL, "if row == None:"))


@pytest.mark.parametrize("at_once", [False, True], ids=["two notifications", "one notification"])
async def test_merged_cells_keep_their_findings_in_the_cell_they_became(tmp_path, at_once: bool) -> None:
    """VS Code joins a cell with the next one ("Join With Next Cell") by typing
    the next cell's text at the end of the cell, then deleting the next cell: its findings
    vanished with it, and the deleted cell's URI must be cleared."""
    async with notebook_review(tmp_path) as (_, client):
        client.notebook_document_did_open(open_params([("b", CELL_B, CODE), ("a", CELL_A, CODE)]))
        await saved(client)
        join = [_appended("b", 2, CELL_B, "\n\n" + CELL_A), _structure(1, 1, [], {}, ["a"])]
        _send(client, 2, join, at_once)
        # Both are a change: a had its finding, b only its own before the join.
        expected = ([], [span(JOINED, "/ len(rows)"), span(JOINED, "if row == None:")])
        assert await eventually(lambda: (_ranges(client, "a"), _ranges(client, "b")) == expected)
        await _fix_is_for(client, "b", 2, span(JOINED, "if row == None:"))


async def test_a_finding_whose_code_changed_on_its_way_to_a_new_cell_is_dropped(tmp_path) -> None:
    """Only unchanged code takes its findings along: a new cell with the line fixed has none,
    nor does a new cell that only repeats the code of a cell that stays."""
    async with notebook_review(tmp_path) as (_, client):
        client.notebook_document_did_open(open_params([("a", "import os", CODE), ("b", JOINED, CODE)]))
        await _saved(client, "b", 2)
        fixed = TAIL.replace("if row == None:", "if row is None:")
        _send(client, 2, [_structure(1, 1, ["b1", "b2"], {"b1": HEAD, "b2": fixed}, ["b"])], True)
        await asyncio.sleep(0.5)
        assert _ranges(client, "b1") == [span(HEAD, "/ len(rows)")]
        assert cell_diagnostics(client, "b2") == []
        # A copy of a cell that keeps its code (and its finding): the copy gets none.
        _send(client, 3, [_structure(2, 0, ["d"], {"d": HEAD})], True)
        await asyncio.sleep(0.5)
        assert cell_diagnostics(client, "d") == []
        assert _ranges(client, "b1") == [span(HEAD, "/ len(rows)")]


async def test_a_cell_written_whole_keeps_the_findings_of_the_code_it_left_as_it_was(tmp_path) -> None:
    """A cell's text replaced over its whole range (a formatter's edit, the first half of a
    split) is only what differs: as it came, every finding of the cell went."""
    async with notebook_review(tmp_path) as (_, client):
        client.notebook_document_did_open(open_params([("a", "import os", CODE), ("b", JOINED, CODE)]))
        await _saved(client, "b", 2)
        formatted = JOINED.replace("total = 0\n", "total = 0.0\n", 1)
        _send(client, 2, [_whole_cell("b", 2, JOINED, formatted)], True)
        await asyncio.sleep(0.5)
        assert _ranges(client, "b") == [span(formatted, "/ len(rows)"), span(formatted, "if row == None:")]


async def test_a_cell_cut_and_pasted_elsewhere_keeps_its_findings(tmp_path) -> None:
    """Cut and paste of a cell (Ctrl+X, Ctrl+V in command mode): the cell deleted, then a new
    cell (a new URI) with its text below another. Its findings went with the deleted cell."""
    async with notebook_review(tmp_path) as (_, client):
        client.notebook_document_did_open(open_params([("a", CELL_A, CODE), ("b", CELL_B, CODE)]))
        await _saved(client, "b", 1)
        moves = [_structure(0, 1, [], {}, ["a"]), _structure(1, 0, ["p"], {"p": CELL_A})]
        _send(client, 2, moves, False)
        expected = ([], [span(CELL_A, "if row == None:")])
        assert await eventually(lambda: (_ranges(client, "a"), _ranges(client, "p")) == expected)
        assert _ranges(client, "b") == [span(CELL_B, "/ len(rows)")]
        await _fix_is_for(client, "p", 1, span(CELL_A, "if row == None:"))
