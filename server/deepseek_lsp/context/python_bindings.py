"""Python's bindings of a name that are no assignment: a ``def`` or ``class`` named like it, a
``match``'s capture pattern (``case store:``), a lambda's parameter in a line the tree has not
made a lambda of yet (``key=lambda store: store.|``). Each made ``store.`` read as the module
imported as ``store`` (``module_outline``), whose names were sent for another value's."""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import pairwise

import tree_sitter as ts

#: What is before a name a ``def`` or a ``class`` defines, on its line.
DEFINITION_HEAD = re.compile(rb"[ \t]*(?:async[ \t]+)?(?:def|class)[ \t]+")
#: A line a ``case`` starts (a pattern over several lines is not read).
CASE_HEAD = re.compile(rb"[ \t]*case\b")
_DEFINITIONS = frozenset({"function_definition", "class_definition"})
#: The patterns a single name captures in (not a class pattern's class: ``Point(``).
_CAPTURING = frozenset({"case_pattern", "keyword_pattern", "union_pattern"})


@lru_cache(maxsize=256)
def defining_lines(word: bytes) -> tuple[re.Pattern[bytes], ...]:
    """Where ``word`` may be bound with no ``=``: named by a ``def`` or a ``class`` (one space
    after it, as written almost always), or in a ``case`` (group ``name``: where the name is;
    the line's head is the caller's to read). Each starts with a literal, searched for, not
    tried at each line's start (a module using the name 20,000 times: 7 ms a dot)."""
    w = re.escape(word)
    name = rb"(?P<name>" + w + rb")(?![\w$])"
    return (
        re.compile(rb"def " + name),
        re.compile(rb"class " + name),
        re.compile(rb"case[ \t(\[{][^\n]*?(?<![\w.$])" + name),
    )


def defined_by(node: ts.Node) -> ts.Node | None:
    """The ``def`` or ``class`` whose name ``node`` is, or None."""
    parent = node.parent
    if parent is None or parent.type not in _DEFINITIONS:
        return None
    return parent if parent.child_by_field_name("name") == node else None


def captured(root: ts.Node, pos: int) -> bool:
    """Whether the name at ``pos`` is one a ``case`` pattern captures: ``case store:``,
    ``case [1, store]``, ``case {"k": store}``, ``case Point(x=store)``, ``case [*store]``;
    not a value pattern's dotted name (``case store.KIND:``) nor a keyword's (``Point(store=1)``)."""
    node = root.descendant_for_byte_range(pos, pos)
    if node is None or node.type != "identifier" or node.parent is None:
        return False
    parent = node.parent
    if parent.type == "splat_pattern":
        return True
    if parent.type != "dotted_name" or parent.named_child_count != 1:
        return False
    return parent.parent is not None and parent.parent.type in _CAPTURING


def open_lambda_binds(node: ts.Node | None, data: bytes, name: str, at: int) -> bool:
    """Whether a lambda the tree left in pieces (an ERROR: ``f = lambda store: store.`` at the
    file's end) has ``name`` as a parameter and ``at`` in its body: the text from its ``:`` to
    ``at`` closes no bracket it did not open and has no ``,``, ``;`` or line end of its own."""
    while node is not None:
        if node.type == "ERROR":
            children = [c for c in node.children if c.end_byte <= at]
            for keyword, params in pairwise(children):
                if keyword.type == "lambda" and not keyword.is_named and params.type == "lambda_parameters":
                    if name in _names(data, params) and _in_body(data, params.end_byte, at):
                        return True
        node = node.parent
    return False


def _names(data: bytes, params: ts.Node) -> list[str]:
    """The names a lambda's parameters bind (``a``, ``b=1``, ``*args``)."""
    found = []
    for child in params.named_children:
        ident = child if child.type == "identifier" else child.child_by_field_name("name")
        if ident is None and child.named_children and child.named_children[0].type == "identifier":
            ident = child.named_children[0]
        if ident is not None:
            found.append(data[ident.start_byte : ident.end_byte].decode("utf-8", "replace"))
    return found


def _in_body(data: bytes, start: int, at: int) -> bool:
    """Whether ``at`` is still in the lambda body that starts after the ``:`` at or after ``start``."""
    colon = data.find(b":", start, at)
    if colon < 0:
        return False
    depth = 0
    for byte in data[colon + 1 : at]:
        if byte in b"([{":
            depth += 1
        elif byte in b")]}":
            depth -= 1
            if depth < 0:
                return False
        elif depth == 0 and byte in b",;\n":
            return False
    return True
