"""A docstring, a comment's lines or a C macro's body longer than a block's tokens (256):
the rest is asked for where the answer stopped at its limit still inside it (the docstring not
closed, every line of the body continued), from its last whole line, as Copilot users get the
whole block. Before, the user got the block cut at its last whole line: a docstring closed
after half its text, a macro ended in the middle of its `do { ... }`. Elsewhere a block cut at
its tokens stays cut (whole lines, one request). The real server over stdio (the in-process
feature for the controls) against the fake DeepSeek, which honours ``max_tokens`` (4
characters a token) and answers what the prompt has not written yet."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.completing import FIM, AnsweringTheRest, Completing, accept_first
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek, _BadRequest
from tests.harness import (
    accepted_text,
    first_item_at_cursor,
    inline_params,
    lsp_session,
    open_doc,
    server_env,
)

_ARGS = "".join(f"        arg{i}: The {i}th argument, described at some length so that it takes room.\n" for i in range(24))
_DOC = "Do a thing with many arguments.\n\n    Args:\n" + _ARGS + '    """'
_FUNC = "def f(*args):\n    ‸\n    return args\n"
_BODY = "".join(f"        int t{i} = (a) + {i} * (b); /* the {i}th of many, each at length */ \\\n" for i in range(24))
_MACRO = "#define MANY(a, b) \\\n    do { \\\n" + "‸\n\nint main(void) {\n    return 0;\n}\n"
_MACRO_ANSWER = _BODY.lstrip(" ") + "    } while (0)"
_LONG_BODY = "".join(f"    total += compute_something_long(value_{i}, factor_{i}, offset_{i});\n" for i in range(40))


@pytest.mark.parametrize(
    ("language", "ext", "text", "answer"),
    [
        ("python", "py", _FUNC.replace("‸", '"""‸'), _DOC),
        ("python", "py", _FUNC.replace("‸", '"""‸"""'), _DOC),
        ("c", "c", _MACRO.replace("‸", "        ‸"), _MACRO_ANSWER),
    ],
)
async def test_a_long_block_comes_whole(tmp_path, language: str, ext: str, text: str, answer: str) -> None:
    assert len(answer) > 4 * 256  # past a block's tokens
    model = AnsweringTheRest(answer)
    clean, item = await first_item_at_cursor(str(tmp_path), ext, language, text, model)
    assert item is not None
    assert accepted_text(clean, item) == text.replace("‸", answer).replace('"""' + answer + '"""', '"""' + answer)
    assert len(model.asked) == 2


async def test_a_long_function_body_stays_cut_at_its_tokens() -> None:
    text = "def f(values):\n    total = 0\n‸\n"
    with FakeDeepSeek() as fake:
        got, _ = await accept_first(fake, "python", "py", text, AnsweringTheRest(_LONG_BODY))
        asked = fake.requests_to(FIM)
    assert got is not None and got != text.replace("‸", _LONG_BODY)
    assert len(asked) == 1


#: A struct's fields, each with its comment, and an enum's values: longer than a block's tokens.
_FIELDS = "".join(f"\tint field_{i};\t\t/* the {i}th field, described at some length */\n" for i in range(40))
_VALUES = "".join(f"    KIND_NUMBER_{i} = {i},  /**< the {i}th kind, described at some length */\n" for i in range(40))


@pytest.mark.parametrize("body", [_FIELDS, _VALUES], ids=["commented-fields", "enum-values"])
async def test_a_type_cut_at_its_tokens_keeps_its_whole_lines(body: str) -> None:
    """Each field's `*/` ended with a `/`, read as a division waiting for more, and each enum
    value's line with a comma: every line was taken off the cut block, and nothing was shown
    (fts.h's FTS, llvm-c's Object.h)."""
    text = "typedef struct {‸}\n\nint main(void) { return 0; }\n"
    with FakeDeepSeek() as fake:
        got, _ = await accept_first(fake, "c", "c", text, AnsweringTheRest("\n" + body + "} many_t;"))
    assert got is not None
    shown = got[got.index("{") + 2 : got.index("}")]
    assert 10 < shown.count("\n") < 40 and body.startswith(shown)


