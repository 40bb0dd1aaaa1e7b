"""Review prompts, laid out stable-first so DeepSeek's prefix cache keeps hitting.

Order: the system rubric with the JSON example and how the code is shown (identical for every
request), then the file's path, language and imports (identical for every request about that
file), then the units, then the signatures they use, last. A save reviews the one unit it
changed: what comes before it is the same as in every other review of the file, and what
follows its code changes with what the unit calls (put before it, a call added at a function's
end changed the prompt above its first line, and the provider's cache missed all of it). Units
carry their line numbers as ``123| `` prefixes: the model needs them to say ``line``, and the
rubric tells it not to copy them into ``code``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from ..documents import Document
from ..privacy import redact
from .units import FileUnits, Signature, Unit

#: Part of every cache key: bump it when the rubric or the layout changes what the model says
#: (5: a method's signature names its class, and only the related classes' of a shared name).
PROMPT_VERSION = "5"
#: Unit text per request: several small units share one request, a larger one goes alone and is
#: never cut (the review model has a 1M-token context; splitting is only for answer quality).
BATCH_MAX_CHARS = 24_000
BATCH_MAX_UNITS = 12

#: The answer's shape: only what the server reads, since every output token costs three input
#: misses. It asked for a "summary" sentence too, which nothing showed: 17 of the 23 tokens of a
#: clean unit's answer (DeepSeek's tokenizer). Shown without spaces after ``:`` and ``,``, as
#: the model is asked to write it: a finding in that form is 55 tokens instead of 64.
_EXAMPLE = {
    "findings": [
        {
            "severity": "warning",
            "line": 42,
            "code": "if user == None:",
            "message": "Compare with None using 'is'; '==' can be overridden.",
            "suggestion": "if user is None:",
            "confidence": 0.8,
        }
    ],
}

SYSTEM_PROMPT = f"""You are a meticulous senior engineer reviewing code changes. Report only real \
problems: bugs, crashes, wrong results, security holes, data loss, races, resource leaks, broken \
error handling, serious performance traps. Do not report style, formatting, naming, missing \
comments or docstrings, and do not praise. An empty findings list is a good answer for good code.

Severity: "critical" = crashes, corrupts data or is a security hole; "warning" = a likely bug or \
fragile code; "info" = a worthwhile improvement.

Answer in json only: one JSON object, no Markdown, exactly in this shape:
{json.dumps(_EXAMPLE, separators=(",", ":"))}

Rules for every finding:
- "code" is the exact code the finding is about, copied verbatim from the code under review: one \
line or a few consecutive lines, short but unique. Copy it WITHOUT the "123| " line-number prefix.
- "line" is the number shown before the first line of "code".
- "suggestion" is the replacement for exactly that "code" (same lines, corrected), or "" when \
there is no concrete fix.
- "message" is one short sentence (under 120 characters).
- "confidence" (0 to 1) is how sure you are that this is a real problem.
- Review only the code under "Code to review"; the imports and signatures are context.

Each unit of that code comes under a "### kind name" heading, each of its lines starting with \
its line number and "| ". The signatures of definitions it uses from elsewhere come after it."""


_EOL = re.compile(r"\r\n|\r|\n")
_redacted: tuple[str, list[str]] | None = None


def _redacted_lines(doc: Document) -> list[str]:
    """The document's lines after redacting the WHOLE text (line numbers kept). Redacting line by
    line let a private key block's base64 lines through: only its BEGIN line looks secret."""
    global _redacted
    text = doc.text
    if _redacted is None or _redacted[0] is not text:
        _redacted = (text, _EOL.split(redact(text, keep_lines=True)))
    return _redacted[1]


def render_lines(doc: Document, runs: Sequence[tuple[int, int]], *, redact_secrets: bool) -> str:
    """The lines with ``N| `` prefixes (1-based); ``…`` marks lines that belong to other units."""
    out: list[str] = []
    lines = _redacted_lines(doc) if redact_secrets else None
    for i, (lo, hi) in enumerate(runs):
        if i:
            out.append("…")
        for line in range(lo, hi + 1):
            text = lines[line] if lines is not None and line < len(lines) else doc.line_text(line)
            out.append(f"{line + 1}| {text}".rstrip())
    return "\n".join(out)


