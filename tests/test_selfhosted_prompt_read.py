"""What a self-hosted server reads of a completion's prompt, against the fake answering as each
does (tests/fake_deepseek.py): Ollama cuts a prompt longer than its context (``num_ctx``) from
the start, told by its usage alone, and tells the context in ``GET /api/ps``; SGLang started
without ``--completion-template`` takes FIM's ``suffix`` and leaves it out. Neither said a word:
the file's imports and the code above, or the code below the cursor, were lost to the model."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from deepseek_lsp.documents import Document
from deepseek_lsp.model import prompt_read
from deepseek_lsp.model.errors import server_named
from tests.completing import Completing, warmed_up
from tests.fake_deepseek import FakeDeepSeek, RecordedRequest, approx_tokens
from tests.review_support import reviewer
from tests.selfhosted_stdio import LOCAL_MODEL
from tests.test_backend_pause import DOC, RULE, Reviewing

pytestmark = pytest.mark.usefixtures("state_dir")
COMPLETIONS = "/v1/completions"
#: A file of some 14,000 characters (a prompt of the settings' 2,048 tokens and more), imports
#: first, the cursor in the function at its end, code below it.
HEAD = "import os\nimport sys\n\n"
BODY = "".join(f"def f{i}(rows, key):\n    return [r for r in rows if r.get(key) == {i}]\n\n" for i in range(160))
BELOW = "\n\n" + "".join(f"def g{i}(a, b):\n    return add(a, b) * {i}\n\n" for i in range(12))
TEXT = HEAD + BODY + "def add(a, b):\n    " + BELOW
CURSOR_LINE = (HEAD + BODY).count("\n") + 1
QWEN_FIM = ("<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>")
#: One function of 300 lines: a unit no review splits (some 2,000 tokens in the fake's count).
BIG = "def big(rows):\n" + "".join(f"    x{i} = rows[{i}] * {i}\n" for i in range(300)) + "    return x0\n"


def _asked(fake: FakeDeepSeek) -> list:
    """The completions asked (not the model's load, an empty prompt, at the session's start)."""
    return [r for r in fake.requests_to(COMPLETIONS) if r.json.get("prompt")]


def _whole_chat(r: RecordedRequest) -> str:
    """A chat request's messages as the fake reads them whole."""
    return "".join(f"{m['role']}\x00{m['content']}\x00" for m in r.json["messages"])


async def _reviewing_at_ollama(r: Reviewing, fake: FakeDeepSeek, server: str = "Ollama") -> list[str]:
    """``r`` reviewing with LOCAL_MODEL at the fake, once the warm-up's model list named it
    ``server`` (as before a user's first save; its port, 11434, names an Ollama before that);
    the pop-ups shown from then on."""
    shown: list[str] = []
    r.services.status._show = lambda message, level=2: shown.append(message)
    old = r.services.settings
    new = replace(old, backend="openai-suffix", base_url=f"{fake.url}/v1", review=replace(old.review, model=LOCAL_MODEL))
    r.services.settings = new
    r.usage.settings_changed(old, new)
    r.review.settings_changed(old, new)
    for _ in range(500):
        if server_named(new.base_url) == server:
            break
        await asyncio.sleep(0.01)
    assert server_named(new.base_url) == server
    return shown


async def _at_sglang(fake: FakeDeepSeek, template: str | None) -> tuple[Completing, Document]:
    """Completions at the fake answering as SGLang started with ``template`` (or none), a file
    open with code below its body line."""
    fake.server, fake.owned_by, fake.models = "sglang", "sglang", [LOCAL_MODEL]
    fake.completion_template = template
    fake.responder(lambda body: "return a + b", path=COMPLETIONS)
    f = await warmed_up(fake, LOCAL_MODEL, "openai-suffix")
    return f, f.open("file:///ws/a.py", "def add(a, b):\n    " + BELOW)


async def _told(c: Completing, rounds: int = 500) -> list[str]:
    """The pop-ups once one came (the server is asked off the answer's way), or none."""
    for _ in range(rounds):
        if c.shown:
            return c.shown
        await asyncio.sleep(0.01)
    return c.shown


