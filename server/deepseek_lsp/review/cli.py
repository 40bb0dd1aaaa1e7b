"""``deepseek-lsp review PATH...``: the editor's review engine on the terminal and in CI.

It shares the editor's review cache, so code the editor already reviewed costs nothing here
(and the other way round). Exit status: 0 no findings at or above ``--fail-on``, 1 some, 2 a
usage, configuration or backend error (an incomplete review never passes silently).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import os
import re
import shutil
import signal
import stat
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from types import FrameType
from typing import TextIO

from ..config import Settings, build_settings, read_settings_file
from ..console import counted, no_command_in_json, showable, shown_name
from ..documents import Document
from ..gitignore import drop_ignored
from ..languages import LanguageRegistry
from ..log import SECRETS
from ..model.errors import tell_empty_key
from ..model.ledger import Ledger, state_dir
from ..model.usage_records import Totals
from ..storage import folder_problem, replace_file, state_folder_message
from ..symbol_crawler import stored_table
from .arguments import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK
from .cache import ReviewCache
from .changed import (
    _deleted,
    _existing,
    _in_repository,
    changed_targets,
    ci_base,
    git_root,
    refused_repository,
    renamed_to,
)
from .empty_key import empty_key
from .engine import ReviewEngine
from .first_answer import FirstAnswerFirst
from .pipe_readers import pipe_readers
from .report import FileResult, count_at_least, to_json, to_text, usage_of
from .reviewing import _use_color, review_targets, stops_the_run
from .targets import LINGUIST, Target, _display, marked_generated, walk
from .terminated import until_terminated

#: What the command's lines on stderr start with.
PREFIX = "deepseek-lsp review: "


class _Said:
    """stderr, and what the run said there until :attr:`reviewing`: what stopped it before any
    review is an annotation too in the github format (see :func:`github.stopped_before_review`).

    ``hold``: kept back until the review starts (:meth:`release`), to be said as that
    annotation alone: a job's log shows stderr and the command's message both, the same words
    twice."""

    def __init__(self, stream: TextIO, *, hold: bool = False) -> None:
        self.stream = stream
        self.said: list[str] = []
        self._reviewing = False
        self._hold = hold

    @property
    def reviewing(self) -> bool:
        return self._reviewing

    @reviewing.setter
    def reviewing(self, value: bool) -> None:
        self._reviewing = value
        if value:
            self.release()

    def release(self) -> None:
        """Write what was held back, in order, and hold nothing more."""
        if self._hold:
            self._hold = False
            self.stream.write("".join(self.said))
            self.stream.flush()

    def write(self, text: str) -> int:
        if not self._reviewing:
            self.said.append(text)
            if self._hold:
                return len(text)
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()


def run_review(args: argparse.Namespace) -> int:
    github = args.format == "github"
    err = _Said(sys.stderr, hold=github)
    restore = _released_on_sigterm(err) if github else None
    try:
        code = _run_review(args, err)
    except BaseException:
        err.release()  # before the "unexpected error" or the interruption's word
        raise
    finally:
        if restore is not None:
            restore()
    if code == EXIT_ERROR and not err.reviewing and github and _annotated(err.said):
        return code
    err.release()
    return code


def _released_on_sigterm(err: _Said) -> Callable[[], None] | None:
    """Have a SIGTERM (a CI job's time limit, ``docker stop``) write what ``err`` holds back
    before it ends the process as before: a run killed before its review (git's diff of a
    partial clone fetching blobs) ended without a word. The function that puts the previous
    handler back; None where none is set (not the main thread, a SIGTERM ignored)."""
    if threading.current_thread() is not threading.main_thread():
        return None
    previous = signal.getsignal(signal.SIGTERM)
    if previous == signal.SIG_IGN:
        return None  # the run's parent has it go on: what is held waits for the annotation
    # (None: a handler not set from Python, which cannot be put back; the default then)
    before = previous if previous is not None else signal.SIG_DFL

    def on_sigterm(signum: int, frame: FrameType | None) -> None:
        try:
            with contextlib.suppress(OSError, ValueError):
                err.release()
        finally:
            # Whatever the write met (a RuntimeError: stderr was being written when the signal
            # came), the process ends: raised, it was caught by the code it interrupted.
            signal.signal(signal.SIGTERM, before)
            os.kill(os.getpid(), signal.SIGTERM)

    signal.signal(signal.SIGTERM, on_sigterm)
    return lambda: signal.signal(signal.SIGTERM, before)


def _annotated(said: list[str]) -> bool:
    """Whether what stopped the run before any review (``said`` on stderr) went out as one
    ``::error`` annotation on the standard output (not when it is closed or read-only)."""
    from .github import stopped_before_review

    if sys.stdout is None or _unwritable_stdout():
        return False
    lines = "".join(said).splitlines()
    told = "\n".join(line.removeprefix(PREFIX) for line in lines)
    try:
        print(stopped_before_review(told), flush=True)
    except (AttributeError, OSError, ValueError):
        return False
    return True


def _run_review(args: argparse.Namespace, err: _Said) -> int:
    if args.output == "-":
        # The standard output, as for most tools (curl, sort): a file named "-" was written, and
        # the pipe after the command read nothing.
        args.output = None
    layers = []
    if args.settings:
        try:
            layers.append(read_settings_file(args.settings))
        except ValueError as exc:
            print(f"deepseek-lsp review: --settings: {exc}", file=err)
            return EXIT_ERROR
    settings, problems = build_settings(*layers, env=os.environ)
    from ..endpoint_settings import no_key_for_deepseek, price_table

    # Read apart from the other settings, and refused the same way: a run went on at the default
    # price (the daily budget's count with it) of a model whose price the file gave wrongly.
    problems = [*problems, *price_table(settings).messages]
    # As the server does: whatever a library logs at --log-level debug, the key is not in it
    # (the filter's own patterns miss keys not shaped like DeepSeek's: a gateway's, a proxy's).
    SECRETS.add_secret(settings.api_key)
    SECRETS.add_secret(settings.fim_api_key)
    if problems:
        _settings_refused(problems, args.settings, err)
        return EXIT_ERROR
    if no_key_for_deepseek(settings, reviews_only=True):
        # Only DeepSeek itself surely wants one (as doctor and the editor go by): a vLLM or
        # Ollama of one's own takes none, and the run was refused before any request, also
        # where the key variable was set but empty (a CI job given no secret, against a server
        # that wants none); one that wants a key says so at its 401.
        print(
            "deepseek-lsp review: set DEEPSEEK_API_KEY (and DEEPSEEK_BASE_URL for another server)"
            + empty_key(os.environ),
            file=err,
        )
        return EXIT_ERROR
    tell_empty_key(empty_key(os.environ))  # (a gateway's 401 says why, see tell_empty_key)
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
        unknown = ", ".join(shown_name(str(p)) for p in missing)
        print(f"deepseek-lsp review: no such file or folder: {unknown}", file=err)
        return EXIT_ERROR
    if not args.output and sys.stdout is None:
        # Closed (``>&-``): the review was paid for, then "unexpected error: AttributeError".
        print("deepseek-lsp review: standard output is closed: write the report with --output FILE", file=err)
        return EXIT_ERROR
    if not args.output and (unwritable := _unwritable_stdout()):
        print(
            f"deepseek-lsp review: cannot write the report to the standard output: {unwritable}; "
            "write it with --output FILE",
            file=err,
        )
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
            if shutil.which("git") is None:
                why = "no git command was found on PATH"
            else:
                why = refused_repository(_existing(paths[0]).resolve()) or f"{paths[0]} is in none"
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
        from_ci = ci_base(os.environ) if base is None else None
        if base is None:
            base = from_ci[0] if from_ci else "HEAD"
            if from_ci:
                print(f"deepseek-lsp review: --changed against {base} (from {from_ci[1]})", file=err)
        submodules: list[Path] = []
        notes: list[str] = []
        # A file named by the name the change renamed (a list of the branch's files made
        # before the rename): "deleted by the change", its edits never reviewed, exit 0.
        renamed = renamed_to(root, base, missing) if missing else {}
        for old, now in renamed.items():
            said = shown_name(_display(now))
            print(f"deepseek-lsp review: {shown_name(str(old))}: renamed to {said} by the change: reviewed as {said}",
                  file=err)
        missing = [p for p in missing if p not in renamed]
        found = changed_targets(
            root, base, [p for p in paths if p.exists()] + list(renamed.values()), registry, submodules, notes,
            without_grammar=settings.review.other_languages, commits_only=from_ci is not None,
        )
        if isinstance(found, str):
            print(f"deepseek-lsp review: {found}", file=err)
            return EXIT_ERROR
        for note in notes:
            print(f"deepseek-lsp review: {note}", file=err)
        deleted = [p for p in missing if _deleted(root, base, p)]
        if len(deleted) < len(missing):
            unknown = ", ".join(shown_name(str(p)) for p in missing if p not in deleted)
            print(f"deepseek-lsp review: no such file or folder: {unknown}", file=err)
            return EXIT_ERROR
        for gone in deleted:
            # A CI step passing the change's list of files (``git diff --name-only``) names
            # those it deleted: the whole run stopped, "no such file or folder", exit 2.
            said = shown_name(str(gone))
            print(f"deepseek-lsp review: {said}: deleted by the change, nothing to review",
                  file=err)
        for sub in submodules:
            # Its code is another repository's (often a vendored library): said, not skipped
            # silently, and not reviewed whole on each bump of the commit it points at.
            said = shown_name(_display(sub))
            print(
                f"deepseek-lsp review: {said} is a submodule: its changes are not reviewed "
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
        if not targets:
            # A folder .gitignore leaves out, or of notes and data files only: "0 files
            # reviewed" in the report (not even that with --output) and exit 0, a CI step
            # passed that reviewed nothing.
            print(
                f"deepseek-lsp review: found no file to review in {', '.join(map(str, paths))} (a "
                "folder's files are those in a language the review parses, outside .gitignore, "
                "node_modules and virtualenvs; a file named is reviewed whatever it is)",
                file=err,
            )
    if root is not None:
        # A file named is reviewed whatever it is, as for a generated file's own header.
        marked = marked_generated(root, [t.path for t in targets if not t.named])
        for target in targets:
            if target.path in marked:
                target.marked = LINGUIST
    err.reviewing = True
    results, fatal, spent, reached = asyncio.run(until_terminated(_run(targets, settings, registry, args, root)))
    fmt = report_format(args.format, args.output)
    # The github report, printed in the job's log with stderr, says these as annotations, and
    # the text report says them where stderr is read: said here too, the log read each twice
    # (the stop three times, with the file it was met on). Not where the report goes elsewhere
    # (> /dev/null, | grep). Streams that are no files: a github report taken as read.
    read = _read_with_stderr()
    told = not args.output and ((fmt == "github" and read is not False) or (fmt == "text" and bool(read)))
    for r in results:
        # A file the run's stop left unsent: the stop is said once, below.
        if r.skipped and r.skipped != fatal and any(r.path == _display(p) for p in paths):
            if not (told and r.said_skipped()):
                print(f"deepseek-lsp review: skipped {shown_name(r.path)}: {r.skipped}", file=err)
    # A name that is not UTF-8 (kept as surrogates) would make a strict stream or file raise:
    # the text report shows U+FFFD for it; JSON and SARIF are ASCII, escaped or percent-encoded.
    # Colored only for a terminal: a report written with --output is read by grep and CI logs.
    color = not args.output and _use_color(sys.stdout, os.environ)
    report = _render(results, fmt, root, settings, fatal=fatal, color=color, spent=spent, reached=reached)
    # (The github report has it as an annotation, escaped.)
    if fatal and not (told and (fmt == "github" or fatal in report)):
        print(f"deepseek-lsp review: {fatal}", file=err)
    report = report.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    if args.output:
        try:
            _write_report(Path(args.output), report)
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


def _settings_refused(
    problems: Sequence[str], settings_file: str | None, err: TextIO | _Said
) -> None:
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


def _write_report(path: Path, report: str) -> None:
    """Write ``report`` to ``path`` whole or not at all: written in place, a full disk or a
    file size limit left the start of a SARIF log there (which the upload then refused as
    invalid JSON) where the last run's report had been. A device or a named pipe
    (``-o /dev/stdout``) is written to as it is, and a link's target is what is replaced."""
    data = report.replace("\n", os.linesep).encode("utf-8")  # as a file opened for text
    fd = _own_descriptor(path)
    if fd is not None:
        sys.stdout.flush()
        sys.stderr.flush()
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        return
    mode, target = _destination(path)
    if target is None:
        path.write_bytes(data)
        return
    # The file's own mode and owner kept; a new one's mode as open() would make it (0o666 less
    # the umask), not the temporary file's 0600.
    owner = None
    if mode is not None:
        found = target.stat()
        owner = (found.st_uid, found.st_gid)
    try:
        replace_file(
            target,
            data,
            prefix=f".{target.name}.",
            suffix=".tmp",
            mode=stat.S_IMODE(mode) if mode is not None else _new_file_mode(),
            owner=owner,
        )
    except OSError as exc:
        # A file mounted on its own (``docker run -v $PWD/review.sarif:/src/review.sarif``) is
        # a mount point, which no rename replaces (EBUSY; EXDEV on some kernels), and in a
        # folder the user may not write (Docker's, root's, for ``--user 1000``) no new file can
        # be made beside it: written in place, the one way to reach it, at the cost of a report
        # cut short by a full disk.
        beside = exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS) and not os.access(target.parent, os.W_OK)
        # In a sticky folder (/tmp, a team's share) only a file's owner may rename over it:
        # another user's file the user may write was refused after the review was paid for.
        sticky = exc.errno == errno.EPERM and _sticky(target.parent) and os.access(target, os.W_OK)
        if mode is None or not (exc.errno in (errno.EBUSY, errno.EXDEV) or beside or sticky):
            raise
        _write_in_place(target, data)


