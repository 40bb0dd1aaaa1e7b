"""How often a real line of code, typed again, is suggested as the file has it (not part of the
test run): the shape post-processing gives a right answer, in four languages.

Lines inside blocks (indented, code not a comment) of real files, reproducibly drawn: the
system Python's library, the VS Code extension's node_modules JavaScript, C sources and headers
(/usr/include, the pyenv sources), Go's few files on this machine (git's contrib). Two states
for each: the line's rest cut after its first words (typing at its end), and the whole line
cut with its indentation kept (Enter, then the editor's auto-indent); and a block's body of
2-12 lines cut down to its closer, the cursor on its first line's indentation (Enter after
the header's `{`, the editor's `}` below). The fake DeepSeek answers
the true text; the first suggestion is accepted: counted right when the file is then as it
was.

    PYTHONPATH=server python tests/bench/bench_line_shape.py [--sites 150] [--seed 7] [--show]

At d1af002d (150 sites; Go's 4 files): the line's rest and the whole line 150, 150, 149, 4 of
Python, JavaScript, C, Go (C's one: a trailing blank the file has); a block's body 149, 146,
148, 4 (Python's: a body in a test's string template; JavaScript's: tsc's emitted
__createBinding helper twice, its body a level of 2 in a 4-space file, and a chain's `})`
left of its statement; C's: LLVM's braceless `if` body in a header whose unit, the body cut
out, reads 4 around it (2 with it), and continuation lines aligned with tabs and spaces).
"""

from __future__ import annotations

import asyncio
import random
import re
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.bench.accepts import bench_arguments, count_accepts, shuffled_texts  # noqa: E402

_COMMENT_START = ("#", "//", "/*", "*", "--")
_WORD = re.compile(r"\S+")


def _lines(text: str, rng: random.Random) -> Iterator[int]:
    """Offsets of the starts of ``text``'s indented code lines, in an order drawn by ``rng``."""
    starts, at = [], 0
    for line in text.split("\n"):
        body = line.strip()
        if line[:1] in " \t" and len(body) >= 15 and not body.startswith(_COMMENT_START) and not line.endswith("\\"):
            starts.append(at)
        at += len(line) + 1
    rng.shuffle(starts)
    yield from starts


def _sites(files: list[Path], count: int, seed: int, whole: bool) -> Iterator[tuple[Path, str, str, str]]:
    """(file, its text, the document with ‸ where the cut is, the cut text): one line a file."""
    rng = random.Random(seed)
    found = 0
    for path, text in shuffled_texts(files, random.Random(seed), 200_000):
        if "\r" in text:
            continue
        for start in _lines(text, rng):
            end = text.index("\n", start)
            line = text[start:end]
            lead = len(line) - len(line.lstrip())
            words = list(_WORD.finditer(line))
            cut = lead if whole else words[min(len(words) - 1, max(1, len(words) // 3))].start()
            if cut >= len(line) or cut <= 0:
                continue
            yield path, text, text[: start + cut] + "‸" + text[end:], line[cut:]
            found += 1
            break
        if found >= count:
            return


def _bodies(text: str, rng: random.Random, python: bool) -> Iterator[tuple[int, int]]:
    """(start, end) of the bodies of 2-12 lines of ``text``'s blocks (a header's `{` at its line's
    end and the `}` below at its column; Python's `:`), the start after the first line's
    indentation, the end at the last line's end; in an order drawn by ``rng``."""
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    found = []
    for index, line in enumerate(lines[:-2]):
        code = line.rstrip()
        if not code.endswith(":" if python else "{") or code.lstrip().startswith(_COMMENT_START):
            continue
        width = len(line) - len(line.lstrip())
        end = index + 1
        while end < len(lines) and (not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip()) > width):
            end += 1
        body = [x for x in lines[index + 1 : end] if x.strip()]
        closer = lines[end] if end < len(lines) else ""
        if not 2 <= len(body) <= 12 or not lines[index + 1].strip():
            continue
        if not python and not closer.strip().startswith("}"):
            continue
        last = end - 1
        while not lines[last].strip():
            last -= 1
        first = lines[index + 1]
        start = offsets[index + 1] + len(first) - len(first.lstrip())
        stop = offsets[last] + len(lines[last])
        if stop - start <= 900:
            found.append((start, stop))
    rng.shuffle(found)
    yield from found


def _block_sites(files: list[Path], count: int, seed: int, python: bool) -> Iterator[tuple[Path, str, str, str]]:
    """(file, its text, the document with ‸ on the body's first line, its indentation kept, the
    body cut down to the block's closer, the body): one block a file."""
    rng = random.Random(seed)
    found = 0
    for path, text in shuffled_texts(files, random.Random(seed), 200_000):
        if "\r" in text:
            continue
        for start, stop in _bodies(text, rng, python):
            yield path, text, text[:start] + "‸" + text[stop:], text[start:stop]
            found += 1
            break
        if found >= count:
            return


def main() -> None:
    args = bench_arguments(150).parse_args()
    node_modules = Path("/work/main/editors/vscode/node_modules")
    python = Path(sys.base_prefix) / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}"
    c_files = [*Path("/usr/include").rglob("*.h"), *Path("/root/.pyenv").rglob("*.c")]
    runs = [
        ("Python", [p for p in python.rglob("*.py") if "site-packages" not in p.parts], "python", "py"),
        ("JavaScript", list(node_modules.rglob("*.js")), "javascript", "js"),
        ("C", c_files, "c", "c"),
        ("Go", list(Path("/usr/share").rglob("*.go")), "go", "go"),
    ]
    for name, files, language, ext in runs:
        for state, whole in (("line's rest", False), ("whole line", True)):
            cases = list(_sites(files, args.sites, args.seed, whole))
            asyncio.run(count_accepts(f"{name}, {state}", cases, language, ext, show=args.show))
        cases = list(_block_sites(files, args.sites, args.seed, language == "python"))
        asyncio.run(count_accepts(f"{name}, block", cases, language, ext, show=args.show))


if __name__ == "__main__":
    main()
