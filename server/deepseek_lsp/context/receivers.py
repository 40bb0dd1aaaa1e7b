"""The class of a member's receiver, from what the document itself says of it.

``conn.send(`` where five files define ``send``: the symbol table gives no name that more than
two files define, and the first two definitions found were other classes'. The document often
says which class ``conn`` is: ``conn = Connection(...)``, ``def f(conn: Connection)``, ``with
Connection() as conn``, ``self.conn = Connection()`` or ``self.conn: Connection`` in its class,
TypeScript's ``const conn = new Connection()``, ``conn: Connection``, ``private conn:
Connection`` and ``this.conn = new Connection()``; ``k.conn``'s is the field's type in the class
``k`` is, where this file declares it (three levels at most: ``self.k.conn``, ``a.k.conn``,
``self.app.k.conn``). No inference beyond that: a name bound otherwise (a call of a function, a
parameter without an annotation) has no class here, and an attribute given two classes has none
either.

From the document's tree (the scopes) and text searches inside a scope: ~20-60 µs a receiver
on a 30 kB file (a regular expression over the function or class, the module's text before the
use for a module-level name).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Iterable, Iterator
from functools import lru_cache
from itertools import islice
from typing import NamedTuple

import tree_sitter as ts

from . import class_fields, declared_types, destructuring
from . import python_bindings as py
from . import typed_bindings as typed
from .type_names import NAME, NAME_BYTES, STRING, capitalised, class_of_type, class_of_value

#: The languages read, and their scopes: where a parameter or local is bound, where a class's
#: attributes are assigned.
_PYTHON = "python"
_JS_FAMILY = frozenset({"javascript", "typescript", "tsx"})
_FUNCTIONS = {
    _PYTHON: frozenset({"function_definition", "lambda"}),
    "js": frozenset(
        {
            "function_declaration",
            "function_expression",
            "function",
            "arrow_function",
            "method_definition",
            "generator_function_declaration",
            "generator_function",
        }
    ),
}
_CLASSES = {
    _PYTHON: frozenset({"class_definition"}),
    "js": frozenset({"class_declaration", "class", "abstract_class_declaration"}),
}
_FUNCTIONS.update(typed.FUNCTIONS)
_CLASSES.update(typed.CLASSES)


#: Receivers read per request: the members nearest the cursor.
MAX_RECEIVERS = 8


#: Where a member's uses are looked for around the cursor (bytes before, after): names_near's
#: span, where the names looked up come from (the prompt's whole window took twice as long).
USE_SPAN = (1500, 500)


#: The module's text searched for a module-level name's binding, back from its use.
MODULE_SPAN = 32_768


def reads_receivers(language: str) -> bool:
    """Whether ``member_receivers`` reads documents of ``language``."""
    return _family(language) is not None


def _family(language: str) -> str | None:
    if language == _PYTHON:
        return _PYTHON
    return "js" if language in _JS_FAMILY else typed.FAMILIES.get(language)


#: ``k.conn``'s class where ``k``'s class is not declared in the document: given the class and
#: the field, what another file's declaration of it says.
FieldElsewhere = Callable[[str, str], "str | None"]


def member_receivers(
    language: str,
    tree: ts.Tree,
    data: bytes,
    offset: int,
    window: tuple[int, int],
    members: Iterable[str],
    imported: Container[str] = (),
    elsewhere: FieldElsewhere | None = None,
) -> dict[str, str]:
    """By member name, the class of its receiver at its use nearest ``offset`` (in ``window``,
    within ``USE_SPAN``), where the document says which it is; ``self``/``this`` is the
    enclosing class, a capitalised name no scope binds a class itself (``Option.parse``).
    ``imported``: the names the import statements bind, modules (``util.quote``) but for
    capitalised ones."""
    fam = _family(language)
    if fam is None:
        return {}
    span = (max(window[0], offset - USE_SPAN[0]), min(window[1], offset + USE_SPAN[1]))
    uses = sorted(
        (u for m in dict.fromkeys(members) if (u := _nearest_use(data, offset, span, m))),
        key=lambda u: u[0],
    )
    found: dict[str, str] = {}
    for _dist, member, at, receiver, owner in uses[:MAX_RECEIVERS]:
        cls = _class_of(fam, tree, data, at, receiver, owner, imported, elsewhere)
        if cls is not None:
            found[member] = cls
    return found


_SELVES = ("self", "this")


def _class_of(
    fam: str,
    tree: ts.Tree,
    data: bytes,
    at: int,
    receiver: str,
    owner: str | None,
    imported: Container[str],
    elsewhere: FieldElsewhere | None = None,
) -> str | None:
    """The class of ``receiver`` (``owner.receiver`` when ``owner``, ``self``/``this``, a name
    or two, ``self.k``, ``a.k``: the field's type in the class the file says the owner is,
    declared in this file or, by ``elsewhere``, another) used at ``at``."""
    if owner is not None and owner not in _SELVES:
        head, _, last = owner.rpartition(".")
        of = _class_of(fam, tree, data, at, last, head or None, imported, elsewhere)
        if of is None:
            return None
        cls = _field_of(fam, tree, data, of, receiver)
        return elsewhere(of, receiver) if cls is None and elsewhere is not None else cls
    if owner is None and receiver in imported:
        return receiver if capitalised(receiver) else None
    return receiver_class(fam, tree, data, at, receiver, owner is not None)


def _field_of(fam: str, tree: ts.Tree, data: bytes, cls_name: str, name: str) -> str | None:
    """The class of the attribute or field ``name`` of the class ``cls_name`` this file
    declares."""
    if fam not in (_PYTHON, "js"):
        return class_fields.field_of(fam, tree, data, cls_name, name)
    for named in class_fields.declarations(tree.root_node, data, cls_name, ("class",)):
        if named.parent is not None and named.parent.type in _CLASSES[fam]:
            return _attribute_class(fam, tree, data, named.parent, name)
        if fam == "js" and named.parent is not None and named.parent.type == "ERROR":
            return _attribute_class(fam, tree, data, named, name, named.parent.end_byte)
    return None


#: How many names at most a receiver's owners are (``self.app.k`` of ``self.app.k.conn.``):
#: each one more is a class read; a fourth has none.
MAX_OWNERS = 3

#: A name's bytes: UTF-8's beyond ASCII too (``café``, ``数据``: Python, JavaScript, Go and Java
#: take Unicode letters), told from other characters once decoded (``_identifiers_only``).
_NAME = NAME_BYTES
#: The cursor after a receiver and its dot: ``conn.``, ``self.pool.``, ``k.conn.``,
#: ``self.k.conn.``, ``self.app.k.conn.``, ``store?.``, ``k?.conn.``, ``conn.se`` (the member
#: half typed).
_AT_CURSOR = re.compile(
    rb"(?<![\w$.\x80-\xff])(?:(%s(?:\??\.%s){0,%d})\??\.)?(%s)\??\.[\w$\x80-\xff]*$"
    % (_NAME, _NAME, MAX_OWNERS - 1, _NAME)
)


def _identifiers_only(*names: str) -> bool:
    """Whether each of ``names`` (an owner's may be none) is an identifier (not ``…`` or a
    non-breaking space: bytes beyond ASCII the pattern takes), ``$`` a letter as JavaScript's."""
    return all(not n or n.replace("$", "_").isidentifier() for n in names)


class MemberAt(NamedTuple):
    """The member being typed at a cursor (``conn.|``, ``self.conn.se|``), read once a request
    (:func:`member_at`): where its receiver starts, where its dot is, the receiver's name and
    its owners, dotted (``self`` for ``self.conn``)."""

    at: int
    dot: int
    receiver: str
    owner: str | None

    @property
    def written(self) -> tuple[int, str]:
        """Its dot and its receiver as written: ``c.`` taken back and ``g.`` typed in its place
        has its dot where ``c``'s was, and is another member."""
        return self.dot, f"{self.owner}.{self.receiver}" if self.owner else self.receiver


def member_at(language: str, tree: ts.Tree, data: bytes, offset: int) -> MemberAt | None:
    """The member being typed at ``offset`` (``conn.|``, ``conn.se|``) whose receiver's class
    may be sent; None where none can be (``self.``, ``1.``, ``f().``, a comment's full stop, a
    language whose receivers are not read: C's, C++'s, Ruby's, Kotlin's, Scala's and Swift's
    are, from their declarations' text, ``declared_types``; Lua's, whose dot may be a module's,
    ``_MODULE_DOTS``)."""
    fam = _family(language)
    if fam is None and language in _MODULE_DOTS:
        return _member_at(language, tree, data, offset)
    return _member_at(fam, tree, data, offset) if fam is not None else _declared_member(language, tree, data, offset)


