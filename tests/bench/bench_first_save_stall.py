"""How long a save of a large file holds the server's event loop while it works out whether to
ask first (review/first_save.py; not part of the test run): every keystroke's completion waits
behind it. A 10,000-line module, never reviewed (the cache holding another file's) and reviewed
whole; the longest the loop went without a turn during ``FirstSaves.choose``.

    PYTHONPATH=server:. python tests/bench/bench_first_save_stall.py [--functions 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

from deepseek_lsp.config import Settings, build_settings
from deepseek_lsp.documents import Document
from deepseek_lsp.languages import LanguageRegistry
from deepseek_lsp.model import EndpointConfig, ModelClient, default_counter
from deepseek_lsp.model.tokens import Counter
from deepseek_lsp.review.cache import ReviewCache
from deepseek_lsp.review.engine import ReviewEngine
from deepseek_lsp.review.first_save import FirstSaves
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.review_support import reviewer


def module(functions: int, name: str) -> Document:
    text = "".join(
        f"def {name}_{i}(request):\n    x = request.get({i})\n    return x + {i * 7}\n\n\n" for i in range(functions)
    )
    return Document(f"file:///bench/{name}.py", text, language=LanguageRegistry.load().get("python"))


async def longest_stall(
    engine: ReviewEngine, doc: Document, settings: Settings, counter: Counter
) -> tuple[float, float, object]:
    """The loop's longest time without a turn while a save's choice is made, the choice's
    time, and the choice."""
    stalls = [0.0]
    done = asyncio.Event()

    async def ticker() -> None:
        last = time.perf_counter()
        while not done.is_set():
            await asyncio.sleep(0)
            now = time.perf_counter()
            stalls[0] = max(stalls[0], now - last)
            last = now

    async def no_changes() -> set[int] | None:
        return None

    services = SimpleNamespace(status=SimpleNamespace(tell_once=lambda *a: None))
    tick = asyncio.ensure_future(ticker())
    await asyncio.sleep(0)
    started = time.perf_counter()
    chosen = await FirstSaves(services).choose(  # type: ignore[arg-type]
        None, engine, doc, settings, counter, no_changes, path="m.py", roots=(), ignored=frozenset()
    )
    took = time.perf_counter() - started
    done.set()
    await tick
    return stalls[0], took, chosen


async def main(functions: int) -> None:
    settings, _ = build_settings(env={"DEEPSEEK_API_KEY": DEFAULT_KEY})
    with tempfile.TemporaryDirectory() as state, FakeDeepSeek() as fake:
        fake.responder(reviewer(()), path="/chat/completions")
        counter = default_counter()  # loaded once, as the server's
        counter.count("loaded")
        engine = ReviewEngine(ReviewCache(Path(state) / "cache.sqlite"), max_concurrency=4)
        async with ModelClient(EndpointConfig(base_url=fake.url, api_key=DEFAULT_KEY)) as client:
            await engine.review(client, module(20, "other"), settings, path="other.py")
            doc = module(functions, "handlers")
            print(f"{doc.line_count:,} lines, {len(doc.data):,} bytes")
            stall, took, chosen = await longest_stall(engine, doc, settings, counter)
            print(f"never reviewed: loop held {stall * 1000:.0f} ms (choice {took * 1000:.0f} ms: {chosen!r})")
            await engine.review(client, module(functions, "handlers"), settings, path="handlers.py")
            stall, took, chosen = await longest_stall(engine, module(functions, "handlers"), settings, counter)
            print(f"reviewed:       loop held {stall * 1000:.0f} ms (choice {took * 1000:.0f} ms: {chosen!r})")
        engine.cache.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--functions", type=int, default=2000)
    asyncio.run(main(parser.parse_args().functions))
