"""Notebooks: the cells kept as one percent-format document, and completions in a cell."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types as t

from deepseek_lsp.documents import DocumentStore
from deepseek_lsp.languages import LanguageRegistry
from deepseek_lsp.notebooks import Notebooks
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import eventually, lsp_session, server_env
from tests.review_support import Rule, finding_id, reviewer

NB = "file:///ws/analysis.ipynb"
CODE, MARKDOWN = t.NotebookCellKind.Code, t.NotebookCellKind.Markup


def cell_uri(name: str) -> str:
    return f"vscode-notebook-cell:/ws/analysis.ipynb#{name}"


def cell(name: str, kind: t.NotebookCellKind = CODE) -> t.NotebookCell:
    return t.NotebookCell(kind=kind, document=cell_uri(name))


def item(name: str, text: str, kind: t.NotebookCellKind = CODE) -> t.TextDocumentItem:
    return t.TextDocumentItem(
        uri=cell_uri(name),
        language_id="python" if kind == CODE else "markdown",
        version=1,
        text=text,
    )


def open_params(
    cells: list[tuple[str, str, t.NotebookCellKind]],
) -> t.DidOpenNotebookDocumentParams:
    return t.DidOpenNotebookDocumentParams(
        notebook_document=t.NotebookDocument(
            uri=NB,
            notebook_type="jupyter-notebook",
            version=1,
            cells=[cell(n, k) for n, _, k in cells],
        ),
        cell_text_documents=[item(n, text, k) for n, text, k in cells],
    )


def change_params(
    version: int, cells: t.NotebookDocumentCellChanges
) -> t.DidChangeNotebookDocumentParams:
    return t.DidChangeNotebookDocumentParams(
        notebook_document=t.VersionedNotebookDocumentIdentifier(version=version, uri=NB),
        change=t.NotebookDocumentChangeEvent(cells=cells),
    )


def edit(
    name: str, version: int, start: tuple[int, int], end: tuple[int, int], text: str
) -> t.NotebookDocumentCellChanges:
    rng = t.Range(start=t.Position(*start), end=t.Position(*end))
    return t.NotebookDocumentCellChanges(
        text_content=[
            t.NotebookDocumentCellContentChanges(
                document=t.VersionedTextDocumentIdentifier(uri=cell_uri(name), version=version),
                changes=[t.TextDocumentContentChangePartial(range=rng, text=text)],
            )
        ]
    )


def inline(name: str, line: int, character: int, invoked: bool = False) -> t.InlineCompletionParams:
    kind = (
        t.InlineCompletionTriggerKind.Invoked
        if invoked
        else t.InlineCompletionTriggerKind.Automatic
    )
    return t.InlineCompletionParams(
        text_document=t.TextDocumentIdentifier(uri=cell_uri(name)),
        position=t.Position(line, character),
        context=t.InlineCompletionContext(trigger_kind=kind),
    )


@pytest.fixture
def notebooks() -> Notebooks:
    return Notebooks(DocumentStore(LanguageRegistry.load()))


def test_cells_become_one_percent_format_document(notebooks: Notebooks) -> None:
    doc = notebooks.open(
        open_params(
            [
                ("m", "# Sales\nLoad the *monthly* data", MARKDOWN),
                ("a", "import pandas as pd\n", CODE),
                ("b", "df = pd.read_csv('sales.csv')", CODE),
            ]
        )
    )
    assert doc.text == (
        "# %% [markdown]\n# # Sales\n# Load the *monthly* data\n\n"
        "# %%\nimport pandas as pd\n\n\n"
        "# %%\ndf = pd.read_csv('sales.csv')\n\n"
    )
    assert doc.language is not None and doc.language.name == "python"
    target = notebooks.locate(cell_uri("b"))
    assert target is not None and target.code and target.doc is doc
    # Line 0 of cell b is the line after its header.
    assert doc.line_text(target.to_doc(t.Position(0, 0)).line) == "df = pd.read_csv('sales.csv')"
    assert notebooks.locate(cell_uri("m")).code is False  # type: ignore[union-attr]
    assert notebooks.locate("file:///ws/other.py") is None


def test_code_cells_place_a_review_range_in_its_cell(notebooks: Notebooks) -> None:
    doc = notebooks.open(
        open_params([("a", "x = 1\ny = 2", CODE), ("m", "Note", MARKDOWN), ("b", "z = 3", CODE)])
    )
    a, b = notebooks.code_cells(doc.uri)  # the markdown cell has no code to review
    assert (a.uri, a.first, a.lines, a.version) == (cell_uri("a"), 1, 2, 1)
    assert (b.uri, b.first, b.lines) == (cell_uri("b"), 8, 1)
    assert doc.line_text(b.first) == "z = 3" and not b.holds(7) and b.holds(8)
    inside = t.Range(start=t.Position(0, 0), end=t.Position(0, 5))
    assert b.to_cell(b.to_doc(inside), doc) == inside
    # A range that runs past the cell's last line ends at that line's end.
    across = t.Range(start=t.Position(2, 4), end=t.Position(5, 3))
    assert a.to_cell(across, doc) == t.Range(start=t.Position(1, 4), end=t.Position(1, 5))
    notebooks.change(change_params(2, edit("b", 7, (0, 0), (0, 0), "w = 0\n")))
    assert notebooks.code_cells(doc.uri)[1].version == 7  # a fix for the cell names it
    assert notebooks.code_cells("file:///ws/other.py") == []


def test_a_keystroke_in_a_cell_is_one_edit_of_the_combined_document(notebooks: Notebooks) -> None:
    notebooks.open(open_params([("a", "import os\n", CODE), ("b", "x = 1", CODE)]))
    doc = notebooks.change(change_params(2, edit("a", 2, (1, 0), (1, 0), "import sys")))
    assert doc is not None
    assert doc.text == "# %%\nimport os\nimport sys\n\n# %%\nx = 1\n\n"
    assert (
        len(doc.recent_edits) == 1
        and doc.recent_edits[0].new_end_byte - doc.recent_edits[0].start_byte == 10
    )
    # Lines added above a cell move it down.
    doc = notebooks.change(change_params(3, edit("a", 3, (1, 10), (1, 10), "\nimport re")))
    target = notebooks.locate(cell_uri("b"))
    assert target is not None and doc is not None
    assert doc.line_text(target.to_doc(t.Position(0, 0)).line) == "x = 1"
    assert doc.version == 3


def test_a_markdown_cell_edit_renders_its_comment_lines_again(notebooks: Notebooks) -> None:
    notebooks.open(open_params([("m", "Plot it", MARKDOWN), ("a", "x = 1", CODE)]))
    doc = notebooks.change(change_params(2, edit("m", 2, (0, 7), (0, 7), "\n\nby month")))
    assert doc is not None
    assert doc.text == "# %% [markdown]\n# Plot it\n#\n# by month\n\n# %%\nx = 1\n\n"


def test_the_first_code_cell_sets_the_language(notebooks: Notebooks) -> None:
    first = notebooks.open(open_params([("m", "Notes", MARKDOWN)]))
    assert first.language is None
    structure = t.NotebookDocumentCellChangeStructure(
        array=t.NotebookCellArrayChange(start=1, delete_count=0, cells=[cell("a")]),
        did_open=[item("a", "def f():\n    pass")],
    )
    doc = notebooks.change(change_params(2, t.NotebookDocumentCellChanges(structure=structure)))
    assert doc is not None and doc is not first
    assert doc.language is not None and doc.language.name == "python"
    assert doc.text == "# %% [markdown]\n# Notes\n\n# %%\ndef f():\n    pass\n\n"


def test_a_raw_cell_is_a_comment_and_does_not_set_the_language(notebooks: Notebooks) -> None:
    """VS Code opens a Jupyter raw cell (front matter, a cell kept from running) as a code cell
    of language "raw": the notebook stayed language-less (no tree, no context) behind one."""
    raw = t.TextDocumentItem(
        uri=cell_uri("r"), language_id="raw", version=1, text="---\ntitle: Sales\n---"
    )
    doc = notebooks.open(
        t.DidOpenNotebookDocumentParams(
            notebook_document=t.NotebookDocument(
                uri=NB, notebook_type="jupyter-notebook", version=1, cells=[cell("r"), cell("a")]
            ),
            cell_text_documents=[raw, item("a", "import math")],
        )
    )
    assert doc.language is not None and doc.language.name == "python"
    assert doc.text == "# %% [raw]\n# ---\n# title: Sales\n# ---\n\n# %%\nimport math\n\n"
    assert notebooks.locate(cell_uri("r")).code is False  # type: ignore[union-attr]


@pytest.mark.parametrize("typed", [False, True])
def test_a_cell_ending_in_a_lone_cr_keeps_the_cells_below_in_place(
    notebooks: Notebooks, typed: bool
) -> None:
    """A "\r" at a cell's end and the line break after it read as one break: every cell below
    was a line off (its suggestions written one line too high)."""
    first = "x = 1" if typed else "x = 1\r"
    notebooks.open(open_params([("a", first, CODE), ("b", "y = 2", CODE)]))
    if typed:
        doc = notebooks.change(change_params(2, edit("a", 2, (0, 5), (0, 5), "\r")))
    else:
        doc = notebooks.documents.get(notebooks.combined_uri(NB))
    target = notebooks.locate(cell_uri("b"))
    assert doc is not None and target is not None
    assert doc.line_text(target.to_doc(t.Position(0, 0)).line) == "y = 2"
    doc = notebooks.change(change_params(3, edit("b", 3, (0, 5), (0, 5), "0")))
    assert doc is not None and doc.line_text(target.to_doc(t.Position(0, 0)).line) == "y = 20"


class _Model:
    """What the combined document must be: the cells, rendered from scratch."""

    def __init__(self) -> None:
        self.cells: list[tuple[str, t.NotebookCellKind, str]] = []

    def text(self) -> str:
        out = []
        for _, kind, text in self.cells:
            if kind == CODE:
                out.append(f"# %%\n{text}\n\n")
            else:
                body = "\n".join(f"# {line}".rstrip() for line in text.split("\n"))
                out.append(f"# %% [markdown]\n{body}\n\n")
        return "".join(out)


def _random_text(rng: random.Random) -> str:
    words = [
        "x = 1",
        "def f(a):",
        "    return a",
        "import os",
        "",
        "if y:",
        "  pass",
        "print('é😀')",
    ]
    return "\n".join(rng.choice(words) for _ in range(rng.randint(1, 4)))


def _utf16(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


@pytest.mark.parametrize("seed", range(40))
def test_random_notebook_sessions_keep_the_combined_document_exact(seed: int) -> None:
    rng = random.Random(seed)
    store = DocumentStore(LanguageRegistry.load())
    notebooks = Notebooks(store)
    model = _Model()
    counter = 0

    def new_cell() -> tuple[str, t.NotebookCellKind, str]:
        nonlocal counter
        counter += 1
        return (f"c{counter}", CODE if rng.random() < 0.7 else MARKDOWN, _random_text(rng))

    model.cells = [("c0", CODE, "import os"), new_cell(), new_cell()]
    notebooks.open(open_params([(n, text, k) for n, k, text in model.cells]))
    for version in range(2, 40):
        op = rng.random()
        changes: t.NotebookDocumentCellChanges
        if op < 0.55 or len(model.cells) < 2:
            # An edit of one cell, anywhere in it, in UTF-16 positions.
            i = rng.randrange(len(model.cells))
            name, kind, text = model.cells[i]
            lines = text.split("\n")
            a_line = rng.randrange(len(lines))
            b_line = rng.randrange(a_line, min(len(lines), a_line + 2))
            a_char = rng.randint(0, len(lines[a_line]))
            b_char = rng.randint(0 if b_line > a_line else a_char, len(lines[b_line]))
            new = rng.choice(["", "z", "\n", "(a, b)", "\n    ", "é😀", "x\ny"])
            start = sum(len(x) + 1 for x in lines[:a_line]) + a_char
            end = sum(len(x) + 1 for x in lines[:b_line]) + b_char
            model.cells[i] = (name, kind, text[:start] + new + text[end:])
            changes = edit(
                name,
                version,
                (a_line, _utf16(lines[a_line][:a_char])),
                (b_line, _utf16(lines[b_line][:b_char])),
                new,
            )
        elif op < 0.75:
            at = rng.randint(0, len(model.cells))
            added = [new_cell() for _ in range(rng.randint(1, 2))]
            model.cells[at:at] = added
            changes = t.NotebookDocumentCellChanges(
                structure=t.NotebookDocumentCellChangeStructure(
                    array=t.NotebookCellArrayChange(
                        start=at, delete_count=0, cells=[cell(n, k) for n, k, _ in added]
                    ),
                    did_open=[item(n, text, k) for n, k, text in added],
                )
            )
        elif op < 0.88:
            at = rng.randrange(
                1, len(model.cells)
            )  # cell c0 stays: the notebook keeps its language
            gone = model.cells[at]
            del model.cells[at]
            changes = t.NotebookDocumentCellChanges(
                structure=t.NotebookDocumentCellChangeStructure(
                    array=t.NotebookCellArrayChange(start=at, delete_count=1, cells=[]),
                    did_close=[t.TextDocumentIdentifier(uri=cell_uri(gone[0]))],
                )
            )
        else:
            # A move: deleted and inserted in one change, no didOpen (VS Code moves cells so).
            src = rng.randrange(1, len(model.cells))
            moved = model.cells.pop(src)
            dst = rng.randint(1, len(model.cells))
            model.cells.insert(dst, moved)
            lo, hi = min(src, dst), max(src, dst)
            changes = t.NotebookDocumentCellChanges(
                structure=t.NotebookDocumentCellChangeStructure(
                    array=t.NotebookCellArrayChange(
                        start=lo,
                        delete_count=hi - lo + 1,
                        cells=[cell(n, k) for n, k, _ in model.cells[lo : hi + 1]],
                    )
                )
            )
        doc = notebooks.change(change_params(version, changes))
        assert doc is not None
        assert doc.text == model.text(), f"seed {seed} version {version}"
        for name, kind, text in model.cells:
            target = notebooks.locate(cell_uri(name))
            assert target is not None and target.code == (kind == CODE)
            if kind == CODE:
                first = target.to_doc(t.Position(0, 0)).line
                assert doc.line_text(first) == text.split("\n")[0]
    assert doc.tree is not None and doc.language is not None
    assert str(doc.tree.root_node) == str(doc.language.parser().parse(doc.data).root_node)
    assert notebooks.close(NB) is doc
    assert store.get(doc.uri) is None and notebooks.locate(cell_uri("c0")) is None


# -- end to end ------------------------------------------------------------------------------


async def test_completion_in_a_notebook_cell_sees_the_cells_above_and_lands_in_the_cell(
    tmp_path,
) -> None:
    with FakeDeepSeek() as fake:
        fake.script("df.groupby('month').sum()\n\n# %%\nplot(df)")
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path))
        # No prefetch: each request below is then the one the test makes.
        async with lsp_session(
            env, settings={"completion": {"debounce": 0, "prefetch": False}}
        ) as client:
            sync = client.init_result.capabilities.notebook_document_sync  # type: ignore[attr-defined]
            assert sync is not None, "the server must offer notebook sync"
            client.notebook_document_did_open(
                open_params(
                    [
                        ("a", "import pandas as pd\n\ndf = pd.read_csv('sales.csv')", CODE),
                        ("m", "Total sales per month", MARKDOWN),
                        ("b", "totals = ", CODE),
                        ("c", "print(totals)", CODE),
                    ]
                )
            )
            result = await client.text_document_inline_completion_async(inline("b", 0, 9))
            # What the model wrote after this cell (the next cell's header on) is not this cell's.
            assert [i.insert_text for i in result.items] == ["df.groupby('month').sum()"]
            assert result.items[0].range == t.Range(t.Position(0, 9), t.Position(0, 9))
            body = fake.requests_to("/beta/completions")[0].json
            assert "import pandas as pd\n\ndf = pd.read_csv('sales.csv')\n" in body["prompt"]
            assert body["prompt"].endswith(
                "# %% [markdown]\n# Total sales per month\n\n# %%\ntotals = "
            )
            assert body["suffix"].startswith("\n\n# %%\nprint(totals)")
            assert "# Path: analysis.ipynb" in body["prompt"]

            # Typing in the cell moves the combined document on: the next request is for the new text.
            client.notebook_document_did_change(
                change_params(2, edit("b", 2, (0, 9), (0, 9), "df.agg"))
            )
            fake.script("('sum')")
            result = await client.text_document_inline_completion_async(inline("b", 0, 15))
            assert [i.insert_text for i in result.items] == ["('sum')"]
            assert result.items[0].range == t.Range(t.Position(0, 15), t.Position(0, 15))
            assert (
                fake.requests_to("/beta/completions")[-1]
                .json["prompt"]
                .endswith("# %%\ntotals = df.agg")
            )

            # The completion menu's item (clients without inline completion) edits the cell too,
            # from the cache: the same question in the same cell.
            menu = await client.text_document_completion_async(
                t.CompletionParams(
                    text_document=t.TextDocumentIdentifier(uri=cell_uri("b")),
                    position=t.Position(0, 15),
                )
            )
            assert menu is not None and menu.items
            assert menu.items[0].text_edit.range == t.Range(t.Position(0, 12), t.Position(0, 15))
            assert menu.items[0].text_edit.new_text == "agg('sum')"

            # A markdown cell is prose: nothing is asked.
            asked = len(fake.requests_to("/beta/completions"))
            result = await client.text_document_inline_completion_async(
                inline("m", 0, 5, invoked=True)
            )
            assert not result.items
            assert len(fake.requests_to("/beta/completions")) == asked

            # A new, empty cell asks for a block, as an empty function body does.
            client.notebook_document_did_change(
                change_params(
                    3,
                    t.NotebookDocumentCellChanges(
                        structure=t.NotebookDocumentCellChangeStructure(
                            array=t.NotebookCellArrayChange(
                                start=4, delete_count=0, cells=[cell("d")]
                            ),
                            did_open=[item("d", "")],
                        )
                    ),
                )
            )
            fake.script(
                "for month, total in totals.items():\n    print(month, total)\n\n# %%\nplot(totals)"
            )
            result = await client.text_document_inline_completion_async(inline("d", 0, 0))
            assert [i.insert_text for i in result.items] == [
                "for month, total in totals.items():\n    print(month, total)"
            ]
            last = fake.requests_to("/beta/completions")[-1].json
            assert last["stop"] != ["\n"] and last["prompt"].endswith(
                "# %%\nprint(totals)\n\n# %%\n"
            )

            client.notebook_document_did_close(
                t.DidCloseNotebookDocumentParams(
                    notebook_document=t.NotebookDocumentIdentifier(uri=NB),
                    cell_text_documents=[t.TextDocumentIdentifier(uri=cell_uri(n)) for n in "ambc"],
                )
            )
            result = await client.text_document_inline_completion_async(
                inline("b", 0, 15, invoked=True)
            )
            assert not result.items


@pytest.mark.parametrize("told", ["after the open", "before the open", "before the cell came"])
async def test_a_cells_editor_indenting_with_tabs_gets_a_block_in_tabs(tmp_path, told: str) -> None:
    """A notebook with no indented line yet, its cell editor set to tabs (VS Code's Indent
    Using Tabs): the editor's indentation is told for the cell's URI, and the block under the tab
    VS Code typed comes in tabs. It was kept under the cell's URI, which no request reads (the
    cells are one document to the prompts): Python's four spaces under a tab, a TabError. VS
    Code tells a cell's editor as it becomes active, which may be before the notebook's open, or
    the change adding the cell (a notebook of notes only: its first code cell), reaches the
    server: a URI it knew no cell of, and the same four spaces."""
    tabs = {"insertSpaces": False, "tabSize": 4, "indentSize": 4}
    with FakeDeepSeek() as fake:
        fake.script("if x < 0:\n        return 0\n    return x")
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path))
        async with lsp_session(
            env, settings={"completion": {"debounce": 0, "prefetch": False}}
        ) as client:

            def tell() -> None:
                client.protocol.notify(
                    "deepseek/editorIndentation", {"textDocument": {"uri": cell_uri("b")}, **tabs}
                )

            if told != "after the open":
                tell()
            if told == "before the cell came":
                client.notebook_document_did_open(open_params([("m", "Notes", MARKDOWN)]))
                structure = t.NotebookDocumentCellChangeStructure(
                    array=t.NotebookCellArrayChange(start=1, delete_count=0, cells=[cell("b")]),
                    did_open=[item("b", "def clamp(x):\n\t")],
                )
                client.notebook_document_did_change(
                    change_params(2, t.NotebookDocumentCellChanges(structure=structure))
                )
            else:
                client.notebook_document_did_open(
                    open_params([("a", "import math", CODE), ("b", "def clamp(x):\n\t", CODE)])
                )
            if told == "after the open":
                tell()
            result = await client.text_document_inline_completion_async(inline("b", 1, 1))
            assert [i.insert_text for i in result.items] == ["if x < 0:\n\t\treturn 0\n\treturn x"]


@pytest.mark.parametrize(("prefetch", "enters"), [(True, 0), (False, 1)])
async def test_after_accepting_a_block_cut_at_the_next_cell_the_cell_gets_more(
    tmp_path, prefetch: bool, enters: int
) -> None:
    """The model wrote a block and went on into a next cell of its own. What was cut off must
    not live on in the caches: the typing-through cache held the uncut answer, served its rest
    (the made-up cell) after the accept, cut it to nothing, and the model was never asked."""
    answer = "totals = df.groupby('month').sum()\nprint(totals)\n\n# %%\ntotals.plot()"
    shown = "totals = df.groupby('month').sum()\nprint(totals)"
    with FakeDeepSeek() as fake:
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path))
        async with lsp_session(
            env, settings={"completion": {"debounce": 0, "prefetch": prefetch}}
        ) as client:
            client.notebook_document_did_open(
                open_params(
                    [
                        ("a", "import pandas as pd\n\ndf = pd.read_csv('sales.csv')", CODE),
                        ("b", "", CODE),
                        ("c", "df.describe()", CODE),
                    ]
                )
            )
            fake.script(answer)
            # Then (the prefetch, the next request): the next line, after a line break if due.
            fake.responder(
                lambda body: {
                    "text": "\ntotals.plot()" if body["prompt"].endswith(")") else "totals.plot()"
                }
            )
            result = await client.text_document_inline_completion_async(inline("b", 0, 0))
            assert [i.insert_text for i in result.items] == [shown]
            first = fake.requests_to("/beta/completions")[0].json
            assert "\n# %%" in first["stop"]  # the model stops where the next cell would start
            item = result.items[0]
            client.notebook_document_did_change(
                change_params(2, edit("b", 2, (0, 0), (0, 0), item.insert_text))
            )
            await client.workspace_execute_command_async(
                t.ExecuteCommandParams(
                    command=item.command.command, arguments=item.command.arguments
                )
            )
            line, col, version = 1, len("print(totals)"), 3
            for _ in range(enters):
                client.notebook_document_did_change(
                    change_params(version, edit("b", version, (line, col), (line, col), "\n"))
                )
                line, col, version = line + 1, 0, version + 1
            result = await client.text_document_inline_completion_async(inline("b", line, col))
            assert [i.insert_text for i in result.items] == [
                "\ntotals.plot()" if col else "totals.plot()"
            ]


CELL_A = "import sqlite3\n\ndef find(db, sku):\n    row = db.get(sku)\n    if row == None:\n        return 0\n    return row"
CELL_B = "total = 0\nfor r in rows:\n    total = total + r['qty'] / len(rows)"
NOTEBOOK_RULES = (
    Rule("if row == None:", "warning", "Compare with None using 'is'.", "if row is None:"),
    Rule("/ len(rows)", "critical", "Division by zero when rows is empty."),
)
REVIEW_SETTINGS = {"review": {"mode": "onSave", "maxRetries": 1}}


@asynccontextmanager
async def notebook_review(tmp_path: Path) -> AsyncIterator[tuple[FakeDeepSeek, Any]]:
    """A server reviewing on save, its backend a fake that finds ``NOTEBOOK_RULES``."""
    with FakeDeepSeek() as fake:
        fake.responder(reviewer(NOTEBOOK_RULES), path="/chat/completions")
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path))
        async with lsp_session(env, settings=REVIEW_SETTINGS) as client:
            yield fake, client


def reviewed_notebook(client: Any) -> None:
    client.notebook_document_did_open(
        open_params([("a", CELL_A, CODE), ("m", "Totals per *sku*", MARKDOWN), ("b", CELL_B, CODE)])
    )


def span(text: str, needle: str) -> tuple[int, int, int, int]:
    i = text.index(needle)
    line, col = text.count("\n", 0, i), i - (text.rfind("\n", 0, i) + 1)
    return line, col, line, col + len(needle)


def as_tuple(rng: t.Range) -> tuple[int, int, int, int]:
    return rng.start.line, rng.start.character, rng.end.line, rng.end.character


def cell_diagnostics(client: Any, name: str) -> list[t.Diagnostic]:
    return list(client.diagnostics.get(cell_uri(name), []))


async def quick_fixes(client: Any, name: str) -> list[Any]:
    """The code actions for the cell's one diagnostic, as the editor asks for them."""
    (diagnostic,) = cell_diagnostics(client, name)
    return await client.text_document_code_action_async(
        t.CodeActionParams(
            text_document=t.TextDocumentIdentifier(uri=cell_uri(name)),
            range=diagnostic.range,
            context=t.CodeActionContext(diagnostics=[diagnostic]),
        )
    )