def class_around(language: str, tree: ts.Tree, data: bytes, offset: int) -> tuple[str, bool] | None:
    """The class whose body the cursor is in (``self``'s, ``this``'s), and whether the cursor is
    at a bare ``self.|`` or ``this.|`` (the member still to be typed, or half typed), which
    :func:`member_at` leaves out (the class is in view); None outside a class or in a language
    whose receivers are not read."""
    fam = _family(language)
    if fam is None:
        return None
    line = data[data.rfind(b"\n", 0, offset) + 1 : offset][-200:]
    m = _AT_CURSOR.search(line)
    at_self = m is not None and m.group(1) is None and m.group(2).decode("utf-8", "replace") in _SELVES
    # Read at the line's first word: at the cursor, a line's end is the class's body's end
    # (or none of it, at ``self.`` the tree breaks on).
    text = line.lstrip()
    if not text and fam == _PYTHON:
        cls = _python_class_above(tree, data, offset, len(line))
        return (cls, False) if cls is not None else None
    at = offset - len(text) if text else max(offset - 1, 0)
    cls = receiver_class(fam, tree, data, at, "self", False)
    if cls is None:
        return None
    return cls, at_self and not _in_prose(tree, data, offset)


def _python_class_above(tree: ts.Tree, data: bytes, offset: int, indent: int) -> str | None:
    """The class whose body a blank line at ``offset``, indented ``indent`` bytes, is in. Python's
    tree ends a class at its last statement: the line opened below its last method (where the
    next request is asked, its snippets kept at the ``self.`` typed there) was outside it, and
    its bases never came. It is the innermost class around the last text above whose header is
    indented less than the line."""
    at = data.rfind(b"\n", 0, offset)
    while at > 0 and data[at] in b" \t\r\n\f":
        at -= 1
    node: ts.Node | None = tree.root_node.descendant_for_byte_range(at, at) if at >= 0 else None
    while (node := _enclosing(node, _CLASSES[_PYTHON])) is not None and node.start_point[1] >= indent:
        node = node.parent
    name = node.child_by_field_name("name") if node is not None else None
    return class_of_type(_text(data, name)) if name is not None else None


#: Languages whose receivers' classes are not read, whose dot may follow a module imported
#: whole (Lua's ``local store = require("store")``: ``store.|``, ``module_outline``).
_MODULE_DOTS = frozenset({"lua"})


def receiver_at(
    language: str,
    tree: ts.Tree,
    data: bytes,
    offset: int,
    imported: Container[str] = (),
    elsewhere: FieldElsewhere | None = None,
) -> str | None:
    """The class of the receiver the cursor is after (``conn.|``), where the document says it:
    its member is still to be typed, so the class's members are what the line needs."""
    member = member_at(language, tree, data, offset)
    return class_of_member(language, tree, data, member, imported, elsewhere)


def class_of_member(
    language: str,
    tree: ts.Tree,
    data: bytes,
    member: MemberAt | None,
    imported: Container[str] = (),
    elsewhere: FieldElsewhere | None = None,
) -> str | None:
    """:func:`receiver_at` for the member :func:`member_at` read already."""
    fam = _family(language)
    if fam is None or member is None:
        return None
    return _class_of(fam, tree, data, member.at, member.receiver, member.owner, imported, elsewhere)


def receiver_key(language: str, tree: ts.Tree, data: bytes, member: MemberAt) -> str | None:
    """What tells the class :func:`class_of_member` may find for ``member``: the class the
    document binds the receiver to (``Counter`` for ``c``), or the receiver as written where its
    owner or a capital may say one (``self.conn``, ``Counter``); None for a name bound to none
    (``fmt.``, ``math.``, a ``conn`` of no type said)."""
    fam = _family(language)
    if fam is None:
        if not declared_types.reads(language):
            return None  # (a module's dot, ``_MODULE_DOTS``)
        # Read from the declaration's text: a key for choosing the snippets anew only.
        return declared_types.declared_class(language, data, member.dot, member.receiver)
    if member.owner is not None or capitalised(member.receiver):
        return member.written[1]
    return receiver_class(fam, tree, data, member.at, member.receiver, False)


def _declared_member(language: str, tree: ts.Tree, data: bytes, offset: int) -> MemberAt | None:
    """:func:`member_at` in a language of ``declared_types``: a C, C++, Ruby, Kotlin, Scala or
    Swift receiver's (its owner none, its class read from its declaration's text)."""
    if not declared_types.reads(language):
        return None
    found = declared_types.member_at(language, data, offset)
    if found is None or _in_prose(tree, data, offset):
        return None
    dot, receiver = found
    return MemberAt(dot - len(receiver.encode()), dot, receiver, None)


#: Lua's member after a colon too (``store:put``, a method's call), and a module required in
#: place (``require("store").``, ``require "store":``): its receiver written ``require("store")``.
_LUA_AT_CURSOR = re.compile(
    rb"(?<![\w$.:\x80-\xff])(?:(%s(?:\.%s){0,%d})\.)?(%s)[.:][\w\x80-\xff]*$"
    % (_NAME, _NAME, MAX_OWNERS - 1, _NAME)
)
_LUA_REQUIRED_AT_CURSOR = re.compile(
    rb"(?<![\w.:])require[ \t]*(?:\([ \t]*)?(?P<q>[\"'])(?P<source>[\w./-]+)(?P=q)[ \t]*\)?(?P<sep>[.:])[\w\x80-\xff]*$"
)


def lua_required(source: str) -> str:
    """How a module required in place is written as :class:`MemberAt`'s receiver."""
    return f'require("{source}")'


def _member_at(fam: str, tree: ts.Tree, data: bytes, offset: int) -> MemberAt | None:
    """:func:`member_at` in a language family whose receivers are read."""
    line = data[data.rfind(b"\n", 0, offset) + 1 : offset]
    if fam == "lua" and (r := _LUA_REQUIRED_AT_CURSOR.search(line[-200:])) is not None:
        if _in_prose(tree, data, offset):
            return None
        start = offset - len(line[-200:])
        source = r.group("source").decode()
        return MemberAt(start + r.start(), start + r.start("sep"), lua_required(source), None)
    m = (_LUA_AT_CURSOR if fam == "lua" else _AT_CURSOR).search(line[-200:])
    if m is None:
        return None
    # (200 bytes back may start inside a character: its bytes left are no identifier's.)
    receiver = m.group(2).decode("utf-8", "replace")
    owner = m.group(1) and m.group(1).decode("utf-8", "replace").replace("?", "")
    spaced = 0
    if not m.group(0).isascii():
        spaced, receiver, owner = _after_space(receiver, owner)
        if not _identifiers_only(receiver, *(owner or "").split(".")):
            return None
    if _in_prose(tree, data, offset):
        return None  # ``# then conn.``, ``"conn.``: no member is being typed
    if receiver in _SELVES and owner is None:
        return None  # the class around the cursor: in view, or its outline is the file's
    start = offset - len(line[-200:])
    return MemberAt(start + m.start() + spaced, start + m.end(2), receiver, owner)


def _after_space(receiver: str, owner: str | None) -> tuple[int, str, str | None]:
    """A receiver and its owners read with the bytes beyond ASCII before them: its first name's
    part after a Unicode space (JavaScript's and C#'s no-break, ideographic or thin space,
    ``return\u00a0conn.``), and how many bytes went; all of it where it has none."""
    first = (owner or receiver).split(".", 1)[0]
    cut = max((i for i, ch in enumerate(first) if ch.isspace()), default=-1)
    if cut < 0:
        return 0, receiver, owner
    kept = first[cut + 1 :]
    spaced = len(first[: cut + 1].encode())
    if owner:
        return spaced, receiver, kept + owner[len(first) :]
    return spaced, kept, owner


def field_in_text(
    language: str, parser: ts.Parser, text: str, cls_name: str, name: str, *, member: bool
) -> str | None:
    """The class of the field ``name`` that another file's text of the class ``cls_name`` (its
    definition's first lines, or, ``member``, the field's own: ``private Conn conn;``, ``conn:
    Conn``, put in a class of that name) declares."""
    fam = _family(language)
    if fam is None:
        return None
    if member and fam == _PYTHON:
        text = f"class {cls_name}:\n    " + text.replace("\n", "\n    ")
    elif member:
        text = f"class {cls_name} {{\n{text}\n}}\n"
    data = text.encode()
    return _field_of(fam, parser.parse(data), data, cls_name, name)


