"""The prompt for a completion request, and what post-processing reads of the text around it.

The prompt is the cursor's window with the definitions of the names near it from other files
(snippets), the imports and the enclosing scopes, within the token budget (``build_fim_prompt``).
The snippets are kept while the cursor stays in the window they were chosen for, so the
provider's prefix cache keeps matching.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field, replace
from functools import cache, cached_property, partial
from typing import Any

from cachetools import LRUCache

from ..config import Settings
from ..context import (
    ContextRequest,
    Indexer,
    Snippet,
    bracket_scan_start,
    display_path,
    enclosing_scopes,
    env_workspace_roots,
    gather_snippets,
    names_near,
    past_string_or_comment,
    scopes_kept_through_errors,
    unchanged_on_disk,
)
from ..context.index import FileIndex
from ..context.lookup import names_bases, prefix_looked_up, sorted_definitions, workspace_member
from ..context.module_outline import module_files, module_written
from ..context.prefix import MAX_PREFIX_NAMES, Prefix, prefix_at, prefix_candidates, with_prefix
from ..context.receivers import MemberAt, class_around, member_at, receiver_key
from ..context.scopes import defined_here
from ..documents import Document
from ..features import Services
from ..line_tokens import LineTokens
from ..model.tokens import LOADING_ESTIMATE, Counter
from ..privacy import file_path
from ..prompts import FimPrompt, LineTokenCount, build_fim_prompt
from ..workspace_symbols import WorkspaceSymbols, family
from .docstring_opener import autopair_quotes
from .history import EditHistory
from .idle_indexing import IdleWork
from .indentation import DEFAULT_INDENT, EditorIndent, detect_indentation
from .postprocess import PostContext
from .postprocess._document_prose import prose_in_tree
from .postprocess._scanner import _BracketScanner
from .postprocess._syntax import path_label, syntax_name
from .request import Request
from .scan_states import LineStates, ScanStates

#: Other open documents searched for context, most recently used first. Indexing a document
#: costs 25-90 ms per 5,000 lines; with 100 files open, searching them all every keystroke stalled
#: requests (tests/bench/bench_memory.py). Copilot similarly looks at the ~20 most recent tabs.
MAX_CONTEXT_DOCS = 16
#: How long the extra context (snippets) chosen for a cursor window is reused, see ``PromptBuilder.prompt``.
CONTEXT_REUSE_S = 30.0
#: The names of the function the cursor is in count from its start when it begins at most this
#: many bytes before the cursor (past names_near's span; as far back as the window may reach).
NAMES_REACH = 6000
#: Bytes around the cursor read for the brackets of a suggestion served from a cache.
_LINE_CONTEXT_BYTES = 8192


def _inner_scope(doc: Document, offset: int, scopes: list[Any]) -> Any | None:
    """The function (or class) the cursor is in. At its very end (the last line being typed)
    the tree puts the cursor outside it: the character before tells."""
    inner = next((s for s in reversed(scopes) if s.kind in ("function", "class")), None)
    if inner is None and offset > 0 and doc.language is not None and doc.tree is not None:
        before = enclosing_scopes(doc.language, doc.tree, doc.data, offset - 1)
        inner = next((s for s in reversed(before) if s.kind in ("function", "class")), None)
    return inner


def _function_start(doc: Document, offset: int, scopes: list[Any]) -> int | None:
    """Where the function (or class) the cursor is in begins, if at most NAMES_REACH bytes back."""
    return _reach(_inner_scope(doc, offset, scopes), offset)


def _reach(inner: Any | None, offset: int) -> int | None:
    """``inner``'s start (``_inner_scope``), if at most NAMES_REACH bytes before ``offset``."""
    return inner.start if inner is not None and offset - inner.start <= NAMES_REACH else None


def cursor_names(doc: Document, offset: int, scopes: list[Any]) -> list[str]:
    """The names near the cursor the snippets are chosen for (``names_near``, from the start of
    the function the cursor is in); ``scopes`` are those enclosing it (``enclosing_scopes``)."""
    assert doc.language is not None and doc.tree is not None
    reach = _function_start(doc, offset, scopes)
    return names_near(doc.language, doc.tree, doc.data, offset, reach=reach)


