"""Secret lists still sent at session 52's start: an object of secrets with bare keys whose
prompt window ends inside a key's name (the whole window's values went out), Ruby's
``:prod => '…'`` hash (every value, the whole file redacted), a TOML table's value the cursor is
inside of (its first part ended the window unredacted), and lists not read as lists (Elixir's
``@api_keys [...]``, Perl's ``qw/…/``, a ``;``-separated .env value, keys in capitals, TOML's
dotted keys, a YAML block scalar's lines)."""

from __future__ import annotations

import pytest

from deepseek_lsp.documents import Document
from deepseek_lsp.privacy import open_list_head, redact
from deepseek_lsp.prompts import build_fim_prompt
from tests.cpu_time import ThreadCpu
from tests.secret_forms import assert_redacted_in_linear_time, repeated

KEYS = [f"Fk8d7s6Gh2Jq0Lw3Xy{i:02d}Q" for i in range(16)]


def _count(text: str) -> int:
    return len(text) // 3 + 1


def _sent_at_each_place(path: str, text: str, budgets: tuple[int, ...] = (160,)) -> list[str]:
    """What completion prompts send with the cursor at each place of ``text``."""
    doc = Document(f"file:///w/app/{path}", text)
    sent = []
    for budget in budgets:
        for cursor in range(len(text) + 1):
            fim = build_fim_prompt(doc, cursor, budget=budget, suffix_share=0.3, count=_count)
            sent.append(fim.prompt + fim.suffix)
    return sent


def _leaked(sent: list[str]) -> list[str]:
    return [key for key in KEYS if any(key[:12] in text or key[8:] in text for text in sent)]


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("keys.js", "import x from 'y';\n\nexport const apiKeys = {\n" + "".join(f"  tenant{i}: '{k}',\n" for i, k in enumerate(KEYS)) + "};\n"),
        ("keys.rb", "module Keys\n  API_KEYS = {\n" + "".join(f'    tenant{i}: "{k}",\n' for i, k in enumerate(KEYS)) + "  }.freeze\nend\n"),
    ],
)
def test_a_window_ending_inside_a_bare_key_s_name_sends_none_of_the_values_above(path: str, text: str) -> None:
    """The cursor in ``  ten|ant3: '…'`` (renaming a key): the window's last line, a key cut
    before its colon, ended no list, and every value above it went out (15 of 16)."""
    assert _leaked(_sent_at_each_place(path, text)) == []


def test_a_ruby_hash_of_symbols_to_secrets_sends_none_of_its_values() -> None:
    """``:prod => '…'`` (a symbol's colon before its name) ended the list at its first entry:
    every value went out, the whole file redacted (16 of 16)."""
    text = "API_KEYS = {\n" + "".join(f"  :tenant{i} => '{k}',\n" for i, k in enumerate(KEYS)) + "}.freeze\n"
    out = redact(text, keep_lines=True)
    assert _leaked([out]) == [], out
    assert _leaked(_sent_at_each_place("keys.rb", text)) == []


def test_a_toml_value_the_cursor_is_inside_of_is_not_sent() -> None:
    """``tenant3 = "Fk8d7s6G|h2Jq…"``: the window's last line, a value cut by the cursor, was no
    table entry (no closing quote), and its first part went out (13 of 16 values, in part)."""
    text = "[secrets.api_keys]\n" + "".join(f'tenant{i} = "{k}"\n' for i, k in enumerate(KEYS))
    doc = Document("file:///w/app/config.toml", text)
    for key in KEYS:
        cursor = text.index(key) + 12
        fim = build_fim_prompt(doc, cursor, budget=160, suffix_share=0.3, count=_count)
        assert key[:8] not in fim.prompt + fim.suffix, fim.prompt[-80:]



@pytest.mark.parametrize(
    "text",
    ["api_keys = ['Fk8d7s6Gh2Jq0Lw3Xy9Q',\n" + repeated(" ") + ":x", "api_keys = {\n  a: 'b',\n  k" + repeated(" ") + "=> x",
     "api_keys = {\n" + repeated("  :k => 'Fk8d7s6Gh2Jq0Lw3Xy9Q',\n")],
)
def test_a_cut_key_at_a_list_s_end_is_read_in_linear_time(text: str) -> None:
    assert_redacted_in_linear_time(text[:10], text)


