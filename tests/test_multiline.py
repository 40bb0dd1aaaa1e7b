"""The single/multi-line decision on its own, without a server: a block is asked of the model
only where the user is to write one (a wrong "single" cut a whole body to its first line, a
wrong "multi" let a line's completion run on into unrelated code)."""

from __future__ import annotations

import pytest

from deepseek_lsp.completion.multiline import is_multiline
from deepseek_lsp.documents import DocumentStore
from deepseek_lsp.languages import LanguageRegistry

REGISTRY = LanguageRegistry.load()


def _decide(language_id: str, ext: str, text: str, *, after_accept: bool = False, empty_block: bool = False) -> bool:
    """The decision at ``‸`` in ``text``."""
    offset = text.encode().index("‸".encode())
    doc = DocumentStore(REGISTRY).open(f"file:///m.{ext}", text.replace("‸", ""), language_id, 1)
    assert doc.language is not None
    line = doc.line_at(offset)
    before = doc.data[doc.line_start(line) : offset].decode()
    after = doc.data[offset : doc.line_end(line)].decode()
    return is_multiline(doc, offset, before, after, after_accept=after_accept, empty_block=empty_block)


@pytest.mark.parametrize(
    ("language_id", "ext", "text", "expected"),
    [
        # An empty body after its header: the body is to be written.
        ("python", "py", "def f():\n    ‸\n", True),
        ("python", "py", "def f():‸\n", True),
        # Mid-statement: the rest of the line.
        ("python", "py", "def f(x):\n    y = x + ‸\n", False),
        # A call's or a list's items one a line: the next one is on the next line.
        ("kotlin", "kt", 'val xs = listOf(\n    "a",\n    "b",‸\n)\n', True),
        ("python", "py", "f(\n    a,‸\n)\n", True),
        ("javascript", "js", "const o = {\n  a: 1,‸\n};\n", True),
        # Controls: the items on the bracket's own line, a line that closes a bracket, a
        # statement's declarators in a block (no bracket of theirs above).
        ("python", "py", "f(a, b,‸\n", False),
        ("python", "py", "xs = [\n    f(\n        1),‸\n]\n", False),
        ("javascript", "js", "function f() {\n  g();\n  let a = 1,‸\n}\n", False),
        # A struct literal's fields (Go's `T{`, Rust's `T {`); not a Rust match's arms, nor a
        # Go block's (`if ok {`) call left open above.
        ("go", "go", "package a\n\nvar c = pkg.Config{\n\tSize: 1,‸\n}\n", True),
        ("rust", "rs", "fn f() -> C {\n    C {\n        size: 1,‸\n    }\n}\n", True),
        ("rust", "rs", "enum E {\n    A,‸\n}\n", True),
        # A Rust match's arms; not a block whose name holds the word (`fn no_match() {`).
        ("rust", "rs", "fn f() -> u8 {\n    match x {\n        A => 1,‸\n    }\n}\n", True),
        ("rust", "rs", "fn f() -> u8 {\n    let y = match x {\n        Some(v) if v > 1 => v,‸\n    };\n}\n", True),
        ("rust", "rs", "fn no_match() -> u8 {\n    a,‸\n}\n", False),
        # After a block arm's `},` too (its `{` on the line above, the match's above that), a
        # nested match's `},`, a block arm of a value's match (`let y = match x {`).
        ("rust", "rs", "fn f() {\n    match x {\n        A => {\n            g();\n        },‸\n    }\n}\n", True),
        ("rust", "rs", "fn f() {\n    match a {\n        None => match b {\n            0 => 1,\n            _ => 2,\n        },‸\n    }\n}\n", True),
        ("rust", "rs", "fn f() {\n    let y = match x {\n        A => {\n            1\n        },‸\n    };\n}\n", True),
        # Controls: a block's `},` in a function's body (no list nor match above), a closure
        # argument's `}),` closing a call's bracket on its line.
        ("rust", "rs", "fn f() {\n    if ok {\n        g();\n    },‸\n}\n", False),
        # C#'s switch expression's arms, its `{` on the line below the `switch` (Allman) or
        # after it; an object or collection initializer's members (`new T` then `{`).
        ("csharp", "cs", "class C {\n    int F(int x) {\n        return x switch\n        {\n            1 => 10,‸\n        };\n    }\n}\n", True),
        ("csharp", "cs", "class C {\n    int F(int x) {\n        var y = x switch {\n            1 => 10,‸\n        };\n        return y;\n    }\n}\n", True),
        ("csharp", "cs", "class C {\n    object F() {\n        return new Point\n        {\n            X = 1,‸\n        };\n    }\n}\n", True),
        ("csharp", "cs", "class C {\n    string F(Shape s) => s switch\n    {\n        Circle c => \"c\",\n        Square q => \"q\",‸\n    };\n}\n", True),
        # An enum's constants, one a line: the next constant goes below (C's `enum color {`,
        # `typedef enum {`, C++'s `enum class`, Java's, Kotlin's with arguments, TypeScript's,
        # C#'s with its `{` on a line of its own), and after a constant's own body (`},`);
        # an Elixir map's keys (`%{`, a struct's `%User{`).
        ("c", "c", "enum color {\n    RED,‸\n};\n", True),
        ("c", "h", "typedef enum {\n    RED = 1, /* first */‸\n} color;\n", True),
        ("cpp", "cpp", "enum class Color : int {\n    Red,‸\n};\n", True),
        ("java", "java", "public enum Op implements IntBinaryOperator {\n    PLUS {\n        int f() { return 1; }\n    },‸\n}\n", True),
        ("kotlin", "kt", "enum class Color(val rgb: Int) {\n    RED(0xFF0000),‸\n}\n", True),
        ("typescript", "ts", "export enum Color {\n  Red = 'red',‸\n}\n", True),
        ("csharp", "cs", "enum Color\n{\n    Red,‸\n}\n", True),
        ("elixir", "ex", "defmodule A do\n  def f do\n    %{\n      a: 1,‸\n    }\n  end\nend\n", True),
        ("elixir", "ex", "defmodule A do\n  def f do\n    %User{\n      name: \"a\",‸\n    }\n  end\nend\n", True),
        # An initializer's items (C's struct's, Java's arrays', their rows `{ "a", "b" },`).
        ("c", "c", "static PyTypeObject Null_Type = {\n    0,\n    NULL,‸\n};\n", True),
        ("c", "c", "static PyTypeObject Null_Type = {\n    0,\n    NULL,\n    ‸\n};\n", True),
        ("cpp", "cpp", "static const int xs[] = {\n    1,‸\n};\n", True),
        ("java", "java", "class R {\n    Object[][] contents = {\n        { \"a\", \"b\" },‸\n    };\n}\n", True),
        ("java", "java", "class R {\n    Object[][] f() {\n        return new Object[][] {\n            { \"a\", \"b\" },‸\n        };\n    }\n}\n", True),
        ("java", "java", "class R {\n    static final String[] NAMES = new String[] {\n        \"a\",\n        ‸\n    };\n}\n", True),
        # Controls: a block whose condition names a value `enum_…`, an Elixir function's body.
        ("java", "java", "class R {\n    void f() {\n        if (a == b) {\n            g(1),‸\n        }\n    }\n}\n", False),
        ("c", "c", "void f(void) {\n    if (enum_flag) {\n        g(1),‸\n    }\n}\n", False),
        ("elixir", "ex", "defmodule A do\n  def f(a,\n        b) do\n    x = 1,‸\n  end\nend\n", False),
        # Names one a line in JavaScript's and TypeScript's imports, exports and destructuring
        # (`import {`, `export type {`, `const {`), a Rust `use` tree's (`use std::{`).
        ("javascript", "js", "const {\n  EV_ALL,\n  EV_READY,‸\n} = require('./constants');\n", True),
        ("typescript", "ts", "import {\n  Component,‸\n} from '@angular/core';\n", True),
        ("typescript", "ts", "export type {\n  Options,‸\n} from './options';\n", True),
        ("tsx", "tsx", "function F() {\n  const {\n    a,‸\n  } = useThing();\n}\n", True),
        ("rust", "rs", "use std::{\n    fs,‸\n};\n", True),
        ("rust", "rs", "use crate::{\n    a::{b, c},\n    d,‸\n};\n", True),
        # A line of closers alone ending an item (a dict's list value's `],`, a list's tuple's
        # `),`, an array's callback's `}),`).
        ("python", "py", "tokens = {\n    'root': [\n        (r'\\s+', Text),\n    ],‸\n}\n", True),
        ("python", "py", "cases = [\n    (\n        1,\n        2,\n    ),‸\n]\n", True),
        ("javascript", "js", "const steps = [\n  once(() => {\n    go();\n  }),‸\n];\n", True),
        # Controls: a call's `),` closing a call of a statement (no list above), the closers
        # of a block's statement.
        ("python", "py", "def f():\n    g(\n        1,\n    ),‸\n", False),
        # Controls: a block after `else {`, a JavaScript block of its own (`{` alone).
        ("javascript", "js", "if (a) {\n  f();\n} else {\n  g(1),‸\n}\n", False),
        ("javascript", "js", "function f() {\n  {\n    let a = 1,‸\n  }\n}\n", False),
        # Control: a method's body `{` on its own line below its header.
        ("csharp", "cs", "class C\n{\n    void F()\n    {\n        int a = 1,‸\n    }\n}\n", False),
        ("rust", "rs", "fn f() -> Config {\n    a,‸\n}\n", False),
        ("go", "go", "package a\n\nfunc f() {\n\tif ok {\n\t\tx := 1,‸\n\t}\n}\n", False),
        ("python", "py", "def f(x):\n    y = 1\n    ‸\n", False),
        # Between a header's `{` and the `}` the editor closed it with.
        ("javascript", "js", "function f() {‸}\n", True),
        # An empty JavaScript or TypeScript object literal's (a value's, an argument's, a type's):
        # its members over lines, as Copilot asks them (a line was asked, the model's members
        # below the `{` cut to nothing).
        ("javascript", "js", "const o = {‸}\n", True),
        ("typescript", "ts", "const o: Options = {‸};\n", True),
        ("typescript", "ts", "type Point = {‸};\n", True),
        ("tsx", "tsx", "const res = await fetch(url, {‸});\n", True),
        ("javascript", "js", "module.exports = {\n  rules: {‸},\n};\n", True),
        # Not a JSX attribute's or a template literal's expression, nor a string's braces.
        ("javascript", "jsx", "const A = () => <b onClick={‸}>x</b>;\n", False),
        ("tsx", "tsx", "const A = () => <Box sx={‸} />;\n", False),
        # After a `>` in an earlier attribute's expression or string (read as the tag's end,
        # the `{` was an object literal's: a 256-token block asked for a value).
        ("tsx", "tsx", "const A = () => <Foo a={x > 1} b={‸} />;\n", False),
        ("javascript", "jsx", "const A = () => <Foo a={() => go(x)} b={‸} />;\n", False),
        ("javascript", "jsx", 'const A = () => <Foo a="x > y" b={‸} />;\n', False),
        ("tsx", "tsx", "const A = () => <Foo a={{ b: x >= 1 }} c={‸} />;\n", False),
        ("javascript", "js", "const s = `${‸}`;\n", False),
        ("javascript", "js", "const s = 'a = {‸}';\n", False),
        # Nor a C initializer's, nor a Python dict's.
        ("c", "c", "int xs[] = {‸};\n", False),
        ("python", "py", "x = {‸}\n", False),
        # A switch label's own block, between its `{` and the editor's `}`: a line was asked,
        # the model's body on the next line cut to nothing (182 of 182 in /usr/include's C and
        # C++ headers, 0 before); a statement in it already: the rest of the line.
        *(
            (language_id, ext, f"int f(int n) {{\n  switch (n) {{\n{line}\n  }}\n}}\n", expected)
            for language_id, ext, line, expected in [
                ("c", "c", "    case 1: {‸}", True),
                ("cpp", "cpp", "    case Kind::A: {‸}", True),
                ("c", "c", "    default: {‸}", True),
                ("csharp", "cs", "    case 1: {‸}", True),
                ("java", "java", "    case 1: {‸}", True),
                ("c", "c", "    case 1: { g(); ‸}", False),
            ]
        ),
    ],
)
def test_multiline_where_a_block_is_to_be_written(language_id: str, ext: str, text: str, expected: bool) -> None:
    assert _decide(language_id, ext, text) is expected


