"""What a save's review costs: DeepSeek bills a prompt token served from its prefix cache at
about 1/50 of a miss, and a unit whose code did not change must not be paid for again.

Against the fake DeepSeek server over HTTP, whose usage simulates the prefix cache (the longest
common prefix with an earlier prompt, in 64-token units), and DeepSeek's real tokenizer.
"""

from __future__ import annotations

import textwrap
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from deepseek_lsp.documents import Document
from deepseek_lsp.languages import LanguageRegistry
from deepseek_lsp.model import ModelClient
from deepseek_lsp.model.tokens import tokenizer_path
from deepseek_lsp.review.engine import ReviewEngine
from deepseek_lsp.review.units import extract_units
from tests.fake_deepseek import CACHE_UNIT_TOKENS, CHARS_PER_TOKEN, FakeDeepSeek
from tests.review_support import Rule, doc_of, reviewed_units, reviewer, settings_for, user_prompt

DATA = Path(__file__).parent / "data" / "review"
PYTHON = LanguageRegistry.load().get("python")
INVENTORY = (DATA / "inventory.py").read_text()
CHAT = "/chat/completions"


def prompt_of(body: dict[str, Any]) -> str:
    """The request as the provider's cache sees it: its messages in order."""
    return "".join(f"{m['role']}\x00{m['content']}\x00" for m in body["messages"])


def shared_tokens(a: str, b: str) -> int:
    """Leading tokens two prompts share, counted with DeepSeek V4's tokenizer."""
    tokenizer = pytest.importorskip("tokenizers").Tokenizer.from_file(str(tokenizer_path()))
    x, y = (tokenizer.encode(s, add_special_tokens=False).ids for s in (a, b))
    n = 0
    while n < min(len(x), len(y)) and x[n] == y[n]:
        n += 1
    return n


async def test_saving_an_edited_unit_again_hits_the_provider_cache_up_to_the_edit(
    fake_deepseek: FakeDeepSeek, client: ModelClient, engine: ReviewEngine
) -> None:
    """Fix, save, fix the same method again, save: the two reviews of the unit are the same
    prompt up to the line edited. The unit's heading named its last line ("lines 51-77"), so a
    line added anywhere in it changed the prompt before its first line of code: the whole unit
    was billed as a miss on every such save (with DeepSeek's tokenizer 472 of the 803 prompt
    tokens were shared, 331 missed; now 759 are, 43 missed)."""
    fake_deepseek.responder(reviewer(()), path=CHAT)
    settings = settings_for(fake_deepseek)
    await engine.review(client, doc_of(INVENTORY), settings)  # the first save: everything

    anchor = '        rows = self.db.execute("SELECT sku, name, quantity, price FROM items").fetchall()'
    first = INVENTORY.replace(anchor, anchor + '\n        log.debug("%d rows", len(rows))')
    second = first.replace(anchor, anchor + '\n        assert rows is not None')
    for text in (first, second):
        outcome = await engine.review(client, doc_of(text), settings)
        assert outcome.units_asked == 1
    *_, before, after = fake_deepseek.requests_to(CHAT)
    assert reviewed_units(before.json) == reviewed_units(after.json) == ["Warehouse"]
    a, b = prompt_of(before.json), prompt_of(after.json)
    edit = b.index("assert rows is not None")
    edit = b.rindex("\n", 0, edit) + 1  # the start of the line added by the second fix
    common = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), len(b))
    assert common >= edit, f"the prompts part at {b[common - 40:common + 20]!r}, before the edit"
    # What the provider bills: the fake's cache hit reaches the edit (in whole 64-token units),
    # and so do the shared tokens of DeepSeek's tokenizer.
    hit = after.usage["prompt_cache_hit_tokens"]
    assert hit >= (edit // CHARS_PER_TOKEN // CACHE_UNIT_TOKENS) * CACHE_UNIT_TOKENS
    assert shared_tokens(a, b) >= shared_tokens(b[:edit], b[:edit] + "x") - 2


def prefix_through(a: str, b: str, end: int) -> None:
    """``a`` and ``b`` are the same text up to ``b[:end]``, and DeepSeek's tokenizer sees them
    so (but for the token ``end`` falls in)."""
    common = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), len(b))
    assert common >= end, f"the prompts part at {b[common - 60:common + 20]!r}, before {b[end:end + 40]!r}"
    assert shared_tokens(a, b) >= shared_tokens(b[:end], b[:end] + "x") - 2


