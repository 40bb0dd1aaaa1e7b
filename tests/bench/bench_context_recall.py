"""Recall of deepseek-lsp's extra context (definitions from other files) on real projects.

Sixteen projects are fetched into ``--workdir`` (once; kept for later runs): the stdlib packages
email, asyncio, xml and http copied from the running Python; the wheels httpx, httpcore, rich,
click, pygls and attrs (``pip download --no-deps``, pinned); the npm tarballs zod, rxjs, mobx,
immer (their ``src/*.ts``), yaml (``dist/*.js``, CJS) and commander (``lib/*.js``, CJS)
(``npm pack``, pinned). A project whose download fails is skipped with a message.

The real server is driven over stdio (``peers.start``) against the fake DeepSeek of ``oracle.py``,
which logs every request body. Settings: ``completion.debounce: 0``, ``prefetch: false``,
``invokedChoices: 1``, ``cache: false`` (the warm ask is at the same place as the cold one: it
must be asked, not served); inline completion with triggerKind 1 (Invoked), one backend request per ask.
A site is a seeded line inside a function body (Python: a one-line statement; JS/TS: an indented
code line), cut at its indentation, after its first identifier or before a later identifier; the
rest of the line is removed and the cursor put there (with ``--partial N``, N characters into
the first name the rest needs from another file: the cursor inside it, as a user typing it is). Each site is asked twice: cold (document
just opened), then closed, a 0.45 s pause (idle indexing), reopened and asked again (warm).
Two samples: ``--sites`` uniform sites per project (seed ``--seed``) and ``--enriched-sites``
sites per project whose line needs at least one name from another file (seed ``--seed + 1``).

The names a site needs come from the file's own imports (an independent resolver,
``recall/needs.py``); a need is found when the warm prompt's extra context holds its definition,
and ``visible`` when the name is in the prompt's window or suffix (else it is only in the text to
be typed). Every miss is diagnosed by replaying the server's steps in-process (names_near, import
resolution, indexes, 24-name cap, 8-snippet cap, EXTRAS_SHARE budget). Takes ~20 minutes on two
cores with the defaults.

    python tests/bench/bench_context_recall.py [--sites 50] [--enriched-sites 30] [--seed 1]
        [--projects email,zod] [--partial 3] [--workdir DIR] [--out recall.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.bench.lsp_client import LspClient  # noqa: E402
from tests.bench.oracle import FIM_PATH, OracleProcess  # noqa: E402
from tests.bench.peers import Peer, start  # noqa: E402
from tests.bench.recall.analyze import analyze, figures, report  # noqa: E402
from tests.bench.recall.corpus import PROJECTS, Site, fetch, make_sites, site_text  # noqa: E402

SETTINGS = {"completion": {"debounce": 0, "prefetch": False, "invokedChoices": 1, "cache": False}}
PAUSE_S = 0.45
Ask = tuple[float, float, Any]


async def ask(client: LspClient, uri: str, lang: str, text: str, line: int, col: int) -> Ask:
    """Open, ask one Invoked inline completion, close; (sent, answered, result)."""
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": lang, "version": 1, "text": text}})
    await asyncio.sleep(0.05)
    sent = time.monotonic()
    res = await client.call("textDocument/inlineCompletion", {
        "textDocument": {"uri": uri}, "position": {"line": line, "character": col},
        "context": {"triggerKind": 1}}, timeout=30)
    answered = time.monotonic()
    client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    return sent, answered, res


async def run_project(ws: Path, logs: Path, name: str, sites: list[Site], sample: str) -> list[dict[str, Any]]:
    """One server per project and sample; every site's cold and warm prompt/suffix."""
    lang = PROJECTS[name][0]
    oracle = await OracleProcess.start("--answer", "x")
    client = None
    calls: list[tuple[Site, Ask, Ask]] = []
    try:
        client = await start(Peer("deepseek-lsp", "deepseek", SETTINGS), oracle.url, logs / f"{name}-{sample}",
                             root=str(ws / name))
        await asyncio.sleep(1.0)
        for site in sites:
            text = site_text(ws, asdict(site))
            uri = (ws / name / site.file).as_uri()
            cold = await ask(client, uri, lang, text, site.line, site.col)
            await asyncio.sleep(PAUSE_S)
            warm = await ask(client, uri, lang, text, site.line, site.col)
            await asyncio.sleep(0.05)
            calls.append((site, cold, warm))
        records = [r for r in await oracle.requests() if r["path"] == FIM_PATH]
    finally:
        if client is not None:
            await client.stop()
        await oracle.stop()

    rows = []
    for i, (site, *asks) in enumerate(calls):
        row: dict[str, Any] = {"id": f"{name}:{sample[0]}{i}", "sample": sample, **asdict(site)}
        for tag, (sent, answered, _) in zip(("cold", "warm"), asks, strict=True):
            bodies = [r["json"] for r in records if sent <= r["received_at"] <= answered]
            row[tag] = {"n_requests": len(bodies), "prompt": bodies[0].get("prompt") if bodies else None,
                        "suffix": bodies[0].get("suffix") if bodies else None,
                        "ms": round((answered - sent) * 1000, 1)}
        rows.append(row)
    print(f"  {name} ({sample}): {len(calls)} sites, {len(records)} backend requests", flush=True)
    return rows


