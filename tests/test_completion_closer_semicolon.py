"""An initializer's `;` after the editor's `}` on the line below (C# `new Point` Enter `{`
Enter, C++ `std::vector<int> v {` Enter): the item's range stays on its line, so the `;` of the
model's `};` goes in by an edit of its own once the item is accepted, over stdio against the
fake DeepSeek server, as VS Code runs the item's command after the insert."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types

from deepseek_lsp.completion.closer_semicolon import (
    EDIT_LABEL,
    SentSemicolons,
    closer_below,
    semicolon_offset,
)
from deepseek_lsp.documents import DocumentStore
from deepseek_lsp.languages import LanguageRegistry
from tests.completing import FIM
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import inline_params, lsp_session, open_doc, server_env
from tests.server_fork import CONSTANTS

REGISTRY = LanguageRegistry.load()
SETTINGS = {"completion": {"debounce": 0, "prefetch": False, "cache": False}}
METHOD = "class A\n{\n    void F()\n    {\n"
CSHARP = METHOD + "        var p = new Point\n        {\n            \n        }\n    }\n}\n"
CPP = "int main() {\n    std::vector<int> v {\n        \n    }\n}\n"
INIT = "        var p = new Point\n        {\n            "
IF = "        if (x)\n        {\n            "
RUN = "        Task.Run(() =>\n        {\n            "
JS_BELOW = "\n  }\n  use(o)\n  foo(\n}\n"
BROKEN = "    }\n    void G()\n    {\n        Go(\n    }\n}\n"
JS_OBJECT = "function f() {\n  const o = {\n    "
ONE_LINE = "        var a = new A {\n            "
SECOND = "\n        }\n        var b = new B {\n            Y = 2,\n        }\n    }\n}\n"
CLOSURE = "<?php\nfunction g() {\n    $f = function () {\n        "
C_STRUCT = "void f(void) {\n    struct P p = {\n        "
SEMIS = "function f() {\n  const a = 1;\n  g(a);\n"
BLOCK = METHOD + "        if (x)\n        {\n            \n        }\n    }\n}\n"


def _accept(client: Any, uri: str, item: types.InlineCompletionItem, version: int) -> None:
    """The editor's accept: the item's text over its range, as one change."""
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[
                types.TextDocumentContentChangePartial(range=item.range, text=item.insert_text)
            ],
        )
    )


async def _run_command(client: Any, item: types.InlineCompletionItem) -> None:
    command = item.command
    assert command is not None
    await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=command.command, arguments=list(command.arguments or []))
    )


async def _edits_after(client: Any, edits: list[Any]) -> list[Any]:
    """The edits the server asked for, once it has had the time to ask (a request's round trip
    and the spawned task's; seconds on a loaded machine, where 1 s ran out)."""
    for _ in range(200):
        if edits:
            break
        await asyncio.sleep(0.05)
    return edits


async def _prompts_after(fake: FakeDeepSeek, count: int) -> list[str]:
    """The FIM prompts the fake was sent, once ``count`` have come (a prefetch is spawned after
    the answer went out), or 10 s passed."""
    for _ in range(200):
        if len(fake.requests_to(FIM)) >= count:
            break
        await asyncio.sleep(0.05)
    return [r.json["prompt"] for r in fake.requests_to(FIM)]


async def _sent_or_none(client: Any, edits: list[Any], wanted: bool) -> types.TextDocumentEdit | None:
    """The one document's change of the one edit the server asked for, if ``wanted``; else
    that none was asked for, given the time."""
    if not wanted:
        await asyncio.sleep(0.5)
        assert edits == []
        return None
    [edit] = await _edits_after(client, edits)
    [change] = edit.document_changes
    return change


def _typed(client: Any, uri: str, at: tuple[int, int], text: str, version: int) -> None:
    """``text`` put in at ``at`` as one change (a key, or the client applying an edit)."""
    position = types.Position(line=at[0], character=at[1])
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(start=position, end=position), text=text
                )
            ],
        )
    )


async def _shown(client: Any, uri: str, text: str) -> types.InlineCompletionItem:
    """The item shown in C# ``text`` opened at ``uri``, the cursor in its initializer's (or
    block's) empty line."""
    open_doc(client, uri, text, "csharp")
    [item] = (await client.text_document_inline_completion_async(inline_params(uri, 6, 12))).items
    return item


async def _accepted(
    client: Any, uri: str, text: str, language: str, cursor: tuple[int, int]
) -> types.InlineCompletionItem:
    """The one item shown at ``cursor`` in ``text`` opened at ``uri``, accepted whole (its
    text put in, then its command run)."""
    open_doc(client, uri, text, language)
    [item] = (await client.text_document_inline_completion_async(inline_params(uri, *cursor))).items
    _accept(client, uri, item, 2)
    await _run_command(client, item)
    return item


