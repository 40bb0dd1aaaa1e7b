"""Review results as GitHub Actions workflow commands (``--format github``).

Printed in a job's log, each ``::error file=…,line=…::message`` becomes an annotation on the
pull request's diff, on the line it names: no code scanning needed (SARIF upload needs it, and
on a private repository it needs GitHub Advanced Security). The run's errors are annotations
too, and a summary line closes the log as in the text report.
"""

from __future__ import annotations

from pathlib import Path

from .report import EXCLUDED, FileResult, split_stopped, totals

#: A finding's severity as the workflow command that shows it.
COMMANDS = {"critical": "error", "warning": "warning", "info": "notice"}


def _data(text: str) -> str:
    """A command's message: ``%``, CR and LF escaped, as the runner reads them back."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    """A property's value (a path, a title): also ``:`` and ``,``, which end a property."""
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def _repository_path(path: str, root: Path | None) -> str:
    """Relative to the repository's root, which is what the runner matches against the diff
    (a report run from a subfolder names files from there)."""
    if root is not None:
        try:
            return Path(path).resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return Path(path).as_posix()


def to_github(results: list[FileResult], *, root: Path | None = None, fatal: str | None = None) -> str:
    lines: list[str] = []
    listed, stopped = split_stopped(results, fatal)
    for r in listed:
        file = _property(_repository_path(r.path, root))
        if r.skipped:
            if r.skipped != EXCLUDED:
                lines.append(f"::warning file={file},title=Not reviewed::{_data(r.skipped)}")
            continue
        for f in r.findings:
            line, col, end_line, end_col = r.location(f.start, f.end)
            cell = r.cell_number(f.start)
            # A notebook's lines are its cell's: the runner would put them on the JSON file's.
            where = f",line={line},col={col},endLine={end_line},endColumn={end_col}" if cell is None else ""
            message = f.message + (f" (cell {cell}, line {line})" if cell is not None else "")
            if f.fix is not None and f.fix.strip():
                message += "\nSuggested fix:\n" + f.fix.rstrip()
            title = _property(f"DeepSeek review: {f.severity} [{f.id}]")
            lines.append(f"::{COMMANDS.get(f.severity, 'notice')} file={file}{where},title={title}::{_data(message)}")
        for error in r.errors:
            lines.append(f"::error file={file},title=Review failed::{_data(error)}")
    if stopped:
        lines.append(f"::error title=Review stopped::{_data(f'{stopped} file(s) not reviewed: {fatal}')}")
    t = totals(results)
    reviewed = sum(1 for r in results if not r.skipped)
    # As the text report says it: "1 file(s) reviewed: 0 critical" closed the log of a run
    # whose every request was refused, read as a clean review of that file.
    failed = sum(1 for r in results if not r.skipped and r.errors)
    lines.append(
        f"{reviewed} file(s) reviewed{f' ({failed} with errors)' if failed else ''}: "
        f"{t['critical']} critical, {t['warning']} warning(s), {t['info']} info"
    )
    return "\n".join(lines) + "\n"
