"""The review engine against the fake DeepSeek server over real HTTP, without an editor."""

from __future__ import annotations

import argparse
import inspect
import json
import textwrap
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import tree_sitter

from deepseek_lsp.config import DEFAULT_EXCLUDE
from deepseek_lsp.context import Indexer
from deepseek_lsp.documents import Document
from deepseek_lsp.languages import LanguageRegistry
from deepseek_lsp.model import ModelClient
from deepseek_lsp.review.cache import ReviewCache
from deepseek_lsp.review.engine import ReviewEngine
from deepseek_lsp.review.prompt import SYSTEM_PROMPT
from deepseek_lsp.review.units import extract_units
from deepseek_lsp.workspace_symbols import WorkspaceSymbols
from tests.fake_deepseek import FakeDeepSeek
from tests.review_support import (
    INVENTORY_RULES,
    ReviewFeatureSession,
    Rule,
    doc_of,
    generated_handlers,
    numbered_lines,
    reviewed_units,
    reviewer,
    settings_for,
)

DATA = Path(__file__).parent / "data" / "review"
PYTHON = LanguageRegistry.load().get("python")
INVENTORY = (DATA / "inventory.py").read_text()
CHAT = "/chat/completions"


def text_at(doc: Document, start: int, end: int) -> str:
    return doc.data[start:end].decode()


async def test_findings_land_on_the_quoted_code_despite_wrong_line_numbers(
    fake_deepseek: FakeDeepSeek, client: ModelClient, engine: ReviewEngine
) -> None:
    fake_deepseek.responder(reviewer(INVENTORY_RULES, line_offset=7), path=CHAT)
    doc = doc_of(INVENTORY)
    outcome = await engine.review(client, doc, settings_for(fake_deepseek))
    assert not outcome.errors and not outcome.problems
    placed = {f.message: f for f in outcome.findings}
    # The low-confidence rule is dropped by review.minConfidence (0.5).
    assert len(placed) == 4 and outcome.stats.low_confidence == 1
    for rule in INVENTORY_RULES[:4]:
        f = placed[rule.message]
        assert text_at(doc, f.start, f.end) == rule.needle
        assert doc.line_at(f.start) + 1 == INVENTORY[: INVENTORY.index(rule.needle)].count("\n") + 1
    assert placed[INVENTORY_RULES[0].message].fix == "if row is None:"
    assert placed[INVENTORY_RULES[1].message].severity == "critical"
    # One request for this small file; JSON mode, thinking off, the rubric first.
    (request,) = fake_deepseek.requests_to(CHAT)
    body = request.json
    assert body["response_format"] == {"type": "json_object"}
    assert body["thinking"] == {"type": "disabled"}
    assert body["model"] == "deepseek-v4-pro"
    assert body["messages"][0] == {"role": "system", "content": SYSTEM_PROMPT}


async def test_only_changed_units_are_sent_again(
    fake_deepseek: FakeDeepSeek, client: ModelClient, engine: ReviewEngine
) -> None:
    fake_deepseek.responder(reviewer(INVENTORY_RULES), path=CHAT)
    settings = settings_for(fake_deepseek)
    first = await engine.review(client, doc_of(INVENTORY), settings)
    assert first.units_asked == first.units == 8

    edited = INVENTORY.replace(
        "        total += item.quantity", "        total += 1.0 * item.quantity"
    )
    # Moving code around (new lines above) must not make unchanged units look new.
    edited = edited.replace(
        "log = logging.getLogger(__name__)", "log = logging.getLogger(__name__)\n\n"
    )
    second = await engine.review(client, doc_of(edited), settings)
    requests = fake_deepseek.requests_to(CHAT)
    assert len(requests) == 2
    # The module-level unit changed too (two blank lines do not count, but nothing else did).
    assert reviewed_units(requests[1].json) == ["total_value"]
    assert second.units_asked == 1
    # Cached units still report their findings, on the moved code.
    assert {f.message for f in second.findings} == {f.message for f in first.findings}
    doc = doc_of(edited)
    for f in second.findings:
        assert text_at(doc, f.start, f.end) == f.code

    third = await engine.review(client, doc_of(edited), settings)
    assert third.units_asked == 0 and len(fake_deepseek.requests_to(CHAT)) == 2
    assert [f.id for f in third.findings] == [f.id for f in second.findings]


