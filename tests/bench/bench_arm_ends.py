"""Where post-processing puts a shell `case` arm's `;;` line, by the style of the file (not part of
the test run).

In the system's shell scripts (/usr/bin, /usr/sbin, /etc, /usr/share/bash-completion), each arm
whose pattern stands alone on its line and whose `;;` stands alone on its own is taken: the
cursor at the pattern's end, the model answering the arm's commands and its `;;` line, once as
the file has it (``kept``) and once with the `;;` in the other style (under the pattern where
the file has it under the commands, and the other way: ``other``). Counted: `;;` lines put at
the file's column, by the style of the file's arms (all under their patterns, all under their
commands, mixed) and whether the arm is its case's first (no arm above to go by).

    PYTHONPATH=server python tests/bench/bench_arm_ends.py [--most 4000] [--show mixed/first/kept]

At 404d9f0 (--most 1500: 2,784 answers): 2,324 at the file's column; the case's first arm with
the `;;` in the other style 45, 6 and 1 of 154, 173 and 9 (mixed, under the commands, under
the pattern), as written 82, 162 and 9. With a first arm's `;;` put where every arm above in
the file puts theirs (2 at least): 2,425; other style 74, 80 and 5, as written 75, 162 and 9
(mixed files whose arms above agree but this case's do not: 7 worse). With a first arm's `;;`
put where the case's arms below it put theirs (they agreeing), before the file's arms above:
2,618; other style 125, 159 and 9, as written 125, 170 and 9, none worse.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from deepseek_lsp.completion.indentation import detect_indentation  # noqa: E402
from deepseek_lsp.completion.postprocess import PostContext, postprocess  # noqa: E402
from deepseek_lsp.documents import Document  # noqa: E402
from tests.bench.bench_indentation import _shell_scripts  # noqa: E402

_PATTERN = re.compile(r"^([ \t]*)\(?[^\s()#][^()]*\)[ \t]*$")
_END = re.compile(r"^([ \t]*);;[ \t]*$")
_CASE = re.compile(r"^[ \t]*case\b.*\bin[ \t]*$")


def _arms(lines: list[str]) -> list[tuple[int, int, int, bool]]:
    """(pattern line, `;;` line, the `;;`'s columns right of the pattern, first arm of its case)."""
    out = []
    first = False
    for i, line in enumerate(lines):
        if _CASE.match(line):
            first = True
            continue
        m = _PATTERN.match(line)
        if not m or "\t" in m.group(1):
            continue
        for j in range(i + 1, min(i + 12, len(lines))):
            if _PATTERN.match(lines[j]) or lines[j].strip() in ("esac", ""):
                break
            e = _END.match(lines[j])
            if e:
                if j > i + 1 and "\t" not in e.group(1):
                    out.append((i, j, len(e.group(1)) - len(m.group(1)), first))
                first = False
                break
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--most", type=int, default=4000, help="arms at the most")
    parser.add_argument("--show", default="", help="print the misplaced of a class: 'mixed/first/kept'")
    args = parser.parse_args()
    right: Counter[tuple[str, str, str]] = Counter()
    total: Counter[tuple[str, str, str]] = Counter()
    seen = 0
    roots = list(_shell_scripts())
    roots += sorted(p for p in Path("/usr/share/bash-completion").rglob("*") if p.is_file())
    for path in roots:
        try:
            text = path.read_text()
        except (OSError, UnicodeDecodeError):
            continue
        lines = text.split("\n")
        arms = _arms(lines)
        offsets = {off for _, _, off, _ in arms}
        doc = Document("file:///a.sh", text, language_id="shellscript")
        style = "mixed" if len(offsets) > 1 else ("under pattern" if offsets == {0} else "under commands")
        for i, j, off, first in arms:
            indent = len(lines[j]) - len(lines[j].lstrip())
            other = indent - off if off else indent + (len(lines[i + 1]) - len(lines[i + 1].lstrip()) - indent or 4)
            for how in ("kept", "other"):
                col = indent if how == "kept" else other
                if how == "other" and col == indent:
                    continue
                answer = "\n" + "\n".join(lines[i + 1 : j]) + "\n" + " " * col + ";;"
                unit, tab = detect_indentation(doc, i)
                ctx = PostContext(
                    prefix="\n".join(lines[: i + 1]),
                    suffix="\n" + "\n".join(lines[j + 1 : j + 80]),
                    language="shellscript",
                    indent_unit=unit or "    ",
                    indent_known=bool(unit),
                    tab_width=tab,
                )
                got = postprocess(answer, ctx) or ""
                last = got.split("\n")[-1]
                key = (style, "first" if first else "later", how)
                total[key] += 1
                ok = last.strip() == ";;" and len(last) - 2 == indent
                right[key] += ok
                if not ok and "/".join(key) == args.show:
                    print(f"== {path}:{i + 1}\n{lines[i]}{answer}\n-> {got!r}")
            seen += 1
        if seen >= args.most:
            break
    for key in sorted(total):
        print(f"{key[0]:15s} {key[1]:6s} {key[2]:6s} {right[key]:5d} of {total[key]:5d} at the file's column")
    print(f"all: {sum(right.values())} of {sum(total.values())}")


if __name__ == "__main__":
    main()