#: Code inside a string: an f-string's ``{…}``, a template literal's ``${…}``.
_CODE_IN_STRING = frozenset({"interpolation", "template_substitution", "string_interpolation"})
#: No member typed there either: a regular expression (its dot is any character), JSX's text
#: (its ``{…}`` is code, a ``jsx_expression``).
_PROSE = frozenset({"regex", "jsx_text"})


def _in_prose(tree: ts.Tree, data: bytes, offset: int) -> bool:
    """Whether the text before ``offset`` is in a comment, a string (not its code), a regular
    expression or JSX's text."""
    node: ts.Node | None = tree.root_node.descendant_for_byte_range(max(0, offset - 1), max(0, offset - 1))
    while node is not None:
        kind = node.type
        if kind in _CODE_IN_STRING:
            return False
        if "comment" in kind or "string" in kind or kind in _PROSE:
            return True
        if kind == "ERROR" and _in_unclosed_string(node, data, offset):
            return True
        node = node.parent
    return False


#: How far back in an error an unclosed string's opening quote is looked for, and how many
#: quotes at most (an apostrophe in a comment is one).
_UNCLOSED_SPAN = 4096
_UNCLOSED_QUOTES = 8


def _in_unclosed_string(error: ts.Node, data: bytes, offset: int) -> bool:
    """Whether ``offset`` is in a string whose end is still to be typed (``log("see conn.``, a
    docstring being written, with no editor to close the quotes): the parser finds no string
    there, only Python's ``string_start`` left in an error, the last quote's token before the
    cursor. Not a one-line string's opened on a line above (it ended with its line), nor an
    f-string's ``{`` still open (code). From the quotes back, not the error's tokens: one can
    hold a whole file's, and reading those of 2 kB took 0.17 ms."""
    low = max(error.start_byte, offset - _UNCLOSED_SPAN)
    at = offset
    for _ in range(_UNCLOSED_QUOTES):
        at = max(data.rfind(b'"', low, at), data.rfind(b"'", low, at))
        if at < 0:
            return False
        token = error.descendant_for_byte_range(at, at + 1)
        code = _code_in(token, error)
        if code is not None:
            at = code.start_byte  # ``f"{d['k']} see conn.``: the quote is a closed {…}'s
            continue
        if token is None or token.type == "string_end":
            return False  # the string before the cursor is closed
        if token.type == "string_start":
            quote = data[token.start_byte : token.end_byte]
            text = data[token.end_byte : offset]
            if not quote.endswith((b'"""', b"'''")) and b"\n" in text:
                return False
            return not (b"f" in quote.lower() and text.count(b"{") > text.count(b"}"))
    return False


def _code_in(token: ts.Node | None, error: ts.Node) -> ts.Node | None:
    """The outermost f-string's ``{…}`` that holds ``token`` inside ``error``."""
    code = None
    while token is not None and token.id != error.id:
        code = token if token.type in _CODE_IN_STRING else code
        token = token.parent
    return code


_WORD_BYTES = frozenset(
    b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$" + bytes(range(0x80, 0x100))
)
_is_word = _WORD_BYTES.__contains__


def _nearest_use(
    data: bytes, offset: int, window: tuple[int, int], member: str
) -> tuple[int, str, int, str, str | None] | None:
    """The use of ``member`` on a receiver (``conn.send``, ``self.pool.get``, ``k.conn.send``,
    ``this.k.conn.send``, ``this.store?.load``) nearest ``offset``: (distance, member, the
    receiver's start (its first owner's), the receiver, its owners, dotted). A text search, as
    ``_used_as_member``, out from ``offset`` both ways (each use read took 5 µs: 50 of them in
    the window were a fifth of a request's receivers); one more than ``MAX_OWNERS`` names below
    another (``a.b.c.d.e.send``) is none."""
    needle = b"." + member.encode()
    lo, hi = max(0, window[0]), min(len(data), window[1])
    found: list[tuple[int, int, tuple[int, str, str | None]]] = []
    end = min(hi, offset + len(needle))
    while (dot := data.rfind(needle, lo, end)) >= 0:
        end = dot
        if (use := _use_at(data, dot, len(needle))) is not None:
            found.append((offset - dot, dot, use))
            break
    at = max(lo, offset + 1)
    while (dot := data.find(needle, at, hi)) >= 0:
        at = dot + 1
        if (use := _use_at(data, dot, len(needle))) is not None:
            found.append((dot - offset, dot, use))
            break
    if not found:
        return None
    dist, _dot, (start, receiver, owner) = min(found)  # (the one before, of two as near)
    return dist, member, start, receiver, owner


def _use_at(data: bytes, dot: int, size: int) -> tuple[int, str, str | None] | None:
    """The receiver of the member whose dot is at ``dot`` (``size`` bytes with its name): its
    start (its first owner's), its name and its owners, dotted; None for none."""
    end = dot + size
    if end < len(data) and _is_word(data[end]):
        return None  # a longer name
    names: list[bytes] = []
    start = dot + 1
    while len(names) <= MAX_OWNERS and data[start - 1 : start] == b".":
        word = _word_before(data, start - 1)
        if word is None:
            break  # ``).send``, ``1.5``, ``f().conn.send``
        start, stop = word
        names.append(data[start:stop])
    if not names or (start > 0 and data[start - 1] in b".$"):
        return None
    receiver, owner = names[0].decode(), b".".join(names[:0:-1]).decode()
    if not data[start:dot].isascii():
        spaced, receiver, owner = _after_space(receiver, owner)
        start += spaced
        if not _identifiers_only(receiver, *owner.split(".")):
            return None
    return start, receiver, owner or None


def _word_before(data: bytes, dot: int) -> tuple[int, int] | None:
    """Where the name before the member's dot at ``dot`` is (``conn.``, ``conn?.``), or None
    where there is none (``).``, ``1.``)."""
    stop = dot - 1 if data[dot - 1 : dot] == b"?" else dot
    start = stop
    while start > 0 and _is_word(data[start - 1]):
        start -= 1
    return None if start == stop or data[start : start + 1].isdigit() else (start, stop)


def receiver_class(
    fam: str, tree: ts.Tree, data: bytes, at: int, receiver: str, on_self: bool
) -> str | None:
    """The class of ``receiver`` (``self.receiver`` when ``on_self``) used at byte ``at``."""
    cls = _receiver_class(fam, tree, data, at, receiver, on_self)
    if cls == "Self" and fam == typed.RUST:
        # ``let c = Self::new()``, ``other: &Self``: the type of the ``impl`` around.
        return _receiver_class(fam, tree, data, at, "self", False)
    return cls


def _receiver_class(
    fam: str, tree: ts.Tree, data: bytes, at: int, receiver: str, on_self: bool
) -> str | None:
    node: ts.Node | None = tree.root_node.descendant_for_byte_range(at, at)
    if receiver in ("self", "this") and not on_self:
        cls = _enclosing(node, _CLASSES[fam])
        if cls is None and fam in _OPEN_CLASSES:
            # The class's ``}`` not typed yet: no class in the tree, its keyword in an error.
            found = class_fields.open_class(fam, tree, data, at)
            return found.name if found is not None else None
        name = cls.child_by_field_name("name") or cls.child_by_field_name("type") if cls else None
        return class_of_type(_text(data, name)) if name is not None else None
    if on_self:
        cls = _enclosing(node, _CLASSES[fam])
        if cls is None and fam in _FIELDED:
            return class_fields.open_field(fam, tree, data, at, receiver)[1]
        if cls is None and fam == "js" and (opened := class_fields.open_class(fam, tree, data, at)):
            return _attribute_class(fam, tree, data, opened.named, receiver, at)
        if cls is None:
            return None
        if fam == typed.RUST:  # the field of the struct the ``impl`` is for
            kind = cls.child_by_field_name("type") if cls.type == "impl_item" else None
            struct = typed.type_class(_text(data, kind)) if kind is not None else None
            return class_fields.field_of(fam, tree, data, struct, receiver) if struct else None
        if fam in _FIELDED:
            return typed.field_class(data, cls, receiver)[1]
        return _attribute_class(fam, tree, data, cls, receiver)
    scope = _enclosing(node, _FUNCTIONS[fam])
    if fam == _PYTHON and _comprehension_binds(node, scope, data, receiver):
        return None  # ``[c.send() for c in conns]``: not the function's ``c``
    # An enclosing function's own text ends where the inner one starts (the inner's bindings
    # are not its own); none is searched farther back than ``MODULE_SPAN`` from the use.
    end, floor = at, max(0, at - MODULE_SPAN)
    while True:
        bound, cls_name = _bound_in(fam, tree.root_node, data, scope, receiver, end, floor)
        if bound:
            return cls_name
        if scope is None and fam == "js":
            # A parameter of a function whose ``}`` is not typed yet (no function in the tree).
            for params in class_fields.open_parameters(fam, tree, at):
                bound, cls_name = _listed(fam, params, data, receiver, None)
                if bound:
                    # ``for (const c of pending) {`` since: the loop's ``c``, not the parameter.
                    declared = _declared_open(tree, data, receiver, params.end_byte, at)
                    return None if declared else cls_name
        if scope is None and fam == typed.JAVA:
            # A field farther back than ``MODULE_SPAN``, the class's ``}`` not typed yet: the
            # error around the use holds the class's fields (the text read back is not).
            bound, cls_name = class_fields.open_field(fam, tree, data, at, receiver)
            if bound:
                return cls_name
        if scope is None:
            return receiver if capitalised(receiver) else None
        end = max(floor, scope.start_byte)
        if fam == typed.JAVA and _enclosing(scope.parent, _FUNCTIONS[fam]) is None:
            # Out of the methods: a field of the class (of a class around it, for a nested one).
            cls = _enclosing(scope, _CLASSES[fam])
            while cls is not None:
                bound, cls_name = typed.field_class(data, cls, receiver)
                if bound:
                    return cls_name
                cls = _enclosing(cls.parent, _CLASSES[fam])
        scope = _enclosing(scope.parent, _FUNCTIONS[fam])


