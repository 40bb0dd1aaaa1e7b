"""How often a prompt's head (what comes above the cursor's window: the definitions, the path,
the imports, the scope headers) changes between two requests at one site, and why.

DeepSeek's prefix cache serves a prompt's tokens up to its first difference from an earlier one:
a head that changes between two keys at the same site loses the whole prompt. This types the
replay's sites (``corpus.replay_sites``, as ``bench_replay``'s deepseek-lsp column, with human
timing) into a server whose ``PromptBuilder.prompt`` is wrapped to log each prompt's head and
whether the snippets kept for the site were reused, and if not, which of the reasons to choose
them anew held (``INCOMPLETE``: the time box left files to idle indexing, done since;
``SOURCES``: a crawl finished or a file was opened; ``AGE``: kept too long; otherwise the cursor
left the window or a new dot or word asked for more: the user's doing). The first two depend on
the host's speed, not on what the user typed.

Prints, per reason, the consecutive requests at one site whose head changed, and the tokens
(the fake's 4 characters a token) each lost against the same prompt with the previous head.

    python tests/bench/bench_prompt_heads.py [--sites 24] [--seed 1] [--out heads.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.bench.bench_replay import PER_TOKEN_S, TTFT_S, run_peer  # noqa: E402
from tests.bench.corpus import replay_sites  # noqa: E402
from tests.bench.peers import DEEPSEEK  # noqa: E402
from tests.fake_deepseek import CHARS_PER_TOKEN  # noqa: E402

LOG_ENV = "BENCH_PROMPT_HEADS_LOG"

#: The server, its PromptBuilder.prompt logging each head and why the snippets were not reused.
SERVER = r'''
import json, os, runpy, time
from deepseek_lsp.completion import prompting as p
from deepseek_lsp.workspace_symbols import family

_out = open(os.environ["BENCH_PROMPT_HEADS_LOG"], "a", buffering=1)
_orig = p.PromptBuilder.prompt

def _reasons(self, req, prev):
    doc = req.doc
    if prev is None or doc.language is None:
        return ["none"]
    lang = doc.language
    out = []
    if not (prev.window_start <= req.offset <= prev.window_end + max(0, len(doc.data) - prev.doc_len)):
        out.append("window")
    if time.monotonic() - prev.at >= p.CONTEXT_REUSE_S:
        out.append("age")
    if not (prev.complete or self.idle.indexing_now()):
        out.append("incomplete")
    key = (tuple(self.services.workspace_folders), self.settings.exclude, self.history.opens,
           self._switches(), self.symbols.crawled[family(lang.name)])
    for name, a, b in zip(("folders", "exclude", "opens", "switches", "crawled"), prev.sources_key, key):
        if a != b:
            out.append("sources:" + name)
    documents = self.services.documents
    if not all((d := documents.get(s.source[0])) is not None and d.edit_count == s.source[1]
               for s in prev.snippets if s.source is not None):
        out.append("source-edited")
    if any(n > prev.edit_serial for u, n in self.history.last_edited.items() if u != doc.uri):
        out.append("other-edit")
    return out

_orig_build = p.PromptBuilder._build
_last = {}

def _build(self, req, inserted, snippets, scopes, imports, kept_start=None):
    fim = _orig_build(self, req, inserted, snippets, scopes, imports, kept_start)
    # The same prompt with every line counted afresh: a window start that differs is one the
    # kept line counts chose.
    saved = self.line_tokens.counter
    self.line_tokens.counter = lambda doc, count: None
    try:
        ref = _orig_build(self, req, inserted, snippets, scopes, imports, kept_start)
    finally:
        self.line_tokens.counter = saved
    _last["ref_window_start"] = ref.window_start
    return fim

p.PromptBuilder._build = _build

def _prompt(self, req, inserted=""):
    prev = self.contexts.get(req.doc.uri)
    reasons = _reasons(self, req, prev)
    own = self.indexer.built(req.doc)
    own_fresh = own is not None and own.edit_count == req.doc.edit_count
    fim = _orig(self, req, inserted)
    cur = self.contexts.get(req.doc.uri)
    window = req.data[fim.window_start:req.offset].decode("utf-8", "replace") + req.inserted + inserted
    head = fim.prompt[: len(fim.prompt) - len(window)] if fim.prompt.endswith(window) else None
    reused = prev is not None and cur is not None and cur.snippets is prev.snippets
    _out.write(json.dumps({
        "uri": req.doc.uri, "offset": req.offset, "inserted": bool(inserted or req.inserted),
        "head": head, "prompt": fim.prompt, "window_start": fim.window_start, "reused": reused,
        "reasons": [] if reused else reasons, "own_index_fresh": own_fresh,
        "snippets": [[s.path, s.text[:60]] for s in (cur.snippets if cur is not None else [])],
        "t": time.monotonic(), "prompt_tokens": fim.prompt_tokens, "suffix_tokens": fim.suffix_tokens,
        "ref_window_start": _last.get("ref_window_start"), "window_end": fim.window_end}) + "\n")
    return fim

p.PromptBuilder.prompt = _prompt
runpy.run_module("deepseek_lsp", run_name="__main__")
'''


def _common(a: str, b: str) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


def cause(rec: dict[str, Any]) -> str:
    """What chose the snippets anew, by the host's timing or by the user's doing."""
    if rec["reused"]:
        return "kept (file head changed)"
    reasons = rec["reasons"]
    timed = [r for r in reasons if r in ("incomplete", "sources:crawled", "age")]
    if timed and not any(r in ("window", "source-edited", "other-edit", "sources:opens") for r in reasons):
        return "timing: " + "+".join(timed)
    return "user: " + ("+".join(reasons) if reasons else "dot/word")


def analyse(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Consecutive prompts at one site (the same document, between two others' requests) whose
    head differs, by cause, and the tokens each lost."""
    pairs: Counter[str] = Counter()
    lost: defaultdict[str, int] = defaultdict(int)
    sites: defaultdict[str, set[str]] = defaultdict(set)
    total = changed = moved = moved_lost = 0
    prev: dict[str, Any] | None = None
    for rec in records:
        if rec["inserted"]:
            continue  # a prefetch's prompt carries text not typed: its window is another
        if prev is not None and prev["uri"] == rec["uri"] and prev["head"] is not None and rec["head"] is not None:
            total += 1
            if prev["head"] == rec["head"] and prev["window_start"] != rec["window_start"]:
                # Not the head: the window's start moved (the file grew past the budget, the
                # tokenizer loaded since, a scope came or went at the cursor).
                moved += 1
                moved_lost += (len(prev["prompt"]) - _common(prev["prompt"], rec["prompt"])) // CHARS_PER_TOKEN
            if prev["head"] != rec["head"]:
                changed += 1
                why = cause(rec)
                pairs[why] += 1
                # What the prompt would have shared with the last one had its head stayed.
                had = len(prev["head"]) + _common(prev["prompt"][len(prev["head"]):], rec["prompt"][len(rec["head"]):])
                got = _common(prev["prompt"], rec["prompt"])
                lost[why] += max(0, had - got) // CHARS_PER_TOKEN
                sites[why].add(rec["uri"])
        prev = rec
    return {
        "pairs_at_one_site": total,
        "head_changed": changed,
        "window_moved": {"pairs": moved, "tokens_lost": moved_lost},
        "by_cause": {k: {"pairs": n, "tokens_lost": lost[k], "documents": len(sites[k])} for k, n in pairs.most_common()},
    }