def cursor_snippets(
    indexer: Indexer, req: ContextRequest, names: list[str], seen: tuple[int, int], scopes: list[Any]
) -> list[Snippet]:
    """The snippets chosen for the cursor at ``req.offset`` when they are chosen anew: what a
    prompt's extra context is made of, and what the recall benchmarks replay offline (they
    replayed ``gather_snippets`` with a request of their own, without the workspace's symbol
    table, and disagreed with the prompts served: tests/bench/bench_names_order.py). ``seen``:
    the bytes the prompt's window holds at its narrowest (``build_fim_prompt``'s
    ``narrowest``); ``scopes``: those enclosing the cursor (``enclosing_scopes``).

    Taken for seen, a guess of 6 kB before the cursor and 2 kB after held more than the
    window (the suffix's ~0.8 kB and the prefix's ~4.5 kB at the default budget): 69 of the
    129 definitions bench_definitions_reach.py missed in real code went neither way."""
    doc = req.doc
    if doc.language is not None and doc.tree is not None:
        # The names near the cursor as ``cursor_names`` reads them; the function it is in however far up.
        inner = _inner_scope(doc, req.offset, scopes)
        enclosing = inner.start if inner is not None else None
        reach = _reach(inner, req.offset)
        req.defined_here = defined_here(doc.language, doc.tree, doc.data, req.offset, reach=reach, enclosing=enclosing)
    return gather_snippets(indexer, req, seen, names)


#: A word of a snippet's text (``_Context.names``).
_WORD = re.compile(r"[^\W\d]\w*")


@dataclass
class _Context:
    """The snippets last put in a document's prompt, and the window they went with."""

    window_start: int
    window_end: int
    doc_len: int
    snippets: list[Any]
    at: float
    #: What decided which files the snippets could come from (workspace folders, exclusion
    #: globs, the documents opened so far): once any changes they are chosen anew (a file just
    #: excluded was still sent; a definition read from disk, which no open document vouches
    #: for, was still sent after its file was opened and edited).
    sources_key: tuple[Any, ...] = ()
    #: Whether the time box let every file be read: the snippets of a request that left files
    #: to be indexed while the user pauses lacked their definitions, and are chosen anew once
    #: that is done (kept, they hid them for CONTEXT_REUSE_S).
    complete: bool = True
    #: The edits made anywhere so far (``EditHistory.serial``) when they were
    #: chosen: an edit since in another file is a recent edit they lack.
    edit_serial: int = 0
    #: The dot of the member typed at the cursor when they were chosen (``c.|``, ``c.In|``,
    #: context.receivers.MemberAt.written) and its receiver, or last kept.
    member_dot: tuple[int, str] | None = None
    #: The class of that member's receiver (context.receivers.receiver_key), which they hold.
    receiver: str | None = None
    #: Where the half-typed word they were chosen at starts, and the word (``ret|``,
    #: context.prefix), whose candidates they hold: kept while it is typed on (``retr``,
    #: ``retry``), which mostly keeps them; not a new word starting alike elsewhere (``get_u``
    #: a line below ``get``: kept, they lacked ``get_user_profile``).
    prefix: tuple[int, str] | None = None
    #: The names the other files read for them define, sorted (ContextRequest.known_names).
    known: list[str] = field(default_factory=list)
    #: Those of them a class's body defines (ContextRequest.known_members).
    known_members: list[str] = field(default_factory=list)
    #: The dot they were chosen at where they hold its members (ContextRequest.members_sent):
    #: no word typed after it brings more.
    members_at: tuple[int, str] | None = None
    #: The scopes around the cursor whose headers the prompt's head sent with them (see
    #: context.scopes.scopes_kept_through_errors).
    scopes: list[Any] = field(default_factory=list)
    #: The names near the cursor alone: one the user deleted since, the snippets are chosen
    #: anew (``_nothing_new_named``).
    near: frozenset[str] = frozenset()
    #: The class at whose bare ``self.|`` they were chosen (``_inheriting_self``), its bases
    #: ranked first: kept at its next ``self.``.
    self_class: str | None = None

    @cached_property
    def names(self) -> frozenset[str]:
        """The names near the cursor they were chosen for, and the words of their text: past
        CONTEXT_REUSE_S they are kept while no other name is near (``_nothing_new_named``).
        Read then, not at each request choosing them (~0.1 ms of words a new position)."""
        return self.near.union(*(_WORD.findall(s.text) for s in self.snippets))


#: A bare ``self.`` or ``this.`` at the cursor, its member half typed or not (``_inheriting_self``).
_SELF_DOT = re.compile(rb"(?<![\w$.])(?:self|this)\.[\w$]*\Z")


#: The word the cursor ends, being typed (``_nothing_new_named``).
_WORD_BEFORE = re.compile(rb"(?:[\w\x80-\xff])+\Z")


def _nothing_new_named(prev: _Context, names: list[str], data: bytes, offset: int) -> bool:
    """Whether every name near the cursor was near when ``prev``'s snippets were chosen or is
    in them, but the word being typed at the cursor (``_prefix_unsent`` reads what it may
    become; ``d`` of ``f(d|`` is no name yet), and no name they were chosen for (near then,
    or the word half typed) was deleted since: a definition it brought stayed in the head
    for as long as the user wrote there."""
    m = _WORD_BEFORE.search(data, max(0, offset - 256), offset)
    word = m.group().decode("utf-8", "replace") if m else None
    if not all(n in prev.names or n == word for n in names):
        return False
    gone = set(prev.near.difference(names))
    if prev.prefix is not None:
        gone.add(prev.prefix[1])
    return all(_starts_a_word(data, n.encode()) for n in gone)


