"""Keys one a line in a heredoc or a multi-line string under a secret's name (a shell's
``read -r -d '' API_KEYS <<'EOF'`` and ``API_KEYS=$(cat <<EOF``, Ruby's ``<<~KEYS``, PHP's
``<<<'KEYS'``, Python's ``API_KEYS = \"\"\"`` then a key a line, or its first on the quotes' line
and its last before the closing ones: ``\"\"\"k1`` … ``k3\"\"\".split()``): a heredoc of one line was
redacted as the name's value, one of several lines sent every key."""

from __future__ import annotations

import pytest

from deepseek_lsp.privacy import REDACTED, redact
from tests.secret_forms import assert_none_sent_at_each, assert_redacted_in_linear_time, repeated

KEYS = ("Fk8d7s6Gh2Jq0Lw3Xy9Q", "Qz1Xc4Vb7Nm0Pa5Sd8Fg", "Wm3Rt8Yp1Lk6Hd0Sa4Zx", "Lp2Kd9Ws7Qx4Vn1Bz6Hj")
LINES = "\n".join(KEYS)
INDENTED = "\n".join("  " + key for key in KEYS)

FORMS = [
    ("keys.sh", f"#!/bin/sh\nread -r -d '' API_KEYS <<'EOF'\n{LINES}\nEOF\necho ok\n"),
    ("keys.sh", f"#!/bin/sh\nAPI_KEYS=$(cat <<EOF\n{LINES}\nEOF\n)\necho ok\n"),
    ("keys.rb", f"API_KEYS = <<~KEYS\n{INDENTED}\nKEYS\nputs 1\n"),
    ("keys.php", f"<?php\n$apiKeys = <<<'KEYS'\n{LINES}\nKEYS;\necho 1;\n"),
    ("keys.py", f'API_KEYS = """\n{LINES}\n"""\nprint(1)\n'),
    ("keys.py", f"api_tokens = '''\n{INDENTED}\n'''.split()\nprint(1)\n"),
    # The first key on the quotes' line, the last before the closing ones: each went out.
    ("keys.py", f'API_KEYS = """{LINES}""".split()\nprint(1)\n'),
    ("keys.py", f"api_tokens = '''{KEYS[0]}\n" + "\n".join("    " + key for key in KEYS[1:]) + "'''.splitlines()\nprint(1)\n"),
]


@pytest.mark.parametrize(("path", "text"), FORMS)
def test_keys_a_line_in_a_heredoc_are_not_sent(path: str, text: str) -> None:
    out = redact(text, keep_lines=True)
    expected = text
    for key in KEYS:
        expected = expected.replace(key, REDACTED)
    assert out == expected, out
    assert_none_sent_at_each(path, text, KEYS, (400, 160, 30))


@pytest.mark.parametrize(
    "text",
    [
        "API_KEYS_HELP = <<~TEXT\n  Set them in the vault\nTEXT\n",  # words
        "read -r -d '' TOKEN_NAMES <<'EOF'\naccess_token\nrefresh_token\nEOF\n",  # names
        'API_KEYS = """\n$PROD_KEY\n$DEV_KEY\n"""\n',  # variables
        "cat <<EOF > keys.txt\nFk8d7s6Gh2Jq0Lw3Xy9Q\nEOF\n",  # no secret's name
        "API_KEYS = <<~SH\n  Fk8d7s6Gh2Jq0Lw3Xy9Q\n  echo done\nSH\n",  # a script's lines, not keys alone
        "user_data_secret = <<EOF\n#!/bin/bash\necho hello world\nEOF\n",
        'TOKEN_HELP = """Read it from\nthe vault first"""\n',  # words on the quotes' lines
        'SECRET_KEY_NAMES = """SECRET_KEY\nAPI_TOKEN""".split()\n',  # names
    ],
)
def test_words_names_and_variables_in_a_heredoc_are_sent(text: str) -> None:
    assert redact(text, keep_lines=True) == text


@pytest.mark.parametrize("unit", ["k\n", "Fk8d7s6Gh2Jq0Lw3Xy9Q\n", "\n", " \n", "API_KEYS = <<~K\n", '"""\n', 'k """', "k "])
def test_heredocs_are_read_in_linear_time(unit: str) -> None:
    assert_redacted_in_linear_time(unit, "API_KEYS = <<~KEYS\n" + repeated(unit))
    assert_redacted_in_linear_time(unit, 'API_KEYS = """\n' + repeated(unit))
