'''A Python docstring opened on a function's first line, with a naive autopair (`"` gives
`""`, the cursor between: `"|"`, then `""|`, three and one) or a smart one (three and three):
the suggestion is the whole docstring, summary and closing quotes, as Copilot's, and its
accept leaves the docstring closed. Before, the request asked for one line (`"""|` showed the
summary alone, the docstring left open down to the next string) and the autopair's quotes
went back after the model's own (`""Summary` after `"|"` left `"""Summary."` open, a closer
after three and one left four quotes). The real server over stdio against the fake DeepSeek.'''

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types

from tests.completing import Completing, compiled
from tests.fake_deepseek import FakeDeepSeek
from tests.harness import accepted_text, first_item_at_cursor

FIM = "/beta/completions"

_DOC = '\n\n    Args:\n        x: the value.\n    """'
_WHOLE = 'def f(x):\n    """Summary of f.\n\n    Args:\n        x: the value.\n    """\n    return x\n'
_LINE = 'def f(x):\n    """Summary of f."""\n    return x\n'


@pytest.mark.parametrize(
    ("text", "answer", "after"),
    [
        # A naive autopair's `"|"`: the model writes the two quotes missing.
        ('def f(x):\n    "‸"\n    return x\n', '""Summary of f.' + _DOC, _WHOLE),
        # ... its closer cut short, counting on the autopair's quote.
        ('def f(x):\n    "‸"\n    return x\n', '""Summary of f.\n    ""', 'def f(x):\n    """Summary of f.\n    """\n    return x\n'),
        # ... no closer at all (the answer ran out of tokens): one is added below the text.
        ('def f(x):\n    "‸"\n    return x\n', '""Summary of f.\n\n    Args:\n        x: the value.', _WHOLE),
        # Three typed, the naive autopair's one quote after them.
        ('def f(x):\n    """‸"\n    return x\n', 'Summary of f.' + _DOC, _WHOLE),
        ('def f(x):\n    """‸"\n    return x\n', 'Summary of f.""', _LINE),
        # Two typed (the autopair's quote typed over), none after.
        ('def f(x):\n    ""‸\n    return x\n', '"Summary of f.' + _DOC, _WHOLE),
        # A smart autopair's three and three: the model's closer on its own line is kept.
        ('def f(x):\n    """‸"""\n    return x\n', 'Summary of f.' + _DOC, _WHOLE),
        ('def f(x):\n    """‸"""\n    return x\n', 'Summary of f.', _LINE),
        # No autopair: the whole docstring, not its first line.
        ('def f(x):\n    """‸\n    return x\n', 'Summary of f.' + _DOC, _WHOLE),
        ('def f(x):\n    """‸\n    return x\n', 'Summary of f.', _LINE),
        # A method's, in single quotes.
        ("class A:\n    def f(self):\n        '''‸'''\n        return 1\n", "Summary.\n\n        More.\n        '''",
         "class A:\n    def f(self):\n        '''Summary.\n\n        More.\n        '''\n        return 1\n"),
        # The next function's docstring below is no closer of this one.
        ('def f(x):\n    """‸\n    return x\n\n\ndef g():\n    """G."""\n', 'Summary of f.' + _DOC,
         _WHOLE + '\n\ndef g():\n    """G."""\n'),
        # A string the body assigns, passes or returns below (`sql = """`, `execute("""`): its
        # opener is no closer of this docstring (taken for one, a line was asked, the summary
        # shown alone and the docstring left open down to it, the body's code in the string).
        ('def f(db):\n    """‸\n    sql = """\n        SELECT 1\n    """\n    return db.run(sql)\n', 'Run it.\n    """',
         'def f(db):\n    """Run it.\n    """\n    sql = """\n        SELECT 1\n    """\n    return db.run(sql)\n'),
        ('def f(db):\n    """‸\n    return db.run("""\n        SELECT 1\n    """)\n', 'Run it.\n    """',
         'def f(db):\n    """Run it.\n    """\n    return db.run("""\n        SELECT 1\n    """)\n'),
        ('def f(db):\n    """‸\n    return dedent(\n        """\n        SELECT 1\n        """\n    )\n', 'Run it.\n    """',
         'def f(db):\n    """Run it.\n    """\n    return dedent(\n        """\n        SELECT 1\n        """\n    )\n'),
        # (A smart autopair's closer after the cursor was read as this docstring's already.)
        ('def f(db):\n    """‸"""\n    return f"""\n        {db}\n    """\n', 'Run it.\n\n    More.\n    """',
         'def f(db):\n    """Run it.\n\n    More.\n    """\n    return f"""\n        {db}\n    """\n'),
        # Controls: the opener retyped above the docstring's text and closer stays a line.
        ('def f(x):\n    """‸\n    The value.\n    """\n    return x\n', 'Summary of f.',
         'def f(x):\n    """Summary of f.\n    The value.\n    """\n    return x\n'),
        ('def f(x):\n    """‸\n    Notes\n    =====\n    """\n    return x\n', 'Summary of f.',
         'def f(x):\n    """Summary of f.\n    Notes\n    =====\n    """\n    return x\n'),
        # A one-quote docstring stays one; a string that is a value is no docstring.
        ('def f(x):\n    "‸"\n    return x\n', 'Summary of f."', 'def f(x):\n    "Summary of f."\n    return x\n'),
        ('x = 1\n"‸"\n', 'a value', 'x = 1\n"a value"\n'),
        # The body below written again after the closer: not twice, the autopair's quotes
        # after the cursor or not (it was, `return x` doubled below an autopair's).
        ('def f(x):\n    "‸"\n    return x\n', '""Summary of f.' + _DOC + '\n    return x\n', _WHOLE),
        ('def f(x):\n    """‸"""\n    return x\n', 'Summary of f.' + _DOC + '\n    return x', _WHOLE),
        ('def f(x):\n    """‸\n    return x\n', 'Summary of f.' + _DOC + '\n    return x', _WHOLE),
        # A module's docstring, the file's first statement (a comment above it): whole and
        # closed too (its closer was cut, the docstring left open down to the next string).
        ('"""‸\n\nimport os\n', 'Module doc.\n"""', '"""Module doc.\n"""\n\nimport os\n'),
        ('#!/usr/bin/env python\n"‸"\nimport os\n', '""Tools for x.\n\nMore.',
         '#!/usr/bin/env python\n"""Tools for x.\n\nMore.\n"""\nimport os\n'),
        # A smart autopair's three and three, the model's closer at its text's last line's end
        # (it was cut as the autopair's copy, and one came back on a line of its own), or
        # after a blank line (which went with it): kept where the model wrote it.
        ('def f(x):\n    """‸"""\n    return x\n', 'If alive, mark it.\n    Otherwise return None"""',
         'def f(x):\n    """If alive, mark it.\n    Otherwise return None"""\n    return x\n'),
        ('def f(x):\n    """‸"""\n    return x\n', 'Summary of f.\n\n    :param x: the value\n\n    """',
         'def f(x):\n    """Summary of f.\n\n    :param x: the value\n\n    """\n    return x\n'),
        # The model's closer at column 0: at the quotes' column, the text left where written
        # (it went a level right, the accept moved the docstring's text).
        ('def f(x):\n    """‸"""\n    return x\n', 'Summary of f.\n\n    Args:\n        x: the value.\n"""', _WHOLE),
        ('def f(x):\n    """‸\n', 'Summary of f.\n\n    Args:\n        x: the value.\n"""\n    return x', _WHOLE),
        # The user's closer typed at column 0 below: it closes the docstring (read as none, the
        # suggestion closed it above and the user's quotes opened a string over the body).
        ('def f(x):\n    """‸\n\n    More.\n"""\n    return x\n', 'Summary of f.',
         'def f(x):\n    """Summary of f.\n\n    More.\n"""\n    return x\n'),
        ('def f(x):\n    """‸\n"""\n    return x\n', 'Summary of f.', 'def f(x):\n    """Summary of f.\n"""\n    return x\n'),
        # A naive autopair's `"|"` (or `""|`), the text's hanging indents kept: read after a
        # one-quote string, the docstring's lines were code, re-levelled to four columns.
        ('def f(x):\n    "‸"\n    return x\n', '""Summary of f.\n\n    - exc - the exception, in\n      support of it\n    """',
         'def f(x):\n    """Summary of f.\n\n    - exc - the exception, in\n      support of it\n    """\n    return x\n'),
        ('def f(x):\n    ""‸\n    return x\n', '"Summary of f.\n\n    1. If x is shorter,\n       then y.\n    """',
         'def f(x):\n    """Summary of f.\n\n    1. If x is shorter,\n       then y.\n    """\n    return x\n'),
    ],
)
async def test_a_docstring_opened_is_suggested_whole_and_closed(tmp_path, text: str, answer: str, after: str) -> None:
    clean, item = await first_item_at_cursor(str(tmp_path), "py", "python", text, answer)
    assert item is not None
    assert accepted_text(clean, item) == after


