"""A Go, Java, C# or Rust class's field's type, for ``context.receivers``: the class named
(``k.conn.Send(`` where ``k`` is a ``*Client``) or the one around a use whose ``}`` is still
to be typed. There the tree has no class, only an error holding its keyword (``class``,
``record``, Rust's ``impl``), its name and the member declarations read so far; the same for
a JavaScript or TypeScript class (its name; ``receivers`` reads its text) and the parameter
lists of the functions not closed yet.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator
from functools import lru_cache
from typing import NamedTuple

import tree_sitter as ts

from .typed_bindings import CLASSES, GO, JAVA, RUST, declared_field, field_class, type_class

#: The keywords that open a class's body, by family (Rust's fields are its struct's).
_OPENERS = {
    JAVA: ("class", "interface", "enum", "record", "struct"),
    RUST: ("impl",),
    "js": ("class",),
}
_FIELD_KINDS = (
    "field_declaration",
    "property_declaration",
    "event_field_declaration",
    "constant_declaration",
)


@lru_cache(maxsize=64)
def _kinds(language: ts.Language, names: tuple[str, ...], named: bool) -> frozenset[int]:
    """The ids of node kinds (``named``: of rules, else of keywords)."""
    return frozenset(language.id_for_node_kind(n, named) or -1 for n in names)


class OpenClass(NamedTuple):
    """A class whose ``}`` is not typed yet: its name (an ``impl``'s type's, ``impl<T> Drop for
    Client<T>``'s ``Client``), the node of its name (of its ``impl``'s), and the error's
    children before the use that declare fields (Java's, C#'s: its class's fields and the
    classes' around it)."""

    name: str
    named: ts.Node
    fields: list[ts.Node]


def open_class(fam: str, tree: ts.Tree, data: bytes, at: int) -> OpenClass | None:
    """The class whose ``}`` is not typed yet around ``at``, its keyword the last one before
    ``at`` in an error around it."""
    if fam not in _OPENERS:
        return None
    node: ts.Node | None = tree.root_node.descendant_for_byte_range(at, at)
    while node is not None:
        if node.type == "ERROR":
            layout = _layout(fam, tree, node)
            last = bisect_left(layout.openers, at, key=_start) - 1
            opener = layout.openers[last] if last >= 0 else None
            named = _name_after(fam, layout.children, opener) if opener is not None else None
            name = _class_name(fam, layout.children, named, data) if named is not None else None
            if named is not None and name is not None:
                fields = layout.fields[: bisect_left(layout.fields, at, key=_start)]
                return OpenClass(name, named, fields)
        node = node.parent
    return None


def open_parameters(fam: str, tree: ts.Tree, at: int) -> list[ts.Node]:
    """The parameter lists of the JavaScript or TypeScript functions whose ``}`` is not typed
    yet around ``at``, the nearest first: the errors' around it (a closed function's are in
    its node)."""
    if fam != "js":
        return []
    found: list[ts.Node] = []
    node: ts.Node | None = tree.root_node.descendant_for_byte_range(at, at)
    while node is not None:
        if node.type == "ERROR":
            lists = _layout(fam, tree, node).parameters
            found += lists[: bisect_left(lists, at, key=_start)][::-1]
        node = node.parent
    return found


class _Layout(NamedTuple):
    """An error's children, those of them that open a class, those that declare fields and
    the parameter lists."""

    children: list[ts.Node]
    openers: list[ts.Node]
    fields: list[ts.Node]
    parameters: list[ts.Node]


#: The last error's layout: a large file's error has a thousand children, each a node built
#: (0.08 ms) and its kind read (0.03 ms), for each of a request's receivers on ``this``. (One
#: error only: its nodes keep their tree alive, and the documents keep few trees.)
_LAST_LAYOUT: dict[tuple[int, int, int], _Layout] = {}


def _layout(fam: str, tree: ts.Tree, error: ts.Node) -> _Layout:
    # (The key's tree is alive while its entry is: the entry's nodes hold it, so its id is
    # no other tree's.)
    key = (id(tree), error.start_byte, error.end_byte)
    layout = _LAST_LAYOUT.get(key)
    if layout is None:
        children = error.children
        openers = _kinds(tree.language, _OPENERS[fam], False)
        fields = _kinds(tree.language, _FIELD_KINDS, True)
        parameters = _kinds(tree.language, ("formal_parameters",), True)
        layout = _Layout(
            children,
            [c for c in children if c.kind_id in openers],
            [c for c in children if c.kind_id in fields],
            [c for c in children if c.kind_id in parameters],
        )
        _LAST_LAYOUT.clear()
        _LAST_LAYOUT[key] = layout
    return layout


def forget_layout() -> None:
    """A document was closed: the layout kept may be of its tree, which it keeps alive (64 MB
    for a 1 MB file, until a request in another class not closed yet)."""
    _LAST_LAYOUT.clear()


def _start(node: ts.Node) -> int:
    return node.start_byte


#: After ``impl``: ``<T>``, a trait's name and ``for``, then the type (not ``where``: the
#: generics' ``<...>`` may reach a where clause's last ``>``, ``where T: Into<String>``).
_RUST_IMPLEMENTED = re.compile(
    r"(?:<.*>)?\s+(?:.*\bfor\s+)?(?P<type>(?!where\b)[^\s{][^{]*?)\s*(?:where\b.*)?$", re.S
)


def _name_after(fam: str, children: list[ts.Node], opener: ts.Node) -> ts.Node | None:
    """The node after a class's keyword: its name (an ``impl``'s the keyword itself)."""
    keyword = bisect_left(children, opener.start_byte, key=_start)
    if fam == RUST:
        return children[keyword]
    name = children[keyword + 1] if keyword + 1 < len(children) else None
    return name if name is not None and name.type in _NAMES else None


_NAMES = frozenset({"identifier", "type_identifier"})


def _class_name(fam: str, children: list[ts.Node], named: ts.Node, data: bytes) -> str | None:
    if fam != RUST:
        return _text(data, named)
    # ``impl<T: Send> Drop for Client<T> {``: its children up to its ``{``.
    keyword = bisect_left(children, named.start_byte, key=_start)
    end = next((c.start_byte for c in children[keyword + 1 :] if c.type == "{"), None)
    if end is None:
        return None
    m = _RUST_IMPLEMENTED.match(data[named.end_byte : end].decode("utf-8", "replace"))
    return type_class(m.group("type")) if m is not None else None


def open_field(fam: str, tree: ts.Tree, data: bytes, at: int, name: str) -> tuple[bool, str | None]:
    """Whether the class around ``at``, its ``}`` not typed yet, declares a field ``name`` (a
    Rust ``impl``'s struct's), and its type's class; a class nested in it first."""
    found = open_class(fam, tree, data, at)
    if found is None:
        return False, None
    if fam == RUST:
        return _struct_field(tree.root_node, data, found.name, name)
    return _first_field(data, found.fields[::-1], name)


def field_of(fam: str, tree: ts.Tree, data: bytes, cls_name: str, name: str) -> str | None:
    """The class of the field ``name`` that the class ``cls_name`` declares in this file
    (the first class of that name; its ``}`` not typed yet too)."""
    root = tree.root_node
    if fam in (GO, RUST):
        return _struct_field(root, data, cls_name, name, "type" if fam == GO else "struct")[1]
    for named in declarations(root, data, cls_name, _OPENERS[JAVA]):
        cls = named.parent
        if cls is not None and cls.type in CLASSES[JAVA]:
            return field_class(data, cls, name)[1]
        if cls is not None and cls.type == "ERROR":
            # Its ``}`` not typed yet: its keyword, name and fields so far in an error.
            fields = _layout(fam, tree, cls).fields
            after = fields[bisect_left(fields, named.end_byte, key=_start) :]
            return _first_field(data, after, name)[1]
    return None


def _first_field(data: bytes, members: list[ts.Node], name: str) -> tuple[bool, str | None]:
    """Whether one of ``members`` declares the field ``name``, and its type's class."""
    return next((d for m in members if (d := declared_field(data, m, name))[0]), (False, None))


def declarations(
    root: ts.Node, data: bytes, cls_name: str, keywords: tuple[str, ...]
) -> Iterator[ts.Node]:
    """The names of the classes ``cls_name`` declared after one of ``keywords`` (Go's
    ``type``: ``Client struct``), as the tree has them."""
    for m in _declared(keywords, cls_name).finditer(data):
        node = root.descendant_for_byte_range(m.start(), m.end())
        if node is not None and _text(data, node) == cls_name:
            yield node


#: Up to how many spaces or tabs after a keyword (a class's, a declaration's) a name is looked
#: for (a look behind is of one width).
KEYWORD_GAPS = 4


@lru_cache(maxsize=256)
def _declared(keywords: tuple[str, ...], cls_name: str) -> re.Pattern[bytes]:
    """``class Client``, ``struct  Client``, Go's ``Client struct``, ``Box[T any] struct``:
    the name's text first, a scan for its bytes (a regular expression starting with a
    keyword's ``\\b``, tried at each byte, took 0.7-1 ms over 100 kB)."""
    name = re.escape(cls_name.encode())
    if keywords == ("type",):
        return re.compile(name + rb"(?=(?:\[[^\]\n]*\])?[ \t]+struct\b)")
    behind = b"|".join(
        rb"(?<=" + k.encode() + rb"[ \t]{%d}" % gap + name + rb")"
        for k in keywords
        for gap in range(1, KEYWORD_GAPS + 1)
    )
    return re.compile(name + rb"(?![\w$])(?:" + behind + rb")")


def _struct_field(
    root: ts.Node, data: bytes, cls_name: str, name: str, keyword: str = "struct"
) -> tuple[bool, str | None]:
    """A Rust or Go struct's field ``name`` and its type's class, the struct found by its
    name's text (in a module, in an error around a use not closed yet)."""
    for named in declarations(root, data, cls_name, (keyword,)):
        body = _struct_body(named.parent)
        if body is not None:
            return _first_field(data, body.named_children, name)
    return False, None


def _struct_body(item: ts.Node | None) -> ts.Node | None:
    """A Rust struct's or a Go ``type_spec``'s struct's field list."""
    if item is not None and item.type == "type_spec":
        kind = item.child_by_field_name("type")
        if kind is None or kind.type != "struct_type":
            return None
        return next((c for c in kind.named_children if c.type == "field_declaration_list"), None)
    if item is not None and item.type == "struct_item":
        return item.child_by_field_name("body")
    return None


def _text(data: bytes, node: ts.Node) -> str:
    return data[node.start_byte : node.end_byte].decode("utf-8", "replace")
