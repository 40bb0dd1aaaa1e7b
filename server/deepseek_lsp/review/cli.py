"""``deepseek-lsp review PATH...``: the editor's review engine on the terminal and in CI.

It shares the editor's review cache, so code the editor already reviewed costs nothing here
(and the other way round). Exit status: 0 no findings at or above ``--fail-on``, 1 some, 2 a
usage, configuration or backend error (an incomplete review never passes silently).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import stat
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from ..config import Settings, build_settings, read_settings_file
from ..console import counted, showable
from ..documents import Document, DocumentStore, utf8_source
from ..gitignore import drop_ignored, git
from ..languages import LanguageRegistry
from ..log import SECRETS
from ..model.errors import BudgetExceeded, ConnectError, ModelError
from ..model.ledger import Ledger, state_dir
from ..notebooks import Notebooks, ipynb_open_params
from ..privacy import is_excluded
from ..storage import folder_problem, state_folder_message
from ..symbol_crawler import stored_table
from ..workspace_symbols import WorkspaceSymbols
from .answer import SEVERITIES
from .cache import ReviewCache
from .engine import ReviewEngine
from .flights import ReviewOutcome
from .generated import generated
from .projects import project_of
from .report import EXCLUDED, FileResult, count_at_least, to_json, to_text

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
#: Folders never walked into: version control, virtualenvs, dependencies and caches (build
#: output is left to .gitignore, since a folder named "build" may hold sources).
SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        "node_modules",
        "site-packages",
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".tox",
        ".nox",
        ".cache",
        ".eggs",
        # Jupyter's copies of the notebooks it saved (analysis-checkpoint.ipynb), often not in
        # .gitignore: reviewed, paid for and reported beside the notebooks, stale findings too.
        ".ipynb_checkpoints",
    }
)
#: Files larger than ``completion.maxFileBytes`` are skipped (minified bundles, generated
#: code), not truncated, as the editor never sends them. A notebook file holds its outputs too
#: (images as base64): its cells are what that limit applies to, the file may be larger.
MAX_NOTEBOOK_FILE_BYTES = 50_000_000
NOTEBOOK_SUFFIX = ".ipynb"
_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@", re.M)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    # What a CI step is written against: --help said nothing of it.
    parser.epilog = (
        f"exit status: {EXIT_OK} no finding at or above --fail-on, {EXIT_FINDINGS} some, {EXIT_ERROR} a usage, "
        "configuration or backend error (an incomplete review never passes), 130 interrupted, "
        "141 the report's reader gone (| head)"
    )
    parser.add_argument(
        "paths",
        nargs="*",
        default=["."],
        metavar="PATH",
        help="files or folders (default: .); a folder's generated and minified files are skipped, a file named is reviewed",
    )
    parser.add_argument(
        "--changed",
        action="store_true",
        help="review only the code that git diff against --base changed",
    )
    parser.add_argument(
        "--base",
        help="the git revision --changed compares with, from where this branch left it, as a "
        "pull request's diff (default: HEAD; in a pull request's CI job, origin/ and the branch "
        "it targets, from GITHUB_BASE_REF or CI_MERGE_REQUEST_TARGET_BRANCH_NAME)",
    )
    parser.add_argument(
        "--format",
        choices=["text", "json", "sarif", "github"],
        help="report format (github: GitHub Actions annotations on the pull request's lines; "
        "default: text, or what --output's name ends with: .sarif, .json)",
    )
    parser.add_argument(
        "--output", "-o", metavar="FILE", help="write the report to FILE (default: stdout)"
    )
    parser.add_argument(
        "--fail-on",
        choices=[*SEVERITIES, "never"],
        default="critical",
        help="exit 1 when findings at or above this severity exist (default: critical)",
    )
    parser.add_argument(
        "--jobs", "-j", type=int, default=4, help="files reviewed at once (default: 4)"
    )
    parser.add_argument(
        "--settings",
        metavar="FILE",
        help='a JSON file of settings as an editor sends them, over the environment, e.g. '
        '{"backend": "chat", "baseUrl": "http://127.0.0.1:8000/v1", "review": {"model": "qwen"}}',
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="send every unit again (the results still refresh the cache)",
    )


# -- choosing files --------------------------------------------------------------------------------


@dataclass
class Target:
    path: Path
    #: 0-based lines to review (``--changed``); None means the whole file.
    lines: set[int] | None = None
    #: Named on the command line, not found in a folder: reviewed even when generated.
    named: bool = False


def git_root(start: Path) -> Path | None:
    result = git(start if start.is_dir() else start.parent, "rev-parse", "--show-toplevel")
    if result is None or result.returncode != 0:
        return None
    return Path(result.stdout.strip())


def _in_repository(path: Path, root: Path) -> bool:
    """By its name or where it leads: a link in the repository to a file elsewhere is the
    repository's file to git."""
    return any(p == root or root in p.parents for p in (Path(os.path.abspath(path)), path.resolve()))