async def test_a_macro_longer_than_all_its_asks_keeps_its_whole_lines() -> None:
    body = "".join(f"        int t{i} = (a) + {i} * (b); /* the {i}th of many, each at length */ \\\n" for i in range(90))
    text = _MACRO.replace("‸", "        ‸")
    with FakeDeepSeek() as fake:
        got, _ = await accept_first(fake, "c", "c", text, AnsweringTheRest(body.lstrip(" ") + "    } while (0)"))
        asked = fake.requests_to(FIM)
    assert len(asked) == 4
    assert got is not None
    lines = got.split("\n")
    # Every whole line of the four answers (~ 4 * 1,024 characters of 73-character lines), where
    # the cut kept its first line alone (the continued ones taken off as waiting for more).
    kept = [line for line in lines if line.startswith("        int t")]
    assert len(kept) > 50
    assert [line.rstrip(" \\") for line in kept] == [line.rstrip(" \\") for line in body.split("\n")[: len(kept)]]


class BusyForTheRest(AnsweringTheRest):
    """Answers the first request, then is overloaded (DeepSeek's 503) for the rest of it."""

    def __call__(self, body: dict[str, Any]) -> str:
        if self.asked:
            self.asked.append(str(body.get("prompt") or ""))
            raise _BadRequest(503, "Server overloaded, please try again later")
        return super().__call__(body)


async def test_a_rest_refused_keeps_the_lines_already_answered(tmp_path) -> None:
    """The first answer's whole lines are the suggestion when asking for its rest fails (the
    user had waited for them, and got nothing: the 503 threw the first answer away)."""
    text = _FUNC.replace("‸", '"""‸')
    model = BusyForTheRest(_DOC)
    clean, item = await first_item_at_cursor(str(tmp_path), "py", "python", text, model)
    assert len(model.asked) == 2
    assert item is not None
    got = accepted_text(clean, item)
    assert got.startswith('def f(*args):\n    """Do a thing with many arguments.\n\n    Args:\n        arg0: The 0th'), got
    assert got.count('"""') == 2 and got.endswith("    return args\n"), got


async def test_a_rest_asked_after_the_user_typed_is_not_asked_of_the_text_typed_since() -> None:
    """The prompt refitted for the rest (past the budget) read the document as it is now: the
    text the user typed at the cursor since (``Do``) sent after the rest's own start, as if it
    followed it. The answer's whole lines are kept instead."""
    above = "".join(f"def helper_{i}(value):\n    return value * {i} + {i * 3}\n\n\n" for i in range(300))
    text = above + 'def f(*args):\n    """\n    return args\n'
    line = above.count("\n") + 1
    uri = "file:///w/a.py"
    with FakeDeepSeek() as fake:
        fake.responder(AnsweringTheRest(_DOC), path=FIM)
        c = Completing(fake, debounce=0, prefetch=False, cache=False, max_prompt_tokens=700)
        try:
            c.open(uri, text)
            fake.pause_after("arg2")
            asked = asyncio.ensure_future(c.inline(uri, line, 7))
            assert await fake.wait_paused_async()
            c.insert(uri, line, 7, "Do")
            fake.resume()
            await asked
            suffixes = [r.json.get("suffix") for r in fake.requests_to(FIM)]
        finally:
            await c.stop()
    assert suffixes[0] == "\n    return args\n"
    assert all(s == suffixes[0] for s in suffixes), suffixes


#: A comment's lines longer than a block's tokens: a Doxygen comment's starred lines and `#` lines.
_STARS = "".join(f"     * @param arg{i} the {i}th argument, described at some length so it takes room\n" for i in range(24))
_HASHES = "".join(f"    # and the {i}th case, described at some length so that it takes room here\n" for i in range(24))
#: Where the cursor stands in such a comment: a Doxygen comment's first line, a `# TODO: `.
_IN_STARS = "struct s {\n    /**\n     * Does a ‸\n     */\n    int (*f)(int a);\n};\n"
_IN_HASHES = "def f(xs):\n    # TODO: ‸\n    return 1\n"


