"""Ghost text at unusual places: between an element's tags, inside a docstring, a block comment
or a multi-line string that a later line closes, on a line the document does not have. The
feature in-process, its model client talking HTTP to the fake DeepSeek server; each case is the
document as the user has it after accepting the suggestion (found by an audit; each case failed
before its fix)."""

from __future__ import annotations

import pytest
from lsprotocol import types

from tests.completing import Completing, accept_first
from tests.cpu_time import ThreadCpu
from tests.fake_deepseek import FakeDeepSeek

FIM = "/beta/completions"

pytestmark = pytest.mark.usefixtures("state_dir")  # usage and caches in the test's own folder


async def _accepted(fake: FakeDeepSeek, language_id: str, ext: str, text: str, answer: str) -> str | None:
    """The document after accepting the first inline item for the cursor at ``‸`` when the
    model answers ``answer`` (None: no item)."""
    return (await accept_first(fake, language_id, ext, text, answer))[0]


# 1. The text of an element whose closing tag the editor added as the element was opened
#    (VS Code's HTML and JSX auto-closing tags, Vue): the closing tag after the cursor refused
#    every mid-line suggestion, so no element typed ever got one.
@pytest.mark.parametrize(
    ("language_id", "ext", "text", "answer", "expected"),
    [
        ("html", "html", "<ul>\n  <li>‸</li>\n</ul>\n", "Home", "<ul>\n  <li>Home</li>\n</ul>\n"),
        # The model re-typing the closing tag: the line's is not doubled.
        ("html", "html", "<ul>\n  <li>‸</li>\n</ul>\n", "Home</li>", "<ul>\n  <li>Home</li>\n</ul>\n"),
        (
            "typescriptreact",
            "tsx",
            "function Item({ item }) {\n  return <li>‸</li>;\n}\n",
            "{item.name}",
            "function Item({ item }) {\n  return <li>{item.name}</li>;\n}\n",
        ),
        (
            "javascriptreact",
            "jsx",
            "function A({ name }) {\n  return (\n    <div>\n      <p>‸</p>\n    </div>\n  );\n}\n",
            "Hello, {name}!</p>",
            "function A({ name }) {\n  return (\n    <div>\n      <p>Hello, {name}!</p>\n    </div>\n  );\n}\n",
        ),
        ("vue", "vue", "<template>\n  <h1>‸</h1>\n</template>\n", "{{ title }}", "<template>\n  <h1>{{ title }}</h1>\n</template>\n"),
    ],
)
async def test_the_text_between_an_elements_tags_is_suggested(
    fake_deepseek: FakeDeepSeek, language_id: str, ext: str, text: str, answer: str, expected: str
) -> None:
    assert await _accepted(fake_deepseek, language_id, ext, text, answer) == expected


async def test_code_before_other_code_after_a_closing_tag_still_gets_nothing(fake_deepseek: FakeDeepSeek) -> None:
    """Control: only closing tags (and closers) after the cursor; real code after it still
    refuses a mid-line suggestion."""
    text = "function A() {\n  return <li>‸</li> + label;\n}\n"
    assert await _accepted(fake_deepseek, "typescriptreact", "tsx", text, "x") is None


# 2. The cursor in a docstring, a block comment or a multi-line string that a later line of
#    the document closes: a model closing it itself (and going on with code) had its closer
#    kept, and the document's closer was left over, opening a string that swallowed the code
#    below (a syntax error the user accepted with Tab).
@pytest.mark.parametrize(
    ("language_id", "ext", "text", "answer", "expected"),
    [
        (
            "python",
            "py",
            'def total(xs):\n    """Return ‸\n\n    Empty lists give 0.\n    """\n    return sum(xs)\n',
            'the sum of xs."""',
            'def total(xs):\n    """Return the sum of xs.\n\n    Empty lists give 0.\n    """\n    return sum(xs)\n',
        ),
        (
            "python",
            "py",
            'def total(xs):\n    """\n    ‸\n    """\n',
            'Return the sum of xs.\n\n    Args:\n        xs: the values.\n    """\n    return sum(xs)',
            'def total(xs):\n    """\n    Return the sum of xs.\n\n    Args:\n        xs: the values.\n    """\n',
        ),
        (
            "javascript",
            "js",
            "/**\n * ‸\n */\nfunction total(xs) {}\n",
            "Returns the sum of xs. */",
            "/**\n * Returns the sum of xs.\n */\nfunction total(xs) {}\n",
        ),
        (
            "javascript",
            "js",
            "const help = `\nUsage: ‸\n`;\n",
            "tool [options]`;",
            "const help = `\nUsage: tool [options]\n`;\n",
        ),
    ],
)
async def test_a_closer_the_document_has_on_a_later_line_is_not_doubled(
    fake_deepseek: FakeDeepSeek, language_id: str, ext: str, text: str, answer: str, expected: str
) -> None:
    assert await _accepted(fake_deepseek, language_id, ext, text, answer) == expected