def _is_venv(folder: Path) -> bool:
    return (folder / "pyvenv.cfg").is_file()


def _known_language(path: Path, registry: LanguageRegistry) -> bool:
    if path.suffix.lower() == NOTEBOOK_SUFFIX:
        return True  # its cells are in the kernel's language
    return registry.for_document(None, path.resolve().as_uri()) is not None


def walk(paths: Sequence[Path], registry: LanguageRegistry) -> list[Path]:
    """Files under ``paths`` in a language we know; named files are taken whatever they are."""
    out: list[Path] = []
    for path in paths:
        if not path.is_dir():
            out.append(path)  # named: what it is not (a named pipe), _load says
            continue
        for folder, dirs, files in os.walk(path):
            here = Path(folder)
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not _is_venv(here / d))
            for name in sorted(files):
                if not _special(here / name) and _known_language(here / name, registry):
                    out.append(here / name)
    return out


def _special(path: Path) -> bool:
    """A named pipe, socket or device: a pipe's read waited for a writer, and the run with it,
    forever."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False  # a broken link: _load says it cannot be read
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


#: The variables naming the branch a pull (merge) request targets, in its CI job.
CI_BASE_VARIABLES = ("GITHUB_BASE_REF", "CI_MERGE_REQUEST_TARGET_BRANCH_NAME")


def ci_base(env: Mapping[str, str]) -> tuple[str, str] | None:
    """The revision a pull request's CI job compares with, and the variable that named it. In
    that job the checkout is the commit under review with nothing changed: against HEAD,
    ``--changed`` reviewed nothing and the check passed."""
    for name in CI_BASE_VARIABLES:
        if env.get(name, "").strip():
            return f"origin/{env[name].strip()}", name
    return None


def _is_revision(root: Path, rev: str) -> bool:
    result = git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    return result is not None and result.returncode == 0


def _has_commits(root: Path) -> bool:
    return _is_revision(root, "HEAD")


def _is_shallow(root: Path) -> bool:
    result = git(root, "rev-parse", "--is-shallow-repository")
    return result is not None and result.stdout.strip() == "true"


def _no_revision(root: Path, named: str) -> str:
    """Why ``--base named`` names nothing, and what to do."""
    branch = named.removeprefix("origin/")
    if _is_shallow(root):
        # A CI checkout is shallow, of one branch: the base branch is not there until fetched
        # (git's "bad revision" said nothing of that).
        fetch = f"`{_fetch_command(root, branch, shallow=True)}`" if branch != named else "`git fetch --unshallow`"
        return (
            f"no revision {named!r} in this clone (a CI checkout often holds only the commit it "
            f"tests): fetch it first, e.g. {fetch}"
        )
    # A whole clone: a misspelt name was told to `git fetch --unshallow`, which git refuses
    # there ("--unshallow on a complete repository does not make sense").
    fetch = f"fetch it (`{_fetch_command(root, branch, shallow=False)}`) or " if branch != named else ""
    return f"no revision {named!r} in this repository: {fetch}check the name (`git branch -a` lists the branches)"


def _fetch_command(root: Path, branch: str, *, shallow: bool) -> str:
    """The fetch that makes ``origin/branch``. A clone of one branch (``git clone --depth=1
    --branch feature``, as many CI systems and scripts make it) fetches ``origin main`` into
    FETCH_HEAD only, unless told where to keep it: the short command the message gave left
    the run failing with the same message."""
    found = git(root, "config", "--get-all", "remote.origin.fetch")
    refspecs = found.stdout.split() if found is not None and found.returncode == 0 else []
    one_branch = bool(refspecs) and not any(r.endswith("refs/heads/*:refs/remotes/origin/*") for r in refspecs)
    target = f"{branch}:refs/remotes/origin/{branch}" if one_branch else branch
    return f"git fetch {'--depth=1 ' if shallow else ''}origin {target}"


def _merges(root: Path, base: str) -> bool:
    """Whether ``base`` is a parent of HEAD (a pull request's merge commit, or a branch one
    commit ahead): the diff with ``base`` is then the change, whatever history the clone lacks.
    A shallow clone cuts the commit's parents from its history, not from the commit itself,
    which still names them."""
    head = git(root, "cat-file", "commit", "HEAD")
    tip = git(root, "rev-parse", "--verify", "--quiet", f"{base}^{{commit}}")
    if head is None or tip is None or head.returncode != 0 or tip.returncode != 0:
        return False
    header = head.stdout.split("\n\n", 1)[0]
    return f"parent {tip.stdout.strip()}" in header.splitlines()


def _no_fork_note(root: Path, named: str) -> str:
    """Said when the diff is against ``named`` itself, HEAD not being a merge of it."""
    if not _is_shallow(root):
        return f"HEAD and {named} share no commit: comparing with {named} itself"
    return (
        f"no common commit of HEAD and {named} in this clone: comparing with {named} itself, so what "
        f"it changed since this branch left it is reviewed too (fetch more history, e.g. "
        f"`git fetch --deepen=100 origin`)"
    )


def changed_targets(
    root: Path,
    base: str,
    within: Sequence[Path],
    registry: LanguageRegistry | None = None,
    submodules: list[Path] | None = None,
    notes: list[str] | None = None,
) -> list[Target] | str:
    """Files and lines that differ from ``base`` (plus untracked files), or an error message.

    With a ``registry``, only files in a language it knows, as when walking folders (notes, data
    and lock files were sent too), unless a file is named itself. Renamed files count only
    their changed lines, and names are paths, not patterns (``x[1].py`` is not ``x1.py``).
    Changed submodules in scope (their diff is a commit id, not lines) go to ``submodules``;
    what the user should know of the comparison, to ``notes``.
    """
    named = base
    if base == "HEAD" and not _has_commits(root):
        # A repository without commits yet: everything in it is new, so compare with nothing
        # (git's empty tree) rather than fail on a HEAD that does not exist.
        empty = git(root, "hash-object", "-t", "tree", "--stdin", stdin="")
        if empty is not None and empty.returncode == 0:
            base = empty.stdout.strip()
    if named != "HEAD" and not _is_revision(root, base):
        return _no_revision(root, named)
    if named != "HEAD":
        # Against where this branch left ``base`` (as a pull request's diff is): once ``main``
        # moved on, what it changed since differs from the working tree too, and was reviewed
        # and paid for as this branch's change. Without a common commit (a shallow fetch of
        # ``base`` alone) the diff is against ``base`` itself.
        fork = git(root, "merge-base", base, "HEAD")
        if fork is not None and fork.returncode == 0 and fork.stdout.strip():
            base = fork.stdout.strip()
        elif notes is not None and not _merges(root, base):
            notes.append(_no_fork_note(root, named))
    status = git(root, "diff", "--name-status", "-M", "--diff-filter=d", "-z", base, "--")
    if status is None or status.returncode != 0:
        return f"git diff against {named!r} failed: {(status.stderr.strip() if status else 'git not found')}"
    untracked = git(root, "ls-files", "--others", "--exclude-standard", "-z")
    scope = [p.resolve() for p in within]

    def wanted(path: Path) -> bool:
        if path in scope:
            return path.is_file()
        folder = next((s for s in scope if s in path.parents), None)
        if folder is None or not path.is_file():
            return False
        if any(part in SKIP_DIRS for part in path.relative_to(folder).parts[:-1]):
            return False  # as walking skips them (an untracked .ipynb_checkpoints/)
        return registry is None or _known_language(path, registry)

    # (status, old name, new name): a rename names both, which the line diff needs to pair them.
    fields = status.stdout.split("\0")
    changes: list[tuple[str, str]] = []
    i = 0
    while i < len(fields) and fields[i]:
        kind = fields[i]
        if kind[:1] in ("R", "C"):
            changes.append((fields[i + 1], fields[i + 2]))
            i += 3
        else:
            changes.append(("", fields[i + 1]))
            i += 2
    targets: list[Target] = []
    for old, name in changes:
        path = (root / name).resolve()
        if submodules is not None and path.is_dir() and (path in scope or any(f in path.parents for f in scope)):
            submodules.append(path)
            continue
        if not wanted(path):
            continue
        if path.suffix.lower() == NOTEBOOK_SUFFIX:
            # Its diff is of the JSON (and the outputs): the whole notebook, whose unchanged
            # units come from the cache anyway.
            targets.append(Target(path, named=path in scope))
            continue
        names = [old, name] if old else [name]
        diff = git(
            root,
            # A user's interHunkContext joins nearby hunks, the unchanged lines between too.
            "-c",
            "diff.interHunkContext=0",
            "--literal-pathspecs",
            "diff",
            "-U0",
            "-M",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",  # a textconv driver's lines are not the file's
            # A file .gitattributes marks ``-diff`` or ``binary`` (generated code, vendored
            # files) diffs as "Binary files differ", no lines: changed, and nothing reviewed.
            "--text",
            base,
            "--",
            *names,
        )
        lines: set[int] = set()
        for m in _HUNK.finditer(diff.stdout if diff else ""):
            start, count = int(m.group(1)), int(m.group(2) or 1)
            # A pure deletion (count 0) still changes the code around where it was.
            lines.update(
                range(start - 1, start - 1 + count) if count else (max(0, start - 1), start)
            )
        targets.append(Target(path, lines, named=path in scope))
    for name in filter(
        None, untracked.stdout.split("\0") if untracked and untracked.returncode == 0 else []
    ):
        path = (root / name).resolve()
        if wanted(path):
            targets.append(Target(path, named=path in scope))
    return targets


# -- reviewing ------------------------------------------------------------------------------------


def _display(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


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
        name = result.path if len(result.path) <= 40 else "…" + result.path[-39:]
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

    async def one(target: Target) -> FileResult:
        nonlocal fatal, reached
        shown = _display(target.path)
        async with limit:
            result = _load(target.path, shown, registry, settings, named=target.named)
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
                lines=lines,
                ignored=ignores[project],
                roots=roots,
                symbols=symbols,
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
        result.units_sent = outcome.units_sent
        result.errors = _distinct([e.cli_message for e in outcome.errors] + outcome.problems)
        # Answered, if only in part (a self-hosted server may give no usage to tell it by).
        reached = reached or outcome.requests > len(outcome.errors)
        stop = outcome.fatal or _stopping(outcome.errors, reached)
        if stop is not None:
            fatal = stop.cli_message
        if fatal is not None and _refused_whole(outcome):
            # It waited for room in the budget (the requests of the files before it under way)
            # and the budget was spent meanwhile: nothing of it went out, as for the files after.
            result.skipped = fatal
            result.findings, result.errors = [], []
        bar.update(result)
        return result

    try:
        results = list(await asyncio.gather(*(one(t) for t in targets)))
    finally:
        bar.close()
    return results, fatal


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


def _refused_whole(outcome: ReviewOutcome) -> bool:
    """Whether each of the file's requests was refused by a spent daily budget (before going out)."""
    errors = outcome.errors
    return bool(errors) and outcome.requests == len(errors) and all(
        isinstance(e, BudgetExceeded) and not e.held for e in errors
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


def _load(path: Path, shown: str, registry: LanguageRegistry, settings: Settings, *, named: bool = False) -> FileResult:
    """The file to review, or why it is not reviewed. A generated or minified file is left out
    unless ``named``, as a save in the editor leaves it out and its Review File command takes it."""
    uri = path.resolve().as_uri()
    empty = Document(uri, "")
    # By either name, as the editor and imports judge it: ``src/secrets.py``, a link to
    # ``../deploy/prod_settings.py``, was sent.
    if is_excluded(str(path.absolute()), settings.exclude) or is_excluded(str(path.resolve()), settings.exclude):
        return FileResult(shown, empty, skipped=EXCLUDED)
    notebook = path.suffix.lower() == NOTEBOOK_SUFFIX
    # The editor's limit (a fixed 2 MB here, whatever the settings said: a file the editor
    # never sends was reviewed, and paid for, from the terminal).
    cells_limit = settings.completion.max_file_bytes
    limit = MAX_NOTEBOOK_FILE_BYTES if notebook else cells_limit
    try:
        status = path.stat()
        if not stat.S_ISREG(status.st_mode):
            # Named itself: a named pipe's read would wait for a writer forever.
            return FileResult(shown, empty, skipped="not a regular file")
        if status.st_size > limit:
            return FileResult(shown, empty, skipped=f"larger than {limit} bytes")
        # A UTF-16 file (Visual Studio's "Unicode" saves), which editors open by its mark, was
        # skipped as "not readable as UTF-8 text" though the editor's review covers it.
        data = utf8_source(path.read_bytes())
    except OSError as exc:
        # "not readable as UTF-8 text (PermissionError)" sent the user to the file's encoding.
        return FileResult(shown, empty, skipped=f"cannot be read ({exc.strerror or exc.__class__.__name__})")
    if b"\0" in data:
        # Before decoding: an executable or an image was "not readable as UTF-8 text".
        return FileResult(shown, empty, skipped="binary file")
    try:
        # Without a byte order mark, as editors hide it and send the text: with it, a finding
        # on the first line was a column off and the first unit missed the editor's reviews.
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return FileResult(
            shown, empty, skipped=f"not readable as UTF-8 text ({exc.__class__.__name__})"
        )
    if notebook:
        result = _load_notebook(uri, text, shown, registry, cells_limit)
    else:
        result = FileResult(shown, Document(uri, text, language=registry.for_document(None, uri), encoding="utf-16"))
    # Judged on the text as the editor holds it: a notebook's cells, not its JSON and outputs.
    why = "" if named or result.skipped else generated(path.name, result.doc.data)
    if why:
        return FileResult(shown, empty, skipped=f"generated ({why})", generated=True)
    return result


def _load_notebook(uri: str, text: str, shown: str, registry: LanguageRegistry, limit: int) -> FileResult:
    """The notebook's cells as one document, as the editor reviews an open notebook."""
    try:
        params = ipynb_open_params(uri, text)
    except ValueError as exc:
        return FileResult(shown, Document(uri, ""), skipped=str(exc))
    notebooks = Notebooks(DocumentStore(registry))
    doc = notebooks.open(params)
    if len(doc) > limit:
        return FileResult(shown, Document(uri, ""), skipped=f"cells larger than {limit} bytes")
    return FileResult(shown, doc, cells=notebooks.code_cells(doc.uri))


def run_review(args: argparse.Namespace) -> int:
    err = sys.stderr
    layers = []
    if args.settings:
        try:
            layers.append(read_settings_file(args.settings))
        except ValueError as exc:
            print(f"deepseek-lsp review: --settings: {exc}", file=err)
            return EXIT_ERROR
    settings, problems = build_settings(*layers, env=os.environ)
    from ..usage_feature import price_table

    # Read apart from the other settings, and refused the same way: a run went on at the default
    # price (the daily budget's count with it) of a model whose price the file gave wrongly.
    problems = [*problems, *price_table(settings).messages]
    # As the server does: whatever a library logs at --log-level debug, the key is not in it
    # (the filter's own patterns miss keys not shaped like DeepSeek's: a gateway's, a proxy's).
    SECRETS.add_secret(settings.api_key)
    if problems:
        _settings_refused(problems, args.settings, err)
        return EXIT_ERROR
    if not settings.api_key and settings.backend == "deepseek":
        print(
            "deepseek-lsp review: set DEEPSEEK_API_KEY (and DEEPSEEK_BASE_URL for another server)",
            file=err,
        )
        return EXIT_ERROR
    if args.jobs < 1:
        print("deepseek-lsp review: --jobs must be at least 1", file=err)
        return EXIT_ERROR
    if args.base is not None and not args.changed:
        # Ignored, it reviewed (and billed) every file of PATH where a branch's changes were meant.
        print(
            f"deepseek-lsp review: --base {args.base} is what --changed compares with: add --changed "
            "(without it every file of PATH is reviewed)",
            file=err,
        )
        return EXIT_ERROR
    paths = [Path(p) for p in args.paths or ["."]]
    missing = [p for p in paths if not p.exists()]
    if missing and not args.changed:  # with --changed, a file the change deleted is named too
        print(f"deepseek-lsp review: no such file or folder: {', '.join(map(str, missing))}", file=err)
        return EXIT_ERROR
    if not args.output and sys.stdout is None:
        # Closed (``>&-``): the review was paid for, then "unexpected error: AttributeError".
        print("deepseek-lsp review: standard output is closed: write the report with --output FILE", file=err)
        return EXIT_ERROR
    if args.output:
        # Before any request: a report that cannot be written is a review paid for and lost.
        unwritable = _unwritable(Path(args.output))
        if unwritable:
            print(f"deepseek-lsp review: cannot write {args.output}: {unwritable}", file=err)
            return EXIT_ERROR
    registry = LanguageRegistry.load()
    root = git_root(_existing(paths[0]).resolve())
    if args.changed:
        if root is None:
            # A CI image without git said the checkout was no repository.
            why = "no git command was found on PATH" if shutil.which("git") is None else f"{paths[0]} is in none"
            print(f"deepseek-lsp review: --changed needs a git repository: {why}", file=err)
            return EXIT_ERROR
        outside = [str(p) for p in paths if not _in_repository(p, root)]
        if outside:
            # Its changes are another repository's history, or none: it was left out in
            # silence, a file named and neither reviewed nor reported, and the run passed.
            print(
                f"deepseek-lsp review: --changed: {', '.join(outside)} is outside the git "
                f"repository at {root}: review it in a run of its own",
                file=err,
            )
            return EXIT_ERROR
        base = args.base
        if base is None:
            from_ci = ci_base(os.environ)
            base = from_ci[0] if from_ci else "HEAD"
            if from_ci:
                print(f"deepseek-lsp review: --changed against {base} (from {from_ci[1]})", file=err)
        submodules: list[Path] = []
        notes: list[str] = []
        found = changed_targets(root, base, [p for p in paths if p not in missing], registry, submodules, notes)
        if isinstance(found, str):
            print(f"deepseek-lsp review: {found}", file=err)
            return EXIT_ERROR
        for note in notes:
            print(f"deepseek-lsp review: {note}", file=err)
        deleted = [p for p in missing if _deleted(root, base, p)]
        if len(deleted) < len(missing):
            unknown = ", ".join(str(p) for p in missing if p not in deleted)
            print(f"deepseek-lsp review: no such file or folder: {unknown}", file=err)
            return EXIT_ERROR
        for gone in deleted:
            # A CI step passing the change's list of files (``git diff --name-only``) names
            # those it deleted: the whole run stopped, "no such file or folder", exit 2.
            print(f"deepseek-lsp review: {gone}: deleted by the change, nothing to review", file=err)
        for sub in submodules:
            # Its code is another repository's (often a vendored library): said, not skipped
            # silently, and not reviewed whole on each bump of the commit it points at.
            print(
                f"deepseek-lsp review: {_display(sub)} is a submodule: its changes are not reviewed "
                f"here (run `deepseek-lsp review --changed` inside it)",
                file=err,
            )
        kept = set(drop_ignored([t.path for t in found], set(), [root]))
        targets = [t for t in found if t.path in kept]
        if not found and not submodules and not deleted and base == "HEAD":
            # A CI job's checkout has nothing uncommitted: the run passed having reviewed nothing.
            print(
                "deepseek-lsp review: nothing changed against HEAD (to review a branch's commits, "
                "pass --base, e.g. --base origin/main)",
                file=err,
            )
        elif not found and not submodules and not deleted:
            # A push to main whose job compares with origin/main: "0 file(s) reviewed" and a
            # pass, with nothing said of why (base and HEAD the same commit, or only notes,
            # data or lock files changed).
            print(f"deepseek-lsp review: --changed found no file to review against {base}", file=err)
    else:
        explicit = {p.resolve() for p in paths if p.is_file()}
        files = drop_ignored(walk(paths, registry), explicit, [p for p in paths if p.is_dir()])
        # By the file itself: ``review /abs/project app``, or a symlink to a file of the
        # project, reviewed (and billed, and reported) the same file twice.
        unique: dict[Path, Path] = {}
        for f in files:
            try:
                unique.setdefault(f.resolve(), f)
            except (OSError, RuntimeError):
                unique.setdefault(f, f)
        targets = [Target(f, named=key in explicit) for key, f in unique.items()]
    results, fatal = asyncio.run(_run(targets, settings, registry, args, root))
    for r in results:
        # A file the run's stop left unsent: the stop is said once, below.
        if r.skipped and r.skipped != fatal and any(r.path == _display(p) for p in paths):
            print(f"deepseek-lsp review: skipped {r.path}: {r.skipped}", file=err)
    if fatal:
        print(f"deepseek-lsp review: {fatal}", file=err)
    # A name that is not UTF-8 (kept as surrogates) would make a strict stream or file raise:
    # the text report shows U+FFFD for it; JSON and SARIF are ASCII, escaped or percent-encoded.
    # Colored only for a terminal: a report written with --output is read by grep and CI logs.
    color = not args.output and _use_color(sys.stdout, os.environ)
    report = _render(results, report_format(args.format, args.output), root, settings, fatal=fatal, color=color)
    report = report.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    if args.output:
        try:
            Path(args.output).write_text(report, encoding="utf-8")
        except OSError as exc:
            print(f"deepseek-lsp review: cannot write {args.output}: {exc.strerror or exc}", file=err)
            return EXIT_ERROR
    else:
        sys.stdout.write(showable(report, sys.stdout))
    if fatal or any(r.errors for r in results):
        if not fatal:
            # Written with --output, the errors are in the report, not "above" on the terminal.
            where = f"in {args.output}" if args.output else "above"
            print(f"deepseek-lsp review: some reviews did not complete (see the errors {where})", file=err)
        return EXIT_ERROR
    if args.fail_on != "never" and count_at_least(results, args.fail_on):
        return EXIT_FINDINGS
    return EXIT_OK


def _settings_refused(problems: Sequence[str], settings_file: str | None, err: TextIO) -> None:
    """Say each setting refused and where it was given, then that nothing was reviewed.

    The editor goes on with the default in its place; here the exit status is the verdict a CI
    job acts on: a typo (``"minSeverity": "severe"``, ``"modle"``) passed with exit 0, the
    review made, and paid for, with a model, budget or severity the user never chose. Stopped
    before any request, it costs nothing and takes one edit to put right."""
    from_environment = set(build_settings(env=os.environ)[1])
    for problem in problems:
        where = "environment" if problem in from_environment or not settings_file else settings_file
        # "; using the default 'info'" is what the editor does; this run uses nothing.
        said = re.sub(r"; using [^;]*$", "", problem)
        said = re.sub(r"^(unknown setting '[^']*') ignored", r"\1", said)
        print(f"deepseek-lsp review: settings ({where}): {said}", file=err)
    flat = next((m.group(1) for p in problems if (m := re.match(r"unknown setting 'deepseek\.([^']+)'", p))), None)
    if flat is not None:
        # VS Code's settings.json spells them flat; the file takes them as the editor sends them.
        nested = "".join(f'{{"{part}": ' for part in flat.split(".")) + '"…"' + "}" * flat.count(".") + "}"
        print(
            f'deepseek-lsp review: settings: write "deepseek.{flat}" (VS Code\'s settings.json) as {nested}',
            file=err,
        )
    above = "the setting" if len(problems) == 1 else "the settings"
    print(f"deepseek-lsp review: nothing reviewed: correct {above} above and run it again", file=err)


def _existing(path: Path) -> Path:
    """``path``, or the nearest folder above it that exists (a file the change deleted)."""
    path = Path(os.path.abspath(path))
    while not path.exists() and path.parent != path:
        path = path.parent
    return path


def _deleted(root: Path, base: str, path: Path) -> bool:
    """Whether ``path``, not on disk, is in ``base`` or ``HEAD``: deleted, not misspelt."""
    try:
        name = Path(os.path.abspath(path)).relative_to(root).as_posix()
    except ValueError:
        return False
    for revision in dict.fromkeys((base, "HEAD")):
        found = git(root, "cat-file", "-e", f"{revision}:{name}")
        if found is not None and found.returncode == 0:
            return True
    return False


def _unwritable(path: Path) -> str | None:
    """Why the report could not be written to ``path``, or None."""
    folder = path.parent
    if path.is_dir():
        return "it is a folder"
    if not folder.is_dir():
        return f"no folder {str(folder)!r}"
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        return "permission denied"
    return None


async def _run(
    targets: Sequence[Target],
    settings: Settings,
    registry: LanguageRegistry,
    args: argparse.Namespace,
    root: Path | None,
) -> tuple[list[FileResult], str | None]:
    from ..model import ConfigError, ModelClient
    from ..usage_feature import endpoint_config

    ledger, cache = _stores(settings)
    try:
        try:
            client = ModelClient(endpoint_config(settings), ledger)
        except ConfigError as exc:
            # Each file not reviewed, as after any error that stops the run: the text report
            # read "0 file(s) reviewed" and nothing else, a clean run of nothing.
            unsent = [FileResult(_display(t.path), Document(t.path.resolve().as_uri(), ""), skipped=exc.user_message) for t in targets]
            return unsent, exc.user_message
        async with client:
            engine = ReviewEngine(
                cache, max_concurrency=settings.review.max_concurrency, registry=registry, file_records=True
            )
            languages = [lang.name for t in targets if (lang := registry.for_filename(t.path.name))]
            symbols = await asyncio.to_thread(
                stored_table,
                [root or Path.cwd()],
                languages,
                settings.exclude,
                settings.completion.workspace_index_files,
            )
            return await review_targets(
                targets,
                settings,
                registry,
                jobs=args.jobs,
                use_cache=not args.no_cache,
                root=root,
                client=client,
                engine=engine,
                stream=sys.stderr,
                symbols=symbols,
            )
    finally:
        cache.close()
        ledger.close()


def _stores(settings: Settings) -> tuple[Ledger, ReviewCache]:
    """The usage ledger and the review cache, in the state folder when it can be written. When
    it cannot, that is said once, why and what to do, as the editor says it: the ledger's
    warning came in the log's format ("... WARNING deepseek_lsp.model.ledger: cannot create
    ... ([Errno 17] File exists ...)"), the cache's in a line of its own, for the one cause."""
    from ..usage_feature import make_ledger

    folder = state_dir()
    problem = folder_problem(folder)
    if problem is not None:
        print(f"deepseek-lsp review: {state_folder_message(folder, problem)}", file=sys.stderr)
        return make_ledger(settings, ":memory:"), ReviewCache.in_memory()
    cache = ReviewCache.default(on_problem=lambda m: print(f"deepseek-lsp review: {m}", file=sys.stderr))
    return make_ledger(settings), cache


def report_format(given: str | None, output: str | None) -> str:
    """``--format``, else the one ``--output``'s name says: ``-o review.sarif`` alone wrote the
    text report into it, which code scanning's upload could not read, after the review was paid."""
    name = (output or "").lower()
    if given:
        return given
    if name.endswith((".sarif", ".sarif.json")):
        return "sarif"
    return "json" if name.endswith(".json") else "text"


def _render(
    results: Iterable[FileResult],
    fmt: str,
    root: Path | None,
    settings: Settings,
    *,
    fatal: str | None = None,
    color: bool = False,
) -> str:
    ordered = sorted(results, key=lambda r: r.path)
    if fmt == "json":
        return to_json(ordered, fatal=fatal)
    if fmt == "sarif":
        from .sarif import dumps

        return dumps(ordered, root=root or Path.cwd(), model=settings.review.model, fatal=fatal)
    if fmt == "github":
        from .github import to_github

        return to_github(ordered, root=root, fatal=fatal)
    return to_text(ordered, color=color, fatal=fatal)
