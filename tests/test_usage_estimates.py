"""What a request that never reported its usage is recorded at: a completion whose stream the
server closed (the user typed on), over stdio against the fake DeepSeek server, whose prefix
cache reports as hits what an earlier prompt shared, as DeepSeek's does."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from deepseek_lsp.model import (
    ChatRequest,
    EndpointConfig,
    Ledger,
    ModelClient,
    Usage,
)
from deepseek_lsp.model.ledger import DB_NAME, UsageRecord
from deepseek_lsp.model.prefix_hits import KEPT, KEPT_CHARS, SentPrompts
from deepseek_lsp.model.sse import ChunkAccumulator
from deepseek_lsp.usage_report import ESTIMATED_TOKENS_HINT, print_usage, usage_summary
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import _to_dict, eventually, inline_params, insert, open_doc
from tests.test_completion_e2e import session, shown_with_prefetch
from tests.test_completion_edit_closes_stream import change

pytestmark = pytest.mark.usefixtures("state_dir")

FIM = "/beta/completions"
#: Code above the cursor: a prompt of several of the provider's 64-token cache units.
ABOVE = "".join(f"def helper_{i}(value):\n    return value * {i} + offset_{i}\n\n\n" for i in range(40))
CURSOR_LINE = ABOVE.count("\n") + 1
TEXT = ABOVE + "def f(x):\n    a = \n"
#: Long enough that its stream, held after its first chunk, is known unfinished when it closes.
ANSWER = "x + 1 if x else compute(x, y, z) + " + " + ".join(f"term_{i}(x)" for i in range(8))


async def _spent(client: Any) -> dict[str, Any]:
    usage = await client.protocol.send_request_async("deepseek/usage", {})
    return dict(_to_dict(usage)["session"]["features"].get("completion", {}))


def _minus(after: dict[str, Any], before: dict[str, Any]) -> dict[str, float]:
    keys = ("requests", "cancelled", "estimated", "prompt_tokens", "cache_hit_tokens", "cost_usd")
    return {k: after.get(k, 0) - before.get(k, 0) for k in keys}


async def test_a_closed_stream_s_prompt_is_priced_with_the_cache_hits_its_prompt_shares(tmp_path: Path) -> None:
    """The user types on: the request of one key before is closed unanswered, its usage never
    reported, and recorded at an estimate. Its prompt was the one before it plus a key, which
    the provider's cache holds but for the last unit; it was recorded all as cache misses
    (Flash's are 50 times a hit), so one such request showed more spent than 20 answered
    ones. Priced as the requests around it are, within the cache's unit."""
    with FakeDeepSeek() as fake:
        async with session(fake, tmp_path, {"debounce": 0, "prefetch": False, "cache": False}) as client:
            uri = "file:///ws/spend.py"
            open_doc(client, uri, TEXT)
            fake.script("x + 1", "x + 2")
            col = len("    a = ")
            assert (await client.text_document_inline_completion_async(inline_params(uri, CURSOR_LINE, col))).items
            before = await _spent(client)
            insert(client, uri, 2, CURSOR_LINE, col, "y")
            assert (await client.text_document_inline_completion_async(inline_params(uri, CURSOR_LINE, col + 1))).items
            answered = _minus(await _spent(client), before)
            assert answered["cache_hit_tokens"] > 0  # the provider's cache held the first prompt
            before = await _spent(client)

            fake.script(ANSWER)
            fake.pause_after("x")
            insert(client, uri, 3, CURSOR_LINE, col + 1, "z")
            asked = asyncio.ensure_future(client.text_document_inline_completion_async(inline_params(uri, CURSOR_LINE, col + 2)))
            assert await fake.wait_paused_async()
            held = fake.requests_to(FIM)[-1]
            change(client, uri, 4, (CURSOR_LINE, col + 2), (CURSOR_LINE, col + 2), "q")  # not what streams
            assert await fake.wait_closed_async(held, timeout=5)
            assert held.disconnected and not held.completed
            await asyncio.wait_for(asked, 5)
            fake.resume()
            closed = _minus(await _spent(client), before)
            answer = _to_dict(await client.protocol.send_request_async("deepseek/usage", {}))

    # Said to be estimated, in the answer the editors show: its figures read as DeepSeek's.
    assert answer["session"]["total"]["estimated"] == 1
    assert answer["estimated_tokens_hint"] == ESTIMATED_TOKENS_HINT

    assert closed["requests"] == closed["cancelled"] == closed["estimated"] == 1, closed
    assert closed["cache_hit_tokens"] >= closed["prompt_tokens"] - 2 * 64 > 0, closed
    assert closed["cost_usd"] < 2 * answered["cost_usd"], (closed, answered)


SYSTEM = "You review code. Answer in JSON. " + "Rule: say what a user would notice. " * 60


async def _chat_then_closed(
    fake: FakeDeepSeek, tmp_path: Path, base: str = "", answered_first: int = 2
) -> tuple[UsageRecord, UsageRecord]:
    """A review's requests on one file's units, ``answered_first`` of them answered, the next
    closed after its first chunk (a new save): the last two records."""
    with Ledger(tmp_path / DB_NAME) as ledger:
        async with ModelClient(EndpointConfig(base_url=fake.url + base, api_key=DEFAULT_KEY), ledger) as client:
            deadline = asyncio.get_running_loop().time() + 10
            units = [f"def unit_{i}(x):\n    return x + {i}\n" for i in range(3)]
            for unit in units[:answered_first]:
                await client.chat(ChatRequest([{"role": "system", "content": SYSTEM}, {"role": "user", "content": unit}]), deadline)
            fake.script("Looks good to me, " * 20)
            req = ChatRequest([{"role": "system", "content": SYSTEM}, {"role": "user", "content": units[answered_first]}])
            async with client.stream_chat(req, deadline) as stream:
                async for _ in stream:
                    break
        *_, answered, closed = ledger.recent
    return answered, closed


async def test_a_closed_review_request_is_priced_with_the_system_prompt_s_cache_hits(tmp_path: Path) -> None:
    """A review's requests share their system prompt and rubric, which the provider's cache
    holds after the first: one closed by a new save was recorded all as misses."""
    with FakeDeepSeek() as fake:
        answered, closed = await _chat_then_closed(fake, tmp_path)
    assert answered.cache_hit_tokens > 0 and not answered.estimated
    assert closed.estimated and closed.outcome == "cancelled"
    assert closed.cache_hit_tokens >= closed.prompt_tokens - 3 * 64 > 0, closed
    assert closed.cost < 3 * answered.cost, (closed, answered)


async def test_a_request_closed_after_one_answered_all_misses_is_priced_with_its_cache_hits(tmp_path: Path) -> None:
    """The first request of a session reads nothing from the provider's cache (its report: 0
    hits, all misses); the one after it, closed by a new save, shares its system prompt, which
    the cache holds from then on. A report of 0 hits was read as a server that tells none, and
    that closed request was recorded all as misses."""
    with FakeDeepSeek() as fake:
        answered, closed = await _chat_then_closed(fake, tmp_path, answered_first=1)
    assert answered.cache_hit_tokens == 0 and not answered.estimated
    assert closed.estimated and closed.outcome == "cancelled"
    assert closed.cache_hit_tokens >= closed.prompt_tokens - 3 * 64 > 0, closed


async def test_a_server_that_reports_no_cache_hits_has_none_estimated(tmp_path: Path) -> None:
    """vLLM's usage tells no cached tokens (its own prefix cache bills nothing): a closed
    request there stays all misses, as its price (if one is given) counts them."""
    with FakeDeepSeek() as fake:
        fake.server = "vllm"
        answered, closed = await _chat_then_closed(fake, tmp_path, "/v1")
    assert answered.cache_hit_tokens == 0
    assert closed.estimated and closed.cache_hit_tokens == 0 and closed.cache_miss_tokens == closed.prompt_tokens > 0


async def test_what_prefetches_cost_today_is_told_apart_from_completions_after_a_restart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """Today's and the month's spend per feature (completions, their prefetches, reviews): the
    usage file keeps it so, but only this session's was in the answer (and no editor showed
    it), so after a restart, or from `deepseek-lsp usage`, what the prefetches cost was in the
    model's one figure with no way to tell it."""
    with FakeDeepSeek() as fake:
        fake.script("x + 1", "\n    return a\n")
        async with session(fake, tmp_path, {"debounce": 0}) as client:
            await shown_with_prefetch(client, fake, "file:///ws/feat.py")
            assert await eventually(lambda: all(r.closed for r in fake.requests_to(FIM)), timeout=20)
            for _ in range(200):  # until the client has read the prefetch's end, and recorded it
                first = _to_dict(await client.protocol.send_request_async("deepseek/usage", {}))
                if "prefetch" in first["session"]["features"]:
                    break
                await asyncio.sleep(0.05)
        async with session(fake, tmp_path, {"debounce": 0}) as client:
            again = _to_dict(await client.protocol.send_request_async("deepseek/usage", {}))
    spent = first["session"]["features"]
    assert spent["prefetch"]["requests"] == spent["completion"]["requests"] == 1
    for scope in ("today", "month"):
        features = again[scope]["features"]
        assert {f: t["requests"] for f, t in features.items()} == {"completion": 1, "prefetch": 1}, features
        assert features["prefetch"]["cost_usd"] == pytest.approx(spent["prefetch"]["cost_usd"])
    monkeypatch.setenv("DEEPSEEK_LSP_STATE_DIR", str(tmp_path))
    for name in ("DEEPSEEK_BASE_URL", "DEEPSEEK_DAILY_BUDGET_USD"):
        monkeypatch.delenv(name, raising=False)
    assert print_usage() == 0
    out = capsys.readouterr().out
    assert "  by feature: completion <$0.0001 (1 request), prefetch <$0.0001 (1 request)" in out, out
    assert print_usage(as_json=True) == 0
    assert json.loads(capsys.readouterr().out)["today"]["features"]["prefetch"]["requests"] == 1


@pytest.mark.parametrize(
    ("dialect", "chunk", "tells"),
    [
        ("text", {"choices": [], "usage": {"prompt_tokens": 900, "prompt_cache_hit_tokens": 0, "prompt_cache_miss_tokens": 900}}, True),
        ("text", {"choices": [], "usage": {"prompt_tokens": 900, "prompt_tokens_details": {"cached_tokens": 0}}}, True),
        ("llamacpp", {"content": "", "stop": True, "tokens_evaluated": 900, "timings": {"cache_n": 0, "predicted_n": 3}}, True),
        ("text", {"choices": [], "usage": {"prompt_tokens": 900, "prompt_tokens_details": None}}, False),  # vLLM's
    ],
)
def test_a_first_report_of_no_cache_hit_still_tells_a_server_that_counts_them(
    dialect: Any, chunk: dict[str, Any], tells: bool
) -> None:
    """Each shape of usage report with a cache-hit count, 0 on a session's first request
    (DeepSeek's fields, ``cached_tokens``, llama-server's ``cache_n``), has the next request
    closed unreported estimated with the hits its prompt shares; one without a count has none."""
    acc = ChunkAccumulator(dialect)
    acc.feed(json.dumps(chunk))
    assert acc.usage is not None
    sent = SentPrompts()
    sent.reported("m", acc.usage)
    sent.sent("m", "x" * 4000)
    assert bool(sent.hit_tokens("m", "x" * 4000 + "y", 1000)) is tells


def test_the_usage_command_marks_the_figures_it_estimated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """A request closed before its usage came is counted here: "prompt hit 0 miss 77" read as
    DeepSeek's report, not as the server's estimate. Its totals' token figures are marked "~",
    the requests estimated counted, and what "~" means said once."""
    with Ledger(tmp_path / DB_NAME) as ledger:
        ledger.record(feature="completion", model="deepseek-v4-flash", usage=Usage(2000, 10, 1536, 464))
        ledger.record(feature="review", model="deepseek-v4-pro", usage=Usage(2000, 10, 1536, 464))
        ledger.record(
            feature="completion", model="deepseek-v4-flash", usage=Usage(2010, 4, 1984, 26), outcome="cancelled", estimated=True
        )
        assert usage_summary(ledger)["estimated_tokens_hint"] == ESTIMATED_TOKENS_HINT
    monkeypatch.setenv("DEEPSEEK_LSP_STATE_DIR", str(tmp_path))
    assert print_usage() == 0
    lines = capsys.readouterr().out.splitlines()
    today = next(line for line in lines if line.startswith("today"))
    assert ", 3 requests (1 estimated), ~84 % of the prompt from the provider's cache" in today, lines
    flash, pro = (
        next(line.split("  requests ")[1] for line in lines if model in line)
        for model in ("deepseek-v4-flash ", "deepseek-v4-pro ")
    )
    assert flash == "2 (1 estimated)  prompt hit ~3,520 miss ~490  output ~14", lines
    assert pro == "1  prompt hit 1,536 miss 464  output 10", lines  # reported, as it was
    assert f"estimated (~): {ESTIMATED_TOKENS_HINT}" in lines
    assert print_usage(as_json=True) == 0
    said = json.loads(capsys.readouterr().out)
    assert said["today"]["models"]["deepseek-v4-flash"]["estimated"] == 1
    assert said["estimated_tokens_hint"] == ESTIMATED_TOKENS_HINT


def test_the_prompts_kept_for_the_estimate_hold_no_megabytes() -> None:
    """A review's prompts are long: those kept are as many of the newest as fit in a bound, so
    the oldest shares no cache hit with a prompt like it any more."""
    sent = SentPrompts()
    sent.reported("deepseek-v4-pro", Usage(1000, 10, 900, 100))
    prompts = [f"{i}" * (KEPT_CHARS // 3) for i in range(KEPT)]
    for text in prompts:
        sent.sent("deepseek-v4-pro", text)
    held = [sent.hit_tokens("deepseek-v4-pro", text + "?", 10_000) for text in prompts]
    assert [bool(h) for h in held] == [False] * (KEPT - 3) + [True] * 3, held
    sent.sent("deepseek-v4-pro", "x" * 2 * KEPT_CHARS)  # the newest, however long
    assert sent.hit_tokens("deepseek-v4-pro", "x" * 2 * KEPT_CHARS, 10_000) > 0
    assert not sent.hit_tokens("deepseek-v4-pro", prompts[-1], 10_000)


async def test_the_share_of_prompt_tokens_the_provider_s_cache_held_is_told(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """Whether the provider's cache works for the user (a hit costs 2 % of a miss) is the figure
    that tells a spend to expect: the views gave the hit and miss counts alone, six- and
    seven-digit figures to divide by hand."""
    with FakeDeepSeek() as fake:
        async with session(fake, tmp_path, {"debounce": 0, "prefetch": False, "cache": False}) as client:
            uri = "file:///ws/share.py"
            open_doc(client, uri, TEXT)
            col = len("    a = ")
            for version, key in enumerate("yz", start=2):
                assert (await client.text_document_inline_completion_async(inline_params(uri, CURSOR_LINE, col))).items
                insert(client, uri, version, CURSOR_LINE, col, key)
                col += 1
            usage = _to_dict(await client.protocol.send_request_async("deepseek/usage", {}))
    total = usage["today"]["total"]
    share = total["cache_hit_tokens"] / total["prompt_tokens"]
    assert 0.3 < share < 0.7  # the second request's prompt, of two alike
    assert total["cache_hit_share"] == round(share, 4)
    monkeypatch.setenv("DEEPSEEK_LSP_STATE_DIR", str(tmp_path))
    assert print_usage() == 0
    out = capsys.readouterr().out
    today = next(line for line in out.splitlines() if line.startswith("today"))
    assert today.endswith(f", 2 requests, {round(share * 100)} % of the prompt from the provider's cache"), out
