"""Inline completion at the protocol's edges as an editor sends them: auto-closed characters
after the cursor, CRLF and tab-indented documents, selected menu entries (found by an audit;
each case failed before its fix). The feature in-process, its model client talking HTTP to the
fake DeepSeek server; each case is the document as the user has it after accepting."""

from __future__ import annotations

import pytest
from lsprotocol import types

from tests.completing import Completing, accept_first
from tests.fake_deepseek import FakeDeepSeek

FIM = "/beta/completions"

pytestmark = pytest.mark.usefixtures("state_dir")  # usage and caches in the test's own folder


async def _accepted(fake: FakeDeepSeek, language_id: str, ext: str, text: str, answer: str) -> str | None:
    """The document after accepting the first inline item for the cursor at ``‸`` when the
    model answers ``answer`` (None: no item)."""
    return (await accept_first(fake, language_id, ext, text, answer))[0]


# 1. A body written between a header's `{` and the `}` the editor closed it with, whose last
#    line closes a block of its own (an `if`, a loop): that `}` was taken for the line's `}`
#    and dropped, and the accepted code no longer parsed (the `if` was left open).
@pytest.mark.parametrize(
    ("ext", "language_id", "text", "answer", "expected"),
    [
        (
            "js",
            "javascript",
            "function f(a) {‸}\n",
            "\n    if (a) {\n        return 1;\n    }\n",
            "function f(a) {\n    if (a) {\n        return 1;\n    }\n}\n",
        ),
        (
            "js",
            "javascript",
            "function g() {\n\tif (x) {\n\t\ty();\n\t}\n}\nfunction f(a) {‸}\n",
            "\n\tfor (const x of a) {\n\t\tconsole.log(x);\n\t}\n",
            "function g() {\n\tif (x) {\n\t\ty();\n\t}\n}\nfunction f(a) {\n\tfor (const x of a) {\n\t\tconsole.log(x);\n\t}\n}\n",
        ),
        (
            "go",
            "go",
            "package main\n\nfunc f(xs []int) {‸}\n",
            "\n\tfor _, x := range xs {\n\t\tprintln(x)\n\t}\n",
            "package main\n\nfunc f(xs []int) {\n\tfor _, x := range xs {\n\t\tprintln(x)\n\t}\n}\n",
        ),
        # 1b. The cursor between the spaces of an empty body (`{ | }`, as formatters write
        #     one): the `}` was left at the end of the body's last line (`return a; }`).
        (
            "js",
            "javascript",
            "function f(a) { ‸ }\n",
            "\n    return a;\n",
            "function f(a) { \n    return a;\n}\n",
        ),
        (
            "js",
            "javascript",
            "it('adds', () => { ‸ });\n",
            "\n    expect(add(1, 2)).toBe(3);\n",
            "it('adds', () => { \n    expect(add(1, 2)).toBe(3);\n});\n",
        ),
        # The model re-typing the line's own `}` at the header's depth: still not doubled.
        (
            "js",
            "javascript",
            "function f(a) {‸}\n",
            "\n    return a;\n}",
            "function f(a) {\n    return a;\n}\n",
        ),
    ],
)
async def test_a_body_ending_with_its_own_closer_keeps_it_before_the_lines_closer(
    fake_deepseek: FakeDeepSeek, ext: str, language_id: str, text: str, answer: str, expected: str
) -> None:
    assert await _accepted(fake_deepseek, language_id, ext, text, answer) == expected


# 2. The completion-menu fallback (nvim-cmp, Helix, Zed): an item inserts up to the cursor
#    only, the line's closers left in place (menu.py). A suggestion that at once types over the
#    closer (`foo(|)` with `) + 1`) has nothing before it: the menu got a preselected item with
#    an empty label that inserted nothing, and choices that differ only past the closer came
#    as the same item two or three times.
async def test_a_menu_item_that_would_insert_nothing_is_not_offered(completing: Completing, fake_deepseek: FakeDeepSeek) -> None:
    uri = "file:///w/menu.py"
    completing.open(uri, "y = 2\nx = foo()\n")
    fake_deepseek.script(") + 1", path=FIM)
    labels = await completing.menu(uri, 1, 8, types.CompletionTriggerKind.TriggerCharacter)
    assert labels == []


async def test_a_menu_snippet_that_would_insert_nothing_is_not_offered(
    completing: Completing, fake_deepseek: FakeDeepSeek
) -> None:
    """The snippet stops before a line less indented than the cursor's: here its first line of
    code (a block asked for right after an accept, answered with the next method)."""
    uri = "file:///w/menu.py"
    completing.open(uri, "class Cart:\n    def total(self):\n        \n\n    def clear(self):\n        self.items.clear()\n")
    completing.services.client_snippets = True
    fake_deepseek.script("self.items = load()", "\n\n    def count(self):", path=FIM)
    params = types.CompletionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=types.Position(2, 8),
        context=types.CompletionContext(trigger_kind=types.CompletionTriggerKind.TriggerCharacter),
    )
    (item,) = (await completing.completion.completion(params)).items
    completing.insert(uri, 2, 8, "self.items = load()")
    assert item.command is not None and item.command.arguments
    completing.completion.accepted(item.command.arguments[0])
    params.position = types.Position(2, 27)
    labels = [i.label for i in (await completing.completion.completion(params)).items]
    assert len(fake_deepseek.requests_to(FIM)) == 2
    assert labels == []


