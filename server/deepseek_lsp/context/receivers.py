"""The class of a member's receiver, from what the document itself says of it.

``conn.send(`` where five files define ``send``: the symbol table gives no name that more than
two files define, and the first two definitions found were other classes'. The document often
says which class ``conn`` is: ``conn = Connection(...)``, ``def f(conn: Connection)``, ``with
Connection() as conn``, ``self.conn = Connection()`` or ``self.conn: Connection`` in its class,
TypeScript's ``const conn = new Connection()``, ``conn: Connection``, ``private conn:
Connection`` and ``this.conn = new Connection()``. No inference beyond that: a name bound
otherwise (a call of a function, a parameter without an annotation) has no class here, and an
attribute given two classes has none either.

From the document's tree (the scopes) and text searches inside a scope: ~20-60 µs a receiver
on a 30 kB file (a regular expression over the function or class, the module's text before the
use for a module-level name).
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable, Iterator
from functools import lru_cache

import tree_sitter as ts

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


#: Receivers read per request: the members nearest the cursor.
MAX_RECEIVERS = 8


#: Where a member's uses are looked for around the cursor (bytes before, after): names_near's
#: span, where the names looked up come from (the prompt's whole window took twice as long).
USE_SPAN = (1500, 500)


#: The module's text searched for a module-level name's binding, back from its use.
MODULE_SPAN = 32_768


_NO_VALUE = frozenset({"None", "null", "undefined"})


def reads_receivers(language: str) -> bool:
    """Whether ``member_receivers`` reads documents of ``language``."""
    return _family(language) is not None


def _family(language: str) -> str | None:
    if language == _PYTHON:
        return _PYTHON
    return "js" if language in _JS_FAMILY else None


def member_receivers(
    language: str,
    tree: ts.Tree,
    data: bytes,
    offset: int,
    window: tuple[int, int],
    members: Iterable[str],
    imported: Container[str] = (),
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
    for _dist, member, at, receiver, on_self in uses[:MAX_RECEIVERS]:
        if not on_self and receiver in imported:
            cls = receiver if receiver[:1].isupper() else None
        else:
            cls = receiver_class(fam, tree, data, at, receiver, on_self)
        if cls is not None:
            found[member] = cls
    return found


#: The cursor after a receiver and its dot: ``conn.``, ``self.pool.``, ``store?.``, ``conn.se``
#: (the member half typed).
_AT_CURSOR = re.compile(rb"(?<![\w$.])((?:self|this)\.)?([A-Za-z_$][\w$]*)\??\.[A-Za-z_$]?[\w$]*$")


def receiver_at(
    language: str, tree: ts.Tree, data: bytes, offset: int, imported: Container[str] = ()
) -> str | None:
    """The class of the receiver the cursor is after (``conn.|``), where the document says it:
    its member is still to be typed, so the class's members are what the line needs."""
    fam = _family(language)
    if fam is None:
        return None
    line = data[data.rfind(b"\n", 0, offset) + 1 : offset]
    m = _AT_CURSOR.search(line[-200:])
    if m is None:
        return None
    if _in_prose(tree, data, offset):
        return None  # ``# then conn.``, ``"conn.``: no member is being typed
    receiver, on_self = m.group(2).decode(), m.group(1) is not None
    if receiver in ("self", "this") and not on_self:
        return None  # the class around the cursor: in view, or its outline is the file's
    if not on_self and receiver in imported:
        return receiver if receiver[:1].isupper() else None
    at = offset - len(line[-200:]) + m.start()
    return receiver_class(fam, tree, data, at, receiver, on_self)


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
        if token is None or token.type == "string_end":
            return False  # the string before the cursor is closed
        if token.type == "string_start":
            quote = data[token.start_byte : token.end_byte]
            text = data[token.end_byte : offset]
            if not quote.endswith((b'"""', b"'''")) and b"\n" in text:
                return False
            return not (b"f" in quote.lower() and text.count(b"{") > text.count(b"}"))
    return False


_WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$")
_is_word = _WORD_BYTES.__contains__


