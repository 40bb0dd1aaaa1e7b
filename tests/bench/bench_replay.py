"""Typing replay, side by side: deepseek-lsp, deepseek-lsp with naive settings (no debounce, no
cache, no prefetch), and tabby-agent 1.5.0, all against the same oracle backend.

Each site (``corpus.replay_sites``: real standard-library and npm-package code, spans of 1-6
lines inside a function body) is opened with the span removed, then typed: Enter (with the
line's indentation, as an editor's auto-indent inserts it) and one character per keystroke, with
human timing (about 90 ms between keys, longer pauses at line ends). Every keystroke is one
incremental ``didChange`` and one completion request, and cancels the previous request with
``$/cancelRequest`` as VS Code does (``--no-cancel`` adds a column whose client sends none, as
Helix, Emacs, Sublime LSP and Kate; ``--ask-after-ms 50`` one whose client asks 50 ms after the
key and its cancel, as VS Code's own debounce does). deepseek-lsp is asked ``textDocument/inlineCompletion``;
tabby-agent only implements ``textDocument/completion`` over LSP, and its first item's text edit
is its suggestion.

A suggestion is *shown* when its answer arrives before the next keystroke. It *agrees* when the
rest of the span starts with it (trailing whitespace trimmed); then the user accepts it whole
after a 250 ms reading delay, as one ``didChange`` (an accept counts as a keystroke and asks
again). The backend (``oracle.py``, a fake DeepSeek/Tabby server in its own process) answers with
the true missing text after a realistic latency, and logs every request, including hang-ups.

Billing follows the fake's usage (4 characters a token, a simulated provider prefix cache); for
tabby-agent, whose Tabby API has no usage, the same simulation runs over the prompt a Tabby
server would send (its snippets, then prefix and suffix). A request the client hung up on pays its
whole prompt and the tokens generated until the hang-up.

    python tests/bench/bench_replay.py [--sites 24] [--seed 1] [--out replay.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from deepseek_lsp.model.prices import PriceTable  # noqa: E402
from tests.bench.corpus import Site, describe_corpus, replay_sites  # noqa: E402
from tests.bench.lsp_client import Call, LspClient, utf16_len  # noqa: E402
from tests.bench.oracle import FIM_PATH, TABBY_PATH, OracleProcess  # noqa: E402
from tests.bench.peers import DEEPSEEK, NAIVE, TABBY, Peer, start, tabby_problem  # noqa: E402
from tests.fake_deepseek import PrefixCache, approx_tokens  # noqa: E402

TTFT_S = 0.150
PER_TOKEN_S = 0.008
READ_DELAY_S = 0.250
COMPLETION_MODEL = "deepseek-v4-flash"
REVIEW_MODEL = "deepseek-v4-pro"
DAY_KEYSTROKES = 10_000
DAY_REVIEWED_SAVES = 50
REVIEW_OUTPUT_TOKENS_ESTIMATE = 300  # findings JSON per reviewed save (an estimate)
OFF_PEAK = datetime(2026, 11, 30, 14, 0, tzinfo=timezone.utc)  # a Monday, 14:00 UTC
PEAK = datetime(2026, 11, 30, 8, 0, tzinfo=timezone.utc)  # a Monday, 08:00 UTC


def pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p * len(ordered)) - 1))]


# -- the simulated user ---------------------------------------------------------------------------


def key_delays(site: Site, seed: int, cadence_s: float | None = None) -> list[float]:
    """Seconds the user waits before the next key, for each position in ``site.typed``.

    The same for every server, whatever it suggested: at a given position the user takes the
    same time. About 90 ms between characters; 150-400 ms before pressing Enter at the end of a
    line; 300-800 ms after Enter, before the line's first character (thinking). ``cadence_s``:
    the gap between characters drawn around it instead (a quarter of it as the spread).
    """
    rng = random.Random(f"{seed}:{site.label}" if cadence_s is None else f"{seed}:{cadence_s}:{site.label}")
    typed = site.typed
    out = []
    for k in range(len(typed) + 1):
        if cadence_s is None:
            base = min(max(rng.gauss(0.090, 0.030), 0.035), 0.300)
        else:
            base = min(max(rng.gauss(cadence_s, cadence_s / 4), cadence_s / 2), cadence_s * 2)
        end_pause = rng.uniform(0.150, 0.400)
        start_pause = rng.uniform(0.300, 0.800)
        line_start = typed.rfind("\n", 0, k)
        if k < len(typed) and typed[k] == "\n":
            out.append(end_pause)
        elif line_start >= 0 and not typed[line_start + 1 : k].strip():
            out.append(start_pause)
        else:
            out.append(base)
    return out


def next_key(typed: str, k: int) -> str:
    """One keystroke's text: a character, or Enter with the next line's indentation."""
    if typed[k] != "\n":
        return typed[k]
    end = typed.find("\n", k + 1)
    line = typed[k + 1 :] if end < 0 else typed[k + 1 : end]
    return "\n" + line[: len(line) - len(line.lstrip(" \t"))]


def unassisted_keys(site: Site) -> int:
    """Keystrokes needed to type the span with no completion at all (Enter + indent is one)."""
    k = n = 0
    while k < len(site.typed):
        k += len(next_key(site.typed, k))
        n += 1
    return n


def _py_index(line: str, u16: int) -> int:
    n = 0
    for i, ch in enumerate(line):
        if n >= u16:
            return i
        n += 2 if ord(ch) > 0xFFFF else 1
    return len(line)


def suggestion_of(result: Any, peer: Peer, line_before: str, cursor_char: int) -> str:
    """The text the first item would insert at the cursor ('' for none)."""
    if not result:
        return ""
    items = result.get("items") if isinstance(result, dict) else result
    if not items:
        return ""
    item = items[0]
    if peer.inline:
        text = item.get("insertText")
        if isinstance(text, dict):
            text = text.get("value", "")
        rng = item.get("range")
    else:
        edit = item.get("textEdit")
        if edit:
            text, rng = edit.get("newText", ""), edit.get("range") or edit.get("insert")
        else:
            text, rng = item.get("insertText") or item.get("label", ""), None
    text = text or ""
    if rng:
        start = rng["start"]["character"]
        if start > cursor_char:
            return ""
        already = line_before[_py_index(line_before, start) :]
        if not text.startswith(already):
            return ""
        text = text[len(already) :]
    return text


@dataclass
class Tally:
    sites: int = 0
    typed_keys: int = 0
    unassisted_keys: int = 0
    accepts: int = 0
    chars_total: int = 0
    chars_accepted: int = 0
    requests: int = 0
    answered_in_time: int = 0
    shown: int = 0
    shown_agreeing: int = 0
    errors: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    #: Of the suggestions the user accepted: how long they took to come.
    agreeing_latencies_ms: list[float] = field(default_factory=list)
    per_site: list[dict[str, Any]] = field(default_factory=list)

    @property
    def keystrokes(self) -> int:
        return self.typed_keys + self.accepts


class Session:
    """One server, typing the sites one after the other."""

    def __init__(self, client: LspClient, peer: Peer, tally: Tally) -> None:
        self.client = client
        self.peer = peer
        self.tally = tally
        self.pending: Call | None = None

    def _position(self, text_before: str) -> tuple[int, int, str]:
        line = text_before.count("\n")
        line_before = text_before[text_before.rfind("\n") + 1 :]
        return line, utf16_len(line_before), line_before

    def cancel_pending(self) -> None:
        if self.pending is not None:
            if self.peer.cancels:
                self.client.cancel(self.pending)
            self.client.forget(self.pending)
            self.pending = None

    def ask(self, uri: str, line: int, char: int) -> Call:
        self.cancel_pending()
        params: dict[str, Any] = {
            "textDocument": {"uri": uri},
            "position": {"line": line, "character": char},
        }
        if self.peer.inline:
            params["context"] = {"triggerKind": 2}  # Automatic
            method = "textDocument/inlineCompletion"
        else:
            params["context"] = {"triggerKind": 1}
            method = "textDocument/completion"
        self.pending = self.client.request(method, params)
        self.tally.requests += 1
        return self.pending

    async def type_site(self, site: Site, delays: list[float]) -> None:
        client, tally = self.client, self.tally
        uri = f"file:///bench/ws/{site.file.path}"
        typed = site.typed
        version = 1
        client.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": site.file.language, "version": 1,
                              "text": site.before + site.after}},
        )
        await asyncio.sleep(0.5)  # the user finds the place
        k = 0
        accepted_here = 0
        # Keys typed at this site before its first suggestion was shown: a first request answered
        # late (a start-up's or a language's first work in its way) reads as a high count here.
        typed_here = 0
        first_shown: int | None = None

        async def apply(text: str) -> Call:
            nonlocal k, version
            line, char, _ = self._position(site.before + typed[:k])
            version += 1
            client.notify(
                "textDocument/didChange",
                {"textDocument": {"uri": uri, "version": version},
                 "contentChanges": [{"range": {"start": {"line": line, "character": char},
                                               "end": {"line": line, "character": char}},
                                     "text": text}]},
            )
            k += len(text)
            line, char, _ = self._position(site.before + typed[:k])
            if self.peer.ask_after_ms:
                # VS Code hangs up on the request at the key, and asks again after its debounce.
                self.cancel_pending()
                await asyncio.sleep(self.peer.ask_after_ms / 1000)
            return self.ask(uri, line, char)

        loop = asyncio.get_running_loop()
        while k < len(typed):
            pressed = loop.time()
            call = await apply(next_key(typed, k))
            tally.typed_keys += 1
            typed_here += 1
            deadline = pressed + delays[k]
            while True:
                remaining = deadline - loop.time()
                if remaining > 0 and not call.future.done():
                    await asyncio.wait([call.future], timeout=remaining)
                if not call.future.done() or call.answered is None:
                    break  # the next key comes first
                if call.error is not None:
                    tally.errors += 1
                tally.answered_in_time += 1
                _, char, line_before = self._position(site.before + typed[:k])
                text = suggestion_of(call.result, self.peer, line_before, char)
                agree = text.rstrip()
                if text and first_shown is None:
                    first_shown = typed_here
                if not agree:
                    if text:
                        tally.shown += 1
                        tally.latencies_ms.append((call.answered - call.sent) * 1000)
                    await asyncio.sleep(max(0.0, deadline - loop.time()))
                    break
                tally.shown += 1
                tally.latencies_ms.append((call.answered - call.sent) * 1000)
                if not typed[k:].startswith(agree):
                    await asyncio.sleep(max(0.0, deadline - loop.time()))
                    break
                tally.shown_agreeing += 1
                tally.agreeing_latencies_ms.append(tally.latencies_ms[-1])
                await asyncio.sleep(READ_DELAY_S)
                item = ((call.result or {}).get("items") or [{}])[0] if isinstance(call.result, dict) else {}
                pressed = loop.time()
                call = await apply(agree)
                if self.peer.inline and item.get("command"):
                    cmd = item["command"]
                    client.request("workspace/executeCommand",
                                   {"command": cmd["command"], "arguments": cmd.get("arguments", [])})
                tally.accepts += 1
                tally.chars_accepted += len(agree)
                accepted_here += len(agree)
                if k >= len(typed):
                    break
                deadline = pressed + delays[k]
        await asyncio.sleep(0.3)
        if self.pending is not None:
            if self.peer.cancels:
                client.cancel(self.pending)
            client.forget(self.pending)
            self.pending = None
        client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
        tally.sites += 1
        tally.chars_total += len(typed)
        tally.unassisted_keys += unassisted_keys(site)
        tally.per_site.append({"site": site.label, "chars": len(typed), "accepted": accepted_here,
                               "keys_before_first_shown": first_shown})


# -- billing --------------------------------------------------------------------------------------


def _generated_tokens(rec: dict[str, Any], total: int, ttft: float, per_token: float) -> int:
    """Completion tokens a request produced: all of them, or those before the client hung up."""
    if not rec.get("disconnected") or rec.get("disconnected_at") is None:
        return total
    elapsed = rec["disconnected_at"] - rec["received_at"]
    if elapsed < ttft:
        return 0
    return min(total, 1 + int((elapsed - ttft) / per_token) if per_token else total)


def tabby_prompt_text(body: dict[str, Any]) -> str:
    """What a Tabby server puts before the model: snippets first, then prefix, then suffix."""
    seg = body.get("segments") or {}
    parts = []
    for snip in [*(seg.get("declarations") or []), *(seg.get("relevant_snippets_from_changed_files") or [])]:
        parts.append(f"// {snip.get('filepath', '')}\n{snip.get('body', '')}\n")
    return "".join(parts) + str(seg.get("prefix") or "") + "\x00" + str(seg.get("suffix") or "")


def bill(records: list[dict[str, Any]], peer: Peer, ttft: float, per_token: float) -> dict[str, Any]:
    path = TABBY_PATH if peer.kind == "tabby" else FIM_PATH
    reqs = sorted((r for r in records if r["path"] == path), key=lambda r: r["received_at"])
    cache = PrefixCache()
    hit = miss = out = out_full = out_hung_up = 0
    warm_hit = warm_prompt = 0  # requests after the first at each site
    last_site = None
    for rec in reqs:
        body = rec["json"] or {}
        if peer.kind == "tabby":
            text = tabby_prompt_text(body)
            prompt = approx_tokens(text)
            h = cache.hit_tokens("tabby", text)
            produced = approx_tokens(rec.get("answer") or "")
            site = str((body.get("segments") or {}).get("suffix") or "")[:200]
        else:
            usage = rec.get("usage") or {}
            prompt = usage.get("prompt_tokens", 0)
            h = usage.get("prompt_cache_hit_tokens", 0)
            produced = usage.get("completion_tokens", 0)
            site = str(body.get("suffix") or "")[:200]
        if site == last_site:  # the text after the cursor tells the sites apart
            warm_hit += h
            warm_prompt += prompt
        last_site = site
        hit += h
        miss += prompt - h
        out_full += produced
        generated = _generated_tokens(rec, produced, ttft, per_token)
        out += generated
        if rec.get("disconnected"):
            out_hung_up += generated
    prices = PriceTable()
    return {
        "backend_requests": len(reqs),
        "backend_cancelled": sum(1 for r in reqs if r.get("disconnected")),
        "other_requests": sorted({r["path"] for r in records if r["path"] != path}),
        "prompt_tokens": hit + miss,
        "prompt_cache_hit_tokens": hit,
        "prompt_cache_miss_tokens": miss,
        "completion_tokens": out,
        "completion_tokens_if_not_cancelled": out_full,
        #: Of ``completion_tokens``, those of the streams hung up on: what closing them sooner
        #: (or at once, not kept for a request to join) could save at most.
        "completion_tokens_hung_up": out_hung_up,
        "cache_hit_share": hit / (hit + miss) if hit + miss else None,
        "cache_hit_share_after_first_request_per_site": warm_hit / warm_prompt if warm_prompt else None,
        "cost_usd_off_peak": prices.cost(COMPLETION_MODEL, hit, miss, out, OFF_PEAK),
        "cost_usd_peak": prices.cost(COMPLETION_MODEL, hit, miss, out, PEAK),
    }


# -- one column -----------------------------------------------------------------------------------


async def run_peer(
    peer: Peer, sites: list[Site], seed: int, workdir: Path, *, ttft: float, per_token: float,
    dump: Path | None = None, oracle_args: tuple[str, ...] = (),
    delays: Callable[[Site, int], list[float]] = key_delays, python_code: str | None = None,
) -> dict[str, Any]:
    oracle = await OracleProcess.start(
        "--seed", str(seed), "--sites", str(len(sites)), "--ttft", str(ttft), "--per-token", str(per_token),
        *oracle_args,
    )
    started = time.monotonic()
    tally = Tally()
    client: LspClient | None = None
    try:
        client = await start(peer, oracle.url, workdir / peer.name.replace(" ", "-"), root="/bench/ws",
                             python_code=python_code)
        await asyncio.sleep(1.0)  # let the server settle (tokenizer, health check)
        session = Session(client, peer, tally)
        for site in sites:
            await session.type_site(site, delays(site, seed))
        await asyncio.sleep(1.0)  # let background work (prefetch) finish before reading the logs
        stats = usage = None
        if peer.kind == "deepseek":
            stats = await client.call("deepseek/completionStats", {})
            usage = await client.call("deepseek/usage", {})
        rss_kb = client.rss_kb()
        records = await oracle.requests()
    finally:
        if client is not None:
            await client.stop()
        await oracle.stop()
    if dump is not None:
        dump.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240
        (dump / f"{peer.name.replace(' ', '-')}.requests.json").write_text(json.dumps(records))
    billing = bill(records, peer, ttft, per_token)
    keys = tally.keystrokes
    work = tally.unassisted_keys
    result: dict[str, Any] = {
        "peer": peer.name,
        "settings": peer.settings,
        "seconds": round(time.monotonic() - started, 1),
        "keystrokes": keys,
        "unassisted_keystrokes": work,
        "typed_keys": tally.typed_keys,
        "accepts": tally.accepts,
        "chars_total": tally.chars_total,
        "chars_accepted": tally.chars_accepted,
        "accepted_share": tally.chars_accepted / tally.chars_total if tally.chars_total else 0.0,
        "lsp_requests": tally.requests,
        "answered_before_next_key": tally.answered_in_time,
        "shown": tally.shown,
        "shown_agreeing": tally.shown_agreeing,
        "errors_in_time": tally.errors,
        "latency_ms": {
            "n": len(tally.latencies_ms),
            "p50": pct(tally.latencies_ms, 0.50),
            "p95": pct(tally.latencies_ms, 0.95),
            "p99": pct(tally.latencies_ms, 0.99),
        },
        "agreeing_latency_ms": {
            "n": len(tally.agreeing_latencies_ms),
            "p50": pct(tally.agreeing_latencies_ms, 0.50),
            "p95": pct(tally.agreeing_latencies_ms, 0.95),
        },
        **billing,
        # Per keystroke pressed (typed keys + accepts): fewer keys are pressed the more is accepted.
        "backend_requests_per_keystroke": billing["backend_requests"] / keys if keys else None,
        "backend_requests_per_100_keystrokes": 100 * billing["backend_requests"] / keys if keys else None,
        # Per keystroke of work (the keys the same code takes without completion): the same
        # denominator for every column, so it compares requests and cost for equal output.
        "backend_requests_per_work_keystroke": billing["backend_requests"] / work if work else None,
        "cost_usd_per_work_keystroke_off_peak": billing["cost_usd_off_peak"] / work if work else None,
        "cost_usd_per_work_keystroke_peak": billing["cost_usd_peak"] / work if work else None,
        "server_rss_mb_after_replay": round(rss_kb / 1024, 1),
        "server_stats": stats,
        "server_usage_session": (usage or {}).get("session"),
        "per_site": tally.per_site,
    }
    return result


# -- review cost for the developer-day ------------------------------------------------------------


async def review_per_save(seed: int) -> dict[str, Any]:
    """Prompt tokens and cache share of one reviewed save, measured by ``bench_review.py``."""
    try:
        from tests.bench.bench_review import bench, module_source

        path, text = module_source("argparse")
        res = await bench("argparse", path, text, 12, seed)
        unit = res["unit_level"]
        prompt = float(unit["prompt_tokens_per_save"])
        share = float(unit["cache_hit_share"])
        source = "measured by tests/bench/bench_review.py (argparse, 12 saves, unit-level)"
    except Exception as exc:
        prompt, share = 1100.0, 0.45
        source = f"estimated (bench_review.py failed: {exc!r})"
    hit = prompt * share
    prices = PriceTable()
    out = REVIEW_OUTPUT_TOKENS_ESTIMATE
    return {
        "source": source,
        "prompt_tokens": prompt,
        "cache_hit_share": share,
        "output_tokens": out,
        "output_tokens_source": "estimate (a findings JSON of a few hundred tokens)",
        "cost_usd_off_peak": prices.cost(REVIEW_MODEL, round(hit), round(prompt - hit), out, OFF_PEAK),
        "cost_usd_peak": prices.cost(REVIEW_MODEL, round(hit), round(prompt - hit), out, PEAK),
    }


def developer_day(col: dict[str, Any], review: dict[str, Any] | None) -> dict[str, Any]:
    day: dict[str, Any] = {}
    for when in ("off_peak", "peak"):
        per_key = col.get(f"cost_usd_per_work_keystroke_{when}")
        if per_key is None:
            continue
        completions = per_key * DAY_KEYSTROKES
        reviews = review[f"cost_usd_{when}"] * DAY_REVIEWED_SAVES if review else 0.0
        day[when] = {
            "completions_usd": completions,
            "reviews_usd": reviews,
            "total_usd": completions + reviews,
        }
    return day


# -- entry point ----------------------------------------------------------------------------------


async def run_replay(
    seed: int, count: int, *, sequential: bool = False, peers: tuple[Peer, ...] = (DEEPSEEK, NAIVE, TABBY),
    ttft: float = TTFT_S, per_token: float = PER_TOKEN_S, review: bool = True, dump: Path | None = None,
) -> dict[str, Any]:
    sites = replay_sites(seed, count)
    problem = tabby_problem()
    runnable = [p for p in peers if not (p.kind == "tabby" and problem)]
    results: dict[str, Any] = {
        "seed": seed,
        "load_average_before": list(os.getloadavg()),
        "backend_latency": {"ttft_s": ttft, "per_token_s": per_token},
        "corpus": describe_corpus(sites),
        "columns": {},
    }
    if problem and any(p.kind == "tabby" for p in peers):
        results["tabby_problem"] = problem
    with tempfile.TemporaryDirectory(prefix="bench-replay-") as tmp:
        work = Path(tmp)
        if sequential:
            outs = [await run_peer(p, sites, seed, work, ttft=ttft, per_token=per_token, dump=dump) for p in runnable]
        else:
            outs = await asyncio.gather(
                *(run_peer(p, sites, seed, work, ttft=ttft, per_token=per_token, dump=dump) for p in runnable),
                return_exceptions=True,
            )
        for peer, out in zip(runnable, outs, strict=True):
            if isinstance(out, BaseException):
                tail = ""
                log = work / peer.name.replace(" ", "-") / f"{peer.kind}.stderr.log"
                if log.is_file():
                    tail = log.read_text(errors="replace")[-2000:]
                results["columns"][peer.name] = {"error": repr(out), "stderr_tail": tail}
            else:
                results["columns"][peer.name] = out
    results["load_average_after"] = list(os.getloadavg())
    review_cost = await review_per_save(seed) if review else None
    results["review_per_save"] = review_cost
    for name, col in results["columns"].items():
        if "error" not in col:
            col["developer_day"] = developer_day(col, review_cost if name != TABBY.name else None)
    return results


def _fmt(value: Any, spec: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    return format(value, spec)


def replay_rows(results: dict[str, Any]) -> list[tuple[str, list[str]]]:
    cols = results["columns"]
    names = list(cols)

    def row(label: str, fn: Any) -> tuple[str, list[str]]:
        out = []
        for n in names:
            c = cols[n]
            if "error" in c:
                out.append("error")
                continue
            try:
                out.append(fn(c))
            except (KeyError, TypeError):
                out.append("-")
        return label, out

    def stat(c: dict[str, Any], key: str) -> str:
        hits = (c.get("server_stats") or {}).get("cacheHits") or {}
        return str(hits.get(key, 0)) if c.get("server_stats") else "-"

    return [
        row("keystrokes pressed (typed + accepts)", lambda c: f"{c['keystrokes']} ({c['typed_keys']} + {c['accepts']})"),
        row("characters accepted", lambda c: f"{100 * c['accepted_share']:.1f} % ({c['chars_accepted']}/{c['chars_total']})"),
        row("backend requests (cancelled)", lambda c: f"{c['backend_requests']} ({c['backend_cancelled']})"),
        row("  per keystroke pressed", lambda c: f"{c['backend_requests_per_keystroke']:.3f}"),
        row("  per keystroke of work", lambda c: f"{c['backend_requests_per_work_keystroke']:.3f} (/{c['unassisted_keystrokes']})"),
        row("keystroke-to-suggestion p50 ms", lambda c: _fmt(c["latency_ms"]["p50"], ".0f")),
        row("keystroke-to-suggestion p95 ms", lambda c: _fmt(c["latency_ms"]["p95"], ".0f")),
        row("keystroke-to-suggestion p99 ms", lambda c: _fmt(c["latency_ms"]["p99"], ".0f")),
        row("suggestions shown (agreeing)", lambda c: f"{c['shown']} ({c['shown_agreeing']})"),
        row("prompt tokens: cache hit / miss", lambda c: f"{c['prompt_cache_hit_tokens']} / {c['prompt_cache_miss_tokens']}"),
        row("provider-cache hit share", lambda c: f"{100 * c['cache_hit_share']:.1f} %" if c["cache_hit_share"] is not None else "-"),
        row("  without each site's first request", lambda c: f"{100 * c['cache_hit_share_after_first_request_per_site']:.1f} %"),
        row("completion tokens billed", lambda c: f"{c['completion_tokens']}"),
        row("own cache hits: exact / typing / in-flight / prefetch", lambda c: (
            f"{stat(c, 'exact')} / {stat(c, 'typing')} / {stat(c, 'inflight')} / {stat(c, 'prefetch')}")),
        row("cost of the replay, USD (off-peak / peak)", lambda c: f"{c['cost_usd_off_peak']:.5f} / {c['cost_usd_peak']:.5f}"),
        row("developer-day completions, USD", lambda c: f"{c['developer_day']['off_peak']['completions_usd']:.4f} / {c['developer_day']['peak']['completions_usd']:.4f}"),
        row("developer-day total (+50 reviews), USD", lambda c: (
            f"{c['developer_day']['off_peak']['total_usd']:.4f} / {c['developer_day']['peak']['total_usd']:.4f}"
            if c["developer_day"]["off_peak"]["reviews_usd"] else "n/a (no review)")),
    ]


def report_columns(results: dict[str, Any], rows: list[tuple[str, list[str]]], out: str | None) -> None:
    """Print each failed column's error, then the table; write ``results`` to ``out`` as JSON."""
    for name, col in results["columns"].items():
        if "error" in col:
            print(f"{name} failed: {col['error']}\n{col.get('stderr_tail', '')}")
    print_table(list(results["columns"]), rows)
    if out:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_text(json.dumps(results, indent=2))


