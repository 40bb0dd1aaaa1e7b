"""Notebooks (LSP 3.17 notebook sync) kept as one document: the cells in order, in the percent
format that Jupytext, VS Code and Spyder read (``# %%`` before a code cell, ``# %% [markdown]``
before a markdown cell, whose lines become comments).

A completion in a cell then sees what Copilot's does: the imports and definitions of the cells
above it, the markdown that says what the next cell is for, and the cells below as the suffix.
Everything built for files (tree-sitter, context, prompt windows, the caches) works on that
document unchanged. A code cell's lines are copied verbatim, so a position in a cell is the
same character on a line shifted by the lines above it, and a keystroke in a cell is one
incremental edit of the combined document.

Reviews read the combined document too (a notebook is reviewed when it is saved); their
diagnostics and quick fixes are placed back in the cells (:meth:`Notebooks.code_cells`).
"""

from __future__ import annotations

import bisect
import json
import logging
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from lsprotocol import types

from .documents import Document, DocumentStore

log = logging.getLogger(__name__)

#: Appended to a notebook's URI for its combined document, so it never collides with the
#: notebook file opened as text (its JSON) at the same time.
SUFFIX = "#cells"
_BREAK = re.compile(r"\r\n|\r|\n")
#: Lines of a cell's block that are not its body: the header and the blank line after it.
_FRAME = 2


def _lines(text: str) -> int:
    """How many lines LSP sees in ``text`` (a text without a break is one line)."""
    return len(_BREAK.findall(text)) + 1


#: Cells kept as comments under a tagged header: VS Code opens a Jupyter raw cell (YAML front
#: matter, a cell kept from running) as a code cell of language "raw".
_TAGGED = {"raw": "raw"}


@dataclass
class _Cell:
    uri: str
    code: bool
    #: The cell's own text, kept to render it again (markdown) or move it.
    doc: Document
    #: Lines of the cell's body in the combined document (its header line not included).
    lines: int = 1


@dataclass(frozen=True)
class CellTarget:
    """Where a position of a cell is in its notebook's combined document."""

    doc: Document
    #: Lines of the combined document above the cell's first line.
    shift: int
    #: Only code cells get completions; a markdown cell is prose.
    code: bool
    #: The cell holds nothing but blanks: a new cell, where a block of code is asked for.
    empty: bool = False
    #: The cell's lines, as LSP counts them (the one after a final line break too).
    lines: int = 1

    def has_line(self, line: int) -> bool:
        """Whether the cell has ``line``: one past it is another cell's in the combined document."""
        return 0 <= line < self.lines

    def to_doc(self, position: types.Position) -> types.Position:
        return types.Position(line=position.line + self.shift, character=position.character)

    def range_to_doc(self, rng: types.Range) -> types.Range:
        return _moved(rng, self.shift)

    def to_cell(self, rng: types.Range) -> types.Range:
        return _moved(rng, -self.shift)


@dataclass(frozen=True)
class CellSpan:
    """A code cell's lines in its notebook's combined document."""

    uri: str
    version: int | None
    #: The cell's place among all the notebook's cells (markdown ones too), from 0.
    index: int
    #: The combined document's line holding the cell's first line.
    first: int
    lines: int

    def holds(self, line: int) -> bool:
        return self.first <= line < self.first + self.lines

    def to_doc(self, rng: types.Range) -> types.Range:
        return _moved(rng, self.first)

    def to_cell(self, rng: types.Range, doc: Document) -> types.Range:
        """``rng`` of the combined document ``doc`` in the cell's own lines, its end cut at the
        cell's last line (a quote the model took across the next cell's header)."""
        last = self.first + self.lines - 1
        end = rng.end if rng.end.line <= last else doc.position_at(doc.line_end(last))
        return _moved(types.Range(start=rng.start, end=end), -self.first)


def _moved(rng: types.Range, lines: int) -> types.Range:
    return types.Range(
        start=types.Position(line=rng.start.line + lines, character=rng.start.character),
        end=types.Position(line=rng.end.line + lines, character=rng.end.character),
    )


