"""Documents that are not plain files of one workspace folder, as real editors send them:
Neovim's unnamed buffers (``file://``, no path), VS Code's ``untitled:``, symlinked files, the
command line's and the editor's views of the same files."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from deepseek_lsp.cli import main
from tests.completing import Completing
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import inline_params, lsp_session, open_doc, server_env
from tests.review_support import reviewer

FIM = "/beta/completions"


async def test_an_unnamed_neovim_buffer_gets_completions_and_nothing_from_the_servers_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Neovim 0.11 attaches to an unnamed buffer (``:enew``, ``:set ft=python``) as ``file://``,
    with no workspace folder. The server took its folder for ``.``, its own working directory:
    the buffer's ``from helpers import thing`` was looked up there, and every completion request
    failed with "relative path can't be expressed as a file URI"."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "helpers.py").write_text("def thing(a, b):\n    return 'CWD_FILE_MARKER'\n")
    monkeypatch.chdir(project)  # the server's working directory: Neovim's
    with FakeDeepSeek() as fake:
        fake.responder(lambda body: "1, 2)", path=FIM)
        env = server_env(fake.url, api_key=fake.api_key, state_dir=str(tmp_path / "state"))
        settings = {"completion": {"debounce": 0, "prefetch": False}}
        async with lsp_session(env, editor="neovim", settings=settings) as client:
            uri = "file://"
            open_doc(client, uri, "from helpers import thing\n\nresult = thing(\n")
            result = await client.text_document_inline_completion_async(inline_params(uri, 2, 15, invoked=True))
            assert [item.insert_text for item in result.items] == ["1, 2)"]
            sent = "\n".join(str(r.json) for r in fake.requests_to(FIM))
            assert "CWD_FILE_MARKER" not in sent


def _linked_project(root: Path) -> Path:
    """``app/settings_local.py`` is a symlink to ``private/secrets.py`` (matched by the default
    ``**/secrets.*``); the link's own name matches no exclusion."""
    (root / "private").mkdir(parents=True)
    (root / "app").mkdir()
    (root / "private" / "secrets.py").write_text('DB_URL = "postgres://admin@db/prod"  # LINKED_SECRET_MARKER\n\n\ndef rotate(key):\n    return key\n')
    link = root / "app" / "settings_local.py"
    link.symlink_to(Path("..") / "private" / "secrets.py")
    return link


