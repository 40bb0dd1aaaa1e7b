"""Reviewing a command-line run's files, ``--jobs`` at a time, with a progress bar on a
terminal; a run stops sending once an error every later file would meet too has come.
"""

from __future__ import annotations

import asyncio
import os
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TextIO

from ..config import Settings
from ..console import counted, shown_name
from ..documents import Document
from ..languages import LanguageRegistry
from ..model.errors import BudgetExceeded, ConnectError, ModelError, refuses_every_request
from ..workspace_symbols import WorkspaceSymbols
from .changed_hunks import revision_text
from .engine import ReviewEngine
from .first_answer import FirstAnswerFirst, NotSent
from .flights import ReviewOutcome
from .projects import project_of
from .removed import Removal, removals
from .report import FileResult
from .targets import Target, _display, _load


def _escapes_understood(stream: TextIO, env: Mapping[str, str]) -> bool:
    """Whether ``stream`` is a terminal that takes escape codes: Emacs' compilation buffer and
    other ``TERM=dumb`` terminals showed the bar's and colors' codes raw."""
    return stream.isatty() and env.get("TERM") != "dumb"


def _use_color(stream: TextIO, env: Mapping[str, str]) -> bool:
    """Colored severities for a terminal, unless the user asked for none (https://no-color.org:
    any non-empty ``NO_COLOR``), which the report ignored."""
    return _escapes_understood(stream, env) and not env.get("NO_COLOR")


class _Bar:
    """A one-line progress bar on stderr, only when stderr is a terminal that can redraw it."""

    def __init__(self, total: int, stream: TextIO, env: Mapping[str, str] | None = None) -> None:
        self.total = total
        self.done = 0
        self.findings = 0
        self._stream = stream
        self._on = _escapes_understood(stream, os.environ if env is None else env) and total > 0

    def update(self, result: FileResult) -> None:
        self.done += 1
        self.findings += len(result.findings)
        if not self._on:
            return
        width = 24
        filled = int(width * self.done / self.total)
        shown = shown_name(result.path)
        name = shown if len(shown) <= 40 else "…" + shown[-39:]
        self._stream.write(
            f"\r\033[K[{'#' * filled}{'-' * (width - filled)}] {self.done}/{self.total} files, "
            f"{counted(self.findings, 'finding')}  {name}"
        )
        self._stream.flush()

    def close(self) -> None:
        if self._on:
            self._stream.write("\r\033[K")
            self._stream.flush()


async def review_targets(
    targets: Sequence[Target],
    settings: Settings,
    registry: LanguageRegistry,
    *,
    jobs: int,
    use_cache: bool,
    root: Path | None,
    client: object,
    engine: ReviewEngine,
    stream: TextIO,
    symbols: WorkspaceSymbols | None = None,
) -> tuple[list[FileResult], str | None]:
    """Review the files, ``jobs`` at a time. Returns the results and a fatal error, if any."""
    ignores: dict[str, frozenset[str]] = {}
    limit = asyncio.Semaphore(max(1, jobs))
    bar = _Bar(len(targets), stream)
    fatal: str | None = None
    reached = False  # a request of this run was answered
    roots = [root] if root else [Path.cwd()]
    began = time.time()

    async def one(target: Target) -> FileResult:
        nonlocal fatal, reached
        shown = _display(target.path)
        async with limit:
            result = _load(target.path, shown, registry, settings, named=target.named, marked=target.marked)
            if target.skip and not result.skipped:
                result.skipped = target.skip
            lines = None if target.lines is None or result.skipped else document_lines(result.doc, target.lines)
            if result.skipped is None and fatal is not None:
                if not (use_cache and _all_cached(engine, result.doc, settings, lines, roots)):
                    # Never sent: it must not read as reviewed with nothing found. (The report
                    # says "not reviewed:" before the reason: "not reviewed: not reviewed: …".)
                    result.skipped = fatal
            if result.skipped:
                bar.update(result)
                return result
            # What the user ignored in the editor, in this file's project.
            project = _project(target.path)
            if project not in ignores:
                ignores[project] = engine.cache.ignored(project)
            outcome = await engine.review(
                client,
                result.doc,
                settings,
                path=shown,
                use_cache=use_cache,
                # Without the cache, this run's own answers still: that is sharing, not caching.
                fresh_since=began,
                lines=lines,
                removed=await _removed(target, result.doc),
                ignored=ignores[project],
                roots=roots,
                symbols=symbols,
                # A unit another file of the run has under way (the same code, as a copied
                # module's) waits for that request's answer: each file sent its own, paid twice.
                share=True,
            )
            # The report needs the text only: the syntax tree (some twenty times the text's
            # size) was kept for every file until the end, a gigabyte for a large project.
            result.doc.drop_tree()
        result.findings = outcome.findings
        if result.cells:
            # A finding on a cell header or in a markdown cell's comment has no code to point at.
            result.findings = [f for f in outcome.findings if result.cell_at(f.start)]
            outcome.stats.unplaced += len(outcome.findings) - len(result.findings)
        result.stats = outcome.stats
        result.units = outcome.units
        result.units_asked = outcome.units_asked
        result.units_too_large = outcome.too_large
        # What went out only: the units of a request held back (a wrong key's run) were counted.
        result.units_sent = len(outcome.sent_unit_ids)
        result.units_shared = len(outcome.shared_unit_ids)
        # A batch held back (NotSent) was no request: a large file's read "(in 3 requests)".
        sent = [e.cli_message for e in outcome.errors if not isinstance(e, NotSent)]
        result.errors = _distinct(sent + outcome.problems)
        # Answered, if only in part (a self-hosted server may give no usage to tell it by).
        reached = reached or outcome.requests > len(outcome.errors)
        refusal = client.refused if isinstance(client, FirstAnswerFirst) else None
        stop = outcome.fatal or _stopping(outcome.errors, reached)
        if refusal is not None and any(e is refusal for e in outcome.errors):
            stop = refusal  # (a 400 is no outcome.fatal: the editor goes on sending)
        if stop is not None:
            fatal = stop.cli_message
        if fatal is not None and _refused_whole(outcome, fatal):
            # Nothing of it reviewed, for the run's stop: counted with the files after it, the
            # stop said once ("1 file reviewed (1 with errors)" and the refusal a line of its
            # own, over "4 files not reviewed:" and the same words).
            result.skipped = fatal
            result.findings, result.errors = [], []
        bar.update(result)
        return result

    try:
        results = list(await asyncio.gather(*(one(t) for t in targets)))
    finally:
        bar.close()
    return results, fatal


