"""The slowest inputs for redaction: every pattern of the privacy modules, and each entry point
the completion path calls on a prompt, fed long runs of the characters their quantifiers take
(spaces, quotes, ``=``, ``:``, letters, ``{``, ``[``, line breaks, trigger words repeated) after
the starts that make them look (``api_keys = ["a"``, ``password = ``…). A pattern whose time grows
faster than its input stalls a completion request: each stall is a key press's wait.

Patterns are first run at 1 kB over every input; each one's slowest inputs are run again at
10 kB and 100 kB (100 kB skipped where 10 kB took over 0.2 s: seconds to minutes). Prints the
worst CPU time per pattern and per entry point, slowest first, and flags those over 20 ms at 10 kB.

A pattern the code only matches at a place (``match``, ``fullmatch``) is matched at a few places,
not scanned: scanned, a ``[ \t]*…`` one looks quadratic over blanks, as it never is in use.

    PYTHONPATH=server python tests/bench/bench_redaction_worst.py [--patterns [--only NAME]] [--top N] [--quick]
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import pkgutil
import re
import time
from collections.abc import Callable

import deepseek_lsp.privacy as privacy
from deepseek_lsp.privacy import has_trigger, redact, redact_message, split_at_secret

#: What a quantifier may take, repeated to the size asked.
UNITS = (
    " ", "\t", "\n", '"', "'", "=", ":", "a", "A", "0", "{", "[", "(", "-", "/", ".", "\\", ",", "$", "<",
    "a=", "a ", "a:", ": ", "= ", '"a', '"a"', '"a":', '" "', '"a", ', '="a"', '{"x"', '"api_key": {"x"',
    "a\n", "  a\n", "a.b", "a-", "a/", "\\n", "${a}", "<a>", "[a", '("a"', '"a" + ', "a # ", "- a\n",
    "password ", "password=", "password: ", "token: ", "key ", "secret ", "api_key ", "-p ", "--password ",
    "Bearer ", "Basic ", "PRIVATE KEY", "-----BEGIN ", "default ", "variable ", "Secret\n", "user:", "pass ",
    "AKIA", "SK", "AC", "SG.", "ghp_", "eyJ", "http://a:", "@", "Key", '"Key": "', '"Jwt": {', "auth(",
)
#: The starts that make a pattern look at what follows.
PREFIXES = (
    "", "api_keys = [\"a\"", "password = ", "api_key: ", '"api_key": ', "token=", 'password "', "secret ",
    '"Jwt": {', "-p ", "Authorization: Bearer ", "export PASSWORD=", "<password>", "- name: TOKEN\n  value: ",
)
SIZES = (1_000, 10_000, 100_000)
FLAG_MS = 20.0


def _inputs(size: int) -> list[tuple[str, str, str]]:
    return [(pre, unit, pre + unit * max(1, (size - len(pre)) // len(unit))) for pre in PREFIXES for unit in UNITS]


def _patterns() -> dict[str, re.Pattern[str]]:
    """Every compiled pattern the privacy modules hold (module globals and the tables in them)."""
    found: dict[str, re.Pattern[str]] = {}
    seen: set[tuple[str, int]] = set()

    def walk(obj: object, name: str, depth: int) -> None:
        if isinstance(obj, re.Pattern):
            if isinstance(obj.pattern, str) and (obj.pattern, obj.flags) not in seen:
                seen.add((obj.pattern, obj.flags))
                found[name] = obj
        elif isinstance(obj, (tuple, list)) and depth < 4:
            for i, item in enumerate(obj):
                walk(item, f"{name}[{i}]", depth + 1)
        elif isinstance(obj, dict) and depth < 4:
            for key, item in obj.items():
                walk(item, f"{name}[{key!r}]", depth + 1)

    for info in pkgutil.iter_modules(privacy.__path__):
        module = importlib.import_module(f"{privacy.__name__}.{info.name}")
        for key, value in vars(module).items():
            walk(value, f"{info.name}.{key}", 0)
    return found


#: How the privacy modules call a pattern: a scan of the text (``search``, ``finditer``, ``sub``…)
#: or a match at one place (``match``, ``fullmatch``). A pattern only ever matched at a place
#: (``[ \t]*…`` after a name) is quadratic scanned over blanks, as it never is in use.
_CALL = re.compile(r"\b(\w+)\.(match|fullmatch|search|finditer|sub|subn|split|findall)\(")
_AT_ONE_PLACE = frozenset(("match", "fullmatch"))


def _calls() -> dict[str, set[str]]:
    """Each module-level pattern's name (``module._NAME``), and how the privacy modules call it."""
    found: dict[str, set[str]] = {}
    for info in pkgutil.iter_modules(privacy.__path__):
        module = importlib.import_module(f"{privacy.__name__}.{info.name}")
        source = inspect.getsource(module)
        for name, method in _CALL.findall(source):
            found.setdefault(name, set()).add(method)
    return found


