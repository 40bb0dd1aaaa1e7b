"""``deepseek-lsp review`` run again over files it reviewed: answered from the cache without a
parse, yet a change to the file, an imported file or the settings is reviewed anew."""

from __future__ import annotations

import json
import shutil
import sqlite3
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from deepseek_lsp import imports
from deepseek_lsp.documents import Document
from deepseek_lsp.review import engine, prepared
from deepseek_lsp.review.answer import RawFinding
from deepseek_lsp.review.cache import ReviewCache
from deepseek_lsp.review.records import recorded_units
from deepseek_lsp.review.records import to_json as record_json
from deepseek_lsp.review.units import extract_units
from tests.fake_deepseek import FakeDeepSeek
from tests.review_support import INVENTORY_RULES, REGISTRY, reviewed_units, reviewer
from tests.test_review_cli import CHAT, DATA, run
from tests.test_review_cli import project as cli_project
from tests.test_review_sarif import SCHEMA

#: The project of tests/test_review_cli.py: app/inventory.py and app/util.js, one commit.
project = cli_project


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The documents the review engine cut into units (each a tree-sitter parse), by URI."""
    seen: list[str] = []
    extract = engine.extract_units

    def counting(doc):  # type: ignore[no-untyped-def]
        seen.append(doc.uri)
        return extract(doc)

    monkeypatch.setattr(engine, "extract_units", counting)
    monkeypatch.setattr(prepared, "extract_units", counting)  # a review's, off the event loop
    yield seen


def sent_units(fake: FakeDeepSeek) -> list[str]:
    return sorted(u for r in fake.requests_to(CHAT) for u in reviewed_units(r.json))


def findings(report: dict[str, object]) -> dict[str, object]:
    return {f["path"]: (f["findings"], f["units"]) for f in report["files"]}  # type: ignore[attr-defined,index]


def report(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, object]]:
    code, out, err = run(capsys, *args, "--format", "json", "--fail-on", "never")
    assert code == 0, err
    return code, json.loads(out)


def test_a_second_run_over_unchanged_files_parses_none_and_reports_the_same(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str], parses: list[str]
) -> None:
    """Each file was parsed again (some 40 ms a file) only to find every answer cached."""
    _, first = report(capsys, "app")
    assert len(parses) == 2 and fake_deepseek.requests_to(CHAT)
    requests = len(fake_deepseek.requests_to(CHAT))
    parses.clear()
    _, second = report(capsys, "app")
    assert parses == [] and len(fake_deepseek.requests_to(CHAT)) == requests
    assert findings(second) == findings(first) and second["totals"] == first["totals"]
    # A --changed run after a run over the whole edited file: its changed units, no parse.
    path = project / "app" / "inventory.py"
    path.write_text(path.read_text().replace("        total += item.quantity", "        total += 1.0 * item.quantity"))
    report(capsys, "app")
    parses.clear()
    _, changed = report(capsys, "--changed")
    assert parses == [] and [(f["path"], f["units"]) for f in changed["files"]] == [("app/inventory.py", 1)]  # type: ignore[attr-defined,index]


def test_an_edited_file_is_reviewed_again_and_the_others_still_come_from_the_record(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str], parses: list[str]
) -> None:
    report(capsys, "app")
    before = len(fake_deepseek.requests_to(CHAT))
    path = project / "app" / "inventory.py"
    path.write_text(path.read_text().replace("        total += item.quantity", "        total += 1.0 * item.quantity"))
    parses.clear()
    _, again = report(capsys, "app")
    assert [Path(p).name for p in parses] == ["inventory.py"]
    assert [u for r in fake_deepseek.requests_to(CHAT)[before:] for u in reviewed_units(r.json)] == ["total_value"]
    files = {f["path"]: f for f in again["files"]}  # type: ignore[union-attr]
    assert files["app/inventory.py"]["units"] == 8 and files["app/inventory.py"]["unitsSent"] == 1


def test_settings_that_change_the_answer_miss(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    report(capsys, "app/util.js")
    before = len(fake_deepseek.requests_to(CHAT))
    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps({"review": {"model": "deepseek-v4-flash"}}))
    report(capsys, "app/util.js", "--settings", str(settings))
    asked = fake_deepseek.requests_to(CHAT)[before:]
    assert [r.json["model"] for r in asked] == ["deepseek-v4-flash"]
    # Settings that only filter what is shown (minSeverity) do not send anything again, and
    # filter the recorded file's findings as they filter a parsed one's.
    settings.write_text(json.dumps({"review": {"minSeverity": "critical"}}))
    report(capsys, "app/inventory.py")
    requests = len(fake_deepseek.requests_to(CHAT))
    _, shown = report(capsys, "app/inventory.py", "--settings", str(settings))
    assert len(fake_deepseek.requests_to(CHAT)) == requests
    assert shown["totals"] == {"critical": 1, "warning": 0, "info": 0}


def test_an_imported_signature_changed_reviews_its_callers_again(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str], parses: list[str]
) -> None:
    """The callee's signature is part of the caller's key: the record must not hide its change."""
    (project / "app" / "prices.py").write_text("def scale(value: float) -> float:\n    return value * 2\n")
    (project / "app" / "orders.py").write_text(
        "from app.prices import scale\n\n\ndef order_total(value: float) -> float:\n    return scale(value, 3)\n"
    )
    report(capsys, "app/orders.py")
    report(capsys, "app/orders.py")
    assert "order_total" in sent_units(fake_deepseek)
    before = len(fake_deepseek.requests_to(CHAT))
    (project / "app" / "prices.py").write_text(
        "def scale(value: float, factor: float = 2) -> float:\n    return value * factor\n"
    )
    parses.clear()
    report(capsys, "app/orders.py")
    assert len(parses) == 1
    assert "order_total" in [u for r in fake_deepseek.requests_to(CHAT)[before:] for u in reviewed_units(r.json)]
    # A new local module now found by an import the first run could not resolve.
    (project / "app" / "orders.py").write_text(
        "from app.taxes import rate\n\n\ndef order_total(value: float) -> float:\n    return value * rate()\n"
    )
    report(capsys, "app/orders.py")
    before = len(fake_deepseek.requests_to(CHAT))
    (project / "app" / "taxes.py").write_text("def rate(region: str) -> float:\n    return 0.2\n")
    # As in the next run's new process: this one remembers for a few seconds what imports found.
    imports._resolved.clear()
    parses.clear()
    report(capsys, "app/orders.py")
    assert len(parses) == 1
    assert "order_total" in [u for r in fake_deepseek.requests_to(CHAT)[before:] for u in reviewed_units(r.json)]


def test_a_unit_pruned_from_the_cache_is_sent_again_not_reported_clean(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The record names the units' keys; the answers are still the cache's, which drops the
    least recently used ones: a record outliving them must not stand for a clean review."""
    report(capsys, "app/inventory.py")
    before = len(fake_deepseek.requests_to(CHAT))
    with sqlite3.connect(tmp_path / "state" / "review-cache.sqlite") as db:
        db.execute("DELETE FROM reviews")
    _, again = report(capsys, "app/inventory.py")
    assert len(fake_deepseek.requests_to(CHAT)) > before
    assert again["totals"] == {"critical": 1, "warning": 3, "info": 0}