async def test_review_cache_persists_across_processes(
    fake_deepseek: FakeDeepSeek, client: ModelClient, tmp_path: Path
) -> None:
    fake_deepseek.responder(reviewer(INVENTORY_RULES), path=CHAT)
    settings = settings_for(fake_deepseek)
    path = tmp_path / "state" / "review-cache.sqlite"
    first = ReviewEngine(ReviewCache(path))
    await first.review(client, doc_of(INVENTORY), settings)
    first.cache.close()
    again = ReviewEngine(ReviewCache(path))
    outcome = await again.review(client, doc_of(INVENTORY), settings)
    assert outcome.units_asked == 0 and len(outcome.findings) == 4
    assert len(fake_deepseek.requests_to(CHAT)) == 1
    # A different review model is a different review.
    other = await again.review(
        client, doc_of(INVENTORY), settings_for(fake_deepseek, model="deepseek-v4-flash")
    )
    assert other.units_asked == 8


async def test_blank_answers_are_retried_once_then_reported(
    fake_deepseek: FakeDeepSeek, client: ModelClient, engine: ReviewEngine
) -> None:
    fake_deepseek.responder(reviewer(INVENTORY_RULES), path=CHAT)
    fake_deepseek.fault("blank", count=1, path=CHAT)
    settings = settings_for(fake_deepseek)
    outcome = await engine.review(client, doc_of(INVENTORY), settings)
    assert len(fake_deepseek.requests_to(CHAT)) == 2  # blank, then the retry
    assert not outcome.problems and len(outcome.findings) == 4

    fake_deepseek.fault("blank", count=2, path=CHAT)
    outcome = await engine.review(client, doc_of(INVENTORY), settings, use_cache=False)
    assert outcome.problems == ["the model's answer was blank"]
    assert outcome.findings == [] and not outcome.errors
    # Nothing unusable was cached: the next review asks again.
    outcome = await engine.review(client, doc_of(INVENTORY), settings)
    assert outcome.units_asked == 0  # the first review's results are still cached
    assert len(outcome.findings) == 4


async def test_invalid_json_then_partly_valid_answer_keeps_valid_findings(
    fake_deepseek: FakeDeepSeek, client: ModelClient, engine: ReviewEngine
) -> None:
    partly = json.dumps(
        {
            "findings": [
                {
                    "severity": "warning",
                    "line": 2,
                    "code": "if row == None:",
                    "message": "Use 'is'.",
                    "x": 1,
                },
                {"severity": "warning", "line": 9},
                {"severity": "info", "code": "this is not in the file", "message": "Invented."},
                "junk",
            ],
            "summary": "partly valid",
        }
    )
    fake_deepseek.script("not json at all, sorry", partly, path=CHAT)
    outcome = await engine.review(client, doc_of(INVENTORY), settings_for(fake_deepseek))
    assert len(fake_deepseek.requests_to(CHAT)) == 2
    assert [f.message for f in outcome.findings] == ["Use 'is'."]
    assert outcome.stats.unplaced == 1
    assert not outcome.problems  # a valid object with some bad items is a usable answer


async def test_answer_cut_short_keeps_complete_findings_but_is_not_cached(
    fake_deepseek: FakeDeepSeek, client: ModelClient, engine: ReviewEngine
) -> None:
    cut = '{"findings": [{"severity": "warning", "line": 35, "code": "if row == None:", "message": "Use is."}, {"sev'
    fake_deepseek.script(cut, cut, path=CHAT)
    settings = settings_for(fake_deepseek)
    outcome = await engine.review(client, doc_of(INVENTORY), settings)
    assert [f.message for f in outcome.findings] == ["Use is."]
    assert outcome.problems == ["the model's answer was not valid JSON; kept 1 valid finding"]
    fake_deepseek.responder(reviewer(()), path=CHAT)
    again = await engine.review(client, doc_of(INVENTORY), settings)
    assert again.units_asked == 8


