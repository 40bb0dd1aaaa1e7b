"""A member whose name several files define gets its receiver's class's definition, when the
document says which class the receiver is (``context.receivers``)."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest
from lsprotocol import types

from deepseek_lsp.config import DEFAULT_EXCLUDE
from deepseek_lsp.context import ContextRequest, Indexer, Snippet, gather_snippets, names_near
from deepseek_lsp.context import receivers as receivers_module
from deepseek_lsp.context.lookup import receivers_members
from deepseek_lsp.context.receivers import (
    class_of_member,
    class_of_type,
    member_at,
    member_receivers,
    receiver_at,
    receiver_key,
)
from deepseek_lsp.documents import DocumentStore
from deepseek_lsp.workspace_symbols import WorkspaceSymbols
from tests.cpu_time import ThreadCpu
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import inline_params, insert, lsp_session, open_doc, server_env
from tests.test_completion_units import prompt_after_crawl
from tests.test_workspace_symbols import (
    REGISTRY,
    gather,
    heads,
    indexed,
    prompt_at_end,
    table_of,
    write,
)


def receivers(text: str, *members: str, language: str = "python") -> dict[str, str]:
    """The receivers' classes the document says, the cursor at its end."""
    ext = {"python": "py", "javascript": "js"}.get(language, "ts")
    doc = DocumentStore(REGISTRY).open(f"file:///w/main.{ext}", text, language, 1)
    assert doc.tree is not None
    return member_receivers(
        language, doc.tree, doc.data, len(doc.data), (0, len(doc.data)), members
    )


# ---------------------------------------------------------------- the inference, Python


def test_a_local_constructed_from_a_class() -> None:
    assert receivers("def run():\n    conn = Connection('db', 5432)\n    conn.send(", "send") == {
        "send": "Connection"
    }
    assert receivers("def run():\n    conn = net.Connection()\n    conn.send(", "send") == {
        "send": "Connection"
    }


def test_annotations_of_locals_and_parameters() -> None:
    assert receivers("def run():\n    conn: Connection = connect()\n    conn.send(", "send") == {
        "send": "Connection"
    }
    text = "def fetch(client: Optional[Client], pool: 'Pool | None' = None):\n    pool.take()\n    client.get("
    assert receivers(text, "get", "take") == {"get": "Client", "take": "Pool"}


def test_a_with_statement_binds_what_it_constructs() -> None:
    text = "def run():\n    with Session(timeout=limits(3)) as s:\n        s.get("
    assert receivers(text, "get") == {"get": "Session"}


def test_an_attribute_its_class_constructs_annotates_or_takes_as_an_annotated_parameter() -> None:
    text = (
        "class Client:\n"
        "    retries: RetryPolicy\n\n"
        "    def __init__(self, pool: Pool) -> None:\n"
        "        self.pool = pool\n"
        "        self.conn = None\n"
        "        self.log: Logger = make_logger()\n\n"
        "    def open(self):\n"
        "        self.conn = Connection()\n\n"
        "    def go(self):\n"
        "        self.retries.delay()\n"
        "        self.log.info('go')\n"
        "        self.pool.take()\n"
        "        self.conn.send("
    )
    assert receivers(text, "send", "take", "info", "delay") == {
        "send": "Connection",
        "take": "Pool",
        "info": "Logger",
        "delay": "RetryPolicy",
    }


def test_a_field_of_a_receiver_whose_class_the_file_declares() -> None:
    """``k.conn.send(``: the class ``k`` is, declared in this file, gives ``conn``'s."""
    client = (
        "class Client:\n    retries: Policy\n\n    def __init__(self, log: Logger):\n"
        "        self.conn = Connection()\n        self.log = log\n\n"
    )
    assert receivers(client + "def run(k: Client):\n    k.conn.send(", "send") == {
        "send": "Connection"
    }
    text = client + "def run():\n    k = Client(make())\n    k.log.info()\n    k.retries.delay("
    assert receivers(text, "info", "delay") == {"info": "Logger", "delay": "Policy"}
    assert receivers(client + "def run(k):\n    k.conn.send(", "send") == {}
    assert receivers(client + "def run(k: Other):\n    k.conn.send(", "send") == {}
    assert receivers(client + "def run(k: Client):\n    k.other.send(", "send") == {}
    nested = "class App:\n    def __init__(self):\n        self.k = Client()\n\n    def go(self):\n"
    assert receivers(client + nested + "        x.k.conn.send(", "send") == {}
    assert receivers("import os\n\ndef run():\n    os.path.join(", "join", language="python") == {}
    ts = (
        "export class Client {\n  conn: Connection;\n  constructor(private log: Logger) {}\n}\n\n"
        "function run(k: Client) {\n  k.log.info();\n  k.conn.send();\n}\n"
    )
    assert receivers(ts, "send", "info", language="typescript") == {
        "send": "Connection",
        "info": "Logger",
    }
    doc = DocumentStore(REGISTRY).open(
        "file:///w/main.py", client + "def run(k: Client):\n    k.conn.", "python", 1
    )
    assert doc.tree is not None
    assert receiver_at("python", doc.tree, doc.data, len(doc.data)) == "Connection"


def at_end(text: str, language: str = "python") -> str | None:
    """The class of the receiver the cursor (at the text's end) is after."""
    ext = {"python": "py", "javascript": "js"}.get(language, "ts")
    doc = DocumentStore(REGISTRY).open(f"file:///w/main.{ext}", text, language, 1)
    assert doc.tree is not None
    return receiver_at(language, doc.tree, doc.data, len(doc.data))


def test_a_field_of_a_field_two_levels_down() -> None:
    """``self.k.conn.``, ``this.k.conn.``, ``app.k.conn.send(``: the field's class in the class
    of the field before it, each declared in this file; they had none (one level only was
    read). Three levels down too; four have none (a bound: each level is a class read)."""
    client = "class Client:\n    def __init__(self):\n        self.conn = Connection()\n\n"
    app = "class App:\n    def __init__(self):\n        self.k = Client()\n\n    def go(self):\n"
    assert at_end(client + app + "        self.k.conn.") == "Connection"
    assert at_end(client + app + "        self.k.conn.se") == "Connection"
    assert receivers(client + app + "        self.k.conn.send(", "send") == {"send": "Connection"}
    run = "def run(app: App):\n    app.k.conn."
    assert at_end(client + app + "        pass\n\n" + run) == "Connection"
    assert at_end(client + app + "        self.x.k.conn.") is None
    assert receivers(client + app + "        self.x.k.conn.send(", "send") == {}
    # Three levels down (``self.app.k.conn.``, ``w.app.k.conn.``); four have none.
    shell = "class Shell:\n    def __init__(self):\n        self.app = App()\n\n    def go(self):\n"
    three = client + app + "        pass\n\n" + shell
    assert at_end(three + "        self.app.k.conn.") == "Connection"
    assert receivers(three + "        self.app.k.conn.send(", "send") == {"send": "Connection"}
    assert at_end(three + "        pass\n\ndef run(w: Shell):\n    w.app.k.conn.") == "Connection"
    assert at_end(three + "        self.x.app.k.conn.") is None
    assert receivers(three + "        self.x.app.k.conn.send(", "send") == {}
    assert at_end(client + app + "        self.k.other.") is None
    ts = (
        "class Client {\n  conn: Connection;\n}\n\n"
        "class App {\n  private k: Client = new Client();\n  go() {\n    this.k.conn."
    )
    assert at_end(ts, "typescript") == "Connection"
    assert at_end(ts + "send();\n  }\n}\n", "typescript") is None  # (past the member)
    sent = ts + "send();\n  }\n}\n"
    assert receivers(sent, "send", language="typescript") == {"send": "Connection"}
    shell = "class Shell {\n  app: App = new App();\n  go() {\n    this.app.k.conn."
    assert at_end(ts + "send();\n  }\n}\n\n" + shell, "typescript") == "Connection"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("k = Client()", "Client"),
        ("k: Client", "Client"),
        ("k: Client = make()", "Client"),
        ("retries = 3; k = Client()", "Client"),
        ("k = Client(); retries = 3", "Client"),
        ("k = 3", None),
        ("k = Client(); k = Pool()", None),
    ],
)
def test_an_attribute_of_a_one_line_python_class_body(body: str, expected: str | None) -> None:
    """``class App: k = Client()``: the class-level attribute is the body's first statement on
    the class's line, not at a line's start, and ``a.k.`` had no class; a nested one-line
    class's attribute is its own, not the outer class's."""
    text = f"class Client:\n    pass\n\nclass App: {body}\n\ndef run(a: App):\n    a.k."
    assert at_end(text) == expected
    nested = f"class Client:\n    pass\n\nclass App:\n    class Inner: {body}\n\n"
    assert at_end(nested + "def run(a: App):\n    a.k.") is None
    assert at_end(nested + "def run(a: App.Inner):\n    a.k.") == expected


@pytest.mark.parametrize("name", ["café", "数据", "ñ2"])
def test_a_receiver_named_in_letters_beyond_ascii(name: str) -> None:
    """Python's and JavaScript's identifiers are Unicode letters and digits: ``café =
    Connection()`` then ``café.`` had no class (the receiver was read in ASCII only); a
    longer name that starts with it (``caféx``) is not its binding."""
    py = f"def run(host):\n    {name} = Connection(host)\n    {name}."
    assert at_end(py) == "Connection"
    assert receivers(py + "send(", "send") == {"send": "Connection"}
    assert at_end(f"def run(host):\n    {name}é = Connection(host)\n    {name}.") is None
    attr = f"class App:\n    def __init__(self):\n        self.{name} = Connection()\n\n"
    assert at_end(attr + f"    def go(self):\n        self.{name}.") == "Connection"
    js = f"function run() {{\n  const {name} = new Connection();\n  {name}."
    assert at_end(js, "javascript") == "Connection"
    assert at_end(f"function run({name}: Connection) {{\n  {name}.", "typescript") == "Connection"
    # Bytes beyond ASCII that are no letters make no name; nor a character cut where the
    # line's last 200 bytes start (no UnicodeDecodeError).
    assert at_end(py.replace(f"{name}.", f"{name}…{name}.")) is None
    assert receivers(py.replace(f"{name}.", f"{name}…{name}.send("), "send") == {}
    assert at_end("def run(host):\n    x = " + name * 150 + ".") is None


@pytest.mark.parametrize("space", ["\u00a0", "\u3000", "\u2009"])
def test_a_receiver_after_a_unicode_space_has_its_class(space: str) -> None:
    """JavaScript and TypeScript take a no-break, ideographic or thin space for a space
    (``return\u00a0conn.``, pasted from a web page): its bytes, beyond ASCII, were read as the
    receiver's, ``x\u00a0conn`` no name, and ``conn.`` had no class, at the cursor or in a use."""
    js = f"function run() {{\n  const conn = new Connection();\n  if (ok){space}conn."
    assert at_end(js, "javascript") == "Connection"
    assert receivers(js + "send(", "send", language="javascript") == {"send": "Connection"}
    ts = f"class Client {{\n  conn: Connection;\n}}\n\nfunction run(k: Client) {{\n  x ={space}k.conn."
    assert at_end(ts, "typescript") == "Connection"


def test_the_nearest_use_on_a_receiver_either_side_of_the_cursor() -> None:
    """The uses are read out from the cursor: a nearer one on no receiver (``make().send``,
    ``a.b.c.d.e.send``) does not hide one on a receiver farther; of one before and one after
    the cursor, the nearer."""
    head = "def run(conn: Connection, mail: Mailer):\n    conn.send()\n"
    text = head + "    make().send()\n    a.b.c.d.e.send()\n" + "    x = 1\n" * 6
    text += "    mail.send()\n"
    doc = DocumentStore(REGISTRY).open("file:///w/main.py", text, "python", 1)
    assert doc.tree is not None
    for offset, expected in ((text.index("    x = 1"), "Connection"), (len(text) - 20, "Mailer")):
        found = member_receivers("python", doc.tree, doc.data, offset, (0, len(doc.data)), ["send"])
        assert found == {"send": expected}, offset


