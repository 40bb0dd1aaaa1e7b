"""Completion prompts over a typing session: what consecutive keystrokes send.

DeepSeek's prefix cache bills a prompt's head at 2-3 % of a miss when it is byte-identical to a
previous prompt's; a head that changes from one keystroke to the next for no reason is paid in
full every time. The sessions below type lines as a user does, one key at a time, into documents
kept incrementally (as the server keeps them), and look at each prompt against the one before.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace

import pytest
from lsprotocol import types

from deepseek_lsp.context import Indexer, enclosing_scopes, scopes_kept_through_errors
from deepseek_lsp.documents import Document, DocumentStore
from deepseek_lsp.languages import LanguageRegistry
from deepseek_lsp.line_tokens import LineTokens
from deepseek_lsp.model.tokens import default_counter
from deepseek_lsp.prompts import FimPrompt, build_fim_prompt
from tests.completing import Completing
from tests.fake_deepseek import FakeDeepSeek

REGISTRY = LanguageRegistry.load()
COUNT = default_counter().count  # loaded: the server's requests count with it too
FIM = "/beta/completions"


def store_module(methods: int = 120) -> str:
    parts = ["import os\nimport json\n\n\nclass Store:\n"]
    for i in range(methods):
        parts.append(f"    def method_{i}(self, value):\n        total = value * {i}\n        return total + {i}\n\n")
    return "".join(parts)


def dense_module(lines: int = 200) -> str:
    """A function of long lines, some 30 tokens each: 32 of them are more than a small budget."""
    parts = ["import json\n\n\ndef pipeline(payload, options):\n"]
    for i in range(lines):
        parts.append(f'    result_{i} = transform(payload["field_{i}"], options.get("key_{i}"), retries={i % 7}, timeout=30.0)\n')
    return "".join(parts)


def typing(text: str, line: int, typed: str) -> Iterator[tuple[Document, int]]:
    """Type ``typed`` at the end of ``line``, a key at a time, into a document kept as the
    server keeps it: the document and the cursor's offset after every key."""
    store = DocumentStore(REGISTRY)
    doc = store.open("file:///ws/store.py", text, "python", 1)
    col = len(doc.line_text(line))
    for ch in typed:
        pos = types.Position(line, col)
        change = types.TextDocumentContentChangePartial(range=types.Range(pos, pos), text=ch)
        doc = store.change(doc.uri, doc.version + 1, [change])
        line, col = (line + 1, 0) if ch == "\n" else (line, col + 1)
        yield doc, doc.offset_at(types.Position(line, col))


def type_line(text: str, line: int, typed: str, budget: int) -> list[tuple[FimPrompt, Document, int]]:
    """The prompt (as the completion feature builds it) after every key of :func:`typing`."""
    counts = LineTokens()
    indexer = Indexer(REGISTRY)
    return [(prompt_for(doc, offset, budget, counts, indexer), doc, offset) for doc, offset in typing(text, line, typed)]


def prompt_for(
    doc: Document, offset: int, budget: int, counts: LineTokens, indexer: Indexer, kept_start: int | None = None
) -> FimPrompt:
    """The prompt the completion feature builds at ``offset`` of a Python ``doc``."""
    index = indexer.for_document(doc)
    return build_fim_prompt(
        doc,
        offset,
        budget=budget,
        suffix_share=0.1,
        count=COUNT,
        scopes=enclosing_scopes(doc.language, doc.tree, doc.data, offset),
        imports=index.imports if index else [],
        line_comment="#",
        path="store.py",
        line_tokens=counts.counter(doc, COUNT),
        kept_start=kept_start,
    )


def windows_moved(text: str, line: int, typed: str, budgets: range) -> list[int]:
    """The budgets whose window start (its line) changed over the keys of :func:`typing`.

    The line is typed once and each key's prompt built at every budget: typed again for each
    budget, the parse after each key was half the CPU of these tests (11 s each at load)."""
    counts = LineTokens()
    indexer = Indexer(REGISTRY)
    starts: dict[int, set[int]] = {budget: set() for budget in budgets}
    for doc, offset in typing(text, line, typed):
        for budget in budgets:
            starts[budget].add(doc.line_at(prompt_for(doc, offset, budget, counts, indexer).window_start))
    return [budget for budget in budgets if len(starts[budget]) > 1]


def head_changes(prompts: list[str], typed_lines: list[str]) -> list[str]:
    """The keystrokes whose prompt does not begin with the previous prompt up to its last line
    (the line being typed): each is a miss of the provider's cache for the whole prompt."""
    changed = []
    for before, after, line in zip(prompts, prompts[1:], typed_lines[1:], strict=False):
        kept = len(os.path.commonprefix([before, after]))  # noqa: RUF071 - characters are compared
        if kept < len(before) - len(line) - 1:
            changed.append(line)
    return changed