def as_ollama(fake: FakeDeepSeek, num_ctx: int) -> None:
    fake.server, fake.owned_by, fake.models, fake.num_ctx = "ollama", "library", [LOCAL_MODEL], num_ctx
    fake.set_usage_shape("ollama")
    fake.responder(lambda body: "return a + b", path=COMPLETIONS)


async def test_ollama_cutting_the_prompt_s_start_is_told_once_and_prompts_fit_its_context(
    fake_deepseek: FakeDeepSeek,
) -> None:
    """A context of 1,024 tokens (the fake's count) and prompts of the settings' 2,048: each
    key's prompt lost its start (the imports, the code above), with no word said. Now the
    context is read from /api/ps after the first answer, the next prompts fit in it, whole,
    and the user is told once how to give the model more."""
    as_ollama(fake_deepseek, num_ctx=1024)
    f = await warmed_up(fake_deepseek, LOCAL_MODEL, "openai-suffix")
    try:
        doc = f.open("file:///ws/a.py", TEXT)
        assert await f.inline(doc.uri, CURSOR_LINE, 4) == ["return a + b"]
        (told,) = await _told(f)
        assert told.startswith("Ollama at 127.0.0.1:") and "context of 1,024 tokens" in told
        assert "OLLAMA_CONTEXT_LENGTH" in told and "num_ctx" in told
        for _ in range(3):
            assert await f.inline(doc.uri, CURSOR_LINE, 4) == ["return a + b"]
        first, *later = _asked(fake_deepseek)
        whole = [f"{r.json['prompt']}\x00{r.json['suffix']}" for r in (first, *later)]
        assert first.read != whole[0]  # (cut: the fake is Ollama)
        assert [r.read for r in later] == whole[1:]  # read whole: the cursor's lines and the code below too
        assert "return add(a, b) * 0" in later[-1].read
        assert f.shown == [told]  # once
        assert [s.kind for s in f.statuses if s.feature == "completion"][-1:] in ([], ["Normal"])
    finally:
        await f.stop()


async def test_ollama_with_a_context_the_prompts_fit_in_sends_them_as_set(fake_deepseek: FakeDeepSeek) -> None:
    """A control: a context of 8,192 tokens holds the settings' prompts; nothing is told or
    fitted."""
    as_ollama(fake_deepseek, num_ctx=8192)
    shown = await completed_in_a_session(fake_deepseek, 2, settle=0.1)
    first, second = _asked(fake_deepseek)
    assert first.json["prompt"] == second.json["prompt"] and second.read == f"{second.json['prompt']}\x00{second.json['suffix']}"
    assert shown == []


async def completed_in_a_session(fake: FakeDeepSeek, times: int, pause: float = 0.0, settle: float = 0.0) -> list[str]:
    """A session completing at TEXT's body line ``times`` times (``pause`` after each, ``settle``
    after all), ended; the pop-ups it showed."""
    f = await warmed_up(fake, LOCAL_MODEL, "openai-suffix")
    try:
        doc = f.open("file:///ws/a.py", TEXT)
        for _ in range(times):
            assert await f.inline(doc.uri, CURSOR_LINE, 4) == ["return a + b"]
            await asyncio.sleep(pause)
        await asyncio.sleep(settle)
        return f.shown
    finally:
        await f.stop()


@pytest.mark.parametrize("template", [None, "qwen_coder"])
async def test_sglang_leaving_the_suffix_out_is_told_once(fake_deepseek: FakeDeepSeek, template: str | None) -> None:
    """SGLang's /v1/completions takes ``suffix`` and, started without --completion-template,
    answers from the prompt alone: the model wrote blind to the code below the cursor, and
    nothing said so. One probe (a one-token prompt, a known suffix) after the first answer
    tells it by its usage; told once, with the way out. With a template: nothing told."""
    f, doc = await _at_sglang(fake_deepseek, template)
    try:
        assert await f.inline(doc.uri, 1, 4) == ["return a + b"]
        told = await _told(f, rounds=50 if template else 500)
        assert await f.inline(doc.uri, 1, 4) == ["return a + b"]
        await asyncio.sleep(0.1)
        asked = _asked(fake_deepseek)
        probes = [r for r in asked if r.json["prompt"] == "#"]
        assert len(probes) == 1 and probes[0].json["max_tokens"] == 1
        if template:
            assert told == []
            return
        (message,) = told
        assert message.startswith("SGLang at 127.0.0.1:") and "--completion-template" in message
        assert "qwen_coder" in message and "fim-template" in message
        assert f.shown == [message]  # once
    finally:
        await f.stop()