def test_multiline_right_after_a_whole_suggestion_was_accepted() -> None:
    """Mid-statement is a line, unless the user just took a whole suggestion there (the next
    one continues the block) or the cursor is in an empty block of its own (a new cell)."""
    text = "def f(x):\n    y = x + ‸\n"
    assert _decide("python", "py", text) is False
    assert _decide("python", "py", text, after_accept=True) is True
    assert _decide("python", "py", text, empty_block=True) is True


@pytest.mark.parametrize(
    ("language_id", "ext", "text", "expected"),
    [
        # A value's braces, typed with their `}` closed by the editor: the rest of the line
        # (an initializer's entries, a JSX expression), as in an object literal's.
        ("cpp", "cpp", "int main() {\n    std::vector<int> v {‸}\n}\n", False),
        ("cpp", "cpp", "int main() {\n    static const Point origin {‸}\n}\n", False),
        ("csharp", "cs", "class A {\n  void F() {\n    var p = new Point(1, 2) {‸};\n  }\n}\n", False),
        ("csharp", "cs", "class A {\n  void F() {\n    var p = new Point() {‸};\n  }\n}\n", False),
        ("javascript", "js", "function App() {\n  return <p>{‸}</p>;\n}\n", False),
        ("tsx", "tsx", "render(<App user={u}>{‸}</App>);\n", False),
        ("tsx", "tsx", "render(<App big={n > 1} title=\"a > b\">{‸}</App>);\n", False),
        # Blocks still: a generic's `>` ends a class's or a function's header, C++'s keywords
        # name a type's body, a using's arguments are its header's.
        ("cpp", "cpp", "template <typename T>\nstruct Box {‸}\n", True),
        ("cpp", "cpp", "namespace app {‸}\n", True),
        ("cpp", "cpp", "class Shape : public Base<int> {‸}\n", True),
        ("typescript", "ts", "class Store<T> {‸}\n", True),
        ("tsx", "tsx", "function f(): Promise<void> {‸}\n", True),
        ("csharp", "cs", "class A {\n  void F() {\n    using (var s = new Scope(1)) {‸}\n  }\n}\n", True),
        ("rust", "rs", "fn f() -> Vec<u8> {‸}\n", True),
    ],
)
def test_multiline_not_in_a_values_braces(language_id: str, ext: str, text: str, expected: bool) -> None:
    """A C++ braced initializer, a C# object initializer after its constructor's arguments and
    a JSX element's expression hold a value: asked for as a block (their word, `)` or `>`
    before the `{` read as a block header's), the model's answer ran on over lines."""
    assert _decide(language_id, ext, text) is expected