@pytest.mark.parametrize(
    ("language", "ext", "text", "answer"),
    [
        ("c", "c", _IN_STARS, "thing with many arguments.\n" + _STARS.rstrip("\n")),
        ("python", "py", _IN_HASHES, "handle the empty case\n" + _HASHES.rstrip("\n")),
    ],
    ids=["doxygen-stars", "hash-lines"],
)
async def test_a_long_comment_comes_whole(language: str, ext: str, text: str, answer: str) -> None:
    """A comment's lines past a block's tokens were cut at its last whole line (15 of the 18
    /usr/include `/**` comments bench_comment_lines.py missed): its rest is asked as a
    docstring's is."""
    assert len(answer) > 4 * 256
    model = AnsweringTheRest(answer)
    with FakeDeepSeek() as fake:
        got, _ = await accept_first(fake, language, ext, text, model)
    assert got == text.replace("‸", answer)
    assert len(model.asked) == 2


async def test_a_long_comment_s_rest_ends_with_the_comment() -> None:
    """The rest's answer going on past the comment into code keeps the comment's lines only."""
    text = _IN_HASHES
    comment = "handle the empty case\n" + _HASHES.rstrip("\n")
    code = "".join(f"\n    total_{i} = compute(xs, {i})" for i in range(10))
    with FakeDeepSeek() as fake:
        got, _ = await accept_first(fake, "python", "py", text, AnsweringTheRest(comment + code))
        asked = fake.requests_to(FIM)
    assert got == text.replace("‸", comment)
    assert len(asked) == 2


@pytest.mark.parametrize("typed_first", [False, True], ids=["alt-backslash", "after-the-automatic-one"])
async def test_an_explicit_request_asks_the_rest_of_the_choice_shown_first(tmp_path, typed_first: bool) -> None:
    """Alt+\\ asks three choices: the choice shown first comes whole, its rest asked once; each
    other, cycled to, asks its own rest as well (test_an_explicit_request_s_other_choices_come_whole),
    left at the docstring's closer. After the automatic suggestion (cached, whole), only the two
    others are asked, each with its rest."""
    text = _FUNC.replace("‸", '"""‸')
    before = text[: text.index("‸")]
    clean = text.replace("‸", "")
    uri = "file:///ws/a.py"
    model = AnsweringTheRest(_DOC)
    with FakeDeepSeek() as fake:
        fake.responder(model)
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path))
        settings = {"completion": {"debounce": 0, "prefetch": False, "cache": typed_first, "invokedChoices": 3}}
        async with lsp_session(env, settings=settings) as client:
            open_doc(client, uri, clean, "python")
            line, column = before.count("\n"), len(before.split("\n")[-1])
            if typed_first:
                await client.text_document_inline_completion_async(inline_params(uri, line, column))
            params = inline_params(uri, line, column, invoked=True)
            result = await client.text_document_inline_completion_async(params)
        asked = fake.requests_to(FIM)
    assert result is not None and result.items
    assert accepted_text(clean, result.items[0]) == text.replace("‸", _DOC)
    # Each choice and its one rest (_DOC is under two blocks' tokens): the first asked by the
    # automatic request or by Alt+\\ itself.
    assert len(asked) == 3 * 2, len(asked)


#: Members each under its doc comment, longer than a block's tokens (the cut found below).
_DOCUMENTED = "".join(
    f"\n    /**\n     * The {i}th count of things, described at some length.\n     */\n    private int count{i} = {i};"
    for i in range(60)
)
_DOCSTRINGS = "".join(
    f'\n    def count_{i}(self):\n        """The {i}th count of things.\n\n        Described at some length.\n        """\n        return {i}\n'
    for i in range(40)
)


def _cut_after(answer: str, mark: str, more: str) -> str:
    """``answer`` down to the last ``mark`` a block's tokens (256) hold, then ``more``: the text
    the limit cuts, as the model streamed it."""
    end = answer.rfind(mark, 0, 256 * 4) + len(mark)
    return answer[:end] + more