async def test_sglang_with_fim_template_is_not_probed(fake_deepseek: FakeDeepSeek) -> None:
    """fim-template puts the suffix in the prompt between the model's tokens: SGLang reads it
    whatever its start, and no suffix probe is sent (the template's markers are checked, the
    model has them: nothing told)."""
    fake_deepseek.server, fake_deepseek.owned_by, fake_deepseek.models = "sglang", "sglang", [LOCAL_MODEL]
    fake_deepseek.fim_tokens = QWEN_FIM
    fake_deepseek.responder(lambda body: "return a + b", path=COMPLETIONS)
    f = await warmed_up(fake_deepseek, LOCAL_MODEL, "fim-template", fim_template="qwen2.5-coder")
    try:
        doc = f.open("file:///ws/a.py", "def add(a, b):\n    " + BELOW)
        for _ in range(2):
            assert await f.inline(doc.uri, 1, 4) == ["return a + b"]
        await asyncio.sleep(0.1)
        assert not [r for r in _asked(fake_deepseek) if r.json["prompt"] == "#"] and f.shown == []
    finally:
        await f.stop()


@pytest.mark.parametrize(
    ("listed", "model"),
    [
        (LOCAL_MODEL, LOCAL_MODEL),
        ("qwen2.5-coder:latest", "qwen2.5-coder"),
        # Ollama's names are case-insensitive, and its default registry and namespace optional.
        (LOCAL_MODEL, "Qwen2.5-Coder:7B"),
        (LOCAL_MODEL, "registry.ollama.ai/library/qwen2.5-coder:7b"),
        ("hf.co/bartowski/Qwen2.5-Coder-7B-Instruct-GGUF:latest", "hf.co/bartowski/qwen2.5-coder-7b-instruct-gguf"),
    ],
)
async def test_ollama_restarted_with_a_larger_context_gets_whole_prompts_again(
    fake_deepseek: FakeDeepSeek, monkeypatch: pytest.MonkeyPatch, listed: str, model: str
) -> None:
    """Told how, the user restarts Ollama with OLLAMA_CONTEXT_LENGTH=8192: the prompts fitted
    to the old context stay so until the context is asked again, a while later. A model named
    without a tag (``qwen2.5-coder``, as Ollama's own examples write it) runs as its
    ``:latest``, which /api/ps names: its context was not found, nothing was told and every
    prompt lost its start; so for a name in other letters' case, or with Ollama's default
    registry and namespace written out (Ollama runs the same model)."""
    monkeypatch.setattr(prompt_read, "CONTEXT_RECHECK_S", 0.3)
    as_ollama(fake_deepseek, num_ctx=1024)
    fake_deepseek.models = [listed]
    f = await warmed_up(fake_deepseek, model, "openai-suffix")
    try:
        doc = f.open("file:///ws/a.py", TEXT)
        assert await f.inline(doc.uri, CURSOR_LINE, 4) == ["return a + b"]
        (told,) = await _told(f)
        assert "context of 1,024 tokens" in told
        fake_deepseek.num_ctx = 8192
        await asyncio.sleep(0.4)
        for _ in range(3):
            assert await f.inline(doc.uri, CURSOR_LINE, 4) == ["return a + b"]
            await asyncio.sleep(0.05)
        first, fitted, *after = _asked(fake_deepseek)
        assert len(fitted.json["prompt"]) < len(first.json["prompt"]) // 2
        assert after[-1].json["prompt"] == first.json["prompt"] and after[-1].read.startswith(first.json["prompt"])
        assert len(f.shown) == 1
    finally:
        await f.stop()