@pytest.mark.parametrize(
    ("language_id", "ext", "text"),
    [
        # A JSX attribute's arrow function: its body is a block, not the tag's expression.
        ("javascript", "jsx", "function App() {\n  return <button onClick={() => {‸}}>Go</button>;\n}\n"),
        ("tsx", "tsx", "export const F = () => (\n  <input onChange={(e) => {‸}} />\n);\n"),
        ("tsx", "tsx", "const A = () => <Form onSubmit={async (v) => {‸}}></Form>;\n"),
        # A C or C++ type's body after a word before its keyword (the .h headers VS Code reads
        # as C++): 323 of 2,500 lines ending in `{` in the system's C/C++ files.
        ("cpp", "h", "typedef struct Node {‸}\n"),
        ("cpp", "h", "typedef struct {‸}\n"),
        ("cpp", "h", "typedef enum {‸}\n"),
        ("cpp", "h", "volatile struct {‸}\n"),
        ("cpp", "cpp", "inline namespace v1 {‸}\n"),
        # C#'s `new()` constraint ends a generic's header: no object initializer follows.
        ("csharp", "cs", "public class Factory<T> where T : new() {‸}\n"),
        ("csharp", "cs", "class A {\n  public static T Make<T>() where T : class, new() {‸}\n}\n"),
    ],
)
def test_multiline_in_a_block_whose_header_ends_as_a_values_would(
    language_id: str, ext: str, text: str
) -> None:
    """e46b60e's value braces took these block headers for a value's: a single line was asked
    where a body is to be written (a React handler's, a struct's fields)."""
    assert _decide(language_id, ext, text) is True


