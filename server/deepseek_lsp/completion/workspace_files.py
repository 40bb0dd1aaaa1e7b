"""The workspace's files on disk, for the symbol table (``SymbolCrawler``): watched through the
editor where it can, and each saved document's names stored as it is saved."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from ..context import Indexer
from ..documents import Document
from ..features import register_with_client
from ..imports import forget_resolutions
from ..privacy import file_path
from ..symbol_crawler import GITIGNORE, SymbolCrawler
from ..workspace_symbols import methods_of

if TYPE_CHECKING:
    from pygls.lsp.server import LanguageServer


async def watch_files(server: LanguageServer | None, crawler: SymbolCrawler) -> None:
    """Ask the editor to tell us of the workspace's source files created, changed or deleted
    on disk (the symbol table follows them), when it can be asked (VS Code); and look at the
    disk now and then, watched or not: VS Code tells of a folder moved or deleted as one
    event for the folder, which the source files' glob does not match (microsoft/vscode
    #109754, as designed), and the files in a folder moved into the workspace never joined
    the table, nor did a deleted folder's leave it."""
    caps = server.client_capabilities if server is not None else None
    watched = caps and caps.workspace and caps.workspace.did_change_watched_files
    if server is not None and watched and watched.dynamic_registration:
        options = types.DidChangeWatchedFilesRegistrationOptions(
            watchers=[
                types.FileSystemWatcher(glob_pattern=crawler.watch_pattern()),
                # A pattern added or removed changes which files are indexed (and sent).
                types.FileSystemWatcher(glob_pattern=f"**/{GITIGNORE}"),
            ]
        )
        method = types.WORKSPACE_DID_CHANGE_WATCHED_FILES
        await register_with_client(server, "deepseek-workspace-files", method, options)
    crawler.check_disk_now_and_then()


def files_changed(crawler: SymbolCrawler, params: types.DidChangeWatchedFilesParams) -> None:
    changes = []
    for event in params.changes:
        path = file_path(event.uri)
        if path is not None:
            changes.append((path, event.type != types.FileChangeType.Deleted))
    if any(event.type != types.FileChangeType.Changed for event in params.changes):
        # A file created or deleted may be a module's (a Go package's file): its imports are
        # resolved anew, not kept their few seconds.
        forget_resolutions()
        crawler.symbols.files_came_or_went += 1
    crawler.files_changed(changes)


def store_names(crawler: SymbolCrawler, indexer: Indexer, doc: Document) -> None:
    """Store the names a saved document defines, for the other files' requests."""
    path = file_path(doc.uri)
    if path is None or doc.language is None or not crawler.covers(path, doc.language.name):
        return
    # The names it defines now, for the other files' requests: from the buffer's own index
    # (its tree is parsed already), not by reading and parsing the file again.
    index = indexer.for_document(doc)
    if index is not None and index.edit_count != doc.edit_count:
        # An index a moment old is good enough for a prompt, not for the names stored with
        # the file's new stamp for the next session (a rename just before the save).
        index = indexer.for_document(doc, force=True)
    if index is not None:
        names = [*index.definitions, *map(methods_of, index.method_owners)]
        crawler.saved(path, doc.language.name, names)
