"""The `;` after the editor's `}` below an accepted initializer's entries.

`var p = new Point` Enter `{` Enter (or C++'s `std::vector<int> v {` Enter): the editor has
put the `}` on the line below the cursor, the model answers the entries and `};`. An inline
item's range begins and ends on one line (LSP 3.18; VS Code's API, microsoft/vscode#211501),
so it cannot make that `}` a `};`: the entries are shown, the `}` stays, the statement has no
`;` (a compile error the user fixes by hand). Once the item is accepted whole, the `;` goes in
by a ``workspace/applyEdit`` of its own, when the document still holds the accepted text with
the same `}` right below it and the parser misses a `;` just after that `}`: nothing is written
where the user changed the text in between (but for text typed at the end of the accepted
line, ` // xy`, the `}` line as it was), nor after a block's `}` (no `;` missing there).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import tree_sitter as ts

from ..documents import Document, Edit
from .asi_semicolon import (
    ASI_LANGUAGES,
    FIELDS,
    default_declaration,
    ends_statement,
    uses_semicolons,
)

#: The edit's label, by which the VS Code extension knows it (joinedUndo.ts: into the accept's
#: undo step).
EDIT_LABEL = "DeepSeek: the initializer's ;"

#: How long the edit's answer is awaited: a client applies an edit at once or not at all, and
#: one that never answers left a task waiting for good per accepted initializer.
APPLY_TIMEOUT_S = 2.0

#: Languages whose statements a line ends (a `;` there only separates two on one line): no
#: `;` is missing after a `}`. With an error further down, the reparse read up to the `;`
#: found a statement whole with it (`d = { ... };`) and added one.
LINE_ENDED = frozenset({"python", "ruby", "go", "elixir", "bash", "kotlin", "swift", "scala", "lua"})

#: The rest of the cursor's line blank, then a line of the `}` alone: the editor's closer.
_CLOSER_BELOW = re.compile(rb"[ \t]*\r?\n[ \t]*\}")
_LINE_END = re.compile(rb"[ \t]*(?:\r?\n|$)")


@dataclass(frozen=True)
class CloserBelow:
    """What an item expects after its insert: ``text`` (its end of line, then the `}` line up
    to the `}`), and the insert itself, to tell the accepted text is still there."""

    text: bytes
    insert: bytes


def closer_below(data: bytes, replace_end: int, insert: str) -> CloserBelow | None:
    """The editor's `}` alone on the line after ``replace_end``, if an item inserting ``insert``
    up to there stops right above it with a line break of its own left out."""
    match = _CLOSER_BELOW.match(data, replace_end)
    if match is None or not _LINE_END.match(data, match.end()) or insert.endswith("\n"):
        return None
    return CloserBelow(match.group(), insert.encode("utf-8"))


def semicolon_offset(doc: Document, end: int, closer: CloserBelow) -> int | None:
    """Where the `;` goes (just after the `}`), if ``doc`` holds the accepted insert ending at
    ``end`` with ``closer`` after it and its tree misses a `;` there; None otherwise."""
    data = doc.data
    start = end - len(closer.insert)
    if start < 0 or data[start:end] != closer.insert:
        return None
    brace_end = _closer_end(data, end, closer.text)
    if brace_end is None or not _LINE_END.match(data, brace_end) or doc.tree is None:
        return None
    if doc.language is None or doc.language.name in LINE_ENDED:
        return None
    root = doc.tree.root_node
    if doc.language.name in ASI_LANGUAGES:
        # Valid either way (ASI): the file's habit decides; the tree read anew with the `;`
        # only where it is in error around the `}`.
        missing = (
            ends_statement(root, brace_end) or (_in_error(root, brace_end) and _asi_statement(doc, brace_end))
        ) and uses_semicolons(doc, brace_end)
    else:
        missing = _misses_semicolon_at(root, brace_end)
        if missing is None:  # no guess of the parser's there
            missing = _glued_to_next_line(doc, brace_end)
    return brace_end if missing else None


def _asi_statement(doc: Document, offset: int) -> bool:
    """Whether a `;` put in at ``offset`` ends a JavaScript or TypeScript statement read whole
    (the tree in error around the `}`), no declaration's."""
    statement = _ended_by_semicolon(doc, offset)
    return statement is not None and not default_declaration(statement)