@pytest.mark.parametrize("source", [DATA / "inventory.py", Path(textwrap.__file__)])
def test_a_recorded_unit_puts_cached_findings_on_the_lines_a_parsed_one_does(source: Path) -> None:
    doc = Document(source.resolve().as_uri(), source.read_text(), language=REGISTRY.get("python"))
    units = extract_units(doc).units
    recorded = recorded_units(record_json([(u, "k", None) for u in units], None))
    assert recorded is not None and len(recorded) == len(units)
    for unit, kept in zip(units, recorded, strict=True):
        assert kept.lines == unit.lines
        assert [kept.line_at_index(i) for i in range(-1, unit.line_count + 2)] == [
            unit.line_at_index(i) for i in range(-1, unit.line_count + 2)
        ]


def test_get_many_answers_as_get_does_and_counts_as_use() -> None:
    cache = ReviewCache.in_memory()
    finding = RawFinding(severity="warning", message="Problem.", code="x == None", line=1)
    for key in ("a", "b", "c"):
        cache.put(key, [finding] if key != "b" else [], "m")
    time.sleep(0.01)
    assert cache.get_many(["c", "b", "unknown", "c"]) == {"c": cache.get("c"), "b": []}
    cache.prune(max_entries=2)  # the least recently used goes: "a", the one not looked up
    assert cache.get("a") is None and cache.get("b") == [] and cache.get("c") == [finding]