def _unit_heading(unit: Unit) -> str:
    # Where the unit starts, not where it ends: its lines carry their numbers anyway, and a
    # last line named here changed with every line added to the unit, so two reviews of the
    # same function parted before its first line of code and the provider's prefix cache
    # missed all of it (saving a fix to the function again paid it whole).
    lines = (
        f"line {unit.first_line + 1}"
        if unit.first_line == unit.last_line
        else f"from line {unit.first_line + 1}"
    )
    return f"### {unit.kind} {unit.name} ({lines})"


def build_messages(
    doc: Document,
    path: str,
    file_units: FileUnits,
    units: Sequence[Unit],
    *,
    redact_secrets: bool = True,
    extra_signatures: Sequence[str] = (),
    with_signatures: bool = True,
) -> list[dict[str, Any]]:
    """Chat messages asking for a review of ``units`` (in file order) of ``doc``; without the
    signatures they use where ``with_signatures`` is false (a context they would not fit)."""
    clean = (lambda s: redact(s)) if redact_secrets else (lambda s: s)
    parts = [f"File: {path}"]
    if doc.language is not None:
        parts.append(f"Language: {doc.language.name}")
    imports = list(dict.fromkeys(file_units.imports))
    if imports:
        parts.append("Imports of this file:\n" + clean("\n".join(imports)))
    parts.append("Code to review:")
    ordered = sorted(units, key=lambda u: u.first_line)
    parts.extend(unit_block(doc, unit, redact_secrets=redact_secrets) for unit in ordered)
    signatures = _signature_lines(file_units.signatures_for(ordered), extra_signatures) if with_signatures else ""
    if signatures:
        parts.append(
            "Signatures of definitions the code uses (defined elsewhere; context, not to review):\n"
            + clean(signatures)
        )
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": "\n\n".join(parts)},
    ]


def unit_block(doc: Document, unit: Unit, *, redact_secrets: bool) -> str:
    """A unit as a review prompt shows it: its heading, the class it is in, its lines."""
    block = [_unit_heading(unit)]
    if unit.context:
        inside = unit.context.splitlines()[0].strip()
        block.append(f"(inside: {redact(inside) if redact_secrets else inside} …)")
    block.append(render_lines(doc, unit.lines, redact_secrets=redact_secrets))
    if unit.removed:
        block.append(_removed_block(unit.removed, redact_secrets=redact_secrets))
    return "\n".join(block)


#: Deleted lines shown under a unit at most: a deleted block's start says what went.
MAX_REMOVED_SHOWN = 30


def _removed_block(removed: Sequence[str], *, redact_secrets: bool) -> str:
    """The lines a change deleted from a unit, as a diff shows them (``- `` first, no line
    numbers: they are in no line of the code now, and a finding must quote one that is)."""
    shown = "\n".join(removed[:MAX_REMOVED_SHOWN])
    if redact_secrets:
        shown = redact(shown, keep_lines=True)
    out = [
        "Deleted from it since the last commit (no longer in the code; report what the code "
        "above does wrong without them, quoting the code above):"
    ]
    out.extend(f"- {line}".rstrip() for line in shown.split("\n"))
    if len(removed) > MAX_REMOVED_SHOWN:
        out.append(f"- … ({len(removed) - MAX_REMOVED_SHOWN} more deleted lines)")
    return "\n".join(out)


def _signature_lines(own: Sequence[Signature], extra: Sequence[str]) -> str:
    lines = [s.shown() for s in own]
    lines.extend(extra)
    return "\n".join(dict.fromkeys(lines))


def batch_units(units: Sequence[Unit], max_chars: int = BATCH_MAX_CHARS) -> list[list[Unit]]:
    """Group units (in file order) into requests of bounded size; a large unit goes alone."""
    batches: list[list[Unit]] = []
    current: list[Unit] = []
    size = 0
    for unit in sorted(units, key=lambda u: u.first_line):
        n = len(unit.text)
        if current and (size + n > max_chars or len(current) >= BATCH_MAX_UNITS):
            batches.append(current)
            current, size = [], 0
        current.append(unit)
        size += n
    if current:
        batches.append(current)
    return batches
