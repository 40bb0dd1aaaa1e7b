"""The CPU a completion request's receivers take (``member_receivers`` and ``receiver_at``,
``context/receivers.py``) on a generated ~100 kB file per language (not part of the test run).

Each file is one class of ~1,000 methods, each using a local (``c.send``), a field on
``self``/``this`` (``this.conn.flush``) and a parameter (``a.take``), then a last method with the
cursor after ``k.conn.`` (``k`` a parameter of the class's type). ``closed``: the file's braces
closed after the cursor; ``open``: not typed yet (the tree an error around the cursor). Each
request's receivers are read 200 times, a new document version each (the kept layout of an
unclosed class's error cleared), and the mean CPU of this thread is printed with the classes
found.

    PYTHONPATH=server python tests/bench/bench_receivers.py

Run it with ``PYTHONPATH`` pointing at the tree to measure. On a shared machine the figures move
by ~20 % from run to run.
"""

from __future__ import annotations

import time

from deepseek_lsp.context import class_fields
from deepseek_lsp.context.receivers import member_receivers, receiver_at
from deepseek_lsp.documents import DocumentStore
from tests.test_workspace_symbols import REGISTRY

#: By language: the file's extension, its head, a method (``{i}`` its number), the last method
#: up to the cursor, and what closes it.
LANGUAGES: dict[str, tuple[str, str, str, str, str]] = {
    "python": (
        "py",
        "class Client:\n    def __init__(self):\n        self.conn = Conn()\n\n",
        "    def m{i}(self, a: Pool):\n        c = Conn(a)\n        c.send(a)\n"
        "        self.conn.flush(a)\n        a.take()\n\n",
        "    def last(self, k: Client):\n        k.conn.",
        "",
    ),
    "typescript": (
        "ts",
        "class Client {\n  conn: Conn = new Conn();\n",
        "  m{i}(a: Pool) {{\n    const c = new Conn(a);\n    c.send(a);\n"
        "    this.conn.flush(a);\n    a.take();\n  }}\n",
        "  last(k: Client) {\n    k.conn.",
        "\n  }\n}\n",
    ),
    "go": (
        "go",
        "package m\n\ntype Client struct {\n\tconn *Conn\n}\n\n",
        "func (k *Client) M{i}(a *Pool) {{\n\tc := &Conn{{}}\n\tc.Send(a)\n"
        "\tk.conn.Flush(a)\n\ta.Take()\n}}\n\n",
        "func (k *Client) Last() {\n\tk.conn.",
        "\n}\n",
    ),
    "java": (
        "java",
        "class Client {\n  private Conn conn;\n",
        "  void m{i}(Pool a) {{\n    Conn c = new Conn(a);\n    c.send(a);\n"
        "    this.conn.flush(a);\n    a.take();\n  }}\n",
        "  void last(Client k) {\n    k.conn.",
        "\n  }\n}\n",
    ),
    "rust": (
        "rs",
        "struct Client {\n    conn: Conn,\n}\n\nimpl Client {\n",
        "    fn m{i}(&self, a: &Pool) {{\n        let c = Conn::new(a);\n        c.send(a);\n"
        "        self.conn.flush(a);\n        a.take();\n    }}\n",
        "    fn last(&self, k: &Client) {\n        k.conn.",
        "\n    }\n}\n",
    ),
}
LANGUAGES["csharp"] = ("cs", *LANGUAGES["java"][1:])

MEMBERS = ["send", "flush", "take", "Send", "Flush", "Take"]


def main(size: int = 100_000, reps: int = 200) -> None:
    store = DocumentStore(REGISTRY)
    for lang, (ext, head, method, last, close) in LANGUAGES.items():
        parts = [head]
        while sum(map(len, parts)) < size:
            parts.append(method.format(i=len(parts)))
        body = "".join(parts) + last
        for closed in (True, False):
            text = body + (close if closed else "")
            doc = store.open(f"file:///w/{lang}{closed}.{ext}", text, lang, 1)
            assert doc.tree is not None
            cursor = len(body.encode())
            window = (max(0, cursor - 8000), min(len(doc.data), cursor + 2000))
            began = time.thread_time()
            for _ in range(reps):
                class_fields._LAST_LAYOUT.clear()  # (a new document version each request)
                found = member_receivers(lang, doc.tree, doc.data, cursor, window, MEMBERS)
                at = receiver_at(lang, doc.tree, doc.data, cursor)
            ms = (time.thread_time() - began) / reps * 1000
            state = "closed" if closed else "open"
            size_kb = len(doc.data) // 1000
            print(f"{lang:10} {state:6} {size_kb} kB {ms:.3f} ms  {found} k.conn.: {at}")


if __name__ == "__main__":
    main()