async def test_an_ollama_that_tells_no_context_is_fitted_to_the_count_it_kept_once(fake_deepseek: FakeDeepSeek) -> None:
    """An Ollama before 0.12 (no context in /api/ps): the count its usage says it kept of a
    prompt read well short is its context. Once: a prompt fitted to it, read whole, may look
    short too (the estimate here is no tokenizer), and taken again it shrank each prompt."""
    as_ollama(fake_deepseek, num_ctx=1500)
    fake_deepseek.ps_tells_context = False
    f = await warmed_up(fake_deepseek, LOCAL_MODEL, "openai-suffix", max_prompt_tokens=8192)
    try:
        doc = f.open("file:///ws/a.py", TEXT)
        assert await f.inline(doc.uri, CURSOR_LINE, 4) == ["return a + b"]
        (told,) = await _told(f)
        assert "context of 1,500 tokens" in told
        for _ in range(3):
            assert await f.inline(doc.uri, CURSOR_LINE, 4) == ["return a + b"]
            await asyncio.sleep(0.05)
        first, *later = _asked(fake_deepseek)
        assert first.read != f"{first.json['prompt']}\x00{first.json['suffix']}"
        assert [r.read for r in later] == [f"{r.json['prompt']}\x00{r.json['suffix']}" for r in later]
        # Fitted, then filled once the server's count told its ratio; never shrunk again.
        sizes = [len(r.json["prompt"]) for r in later]
        assert sizes == sorted(sizes) and sizes[-1] == sizes[-2]
        assert f.shown == [told]
    finally:
        await f.stop()


@pytest.mark.parametrize("num_ctx", [2048, 16384])
async def test_a_review_unit_larger_than_the_ollama_context_is_named_not_sent(fake_deepseek: FakeDeepSeek, num_ctx: int) -> None:
    """The README's Ollama example reviews with the same model: a review's prompt past its
    context lost its start (the review's instructions), and its answers came back unusable;
    told once, after it was sent. Now its context is asked before: a unit no request of it
    holds is not sent, and each review says why and how to raise it. A context that holds it: sent, nothing said."""
    as_ollama(fake_deepseek, num_ctx=num_ctx)
    fake_deepseek.responder(reviewer([RULE]), path="/v1/chat/completions")
    async with Reviewing(fake_deepseek) as r:
        shown = await _reviewing_at_ollama(r, fake_deepseek)
        results = []
        for name in ("a", "b"):
            r.services.documents.open(f"file:///ws/{name}.py", DOC.replace("find", f"find_{name}") + BIG, "python", 1)
            results.append(await r.run(f"file:///ws/{name}.py"))
        await asyncio.sleep(0.1)
        sent = fake_deepseek.requests_to("/v1/chat/completions")
        assert [q.read for q in sent] == [_whole_chat(q) for q in sent]  # none cut
        assert [x["findings"] for x in results] == [1, 1]
        if num_ctx > 4096:
            assert shown == [] and [x["problems"] for x in results] == [[], []]
            assert all("def big" in _whole_chat(q) for q in sent)
            return
        assert not any("def big" in _whole_chat(q) for q in sent)
        for x in results:
            (problem,) = x["problems"]
            assert "function big" in problem and "context" in problem and "(2,048 tokens)" in problem
            assert "OLLAMA_CONTEXT_LENGTH" in problem