@pytest.mark.parametrize(
    ("language_id", "ext", "text"),
    [
        ("csharp", "cs", "class A\n{\n    public void Run(int x)\n    ‸\n}\n"),
        (
            "csharp", "cs",
            "class A\n{\n    public A(int x) : base(x)\n    ‸\n\n    void B() { }\n}\n",
        ),
        ("java", "java", "class A {\n    public void run(int x)\n    ‸\n}\n"),
        ("java", "java", "class A {\n    public A(int x) throws IOException\n    ‸\n}\n"),
        # A type's header: its members come next.
        ("csharp", "cs", "namespace N\n{\n    public class A : B\n    ‸\n}\n"),
        ("csharp", "cs", "public enum Color\n‸\n"),
        ("csharp", "cs", "namespace App.Models\n‸\n"),
        ("java", "java", "package a;\n\npublic class A extends B\n‸\n"),
        ("c", "c", "#include <stdio.h>\n\nint main(int argc, char **argv)\n‸\n"),
        ("c", "c", "static char *dup(const char *s)\n‸\n"),
        ("cpp", "cpp", "namespace a {\nvoid S::run(int x) const\n‸\n}\n"),
        ("cpp", "cpp", "class A {\n  void run(int x) const\n  ‸\n};\n"),
        ("javascript", "js", "function f(a)\n‸\n"),
        ("javascript", "js", "class A {\n  run(x)\n  ‸\n}\n"),
        ("typescript", "ts", "class A {\n  run(x: number): void\n  ‸\n}\n"),
        ("typescript", "ts", "export function f(a: number): number\n‸\n"),
        ("java", "java", "interface I {\n    default void run(int x)\n    ‸\n}\n"),
    ],
)
def test_multiline_on_the_empty_line_after_a_header_with_no_body_yet(
    language_id: str, ext: str, text: str
) -> None:
    """Allman style: Enter after a declaration's header, before its `{` is typed. The model
    answers the `{` and the whole body; a single line showed the `{` alone."""
    assert _decide(language_id, ext, text) is True


