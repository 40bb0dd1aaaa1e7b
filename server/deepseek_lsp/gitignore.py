"""What git knows of a workspace's files: which ones its ignore rules leave out.

Asked of git itself (``git check-ignore``), which knows every rule: nested ``.gitignore`` files,
negations, ``.git/info/exclude`` and the user's global excludes file. Outside a repository (an
unpacked release, a copy of a project) the ``.gitignore`` files of the folder the files were found
in still rule: git is asked with an empty repository of its own over that folder. Without git,
nothing is ignored. Blocking: run it off the event loop.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import tempfile
from collections.abc import Collection, Sequence
from pathlib import Path

#: Git asks its askpass program (GIT_ASKPASS, which VS Code's terminal sets, core.askPass, then
#: SSH_ASKPASS) for a login before it looks at GIT_TERMINAL_PROMPT: an empty GIT_ASKPASS stands
#: for them all. Git Credential Manager's own dialogs are off with GCM_INTERACTIVE. ssh, with no
#: terminal and a DISPLAY, runs SSH_ASKPASS for a key's passphrase: SSH_ASKPASS_REQUIRE stops
#: it from 8.4 on, an empty SSH_ASKPASS before (RHEL 8's 8.0 ran the dialog, the review waited).
_NO_PROMPTS = {
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_ASKPASS": "",
    "SSH_ASKPASS": "",
    "SSH_ASKPASS_REQUIRE": "never",
    "GCM_INTERACTIVE": "never",
}


def git(
    cwd: Path, *args: str, stdin: str | None = None, remote: bool = False, index: str | None = None
) -> subprocess.CompletedProcess[str] | None:
    """``remote``: the command asks a remote, which must fail rather than ask the user for a
    password, a key's passphrase or a host's key (on its own session, ssh has no terminal to
    prompt on), and gives up sooner than a local command. ``index``: an index file of one's
    own to use (``GIT_INDEX_FILE``), leaving the repository's as it is."""
    env = {**os.environ, **_NO_PROMPTS} if remote else None
    if index is not None:
        env = {**(env or os.environ), "GIT_INDEX_FILE": index}
    try:
        return subprocess.run(
            ["git", *args],
            cwd=cwd,
            input=stdin,
            env=env,
            start_new_session=remote,
            stdin=subprocess.DEVNULL if remote and stdin is None else None,
            capture_output=True,
            # Names are bytes to git: decoded as os.fsdecode does, a name that is not UTF-8
            # survives the round trip to the file system instead of crashing the review.
            encoding=sys.getfilesystemencoding(),
            errors=sys.getfilesystemencodeerrors(),
            check=False,
            timeout=15 if remote else 60,
        )
    except (OSError, subprocess.SubprocessError):
        return None


def git_bytes(cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes] | None:
    """A local ``git`` command whose output is a file's content (``cat-file``), as bytes: decoded
    as names are, a UTF-16 file was noise (on Windows, whose names decode with
    ``surrogatepass``, an error)."""
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None


def drop_ignored(files: list[Path], explicit: set[Path], roots: Sequence[Path] = ()) -> list[Path]:
    """What ``.gitignore`` ignores is left out (asked of git, which knows every rule).
    ``roots``: the folders ``files`` were found in (the workspace's, those named to review),
    each ruled by its own repository only (see :func:`git_ignored`)."""
    if not files:
        return files
    ignored = git_ignored(
        [r for f in files if (r := f.resolve()) not in explicit], [r.resolve() for r in roots]
    )
    return [
        f
        for f in files
        if not ((r := f.resolve()) in ignored or any(p in ignored for p in r.parents))
    ]


def _work_tree(folder: Path, seen: dict[Path, Path | None]) -> Path | None:
    """The nearest folder holding ``folder`` with a ``.git`` (a folder, or a submodule's file)."""
    chain: list[Path] = []
    here = folder
    while here not in seen:
        chain.append(here)
        if (here / ".git").exists():
            seen[here] = here
            break
        if here.parent == here:
            seen[here] = None
            break
        here = here.parent
    found = seen[here]
    for folder_on_the_way in chain:
        seen[folder_on_the_way] = found
    return found