def test_the_window_start_stays_while_a_short_line_is_typed() -> None:
    """The line being typed was counted as typed, and its count goes down as well as up ("fo"
    is two tokens, "for" one): where the window's walk back ended near a 32-line step, the
    window start moved a step back and forth with single keys, the whole prompt missing the
    provider's cache each time."""
    text = store_module()
    line = text[: text.index("def method_100")].count("\n") + 2
    assert windows_moved(text, line, "\n        return format(total, key)", range(520, 720, 6)) == []


def test_an_unclosed_bracket_in_a_method_does_not_move_the_window() -> None:
    """While a dict is typed the tree is broken: the method being written is a scope on some
    keys and not on others (and its "header" may run to a body found lines below). Its header
    is not sent (the method starts inside the window), but room was kept for it: the window
    start moved back and forth a step as brackets and quotes opened and closed."""
    text = store_module(methods=60) + (
        "    def check_value(self, action, value):\n"
        "        # converted value must be one of the choices (if specified)\n"
        "        if action.choices is not None and value not in action.choices:\n"
        "            args = {'value': value,\n"
        "                    'choices': ', '.join(map(repr, action.choices))}\n"
        "            raise ValueError(action, args)\n\n"
        "    # =======================\n"
        "    # Help-formatting methods\n"
        "    # =======================\n"
        "    def format_usage(self):\n"
        "        formatter = self._get_formatter()\n"
        "        formatter.add_usage(self.usage, self._actions,\n"
        "                            self._mutually_exclusive_groups)\n"
        "        return formatter.format_help()\n"
    )
    line = text[: text.index("    # Help-formatting")].count("\n")
    typed = '\n        msg = _("invalid: %(value)r") % {"value": value, "choices": [1, 2'
    assert windows_moved(text, line, typed, range(520, 2100, 50)) == []


@pytest.mark.parametrize("budget", [600, 1000])
def test_a_window_of_long_lines_keeps_most_of_its_budget(budget: int) -> None:
    """The window's start was snapped to a 32-line step, whatever that gave up: on long lines,
    with a cursor a few lines past a step, the prompt was the file's path and the cursor line
    (18 tokens of 600), the lines above that fitted the budget all left out."""
    text = dense_module()
    for line in range(94, 132, 3):
        fim, _doc, _offset = type_line(text, line, "\n    x", budget)[-1]
        assert COUNT(fim.prompt) >= budget // 2, line


def test_the_start_of_a_window_of_long_lines_stays_over_lines_typed() -> None:
    """Snapped less far on long lines, the window's start still keeps to a line for every key
    of a line typed and moves once at most over a few lines (the provider's cache hits). The
    32-line step moved it with every line typed where the window was shorter than a step,
    and then, past a step, sent next to nothing (16 tokens of 600)."""
    text = dense_module()
    typed = "".join(f"\n    y_{i} = step(x)" for i in range(8))
    keys_per_line = len(typed) // 8
    for line in (94, 110, 120):
        prompts = type_line(text, line, typed, 600)
        starts = [doc.line_at(fim.window_start) for fim, doc, _ in prompts]
        assert len(set(starts)) <= 2, line
        for i in range(8):  # the keys of each line, after its line break
            assert len(set(starts[i * keys_per_line + 1 : (i + 1) * keys_per_line])) == 1, (line, i)
        assert min(COUNT(fim.prompt) for fim, _doc, _offset in prompts) >= 300, line


def test_the_suffix_of_long_lines_keeps_most_of_its_budget() -> None:
    """The suffix's end was snapped back to a 16-line step: on long lines, where seven lines
    after the cursor fitted its share of the budget, one or two were sent in some places."""
    text = dense_module()
    for line in range(90, 122):
        fim, _doc, _offset = type_line(text, line, "\n    x", 2048)[-1]
        assert COUNT(fim.suffix) >= 2048 // 10 * 3 // 4, line


@pytest.fixture
async def completing() -> AsyncIterator[tuple[Completing, FakeDeepSeek]]:
    with FakeDeepSeek() as fake:
        fake.responder(lambda body: "", path=FIM)
        # Every keystroke asks the model: what each sends is what is looked at. The time limit
        # a bound only: at load 20 the default 5 s ran out before a prompt went out.
        c = Completing(fake, debounce=0, prefetch=False, cache=False, max_prompt_tokens=600, timeout_s=30)
        try:
            yield c, fake
        finally:
            await c.stop()


