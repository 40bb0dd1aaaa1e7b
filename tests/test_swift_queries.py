"""Swift's queries: what a Swift file's first suggestion waits for, and the operator functions
they read.

py-tree-sitter holds the GIL (and so the server's event loop) while it compiles a query, and a
language's queries are compiled when its first file opens: Swift's four took 1.3-1.9 s of CPU,
1.1-1.6 s of it the four function patterns whose name alternatives and ``body:`` field make
tree-sitter's pattern analysis walk every parse state of ``function_declaration``.
"""

from __future__ import annotations

import tree_sitter as ts

from deepseek_lsp.context.index import index_tree
from deepseek_lsp.context.scopes import enclosing_scopes
from deepseek_lsp.languages import QUERY_KINDS, LanguageRegistry
from tests.cpu_time import ThreadCpu

OPERATORS = b"""struct Vec {
    let x: Int
    static func <<(lhs: Vec, rhs: Int) -> Vec {
        Vec(x: lhs.x << rhs)
    }
    static prefix func !(v: Vec) -> Vec {
        Vec(x: -v.x)
    }
    func scaled(by k: Int) -> Vec {
        Vec(x: x * k)
    }
}
"""


def test_swift_queries_compile_in_a_fraction_of_a_second_of_cpu() -> None:
    """A new Swift file's open compiles the four queries before its first suggestion can use
    them: 1.3-1.9 s of CPU (at load 1-3) before the function patterns named the name as the
    node after ``func`` and the body as the last child, ~0.35 s after."""
    swift = LanguageRegistry.load().get("swift")  # a registry of its own: nothing compiled yet
    assert swift is not None
    swift.ts_language  # noqa: B018 - the grammar's load is not the queries' compile
    with ThreadCpu() as cpu:
        for kind in QUERY_KINDS:
            swift.query(kind)
    assert not swift.query_problems
    assert cpu.seconds < 0.8, f"Swift's queries took {cpu.seconds:.2f} s of CPU to compile"


def _parsed() -> tuple[object, ts.Tree]:
    swift = LanguageRegistry.load().get("swift")
    assert swift is not None
    return swift, swift.parser().parse(OPERATORS)


def test_operator_functions_outside_the_old_list_are_definitions() -> None:
    """`<<` and a prefix `!` (the grammar's `bang` node) were missing from the list of operators
    the name could be: those functions were no definitions, so no other file's prompt got them."""
    swift, tree = _parsed()
    found = index_tree(swift, tree, OPERATORS, "/src/Vec.swift").definitions  # type: ignore[arg-type]
    assert {"<<", "!", "scaled", "Vec"} <= set(found)


def test_the_cursor_in_an_operator_function_has_its_header() -> None:
    """The window's header for a cursor inside `static func <<` is the function's, not just the
    struct's (its scope was not found)."""
    swift, tree = _parsed()
    inside = OPERATORS.index(b"Vec(x: lhs.x")
    headers = [s.header for s in enclosing_scopes(swift, tree, OPERATORS, inside)]  # type: ignore[arg-type]
    assert headers == ["struct Vec", "static func <<(lhs: Vec, rhs: Int) -> Vec"]
    inside = OPERATORS.index(b"Vec(x: -v.x)")
    headers = [s.header for s in enclosing_scopes(swift, tree, OPERATORS, inside)]  # type: ignore[arg-type]
    assert headers[-1] == "static prefix func !(v: Vec) -> Vec"