@pytest.mark.parametrize(
    ("language_id", "ext", "text"),
    [
        # A statement that ends without its `;` yet: its line is done, the next is another.
        ("javascript", "js", "function g() {\n  foo(a)\n  ‸\n}\n"),
        ("javascript", "js", "foo(a)\n‸\n"),
        ("c", "c", "int f(int x) {\n  return x\n  ‸\n}\n"),
        ("c", "c", "#define X(a) f(a)\n‸\n"),
        ("c", "c", "foo(a)\n‸\n"),
        ("cpp", "cpp", "void f() {\n  std::string s(x)\n  ‸\n}\n"),
        # C++'s most vexing parse: a declaration of a function, in a body, is a statement.
        ("cpp", "cpp", "void f() {\n  Widget w()\n  ‸\n}\n"),
        ("java", "java", "class A {\n    void f() {\n        return x\n        ‸\n    }\n}\n"),
        ("java", "java", "class A {\n  void f() {\n    Object o = Foo.class\n    ‸\n  }\n}\n"),
        ("java", "java", "class A {\n  Class<?> f() {\n    return Foo.class\n    ‸\n  }\n}\n"),
        # An interface's members end without a body.
        ("typescript", "ts", "interface I {\n  run(x: number): void\n  ‸\n}\n"),
        ("python", "py", "def f(x):\n    g(x)\n    ‸\n"),
        # Not right after the header: a comment line between, or the body's `{` typed.
        (
            "csharp", "cs",
            "class A\n{\n    public void Run(int x)\n    {\n        Go();\n        ‸\n    }\n}\n",
        ),
        ("c", "c", "int f(int x);\n‸\n"),
        # Declarations that never have a body: an overload's or an ambient function's
        # signature (its `;` typed, or `declare`), an expression-bodied member (`=> x`), an
        # abstract method.
        ("typescript", "ts", "export function f(a: string): string;\n‸\n"),
        ("typescript", "ts", "declare function f(a: string): string;\n‸\n"),
        ("typescript", "ts", "declare function f(a: string): string\n‸\n"),
        (
            "typescript", "ts",
            "declare module 'm' {\n  export function f(a: number): number;\n  ‸\n}\n",
        ),
        ("csharp", "cs", "class A\n{\n    public int Get() => x\n    ‸\n}\n"),
        ("csharp", "cs", "abstract class A\n{\n    public abstract void Run(int x)\n    ‸\n}\n"),
        ("java", "java", "abstract class A {\n    abstract void run(int x)\n    ‸\n}\n"),
        ("java", "java", "interface I {\n    void run(int x)\n    ‸\n}\n"),
        ("java", "java", "interface I {\n    default void run(int x) {\n    }\n    ‸\n}\n"),
        (
            "typescript", "ts",
            "declare namespace N {\n  function f(a: number): number\n  ‸\n}\n",
        ),
    ],
)
def test_single_line_after_a_statement_ending_like_a_header(
    language_id: str, ext: str, text: str
) -> None:
    """A call or return without its `;`, a macro, a prototype: the next line is not a body."""
    assert _decide(language_id, ext, text) is False


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # C's old-style parameter declarations read the next function's header as this one's.
        ("static void\nusage(void)\n‸\n\nint\nmain(int argc, char **argv)\n{\n}\n", True),
        ("static void *\ninit (unsigned size)\n‸\n\nstatic void\nsign (void *p)\n{\n}\n", True),
        ("static PyObject *\nadd(PyObject *m)\n‸\n\nstatic PyMethodDef d[] = {\n  0\n};\n", True),
        ("int x = f(a)\n‸\n\nstatic int table[] = {\n  0\n};\n", False),
        # A macro's use (no type before it), and a header whose `{` is on the lines below.
        ("LIST_HEAD(list, item)\n‸\n\nint\nmain(void)\n{\n  return 0;\n}\n", False),
        # A pointer to a function (a struct's member, a variable) and an extern prototype
        # have no body; a function returning such a pointer does.
        ("struct ops {\n  int (*open)(const char *path)\n  ‸\n};\n", False),
        ("static void (*handler)(int sig)\n‸\n", False),
        ("extern int f(int x)\n‸\n", False),
        ("int (*get(void))(int)\n‸\n", True),
        ("int main(void)\n‸\n{\n  return 0;\n}\n", False),
    ],
)
def test_a_c_header_written_above_another_function(text: str, expected: bool) -> None:
    assert _decide("c", "c", text) is expected


_CS_ALLMAN = (
    "class A\n{\n    void F(int a)\n    {\n        if (a > 0)\n        {\n            Go();\n"
    "        }\n"
)
_END = "    }\n}\n"
_CS_KR = "class A {\n    void F(int a) {\n        if (a > 0) {\n            Go();\n        }\n"


