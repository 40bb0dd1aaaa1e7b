"""Inline completions end to end: the real server over stdio against the fake DeepSeek server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types

from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import (
    Typist,
    _to_dict,
    eventually,
    inline_params,
    insert,
    lsp_session,
    open_doc,
    requests_waiting,
    server_env,
)
from tests.server_fork import COLD_TOKENIZER, WARM_QUERIES

FIM = "/beta/completions"


def fim_requests(fake: FakeDeepSeek) -> list[Any]:
    return fake.requests_to(FIM)


@asynccontextmanager
async def session(
    fake: FakeDeepSeek,
    tmp_path: Path,
    completion: dict[str, Any] | None = None,
    language: str = "python",
    **env_extra: str,
) -> AsyncIterator[Any]:
    """The server against ``fake``, with these ``completion`` settings (none: the defaults).
    Given settings bound a request by 30 s unless they say otherwise: at load 16 the first
    request, sent as the tokenizer loaded (holding the GIL), missed the default 5 s limit
    ("Could not connect ... within 5 s") where the test was about something else.
    ``language``'s queries come compiled (``WARM_QUERIES``): no test here is about compiling
    them, which each server did at its first open, its first request waiting for it."""
    env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path), **{WARM_QUERIES: language, **env_extra})
    settings = None if completion is None else {"completion": {"timeoutS": 30, **completion}}
    async with lsp_session(env, settings=settings) as client:
        yield client


def oracle(true_text: str, marker: str = "# cursor-end") -> Any:
    """Answer with the true continuation of ``true_text`` at the end of the prompt."""

    def respond(body: dict[str, Any]) -> str:
        prompt: str = body["prompt"]
        tail = prompt.split("# Path: a.py\n", 1)[-1]
        start = true_text.find(tail[-60:]) if tail else 0
        if start < 0:
            return ""
        pos = start + len(tail[-60:])
        return true_text[pos:].split(marker, 1)[0]

    return respond


async def accept(client: Any, uri: str, version: int, line: int, character: int, item: Any) -> None:
    """Accept an inline item as an editor does: insert its text, then run its command."""
    insert(client, uri, version, line, character, item.insert_text)
    await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=item.command.command, arguments=list(item.command.arguments))
    )


async def ready(client: Any) -> None:
    """Wait until the server has loaded its tokenizer (tests that time keystrokes)."""

    async def loaded() -> bool:
        state = _to_dict(await client.protocol.send_request_async("deepseek/debugState", {}))
        return bool(state["tokenizerLoaded"])

    for _ in range(200):
        if await loaded():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the tokenizer did not load within 10 s")


async def pause_for(pending: Any, at_least: float) -> None:
    """Pause as a user waiting for a suggestion does: until ``pending`` is answered, and
    ``at_least`` seconds. A fixed pause was too short on a loaded machine (the first answer,
    debounced and streamed, took longer), and every key after it was typed unanswered."""
    started = asyncio.get_running_loop().time()
    await asyncio.wait([pending], timeout=15)
    await asyncio.sleep(max(0.0, at_least - (asyncio.get_running_loop().time() - started)))


async def stats(client: Any) -> dict[str, Any]:
    return _to_dict(await client.protocol.send_request_async("deepseek/completionStats", {}))


async def test_suggestion_appears_with_the_fake_answer(tmp_path) -> None:
    with FakeDeepSeek() as fake:
        fake.script("return a + b")
        async with session(fake, tmp_path, {"debounce": 0}) as client:
            uri = "file:///ws/a.py"
            open_doc(client, uri, "import os\n\ndef add(a, b):\n    \n")
            result = await client.text_document_inline_completion_async(inline_params(uri, 3, 4))
            assert [i.insert_text for i in result.items] == ["return a + b"]
            assert result.items[0].range == types.Range(types.Position(3, 4), types.Position(3, 4))
            body = fim_requests(fake)[0].json
            assert body["prompt"].endswith("def add(a, b):\n    ")
            assert body["suffix"] == "\n"
            assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
            assert body["model"] == "deepseek-v4-flash"
            # Multi-line (an empty block body) asks for a block, not one line.
            assert body["stop"] != ["\n"]


async def test_typing_session_uses_far_fewer_requests_than_keystrokes(tmp_path) -> None:
    true_text = (
        "import math\n\n\ndef area(radius):\n"
        "    return math.pi * radius * radius  # cursor-end\n"
    )
    head = "import math\n\n\ndef area(radius):\n    "
    typed = "return math.pi * radius * radius"
    with FakeDeepSeek() as fake:
        fake.responder(oracle(true_text), path=FIM)
        fake.set_latency(ttft=0.03, per_token=0.002)
        async with session(fake, tmp_path) as client:
            uri = "file:///ws/a.py"
            open_doc(client, uri, head + "\n")
            # The tokenizer loads once the server is initialized, holding the GIL ~0.5 s; typing
            # into that, the one pause below went by unseen and nothing was ever asked (flaky).
            await ready(client)
            shown = []
            typist = Typist(client)
            for i, ch in enumerate(typed):
                insert(client, uri, i + 2, 4, 4 + i, ch)
                pending = typist.request(inline_params(uri, 4, 5 + i))
                # Human typing (90 ms a key) with one pause, as when waiting for a suggestion.
                if i == 2:
                    await pause_for(pending, 0.6)
                else:
                    await asyncio.sleep(0.09)
                result = Typist.result(pending)
                if result and result.items:
                    shown.append((i, result.items[0].insert_text))
            # Every shown suggestion agrees with what the user goes on to type.
            for i, text in shown:
                assert (head + typed).endswith(text) or typed[i + 1 :].startswith(text), (i, text)
            assert len(shown) >= len(typed) // 2
            requests = len(fim_requests(fake))
            assert requests <= len(typed) // 4, requests
            counts = await stats(client)
            assert counts["cacheHits"].get("typing", 0) >= len(typed) // 2


async def test_cancelled_request_closes_the_upstream_stream(tmp_path) -> None:
    with FakeDeepSeek() as fake:
        fake.set_latency(ttft=3.0)
        async with session(fake, tmp_path, {"debounce": 0}) as client:
            uri = "file:///ws/a.py"
            open_doc(client, uri, "def f():\n    \n")
            typist = Typist(client)
            future = typist.request(inline_params(uri, 1, 4))
            assert await eventually(lambda: len(fim_requests(fake)) == 1)
            typist.cancel()
            # Closed before its answer would have come (3 s): left to run, it would be completed,
            # not disconnected. 2.5 s, not 1 s: the real server's turn on a loaded machine.
            assert await fake.wait_closed_async(fim_requests(fake)[0], timeout=2.5)
            rec = fim_requests(fake)[0]
            assert rec.disconnected and not rec.completed
            await asyncio.wait([future], timeout=2)
            assert future.done() and future.exception() is not None  # answered: request cancelled


async def test_new_keystroke_cancels_the_previous_upstream(tmp_path) -> None:
    with FakeDeepSeek() as fake:
        fake.set_latency(ttft=3.0)
        async with session(fake, tmp_path, {"debounce": 0}) as client:
            uri = "file:///ws/a.py"
            open_doc(client, uri, "x = \n")
            first = asyncio.ensure_future(client.text_document_inline_completion_async(inline_params(uri, 0, 4)))
            assert await eventually(lambda: len(fim_requests(fake)) == 1)
            insert(client, uri, 2, 0, 4, "q")  # a different prefix: the pending answer can't serve it
            typist = Typist(client)
            typist.request(inline_params(uri, 0, 5))
            assert await fake.wait_closed_async(fim_requests(fake)[0], timeout=2.5)
            assert fim_requests(fake)[0].disconnected
            assert not (await asyncio.wait_for(first, 2)).items
            typist.cancel()


async def test_excluded_file_sends_nothing_and_says_why(tmp_path) -> None:
    with FakeDeepSeek() as fake:
        async with session(fake, tmp_path, {"debounce": 0}) as client:
            uri = "file:///ws/.env"
            open_doc(client, uri, "API_KEY=\n", "dotenv")
            result = await client.text_document_inline_completion_async(inline_params(uri, 0, 8, invoked=True))
            assert not result.items
            assert fim_requests(fake) == []
            assert any(s["kind"] == "Inactive" and ".env" in s["message"] for s in client.statuses)


async def test_utf16_positions_with_emoji_are_right(tmp_path) -> None:
    with FakeDeepSeek() as fake:
        fake.script('")')
        async with session(fake, tmp_path, {"debounce": 0}) as client:
            uri = "file:///ws/e.py"
            line = 'print("😀 party 🎉'
            open_doc(client, uri, line + "\n")
            # UTF-16: each emoji is two code units.
            col = len(line) + 2
            result = await client.text_document_inline_completion_async(inline_params(uri, 0, col))
            body = fim_requests(fake)[0].json
            assert body["prompt"].endswith(line)
            item = result.items[0]
            assert item.insert_text == '")'
            assert item.range.start == types.Position(0, col)


async def test_closers_after_the_cursor_are_replaced_not_duplicated(tmp_path) -> None:
    with FakeDeepSeek() as fake:
        fake.script("x, y)")
        async with session(fake, tmp_path, {"debounce": 0}) as client:
            uri = "file:///ws/c.py"
            open_doc(client, uri, "total = add()\n")
            result = await client.text_document_inline_completion_async(inline_params(uri, 0, 12))
            item = result.items[0]
            assert item.insert_text == "x, y)"
            assert item.range == types.Range(types.Position(0, 12), types.Position(0, 13))


async def test_a_call_or_string_written_inside_an_auto_closed_pair_leaves_the_line_whole(tmp_path) -> None:
    """The line after accepting is what the user sees: ``print(len(xs))``, not ``print(len(xs)``
    (the call's own ``)`` was cut for being the line's) nor ``print("Hi!"")``, nor
    ``assertEqual(len(xs))`` or ``assertEqual(len(xs), 3))`` for ``xs), 3``."""
    cases = [
        ("    print()", 10, "len(xs)", "    print(len(xs))"),
        ("    print()", 10, "len(xs))", "    print(len(xs))"),
        ('    print("")', 11, 'Hi!")', '    print("Hi!")'),
        ('    print("")', 11, 'Hi!"', '    print("Hi!")'),
        ('    xs = [""]', 11, 'a", "b"]', '    xs = ["a", "b"]'),
        # Going on past the line's ")" types over it (cut there: "print(max(xs))", "len(xs)").
        ("    print(max())", 14, "xs), max(ys", "    print(max(xs), max(ys))"),
        ("    assertEqual(len())", 20, "xs), 3", "    assertEqual(len(xs), 3)"),
        # ... and what it re-types of the rest after the typed-over ")" goes ("-> None::").
        ("    def __init__():", 17, "self, name: str) -> None:", "    def __init__(self, name: str) -> None:"),
        ("    if isinstance():", 18, "x, int) and x > 0:", "    if isinstance(x, int) and x > 0:"),
        # A string closed early and gone on after types over the line's quote ("Hi", name)").
        ('    print("")', 11, 'Hi", name)', '    print("Hi", name)'),
        ('    log("")', 9, 'n=%d", len(xs))', '    log("n=%d", len(xs))'),
    ]
    # A menu item inserts at the cursor and leaves the line's closers (Neovim's own menu ignores
    # the edit's range): one that types over a closer stops before it.
    menu_expected = {  # by answer
        "xs), 3": "    assertEqual(len(xs))",
        "self, name: str) -> None:": "    def __init__(self, name: str):",
        "x, int) and x > 0:": "    if isinstance(x, int):",
        'Hi", name)': '    print("Hi")',
        'n=%d", len(xs))': '    log("n=%d")',
    }
    with FakeDeepSeek() as fake:
        fake.script(*[answer for _, _, answer, _ in cases for _menu_too in (1, 2)])
        async with session(fake, tmp_path, {"debounce": 0, "prefetch": False, "cache": False}) as client:
            for n, (line, col, answer, expected) in enumerate(cases):
                uri = f"file:///ws/pair{n}.py"
                open_doc(client, uri, f"def show(xs):\n{line}\n")
                result = await client.text_document_inline_completion_async(inline_params(uri, 1, col))
                item = result.items[0]
                start, end = item.range.start.character, item.range.end.character
                assert line[:start] + item.insert_text + line[end:] == expected
                menu = await client.text_document_completion_async(
                    types.CompletionParams(
                        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(1, col)
                    )
                )
                edit = menu.items[0].text_edit
                start, end = edit.range.start.character, edit.range.end.character
                assert line[:start] + edit.new_text + line[end:] == menu_expected.get(answer, expected)


async def test_right_after_accepting_an_item_that_replaced_closers_a_block_comes_at_once(tmp_path) -> None:
    with FakeDeepSeek() as fake:
        fake.script("len(xs)", "\n    return xs")
        async with session(fake, tmp_path, {"debounce": 4000, "prefetch": False, "invokedChoices": 1}) as client:
            uri = "file:///ws/acc.py"
            open_doc(client, uri, "def show(xs):\n    print()\n")
            # Asked for (Invoked, one choice): the first request waits no debounce; the 4 s one is there
            # for the follow to show it skipped.
            item = (await client.text_document_inline_completion_async(inline_params(uri, 1, 10, invoked=True))).items[0]
            assert (item.insert_text, item.range.end) == ("len(xs))", types.Position(1, 11)), item
            # The editor replaces the item's range (the auto-closed ")") and runs its command.
            client.text_document_did_change(
                types.DidChangeTextDocumentParams(
                    text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
                    content_changes=[types.TextDocumentContentChangePartial(range=item.range, text=item.insert_text)],
                )
            )
            await client.workspace_execute_command_async(
                types.ExecuteCommandParams(command=item.command.command, arguments=list(item.command.arguments))
            )
            loop = asyncio.get_running_loop()
            started = loop.time()
            follow = await client.text_document_inline_completion_async(inline_params(uri, 1, 18))
            assert loop.time() - started < 3.0  # the 4 s debounce was skipped (a loaded host's margin)
            assert fim_requests(fake)[-1].json["stop"] != ["\n"]  # a block was asked for
            assert [i.insert_text for i in follow.items] == ["\n    return xs"]


# Neovim's runtime (vim/ui/clipboard/osc52.lua): a callback's body in a table passed to a call.
_OSC52 = """function M.paste(reg)
  return function()
    local contents = nil
    local id = vim.api.nvim_create_autocmd('TermResponse', {
      callback = function(args)
        local resp = args.data.sequence
        if encoded then
"""
_OSC52_AFTER = """
    local ok, res
  end
end
"""


async def test_lua_ends_after_a_block_in_a_table_s_callback_stand_under_their_openers(tmp_path) -> None:
    """A Lua `end` line (or the last statement before one) in a function that is an entry of
    a table passed to a call (`create_autocmd(ev, { callback = function(args) ... end, })`),
    typed through in Neovim: the next block, asked at once, was moved to stand under that
    line as the table's next entry would ('        end,' for '      end,' after the if's
    'end', the if's own 'end' a level deep after 'return true'); 4 of 31 suggestions of the
    exploration's line accepts there wrong."""
    body = "\n          contents = vim.base64.decode(encoded)\n          return true"
    end_if = "\n        end"
    rest = "\n      end,\n    })\n\n    io.stdout:write(osc52(clipboard, '?'))"
    with FakeDeepSeek() as fake:
        # After the if's body, and after the if's body and its `end`.
        fake.script(body, end_if + rest, body + end_if, rest)
        async with session(fake, tmp_path, {"debounce": 0, "prefetch": False, "cache": False}, "lua") as client:
            follows = []
            for name, row in (("a", 8), ("b", 9)):
                uri = f"file:///ws/{name}.lua"
                open_doc(client, uri, _OSC52 + _OSC52_AFTER, language="lua")
                item = (await client.text_document_inline_completion_async(inline_params(uri, 6, 23))).items[0]
                await accept(client, uri, 2, 6, 23, item)
                end = item.insert_text.rsplit("\n", 1)[-1]
                follow = (await client.text_document_inline_completion_async(inline_params(uri, row, len(end)))).items
                follows.append([i.insert_text.split("\n")[:4] for i in follow])
    assert follows == [[["", "        end", "      end,", "    })"]], [["", "      end,", "    })"]]]


async def _accepted_then_asked(client: Any, uri: str, text: str, language: str, row: int, col: int) -> list[Any]:
    """The suggestions asked at once after the first one at ``row``, ``col`` of ``text``
    (opened as ``uri``) is accepted: a line's end typed."""
    open_doc(client, uri, text, language=language)
    item = (await client.text_document_inline_completion_async(inline_params(uri, row, col))).items[0]
    await accept(client, uri, 2, row, col, item)
    end = col + len(item.insert_text)
    return (await client.text_document_inline_completion_async(inline_params(uri, row, end))).items


#: A Lua loop whose block `until` closes, not `end`, in a table's callback and in a function.
_REPEAT = "  repeat\n    n = n + 1\n  until n > 3\n"
_AUTOCMD = (
    "local M = {}\nfunction M.setup()\n  vim.api.nvim_create_autocmd('BufEnter', {\n"
    "    callback = function(args)\n      local n = 0\n"
    + "".join(f"    {line}\n" for line in _REPEAT.splitlines())
    + "    end,\n    pattern = '*.lua'\n  })\nend\n"
)
_COUNT = "local function count()\n  local n = 0\n" + _REPEAT + "  print(n\n"


async def test_a_lua_repeat_until_loop_closes_its_block_for_the_lines_after_it(tmp_path) -> None:
    """Lua's `repeat` ... `until n > 3` was read as a block opened that only an `end` closes:
    after a callback holding one, in a table passed to a call, the next entries asked once
    `pattern = '*.lua',` was accepted, written from column 0, got nothing (the callback read as
    still open, they were not moved under the item above: 5ada991);
    after one in a function, the function's `end` went under the `repeat` (`  end`, a level
    deep)."""
    with FakeDeepSeek() as fake:
        fake.script(",", "\ngroup = group,\ndesc = 'x',", ")", "\n  return n\nend")
        async with session(fake, tmp_path, {"debounce": 0, "prefetch": False, "cache": False}, "lua") as client:
            shown = [
                [i.insert_text for i in await _accepted_then_asked(client, f"file:///ws/{name}.lua", text, "lua", row, col)]
                for name, text, row, col in (("a", _AUTOCMD, 9, 21), ("b", _COUNT, 5, 9))
            ]
    assert shown == [["\n    group = group,\n    desc = 'x',"], ["\n  return n\nend"]]


async def test_a_block_comment_opening_an_initializer_s_entries_keeps_its_column(tmp_path) -> None:
    """A C initializer's `{` accepted (CPython's xxmodule.c, typed again in Neovim), then its
    block comment above the entries asked at once: the comment's ` * ` line was taken for the
    first entry, a column right of a level, and the whole comment moved a column left
    (`   /* The ob_type...`, `    * to be...`): 70 of 333 shown suggestions there wrong."""
    header = "static PyTypeObject Str_Type ="
    comment = "\n    /* The ob_type field must be set in the init function\n     * to be portable to Windows. */"
    with FakeDeepSeek() as fake:
        fake.script(" {", comment)
        async with session(fake, tmp_path, {"debounce": 0, "prefetch": False, "cache": False}, "c") as client:
            uri = "file:///ws/xx.c"
            open_doc(client, uri, f"#include <Python.h>\n\n{header}\n    0,  /*tp_itemsize*/\n}};\n", language="c")
            item = (await client.text_document_inline_completion_async(inline_params(uri, 2, len(header)))).items[0]
            assert item.insert_text == " {"
            await accept(client, uri, 2, 2, len(header), item)
            follow = (await client.text_document_inline_completion_async(inline_params(uri, 2, len(header) + 2))).items
            assert [i.insert_text for i in follow] == [comment]


async def test_a_ruby_rescue_or_when_line_s_body_stands_a_level_in(tmp_path) -> None:
    """Ruby's `rescue Errno::ENOENT` in a method, a `when :csv` of a `case`, accepted and their
    body asked at once (a Ruby file typed again in Neovim): read as whole statements, not
    lines that open a body, the model's body line went back to their column (`    []` under
    `    rescue Errno::ENOENT`), the code after the method's body."""
    method = "class Inventory\n  def load_items\n    JSON.parse(File.read(@path))\n  rescue\n  end\nend\n"
    branch = "def parse(kind, text)\n  case kind\n  when\n  end\nend\n"
    with FakeDeepSeek() as fake:
        fake.script(" Errno::ENOENT", "\n    []", " :csv", "\n    CSV.parse(text)")
        async with session(fake, tmp_path, {"debounce": 0, "prefetch": False, "cache": False}, "ruby") as client:
            follows = [
                [i.insert_text.split("\n")[:2] for i in await _accepted_then_asked(client, f"file:///ws/{name}.rb", text, "ruby", row, col)]
                for name, text, row, col in (("a", method, 3, 8), ("b", branch, 2, 6))
            ]
    assert follows == [[["", "    []"]], [["", "    CSV.parse(text)"]]]


async def test_mid_word_before_real_code_gets_no_suggestion(tmp_path) -> None:
    with FakeDeepSeek() as fake:
        async with session(fake, tmp_path, {"debounce": 0}) as client:
            uri = "file:///ws/m.py"
            open_doc(client, uri, "value = compute(a) + other\n")
            result = await client.text_document_inline_completion_async(inline_params(uri, 0, 8))
            assert not result.items
            assert fim_requests(fake) == []


async def test_completion_fallback_item_inserts_the_whole_suggestion(tmp_path) -> None:
    with FakeDeepSeek() as fake:
        fake.script("eturn a + b")
        async with session(fake, tmp_path, {"debounce": 0}) as client:
            uri = "file:///ws/a.py"
            open_doc(client, uri, "def add(a, b):\n    r\n")
            result = await client.text_document_completion_async(
                types.CompletionParams(
                    text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(1, 5)
                )
            )
            item = result.items[0]
            assert item.label == "return a + b"
            assert item.text_edit.new_text == "return a + b"
            assert item.text_edit.range == types.Range(types.Position(1, 4), types.Position(1, 5))


async def test_invoked_trigger_offers_distinct_choices(tmp_path) -> None:
    with FakeDeepSeek() as fake:
        fake.script("a + b", "a - b", "a + b")
        async with session(fake, tmp_path, {"prefetch": False}) as client:
            uri = "file:///ws/a.py"
            open_doc(client, uri, "def f(a, b):\n    return \n")
            result = await client.text_document_inline_completion_async(inline_params(uri, 1, 11, invoked=True))
            texts = [i.insert_text for i in result.items]
            assert sorted(texts) == ["a + b", "a - b"]
            assert sorted(r.json["temperature"] for r in fim_requests(fake)) == [0.0, 0.6, 0.9]


async def test_bad_key_is_reported_once_and_stops_requests(tmp_path) -> None:
    with FakeDeepSeek() as fake:
        env = server_env(fake.url, api_key="sk-wrong-key-000000", state_dir=str(tmp_path), **{WARM_QUERIES: "python"})
        async with lsp_session(env, settings={"completion": {"debounce": 0}}) as client:
            uri = "file:///ws/a.py"
            open_doc(client, uri, "x = \n")
            for i in range(5):
                insert(client, uri, i + 2, 0, 4 + i, "y")
                await client.text_document_inline_completion_async(inline_params(uri, 0, 5 + i))
            assert len(fim_requests(fake)) == 1
            # One Error said: the warm-up's at start (a key rejected is told before any
            # suggestion is asked), the completion's refusal in the same words.
            errors = {s["message"] for s in client.statuses if s["kind"] == "Error"}
            assert len(errors) == 1 and "401" in errors.pop()
            assert sum("401" in m.message for m in client.messages) == 1
            # An excluded file's Inactive replaces the Error; back in the file, still off: the
            # Error is shown again (it was not, and the editor showed nothing wrong).
            open_doc(client, "file:///ws/.env", "TOKEN=1\n")
            assert await eventually(lambda: client.statuses[-1]["kind"] == "Inactive")
            insert(client, uri, 7, 0, 9, "z")
            await client.text_document_inline_completion_async(inline_params(uri, 0, 10))
            assert client.statuses[-1]["kind"] == "Error" and "401" in client.statuses[-1]["message"]
            assert len(fim_requests(fake)) == 1


async def test_events_accept_and_usage_are_counted(tmp_path) -> None:
    with FakeDeepSeek() as fake:
        fake.script("total = a + b", "return total")
        async with session(fake, tmp_path, {"debounce": 4000, "prefetch": False, "invokedChoices": 1}) as client:
            uri = "file:///ws/a.py"
            open_doc(client, uri, "def add(a, b):\n    \n")
            # Asked for (Invoked, one choice): the first request waits no debounce; the 4 s one is there
            # for the follow to show it skipped.
            result = await client.text_document_inline_completion_async(inline_params(uri, 1, 4, invoked=True))
            item = result.items[0]
            client.protocol.notify("textDocument/didShowCompletion", {"item": {"insertText": item.insert_text}})
            client.protocol.notify(
                "textDocument/didPartiallyAcceptCompletion", {"item": {"insertText": item.insert_text}, "acceptedLength": 5}
            )
            # Accepting: the editor inserts the text, then runs the item's command.
            await accept(client, uri, 2, 1, 4, item)
            # Right after an accept: no debounce, and a block (not one line) is asked for.
            loop = asyncio.get_running_loop()
            started = loop.time()
            follow = await client.text_document_inline_completion_async(inline_params(uri, 1, 4 + len(item.insert_text)))
            assert loop.time() - started < 3.0  # the 4 s debounce was skipped (a loaded host's margin)
            assert [i.insert_text for i in follow.items] == ["return total"]
            assert fim_requests(fake)[-1].json["stop"] != ["\n"]
            counts = await stats(client)
            assert counts["shown"] == 1 and counts["accepted"] == 1 and counts["partiallyAccepted"] == 1
            usage = _to_dict(await client.protocol.send_request_async("deepseek/usage", {}))
            today = usage["today"]["total"]
            assert today["requests"] == 2 and today["cost_usd"] > 0
            assert today["cache_hit_tokens"] + today["cache_miss_tokens"] == today["prompt_tokens"]


async def test_selected_completion_item_is_extended(tmp_path) -> None:
    with FakeDeepSeek() as fake:
        fake.script("(sep=', ')")
        async with session(fake, tmp_path, {"debounce": 0}) as client:
            uri = "file:///ws/s.py"
            open_doc(client, uri, "print\n")
            params = inline_params(uri, 0, 5)
            params.context.selected_completion_info = types.SelectedCompletionInfo(
                range=types.Range(types.Position(0, 0), types.Position(0, 5)), text="printf"
            )
            result = await client.text_document_inline_completion_async(params)
            item = result.items[0]
            assert item.insert_text == "printf(sep=', ')"
            assert item.range == types.Range(types.Position(0, 0), types.Position(0, 5))
            assert fim_requests(fake)[0].json["prompt"].endswith("printf")


async def test_tab_tab_tab_answers_from_prefetches_even_when_they_found_nothing(tmp_path) -> None:
    with FakeDeepSeek() as fake:
        # The suggestion; the prefetch after accepting it; the prefetch after accepting that
        # one finds nothing more to write.
        fake.script("x + 1", "\n    return a", "")
        async with session(fake, tmp_path, {"debounce": 0}) as client:
            uri = "file:///ws/t.py"
            open_doc(client, uri, "def f(x):\n    a = \n")

            first = await client.text_document_inline_completion_async(inline_params(uri, 1, 8))
            assert [i.insert_text for i in first.items] == ["x + 1"]
            assert await eventually(lambda: len(fim_requests(fake)) == 2)  # the prefetch
            await accept(client, uri, 2, 1, 8, first.items[0])
            second = await client.text_document_inline_completion_async(inline_params(uri, 1, 13))
            assert [i.insert_text for i in second.items] == ["\n    return a"]
            # Before the user accepts again, the state after that accept is already asked for.
            assert await eventually(lambda: len(fim_requests(fake)) == 3)
            assert fim_requests(fake)[2].json["prompt"].endswith("    a = x + 1\n    return a")
            await accept(client, uri, 3, 1, 13, second.items[0])
            third = await client.text_document_inline_completion_async(inline_params(uri, 2, 12))
            assert not third.items
            await asyncio.sleep(0.3)
            # That prefetch found nothing: the request after the accept was not asked again.
            assert len(fim_requests(fake)) == 3
            hits = (await stats(client))["cacheHits"]
            # Both follow-ups answered from what the prefetches brought (the first one may have
            # finished before the accept and then answers as typing-through).
            assert hits.get("prefetch", 0) + hits.get("typing", 0) == 2


async def test_a_keystroke_waiting_out_the_debounce_joins_the_answer_that_began_meanwhile(tmp_path) -> None:
    with FakeDeepSeek() as fake:
        fake.script("compute(a, b)")
        # The first answer begins 0.1 s after it is asked (after its 0.2 s debounce) and takes
        # another ~0.5 s to finish.
        fake.set_latency(ttft=0.1, per_token=0.1, chunk_chars=2)
        async with session(fake, tmp_path, {"debounce": 200, "prefetch": False}) as client:
            uri = "file:///ws/a.py"
            open_doc(client, uri, "x = \n")
            first = asyncio.ensure_future(client.text_document_inline_completion_async(inline_params(uri, 0, 4)))
            assert await eventually(lambda: len(fim_requests(fake)) == 1)
            # "c" is typed before the answer begins: nothing streamed proves it agrees yet. The
            # new request waits out its debounce, by which time the answer starts "co...".
            insert(client, uri, 2, 0, 4, "c")
            second = await client.text_document_inline_completion_async(inline_params(uri, 0, 5))
            assert [i.insert_text for i in second.items] == ["ompute(a, b)"]
            assert len(fim_requests(fake)) == 1  # joined, not asked again
            assert not fim_requests(fake)[0].disconnected
            assert not (await asyncio.wait_for(first, 2)).items  # the first answer is stale


async def test_after_an_accept_a_block_still_streaming_shows_its_complete_lines_at_once(tmp_path) -> None:
    with FakeDeepSeek() as fake:
        fake.script("x + 1", "\n    b = a * 2\n    c = b + 1\n    return c")
        fake.set_latency(per_token=0.06, chunk_chars=4)  # the block takes about 0.7 s
        async with session(fake, tmp_path, {"debounce": 0}) as client:
            uri = "file:///ws/b.py"
            open_doc(client, uri, "def f(x):\n    a = \n")

            first = await client.text_document_inline_completion_async(inline_params(uri, 1, 8))
            assert [i.insert_text for i in first.items] == ["x + 1"]
            assert await eventually(lambda: len(fim_requests(fake)) == 2)  # the block is being prefetched
            await accept(client, uri, 2, 1, 8, first.items[0])
            second = await client.text_document_inline_completion_async(inline_params(uri, 1, 13))
            # The first line of the block, while the rest still streams.
            assert [i.insert_text for i in second.items] == ["\n    b = a * 2"]
            assert not fim_requests(fake)[1].completed
            item = second.items[0]
            # Tab after Tab takes the rest, a line or more at a time, none of it asked again.
            remaining, version, line, character = "\n    c = b + 1\n    return c", 3, 1, 13
            while remaining:
                await accept(client, uri, version, line, character, item)
                version, line, character = version + 1, line + item.insert_text.count("\n"), 13
                more = await client.text_document_inline_completion_async(inline_params(uri, line, character))
                item = more.items[0]
                assert remaining.startswith(item.insert_text)
                assert remaining[len(item.insert_text) :][:1] in ("", "\n")  # whole lines
                remaining = remaining[len(item.insert_text) :]
                character = len(item.insert_text.rpartition("\n")[2])
            block = fim_requests(fake)[1]
            assert await eventually(lambda: block.completed)
            assert len([r for r in fim_requests(fake) if r.received_at < block.finished_at]) == 2


async def test_a_file_opened_at_start_up_gets_exact_token_counts_without_a_request(tmp_path) -> None:
    # The file opens while the tokenizer is still loading (its lines are counted by the
    # estimate); the exact recount starts when the tokenizer is ready, not at the first request.
    text = "".join(f"value_{i} = compute({i}, other)\n" for i in range(3000))
    with FakeDeepSeek() as fake:
        async with session(fake, tmp_path, **{COLD_TOKENIZER: "1"}) as client:
            open_doc(client, "file:///ws/big.py", text)
            counted = None
            for _ in range(300):
                state = _to_dict(await client.protocol.send_request_async("deepseek/debugState", {}))
                counted = state["completionLinesCounted"]
                if counted is not None and counted >= 3000:
                    break
                await asyncio.sleep(0.05)
            assert counted is not None and counted >= 3000, counted
            assert fim_requests(fake) == []


async def test_enter_while_a_block_streams_shows_the_rest_of_it_not_a_cut_word(tmp_path) -> None:
    """The user presses Enter while a block that begins with that line break still streams:
    the new request joins it. The block's choice was post-processed (its leading break and
    indent dropped), and cutting the typed bytes off it showed "n x * 2"."""
    with FakeDeepSeek() as fake:
        fake.script("\n    return x * 2\n")
        fake.set_latency(chunk_chars=5)
        fake.pause_after("\n    ")  # its first chunk in, held (a guessed sleep was short at load)
        async with session(fake, tmp_path, {"debounce": 0, "prefetch": False}) as client:
            uri = "file:///ws/c.py"
            open_doc(client, uri, "def f(x):\n    \n")
            first = asyncio.ensure_future(client.text_document_inline_completion_async(inline_params(uri, 1, 4)))
            assert await fake.wait_paused_async()
            insert(client, uri, 2, 1, 4, "\n    ")  # Enter, with the editor's indent
            pending = asyncio.ensure_future(client.text_document_inline_completion_async(inline_params(uri, 2, 4)))
            assert await requests_waiting(client, 2)  # the first request and the one joining it
            fake.resume()
            second = await pending
            assert [i.insert_text for i in second.items] == ["return x * 2"]
            assert len(fim_requests(fake)) == 1  # joined, not asked again
            await asyncio.wait_for(first, 10)


async def test_a_block_on_screen_streams_on_after_the_request_that_began_it_is_cancelled(tmp_path) -> None:
    """VS Code cancels the request that began a block when the user types; the next request
    joins the block and shows its complete lines. The rest must stream on for the next Tab:
    it was cut 50 ms later, for having no request waiting on it."""
    with FakeDeepSeek() as fake:
        fake.script("\n    y = x + 1\n    z = y * 2\n    return z")
        fake.set_latency(chunk_chars=6)
        # Held with its first line in and the second begun: after a guessed 0.3 s a loaded
        # machine had streamed two lines, both shown.
        fake.pause_after("z = y")
        async with session(fake, tmp_path, {"debounce": 0, "prefetch": False}) as client:
            uri = "file:///ws/d.py"
            open_doc(client, uri, "def f(x):\n")
            typist = Typist(client)
            typist.request(inline_params(uri, 0, 9))
            assert await fake.wait_paused_async()
            insert(client, uri, 2, 0, 9, "\n    ")  # Enter, with the editor's indent
            second = await typist.request(inline_params(uri, 1, 4))  # cancels the first
            assert [i.insert_text for i in second.items] == ["y = x + 1"]
            await asyncio.sleep(0.2)  # past the grace a cancelled request's stream is given
            block = fim_requests(fake)[0]
            assert not block.disconnected  # held meanwhile: a hang-up would have ended it
            fake.resume()
            assert await eventually(lambda: block.completed, timeout=10.0)
            assert len(fim_requests(fake)) == 1


async def test_a_client_asking_both_kinds_for_one_keystroke_gets_ghost_text_and_menu(tmp_path) -> None:
    """Neovim's inline completion beside a completion-menu plugin sends both requests for the
    same keystroke: each is only made stale by a newer one of its own kind (the menu's request
    used to make the ghost text's empty)."""
    with FakeDeepSeek() as fake:
        fake.script("eturn a + b")
        # The menu's request must come while the answer streams (the in-flight path). With a
        # short wait a loaded machine could send it after the answer: then only an identical
        # prompt finds it, and the tokenizer loading in between changes the prompt's windows.
        fake.set_latency(ttft=1.0)
        async with session(fake, tmp_path, {"debounce": 0, "prefetch": False}) as client:
            uri = "file:///ws/a.py"
            open_doc(client, uri, "def add(a, b):\n    r\n")
            inline = asyncio.ensure_future(client.text_document_inline_completion_async(inline_params(uri, 1, 5)))
            assert await eventually(lambda: len(fim_requests(fake)) == 1)
            menu = await client.text_document_completion_async(
                types.CompletionParams(
                    text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(1, 5)
                )
            )
            ghost = await asyncio.wait_for(inline, 2)
            assert [i.insert_text for i in ghost.items] == ["eturn a + b"]
            assert [i.label for i in menu.items] == ["return a + b"]
            assert len(fim_requests(fake)) == 1  # one question, asked once


async def test_an_answer_for_text_edited_meanwhile_is_not_placed_on_the_new_text(tmp_path) -> None:
    """An edit lands while a request waits for the model (an auto-import, a formatter, an
    editor that does not cancel): its answer belongs to text that is gone. It used to come
    back with a range on the new text, one line off."""
    with FakeDeepSeek() as fake:
        fake.script("3.14 * r * r", "3.14 * r * r")
        fake.set_latency(ttft=0.3)
        async with session(fake, tmp_path, {"debounce": 0, "prefetch": False}) as client:
            uri = "file:///ws/area.py"
            open_doc(client, uri, "import os\n\ndef area(r):\n    return \n")
            pending = asyncio.ensure_future(client.text_document_inline_completion_async(inline_params(uri, 3, 11)))
            assert await eventually(lambda: len(fim_requests(fake)) == 1)
            insert(client, uri, 2, 0, 0, "import math\n")
            assert not (await asyncio.wait_for(pending, 2)).items
            again = await client.text_document_inline_completion_async(inline_params(uri, 4, 11))
            assert [(i.insert_text, i.range.start.line) for i in again.items] == [("3.14 * r * r", 4)]


async def shown_with_prefetch(client: Any, fake: FakeDeepSeek, uri: str) -> tuple[Any, Any]:
    """Open ``def f(x):\n    a = `` at ``uri``, get the suggestion there, and the prefetch that
    follows it (the request for the state after accepting the suggestion)."""
    open_doc(client, uri, "def f(x):\n    a = \n")
    first = await client.text_document_inline_completion_async(inline_params(uri, 1, 8))
    assert [i.insert_text for i in first.items] == ["x + 1"]
    assert await eventually(lambda: len(fim_requests(fake)) == 2)  # the prefetch
    return first.items[0], fim_requests(fake)[1]


async def test_closing_a_file_stops_its_prefetch(tmp_path) -> None:
    with FakeDeepSeek() as fake:
        fake.script("x + 1", "\n    return a\n" * 20)
        fake.set_latency(ttft=0.5)
        async with session(fake, tmp_path, {"debounce": 0}) as client:
            uri = "file:///ws/closed.py"
            _item, prefetch = await shown_with_prefetch(client, fake, uri)
            client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri)))
            assert await fake.wait_closed_async(prefetch, timeout=2.5)
            assert prefetch.disconnected and not prefetch.completed


