"""The class of a member's receiver in C, C++, Ruby, Kotlin, Scala and Swift, from its
declaration before the use.

``receivers`` reads Python, JavaScript, TypeScript, Go, Java, C# and Rust from their trees; in
other languages no dot was a member's, so the snippets chosen on a function's empty line were
kept at ``ref.`` (for DeepSeek's prefix cache) and the class of ``StrongRef ref(obj);``, typed
since, never came while the cursor stayed near. Here the nearest declaration of the receiver
before its use names the class: C's and C++'s ``WORD_LIST *list``, ``StrongRef ref(obj)``,
``struct builtin *b``, a parameter's too; Ruby's ``c = Rack::Cascade.new``; Kotlin's, Scala's
and Swift's ``val c = Counter(...)``, ``let c: Counter`` and a parameter's ``c: Counter``. (PHP's
``$m = new Mailer()`` is not read: a class the file ``use``s is in its prompt from the start, as
one of its own namespace is, from the file named after it beside it.) A text search, not scope-aware: the class
is only a key for choosing the snippets anew (the caller sends nothing for a name no file
defines), and the names near the cursor bring its definition.
"""

from __future__ import annotations

import re

from .type_names import NAME_BYTES, capitalised

#: The member's name typed so far.
_MEMBER = rb"(?:" + NAME_BYTES + rb")?$"
#: A member being typed at the cursor: its receiver (group 1) and its ``.`` or ``->``. Not a
#: member's member (``a.b.``), nor a qualified name's (``std::x.``), nor Ruby's instance
#: variable's or constant's (``@c.``, ``Rack.``), nor a number's (``2.``).
#: (A name's bytes from 0x80 are a letter beyond ASCII's: ``ölçer.`` is one receiver, not ``er``,
#: and ``Ölçer`` a class; ``_lower`` tells a receiver written with a capital from one.)
_C_AT = re.compile(rb"(?<![\w.>:\x80-\xff])([A-Za-z_\x80-\xff][\w\x80-\xff]*)\s*(?:\.|->)" + _MEMBER)
_RUBY_AT = re.compile(rb"(?<![\w.:@$\x80-\xff])([a-z_\x80-\xff][\w\x80-\xff]*)\." + _MEMBER)
_DOT_AT = re.compile(rb"(?<![\w.$\x80-\xff])([a-z_\x80-\xff][\w\x80-\xff]*)\s*[?!]?\." + _MEMBER)

#: A name whose first letter may be a capital (ASCII's, or one beyond: ``Ölçer``).
_CAPITAL = rb"(?:[A-Z]|[\xc3-\xf4][\x80-\xbf]+)[\w\x80-\xff]*"
#: A declaration of the receiver ``{n}``: the class in group ``t`` or ``u``.
_C_DECLARATION = (
    rb"(?<![\w.>\x80-\xff])(?:(?:struct|class|union)\s+)?(?P<t>(?:" + NAME_BYTES + rb"::)*" + NAME_BYTES + rb")"
    # A template's arguments hold no ``||``, no ``&&`` before a space or an operand (an rvalue
    # reference's is before its ``>`` or ``,``), nor the words ``and`` and ``or``: ``if (a < b
    # && c > d)`` is two comparisons, not ``d``'s declaration of class ``a``. Nor is a ``<``
    # spaced on both sides a template's (``g(a < b, c > d)``: a call's two comparisons).
    rb"(?:(?!\s+<\s)\s*<(?:(?!\b(?:and|or)\b)[^;(){}&|]|&(?!&[\s\w(!]))*>)?"
    rb"(?:\s*[*&]+\s*|\s+)(?:const\s+)?{n}\s*(?=[;,)=(\[{])"
)
_DECLARATIONS = {  # (``_CAPITAL``'s first letter is checked a capital, beyond ASCII too)
    "c": _C_DECLARATION,
    "cpp": _C_DECLARATION,
    "ruby": rb"(?<![\w.@$\x80-\xff]){n}\s*=\s*(?:::)?(?P<t>(?:" + _CAPITAL + rb"::)*" + _CAPITAL + rb")\.new\b",
    # Kotlin's, Scala's and Swift's: an annotation (a parameter's too) or a constructor's call.
    # (An annotation's class is not called: Swift's argument label ``g(c: Counter(1))`` is none.)
    "kotlin": (
        rb"(?<![\w.$\x80-\xff]){n}\s*(?::\s*(?P<t>" + _CAPITAL + rb"(?:\." + _CAPITAL + rb")*)(?![\w.\x80-\xff]|\s*\()"
        rb"|=\s*(?:new\s+)?(?P<u>" + _CAPITAL + rb"(?:\." + _CAPITAL + rb")*)\s*[({<])"
    ),
}
for _same in ("scala", "swift"):
    _DECLARATIONS[_same] = _DECLARATIONS["kotlin"]
