"""Large and awkward workspaces (audit N3): dependency folders of other ecosystems, a home
folder opened as the workspace, a link out of it, and imports in monorepos (scripts beside
their modules, packages with their own src folder, aliases in a base tsconfig). Each test
failed before its fix."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from deepseek_lsp import symbol_crawler, workspace_symbols
from deepseek_lsp.config import DEFAULT_EXCLUDE
from deepseek_lsp.imports import resolve_local_import
from deepseek_lsp.workspace_symbols import WorkspaceSymbols
from tests.test_workspace_symbols import REGISTRY, crawler_for, settle, write


def test_a_mix_projects_deps_folder_is_skipped_as_node_modules_is(tmp_path: Path) -> None:
    """``mix deps.get`` puts every dependency's sources in ``deps/`` (Phoenix, Ecto, Plug:
    thousands of ``.ex`` files). Crawled as the project's own, they were parsed at the first
    start and made the project's names "too common": ``handle_event`` defined once in the
    project and twice in ``deps/phoenix_live_view`` brought no definition."""
    root = tmp_path / "shop"
    write(
        root,
        {
            "mix.exs": "defmodule Shop.MixProject do\n  use Mix.Project\nend\n",
            "lib/shop/cart_live.ex": "defmodule Shop.CartLive do\n  def handle_event(event, params, socket) do\n    {:noreply, socket}\n  end\nend\n",
            "lib/shop/orders.ex": "defmodule Shop.Orders do\n  def place(cart) do\n    cart\n  end\nend\n",
            "deps/phoenix_live_view/lib/phoenix_live_view.ex": "defmodule Phoenix.LiveView do\n  def handle_event(e, p, s) do\n    s\n  end\nend\n",
            "deps/phoenix_live_view/lib/phoenix_live_view/test.ex": "defmodule Phoenix.LiveViewTest do\n  def handle_event(e, p, s) do\n    s\n  end\nend\n",
        },
    )
    symbols = WorkspaceSymbols(REGISTRY)
    planned = symbols.plan([root], DEFAULT_EXCLUDE, [root / "lib/shop/orders.ex"], "elixir")
    assert sorted(p.relative_to(root).as_posix() for p in planned) == ["lib/shop/cart_live.ex", "lib/shop/orders.ex", "mix.exs"]
    for path in planned:
        symbols.add_file(path)
    assert [p.name for p in symbols.files_defining("handle_event", "elixir")] == ["cart_live.ex"]
    # A folder named deps in a project that is no mix project is its own code.
    write(tmp_path / "web", {"deps/graph.py": "def resolve_deps(): pass\n"})
    assert [p.name for p in symbols.plan([tmp_path / "web"], DEFAULT_EXCLUDE, [tmp_path / "web/x.py"], "python")] == ["graph.py"]


def test_a_home_folder_cut_short_still_lists_the_edited_files_neighbours(tmp_path: Path, monkeypatch: Any) -> None:
    """A user opening ``~`` edits ``~/work/app/cart.py``: the listing stops after MAX_LISTED
    entries, and os.walk's order (the disk's, not the distance's) spent them in other folders
    (``~/src/linux``, ``~/Downloads``) first, so the table held far files and none of the edited
    file's neighbours, whose members then brought no definition."""
    monkeypatch.setattr(workspace_symbols, "MAX_LISTED", 80)
    home = tmp_path / "home"
    write(home, {f"p{i:02}/m{j}.py": f"def f{i}_{j}(): pass\n" for i in range(30) for j in range(8)})
    symbols = WorkspaceSymbols(REGISTRY)
    missed = []
    for i in range(30):
        near = home / f"p{i:02}/m0.py"
        planned = symbols.plan([home], DEFAULT_EXCLUDE, [near], "python")
        if home / f"p{i:02}/m7.py" not in planned:
            missed.append(i)
    assert missed == []
    # The rest of the budget still goes to the other folders, nearest first.
    assert len(symbols.plan([home], DEFAULT_EXCLUDE, [home / "p03/m0.py"], "python")) > 8
    # A multi-root workspace with the home folder first: the edited file's folder is listed.
    write(tmp_path / "proj/pkg", {"a.py": "def a(): pass\n", "b.py": "def b(): pass\n"})
    planned = symbols.plan([home, tmp_path / "proj"], DEFAULT_EXCLUDE, [tmp_path / "proj/pkg/a.py"], "python")
    assert planned[:2] == [tmp_path / "proj/pkg/a.py", tmp_path / "proj/pkg/b.py"]