#: What says there is no room for the report: met halfway through its writing, the last one
#: was already cut to nothing.
_NO_ROOM = frozenset({errno.ENOSPC, errno.EFBIG, errno.EDQUOT})


def _write_in_place(target: Path, data: bytes) -> None:
    """Write ``data`` over the file ``target`` itself, its room asked for first: the last report
    is touched only once the new one fits (truncated on opening, a full disk or a file size limit
    left the start of a SARIF log where it had been)."""
    # Opened without O_CREAT: fs.protected_regular refuses O_CREAT on another user's file in a
    # sticky folder, even one the user may write. Without O_TRUNC: see above.
    fd = os.open(target, os.O_WRONLY)
    with os.fdopen(fd, "wb") as out:
        if hasattr(os, "posix_fallocate") and data:
            size = os.fstat(fd).st_size
            try:
                os.posix_fallocate(fd, 0, len(data))
            except OSError as exc:
                # A file system that cannot reserve room (glibc's fallback reads, and this
                # file is open for writing only) says nothing of whether the report fits.
                if exc.errno in _NO_ROOM:
                    # ext4 makes the file longer as it finds room: zeros after the last report.
                    with contextlib.suppress(OSError):
                        os.ftruncate(fd, size)
                    raise
        out.write(data)
        out.flush()
        os.ftruncate(fd, len(data))


