"""Which workspace files an import names, and whether they may be read.

Context (completion prompts) and reviews send the definitions of names a file imports from
the workspace: each language's imports are looked up the way its own tools do (Python's
packages, Node's and TypeScript's lookup, ``[imports]`` rules in language.toml for Ruby and
Lua, a C include path, a JVM source root, a Go module, a Rust crate, PHP's PSR-4 autoload).
Nothing is guessed beyond that: a name that is no file there names nothing.

``resolve`` picks the language's lookup (one module each: ``python``, ``javascript``, ``go``,
``rust``, ``jvm``, ``php``, ``c_include``, ``by_rules``), which share ``project_files``;
``cached`` resolves a file's imports within a request's time box, ``readable`` says whether a
file found may be read, ``sibling_types`` finds the types used with no import.
"""

from .cached import (
    _resolved,
    forget_resolutions,
    local_sources,
    refresh_stale,
    resolution_pending,
    resolve_local_imports_cached,
    stale_resolutions,
)
from .go import MAX_PACKAGE_FILES
from .jvm import main_source_set
from .project_files import own_roots_first
from .readable import readable_import
from .resolve import resolve_local_import
from .sibling_types import imported_types, sibling_type_files, sibling_type_files_of_each

__all__ = [
    "MAX_PACKAGE_FILES",
    "_resolved",
    "forget_resolutions",
    "imported_types",
    "local_sources",
    "main_source_set",
    "own_roots_first",
    "readable_import",
    "refresh_stale",
    "resolution_pending",
    "resolve_local_import",
    "resolve_local_imports_cached",
    "sibling_type_files",
    "sibling_type_files_of_each",
    "stale_resolutions",
]
