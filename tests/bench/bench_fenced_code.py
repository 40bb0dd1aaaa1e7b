"""Markdown's fenced code on real files (not part of the test run): at line starts inside
fenced blocks naming a language, the block's true next lines (up to 6) are given to
post-processing as a suggestion; how many come back unchanged (the truth kept), cut, or
changed otherwise, and the time taken.

    python tests/bench/bench_fenced_code.py $(find /usr/share/doc -name '*.md')

Run it with ``PYTHONPATH`` pointing at the tree to measure (``git archive COMMIT server``
for another commit's figures). Of 1,018 Markdown files on this machine holding such a block
(node_modules' READMEs and docs, /usr/share/doc), 17,584 cursors: read as prose 14,019 kept,
2,972 cut, 593 changed otherwise; read as their language's code 11,977, 4,958 and 649 (the
code's scope ends: a true continuation past the function or block is cut, as in a code file;
a trailing blank trimmed; a level re-written in the block's own unit)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from deepseek_lsp.completion.postprocess import PostContext, postprocess

_INFOS = {"python", "py", "js", "javascript", "ts", "typescript", "sh", "bash", "shell", "rust", "go", "ruby", "c", "cpp"}


def _cursors(lines: list[str]) -> list[int]:
    """The line starts inside fenced blocks whose info string names a language, 1 in 3."""
    found, fence, info = [], "", ""
    for index, line in enumerate(lines):
        bare = line.strip()
        if fence:
            if bare.startswith(fence) and not bare.strip(fence[0]):
                fence = ""
            elif info in _INFOS and bare and index % 3 == 0:
                found.append(index)
        elif bare.startswith(("```", "~~~")):
            fence, info = bare[:3], bare[3:].strip().lower()
    return found


def main() -> None:
    kept = cut = changed = 0
    seconds = 0.0
    for name in sys.argv[1:]:
        lines = Path(name).read_bytes().decode("utf-8", "replace").split("\n")
        for index in _cursors(lines):
            width = len(lines[index]) - len(lines[index].lstrip())
            truth = [lines[index][width:]]
            for line in lines[index + 1 : index + 6]:
                if line.strip().startswith(("```", "~~~")):
                    break
                truth.append(line)
            text = "\n".join(truth)
            prefix = "\n".join([*lines[max(0, index - 80) : index], lines[index][:width]])
            suffix = "\n" + "\n".join(lines[index + len(truth) : index + len(truth) + 40])
            ctx = PostContext(prefix=prefix, suffix=suffix, language="markdown", indent_unit="  ", single_line=False)
            start = time.process_time()
            got = postprocess(text, ctx)
            seconds += time.process_time() - start
            if got == text:
                kept += 1
            elif got is not None and text.startswith(got.rstrip()):
                cut += 1
            else:
                changed += 1
    total = kept + cut + changed
    print(f"{total} cursors: {kept} kept as written, {cut} cut, {changed} changed otherwise; {seconds * 1000:.0f} ms")


if __name__ == "__main__":
    main()
