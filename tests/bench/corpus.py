"""Real code nobody on the team wrote: modules of the installed Python standard library."""

from __future__ import annotations

import importlib
import inspect

STDLIB_MODULES = (
    "argparse", "typing", "pathlib", "inspect", "dataclasses", "configparser", "textwrap",
    "difflib", "ast", "logging.handlers", "json.decoder", "csv", "calendar", "tarfile",
    "zipfile", "shutil", "subprocess", "string", "fractions", "statistics",
)


def module_source(name: str) -> str:
    return inspect.getsource(importlib.import_module(name))


def big_python_file(lines: int = 10_000) -> str:
    """At least ``lines`` lines of real Python, whole modules concatenated, cut at ``lines``."""
    out: list[str] = []
    for name in STDLIB_MODULES:
        out.extend(module_source(name).splitlines())
        if len(out) >= lines:
            break
    return "\n".join(out[:lines]) + "\n"