def _nearest_use(
    data: bytes, offset: int, window: tuple[int, int], member: str
) -> tuple[int, str, int, str, bool] | None:
    """The use of ``member`` on a receiver (``conn.send``, ``self.pool.get``, ``this.store?.load``)
    nearest ``offset``: (distance, member, the receiver's start, the receiver, whether it is an
    attribute of ``self``/``this``). A text search, as ``_used_as_member``; a member's member
    (``a.b.c``'s ``c``: ``b``'s class is not read) is none."""
    needle = b"." + member.encode()
    best: tuple[int, str, int, str, bool] | None = None
    at, hi = max(0, window[0]), min(len(data), window[1])
    while (at := data.find(needle, at, hi)) >= 0:
        dot, at = at, at + 1
        end = dot + len(needle)
        if end < len(data) and _is_word(data[end]):
            continue  # a longer name
        stop = dot - 1 if data[dot - 1 : dot] == b"?" else dot
        start = stop
        while start > 0 and _is_word(data[start - 1]):
            start -= 1
        if start == stop or data[start : start + 1].isdigit():
            continue  # ``).send``, ``1.5``
        receiver, on_self = data[start:stop].decode(), False
        if data[start - 1 : start] == b".":
            owner = next(
                (
                    o
                    for o in (b"self", b"this")
                    if data[max(0, start - 1 - len(o)) : start - 1] == o
                ),
                None,
            )
            before = start - 2 - len(owner) if owner else -1
            if owner is None or (
                before >= 0 and (_is_word(data[before]) or data[before] == ord("."))
            ):
                continue
            start, on_self = start - 1 - len(owner), True
        elif start > 0 and data[start - 1] in b"$":
            continue
        dist = abs(offset - dot)
        if best is None or dist < best[0]:
            best = (dist, member, start, receiver, on_self)
    return best


def receiver_class(
    fam: str, tree: ts.Tree, data: bytes, at: int, receiver: str, on_self: bool
) -> str | None:
    """The class of ``receiver`` (``self.receiver`` when ``on_self``) used at byte ``at``."""
    node: ts.Node | None = tree.root_node.descendant_for_byte_range(at, at)
    if receiver in ("self", "this") and not on_self:
        cls = _enclosing(node, _CLASSES[fam])
        name = cls.child_by_field_name("name") if cls is not None else None
        return _text(data, name) if name is not None else None
    if on_self:
        cls = _enclosing(node, _CLASSES[fam])
        return _attribute_class(fam, tree, data, cls, receiver) if cls is not None else None
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
        if scope is None:
            return receiver if receiver[:1].isupper() else None
        end = max(floor, scope.start_byte)
        scope = _enclosing(scope.parent, _FUNCTIONS[fam])


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
    if scope is None:
        positions = _module_level(data, word, floor, at)
    else:
        positions = _occurrences(data, word, max(floor, scope.start_byte), at)
    said: list[str | None] = []
    bound = False
    for pos in positions:
        if not _whole(data, pos, len(word)):
            continue
        binding = _binding(fam, *_line_around(data, pos, len(word)))
        if binding is None:
            continue
        node = (scope or root).descendant_for_byte_range(pos, pos)
        if _enclosing(node, _FUNCTIONS[fam]) != scope:
            continue  # a nested function's own
        if scope is None and _enclosing(node, _CLASSES[fam]) is not None:
            continue  # a class's attribute
        runs = _runs(node, scope or root, at)
        if runs == "never":
            continue
        bound = True
        if not _NO_VALUE_GIVEN.match(data, pos + len(word)):
            said.append(binding[0])
        if runs == "always":
            break
    else:
        if bound and scope is not None:
            in_parameters, cls_name = _parameter(scope, data, name)
            said += [cls_name] if in_parameters else []
    if bound:
        return True, said[0] if len(set(said)) == 1 else None
    if scope is not None:
        return _parameter(scope, data, name)
    return False, None


#: After a name, no value of a class: ``= None``, ``= null``, ``let conn;``.
_NO_VALUE_GIVEN = re.compile(
    rb"[ \t]*(?:=[ \t]*(?:None|null|undefined)\b)?[ \t;]*(?:(?:#|//).*)?$", re.M
)


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
    }
)


def _holds(node: ts.Node, at: int) -> bool:
    return node.start_byte <= at < node.end_byte


