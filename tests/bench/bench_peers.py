"""All the peer benchmarks in one invocation, and the README's table: deepseek-lsp, deepseek-lsp
with naive settings, and tabby-agent 1.5.0 side by side.

Runs ``bench_replay`` (the three columns at once), ``bench_overhead`` and ``bench_memory``
(deepseek-lsp and tabby-agent; the naive configuration is the same process), then prints one
Markdown table plus the targets of the "Benchmarks against a real peer" issue, met or not, and
writes everything as JSON. About 5 minutes on 2 cores. Needs ``npm ci --prefix tests/bench``
(tabby-agent and the JavaScript corpus); without node, the tabby-agent column says why.

    python tests/bench/bench_peers.py --out tests/bench/results.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.bench.bench_memory import run_memory  # noqa: E402
from tests.bench.bench_overhead import run_overhead  # noqa: E402
from tests.bench.bench_replay import print_table, replay_rows, run_replay  # noqa: E402
from tests.bench.peers import DEEPSEEK, NAIVE, TABBY  # noqa: E402

COLUMNS = (DEEPSEEK.name, NAIVE.name, TABBY.name)


def _get(d: dict[str, Any], *path: str) -> Any:
    for key in path:
        if not isinstance(d, dict) or key not in d:
            return None
        d = d[key]
    return d


def combined_rows(res: dict[str, Any]) -> list[tuple[str, list[str]]]:
    rows = replay_rows(res["replay"])
    names = list(res["replay"]["columns"])
    rows = [(label, dict(zip(names, values, strict=True))) for label, values in rows]  # type: ignore[misc]
    out: list[tuple[str, list[str]]] = [
        (label, [by.get(c, "-") for c in COLUMNS]) for label, by in rows  # type: ignore[attr-defined]
    ]
    ov, mem = res["overhead"]["columns"], res["memory"]["columns"]

    def num(col: dict[str, Any] | None, *path: str, spec: str = ".1f") -> str:
        if col is None:
            return "-"
        if "error" in col:
            return "error"
        v = _get(col, *path)
        return "-" if v is None else format(v, spec)

    def same(ours: str, tabby: str) -> list[str]:
        return [ours, "(same process)", tabby]

    out += [
        ("server overhead p50 / p99 ms (10,000-line file)", same(
            f"{num(ov.get(DEEPSEEK.name), 'overhead_ms', 'p50')} / {num(ov.get(DEEPSEEK.name), 'overhead_ms', 'p99')}",
            f"{num(ov.get(TABBY.name), 'overhead_ms', 'p50')} / {num(ov.get(TABBY.name), 'overhead_ms', 'p99')}")),
        ("answer on a cache hit p50 / p99 ms", same(
            f"{num(ov.get(DEEPSEEK.name), 'cache_hit_round_trip_ms', 'p50')} / {num(ov.get(DEEPSEEK.name), 'cache_hit_round_trip_ms', 'p99')}",
            f"{num(ov.get(TABBY.name), 'cache_hit_round_trip_ms', 'p50')} / {num(ov.get(TABBY.name), 'cache_hit_round_trip_ms', 'p99')}")),
        ("RSS after 100 x 5,000-line files + replay, MB", same(
            num(mem.get(DEEPSEEK.name), "rss_mb_after_replay", spec=".0f"),
            num(mem.get(TABBY.name), "rss_mb_after_replay", spec=".0f"))),
        ("start-up to initialize answer, ms (median)", same(
            num(mem.get(DEEPSEEK.name), "startup_ms", "median", spec=".0f"),
            num(mem.get(TABBY.name), "startup_ms", "median", spec=".0f"))),
    ]
    return out


def targets(res: dict[str, Any]) -> list[dict[str, Any]]:
    rep = res["replay"]["columns"]
    ours, tabby = rep.get(DEEPSEEK.name, {}), rep.get(TABBY.name, {})
    ov = res["overhead"]["columns"].get(DEEPSEEK.name, {})
    mem = res["memory"]["columns"].get(DEEPSEEK.name, {})
    out: list[dict[str, Any]] = []

    def add(name: str, measured: str, met: bool | None) -> None:
        out.append({"target": name, "measured": measured, "met": met})

    p50, p99 = _get(ov, "overhead_ms", "p50"), _get(ov, "overhead_ms", "p99")
    add("server overhead p50 <= 2 ms and p99 <= 10 ms", f"p50 {p50:.1f} ms, p99 {p99:.1f} ms"
        if p50 is not None and p99 is not None else "-",
        None if p50 is None or p99 is None else p50 <= 2 and p99 <= 10)
    hit = _get(ov, "cache_hit_round_trip_ms", "p50")
    add("answer on a cache hit < 2 ms (p50)", f"{hit:.2f} ms" if hit is not None else "-",
        None if hit is None else hit < 2)
    if "error" not in tabby and tabby and "error" not in ours and ours:
        share_ok = ours["accepted_share"] >= tabby["accepted_share"]
        for per in ("work_keystroke", "keystroke"):
            a, b = ours[f"backend_requests_per_{per}"], tabby[f"backend_requests_per_{per}"]
            label = "keystroke of work" if per == "work_keystroke" else "keystroke pressed"
            add(f"backend requests per {label} <= 1/3 of tabby-agent's, accepted share >= tabby's",
                f"{a:.3f} vs {b:.3f} ({a / b:.2f}x); accepted {100 * ours['accepted_share']:.1f} % vs "
                f"{100 * tabby['accepted_share']:.1f} %", a <= b / 3 and share_ok)
        a, b = ours["latency_ms"]["p50"], tabby["latency_ms"]["p50"]
        add("p50 keystroke-to-suggestion <= half of tabby-agent's",
            f"{a:.0f} ms vs {b:.0f} ms", a <= b / 2 if a is not None and b is not None else None)
    if ours and "error" not in ours:
        share = ours["cache_hit_share"]
        add("provider-cache hit share >= 80 % of prompt tokens", f"{100 * share:.1f} %", share >= 0.8)
        day = ours.get("developer_day") or {}
        off, peak = _get(day, "off_peak", "total_usd"), _get(day, "peak", "total_usd")
        add("developer-day (10,000 keystrokes + 50 reviewed saves) < $0.10",
            f"${off:.3f} off-peak, ${peak:.3f} peak" if off is not None else "-",
            None if off is None else peak < 0.10)
    rss = mem.get("rss_mb_after_replay")
    add("RSS <= 150 MB (100 files of 5,000 lines + replay)", f"{rss:.0f} MB" if rss else "-",
        None if rss is None else rss <= 150)
    return out


async def run_all(args: argparse.Namespace) -> dict[str, Any]:
    started = time.monotonic()
    res: dict[str, Any] = {
        "command": "python tests/bench/bench_peers.py " + " ".join(sys.argv[1:]),
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "cpus": __import__("os").cpu_count()},
    }
    res["replay"] = await run_replay(args.seed, args.sites)
    res["overhead"] = await run_overhead(args.requests, args.seed)
    res["memory"] = await run_memory(args.files, args.lines, args.seed, args.memory_sites, args.starts)
    res["seconds"] = round(time.monotonic() - started, 1)
    res["targets"] = targets(res)
    return res


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sites", type=int, default=24)
    parser.add_argument("--requests", type=int, default=300, help="overhead benchmark requests")
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--lines", type=int, default=5000)
    parser.add_argument("--memory-sites", type=int, default=8)
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--out")
    args = parser.parse_args()
    res = asyncio.run(run_all(args))
    problem = res["replay"].get("tabby_problem")
    if problem:
        print(f"tabby-agent cannot run: {problem}")
    for part in ("replay", "overhead", "memory"):
        for name, col in res[part]["columns"].items():
            if "error" in col:
                print(f"{part}: {name} failed: {col['error']}\n{col.get('stderr_tail', '')}")
    print_table(list(COLUMNS), combined_rows(res))
    print()
    for t in res["targets"]:
        mark = {True: "met", False: "NOT met", None: "n/a"}[t["met"]]
        print(f"- {t['target']}: {t['measured']} -> {mark}")
    print(f"\n{res['seconds']} s")
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(res, indent=2, default=str))


if __name__ == "__main__":
    main()