class _Notebook:
    def __init__(self, uri: str, comment: str) -> None:
        self.uri = uri
        self.comment = comment
        self.cells: list[_Cell] = []
        #: Changes of the cells themselves (added, removed, moved, of another kind), counted.
        self.restructures = 0

    def render(self, cell: _Cell) -> str:
        """The cell as it stands in the combined document: its header line, its body and a
        blank line (as cells are laid out in percent-format files)."""
        tag = "" if cell.code else f" [{_TAGGED.get(cell.doc.language_id or '', 'markdown')}]"
        return f"{cell_marker(self.comment)}{tag}\n{_terminated(self.body(cell))}\n"

    def body(self, cell: _Cell) -> str:
        text = cell.doc.text
        if cell.code:
            return text
        return "\n".join(f"{self.comment} {line}".rstrip() for line in _BREAK.split(text))

    def placed(self) -> Iterator[tuple[int, _Cell, int]]:
        """Each cell with its place among the cells and its first line in the combined
        document (the line after its header)."""
        line = 0
        for index, cell in enumerate(self.cells):
            yield index, cell, line + 1
            line += cell.lines + _FRAME

    def header_line(self, index: int) -> int:
        return sum(cell.lines + _FRAME for cell in self.cells[:index])

    def text(self) -> str:
        return "".join(self.render(cell) for cell in self.cells)


