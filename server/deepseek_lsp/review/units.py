"""Review units: a file's top-level definitions and the rest of it, found with tree-sitter.

A unit is what the review cache is keyed on, so a unit must change only when its own code does:
each top-level function or class is one unit (a large class is split into its members and the
class's own remaining lines), and everything outside them — imports, constants, top-level
statements — is the "module level" unit, cut into bounded chunks at blank lines when it is long.
Files in languages without a definitions query are cut into such chunks whole. Nothing is ever
truncated: every non-blank line of a file belongs to exactly one unit.
"""

from __future__ import annotations

import copy
import hashlib
import re
import threading
import zlib
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

import tree_sitter as ts

from ..documents import Document
from ..languages import Language
from .meant import BASE_CONSTRUCTOR, OWN_CONSTRUCTOR, Meant, OwnClass, constructor_calls

#: Capture suffixes of definitions.scm that make a unit of their own; the others (variables,
#: constants, small types) stay in the module-level unit.
UNIT_KINDS = ("function", "method", "class")
#: A class longer than this is reviewed member by member, so editing one method of a big class
#: re-sends that method rather than the whole class.
SPLIT_CLASS_LINES = 80
#: Module-level code and files without a grammar are cut at a blank line once a chunk has this
#: many lines (if the text chose no cut before, see below); a block without blank lines is cut
#: where its text chooses past that, and hard at ``CHUNK_MAX_LINES``.
CHUNK_TARGET_LINES = 60
#: Cut points chosen by content: at a line after a blank line or a gap, one in ``CUT_ONE_IN``
#: (by the line's text), once a chunk has ``CHUNK_MIN_LINES``; at ``CHUNK_TARGET_LINES`` anyway.
CHUNK_MIN_LINES = 20
CUT_ONE_IN = 4
#: Where there is no blank line: any line may be a cut, one in ``DENSE_CUT_ONE_IN`` (about
#: 70-line chunks), so a cut that moves rarely moves the next.
DENSE_CUT_ONE_IN = 48
CHUNK_MAX_LINES = 120
#: Node types that wrap a definition without being one: decorators, ``export``.
_WRAPPER_TYPES = frozenset({"decorated_definition", "export_statement"})
#: Siblings glued to the definition that follows them (doc comments, attributes, annotations).
_LEADING_MARKERS = ("comment", "attribute", "decorator", "annotation")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: A class called to make an instance: ``Mailer(...)``, ``new Mailer(``, Go's ``Mailer{``,
#: Ruby's ``Mailer.new`` and Rust's ``Mailer::new``.
_MADE = re.compile(r"\b(\w+)(?:\s*\(|\{|(?:\.|::)new\b)")
_LONE_CR = re.compile(rb"\r(?!\n)")


@dataclass(frozen=True)
class Unit:
    kind: str  # one of UNIT_KINDS, "module" (code outside definitions) or "chunk" (no grammar)
    name: str  # qualified for members: "Parser.parse"
    #: 0-based inclusive line ranges, ordered and disjoint (the rest of a module has gaps).
    lines: tuple[tuple[int, int], ...]
    text: str  # the unit's lines joined with "\n"
    #: Text shown to the model before the unit but not reviewed: the enclosing class header.
    context: str = ""
    #: Identifiers the unit uses, to pick the signatures it needs.
    references: frozenset[str] = frozenset()
    #: The class it is or is in (the innermost) and the names its header gives (``class
    #: C(Base)``, ``impl Evict for Cache``), a Go method's receiver type: whose method it means
    #: by a name several define.
    classes: frozenset[str] = frozenset()
    #: The types its parameters are declared with (``s: Shape``): whose method, but not whose
    #: constructor, it means by a name several define.
    typed: frozenset[str] = frozenset()
    #: Classes whose constructors it calls without naming them (Java's ``super(4)`` and
    #: ``this(4)``, C#'s ``: base(4)``): its class's bases, or its own class.
    constructs: frozenset[str] = frozenset()
    #: Lines a change deleted from it (see ``removed``): shown to the model under its code, and
    #: part of its cache key, not of its fingerprint (the code it has is the same).
    removed: tuple[str, ...] = ()

    @property
    def uses(self) -> frozenset[str]:
        """The names of what it uses: its identifiers and the classes it constructs."""
        return self.references | self.constructs if self.constructs else self.references

    @property
    def first_line(self) -> int:
        return self.lines[0][0]

    @property
    def last_line(self) -> int:
        return self.lines[-1][1]

    @property
    def line_count(self) -> int:
        return sum(hi - lo + 1 for lo, hi in self.lines)

    def contains_line(self, line: int) -> bool:
        return any(lo <= line <= hi for lo, hi in self.lines)

    def index_of_line(self, line: int) -> int | None:
        """Position of a document line among the unit's own non-blank lines (None when not in
        the unit).

        Cached findings remember this rather than a document line: it stays right when code
        above the unit, or between the pieces of a module-level unit, grows or shrinks, and when
        blank lines come or go inside it, which leave the unit's cache key as it was (counted
        with blank lines, two findings on the same code four lines apart both landed on the
        first once two blank lines were added above them, and one was dropped).
        """
        position = 0
        for lo, hi in self.lines:
            if lo <= line <= hi:
                position += line - lo
                return sum(1 for text in self.text.split("\n")[:position] if text.strip())
            position += hi - lo + 1
        return None

    def line_at_index(self, index: int) -> int:
        """The document line of the unit's non-blank line number ``index`` (see index_of_line)."""
        return line_at_index(self.non_blank_rows(), index, self.last_line)

    def non_blank_rows(self) -> tuple[int, ...]:
        """The document lines of the unit's non-blank lines, in order."""
        texts = iter(self.text.split("\n"))
        return tuple(line for lo, hi in self.lines for line in range(lo, hi + 1) if next(texts, "").strip())

    def fingerprint(self) -> str:
        """Hash of the normalized code: survives moves, re-indentation and blank-line changes."""
        digest = hashlib.sha256(normalize_code(self.context).encode())
        digest.update(b"\x00" + self.kind.encode() + b"\x00")
        digest.update(normalize_code(self.text).encode())
        return digest.hexdigest()


@dataclass(frozen=True)
class Signature:
    name: str
    kind: str
    header: str  # the definition up to its body
    line: int
    owner: str = ""  # the class (impl, trait, module...) it is a member of
    #: The header says whose it is (a Go method's receiver): not said again after it.
    owner_in_header: bool = False

    def shown(self) -> str:
        """The line a prompt and a cache key hold: the header on one line, its class after it
        (``def __init__(self, prog):  # Action``): a method's header does not say whose it is."""
        header = " ".join(self.header.split())
        return f"{header}  # {self.owner}" if self.owner and not self.owner_in_header else header


@dataclass
class FileUnits:
    units: list[Unit]
    imports: list[str] = field(default_factory=list)
    signatures: list[Signature] = field(default_factory=list)
    #: Each class's header names (its bases), to follow a unit's classes to their ancestors.
    bases: dict[str, frozenset[str]] = field(default_factory=dict)
    #: The types each class's fields are declared with, by class name (``private Logger log``).
    fields: dict[str, frozenset[str]] = field(default_factory=dict)
    _by_name: dict[str, list[tuple[int, Signature]]] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    _shared: frozenset[str] = field(default=frozenset(), init=False, repr=False, compare=False)
    #: The classes (impls, modules...) whose members the signatures hold.
    _owners: frozenset[str] = field(default=frozenset(), init=False, repr=False, compare=False)
    _ancestors: dict[str, frozenset[str]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    #: Of each name several classes define, its definitions by class ("" for none).
    _owned: dict[str, dict[str, list[tuple[int, Signature]]]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def _signatures_by_name(self) -> dict[str, list[tuple[int, Signature]]]:
        if self._by_name is None:
            self._by_name = {}
            for i, s in enumerate(self.signatures):
                self._by_name.setdefault(s.name, []).append((i, s))
            # Counted over all of a name's definitions, the unit's own too: counted over those
            # it does not hold, a class calling its own ``self.area()`` was sent the one other
            # class's ``area`` (``# Logger``), alone and so kept.
            self._shared = frozenset(
                name
                for name, defined in self._by_name.items()
                if len({s.owner for _, s in defined if s.owner}) > 1
            )
            self._owners = frozenset(s.owner for s in self.signatures if s.owner)
            # Looked up by class: a pass over every class's ``__init__`` for each unit took 600
            # generated subclasses 71 ms of CPU for their units' signatures.
            for name in self._shared:
                owned = self._owned[name] = {}
                for i, s in self._by_name[name]:
                    owned.setdefault(s.owner, []).append((i, s))
        return self._by_name

    def signatures_for(self, units: Iterable[Unit], limit: int = 24) -> list[Signature]:
        """Signatures of this file's definitions that ``units`` use but do not contain; of a
        name several classes define, those of the unit's classes, their bases and the classes
        it calls a method of by name (see ``_meant``)."""
        selected = list(units)
        # By name, in file order: a pass over every signature per unit made a generated file
        # of 3,000 functions take 3 s of a review answered whole from the cache.
        by_name = self._signatures_by_name()
        found: dict[int, Signature] = {}
        for unit in selected:
            meant: Meant | None = None
            for name in unit.references:
                candidates = by_name.get(name, ())
                if name in self._shared:
                    meant = meant or self._meant(unit)
                    candidates = meant.of(name, self._owned[name])
                found.update(
                    (i, s) for i, s in candidates if not any(u.contains_line(s.line) for u in selected)
                )
            for name in unit.constructs:
                # Its constructors (a member named as its class), not the class's header: the
                # unit is in that class, or its own header names it already.
                found.update(
                    (i, s)
                    for i, s in by_name.get(name, ())
                    if s.owner == name and not any(u.contains_line(s.line) for u in selected)
                )
        out = [found[i] for i in sorted(found)]
        if len(out) > limit:
            # Chosen by name, shown in file order: the first ``limit`` in file order changed
            # when a definition was moved above others, and with them the cache key of every
            # unit using more (a dispatcher calling thirty helpers was reviewed and paid for
            # again after a helper was moved, its own code unchanged).
            chosen = {id(s) for s in sorted(out, key=lambda s: (s.name, s.header))[:limit]}
            out = [s for s in out if id(s) in chosen]
        return out

    def _meant(self, unit: Unit) -> Meant:
        classes = self._ancestry(unit.classes)
        # Its parameters' types and its classes' fields' (``this.log.area()``), and their bases.
        typed = unit.typed.union(*(self.fields.get(c, ()) for c in classes))
        # And the classes it makes an instance of (``mailer = Mailer()``, ``new Mailer()``): a
        # module's ``mailer.send(...)`` was sent none of two classes' ``send``.
        made = {m for m in _MADE.findall(unit.text) if m in self._owners}
        return Meant(classes, self._ancestry(typed | made), unit.text)

    def _ancestry(self, names: Iterable[str]) -> set[str]:
        """``names`` and, for those that are classes of this file, their bases, transitively."""
        out: set[str] = set()
        for name in names:
            out |= self._ancestors_of(name)
        return out

    def _ancestors_of(self, name: str) -> frozenset[str]:
        """``name`` and its bases, transitively, kept: each unit asks for its classes' and its
        parameters' (a chain of 600 generated subclasses, each method typed with the one
        above, walked each chain twice a unit: 0.51 s of CPU for their signatures)."""
        known = self._ancestors.get(name)
        if known is not None:
            return known
        out: set[str] = set()
        todo = [name]
        while todo:
            current = todo.pop()
            if current in out:
                continue
            kept = self._ancestors.get(current)
            if kept is not None:
                out |= kept
            else:
                out.add(current)
                todo.extend(self.bases.get(current, ()))
        found = self._ancestors[name] = frozenset(out)
        return found


def normalize_code(text: str) -> str:
    """Text with line endings, trailing whitespace, blank lines and common indentation removed."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    lines = [line for line in lines if line]
    indent = min((len(line) - len(line.lstrip()) for line in lines), default=0)
    return "\n".join(line[indent:] for line in lines)


def _text_of_lines(doc: Document, lines: Sequence[tuple[int, int]]) -> str:
    parts = [
        doc.data[doc.line_start(lo) : doc.line_end(hi)].decode("utf-8", "replace")
        for lo, hi in lines
    ]
    return "\n".join(parts)


def _node_text(doc: Document, start: int, end: int) -> str:
    return doc.data[start:end].decode("utf-8", "replace")


def _runs(lines: Iterable[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for line in lines:
        if runs and runs[-1][1] == line - 1:
            runs[-1] = (runs[-1][0], line)
        else:
            runs.append((line, line))
    return runs


def chunk_lines(doc: Document, lines: Sequence[int]) -> list[list[tuple[int, int]]]:
    """Split ``lines`` (sorted line numbers) into chunks of line runs, cutting at blank lines.

    Blank lines never start or end a chunk, and a chunk's runs break wherever ``lines`` has a gap
    (a definition that is its own unit), so each chunk is exactly the code it holds.
    """
    chunks: list[list[int]] = []
    current: list[int] = []
    size = 0
    previous = -2
    boundary = False
    unbroken = 0  # lines since the last blank line or gap
    for line in lines:
        text = doc.line_bytes(line).strip()
        blank = not text
        boundary = boundary or blank or line != previous + 1
        unbroken = 0 if blank or line != previous + 1 else unbroken + 1
        previous = line
        if blank:
            size += 1 if current else 0  # blank lines inside a chunk are shown, so they count
            continue
        # A cut goes before a line that follows a blank line or a gap, chosen by that line's
        # own text once the chunk has CHUNK_MIN_LINES: an edit then moves no cut but its
        # own chunk's (counted from the top, five lines added early re-sent every chunk after).
        if (
            boundary
            and current
            and (size >= CHUNK_TARGET_LINES or (size >= CHUNK_MIN_LINES and zlib.crc32(text) % CUT_ONE_IN == 0))
        ) or (
            # No blank line for a long stretch (data, generated text): a cut chosen by the
            # line's own text too, so a line added above moves no cut below it (the hard cut at
            # CHUNK_MAX_LINES, counted from the top, re-sent every later chunk).
            current
            and size >= CHUNK_MIN_LINES
            and unbroken >= CHUNK_MIN_LINES
            and zlib.crc32(text) % DENSE_CUT_ONE_IN == 0
        ):
            chunks.append(current)
            current, size = [], 0
        boundary = False
        if size >= CHUNK_MAX_LINES:
            chunks.append(current)
            current, size = [], 0
        current.append(line)
        size += 1
    if current:
        chunks.append(current)
    # Blank lines inside a chunk are kept (they read naturally); only its edges are trimmed.
    wanted = set(lines)
    out = []
    for chunk in chunks:
        runs = []
        for lo, hi in _runs(ln for ln in range(chunk[0], chunk[-1] + 1) if ln in wanted):
            while lo <= hi and not doc.line_bytes(lo).strip():
                lo += 1
            while hi >= lo and not doc.line_bytes(hi).strip():
                hi -= 1
            if lo <= hi:
                runs.append((lo, hi))
        out.append(runs)
    return out


def _rest_units(
    doc: Document,
    lines: Sequence[int],
    kind: str,
    name: str,
    refs: _References,
    classes: frozenset[str] = frozenset(),
    own: OwnClass | None = None,
) -> list[Unit]:
    chunks = [c for c in chunk_lines(doc, lines) if c]
    units = []
    for i, runs in enumerate(chunks, 1):
        label = name if len(chunks) == 1 else f"{name}, part {i}"
        references, constructs = constructor_calls(refs.in_lines(doc, runs), own)
        units.append(
            Unit(
                kind,
                label,
                tuple(runs),
                _text_of_lines(doc, runs),
                references=references,
                classes=classes,
                constructs=constructs,
            )
        )
    return units


class _References:
    """Identifiers by line, from identifiers.scm (or a word regex without one).

    ``named`` are where the file's definitions write their names: a name being defined is no
    use of it. Counted as one, each class's ``__init__`` was sent with every other class's
    (argparse's ``__call__`` methods with the 11 others': 199 of the 744 signatures its units
    were sent with, none of them code the unit calls), and a changed ``__init__`` signature
    changed the cache key of every class with an ``__init__``: all were reviewed again."""

    def __init__(
        self, doc: Document, language: Language | None, named: frozenset[int] = frozenset()
    ) -> None:
        self._by_line: dict[int, set[str]] = {}
        self._named = named
        query = language.query("identifiers") if language else None
        if query is None or doc.tree is None:
            self._query = None
            return
        self._query = query
        # Rows are the document's lines unless a lone "\r" is in it (see ``_last_line``):
        # looked up by byte only then, as this runs for every identifier of the file.
        rows = _LONE_CR.search(doc.data) is None
        for name, nodes in ts.QueryCursor(query).captures(doc.tree.root_node).items():
            if not name.startswith("reference"):
                continue
            for node in nodes:
                if node.start_byte in named:
                    continue
                if name == "reference.alias":
                    word = _alias(query, doc.tree.root_node, node)
                    if word is None:
                        continue
                else:
                    word = _node_text(doc, node.start_byte, node.end_byte)
                line = node.start_point[0] if rows else doc.line_at(node.start_byte)
                self._by_line.setdefault(line, set()).add(word)

    def in_lines(self, doc: Document, runs: Sequence[tuple[int, int]]) -> frozenset[str]:
        found: set[str] = set()
        for lo, hi in runs:
            for line in range(lo, hi + 1):
                if self._query is None:
                    found.update(_WORD.findall(doc.line_text(line)))
                else:
                    found |= self._by_line.get(line, set())
        return frozenset(found)

    def in_span(self, doc: Document, start: int, end: int) -> frozenset[str]:
        """The identifiers written between bytes ``start`` and ``end`` (asked of those bytes
        alone: for a few headers)."""
        if start >= end:
            return frozenset()
        if self._query is None or doc.tree is None:
            return frozenset(_WORD.findall(_node_text(doc, start, end)))
        cursor = ts.QueryCursor(self._query)
        cursor.set_byte_range(start, end)
        return frozenset(
            _node_text(doc, node.start_byte, node.end_byte)
            for name, nodes in cursor.captures(doc.tree.root_node).items()
            if name.startswith("reference") and name != "reference.alias"
            for node in nodes
            if start <= node.start_byte and node.end_byte <= end and node.start_byte not in self._named
        )


def _alias(query: ts.Query, root: ts.Node, node: ts.Node) -> str | None:
    """The name a ``@reference.alias`` node uses, which its pattern's ``#set! reference`` gives
    (``super(4)``: ``constructor``). Asked of its own bytes alone: such nodes are few."""
    cursor = ts.QueryCursor(query)
    cursor.set_byte_range(node.start_byte, node.end_byte)
    for pattern, match in cursor.matches(root):
        if any(n.id == node.id for n in match.get("reference.alias", ())):
            word = query.pattern_settings(pattern).get("reference")
            return word if isinstance(word, str) else None
    return None


@dataclass
class _Definition:
    kind: str
    name: str
    node: ts.Node  # the definition as captured
    outer: ts.Node  # with its decorators/export wrapper
    body: ts.Node | None
    first_line: int  # including leading comments and attributes
    name_start: int  # the byte where its name is written
    #: The class its query names (``@owner``: a Go method's receiver type), "" when none does.
    owner: str = ""
    #: The types its parameters and those of the definitions in it are declared with
    #: (``@parameter.type``), where the query says.
    parameter_types: frozenset[str] = frozenset()
    #: Names its body makes its bases (``@base``: Ruby's ``include Mixin``).
    mixins: frozenset[str] = frozenset()
    #: The types its fields are declared with (``@field.type``).
    field_types: frozenset[str] = frozenset()


def _leading_line(node: ts.Node, doc: Document, language: Language) -> int:
    """First line of ``node`` including the comments/attributes directly above it (Elixir's
    ``@doc``/``@spec``: reviewed apart, a spec was never checked against its function)."""
    line = doc.line_at(node.start_byte)
    sibling = node.prev_named_sibling
    while (
        sibling is not None
        and doc.line_at(sibling.end_byte) >= line - 1
        # Not a comment that trails the code before it (``}  // a``): that one ends a line of
        # the previous definition, which keeps its line (this one then lost its own unit).
        and not (
            sibling.prev_sibling is not None
            and doc.line_at(sibling.prev_sibling.end_byte) == doc.line_at(sibling.start_byte)
        )
        and (
            any(marker in sibling.type for marker in _LEADING_MARKERS)
            or language.leads_definition(doc.data[sibling.start_byte : sibling.end_byte])
        )
    ):
        line = doc.line_at(sibling.start_byte)
        sibling = sibling.prev_named_sibling
    return line


def _definitions(doc: Document, language: Language) -> list[_Definition]:
    query = language.query("definitions")
    if query is None or doc.tree is None:
        return []
    seen: set[int] = set()
    out: list[_Definition] = []
    typed: list[ts.Node] = []
    of_class: dict[str, list[ts.Node]] = {"base": [], "field.type": []}
    for _, match in ts.QueryCursor(query).matches(doc.tree.root_node):
        typed.extend(match.get("parameter.type", ()))
        for capture, nodes in of_class.items():
            nodes.extend(match.get(capture, ()))
        captured = next(
            ((k, v[0]) for k, v in match.items() if k.startswith("definition.") and v), None
        )
        names = match.get("name")
        if captured is None or not names or captured[1].id in seen:
            continue
        kind, node = captured[0].split(".", 1)[1], captured[1]
        seen.add(node.id)
        outer = node
        while outer.parent is not None and outer.parent.type in _WRAPPER_TYPES:
            outer = outer.parent
        body = (match.get("body") or [None])[0]
        name = _node_text(doc, names[0].start_byte, names[0].end_byte)
        owner = "".join(_node_text(doc, n.start_byte, n.end_byte) for n in match.get("owner", ())[:1])
        out.append(
            _Definition(kind, name, node, outer, body, _leading_line(outer, doc, language), names[0].start_byte, owner)
        )
    out.sort(key=lambda d: d.outer.start_byte)
    return _with_captured(doc, out, typed, of_class) if typed or any(of_class.values()) else out


def _with_captured(
    doc: Document,
    defs: list[_Definition],
    typed: list[ts.Node],
    of_class: dict[str, list[ts.Node]],
) -> list[_Definition]:
    """``defs`` given what patterns of their own captured: each parameter type to every
    definition holding it (a class reviewed whole means its methods' parameters' classes, a
    method of a long class reviewed alone only its own), each ``@base`` and ``@field.type`` to
    the class whose body holds it."""
    by_node = {d.node.id: d for d in defs}
    types: dict[int, set[str]] = {}
    for node in typed:
        typed_as = _node_text(doc, node.start_byte, node.end_byte)
        above = node.parent
        while above is not None:
            if above.id in by_node:
                types.setdefault(above.id, set()).add(typed_as)
            above = above.parent
    class_ids = {d.node.id for d in defs if d.kind == "class"}
    classes: dict[str, dict[int, set[str]]] = {}
    for capture, nodes in of_class.items():
        found = classes[capture] = {}
        for node in nodes:
            above = node.parent
            while above is not None and above.id not in class_ids:
                above = above.parent
            if above is not None:
                text = _node_text(doc, node.start_byte, node.end_byte)
                found.setdefault(above.id, set()).add(text)
    mixins, fields = classes["base"], classes["field.type"]
    return [
        replace(
            d,
            parameter_types=frozenset(types.get(d.node.id, ())),
            mixins=frozenset(mixins.get(d.node.id, ())),
            field_types=frozenset(fields.get(d.node.id, ())),
        )
        if d.node.id in types or d.node.id in mixins or d.node.id in fields
        else d
        for d in defs
    ]


def _header(doc: Document, d: _Definition) -> str:
    if d.body is None:
        return _node_text(doc, d.node.start_byte, d.node.end_byte).rstrip()
    # Not the comments between the header and its body: Python's and Ruby's body starts at its
    # first statement, and a function's opening comment went into every prompt calling it
    # (756 of the 20,742 signatures carried by the units of 1,181 Python files here: 21,505
    # of their 408,554 tokens).
    first = d.body
    while first.prev_sibling is not None and "comment" in first.prev_sibling.type:
        first = first.prev_sibling
    return _node_text(doc, d.node.start_byte, max(first.start_byte, d.node.start_byte)).rstrip()


def _imports(doc: Document, language: Language) -> list[str]:
    query = language.query("imports")
    if query is None or doc.tree is None:
        return []
    statements: dict[int, str] = {}
    for _, match in ts.QueryCursor(query).matches(doc.tree.root_node):
        for node in match.get("import", []):
            statements.setdefault(node.start_byte, _node_text(doc, node.start_byte, node.end_byte))
    return [statements[k] for k in sorted(statements)]


#: The last few texts' units, by their language and text: a save of a large file never
#: reviewed cut the same text into units four times (its cached review, its estimate, the units
#: changed since git's last commit, their count for the question) and git's text twice (the
#: deleted lines, the changed units), each a parse and query of ~0.1 s of CPU for 2,900 lines.
_RECENT_UNITS: OrderedDict[tuple[str | None, bytes], FileUnits] = OrderedDict()
_RECENT_KEPT = 4
_RECENT_LOCK = threading.Lock()  # (extracted off the event loop, in threads)


def extract_units(doc: Document) -> FileUnits:
    """The review units of ``doc``, in file order, covering every non-blank line once (a copy
    of its own: a caller may set its ``units``)."""
    key = (doc.language.name if doc.language else None, hashlib.blake2b(doc.data, digest_size=16).digest())
    with _RECENT_LOCK:
        found = _RECENT_UNITS.get(key)
        if found is not None:
            _RECENT_UNITS.move_to_end(key)
            return copy.copy(found)
    found = _extract_units(doc)
    with _RECENT_LOCK:
        _RECENT_UNITS[key] = found
        while len(_RECENT_UNITS) > _RECENT_KEPT:
            _RECENT_UNITS.popitem(last=False)
    return copy.copy(found)


def _extract_units(doc: Document) -> FileUnits:
    language = doc.language
    line_count = doc.line_count
    if language is None or doc.tree is None or language.query("definitions") is None:
        units = _rest_units(doc, range(line_count), "chunk", "file", _References(doc, language))
        return FileUnits(_name_chunks(units))
    root = doc.tree.root_node
    defs = _definitions(doc, language)
    refs = _References(doc, language, frozenset(d.name_start for d in defs))
    owners = _owners(defs)
    bases = _bases(doc, defs, refs)
    signatures = [
        Signature(
            d.name,
            d.kind,
            _header(doc, d),
            doc.line_at(d.node.start_byte),
            owners.get(d.node.id, ""),
            bool(d.owner) and owners.get(d.node.id) == d.owner,
        )
        for d in defs
        if d.kind in UNIT_KINDS
    ]
    units: list[Unit] = []
    covered: set[int] = set()
    top = [
        d
        for d in defs
        if d.kind in UNIT_KINDS and d.outer.parent is not None and d.outer.parent.id == root.id
    ]
    for d in top:
        lo, hi = d.first_line, _last_line(doc, d.outer)
        if lo in covered:
            continue  # two patterns captured the same definition
        covered.update(range(lo, hi + 1))
        units.extend(_definition_units(doc, d, defs, refs, d.name, "", bases))
    rest = [ln for ln in range(line_count) if ln not in covered]
    units.extend(_rest_units(doc, rest, "module", "module level", refs))
    units.sort(key=lambda u: u.first_line)
    fields: dict[str, frozenset[str]] = {}
    for d in defs:
        if d.field_types:
            # By name: a Rust struct's fields are its ``impl``'s.
            fields[d.name] = fields.get(d.name, frozenset()) | d.field_types
    return FileUnits(units, _imports(doc, language), signatures, bases, fields)


def _owners(defs: list[_Definition]) -> dict[int, str]:
    """Each definition's class (by node id): the innermost class-kind definition whose body
    holds it, whatever the language calls it (a Python class, a Rust ``impl`` named by its type
    or a ``trait``, a Ruby module, a C# namespace), else the one its query names (a Go method's
    receiver type, written outside any body)."""
    class_of_body = {d.body.id: d.name for d in defs if d.kind == "class" and d.body is not None}
    owners: dict[int, str] = {}
    for d in defs:
        node = d.outer.parent
        while node is not None and node.id not in class_of_body:
            node = node.parent
        if node is not None:
            owners[d.node.id] = class_of_body[node.id]
        elif d.owner:
            owners[d.node.id] = d.owner
    return owners


def _bases(doc: Document, defs: list[_Definition], refs: _References) -> dict[str, frozenset[str]]:
    """The names each class's header gives besides its own (``class C(Base)``: Base; ``impl
    Evict for Cache``: Evict) and those its body mixes in (Ruby's ``include Walker``), by class
    name: a method's ``super().__init__`` is its base's, a Ruby class's ``move(3)`` its mixin's."""
    out: dict[str, frozenset[str]] = {}
    for d in defs:
        if d.kind == "class" and d.body is not None:
            params = next((c for c in d.node.children if c.type in _PRIMARY_PARAMETERS), None)
            if params is not None and params.end_byte <= d.body.start_byte:
                # Around its parameters: ``class Report(private val log: Logger) : Base()``
                # made Logger a base of Report, and its methods meant every Logger's method.
                words = refs.in_span(doc, d.node.start_byte, params.start_byte)
                words |= refs.in_span(doc, params.end_byte, d.body.start_byte)
            else:
                words = _header_words(doc, d.node, d.body, refs)
            words -= {d.name, BASE_CONSTRUCTOR, OWN_CONSTRUCTOR}
            out[d.name] = out.get(d.name, frozenset()) | words | (d.mixins - {d.name})
    return out


#: A class header's own parameter list, no base of it: Kotlin's and Scala's primary
#: constructor, C#'s, a Java record's components.
_PRIMARY_PARAMETERS = frozenset({"primary_constructor", "class_parameters", "parameter_list", "formal_parameters"})


def _header_words(doc: Document, node: ts.Node, body: ts.Node, refs: _References) -> frozenset[str]:
    """The identifiers a class's header writes, up to its body: its lines but the last by line
    (kept from the file's pass), the last up to where the body starts (a one-line class's
    ``class Report { Circle first() {...} }`` made Circle a base of Report, and a subclass's
    ``s.area()`` meant Circle's; Python's block starts at its first statement, a line below)."""
    end = body.start_byte
    while end > node.start_byte and doc.data[end - 1 : end].isspace():
        end -= 1
    first, last = doc.line_at(node.start_byte), doc.line_at(max(end - 1, node.start_byte))
    words = refs.in_lines(doc, ((first, last - 1),)) if last > first else frozenset()
    return words | refs.in_span(doc, max(doc.line_start(last), node.start_byte), body.start_byte)


def _definition_units(
    doc: Document,
    d: _Definition,
    defs: list[_Definition],
    refs: _References,
    name: str,
    context: str,
    bases: dict[str, frozenset[str]],
    classes: frozenset[str] = frozenset(),
    own: OwnClass | None = None,
) -> list[Unit]:
    """The units of one definition: itself, or, for a long class, its members (each with the
    headers around it as context) and the class's own remaining lines. Members that are long
    classes are split in turn: a class in a Ruby module or a C# namespace was one unit of
    hundreds of lines, sent again whole whenever one of its methods changed."""
    lo, hi = d.first_line, _last_line(doc, d.outer)
    if d.kind == "class":
        # Its own and its bases', not the enclosing class's: a nested class's ``self`` is not one.
        own = OwnClass(d.name, bases.get(d.name, frozenset()))
        classes = frozenset({d.name}) | own.bases
    # A Go method's receiver is its class.
    classes = classes | {d.owner} - {""}
    members = _members(d, defs) if d.kind == "class" and hi - lo + 1 > SPLIT_CLASS_LINES else []
    if not members:
        kind = "method" if context and d.kind == "function" else d.kind
        lines = ((lo, hi),)
        text = _text_of_lines(doc, lines)
        references, constructs = constructor_calls(refs.in_lines(doc, lines), own)
        # A parameter's declared type says whose method it calls by a name several types
        # define (``func report(s Shape)``, ``def report(s: Shape)``: ``s.area()`` is
        # Shape's); reviewed whole, a class's methods' parameters are its own.
        typed = d.parameter_types
        return [Unit(kind, name, lines, text, context, references, classes, typed, constructs)]
    header = _header(doc, d)
    inner = f"{context}\n{header}" if context else header
    units: list[Unit] = []
    member_lines: set[int] = set()
    for m in members:
        member_lines.update(range(m.first_line, _last_line(doc, m.outer) + 1))
        member = f"{name}.{m.name}"
        units.extend(_definition_units(doc, m, defs, refs, member, inner, bases, classes, own))
    rest = [ln for ln in range(lo, hi + 1) if ln not in member_lines]
    # Not its members' parameter types: a class's own lines call through none of them.
    units.extend(_rest_units(doc, rest, "class", name, refs, classes, own))
    return units


def _last_line(doc: Document, node: ts.Node) -> int:
    # The document's lines, from bytes: tree-sitter's rows count "\n" only, and after a lone
    # "\r" (which LSP, the prompt's line numbers and the document count as a line break) a
    # function's unit held a blank line and its header, its body went to the module level.
    start, end = doc.line_at(node.start_byte), doc.line_at(node.end_byte)
    # A node ending at the start of a line ends with the previous line's break.
    return end - 1 if end > start and doc.line_start(end) == node.end_byte else end


def _members(cls: _Definition, defs: list[_Definition]) -> list[_Definition]:
    if cls.body is None:
        return []
    body_id = cls.body.id
    return [
        d
        for d in defs
        if d.kind in UNIT_KINDS and d.outer.parent is not None and d.outer.parent.id == body_id
    ]


def _name_chunks(units: list[Unit]) -> list[Unit]:
    return [replace(u, name=f"lines {u.first_line + 1}-{u.last_line + 1}") for u in units]


def line_at_index(rows: tuple[int, ...], index: int, last_line: int) -> int:
    """The document line of non-blank line number ``index`` among ``rows`` (a unit's
    non_blank_rows); ``last_line`` past them."""
    return rows[max(index, 0)] if index < len(rows) else last_line