def git_ignored(paths: list[Path], roots: Sequence[Path] = ()) -> set[Path]:
    """Those of ``paths`` (resolved) that .gitignore rules leave out, and the work trees they
    leave out whole. Each path is asked of the work tree holding it: ``git check-ignore``
    answers nothing at all once one path is outside its repository or in a submodule, and
    every ignored file was then reviewed. Given the ``roots`` (resolved) the paths were found
    in, a repository around one that ignores it whole does not rule it, as git does not when
    run in it: a project in ``~``, whose dotfiles repository ignores ``*``, or a clone
    opened in an ignored ``vendor/``, had no file indexed."""
    seen: dict[Path, Path | None] = {}
    groups: dict[Path, list[Path]] = {}
    outside: dict[Path, list[Path]] = {}
    todo = list(paths)
    while todo:
        path = todo.pop()
        tree = _work_tree(path.parent, seen)
        if tree is None:
            # The folder it was found in (the innermost, the one the user named) rules it.
            root = max((r for r in roots if path.is_relative_to(r) and r != path), key=lambda r: len(r.parts), default=None)
            if root is not None:
                outside.setdefault(root, []).append(path)
            continue
        if tree not in groups:
            groups[tree] = [r for r in roots if r != tree and _work_tree(r, seen) == tree]
            # A clone in a folder the enclosing repository ignores is ignored with it: one
            # inside the roots (the workspace's own repository is no such clone).
            if not roots or any(tree != r and tree.is_relative_to(r) for r in roots):
                todo.append(tree)
        groups[tree].append(path)
    ignored: set[Path] = set()
    refused: set[Path] = set()
    for tree, group in groups.items():
        result = git(tree, "check-ignore", "--stdin", "-z", stdin="\0".join(map(str, group)) + "\0")
        if result is not None and result.returncode in (0, 1):
            found = {Path(p) for p in result.stdout.split("\0") if p}
            free = [r for r in roots if r in found and r != tree and r.is_relative_to(tree)]
            ignored.update(p for p in found if not any(p.is_relative_to(r) for r in free))
        elif result is not None:
            # Refused (a checkout another user owns, "dubious ownership": a CI container run
            # as root): every ignored file was reviewed. Its .gitignore files are read as
            # outside a repository, its own config untrusted as git leaves it.
            outside.setdefault(tree, []).extend(p for p in group if p != tree)
            refused.add(tree)
    if outside:
        ignored |= _ignored_outside_repositories(outside, refused)
    return ignored


def _read_regular(path: Path, limit: int | None = None) -> bytes:
    """The bytes of ``path`` (``limit`` at most), b"" unless it is a regular file: a named pipe
    or a device (a link to ``/dev/zero``) among an archive's or another user's files is never
    read, its open not waited on."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return b""
    with open(fd, "rb") as file:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return b""
        return file.read(-1 if limit is None else limit)


#: At most what a ``.git`` file or ``commondir`` names is read of it (git reads 1 MiB at most).
_GITFILE_LIMIT = 1 << 20


def _info_exclude(tree: Path) -> bytes:
    """What the repository of ``tree`` lists in ``info/exclude`` (a linked worktree's or a
    submodule's ``.git`` file names its git folder), or b"": a clone's own exclusions, never
    committed (a scratch file with a token), are patterns only, safe to read untrusted. Git
    read none of it there: a named pipe in it waited for a writer for good."""
    git_dir = tree / ".git"
    try:
        if git_dir.is_file():
            named = _read_regular(git_dir, _GITFILE_LIMIT).decode("utf-8").strip()
            git_dir = tree / named.removeprefix("gitdir:").strip()
            common = _read_regular(git_dir / "commondir", _GITFILE_LIMIT).decode("utf-8").strip()
            if common:
                git_dir = git_dir / common
        return _read_regular(git_dir / "info" / "exclude")
    except (OSError, ValueError):
        return b""


def _ignored_outside_repositories(
    groups: dict[Path, list[Path]], refused: Collection[Path] = ()
) -> set[Path]:
    """What the ``.gitignore`` files under each folder leave out of its paths, no repository
    around: an unpacked release's ``build/`` and ``dist/`` were reviewed and paid for. A
    ``refused`` folder is a work tree git will not open: its ``info/exclude`` rules too."""
    ignored: set[Path] = set()
    with tempfile.TemporaryDirectory(prefix="deepseek-lsp-gitignore-") as empty:
        made = git(Path(empty), "init", "-q", "--bare", empty)
        if made is None or made.returncode != 0:
            return ignored
        exclude = Path(empty) / "info" / "exclude"
        for root, group in groups.items():
            try:
                exclude.parent.mkdir(exist_ok=True)
                exclude.write_bytes(_info_exclude(root) if root in refused else b"")
            except OSError:
                pass  # (its .gitignore files still rule)
            result = git(
                root, f"--git-dir={empty}", f"--work-tree={root}", "check-ignore", "--stdin", "-z",
                stdin="\0".join(map(str, group)) + "\0",
            )
            if result is not None and result.returncode in (0, 1):
                ignored.update(Path(p) for p in result.stdout.split("\0") if p)
    return ignored