@pytest.mark.parametrize(
    ("language_id", "ext", "text"),
    [
        ("csharp", "cs", _CS_ALLMAN + "        if (x)\n        ‸\n    }\n}\n"),
        (
            "csharp", "cs",
            _CS_ALLMAN + "        foreach (var i in items)\n        ‸\n        Done();\n" + _END,
        ),
        ("csharp", "cs", _CS_ALLMAN + "        else\n        ‸\n    }\n}\n"),
        # A condition wrapped over lines.
        (
            "csharp", "cs",
            _CS_ALLMAN + "        while (a > 0 &&\n               b)\n        ‸\n" + _END,
        ),
        (
            "c", "c",
            "int f(int n)\n{\n    for (i = 0; i < n; i++)\n    {\n        g(i);\n    }\n"
            "    if (n == 0)\n    ‸\n}\n",
        ),
        (
            "java", "java",
            "class A\n{\n    void f()\n    {\n        if (a)\n        {\n            g();\n"
            "        }\n"
            "        else if (b)\n        ‸\n    }\n}\n",
        ),
        (
            "javascript", "js",
            "function f(a)\n{\n  if (a)\n  {\n    g();\n  }\n  for (const x of xs)\n  ‸\n}\n",
        ),
        # A block whatever the file's habit: `try`, `catch`, `finally`, `switch` take no
        # statement without braces.
        ("csharp", "cs", _CS_KR + "        try\n        ‸\n    }\n}\n"),
        ("java", "java", _CS_KR + "        } catch (IOException e)\n        ‸\n    }\n}\n"),
        ("csharp", "cs", _CS_ALLMAN + "        finally\n        ‸\n    }\n}\n"),
        ("c", "c", "int f(int n) {\n    switch (n)\n    ‸\n}\n"),
        # C++17's `if constexpr`, in a file whose headers have their `{` below.
        (
            "cpp", "cpp",
            "int f(int n)\n{\n    if (n)\n    {\n        g();\n    }\n"
            "    if constexpr (N > 0)\n    ‸\n}\n",
        ),
        # Over lines, and C++20's: a likelihood attribute after the condition, `if consteval`.
        *(
            ("cpp", "cpp", "int f(int n)\n{\n    if (n)\n    {\n        g();\n    }\n" f"    {header}\n    ‸\n}}\n")
            for header in (
                "if constexpr (N > 0 &&\n                  N < 9)",
                "if (n > 1) [[likely]]",
                "else if (n > 1 &&\n             n < 9) [[unlikely]]",
                "if !consteval",
            )
        ),
        ("typescript", "ts", "function f() {\n  try {\n    g();\n  }\n  catch (e)\n  ‸\n}\n"),
        # A `do` alone, a header over lines.
        ("c", "c", "int f(int n)\n{\n    if (n)\n    {\n        g();\n    }\n    do\n    ‸\n}\n"),
        (
            "c", "c",
            "int f(int n)\n{\n    if (n)\n    {\n        g();\n    }\n    while (n > 0 &&\n"
            "           n < 9)\n    ‸\n}\n",
        ),
    ],
)
def test_multiline_after_a_control_header_in_a_file_that_puts_its_brace_below(
    language_id: str, ext: str, text: str
) -> None:
    """Allman style: Enter after `if (x)`, the `{` not typed, where the file's control headers
    have their `{` on the next line: the model's `{`, body and `}` are shown (the `{` alone
    was)."""
    assert _decide(language_id, ext, text) is True


@pytest.mark.parametrize(
    ("language_id", "ext", "text"),
    [
        # The file's headers end with their `{`: the body is one statement without braces.
        ("csharp", "cs", _CS_KR + "        if (x)\n        ‸\n    }\n}\n"),
        ("javascript", "js", "function f(a) {\n  if (a) {\n    g();\n  }\n  if (b)\n  ‸\n}\n"),
        # Nothing tells: as before.
        ("c", "c", "int f(int n)\n{\n    if (n == 0)\n    ‸\n}\n"),
        # A whole statement, a do loop's end without its `;`, a call named like a keyword.
        (
            "javascript", "js",
            "function f(a)\n{\n  if (a)\n  {\n    g();\n  }\n  if (b) g()\n  ‸\n}\n",
        ),
        (
            "csharp", "cs",
            _CS_ALLMAN + "        do\n        {\n            Go();\n"
            "        } while (x)\n        ‸\n" + _END,
        ),
        ("csharp", "cs", _CS_ALLMAN + "        iffy(x)\n        ‸\n    }\n}\n"),
        # An Allman do loop's `while (x)` on its own line below the `}`, its `;` not typed yet.
        (
            "c", "c",
            "int f(int n)\n{\n    if (n)\n    {\n        g();\n    }\n    do\n    {\n        g();\n"
            "    }\n    while (n--)\n    ‸\n}\n",
        ),
        (
            "csharp", "cs",
            _CS_ALLMAN + "        do\n        {\n            Go();\n        }\n        while (x)\n"
            "        ‸\n" + _END,
        ),
        # C has no `try`: a call's name.
        (
            "c", "c",
            "int f(int n)\n{\n    if (n)\n    {\n        g();\n    }\n    try\n    ‸\n}\n",
        ),
    ],
)
def test_single_line_after_a_control_header_where_its_body_goes_without_braces(
    language_id: str, ext: str, text: str
) -> None:
    assert _decide(language_id, ext, text) is False


