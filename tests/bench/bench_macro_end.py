"""How often an accepted C macro body leaves a backslash above the code below it (not part of
the test run).

The multi-line `#define`s of /usr/include's headers whose body ends with an empty continuation
line (obstack.h's style: the last line ends with a backslash, a blank line ends the macro) are
written again above the code that followed them, that blank line gone (a new macro typed above
existing code): the cursor at the body's first line, the fake DeepSeek answering the true text
(the body, its blank line, what follows). Counted wrong when the accepted suggestion leaves a
line ending with a backslash right above that code, which then joins the macro.

    PYTHONPATH=server python tests/bench/bench_macro_end.py

At 0eabd7a: 46 of 46 sites wrong; then 0.
"""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.completing import accept_first  # noqa: E402
from tests.fake_deepseek import FakeDeepSeek  # noqa: E402

_DEFINE = re.compile(r"^[ \t]*#[ \t]*define\b[^\n]*\\\n(?:[^\n]*\\\n)*[^\n]*", re.M)
#: What the model writes after the macro's end, of the file's text.
_AFTER = 300


def sites() -> list[tuple[Path, str, str, str]]:
    """(file, the document with its cursor at ‸, the answer, the code below the cursor)."""
    found = []
    for path in sorted(Path("/usr/include").rglob("*.h")):
        try:
            text = path.read_text()
        except (OSError, UnicodeDecodeError):
            continue
        for m in _DEFINE.finditer(text):
            macro, after = m.group(), text[m.end() :]
            # An empty last line (the blank one ending it) with code on the line after it.
            if macro.count("\n") < 2 or macro.rsplit("\n", 1)[1].strip() or not after.startswith("\n"):
                continue
            below = after[1:]
            if not below.split("\n", 1)[0].strip():
                continue
            first = macro.split("\n")[1]
            cursor = m.start() + len(macro.split("\n")[0]) + 1 + len(first) - len(first.lstrip(" \t"))
            found.append((path, text[:cursor] + "‸\n" + below, text[cursor : m.end()] + after[:_AFTER], below))
    return found


async def main() -> None:
    wrong = nothing = 0
    found = sites()
    for path, doc, answer, below in found:
        with FakeDeepSeek() as fake:
            got, _ = await accept_first(fake, "c", "h", doc, answer)
        if got is None:
            nothing += 1
            continue
        assert got.endswith(below)
        if got[: len(got) - len(below)].rstrip("\n").endswith("\\"):
            wrong += 1
            print(f"  {path}")
    print(f"{len(found)} macros: a backslash left above the code below in {wrong}, {nothing} shown nothing")


if __name__ == "__main__":
    asyncio.run(main())