async def test_rejected_key_is_fatal_and_stops_other_requests(
    fake_deepseek: FakeDeepSeek, client: ModelClient, engine: ReviewEngine
) -> None:
    fake_deepseek.fault("status", count=None, path=CHAT, status=401)
    source = inspect.getsource(json.decoder)
    outcome = await engine.review(client, doc_of(source * 3, "big.py"), settings_for(fake_deepseek))
    assert outcome.fatal is not None and outcome.fatal.status == 401
    assert outcome.findings == []


async def test_overloaded_is_retried(
    fake_deepseek: FakeDeepSeek, client: ModelClient, engine: ReviewEngine
) -> None:
    fake_deepseek.responder(reviewer(INVENTORY_RULES), path=CHAT)
    fake_deepseek.fault("status", count=1, path=CHAT, status=503, retry_after=0.01)
    outcome = await engine.review(client, doc_of(INVENTORY), settings_for(fake_deepseek))
    assert not outcome.errors and len(outcome.findings) == 4
    assert len(fake_deepseek.requests_to(CHAT)) == 2


async def test_large_file_is_split_across_requests_and_never_truncated(
    fake_deepseek: FakeDeepSeek, client: ModelClient, engine: ReviewEngine
) -> None:
    fake_deepseek.responder(reviewer((Rule("_sys.exit(status)", "info", "Exits."),)), path=CHAT)
    source = inspect.getsource(argparse)
    doc = doc_of(source, "argparse.py")
    outcome = await engine.review(client, doc, settings_for(fake_deepseek, maxConcurrency=3))
    requests = fake_deepseek.requests_to(CHAT)
    assert len(requests) == outcome.requests > 3
    sent = sorted(n for r in requests for n in numbered_lines(r.json))
    non_blank = [n + 1 for n in range(doc.line_count) if doc.line_text(n).strip()]
    assert set(non_blank) <= set(sent) and len(sent) == len(set(sent))  # every line once
    assert [doc.data[f.start : f.end].decode() for f in outcome.findings] == ["_sys.exit(status)"]
    # Requests about the same file share their head: the provider's prefix cache hits.
    assert sum((r.usage or {}).get("prompt_cache_hit_tokens", 0) for r in requests[1:]) > 0


async def test_changed_lines_limit_the_review_to_their_units(
    fake_deepseek: FakeDeepSeek, client: ModelClient, engine: ReviewEngine
) -> None:
    fake_deepseek.responder(reviewer(INVENTORY_RULES), path=CHAT)
    doc = doc_of(INVENTORY)
    line = INVENTORY[: INVENTORY.index("def average_price")].count("\n")
    outcome = await engine.review(client, doc, settings_for(fake_deepseek), lines=[line + 1])
    assert outcome.units == 1
    assert reviewed_units(fake_deepseek.requests_to(CHAT)[0].json) == ["average_price"]


async def test_cached_findings_need_no_request(
    fake_deepseek: FakeDeepSeek, client: ModelClient, engine: ReviewEngine
) -> None:
    fake_deepseek.responder(reviewer(INVENTORY_RULES), path=CHAT)
    settings = settings_for(fake_deepseek)
    assert engine.cached_findings(doc_of(INVENTORY), settings) == ([], False)
    await engine.review(client, doc_of(INVENTORY), settings)
    findings, complete = engine.cached_findings(doc_of(INVENTORY), settings)
    assert complete and len(findings) == 4


def test_prompt_is_stable_first_with_line_numbers() -> None:
    from deepseek_lsp.review.prompt import build_messages

    doc = doc_of(INVENTORY)
    file_units = extract_units(doc)
    by_name = {u.name: u for u in file_units.units}
    a = build_messages(doc, "inventory.py", file_units, [by_name["Warehouse"]])
    b = build_messages(doc, "inventory.py", file_units, [by_name["export_csv"], by_name["connect"]])
    system, user = a[0]["content"], a[1]["content"]
    assert (
        "json" in system
        and '"findings"' in system
        and 'WITHOUT the "123| " line-number prefix' in system
    )
    head = "File: inventory.py\n\nLanguage: python\n\nImports of this file:\n"
    assert user.startswith(head) and b[1]["content"].startswith(head)
    assert (
        user.index("import sqlite3") < user.index("### class Warehouse") < user.index("Signatures")
    )
    assert "def find_item(db: sqlite3.Connection, sku: str) -> Item | None:" in user
    line = INVENTORY[: INVENTORY.index("    def reserve")].count("\n") + 1
    assert f"{line}|     def reserve(self, sku: str, count: int) -> bool:" in user
    # Several units of one request come in file order.
    assert b[1]["content"].index("### function connect") < b[1]["content"].index(
        "### function export_csv"
    )


