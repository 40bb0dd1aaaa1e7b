"""Notebook sync edge cases: what the editor sends must leave the combined document equal to the
cells, and a notebook's review must only ever speak about its code cells."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
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
    REVIEW_SETTINGS,
    as_tuple,
    cell,
    cell_diagnostics,
    cell_uri,
    change_params,
    edit,
    inline,
    notebook_review,
    open_params,
    saved,
    span,
)
from tests.test_unicode_edits import Utf16Client


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


def _cell_line(notebooks: Notebooks, name: str) -> bytes:
    """The combined document's first line of cell ``name``, as bytes (lone halves and all)."""
    target = notebooks.locate(cell_uri(name))
    assert target is not None
    return target.doc.line_bytes(target.shift)


def test_an_emoji_changed_in_its_low_surrogate_only_in_a_cell_stays_one_emoji(
    notebooks: Notebooks,
) -> None:
    """VS Code diffs a cell's text by UTF-16 unit: 😀 to 😁 (DE00 to DE01) is one unit. The
    cell's range was moved to the emoji's start before being shifted into the combined
    document, which stored a lone half (U+FFFD to the model) and put every later keystroke on
    the line a column off, while the cell itself was right."""
    notebooks.open(open_params([("a", "s = '😀'; y", CODE), ("b", "z = 1", CODE)]))
    notebooks.change(change_params(2, edit("a", 2, (0, 6), (0, 7), "\ude01")))
    assert _cell_line(notebooks, "a") == "s = '😁'; y".encode()
    notebooks.change(change_params(3, edit("a", 3, (0, 7), (0, 7), "x")))
    assert _cell_line(notebooks, "a") == "s = '😁x'; y".encode()
    assert _cell_line(notebooks, "b") == b"z = 1"


_UNITS = st.sampled_from([0x61, 0xE9, 0x4E2D, 0xD83D, 0xDE00, 0xDE01, 0xD83E])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.text(alphabet="ab😀é中🚀", max_size=8),
    st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1), st.lists(_UNITS, max_size=2)), min_size=1, max_size=6),
)
def test_random_utf16_unit_edits_in_a_cell_keep_the_combined_document_the_cells(
    text: str, edits: list[tuple[float, float, list[int]]]
) -> None:
    notebooks = Notebooks(DocumentStore(LanguageRegistry.load()))
    client = Utf16Client(text)
    notebooks.open(open_params([("a", text, CODE), ("b", "z = 1", CODE)]))
    for version, (a, b, new) in enumerate(edits, 2):
        start, end = sorted((int(a * len(client.units)), int(b * len(client.units))))
        change = t.NotebookDocumentCellChanges(
            text_content=[
                t.NotebookDocumentCellContentChanges(
                    document=t.VersionedTextDocumentIdentifier(uri=cell_uri("a"), version=version),
                    changes=[client.replace(start, end, new)],
                )
            ]
        )
        notebooks.change(change_params(version, change))
        assert _cell_line(notebooks, "a") == client.data()
        assert _cell_line(notebooks, "b") == b"z = 1"


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
    async with notebook_review(tmp_path) as (_, client):
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


async def test_a_line_past_a_cells_last_gets_no_suggestion_from_the_next_cell(tmp_path) -> None:
    """A request on a line the cell does not have (a client out of step with it) was answered
    at that line of the combined document (the blank line closing the cell, then the next
    cell's header and code): asked for and billed, and placed in this cell where it has no line."""
    with FakeDeepSeek() as fake:
        fake.script("print(x)")
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path))
        async with lsp_session(env, settings={"completion": {"debounce": 0, "prefetch": False}}) as client:
            client.notebook_document_did_open(open_params([("a", "x = 1", CODE), ("b", "y = 2", CODE)]))
            result = await client.text_document_inline_completion_async(inline("a", 1, 0))
            assert not result.items
            menu = await client.text_document_completion_async(
                t.CompletionParams(text_document=t.TextDocumentIdentifier(uri=cell_uri("a")), position=t.Position(1, 0))
            )
            assert menu is None or not menu.items
            assert fake.requests_to("/beta/completions") == []
            # The cell's own last line is answered.
            result = await client.text_document_inline_completion_async(inline("a", 0, 5))
            assert [i.insert_text for i in result.items] == ["print(x)"]
