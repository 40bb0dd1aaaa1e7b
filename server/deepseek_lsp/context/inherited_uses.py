"""The members a class inherits that its file uses, for a bare ``self.|`` (``this.|``).

At ``self.|`` the member still to be typed is most often one the file already uses on
``self`` and defines nowhere itself: an event loop's ``self.call_soon``, a SAX filter's
``self._cont_handler``. Its class's bases came as outlines, and a long base's outline
(``BaseEventLoop``'s ninety methods, ``Message``'s) is cut before most of them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from .lookup import _Classes

if TYPE_CHECKING:
    from .index import Definition, FileIndex
    from .indexer import Indexer
    from .snippets import ContextRequest

#: The inherited members sent at a bare ``self.|``, nearest use first.
MAX_USED_INHERITED = 4
#: How far from the cursor the file's uses are read, each way.
USES_SPAN = 65536

#: The names used on ``self`` looked for in its bases, nearest use first.
MAX_NAMES_LOOKED = 16

_PY_USE = re.compile(rb"\bself\.([A-Za-z_]\w*)")
_USE = re.compile(rb"\bthis\.([A-Za-z_$][\w$]*)")
#: ``self.conn = ...``, ``self.conn: Conn = ...``: the class's own attribute.
_PY_ASSIGNED = re.compile(rb"\bself\.([A-Za-z_]\w*)\s*(?::[^=\n]*)?=(?!=)")
_ASSIGNED = re.compile(rb"\bthis\.([A-Za-z_$][\w$]*)\s*=(?!=)")


def used_inherited(
    indexer: Indexer,
    req: ContextRequest,
    own: FileIndex,
    indexes: list[FileIndex],
    cls: str,
    doc_path: Path,
    roots: list[Path],
) -> list[list[tuple[Definition, FileIndex]]]:
    """The definitions of the members of ``cls``'s bases its file uses on ``self`` (``this``)
    and does not define or assign itself, nearest use to the cursor first: a method's, else
    the constructor that assigns the attribute."""
    data, offset = req.doc.data, req.offset
    python = req.doc.language is not None and req.doc.language.name == "python"
    span = (max(0, offset - USES_SPAN), offset + USES_SPAN)
    uses = sorted((abs(m.start() - offset), m.group(1)) for m in (_PY_USE if python else _USE).finditer(data, *span))
    assigned = set((_PY_ASSIGNED if python else _ASSIGNED).findall(data, *span))
    names = [
        n.decode() for n in dict.fromkeys(n for _d, n in uses) if n not in assigned and n.decode() not in own.definitions
    ][:MAX_NAMES_LOOKED]
    if not names:
        return []
    classes = _Classes(indexer, req, own, indexes, doc_path, roots)
    classes.where[cls] = [own]
    found: list[list[tuple[Definition, FileIndex]]] = []
    for name in names:
        if len(found) >= MAX_USED_INHERITED:
            break
        defs = [(d, idx) for d, idx in classes.members(cls, name) if idx is not own] or classes.assigning(cls, name)
        if defs:
            found.append(defs)
    return found
