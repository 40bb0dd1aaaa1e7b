"""A line ending in a backslash goes on below it (a shell pipeline, Python's explicit join, a Ruby
call's arguments): at its end the request asked for the rest of the line only, stopped at its
newline, and nothing was shown after `| \\`; and the next line's own indent (ucf's pipeline, two
columns right of the statement) was read as a level of two and went two columns further right.
The fake DeepSeek answers the file's text; the suggestion is accepted."""

from __future__ import annotations

import pytest

from tests.completing import accept_first

_SHELL = (
    "generate_directory_structure() {\n"
    "    local pkgdir\n"
    '    pkgdir="$1"\n\n'
    '    (cd "$pkgdir" && find . -type d -print0 ) | \\‸\n'
    "}\n"
)
_PYTHON = "def area(width, height, depth):\n    total = width * height + \\‸\n    return total\n"
_RUBY = "def check(value)\n  raise ArgumentError, \\‸\n  value\nend\n"


@pytest.mark.parametrize(
    ("language", "ext", "text", "rest"),
    [
        ("shellscript", "sh", _SHELL, '\n      (cd "$locdir" && xargs -0 mkdir -p --)'),
        ("shellscript", "sh", _SHELL, '\n        (cd "$locdir" && xargs -0 mkdir -p --)'),
        ("python", "py", _PYTHON, "\n        width * depth"),
        ("ruby", "rb", _RUBY, '\n        "value must be positive"'),
    ],
    ids=["shell-two-columns-in", "shell-a-level-in", "python", "ruby"],
)
async def test_the_line_below_a_backslash_is_suggested_as_the_model_indents_it(
    fake_deepseek, language: str, ext: str, text: str, rest: str
) -> None:
    got, body = await accept_first(fake_deepseek, language, ext, text, rest)
    assert got == text.replace("‸", rest)
    assert body is not None and "\n" not in body["stop"]


async def test_a_backslash_in_a_javascript_line_s_string_asks_for_the_line_alone(fake_deepseek) -> None:
    """Control: JavaScript joins no lines with a backslash outside a string's text."""
    text = "function f() {\n  const s = 'a' + x\\‸\n}\n"
    _, body = await accept_first(fake_deepseek, "javascript", "js", text, "")
    assert body is not None and body["stop"] == ["\n"]


@pytest.mark.parametrize(
    ("language", "ext", "text"),
    [
        ("python", "py", "def load():\n    root = find_root()  # kept under C:\\data\\‸\n    return root\n"),
        ("python", "py", 'def load():\n    path = "C:\\\\Users\\\\" + "D:\\Users\\‸\n    return path\n'),
        ("shellscript", "sh", "cp a.txt /mnt/b  # from D:\\backup\\‸\nls /mnt/b\n"),
        ("shellscript", "sh", "dir='C:\\Program Files\\‸\nls\n"),
        ("ruby", "rb", "def load\n  root = find_root # kept under C:\\data\\‸\n  root\nend\n"),
        ("c", "c", 'int main(void) {\n    FILE *f = fopen("C:\\‸\n    return 0;\n}\n'),
        ("cpp", "cpp", 'int main() {\n    auto p = std::string("D:\\data\\‸\n    return 0;\n}\n'),
        ("c", "c", "int main(void) {\n    char sep = '\\‸\n    return 0;\n}\n"),
    ],
    ids=[
        "python-comment",
        "python-string",
        "shell-comment",
        "shell-single-quotes",
        "ruby-comment",
        "c-string",
        "cpp-string",
        "c-char",
    ],
)
async def test_a_backslash_in_a_comment_or_a_string_asks_for_the_line_alone(
    fake_deepseek, language: str, ext: str, text: str
) -> None:
    """A Windows path ending a comment or a string's text joins no line: the rest of the line is
    asked, as at any other line's end, not a block of the statements below."""
    _, body = await accept_first(fake_deepseek, language, ext, text, "")
    assert body is not None and body["stop"] == ["\n"]
    assert body["max_tokens"] == 48