@contextlib.asynccontextmanager
async def _session(
    tmp_path: Any, answers: list[str], settings: dict[str, Any] | None = None
) -> AsyncIterator[tuple[Any, list[Any]]]:
    """A session whose client applies every edit the server asks for, and lists them."""
    async with _session_with_fake(tmp_path, answers, settings) as (client, edits, _):
        yield client, edits


@contextlib.asynccontextmanager
async def _session_with_fake(
    tmp_path: Any, answers: list[str], settings: dict[str, Any] | None = None
) -> AsyncIterator[tuple[Any, list[Any], FakeDeepSeek]]:
    with FakeDeepSeek() as fake:
        fake.script(*answers)
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path))
        async with lsp_session(env, settings=settings or SETTINGS) as client:
            edits: list[Any] = []

            @client.feature(types.WORKSPACE_APPLY_EDIT)
            def apply_edit(
                params: types.ApplyWorkspaceEditParams,
            ) -> types.ApplyWorkspaceEditResult:
                edits.append(params.edit)
                return types.ApplyWorkspaceEditResult(applied=True)

            yield client, edits, fake


async def test_an_accepted_initializer_gets_the_semicolon_after_the_editors_brace(tmp_path) -> None:
    answers = ["X = 1,\n            Y = 2,\n        };", "1, 2, 3,\n    };"]
    async with _session(tmp_path, answers) as (client, edits):
        # (extension, language, text, the item shown, the cursor, where the `;` goes after it)
        for n, (ext, language, text, shown, cursor, brace) in enumerate(
            [
                ("cs", "csharp", CSHARP, "X = 1,\n            Y = 2,", (6, 12), (8, 9)),
                ("cpp", "cpp", CPP, "1, 2, 3,", (2, 8), (3, 5)),
            ]
        ):
            uri = f"file:///ws/init{n}.{ext}"
            open_doc(client, uri, text, language)
            result = await client.text_document_inline_completion_async(inline_params(uri, *cursor))
            [item] = result.items
            assert item.insert_text == shown  # the `}` below stays the editor's
            assert item.range.start.line == item.range.end.line
            _accept(client, uri, item, 2)
            await _run_command(client, item)
            [edit] = await _edits_after(client, edits)
            edits.clear()
            [change] = edit.document_changes
            assert change.text_document.uri == uri and change.text_document.version == 2
            [text_edit] = change.edits
            at = types.Position(line=brace[0], character=brace[1])
            assert text_edit.new_text == ";" and text_edit.range == types.Range(start=at, end=at), (
                language
            )


@pytest.mark.parametrize(
    ("ext", "language", "text", "cursor", "answer", "brace"),
    [
        # Two unfinished initializers in a row: the first's `}` read inside an ERROR.
        (
            "cs",
            "csharp",
            METHOD + ONE_LINE + "\n" + SECOND[1:],
            (5, 12),
            "X = 1,\n        };",
            (6, 9),
        ),
        # A PHP closure above a call still open.
        ("php", "php", CLOSURE + "\n    }\n    echo $f(\n}\n", (3, 8), "return 1;\n    };", (4, 5)),
    ],
)
async def test_an_initializer_above_unfinished_code_gets_the_semicolon(
    tmp_path, ext: str, language: str, text: str, cursor: tuple[int, int], answer: str, brace: tuple[int, int]
) -> None:
    async with _session(tmp_path, [answer]) as (client, edits):
        uri = f"file:///ws/unfinished.{ext}"
        open_doc(client, uri, text, language)
        [item] = (await client.text_document_inline_completion_async(inline_params(uri, *cursor))).items
        _accept(client, uri, item, 2)
        await _run_command(client, item)
        [edit] = await _edits_after(client, edits)
        [text_edit] = edit.document_changes[0].edits
        at = types.Position(line=brace[0], character=brace[1])
        assert text_edit.new_text == ";" and text_edit.range == types.Range(start=at, end=at)


@pytest.mark.parametrize("semis", [True, False])
async def test_a_javascript_object_gets_the_semicolon_where_the_file_writes_them(
    tmp_path, semis: bool
) -> None:
    """`const o = {` Enter, the entries accepted: `};` in a file whose statements end with a
    `;`, the `}` left alone in one that leaves them to ASI."""
    end = ";" if semis else ""
    text = f"import a from 'a'{end}\nuse(a){end}\nconst o = {{\n  \n}}\nuse(o){end}\n"
    async with _session(tmp_path, ["a: 1,\n};"]) as (client, edits):
        item = await _accepted(client, "file:///ws/habit.js", text, "javascript", (3, 2))
        assert item.insert_text == "a: 1,"
        change = await _sent_or_none(client, edits, semis)
        if change is None:
            return
        [text_edit] = change.edits
        at = types.Position(line=4, character=1)
        assert text_edit.new_text == ";" and text_edit.range == types.Range(start=at, end=at)


