"""A declaration's header with no body yet (Allman style: `public void Run(int x)`, Enter, the
`{` not typed): the empty line after it is where the body starts, though the header ends with
no sign of a block (a `)`, a type, `const`). Read from the tree, where the header parses as a
declaration missing its `;` or as an ERROR holding a function's parameters; a call, a `return`
or a macro without its `;` parse otherwise and stay statements."""

from __future__ import annotations

import re

import tree_sitter as ts

from ..documents import Document

#: The nodes a header with no body parses as, by language (a `;` MISSING at their end, or an
#: ERROR holding `formal_parameters`: only a declaration has those, a call has `arguments`).
#: C's and C++'s are read from their function's declarator (``_c_function_header``).
_HEADERS: dict[str, frozenset[str]] = {
    "c": frozenset(),
    "cpp": frozenset(),
    "csharp": frozenset({
        "method_declaration", "constructor_declaration", "destructor_declaration",
        "operator_declaration", "conversion_operator_declaration", "local_function_statement",
        "class_declaration", "struct_declaration", "interface_declaration", "enum_declaration",
        "record_declaration", "namespace_declaration", "file_scoped_namespace_declaration",
        # A property's header (`public int Count`) parses as a field's missing its `;`, an
        # indexer's (`public T this[int i]`) as an ERROR.
        "field_declaration", "ERROR",
    }),
    "java": frozenset({"method_declaration", "constructor_declaration", "ERROR"}),
    **dict.fromkeys(
        ("javascript", "typescript", "tsx"),
        frozenset({"ERROR", "function_signature", "method_signature"}),
    ),
}
#: The languages whose headers are read (elsewhere a copy of the document to read is no use).
HEADER_LANGUAGES = frozenset(_HEADERS)
#: A C or C++ type's or namespace's header alone on its line (`struct foo`, `typedef struct`,
#: `class A : public B`, `enum class E : int`, `namespace app`, `extern "C"`): the tree reads
#: it as a declaration going on below. Of 1,190 such lines in the machine's C and C++ files,
#: 1,105 were followed by a `{`, most others by a base list wrapped onto the next line.
_C_TYPE_HEADER = re.compile(
    r"\s*(?:(?:typedef\s+)?(?:struct|union|enum(?:\s+(?:class|struct))?|class)"
    r"(?:\s+(?:alignas\s*\([^()]*\)|__attribute__\s*\(\([^;{}]*\)\)|\[\[[^;{}]*\]\]))*"
    r"(?:\s+[A-Za-z_][\w:]*)?(?:\s+final)?(?:\s*:\s*[^;{}()]*[^;{}()\s:])?"
    r"|(?:inline\s+)?namespace(?:\s+[\w:]+)?|extern\s+\"C(?:\+\+)?\")\s*$"
)
#: A line the next one goes on from, ending with a list's `(` or `,`, a template's `<`, an `=`
#: (`int f(int a,` above `struct foo`: a parameter's type, its name below); not a directive's.
_CONTINUED = re.compile(rb"(?![ \t]*#).*[(,<=]$")
_JAVA_TYPES = frozenset({"class", "interface", "enum", "record"})
#: Where a TypeScript signature is a declaration of its own (an overload's, an interface's,
#: an ambient one's: `declare function f(): T`).
_SIGNATURE_HOMES = frozenset({"interface_body", "object_type", "ambient_declaration"})
#: A C# or Java method with one of these modifiers has no body.
_NO_BODY = frozenset({"abstract", "extern", "native"})
_JAVA_INTERFACE_BODIES = frozenset({"default", "static", "private"})


def awaits_body(doc: Document, header_end: int) -> bool:
    """Whether the code ending at byte ``header_end`` is a declaration's header whose body is
    still to be written."""
    language = doc.language.name if doc.language is not None else ""
    if doc.tree is None or language not in _HEADERS or header_end <= 0:
        return False
    if language in ("c", "cpp"):
        start = doc.line_start(doc.line_at(header_end - 1))
        line = doc.data[start:header_end]
        above = doc.data[max(0, start - 400) : start].rstrip().rpartition(b"\n")[2]
        if _C_TYPE_HEADER.match(line.decode("utf-8", "replace")) and not _CONTINUED.match(above):
            return True
    root = doc.tree.root_node
    node: ts.Node | None = root.named_descendant_for_byte_range(header_end - 1, header_end)
    while node is not None and node.end_byte == header_end:
        parent = node.parent
        if language in ("c", "cpp") and parent is not None and parent.type == "function_declarator":
            # The header's `)` (or a `const` after it), though the declaration goes on: C's
            # old-style parameter declarations take the next function's header for its own.
            return _c_function_header(parent, doc.data, header_end)
        if node.type in _HEADERS[language]:
            header = _is_header(node, language)
            if header or node.type != "ERROR" or language != "csharp":
                return header
            # (C#'s other ERRORs, read through before indexers were: a header may hold one.)
        node = parent
    return False