async def test_typing_away_from_a_suggestion_stops_its_prefetch(tmp_path) -> None:
    """The prefetch asks what follows accepting the suggestion; typing something else makes
    that answer useless: it is cut at once rather than streamed (and billed) to its end."""
    with FakeDeepSeek() as fake:
        fake.script("x + 1", "\n    return a\n" * 20, "y * 2")
        fake.set_latency(per_token=0.05)
        async with session(fake, tmp_path, {"debounce": 0}) as client:
            uri = "file:///ws/diverge.py"
            _item, prefetch = await shown_with_prefetch(client, fake, uri)
            insert(client, uri, 2, 1, 8, "x")  # on the way to accepting: kept
            await asyncio.sleep(0.2)
            assert not prefetch.closed
            insert(client, uri, 3, 1, 9, "-")  # "x-": not what was suggested
            assert await fake.wait_closed_async(prefetch, timeout=2.5)
            assert prefetch.disconnected and not prefetch.completed


async def test_accepting_a_suggestion_keeps_its_prefetch_streaming(tmp_path) -> None:
    with FakeDeepSeek() as fake:
        fake.script("x + 1", "\n    b = a\n" * 10)
        fake.set_latency(per_token=0.05)
        async with session(fake, tmp_path, {"debounce": 0}) as client:
            uri = "file:///ws/keep.py"
            item, prefetch = await shown_with_prefetch(client, fake, uri)
            await accept(client, uri, 2, 1, 8, item)
            insert(client, uri, 3, 1, 13, "\n")  # Enter: what the block begins with
            assert await fake.wait_closed_async(prefetch, timeout=5.0)
            assert prefetch.completed and not prefetch.disconnected
            assert len(fim_requests(fake)) == 2