async def _removed(target: Target, doc: Document) -> list[Removal]:
    """The lines ``--changed``'s change deleted from ``doc``'s units (see ``removed``)."""
    if target.before is None:
        return []
    before = await asyncio.to_thread(revision_text, *target.before)
    return [] if before is None else await asyncio.to_thread(removals, before, doc)


def _project(path: Path) -> str:
    """The project of ``path`` (``projects.project_of``), the working directory standing for
    the folder an editor opened."""
    return project_of(Path(os.path.abspath(path)), [Path.cwd()])


def _stopping(errors: Sequence[ModelError], reached: bool) -> ModelError | None:
    """An error each file after this one would meet too, though the editor goes on sending."""
    for error in errors:
        if isinstance(error, ConnectError) and not reached:
            # The server was never reached in this run (a wrong base URL, no network in the CI
            # job): each file after waited out its own retries to fail the same way, minutes
            # (a connect timeout: hours) of a run that could only fail, and the error line
            # repeated for every file of the project.
            return error
        if isinstance(error, BudgetExceeded) and error.spent >= error.budget:
            # Spent for the UTC day: every file after was refused in turn, each request's
            # refusal a line of the report (11 for one file).
            return error
    return None


def stops_the_run(error: ModelError) -> bool:
    """Whether each request of the run after ``error`` would meet it too (see first_answer)."""
    return refuses_every_request(error) or _stopping([error], reached=False) is not None


def _refused_whole(outcome: ReviewOutcome, fatal: str) -> bool:
    """Whether the run's stop (``fatal``) left nothing of the file reviewed: each of its
    requests refused by it (a rejected key, an empty balance, a wrong model's 400, a server
    never reached), by a spent daily budget (it waited for room while the files before it were
    under way), or held back after the run's first was refused; none answered, by the server
    or the cache."""
    errors = outcome.errors
    if errors and all(isinstance(e, NotSent) for e in errors):
        return True
    if errors and outcome.requests == len(errors) and all(
        isinstance(e, BudgetExceeded) and not e.held for e in errors
    ):
        return True
    nothing_answered = len(outcome.unanswered) == outcome.units_asked == outcome.units
    return (
        bool(errors)
        and nothing_answered
        and not (outcome.findings or outcome.problems)
        and all(isinstance(e, NotSent) or e.cli_message == fatal for e in errors)
    )


def _distinct(messages: Iterable[str]) -> list[str]:
    """Each message once, with how many requests said it: a file of eleven units refused
    for the same reason read as eleven identical lines."""
    counts: dict[str, int] = {}
    for message in messages:
        counts[message] = counts.get(message, 0) + 1
    return [m if n == 1 else f"{m} (in {n} requests)" for m, n in counts.items()]


def _all_cached(
    engine: ReviewEngine, doc: Document, settings: Settings, lines: set[int] | None, roots: Sequence[Path]
) -> bool:
    """Whether reviewing ``doc`` (its ``lines``) would send nothing: once the server is out of
    reach (or the key rejected), a file the cache answers whole is still reported, as the
    editor shows it."""
    _, missing = engine.cached_review(doc, settings, roots=roots)
    if missing is None:
        return False
    return not any(lines is None or any(u.contains_line(n) for n in lines) for u in missing)


def document_lines(doc: Document, git_lines: set[int]) -> set[int]:
    """The document's lines holding git's (0-based) ``git_lines``. git counts "\n" alone; the
    document, as LSP and the review's units do, a lone "\r" too: below a stray "\r" the
    lines of the change were not the ones reviewed (a changed function went unreviewed)."""
    data = doc.data
    if b"\r" not in data:
        return git_lines
    starts = [0, *(m.end() for m in re.finditer(b"\n", data))]
    out: set[int] = set()
    for n in git_lines:
        if n >= len(starts):  # past the end (a deletion there): as far past the document's end
            out.add(n - len(starts) + doc.line_count)
            continue
        last = starts[n + 1] - 1 if n + 1 < len(starts) else len(data)
        out.update(range(doc.line_at(starts[n]), doc.line_at(last) + 1))
    return out