def _sticky(folder: Path) -> bool:
    try:
        return bool(folder.stat().st_mode & stat.S_ISVTX)
    except OSError:
        return False


def _destination(path: Path) -> tuple[int | None, Path | None]:
    """What ``-o path`` names (its mode, None if nothing yet) and the file the report replaces,
    a link's target; None for a device, a named pipe or a folder, opened by the name given (by its
    target, /dev/stdout is /proc/self/fd/1, then "pipe:[…]"). Raises OSError (a link's loop)."""
    try:
        mode: int | None = path.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):  # nothing yet, or no such folder
        mode = None
    # Before a device's: one the link's maker reads (a named pipe) had the report.
    if _planted_link(path):
        raise PermissionError(errno.EACCES, "another user's link in a sticky folder")
    if mode is not None and not stat.S_ISREG(mode):
        return mode, None
    return mode, Path(os.path.realpath(path))


def _own_descriptor(path: Path) -> int | None:
    """The descriptor of this process's that ``path`` names through links (``/dev/stdout``,
    ``/dev/fd/1``, ``/proc/self/fd/1``), or None. Written to by its name, a file behind it was
    replaced (or opened anew at its start): ``-o /dev/stdout >> job.log`` left the report alone
    in the log, its earlier lines gone."""
    own = f"/proc/{os.getpid()}/fd"
    for _ in range(40):  # the kernel's own limit of links followed
        try:
            if path.name.isdigit() and os.path.realpath(path.parent) == own:
                return int(path.name)
            if not path.is_symlink():
                return None
            path = path.parent / os.readlink(path)
        except (OSError, ValueError):
            return None
    return None


