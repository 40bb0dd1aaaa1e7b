"""Where a grammar reads the cursor in the document's own prose that the bracket scanner takes
for code (see postprocess/_document_prose.py): a chat turn's sentences alone are dropped in code
only, and a FIM model's next sentence of a component's text, a template's or a comment's was."""

from __future__ import annotations

import pytest

from deepseek_lsp.completion.postprocess import PostContext, says_only_prose
from deepseek_lsp.completion.postprocess._document_prose import in_document_prose
from deepseek_lsp.completion.request import Request
from tests.test_completion_units import _feature

JSX = "function A() {\n  return (\n    <p className={style}>%s</p>\n  );\n}\n"


@pytest.mark.parametrize(
    ("language", "text", "prose"),
    [
        ("javascript", JSX % "Thanks. |", True),  # JSX's text
        ("javascript", JSX % "|", True),  # between a tag's end and the closing tag
        ("javascript", JSX.replace("{style}", "{|}") % "", False),  # an attribute's code
        ("javascript", JSX % "{|}", False),  # a {…} in the text is code
        ("javascript", JSX.replace(">%s", " |>%s") % "", False),  # in the tag
        ("tsx", JSX % "Thanks. |", True),  # a grammar's name as the id (Helix's)
        ("typescriptreact", JSX % "Thanks. |", True),
        ("javascript", "const total = |;\n", False),
        ("php", "<?php $x = 1; ?>\n<div>\n  Thanks. |\n</div>\n", True),  # a template's HTML
        ("php", "<?php\n$x = |;\n", False),
        ("ruby", "x = 1\n=begin\nThanks. |\n=end\n", True),
        ("ruby", "puts DATA.read\n__END__\nThanks. |", True),  # to the file's end
        ("ruby", "def f\n  x = |\nend\n", False),
        ("python", "total = |\n", False),
        # A window of a longer file: one starting inside a docstring or in PHP code (its
        # <?php above it) is read as what it is, not its docstring's end or its HTML.
        ("python", 'the sum of the values.\n    """\n    total = |\n\ndef g():\n    """Doc."""\n', False),
        ("php", "$user = login();\n$total = |;\n", False),
        ("php", "$user = login(); ?>\n<div>\n  Thanks. |\n</div>\n", True),
        # A template's HTML above its first <?php: no tag before the cursor, an opening one
        # after it (the file's start, or a window of it).
        ("php", "<!DOCTYPE html>\n<div>\n  Thanks. |\n</div>\n<?php footer(); ?>\n", True),
        ("php", "<body>\n<p>Thanks. |</p>\n<?= $name ?>\n", True),
        ("php", "$total = |;\n?>\n<p><?= $total ?></p>\n", False),  # its closing tag first
        ("php", "$feed = |;\n$head = '<?xml version=\"1.0\"?>';\n", False),  # no PHP tag
        ("php", "$head = '<?xml version=\"1.0\"?>';\n$feed = |;\n", False),
        ("sql", "SELECT |;\n", False),  # no grammar: the scanner's reading stands
        (None, "Thanks. |", False),
    ],
)
def test_the_grammar_tells_the_documents_prose_from_code(language: str | None, text: str, prose: bool) -> None:
    prefix, _, suffix = text.partition("|")
    assert in_document_prose(PostContext(prefix=prefix, suffix=suffix, language=language)) is prose


SENTENCE = "We will be in touch soon."


@pytest.mark.parametrize(
    ("language", "text", "dropped"),
    [
        ("python", "total = |\n", True),  # code: a chat turn's sentence, nothing to show
        ("python", "# Thanks for signing up. |\n", False),  # a comment
        ("python", 'def f():\n    """Thanks for signing up. |\n    """\n', False),  # a docstring
        ("python", 'log.info("Thanks for signing up. |")\n', False),  # a log message
        ("javascript", "// Thanks for signing up. |\n", False),
        ("markdown", "# Welcome\n\nThanks for signing up. |\n", False),
        ("plaintext", "Thanks for signing up. |\n", False),
        ("restructuredtext", "Welcome\n=======\n\nThanks for signing up. |\n", False),
        ("gitcommit", "Fix the signup mail\n\nThanks for signing up. |\n", False),
        ("javascript", JSX % "Thanks for signing up. |", False),  # JSX's text
        ("ruby", "x = 1\n=begin\nThanks for signing up. |\n=end\n", False),
    ],
)
def test_sentences_alone_are_dropped_in_code_only(language: str, text: str, dropped: bool) -> None:
    """A chat turn's answer of sentences alone shows nothing in code; where the user writes
    prose, the same sentence is the document's next one."""
    prefix, _, suffix = text.partition("|")
    ctx = PostContext(prefix=prefix, suffix=suffix, language=language)
    assert says_only_prose(SENTENCE, ctx) is dropped


#: A component's paragraph long enough that a prompt's window starts inside it.
PARAGRAPH = "      We keep your data safe, and you can export it at any time from the settings.\n"


@pytest.mark.parametrize(
    ("uri", "language", "text"),
    [
        (
            "file:///w/welcome.jsx",
            "javascriptreact",
            "export function Welcome() {\n  return (\n    <p>\n" + PARAGRAPH * 40
            + "      Thanks for joining us. |\n    </p>\n  );\n}\n",
        ),
        (
            "file:///w/welcome.php",
            "php",
            "<?php $user = login(); ?>\n<div>\n" + PARAGRAPH * 40 + "  Thanks for joining us. |\n</div>\n",
        ),
    ],
    ids=["jsx", "php-template"],
)
def test_a_window_starting_inside_the_document_s_prose_keeps_its_next_sentence(
    uri: str, language: str, text: str
) -> None:
    """The window's own parse, from inside a component's paragraph (its <p> above the window),
    read the cursor as code: a chat turn's answer there, the paragraph's next sentence, was
    dropped as chatter, after 1-18 ms of parsing on the event loop. The document's tree, read
    as the request is built, knows the paragraph."""
    feature = _feature()
    prefix, _, suffix = text.partition("|")
    doc = feature.services.documents.open(uri, prefix + suffix, language, 1)
    req = Request(doc, len(prefix.encode()), False)
    ctx = feature.prompts.context_between(req, text.index(PARAGRAPH) + len(PARAGRAPH) * 20, len(text) - 1)
    assert says_only_prose(SENTENCE, ctx) is False
    # In code below it, the sentences are still a chat turn's, dropped.
    code = text.replace("|", "").rstrip("\n") + "\n" + ("const x = " if language != "php" else "<?php $x = ")
    doc = feature.services.documents.open(uri + ".2", code, language, 1)
    ctx = feature.prompts.context_between(Request(doc, len(code.encode()), False), 0, len(code))
    assert says_only_prose(SENTENCE, ctx) is True