async def test_a_self_hosted_chat_model_gets_a_single_line_suggestion_out_of_a_fence_or_a_sentence(tmp_path) -> None:
    """A chat model may open its answer with a fence or a sentence; a line-break stop ended it
    there: the user saw nothing after "```python", or the sentence as code."""
    answers = ["```python\nc += b\n```", "Here is the completion:\nc += b"]
    with FakeDeepSeek() as fake:
        fake.script(*answers)
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path), **{WARM_QUERIES: "python"})
        settings = {"backend": "chat", "completion": {"debounce": 0, "prefetch": False}}
        async with lsp_session(env, settings=settings) as client:
            for n in range(len(answers)):
                uri = f"file:///ws/chat{n}.py"
                open_doc(client, uri, "def add(a, b):\n    c = a\n    \n    return c\n")
                result = await client.text_document_inline_completion_async(inline_params(uri, 2, 4))
                assert [i.insert_text for i in result.items] == ["c += b"], answers[n]
        # Besides the load asked of a server on this machine at start (no messages: see
        # ModelClient.load).
        asked = [r for r in fake.requests_to("/chat/completions") if r.json.get("messages")]
        assert len(asked) == 2


async def test_toggling_completions_shows_at_once_in_the_status(tmp_path) -> None:
    """The status followed the setting only at the next keystroke or opened file: after
    turning completions off the editor still said Ready, and after turning them back on
    (no file open) it said they were off."""
    with FakeDeepSeek() as fake:
        async with session(fake, tmp_path, {"debounce": 0}) as client:

            def toggle(enable: bool) -> None:
                client.set_configuration({"deepseek": {"completion": {"debounce": 0, "enable": enable}}})
                client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))

            open_doc(client, "file:///ws/t.py", "x = 1\n")
            toggle(False)
            assert await eventually(lambda: client.statuses and client.statuses[-1]["kind"] == "Inactive")
            assert client.statuses[-1]["message"] == "completions are turned off"
            assert not client.statuses[-1].get("uri")  # everyone's state, not one file's
            client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier("file:///ws/t.py")))
            toggle(True)
            assert await eventually(lambda: client.statuses[-1]["kind"] == "Normal")