def _planted_link(path: Path) -> bool:
    """Whether ``path`` goes through a link the kernel would not follow (fs.protected_symlinks):
    another user's, in a sticky folder anyone may write (``/tmp``), not the folder owner's.
    Replaced by its target's name, the report went over a file of this user's the link's maker
    chose; through a link to a folder (``/tmp/reports/review.sarif``, only the last part was
    looked at), into a folder of theirs."""
    walked = Path(os.getcwd()) if not path.is_absolute() else Path(path.anchor)
    for part in path.parts[1:] if path.is_absolute() else path.parts:
        walked /= part
        if _planted(walked):
            return True
    return False


def _planted(path: Path) -> bool:
    try:
        link = path.lstat()
        folder = path.parent.stat()
    except OSError:
        return False
    shared = folder.st_mode & stat.S_ISVTX and folder.st_mode & stat.S_IWOTH
    return bool(
        stat.S_ISLNK(link.st_mode) and shared and link.st_uid not in (os.geteuid(), folder.st_uid)
    )


def _new_file_mode() -> int:
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def _unwritable(path: Path) -> str | None:
    """Why the report could not be written to ``path``, or None: asked of what _write_report
    writes, the new file beside a link's target and a device itself (the folder of the link, and
    /dev, which only root may write, were asked instead)."""
    fd = _own_descriptor(path)
    if fd is not None:
        return _unwritable_descriptor(fd)
    try:
        mode, target = _destination(path)
    except OSError as exc:
        return exc.strerror or str(exc)
    if mode is not None and stat.S_ISDIR(mode):
        return "it is a folder"
    if target is None:
        return None if os.access(path, os.W_OK) else "permission denied"
    # Named as given, unless a link leads elsewhere.
    folder = target.parent if path.is_symlink() else path.parent
    if not folder.is_dir():
        return f"no folder {str(folder)!r}"
    # A file there is written in place where no new one can be made beside it (_write_report).
    writable = os.access(target, os.W_OK) if mode is not None else os.access(folder, os.W_OK)
    return None if writable else "permission denied"


