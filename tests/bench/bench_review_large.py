"""Reviewing a large generated file: time and CPU of a first review and of one answered whole
from the review cache, and how many of its findings are placed.

The file holds N copies of one small handler with the same bare ``except:`` (generated code
repeats itself so), and the fake DeepSeek server flags every copy: each finding must land in
its own handler, not on an earlier copy of the same code.

    python tests/bench/bench_review_large.py [--functions 6000] [--concurrency 4]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from deepseek_lsp.model import EndpointConfig, ModelClient
from deepseek_lsp.review.cache import ReviewCache
from deepseek_lsp.review.engine import ReviewEngine
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.review_support import Rule, doc_of, generated_handlers, reviewer, settings_for


async def run(functions: int, concurrency: int) -> None:
    source = generated_handlers(functions)
    with FakeDeepSeek() as fake, tempfile.TemporaryDirectory() as folder:
        fake.responder(reviewer((Rule("except:", "warning", "Bare except."),)), path="/chat/completions")
        engine = ReviewEngine(ReviewCache(Path(folder) / "review-cache.sqlite"))
        settings = settings_for(fake, maxConcurrency=concurrency)
        async with ModelClient(EndpointConfig(base_url=fake.url, api_key=DEFAULT_KEY)) as client:
            print(f"{functions} functions, {source.count(chr(10)):,} lines, {len(source):,} bytes")
            for label in ("first review", "from the cache"):
                doc = doc_of(source, "handlers.py")
                wall, cpu = time.perf_counter(), time.process_time()
                outcome = await engine.review(client, doc, settings)
                wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
                right = sum(doc.line_at(f.start) % 8 == 3 for f in outcome.findings)
                print(
                    f"{label:>15}: {wall:6.2f} s wall, {cpu:6.2f} s CPU (the fake's included), "
                    f"{outcome.requests} requests, {len(outcome.findings)} findings "
                    f"({right} on their own handler's except), {outcome.stats.unplaced} unplaced"
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--functions", type=int, default=6000)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    asyncio.run(run(args.functions, args.concurrency))


if __name__ == "__main__":
    main()