def test_typescript_optional_chaining_before_the_field() -> None:
    """``k?.conn.`` and ``k?.conn?.send(``: ``?.`` is a member's dot too; the field had no
    class after it."""
    ts = "class Client {\n  conn: Connection;\n}\n\nfunction run(k?: Client) {\n  "
    assert at_end(ts + "k?.conn.", "typescript") == "Connection"
    assert at_end(ts + "k?.conn?.", "typescript") == "Connection"
    assert receivers(ts + "k?.conn?.send(", "send", language="typescript") == {
        "send": "Connection"
    }
    app = "class App {\n  k?: Client;\n  go() {\n    this.k?.conn."
    assert at_end(ts + "}\n" + app, "typescript") == "Connection"


def test_a_capitalised_name_nothing_binds_is_the_class_itself() -> None:
    assert receivers("def run(text):\n    return Option.parse(", "parse") == {"parse": "Option"}
    assert receivers("def run(text):\n    return util.parse(", "parse") == {}  # a module, no class


def test_the_receiver_the_cursor_is_after() -> None:
    doc = DocumentStore(REGISTRY).open(
        "file:///w/main.py", "def run(pool: Pool):\n    pool.ta", "python", 1
    )
    assert doc.tree is not None
    assert receiver_at("python", doc.tree, doc.data, len(doc.data)) == "Pool"
    assert (
        receiver_at("python", doc.tree, doc.data, len(doc.data) - 3) is None
    )  # after ``pool``: no dot yet


def test_self_is_the_enclosing_class() -> None:
    assert receivers("class Reader(Base):\n    def go(self):\n        self.parse(", "parse") == {
        "parse": "Reader"
    }


def test_the_last_assignment_before_the_use_decides() -> None:
    """Rebound to another class, the other class; rebound to what a function returns, none."""
    text = "def run():\n    conn = Connection()\n    conn = Proxy(conn)\n    conn.send("
    assert receivers(text, "send") == {"send": "Proxy"}
    text = "def run():\n    conn = Connection()\n    conn = wrap(conn)\n    conn.send("
    assert receivers(text, "send") == {}
    text = "def run():\n    conn = connect()\n    conn.send("  # a function's result: no class here
    assert receivers(text, "send") == {}


def test_a_parameter_of_the_same_name_in_another_function_is_not_its_annotation() -> None:
    text = "def a(conn: Connection):\n    pass\n\ndef b(conn):\n    conn.send("
    assert receivers(text, "send") == {}
    # A module-level variable is shadowed by the function's own parameter too.
    text = "conn = Connection()\n\ndef b(conn):\n    conn.send("
    assert receivers(text, "send") == {}
    # Not shadowed, it is the module's.
    text = "conn = Connection()\n\ndef b():\n    conn.send("
    assert receivers(text, "send") == {"send": "Connection"}


def test_an_attribute_given_two_classes_has_none() -> None:
    text = (
        "class Client:\n"
        "    def a(self):\n        self.conn = Connection()\n"
        "    def b(self):\n        self.conn = Proxy()\n"
        "    def c(self):\n        self.conn.send("
    )
    assert receivers(text, "send") == {}



def test_a_value_that_only_starts_with_a_constructor_says_no_class() -> None:
    """``Request(url).send()`` is what ``send`` returns, ``Conns()[0]`` an item, ``Conn() ==
    x`` a bool: the class is the value's only when the value is the call itself."""
    for value in (
        "Request(url).send()",
        "Connections()[0]",
        "Conn() == other",
        "Connection() or fallback()",
        "Connection() if remote else Local()",
        "Connection(); conn = make()",
    ):
        assert receivers(f"def run():\n    conn = {value}\n    conn.send(", "send") == {}, value
    for value in ("Connection()  # the db", "Connection(\n        host,\n    )",
                  "Connection() if remote else None", "Connection(retries > 1, [a, (b)])"):
        assert receivers(f"def run():\n    conn = {value}\n    conn.send(", "send") == {
            "send": "Connection"
        }, value
    text = (
        "function run() {\n  const client = new Builder().retries(3).build();\n"
        "  client.send();\n}\n"
    )
    assert receivers(text, "send", language="javascript") == {}
    text = "function run() {\n  const client = new Client(url); // the api\n  client.send();\n}\n"
    assert receivers(text, "send", language="javascript") == {"send": "Client"}
    text = "function run() {\n  const client = new Client<Map<K, V>>(a > b);\n  client.send();\n}\n"
    assert receivers(text, "send", language="typescript") == {"send": "Client"}


def test_a_binding_in_a_nested_function_is_not_the_enclosing_ones() -> None:
    text = (
        "def run():\n    conn = Connection()\n\n    def retry():\n        conn = Backup()\n"
        "        return conn\n\n    conn.send("
    )
    assert receivers(text, "send") == {"send": "Connection"}
    text = (
        "function main() {\n  const conn = new Connection();\n"
        "  items.forEach((x) => { const conn = new Other(); });\n  conn.send();\n}\n"
    )
    assert receivers(text, "send", language="typescript") == {"send": "Connection"}


def test_a_binding_in_a_branch_the_use_is_not_in_is_one_of_its_classes() -> None:
    """The last binding may not have run: the class is the branches' when they agree."""
    either = (
        "def run():\n    if remote:\n        conn = Remote()\n    else:\n        conn = Local()\n"
    )
    assert receivers(either + "    conn.send(", "send") == {}
    maybe = "def run():\n    conn = Connection()\n    if tls:\n        conn = Secure(conn)\n"
    assert receivers(maybe + "    conn.send(", "send") == {}
    looped = "def run():\n    conn = Connection()\n    for conn in pool:\n        pass\n"
    assert receivers(looped + "    conn.send(", "send") == {}
    # The same class either way, a None first, the use in the branch itself: the class.
    same = (
        "def run():\n    if remote:\n        conn = Connection(url)\n"
        "    else:\n        conn = Connection()\n"
    )
    assert receivers(same + "    conn.send(", "send") == {"send": "Connection"}
    unset = (
        "def run():\n    conn = None\n    try:\n        conn = Connection()\n"
        "    except OSError:\n        raise\n"
    )
    assert receivers(unset + "    conn.send(", "send") == {"send": "Connection"}
    assert receivers(maybe + "        conn.send(", "send") == {"send": "Secure"}
    # The if's body did not run where its else runs, nor the try's where its except does.
    text = maybe + "    else:\n        conn.send("
    assert receivers(text, "send") == {"send": "Connection"}
    text = (
        "def run():\n    conn = Fallback()\n    try:\n        conn = Connection()\n"
        "    except OSError:\n        conn.close("
    )
    assert receivers(text, "close") == {}
    text = (
        "function run() {\n  const conn = new Connection();\n  if (tls) {\n"
        "    const conn = new Secure();\n  }\n  conn.send();\n}\n"
    )
    # The if's const is its block's: the function's is the one used after it.
    assert receivers(text, "send", language="typescript") == {"send": "Connection"}
    text = (
        "function run() {\n  let conn;\n  if (a) {\n    conn = new Connection();\n  }\n"
        "  conn.send();\n}\n"
    )
    assert receivers(text, "send", language="typescript") == {"send": "Connection"}



def test_the_modules_own_code_reads_its_branches_and_reassignments() -> None:
    maybe = "conn = Connection()\nif tls:\n    conn = Secure(conn)\n"
    assert receivers(maybe + "conn.send(", "send") == {}
    assert receivers(maybe + "    conn.send(", "send") == {"send": "Secure"}
    main = "import sys\n\nif __name__ == '__main__':\n    conn = Connection(sys.argv[1])\n"
    assert receivers(main + "    conn.send(", "send") == {"send": "Connection"}
    # A class's attribute of that name is not the module's.
    text = "conn = Connection()\n\nclass Pool:\n    conn = Other()\n\nconn.send("
    assert receivers(text, "send") == {"send": "Connection"}
    text = "let conn = new Connection();\nconn = new Proxy(conn);\nconn.send();\n"
    assert receivers(text, "send", language="javascript") == {"send": "Proxy"}


def test_the_modules_for_with_and_assignment_expressions_bind_too() -> None:
    """A script's own loop, ``with`` and ``:=`` bind a name as a function's do: the module's
    ``conn = Connection()`` was taken for the loop's ``conn``, and ``with``'s session was none."""
    text = "conn = Connection()\nfor conn in pool.idle():\n    conn.send("
    assert receivers(text, "send") == {}
    text = "conn = Connection()\nfor name, conn in pool.items():\n    conn.send("
    assert receivers(text, "send") == {}
    assert receivers("with Session(retries=3) as s:\n    s.get(", "get") == {"get": "Session"}
    text = "if (conn := Connection(url)) is not None:\n    conn.send("
    assert receivers(text, "send") == {"send": "Connection"}
    text = "def run(conn: Connection):\n    for i, conn in enumerate(others):\n        conn.send("
    assert receivers(text, "send") == {}
    text = "def run():\n    while (m := Matcher(next(lines))).ok:\n        m.group("
    assert receivers(text, "group") == {"group": "Matcher"}
    # A call's argument is no binding; the module's assignment still is.
    text = "conn = Connection()\nlog(conn)\nconn.send("
    assert receivers(text, "send") == {"send": "Connection"}


def test_a_let_or_const_in_a_block_is_not_in_scope_after_it() -> None:
    for lang in ("javascript", "typescript"):
        for kind in ("const", "let"):
            text = f"if (ok) {{\n  {kind} conn = new Connection();\n}}\nconn.send();\n"
            assert receivers(text, "send", language=lang) == {}, (lang, kind)
            text = f"function run() {{\n  for (const c of cs) {{\n    {kind} conn = new A();\n  }}\n  conn.send();\n}}\n"
            assert receivers(text, "send", language=lang) == {}, (lang, kind)
        # ``var`` is the function's: the one binding, if it ran.
        text = "function run() {\n  if (ok) {\n    var conn = new Connection();\n  }\n  conn.send();\n}\n"
        assert receivers(text, "send", language=lang) == {"send": "Connection"}
        text = "function run() {\n  if (ok) {\n    const conn = new Connection();\n    conn.send();\n  }\n}\n"
        assert receivers(text, "send", language=lang) == {"send": "Connection"}


def test_a_comprehensions_variable_is_not_the_functions() -> None:
    text = "def run():\n    c = Connection()\n    out = [c.send() for c in others]\n"
    doc_at = text.index("c.send") + 2
    doc = DocumentStore(REGISTRY).open("file:///w/main.py", text, "python", 1)
    assert doc.tree is not None
    found = member_receivers("python", doc.tree, doc.data, doc_at, (0, len(doc.data)), ["send"])
    assert found == {}


def test_a_long_line_takes_no_time() -> None:
    """A line of 2,000 calls (data, generated code) where the receiver is used: each use was a
    search of the line before it from each call's start (4 s of CPU a keystroke)."""
    line = "    data = [" + ", ".join("Foo(x0, x1)" for _ in range(2000)) + "]\n"
    text = "def f():\n" + line + "    x0.send()\n    x1.recv("
    started = time.process_time()
    assert receivers(text, "send", "recv") == {}
    assert time.process_time() - started < 0.3


