"""A save of a file git ignores (build output, generated code: ``build/lib/app.py``) is not
reviewed, as ``deepseek-lsp review`` of a folder leaves it out: the whole never-reviewed copy
went to the review model. Said once per file; the Review File command reviews it all the same,
and a file git tracks though a rule names it is reviewed as any."""

from __future__ import annotations

import asyncio
from pathlib import Path

from lsprotocol import types

from tests.fake_deepseek import FakeDeepSeek
from tests.harness import eventually, lsp_session
from tests.review_support import reviewer
from tests.test_review_cli import git
from tests.test_review_cli_ci import commit
from tests.test_review_dependency_save import MODULE, debug_print_saved
from tests.test_review_lsp import CHAT, env, save


async def test_a_save_of_an_ignored_file_sends_nothing_and_says_so_once(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    fake_deepseek.responder(reviewer(()), path=CHAT)
    project = tmp_path / "proj"
    (project / "build" / "lib").mkdir(parents=True)
    (project / "vendor").mkdir()
    (project / ".gitignore").write_text("build/\nvendor/\n")
    (project / "vendor" / "kept.py").write_text(MODULE.replace("handler", "worker"))
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-f", "vendor/kept.py")  # tracked, though a rule names it
    commit(project, "start")
    built, kept = (project / "build" / "lib" / "app.py").as_uri(), (project / "vendor" / "kept.py").as_uri()
    (project / "build" / "lib" / "app.py").write_text(MODULE)
    async with lsp_session(env(fake_deepseek, tmp_path / "state"), settings={"review": {"mode": "onSave"}},
                           root=str(project)) as client:
        await debug_print_saved(client, built)
        save(client, built)
        assert await eventually(lambda: any("Not reviewed on save" in m.message for m in client.messages), timeout=10)
        await asyncio.sleep(0.5)
        assert fake_deepseek.requests_to(CHAT) == []
        told = [m.message for m in client.messages if "Not reviewed on save" in m.message]
        assert told == [
            "DeepSeek: Not reviewed on save: app.py is ignored by git (a .gitignore rule names it); "
            "the Review File command reviews it all the same."
        ]
        await debug_print_saved(client, kept, MODULE.replace("handler", "worker"))
        assert await eventually(lambda: len(fake_deepseek.requests_to(CHAT)) >= 1, timeout=10)
        asked = len(fake_deepseek.requests_to(CHAT))
        result = await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="deepseek.reviewFile", arguments=[built])
        )
        assert result["ok"], result
        assert len(fake_deepseek.requests_to(CHAT)) > asked
