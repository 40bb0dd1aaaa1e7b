"""A C macro's body over lines (each ending with a backslash), the cursor at the start of a
line continuing it: the suggestion is the body down to its end, as Copilot's, the backslashes
where the macro's lines above put theirs, the lines as the model aligned them. Before, a line
was asked (the rest of `do { ... } while (0)` came a line at a time), and Enter in the middle
of a body took a line the model ended without its backslash, the body below it cut out of the
macro; a body ending with an empty continuation line (obstack.h's) or cut before its end left
a backslash above the code below, joined into the macro. The real server over stdio against
the fake DeepSeek."""

from __future__ import annotations

import pytest

from tests.harness import accepted_text, first_item_at_cursor

_BELOW = "\n\nint main(void) {\n    return 0;\n}\n"
_SWAP = "do { \\\n        int t = (a); \\\n        (a) = (b); \\\n        (b) = t; \\\n    } while (0)"


@pytest.mark.parametrize(
    ("text", "answer", "after"),
    [
        # A new macro's body: its lines down to its end, not what the model wrote after it.
        ("#define SWAP(a, b) \\\n    ‸" + _BELOW, _SWAP + "\n\nint f(void);",
         "#define SWAP(a, b) \\\n    " + _SWAP + _BELOW),
        # Backslashes in one column above: the model's go there (a longer line's one space on).
        ("#define SWAP(a, b)      \\\n    do {                \\\n        ‸" + _BELOW,
         "int t = (a); \\\n        (a) = (b); \\\n        (b) = t; \\\n        (void)sizeof(long long int); \\\n    } while (0)",
         "#define SWAP(a, b)      \\\n    do {                \\\n        int t = (a);    \\\n        (a) = (b);      \\\n"
         "        (b) = t;        \\\n        (void)sizeof(long long int); \\\n    } while (0)" + _BELOW),
        # ... in tabs: to that column in tabs.
        ("#define SWAP(a, b)\t\\\n\tdo {\t\t\\\n\t\t‸" + _BELOW, "int t; \\\n\t} while (0)",
         "#define SWAP(a, b)\t\\\n\tdo {\t\t\\\n\t\tint t;\t\\\n\t} while (0)" + _BELOW),
        # One space before each above: one space, whatever the model lined up.
        ("#define SWAP(a, b) \\\n    do { \\\n        ‸" + _BELOW, "int t = (a);        \\\n    } while (0)",
         "#define SWAP(a, b) \\\n    do { \\\n        int t = (a); \\\n    } while (0)" + _BELOW),
        # The model's alignment of arguments kept (read as levels, they went columns right).
        ("#define CHECK(p) \\\n    if (!(p)) { \\\n        ‸" + _BELOW,
         "report(__FILE__, \\\n               #p, \\\n               __LINE__); \\\n    }",
         "#define CHECK(p) \\\n    if (!(p)) { \\\n        report(__FILE__, \\\n               #p, \\\n"
         "               __LINE__); \\\n    }" + _BELOW),
        # Enter in the middle of a body: the model's line continued, its retyped lines gone.
        ("#define F(a) \\\n    do { \\\n        ‸\n        g(a); \\\n    } while (0)\n", "h(a);",
         "#define F(a) \\\n    do { \\\n        h(a); \\\n        g(a); \\\n    } while (0)\n"),
        ("#define F(a) \\\n    do { \\\n        ‸\n        g(a); \\\n    } while (0)\n", "h(a); \\\n        g(a); \\\n    } while (0)",
         "#define F(a) \\\n    do { \\\n        h(a); \\\n        g(a); \\\n    } while (0)\n"),
        # Controls: the macro's last line before the next directive is not continued; a line
        # after a macro ended stays a line.
        ("#define F(a) \\\n    ‸\n#define G 1\n", "g(a)", "#define F(a) \\\n    g(a)\n#define G 1\n"),
        ("#define F(a) g(a)\n‸" + _BELOW, "int x = 1;\nint y = 2;", "#define F(a) g(a)\nint x = 1;" + _BELOW),
        # The model's body ends with an empty continuation line (obstack.h's style): trimmed,
        # its last line's backslash joined the next `#define` (or code) into the macro.
        ("#define F(a) \\\n    do { \\\n        ‸\n#define G 1\n", "g(a); \\\n    } while (0) \\\n\n#define G 1",
         "#define F(a) \\\n    do { \\\n        g(a); \\\n    } while (0)\n#define G 1\n"),
        ("# define P(O)\t\t      \\\n  __extension__\t\t      \\\n    ‸\nint x;\n", "({ g(O); })\t\t      \\\n\nint x;",
         "# define P(O)\t\t      \\\n  __extension__\t\t      \\\n    ({ g(O); })\nint x;\n"),
        # ... after a blank line continued (node's tree.h: spaces, then the backslash).
        ("#define F(a) \\\n    ‸\nint x;\n", "g(a);    \\\n          \\\n\nint x;", "#define F(a) \\\n    g(a);\nint x;\n"),
        # An answer cut before the body's end (every line continued): no backslash above code.
        ("#define F(a) \\\n    ‸\nint x;\n", "g(a) + \\\n    h(a) + \\", "#define F(a) \\\n    g(a) + \\\n    h(a) +\nint x;\n"),
        # ... its own call left open: no bracket the code below closes (macros.h, cut at 256 tokens).
        ("#define F(a) \\\n    ‸\nint x;\n", "g(a, \\\n      b, \\", "#define F(a) \\\n    g(a, \\\n      b,\nint x;\n"),
        # ... nor at the file's end (a backslash-newline ending a file is undefined behaviour).
        ("#define F(a) \\\n    ‸", "g(a) \\\n", "#define F(a) \\\n    g(a)"),
        # Enter above the body's last line (its `do {` still open): the line is continued.
        ("#define F(a) \\\n    do { \\\n        ‸\n    } while (0)\n\nint x;\n", "h(a);",
         "#define F(a) \\\n    do { \\\n        h(a); \\\n    } while (0)\n\nint x;\n"),
        # ... a body line starting with `#` (an argument stringized) no directive of its own.
        ("#define LOG(f, ...) \\\n    do { \\\n        log_write(__FILE__, \\\n            #f, \\\n            __VA_ARGS__); \\\n        ‸\n    } while (0)\n",
         "flush();", "#define LOG(f, ...) \\\n    do { \\\n        log_write(__FILE__, \\\n            #f, \\\n            __VA_ARGS__); \\\n"
         "        flush(); \\\n    } while (0)\n"),
        # A stringized argument is no comment: the call's brackets are closed (no line continued).
        ("#define SHOW(x) \\\n    printf(\"%s\\n\", #x); \\\n    ‸\nint y;\n", "fflush(stdout);",
         "#define SHOW(x) \\\n    printf(\"%s\\n\", #x); \\\n    fflush(stdout);\nint y;\n"),
        # Controls: a blank line below ends the macro (the backslash kept, the file's style);
        # a body closed above the code below is not continued into it.
        ("#define F(a) \\\n    ‸\n\nint x;\n", "g(a) \\\n\nint x;", "#define F(a) \\\n    g(a) \\\n\nint x;\n"),
        ("#define F(a) \\\n    do { \\\n        ‸\nint x;\n", "g(a); \\\n    } while (0)\n\nint x;",
         "#define F(a) \\\n    do { \\\n        g(a); \\\n    } while (0)\nint x;\n"),
    ],
)
async def test_a_macro_body_is_suggested_to_its_end(tmp_path, text: str, answer: str, after: str) -> None:
    clean, item = await first_item_at_cursor(str(tmp_path), "c", "c", text, answer)
    assert item is not None
    assert accepted_text(clean, item) == after

