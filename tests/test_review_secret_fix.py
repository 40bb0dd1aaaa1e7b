"""A finding about a hard-coded secret, which the model was shown redacted: its quick fix (read
the secret from the environment) replaces the real secret, and never writes the placeholder.
The real server over stdio against the fake DeepSeek."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types

from deepseek_lsp.documents import Document
from deepseek_lsp.languages import LanguageRegistry
from deepseek_lsp.review.fixes import adapt_fix
from deepseek_lsp.review.placing import Placer
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import lsp_session, open_doc, server_env
from tests.review_support import Rule, reviewer, user_prompt
from tests.test_review_lsp import SETTINGS, URI, reviewed, save

TOKEN = "ghp_ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
SOURCE = (
    "import os\n\n\n"
    "def client():\n"
    f'    token = "{TOKEN}"\n'
    "    return connect(token)\n"
)
FIX = 'token = os.environ["GITHUB_TOKEN"]'


#: ``token = ""`` two lines above the secret's: the quote ``token = "[REDACTED]"`` starts there too.
EMPTY_ABOVE = f'import os\n\n\ndef client(debug):\n    token = ""\n    if not debug:\n        token = "{TOKEN}"\n    return connect(token)\n'


@pytest.mark.parametrize(
    ("source", "line_offset", "at"),
    [(SOURCE, 0, (4, 4)), (EMPTY_ABOVE, -2, (6, 8))],
    ids=["on-its-line", "hint-two-lines-above"],
)
async def test_the_fix_of_a_hard_coded_secret_replaces_the_secret(
    fake_deepseek: FakeDeepSeek, tmp_path: Path, source: str, line_offset: int, at: tuple[int, int]
) -> None:
    """The model quotes the line as it saw it, ``token = "[REDACTED]"``, and suggests reading
    the environment: the finding landed on the secret's line, but its fix was refused (the quote
    is not the text found), so the one finding every reviewer makes of such code had no quick
    fix. Its line said two lines up, on ``token = ""``: the placeholder read as any text, the
    finding was put there and its fix replaced ``token = ""`` to the secret's opening quote, the
    ``if`` between deleted and the real secret left after the new line. Now on the secret's."""
    rule = Rule('token = "[REDACTED]"', "critical", "Hard-coded GitHub token.", FIX)
    fake_deepseek.responder(reviewer([rule], line_offset=line_offset), path="/chat/completions")
    env = server_env(fake_deepseek.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path))
    async with lsp_session(env, settings=SETTINGS) as client:
        open_doc(client, URI, source)
        save(client)
        (diag,) = await reviewed(client, 1)
        assert TOKEN not in user_prompt(fake_deepseek.requests[-1].json)
        assert (diag.range.start.line, diag.range.start.character) == at
        actions = await client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=URI),
                range=diag.range,
                context=types.CodeActionContext(diagnostics=[diag]),
            )
        )
        fixes = [a for a in actions or [] if isinstance(a, types.CodeAction) and a.edit is not None]
        assert [a.title for a in fixes] == ["Apply DeepSeek fix"], [a.title for a in actions or []]
        (change,) = fixes[0].edit.document_changes or []
        assert isinstance(change, types.TextDocumentEdit)
        (edit,) = change.edits
        lines = source.split("\n")
        line = lines[edit.range.start.line]
        replaced = line[edit.range.start.character : edit.range.end.character]
        assert replaced == f'token = "{TOKEN}"' and edit.new_text == FIX


@pytest.mark.parametrize(
    ("quote", "suggestion", "fixed"),
    [
        # The placeholder standing for the whole token, quotes and all.
        ("API_KEY = [REDACTED]", 'API_KEY = os.environ["API_KEY"]', 'API_KEY = os.environ["API_KEY"]'),
        # Two secrets of one call, over two lines, quoted dedented (fixed in the file's indentation).
        (
            'login(\n    "[REDACTED]",\n    "[REDACTED]")',
            'login(\n    os.environ["USER_KEY"],\n    os.environ["USER_SECRET"])',
            'login(\n        os.environ["USER_KEY"],\n        os.environ["USER_SECRET"])',
        ),
    ],
    ids=["whole-token", "two-lines"],
)
def test_a_quote_of_redacted_secrets_is_read_as_the_code_found(quote: str, suggestion: str, fixed: str) -> None:
    text = (
        'API_KEY = "sk-proj-abcdefghijklmnopqrstuvwxyz0123"\n'
        "def go():\n"
        "    login(\n"
        '        "AKIAABCDEFGHIJKLMNOP",\n'
        '        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")\n'
    )
    doc = Document("file:///ws/keys.py", text, language=LanguageRegistry.load().get("python"))
    (start, end), *_ = Placer(doc).occurrences(quote)
    assert adapt_fix(doc, start, end, quote, suggestion) == fixed


def test_a_quote_whose_placeholder_stands_for_no_code_found_offers_no_fix() -> None:
    doc = Document("file:///ws/keys.py", 'token = load()\n', language=LanguageRegistry.load().get("python"))
    assert adapt_fix(doc, 0, len("token = load()"), 'key = "[REDACTED]"', 'key = os.environ["KEY"]') is None


def test_a_placeholder_is_read_as_the_secret_redacted_there_not_as_code_over_lines() -> None:
    """``token = ""`` above the secret's line starts the quote too, its placeholder standing for
    ``"\\n    if not debug:\\n        token = ``: placed there (a line hint a line or two off,
    which models' often are), the fix offered deleted the ``if`` and left the real secret
    after the new line (``token = os.environ["GITHUB_TOKEN"]ghp_...``). A placeholder stands
    for what the prompt's redaction took out there, nothing else."""
    text = f'def client(debug):\n    token = ""\n    if not debug:\n        token = "{TOKEN}"\n    return connect(token)\n'
    doc = Document("file:///ws/keys.py", text, language=LanguageRegistry.load().get("python"))
    quote = 'token = "[REDACTED]"'
    spans = Placer(doc).occurrences(quote)
    assert [doc.data[s:e].decode() for s, e in spans] == [f'token = "{TOKEN}"']
    wrong = text.index('token = ""'), text.index(TOKEN)
    assert adapt_fix(doc, *wrong, quote, FIX) is None
    assert adapt_fix(doc, *spans[0], quote, FIX) == FIX
