"""JavaScript's and TypeScript's optional `;` after an accepted initializer's `}`.

Statements end with a `;` or without one (automatic semicolon insertion), and a file keeps to
one way (Prettier's `semi`, StandardJS): the `;` the server adds after the editor's `}`
(closer_semicolon.py) goes only into a file that writes them, never into one that does not,
and only after a value's `}` (an object's, an arrow function's), not a declaration's or a
block's.
"""

from __future__ import annotations

import tree_sitter as ts

from ..documents import Document

#: Languages whose statements may end without a `;` (automatic semicolon insertion).
ASI_LANGUAGES = frozenset({"javascript", "typescript", "tsx"})

#: Statements that end with a `;` or by ASI, named alike in the three grammars.
_STATEMENTS = """
[(expression_statement) (lexical_declaration) (variable_declaration) (return_statement)
 (throw_statement) (break_statement) (continue_statement) (import_statement)] @statement
"""
#: How far from the `}` the statements are counted: the habit of the code around it, and a
#: bounded cost in a file of megabytes.
WINDOW_BYTES = 8_192
#: Fewer statements ended by a `;` than this tell no habit (a file just begun): none added.
_LEAST = 2

_queries: dict[str, ts.Query] = {}


def uses_semicolons(doc: Document, offset: int) -> bool:
    """Whether the statements near ``offset`` (but the one ending there) mostly end with a
    `;` the file wrote, at least a couple of them."""
    language, tree = doc.language, doc.tree
    if language is None or tree is None:
        return False
    query = _queries.get(language.name)
    if query is None:
        query = _queries[language.name] = ts.Query(language.ts_language, _STATEMENTS)
    cursor = ts.QueryCursor(query)
    cursor.set_byte_range(max(0, offset - WINDOW_BYTES), offset + WINDOW_BYTES)
    written = left = 0
    for node in cursor.captures(tree.root_node).get("statement", []):
        parent = node.parent
        # A `for (let i = 0; ...)` header's `;` is the loop's, written in every style.
        if node.end_byte == offset or node.has_error or (parent is not None and parent.type.startswith("for")):
            continue
        last = node.children[-1] if node.child_count else None
        if last is not None and last.type == ";" and not last.is_missing:
            written += 1
        else:
            left += 1
    return written >= _LEAST and written > left


#: What a value's `}` may end, then a `;` or ASI: a statement, a class's field.
_ENDED = frozenset(
    {
        "expression_statement", "lexical_declaration", "variable_declaration", "return_statement",
        "throw_statement", "export_statement", "type_alias_declaration",
    }
)
#: A class's fields, whose `;` the class body holds.
FIELDS = frozenset({"field_definition", "public_field_definition"})
#: A `}` ending one of these ends no statement that takes a `;` (`export function f() {}`).
_DECLARATIONS = frozenset(
    {
        "function_declaration", "generator_function_declaration", "class_declaration",
        "abstract_class_declaration", "interface_declaration", "enum_declaration",
        "internal_module", "module",
    }
)


#: An anonymous default export's value that is a declaration, no expression (`export default
#: function () {}`, `export default class {}`): a `;` after it is an empty statement.
_DEFAULT_DECLARATIONS = frozenset({"function_expression", "generator_function", "function", "class"})


def default_declaration(statement: ts.Node) -> bool:
    """Whether ``statement`` exports a function or class declaration by default, anonymous
    (the grammars read it as an expression, the language as a declaration)."""
    if statement.type != "export_statement":
        return False
    value = statement.child_by_field_name("value")
    return value is not None and value.type in _DEFAULT_DECLARATIONS


def ends_statement(root: ts.Node, offset: int) -> bool:
    """Whether the `}` ending at ``offset`` ends a statement or a class field that takes a
    `;`, as the tree reads it, without error."""
    node: ts.Node | None = root.descendant_for_byte_range(offset - 1, offset) if offset > 0 else None
    while node is not None and node.end_byte == offset:
        if node.type in _DECLARATIONS or default_declaration(node):
            return False
        if node.type in _ENDED or node.type in FIELDS:
            return not node.has_error and node.start_byte < offset - 1
        node = node.parent
    return False
