"""SARIF 2.1.0 output, for code-scanning tools (GitHub code scanning, Azure DevOps, IDE viewers).

Paths are relative to ``%SRCROOT%`` (the project root) so the log stays valid when uploaded from
another checkout; columns are UTF-16 code units, SARIF's default ``columnKind``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .. import __version__
from .answer import SEVERITIES
from .findings import Finding
from .prompt import _redacted_lines
from .report import FileResult, logical_location, module_name

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVELS = {"critical": "error", "warning": "warning", "info": "note"}
_RULE_TEXT = {
    "critical": "A problem that crashes, corrupts data or opens a security hole.",
    "warning": "A likely bug or fragile code.",
    "info": "A worthwhile improvement.",
}


def rule_id(severity: str) -> str:
    return f"deepseek-review/{severity}"


def _rules() -> list[dict[str, Any]]:
    return [
        {
            "id": rule_id(sev),
            "name": f"DeepSeekReview{sev.capitalize()}",
            "shortDescription": {"text": f"DeepSeek review: {sev}"},
            "fullDescription": {"text": _RULE_TEXT[sev]},
            "defaultConfiguration": {"level": _LEVELS[sev]},
        }
        for sev in SEVERITIES
    ]


def _region(result: FileResult, start: int, end: int, snippet: str | None) -> dict[str, Any]:
    line, col, end_line, end_col = result.location(start, end, utf16=True)
    region: dict[str, Any] = {
        "startLine": line,
        "startColumn": col,
        "endLine": end_line,
        "endColumn": end_col,
    }
    if snippet is not None:
        region["snippet"] = {"text": snippet}
    return region


def _logical(f: Finding, module: tuple[str, str | None]) -> list[dict[str, Any]]:
    """Where the finding is in the code's structure: its unit, by its kind (see
    :func:`report.logical_location`)."""
    where = logical_location(f.unit, f.unit_kind, module)
    if where is None:
        return []
    name, qualified, kind = where
    return [{"name": name, **({"fullyQualifiedName": qualified} if qualified else {}), "kind": kind}]


def _snippet(result: FileResult, f: Finding) -> str:
    """The finding's code as the report quotes it, with no secret the model was not shown: a
    hard-coded password is what reviewers flag, quoted as the prompt showed it
    (``DB_PASSWORD = "[REDACTED]"``) and placed on the real line, whose text went into the
    report (code scanning, CI artifacts). Lines a secret was redacted from are quoted redacted,
    whole; a private key's lines are found by redacting the whole text, as the prompt was."""
    doc = result.doc
    text = doc.data[f.start : f.end].decode("utf-8", "replace")
    first, last = doc.line_at(f.start), doc.line_at(max(f.start, f.end - 1))
    redacted = _redacted_lines(doc)[first : last + 1]
    if redacted == [doc.line_text(n) for n in range(first, last + 1)]:
        return text
    return "\n".join(redacted).strip()


def _uri_path(p: Path) -> str:
    # A URI reference, not a path: a space, '#' or '%' in a name would end it or read as an
    # escape (GitHub code scanning then finds no such file). From the name's bytes, as
    # Path.as_uri does, so a name that is not UTF-8 keeps its bytes.
    return quote(os.fsencode(p.as_posix()), safe="/")


def _artifact(path: str, root: Path | None) -> dict[str, Any]:
    p = Path(path)
    if root is not None:
        try:
            rel = p.resolve().relative_to(root.resolve())
            return {"uri": _uri_path(rel), "uriBaseId": "SRCROOT"}
        except ValueError:
            pass
    if p.is_absolute() or root is not None:
        # Outside the root (``../shared/x.py``): a relative URI without a base would be read
        # against whatever base the viewer picks (code scanning: the repository's root).
        return {"uri": Path(os.path.abspath(p)).as_uri()}
    return {"uri": _uri_path(p)}