async def saved(client: Any) -> None:
    client.notebook_document_did_save(
        t.DidSaveNotebookDocumentParams(notebook_document=t.NotebookDocumentIdentifier(uri=NB))
    )
    assert await eventually(
        lambda: cell_diagnostics(client, "a") and cell_diagnostics(client, "b"), timeout=10
    )


async def test_a_saved_notebook_is_reviewed_with_findings_in_its_cells(tmp_path) -> None:
    async with notebook_review(tmp_path) as (fake, client):
        assert client.init_result.capabilities.notebook_document_sync.save is True  # type: ignore[attr-defined]
        reviewed_notebook(client)
        await saved(client)
        (a,) = cell_diagnostics(client, "a")
        (b,) = cell_diagnostics(client, "b")
        # In each cell's own lines, on the quoted code.
        assert as_tuple(a.range) == span(CELL_A, "if row == None:")
        assert as_tuple(b.range) == span(CELL_B, "/ len(rows)")
        assert b.severity == t.DiagnosticSeverity.Error
        assert client.diagnostics.get(NB + "#cells") is None  # the editor knows no such file
        assert client.diagnostics.get(cell_uri("m")) is None
        prompts = " ".join(
            r.json["messages"][-1]["content"] for r in fake.requests_to("/chat/completions")
        )
        # Reviewed as one file named after the notebook, the markdown as comments.
        assert "analysis.ipynb" in prompts and "#cells" not in prompts
        assert "# Totals per *sku*" in prompts

        # An edit above a finding moves it within its cell; the other cell's stays.
        client.notebook_document_did_change(
            change_params(2, edit("a", 2, (0, 0), (0, 0), "import json\n"))
        )
        a_line = span(CELL_A, "if row == None:")[0] + 1
        assert await eventually(
            lambda: cell_diagnostics(client, "a")[0].range.start.line == a_line
        )
        assert as_tuple(cell_diagnostics(client, "b")[0].range) == span(CELL_B, "/ len(rows)")

        # The quick fix edits the cell, at the cell's version.
        fix = (await quick_fixes(client, "a"))[0]
        assert fix.title == "Apply DeepSeek fix"
        (doc_edit,) = fix.edit.document_changes
        assert doc_edit.text_document.uri == cell_uri("a")
        assert doc_edit.text_document.version == 2
        (text_edit,) = doc_edit.edits
        assert as_tuple(text_edit.range) == (a_line, 4, a_line, 4 + len("if row == None:"))
        assert text_edit.new_text == "if row is None:"

        # Ignore from the other cell: its diagnostic goes.
        (b,) = cell_diagnostics(client, "b")
        actions = await quick_fixes(client, "b")
        assert [a.title for a in actions] == [  # nothing to apply: no suggestion
            "Ignore this DeepSeek finding",
            "Review this file again with DeepSeek",
        ]
        # (lsprotocol reads a CodeAction that carries a command back as a Command, whose
        # command is the text of the one sent: it names the cell.)
        assert f"'arguments': ['{cell_uri('b')}', '{finding_id(b)}']" in str(actions[0].command)
        assert await client.workspace_execute_command_async(
            t.ExecuteCommandParams(
                command="deepseek.review.ignore", arguments=[cell_uri("b"), finding_id(b)]
            )
        )
        assert await eventually(lambda: cell_diagnostics(client, "b") == [])
        assert len(cell_diagnostics(client, "a")) == 1


