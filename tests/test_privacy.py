"""Secret redaction: each kind of secret goes, code that only names one stays, and the fast path
(regexes only around trigger words) redacts exactly what running every pattern over the whole
text does."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from lsprotocol import types

from deepseek_lsp import privacy
from deepseek_lsp.context import Snippet
from deepseek_lsp.documents import Document
from deepseek_lsp.line_tokens import LineTokens
from deepseek_lsp.privacy import REDACTED, redact
from deepseek_lsp.privacy.literals import PatternTable
from deepseek_lsp.privacy.patterns import _PATTERNS
from deepseek_lsp.privacy.redaction import _concatenated
from deepseek_lsp.privacy.triggers import _apply
from deepseek_lsp.prompts import WINDOW_STEP, build_fim_prompt, whole_lines

AWS = "AKIA" + "Q" * 16
GITHUB = "ghp_" + "a1B2" * 9
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
KEY_BLOCK = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo\n-----END RSA PRIVATE KEY-----"


def whole_text(text: str, keep_lines: bool = False) -> str:
    """The reference: every pattern over the whole text, then what :func:`redact` does after
    them (a secret's parts as adjacent literals)."""
    return _concatenated(_apply(_PATTERNS, text, keep_lines))


def test_each_kind_of_secret_is_replaced_and_its_context_kept() -> None:
    cases = {
        f"aws = '{AWS}'\n": AWS,
        f"token = {GITHUB}\n": GITHUB,
        f"headers = {{'Authorization': 'Bearer {'x' * 24}'}}\n": "x" * 24,
        "DB_PASSWORD=hunter2hunter2\n": "hunter2hunter2",
        f'config = {{"api_key": "{"k" * 20}"}}\n': "k" * 20,
        f"jwt = '{JWT}'\n": JWT,
        "url = 'postgres://admin:s3cr3tpass@db/x'\n": "s3cr3tpass",
        f"PEM = '''\n{KEY_BLOCK}\n'''\n": "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo",
    }
    for text, secret in cases.items():
        out = redact(text)
        assert secret not in out, text
        assert REDACTED in out, text
        assert out.split("=")[0] == text.split("=")[0], "the name the secret is assigned to stays"


def test_secrets_assigned_in_other_languages_ways_are_replaced() -> None:
    cases = [
        'password := "hunter2hunter2"',  # Go
        'dbPassword := "S3cretValue!"',
        'password: str = "hunter2hunter2"',  # a type annotation
        "'password' => 'hunter2hunter2',",  # PHP, Ruby
        'password = "correct horse battery staple"',  # spaces inside the quotes
        'PASSWORD="p@ss;w0rd!!"',
    ]
    for text in cases:
        out = redact(text)
        assert REDACTED in out, text
        assert out.startswith(text[: text.lower().index("ssword") + 6]), "the name stays"
        assert not any(word in out for word in ("hunter2", "S3cret", "horse", "w0rd")), text


def test_code_that_only_names_a_secret_is_left_alone() -> None:
    text = (
        "api_key = os.environ.get('API_KEY')\npassword = prompt()\ntokens = tokenize(line)\n"
        'password = os.environ["DB_PASSWORD"]\nif password == "":\npassword_hash = hashlib.sha256(x)\n'
        "password: str\n"
        "var token oauth2.TokenSource\n"  # Go: a type, not a token
        'token_url = "https://example.com/oauth/token"\n'
        'api_key_url = "https://console.example.com/keys"\n'
    )
    assert redact(text) == text


def test_keep_lines_leaves_line_numbers_unchanged() -> None:
    text = f"a = 1\nPEM = '''\n{KEY_BLOCK}\n'''\nb = 2\n"
    out = redact(text, keep_lines=True)
    assert out.count("\n") == text.count("\n")
    assert out.splitlines()[-1] == "b = 2"


def test_a_secret_on_the_last_line_without_a_line_break_goes() -> None:
    assert AWS not in redact(f"x = 1\ny = '{AWS}'")
    assert "hunter2hunter2" not in redact("x = 1\nSECRET =\n  hunter2hunter2")


_pieces = st.sampled_from(
    [
        "x = 1\n", "    return value\n", "\n", "\r\n", " ", "'", '"', "=", ": ", "token ", "Bearer ",
        "API_KEY", "password", "Secret", "pwd", AWS, GITHUB, JWT, "sk-" + "z" * 24, "xoxb-1234567890ab",
        "AIza" + "B" * 35, "https://user:pa55word@host/", KEY_BLOCK, "-----END PRIVATE KEY-----",
        "QUJDREVGR0hJSktMTU5PUA==\n", "abcdefghijklmnop", "credentials", "é", "🙂", "İ",
        '"""', "'''", "`", 'f"', "${x}", "{x}", "hunter2-long-secret",
        # a macro, a pair of literals, an environment list, SQL, a Dockerfile, PowerShell
        "#define ", "(", ", ", "name: ", "value: ", "ENV ", "IDENTIFIED BY ", "ConvertTo-SecureString ",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_pieces, max_size=30), st.booleans())
# Found by this test: a secret two lines below its name, past a blank line.
@example(["token ", "\n", "\n", "QUJDREVGR0hJSktMTU5PUA==\n"], False)
# And one whose `=` stands on a line of its own between them.
@example(["token ", "\n", "=", "\n", "    return value\n"], False)
# A literal after a redacted one (the reference left out the step that redacts it): 2 draws in
# 28,762 at random, a 400-example run failing about once in 36.
@example([AWS, "'", "\n", "'", " "], False)
@example(["password", "=", '"', "hunter2-long-secret", '"', " ", '"', "hunter2-long-secret", '"'], True)
def test_the_fast_path_redacts_what_the_whole_text_patterns_redact(parts: list[str], keep_lines: bool) -> None:
    text = "".join(parts)
    assert redact(text, keep_lines=keep_lines) == whole_text(text, keep_lines)


def test_a_literal_opened_after_an_unquoted_secret_stays() -> None:
    """The quote after it opens a literal and closes none: the property test above drew this,
    and the literal went out as ``[REDACTED]`` (a secret's second part)."""
    assert redact(f"{AWS}'\n' ") == f"{REDACTED}'\n' "


def _count(text: str) -> int:
    """A stand-in tokenizer for the prompt tests below."""
    return len(text) // 3 + 1


_LINES = st.sampled_from(
    [
        "x = 1\n", "    return value\n", "\n", "\n", "\n", "    total += step\n", "token \n", "API_KEY =\n",
        f"    aws = '{AWS}'\n", f"{GITHUB}\n", "QUJDREVGR0hJSktMTU5PUA==\n", "hunter2hunter2\n",
        "-----BEGIN RSA PRIVATE KEY-----\n", "-----END PRIVATE KEY-----\n", "DB_PASSWORD = 'hunter2hunter2'\n",
        "é = 'ü'\n", "\u212aey = 1\n",  # a Kelvin sign lower-cases to "k"
    ]
)


# 80 texts: an edit's clean flags kept for a block it touched fail within the first few (200
# took 8 s at load 19; test_redaction_clean_lines checks the same property besides).
@settings(max_examples=80, deadline=None)
@given(
    st.integers(1, 300),
    st.lists(st.tuples(st.floats(0, 1), _LINES), max_size=20),
    st.lists(st.tuples(st.floats(0, 1), st.floats(0, 0.02), st.lists(_LINES, max_size=3).map("".join)), max_size=6),
    st.lists(st.floats(0, 1), min_size=1, max_size=4),
)
def test_prompts_redacted_around_clean_blocks_equal_prompts_redacted_whole(
    size: int, specials: list[tuple[float, str]], edits: list[tuple[float, float, str]], cursors: list[float]
) -> None:
    """The prompt skips the trigger search in 32-line blocks known to hold no trigger; after
    any edits (a secret typed into a block known clean) it must be redacted exactly as the
    whole prompt searched."""
    lines = ["    total += step\n"] * size
    for where, line in specials:
        lines.insert(int(where * len(lines)), line)
    doc = Document("file:///w/a.py", "".join(lines))
    counts = LineTokens()
    asyncio.run(counts.fill(doc, _count, lambda: 0.0))

    def check() -> None:
        for where in cursors:
            offset = doc.line_end(int(where * (doc.line_count - 1)))
            for budget in (200, 3000):
                args = dict(budget=budget, suffix_share=0.1, count=_count, line_comment="#", path="a.py")
                fast = build_fim_prompt(doc, offset, **args, line_tokens=counts.counter(doc, _count))
                whole = build_fim_prompt(doc, offset, **args, line_tokens=whole_lines(doc, _count))
                assert fast == whole

    check()
    for a, span, new in edits:
        size = len(doc.data)
        start = len(doc.data[: int(a * size)].decode(errors="ignore").encode())
        end = len(doc.data[: min(size, start + int(span * size))].decode(errors="ignore").encode())
        doc.apply_change(
            types.TextDocumentContentChangePartial(
                range=types.Range(start=doc.position_at(start), end=doc.position_at(end)), text=new
            )
        )
        check()


def test_a_secret_typed_into_a_block_known_clean_is_redacted() -> None:
    doc = Document("file:///w/a.py", "".join(f"value_{i} = compute({i})\n" for i in range(200)))
    counts = LineTokens()
    asyncio.run(counts.fill(doc, _count, lambda: 0.0))
    offset = doc.line_end(150)
    build_fim_prompt(doc, offset, budget=4000, suffix_share=0.1, count=_count, line_tokens=counts.counter(doc, _count))
    assert counts.counter(doc, _count).clean(2)  # lines 64-95: looked at, and clean
    at = doc.line_start(70)
    doc.apply_change(
        types.TextDocumentContentChangePartial(
            range=types.Range(start=doc.position_at(at), end=doc.position_at(at)), text=f"aws = '{AWS}'  # "
        )
    )
    fim = build_fim_prompt(doc, offset, budget=4000, suffix_share=0.1, count=_count, line_tokens=counts.counter(doc, _count))
    assert "aws = '" in fim.prompt and AWS not in fim.prompt


def test_a_secret_opening_a_clean_block_under_a_trigger_ending_the_block_above_is_redacted() -> None:
    secret = "QUJDREVGR0hJSktMTU5PUA=="
    lines = ["x = 1\n"] * 120
    lines[WINDOW_STEP - 1] = "auth = token\n"  # the last line of block 0
    lines[WINDOW_STEP] = f"{secret}\n"  # the first of block 1, which holds no trigger
    doc = Document("file:///w/a.py", "".join(lines))
    counts = LineTokens()
    asyncio.run(counts.fill(doc, _count, lambda: 0.0))
    tokens = counts.counter(doc, _count)
    fim = build_fim_prompt(doc, doc.line_end(110), budget=4000, suffix_share=0.1, count=_count, line_tokens=tokens)
    assert tokens.clean(1) and not tokens.clean(0)
    assert "auth = token" in fim.prompt and secret not in fim.prompt


def test_a_secret_below_a_key_block_in_a_window_read_by_clean_blocks_is_redacted() -> None:
    """Redacting the key block shortens the text: the clean blocks' positions then pointed at
    other lines, and a password among them went out as it was."""
    key = ['KEY = """-----BEGIN RSA PRIVATE KEY-----', *["MIIEowIBAAKCAQEAx4Ub" + "A" * 44] * 25]
    key.append('-----END RSA PRIVATE KEY-----"""')
    lines = key + [f"value_{i} = compute(value_{i - 1}, {i})" for i in range(len(key), 64)]
    lines += ['DB_PASSWORD = "hunter2hunter2"', *(f"x_{i} = {i}" for i in range(65, 110))]
    doc = Document("file:///w/app.py", "\n".join(lines) + "\n")
    counts = LineTokens()
    asyncio.run(counts.fill(doc, _count, lambda: 0.0))
    fim = build_fim_prompt(
        doc, doc.line_start(100), budget=6000, suffix_share=0.2, count=_count, line_tokens=counts.counter(doc, _count)
    )
    assert "DB_PASSWORD = " in fim.prompt and "hunter2" not in fim.prompt
    assert "MIIE" not in fim.prompt


def test_a_key_block_cut_short_in_a_snippet_leaves_the_rest_of_the_prompt() -> None:
    """Snippets are cut to a few lines, and one may hold a key block's BEGIN line but not its
    END: it is redacted to the end of the snippet, not to the end of the prompt (the whole
    current file went, and with it every suggestion)."""
    cut = Snippet(path="fixtures.py", text='TEST_KEY = """-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAx4Ub\n', kind="recent-edit")
    doc = Document("file:///w/app.py", "import os\n\ndef main():\n    total = compute(1, 2)\n    ret")
    fim = build_fim_prompt(
        doc, len(doc.data), budget=2048, suffix_share=0.1, count=_count, snippets=[cut], line_comment="#", path="app.py"
    )
    assert "MIIE" not in fim.prompt
    assert fim.prompt.endswith("def main():\n    total = compute(1, 2)\n    ret")


def test_a_snippet_redacted_once_is_redacted_in_every_prompt_it_goes_in() -> None:
    """The head's parts are redacted once and kept by their text (the same snippets come with
    every key): a second request, and a third with redaction off, send what each should."""
    leaked = Snippet(path="config.py", text='STRIPE_KEY = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"\n', kind="recent-edit")
    doc = Document("file:///w/app.py", "import os\n\ndef main():\n    ret")

    def prompt(redact_secrets: bool = True) -> str:
        return build_fim_prompt(
            doc, len(doc.data), budget=2048, suffix_share=0.1, count=_count, snippets=[leaked],
            line_comment="#", path="app.py", redact_secrets=redact_secrets,
        ).prompt

    first, again = prompt(), prompt()
    assert "STRIPE_KEY = " in first and "sk_live_4eC39" not in first
    assert again == first
    assert "sk_live_4eC39" in prompt(redact_secrets=False)


def test_a_snippet_chosen_anew_is_searched_for_secrets_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A snippet's block is redacted as the code it shows, once: it was redacted again as
    commented out, the same bytes for twice the searches (~0.1 ms a block, for every snippet
    chosen anew at a new position). The secret still goes, the label stays."""
    from deepseek_lsp import prompts

    calls: list[str] = []

    def counting(text: str, **kwargs: object) -> str:
        calls.append(text)
        return redact(text, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(prompts, "redact", counting)
    body = 'def connect():\n    token = "ghp_4eC39HqLyjWDarjtT1zdp7dcQQQQQQQQQQQQ"\n    return token\n'
    doc = Document("file:///w/app.py", "import os\n\ndef main():\n    ret")
    fim = build_fim_prompt(
        doc, len(doc.data), budget=2048, suffix_share=0.1, count=_count,
        snippets=[Snippet(path="client_once.py", text=body, kind="definition")], line_comment="#", path="app.py",
    )
    assert "# Path: client_once.py\n# def connect():\n#     token = " in fim.prompt
    assert "ghp_4eC39" not in fim.prompt
    assert len([c for c in calls if "def connect():" in c]) == 1


@pytest.mark.parametrize(
    ("comment", "path", "text", "secret"),
    [
        ("#", "settings.py", 'DB_PASSWORD = (\n    "hunter2-Sup3r-S3cret"\n)\n', "hunter2-Sup3r"),
        ("#", "settings.py", 'PASSWORD = (\n    "part1-Sup3r"\n    "part2-S3cret"\n)\n', "S3cret"),
        ("//", "config.js", 'const password =\n  "hunter2-Sup3r-S3cret";\n', "hunter2-Sup3r"),
        ("--", "init.lua", 'local api_token =\n  "hunter2-Sup3r-S3cret"\n', "hunter2-Sup3r"),
    ],
)
def test_a_snippets_value_below_its_name_is_redacted_commented_out(
    comment: str, path: str, text: str, secret: str
) -> None:
    """Another file's definition goes in the prompt's head commented out (``# ``, ``// ``):
    a value on the line below its name, redacted in that file's own window, went out as
    written once each line began with a comment."""
    assert secret not in redact(text)
    doc = Document("file:///w/app.py", "import os\n\ndef main():\n    ret")
    fim = build_fim_prompt(
        doc, len(doc.data), budget=2048, suffix_share=0.1, count=_count,
        snippets=[Snippet(path=path, text=text, kind="definition")], line_comment=comment, path="app.py",
    )
    assert f"{comment} Path: {path}" in fim.prompt
    assert secret not in fim.prompt


def test_a_value_whose_name_ends_the_snippet_above_is_redacted() -> None:
    """Two recent edits of a file next to each other go as two snippets, the second under the
    first's label: a value starting the second, its name ending the first, went out as written
    (each redacted alone)."""
    edits = [
        Snippet(path="settings.py", text="DEBUG = False\nDB_PASSWORD = (\n", kind="recent-edit", line=0),
        Snippet(path="settings.py", text='    "hunter2-Sup3r-S3cret"\n)\n', kind="recent-edit", line=2),
    ]
    doc = Document("file:///w/app.py", "import os\n\ndef main():\n    ret")
    fim = build_fim_prompt(
        doc, len(doc.data), budget=2048, suffix_share=0.1, count=_count, snippets=edits,
        line_comment="#", path="app.py",
    )
    assert "# DB_PASSWORD = (\n#     " in fim.prompt
    assert "hunter2-Sup3r" not in fim.prompt


@pytest.mark.parametrize(
    ("glob", "uri"),
    [
        # VS Code on Windows sends file:///c%3A/...: a glob naming the folder as Windows shows it
        ("C:/work/secret/**", "file:///c%3A/work/secret/a.py"),
        ("C:\\work\\secret\\**", "file:///c%3A/work/secret/a.py"),
        # Windows folders are case-insensitive; file-name globs already are, folder globs were not
        ("**/.aws/**", "file:///c%3A/Users/me/.AWS/config"),
        ("**/secret/**", "file:///c%3A/work/Secret/a.py"),
        # VS Code glob syntax (the extension calls the setting "Glob patterns")
        ("**/*.{pem,key}", "file:///home/u/p/server.key"),
    ],
)
def test_exclusion_globs_match_windows_paths_any_case_and_braces(glob: str, uri: str) -> None:
    assert privacy.is_excluded(uri, (glob,))


@pytest.mark.parametrize(
    "text",
    [
        "self.password = password\n",
        "conn = connect(\n    user=user,\n    password=password,\n)\n",
        "interface Login {\n  user: string;\n  password: string;\n}\n",
        "api_key = api_key\n",
    ],
)
def test_code_that_only_names_a_secret_is_left_alone_not_redacted(text: str) -> None:
    assert redact(text) == text


@pytest.mark.parametrize(
    "secret",
    [
        "AIza" + "SyB3kLmN0pQrStUvWxYz1234567890ab" + "cd-",  # a Google key ending in '-'
        "xoxe-1-" + "My0xLTEyMzQ1Njc4OTAtYWJjZGVmZ2hpams",  # Slack refresh token
    ],
)
def test_google_keys_ending_in_a_dash_and_slack_refresh_tokens_are_redacted(secret: str) -> None:
    out = redact(f"key = '{secret}'\n")
    assert secret not in out and REDACTED in out, out


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("STRIPE = '{}'\n", "rk_live_" + "51H8abcdEFGHijklMNOPqrst"),
        ("hook = '{}'\n", "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
        ("git push https://x.example/{}\n", "glpat-" + "xYz12AbCdEfGhIjKlMnO"),
        ("auth = '{}'\n", "npm_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"),
        ("model = load(token='{}')\n", "hf_" + "AbCdEfGhIjKlMnOpQrStUvWxYz01234567"),
        ("APP = '{}'\n", "xapp-1-A0123456789-" + "1234567890123-abcdef0123456789"),
        (
            "conn = 'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={};EndpointSuffix=core.windows.net'\n",
            "Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFy+/==",
        ),
        ("//registry.npmjs.org/:_auth={}\n", "dXNlcjpwYXNzd29yZA=="),
        ("client.login('{}')\n", "hvs." + "CAESIJ3kLmN0pQrStUvWxYz12345_6789-abcdEFGH"),  # Vault
    ],
)
def test_more_token_formats_are_redacted(text: str, secret: str) -> None:
    """Formats found missing by an audit: Stripe restricted keys and webhook secrets, GitLab,
    npm, Hugging Face, Slack app-level, Azure connection strings, .npmrc ``_auth``."""
    out = redact(text.format(secret))
    assert secret not in out and REDACTED in out, out


def test_names_like_the_new_token_prefixes_in_ordinary_code_stay() -> None:
    code = "hf_model = load()\nnpm_install(pkg)\nglpat = None\ndef rk_live_mode(x): return x\n_auth = make_auth()\nhvs.connect(url)\n"
    assert redact(code) == code


def test_a_link_target_that_expires_while_it_is_looked_up_is_no_error(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    """The link cache was asked ``in`` then ``[]``: an entry expiring between the two raised
    KeyError out of a keystroke's exclusion check (seen once in a full test run)."""
    from cachetools import TTLCache

    clock = iter(range(0, 10_000, 3))  # each look at the clock is 3 s on: past the 5 s TTL by the second
    targets: TTLCache[str, str | None] = TTLCache(maxsize=8, ttl=5.0, timer=lambda: next(clock))
    monkeypatch.setattr(privacy.paths, "_targets", targets)
    uri = (tmp_path / "a.py").as_uri()
    targets[uri] = None
    assert privacy.is_excluded(uri, ["**/.env"]) is False


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('dbPass = "hunter2"\n', 'dbPass = "[REDACTED]"\n'),
        ("const dbPass = 'hunter22';\n", "const dbPass = '[REDACTED]';\n"),
        ('const config = { dbPass: "hunter22" };\n', 'const config = { dbPass: "[REDACTED]" };\n'),
        ('{"dbPass": "hunter22"}\n', '{"dbPass": "[REDACTED]"}\n'),
        ('dbPass := "hunter22"\n', 'dbPass := "[REDACTED]"\n'),  # Go
        ('private String smtpPass = "hunter22";\n', 'private String smtpPass = "[REDACTED]";\n'),
        ('dbUser  = "admin"\ndbPass  = "hunter22"\n', 'dbUser  = "admin"\ndbPass  = "[REDACTED]"\n'),
        ('const dbPassword = "hunter22";\n', 'const dbPassword = "[REDACTED]";\n'),
        ('apiSecret = "abcdef123"\n', 'apiSecret = "[REDACTED]"\n'),
        ('clientSecret: "abcdef123",\n', 'clientSecret: "[REDACTED]",\n'),
        ('const authToken = "abcdef123";\n', 'const authToken = "[REDACTED]";\n'),
        ('privateKeyPem = "abcdef123"\n', 'privateKeyPem = "[REDACTED]"\n'),
        ("const dbPass = `hunter22`;\n", "const dbPass = `[REDACTED]`;\n"),  # a template literal
        ('password = """s3cr3t"""\n', 'password = """[REDACTED]"""\n'),
        ("PASSWORD = '''s3cr3t'''\n", "PASSWORD = '''[REDACTED]'''\n"),
        ('password = """s3cr3t', 'password = """[REDACTED]'),  # the cursor before the closing quotes
        ('password = b"hunter22"\n', 'password = b"[REDACTED]"\n'),
        ("SECRET = r'hunter22'\n", "SECRET = r'[REDACTED]'\n"),
        ('var password = @"hunter22";\n', 'var password = @"[REDACTED]";\n'),  # C# verbatim
    ],
)
def test_secrets_under_camel_case_names_and_in_triple_quotes_are_redacted(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "password = get_password()\n",
        "token = next(tokens)\n",
        "const passwordField = document.getElementById('pw');\n",
        "dbPass = getPass()\n",
        "this.dbPass = dbPass;\n",
        "dbPass: string;\n",
        'password = ""\n',
        'password = """\n',  # a docstring-like opening, the value on later lines
        'bypass = "abcdefgh"\n',
        'compass = "northpole"\n',
        'x = dbPassage("abcdefgh")\n',
        "def first_pass():\n    pass  # nothing yet\n",
    ],
)
def test_camel_case_and_triple_quote_redaction_leaves_code_alone(text: str) -> None:
    assert redact(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (  # Maven's settings.xml
            "<server>\n  <id>repo</id>\n  <username>deploy</username>\n  <password>hunter22</password>\n</server>\n",
            "<server>\n  <id>repo</id>\n  <username>deploy</username>\n  <password>[REDACTED]</password>\n</server>\n",
        ),
        ("<apiKey>abcdefghij</apiKey>\n", "<apiKey>[REDACTED]</apiKey>\n"),
        ('<add key="DbPassword" value="hunter22" />\n', '<add key="DbPassword" value="[REDACTED]" />\n'),  # web.config
        ('<property name="password" value="hunter22"/>\n', '<property name="password" value="[REDACTED]"/>\n'),  # Spring
    ],
)
def test_secrets_in_xml_configuration_are_redacted(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "<password>${env.REPO_PASSWORD}</password>\n",
        "<property name='db.password' value='${DB_PASSWORD}'/>\n",
        "<PasswordHint>At least eight characters</PasswordHint>\n",  # a component's words
        "<Password>{password}</Password>\n",  # JSX
        "<tokenizer>bert-base-x</tokenizer>\n",
    ],
)
def test_xml_that_only_names_a_secret_is_left_alone(text: str) -> None:
    assert redact(text) == text