def test_a_python_script_imports_the_module_beside_it_not_the_workspaces(tmp_path: Path) -> None:
    """A monorepo of services, each a folder of scripts with its own ``config.py`` (or tests
    with their ``helpers.py``): ``import config`` in ``services/billing/main.py`` is the
    ``config.py`` beside it (Python puts a script's folder first on ``sys.path``, pytest a test
    folder without ``__init__.py``). Only the workspace folders were tried: nothing was found,
    or the workspace's own ``config.py``, whose definitions the prompt then carried."""
    for service in ("billing", "mail"):
        write(tmp_path / "services" / service, {"config.py": f"def {service}_rate():\n    return 1\n"})
    assert resolve_local_import("config", tmp_path / "services/billing/main.py", [tmp_path], "python") == [
        tmp_path / "services/billing/config.py"
    ]
    write(tmp_path, {"config.py": "def root_setting():\n    return 0\n"})
    assert resolve_local_import("config", tmp_path / "services/mail/main.py", [tmp_path], "python") == [
        tmp_path / "services/mail/config.py"
    ]
    # A module of a package imports absolutely from the folder above the package, as before.
    write(tmp_path / "shop", {"__init__.py": "", "config.py": "X = 1\n"})
    assert resolve_local_import("config", tmp_path / "shop/cart.py", [tmp_path], "python") == [tmp_path / "config.py"]


def test_a_path_alias_added_to_the_monorepos_base_tsconfig_is_followed_at_once(tmp_path: Path) -> None:
    """An Nx or Turborepo monorepo keeps its ``paths`` in ``tsconfig.base.json``, which each
    package's tsconfig.json extends; ``nx g lib billing`` adds ``@acme/billing`` there. The
    aliases were cached by the package's own tsconfig.json's modification time: the new
    library's imports were followed by no request until the server restarted."""
    write(
        tmp_path,
        {
            "tsconfig.base.json": '{"compilerOptions": {"paths": {"@acme/ui": ["libs/ui/src/index.ts"]}}}',
            "libs/ui/src/index.ts": "export function button() {}\n",
            "libs/billing/src/index.ts": "export function invoice() {}\n",
            "apps/shop/tsconfig.json": '{"extends": "../../tsconfig.base.json"}',
        },
    )
    doc = tmp_path / "apps/shop/src/main.ts"
    assert resolve_local_import("@acme/ui", doc, [tmp_path], "typescript") == [tmp_path / "libs/ui/src/index.ts"]
    assert resolve_local_import("@acme/billing", doc, [tmp_path], "typescript") == []
    base = tmp_path / "tsconfig.base.json"
    base.write_text(
        '{"compilerOptions": {"paths": {"@acme/ui": ["libs/ui/src/index.ts"], "@acme/billing": ["libs/billing/src/index.ts"]}}}'
    )
    assert resolve_local_import("@acme/billing", doc, [tmp_path], "typescript") == [tmp_path / "libs/billing/src/index.ts"]


def test_clions_build_folders_and_a_conda_environment_are_skipped(tmp_path: Path) -> None:
    """CLion builds in ``cmake-build-debug`` (``build`` was skipped, this not): CMake's compiler
    probes and the sources FetchContent downloads (googletest: hundreds of files) were parsed
    as the project's, and its names made "too common". A conda environment made inside the
    project (``conda create -p ./conda-env``) has no ``pyvenv.cfg``: the standard library it
    holds was crawled as the project's."""
    write(
        tmp_path,
        {
            "src/runner.cpp": "void RunAllTests() {}\n",
            "cmake-build-debug/_deps/googletest-src/googletest/src/gtest.cc": "void RunAllTests() {}\n",
            "cmake-build-release/_deps/googletest-src/googletest/src/gtest.cc": "void RunAllTests() {}\n",
            "cmake-build-debug/CMakeFiles/3.28.1/CompilerIdCXX/CMakeCXXCompilerId.cpp": "int main() { return 0; }\n",
            "app/main.py": "def main(): pass\n",
            "conda-env/conda-meta/history": "",
            "conda-env/lib/python3.12/json/decoder.py": "def main(): pass\n",
        },
    )
    symbols = WorkspaceSymbols(REGISTRY)
    cpp = symbols.plan([tmp_path], DEFAULT_EXCLUDE, [tmp_path / "src/runner.cpp"], "cpp")
    assert [p.relative_to(tmp_path).as_posix() for p in cpp] == ["src/runner.cpp"]
    python = symbols.plan([tmp_path], DEFAULT_EXCLUDE, [tmp_path / "app/main.py"], "python")
    assert [p.relative_to(tmp_path).as_posix() for p in python] == ["app/main.py"]