def _read_with_stderr() -> bool | None:
    """Whether what the standard output shows is read where stderr is: the same terminal, file
    or pipe, a terminal's two, or a CI job's log (both piped to the runner). Not a file it was
    sent to (``> review.txt``), /dev/null (a CI step that keeps the exit status only: the run's
    stop went unsaid), a pipe from a terminal nor a pipe to another command in a CI job
    (``| grep critical``, whose status the pipeline's is): stderr alone reaches the user
    there. Where the readers of the pipes cannot be told (not Linux), not read there: said
    twice in a log rather than not at all. None: the streams are no files (a capture)."""
    try:
        out_fd, err_fd = sys.stdout.fileno(), sys.stderr.fileno()
        out, said = os.fstat(out_fd), os.fstat(err_fd)
    except (AttributeError, OSError, ValueError):  # not a file (closed, a test's capture)
        return None
    if os.path.samestat(out, said):
        return True
    if sys.stdout.isatty():
        return True
    if sys.stderr.isatty():
        return False
    if stat.S_ISSOCK(out.st_mode):  # (a runner's socket: no reader to tell)
        return True
    if not (stat.S_ISFIFO(out.st_mode) and stat.S_ISFIFO(said.st_mode)):
        return False
    # A runner reads both pipes; grep reads the one and writes to the runner's other.
    readers = pipe_readers(out_fd, err_fd)
    return readers is not None and readers[0] == readers[1]


