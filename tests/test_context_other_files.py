"""What a completion prompt carries from other files: definitions reached through an imported
file open in the editor, default exports passed on under another name, and the regions of
other files edited last (end to end, from the prompt the fake DeepSeek server receives)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from lsprotocol import types

from deepseek_lsp.config import DEFAULT_EXCLUDE
from deepseek_lsp.context import ContextRequest, Indexer, gather_snippets, names_near
from deepseek_lsp.documents import DocumentStore
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import inline_params, insert, lsp_session, open_doc, server_env
from tests.test_context_prompts import REGISTRY, gather, write_files

FIM = "/beta/completions"
COMPLETION = {"debounce": 0, "prefetch": False, "cache": False, "contextTimeoutMs": 2000}


def test_a_barrel_open_in_a_tab_is_still_followed_to_the_files_defining_the_names(tmp_path: Path) -> None:
    """``src/lib/index.ts`` (``export * from "./format"``) or a package's ``__init__.py``
    (``from ._client import Client``) open in another tab: its buffer was read and not followed,
    and no definition of a name imported through it was sent (with the tab closed, it was)."""
    write_files(tmp_path, {
        "src/lib/index.ts": 'export * from "./format";\nexport { parseDate } from "./parse";\n',
        "src/lib/format.ts": "export function formatDate(d: Date, pattern: string): string {\n  return '';\n}\n",
        "src/lib/parse.ts": "export function parseDate(s: string, strict = false): Date {\n  return new Date(s);\n}\n",
        "pkg/__init__.py": "from ._client import Client\n",
        "pkg/_client.py": "class Client:\n    def __init__(self, base_url: str, timeout: float = 5.0):\n        self.base_url = base_url\n",
    })  # fmt: skip
    cases = [
        ("src/lib/index.ts", "typescript", "src/app.ts", 'import { formatDate, parseDate } from "./lib";\n\nformatDate(parseDate("x"), ',
         ["function formatDate(d: Date, pattern: string)", "function parseDate(s: string, strict = false)"]),
        ("pkg/__init__.py", "python", "app.py", "from pkg import Client\n\nc = Client(", ["def __init__(self, base_url: str, timeout: float = 5.0):"]),
    ]  # fmt: skip
    for barrel, language, rel, text, wanted in cases:
        store = DocumentStore(REGISTRY)
        tab = store.open((tmp_path / barrel).as_uri(), (tmp_path / barrel).read_text(), language, 1)
        snippets = gather(tmp_path / rel, text, [tmp_path], language, store=store, other_docs=[tab])
        joined = "\n".join(s.text for s in snippets)
        assert all(w in joined for w in wanted), (barrel, joined)


def test_a_default_export_passed_on_by_another_file_brings_its_definition(tmp_path: Path) -> None:
    """A component's default export reached through another file: ``export { default as
    PrimaryButton } from './Button'`` (``export default function Button``), ``import Thing from
    './Button'; export { Thing as Widget }``, and a component folder's index.ts (``export {
    default } from './Button'``, ``import Card from './Card'; export default Card``) imported
    as ``import Button from './components/Button'``: the definition bears another name than
    the one imported, or the index.ts was not followed to it, and nothing was sent."""
    write_files(tmp_path, {
        "src/components/index.ts": "export { default as PrimaryButton } from './Button';\n",
        "src/components/Button.tsx": "export default function Button(props: { label: string; onClick(): void }) {\n  return null;\n}\n",
        "src/widgets.ts": "import Thing from './components/Button';\nexport { Thing as Widget };\n",
        "src/ui/Button/index.ts": "export { default } from './Button';\n",
        "src/ui/Button/Button.tsx": "export default function Button(props: { label: string; onClick(): void }) {\n  return null;\n}\n",
        "src/ui/Card/index.ts": "import Card from './Card';\nexport default Card;\n",
        "src/ui/Card/Card.tsx": "export default function Card(props: { title: string; elevated?: boolean }) {\n  return null;\n}\n",
    })  # fmt: skip
    button = "function Button(props: { label: string; onClick(): void })"
    card = "function Card(props: { title: string; elevated?: boolean })"
    for text, wanted in (
        ("import { PrimaryButton } from './components';\n\nPrimaryButton(", button),
        ("import { Widget } from './widgets';\n\nWidget(", button),
        ("import Button from './ui/Button';\n\nButton(", button),
        ("import Primary from './ui/Button';\n\nPrimary(", button),
        ("import Card from './ui/Card';\n\nCard(", card),
        ("import Tile from './ui/Card';\n\nTile(", card),
    ):
        snippets = gather(tmp_path / "src/app.ts", text, [tmp_path], "typescript")
        assert any(wanted in s.text for s in snippets), text


def test_a_signature_changed_in_another_open_document_is_sent_as_it_is_now(tmp_path: Path) -> None:
    """``shout(message)`` made ``shout(message, volume=11)`` in helper.py's buffer (unsaved),
    then main.py: the index of helper.py built a moment before (for the previous request) was
    used for two seconds more, and the prompt showed the signature the user had just changed,
    beside the edit's region with the new one."""
    (tmp_path / "helper.py").write_text("def shout(message):\n    return message.upper()\n")
    store = DocumentStore(REGISTRY)
    helper = store.open((tmp_path / "helper.py").as_uri(), (tmp_path / "helper.py").read_text(), "python", 1)
    text = "from helper import shout\n\n\ndef main():\n    return shout("
    doc = store.open((tmp_path / "main.py").as_uri(), text, "python", 1)
    names = names_near(doc.language, doc.tree, doc.data, len(doc.data))
    indexer = Indexer(REGISTRY)

    def definitions() -> str:
        req = ContextRequest(doc, len(doc.data), [helper], [], [tmp_path], DEFAULT_EXCLUDE, time.monotonic() + 5, open_uris=store)
        return "\n".join(s.text for s in gather_snippets(indexer, req, (0, len(doc.data)), names))

    assert "def shout(message):" in definitions()
    end = types.Position(line=0, character=len("def shout(message"))
    helper.apply_change(types.TextDocumentContentChangePartial(range=types.Range(start=end, end=end), text=", volume=11"))
    now = definitions()
    assert "def shout(message, volume=11):" in now and "def shout(message):" not in now