async def test_a_file_opened_through_a_symlink_to_an_excluded_file_is_not_sent(
    fake_deepseek: FakeDeepSeek, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Exclusion looked at the name the editor opened only: ``settings_local.py``, a link to
    ``secrets.py``, was sent whole with every completion, though the same file's name is
    excluded, and imports (readable_import) and the command line both refuse it."""
    monkeypatch.setenv("DEEPSEEK_LSP_STATE_DIR", str(tmp_path / "state"))
    link = _linked_project(tmp_path / "proj")
    completing = Completing(fake_deepseek, debounce=0, prefetch=False)
    try:
        completing.services.workspace_folders = [(tmp_path / "proj").as_uri()]
        fake_deepseek.responder(lambda body: "x", path=FIM)
        uri = link.as_uri()
        completing.open(uri, link.read_text())
        assert await completing.inline(uri, 4, 14, invoked=True) == []
        assert fake_deepseek.requests_to(FIM) == []
        assert completing.statuses[-1].kind == "Inactive"
        assert "exclusion" in completing.statuses[-1].message
    finally:
        await completing.stop()


def test_the_command_line_skips_a_symlink_whose_own_name_is_excluded(
    fake_deepseek: FakeDeepSeek, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The command line looked at the file a link points to only: ``src/secrets.py`` (a link
    to ``../deploy/prod_settings.py``) was reviewed and sent, where the editor refuses to send
    the same file opened by that name."""
    root = tmp_path / "proj"
    (root / "src").mkdir(parents=True)
    (root / "deploy").mkdir()
    (root / "deploy" / "prod_settings.py").write_text('PASSWORD_HINT = "LINK_NAME_MARKER"\n\n\ndef load():\n    return 1\n')
    (root / "src" / "secrets.py").symlink_to(Path("..") / "deploy" / "prod_settings.py")
    (root / "src" / "main.py").write_text("def main():\n    return 2\n")
    monkeypatch.chdir(root)
    monkeypatch.setenv("DEEPSEEK_API_KEY", DEFAULT_KEY)
    monkeypatch.setenv("DEEPSEEK_BASE_URL", fake_deepseek.url)
    monkeypatch.setenv("DEEPSEEK_LSP_STATE_DIR", str(tmp_path / "state"))
    fake_deepseek.responder(reviewer([]), path="/chat/completions")
    code = main(["review", "src", "--format", "json", "--fail-on", "never"])
    out, _ = capsys.readouterr()
    assert code == 0
    files = {f["path"]: f for f in json.loads(out)["files"]}
    assert files["src/secrets.py"]["skipped"] == "excluded by the exclude setting"
    sent = "\n".join(str(r.json) for r in fake_deepseek.requests_to("/chat/completions"))
    assert "LINK_NAME_MARKER" not in sent


def test_the_command_line_skips_files_larger_than_completion_max_file_bytes(
    fake_deepseek: FakeDeepSeek, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``completion.maxFileBytes`` bounds what leaves the machine, reviews on save included; the
    command line had a limit of its own (2 MB, twice the default) and ignored the setting,
    given with ``--settings`` as the editor sends it: a generated file the editor never sends
    was reviewed, and paid for, by CI."""
    root = tmp_path / "proj"
    root.mkdir()
    big = "".join(f"def handler_{i}(event):\n    return event + {i}  # GENERATED_MARKER\n\n\n" for i in range(60))
    (root / "generated_handlers.py").write_text(big)
    (root / "settings.json").write_text(json.dumps({"completion": {"maxFileBytes": 1000}}))
    monkeypatch.chdir(root)
    monkeypatch.setenv("DEEPSEEK_API_KEY", DEFAULT_KEY)
    monkeypatch.setenv("DEEPSEEK_BASE_URL", fake_deepseek.url)
    monkeypatch.setenv("DEEPSEEK_LSP_STATE_DIR", str(tmp_path / "state"))
    fake_deepseek.responder(reviewer([]), path="/chat/completions")
    code = main(["review", "generated_handlers.py", "--settings", "settings.json", "--format", "json", "--fail-on", "never"])
    out, _ = capsys.readouterr()
    assert code == 0
    files = {f["path"]: f for f in json.loads(out)["files"]}
    assert files["generated_handlers.py"]["skipped"] == "larger than 1000 bytes"
    assert fake_deepseek.requests_to("/chat/completions") == []


async def test_an_imported_module_open_in_a_tab_long_unused_is_read_from_its_buffer(
    fake_deepseek: FakeDeepSeek, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file open in the editor is its buffer, not the copy on disk; but only the 16 documents
    used last were read as buffers. With more files open (a day's work, a restored session), an
    imported module open in a tab not visited lately was neither read nor sent: the call's
    signature vanished from the prompt because the user had the module open."""
    monkeypatch.setenv("DEEPSEEK_LSP_STATE_DIR", str(tmp_path / "state"))
    ws = tmp_path / "ws"
    ws.mkdir()
    helpers = ws / "helpers.py"
    helpers.write_text("def compute(alpha_value, beta_value):\n    return alpha_value + beta_value\n")
    completing = Completing(fake_deepseek, debounce=0, prefetch=False, context_timeout_ms=5000)
    try:
        completing.services.workspace_folders = [ws.as_uri()]
        fake_deepseek.responder(lambda body: "1, 2)", path=FIM)
        # Open, and edited since its last save: a third parameter.
        completing.open(helpers.as_uri(), helpers.read_text().replace("beta_value)", "beta_value, gamma_value)"))
        for i in range(20):
            completing.open((ws / f"other_{i}.py").as_uri(), f"def other_{i}():\n    pass\n")
        uri = (ws / "main.py").as_uri()
        completing.open(uri, "from helpers import compute\n\nresult = compute(\n")
        assert await completing.inline(uri, 2, 17, invoked=True) == ["1, 2)"]
        prompt = fake_deepseek.requests_to(FIM)[-1].json["prompt"]
        assert "def compute(alpha_value, beta_value, gamma_value):" in prompt
    finally:
        await completing.stop()


CART_ON_DISK = "class Cart:\n    def add_item(self, sku, quantity_on_disk):\n        return sku\n"
VIEW = "class View:\n    def __init__(self, cart):\n        self.cart = cart\n\n    def buy(self, sku):\n        return self.cart.add_item(\n"


@pytest.mark.parametrize("spelling", ["vscode", "neovim"])
async def test_an_open_file_is_its_buffer_whatever_the_editor_spells_its_uri(
    fake_deepseek: FakeDeepSeek, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spelling: str
) -> None:
    """Neovim (and Helix, Zed) leave ``(``, ``+``, ``@`` unencoded in a file URI; the server
    compared the editor's URIs with ``Path.as_uri()``'s, which encodes them. In a Next.js
    route group ``app/(shop)/``, a method the user had just renamed in an open, unsaved buffer
    was still sent from the copy on disk, in Neovim only."""
    monkeypatch.setenv("DEEPSEEK_LSP_STATE_DIR", str(tmp_path / "state"))
    ws = tmp_path / "ws"
    shop = ws / "app" / "(shop)"
    shop.mkdir(parents=True)
    (shop / "cart.py").write_text(CART_ON_DISK)
    (shop / "view.py").write_text(VIEW)
    completing = Completing(fake_deepseek, debounce=0, prefetch=False, context_timeout_ms=5000)

    def uri(path: Path) -> str:
        return path.as_uri() if spelling == "vscode" else "file://" + str(path)

    try:
        completing.services.workspace_folders = [ws.as_uri()]
        fake_deepseek.responder(lambda body: "sku)", path=FIM)
        # Renamed in the editor, not saved yet.
        completing.open(uri(shop / "cart.py"), CART_ON_DISK.replace("add_item", "add_line"))
        view = uri(shop / "view.py")
        completing.open(view, VIEW)
        for _ in range(300):  # the workspace's symbols: both files
            if completing.completion.symbols.stats()["files"] >= 2:
                break
            await asyncio.sleep(0.01)
        assert completing.completion.symbols.stats()["files"] >= 2
        assert await completing.inline(view, 5, 34, invoked=True) == ["sku)"]
        prompt = fake_deepseek.requests_to(FIM)[-1].json["prompt"]
        assert "quantity_on_disk" not in prompt
    finally:
        await completing.stop()


@pytest.mark.parametrize("glob", ["private/", "**/private/", "config/private/"])
async def test_an_exclusion_glob_naming_a_folder_with_a_trailing_slash_excludes_its_files(
    fake_deepseek: FakeDeepSeek, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, glob: str
) -> None:
    """``private/`` is how .gitignore (and most users) name a folder; as an exclusion glob it
    matched no file at all, silently: every file under ``config/private/`` was sent."""
    monkeypatch.setenv("DEEPSEEK_LSP_STATE_DIR", str(tmp_path / "state"))
    completing = Completing(fake_deepseek, debounce=0, prefetch=False)
    try:
        completing.configure(exclude=(*completing.services.settings.exclude, glob))
        fake_deepseek.responder(lambda body: "x", path=FIM)
        uri = (tmp_path / "proj" / "config" / "private" / "keys.py").as_uri()
        completing.open(uri, 'SIGNING_SEED = "k4-private-marker"\n\ndef sign(data):\n    return ')
        assert await completing.inline(uri, 3, 11, invoked=True) == []
        assert fake_deepseek.requests_to(FIM) == []
        assert completing.statuses[-1].kind == "Inactive"
        # Files elsewhere, and a file merely named like the folder, are not excluded.
        other = (tmp_path / "proj" / "config" / "private_notes.py").as_uri()
        completing.open(other, "def f():\n    return ")
        assert await completing.inline(other, 1, 11, invoked=True) == ["x"]
    finally:
        await completing.stop()


async def test_a_file_closed_unsaved_and_reverted_puts_no_warning_in_the_log(tmp_path: Path) -> None:
    """VS Code's "Don't Save" on closing a changed file (an untitled one too) sends its didClose,
    then a didChange giving back the saved text: "[warning] change for a document that is not
    open" went to the Output channel at each. A change for a document never opened still warns."""
    from lsprotocol import types

    from tests.harness import eventually, insert

    env = server_env(None, state_dir=str(tmp_path))
    async with lsp_session(env) as client:
        for uri in ("file:///ws/split.py", "untitled:Untitled-1"):
            open_doc(client, uri, "x = 1\n")
            insert(client, uri, 2, 0, 0, "y")
            client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri)))
            insert(client, uri, 3, 0, 0, "z")
        insert(client, "file:///ws/never.py", 2, 0, 0, "z")
        said = await eventually(lambda: [m.message for m in client.log_messages if "not open" in m.message])
    assert len(said) == 1 and "never.py" in said[0], said
