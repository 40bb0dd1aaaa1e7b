"""Where a class's base is defined, as the imports of the file whose class names it say.

``class Dtls(tls.Tls)``, ``class Dtls(net.tls.Tls)``, ``class Dtls extends ns.Tls``, and a plain
``class Dtls(Tls)`` in a file the document does not import: looked for by its name alone (the
document's imports, its open files, the workspace's symbol table), the base was not found where
more than two files define a class of that name, and what ``self.|`` inherits did not come.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .index import FileIndex

#: The files one base's import may name that are read (``from pkg import mod`` names the
#: package's ``__init__.py`` and the module's file).
MAX_BASE_FILES = 4


def base_sources(idx: FileIndex, written: str) -> tuple[str, list[str]]:
    """The class ``written`` (a base as the header of a class of ``idx`` writes it: ``Tls``,
    ``tls.Tls``, ``net.tls.Tls``, an alias ``T`` of ``Tls``) is, and the import sources of
    ``idx`` that may define it (none where no import binds its first name)."""
    qualifier, _, name = written.rpartition(".")
    if not qualifier:
        # ``from net.tls import Tls as T``: ``T`` is ``Tls``.
        name = idx.aliases.get(name, name)
    first = written.split(".", 1)[0]
    sources = (idx.modules.get(qualifier) if qualifier else None) or idx.word_sources.get(first, [])
    return name, sources