def _runs(node: ts.Node | None, scope: ts.Node, at: int) -> str:
    """Whether ``node`` of ``scope`` has run where the byte ``at`` is: ``never`` in another part
    of an ``if`` around the use (its body for a use in its ``else``); ``maybe`` in a branch
    around it but not the use, or another part of a ``try`` or loop around both (the ``try``'s
    body for a use in its ``except``); else ``always``."""
    while node is not None and node != scope:
        parent = node.parent
        if not _holds(node, at):
            if parent is not None and parent.type == "if_statement" and _holds(parent, at):
                return "never"
            if node.type in _BRANCHES or (parent is not None and parent.type in _BRANCHES):
                return "maybe"
        node = parent
    return "always"


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


def _module_level(data: bytes, word: bytes, start: int, end: int) -> list[int]:
    """Where a line of the module's text starts with ``word``, last first (those in functions
    and classes are told apart by the tree)."""
    found = [m.end() - len(word) for m in _at_line_start(word).finditer(data, start, end)]
    return found[::-1]


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
_PY_BOUND_BEFORE = re.compile(rb"\b(?:as|for)[ \t]+$")
#: ``a, conn = pair``: bound, to no class said.
_PY_UNPACKED = (
    re.compile(rb"[ \t]*\w+(?:[ \t]*,[ \t]*\w+)*[ \t]*,[ \t]*"),
    re.compile(rb"[ \t]*(?:,[ \t]*\w+[ \t]*)*,?[ \t]*=(?!=)"),
)
#: After a name: ``?: Ann``, ``= value`` (JavaScript, TypeScript).
_JS_ASSIGNED = re.compile(
    rb"[ \t]*[?!]?[ \t]*(?::[ \t]*(?P<ann>[^=;,)]+?)[ \t]*(?=[=;,)]|$))?[ \t]*(?P<eq>=(?![=>])[ \t]*(?P<value>[^;]*))?"
)
_JS_DECLARED = re.compile(rb"\b(?:const|let|var)[ \t]+$")


def _binding(fam: str, prefix: bytes, suffix: bytes) -> tuple[str | None] | None:
    """Whether the name between ``prefix`` and ``suffix`` (its line) is bound there, and to
    which class: ``(class,)``, or None where it is only used."""
    if fam == _PYTHON:
        if not prefix.strip():
            m = _PY_ASSIGNED.match(suffix)
            return (_said(fam, m),) if m else None
        if _PY_AS_END.search(prefix[-16:]) and (m := _PY_WITH.search(prefix)):
            return (_class_of_value(fam, m.group("value").decode("utf-8", "replace")),)
        if _PY_BOUND_BEFORE.search(prefix) or (
            _PY_UNPACKED[0].fullmatch(prefix) and _PY_UNPACKED[1].match(suffix)
        ):
            return (None,)
        return None
    declared = _JS_DECLARED.search(prefix) is not None
    if not declared and prefix.strip():
        return None
    m = _JS_ASSIGNED.match(suffix)
    if m is None or not (declared or m.group("eq")):
        return None
    return (_said(fam, m),)


def _said(fam: str, m: re.Match[bytes]) -> str | None:
    """The class an annotation or a value says, the annotation first."""
    ann, value = m.group("ann"), m.group("value")
    if ann:
        return class_of_type(ann.decode("utf-8", "replace"))
    return _class_of_value(fam, value.decode("utf-8", "replace")) if value else None


def _parameter(scope: ts.Node, data: bytes, name: str) -> tuple[bool, str | None]:
    """Whether the function's parameters bind ``name``, and its annotation's class."""
    params = scope.child_by_field_name("parameters") or scope.child_by_field_name("parameter")
    if params is None:
        return False, None
    for child in [params] if params.type == "identifier" else params.named_children:
        bound = child if child.type == "identifier" else _parameter_name(child)
        if bound is None or _text(data, bound) != name:
            continue
        kind = child.child_by_field_name("type")
        if kind is not None:
            return True, class_of_type(_text(data, kind).lstrip(":"))
        return True, _jsdoc_type(scope, data, name) if scope.type in _FUNCTIONS["js"] else None
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


def _parameter_name(param: ts.Node) -> ts.Node | None:
    """``conn`` of ``conn: Connection``, ``conn=None``, ``private conn: Connection``."""
    for field in ("name", "pattern", "left"):
        node = param.child_by_field_name(field)
        if node is not None:
            return node if node.type == "identifier" else None
    first = param.named_children[0] if param.named_children else None
    return first if first is not None and first.type == "identifier" else None


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