#: A byte a name goes on with (a UTF-8 character's included).
_NAME_BYTE = re.compile(rb"[\w$\x80-\xff]")


def _starts_a_word(data: bytes, name: bytes) -> bool:
    """Whether ``name`` starts a word in ``data`` (the half-typed ``far`` of ``far_helper`` is
    there once it is whole). Found as a literal first: a pattern looking back before it, tried
    at each byte, took 100 ms a name in a 1.2 MB file."""
    at = data.find(name)
    while at > 0 and _NAME_BYTE.match(data, at - 1):
        at = data.find(name, at + 1)
    return at >= 0


def _placed(typed: Prefix | None, offset: int) -> tuple[int, str] | None:
    """Where the word ``typed`` at ``offset`` starts, and the word (``_Context.prefix``)."""
    return None if typed is None else (offset - len(typed.word.encode()), typed.word)


def _syntax_language(language_id: str | None) -> str | None:
    """The name post-processing knows a language without a grammar by: its syntax's, not the
    client's (Neovim's `text`, `markdown.pandoc`, `sql.dbt`; VS Code's `dockercompose`). The
    scanner read those by it, while the checks keyed on the name (prose, SQL's lines going on
    unsigned) missed them: a chat answer's second paragraph in a note was cut as chatter."""
    return syntax_name(language_id) if language_id else language_id


def _scan_start(data: bytes, at: int) -> int:
    """Where post-processing reads the text before the cursor from, to know the brackets open
    at ``at``: the start of its line (code, not the inside of a string) when that is at most
    ``_LINE_CONTEXT_BYTES`` before it, else ``at`` itself, at a character's start (the tree
    tells whether that is in a string). Read from the line's start however long the line,
    typing through a suggestion at the end of a minified bundle's line took seconds a key."""
    line_start = data.rfind(b"\n", 0, at) + 1
    if at - line_start <= _LINE_CONTEXT_BYTES:
        return line_start
    while at < len(data) and data[at] & 0xC0 == 0x80:
        at += 1
    return at


#: Before the tokenizer has loaded, the prompt is fitted to the budget less this margin
#: (``tokens.DeepSeekEstimate`` counts a window 0.94-1.12 times as the tokenizer does, p5-p95).
#: At 1.2, by characters, the prompts were 0.67 of their size after the load (median of 27 that
#: fill it); now 0.83, and 2 of 231 real files' prompts go over the budget, by 98 tokens at most
#: (tests/bench/bench_loading_estimate.py; at 1.05, 4).
LOADING_MARGIN = 1.1


