"""A unit's cache key: its normalized code and everything that changes what a review of it
says (the settings, the prompt's version, the signatures it is reviewed with).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from ..config import Settings
from .imported import Imported, _used_by
from .prompt import PROMPT_VERSION
from .units import FileUnits, Unit


def unit_key(
    unit: Unit, settings: Settings, language: str | None, signatures: Sequence[str] = ()
) -> str:
    """The cache key: the unit's normalized code and everything that changes the answer,
    ``signatures`` (of the file's definitions the unit uses, see ``_signatures_of``) included."""
    parts = (*answer_settings(settings), language or "", unit.fingerprint(), *signatures)
    if unit.removed:
        # What it was shown as deleted changes the answer (a review of what is left found
        # nothing); without any, the key is as it always was.
        parts = (*parts, "\x01deleted", *(" ".join(line.split()) for line in unit.removed))
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def answer_settings(settings: Settings) -> tuple[str, ...]:
    """The settings that change what a review says (part of every cache key): a review made
    with others is not the answer for the settings now."""
    r = settings.review
    return (PROMPT_VERSION, r.model, str(r.thinking), str(settings.redact_secrets))


def _signatures_of(file_units: FileUnits, unit: Unit) -> list[str]:
    """The signatures the unit is reviewed with from its own file, as the prompt shows them: a
    caller's findings rest on them ("scale() needs a factor"), and came back from the cache
    after the callee's signature changed. Its body, or where it is, changes nothing here."""
    return [s.shown() for s in file_units.signatures_for([unit])]


def _cache_key(
    unit: Unit,
    settings: Settings,
    language: str | None,
    file_units: FileUnits,
    imported: Sequence[Imported] = (),
) -> tuple[str, str | None]:
    """The unit's cache key, and the key a review of it made before keys sorted the signatures
    (None when that is the same key).

    Sorted: in file order, moving two functions the unit calls (no code changed) made a new
    key, and the unit was reviewed and paid for again. The old key is still read, so the
    reviews cached before are not paid for again either.

    ``imported`` are the signatures of the files the document imports (``_Imports.signatures``):
    those the unit uses are in its key as its own file's are. Left out, a ``git pull`` that
    gave the imported ``scale`` the argument the call passes brought back "scale() takes one
    argument" from the cache for as long as the caller was unchanged."""
    own = _signatures_of(file_units, unit)
    from_imports = [" ".join(line.split()) for line in _used_by([unit], imported)]
    key = unit_key(unit, settings, language, sorted(own + from_imports))
    if from_imports or own == sorted(own):
        return key, None  # (no key made before this one held an imported signature)
    return key, unit_key(unit, settings, language, own)