@pytest.mark.parametrize(
    ("text", "answer", "expected"),
    [
        # Controls: a docstring no later line closes is closed by the completion, and one the
        # cursor line closes is kept_tail's (the line's quotes are replaced, not doubled).
        ('def total(xs):\n    """Return ‸\n', 'the sum."""', 'def total(xs):\n    """Return the sum."""\n'),
        ('def total(xs):\n    """Return ‸"""\n', 'the sum."""', 'def total(xs):\n    """Return the sum."""\n'),
    ],
)
async def test_a_docstring_the_document_does_not_close_later_is_closed_by_the_completion(
    fake_deepseek: FakeDeepSeek, text: str, answer: str, expected: str
) -> None:
    assert await _accepted(fake_deepseek, "python", "py", text, answer) == expected


# 3. A position on a line past the document's last (a client out of step with the text): the
#    request was sent, billed, and its suggestion placed at the document's end.
@pytest.mark.parametrize("method", ["inline", "menu"])
async def test_a_line_past_the_document_gets_nothing_and_asks_nothing(
    completing: Completing, fake_deepseek: FakeDeepSeek, method: str
) -> None:
    fake_deepseek.responder(lambda body: "print(x)", path=FIM)
    uri = "file:///w/a.py"
    completing.open(uri, "x = 1\n")
    if method == "inline":
        assert await completing.inline(uri, 5, 0) == []
    else:
        assert await completing.menu(uri, 5, 0, types.CompletionTriggerKind.Invoked) == []
    assert fake_deepseek.requests_to(FIM) == []
    # The line after the final line break is the document's: it is answered.
    if method == "inline":
        assert await completing.inline(uri, 1, 0) == ["print(x)"]
    else:
        assert await completing.menu(uri, 1, 0, types.CompletionTriggerKind.Invoked) == ["print(x)"]


# 4. A line longer than the prompt's window (a long list or call written on one line): the
#    window starts in the middle of it, and the model's closers of the brackets the line
#    opened before that were taken for stray ones and cut (`"zebra"]` came as `"zebra"`).
@pytest.mark.parametrize(
    ("language_id", "ext", "head", "answer"),
    [
        ("python", "py", "WORDS = [", '"zebra"]'),
        ("python", "py", "def words():\n    return sorted([", '"zebra"])'),
        ("javascript", "js", "const WORDS = [", '"zebra"];'),
    ],
)
async def test_closers_of_brackets_a_long_line_opened_before_the_window_are_kept(
    fake_deepseek: FakeDeepSeek, language_id: str, ext: str, head: str, answer: str
) -> None:
    words = ", ".join(f'"w{i}"' for i in range(900))  # ~7 kB: past the default window
    text = f"{head}{words}, ‸\n"
    result = await _accepted(fake_deepseek, language_id, ext, text, answer)
    assert result == text.replace("‸", answer)


async def test_typing_through_a_suggestion_at_the_end_of_a_minified_line_answers_at_once(
    fake_deepseek: FakeDeepSeek,
) -> None:
    """A suggestion inside `console.log(|)` at the end of a minified bundle's one line, typed
    through: served from what is held, it needed the line's brackets, and they were read from
    the start of the line, 900 kB with a scan that looks back to the line's start at each
    bracket: 3 to 6 s each key (a fresh request reads its prompt's window: ~50 ms). The line
    is just under the 100 kB past which a cursor line gets no suggestion at all."""
    completing = Completing(fake_deepseek, debounce=0, prefetch=False)
    try:
        fake_deepseek.responder(lambda body: "value, other)", path=FIM)
        line = "var a=function(){return 1};" * 3_600 + "console.log()"
        uri = "file:///w/bundle.min.js"
        doc = completing.services.documents.open(uri, line + "\n", "javascript", 1)
        completing.completion.document_opened(doc)
        col = len(line) - 1
        assert await completing.inline(uri, 0, col) == ["value, other)"]
        # How much of the line post-processing reads for each key: the CPU bound alone no longer
        # tells, the bracket scan having grown fast enough that the whole line costs 0.06 s.
        read: list[int] = []
        between = completing.completion.prompts.context_between

        def context_between(req: object, start: int, end: int) -> object:
            read.append(end - start)
            return between(req, start, end)  # type: ignore[arg-type]

        completing.completion.prompts.context_between = context_between  # type: ignore[method-assign,assignment]
        for i, typed in enumerate("val"):
            completing.insert(uri, 0, col + i, typed)
            # The server's work runs on this thread's event loop: its CPU time, not the wall
            # clock, which a loaded machine's other processes stretch.
            with ThreadCpu() as cpu:
                shown = await completing.inline(uri, 0, col + i + 1)
            assert shown == ["value, other)"[i + 1 :]]
            assert cpu.seconds < 1.5, f"key {i + 1} took {cpu.seconds:.2f} s of CPU"
        assert len(fake_deepseek.requests_to(FIM)) == 1  # all typed through
        assert read and max(read) <= 2 * 8192 + 16, read  # the part around the cursor
    finally:
        await completing.stop()