@pytest.mark.parametrize(
    ("language_id", "ext", "text", "expected"),
    [
        # A C or C++ type's or namespace's header alone on its line, its `{` not typed yet.
        ("c", "c", "#include <a.h>\n\nstruct foo\n‸\n\nint x;\n", True),
        ("c", "c", "typedef struct\n‸\n", True),
        ("c", "c", "typedef struct node\n‸\n", True),
        ("c", "c", "union value\n‸\n", True),
        ("c", "c", "enum color\n‸\n", True),
        ("cpp", "cpp", "class Shape : public Base<int>\n‸\n", True),
        ("cpp", "cpp", "enum class Color : uint8_t\n‸\n", True),
        ("cpp", "cpp", "namespace app::io\n‸\n", True),
        ("cpp", "cpp", 'extern "C"\n‸\n', True),
        # A declaration of a variable of that type, its `;` not typed yet.
        ("c", "c", "int f(void) {\n  struct foo x\n  ‸\n}\n", False),
        ("c", "c", "struct foo *p\n‸\n", False),
        ("c", "c", "struct foo bar\n‸\n", False),
        # Inside a list going on from the line above: a parameter's type (its name below), a
        # template's parameter, sizeof's type.
        ("c", "c", "int f(int a,\n      struct foo\n‸\n", False),
        ("cpp", "cpp", "template <\n    class T\n‸\n", False),
        ("cpp", "cpp", "template <typename T,\n          class Alloc\n‸\n", False),
        ("c", "c", "int n = sizeof(\n    struct foo\n‸\n", False),
    ],
)
def test_a_c_type_header_before_its_brace(
    language_id: str, ext: str, text: str, expected: bool
) -> None:
    """`struct foo`, Enter (Allman, the `{` not typed): the model's `{`, fields and `};` are
    shown, not the `{` alone."""
    assert _decide(language_id, ext, text) is expected


@pytest.mark.parametrize(
    ("language_id", "ext", "text", "expected"),
    [
        # A variable of a type named with its keyword, braced-initialized.
        ("cpp", "cpp", "void f() {\n  const struct foo bar {‸}\n}\n", False),
        ("cpp", "cpp", "static struct point origin {‸}\n", False),
        # C#: type arguments four and five levels deep.
        (
            "csharp", "cs",
            "class A {\n  void F() {\n    var d = new Dictionary<string, List<Dictionary<int, "
            "List<string>>>>() {‸};\n  }\n}\n",
            False,
        ),
        (
            "csharp", "cs",
            "class A {\n  void F() {\n    var d = new A<B<C<D<E<int>>>>>() {‸};\n  }\n}\n",
            False,
        ),
        # Types' bodies still: an export macro before the name, `final`, a base.
        ("cpp", "cpp", "class Q_CORE_EXPORT QString {‸}\n", True),
        ("cpp", "cpp", "class Widget final {‸}\n", True),
        ("cpp", "cpp", "struct Box : Base {‸}\n", True),
    ],
)
def test_value_braces_after_a_keyword_named_type_or_deep_type_arguments(
    language_id: str, ext: str, text: str, expected: bool
) -> None:
    assert _decide(language_id, ext, text) is expected


#: A shell script around each line: a `case` with an arm done above.
_SH = '#!/bin/sh\nfor ARG\ndo\n    case "$ARG" in\n    -h)\n        usage\n        ;;\n    LINE‸\n    esac\ndone\n'


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # A `case` arm's pattern alone on its line: its commands come below (a line was asked,
        # and the model's commands on the next were none: nothing shown).
        ("*)", True),
        ("-v|--verbose)", True),
        ("*.bz2 | *.gz)", True),
        ('"$prog")', True),
        ("(start)", True),
        # A pattern with its commands on the line, a command substitution, a subshell with
        # arguments, a function's header: no arm's pattern alone.
        ('*) FILES="$FILES $ARG" ;;', False),
        ("x=$(pwd)", False),
        ("(cd /tmp && make)", False),
        ("f()", False),
    ],
)
def test_a_shell_case_arm_s_pattern_opens_its_commands(line: str, expected: bool) -> None:
    assert _decide("shellscript", "sh", _SH.replace("LINE", line)) is expected