def print_table(header: list[str], rows: list[tuple[str, list[str]]]) -> None:
    width = max(len(label) for label, _ in rows)
    widths = [max(len(h), *(len(v[i]) for _, v in rows)) for i, h in enumerate(header)]
    print(f"| {'':<{width}} | " + " | ".join(f"{h:<{w}}" for h, w in zip(header, widths, strict=True)) + " |")
    print(f"|{'-' * (width + 2)}|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for label, values in rows:
        print(f"| {label:<{width}} | " + " | ".join(f"{v:<{w}}" for v, w in zip(values, widths, strict=True)) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=int, default=24)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sequential", action="store_true", help="one column after the other")
    parser.add_argument("--no-review", action="store_true", help="skip bench_review.py")
    parser.add_argument("--suffix-share", type=float, action="append", default=[],
                        help="add a deepseek-lsp column with this completion.suffixShare")
    parser.add_argument("--no-cancel", action="store_true",
                        help="add a deepseek-lsp column whose client sends no $/cancelRequest (Helix, Emacs, Kate)")
    parser.add_argument("--ask-after-ms", type=int, default=0,
                        help="add a deepseek-lsp column whose client asks this long after the key and its "
                             "cancel (VS Code: 50, its own debounce)")
    parser.add_argument("--dump", help="write every backend request each column made to this folder")
    parser.add_argument("--out", help="write the results as JSON here")
    args = parser.parse_args()
    extra = tuple(
        Peer(f"deepseek-lsp suffixShare={x}", "deepseek", {"completion": {"suffixShare": x}})
        for x in args.suffix_share
    ) + ((Peer("deepseek-lsp, no cancel", "deepseek", cancels=False),) if args.no_cancel else ()) + (
        (Peer(f"deepseek-lsp, asks {args.ask_after_ms} ms after", "deepseek", ask_after_ms=args.ask_after_ms),)
        if args.ask_after_ms else ()
    )
    results = asyncio.run(run_replay(
        args.seed, args.sites, sequential=args.sequential, review=not args.no_review,
        dump=Path(args.dump) if args.dump else None, peers=(DEEPSEEK, NAIVE, TABBY, *extra),
    ))
    if "tabby_problem" in results:
        print(f"tabby-agent cannot run: {results['tabby_problem']}")
    for name, col in results["columns"].items():
        if "error" in col:
            print(f"{name} failed: {col['error']}\n{col['stderr_tail']}")
    print_table(list(results["columns"]), replay_rows(results))
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()