def _attribute_class(fam: str, tree: ts.Tree, data: bytes, cls: ts.Node, name: str) -> str | None:
    """The one class the class ``cls`` gives its attribute ``name`` (``self.name = X(...)``,
    ``self.name: X``, a class-level ``name: X``, ``this.name = new X()``, a field ``private
    name: X``, a constructor's ``private readonly name: X``); None for none or two."""
    body = cls.child_by_field_name("body")
    indent = body.start_point[1] if body is not None else 0
    owner = b"self." if fam == _PYTHON else b"this."
    said: set[str] = set()
    word = name.encode()
    for given in _given(name).finditer(data, cls.start_byte, cls.end_byte):
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
            # A class-level attribute: at the body's indentation.
            m = _PY_ASSIGNED.match(suffix) if len(prefix) == indent and not prefix.strip() else None
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
                _parameter(scope, data, value.strip().rstrip(b";,").decode())
                if scope is not None
                else (False, None)
            )
            cls_name = found[1]
        else:
            cls_name = _said(fam, m)
        if cls_name is not None:
            said.add(cls_name)
    return said.pop() if len(said) == 1 else None


_IDENTIFIER = re.compile(r"[A-Za-z_$][\w$]*")


#: ``Connection(``, ``pool.Connection(``, ``await Client.create(``' ``Client`` is not: only a
#: call of the class itself (its last name capitalised, as classes are named).
_PY_CONSTRUCTED = re.compile(r"(?:await\s+)?(?:[A-Za-z_][\w]*\.)*([A-Z]\w*)\s*\(")
_JS_CONSTRUCTED = re.compile(r"(?:await\s+)?new\s+(?:[A-Za-z_$][\w$]*\.)*([A-Za-z_$][\w$]*)")


def _class_of_value(fam: str, value: str) -> str | None:
    """The class a value constructs: ``Connection(...)``, ``new Connection()``."""
    value = value.strip()
    if value in _NO_VALUE:
        return None
    m = (_PY_CONSTRUCTED if fam == _PYTHON else _JS_CONSTRUCTED).match(value)
    if m is None:
        return None
    rest = value[m.end() :]
    if fam == _PYTHON:
        rest = _after_brackets("(" + rest, "([", ")]")
    else:
        rest = rest.lstrip()
        if rest[:1] == "<":  # ``new Cache<Map<K, V>>(...)``
            rest = _after_brackets(rest, "<", ">")
        if rest is not None and rest[:1] == "(":
            rest = _after_brackets(rest, "([", ")]")
    # The value is the call itself, or it runs on to the next lines (its arguments there):
    # ``Request(url).send()``, ``Conns()[0]``, ``Conn() or other`` are something else.
    return m.group(1) if rest is None or _ENDS_VALUE.fullmatch(rest) else None


#: What may follow a constructor's call in a value that is the new instance: a comment, the next
#: declarator (``new A(), b = 1``), ``if ... else None``.
_ENDS_VALUE = re.compile(r"|(?:#|//|/\*|,).*|if\b.*\belse\s+(?:None|null|undefined)")


def _after_brackets(text: str, opening: str, closing: str) -> str | None:
    """``text``'s rest after the brackets it starts with, stripped; None when they close on a
    later line."""
    depth = 0
    for i, c in enumerate(text):
        depth += (c in opening) - (c in closing)
        if depth == 0:
            return text[i + 1 :].strip()
    return None


_OPTIONAL = re.compile(r"(?:typing\.)?Optional\[(.*)\]")
_TYPE_NAME = re.compile(r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*")


def class_of_type(annotation: str) -> str | None:
    """The class an annotation names: ``Connection``, ``"Connection"``, ``Optional[Connection]``,
    ``Connection | None``, ``pool.Connection``, ``Client<T>``; None for a union of two classes
    and a type that is no name."""
    text = annotation.strip().strip("\"'")
    m = _OPTIONAL.fullmatch(text)
    if m:
        text = m.group(1)
    parts = [p.strip().strip("\"'") for p in text.split("|")]
    parts = [p for p in parts if p and p not in _NO_VALUE]
    if len(parts) != 1:
        return None
    m = _TYPE_NAME.match(parts[0])
    rest = parts[0][m.end() :].strip() if m is not None else ""
    if m is None or rest[:1] not in ("", "[", "<") or rest.startswith("[]"):
        return None  # (``Command[]``: an array of them)
    return m.group().rsplit(".", 1)[-1]
