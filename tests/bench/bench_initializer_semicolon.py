"""How the initializer's `;` after an accept (closer_semicolon.py) does on real files, and what
its check costs (not part of the test run).

``cases``: over real JavaScript and TypeScript files (``tests/bench/node_modules`` and
``editors/vscode/node_modules``, neither minified nor declarations), every `}` or `};` alone on
its line below a line of code is an accept just done: the `;` taken out, the line above is the
accepted insert and the `}` the editor's. The check's answer is compared with what the file has:
a `;` written where the file has one (``kept``), where it has none (``wrong``), and none where
it has one (``missed``).

``cases`` also reads C, C++, Java, C#, PHP, Rust, Python, Go, Ruby and shell files in the
folders given (``--modules /usr/include``); ``--error-below`` puts an unclosed call (``g(``) at
each file's end, as in a file being written.

``cost``: a file of ~1.65 MB of JavaScript (real files joined) with an initializer accepted at
its top and an error at its end (an unclosed call), in a file with `;` and one without; and the
C# case of the same size; each check timed ``--repeat`` times, the median printed.

    PYTHONPATH=server python tests/bench/bench_initializer_semicolon.py cases --files 400
    PYTHONPATH=server python tests/bench/bench_initializer_semicolon.py cost

For another commit's figures: ``git archive COMMIT server grammars | tar -x -C DIR`` and
``PYTHONPATH=DIR/server``.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import time
from collections import Counter
from pathlib import Path

from lsprotocol import types

from deepseek_lsp.completion.closer_semicolon import closer_below, semicolon_offset
from deepseek_lsp.documents import DocumentStore
from deepseek_lsp.languages import LanguageRegistry

ROOT = Path(__file__).resolve().parents[2]
MODULES = [ROOT / "tests" / "bench" / "node_modules", ROOT / "editors" / "vscode" / "node_modules"]
LANGUAGES = {".js": "javascript", ".cjs": "javascript", ".mjs": "javascript", ".ts": "typescript"}
#: Other languages' files, found in the folders given (``--modules /usr/include``).
OTHERS = {
    ".c": "c", ".h": "c", ".cpp": "cpp", ".cc": "cpp", ".java": "java", ".cs": "csharp", ".php": "php", ".rs": "rust",
    # Statements a line ends: no `;` is ever wanted after a `}` (with ``--error-below`` above all).
    ".py": "python", ".go": "go", ".rb": "ruby", ".sh": "bash",
}
_CLOSER = re.compile(rb"^([ \t]*)\};?[ \t]*$", re.M)

REGISTRY = LanguageRegistry.load()


def real_files(folders: list[Path], limit: int, seed: int, max_bytes: int = 200_000) -> list[Path]:
    found = []
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in folder.rglob("*"):
            name = path.name
            if path.suffix in {**LANGUAGES, **OTHERS} and not name.endswith((".min.js", ".d.ts")) and path.is_file():
                if 0 < path.stat().st_size <= max_bytes:
                    found.append(path)
    found.sort()
    random.Random(seed).shuffle(found)
    return found[:limit]


def cases(args: argparse.Namespace) -> None:
    counts: Counter[tuple[str, str]] = Counter()
    files = real_files(args.modules, args.files, args.seed)
    for path in files:
        data = path.read_bytes()
        language = {**LANGUAGES, **OTHERS}[path.suffix]
        for match in list(_CLOSER.finditer(data))[: args.per_file]:
            line_start = match.start()
            above_end = line_start - 1
            above_start = data.rfind(b"\n", 0, above_end) + 1
            above = data[above_start:above_end]
            insert = above.lstrip(b" \t")
            if above_end < 1 or not insert.strip() or insert.rstrip().endswith((b"{", b"\r")):
                continue
            brace = data.index(b"}", line_start)
            has = data[brace + 1 : brace + 2] == b";"
            text = data[: brace + 1] + data[brace + 1 + has :] + (b"\ng(\n" if args.error_below else b"")
            try:
                decoded = text.decode("utf-8")
                accepted = insert.decode("utf-8")
            except UnicodeDecodeError:
                continue
            doc = DocumentStore(REGISTRY).open(f"file:///{path.name}", decoded, language, 2)
            closer = closer_below(text, above_end, accepted)
            wrote = closer is not None and semicolon_offset(doc, above_end, closer) is not None
            outcome = ("kept" if wrote else "missed") if has else ("wrong" if wrote else "none")
            counts[(language, outcome)] += 1
            if args.show and outcome in ("missed", "wrong"):
                print(outcome, path, data[:brace].count(b"\n") + 1)
    print(f"{len(files)} files")
    for language in sorted({k[0] for k in counts}):
        row = {o: counts[(language, o)] for o in ("kept", "missed", "wrong", "none")}
        had, without = row["kept"] + row["missed"], row["wrong"] + row["none"]
        print(
            f"{language:11} `}};` lines {had:5}: ; written {row['kept']:5} ({row['kept'] / max(had, 1):.1%})"
            f" | `}}` lines {without:5}: ; written {row['wrong']:4} ({row['wrong'] / max(without, 1):.1%})"
        )


def _timed(doc_text: str, language: str, before: str, insert: str, repeat: int) -> tuple[float, bool]:
    doc = DocumentStore(REGISTRY).open(f"file:///big.{language}", doc_text, language, 2)
    data = doc.data
    end = len((before + insert).encode())
    closer = closer_below(data, end, insert)
    assert closer is not None
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = semicolon_offset(doc, end, closer)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000, result is not None


def cost(args: argparse.Namespace) -> None:
    body = b""
    for path in real_files(args.modules, 10_000, args.seed):
        if path.suffix == ".js":
            body += path.read_bytes() + b"\n"
        if len(body) > 1_650_000:
            break
    with_semis = body.decode("utf-8", "replace")
    # The same code with its statements left to ASI (a `;` ending a line taken out).
    without = re.sub(r";[ \t]*$", "", with_semis, flags=re.M)
    for name, semis in (("with ;", True), ("without ;", False)):
        end = ";" if semis else ""
        filler = with_semis if semis else without
        before = f"const a = 1{end}\nuse(a){end}\nconst o = {{\n  "
        text = before + "a: 1," + f"\n}}\nuse(o){end}\n" + filler + "\nfoo(\n"
        ms, wrote = _timed(text, "javascript", before, "a: 1,", args.repeat)
        print(f"javascript {name:10} {len(text.encode()) / 1e6:.2f} MB, error at the end: {ms:7.2f} ms (; {wrote})")
    member = "    void M{}()\n    {{\n        var x = Foo({});\n        Bar(x, new P {{ X = 1 }});\n    }}\n"
    members = [member.format(i, i) for i in range(1_650_000 // len(member))]
    for where, share in (("top", 0.0), ("middle", 0.5), ("end", 1.0)):
        # A C# class of ~10,000 methods, the initializer in one of them, an error in the last.
        k = int(len(members) * share)
        before = "class A\n{\n" + "".join(members[:k]) + "    void F()\n    {\n        var p = new Point\n        {\n            "
        after = "\n        }\n        Show(p);\n    }\n" + "".join(members[k:]) + "    void G()\n    {\n        Go(\n    }\n}\n"
        text = before + "X = 1," + after
        ms, wrote = _timed(text, "csharp", before, "X = 1,", args.repeat)
        key = _key_reparse(text, len(before), args.repeat)
        print(
            f"csharp     at the {where:6} {len(text.encode()) / 1e6:.2f} MB, error at the end: {ms:7.2f} ms (; {wrote});"
            f" a key typed there, the document's own reparse: {key:7.2f} ms"
        )


def _key_reparse(text: str, at: int, repeat: int) -> float:
    """What the server's incremental parse of one key typed at ``at`` costs, to weigh the
    check's reparse (the same kind of parse) against."""
    store = DocumentStore(REGISTRY)
    times = []
    for n in range(repeat):
        doc = store.open(f"file:///key{n}.cs", text, "csharp", 2)
        assert doc.tree is not None
        position = doc.position_at(at)
        change = types.TextDocumentContentChangePartial(range=types.Range(start=position, end=position), text="x")
        started = time.perf_counter()
        store.change(doc.uri, 3, [change])
        assert doc.tree is not None
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="what", required=True)
    c = sub.add_parser("cases")
    c.add_argument("--files", type=int, default=400)
    c.add_argument("--per-file", type=int, default=20)
    c.add_argument("--seed", type=int, default=42)
    c.add_argument("--show", action="store_true", help="where the ; is missed or wrong")
    c.add_argument("--error-below", action="store_true", help="an unclosed call g( at each file's end")
    k = sub.add_parser("cost")
    k.add_argument("--repeat", type=int, default=5)
    k.add_argument("--seed", type=int, default=42)
    for p in (c, k):
        p.add_argument("--modules", type=Path, nargs="+", default=MODULES, help="folders of real files")
    args = parser.parse_args()
    cases(args) if args.what == "cases" else cost(args)


if __name__ == "__main__":
    main()