async def run(sites: int, seed: int, log: Path, work: Path) -> None:
    os.environ[LOG_ENV] = str(log)
    peer = DEEPSEEK
    await run_peer(peer, replay_sites(seed, sites), seed, work, ttft=TTFT_S, per_token=PER_TOKEN_S,
                   python_code=SERVER)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=int, default=24)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", help="write every prompt logged and the figures as JSON here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "heads.jsonl"
        asyncio.run(run(args.sites, args.seed, log, Path(tmp)))
        records = [json.loads(line) for line in log.read_text().splitlines()]
    figures = analyse(records)
    print(f"{len(records)} prompts built, {sum(not r['inserted'] for r in records)} at the cursor")
    print(f"consecutive prompts at one site: {figures['pairs_at_one_site']}, head changed: {figures['head_changed']}")
    wm = figures["window_moved"]
    print(f"  the head the same, the window's start moved: {wm['pairs']} pairs, ~{wm['tokens_lost']} tokens lost")
    for why, row in figures["by_cause"].items():
        print(f"  {why}: {row['pairs']} pairs in {row['documents']} documents, ~{row['tokens_lost']} tokens lost")
    if args.out:
        Path(args.out).write_text(json.dumps({"figures": figures, "records": records}, indent=1))


if __name__ == "__main__":
    main()
