"""The syntax around the cursor: enclosing scopes, names used near it, where a bracket scan may start."""

from __future__ import annotations

from dataclasses import dataclass, replace

import tree_sitter as ts

from ..languages import Language
from .index import _WORD, _captures_by_match, _decorated_start, _one, node_text


@dataclass
class Scope:
    kind: str
    header: str
    start: int  # byte offsets of the whole scope
    body_start: int
    end: int
    body_is_empty: bool


_OPENERS = {"(": ")", "[": "]", "{": "}"}


_CLOSERS = {")": "(", "]": "[", "}": "{"}


def bracket_scan_start(
    tree: ts.Tree, data: bytes, offset: int, lowest: int, max_back: int = 4096
) -> tuple[int, list[str]] | None:
    """Where a text scan for the brackets open at ``offset`` may start, and the brackets open
    there (outermost first), read off the tree; None when the tree cannot tell for sure.

    The start is the outermost syntax node around the cursor that begins a line at or after
    ``lowest`` and within ``max_back`` bytes: outside any string or comment by construction, so
    the scanner (``completion.postprocess``) reads a few hundred bytes instead of the whole
    prompt window (~1 ms a request on a large file, ``tests/bench/bench_overhead.py``).
    """
    root = tree.root_node
    if root.is_error:
        # The brackets right under the root are not looked at: an ERROR root (a test file's
        # `describe('sum', () => {` whose `});` is not typed yet) holds open ones.
        return None
    lowest = max(lowest, offset - max_back)
    node: ts.Node | None = root.descendant_for_byte_range(offset, offset)
    best: ts.Node | None = None
    while node is not None and node != root and node.start_byte >= lowest:
        start = node.start_byte
        line_start = data.rfind(b"\n", 0, start) + 1
        if node.is_named and not node.is_error and start < offset and not data[line_start:start].strip():
            best = node
        node = node.parent
    if best is None:
        return None
    opens: list[str] = []
    child: ts.Node = best
    parent = best.parent
    while parent is not None and parent != root:
        kind = parent.type
        if parent.is_error or _is_text(kind):
            return None
        before: list[str] = []
        sibling = child.prev_sibling
        while sibling is not None:
            if sibling.has_error:
                return None
            if sibling.type in _OPENERS or sibling.type in _CLOSERS:
                before.append(sibling.type)
            sibling = sibling.prev_sibling
        local: list[str] = []
        for bracket in reversed(before):
            if bracket in _OPENERS:
                local.append(bracket)
            elif local and local[-1] == _CLOSERS[bracket]:
                local.pop()
            else:
                return None
        opens[:0] = local
        child, parent = parent, parent.parent
    return best.start_byte, opens


def _is_text(kind: str) -> bool:
    """Whether a node of type ``kind`` is text, no code: a string, a comment, a template, or a
    heredoc's text (Ruby's, PHP's, the shell's ``heredoc_body``, PHP's ``nowdoc_body``,
    Elixir's ``sigil``, a Phoenix component's ``~H`` template: read as code from a window
    starting in it, its ``(`` was left open and the model's extra ``)`` kept as its closer)."""
    words = ("string", "comment", "template", "heredoc", "nowdoc", "sigil")
    return any(word in kind for word in words)


def past_string_or_comment(tree: ts.Tree, start: int, offset: int) -> int:
    """``start``, or the end of the string or comment the tree has around it when that ends
    before ``offset``: where a text scan for brackets may start in code, when
    :func:`bracket_scan_start` cannot tell (a syntax error at the cursor) and the prompt window
    starts inside a docstring, whose text the scanner would read as code and the code after it
    as a string."""
    node: ts.Node | None = tree.root_node.descendant_for_byte_range(start, start)
    end = start
    while node is not None:
        kind = node.type
        if node.start_byte < start < node.end_byte and _is_text(kind):
            end = node.end_byte  # the outermost one: a string may hold an f-string's strings
        node = node.parent
    return end if end <= offset else start


def _is_statement(node: ts.Node) -> bool:
    """Whether a body's child is code the user wrote: not a comment (``is_extra``: the grammars
    name them ``comment``, ``line_comment``, ``block_comment``…), not an ERROR, and not a lone
    string (a docstring, a ``"use strict"``), which says what the body is to do rather than
    doing it: a function with only those is one to complete whole."""
    if not node.is_named or node.is_extra or node.type == "ERROR" or node.type.endswith("comment"):
        return False
    if node.type == "expression_statement" and node.named_child_count == 1:
        return node.named_children[0].type not in ("string", "concatenated_string")
    return True


def _after_comment(body: ts.Node) -> list[ts.Node]:
    """The statements after a body captured as its first node (shell's `then . (_) @body`)
    when that node is a comment: they are the body too. A clause (`else`) is not."""
    if not body.is_extra:
        return []
    out = []
    node = body.next_named_sibling
    while node is not None and not node.type.endswith("_clause"):
        out.append(node)
        node = node.next_named_sibling
    return out