def menu_params(uri: str, line: int, character: int) -> types.CompletionParams:
    return types.CompletionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line, character)
    )


async def test_a_menu_item_is_a_snippet_up_to_the_cursor_indented_relative_to_its_line(tmp_path) -> None:
    """Neovim 0.11's own menu inserted a plain-text item only up to its first blank, ignored
    the range past the cursor (``)`` typed twice) and kept ``\\r``: a snippet item, up to the
    cursor, continuation lines relative to the cursor line, ``\\n`` only (the real editor:
    editors/neovim/test/builtin_completion.lua)."""
    with FakeDeepSeek() as fake:
        fake.script("len(xs))", "total = price * $rate\r\n        return {total}")
        async with session(fake, tmp_path, {"debounce": 0, "prefetch": False}) as client:
            uri = "file:///ws/menu.py"
            open_doc(client, uri, "def show(xs, rate):\n    print()\n    if xs:\n        \n")
            item = (await client.text_document_completion_async(menu_params(uri, 1, 10))).items[0]
            assert item.insert_text_format == types.InsertTextFormat.Snippet
            assert item.text_edit.new_text == "len(xs)"  # the line's own ")" stays
            assert item.text_edit.range == types.Range(types.Position(1, 10), types.Position(1, 10))

            block = (await client.text_document_completion_async(menu_params(uri, 3, 8))).items[0]
            assert block.text_edit.new_text == "total = price * \\$rate\nreturn {total\\}"
            assert block.insert_text_mode == types.InsertTextMode.AdjustIndentation
            assert block.label == "total = price * $rate …"
            assert block.filter_text == "total = price * $rate"


