"""A save that would send a large file never reviewed asks first, with the estimate: review it
all, only the code changed since git's last commit, or nothing now (each remembered for the
file until the server stops). The first save of an 800-function module pulled from a colleague sent all of it,
53,708 tokens, with no word before."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from lsprotocol import types

import deepseek_lsp.review.first_save as first_save_module
from deepseek_lsp.config import build_settings
from deepseek_lsp.documents import Document
from deepseek_lsp.languages import LanguageRegistry
from deepseek_lsp.privacy import uri_to_path
from deepseek_lsp.review import units
from deepseek_lsp.review.cache import ReviewCache
from deepseek_lsp.review.changed_hunks import committed_text
from deepseek_lsp.review.engine import ReviewEngine
from deepseek_lsp.review.first_save import FirstSaves
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import eventually, lsp_session, open_doc
from tests.review_support import reviewed_units, reviewer
from tests.test_review_cli import git
from tests.test_review_cli_ci import commit
from tests.test_review_lsp import CHAT, SETTINGS, at, change, env, save

LARGE = "".join(f"def handler_{i}(request):\n    return request.get({i}) + {i * 7}\n\n\n" for i in range(800))


def answering(
    client: Any, title: list[str], release: asyncio.Event | None = None
) -> list[types.ShowMessageRequestParams]:
    """Answer every ``window/showMessageRequest`` with ``title[0]`` (as it is then), once
    ``release`` is set if given (the user reading the question); the questions asked."""
    asked: list[types.ShowMessageRequestParams] = []

    @client.feature(types.WINDOW_SHOW_MESSAGE_REQUEST)
    async def on_ask(params: types.ShowMessageRequestParams) -> types.MessageActionItem:
        asked.append(params)
        if release is not None:
            await release.wait()
        return types.MessageActionItem(title=title[0])

    return asked


async def edit_and_save(client: Any, uri: str, version: int, function: int, above: int = 0) -> None:
    """A print() added at the top of ``handler_<function>``, below ``above`` lines added before."""
    line = 4 * function + 1 + above
    change(client, version, at(line, 4, line, 4), "print(request)\n    ", uri=uri)
    save(client, uri)


@asynccontextmanager
async def large_file_open(
    fake: FakeDeepSeek,
    tmp_path: Path,
    title: list[str],
    editor: str = "visual_studio_code",
    release: asyncio.Event | None = None,
    client_info: types.ClientInfo | None = None,
) -> AsyncIterator[tuple[Any, str, list[types.ShowMessageRequestParams]]]:
    """The large file committed, opened in ``editor``, which answers questions with ``title[0]``:
    the client, the file's URI and the questions asked."""
    fake.responder(reviewer(()), path=CHAT)
    root = tmp_path / "repo"
    root.mkdir()
    (root / "handlers.py").write_text(LARGE)
    git(root, "init", "-q", "-b", "main")
    commit(root, "start")
    uri = (root / "handlers.py").as_uri()
    async with lsp_session(
        env(fake, tmp_path / "state"), settings=SETTINGS, root=str(root), editor=editor, client_info=client_info
    ) as client:
        asked = answering(client, title, release)
        # No wait for git's answer: a save waits for it (OpenedTexts._before), as one right
        # after the open does in an editor.
        open_doc(client, uri, LARGE)
        yield client, uri, asked


