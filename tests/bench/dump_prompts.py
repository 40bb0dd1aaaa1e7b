"""Every prompt the server sends while the replay's sites are typed, for a before/after check.

A change meant to make the server faster must not change what the model is asked. This drives
the real server over stdio (``peers.start``) against the oracle with a fixed answer, with
nothing timed left to chance: ``completion.debounce: 0``, ``cache: false``, ``prefetch: false``,
a context time box of 10 s, the document's index rebuilt at each key (``SERVER``), and each key's
request answered before the next key. The replay's
files (``corpus.replay_sites``, the sites of bench_replay and bench_peers) are written to a
temporary workspace and all opened (the other tabs); each site is then typed key by key into its
file (opened again without its span, and again whole after), then ``--jumps`` seeded line ends of each file
are asked at (a request at a new position, as bench_overhead's).

Prints the number of backend requests and a SHA-256 of their prompts and suffixes in order,
their characters, and how many prompts have a snippet line (10 characters or more) that the
rest of the prompt holds too (the window, the suffix, the file's head): lines paid for twice.
``--out`` writes them as JSON for a diff.

    python tests/bench/dump_prompts.py [--sites 24] [--seed 1] [--jumps 10] [--out prompts.json]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import random
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.bench.bench_replay import next_key  # noqa: E402
from tests.bench.corpus import Site, SourceFile, replay_sites  # noqa: E402
from tests.bench.lsp_client import LspClient, utf16_len  # noqa: E402
from tests.bench.oracle import FIM_PATH, OracleProcess  # noqa: E402
from tests.bench.peers import Peer, start  # noqa: E402

#: The server, its own document's index rebuilt at every key: kept for ``INDEX_TTL_S`` while it
#: is typed in, which definitions a prompt held was the host's speed's.
SERVER = (
    "import runpy; import deepseek_lsp.context.indexer as i; i.INDEX_TTL_S = 0.0; "
    "runpy.run_module('deepseek_lsp', run_name='__main__')"
)
SETTINGS = {"completion": {"debounce": 0, "cache": False, "prefetch": False, "contextTimeoutMs": 10_000}}


def position(text: str) -> dict[str, int]:
    """The LSP position at the end of ``text``."""
    return {"line": text.count("\n"), "character": utf16_len(text[text.rfind("\n") + 1 :])}


class Typist:
    """Edits the open documents of one server and asks at each key."""

    def __init__(self, client: LspClient, settle_s: float = 1.0) -> None:
        self.client = client
        self.settle_s = settle_s
        self.versions: dict[str, int] = {}

    def reopen(self, uri: str, language: str, text: str) -> None:
        """Closed and opened again: the snippets kept for the document go (kept across sites,
        their ``CONTEXT_REUSE_S`` ran out at a time the host's speed chose)."""
        if uri in self.versions:
            self.client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
        self.versions[uri] = 1
        self.client.notify("textDocument/didOpen", {
            "textDocument": {"uri": uri, "languageId": language, "version": 1, "text": text}})

    def insert(self, uri: str, before: str, text: str) -> None:
        self.versions[uri] += 1
        at = position(before)
        self.client.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": self.versions[uri]},
            "contentChanges": [{"range": {"start": at, "end": at}, "text": text}]})

    async def ask(self, uri: str, before: str) -> None:
        await self.client.call("textDocument/inlineCompletion", {
            "textDocument": {"uri": uri}, "position": position(before), "context": {"triggerKind": 2}}, timeout=60)

    async def type_site(self, uri: str, site: Site) -> int:
        """Types ``site`` into ``uri``, asking at each key; how many requests that was."""
        self.reopen(uri, site.file.language, site.before + site.after)
        # Opened again, the document has no index: the others' snippets are reused, or not,
        # by whether it has been indexed while the user paused (``IdleWork``), done by now.
        await asyncio.sleep(self.settle_s)
        k = asked = 0
        while k < len(site.typed):
            key = next_key(site.typed, k)
            self.insert(uri, site.before + site.typed[:k], key)
            k += len(key)
            await self.ask(uri, site.before + site.typed[:k])
            asked += 1
        self.reopen(uri, site.file.language, site.file.text)
        await asyncio.sleep(self.settle_s)
        return asked


