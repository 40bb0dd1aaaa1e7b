"""Review results as GitHub Actions workflow commands (``--format github``).

Printed in a job's log, each ``::error file=…,line=…::message`` becomes an annotation on the
pull request's diff, on the line it names: no code scanning needed (SARIF upload needs it, and
on a private repository it needs GitHub Advanced Security). The run's errors are annotations
too, and a summary line closes the log as in the text report.
"""

from __future__ import annotations

from pathlib import Path

from ..console import counted, no_command, shown_line, shown_name
from .report import FileResult, generated_skipped, split_stopped, summary

#: A finding's severity as the workflow command that shows it.
COMMANDS = {"critical": "error", "warning": "warning", "info": "notice"}

#: Annotations of one kind (error, warning, notice) the runner shows for a step: the rest are
#: dropped without a word (actions/toolkit's docs/problem-matchers.md), and an eleventh warning
#: on the pull request's diff was simply not there.
PER_STEP = 10


def _data(text: str) -> str:
    """A command's message: ``%``, CR and LF escaped, as the runner reads them back."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    """A property's value (a path, a title): also ``:`` and ``,``, which end a property."""
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def stopped_before_review(said: str) -> str:
    """What stopped a run before it reviewed anything (``said`` on stderr, a line each) as one
    annotation: on stderr alone, the job's annotations said only "Process completed with exit
    code 2"."""
    title = _property("DeepSeek review not run")
    return f"::error title={title}::{_data(said)}"


def _repository_path(path: str, root: Path | None) -> str:
    """Relative to the repository's root, which is what the runner matches against the diff
    (a report run from a subfolder names files from there)."""
    if root is not None:
        try:
            return Path(path).resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return Path(path).as_posix()


def to_github(
    results: list[FileResult],
    *,
    root: Path | None = None,
    fatal: str | None = None,
    spent: str | None = None,
) -> str:
    """``spent``: what the run's requests cost, said in the closing line of the log as the text
    report says it; no notice: the runner shows 10 of them a step, info findings among them."""
    # (command, its properties, its message, the same as a plain log line)
    notes: list[tuple[str, str, str, str]] = []
    listed, stopped = split_stopped(results, fatal)
    for r in listed:
        path = _repository_path(r.path, root)
        file = _property(path)
        if r.skipped:
            if r.said_skipped():
                said = f"{shown_name(path)}: not reviewed: {r.skipped}"
                notes.append(("warning", f"file={file},title=Not reviewed", r.skipped, said))
            continue
        for f in r.findings:
            line, col, end_line, end_col = r.location(f.start, f.end, utf16=True)
            cell = r.cell_number(f.start)
            # A notebook's lines are its cell's: the runner would put them on the JSON file's.
            # Columns on one line only: the runner takes none across lines ("'col' and
            # 'endColumn' cannot be set if 'line' and 'endLine' are different values").
            # In UTF-16 units, as the SARIF report's: the runner passes them on as they are,
            # GitHub's own problem matchers (setup-node's ESLint, tsc) give it UTF-16 columns,
            # and code scanning reads SARIF's so; counted in code points, an annotation after
            # an emoji began a column before the SARIF result of the same finding.
            if cell is not None:
                where = ""
            elif line == end_line:
                where = f",line={line},col={col},endLine={end_line},endColumn={end_col}"
            else:
                where = f",line={line},endLine={end_line}"
            message = f.message + (f" (cell {cell}, line {line})" if cell is not None else "")
            if f.fix is not None and f.fix.strip():
                # Escaped as the text report shows it: a fix keeps the controls of the code
                # it rewrites (a raw ESC there), which reached the job's log as they were.
                fix = "\n".join(shown_line(line) for line in f.fix.rstrip().split("\n"))
                message += "\nSuggested fix:\n" + fix
            title = _property(f"DeepSeek review: {f.severity} [{f.id}]")
            # The log's plain line, as the text report's: characters, as a terminal counts.
            at = f"{shown_name(path)}:{line}:{r.location(f.start, f.end)[1]}" if cell is None else shown_name(path)
            plain = f"{at}: {f.severity}: {message.split(chr(10))[0]} [{f.id}]"
            notes.append((COMMANDS.get(f.severity, "notice"), f"file={file}{where},title={title}", message, plain))
        for error in r.errors:
            said = f"{shown_name(path)}: review failed: {error}"
            notes.append(("error", f"file={file},title=Review failed", error, said))
    if stopped:
        said = f"{counted(stopped, 'file')} not reviewed: {fatal}"
        notes.append(("error", "title=Review stopped", said, said))
    lines = _within_the_runners_limits(notes)
    reviewed, counts = summary(results)
    lines.append(f"{reviewed}{f', {spent}' if spent else ''}: {counts}{generated_skipped(results)}")
    return "\n".join(lines) + "\n"


def _within_the_runners_limits(notes: list[tuple[str, str, str, str]]) -> list[str]:
    """Workflow commands, PER_STEP of a kind at most: past that, the last one the runner shows
    says how many more there are, and those are written as plain lines of the log below."""
    kinds = {kind: sum(1 for n in notes if n[0] == kind) for kind, *_ in notes}
    shown: dict[str, int] = dict.fromkeys(kinds, 0)
    lines: list[str] = []
    rest: list[str] = []
    for kind, properties, message, plain in notes:
        if kinds[kind] <= PER_STEP or shown[kind] < PER_STEP - 1:
            lines.append(f"::{kind} {properties}::{_data(message)}")
            shown[kind] += 1
        else:
            rest.append(plain)
    for kind, count in kinds.items():
        if count > PER_STEP:
            more = count - shown[kind]
            title = _property(f"DeepSeek review: {more} more")
            lines.append(
                f"::{kind} title={title}::{more} more {kind} annotations are not shown on the "
                f"files: GitHub shows {PER_STEP} of a kind a step. They are in this step's log "
                "(and all of them in --format sarif)"
            )
    if rest:
        lines.append(f"Not shown as annotations ({len(rest)}):")
        # One line each, indented, and no command to the runner all the same: it trims a line
        # before it looks for "::" (a name is shown ./::…), and takes the legacy ``##[error]``
        # anywhere in it (a pull request's name, what it had the model say).
        lines.extend("  " + no_command(" ".join(plain.splitlines())) for plain in rest)
    return lines