class Notebooks:
    """The open notebooks, each mirrored as one document of the :class:`DocumentStore`."""

    def __init__(self, documents: DocumentStore) -> None:
        self.documents = documents
        self._books: dict[str, _Notebook] = {}
        self._cell_book: dict[str, str] = {}

    def combined_uri(self, notebook_uri: str) -> str:
        return notebook_uri + SUFFIX

    def is_combined(self, uri: str) -> bool:
        return self._combined_book(uri) is not None

    def marker(self, uri: str) -> str | None:
        """The line that starts a cell in ``uri``, if it is a notebook's combined document."""
        book = self._combined_book(uri)
        return cell_marker(book.comment) if book is not None else None

    def restructures(self, uri: str) -> int:
        """How many times the cells of the combined document ``uri`` were added, removed,
        moved or changed kind (0 for another URI)."""
        book = self._combined_book(uri)
        return book.restructures if book is not None else 0

    def _combined_book(self, uri: str) -> _Notebook | None:
        return self._books.get(uri[: -len(SUFFIX)]) if uri.endswith(SUFFIX) else None

    # -- sync --------------------------------------------------------------------------------

    def open(self, params: types.DidOpenNotebookDocumentParams) -> Document:
        nb = params.notebook_document
        self._forget(nb.uri)  # opened again
        items = {item.uri: item for item in params.cell_text_documents}
        book = _Notebook(nb.uri, "")
        for cell in nb.cells:
            book.cells.append(self._new_cell(cell, items.get(cell.document)))
            self._cell_book[cell.document] = nb.uri
        self._books[nb.uri] = book
        language = _language_of(book)
        book.comment = self._comment(language)
        return self.documents.open(self.combined_uri(nb.uri), book.text(), language, nb.version)

    def change(self, params: types.DidChangeNotebookDocumentParams) -> Document | None:
        uri = params.notebook_document.uri
        book = self._books.get(uri)
        doc = self.documents.get(self.combined_uri(uri))
        if book is None or doc is None:
            log.warning("change for a notebook that is not open: %s", uri)
            return None
        cells = params.change.cells
        if cells is not None and cells.structure is not None:
            self._restructure(book, cells.structure, doc.version)
        if cells is not None and cells.data:
            self._set_kinds(book, cells.data, doc.version)
        if cells is not None and cells.text_content:
            for content in cells.text_content:
                self._edit_cell(book, content.document, content.changes, doc.version)
        version = params.notebook_document.version
        language = _language_of(book)
        if language != doc.language_id:
            # The first code cell came (or its language changed): parse as that language, with
            # its comment in the cell headers. A new document: callers see another object.
            book.comment = self._comment(language)
            return self.documents.open(self.combined_uri(uri), book.text(), language, version)
        doc.version = version
        return doc

    def close(self, uri: str) -> Document | None:
        self._forget(uri)
        return self.documents.close(self.combined_uri(uri))

    def _forget(self, uri: str) -> None:
        book = self._books.pop(uri, None)
        for cell in book.cells if book is not None else ():
            self._cell_book.pop(cell.uri, None)

    # -- positions ---------------------------------------------------------------------------

    def locate(self, cell_uri: str) -> CellTarget | None:
        """The combined document and line shift of a cell, or None for a URI that is no cell."""
        book_uri = self._cell_book.get(cell_uri)
        if book_uri is None:
            return None
        book = self._books[book_uri]
        doc = self.documents.get(self.combined_uri(book_uri))
        if doc is None:
            return None
        for _, cell, first in book.placed():
            if cell.uri == cell_uri:
                return CellTarget(doc, first, cell.code, not cell.doc.text.strip(), cell.lines)
        return None

    def code_cells(self, uri: str) -> list[CellSpan]:
        """Where the code cells of a combined document are, in order (none for another URI)."""
        book = self._combined_book(uri)
        if book is None:
            return []
        return [
            CellSpan(cell.uri, cell.doc.version, index, first, cell.lines)
            for index, cell, first in book.placed()
            if cell.code
        ]

    # -- internals ---------------------------------------------------------------------------

    def _comment(self, language_id: str | None) -> str:
        lang = self.documents.registry.for_document(language_id, "")
        return (lang.spec.line_comment if lang is not None else None) or "#"

    def _new_cell(self, cell: types.NotebookCell, item: types.TextDocumentItem | None) -> _Cell:
        text = item.text if item is not None else ""
        language_id = item.language_id if item is not None else None
        doc = Document(
            cell.document,
            text,
            language_id=language_id,
            version=item.version if item is not None else None,
            encoding=self.documents.encoding,
        )
        return _Cell(cell.document, _is_code(cell.kind, language_id), doc, _lines(text))

    def _restructure(
        self,
        book: _Notebook,
        structure: types.NotebookDocumentCellChangeStructure,
        version: int | None,
    ) -> None:
        book.restructures += 1
        array = structure.array
        opened = {item.uri: item for item in structure.did_open or ()}
        # A moved cell is deleted and inserted in the same change, without a didOpen: its text
        # is the one it had.
        known = {cell.uri: cell for cell in book.cells}
        start = max(0, min(array.start, len(book.cells)))
        stop = min(len(book.cells), start + max(0, array.delete_count))
        old_cells = book.cells[start:stop]
        was_code = {id(cell): cell.code for cell in old_cells}
        new_cells = []
        for cell in array.cells or ():
            if cell.document in opened or cell.document not in known:
                new_cells.append(self._new_cell(cell, opened.get(cell.document)))
            else:
                kept = known[cell.document]
                kept.code = _is_code(cell.kind, kept.doc.language_id)
                new_cells.append(kept)
        for cell in old_cells:
            self._cell_book.pop(cell.uri, None)
        self._replace_cells(book, start, old_cells, new_cells, was_code, version)
        for cell in new_cells:
            self._cell_book[cell.uri] = book.uri
        for closed in structure.did_close or ():
            if all(cell.uri != closed.uri for cell in book.cells):
                self._cell_book.pop(closed.uri, None)

    def _replace_cells(
        self,
        book: _Notebook,
        start: int,
        old_cells: list[_Cell],
        new_cells: list[_Cell],
        was_code: dict[int, bool],
        version: int | None,
    ) -> None:
        """``book.cells[start:start + len(old_cells)] = new_cells``, in the combined document
        too. The cells of the span that stay, in the same order and kind (those a moved cell
        passes over), are left as they are: the span written again as one edit took with it
        whatever is kept for their text (review findings, caches)."""
        place = {id(cell): i for i, cell in enumerate(old_cells)}
        pairs = [
            (j, place[id(cell)])
            for j, cell in enumerate(new_cells)
            if id(cell) in place and was_code[id(cell)] == cell.code
        ]
        kept = [pairs[k] for k in _increasing_run([i for _, i in pairs])]
        stay_new, stay_old = {j for j, _ in kept}, {i for _, i in kept}
        # The cells that go, bottom up (the lines above them stay where they are).
        for lo, hi in reversed(_runs([i not in stay_old for i in range(len(old_cells))])):
            first, end = book.header_line(start + lo), book.header_line(start + hi)
            del book.cells[start + lo : start + hi]
            self._replace_lines(book, first, end, "", version)
        # Then the cells that come, top down, between those that stayed.
        for lo, hi in _runs([j not in stay_new for j in range(len(new_cells))]):
            line = book.header_line(start + lo)
            book.cells[start + lo : start + lo] = new_cells[lo:hi]
            text = "".join(book.render(cell) for cell in new_cells[lo:hi])
            self._replace_lines(book, line, line, text, version)

    def _set_kinds(
        self, book: _Notebook, changed: Sequence[types.NotebookCell], version: int | None
    ) -> None:
        """Cells whose properties changed (LSP's ``cells.data``, "like its kind"): a cell now of
        the other kind is rendered again, as code or as comments."""
        for data in changed:
            index = next((i for i, c in enumerate(book.cells) if c.uri == data.document), None)
            if index is None:
                continue
            cell = book.cells[index]
            code = _is_code(data.kind, cell.doc.language_id)
            if code == cell.code:
                continue  # metadata or an execution summary: nothing the document shows
            first = book.header_line(index)
            cell.code = code
            book.restructures += 1
            self._replace_lines(book, first, first + cell.lines + _FRAME, book.render(cell), version)

    def _edit_cell(
        self,
        book: _Notebook,
        cell_id: types.VersionedTextDocumentIdentifier,
        changes: Sequence[types.TextDocumentContentChangeEvent],
        version: int | None,
    ) -> None:
        index = next((i for i, cell in enumerate(book.cells) if cell.uri == cell_id.uri), None)
        if index is None:
            log.warning("change for a cell that is not in %s: %s", book.uri, cell_id.uri)
            return
        cell = book.cells[index]
        cell.doc.version = cell_id.version  # a quick fix's edit names the cell's version
        body = book.header_line(index) + 1
        for change in changes:
            if _whole(cell.doc, change):
                # VS Code's Split Cell writes the cell's whole text as the part kept in it: as
                # it came, every line of the cell was rewritten and its review findings went.
                change = cell.doc.narrowed(change.text)
            ended_cr = cell.doc.text.endswith("\r")
            rng = getattr(change, "range", None)
            if rng is not None:
                # Positions past the cell's end are its end, as the cell's own document reads
                # them: shifted unclamped, they named the next cells' lines and the edit ate
                # their headers and code.
                rng = types.Range(start=_clamped(cell.doc, rng.start), end=_clamped(cell.doc, rng.end))
            cell.doc.apply_change(change)
            if ended_cr or cell.doc.text.endswith("\r"):
                # A lone "\r" at the cell's end and the line break after it are one break to
                # LSP: the same edit lower down would join them (every later cell one line off).
                cell.lines = _lines(cell.doc.text)
                whole = types.TextDocumentContentChangeWholeDocument(text=book.text())
                self.documents.change(self.combined_uri(book.uri), version, [whole])
            elif cell.code and rng is not None:
                # Verbatim lines: the same edit, lower down.
                shifted = types.TextDocumentContentChangePartial(
                    range=_moved(rng, body), text=change.text
                )
                self.documents.change(self.combined_uri(book.uri), version, [shifted])
                cell.lines = _lines(cell.doc.text)
            else:
                old_lines = cell.lines
                cell.lines = _lines(cell.doc.text)
                # Up to the blank line closing the block, which stays.
                self._replace_lines(
                    book, body, body + old_lines, _terminated(book.body(cell)), version
                )

    def _replace_lines(
        self, book: _Notebook, first: int, stop: int, text: str, version: int | None
    ) -> None:
        """Replace lines ``[first, stop)`` of the combined document by ``text``."""
        change = types.TextDocumentContentChangePartial(
            range=types.Range(
                start=types.Position(line=first, character=0),
                end=types.Position(line=stop, character=0),
            ),
            text=text,
        )
        self.documents.change(self.combined_uri(book.uri), version, [change])