def _unwritable_stdout() -> str | None:
    """Why the report cannot go to the standard output, or None: open for reading only
    (``1<file``), it failed after the review was paid for ("unexpected error: OSError")."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a file (a test's capture): written as is
        return None
    return _unwritable_descriptor(fd)


def _unwritable_descriptor(fd: int) -> str | None:
    """Why this process cannot write its descriptor ``fd``, or None. One open for reading only
    (``-o /dev/fd/3 3<report.txt``) failed at the write, the review paid for and its findings
    lost ("Bad file descriptor")."""
    try:
        import fcntl
    except ImportError:  # Windows: no way to ask, the write says it
        return None
    try:
        flags = fcntl.fcntl(fd, fcntl.F_GETFL)
    except OSError as exc:
        return exc.strerror or str(exc)
    if flags & os.O_ACCMODE == os.O_RDONLY:
        return f"descriptor {fd} is open for reading only"
    return None


async def _run(
    targets: Sequence[Target],
    settings: Settings,
    registry: LanguageRegistry,
    args: argparse.Namespace,
    root: Path | None,
) -> tuple[list[FileResult], str | None, Totals, bool]:
    """The files' results, why the run stopped (or None), what its requests cost and whether
    the review server answered any of them."""
    ledger, cache = _stores(settings)
    try:
        results, fatal, reached = await _review(targets, settings, registry, args, root, ledger, cache)
        return results, fatal, ledger.session_total(), reached
    finally:
        cache.close()
        ledger.close()


async def _review(
    targets: Sequence[Target],
    settings: Settings,
    registry: LanguageRegistry,
    args: argparse.Namespace,
    root: Path | None,
    ledger: Ledger,
    cache: ReviewCache,
) -> tuple[list[FileResult], str | None, bool]:
    from ..endpoint_settings import endpoint_config
    from ..model import ConfigError, ModelClient

    try:
        client = ModelClient(endpoint_config(settings), ledger)
    except ConfigError as exc:
        # Each file not reviewed, as after any error that stops the run: the text report
        # read "0 file(s) reviewed" and nothing else, a clean run of nothing.
        unsent = [FileResult(_display(t.path), Document(t.path.resolve().as_uri(), ""), skipped=exc.user_message) for t in targets]
        return unsent, exc.user_message, False
    began = time.monotonic()
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
        try:
            results, fatal = await review_targets(
                targets,
                settings,
                registry,
                jobs=args.jobs,
                use_cache=not args.no_cache,
                root=root,
                client=FirstAnswerFirst(client, stops_the_run),
                engine=engine,
                stream=sys.stderr,
                symbols=symbols,
            )
            return results, fatal, client.unreached.answered_since(client.config.base, began)
        finally:
            # Stopped (Ctrl+C): the requests under way end, and are recorded, before the
            # ledger closes. The files' gather gave up at its first child cancelled (a file
            # waiting for its turn), and the request of the one under way ended after the
            # close: what the provider billed for it was never in the ledger.
            await engine.stop()


def _spent(total: Totals, reached: bool = True) -> str:
    """This run's requests and their cost, for the text and github reports: nothing said what
    a review in CI cost, nor that a run answered by the cache cost nothing, but
    `deepseek-lsp usage`'s totals of the whole day. ``reached``: whether the server answered
    any request (none did behind a firewall: "$0.0000 for 1 request" read as one sent)."""
    from ..usage_report import cached, format_cost, of_them_estimated

    if not total.requests:
        return "no request made"
    if _none_reached(total, reached):
        return f"no request reached the server ({counted(total.requests, 'try', 'tries')})"
    figures = total.as_dict()
    return f"{format_cost(figures)} for {counted(total.requests, 'request')}{of_them_estimated(figures)}{cached(figures)}"


def _none_reached(total: Totals, reached: bool) -> bool:
    """Whether none of the run's requests reached the server (refused or dropped connects):
    tries, nothing billed."""
    return bool(total.requests) and not reached and not (total.ok or total.cost_usd or total.unknown_cost)


def _stores(settings: Settings) -> tuple[Ledger, ReviewCache]:
    """The usage ledger and the review cache, in the state folder when it can be written. When
    it cannot, that is said once, why and what to do, as the editor says it: the ledger's
    warning came in the log's format ("... WARNING deepseek_lsp.model.ledger: cannot create
    ... ([Errno 17] File exists ...)"), the cache's in a line of its own, for the one cause."""
    from ..endpoint_settings import make_ledger

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
    spent: Totals | None = None,
    reached: bool = True,
) -> str:
    ordered = sorted(results, key=lambda r: r.path)
    usage = usage_of(spent, reached=not _none_reached(spent, reached)) if spent is not None else None
    said = _spent(spent, reached) if spent is not None else None
    # Printed in a job's log (``--format json``), a string's ``##[error]`` was a workflow command.
    if fmt == "json":
        return no_command_in_json(to_json(ordered, fatal=fatal, usage=usage))
    if fmt == "sarif":
        from .sarif import dumps

        model = settings.review.model
        sarif = dumps(ordered, root=root or Path.cwd(), model=model, fatal=fatal, usage=usage)
        return no_command_in_json(sarif)
    if fmt == "github":
        from .github import to_github

        return to_github(ordered, root=root, fatal=fatal, spent=said)
    return to_text(ordered, color=color, fatal=fatal, spent=said)