def bound_in_function(language: str, tree: ts.Tree, data: bytes, member: MemberAt) -> bool:
    """Whether a function around ``member`` binds its receiver before it (a parameter, a local
    variable, a loop's or a ``with``'s): ``store.`` there is not the module imported as
    ``store`` (``module_outline``), whose names were sent for a dict's."""
    fam = _family(language)
    if fam is None or member.owner is not None:
        return False
    node: ts.Node | None = tree.root_node.descendant_for_byte_range(member.at, member.at)
    scope = _running_in(fam, node, member.at)
    name = member.receiver
    if fam == _PYTHON and (
        _comprehension_binds(node, scope, data, name) or py.open_lambda_binds(node, data, name, member.at)
    ):
        return True
    end, floor = member.at, max(0, member.at - MODULE_SPAN)
    if scope is None and fam == "js":
        # A function whose ``}`` is not typed yet: no function in the tree, its parameters are.
        return any(
            _listed(fam, p, data, name, None)[0]
            or _declared_open(tree, data, name, p.end_byte, member.at)
            for p in class_fields.open_parameters(fam, tree, member.at)
        )
    if scope is None and fam in _NO_MODULE_LOCALS:
        return _unfinished_binds(fam, tree, data, member.at, name) or _bound_in(
            fam, tree.root_node, data, None, name, end, floor
        )[0]
    while scope is not None:
        if _bound_in(fam, tree.root_node, data, scope, name, end, floor)[0]:
            return True
        end = max(floor, scope.start_byte)
        scope = _running_in(fam, scope.parent, member.at)
    return False


def _running_in(fam: str, node: ts.Node | None, at: int) -> ts.Node | None:
    """The function whose run evaluates the code at ``at`` (from ``node`` up). Python runs a
    parameter's default and an annotation when the ``def`` or ``lambda`` runs, in the scope
    around it: ``def f(a=store.|)`` at the module's level reads the module's ``store``."""
    scope = _enclosing(node, _FUNCTIONS[fam])
    while fam == _PYTHON and scope is not None:
        # (The header's ``:``, not the body's start: a line the tree made an ERROR before an
        # empty body, ``def f():\n    store.``, is in the body.)
        colon = next((c for c in scope.children if c.type == ":"), None)
        if colon is None or colon.start_byte < at:
            break
        scope = _enclosing(scope.parent, _FUNCTIONS[fam])
    return scope


def bound_at_module_level(language: str, tree: ts.Tree, data: bytes, member: MemberAt, since: int) -> bool:
    """Whether the module's level binds ``member``'s receiver again after ``since`` (the end of
    the import that bound it to a module): ``import store`` then ``store = Store()``, whose
    ``store.`` is the Store's. A use in a function sees the bindings of the whole module (they
    ran before it is called), one at the module's level those before it. An assignment's line
    found by a search, then its place in the tree: a module using the name 20,000 times took
    100 ms a dot read as the receivers' bindings are."""
    fam = _family(language)
    if fam not in _ASSIGNED_AFTER or member.owner is not None:
        return False
    node = tree.root_node.descendant_for_byte_range(member.at, member.at)
    end = len(data) if _running_in(fam, node, member.at) is not None else member.at
    word = member.receiver.encode()
    # (The name first, a literal the search skips to; then what is before it on its line.)
    starts = [
        m.start()
        for m in re.finditer(re.escape(word) + _ASSIGNED_AFTER[fam], data[:end])
        if m.start() >= since and _ASSIGNED_BEFORE[fam].fullmatch(data, data.rfind(b"\n", 0, m.start()) + 1, m.start())
    ]
    if fam == _PYTHON:  # ``for store in``, ``with ... as store:``, ``(store := ...)``
        for m in re.compile(re.escape(word) + rb"\b[ \t]*(:=|in\b|[:,)])").finditer(data, since, end):
            head = data.rfind(b"\n", 0, m.start()) + 1
            if m.group(1) == b":=" or _AS_OR_FOR.search(data, head, m.start()):
                starts.append(m.start())
    scopes = _FUNCTIONS[fam] | _CLASSES[fam]
    for start in starts:
        at = tree.root_node.descendant_for_byte_range(start, start)
        if at is not None and _assigned_target(at) and _enclosing(at, scopes) is None:
            return True
    if fam == _PYTHON:  # ``def store():``, ``class store:``, ``case store:``
        # (Searched for such lines, not read at each use: a module used 20,000 times.)
        for m in (m for pattern in py.defining_lines(word) for m in pattern.finditer(data, since, end)):
            start = m.start("name")
            at = tree.root_node.descendant_for_byte_range(start, start)
            prefix = data[data.rfind(b"\n", 0, start) + 1 : start]
            if at is not None and _py_bound_otherwise(tree.root_node, start, prefix):
                outer = py.defined_by(at)
                if _enclosing(outer.parent if outer is not None else at, scopes) is None:
                    return True
    return False


def _py_bound_otherwise(root: ts.Node, pos: int, prefix: bytes) -> bool:
    """Whether the Python name at ``pos`` (``prefix`` before it on its line) is a ``def``'s or
    a ``class``'s name, or a ``case`` pattern's capture: a binding with no ``=``."""
    if py.DEFINITION_HEAD.fullmatch(prefix):
        node = root.descendant_for_byte_range(pos, pos)
        return node is not None and py.defined_by(node) is not None
    return py.CASE_HEAD.match(prefix) is not None and py.captured(root, pos)


#: What is before a name a Python ``for`` or ``as`` binds, up to it (``for i, (store, b) in``).
_AS_OR_FOR = re.compile(rb"(?:\bas[ \t]+|\bfor[ \t]+[\w\x80-\xff \t,(\[*]*)\Z")
#: Where an assignment's target is, by the node assigning (a search's line may be a keyword
#: argument's, ``store=store,`` of a call over lines, or a string's or a comment's).
_TARGET_FIELDS = {
    "assignment": "left", "assignment_expression": "left", "variable_declarator": "name",
    "for_statement": "left", "named_expression": "name",
}
#: What a target may be unpacked through: ``a, store = ...``, ``(store, b) = ...``, ``*store, b``.
_UNPACKED = frozenset({"pattern_list", "tuple_pattern", "list_pattern", "array_pattern", "list_splat_pattern"})
#: A Python line that may unpack into the name: before it names, commas, brackets, stars and
#: the ``=`` of a target before it (``a = store = ...``), after it the same up to an ``=``
#: (``(a, (store, b)) =``) or a loop's ``in`` (``for i, (store, b) in``); the tree tells a target
#: from a call's arguments over lines (``make_app(\n    store, debug=True)``).
_PY_UNPACK_HEAD = re.compile(rb"[\w\x80-\xff \t,(\[*=]*")
_PY_UNPACK_TAIL = re.compile(rb"[\w\x80-\xff \t,)\]*]*(?:=(?!=)|\bin\b)")


