"""How often a C macro's body typed again in a real header is suggested as the file has it (not
part of the test run).

Multi-line `#define`s of /usr/include's headers are taken, reproducibly from a seed, and a
cursor put at the indentation of one of their body's lines (the line above ends with a
backslash). Two states: the body's lines from there to its end cut (the user writes the rest
of a new macro: the lines after the macro follow the cursor's line) and the cursor's line
alone cut (Enter in the middle of the body: the lines below still end with their backslashes).
The fake DeepSeek answers the true text from the cursor on (the rest of the macro and what
follows it) and the first suggestion is accepted: counted right when the file is then as it
was.

    PYTHONPATH=server python tests/bench/bench_macro_body.py [--sites 300] [--seed 7] [--show]

At 404d9f0 (300 sites): 97 and 298 of 300 right (a line was asked: the rest of a macro came a
line at a time); then 275 and 300 (the rest: macros longer than a block's tokens, a backslash
after a tab where the file has a space, a body of mixed tabs and spaces re-led in spaces);
with the rest of a body cut at its tokens asked for (3 more times at most), 283 and 300 (the
rest: OpenSSL's and Tk's macros longer than four blocks' tokens, a tab for a space).
"""

from __future__ import annotations

import asyncio
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.bench.accepts import run_bench, shuffled_texts  # noqa: E402

_DEFINE = re.compile(r"^[ \t]*#[ \t]*define\b[^\n]*\\\n(?:[^\n]*\\\n)*[^\n]*", re.M)
#: What the model writes after the macro's end, of the file's text.
_AFTER = 300


def sites(count: int, seed: int) -> list[tuple[Path, str, int, int, int]]:
    """(file, its text, where a body line's text starts (after its indentation), where that
    line ends, where the macro ends)."""
    rng = random.Random(seed)
    found = []
    for path, text in shuffled_texts(list(Path("/usr/include").rglob("*.h")), rng, 300_000):
        if "\r" in text:
            continue
        macros = [m for m in _DEFINE.finditer(text) if m.group().count("\n") >= 2]
        if not macros:
            continue
        macro = rng.choice(macros)
        starts = [m.end() for m in re.finditer(r"\n", macro.group())]
        line = macro.start() + rng.choice(starts)
        indent = len(text[line:]) - len(text[line:].lstrip(" \t"))
        end = text.find("\n", line)
        found.append((path, text, line + indent, end if 0 <= end < macro.end() else macro.end(), macro.end()))
        if len(found) >= count:
            break
    return found


#: The document with the cursor at ‸ and the model's answer, from a site.
STATES = {
    "rest cut": lambda s: (s[1][: s[2]] + "‸" + s[1][s[4] :], s[1][s[2] : s[4] + _AFTER]),
    "line cut": lambda s: (s[1][: s[2]] + "‸" + s[1][s[3] :], s[1][s[2] : s[3] + _AFTER]),
}


if __name__ == "__main__":
    asyncio.run(run_bench(300, sites, STATES, "c", "h"))