def test_prompt_redacts_secrets() -> None:
    from deepseek_lsp.review.prompt import build_messages

    text = textwrap.dedent(
        """\
        API_KEY = "sk-abcdefghijklmnopqrstuvwxyz123456"

        def call():
            return API_KEY
        """
    )
    doc = doc_of(text, "secrets_user.py")
    file_units = extract_units(doc)
    user = build_messages(doc, "x.py", file_units, file_units.units)[1]["content"]
    assert "sk-abcdefghijklmnopqrstuvwxyz123456" not in user and "[REDACTED]" in user
    plain = build_messages(doc, "x.py", file_units, file_units.units, redact_secrets=False)[1][
        "content"
    ]
    assert "sk-abcdefghijklmnopqrstuvwxyz123456" in plain


def test_prompt_redacts_a_secret_on_its_own_line_of_a_triple_quoted_string() -> None:
    """The value on the line after ``DB_PASSWORD = \"\"\"`` went out in the review prompt;
    redacted, the lines keep their numbers."""
    from deepseek_lsp.review.prompt import build_messages

    secret = "hunter2-Very-Secret-77"
    text = f'DB_PASSWORD = """\n{secret}\n"""\n\n\ndef connect():\n    return open_db(DB_PASSWORD)\n'
    doc = doc_of(text, "settings.py")
    file_units = extract_units(doc)
    user = build_messages(doc, "x.py", file_units, file_units.units)[1]["content"]
    assert secret not in user
    assert '1| DB_PASSWORD = """\n2| [REDACTED]\n3| """' in user
    assert "7|     return open_db(DB_PASSWORD)" in user


async def test_imported_signatures_come_only_from_readable_files_inside_the_workspace(
    fake_deepseek: FakeDeepSeek, client: ModelClient, engine: ReviewEngine, tmp_path: Path
) -> None:
    """The same gate as completion context: the review sent signatures from another project
    next to this one, reached by a relative import that climbs out of the workspace."""
    ws, other = tmp_path / "ws", tmp_path / "other"
    (ws / "pkg").mkdir(parents=True)
    other.mkdir()
    (ws / "pkg" / "helpers.py").write_text("def visible_helper(a, b):\n    return a + b\n")
    (other / "billing.py").write_text("def outside_charge(account):\n    return account\n")
    text = (
        "from .helpers import visible_helper\nfrom ...other.billing import outside_charge\n\n\n"
        "def total(a, b):\n    return visible_helper(a, b) + outside_charge(a)\n"
    )
    doc = Document((ws / "pkg" / "main.py").as_uri(), text, language=PYTHON)
    fake_deepseek.responder(reviewer(()), path=CHAT)
    await engine.review(client, doc, settings_for(fake_deepseek), roots=[ws])
    sent = json.dumps([r.json for r in fake_deepseek.requests_to(CHAT)])
    assert "def visible_helper(a, b)" in sent
    assert "outside_charge(account)" not in sent


