"""Secrets whose name is far from them in a completion prompt: the items of a Terraform variable's
list or map default (``variable "db_passwords" {`` above the window, the cursor among or inside
its items), and the values of a YAML mapping, a TOML table or a JSON object named for a secret
whose name is lines, or kilobytes, above the window (or above the suffix). Each was sent."""

from __future__ import annotations

import json

import pytest

from deepseek_lsp.documents import Document
from deepseek_lsp.privacy import open_list_head
from deepseek_lsp.prompts import build_fim_prompt
from tests.cpu_time import ThreadCpu
from tests.secret_forms import assert_redacted_in_linear_time

#: Secrets shaped as generated ones (letters, digits, mixed case), one an item.
ITEMS = [f"Xq{n}Lw7Pz{n}Rt4Vb9NmK{n:02d}" for n in range(25)]


def _count(text: str) -> int:
    return len(text) // 3 + 1


def _sent_at(path: str, text: str, cursors: list[int], budgets: tuple[int, ...] = (120, 300)) -> list[tuple[int, int, str]]:
    """(cursor, budget, prompt and suffix) of each completion asked at ``cursors``."""
    doc = Document("file://" + path, text)
    out = []
    for cursor in cursors:
        for budget in budgets:
            fim = build_fim_prompt(doc, cursor, budget=budget, suffix_share=0.3, count=_count)
            out.append((cursor, budget, fim.prompt + "|" + fim.suffix))
    return out


def _assert_none_sent(path: str, text: str, cursors: list[int]) -> None:
    for cursor, budget, sent in _sent_at(path, text, cursors):
        # Any 8 characters of an item: the two halves of one the cursor cuts too.
        leaked = [item for item in ITEMS if any(item[i : i + 8] in sent for i in range(len(item) - 7))]
        assert not leaked, (cursor, budget, leaked, sent)


def _line_ends(text: str, start: int, end: int) -> list[int]:
    return [i for i in range(start, end) if text[i] == "\n"]


def _inside_items(text: str) -> list[int]:
    """A place inside every fourth item (the cursor in a secret being edited)."""
    return [text.index(item) + 7 for item in ITEMS[::4]]


def _variable(validations: int, default: str) -> str:
    rules = "".join(
        f'  validation {{\n    condition     = length(var.db_passwords) > {n}\n    error_message = "Rule {n}."\n  }}\n'
        for n in range(validations)
    )
    return f'variable "db_passwords" {{\n  type = list(string)\n{rules}  default = {default}\n}}\n\nvariable "region" {{\n  default = "eu-west-1"\n}}\n'


_LIST = "[\n" + "".join(f'    "{item}",\n' for item in ITEMS) + "  ]"
_MAP = "{\n" + "".join(f'    env{n} = "{item}"\n' for n, item in enumerate(ITEMS)) + "  }"


@pytest.mark.parametrize("default", [_LIST, _MAP], ids=["list", "map"])
@pytest.mark.parametrize("validations", [0, 5, 80], ids=["in-window", "above-window", "out-of-sight"])
def test_no_item_of_a_terraform_default_is_sent_wherever_the_cursor_is_among_them(default: str, validations: int) -> None:
    """The window or the suffix starting among the items (the ``default = [`` line above it),
    or the cursor inside one: the items went out (all but those in the first lines below it)."""
    text = _variable(validations, default)
    start = text.index("  default")
    _assert_none_sent("/w/infra/variables.tf", text, _line_ends(text, start, text.index("\n}\n", start)) + _inside_items(text))


def test_a_terraform_default_that_names_no_secret_is_sent() -> None:
    text = _variable(5, _LIST).replace("db_passwords", "instance_types")
    cursor = text.index(ITEMS[12]) + 7
    for _cursor, _budget, sent in _sent_at("/w/infra/variables.tf", text, [cursor]):
        assert ITEMS[13] in sent or ITEMS[11] in sent, sent


def test_an_open_default_list_is_read_in_linear_time() -> None:
    text = 'variable "db_passwords" {\n  default = [\n' + '    "Xq1Lw7Pz1Rt4Vb9NmK",\n' * 1000
    assert_redacted_in_linear_time("an open default", text)


def test_the_cursor_inside_an_item_stays_in_that_item() -> None:
    """The item it is in goes before it redacted, the rest of the list after it (the items after
    it were put before the cursor, the suggestion written for after the fourth)."""
    text = _variable(0, _LIST)
    doc = Document("file:///w/infra/variables.tf", text)
    fim = build_fim_prompt(doc, text.index(ITEMS[0]) + 7, budget=300, suffix_share=0.3, count=_count)
    assert fim.prompt.endswith('default = [\n    "[REDACTED]'), fim.prompt
    assert fim.suffix.startswith('",\n    "[REDACTED]",\n'), fim.suffix