def test_a_module_level_name_is_found_alike_where_it_is_and_at_each_lines_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A name seldom in the module's text is looked for where it is, one often there at each
    line's start: both find the same lines (``export const conn``, indented, not ``x.conn``,
    ``aconn``, ``conn2``, ``$conn``), on generated texts."""
    rng = random.Random(5)
    pieces = [b"conn", b" ", b"\t", b"\n", b"export ", b"const ", b"let ", b"x", b".", b"$"]
    pieces += [b"=", b"conn2", b"(", b"for conn in y:", b"aconn", b"_"]
    for _ in range(3000):
        data = b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 40)))
        start = rng.randint(0, len(data))
        end = rng.randint(start, len(data))
        found = []
        for few in (10**9, -1):
            monkeypatch.setattr(receivers_module, "FEW_USES", few)
            found.append(receivers_module._module_level("js", data, b"conn", start, end))
        assert found[0] == found[1], (data, start, end)


# ---------------------------------------------------------------- the inference, TypeScript

TS_CLASS = (
    "class Client {\n"
    "  private store: Store;\n"
    "  constructor(private readonly conn: Connection, other: Foo) {\n"
    "    this.cache = new Cache<string>();\n"
    "  }\n"
    "  go(client: Client | undefined) {\n"
    "    const q = new Queue();\n"
    "    q.push(1);\n"
    "    this.cache.get(1);\n"
    "    this.store.load();\n"
    "    client?.fetch();\n"
    "    this.conn.send();\n"
    "  }\n"
    "}\n"
)


def test_typescript_new_annotations_fields_and_parameter_properties() -> None:
    assert receivers(TS_CLASS, "send", "get", "load", "fetch", "push", language="typescript") == {
        "send": "Connection",
        "get": "Cache",
        "load": "Store",
        "fetch": "Client",
        "push": "Queue",
    }


def test_typescript_this_in_a_class_whose_end_is_still_being_typed() -> None:
    """The class's ``}`` not typed yet: no class in the tree, its keyword and name in an error;
    ``this.conn`` had no class there."""
    head = (
        "export class Client {\n  private log: Logger;\n"
        "  constructor(private readonly conn: Connection) {\n    this.cache = new Cache();\n  }\n"
        "  go() {\n    if (x) {\n      "
    )
    text = head + "this.log.info();\n      this.cache.get();\n      this.conn.send("
    assert receivers(text, "send", "info", "get", language="typescript") == {
        "send": "Connection",
        "info": "Logger",
        "get": "Cache",
    }
    assert receivers(head + "this.other.send(", "send", language="typescript") == {}
    js = "class Client {\n  constructor() {\n    this.conn = new Conn();\n  }\n  go() {\n    "
    local = "const k = new Client();\n    k.conn."
    store = DocumentStore(REGISTRY)
    for i, (text, expected) in enumerate(
        [(js + "this.conn.", "Conn"), (js + local, "Conn"), (js + "this.", None)]
    ):
        doc = store.open(f"file:///w/open{i}.js", text, "javascript", 1)
        assert doc.tree is not None
        assert receiver_at("javascript", doc.tree, doc.data, len(doc.data)) == expected, text


def test_typescript_a_parameter_of_a_function_whose_end_is_still_being_typed() -> None:
    """No function in the tree there, its parameter list left in an error: its parameters were
    none's (a JSDoc type is not read there)."""
    def typed(text: str, *members: str) -> dict[str, str]:
        return receivers(text, *members, language="typescript")

    head = "function run(c: Connection, m?: Mailer) {\n  if (x) {\n    "
    assert typed(head + "m.notify();\n    c.send(", "send", "notify") == {
        "send": "Connection",
        "notify": "Mailer",
    }
    arrow = "function run(c: Connection) {\n  items.forEach((c: Mailer) => {\n    c.send("
    assert typed(arrow, "send") == {"send": "Mailer"}
    # A closed function's parameter is not the use's.
    assert typed("function a(c: Other) {}\nfunction run() {\n  c.send(", "send") == {}
    cls = "class Client {\n  conn: Conn;\n  last(k: Client) {\n    k.conn.send("
    assert typed(cls, "send") == {"send": "Conn"}


def test_typescript_a_parameter_declared_again_before_the_use_in_an_unclosed_function() -> None:
    """``for (const c of pending) {`` or ``{ const c = ...`` after ``run(c: Connection)``, the
    function's ``}`` not typed yet: ``c`` there is the loop's or the block's, of no class said;
    it was taken for the parameter (Connection's ``send`` sent for a pending item's)."""
    head = "function run(c: Connection) {\n  "
    for rebound in (
        "for (const c of pending) {\n    c.send(",
        "for (let c in pending) {\n    c.send(",
        "{ const c = make();\n    c.send(",
        "items.forEach(() => { var\tc = pick();\n    c.send(",
    ):
        assert receivers(head + rebound, "send", language="typescript") == {}, rebound
    # Declared again with a class said: that class, as in a closed function.
    mailer = head + "if (x) {\n    const c = new Mailer();\n    c.send("
    assert receivers(mailer, "send", language="typescript") == {"send": "Mailer"}
    # Another name declared, the parameter used, or the name declared in a loop or function
    # closed before the use: still the parameter's.
    for kept in (
        "for (const d of c.peers) {\n    c.send(",
        "const cc = 1; let c2 = c;\n  c.send(",
        "for (const c of pending) { log(c); }\n  c.send(",
        "for (const c of pending) log(c);\n  c.send(",
        "xs.forEach((x) => { let c = x; });\n  c.send(",
    ):
        assert receivers(head + kept, "send", language="typescript") == {"send": "Connection"}, kept


def test_typescript_a_parameter_declared_again_with_two_spaces_or_destructured() -> None:
    """``const  c`` (two spaces), ``let [a, c]``, ``const { conn: c }``: ``c`` declared again,
    the loop's or the block's; each was taken for the parameter's Connection, in a function
    whose ``}`` is not typed yet and in a closed one."""
    head = "function run(c: Connection) {\n  "
    for rebound in (
        "for (const  c of pending) {\n    c.send(",
        "{ let [a, c] = pair();\n    c.send(",
        "{ const    [a, c] = pair();\n    c.send(",
        "for (const [k, c] of entries) {\n    c.send(",
        "{ const { conn: c } = opts;\n    c.send(",
        "{ const {a, c} = opts;\n    c.send(",
    ):
        assert receivers(head + rebound, "send", language="typescript") == {}, rebound
        closed = head + rebound + ");\n  }\n}\n"
        doc = DocumentStore(REGISTRY).open("file:///w/main.ts", closed, "typescript", 1)
        assert doc.tree is not None
        at = closed.index("c.send(") + 2
        found = member_receivers("typescript", doc.tree, doc.data, at, (0, len(doc.data)), ["send"])
        assert found == {}, closed
    # A key of that name is no binding of it; a closed loop's is not the use's.
    for kept in (
        "{ const { c: d } = opts;\n    c.send(",
        "for (const [k, c] of entries) { log(c); }\n  c.send(",
    ):
        assert receivers(head + kept, "send", language="typescript") == {"send": "Connection"}, kept


def test_a_parameter_declared_again_in_thousands_of_closed_loops_takes_no_time() -> None:
    """Each ``const c`` between the parameter and the use is a node looked up (is it in a loop
    closed before the use?): 5,000 of them took 10 ms of CPU a request; past 48 the name is
    taken as declared again, of no class said."""
    loops = "  for (const c of xs) { f(c); }\n" * 5000
    text = "function run(c: Connection) {\n" + loops + "  c.send("
    doc = DocumentStore(REGISTRY).open("file:///w/main.ts", text, "typescript", 1)
    assert doc.tree is not None
    at, tree = len(doc.data), doc.tree
    with ThreadCpu() as cpu:
        for _ in range(10):
            found = member_receivers("typescript", tree, doc.data, at, (at - 8000, at), ["send"])
            assert found == {}
    assert cpu.seconds < 0.04, cpu.seconds  # (~0.006 s; 0.1 looking at each)


def test_typescript_a_parameter_of_another_function_is_not_the_local() -> None:
    text = "function a(conn: Connection) {}\nfunction b(conn) {\n  conn.send();\n}\n"
    assert receivers(text, "send", language="typescript") == {}


DEFAULTS = [
    ("function run(opts) {\n  const { conn = new Conn() } = opts;\n  ", "Conn"),
    ("function run(opts) {\n  const { a, conn = new Conn('h', f(1)), b } = opts;\n  ", "Conn"),
    ("function run(opts) {\n  const { c: conn = new Conn() } = opts;\n  ", "Conn"),
    ("function run(opts) {\n  let [a = 1, conn = new Conn()] = opts;\n  ", "Conn"),
    ("function run(opts) {\n  const { conn = makeConn() } = opts;\n  ", None),
    ("function run(opts) {\n  const { conn = a ? new Conn() : new Tls() } = opts;\n  ", None),
    ("function run({ conn = new Conn() } = {}) {\n  ", "Conn"),
    ("function run({ a, c: conn = new Conn() }, [x = 1]) {\n  ", "Conn"),
    ("function run([a, conn = new Conn()]) {\n  ", "Conn"),
    ("const run = ({ conn = new Conn() }) => {\n  ", "Conn"),
    ("function run({ conn = makeConn() } = {}) {\n  ", None),
    ("function run({ conn }) {\n  ", None),
    ("function run({ conn: { pool = new Conn() } }) {\n  ", None),
    ("function run(conn = new Conn()) {\n  ", "Conn"),
    # A default with brackets before the name's (a call's, an array's, an object's): the
    # pattern's { was read as the last bracket only, and the name had no class.
    ("function run(opts) {\n  const { t = ms(30), conn = new Conn() } = opts;\n  ", "Conn"),
    ("function run(opts) {\n  const { a = [1, 2], conn = new Conn() } = opts;\n  ", "Conn"),
    ("function run(opts) {\n  const { a = { x: 1 }, conn = new Conn() } = opts;\n  ", "Conn"),
    ("function run(opts) {\n  let [a = [0], conn = new Conn()] = opts;\n  ", "Conn"),
    ("function run(opts) {\n  f({ a: g(1), conn = new Conn() });\n  ", None),
    # A nested pattern's default is the name's too (its key is not).
    ("function run(opts) {\n  const { a: { conn = new Conn() } } = opts;\n  ", "Conn"),
    ("function run(opts) {\n  const { a: [x, conn = new Conn()] } = opts;\n  ", "Conn"),
    ("function run(opts) {\n  const { conn: { a = new Conn() } } = opts;\n  ", None),
    # A bracket in a default's string is no pattern's: the name had no class.
    ("function run(opts) {\n  const { label = 'a(b', conn = new Conn() } = opts;\n  ", "Conn"),
    ("function run(opts) {\n  const { label = \"x)\", conn = new Conn() } = opts;\n  ", "Conn"),
    ("function run(opts) {\n  const { l = `{`, conn = new Conn() } = opts;\n  ", "Conn"),
    ("function run(opts) {\n  const { conn = new Conn(')'), b } = opts;\n  ", "Conn"),
    ("function run(opts) {\n  const { conn = new Conn(\"]\"), b } = opts;\n  ", "Conn"),
    # A pattern over several lines, nested in it on a line of its own.
    ("function run(opts) {\n  const {\n    a,\n    conn = new Conn(),\n  } = opts;\n  ", "Conn"),
    ("function run(opts) {\n  const {\n    db: { conn = new Conn() },\n  } = opts;\n  ", "Conn"),
    ("function run(opts) {\n  const {\n    db: [a, conn = new Conn()],\n  } = opts;\n  ", "Conn"),
    ("function run(opts) {\n  const {\n    label = 'a(b',\n    db: {\n      conn = new Conn(),\n    },\n  } = opts;\n  ", "Conn"),
    # ... a block's own, as on one line: not the use's after the block.
    ("function run(opts) {\n  if (opts) {\n    const {\n      conn = new Conn(),\n    } = opts;\n  }\n  ", None),
    ("function run(opts) {\n  if (opts) {\n    const {\n      db: { conn = new Conn() },\n    } = opts;\n  }\n  ", None),
    # (An assignment in a call's arguments over lines is one.)
    ("function run(opts) {\n  let conn;\n  f(\n    conn = new Conn(),\n  );\n  ", "Conn"),
]


@pytest.mark.parametrize(("head", "expected"), DEFAULTS)
def test_javascript_destructuring_and_defaults(head: str, expected: str | None) -> None:
    """``const { conn = new Conn() } = opts``, ``function f({ conn = new Conn() } = {})``,
    ``function f(conn = new Conn())``: the default's class where it is a constructor's (not a
    call's, ``makeConn()``), in a closed function and in one whose ``}`` is not typed yet."""
    for language in ("javascript", "typescript"):
        assert at_end(head + "conn.", language) == expected, language
        closed = head + "conn.send();\n}\n"
        at = closed.index("conn.send(") + len("conn.")
        doc = DocumentStore(REGISTRY).open("file:///w/main.ts", closed, language, 1)
        assert doc.tree is not None
        found = member_receivers(language, doc.tree, doc.data, at, (0, len(doc.data)), ["send"])
        assert found == ({"send": expected} if expected else {}), language


