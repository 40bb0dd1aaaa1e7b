"""A save of a dependency's file (a virtualenv's ``site-packages``, ``node_modules``), as when
debugging with a print() in it, is not reviewed: the whole never-reviewed file went to the
review model on that save, as ``deepseek-lsp review`` of a folder leaves them out. Said once per
file; the Review File command reviews it all the same, and a workspace opened inside such a
folder (developing the package itself) is reviewed as any."""

from __future__ import annotations

import asyncio
from pathlib import Path

from lsprotocol import types

from tests.fake_deepseek import FakeDeepSeek
from tests.harness import eventually, lsp_session, open_doc
from tests.review_support import reviewer
from tests.test_review_lsp import CHAT, at, change, env, save

MODULE = "".join(f"def handler_{i}(request):\n    return request.get({i})\n\n\n" for i in range(30))


async def debug_print_saved(client: object, uri: str, text: str = MODULE) -> None:
    open_doc(client, uri, text)  # type: ignore[arg-type]
    change(client, 2, at(1, 0), "    print(request)\n", uri=uri)  # type: ignore[arg-type]
    save(client, uri)  # type: ignore[arg-type]


async def test_a_save_in_site_packages_or_node_modules_sends_nothing_and_says_so(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    fake_deepseek.responder(reviewer(()), path=CHAT)
    project = tmp_path / "proj"
    package = project / ".venv" / "lib" / "python3.12" / "site-packages" / "requests"
    package.mkdir(parents=True)
    outside = tmp_path / "home" / "node_modules" / "left-pad"
    outside.mkdir(parents=True)
    dependency, other = (package / "models.py").as_uri(), (outside / "index.py").as_uri()
    async with lsp_session(env(fake_deepseek, tmp_path / "state"), settings={"review": {"mode": "onSave"}},
                           root=str(project)) as client:
        await debug_print_saved(client, dependency)
        await debug_print_saved(client, other)  # outside the workspace, as go-to-definition opens it
        assert await eventually(lambda: sum("Not reviewed on save" in m.message for m in client.messages) == 2)
        await asyncio.sleep(0.5)
        assert fake_deepseek.requests_to(CHAT) == []
        told = [m.message for m in client.messages if "Not reviewed on save" in m.message]
        assert told[0] == (
            "DeepSeek: Not reviewed on save: models.py is in site-packages (a dependency's code, which "
            "`deepseek-lsp review` of a folder leaves out too); the Review File command reviews it all the same."
        )
        result = await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="deepseek.reviewFile", arguments=[dependency])
        )
        assert result["ok"], result
        assert len(fake_deepseek.requests_to(CHAT)) >= 1


async def test_a_workspace_inside_node_modules_is_reviewed_as_any(fake_deepseek: FakeDeepSeek, tmp_path: Path) -> None:
    fake_deepseek.responder(reviewer(()), path=CHAT)
    project = tmp_path / "node_modules" / "my-lib"
    project.mkdir(parents=True)
    async with lsp_session(env(fake_deepseek, tmp_path / "state"), settings={"review": {"mode": "onSave"}},
                           root=str(project)) as client:
        await debug_print_saved(client, (project / "lib.py").as_uri())
        assert await eventually(lambda: len(fake_deepseek.requests_to(CHAT)) >= 1, timeout=10)
