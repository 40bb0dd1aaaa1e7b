"""What the model sees around the cursor, found with tree-sitter and the ``grammars/`` queries.

Everything here is a pure function of documents (and files read from disk), so it is tested on
data without a server. Work that does not change on every keystroke (a file's imports and
definitions) is indexed per document and reused while it is fresh; the index may be a few
keystrokes stale, which is fine for context and keeps a request well under a millisecond.
"""

from .index import MAX_DEFINITION_LINES, Definition, FileIndex, index_tree
from .indexer import INDEX_MAX_STALE_S, INDEX_TTL_S, MAX_FILE_BYTES, Indexer, unchanged_on_disk
from .lookup import found_in_workspace, read_languages
from .paths import display_path, env_workspace_roots, label_path
from .scopes import (
    Scope,
    bracket_scan_start,
    enclosing_scopes,
    names_near,
    past_string_or_comment,
    scopes_kept_through_errors,
)
from .snippets import (
    MAX_IMPORT_SOURCES,
    RECENT_EDIT_LINES,
    ContextRequest,
    Snippet,
    gather_snippets,
)

__all__ = [
    "INDEX_MAX_STALE_S",
    "INDEX_TTL_S",
    "MAX_DEFINITION_LINES",
    "MAX_FILE_BYTES",
    "MAX_IMPORT_SOURCES",
    "RECENT_EDIT_LINES",
    "ContextRequest",
    "Definition",
    "FileIndex",
    "Indexer",
    "Scope",
    "Snippet",
    "bracket_scan_start",
    "display_path",
    "enclosing_scopes",
    "env_workspace_roots",
    "found_in_workspace",
    "gather_snippets",
    "index_tree",
    "label_path",
    "names_near",
    "past_string_or_comment",
    "read_languages",
    "scopes_kept_through_errors",
    "unchanged_on_disk",
]