def _runs(flags: list[bool]) -> list[tuple[int, int]]:
    """The ``[lo, hi)`` spans of consecutive true flags."""
    runs: list[tuple[int, int]] = []
    for i, flag in enumerate(flags):
        if not flag:
            continue
        if runs and runs[-1][1] == i:
            runs[-1] = (runs[-1][0], i + 1)
        else:
            runs.append((i, i + 1))
    return runs


def _increasing_run(values: list[int]) -> list[int]:
    """The positions in ``values`` of a longest strictly increasing subsequence (O(n log n))."""
    tails: list[int] = []  # the smallest last value of an increasing run of each length
    ends: list[int] = []  # and its position in ``values``
    back: list[int] = [-1] * len(values)
    for i, value in enumerate(values):
        at = bisect.bisect_left(tails, value)
        back[i] = ends[at - 1] if at else -1
        if at == len(tails):
            tails.append(value)
            ends.append(i)
        else:
            tails[at], ends[at] = value, i
    out: list[int] = []
    i = ends[-1] if ends else -1
    while i >= 0:
        out.append(i)
        i = back[i]
    return out[::-1]


def _clamped(doc: Document, position: types.Position) -> types.Position:
    """``position`` moved into ``doc`` (past a line's end or the last line: to that end).

    A position within the line is kept as it came: mapped through an offset, a UTF-16 column
    between an emoji's two halves (VS Code diffs strings by unit: 😀 to 😁 is one unit) moved
    to the emoji's start, and the combined document lost the kept half while the cell did not.
    """
    if not doc.has_line(position.line):
        return doc.position_at(len(doc))
    end = doc.position_at(doc.line_end(position.line))
    return position if position.character <= end.character else end


