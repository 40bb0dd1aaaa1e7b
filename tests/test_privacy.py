"""Secret redaction: each kind of secret goes, code that only names one stays, and the fast path
(regexes only around trigger words) redacts exactly what running every pattern over the whole
text does."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from deepseek_lsp import privacy
from deepseek_lsp.privacy import REDACTED, redact

AWS = "AKIA" + "Q" * 16
GITHUB = "ghp_" + "a1B2" * 9
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
KEY_BLOCK = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo\n-----END RSA PRIVATE KEY-----"


def whole_text(text: str, keep_lines: bool = False) -> str:
    """The reference: every pattern over the whole text."""
    return privacy._apply(privacy._PATTERNS, text, keep_lines)


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


def test_code_that_only_names_a_secret_is_left_alone() -> None:
    text = "api_key = os.environ.get('API_KEY')\npassword = prompt()\ntokens = tokenize(line)\n"
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
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_pieces, max_size=30), st.booleans())
# Found by this test: a secret two lines below its name, past a blank line.
@example(["token ", "\n", "\n", "QUJDREVGR0hJSktMTU5PUA==\n"], False)
def test_the_fast_path_redacts_what_the_whole_text_patterns_redact(parts: list[str], keep_lines: bool) -> None:
    text = "".join(parts)
    assert redact(text, keep_lines=keep_lines) == whole_text(text, keep_lines)
