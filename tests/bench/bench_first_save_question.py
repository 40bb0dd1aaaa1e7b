"""How long a save of a large file never reviewed takes to ask its first-save question
(review/first_save.py; not part of the test run): the steps a save goes through before the
question (git's committed text, the deleted lines, the estimate, the units changed), in CPU
seconds each, as the server runs them. A ~2,800-line module (the standard library's
tarfile.py, or ``--file``) committed in a repository, one function edited. ``--cold``: each
save the first of a new process (the tokenizer loaded, as the server loads it at start; the
grammars' queries, the review cache and the modules a save uses not yet).

    PYTHONPATH=server:. python tests/bench/bench_first_save_question.py [--file F] [--repeat 3] [--cold]

``--real N``: instead, N new servers as an editor starts them (``deepseek-lsp`` over stdio, a new
interpreter each, the repository its workspace): the file opened, a function edited and saved at
once, as a user saving right after the editor opened; the wall time from the save to the
question the editor is asked (``window/showMessageRequest``), and the server's stamps of its
start (``deepseek/debugState``'s ``start``).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

from deepseek_lsp.config import build_settings
from deepseek_lsp.documents import Document
from deepseek_lsp.languages import LanguageRegistry
from deepseek_lsp.model import default_counter
from deepseek_lsp.review import units
from deepseek_lsp.review.cache import ReviewCache
from deepseek_lsp.review.changed_hunks import OpenedTexts
from deepseek_lsp.review.engine import ReviewEngine
from deepseek_lsp.review.first_save import FirstSaves
from tests.fake_deepseek import DEFAULT_KEY


async def one_save(root: Path, source: str, state: Path, counter: object, profile: cProfile.Profile | None) -> dict[str, float]:
    """CPU (and wall) seconds of each step of a save up to its question."""
    getattr(units, "_RECENT_UNITS", {}).clear()  # each save a first one: nothing of the last run kept
    settings, _ = build_settings(env={"DEEPSEEK_API_KEY": DEFAULT_KEY})
    engine = ReviewEngine(ReviewCache(state / f"cache{time.monotonic_ns()}.sqlite"), max_concurrency=4)
    path = root / "big.py"
    python = LanguageRegistry.load().get("python")
    opened = Document(path.as_uri(), source, language=python)
    edited = source.replace("def", "def  ", 1) if "def" in source else source + "\n"
    doc = Document(path.as_uri(), edited, language=python)
    texts = OpenedTexts()
    steps: dict[str, float] = {}
    told: list[float] = []
    services = SimpleNamespace(status=SimpleNamespace(tell_once=lambda *a, **k: told.append(time.perf_counter())))

    async def step(name: str, work: object) -> object:
        cpu, wall = time.process_time(), time.perf_counter()
        if profile:
            profile.enable()
        out = await work  # type: ignore[misc]
        if profile:
            profile.disable()
        steps[name] = time.process_time() - cpu
        steps[f"{name} (wall)"] = time.perf_counter() - wall
        return out

    started = time.perf_counter()
    texts.opened(opened)
    await step("git's text", texts._before(doc))
    await step("deleted lines", texts.removed(doc))
    await step(
        "estimate and question",
        FirstSaves(services).choose(  # type: ignore[arg-type]
            None, engine, doc, settings, counter, lambda: texts.changed_since(doc),
            path="big.py", roots=(), ignored=frozenset(),
        ),
    )
    steps["save to question (wall)"] = (told[0] if told else time.perf_counter()) - started
    engine.cache.close()
    return steps


def repository(scratch: Path, file: Path) -> Path:
    """A repository in ``scratch`` with ``file`` committed as big.py."""
    root = scratch / "repo"
    root.mkdir()
    shutil.copyfile(file, root / "big.py")
    for args in (["init", "-q"], ["add", "-A"], ["-c", "user.email=b@example.com", "-c", "user.name=b", "commit", "-qm", "x"]):
        subprocess.run(["git", *args], cwd=root, check=True)
    return root


async def real_save(root: Path, source: str) -> tuple[float, dict[str, float]]:
    """One new server's first save, right after the open: the save's time to its question."""
    from lsprotocol import types

    from tests.fake_deepseek import FakeDeepSeek
    from tests.harness import _to_dict, lsp_session, open_doc
    from tests.test_review_lsp import SETTINGS, at, change, env, save

    os.environ["DEEPSEEK_TEST_FORK"] = "0"
    uri = (root / "big.py").as_uri()
    line = next(i for i, text in enumerate(source.splitlines()) if text.startswith("def ")) + 1
    with FakeDeepSeek() as fake, tempfile.TemporaryDirectory() as state:
        asked = asyncio.get_running_loop().create_future()
        async with lsp_session(env(fake, Path(state)), settings=SETTINGS, root=str(root)) as client:

            @client.feature(types.WINDOW_SHOW_MESSAGE_REQUEST)
            def on_ask(params: types.ShowMessageRequestParams) -> types.MessageActionItem:
                if not asked.done():
                    asked.set_result(time.perf_counter())
                return types.MessageActionItem(title="Not now")

            open_doc(client, uri, source)
            change(client, 2, at(line, 0, line, 0), "    print(1)\n", uri=uri)
            saved = time.perf_counter()
            save(client, uri)
            took = await asyncio.wait_for(asked, 120) - saved
            start = _to_dict(await client.protocol.send_request_async("deepseek/debugState", {})).get("start") or {}
    return took, start


def cold_save(file: Path, root: Path) -> dict[str, float]:
    """One save's steps, the first of a new process."""
    out = subprocess.run(
        [sys.executable, __file__, "--file", str(file), "--in-process", str(root)],
        check=True, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path[1:])},
    )
    return json.loads(out.stdout.splitlines()[-1])


