"""Review findings and their quick fixes as the user lives with them in the editor: a fix writes
the corrected code once, where it belongs, and reviews are paid for only where code changed."""

from __future__ import annotations

import pytest

from deepseek_lsp.documents import Document
from deepseek_lsp.languages import LanguageRegistry
from deepseek_lsp.model import ModelClient
from deepseek_lsp.review.answer import RawFinding
from deepseek_lsp.review.engine import ReviewEngine
from deepseek_lsp.review.findings import Finding, place_findings
from deepseek_lsp.review.placing import Placer
from tests.fake_deepseek import FakeDeepSeek
from tests.review_support import doc_of, reviewer, settings_for

REGISTRY = LanguageRegistry.load()
CHAT = "/chat/completions"

pytestmark = pytest.mark.usefixtures("state_dir")  # caches in the test's own folder


def fixed(text: str, code: str, suggestion: str, language: str, name: str) -> str:
    """The text after the user applies the quick fix of a finding quoting ``code``."""
    doc = Document(f"file:///project/{name}", text, language=REGISTRY.get(language))
    raw = RawFinding("warning", code, "Problem.", suggestion)
    found, _ = place_findings(
        Placer(doc), [(raw, [(0, text.count("\n"))], "f", "function")], min_confidence=0, min_severity="info"
    )
    (finding,) = found
    assert isinstance(finding, Finding) and finding.fix is not None
    return (doc.data[: finding.start] + finding.fix.encode() + doc.data[finding.end :]).decode()


@pytest.mark.parametrize(
    ("language", "name", "text", "code", "suggestion", "expected"),
    [
        (
            "python",
            "app.py",
            "def f(row):\n    if row == None:  # no row yet\n        return 1\n",
            "row == None",
            "if row is None:",
            "def f(row):\n    if row is None:  # no row yet\n        return 1\n",
        ),
        (
            "python",
            "app.py",
            "def f(data):\n    result = eval(data)  # the user's input\n    return result\n",
            "eval(data)",
            "result = ast.literal_eval(data)",
            "def f(data):\n    result = ast.literal_eval(data)  # the user's input\n    return result\n",
        ),
        (
            "javascript",
            "app.js",
            "function f(a) {\n  if (a == null) { // none given\n    return 1;\n  }\n}\n",
            "a == null",
            "if (a === null) {",
            "function f(a) {\n  if (a === null) { // none given\n    return 1;\n  }\n}\n",
        ),
    ],
)
def test_a_whole_line_suggestion_on_a_line_with_a_trailing_comment_fixes_the_line(
    language: str, name: str, text: str, code: str, suggestion: str, expected: str
) -> None:
    """The model quotes part of a line and suggests the corrected line, without the comment at
    its end (as models do): the quick fix put the whole line in place of the quote, and wrote
    ``if if row is None::  # no row yet``, code that does not compile."""
    assert fixed(text, code, suggestion, language, name) == expected



LOAD = "def load(path):\n    data = read(path)\n    return data\n"
WRAPPED = "def load(path):\n    try:\n        data = read(path)\n    except OSError:\n        data = None\n    return data\n"
BLOCK = "def load(path):\n    if path:\n        data = read(path)\n    return data\n"


@pytest.mark.parametrize(
    ("text", "code", "suggestion", "expected"),
    [
        # The line quoted as the prompt shows it, indented; the suggestion from column 0.
        (LOAD, "    data = read(path)", "try:\n    data = read(path)\nexcept OSError:\n    data = None", WRAPPED),
        # The other way round.
        (LOAD, "data = read(path)", "    try:\n        data = read(path)\n    except OSError:\n        data = None", WRAPPED),
        # Two lines quoted indented, the suggestion from column 0.
        (
            BLOCK,
            "    if path:\n        data = read(path)",
            "if path:\n    try:\n        data = read(path)\n    except OSError:\n        data = None",
            "def load(path):\n    if path:\n        try:\n            data = read(path)\n"
            "        except OSError:\n            data = None\n    return data\n",
        ),
    ],
)
def test_a_suggestion_indented_otherwise_than_its_quote_keeps_the_code_in_its_block(
    text: str, code: str, suggestion: str, expected: str
) -> None:
    """The model copies the code with its indentation, as the prompt shows it, and writes the
    suggestion from column 0 (or the other way round): the quick fix put ``except OSError:`` at
    column 0, out of the function, and Python no longer compiled the file."""
    result = fixed(text, code, suggestion, "python", "app.py")
    assert result == expected
    compile(result, "app.py", "exec")



def test_a_suggestion_written_with_spaces_for_code_quoted_with_tabs_is_indented_with_tabs() -> None:
    """A tab-indented file: the model quotes the lines with their tabs and writes the suggestion
    with four spaces a level; each space was counted as a tab and the fix put ``try:`` five tabs
    deep, its body nine, under a block two tabs deep."""
    text = "def load(path):\n\tif path:\n\t\tdata = read(path)\n\treturn data\n"
    result = fixed(
        text,
        "if path:\n\tdata = read(path)",
        "if path:\n    try:\n        data = read(path)\n    except OSError:\n        data = None",
        "python",
        "app.py",
    )
    assert result == (
        "def load(path):\n\tif path:\n\t\ttry:\n\t\t\tdata = read(path)\n"
        "\t\texcept OSError:\n\t\t\tdata = None\n\treturn data\n"
    )


