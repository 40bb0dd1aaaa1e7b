"""A `{` alone, the first line of the model's block after a control header in a file that puts
its `{` at the header's end (K&R): a single line is asked there (its body may be a statement),
and the block was cut to its `{`, shown and accepted as a brace nothing closes."""

from __future__ import annotations

import pytest

from tests.completing import accept_first

KR_C = (
    "int f(int x) {\n"
    "    if (x < 0) {\n"
    "        return -1;\n"
    "    }\n"
    "    if (x > 0)\n"
    "        ‸\n"
    "    return 0;\n"
    "}\n"
)
KR_JAVA = (
    "class A {\n"
    "    int f(int x) {\n"
    "        while (x > 9) {\n"
    "            x /= 2;\n"
    "        }\n"
    "        for (int i = 0; i < x; i++)\n"
    "            ‸\n"
    "        return x;\n"
    "    }\n"
    "}\n"
)


@pytest.mark.parametrize(("language", "ext", "text"), [("c", "c", KR_C), ("java", "java", KR_JAVA)])
async def test_a_lone_opener_is_not_shown_where_a_line_was_asked(
    fake_deepseek, language: str, ext: str, text: str
) -> None:
    after, body = await accept_first(
        fake_deepseek, language, ext, text, "{\n            return 1;\n        }"
    )
    assert body is not None and body["stop"] == ["\n"]  # a single line was asked
    assert after is None


@pytest.mark.parametrize(
    ("answer", "shown"),
    [
        ("{ // positive", False),
        ("{  /* positive */", False),
        # A block on one line, its comments around code: shown.
        ("{ /* a */ return 1; /* b */", True),
        ("{ return 1; } // positive", True),
    ],
)
async def test_a_lone_opener_with_a_comment_is_not_shown_either(
    fake_deepseek, answer: str, shown: bool
) -> None:
    """`{ // positive`: a comment after it is no body; accepted, the brace was left unclosed."""
    after, _ = await accept_first(fake_deepseek, "c", "c", KR_C, answer + "\n        x++;\n    }")
    assert after == (KR_C.replace("‸", answer) if shown else None)


async def test_a_statement_after_the_header_is_still_shown(fake_deepseek) -> None:
    after, _ = await accept_first(fake_deepseek, "c", "c", KR_C, "return 1;")
    assert after == KR_C.replace("‸", "return 1;")


async def test_a_brace_ending_the_header_line_is_still_shown(fake_deepseek) -> None:
    """`if (x > 0) ‸`: the `{` finishes the header, as the file writes it."""
    text = KR_C.replace("    if (x > 0)\n        ‸\n", "    if (x > 0) ‸\n")
    after, _ = await accept_first(fake_deepseek, "c", "c", text, "{")
    assert after == text.replace("‸", "{")


ALLMAN_CS = (
    "class A\n"
    "{\n"
    "    public int X\n"
    "    {\n"
    "        get;\n"
    "    }\n"
    "\n"
    "    void F()\n"
    "    {\n"
    "        var p = new Point\n"
    "        ‸\n"
    "    }\n"
    "}\n"
)


@pytest.mark.parametrize(
    ("language", "ext", "text", "answer"),
    [
        # An Allman file's initializer and property: the `{` is their next line.
        ("csharp", "cs", ALLMAN_CS, "{\n            X = 1,\n        };"),
        (
            "csharp",
            "cs",
            ALLMAN_CS.replace("public int X\n", "public int Y\n    ‸\n    public int X\n", 1)
            .replace("        var p = new Point\n        ‸\n", ""),
            "{\n        get;\n    }",
        ),
        # A list's next object, pretty-printed (JSON, JavaScript, C's array of structs).
        ("json", "json", '[\n  {\n    "a": 1\n  },\n  ‸\n]\n', '{\n    "a": 2\n  }'),
        ("javascript", "js", "const xs = [\n  {\n    a: 1,\n  },\n  ‸\n];\n", "{\n    a: 2,\n  },"),
        ("c", "c", "struct P ps[] = {\n    {\n        1, 2\n    },\n    ‸\n};\n", "{\n        3, 4\n    },"),
    ],
)
async def test_a_lone_opener_is_shown_where_no_control_header_is_above(
    fake_deepseek, language: str, ext: str, text: str, answer: str
) -> None:
    """Only a control header's body may be a statement instead: elsewhere a `{` alone on its
    line is what the file writes there, shown as before."""
    after, _ = await accept_first(fake_deepseek, language, ext, text, answer)
    assert after == text.replace("‸", "{")