@pytest.mark.parametrize(
    ("ext", "language", "text", "cursor", "answer"),
    [
        # A Python dict and a Go struct with an unfinished call below; a JavaScript default
        # export's anonymous function in a file that writes its `;`.
        ("py", "python", "def f():\n    d = {\n        \n    }\n    g(\n", (2, 8), "'a': 1,\n    }"),
        ("go", "go", "package p\n\nfunc f() {\n\tp := P{\n\t\t\n\t}\n\tg(\n}\n", (4, 2), "X: 1,\n\t}"),
        ("js", "javascript", SEMIS + "}\nexport default function () {\n  \n}\n", (5, 2), "go();\n}"),
    ],
)
async def test_no_semicolon_where_the_language_wants_none(
    tmp_path, ext: str, language: str, text: str, cursor: tuple[int, int], answer: str
) -> None:
    """The accepted entries above the editor's `}`: no `;` after it where a line ends the
    statement (Python, Go) or the `}` ends a declaration (`export default function () {}`)."""
    async with _session(tmp_path, [answer]) as (client, edits):
        uri = f"file:///ws/none.{ext}"
        open_doc(client, uri, text, language)
        [item] = (await client.text_document_inline_completion_async(inline_params(uri, *cursor))).items
        assert item.insert_text == answer.rpartition("\n")[0]  # the `}` below is the editor's
        _accept(client, uri, item, 2)
        await _run_command(client, item)
        assert await _sent_or_none(client, edits, False) is None


async def test_a_client_that_answers_the_edit_late_or_never_leaves_nothing_held(tmp_path) -> None:
    """Three accepted initializers in a client that answers the `;` edit only after the server
    gave up on it (2 s; 0.3 s here): the server goes on answering, but pygls kept each request's future
    (cancelled) until an answer came: one more per accept, for good in a client that never
    answers. Their late answers are dropped without a word (no 'Error in server')."""
    with FakeDeepSeek() as fake:
        fake.script(*["X = 1,\n            Y = 2,\n        };"] * 3)
        # The server gives up on an edit after 0.3 s, not 2: what is held after it gave up is the
        # question, not when (the client here answers only after it did, however long it is).
        # Three waits of 2 s were 6 of this test's 8 s at load 12.
        limit = json.dumps({"deepseek_lsp.completion.feature:APPLY_TIMEOUT_S": 0.3})
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path), **{CONSTANTS: limit})
        async with lsp_session(env, settings=SETTINGS) as client:
            asked: list[Any] = []
            late = asyncio.Event()

            @client.feature(types.WORKSPACE_APPLY_EDIT)
            async def apply_edit(params: types.ApplyWorkspaceEditParams) -> Any:
                asked.append(params.edit)
                await late.wait()
                return types.ApplyWorkspaceEditResult(applied=False)

            async def state() -> Any:
                return await client.protocol.send_request_async("deepseek/debugState", {})

            before = (await state()).protocolFutures
            try:
                held = await _three_given_up(client, asked, state)
                # Before: 2 at the start (the session's own), then 2, 3, 4; now 1, 1, 1.
                assert held == [held[0]] * 3 and held[0] <= before
            finally:
                late.set()  # the three answers come now, after the server gave up on them
            await asyncio.sleep(0.5)
            await state()  # a round trip: the answers were read before its own
            assert [m.message for m in client.messages if m.type == types.MessageType.Error] == []


async def _three_given_up(client: Any, asked: list[Any], state: Any) -> list[int]:
    """Three initializers accepted, each `;` edit asked for and given up on: the task awaiting
    its answer ends, and the next accept asks again. The futures pygls holds after each."""
    held = []
    for n in range(3):
        uri = f"file:///ws/late{n}.cs"
        item = await _shown(client, uri, CSHARP)
        _accept(client, uri, item, 2)
        await _run_command(client, item)
        for _ in range(100):
            if len(asked) > n:
                break
            await asyncio.sleep(0.05)
        assert len(asked) == n + 1
        for _ in range(100):  # polled: the time limit plus the loop's turn
            if not [name for name in (await state()).taskNames if "_apply" in name]:
                break
            await asyncio.sleep(0.1)
        now = await state()
        assert [name for name in now.taskNames if "_apply" in name] == []
        held.append(now.protocolFutures)
    return held


def _whole(client: Any, uri: str, text: str, version: int) -> None:
    """``text`` as the document's whole text (a client syncing it whole)."""
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