async def two_saves(
    fake: FakeDeepSeek, client: ModelClient, engine: ReviewEngine, texts: tuple[str, str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The requests of two saves after the first review of the inventory, each of one unit."""
    fake.responder(reviewer(()), path=CHAT)
    settings = settings_for(fake)
    await engine.review(client, doc_of(INVENTORY), settings)
    for text in texts:
        assert (await engine.review(client, doc_of(text), settings)).units_asked == 1
    *_, before, after = fake.requests_to(CHAT)
    return before.json, after.json


async def test_reviews_of_different_functions_of_a_file_share_all_but_the_functions(
    fake_deepseek: FakeDeepSeek, client: ModelClient, engine: ReviewEngine
) -> None:
    """Two saves, each editing another function: everything before the function's heading
    (the rubric, the file's path and imports, how the code is shown) is the same prompt. The
    signatures each function uses came before the code: the prompts parted at the first
    signature, and the line telling how the code is numbered was billed as a miss on every
    save (with DeepSeek's tokenizer 414 of the 444 tokens before the unit were shared; now all
    435 are)."""
    available = INVENTORY.replace("        return 0\n", "        return 0  # unknown SKU\n")
    exported = available.replace("    log.info(", "    handle.close()\n    log.info(")
    before, after = await two_saves(fake_deepseek, client, engine, (available, exported))
    assert reviewed_units(before) == ["Warehouse"] and reviewed_units(after) == ["export_csv"]
    a, b = prompt_of(before), prompt_of(after)
    prefix_through(a, b, b.index("### function export_csv"))


async def test_a_call_added_to_a_function_leaves_its_code_before_the_call_cached(
    fake_deepseek: FakeDeepSeek, client: ModelClient, engine: ReviewEngine
) -> None:
    """Fix, save, add a call to another function of the file, save: the second review adds
    that function's signature, which came before the code under review, so the provider's
    cache missed the whole function although only its last line was new (DeepSeek's
    tokenizer: 414 of the 606 tokens shared, 192 missed; now 555 of 617, 62 missed)."""
    closed = INVENTORY.replace("    log.info(", "    handle.close()\n    log.info(")
    valued = closed.replace("    log.info(", '    log.info("worth %.2f", total_value(items))\n    log.info(')
    before, after = await two_saves(fake_deepseek, client, engine, (closed, valued))
    assert reviewed_units(before) == reviewed_units(after) == ["export_csv"]
    a, b = prompt_of(before), prompt_of(after)
    assert "def total_value(items: list[Item]) -> float:" in b and "def total_value" not in a
    edit = b.index('log.info("worth')
    prefix_through(a, b, b.rindex("\n", 0, edit) + 1)


MOVED = textwrap.dedent(
    '''\
    def scale(values: list[float], factor: float) -> list[float]:
        return [v * factor for v in values]


    def clamp(values: list[float], low: float, high: float) -> list[float]:
        return [min(max(v, low), high) for v in values]


    def normalize(values: list[float]) -> list[float]:
        top = max(values)
        return clamp(scale(values, 1 / top), 0.0, 1.0)
    '''
)


async def test_moving_definitions_does_not_pay_for_their_callers_again(
    fake_deepseek: FakeDeepSeek, client: ModelClient, engine: ReviewEngine
) -> None:
    """A caller's cache key holds the signatures of what it uses from its file, and held them
    in file order: moving ``clamp`` above ``scale`` (no code changed) sent ``normalize`` to be
    reviewed, and paid for, again."""
    fake_deepseek.responder(reviewer(()), path=CHAT)
    settings = settings_for(fake_deepseek)
    first = await engine.review(client, doc_of(MOVED, "numbers.py"), settings)
    assert first.units_asked == 3
    scale, clamp, normalize = MOVED.split("\n\n\n")
    moved = "\n\n\n".join([clamp, scale, normalize])
    again = await engine.review(client, doc_of(moved, "numbers.py"), settings)
    sent = [reviewed_units(r.json) for r in fake_deepseek.requests_to(CHAT)[1:]]
    assert again.units_asked == 0, f"re-sent although no code changed: {sent}"
    # A changed signature still makes the caller's review stale.
    changed = moved.replace("factor: float)", "factor: int)")
    last = await engine.review(client, doc_of(changed, "numbers.py"), settings)
    assert sorted(reviewed_units(fake_deepseek.requests_to(CHAT)[-1].json)) == ["normalize", "scale"]
    assert last.units_asked == 2


SHAPES = textwrap.dedent(
    """\
    class Circle:
        def __init__(self, radius: float) -> None:
            self.radius = radius


    class Square:
        def __init__(self, side: float) -> None:
            self.side = side
    """
)


async def test_changing_one_classs_init_does_not_pay_for_the_others_again(
    fake_deepseek: FakeDeepSeek, client: ModelClient, engine: ReviewEngine
) -> None:
    """A definition's own name counted as a use of that name: ``Circle`` was reviewed with
    ``Square.__init__``'s signature (and each ``__call__`` of argparse with the 11 others'), so
    giving ``Square.__init__`` an argument changed ``Circle``'s cache key, and ``Circle`` was
    sent and paid for again with none of its code changed."""
    fake_deepseek.responder(reviewer(()), path=CHAT)
    settings = settings_for(fake_deepseek)
    assert (await engine.review(client, doc_of(SHAPES, "shapes.py"), settings)).units_asked == 2
    assert "Signatures of definitions" not in user_prompt(fake_deepseek.requests_to(CHAT)[0].json)
    changed = SHAPES.replace("side: float)", "side: float, unit: str = 'cm')")
    again = await engine.review(client, doc_of(changed, "shapes.py"), settings)
    assert reviewed_units(fake_deepseek.requests_to(CHAT)[-1].json) == ["Square"]
    assert again.units_asked == 1


async def test_reviews_cached_under_the_file_ordered_key_are_still_used(
    fake_deepseek: FakeDeepSeek, client: ModelClient, engine: ReviewEngine
) -> None:
    """Keys now sort the signatures; a review stored before (signatures in file order) is the
    same answer and must not be paid for again after an upgrade."""
    from deepseek_lsp.review.answer import RawFinding
    from deepseek_lsp.review.keys import _signatures_of, unit_key

    settings = settings_for(fake_deepseek)
    doc = doc_of(MOVED, "numbers.py")
    file_units = extract_units(doc)
    normalize = next(u for u in file_units.units if u.name == "normalize")
    old = _signatures_of(file_units, normalize)
    assert old != sorted(old)
    finding = RawFinding("warning", "top = max(values)", "max() of an empty list raises.", "", 0.9, line=2)
    engine.cache.put(unit_key(normalize, settings, "python", old), [finding], "deepseek-v4-pro")
    fake_deepseek.responder(reviewer(()), path=CHAT)
    outcome = await engine.review(client, doc, settings)
    assert outcome.units_asked == 2
    assert "normalize" not in reviewed_units(fake_deepseek.requests_to(CHAT)[0].json)
    assert [f.message for f in outcome.findings] == ["max() of an empty list raises."]
    assert engine.cached_findings(doc, settings)[1]


async def test_each_request_carries_the_imported_signatures_its_own_units_use(
    fake_deepseek: FakeDeepSeek, client: ModelClient, engine: ReviewEngine, tmp_path: Path
) -> None:
    """A file of 14 functions goes out in two requests. The imported signatures were gathered
    once for all of them and the first 12 by name went with every request: the second one
    paid for eleven signatures none of its units uses, and lacked two that they do use (their
    answers, cached for good, were made without them)."""
    helpers = "".join(
        f"def helper_{i:02}(record: dict, *, strict: bool = False) -> list[str]:\n    return []\n\n\n"
        for i in range(1, 15)
    )
    (tmp_path / "helpers.py").write_text(helpers)
    names = ", ".join(f"helper_{i:02}" for i in range(1, 15))
    text = f"from .helpers import {names}\n\n\n" + "".join(
        f"def step_{i:02}(record):\n    return helper_{i:02}(record, strict=True)\n\n\n" for i in range(1, 15)
    )
    doc = Document((tmp_path / "pipeline.py").as_uri(), text, language=PYTHON)
    fake_deepseek.responder(reviewer(()), path=CHAT)
    outcome = await engine.review(client, doc, settings_for(fake_deepseek), roots=[tmp_path])
    requests = fake_deepseek.requests_to(CHAT)
    assert outcome.units_asked == 15 and len(requests) == 2
    # The first request holds the module level, whose import line names all fourteen. The two
    # go out at once: which the fake read first is the scheduler's choice.
    last = next(r.json for r in requests if "step_14" in reviewed_units(r.json))
    assert reviewed_units(last) == ["step_12", "step_13", "step_14"]
    prompt = last["messages"][-1]["content"]
    sent = [f"helper_{i:02}" for i in range(1, 15) if f"def helper_{i:02}(record" in prompt]
    assert sent == ["helper_12", "helper_13", "helper_14"]


async def test_an_answer_cut_at_max_tokens_is_not_paid_for_again_on_every_save(
    fake_deepseek: FakeDeepSeek, client: ModelClient, engine: ReviewEngine
) -> None:
    """Code with many problems: the findings of a request's units ran past the answer's token
    limit (review.maxOutputTokens, 4096). The cut JSON was retried as it was (cut again: the
    same prompt asks for the same findings), nothing was cached, and every later save sent
    the same units again and was cut again twice over: two requests and two full answers paid
    on every save, for good, and the last units' findings never shown (9 of 10 here). Split,
    each half fits: three requests once, then none."""
    settings = settings_for(fake_deepseek)
    settings = replace(settings, review=replace(settings.review, max_output_tokens=300))
    fake_deepseek.responder(reviewer([Rule("return", "warning", "A return worth a look.")]), path=CHAT)
    doc = doc_of(INVENTORY)
    expected = sum(1 for line in INVENTORY.splitlines() if "return" in line)
    first = await engine.review(client, doc, settings)
    assert not first.problems and not first.errors
    assert len(first.findings) == expected
    requests = fake_deepseek.requests_to(CHAT)
    assert all(r.usage["completion_tokens"] <= 300 for r in requests)
    prompts = [prompt_of(r.json) for r in requests]
    assert len(set(prompts)) == len(prompts), "a cut answer was asked for again, as it was"
    sent = len(fake_deepseek.requests_to(CHAT))
    again = await engine.review(client, doc, settings)
    assert again.units_asked == 0 and len(fake_deepseek.requests_to(CHAT)) == sent
    assert len(again.findings) == expected
