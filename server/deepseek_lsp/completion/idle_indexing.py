"""Work done out of a request's way: counting the tokens of the document worked in, and
indexing the documents and files a request's time box had no room for, while the user pauses
(each gives way to the keys pressed meanwhile, ``until_idle``); compiling the queries a
document's language needs as it is opened."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

from ..context import Indexer, read_languages
from ..context.paths import env_workspace_roots
from ..context.snippets import MAX_IMPORT_SOURCES
from ..documents import Document
from ..features import Services
from ..imports import resolve_local_imports_cached
from ..languages import INDEX_KINDS, QUERY_KINDS, Language
from ..line_tokens import LineTokens, until_idle
from ..privacy import file_path
from ..prompts import snippet_block
from .scan_states import ScanStates

#: Documents too large to index inside a request's time box are indexed once the user has not
#: typed for this long, one at a time.
IDLE_INDEX_S = 0.3
#: Idle work on the event loop gives way after this much time, so a key pressed meanwhile waits
#: at most about this long (one item of work can take longer).
IDLE_SLICE_S = 0.002


class IdleWork:
    """What the completion feature does between keys (one task of each kind at a time)."""

    def __init__(
        self,
        services: Services,
        indexer: Indexer,
        line_tokens: LineTokens,
        spawn: Callable[[Coroutine[Any, Any, None]], asyncio.Task[None]],
    ) -> None:
        self.services = services
        self.indexer = indexer
        self.line_tokens = line_tokens
        self._spawn = spawn
        #: When the user last typed (or opened a file): idle work waits IDLE_INDEX_S past it.
        self.last_change = 0.0
        self.counting: asyncio.Task[None] | None = None
        # The document counted (or being counted) last, and with which counter: the estimate
        # stands in until the tokenizer has loaded, and counts by the estimate are then useless.
        self.counted: tuple[Document, Any] | None = None
        self.indexing: asyncio.Task[None] | None = None
        self.scanning: asyncio.Task[None] | None = None
        #: Completion requests being answered, and set when there are none: the queries of the
        #: languages a document's imported files are in are compiled between them.
        self._answering = 0
        self._none_answering = asyncio.Event()
        self._none_answering.set()

    @contextlib.contextmanager
    def answering(self) -> Iterator[None]:
        """Around the answering of a completion request."""
        self._answering += 1
        self._none_answering.clear()
        try:
            yield
        finally:
            self._answering -= 1
            if not self._answering:
                self._none_answering.set()

    async def _no_request_answered(self) -> None:
        await asyncio.sleep(0)
        await self._none_answering.wait()  # returns at once, with no turn of the loop, when set

    def _compiles(self, path: Path) -> bool:
        """Whether indexing the file compiles its language's queries (each holds the GIL:
        JavaScript's two, 60 ms of CPU, 0.3 s at load)."""
        lang = self.services.registry.for_filename(path.name)
        return lang is not None and not lang.queries_compiled(INDEX_KINDS)

    def busy_until(self) -> float:
        return self.last_change + IDLE_INDEX_S

    def lines_counted(self) -> int | None:
        """Lines of the document counted last that have their count by the current tokenizer."""
        if self.counted is not None and self.services.models is not None:
            return self.line_tokens.known(self.counted[0], self.services.models.counter.count)
        return None

    def tokenizer_loaded(self) -> None:
        # The document opened before the tokenizer was ready was counted with the estimate:
        # recount it now, while the user reads, not once the first request finds the counts
        # stale (a 10,000-line file is ~0.5 s of counting, sliced between the next requests).
        if self.counted is None:
            return
        doc, count = self.counted
        if self.services.documents.get(doc.uri) is doc and count != self.services.models.counter.count:
            self.count(doc)

    def count(self, doc: Document) -> None:
        """Count the lines of the document the user works in while the user pauses, so a
        request anywhere in it finds its window counted. One document at a time: the newest."""
        if self.counting is not None and not self.counting.done():
            self.counting.cancel()
        count = self.services.models.counter.count
        self.counted = (doc, count)
        self.line_tokens.counter(doc, count)  # the document becomes the most recent

        async def run() -> None:
            # Its index first, then its lines: a request finds no index of a document opened
            # moments ago (not within its time box), and went without its imports and other
            # files' definitions, which came at the next key once the index was built: the
            # prompt's head changed, a miss of DeepSeek's prefix cache for the whole prompt
            # (tests/bench/bench_prompt_heads.py). Built after all lines were counted, it was
            # seldom there by the first key; a request counts its own window's lines anyway.
            lang = doc.language
            if lang is None:
                await self.line_tokens.fill(doc, count, self.busy_until)
                return
            await until_idle(self.busy_until)
            if self.services.documents.get(doc.uri) is not doc:
                return
            index = self.indexer.for_document(doc)
            await self.line_tokens.fill(doc, count, self.busy_until)
            # The definitions a prompt may quote, counted by the prompt's own ``snippet_block``:
            # a request somewhere new would otherwise count them (~1 ms each).
            if not lang.spec.line_comment or self.services.documents.get(doc.uri) is not doc:
                return
            await until_idle(self.busy_until)
            index = self.indexer.for_document(doc)
            began = time.perf_counter()
            for definition in (d for ds in (index.definitions.values() if index else ()) for d in ds):
                snippet_block(lang.spec.line_comment, definition.path, definition.text, count)
                snippet_block(lang.spec.line_comment, definition.path, definition.signature, count)
                # Given way by the clock, not every so many definitions: sixteen long ones held
                # the event loop (and a key pressed) for 24 ms.
                if time.perf_counter() - began > IDLE_SLICE_S:
                    await asyncio.sleep(0)
                    await until_idle(self.busy_until)
                    began = time.perf_counter()

        self.counting = self._spawn(run())

    def indexing_now(self) -> bool:
        return self.indexing is not None and not self.indexing.done()

    def index(self, docs: list[Document]) -> None:
        """Index, in the background while the user pauses, the documents and imported files that
        the request's time box left out (each large file costs tens of milliseconds on the event
        loop)."""
        if self.indexing_now():
            return

        async def run() -> None:
            for doc in docs:
                if self.indexer.has_index(doc) or self.services.documents.get(doc.uri) is not doc:
                    continue
                await until_idle(self.busy_until)
                if self.services.documents.get(doc.uri) is doc:
                    self.indexer.for_document(doc)
                await asyncio.sleep(0)
            await drain(self.indexer.deferred_docs, self._index_if_open)
            await drain(self.indexer.deferred, lambda path, lang: self.indexer.for_file(path, language=lang), self._compiles)

        async def drain(
            left: dict[Any, Any], index: Callable[[Any, Any], object], compiles: Callable[[Any], bool] = lambda key: False
        ) -> None:
            """Index what ``left`` holds, one at a time while the user pauses (it may grow
            meanwhile: requests add what their time box had no room for)."""
            while left:
                await until_idle(self.busy_until)
                key = next(iter(left), None)  # a closed document left meanwhile
                if key is not None and self._answering and compiles(key):
                    # Its language's queries not compiled yet: not while a request is answered
                    # (the first in a new file, compiling its own, often outlasts the pause),
                    # whose answer would be read only after them. Then idle again first.
                    await self._none_answering.wait()
                    continue
                if key is not None:
                    index(key, left.pop(key))
                await asyncio.sleep(0)

        self.indexing = self._spawn(run())

    def _index_if_open(self, uri: str, doc: Document) -> None:
        if self.services.documents.get(uri) is doc:
            self.indexer.for_document(doc)

    def read_scan_states(self, states: ScanStates) -> None:
        """Read the bracket scanner's states that requests found too far to read (a window of a
        large SQL file, below a key typed at its top) while the user pauses."""
        if states.behind and (self.scanning is None or self.scanning.done()):
            self.scanning = self._spawn(states.read_later(self.busy_until, self._is_open))

    def _is_open(self, doc: Document) -> bool:
        return self.services.documents.get(doc.uri) is doc

    def compile_queries(self, doc: Document) -> None:
        """Compile, in the background, the queries of the language of a document opened, then
        those that reading the files it imports of the other languages of its family needs (the
        ``.js`` a ``.ts`` file imports): a request that needs them leaves such a file for later
        rather than compile them (``Indexer.for_file``)."""
        language = doc.language
        if language is None:
            return
        others = [other for other in read_languages(self.services.registry, language)
                  if not other.queries_compiled(INDEX_KINDS)]
        if others or not language.queries_compiled(QUERY_KINDS):
            self._spawn(self._compile_each(doc, language, others))

    async def _compile_each(self, doc: Document, language: Language, others: list[Language]) -> None:
        await language.compile_queries(QUERY_KINDS)
        if not others or not self._is_open(doc):
            return
        # Only the languages of the files it imports: each compile holds the GIL, and the first
        # JavaScript file's open compiled TSX's and TypeScript's too (0.6 s at idle, 1.3-2.4 s
        # at load) between its first key and that key's request. And not while a request is
        # answered: it cannot use them (it leaves such a file for later), and a TypeScript
        # file's first answer, asked as it opened, was read only after JavaScript's two.
        for other in self._imported_languages(doc, language, others):
            await other.compile_queries(INDEX_KINDS, pause=self._no_request_answered)

    def _imported_languages(self, doc: Document, language: Language, others: list[Language]) -> list[Language]:
        """Those of ``others`` that files ``doc`` imports are in, as a request would read them
        (within a request's context time)."""
        path = file_path(doc.uri)
        # Its own queries not compiled (another open's compiling still queued): indexing it
        # here would compile them.
        if path is None or not language.queries_compiled(INDEX_KINDS):
            return []
        deadline = time.monotonic() + self.services.settings.completion.context_timeout_ms / 1000
        index = self.indexer.for_document(doc, deadline=deadline)
        if index is None:
            return []
        sources = list(dict.fromkeys([*index.import_sources, *index.submodule_sources]))[:MAX_IMPORT_SOURCES]
        roots = env_workspace_roots(self.services.workspace_folders) or [path.parent]
        imported = resolve_local_imports_cached(sources, path, roots, language.name, language.spec.imports, deadline)
        registry = self.services.registry
        found = {
            lang.name
            for p in imported
            if p.suffix.lower() not in language.spec.imported_extensions
            and (lang := registry.for_document(None, p.as_uri())) is not None
        }
        return [other for other in others if other.name in found]