async def test_a_prompt_budget_raised_past_the_ollama_context_is_fitted_to_it(
    fake_deepseek: FakeDeepSeek, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ollama's context (4,096 tokens) held the settings' prompts (2,048): nothing fitted, and
    the context was not kept. The user then raises completion.maxPromptTokens to 8,192: each
    prompt of some 6,000 tokens lost its start at Ollama (the imports), with no word, for good:
    read to 4,096 it is not "read short" (half), and the context was never asked again. Now
    fitted at once, and told at the context's next ask."""
    monkeypatch.setattr(prompt_read, "CONTEXT_RECHECK_S", 0.3)
    as_ollama(fake_deepseek, num_ctx=4096)
    f = await warmed_up(fake_deepseek, LOCAL_MODEL, "openai-suffix")
    try:
        body = "".join(f"def f{i}(rows, key):\n    return [r for r in rows if r.get(key) == {i}]\n\n" for i in range(400))
        doc = f.open("file:///ws/a.py", HEAD + body + "def add(a, b):\n    " + BELOW)
        line = (HEAD + body).count("\n") + 1
        assert await f.inline(doc.uri, line, 4) == ["return a + b"]
        await asyncio.sleep(0.1)  # (its context asked off the answer's way)
        f.configure(max_prompt_tokens=8192)
        await asyncio.sleep(0.4)
        for _ in range(3):
            assert await f.inline(doc.uri, line, 4) == ["return a + b"]
            await asyncio.sleep(0.05)
        *_, last = _asked(fake_deepseek)
        assert last.read == f"{last.json['prompt']}\x00{last.json['suffix']}"  # read whole
        assert "import os" in last.read
        (told,) = f.shown
        assert "context of 4,096 tokens" in told
    finally:
        await f.stop()


@pytest.mark.parametrize("uncached", [False, True])
async def test_ollama_prompts_fill_its_context_by_the_count_it_reports(fake_deepseek: FakeDeepSeek, uncached: bool) -> None:
    """Fitted by the estimate here (no tokenizer of Ollama's model), a prompt took some 350 of
    a 1,024-token context: the estimate counts more than the server does, and the share kept
    for that mismatch came off too. The server's own count of each prompt read whole
    (``prompt_tokens`` against the estimate) now tells its ratio: prompts fill the context,
    the answer's room aside, and are never read past it (Ollama would cut their start). An
    Ollama counting only what its cache did not hold tells less than a prompt's tokens: never
    fitted to that."""
    as_ollama(fake_deepseek, num_ctx=1024)
    fake_deepseek.counts_uncached = uncached
    f = await warmed_up(fake_deepseek, LOCAL_MODEL, "openai-suffix")
    try:
        doc = f.open("file:///ws/a.py", TEXT)
        assert await f.inline(doc.uri, CURSOR_LINE, 4) == ["return a + b"]
        # The context learnt (off the answer's way) before the next prompts: at load the next
        # one went out first, read past the context, when a 0.05 s pause was all the wait.
        assert await _told(f)
        for _ in range(4):  # (the last ones the same prompt again: its cache's at the fake)
            assert await f.inline(doc.uri, CURSOR_LINE, 4) == ["return a + b"]
            await asyncio.sleep(0.05)
        _, *later = _asked(fake_deepseek)
        assert [r.read for r in later] == [f"{r.json['prompt']}\x00{r.json['suffix']}" for r in later]  # never past the context
        used = approx_tokens(later[-1].read)
        room = 1024 - 256  # the answer's (multiLineMaxTokens) aside
        print(f"fitted prompt: {used} of 1,024 tokens ({room} room)")
        assert used >= 0.85 * room
    finally:
        await f.stop()


async def test_a_review_at_a_small_ollama_context_is_sent_in_requests_that_fit_it(fake_deepseek: FakeDeepSeek) -> None:
    """A review's requests at an Ollama of 2,048 tokens: twelve small functions in one request
    and a function of 300 lines in another each ran past the context, and Ollama cut their
    start, the review's instructions: answers unusable, nothing said but once. Now the units
    are sent in requests the context holds, each read whole, and a unit larger than the
    context alone is not sent (its answer could only be noise): the review names it and how
    to give the model more."""
    as_ollama(fake_deepseek, num_ctx=2048)
    fake_deepseek.responder(reviewer([RULE]), path="/v1/chat/completions")
    async with Reviewing(fake_deepseek) as r:
        await _reviewing_at_ollama(r, fake_deepseek)
        small = "".join(
            f"def h{i}(rows, key):\n" + "".join(f"    y{j} = rows[{j}] * {i} + key\n" for j in range(12)) + "    return y0\n\n"
            for i in range(12)
        )
        r.services.documents.open("file:///ws/a.py", DOC + "\n" + small + BIG, "python", 1)
        result = await r.run("file:///ws/a.py")
        sent = fake_deepseek.requests_to("/v1/chat/completions")
        assert sent and [q.read for q in sent] == [_whole_chat(q) for q in sent]  # each read whole
        assert not any("def big" in _whole_chat(q) for q in sent)
        assert all(f"def h{i}(" in "".join(_whole_chat(q) for q in sent) for i in range(12))
        assert result["findings"] == 1  # find's `row == None`, the instructions read
        (problem,) = result["problems"]
        assert "big" in problem and "2,048" in problem and "OLLAMA_CONTEXT_LENGTH" in problem


@pytest.mark.parametrize("recheck_s", [0.3, 3600.0])
async def test_a_review_after_ollama_restarted_with_a_larger_context_sends_what_it_holds_now(
    fake_deepseek: FakeDeepSeek, monkeypatch: pytest.MonkeyPatch, recheck_s: float
) -> None:
    """Told how, the user restarts Ollama with OLLAMA_CONTEXT_LENGTH=16384: a review's context
    was asked once per model, and the function it named stayed unreviewed for good. Asked
    again after a while, as a completion's is (3,600 s: the control, not yet)."""
    monkeypatch.setattr(prompt_read, "CONTEXT_RECHECK_S", recheck_s)
    as_ollama(fake_deepseek, num_ctx=2048)
    fake_deepseek.responder(reviewer([RULE]), path="/v1/chat/completions")
    async with Reviewing(fake_deepseek) as r:
        await _reviewing_at_ollama(r, fake_deepseek)
        r.services.documents.open("file:///ws/a.py", DOC + BIG, "python", 1)
        assert (await r.run("file:///ws/a.py"))["problems"]
        fake_deepseek.num_ctx = 16384
        await asyncio.sleep(0.4)
        again = await r.run("file:///ws/a.py")
        sent = fake_deepseek.requests_to("/v1/chat/completions")
        if recheck_s > 1:
            assert again["problems"] and not any("def big" in _whole_chat(q) for q in sent)
            return
        assert again["problems"] == [] and "def big" in _whole_chat(sent[-1])
        assert sent[-1].read == _whole_chat(sent[-1])


@pytest.mark.parametrize("template", [None, "qwen_coder"])
async def test_the_sglang_suffix_probe_is_in_the_usage_ledger(fake_deepseek: FakeDeepSeek, template: str | None) -> None:
    """The probe's tokens (some 65 where SGLang reads the suffix) were asked and answered but
    left out of the usage ledger: the session's prompt tokens fell short of the server's
    count by as much. Now every request the server counted is in it."""
    f, doc = await _at_sglang(fake_deepseek, template)
    try:
        assert await f.inline(doc.uri, 1, 4) == ["return a + b"]
        ledger = f.services.models.ledger
        for _ in range(1000):  # the probe, off the answer's way, and its record in the ledger
            if any(r.json["prompt"] == "#" and r.usage for r in _asked(fake_deepseek)) and ledger.summary()["session"]["total"]["requests"] >= 2:
                break
            await asyncio.sleep(0.01)
        asked = _asked(fake_deepseek)
        counted = sum(r.usage["prompt_tokens"] for r in asked if r.usage)
        total = ledger.summary()["session"]["total"]
        print(f"server counted {counted} prompt tokens in {len(asked)} requests; ledger {total['prompt_tokens']} in {total['requests']}")
        assert (total["requests"], total["prompt_tokens"]) == (len(asked), counted)
    finally:
        await f.stop()


async def test_llama_cpp_leaving_the_suffix_out_at_its_openai_completions_is_told_once(fake_deepseek: FakeDeepSeek) -> None:
    """llama-server's /v1/completions takes ``suffix`` and leaves it out (its FIM is /infill):
    with the openai-suffix backend the model wrote blind to the code below the cursor, and
    nothing said so (the probe asked SGLang alone). Now probed as SGLang is, and told once
    to use llamacpp-infill."""
    fake_deepseek.server, fake_deepseek.owned_by, fake_deepseek.models = "llamacpp", "llamacpp", [LOCAL_MODEL]
    fake_deepseek.responder(lambda body: "return a + b", path=COMPLETIONS)
    f = await warmed_up(fake_deepseek, LOCAL_MODEL, "openai-suffix")
    try:
        doc = f.open("file:///ws/a.py", "def add(a, b):\n    " + BELOW)
        assert await f.inline(doc.uri, 1, 4) == ["return a + b"]
        (message,) = await _told(f)
        assert await f.inline(doc.uri, 1, 4) == ["return a + b"]
        await asyncio.sleep(0.1)
        assert message.startswith("llama.cpp at 127.0.0.1:") and "llamacpp-infill" in message
        assert "--completion-template" not in message
        assert len([r for r in _asked(fake_deepseek) if r.json["prompt"] == "#"]) == 1
        assert f.shown == [message]  # once
    finally:
        await f.stop()


async def test_a_review_model_not_loaded_yet_is_fitted_once_loaded(fake_deepseek: FakeDeepSeek) -> None:
    """Ollama's /api/ps lists the models loaded: asked before a review model's first request it
    tells no context. That was kept as the answer for five minutes: the prompt cut by that
    first request went untold (asked after, the model loaded, it would have been) and the next
    reviews were not fitted. Now an untold context is asked again: told after the first
    review, the next one fitted."""
    as_ollama(fake_deepseek, num_ctx=2048)
    fake_deepseek.ps_lists_asked_only = True
    fake_deepseek.responder(reviewer([RULE]), path="/v1/chat/completions")
    async with Reviewing(fake_deepseek) as r:
        shown = await _reviewing_at_ollama(r, fake_deepseek)
        r.services.documents.open("file:///ws/a.py", DOC + BIG, "python", 1)
        assert (await r.run("file:///ws/a.py"))["problems"] == []  # (its context not known yet)
        for _ in range(1000):  # told off the review's way
            if shown:
                break
            await asyncio.sleep(0.01)
        (told,) = shown
        assert "context of 2,048 tokens" in told
        r.services.documents.open("file:///ws/b.py", DOC.replace("find", "seek") + BIG, "python", 1)
        (problem,) = (await r.run("file:///ws/b.py"))["problems"]
        assert "function big" in problem
        last = fake_deepseek.requests_to("/v1/chat/completions")[-1]
        assert last.read == _whole_chat(last)


@pytest.mark.parametrize("has_tokens", [False, True])
async def test_a_model_without_the_fim_template_s_tokens_is_told_once(fake_deepseek: FakeDeepSeek, has_tokens: bool) -> None:
    """vLLM serving a model without the FIM tokens fimTemplate writes (a chat model, another
    family's template) reads the markers as text: every suggestion a guess, nothing said. A
    prompt of the markers alone, counted by the server, tells: 3 tokens, or some 11 read as
    text. Told once, with the way out; with the tokens, nothing."""
    fake_deepseek.server, fake_deepseek.owned_by, fake_deepseek.models = "vllm", "vllm", [LOCAL_MODEL]
    if has_tokens:
        fake_deepseek.fim_tokens = QWEN_FIM
    fake_deepseek.responder(lambda body: "return a + b", path=COMPLETIONS)
    f = await warmed_up(fake_deepseek, LOCAL_MODEL, "fim-template", fim_template="qwen2.5-coder")
    try:
        doc = f.open("file:///ws/a.py", "def add(a, b):\n    " + BELOW)
        assert await f.inline(doc.uri, 1, 4) == ["return a + b"]
        told = await _told(f, rounds=50 if has_tokens else 500)
        assert await f.inline(doc.uri, 1, 4) == ["return a + b"]
        await asyncio.sleep(0.1)
        probes = [r for r in _asked(fake_deepseek) if r.json["prompt"] == "<|fim_prefix|><|fim_suffix|><|fim_middle|>"]
        assert len(probes) == 1 and probes[0].json["max_tokens"] == 1
        if has_tokens:
            assert told == []
            return
        (message,) = told
        assert message.startswith("vLLM at 127.0.0.1:") and "qwen2.5-coder" in message and "fimTemplate" in message
        assert f.shown == [message]  # once
    finally:
        await f.stop()