def test_typescript_a_destructured_parameters_type() -> None:
    """``function f({ conn }: { conn: Conn })``: the object type's property says the class."""
    head = "function run({ a, conn }: { a: number; conn: Conn }) {\n  "
    assert at_end(head + "conn.", "typescript") == "Conn"
    assert at_end(head.replace("conn }", "conn = new Tls() }") + "conn.", "typescript") == "Conn"
    assert at_end(head.replace("conn: Conn", "conn?: Conn") + "conn.", "typescript") == "Conn"
    assert at_end(head.replace("conn: Conn", "b: Conn") + "conn.", "typescript") is None


def test_python_a_parameters_default() -> None:
    """``def run(conn=Connection())``: its default's class, as an annotation's."""
    assert at_end("def run(conn=Connection()):\n    conn.") == "Connection"
    assert at_end("def run(conn=None):\n    conn.") is None
    assert at_end("def run(conn: Pool = Connection()):\n    conn.") == "Pool"
    # A bracket in the constructor's string argument is none.
    assert at_end("def run(conn=Connection(\")\")):\n    conn.") == "Connection"


def test_javascript_a_jsdoc_param_type() -> None:
    text = (
        "class Help {\n"
        "  /**\n"
        "   * The visible subcommands.\n"
        "   *\n"
        "   * @param {Command} cmd\n"
        "   * @param {Option[]} options\n"
        "   * @returns {Command[]}\n"
        "   */\n\n"
        "  visibleCommands(cmd, options, other) {\n"
        "    options.at(0);\n"
        "    other.render();\n"
        "    return cmd._getHelpCommand();\n"
        "  }\n"
        "}\n"
    )
    # An array of options is no Option; a parameter the comment does not name has no class.
    assert receivers(text, "_getHelpCommand", "at", "render", language="javascript") == {
        "_getHelpCommand": "Command"
    }


def test_the_class_an_annotation_names() -> None:
    assert class_of_type("Optional[pool.Connection]") == "Connection"
    assert class_of_type("Client<string> | undefined") == "Client"
    assert class_of_type("'Pool'") == "Pool"
    assert class_of_type("Connection | Proxy") is None  # two classes: no guess
    assert class_of_type("{ send(): void }") is None
    assert class_of_type("Connection[]") is None


# ---------------------------------------------------------------- the definitions sent


def test_a_definition_knows_the_class_whose_body_holds_it() -> None:
    text = (
        "class Connection:\n"
        "    timeout: float = 5.0\n\n"
        "    def send(self, frame):\n"
        "        pass\n\n"
        "def send(frame):\n"
        "    pass\n"
    )
    doc = DocumentStore(REGISTRY).open("file:///w/conn.py", text, "python", 1)
    index = Indexer(REGISTRY).for_document(doc)
    assert index is not None
    owners = {(name, d.owner) for name, ds in index.definitions.items() for d in ds}
    assert ("send", "Connection") in owners and ("send", None) in owners
    assert ("timeout", "Connection") in owners
    assert ("Connection", None) in owners


def gather_at(
    root: Path, rel: str, text: str, symbols: WorkspaceSymbols, language: str
) -> list[Snippet]:
    """``gather`` with the cursor at the ``|`` in ``text``."""
    store = DocumentStore(REGISTRY)
    doc = store.open((root / rel).as_uri(), text.replace("|", ""), language, 1)
    offset = text.index("|")
    assert doc.language is not None and doc.tree is not None
    names = names_near(doc.language, doc.tree, doc.data, offset)
    req = ContextRequest(
        doc,
        offset,
        [],
        [],
        [root],
        DEFAULT_EXCLUDE,
        time.monotonic() + 5,
        open_uris=store,
        symbols=symbols,
    )
    return gather_snippets(Indexer(REGISTRY), req, (max(0, offset - 6000), offset + 2000), names)


SEND_FILES = {
    "net/connection.py": (
        "class Connection:\n"
        "    def send(self, frame: bytes, *, flush: bool = True) -> int:\n"
        "        return self._write(frame)\n"
    ),
    "mail/smtp.py": "class Mailer:\n    def send(self, message: str, to: list[str]) -> None:\n        pass\n",
    "queue/jobs.py": "class JobQueue:\n    def send(self, job: object, delay: float = 0.0) -> None:\n        pass\n",
}


def test_the_receivers_class_member_is_sent_where_three_files_define_the_name(
    tmp_path: Path,
) -> None:
    write(tmp_path, SEND_FILES)
    text = "def run(host):\n    conn = Connection(host)\n    conn.send("
    snippets = gather(tmp_path, "app/main.py", text, indexed(tmp_path, "app/main.py"))
    assert [s.text.splitlines()[0] for s in snippets] == [
        "def send(self, frame: bytes, *, flush: bool = True) -> int:"
    ], heads(snippets)
    assert snippets[0].path == "connection.py"
    # Untyped, no guess among the three.
    snippets = gather(
        tmp_path, "app/main.py", "def run(conn):\n    conn.send(", indexed(tmp_path, "app/main.py")
    )
    assert snippets == []


def test_a_field_of_a_receiver_whose_class_another_file_declares(tmp_path: Path) -> None:
    """``k.conn.send(`` where ``k``'s class is another file's: its class-level annotation (a
    definition in the index), or its short class's ``self.conn = Connection()``."""
    client = "class Client:\n    conn: Connection\n\n    def close(self): ...\n"
    pool = "class Pool:\n    def __init__(self):\n        self.conn = Connection()\n"
    write(tmp_path, {**SEND_FILES, "app/client.py": client, "app/pool.py": pool})
    for cls in ("Client", "Pool"):
        text = f"def run(k: {cls}):\n    k.conn.send("
        snippets = gather(tmp_path, "app/main.py", text, indexed(tmp_path, "app/main.py"))
        sent = [s.text.splitlines()[0] for s in snippets if "def send" in s.text]
        assert sent == ["def send(self, frame: bytes, *, flush: bool = True) -> int:"], heads(snippets)
    # Two levels down, both classes other files': ``app.k``'s, then ``k.conn``'s.
    app = "class App:\n    k: Client\n"
    write(tmp_path, {"app/app.py": app})
    text = "def run(app: App):\n    app.k.conn.send("
    snippets = gather(tmp_path, "app/main.py", text, indexed(tmp_path, "app/main.py"))
    sent = [s.text.splitlines()[0] for s in snippets if "def send" in s.text]
    assert sent == ["def send(self, frame: bytes, *, flush: bool = True) -> int:"], heads(snippets)


def test_a_typescript_field_two_levels_down_is_sent_once(tmp_path: Path) -> None:
    """``this.k.conn.``, ``k``'s class in another file: its field ``conn`` is in the class's
    snippet, and its own definition (the line without its ``;``) was sent again below it."""
    conn = "export class Connection {\n  send(frame: Uint8Array): number {\n    return 1;\n  }\n}\n"
    client = "export class Client {\n  conn: Connection = new Connection();\n}\n"
    write(tmp_path, {"lib/conn.ts": conn, "lib/client.ts": "import { Connection } from './conn';\n" + client})
    text = "import { Client } from './lib/client';\n\nclass App {\n  private k: Client = new Client();\n"
    text += "  go(): void {\n    this.k.conn."
    snippets = gather(tmp_path, "main.ts", text, indexed(tmp_path, "main.ts"), "typescript")
    field = "conn: Connection = new Connection()"
    assert sum(field in s.text for s in snippets) == 1, [s.text for s in snippets]
    assert any(s.text.startswith("class Client {") for s in snippets), heads(snippets)
    assert any("send(frame: Uint8Array)" in s.text for s in snippets), heads(snippets)


def test_after_a_receivers_dot_its_class_comes_first(tmp_path: Path) -> None:
    """``conn.|``: the member is still to be typed; the class's definition says which there are."""
    write(tmp_path, SEND_FILES)
    text = "def run(host):\n    conn = Connection(host)\n    conn."
    snippets = gather(tmp_path, "app/main.py", text, indexed(tmp_path, "app/main.py"))
    assert heads(snippets) == ["class Connection:"]
    assert "def send(self, frame: bytes" in snippets[0].text
    # Half typed, the same; a receiver the file says nothing of, nothing.
    snippets = gather(tmp_path, "app/main.py", text + "se", indexed(tmp_path, "app/main.py"))
    assert heads(snippets) == ["class Connection:"]
    assert (
        gather(
            tmp_path, "app/main.py", "def run(conn):\n    conn.", indexed(tmp_path, "app/main.py")
        )
        == []
    )


def test_a_member_the_class_inherits_is_its_bases(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            **SEND_FILES,
            "net/tls.py": "from net.connection import Connection\n\nclass TlsConnection(Connection):\n    def wrap(self):\n        pass\n",
        },
    )
    text = "from net.tls import TlsConnection\n\ndef run(conn: TlsConnection):\n    conn.send("
    snippets = gather(tmp_path, "app/main.py", text, indexed(tmp_path, "app/main.py"))
    sent = [s for s in snippets if "def send" in s.text]
    assert [s.path for s in sent] == ["connection.py"], heads(snippets)


@pytest.mark.parametrize("language", ["python", "typescript"])
def test_a_member_inherited_three_bases_up_is_its_bases(tmp_path: Path, language: str) -> None:
    """``self.send(`` in a class three bases below the one defining ``send``, each base in its
    own file (email.mime's MIMEImage -> MIMENonMultipart -> MIMEBase -> Message, asyncio's
    event loops): the bases were followed two up, and where other files define a ``send`` too
    none was sent."""
    if language == "python":
        chain = {
            **SEND_FILES,
            "net/tls.py": "from net.connection import Connection\n\nclass Tls(Connection):\n    def wrap(self):\n        pass\n",
            "net/dtls.py": "from net.tls import Tls\n\nclass Dtls(Tls):\n    def shake(self):\n        pass\n",
        }
        rel, text = "app/main.py", "from net.dtls import Dtls\n\nclass Quic(Dtls):\n    def run(self):\n        self.send(|)\n"
    else:
        chain = {
            "net/connection.ts": "export class Connection {\n  send(frame: Uint8Array, flush = true): number {\n    return 0;\n  }\n}\n",
            "mail/mailer.ts": "export class Mailer {\n  send(letter: string): void {}\n}\n",
            "jobs/queue.ts": "export class JobQueue {\n  send(job: object, delay = 0): void {}\n}\n",
            "net/tls.ts": "import { Connection } from './connection';\nexport class Tls extends Connection {\n  wrap(): void {}\n}\n",
            "net/dtls.ts": "import { Tls } from './tls';\nexport class Dtls extends Tls {\n  shake(): void {}\n}\n",
        }
        rel = "main.ts"
        text = "import { Dtls } from './net/dtls';\n\nclass Quic extends Dtls {\n  run(): void {\n    this.send(|);\n  }\n}\n"
    write(tmp_path, chain)
    snippets = gather_at(tmp_path, rel, text, indexed(tmp_path, rel), language)
    sent = [s.path for s in snippets if "send(" in s.text]
    assert sent == ["connection.py" if language == "python" else "connection.ts"], heads(snippets)


#: A class three bases below the one most of its members come from, each base in its own file.
SELF_CHAIN = {
    "python": {
        "net/connection.py": (
            "class Connection:\n"
            "    def send(self, frame: bytes) -> int:\n        return 0\n\n"
            "    def recv(self, size: int) -> bytes:\n        return b''\n"
        ),
        "net/tls.py": "from net.connection import Connection\n\nclass Tls(Connection):\n    def wrap(self):\n        pass\n",
        "net/dtls.py": "from net.tls import Tls\n\nclass Dtls(Tls):\n    def shake(self):\n        pass\n",
    },
    "typescript": {
        "net/connection.ts": (
            "export class Connection {\n  send(frame: Uint8Array): number {\n    return 0;\n  }\n\n"
            "  recv(size: number): Uint8Array {\n    return new Uint8Array(size);\n  }\n}\n"
        ),
        "net/tls.ts": "import { Connection } from './connection';\nexport class Tls extends Connection {\n  wrap(): void {}\n}\n",
        "net/dtls.ts": "import { Tls } from './tls';\nexport class Dtls extends Tls {\n  shake(): void {}\n}\n",
    },
}


