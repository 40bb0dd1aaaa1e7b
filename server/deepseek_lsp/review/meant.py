"""Of a name several classes of a file define, which definitions a review unit means, and
which classes' constructors a Java or C# constructor call naming none calls."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .units import Signature


#: The words identifiers.scm's ``#set! reference`` gives a constructor call that writes no
#: class name: Java's ``super(4)`` and C#'s ``: base(4)`` (the class's base's constructor),
#: ``this(4)`` and ``: this(4)`` (another of its own). No identifier is spelled so.
BASE_CONSTRUCTOR = "super()"
OWN_CONSTRUCTOR = "this()"


@dataclass(frozen=True)
class OwnClass:
    """The class a unit is or is in, and the names its header gives (its bases)."""

    name: str
    bases: frozenset[str]


def constructor_calls(
    words: frozenset[str], own: OwnClass | None
) -> tuple[frozenset[str], frozenset[str]]:
    """``words`` without the constructor calls' words, and the classes those calls construct:
    a Java constructor is named as its class, so a member's ``super(4)`` brought none (its
    class's header, which names the base, is no line of its own)."""
    if BASE_CONSTRUCTOR not in words and OWN_CONSTRUCTOR not in words:
        return words, frozenset()
    constructs: set[str] = set()
    if own is not None:
        if BASE_CONSTRUCTOR in words:
            constructs |= own.bases
        if OWN_CONSTRUCTOR in words:
            constructs.add(own.name)
    return words - {BASE_CONSTRUCTOR, OWN_CONSTRUCTOR}, frozenset(constructs)


class Meant:
    """Of the definitions of a name several classes define, those a unit of ``classes`` (its
    class and their bases), with parameters and fields of the ``typed`` classes and of code
    ``text`` means.

    Matched by name alone, ``super().__init__(...)`` brought every class's ``__init__``: 327 of
    the 545 signatures argparse's units carried, none saying whose it was. A name one class (or
    none) defines is kept; of one several classes define, the members of the unit's classes and
    of a class it calls it on (``Base.method(self)``, ``Base::new``), and no member of another:
    the ``__init__`` or ``__call__`` of an unrelated class says nothing of the call made, and a
    class merely named (``formatter_class=HelpFormatter``) brought all its shared names.
    """

    def __init__(self, classes: set[str], typed: set[str], text: str) -> None:
        self._classes = classes
        # Those not among its classes already: a class's chain of bases, met again through a
        # parameter of a class in it, was counted twice.
        self._typed = typed - classes
        # Each ``owner.name`` / ``owner::name`` the text writes, read once: a regex of each
        # candidate's own took a generated file of 600 classes, each calling
        # ``super().__init__``, 34 s of CPU for its units' signatures (0.5 s before).
        self._called: dict[str, set[str]] = {}
        for m in _CALLED_ON.finditer(text):
            self._called.setdefault(m[2], set()).add(m[1])

    def of(
        self, name: str, owned: dict[str, list[tuple[int, Signature]]]
    ) -> list[tuple[int, Signature]]:
        """The definitions of ``name`` it means, of those ``owned`` by each class."""
        groups: list[Iterable[str]] = [("",), self._classes, self._called.get(name, ())]
        if name not in _CONSTRUCTORS:
            # A parameter's or a field's class's methods, not its constructor: no call through
            # an instance makes one (click's CommandCollection, whose methods take ``ctx:
            # Context``, was sent Context's ``__init__`` of 16 parameters beside its base's for
            # its own ``super().__init__``); nor a Java one, named as its class.
            groups.append([owner for owner in self._typed if owner != name])
        return [d for owners in groups for owner in owners for d in owned.get(owner, ())]


#: Constructors' names (Java's, C#'s and C++'s are their class's; Rust's ``new`` is one by
#: custom, called on the type, ``Shape::new``).
_CONSTRUCTORS = frozenset({"__init__", "__new__", "constructor", "initialize", "new"})


#: A word followed by ``.`` or ``::`` and another (the lookahead lets ``a.B.c`` give both pairs).
_CALLED_ON = re.compile(r"\b(\w+)(?=\s*(?:\.|::)\s*(\w+)\b)")
