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
model's closer no longer cut as the autopair's copy, nor counted with the text's column); then
one and one 194 (the text after the answer's `""` read in the docstring, its hanging indents
kept). At 4cea5eaf 193, 194, 194, 194 and 194 (the rest: docstrings longer than a block's
tokens, closed after half their text); with their rest asked for, 199, 200, 200, 200 and 200.
"""

from __future__ import annotations

import asyncio
import random
import re
import sys
import sysconfig
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.bench.accepts import run_bench, shuffled_texts  # noqa: E402

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
    files = list(Path(sysconfig.get_paths()["purelib"]).rglob("*.py"))
    found = []
    for path, text in shuffled_texts(files, random.Random(seed), 200_000):
        for match in _HEADER.finditer(text):
            end = text.find('"""', match.end())
            if end >= 0 and text[match.end() : match.end() + 1] not in ('"', "\\"):
                found.append((path, text, match.end(), end + 3))
                break
        if len(found) >= count:
            break
    return found


if __name__ == "__main__":
    states = {name: lambda s, make=make: make(s[1], s[2], s[3]) for name, make in STATES.items()}
    asyncio.run(run_bench(60, sites, states, "python", "py"))