async def test_a_menu_item_for_a_client_without_snippets_is_the_plain_text(tmp_path) -> None:
    with FakeDeepSeek() as fake:
        fake.script("\n    total = price * $rate\r\n    return total")
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path), **{WARM_QUERIES: "python"})
        settings = {"completion": {"debounce": 0, "prefetch": False}}
        async with lsp_session(env, settings=settings, snippets=False) as client:
            uri = "file:///ws/plain.py"
            open_doc(client, uri, "def show(xs, rate):\n    return xs\n\ndef total(price, rate):")
            item = (await client.text_document_completion_async(menu_params(uri, 3, 23))).items[0]
            assert item.insert_text_format == types.InsertTextFormat.PlainText
            assert item.text_edit.new_text == "\n    total = price * $rate\n    return total"
            # The first line with text on it, not "" (or the whole text on one line).
            assert item.label == "total = price * $rate …"


async def test_right_after_accepting_a_menu_snippet_cut_short_a_block_comes_at_once(tmp_path) -> None:
    """A menu snippet stops before a line less indented than the cursor's (the next method);
    the accept is remembered where the snippet ends (it was where the whole suggestion would
    have), so the next request there is taken for one right after an accept."""
    text = "class Cart:\n    def total(self):\n        \n\n    def clear(self):\n        self.items.clear()\n"
    with FakeDeepSeek() as fake:
        fake.script(
            "total = sum(self.items)",
            "\n        return total\n\n    def count(self):\n        return 1",
            "\n\n    def x(self):",
        )
        # No cache: the rest of the block would otherwise come from it, typing-through.
        async with session(fake, tmp_path, {"debounce": 4000, "prefetch": False, "cache": False, "invokedChoices": 1}) as client:
            uri = "file:///ws/menu_acc.py"
            open_doc(client, uri, text)
            version = 1

            async def take(line: int, col: int, inserted: str, invoked: bool = False) -> types.CompletionItem:
                """Ask the menu, apply its first item as the client does, run its command."""
                nonlocal version
                params = menu_params(uri, line, col)
                if invoked:
                    params.context = types.CompletionContext(trigger_kind=types.CompletionTriggerKind.Invoked)
                item = (await client.text_document_completion_async(params)).items[0]
                version += 1
                client.text_document_did_change(
                    types.DidChangeTextDocumentParams(
                        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                        content_changes=[types.TextDocumentContentChangePartial(range=item.text_edit.range, text=inserted)],
                    )
                )
                await client.workspace_execute_command_async(
                    types.ExecuteCommandParams(command=item.command.command, arguments=list(item.command.arguments))
                )
                return item

            # Asked for (Invoked, one choice): the first waits no debounce; the 4 s one is there
            # for the block after the accept to show it skipped.
            await take(2, 8, "total = sum(self.items)", invoked=True)
            # Right after it, a block; the snippet stops before `def count`, a level out.
            block = await take(2, 31, "\n        return total")
            assert block.text_edit.new_text == "\nreturn total"
            loop = asyncio.get_running_loop()
            started = loop.time()
            await client.text_document_inline_completion_async(inline_params(uri, 3, 20))
            assert loop.time() - started < 3.0  # the 4 s debounce was skipped (a loaded host's margin)
            assert len(fim_requests(fake)) == 3
            assert fim_requests(fake)[-1].json["stop"] != ["\n"]  # a block was asked for