@pytest.mark.parametrize("language", ["python", "typescript"])
@pytest.mark.parametrize("imported", [True, False], ids=["imported", "not-imported"])
def test_a_bare_self_dot_has_the_classes_bases_up_the_chain(tmp_path: Path, language: str, imported: bool) -> None:
    """``self.|`` in a class whose bases are other files': the members to be typed are most
    likely inherited (``send``, ``recv`` three up), and only the direct base's class came (from
    the name on the class's line). Its bases come, nearest first, whether the file imports the
    base or the workspace's symbol table alone names it."""
    write(tmp_path, SELF_CHAIN[language])
    if language == "python":
        rel, head = "app/main.py", "from net.dtls import Dtls\n\n" if imported else ""
        text = head + "class Quic(Dtls):\n    def run(self):\n        self.|\n"
    else:
        rel, head = "main.ts", "import { Dtls } from './net/dtls';\n\n" if imported else ""
        text = head + "class Quic extends Dtls {\n  run(): void {\n    this.|\n  }\n}\n"
    snippets = gather_at(tmp_path, rel, text, indexed(tmp_path, rel), language)
    # (Laid out by path; ranked nearest first.)
    ranked = sorted(snippets, key=lambda s: s.rank)
    classes = [s.path for s in ranked if s.text.lstrip().startswith(("class ", "export class "))]
    ext = rel.rsplit(".", 1)[1]
    assert classes[:3] == [f"dtls.{ext}", f"tls.{ext}", f"connection.{ext}"], heads(snippets)
    assert any("recv(" in s.text for s in snippets), heads(snippets)


async def test_the_prompt_at_a_bare_self_dot_carries_what_the_class_inherits(tmp_path: Path) -> None:
    """The completion feature's prompt at ``self.|``, the bases in files the document neither
    imports nor has open (found by the workspace's symbol table once crawled)."""
    write(tmp_path, SELF_CHAIN["python"])
    text = "class Quic(Dtls):\n    def run(self):\n        self."
    prompt = await prompt_after_crawl(tmp_path, tmp_path / "app" / "quic.py", text)
    extras = prompt[: prompt.index("# Path: app/quic.py")]
    for line in ("# class Dtls(Tls):", "# class Tls(Connection):", "#     def recv(self, size: int) -> bytes:"):
        assert line in extras, extras


def test_a_receivers_dot_has_its_class_then_its_bases(tmp_path: Path) -> None:
    """``conn.|`` after ``conn = Dtls()``: the class, then what it inherits."""
    write(tmp_path, SELF_CHAIN["python"])
    text = "from net.dtls import Dtls\n\ndef run():\n    conn = Dtls()\n    conn.|\n"
    snippets = gather_at(tmp_path, "app/main.py", text, indexed(tmp_path, "app/main.py"), "python")
    assert [s.path for s in sorted(snippets, key=lambda s: s.rank)][:3] == ["dtls.py", "tls.py", "connection.py"], heads(snippets)


def test_a_one_line_python_class_body_is_no_base(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``class AppError(Exception): pass``, ``class Marker: pass``, a one-word docstring: read
    as C#'s ``class A : Base``, ``pass`` (``Shut``) was a base looked for in the symbol table
    at each ``err.send(``."""
    asked: list[str] = []
    files_defining = WorkspaceSymbols.files_defining

    def spy(self: WorkspaceSymbols, name: str, language: str) -> list[Path]:
        asked.append(name)
        return files_defining(self, name, language)

    monkeypatch.setattr(WorkspaceSymbols, "files_defining", spy)
    errors = (
        "class AppError(Exception): pass\n\nclass Marker: pass\n\n"
        'class Closed(Exception): """Shut"""\n'
    )
    write(tmp_path, {**SEND_FILES, "app/errors.py": errors})
    for cls in ("AppError", "Marker", "Closed"):
        text = f"from app.errors import {cls}\n\ndef run(err: {cls}):\n    err.send("
        gather(tmp_path, "app/main.py", text, indexed(tmp_path, "app/main.py"))
        assert not {"pass", "Shut"} & set(asked), asked


def test_a_diamonds_member_is_the_one_pythons_method_resolution_order_finds(
    tmp_path: Path,
) -> None:
    """``Both(Left, Right)``, both from ``Base``: Python calls ``Right.send`` (C3: Both, Left,
    Right, Base); the bases walked depth first sent ``Base.send``, through ``Left``."""
    write(
        tmp_path,
        {
            "net/base.py": "class Base:\n    def send(self, frame: bytes) -> int:\n        return 0\n",
            "net/left.py": "from net.base import Base\n\nclass Left(Base):\n    def wrap(self):\n        pass\n",
            "net/right.py": "from net.base import Base\n\nclass Right(Base):\n    def send(self, frame: bytes, *, right: bool) -> int:\n        return 1\n",
            "net/both.py": "from net.left import Left\nfrom net.right import Right\n\nclass Both(Left, Right):\n    pass\n",
        },
    )
    text = "from net.both import Both\n\ndef run(conn: Both):\n    conn.send("
    snippets = gather(tmp_path, "app/main.py", text, indexed(tmp_path, "app/main.py"))
    sent = [line.strip() for s in snippets for line in s.text.splitlines() if "def send" in line]
    assert sent == ["def send(self, frame: bytes, *, right: bool) -> int:"], heads(snippets)
    # One line of bases: the nearest base's, as before.
    text = "from net.left import Left\n\ndef run(conn: Left):\n    conn.send("
    snippets = gather(tmp_path, "app/main.py", text, indexed(tmp_path, "app/main.py"))
    sent = [line.strip() for s in snippets for line in s.text.splitlines() if "def send" in line]
    assert sent == ["def send(self, frame: bytes) -> int:"], heads(snippets)


def test_the_receivers_class_wins_over_the_other_definitions_the_imports_bring(
    tmp_path: Path,
) -> None:
    """Both modules imported define a ``send``: the first two found were sent, whichever
    class's they were (the mailer's first, in the order of the imports)."""
    write(
        tmp_path,
        {"mail/smtp.py": SEND_FILES["mail/smtp.py"], "work/jobs.py": SEND_FILES["queue/jobs.py"]},
    )
    text = (
        "from mail import smtp\nfrom work import jobs\n\n\ndef run(q: jobs.JobQueue):\n    q.send("
    )
    snippets = gather(tmp_path, "app/main.py", text, indexed(tmp_path, "app/main.py"))
    sent = [line.strip() for s in snippets for line in s.text.splitlines() if "def send" in line]
    assert sent == ["def send(self, job: object, delay: float = 0.0) -> None:"], heads(snippets)


def test_a_class_in_an_excluded_file_is_not_read(tmp_path: Path) -> None:
    write(tmp_path, SEND_FILES)
    text = "def run(host):\n    conn = Connection(host)\n    conn.send("
    exclude = (*DEFAULT_EXCLUDE, "**/net/**")
    snippets = gather(
        tmp_path, "app/main.py", text, indexed(tmp_path, "app/main.py"), exclude=exclude
    )
    assert not any("frame: bytes" in s.text for s in snippets), heads(snippets)


def test_typescript_the_receivers_class_member_is_sent(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "src/net/connection.ts": "export class Connection {\n  send(frame: Uint8Array, flush = true): number {\n    return 0;\n  }\n}\n",
            "src/mail/mailer.ts": "export class Mailer {\n  send(message: string, to: string[]): void {}\n}\n",
            "src/jobs/queue.ts": "export class JobQueue {\n  send(job: unknown, delay = 0): void {}\n}\n",
        },
    )
    # The function closed after the cursor, as in an editor (unclosed, its tree is an error).
    text = "export function run(host: string) {\n  const conn = new Connection(host);\n  conn.send(|);\n}\n"
    snippets = gather_at(
        tmp_path, "src/app/main.ts", text, indexed(tmp_path, "src/app/main.ts"), "typescript"
    )
    sent = [s.text.splitlines()[0].strip() for s in snippets if "send(" in s.text]
    assert sent == ["send(frame: Uint8Array, flush = true): number {"], heads(snippets)


# ---------------------------------------------------------------- through the server

MAIN = "from net.connection import Connection\n\n\ndef deliver(host, payload):\n    conn = Connection(host)\n    conn.send("
OTHER = "class Other:\n    def send(self, letter: str, stamp: int) -> None:\n        pass\n"


async def test_the_prompt_carries_the_receivers_send_and_not_the_other_classes(
    tmp_path: Path,
) -> None:
    """Over stdio: ``send`` is defined in three files, two of them open in the editor; the
    prompt for ``conn.send(`` has Connection's and not Other's."""
    root = tmp_path / "ws"
    write(root, {**SEND_FILES, "post/other.py": OTHER, "app/main.py": MAIN})
    with FakeDeepSeek() as fake:
        fake.script("payload)")
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path / "state"))
        settings = {"completion": {"debounce": 0, "prefetch": False, "contextTimeoutMs": 600_000}}  # no time box: load-proof
        async with lsp_session(env, settings=settings, root=str(root)) as client:
            open_doc(client, (root / "post/other.py").as_uri(), OTHER)
            uri = (root / "app/main.py").as_uri()
            open_doc(client, uri, MAIN)
            assert (await table_of(client, 5))["files"] == 5
            prompt = await prompt_at_end(client, fake, uri, MAIN)
    assert "def send(self, frame: bytes, *, flush: bool = True) -> int:" in prompt
    assert "letter: str" not in prompt


COUNTER_GO = (
    "package main\n\ntype Counter struct {\n\tname  string\n\tcount int\n}\n\n"
    "func (c *Counter) Inc(step int) {\n\tc.count += step\n}\n"
)


async def prompts_while_typing(
    tmp_path: Path,
    files: dict[str, str],
    opened: list[tuple[str, str]],
    at: tuple[int, int],
    *typed: str,
    unsaved: dict[str, str] | None = None,
) -> list[str]:
    """The prompts of a request at ``at`` in the last of the ``opened`` files (name, language),
    then of one after each of ``typed``, typed there in turn, over stdio. ``unsaved``: an
    opened file's text in the editor, not yet saved over ``files``'."""
    root = tmp_path / "ws"
    write(root, files)
    uri = (root / opened[-1][0]).as_uri()
    with FakeDeepSeek() as fake:
        fake.responder(lambda body: "")
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path / "state"))
        settings = {"completion": {"debounce": 0, "prefetch": False, "contextTimeoutMs": 600_000}}  # no time box: load-proof
        async with lsp_session(env, settings=settings, root=str(root)) as client:
            for name, language in opened:
                text = (unsaved or {}).get(name, files[name])
                open_doc(client, (root / name).as_uri(), text, language)
            sources = sum(not name.endswith(".mod") for name in files)
            assert (await table_of(client, sources))["files"] == sources
            line, character = at
            await client.text_document_inline_completion_async(inline_params(uri, line, character))
            for version, text in enumerate(typed, start=2):
                insert(client, uri, version, line, character, text)
                last = text.split("\n")[-1]
                line, character = line + text.count("\n"), len(last) + (character if last == text else 0)
                await client.text_document_inline_completion_async(inline_params(uri, line, character))
            prompts = [r.json["prompt"] for r in fake.requests_to("/beta/completions")]
    assert len(prompts) == len(typed) + 1 and prompts[-1].endswith(typed[-1]), prompts
    return prompts


@pytest.mark.parametrize("member", ["", "In"])
async def test_a_receivers_dot_typed_after_a_request_in_the_function_sends_its_class(
    tmp_path: Path, member: str
) -> None:
    """Over stdio, as typed in VS Code: asked first on the new function's empty line, whose
    prompt's snippets are kept while the cursor stays there (for DeepSeek's prefix cache), then
    at ``c.`` with ``c := &Counter{}`` typed since: the prompt had no Counter at all, the
    snippets chosen before ``c`` was bound kept; now its fields and methods' signatures. So at
    ``c.In``, the request at ``c.`` gone before its prompt (typed on within the debounce): only
    a dot just typed had them chosen anew."""
    main = 'package main\n\nimport "fmt"\n\nfunc main() {\n\t\n\tfmt.Println("done")\n}\n'
    files = {"counter.go": COUNTER_GO, "main.go": main, "go.mod": "module demo\n"}
    typed = 'c := &Counter{name: "hits"}\n\tc.' + member
    prompts = await prompts_while_typing(tmp_path, files, [("main.go", "go")], (5, 1), typed)
    assert "// type Counter struct {" in prompts[1]
    assert "// func (c *Counter) Inc(step int)" in prompts[1]


@pytest.mark.parametrize("inc_in", ["counter.go", "counter_inc.go"])
async def test_a_go_method_the_structs_snippet_lists_is_in_the_prompt_once(
    tmp_path: Path, inc_in: str
) -> None:
    """At ``c.`` after ``c.Inc(1)``: Counter went with Inc's signature, and Inc's definition,
    a name near the cursor, went again (its first line twice in the prompt), Inc declared in
    Counter's file or in another file of its package."""
    main = 'package main\n\nimport "fmt"\n\nfunc main() {\n\t\n\tfmt.Println("done")\n}\n'
    struct, inc = COUNTER_GO.split("func (c *Counter) Inc")
    split = {"counter.go": struct, inc_in: "package main\n\nfunc (c *Counter) Inc" + inc}
    counter = {"counter.go": COUNTER_GO} if inc_in == "counter.go" else split
    files = {**counter, "main.go": main, "go.mod": "module demo\n"}
    typed = 'c := &Counter{name: "hits"}\n\tc.Inc(1)\n\tc.'
    prompts = await prompts_while_typing(tmp_path, files, [("main.go", "go")], (5, 1), typed)
    assert "// type Counter struct {" in prompts[1]
    assert prompts[1].count("func (c *Counter) Inc(step int)") == 1, prompts[1]


async def test_a_receivers_class_defined_in_another_unsaved_buffer_is_sent_at_its_dot(
    tmp_path: Path,
) -> None:
    """Counter written in counter.go's buffer, not saved yet (Go needs no import for its own
    package's types): the workspace's table, read from disk, has no Counter, and at ``c.``
    the snippets chosen before ``c`` was bound were kept (234a748 kept them where no file on
    disk, the document's definitions nor its imports had the name), the class never sent."""
    main = 'package main\n\nimport "fmt"\n\nfunc main() {\n\t\n\tfmt.Println("done")\n}\n'
    files = {"counter.go": "package main\n", "main.go": main, "go.mod": "module demo\n"}
    typed = 'c := &Counter{name: "hits"}\n\tc.'
    opened = [("counter.go", "go"), ("main.go", "go")]
    prompts = await prompts_while_typing(
        tmp_path, files, opened, (5, 1), typed, unsaved={"counter.go": COUNTER_GO}
    )
    assert "type Counter struct {" not in prompts[0]
    assert "type Counter struct {" in prompts[1]


async def test_a_receivers_dot_again_or_a_packages_dot_keeps_the_prompts_first_lines(
    tmp_path: Path,
) -> None:
    """At ``c.`` again on the next line, Counter's definition sent already, and at ``fmt.``, a
    package bound to no class, the snippets are kept, the prompt's first lines the same bytes
    (DeepSeek's prefix cache): chosen anew, they changed (``Inc``'s body, typed since, came in
    after the signature sent with Counter). At ``g.``, another class's receiver, they are
    chosen anew: Gauge's definition comes in."""
    main = 'package main\n\nimport "fmt"\n\nfunc main() {\n\t\n\tfmt.Println("done")\n}\n'
    gauge = "package main\n\ntype Gauge struct {\n\tlevel int\n}\n"
    files = {"counter.go": COUNTER_GO, "gauge.go": gauge, "main.go": main, "go.mod": "module demo\n"}
    typed = [
        'c := &Counter{name: "hits"}\n\tc.',
        "Inc(1)\n\tc.",
        "Inc(2)\n\tfmt.",
        "Println(c)\n\tg := &Gauge{level: 1}\n\tg.",
    ]
    prompts = await prompts_while_typing(tmp_path, files, [("main.go", "go")], (5, 1), *typed)
    heads = [p.split("// Path: main.go\n")[0] for p in prompts[1:]]
    assert "// func (c *Counter) Inc(step int)" in heads[0]
    assert heads[2] == heads[1] == heads[0], heads
    assert "// type Gauge struct {" in heads[3] and "// type Gauge struct {" not in heads[0]


async def test_a_receiver_retyped_at_the_same_dot_sends_the_new_ones_class(tmp_path: Path) -> None:
    """``c.`` taken back and ``g.`` typed in its place (``g`` bound since the snippets were
    chosen; its name as long as ``c``): the dot at the same offset was read as the one they
    were chosen at, and Gauge's definition, never sent, stayed out of the prompt while the
    cursor stayed near (up to CONTEXT_REUSE_S)."""
    root = tmp_path / "ws"
    main = 'package main\n\nimport "fmt"\n\nfunc main() {\n\t\n\tfmt.Println("done")\n}\n'
    gauge = "package main\n\ntype Gauge struct {\n\tlevel int\n}\n"
    write(root, {"counter.go": COUNTER_GO, "gauge.go": gauge, "main.go": main})
    uri = (root / "main.go").as_uri()
    with FakeDeepSeek() as fake:
        fake.responder(lambda body: "")
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path / "state"))
        settings = {"completion": {"debounce": 0, "prefetch": False, "contextTimeoutMs": 600_000}}  # no time box: load-proof
        async with lsp_session(env, settings=settings, root=str(root)) as client:
            open_doc(client, uri, main, "go")
            assert (await table_of(client, 3))["files"] == 3
            insert(client, uri, 2, 5, 1, 'c := &Counter{name: "hits"}\n\tc.')
            await client.text_document_inline_completion_async(inline_params(uri, 6, 3))
            insert(client, uri, 3, 6, 3, "Inc(1)\n\tg := &Gauge{level: 1}\n\tc.")
            await client.text_document_inline_completion_async(inline_params(uri, 8, 3))
            start, end = types.Position(line=8, character=1), types.Position(line=8, character=3)
            client.text_document_did_change(
                types.DidChangeTextDocumentParams(
                    text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=4),
                    content_changes=[
                        types.TextDocumentContentChangePartial(
                            range=types.Range(start=start, end=end), text="g."
                        )
                    ],
                )
            )
            await client.text_document_inline_completion_async(inline_params(uri, 8, 3))
            prompts = [r.json["prompt"] for r in fake.requests_to("/beta/completions")]
    assert len(prompts) == 3 and prompts[2].endswith("\tg."), prompts
    assert "// type Counter struct {" in prompts[1]
    assert "// type Gauge struct {" in prompts[2]


