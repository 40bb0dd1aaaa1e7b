"""Reviewing a large generated file: time and CPU of a first review and of one answered whole
from the review cache, and how many of its findings are placed.

The file holds N copies of one small handler with the same bare ``except:`` (generated code
repeats itself so), and the fake DeepSeek server flags every copy: each finding must land in
its own handler, not on an earlier copy of the same code.

Then keys in an open file of 1,250 handlers (10,000 lines) whose 700 first ones have a finding
shown: what each key costs the review feature on the event loop (moving the findings, and the
publishes it makes, serialized as pygls sends them), typed in the middle, near the top, and
at both ends in turn.

First, the CPU of the signatures each unit of a file of N generated subclasses is reviewed
with (each calls its base's ``__init__``: a name every class defines).

    python tests/bench/bench_review_large.py [--functions 6000] [--concurrency 4] [--keys-only]
        [--subclasses 600]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from lsprotocol import types
from pygls.protocol import default_converter

from deepseek_lsp.model import EndpointConfig, ModelClient
from deepseek_lsp.review.cache import ReviewCache
from deepseek_lsp.review.engine import ReviewEngine
from deepseek_lsp.review.units import extract_units
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import eventually
from tests.review_support import (
    GENERATED_HANDLER,
    ReviewFeatureSession,
    Rule,
    doc_of,
    generated_handlers,
    reviewer,
    settings_for,
)

BARE_EXCEPT = Rule("except:", "warning", "Bare except.")


async def run(functions: int, concurrency: int) -> None:
    source = generated_handlers(functions)
    with FakeDeepSeek() as fake, tempfile.TemporaryDirectory() as folder:
        fake.responder(reviewer((BARE_EXCEPT,)), path="/chat/completions")
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


async def keys(handlers: int = 1250, flagged: int = 700, count: int = 200) -> None:
    """Per key: the review feature's time (the publishes' serialization included) and what it
    sent, for keys typed in the middle of the file and near its top."""
    source = "".join(
        GENERATED_HANDLER.format(i=i).replace("except:", "except:" if i < flagged else "except ValueError:")
        for i in range(handlers)
    )
    uri = "file:///project/handlers.py"
    converter = default_converter()
    sent: list[int] = []
    with FakeDeepSeek() as fake:
        fake.responder(reviewer((BARE_EXCEPT,)), path="/chat/completions")
        async with ReviewFeatureSession(fake) as session:
            # As pygls sends a notification: unstructured and written as JSON.
            session.review.publisher.send = lambda p: sent.append(len(json.dumps(converter.unstructure(p))))
            doc = session.services.documents.open(uri, source, "python", 1)
            answer = await session.review.command.run(uri, force=False)
            print(f"\nkeys: {source.count(chr(10)):,} lines, {answer.get('findings')} findings shown")
            version = 1
            for label, line, text in (
                ("a character typed, line 5,000", 5001, "x"),
                ("a character typed, line 10", 10, "x"),
                ("Enter, line 5,000", 5001, "\n"),
                ("Enter, line 10", 10, "\n"),
                # The worst case: each key far from the one before.
                ("a character, lines 10 and 9,990 in turn", (10, 9990), "x"),
            ):
                times = []
                before = len(sent)
                for n in range(count):
                    version += 1
                    at = types.Position(line=line if isinstance(line, int) else line[n % 2], character=0)
                    change = types.TextDocumentContentChangePartial(range=types.Range(start=at, end=at), text=text)
                    doc = session.services.documents.change(uri, version, [change])
                    assert doc is not None
                    started = time.perf_counter()
                    session.review.document_changed(doc)
                    times.append(time.perf_counter() - started)
                at_once = len(sent) - before
                # The publish put off until the keys pause, timed as the keys' own.
                started = time.process_time()
                await eventually(lambda: getattr(session.review.publisher.files[uri], "moves_timer", None) is None)
                later = time.process_time() - started
                print(
                    f"{label:>40}: {statistics.median(times) * 1e3:6.3f} ms a key (median), "
                    f"{sorted(times)[int(count * 0.9)] * 1e3:6.3f} ms p90; {at_once} publishes at a key, "
                    f"{len(sent) - before - at_once} after the pause ({later * 1e3:.0f} ms CPU), "
                    f"{sent[-1] if len(sent) > before else 0:,} bytes each"
                )


def subclasses_signatures(classes: int) -> None:
    """CPU of the signatures each unit of a generated file of ``classes`` subclasses is
    reviewed with (their cache keys'): each defines ``__init__`` and ``run`` and calls its
    base's, a name several classes define for every unit."""
    base = "class Base:\n    def __init__(self, x):\n        self.x = x\n\n    def run(self):\n        return 0\n\n"
    source = base + "".join(
        f"class C{i}(Base):\n    def __init__(self, x):\n        super().__init__(x)\n\n"
        f"    def run(self):\n        return self.x + super().run()\n\n"
        for i in range(classes)
    )
    file_units = extract_units(doc_of(source, "subclasses.py"))
    cpu = time.process_time()
    carried = sum(len(file_units.signatures_for([unit])) for unit in file_units.units)
    cpu = time.process_time() - cpu
    print(f"{classes} subclasses, {len(file_units.units)} units: {carried} signatures, {cpu:.2f} s CPU")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--functions", type=int, default=6000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--keys-only", action="store_true", help="only the keys in an open file")
    parser.add_argument("--subclasses", type=int, default=600, help="classes of the signatures' file")
    args = parser.parse_args()
    subclasses_signatures(args.subclasses)
    if not args.keys_only:
        asyncio.run(run(args.functions, args.concurrency))
    asyncio.run(keys())


if __name__ == "__main__":
    main()
