"""The class a type or a value's text names, for ``context.receivers``."""

from __future__ import annotations

import re

#: The marks a letter may carry in a name, which ``\w`` is not (Unicode's Mn and Mc): ``É``
#: written E + U+0301, Hebrew's and Arabic's points, the vowel signs of India's and Thailand's
#: scripts (``डेटा``, ``नाम``). Cut there, ``self.c = डेटा`` was no parameter's and ``&नाम{}``
#: no type's. (Their blocks whole from Devanagari to Sinhala: letters, signs and digits.)
_MARKS = (
    "\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7"
    "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0900-\u0dff\u0e31-\u0e3a\u0e47-\u0e4e"
    "\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
)
#: A name of any script's letters (``Ölçer``, ``数据``; not a digit first), ``$`` among them: the
#: languages' identifiers, where ``[A-Za-z_$]`` first left ``e: Émile`` and ``new Ölçer()``
#: without their class.
NAME = rf"(?!\d)[\w${_MARKS}]+"
#: A name in UTF-8 bytes (``\w`` is ASCII's there; a byte from 0x80 is part of a character
#: beyond it, told a letter or not once decoded): ``größe``, ``数据``.
NAME_BYTES = rb"[A-Za-z_$\x80-\xff][\w$\x80-\xff]*"
#: A type's dotted name in UTF-8 bytes (``\w`` is ASCII's there; a byte from 0x80 is part of a
#: letter beyond it): ``net.Ölçer``.
TYPE_BYTES = rb"[A-Za-z_\x80-\xff][\w.\x80-\xff]*"


def capitalised(name: str) -> bool:
    """Whether ``name`` is written as a class is, its first letter a capital (``Émile``), not a
    function (``émile``, ``数据``: a script without capitals says nothing). A titlecase
    digraph is a capital (``ǅemo``, U+01C5: ``str.isupper`` says no)."""
    return name[:1].isupper() or name[:1].istitle()


#: A value that is no instance of a class.
NO_VALUE = frozenset({"None", "null", "undefined", "nil"})


#: What may follow a constructor's call in a value that is the new instance: a comment, the next
#: declarator (``new A(), b = 1``), ``if ... else None``.
ENDS_VALUE = re.compile(r"|(?:#|//|/\*|,).*|if\b.*\belse\s+(?:None|null|undefined|nil)")


def after_brackets(text: str, opening: str, closing: str, rust: bool = False) -> str | None:
    """``text``'s rest after the brackets it starts with, stripped; None when they close on a
    later line. A string's brackets are none (``Conn(')')``), as ``rust``'s character's are."""
    depth = 0
    for m in (_RUST_BRACKET_OR_STRING if rust else _BRACKET_OR_STRING).finditer(text):
        c = m.group()
        depth += (c in opening) - (c in closing)
        if depth == 0:
            return text[m.end() :].strip()
    return None


#: A string on its line (a template's over lines): its brackets are none (``Conn(')')``).
STRING = r"""'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`"""
#: A string whole, or a character.
_BRACKET_OR_STRING = re.compile(STRING + "|.", re.S)
#: Rust's: a quote opens a character (``'('``, ``'\\''``), not a lifetime (``&'a T``): read as
#: strings, two lifetimes took the brackets between them (``Conn::new(&'a x, g(&'b y))``).
_RUST_BRACKET_OR_STRING = re.compile(r"""'(?:[^'\\\n]|\\[^\n]+?)'|"(?:[^"\\]|\\.)*"|.""", re.S)


_OPTIONAL = re.compile(r"(?:typing\.)?Optional\[(.*)\]")
_TYPE_NAME = re.compile(rf"{NAME}(?:\.{NAME})*")


def class_of_type(annotation: str) -> str | None:
    """The class an annotation names: ``Connection``, ``"Connection"``, ``Optional[Connection]``,
    ``Connection | None``, ``pool.Connection``, ``Client<T>``; None for a union of two classes
    and a type that is no name."""
    written = written_type(annotation)
    return written.rsplit(".", 1)[-1] if written is not None else None


def written_type(annotation: str) -> str | None:
    """:func:`class_of_type`'s class as written, its module's names kept (``pool.Connection``):
    what the file's imports tell the class's file by."""
    text = annotation.strip().strip("\"'")
    m = _OPTIONAL.fullmatch(text)
    if m:
        text = m.group(1)
    parts = [p.strip().strip("\"'") for p in text.split("|")]
    parts = [p for p in parts if p and p not in NO_VALUE]
    if len(parts) != 1:
        return None
    m = _TYPE_NAME.match(parts[0])
    rest = parts[0][m.end() :].strip() if m is not None else ""
    if m is None or rest[:1] not in ("", "[", "<") or rest.startswith("[]"):
        return None  # (``Command[]``: an array of them)
    return m.group()


#: Before a type's name: Go's pointer, Rust's reference (``&'a mut``), a Java or C# modifier.
_TYPE_PREFIX = re.compile(r"^(?:[*&]|'\w+\b|\b(?:mut|dyn|impl|final|ref|out|in|readonly)\s)\s*")


def type_class(text: str) -> str | None:
    """``class_of_type`` of a Go, Java, C# or Rust type: ``*Conn``, ``&mut Conn``, ``Conn?``,
    ``final Conn``, ``net.Conn``, ``net::Conn``, ``Cache[K]``."""
    text = text.strip()
    while (m := _TYPE_PREFIX.match(text)) is not None and m.end() > 0:
        text = text[m.end() :]
    return class_of_type(text.rstrip("?").replace("::", "."))


#: ``Connection(``, ``pool.Connection(``, ``await Client.create(``' ``Client`` is not: only a
#: call of the class itself (its last name capitalised, as classes are named).
_PY_CONSTRUCTED = re.compile(rf"(?:await\s+)?(?:{NAME}\.)*({NAME})\s*\(")
#: ``new Connection(`` (JavaScript, TypeScript, Java, C#).
_NEW = re.compile(rf"(?:await\s+)?new\s+(?:{NAME}\.)*({NAME})")


def class_of_value(python: bool, value: str) -> str | None:
    """The class a value constructs: ``Connection(...)``, ``new Connection()``, C#'s ``new
    Connection { Port = 1 }``."""
    value = value.strip()
    if value in NO_VALUE:
        return None
    m = (_PY_CONSTRUCTED if python else _NEW).match(value)
    if m is None or (python and not capitalised(m.group(1))):
        return None
    rest: str | None
    if python:
        rest = after_brackets("(" + value[m.end() :], "([", ")]")
    else:
        rest = value[m.end() :].lstrip()
        if rest[:1] == "<":  # ``new Cache<Map<K, V>>(...)``
            rest = after_brackets(rest, "<", ">")
        if rest is not None and rest[:1] == "(":
            rest = after_brackets(rest, "([", ")]")
        if rest is not None and rest[:1] == "{":
            rest = after_brackets(rest, "{([", "})]")
    return constructed(m.group(1), rest)


def constructed(name: str, rest: str | None) -> str | None:
    """``name``, where the value is the constructor's call itself, or runs on to the next lines
    (its arguments there: ``rest`` None): ``Request(url).send()``, ``Conns()[0]``, ``Conn() or
    other`` are something else."""
    return name if rest is None or ENDS_VALUE.fullmatch(rest) else None