async def test_only_my_changes_sends_the_changed_functions_and_is_remembered(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    async with large_file_open(fake_deepseek, tmp_path, ["Only my changes"]) as (client, uri, asked):
        await edit_and_save(client, uri, 2, 5)
        assert await eventually(lambda: len(fake_deepseek.requests_to(CHAT)) == 1, timeout=10)
        [question] = asked
        assert "800 functions and blocks were never reviewed" in question.message, question.message
        assert "tokens to deepseek-v4-pro, up to $0.0" in question.message
        assert "1 of them changed since git's last commit ('Only my changes' reviews those)" in question.message
        assert [a.title for a in question.actions or []] == ["Review all", "Only my changes", "Not now"]
        assert reviewed_units(fake_deepseek.requests_to(CHAT)[0].json) == ["handler_5"]
        await edit_and_save(client, uri, 3, 9, above=1)  # remembered: not asked again
        assert await eventually(lambda: len(fake_deepseek.requests_to(CHAT)) == 2, timeout=10)
        assert reviewed_units(fake_deepseek.requests_to(CHAT)[1].json) == ["handler_9"]
        assert len(asked) == 1



def reopen(client: Any, uri: str) -> None:
    """The file closed and opened again with its text on disk (the edits unsaved to it)."""
    client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    open_doc(client, uri, LARGE)


async def test_only_my_changes_holds_for_the_file_reopened(fake_deepseek: FakeDeepSeek, tmp_path: Path) -> None:
    """"Only my changes" held while the file was open: closed and opened again (a tab closed,
    Neovim's ``:bd`` then ``:e``), its next save asked the same question again, as "Not now"
    did before it was remembered. An answer holds for the file until the server stops."""
    async with large_file_open(fake_deepseek, tmp_path, ["Only my changes"]) as (client, uri, asked):
        await edit_and_save(client, uri, 2, 5)
        assert await eventually(lambda: len(fake_deepseek.requests_to(CHAT)) == 1, timeout=10)
        reopen(client, uri)
        await edit_and_save(client, uri, 2, 9)
        assert await eventually(lambda: len(fake_deepseek.requests_to(CHAT)) == 2, timeout=10)
        assert reviewed_units(fake_deepseek.requests_to(CHAT)[1].json) == ["handler_9"]
        assert len(asked) == 1, [a.message for a in asked]


async def test_review_all_sends_every_function(fake_deepseek: FakeDeepSeek, tmp_path: Path) -> None:
    async with large_file_open(fake_deepseek, tmp_path, ["Review all"]) as (client, uri, asked):
        await edit_and_save(client, uri, 2, 5)
        assert await eventually(
            lambda: len({u for r in fake_deepseek.requests_to(CHAT) for u in reviewed_units(r.json)}) == 800,
            timeout=30,
        )
        assert len(asked) == 1



async def test_review_all_holds_for_a_save_after_its_review_failed(fake_deepseek: FakeDeepSeek, tmp_path: Path) -> None:
    """"Review all", its review failed (the server answered 500 to every request): the user's
    next save asked the question again, the answer given a minute before. It is sent again
    unasked, as the save of a file reviewed before is."""
    async with large_file_open(fake_deepseek, tmp_path, ["Review all"]) as (client, uri, asked):
        fake_deepseek.fault("status", count=None, path=CHAT, status=500)
        await edit_and_save(client, uri, 2, 5)
        assert await eventually(lambda: any(s["kind"] == "Warning" for s in client.statuses), timeout=30)
        assert fake_deepseek.requests_to(CHAT)
        fake_deepseek.reset()  # the server answers again
        fake_deepseek.responder(reviewer(()), path=CHAT)
        await edit_and_save(client, uri, 3, 9, above=1)
        assert await eventually(
            lambda: len({u for r in fake_deepseek.requests_to(CHAT) for u in reviewed_units(r.json)}) == 800,
            timeout=30,
        )
        assert len(asked) == 1, [a.message for a in asked]


async def test_review_all_is_asked_again_for_another_model(fake_deepseek: FakeDeepSeek, tmp_path: Path) -> None:
    """"Review all", answered to "about N tokens to deepseek-v4-pro, up to $0.07", held for
    the file whatever the model: switched to another (a pricier one, thinking on), the next
    save sent all 800 functions to it unasked. The answer holds for the model it named."""
    async with large_file_open(fake_deepseek, tmp_path, ["Review all"]) as (client, uri, asked):
        await edit_and_save(client, uri, 2, 5)
        assert await eventually(
            lambda: len({u for r in fake_deepseek.requests_to(CHAT) for u in reviewed_units(r.json)}) == 800,
            timeout=30,
        )
        client.set_configuration({"deepseek": {**SETTINGS, "review": {**SETTINGS["review"], "model": "deepseek-v4-flash"}}})
        client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
        await asyncio.sleep(1.0)
        await edit_and_save(client, uri, 3, 9, above=1)
        assert await eventually(lambda: len(asked) == 2, timeout=30), "not asked of the new model"
        assert "tokens to deepseek-v4-flash" in asked[1].message


async def test_not_now_is_remembered_for_the_file_and_review_file_still_reviews_it(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """"Not now" asked again at every save (Ctrl+S every minute: the same question every minute);
    it now holds for the file until the server stops, reopened too, and the user is told once
    where to review it; the Review File command reviews it all, and the saves after that review
    their changes as any save does."""
    async with large_file_open(fake_deepseek, tmp_path, ["Not now"]) as (client, uri, asked):
        await edit_and_save(client, uri, 2, 5)
        assert await eventually(lambda: len(asked) == 1, timeout=10)
        told = "the Review File command reviews it all"
        assert await eventually(lambda: any(told in m.message for m in client.messages), timeout=10)
        await edit_and_save(client, uri, 3, 9, above=1)
        await edit_and_save(client, uri, 4, 12, above=2)
        client.text_document_did_close(
            types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )
        open_doc(client, uri, LARGE)
        save(client, uri)
        await asyncio.sleep(1.5)
        assert len(asked) == 1, [a.message for a in asked]
        assert fake_deepseek.requests_to(CHAT) == []
        assert sum(told in m.message for m in client.messages) == 1
        result = await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="deepseek.reviewFile", arguments=[uri])
        )
        assert result["unitsSent"] == 800, result
        sent = len(fake_deepseek.requests_to(CHAT))
        await edit_and_save(client, uri, 2, 7)  # reviewed now: a save sends its change
        assert await eventually(lambda: len(fake_deepseek.requests_to(CHAT)) == sent + 1, timeout=10)
        assert reviewed_units(fake_deepseek.requests_to(CHAT)[-1].json) == ["handler_7"]
        assert len(asked) == 1