def _py_unpacked(root: ts.Node, pos: int, prefix: bytes, suffix: bytes) -> bool:
    """Whether the Python name at ``pos`` (between ``prefix`` and ``suffix``, its line) is one
    an assignment unpacks into: ``store, other = pair()``, ``(store, other) = ...`` were read
    as no binding of ``store``."""
    if not (_PY_UNPACK_HEAD.fullmatch(prefix) and _PY_UNPACK_TAIL.match(suffix)):
        return False
    node = root.descendant_for_byte_range(pos, pos)
    return node is not None and _assigned_target(node)


def _assigned_target(node: ts.Node) -> bool:
    """Whether ``node`` is (in) the target an assignment or a declaration binds."""
    child, parent = node, node.parent
    while parent is not None and parent.type in _UNPACKED:
        child, parent = parent, parent.parent
    if parent is not None and parent.type == "as_pattern_target":
        return True  # ``with ... as store``, ``except E as store``
    if parent is None or parent.type not in _TARGET_FIELDS:
        return False
    target = parent.child_by_field_name(_TARGET_FIELDS[parent.type])
    return target is not None and target == child


#: An assignment to a name: what follows it (Python's ``store = ...``, ``store: T = ...``,
#: ``a, store = ...``, ``(store, b) = ...``; JavaScript's ``store = ...``, not ``==`` nor ``=>``)
#: and what is before it on its line (the names and brackets unpacked with it, JavaScript's
#: ``let``): the tree then says whether it is a target.
_ASSIGNED_AFTER = {
    _PYTHON: rb"[ \t]*(?:,[^=\n]*)?[)\] \t]*(?::[^=\n]*)?=(?!=)",
    "js": rb"[ \t]*=(?![=>])",
}
_ASSIGNED_BEFORE = {
    _PYTHON: _PY_UNPACK_HEAD,
    "js": re.compile(rb"[ \t]*(?:(?:let|var|const)[ \t]+)?"),
}


def _unfinished_binds(fam: str, tree: ts.Tree, data: bytes, at: int, name: str) -> bool:
    """Whether the function before ``at`` whose body the tree lost (its ``}`` not typed yet: the
    use is in the error after it) has a parameter ``name``, of any type (``shapes []int``)."""
    for node in reversed(tree.root_node.children):
        if node.start_byte >= at:
            continue
        if node.type in _FUNCTIONS[fam] and node.child_by_field_name("body") is None:
            params = node.child_by_field_name("parameters")
            return params is not None and name in _identifiers(data, params)
        if node.type != "ERROR":
            return False
    return False


_COMPREHENSIONS = frozenset(
    {"list_comprehension", "set_comprehension", "dictionary_comprehension", "generator_expression"}
)


def _comprehension_binds(
    node: ts.Node | None, scope: ts.Node | None, data: bytes, name: str
) -> bool:
    """Whether a comprehension around ``node`` (inside ``scope``) has ``name`` as a variable."""
    stop = scope.id if scope is not None else None
    while node is not None and node.id != stop:
        if node.type in _COMPREHENSIONS:
            for clause in node.named_children:
                if clause.type != "for_in_clause":
                    continue
                left = clause.child_by_field_name("left")
                if left is not None and name in _identifiers(data, left):
                    return True
        node = node.parent
    return False


def _identifiers(data: bytes, node: ts.Node) -> list[str]:
    if node.type == "identifier":
        return [_text(data, node)]
    return [i for child in node.named_children for i in _identifiers(data, child)]


def _enclosing(node: ts.Node | None, types: frozenset[str]) -> ts.Node | None:
    while node is not None and node.type not in types:
        node = node.parent
    return node


def _text(data: bytes, node: ts.Node) -> str:
    return data[node.start_byte : node.end_byte].decode("utf-8", "replace")


def _bound_in(
    fam: str,
    root: ts.Node,
    data: bytes,
    scope: ts.Node | None,
    name: str,
    at: int,
    floor: int,
) -> tuple[bool, str | None]:
    """Whether ``scope`` (None: the module) binds ``name`` before ``at`` (from ``floor``), and
    the class it says: the last binding before the use, then a parameter's annotation. A last
    binding in a branch the use is not in (``if``/``else``, a loop, ``try``) may not have run:
    the class is known only if it and the bindings before it, back to one that always runs,
    say the same one (``if remote: conn = Remote() else: conn = Local()``: none; ``conn =
    None``, ``let conn;`` say none of their own: ``conn = None`` then ``if url: conn =
    Connection()`` is a Connection)."""
    word = name.encode()
    if scope is None and fam in _NO_MODULE_LOCALS:
        # Outside any function: a tree broken around the use (its method's ``}`` not typed yet,
        # the class an ERROR), its declarations read back from there, the nearest first.
        positions: Iterable[int] = _occurrences(data, word, floor, at)
    elif scope is None:
        positions = _module_level(fam, data, word, floor, at)
    else:
        positions = _occurrences(data, word, max(floor, scope.start_byte), at)
    said: list[str | None] = []
    bound = False
    skip_from = len(data) + 1
    for pos in positions:
        if pos >= skip_from or not _whole(data, pos, len(word)):
            continue
        line = _line_around(data, pos, len(word))
        binding = _binding(fam, data, pos, *line)
        if binding is None and fam == _PYTHON and (
            _py_unpacked(root, pos, *line) or _py_bound_otherwise(root, pos, line[0])
        ):
            binding = None, False
        if binding is None and scope is None and fam in (typed.GO, typed.RUST):
            binding = typed.unfinished_parameter(fam, root, data, pos, name, *line)
        if binding is None:
            continue
        if fam == typed.GO and binding == (None, True) and _go_reused(root, data, pos, name):
            skip_from = data.rfind(b"\n", 0, pos) + 1  # (its line's others: the same's)
            continue  # ``a, c := pair()``: an assignment of c declared before
        # The nodes up to its function, walked once: each step up is a search down from the
        # root, whose children are a large file's hundreds of functions.
        path, function = _path_up(scope or root, pos, _FUNCTIONS[fam])
        # A nested function's own; not a function whose body the tree lost (its end not typed
        # yet: the use is in the error after it), whose parameters are the use's.
        unfinished = (
            scope is None and function is not None and function.child_by_field_name("body") is None
        )
        if function != scope and not unfinished:
            continue
        if any(n.type == "function_type" for n in path):
            continue  # ``f func(c *Mailer)``: a parameter's function type names no one's c
        if scope is None and any(n.type in _CLASSES[fam] for n in path):
            continue  # a class's attribute
        scoped = path
        negated = typed.negated_pattern_if(path) if fam == typed.JAVA else None
        if negated is not None:
            statement, after = negated
            body = statement.child_by_field_name("consequence")
            if body is not None and _holds(body, at):
                continue  # ``if (!(o instanceof Mailer c)) { c.| }``: the pattern failed there
            if statement.end_byte <= at and after is None:
                return True, None  # maybe the pattern's, maybe what it hides: no class said
            if statement.end_byte <= at and after:
                scoped = path[path.index(statement) + 1 :]
        if binding[1] and any(n.type in typed.BLOCKS and not _holds(n, at) for n in scoped):
            continue  # ``if (ok) { const conn = new A(); }`` then ``conn.send()``: another
        runs = _runs(path, at)
        if runs == "never":
            continue
        bound = True
        if binding[0] is not None or not _NO_VALUE_GIVEN.match(data, pos + len(word)):
            said.append(binding[0])
        if runs == "always":
            break
    else:
        if bound and scope is not None:
            in_parameters, cls_name = _parameter(fam, scope, data, name)
            said += [cls_name] if in_parameters else []
    if bound:
        return True, said[0] if len(set(said)) == 1 else None
    if scope is not None:
        return _parameter(fam, scope, data, name)
    return False, None


def _go_reused(root: ts.Node, data: bytes, pos: int, name: str) -> bool:
    """Whether Go's ``a, c := pair()`` at ``pos`` assigns a ``c`` declared before it."""
    reused, function = typed.go_reused(root, data, pos, name)
    return reused or (function is not None and _parameter(typed.GO, function, data, name)[0])


#: After a name, no value of a class: ``= None``, ``= null``, ``let conn;``.
_NO_VALUE_GIVEN = re.compile(
    rb"[ \t]*(?:=[ \t]*(?:None|null|undefined|nil)\b)?[ \t;]*(?:(?:#|//).*)?$", re.M
)

#: The families whose classes declare their fields (read from the tree), and those with no
#: local at the module's level (Go's package-level ``var c Conn`` is read back as a local's):
#: a use there is in a tree broken around it.
_FIELDED = frozenset({typed.JAVA, typed.RUST})
_OPEN_CLASSES = frozenset({*_FIELDED, "js"})
_NO_MODULE_LOCALS = frozenset({typed.JAVA, typed.RUST, typed.GO})


