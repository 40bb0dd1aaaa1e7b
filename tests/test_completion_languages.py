"""Completion in languages other than Python, as their users meet it: a body between an editor-closed `{|}`, JSX children, a generic's `>` and a format placeholder's `}` typed over (found by an audit; each case failed before its fix)."""

from __future__ import annotations

import pytest
from lsprotocol import types

from deepseek_lsp.completion.feature import Request
from tests.completing import Completing
from tests.fake_deepseek import FakeDeepSeek
from tests.test_completion_units import _LANGUAGE_IDS, _feature

FIM = "/beta/completions"


pytestmark = pytest.mark.usefixtures("state_dir")  # usage and caches in the test's own folder


async def _complete(fake: FakeDeepSeek, language: str, text: str, answer: str) -> tuple[str | None, dict]:
    """The document after accepting the first inline item (None: no item), and the request."""
    c = Completing(fake, debounce=0, prefetch=False, cache=False)
    try:
        language_id, ext = _LANGUAGE_IDS[language]
        uri = f"file:///w/a.{ext}"
        offset = text.index("‸")
        clean = text.replace("‸", "")
        doc = c.services.documents.open(uri, clean, language_id, 1)
        c.completion.document_opened(doc)
        fake.script(answer)
        line = clean[:offset].count("\n")
        char = len(clean[:offset].split("\n")[-1])
        result = await c.completion.inline_completion(
            types.InlineCompletionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                position=types.Position(line, char),
                context=types.InlineCompletionContext(trigger_kind=types.InlineCompletionTriggerKind.Automatic),
            )
        )
        body = fake.requests_to(FIM)[-1].json
        if not result.items:
            return None, body
        item = result.items[0]
        lines = clean.split("\n")
        start = sum(len(x) + 1 for x in lines[: item.range.start.line]) + item.range.start.character
        end = sum(len(x) + 1 for x in lines[: item.range.end.line]) + item.range.end.character
        return clean[:start] + str(item.insert_text) + clean[end:], body
    finally:
        await c.stop()


# 1. `>` after the cursor (an auto-closed or already typed generic's `>`) is served as a
#    closer, but a completion that types over it keeps the line's `>` too.
@pytest.mark.parametrize(
    ("language", "text", "answer", "expected"),
    [
        ("rust", "fn f() {\n    let v = Vec::<‸>\n}\n", "i32>::new();", "fn f() {\n    let v = Vec::<i32>::new();\n}\n"),
        ("typescript", "const m = new Map<‸>\n", "string, number>();", "const m = new Map<string, number>();\n"),
    ],
)
async def test_generic_closer_is_not_doubled(fake_deepseek, language, text, answer, expected) -> None:
    result, _ = await _complete(fake_deepseek, language, text, answer)
    assert result is not None
    assert result == expected


# 2. The cursor between a block's `{` and its auto-closed `}`: the body is empty and is to be
#    written (multi-line), but the request is single-line, stop "\n": the model's body, which
#    starts with a line break, comes back empty and nothing is shown.
@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("go", "package a\n\nfunc f() int {‸}\n"),
        ("javascript", "function f() {‸}\n"),
        ("java", "class A {\n    int f() {‸}\n}\n"),
        ("rust", "fn f() -> i32 {‸}\n"),
        ("c", "int f(void) {‸}\n"),
    ],
)
def test_cursor_in_auto_closed_empty_braces_is_multiline(language, text) -> None:
    assert _is_multiline(language, text) is True


def _is_multiline(language: str, text: str) -> bool:
    """The decision at ``‸`` in ``text``."""
    feature = _feature()
    language_id, ext = _LANGUAGE_IDS[language]
    offset = text.encode().index("‸".encode())
    doc = feature.services.documents.open(f"file:///e.{ext}", text.replace("‸", ""), language_id, 1)
    before, after, _ = feature._line_parts(doc, offset)
    return feature.is_multiline(Request(doc, offset, False), before, after)


async def test_body_in_auto_closed_braces_is_shown(fake_deepseek) -> None:
    result, body = await _complete(fake_deepseek, "go", "package a\n\nfunc f() int {‸}\n", "\n\treturn 1\n")
    assert body["stop"] != ["\n"]
    assert result == "package a\n\nfunc f() int {\n\treturn 1\n}\n", result


async def test_body_in_auto_closed_braces_of_a_crlf_document_keeps_its_line_breaks(fake_deepseek) -> None:
    """The same in a Windows file: the line break put before the editor's `}` was a bare LF
    among CRLFs (a mixed-line-ending file after the accept)."""
    text = "package a\r\n\r\nfunc f() int {‸}\r\n"
    for answer in ("\n\treturn 1\n", "\r\n\treturn 1\r\n"):
        result, _ = await _complete(fake_deepseek, "go", text, answer)
        assert result == "package a\r\n\r\nfunc f() int {\r\n\treturn 1\r\n}\r\n", repr(result)


# 3. A JSX element's empty children: a block to write, but asked as one line.
@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("tsx", "function A() {\n  return (\n    <ul>\n      ‸\n    </ul>\n  );\n}\n"),
        ("javascript", "function A() {\n  return (\n    <ul>\n      ‸\n    </ul>\n  );\n}\n"),
    ],
)
def test_empty_jsx_children_are_multiline(language, text) -> None:
    assert _is_multiline(language, text) is True


# 4. A format placeholder's `}` the editor closed inside a string (`println!("x {|}")`): a
#    completion that types over `}"` and goes on with the arguments got the line's `}"` again.
@pytest.mark.parametrize(
    ("language", "text", "answer", "expected"),
    [
        ("rust", 'fn f() {\n    println!("x {‸}");\n}\n', '}", x);', 'fn f() {\n    println!("x {}", x);\n}\n'),
        ("csharp", 'class A {\n    void F() {\n        Log(string.Format("{‸}"));\n    }\n}\n', '0}", x));',
         'class A {\n    void F() {\n        Log(string.Format("{0}", x));\n    }\n}\n'),
        # Controls: an interpolation's `}` closed by the completion is typed over already.
        ("kotlin", 'fun f() {\n    println("${‸}")\n}\n', 'x}")', 'fun f() {\n    println("${x}")\n}\n'),
        ("javascript", 'console.log("a", "‸");\n', 'b", c);', 'console.log("a", "b", c);\n'),
    ],
)
async def test_string_text_typed_over_with_its_quote_is_not_doubled(fake_deepseek, language, text, answer, expected) -> None:
    result, _ = await _complete(fake_deepseek, language, text, answer)
    assert result == expected


async def test_jsx_children_come_as_a_block(fake_deepseek) -> None:
    text = "function A() {\n  return (\n    <ul>\n      ‸\n    </ul>\n  );\n}\n"
    result, body = await _complete(fake_deepseek, "tsx", text, "<li>a</li>\n      <li>b</li>\n    </ul>\n  );\n}\n")
    assert body["stop"] == ["\n\n\n"]
    assert result == "function A() {\n  return (\n    <ul>\n      <li>a</li>\n      <li>b</li>\n    </ul>\n  );\n}\n"