class PromptBuilder:
    """Builds the prompts of a completion feature's requests and their post-processing context,
    keeping per document the snippets chosen last and the indentation looked up."""

    def __init__(
        self,
        services: Services,
        indexer: Indexer,
        symbols: WorkspaceSymbols,
        line_tokens: LineTokens,
        history: EditHistory,
        idle: IdleWork,
    ) -> None:
        self.services = services
        self.indexer = indexer
        self.symbols = symbols
        self.line_tokens = line_tokens
        self.history = history
        self.idle = idle
        self.contexts: dict[str, _Context] = {}
        self._indent_units: LRUCache[tuple[str, int], tuple[Document, tuple[str, int]]] = LRUCache(maxsize=256)
        #: What each document's editor inserts for a level (EDITOR_INDENTATION_NOTIFICATION).
        self.editor_indents: dict[str, EditorIndent] = {}
        self.scan_states = ScanStates()
        self.line_states = LineStates()
        #: Each document's window start line in its prompts fitted by the estimate, while the
        #: tokenizer loaded, kept by its prompts after (see ``_build``).
        self.estimated_starts: dict[str, int] = {}

    @property
    def settings(self) -> Settings:
        return self.services.settings

    def document_closed(self, uri: str) -> None:
        self.contexts.pop(uri, None)
        self.estimated_starts.pop(uri, None)
        # And the contexts that quote it: opened again (a reload), it has the same edit count.
        for other in [u for u, ctx in self.contexts.items() if any(s.source and s.source[0] == uri for s in ctx.snippets)]:
            del self.contexts[other]
        # The indentation looks hold the document (and its tree): 186 MB after 60 files of
        # 3,000 lines had been closed.
        self.forget_indentation(uri)
        self.editor_indents.pop(uri, None)

    def post_context(self, req: Request, fim: FimPrompt) -> PostContext:
        # A line longer than the prompt's window (a long list or call on one line) is cut
        # there: read from its start, the brackets it opened before the cut are known, and
        # the model's closers of them are not taken for stray ones (`"zebra"]` lost its `]`).
        # The prompt stays as sent; only what post-processing reads goes back.
        return self.context_between(req, _scan_start(req.data, fim.window_start), fim.window_end)

    def line_context(self, req: Request) -> PostContext:
        """The brackets around the cursor, for a suggestion served without its request's
        context (from a cache, typing through): what of the line's closers it typed over."""
        data, offset = req.data, req.offset
        start = _scan_start(data, max(0, offset - _LINE_CONTEXT_BYTES))
        return self.context_between(req, start, min(len(data), offset + _LINE_CONTEXT_BYTES))

    def context_between(self, req: Request, window_start: int, window_end: int) -> PostContext:
        # Built once the request is out, and the document may have changed by then: what the
        # model was asked about is the request's own text (the tree only while it matches).
        doc, data = req.doc, req.data
        tree = doc.tree if not req.stale else None
        scan = bracket_scan_start(tree, data, req.offset, window_start) if tree else None
        post_language = doc.language.name if doc.language else _syntax_language(doc.language_id)
        # No grammar: the window may start inside a string or a comment, which a read from the
        # file's start knows (a stale request's text is no longer the document's: read as code).
        no_grammar = doc.language is None and not req.stale
        scan_state = self.scan_states.at(doc, doc.language_id, window_start) if no_grammar else None
        line = self._line_brackets(req, tree, window_start, post_language) if scan is None and scan_state is None else None
        if line is not None:
            scan_state, opened = line
            scan = window_start, list(opened)
        if scan is None and tree is not None:
            # The window may start inside a docstring: the scan starts after it.
            scan = past_string_or_comment(tree, window_start, req.offset), []
        scan_from, open_before = scan if scan else (window_start, [])
        self.idle.read_scan_states(self.scan_states)
        unit, tab_width = self.indentation(doc, req.offset)
        language = doc.language.name if doc.language else doc.language_id or ""
        conventional = DEFAULT_INDENT.get(language)
        told = self.editor_indents.get(doc.uri)
        if not unit and conventional != "\t" and told is not None:
            # No non-blank line tells the unit (a file whose only tab-led line is the blank one
            # being typed on): what the editor inserts, not the language's habit. Four spaces
            # below a tab typed in Vim with noexpandtab: a Python TabError. Make's recipes and
            # gofmt's levels are tabs whatever the editor says, and YAML's never are.
            unit, tab_width = told.for_language(language)
        editor_levels = None
        if unit == "\t" and not tab_width and told is not None and told.tab_width and conventional != "\t":
            # Only tab-led lines, in an editor whose levels are narrower than its tab (Vim's
            # noexpandtab, 'shiftwidth' 4, 'tabstop' 8): whether a tab is a level or two of the
            # editor's (bzdiff's `\t    OPTIONS=`) is the answer's to tell (postprocess).
            editor_levels = told.for_language(language)
        prefix = data[window_start : req.offset].decode("utf-8", "replace") + req.inserted
        suffix = data[req.offset : window_end].decode("utf-8", "replace")
        if req.docstring is not None:
            # A docstring opened: the autopair's quotes after the cursor are replaced by the
            # insert (line_tail.py), so they are no code to follow. Read as the suffix, the
            # model's own closer at its text's end was cut as their copy and came back on a
            # line of its own (`None"""` became `None` and `"""` below).
            suffix = suffix[len(autopair_quotes(suffix, req.docstring)) :]
        prose = None
        if tree is not None and doc.language is not None and not req.inserted:
            # Read now, while the tree is the request's text: a parse of the window later
            # (a chat turn's sentences alone) took 1-18 ms of the event loop per choice.
            prose = (len(prefix), len(suffix), prose_in_tree(doc.language, tree, req.offset))
        return PostContext(
            prefix=prefix,
            suffix=suffix,
            indent_unit=unit or conventional or "    ",
            indent_known=bool(unit or conventional),
            tab_width=tab_width,
            editor_levels=editor_levels,
            single_line=not req.multiline,
            comment_only=bool(req.comment_marker),
            from_chat=self.settings.backend == "chat",
            language=post_language,
            bracket_scan_from=len(data[window_start:scan_from].decode("utf-8", "replace")),
            open_before_scan=tuple(open_before),
            scan_state=scan_state,
            cell_marker=self.cell_marker(doc),
            block_opener=doc.language.spec.block_opener if doc.language else None,
            prose_by_tree=prose,
        )

    def _line_brackets(
        self, req: Request, tree: Any, window_start: int, language: str | None
    ) -> tuple[_BracketScanner, tuple[str, ...]] | None:
        """The scanner's state and the brackets open at a window's start cut far into its line
        (a minified bundle's), read from the line's start where the tree (if any) reads both
        as code; None elsewhere. Read from the cut, the model's closers of what the line opened
        before it were cut as stray (`}(window);` of a 21 kB line's IIFE: `}` shown)."""
        data = req.data
        line_start = data.rfind(b"\n", 0, window_start) + 1
        if line_start == window_start:
            return None
        if tree is not None and (
            past_string_or_comment(tree, window_start, req.offset) != window_start
            or past_string_or_comment(tree, line_start, len(data)) != line_start
        ):
            return None  # the cut or the line's start in a docstring, a string over lines
        return self.line_states.at(req.doc, language, data, window_start)

    def prompt(self, req: Request, inserted: str = "") -> FimPrompt:
        doc = req.doc
        settings = self.settings
        c = settings.completion
        lang = doc.language
        scopes: list[Any] = []
        imports: list[Any] = []
        snippets: list[Any] = []
        if lang is not None and doc.tree is not None:
            deadline = time.monotonic() + c.context_timeout_ms / 1000
            scopes = enclosing_scopes(lang, doc.tree, doc.data, req.offset)
            # A stale index of a large file is reused rather than rebuilt inside the time box,
            # and a missing one is built while the user pauses: built here, it took 1.5 s of
            # the request on a 3.9 MB file. The prompt goes without imports meanwhile.
            index = self.indexer.for_document(doc, deadline=deadline)
            imports = index.imports if index else []
            unindexed = [] if index is not None else [doc]
            # The snippets come first in the prompt, so a change in them changes every token
            # after: DeepSeek's prefix cache misses the whole prompt. They were chosen anew on
            # every keystroke from the names near the cursor, which change as the user types
            # (tests/bench/bench_replay.py: requests at the same place with no cache hit at all).
            # While the cursor stays in the last prompt's window they are kept, for a while,
            # unless a document they were read from has changed or closed since (they showed
            # the signature the user had just edited away, for up to CONTEXT_REUSE_S), or a
            # file they were read from changed on disk.
            prev = self.contexts.get(doc.uri)
            complete = True
            known: list[str] = []
            known_members: list[str] = []
            members_at: tuple[int, str] | None = None
            now = time.monotonic()
            documents = self.services.documents
            # The crawls finished too: a request right after a file was opened goes before the
            # workspace is indexed, and its snippets (no receiver's class from another file of
            # a Go package: c.Send's Conn) were kept for CONTEXT_REUSE_S after it was.
            sources_key = (
                tuple(self.services.workspace_folders),
                settings.exclude,
                self.history.opens,
                self._switches(),
                self.symbols.crawled[family(lang.name)],
                # A file created or deleted: the snippets chosen while an imported file was
                # missing had none of it, kept while the cursor stayed (a branch switched back).
                self.symbols.files_came_or_went,
            )
            # At a member's dot (``c.|``) the snippets kept were chosen before the receiver was
            # there, and its class (context.receivers), what its member needs, was never sent:
            # chosen anew, once a dot, unless they hold that class already (``c.`` again). Not
            # where no class can be sent (``self.``, ``1.``, a comment's full stop, ``fmt.``):
            # chosen anew at each, the prefix cache missed on most lines. By the dot, not the
            # last key: at ``c.In`` the request at ``c.`` may have gone before its prompt
            # (typed on within the debounce), its class never sent.
            # Read once: the receiver's class and the context's class at the cursor read it too.
            member = member_at(lang.name, doc.tree, doc.data, req.offset)
            # Read once too, when first needed: whether the snippets kept hold its names, what
            # they are chosen anew for, what they are kept with.
            typed = cache(partial(prefix_at, doc, req.offset))
            dot = member.written if member is not None else None
            at_new_dot = dot is not None and (prev is None or dot != prev.member_dot)
            receiver = None
            if at_new_dot:
                receiver = self._known_receiver(doc, member, index)
            # A bare ``self.|`` (which member_at leaves out: the class is in view) where the
            # class inherits: the snippets kept were chosen with its bases ranked after the
            # names near the cursor, their headers alone fitting (``class Connection:``, none of
            # its members) until ``self.se`` chose them anew. Chosen anew for it, once a class.
            self_class = self._inheriting_self(doc, req.offset, index) if member is None else None
            in_window = prev is not None and (
                prev.window_start <= req.offset <= prev.window_end + max(0, len(doc.data) - prev.doc_len)
            )
            # The same site: the window starts where it did while it fits (prompts._kept_window).
            kept_start = prev.window_start if prev is not None and in_window else None
            if prev is not None and in_window:
                # The same site, chosen anew or not: the headers above its window stay while
                # the line typed breaks the tree.
                scopes = scopes_kept_through_errors(
                    doc.tree, doc.data, scopes, prev.scopes, prev.window_start, req.offset, len(doc.data) - prev.doc_len
                )
            # Read once too, when first needed: the names near the cursor (past the snippets'
            # while, or to choose them).
            near = cache(partial(cursor_names, doc, req.offset, scopes))
            renewed = False
            if (
                prev is not None
                and (receiver is None or receiver == prev.receiver)
                and (self_class is None or self_class == prev.self_class)
                and prev.sources_key == sources_key
                and in_window
                and (prev.complete or self.idle.indexing_now())
                and all(
                    (source := documents.get(s.source[0])) is not None and source.edit_count == s.source[1]
                    for s in prev.snippets
                    if s.source is not None
                )
                # Nor a file read from disk that changed there since (a branch switched, code
                # generated): the old signature was sent for up to CONTEXT_REUSE_S.
                and unchanged_on_disk(prev.snippets)
                # Nor once another file was edited: back from writing a helper there, the
                # prompt lacked it (the recent edit) for up to CONTEXT_REUSE_S.
                and not any(n > prev.edit_serial for u, n in self.history.last_edited.items() if u != doc.uri)
                # Nor at a new word half typed whose names they lack (``retry_|``).
                and not self._prefix_unsent(doc, req.offset, prev, index, member, typed(), deadline)
                # Past their while, chosen anew where a name came near since, pasted or
                # accepted (no word half typed brought it). Chosen anew for nothing, they were
                # the same (each file's in its order) or lacked what a word half typed had
                # brought (``far|``: another file's ``far_helper``, not looked up once whole,
                # not imported): the head changed, a miss of the whole prompt.
                and (
                    now - prev.at < CONTEXT_REUSE_S
                    or (renewed := _nothing_new_named(prev, near(), doc.data, req.offset))
                )
            ):
                snippets = prev.snippets
                complete = prev.complete
                receiver = prev.receiver
                self_class = prev.self_class
            elif lang.spec.line_comment:
                prev = None
                if member is not None and not at_new_dot:
                    # Chosen anew at the same dot (its while over, a file edited): for it.
                    receiver = self._known_receiver(doc, member, index)
                names = near()
                self.indexer.roots = env_workspace_roots(self.services.workspace_folders)
                ctx_req = self._context_request(doc, req.offset, deadline)
                ctx_req.member = member
                ctx_req.prefix = typed()
                seen = self._build(req, inserted, [], scopes, imports, kept_start, narrowest=True)
                snippets = cursor_snippets(self.indexer, ctx_req, names, (seen.window_start, seen.window_end), scopes)
                known, known_members = ctx_req.known_names, ctx_req.known_members
                members_at = dot if ctx_req.members_sent else None
                unindexed += [d for d in ctx_req.other_docs if not self.indexer.has_index(d)]
                complete = not (unindexed or self.indexer.deferred or self.indexer.deferred_docs or ctx_req.cut_short)
            if unindexed or self.indexer.deferred or self.indexer.deferred_docs:
                self.idle.index(unindexed)
            fim = self._build(req, inserted, snippets, scopes, imports, kept_start)
            if not inserted and not req.inserted:
                self.contexts[doc.uri] = _Context(
                    fim.window_start,
                    fim.window_end,
                    len(doc.data),
                    snippets,
                    prev.at if prev and not renewed else now,
                    sources_key,
                    complete,
                    prev.edit_serial if prev else self.history.serial,
                    dot if dot is not None or prev is None else prev.member_dot,
                    receiver,
                    prev.prefix if prev is not None else _placed(typed(), req.offset),
                    prev.known if prev is not None else known,
                    prev.known_members if prev is not None else known_members,
                    prev.members_at if prev is not None else members_at,
                    scopes,
                    prev.near if prev is not None else frozenset(near() if lang.spec.line_comment else []),
                    self_class,
                )
            return fim
        return self._build(req, inserted, snippets, scopes, imports)

    def _context_request(self, doc: Document, offset: int, deadline: float) -> ContextRequest:
        """What gather_snippets is asked for the cursor at ``offset`` of ``doc``."""
        return ContextRequest(
            doc=doc,
            offset=offset,
            other_docs=self._context_docs(doc.uri),
            recent_edits=[e for e in self.history.edits if e[0] != doc.uri],
            # Without a workspace, the document's own folder (display_path's was ".",
            # the server's working directory: another project's files were read).
            # A buffer with no file (``file://``, ``untitled:``) has no folder: none.
            workspace_roots=env_workspace_roots(self.services.workspace_folders)
            or ([path.parent] if (path := file_path(doc.uri)) is not None else []),
            exclude=self.settings.exclude,
            deadline=deadline,
            open_uris=self.services.documents,
            symbols=self.symbols,
            switched_off=self.services.completions_off,
        )

    def _prefix_unsent(
        self,
        doc: Document,
        offset: int,
        prev: _Context,
        index: FileIndex | None,
        member: MemberAt | None,
        typed: Prefix | None,
        deadline: float,
    ) -> bool:
        """Whether the word half typed at the cursor, a new one (not ``prev.prefix`` typed on),
        may become a name this document, another open one or the workspace defines that neither
        the window nor ``prev``'s snippets show: the snippets are then chosen anew, its
        candidates among them (none at a module's dot: gather_snippets looks none up there).
        A few bisections (~10 µs); after a dot, the index of a file the symbol table alone names
        a candidate in (kept by the indexer: read once)."""
        # None where gather_snippets looks up no word's names: at the dot they were chosen at
        # with its members (a CommonJS module's outline at m.|), at a module's dot.
        members_sent = member is not None and member.written == prev.members_at
        written = None if typed is None or members_sent else module_written(index, member, doc)
        typed = prefix_looked_up(doc, typed, index, written, members_sent=members_sent)
        if typed is None or doc.language is None:
            return False
        word, members = typed
        built = [idx for d in self._context_docs(doc.uri) if (idx := self.indexer.built(d)) is not None]
        # As gather_snippets looks them up (context.lookup.prefixed_names).
        lists = [sorted_definitions([index], members=members)] if index is not None else []
        known = prev.known_members if members else prev.known
        lists += [known, sorted_definitions(built, members=members)]
        shown = doc.data[prev.window_start : offset]
        # Typed on (``retr`` after ``ret``), its names are among those the snippets were chosen
        # for, unless those were cut to the few likeliest: ``get`` brought get_a, get_b, get_c,
        # and ``get_u`` typed on, which can only become get_user_profile, went without it. Those
        # looked up then are not again (one gather_snippets dropped chose them anew at each key).
        looked: set[str] = set()
        if prev.prefix is not None and prev.prefix[0] == offset - len(word.encode()) and word.startswith(prev.prefix[1]):
            looked.update(prefix_candidates(prev.prefix[1], lists, self.symbols, doc.language.name))
            if len(looked) < MAX_PREFIX_NAMES:
                return False
        # After a dot, a name the symbol table alone gives (of any kind) is sent where a
        # class's body defines it; gather_snippets drops the rest (``self.se|``'s top-level
        # send_mail chose the snippets anew, and the same came back).
        listed = {n for names in lists for n in with_prefix(names, word)} if members else set()
        request = cache(partial(self._context_request, doc, offset, deadline))
        for name in prefix_candidates(word, lists, self.symbols, doc.language.name):
            if name in looked or name.encode() in shown or any(name in s.text for s in prev.snippets):
                continue
            if not members or name in listed or workspace_member(self.indexer, request(), name):
                return True
        return False

    def _inheriting_self(self, doc: Document, offset: int, index: FileIndex | None) -> str | None:
        """The class at whose bare ``self.|`` or ``this.|`` (its member half typed or not) the
        cursor is, where the document's index says its header names a base: what it inherits
        is sent at such a dot (gather_snippets)."""
        lang = doc.language
        line_start = max(doc.data.rfind(b"\n", 0, offset) + 1, offset - 200)
        # (Read first: class_around walks the tree, at every line with a dot in a class.)
        if lang is None or doc.tree is None or index is None or not _SELF_DOT.search(doc.data, line_start, offset):
            return None
        around = class_around(lang.name, doc.tree, doc.data, offset)
        return around[0] if around is not None and around[1] and names_bases(index, around[0]) else None

    def _known_receiver(self, doc: Document, member: MemberAt | None, index: FileIndex | None) -> str | None:
        """The class of ``member``'s receiver (context.receivers.receiver_key) where it
        may be found: a name no file defines (on disk or in an open buffer), the document imports
        or defines (JavaScript's ``JSON.``, ``Math.``, ``Object.``: a capital is taken for a
        class) sends nothing, and
        chosen anew at each, the snippets changed the prompt's first lines (a name typed since
        came in): a miss of DeepSeek's prefix cache."""
        lang = doc.language
        if lang is None or doc.tree is None or member is None:
            return None
        key = receiver_key(lang.name, doc.tree, doc.data, member)
        module = module_written(index, member, doc) if key is None else None
        path = file_path(doc.uri)
        if module is not None and index is not None and path is not None:
            # A module of the workspace's imported whole (``store.|``): its outline is sent at
            # the dot (context.module_outline); a library's (``json.``, ``fmt.``) sends nothing.
            roots = env_workspace_roots(self.services.workspace_folders) or [path.parent]
            return module if module_files(index, module, path, roots, lang.name, lang.spec.imports) else None
        if key is None or "." in key or self.symbols.files_defining(key, lang.name):
            return key
        if index is not None and (key in index.definitions or key in index.import_words):
            return key
        # Another open file's buffer, unsaved (the table is read from disk): Go, Java or C#
        # use their package's types with no import, and its class was never sent at the dot.
        for other in self._context_docs(doc.uri):
            built = self.indexer.built(other)
            if built is not None and key in built.definitions:
                return key
        return None

    def _build(
        self,
        req: Request,
        inserted: str,
        snippets: list[Any],
        scopes: list[Any],
        imports: list[Any],
        kept_start: int | None = None,
        *,
        narrowest: bool = False,
    ) -> FimPrompt:
        """The prompt for ``req``; ``narrowest``: its window at its narrowest, the snippets'
        share of the budget all taken (``build_fim_prompt``), what they are chosen against."""
        doc = req.doc
        settings = self.settings
        c = settings.completion
        lang = doc.language
        counter = self.services.models.counter
        budget = self.services.models.prompt_budget(c)
        shown = display_path(doc.uri, self.indexer.roots)
        # A file without a grammar is labelled in its own comments (no line comment to reuse).
        label = "" if lang else path_label(doc.language_id, shown)

        def build(count: Counter, budget: int, line_tokens: LineTokenCount | None) -> FimPrompt:
            return build_fim_prompt(
                doc,
                req.offset,
                budget=budget,
                suffix_share=c.suffix_share,
                count=count.count,
                snippets=snippets,
                scopes=scopes,
                imports=imports,
                line_comment=lang.spec.line_comment if lang else None,
                path=shown,
                label=label,
                # The narrowest prompt is never sent, only its window's bounds read: its
                # redaction (~1 ms of a 1.1 ms build at a new place) went for nothing.
                redact_secrets=settings.redact_secrets and not narrowest,
                inserted=req.inserted + inserted,
                line_tokens=line_tokens,
                kept_start=kept_start,
                narrowest=narrowest,
            )

        if counter is LOADING_ESTIMATE:  # the tokenizer is loading
            fim = build(counter, int(budget / LOADING_MARGIN), self.line_tokens.counter(doc, counter.count))
            if not narrowest:
                self.estimated_starts[doc.uri] = fim.window_start
            return fim
        kept = self.estimated_starts.get(doc.uri)
        if kept is not None and counter.exact:
            # Once loaded, a document whose prompts were fitted by the estimate keeps them so
            # while their window starts where it did and they fit the budget as counted now:
            # counted anew, snippets, head and window all moved, and the provider's cache
            # missed the prompt just sent (222 of 264 real files' windows started elsewhere; 5 now).
            # (Its lines by the per-text cache: the document's own are being counted anew.)
            fim = build(LOADING_ESTIMATE, int(budget / LOADING_MARGIN), None)
            if narrowest:
                # The prompt is fitted by the estimate or by the tokenizer: the estimate's
                # window, within a budget cut by the margin, is the narrower.
                return fim
            if fim.window_start == kept:
                # Its counts as the tokenizer counts them: the prefetch appends the suggestion
                # where the sum fits the budget, and a cancelled request is billed by them (by
                # the estimate's, a prefetch of 9 lines of digests went out 1,051 of 1,024).
                exact = replace(fim, prompt_tokens=counter.count(fim.prompt), suffix_tokens=counter.count(fim.suffix))
                if exact.prompt_tokens + exact.suffix_tokens <= budget:
                    return exact
            del self.estimated_starts[doc.uri]
        fim = build(counter, budget, self.line_tokens.counter(doc, counter.count))
        return fim

    def indentation(self, doc: Document, offset: int) -> tuple[str, int]:
        """The document's indentation unit around ``offset`` and its tab width where it mixes
        tabs and spaces (:func:`detect_indentation`); a file's style does not change as it is
        typed in, so it is looked at once per region (~0.5 ms a look) until a change that is
        not a key press (document_changed)."""
        line = doc.line_at(offset)
        key = (doc.uri, line // 256)
        hit = self._indent_units.get(key)
        if hit is None or hit[0] is not doc:
            hit = (doc, detect_indentation(doc, line))
            if hit[1][0]:
                # Not "unknown": the new file's first indented lines are written meanwhile.
                self._indent_units[key] = hit
        return hit[1]

    def _switches(self) -> tuple[Any, ...]:
        """What decides which files are switched off (``Services.completions_off``): a file
        turned off since the snippets were chosen is not sent again with them."""
        folders = self.services.folder_settings
        return tuple(
            (uri, s.completion.enable, sorted(s.completion.languages.items()))
            for uri, s in [("", self.settings), *sorted(folders.items())]
        )

    def _context_docs(self, uri: str) -> list[Document]:
        out: list[Document] = []
        for other in reversed(self.history.recent_docs):
            if other == uri or self.services.completions_off(other):
                continue  # (not sent: not to take one of the places either)
            if (d := self.services.documents.get(other)) is not None:
                out.append(d)
                if len(out) >= MAX_CONTEXT_DOCS:
                    break
        return out

    def cell_marker(self, doc: Document) -> str | None:
        """The line that starts a cell, for a notebook's combined document (notebooks.py)."""
        notebooks = self.services.notebooks
        return notebooks.marker(doc.uri) if notebooks is not None else None

    def forget_indentation(self, uri: str) -> None:
        for key in [k for k in self._indent_units if k[0] == uri]:
            del self._indent_units[key]