@pytest.mark.parametrize(
    "text",
    [
        'echo "usage: run [options] \\‸\nexit 1\n',
        'msg="$name was not found in \\‸\necho "$msg"\n',
    ],
    ids=["echo", "assignment"],
)
async def test_a_backslash_ending_a_shell_double_quoted_line_asks_for_the_string_s_next_line(
    fake_deepseek, text: str
) -> None:
    """Inside the shell's double quotes a backslash before the line's end joins the next line to
    the string (POSIX: it keeps its meaning before a newline there, not in single quotes): a
    long message goes on below, which the line alone, stopped at its newline, never showed."""
    _, body = await accept_first(fake_deepseek, "shellscript", "sh", text, "")
    assert body is not None and "\n" not in body["stop"]
    assert body["max_tokens"] == 256


_SHELL_TABS = "f() {\n\tcd /tmp\n}\ng() {‸\n}\n"
_RUBY_TABS = "class A\n\tdef run\n\t\t1\n\tend\n\n\tdef load‸\n\tend\nend\n"


@pytest.mark.parametrize(
    ("language", "ext", "text", "answer", "shown"),
    [
        ("shellscript", "sh", _SHELL_TABS, "\n    cp a b  # from D:\\\n    ls b", "\n\tcp a b  # from D:\\\n\tls b"),
        ("ruby", "rb", _RUBY_TABS, "\n    x = 1 # C:\\data\\\n    x", "\n\t\tx = 1 # C:\\data\\\n\t\tx"),
    ],
    ids=["shell", "ruby"],
)
async def test_the_line_below_a_comment_ending_in_a_backslash_is_indented_as_the_file(
    fake_deepseek, language: str, ext: str, text: str, answer: str, shown: str
) -> None:
    """A comment's `D:\\` joins no line: the line below it is the next statement, in the file's
    tabs (the shell's was left in the model's spaces as a continued line's, Ruby's dropped)."""
    got, _ = await accept_first(fake_deepseek, language, ext, text, answer)
    assert got == text.replace("‸", shown)


@pytest.mark.parametrize(
    ("language", "ext", "text"),
    [
        ("make", "mk", "SRCS = main.c \\‸\n\nall: $(SRCS)\n"),
        ("zsh", "zsh", "git log --oneline | \\‸\n"),
    ],
    ids=["neovim-make", "zsh"],
)
async def test_a_backslash_asks_for_the_next_line_under_neovim_s_language_ids(
    fake_deepseek, language: str, ext: str, text: str
) -> None:
    """Neovim names a Makefile's language `make`, and zsh's `zsh`: their lines below a
    backslash are asked as VS Code's `makefile` and `shellscript` are, not the line alone."""
    _, body = await accept_first(fake_deepseek, language, ext, text, "")
    assert body is not None and "\n" not in body["stop"]
    assert body["max_tokens"] == 256


@pytest.mark.parametrize(
    ("language", "ext", "text", "rest"),
    [
        ("shellscript", "sh", 'usage() {\n    echo "Usage: backup [-v] SOURCE \\‸\n}\n', '\nDEST"'),
        ("shellscript", "sh", 'usage="\\‸\nusage: gpg-zip [--help]"\n', "\n       [--version]"),
        ("python", "py", 'def usage():\n    help = """\\‸\n    return help\n', '\nUsage: prog [options]\n\nDoes a thing.\n"""'),
        ("python", "py", "def fail():\n    raise ImportError('''\\‸\n", "\nNo module named 'yaml': pip install pyyaml'''"),
    ],
    ids=["shell-echo", "shell-assignment", "python-triple-double-quotes", "python-triple-single-quotes"],
)
async def test_a_backslash_in_a_string_over_lines_asks_for_its_next_line(
    fake_deepseek, language: str, ext: str, text: str, rest: str
) -> None:
    """A backslash ending the line of a string that goes on over lines joins the next line to
    it: the shell's double quotes (gpg-zip's `usage="\\`, an `echo "...` too long for a line;
    there `\\"` escapes the quote, so no Windows path ends in one), Python's triple quotes
    (`help = \"\"\"\\`, pydoc's, site.py's, argparse descriptions: 33 of the 378 lines of
    Python's library ending in a backslash). The string's next lines are suggested, not the
    line alone, whose answer, the text below, showed nothing."""
    got, body = await accept_first(fake_deepseek, language, ext, text, rest)
    assert body is not None and "\n" not in body["stop"]
    assert got == text.replace("‸", rest)