HELPERS = "".join(f"def fn_{i}(x):\n    return x + {i}\n\n\n" for i in range(30))
MAIN = "import os\n\n\ndef main():\n    total = os.getcwd()\n    "
EDIT = "    retries = 3  # the edit\n"  # typed at the start of line 81, in fn_20


@asynccontextmanager
async def editing(tmp_path: Path) -> AsyncIterator[tuple[Any, dict[str, str], Callable[[], Awaitable[str]]]]:
    """A workspace with main.py, helpers.py and settings.py open in the real server: the
    client, the files' URIs, and a function asking for a completion at the end of main.py
    that gives the prompt the fake DeepSeek server received."""
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "helpers.py").write_text(HELPERS)
    (ws / "settings.py").write_text("VALUE = 1\n")
    uris = {name: (ws / f"{name}.py").as_uri() for name in ("main", "helpers", "settings")}
    with FakeDeepSeek() as fake:
        fake.responder(lambda body: "x", path=FIM)
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path / "state"))
        async with lsp_session(env, settings={"completion": COMPLETION}, root=str(ws)) as client:
            open_doc(client, uris["helpers"], HELPERS)
            open_doc(client, uris["settings"], "VALUE = 1\n")
            open_doc(client, uris["main"], MAIN)

            async def prompt() -> str:
                params = inline_params(uris["main"], MAIN.count("\n"), 4, invoked=True)
                await client.text_document_inline_completion_async(params)
                return str(fake.requests_to(FIM)[-1].json["prompt"])

            yield client, uris, prompt


async def test_back_from_editing_another_file_the_prompt_has_that_edit(tmp_path: Path) -> None:
    """The snippets of the document's last request were reused for 30 s unless a file they
    came from changed: an edit made meanwhile in another file, the user's latest work, was
    not in the prompt until then."""
    async with editing(tmp_path) as (client, uris, prompt):
        assert "# Path: helpers.py" not in await prompt()
        insert(client, uris["helpers"], 2, 81, 0, EDIT)
        assert "#     retries = 3  # the edit" in await prompt()


async def test_keys_typed_in_one_file_leave_the_edit_made_in_another_its_place(tmp_path: Path) -> None:
    """Three places for recent edits, one taken by each key typed: three keys in settings.py
    were the same region three times (sent once), and the edit made in helpers.py just
    before was left out."""
    async with editing(tmp_path) as (client, uris, prompt):
        insert(client, uris["helpers"], 2, 81, 0, EDIT)
        for version, col in ((2, 9), (3, 10), (4, 11)):
            insert(client, uris["settings"], version, 0, col, "0")
        sent = await prompt()
    assert "# VALUE = 1000" in sent
    assert "# def fn_20(x):\n#     retries = 3  # the edit\n#     return x + 20" in sent


