"""A half-typed name brings the definitions it may become (``context.prefix``): typing
``retry_`` (a function of a sourced shell file, of an imported module, of another open file)
the prompt had its definition only once the name was whole, and the model invented the name or
its arguments (found in a scripted Neovim session writing shell)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types

from deepseek_lsp.completion import prompting
from deepseek_lsp.completion.request import Request
from deepseek_lsp.context import Indexer
from deepseek_lsp.context.prefix import (
    MAX_PREFIX_NAMES,
    prefix_at,
    prefix_candidates,
    typed_word,
    with_prefix,
)
from deepseek_lsp.context.receivers import member_at
from deepseek_lsp.context.scopes import names_near
from deepseek_lsp.context.snippets import ContextRequest, Snippet, gather_snippets
from deepseek_lsp.documents import DocumentStore
from deepseek_lsp.workspace_symbols import _MERGE_AFTER, WorkspaceSymbols
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import eventually, inline_params, insert, lsp_session, open_doc, server_env
from tests.test_completion_units import _feature_for_prompts
from tests.test_context_prompts import REGISTRY, gather, write_files
from tests.test_context_receivers import prompts_while_typing
from tests.test_context_shell_sources import LIB

HELPERS = "def retry_fetch(url, attempts=3):\n    return url\n\n\ndef render(page):\n    return page\n"


def test_the_word_the_cursor_ends_and_whether_it_follows_a_receiver() -> None:
    assert typed_word(b"x = ret", 7) == ("ret", False)
    assert typed_word(b"helpers.re", 10) == ("re", True)
    assert typed_word(b"c->se", 5) == ("se", True)
    assert typed_word(b"Mod::ne", 7) == ("ne", True)
    assert typed_word(b"x = retry(a)", 9) == ("retry", False)  # inside: the part before
    assert typed_word(b"n = 42", 6) == ("", False)
    assert typed_word(b"x = ", 4) == ("", False)
    assert typed_word("s = größ".encode(), len("s = größ".encode())) == ("größ", False)


def test_the_word_read_once_says_whether_only_members_are_meant(tmp_path: Path) -> None:
    """After ``.`` or ``->`` a member (a class's definitions only); after ``::`` a module's
    name too; read with the word, in one look back from the cursor."""
    for text, language, expected in (
        ("x = helpers.re", "python", ("re", True)),
        ("int f() { c->se", "c", ("se", True)),
        ("fn f() { Mod::ne", "rust", ("ne", False)),
        ("x = retr", "python", ("retr", False)),
    ):
        doc = DocumentStore(REGISTRY).open((tmp_path / f"s.{language}").as_uri(), text, language, 1)
        assert prefix_at(doc, len(doc.data)) == expected, text


def test_one_predicate_says_where_a_half_typed_word_is_looked_up(tmp_path: Path) -> None:
    """gather_snippets and the check of the snippets kept ask the same question
    (``prefix_looked_up``): not at a module's dot (``json.du``), nor where the dot's members
    are sent; elsewhere the word is looked up (``report.du``, ``dum``)."""
    from deepseek_lsp.context.index import index_tree
    from deepseek_lsp.context.lookup import prefix_looked_up
    from deepseek_lsp.context.module_outline import module_written

    head = "import json\nreport = make()\n"
    for typed, module_dot in (("json.du", True), ("report.du", False), ("dum", False)):
        doc = DocumentStore(REGISTRY).open((tmp_path / "s.py").as_uri(), head + typed, "python", 1)
        assert doc.language is not None and doc.tree is not None
        own = index_tree(doc.language, doc.tree, doc.data, "s")
        offset = len(doc.data)
        word = prefix_at(doc, offset)
        assert word is not None, typed
        written = module_written(own, member_at("python", doc.tree, doc.data, offset), doc)
        looked = prefix_looked_up(doc, word, own, written, members_sent=False)
        assert (looked is None) == module_dot, typed
        assert prefix_looked_up(doc, word, own, written, members_sent=True) is None
        assert prefix_looked_up(doc, None, own, written, members_sent=False) is None


def test_candidates_nearest_source_first_shortest_first_and_few() -> None:
    own = ["parse", "retry_later", "retry_now"]
    others = ["reset", "retry", "retry_command", "retry_fetch_all"]
    assert with_prefix(others, "retry") == ["retry_command", "retry_fetch_all"]  # not itself
    found = prefix_candidates("ret", [own, others], None, None)
    assert found == ["retry_now", "retry_later", "retry"][:MAX_PREFIX_NAMES]
    assert prefix_candidates("ret", [own, others], None, None, unwanted={"retry_now"}) == [
        "retry_later", "retry", "retry_command"
    ]
    assert prefix_candidates("zz", [own, others], None, None) == []


def test_the_symbol_table_answers_a_prefix_with_names_one_or_two_files_define(tmp_path: Path) -> None:
    table = WorkspaceSymbols(REGISTRY)

    def read(name: str, names: list[str], language: str = "python") -> None:
        table.replace_names(tmp_path / name, language, names, (1, 10))  # as a crawl keeps them

    for i in range(3):  # ``retry`` in three files: too common to guess
        read(f"c{i}.py", ["retry"])
    read("a.py", ["retry_fetch", "render"])
    read("b.rs", ["retry_rust"], "rust")
    assert table.names_with_prefix("ret", "python", 8) == ["retry_fetch"]
    # Past the names kept apart until merged, the same answers, in order.
    read("many.py", [f"name_{i:04}" for i in range(_MERGE_AFTER + 10)])
    read("d.py", ["retry_again"])
    assert table.names_with_prefix("ret", "python", 8) == ["retry_again", "retry_fetch"]
    assert table.names_with_prefix("name_000", "python", 3) == ["name_0000", "name_0001", "name_0002"]
    table.remove(tmp_path / "a.py", deleted=True)  # a file deleted takes its names
    assert table.names_with_prefix("ret", "python", 8) == ["retry_again"]


def test_a_half_typed_function_of_a_sourced_shell_file_is_in_the_snippets(tmp_path: Path) -> None:
    write_files(tmp_path, {"lib.sh": LIB})
    text = "#!/bin/bash\n. ./lib.sh\n\ndeploy() {\n\techo \"deploying $1\"\n\tretr"
    snippets = gather(tmp_path / "deploy.sh", text, [tmp_path], "sh")
    assert any(s.text.startswith("retry_command() {") for s in snippets)
    # Two characters are not enough outside a receiver's member.
    short = gather(tmp_path / "deploy.sh", text.removesuffix("tr"), [tmp_path], "sh")
    assert not any(s.text.startswith("retry_command() {") for s in short)


def test_a_half_typed_member_of_a_module_imported_whole_is_in_the_snippets(tmp_path: Path) -> None:
    write_files(tmp_path, {"helpers.py": HELPERS})
    text = "import helpers\n\n\ndef main(url):\n    return helpers.re"
    texts = [s.text for s in gather(tmp_path / "main.py", text, [tmp_path])]
    # The module's outline (context.module_outline) answers at its dot: the signatures of the
    # names ``re`` may become, each once (not the outline and the definitions too).
    for signature in ("def retry_fetch(url, attempts=3):", "def render(page):"):
        assert sum(t.count(signature) for t in texts) == 1, texts


def test_a_half_typed_name_another_open_document_defines_is_in_the_snippets(tmp_path: Path) -> None:
    store = DocumentStore(REGISTRY)
    other = store.open((tmp_path / "helpers.py").as_uri(), HELPERS, "python", 1)
    text = "def main(url):\n    return retry_"
    texts = [s.text for s in gather(tmp_path / "main.py", text, [tmp_path], store=store, other_docs=[other])]
    assert any(t.startswith("def retry_fetch(url, attempts=3):") for t in texts)
    assert not any(t.startswith("def render(page):") for t in texts)  # no prefix of it


def test_a_word_a_name_near_the_cursor_starts_with_is_that_name_being_typed(tmp_path: Path) -> None:
    """``par|`` below ``for part in``: a local being typed; the workspace's ``parse`` and
    ``parseaddr`` took the places of the definitions the line needed (bench_context_recall's
    email sites, 2 needs lost)."""
    write_files(tmp_path, {"helpers.py": "def parse(text):\n    return text\n"})
    text = "from helpers import *\n\n\ndef main(parts):\n    for part in parts:\n        print(par"
    texts = [s.text for s in gather(tmp_path / "main.py", text, [tmp_path])]
    assert not any(t.startswith("def parse(text):") for t in texts)
    bare = gather(tmp_path / "main.py", text.replace("part", "p"), [tmp_path])
    assert any(s.text.startswith("def parse(text):") for s in bare)


def test_a_half_typed_word_in_a_comment_or_a_string_brings_nothing(tmp_path: Path) -> None:
    write_files(tmp_path, {"helpers.py": HELPERS})
    comment = "from helpers import *\n\n\ndef main(url):\n    # see retr"
    assert not any(s.text.startswith("def retry_fetch") for s in gather(tmp_path / "main.py", comment, [tmp_path]))
    code = "from helpers import *\n\n\ndef main(url):\n    retr"
    assert any(s.text.startswith("def retry_fetch") for s in gather(tmp_path / "main.py", code, [tmp_path]))
    text = 'def main(url):\n    log("see retr")\n'
    doc = DocumentStore(REGISTRY).open((tmp_path / "s.py").as_uri(), text, "python", 1)
    assert prefix_at(doc, text.index('")')) is None
    assert prefix_at(doc, text.index("(url")) == ("main", False)  # (code: a word there is looked up)


async def test_typing_a_name_brings_its_definition_and_the_keys_after_share_the_prompt_head(
    tmp_path: Path,
) -> None:
    """Over stdio, typing in a script that sources lib.sh: a first request on the line above
    chooses the snippets (no ``retry_command``: no name near the cursor is one); on the next
    line ``ret`` brings it, and ``retr``, ``retry`` keep the same snippets (the prompt up to
    the window's text unchanged: DeepSeek's prefix cache)."""
    root = tmp_path / "ws"
    text = "#!/bin/bash\n. ./lib.sh\n\ndeploy() {\n\techo \"deploying $1\"\n\t"
    write_files(root, {"lib.sh": LIB, "deploy.sh": text})
    fim = "/beta/completions"
    with FakeDeepSeek() as fake:
        fake.responder(lambda body: "x", path=fim)
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path / "state"))
        settings = {"completion": {"debounce": 0, "prefetch": False, "cache": False}}
        async with lsp_session(env, settings=settings, root=str(root)) as client:
            uri = (root / "deploy.sh").as_uri()
            open_doc(client, uri, text, "sh")
            line = text.count("\n")

            async def prompt_at(col: int) -> str:
                count = len(fake.requests_to(fim))
                await client.text_document_inline_completion_async(inline_params(uri, line, col, invoked=True))
                assert await eventually(lambda: len(fake.requests_to(fim)) > count)
                return str(fake.requests_to(fim)[-1].json["prompt"])

            first = await prompt_at(1)
            heads = []
            for version, (col, key) in enumerate(((1, "r"), (2, "e"), (3, "t"), (4, "r"), (5, "y")), start=2):
                insert(client, uri, version, line, col, key)
                sent = await prompt_at(col + 1)
                heads.append(sent.split("# Path: deploy.sh\n")[0])
    assert "retry_command() {" not in first
    assert "retry_command() {" not in heads[1]  # ``re``: too short
    assert "# retry_command() {" in heads[2]  # ``ret``
    assert heads[2] == heads[3] == heads[4]  # ``retr``, ``retry``: the same head


def test_a_keyword_typed_whole_brings_no_name_it_starts(tmp_path: Path) -> None:
    """``for|``, ``def|``, ``from|`` are mostly the keyword, whose space comes next: the
    workspace's ``format_row``, ``default_headers``, ``from_dict`` took prompt room and chose
    the snippets anew (a miss of the prefix cache) at each loop or function written. One more
    character (``form``) is a name being typed, and brings them."""
    helpers = (
        "def format_row(row):\n    return row\n\n\ndef default_headers():\n    return {}\n\n\n"
        "def from_dict(d):\n    return d\n"
    )
    write_files(tmp_path, {"helpers.py": helpers})
    head = "from helpers import *\n\n\ndef main(rows):\n    "
    for keyword, name in (("for", "format_row"), ("def", "default_headers")):
        snippets = gather(tmp_path / "main.py", head + keyword, [tmp_path])
        assert not any(s.text.startswith(f"def {name}(") for s in snippets), keyword
        typed_on = gather(tmp_path / "main.py", head + name[:4], [tmp_path])
        assert any(s.text.startswith(f"def {name}(") for s in typed_on), name
    doc = DocumentStore(REGISTRY).open((tmp_path / "s.js").as_uri(), "x\nconst", "javascript", 1)
    assert prefix_at(doc, len(doc.data)) is None  # JavaScript's keyword, by its grammar
    doc = DocumentStore(REGISTRY).open((tmp_path / "s.js").as_uri(), "x\nconsta", "javascript", 1)
    assert prefix_at(doc, len(doc.data)) == ("consta", False)


def test_names_of_deleted_files_are_not_looked_through_at_each_key(tmp_path: Path) -> None:
    """A generator's output created and deleted (a build, a branch switched back and forth)
    left its names in the sorted list until it was twice the table's size: a prefix they share
    (``gen``) looked through every one at each key, 2.7 -> 20 ms a look-up at 36,000 names
    after 30 rounds of 1,200 (shared host). Met in numbers, they are sorted out."""
    table = WorkspaceSymbols(REGISTRY, max_files=10_000)
    for i in range(100):
        names = [f"func_{i}_{j}" for j in range(30)]
        table.replace_names(tmp_path / f"m{i}.py", "python", names, (1, 1))
    generated = [tmp_path / "gen" / f"g{i}.py" for i in range(400)]
    for i, path in enumerate(generated):
        table.replace_names(path, "python", [f"gen_{i}_{j}" for j in range(5)], (1, 1))
    assert len(table.names_with_prefix("gen", "python", 8)) == 8
    for path in generated[1:]:
        table.remove(path, deleted=True)
    assert table.names_with_prefix("gen", "python", 8) == [f"gen_0_{j}" for j in range(5)]
    assert len(table._sorted["python"]) == 3000 + 5  # the deleted files' names gone from it
    assert table.names_with_prefix("func_7_2", "python", 3) == [f"func_7_2{j}" for j in range(3)]


async def test_a_library_modules_member_half_typed_brings_no_workspace_name(tmp_path: Path) -> None:
    """Over stdio, ``json.du|``: a module imported whole from outside the workspace (json,
    os, Go's fmt) has none of its names among the workspace's, yet ``report.py``'s
    ``dump_report`` came in, and chose the snippets anew (a miss of the prefix cache) at
    each member typed after a library's dot; the prompt's head stays the same now."""
    report = "def dump_report(r):\n    return r\n\n\ndef render(page):\n    return page\n"
    main = "import json\nimport report\n\n\ndef main(x):\n    \n"
    files = {"report.py": report, "main.py": main}
    typed = ("json.", "d", "u", "m")
    prompts = await prompts_while_typing(tmp_path, files, [("main.py", "python")], (5, 4), *typed)
    assert not any("def dump_report" in p for p in prompts)
    heads = [p.split("# Path: main.py\n")[0] for p in prompts[1:]]
    assert heads[0] == heads[1] == heads[2] == heads[3]


def test_a_members_half_typed_name_brings_members_only(tmp_path: Path) -> None:
    """``obj.pa|``, ``self.se|``: a member, whose definitions are a class's; another file's
    top-level ``parse_config`` and the symbol table's ``send_mail`` came in (and chose the
    snippets anew at each member typed after ``self.``), never reached through a dot. A
    class's method read for the request still comes; ``Mod::ne|`` keeps a module's names."""
    write_files(
        tmp_path,
        {
            "util.py": "def parse_config(path):\n    pass\n\n\ndef send_mail(to):\n    pass\n",
            "rows.py": "class Rows:\n    def parse_row(self, line):\n        return line\n",
        },
    )
    table = WorkspaceSymbols(REGISTRY)
    table.add_file(tmp_path / "util.py")
    head = "from rows import *\nfrom util import *\n\n\nclass Job:\n    def run(self, obj):\n"
    head += " " * 8
    found = heads_of(gather_with(tmp_path, head + "obj.pa", table))
    assert "def parse_row(self, line):" in found and "def parse_config(path):" not in found
    assert "def send_mail(to):" not in heads_of(gather_with(tmp_path, head + "self.se", table))
    assert "def send_mail(to):" in heads_of(gather_with(tmp_path, head + "sen", table))  # no dot


def gather_with(root: Path, text: str, symbols: WorkspaceSymbols) -> list[Snippet]:
    """The snippets at the end of ``text`` (main.py), its member read as the server does."""
    store = DocumentStore(REGISTRY)
    doc = store.open((root / "main.py").as_uri(), text, "python", 1)
    offset = len(doc.data)
    deadline = time.monotonic() + 5
    req = ContextRequest(doc, offset, [], [], [root], (), deadline, open_uris=store)
    req.symbols = symbols
    req.member = member_at("python", doc.tree, doc.data, offset)
    names = names_near(doc.language, doc.tree, doc.data, offset)
    return gather_snippets(Indexer(REGISTRY), req, (0, offset), names)


def heads_of(snippets: list[Snippet]) -> list[str]:
    return [s.text.split("\n")[0] for s in snippets]


async def test_a_new_word_starting_as_an_earlier_one_brings_its_own_names(tmp_path: Path) -> None:
    """Over stdio: ``get`` typed on one line chose the snippets for its candidates (the three
    shortest), then ``get_u`` typed as a new word on the next line was taken for ``get`` typed
    on, and the snippets were kept without ``get_user_profile``. A word is typed on where it
    starts where the one they were chosen at started."""
    helpers = "".join(f"def get_{c}(x):\n    return x\n\n\n" for c in "abc")
    helpers += "def get_user_profile(uid):\n    return uid\n"
    main = "from helpers import *\n\n\ndef main(uid):\n    \n"
    files = {"helpers.py": helpers, "main.py": main}
    typed = ("a = get", "(1)", "\n    b = ", "g", "e", "t", "_", "u")
    prompts = await prompts_while_typing(tmp_path, files, [("main.py", "python")], (4, 4), *typed)
    assert "def get_a(x):" in prompts[1]  # chosen at ``get``
    assert "def get_user_profile(uid):" in prompts[-1]




async def test_a_word_typed_on_past_the_names_its_start_brought_brings_its_own(tmp_path: Path) -> None:
    """Over stdio: ``get`` brought its three shortest candidates (get_a, get_b, get_c), and
    ``get_u`` typed on from it kept those snippets, without ``get_user_profile``, the only name
    it may become. A word typed on keeps them where they hold its candidates."""
    helpers = "".join(f"def get_{c}(x):\n    return x\n\n\n" for c in "abc")
    helpers += "def get_user_profile(uid):\n    return uid\n"
    main = "from helpers import *\n\n\ndef main(uid):\n    \n"
    files = {"helpers.py": helpers, "main.py": main}
    typed = ("a = ", "g", "e", "t", "_", "u", "s")
    prompts = await prompts_while_typing(tmp_path, files, [("main.py", "python")], (4, 4), *typed)
    heads = [p.split("# Path: main.py\n")[0] for p in prompts]
    assert "def get_a(x):" in heads[4]  # chosen at ``get``
    assert heads[4] == heads[5]  # ``get_``: its candidates are those
    assert "def get_user_profile(uid):" in heads[6]
    assert heads[6] == heads[7]  # ``get_us``: typed on

async def test_a_member_word_whose_candidates_are_no_class_members_keeps_the_snippets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After ``self.``, the first key of each member word of 2 characters (``self.se``,
    ``self.re``) chose the snippets anew for the symbol table's ``send_mail``, ``render_page``:
    top-level functions, which gather_snippets then dropped (a member's are a class's), so the
    same snippets came back. A class's member the table names (``Rows.parse_row``) still
    chooses them anew, and comes."""
    files = {
        "util.py": "def send_mail(to):\n    pass\n\n\ndef render_page(p):\n    pass\n",
        "rows.py": "class Rows:\n    def parse_row(self, line):\n        return line\n",
    }
    head = "class Job:\n    def run(self):\n        x = 1\n        "
    typed = ("self.send", "self.render", "self.parse")
    gathered, prompts = await gathers_while_typing(tmp_path, monkeypatch, files, ("main.py", "python", head), typed)
    assert not any("send_mail" in p or "render_page" in p for p in prompts), gathered
    assert "# def parse_row(self, line):" in prompts[-1], gathered
    assert gathered == ["", "self.pa"], gathered  # was also at self.se and self.re


async def test_a_word_typed_on_past_names_looked_up_and_dropped_keeps_the_snippets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At a CommonJS module's dot (its outline sent), ``m.ge`` had three candidates, which
    gather_snippets dropped there; typed on, ``m.get``'s are the same three, looked up already:
    the snippets are kept (a word typed on past three candidates has its own looked up)."""
    files = {
        "m.js": "function getUser(id) {\n  return id;\n}\nmodule.exports = { getUser };\n",
        "util.js": "export function getAll(x) {\n  return x;\n}\nexport class Store {\n  getItem(k) {\n    return k;\n  }\n}\n",
    }
    head = "import m from './m.js';\n\nfunction main() {\n  "
    gathered, prompts = await gathers_while_typing(tmp_path, monkeypatch, files, ("main.js", "javascript", head), ("m.getUser",))
    assert "// function getUser(id)" in prompts[-1]
    assert not any(g.startswith("m.get") for g in gathered), gathered
    assert gathered == ["", "m."], gathered  # (m.ge too: its names were dropped at the dot)


async def gathers_while_typing(
    root: Path,
    monkeypatch: pytest.MonkeyPatch,
    files: dict[str, str],
    opened: tuple[str, str, str],
    lines: tuple[str, ...],
    after_line: Callable[[], object] = lambda: None,
) -> tuple[list[str], list[str]]:
    """The lines typed a key at a time at the end of ``opened`` (name, language, text), each
    ended with ``()`` then ``after_line`` called, in process: where gather_snippets ran (the
    line so far) and the prompts."""
    write_files(root, files)
    feature = _feature_for_prompts([root.as_uri()], time_box_ms=5000)
    for name in files:
        feature.symbols.add_file(root / name)
    gathered: list[str] = []
    real = prompting.gather_snippets

    def counted(indexer: Any, req: ContextRequest, *args: Any) -> list[Snippet]:
        gathered.append(req.doc.text.rsplit("\n", 1)[-1].strip())
        return real(indexer, req, *args)

    monkeypatch.setattr(prompting, "gather_snippets", counted)
    docs = feature.services.documents
    name, language, text = opened
    uri = (root / name).as_uri()
    doc = docs.open(uri, text, language, 1)
    feature.document_opened(doc)
    indent = text.rsplit("\n", 1)[-1]
    prompts = [feature.prompts.prompt(Request(doc, len(doc.data), False)).prompt]
    for line in lines:
        for key in line:
            docs.change(uri, doc.version + 1, [types.TextDocumentContentChangeWholeDocument(text=doc.text + key)])
            feature.document_changed(doc)
            prompts.append(feature.prompts.prompt(Request(doc, len(doc.data), False)).prompt)
        docs.change(uri, doc.version + 1, [types.TextDocumentContentChangeWholeDocument(text=doc.text + "()\n" + indent)])
        feature.document_changed(doc)
        after_line()
    return gathered, prompts


async def test_a_member_word_whose_file_is_not_read_yet_keeps_the_snippets_till_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After ``self.``, a name the symbol table gives in a file not read in the time box (left
    to the idle read) was counted as a class's member, maybe: the snippets were chosen anew at
    ``self.se`` (a miss of DeepSeek's prefix cache), the file went unread there too, and the
    same came back. Once the file is read, its class's ``render_report`` comes at
    ``self.re``; its top-level ``send_mail`` never does."""
    util = tmp_path / "util.py"
    files = {"util.py": "def send_mail(to):\n    pass\n\n\nclass Reports:\n    def render_report(self, r):\n        return r\n"}
    real_read = Indexer.for_file
    read_idle: set[Path] = set()

    def slow_disk(self: Indexer, path: Path, deadline: float | None = None, language: Any = None) -> Any:
        if deadline is not None and path == util and path not in read_idle:
            self.deferred[path] = language  # as a read expected to overrun the box is
            return None
        return real_read(self, path, deadline, language)

    monkeypatch.setattr(Indexer, "for_file", slow_disk)
    head = "class Job:\n    def run(self):\n        x = 1\n        "
    typed = ("self.send", "self.render")
    # The user pauses after the first line: the idle read.
    gathered, prompts = await gathers_while_typing(
        tmp_path, monkeypatch, files, ("main.py", "python", head), typed, after_line=lambda: read_idle.add(util)
    )
    assert gathered[:1] == [""] and "self.se" not in gathered, gathered  # chosen anew there
    assert "def render_report(self, r):" in prompts[-1], gathered
    assert not any("send_mail" in p for p in prompts), gathered