@pytest.mark.usefixtures("state_dir")
async def test_a_review_compiles_no_query_the_session_has_compiled(
    fake_deepseek: FakeDeepSeek, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The review read the files a document imports with languages of its own, their queries
    compiled again on the event loop at the session's first review (a completion meanwhile
    waited for them, up to a second for some languages)."""
    (tmp_path / "helpers.py").write_text("def shout(msg: str, times: int = 1) -> str:\n    return msg.upper()\n")
    fake_deepseek.responder(reviewer(()), path=CHAT)
    async with ReviewFeatureSession(fake_deepseek) as r:
        python = r.services.registry.get("python")
        assert python is not None
        await python.compile_queries()  # as the document's opening does
        compiled: list[str] = []
        real = tree_sitter.Query
        monkeypatch.setattr(tree_sitter, "Query", lambda language, source: compiled.append(source) or real(language, source))
        uri = (tmp_path / "main.py").as_uri()
        r.services.documents.open(uri, "import helpers\n\n\ndef greet(name):\n    return helpers.shout(name, 2)\n", "python", 1)
        assert (await r.review.command.run(uri, force=True))["ok"]
    assert compiled == []
    sent = json.dumps([q.json for q in fake_deepseek.requests_to(CHAT)])
    assert "def shout(msg: str, times: int = 1) -> str:  # helpers.py" in sent


async def test_a_review_carries_the_members_only_the_workspace_symbol_table_finds(
    fake_deepseek: FakeDeepSeek, client: ModelClient, engine: ReviewEngine, tmp_path: Path
) -> None:
    """``self.protocol.send_request_async(`` where the protocol's class is set elsewhere and
    never imported: the review gets its signature from the workspace's symbol table (whether it
    is called right is then the model's to judge), as a completion's context does; a member
    the file assigns itself, a name three files define and an excluded file send nothing."""
    ws = tmp_path / "ws"
    files = {
        "protocol/rpc.py": "class JsonRPCProtocol:\n    def send_request_async(self, method: str, params: object) -> 'Future':\n        return self._send(method, params)\n",
        "a.py": "def close(): pass\n", "b.py": "def close(): pass\n", "c.py": "def close(): pass\n",
        "secrets/keys.py": "def load_secret_key(path): pass\n",
        "speed.py": "def speed(): pass\n",
    }
    for rel, body in files.items():
        (ws / rel).parent.mkdir(parents=True, exist_ok=True)
        (ws / rel).write_text(body)
    text = (
        "class Server:\n    def __init__(self, protocol_cls, speed):\n        self.protocol = protocol_cls(self)\n"
        "        self.speed = speed\n\n    async def shutdown(self):\n"
        "        await self.protocol.send_request_async('shutdown')\n        self.protocol.close()\n"
        "        self.keys.load_secret_key('k')\n        return self.speed\n"
    )
    doc = Document((ws / "lsp" / "server.py").as_uri(), text, language=PYTHON)
    symbols = WorkspaceSymbols(LanguageRegistry.load())
    for path in symbols.plan([ws], DEFAULT_EXCLUDE, [ws / "lsp/server.py"], "python"):
        symbols.add_file(path)
    settings = replace(settings_for(fake_deepseek), exclude=(*DEFAULT_EXCLUDE, "**/secrets/**"))
    fake_deepseek.responder(reviewer(()), path=CHAT)
    await engine.review(client, doc, settings, roots=[ws], symbols=symbols)
    sent = json.dumps([r.json for r in fake_deepseek.requests_to(CHAT)])
    assert "def send_request_async(self, method: str, params: object) -> 'Future':  # rpc.py" in sent
    assert "def close()" not in sent and "load_secret_key(path)" not in sent and "def speed()" not in sent

    before = len(fake_deepseek.requests_to(CHAT))
    await engine.review(client, doc, settings, roots=[ws], symbols=None, use_cache=False)
    assert "send_request_async(self" not in json.dumps(fake_deepseek.requests_to(CHAT)[before].json)


async def test_a_go_review_carries_the_signatures_of_its_package_and_module_imports(
    fake_deepseek: FakeDeepSeek, client: ModelClient, engine: ReviewEngine, tmp_path: Path
) -> None:
    """Go uses its own package's names with no import, and a module package by its path:
    both are read for the review (Go's imports were not followed)."""
    (tmp_path / "go.mod").write_text("module example.com/shop\n")
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "store.go").write_text("package store\n\nfunc Reserve(sku string, n int) error {\n\treturn nil\n}\n")
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "util.go").write_text("package api\n\nfunc parseQuantity(raw string) (int, error) {\n\treturn 0, nil\n}\n")
    text = (
        'package api\n\nimport "example.com/shop/store"\n\nfunc order(sku, raw string) error {\n'
        "\tn, err := parseQuantity(raw)\n\tif err != nil {\n\t\treturn err\n\t}\n\treturn store.Reserve(sku, n)\n}\n"
    )
    doc = Document((tmp_path / "api" / "order.go").as_uri(), text, language=LanguageRegistry.load().get("go"))
    fake_deepseek.responder(reviewer(()), path=CHAT)
    await engine.review(client, doc, settings_for(fake_deepseek), roots=[tmp_path])
    sent = json.dumps([r.json for r in fake_deepseek.requests_to(CHAT)])
    assert "func parseQuantity(raw string) (int, error)" in sent
    assert "func Reserve(sku string, n int) error" in sent


