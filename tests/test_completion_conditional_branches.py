"""A suggestion in the first branch of a C, C++ or C# conditional (`#ifdef X` / `if (a) {` /
cursor / `#else` / `if (b) {` / `#endif` / body / `}`): the block each branch opens is closed
once, after the `#endif`, so the model's `}` is the document's second. The scanner undoes the
branch's `{` at the `#else` with a `}` of its own at the `#`; read as a typed `}` at column 0,
it closed the function and left the `if`'s block for the suggestion to close. And the other
branches' brackets are no closers of the cursor's (an `#else`'s `b);` for the `compute(a,` above).
The real server over stdio against the fake DeepSeek."""

from __future__ import annotations

import pytest

from tests.harness import accepted_text, first_item_at_cursor

_ELSE_BLOCK = "#else\n  if (b) {\n    h();\n#endif\n  }\n  return;\n}\n"


@pytest.mark.parametrize(
    ("ext", "language", "text", "answer", "kept"),
    [
        ("c", "c", "void f(int a, int b) {\n#ifdef X\n  if (a) {\n    ‸\n" + _ELSE_BLOCK, "g();\n  }", "g();"),
        # An `#elif` between: its block undone again at the `#else`.
        ("c", "c", "void f(int a) {\n#if A\n  if (a) {\n    ‸\n#elif B\n  if (b) {\n#else\n  if (c) {\n#endif\n"
         "    h();\n  }\n}\n", "g();\n  }", "g();"),
        # An empty `#else`: the first branch's block stands after the `#endif` (closed there).
        ("c", "c", "void f(int a) {\n#ifdef X\n  if (a) {\n    ‸\n#else\n#endif\n    h();\n  }\n}\n", "g();\n  }", "g();"),
        ("cpp", "cpp", "int f(int a) {\n#ifdef X\n  for (int i = 0; i < a; i++) {\n    ‸\n#else\n"
         "  for (int i = a; i > 0; i--) {\n#endif\n    h(i);\n  }\n  return 0;\n}\n", "g(i);\n  }", "g(i);"),
        ("cs", "csharp", "class C {\n  void F() {\n#if DEBUG\n    if (a) {\n      ‸\n#else\n    if (b) {\n#endif\n"
         "      H();\n    }\n  }\n}\n", "G();\n    }", "G();"),
        # Controls: a branch that closes its own block (the `#else`'s too), and an `#if 0`'s
        # block, which the code after its `#endif` does not close: the model's `}` is kept.
        ("c", "c", "void f(int a) {\n#ifdef X\n  if (a) {\n    ‸\n#else\n  if (b) { h(); }\n#endif\n}\n", "g();\n  }",
         "g();\n  }"),
        ("c", "c", "void f(int a) {\n#if 0\n  if (a) {\n    ‸\n#endif\n  h();\n}\n", "g();\n  }", "g();\n  }"),
        # A call open above the conditional that the `#else`'s branch closes (`b);`) is the
        # cursor's branch's to close: the suggestion's `);` was cut (`a` left in the call).
        ("c", "c", "int f(int a, int b) {\n  int r = compute(a,\n#ifdef X\n                  ‸\n#else\n"
         "                  b);\n#endif\n  return r;\n}\n", "a);", "a);"),
        ("c", "c", "int f(int a, int b) {\n  int r = compute(a,\n#if A\n#ifdef X\n                  ‸\n#endif\n"
         "#elif B\n                  b);\n#endif\n  return r;\n}\n", "a);", "a);"),
        # A call the branch leaves open is the suggestion's to close, the `#else`'s one its own.
        ("c", "c", "int f(int a) {\n#if A\n  return g(‸\n#else\n  return h(a, 2);\n#endif\n}\n", "a, 1);", "a, 1);"),
    ],
)
async def test_a_block_each_branch_opens_is_closed_after_the_endif(
    tmp_path, ext: str, language: str, text: str, answer: str, kept: str
) -> None:
    clean, item = await first_item_at_cursor(str(tmp_path), ext, language, text, answer)
    assert item is not None
    cursor = text.index("‸")
    assert accepted_text(clean, item) == clean[:cursor] + kept + clean[cursor:]