@pytest.mark.parametrize(
    ("language_id", "ext", "text", "expected"),
    [
        # A match's, a `when`'s, a switch's next arm, the cursor on the empty line below an arm
        # ended by no comma, at the arms' column: rustfmt's block arm's `}`, Kotlin's `A -> x`,
        # Java's `case X -> y;`, a Swift or Go `case` and its body, C's after its `break;`, a
        # Go type switch, Allman's `{` below C#'s `switch`.
        ("rust", "rs", "fn f(x: u8) {\n    match x {\n        0 => {\n            g();\n        }\n        ‸\n    }\n}\n", True),
        ("kotlin", "kt", "fun f(x: Int): Int {\n    return when (x) {\n        1 -> 10\n        ‸\n    }\n}\n", True),
        ("kotlin", "kt", "fun f(x: Int) {\n    when {\n        x > 1 -> g()\n        ‸\n    }\n}\n", True),
        ("java", "java", "class A {\n    int f(int x) {\n        return switch (x) {\n            case 1 -> 10;\n            ‸\n        };\n    }\n}\n", True),
        ("java", "java", "class A {\n    void f(int x) {\n        switch (x) {\n            case 1 -> {\n                g();\n            }\n            ‸\n        }\n    }\n}\n", True),
        ("swift", "swift", "func f(x: Int) {\n    switch x {\n    case 1: g()\n    ‸\n    }\n}\n", True),
        ("swift", "swift", "func f(x: Int) {\n    switch x {\n    case 1:\n        g()\n    ‸\n    }\n}\n", True),
        ("go", "go", "package a\n\nfunc f(x int) {\n\tswitch x {\n\tcase 1:\n\t\tg()\n\t‸\n\t}\n}\n", True),
        ("go", "go", "package a\n\nfunc f(x any) {\n\tswitch v := x.(type) {\n\tcase int:\n\t\tg(v)\n\t‸\n\t}\n}\n", True),
        ("c", "c", "int f(int x) {\n    switch (x) {\n    case 1:\n        g();\n        break;\n    ‸\n    }\n}\n", True),
        ("csharp", "cs", "class A\n{\n    void F(int x)\n    {\n        switch (x)\n        {\n            case 1:\n                G();\n                break;\n            ‸\n        }\n    }\n}\n", True),
        # After an item ended by its `,` (a Rust arm, a call's argument, a list's closers), at
        # its column, as at that line's end.
        ("rust", "rs", "fn f(x: u8) -> u8 {\n    match x {\n        0 => 1,\n        ‸\n    }\n}\n", True),
        ("python", "py", "f(\n    a,\n    ‸\n)\n", True),
        ("python", "py", "tokens = {\n    'root': [\n        (r'\\s+', Text),\n    ],\n    ‸\n}\n", True),
        # A call's or a definition's first line ending with `,`, its first argument after its
        # bracket: the next ones on the next line (the editor's `)` pushed down after it too).
        ("python", "py", "foo(a,\n    ‸\n", True),
        ("javascript", "js", "foo(a,\n    ‸\n);\n", True),
        ("python", "py", "x = foo(a,\n        ‸)\n", True),
        ("python", "py", "def f(a,\n      ‸\n", True),
        ("go", "go", "package a\n\nfunc f() {\n\tcall(a,\n\t\t‸\n}\n", True),
        # Controls: deeper than the arms (an arm's body goes on), the body's own line after a
        # `case` header, a line below a statement, the closers' column after the last item, an
        # `if` block in a match's arm, a call closed on its line.
        ("go", "go", "package a\n\nfunc f(x int) {\n\tswitch x {\n\tcase 1:\n\t\tg()\n\t\t‸\n\t}\n}\n", False),
        ("kotlin", "kt", "fun f(x: Int): Int {\n    return when (x) {\n        1 -> 10\n            ‸\n    }\n}\n", False),
        ("rust", "rs", "fn f() {\n    g(1);\n    ‸\n}\n", False),
        ("python", "py", "f(\n    a,\n    b,\n‸\n", False),
        ("rust", "rs", "fn f(x: u8) {\n    match x {\n        0 => {\n            if ok {\n                g();\n            }\n            ‸\n        }\n    }\n}\n", False),
        ("python", "py", "foo(a, b)\n‸\n", False),
        ("c", "c", "int f(void) {\n    int a = 1,\n        b = 2;\n    ‸\n}\n", False),
    ],
)
def test_multiline_on_the_empty_line_after_an_arm_or_an_item(
    language_id: str, ext: str, text: str, expected: bool
) -> None:
    """Enter after a match's, a `when`'s or a switch's arm, or after an argument's or an item's
    line: the next arms or items go below, over lines. Asked for one line, a block arm or a
    `case` and its body was cut to its first line (`case 2:` alone), and only one of the next
    items or arms was shown where the line's end asked them all."""
    assert _decide(language_id, ext, text) is expected


@pytest.mark.parametrize(
    ("language_id", "ext", "text"),
    [
        # A method or a function named `match` or `when`: its body's statements.
        ("javascript", "js", "class M {\n  match(input) {\n    const a = 1;\n    ‸\n  }\n}\n"),
        ("kotlin", "kt", "fun when(x: Int) {\n    g(x)\n    ‸\n}\n"),
        ("typescript", "ts", "function f(x: number) {\n  if (x) {\n    g();\n  }\n  ‸\n}\n"),
    ],
)
def test_single_line_in_a_body_that_is_no_switch(language_id: str, ext: str, text: str) -> None:
    """Below a statement in a block whose header names no switch, match nor `when`, the next
    statement is a line, as before."""
    assert _decide(language_id, ext, text) is False