@pytest.mark.parametrize(
    ("asked_before_the_semicolon", "whole"), [(False, False), (True, False), (False, True)]
)
async def test_the_answer_prefetched_for_after_the_accept_outlives_the_semicolon(
    tmp_path, asked_before_the_semicolon: bool, whole: bool
) -> None:
    """The `;` the server's own edit puts in after the `}` is no key of the user's: the answer
    prefetched for the accepted state is still served, with no request of its own (a second
    one was sent for every initializer accepted)."""
    answers = ["X = 1,\n            Y = 2,\n        };", "\n            Z = 3,"]
    settings = {"completion": {"debounce": 0, "prefetch": True, "cache": True}}
    async with _session_with_fake(tmp_path, answers, settings) as (client, edits, fake):
        uri = "file:///ws/prefetched.cs"
        item = await _shown(client, uri, CSHARP)
        assert fake.wait_requested(FIM) and len(fake.requests_to(FIM)) >= 1
        _accept(client, uri, item, 2)
        await _run_command(client, item)
        [edit] = await _edits_after(client, edits)
        if asked_before_the_semicolon:
            before = await client.text_document_inline_completion_async(inline_params(uri, 7, 18))
            assert [i.insert_text for i in before.items] == ["\n            Z = 3,"]
        [text_edit] = edit.document_changes[0].edits
        start = text_edit.range.start
        if whole:  # the `;` as the whole text after it: the change found is `\n` -> `;\n`
            lines = CSHARP.split("\n")
            lines[6] += item.insert_text
            lines[7] += ";"  # the `}`'s line
            _whole(client, uri, "\n".join(lines), 3)
        else:
            _typed(client, uri, (start.line, start.character), ";", 3)
        after = await client.text_document_inline_completion_async(inline_params(uri, 7, 18))
        assert [i.insert_text for i in after.items] == ["\n            Z = 3,"]
        await _prompts_after(fake, 3)  # the prefetch spawned after the answer went out
        await asyncio.sleep(0.5)  # and none more
        prompts = [r.json["prompt"] for r in fake.requests_to(FIM)]
        # The accepted state was asked once (its prefetch), as was the state after `Z = 3,`
        # (the prefetch after it was shown): asked again with the `;` in, the same answers.
        assert sum(p.endswith("Y = 2,") for p in prompts) == 1
        assert len(prompts) == 3


@pytest.mark.parametrize(("typed", "semicolon"), [(" // xy", True), ("\n            Z = 3,", False)])
async def test_text_typed_after_the_accepted_line_keeps_the_semicolon(
    tmp_path, typed: str, semicolon: bool
) -> None:
    """Typed at the accepted line's end before the accept's command came (Tab, then ` // xy`):
    the `}` below is as it was, alone on its line, and still misses its `;`. Not where a line
    was added: the `}` is no longer right below the entries the model closed."""
    async with _session(tmp_path, ["X = 1,\n            Y = 2,\n        };"]) as (client, edits):
        uri = "file:///ws/typed_after.cs"
        item = await _shown(client, uri, CSHARP)
        _accept(client, uri, item, 2)
        _typed(client, uri, (7, 18), typed, 3)
        await _run_command(client, item)
        change = await _sent_or_none(client, edits, semicolon)
        if change is None:
            return
        assert change.text_document.version == 3
        [text_edit] = change.edits
        at = types.Position(line=8, character=9)
        assert text_edit.new_text == ";" and text_edit.range == types.Range(start=at, end=at)


async def test_no_semicolon_where_the_text_changed_or_a_block_closes(tmp_path) -> None:
    answers = ["X = 1,\n            Y = 2,\n        };", "Go();\n        }"]
    async with _session(tmp_path, answers) as (client, edits):
        # The user typed the `;` before the accept's command came: nothing more.
        uri = "file:///ws/typed.cs"
        item = await _shown(client, uri, CSHARP)
        _accept(client, uri, item, 2)
        _typed(client, uri, (8, 9), ";", 3)
        await _run_command(client, item)
        # A block's `}`: no `;` is missing after it.
        uri = "file:///ws/block.cs"
        item = await _shown(client, uri, BLOCK)
        assert item.insert_text == "Go();"
        _accept(client, uri, item, 2)
        await _run_command(client, item)
        await asyncio.sleep(0.5)
        assert edits == []