async def test_a_new_file_learns_its_indentation_as_it_is_written(tmp_path) -> None:
    """A file with no indented line: Python's unit is PEP 8's four spaces (a tab answer is
    re-indented), and once the user has written indented code that is what counts. The
    unknown unit of the empty file was kept for the file's life, and two-space answers were
    then left as written in a four-space file."""
    with FakeDeepSeek() as fake:
        async with session(fake, tmp_path, {"debounce": 0, "cache": False, "prefetch": False}) as client:
            uri = "file:///ws/idle.py"
            open_doc(client, uri, "import sys\n\nif 'x' not in sys.path:\n\nmain()\n")
            fake.script("\n\tsys.path.insert(0, 'x')")
            result = await client.text_document_inline_completion_async(inline_params(uri, 2, 23))
            assert [i.insert_text for i in result.items] == ["\n    sys.path.insert(0, 'x')"]

            new = "file:///ws/new.py"
            open_doc(client, new, "\n")
            fake.script("import os")
            await client.text_document_inline_completion_async(inline_params(new, 0, 0))
            code = "import os\n\n\ndef area(r):\n    if r < 0:\n        raise ValueError(r)\n    return r * r\n\n\ndef main(args):\n    for a in args:"
            insert(client, new, 2, 0, 0, code)
            fake.script("\n      print(area(float(a)))")
            result = await client.text_document_inline_completion_async(inline_params(new, 10, 18))
            assert [i.insert_text for i in result.items] == ["\n        print(area(float(a)))"]