async def run_sites(
    ws: Path, logs: Path, projects: list[str], samples: list[tuple[str, int, int]], partial: int = 0
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for sample, count, seed in samples:
        print(f"{sample} sample: {count} sites per project, seed {seed}", flush=True)
        for name in projects:
            sites = make_sites(ws, name, count, seed, enriched=sample == "enriched", partial=partial)
            if sites:
                rows += await run_project(ws, logs, name, sites, sample)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=int, default=50, help="uniform sites per project")
    parser.add_argument("--enriched-sites", type=int, default=30,
                        help="sites per project whose line needs a name from another file (0: none)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--projects", default=",".join(PROJECTS), help=f"comma-separated, of: {', '.join(PROJECTS)}")
    parser.add_argument("--workdir", default=str(Path(tempfile.gettempdir()) / "deepseek-lsp-recall"),
                        help="downloads (dl/), workspaces (ws/), server logs and prompts.jsonl")
    parser.add_argument("--partial", type=int, default=0,
                        help="characters typed of the first name the rest of the line needs (0: none)")
    parser.add_argument("--context-timeout-ms", type=int, default=None,
                        help="completion.contextTimeoutMs (default: the server's, 80): on a loaded host its time box "
                        "left definitions out, differently from run to run; 2000 measures the choice alone, as "
                        "bench_names_order.py replays it")
    parser.add_argument("--out", help="write the figures and every site's record as JSON here")
    args = parser.parse_args()

    if args.context_timeout_ms is not None:
        SETTINGS["completion"]["contextTimeoutMs"] = args.context_timeout_ms
    projects = [p.strip() for p in args.projects.split(",") if p.strip()]
    unknown = [p for p in projects if p not in PROJECTS]
    if unknown:
        parser.error(f"unknown project(s): {', '.join(unknown)}")
    workdir = Path(args.workdir).resolve()
    ws, dl = workdir / "ws", workdir / "dl"
    ready = []
    for name in projects:
        problem = fetch(ws, dl, name)
        if problem:
            print(f"skipping {name}: {problem}", flush=True)
        else:
            ready.append(name)
    if not ready:
        sys.exit("no project could be fetched")

    samples = [("uniform", args.sites, args.seed)]
    if args.enriched_sites > 0:
        samples.append(("enriched", args.enriched_sites, args.seed + 1))
    samples = [s for s in samples if s[1] > 0]
    t0 = time.monotonic()
    rows = asyncio.run(run_sites(ws, workdir / "logs", ready, samples, args.partial))
    prompts = workdir / "prompts.jsonl"
    prompts.write_text("".join(json.dumps(r) + "\n" for r in rows))
    print(f"{len(rows)} sites asked in {time.monotonic() - t0:.0f} s; prompts in {prompts}", flush=True)

    sites = analyze(ws, rows)
    by_sample = {name: [s for s in sites if s["sample"] == name] for name, _, _ in samples}
    for name, ss in by_sample.items():
        report(ss, f"{name} sample")
    if len(by_sample) > 1:
        report(sites, "both samples")
    if args.out:
        result = {"settings": SETTINGS, "projects": ready, "partial": args.partial,
                  "samples": [{"sample": n, "sites_per_project": c, "seed": s} for n, c, s in samples],
                  "figures": {**{n: figures(ss) for n, ss in by_sample.items()}, "all": figures(sites)},
                  "sites": sites}
        Path(args.out).write_text(json.dumps(result, indent=1))
        print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