async def test_a_deleted_cell_and_a_closed_notebook_lose_their_diagnostics(tmp_path) -> None:
    async with notebook_review(tmp_path) as (_, client):
        reviewed_notebook(client)
        await saved(client)
        client.notebook_document_did_change(
            change_params(
                2,
                t.NotebookDocumentCellChanges(
                    structure=t.NotebookDocumentCellChangeStructure(
                        array=t.NotebookCellArrayChange(start=2, delete_count=1, cells=[]),
                        did_close=[t.TextDocumentIdentifier(uri=cell_uri("b"))],
                    )
                ),
            )
        )
        assert await eventually(lambda: cell_diagnostics(client, "b") == [])
        assert len(cell_diagnostics(client, "a")) == 1
        client.notebook_document_did_close(
            t.DidCloseNotebookDocumentParams(
                notebook_document=t.NotebookDocumentIdentifier(uri=NB),
                cell_text_documents=[t.TextDocumentIdentifier(uri=cell_uri(n)) for n in "am"],
            )
        )
        assert await eventually(lambda: cell_diagnostics(client, "a") == [])


async def test_review_file_from_a_cell_reviews_its_notebook(tmp_path) -> None:
    with FakeDeepSeek() as fake:
        fake.responder(reviewer(NOTEBOOK_RULES), path="/chat/completions")
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path))
        async with lsp_session(env, settings={"review": {"mode": "onCommand"}}) as client:
            reviewed_notebook(client)
            client.notebook_document_did_save(  # onCommand: a save is not reviewed
                t.DidSaveNotebookDocumentParams(notebook_document=t.NotebookDocumentIdentifier(uri=NB))
            )
            answer = await client.workspace_execute_command_async(
                t.ExecuteCommandParams(command="deepseek.reviewFile", arguments=[cell_uri("b")])
            )
            assert answer["ok"] is True and answer["findings"] == 2
            assert len(fake.requests_to("/chat/completions")) >= 1
            assert len(cell_diagnostics(client, "a")) == 1
            assert len(cell_diagnostics(client, "b")) == 1