def _is_header(node: ts.Node, language: str) -> bool:
    kinds = {child.type for child in node.children}
    if node.type == "ERROR":
        # Java's type header (`public class A extends B`) is an ERROR with its keyword.
        return (
            "formal_parameters" in kinds
            or (language == "java" and bool(kinds & _JAVA_TYPES))
            or (language == "csharp" and "bracketed_parameter_list" in kinds)
        )
    if node.type == "field_declaration":
        return _is_property_header(node)
    if node.type in ("function_signature", "method_signature"):
        # An overload's signature with its `;` typed, or a `declare function`'s: none has a
        # body to come (every line after those of a `.d.ts` was a block's start).
        return (
            node.parent is not None
            and node.parent.type not in _SIGNATURE_HOMES
            and ";" not in kinds
            and not _inside(node, "ambient_declaration")  # `declare namespace N { ... }`
        )
    if "arrow_expression_clause" in kinds:
        return False  # C#'s `int Get() => x`: its body is the expression, its `;` to come
    modifiers = {word.type for child in node.children if child.type in ("modifier", "modifiers")
                 for word in child.children}
    if modifiers & _NO_BODY or not node.children or not node.children[-1].is_missing:
        return False
    if language == "java" and node.parent is not None and node.parent.type == "interface_body":
        # A Java interface's method has a body only when `default`, `static` or `private`.
        return bool(modifiers & _JAVA_INTERFACE_BODIES)
    return True


#: A C# field's modifiers: with one, a declaration without its `;` is no property's header.
_FIELD_ONLY = frozenset({"const", "readonly", "fixed", "volatile"})


def _is_property_header(node: ts.Node) -> bool:
    """Whether a C# field declaration missing its `;` is a property's header, its accessors'
    `{` below in an Allman file: one name with no value, named as .NET names properties (Pascal
    case); a field (`count`, `_count`) goes on with its `;`."""
    if not node.children or not node.children[-1].is_missing:
        return False
    modifiers = {child.text for child in node.children if child.type == "modifier"}
    declaration = next((child for child in node.children if child.type == "variable_declaration"), None)
    if declaration is None or {m.decode() for m in modifiers if m} & _FIELD_ONLY:
        return False
    names = [child for child in declaration.children if child.type == "variable_declarator"]
    if len(names) != 1 or names[0].named_child_count != 1:
        return False  # `int A, B` or `int A = 1`
    name = names[0].child_by_field_name("name")
    return name is not None and name.text is not None and name.text[:1].isupper()


def _inside(node: ts.Node, kind: str) -> bool:
    parent = node.parent
    while parent is not None and parent.type != kind:
        parent = parent.parent
    return parent is not None


def _c_function_header(declarator: ts.Node, data: bytes, header_end: int) -> bool:
    """Whether a C or C++ function's ``declarator`` whose parameters end by ``header_end`` is
    a definition's header: with a type (`LIST_HEAD(a, b)`, a macro's use, has none), outside a
    body (there `Widget w()` is a statement), its `{` not on the lines below already."""
    parameters = declarator.child_by_field_name("parameters")
    if parameters is None or parameters.end_byte > header_end:
        return False
    if not _names_a_function(declarator.child_by_field_name("declarator")):
        return False  # `int (*open)(const char *path)`: a pointer to a function, no body
    owner = declarator.parent
    while owner is not None and owner.type in _C_DECLARATORS:
        owner = owner.parent
    if owner is None or owner.type not in _C_OWNERS or owner.child_by_field_name("type") is None:
        return False
    if any(child.type == "storage_class_specifier" and child.child(0) is not None
           and child.child(0).type == "extern" for child in owner.children):
        return False  # a prototype of a function defined elsewhere
    parent = owner.parent
    while parent is not None:
        if parent.type == "compound_statement":
            return False
        parent = parent.parent
    return not data[header_end : header_end + 200].lstrip().startswith(b"{")


def _names_a_function(name: ts.Node | None) -> bool:
    """Whether a function declarator's ``name`` is a function's (`get` in `int (*get(void))(int)`
    too), not a pointer's in parentheses (`(*open)`)."""
    if name is None or name.type != "parenthesized_declarator":
        return True
    inner = [name]
    while inner:
        node = inner.pop()
        if node.type == "function_declarator":
            return True
        inner.extend(node.named_children)
    return False


_C_OWNERS = frozenset({"declaration", "field_declaration", "function_definition"})
#: What the function's declarator may be wrapped in: its return type's `*` or `&`, and the next
#: declaration's array and initializer it took for its own (`static PyMethodDef methods[] = {`).
_C_DECLARATORS = frozenset(
    {"pointer_declarator", "reference_declarator", "array_declarator", "init_declarator"}
)
