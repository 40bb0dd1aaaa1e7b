"""``--changed``: the files and lines git says differ from the base a branch left (or the
revision a pull request's CI job names), and why a base cannot be compared with.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from contextlib import nullcontext
from pathlib import Path

from ..console import counted, shown_name
from ..gitignore import git
from ..languages import LanguageRegistry
from .generated import UNMERGED
from .renames import intended, name_changes
from .safe_directory import safe_directory_advice
from .targets import NOTEBOOK_SUFFIX, SKIP_DIRS, Target, _known_language

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@", re.M)


def git_root(start: Path) -> Path | None:
    result = git(start if start.is_dir() else start.parent, "rev-parse", "--show-toplevel")
    if result is None or result.returncode != 0:
        return None
    return Path(result.stdout.strip())


#: git's refusal of a repository another user owns (git 2.35.2 on; safe.directory). Its path
#: may hold a line break: read to the quote that ends git's line.
_DUBIOUS = re.compile(r"dubious ownership in repository at '(.+?)'(?:\n|$)", re.S)


def refused_repository(start: Path) -> str | None:
    """Why git refuses the repository holding ``start``, or None: one another user owns (a CI
    container run as root over the runner's checkout) was "in no repository" to ``--changed``,
    which sent the user looking for a .git that was there."""
    result = git(start if start.is_dir() else start.parent, "rev-parse", "--show-toplevel")
    found = _DUBIOUS.search(result.stderr) if result is not None and result.stderr else None
    if found is None:
        return None
    where = _as_named(found.group(1), start)
    return (
        f"git refuses the repository at {shown_name(where)} as another user's (dubious "
        f"ownership): {safe_directory_advice(where)}"
    )


def _as_named(said: str, start: Path) -> str:
    """The folder git's message names as ``said``, as it is named: git writes a control
    character of it (an ESC) as "?" (a line break and a tab as they are), and the command
    made of its words trusted another path. ``start``'s own folder or one above it."""
    for folder in (start, *start.parents):
        if _REPORTED.sub("?", str(folder)) == said:
            return str(folder)
    return said


#: What git's messages write as "?" (its vreportf): the controls but a tab and a line break.
_REPORTED = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _in_repository(path: Path, root: Path) -> bool:
    """By its name or where it leads: a link in the repository to a file elsewhere is the
    repository's file to git."""
    return any(p == root or root in p.parents for p in (Path(os.path.abspath(path)), path.resolve()))


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
    # ``--base main`` in a CI checkout, which has no local branch but the one it tests: told to
    # check the name, or (shallow) to `git fetch --unshallow`, after which there is still no
    # ``main``, only ``origin/main``.
    remote_branch = branch == named and _branch_name(root, named)
    if remote_branch and _is_revision(root, f"origin/{named}"):
        return f"no branch {named!r} in this clone, only the remote's: pass --base origin/{named}"
    if not _has_commits(root):
        # ``--base main`` before the first commit: there is no branch yet to compare with, and
        # "check the name" sent the user looking for a misspelling.
        return (
            f"no revision {named!r} in this repository, which has no commits yet: commit first, or "
            f"leave out --base to review every file in it as new"
        )
    shallow = _is_shallow(root)
    if (branch != named or remote_branch) and _origins_tag(root, branch):
        # A release's tag (``--base v1.0``) a clone lacks (a shallow one, or one made with
        # ``--no-tags``): the branch fetch given for any other name stored it as the remote's
        # branch ``origin/v1.0``, and the run was told to pass that.
        then = f", then pass --base {branch}" if branch != named else ""
        place = "clone" if shallow else "repository"
        depth = "--depth=1 " if shallow else ""
        return f"no revision {named!r} in this {place}: it is origin's tag, fetch it first (`git fetch {depth}origin tag {branch}`{then})"
    if shallow:
        # A CI checkout is shallow, of one branch: the base branch is not there until fetched
        # (git's "bad revision" said nothing of that).
        if branch != named or remote_branch:
            then = f", then pass --base origin/{branch}" if remote_branch else ""
            fetch = f"`{_fetch_command(root, branch, shallow=True)}`{then}"
        else:
            fetch = "`git fetch --unshallow`"
        return (
            f"no revision {named!r} in this clone (a CI checkout often holds only the commit it "
            f"tests): fetch it first, e.g. {fetch}"
        )
    # A whole clone: a misspelt name was told to `git fetch --unshallow`, which git refuses
    # there ("--unshallow on a complete repository does not make sense").
    # ``--base main`` in a whole clone of one branch (``git clone --single-branch``) was told only
    # to check the name, which is right: it names a branch the clone did not fetch.
    unfetched = remote_branch and _one_branch(root)
    then = f", then pass --base origin/{branch}" if unfetched else ""
    fetch = f"fetch it (`{_fetch_command(root, branch, shallow=False)}`{then}) or " if branch != named or unfetched else ""
    return f"no revision {named!r} in this repository: {fetch}check the name (`git branch -a` lists the branches)"


def _branch_name(root: Path, name: str) -> bool:
    """Whether ``name`` could be a local branch's, not a revision (``HEAD~3``), a commit's id or
    another remote's branch (``upstream/main``)."""
    if re.fullmatch(r"[0-9a-f]{7,40}", name) or name == "HEAD":
        return False
    remotes = git(root, "remote")
    if remotes is not None and name.split("/", 1)[0] in remotes.stdout.split():
        return False
    found = git(root, "check-ref-format", "--branch", name)
    return found is not None and found.returncode == 0


def _origins_tag(root: Path, name: str) -> bool:
    """Whether ``origin`` has a tag ``name`` and no branch of that name (asked of the remote:
    nothing in a clone that lacks the tag tells a tag's name from a branch's)."""
    found = git(root, "ls-remote", "origin", f"refs/heads/{name}", f"refs/tags/{name}", remote=True)
    if found is None or found.returncode != 0:
        return False
    refs = {line.partition("\t")[2] for line in found.stdout.splitlines()}
    return f"refs/tags/{name}" in refs and f"refs/heads/{name}" not in refs


def _fetch_command(root: Path, branch: str, *, shallow: bool) -> str:
    """The fetch that makes ``origin/branch``. A clone of one branch (``git clone --depth=1
    --branch feature``, as many CI systems and scripts make it) fetches ``origin main`` into
    FETCH_HEAD only, unless told where to keep it: the short command the message gave left
    the run failing with the same message."""
    target = f"{branch}:refs/remotes/origin/{branch}" if _one_branch(root) else branch
    return f"git fetch {'--depth=1 ' if shallow else ''}origin {target}"


def _one_branch(root: Path) -> bool:
    """Whether ``origin`` is fetched for some branches only, not each of them."""
    found = git(root, "config", "--get-all", "remote.origin.fetch")
    refspecs = found.stdout.split() if found is not None and found.returncode == 0 else []
    return bool(refspecs) and not any(r.endswith("refs/heads/*:refs/remotes/origin/*") for r in refspecs)


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
    *,
    without_grammar: bool = False,
    commits_only: bool = False,
) -> list[Target] | str:
    """Files and lines that differ from ``base`` (plus untracked files), or an error message.

    With a ``registry``, only files in a language it knows, as when walking folders (notes, data
    and lock files were sent too), and with ``without_grammar`` code it has no grammar for
    (a Dockerfile, SQL: its changed lines, as a save in the editor), unless a file is named
    itself. Renamed files count only
    their changed lines, and names are paths, not patterns (``x[1].py`` is not ``x1.py``).
    Changed submodules in scope (their diff is a commit id, not lines) go to ``submodules``;
    what the user should know of the comparison, to ``notes``. ``commits_only``: a pull
    request's job, whose change is its commits: untracked files are left out (said in ``notes``).
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
    found = git(root, "ls-files", "--others", "--exclude-standard", "-z")
    untracked = [n for n in (found.stdout.split("\0") if found and found.returncode == 0 else []) if n]
    left_out: list[str] = []
    if commits_only:
        # What a step of the job wrote (a code generator's output, an extension built in
        # place) is no part of the pull request: it was reviewed as new, annotated, and its
        # finding failed the job.
        untracked, left_out = [], untracked
    # A file moved without ``git mv`` (``mv``, an editor's rename) is untracked, the file it was
    # deleted: paired as git pairs them once both are added (on a copy of the index), it is
    # measured from that file; taken as new, all of it was sent again, paid.
    pairing = intended(root, untracked) if untracked and _deletes(root, base) else nullcontext(None)
    with pairing as index:
        found = _changed(root, base, named, within, registry, submodules, untracked, index, without_grammar, left_out)
    if left_out and notes is not None:
        shown = ", ".join(shown_name(n) for n in left_out[:3]) + (", …" if len(left_out) > 3 else "")
        notes.append(
            f"{counted(len(left_out), 'untracked file')} left out: {shown} (a pull request's job reviews "
            "its commits, not what the job's steps wrote)"
        )
    return found


def _deletes(root: Path, base: str) -> bool:
    """Whether the working tree lacks a file ``base`` has."""
    gone = git(root, "diff", "--name-only", "--diff-filter=D", "-z", base, "--")
    return gone is not None and gone.returncode == 0 and bool(gone.stdout.strip("\0"))


def _changed(
    root: Path,
    base: str,
    named: str,
    within: Sequence[Path],
    registry: LanguageRegistry | None,
    submodules: list[Path] | None,
    untracked: list[str],
    index: str | None,
    without_grammar: bool,
    left_out: list[str],
) -> list[Target] | str:
    """:func:`changed_targets` once the base is known; ``index``: the index to diff with (see
    :func:`renames.intended`), the repository's own if None. ``left_out``: untracked files not
    taken, kept to those a review would have taken."""
    status = git(root, "diff", "--name-status", "-M", "--diff-filter=d", "-z", base, "--", index=index)
    if status is None or status.returncode != 0:
        return f"git diff against {named!r} failed: {(status.stderr.strip() if status else 'git not found')}"
    new_files = set(untracked)
    scope = [p.resolve() for p in within]
    unmerged = _unmerged(root)

    def wanted(path: Path) -> bool:
        if path in scope:
            return path.is_file()
        folder = next((s for s in scope if s in path.parents), None)
        if folder is None or not path.is_file():
            return False
        if any(part in SKIP_DIRS for part in path.relative_to(folder).parts[:-1]):
            return False  # as walking skips them (an untracked .ipynb_checkpoints/)
        return registry is None or _known_language(path, registry, without_grammar=without_grammar)

    targets: list[Target] = []
    # A rename names both, which the line diff needs to pair them.
    for old, name in name_changes(status.stdout):
        if name in new_files:
            if not old:
                continue  # new for good: whole, below
            new_files.discard(name)
        if (root / name).is_symlink():
            # git's change to a link is its target's name: read as a change to the target's
            # first line, the target was reviewed (and paid for) though the branch never
            # touched it, and reported twice when it did; a link to a folder was named as a
            # submodule. A target in the repository has its own diff; one outside it is no
            # change of this repository's code.
            continue
        path = (root / name).resolve()
        if submodules is not None and path.is_dir() and (path in scope or any(f in path.parents for f in scope)):
            submodules.append(path)
            continue
        if not wanted(path):
            continue
        if name in unmerged:
            # Both sides' code between git's markers: paid for twice over, and its findings
            # were about code the resolution is about to drop.
            targets.append(Target(path, named=path in scope, skip=UNMERGED))
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
            index=index,
        )
        lines: set[int] = set()
        for m in _HUNK.finditer(diff.stdout if diff else ""):
            start, count = int(m.group(1)), int(m.group(2) or 1)
            # A pure deletion (count 0) still changes the code around where it was.
            lines.update(
                range(start - 1, start - 1 + count) if count else (max(0, start - 1), start)
            )
        targets.append(Target(path, lines, named=path in scope, before=(root, f"{base}:{old or name}")))
    for name in untracked:
        if name not in new_files or (root / name).is_symlink():
            continue  # paired with the file it was, above; a link as above
        path = (root / name).resolve()
        if wanted(path):
            targets.append(Target(path, named=path in scope))
    left_out[:] = [n for n in left_out if not (root / n).is_symlink() and wanted((root / n).resolve())]
    return targets


def _unmerged(root: Path) -> set[str]:
    """The files git holds in conflict (mid-merge, mid-rebase), as ``git diff`` names them."""
    found = git(root, "diff", "--name-only", "--diff-filter=U", "-z")
    return {n for n in found.stdout.split("\0") if n} if found is not None and found.returncode == 0 else set()


def _existing(path: Path) -> Path:
    """``path``, or the nearest folder above it that exists (a file the change deleted)."""
    path = Path(os.path.abspath(path))
    while not path.exists() and path.parent != path:
        path = path.parent
    return path


def renamed_to(root: Path, base: str, paths: Sequence[Path]) -> dict[Path, Path]:
    """Of ``paths``, not on disk, those the change since ``base`` renamed, with their new
    names: with ``git mv`` or not (an editor's rename, untracked: paired on a copy of the
    index, as :func:`changed_targets` pairs them)."""
    names: dict[str, Path] = {}
    for path in paths:
        try:
            names[Path(os.path.abspath(path)).relative_to(root).as_posix()] = path
        except ValueError:
            continue
    if not names:
        return {}
    found = git(root, "ls-files", "--others", "--exclude-standard", "-z")
    untracked = [n for n in (found.stdout.split("\0") if found and found.returncode == 0 else []) if n]
    with intended(root, untracked) if untracked else nullcontext(None) as index:
        status = git(root, "diff", "--name-status", "-M", "-z", base, "--", index=index)
    if status is None or status.returncode != 0:
        return {}
    return {names[old]: root / new for old, new in name_changes(status.stdout) if old in names}


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