@pytest.mark.parametrize(
    ("language", "ext", "text", "answer", "opener", "closer"),
    [
        # The cut in the member after its comment: the comment's `*/` was taken for a
        # division waiting for more, taken off, and the comment left open.
        ("java", "java", "class A {‸}\n", _cut_after(_DOCUMENTED, "*/\n", "    private int cou"), "/*", "*/"),
        ("c", "c", "struct s {‸};\n", _cut_after(_DOCUMENTED, "*/\n", "    private int cou"), "/*", "*/"),
        # The cut inside the comment or the docstring.
        ("typescript", "ts", "class A {‸}\n", _cut_after(_DOCUMENTED, "length.\n", "     */\n    priv"), "/*", "*/"),
        ("python", "py", "class A:\n    ‸\n", _cut_after(_DOCSTRINGS, "things.\n", "\n        Descr"), '"""', '"""'),
    ],
    ids=["java-cut-after-its-closer", "c-cut-after-its-closer", "ts-cut-inside", "python-docstring-cut-inside"],
)
async def test_a_block_cut_at_its_tokens_leaves_no_comment_or_string_open(
    language: str, ext: str, text: str, answer: str, opener: str, closer: str
) -> None:
    """Accepted, a suggestion ending inside a comment or a docstring it opened turned the rest
    of the file (the class's `}`, every function below) into that comment's text."""
    with FakeDeepSeek() as fake:
        fake.fault("finish", reason="length", path=FIM)
        got, _ = await accept_first(fake, language, ext, text, answer)
    assert got is not None
    shown = got[len(text.index("‸") * " ") : len(got) - (len(text) - text.index("‸") - 1)]
    assert answer.lstrip().startswith(shown.strip()) and shown.count("\n") > 20
    if opener == closer:
        assert shown.count(opener) % 2 == 0, shown[-300:]
    else:
        assert shown.count(opener) == shown.count(closer), shown[-300:]


#: Comments and a docstring past the four blocks' tokens (1,024) the rest was asked for within.
_MORE_STARS = "".join(f"     * @param arg{i} the {i}th argument, described at some length so it takes room\n" for i in range(80))
_MORE_HASHES = "".join(f"    # and the {i}th case, described at some length so that it takes room here\n" for i in range(80))
_MORE_ARGS = "".join(f"        arg{i}: The {i}th argument, described at some length so that it takes room.\n" for i in range(80))


@pytest.mark.parametrize(
    ("language", "ext", "text", "answer"),
    [
        ("c", "c", _IN_STARS, "thing with many arguments.\n" + _MORE_STARS.rstrip("\n")),
        ("c", "c", _IN_STARS.replace("     */\n", ""), "thing with many arguments.\n" + _MORE_STARS + "     */"),
        ("python", "py", _IN_HASHES, "handle the empty case\n" + _MORE_HASHES.rstrip("\n")),
        ("python", "py", _FUNC.replace("‸", '"""‸'), "Do a thing with many arguments.\n\n    Args:\n" + _MORE_ARGS + '    """'),
    ],
    ids=["doxygen-stars", "doxygen-not-closed-below", "hash-lines", "docstring"],
)
async def test_a_comment_past_four_blocks_comes_whole_in_four_requests(
    language: str, ext: str, text: str, answer: str
) -> None:
    """Past 1,024 tokens a comment was cut at its last whole line after four requests: the
    accept left it ended mid-text (its closer not written where none stood below, the rest of
    the file taken into it). Each rest is now asked with twice the tokens of the ask before
    (256, 512, 1,024, 2,048): a comment of up to 3,840 tokens in as many requests as before."""
    assert 4 * 1024 < len(answer) < 4 * 3840
    model = AnsweringTheRest(answer)
    with FakeDeepSeek() as fake:
        got, _ = await accept_first(fake, language, ext, text, model)
        asked = fake.requests_to(FIM)
    assert got == text.replace("‸", answer)
    assert len(asked) <= 4
    assert [r.json["max_tokens"] for r in asked] == [256, 512, 1024, 2048][: len(asked)]


async def test_a_docstring_s_rest_is_left_at_its_closer() -> None:
    """The rest of a docstring, asked with more tokens, is left once its closer is in: the
    code the model writes after it is no suggestion's, and streamed billed to the ask's limit."""
    text = _FUNC.replace("‸", '"""‸')
    code = "".join(f"\n    total_{i} = compute(args, {i}, 'with a long label')" for i in range(60))
    with FakeDeepSeek() as fake:
        fake.set_latency(per_token=0.005)
        got, _ = await accept_first(fake, "python", "py", text, AnsweringTheRest(_DOC + code))
        asked = fake.requests_to(FIM)
        assert got == text.replace("‸", _DOC)
        assert len(asked) == 2
        assert await fake.wait_closed_async(asked[-1]) and asked[-1].disconnected


