"""How often a real comment of several lines, typed again from its first line's middle, is
suggested as the file has it (not part of the test run).

The first comment of each file (reproducibly drawn) with two lines of text at least: a block
comment's starred lines (Doxygen `/**` in /usr/include's headers, JSDoc in the VS Code
extension's node_modules) and comment lines of their own (`#` in the system Python's library,
`//` in libstdc++'s headers). The cursor stands after the first line's third word, the rest
of the comment cut out (a block comment's closer line stays below); the fake DeepSeek answers
the true text down to the comment's last line of text, and the first suggestion is accepted:
counted right when the file is then as it was.

    PYTHONPATH=server python tests/bench/bench_comment_lines.py [--sites 100] [--seed 7] [--show]

At 96c448c7 (100 sites each, a line asked: the comment's first line only): C `/**` 1, JS
`/**` 0, Python `#` 2, C++ `//` 2 of 100; with a block asked for the comment: 82, 99, 100 and
100 (the rest: 15 comments longer than a block's tokens, cut at their last whole line, and 4
lines whose trailing blanks the file has and the suggestion does not). With a comment's rest
asked past a block's tokens as a docstring's is (block_rest.py): 90, 100, 100 and 100 (the C
misses: 7 lines' trailing blanks, 3 comments longer than the four asks' 1,024 tokens). With a
line's trailing blanks kept where the file's window has lines ending in blanks (postprocess/
trim.py, as Copilot shows them): C 89 -> 94 at 41d324e3 (the rest: 3 comments longer than
1,024 tokens, one blank-ended line in a window with no other, one at the suggestion's end,
which Copilot trims too). With a comment's rests asked with twice the tokens each time (block_rest.
rest_tokens: up to 3,840 tokens in four requests), C 92 -> 94 (datefmt.h's 1,062-token and
msgfmt.h's 3,121-token comments whole; hashtable.h's 1,274-token one whole but for a trailing blank).
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

#: A `/**` comment (its opener alone on its line) with starred lines of text, then its closer alone.
_STARRED = re.compile(r"^([ \t]*)/\*\*[ \t]*\n((?:\1 \*[^\n]*\n){2,})\1 \*/", re.M)
#: Comment lines of their own at one column, after a line of code (not a file's header).
_LINES = {
    "#": re.compile(r"^[ \t]*[^#\s][^\n]*\n(([ \t]*)# \S[^\n]*\n(?:\2#[^\n]*\n)+)", re.M),
    "//": re.compile(r"^[ \t]*[^/\s][^\n]*\n(([ \t]*)// \S[^\n]*\n(?:\2//[^\n]*\n)+)", re.M),
}
#: The first line's words the cursor stands after.
_WORDS = 3


def _cases(files: list[Path], pattern: re.Pattern[str], count: int, seed: int) -> Iterator[tuple[Path, str, str, str]]:
    """(file, its text, the document with ‸ after the first text line's third word and the
    comment's rest cut out, the answer: that rest down to its last line of text)."""
    found = 0
    for path, text in shuffled_texts(files, random.Random(seed), 300_000):
        if "\r" in text:
            continue
        for match in pattern.finditer(text):
            body = match.group(2) if pattern is _STARRED else match.group(1)
            start = match.start(2) if pattern is _STARRED else match.start(1)
            first = body.split("\n", 1)[0]
            words = list(re.finditer(r"\S+", first))
            # Text on the first line past the words typed, and on a later line.
            if len(words) <= _WORDS + 1 or not any(len(line.strip()) > 3 for line in body.split("\n")[1:]):
                continue
            cursor = start + words[_WORDS].end()
            end = start + len(body) - 1  # the last line of text's end
            yield path, text, text[:cursor] + "‸" + text[end:], text[cursor:end]
            found += 1
            break
        if found >= count:
            return


def main() -> None:
    parser = bench_arguments(100)
    args = parser.parse_args()
    node_modules = ROOT / "editors" / "vscode" / "node_modules"
    if not node_modules.is_dir():
        node_modules = Path("/work/main/editors/vscode/node_modules")
    python = Path(sys.base_prefix) / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}"
    runs = [
        ("C /** lines", list(Path("/usr/include").rglob("*.h")), _STARRED, "c", "h"),
        ("JS /** lines", list(node_modules.rglob("*.js")), _STARRED, "javascript", "js"),
        ("Python # lines", [p for p in python.rglob("*.py") if "site-packages" not in p.parts], _LINES["#"], "python", "py"),
        ("C++ // lines", [p for p in Path("/usr/include/c++").rglob("*") if p.is_file()], _LINES["//"], "cpp", "h"),
    ]
    for name, files, pattern, language, ext in runs:
        cases = list(_cases(files, pattern, args.sites, args.seed))
        asyncio.run(count_accepts(name, cases, language, ext, show=args.show))


if __name__ == "__main__":
    main()