@pytest.mark.parametrize(
    ("text", "answer", "after"),
    [
        # No closer in the answer (it ran out of tokens): the one added below the text.
        ('def f(x):\n    "‸"\n    return x\n', '""Summary of f.\n\n    Args:\n        x: the value.', _WHOLE),
        ('def f(x):\n    """‸\n    return x\n', 'Summary of f.\n\n    Args:\n        x: the value.', _WHOLE),
        ('#!/usr/bin/env python\n"‸"\nimport os\n', '""Tools for x.\n\nMore.',
         '#!/usr/bin/env python\n"""Tools for x.\n\nMore.\n"""\nimport os\n'),
        # Control: the model's own closer.
        ('def f(x):\n    """‸"""\n    return x\n', 'Summary of f.' + _DOC, _WHOLE),
    ],
)
async def test_a_docstring_closed_in_a_crlf_file_keeps_its_line_ends(tmp_path, text: str, answer: str, after: str) -> None:
    """A CRLF file (Windows, git's autocrlf), the model answering in its line ends: the closer
    added below a docstring's text came after a lone LF, one line of the file in the other
    line end (git shows it changed, Python reads it the same)."""
    crlf = text.replace("\n", "\r\n")
    clean, item = await first_item_at_cursor(str(tmp_path), "py", "python", crlf, answer.replace("\n", "\r\n"))
    assert item is not None
    assert accepted_text(clean, item) == after.replace("\n", "\r\n")