async def test_a_recent_edit_moves_with_the_lines_added_above_it(tmp_path: Path) -> None:
    """Ten imports added at the top of helpers.py after an edit in fn_20: the edit's region
    was read at its old byte offset, ten lines above it, and showed fn_17 and fn_18."""
    async with editing(tmp_path) as (client, uris, prompt):
        insert(client, uris["helpers"], 2, 81, 0, EDIT)
        insert(client, uris["helpers"], 3, 0, 0, "import sys\n" * 10)
        sent = await prompt()
    assert "# def fn_20(x):\n#     retries = 3  # the edit\n#     return x + 20" in sent
    assert "# import sys" in sent and sent.count("retries = 3") == 1


async def test_a_file_closed_unsaved_and_opened_again_has_no_recent_edit(tmp_path: Path) -> None:
    """helpers.py edited, closed without saving and opened again from disk: the discarded
    edit's place was still a recent edit, and its lines were sent as edited."""
    async with editing(tmp_path) as (client, uris, prompt):
        insert(client, uris["helpers"], 2, 81, 0, EDIT)
        insert(client, uris["settings"], 2, 0, 9, "0")
        client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uris["helpers"])))
        open_doc(client, uris["helpers"], HELPERS)
        sent = await prompt()
    assert "# VALUE = 10" in sent
    assert "# Path: helpers.py" not in sent


async def test_an_edit_undone_back_to_the_opened_text_is_no_recent_edit(tmp_path: Path) -> None:
    """A line typed in helpers.py and undone: the file is as it was opened, yet the lines
    around the undone edit were sent as the user's latest work."""
    async with editing(tmp_path) as (client, uris, prompt):
        insert(client, uris["helpers"], 2, 81, 0, EDIT)
        undo = types.Range(start=types.Position(81, 0), end=types.Position(82, 0))
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uris["helpers"], version=3),
                content_changes=[types.TextDocumentContentChangePartial(range=undo, text="")],
            )
        )
        insert(client, uris["settings"], 2, 0, 9, "0")
        sent = await prompt()
    assert "# VALUE = 10" in sent
    assert "# Path: helpers.py" not in sent


CHECKED_OUT = HELPERS.replace("    return x + 20\n", "    checked_out = 20  # the other branch's\n    return x + checked_out\n")


async def test_a_file_reloaded_from_disk_is_no_recent_edit(tmp_path: Path) -> None:
    """``git checkout`` with helpers.py open in VS Code: the editor reloads it as one change
    from the first differing line to the last, the disk's new text. Its lines were sent as the
    user's latest work, first in every prompt, though nobody typed them (Neovim's reload, a
    close and an open, never was). The same change made in the editor, a paste, still is."""
    changed = types.Range(start=types.Position(81, 0), end=types.Position(82, 0))
    new_lines = "    checked_out = 20  # the other branch's\n    return x + checked_out\n"
    for on_disk in (True, False):
        (tmp_path / ("disk" if on_disk else "paste")).mkdir()
        async with editing(tmp_path / ("disk" if on_disk else "paste")) as (client, uris, prompt):
            await prompt()  # opened some time before the checkout
            helpers = tmp_path / ("disk" if on_disk else "paste") / "ws" / "helpers.py"
            if on_disk:
                helpers.write_text(CHECKED_OUT)
            client.text_document_did_change(
                types.DidChangeTextDocumentParams(
                    text_document=types.VersionedTextDocumentIdentifier(uri=uris["helpers"], version=2),
                    content_changes=[types.TextDocumentContentChangePartial(range=changed, text=new_lines)],
                )
            )
            sent = await prompt()
        assert ("# Path: helpers.py" in sent) is not on_disk, sent
        assert ("checked_out = 20" in sent) is not on_disk


async def test_a_file_undone_back_to_its_last_save_keeps_its_recent_edit(tmp_path: Path) -> None:
    """Undone back to the text the user saved (which the disk holds): no reload, the edit
    saved is still the user's latest work."""
    async with editing(tmp_path) as (client, uris, prompt):
        helpers = tmp_path / "ws" / "helpers.py"
        insert(client, uris["helpers"], 2, 81, 0, EDIT)
        helpers.write_text(HELPERS.replace("    return x + 20\n", EDIT + "    return x + 20\n"))
        client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uris["helpers"])))
        insert(client, uris["helpers"], 3, 81, 0, "    more = 4\n    again = 5\n")
        undo = types.Range(start=types.Position(81, 0), end=types.Position(83, 0))
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uris["helpers"], version=4),
                content_changes=[types.TextDocumentContentChangePartial(range=undo, text="")],
            )
        )
        sent = await prompt()
    assert "#     retries = 3  # the edit" in sent
