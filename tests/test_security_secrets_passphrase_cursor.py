"""A passphrase (a password of words) being typed or edited, the cursor between two of its words:
the window ended with ``password = correct `` (its first word redacted as a value of its own)
and the suffix began with ``horse battery staple``, which alone is no secret: the words after
the cursor went out (an INI's, a .env's, a YAML file's, a properties file's bare value, and every
word of one between a password's tags). Quoted, the value was already held whole."""

from __future__ import annotations

import pytest

from deepseek_lsp.documents import Document
from deepseek_lsp.privacy import redact, split_at_secret
from deepseek_lsp.prompts import build_fim_prompt
from tests.secret_forms import assert_redacted_in_linear_time, repeated

WORDS = "correct horse battery staple"


def _count(text: str) -> int:
    return len(text) // 3 + 1


def _sent(path: str, text: str, cursor: int, budget: int = 400) -> str:
    fim = build_fim_prompt(Document(f"file:///w/app/{path}", text), cursor, budget=budget, suffix_share=0.3, count=_count)
    return fim.prompt + fim.suffix


BARE = [
    ("app.ini", f"[db]\npassword = {WORDS}\nuser = app\n"),
    (".env", f"DB_PASSWORD={WORDS}\nDB_USER=app\n"),
    ("config.yaml", f"db:\n  password: {WORDS}\n  user: app\n"),
    ("app.properties", f"db.password={WORDS}\ndb.user=app\n"),
    ("settings.xml", f"<server>\n  <password>{WORDS}</password>\n</server>\n"),
    ("app.ini", f"[wifi]\npassphrase = {WORDS} ; home\n"),
    ("app.py", f'DB_PASSWORD = "{WORDS}"\n'),  # quoted: held before too (a control)
]


@pytest.mark.parametrize(("path", "text"), BARE)
def test_a_passphrase_with_the_cursor_between_its_words_sends_none_of_them(path: str, text: str) -> None:
    start = text.index(WORDS)
    words = WORDS.split()
    for cursor in range(start, start + len(WORDS) + 1):
        for budget in (400, 24):
            sent = _sent(path, text, cursor, budget)
            assert not [word for word in words if word in sent], (cursor, budget, sent)


def test_the_cursor_between_a_passphrase_s_words_leaves_the_code_around_it() -> None:
    text = f"[db]\npassword = {WORDS}\nuser = app\n"
    cursor = text.index("horse")
    window, suffix = split_at_secret(text[:cursor], text[cursor:])
    assert window == "[db]\npassword = [REDACTED]"
    assert suffix == "\nuser = app\n"


@pytest.mark.parametrize(
    "text",
    [
        "[app]\ntitle = the quick brown fox\n",  # words, no password's name
        "# password: see the vault for it\n",  # prose
        "password = get_password(user)\nuser = app\n",  # code
        'password = "correct horse battery staple"\n',  # held already
    ],
)
def test_words_that_are_no_passphrase_keep_the_cursor_s_place(text: str) -> None:
    """Words that are no passphrase are not moved before the cursor (the suffix as typed)."""
    for cursor in range(len(text) + 1):
        if text[cursor - 1 : cursor] == " " or text[cursor : cursor + 1] == " ":
            window, suffix = split_at_secret(text[:cursor], text[cursor:])
            assert window + suffix == redact(text) or (window, suffix) == (text[:cursor], text[cursor:]), cursor


@pytest.mark.parametrize("unit", ["word ", "password = word ", "<password>a ", '"word" \\\n', '("a"\n'])
def test_a_passphrase_at_the_cursor_is_found_in_linear_time(unit: str) -> None:
    text = "password = " + repeated(unit)
    assert_redacted_in_linear_time(unit, text)
    half = len(text) // 2 - len(text) // 2 % len(unit)
    split_at_secret(text[:half], text[half:])


