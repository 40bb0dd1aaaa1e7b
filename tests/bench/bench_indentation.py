"""How often the indentation filter puts a real file's next lines back at their own columns
(not part of the test run).

Over real files found on disk (the installed Python standard library, the JavaScript and
TypeScript under ``tests/bench/node_modules``, shell scripts under /usr/bin and /etc, C files
and headers, the JDK's ``src.zip``, Go files), positions are taken inside blocks, reproducibly
from a seed: after a line (the cursor at its end, ``after``) or on the next line after its
retyped indentation (``typed``). The true next lines are handed to ``normalize_indentation``
re-indented wrongly, as models do: from column 0 (``col0``), a level too deep (``deep``) or too
shallow (``shallow``), tabs for the file's spaces or spaces for its tabs (``tabs``), levels of
two columns for four or four for two (``two``). A check is one non-blank line: right when the
filter puts it back exactly as the file has it. The same lines are also handed in as the file has
them (``kept``): a filter that moves an answer already right shows there, not in the figures of
the wrong ones (a language's total counts those five only).

    python tests/bench/bench_indentation.py --out before.json
    python tests/bench/bench_indentation.py --same-files-as before.json --out after.json
    python tests/bench/bench_indentation.py --compare before.json after.json
    python tests/bench/bench_indentation.py --same-files-as before.json --show NAME:LINE:KIND:HOW

Run it with ``PYTHONPATH`` pointing at the tree to measure: for another commit's figures,
``git archive COMMIT server grammars | tar -x -C DIR`` and ``PYTHONPATH=DIR/server`` (without
``grammars`` the languages' block openers are unknown and it refuses to run). At 52e80b7 and
~100 files a language it takes ~5 minutes on two busy cores. The brackets open at the cursor
are read from where the server starts its scan (the syntax tree of the document without the
lines to come); each position is parsed once for it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import sysconfig
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path

from deepseek_lsp.completion.indentation import DEFAULT_INDENT, detect_indentation
from deepseek_lsp.completion.postprocess import PostContext
from deepseek_lsp.completion.postprocess.indentation import normalize_indentation
from deepseek_lsp.context.scopes import bracket_scan_start, past_string_or_comment
from deepseek_lsp.documents import Document
from deepseek_lsp.languages import Language, LanguageRegistry

#: ``npm ci --prefix tests/bench`` installs them; BENCH_NODE_MODULES names another copy.
NODE_MODULES = Path(os.environ.get("BENCH_NODE_MODULES", Path(__file__).resolve().parent / "node_modules"))
FILES_PER_LANGUAGE = 100
POSITIONS_PER_FILE = 12
MAX_SPAN = 6
PREFIX_LINES = 200
SUFFIX_LINES = 100
MAX_FILE_BYTES = 400_000
DISTORTIONS = ("col0", "deep", "shallow", "tabs", "two")
#: The true lines as the file has them: right when the filter leaves them so.
KEPT = "kept"
CHECKS = (*DISTORTIONS, KEPT)
FILES = "files"  # the key of the output's file names, by language


def _shell_scripts() -> Iterator[Path]:
    for folder in (Path("/usr/bin"), Path("/usr/sbin"), Path("/etc")):
        for path in sorted(folder.rglob("*")):
            try:
                if not path.is_file() or path.stat().st_size > MAX_FILE_BYTES:
                    continue
                with path.open("rb") as fh:
                    head = fh.readline(80)
            except OSError:
                continue
            if path.suffix == ".sh" or (head.startswith(b"#!") and head.rstrip().split(b"/")[-1].split()[-1] in (b"sh", b"bash", b"dash")):
                yield path


def _files(pattern: str, *roots: Path) -> Iterator[Path]:
    for root in roots:
        if root.is_dir():
            yield from sorted(p for p in root.rglob(pattern) if p.is_file() and not p.name.endswith(".d.ts"))


def _sources(same_as: dict[str, list[str]] | None = None) -> dict[str, list[tuple[str, str]]]:
    """Per language, (name, text) of the files to check, a reproducible sample of them; or
    the files ``same_as`` names (packages installed meanwhile change the sample)."""
    if same_as:
        return {language: list(_read(names)) for language, names in same_as.items()}
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    found: dict[str, list[Path]] = {
        "python": [p for p in _files("*.py", stdlib) if "site-packages" not in p.parts and "test" not in p.parts],
        "javascript": list(_files("*.js", NODE_MODULES)),
        "typescript": list(_files("*.ts", NODE_MODULES)),
        "bash": list(_shell_scripts()),
        "c": list(_files("*.c", Path("/usr"), Path("/opt"))) + list(_files("*.h", Path("/usr/include"))),
        "go": list(_files("*.go", Path("/usr"), Path("/opt"), Path("/root"))),
    }
    out: dict[str, list[tuple[str, str]]] = {}
    for language, paths in found.items():
        paths = [p for p in paths if p.stat().st_size <= MAX_FILE_BYTES]
        rng = random.Random(language)
        chosen = sorted(rng.sample(paths, min(FILES_PER_LANGUAGE, len(paths))))
        out[language] = [(str(p), p.read_text("utf-8", "replace")) for p in chosen]
    jdk = sorted(p for p in Path("/usr/lib/jvm").glob("*/lib/src.zip") if p.is_file())
    if jdk:
        with zipfile.ZipFile(jdk[0]) as zf:
            names = sorted(n for n in zf.namelist() if n.startswith("java.base/java/") and n.endswith(".java"))
            chosen = sorted(random.Random("java").sample(names, min(FILES_PER_LANGUAGE, len(names))))
            out["java"] = [(n, zf.read(n).decode("utf-8", "replace")) for n in chosen]
    return out


def _read(names: list[str]) -> Iterator[tuple[str, str]]:
    zips: dict[Path, zipfile.ZipFile] = {}
    for name in names:
        if name.startswith("/"):
            yield name, Path(name).read_text("utf-8", "replace")
            continue
        jdk = sorted(p for p in Path("/usr/lib/jvm").glob("*/lib/src.zip") if p.is_file())[0]
        zf = zips.setdefault(jdk, zipfile.ZipFile(jdk))
        yield name, zf.read(name).decode("utf-8", "replace")


def _ws(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def _columns(ws: str, tab: int) -> int:
    return len(ws.expandtabs(tab))


def _distorted(span: list[str], how: str, unit: str, mixed: int) -> list[str] | None:
    """The span's lines re-indented wrongly ``how`` (as they are for ``KEPT``); None where that
    is no change. ``mixed`` is the columns of a tab where the file mixes tabs and spaces (else 0)."""
    code = [line for line in span if line.strip()]
    if not code:
        return None
    if how == KEPT:
        return span
    tab = mixed or 8
    unit_cols = _columns(unit, tab)

    def render(cols: int) -> str:  # in the file's own characters
        per_tab = 8 if unit == "\t" else mixed
        return "\t" * (cols // per_tab) + " " * (cols % per_tab) if per_tab else " " * cols

    def moved(cols_of: Callable[[int], int], as_: Callable[[int], str] = render) -> list[str]:
        return [as_(cols_of(_columns(_ws(line), tab))) + line.lstrip(" \t") if line.strip() else line for line in span]

    least = min(_columns(_ws(line), tab) for line in code)
    if how == "col0":
        out = moved(lambda cols: cols - least)
    elif how == "deep":
        out = moved(lambda cols: cols + unit_cols)
    elif how == "shallow":
        if least < unit_cols:
            return None
        out = moved(lambda cols: cols - unit_cols)
    elif how == "tabs":
        if unit == "\t" or mixed:
            out = moved(lambda cols: cols, lambda cols: " " * cols)
        else:
            out = moved(lambda cols: cols, lambda cols: "\t" * (cols // unit_cols) + " " * (cols % unit_cols))
    else:  # "two"
        own = 2 if unit_cols != 2 else 4
        out = moved(lambda cols: cols // unit_cols * own + cols % unit_cols, lambda cols: " " * cols)
    return None if out == span else out


def _positions(lines: list[str], rng: random.Random) -> list[tuple[int, str, int]]:
    """(line, kind, span length): after a line whose next code line is as deep or deeper."""
    out = []
    for i, line in enumerate(lines[:-1]):
        nxt = lines[i + 1]
        if not line.strip() or not nxt.strip() or len(line) > 200:
            continue
        depth, below = len(_ws(line).expandtabs(8)), len(_ws(nxt).expandtabs(8))
        if below < depth or (below == 0 and depth == 0):
            continue
        out.append(i)
    chosen = sorted(rng.sample(out, min(POSITIONS_PER_FILE, len(out))))
    return [(i, rng.choice(("after", "typed")), rng.randint(1, MAX_SPAN)) for i in chosen]


def check_file(
    name: str, text: str, language: str, registry: LanguageRegistry, show: set[str] | frozenset[str] = frozenset()
) -> dict[str, str]:
    """Per check group (``name:line:kind:how``), one character a non-blank line: 1 right, 0 not;
    the groups named in ``show`` printed (answer, result, the file's lines)."""
    uri = "file://" + (name if name.startswith("/") else "/" + name)
    lang = registry.get(language)
    doc = Document(uri, text, language_id=language, language=lang)
    lines = text.split("\n")
    rng = random.Random(name)
    results: dict[str, str] = {}
    for i, kind, size in _positions(lines, rng):
        unit, tab = detect_indentation(doc, i)
        conventional = DEFAULT_INDENT.get(language)
        indent_unit = unit or conventional or "    "
        first = i + 1
        if kind == "typed":
            typed, first = lines[i + 1], i + 2
        span = lines[first : first + size]
        if not any(line.strip() for line in span):
            continue
        prefix_lines = lines[max(0, i - PREFIX_LINES) : i + 1]
        prefix = "\n".join(prefix_lines)
        head = ""
        if kind == "typed":
            ws = _ws(typed)
            prefix += "\n" + ws
            head = typed[len(ws) :]
        suffix = "\n".join(["", *lines[first + size : first + size + SUFFIX_LINES]])
        scan_from, open_before = _scan(uri, lang, lines, i, prefix, first + size)
        ctx = PostContext(
            prefix=prefix,
            suffix=suffix,
            indent_unit=indent_unit,
            indent_known=bool(unit or conventional),
            tab_width=tab,
            language=language,
            block_opener=lang.spec.block_opener if lang else None,
            bracket_scan_from=scan_from,
            open_before_scan=open_before,
        )
        for how in CHECKS:
            wrong = _distorted(span, how, indent_unit, tab)
            if wrong is None:
                continue
            completion = head + "\n" + "\n".join(wrong)
            try:
                got = normalize_indentation(completion, ctx)
            except Exception as exc:  # a crash is a wrong answer, and worth telling
                print(f"{name}:{i + 1}: {how}: {exc!r}", file=sys.stderr)
                got = None
            got_lines = (got or "").split("\n")[1:]
            marks = "".join(
                "1" if j < len(got_lines) and got_lines[j] == line else "0"
                for j, line in enumerate(span)
                if line.strip()
            )
            key = f"{name}:{i + 1}:{kind}:{how}"
            results[key] = marks
            if key in show:
                print(f"{key}\n  prefix end {prefix[-120:]!r}\n  answer {completion!r}\n  result {got!r}\n  truth  {chr(10).join(['', *span])!r}")
    return results


def _scan(
    uri: str, lang: Language | None, lines: list[str], i: int, prefix: str, rest: int
) -> tuple[int, tuple[str, ...]]:
    """Where in ``prefix`` (the file's text from ``PREFIX_LINES`` above line ``i`` to the
    cursor) the scan for open brackets starts, and the brackets open there, as the server
    reads them off the syntax tree of the document as it stands (the lines after the cursor
    from ``rest`` on; ``_context_between``): scanned from the window's start, a window
    starting in a docstring read its text as code and the code after it as a string."""
    if lang is None:
        return 0, ()
    window = max(0, i - PREFIX_LINES)
    before = "\n".join(lines[: i + 1]) + prefix[len("\n".join(lines[window : i + 1])) :]
    doc = Document(uri, before + "\n".join(["", *lines[rest:]]), language_id=lang.name, language=lang)
    tree = doc.tree
    if tree is None:
        return 0, ()
    start, offset = len("\n".join(lines[:window]).encode()) + (1 if window else 0), len(before.encode())
    scan = bracket_scan_start(tree, doc.data, offset, start)
    if scan is None:
        scan = past_string_or_comment(tree, start, offset), []
    scan_from, open_before = scan
    return len(doc.data[start:scan_from].decode("utf-8", "replace")), tuple(open_before)


def run(
    out: Path, languages: list[str] | None = None, show: list[str] | None = None, same_as: Path | None = None
) -> None:
    registry = LanguageRegistry.load()
    missing = [name for name in ("python", "javascript", "typescript", "bash", "c", "go", "java") if not registry.get(name)]
    if missing:
        # Without a language its block openers are unknown and the figures mean another thing.
        sys.exit(f"no grammar for {', '.join(missing)}: copy grammars/ next to the server/ measured")
    if show:
        # Only the files of the groups shown, nothing written.
        wanted = {key.split(":")[0] for key in show}
        for language, files in _sources(_files_of(same_as)).items():
            for name, text in files:
                if name in wanted:
                    check_file(name, text, language, registry, set(show))
        return
    results: dict[str, dict[str, str]] = {}
    chosen: dict[str, list[str]] = {}
    for language, files in _sources(_files_of(same_as)).items():
        if languages and language not in languages:
            continue
        chosen[language] = [name for name, _ in files]
        found: dict[str, str] = {}
        for name, text in files:
            found.update(check_file(name, text, language, registry))
        results[language] = found
        print(language, _summary(_wrong_ones(found)), file=sys.stderr, flush=True)
    out.write_text(json.dumps({**results, FILES: chosen}, indent=0, sort_keys=True))
    _print_totals(results)


def _files_of(previous: Path | None) -> dict[str, list[str]] | None:
    return json.loads(previous.read_text())[FILES] if previous else None


def _kept(found: dict[str, str]) -> dict[str, str]:
    return {key: marks for key, marks in found.items() if key.endswith(":" + KEPT)}


def _wrong_ones(found: dict[str, str]) -> dict[str, str]:
    """The checks of answers handed in wrongly indented (a language's figure), not ``KEPT``'s."""
    return {key: marks for key, marks in found.items() if not key.endswith(":" + KEPT)}


def _summary(found: dict[str, str]) -> str:
    checks = sum(len(m) for m in found.values())
    right = sum(m.count("1") for m in found.values())
    return f"{right:,} / {checks:,} right ({100 * right / max(1, checks):.1f} %)"


def _print_totals(results: dict[str, dict[str, str]]) -> None:
    for language, found in results.items():
        per: dict[str, dict[str, str]] = defaultdict(dict)
        for key, marks in found.items():
            per[key.rsplit(":", 1)[1]][key] = marks
        print(
            f"{language:11} {_summary(_wrong_ones(found))}  "
            + "  ".join(f"{how} {_summary(per[how]).split(' right')[0]}" for how in DISTORTIONS)
            + f"  | already right, left so: {_summary(per[KEPT]).split(' right')[0]}"
        )


def compare(before: Path, after: Path) -> None:
    old, new = json.loads(before.read_text()), json.loads(after.read_text())
    for language in sorted((old.keys() | new.keys()) - {FILES}):
        a, b = old.get(language, {}), new.get(language, {})
        better = worse = 0
        where: Counter[str] = Counter()
        for key in a.keys() & b.keys():
            for x, y in zip(a[key], b[key], strict=False):
                if x == "0" and y == "1":
                    better += 1
                elif x == "1" and y == "0":
                    worse += 1
                    where[key] += 1
        print(
            f"{language:11} before {_summary(_wrong_ones(a))}  after {_summary(_wrong_ones(b))}  better {better:,}"
            f"  worse {worse:,} at {len(where)} groups (already right, left so: before"
            f" {_summary(_kept(a)).split(' right')[0]}, after {_summary(_kept(b)).split(' right')[0]})"
        )
        for key, n in where.most_common(12):
            print(f"    worse {n}: {key}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("bench_indentation.json"))
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    parser.add_argument("--same-files-as", type=Path, metavar="RESULTS", help="the files of an earlier run's output")
    parser.add_argument("--languages", nargs="*", help="only these (python, javascript, bash, c, java...)")
    parser.add_argument("--show", nargs="*", help="print these check groups (name:line:kind:how), nothing else")
    args = parser.parse_args()
    if args.compare:
        compare(*args.compare)
    else:
        run(args.out, args.languages, args.show, args.same_files_as)


if __name__ == "__main__":
    main()
