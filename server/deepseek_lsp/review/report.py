"""Review results of files, and their plain-text and JSON forms for the terminal and CI."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..console import counted, no_command, shown_line, shown_name
from ..documents import Document
from ..model.usage_records import Totals
from ..notebooks import CellSpan
from .answer import SEVERITIES, at_least
from .findings import Finding, PlacementStats

#: Why a file the exclude setting names is not reviewed.
EXCLUDED = "excluded by the exclude setting"
#: What the closing line tells of the generated and minified files a folder's walk left out.
GENERATED_HINT = "name a file on the command line to review it"


@dataclass
class FileResult:
    path: str  # as shown to the user: relative to the working directory when possible
    doc: Document
    findings: list[Finding] = field(default_factory=list)
    stats: PlacementStats = field(default_factory=PlacementStats)
    units: int = 0
    #: Units not taken from the cache, meant to be sent.
    units_asked: int = 0
    #: Of those, the units whose request went out (see ``ReviewOutcome.sent_unit_ids``).
    units_sent: int = 0
    #: Units answered by another file's request (see ``ReviewOutcome.shared_unit_ids``).
    units_shared: int = 0
    #: Units not sent, too large for the server's context (see review.fitting).
    units_too_large: int = 0
    #: What went wrong with this file, if anything (backend errors, unusable answers).
    errors: list[str] = field(default_factory=list)
    skipped: str | None = None  # why the file was not reviewed at all
    #: A notebook's code cells in ``doc`` (its cells as one document); none for a file.
    cells: list[CellSpan] = field(default_factory=list)
    #: Skipped as generated or minified (``skipped`` says why), found in a folder, not named.
    generated: bool = False

    def said_skipped(self) -> bool:
        """Whether the report names this file as not reviewed. Not the user's own exclusions,
        nor generated files (both by the folder: a Go module's hundreds of ``.pb.go`` would fill
        the log), which the closing line counts instead."""
        return bool(self.skipped) and self.skipped != EXCLUDED and not self.generated

    def cell_at(self, offset: int) -> CellSpan | None:
        line = self.doc.line_at(offset)
        return next((c for c in self.cells if c.holds(line)), None)

    def cell_number(self, offset: int) -> int | None:
        """The 1-based number of the notebook cell holding ``offset`` (as editors count cells,
        markdown ones too), or None in a file."""
        cell = self.cell_at(offset)
        return cell.index + 1 if cell is not None else None

    def location(self, start: int, end: int, *, utf16: bool = False) -> tuple[int, int, int, int]:
        """1-based (start line, start column, end line, end column) of a byte span; columns in
        code points or UTF-16 units. The end column is exclusive, as SARIF wants it. In a
        notebook, lines are the cell's own (see :meth:`cell_number`)."""
        start_line, start_col = _line_col(self.doc, start, utf16)
        end_line, end_col = _line_col(self.doc, end, utf16)
        cell = self.cell_at(start)
        if cell is not None:
            last = cell.first + cell.lines - 1
            if end_line > last:
                end_line, end_col = _line_col(self.doc, self.doc.line_end(last), utf16)
            start_line, end_line = start_line - cell.first, end_line - cell.first
        return start_line + 1, start_col + 1, end_line + 1, end_col + 1


#: SARIF 2.1.0's logical location kinds (§3.33.7) of the review's units; a chunk of a file
#: without a grammar (``units.Unit.kind`` "chunk") is no logical location.
_KINDS = {"function": "function", "method": "member", "class": "type", "module": "module"}
#: A long module's or class's code outside its definitions is cut in parts
#: (``units._rest_units``): each is still that module or class.
_PART = re.compile(r", part \d+$")
#: Files whose folders holding an ``__init__`` of the same suffix make its dotted name.
_PYTHON_SUFFIXES = frozenset({".py", ".pyi"})


def module_name(path: str) -> tuple[str, str | None]:
    """A file's module, as SARIF names a logical location (§3.33.4): its identifier and, where
    that differs, its fully qualified name. A Python file's packages are the folders above it
    holding an ``__init__.py``, as Python imports it (``pkg/sub/store.py``: ``store``,
    ``pkg.sub.store``; ``pkg/__init__.py``: ``pkg``); any other file's module is its stem."""
    p = Path(path)
    if p.suffix not in _PYTHON_SUFFIXES:
        return p.stem, None
    parts = [] if p.stem == "__init__" else [p.stem]
    folder = Path(os.path.abspath(p)).parent
    while any((folder / f"__init__{suffix}").is_file() for suffix in _PYTHON_SUFFIXES):
        parts.insert(0, folder.name)
        if folder.parent == folder:
            break
        folder = folder.parent
    if not parts:  # an ``__init__.py`` outside any package
        return p.stem, None
    return parts[-1], (".".join(parts) if len(parts) > 1 else None)