@pytest.mark.parametrize(
    ("ext", "language", "before", "insert", "after", "semicolon"),
    [
        # The parser misses a `;` after the `}`: a Java array's, a Rust `let`'s struct, a C++
        # struct's own at the file's end.
        ("java", "java", "class A {\n  int[] a = {\n    ", "1, 2,", "\n  }\n}\n", True),
        ("rs", "rust", "fn f() {\n    let p = P {\n        ", "x: 1,", "\n    }\n}\n", True),
        ("cpp", "cpp", "struct S {\n    ", "int x;", "\n}\n", True),
        # None is missing: a Rust function's last expression, a C# block; nor is the line
        # below a `}` alone where the value is passed on (`});`).
        ("rs", "rust", "fn f() -> P {\n    P {\n        ", "x: 1,", "\n    }\n}\n", False),
        (
            "cs",
            "csharp",
            "class A\n{\n    void F()\n    {\n        ",
            "Go();",
            "\n    }\n}\n",
            False,
        ),
        # Rust's `let v = if a {`: its `else` comes after the `}` (without one the value is
        # `()`), a `;` there was typed over; a final `else`'s block and a `match` end the value.
        ("rs", "rust", "fn f() {\n    let v = if a {\n        ", "1", "\n    }\n}\n", False),
        (
            "rs",
            "rust",
            "fn f() {\n    let v = if a {\n        1\n    } else if b {\n        ",
            "2",
            "\n    }\n}\n",
            False,
        ),
        (
            "rs",
            "rust",
            "fn f() {\n    let v = if a {\n        1\n    } else {\n        ",
            "2",
            "\n    }\n}\n",
            True,
        ),
        ("rs", "rust", "fn f() {\n    let v = match a {\n        ", "_ => 1,", "\n    }\n}\n", True),
        # A lambda's `)` is missing too: the parser's guess is no sure thing.
        (
            "cs",
            "csharp",
            "class A\n{\n    void F()\n    {\n        Task.Run(() =>\n        {\n            ",
            "Work();",
            "\n        }\n    }\n}\n",
            False,
        ),
        ("cpp", "cpp", "void f() {\n    auto g = [&] {\n        ", "work();", "\n    }\n}\n", True),
        # A statement below: C#'s parser reads `new Point { ... }` and the next line as one
        # expression (`}.Console`), in error, with no `;` of its own guessed; a Rust struct's
        # likewise. Not a block's `}`, a lambda's, a member access going on (`.Go()`), nor a
        # Rust `let v = if a {` awaiting its `else`.
        ("cs", "csharp", METHOD + INIT, "X = 1,", "\n        }\n        Show(p);\n    }\n}\n", True),
        ("cs", "csharp", METHOD + INIT, "X = 1,", "\n        }\n        p.Go();\n    }\n}\n", True),
        ("cs", "csharp", METHOD + INIT, "X = 1,", "\n        }\n        .Go();\n    }\n}\n", False),
        ("cs", "csharp", METHOD + IF, "Go();", "\n        }\n        Show(p);\n    }\n}\n", False),
        ("cs", "csharp", METHOD + RUN, "Go();", "\n        }\n        Show(p);\n    }\n}\n", False),
        ("rs", "rust", "fn f() {\n    let p = P {\n        ", "x: 1,", "\n    }\n    g(p);\n}\n", True),
        ("rs", "rust", "fn f() {\n    let v = if a {\n        ", "1", "\n    }\n    g(v);\n}\n", False),
        # JavaScript's and TypeScript's object read whole without a `;` (the language inserts
        # it): none added where a line below is half typed (`if (`), an error elsewhere in the
        # function, as none is where the function parses clean (a file with no `;` at all).
        ("js", "javascript", JS_OBJECT, "a: 1,", "\n  }\n  g(o)\n  if (\n}\n", False),
        ("ts", "typescript", JS_OBJECT, "a: 1,", "\n  }\n  g(o)\n  let x: = 3\n}\n", False),
        ("js", "javascript", JS_OBJECT, "a: 1,", "\n  }\n  g(o)\n}\n", False),
        ("cs", "csharp", METHOD + INIT, "X = 1,", "\n        }\n        Show(p);\n        if (\n    }\n}\n", True),
        (
            "cs",
            "csharp",
            "class A\n{\n    void F()\n    {\n        Use(new P\n        {\n            ",
            "X = 1,",
            "\n        });\n    }\n}\n",
            False,
        ),
        # JavaScript's and TypeScript's statements end without a `;` (ASI): an error elsewhere
        # in the function or the file (an unclosed `foo(` below) is no `;` missing after the `}`.
        ("js", "javascript", "function f() {\n  const o = {\n    ", "a: 1,", JS_BELOW, False),
        ("js", "javascript", "const o = {\n  ", "a: 1,", "\n}\nuse(o)\nfoo(\n", False),
        ("ts", "typescript", "const o: T = {\n  ", "a: 1,", "\n}\nuse(o)\nfoo(\n", False),
        ("ts", "typescript", "class A {\n  h = () => {\n    ", "go()", "\n  }\n  m() {\n", False),
        # A statement below and an error further on (an unclosed `Go(` in the next method):
        # still the C# initializer's.
        ("cs", "csharp", METHOD + INIT, "X = 1,", "\n        }\n        Show(p);\n" + BROKEN, True),
        # The `}` inside an ERROR the parser made of what follows: another unfinished
        # initializer below (`var b = new B {`, no `;` yet), a PHP closure above another or
        # above a call left open, a C# call left open right below or in an `if`'s header.
        ("cs", "csharp", METHOD + INIT, "X = 1,", SECOND, True),
        ("cs", "csharp", METHOD + ONE_LINE, "X = 1,", SECOND, True),
        ("cs", "csharp", METHOD + INIT, "X = 1,", SECOND.replace("Y = 2,", ""), True),
        ("cs", "csharp", METHOD + INIT, "X = 1,", "\n        }\n        Go(\n    }\n}\n", True),
        ("cs", "csharp", METHOD + INIT, "X = 1,", "\n        }\n        if (Go(p)\n        {\n        }\n    }\n}\n", True),
        ("php", "php", CLOSURE, "return 1;", "\n    }\n    $g = function () {\n        return 2;\n    }\n}\n", True),
        ("php", "php", CLOSURE, "return 1;", "\n    }\n    echo $f(\n}\n", True),
        ("php", "php", CLOSURE, "return 1;", "\n    }\n    echo $f();\n}\n", True),
        ("php", "php", "<?php\nif ($x) {\n    ", "g();", "\n}\necho $f(\n", False),
        # JavaScript and TypeScript: valid either way (ASI), a `;` only in a file that writes
        # them (its statements around), after a value's `}` alone: an object's, an arrow
        # function's, a class field's, a type alias's; not a function's, a method's, a block's,
        # an interface's, nor where the file has no `;` but a loop header's (or one alone).
        ("js", "javascript", SEMIS + "  const o = {\n    ", "a: 1,", "\n  }\n  use(o);\n}\n", True),
        ("js", "javascript", SEMIS + "  const o = {\n    ", "a: 1,", "\n  }\n  use(o);\n  foo(\n}\n", True),
        ("js", "javascript", SEMIS + "  return {\n    ", "a: 1,", "\n  }\n}\n", True),
        ("js", "javascript", "const a = 1;\nuse(a);\nmodule.exports = {\n  ", "a,", "\n}\n", True),
        ("ts", "typescript", "import a from 'a';\nuse(a);\nconst h = () => {\n  ", "go();", "\n}\nh();\n", True),
        ("ts", "typescript", "import a from 'a';\nuse(a);\ntype T = {\n  ", "a: string;", "\n}\n", True),
        ("ts", "typescript", "import a from 'a';\nuse(a);\ninterface T {\n  ", "a: string;", "\n}\n", False),
        ("tsx", "tsx", "import a from 'a';\nuse(a);\nconst s = {\n  ", "a: 1,", "\n}\n", True),
        ("js", "javascript", SEMIS + "  class A {\n    h = () => {\n      ", "go();", "\n    }\n  }\n}\n", True),
        ("js", "javascript", SEMIS + "  class A {\n    m() {\n      ", "go();", "\n    }\n  }\n}\n", False),
        ("js", "javascript", SEMIS + "  function g() {\n    ", "go();", "\n  }\n  g();\n}\n", False),
        ("js", "javascript", SEMIS + "  if (a) {\n    ", "go();", "\n  }\n  g();\n}\n", False),
        ("js", "javascript", SEMIS.replace(";", "") + "  const o = {\n    ", "a: 1,", "\n  }\n  use(o)\n}\n", False),
        ("js", "javascript", "for (let i = 0; i < 3; i++) g(i)\nconst o = {\n  ", "a: 1,", "\n}\n", False),
        ("js", "javascript", "const a = 1;\nconst o = {\n  ", "a: 1,", "\n}\n", False),
        # A C struct's and array's with an error further below (passing before as well).
        ("c", "c", C_STRUCT, ".x = 1,", "\n    }\n    g(&p);\n    int x = ;\n}\n", True),
        ("c", "c", "static struct P p = {\n    ", ".x = 1,", "\n}\nint main(void) {\n    h(\n}\n", True),
        ("c", "c", "void f(void) {\n    if (x) {\n        ", "g();", "\n    }\n    h(\n}\n", False),
        # A C type's own (`struct point { ... };`, an enum's, a C++ class's) with an error
        # further down (an unclosed `h(` in the next function): the `;` is the type's
        # child-of-the-file, not a statement's, and the file is in error, not the type.
        ("c", "c", "struct point {\n    ", "int x;", "\n}\n\nint main(void)\n{\n    h(\n}\n", True),
        ("c", "c", "enum color {\n    ", "RED,", "\n}\n\nint x = ;\n", True),
        ("cpp", "cpp", "class A {\n    ", "int x;", "\n}\n\nint main()\n{\n    h(\n}\n", True),
        ("c", "c", "struct point {\n    ", "int x;", "\n}\n\nint main(void)\n{\n    return 0;\n}\n", True),
        ("cpp", "cpp", "class A {\n    ", "int x;", "\n}\n\nint main()\n{\n    return 0;\n}\n", True),
        ("c", "c", "void g(void)\n{\n    ", "go();", "\n}\n\nint main(void)\n{\n    h(\n}\n", False),
        ("c", "c", "typedef struct {\n    ", "int x;", "\n}\n\nint main(void)\n{\n    h(\n}\n", False),
        ("cpp", "cpp", "namespace n {\n", "int x;", "\n}\n\nint main()\n{\n    h(\n}\n", False),
        # With an error below, a C# switch expression's `}` gets it; a property's, a local
        # function's, a Rust struct's, a C++ function's or a PHP method's does not.
        ("cs", "csharp", METHOD + "        var r = x switch\n        {\n            ", "1 => 2,", "\n        }\n        Go(\n    }\n}\n", True),
        ("cs", "csharp", "class A\n{\n    public int X\n    {\n        ", "get; set;", "\n    }\n    public void G(\n}\n", False),
        ("cs", "csharp", METHOD + "        int Local()\n        {\n            ", "return 1;", "\n        }\n        Go(\n    }\n}\n", False),
        ("rs", "rust", "struct P {\n    ", "x: i32,", "\n}\nfn g( {\n}\n", False),
        ("cpp", "cpp", "void f() {\n    ", "go();", "\n}\nvoid g( {\n}\n", False),
        ("php", "php", "<?php\nclass A {\n    function f() {\n        ", "return 1;", "\n    }\n    function g( {\n    }\n}\n", False),
        # An anonymous default export is a declaration (`export default function () {}`,
        # `export default class {}`): a `;` after it is an empty statement of its own, as after
        # a named one; with an error below too. A default export's object still takes it.
        ("js", "javascript", SEMIS + "}\nexport default function () {\n  ", "go();", "\n}\n", False),
        ("js", "javascript", SEMIS + "}\nexport default async function () {\n  ", "go();", "\n}\n", False),
        ("js", "javascript", SEMIS + "}\nexport default function* () {\n  ", "yield 1;", "\n}\n", False),
        ("js", "javascript", SEMIS + "}\nexport default class {\n  ", "x = 1;", "\n}\n", False),
        ("ts", "typescript", SEMIS + "}\nexport default class {\n  ", "x = 1;", "\n}\n", False),
        ("tsx", "tsx", SEMIS + "}\nexport default function () {\n  ", "return null;", "\n}\n", False),
        ("js", "javascript", SEMIS + "}\nexport default function () {\n  ", "go();", "\n}\nfoo(\n", False),
        ("js", "javascript", SEMIS + "}\nexport default class {\n  ", "x = 1;", "\n}\nfoo(\n", False),
        ("js", "javascript", SEMIS + "}\nexport default {\n  ", "a: 1,", "\n}\n", True),
        ("js", "javascript", SEMIS + "}\nexport default async () => {\n  ", "go();", "\n}\n", True),
        # TypeScript's export assignment (`export = {`) is a statement as `module.exports = {`
        # is: its `;` in a file that writes them, with an error below too, none in one that
        # does not (checked in session 43: no change).
        ("ts", "typescript", SEMIS + "}\nexport = {\n  ", "a: 1,", "\n}\n", True),
        ("ts", "typescript", SEMIS + "}\nexport = {\n  ", "a: 1,", "\n}\nfoo(\n", True),
        ("ts", "typescript", "function f() {\n  g(a)\n}\nexport = {\n  ", "a: 1,", "\n}\n", False),
        # Languages whose statements a line ends (Go, Python, Ruby, Elixir, the shell), with an
        # error further down: the reparse read up to the `;` found a whole statement with it,
        # but none is ever missing there. Nor after a Java class's `}` (the file's `;`).
        ("go", "go", "package p\nfunc f() {\n\tp := P{\n\t\t", "X: 1,", "\n\t}\n\tg(\n}\n", False),
        ("go", "go", "package p\nvar p = P{\n\t", "X: 1,", "\n}\nfunc g( {\n", False),
        ("go", "go", "package p\nfunc f() {\n\tif x {\n\t\t", "g()", "\n\t}\n\tg(\n}\n", False),
        ("go", "go", "package p\ntype T struct {\n\t", "X int", "\n}\nfunc g( {\n", False),
        ("py", "python", "d = {\n    ", "'a': 1,", "\n}\ng(\n", False),
        ("rb", "ruby", "h = {\n  ", "a: 1,", "\n}\ng(\n", False),
        ("ex", "elixir", "m = %{\n  ", "a: 1", "\n}\ng(\n", False),
        ("sh", "bash", "f() {\n  ", "echo 1", "\n}\ng (\n", False),
        ("py", "python", "def f():\n    d = {\n        ", "'a': 1,", "\n    }\n    g(\n", False),
        ("rb", "ruby", "def f\n  h = {\n    ", "a: 1,", "\n  }\n  g(\nend\n", False),
        ("go", "go", "package p\nfunc f() {\n\tfor {\n\t\tp := P{\n\t\t\t", "X: 1,", "\n\t\t}\n\t\tg(\n\t}\n}\n", False),
        ("java", "java", "class A {\n  ", "int x;", "\n}\nclass B {\n", False),
        ("java", "java", "enum E {\n  ", "A, B", "\n}\nclass B {\n", False),
        ("java", "java", "class A {\n  void f() {\n    int[] a = {\n      ", "1, 2", "\n    }\n    g(\n  }\n}\n", True),
        ("rs", "rust", "fn f() {\n    let p = P {\n        ", "x: 1,", "\n    }\n    g(\n}\n", True),
        ("c", "c", "int a[] = {\n    ", "1, 2,", "\n}\nvoid g( {\n", True),
        # Still none after a block's or a lambda's `}` with an error below.
        ("cs", "csharp", METHOD + IF, "Go();", "\n        }\n        Show(p\n    }\n}\n", False),
        ("cs", "csharp", METHOD + RUN, "Go();", "\n        }\n        Show(p\n    }\n}\n", False),
    ],
)
def test_the_semicolon_only_where_the_parser_misses_one(
    ext: str, language: str, before: str, insert: str, after: str, semicolon: bool
) -> None:
    closer = closer_below((before + after).encode(), len(before.encode()), insert)
    doc = DocumentStore(REGISTRY).open(f"file:///s.{ext}", before + insert + after, language, 2)
    end = len((before + insert).encode())
    offset = semicolon_offset(doc, end, closer) if closer is not None else None
    assert (offset is not None) is semicolon, language
    if semicolon:
        assert doc.data[offset - 1 : offset + 1] == b"}\n"