def _path_up(
    within: ts.Node, pos: int, functions: frozenset[str]
) -> tuple[list[ts.Node], ts.Node | None]:
    """The nodes from the one at ``pos`` up to its function (not included; the root included
    where there is none), and that function."""
    path: list[ts.Node] = []
    node: ts.Node | None = within.descendant_for_byte_range(pos, pos)
    if node is not None and (definition := py.defined_by(node)) is not None:
        node = definition.parent  # (a ``def``'s name binds it where the ``def`` is, not in it)
    while node is not None and node.type not in functions:
        path.append(node)
        node = node.parent
    return path, node


#: Statements and clauses whose body may not run, or run instead of another's.
_BRANCHES = frozenset(
    {
        "if_statement",
        "elif_clause",
        "else_clause",
        "for_statement",
        "for_in_statement",
        "while_statement",
        "do_statement",
        "try_statement",
        "except_clause",
        "catch_clause",
        "match_statement",
        "case_clause",
        "switch_statement",
        "switch_case",
        # Go, Java, C#, Rust
        "expression_switch_statement",
        "type_switch_statement",
        "select_statement",
        "expression_case",
        "type_case",
        "default_case",
        "communication_case",
        "enhanced_for_statement",
        "foreach_statement",
        "switch_expression",
        "switch_block_statement_group",
        "switch_rule",
        "switch_section",
        "if_expression",
        "match_expression",
        "match_arm",
        "for_expression",
        "while_expression",
        "loop_expression",
    }
)
_IFS = frozenset({"if_statement", "if_expression"})


def _holds(node: ts.Node, at: int) -> bool:
    return node.start_byte <= at < node.end_byte


def _runs(path: list[ts.Node], at: int) -> str:
    """Whether the first node of ``path`` (up to its scope) has run where the byte ``at`` is:
    ``never`` in another part of an ``if`` around the use (its body for a use in its
    ``else``); ``maybe`` in a branch around it but not the use, or another part of a ``try`` or
    loop around both (the ``try``'s body for a use in its ``except``); else ``always``."""
    for node, parent in zip(path, [*path[1:], None], strict=True):
        if not _holds(node, at) and not _runs_first(node, parent):
            if parent is not None and parent.type in _IFS and _holds(parent, at):
                return "never"
            if node.type in _BRANCHES or (parent is not None and parent.type in _BRANCHES):
                return "maybe"
    return "always"


#: The parts of a branching statement that run whenever it does.
_FIRST_PARTS = ("condition", "initializer")


def _runs_first(node: ts.Node, parent: ts.Node | None) -> bool:
    """Whether ``node`` is its ``if``'s or loop's condition (``if (conn := X()):``), Go's
    initializer (``if c := X(); ok``), not one of its branches."""
    if parent is None or not (parent.type in _BRANCHES or parent.type in _IFS):
        return False
    return any(parent.child_by_field_name(f) == node for f in _FIRST_PARTS)


def _occurrences(data: bytes, word: bytes, start: int, end: int) -> Iterator[int]:
    """Where ``word`` is in ``data[start:end]``, last first."""
    pos = end
    while (pos := data.rfind(word, start, pos)) >= 0:
        yield pos


@lru_cache(maxsize=512)
def _at_line_start(word: bytes) -> re.Pattern[bytes]:
    """``word`` first on a line, declared or not (``conn =``, ``export let conn``, indented in
    an ``if``): the module's text is searched for these, not for every use of the name (pygls's
    ``params``, 300 of them)."""
    return re.compile(
        rb"^[ \t]*(?:export[ \t]+)?(?:(?:const|let|var)[ \t]+)?" + re.escape(word) + rb"(?![\w$])",
        re.M,
    )


#: Up to how many times a name's text may be in the module's text searched for its bindings
#: for each to be looked at (its line's start read back), rather than every line's start.
FEW_USES = 48
_LINE_HEAD = re.compile(rb"[ \t]*(?:export[ \t]+)?(?:(?:const|let|var)[ \t]+)?")


def _module_level(fam: str, data: bytes, word: bytes, start: int, end: int) -> list[int]:
    """Where a line of the module's text starts with ``word``, and where Python binds it later
    on a line (``for conn in``, ``with X() as conn``, ``(conn := X())``), last first (those in
    functions and classes are told apart by the tree). A name seldom in the text is looked for
    where it is (``k`` 3 times in 32 kB: 0.05 ms); the lines' starts are tried each (0.6 ms over
    32 kB, 1.6 on a busy machine) for one used often."""
    uses = list(islice(_name_uses(word).finditer(data, start, end), FEW_USES + 1))
    if len(uses) <= FEW_USES:
        found = [
            m.start()
            for m in uses
            if (head := data.rfind(b"\n", 0, m.start()) + 1) >= start
            and (
                _LINE_HEAD.fullmatch(data, head, m.start())
                # ``const { conn = new Conn() } = opts`` in a function whose ``}`` is not typed
                or (fam == "js" and _destructured(data, m.start(), head) is not None)
            )
        ]
    else:
        found = [m.end() - len(word) for m in _at_line_start(word).finditer(data, start, end)]
    if fam == _PYTHON:
        found += [m.start() for m in _bound_later_on_line(word).finditer(data, start, end)]
        found.sort()
    return found[::-1]


#: JavaScript's nodes whose declarations are theirs alone: one closed before a use (``for
#: (const c of xs) { ... }``, a callback's body) declares nothing there.
_JS_SCOPES = frozenset(
    {
        "statement_block",
        "for_statement",
        "for_in_statement",
        "function_declaration",
        "function_expression",
        "arrow_function",
        "method_definition",
        "class_body",
    }
)


def _declared_open(tree: ts.Tree, data: bytes, name: str, start: int, at: int) -> bool:
    """Whether ``name`` is declared between ``start`` and ``at`` in code whose ``}`` is not typed
    yet (so still in scope at ``at``), not in a block or function closed before it. Declared
    more than ``FEW_USES`` times, it is taken as declared: each is a node looked up (5,000
    closed loops' ``const c`` took 10 ms of CPU a request)."""
    declarations = (
        m
        for m in _declared_again(name.encode()).finditer(data, start, at)
        if m.group("plain") is not None
        or _destructured(data, m.start(), data.rfind(b"\n", 0, m.start()) + 1)
    )
    found = list(islice(declarations, FEW_USES + 1))
    if len(found) > FEW_USES:
        return True
    for m in found:
        node: ts.Node | None = tree.root_node.descendant_for_byte_range(m.start(), m.end())
        while node is not None and node.type != "ERROR":
            if node.type in _JS_SCOPES and node.end_byte <= at:
                break
            node = node.parent
        else:
            return True
    return False


@lru_cache(maxsize=512)
def _declared_again(word: bytes) -> re.Pattern[bytes]:
    """JavaScript's ``const word``, ``let  word``, ``var word`` (a loop's too; group ``plain``),
    or ``word`` in a pattern (``let [a, word]``, ``{ conn: word }``, to be told a declaration's
    by ``_destructured``): its text first, a scan for its bytes (a binding the tree of an
    unclosed function does not show)."""
    name = re.escape(word)
    gaps = range(1, class_fields.KEYWORD_GAPS + 1)
    heads = [k + rb"[ \t]{%d}" % gap for k in (b"const", b"let", b"var") for gap in gaps]
    behind = b"|".join(rb"(?<=" + head + name + rb")" for head in heads)
    pattern = rb"(?<=[\[{,:]" + name + rb")|(?<=[\[{,:][ \t]" + name + rb")"
    return re.compile(
        name
        + rb"(?![\w$])(?:(?P<plain>)(?:"
        + behind
        + rb")|(?:"
        + pattern
        + rb")(?![ \t]*:)(?=[^;=()\n]*[\]}]))"
    )


@lru_cache(maxsize=512)
def _name_uses(word: bytes) -> re.Pattern[bytes]:
    """``word`` not followed by a name's character: its text first, a scan in C for it."""
    return re.compile(re.escape(word) + rb"(?![\w$])")


