"""A block written between an editor's autopaired brackets whose closing line goes on after the
closer (C's `typedef struct {|}` closed by `} pair_t;`, Zig's `error{|}` by `} || Error;` or,
on one line, `Full}!void {`): the closer typed over, the line's rest kept. Before, the closing
line was cut to the autopair's `}` (the type's name, the error union and the `;` lost), and
on one line the autopair's `}` came back after the header's `{` that the function's own `}`
below closes; Go's `struct {|}` closed by `}{1, 2}` was shown `}{1, 2` with the `}` below, and
one over lines (`}{`, its elements, `}`) cut to `}{`. The real server over stdio against the fake DeepSeek."""

from __future__ import annotations

import pytest

from tests.harness import accepted_text, first_item_at_cursor

_ZIG = 'const std = @import("std");\n\n'


@pytest.mark.parametrize(
    ("ext", "language", "text", "answer"),
    [
        ("c", "c", "#include <stdio.h>\n\ntypedef struct {‸}\n\nint main(void) { return 0; }\n",
         "\n    int a;\n    int b;\n} pair_t;"),
        ("c", "c", "void f(void)\n{\n  typedef struct {‸}\n  return;\n}\n", "\n    int a;\n  } pair_t;"),
        ("zig", "zig", _ZIG + "pub const E = error{‸}\n\npub fn main() void {}\n",
         "\n    Full,\n    Empty,\n} || std.mem.Allocator.Error;"),
        ("zig", "zig", _ZIG + "pub fn powi(x: u8) (error{‸}\n    return x;\n}\n", "\n    Overflow,\n}!u8) {"),
        # On one line: the header's `{` is the function's, closed below.
        ("zig", "zig", _ZIG + "pub fn push(x: u8) error{‸}\n    _ = x;\n}\n", "Full}!void {"),
        ("zig", "zig", _ZIG + "pub fn f() error{‸}\n    return;\n}\n", " OutOfMemory, Overflow }!void {"),
        # Go's anonymous struct and its composite literal: the literal's `}` is the autopair's.
        ("go", "go", "package m\n\nvar p = struct {‸}\n", "\n\tx, y int\n}{1, 2}"),
        ("go", "go", "package m\n\nfunc f() {\n\tp := struct {‸}\n\t_ = p\n}\n", "\n\t\tx, y int\n\t}{x: 1, y: 2}"),
        ("go", "go", "package m\n\nvar ps = []struct {‸}\n", "\n\tx, y int\n}{\n\t{1, 2},\n\t{3, 4},\n}"),
        ("c", "c", "struct point {‸}\n", "\n    int x, y;\n} origin = {0, 0};"),
        # In a macro's body (Tk's tkArray.h), whose brackets the scanner reads as a directive's
        # text: the name was cut off with the closing line (`} AT;  \\` lost).
        ("c", "c", "#define ARRAY_DEFINE(AT, ElemType) \\\ntypedef struct AT {‸}\n\t\t\\\nstatic int AT##_n;\n",
         "\t\t\\\n    size_t size;\t\t\\\n    ElemType buf[1];\t\\\n} AT;\t\t\t\\"),
    ],
)
async def test_a_closing_line_going_on_is_kept(tmp_path, ext: str, language: str, text: str, answer: str) -> None:
    clean, item = await first_item_at_cursor(str(tmp_path), ext, language, text, answer)
    assert item is not None
    assert accepted_text(clean, item) == text.replace("‸}", answer)


@pytest.mark.parametrize(
    ("ext", "language", "text", "answer", "after"),
    [
        # Controls: a closer alone ends the block, what the model wrote after it is cut.
        ("c", "c", "int f(void) {‸}\n", "\n    return 1;\n}\n\nint g(void) {\n    return 2;\n}",
         "int f(void) {\n    return 1;\n}\n"),
        ("zig", "zig", _ZIG + "pub const E = error{‸};\n", "\n    Full,\n};\n\npub const F = 1;",
         _ZIG + "pub const E = error{\n    Full,\n};\n"),
    ],
)
async def test_a_closer_alone_still_ends_the_block(tmp_path, ext: str, language: str, text: str, answer: str, after: str) -> None:
    clean, item = await first_item_at_cursor(str(tmp_path), ext, language, text, answer)
    assert item is not None
    assert accepted_text(clean, item) == after


#: A header whose only tab-led lines are prototypes' parameters aligned in tabs (libxml2's
#: xmlmodule.h): alignment, no level.
_TAB_ALIGNED = (
    "XMLPUBFUN xmlModulePtr XMLCALL xmlModuleOpen\t(const char *filename,\n\t\t\t\t\t\t int options);\n\n"
    "XMLPUBFUN int XMLCALL xmlModuleSymbol\t\t(xmlModulePtr module,\n\t\t\t\t\t\t const char* name,\n"
    "\t\t\t\t\t\t void **result);\n"
)


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        (f"typedef enum {{‸}}\n\n{_TAB_ALIGNED}",
         "\n    XML_MODULE_LAZY = 1,\t/* lazy binding */\n    XML_MODULE_LOCAL= 2\t\t/* local binding */\n} xmlModuleOption;"),
        # Controls: a tab-led member the file's level, and four spaces re-levelled into it.
        (f"typedef struct {{\n\tint a;\n}} a_t;\n\ntypedef enum {{‸}}\n\n{_TAB_ALIGNED}", "\n\tX = 1,\n\tY = 2\n} e_t;"),
    ],
    ids=["spaces-among-tab-aligned-parameters", "tabs-where-a-body-has-them"],
)
async def test_a_typedef_s_members_keep_their_levels_among_tab_aligned_lines(tmp_path, text: str, answer: str) -> None:
    """The members of a typedef suggested in four spaces in a file whose tabs only align
    parameters stay in four spaces: the tabs made the file's unit a tab, and every member was
    re-levelled into tabs (`bench_closer_line.py`: 5 of its 200 typedefs so)."""
    clean, item = await first_item_at_cursor(str(tmp_path), "h", "c", text, answer)
    assert item is not None
    assert accepted_text(clean, item) == text.replace("‸}", answer)


async def test_spaces_are_re_levelled_where_a_body_has_tabs(tmp_path) -> None:
    text = f"typedef struct {{\n\tint a;\n}} a_t;\n\ntypedef enum {{‸}}\n\n{_TAB_ALIGNED}"
    clean, item = await first_item_at_cursor(str(tmp_path), "h", "c", text, "\n    X = 1,\n    Y = 2\n} e_t;")
    assert item is not None
    assert accepted_text(clean, item) == text.replace("‸}", "\n\tX = 1,\n\tY = 2\n} e_t;")