async def test_typing_an_entry_of_a_class_level_table_keeps_the_class_header(
    completing: tuple[Completing, FakeDeepSeek],
) -> None:
    """pydoc's ``Helper``: comments between ``class Helper:`` and its first statement, then a
    table of 200 entries. Typing an entry breaks the tree on some keys: the class's "body"
    is then found at the line typed, everything above in an ERROR. The header sent was
    ``class Helper:`` with its comments, then ``class Helper:`` alone, then with them again:
    the head of the prompt changed, and the whole prompt missed the provider's cache."""
    c, fake = completing
    entries = "".join(f"        'KEY_{i}': ('topic_{i}', 'SEE_{i} ALSO_{i}'),\n" for i in range(200))
    text = (
        "import os\nimport sys\n\n\nclass Helper:\n\n"
        "    # These dictionaries map a topic name to either an alias, or a tuple\n"
        "    # (label, seealso-items).\n\n"
        "    keywords = {\n" + entries + "    }\n\n"
        "    def help(self, request):\n        return self.keywords[request]\n"
    )
    uri = "file:///ws/helper.py"
    c.open(uri, text)
    line = text[: text.index("'KEY_190'")].count("\n") - 1
    c.insert(uri, line, len(text.split("\n")[line]), "\n")
    line += 1
    typed = "        'CALLS': ('calls', 'EXPRESSIONS'),"
    for col, ch in enumerate(typed):
        c.insert(uri, line, col, ch)
        await c.inline(uri, line, col + 1)
    prompts = [r.json["prompt"] for r in fake.requests_to(FIM)]
    assert len(prompts) >= len(typed) - 2  # (none where only closers follow the cursor)
    assert all("class Helper:" in p for p in prompts)
    lines = [p.rpartition("\n")[2] for p in prompts]
    assert head_changes(prompts, lines) == []


async def test_code_that_looks_for_a_private_key_marker_is_sent_as_written(
    completing: tuple[Completing, FakeDeepSeek],
) -> None:
    """A PEM loader names the BEGIN line it looks for, without a key after it: that line was
    taken for a key block cut short and redacted to the end of the window, the code up to the
    cursor with it. The prompt ended in ``-----END PRIVATE KEY-----`` and the model went on
    from there, not from the code being written."""
    c, fake = completing
    text = (
        "import base64\n\n\n"
        "def load_key(text):\n"
        '    if text.startswith("-----BEGIN OPENSSH PRIVATE KEY-----"):\n'
        "        return _load_openssh(text)\n"
        '    raise ValueError("not a private key")\n\n\n'
        "def _load_openssh(text):\n"
        "    lines = text.strip().splitlines()\n"
        '    body = "".join(lines[1:-1])\n'
        "    return base64.b64decode(\n"
    )
    uri = "file:///ws/keys.py"
    c.open(uri, text)
    await c.inline(uri, 12, len("    return base64.b64decode("))
    [request] = fake.requests_to(FIM)
    prompt = request.json["prompt"]
    assert prompt.endswith('    body = "".join(lines[1:-1])\n    return base64.b64decode(')
    assert 'if text.startswith("-----BEGIN OPENSSH PRIVATE KEY-----"):' in prompt


async def test_a_private_key_cut_short_by_the_window_is_still_redacted(
    completing: tuple[Completing, FakeDeepSeek],
) -> None:
    """The other side of the test above: a key whose END line is past the cursor (a test
    fixture being written) still sends none of its material."""
    c, fake = completing
    text = (
        "import ssl\n\n"
        'TEST_KEY = """-----BEGIN RSA PRIVATE KEY-----\n'
        "MIIEowIBAAKCAQEAx4UbaDzY5OhGgN2PLOXvrS2KEiE7tYyMmOG3Wf\n"
        "T3hX8UXGIdVR8ZPA9bzN0xx3vTWv2E4YjbyhW0aI6OTC6bLhvZ1F\n"
        "\n"
        '-----END RSA PRIVATE KEY-----"""\n'
    )
    uri = "file:///ws/fixtures.py"
    c.open(uri, text)
    await c.inline(uri, 5, 0)
    [request] = fake.requests_to(FIM)
    body = request.json
    assert "MIIE" not in body["prompt"] and "T3hX8" not in body["prompt"]
    assert body["prompt"].startswith("# Path: ") and "TEST_KEY = " in body["prompt"]


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


