"""Prompt tokens per save: unit-level review (only changed units) versus the whole file each time.

A real module (copied from the installed standard library at run time) gets a sequence of
scripted saves, each editing one function or method. Both strategies talk to the fake DeepSeek
server over HTTP, which reports usage with a simulated prefix cache (DeepSeek's is automatic and
keyed on the prompt's first tokens). Token counts are given twice: as the fake reports them (about
4 characters per token) and counted with DeepSeek V4's real tokenizer on what was actually sent.

    python tests/bench/bench_review.py [--module argparse] [--saves 12] [--out results.json]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import inspect
import json
import random
import re
import statistics
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from deepseek_lsp.config import Settings, build_settings
from deepseek_lsp.documents import Document
from deepseek_lsp.languages import LanguageRegistry
from deepseek_lsp.model import ChatRequest, EndpointConfig, ModelClient, PriceTable, default_counter
from deepseek_lsp.review.cache import ReviewCache
from deepseek_lsp.review.engine import ReviewEngine
from deepseek_lsp.review.keys import _signatures_of
from deepseek_lsp.review.prompt import build_messages
from deepseek_lsp.review.units import FileUnits, Unit, extract_units
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.review_support import Rule, reviewer

CHAT = "/chat/completions"
OFF_PEAK = datetime(2026, 11, 30, 14, 0, tzinfo=timezone.utc)  # a Monday afternoon UTC: off-peak


def scripted_versions(text: str, saves: int, seed: int) -> list[str]:
    """``saves`` successive versions of ``text``; each edits one function or method's body."""
    rng = random.Random(seed)
    versions = [text]
    for k in range(1, saves):
        current = versions[-1]
        doc = Document(
            "file:///bench/mod.py", current, language=LanguageRegistry.load().get("python")
        )
        units = [
            u
            for u in extract_units(doc).units
            if u.kind in ("function", "method") and u.line_count >= 4
        ]
        unit = rng.choice(units)
        lines = current.split("\n")
        # The first body line: after the header (which may span lines) ends with ":".
        body = (
            next(
                n
                for n in range(unit.first_line, unit.last_line + 1)
                if lines[n].rstrip().endswith(":")
            )
            + 1
        )
        while body <= unit.last_line and not lines[body].strip():
            body += 1
        indent = lines[body][: len(lines[body]) - len(lines[body].lstrip())]
        lines.insert(body, f"{indent}_edits = {k}  # scripted edit {k}")
        versions.append("\n".join(lines))
    return versions


def whole_file_messages(doc: Document, path: str) -> list[dict[str, Any]]:
    """The baseline: the same prompt layout with the entire file as the one unit under review.

    Its heading names no line count, so the provider's prefix cache can hit up to the first
    edited line: the best case for sending the whole file.
    """
    everything = Unit("file", path, ((0, doc.line_count - 1),), doc.text)
    file_units = extract_units(doc)
    messages = build_messages(
        doc, path, FileUnits([everything], file_units.imports, []), [everything]
    )
    messages[-1]["content"] = re.sub(
        r"^### file .*$", f"### file {path}", messages[-1]["content"], count=1, flags=re.M
    )
    return messages


def signatures_carried(text: str) -> dict[str, int]:
    """The signatures of its own file that the units of ``text`` are reviewed with (each unit's,
    as its cache key holds them), and their tokens (DeepSeek's tokenizer, one line each)."""
    doc = Document("file:///bench/mod.py", text, language=LanguageRegistry.load().get("python"))
    file_units = extract_units(doc)
    lines = [line for u in file_units.units for line in _signatures_of(file_units, u)]
    count = default_counter().count
    return {"signatures": len(lines), "signature_tokens": sum(count(line) for line in lines)}


def usage_of(fake: FakeDeepSeek, since: int) -> tuple[int, int, int]:
    """(requests, prompt tokens, cache-hit tokens) the fake reported since request ``since``."""
    requests = fake.requests_to(CHAT)[since:]
    prompt = sum((r.usage or {}).get("prompt_tokens", 0) for r in requests)
    hit = sum((r.usage or {}).get("prompt_cache_hit_tokens", 0) for r in requests)
    return len(requests), prompt, hit


def real_tokens(fake: FakeDeepSeek, since: int) -> int:
    count = default_counter().count
    return sum(
        sum(count(m["content"]) for m in r.json["messages"]) for r in fake.requests_to(CHAT)[since:]
    )


async def run_unit_level(
    fake: FakeDeepSeek, versions: list[str], settings: Settings, path: str
) -> list[dict[str, Any]]:
    rows = []
    with tempfile.TemporaryDirectory() as state:
        engine = ReviewEngine(ReviewCache(Path(state) / "review-cache.sqlite"), max_concurrency=4)
        async with ModelClient(EndpointConfig(base_url=fake.url, api_key=DEFAULT_KEY)) as client:
            for i, text in enumerate(versions):
                since = len(fake.requests_to(CHAT))
                doc = Document(
                    f"file:///bench/{path}", text, language=LanguageRegistry.load().get("python")
                )
                outcome = await engine.review(client, doc, settings, path=path)
                requests, prompt, hit = usage_of(fake, since)
                rows.append(
                    {
                        "save": i,
                        "units": outcome.units,
                        "units_sent": outcome.units_asked,  # (the key earlier results.json files have)
                        "requests": requests,
                        "prompt_tokens": prompt,
                        "cache_hit_tokens": hit,
                        "real_prompt_tokens": real_tokens(fake, since),
                        "findings": len(outcome.findings),
                    }
                )
        engine.cache.close()
    return rows


