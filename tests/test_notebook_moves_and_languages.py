"""Notebook cells moved and cells whose language changed: what the user sees stays put."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from lsprotocol import types as t

from tests.fake_deepseek import FakeDeepSeek
from tests.harness import document_state
from tests.test_notebooks import (
    CELL_A,
    CELL_B,
    CODE,
    MARKDOWN,
    NB,
    as_tuple,
    cell,
    cell_diagnostics,
    change_params,
    notebook_review,
    open_params,
    saved,
    span,
)
from tests.test_review_cli import CHAT, notebook_json, run
from tests.test_review_cli import project as cli_project

project = cli_project


async def test_a_moved_cell_keeps_its_own_findings(tmp_path) -> None:
    """VS Code moves a cell (Alt+Up, drag) as a change of the cells from its old place to its
    new one: the moved cell's code left the combined document and came back elsewhere, and its
    findings (a critical one here) vanished from the unchanged code until the next save."""
    async with notebook_review(tmp_path) as (_, client):
        client.notebook_document_did_open(
            open_params([("a", CELL_A, CODE), ("m", "Totals", MARKDOWN), ("b", CELL_B, CODE)])
        )
        await saved(client)
        # Cell b moved to the top (Alt+Up twice / drag).
        client.notebook_document_did_change(
            change_params(
                2,
                t.NotebookDocumentCellChanges(
                    structure=t.NotebookDocumentCellChangeStructure(
                        array=t.NotebookCellArrayChange(
                            start=0, delete_count=3,
                            cells=[cell("b"), cell("a"), cell("m", MARKDOWN)],
                        )
                    )
                ),
            )
        )
        await asyncio.sleep(0.5)
        assert [as_tuple(d.range) for d in cell_diagnostics(client, "a")] == [
            span(CELL_A, "if row == None:")
        ]
        assert [as_tuple(d.range) for d in cell_diagnostics(client, "b")] == [span(CELL_B, "/ len(rows)")]


async def test_setting_the_first_cells_language_keeps_the_notebook_in_its_kernels_language(
    tmp_path,
) -> None:
    """A Python notebook's first cell set to Shell (vscode-languageclient removes the cell and
    adds it back in its new language): the whole notebook was parsed as shell from then on,
    and every Python cell's diagnostics went."""
    async with notebook_review(tmp_path) as (_, client):
        client.notebook_document_did_open(
            open_params([("s", "ls -la", CODE), ("a", CELL_A, CODE), ("m", "Totals", MARKDOWN), ("b", CELL_B, CODE)])
        )
        await saved(client)
        # Cell s's language set to shellscript: vscode-languageclient removes and adds it.
        client.notebook_document_did_change(
            change_params(
                2,
                t.NotebookDocumentCellChanges(
                    structure=t.NotebookDocumentCellChangeStructure(
                        array=t.NotebookCellArrayChange(start=0, delete_count=1),
                        did_close=[t.TextDocumentIdentifier(uri=cell("s").document)],
                    )
                ),
            )
        )
        sh = t.TextDocumentItem(uri=cell("s").document, language_id="shellscript", version=2, text="ls -la")
        client.notebook_document_did_change(
            change_params(
                3,
                t.NotebookDocumentCellChanges(
                    structure=t.NotebookDocumentCellChangeStructure(
                        array=t.NotebookCellArrayChange(start=0, delete_count=0, cells=[cell("s")]),
                        did_open=[sh],
                    )
                ),
            )
        )
        state = await document_state(client, NB + "#cells")
        assert state["language"] == "python"
        await asyncio.sleep(0.5)
        assert [as_tuple(d.range) for d in cell_diagnostics(client, "a")] == [
            span(CELL_A, "if row == None:")
        ]
        assert [as_tuple(d.range) for d in cell_diagnostics(client, "b")] == [span(CELL_B, "/ len(rows)")]


def test_the_command_line_skips_jupyters_checkpoint_copies(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str]
) -> None:
    """Jupyter keeps a copy of every notebook it saved in ``.ipynb_checkpoints/``, often not in
    .gitignore (or no git at all): ``deepseek-lsp review .`` reviewed the stale copies too, paid
    for them, reported their findings beside the notebook's and failed the build on them."""
    cells = [("code", "import sqlite3"), ("code", "def find(db, sku):\n    if row == None:\n        return 0\n")]
    (project / "nb").mkdir()
    (project / "nb" / "analysis.ipynb").write_text(notebook_json(cells))
    (project / "nb" / ".ipynb_checkpoints").mkdir()
    (project / "nb" / ".ipynb_checkpoints" / "analysis-checkpoint.ipynb").write_text(
        notebook_json([cells[0], ("code", "def old(db):\n    if db == None:\n        return 0\n")])
    )
    code, out, _ = run(capsys, "nb", "--format", "json", "--fail-on", "never")
    assert code == 0
    assert [f["path"] for f in json.loads(out)["files"]] == ["nb/analysis.ipynb"]
    sent = "\n".join(r.json["messages"][-1]["content"] for r in fake_deepseek.requests_to(CHAT))
    assert "checkpoint" not in sent and "def old" not in sent
    # Nor as the untracked files of --changed.
    code, out, _ = run(capsys, "--changed", "--format", "json", "--fail-on", "never")
    assert [f["path"] for f in json.loads(out)["files"]] == ["nb/analysis.ipynb"]
