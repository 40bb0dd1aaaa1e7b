"""How many lines of real code redaction changes: a false positive replaces code the model needs.

Every text file of the given trees (by default this venv's installed packages and the VS Code
extension's node_modules, wheels and npm packages holding no secrets of anyone's, but the test
keys of their own tests) is redacted whole, as a file's window is, and the lines that changed
are counted, by extension. ``--out FILE`` writes each changed line (path, line, before, after)
as JSON lines, to read them.

    PYTHONPATH=server python tests/bench/bench_redaction_false_positives.py [--out changed.jsonl] [ROOT ...]
"""

from __future__ import annotations

import argparse
import json
import sys
import sysconfig
import time
from collections import Counter
from pathlib import Path

from deepseek_lsp.privacy import redact

_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_ROOTS = (Path(sysconfig.get_paths()["purelib"]), _ROOT / "editors" / "vscode" / "node_modules")
SUFFIXES = frozenset(
    (".py", ".pyi", ".js", ".mjs", ".cjs", ".ts", ".json", ".yml", ".yaml", ".toml", ".cfg", ".ini", ".md", ".sh", ".xml")
)
#: Larger files are minified bundles or data: a window never holds them whole.
MAX_BYTES = 200_000


def files(roots: list[Path]) -> list[Path]:
    found = [
        path
        for root in roots
        for path in root.rglob("*")
        if path.suffix in SUFFIXES and path.is_file() and not path.is_symlink() and path.stat().st_size <= MAX_BYTES
    ]
    return sorted(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("roots", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, help="write each changed line here (JSON lines)")
    args = parser.parse_args()
    roots = args.roots or [root for root in DEFAULT_ROOTS if root.is_dir()]
    lines = Counter[str]()
    changed = Counter[str]()
    out = args.out.open("w", encoding="utf-8") if args.out else None
    started = time.process_time()
    paths = files(roots)
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        redacted = redact(text, keep_lines=True)
        before, after = text.splitlines(), redacted.splitlines()
        lines[path.suffix] += len(before)
        if redacted == text:
            continue
        for number, (was, now) in enumerate(zip(before, after, strict=False), 1):
            if was != now:
                changed[path.suffix] += 1
                if out:
                    out.write(json.dumps({"path": str(path), "line": number, "before": was, "after": now}) + "\n")
    if out:
        out.close()
    print(f"roots: {', '.join(map(str, roots))}")
    print(f"files: {len(paths)}, lines: {sum(lines.values()):,}, CPU {time.process_time() - started:.1f} s")
    print(f"lines changed: {sum(changed.values()):,}")
    for suffix, count in changed.most_common():
        print(f"  {suffix:6} {count:6,} of {lines[suffix]:,}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
