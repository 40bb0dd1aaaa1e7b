"""A finding ignored in one project stays shown in the others: two projects open at once (a
multi-root workspace) with the same file, in the editor and on the command line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from deepseek_lsp.review.cache import ReviewCache
from deepseek_lsp.review.projects import project_of
from tests.fake_deepseek import FakeDeepSeek
from tests.harness import lsp_session, open_doc
from tests.review_support import INVENTORY_RULES, finding_id, reviewer
from tests.test_review_cli import project as cli_project
from tests.test_review_cli import run
from tests.test_review_lsp import CHAT, INVENTORY, SETTINGS, by_message, env, reviewed, save

#: The project of tests/test_review_cli.py: app/inventory.py and app/util.js, one commit.
project = cli_project
#: The finding ignored in these tests (a warning: the others stay, so a file's count tells).
IGNORED = INVENTORY_RULES[3].message


async def command(client: LanguageClient, name: str, *arguments: object) -> object:
    return await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=name, arguments=list(arguments))
    )


async def test_an_ignore_holds_in_its_own_folder_of_a_multi_root_workspace(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    fake_deepseek.responder(reviewer(INVENTORY_RULES), path=CHAT)
    folders = [tmp_path / "shop", tmp_path / "billing"]
    shop, billing = (f"file://{folder}/inventory.py" for folder in folders)
    for folder in folders:
        folder.mkdir()
        (folder / "inventory.py").write_text(INVENTORY)
    state = tmp_path / "state"
    session = {"settings": SETTINGS, "folders": [str(f) for f in folders]}
    async with lsp_session(env(fake_deepseek, state), **session) as client:  # type: ignore[arg-type]
        for uri in (shop, billing):
            open_doc(client, uri, INVENTORY)
            save(client, uri)
            await reviewed(client, 4, uri)
        diag = by_message(await reviewed(client, 4, shop))[IGNORED]
        assert await command(client, "deepseek.review.ignore", shop, finding_id(diag)) is True
        await reviewed(client, 3, shop)
        # Its diagnostics would have been published before the command's answer.
        assert IGNORED in by_message(await reviewed(client, 4, billing))
    async with lsp_session(env(fake_deepseek, state), **session) as client:  # type: ignore[arg-type]
        for uri in (shop, billing):
            open_doc(client, uri, INVENTORY)
        assert IGNORED not in by_message(await reviewed(client, 3, shop))
        diag = by_message(await reviewed(client, 4, billing))[IGNORED]
        assert await command(client, "deepseek.review.ignore", billing, finding_id(diag)) is True
        await reviewed(client, 3, billing)
        # Shown again: the project of the file named only, the other's ignore stays.
        assert await command(client, "deepseek.review.unignoreAll", shop) == 1
        assert IGNORED in by_message(await reviewed(client, 4, shop))
        assert IGNORED not in by_message(await reviewed(client, 3, billing))
        # An editor that names no file: the projects of the workspace's folders.
        assert await command(client, "deepseek.review.unignoreAll") == 1
        await reviewed(client, 4, billing)
    # The first save's review only: the same code with the same context is the same answer, so
    # the other folder's file, then every file shown again, came from the cache.
    assert len(fake_deepseek.requests_to(CHAT)) == 1


def test_the_command_line_leaves_out_what_was_ignored_in_its_project_only(
    project: Path,
    fake_deepseek: FakeDeepSeek,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def found() -> list[dict[str, object]]:
        code, out, err = run(capsys, "app/inventory.py", "--format", "json", "--fail-on", "never")
        assert code == 0, err
        (report,) = json.loads(out)["files"]
        return list(report["findings"])

    before = found()
    finding = next(f for f in before if f["message"] == IGNORED)
    # "Ignore" in an editor opened at the repository's root.
    cache = ReviewCache.default()
    cache.ignore(str(finding["fingerprint"]), IGNORED, project=project_of(project / "app" / "inventory.py", [project]))
    cache.close()
    assert [f["message"] for f in found()] == [f["message"] for f in before if f is not finding]
    # Another clone of it is another project.
    other = tmp_path / "other" / "proj"
    shutil.copytree(project, other, symlinks=True)
    monkeypatch.chdir(other)
    assert found() == before


def test_a_project_is_the_repository_whichever_folder_was_opened_else_the_folder(tmp_path: Path) -> None:
    repo, loose = tmp_path / "repo", tmp_path / "loose"
    for folder in (repo / ".git", repo / "packages" / "api", repo / "vendor" / "lib", loose / "src"):
        folder.mkdir(parents=True)
    (repo / "vendor" / "lib" / ".git").write_text("gitdir: ../../.git/modules/lib\n")  # a submodule
    api = repo / "packages" / "api" / "app.py"
    # Ignored with the repository's root open, still ignored with only its package open.
    assert project_of(api, [repo]) == project_of(api, [repo / "packages" / "api"]) == str(repo)
    assert project_of(repo / "vendor" / "lib" / "x.py", [repo]) == str(repo / "vendor" / "lib")
    assert project_of(loose / "src" / "x.py", [tmp_path, loose]) == str(loose)
    assert project_of(loose / "src" / "x.py") == str(loose / "src")
    assert project_of(loose, [tmp_path]) == str(tmp_path)  # a folder named: its own project's