async def test_after_a_docstring_the_whole_body_is_suggested(tmp_path) -> None:
    """The signature and a docstring written, Enter: the body comes whole, up to the next
    definition (Python's block ends at the docstring, so the blank line was taken for module
    level and one line was asked for)."""
    with FakeDeepSeek() as fake:
        async with session(fake, tmp_path, {"debounce": 0, "cache": False, "prefetch": False}) as client:
            uri = "file:///ws/conf.py"
            open_doc(client, uri, 'def load(path):\n    """Read the JSON config at path."""\n    \n\n\ndef main():\n    pass\n')
            fake.script("with open(path) as f:\n        return json.load(f)\n\n\ndef main():\n    pass")
            result = await client.text_document_inline_completion_async(inline_params(uri, 2, 4))
            assert [i.insert_text for i in result.items] == ["with open(path) as f:\n        return json.load(f)"]
            assert fim_requests(fake)[0].json["stop"] != ["\n"]


async def test_a_document_opened_again_without_a_close_gives_its_new_definitions(tmp_path) -> None:
    """An editor reloading a file sends didOpen again, with no didClose: the old text's index
    (of the same edit count) was served for the new text, and the prompt showed the signature
    the file no longer had."""
    with FakeDeepSeek() as fake:
        fake.responder(lambda body: "x)", path="/beta/completions")
        # A generous time box: on a loaded machine the 80 ms one ran out before the definitions.
        completion = {"debounce": 0, "prefetch": False, "cache": False, "contextTimeoutMs": 2000}
        async with session(fake, tmp_path, completion) as client:
            helper = "file:///ws/helpers.py"
            main = "file:///ws/main.py"
            open_doc(client, helper, "def shout(message):\n    return message.upper()\n")
            text = "import os\n" + "x = 1\n" * 40 + "shout("
            open_doc(client, main, text)
            line, col = text.count("\n"), len(text.rsplit("\n", 1)[-1])

            async def prompt() -> str:
                await client.text_document_inline_completion_async(inline_params(main, line, col, invoked=True))
                return fake.requests_to("/beta/completions")[-1].json["prompt"]

            assert "# def shout(message):" in await prompt()
            open_doc(client, helper, "def shout(message, volume, *, twice=False):\n    return message\n")
            after = await prompt()
    assert "# def shout(message, volume, *, twice=False):" in after and "# def shout(message):" not in after


async def test_a_file_without_a_grammar_is_labelled_with_its_path_in_its_own_comments(tmp_path) -> None:
    """A SQL, Dockerfile, Makefile, CSS or HTML file's prompt starts with its path as a comment
    of its language, as a grammar's file's does (Copilot's too): the model was told nothing of
    what file it wrote in. Plain text gets no label (no comment syntax to carry it)."""
    cases = [
        ("q.sql", "sql", "SELECT 1;\n", "-- Path: q.sql\n"),
        ("Dockerfile", "dockerfile", "FROM python:3.12\n", "# Path: Dockerfile\n"),
        ("Makefile", "makefile", "all:\n", "# Path: Makefile\n"),
        ("s.css", "css", ".a { color: red; }\n", "/* Path: s.css */\n"),
        ("i.html", "html", "<p>hi</p>\n", "<!-- Path: i.html -->\n"),
        ("n.txt", "plaintext", "some notes\n", ""),
    ]
    with FakeDeepSeek() as fake:
        fake.script("x")
        async with session(fake, tmp_path, {"debounce": 0}) as client:
            for name, language, text, label in cases:
                uri = (tmp_path / name).as_uri()
                open_doc(client, uri, text, language)
                before = len(fim_requests(fake))
                await client.text_document_inline_completion_async(inline_params(uri, 1, 0, invoked=True))
                # Its request, not a prefetch past the previous file's suggestion.
                prompts = [r.json["prompt"] for r in fim_requests(fake)[before:]]
                assert label + text in prompts, (name, prompts)


NEXT_ARGUMENT_CASES = [
    # language, file, text before the cursor (at the end of its last line), after it, the answer
    ("kotlin", "b.kt", 'fun names() = listOf(\n    "alpha",\n    "beta",', '\n)\n', '\n    "gamma",'),
    ("python", "b.py", 'names = dict(\n    alpha=1,\n    beta=2,', '\n)\n', "\n    gamma=3,"),
    ("javascript", "b.js", "const names = build(\n  alpha,\n  beta,", "\n);\n", "\n  gamma,"),
    ("typescript", "b.ts", "const names = build(\n  alpha,\n  beta,", "\n);\n", "\n  gamma,"),
    ("java", "B.java", "class B {\n  void f() {\n    call(\n        alpha,\n        beta,", "\n    );\n  }\n}\n",
     "\n        gamma,"),
    ("go", "b.go", "package b\n\nfunc f() {\n\tcall(\n\t\talpha,\n\t\tbeta,", "\n\t)\n}\n", "\n\t\tgamma,"),
    # A struct literal's fields (Go's `T{`, Rust's `T {`).
    ("go", "c.go", 'package c\n\nfunc f() Config {\n\treturn Config{\n\t\tName: "a",\n\t\tSize: 1,', "\n\t}\n}\n",
     "\n\t\tMode: 2,\n\t\tDebug: true,"),
    ("go", "d.go", 'package d\n\nfunc f() {\n\ts := &http.Server{\n\t\tAddr: ":80",', "\n\t}\n\t_ = s\n}\n",
     "\n\t\tHandler: nil,"),
    ("rust", "c.rs", 'fn f() -> Config {\n    Config {\n        name: "a".into(),\n        size: 1,', "\n    }\n}\n",
     "\n        mode: 2,\n        debug: true,"),
    ("rust", "d.rs", "fn f() {\n    let c = Config {\n        size: 1,", "\n    };\n}\n", "\n        mode: 2,"),
    # A Rust match's arms (a value's `let y = match x {` too, a nested arm's `=> match y {`).
    ("rust", "e.rs", "fn f(x: u8) -> u8 {\n    match x {\n        0 => 1,", "\n    }\n}\n",
     "\n        1 => 2,\n        _ => 0,"),
    ("rust", "g.rs", 'fn f(s: &str) {\n    let n = match s.len() {\n        0 => "none",', "\n    };\n}\n",
     '\n        1 => "one",\n        _ => "many",'),
    ("rust", "h.rs", "fn f(a: Option<u8>, b: u8) -> u8 {\n    match a {\n        None => match b {\n            0 => 1,",
     "\n        },\n        Some(v) => v,\n    }\n}\n", "\n            _ => 2,"),
    ("php", "m.php", "<?php\n$name = match ($code) {\n    1 => 'one',", "\n};\n", "\n    2 => 'two',\n    default => 'many',"),
    # After a Rust block arm's `},`; C#'s switch expression's arms and an initializer's members.
    ("rust", "i.rs", "fn f(x: u8) -> u8 {\n    match x {\n        0 => {\n            log();\n            1\n        },",
     "\n    }\n}\n", "\n        _ => 0,"),
    ("csharp", "S.cs", "class S {\n    static int F(int x) {\n        return x switch\n        {\n            1 => 10,",
     "\n        };\n    }\n}\n", "\n            2 => 20,\n            _ => 0,"),
    ("csharp", "T.cs", "class T {\n    static string F(object o) => o switch {\n        int i => \"int\",",
     "\n    };\n}\n", '\n        string s => s,\n        _ => "other",'),
    ("csharp", "P.cs", "class P {\n    static object F() {\n        return new Point\n        {\n            X = 1,",
     "\n        };\n    }\n}\n", "\n            Y = 2,"),
    # An enum's constants (TypeScript's, Java's, C's with a note after the `,`).
    ("typescript", "e.ts", "export enum Level {\n  Debug = 'debug',", "\n}\n", "\n  Info = 'info',\n  Warn = 'warn',"),
    ("java", "Level.java", "public enum Level {\n    DEBUG(10),", "\n}\n", "\n    INFO(20),\n    WARN(30),"),
    ("c", "level.h", "typedef enum {\n    LEVEL_DEBUG = 10, /* everything */", "\n} level;\n", "\n    LEVEL_INFO = 20, /* less */"),
    # Names one a line in an import and a destructuring; a list's item after its `],`.
    ("typescript", "i.ts", "import {\n  Component,", "\n} from '@angular/core';\n", "\n  OnInit,"),
    ("javascript", "k.js", "const {\n  EV_ALL,", "\n} = require('./constants');\n", "\n  EV_READY,"),
    ("python", "t.py", "tokens = {\n    'root': [\n        ('a', 1),\n    ],", "\n}\n", "\n    'string': [\n        ('b', 2),\n    ],"),
]