class _ChoicesOfTheirOwn:
    """A model answering each temperature's own ``whole`` (the choices of an explicit request
    differ), and each rest asked (at its choice's temperature) what its prompt has not written
    of its choice yet."""

    def __init__(self, wholes: dict[float, str]) -> None:
        self.models = {t: AnsweringTheRest(w) for t, w in wholes.items()}

    def __call__(self, body: dict[str, Any]) -> str:
        return self.models[float(body.get("temperature") or 0)](body)


@pytest.mark.parametrize(
    ("language", "ext", "text", "answer"),
    [
        ("python", "py", _FUNC.replace("‸", '"""‸'), _DOC),
        ("c", "c", _IN_STARS.replace("     */\n", ""), "thing with many arguments.\n" + _STARS + "     */"),
    ],
    ids=["docstring", "doxygen-not-closed-below"],
)
async def test_an_explicit_request_s_other_choices_come_whole(
    tmp_path, language: str, ext: str, text: str, answer: str
) -> None:
    """Alt+\\ then Alt+] to the second or third choice: a long docstring or comment was kept to
    its whole lines there (cut mid-text, closed after half its text or left open) where the first
    choice came whole. The others' rests are asked as the first's: left at the comment's end,
    nothing past it is billed."""
    before = text[: text.index("‸")]
    clean = text.replace("‸", "")
    wholes = {0.0: answer, 0.6: answer.replace("arg", "param"), 0.9: answer.replace("arg", "value")}
    uri = f"file:///ws/a.{ext}"
    with FakeDeepSeek() as fake:
        fake.responder(_ChoicesOfTheirOwn(wholes), path=FIM)
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path))
        settings = {"completion": {"debounce": 0, "prefetch": False, "cache": False, "invokedChoices": 3}}
        async with lsp_session(env, settings=settings) as client:
            open_doc(client, uri, clean, language)
            line, column = before.count("\n"), len(before.split("\n")[-1])
            result = await client.text_document_inline_completion_async(inline_params(uri, line, column, invoked=True))
    assert result is not None
    got = [accepted_text(clean, item) for item in result.items]
    want = [text.replace("‸", w) for w in wholes.values()]
    assert sorted(got) == sorted(want)



#: A .gitignore's list as a model goes on writing it, past a block's 256 tokens.
_IGNORED = "".join(f"build{i}/\n*.log{i}\ncache{i}/*\n" for i in range(60))


@pytest.mark.parametrize("language", ["ignore", "gitignore"])  # VS Code's id, Neovim's
async def test_a_gitignore_list_cut_at_its_tokens_shows_its_paths_past_a_glob(language: str) -> None:
    """After an accepted line of a .gitignore the next suggestion is a block (the list's next
    paths), which a model writes on to its token limit. A glob's `cache/*` is no C comment's
    opener: read as one left open, the block was shown down to the line before it (2 paths)."""
    with FakeDeepSeek() as fake:
        c = Completing(fake, debounce=0, prefetch=False, cache=False, timeout_s=30)
        try:
            uri = "file:///w/.gitignore"
            c.open(uri, "# Python\n\n", language)
            fake.script("venv/", path=FIM)
            item = (await c.completion.inline_completion(inline_params(uri, 1, 0))).items[0]
            c.insert(uri, 1, 0, "venv/")
            c.completion.accepted(item.command.arguments[0])
            fake.fault("finish", reason="length", path=FIM)
            fake.script("\n" + _IGNORED, path=FIM)
            shown = await c.inline(uri, 1, 5)
        finally:
            await c.stop()
    assert fake.requests_to(FIM)[-1].json["max_tokens"] > 48  # a block was asked
    assert shown and shown[0].count("/*\n") > 20, shown


