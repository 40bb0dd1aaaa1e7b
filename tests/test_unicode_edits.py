"""Text in every encoding: edits counted in UTF-16 units that split a character past U+FFFF
keep the client's text; files read from disk in UTF-16 give their definitions."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lsprotocol import types

from deepseek_lsp.config import DEFAULT_EXCLUDE
from deepseek_lsp.documents import Document
from deepseek_lsp.languages import LanguageRegistry
from deepseek_lsp.workspace_symbols import WorkspaceSymbols
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import inline_params, lsp_session, open_doc, server_env
from tests.test_context_prompts import prompt_with_imports

REGISTRY = LanguageRegistry.load()
PYTHON = REGISTRY.get("python")


class Utf16Client:
    """An editor whose text is a sequence of UTF-16 units (VS Code, a JavaScript string)."""

    def __init__(self, text: str) -> None:
        raw = text.encode("utf-16-le", "surrogatepass")
        self.units = [int.from_bytes(raw[i : i + 2], "little") for i in range(0, len(raw), 2)]

    def position(self, index: int) -> types.Position:
        line, start = 0, 0
        for i, unit in enumerate(self.units[:index]):
            if unit == 0x0A:
                line, start = line + 1, i + 1
        return types.Position(line=line, character=index - start)

    def replace(self, start: int, end: int, new: list[int]) -> types.TextDocumentContentChangePartial:
        change = types.TextDocumentContentChangePartial(
            range=types.Range(start=self.position(start), end=self.position(end)),
            text="".join(map(chr, new)),
        )
        self.units[start:end] = new
        return change

    def data(self) -> bytes:
        """The text as the server should hold it: halves that pair up are one character."""
        text = "".join(map(chr, self.units)).encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
        return text.encode("utf-8", "surrogatepass")


def _change(doc: Document, start: int, end: int, text: str) -> None:
    doc.apply_change(
        types.TextDocumentContentChangePartial(
            range=types.Range(start=types.Position(0, start), end=types.Position(0, end)), text=text
        )
    )


def test_an_emoji_changed_in_its_low_surrogate_only_keeps_the_line() -> None:
    # 😀 is D83D DE00 and 😁 D83D DE01: a client diffing UTF-16 strings replaces one unit.
    doc = Document("file:///e.py", "s = '😀'; y\n", language=PYTHON)
    _change(doc, 6, 7, "\ude01")
    assert doc.text == "s = '😁'; y\n"
    # Columns after it stay the editor's: "; y" is at UTF-16 column 8.
    assert doc.data[doc.offset_at(types.Position(0, 8)) :].startswith(b"; y")


def test_an_emoji_deleted_and_typed_one_unit_at_a_time() -> None:
    doc = Document("file:///e.py", "s = '😀'\n", language=PYTHON)
    _change(doc, 6, 7, "")  # the low half: the high one stays, alone
    _change(doc, 5, 6, "")
    assert doc.text == "s = ''\n"
    _change(doc, 5, 5, "\ud83d")
    _change(doc, 6, 6, "\ude80")
    assert doc.text == "s = '🚀'\n"
    assert doc.data[doc.offset_at(types.Position(0, 7)) :] == b"'\n"


_UNITS = st.sampled_from([0x61, 0x0A, 0xE9, 0x4E2D, 0xD83D, 0xDE00, 0xDE01, 0xD83E])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.text(alphabet="ab\n😀é中🚀", max_size=12),
    st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1), st.lists(_UNITS, max_size=3)), max_size=6),
)
def test_random_utf16_unit_edits_keep_the_clients_text(text: str, edits: list[tuple[float, float, list[int]]]) -> None:
    client = Utf16Client(text)
    doc = Document("file:///r.py", text, language=PYTHON)
    for a, b, new in edits:
        start, end = sorted((int(a * len(client.units)), int(b * len(client.units))))
        doc.apply_change(client.replace(start, end, new))
        assert doc.data == client.data()


def test_a_header_saved_as_utf16_gives_its_definitions(tmp_path: Path) -> None:
    """Visual Studio writes ``resource.h`` (and any file saved as "Unicode") in UTF-16 with a
    byte order mark, which editors open as text: parsed as UTF-8 it gave no definitions, and
    the prompt had none of the header's prototypes."""
    header = "#pragma once\n#define IDD_ABOUT 101\n\nint show_dialog(int id, const char *title);\n"
    for encoding in ("utf-16", "utf-16-be"):
        folder = tmp_path / encoding
        folder.mkdir()
        raw = header.encode(encoding)
        (folder / "resource.h").write_bytes(raw if encoding == "utf-16" else b"\xfe\xff" + raw)
        text = '#include "resource.h"\n\nint main(void) {\n    return show_dialog(IDD_ABOUT, "Über");\n'
        prompt = prompt_with_imports(folder / "main.c", text, [folder], "c")
        assert "int show_dialog(int id, const char *title);" in prompt, encoding


async def test_a_suggestion_after_an_emoji_edited_one_unit_at_a_time_is_at_the_cursor(tmp_path: Path) -> None:
    """VS Code counts in UTF-16 units, and an edit may change one half of an emoji (😀 to 😁 is
    DE00 to DE01): the server's line came out a unit shorter than the editor's, and the
    suggestion at the end of the line was placed a column before the cursor, on the quote."""
    with FakeDeepSeek() as fake:
        fake.script(" + name")
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path))
        async with lsp_session(env, settings={"completion": {"debounce": 0}}) as client:
            uri = "file:///ws/e.py"
            open_doc(client, uri, "s = '😀'\n")
            client.text_document_did_change(
                types.DidChangeTextDocumentParams(
                    text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
                    content_changes=[
                        types.TextDocumentContentChangePartial(
                            range=types.Range(start=types.Position(0, 6), end=types.Position(0, 7)), text="\ude01"
                        )
                    ],
                )
            )
            result = await client.text_document_inline_completion_async(inline_params(uri, 0, 8))
            assert [i.insert_text for i in result.items] == [" + name"]
            assert result.items[0].range.start == types.Position(0, 8)
            assert fake.requests_to("/beta/completions")[0].json["prompt"].endswith("s = '😁'")


def test_a_utf16_file_in_the_workspace_is_searched_for_its_members(tmp_path: Path) -> None:
    """The workspace's symbol table read a UTF-16 file as UTF-8: none of its names were found,
    and a member it alone defines never came into the prompt."""
    (tmp_path / "dialogs.cs").write_bytes(
        "class AboutDialog {\n    public void ShowModal(int owner) {}\n}\n".encode("utf-16")
    )
    (tmp_path / "main.cs").write_text("class Program {}\n")
    symbols = WorkspaceSymbols(REGISTRY)
    for path in symbols.plan([tmp_path], DEFAULT_EXCLUDE, [tmp_path / "main.cs"]):
        symbols.add_file(path)
    assert [p.name for p in symbols.files_defining("ShowModal", "csharp")] == ["dialogs.cs"]