_AT = {"c": _C_AT, "cpp": _C_AT, "ruby": _RUBY_AT}

#: The receivers that are the object around the cursor: its class is in view.
_SELVES = frozenset({"this", "self", "super"})

#: Words a declaration's pattern may take for a type before a name: ``return ref;``.
_NOT_TYPES = frozenset(
    {
        b"return", b"delete", b"sizeof", b"case", b"goto", b"throw", b"else", b"new",
        b"co_return", b"co_yield", b"using", b"namespace", b"operator", b"typedef",
    }
)

#: How far back from the use its declaration is looked for (bytes).
SPAN = 32_768
#: How far on either side of a use of the receiver its declaration's pattern looks (bytes): a
#: type with its template's arguments (``const std::map<std::string, Conn> &``), a Ruby
#: constant's namespaces. Not the use's whole line: a generated table's line naming the
#: receiver thousands of times was read once a use, seconds at one dot.
AROUND = 256
#: How many of the receiver's uses the pattern is tried at, the nearest first: a bound on the
#: cost (~50 us each) where every use looks like a declaration's (``p * p * p``).
MAX_TRIES = 64


def reads(language: str) -> bool:
    """Whether receivers of ``language`` are read here."""
    return language in _DECLARATIONS


def member_at(language: str, data: bytes, offset: int) -> tuple[int, str] | None:
    """Where the receiver of the member being typed at ``offset`` ends (before its dot or
    arrow), and the receiver."""
    line = data[data.rfind(b"\n", 0, offset) + 1 : offset][-200:]
    m = _AT.get(language, _DOT_AT).search(line)
    # (200 bytes back may start inside a character: its bytes left are no name's. A Unicode
    # space's bytes, a no-break one's, end the name before it as a space does.)
    receiver = m.group(1).decode("utf-8", "replace").split()[-1:] if m is not None else []
    receiver = receiver[0] if receiver else ""
    if not receiver.isidentifier() or receiver in _SELVES:
        return None
    if language not in ("c", "cpp") and capitalised(receiver):
        return None  # a class's or a constant's own member (``Ölçer.``), as ``Rack.``
    return offset - len(line) + m.end(1), receiver