_STREAMED = 'Double x.\n\n    Returns twice x, for the caller\n    to use.\n    """'


@pytest.mark.parametrize(
    ("line", "typed"),
    [
        ('    """', "D"),  # no autopair, the summary's first letter typed while it streams
        ('    """"""', "D"),  # a smart autopair's three and three
        ('    """', ""),  # asked again where it was asked
    ],
    ids=["typed-into", "typed-into-autopair", "same-place"],
)
async def test_a_docstring_shown_while_it_streams_is_closed_as_its_answer_will_be(line: str, typed: str) -> None:
    """A docstring opened, its answer still streaming, and the editor asking again (a key
    typed into it, or the same place): the lines streamed so far were shown without the
    closing quotes the finished answer has (typed into it), and accepted then, the docstring
    stayed open over the body's code. Shown closed, as the answer will be; the stream goes on."""
    with FakeDeepSeek() as fake:
        fake.script(_STREAMED, path=FIM)
        fake.set_latency(chunk_chars=6)
        fake.pause_after("to us")
        c = Completing(fake, debounce=0, prefetch=False)
        try:
            uri = "file:///w/a.py"
            text = f"def f(x):\n{line}\n    return x * 2\n"
            await compiled(c, c.open(uri, text))
            first = asyncio.ensure_future(c.inline(uri, 1, 7))
            assert await fake.wait_paused_async()
            for _ in range(500):  # the paused stream's text read by the server
                pending = c.completion.cache.pending.get(uri)
                if pending is not None and "to us" in pending.text:
                    break
                await asyncio.sleep(0.01)
            if typed:
                c.insert(uri, 1, 7, typed)
            params = types.InlineCompletionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                position=types.Position(1, 7 + len(typed)),
                context=types.InlineCompletionContext(trigger_kind=types.InlineCompletionTriggerKind.Automatic),
            )
            shown = await asyncio.wait_for(c.completion.inline_completion(params), 5)
            now = f"def f(x):\n{line[:7]}{typed}{line[7:]}\n    return x * 2\n"
            assert accepted_text(now, shown.items[0]) == f'def f(x):\n    """{_STREAMED}\n    return x * 2\n'
            assert not fake.requests_to(FIM)[0].completed  # still streaming: the lines so far
            fake.resume()
            await asyncio.wait_for(first, 10)
        finally:
            await c.stop()