METER_PY = (
    "from helper import scale\n\n\nclass Meter:\n    def __init__(self) -> None:\n"
    "        self.total = 0.0\n\n    def add(self, value: float) -> None:\n        \n"
    "        self.total += value\n"
)


@pytest.mark.parametrize(
    "typed",
    [
        "v = value * FOOT\n        self.",
        "v = value * FOOT + 1.",
        "v = value * FOOT  # in feet.",
        "v = abs(value * FOOT).",
        "v = value * FOOT\n        math.",
    ],
    ids=["self", "float", "comment", "call", "module"],
)
async def test_a_dot_with_no_receivers_class_keeps_the_snippets_for_the_prefix_cache(
    tmp_path: Path, typed: str
) -> None:
    """A dot after which no receiver's class is sent (``self.``, whose class is the file's; a
    float's ``1.``; a comment's full stop; a call's ``).``; a module's, ``math.``) keeps the
    snippets chosen for the window: chosen anew at every such dot, the prompt's first lines
    changed (FOOT's definition, typed since, came in) and DeepSeek's prefix cache missed the
    whole prompt, on most lines of a method."""
    files = {
        "helper.py": "def scale(value: float, factor: float) -> float:\n    return value * factor\n",
        "main.py": METER_PY,
        "units.py": "FOOT = 0.3048\n",
    }
    opened = [("units.py", "python"), ("main.py", "python")]
    prompts = await prompts_while_typing(tmp_path, files, opened, (8, 8), typed)
    own = "# Path: main.py\n"
    assert "# def scale(" in prompts[0] and "FOOT = 0.3048" not in prompts[0]
    assert prompts[1].split(own)[0] == prompts[0].split(own)[0]


METER_JS = (
    'import { scale } from "./helper.js";\n\nexport class Meter {\n  add(value) {\n    \n'
    "    this.total += value;\n  }\n}\n"
)


@pytest.mark.parametrize("typed", ["JSON.", "Math.", "Object.ke", "console.lo"])
async def test_a_capitalised_global_the_file_does_not_import_keeps_the_snippets(
    tmp_path: Path, typed: str
) -> None:
    """JavaScript's ``JSON.``, ``Math.``, ``Object.`` name no class a file defines or the file
    imports: none is sent, yet the snippets were chosen anew at each such dot (a capital was
    taken for a class the receiver may be), the prompt's first lines changed (FOOT's
    definition, typed since, came in) and DeepSeek's prefix cache missed the whole prompt.
    ``console.``, bound to no class, is the control."""
    files = {
        "helper.js": "export function scale(value, factor) {\n  return value * factor;\n}\n",
        "main.js": METER_JS,
        "units.js": "export const FOOT = 0.3048;\n",
    }
    opened = [("units.js", "javascript"), ("main.js", "javascript")]
    line = f"const v = value * FOOT;\n    const s = {typed}"
    prompts = await prompts_while_typing(tmp_path, files, opened, (4, 4), line)
    own = "// Path: main.js\n"
    assert "function scale(" in prompts[0] and "FOOT = 0.3048" not in prompts[0]
    assert prompts[1].split(own)[0] == prompts[0].split(own)[0]


def test_the_receivers_are_not_read_once_the_time_box_is_over(tmp_path: Path) -> None:
    text = (
        "class Connection:\n    def send(self, frame: bytes) -> int:\n        return 0\n\n"
        "def run(host):\n    conn = Connection(host)\n    conn.send("
    )
    store = DocumentStore(REGISTRY)
    doc = store.open((tmp_path / "main.py").as_uri(), text, "python", 1)
    indexer = Indexer(REGISTRY)
    own = indexer.for_document(doc, deadline=time.monotonic() + 5)
    assert own is not None
    window = (0, len(doc.data))

    def typed(deadline: float) -> tuple[list[str], bool]:
        req = ContextRequest(
            doc, len(doc.data), [], [], [tmp_path], DEFAULT_EXCLUDE, deadline, open_uris=store
        )
        found, _ = receivers_members(
            indexer, req, own, [own], ["send"], window, tmp_path / "main.py", [tmp_path]
        )
        return list(found), req.cut_short

    assert typed(time.monotonic() + 5) == (["send"], False)
    assert typed(time.monotonic() - 1) == ([], True)


def test_a_receiver_in_a_comment_or_a_string_is_none() -> None:
    """``# then conn.`` is prose: the class's outline went first in the prompt all the same. An
    f-string's or a template's code is code."""
    store = DocumentStore(REGISTRY)
    head = "def run(conn: Connection):\n"
    # The text after the cursor (``|``) as an editor's auto-closing leaves it.
    cases = [
        ("python", "py", head + "    # then conn.|", None),
        ("python", "py", head + '    log("conn.|")', None),
        ("python", "py", head + '    log(f"{conn.|}")', "Connection"),
        ("python", "py", head + "    conn.|", "Connection"),
        ("typescript", "ts", "function run(conn: Connection) {\n  // conn.|\n}", None),
        ("typescript", "ts", "function run(conn: Connection) {\n  log('conn.|');\n}", None),
        ("typescript", "ts", "function run(conn: Connection) {\n  log(`${conn.|}`);\n}", "Connection"),
        # A regular expression's dot is any character: no member either.
        ("typescript", "ts", "function run(conn: Connection) {\n  const r = /conn.|/;\n}", None),
        ("javascript", "js", "function run(conn) {\n  conn = new Connection();\n  if (/^conn.|/.test(s)) {}\n}", None),
        ("typescript", "ts", "function run(conn: Connection) {\n  const r = /a\\/b/; conn.|\n}", "Connection"),
        # JSX's text is prose; its {…} is code.
        ("javascript", "jsx", "function View(conn) {\n  conn = new Connection();\n  return <p>Open conn.|</p>;\n}", None),
        ("javascript", "jsx", "function View(conn) {\n  conn = new Connection();\n  return <p>{conn.|}</p>;\n}", "Connection"),
        # No editor to close the quotes (Neovim's default): the parser finds no string there,
        # only its opening quote in an error.
        ("python", "py", head + '    log("see conn.|\n    return 1\n', None),
        ("python", "py", head + '    log(f"{x} see conn.|\n    return 1\n', None),
        ("python", "py", head + '    """Send it.\n\n    Then conn.|\n    return 1\n\n\ndef g():\n    pass\n', None),
        ("python", "py", head + '    log(f"{conn.|\n    return 1\n', "Connection"),
        # A quote in an f-string's closed {…} is code's, not the string's end: prose after it.
        ("python", "py", head + '    log(f"{d[\'k\']} see conn.|\n    return 1\n', None),
        ("python", "py", head + '    log(f"{d[\'k\']!r:>{w}} and {f\'{x}\'} conn.|\n', None),
        ("python", "py", head + '    log(f"{d[\'k\']} {conn.|\n    return 1\n', "Connection"),
        ("python", "py", head + '    s = "left open\n    conn.|\n    return 1\n', "Connection"),
    ]
    for i, (lang, ext, text, expected) in enumerate(cases):
        doc = store.open(f"file:///w/m{i}.{ext}", text.replace("|", ""), lang, 1)
        assert doc.tree is not None
        at = len(text[: text.index("|")].encode())
        assert receiver_at(lang, doc.tree, doc.data, at) == expected, text


