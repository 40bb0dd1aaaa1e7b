"""A file's imports resolved past their few seconds are made anew after the request that found
them old, not in it (imports/cached.py): made in the request, the resolution landed on one
request every 5 s."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from deepseek_lsp import imports
from deepseek_lsp.imports import cached

SOURCES = ["helpers", "extra"]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, list[str]]:
    (tmp_path / "helpers.py").write_text("def helper():\n    return 1\n")
    (tmp_path / "app.py").write_text("import helpers\nimport extra\n")
    for kept in (cached._resolved, cached._complete, cached._partial, cached._local, cached._stale):
        kept.clear()
    made: list[str] = []
    real = cached.resolve_local_import
    monkeypatch.setattr(cached, "resolve_local_import", lambda *a: made.append(a[0]) or real(*a))
    return tmp_path, made


def resolve(root: Path, *, deadline: float | None) -> list[str]:
    found = imports.resolve_local_imports_cached(SOURCES, root / "app.py", [root], "python", None, deadline)
    return [p.name for p in found]


def older(seconds: float) -> None:
    """Every answer made ``seconds`` earlier than it was."""
    for key, (paths, when) in list(cached._resolved.items()):
        cached._resolved[key] = (paths, when - seconds)


def test_a_request_finding_its_imports_old_is_answered_at_once_and_they_are_made_after(project) -> None:
    root, made = project
    assert resolve(root, deadline=time.monotonic() + 1) == ["helpers.py"]
    (root / "extra.py").write_text("def more():\n    return 2\n")
    older(cached.RESOLVED_FOR_S + 1)
    made.clear()
    # The request: the answer it had, no file looked at.
    assert resolve(root, deadline=time.monotonic() + 1) == ["helpers.py"]
    assert made == [] and imports.stale_resolutions()
    # After its answer went out: made anew, the file created meanwhile found.
    imports.refresh_stale()
    assert made and not imports.stale_resolutions()
    made.clear()
    assert resolve(root, deadline=time.monotonic() + 1) == ["helpers.py", "extra.py"]
    assert made == []


def test_imports_older_than_a_refresh_would_leave_them_or_asked_with_no_time_box_are_made_now(project) -> None:
    """Requests cancelled one after another run no refresh: past STALE_FOR_S the request makes
    them; so does a review's lookup (no time box: it waits for no key)."""
    root, made = project
    resolve(root, deadline=None)
    (root / "extra.py").write_text("def more():\n    return 2\n")
    older(cached.STALE_FOR_S + 1)
    assert resolve(root, deadline=time.monotonic() + 1) == ["helpers.py", "extra.py"]
    (root / "extra.py").unlink()
    older(cached.RESOLVED_FOR_S + 1)
    made.clear()
    assert resolve(root, deadline=None) == ["helpers.py"]
    assert made and not imports.stale_resolutions()


def test_a_file_created_or_deleted_that_the_editor_tells_of_is_not_answered_from_before(project) -> None:
    root, _ = project
    resolve(root, deadline=None)
    (root / "extra.py").write_text("def more():\n    return 2\n")
    older(cached.RESOLVED_FOR_S + 1)
    resolve(root, deadline=time.monotonic() + 1)
    imports.forget_resolutions()  # the watcher's event
    assert not imports.stale_resolutions()
    assert resolve(root, deadline=time.monotonic() + 1) == ["helpers.py", "extra.py"]


def test_a_refresh_whose_key_a_review_thread_resolved_meanwhile_goes_on(project, monkeypatch) -> None:
    """A review resolves the same imports on a worker thread, taking them out of what waits to be
    made anew: between the refresh's look and its ``del``, a KeyError ended the refresh's task
    (the imports then stayed old until another request found them so)."""
    root, _ = project
    resolve(root, deadline=time.monotonic() + 1)
    older(cached.RESOLVED_FOR_S + 1)
    resolve(root, deadline=time.monotonic() + 1)
    assert imports.stale_resolutions()

    class ResolvedByAThread(dict):
        """The worker thread's resolve landing right as the refresh looks the key up."""

        def get(self, key, default=None):
            cached._stale.pop(key, None)
            return None

    monkeypatch.setattr(cached, "_resolved", ResolvedByAThread())
    imports.refresh_stale()
    assert not imports.stale_resolutions()