def write_workspace(sites: list[Site], ws: Path) -> dict[str, SourceFile]:
    """The files of ``sites`` written under ``ws``, by their path there."""
    files = {s.file.path: s.file for s in sites}
    for f in files.values():
        (ws / f.path).parent.mkdir(parents=True, exist_ok=True)
        (ws / f.path).write_text(f.text)
    return files


async def run(sites: list[Site], seed: int, jumps: int, work: Path) -> list[dict[str, Any]]:
    ws = work / "ws"
    files = write_workspace(sites, ws)
    oracle = await OracleProcess.start("--answer", "pass")
    client: LspClient | None = None
    try:
        client = await start(Peer("deepseek-lsp", "deepseek", SETTINGS), oracle.url, work / "logs", root=str(ws),
                             python_code=SERVER)
        typist = Typist(client)
        for f in files.values():
            typist.reopen((ws / f.path).as_uri(), f.language, f.text)
        # A first request in each language starts its crawl of the workspace, and the files
        # not indexed inside the time box are indexed while the user pauses: both done before
        # the typing, or when they end (and what the prompts hold) is the host's speed's.
        await asyncio.sleep(1.0)
        for f in files.values():
            await typist.ask((ws / f.path).as_uri(), f.text.split("\n")[0])
        await asyncio.sleep(5.0)
        warm_up = len(await oracle.requests())
        for site in sites:
            await typist.type_site((ws / site.file.path).as_uri(), site)
        rng = random.Random(seed)
        for f in files.values():
            lines = f.text.split("\n")
            ends = [i for i, line in enumerate(lines) if line.strip()]
            for i in sorted(rng.sample(ends, min(jumps, len(ends)))):
                await typist.ask((ws / f.path).as_uri(), "\n".join(lines[: i + 1]))
        records = await oracle.requests()
    finally:
        if client is not None:
            await client.stop()
        await oracle.stop()
    return [{"prompt": r["json"].get("prompt"), "suffix": r["json"].get("suffix")}
            for r in records[warm_up:] if r["path"] == FIM_PATH]


#: A file's label line in a prompt, whatever its comment (``# Path: a.py``, ``// Path: a.js``).
_LABEL = re.compile(r"^\S+ Path: ")


def repeated_snippet_lines(prompt: str, suffix: str) -> int:
    """The lines of ``prompt``'s snippets (the commented blocks before the file's own label)
    of 10 characters or more that the rest of the prompt or ``suffix`` holds too."""
    lines = prompt.split("\n")
    # The snippets' blocks end with a blank line, then the file's own label.
    cut = next((i for i in range(len(lines) - 1) if not lines[i] and _LABEL.match(lines[i + 1])), 0)
    marker = lines[0].split(" ", 1)[0] + " " if cut else ""
    rest = {line.strip() for line in [*lines[cut:], *suffix.split("\n")]}
    snippet = (line.removeprefix(marker).strip() for line in lines[:cut] if not _LABEL.match(line))
    return sum(len(line) >= 10 and line in rest for line in snippet)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=int, default=24)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jumps", type=int, default=10, help="line ends asked at per file, after the typing")
    parser.add_argument("--out", help="write the prompts as JSON here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        prompts = asyncio.run(run(replay_sites(args.seed, args.sites), args.seed, args.jumps, Path(tmp)))
    digest = hashlib.sha256(json.dumps(prompts).encode()).hexdigest()
    print(f"{len(prompts)} backend requests, prompts sha256 {digest}")
    chars = sum(len(p["prompt"] or "") + len(p["suffix"] or "") for p in prompts)
    repeated = [repeated_snippet_lines(p["prompt"] or "", p["suffix"] or "") for p in prompts]
    print(f"{chars:,} characters; {sum(n > 0 for n in repeated)} prompts repeat a snippet line ({sum(repeated):,} lines)")
    if args.out:
        Path(args.out).write_text(json.dumps(prompts, indent=1))


if __name__ == "__main__":
    main()