def _use(name: str, pattern: re.Pattern[str], calls: dict[str, set[str]]) -> Callable[[str], object]:
    """How to run ``pattern`` as the code does: matched at the text's start and after the prefix
    where only matched, else scanned (a table's patterns are ``sub``-ed)."""
    methods = calls.get(name.rsplit(".", 1)[-1].split("[", 1)[0], set())
    if "[" not in name and methods and methods <= _AT_ONE_PLACE:
        def at_places(text: str) -> None:
            for at in (0, 1, len(text) // 2):
                pattern.match(text, at)
        return at_places
    return lambda text: _scan(pattern, text)


def _cpu(run: Callable[[], object]) -> float:
    start = time.process_time()
    run()
    return (time.process_time() - start) * 1000


def _scan(pattern: re.Pattern[str], text: str) -> None:
    for _ in pattern.finditer(text):
        pass


#: The completion path's entry points: a window redacted alone, with the text above it, a
#: suffix, the cursor's seam, the log's scrub.
ENTRY_POINTS: dict[str, Callable[[str], object]] = {
    "redact": redact,
    "redact(keep_lines)": lambda text: redact(text, keep_lines=True),
    "redact(before=)": lambda text: redact(text[-2000:], before=text[:-2000]),
    "redact(after=)": lambda text: redact(text[:2000], after=text[2000:]),
    "has_trigger": has_trigger,
    "redact_message": redact_message,
    "split_at_secret": lambda text: split_at_secret(text, text[: len(text) // 4]),
}


def _worst(run: Callable[[str], object], size: int, candidates: list[tuple[str, str, str]]) -> tuple[float, str, str]:
    worst = (0.0, "", "")
    for pre, unit, _text in candidates:
        text = pre + unit * max(1, (size - len(pre)) // len(unit))
        ms = _cpu(lambda text=text: run(text))
        worst = max(worst, (ms, pre, unit))
    return worst


def _rank(run: Callable[[str], object], inputs: list[tuple[str, str, str]], top: int) -> list[tuple[str, str, str]]:
    timed = sorted(((_cpu(lambda text=text: run(text)), (pre, unit, text)) for pre, unit, text in inputs), reverse=True)
    return [item for _ms, item in timed[:top]]


def _report(name: str, run: Callable[[str], object], small: list[tuple[str, str, str]], top: int, quick: bool) -> tuple[float, str]:
    candidates = _rank(run, small, top)
    figures = []
    ten = 0.0
    for size in SIZES:
        if size == 100_000 and (quick or ten > 200):
            figures.append("    skipped")
            continue
        ms, pre, unit = _worst(run, size, candidates)
        ten = ms if size == 10_000 else ten
        figures.append(f"{ms:9.1f} ms")
        if size == 10_000:
            worst_input = f"{pre!r} + {unit!r}*"
    flag = "  <-- over 20 ms at 10 kB" if ten > FLAG_MS else ""
    return ten, f"{name:48} {' '.join(figures)}  {worst_input}{flag}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=3, help="inputs per pattern run again at 10 kB and 100 kB")
    parser.add_argument("--quick", action="store_true", help="skip 100 kB")
    parser.add_argument("--patterns", action="store_true", help="each pattern too (~1,000 inputs each: minutes of CPU)")
    parser.add_argument("--only", help="the patterns whose name holds this (module._NAME)")
    args = parser.parse_args()
    small = _inputs(SIZES[0])
    rows: list[tuple[float, str]] = []
    if args.patterns:
        calls = _calls()
        wanted = args.only or ""
        for name, pattern in _patterns().items():
            if wanted in name:
                rows.append(_report(name, _use(name, pattern, calls), small, args.top, args.quick))
    entry_rows = [_report(name, run, small, args.top, args.quick) for name, run in ENTRY_POINTS.items()]
    header = f"{'':48} {'1 kB':>12} {'10 kB':>12} {'100 kB':>12}  worst input at 10 kB"
    print("entry points (CPU time)\n" + header)
    for _ms, line in sorted(entry_rows, reverse=True):
        print(line)
    if rows:
        print(f"\npatterns (finditer, CPU time), {len(rows)} in all, slowest {min(len(rows), 25)}\n" + header)
        for _ms, line in sorted(rows, reverse=True)[:25]:
            print(line)
    flagged = sum(ms > FLAG_MS for ms, _line in rows + entry_rows)
    print(f"\nover {FLAG_MS:.0f} ms at 10 kB: {flagged}")


if __name__ == "__main__":
    main()
