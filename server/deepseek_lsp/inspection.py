"""What the server holds, for tests and bug reports: a document's copy and resource counts
(``deepseek/documentState`` and ``deepseek/debugState``). No document text leaves the machine."""

from __future__ import annotations

import asyncio
import gc
import os
from typing import TYPE_CHECKING, Any

from . import code_cache
from .model.tokens import loaded_counter

if TYPE_CHECKING:
    from .server import DeepSeekServer

DOCUMENT_STATE_REQUEST = "deepseek/documentState"
DEBUG_STATE_REQUEST = "deepseek/debugState"


def _open_connections(http: Any) -> int:
    """Connections httpx still holds (idle keep-alive ones included); -1 when unknowable."""
    try:
        return sum(1 for c in http._transport._pool.connections if not c.is_closed())
    except AttributeError:
        return -1


def _busy_connections(http: Any) -> tuple[int, int]:
    """Connections checked out of the pool (serving, or leaked), and requests the pool lists
    (queued or not yet closed); -1 when unknowable."""
    try:
        pool = http._transport._pool
        busy = sum(1 for c in pool.connections if not c.is_closed() and not c.is_idle())
        return busy, len(pool._requests)
    except AttributeError:
        return -1, -1


def _rss_bytes() -> int:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _tree_shape(tree: Any) -> list[tuple[str, int, int]]:
    """Every node's type and byte span, in order: an S-expression alone has no positions, and a
    tree whose edits were recorded at the wrong bytes still printed the same."""
    shape: list[tuple[str, int, int]] = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        shape.append((node.type, node.start_byte, node.end_byte))
        stack.extend(reversed(node.children))
    return shape


def document_state(server: DeepSeekServer, uri: str) -> dict[str, Any] | None:
    """The server's copy of a document, and whether its incrementally kept tree is the one a
    fresh parse makes."""
    doc = server.documents.get(uri)
    if doc is None:
        return None
    tree_ok = None
    # Only a tree the server holds: ``doc.tree`` parses one on first use, and a fresh parse
    # compared with a fresh parse always matched (the edits' tree updates went unchecked).
    if doc.has_tree and doc.tree is not None and doc.language is not None:
        tree_ok = _tree_shape(doc.tree) == _tree_shape(doc.language.parser().parse(doc.data))
    return {
        "uri": doc.uri,
        "version": doc.version,
        "text": doc.text,
        "language": doc.language.name if doc.language else None,
        "encoding": doc.encoding,
        "treeMatchesFreshParse": tree_ok,
    }


def debug_state(server: DeepSeekServer, *, heap: bool = False) -> dict[str, Any]:
    """Resource counts, for leak tests and bug reports; ``heap``: the frozen and the tracked
    objects counted too, each a walk of them all (13-15 ms of CPU a call in a forked test server,
    whose 102,000 frozen objects the zygote left it: 0.4 ms without), which polls (tests
    waiting, ``:checkhealth``) do not need."""
    current = asyncio.current_task()
    tasks = [t for t in asyncio.all_tasks() if t is not current and not t.done()]
    state: dict[str, Any] = {
        "documents": len(server.documents),
        "tasks": len(tasks),
        "taskNames": sorted({t.get_coro().__qualname__ for t in tasks})[:20],
        "rssBytes": _rss_bytes(),
        "connections": 0,
        "connectionsBusy": 0,
        # Futures pygls holds for requests (and, unless cleaned, for notifications).
        "protocolFutures": len(getattr(server.protocol, "_request_futures", ())),
        # Cycle collections run right after an answer went out, per generation.
        "collectionsAfterAnswers": list(server.collector.collections),
        # The tokenizer loads in the background once the editor is quiet, holding the GIL ~0.5 s.
        "tokenizerLoaded": loaded_counter() is not None,
        # Milliseconds from the server's making to each start-up moment and to the first
        # request's stages (startup.py): what a slow first suggestion waited for.
        "start": server.services.start_times.to_json(),
        # The editor's settings are pulled and applied (or found unavailable): requests
        # before this wait for them, or answer nothing.
        "configured": server.services.configured.is_set(),
        # Pulls of the editor's settings finished (applied, or given up): a test that answered
        # a later pull knows its settings are in, where "configured" was set by the first.
        "settingsPulls": server.editor_settings.pulls_done,
        # What is wrong with the settings in force (a bad value, an unknown key), each using
        # its default: :checkhealth says it long after the message went by.
        "settingsProblems": list(server.editor_settings.problems),
        # attrs' and cattrs' generated code: taken from the cache file / compiled.
        "generatedCode": code_cache.counts(),
    }
    if heap:
        # Objects out of the collector's way: the imports' from before the `initialize` answer
        # (heap.imported), the start's once the editor was quiet after `initialized` (Collector.started).
        state["frozenObjects"] = gc.get_freeze_count()
        # Objects a full collection walks (the frozen ones left out): its cost.
        state["trackedObjects"] = len(gc.get_objects())
    client = server.services.models.client if server.services.models else None
    if client is not None:
        state["connections"] = _open_connections(client.http)
        state["connectionsBusy"], state["poolRequests"] = _busy_connections(client.http)
    for feature in server.features:
        state.update(feature.debug_state())
    return state