async def main(source: str, root: Path, repeat: int, show_profile: bool, cold: Path | None = None) -> None:
    counter = default_counter() if cold is None else None
    if counter is not None:
        counter.count("loaded")  # loaded once, as the server's at start
    runs = []
    profile = cProfile.Profile() if show_profile else None
    for _ in range(repeat):
        runs.append(cold_save(cold, root) if cold else await one_save(root, source, root.parent, counter, profile))
    for name in runs[0]:
        values = sorted(r[name] for r in runs)
        print(f"  {name:32s} median {values[len(values) // 2]:.3f} s  (min {values[0]:.3f})")
    if profile:
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--file", type=Path, default=Path(tarfile.__file__))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--cold", action="store_true")
    parser.add_argument("--in-process", type=Path, help=argparse.SUPPRESS)  # (a cold save's process)
    parser.add_argument("--real", type=int, default=0, metavar="N")
    args = parser.parse_args()
    text = args.file.read_text()
    if args.real:
        with tempfile.TemporaryDirectory() as scratch:
            root = repository(Path(scratch), args.file)
            times = []
            for _ in range(args.real):
                took, start = asyncio.run(real_save(root, text))
                times.append(took)
                print(f"  save to question {took:.3f} s; tokenizer load began at {start.get('tokenizerBegan', '-')} ms, first open at {start.get('firstOpen', '-')} ms")
        print(f"{args.file.name}: median of {args.real}: {sorted(times)[len(times) // 2]:.3f} s; load {os.getloadavg()[0]:.1f}")
        sys.exit(0)
    if args.in_process:
        counter = default_counter()
        counter.count("loaded")
        steps = asyncio.run(one_save(args.in_process, text, Path(tempfile.mkdtemp()), counter, None))
        print(json.dumps(steps))
        sys.exit(0)
    print(f"{args.file.name}: {text.count(chr(10)):,} lines, {len(text.encode()):,} bytes; load {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as scratch:
        root = repository(Path(scratch), args.file)
        asyncio.run(main(text, root, args.repeat, args.profile, args.file if args.cold else None))