_SEAM_DOC = (
    "import os\n\n"
    "def login(user):\n"
    '    token = os.environ["API_TOKEN"]\n'
    "    headers = {'Authorization': 'Bearer ' + token}\n"
    "    for attempt in range(3):\n"
    "        reply = post(user, headers)\n"
    "        ret"
)
_SEAM_AFTER = "\n    return None\n\n\ndef logout(user):\n    token = None\n"


def _seam_prompt(typed: str = "") -> str:
    doc = Document("file:///w/app.py", _SEAM_DOC + typed + _SEAM_AFTER)
    return build_fim_prompt(
        doc, len((_SEAM_DOC + typed).encode()), budget=2048, suffix_share=0.3, count=_count, path="app.py"
    ).prompt


class _CountingPattern:
    """A pattern that records the texts searched through it."""

    def __init__(self, pattern: object, searched: list[tuple[int, str]]) -> None:
        self._pattern = pattern
        self._searched = searched

    def finditer(self, text: str, *args: int) -> object:
        self._searched.append((id(self), text))
        return self._pattern.finditer(text, *args)  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> object:
        return getattr(self._pattern, name)


def test_the_seam_at_the_cursor_is_searched_once_a_request(monkeypatch: pytest.MonkeyPatch) -> None:
    """The few lines around the cursor (a secret may run across it) were searched for triggers
    and by every one-line pattern twice a request, the same text: by ``split_at_secret`` and
    again by the suffix's redaction. Once now, and the prompt is the same."""
    from deepseek_lsp.privacy import redaction, triggers

    expected = _seam_prompt()
    triggers._may_hold_secret.cache_clear()
    redaction._line_matches.cache_clear()
    redaction._redacted_span.cache_clear()
    looked: list[str] = []
    has_trigger = triggers.has_trigger
    monkeypatch.setattr(triggers, "has_trigger", lambda text: looked.append(text) or has_trigger(text))
    searched: list[tuple[int, str]] = []
    k = redaction._KEY_BLOCK_PATTERNS
    patterns = [*_PATTERNS[:k], *((_CountingPattern(p, searched), r) for p, r in _PATTERNS[k:])]
    monkeypatch.setattr(redaction, "_PATTERNS", patterns)
    monkeypatch.setattr(redaction, "_SINGLE", PatternTable(patterns[k:]))
    assert _seam_prompt() == expected
    assert looked and len(looked) == len(set(looked))
    assert searched and len(searched) == len(set(searched))


