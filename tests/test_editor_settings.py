"""The VS Code extension's settings (package.json) are the server's: the same names, defaults
and choices. A setting the editor offers that the server does not know is "ignored" with a
warning; a default that differs from the server's changes behaviour for everyone who never
touched it; a choice missing from the list cannot be picked in the settings editor."""

from __future__ import annotations

import dataclasses
import json
import math
import re
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

from deepseek_lsp.config import Settings, build_settings, camel
from deepseek_lsp.model.prices import ModelPrice, PriceTable, Rates

PACKAGE = Path(__file__).resolve().parents[1] / "editors" / "vscode" / "package.json"
#: The extension's own (how it starts the server and traces it): the server never sees them.
CLIENT_ONLY = {"deepseek.server.command", "deepseek.server.pythonPath", "deepseek.trace.server"}
#: Kept out of settings.json on purpose: VS Code keeps the key in its secret storage.
SECRET = {"api_key", "fim_api_key"}
#: Settings checked against each other: a maximum of 0 needs a minimum of 0 too.
TOGETHER = {"debounceMaxMs": {"debounceMinMs": 0}}


def server_settings(obj: Any = None, prefix: str = "deepseek.") -> dict[str, tuple[Any, Any]]:
    """Every leaf setting of the server: its editor name, default value and annotation."""
    obj = Settings() if obj is None else obj
    hints = get_type_hints(type(obj))
    out: dict[str, tuple[Any, Any]] = {}
    for f in dataclasses.fields(obj):
        if f.name in SECRET:
            continue
        value = getattr(obj, f.name)
        key = prefix + camel(f.name)
        if dataclasses.is_dataclass(value):
            out.update(server_settings(value, key + "."))
        else:
            out[key] = (value, hints[f.name])
    return out


def editor_settings() -> dict[str, dict[str, Any]]:
    config = json.loads(PACKAGE.read_text(encoding="utf-8"))["contributes"]["configuration"]
    sections = config if isinstance(config, list) else [config]
    props: dict[str, dict[str, Any]] = {}
    for section in sections:
        props.update(section["properties"])
    return props


def literal_choices(annotation: Any) -> list[Any] | None:
    if get_origin(annotation) is Literal:
        return list(get_args(annotation))
    if get_origin(annotation) is Union:
        for arg in get_args(annotation):
            found = literal_choices(arg)
            if found is not None:
                return found
    return None


def test_every_server_setting_is_offered_with_the_servers_default() -> None:
    editor = editor_settings()
    server = server_settings()
    assert set(server) == set(editor) - CLIENT_ONLY, (
        f"only the server has {sorted(set(server) - set(editor))}; "
        f"only the editor has {sorted(set(editor) - CLIENT_ONLY - set(server))}"
    )
    for key, (default, annotation) in server.items():
        prop = editor[key]
        shown = list(default) if isinstance(default, tuple) else default
        assert prop.get("default") == shown, f"{key}: editor default {prop.get('default')!r}, server {shown!r}"
        choices = literal_choices(annotation)
        if choices is not None:
            assert sorted(prop.get("enum", [])) == sorted(choices), f"{key}: choices differ"
        assert prop.get("description") or prop.get("markdownDescription"), f"{key} has no description"


def test_the_editors_bounds_are_the_servers() -> None:
    """A value the settings editor lets through is one the server takes, and the server takes
    it as given: otherwise it falls back to its default with a warning nobody expects."""
    for key, prop in editor_settings().items():
        if key in CLIENT_ONLY:
            continue
        for bound in ("minimum", "maximum", "exclusiveMinimum"):
            if bound not in prop:
                continue
            path = key.removeprefix("deepseek.").split(".")
            raw: dict[str, Any] = {}
            node = raw
            for part in path[:-1]:
                node = node.setdefault(part, {})
            node[path[-1]] = prop[bound]
            node.update(TOGETHER.get(path[-1], {}))
            settings, problems = build_settings(raw, env={})
            if bound == "exclusiveMinimum":
                # The editor refuses the bound itself: the server too, saying so.
                assert len(problems) == 1 and path[-1] in problems[0], (key, problems)
                continue
            assert problems == [], (key, bound, problems)
            value: Any = settings
            for part in path:
                value = getattr(value, re.sub(r"(?<!^)(?=[A-Z])", "_", part).lower())
            assert value == prop[bound], (key, bound, value)


def editor_takes(prop: dict[str, Any], value: float) -> bool:
    """Whether VS Code's settings editor lets ``value`` through for a numeric setting."""
    declared = prop.get("type")
    kinds = declared if isinstance(declared, list) else [declared]
    if not float(value).is_integer() and "number" not in kinds:
        return False
    return not (
        value < prop.get("minimum", -math.inf)
        or value > prop.get("maximum", math.inf)
        or value <= prop.get("exclusiveMinimum", -math.inf)
    )


#: Each side of the bounds the server checks (0, 1, 64 prompt tokens, 0.9 of the budget, 2 for
#: the temperature, 3 choices, a 30 s connect, 4K completion and 384K review output tokens, ten
#: minutes), a fraction and a huge number.
PROBES = (-1, 0, 0.5, 1, 2, 2.5, 3, 4, 30, 31, 63, 64, 0.95, 4096, 4097, 393_216, 393_217, 600_000, 600_001, 10**12)


def test_a_value_the_server_refuses_the_editor_refuses() -> None:
    """The settings editor took ``completion.debounce: -1`` without a squiggle, and the server
    then used ``adaptive`` with a warning: a bound only the server knew."""
    editor = editor_settings()
    for key, (_default, annotation) in server_settings().items():
        kinds = {annotation} | set(get_args(annotation))
        if not kinds & {int, float}:
            continue
        path = key.removeprefix("deepseek.").split(".")
        for value in PROBES:
            raw: dict[str, Any] = {}
            node = raw
            for part in path[:-1]:
                node = node.setdefault(part, {})
            # The adaptive debounce's minimum is checked against its maximum: probe each alone.
            node.update({"debounceMinMs": 0, "debounceMaxMs": 10**12} if "debounce" in path[-1] else {})
            node[path[-1]] = value
            _settings, problems = build_settings(raw, env={})
            if problems:
                assert not editor_takes(editor[key], value), f"{key}: the editor takes {value}, the server says {problems}"


def test_the_daily_budget_says_which_day_it_is_for() -> None:
    """The settings editor said "today's cost": west of Greenwich the budget started again in
    the afternoon, east of it in the morning, with nothing there saying so (the server's day is
    UTC's, as DeepSeek's peak hours are)."""
    description = editor_settings()["deepseek.dailyBudgetUsd"]["markdownDescription"]
    assert "00:00 UTC" in description


def test_the_prices_example_is_a_price_the_server_takes() -> None:
    """The settings editor said only "per-model prices per 1M tokens": what a price looks like
    (three numbers, in which order) was in the server's README alone."""
    description = editor_settings()["deepseek.prices"]["markdownDescription"]
    examples = [json.loads(code) for code in re.findall(r"`(\{.*?\})`", description)]
    assert len(examples) == 1, description
    table = PriceTable.from_config(examples[0])
    assert table.messages == []
    assert table.models["my-model"] == ModelPrice.flat(Rates(0.07, 0.27, 1.1))
    assert "(cache hit, cache miss, output)" in description