async def test_menu_choices_that_insert_the_same_text_are_one_item(completing: Completing, fake_deepseek: FakeDeepSeek) -> None:
    uri = "file:///w/menu.py"
    completing.open(uri, "y = 2\nx = foo()\n")
    fake_deepseek.script("y) + 1", "y) * 2", "y) - 3", path=FIM)
    labels = await completing.menu(uri, 1, 8, types.CompletionTriggerKind.Invoked)
    assert len(fake_deepseek.requests_to(FIM)) == 3
    assert labels == ["y"]


# 3. The item's range ran to the end of the line past the closers it replaces: the blanks
#    after them (a Markdown hard break's two spaces, trailing tabs the user keeps) were deleted
#    by every accept, though the suggestion does not re-insert them.
@pytest.mark.parametrize(
    ("ext", "language_id", "text", "answer", "expected"),
    [
        ("py", "python", "print(‸)   \n", "len(xs))", "print(len(xs))   \n"),
        ("md", "markdown", "See [the guide](‸)  \nNext line\n", "guide.md)", "See [the guide](guide.md)  \nNext line\n"),
    ],
)
async def test_accepting_before_closers_keeps_the_blanks_after_them(
    fake_deepseek: FakeDeepSeek, ext: str, language_id: str, text: str, answer: str, expected: str
) -> None:
    assert await _accepted(fake_deepseek, language_id, ext, text, answer) == expected


# 4. Prose (Markdown, plain text) was read with C's rules: a link's `https://` began a line
#    comment, so the model's `)` went unseen, and the line's
#    auto-closed `)` was put back after it (`(https://example.com/docs))`).
@pytest.mark.parametrize(
    ("ext", "language_id", "text", "answer", "expected"),
    [
        (
            "md",
            "markdown",
            "See [the docs](‸)\nNext line\n",
            "https://example.com/docs)",
            "See [the docs](https://example.com/docs)\nNext line\n",
        ),
        (
            "txt",
            "plaintext",
            "Notes (‸)\n",
            "see https://example.com)",
            "Notes (see https://example.com)\n",
        ),
    ],
)
async def test_a_closer_the_editor_added_in_prose_is_not_doubled(
    fake_deepseek: FakeDeepSeek, ext: str, language_id: str, text: str, answer: str, expected: str
) -> None:
    assert await _accepted(fake_deepseek, language_id, ext, text, answer) == expected


# 5. A menu snippet (Neovim 0.11, nvim-cmp, Helix) for a body between `{` and the `}` the
#    editor closed it with: the suggestion ends with the line break that puts that `}` on a
#    line of its own, and the snippet dropped it with the other blank lines at its end: the
#    accepted body read `return a;}`.
async def test_a_menu_snippet_for_a_body_leaves_the_lines_closer_on_a_line_of_its_own(
    completing: Completing, fake_deepseek: FakeDeepSeek
) -> None:
    uri = "file:///w/body.js"
    doc = completing.services.documents.open(uri, "class A {\n  f(a) {}\n}\n", "javascript", 1)
    completing.completion.document_opened(doc)
    completing.services.client_snippets = True
    fake_deepseek.script("\n    const b = a * 2;\n    return b;\n", path=FIM)
    result = await completing.completion.completion(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(1, 8),
            context=types.CompletionContext(trigger_kind=types.CompletionTriggerKind.TriggerCharacter),
        )
    )
    assert len(result.items) == 1
    edit = result.items[0].text_edit
    assert isinstance(edit, types.TextEdit)
    # Continuation lines relative to the cursor line's `  ` (the client adds it back), the
    # last one empty: the line's `}` goes under `f(a)`, where the client's indentation puts it.
    assert edit.new_text == "\n  const b = a * 2;\n  return b;\n"


#    So for a body that leaves a block open (the `if` still to finish): it read `return b;}`.
async def test_a_menu_snippet_for_a_body_left_open_leaves_the_lines_closer_on_a_line_of_its_own(
    completing: Completing, fake_deepseek: FakeDeepSeek
) -> None:
    uri = "file:///w/open.js"
    doc = completing.services.documents.open(uri, "class A {\n  f(a) {}\n}\n", "javascript", 1)
    completing.completion.document_opened(doc)
    completing.services.client_snippets = True
    fake_deepseek.script("\n    if (a) {\n      return b;\n", path=FIM)
    typed = types.CompletionContext(trigger_kind=types.CompletionTriggerKind.TriggerCharacter)
    result = await completing.completion.completion(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(1, 8),
            context=typed,
        )
    )
    assert len(result.items) == 1
    edit = result.items[0].text_edit
    assert isinstance(edit, types.TextEdit)
    assert edit.new_text == "\n  if (a) {\n    return b;\n"