async def test_an_initializer_taken_in_parts_to_its_end_gets_the_semicolon_once(tmp_path) -> None:
    """VS Code and Neovim 0.12 run no command for an item taken word by word: its last part
    tells the server it is whole. Neovim 0.11 runs the command after the parts: no second `;`."""
    async with _session(tmp_path, ["X = 1,\n            Y = 2,\n        };"]) as (client, edits):
        uri = "file:///ws/parts.cs"
        item = await _shown(client, uri, CSHARP)
        raw = {
            "insertText": item.insert_text,
            "command": {"command": item.command.command, "arguments": list(item.command.arguments)},
        }
        _accept(client, uri, item, 2)
        for length in (6, len(item.insert_text)):
            client.protocol.notify(
                "textDocument/didPartiallyAcceptCompletion", {"item": raw, "acceptedLength": length}
            )
        [edit] = await _edits_after(client, edits)
        [text_edit] = edit.document_changes[0].edits
        assert text_edit.new_text == ";" and text_edit.range.start == types.Position(
            line=8, character=9
        )
        await _run_command(client, item)
        await asyncio.sleep(0.5)
        assert len(edits) == 1


#: A Java method typed at a class's end (OrderService.java again in Neovim, taken line by line):
#: its `switch` still open, the class's `}` right below the accepted `case` line.
JAVA_SWITCH = (
    "public class OrderService {\n    public boolean cancel(String id) {\n"
    "        Order order = orders.get(id);\n        switch (order.status()) {\n"
    "            case PLACED:\n            \n}\n"
)