def test_the_window_s_lines_are_not_redacted_again_at_the_next_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """A line of the window holding a trigger (``token``, ``Bearer``) had every pattern run
    over it and the lines after it at each key typed below it; kept by their text, only the
    cursor's lines are run over again."""
    from deepseek_lsp.privacy import redaction

    redaction._redacted_span.cache_clear()
    first = _seam_prompt("u")
    applied: list[str] = []
    apply = redaction._apply
    monkeypatch.setattr(redaction, "_apply", lambda patterns, text, keep: applied.append(text) or apply(patterns, text, keep))
    second = _seam_prompt("ur")
    assert second.startswith(first)
    assert not any("Bearer" in text for text in applied)


def test_the_suffix_window_finds_where_its_last_line_ends_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The window after the cursor is walked a line at a time; each line's end was looked for
    as it was walked, though only the last one taken ends the window. The same window."""
    text = "def main():\n    x = 1\n" + "".join(f"    y{i} = compute({i})\n" for i in range(300))
    doc = Document("file:///w/long.py", text)
    at = doc.line_start(1) + 4

    def window() -> tuple[int, str]:
        fim = build_fim_prompt(doc, at, budget=2048, suffix_share=0.4, count=_count, path="long.py")
        return fim.window_end, fim.suffix

    expected = window()
    ends: list[int] = []
    line_end = Document.line_end
    monkeypatch.setattr(Document, "line_end", lambda self, line, **kw: ends.append(line) or line_end(self, line, **kw))
    assert window() == expected
    assert expected[1].count("\n") > 20
    assert len(ends) <= 4