STRONG_REF_H = """#pragma once

// Class to test operator casting an object to PyObject*
class StrongRef
{
public:
    StrongRef(PyObject *obj) : m_obj(obj) {
        Py_INCREF(this->m_obj);
    }

    ~StrongRef() {
        Py_DECREF(this->m_obj);
    }

    // Cast to PyObject*: get a borrowed reference
    inline operator PyObject*() const { return this->m_obj; }

private:
    PyObject *m_obj;  // Strong reference
};
"""
WORD_LIST_H = "typedef struct word_list {\n\tstruct word_list *next;\n\tWORD_DESC *word;\n} WORD_LIST;\n"
CASCADE_RB = (
    "module Rack\n  class Cascade\n    attr_reader :apps\n\n    def initialize(apps)\n"
    "      @apps = apps\n    end\n\n    def add(app)\n      @apps << app\n    end\n  end\nend\n"
)


@pytest.mark.parametrize(
    ("language", "files", "typed", "expected"),
    [
        (
            "cpp",
            {
                "strong_ref.h": STRONG_REF_H,
                "use.cpp": '#include "strong_ref.h"\n\nstatic void use(PyObject *obj)\n{\n    \n}\n',
            },
            "StrongRef ref(obj);\n    ref.",
            "class StrongRef",
        ),
        (
            "cpp",
            {
                "strong_ref.h": STRONG_REF_H,
                "use.cpp": '#include "strong_ref.h"\n\nstatic void use(PyObject *obj)\n{\n    \n}\n',
            },
            "StrongRef *ref = new StrongRef(obj);\n    ref->",
            "class StrongRef",
        ),
        (
            "c",
            {
                "words.h": WORD_LIST_H,
                "count.c": '#include "words.h"\n\nint count(void *p)\n{\n\t\n}\n',
            },
            "WORD_LIST *list = p;\n\tlist->",
            "typedef struct word_list",
        ),
        (
            "ruby",
            {
                "cascade.rb": CASCADE_RB,
                "app.rb": 'require_relative "cascade"\n\ndef build(apps)\n  \nend\n',
            },
            "cascade = Rack::Cascade.new(apps)\n  cascade.",
            "class Cascade",
        ),
        (
            "kotlin",
            {
                "Counter.kt": "package demo\n\nclass Counter(val name: String) {\n    fun inc(step: Int) {}\n}\n",
                "use.kt": "package demo\n\nfun main() {\n    \n}\n",
            },
            'val c = Counter("hits")\n    c.',
            "class Counter",
        ),
    ],
)
async def test_a_receivers_class_is_sent_at_its_dot_in_languages_of_declared_types(
    tmp_path: Path, language: str, files: dict[str, str], typed: str, expected: str
) -> None:
    """Over stdio, as typed in Neovim: asked on the function's empty line first (no class near),
    then at the receiver's dot or arrow with its declaration typed since, the class in a header
    or file the document includes or requires, or Kotlin's own package's. The snippets chosen on
    the empty line were kept at the dot (no receivers read in C, C++, Ruby or Kotlin), the class
    never sent while the cursor stayed near (up to 30 s). (PHP's ``use App\\Mailer;`` brings the
    class at once.)"""
    name = next(n for n in files if n.startswith(("use.", "count.", "app.")))
    line = files[name].count("\n") - 2
    column = len(files[name].split("\n")[line])
    prompts = await prompts_while_typing(tmp_path, files, [(name, language)], (line, column), typed)
    assert expected not in prompts[0]
    assert expected in prompts[1]


@pytest.mark.parametrize(
    ("language", "files", "typed"),
    [
        (
            "python",
            {"shapes/meter.py": "class Ölçer:\n    def ölç(self, x):\n        return x\n", "use.py": "def run():\n    \n"},
            "o = Ölçer()\n    o.",
        ),
        (
            "java",
            {
                "src/demo/Ölçer.java": "package demo;\n\npublic class Ölçer {\n  public int ölç(int x) { return x; }\n}\n",
                "src/demo/Use.java": "package demo;\n\nclass Use {\n  void run() {\n    \n  }\n}\n",
            },
            "Ölçer o = new Ölçer();\n    o.",
        ),
        (
            "kotlin",
            {
                "Ölçer.kt": "package demo\n\nclass Ölçer(val n: Int) {\n    fun ölç(x: Int) = x\n}\n",
                "use.kt": "package demo\n\nfun main() {\n    \n}\n",
            },
            "val ölç = Ölçer(1)\n    ölç.",
        ),
    ],
)
async def test_a_class_named_beyond_ascii_is_sent_at_its_receivers_dot(
    tmp_path: Path, language: str, files: dict[str, str], typed: str
) -> None:
    """Over stdio, as typed: asked on the function's empty line, then at the dot of a receiver
    of a class named beyond ASCII (``Ölçer``, a receiver ``ölç`` too): the class was no class
    to the receivers (``[A-Z]`` first), the snippets chosen on the empty line were kept, and
    ``class Ölçer`` never came while the cursor stayed near."""
    name = next(n for n in files if n.split("/")[-1].startswith(("use.", "Use.")))
    lines = files[name].split("\n")
    line = next(i for i, text in enumerate(lines) if text and not text.strip())
    column = len(lines[line])
    prompts = await prompts_while_typing(tmp_path, files, [(name, language)], (line, column), typed)
    assert "class Ölçer" not in prompts[0]
    assert "class Ölçer" in prompts[1], prompts[1]


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("c", "int f(struct builtin *b)\n{\n\treturn b->|", "builtin"),
        ("c", "int f(WORD_LIST *list)\n{\n\tfor (; list; list = list->|", "WORD_LIST"),
        ("cpp", "void f() {\n    const std::vector<int> &xs = g();\n    xs.|", "vector"),
        ("cpp", "void f(Conn *c) {\n    use(c);\n    return c;\n    c->|", "Conn"),
        ("cpp", "void f(Conn *c) {\n    c->next->|", None),
        ("cpp", "struct A { int n; int get() { return this->|", None),
        ("cpp", "void f(Conn *c) {\n    // see c.|", None),
        ("cpp", "void f(Conn *c) {\n    x = 2.|", None),
        # An operand of a product or a comparison is no type: the parameter's is.
        ("cpp", "void f(Vec w) {\n    Vec v = k * w;\n    w.|", "Vec"),
        ("cpp", "Vec f(Vec w) {\n    return k * w;\n    w.|", "Vec"),
        ("cpp", "void f(Vec w) {\n    ok = n > 1 && lo < w;\n    w.|", "Vec"),
        # A comparison's < and another's > around && or || are no template's brackets.
        ("cpp", "void f(Vec d) {\n    if (a < b && c > d) {}\n    d.|", "Vec"),
        ("cpp", "void f(Vec d) {\n    ok = x < 1 && y > d;\n    d.|", "Vec"),
        ("cpp", "void f() {\n    std::map<A, B&&> d;\n    d.|", "map"),
        # ... around && glued to the next operand, or C++'s alternative tokens and, or.
        ("cpp", "void f(Vec d) {\n    if (a < b &&c > d) {}\n    d.|", "Vec"),
        ("cpp", "void f(Vec d) {\n    if (a < b and c > d) {}\n    d.|", "Vec"),
        ("cpp", "void f(Vec d) {\n    if (a < b or c > d) {}\n    d.|", "Vec"),
        ("cpp", "void f() {\n    std::map<Band, Orchestra> d;\n    d.|", "map"),
        ("ruby", "def f\n  c = Rack::Cascade.new([])\n  c.|", "Cascade"),
        ("ruby", "def f\n  c = Cascade.new([])\n  @c.|", None),
        ("ruby", "def f\n  c = make\n  c.|", None),
        ("kotlin", 'fun f() {\n    val c = Counter("a")\n    c?.|', "Counter"),
        ("kotlin", "fun f(c: Counter?) {\n    c.in|", "Counter"),
        ("kotlin", "fun f() {\n    val c = Counter.create()\n    c.|", None),
        # A named argument is no declaration: the parameter's type holds.
        ("kotlin", "fun f(c: Conn) {\n    g(c = Counter(1))\n    c.|", "Conn"),
        ("kotlin", "fun f(c: Conn) {\n    g(1,\n      c = Counter(1))\n    c.|", "Conn"),
        ("swift", "func f(c: Conn) {\n    g(c: Counter(1))\n    c.|", "Conn"),
        ("kotlin", "fun f() {\n    var c: Conn? = null\n    c = Counter(1)\n    c.|", "Counter"),
        ("scala", "def f(): Unit = {\n  val c = new Counter(1)\n  c.|", "Counter"),
        ("swift", "func f() {\n    let c: Shapes.Counter = make()\n    c.|", "Counter"),
        ("swift", "func f() {\n    self.|", None),
        # Names beyond ASCII: a class's capital (``Ölçer``), a receiver's letters (``ölç``,
        # not ``er`` nor ``ç``'s last byte's ``o``); a class's own member (``Ölçer.``) no receiver's.
        ("cpp", "void f(Ölçer *ölç) {\n    ölç->|", "Ölçer"),
        ("cpp", "void f(Ölçer *o) {\n    ço = 1;\n    o->|", "Ölçer"),
        ("kotlin", "fun f() {\n    val ölç = Ölçer(1)\n    ölç.|", "Ölçer"),
        ("kotlin", "fun f() {\n    val o = ölçer(1)\n    o.|", None),
        ("kotlin", "fun f() {\n    Ölçer.|", None),
        ("ruby", "def f\n  o = Ölçer.new\n  o.ö|", "Ölçer"),
        ("lua", "local c = Cascade.new()\nc.|", None),
    ],
)
def test_the_declared_class_of_a_receiver_in_c_cpp_ruby_kotlin_scala_or_swift(
    language: str, text: str, expected: str | None
) -> None:
    """The key the snippets are chosen anew by at a receiver's dot: the class its nearest
    declaration names (a parameter's too; not ``return c;``, nor a factory's ``create``), none
    for a member's member,
    ``this``, a comment's full stop, a number, an instance variable, a value of no class said,
    nor in a language read neither here nor by the trees' receivers (Lua)."""
    assert key_at(language, text) == expected


def key_at(language: str, text: str) -> str | None:
    """``receiver_key`` of the member at the ``|`` in ``text`` (None where there is none)."""
    doc = DocumentStore(REGISTRY).open(f"file:///w/m.{language}", text.replace("|", ""), language, 1)
    assert doc.tree is not None
    member = member_at(language, doc.tree, doc.data, len(text[: text.index("|")].encode()))
    return receiver_key(language, doc.tree, doc.data, member) if member is not None else None