def test_a_monorepo_packages_tests_import_the_package_from_its_own_src_folder(tmp_path: Path) -> None:
    """A uv or Pants monorepo: ``packages/billing`` with its own pyproject.toml and src layout,
    installed editable. ``from billing.invoice import ...`` in ``packages/billing/tests``
    named nothing: only the workspace folder's ``src`` and
    pyproject.toml were source roots, so none of the packages' own code was followed."""
    write(
        tmp_path,
        {
            "pyproject.toml": '[tool.uv.workspace]\nmembers = ["packages/*"]\n',
            "packages/billing/pyproject.toml": '[project]\nname = "billing"\n',
            "packages/billing/src/billing/__init__.py": "",
            "packages/billing/src/billing/invoice.py": "def make_invoice(order):\n    return order\n",
            "packages/shipping/pyproject.toml": '[project]\nname = "shipping"\n\n[tool.setuptools.packages.find]\nwhere = ["lib"]\n',
            "packages/shipping/lib/shipping/__init__.py": "",
            "packages/shipping/lib/shipping/label.py": "def print_label(order):\n    return order\n",
        },
    )
    test_file = tmp_path / "packages/billing/tests/test_invoice.py"
    assert resolve_local_import("billing.invoice", test_file, [tmp_path], "python") == [
        tmp_path / "packages/billing/src/billing/invoice.py"
    ]
    script = tmp_path / "packages/shipping/scripts/run.py"
    assert resolve_local_import("shipping.label", script, [tmp_path], "python") == [
        tmp_path / "packages/shipping/lib/shipping/label.py"
    ]


async def test_a_link_to_a_folder_outside_told_as_a_created_folder_brings_nothing(tmp_path: Path, monkeypatch: Any) -> None:
    """``ln -s ~ home`` (or a link to ``/``) made in the workspace, told by the watcher as one
    created folder: its target was walked as a folder moved in, and the user's other projects
    were parsed into the table (a CPU burst; their names made the workspace's too common),
    though the crawl never follows a link to a folder."""
    monkeypatch.setattr(symbol_crawler, "SAVE_DELAY_S", 0.05)
    root, home = tmp_path / "ws", tmp_path / "home"
    write(root, {"a.py": "def alpha(): pass\n"})
    write(home, {f"proj{i}/m.py": "def alpha(): pass\n" for i in range(5)})
    crawler = crawler_for(root, tmp_path / "state")
    crawler.request(root / "a.py", "python")
    await settle(crawler)
    (root / "home").symlink_to(home, target_is_directory=True)
    crawler.files_changed([(root / "home", True)])
    await settle(crawler)
    assert [p.name for p in crawler.symbols.paths()] == ["a.py"]
    assert [p.name for p in crawler.symbols.files_defining("alpha", "python")] == ["a.py"]


async def test_thousands_of_watcher_events_keep_the_event_loop_light(tmp_path: Path, monkeypatch: Any) -> None:
    """A rebase over a branch adding 12,000 files, told as one watcher event a file (created,
    and gone again by the time they are handled), the table full: each event handled looked
    through all those pending for the ones git was not yet asked about (7 s of the event
    loop's CPU), and the events with nothing to do ran without a turn of the loop in between,
    a keystroke waiting for all of them (0.25 s)."""
    monkeypatch.setattr(symbol_crawler, "SAVE_DELAY_S", 0.05)
    root = tmp_path / "ws"
    write(root, {"a.py": "def alpha(): pass\n"})
    crawler = crawler_for(root, tmp_path / "state", workspace_index_files=1)
    crawler.request(root / "a.py", "python")
    await settle(crawler)
    asked: list[int] = []  # paths asked of git (.gitignore), call by call
    drop = symbol_crawler.drop_ignored
    monkeypatch.setattr(symbol_crawler, "drop_ignored", lambda files, *a: asked.append(len(files)) or drop(files, *a))
    turns = 0

    async def keystrokes() -> None:  # another task of the loop: how often it gets a turn
        nonlocal turns
        while True:
            await asyncio.sleep(0)
            turns += 1

    class Looked(dict):  # type: ignore[type-arg]
        """The pending changes, counting the entries looked through."""

        seen = 0

        def items(self) -> Any:
            for item in super().items():
                Looked.seen += 1
                yield item

    crawler._changed = Looked()
    # 3,000 of the 12,000: each count below grows with the events' square where it was so
    # (4.5 million entries looked through for 6,000 allowed), and 12,000 took 10-17 s a run.
    events = [(root / "branch" / f"m{i}.py", True) for i in range(3_000)]
    typing = asyncio.ensure_future(keystrokes())
    try:
        crawler.files_changed(events)
        await asyncio.wait_for(crawler._tasks["refresh"], 60)
    finally:
        typing.cancel()
    assert sum(asked) == len(events)  # each path asked once
    assert Looked.seen <= 2 * len(events)  # not all those pending at each event (7 s of CPU)
    assert turns >= len(events)  # a turn for others at each event
    assert [p.name for p in crawler.symbols.paths()] == ["a.py"]