def logical_location(
    unit: str, unit_kind: str, module: tuple[str, str | None]
) -> tuple[str, str | None, str] | None:
    """Where a unit (a finding's) is in the code's structure, the same in every report: its
    name, fully qualified name where that differs, and SARIF kind; None for a chunk of a file
    with no grammar. A method's name is its own, its class's with it the fully qualified one
    (``Large.last``); the code outside definitions is its ``module``'s (:func:`module_name`)."""
    kind = _KINDS.get(unit_kind)
    if not unit or kind is None:
        return None
    if kind == "module":
        return (*module, kind)
    unit = _PART.sub("", unit)
    if kind == "member" and "." in unit:
        return unit.rsplit(".", 1)[1], unit, kind
    return unit, None, kind


def _line_col(doc: Document, offset: int, utf16: bool) -> tuple[int, int]:
    line = doc.line_at(offset)
    head = doc.data[doc.line_start(line) : offset].decode("utf-8", "replace")
    return line, (len(head.encode("utf-16-le")) // 2 if utf16 else len(head))


def count_at_least(results: list[FileResult], threshold: str) -> int:
    return sum(1 for r in results for f in r.findings if at_least(f.severity, threshold))


def totals(results: list[FileResult]) -> dict[str, int]:
    out = {s: 0 for s in SEVERITIES}
    for r in results:
        for f in r.findings:
            out[f.severity] = out.get(f.severity, 0) + 1
    return out


def split_stopped(results: list[FileResult], fatal: str | None) -> tuple[list[FileResult], int]:
    """The files a report lists one by one, and how many the run's ``fatal`` error left unsent:
    those are counted under it, once (a rejected key in a project of 2,000 files was 2,000
    lines of the same 250 characters, the files' findings and errors lost among them)."""
    listed = [r for r in results if fatal is None or r.skipped != fatal]
    return listed, len(results) - len(listed)


def to_text(
    results: list[FileResult],
    *,
    color: bool = False,
    fatal: str | None = None,
    spent: str | None = None,
) -> str:
    """``fatal``: why the run stopped (see :func:`split_stopped`); ``spent``: what the run's
    requests cost, said after what the cache answered."""
    paint = {
        "critical": "\033[1;31m",
        "warning": "\033[33m",
        "info": "\033[36m",
    }
    reset = "\033[0m" if color else ""
    lines: list[str] = []
    listed, stopped = split_stopped(results, fatal)
    for r in listed:
        if r.skipped:
            # Too large, binary, not UTF-8: said, as a CI log is all its reader sees (only the
            # JSON report said it, and a changed file left unreviewed passed the check unseen).
            if r.said_skipped():
                lines.append(f"{shown_name(r.path)}: not reviewed: {r.skipped}")
            continue
        for f in r.findings:
            line, col, _, _ = r.location(f.start, f.end)
            sev = f"{paint[f.severity]}{f.severity}{reset}" if color else f.severity
            cell = r.cell_number(f.start)
            where = shown_name(r.path) + (f":cell {cell}" if cell is not None else "")
            lines.append(f"{where}:{line}:{col}: {sev}: {no_command(f.message)} [{f.id}]")
            excerpt = f.code.strip().splitlines()
            lines.append(f"    | {shown_line(excerpt[0])}" + (" …" if len(excerpt) > 1 else ""))
            if f.fix is not None:
                fix = f.fix.strip().splitlines() or [""]
                lines.append(f"    fix: {shown_line(fix[0])}" + (" …" if len(fix) > 1 else ""))
        for error in r.errors:
            lines.append(f"{shown_name(r.path)}: error: {no_command(str(error))}")
    if stopped:
        lines.append(f"{counted(stopped, 'file')} not reviewed: {fatal}")
    reviewed, counts = summary(results)
    skipped = sum(1 for r in results if r.skipped and not r.generated)
    asked = sum(r.units_asked for r in results)
    units = sum(r.units for r in results)
    too_large = sum(r.units_too_large for r in results)
    dropped = sum(r.stats.unplaced for r in results)
    shared = sum(r.units_shared for r in results)
    lines.append(
        f"{reviewed}, {units - asked - too_large} of {counted(units, 'unit')} from the cache"
        + (f", {counted(shared, 'unit')} answered by another file's request" if shared else "")
        # (not sent, named each in its file's error: counted as the cache's, they read as reviewed)
        + (f", {counted(too_large, 'unit')} too large for the server's context" if too_large else "")
        + (f", {spent}" if spent else "")
        + f": {counts}"
        + (f"; {counted(dropped, 'finding')} could not be placed and {'was' if dropped == 1 else 'were'} dropped" if dropped else "")
        + (f"; {counted(skipped, 'file')} not reviewed" if skipped else "")
        + generated_skipped(results)
    )
    return "\n".join(lines) + "\n"


def summary(results: list[FileResult]) -> tuple[str, str]:
    """The closing line's two parts every report format shares: "N files reviewed (M with
    errors)" and the findings by severity."""
    t = totals(results)
    reviewed = sum(1 for r in results if not r.skipped)
    # Sent, but a request failed (a timeout, a server error): some of it may not be reviewed,
    # which "N file(s) reviewed" alone did not say; "1 file(s) reviewed: 0 critical" closed the
    # log of a run whose every request was refused, read as a clean review of that file.
    failed = sum(1 for r in results if not r.skipped and r.errors)
    return (
        f"{counted(reviewed, 'file')} reviewed{f' ({failed} with errors)' if failed else ''}",
        f"{t['critical']} critical, {counted(t['warning'], 'warning')}, {t['info']} info",
    )


def generated_skipped(results: list[FileResult]) -> str:
    """The closing line's word on the generated files left out ("" for none): a folder's
    bundles and ``DO NOT EDIT`` files were reviewed, and paid for, though a save skips them."""
    n = sum(1 for r in results if r.generated)
    return f"; {counted(n, 'generated file')} skipped ({GENERATED_HINT})" if n else ""


#: A run's ``error`` when no fatal error stopped it but some file's review failed.
INCOMPLETE = "some reviews did not complete (see the files' errors)"


def usage_of(total: Totals, *, reached: bool = True) -> dict[str, Any]:
    """What a run's requests used and cost, for the JSON report's ``usage`` and SARIF's run
    properties (only the text report said it: a CI job keeping JSON kept no record of it).
    ``costUsd`` is what the requests of known cost cost; ``unknownCost`` counts the others;
    ``notReached`` the tries that never reached the server (refused or dropped connects, none
    billed), all of them in a run none of whose requests did (``reached`` false): ``"requests":
    4, "costUsd": 0.0`` alone read as 4 sent and billed nothing."""
    return {
        "requests": total.requests,
        "notReached": 0 if reached else total.requests,
        "costUsd": round(total.cost_usd, 8),
        "unknownCost": total.unknown_cost,
        "estimatedUsd": round(total.estimated_usd, 8),
        # Those whose usage never came (cut mid-answer, past their time limit): their token
        # figures counted here, not the provider's ("~" in the text report).
        "estimatedRequests": total.estimated,
        "promptTokens": total.prompt_tokens,
        "cacheHitTokens": total.cache_hit_tokens,
        "cacheMissTokens": total.cache_miss_tokens,
        "outputTokens": total.output_tokens,
        # What the text report's closing line says (and `deepseek-lsp usage --json`'s
        # cache_hit_share): the figure a run's cost follows, null without a prompt.
        "cacheHitShare": total.cache_hit_share(),
    }


def to_json(
    results: list[FileResult], *, fatal: str | None = None, usage: dict[str, Any] | None = None
) -> str:
    """``fatal``: why the run stopped. The report says the run failed (``error``), as SARIF's
    ``executionSuccessful`` does: a key refused before any file was sent gave ``"files": []``
    and zero totals, a clean review to whatever reads the file and not the exit status.
    ``usage``: the run's requests (:func:`usage_of`)."""
    files: list[dict[str, Any]] = []
    for r in results:
        items = []
        module = module_name(r.path)
        for f in r.findings:
            where = logical_location(f.unit, f.unit_kind, module)
            line, col, end_line, end_col = r.location(f.start, f.end)
            items.append(
                {
                    "id": f.id,
                    "severity": f.severity,
                    "message": f.message,
                    "cell": r.cell_number(f.start),
                    "line": line,
                    "column": col,
                    "endLine": end_line,
                    "endColumn": end_col,
                    "code": f.code,
                    "suggestion": f.fix,
                    "confidence": f.confidence,
                    # as SARIF's logical location names it: "module level" named every
                    # file's own code, "Large, part 2" a long class's part
                    "unit": where and (where[1] or where[0]),
                    "fingerprint": f.fingerprint,
                }
            )
        files.append(
            {
                "path": r.path,
                "findings": items,
                "units": r.units,
                "unitsSent": r.units_sent,
                "unitsShared": r.units_shared,
                "dropped": {
                    "unplaced": r.stats.unplaced,
                    "lowConfidence": r.stats.low_confidence,
                    "belowSeverity": r.stats.below_severity,
                    "ignored": r.stats.ignored,
                },
                "errors": r.errors,
                "skipped": r.skipped,
            }
        )
    error = fatal or (INCOMPLETE if any(r.errors for r in results) else None)
    report: dict[str, Any] = {
        "version": 1, "error": error, "files": files, "totals": totals(results)
    }
    if usage is not None:
        report["usage"] = usage
    return json.dumps(report, indent=2) + "\n"
