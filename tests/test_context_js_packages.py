"""A workspace's own JavaScript packages read through their package.json as Node reads it: one
reading serves ``imports`` (``#lib/db``) and ``exports`` (``@acme/money``, its subpaths)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deepseek_lsp.imports.javascript import _condition_targets
from tests.test_context_prompts import prompt_with_imports, write_files


def _dual(name: str) -> dict[str, dict[str, str]]:
    """A tsup or unbuild build's target: each module format with its own declarations."""
    return {
        "import": {"types": f"./dist/{name}.d.ts", "default": f"./dist/{name}.js"},
        "require": {"types": f"./dist/{name}.d.cts", "default": f"./dist/{name}.cjs"},
    }


def test_an_exports_only_package_built_by_tsup_is_read_at_its_declarations(tmp_path: Path) -> None:
    """Conditions nested under ``import``/``require`` and no ``main`` or ``types`` beside them
    (what tsup's and unbuild's docs tell a package to publish): the entry's conditions were
    read one level deep, the subpath's not at all, and both imports named nothing."""
    package = {
        "name": "@acme/money",
        "type": "module",
        "exports": {".": _dual("index"), "./currency": _dual("currency"), "./package.json": "./package.json"},
        "files": ["dist"],
    }
    write_files(tmp_path, {
        "packages/money/package.json": json.dumps(package),
        "packages/money/dist/index.d.ts": "export declare function formatMoney(cents: number, currency?: string): string;\n",
        "packages/money/dist/currency.d.ts": "export declare function toMinorUnits(amount: number, currency: string): number;\n",
    })  # fmt: skip
    (tmp_path / "apps/web/node_modules/@acme").mkdir(parents=True)
    (tmp_path / "apps/web/node_modules/@acme/money").symlink_to(tmp_path / "packages/money")
    text = (
        'import { formatMoney } from "@acme/money";\nimport { toMinorUnits } from "@acme/money/currency";\n\n'
        "export function price(amount: number) {\n  return formatMoney(toMinorUnits(amount, "
    )
    prompt = prompt_with_imports(tmp_path / "apps/web/src/price.ts", text, [tmp_path], "typescript")
    assert "function formatMoney(cents: number, currency?: string): string" in prompt
    assert "function toMinorUnits(amount: number, currency: string): number" in prompt


@pytest.mark.parametrize(
    ("target", "first"),
    [
        # Node and TypeScript take the first condition they know in the object's key order
        # (TypeScript warns of "types" after "default": it is never reached).
        ({"import": "./esm/index.js", "types": "./index.d.ts"}, "./esm/index.js"),
        ({"require": "./cjs/index.js", "import": "./esm/index.mjs"}, "./cjs/index.js"),
        ({"browser": "./browser.js", "node": "./node.js", "default": "./index.js"}, "./node.js"),
        # Nested: the first matching condition's own conditions, in their order.
        ({"node": {"import": "./node.mjs", "require": "./node.cjs"}, "default": "./index.js"}, "./node.mjs"),
        # A list is Node's fallbacks, in order.
        ([{"worker": "./worker.js"}, "./index.js"], "./index.js"),
    ],
)
def test_a_targets_conditions_are_matched_in_their_key_order(target: object, first: str) -> None:
    assert _condition_targets(target)[0] == first


def test_a_null_condition_excludes_the_ones_after_it() -> None:
    # Node: a matching condition whose target is null ends the lookup ("not exported").
    assert _condition_targets({"types": "./index.d.ts", "import": None, "default": "./index.js"}) == ["./index.d.ts"]
