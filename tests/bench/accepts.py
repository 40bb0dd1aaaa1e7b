"""How many first suggestions, accepted, leave a real file as it was: the fake DeepSeek answers
the true text at each cursor (the benches of retyped docstrings and macro bodies)."""

from __future__ import annotations

import argparse
import difflib
import random
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from tests.completing import AnsweringTheRest, accept_first
from tests.fake_deepseek import FakeDeepSeek

#: A site of a bench: its file and the file's text first.
Site = tuple[Path, str, int, int] | tuple[Path, str, int, int, int]


async def count_accepts(
    name: str, cases: Iterable[tuple[Path, str, str, str]], language: str, ext: str, *, show: bool = False
) -> None:
    """Print how many of ``cases`` (a file, its text, the document with its cursor at ‸, the
    answer) are accepted as the file was and how many showed nothing; ``show``: each wrong
    accept's diff."""
    right = nothing = total = 0
    for path, text, doc, answer in cases:
        total += 1
        with FakeDeepSeek() as fake:
            got, _ = await accept_first(fake, language, ext, doc, AnsweringTheRest(answer))
        nothing += got is None
        right += got == text
        if show and got is not None and got != text:
            diff = difflib.unified_diff(text.splitlines(True), got.splitlines(True), n=1)
            print(f"== {name}: {path}\n" + "".join(list(diff)[2:14]))
    print(f"{name:16s} {right} of {total} as the file was, {nothing} shown nothing")


async def run_bench(
    default_sites: int,
    sites: Callable[[int, int], list[Site]],
    states: dict[str, Callable[[Site], tuple[str, str]]],
    language: str,
    ext: str,
) -> None:
    """A bench's run from its command line (--sites, the --seed drawing them, --show): the
    ``sites`` (a file and its text first) in each of the ``states`` (the document with its
    cursor and the answer, from a site)."""
    args = bench_arguments(default_sites).parse_args()
    found = sites(args.sites, args.seed)
    for name, make in states.items():
        cases = ((site[0], site[1], *make(site)) for site in found)
        await count_accepts(name, cases, language, ext, show=args.show)


def bench_arguments(default_sites: int) -> argparse.ArgumentParser:
    """A bench's command line: --sites, the --seed drawing them, --show."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=default_sites)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--show", action="store_true", help="print each wrong accept's diff")
    return parser


def shuffled_texts(files: list[Path], rng: random.Random, most_chars: int) -> Iterator[tuple[Path, str]]:
    """``files`` in an order drawn by ``rng`` with their texts, those unreadable as UTF-8 or
    longer than ``most_chars`` left out."""
    files = sorted(files)
    rng.shuffle(files)
    for path in files:
        try:
            text = path.read_text()
        except (OSError, UnicodeDecodeError):
            continue
        if len(text) <= most_chars:
            yield path, text