def test_a_kubernetes_secret_in_json_sends_no_value_wherever_the_prompt_is_cut() -> None:
    """Its ``"kind": "Secret"`` in the window, its ``stringData`` in the suffix (or the other way
    round): a JSON manifest's values were redacted only with its kind in the same text."""
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", "labels": {"app": "shop"}}}
    data = {"token": "WHE0THc3UHowUnQ0VmI5Tm1LMDA=", "ca.key": "WHExTHc3UHoxUnQ0VmI5Tm1LMDE="}
    string_data = {"DB_HOST": "db.internal", "api": ITEMS[3], "smtp": ITEMS[4]}
    text = json.dumps({**secret, "type": "Opaque", "data": data, "stringData": string_data}, indent=2) + "\n"
    doc = Document("file:///w/k8s/secret.json", text)
    values = [*data.values(), ITEMS[3], ITEMS[4]]
    for cursor in [i for i, ch in enumerate(text) if ch == "\n"] + [text.index(ITEMS[3]) + 6]:
        for budget in (60, 120, 300):
            fim = build_fim_prompt(doc, cursor, budget=budget, suffix_share=0.3, count=_count)
            sent = fim.prompt + fim.suffix
            assert not [v for v in values if any(v[i : i + 8] in sent for i in range(len(v) - 7))], (cursor, budget, sent)


def _mapping(kind: str, fillers: int) -> tuple[str, str]:
    """A file's path and text: a mapping, table or object named for a secret, ``fillers`` entries
    that are no secret (a region, a port) first, then the secrets among more of them."""

    def entries(fmt: str, start: int, count: int) -> str:
        return "".join(fmt.format(n=n) for n in range(start, start + count))

    if kind == "yaml":
        head, fmt, item, tail = "service:\n  port: 8080\napi_keys:\n", "  region{n}: eu-west-{n}\n", "  tenant{n}: {v}\n", "log_level: info\n"
        path = "/w/config/settings.yaml"
    elif kind == "toml":
        head, fmt, item, tail = '[server]\nport = 8080\n\n[api_keys]\n', 'region{n} = "eu-west-{n}"\n', 'tenant{n} = "{v}"\n', "\n[log]\nlevel = 'info'\n"
        path = "/w/config/app.toml"
    else:
        head, fmt, item, tail = '{\n  "port": 8080,\n  "api_keys": {\n', '    "region{n}": "eu-west-{n}",\n', '    "tenant{n}": "{v}",\n', '    "last": "eu"\n  }\n}\n'
        path = "/w/config/app.json"
    secrets = "".join(item.format(n=n, v=value) for n, value in enumerate(ITEMS[:8]))
    return path, head + entries(fmt, 0, fillers) + secrets + entries(fmt, fillers, 12) + tail


@pytest.mark.parametrize("kind", ["yaml", "toml", "json"])
@pytest.mark.parametrize("fillers", [12, 600], ids=["lines-above", "kilobytes-above"])
def test_no_value_of_a_mapping_named_for_a_secret_is_sent_however_far_below_its_name(kind: str, fillers: int) -> None:
    """``api_keys:`` (``[api_keys]``, ``"api_keys": {``) more lines above a prompt's window, or
    its suffix, than were looked at (four), or more than the 4 kB above the window: its values
    in sight went out."""
    path, text = _mapping(kind, fillers)
    start, end = text.index(ITEMS[0]), text.index(ITEMS[7])
    cursors = [i for i, ch in enumerate(text) if ch == "\n" and start - 400 < i < end + 100] + [start + 7, text.index(ITEMS[4]) + 7]
    for cursor, budget, sent in _sent_at(path, text, cursors, (120, 300, 2048)):
        leaked = [item for item in ITEMS[:8] if any(item[i : i + 8] in sent for i in range(len(item) - 7))]
        assert not leaked, (cursor, budget, leaked, sent)
        assert budget < 2048 or "eu-west-" in sent  # the entries that are no secret stay


@pytest.mark.parametrize(
    "text",
    [
        "api_keys:\n" + "  a: b\n" * 4000,
        '{\n  "api_keys": {\n' + '    "a": "b",\n' * 4000,
        "[api_keys]\n" + "a = b\n" * 4000,
        "[api_keys]\n" + "  - x\n" * 4000,
    ],
)
def test_a_long_mapping_is_read_in_linear_time(text: str) -> None:
    assert_redacted_in_linear_time(text[:16], text)


def test_the_names_far_above_a_window_are_found_in_linear_time() -> None:
    """Every line above the window as indented as the first (no name): 64 kB read, no more."""
    data = ("top:\n" + "  entry: value\n" * 200_000).encode()
    with ThreadCpu() as cpu:
        for above_start in range(len(data) - 50_000, len(data), 5_000):
            assert open_list_head(data, above_start) == ""
    assert cpu.seconds < 0.5, cpu.seconds