async def run_whole_file(
    fake: FakeDeepSeek, versions: list[str], settings: Settings, path: str
) -> list[dict[str, Any]]:
    rows = []
    async with ModelClient(EndpointConfig(base_url=fake.url, api_key=DEFAULT_KEY)) as client:
        loop = asyncio.get_running_loop()
        for i, text in enumerate(versions):
            since = len(fake.requests_to(CHAT))
            doc = Document(
                f"file:///bench/{path}", text, language=LanguageRegistry.load().get("python")
            )
            request = ChatRequest(
                messages=whole_file_messages(doc, path),
                model=settings.review.model,
                max_tokens=settings.review.max_output_tokens,
                json_mode=True,
                thinking=settings.review.thinking,
            )
            await client.chat(request, loop.time() + 60)
            requests, prompt, hit = usage_of(fake, since)
            rows.append(
                {
                    "save": i,
                    "requests": requests,
                    "prompt_tokens": prompt,
                    "cache_hit_tokens": hit,
                    "real_prompt_tokens": real_tokens(fake, since),
                }
            )
    return rows


def summarize(rows: list[dict[str, Any]], prices: PriceTable, model: str) -> dict[str, Any]:
    edits = rows[1:]  # saves after the first review: what a user pays for while working
    prompt = sum(r["prompt_tokens"] for r in edits)
    hit = sum(r["cache_hit_tokens"] for r in edits)
    cost = prices.cost(model, hit, prompt - hit, 0, OFF_PEAK)
    return {
        "first_save_prompt_tokens": rows[0]["prompt_tokens"],
        "first_save_real_prompt_tokens": rows[0]["real_prompt_tokens"],
        "prompt_tokens_per_save": prompt / max(1, len(edits)),
        "real_prompt_tokens_per_save": statistics.fmean(r["real_prompt_tokens"] for r in edits)
        if edits
        else 0,
        "cache_hit_share": hit / prompt if prompt else 0.0,
        "input_cost_usd_per_save": cost / max(1, len(edits)),
    }


def module_source(module_name: str) -> tuple[Path, str]:
    """A real module's source, copied from the installed standard library."""
    module = importlib.import_module(module_name)
    path = Path(inspect.getsourcefile(module) or "")
    return path, path.read_text(encoding="utf-8")


async def bench(
    module_name: str, source_path: Path, text: str, saves: int, seed: int
) -> dict[str, Any]:
    versions = scripted_versions(text, saves, seed)
    path = f"{module_name.replace('.', '/')}.py"
    settings, _ = build_settings(env={"DEEPSEEK_API_KEY": DEFAULT_KEY})
    prices = PriceTable()
    model = settings.review.model
    rules = [Rule("_sys.exit(status)", "info", "Exits the interpreter from library code.")]
    results: dict[str, Any] = {
        "module": module_name,
        "source": str(source_path),
        "lines": text.count("\n") + 1,
        "saves": saves,
        "seed": seed,
        "model": model,
        **signatures_carried(text),
    }
    for name, runner in (("unit_level", run_unit_level), ("whole_file", run_whole_file)):
        with FakeDeepSeek() as fake:  # a fresh provider cache for each strategy
            fake.responder(reviewer(rules), path=CHAT)
            rows = await runner(fake, versions, settings, path)
        results[name] = {"per_save": rows, **summarize(rows, prices, model)}
    unit, whole = results["unit_level"], results["whole_file"]
    results["ratio_prompt_tokens"] = whole["prompt_tokens_per_save"] / max(
        1e-9, unit["prompt_tokens_per_save"]
    )
    results["ratio_real_prompt_tokens"] = whole["real_prompt_tokens_per_save"] / max(
        1e-9, unit["real_prompt_tokens_per_save"]
    )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--module", default="argparse", help="standard library module to edit (default argparse)"
    )
    parser.add_argument(
        "--saves", type=int, default=12, help="saves, the first one reviews everything"
    )
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--out", help="also write the results as JSON to this file")
    args = parser.parse_args()
    source_path, text = module_source(args.module)
    results = asyncio.run(bench(args.module, source_path, text, max(2, args.saves), args.seed))
    unit, whole = results["unit_level"], results["whole_file"]
    print(
        f"{results['module']} ({results['lines']} lines), {results['saves']} saves, each after editing one function"
    )
    print(f"{'save':>4} {'units sent':>10} {'unit-level tokens':>18} {'whole-file tokens':>18}")
    for u, w in zip(unit["per_save"], whole["per_save"], strict=True):
        print(
            f"{u['save']:>4} {u['units_sent']:>10} {u['prompt_tokens']:>18} {w['prompt_tokens']:>18}"
        )
    print()
    print(f"{'after the first save':<34} {'unit-level':>12} {'whole-file':>12}")
    for label, key, fmt in (
        ("prompt tokens per save (fake)", "prompt_tokens_per_save", "{:>12.0f}"),
        ("prompt tokens per save (real)", "real_prompt_tokens_per_save", "{:>12.0f}"),
        ("provider cache hit share", "cache_hit_share", "{:>12.1%}"),
        ("input cost per save, USD", "input_cost_usd_per_save", "{:>12.6f}"),
    ):
        print(f"{label:<34} " + fmt.format(unit[key]) + " " + fmt.format(whole[key]))
    print(
        f"whole-file / unit-level prompt tokens: {results['ratio_prompt_tokens']:.1f}x "
        f"(real tokenizer {results['ratio_real_prompt_tokens']:.1f}x)"
    )
    print(
        f"first save: unit-level {unit['first_save_prompt_tokens']} vs whole-file {whole['first_save_prompt_tokens']} tokens"
    )
    print(
        f"signatures the units are reviewed with (first version): {results['signatures']}, "
        f"{results['signature_tokens']} tokens"
    )
    if args.out:
        Path(args.out).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