async def test_an_imported_decorated_function_is_sent_with_its_signature(
    fake_deepseek: FakeDeepSeek, client: ModelClient, engine: ReviewEngine, tmp_path: Path
) -> None:
    """The review cut an imported definition's signature at the first line ending in ``)``:
    ``@lru_cache(maxsize=None)`` was all it sent of a cached function, and a parameter typed
    ``options: {`` ended a TypeScript signature mid-way. The signature is the tree's header."""
    (tmp_path / "cache.py").write_text(
        "from functools import lru_cache\n\n\n@lru_cache(maxsize=None)\n"
        "def load_table(path: str, *, strict: bool = False) -> dict:\n    return {}\n"
    )
    text = "from .cache import load_table\n\n\ndef run(p):\n    return load_table(p, True)\n"
    doc = Document((tmp_path / "main.py").as_uri(), text, language=PYTHON)
    fake_deepseek.responder(reviewer(()), path=CHAT)
    await engine.review(client, doc, settings_for(fake_deepseek), roots=[tmp_path])
    sent = "\n".join(r.json["messages"][-1]["content"] for r in fake_deepseek.requests_to(CHAT))
    assert "@lru_cache(maxsize=None) def load_table(path: str, *, strict: bool = False) -> dict:" in sent
    assert "return {}" not in sent  # a signature, not the body


async def test_an_imported_typescript_signature_is_sent_whole(
    fake_deepseek: FakeDeepSeek, client: ModelClient, engine: ReviewEngine, tmp_path: Path
) -> None:
    (tmp_path / "render.ts").write_text(
        "export function render(el: Element, options: {\n  strict: boolean;\n}): void {\n  paint(el);\n}\n"
    )
    text = 'import { render } from "./render";\n\nexport function main(el: Element) {\n  render(el, { strict: 1 });\n}\n'
    doc = Document((tmp_path / "main.ts").as_uri(), text, language=LanguageRegistry.load().get("typescript"))
    fake_deepseek.responder(reviewer(()), path=CHAT)
    await engine.review(client, doc, settings_for(fake_deepseek), roots=[tmp_path])
    sent = "\n".join(r.json["messages"][-1]["content"] for r in fake_deepseek.requests_to(CHAT))
    assert "function render(el: Element, options: { strict: boolean; }): void  # render.ts" in sent
    assert "paint(el)" not in sent


