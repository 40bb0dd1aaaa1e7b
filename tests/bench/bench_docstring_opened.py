"""How often a docstring typed again in a real function is suggested as the file has it (not
part of the test run).

Functions of the venv's site-packages whose docstring opens on the line after their header
are taken, reproducibly from a seed; the docstring is cut out and its opener typed as four
editors leave it: three quotes alone (no autopair), three and three (a smart autopair), one
and one and three and one (a naive autopair's `"|"`, then its quote typed over). The fake
DeepSeek answers the true text (the quotes still missing, the text and the closer) and the
first suggestion is accepted: counted right when the file is then as it was.

    PYTHONPATH=server python tests/bench/bench_docstring_opened.py [--sites 60] [--seed 7] [--show]

At 6f08f29 (60 sites): 18, 18, 18 and 0 of 60 right (15 of 60 shown nothing in three states);
at 4d025dd: 58, 48, 57 and 58 (the rest: a closer at the end of the text's last line put on
a line of its own, a docstring longer than the tokens a block may take). A fifth state, the
model's closer alone at column 0 after a smart autopair's three and three. At 404d9f0
(--sites 200): 193, 173, 188, 194 and 57 of 200; then 193, 194, 188, 194 and 194 (the
model's closer no longer cut as the autopair's copy, nor counted with the text's column).
"""

from __future__ import annotations

import argparse
import asyncio
import difflib
import random
import re
import sys
import sysconfig
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.completing import accept_first  # noqa: E402
from tests.fake_deepseek import FakeDeepSeek  # noqa: E402

_HEADER = re.compile(r'^([ \t]*)(?:async\s+)?def .*:\s*\n(\1[ \t]+)"""', re.M)
#: The document with the cursor at ‸ and the model's answer, from a file's text and its
#: docstring's span (just after its opening quotes, just after its closing ones).
STATES: dict[str, Callable[[str, int, int], tuple[str, str]]] = {
    "three alone": lambda t, s, e: (t[:s] + "‸" + t[e:], t[s:e]),
    "three and three": lambda t, s, e: (t[:s] + '‸"""' + t[e:], t[s:e]),
    "one and one": lambda t, s, e: (t[: s - 2] + '‸"' + t[e:], '""' + t[s:e]),
    "three and one": lambda t, s, e: (t[:s] + '‸"' + t[e:], t[s:e]),
    # A smart autopair's, the model's closer alone on its line written at column 0.
    "closer at col 0": lambda t, s, e: (t[:s] + '‸"""' + t[e:], re.sub(r'\n[ \t]+"""$', '\n"""', t[s:e])),
}


def sites(count: int, seed: int) -> list[tuple[Path, str, int, int]]:
    """(file, its text, where its first docstring's text starts, where its closer ends)."""
    files = sorted(Path(sysconfig.get_paths()["purelib"]).rglob("*.py"))
    random.Random(seed).shuffle(files)
    found = []
    for path in files:
        try:
            text = path.read_text()
        except (OSError, UnicodeDecodeError):
            continue
        if len(text) > 200_000:
            continue
        for match in _HEADER.finditer(text):
            end = text.find('"""', match.end())
            if end >= 0 and text[match.end() : match.end() + 1] not in ('"', "\\"):
                found.append((path, text, match.end(), end + 3))
                break
        if len(found) >= count:
            break
    return found


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=60)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--show", action="store_true", help="print each wrong accept's diff")
    args = parser.parse_args()
    found = sites(args.sites, args.seed)
    for name, make in STATES.items():
        right = nothing = 0
        for path, text, start, end in found:
            doc, answer = make(text, start, end)
            with FakeDeepSeek() as fake:
                got, _ = await accept_first(fake, "python", "py", doc, answer)
            nothing += got is None
            right += got == text
            if args.show and got is not None and got != text:
                diff = difflib.unified_diff(text.splitlines(True), got.splitlines(True), n=1)
                print(f"== {name}: {path}\n" + "".join(list(diff)[2:12]))
        print(f"{name:16s} {right} of {len(found)} as the file was, {nothing} shown nothing")


if __name__ == "__main__":
    asyncio.run(main())
