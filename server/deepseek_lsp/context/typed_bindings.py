"""Where Go, Java, C# and Rust say a name's class, for ``context.receivers``: a line's text
around the name (``c := &Conn{}``, ``var c Conn``, ``Conn c = new Conn()``, ``var c = new
Conn()``, ``let c = Conn::new()``, ``let c: Conn``) and the tree's fields (Java's and C#'s
``private Conn conn;``; ``class_fields`` reads a Rust struct's ``conn: Conn`` for
``self.conn``). A function's result says nothing (``c := NewConn()``: its type is in another
file, if anywhere).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import tree_sitter as ts

from .type_names import (
    ENDS_VALUE,
    NAME,
    TYPE_BYTES,
    after_brackets,
    capitalised,
    class_of_value,
    constructed,
    type_class,
)

__all__ = ["type_class"]

GO, JAVA, RUST = "go", "java", "rust"  # JAVA: Java and C#, a type before its name

FAMILIES = {"go": GO, "java": JAVA, "csharp": JAVA, "rust": RUST}

FUNCTIONS = {
    GO: frozenset({"function_declaration", "method_declaration", "func_literal"}),
    JAVA: frozenset(
        {
            "method_declaration",
            "constructor_declaration",
            "compact_constructor_declaration",
            "lambda_expression",
            "local_function_statement",
            "anonymous_method_expression",
            "accessor_declaration",
        }
    ),
    RUST: frozenset({"function_item", "closure_expression"}),
}
CLASSES = {
    GO: frozenset(),
    JAVA: frozenset(
        {
            "class_declaration",
            "interface_declaration",
            "enum_declaration",
            "record_declaration",
            "struct_declaration",
        }
    ),
    RUST: frozenset({"impl_item", "trait_item"}),
}

#: The nodes a declaration is scoped to: one that does not hold the use has it out of scope
#: (``if ok { c := &Conn{} }`` then ``c.Send()``).
BLOCKS = frozenset(
    {
        "block",
        "statement_block",
        "constructor_body",
        "if_statement",
        "for_statement",
        "for_in_statement",
        "enhanced_for_statement",
        "foreach_statement",
        "for_expression",
        "switch_block",
        "switch_section",
        "catch_clause",
        "match_arm",
        # Java's try (Mailer c = open()) { }, C#'s using (var c = ...) { }: the resource's.
        "try_with_resources_statement",
        "using_statement",
        # Go's select and switch, Java's case ->: their own names (case c := <-ch:,
        # switch c := x.(type)) are no one's after them.
        "communication_case",
        "type_switch_statement",
        "expression_switch_statement",
        "switch_rule",
    }
)

# ---------------------------------------------------------------- Go

#: How far back from a name its type and modifiers are looked for: searched over a generated
#: line's 1,000 bytes before each of its 2,500 uses of c, the regexes took 200 ms a request.
TYPE_SPAN = 300

#: Before a name: its line's start, ``if``/``} else if``/``for``/``switch``'s, a select's ``case``
#: (``case c := <-ch:``), other names (``a, c :=``).
_GO_LEFT = re.compile(
    rb"^[ \t]*(?:(?:(?:\}[ \t]*else[ \t]+)?if|for|switch|case)[ \t]+)?"
    rb"(?P<others>(?:\w+[ \t]*,[ \t]*)*)$"
)
#: After it: ``:= value``, ``= value``, ``, b := value``: the other names first, then the
#: rest (one regex backtracked through a generated line's names, 2,500 of them: 90 ms).
_GO_MORE = re.compile(rb"[ \t]*(?:,[ \t]*\w+[ \t]*)*")
_GO_RIGHT = re.compile(rb"(?P<colon>:)?=(?!=)[ \t]*(?P<value>.*)")
_GO_VAR = re.compile(rb"(?:^|[;(])[ \t]*var[ \t]+$")
_GO_VAR_SPEC = re.compile(
    rb"[ \t]*(?P<ann>[^=\s/][^=/]*?)?[ \t]*(?:=[ \t]*(?P<value>[^/]*))?[ \t]*(?://.*)?$"
)
#: ``&Conn{``, ``net.Conn{``, ``Cache[K]{``, ``new(Conn)``.
_GO_LITERAL = re.compile(rf"&?\s*(?:{NAME}\.)?({NAME})(?:\[[^\]]*\])?\s*(?=\{{)")
_GO_NEW = re.compile(rf"new\(\s*(?:{NAME}\.)?({NAME})(?:\[[^\]]*\])?\s*\)")
_GO_KEYWORDS = frozenset({"struct", "map", "chan", "interface", "func"})
#: After a parameter's, a result's or the method's receiver's name, on the function's line
#: (``func (c *Conn)``, ``(m *Mailer, c *Conn)``, ``(b, c *Conn)``): read from the text, the
#: tree says nothing of them while the function's end is still to be typed (an error there).
_GO_PARAMETER_BEFORE = re.compile(rb"\bfunc\b[^{};]*[(,][ \t]*$")
#: (After the names grouped with it, ``_GO_MORE``'s.)
_GO_PARAMETER = re.compile(rb"(?<=[ \t])[ \t]*(?P<ann>\*?" + TYPE_BYTES + rb"(?:\[[^\]\n]*\])?)[ \t]*[,)]")


def _on_signature(prefix: bytes, keyword: bytes, before: re.Pattern[bytes]) -> bool:
    """Whether the name after ``prefix`` is in a function's parameters on its line (within
    ``TYPE_SPAN``): after a ``(`` or a ``,`` (a ``mut``), the line's ``func``/``fn`` before."""
    last = prefix.rstrip(b" \t").removesuffix(b"mut").rstrip(b" \t")[-1:]
    if last not in (b"(", b",") or keyword not in prefix:
        return False
    return before.search(prefix, max(0, len(prefix) - TYPE_SPAN)) is not None


def _go(prefix: bytes, suffix: bytes) -> tuple[str | None, bool] | None:
    # (The regex searched only where ``var`` ends the text: searched before each of 2,500 uses
    # on a generated line, 1,000 bytes each, it took 88 ms of CPU.)
    if prefix.rstrip(b" \t").endswith(b"var") and _GO_VAR.search(prefix):
        m = _GO_VAR_SPEC.match(suffix)
        if m is None:
            return None
        return _declared(m.group("ann"), m.group("value"), _go_value)
    more = _GO_MORE.match(suffix, 0, TYPE_SPAN)
    end = more.end() if more is not None else 0
    if _on_signature(prefix, b"func", _GO_PARAMETER_BEFORE):
        m = _GO_PARAMETER.match(suffix, end, end + TYPE_SPAN)
        if m is not None:
            return type_class(m.group("ann").decode("utf-8", "replace")), False
    right = _GO_RIGHT.match(suffix, end)
    left = _GO_LEFT.match(prefix) if right is not None else None
    if left is None or right is None:
        return None
    value = right.group("value").decode("utf-8", "replace")
    alone = not left.group("others") and not suffix[:end].strip()
    cls = _go_value(value) if alone else None
    if right.group("colon") is None and cls is None:
        return None  # ``c = pool.Take()``: the type declared before stays (see _assigned)
    return cls, right.group("colon") is not None


def _go_value(value: str) -> str | None:
    value = value.strip().rstrip(";")
    m = _GO_NEW.match(value)
    if m is not None:
        return constructed(m.group(1), value[m.end() :].strip())
    m = _GO_LITERAL.match(value)
    if m is None or m.group(1) in _GO_KEYWORDS:
        return None
    return constructed(m.group(1), after_brackets(value[m.end() :], "{([", "})]"))


#: Where Go lists a block's statements: a block's list, the error a function whose ``}`` is not
#: typed yet leaves (its statements in it).
_GO_STATEMENT_LISTS = frozenset({"statement_list", "ERROR"})
#: A function literal's start (``go func() {``, ``f := func(c *Conn) {``).
_GO_FUNC_LITERAL = re.compile(rb"\bfunc[ \t]*\(")
#: Before an initializer's names on their line: the statement they are scoped to.
_GO_OWN_SCOPE = re.compile(rb"[ \t]*(?:\}[ \t]*else[ \t]+)?(?:if|for|switch|case)\b")


def go_reused(root: ts.Node, data: bytes, pos: int, name: str) -> tuple[bool, ts.Node | None]:
    """Whether the name at ``pos``, one of several a ``:=`` has on its left (``a, c :=
    pair()``), is one its block declared before: ``:=`` declares only the new ones, the others
    keep their type. Else the function whose body the block is: its parameters are that
    block's too (``func f(c *Conn) { c, err := redial(c) }``)."""
    decl: ts.Node | None = root.descendant_for_byte_range(pos, pos + len(name))
    while decl is not None and decl.type in ("identifier", "expression_list"):
        decl = decl.parent
    left = decl.child_by_field_name("left") if decl is not None else None
    block = decl.parent if decl is not None else None
    if left is None or len(left.named_children) < 2 or block is None:
        return False, None
    if block.type not in _GO_STATEMENT_LISTS or decl.type != "short_var_declaration":
        return False, None  # an ``if``'s or a ``for``'s (``range``): a scope of its own
    if _GO_OWN_SCOPE.match(data, data.rfind(b"\n", 0, decl.start_byte) + 1, decl.start_byte):
        # The same, where the function's ``}`` is not typed yet: the tree lost the ``if``
        # around its initializer, the error holds the ``:=`` alone.
        return False, None
    for statement in block.named_children:
        if statement.start_byte >= decl.start_byte:
            break
        if name in _go_declares(statement, data):
            return True, None
    body = block.parent if block.type != "ERROR" else None
    owner = block.prev_named_sibling if block.type == "ERROR" else body and body.parent
    if block.type == "ERROR" and owner is not None:
        if _GO_FUNC_LITERAL.search(data, owner.end_byte, decl.start_byte):
            # Maybe in a literal's body (``defer func() {``), lost with the function's end:
            # its own c, not the parameter's.
            return False, None
    return False, owner if owner is not None and owner.type in FUNCTIONS[GO] else None


def _go_declares(statement: ts.Node, data: bytes) -> list[str]:
    """The names a Go statement declares: ``c := ...``'s, ``var c Conn``'s."""
    if statement.type == "short_var_declaration":
        left = statement.child_by_field_name("left")
        return [_text(data, n) for n in left.named_children] if left is not None else []
    if statement.type != "var_declaration":
        return []
    specs = [c for c in statement.named_children if c.type == "var_spec"]
    for group in statement.named_children:
        specs += group.named_children if group.type == "var_spec_list" else []
    return [_text(data, n) for spec in specs for n in spec.children_by_field_name("name")]


# ---------------------------------------------------------------- Java, C#

_JAVA_MODIFIERS = (
    rb"(?:(?:public|private|protected|internal|static|final|readonly|volatile|transient|const"
    rb"|required|scoped|ref|out|in|using|await|unsafe|fixed|@[\w.]+(?:\([^()\n]*\))?)[ \t]+)*"
)
_JAVA_TYPE = rb"(?P<ann>" + TYPE_BYTES + rb"(?:[ \t]*<[^;=()]*>)?(?:\[\])*\??)[ \t]+$"
#: Before a name: its type, after the line's start, a bracket or a separator (``Conn c``,
#: ``final List<Conn> cs``, ``Conn? c``, ``(Conn c``, ``for (Conn c :``).
_JAVA_TYPED = re.compile(rb"(?:^|[(,;{])[ \t]*" + _JAVA_MODIFIERS + _JAVA_TYPE)
#: A type pattern's name (``o instanceof Mailer c``, C#'s ``o is Mailer c``, ``case Mailer c``),
#: in its statement only: a field of that name is hidden there.
_JAVA_PATTERN = re.compile(rb"\b(?:instanceof|is|case)[ \t]+(?:(?:final|not)[ \t]+)?" + _JAVA_TYPE)
_JAVA_PATTERN_END = re.compile(rb"[ \t]*(?:[)&|:?,]|->|when\b|$)")
#: After a typed name: a value, or the end of the declaration or parameter.
_JAVA_DECLARED = re.compile(rb"[ \t]*(?:=(?![=>])[ \t]*(?P<value>[^;]*)|[;,):]|in\b)")
#: Words a use may follow that are no type (``return c``, ``throw e``, ``case c``).
_JAVA_NOT_TYPES = frozenset(
    {
        "return", "new", "throw", "else", "case", "yield", "goto", "is", "as", "not", "and",
        "or", "when", "typeof", "sizeof", "nameof", "default", "package", "import", "assert",
        "do", "try", "checked", "lock", "with", "from", "select", "where", "orderby", "let",
        "on", "equals", "by", "into", "group", "join", "instanceof", "extends", "implements",
        "await", "out", "ref", "in", "params", "this", "base", "using", "static", "const",
    }
)  # fmt: skip


#: What ends an ``if``'s body so that the code after it does not run after the body.
_JUMPS = frozenset(
    {
        "return_statement",
        "throw_statement",
        "break_statement",
        "continue_statement",
        "yield_statement",
    }
)
#: A type pattern's test (Java's ``o instanceof Mailer c``, C#'s ``o is Mailer c``), and what
#: may stand between it and its ``if``: brackets, a ``!``.
_PATTERN_TESTS = frozenset({"instanceof_expression", "is_pattern_expression"})
_AROUND_TEST = frozenset(
    {"parenthesized_expression", "unary_expression", "prefix_unary_expression", "binary_expression"}
)


def negated_pattern_if(path: list[ts.Node]) -> tuple[ts.Node, bool | None] | None:
    """The ``if`` whose condition negates the Java or C# type pattern whose name ``path`` (the
    nodes from it up) starts with (``if (!(o instanceof Mailer c))``, C#'s ``if (o is not
    Mailer c)``), and whether the name is in scope after it: no ``else``, a body that cannot
    run on past its end (``return;``, a ``throw``, ...); None where the negated pattern is one
    test of several (``!(o instanceof Mailer c) || x``: not read). In its body it is not the
    pattern's."""
    test = next((i for i, n in enumerate(path[:4]) if n.type in _PATTERN_TESTS), None)
    if test is None:
        return None
    negations = sum(n.type == "negated_pattern" for n in path[:test])
    up, several = test + 1, False
    while up < len(path) and path[up].type in _AROUND_TEST:
        if path[up].type == "binary_expression":
            several = True
        elif path[up].type != "parenthesized_expression":
            operator = path[up].child(0)
            if operator is None or operator.type != "!":
                return None  # (``-x``, ``~x``: no test)
            negations += 1
        up += 1
    if up == len(path) or path[up].type != "if_statement" or negations == 0:
        return None
    statement = path[up]
    if statement.child_by_field_name("condition") != path[up - 1]:
        return None
    body = statement.child_by_field_name("consequence")
    if body is None or statement.child_by_field_name("alternative") is not None:
        return statement, False
    last = body.named_children[-1] if body.type == "block" and body.named_children else body
    if last.type not in _JUMPS:
        return statement, False
    return statement, None if several or negations != 1 else True


def _after_a_type(prefix: bytes) -> bool:
    """Whether the text before a name ends as a type followed by a gap does (``Conn``,
    ``List<Conn>``, ``Conn[]``, ``Conn?``): not after a comma, an operator, a bracket."""
    head = prefix.rstrip(b" \t")
    last = head[-1:]
    typeish = last.isalnum() or last in b"_.>]?" or last >= b"\x80"
    return len(head) < len(prefix) and bool(last) and typeish


def _java(prefix: bytes, suffix: bytes) -> tuple[str | None, bool] | None:
    if not _after_a_type(prefix):
        return _assigned(prefix, suffix, _java_value)
    start = max(0, len(prefix) - TYPE_SPAN)
    pattern = _JAVA_PATTERN.search(prefix, start)
    if pattern is not None and _JAVA_PATTERN_END.match(suffix):
        return type_class(pattern.group("ann").decode("utf-8", "replace")), True
    typed = _JAVA_TYPED.search(prefix, start)
    if typed is not None:
        ann = typed.group("ann").decode("utf-8", "replace")
        m = _JAVA_DECLARED.match(suffix)
        if ann in _JAVA_NOT_TYPES or m is None:
            return None
        return _declared(None if ann == "var" else typed.group("ann"), m.group("value"), _java_value)
    return _assigned(prefix, suffix, _java_value)


#: A cast's value (``(Conn) o``, ``(net.Conn) pool.take(o)``), C#'s ``o as Conn``: one operand
#: after the cast, no operator at its top level (``(Conn) o + s`` is no Conn; ``(count) - 1``
#: no cast), the type capitalised as classes are named (beyond ASCII too: ``(Ölçer) o``, the
#: capital checked once matched).
_JAVA_CAST = re.compile(
    r"\(\s*(?P<cast>(?:[^\W\d]\w*\.)*[^\W\d_]\w*(?:<[^;()]*>)?)\s*\)\s*"
    r"(?=[^\W\d]|[$(\"])(?:[\w$.\s]|\((?:[^()]|\([^()]*\))*\)|\[[^\]]*\])*"
    r"|[\w$.]+\s+as\s+(?P<as>(?:[^\W\d]\w*\.)*[^\W\d_]\w*(?:<[^;()]*>)?)"
)


def _java_value(value: str) -> str | None:
    """``new Conn(...)``, ``new net.Conn<T>(...)``, C#'s ``new Conn { Port = 1 }``, a cast."""
    value = _within_brackets(value)
    cls = class_of_value(False, value)
    if cls is None and (m := _JAVA_CAST.match(value.strip())) is not None:
        rest = value.strip()[m.end() :].strip()
        cls = type_class(m.group("cast") or m.group("as"))
        if ENDS_VALUE.fullmatch(rest) and cls is not None and capitalised(cls):
            return cls
        return None
    return cls


def _within_brackets(value: str) -> str:
    """``value`` up to a bracket it does not open: the ``)`` of the ``using (`` or ``try (``
    whose resource it is (``using (var c = new Conn()) {`` was no Conn, ``) {`` after it)."""
    depth = 0
    for i, ch in enumerate(value):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth < 0:
                return value[:i]
    return value


# ---------------------------------------------------------------- Rust

#: Before a name: ``let``, ``let mut``; ``let (a, `` and ``if let Some(`` bind it to no class.
_RUST_LET = re.compile(rb"\blet[ \t]+(?P<pattern>[^=;]*?)$")
_RUST_FOR = re.compile(rb"\bfor[ \t]+[(\w, \t]*$")
#: A match arm's pattern (``Some(c) =>``, ``Ok(c) | Err(c) =>``, ``c if c.ready() =>``): before
#: the name only a pattern's text, after it the pattern's rest and the arm's ``=>``.
_RUST_ARM_BEFORE = re.compile(rb"^[ \t]*(?:[\w:()\[\]{},|&@ \t]|\.\.)*$")
_RUST_ARM_AFTER = re.compile(rb"(?:[ \t]*[)\]},|@]|[ \t]+(?=if\b|=>))[^;]*?=>")
#: A parameter on the function's line (``fn run(m: Mailer, mut c: &mut Conn)``), as Go's; not a
#: struct literal's field (``Config { a: 1, c: other }``).
_RUST_PARAMETER_BEFORE = re.compile(rb"\bfn\b[^{};]*[(,][ \t]*(?:mut[ \t]+)?$")
_RUST_PARAMETER = re.compile(
    rb"[ \t]*:[ \t]*(?P<ann>(?:[^,()<>{}|=;\n]|<[^(){};\n]*?>)+?)[ \t]*[,)]"
)
_RUST_ANNOTATED = re.compile(
    rb"[ \t]*(?::[ \t]*(?P<ann>[^=;]+?))?[ \t]*(?:=(?![=>])[ \t]*(?P<value>[^;]*))?[ \t]*(?:;.*)?$"
)
#: ``Conn::new(``, ``net::Conn::default(``, ``Conn {``, ``&mut Conn {``: the type's own
#: constructors (another associated function may return anything: ``Conn::connect()``'s
#: ``Result<Conn>``).
_RUST_VALUE = re.compile(
    rf"(?:&\s*(?:mut\s+)?)?(?:{NAME}::)*({NAME})(?:::<[^>]*>)?(?:::(?:new|default)\s*(?=\()|\s*(?=\{{))"
)


def _rust(prefix: bytes, suffix: bytes) -> tuple[str | None, bool] | None:
    let = _RUST_LET.search(prefix) if b"let" in prefix else None
    if let is not None:
        m = _RUST_ANNOTATED.match(suffix)
        if let.group("pattern").strip() not in (b"", b"mut") or m is None:
            return None, True  # a pattern's part
        return _declared(m.group("ann"), m.group("value"), _rust_value)
    if b"for" in prefix and _RUST_FOR.search(prefix):
        return None, True
    if b"=>" in suffix and _RUST_ARM_AFTER.match(suffix) and _RUST_ARM_BEFORE.match(prefix):
        if not re.search(rb"\bif\b", prefix):  # a guard's use
            return None, True
    signature = _on_signature(prefix, b"fn", _RUST_PARAMETER_BEFORE)
    parameter = signature and _RUST_PARAMETER.match(suffix, 0, TYPE_SPAN)
    if parameter:
        return type_class(parameter.group("ann").decode("utf-8", "replace")), False
    return _assigned(prefix, suffix, _rust_value)


def _rust_value(value: str) -> str | None:
    value = value.strip()
    m = _RUST_VALUE.match(value)
    if m is None or not capitalised(m.group(1)):
        return None
    rest = after_brackets(value[m.end() :].lstrip(), "{([", "})]", rust=True)
    return constructed(m.group(1), rest.removeprefix("?").strip() if rest is not None else None)


#: A parameter first on a line of its function's (``func run(\n\tc *Conn,``, ``\tb, c *Conn)``,
#: ``fn run(\n    mut c: &mut Conn,``): the names before it, a type or ``:`` after it.
_PARAMETER_LINE = {
    GO: (re.compile(rb"[ \t]*(?:\w+[ \t]*,[ \t]*)*"), re.compile(rb"[ \t,]")),
    RUST: (re.compile(rb"[ \t]*(?:mut[ \t]+)?"), re.compile(rb"[ \t]*:(?!:)")),
}
_PARAMETER_NODES = frozenset({"parameter_declaration", "parameter"})
_PARAMETER_LISTS = frozenset({"parameter_list", "parameters"})


def unfinished_parameter(
    fam: str, root: ts.Node, data: bytes, pos: int, name: str, prefix: bytes, suffix: bytes
) -> tuple[str | None, bool] | None:
    """A Go or Rust parameter's class where its list runs over several lines and its function's
    end is still to be typed: the tree has no function around the use, its parameters are not
    on the ``func``'s or ``fn``'s line (``_on_signature``'s), but the tree has them still."""
    before, after = _PARAMETER_LINE[fam]
    # (A long line's names are not a parameter's: on a generated line passing c 2,500 times,
    # each use's 1,000 bytes before it searched and its node looked up took 50 ms a request.)
    if len(prefix) > TYPE_SPAN or not before.fullmatch(prefix) or not after.match(suffix):
        return None
    node: ts.Node | None = root.descendant_for_byte_range(pos, pos + len(name))
    param = node.parent if node is not None and node.type == "identifier" else None
    if param is not None and param.type == "mut_pattern":
        param = param.parent
    if param is None or param.type not in _PARAMETER_NODES:
        return None
    if param.parent is None or param.parent.type not in _PARAMETER_LISTS:
        return None
    kind = param.child_by_field_name("type")
    return (type_class(_text(data, kind)) if kind is not None else None), False


def _declared(
    ann: bytes | None, value: bytes | None, of_value: Callable[[str], str | None]
) -> tuple[str | None, bool]:
    """A declaration's class: its type's, else its value's."""
    if ann:
        return type_class(ann.decode("utf-8", "replace")), True
    return (of_value(value.decode("utf-8", "replace")) if value else None), True


#: ``conn = value``, the name first on its line (Java, C#, Rust).
_ASSIGNED = re.compile(rb"[ \t]*=(?![=>])[ \t]*(?P<value>[^;]*)")


def _assigned(
    prefix: bytes, suffix: bytes, of_value: Callable[[str], str | None]
) -> tuple[str | None, bool] | None:
    """An assignment's class, its value's: bound anew, not declared. A value whose class it
    does not say is no binding: a typed variable keeps its type (``Conn c = new Conn();`` then
    ``c = pool.take();`` is a Conn still; it had no class)."""
    m = _ASSIGNED.match(suffix) if not prefix.strip() else None
    cls = of_value(m.group("value").decode("utf-8", "replace")) if m else None
    return (cls, False) if cls is not None else None


BINDINGS = {GO: _go, JAVA: _java, RUST: _rust}


def binding(fam: str, prefix: bytes, suffix: bytes) -> tuple[str | None, bool] | None:
    """Whether the name between ``prefix`` and ``suffix`` (its line) is bound there: its class
    (None when the line says none) and whether it is declared there, in scope only in its
    block; None where it is only used."""
    return BINDINGS[fam](prefix, suffix)


# ---------------------------------------------------------------- fields


_FIELDS = frozenset(
    {"field_declaration", "property_declaration", "event_field_declaration", "constant_declaration"}
)


def field_class(data: bytes, cls: ts.Node, name: str) -> tuple[bool, str | None]:
    """Whether the Java or C# class ``cls`` declares a field or property ``name`` in its body,
    and its type's class."""
    components = cls.child_by_field_name("parameters") or next(
        (c for c in cls.named_children if c.type == "parameter_list"), None
    )  # (a record's; C#'s list is no field of its node)
    body = cls.child_by_field_name("body")
    members = [
        *(components.named_children if components is not None else ()),
        *(body.named_children if body is not None else ()),
    ]
    for member in members:
        if member.type == "enum_body_declarations":
            members += member.named_children  # (in order: after the constants)
        elif member.type == "enum_constant":
            constant = member.child_by_field_name("name")
            if constant is not None and _text(data, constant) == name:
                return True, type_class(_text(data, cls.child_by_field_name("name") or constant))
        declared = declared_field(data, member, name)
        if declared[0]:
            return declared
    return False, None


def declared_field(data: bytes, member: ts.Node, name: str) -> tuple[bool, str | None]:
    """Whether the class's member ``member`` is a field ``name`` (Go's ``a, conn *Conn`` one
    of several, Go's embedded ``*Base`` or ``net.Dialer`` named by its type), and its type's
    class."""
    if member.type == "parameter" or member.type == "formal_parameter":
        # A record's component: ``record Client(Conn conn)``.
        named = member.child_by_field_name("name")
        kind = member.child_by_field_name("type")
        if named is None or kind is None or _text(data, named) != name:
            return False, None
        return True, type_class(_text(data, kind))
    if member.type not in _FIELDS:
        return False, None  # (a method has a type and a name too: its result's)
    if _embedded(member) and (kind := member.child_by_field_name("type")) is not None:
        cls = type_class(_text(data, kind))
        return (True, cls) if cls == name else (False, None)
    for decl in [member, *(c for c in member.named_children if c.type == "variable_declaration")]:
        kind = decl.child_by_field_name("type")
        if kind is None:
            continue
        declarators = [d for d in decl.named_children if d.type == "variable_declarator"]
        names = decl.children_by_field_name("name") + [
            d.child_by_field_name("name") for d in declarators
        ]
        if any(n is not None and _text(data, n) == name for n in names):
            return True, type_class(_text(data, kind))
    return False, None


def _embedded(member: ts.Node) -> bool:
    """Whether the field is a Go struct's embedded one: no name of its own."""
    parent = member.parent
    in_struct = parent is not None and parent.type == "field_declaration_list"
    return in_struct and member.child_by_field_name("name") is None


def _text(data: bytes, node: ts.Node) -> str:
    return data[node.start_byte : node.end_byte].decode("utf-8", "replace")