async def test_a_small_file_or_one_reviewed_before_is_not_asked_about(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    fake_deepseek.responder(reviewer(()), path=CHAT)
    small = "".join(f"def handler_{i}(request):\n    return request.get({i})\n\n\n" for i in range(40))
    uri = (tmp_path / "small.py").as_uri()
    async with lsp_session(env(fake_deepseek, tmp_path / "state"), settings=SETTINGS) as client:
        asked = answering(client, ["Review all"])
        open_doc(client, uri, small)
        save(client, uri)
        assert await eventually(lambda: len(fake_deepseek.requests_to(CHAT)) >= 1, timeout=10)
        assert asked == []


async def test_an_editor_that_cannot_be_asked_is_told_the_estimate_and_sent_only_the_changes(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """Emacs' eglot declares no ``window/showMessageRequest``."""
    async with large_file_open(fake_deepseek, tmp_path, ["Review all"], editor="emacs") as (client, uri, asked):
        await edit_and_save(client, uri, 2, 5)
        assert await eventually(lambda: len(fake_deepseek.requests_to(CHAT)) == 1, timeout=10)
        assert reviewed_units(fake_deepseek.requests_to(CHAT)[0].json) == ["handler_5"]
        [told] = [m.message for m in client.messages if "never reviewed" in m.message]
        assert "Not asked (only the changes are reviewed on save)" in told and "up to $0.0" in told
        assert asked == []



async def test_saves_while_the_question_is_open_are_reviewed_by_its_answer(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """The user edits and saves again before answering: the answer applies to the file as last
    saved, asked once (the second save cancelled the first save's wait for the answer: the
    answer the user gave reviewed nothing)."""
    release = asyncio.Event()
    async with large_file_open(fake_deepseek, tmp_path, ["Only my changes"], release=release) as (client, uri, asked):
        await edit_and_save(client, uri, 2, 5)
        assert await eventually(lambda: len(asked) == 1, timeout=10)
        await edit_and_save(client, uri, 3, 9, above=1)
        await asyncio.sleep(1.0)
        assert fake_deepseek.requests_to(CHAT) == []
        release.set()
        assert await eventually(lambda: len(fake_deepseek.requests_to(CHAT)) >= 1, timeout=10)
        await asyncio.sleep(1.0)
        units = [u for r in fake_deepseek.requests_to(CHAT) for u in reviewed_units(r.json)]
        assert sorted(units) == ["handler_5", "handler_9"], units
        assert len(asked) == 1


async def test_outside_a_repository_the_question_counts_the_changes_since_the_file_was_opened(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """A large file in no git repository (Neovim, a file in /tmp): the changes are counted from
    the text the editor opened, and the question said "1 of them changed since git's last
    commit" of a file git has never seen."""
    fake_deepseek.responder(reviewer(()), path=CHAT)
    folder = tmp_path / "plain"
    folder.mkdir()
    (folder / "handlers.py").write_text(LARGE)
    uri = (folder / "handlers.py").as_uri()
    assert committed_text(folder / "handlers.py") is None, "the test folder is in a repository"
    async with lsp_session(env(fake_deepseek, tmp_path / "state"), settings=SETTINGS, editor="neovim") as client:
        asked = answering(client, ["Only my changes"])
        open_doc(client, uri, LARGE)
        await edit_and_save(client, uri, 2, 5)
        assert await eventually(lambda: len(fake_deepseek.requests_to(CHAT)) == 1, timeout=10)
        [question] = asked
        assert "git" not in question.message, question.message
        assert "1 of them changed since the file was opened ('Only my changes' reviews those)" in question.message
        assert reviewed_units(fake_deepseek.requests_to(CHAT)[0].json) == ["handler_5"]


async def test_not_now_in_neovim_names_its_review_command(fake_deepseek: FakeDeepSeek, tmp_path: Path) -> None:
    """Neovim has no "Review File command": the plugin's is :DeepSeekReview, which the message
    sent a Neovim user looking for under a name no menu of theirs holds."""
    neovim = types.ClientInfo(name="Neovim", version="0.11.4")
    async with large_file_open(fake_deepseek, tmp_path, ["Not now"], editor="neovim", client_info=neovim) as (
        client, uri, _asked
    ):
        await edit_and_save(client, uri, 2, 5)
        assert await eventually(lambda: any("you chose 'Not now'" in m.message for m in client.messages), timeout=10)
        [told] = [m.message for m in client.messages if "you chose 'Not now'" in m.message]
        assert "the :DeepSeekReview command reviews it all" in told and "Review File" not in told, told


async def test_the_question_names_the_file_by_its_folder_in_a_multi_root_workspace(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """Two workspace folders, each with its own handlers.py, saved together (Save All): both
    questions read "Review all of handlers.py on save?", and the user answered one not knowing
    which file it was about (so did "Not now"'s word after)."""
    fake_deepseek.responder(reviewer(()), path=CHAT)
    folders = []
    for name in ("api", "web"):
        root = tmp_path / name
        (root / "app").mkdir(parents=True)
        (root / "app" / "handlers.py").write_text(LARGE)
        git(root, "init", "-q", "-b", "main")
        commit(root, "start")
        folders.append(str(root))
    uris = [(Path(f) / "app" / "handlers.py").as_uri() for f in folders]
    async with lsp_session(env(fake_deepseek, tmp_path / "state"), settings=SETTINGS, folders=folders) as client:
        asked = answering(client, ["Not now"])
        for uri in uris:
            open_doc(client, uri, LARGE)
        for uri in uris:
            await edit_and_save(client, uri, 2, 5)
        assert await eventually(lambda: len(asked) == 2, timeout=20)
        said = sorted(q.message.split(" on save?")[0] for q in asked)
        assert said == ["DeepSeek: Review all of api/app/handlers.py", "DeepSeek: Review all of web/app/handlers.py"], said
        assert await eventually(lambda: sum("not reviewed on save" in m.message for m in client.messages) == 2)
        told = sorted(m.message.split(" is not reviewed")[0] for m in client.messages if "not reviewed on save" in m.message)
        assert told == ["DeepSeek: api/app/handlers.py", "DeepSeek: web/app/handlers.py"], told
        assert fake_deepseek.requests_to(CHAT) == []


def test_a_windows_multi_root_question_names_the_file_s_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    """On Windows a folder is ``C:\\work\\api`` and a URI's path ``c:/work/api/...``: compared as
    text with ``root + "/"``, no folder matched, and two folders' ``app/handlers.py`` were
    both asked of as "app/handlers.py"."""
    from pathlib import PureWindowsPath

    from deepseek_lsp import privacy
    from deepseek_lsp.context.paths import label_path
    from deepseek_lsp.privacy.paths import uri_to_path
    from deepseek_lsp.review.first_save import _shown

    monkeypatch.setattr(privacy.paths, "WINDOWS", True)
    monkeypatch.setattr(privacy.paths, "CASE_INSENSITIVE_FS", True)
    roots = [PureWindowsPath("C:\\work\\api"), PureWindowsPath("C:\\work\\web")]
    for folder in ("api", "web"):
        uri = f"file:///c%3A/work/{folder}/app/handlers.py"
        path = label_path(uri_to_path(uri), roots)
        assert path == "app/handlers.py"
        assert _shown(uri, path, roots) == f"{folder}/app/handlers.py"


class _Counting:
    """A token counter that counts the texts it is given (the estimate's CPU at a save)."""

    def __init__(self) -> None:
        self.texts = 0

    def count(self, text: str) -> int:
        self.texts += 1
        return len(text) // 3


class _NotNowEditor:
    """An editor that answers every first-save question "Not now"."""

    client_capabilities = types.ClientCapabilities(window=types.WindowClientCapabilities(show_message=types.ShowMessageRequestClientCapabilities()))

    def __init__(self) -> None:
        self.asked = 0

    async def window_show_message_request_async(self, params: types.ShowMessageRequestParams) -> types.MessageActionItem:
        self.asked += 1
        return types.MessageActionItem(title="Not now")


async def test_a_save_after_not_now_parses_and_counts_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A save of a file answered "Not now" worked out the whole estimate (parse, prompts, token
    counts: 0.3 s of CPU at each save of a 2,000-function file) before it looked at the answer,
    to send nothing."""

    settings, _ = build_settings(env={"DEEPSEEK_API_KEY": DEFAULT_KEY})
    engine = ReviewEngine(ReviewCache(tmp_path / "cache.sqlite"), max_concurrency=1)
    doc = Document((tmp_path / "handlers.py").as_uri(), LARGE, language=LanguageRegistry.load().get("python"))
    told: list[str] = []
    first = FirstSaves(SimpleNamespace(status=SimpleNamespace(tell_once=lambda key, *a: told.append(key))))  # type: ignore[arg-type]
    editor, counter = _NotNowEditor(), _Counting()

    async def save() -> object:
        getattr(units, "_RECENT_UNITS", {}).clear()  # (a save's text differs from the last one's)
        return await first.choose(
            editor, engine, doc, settings, counter, lambda: asyncio.sleep(0, None),  # type: ignore[arg-type]
            path="handlers.py", roots=(), ignored=frozenset(),
        )

    try:
        assert await save() is False
        assert editor.asked == 1 and counter.texts > 0
        counted, parsed = counter.texts, []
        extract = first_save_module.extract_units
        monkeypatch.setattr(first_save_module, "extract_units", lambda *a: parsed.append(a) or extract(*a))
        assert await save() is False
        assert editor.asked == 1
        assert counter.texts == counted, "a save after Not now counted its prompts' tokens again"
        assert parsed == [], "a save after Not now parsed the file again"
    finally:
        engine.cache.close()


async def test_a_setting_changed_while_the_question_is_open_sends_nothing_unasked(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """The user, reading "up to $0.07", switches the review model while the question is open:
    the save waiting for the answer was taken as a review under way, started again as one the
    user had asked for, and all 800 functions went to the new model at once, unasked; the
    answer given after ("Only my changes") sent the one changed function again."""
    release = asyncio.Event()
    async with large_file_open(fake_deepseek, tmp_path, ["Only my changes"], release=release) as (client, uri, asked):
        await edit_and_save(client, uri, 2, 5)
        assert await eventually(lambda: len(asked) == 1, timeout=10)
        client.set_configuration({"deepseek": {**SETTINGS, "review": {**SETTINGS["review"], "model": "deepseek-v4-flash"}}})
        client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
        await asyncio.sleep(1.5)
        assert fake_deepseek.requests_to(CHAT) == [], "sent while the question was open"
        release.set()
        assert await eventually(lambda: len(fake_deepseek.requests_to(CHAT)) >= 1, timeout=10)
        await asyncio.sleep(1.0)
        sent = fake_deepseek.requests_to(CHAT)
        assert [u for r in sent for u in reviewed_units(r.json)] == ["handler_5"]
        assert sent[0].json["model"] == "deepseek-v4-flash"
        assert len(asked) == 1


async def switch_model(client: Any, model: str) -> None:
    """``review.model`` set to ``model``, once the server has pulled it (a fixed wait came
    short at a load of 20)."""
    pulled: list[object] = []
    get = client.get_configuration

    def counted(*args: Any, **kwargs: Any) -> Any:
        pulled.append(args)
        return get(*args, **kwargs)

    client.get_configuration = counted
    try:
        client.set_configuration({"deepseek": {**SETTINGS, "review": {**SETTINGS["review"], "model": model}}})
        client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
        assert await eventually(lambda: bool(pulled), timeout=30)
        await asyncio.sleep(0.5)  # (its answer taken in)
    finally:
        client.get_configuration = get


async def test_review_all_answered_to_another_models_question_is_asked_again_of_the_model_now(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """The question read "about N tokens to deepseek-v4-flash"; the user switched the review to
    deepseek-v4-pro while it was open, then answered "Review all": all 800 functions went to
    v4-pro unasked (the answer was kept for the model of the save that waited for it, not for
    the one the question named). The model now is asked of before anything is sent to it."""
    release = asyncio.Event()
    async with large_file_open(fake_deepseek, tmp_path, ["Review all"], release=release) as (client, uri, asked):
        await switch_model(client, "deepseek-v4-flash")
        await edit_and_save(client, uri, 2, 5)
        assert await eventually(lambda: len(asked) == 1, timeout=10)
        assert "tokens to deepseek-v4-flash" in asked[0].message
        await switch_model(client, "deepseek-v4-pro")
        release.set()  # "Review all" of deepseek-v4-flash
        assert await eventually(lambda: len(asked) == 2 or len(fake_deepseek.requests_to(CHAT)) > 0, timeout=10)
        await asyncio.sleep(0.5)
        sent = {r.json["model"] for r in fake_deepseek.requests_to(CHAT)}
        assert len(asked) == 2, f"sent to {sent} unasked"
        assert "tokens to deepseek-v4-pro" in asked[1].message


async def test_not_now_after_review_all_of_another_model_holds_when_that_model_is_back(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """"Review all" for deepseek-v4-pro, then, switched to deepseek-v4-flash and asked again,
    "Not now": the user was told the file "is not reviewed on save until the server restarts",
    and switched back to v4-pro, its next save was reviewed (the earlier answer for v4-pro
    won over the latest). The latest answer holds."""
    title = ["Review all"]
    async with large_file_open(fake_deepseek, tmp_path, title) as (client, uri, asked):
        fake_deepseek.fault("status", count=None, path=CHAT, status=500)  # its review of it all fails
        await edit_and_save(client, uri, 2, 5)
        assert await eventually(lambda: any(s["kind"] == "Warning" for s in client.statuses), timeout=30)
        await switch_model(client, "deepseek-v4-flash")
        title[0] = "Not now"
        await edit_and_save(client, uri, 3, 9, above=1)
        assert await eventually(lambda: len(asked) == 2, timeout=10)
        assert await eventually(lambda: any("you chose 'Not now'" in m.message for m in client.messages), timeout=10)
        await switch_model(client, "deepseek-v4-pro")
        sent = len(fake_deepseek.requests_to(CHAT))
        await edit_and_save(client, uri, 4, 12, above=2)
        await asyncio.sleep(2.0)
        assert len(fake_deepseek.requests_to(CHAT)) == sent, "reviewed on save after 'Not now'"
        assert len(asked) == 2


async def test_an_answer_follows_its_file_renamed_and_a_new_file_under_the_old_name_is_asked_of(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """"Not now", then the file renamed in VS Code's Explorer (a close, an open of the new name
    and ``workspace/didRenameFiles``): its next save asked the question again, and a new large
    file saved under the old name was never asked of nor reviewed, silently (the answer, kept
    by name, was the renamed file's)."""
    async with large_file_open(fake_deepseek, tmp_path, ["Not now"]) as (client, uri, asked):
        await edit_and_save(client, uri, 2, 5)
        assert await eventually(lambda: any("you chose 'Not now'" in m.message for m in client.messages), timeout=10)
        old = Path(uri_to_path(uri))
        new = old.with_name("routes.py")
        await asyncio.to_thread(old.rename, new)
        client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
        open_doc(client, new.as_uri(), LARGE)
        client.workspace_did_rename_files(types.RenameFilesParams(files=[types.FileRename(old_uri=uri, new_uri=new.as_uri())]))
        await edit_and_save(client, new.as_uri(), 2, 7)
        await asyncio.sleep(1.5)
        assert [q.message.split(" on save?")[0] for q in asked] == ["DeepSeek: Review all of handlers.py"]
        other = LARGE.replace("handler_", "view_")
        await asyncio.to_thread(old.write_text, other)
        open_doc(client, uri, other)
        await edit_and_save(client, uri, 2, 5)
        assert await eventually(lambda: len(asked) == 2, timeout=10), "the new handlers.py was never asked of"
        assert asked[1].message.startswith("DeepSeek: Review all of handlers.py")
        assert fake_deepseek.requests_to(CHAT) == []


class _AnsweringEditor:
    """An editor whose user answers each first-save question with ``title``, once ``release``
    is set; the questions it was asked."""

    client_capabilities = _NotNowEditor.client_capabilities

    def __init__(self, title: str, release: asyncio.Event) -> None:
        self.title, self.release = title, release
        self.asked: list[str] = []

    async def window_show_message_request_async(self, params: types.ShowMessageRequestParams) -> types.MessageActionItem:
        self.asked.append(params.message)
        await self.release.wait()
        return types.MessageActionItem(title=self.title)


async def test_two_saves_made_while_the_estimate_is_worked_out_ask_one_question(tmp_path: Path) -> None:
    """A second save (an auto-save, then Ctrl+S; the review rescheduled by a setting) made
    while the first save's estimate was worked out (2 to 5 s of a 10,000-line module, off the
    event loop) found no question open yet, worked out its own, and the user was asked the
    same question twice at once. The second save goes by the first's question."""
    settings, _ = build_settings(env={"DEEPSEEK_API_KEY": DEFAULT_KEY})
    engine = ReviewEngine(ReviewCache(tmp_path / "cache.sqlite"), max_concurrency=1)
    doc = Document((tmp_path / "handlers.py").as_uri(), LARGE, language=LanguageRegistry.load().get("python"))
    first = FirstSaves(SimpleNamespace(status=SimpleNamespace(tell_once=lambda *a: None)))  # type: ignore[arg-type]
    release = asyncio.Event()
    editor = _AnsweringEditor("Only my changes", release)

    async def changed() -> set[int]:
        return {21}  # handler_5's body

    async def save() -> object:
        return await first.choose(
            editor, engine, doc, settings, _Counting(), changed,  # type: ignore[arg-type]
            path="handlers.py", roots=(), ignored=frozenset(),
        )

    try:
        saves = asyncio.gather(save(), save())
        await asyncio.sleep(0.5)
        release.set()
        assert await asyncio.wait_for(saves, 30) == [{21}, {21}]
        assert len(editor.asked) == 1, editor.asked
    finally:
        engine.cache.close()


async def test_a_file_renamed_while_its_question_is_open_keeps_the_answer_under_its_new_name(tmp_path: Path) -> None:
    """Renamed while the user read the question: "Not now" was kept for the old name, the
    renamed file asked of again at its next save, a new file under the old name never."""
    settings, _ = build_settings(env={"DEEPSEEK_API_KEY": DEFAULT_KEY})
    engine = ReviewEngine(ReviewCache(tmp_path / "cache.sqlite"), max_concurrency=1)
    python = LanguageRegistry.load().get("python")
    old, new = (tmp_path / "handlers.py").as_uri(), (tmp_path / "routes.py").as_uri()
    first = FirstSaves(SimpleNamespace(status=SimpleNamespace(tell_once=lambda *a: None)))  # type: ignore[arg-type]
    release = asyncio.Event()
    editor = _AnsweringEditor("Not now", release)

    async def save(uri: str, text: str = LARGE) -> object:
        getattr(units, "_RECENT_UNITS", {}).clear()
        return await first.choose(
            editor, engine, Document(uri, text, language=python), settings, _Counting(),  # type: ignore[arg-type]
            lambda: asyncio.sleep(0, {21}), path=uri.rpartition("/")[2], roots=(), ignored=frozenset(),
        )

    try:
        waiting = asyncio.ensure_future(save(old))
        assert await eventually(lambda: bool(editor.asked), timeout=30)
        first.renamed(old, new)
        release.set()
        assert await asyncio.wait_for(waiting, 30) is False
        assert await save(new) is False
        assert len(editor.asked) == 1, editor.asked
        assert await save(old, LARGE.replace("handler_", "view_")) is False
        assert len(editor.asked) == 2, "the new file under the old name went by the renamed file's answer"
    finally:
        engine.cache.close()


def test_folders_of_the_same_name_are_told_apart_in_the_question() -> None:
    """Two workspace folders named alike (a monorepo's ``frontend/src`` and ``backend/src``
    opened as folders), each with its ``handlers.py``: both questions read "Review all of
    src/handlers.py", the user answering one not knowing which."""
    from deepseek_lsp.context.paths import label_path
    from deepseek_lsp.review.first_save import _shown

    roots = [Path("/work/shop/frontend/src"), Path("/work/shop/backend/src"), Path("/work/docs")]
    for part in ("frontend", "backend"):
        uri = f"file:///work/shop/{part}/src/handlers.py"
        path = label_path(uri_to_path(uri), roots)
        assert path == "handlers.py"
        assert _shown(uri, path, roots) == f"{part}/src/handlers.py"
    assert _shown("file:///work/docs/conf.py", "conf.py", roots) == "docs/conf.py"


async def test_a_save_of_more_code_made_while_the_estimate_is_worked_out_is_asked_of(tmp_path: Path) -> None:
    """Saved small, then again with 800 functions pasted in, before the first save's estimate
    was worked out: the second save, going by the first's "too little to ask", would send its
    800 functions unasked. It is asked of."""
    settings, _ = build_settings(env={"DEEPSEEK_API_KEY": DEFAULT_KEY})
    engine = ReviewEngine(ReviewCache(tmp_path / "cache.sqlite"), max_concurrency=1)
    python = LanguageRegistry.load().get("python")
    uri = (tmp_path / "handlers.py").as_uri()
    first = FirstSaves(SimpleNamespace(status=SimpleNamespace(tell_once=lambda *a: None)))  # type: ignore[arg-type]
    release = asyncio.Event()
    release.set()
    editor = _AnsweringEditor("Only my changes", release)

    async def save(text: str) -> object:
        return await first.choose(
            editor, engine, Document(uri, text, language=python), settings, _Counting(),  # type: ignore[arg-type]
            lambda: asyncio.sleep(0, {21}), path="handlers.py", roots=(), ignored=frozenset(),
        )

    try:
        small = LARGE[: LARGE.index("def handler_3(")]
        assert await asyncio.wait_for(asyncio.gather(save(small), save(LARGE)), 30) == [None, {21}]
        assert len(editor.asked) == 1
    finally:
        engine.cache.close()
