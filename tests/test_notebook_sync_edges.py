"""Notebook sync edge cases: what the editor sends must leave the combined document equal to the
cells, and a notebook's review must only ever speak about its code cells."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types as t

from deepseek_lsp.documents import DocumentStore
from deepseek_lsp.languages import LanguageRegistry
from deepseek_lsp.notebooks import Notebooks
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import document_state, lsp_session, server_env
from tests.review_support import Rule, reviewer, track_publishes
from tests.test_notebooks import (
    CELL_A,
    CELL_B,
    CODE,
    MARKDOWN,
    NB,
    NOTEBOOK_RULES,
    REVIEW_SETTINGS,
    as_tuple,
    cell,
    cell_diagnostics,
    cell_uri,
    change_params,
    edit,
    open_params,
    saved,
    span,
)


@pytest.fixture
def notebooks() -> Notebooks:
    return Notebooks(DocumentStore(LanguageRegistry.load()))


@pytest.mark.parametrize(
    ("start", "end", "new", "after"),
    [
        # Neovim-style: the end of the buffer is the line after the last one.
        ((0, 5), (1, 0), "\nz = 3", "x = 1\nz = 3"),
        # Lines past the end clamp to the cell's end, as they do in a plain document.
        ((0, 0), (7, 2), "w = 0", "w = 0"),
        ((4, 0), (4, 0), "  # done", "x = 1  # done"),
    ],
)
def test_a_cell_edit_whose_range_runs_past_the_cell_stays_in_the_cell(
    notebooks: Notebooks,
    start: tuple[int, int],
    end: tuple[int, int],
    new: str,
    after: str,
) -> None:
    """A range past a cell's last line is the cell's end: shifted as it was into the combined
    document, it ran into the next cell and ate its header and code (completions and reviews
    then saw cells that were no longer there)."""
    notebooks.open(open_params([("a", "x = 1", CODE), ("b", "y = 2", CODE)]))
    doc = notebooks.change(change_params(2, edit("a", 2, start, end, new)))
    assert doc is not None
    assert doc.text == f"# %%\n{after}\n\n# %%\ny = 2\n\n"
    target = notebooks.locate(cell_uri("b"))
    assert target is not None
    assert doc.line_text(target.to_doc(t.Position(0, 0)).line) == "y = 2"


@pytest.mark.parametrize("to_code", [True, False])
def test_a_cell_kind_changed_in_the_cells_data_is_rendered_as_its_new_kind(
    notebooks: Notebooks, to_code: bool
) -> None:
    """LSP sends a cell's new kind in ``cells.data`` ("changes to notebook cells properties like
    its kind"): it was ignored, so a cell turned into code stayed prose (no completion in it,
    not reviewed) and a cell turned into markdown was still sent and reviewed as code."""
    old, new = (MARKDOWN, CODE) if to_code else (CODE, MARKDOWN)
    notebooks.open(open_params([("a", "import os", CODE), ("c", "print(os.sep)", old)]))
    doc = notebooks.change(
        change_params(2, t.NotebookDocumentCellChanges(data=[cell("c", new)]))
    )
    assert doc is not None
    target = notebooks.locate(cell_uri("c"))
    assert target is not None and target.code is to_code
    rendered = "# %%\nprint(os.sep)\n\n" if to_code else "# %% [markdown]\n# print(os.sep)\n\n"
    assert doc.text == "# %%\nimport os\n\n" + rendered
    assert [c.uri for c in notebooks.code_cells(doc.uri)] == (
        [cell_uri("a"), cell_uri("c")] if to_code else [cell_uri("a")]
    )


async def test_a_notebook_without_code_cells_is_not_reviewed_nor_given_diagnostics(
    tmp_path,
) -> None:
    """A notebook of markdown cells only was sent to the review model on save (billed for
    prose) and its findings published to ``<notebook>#cells``, a URI the editor never opened."""
    with FakeDeepSeek() as fake:
        fake.responder(reviewer((Rule("TODO", "warning", "Unfinished."),)), path="/chat/completions")
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path))
        async with lsp_session(env, settings=REVIEW_SETTINGS) as client:
            published = track_publishes(client)
            client.notebook_document_did_open(
                open_params([("m", "# Plan\nTODO load the data", MARKDOWN), ("n", "TODO plot", MARKDOWN)])
            )
            client.notebook_document_did_save(
                t.DidSaveNotebookDocumentParams(notebook_document=t.NotebookDocumentIdentifier(uri=NB))
            )
            answer = await client.workspace_execute_command_async(
                t.ExecuteCommandParams(command="deepseek.reviewFile", arguments=[cell_uri("m")])
            )
            assert answer["ok"] is False and "code" in answer["reason"]
            await asyncio.sleep(1.0)  # a review on save would have been asked by now
            assert fake.requests_to("/chat/completions") == []
            assert [p.uri for p in published if p.uri == NB + "#cells"] == []
            client.notebook_document_did_close(
                t.DidCloseNotebookDocumentParams(
                    notebook_document=t.NotebookDocumentIdentifier(uri=NB),
                    cell_text_documents=[t.TextDocumentIdentifier(uri=cell_uri(n)) for n in "mn"],
                )
            )
            await asyncio.sleep(0.3)
            assert [p.uri for p in published if p.uri == NB + "#cells"] == []


async def test_moving_a_cell_keeps_the_findings_of_the_cells_it_passes(tmp_path) -> None:
    """VS Code moves a cell as one change of the cells from its old place to its new one. The
    whole span was written again, so every finding in the cells passed over (untouched code)
    vanished until the next save."""
    with FakeDeepSeek() as fake:
        fake.responder(reviewer(NOTEBOOK_RULES), path="/chat/completions")
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path))
        async with lsp_session(env, settings=REVIEW_SETTINGS) as client:
            client.notebook_document_did_open(
                open_params(
                    [
                        ("a", CELL_A, CODE),
                        ("m", "Totals per *sku*", MARKDOWN),
                        ("b", CELL_B, CODE),
                        ("c", "print(total)", CODE),
                    ]
                )
            )
            await saved(client)
            before = {n: [as_tuple(d.range) for d in cell_diagnostics(client, n)] for n in "ab"}
            assert before == {"a": [span(CELL_A, "if row == None:")], "b": [span(CELL_B, "/ len(rows)")]}
            # Cell c dragged from the bottom to the top.
            client.notebook_document_did_change(
                change_params(
                    2,
                    t.NotebookDocumentCellChanges(
                        structure=t.NotebookDocumentCellChangeStructure(
                            array=t.NotebookCellArrayChange(
                                start=0,
                                delete_count=4,
                                cells=[cell("c"), cell("a"), cell("m", MARKDOWN), cell("b")],
                            )
                        )
                    ),
                )
            )
            state = await document_state(client, NB + "#cells")
            assert state["text"].startswith("# %%\nprint(total)\n\n# %%\nimport sqlite3\n")
            await asyncio.sleep(0.5)  # the diagnostics of the change are published by now
            after = {n: [as_tuple(d.range) for d in cell_diagnostics(client, n)] for n in "ab"}
            assert after == before