@lru_cache(maxsize=512)
def _bound_later_on_line(word: bytes) -> re.Pattern[bytes]:
    """``word`` where Python binds it after its line's start: ``for conn in``, ``for i, conn
    in``, ``as conn``, ``(conn :=``. The word first, then what stands around it: searched for
    the word's text alone (a scan in C), not tried at each byte (4x the whole request's CPU
    on a script that passes ``conn`` to calls 300 times)."""
    w = re.escape(word)
    return re.compile(
        w
        + rb"(?![\w$])(?:(?<=\bas[ \t]"
        + w
        + rb")|(?<=\bfor[ \t]"
        + w
        + rb")|(?:(?<=,[ \t]"
        + w
        + rb")|(?<=,"
        + w
        + rb"))(?=[\w \t,)]*[ \t]in\b)|(?<=\("
        + w
        + rb")(?=[ \t]*:=))"
    )


def _whole(data: bytes, at: int, size: int) -> bool:
    """Whether the word at ``at`` is a name of its own, not a member's (``x.conn``)."""
    before = data[at - 1] if at > 0 else None
    after = data[at + size] if at + size < len(data) else None
    return (before is None or not (_is_word(before) or before == ord("."))) and (
        after is None or not _is_word(after)
    )


#: A line's text read either side of a name: a generated line of 100 kB is no binding's.
LINE_SPAN = 1000


def _line_around(data: bytes, at: int, size: int) -> tuple[bytes, bytes]:
    """The line's text before ``at`` and after the word there."""
    line_start = max(data.rfind(b"\n", max(0, at - LINE_SPAN), at) + 1, at - LINE_SPAN)
    line_end = data.find(b"\n", at, at + size + LINE_SPAN)
    stop = min(len(data), at + size + LINE_SPAN) if line_end < 0 else line_end
    return data[line_start:at], data[at + size : stop]


#: After a name: ``: Ann``, ``: Ann = value``, ``= value`` (Python).
_PY_ASSIGNED = re.compile(
    rb"[ \t]*(?::[ \t]*(?P<ann>[^=]+?)[ \t]*(?:=(?!=).*)?$|=(?!=)[ \t]*(?P<value>.*))"
)
#: Before a name: ``with Session(...) as`` (its value); ``as`` alone, ``for`` (no class).
_PY_WITH = re.compile(rb"(?P<value>[A-Za-z_][\w.]*\((?:[^()]|\([^()]*\))*\))[ \t]+as[ \t]+$")
# (Searched only where ``as`` ends the text: from each call's start, the search was quadratic.)
_PY_AS_END = re.compile(rb"[ \t]as[ \t]+$")
_PY_BOUND_BEFORE = re.compile(rb"\b(?:as|for)[ \t]+(?:[\w \t(]*,[ \t]*)?$")
#: ``a, conn = pair``: bound, to no class said.
_PY_UNPACKED = (
    re.compile(rb"[ \t]*\w+(?:[ \t]*,[ \t]*\w+)*[ \t]*,[ \t]*"),
    re.compile(rb"[ \t]*(?:,[ \t]*\w+[ \t]*)*,?[ \t]*=(?!=)"),
)
#: After a name: ``?: Ann``, ``= value`` (JavaScript, TypeScript).
_JS_ASSIGNED = re.compile(
    rb"[ \t]*[?!]?[ \t]*(?::[ \t]*(?P<ann>[^=;,)]+?)[ \t]*(?=[=;,)]|$))?[ \t]*(?P<eq>=(?![=>])[ \t]*(?P<value>[^;]*))?"
)
_JS_DECLARED = re.compile(rb"\b(const|let|var)[ \t]+$")
_JS_KEYWORD = re.compile(rb"(?<![\w$.])(const|let|var)$")
_JS_KEY = re.compile(rb"[ \t]*:")
#: A bracket or a ``;``, or a string (whose brackets are none: ``label = 'a(b'``).
_BRACKETS = re.compile(rb"[()\[\]{};]|" + STRING.encode())
#: Before a nested pattern's bracket: its key's ``:``, the ``,`` or bracket of the pattern's
#: element before it (``{ db: { conn }, }``, ``[a, [b]]``).
_NESTED_AFTER = frozenset({b":", b",", b"[", b"{"})
#: How much text before a name its pattern's bracket is looked for in (bytes): its line's, then
#: the lines above where the line holds none (a pattern over several lines).
PATTERN_SPAN = 1024


def _destructured(data: bytes, at: int, line_start: int) -> bytes | None:
    """The keyword of the declaration whose pattern the name at ``at`` is in, ``let [a, `` or
    ``const { t = ms(30), conn: ``, a nested pattern's (``const { db: { conn``) and one over
    several lines too, or None. The pattern's bracket is the nearest left open: a default's
    brackets before the name (``ms(30)``, ``[1, 2]``, ``{ x: 1 }``, a string's) are closed.
    The line's text is read first, the lines above only where it holds no answer."""
    low = max(0, at - PATTERN_SPAN)
    found = _pattern_keyword(data, max(low, line_start), at)
    if found is None and low < line_start:
        found = _pattern_keyword(data, low, at)
    return found or None


def _pattern_keyword(data: bytes, low: int, at: int) -> bytes | None:
    """:func:`_destructured` in ``data[low:at]``: the keyword, ``b""`` where the text says it
    is no pattern's name, None where it does not tell (no open bracket in it)."""
    depth = 0
    for m in reversed(list(_BRACKETS.finditer(data, low, at))):
        bracket = m.group()
        if len(bracket) > 1:
            continue  # a string
        if bracket in b")]}":
            depth += 1
        elif bracket == b";":
            if not depth:
                return b""  # past the statement before (one inside a default's body is its)
        elif depth:
            depth -= 1
        elif bracket == b"(":
            return b""  # in a call's arguments
        else:
            end = m.start()
            while end > low and data[end - 1] in b" \t\r\n":
                end -= 1
            keyword = _JS_KEYWORD.search(data, max(0, end - 5), end)  # (its look behind reads before)
            if keyword is not None:
                return keyword.group(1)
            if data[end - 1 : end] not in _NESTED_AFTER:
                return b""  # an object's or an array's value, a block
            # A nested pattern's bracket: the one outside it says.
    return None


#: After a name first on its line of a pattern over several: its default (one without says no
#: class; not read above: each element of a long array literal, ``  conn,``, read the lines
#: above it, 12 -> 52 ms for 3,000 of them).
_PATTERN_ELEMENT = re.compile(rb"[ \t]*=(?![=>])")


def _in_pattern_lines(data: bytes, line_start: int, suffix: bytes) -> bool:
    """Whether the name first on the line at ``line_start`` may be an element of a pattern
    begun above with its default: its line reads as one and the line above ends in a bracket or
    a ``,`` (not a statement's ``;``: the lines above are not read for each assignment)."""
    if _PATTERN_ELEMENT.match(suffix) is None:
        return False
    above = data[max(0, line_start - 256) : line_start].rstrip()
    return above[-1:] in _NESTED_AFTER


def _binding(fam: str, data: bytes, at: int, prefix: bytes, suffix: bytes) -> tuple[str | None, bool] | None:
    """Whether the name at ``at``, between ``prefix`` and ``suffix`` (its line), is bound there,
    to which class and whether declared in its block only: ``(class, block_scoped)``, or None
    where it is only used."""
    if fam in typed.BINDINGS:
        return typed.binding(fam, prefix, suffix)
    if fam == _PYTHON:
        if not prefix.strip():
            m = _PY_ASSIGNED.match(suffix)
            return (_said(fam, m), False) if m else None
        if _PY_AS_END.search(prefix[-16:]) and (m := _PY_WITH.search(prefix)):
            return class_of_value(fam == _PYTHON, m.group("value").decode("utf-8", "replace")), False
        if prefix.endswith(b"(") and (m := _PY_WALRUS.match(suffix)):
            value = _up_to_close(m.group("value").decode("utf-8", "replace"))
            return class_of_value(fam == _PYTHON, value), False
        if _PY_BOUND_BEFORE.search(prefix) or (
            _PY_UNPACKED[0].fullmatch(prefix) and _PY_UNPACKED[1].match(suffix)
        ):
            return None, False
        return None
    declared = _JS_DECLARED.search(prefix)
    first = not prefix.strip()
    if declared is None and (not first or _in_pattern_lines(data, at - len(prefix), suffix)):
        # ``let [a, conn] = pair()``: bound, to no class said (not ``{ conn: c }``'s key); the
        # name first on its line of a pattern over several (``  conn = new Conn(),``).
        keyword = _destructured(data, at, at - len(prefix)) if not _JS_KEY.match(suffix) else None
        if keyword is not None:
            return destructuring.declared_default(suffix), keyword != b"var"
        if not first:
            return None
        # (First on its line, not a pattern's: an assignment's, ``f(\n  conn = new Conn(),``.)
    m = _JS_ASSIGNED.match(suffix)
    if m is None or not (declared or m.group("eq")):
        return None
    # ``let`` and ``const`` are their block's; ``var`` its function's.
    return _said(fam, m), declared is not None and declared.group(1) != b"var"


