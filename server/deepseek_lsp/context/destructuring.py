"""The class a JavaScript or TypeScript pattern gives a name it binds: its default's where it is
a constructor's (``const { conn = new Conn() } = opts``, ``function f({ c: conn = new Conn() }
= {})``, ``[a, conn = new Conn()]``), or a TypeScript parameter's object type's property
(``function f({ conn }: { conn: Conn })``). A parameter's pattern is read from the tree, a
declaration's from its line's text after the name (a binding the tree of an unclosed function
may not show)."""

from __future__ import annotations

import re

import tree_sitter as ts

from .type_names import STRING, class_of_type, class_of_value

_PATTERNS = frozenset({"object_pattern", "array_pattern"})
_NAMES = frozenset({"identifier", "shorthand_property_identifier_pattern"})


def parameter(param: ts.Node, data: bytes, name: str) -> tuple[bool, str | None]:
    """Whether the parameter ``param``'s pattern binds ``name``, and the class it says."""
    node: ts.Node | None = param
    kind = None
    if param.type in ("required_parameter", "optional_parameter"):
        kind, node = param.child_by_field_name("type"), param.child_by_field_name("pattern")
    if node is not None and node.type == "assignment_pattern":
        node = node.child_by_field_name("left")  # ``{ conn } = {}``: the pattern's own default
    found = _binding(node, data, name) if node is not None and node.type in _PATTERNS else None
    if found is None:
        return False, None
    key, default = found
    said = _property_type(kind, data, key) if kind is not None and key is not None else None
    if said is None and default is not None:
        said = class_of_value(False, _text(data, default))
    return True, said


def _binding(
    pattern: ts.Node, data: bytes, name: str
) -> tuple[str | None, ts.Node | None] | None:
    """Where ``pattern`` binds ``name``: the key it has in the pattern itself (an object's;
    None in an array or a nested pattern) and its default's node; None where it does not."""
    for child in pattern.named_children:
        key, target, default = None, child, None
        if child.type == "pair_pattern":
            key_node = child.child_by_field_name("key")
            key = _text(data, key_node) if key_node is not None else None
            target = child.child_by_field_name("value")
        elif child.type == "object_assignment_pattern":
            target, default = child.child_by_field_name("left"), child.child_by_field_name("right")
        elif child.type == "rest_pattern":
            target = child.named_children[0] if child.named_children else None
        if target is not None and target.type == "assignment_pattern":
            default = target.child_by_field_name("right")
            target = target.child_by_field_name("left")
        if target is None:
            continue
        if target.type in _NAMES and _text(data, target) == name:
            if child.type in ("shorthand_property_identifier_pattern", "object_assignment_pattern"):
                key = name
            return (key if pattern.type == "object_pattern" else None), default
        if target.type in _PATTERNS and (inner := _binding(target, data, name)) is not None:
            return None, inner[1]
    return None


def _property_type(annotation: ts.Node, data: bytes, key: str) -> str | None:
    """The class of the property ``key`` in an object type annotation (``: { conn: Conn }``)."""
    for shape in annotation.named_children:
        if shape.type != "object_type":
            continue
        for prop in shape.named_children:
            prop_name = prop.child_by_field_name("name")
            kind = prop.child_by_field_name("type")
            if prop_name is not None and kind is not None and _text(data, prop_name) == key:
                return class_of_type(_text(data, kind).lstrip(":"))
    return None


#: After a name in a declaration's pattern: its default, ``= new Conn()``.
_DEFAULT = re.compile(rb"[ \t]*=(?![=>])[ \t]*")
#: What ends a default: a bracket it does not open, a ``,`` or ``;`` outside its brackets.
_DEFAULT_PARTS = re.compile(rb"[()\[\]{},;]|" + STRING.encode())


def declared_default(suffix: bytes) -> str | None:
    """The class of the default after a name in a declaration's pattern (``suffix``, its line
    after the name: `` = new Conn('h'), b } = opts;``), up to the ``,`` or bracket that ends
    it."""
    m = _DEFAULT.match(suffix)
    if m is None:
        return None
    depth = 0
    for part in _DEFAULT_PARTS.finditer(suffix, m.end()):
        c = part.group()
        if len(c) > 1:
            continue  # a string
        if c in b"([{":
            depth += 1
        elif c in b")]}" or (c in b",;" and depth == 0):
            if depth == 0:
                return class_of_value(False, suffix[m.end() : part.start()].decode("utf-8", "replace"))
            depth -= 1
    return None


def _text(data: bytes, node: ts.Node) -> str:
    return data[node.start_byte : node.end_byte].decode("utf-8", "replace")
