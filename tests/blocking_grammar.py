"""A grammar module for worker processes whose loading a test holds: ``wait_<hex>`` names the
folder (hex of its path) of two FIFOs. Loading the grammar opens ``started`` (the test sees the
worker running) and then ``release`` (the worker waits there until the test lets it go)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import tree_sitter_python


def __getattr__(name: str) -> Callable[[], object]:
    if not name.startswith("wait_"):
        raise AttributeError(name)
    folder = Path(bytes.fromhex(name.removeprefix("wait_")).decode())

    def language() -> object:
        with open(folder / "started", "wb"):
            pass
        with open(folder / "release", "rb") as release:
            release.read()
        return tree_sitter_python.language()

    return language