def test_the_names_up_a_staircase_of_mappings_are_found_in_one_pass() -> None:
    """350 mappings each one space further in (a generated file's nesting), the window at the
    deepest: each name was looked for in its own pass of the 64 kB above (20 ms a request)."""
    data = ("".join(" " * level + f"k{level}:\n" for level in range(350)) + " " * 350 + "api_key: x\n").encode()
    above_start = data.rindex(b"\n", 0, len(data) - 1) + 1
    with ThreadCpu() as cpu:
        for _ in range(25):
            head = open_list_head(data, above_start)
    assert head.count("\n") == 350 and head.startswith("k0:\n")
    assert cpu.seconds < 0.15, cpu.seconds


@pytest.mark.parametrize(
    "text",
    [
        # Elixir's module attribute: a name and its value, no ``=``.
        "defmodule Shop.Keys do\n  @api_keys [\n" + "".join(f'    "{k}",\n' for k in KEYS[:4]) + "  ]\nend\n",
        f'defmodule Shop.Keys do\n  @api_tokens ["{KEYS[0]}", "{KEYS[1]}"]\nend\n',
        # Perl's qw with slashes.
        f"my @api_keys = qw/{KEYS[0]} {KEYS[1]} {KEYS[2]}/;\n",
        # A .env value's list of keys by ``;``, bare and quoted; a quoted comma list.
        f"API_KEYS={KEYS[0]};{KEYS[1]};{KEYS[2]}\n",
        f'SECRET_TOKENS="{KEYS[0]}; {KEYS[1]}; {KEYS[2]}"\n',
        f"API_KEYS='{KEYS[0]},{KEYS[1]}'\n",
    ],
)
def test_lists_of_keys_as_other_languages_write_them_send_none(text: str) -> None:
    out = redact(text, keep_lines=True)
    assert _leaked([out]) == [], out
    assert out.count("\n") == text.count("\n")


def test_a_list_of_all_caps_random_keys_sends_none() -> None:
    """``"FKNIRJHUB0ZXSORIFIQW"`` (caps and a digit or two, as several vendors' keys are): judged
    a name (no lower case to mix, fewer than 4 digits) and sent."""
    keys = ["FKNIRJHUB0ZXSORIFIQW", "QWXZPLKJHG7TRBVCNMZA", "FkNIRJHUB0ZXSoRiFI9Q"]
    text = "API_KEYS = [\n" + "".join(f'    "{k}",\n' for k in keys) + "]\n"
    out = redact(text, keep_lines=True)
    assert not any(k in out for k in keys), out
    names = 'API_KEY_NAMES = ["STRIPE_SECRET_KEY", "HTTP2SERVERCONFIG", "OpenAIApiKeyName2"]\n'
    assert redact(names) == names


@pytest.mark.parametrize(
    "text",
    ["API_KEYS=a;" + repeated("b ;"), "API_KEYS=" + repeated("Fk8d7s6Gh2;") + " x", "api_keys = qw/" + repeated("a \n"),
     "api_keys = qw/" + repeated("x'"), "@api_keys [" + repeated("'a', ") + "x"],
)
def test_the_new_list_forms_are_read_in_linear_time(text: str) -> None:
    assert_redacted_in_linear_time(text[:12], text)


@pytest.mark.parametrize(
    "text",
    [
        # TOML's dotted keys under another table: the secret's name first, the last part neutral.
        f'[app]\nname = "shop"\napi_keys.prod = "{KEYS[0]}"\napi_keys.dev = "{KEYS[1]}"\nsecrets.db.main = \'{KEYS[2]}\'\n',
        # A YAML block scalar of several lines under a secret's name (one key a line).
        f"app:\n  api_keys: |\n    {KEYS[0]}\n    {KEYS[1]}\n    {KEYS[2]}\n    {KEYS[3]}\n  debug: false\n",
        f"tokens: >-\n  {KEYS[0]}\n  {KEYS[1]}\n  {KEYS[2]}\nname: x\n",
    ],
)
def test_toml_dotted_keys_and_yaml_block_scalars_send_no_secret(text: str) -> None:
    """``api_keys.prod = "…"`` (its name's last part no secret's) went out whole; a block
    scalar's lines past the second went out (the lines read were the name's and two more)."""
    out = redact(text, keep_lines=True)
    assert _leaked([out]) == [], out
    assert out.count("\n") == text.count("\n")


def test_a_long_dotted_key_is_read_in_linear_time() -> None:
    assert_redacted_in_linear_time("api_keys.", "api_keys." + repeated("a.") + " = 'x'")
