"""How often the next arms, items or arguments, typed again from the empty line below the one
before them, are suggested as the file has them (not part of the test run).

Real files, one site a file, reproducibly drawn: the system Python's library, the VS Code
extension's node_modules JavaScript, C sources and headers (/usr/include, the pyenv sources) and
the newest JDK's java.base (its src.zip, unpacked to --jdk). Three kinds of site, the cursor on
the line's indentation (Enter, then the editor's auto-indent), the lines from there cut:

- ``arms``: a switch's, a match's or a `when`'s arm after the first, the one above it ended by
  no comma (a `case` and its body, Java's `case X -> y;`, a block arm's `}`); cut to the
  closer's line.
- ``items``: an item of a list, a call's arguments or a literal written one a line, after one
  ended by its `,`; cut to the closer's line.
- ``first``: the line after a call's, a definition's or a list's first line ending with `,`, its
  first item after the bracket (``foo(a,``); cut to the line closing the bracket.

The fake DeepSeek answers the true text (at most 900 characters); the first suggestion is
accepted: counted right when the file is then as it was.

    PYTHONPATH=server python tests/bench/bench_next_lines.py [--sites 150] [--seed 7] [--show]
        [--only Java] [--jdk DIR]

At 28b0592f (--sites 100; right of arms, items, first): Python -, 42, 66; JavaScript 23, 40,
22 of 30; C 1 of 14, 31, 63; Java 26, 56, 49 (one line asked below the arm or the item: a
case cut to its label, one item of several). At 266bf77e (the next arms, items and arguments
asked over lines): Python -, 99, 96; JavaScript 97, 98, 28; C 13, 96, 97; Java 95, 86, 71, no
site right before wrong after. At e782ef8c (Java's and C's initializers' items; a wrapped
header's body a level in from its first line): Java 95, 91, 86. The misses: bodies longer than
a block's tokens, a file's hanging style moving a continuation line (ImageHeader.java's
arguments 4 columns right), a template string's text read as items, repeated lines cut.

At session 57 a site is no longer one inside a string or a comment (read from the file's start
by the server's scanner): azure-identity's message in a template string, its lines read one by
one as items, was a JavaScript items site (98 -> 99 at 92a9f32e, the other figures and misses
as before). With session 57's rules: Python -, 99, 99; JavaScript 97, 99, 29 of 30; C 13, 99,
97; Java 96, 92, 97 (the cursor's own hanging level kept, a chain's lines under their dot, a
header's parameters over lines then its body, a statement's rest inside the prompt's call left
of the cursor, an arm's statement below a label half a level in). The misses: bodies and tables
longer than a block's tokens, blank lines the stop sequence ends at (`\n\n\n`), argument lines
a column off the file's alignment (choicfmt.h, MergeCollation.java: put under the parenthesis),
a closer the suffix's guessed closer took (tsc's spanningCellManager.js, headerregistry.py's
`]),`).
"""

from __future__ import annotations

import asyncio
import random
import re
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from deepseek_lsp.completion.postprocess._scanner import _BracketScanner  # noqa: E402
from deepseek_lsp.completion.postprocess._syntax import _syntax_for  # noqa: E402
from tests.bench.accepts import bench_arguments, count_accepts, shuffled_texts  # noqa: E402

_STRING = re.compile(r"""(["'`])(?:\\.|(?!\1).)*\1""")
#: A switch's `{` (its languages here have no `match` nor `when`: a `match` there is a name).
_ARMS_HEADER = re.compile(r"\bswitch\b[^{}]*\{$")
_COMMENT_START = ("#", "//", "/*", "*", "--")
_MOST = 900


def _indent(line: str) -> int:
    return len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip())


def _code(line: str) -> str:
    """The line's code for bracket counts: strings emptied, a trailing `//` or `#` comment cut."""
    code = _STRING.sub('""', line)
    for marker in (" //", " #"):
        if marker in code:
            code = code[: code.index(marker)]
    return code.rstrip()


def _is_code(line: str) -> bool:
    return bool(line.strip()) and not line.strip().startswith(_COMMENT_START)


def _balance(code: str) -> int:
    return sum(code.count(c) for c in "([{") - sum(code.count(c) for c in ")]}")


def _previous_code(lines: list[str], index: int) -> int | None:
    for at in range(index - 1, max(-1, index - 20), -1):
        if _is_code(lines[at]):
            return at
    return None


def _to_closer(lines: list[str], start: int, column: int) -> int | None:
    """The last line of code before the first line of ``lines`` from ``start`` indented less
    than ``column``, that line led by a closer; None if none."""
    end = start
    while end < len(lines) and (not lines[end].strip() or _indent(lines[end]) >= column):
        end += 1
    if end >= len(lines) or not lines[end].lstrip().startswith((")", "]", "}")):
        return None
    last = end - 1
    while not lines[last].strip():
        last -= 1
    return last