async def test_a_review_reads_each_imported_file_once(
    fake_deepseek: FakeDeepSeek,
    client: ModelClient,
    engine: ReviewEngine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The imported files were looked up (stat, and read again within a second of being
    written) and the document indexed twice on every save: once for the units' cache keys,
    once for the signatures the requests carry."""
    (tmp_path / "helpers.py").write_text("def helper(record, *, strict=False):\n    return record\n")
    text = "from .helpers import helper\n\n\ndef run(p):\n    return helper(p, strict=True)\n"
    doc = Document((tmp_path / "main.py").as_uri(), text, language=PYTHON)
    looked_up: list[str] = []
    for_file = Indexer.for_file

    def counting(self: Indexer, path: Path, *args: object, **kwargs: object) -> object:
        looked_up.append(path.name)
        return for_file(self, path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Indexer, "for_file", counting)
    fake_deepseek.responder(reviewer(()), path=CHAT)
    await engine.review(client, doc, settings_for(fake_deepseek), roots=[tmp_path])
    assert looked_up == ["helpers.py"]
    (request,) = fake_deepseek.requests_to(CHAT)
    assert "def helper(record, *, strict=False):  # helpers.py" in request.json["messages"][-1]["content"]


async def test_every_copy_of_repeated_code_in_a_generated_file_gets_its_own_finding(
    fake_deepseek: FakeDeepSeek, client: ModelClient, engine: ReviewEngine
) -> None:
    # 700 handlers with the same bare except (and a non-ASCII comment): the quoted code was
    # looked for in the whole file and only its first 500 copies were considered, so the later
    # handlers' findings were lost.
    source = generated_handlers(700)
    fake_deepseek.responder(reviewer((Rule("except:", "warning", "Bare except."),)), path=CHAT)
    doc = doc_of(source, "handlers.py")
    outcome = await engine.review(client, doc, settings_for(fake_deepseek, maxConcurrency=3))
    assert not outcome.errors and outcome.stats.unplaced == 0
    lines = sorted(doc.line_at(f.start) for f in outcome.findings)
    assert lines == [i * 8 + 3 for i in range(700)]
    assert all(text_at(doc, f.start, f.end) == "except:" for f in outcome.findings)


async def test_a_function_whose_findings_run_past_the_answer_limit_says_which_setting_to_raise(
    fake_deepseek: FakeDeepSeek, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One function with more findings than review.maxOutputTokens holds: its answer is cut
    (a lone unit has no halves to be sent in), its complete findings shown, and it is sent
    again at every save. The status said "the model's answer was incomplete (answer is not
    valid JSON); valid findings were kept": neither the file, nor the limit, nor what to do."""
    monkeypatch.setenv("DEEPSEEK_LSP_STATE_DIR", str(tmp_path))
    fake_deepseek.responder(reviewer([Rule("== None", "warning", "Compare with None using 'is'.")]), path=CHAT)
    body = "".join(f"    if x{i} == None:\n        return {i}\n" for i in range(40))
    async with ReviewFeatureSession(fake_deepseek) as r:
        s = r.services.settings
        r.services.settings = replace(s, review=replace(s.review, max_output_tokens=300))
        r.services.documents.open("file:///ws/checks.py", f"def check(x):\n{body}", "python", 1)
        done = await r.review.command.run("file:///ws/checks.py", force=True)
        assert 0 < done["findings"] < 40, done  # what came whole before the cut is shown
        status = r.statuses[-1]
        assert status.kind == "Warning" and status.uri == "file:///ws/checks.py"
        cut = (
            "the model's answer about check ran past review.maxOutputTokens (300 tokens) and was "
            "cut: the findings before the cut are shown; raise review.maxOutputTokens to have it "
            "reviewed whole"
        )
        assert status.message == f"review of checks.py: {cut}"
        assert done["problems"] == [cut]


async def test_a_files_units_are_worked_out_while_the_event_loop_goes_on(
    fake_deepseek: FakeDeepSeek, client: ModelClient, engine: ReviewEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Extracting a saved file's units, reading its imports and looking each unit up in the
    cache ran on the event loop: a 10,000-line module held it 1.3 s at each save, every
    completion waiting (bench_review_save_stall.py). Here the extraction waits for a handler
    on the loop (as a keystroke's completion): on the loop it never ran, and waited out 5 s."""
    import asyncio
    import contextlib
    import importlib
    import threading

    turned = threading.Event()
    seen: list[bool] = []

    def extract(doc: Document) -> Any:
        seen.append(turned.wait(5))
        return extract_units(doc)

    for name in ("engine", "prepared"):  # wherever the review extracts them
        with contextlib.suppress(ImportError):
            module = importlib.import_module(f"deepseek_lsp.review.{name}")
            monkeypatch.setattr(module, "extract_units", extract, raising=False)
    fake_deepseek.responder(reviewer(()), path=CHAT)
    review = asyncio.ensure_future(engine.review(client, doc_of(INVENTORY), settings_for(fake_deepseek)))
    await asyncio.sleep(0)
    asyncio.get_running_loop().call_soon(turned.set)  # the keystroke's handler
    outcome = await review
    assert seen == [True] and outcome.units == 8