FIRST, SECOND = "correct horse", "battery staple"
OVER_TWO_LINES = [
    ("config.yaml", f"db:\n  password: >\n    {FIRST}\n    {SECOND}\n  user: app\n"),
    ("config.yaml", f"db:\n  password: >-\n    {FIRST}\n    {SECOND}\n  user: app\n"),
    ("config.yaml", f"db:\n  password: {FIRST}\n    {SECOND}\n  user: app\n"),
    ("config.yaml", f'db:\n  password: "{FIRST}\n    {SECOND}"\n  user: app\n'),
    ("app.ini", f"[db]\npassword = {FIRST}\n    {SECOND}\nuser = app\n"),
    ("app.properties", f"db.password={FIRST} \\\n    {SECOND}\ndb.user=app\n"),
    (".env", f'DB_PASSWORD="{FIRST}\n{SECOND}"\nDB_USER=app\n'),
    ("deploy.sh", f'export DB_PASSWORD="{FIRST} \\\n{SECOND}"\nexport DB_USER=app\n'),
    # Blank lines inside (a folded scalar's paragraph break, before its first line, an INI
    # value's, as configparser reads them; CRLF): the words below the first blank line went out.
    ("config.yaml", f"db:\n  password: >\n    {FIRST}\n\n    {SECOND}\n  user: app\n"),
    ("config.yaml", f"db:\n  password: |\n    {FIRST}\n    \n    {SECOND}\n  user: app\n"),
    ("config.yaml", f"db:\n  password: >\n\n    {FIRST}\n    {SECOND}\n  user: app\n"),
    ("config.yaml", f"db:\r\n  password: >-\r\n    {FIRST}\r\n\r\n    {SECOND}\r\n  user: app\r\n"),
    ("config.yaml", f"db:\n  password: {FIRST}\n\n    {SECOND}\n  user: app\n"),
    ("app.ini", f"[db]\npassword = {FIRST}\n\n    {SECOND}\nuser = app\n"),
    # Literals written one after another (implicit concatenation), the cursor between them: the
    # part after the cursor went out.
    ("app.py", f'DB_PASSWORD = ("{FIRST} "\n               "{SECOND}")\nDB_USER = "app"\n'),
    ("app.py", f'DB_PASSWORD = "{FIRST} " \\\n    "{SECOND}"\nDB_USER = "app"\n'),
]


@pytest.mark.parametrize(("path", "text"), OVER_TWO_LINES)
def test_a_passphrase_over_two_lines_sends_none_of_its_words(path: str, text: str) -> None:
    out = redact(text, keep_lines=True)
    words = f"{FIRST} {SECOND}".split()
    assert not [word for word in words if word in out], out
    assert out.count("\n") == text.count("\n")
    assert "user" in out.lower()  # the next entry stays
    # Small budgets too: the window starting on the second line, the suffix ending on the first.
    for cursor in range(len(text) + 1):
        for budget in (400, 20, 14):
            sent = _sent(path, text, cursor, budget)
            assert not [word for word in words if word in sent], (cursor, budget, sent)


@pytest.mark.parametrize(
    "text",
    [
        "password:\n  description: >\n    the user's password,\n    hashed with bcrypt\n",
        "db:\n  password: >\n    must be at least\n    eight characters\n",
        "# password: rotate it\n#   every quarter\n",  # a comment's lines
        "password_hint: >\n  your first\n  pet's name\n",
        # A blank line, then the next entry or a comment's words: no more of the value.
        "db:\n  password: >\n    see the vault\n\n  notes: correct horse\n",
        "[db]\npassword = see the vault\n\n; battery staple\nuser = app\n",
    ],
)
def test_lines_of_words_that_are_no_passphrase_are_sent(text: str) -> None:
    assert redact(text, keep_lines=True) == text


def test_a_blank_line_then_the_next_entry_ends_a_passphrase() -> None:
    text = f"db:\n  password: {FIRST}\n\n  notes: {SECOND}\n"
    assert redact(text, keep_lines=True) == text.replace(FIRST, "[REDACTED]")


@pytest.mark.parametrize("unit", ["word\n    ", "word \\\n", 'w\n', "word\n\n    ", "\n", "  \n", "w\n \n  "])
def test_a_passphrase_s_lines_are_read_in_linear_time(unit: str) -> None:
    assert_redacted_in_linear_time(unit, "password: >\n    " + repeated(unit))
    assert_redacted_in_linear_time(unit, 'password = "' + repeated(unit))