@pytest.mark.parametrize("space", ["\u00a0", "\u3000", "\u2009"])
def test_a_declared_receiver_after_a_unicode_space_has_its_class(space: str) -> None:
    """A no-break, ideographic or thin space before the receiver (pasted from a web page) ends
    the name before it as a space does: since 11af4c3 its bytes were read as the receiver's
    (``x =\u00a0c.``, ``val\u00a0c =``: no class), and ``Vec\u00a0*c`` gave ``Vec\u00a0``."""
    assert key_at("kotlin", f"fun f() {{\n    val c = Counter(1)\n    g({space}c.|") == "Counter"
    assert key_at("cpp", f"void f() {{\n    Vec *c = make();\n    x ={space}c->|") == "Vec"
    assert key_at("ruby", f"def f\n  c = Cascade.new([])\n  x ={space}c.|") == "Cascade"
    assert key_at("cpp", f"void f() {{\n    Vec{space}*c = make();\n    c->|") == "Vec"
    assert key_at("kotlin", f"fun f() {{\n    val{space}c = Counter(1)\n    c.|") == "Counter"


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("python", "def run():\n    e = Émile()\n    e.|", "Émile"),
        ("python", "def run(e: Émile):\n    e.grö|", "Émile"),
        ("python", "def run():\n    数据 = Ölçer()\n    数据.|", "Ölçer"),
        # A call of a name without a capital is a function's, beyond ASCII too.
        ("python", "def run():\n    e = émile()\n    e.|", None),
        ("python", "def run():\n    e = 数据()\n    e.|", None),
        ("javascript", "function run() {\n  const o = new Ölçer();\n  o.|", "Ölçer"),
        ("typescript", "function run(o: Ölçer) {\n  o.|", "Ölçer"),
        ("java", "class A {\n  void run() {\n    Ölçer o = new Ölçer();\n    o.|", "Ölçer"),
        ("csharp", "class A {\n  void Run() {\n    var o = new Ölçer();\n    o.|", "Ölçer"),
        ("go", "package m\n\nfunc run(o *Ölçer) {\n\to.Öl|", "Ölçer"),
        ("go", "package m\n\nfunc run() {\n\to := &net.Ölçer{}\n\to.|", "Ölçer"),
        ("rust", "fn run() {\n    let o = Ölçer::new();\n    o.|", "Ölçer"),
        ("rust", "fn run() {\n    let o = ölçer::new();\n    o.|", None),
        # A letter's marks are the name's: É written E + U+0301, Devanagari's vowel signs.
        ("javascript", "function run() {\n  const o = new E\u0301mile();\n  o.|", "E\u0301mile"),
        ("python", "def run():\n    o = Pe\u0301ri(1)\n    o.|", "Pe\u0301ri"),
        ("go", "package m\n\nfunc run() {\n\to := &नाम{}\n\to.|", "नाम"),
    ],
)
def test_a_class_named_beyond_ascii_is_its_receivers(language: str, text: str, expected: str | None) -> None:
    """The class of a receiver whose class is named beyond ASCII (``Émile()``, ``e: Émile``,
    ``new Ölçer()``, ``*Ölçer``, ``Ölçer::new()``), as its ASCII namesake's: names were read
    ``[A-Za-z_]`` first (``Émile`` no name) and a constructor's capital ``[A-Z]``."""
    assert key_at(language, text) == expected


# (डेटा's vowel signs and E + U+0301 are marks, which ``\\w`` is not: their names were cut.)
@pytest.mark.parametrize("name", ["olc", "ölç", "数据", "डेटा", "e\u0301te\u0301"])
def test_a_field_set_from_a_parameter_named_beyond_ascii_has_its_class(name: str) -> None:
    """``self.conn = ölç``, the parameter ``ölç: Conn``: its annotation says the field's class,
    as ``olc``'s does (a parameter's name was read ``[A-Za-z_]`` first: no name)."""
    text = (
        f"class A:\n    def __init__(self, {name}: Conn):\n        self.conn = {name}\n\n"
        "    def go(self):\n        self.conn.|"
    )
    doc = DocumentStore(REGISTRY).open("file:///w/m.py", text.replace("|", ""), "python", 1)
    assert doc.tree is not None
    member = member_at("python", doc.tree, doc.data, len(text[: text.index("|")].encode()))
    assert class_of_member("python", doc.tree, doc.data, member) == "Conn"


@pytest.mark.parametrize(
    ("language", "declaration", "line", "dot", "expected"),
    [
        ("c", "Conn *p = get();", "int all[] = {" + "p, " * 3000 + "};", "p->", "Conn"),
        ("cpp", "Conn *p = get();", "bool x = a <" + " p," * 3000 + ";", "p->", "Conn"),
        ("ruby", "p = Conn.new", "all = [" + "p, " * 3000 + "]", "p.", "Conn"),
        ("kotlin", "val p = Conn()", "val all = listOf(" + "p, " * 3000 + ")", "p.", "Conn"),
        # Each use may be a declaration's (``a & p``): the nearest 64 are read, no more.
        ("cpp", "Conn *p = get();", "x = p->a" + " & p->a" * 3000 + ";", "p->", None),
    ],
)
def test_a_long_line_of_the_receivers_uses_costs_little_at_its_dot(
    language: str, declaration: str, line: str, dot: str, expected: str | None
) -> None:
    """A generated table's line naming the receiver thousands of times (9 kB here, up to the
    32 kB looked back): the declaration's pattern ran over the whole line once for each use,
    and ``a <`` sent its template's ``<[^;]*>`` to the line's end at every word: 2-31 s of
    the event loop at one new dot. Its declaration above the line is still found."""
    text = f"void f(void) {{\n    {declaration}\n    {line}\n    {dot}"
    doc = DocumentStore(REGISTRY).open(f"file:///w/m.{language}", text, language, 1)
    assert doc.tree is not None
    member = member_at(language, doc.tree, doc.data, len(doc.data))
    assert member is not None
    with ThreadCpu() as cpu:
        key = receiver_key(language, doc.tree, doc.data, member)
    assert cpu.seconds < 0.05, cpu.seconds
    assert key == expected


LAYERS_PY = (
    "from net.connection import Connection\n\n\nclass Client:\n    def __init__(self):\n"
    "        self.conn = Connection()\n\n\nclass App:\n    def __init__(self):\n"
    "        self.k = Client()\n\n\nclass Holder: conn = Connection()\n"
)
SHELL_PY = (
    "from app.layers import App\n\n\nclass Shell:\n    def __init__(self):\n"
    "        self.app = App()\n\n    def go(self):\n        "
)
DOTS_OVER_STDIO = {
    "three levels": ("main.py", SHELL_PY + "self.app.k.conn."),
    "beyond ascii": (
        "main.py",
        "from app.layers import App\n\n\ndef run(数据: App):\n    数据.k.conn.",
    ),
    "one-line class": (
        "main.py",
        "from app.layers import Holder\n\n\ndef run(h: Holder):\n    h.conn.",
    ),
}


@pytest.mark.parametrize("case", list(DOTS_OVER_STDIO))
async def test_the_prompt_at_a_receivers_dot_carries_its_class(tmp_path: Path, case: str) -> None:
    """Over stdio, the prompt at the dot (invoked) holds the receiver's class from another file,
    where nothing else would bring it: ``self.app.k.conn.`` (three fields' classes in turn,
    two of them another file's), ``数据.k.conn.`` (a receiver named beyond ASCII), ``h.conn.``
    (``class Holder: conn = Connection()``, a one-line class body, in another file: its
    field's line once)."""
    name, text = DOTS_OVER_STDIO[case]
    root = tmp_path / "ws"
    files = {"net/connection.py": SEND_FILES["net/connection.py"], "app/layers.py": LAYERS_PY}
    write(root, {**files, name: text})
    with FakeDeepSeek() as fake:
        fake.script("send(b'')")
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path / "state"))
        settings = {"completion": {"debounce": 0, "prefetch": False, "contextTimeoutMs": 600_000}}  # no time box: load-proof
        async with lsp_session(env, settings=settings, root=str(root)) as client:
            uri = (root / name).as_uri()
            open_doc(client, uri, text)
            assert (await table_of(client, 3))["files"] == 3
            prompt = await prompt_at_end(client, fake, uri, text)
    assert "def send(self, frame: bytes, *, flush: bool = True) -> int:" in prompt, prompt
    # Each line once: Holder's field was sent again above its one-line class, which shows it.
    sent = [line for line in prompt.split(f"# Path: {name}\n")[0].splitlines() if line != "# "]
    assert len(sent) == len(set(sent)), prompt
    assert sum("conn = Connection()" in line for line in sent) <= 1, prompt


SEND_FILES_JS = {
    "net/connection.js": (
        "export class Connection {\n  send(frame, flush = true) {\n    return 0;\n  }\n}\n"
    ),
    "mail/mailer.js": "export class Mailer {\n  send(letter, stamp) {\n    return stamp;\n  }\n}\n",
    "jobs/queue.js": (
        "export class JobQueue {\n  send(job, delay = 0) {\n    return delay;\n  }\n}\n"
    ),
}


@pytest.mark.parametrize(
    "head",
    [
        "export function run({ conn = new Connection() } = {}) {\n",
        "export function run(opts) {\n  const { conn = new Connection() } = opts;\n",
    ],
    ids=["parameter", "declaration"],
)
async def test_a_destructured_defaults_class_is_sent_over_stdio(tmp_path: Path, head: str) -> None:
    """``send`` defined in three files, Mailer's open in the editor: at ``conn.send(``, ``conn``
    a destructured name whose default is a ``new Connection()``, the prompt has Connection's
    ``send`` and not Mailer's."""
    root = tmp_path / "ws"
    text = "import { Connection } from './net/connection.js';\n\n" + head + "  conn.send("
    write(root, {**SEND_FILES_JS, "main.js": text})
    with FakeDeepSeek() as fake:
        fake.script("frame)")
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path / "state"))
        settings = {"completion": {"debounce": 0, "prefetch": False, "contextTimeoutMs": 600_000}}  # no time box: load-proof
        async with lsp_session(env, settings=settings, root=str(root)) as client:
            mailer = "mail/mailer.js"
            open_doc(client, (root / mailer).as_uri(), SEND_FILES_JS[mailer], "javascript")
            uri = (root / "main.js").as_uri()
            open_doc(client, uri, text, "javascript")
            assert (await table_of(client, 4))["files"] == 4
            prompt = await prompt_at_end(client, fake, uri, text)
    assert "send(frame, flush = true)" in prompt, prompt
    assert "letter, stamp" not in prompt, prompt


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # Unpacked into it after: its class is the pair's, unknown (Connection was said).
        ("    conn, other = pair()\n", None),
        ("    (conn, other) = pair()\n", None),
        ("    [other, conn] = pair()\n", None),
        ("    other, conn = pair()\n", None),  # (found before)
        # Controls: passed to a call over lines, then a keyword argument; another unpacked.
        ("    send(\n        conn, retries=3)\n", "Connection"),
        ("    other, more = pair()\n", "Connection"),
    ],
)
def test_python_a_receiver_unpacked_into_again_has_no_earlier_class(body: str, expected: str | None) -> None:
    assert at_end("def run():\n    conn = Connection()\n" + body + "    conn.") == expected


@pytest.mark.parametrize("below", ["", "\n\ndef main():\n    Quic().run()\n"], ids=["file-end", "function-below"])
async def test_a_bare_self_dot_on_a_new_last_line_of_a_class_has_its_bases(tmp_path: Path, below: str) -> None:
    """Over stdio, as typed: asked first on the empty line opened below a class's last method
    (its snippets kept while the cursor stays), then at ``self.`` typed there. That empty line is
    past the class in the tree, the class was not read there: the bases never came, and the
    prompt at the bare ``self.`` (chosen for it) lacked ``recv`` (three bases up)."""
    quic = "import os\n\nfrom net.dtls import Dtls\n\n\nclass Quic(Dtls):\n    def run(self, data):\n        x = os.getpid()\n        \n" + below
    files = {**SELF_CHAIN["python"], "app/quic.py": quic}
    prompts = await prompts_while_typing(tmp_path, files, [("app/quic.py", "python")], (8, 8), "self.")
    extras = prompts[-1][: prompts[-1].index("# Path: app/quic.py")]
    for line in ("# class Tls(Connection):", "#     def recv(self, size: int) -> bytes:"):
        assert line in extras, extras
