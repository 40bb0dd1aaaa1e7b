"""Known misses of the receivers' classes (``context.receivers``, ``declared_types``,
``typed_bindings``): a C++ call's comparisons read as a template, casts to a class named beyond
ASCII, a class named with a titlecase digraph (U+01C5), an aliased import's name looked up as
a class of its own."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_context_receivers import key_at
from tests.test_context_receivers_typed import receiver
from tests.test_workspace_symbols import gather, write


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Two comparisons as a call's arguments: no template's brackets around ``b, c``.
        ("void f(Vec d) {\n    g(a < b, c > d);\n    d.|", "Vec"),
        ("void f(Vec d) {\n    g(x, a < b, c > d);\n    d.|", "Vec"),
        # Controls: templates, written tight or spaced on one side.
        ("void f() {\n    std::map<A, B> d;\n    d.|", "map"),
        ("void f(std::map<A, B> d) {\n    d.|", "map"),
        ("void f() {\n    std::vector <int> d;\n    d.|", "vector"),
        ("void f() {\n    std::map< A, B > d;\n    d.|", "map"),
    ],
)
def test_a_calls_comparisons_are_no_template(text: str, expected: str) -> None:
    assert key_at("cpp", text) == expected


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("java", "class A {\n  void run(Object o) {\n    var c = (Ölçer) o;\n    c.send(|);\n  }\n}\n", "Ölçer"),
        ("java", "class A {\n  void run(Object o) {\n    var c = (net.Ölçer) pool.take(o);\n    c.send(|);\n  }\n}\n", "Ölçer"),
        ("csharp", "class A {\n  void Run(object o) {\n    var c = o as Ölçer;\n    c.Send(|);\n  }\n}\n", "Ölçer"),
        ("csharp", "class A {\n  void Run(object o) {\n    var c = (Ölçer)o;\n    c.Send(|);\n  }\n}\n", "Ölçer"),
        # Controls: a lower-case name beyond ASCII is no class; a bracketed value no cast.
        ("java", "class A {\n  void run(Object o) {\n    var c = (ölçer) o;\n    c.send(|);\n  }\n}\n", None),
        ("csharp", "class A {\n  void Run(object o) {\n    var c = (ölçü) - 1;\n    c.Send(|);\n  }\n}\n", None),
    ],
)
def test_a_cast_to_a_class_named_beyond_ascii(language: str, text: str, expected: str | None) -> None:
    assert receiver(language, text) == expected


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("kotlin", "fun f() {\n    val c = ǅemo(1)\n    c.|", "ǅemo"),
        ("python", "def f():\n    c = ǅemo()\n    c.|", "ǅemo"),
        ("java", "class A {\n  void run(Object o) {\n    var c = (ǅemo) o;\n    c.|", "ǅemo"),
        # A class's own member (``ǅemo.``): the class as written, as ``Demo.``.
        ("python", "def f():\n    ǅemo.|", "ǅemo"),
    ],
)
def test_a_class_named_with_a_titlecase_digraph(language: str, text: str, expected: str) -> None:
    """U+01C5 (ǅ) is titlecase, not upper case: ``str.isupper`` said no class."""
    assert key_at(language, text) == expected


def test_an_aliased_imports_class_is_its_original(tmp_path: Path) -> None:
    """``from .conn import Connection as C``: ``C()``'s receiver is a Connection; the folder's
    other file defining a class ``C`` of its own was sent instead."""
    write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/conn.py": "class Connection:\n    def send(self, data: bytes) -> int:\n        return 0\n",
            "pkg/other.py": "class C:\n    def wrong(self) -> None:\n        pass\n",
        },
    )
    text = "from .conn import Connection as C\n\n\ndef run():\n    c = C()\n    c."
    sent = "\n".join(s.text for s in gather(tmp_path, "pkg/main.py", text, None))
    assert "def send(self, data: bytes) -> int" in sent, sent
    assert "def wrong" not in sent, sent


@pytest.mark.parametrize(
    ("language", "files", "use", "text"),
    [
        (
            "kotlin",
            {
                "src/app/Mailer.kt": "package app\n\nclass Mailer {\n    fun local(): Int = 0\n}\n",
                "src/queue/Mailer.kt": "package queue\n\nclass Mailer {\n    fun enqueue(job: String): Int = 1\n}\n",
            },
            "src/app/Use.kt",
            "package app\n\nimport queue.Mailer as QMailer\n\nfun main() {\n    val m = QMailer()\n    m.",
        ),
        (
            "php",
            {
                "src/App/Mailer.php": "<?php\nnamespace App;\n\nclass Mailer {\n    public function local(): int { return 0; }\n}\n",
                "src/Queue/Mailer.php": "<?php\nnamespace Queue;\n\nclass Mailer {\n    public function enqueue(string $job): int { return 1; }\n}\n",
            },
            "src/App/Use.php",
            "<?php\nnamespace App;\n\nuse Queue\\Mailer as QMailer;\n\nfunction main() {\n    $m = new QMailer();\n    $m->",
        ),
    ],
)
def test_an_aliased_imports_original_is_not_the_folders_type_of_that_name(
    tmp_path: Path, language: str, files: dict[str, str], use: str, text: str
) -> None:
    """``import queue.Mailer as QMailer`` in package app: ``QMailer`` is queue's Mailer; the
    file beside the document named after the original (app/Mailer.kt, the package's own
    Mailer) is another class, and was read and sent for it."""
    write(tmp_path, files)
    sent = "\n".join(s.text for s in gather(tmp_path, use, text, None, language=language))
    assert "local()" not in sent, sent