def _closer_end(data: bytes, end: int, text: bytes) -> int | None:
    """Where the `}` of ``text`` ends after the insert ending at ``end``: right after it, or
    after what was typed at the end of the insert's last line before the accept's command
    came (Tab, then ` // xy`), the `}` line below as it was."""
    if data[end : end + len(text)] == text:
        return end + len(text)
    brace_line = text[text.index(b"\n") :]
    line_end = data.find(b"\n", end)
    if line_end < 0 or data[line_end : line_end + len(brace_line)] != brace_line:
        return None
    return line_end + len(brace_line)


class SentSemicolons:
    """The `;` edits sent and not yet seen back, per document: the change that puts one in
    is the server's own, no key of the user's (the answer prefetched for after the accept
    still answers there, its suffix with the `;` put in)."""

    def __init__(self) -> None:
        self._sent: dict[str, tuple[int, int | None]] = {}

    def sent(self, doc: Document, offset: int) -> None:
        self._sent[doc.uri] = (offset, doc.version)

    def forget(self, uri: str) -> None:
        self._sent.pop(uri, None)

    def came_back(self, doc: Document, edit: Edit | None, edits: int) -> int | None:
        """Where the `;` sent for ``doc`` is, if ``edit``, the only one of ``edits`` since the
        last change seen, put it in and nothing else; the next change ends the wait either
        way (one the user made first and the client refused the edit, or applied it
        elsewhere)."""
        sent = self._sent.pop(doc.uri, None)
        if sent is None or edit is None or edits != 1:
            return None
        offset, version = sent
        newer = version is None or doc.version is None or doc.version > version
        # A client sending the whole text: the change found is `\n` -> `;\n` (it ends at no
        # `\n`, which a `\r` may stand before), the same `;`.
        replaced = doc.replaced()
        if (
            not newer
            or replaced is None
            or not edit.start_byte <= offset <= edit.old_end_byte
            or edit.new_end_byte - edit.old_end_byte != 1
        ):
            return None
        cut = offset - edit.start_byte
        put = replaced[:cut] + b";" + replaced[cut:]
        return offset if doc.data[edit.start_byte : edit.new_end_byte] == put else None


def _misses_semicolon_at(node: ts.Node, offset: int) -> bool | None:
    """Whether the tree under ``node`` has a MISSING `;` (zero-width) at byte ``offset``, in
    a statement it reads whole; None where the tree has no guess there at all, or only inside
    an ERROR, where its guess is one among several (a lambda's `)` missing before the `;`) and
    what follows may be what broke the statement (another initializer without its `;` yet, a
    call left open): the reparse with the `;` put in decides."""
    while True:
        around = None
        for child in _touching(node, offset):
            if child.start_byte == child.end_byte == offset and child.is_missing:
                if child.type == ";":
                    before = child.prev_sibling
                    return before is None or not (_awaits_else(before, offset) or _switch_statement(before))
            elif child.child_count:
                around = child
        if around is None:
            return None
        if around.type == "ERROR":
            return None
        node = around


def _touching(node: ts.Node, offset: int) -> list[ts.Node]:
    """``node``'s children whose span holds ``offset`` (at either end too), in order: found
    from the child the tree gives for that byte, not by listing them all (a class of 10,000
    members listed at each check took 46 ms)."""
    cursor = node.walk()
    if cursor.goto_first_child_for_byte(offset) is not None:
        child: ts.Node | None = cursor.node
    else:
        child = node.child(node.child_count - 1) if node.child_count else None
    found: list[ts.Node] = []
    if child is not None and child.start_byte <= offset <= child.end_byte:
        found.append(child)
    child = child.prev_sibling if child is not None else None
    while child is not None and child.end_byte >= offset:
        found.insert(0, child)
        child = child.prev_sibling
    return found


def _glued_to_next_line(doc: Document, offset: int) -> bool:
    """Whether the statement ending with the `}` before ``offset`` lacks its `;` where the
    parser guessed none: C#'s `new Point { ... }` above a statement (`Console.WriteLine(p);`)
    reads as one expression going on there (`{ ... }.Console`), in error; with a `;` after the
    `}`, that `;` ends a statement holding the `}`, read without error."""
    tree = doc.tree
    if tree is None or not _in_error(tree.root_node, offset):
        return False
    statement = _ended_by_semicolon(doc, offset)
    # A C type's `}` reads as a whole type with or without its `;`: the declaration is what
    # lacks it.
    return statement is not None and (
        statement.type.endswith("_specifier") or not _whole_before(tree.root_node, statement, offset)
    )