def enclosing_scopes(lang: Language, tree: ts.Tree, data: bytes, offset: int) -> list[Scope]:
    """Scopes that contain ``offset``, outermost first."""
    query = lang.query("scopes")
    if query is None:
        return []
    node: ts.Node | None = tree.root_node.descendant_for_byte_range(offset, offset)
    chain: list[ts.Node] = []
    while node is not None:
        chain.append(node)
        node = node.parent
    scopes: list[Scope] = []
    for candidate in reversed(chain):
        for match in _captures_by_match(query, candidate, depth=0):
            found = _one(match, "scope")
            if not found or found[1].id != candidate.id:
                continue
            body = (match.get("body") or [None])[0]
            body_start = body.start_byte if body is not None else candidate.start_byte
            # The scope still starts at its own line: a window that shows it needs no header.
            start = _decorated_start(candidate, lang, data)
            raw_header = data[start:body_start].rstrip()
            # The header shown is the scope's own tokens before its body: not the comments
            # between them, nor an ERROR. While the line being typed breaks the tree (`if x`
            # before its `:`, an unclosed bracket or string), a class's "body" may be found at
            # that line, all above it in an ERROR, and its header was the whole class (or, where
            # comments came before its first statement, it shrank to `class X:` and grew back
            # when the line mended): the prompt's head changed on those keystrokes, a miss of
            # DeepSeek's prefix cache for the whole prompt.
            header_end = candidate.start_byte
            for child in candidate.children:
                if child.start_byte >= body_start or child.is_error:
                    break
                if "comment" not in child.type:
                    header_end = min(child.end_byte, body_start)
            header = data[start:header_end].rstrip().decode("utf-8", "replace")
            empty = body is None or not any(_is_statement(c) for c in (*body.children, *_after_comment(body)))
            # Judged only with the cursor where the body is written: past the header and not
            # past the body (an `if`'s empty `{}` says nothing of a cursor in its `else`, nor a
            # function's body of a cursor in a default parameter's arrow function).
            # A keyword captured as the body (shell's `then`, Ruby's `end`) is no range.
            if empty and body is not None and body.is_named and not start + len(raw_header) <= offset <= body.end_byte:
                empty = False
            scopes.append(
                Scope(found[0].split(".", 1)[-1], header, candidate.start_byte, body_start, candidate.end_byte, empty)
            )
            break
    return scopes


def scopes_kept_through_errors(
    tree: ts.Tree, data: bytes, scopes: list[Scope], kept: list[Scope], above: int, offset: int, grown: int
) -> list[Scope]:
    """``scopes`` with those of ``kept`` (a site's, read from an earlier tree) starting before
    ``above`` (its window's start) that the tree lost to an ERROR: while the line being typed
    leaves a bracket open (``if (isBoolean(``), tree-sitter's recovery may put the function
    around it in an ERROR node, and the cursor in no scope at all. Its header, above the
    window, left the prompt's head and came back once the bracket closed: two misses of
    DeepSeek's prefix cache for the whole prompt a line. A scope the tree still has, or
    lost without an error (a function ended by the user's dedent), is not kept; nor one
    whose header is no longer where it was (an edit above the window), nor one the cursor
    at ``offset`` is past the end of, ``grown`` the bytes the text grew by since ``kept``
    was read (moved on to the method below: Java's and C#'s recovery breaks the tree up to
    the class, and the method left was sent as the one the cursor was in). A scope kept
    ends that much further on, as the text typed inside it pushed its end."""
    starts = {s.start for s in scopes}
    lost = [
        replace(s, end=s.end + grown)
        for s in kept
        if s.start < above <= offset <= s.end + grown and s.start not in starts and _in_error(tree, s.start)
    ]
    lost = [s for s in lost if _header_at(data, s)]
    return sorted([*scopes, *lost], key=lambda s: s.start) if lost else scopes


def _in_error(tree: ts.Tree, at: int) -> bool:
    node: ts.Node | None = tree.root_node.descendant_for_byte_range(at, at)
    while node is not None:
        if node.is_error:
            return True
        node = node.parent
    return False


def _header_at(data: bytes, scope: Scope) -> bool:
    """Whether ``scope``'s header is still around its start (it starts at or before it,
    decorators first, and ends past it)."""
    header = scope.header.encode("utf-8")
    return bool(header) and data.find(header, max(0, scope.start - len(header)), scope.start + len(header)) >= 0