async def test_a_document_opened_is_indexed_while_the_user_pauses_before_its_lines_are_counted(
    completing: tuple[Completing, FakeDeepSeek], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A document opened is indexed while the user pauses, as its lines are counted: it was
    indexed once all its lines were, and a key typed before that (a large file's count takes
    longer than a pause) found no index within the request's time box. That prompt went
    without the file's imports (and another file's definitions), which came at the next key
    once the index was built: the head changed, a miss of the whole prompt. In the replay
    (``tests/bench/bench_prompt_heads.py``) 3 sites' second requests, ~3,300 tokens. The count is held
    here for good, as a file's that takes longer than the user's pause."""
    c, fake = completing
    never = asyncio.Event()

    async def counting(*_args: object) -> None:
        await never.wait()

    monkeypatch.setattr(c.completion.line_tokens, "fill", counting)
    # A time box that never fits the file: only the pause indexes it.
    c.configure(context_timeout_ms=1)
    text = store_module(methods=600)
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
    assert all("import os\nimport json\n" in p for p in prompts)
    lines = [p.rpartition("\n")[2] for p in prompts]
    assert head_changes(prompts, lines) == []


def test_a_function_left_by_a_dedent_is_no_scope_kept_for_the_head() -> None:
    """The headers kept through a broken tree are those an ERROR took: a function the user
    left (a new top-level line below it, the tree whole) is not kept above the window."""
    js = REGISTRY.for_document("javascript", "file:///ws/index.js")
    py = REGISTRY.for_document("python", "file:///ws/m.py")
    assert js is not None and py is not None
    text = inspect_module()
    at = text.index("    return String(obj);")
    data = (text[:at] + "    if (isBoolean(\n" + text[at:]).encode()
    cursor = at + len("    if (isBoolean(")
    whole = text.encode()
    kept = enclosing_scopes(js, js.parser().parse(whole), whole, at)
    assert [s.header[:26] for s in kept] == ["module.exports = function "]
    tree = js.parser().parse(data)
    now = enclosing_scopes(js, tree, data, cursor)
    assert now == []  # the bracket open: the tree lost the function to an ERROR
    assert scopes_kept_through_errors(tree, data, now, kept, cursor - 2000, cursor, len(data) - len(whole)) == [
        replace(s, end=s.end + len(data) - len(whole)) for s in kept
    ]
    body = "".join(f"    x_{i} = compute({i})\n" for i in range(40))
    inside = ("import os\n\n\ndef run(items):\n" + body + "    total = len(items)\n").encode()
    kept = enclosing_scopes(py, py.parser().parse(inside), inside, len(inside) - 2)
    assert [s.header for s in kept] == ["def run(items):"]
    left = inside + b"\n\nvalue = run"  # left by a dedent: the tree whole, no function around
    tree = py.parser().parse(left)
    now = enclosing_scopes(py, tree, left, len(left))
    assert now == []
    assert scopes_kept_through_errors(tree, left, now, kept, len(inside) - 200, len(left), len(left) - len(inside)) == []


async def test_a_header_kept_through_an_error_is_not_sent_once_the_cursor_left_its_function(
    completing: tuple[Completing, FakeDeepSeek],
) -> None:
    """In Java (C# alike) a bracket left open in a method breaks the tree up to its class: a
    key at the end of ``score``, then ``foo(`` typed in ``helper`` below it (the last prompt's
    window) sent ``int score(Item v)`` and its last ``if`` as the headers the cursor was in."""
    c, fake = completing
    body = "".join(f"        if (check{i}(v)) {{\n            total += weigh{i}(v);\n        }}\n" for i in range(40))
    text = (
        "class A {\n    int score(Item v) {\n        int total = 0;\n" + body + "        return total;\n    }\n\n"
        "    static int helper(int a, int b) {\n        int s = a + b;\n"
        "        if (s > 10) {\n            return s;\n        }\n        return 0;\n    }\n}\n"
    )
    uri = "file:///ws/A.java"
    c.open(uri, text, "java")
    line = text[: text.index("        return total;")].count("\n")
    c.insert(uri, line, 0, "        total\n")
    await c.inline(uri, line, len("        total"))
    first = fake.requests_to(FIM)[-1].json["prompt"]
    assert first.startswith("// Path: A.java\nclass A\nint score(Item v)\n")  # above the window
    line = text[: text.index("        return 0;")].count("\n") + 1
    c.insert(uri, line, 0, "        foo(\n")
    await c.inline(uri, line, len("        foo("))
    sent = fake.requests_to(FIM)[-1].json["prompt"]
    assert sent != first and "static int helper(int a, int b)" in sent
    head = sent.partition("\n    ")[0]  # the lines above the window's first indented one
    assert head == "// Path: A.java\nclass A", head
