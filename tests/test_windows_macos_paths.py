"""Paths as Windows and macOS editors send them, proved on Linux: the pure functions are fed the
exact URIs those clients send, with the module's platform flags set to the other system's.

VS Code on Windows spells a file ``file:///c%3A/Users/me/proj/a.py``, Neovim on Windows
``file:///C:/Users/me/proj/a.py``, a network share ``file://server/share/a.py``; Windows' and
macOS' (APFS, by default) file systems open a name in any case."""

from __future__ import annotations

import io
import ntpath
import sys
from collections.abc import Iterator
from pathlib import Path, PureWindowsPath

import pytest

from deepseek_lsp import context, privacy
from deepseek_lsp.cli import main
from deepseek_lsp.config import read_settings_file
from deepseek_lsp.context import display_path, label_path
from deepseek_lsp.privacy import is_excluded, uri_to_path
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.review_support import Rule, reviewer


@pytest.fixture
def case_insensitive(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """macOS' file system (and Windows')."""
    monkeypatch.setattr(privacy.paths, "CASE_INSENSITIVE_FS", True, raising=False)
    privacy.paths._is_excluded.cache_clear()  # its answers were given for the other system
    yield
    privacy.paths._is_excluded.cache_clear()


@pytest.fixture
def on_windows(case_insensitive: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(privacy.paths, "WINDOWS", True, raising=False)


@pytest.mark.parametrize(
    ("uri", "path"),
    [
        ("file:///c%3A/Users/me/proj/a.py", r"c:\Users\me\proj\a.py"),  # VS Code
        ("file:///C:/Users/me/proj/a.py", r"C:\Users\me\proj\a.py"),  # Neovim
        ("file:///c%3A/Users/me/My%20Proj", r"c:\Users\me\My Proj"),  # a workspace folder
        ("file:///d%3A", "d:\\"),  # a whole drive opened as the folder
        ("file://server/share/proj/a.py", r"\\server\share\proj\a.py"),  # a network share
    ],
)
def test_a_windows_editors_file_uri_is_a_path_windows_can_open(on_windows: None, uri: str, path: str) -> None:
    """``/c:/Users/me/proj/a.py`` (the URI's path as it is) has no drive on Windows: it is
    ``\\c:\\Users\\...``, a name with a colon in it, which no file has. Every workspace folder
    (``os.path.isdir`` false), the document's own file (imports, the symbol crawl), the
    command line review's imports and every path label were lost for every Windows user."""
    got = uri_to_path(uri)
    assert ntpath.isabs(got)
    assert PureWindowsPath(got) == PureWindowsPath(path)
    assert PureWindowsPath(got).drive == PureWindowsPath(path).drive


def test_on_linux_a_file_uri_is_its_path_as_before() -> None:
    assert uri_to_path("file:///home/me/proj/a.py") == "/home/me/proj/a.py"
    assert uri_to_path("file:///home/me/c:/a.py") == "/home/me/c:/a.py"
    assert uri_to_path("file://") == ""


def test_a_windows_file_is_labelled_from_its_workspace_folder_with_forward_slashes(on_windows: None) -> None:
    """A Windows ``Path`` is spelled with backslashes, and the file read for context is the
    resolved one (``C:``, the names' case on disk) under a folder VS Code spells ``c:``: the
    label was the whole path, ``C:\\Users\\me\\proj\\src\\app.py``, user name included, sent to
    the model as ``# Path: ...`` (outside every folder too, where the name alone is meant)."""
    roots = [PureWindowsPath(r"c:\Users\me\proj")]
    assert label_path(r"C:\Users\me\proj\src\app.py", roots) == "src/app.py"  # type: ignore[arg-type]
    assert label_path(r"c:\users\ME\Proj\src\app.py", roots) == "src/app.py"  # type: ignore[arg-type]
    assert label_path(r"C:\Users\me\other\billing.py", roots) == "billing.py"  # type: ignore[arg-type]
    # The open document's label, from the URI VS Code sends and the folder it sent.
    assert display_path("file:///c%3A/Users/me/proj/src/app.py", roots) == "src/app.py"  # type: ignore[arg-type]


def test_on_linux_labels_are_as_before() -> None:
    roots = [Path("/home/me/proj")]
    assert label_path("/home/me/proj/src/app.py", roots) == "src/app.py"
    assert label_path("/home/me/Proj/src/app.py", roots) == "app.py"  # another folder on Linux
    assert label_path("/home/me/proj/src/a\\b.py", roots) == "src/a\\b.py"  # a backslash is a name's


def test_an_excluded_folder_opened_in_another_case_on_macos_is_excluded(case_insensitive: None) -> None:
    """macOS' file system opens ``Secrets/keys.h`` as ``secrets/keys.h`` (an ``#include``, an
    ``import './Secrets/config'``, a path typed in the terminal, all work): the folder glob
    ``**/secrets/**`` matched on Windows whatever the case, on macOS only in its own case, and
    the file it excludes was sent. (A file-name glob already matched in any case.)"""
    assert is_excluded("file:///Users/me/proj/Secrets/keys.h", ["**/secrets/**"])
    assert is_excluded("/Users/me/proj/Private/a.py", ["private/"])
    assert is_excluded("file:///Users/me/Proj/config/prod.env", ["/Users/me/proj/config/*"])


def test_exclusion_folders_keep_their_case_on_linux() -> None:
    """Linux' file systems tell ``Secrets`` from ``secrets``: two folders, as before."""
    privacy.paths._is_excluded.cache_clear()
    assert not is_excluded("file:///home/me/proj/Secrets/keys.h", ["**/secrets/**"])
    assert is_excluded("file:///home/me/proj/secrets/keys.h", ["**/secrets/**"])


def test_a_windows_network_share_folder_glob_matches_in_any_case(on_windows: None) -> None:
    assert is_excluded("file://server/share/proj/Secrets/a.py", ["**/secrets/**"])


def test_a_settings_file_saved_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    """Windows PowerShell 5's ``Set-Content -Encoding UTF8`` / ``Out-File -Encoding utf8`` and
    older Notepad write UTF-8 with a byte order mark: ``deepseek-lsp review --settings`` said
    the file "is not valid JSON" (``Unexpected UTF-8 BOM``) and the review stopped."""
    path = tmp_path / "settings.json"
    path.write_bytes(b'\xef\xbb\xbf{\r\n  "backend": "chat",\r\n  "review": {"model": "m"}\r\n}\r\n')
    assert read_settings_file(str(path)) == {"backend": "chat", "review": {"model": "m"}}


def test_an_open_module_the_windows_document_imports_ranks_as_imported(
    on_windows: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An imported file is a ``Path`` (``c:\\Users\\me\\proj\\mod.py`` on Windows), an open
    document a URI: compared as strings (``/c:/Users/...`` or ``c:/Users/...``) they never
    matched, and a module the document imports, open in a tab, ranked with any open file: the
    same name in an unrelated open file could be the definition sent."""
    monkeypatch.setattr(privacy.paths, "Path", PureWindowsPath)  # Windows' Path, as far as it is pure
    assert privacy.file_path("file:///c%3A/Users/me/proj/mod.py") == PureWindowsPath(r"C:\Users\me\proj\mod.py")
    assert privacy.file_path("file://server/share/mod.py") == PureWindowsPath(r"\\server\share\mod.py")
    assert privacy.file_path("file://") is None
    own, imported_open, other_open = object(), object(), object()
    tiers = context.lookup._tiers(
        [own, imported_open, other_open],  # type: ignore[list-item]
        own,  # type: ignore[arg-type]
        {
            id(imported_open): ("file:///c%3A/Users/me/proj/mod.py", 1),
            id(other_open): ("file:///c%3A/Users/me/proj/other.py", 1),
        },
        [PureWindowsPath(r"c:\Users\me\proj\mod.py")],  # type: ignore[list-item]
    )
    assert tiers == {id(own): 0, id(imported_open): 1, id(other_open): 2}


def test_a_tsconfig_saved_with_a_byte_order_mark_still_maps_its_paths(tmp_path: Path) -> None:
    """Visual Studio saves the files it creates as "UTF-8 with signature" (a byte order mark),
    and TypeScript reads such a tsconfig.json as any other; its ``paths`` were lost here
    (``Unexpected UTF-8 BOM``): ``@/lib/api`` resolved to nothing and the definitions the
    document imports through it never reached the prompt."""
    from deepseek_lsp import imports

    (tmp_path / "src" / "lib").mkdir(parents=True)
    (tmp_path / "src" / "lib" / "api.ts").write_text("export function fetchUser(id: number) {}\n")
    (tmp_path / "tsconfig.json").write_bytes(
        b'\xef\xbb\xbf{\r\n  "compilerOptions": {\r\n    "baseUrl": ".",\r\n'
        b'    "paths": { "@/*": ["src/*"] }\r\n  }\r\n}\r\n'
    )
    doc_path = tmp_path / "src" / "app.ts"
    doc_path.write_text('import { fetchUser } from "@/lib/api";\n')
    imports._resolved.clear()
    found = imports.resolve_local_imports_cached(["@/lib/api"], doc_path, [tmp_path], "typescript")
    assert found == [tmp_path / "src" / "lib" / "api.ts"]


def test_the_review_report_written_to_a_windows_redirected_stdout_is_not_lost(
    tmp_path: Path, fake_deepseek: FakeDeepSeek, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On Windows a redirected stdout (``deepseek-lsp review src > report.txt``, a CI step's
    pipe) is written in the ANSI code page, cp1252, strictly: a finding quoting a CJK comment
    or saying ``→`` raised UnicodeEncodeError, the report was lost and the exit status was a
    traceback's. What the code page cannot show is escaped, as Python does on stderr."""
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "rows.py").write_text(
        "def count(rows):\n    n = 0\n    for row in rows:\n        if row == None: continue  # 跳过空行\n"
        "        n += 1\n    return n\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DEEPSEEK_API_KEY", DEFAULT_KEY)
    monkeypatch.setenv("DEEPSEEK_BASE_URL", fake_deepseek.url)
    monkeypatch.setenv("DEEPSEEK_LSP_STATE_DIR", str(tmp_path / "state"))
    rule = Rule("if row == None: continue  # 跳过空行", "warning", "Use 'is None' → `row is None`.")
    fake_deepseek.responder(reviewer([rule]), path="/chat/completions")
    raw = io.BytesIO()
    stdout = io.TextIOWrapper(raw, encoding="cp1252", newline="\r\n")  # what Windows gives a pipe
    monkeypatch.setattr(sys, "stdout", stdout)
    code = main(["review", "app/rows.py", "--fail-on", "warning"])
    stdout.flush()
    report = raw.getvalue().decode("cp1252")
    assert code == 1, report  # the findings' status, not a crash's
    assert "app" in report and "rows.py:4:" in report
    assert "Use 'is None'" in report and "row is None" in report
    assert "1 file reviewed" in report