async def test_a_case_line_accepted_above_the_class_s_brace_gets_no_semicolon(tmp_path) -> None:
    """The parser read the unclosed `switch` statement as a switch expression, its `}` the
    class's, with a `;` missing after it: the class's `}` became `};`."""
    async with _session(tmp_path, ["case PAID:"]) as (client, edits):
        item = await _accepted(client, "file:///ws/OrderService.java", JAVA_SWITCH, "java", (5, 12))
        assert item.insert_text == "case PAID:"
        await asyncio.sleep(0.5)
        assert edits == []


def test_the_vscode_extension_knows_the_edit_by_its_label() -> None:
    """VS Code's extension puts the edit so labelled into the accept's undo step (one Ctrl+Z
    takes both back): a label changed on one side only splits them again."""
    source = Path(__file__).parents[1] / "editors" / "vscode" / "src" / "joinedUndo.ts"
    assert f'INITIALIZER_SEMICOLON_LABEL = "{EDIT_LABEL}";' in source.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("eol", "whole", "also", "own"),
    [
        ("\n", False, "", True),
        ("\n", True, "", True),
        ("\r\n", True, "", True),
        # The user's key in the same change, or the `;` a line further: not the server's `;`.
        ("\n", True, "x", False),
        ("\r\n", True, "x", False),
    ],
)
def test_the_semicolon_is_known_back_however_the_client_sends_it(
    eol: str, whole: bool, also: str, own: bool
) -> None:
    store = DocumentStore(REGISTRY)
    text = CSHARP.replace("            \n", "            X = 1,\n").replace("\n", eol)
    uri = "file:///back.cs"
    doc = store.open(uri, text, "csharp", 2)
    offset = text.index("        }" + eol + "    }") + len("        }")
    sent = SentSemicolons()
    sent.sent(doc, offset)
    new = text[:offset] + ";" + text[offset:]
    new = new.replace("X = 1,", "X = 1," + also)
    if whole:
        change: Any = types.TextDocumentContentChangeWholeDocument(text=new)
    else:
        at = doc.position_at(offset)
        change = types.TextDocumentContentChangePartial(range=types.Range(start=at, end=at), text=";")
    store.change(uri, 3, [change])
    assert sent.came_back(doc, doc.recent_edits[-1], 1) == (offset if own else None)