#: ``(conn := Connection())``: its value, to the bracket that closes the one before it.
_PY_WALRUS = re.compile(rb"[ \t]*:=[ \t]*(?P<value>.*)")


def _up_to_close(text: str) -> str:
    """``text`` up to the bracket it does not open."""
    depth = 0
    for i, c in enumerate(text):
        depth += (c in "([{") - (c in ")]}")
        if depth < 0:
            return text[:i]
    return text


def _said(fam: str, m: re.Match[bytes]) -> str | None:
    """The class an annotation or a value says, the annotation first."""
    ann, value = m.group("ann"), m.group("value")
    if ann:
        return class_of_type(ann.decode("utf-8", "replace"))
    return class_of_value(fam == _PYTHON, value.decode("utf-8", "replace")) if value else None


def _parameter(fam: str, scope: ts.Node, data: bytes, name: str) -> tuple[bool, str | None]:
    """Whether the function's parameters (a Go method's receiver too) bind ``name``, and its
    annotation's class."""
    for field in ("receiver", "parameters", "parameter"):
        params = scope.child_by_field_name(field)
        if params is None:
            continue
        listed = _listed(fam, params, data, name, scope)
        if listed[0]:
            return listed
    return False, None


def _listed(
    fam: str, params: ts.Node, data: bytes, name: str, function: ts.Node | None
) -> tuple[bool, str | None]:
    """Whether the parameter list ``params`` (of ``function``, where the tree has it) binds
    ``name``, and its annotation's class."""
    for child in [params] if params.type == "identifier" else params.named_children:
        bound = [child] if child.type == "identifier" else _parameter_names(child)
        if not any(_text(data, b) == name for b in bound):
            if fam == "js" and (found := destructuring.parameter(child, data, name))[0]:
                return found  # ``function f({ conn = new Conn() } = {})``
            continue
        kind = child.child_by_field_name("type")
        if kind is not None and fam in typed.BINDINGS:
            return True, typed.type_class(_text(data, kind))
        if kind is not None:
            return True, class_of_type(_text(data, kind).lstrip(":"))
        said = _jsdoc_type(function, data, name) if fam == "js" and function else None
        # ``def f(conn=Connection())``, ``function f(conn = new Conn())``: its default's class.
        default = child.child_by_field_name("value") or child.child_by_field_name("right")
        if said is None and default is not None and fam in (_PYTHON, "js"):
            said = class_of_value(fam == _PYTHON, _text(data, default))
        return True, said
    return False, None


#: What a JavaScript function's JSDoc comment may stand above: the function, or the statement
#: that holds it (``export function``, ``const f = (a) => {}``, ``exports.f = function``).
_JSDOC_WRAPPERS = frozenset(
    {
        "export_statement",
        "variable_declarator",
        "lexical_declaration",
        "variable_declaration",
        "assignment_expression",
        "expression_statement",
    }
)


def _jsdoc_type(function: ts.Node, data: bytes, name: str) -> str | None:
    """The class a JSDoc ``@param {Command} cmd`` just above the function gives ``name``
    (commander's ``visibleCommands(cmd)``: JavaScript with its types in comments)."""
    node: ts.Node | None = function
    while node is not None:
        comment = node.prev_named_sibling
        if comment is not None and comment.type == "comment":
            if comment.end_point[0] < node.start_point[0] - 2 or not data.startswith(
                b"/**", comment.start_byte
            ):
                return None
            text = data[comment.start_byte : comment.end_byte]
            m = re.search(rb"@param\s+\{([^}]*)\}\s+\[?" + re.escape(name.encode()) + rb"\b", text)
            return class_of_type(m.group(1).decode("utf-8", "replace").lstrip("?!")) if m else None
        parent = node.parent
        node = parent if parent is not None and parent.type in _JSDOC_WRAPPERS else None
    return None


def _parameter_names(param: ts.Node) -> list[ts.Node]:
    """``conn`` of ``conn: Connection``, ``conn=None``, ``private conn: Connection``, Rust's
    ``mut conn: Conn``; Go's ``a, b *Conn`` has two."""
    for field in ("name", "pattern", "left"):
        nodes = param.children_by_field_name(field)
        if nodes and nodes[0].type == "mut_pattern":
            nodes = nodes[0].named_children
        if nodes:
            return [n for n in nodes if n.type == "identifier"]
    first = param.named_children[0] if param.named_children else None
    return [first] if first is not None and first.type == "identifier" else []


#: Before a TypeScript field's name: its modifiers at the start of a line, or a constructor's
#: parameter property's (``constructor(private readonly conn: Connection``).
_JS_FIELD = re.compile(
    rb"^[ \t]*(?:(?:private|public|protected|readonly|static|declare|override)[ \t]+)*$"
)
_JS_PARAMETER_PROPERTY = re.compile(
    rb"[(,][ \t]*(?:(?:private|public|protected|readonly|override)[ \t]+)+$"
)


@lru_cache(maxsize=512)
def _given(name: str) -> re.Pattern[bytes]:
    """``name`` given a value or a type (``name =``, ``name: X``, ``name?: X``): the name's text
    first, so that the search skips from one to the next (``self.protocol`` is used 300 times
    in pygls's client, and given a value once)."""
    return re.compile(re.escape(name.encode()) + rb"[ \t]*[?!]?[ \t]*[:=]")


def _attribute_class(
    fam: str, tree: ts.Tree, data: bytes, cls: ts.Node, name: str, end: int | None = None
) -> str | None:
    """The one class the class ``cls`` gives its attribute ``name`` (``self.name = X(...)``,
    ``self.name: X``, a class-level ``name: X``, ``this.name = new X()``, a field ``private
    name: X``, a constructor's ``private readonly name: X``); None for none or two. ``cls``
    may be the name of a JavaScript class whose ``}`` is not typed yet (its text up to
    ``end`` read)."""
    body = cls.child_by_field_name("body")
    indent = body.start_point[1] if body is not None else 0
    owner = b"self." if fam == _PYTHON else b"this."
    said: set[str] = set()
    word = name.encode()
    for given in _given(name).finditer(data, cls.start_byte, cls.end_byte if end is None else end):
        at = given.start()
        prefix, suffix = _line_around(data, at, len(word))
        if prefix.endswith(owner) and (
            len(prefix) == len(owner) or not _is_word(prefix[-len(owner) - 1])
        ):
            m = _PY_ASSIGNED.match(suffix) if fam == _PYTHON else _JS_ASSIGNED.match(suffix)
            if m is None or (fam != _PYTHON and not m.group("eq")):
                continue
        elif at > 0 and (_is_word(data[at - 1]) or data[at - 1] == ord(".")):
            continue
        elif fam == _PYTHON:
            # A class-level attribute: at the body's indentation, or in its one-line body
            # (``class App: k = Client()``, ``class App: n = 3; k = Client()``), up to its
            # ``;`` (not a nested one-line class's).
            if len(prefix) == indent and not prefix.strip():
                m = _PY_ASSIGNED.match(suffix)
            elif data.find(b"\n", cls.start_byte, at) < 0 and _ONE_LINE_BODY.search(prefix):
                m = _PY_ASSIGNED.match(suffix.split(b";", 1)[0].rstrip())
            else:
                m = None
        else:
            fielded = _JS_FIELD.search(prefix) or _JS_PARAMETER_PROPERTY.search(prefix)
            m = _JS_ASSIGNED.match(suffix) if fielded else None
        if m is None:
            continue
        value = m.group("value")
        if (
            not m.group("ann")
            and value
            and _IDENTIFIER.fullmatch(value.strip().rstrip(b";,").decode("utf-8", "replace"))
        ):
            # ``self.conn = conn``: the parameter's annotation says it.
            scope = _enclosing(tree.root_node.descendant_for_byte_range(at, at), _FUNCTIONS[fam])
            found = (
                _parameter(fam, scope, data, value.strip().rstrip(b";,").decode())
                if scope is not None
                else (False, None)
            )
            cls_name = found[1]
        else:
            cls_name = _said(fam, m)
        if cls_name is not None:
            said.add(cls_name)
    return said.pop() if len(said) == 1 else None


_IDENTIFIER = re.compile(NAME)
#: Before a statement of a one-line Python class body: its header's ``:`` or a ``;``.
_ONE_LINE_BODY = re.compile(rb"^[ \t]*class[ \t][^#\n]*:[ \t]*(?:[^#\n]*;[ \t]*)?$")