@pytest.mark.parametrize(
    ("language", "name", "text", "code", "suggestion", "expected"),
    [
        (
            "go",
            "main.go",
            "func load() error {\n\tx := read()\n\treturn use(x)\n}\n",
            "x := read()",
            "x, err := read()\nif err != nil {\n    return err\n}",
            "func load() error {\n\tx, err := read()\n\tif err != nil {\n\t\treturn err\n\t}\n\treturn use(x)\n}\n",
        ),
        (
            "python",
            "app.py",
            "def load(path):\n    data = read(path)\n    return data\n",
            "data = read(path)",
            "try:\n\tdata = read(path)\nexcept OSError:\n\tdata = None",
            "def load(path):\n    try:\n        data = read(path)\n    except OSError:\n        data = None\n    return data\n",
        ),
        (
            "python",
            "app.py",
            "DATA = read()\n\n\ndef f():\n\treturn DATA\n",
            "DATA = read()",
            "try:\n    DATA = read()\nexcept OSError:\n    DATA = None",
            "try:\n\tDATA = read()\nexcept OSError:\n\tDATA = None\n\n\ndef f():\n\treturn DATA\n",
        ),
    ],
)
def test_a_fix_of_one_line_is_indented_as_the_file_is(
    language: str, name: str, text: str, code: str, suggestion: str, expected: str
) -> None:
    """The model quotes one line and writes its fix of several lines with its own indentation
    (four spaces a level; or tabs): a tab-indented Go function got ``\t    return err``, a
    Python file of spaces ``    \tdata = read(path)``, each line indented with both."""
    assert fixed(text, code, suggestion, language, name) == expected


HELPERS = [f"def step{i:02d}(x):\n    return x + {i}\n" for i in range(30)]
RUN_ALL = "def run_all(x):\n    return " + " + ".join(f"step{i:02d}(x)" for i in range(30)) + "\n"


async def test_moving_a_helper_does_not_pay_for_the_review_of_its_caller_again(
    fake_deepseek: FakeDeepSeek, client: ModelClient, engine: ReviewEngine
) -> None:
    """A function calling thirty helpers of its file: its cache key held the signatures of the
    first 24 in file order, and moving the last helper to the top (no code changed) made a new
    key: the caller was sent, and paid for, again."""
    fake_deepseek.responder(reviewer([]), path=CHAT)
    settings = settings_for(fake_deepseek)
    before = "\n\n".join([*HELPERS, RUN_ALL])
    await engine.review(client, doc_of(before, "steps.py"), settings)
    sent = len(fake_deepseek.requests_to(CHAT))
    moved = "\n\n".join([HELPERS[-1], *HELPERS[:-1], RUN_ALL])
    outcome = await engine.review(client, doc_of(moved, "steps.py"), settings)
    assert outcome.units_asked == 0
    assert len(fake_deepseek.requests_to(CHAT)) == sent


@pytest.mark.parametrize(
    ("text", "code", "suggestion", "expected"),
    [
        (
            "def load(path):\n    data = read(path)\n    return data\n",
            "data = read(path)",
            "try:\n        data = read(path)\n    except OSError:\n        data = None",
            "def load(path):\n    try:\n        data = read(path)\n    except OSError:\n"
            "        data = None\n    return data\n",
        ),
        (
            "class Store:\n\tdef load(self, path):\n\t\tdata = read(path)\n\t\treturn data\n",
            "data = read(path)",
            "try:\n\t\t\tdata = read(path)\n\t\texcept OSError:\n\t\t\tdata = None",
            "class Store:\n\tdef load(self, path):\n\t\ttry:\n\t\t\tdata = read(path)\n"
            "\t\texcept OSError:\n\t\t\tdata = None\n\t\treturn data\n",
        ),
        (
            "def greet(names):\n\tfor n in names:\n\t\tif n == None:\n\t\t\tprint(n)\n",
            "if n == None:",
            "if n is None:\n\t\t\tcontinue",
            "def greet(names):\n\tfor n in names:\n\t\tif n is None:\n\t\t\tcontinue\n"
            "\t\t\tprint(n)\n",
        ),
    ],
)
def test_a_fix_of_one_line_written_as_the_file_indents_it_keeps_its_blocks(
    text: str, code: str, suggestion: str, expected: str
) -> None:
    """The model quotes the line without its indentation and writes the fix's later lines as
    the prompt shows the file: read from the quote (column 0), ``except`` went four spaces
    deeper than ``try:``, into its block, and Python no longer compiled the file; ``continue``
    went three levels deeper than its ``if``."""
    result = fixed(text, code, suggestion, "python", "app.py")
    assert result == expected
    compile(result, "app.py", "exec")
