"""Lists of keys under a secret's name as more languages write them, each sent whole: R's
``api_keys <- c(…)``, OCaml's ``[…; …]``, JSON held in a string (``API_KEYS = '["…", "…"]'``,
``json.loads('[…]')``, ``JSON.parse('{…}')``), Clojure's ``(def api-keys […])``, Erlang's
``-define(API_KEYS, […])``, bash's associative array ``declare -A API_KEYS=([prod]="…")`` and
YAML's flow list over lines (``api_keys: [`` then a key a line)."""

from __future__ import annotations

import pytest

from deepseek_lsp.privacy import REDACTED, redact
from tests.secret_forms import assert_none_sent_at_each, assert_redacted_in_linear_time, repeated

A, B, C = "Fk8d7s6Gh2Jq0Lw3Xy9Q", "Qz1Xc4Vb7Nm0Pa5Sd8Fg", "Wm3Rt8Yp1Lk6Hd0Sa4Zx"

FORMS = [
    ("keys.R", f'api_keys <- c("{A}", "{B}", "{C}")\nprint(length(api_keys))\n'),
    ("keys.R", f'api_keys <- list(prod = "{A}", dev = "{B}", qa = "{C}")\n'),
    ("keys.ml", f'let api_keys = ["{A}"; "{B}"; "{C}"]\n'),
    ("keys.py", f"API_KEYS = '[\"{A}\", \"{B}\", \"{C}\"]'\nprint(1)\n"),
    ("keys.py", f"API_KEYS = json.loads('[\"{A}\", \"{B}\", \"{C}\"]')\nprint(1)\n"),
    ("keys.py", f"API_KEYS = '{{\"prod\": \"{A}\", \"dev\": \"{B}\", \"qa\": \"{C}\"}}'\nprint(1)\n"),
    ("keys.js", f"process.env.API_KEYS = '[\"{A}\",\"{B}\",\"{C}\"]';\nconsole.log(1);\n"),
    ("keys.js", f"const apiKeys = JSON.parse('{{\"prod\":\"{A}\",\"dev\":\"{B}\",\"qa\":\"{C}\"}}');\n"),
    ("env.txt", f"API_KEYS='[\"{A}\",\"{B}\",\"{C}\"]'\nDEBUG=1\n"),
    ("keys.clj", f'(def api-keys ["{A}" "{B}" "{C}"])\n(println 1)\n'),
    ("keys.erl", f'-define(API_KEYS, ["{A}", "{B}", "{C}"]).\n'),
    ("keys.sh", f'declare -A API_KEYS=([prod]="{A}" [dev]="{B}" [qa]="{C}")\necho 1\n'),
    # A YAML flow list over lines, a key a line with its comma: the third went out.
    ("keys.yaml", f"app:\n  api_keys: [\n    {A},\n    {B},\n    {C}\n  ]\n  debug: true\n"),
]


@pytest.mark.parametrize(("path", "text"), FORMS)
def test_a_list_of_keys_written_so_sends_none_of_them(path: str, text: str) -> None:
    out = redact(text, keep_lines=True)
    assert out == text.replace(A, REDACTED).replace(B, REDACTED).replace(C, REDACTED), out
    assert_none_sent_at_each(path, text, (A, B, C))


@pytest.mark.parametrize(
    "text",
    [
        'labels <- c("first", "second", "third")\n',  # no secret's name
        'token_names <- c("access_token", "refresh_token")\n',  # names, not keys
        "let tokens = [\"LPAREN\"; \"RPAREN\"; \"IDENT\"]\n",  # a lexer's token names
        "API_KEY_FIELDS = '[\"prod\", \"dev\"]'\n",
        '(def token-kinds ["identifier" "keyword"])\n',
        'declare -A API_KEYS=([prod]="$PROD_KEY" [dev]="${DEV_KEY}")\n',  # variables
    ],
)
def test_names_and_variables_in_such_lists_are_sent(text: str) -> None:
    assert redact(text, keep_lines=True) == text


@pytest.mark.parametrize("unit", ['"a"; ', "c(", "'[", "[p]=", "(def api-keys [", "-define(API_KEYS, ["])
def test_such_lists_are_read_in_linear_time(unit: str) -> None:
    assert_redacted_in_linear_time(unit, "api_keys <- c(" + repeated(unit))
    assert_redacted_in_linear_time(unit, "API_KEYS = '[" + repeated(unit))