def _in_error(root: ts.Node, offset: int) -> bool:
    """Whether the node around the `}` ending at ``offset`` (the first going on past it)
    holds an error."""
    brace = root.descendant_for_byte_range(offset - 1, offset) if offset > 0 else None
    if brace is None or brace.end_byte != offset:
        return False
    node: ts.Node | None = brace
    while node is not None and node.end_byte <= offset:
        node = node.parent
    return node is not None and node.has_error


def _ended_by_semicolon(doc: Document, offset: int) -> ts.Node | None:
    """The statement a `;` put in at ``offset`` ends, holding the `}` before it, read whole
    without error: not an empty statement of its own (after a block's `}`), a class's
    method, nor a Rust `if`'s value awaiting its `else`."""
    tree, language = doc.tree, doc.language
    if tree is None or language is None or offset < 1:
        return None
    # Reparsed from the tree with the `;` put in, and only up to it: nothing after a `;` makes
    # the statement it ends whole or broken, and read to the file's end the reparse cost
    # 27-53 ms in a 1.66 MB C# file with an error at its end (0.05-18 ms so; 40 ms of a whole
    # 160 kB C# file's parse without the tree), on the server's loop.
    row, column = tree.root_node.descendant_for_byte_range(offset - 1, offset).end_point
    edited = tree.copy()
    edited.edit(offset, offset, offset + 1, (row, column), (row, column), (row, column + 1))
    parser = ts.Parser(language.ts_language, included_ranges=[ts.Range((0, 0), (row, column + 1), 0, offset + 1)])
    fixed = parser.parse(doc.data[:offset] + b";", edited).root_node
    semicolon = fixed.descendant_for_byte_range(offset, offset + 1)
    if semicolon is None or semicolon.type != ";" or semicolon.is_missing:
        return None
    statement, value = semicolon.parent, semicolon.prev_sibling
    if value is not None and (value.type in FIELDS or value.type.endswith("_specifier")):
        # A `;` the body's child, not the statement's: JavaScript's class field (`h = () =>
        # { ... };`), C's `struct S { ... };` (an error further down is the file's, not its).
        statement = value
    elif statement is not None and (statement.type == "class_body" or statement.parent is None):
        # A method's `}`; a declaration's at the file's top (a Java class's), where the `;` is
        # the file's own, no statement's.
        statement = None
    if (
        statement is None
        or statement.type == "ERROR"
        or statement.has_error
        or statement.start_byte >= offset - 1
        or (value is not None and _awaits_else(value, offset))
    ):
        return None
    return statement


def _whole_before(root: ts.Node, statement: ts.Node, offset: int) -> bool:
    """Whether the tree read ``statement`` (of the reparse) whole, without error, already
    ending at the `}` before ``offset``: its `;` is optional there (JavaScript's ASI, `const o
    = { ... }` then `use(o)`), and the error was elsewhere (an unclosed `foo(` further down)."""
    node: ts.Node | None = root.descendant_for_byte_range(statement.start_byte, offset)
    while node is not None and node.start_byte == statement.start_byte and node.end_byte == offset:
        if node.type == statement.type and not node.has_error:
            return True
        node = node.parent
    return False


def _switch_statement(value: ts.Node) -> bool:
    """Whether ``value`` is a Java `switch` standing alone as a statement, which ends at its
    `}`: read as a switch expression where the code below is unfinished (the method and the
    class missing their `}`, the class's taken for the switch's), its `;` was guessed."""
    parent = value.parent
    return value.type == "switch_expression" and parent is not None and parent.type == "expression_statement"


def _awaits_else(value: ts.Node, offset: int) -> bool:
    """Whether ``value``'s `}` at ``offset`` closes a Rust `if`'s block other than a final
    `else`'s (`let v = if a {`): its `else` comes after that `}`, and without one the value is
    `()`, so a `;` there would be typed over."""
    node = value
    while node.child_count:
        last = node.children[-1]
        if last.end_byte != offset:
            return False
        if last.type == "block" and node.type == "if_expression":
            return True
        node = last
    return False