#: The cursor on the line below (Enter pressed): a match's, a `when`'s, a switch's next arms
#: after one ended by no comma, an item's after its `,`, a call's next arguments below its
#: first line ending with `,` (the editor's `)` after the cursor too).
NEXT_LINE_CASES = [
    ("rust", "n.rs", "fn f(x: u8) {\n    match x {\n        0 => {\n            g();\n        }\n        ", "\n    }\n}\n",
     "1 => {\n            h();\n        }\n        _ => {}"),
    ("kotlin", "n.kt", "fun f(x: Int): Int {\n    return when (x) {\n        1 -> 10\n        ", "\n    }\n}\n",
     "2 -> 20\n        else -> 0"),
    ("java", "N.java", "class N {\n    int f(int x) {\n        return switch (x) {\n            case 1 -> 10;\n            ",
     "\n        };\n    }\n}\n", "case 2 -> 20;\n            default -> 0;"),
    ("go", "n.go", "package n\n\nfunc f(x int) {\n\tswitch x {\n\tcase 1:\n\t\tg()\n\t", "\n\t}\n}\n",
     "case 2:\n\t\th()"),
    ("swift", "n.swift", "func f(x: Int) {\n    switch x {\n    case 1:\n        g()\n    ", "\n    }\n}\n",
     "case 2:\n        h()\n    default:\n        break"),
    ("rust", "m.rs", "fn f(x: u8) -> u8 {\n    match x {\n        0 => 1,\n        ", "\n    }\n}\n", "1 => 2,\n        _ => 0,"),
    ("python", "n.py", "total = add(first,\n            ", "\n", "second,\n            third)"),
    ("javascript", "n.js", "const t = add(first,\n  ", "\n);\n", "second,\n  third"),
    # A constructor's signature wrapped after its first line's `,`, and its body.
    ("java", "P.java", "class P {\n    public P(byte[] salt, int count,\n            ", "\n}\n",
     "Spec spec) {\n        this.spec = spec;\n    }"),
]


#: A minified bundle's one line of 21 kB: its IIFE's `!function(e){` opened 21 kB before the
#: cursor, far past the prompt's window.
_BUNDLE = "!function(e){" + "var s=function(a,b){return a.map(function(x){return x+b})};" * 360


@pytest.mark.parametrize(
    ("before", "answer", "shown"),
    [
        (_BUNDLE + "e.square=function(t){return t*t", "}}(window);", "}}(window);"),
        (_BUNDLE + "e.list=[function(t){return[t", "]}]}(window);", "]}]}(window);"),
        # A control: a closer of nothing open on the line is cut, far into it as near its start.
        (_BUNDLE + "e.square=function(t){return t*t", "}}}(window);", "}}"),
    ],
)
async def test_closers_of_brackets_opened_far_back_on_a_minified_line_are_shown(
    tmp_path, before: str, answer: str, shown: str
) -> None:
    """At the end of a minified bundle's 21 kB line the model's closers of brackets opened
    before the prompt's window (the IIFE's `}` and its call) were cut as stray: only the
    inner function's `}` was shown. The line's own brackets from its start tell they are open."""
    with FakeDeepSeek() as fake:
        fake.responder(lambda _body: answer, path=FIM)
        async with session(fake, tmp_path, {"debounce": 0}, language="javascript") as client:
            uri = (tmp_path / "bundle.min.js").as_uri()
            open_doc(client, uri, before + "\n", "javascript")
            result = await client.text_document_inline_completion_async(inline_params(uri, 0, len(before), invoked=True))
            assert [i.insert_text for i in result.items] == [shown]


#: Words of a long line after its first sentence, no comment, string nor closer among them.
_WORDS = "Plain words (and a note) follow here. " * 400


@pytest.mark.parametrize(
    ("language", "name", "head", "answer", "shown"),
    [
        # Text without a grammar nor syntax known here: a `//` in an HTML page's text, a stray
        # backtick in reStructuredText, 15 kB before the cursor, read from the line's start as
        # code, made the window a comment or a string: the model's closers of nothing went
        # through unchecked.
        ("html", "page.html", "<p>Mirrors at http://example.org/ list them. " + _WORDS, "))) holds.", "))"),
        ("restructuredtext", "notes.rst", "Press ` to open the console. " + _WORDS, "))) holds.", "))"),
        # Controls: the line without them; a minified JSON line's brackets opened before the
        # window, read from its start, are closed by the answer.
        ("html", "plain.html", "<p>Mirrors list them. " + _WORDS, "))) holds.", "))"),
        ("json", "data.json", '{"rows":[' + '{"id":1,"tags":["a","b"]},' * 800, "]}]}", "]}]}"),
    ],
)
async def test_a_long_line_of_text_without_a_grammar_checks_closers_as_a_short_one(
    tmp_path, language: str, name: str, head: str, answer: str, shown: str
) -> None:
    """At the end of a long line of a grammarless file of no syntax known here (HTML's text,
    reStructuredText), the model's closers are checked as at the end of a short line: the
    window's brackets, not the whole line's read as code from its start."""
    with FakeDeepSeek() as fake:
        fake.responder(lambda _body: answer, path=FIM)
        async with session(fake, tmp_path, {"debounce": 0}, language=language) as client:
            uri = (tmp_path / name).as_uri()
            text = head + ('{"id":2,"tags":["c"' if language == "json" else "where f(a, g(b")
            open_doc(client, uri, text + "\n", language)
            result = await client.text_document_inline_completion_async(inline_params(uri, 0, len(text), invoked=True))
            assert [i.insert_text for i in result.items] == [shown]


@pytest.mark.parametrize(("language", "name", "before", "after", "answer"), NEXT_ARGUMENT_CASES + NEXT_LINE_CASES)
async def test_the_next_argument_of_a_call_over_lines_is_suggested_after_a_comma(
    tmp_path, language: str, name: str, before: str, after: str, answer: str
) -> None:
    """At the end of an argument's line ending with `,` in a call over lines, the next argument
    goes on the next line: asked for one line (stopped at its line break), the model's answer
    was cut to nothing and the user saw no suggestion until Enter (Copilot shows it). On the
    line below, the next arms or arguments were cut to their first line."""
    with FakeDeepSeek() as fake:
        fake.responder(lambda _body: answer, path=FIM)
        async with session(fake, tmp_path, {"debounce": 0}, language=language) as client:
            uri = (tmp_path / name).as_uri()
            open_doc(client, uri, before + after, language)
            line = before.count("\n")
            column = len(before.rpartition("\n")[2])
            result = await client.text_document_inline_completion_async(inline_params(uri, line, column, invoked=True))
            assert [i.insert_text for i in result.items] == [answer]
            assert fim_requests(fake)[0].json["stop"] != ["\n"]
