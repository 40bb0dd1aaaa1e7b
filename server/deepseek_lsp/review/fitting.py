"""Review requests fitted to a server that cuts a longer prompt: Ollama reads a prompt past the
model's context from where it fits, the review's instructions (the prompt's start) dropped,
and answers from the code alone, unusable, without a word. Units go in requests its context
holds; a unit larger than that alone is not sent, and the review names it."""

from __future__ import annotations

from collections.abc import Sequence

from ..documents import Document
from ..model.prompt_read import ReviewRoom
from ..model.tokens import Counter
from .prompt import BATCH_MAX_CHARS, BATCH_MAX_UNITS, build_messages, unit_block
from .report import logical_location, module_name
from .units import FileUnits, Unit

#: The share of a request's room kept for the signatures its units use (dropped where more).
SIGNATURES_SHARE = 0.125


def prompt_tokens(messages: Sequence[dict[str, str]], counter: Counter) -> int:
    """A review request's prompt as counted here."""
    return sum(counter.count(m["content"]) for m in messages)


def fit_units(
    doc: Document,
    path: str,
    file_units: FileUnits,
    units: Sequence[Unit],
    room: ReviewRoom,
    counter: Counter,
    *,
    redact_secrets: bool,
) -> tuple[list[list[Unit]], list[tuple[Unit, int]]]:
    """``units`` (in file order) in requests of ``room`` each, with the units too large for
    one alone and their size."""
    around = prompt_tokens(build_messages(doc, path, file_units, [], redact_secrets=redact_secrets), counter)
    free = int(room.tokens * (1 - SIGNATURES_SHARE)) - around
    batches: list[list[Unit]] = []
    too_large: list[tuple[Unit, int]] = []
    current: list[Unit] = []
    size = chars = 0
    for unit in sorted(units, key=lambda u: u.first_line):
        n = counter.count(unit_block(doc, unit, redact_secrets=redact_secrets)) + 2  # (the blank line between)
        if n > free:
            too_large.append((unit, n + around))
            continue
        if current and (size + n > free or chars + len(unit.text) > BATCH_MAX_CHARS or len(current) >= BATCH_MAX_UNITS):
            batches.append(current)
            current, size, chars = [], 0, 0
        current.append(unit)
        size, chars = size + n, chars + len(unit.text)
    if current:
        batches.append(current)
    return batches, too_large


def too_large_text(too_large: Sequence[tuple[Unit, int]], model: str, room: ReviewRoom, path: str) -> str:
    """What the review says of units not sent for the server's context, named as the reports
    name them (``path``: the file's, for its module's name): "module module level" was every
    file's own code, "class Large, part 2" a long class's part."""
    module = module_name(path)

    def named_unit(u: Unit) -> str:
        where = logical_location(u.name, u.kind, module)
        return "code" if where is None else f"{u.kind} {where[1] or where[0]}"

    named = ", ".join(f"{named_unit(u)} (line {u.first_line + 1}, some {n:,} tokens)" for u, n in too_large[:3])
    more = f" and {len(too_large) - 3} more" if len(too_large) > 3 else ""
    return (
        f"{named}{more} not reviewed: larger than the context {room.server} runs {model} with "
        f"({room.context:,} tokens), which would drop the review's instructions without a word. Start Ollama with "
        "OLLAMA_CONTEXT_LENGTH=16384 (or PARAMETER num_ctx in the model's Modelfile) to review it."
    )