_HELP = 'Usage: prog [options]\n\nDoes a thing.\n"""'


@pytest.mark.parametrize(
    ("text", "answer", "after"),
    [
        # No autopair, and a smart autopair's three and three: the text down to its closer.
        ('def usage():\n    help = """‸\n    return help\n', _HELP,
         'def usage():\n    help = """Usage: prog [options]\n\nDoes a thing.\n"""\n    return help\n'),
        ('def usage():\n    help = """‸"""\n    return help\n', _HELP,
         'def usage():\n    help = """Usage: prog [options]\n\nDoes a thing.\n"""\n    return help\n'),
        # An argument's, its text starting on the next line (the closer at the line's end).
        ('p = ArgumentParser(description="""‸\n)\n', "\nReads the files.\n\nWrites them.\n\"\"\"",
         'p = ArgumentParser(description="""\nReads the files.\n\nWrites them.\n"""\n)\n'),
        # ... the model's closer with the call's `)` the line below has: not twice.
        ('p = ArgumentParser(description="""‸\n)\n', 'Reads the files.\n""")',
         'p = ArgumentParser(description="""Reads the files.\n"""\n)\n'),
        # The model's answer cut before its closer: one added below its text.
        ("SQL = '''‸\n", "\nSELECT *\nFROM t", "SQL = '''\nSELECT *\nFROM t\n'''\n"),
        # A function's docstring below, opened alone on its line: no closer of this string
        # (taken for it, the model's closer at column 0 was cut, one put four columns in).
        ('def f():\n    code = f"""‸\n    return code\n\n\ndef g():\n    """\n    G.\n    """\n', '\nimport os\n"""',
         'def f():\n    code = f"""\nimport os\n"""\n    return code\n\n\ndef g():\n    """\n    G.\n    """\n'),
        # ... nor the next string's opener (`OTHER = """`): read as this one's closer, the
        # string was taken for one typed again above its text, a line asked, nothing shown.
        ('SQL = """‸\n\nOTHER = """\nx\n"""\n', '\nSELECT 1\n"""', 'SQL = """\nSELECT 1\n"""\n\nOTHER = """\nx\n"""\n'),
        # Controls: the opener typed again above the string's text and closer stays a line;
        # so does a line whose `"""` closes a string opened above, and a string closed on its
        # line.
        ('help = """‸\nUsage: prog\n"""\n', "Usage line", 'help = """Usage line\nUsage: prog\n"""\n'),
        ('x = """\nkey = """‸\n', ' and more', 'x = """\nkey = """ and more\n'),
        ('x = """a"""‸\n', " + y", 'x = """a""" + y\n'),
    ],
)
async def test_a_triple_quoted_string_opened_as_a_value_is_suggested_whole_and_closed(
    tmp_path, text: str, answer: str, after: str
) -> None:
    """A triple-quoted string opened at a line's end where a value goes (`help = \"\"\"`, an
    argparse description, a query) is asked for whole, down to its closer, as a docstring and
    `\"\"\"\\` are: asked for the line alone, its first line was shown (none where the text
    starts on the next line) and the string left open over the code below."""
    clean, item = await first_item_at_cursor(str(tmp_path), "py", "python", text, answer)
    assert item is not None
    assert accepted_text(clean, item) == after