def _site_kind(lines: list[str], index: int, kind: str) -> int | None:
    """The last line of the text to retype from line ``index`` on if it is a site of ``kind``."""
    line = lines[index]
    if not _is_code(line) or line.lstrip().startswith((")", "]", "}")):
        return None
    above = _previous_code(lines, index)
    if above is None or above != index - 1:
        return None
    code = _code(lines[above])
    if kind == "first":
        if not code.endswith(",") or _balance(code) <= 0 or code[:-1].rstrip().endswith(("(", "[", "{")):
            return None
        if _indent(line) <= _indent(lines[above]):
            return None
        depth = _balance(code)
        for end in range(index, min(len(lines), index + 12)):
            depth += _balance(_code(lines[end]))
            if depth <= 0:
                return end
        return None
    if kind == "items":
        if not code.endswith(",") or _balance(code) > 0 or _indent(line) != _indent(lines[above]):
            return None
        # In a bracket opened above.
        depth = 0
        for at in range(above - 1, max(-1, above - 60), -1):
            c = _code(lines[at])
            if not _is_code(lines[at]):
                continue
            depth += _balance(c)
            if depth > 0:
                break
            if c.endswith(";") and depth == 0:
                return None
        else:
            return None
        return _to_closer(lines, index, _indent(line))
    # arms: the arms' header above, its first arm above this one, the one above ended by no `,`.
    if code.endswith(","):
        return None
    column = _indent(line)
    for at in range(above, max(-1, above - 80), -1):
        if not _is_code(lines[at]) or _indent(lines[at]) > column:
            continue
        if _indent(lines[at]) < column or at == 0:
            header = _code(lines[at])
            if header.strip() == "{" and at:
                header = _code(lines[at - 1]) + " {"
            if not _ARMS_HEADER.search(header) or at + 1 >= index:
                return None
            first = next(x for x in lines[at + 1 :] if _is_code(x) and x.strip() != "{")
            return _to_closer(lines, index, column) if _indent(first) == column else None
    return None


def _in_text(text: str, offset: int, language: str) -> bool:
    """Whether ``offset`` is inside a string or a comment of ``language`` (the server's own
    scanner, read from the file's start): a template string's lines of text, read as items
    by the line-by-line look above, were counted as sites whose next items were not shown."""
    scanner = _BracketScanner(_syntax_for(language))
    for _ in scanner.feed(text[:offset]):
        pass
    return scanner.mode not in ("", "line")


def _sites(
    files: list[Path], count: int, seed: int, kind: str, language: str
) -> Iterator[tuple[Path, str, str, str]]:
    """(file, its text, the document with ‸ at the cut, the cut text): one site a file."""
    rng = random.Random(seed)
    found = 0
    for path, text in shuffled_texts(files, random.Random(seed), 200_000):
        if "\r" in text:
            continue
        lines = text.split("\n")
        offsets = [0]
        for line in lines:
            offsets.append(offsets[-1] + len(line) + 1)
        order = list(range(1, len(lines) - 1))
        rng.shuffle(order)
        for index in order:
            last = _site_kind(lines, index, kind)
            if last is None:
                continue
            start = offsets[index] + len(lines[index]) - len(lines[index].lstrip())
            stop = offsets[last] + len(lines[last])
            if stop - start > _MOST or _in_text(text, start, language):
                continue
            yield path, text, text[:start] + "‸" + text[stop:], text[start:stop]
            found += 1
            break
        if found >= count:
            return


def _jdk(folder: Path) -> list[Path]:
    """java.base's sources of the newest JDK's src.zip, unpacked into ``folder`` once."""
    if not (folder / "java.base").is_dir():
        zips = sorted(Path("/usr/lib/jvm").glob("*/lib/src.zip"), key=lambda p: "temurin-25" not in str(p))
        if not zips:
            return []
        with zipfile.ZipFile(zips[0]) as zf:
            zf.extractall(folder, [n for n in zf.namelist() if n.startswith("java.base/") and n.endswith(".java")])
    return list((folder / "java.base").rglob("*.java"))


def main() -> None:
    parser = bench_arguments(150)
    parser.add_argument("--jdk", type=Path, default=Path("/tmp/bench_next_lines_jdk"))
    parser.add_argument("--only", help="one language: Python, JavaScript, C, Java")
    args = parser.parse_args()
    node_modules = Path("/work/main/editors/vscode/node_modules")
    python = Path(sys.base_prefix) / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}"
    c_files = [*Path("/usr/include").rglob("*.h"), *Path("/root/.pyenv").rglob("*.c")]
    runs = [
        ("Python", [p for p in python.rglob("*.py") if "site-packages" not in p.parts], "python", "py"),
        ("JavaScript", list(node_modules.rglob("*.js")), "javascript", "js"),
        ("C", c_files, "c", "c"),
        ("Java", _jdk(args.jdk), "java", "java"),
    ]
    for name, files, language, ext in runs:
        if args.only and args.only != name:
            continue
        for kind in ("arms", "items", "first"):
            cases = list(_sites(files, args.sites, args.seed, kind, language))
            asyncio.run(count_accepts(f"{name}, {kind}", cases, language, ext, show=args.show))


if __name__ == "__main__":
    main()
