"""The files a command-line review takes: the folders walked (what is never walked into), and
each file loaded as the editor would hold it, or the reason it is not reviewed.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath

from ..config import Settings
from ..documents import Document, DocumentStore, utf8_source
from ..gitignore import git
from ..languages import LanguageRegistry
from ..notebooks import Notebooks, ipynb_open_params
from ..privacy import is_excluded
from .changed_hunks import named_without_grammar
from .code_languages import has_code_extension
from .generated import HEADER_BYTES, UNMERGED, generated_why, in_conflict
from .report import EXCLUDED, FileResult

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


@dataclass
class Target:
    path: Path
    #: 0-based lines to review (``--changed``); None means the whole file.
    lines: set[int] | None = None
    #: Named on the command line, not found in a folder: reviewed even when generated.
    named: bool = False
    #: ``--changed``: the repository and git's name of the file as the base has it
    #: (``REV:path``), whose lines the change deleted are shown to the review.
    before: tuple[Path, str] | None = None
    #: Why it is not reviewed though it changed (a file left in conflict), or None.
    skip: str | None = None
    #: Why git's attributes say it is generated (see :func:`marked_generated`), or "".
    marked: str = ""


#: Why a file .gitattributes marks ``linguist-generated`` is generated.
LINGUIST = "marked linguist-generated in .gitattributes"


def marked_generated(root: Path, paths: Sequence[Path]) -> set[Path]:
    """Those of ``paths`` (in the repository at ``root``) that .gitattributes marks
    ``linguist-generated``: GitHub folds them in a pull request's diff, and a generator that
    writes no header of its own (an OpenAPI client, GraphQL types) is told by that alone."""
    inside: dict[str, Path] = {}
    for path in paths:
        name = _name_in(root, path)
        if name is not None:
            inside.setdefault(name, path)
    if not inside:
        return set()
    found = git(root, "check-attr", "-z", "--stdin", "linguist-generated", stdin="\0".join(inside) + "\0")
    if found is None or found.returncode != 0:
        return set()
    # ``path NUL attribute NUL value NUL`` each: GitHub takes it set (``linguist-generated``)
    # or ``true``, not ``-linguist-generated`` or ``false`` (a file its generator hands over).
    fields = found.stdout.split("\0")[:-1]
    names, values = fields[::3], fields[2::3]
    return {inside[n] for n, v in zip(names, values, strict=True) if v in ("set", "true") and n in inside}


def _name_in(root: Path, path: Path) -> str | None:
    """``path``'s name in the repository at ``root``: a walk's paths are the working folder's,
    git's root its real path (a link on the way resolved)."""
    for named in (lambda: Path(os.path.abspath(path)), path.resolve):
        try:
            return named().relative_to(root).as_posix()
        except (ValueError, OSError, RuntimeError):
            continue
    return None


def dependency_folder(path: PurePath, roots: Sequence[PurePath]) -> str:
    """The folder walks skip that ``path`` is in ("" for none), counted below the workspace
    folder holding it as a walk of that folder counts it (a workspace opened inside
    ``node_modules`` is the user's own package), or in its whole path outside every one."""
    root = next((r for r in roots if r in path.parents), None)
    parts = path.relative_to(root).parts[:-1] if root is not None else path.parts[:-1]
    # The innermost: ``site-packages`` says more than the ``.venv`` around it.
    return next((part for part in reversed(parts) if part in SKIP_DIRS), "")


def _is_venv(folder: Path) -> bool:
    return (folder / "pyvenv.cfg").is_file()


def _known_language(path: Path, registry: LanguageRegistry, *, without_grammar: bool = False) -> bool:
    """Whether ``path`` is in a language ``registry`` knows; with ``without_grammar``, or code
    it has no grammar for (a Dockerfile, SQL: see changed_hunks)."""
    if path.suffix.lower() == NOTEBOOK_SUFFIX:
        return True  # its cells are in the kernel's language
    if registry.for_document(None, path.resolve().as_uri()) is not None or has_code_extension(path):
        return True
    return without_grammar and named_without_grammar(path.name)


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


def _display(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def _load(
    path: Path, shown: str, registry: LanguageRegistry, settings: Settings, *, named: bool = False, marked: str = ""
) -> FileResult:
    """The file to review, or why it is not reviewed. A generated or minified file is left out
    unless ``named``, as a save in the editor leaves it out and its Review File command takes it;
    ``marked``: why git's attributes say it is generated."""
    uri = path.resolve().as_uri()
    empty = Document(uri, "")
    # By either name, as the editor and imports judge it: ``src/secrets.py``, a link to
    # ``../deploy/prod_settings.py``, was sent.
    if is_excluded(str(path.absolute()), settings.exclude) or is_excluded(str(path.resolve()), settings.exclude):
        return FileResult(shown, empty, skipped=EXCLUDED)
    if marked and not named:
        # Before reading: a marked descriptor set or Latin-1 table was "not reviewed: binary
        # file", a warning on each pull request regenerating it, though git says generated.
        return FileResult(shown, empty, skipped=f"generated ({marked})", generated=True)
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
            # A regenerated protoc module or API client, judged by its header: "not reviewed:
            # larger than", a warning annotation on each pull request regenerating it.
            why = "" if named or notebook else generated_why(path.name, _head(path), whole=False)
            if why:
                return FileResult(shown, empty, skipped=f"generated ({why})", generated=True)
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
    why = "" if named or result.skipped else generated_why(path.name, result.doc.data)
    if why:
        return FileResult(shown, empty, skipped=f"generated ({why})", generated=True)
    if not named and not result.skipped and in_conflict(result.doc.data, lambda: result.doc.tree):
        # Found in a folder mid-merge: both sides' code and the markers went whole.
        return FileResult(shown, empty, skipped=UNMERGED)
    return result


def _head(path: Path) -> bytes:
    with path.open("rb") as file:
        return file.read(HEADER_BYTES)


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
