"""``file_path`` is kept by URI: a request asks it for the same few files many times."""

from __future__ import annotations

import pytest

from deepseek_lsp.privacy import paths


def test_a_uri_asked_again_is_not_parsed_again(monkeypatch: pytest.MonkeyPatch) -> None:
    parsed: list[str] = []
    parse = paths.uri_to_path
    monkeypatch.setattr(paths, "uri_to_path", lambda uri: parsed.append(uri) or parse(uri))
    uri = "file:///w/project/app_cached_once.py"
    first = paths.file_path(uri)
    assert first is not None and first.as_posix() == "/w/project/app_cached_once.py"
    assert paths.file_path(uri) == first
    assert parsed.count(uri) <= 1
    assert paths.file_path("untitled:Untitled-1") is None
    assert paths.file_path("file://") is None


def test_the_windows_flag_is_part_of_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    uri = "file:///c%3A/w/app_flag.py"
    assert paths.file_path(uri) is not None  # /c:/w/app_flag.py on POSIX
    monkeypatch.setattr(paths, "WINDOWS", True)
    windows = paths.file_path(uri)
    assert windows is None or "c:/w/app_flag.py" in windows.as_posix()
    assert windows != paths._file_path(uri, False)