def declared_class(language: str, data: bytes, end: int, receiver: str) -> str | None:
    """The class the nearest declaration of ``receiver`` (its use ending at ``end``) before the
    use names (its last ``::`` or ``.`` segment), or None."""
    # What the look reads of the text only, its Unicode spaces ASCII's.
    lo = max(0, end - len(receiver) - SPAN - AROUND)
    data, end = _spaces_as_ascii(data[lo : end + AROUND]), end - lo
    offset = end - len(receiver)
    word = receiver.encode()
    pattern = re.compile(_DECLARATIONS[language].replace(b"{n}", rb"(?P<n>" + re.escape(word) + rb")"))
    # The receiver's uses, the nearest back, and the declaration's pattern on each one's line
    # only: the pattern tried at every word of 32 kB took ~5 ms.
    low = max(0, offset - SPAN)
    use = offset
    tries = 0
    while tries < MAX_TRIES and (use := data.rfind(word, low, use)) >= 0:
        if _word_at(data, use, len(word)) and _may_declare(language, data, use, len(word)):
            tries += 1
            start = max(data.rfind(b"\n", low, use) + 1, use - AROUND)
            end_line = data.find(b"\n", use, min(offset, use + AROUND))
            stop = min(offset, use + AROUND) if end_line < 0 else end_line
            for m in pattern.finditer(data, start, stop):
                found = m.group("t") or m.groupdict().get("u")
                if m.start("n") != use or not found or found in _NOT_TYPES:
                    continue
                if language in ("c", "cpp") and _operand(data, m.start(), start):
                    continue
                if m.groupdict().get("u") and _argument(data, m.start()):
                    continue
                name = re.split(rb"::|\.", found)[-1].decode("utf-8", "replace")
                if not name.replace("$", "_").isidentifier():
                    continue  # a Unicode space's bytes taken in (``Vec\u00a0*c``)
                if language not in ("c", "cpp") and not capitalised(name):
                    continue  # (``_CAPITAL`` takes any letter beyond ASCII first)
                return name
    return None


#: Unicode's spaces in UTF-8 (no-break, the en quad to the hair space, narrow no-break,
#: medium mathematical, ideographic): pasted from a web page, each separates as a space does.
_UNICODE_SPACES = re.compile(rb"\xc2\xa0|\xe2\x80[\x80-\x8a\xaf]|\xe2\x81\x9f|\xe3\x80\x80")


def _spaces_as_ascii(text: bytes) -> bytes:
    """``text`` with its Unicode spaces as as many ASCII spaces (its offsets kept): read as a
    name's bytes, ``val\u00a0c`` was no declaration of ``c``."""
    return text if text.isascii() else _UNICODE_SPACES.sub(lambda m: b" " * len(m.group()), text)


#: What may come before an expression's operand, not before a declaration's type.
_OPERAND_AFTER = re.compile(rb"(?:[-=+*/%<>!?&|^~]|\b(?:return|case|throw|co_return|co_yield))\s*$")


def _operand(data: bytes, at: int, line_start: int) -> bool:
    """Whether the type C's declaration pattern read at ``at`` is an operand instead (``x = k *
    w``, ``return k * w``: a product, not ``k *w``'s declaration)."""
    return _OPERAND_AFTER.search(data, max(line_start, at - 16), at) is not None


def _argument(data: bytes, at: int) -> bool:
    """Whether the ``name = Class(...)`` read at ``at`` is a call's named argument (Kotlin's and
    Scala's ``g(c = Counter(1))``, after a ``(`` or ``,``), not an assignment to the receiver."""
    return data[max(0, at - AROUND) : at].rstrip()[-1:] in (b"(", b",")


def _may_declare(language: str, data: bytes, at: int, length: int) -> bool:
    """Whether the use of the receiver at ``at`` may be its declaration's, by the byte next to
    it: C's name after its type, a ``*``, ``&`` or a template's ``>``; the others' before ``=``
    or ``:`` (not ``p, p``, ``a < p``: each use was read by the whole pattern)."""
    if language in ("c", "cpp"):
        before = data[max(0, at - AROUND) : at].rstrip()[-1:]
        return before in (b"*", b"&", b">", b"_") or before.isalnum()
    return data[at + length : at + length + AROUND].lstrip()[:1] in (b"=", b":")


def _word_at(data: bytes, at: int, length: int) -> bool:
    """Whether the name at ``at`` is a whole word (``c`` in ``c =``, not in ``cc`` or ``$c``)."""
    before = data[at - 1 : at] if at else b""
    after = data[at + length : at + length + 1]
    # (A byte from 0x80 is part of a letter beyond ASCII: ``o`` is not a word in ``ço``.)
    return not (before.isalnum() or before in (b"_", b"$") or before >= b"\x80") and not (
        after.isalnum() or after == b"_" or after >= b"\x80"
    )
