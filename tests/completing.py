"""The completion feature in-process, with the usage feature that owns its model client (which
talks HTTP to the fake DeepSeek server): for tests of what a session does over time."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from lsprotocol import types

from deepseek_lsp.completion.feature import CompletionFeature
from deepseek_lsp.config import Settings
from deepseek_lsp.context import read_languages
from deepseek_lsp.documents import Document, DocumentStore
from deepseek_lsp.features import Services
from deepseek_lsp.languages import INDEX_KINDS, LanguageRegistry
from deepseek_lsp.status import Status, StatusReporter
from deepseek_lsp.usage_feature import UsageFeature
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek

FIM = "/beta/completions"

REGISTRY = LanguageRegistry.load()


class Completing:
    """A completion feature and the usage feature that owns its model client."""

    def __init__(self, fake: FakeDeepSeek, registry: LanguageRegistry = REGISTRY, **completion: Any) -> None:
        """``registry``: a fresh one for a test of what a language's first use does (the
        shared one's queries are compiled by the tests before)."""
        self.statuses: list[Status] = []
        #: The pop-ups (``window/showMessage``) the session showed.
        self.shown: list[str] = []
        settings = Settings(base_url=fake.url, api_key=DEFAULT_KEY)
        settings = replace(settings, completion=replace(settings.completion, **completion))
        status = StatusReporter(self.statuses.append, lambda m, level=2: self.shown.append(m))
        self.services = Services(DocumentStore(registry), registry, status, settings)
        self.usage = UsageFeature(self.services)
        self.completion = CompletionFeature(self.services)
        self.services.configured.set()

    async def stop(self) -> None:
        await self.completion.stop()
        await self.usage.stop()

    def open(self, uri: str, text: str = "x = 1\n", language_id: str = "python") -> Document:
        doc = self.services.documents.open(uri, text, language_id, 1)
        self.completion.document_opened(doc)
        return doc

    def insert(self, uri: str, line: int, char: int, text: str) -> Document:
        """``text`` typed (or accepted) at the position."""
        doc = self.services.documents.get(uri)
        assert doc is not None
        pos = types.Position(line, char)
        doc = self.services.documents.change(
            uri, doc.version + 1, [types.TextDocumentContentChangePartial(range=types.Range(pos, pos), text=text)]
        )
        self.completion.document_changed(doc)
        return doc

    def close(self, doc: Document) -> None:
        self.services.documents.close(doc.uri)
        self.completion.document_closed(doc)

    def configure(self, **changes: Any) -> None:
        """New settings, as ``workspace/didChangeConfiguration`` gives them."""
        old = self.services.settings
        completion = {k: v for k, v in changes.items() if hasattr(old.completion, k)}
        top = {k: v for k, v in changes.items() if k not in completion}
        new = replace(old, **top, completion=replace(old.completion, **completion))
        self.services.settings = new
        self.usage.settings_changed(old, new)
        self.completion.settings_changed(old, new)

    async def inline(self, uri: str, line: int, char: int, *, invoked: bool = False) -> list[str]:
        kind = types.InlineCompletionTriggerKind.Invoked if invoked else types.InlineCompletionTriggerKind.Automatic
        result = await self.completion.inline_completion(
            types.InlineCompletionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                position=types.Position(line, char),
                context=types.InlineCompletionContext(trigger_kind=kind),
            )
        )
        return [str(item.insert_text) for item in result.items]

    async def menu(self, uri: str, line: int, char: int, kind: types.CompletionTriggerKind) -> list[str]:
        result = await self.completion.completion(
            types.CompletionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                position=types.Position(line, char),
                context=types.CompletionContext(trigger_kind=kind),
            )
        )
        return [item.label for item in result.items]


async def warmed_up(fake: FakeDeepSeek, model: str, backend: str, **settings: Any) -> Completing:
    """A session with ``backend`` at ``fake``'s /v1 for ``model`` (no debounce, prefetch or
    cache), its warm-up's model list read."""
    c = Completing(fake, debounce=0, prefetch=False, cache=False, model=model)
    c.configure(backend=backend, base_url=f"{fake.url}/v1", **settings)
    assert c.usage._warming is not None and await c.usage._warming
    return c


class AnsweringTheRest:
    """A model answering ``whole`` to the first request, and to each later one (the rest of a
    block asked for: fetching.py's _stream_whole) what its prompt has not written of it yet;
    ``asked``: the prompts of the requests it answered."""

    def __init__(self, whole: str) -> None:
        self.whole = whole
        self.asked: list[str] = []

    def __call__(self, body: dict[str, Any]) -> str:
        prompt = str(body.get("prompt") or "")
        self.asked.append(prompt)
        if len(self.asked) > 1:
            for length in range(len(self.whole), 0, -1):
                if prompt.endswith(self.whole[:length]):
                    return self.whole[length:]
        return self.whole


async def compiled(c: Completing, doc: Document) -> None:
    """The queries the open compiles in the background, compiled: on the event loop, a query
    at a time, they held the request's connect to the fake past its 5 s limit at load 19 (the
    first JavaScript case in a process: "connecting timed out after 5 s", 2 of 4 runs)."""
    if doc.language is not None:
        await doc.language.compile_queries()
        for other in read_languages(c.services.registry, doc.language):
            await other.compile_queries(INDEX_KINDS)


async def accept_first(
    fake: FakeDeepSeek, language_id: str, ext: str, text: str, answer: str | Callable[[dict[str, Any]], str]
) -> tuple[str | None, dict | None]:
    """The document as the user has it after accepting the first inline item for the cursor at
    ``‸`` when the model answers ``answer`` (a text, or a text for each request's body) (None:
    no item), and the last FIM request's body (None: nothing was asked)."""
    # A request bounded by 30 s, not the default 5: what is shown is the question, not how soon.
    c = Completing(fake, debounce=0, prefetch=False, cache=False, timeout_s=30)
    try:
        uri = f"file:///w/a.{ext}"
        offset = text.index("‸")
        clean = text.replace("‸", "")
        doc = c.services.documents.open(uri, clean, language_id, 1)
        c.completion.document_opened(doc)
        await compiled(c, doc)
        if callable(answer):
            fake.responder(answer, path=FIM)
        else:
            fake.script(answer, path=FIM)
        line = clean[:offset].count("\n")
        char = len(clean[:offset].split("\n")[-1])
        result = await c.completion.inline_completion(
            types.InlineCompletionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                position=types.Position(line, char),
                context=types.InlineCompletionContext(trigger_kind=types.InlineCompletionTriggerKind.Automatic),
            )
        )
        sent = fake.requests_to(FIM)
        body = sent[-1].json if sent else None
        if not result.items:
            return None, body
        item = result.items[0]
        assert item.range is not None
        lines = clean.split("\n")
        start = sum(len(x) + 1 for x in lines[: item.range.start.line]) + item.range.start.character
        end = sum(len(x) + 1 for x in lines[: item.range.end.line]) + item.range.end.character
        return clean[:start] + str(item.insert_text) + clean[end:], body
    finally:
        await c.stop()
