"""The prompt's head (the definitions, path, imports and scope headers above the cursor's window)
stays byte-identical between keys at one site unless the user's edit changes it.

DeepSeek's prefix cache serves a prompt up to its first difference from an earlier one: a head
that changes between two keys loses the whole prompt (``tests/bench/bench_prompt_heads.py``
counts them in the replay). These type as a user does, into the completion feature talking HTTP
to the fake DeepSeek server, and look at what each request sends.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from tests.completing import Completing
from tests.fake_deepseek import FakeDeepSeek
from tests.test_prompt_typing_session import head_changes

FIM = "/beta/completions"


@pytest.fixture
async def completing() -> AsyncIterator[tuple[Completing, FakeDeepSeek]]:
    with FakeDeepSeek() as fake:
        fake.responder(lambda body: "", path=FIM)
        # Every keystroke asks the model: what each sends is what is looked at.
        c = Completing(fake, debounce=0, prefetch=False, cache=False, max_prompt_tokens=600)
        try:
            yield c, fake
        finally:
            await c.stop()


def inspect_module(checks: int = 60) -> str:
    """object-inspect's shape: one long exported function of ``if (isX(obj)) {...}`` checks,
    then the file's helpers (with none after it, the tree keeps the function)."""
    body = "".join(
        f"    if (isKind{i}(obj)) {{\n        return markBoxed(inspect(kindValue{i}.call(obj)));\n    }}\n"
        for i in range(checks)
    )
    return (
        "var utilInspect = require('./util.inspect');\n"
        "var getStringWidth = require('./stringWidth');\n\n"
        "module.exports = function inspect_(obj, options, depth, seen) {\n"
        "    var opts = options || {};\n" + body + "    return String(obj);\n};\n\n"
        "function singleLineValues(xs) {\n"
        "    for (var i = 0; i < xs.length; i++) {\n"
        "        if (indexOf(xs[i], '\\n') >= 0) {\n            return false;\n        }\n    }\n"
        "    return true;\n}\n"
    )


async def test_a_line_typed_with_an_open_bracket_keeps_the_function_header_above_the_window(
    completing: tuple[Completing, FakeDeepSeek],
) -> None:
    """object-inspect's ``if (isBoolean(`` typed in its 2,000-line exported function: while the
    bracket is open, tree-sitter's recovery leaves the function in an ERROR and the cursor in no
    scope at all; its header ``module.exports = function inspect_(...)``, above the window, left
    the prompt's head at ``(`` and came back at ``)``: two misses of the whole prompt a line."""
    c, fake = completing
    text = inspect_module()
    uri = "file:///ws/index.js"
    c.open(uri, text, "javascript")
    line = text[: text.index("    return String(obj);")].count("\n")
    c.insert(uri, line, 0, "\n")
    typed = "    if (isBoolean(obj)) {"
    for col, ch in enumerate(typed):
        c.insert(uri, line, col, ch)
        await c.inline(uri, line, col + 1)
    prompts = [r.json["prompt"] for r in fake.requests_to(FIM)]
    assert len(prompts) >= len(typed) - 2
    assert all("module.exports = function inspect_(obj, options, depth, seen)" in p for p in prompts)
    lines = [p.rpartition("\n")[2] for p in prompts]
    assert head_changes(prompts, lines) == []


def store_module(methods: int = 600) -> str:
    parts = ["import json\nimport os\n\n\nclass Store:\n"]
    for i in range(methods):
        parts.append(f"    def method_{i}(self, value):\n        total = value * {i}\n        return total + {i}\n\n")
    return "".join(parts)


async def test_a_document_opened_is_indexed_while_the_user_pauses_before_its_lines_are_counted(
    completing: tuple[Completing, FakeDeepSeek], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A document opened is indexed while the user pauses, as its lines are counted: it was
    indexed once all its lines were, and a key typed before that (a large file's count takes
    longer than a pause) found no index within the request's time box. That prompt went
    without the file's imports (and another file's definitions), which came at the next key
    once the index was built: the head changed, a miss of the whole prompt. In the replay
    (``bench_prompt_heads.py``) 3 sites' second requests, ~3,300 tokens. The count is held
    here for good, as a file's that takes longer than the user's pause."""
    c, fake = completing
    never = asyncio.Event()

    async def counting(*_args: object) -> None:
        await never.wait()

    monkeypatch.setattr(c.completion.line_tokens, "fill", counting)
    # A time box that never fits the file: only the pause indexes it.
    c.configure(context_timeout_ms=1)
    text = store_module()
    uri = "file:///ws/store.py"
    doc = c.open(uri, text)
    for _ in range(200):  # until it is indexed, 10 s at most (never, before)
        if c.completion.indexer.has_index(doc):
            break
        await asyncio.sleep(0.05)
    line = text.count("\n") - 1
    for col, ch in enumerate("        return total"):
        c.insert(uri, line, col, ch)
        if col >= len("        return total") - 3:
            await c.inline(uri, line, col + 1)
    prompts = [r.json["prompt"] for r in fake.requests_to(FIM)]
    assert len(prompts) == 3
    assert all("import json\nimport os\n" in p for p in prompts)
    lines = [p.rpartition("\n")[2] for p in prompts]
    assert head_changes(prompts, lines) == []
