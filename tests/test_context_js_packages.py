"""A workspace's own JavaScript packages read through their package.json as Node reads it: one
reading serves ``imports`` (``#lib/db``) and ``exports`` (``@acme/money``, its subpaths)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deepseek_lsp.imports.javascript import _condition_targets, _project_files
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


# -- a solution-style tsconfig.json: the referenced project that includes the file --------------


#: A Vite project's component under src/ and a build script's module of the same name under
#: build/, which the two referenced configs' ``@/*`` each name; and an App importing the first.
_VITE_SOURCES = {
    "src/components/button.tsx": "export function Button(label: string, onClick: () => void): JSX.Element {\n  return label;\n}\n",
    "build/components/button.ts": "export function buildButtonCss(theme: string, minify = true): string {\n  return theme;\n}\n",
}
_APP_USING_BUTTON = 'import { Button } from "@/components/button";\n\nexport function App() {\n  return Button('


def test_a_vite_projects_aliases_are_those_of_the_referenced_config_that_includes_the_file(tmp_path: Path) -> None:
    """Vite's template lists tsconfig.node.json first; here it maps ``@/*`` too, for its build
    scripts. Its aliases (the first referenced config's) were taken for src/App.tsx, which
    tsconfig.app.json's ``"include": ["src"]`` holds, and ``@/components/button`` named
    build/components/button: nothing. vite.config.ts, which the node config includes by
    name, still goes by that config."""
    write_files(tmp_path, {
        "tsconfig.json": '{\n  "files": [],\n  "references": [{ "path": "./tsconfig.node.json" }, { "path": "./tsconfig.app.json" }]\n}\n',
        "tsconfig.node.json": '{"compilerOptions": {"composite": true, "paths": {"@/*": ["./build/*"]}}, "include": ["vite.config.ts", "build/**/*.ts"]}',
        "tsconfig.app.json": '{\n  "compilerOptions": {\n    "baseUrl": ".",\n    "paths": {"@/*": ["./src/*"]},\n  },\n  "include": ["src"]\n}\n',
        **_VITE_SOURCES,
    })  # fmt: skip
    text = _APP_USING_BUTTON
    prompt = prompt_with_imports(tmp_path / "src/App.tsx", text, [tmp_path], "tsx")
    assert "function Button(label: string, onClick: () => void): JSX.Element" in prompt
    assert "buildButtonCss" not in prompt
    text = 'import { buildButtonCss } from "@/components/button";\n\nexport default {\n  css: buildButtonCss('
    prompt = prompt_with_imports(tmp_path / "vite.config.ts", text, [tmp_path], "typescript")
    assert "function buildButtonCss(theme: string, minify = true): string" in prompt


@pytest.mark.parametrize(
    ("config", "held", "not_held"),
    [
        # Nx's split: the library's files without its tests, the tests' config the rest.
        ({"include": ["src/**/*.ts"], "exclude": ["src/**/*.spec.ts"]}, "src/lib/a.ts", "src/lib/a.spec.ts"),
        ({"files": ["src/main.ts"]}, "src/main.ts", "src/other.ts"),  # files alone: no include
        ({}, "src/deep/x.ts", "node_modules/pkg/index.ts"),  # neither: all but the defaults' exclude
        ({"include": ["src/*.ts"]}, "src/a.ts", "src/deep/a.ts"),  # * within one folder
    ],
)
def test_which_files_a_tsconfig_holds(tmp_path: Path, config: dict[str, list[str]], held: str, not_held: str) -> None:
    (tmp_path / "tsconfig.lib.json").write_text(json.dumps(config))
    files = _project_files(tmp_path / "tsconfig.lib.json")
    assert files.holds(tmp_path / held, tmp_path) and not files.holds(tmp_path / not_held, tmp_path)


def test_a_tsconfig_inherits_include_relative_to_the_config_that_gives_it(tmp_path: Path) -> None:
    # TypeScript: ``include`` from a base is relative to the base's folder, not the extending one's.
    write_files(tmp_path, {
        "configs/tsconfig.base.json": '{"include": ["../app/src"]}',
        "app/tsconfig.app.json": '{"extends": "../configs/tsconfig.base.json"}',
    })  # fmt: skip
    files = _project_files(tmp_path / "app/tsconfig.app.json")
    assert files.holds(tmp_path / "app/src/main.ts", tmp_path / "app")
    assert not files.holds(tmp_path / "app/scripts/seed.ts", tmp_path / "app")


def test_a_solution_configs_own_aliases_serve_a_referenced_project_without_any(tmp_path: Path) -> None:
    """``paths`` in tsconfig.json only (the editor's), tsconfig.app.json holding the file
    without any: the root's are taken, not those of tsconfig.node.json, meant for other files."""
    write_files(tmp_path, {
        "tsconfig.json": '{"files": [], "references": [{"path": "./tsconfig.node.json"}, {"path": "./tsconfig.app.json"}], "compilerOptions": {"baseUrl": ".", "paths": {"@/*": ["./src/*"]}}}',
        "tsconfig.node.json": '{"compilerOptions": {"paths": {"@/*": ["./build/*"]}}, "include": ["vite.config.ts"]}',
        "tsconfig.app.json": '{"include": ["src"]}',
        **_VITE_SOURCES,
    })  # fmt: skip
    text = _APP_USING_BUTTON
    prompt = prompt_with_imports(tmp_path / "src/App.tsx", text, [tmp_path], "tsx")
    assert "function Button(label: string, onClick: () => void): JSX.Element" in prompt