def test_a_checkout_moved_to_another_folder_is_answered_from_its_records(
    project: Path,
    fake_deepseek: FakeDeepSeek,
    capsys: pytest.CaptureFixture[str],
    parses: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A CI runner checks the repository out in a new folder for each job: records keyed on
    the absolute path missed there, and every file was parsed again to find its answers cached."""
    (project / "app" / "prices.py").write_text("def scale(value: float) -> float:\n    return value * 2\n")
    (project / "app" / "orders.py").write_text(
        "from app.prices import scale\n\n\ndef order_total(value: float) -> float:\n    return scale(value, 3)\n"
    )
    _, first = report(capsys, "app")
    requests = len(fake_deepseek.requests_to(CHAT))
    moved = tmp_path / "runner" / "job-2" / "proj"
    shutil.copytree(project, moved, symlinks=True)
    monkeypatch.chdir(moved)
    parses.clear()
    _, second = report(capsys, "app")
    assert parses == [] and len(fake_deepseek.requests_to(CHAT)) == requests
    assert findings(second) == findings(first)
    # Still the files of this checkout that decide: an imported signature changed here (not
    # in the first one) reviews its caller again.
    (moved / "app" / "prices.py").write_text(
        "def scale(value: float, factor: float = 2) -> float:\n    return value * factor\n"
    )
    parses.clear()
    report(capsys, "app")
    assert sorted(Path(p).name for p in parses) == ["orders.py", "prices.py"]
    assert "order_total" in [u for r in fake_deepseek.requests_to(CHAT)[requests:] for u in reviewed_units(r.json)]


def test_the_text_report_says_what_the_runs_requests_cost_and_that_a_cached_run_cost_nothing(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str]
) -> None:
    """Nothing told what a review run cost, a CI job's or a re-run answered by the cache, but
    ``deepseek-lsp usage``'s totals of the whole day, every window's and run's together; nor
    the share of its prompts the provider's cache held, which that command says."""
    from deepseek_lsp.cli import main

    _, out, _ = run(capsys, "app")
    requests = len(fake_deepseek.requests_to(CHAT))
    assert main(["usage"]) == 0
    # "today (…, UTC): $0.0021, 3 requests, 23 % of the prompt from the provider's cache"
    today = capsys.readouterr().out.splitlines()[0]
    cost, _, share = today.split(": ", 1)[1].split(", ")
    assert cost.startswith("$") and cost != "$0.0000"
    assert share.endswith(" % of the prompt from the provider's cache") and share[0] != "0", today
    summary = out.splitlines()[-1]
    assert f" units from the cache, {cost} for {requests} requests, {share}: 1 critical," in summary
    _, again, _ = run(capsys, "app")
    assert len(fake_deepseek.requests_to(CHAT)) == requests
    assert " units from the cache, no request made: 1 critical," in again.splitlines()[-1]


def test_the_json_sarif_and_github_reports_carry_what_the_runs_requests_cost(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only the text report said what a run cost: a CI job writing JSON or SARIF kept no
    record of it, and the github format's log said nothing either."""
    from deepseek_lsp.usage_report import format_usd

    _, out, _ = run(capsys, "app", "--format", "json", "--fail-on", "never")
    requests = len(fake_deepseek.requests_to(CHAT))
    usage = json.loads(out)["usage"]
    assert usage["requests"] == requests > 0 and usage["unknownCost"] == 0 and usage["notReached"] == 0
    assert usage["costUsd"] > 0 and usage["promptTokens"] > 0 and usage["outputTokens"] > 0
    # The share the text report says, as `deepseek-lsp usage --json`'s cache_hit_share.
    assert usage["cacheHitShare"] == round(usage["cacheHitTokens"] / usage["promptTokens"], 4) > 0
    _, out, _ = run(capsys, "app", "--format", "sarif", "--fail-on", "never", "--no-cache")
    assert len(fake_deepseek.requests_to(CHAT)) == 2 * requests
    jsonschema.Draft4Validator(SCHEMA).validate(json.loads(out))  # a run's property bag
    again = json.loads(out)["runs"][0]["properties"]["usage"]
    # The same requests again (the fake's prompt cache makes them cheaper).
    assert [again[k] for k in ("requests", "promptTokens", "outputTokens")] == [
        usage[k] for k in ("requests", "promptTokens", "outputTokens")
    ]
    assert 0 < again["costUsd"] < usage["costUsd"] and again["cacheHitTokens"] > 0
    assert again["cacheHitShare"] > usage["cacheHitShare"]
    _, out, _ = run(capsys, "app", "--format", "github", "--fail-on", "never", "--no-cache")
    summary = out.splitlines()[-1]
    cost = format_usd(again["costUsd"])
    share = f"{round(again['cacheHitShare'] * 100)} % of the prompt from the provider's cache"
    assert f" reviewed, {cost} for {requests} requests, {share}: 1 critical," in summary
    # Said in the log, not as a notice: the runner shows 10 a step, and info findings are notices.
    assert not [line for line in out.splitlines() if line.startswith("::") and "requests" in line]
    _, out, _ = run(capsys, "app", "--format", "json", "--fail-on", "never")
    assert len(fake_deepseek.requests_to(CHAT)) == 3 * requests  # answered by the cache
    assert json.loads(out)["usage"] == {**dict.fromkeys(usage, 0), "cacheHitShare": None}


def test_a_run_s_requests_cut_before_their_usage_are_said_to_be_estimated(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str]
) -> None:
    """A request whose stream broke mid-answer is asked again; what the first one used, which
    the provider bills but never reported, is counted here. The closing line said "$0.0024 for
    3 requests, 67 % of the prompt from the provider's cache" as if all were the provider's
    figures, and the JSON report did not tell them apart."""
    fake_deepseek.fault("disconnect", 1, path=CHAT, after_chunks=1)
    _, out, _ = run(capsys, "app", "--format", "json", "--fail-on", "never")
    usage = json.loads(out)["usage"]
    assert (usage["requests"], usage["estimatedRequests"]) == (len(fake_deepseek.requests_to(CHAT)), 1), usage
    fake_deepseek.fault("disconnect", 1, path=CHAT, after_chunks=1)
    _, out, _ = run(capsys, "app", "--no-cache", "--fail-on", "never")
    summary = out.splitlines()[-1]
    assert " requests (1 estimated), ~" in summary and " % of the prompt from the provider's cache: " in summary, summary


def test_a_rerun_from_the_cache_says_the_findings_it_dropped_as_the_first_run_did(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The model quoted code in none of the units it was shown (made up, or the context's): the
    first run said "1 finding could not be placed and was dropped", a rerun answered from the
    cache said nothing of it, another closing line for the same file."""
    rules = reviewer(INVENTORY_RULES, line_offset=3)

    def misquoting(body: dict[str, Any]) -> str:
        answer = json.loads(rules(body))
        if "find_item" in reviewed_units(body):
            answer["findings"].append(
                {"severity": "warning", "line": 12, "code": "db.lookup_item(sku)", "message": "Made up.", "suggestion": ""}
            )
        return json.dumps(answer)

    fake_deepseek.responder(misquoting, path=CHAT)
    closing: list[str] = []
    dropped: list[int] = []
    sent: list[int] = []
    for record_kept in (True, True, False):  # sent; from the file's record; parsed, from the cache
        if not record_kept:
            with sqlite3.connect(tmp_path / "state" / "review-cache.sqlite") as db:
                db.execute("DELETE FROM files")
        _, out, _ = run(capsys, "app/inventory.py", "--fail-on", "never")
        closing.append(out.rstrip().rsplit("\n", 1)[-1].split(": ", 1)[1])
        _, again = report(capsys, "app/inventory.py")
        dropped.append(again["files"][0]["dropped"]["unplaced"])  # type: ignore[index]
        sent.append(len(fake_deepseek.requests_to(CHAT)))
    assert sent[0] > 0 and sent == [sent[0]] * 3, sent
    assert closing[0].endswith("; 1 finding could not be placed and was dropped"), closing
    assert closing == [closing[0]] * 3 and dropped == [1, 1, 1], (closing, dropped)
