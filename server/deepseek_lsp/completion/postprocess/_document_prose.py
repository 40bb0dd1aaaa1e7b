"""Whether the cursor is in the document's own prose where the bracket scanner reads code: JSX's
text, a PHP template's HTML, Ruby's ``=begin`` comment and its data after ``__END__``. A
grammar tells, for the few answers that ask (sentences alone, see fences.says_only_prose)."""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

from ...languages import Language, LanguageError, LanguageRegistry
from ._syntax import syntax_name

if TYPE_CHECKING:
    import tree_sitter as ts

    from .context import PostContext

#: The nodes whose text is the document's prose that the scanner reads as code: JSX's text,
#: PHP's HTML, Ruby's data after __END__ (and its =begin comment, see _prose_at). Comments and
#: strings are the scanner's to tell: it reads them from a point the whole file's tree knows,
#: where a window's parse took a docstring's end above it for a string's start.
_PROSE = frozenset({"jsx_text", "jsx_element", "jsx_fragment", "text", "uninterpreted"})
#: Code inside those: a JSX tag and its attributes, a ``{…}`` in JSX.
_CODE = frozenset(
    {"jsx_opening_element", "jsx_closing_element", "jsx_self_closing_element", "jsx_expression"}
)
#: PHP's opening tags (not an XML declaration's ``<?xml``, a string's in PHP code) and its
#: closing one.
_PHP_TAGS = (re.compile(rb"<\?(?:php\b|=|\s)", re.IGNORECASE), re.compile(rb"\?>"))
#: Ruby's block comment, the one comment the scanner does not know.
_RUBY_BLOCK_COMMENT = b"=begin"


@functools.cache
def _registry() -> LanguageRegistry:
    return LanguageRegistry.load()


def _language(language_id: str | None) -> Language | None:
    registry = _registry()
    # By the editor's id ("javascript", "typescriptreact"), else by a grammar's name ("tsx").
    lang = registry.for_document(language_id, "") or registry.get(syntax_name(language_id))
    try:
        return lang if lang is not None and lang.ts_language is not None else None
    except LanguageError:
        return None


def prose_in_tree(lang: Language, tree: ts.Tree, offset: int) -> bool:
    """Whether the document's ``tree`` (of ``lang``) reads the cursor at byte ``offset`` in the
    document's prose: a walk up from the cursor, where :func:`in_document_prose` parses its
    window (1-2.5 ms for 10 KB on the event loop, more for a larger maxPromptTokens' window),
    and right where the window starts inside a JSX element or a template's HTML, which its
    window alone reads as code. No walk in a grammar without prose nodes (Python, Go, C)."""
    return _holds_prose(lang) and _prose_at(tree, offset)


#: By grammar's name: whether it has a node of the document's prose (see _holds_prose).
_HOLDS_PROSE: dict[str, bool] = {}


def _holds_prose(lang: Language) -> bool:
    """Whether ``lang``'s grammar has a node :func:`_prose_at` reads as prose: JSX's text,
    PHP's HTML, Ruby's data and its =begin comment."""
    known = _HOLDS_PROSE.get(lang.name)
    if known is None:
        grammar = lang.ts_language
        kinds = {grammar.node_kind_for_id(i) for i in range(grammar.node_kind_count)}
        known = _HOLDS_PROSE[lang.name] = bool(kinds & _PROSE) or lang.name == "ruby"
    return known


def in_document_prose(ctx: PostContext) -> bool:
    """Whether the grammar of ``ctx.language`` reads the cursor (between ``ctx.prefix`` and
    ``ctx.suffix``, a window of the document maybe) in the document's prose: as the
    document's tree read it (``ctx.prose_by_tree``), else by a parse of the window. False
    without a grammar: the scanner's reading stands."""
    told = ctx.prose_by_tree
    if told is not None and told[:2] == (len(ctx.prefix), len(ctx.suffix)):
        return told[2]
    lang = _language(ctx.language)
    if lang is None:
        return False
    before = ctx.prefix.encode("utf-8", "replace")
    after = ctx.suffix.encode("utf-8", "replace")
    if lang.name == "php" and _starts_in_php(before, after):
        # A window of a longer file, its <?php above it: parsed as it stands, all HTML.
        before = b"<?php " + before
    return _prose_at(lang.shared_parser.parse(before + after), len(before))


def _starts_in_php(before: bytes, after: bytes) -> bool:
    """Whether a PHP file's window starts in PHP: its first tag closes PHP, or it has none
    before the cursor and the first after it is no opening one (above a template's first
    ``<?php``, the window is its HTML)."""
    window = before if any(tag.search(before) for tag in _PHP_TAGS) else after
    opens, closes = (m.start() if (m := tag.search(window)) else -1 for tag in _PHP_TAGS)
    return opens < 0 or 0 <= closes < opens


def _prose_at(tree: ts.Tree, offset: int) -> bool:
    # The character before the cursor too: at the file's end no node holds the cursor alone.
    node: ts.Node | None = tree.root_node.named_descendant_for_byte_range(max(0, offset - 1), offset)
    while node is not None:
        kind = node.type
        # A node that ends at the cursor holds it only as a text's last character does: a
        # tag's or a bracket's end there is the code before the cursor, not around it.
        inside = node.start_byte < offset < node.end_byte
        ends_here = node.start_byte < offset == node.end_byte
        if inside and kind in _CODE:
            return False
        prose = kind in _PROSE or (kind == "comment" and node.text.startswith(_RUBY_BLOCK_COMMENT))
        if prose and (inside or (ends_here and node.child_count == 0)):
            return True
        node = node.parent
    return False