def names_near(
    lang: Language, tree: ts.Tree, data: bytes, offset: int, span: int = 1500, reach: int | None = None
) -> list[str]:
    """Identifiers used around the cursor, nearest first; with ``reach`` (the start of the
    function the cursor is in), also those from there on, farther than ``span``: the
    parameters' types and what the function set up first are what its later lines use."""
    query = lang.query("identifiers")
    if query is None:
        text = data[max(0, offset - span) : offset + span // 3].decode("utf-8", "replace")
        return list(dict.fromkeys(reversed(_WORD.findall(text))))
    lo, hi = _near(data, offset, span, reach)
    # Bytes, decoded once per distinct name: ~90 names a request, most of them repeats.
    found: dict[bytes, int] = {}
    for node in _references(query, tree, lo, hi):
        start = node.start_byte
        word = data[start : node.end_byte]
        dist = offset - start if start <= offset else start - offset
        known = found.get(word)
        if known is None or dist < known:
            found[word] = dist
    return [w.decode("utf-8", "replace") for w in sorted(found, key=found.__getitem__)]


def _near(data: bytes, offset: int, span: int, reach: int | None) -> tuple[int, int]:
    """The bytes ``names_near`` reads."""
    return max(0, min(offset - span, offset if reach is None else reach)), min(len(data), offset + span // 3)


def _references(query: ts.Query, tree: ts.Tree, lo: int, hi: int) -> list[ts.Node]:
    """The identifiers starting in ``[lo, hi)`` the identifiers query calls references."""
    cursor = ts.QueryCursor(query)
    cursor.set_byte_range(lo, hi)
    return [
        node
        for name, nodes in cursor.captures(tree.root_node).items()
        # An alias (``super``) is no name a definition near the cursor bears.
        if name.startswith("reference") and name != "reference.alias"
        for node in nodes
        if lo <= node.start_byte < hi
    ]


def defined_here(
    lang: Language,
    tree: ts.Tree,
    data: bytes,
    offset: int,
    span: int = 1500,
    reach: int | None = None,
    enclosing: int | None = None,
) -> frozenset[tuple[str, str]]:
    """The definitions around the cursor no snippet is to repeat, whatever the window holds,
    each as its name and its text's first line (``Definition.text``'s, which an index a few
    keys old has too, where its line number may be another):

    * the one starting at ``enclosing`` (the function the cursor is in): its header goes
      above the window as the scope's, and its body is what is typed;
    * those whose name is near the cursor (as ``names_near`` reads it) only as the name they
      define there: the functions defined below the cursor, not called yet. Nothing near the
      cursor uses them: at a small budget (an Ollama of 1,024 tokens) the window held a few
      lines below the cursor, and the functions defined under them went as snippets, in the
      window's place. Another definition of such a name is looked up as any (a trait's
      method, whose signature an implementation's repeats)."""
    out: set[tuple[str, str]] = set()
    names = lang.query("identifiers")
    near: list[tuple[ts.Node, str, int]] = []
    if names is not None:  # (without it, every word is a name used)
        lo, hi = _near(data, offset, span, reach)
        near = _definitions_in(lang, tree, data, lo, hi)
        # By the span of its name: the same node as the identifier (a C++ method's
        # ``Cache::get`` defines no ``Cache``, it uses the class).
        defined = {(n.start_byte, n.end_byte): first for n, first, _start in near}
        used = {data[n.start_byte : n.end_byte] for n in _references(names, tree, lo, hi) if (n.start_byte, n.end_byte) not in defined}
        out = {(data[a:b].decode("utf-8", "replace"), first) for (a, b), first in defined.items() if data[a:b] not in used}
    if enclosing is not None:
        # Its name is among those near the cursor when the names' reach starts at or above it
        # (``reach``, the function's start): the definitions query walked once, not twice.
        mine = [d for d in near if d[2] == enclosing] if near and lo <= enclosing else []
        if not mine:
            mine = _definitions_in(lang, tree, data, enclosing, enclosing + 1, at=enclosing)
        out.update((node_text(data, n), first) for n, first, _start in mine)
    return frozenset(out)


def _definitions_in(
    lang: Language, tree: ts.Tree, data: bytes, lo: int, hi: int, at: int | None = None
) -> list[tuple[ts.Node, str, int]]:
    """The name node, the text's first line and the definition node's start of each
    definition whose name starts in ``[lo, hi)``, or, with ``at``, of the definition whose
    node starts there."""
    query = lang.query("definitions")
    if query is None:
        return []
    cursor = ts.QueryCursor(query)
    cursor.set_byte_range(lo, hi)
    out = []
    for _, match in cursor.matches(tree.root_node):
        found = _one(match, "definition")
        if found is None or (at is not None and found[1].start_byte != at):
            continue
        for name in match.get("name", ()):
            if at is not None or lo <= name.start_byte < hi:
                start = _decorated_start(found[1], lang, data)
                end = data.find(b"\n", start, found[1].end_byte)
                out.append((name, data[start : found[1].end_byte if end < 0 else end].decode("utf-8", "replace"), found[1].start_byte))
    return out