def to_sarif(
    results: list[FileResult],
    *,
    root: Path | None = None,
    model: str = "",
    fatal: str | None = None,
    usage: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """``fatal``: why the review stopped (a rejected key, a refused URL): the run did not
    succeed, whatever results it holds, so code scanning does not take it as a clean one.
    ``usage``: what its requests cost (``report.usage_of``), in the run's property bag."""
    severities = list(SEVERITIES)
    sarif_results: list[dict[str, Any]] = []
    notifications: list[dict[str, Any]] = []
    if fatal and not any(fatal in r.errors for r in results):  # else a file's error says it
        notifications.append({"level": "error", "message": {"text": fatal}})
    for r in results:
        location = _artifact(r.path, root)
        module = module_name(r.path)
        prints = _fingerprints(r.findings)
        for f in r.findings:
            text = _snippet(r, f)
            cell = r.cell_number(f.start)
            if cell is not None:
                sarif_results.append(
                    _in_notebook(r, f, location, cell, severities, prints[id(f)], module)
                )
                continue
            item: dict[str, Any] = {
                "ruleId": rule_id(f.severity),
                "ruleIndex": severities.index(f.severity),
                "level": _LEVELS[f.severity],
                "message": {"text": f.message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": location,
                            "region": _region(r, f.start, f.end, text),
                        },
                        "logicalLocations": _logical(f, module),
                    }
                ],
                "partialFingerprints": {"deepseekFinding/v1": prints[id(f)]},
                "properties": {"confidence": f.confidence, "findingId": f.id},
            }
            if f.fix is not None:
                item["fixes"] = [
                    {
                        "description": {"text": "Apply DeepSeek fix"},
                        "artifactChanges": [
                            {
                                "artifactLocation": location,
                                "replacements": [
                                    {
                                        "deletedRegion": _region(r, f.start, f.end, None),
                                        "insertedContent": {"text": f.fix},
                                    }
                                ],
                            }
                        ],
                    }
                ]
            sarif_results.append(item)
        if r.said_skipped() and r.skipped != fatal:
            # Too large, binary, not UTF-8: said, as the text report says it. A changed file
            # left unreviewed read as a clean one to code scanning. (A warning: the run is
            # still as successful as the user's limits allow.)
            notifications.append(
                {
                    "level": "warning",
                    "message": {"text": f"not reviewed: {r.skipped}"},
                    "locations": [{"physicalLocation": {"artifactLocation": location}}],
                }
            )
        for error in r.errors:
            notifications.append(
                {
                    "level": "error",
                    "message": {"text": error},
                    "locations": [{"physicalLocation": {"artifactLocation": location}}],
                }
            )
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "deepseek-lsp",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": _rules(),
                "properties": {"model": model} if model else {},
            }
        },
        "columnKind": "utf16CodeUnits",
        "results": sarif_results,
        "invocations": [
            {
                "executionSuccessful": not any(n["level"] == "error" for n in notifications),
                "toolExecutionNotifications": notifications,
            }
        ],
    }
    if usage is not None:
        run["properties"] = {"usage": usage}
    if root is not None:
        run["originalUriBaseIds"] = {"SRCROOT": {"uri": root.resolve().as_uri() + "/"}}
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def _fingerprints(findings: list[Finding]) -> dict[int, str]:
    """Each finding's fingerprint for code scanning, which takes results with the same one for
    the same alert: the same code and message twice in a file (``if row == None:`` in two
    functions) are told apart by their order, the first keeping the plain one. Not by line: an
    alert must survive the lines above it moving."""
    seen: dict[str, int] = {}
    out: dict[int, str] = {}
    for f in sorted(findings, key=lambda f: f.start):
        n = seen[f.fingerprint] = seen.get(f.fingerprint, 0) + 1
        out[id(f)] = f.fingerprint if n == 1 else f"{f.fingerprint}:{n}"
    return out


def _in_notebook(
    r: FileResult,
    f: Finding,
    location: dict[str, Any],
    cell: int,
    severities: list[str],
    fingerprint: str,
    module: tuple[str, str | None],
) -> dict[str, Any]:
    """A finding in a notebook cell. SARIF regions are lines of the file, and a notebook's file
    is JSON: the result names the file only, and says where in which cell in its message and
    properties (no region that would point at the wrong line, no fix to apply there)."""
    line, col, end_line, end_col = r.location(f.start, f.end, utf16=True)
    return {
        "ruleId": rule_id(f.severity),
        "ruleIndex": severities.index(f.severity),
        "level": _LEVELS[f.severity],
        "message": {"text": f"Cell {cell}, line {line}: {f.message}"},
        "locations": [
            {
                "physicalLocation": {"artifactLocation": location},
                "logicalLocations": _logical(f, module),
            }
        ],
        "partialFingerprints": {"deepseekFinding/v1": fingerprint},
        "properties": {
            "confidence": f.confidence,
            "findingId": f.id,
            "cell": cell,
            "cellRegion": {
                "startLine": line,
                "startColumn": col,
                "endLine": end_line,
                "endColumn": end_col,
            },
            **({"suggestion": f.fix} if f.fix is not None else {}),
        },
    }


def dumps(
    results: list[FileResult],
    *,
    root: Path | None = None,
    model: str = "",
    fatal: str | None = None,
    usage: dict[str, Any] | None = None,
) -> str:
    log = to_sarif(results, root=root, model=model, fatal=fatal, usage=usage)
    return json.dumps(log, indent=2) + "\n"