def _whole(doc: Document, change: types.TextDocumentContentChangeEvent) -> bool:
    """Whether ``change`` replaces all of ``doc``'s text."""
    rng = getattr(change, "range", None)
    if rng is None:
        return True
    start, end = sorted((rng.start, rng.end), key=lambda p: (p.line, p.character))
    return (start.line, start.character) == (0, 0) and doc.offset_at(end) == len(doc)


def _is_code(kind: types.NotebookCellKind, language_id: str | None) -> bool:
    return kind == types.NotebookCellKind.Code and (language_id or "") not in _TAGGED


def _terminated(body: str) -> str:
    """``body`` and the line break that ends its last line. After a lone "\r", "\r\n": a
    "\n" would join it into one break, and the body would be a line short."""
    return body + ("\r\n" if body.endswith("\r") else "\n")


def cell_marker(comment: str | None) -> str:
    """The start of a cell's header line in a notebook whose language comments with ``comment``."""
    return f"{comment or '#'} %%"


def _language_of(book: _Notebook) -> str | None:
    """The notebook's language: that of most of its code cells, the first cell's of those tied
    (a Jupyter notebook has one kernel). Not the first code cell's alone: a Python notebook
    whose first cell was set to Shell or R was parsed, completed and reviewed as that language
    (every Python cell's diagnostics went, and its completions lost their Python context)."""
    counts = Counter(cell.doc.language_id for cell in book.cells if cell.code)
    # A Counter keeps the order of first appearance, and max() takes the first of those tied.
    return max(counts, key=counts.__getitem__) if counts else None


#: Kernel languages whose cells editors give another language ID: xeus-cling's "C++17" is C++.
_KERNEL_LANGUAGES = {"c++11": "cpp", "c++14": "cpp", "c++17": "cpp", "c++20": "cpp", "c++": "cpp"}


def _editor_language(kernel_language: str) -> str:
    """The language ID an editor gives the cells of a kernel's language, as VS Code's ipynb
    reader does: .NET Interactive's "C#" is "csharp". As the kernel names it, no grammar knew
    it: the command line reviewed such a notebook without one, with "#" before each cell (a C#
    directive) where the editor writes "//"."""
    language = kernel_language.lower()
    if len(language) == 2 and language.endswith("#"):
        return f"{language[0]}sharp"
    return _KERNEL_LANGUAGES.get(language, language)


def ipynb_open_params(uri: str, text: str) -> types.DidOpenNotebookDocumentParams:
    """A Jupyter notebook file (nbformat 4) as an editor opens it over LSP: code cells in the
    kernel's language, markdown cells, raw cells as VS Code's "raw". For the command line,
    which reviews ``.ipynb`` files as the editors' notebooks are. Raises ValueError for a file
    that is not a notebook."""
    try:
        nb = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not a Jupyter notebook ({exc.msg})") from None
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(cells, list) or not all(isinstance(c, dict) for c in cells):
        raise ValueError("not a Jupyter notebook (no list of cells)")
    meta = nb.get("metadata") if isinstance(nb.get("metadata"), dict) else {}
    kernel = meta.get("kernelspec") if isinstance(meta.get("kernelspec"), dict) else {}
    info = meta.get("language_info") if isinstance(meta.get("language_info"), dict) else {}
    language = _editor_language(str(kernel.get("language") or info.get("name") or "python"))
    lsp_cells: list[types.NotebookCell] = []
    items: list[types.TextDocumentItem] = []
    for number, cell in enumerate(cells, 1):
        source = cell.get("source", "")
        body = "".join(map(str, source)) if isinstance(source, list) else str(source)
        kind, language_id = {
            "code": (types.NotebookCellKind.Code, language),
            "markdown": (types.NotebookCellKind.Markup, "markdown"),
        }.get(str(cell.get("cell_type")), (types.NotebookCellKind.Code, "raw"))
        cell_uri = f"{uri}#cell{number}"
        lsp_cells.append(types.NotebookCell(kind=kind, document=cell_uri))
        items.append(
            types.TextDocumentItem(uri=cell_uri, language_id=language_id, version=0, text=body)
        )
    return types.DidOpenNotebookDocumentParams(
        notebook_document=types.NotebookDocument(
            uri=uri, notebook_type="jupyter-notebook", version=0, cells=lsp_cells
        ),
        cell_text_documents=items,
    )