def _prose(lead: str, sentences: int, stop: str = ".", aside: str = "") -> str:
    """Sentences wrapped over lines led by ``lead``, each ended by ``stop`` (``aside`` after
    its first words): a line ends mid-sentence more often than not."""
    import random
    import textwrap

    words = "argument parser caller value token buffer reader cache index entry table file path".split()
    pick = random.Random(7)
    text = " ".join(
        f"Sentence {i}{aside} says that the {pick.choice(words)} is read once and then handed on to the"
        f" {pick.choice(words)}, which keeps it for the {pick.choice(words)} of every {pick.choice(words)}"
        f" that asks{stop}"
        for i in range(sentences)
    )
    return textwrap.fill(text, 76, initial_indent=lead, subsequent_indent=lead)


@pytest.mark.parametrize(
    ("language", "ext", "text", "answer"),
    [
        ("python", "py", _FUNC.replace("‸", '"""‸'), "Do a thing.\n\n" + _prose("    ", 120) + '\n    """'),
        ("c", "c", _IN_STARS, "thing.\n" + _prose("     * ", 120)),
    ],
    ids=["docstring", "doxygen-stars"],
)
async def test_a_comment_past_all_its_asks_ends_at_a_sentence_s_end(
    language: str, ext: str, text: str, answer: str
) -> None:
    """Past 3,840 tokens (its four asks) a comment or docstring was kept to its whole lines: it
    ended mid-sentence (`... handed on to the parser, which`), closed there. It ends at its last
    sentence's end, no further request asked."""
    assert len(answer) > 4 * 3840
    with FakeDeepSeek() as fake:
        got, _ = await accept_first(fake, language, ext, text, AnsweringTheRest(answer))
        asked = fake.requests_to(FIM)
    assert got is not None and len(asked) == 4
    at = text.index("‸")
    shown = got[at : got.index('\n    """' if language == "python" else "\n     */", at + 1000)]
    assert shown.endswith("asks.") and answer.startswith(shown), shown[-200:]
    assert shown.count("\n") > 100


_STEPS = "".join(
    f"    {i}. the reader is read once and handed on to the parser of every caller that asks\n" for i in range(1, 400)
)


@pytest.mark.parametrize(
    ("answer", "ends"),
    [
        ("Do a thing.\n\n" + _prose("    ", 120, aside=", e.g. the first one,") + '\n    """', "asks."),
        ("Do a thing.\n\n" + _prose("    ", 120, aside=" (i.e. the first one)") + '\n    """', "asks."),
        ("Do a thing in these steps:\n\n" + _STEPS + '    """', " …"),
        ("Do a thing.\n\n" + _prose("    ", 120).replace("asks.", "asks for x.") + '\n    """', "for x."),
    ],
    ids=["e.g.", "i.e.", "numbered-steps", "a-letter-ends-one"],
)
async def test_a_comment_past_all_its_asks_ends_at_a_sentence_not_at_an_abbreviation(answer: str, ends: str) -> None:
    """An abbreviation's or a list item's number's stop ends no sentence: the docstring cut
    there ended `... handed on to the parser, e.g.` or on a step's bare `187.`, closed there."""
    text = _FUNC.replace("‸", '"""‸')
    with FakeDeepSeek() as fake:
        got, _ = await accept_first(fake, "python", "py", text, AnsweringTheRest(answer))
    assert got is not None
    at = text.index("‸")
    shown = got[at : got.index('\n    """', at + 1000)]
    assert shown.endswith(ends) and answer.startswith(shown.removesuffix(" …")), shown[-200:]


async def test_a_comment_past_all_its_asks_without_a_sentence_s_end_says_it_goes_on() -> None:
    """No sentence ends in its last lines (a list of words, a sentence longer than them): its
    whole lines, and `…` after its last word where the comment went on."""
    text = _FUNC.replace("‸", '"""‸')
    answer = "Do a thing.\n\n" + _prose("    ", 120, stop=",") + '\n    """'
    with FakeDeepSeek() as fake:
        got, _ = await accept_first(fake, "python", "py", text, AnsweringTheRest(answer))
    assert got is not None
    at = text.index("‸")
    shown = got[at : got.index('\n    """', at + 1000)]
    assert shown.endswith(" …") and answer.startswith(shown.removesuffix(" …")), shown[-200:]
